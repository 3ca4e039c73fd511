#include "store/json.h"

#include <stdint.h>
#include <string.h>

/* Length of the UTF-8 sequence at p (at most end - p bytes), or 0 when it is malformed. */
static size_t json_utf8_seq(const unsigned char *p, const unsigned char *end)
{
	size_t n, avail = (size_t)(end - p);
	uint32_t cp, min;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xE0) == 0xC0) {
		n = 2;
		cp = p[0] & 0x1Fu;
		min = 0x80;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3;
		cp = p[0] & 0x0Fu;
		min = 0x800;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4;
		cp = p[0] & 0x07u;
		min = 0x10000;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3Fu);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

int store_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		size_t k = json_utf8_seq(p, end);

		if (!k)
			return 0;
		p += k;
	}
	return 1;
}

struct json_in {
	const unsigned char *p, *end;
};

static void json_ws(struct json_in *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int json_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * Does any of the 8 bytes need a closer look (control character, quote, backslash, non-ASCII)? The
 * "has a byte less than n" bit trick is exact for whether any byte qualifies, which is all we ask.
 */
static int json_word_special(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	uint64_t quote = v ^ (ones * '"'), bslash = v ^ (ones * '\\');

	return (((v - ones * 0x20) & ~v) | ((quote - ones) & ~quote) | ((bslash - ones) & ~bslash) |
		v) & high
		? 1
		: 0;
}

static int json_string(struct json_in *j)
{
	if (j->p >= j->end || *j->p != '"')
		return 0;
	j->p++;
	while (j->p < j->end) {
		unsigned char c;
		uint64_t w;

		/* Plain ASCII runs dominate a decision record: skip them 8 bytes at a time. */
		while (j->end - j->p >= 8) {
			memcpy(&w, j->p, 8);
			if (json_word_special(w))
				break;
			j->p += 8;
		}
		if (j->p >= j->end)
			break;
		c = *j->p;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') { /* the common case, first */
			j->p++;
			continue;
		}
		if (c == '"') {
			j->p++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (++j->p >= j->end)
				return 0;
			c = *j->p++;
			if (c == 'u') {
				if (j->end - j->p < 4 || !json_hex(j->p[0]) || !json_hex(j->p[1]) ||
				    !json_hex(j->p[2]) || !json_hex(j->p[3]))
					return 0;
				j->p += 4;
			} else if (c != '"' && c != '\\' && c != '/' && c != 'b' && c != 'f' &&
				   c != 'n' && c != 'r' && c != 't') {
				return 0;
			}
			continue;
		}
		{
			size_t k = json_utf8_seq(j->p, j->end);

			if (!k)
				return 0;
			j->p += k;
		}
	}
	return 0;
}

static int json_digits(struct json_in *j)
{
	const unsigned char *start = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > start;
}

static int json_number(struct json_in *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end)
		return 0;
	if (*j->p == '0')
		j->p++;
	else if (!json_digits(j))
		return 0;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!json_digits(j))
			return 0;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!json_digits(j))
			return 0;
	}
	return 1;
}

static int json_word(struct json_in *j, const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (j->p + i >= j->end || j->p[i] != (unsigned char)w[i])
			return 0;
	j->p += n;
	return 1;
}

/* Recursive descent; depth is bounded by STORE_JSON_MAX_DEPTH, so the stack is too. */
static int json_value(struct json_in *j, int depth)
{
	unsigned char c;

	json_ws(j);
	if (j->p >= j->end)
		return 0;
	c = *j->p;
	if (c == '{' || c == '[') {
		unsigned char close = c == '{' ? '}' : ']';

		if (depth >= STORE_JSON_MAX_DEPTH)
			return 0;
		j->p++;
		json_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 1;
		}
		for (;;) {
			if (c == '{') {
				json_ws(j);
				if (!json_string(j))
					return 0;
				json_ws(j);
				if (j->p >= j->end || *j->p != ':')
					return 0;
				j->p++;
			}
			if (!json_value(j, depth + 1))
				return 0;
			json_ws(j);
			if (j->p >= j->end)
				return 0;
			if (*j->p == close) {
				j->p++;
				return 1;
			}
			if (*j->p != ',')
				return 0;
			j->p++;
		}
	}
	if (c == '"')
		return json_string(j);
	if (c == 't')
		return json_word(j, "true", 4);
	if (c == 'f')
		return json_word(j, "false", 5);
	if (c == 'n')
		return json_word(j, "null", 4);
	return json_number(j);
}

int store_json_valid(const void *p, size_t n)
{
	struct json_in j;

	if (!p)
		return 0;
	j.p = p;
	j.end = j.p + n;
	if (!json_value(&j, 0))
		return 0;
	json_ws(&j);
	return j.p == j.end;
}

fls_status store_json_put_string(struct fls_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	fls_status st;
	size_t run = 0;

	if (!store_utf8_valid(s, n))
		return FLS_EINVAL;
	if ((st = fls_buf_append(b, "\"", 1)))
		return st;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t k = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (c == 0)
			return FLS_EINVAL;
		if ((st = fls_buf_append(b, s + run, i - run)))
			return st;
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			k = 6;
		}
		if ((st = fls_buf_append(b, esc, k)))
			return st;
	}
	if ((st = fls_buf_append(b, s + run, n - run)))
		return st;
	return fls_buf_append(b, "\"", 1);
}
