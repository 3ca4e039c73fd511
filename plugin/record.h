/*
 * The decision record appended to the encrypted store for every screened patient: what was decided,
 * from what, by which versions (issue 5; docs/store-format.md describes the payload).
 */
#ifndef FLS_PLUGIN_RECORD_H
#define FLS_PLUGIN_RECORD_H

#include "fls/fls.h"
#include "util/buf.h"

/* Append the JSON record of res to b. */
fls_status plg_record_decision(struct fls_buf *b, const fls_result *res);

#endif
