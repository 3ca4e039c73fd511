/*
 * Fuzz target: the FHIR datatype parsers (fhir/scalar.h dates, decimals, integers; fhir/ref.h reference
 * keys; the dosage unit table), each checked against an independent oracle rather than only for crashes:
 *
 *  - date/dateTime: an accepted text gives the day libc's timegm gives for the same fields and offset;
 *    a plain YYYY-MM-DD formats back to itself; anything matching the strict R4 grammar is accepted.
 *  - decimal: an accepted text is a finite value strtod agrees with (to 1e-12 relative; tiny values
 *    aside); every finite FHIR decimal is accepted.
 *  - integer: accepted exactly when the text is [+-]?[0-9]+ within int32, with strtoll's value.
 *  - reference key: the key is NUL-terminated, shorter than FHIR_KEY_MAX, of the returned length, and
 *    its type (when it has one) is a prefix of it.
 * The input is used whole for each parser, then split at its first NUL into the parts of a Quantity.
 */
/* timegm needs _DEFAULT_SOURCE, which fls_core already defines for everything that links it. */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fhir/dosage.h"
#include "fhir/ref.h"
#include "fhir/scalar.h"
#include "fuzz/fuzz_util.h"
#include "risk/day.h"

#define TEXT_MAX 4096

static int dig(char c)
{
	return c >= '0' && c <= '9';
}

static int ndig(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!dig(s[i]))
			return 0;
	return 1;
}

static int num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return dim[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

/*
 * The strict FHIR R4 date / dateTime / instant grammar (the regexes of the R4 datatypes page): year
 * 0001-9999, month, valid day, hh 00-23, mm, ss 00-60, fraction, Z or an offset up to 14:00.
 */
static int r4_strict_date(const char *s, size_t n)
{
	int y, m, d;

	if (n < 4 || !ndig(s, 4) || (y = num(s, 4)) < 1)
		return 0;
	if (n == 4)
		return 1;
	if (n < 7 || s[4] != '-' || !ndig(s + 5, 2) || (m = num(s + 5, 2)) < 1 || m > 12)
		return 0;
	if (n == 7)
		return 1;
	if (n < 10 || s[7] != '-' || !ndig(s + 8, 2) || (d = num(s + 8, 2)) < 1 || d > days_in_month(y, m))
		return 0;
	if (n == 10)
		return 1;
	if (n < 20 || s[10] != 'T' || !ndig(s + 11, 2) || num(s + 11, 2) > 23 || s[13] != ':' || !ndig(s + 14, 2) ||
	    num(s + 14, 2) > 59 || s[16] != ':' || !ndig(s + 17, 2) || num(s + 17, 2) > 60)
		return 0;
	{
		size_t i = 19;

		if (s[i] == '.') {
			size_t f = ++i;

			while (i < n && dig(s[i]))
				i++;
			if (i == f)
				return 0;
		}
		if (i == n - 1 && s[i] == 'Z')
			return 1;
		if (i + 6 != n || (s[i] != '+' && s[i] != '-') || !ndig(s + i + 1, 2) || s[i + 3] != ':' ||
		    !ndig(s + i + 4, 2))
			return 0;
		return num(s + i + 4, 2) <= 59 &&
		       (num(s + i + 1, 2) < 14 || (num(s + i + 1, 2) == 14 && num(s + i + 4, 2) == 0));
	}
}

/* The UTC day of an accepted text, computed with timegm (seconds ignored: a leap second stays in its day). */
static int32_t oracle_day(const char *s, size_t n)
{
	struct tm tm;
	long long secs;
	long long off = 0;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = num(s, 4) - 1900;
	tm.tm_mon = n >= 7 ? num(s + 5, 2) - 1 : 6;
	tm.tm_mday = n >= 10 ? num(s + 8, 2) : n >= 7 ? 15 : 1;
	if (n > 10) {
		size_t i = 19;

		tm.tm_hour = num(s + 11, 2);
		tm.tm_min = num(s + 14, 2);
		if (s[i] == '.')
			for (i++; i < n && dig(s[i]); i++)
				;
		if (s[i] != 'Z')
			off = (s[i] == '-' ? -1 : 1) * ((long long)num(s + i + 1, 2) * 3600 + num(s + i + 4, 2) * 60);
	}
	secs = (long long)timegm(&tm) - off;
	return (int32_t)(secs >= 0 ? secs / 86400 : -((86399 - secs) / 86400));
}

static void check_date(const char *s, size_t n)
{
	int32_t day = 0;
	int prec = 0;
	int ok = fhir_parse_date(s, n, &day, &prec) == 0;

	if (r4_strict_date(s, n) && !ok)
		fuzz_fail("valid R4 date/dateTime '%.*s' refused", (int)n, s);
	if (!ok)
		return;
	if (prec < FHIR_DATE_YEAR || prec > FHIR_DATE_TIME)
		fuzz_fail("date precision %d out of range", prec);
	if (prec != (n == 4 ? FHIR_DATE_YEAR : n == 7 ? FHIR_DATE_MONTH : n == 10 ? FHIR_DATE_DAY : FHIR_DATE_TIME))
		fuzz_fail("date '%.*s': precision %d does not match its length", (int)n, s, prec);
	if (day != oracle_day(s, n))
		fuzz_fail("date '%.*s': day %d, timegm says %d", (int)n, s, (int)day, (int)oracle_day(s, n));
	if (prec == FHIR_DATE_DAY) {
		char out[11];

		risk_day_format(day, out);
		if (memcmp(out, s, 10))
			fuzz_fail("date '%.*s' formats back as '%s'", (int)n, s, out);
	}
}

/* FHIR decimal: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int r4_decimal(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && dig(s[i]))
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && dig(s[i]); i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && dig(s[i]); i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

static void check_decimal(const char *s, size_t n, const char *z)
{
	double v = 0, ref;
	char *end;
	int ok = fhir_parse_decimal(s, n, &v) == 0;

	errno = 0;
	ref = strtod(z, &end);
	if (r4_decimal(s, n) && isfinite(ref) && (size_t)(end - z) == n && !ok)
		fuzz_fail("valid FHIR decimal '%.*s' refused", (int)n, s);
	if (!ok)
		return;
	if (!isfinite(v))
		fuzz_fail("decimal '%.*s' accepted as a non-finite value", (int)n, s);
	if ((size_t)(end - z) != n)
		fuzz_fail("decimal '%.*s' accepted, strtod reads only %zu bytes", (int)n, s, (size_t)(end - z));
	if (fabs(ref) > 1e-290 && fabs(v - ref) > 1e-12 * fabs(ref))
		fuzz_fail("decimal '%.*s' read as %.17g, strtod says %.17g", (int)n, s, v, ref);
}

static void check_int(const char *s, size_t n, const char *z)
{
	int32_t v = 0;
	int ok = fhir_parse_int(s, n, &v) == 0;
	size_t i = n && (s[0] == '+' || s[0] == '-') ? 1 : 0;
	int shape = i < n && ndig(s + i, n - i);
	long long ref = 0;

	if (shape) {
		errno = 0;
		ref = strtoll(z, NULL, 10);
		if (errno == ERANGE || ref < INT32_MIN || ref > INT32_MAX)
			shape = 0;
	}
	if (ok != shape)
		fuzz_fail("integer '%.*s': parser says %s, the oracle %s", (int)n, s, ok ? "yes" : "no",
			  shape ? "yes" : "no");
	if (ok && v != ref)
		fuzz_fail("integer '%.*s' read as %d, strtoll says %lld", (int)n, s, (int)v, ref);
}

static void check_ref(const char *s, size_t n, const char *default_type)
{
	char key[FHIR_KEY_MAX + 1];
	int k;

	key[FHIR_KEY_MAX] = 'X'; /* a guard byte: fhir_ref_key must not write past FHIR_KEY_MAX */
	k = fhir_ref_key(s, n, default_type, key);
	if (key[FHIR_KEY_MAX] != 'X')
		fuzz_fail("fhir_ref_key wrote past FHIR_KEY_MAX");
	if (k < 0)
		return;
	if (k == 0 || k >= FHIR_KEY_MAX || strnlen(key, FHIR_KEY_MAX) != (size_t)k)
		fuzz_fail("reference key of length %d is not a %d-byte string", k, k);
	{
		size_t tl = 0;
		const char *t = fhir_key_type(key, &tl);

		if (t && (t != key || tl >= (size_t)k || key[tl] != '/'))
			fuzz_fail("key type is not the prefix before the first '/'");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *z;
	const char *nul;

	if (size > TEXT_MAX)
		return 0;
	/* The parsers take (pointer, length); the oracles want a NUL-terminated copy. */
	if (!(z = malloc(size + 1)))
		return 0;
	memcpy(z, data, size);
	z[size] = '\0';
	/* XML attribute values never hold a NUL (libxml2 refuses it, even as &#0;): neither do the texts. */
	if (!memchr(s, '\0', size)) {
		check_decimal(s, size, z);
		check_int(s, size, z);
		check_ref(s, size, NULL);
		check_ref(s, size, "Patient");
		check_ref(s, size, "MedicationStatementWithAVeryLongTypeNameThatStillFits");
	}
	check_date(s, size);

	/* Split at the first NUL: unit, system, code of a dose quantity. */
	if ((nul = memchr(z, '\0', size))) {
		const char *unit = z, *system = nul + 1;
		const char *code = system + strlen(system) + 1 <= z + size ? system + strlen(system) + 1 : NULL;
		double f = fhir_mass_unit_mg(unit, system, code);

		if (!(f == 0 || f == 1 || f == 0.001 || f == 1000 || f == 1e-6))
			fuzz_fail("mass unit factor %g is not one of the table's", f);
	}
	free(z);
	return 0;
}
