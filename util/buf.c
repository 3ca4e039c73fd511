#include "util/buf.h"

#include <stdio.h>
#include <string.h>

void fls_buf_init(struct fls_buf *b, const struct fls_mem *mem, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max;
	b->mem = mem;
}

static fls_status buf_reserve(struct fls_buf *b, size_t extra)
{
	size_t need;

	if (__builtin_add_overflow(b->len, extra, &need) || need >= b->max)
		return FLS_ELIMIT;
	if (need + 1 <= b->cap)
		return FLS_OK;
	{
		void *p = b->p;
		size_t cap = b->cap;

		if (fls_grow(b->mem, &p, &cap, need + 1, 1))
			return FLS_ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	return FLS_OK;
}

fls_status fls_buf_append(struct fls_buf *b, const char *s, size_t n)
{
	fls_status st = buf_reserve(b, n);

	if (st)
		return st;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return FLS_OK;
}

fls_status fls_buf_puts(struct fls_buf *b, const char *s)
{
	return fls_buf_append(b, s, strlen(s));
}

fls_status fls_buf_vprintf(struct fls_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	fls_status st;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return FLS_EINVAL;
	if ((st = buf_reserve(b, (size_t)n)))
		return st;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return FLS_OK;
}

fls_status fls_buf_printf(struct fls_buf *b, const char *fmt, ...)
{
	va_list ap;
	fls_status st;

	va_start(ap, fmt);
	st = fls_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return st;
}

const char *fls_buf_str(const struct fls_buf *b)
{
	return b->p ? b->p : "";
}

void fls_buf_reset(struct fls_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void fls_buf_free(struct fls_buf *b)
{
	fls_free(b->mem, b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
