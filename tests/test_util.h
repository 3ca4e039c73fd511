/* Helpers shared by the cmocka tests: environment paths and files. */
#ifndef FLS_TESTS_TEST_UTIL_H
#define FLS_TESTS_TEST_UTIL_H

#include <stddef.h>

/* Value of an environment variable set by ctest (FLS_SHARED, FLS_DATADIR, ...), or NULL. */
const char *tu_env(const char *name);
/* Path of ../shared/<rel> when the shared folder is there, else NULL (and the caller skips). */
const char *tu_shared_path(const char *rel, char *buf, size_t cap);
/* Read a whole file into a malloc'd, NUL-terminated buffer; NULL on failure. */
char *tu_read_file(const char *path, size_t *len);
/*
 * Split one CSV record (RFC 4180 quoting) in place into at most max fields; returns the field count,
 * or -1 for malformed quoting or more than max fields.
 */
int tu_csv_split(char *line, char **fields, int max);

#endif
