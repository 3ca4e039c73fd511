/* Minimal JSON text building for log records: strings escaped per RFC 8259, numbers locale-free. */
#ifndef FLS_UTIL_JSON_H
#define FLS_UTIL_JSON_H

#include "util/buf.h"

/* Append s as a JSON string literal (quotes included); NULL appends null. */
fls_status fls_json_str(struct fls_buf *b, const char *s);

#endif
