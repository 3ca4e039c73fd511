#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *libc_alloc(void *user, size_t n)
{
	(void)user;
	return malloc(n ? n : 1);
}

static void libc_free(void *user, void *p)
{
	(void)user;
	free(p);
}

const struct fls_mem fls_mem_libc = { NULL, libc_alloc, libc_free };

void *fls_malloc(const struct fls_mem *m, size_t n)
{
	return m->alloc(m->user, n ? n : 1);
}

void *fls_calloc(const struct fls_mem *m, size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	p = fls_malloc(m, bytes);
	if (p)
		memset(p, 0, bytes ? bytes : 1);
	return p;
}

void fls_free(const struct fls_mem *m, void *p)
{
	if (p)
		m->free(m->user, p);
}

int fls_grow(const struct fls_mem *m, void **arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 8, bytes, old;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	if (__builtin_mul_overflow(ncap, size, &bytes))
		return -1;
	if (!(p = fls_malloc(m, bytes)))
		return -1;
	old = *cap * size;
	if (*arr && old)
		memcpy(p, *arr, old);
	memset((char *)p + old, 0, bytes - old);
	fls_free(m, *arr);
	*arr = p;
	*cap = ncap;
	return 0;
}

char *fls_strndup(const struct fls_mem *m, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX || !(p = fls_malloc(m, n + 1)))
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
