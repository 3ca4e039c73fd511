#include "fhir/ref.h"

#include <string.h>

static int is_type_char0(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int put(char out[FHIR_KEY_MAX], const char *a, size_t an, const char *b, size_t bn)
{
	if (an + bn + 1 > FHIR_KEY_MAX || an + bn == 0)
		return -1;
	memcpy(out, a, an);
	if (bn)
		memcpy(out + an, b, bn);
	out[an + bn] = '\0';
	return (int)(an + bn);
}

int fhir_ref_key(const char *s, size_t n, const char *default_type, char out[FHIR_KEY_MAX])
{
	const char *segs[8];
	size_t lens[8], k = 0, i, start;

	while (n && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (!n)
		return -1;
	if (s[0] == '#' || (n > 4 && !memcmp(s, "urn:", 4)))
		return put(out, s, n, NULL, 0);
	if (!memchr(s, '/', n)) {
		if (memchr(s, ':', n) || !default_type)
			return put(out, s, n, NULL, 0);
		{
			size_t tn = strlen(default_type);
			char tmp[FHIR_KEY_MAX];

			if (tn + 1 + n + 1 > FHIR_KEY_MAX)
				return -1;
			memcpy(tmp, default_type, tn);
			tmp[tn] = '/';
			return put(out, tmp, tn + 1, s, n);
		}
	}
	/* Split on '/', drop a trailing _history/<v>, and keep the last Type/id pair. */
	for (i = 0, start = 0; i <= n; i++) {
		if (i == n || s[i] == '/') {
			if (i > start) {
				if (k == 8) {
					memmove(segs, segs + 1, 7 * sizeof(segs[0]));
					memmove(lens, lens + 1, 7 * sizeof(lens[0]));
					k = 7;
				}
				segs[k] = s + start;
				lens[k++] = i - start;
			}
			start = i + 1;
		}
	}
	if (k >= 4 && lens[k - 2] == 8 && !memcmp(segs[k - 2], "_history", 8))
		k -= 2;
	if (k >= 2 && is_type_char0(segs[k - 2][0])) {
		for (i = 0; i < lens[k - 2]; i++)
			if (!is_alpha(segs[k - 2][i]))
				break;
		if (i == lens[k - 2]) {
			char tmp[FHIR_KEY_MAX];

			if (lens[k - 2] + 1 >= FHIR_KEY_MAX)
				return -1;
			memcpy(tmp, segs[k - 2], lens[k - 2]);
			tmp[lens[k - 2]] = '/';
			return put(out, tmp, lens[k - 2] + 1, segs[k - 1], lens[k - 1]);
		}
	}
	return put(out, s, n, NULL, 0);
}

const char *fhir_key_type(const char *key, size_t *len)
{
	const char *slash;

	if (key[0] == '#' || !strncmp(key, "urn:", 4))
		return NULL;
	slash = strchr(key, '/');
	if (!slash)
		return NULL;
	*len = (size_t)(slash - key);
	return key;
}
