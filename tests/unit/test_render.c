/* risk/render: id lists, labels, explanation text and locale-independent decimals. */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "risk/render.h"
#include "util/buf.h"
#include "util/mem.h"

static void decision_init(struct risk_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->age = -1;
	d->mof10 = d->hip10 = NAN;
	d->index_day = d->sort_day = RISK_NO_DAY;
}

static void expect_decimal(double v, int sig, const char *want)
{
	char out[64];
	int n = risk_render_decimal(out, sizeof(out), v, sig);

	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(out, want);
}

static void decimal_known_values(void **state)
{
	(void)state;
	expect_decimal(0.0, 17, "0");
	expect_decimal(-0.0, 17, "0");
	expect_decimal(0.125, 17, "0.125");           /* exact binary fractions print exactly */
	expect_decimal(12.5, 17, "12.5");
	expect_decimal(-2.5, 17, "-2.5");
	expect_decimal(100.0, 17, "100");
	expect_decimal(1e20, 17, "100000000000000000000");
	expect_decimal(0.0000001220703125, 17, "0.0000001220703125");   /* 2^-23: no exponent form */
	expect_decimal(123456.75, 17, "123456.75");
	expect_decimal(24.3, 4, "24.3");               /* trailing zeros of 24.30 dropped */
	expect_decimal(0.1, 17, "0.10000000000000001"); /* 17 digits: the double, not the literal */
	expect_decimal(2.0 / 3.0, 6, "0.666667");
	expect_decimal(9.9999999, 3, "10");            /* rounding carries into a new digit */
}

static void decimal_rejects(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(risk_render_decimal(out, sizeof(out), NAN, 17), -1);
	assert_int_equal(risk_render_decimal(out, sizeof(out), INFINITY, 17), -1);
	assert_int_equal(risk_render_decimal(out, sizeof(out), 1.0, 0), -1);
	assert_int_equal(risk_render_decimal(out, sizeof(out), 1.0, 18), -1);
	assert_int_equal(risk_render_decimal(out, sizeof(out), 123456789.0, 17), -1);   /* 9 chars + NUL > 8 */
	assert_string_equal(out, "");
	assert_int_equal(risk_render_decimal(out, sizeof(out), 1234567.0, 17), 7);    /* exactly fits */
}

/* Every double in a spread of magnitudes reads back exactly from its 17-digit rendering. */
static void decimal_round_trips(void **state)
{
	char out[400];
	uint64_t x = 88172645463325252u;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		double v, back;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = (double)(x >> 11) / 9007199254740992.0 * pow(10.0, (double)(int)(x % 13) - 6.0);
		if (i & 1)
			v = -v;
		assert_true(risk_render_decimal(out, sizeof(out), v, 17) > 0);
		assert_null(strchr(out, 'e'));
		back = strtod(out, NULL);   /* the test runs in the C locale */
		assert_true(back == v);
	}
}

/* Under a decimal-comma locale the output still uses '.', when such a locale is installed. */
static void decimal_ignores_locale(void **state)
{
	static const char *const names[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "nl_NL.UTF-8" };
	const char *got = NULL;
	char probe[16], out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !got; i++)
		got = setlocale(LC_NUMERIC, names[i]);
	if (!got) {
		printf("# skipped: no decimal-comma locale installed (tried de_DE, fr_FR, nl_NL)\n");
		skip();
	}
	snprintf(probe, sizeof(probe), "%.1f", 1.5);
	assert_int_equal(risk_render_decimal(out, sizeof(out), 1.5, 17), 3);
	setlocale(LC_NUMERIC, "C");
	assert_string_equal(out, "1.5");
	assert_string_equal(probe, "1,5");   /* the locale really had a decimal comma */
}

static void id_lists_join_with_bar(void **state)
{
	struct fls_buf b;

	(void)state;
	fls_buf_init(&b, &fls_mem_libc, 4096);
	assert_int_equal(risk_render_fls_reasons(&b, 0), FLS_OK);
	assert_string_equal(fls_buf_str(&b), "");
	assert_int_equal(risk_render_fls_reasons(&b, (1u << RISK_FLS_P1_HIPVERT) | (1u << RISK_FLS_P2_RECENT)), FLS_OK);
	assert_string_equal(fls_buf_str(&b), "R-FLS-P1-HIPVERT|R-FLS-P2-RECENT");
	fls_buf_reset(&b);
	assert_int_equal(risk_render_falls_reasons(&b, (1u << RISK_FALL_5) | (1u << RISK_FALL_1)), FLS_OK);
	assert_string_equal(fls_buf_str(&b), "R-FALL-1|R-FALL-5");
	fls_buf_reset(&b);
	assert_int_equal(risk_render_notes(&b, RISK_NOTE_BIT(RISK_NOTE_WL_NO_DXA) | RISK_NOTE_BIT(RISK_NOTE_BMI_DERIVED)),
			 FLS_OK);
	assert_string_equal(fls_buf_str(&b), "DQ-BMI-DERIVED|WL-NO-DXA");
	fls_buf_reset(&b);
	assert_int_equal(risk_render_notes(&b, RISK_NOTE_BIT(RISK_NOTE_WL_RISK_INFO)), FLS_OK);
	assert_string_equal(fls_buf_str(&b), "WL-RISK-INFO");
	fls_buf_free(&b);
}

static void labels(void **state)
{
	(void)state;
	assert_string_equal(risk_render_priority(0), "none");
	assert_string_equal(risk_render_priority(1), "P1");
	assert_string_equal(risk_render_priority(3), "P3");
	assert_string_equal(risk_render_sex(RISK_SEX_FEMALE), "female");
	assert_string_equal(risk_render_sex(RISK_SEX_MALE), "male");
	assert_string_equal(risk_render_sex(RISK_SEX_OTHER), "other");
	assert_string_equal(risk_render_sex(RISK_SEX_UNKNOWN), "unknown");
	assert_string_equal(risk_render_yesno(1), "yes");
	assert_string_equal(risk_render_yesno(0), "no");
	assert_string_equal(risk_render_score_status(RISK_SCORE_NO_BMI), "no BMI");
	assert_string_equal(risk_render_score_status(RISK_SCORE_AGE_RANGE), "age outside 30-100");
	assert_string_equal(risk_render_score_status(RISK_SCORE_NO_AGE), "no birth date");
	assert_string_equal(risk_render_score_status(RISK_SCORE_NO_SEX), "sex not female or male");
	assert_string_equal(risk_render_score_status(RISK_SCORE_NO_MODEL), "no model");
}

static void risk_status_says_why(void **state)
{
	struct risk_decision d;
	struct fls_buf b;

	(void)state;
	fls_buf_init(&b, &fls_mem_libc, 4096);
	decision_init(&d);
	d.score_status = RISK_SCORE_OK;
	assert_int_equal(risk_render_risk_status(&b, &d), FLS_OK);
	assert_string_equal(fls_buf_str(&b), "ok");
	fls_buf_reset(&b);
	d.score_status = RISK_SCORE_REJECTED;
	snprintf(d.score_why, sizeof(d.score_why), "bmi must be in range (20,40)");
	assert_int_equal(risk_render_risk_status(&b, &d), FLS_OK);
	assert_string_equal(fls_buf_str(&b), "rejected: bmi must be in range (20,40)");
	fls_buf_free(&b);
}

static void explanation_one_line_per_reason_and_note(void **state)
{
	struct risk_decision d;
	struct fls_buf b;
	char want[1024];

	(void)state;
	fls_buf_init(&b, &fls_mem_libc, 8192);
	decision_init(&d);
	d.priority = 1;
	d.fls_reasons = 1u << RISK_FLS_P1_HIPVERT;
	d.falls_population = 1;
	d.falls_reasons = 1u << RISK_FALL_7;
	d.notes = RISK_NOTE_BIT(RISK_NOTE_BMI_MISSING);
	d.score_status = RISK_SCORE_NO_BMI;
	assert_int_equal(risk_render_explanation(&b, &d), FLS_OK);
	/* Texts and sources from the contract tables (rule_ids.h, notes.h), in that order. */
	snprintf(want, sizeof(want), "R-FLS-P1-HIPVERT: %s [%s]\nR-FALL-7: %s [%s]\nDQ-BMI-MISSING: %s\n"
		 "No fracture risk score: no BMI\n",
		 risk_fls_rule_text(RISK_FLS_P1_HIPVERT), risk_fls_rule_source(RISK_FLS_P1_HIPVERT),
		 risk_fall_rule_text(RISK_FALL_7), risk_fall_rule_source(RISK_FALL_7), risk_note_text(RISK_NOTE_BMI_MISSING));
	assert_string_equal(fls_buf_str(&b), want);
	assert_non_null(strstr(want, "Recent hip/vertebral fragility fracture, untreated [NICE CG146 introduction"));
	fls_buf_free(&b);
}

static void qf_inputs_line(void **state)
{
	struct qf_inputs in;
	struct fls_buf b;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.sex = RISK_SEX_FEMALE;
	in.age = 72;
	in.surv = 10;
	in.bmi = 24.3;
	in.ethrisk = 1;
	in.b_falls = 1;
	in.b_fracture4 = 1;
	fls_buf_init(&b, &fls_mem_libc, 4096);
	assert_int_equal(risk_render_qf_inputs(&b, &in), FLS_OK);
	assert_string_equal(fls_buf_str(&b), "sex female; age 72; BMI 24.3 kg/m2; ethnicity group 1; smoking category 0; "
					     "alcohol category 0; risk factors: b_falls, b_fracture4");
	fls_buf_free(&b);
}

static void provenance_block(void **state)
{
	struct fls_buf b;

	(void)state;
	fls_buf_init(&b, &fls_mem_libc, 4096);
	assert_int_equal(risk_render_provenance(&b, "1.0.0", NULL, "2026.11.0", risk_day_from_civil(2025, 3, 31), "D."),
			 FLS_OK);
	assert_string_equal(fls_buf_str(&b), "library version: 1.0.0\nmodel version: none\ncode-set version: 2026.11.0\n"
					     "as-of date: 2025-03-31\ndisclaimer: D.\n");
	fls_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decimal_known_values),
		cmocka_unit_test(decimal_rejects),
		cmocka_unit_test(decimal_round_trips),
		cmocka_unit_test(decimal_ignores_locale),
		cmocka_unit_test(id_lists_join_with_bar),
		cmocka_unit_test(labels),
		cmocka_unit_test(risk_status_says_why),
		cmocka_unit_test(explanation_one_line_per_reason_and_note),
		cmocka_unit_test(qf_inputs_line),
		cmocka_unit_test(provenance_block),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
