/*
 * A growable text buffer with a hard maximum size, after curl's dynbuf (docs/internals/DYNBUF.md):
 * every append either fits under max or fails with FLS_ELIMIT, and the buffer is always NUL-terminated.
 */
#ifndef FLS_UTIL_BUF_H
#define FLS_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "fls/fls.h"
#include "util/mem.h"

struct fls_buf {
	char *p;
	size_t len, cap, max;
	const struct fls_mem *mem;
};

void fls_buf_init(struct fls_buf *b, const struct fls_mem *mem, size_t max);
fls_status fls_buf_append(struct fls_buf *b, const char *s, size_t n);
fls_status fls_buf_puts(struct fls_buf *b, const char *s);
fls_status fls_buf_printf(struct fls_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
fls_status fls_buf_vprintf(struct fls_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* The contents ("" when empty); valid until the next append or free. */
const char *fls_buf_str(const struct fls_buf *b);
void fls_buf_reset(struct fls_buf *b);
void fls_buf_free(struct fls_buf *b);

#endif
