/*
 * A last-error message owned by its holder (a session, a store, a loader), as sqlite3_errmsg works.
 * Messages name files, lines, resources and elements, never patient data.
 */
#ifndef FLS_UTIL_DIAG_H
#define FLS_UTIL_DIAG_H

#include "fls/fls.h"

struct fls_diag {
	char msg[768];
};

/* Format the message into d (truncated to fit) and return st, so callers can `return fls_diag_set(...)`. */
fls_status fls_diag_set(struct fls_diag *d, fls_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void fls_diag_clear(struct fls_diag *d);

#endif
