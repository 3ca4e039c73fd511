/*
 * Decimal text to the nearest double, exactly. The coefficient literals carry up to 25 significant
 * digits, so the usual "mantissa times a power of ten" shortcut can land one unit in the last place off,
 * and strtod() reads the host's LC_NUMERIC (STYLE.md §2). Instead the value D x 10^e is turned into a
 * ratio of two big integers, scaled by a power of two so that the quotient has 55-56 bits, divided
 * exactly, and rounded half to even with the remainder as the sticky bit. Parse-time only, so clarity
 * wins over speed: a few thousand limb operations per number.
 */
#include "risk/qf_decimal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* 72 x 32 bits: the largest operand is about 1,460 bits (1e-300 with 120 digits). */
#define QFD_LIMBS 72

struct qfd_big {
	uint32_t w[QFD_LIMBS]; /* little-endian limbs */
	size_t n;              /* limbs in use; the top one is non-zero (n = 0 is the value 0) */
};

static void big_set(struct qfd_big *b, uint32_t v)
{
	b->n = v ? 1 : 0;
	b->w[0] = v;
}

static int big_mul_add(struct qfd_big *b, uint32_t mul, uint32_t add)
{
	uint64_t carry = add;

	for (size_t i = 0; i < b->n; i++) {
		uint64_t t = (uint64_t)b->w[i] * mul + carry;

		b->w[i] = (uint32_t)t;
		carry = t >> 32;
	}
	if (carry) {
		if (b->n == QFD_LIMBS)
			return -1;
		b->w[b->n++] = (uint32_t)carry;
	}
	return 0;
}

static int big_mul_pow10(struct qfd_big *b, long k)
{
	for (; k >= 9; k -= 9)
		if (big_mul_add(b, 1000000000u, 0))
			return -1;
	for (; k > 0; k--)
		if (big_mul_add(b, 10u, 0))
			return -1;
	return 0;
}

static size_t big_bitlen(const struct qfd_big *b)
{
	if (!b->n)
		return 0;
	return 32 * (b->n - 1) + (size_t)(32 - __builtin_clz(b->w[b->n - 1]));
}

static int big_shl(struct qfd_big *b, size_t k)
{
	size_t limbs = k / 32, bits = k % 32, need;

	if (!b->n)
		return 0;
	need = b->n + limbs + (bits ? 1 : 0);
	if (need > QFD_LIMBS)
		return -1;
	if (bits) {
		b->w[b->n] = 0;
		for (size_t i = b->n; i > 0; i--)
			b->w[i] = (b->w[i] << bits) | (b->w[i - 1] >> (32 - bits));
		b->w[0] <<= bits;
		b->n++;
	}
	if (limbs) {
		memmove(b->w + limbs, b->w, b->n * sizeof(b->w[0]));
		memset(b->w, 0, limbs * sizeof(b->w[0]));
		b->n += limbs;
	}
	while (b->n && !b->w[b->n - 1])
		b->n--;
	return 0;
}

static void big_shr1(struct qfd_big *b)
{
	for (size_t i = 0; i < b->n; i++)
		b->w[i] = (b->w[i] >> 1) | (i + 1 < b->n ? b->w[i + 1] << 31 : 0);
	while (b->n && !b->w[b->n - 1])
		b->n--;
}

static int big_cmp(const struct qfd_big *a, const struct qfd_big *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (size_t i = a->n; i > 0; i--)
		if (a->w[i - 1] != b->w[i - 1])
			return a->w[i - 1] < b->w[i - 1] ? -1 : 1;
	return 0;
}

/* a -= b, where a >= b. */
static void big_sub(struct qfd_big *a, const struct qfd_big *b)
{
	uint64_t borrow = 0;

	for (size_t i = 0; i < a->n; i++) {
		uint64_t sub = (i < b->n ? b->w[i] : 0) + borrow;

		borrow = a->w[i] < sub;
		a->w[i] = (uint32_t)((uint64_t)a->w[i] - sub);
	}
	while (a->n && !a->w[a->n - 1])
		a->n--;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int qf_decimal_parse(const char *s, size_t n, double *out)
{
	unsigned char dig[QF_DECIMAL_MAX_DIGITS];
	size_t i = 0, nd = 0, total = 0, start;
	long e10 = 0, bits_num, bits_den, shift2;
	int neg = 0, shift;
	struct qfd_big num, den, t;
	uint64_t q = 0, m, rem, half;
	double x;

	if (!s)
		return -1;
	if (i < n && s[i] == '-')
		neg = 1, i++;
	/* Significant digits only: leading zeros are dropped, fraction digits move the exponent. */
	for (start = i; i < n && is_digit(s[i]); i++) {
		if (++total > QF_DECIMAL_MAX_DIGITS)
			return -1;
		if (nd || s[i] != '0')
			dig[nd++] = (unsigned char)(s[i] - '0');
	}
	if (i == start)
		return -1;
	if (i < n && s[i] == '.') {
		for (start = ++i; i < n && is_digit(s[i]); i++, e10--) {
			if (++total > QF_DECIMAL_MAX_DIGITS)
				return -1;
			if (nd || s[i] != '0')
				dig[nd++] = (unsigned char)(s[i] - '0');
		}
		if (i == start)
			return -1;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		long e = 0;
		int eneg = 0;

		if (++i < n && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		for (start = i; i < n && is_digit(s[i]); i++)
			if ((e = e * 10 + (s[i] - '0')) > 999)
				return -1;
		if (i == start)
			return -1;
		e10 += eneg ? -e : e;
	}
	if (i != n)
		return -1;
	while (nd && dig[nd - 1] == 0)
		nd--, e10++;
	if (!nd) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
	/* The value lies in [10^(nd+e10-1), 10^(nd+e10)): keep it within [1e-300, 1e300). */
	if ((long)nd + e10 > 300 || (long)nd + e10 < -299)
		return -1;

	big_set(&num, 0);
	for (size_t k = 0; k < nd; k++)
		if (big_mul_add(&num, 10u, dig[k]))
			return -1;
	big_set(&den, 1);
	if (big_mul_pow10(e10 >= 0 ? &num : &den, e10 >= 0 ? e10 : -e10))
		return -1;

	/* Scale by 2^shift2 so that q = floor(num / den) lies in (2^54, 2^56). */
	bits_num = (long)big_bitlen(&num);
	bits_den = (long)big_bitlen(&den);
	shift2 = 55 - (bits_num - bits_den);
	if (big_shl(shift2 >= 0 ? &num : &den, (size_t)(shift2 >= 0 ? shift2 : -shift2)))
		return -1;
	t = den;
	if (big_shl(&t, 55))
		return -1;
	for (int bit = 55; bit >= 0; bit--) {
		if (big_cmp(&num, &t) >= 0) {
			big_sub(&num, &t);
			q |= (uint64_t)1 << bit;
		}
		big_shr1(&t);
	}

	/* Round the 55-56 bit quotient to 53 bits, half to even; a non-zero remainder is sticky. */
	shift = (64 - __builtin_clzll(q)) - 53;
	m = q >> shift;
	rem = q & (((uint64_t)1 << shift) - 1);
	half = (uint64_t)1 << (shift - 1);
	if (rem > half || (rem == half && (num.n != 0 || (m & 1))))
		m++;
	x = ldexp((double)m, (int)(shift - shift2));
	if (!isfinite(x) || x == 0.0)
		return -1;
	*out = neg ? -x : x;
	return 0;
}
