/*
 * A small strict RFC 4180 reader for the code-set files: comma-separated fields, optionally quoted,
 * a doubled quote inside a quoted field is one quote, quoted fields may hold commas and line breaks,
 * records end with LF or CRLF (the last may have none). Anything else (a quote inside an unquoted field,
 * text after a closing quote, a bare CR, a NUL byte, an unterminated quote, a record longer than
 * CODES_CSV_MAX_RECORD) is an error naming the file and line, because a silently mis-split code list
 * would change who is screened.
 */
#ifndef FLS_CODES_CSV_H
#define FLS_CODES_CSV_H

#include <stddef.h>

#include "fls/fls.h"
#include "util/diag.h"
#include "util/mem.h"

#define CODES_CSV_MAX_FIELDS 16
#define CODES_CSV_MAX_RECORD (64u * 1024u) /* bytes of one record, so also of one physical line */

struct codes_csv {
	const struct fls_mem *mem;
	const char *name;       /* file name for messages (borrowed) */
	const char *p, *end;    /* unread input (borrowed) */
	unsigned long line;     /* physical line of p, from 1 */
	char *scratch;          /* field copies of the current record, each NUL-terminated */
	size_t scratch_cap;
};

struct codes_csv_row {
	size_t n;                            /* fields in the record; 0 at the end of the input */
	unsigned long line;                  /* line the record starts on */
	const char *f[CODES_CSV_MAX_FIELDS]; /* NUL-terminated; valid until the next codes_csv_next */
	size_t len[CODES_CSV_MAX_FIELDS];
};

/* Read buf[0..len) (borrowed, must outlive c). name is borrowed too. FLS_ENOMEM only. */
fls_status codes_csv_init(struct codes_csv *c, const struct fls_mem *mem, const char *name, const char *buf,
			  size_t len);
/* The next record into *row (row->n == 0 at the end). FLS_EDATA with "<name> line N: ..." in d. */
fls_status codes_csv_next(struct codes_csv *c, struct codes_csv_row *row, struct fls_diag *d);
/* Accepts a zeroed or already freed reader. */
void codes_csv_free(struct codes_csv *c);

#endif
