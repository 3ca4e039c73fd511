#include "util/diag.h"

#include <stdarg.h>
#include <stdio.h>

fls_status fls_diag_set(struct fls_diag *d, fls_status st, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return st;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);   /* truncation is acceptable for a message */
	va_end(ap);
	return st;
}

void fls_diag_clear(struct fls_diag *d)
{
	if (d)
		d->msg[0] = '\0';
}
