/*
 * The QFracture-2012 equations against the reference: every `ok` row of the public vectors to 1e-6
 * relative (in practice bit-for-bit), every rejected row refused with the reference's own reason, NaN
 * BMI refused; the worked examples of the spec §8; the coefficient file's checksum; the strict parser's
 * error paths; and the decimal converter against the C library's correctly rounded strtod.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "risk/facts.h"
#include "risk/qf_decimal.h"
#include "risk/qfracture.h"
#include "test_util.h"

#define REL_TOL 1e-6

struct fixture {
	char *csv;
	size_t len;
	struct qf_model *m;
};

static const char *coef_path(char *buf, size_t cap, const char *file)
{
	const char *dd = tu_env("FLS_DATADIR");
	int n;

	if (!dd)
		return NULL;
	n = snprintf(buf, cap, "%s/models/qfracture-2012/%s", dd, file);
	return n > 0 && (size_t)n < cap ? buf : NULL;
}

static int setup_model(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct fls_diag d = { "" };
	char path[1024];

	if (!f || !coef_path(path, sizeof(path), "coefficients.csv")) {
		fprintf(stderr, "FLS_DATADIR is not set: cannot find the coefficient file\n");
		free(f);
		return -1;
	}
	if (!(f->csv = tu_read_file(path, &f->len))) {
		fprintf(stderr, "cannot read %s\n", path);
		free(f);
		return -1;
	}
	if (qf_model_parse(&f->m, &fls_mem_libc, f->csv, f->len, &d) != FLS_OK) {
		fprintf(stderr, "coefficients refused: %s\n", d.msg);
		free(f->csv);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown_model(void **state)
{
	struct fixture *f = *state;

	if (f) {
		qf_model_free(f->m);
		free(f->csv);
		free(f);
	}
	return 0;
}

static void no_flags(struct qf_inputs *in, int sex, int age, double bmi)
{
	memset(in, 0, sizeof(*in));
	in->sex = sex;
	in->age = age;
	in->bmi = bmi;
	in->surv = 10;
	in->ethrisk = 1;
}

static void assert_rel(double got, double want)
{
	double tol = REL_TOL * fabs(want);

	if (!(fabs(got - want) <= tol)) {
		fprintf(stderr, "got %.17g want %.17g\n", got, want);
		fail();
	}
}

/* ---- the coefficient file ---- */

static void coefficients_match_sha256sums(void **state)
{
	struct fixture *f = *state;
	char path[1024], *sums, hex[65];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	assert_non_null(coef_path(path, sizeof(path), "SHA256SUMS"));
	assert_non_null(sums = tu_read_file(path, NULL));
	assert_int_equal(EVP_Digest(f->csv, f->len, md, &mdlen, EVP_sha256(), NULL), 1);
	assert_int_equal(mdlen, 32);
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	/* sha256sum format: "<64 hex>  coefficients.csv" */
	assert_true(strlen(sums) > 66);
	assert_memory_equal(sums, hex, 64);
	assert_non_null(strstr(sums + 64, "  coefficients.csv"));
	free(sums);
}

static void version_names_model_and_checksum(void **state)
{
	struct fixture *f = *state;
	char path[1024], *sums, want[160];

	assert_non_null(coef_path(path, sizeof(path), "SHA256SUMS"));
	assert_non_null(sums = tu_read_file(path, NULL));
	snprintf(want, sizeof(want), "QFracture-2012 equations, independent implementation "
		 "(coefficients sha256:%.12s)", sums);
	assert_string_equal(qf_model_version(f->m), want);
	assert_string_equal(QF_MODEL_NAME, "QFracture-2012 equations, independent implementation");
	free(sums);
}

static void disclaimer_is_clinrisk_text(void **state)
{
	(void)state;
	assert_non_null(strstr(QF_DISCLAIMER, "The initial version of this file, to be found at "
				"http://svn.clinrisk.co.uk/qfracture, faithfully implements QFracture-2012."));
	assert_non_null(strstr(QF_DISCLAIMER, "Inaccurate implementations of risk scores can lead to wrong "
				"patients being given the wrong treatment."));
	assert_non_null(strstr(QF_DISCLAIMER, "someone altering the coefficients."));
}

/* ---- worked examples, qfracture-reference.md §8 ---- */

static void worked_example_female_65(void **state)
{
	struct fixture *f = *state;
	struct qf_inputs in;
	double mof = -1, hip = -1;
	char why[200];

	no_flags(&in, RISK_SEX_FEMALE, 65, 25.0);
	assert_int_equal(qf_evaluate(f->m, QF_MOF, &in, &mof, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(qf_evaluate(f->m, QF_HIP, &in, &hip, why, sizeof(why)), 0);
	assert_rel(mof, 4.5465075833104773);
	assert_rel(hip, 1.1855864087323087);
}

static void worked_example_male_80(void **state)
{
	struct fixture *f = *state;
	struct qf_inputs in;
	double mof = -1, hip = -1;

	no_flags(&in, RISK_SEX_MALE, 80, 22.5);
	in.smoke_cat = 1;
	in.alcohol_cat6 = 2;
	in.b_carehome = in.b_falls = in.b_fracture4 = 1;
	assert_int_equal(qf_evaluate(f->m, QF_MOF, &in, &mof, NULL, 0), 0);
	assert_int_equal(qf_evaluate(f->m, QF_HIP, &in, &hip, NULL, 0), 0);
	assert_rel(mof, 15.83741411223113);
	assert_rel(hip, 20.316557367059751);
	assert_true(hip > mof); /* the two equations are separate: never "corrected" */
}

static void worked_example_female_85(void **state)
{
	struct fixture *f = *state;
	struct qf_inputs in;
	double mof = -1, hip = -1;

	no_flags(&in, RISK_SEX_FEMALE, 85, 20.0);
	in.surv = 5;
	in.ethrisk = 2;
	in.smoke_cat = 4;
	in.alcohol_cat6 = 5;
	in.b_dementia = in.b_type1 = in.fh_osteoporosis = 1;
	assert_int_equal(qf_evaluate(f->m, QF_MOF, &in, &mof, NULL, 0), 0);
	assert_int_equal(qf_evaluate(f->m, QF_HIP, &in, &hip, NULL, 0), 0);
	assert_rel(mof, 55.074275158911348);
	assert_rel(hip, 68.152850692377513);
}

/* ---- validation (reference §6) ---- */

static void reports_every_failure_in_reference_order(void **state)
{
	struct fixture *f = *state;
	struct qf_inputs in;
	double r = 42.0;
	char why[300];

	no_flags(&in, RISK_SEX_FEMALE, 29, 19.99);
	in.surv = 0;
	in.b_falls = 2;
	in.ethrisk = 0;
	assert_int_equal(qf_evaluate(f->m, QF_MOF, &in, &r, why, sizeof(why)), -1);
	assert_string_equal(why, "age must be in range (30,100); b_falls must be in range (0,1); "
			    "bmi must be in range (20,40); ethrisk must be in range (1,9); "
			    "surv must be in range (1,18)");
	assert_true(r == 42.0); /* untouched */
}

static void nan_bmi_is_rejected(void **state)
{
	struct fixture *f = *state;
	struct qf_inputs in;
	double r = 42.0;
	char why[200];

	for (int sex = RISK_SEX_FEMALE; sex <= RISK_SEX_MALE; sex++) {
		no_flags(&in, sex, 70, NAN);
		assert_int_equal(qf_evaluate(f->m, QF_MOF, &in, &r, why, sizeof(why)), -1);
		assert_string_equal(why, "bmi must be in range (20,40)");
		assert_int_equal(qf_evaluate(f->m, QF_HIP, &in, &r, why, sizeof(why)), -1);
		assert_string_equal(why, "bmi must be in range (20,40)");
		in.bmi = INFINITY;
		assert_int_equal(qf_evaluate(f->m, QF_HIP, &in, &r, why, sizeof(why)), -1);
	}
	assert_true(r == 42.0);
}

static void boundaries_are_inclusive(void **state)
{
	struct fixture *f = *state;
	struct qf_inputs in;
	double r;
	static const struct {
		int age, surv;
		double bmi;
		int ok;
	} cases[] = {
		{ 30, 10, 25, 1 }, { 100, 10, 25, 1 }, { 29, 10, 25, 0 }, { 101, 10, 25, 0 },
		{ 60, 1, 25, 1 }, { 60, 18, 25, 1 }, { 60, 0, 25, 0 }, { 60, 19, 25, 0 },
		{ 60, 10, 20.0, 1 }, { 60, 10, 40.0, 1 }, { 60, 10, 19.9999, 0 }, { 60, 10, 40.0001, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int sex = RISK_SEX_FEMALE; sex <= RISK_SEX_MALE; sex++) {
			no_flags(&in, sex, cases[i].age, cases[i].bmi);
			in.surv = cases[i].surv;
			assert_int_equal(qf_evaluate(f->m, QF_MOF, &in, &r, NULL, 0), cases[i].ok ? 0 : -1);
			assert_int_equal(qf_evaluate(f->m, QF_HIP, &in, &r, NULL, 0), cases[i].ok ? 0 : -1);
			if (cases[i].ok)
				assert_true(r >= 0.0 && r <= 100.0);
		}
	}
}

/* An input an equation does not take is neither validated nor used by it (reference §5, §6). */
static void equations_ignore_inputs_they_do_not_take(void **state)
{
	struct fixture *f = *state;
	struct qf_inputs in;
	double base, r;
	char why[200];

	/* female hip: no b_malabsorption, no fh_osteoporosis, no b_carehome */
	no_flags(&in, RISK_SEX_FEMALE, 70, 24.0);
	assert_int_equal(qf_evaluate(f->m, QF_HIP, &in, &base, NULL, 0), 0);
	in.b_malabsorption = 2;
	in.fh_osteoporosis = -1;
	in.b_carehome = 7;
	assert_int_equal(qf_evaluate(f->m, QF_HIP, &in, &r, why, sizeof(why)), 0);
	assert_true(r == base);
	assert_int_equal(qf_evaluate(f->m, QF_MOF, &in, &r, why, sizeof(why)), -1);
	assert_string_equal(why, "b_malabsorption must be in range (0,1); fh_osteoporosis must be in range (0,1)");

	/* male: no b_endocrine, no b_hrt_oest; male hip: no b_malabsorption */
	no_flags(&in, RISK_SEX_MALE, 70, 24.0);
	assert_int_equal(qf_evaluate(f->m, QF_MOF, &in, &base, NULL, 0), 0);
	in.b_endocrine = 2;
	in.b_hrt_oest = 1;
	assert_int_equal(qf_evaluate(f->m, QF_MOF, &in, &r, NULL, 0), 0);
	assert_true(r == base);
	assert_int_equal(qf_evaluate(f->m, QF_HIP, &in, &base, NULL, 0), 0);
	in.b_malabsorption = 1;
	assert_int_equal(qf_evaluate(f->m, QF_HIP, &in, &r, NULL, 0), 0);
	assert_true(r == base);
	in.b_carehome = 1; /* but men do take care-home residence */
	assert_int_equal(qf_evaluate(f->m, QF_HIP, &in, &r, NULL, 0), 0);
	assert_true(r > base);
}

static void unknown_sex_is_refused(void **state)
{
	struct fixture *f = *state;
	struct qf_inputs in;
	double r = 42.0;
	char why[100];

	no_flags(&in, RISK_SEX_UNKNOWN, 70, 24.0);
	assert_int_equal(qf_evaluate(f->m, QF_MOF, &in, &r, why, sizeof(why)), -1);
	assert_string_equal(why, "sex must be female or male");
	in.sex = RISK_SEX_OTHER;
	assert_int_equal(qf_evaluate(f->m, QF_HIP, &in, &r, why, sizeof(why)), -1);
	assert_true(r == 42.0);
}

static void short_reason_buffer_is_truncated_safely(void **state)
{
	struct fixture *f = *state;
	struct qf_inputs in;
	double r;
	char why[12];

	no_flags(&in, RISK_SEX_MALE, 10, 10.0);
	in.surv = 99;
	memset(why, 'x', sizeof(why));
	assert_int_equal(qf_evaluate(f->m, QF_MOF, &in, &r, why, sizeof(why)), -1);
	assert_int_equal(strlen(why), sizeof(why) - 1);
	assert_memory_equal(why, "age must b", 10);
}

static void saturated_risk_is_exactly_100(void **state)
{
	struct fixture *f = *state;
	struct qf_inputs in;
	double r;

	no_flags(&in, RISK_SEX_FEMALE, 99, 20.0);
	in.surv = 18;
	in.smoke_cat = 4;
	in.alcohol_cat6 = 5;
	in.b_antidepressant = in.b_anycancer = in.b_asthmacopd = in.b_corticosteroids = in.b_cvd = 1;
	in.b_dementia = in.b_endocrine = in.b_epilepsy2 = in.b_falls = in.b_fracture4 = 1;
	in.b_liver = in.b_malabsorption = in.b_parkinsons = in.b_ra_sle = in.b_renal = 1;
	in.b_type1 = in.b_type2 = in.fh_osteoporosis = 1;
	assert_int_equal(qf_evaluate(f->m, QF_MOF, &in, &r, NULL, 0), 0);
	assert_true(r <= 100.0 && r > 99.0);
	assert_false(isnan(r));
}

/* ---- the public vectors ---- */

#define VEC_MAX_FIELDS 48

static int col(char **hdr, int nh, const char *name)
{
	for (int i = 0; i < nh; i++)
		if (!strcmp(hdr[i], name))
			return i;
	fprintf(stderr, "vectors: no column %s\n", name);
	fail();
	return -1;
}

static int to_int(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	assert_true(*s && !*end);
	return (int)v;
}

static int bit_identical; /* reported, not asserted: the acceptance criterion is 1e-6 relative */

static void check_outcome(struct fixture *f, enum qf_outcome oc, const struct qf_inputs *in,
			  const char *status, const char *expect, const char *error, int row)
{
	double r = -7.0;
	char why[300];
	int rc = qf_evaluate(f->m, oc, in, &r, why, sizeof(why));

	if (!strcmp(status, "ok")) {
		char *end;
		double want = strtod(expect, &end);

		if (rc != 0 || *end) {
			fprintf(stderr, "row %d %s: refused (%s)\n", row, oc == QF_MOF ? "mof" : "hip", why);
			fail();
		}
		if (!(fabs(r - want) <= REL_TOL * fabs(want))) {
			fprintf(stderr, "row %d %s: got %.17g want %s\n", row, oc == QF_MOF ? "mof" : "hip", r,
				expect);
			fail();
		}
		bit_identical += r == want;
	} else if (!strcmp(status, "rejected")) {
		if (rc != -1 || strcmp(why, error)) {
			fprintf(stderr, "row %d %s: rc %d reason '%s', reference '%s'\n", row,
				oc == QF_MOF ? "mof" : "hip", rc, why, error);
			fail();
		}
		assert_true(r == -7.0);
	} else {
		assert_string_equal(status, "nan"); /* missing BMI: refused, never NaN */
		if (rc != -1 || strcmp(why, "bmi must be in range (20,40)")) {
			fprintf(stderr, "row %d: missing BMI not refused (%s)\n", row, why);
			fail();
		}
	}
}

static void reproduces_public_vectors(void **state)
{
	static const char *const flag_cols[] = {
		"b_antidepressant", "b_anycancer", "b_asthmacopd", "b_carehome", "b_corticosteroids", "b_cvd",
		"b_dementia", "b_endocrine", "b_epilepsy2", "b_falls", "b_fracture4", "b_hrt_oest", "b_liver",
		"b_malabsorption", "b_parkinsons", "b_ra_sle", "b_renal", "b_type1", "b_type2",
		"fh_osteoporosis",
	};
	struct fixture *f = *state;
	char path[1024], *text, *line, *save = NULL, *hdr[VEC_MAX_FIELDS], *fld[VEC_MAX_FIELDS];
	int nh, c_sex, c_age, c_surv, c_bmi, c_eth, c_smoke, c_alc, c_mr, c_hr, c_ms, c_hs, c_me, c_he;
	int c_flag[20], rows = 0, ok_values = 0;

	if (!tu_shared_path("vectors/qfracture-public.csv", path, sizeof(path))) {
		fprintf(stderr, "SKIP: FLS_SHARED/vectors/qfracture-public.csv not found\n");
		skip();
	}
	assert_non_null(text = tu_read_file(path, NULL));
	line = strtok_r(text, "\n", &save); /* the vectors are test data: strtok_r is fine here */
	assert_non_null(line);
	nh = tu_csv_split(line, hdr, VEC_MAX_FIELDS);
	assert_true(nh > 30);
	c_sex = col(hdr, nh, "sex");
	c_age = col(hdr, nh, "age");
	c_surv = col(hdr, nh, "surv");
	c_bmi = col(hdr, nh, "bmi");
	c_eth = col(hdr, nh, "ethrisk");
	c_smoke = col(hdr, nh, "smoke_cat");
	c_alc = col(hdr, nh, "alcohol_cat6");
	c_mr = col(hdr, nh, "mof_risk_pct");
	c_hr = col(hdr, nh, "hip_risk_pct");
	c_ms = col(hdr, nh, "mof_status");
	c_hs = col(hdr, nh, "hip_status");
	c_me = col(hdr, nh, "mof_error");
	c_he = col(hdr, nh, "hip_error");
	for (int k = 0; k < 20; k++)
		c_flag[k] = col(hdr, nh, flag_cols[k]);

	while ((line = strtok_r(NULL, "\n", &save))) {
		struct qf_inputs in;
		int *flag_fields[20] = {
			&in.b_antidepressant, &in.b_anycancer, &in.b_asthmacopd, &in.b_carehome,
			&in.b_corticosteroids, &in.b_cvd, &in.b_dementia, &in.b_endocrine, &in.b_epilepsy2,
			&in.b_falls, &in.b_fracture4, &in.b_hrt_oest, &in.b_liver, &in.b_malabsorption,
			&in.b_parkinsons, &in.b_ra_sle, &in.b_renal, &in.b_type1, &in.b_type2,
			&in.fh_osteoporosis,
		};
		size_t l = strlen(line);
		char *end;

		if (l && line[l - 1] == '\r')
			line[l - 1] = '\0';
		assert_int_equal(tu_csv_split(line, fld, VEC_MAX_FIELDS), nh);
		rows++;
		memset(&in, 0, sizeof(in));
		in.sex = !strcmp(fld[c_sex], "F") ? RISK_SEX_FEMALE : RISK_SEX_MALE;
		in.age = to_int(fld[c_age]);
		in.surv = to_int(fld[c_surv]);
		in.bmi = *fld[c_bmi] ? strtod(fld[c_bmi], &end) : NAN;
		in.ethrisk = to_int(fld[c_eth]);
		in.smoke_cat = to_int(fld[c_smoke]);
		in.alcohol_cat6 = to_int(fld[c_alc]);
		for (int k = 0; k < 20; k++)
			*flag_fields[k] = to_int(fld[c_flag[k]]);
		check_outcome(f, QF_MOF, &in, fld[c_ms], fld[c_mr], fld[c_me], rows);
		check_outcome(f, QF_HIP, &in, fld[c_hs], fld[c_hr], fld[c_he], rows);
		ok_values += !strcmp(fld[c_ms], "ok") + !strcmp(fld[c_hs], "ok");
	}
	/* vectors/README.md: 2,000 rows and 3,558 numeric reference values */
	assert_int_equal(rows, 2000);
	assert_int_equal(ok_values, 3558);
	fprintf(stderr, "vectors: %d rows, %d of %d values bit-identical to the reference\n", rows,
		bit_identical, ok_values);
	free(text);
}

/* ---- the parser's error paths ---- */

/* Parse f->csv with the first occurrence of `from` replaced by `to`; returns the status. */
static fls_status parse_edited(struct fixture *f, const char *from, const char *to, struct fls_diag *d)
{
	const char *hit = strstr(f->csv, from);
	size_t lf = strlen(from), lt = strlen(to), n;
	char *buf;
	struct qf_model *m = (struct qf_model *)(uintptr_t)1;
	fls_status st;

	assert_non_null(hit);
	n = f->len - lf + lt;
	assert_non_null(buf = malloc(n + 1));
	memcpy(buf, f->csv, (size_t)(hit - f->csv));
	memcpy(buf + (hit - f->csv), to, lt);
	memcpy(buf + (hit - f->csv) + lt, hit + lf, f->len - (size_t)(hit - f->csv) - lf);
	buf[n] = '\0';
	d->msg[0] = '\0';
	st = qf_model_parse(&m, &fls_mem_libc, buf, n, d);
	if (st == FLS_OK)
		qf_model_free(m);
	else
		assert_null(m);
	free(buf);
	return st;
}

static void parser_refuses_missing_term(void **state)
{
	struct fixture *f = *state;
	struct fls_diag d;

	assert_int_equal(parse_edited(f, "male,hip,b_falls,0.5314298176292541200000000\n", "", &d), FLS_EPARSE);
	assert_string_equal(d.msg, "coefficients: the male hip equation lacks term 'b_falls'");
	assert_int_equal(parse_edited(f, "female,mof,baseline_survival:year=18,0.953392088413239\n", "", &d),
			 FLS_EPARSE);
	assert_string_equal(d.msg, "coefficients: the female mof equation lacks term 'baseline_survival:year=18'");
	assert_int_equal(parse_edited(f, "male,mof,fp_power:bmi_2,-0.5\n", "", &d), FLS_EPARSE);
	assert_string_equal(d.msg, "coefficients: the male mof equation lacks term 'fp_power:bmi_2'");
	assert_int_equal(parse_edited(f, "female,hip,ethrisk=1,0\n", "", &d), FLS_EPARSE);
	assert_string_equal(d.msg, "coefficients: the female hip equation lacks term 'ethrisk=1'");
}

static void parser_refuses_bad_number(void **state)
{
	struct fixture *f = *state;
	struct fls_diag d;
	static const char *const bad[] = { "0,1234", "1.2.3", "", " 0.1", "0.1 ", "+0.1", ".5", "5.", "1e",
					   "0x1p3", "nan", "inf", "1e999", "1,5" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char to[80];

		snprintf(to, sizeof(to), "female,mof,age_1,%s\n", bad[i]);
		assert_int_equal(parse_edited(f, "female,mof,age_1,0.1437995480730194500000000\n", to, &d),
				 FLS_EPARSE);
		/* line 2 header + 18 survival + 2 div + 9 fp rows + 6 + 9 + 5 categorical: age_1 is line 51 */
		if (!strchr(bad[i], ','))
			assert_string_equal(d.msg, "coefficients line 51: term 'age_1': value is not a plain "
					    "decimal number");
		else
			assert_string_equal(d.msg, "coefficients line 51: expected 4 unquoted fields "
					    "sex,outcome,term,value");
	}
}

static void parser_refuses_duplicate_term(void **state)
{
	struct fixture *f = *state;
	struct fls_diag d;

	assert_int_equal(parse_edited(f, "female,mof,b_falls,", "female,mof,b_falls,0.1\nfemale,mof,b_falls,", &d),
			 FLS_EPARSE);
	assert_non_null(strstr(d.msg, ": duplicate term 'b_falls' for female mof"));
	assert_int_equal(strncmp(d.msg, "coefficients line ", 18), 0);
}

static void parser_refuses_malformed_rows(void **state)
{
	struct fixture *f = *state;
	struct fls_diag d;

	assert_int_equal(parse_edited(f, "sex,outcome,term,value", "sex,outcome,name,value", &d), FLS_EPARSE);
	assert_string_equal(d.msg, "coefficients line 1: header must be sex,outcome,term,value");
	assert_int_equal(parse_edited(f, "female,hip,b_type2,", "female,hip,b_type3,", &d), FLS_EPARSE);
	assert_non_null(strstr(d.msg, ": unknown term 'b_type3'"));
	assert_int_equal(parse_edited(f, "female,hip,b_type2,", "female,hip,fh_osteoporosis,1\nfemale,hip,b_type2,",
				      &d), FLS_EPARSE);
	assert_non_null(strstr(d.msg, ": term 'fh_osteoporosis' is not an input of the female hip equation"));
	assert_int_equal(parse_edited(f, "\nmale,hip,b_type2,", "\nmale,hip,bmi_2,1\nmale,hip,b_type2,", &d),
			 FLS_EPARSE);
	assert_non_null(strstr(d.msg, ": term 'bmi_2' is not an input of the male hip equation"));
	assert_int_equal(parse_edited(f, "female,mof,baseline_survival:year=1,0.998989343643188",
				      "female,mof,baseline_survival:year=1,1.5", &d), FLS_EPARSE);
	assert_string_equal(d.msg, "coefficients line 2: term 'baseline_survival:year=1': baseline survival "
			    "must be in (0,1]");
	assert_int_equal(parse_edited(f, "female,mof,baseline_survival:year=1,", "female,mof,baseline_survival:year=19,",
				      &d), FLS_EPARSE);
	assert_int_equal(parse_edited(f, "female,mof,baseline_survival:year=1,", "female,mof,baseline_survival:year=01,",
				      &d), FLS_EPARSE);
	assert_int_equal(parse_edited(f, "female,mof,ethrisk=1,", "female,mof,ethrisk=0,", &d), FLS_EPARSE);
	assert_int_equal(parse_edited(f, "female,mof,fp_log:age_1,0", "female,mof,fp_log:age_1,2", &d), FLS_EPARSE);
	assert_int_equal(parse_edited(f, "female,mof,fp_power:age_1,2", "female,mof,fp_power:age_1,0", &d),
			 FLS_EPARSE);
	assert_int_equal(parse_edited(f, "female,mof,", "Female,mof,", &d), FLS_EPARSE);
	assert_int_equal(parse_edited(f, "female,mof,age_1,", "female,MOF,age_1,", &d), FLS_EPARSE);
	assert_int_equal(parse_edited(f, "female,mof,age_1,", "female,mof,\"age_1\",", &d), FLS_EPARSE);
	/* CRLF line ends are accepted (the file may pass through Windows tools) */
	assert_int_equal(parse_edited(f, "sex,outcome,term,value\n", "sex,outcome,term,value\r\n", &d), FLS_OK);
}

static void parser_refuses_empty_and_truncated_text(void **state)
{
	struct fixture *f = *state;
	struct qf_model *m = NULL;
	struct fls_diag d = { "" };

	assert_int_equal(qf_model_parse(&m, NULL, "", 0, &d), FLS_EPARSE);
	assert_null(m);
	assert_int_equal(qf_model_parse(&m, NULL, f->csv, f->len / 2, &d), FLS_EPARSE);
	assert_null(m);
	assert_int_equal(qf_model_parse(&m, NULL, "sex,outcome,term,value\n", 23, &d), FLS_EPARSE);
	assert_non_null(strstr(d.msg, "lacks term"));
}

/* ---- the decimal converter ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void decimal_matches_strtod(void **state)
{
	static const char *const hard[] = {
		"9007199254740993", "9007199254740995", "9007199254740993.00000000000000000001",
		"1.00000000000000011102230246251565404236316680908203125",
		"1.00000000000000011102230246251565404236316680908203124",
		"1.00000000000000011102230246251565404236316680908203126", "0.1", "27.35", "-0.0",
		"136.060699462890620", "-0.0093249719419669745000000", "1e-300", "9.99999999999999999e299",
		"0.0002414945264996203800000", "0.953392088413239", "18.1789865484634670000000000",
		"123456789012345678901234567890123456789012345678901234567890e-40",
	};
	char b[160];
	(void)state;

	for (size_t i = 0; i < sizeof(hard) / sizeof(hard[0]); i++) {
		double x = 0, y = strtod(hard[i], NULL);
		int rc = qf_decimal_parse(hard[i], strlen(hard[i]), &x);

		assert_int_equal(rc, 0);
		assert_memory_equal(&x, &y, sizeof(x));
	}
	for (int it = 0; it < 200000; it++) {
		int nd = 1 + (int)(rng() % 60), p = 0, dot = (int)(rng() % (uint64_t)(nd + 1));
		double x, y, ay;
		int rc;

		if (rng() % 2)
			b[p++] = '-';
		for (int k = 0; k < nd; k++) {
			if (k == dot && k > 0)
				b[p++] = '.';
			b[p++] = (char)('0' + rng() % 10);
		}
		if (rng() % 3 == 0)
			p += snprintf(b + p, sizeof(b) - (size_t)p, "e%d", (int)(rng() % 640) - 320);
		b[p] = '\0';
		y = strtod(b, NULL);
		ay = fabs(y);
		rc = qf_decimal_parse(b, strlen(b), &x);
		if (ay == 0.0 || (ay >= 1e-300 && ay < 1e300)) {
			if (rc != 0 || memcmp(&x, &y, sizeof(x))) {
				fprintf(stderr, "'%s': rc %d got %.17g want %.17g\n", b, rc, x, y);
				fail();
			}
		} else {
			assert_int_equal(rc, -1);
		}
	}
}

static void decimal_refuses_non_numbers(void **state)
{
	static const char *const bad[] = { "", "-", ".", "1.", ".1", "+1", "1e", "1e+", "1e1000", "0x10", "1 ",
					   " 1", "1,5", "١", "inf", "NaN", "1e-301", "1e300", "--1", "1..2" };
	double x = 42.0;
	char many[QF_DECIMAL_MAX_DIGITS + 2];
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(qf_decimal_parse(bad[i], strlen(bad[i]), &x), -1);
	assert_true(x == 42.0);
	memset(many, '1', sizeof(many));
	assert_int_equal(qf_decimal_parse(many, QF_DECIMAL_MAX_DIGITS, &x), 0);
	assert_int_equal(qf_decimal_parse(many, QF_DECIMAL_MAX_DIGITS + 1, &x), -1);
	/* a length shorter than the text: only that prefix is read */
	assert_int_equal(qf_decimal_parse("27.35xyz", 5, &x), 0);
	assert_true(x == 27.35);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(coefficients_match_sha256sums, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(version_names_model_and_checksum, setup_model, teardown_model),
		cmocka_unit_test(disclaimer_is_clinrisk_text),
		cmocka_unit_test_setup_teardown(worked_example_female_65, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(worked_example_male_80, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(worked_example_female_85, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(reports_every_failure_in_reference_order, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(nan_bmi_is_rejected, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(boundaries_are_inclusive, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(equations_ignore_inputs_they_do_not_take, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(unknown_sex_is_refused, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(short_reason_buffer_is_truncated_safely, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(saturated_risk_is_exactly_100, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(reproduces_public_vectors, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(parser_refuses_missing_term, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(parser_refuses_bad_number, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(parser_refuses_duplicate_term, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(parser_refuses_malformed_rows, setup_model, teardown_model),
		cmocka_unit_test_setup_teardown(parser_refuses_empty_and_truncated_text, setup_model, teardown_model),
		cmocka_unit_test(decimal_matches_strtod),
		cmocka_unit_test(decimal_refuses_non_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
