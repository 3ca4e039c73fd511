#include "risk/day.h"

#include <stdio.h>

/* Howard Hinnant's days_from_civil / civil_from_days (public domain), exact for every int32 day. */
int32_t risk_day_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

void risk_civil_from_day(int32_t day, int *y, int *m, int *d)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;

	*y = (int)(yoe + era * 400 + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

int risk_days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12)
		return 0;
	return dim[m - 1] + (m == 2 && leap);
}

int32_t risk_day_add_months(int32_t day, int n)
{
	int y, m, d, dim;
	long total;

	if (day == RISK_NO_DAY)
		return RISK_NO_DAY;
	risk_civil_from_day(day, &y, &m, &d);
	total = (long)y * 12 + (m - 1) + n;
	y = (int)(total >= 0 ? total / 12 : (total - 11) / 12);
	m = (int)(total - (long)y * 12) + 1;
	dim = risk_days_in_month(y, m);
	if (d > dim)
		d = dim;
	return risk_day_from_civil(y, m, d);
}

int risk_completed_years(int32_t birth, int32_t day)
{
	int by, bm, bd, y, m, d, age;

	if (birth == RISK_NO_DAY || day == RISK_NO_DAY || day < birth)
		return -1;
	risk_civil_from_day(birth, &by, &bm, &bd);
	risk_civil_from_day(day, &y, &m, &d);
	age = y - by;
	/* Born on 29 February: the birthday in a common year is taken as 1 March (UK legal reading). */
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}

void risk_day_format(int32_t day, char out[11])
{
	int y, m, d;

	if (day == RISK_NO_DAY) {
		out[0] = '\0';
		return;
	}
	risk_civil_from_day(day, &y, &m, &d);
	if (y < 0 || y > 9999) {
		out[0] = '\0';
		return;
	}
	/* y, m and d are in range here, so the text is exactly 10 characters. */
	if (snprintf(out, 11, "%04d-%02d-%02d", y, m, d) != 10)
		out[0] = '\0';
}
