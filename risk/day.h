/*
 * Calendar dates as day numbers (days since 1970-01-01, proleptic Gregorian), the only time unit the
 * rules use. Pure arithmetic: no clocks, no time zones, no locale.
 */
#ifndef FLS_RISK_DAY_H
#define FLS_RISK_DAY_H

#include <stdint.h>

#define RISK_NO_DAY INT32_MIN

/* Day number of y-m-d (m 1-12, d 1-31; not validated here). */
int32_t risk_day_from_civil(int y, int m, int d);
void risk_civil_from_day(int32_t day, int *y, int *m, int *d);
/* Days in month m of year y. */
int risk_days_in_month(int y, int m);
/* day + n calendar months, keeping the day of the month clamped to the month's end (D4). */
int32_t risk_day_add_months(int32_t day, int n);
/* Completed years from birth to day (D1): -1 when day is before birth or either is RISK_NO_DAY. */
int risk_completed_years(int32_t birth, int32_t day);
/* "YYYY-MM-DD" into out (11 bytes); "" for RISK_NO_DAY. */
void risk_day_format(int32_t day, char out[11]);

#endif
