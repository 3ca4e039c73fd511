#include "util/json.h"

#include <stdio.h>
#include <string.h>

fls_status fls_json_str(struct fls_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	fls_status st;
	const char *run;

	if (!s)
		return fls_buf_puts(b, "null");
	if ((st = fls_buf_append(b, "\"", 1)))
		return st;
	for (run = s; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[7];
		size_t n = 0;

		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c, n = 2;
		} else if (c < 0x20) {
			esc[0] = '\\', esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[c >> 4],
			esc[5] = hex[c & 15], n = 6;
		} else {
			continue;
		}
		if ((st = fls_buf_append(b, run, (size_t)(s - run))) || (st = fls_buf_append(b, esc, n)))
			return st;
		run = s + 1;
	}
	if ((st = fls_buf_append(b, run, (size_t)(s - run))))
		return st;
	return fls_buf_append(b, "\"", 1);
}
