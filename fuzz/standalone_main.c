/*
 * Replay driver: runs a fuzz target's LLVMFuzzerTestOneInput over files, without libFuzzer, so that every
 * seed and every crash ever found is re-run by ctest with any compiler (and under valgrind or the
 * sanitizers). Arguments are files or directories (their regular files, in name order, dot files
 * skipped). A missing directory is noted and skipped (an empty regress/ folder is not in git); replaying
 * nothing at all is a failure, so a mistyped path cannot pass silently. An input that runs longer than
 * FLS_REPLAY_TIMEOUT seconds (default 30; raise it under valgrind) is a hang, reported as a crash, as
 * libFuzzer's -timeout does.
 */
#define _GNU_SOURCE /* scandir, alphasort */

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/fuzz_util.h"

static char current[4096];

/* Async-signal-safe: write(2) and abort() only. */
static void on_alarm(int sig)
{
	static const char a[] = "replay: timeout (a hang) in ", b[] = "\n";

	(void)sig;
	(void)!write(2, a, sizeof(a) - 1);
	(void)!write(2, current, strnlen(current, sizeof(current)));
	(void)!write(2, b, 1);
	abort();
}

static unsigned timeout_secs(void)
{
	const char *v = getenv("FLS_REPLAY_TIMEOUT");
	unsigned long n = v ? strtoul(v, NULL, 10) : 0;

	return n > 0 && n < 86400 ? (unsigned)n : 30;
}

static int replay_file(const char *path)
{
	size_t len = 0;
	char *buf = fuzz_read_file(path, &len);
	uint8_t *copy;

	if (!buf) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		return -1;
	}
	/* An exact-size copy, so that AddressSanitizer sees any read past the input's end. */
	copy = malloc(len ? len : 1);
	if (!copy) {
		free(buf);
		return -1;
	}
	memcpy(copy, buf, len);
	free(buf);
	printf("replay: %s (%zu bytes)\n", path, len);
	fflush(stdout);
	snprintf(current, sizeof(current), "%s", path);
	alarm(timeout_secs());
	LLVMFuzzerTestOneInput(copy, len);
	alarm(0);
	free(copy);
	return 0;
}

static int skip_name(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static int replay_dir(const char *dir, unsigned long *count)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, skip_name, alphasort), rc = 0;

	if (n < 0) {
		fprintf(stderr, "replay: cannot list %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		int w = snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);

		if (w > 0 && (size_t)w < sizeof(path) && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(path))
				rc = -1;
			else
				++*count;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	int rc = 0;

	signal(SIGALRM, on_alarm);
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) != 0) {
			printf("replay: %s is absent, skipped\n", argv[i]);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count))
				rc = 1;
		} else if (replay_file(argv[i])) {
			rc = 1;
		} else {
			count++;
		}
	}
	printf("replay: %lu inputs, none crashed\n", count);
	if (!count) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	return rc;
}
