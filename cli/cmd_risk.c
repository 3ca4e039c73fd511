/*
 * fls risk: the QFracture-2012 equations as a CSV calculator. Each input row is written back unchanged
 * with the two risks and their statuses appended, so a file of profiles (for example the reference
 * vectors) can be checked column against column. stdout stays pure CSV: the ClinRisk disclaimer and
 * the model version go to stderr, once per run.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/datadir.h"
#include "fls_config.h"
#include "risk/facts.h"
#include "risk/qf_decimal.h"
#include "risk/qfracture.h"
#include "util/mem.h"

#define RISK_MODEL_REL "models/qfracture-2012/coefficients.csv"
#define RISK_MODEL_MAX (1u << 20)   /* a coefficient file is ~13 kB */
#define RISK_RECORD_MAX (1u << 20)  /* one CSV record */
#define RISK_WHY_MAX 512

/*
 * The input columns, by name (the vectors file's names). After sex they are listed in the reference's
 * argument order, so that unreadable-input reasons come in the same order as the equations' own.
 */
struct risk_col {
	const char *name;
	size_t off;   /* of the int (or, for bmi, the double) in struct qf_inputs */
};

#define RISK_COL(f) { #f, offsetof(struct qf_inputs, f) }

static const struct risk_col risk_cols[] = {
	{ "sex", 0 },
	RISK_COL(age), RISK_COL(alcohol_cat6), RISK_COL(b_antidepressant), RISK_COL(b_anycancer),
	RISK_COL(b_asthmacopd), RISK_COL(b_carehome), RISK_COL(b_corticosteroids), RISK_COL(b_cvd),
	RISK_COL(b_dementia), RISK_COL(b_endocrine), RISK_COL(b_epilepsy2), RISK_COL(b_falls),
	RISK_COL(b_fracture4), RISK_COL(b_hrt_oest), RISK_COL(b_liver), RISK_COL(b_malabsorption),
	RISK_COL(b_parkinsons), RISK_COL(b_ra_sle), RISK_COL(b_renal), RISK_COL(b_type1), RISK_COL(b_type2),
	RISK_COL(bmi), RISK_COL(ethrisk), RISK_COL(fh_osteoporosis), RISK_COL(smoke_cat), RISK_COL(surv),
};

#define N_COLS (sizeof(risk_cols) / sizeof(risk_cols[0]))

/* One CSV record: its raw text (without the line end) and its unquoted fields. */
struct csv_rec {
	char *raw;
	size_t raw_len, raw_cap;
	char *val;         /* field values, each NUL-terminated, at off[i] */
	size_t val_cap;
	size_t *off;
	size_t n_fields, off_cap;
	int bad_quotes;    /* a quote inside an unquoted field, or text after a closing quote */
	int has_nul;       /* a NUL byte: the fields could not be read as text */
};

static void rec_free(struct csv_rec *r)
{
	free(r->raw);
	free(r->val);
	free(r->off);
	memset(r, 0, sizeof(*r));
}

static int rec_putc(struct csv_rec *r, int c)
{
	if (r->raw_len + 1 >= r->raw_cap) {
		size_t cap = r->raw_cap ? r->raw_cap * 2 : 256;
		char *p;

		if (cap > RISK_RECORD_MAX + 1 || !(p = realloc(r->raw, cap)))
			return -1;
		r->raw = p;
		r->raw_cap = cap;
	}
	r->raw[r->raw_len++] = (char)c;
	return 0;
}

/*
 * Read one record: a newline inside quotes belongs to the field. Returns 1 with a record, 0 at the end
 * of input, -1 with *err set ("record too long", "unterminated quoted field").
 */
static int rec_read(FILE *f, struct csv_rec *r, size_t *line, const char **err)
{
	int c, quoted = 0, any = 0;

	r->raw_len = 0;
	while ((c = getc(f)) != EOF) {
		any = 1;
		if (c == '\n') {
			++*line;
			if (!quoted)
				break;
		}
		if (c == '"')
			quoted = !quoted;
		if (rec_putc(r, c)) {
			*err = "record too long or out of memory";
			return -1;
		}
	}
	if (!any)
		return 0;
	if (quoted) {
		*err = "unterminated quoted field";
		return -1;
	}
	if (r->raw_len && r->raw[r->raw_len - 1] == '\r')
		r->raw_len--;
	if (rec_putc(r, '\0')) {
		*err = "record too long or out of memory";
		return -1;
	}
	r->raw_len--;
	return 1;
}

/* Split raw into fields (RFC 4180: "" inside quotes is one quote). -1 only when out of memory. */
static int rec_split(struct csv_rec *r)
{
	size_t i = 0, o = 0;

	if (r->val_cap < r->raw_len + 1) {
		char *p = realloc(r->val, r->raw_len + 1);

		if (!p)
			return -1;
		r->val = p;
		r->val_cap = r->raw_len + 1;
	}
	r->n_fields = 0;
	r->bad_quotes = 0;
	r->has_nul = memchr(r->raw, '\0', r->raw_len) != NULL;
	for (;;) {
		if (r->n_fields == r->off_cap) {
			size_t cap = r->off_cap ? r->off_cap * 2 : 64;
			size_t *p = realloc(r->off, cap * sizeof(*p));

			if (!p)
				return -1;
			r->off = p;
			r->off_cap = cap;
		}
		r->off[r->n_fields++] = o;
		if (i < r->raw_len && r->raw[i] == '"') {
			for (i++; i < r->raw_len; i++) {
				if (r->raw[i] == '"') {
					if (i + 1 < r->raw_len && r->raw[i + 1] == '"') {
						r->val[o++] = '"';
						i++;
						continue;
					}
					i++;
					break;
				}
				r->val[o++] = r->raw[i];
			}
			if (i < r->raw_len && r->raw[i] != ',')
				r->bad_quotes = 1;
		}
		for (; i < r->raw_len && r->raw[i] != ','; i++) {
			if (r->raw[i] == '"')
				r->bad_quotes = 1;
			r->val[o++] = r->raw[i];
		}
		r->val[o++] = '\0';
		if (i >= r->raw_len)
			return 0;
		i++; /* the comma */
	}
}

static const char *rec_field(const struct csv_rec *r, size_t i)
{
	return r->val + r->off[i];
}

/* Strict integer: -?[0-9]{1,9} (no spaces, no '+', no decimals). */
static int parse_int(const char *s, int *out)
{
	int v = 0, neg = 0, n = 0;

	if (*s == '-')
		neg = 1, s++;
	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n == 9)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (!n)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

static int ascii_ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;

		if (x != *b)
			return 0;
	}
	return !*a && !*b;
}

static void why_add(char *why, size_t cap, const char *col, const char *what)
{
	size_t used = strlen(why);

	if (used < cap)
		snprintf(why + used, cap - used, "%s%s %s", used ? "; " : "", col, what);
}

/* Fill in from the row; the reasons for anything unreadable go to why (empty when all is read). */
static void row_inputs(const struct csv_rec *r, const size_t *col, struct qf_inputs *in, char *why,
		       size_t cap)
{
	const char *s;

	memset(in, 0, sizeof(*in));
	why[0] = '\0';
	s = rec_field(r, col[0]);
	if (ascii_ieq(s, "f") || ascii_ieq(s, "female"))
		in->sex = RISK_SEX_FEMALE;
	else if (ascii_ieq(s, "m") || ascii_ieq(s, "male"))
		in->sex = RISK_SEX_MALE;
	else
		why_add(why, cap, "sex", *s ? "must be F or M" : "is empty");

	for (size_t c = 1; c < N_COLS; c++) {
		const char *name = risk_cols[c].name;
		char *dst = (char *)in + risk_cols[c].off;
		int v;

		s = rec_field(r, col[c]);
		if (!strcmp(name, "bmi")) {
			double b = (double)NAN;

			/* An empty BMI is missing: NaN, which the equations refuse with the reference's
			 * own words ("bmi must be in range (20,40)"), never a number. */
			if (*s && qf_decimal_parse(s, strlen(s), &b))
				why_add(why, cap, name, "is not a number");
			memcpy(dst, &b, sizeof(b));
		} else if (!*s) {
			why_add(why, cap, name, "is empty");
		} else if (parse_int(s, &v)) {
			why_add(why, cap, name, "is not a whole number");
		} else {
			memcpy(dst, &v, sizeof(v));
		}
	}
}

/* A CSV field: quoted (quotes doubled) when it holds a comma, quote or line break. */
static void put_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	putc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', out);
		putc(*s, out);
	}
	putc('"', out);
}

static void put_status(FILE *out, int rc, const char *why)
{
	char buf[RISK_WHY_MAX + 16];

	if (rc == 0) {
		fputs("ok", out);
		return;
	}
	snprintf(buf, sizeof(buf), "rejected: %s", why);
	put_field(out, buf);
}

static void usage(FILE *out)
{
	fputs("usage: fls risk [--model PATH] [FILE|-]\n", out);
}

static void help(void)
{
	usage(stdout);
	printf("\n"
	       "Evaluate the published QFracture-2012 equations (risk of a major osteoporotic fracture and\n"
	       "of a hip fracture within surv years) for every row of a CSV file (FILE, or standard input\n"
	       "when FILE is '-' or absent), and write each row back unchanged with four columns appended:\n"
	       "mof_risk_pct,hip_risk_pct,mof_status,hip_status.\n"
	       "\n"
	       "Input: a header row naming the columns; order is free, other columns are ignored and passed\n"
	       "through, fields may be quoted (\"a,b\", doubled quotes inside). Required columns:\n"
	       "  sex            F or M (also female/male, any case): chooses the female or male equations\n"
	       "  age            age in completed years, whole number; the equations take 30-100\n"
	       "  surv           risk horizon in whole years, 1-18 (10 for the usual 10-year risk)\n"
	       "  bmi            body mass index in kg/m2, decimal with '.', 20-40; empty = missing (refused)\n"
	       "  ethrisk        ethnic group 1-9: 1 White or not stated, 2 Indian, 3 Pakistani,\n"
	       "                 4 Bangladeshi, 5 Other Asian, 6 Black Caribbean, 7 Black African,\n"
	       "                 8 Chinese, 9 Other ethnic group\n"
	       "  smoke_cat      0 non-smoker, 1 ex-smoker, 2 light (1-9 cigarettes/day),\n"
	       "                 3 moderate (10-19/day), 4 heavy (20 or more/day)\n"
	       "  alcohol_cat6   0 none, 1 under 1 unit/day, 2 1-2 units/day, 3 3-6, 4 7-9, 5 over 9\n"
	       "  0/1 flags      b_antidepressant b_anycancer b_asthmacopd b_carehome b_corticosteroids\n"
	       "                 b_cvd b_dementia b_endocrine b_epilepsy2 b_falls b_fracture4 b_hrt_oest\n"
	       "                 b_liver b_malabsorption b_parkinsons b_ra_sle b_renal b_type1 b_type2\n"
	       "                 fh_osteoporosis\n"
	       "  Not every equation takes every flag: b_carehome is male only; b_endocrine and b_hrt_oest\n"
	       "  are female only; b_malabsorption is MOF only; fh_osteoporosis is not in the female hip\n"
	       "  equation. A flag an equation does not take is ignored by it (and not validated).\n"
	       "\n"
	       "Output: mof_risk_pct (major osteoporotic fracture: hip, spine, wrist or shoulder) and\n"
	       "hip_risk_pct, in percent over surv years, printed with 17 significant digits; empty when\n"
	       "refused. mof_status and hip_status are 'ok' or 'rejected: <reason>', the reasons worded\n"
	       "as the reference's (\"bmi must be in range (20,40)\"), or naming an empty or unreadable\n"
	       "column. An empty bmi is the reference's missing value (NaN) and gets the reference's\n"
	       "reason. Out-of-range values are refused, never clamped. The two outcomes are separate\n"
	       "equations and are validated separately; hip risk can exceed MOF risk.\n"
	       "\n"
	       "Options:\n"
	       "  --model PATH   coefficient file (default: <exe dir>/../share/fls/%s,\n"
	       "                 then %s/%s)\n"
	       "  -h, --help     this text\n"
	       "\n"
	       "The disclaimer and the model version are printed to standard error on every run.\n"
	       "Exit status: 0 done (refused rows included), 2 usage, 3 unreadable input or coefficients,\n"
	       "4 out of memory or output error.\n"
	       "\n"
	       "Model: %s.\n"
	       "libfls is an independent implementation, not an accredited QFracture product.\n"
	       "Coefficients: QFracture-2012, copyright 2012 ClinRisk Ltd, LGPL-3.0-or-later.\n"
	       "\n"
	       "ClinRisk disclaimer: %s\n",
	       RISK_MODEL_REL, FLS_INSTALL_DATADIR, RISK_MODEL_REL, QF_MODEL_NAME, QF_DISCLAIMER);
}

/* Read a whole (small) file; NULL with a message on failure. */
static char *slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;

	if (!f) {
		fprintf(stderr, "fls risk: cannot open coefficient file %s\n", path);
		return NULL;
	}
	if (!(buf = malloc(max + 1)))
		goto out;
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		fprintf(stderr, "fls risk: cannot read coefficient file %s (unreadable or over %zu bytes)\n",
			path, max);
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[n] = '\0';
	*len = n;
out:
	fclose(f);
	return buf;
}

static int load_model(const char *path, struct qf_model **m)
{
	char found[4096];
	char *csv;
	size_t len = 0;
	struct fls_diag d = { "" };
	fls_status st;

	if (!path) {
		if (cli_data_path(found, sizeof(found), RISK_MODEL_REL)) {
			fprintf(stderr, "fls risk: cannot find %s beside the executable or in %s; use --model PATH\n",
				RISK_MODEL_REL, FLS_INSTALL_DATADIR);
			return CLI_DATA;
		}
		path = found;
	}
	if (!(csv = slurp(path, RISK_MODEL_MAX, &len)))
		return CLI_DATA;
	st = qf_model_parse(m, &fls_mem_libc, csv, len, &d);
	free(csv);
	if (st != FLS_OK) {
		fprintf(stderr, "fls risk: %s: %s\n", path, d.msg);
		return st == FLS_ENOMEM ? CLI_SOFTWARE : CLI_DATA;
	}
	return CLI_OK;
}

/* Match the header's names to the input columns; -1 (message printed) when one is missing or twice. */
static int map_header(const struct csv_rec *h, size_t *col)
{
	for (size_t c = 0; c < N_COLS; c++) {
		size_t found = (size_t)-1;

		for (size_t i = 0; i < h->n_fields; i++) {
			const char *name = rec_field(h, i);

			if (i == 0 && !strncmp(name, "\xef\xbb\xbf", 3)) /* name may be shorter than 3 */
				name += 3; /* a UTF-8 byte-order mark from a spreadsheet */
			if (strcmp(name, risk_cols[c].name))
				continue;
			if (found != (size_t)-1) {
				fprintf(stderr, "fls risk: column '%s' appears twice in the header\n", risk_cols[c].name);
				return -1;
			}
			found = i;
		}
		if (found == (size_t)-1) {
			fprintf(stderr, "fls risk: the header has no column '%s' (see fls risk --help)\n",
				risk_cols[c].name);
			return -1;
		}
		col[c] = found;
	}
	return 0;
}

static void put_row(FILE *out, const struct qf_model *m, const struct csv_rec *r, size_t n_header,
		    const size_t *col)
{
	struct qf_inputs in;
	char why_in[RISK_WHY_MAX], why[2][RISK_WHY_MAX];
	double risk[2] = { 0, 0 };
	int rc[2] = { -1, -1 };

	if (r->n_fields != n_header) {
		snprintf(why_in, sizeof(why_in), "row has %zu fields, the header has %zu", r->n_fields, n_header);
	} else if (r->has_nul) {
		snprintf(why_in, sizeof(why_in), "row contains a NUL byte");
	} else if (r->bad_quotes) {
		snprintf(why_in, sizeof(why_in), "malformed CSV quoting");
	} else {
		row_inputs(r, col, &in, why_in, sizeof(why_in));
		if (!why_in[0]) {
			rc[0] = qf_evaluate(m, QF_MOF, &in, &risk[0], why[0], sizeof(why[0]));
			rc[1] = qf_evaluate(m, QF_HIP, &in, &risk[1], why[1], sizeof(why[1]));
		}
	}
	if (why_in[0]) {
		memcpy(why[0], why_in, sizeof(why_in));
		memcpy(why[1], why_in, sizeof(why_in));
	}
	fwrite(r->raw, 1, r->raw_len, out);
	for (int k = 0; k < 2; k++) {
		putc(',', out);
		if (rc[k] == 0)
			fprintf(out, "%.17g", risk[k]); /* the CLI never sets LC_NUMERIC: always '.' */
	}
	for (int k = 0; k < 2; k++) {
		putc(',', out);
		put_status(out, rc[k], why[k]);
	}
	putc('\n', out);
}

int cmd_risk(int argc, char **argv)
{
	const char *model_path = NULL, *in_path = NULL, *err = NULL;
	struct qf_model *m = NULL;
	struct csv_rec rec = { 0 };
	size_t col[N_COLS], n_header = 0, line = 0, start = 1;
	FILE *in = NULL;
	int rc = CLI_OK, got;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			help();
			return CLI_OK;
		} else if (!strcmp(a, "--model")) {
			if (++i >= argc) {
				fprintf(stderr, "fls risk: --model needs a PATH\n");
				return CLI_USAGE;
			}
			model_path = argv[i];
		} else if (!strncmp(a, "--model=", 8)) {
			model_path = a + 8;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "fls risk: unknown option '%s'\n", a);
			usage(stderr);
			return CLI_USAGE;
		} else if (in_path) {
			fprintf(stderr, "fls risk: one input file at most\n");
			usage(stderr);
			return CLI_USAGE;
		} else {
			in_path = a;
		}
	}

	if ((rc = load_model(model_path, &m)) != CLI_OK)
		return rc;
	fprintf(stderr, "fls risk: %s\n%s\n", qf_model_version(m), QF_DISCLAIMER);

	if (!in_path || !strcmp(in_path, "-")) {
		in = stdin;
	} else if (!(in = fopen(in_path, "rb"))) {
		fprintf(stderr, "fls risk: cannot open %s\n", in_path);
		rc = CLI_DATA;
		goto out;
	}

	if ((got = rec_read(in, &rec, &line, &err)) <= 0) {
		fprintf(stderr, "fls risk: %s: %s\n", in_path ? in_path : "stdin",
			got < 0 ? err : "empty input (a header row is required)");
		rc = CLI_DATA;
		goto out;
	}
	if (rec_split(&rec)) {
		rc = CLI_SOFTWARE;
		goto out;
	}
	if (rec.has_nul) {
		fprintf(stderr, "fls risk: the header contains a NUL byte\n");
		rc = CLI_DATA;
		goto out;
	}
	if (map_header(&rec, col)) {
		rc = CLI_DATA;
		goto out;
	}
	n_header = rec.n_fields;
	fwrite(rec.raw, 1, rec.raw_len, stdout);
	fputs(",mof_risk_pct,hip_risk_pct,mof_status,hip_status\n", stdout);

	while ((start = line + 1, got = rec_read(in, &rec, &line, &err)) > 0) {
		if (!rec.raw_len)
			continue; /* a blank line is not a row */
		if (rec_split(&rec)) {
			rc = CLI_SOFTWARE;
			goto out;
		}
		put_row(stdout, m, &rec, n_header, col);
	}
	if (got < 0) {
		/* Line numbers and file names only: never the row's content (it may be patient data). */
		fprintf(stderr, "fls risk: %s: record at line %zu: %s\n", in_path ? in_path : "stdin", start,
			err);
		rc = CLI_DATA;
	} else if (ferror(in)) {
		fprintf(stderr, "fls risk: read error on %s\n", in_path ? in_path : "stdin");
		rc = CLI_DATA;
	}
out:
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "fls risk: error writing the output\n");
		if (rc == CLI_OK)
			rc = CLI_SOFTWARE;
	}
	if (in && in != stdin)
		fclose(in);
	rec_free(&rec);
	qf_model_free(m);
	return rc;
}
