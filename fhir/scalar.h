/*
 * FHIR primitive parsers (dates, dateTimes, instants, decimals, integers): strict, ASCII only, full-length
 * matches, range-checked, and independent of the host's locale (STYLE.md §2 "Numbers without the locale").
 */
#ifndef FLS_FHIR_SCALAR_H
#define FLS_FHIR_SCALAR_H

#include <stddef.h>
#include <stdint.h>

enum fhir_date_precision { FHIR_DATE_YEAR = 1, FHIR_DATE_MONTH = 2, FHIR_DATE_DAY = 3, FHIR_DATE_TIME = 4 };

/*
 * Parse a FHIR date, dateTime or instant (s[0..n)) into a UTC calendar day number. A time with a zone
 * offset is converted to UTC first (clinical-rules 7.1), so 2025-03-01T00:30:00+01:00 is 2025-02-28.
 * Partial dates follow clinical-rules 7.1: YYYY-MM is the 15th, YYYY is 1 July. Returns 0 and sets *day
 * and *precision, or -1 when the text is not a valid date.
 */
int fhir_parse_date(const char *s, size_t n, int32_t *day, int *precision);

/* FHIR decimal (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?), leading zeros tolerated. 0 or -1. */
int fhir_parse_decimal(const char *s, size_t n, double *out);

/* FHIR integer (-?[0-9]+, within int32). 0 or -1. */
int fhir_parse_int(const char *s, size_t n, int32_t *out);

#endif
