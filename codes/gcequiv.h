/*
 * glucocorticoid_pred_equiv.csv (clinical-rules 7.2.1): which ingredient a glucocorticoid_oral row is
 * (the first row, in file order, whose case-insensitive POSIX ERE display_pattern is found in the row's
 * display) and how many mg of it equal prednisolone 5 mg.
 */
#ifndef FLS_CODES_GCEQUIV_H
#define FLS_CODES_GCEQUIV_H

#include <regex.h>
#include <stddef.h>

#include "fls/fls.h"
#include "util/diag.h"
#include "util/mem.h"

#define CODES_GC_MAX_ROWS 64
#define CODES_GC_INGREDIENT_MAX 48

struct codes_gc_row {
	char ingredient[CODES_GC_INGREDIENT_MAX + 1];
	double mg_equiv;  /* mg of the ingredient equivalent to prednisolone 5 mg (> 0) */
	regex_t re;       /* REG_EXTENDED | REG_ICASE | REG_NOSUB */
};

struct codes_gc_table {
	const struct fls_mem *mem;
	struct codes_gc_row *rows;
	size_t n, cap;
};

/*
 * Parse the file's bytes (name is for messages). Header ingredient,display_pattern,
 * mg_equivalent_to_prednisolone_5mg,source; the equivalence is a plain decimal (digits, optional '.'
 * and digits), parsed without the locale. FLS_EDATA naming file and line, or FLS_ENOMEM. On failure t
 * holds nothing (codes_gc_table_free is still safe).
 */
fls_status codes_gc_table_parse(struct codes_gc_table *t, const struct fls_mem *mem, const char *name,
				const char *buf, size_t len, struct fls_diag *d);
/* Index of the first row whose pattern matches display (NUL-terminated), or -1. */
int codes_gc_table_match(const struct codes_gc_table *t, const char *display);
void codes_gc_table_free(struct codes_gc_table *t);

/*
 * A strict non-negative decimal: [0-9]+ ( '.' [0-9]+ )?, at most 15 significant digits, no sign, no
 * exponent, no spaces. 0 on success.
 */
int codes_parse_decimal(const char *s, size_t n, double *out);

#endif
