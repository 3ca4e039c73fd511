/* Helpers shared by the fuzz targets: data and scratch directories, files, invariant failures. */
#define _GNU_SOURCE /* nftw's FTW_PHYS, mkdtemp, readlink */

#include "fuzz/fuzz_util.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fuzz_datadir[4096];
static char fuzz_tmpdir[4096];

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz invariant failed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void fuzz_check_msg(const char *what, const char *s, size_t max)
{
	if (!s)
		fuzz_fail("%s: NULL message", what);
	if (strnlen(s, max + 1) > max)
		fuzz_fail("%s: message longer than %zu bytes", what, max);
}

const char *fuzz_path(char *buf, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(buf, cap, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= cap)
		fuzz_fail("path %s/%s does not fit", dir, name);
	return buf;
}

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *fuzz_data_dir(void)
{
	const char *env = getenv("FLS_DATADIR");
	char exe[4096];
	ssize_t n;
	char *slash;

	if (fuzz_datadir[0])
		return fuzz_datadir;
	if (env && *env && is_dir(env)) {
		snprintf(fuzz_datadir, sizeof(fuzz_datadir), "%s", env);
		return fuzz_datadir;
	}
	/* /proc/self/exe rather than argv[0]: libFuzzer's argv[0] may be a bare name. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/'))) {
			*slash = '\0';
			n = snprintf(fuzz_datadir, sizeof(fuzz_datadir), "%s/../share/fls", exe);
			if (n > 0 && (size_t)n < sizeof(fuzz_datadir) && is_dir(fuzz_datadir))
				return fuzz_datadir;
		}
	}
	fuzz_fail("no run-time data: set FLS_DATADIR or run the target from <build>/bin");
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void tmp_cleanup(void)
{
	if (fuzz_tmpdir[0])
		nftw(fuzz_tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_tmp_dir(void)
{
	const char *base = getenv("TMPDIR");
	int n;

	if (fuzz_tmpdir[0])
		return fuzz_tmpdir;
	n = snprintf(fuzz_tmpdir, sizeof(fuzz_tmpdir), "%s/fls-fuzz-XXXXXX", base && *base ? base : "/tmp");
	if (n < 0 || (size_t)n >= sizeof(fuzz_tmpdir) || !mkdtemp(fuzz_tmpdir))
		fuzz_fail("cannot create a scratch directory under %s", base && *base ? base : "/tmp");
	atexit(tmp_cleanup);
	return fuzz_tmpdir;
}

int fuzz_write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (!f)
		return -1;
	if (n && fwrite(p, 1, n, f) != n)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

char *fuzz_read_file(const char *path, size_t *len)
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
			*len = (size_t)n;
		}
	}
	fclose(f);
	return p;
}
