/*
 * Strict, locale-independent decimal text to the nearest IEEE-754 double (round half to even), so that
 * the coefficient literals of the QFracture-2012 source, and the inputs of `fls risk`, become exactly
 * the doubles the reference compiler made of them (qfracture-reference.md §8-9). Pure computation.
 */
#ifndef FLS_RISK_QF_DECIMAL_H
#define FLS_RISK_QF_DECIMAL_H

#include <stddef.h>

/* Longest digit string (integer and fraction digits together) accepted. */
#define QF_DECIMAL_MAX_DIGITS 120

/*
 * Parse s[0..n) as -?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)? (ASCII, the whole text, no spaces, no '+' sign
 * on the number) into the correctly rounded double. Zero (of either sign) and magnitudes in
 * [1e-300, 1e300) are accepted; anything else (syntax, more than QF_DECIMAL_MAX_DIGITS digits, an
 * exponent beyond +-999, a magnitude outside that range) returns -1 and leaves *out untouched. 0 on success.
 */
int qf_decimal_parse(const char *s, size_t n, double *out);

#endif
