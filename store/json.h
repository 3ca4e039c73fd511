/*
 * The little JSON the store needs: checking that a payload is one well-formed UTF-8 JSON text (so
 * that an export can embed it as a JSON value), and writing JSON strings for outcome records.
 */
#ifndef FLS_STORE_JSON_H
#define FLS_STORE_JSON_H

#include <stddef.h>

#include "fls/fls.h"
#include "util/buf.h"

/* Maximum nesting of arrays and objects accepted in a payload. */
#define STORE_JSON_MAX_DEPTH 64

/* 1 when p[0..n) is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
int store_utf8_valid(const char *p, size_t n);
/*
 * 1 when p[0..n) is exactly one JSON value (RFC 8259) in UTF-8, with optional white space around
 * it.
 */
int store_json_valid(const void *p, size_t n);
/* Append s[0..n) as a quoted JSON string. FLS_EINVAL when s is not UTF-8 or contains NUL. */
fls_status store_json_put_string(struct fls_buf *b, const char *s, size_t n);

#endif
