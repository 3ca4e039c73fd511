#include "cli/inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int push(struct cli_inputs *in, const char *a, const char *b)
{
	size_t la = strlen(a), lb = b ? strlen(b) : 0;
	char *p;

	if (in->n == in->cap) {
		size_t ncap = in->cap ? in->cap * 2 : 16;
		char **np = realloc(in->paths, ncap * sizeof(*np));

		if (!np)
			return -1;
		in->paths = np;
		in->cap = ncap;
	}
	if (!(p = malloc(la + lb + 2)))
		return -1;
	memcpy(p, a, la);
	if (b) {
		p[la] = '/';
		memcpy(p + la + 1, b, lb + 1);
	} else {
		p[la] = '\0';
	}
	in->paths[in->n++] = p;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_inputs_add(struct cli_inputs *in, const char *path)
{
	struct stat st;
	DIR *dir;
	struct dirent *e;
	size_t first = in->n;

	if (stat(path, &st)) {
		fprintf(stderr, "fls: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return push(in, path, NULL);
	if (!(dir = opendir(path))) {
		fprintf(stderr, "fls: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(dir))) {
		size_t n = strlen(e->d_name);
		char full[4096];
		struct stat fst;

		if (n < 5 || strcmp(e->d_name + n - 4, ".xml") || e->d_name[0] == '.')
			continue;
		if (snprintf(full, sizeof(full), "%s/%s", path, e->d_name) >= (int)sizeof(full) || stat(full, &fst) ||
		    !S_ISREG(fst.st_mode))
			continue;
		if (push(in, path, e->d_name)) {
			closedir(dir);
			return -1;
		}
	}
	closedir(dir);
	qsort(in->paths + first, in->n - first, sizeof(*in->paths), by_name);
	if (in->n == first) { /* nothing to screen is an error, not an empty success */
		fprintf(stderr, "fls: %s holds no .xml files (subdirectories are not read)\n", path);
		return -1;
	}
	return 0;
}

void cli_inputs_free(struct cli_inputs *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->paths[i]);
	free(in->paths);
	in->paths = NULL;
	in->n = in->cap = 0;
}
