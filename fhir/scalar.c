#include "fhir/scalar.h"

#include <math.h>

#include "risk/day.h"

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int fhir_parse_date(const char *s, size_t n, int32_t *day, int *precision)
{
	int y, m = 7, d = 1, hh = 0, mi = 0, ss = 0, tzh = 0, tzm = 0, sign = 0, prec;
	size_t i;
	int64_t minutes;

	if (n < 4 || digits(s, 4, &y) || y < 1)
		return -1;
	prec = FHIR_DATE_YEAR;
	if (n == 4)
		goto done;
	if (n < 7 || s[4] != '-' || digits(s + 5, 2, &m) || m < 1 || m > 12)
		return -1;
	d = 15;
	prec = FHIR_DATE_MONTH;
	if (n == 7)
		goto done;
	if (n < 10 || s[7] != '-' || digits(s + 8, 2, &d) || d < 1 || d > risk_days_in_month(y, m))
		return -1;
	prec = FHIR_DATE_DAY;
	if (n == 10)
		goto done;
	/* Time: Thh:mm:ss(.fraction)? then Z or +hh:mm / -hh:mm (required by R4 when a time is given). */
	if (n < 19 || s[10] != 'T' || digits(s + 11, 2, &hh) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &ss) || hh > 24 || mi > 59 || ss > 60)
		return -1;
	i = 19;
	if (i < n && s[i] == '.') {
		size_t f = ++i;

		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f)
			return -1;
	}
	if (i < n && s[i] == 'Z') {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		sign = s[i] == '-' ? -1 : 1;
		if (n - i != 6 || digits(s + i + 1, 2, &tzh) || s[i + 3] != ':' || digits(s + i + 4, 2, &tzm) ||
		    tzh > 14 || tzm > 59)
			return -1;
		i += 6;
	} else {
		return -1;
	}
	if (i != n)
		return -1;
	prec = FHIR_DATE_TIME;
	/* Local time minus the zone offset is UTC; the day may move by one either way. */
	minutes = (int64_t)hh * 60 + mi - (int64_t)sign * (tzh * 60 + tzm);
	*day = risk_day_from_civil(y, m, d) + (int32_t)(minutes >= 0 ? minutes / 1440 : -((1439 - minutes) / 1440));
	*precision = prec;
	return 0;
done:
	*day = risk_day_from_civil(y, m, d);
	*precision = prec;
	return 0;
}

/* Exact powers of ten: a double holds 10^k exactly for k <= 22, so one multiply or divide is correctly rounded. */
static const double pow10_exact[23] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
					1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

int fhir_parse_decimal(const char *s, size_t n, double *out)
{
	size_t i = 0;
	int neg = 0, exp10 = 0, any = 0, dropped = 0;
	uint64_t mant = 0;
	double v;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, any = 1) {
		if (mant < (UINT64_C(1) << 53) / 10)
			mant = mant * 10 + (uint64_t)(s[i] - '0');
		else
			exp10++, dropped |= s[i] != '0';
	}
	if (!any)
		return -1;
	if (i < n && s[i] == '.') {
		int frac = 0;

		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, frac = 1) {
			if (mant < (UINT64_C(1) << 53) / 10)
				mant = mant * 10 + (uint64_t)(s[i] - '0'), exp10--;
			else
				dropped |= s[i] != '0';
		}
		if (!frac)
			return -1;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		int eneg = 0, e = 0, ed = 0;

		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, ed = 1)
			if (e < 10000)
				e = e * 10 + (s[i] - '0');
		if (!ed)
			return -1;
		exp10 += eneg ? -e : e;
	}
	if (i != n)
		return -1;
	(void)dropped; /* beyond 15-16 significant digits the value is rounded: clinical values never need them */
	v = (double)mant;
	if (mant == 0)
		exp10 = 0; /* zero with any exponent is zero (0e400 is not inf * 0) */
	if (exp10 >= 0 && exp10 <= 22)
		v *= pow10_exact[exp10];
	else if (exp10 < 0 && exp10 >= -22)
		v /= pow10_exact[-exp10];
	else
		v *= pow(10.0, exp10);
	if (!isfinite(v))
		return -1;
	*out = neg ? -v : v;
	return 0;
}

int fhir_parse_int(const char *s, size_t n, int32_t *out)
{
	size_t i = 0;
	int neg = 0;
	int64_t v = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > (int64_t)INT32_MAX + 1)
			return -1;
	}
	if (neg)
		v = -v;
	if (v < INT32_MIN || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}
