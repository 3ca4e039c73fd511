#include "codes/gcequiv.h"

#include <stdint.h>
#include <string.h>

#include "codes/csv.h"

int codes_parse_decimal(const char *s, size_t n, double *out)
{
	uint64_t mant = 0;
	unsigned digits = 0, frac = 0;
	size_t i = 0;
	double scale = 1.0;

	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		if (digits >= 15)
			return -1;
		mant = mant * 10u + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return -1;
	if (i < n && s[i] == '.') {
		size_t start = ++i;

		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++, frac++) {
			if (digits >= 15)
				return -1;
			mant = mant * 10u + (uint64_t)(s[i] - '0');
		}
		if (i == start)
			return -1;
	}
	if (i != n)
		return -1;
	/* mant < 10^15 and 10^frac are exact doubles, so one division gives the correctly rounded value. */
	while (frac--)
		scale *= 10.0;
	*out = (double)mant / scale;
	return 0;
}

static const char *const gc_header[4] = { "ingredient", "display_pattern", "mg_equivalent_to_prednisolone_5mg",
					   "source" };

void codes_gc_table_free(struct codes_gc_table *t)
{
	if (!t || !t->mem)
		return;
	for (size_t i = 0; i < t->n; i++)
		regfree(&t->rows[i].re);
	fls_free(t->mem, t->rows);
	t->rows = NULL;
	t->n = t->cap = 0;
}

fls_status codes_gc_table_parse(struct codes_gc_table *t, const struct fls_mem *mem, const char *name,
				const char *buf, size_t len, struct fls_diag *d)
{
	struct codes_csv csv;
	struct codes_csv_row row;
	fls_status st;

	memset(t, 0, sizeof(*t));
	t->mem = mem;
	if ((st = codes_csv_init(&csv, mem, name, buf, len)) != FLS_OK) {
		fls_diag_set(d, st, "code set %s: out of memory", name);
		goto out;
	}
	if ((st = codes_csv_next(&csv, &row, d)) != FLS_OK)
		goto out;
	st = FLS_EDATA;
	if (row.n != 4) {
		fls_diag_set(d, st, "code set %s line %lu: header must be %s,%s,%s,%s", name, row.line, gc_header[0],
			     gc_header[1], gc_header[2], gc_header[3]);
		goto out;
	}
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(row.f[i], gc_header[i]) != 0) {
			fls_diag_set(d, st, "code set %s line %lu: header column %zu must be \"%s\"", name, row.line,
				     i + 1, gc_header[i]);
			goto out;
		}
	}
	for (;;) {
		struct codes_gc_row *r;
		double mg;
		int rc;

		if ((st = codes_csv_next(&csv, &row, d)) != FLS_OK)
			goto out;
		if (row.n == 0)
			break;
		st = FLS_EDATA;
		if (row.n != 4) {
			fls_diag_set(d, st, "code set %s line %lu: expected 4 fields, found %zu", name, row.line,
				     row.n);
			goto out;
		}
		if (row.len[0] == 0 || row.len[0] > CODES_GC_INGREDIENT_MAX) {
			fls_diag_set(d, st, "code set %s line %lu: ingredient is empty or longer than %d bytes", name,
				     row.line, CODES_GC_INGREDIENT_MAX);
			goto out;
		}
		if (row.len[1] == 0) {
			fls_diag_set(d, st, "code set %s line %lu: empty display_pattern", name, row.line);
			goto out;
		}
		if (codes_parse_decimal(row.f[2], row.len[2], &mg) != 0 || !(mg > 0.0)) {
			fls_diag_set(d, st, "code set %s line %lu: mg_equivalent_to_prednisolone_5mg is not a positive "
				     "decimal", name, row.line);
			goto out;
		}
		if (t->n == CODES_GC_MAX_ROWS) {
			fls_diag_set(d, st, "code set %s line %lu: more than %d rows", name, row.line,
				     CODES_GC_MAX_ROWS);
			goto out;
		}
		if (fls_grow(mem, (void **)&t->rows, &t->cap, t->n + 1, sizeof(*t->rows)) != 0) {
			st = fls_diag_set(d, FLS_ENOMEM, "code set %s: out of memory", name);
			goto out;
		}
		r = &t->rows[t->n];
		memcpy(r->ingredient, row.f[0], row.len[0] + 1);
		r->mg_equiv = mg;
		if ((rc = regcomp(&r->re, row.f[1], REG_EXTENDED | REG_ICASE | REG_NOSUB)) != 0) {
			char why[128];

			regerror(rc, NULL, why, sizeof(why));
			fls_diag_set(d, st, "code set %s line %lu: display_pattern is not a POSIX ERE (%s)", name,
				     row.line, why);
			goto out;
		}
		t->n++;
	}
	st = FLS_OK;
out:
	codes_csv_free(&csv);
	if (st != FLS_OK)
		codes_gc_table_free(t);
	return st;
}

int codes_gc_table_match(const struct codes_gc_table *t, const char *display)
{
	for (size_t i = 0; i < t->n; i++)
		if (regexec(&t->rows[i].re, display, 0, NULL, 0) == 0)
			return (int)i;
	return -1;
}
