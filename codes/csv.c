#include "codes/csv.h"

#include <string.h>

fls_status codes_csv_init(struct codes_csv *c, const struct fls_mem *mem, const char *name, const char *buf,
			  size_t len)
{
	memset(c, 0, sizeof(*c));
	c->mem = mem;
	c->name = name;
	c->p = buf;
	c->end = buf + len;
	c->line = 1;
	/* Room for the longest record plus one NUL per field: every record fits, so no regrowth. */
	c->scratch_cap = CODES_CSV_MAX_RECORD + CODES_CSV_MAX_FIELDS + 1;
	if (!(c->scratch = fls_malloc(mem, c->scratch_cap)))
		return FLS_ENOMEM;
	return FLS_OK;
}

void codes_csv_free(struct codes_csv *c)
{
	if (c && c->mem) {
		fls_free(c->mem, c->scratch);
		c->scratch = NULL;
	}
}

static fls_status csv_fail(const struct codes_csv *c, struct fls_diag *d, unsigned long line, const char *why)
{
	return fls_diag_set(d, FLS_EDATA, "code set %s line %lu: %s", c->name, line, why);
}

/* End of a record or field: LF, CRLF or the end of input. A CR must be followed by LF. */
static int csv_at_eol(const struct codes_csv *c, const char *p)
{
	return p == c->end || *p == '\n' || (*p == '\r' && p + 1 < c->end && p[1] == '\n');
}

fls_status codes_csv_next(struct codes_csv *c, struct codes_csv_row *row, struct fls_diag *d)
{
	const char *p = c->p;
	char *out = c->scratch;
	size_t used = 0;  /* record bytes copied, against CODES_CSV_MAX_RECORD */

	row->n = 0;
	row->line = c->line;
	if (p == c->end)
		return FLS_OK;
	for (;;) {
		char *field = out;

		if (row->n == CODES_CSV_MAX_FIELDS)
			return csv_fail(c, d, c->line, "too many fields");
		if (p < c->end && *p == '"') {
			unsigned long qline = c->line;

			p++;
			for (;;) {
				if (p == c->end)
					return csv_fail(c, d, qline, "quoted field is not terminated");
				if (*p == '"') {
					if (p + 1 < c->end && p[1] == '"') {
						p++;  /* a doubled quote is one quote */
					} else {
						p++;
						break;
					}
				} else if (*p == '\0') {
					return csv_fail(c, d, c->line, "NUL byte");
				} else if (*p == '\n') {
					c->line++;
				}
				if (++used > CODES_CSV_MAX_RECORD)
					return csv_fail(c, d, row->line, "record longer than 64 KiB");
				*out++ = *p++;
			}
			if (!csv_at_eol(c, p) && *p != ',')
				return csv_fail(c, d, c->line, "text after a closing quote");
		} else {
			while (p < c->end && *p != ',' && *p != '\n' && *p != '\r') {
				if (*p == '"')
					return csv_fail(c, d, c->line, "quote inside an unquoted field");
				if (*p == '\0')
					return csv_fail(c, d, c->line, "NUL byte");
				if (++used > CODES_CSV_MAX_RECORD)
					return csv_fail(c, d, row->line, "line longer than 64 KiB");
				*out++ = *p++;
			}
			if (!csv_at_eol(c, p) && *p != ',')
				return csv_fail(c, d, c->line, "carriage return without line feed");
		}
		*out++ = '\0';
		row->f[row->n] = field;
		row->len[row->n] = (size_t)(out - 1 - field);
		row->n++;
		if (p == c->end)
			break;
		if (*p == ',') {
			p++;
			continue;   /* a trailing comma before the line end makes an empty last field */
		}
		p += *p == '\r' ? 2 : 1;  /* CRLF or LF (csv_at_eol checked the pair) */
		c->line++;
		break;
	}
	c->p = p;
	return FLS_OK;
}
