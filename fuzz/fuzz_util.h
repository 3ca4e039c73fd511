/*
 * Helpers shared by the fuzz targets (fuzz/fuzz_<name>.c). Each target defines LLVMFuzzerTestOneInput and
 * is linked twice: with libFuzzer (clang, -fsanitize=fuzzer) and with fuzz/standalone_main.c, which replays
 * files as a ctest case with any compiler (STYLE.md §5, libgit2's fuzzers/standalone_driver.c).
 *
 * A target may create expensive read-only state (a session with the code sets loaded, a template store)
 * once per process on its first input; everything that depends on the input is freed before it returns.
 */
#ifndef FLS_FUZZ_FUZZ_UTIL_H
#define FLS_FUZZ_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry point every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The run-time data directory (codes/, models/): $FLS_DATADIR when set, else <dir of the executable>/../
 * share/fls, where the build tree lays it out. Never NULL; aborts when neither exists, since a target
 * without its data would fuzz nothing.
 */
const char *fuzz_data_dir(void);

/* A private scratch directory for this process (removed at exit), e.g. for files the input becomes. */
const char *fuzz_tmp_dir(void);

/* dir/name into buf (aborts when it does not fit). */
const char *fuzz_path(char *buf, size_t cap, const char *dir, const char *name);

/* Write p[0..n) to path, replacing it. 0 or -1. */
int fuzz_write_file(const char *path, const void *p, size_t n);

/* The whole file at path (malloc'd, NUL-terminated; *len its size), or NULL. */
char *fuzz_read_file(const char *path, size_t *len);

/* An invariant does not hold: say which, then abort() so that libFuzzer records the input as a crash. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Fail unless s is a NUL-terminated string of at most max bytes (checks what the library reports). */
void fuzz_check_msg(const char *what, const char *s, size_t max);

#endif
