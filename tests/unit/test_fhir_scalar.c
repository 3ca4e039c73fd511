/* FHIR primitives and reference keys: strict parsing, partial dates, time zones, locale independence. */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "fhir/ref.h"
#include "fhir/scalar.h"
#include "risk/day.h"

static int32_t day_of(const char *s, int *prec)
{
	int32_t d = 0;
	int p = 0;

	if (fhir_parse_date(s, strlen(s), &d, &p))
		return RISK_NO_DAY;
	if (prec)
		*prec = p;
	return d;
}

static void parses_full_and_partial_dates(void **state)
{
	int prec;

	(void)state;
	assert_int_equal(day_of("2025-03-01", &prec), risk_day_from_civil(2025, 3, 1));
	assert_int_equal(prec, FHIR_DATE_DAY);
	/* clinical-rules 7.1: YYYY-MM is the 15th, YYYY is 1 July */
	assert_int_equal(day_of("2020-03", &prec), risk_day_from_civil(2020, 3, 15));
	assert_int_equal(prec, FHIR_DATE_MONTH);
	assert_int_equal(day_of("2019", &prec), risk_day_from_civil(2019, 7, 1));
	assert_int_equal(prec, FHIR_DATE_YEAR);
	assert_int_equal(day_of("2024-02-29", NULL), risk_day_from_civil(2024, 2, 29));
}

static void honours_time_zones(void **state)
{
	int prec;

	(void)state;
	/* 00:30 at +01:00 is 23:30 UTC the day before. */
	assert_int_equal(day_of("2025-03-01T00:30:00+01:00", &prec), risk_day_from_civil(2025, 2, 28));
	assert_int_equal(prec, FHIR_DATE_TIME);
	assert_int_equal(day_of("2025-02-28T23:30:00-01:00", NULL), risk_day_from_civil(2025, 3, 1));
	assert_int_equal(day_of("2025-03-01T12:00:00Z", NULL), risk_day_from_civil(2025, 3, 1));
	assert_int_equal(day_of("2025-03-01T12:00:00.123456Z", NULL), risk_day_from_civil(2025, 3, 1));
	assert_int_equal(day_of("2024-12-31T23:59:59-14:00", NULL), risk_day_from_civil(2025, 1, 1));
}

static void rejects_bad_dates(void **state)
{
	static const char *const bad[] = { "", "20", "2025-3-01", "2025-02-30", "2023-02-29", "2025-13-01",
					   "2025-00-10", "2025-01-01T10:00:00", "2025-01-01T10:00Z", "2025-01-01 ",
					   " 2025-01-01", "2025-01-01T25:00:00Z", "2025-01-01T10:00:00+1:00",
					   "2025-01-01T10:00:00.Z", "abcd", "2025-01-01T10:00:00+15:00", "0000" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int32_t d;
		int p;

		assert_int_equal(fhir_parse_date(bad[i], strlen(bad[i]), &d, &p), -1);
	}
}

static void parses_decimals_exactly(void **state)
{
	double v;

	(void)state;
	assert_int_equal(fhir_parse_decimal("-3.5", 4, &v), 0);
	assert_true(v == -3.5);
	assert_int_equal(fhir_parse_decimal("7.5", 3, &v), 0);
	assert_true(v == 7.5);
	assert_int_equal(fhir_parse_decimal("27.35", 5, &v), 0);
	assert_true(v == 27.35);
	assert_int_equal(fhir_parse_decimal("1e2", 3, &v), 0);
	assert_true(v == 100.0);
	assert_int_equal(fhir_parse_decimal("0.000001", 8, &v), 0);
	assert_true(v == 1e-6);
	assert_int_equal(fhir_parse_decimal("1.", 2, &v), -1);
	assert_int_equal(fhir_parse_decimal(".5", 2, &v), -1);
	assert_int_equal(fhir_parse_decimal("1,5", 3, &v), -1);
	assert_int_equal(fhir_parse_decimal("", 0, &v), -1);
	assert_int_equal(fhir_parse_decimal("1e", 2, &v), -1);
	assert_int_equal(fhir_parse_decimal("1e999", 5, &v), -1);
	assert_int_equal(fhir_parse_decimal("0e400", 5, &v), 0); /* found by fuzzing */
	assert_true(v == 0.0);
	assert_int_equal(fhir_parse_decimal("-0.0e-400", 9, &v), 0);
	assert_true(v == 0.0);
	assert_int_equal(fhir_parse_decimal("nan", 3, &v), -1);
}

static void decimals_ignore_the_host_locale(void **state)
{
	double v = 0;

	(void)state;
	/* A decimal-comma locale must not change how "23.5" reads (STYLE.md §2). */
	if (!setlocale(LC_NUMERIC, "de_DE.UTF-8") && !setlocale(LC_NUMERIC, "fr_FR.UTF-8"))
		print_message("no decimal-comma locale installed; checking in the C locale only\n");
	assert_int_equal(fhir_parse_decimal("23.5", 4, &v), 0);
	assert_true(v == 23.5);
	setlocale(LC_NUMERIC, "C");
}

static void parses_integers(void **state)
{
	int32_t v;

	(void)state;
	assert_int_equal(fhir_parse_int("2", 1, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(fhir_parse_int("-2147483648", 11, &v), 0);
	assert_int_equal(v, INT32_MIN);
	assert_int_equal(fhir_parse_int("2147483648", 10, &v), -1);
	assert_int_equal(fhir_parse_int("1.0", 3, &v), -1);
	assert_int_equal(fhir_parse_int("", 0, &v), -1);
}

static void normalises_references(void **state)
{
	char k[FHIR_KEY_MAX];
	const char *long_ref;
	char big[400];

	(void)state;
#define KEY(in, def, want)                                                         \
	do {                                                                       \
		assert_true(fhir_ref_key(in, strlen(in), def, k) > 0);             \
		assert_string_equal(k, want);                                      \
	} while (0)
	KEY("urn:uuid:8a4c3f2e-1b2c-4d5e-8f90-123456789abc", "Patient", "urn:uuid:8a4c3f2e-1b2c-4d5e-8f90-123456789abc");
	KEY("Patient/123", "Patient", "Patient/123");
	KEY("/Patient/123", "Patient", "Patient/123");
	KEY("http://example.org/fhir/Patient/123", "Patient", "Patient/123");
	KEY("https://example.org/fhir/Patient/123/_history/4", "Patient", "Patient/123");
	KEY("Patient/123/_history/2", "Patient", "Patient/123");
	KEY("123", "Patient", "Patient/123");
	KEY("patient-01912", "Patient", "Patient/patient-01912");
	KEY("#med1", "Medication", "#med1");
	KEY("urn:patient-01912", "Patient", "urn:patient-01912");
	KEY("  Patient/123 ", "Patient", "Patient/123");
#undef KEY
	assert_int_equal(fhir_ref_key("", 0, "Patient", k), -1);
	assert_int_equal(fhir_ref_key("   ", 3, "Patient", k), -1);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	long_ref = big;
	assert_int_equal(fhir_ref_key(long_ref, strlen(long_ref), "Patient", k), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_full_and_partial_dates), cmocka_unit_test(honours_time_zones),
		cmocka_unit_test(rejects_bad_dates),		 cmocka_unit_test(parses_decimals_exactly),
		cmocka_unit_test(decimals_ignore_the_host_locale), cmocka_unit_test(parses_integers),
		cmocka_unit_test(normalises_references),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
