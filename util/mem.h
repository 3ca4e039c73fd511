/* Allocation through the host's allocator (fls_host.alloc/free), which has no realloc. */
#ifndef FLS_UTIL_MEM_H
#define FLS_UTIL_MEM_H

#include <stddef.h>

struct fls_mem {
	void *user;
	void *(*alloc)(void *user, size_t n);
	void (*free)(void *user, void *p);
};

/* malloc/free, for code that runs outside a session (the CLI, tests). */
extern const struct fls_mem fls_mem_libc;

void *fls_malloc(const struct fls_mem *m, size_t n);
/* Zero-filled; NULL on overflow of n * size or allocation failure. */
void *fls_calloc(const struct fls_mem *m, size_t n, size_t size);
void fls_free(const struct fls_mem *m, void *p);
/*
 * Grow an array of *cap elements of size bytes to hold at least need elements (doubling). On failure
 * the old array is untouched and -1 is returned; 0 on success.
 */
int fls_grow(const struct fls_mem *m, void **arr, size_t *cap, size_t need, size_t size);
/* A NUL-terminated copy of s[0..n). */
char *fls_strndup(const struct fls_mem *m, const char *s, size_t n);

#endif
