/*
 * Decisions CSV writer. Rows are rendered as soon as a decision arrives: a worklist row is kept in
 * memory (its text and its sort key) because the worklist comes first and is only known at the end;
 * any other row is final in input order and is streamed to a temporary file at once, so memory grows
 * with the worklist, not with the practice list.
 */
#include "cli/out_csv.h"

#include <math.h>
#include <string.h>

#include "risk/render.h"
#include "risk/wl_order.h"
#include "util/buf.h"
#include "util/mem.h"

#define CSV_LINE_MAX (64u * 1024u)   /* one rendered row; ours are a few hundred bytes */

struct csv_row {
	struct risk_wl_key key;
	char *line;
	size_t len;
};

struct csv_out {
	FILE *dest, *rest;   /* rest: rows off the worklist, in input order (tmpfile, lazily) */
	struct csv_row *rows;
	size_t n_rows, cap_rows;
	struct fls_buf line, field;
	fls_status failed;   /* first error of an add: close reports it */
};

/* Append s as one field, quoted (RFC 4180) when it holds a comma, a quote or a line break. */
static fls_status csv_field(struct fls_buf *b, const char *s, size_t n)
{
	fls_status st;

	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n))
		return fls_buf_append(b, s, n);
	if ((st = fls_buf_append(b, "\"", 1)))
		return st;
	for (size_t i = 0; i < n; i++) {
		const char *e = memchr(s + i, '"', n - i);
		size_t k = e ? (size_t)(e - (s + i)) : n - i;

		if ((st = fls_buf_append(b, s + i, k)))
			return st;
		i += k;
		if (e && (st = fls_buf_append(b, "\"\"", 2)))
			return st;
	}
	return fls_buf_append(b, "\"", 1);
}

static fls_status csv_str(struct csv_out *c, const char *s, size_t n, int last)
{
	fls_status st = csv_field(&c->line, s, n);

	return st ? st : fls_buf_append(&c->line, last ? "\n" : ",", 1);
}

static fls_status csv_cstr(struct csv_out *c, const char *s)
{
	return csv_str(c, s, strlen(s), 0);
}

/* Render c->field (built by fn) as the next field. */
static fls_status csv_from_field(struct csv_out *c, int last)
{
	return csv_str(c, fls_buf_str(&c->field), c->field.len, last);
}

/* A risk in percent, 17 significant digits (round-trips the double), "" when there is no score. */
static fls_status csv_pct(struct csv_out *c, int scored, double v)
{
	char num[48] = "";

	if (scored && isfinite(v) && risk_render_decimal(num, sizeof(num), v, 17) < 0)
		num[0] = '\0';
	return csv_cstr(c, num);
}

static fls_status csv_render(struct csv_out *c, const struct risk_patient *p, const struct risk_decision *d)
{
	int scored = d->score_status == RISK_SCORE_OK;
	char age[16] = "";
	fls_status st;

	fls_buf_reset(&c->line);
	if (d->age >= 0)
		snprintf(age, sizeof(age), "%d", d->age);
#define CSV_TRY(x)                   \
	do {                         \
		if ((st = (x)))      \
			return st;   \
	} while (0)
	CSV_TRY(csv_str(c, p->id, strnlen(p->id, sizeof(p->id)), 0));
	CSV_TRY(csv_str(c, p->nhs_number, strnlen(p->nhs_number, sizeof(p->nhs_number)), 0));
	CSV_TRY(csv_cstr(c, age));
	CSV_TRY(csv_cstr(c, risk_render_sex(d->sex)));
	CSV_TRY(csv_cstr(c, risk_render_priority(d->priority)));
	fls_buf_reset(&c->field);
	CSV_TRY(risk_render_fls_reasons(&c->field, d->fls_reasons));
	CSV_TRY(csv_from_field(c, 0));
	CSV_TRY(csv_cstr(c, risk_render_yesno(d->falls_population)));
	CSV_TRY(csv_cstr(c, risk_render_yesno(d->falls_referral)));
	fls_buf_reset(&c->field);
	CSV_TRY(risk_render_falls_reasons(&c->field, d->falls_reasons));
	CSV_TRY(csv_from_field(c, 0));
	CSV_TRY(csv_pct(c, scored, d->mof10));
	CSV_TRY(csv_pct(c, scored, d->hip10));
	fls_buf_reset(&c->field);
	CSV_TRY(risk_render_risk_status(&c->field, d));
	CSV_TRY(csv_from_field(c, 0));
	fls_buf_reset(&c->field);
	CSV_TRY(risk_render_notes(&c->field, d->notes));
	CSV_TRY(csv_from_field(c, 1));
#undef CSV_TRY
	return FLS_OK;
}

fls_status csv_out_open(struct csv_out **out, FILE *dest)
{
	struct csv_out *c;

	*out = NULL;
	if (!dest)
		return FLS_EINVAL;
	if (!(c = fls_calloc(&fls_mem_libc, 1, sizeof(*c))))
		return FLS_ENOMEM;
	c->dest = dest;
	fls_buf_init(&c->line, &fls_mem_libc, CSV_LINE_MAX);
	fls_buf_init(&c->field, &fls_mem_libc, CSV_LINE_MAX);
	if (fputs(CSV_OUT_HEADER "\n", dest) == EOF) {
		csv_out_free(c);
		return FLS_EIO;
	}
	*out = c;
	return FLS_OK;
}

fls_status csv_out_add(struct csv_out *c, const struct risk_patient *p, const struct risk_decision *d)
{
	fls_status st;

	if (!c || !p || !d)
		return FLS_EINVAL;
	if (c->failed)
		return c->failed;
	if ((st = csv_render(c, p, d)))
		goto out;
	if (d->priority >= 1 && d->priority <= 3) {
		struct csv_row *r;
		void *arr = c->rows;

		st = FLS_ENOMEM;
		if (fls_grow(&fls_mem_libc, &arr, &c->cap_rows, c->n_rows + 1, sizeof(*c->rows)))
			goto out;
		c->rows = arr;
		r = &c->rows[c->n_rows];
		if (!(r->line = fls_strndup(&fls_mem_libc, c->line.p, c->line.len)))
			goto out;
		r->len = c->line.len;
		risk_wl_key_set(&r->key, d);
		c->n_rows++;
		st = FLS_OK;
	} else {
		/* tmpfile: created 0600 and already unlinked, so nothing is left behind, even after a crash */
		st = FLS_EIO;
		if (!c->rest && !(c->rest = tmpfile()))
			goto out;
		if (fwrite(c->line.p, 1, c->line.len, c->rest) != c->line.len)
			goto out;
		st = FLS_OK;
	}
out:
	c->failed = st;
	return st;
}

static fls_status csv_finish(struct csv_out *c)
{
	size_t *order = NULL;
	char chunk[64 * 1024];
	fls_status st = FLS_ENOMEM;

	if (c->failed)
		return c->failed;
	if (c->n_rows && !(order = fls_calloc(&fls_mem_libc, c->n_rows, sizeof(*order))))
		goto out;
	if (c->n_rows &&
	    (st = risk_wl_sort(order, &c->rows[0].key, c->n_rows, sizeof(c->rows[0]), &fls_mem_libc)))
		goto out;
	st = FLS_EIO;
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct csv_row *r = &c->rows[order[i]];

		if (fwrite(r->line, 1, r->len, c->dest) != r->len)
			goto out;
	}
	if (c->rest) {
		size_t n;

		if (fflush(c->rest) == EOF || fseek(c->rest, 0, SEEK_SET) != 0)
			goto out;
		while ((n = fread(chunk, 1, sizeof(chunk), c->rest)) > 0)
			if (fwrite(chunk, 1, n, c->dest) != n)
				goto out;
		if (ferror(c->rest))
			goto out;
	}
	if (fflush(c->dest) == EOF || ferror(c->dest))
		goto out;
	st = FLS_OK;
out:
	fls_free(&fls_mem_libc, order);
	return st;
}

fls_status csv_out_close(struct csv_out *c)
{
	fls_status st;

	if (!c)
		return FLS_EINVAL;
	st = csv_finish(c);
	csv_out_free(c);
	return st;
}

void csv_out_free(struct csv_out *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_rows; i++)
		fls_free(&fls_mem_libc, c->rows[i].line);
	fls_free(&fls_mem_libc, c->rows);
	if (c->rest)
		fclose(c->rest);
	fls_buf_free(&c->line);
	fls_buf_free(&c->field);
	fls_free(&fls_mem_libc, c);
}
