/* Helpers shared by the store tests: a scratch directory, keys, payloads, raw SQLite access. */
#ifndef FLS_TESTS_STORE_FIXTURE_H
#define FLS_TESTS_STORE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct sf {
	char dir[512]; /* a fresh directory, removed at teardown */
	char db[600]; /* dir/log.db */
	unsigned char key[STORE_KEY_BYTES];
	unsigned char other_key[STORE_KEY_BYTES];
	struct fls_diag d;
};

/* cmocka setup/teardown: *state becomes a struct sf. */
int sf_setup(void **state);
int sf_teardown(void **state);

/* dir/name into buf. */
const char *sf_path(const struct sf *f, const char *name, char *buf, size_t cap);

/*
 * A decision payload of about 600 bytes, like the plugin's: JSON naming patient i (identifier
 * "pat-<i>", NHS number, name, birth date) so that each record is distinct.
 */
size_t sf_payload(char *buf, size_t cap, unsigned i);
/* The identifier sf_payload uses for patient i. */
const char *sf_patient(char *buf, size_t cap, unsigned i);

/* Open f->db with f->key (read-write unless readonly) and the given busy timeout (0 = default). */
struct store *sf_open(struct sf *f, int readonly, int busy_ms);
/* Append records first..first+n-1 in one batch (asserts success). */
void sf_append_batch(struct store *s, unsigned first, unsigned n);

/*
 * Run SQL on a raw connection to path (no triggers in the way once it drops them). Returns SQLite
 * rc.
 */
int sf_raw_exec(const char *path, const char *sql);
/* One integer from SQL on a raw connection; -1 on error. */
int64_t sf_raw_int(const char *path, const char *sql);

/* The whole file at path (malloc'd, may hold NULs; *len its size); NULL when absent. */
char *tu_read_file_bytes(const char *path, size_t *len);
/* Size of the file at path, or -1 when there is none. */
long sf_file_size(const char *path);
/* 1 when needle occurs in the file at path (0 when absent or the file does not exist). */
int sf_file_contains(const char *path, const void *needle, size_t n);

#endif
