#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

const char *tu_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

const char *tu_shared_path(const char *rel, char *buf, size_t cap)
{
	const char *shared = tu_env("FLS_SHARED");
	struct stat st;
	int n;

	if (!shared)
		return NULL;
	n = snprintf(buf, cap, "%s/%s", shared, rel);
	if (n < 0 || (size_t)n >= cap || stat(buf, &st) != 0)
		return NULL;
	return buf;
}

char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1))) {
		if (fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		} else {
			p[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return p;
}

int tu_csv_split(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *out, *start;

		if (n == max)
			return -1;
		if (*p == '"') {
			start = out = ++p;
			for (;;) {
				if (!*p)
					return -1;
				if (*p == '"') {
					if (p[1] == '"') {
						*out++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*out++ = *p++;
			}
			*out = '\0';
		} else {
			start = p;
			while (*p && *p != ',')
				p++;
		}
		fields[n++] = start;
		if (*p == ',') {
			*p++ = '\0';
			continue;
		}
		return *p ? -1 : n;
	}
}
