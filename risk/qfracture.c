/*
 * The QFracture-2012 equations (ClinRisk Ltd, LGPL-3.0-or-later), independent implementation.
 *
 * The structure (which inputs each equation takes, how they are validated, the order in which the
 * linear predictor is accumulated) follows the reference C source exactly, because the vectors are
 * matched bit-for-bit: the same operations in the same order on the same doubles. The numbers come
 * from the coefficient CSV (models/qfracture-2012/coefficients.csv), which is checked strictly so that
 * a damaged or incomplete file is refused with its line and term rather than silently scoring.
 * See docs/qfracture.md and the specification's spec/qfracture-reference.md.
 */
#include "risk/qfracture.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "risk/facts.h"
#include "risk/qf_decimal.h"

const char QF_DISCLAIMER[] =
	"The initial version of this file, to be found at http://svn.clinrisk.co.uk/qfracture, faithfully "
	"implements QFracture-2012. We have released this code under the GNU Lesser General Public License "
	"to enable others to implement the algorithm faithfully. However, the nature of the GNU Lesser "
	"General Public License is such that we cannot prevent, for example, someone altering the "
	"coefficients. We stress, therefore, that it is the responsibility of the end user to check that "
	"the source that they receive produces the same results as the original code posted at "
	"http://svn.clinrisk.co.uk/qfracture. Inaccurate implementations of risk scores can lead to wrong "
	"patients being given the wrong treatment.";

const char QF_MODEL_NAME[] = "QFracture-2012 equations, independent implementation";

/* The four equations, indexed female MOF, female hip, male MOF, male hip; masks of them. */
enum { EQ_F_MOF = 0, EQ_F_HIP = 1, EQ_M_MOF = 2, EQ_M_HIP = 3, EQ_COUNT = 4 };
#define EQB(e) (1u << (e))
#define EQ_ALL (EQB(EQ_F_MOF) | EQB(EQ_F_HIP) | EQB(EQ_M_MOF) | EQB(EQ_M_HIP))
#define EQ_FEMALE (EQB(EQ_F_MOF) | EQB(EQ_F_HIP))
#define EQ_MALE (EQB(EQ_M_MOF) | EQB(EQ_M_HIP))

static const char *const eq_sex[EQ_COUNT] = { "female", "female", "male", "male" };
static const char *const eq_outcome[EQ_COUNT] = { "mof", "hip", "mof", "hip" };

/* The 0/1 inputs, in the reference's argument order, which is also its summation order. */
#define QF_FLAG_LIST(X) \
	X(b_antidepressant, EQ_ALL) \
	X(b_anycancer, EQ_ALL) \
	X(b_asthmacopd, EQ_ALL) \
	X(b_carehome, EQ_MALE) \
	X(b_corticosteroids, EQ_ALL) \
	X(b_cvd, EQ_ALL) \
	X(b_dementia, EQ_ALL) \
	X(b_endocrine, EQ_FEMALE) \
	X(b_epilepsy2, EQ_ALL) \
	X(b_falls, EQ_ALL) \
	X(b_fracture4, EQ_ALL) \
	X(b_hrt_oest, EQ_FEMALE) \
	X(b_liver, EQ_ALL) \
	X(b_malabsorption, EQB(EQ_F_MOF) | EQB(EQ_M_MOF)) \
	X(b_parkinsons, EQ_ALL) \
	X(b_ra_sle, EQ_ALL) \
	X(b_renal, EQ_ALL) \
	X(b_type1, EQ_ALL) \
	X(b_type2, EQ_ALL) \
	X(fh_osteoporosis, EQB(EQ_F_MOF) | EQB(EQ_M_MOF) | EQB(EQ_M_HIP))

enum qf_flag {
#define QF_FLAG_ENUM(name, eqs) QF_FLAG_##name,
	QF_FLAG_LIST(QF_FLAG_ENUM)
#undef QF_FLAG_ENUM
	QF_FLAG_COUNT
};

struct qf_flag_def {
	const char *name;
	size_t off;     /* offset of the int in struct qf_inputs */
	unsigned eqs;   /* EQB() mask of the equations that take it */
};

static const struct qf_flag_def qf_flags[QF_FLAG_COUNT] = {
#define QF_FLAG_DEF(name, eqs) { #name, offsetof(struct qf_inputs, name), (eqs) },
	QF_FLAG_LIST(QF_FLAG_DEF)
#undef QF_FLAG_DEF
};

/*
 * Every argument of the reference's validation functions, in their order (alphabetical, as the
 * generator wrote them): the reasons are reported in this order, "; "-joined.
 */
enum qf_arg_kind { ARG_INT, ARG_BMI };

struct qf_arg {
	const char *name;
	size_t off;
	uint8_t kind;
	int lo, hi;
	unsigned eqs;
};

#define QF_INT_ARG(name, lo, hi, eqs) { #name, offsetof(struct qf_inputs, name), ARG_INT, lo, hi, eqs }

static const struct qf_arg qf_args[] = {
	QF_INT_ARG(age, 30, 100, EQ_ALL),
	QF_INT_ARG(alcohol_cat6, 0, 5, EQ_ALL),
	{ "b_antidepressant", offsetof(struct qf_inputs, b_antidepressant), ARG_INT, 0, 1, EQ_ALL },
	{ "b_anycancer", offsetof(struct qf_inputs, b_anycancer), ARG_INT, 0, 1, EQ_ALL },
	{ "b_asthmacopd", offsetof(struct qf_inputs, b_asthmacopd), ARG_INT, 0, 1, EQ_ALL },
	{ "b_carehome", offsetof(struct qf_inputs, b_carehome), ARG_INT, 0, 1, EQ_MALE },
	{ "b_corticosteroids", offsetof(struct qf_inputs, b_corticosteroids), ARG_INT, 0, 1, EQ_ALL },
	{ "b_cvd", offsetof(struct qf_inputs, b_cvd), ARG_INT, 0, 1, EQ_ALL },
	{ "b_dementia", offsetof(struct qf_inputs, b_dementia), ARG_INT, 0, 1, EQ_ALL },
	{ "b_endocrine", offsetof(struct qf_inputs, b_endocrine), ARG_INT, 0, 1, EQ_FEMALE },
	{ "b_epilepsy2", offsetof(struct qf_inputs, b_epilepsy2), ARG_INT, 0, 1, EQ_ALL },
	{ "b_falls", offsetof(struct qf_inputs, b_falls), ARG_INT, 0, 1, EQ_ALL },
	{ "b_fracture4", offsetof(struct qf_inputs, b_fracture4), ARG_INT, 0, 1, EQ_ALL },
	{ "b_hrt_oest", offsetof(struct qf_inputs, b_hrt_oest), ARG_INT, 0, 1, EQ_FEMALE },
	{ "b_liver", offsetof(struct qf_inputs, b_liver), ARG_INT, 0, 1, EQ_ALL },
	{ "b_malabsorption", offsetof(struct qf_inputs, b_malabsorption), ARG_INT, 0, 1,
	  EQB(EQ_F_MOF) | EQB(EQ_M_MOF) },
	{ "b_parkinsons", offsetof(struct qf_inputs, b_parkinsons), ARG_INT, 0, 1, EQ_ALL },
	{ "b_ra_sle", offsetof(struct qf_inputs, b_ra_sle), ARG_INT, 0, 1, EQ_ALL },
	{ "b_renal", offsetof(struct qf_inputs, b_renal), ARG_INT, 0, 1, EQ_ALL },
	{ "b_type1", offsetof(struct qf_inputs, b_type1), ARG_INT, 0, 1, EQ_ALL },
	{ "b_type2", offsetof(struct qf_inputs, b_type2), ARG_INT, 0, 1, EQ_ALL },
	{ "bmi", offsetof(struct qf_inputs, bmi), ARG_BMI, 20, 40, EQ_ALL },
	QF_INT_ARG(ethrisk, 1, 9, EQ_ALL),
	{ "fh_osteoporosis", offsetof(struct qf_inputs, fh_osteoporosis), ARG_INT, 0, 1,
	  EQB(EQ_F_MOF) | EQB(EQ_M_MOF) | EQB(EQ_M_HIP) },
	QF_INT_ARG(smoke_cat, 0, 4, EQ_ALL),
	QF_INT_ARG(surv, 1, 18, EQ_ALL),
};

/* The fractional-polynomial terms: x = age/10 for age_*, y = bmi/10 for bmi_*. */
enum { FP_AGE_1, FP_AGE_2, FP_BMI_1, FP_BMI_2, FP_COUNT };
static const char *const fp_names[FP_COUNT] = { "age_1", "age_2", "bmi_1", "bmi_2" };

#define QF_SURV_MAX 18
#define QF_ALCOHOL_LEVELS 6  /* 0..5 */
#define QF_ETH_LEVELS 10     /* 1..9; [0] unused, as in the reference's arrays */
#define QF_SMOKE_LEVELS 5    /* 0..4 */

/* Slots of one equation's terms, for duplicate and missing-term checks. */
enum {
	SLOT_S0 = 0,                                    /* baseline_survival:year=1..18 */
	SLOT_DIV_AGE = SLOT_S0 + QF_SURV_MAX,
	SLOT_DIV_BMI,
	SLOT_FP_POWER,                                  /* + FP_* */
	SLOT_FP_LOG = SLOT_FP_POWER + FP_COUNT,
	SLOT_CENTRE = SLOT_FP_LOG + FP_COUNT,
	SLOT_BETA = SLOT_CENTRE + FP_COUNT,
	SLOT_ALCOHOL = SLOT_BETA + FP_COUNT,            /* + level 0..5 */
	SLOT_ETH = SLOT_ALCOHOL + QF_ALCOHOL_LEVELS,    /* + level 1..9, minus 1 */
	SLOT_SMOKE = SLOT_ETH + QF_ETH_LEVELS - 1,      /* + level 0..4 */
	SLOT_FLAG = SLOT_SMOKE + QF_SMOKE_LEVELS,       /* + enum qf_flag */
	SLOT_COUNT = SLOT_FLAG + QF_FLAG_COUNT
};

struct qf_fp {
	double power, centre, beta;
	int log;  /* the transform is x^p * ln(x) */
};

struct qf_eq {
	double s0[QF_SURV_MAX + 1];  /* [1..18] */
	double age_div, bmi_div;
	struct qf_fp fp[FP_COUNT];
	int n_bmi;                   /* 1, or 2 for male MOF */
	double alcohol[QF_ALCOHOL_LEVELS], eth[QF_ETH_LEVELS], smoke[QF_SMOKE_LEVELS];
	double flag[QF_FLAG_COUNT];
	unsigned char seen[SLOT_COUNT];
};

struct qf_model {
	struct fls_mem mem;          /* the allocator that made this model, to free it */
	struct qf_eq eq[EQ_COUNT];
	char version[128];
};

/* Only male MOF has a second BMI term (qfracture-reference.md §4). */
static int eq_has_fp(int e, int fp)
{
	return fp != FP_BMI_2 || e == EQ_M_MOF;
}

static int slot_required(int e, int slot)
{
	if (slot >= SLOT_FLAG)
		return (qf_flags[slot - SLOT_FLAG].eqs & EQB(e)) != 0;
	if (slot >= SLOT_FP_POWER && slot < SLOT_ALCOHOL)
		return eq_has_fp(e, (slot - SLOT_FP_POWER) % FP_COUNT);
	return 1;
}

static void slot_name(int slot, char *out, size_t cap)
{
	static const char *const fp_kind[] = { "fp_power:", "fp_log:", "centre:", "" };

	if (slot < SLOT_DIV_AGE)
		snprintf(out, cap, "baseline_survival:year=%d", slot - SLOT_S0 + 1);
	else if (slot == SLOT_DIV_AGE || slot == SLOT_DIV_BMI)
		snprintf(out, cap, "scale_divisor:%s", slot == SLOT_DIV_AGE ? "age" : "bmi");
	else if (slot < SLOT_ALCOHOL)
		snprintf(out, cap, "%s%s", fp_kind[(slot - SLOT_FP_POWER) / FP_COUNT],
			 fp_names[(slot - SLOT_FP_POWER) % FP_COUNT]);
	else if (slot < SLOT_ETH)
		snprintf(out, cap, "alcohol_cat6=%d", slot - SLOT_ALCOHOL);
	else if (slot < SLOT_SMOKE)
		snprintf(out, cap, "ethrisk=%d", slot - SLOT_ETH + 1);
	else if (slot < SLOT_FLAG)
		snprintf(out, cap, "smoke_cat=%d", slot - SLOT_SMOKE);
	else
		snprintf(out, cap, "%s", qf_flags[slot - SLOT_FLAG].name);
}

static int text_eq(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n == l && !memcmp(s, lit, l);
}

static int has_prefix(const char *s, size_t n, const char *pre)
{
	size_t l = strlen(pre);

	return n > l && !memcmp(s, pre, l);
}

/* A small decimal integer without sign or leading zeros, within [lo, hi]; -1 otherwise. */
static int small_int(const char *s, size_t n, int lo, int hi)
{
	int v = 0;

	if (!n || n > 2 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= lo && v <= hi ? v : -1;
}

static int fp_by_name(const char *s, size_t n)
{
	for (int k = 0; k < FP_COUNT; k++)
		if (text_eq(s, n, fp_names[k]))
			return k;
	return -1;
}

/* The slot of a term name, or -1 when it names no term of any QFracture-2012 equation. */
static int term_slot(const char *s, size_t n)
{
	int k;

	if (has_prefix(s, n, "baseline_survival:year="))
		return (k = small_int(s + 23, n - 23, 1, QF_SURV_MAX)) < 0 ? -1 : SLOT_S0 + k - 1;
	if (text_eq(s, n, "scale_divisor:age"))
		return SLOT_DIV_AGE;
	if (text_eq(s, n, "scale_divisor:bmi"))
		return SLOT_DIV_BMI;
	if (has_prefix(s, n, "fp_power:"))
		return (k = fp_by_name(s + 9, n - 9)) < 0 ? -1 : SLOT_FP_POWER + k;
	if (has_prefix(s, n, "fp_log:"))
		return (k = fp_by_name(s + 7, n - 7)) < 0 ? -1 : SLOT_FP_LOG + k;
	if (has_prefix(s, n, "centre:"))
		return (k = fp_by_name(s + 7, n - 7)) < 0 ? -1 : SLOT_CENTRE + k;
	if ((k = fp_by_name(s, n)) >= 0)
		return SLOT_BETA + k;
	if (has_prefix(s, n, "alcohol_cat6="))
		return (k = small_int(s + 13, n - 13, 0, QF_ALCOHOL_LEVELS - 1)) < 0 ? -1 : SLOT_ALCOHOL + k;
	if (has_prefix(s, n, "ethrisk="))
		return (k = small_int(s + 8, n - 8, 1, QF_ETH_LEVELS - 1)) < 0 ? -1 : SLOT_ETH + k - 1;
	if (has_prefix(s, n, "smoke_cat="))
		return (k = small_int(s + 10, n - 10, 0, QF_SMOKE_LEVELS - 1)) < 0 ? -1 : SLOT_SMOKE + k;
	for (k = 0; k < QF_FLAG_COUNT; k++)
		if (text_eq(s, n, qf_flags[k].name))
			return SLOT_FLAG + k;
	return -1;
}

/* Store v in the slot; returns a reason when the value cannot be that term's, else NULL. */
static const char *slot_store(struct qf_eq *q, int slot, double v)
{
	if (slot < SLOT_DIV_AGE) {
		if (!(v > 0.0 && v <= 1.0))
			return "baseline survival must be in (0,1]";
		q->s0[slot - SLOT_S0 + 1] = v;
	} else if (slot == SLOT_DIV_AGE || slot == SLOT_DIV_BMI) {
		if (!(v > 0.0))
			return "scale divisor must be positive";
		*(slot == SLOT_DIV_AGE ? &q->age_div : &q->bmi_div) = v;
	} else if (slot < SLOT_FP_LOG) {
		/* FP convention reads power 0 as ln(x); the reference form x^p does not: refuse it. */
		if (v == 0.0)
			return "fractional-polynomial power 0 is not supported";
		q->fp[slot - SLOT_FP_POWER].power = v;
	} else if (slot < SLOT_CENTRE) {
		if (v != 0.0 && v != 1.0)
			return "fp_log must be 0 or 1";
		q->fp[slot - SLOT_FP_LOG].log = v == 1.0;
	} else if (slot < SLOT_BETA) {
		q->fp[slot - SLOT_CENTRE].centre = v;
	} else if (slot < SLOT_ALCOHOL) {
		q->fp[slot - SLOT_BETA].beta = v;
	} else if (slot < SLOT_ETH) {
		q->alcohol[slot - SLOT_ALCOHOL] = v;
	} else if (slot < SLOT_SMOKE) {
		q->eth[slot - SLOT_ETH + 1] = v;
	} else if (slot < SLOT_FLAG) {
		q->smoke[slot - SLOT_SMOKE] = v;
	} else {
		q->flag[slot - SLOT_FLAG] = v;
	}
	return NULL;
}

static void model_version(struct qf_model *m, const char *csv, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[13];

	if (EVP_Digest(csv, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen < 6) {
		snprintf(m->version, sizeof(m->version), "%s (coefficients sha256 unavailable)",
			 QF_MODEL_NAME);
		return;
	}
	for (int i = 0; i < 6; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	snprintf(m->version, sizeof(m->version), "%s (coefficients sha256:%s)", QF_MODEL_NAME, hex);
}

/* Split one line into exactly four comma-separated fields (no quoting: the format has none). */
static int split4(const char *s, size_t n, const char *f[4], size_t fl[4])
{
	size_t start = 0;
	int k = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] == '"')
			return -1;
		if (i == n || s[i] == ',') {
			if (k == 4)
				return -1;
			f[k] = s + start;
			fl[k] = i - start;
			k++;
			start = i + 1;
		}
	}
	return k == 4 ? 0 : -1;
}

static fls_status parse_lines(struct qf_model *m, const char *csv, size_t len, struct fls_diag *d)
{
	size_t pos = 0, line = 0;
	int header = 1;

	while (pos < len) {
		const char *s = csv + pos, *nl = memchr(s, '\n', len - pos), *f[4];
		size_t n = nl ? (size_t)(nl - s) : len - pos, fl[4];
		int e, slot;
		double v;
		const char *bad;

		pos += n + (nl ? 1 : 0);
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		if (memchr(s, '\0', n))
			return fls_diag_set(d, FLS_EPARSE, "coefficients line %zu: NUL byte", line);
		if (split4(s, n, f, fl))
			return fls_diag_set(d, FLS_EPARSE,
					    "coefficients line %zu: expected 4 unquoted fields sex,outcome,term,value",
					    line);
		if (header) {
			if (!text_eq(f[0], fl[0], "sex") || !text_eq(f[1], fl[1], "outcome") ||
			    !text_eq(f[2], fl[2], "term") || !text_eq(f[3], fl[3], "value"))
				return fls_diag_set(d, FLS_EPARSE,
						    "coefficients line %zu: header must be sex,outcome,term,value",
						    line);
			header = 0;
			continue;
		}
		if (text_eq(f[0], fl[0], "female"))
			e = 0;
		else if (text_eq(f[0], fl[0], "male"))
			e = 2;
		else
			return fls_diag_set(d, FLS_EPARSE, "coefficients line %zu: sex must be female or male",
					    line);
		if (text_eq(f[1], fl[1], "hip"))
			e += 1;
		else if (!text_eq(f[1], fl[1], "mof"))
			return fls_diag_set(d, FLS_EPARSE, "coefficients line %zu: outcome must be mof or hip",
					    line);
		if (fl[2] > 64 || (slot = term_slot(f[2], fl[2])) < 0)
			return fls_diag_set(d, FLS_EPARSE, "coefficients line %zu: unknown term '%.*s'", line,
					    (int)(fl[2] > 64 ? 64 : fl[2]), f[2]);
		if (!slot_required(e, slot))
			return fls_diag_set(d, FLS_EPARSE,
					    "coefficients line %zu: term '%.*s' is not an input of the %s %s equation",
					    line, (int)fl[2], f[2], eq_sex[e], eq_outcome[e]);
		if (m->eq[e].seen[slot])
			return fls_diag_set(d, FLS_EPARSE,
					    "coefficients line %zu: duplicate term '%.*s' for %s %s", line,
					    (int)fl[2], f[2], eq_sex[e], eq_outcome[e]);
		if (qf_decimal_parse(f[3], fl[3], &v))
			return fls_diag_set(d, FLS_EPARSE,
					    "coefficients line %zu: term '%.*s': value is not a plain decimal number",
					    line, (int)fl[2], f[2]);
		if ((bad = slot_store(&m->eq[e], slot, v)))
			return fls_diag_set(d, FLS_EPARSE, "coefficients line %zu: term '%.*s': %s", line,
					    (int)fl[2], f[2], bad);
		m->eq[e].seen[slot] = 1;
	}
	if (header)
		return fls_diag_set(d, FLS_EPARSE, "coefficients: empty file (no header)");
	return FLS_OK;
}

fls_status qf_model_parse(struct qf_model **out, const struct fls_mem *mem, const char *csv, size_t len,
			  struct fls_diag *d)
{
	struct qf_model *m = NULL;
	fls_status st;

	if (!out)
		return fls_diag_set(d, FLS_EINVAL, "qf_model_parse: no output");
	*out = NULL;
	if (!mem)
		mem = &fls_mem_libc;
	if (!csv && len)
		return fls_diag_set(d, FLS_EINVAL, "qf_model_parse: no coefficient text");
	if (!(m = fls_calloc(mem, 1, sizeof(*m))))
		return fls_diag_set(d, FLS_ENOMEM, "coefficients: out of memory");
	m->mem = *mem;
	st = parse_lines(m, csv ? csv : "", len, d);
	if (st != FLS_OK)
		goto out;
	for (int e = 0; e < EQ_COUNT; e++) {
		for (int slot = 0; slot < SLOT_COUNT; slot++) {
			char name[48];

			if (m->eq[e].seen[slot] || !slot_required(e, slot))
				continue;
			slot_name(slot, name, sizeof(name));
			st = fls_diag_set(d, FLS_EPARSE, "coefficients: the %s %s equation lacks term '%s'",
					  eq_sex[e], eq_outcome[e], name);
			goto out;
		}
		m->eq[e].n_bmi = eq_has_fp(e, FP_BMI_2) ? 2 : 1;
	}
	model_version(m, csv ? csv : "", len);
	*out = m;
	m = NULL;
out:
	qf_model_free(m);
	return st;
}

void qf_model_free(struct qf_model *m)
{
	if (m) {
		struct fls_mem mem = m->mem;

		fls_free(&mem, m);
	}
}

const char *qf_model_version(const struct qf_model *m)
{
	return m ? m->version : QF_MODEL_NAME;
}

/* Append "; <text>" (or just <text> first) to why, truncating silently: the return value says it all. */
static void why_add(char *why, size_t cap, size_t *used, const char *name, int lo, int hi)
{
	int n;

	if (!why || !cap || *used >= cap)
		return;
	n = snprintf(why + *used, cap - *used, "%s%s must be in range (%d,%d)", *used ? "; " : "", name,
		     lo, hi);
	if (n < 0)
		return;
	*used = (size_t)n >= cap - *used ? cap - 1 : *used + (size_t)n;
}

/* The transform of one fractional-polynomial term, written as the generated reference code has it. */
static double fp_term(const struct qf_fp *fp, double x)
{
	double t = fp->power == 1.0 ? x : pow(x, fp->power);

	if (fp->log)
		t = t * log(x);
	return t - fp->centre;
}

int qf_evaluate(const struct qf_model *m, enum qf_outcome outcome, const struct qf_inputs *in,
		double *risk_pct, char *why, size_t why_cap)
{
	const struct qf_eq *q;
	size_t used = 0;
	int e, ok = 1;
	double x, y, t[FP_COUNT], a, score;

	if (why && why_cap)
		why[0] = '\0';
	if (!m || !in || !risk_pct || (outcome != QF_MOF && outcome != QF_HIP)) {
		if (why && why_cap)
			snprintf(why, why_cap, "no model, inputs or outcome");
		return -1;
	}
	if (in->sex != RISK_SEX_FEMALE && in->sex != RISK_SEX_MALE) {
		/* Not a reference message: the reference has no sex argument, it is the function chosen. */
		if (why && why_cap)
			snprintf(why, why_cap, "sex must be female or male");
		return -1;
	}
	e = (in->sex == RISK_SEX_MALE ? 2 : 0) + (outcome == QF_HIP ? 1 : 0);
	q = &m->eq[e];

	/* Validation, all of this equation's arguments, every failure reported (reference §6). */
	for (size_t i = 0; i < sizeof(qf_args) / sizeof(qf_args[0]); i++) {
		const struct qf_arg *arg = &qf_args[i];
		const char *p = (const char *)in + arg->off;
		int bad;

		if (!(arg->eqs & EQB(e)))
			continue;
		if (arg->kind == ARG_BMI) {
			double v;

			memcpy(&v, p, sizeof(v));
			/* The reference's !(x < lo || x > hi) lets NaN through; we never do. */
			bad = !(v >= arg->lo && v <= arg->hi);
		} else {
			int v;

			memcpy(&v, p, sizeof(v));
			bad = v < arg->lo || v > arg->hi;
		}
		if (bad) {
			ok = 0;
			why_add(why, why_cap, &used, arg->name, arg->lo, arg->hi);
		}
	}
	if (!ok)
		return -1;

	/* The linear predictor, accumulated in the reference's order: categorical, continuous, binary. */
	x = (double)in->age;
	x = x / q->age_div;
	y = in->bmi;
	y = y / q->bmi_div;
	t[FP_AGE_1] = fp_term(&q->fp[FP_AGE_1], x);
	t[FP_AGE_2] = fp_term(&q->fp[FP_AGE_2], x);
	t[FP_BMI_1] = fp_term(&q->fp[FP_BMI_1], y);
	t[FP_BMI_2] = q->n_bmi > 1 ? fp_term(&q->fp[FP_BMI_2], y) : 0.0;

	a = 0;
	a += q->alcohol[in->alcohol_cat6];
	a += q->eth[in->ethrisk];
	a += q->smoke[in->smoke_cat];
	a += t[FP_AGE_1] * q->fp[FP_AGE_1].beta;
	a += t[FP_AGE_2] * q->fp[FP_AGE_2].beta;
	a += t[FP_BMI_1] * q->fp[FP_BMI_1].beta;
	if (q->n_bmi > 1)
		a += t[FP_BMI_2] * q->fp[FP_BMI_2].beta;
	for (int k = 0; k < QF_FLAG_COUNT; k++) {
		int v;

		if (!(qf_flags[k].eqs & EQB(e)))
			continue;
		memcpy(&v, (const char *)in + qf_flags[k].off, sizeof(v));
		a += v * q->flag[k];
	}

	score = 100.0 * (1 - pow(q->s0[in->surv], exp(a)));
	if (!isfinite(score) || score < 0.0 || score > 100.0) {
		/* Only a replaced coefficient file could do this: a number that is not a risk is never
		 * shown. */
		if (why && why_cap)
			snprintf(why, why_cap, "risk could not be computed (%s)",
				 isfinite(score) ? "out of 0-100" : "not finite");
		return -1;
	}
	*risk_pct = score;
	return 0;
}
