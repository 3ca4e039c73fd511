#define _GNU_SOURCE
#include "store_fixture.h"
#include "test_util.h"

#include <ftw.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

int sf_setup(void **state)
{
	struct sf *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/fls-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->db, sizeof(f->db), "%s/log.db", f->dir);
	for (int i = 0; i < STORE_KEY_BYTES; i++) {
		f->key[i] = (unsigned char)(0xA0 + i);
		f->other_key[i] = (unsigned char)(0x10 + 3 * i);
	}
	*state = f;
	return 0;
}

static int sf_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int sf_teardown(void **state)
{
	struct sf *f = *state;

	if (f) {
		nftw(f->dir, sf_rm, 16, FTW_DEPTH | FTW_PHYS);
		free(f);
	}
	return 0;
}

const char *sf_path(const struct sf *f, const char *name, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/%s", f->dir, name);
	return buf;
}

const char *sf_patient(char *buf, size_t cap, unsigned i)
{
	snprintf(buf, cap, "pat-%06u", i);
	return buf;
}

size_t sf_payload(char *buf, size_t cap, unsigned i)
{
	char pid[32];
	int n;

	/* Shaped like a decision: identifiers, demographics, risks, reasons, versions. */
	n = snprintf(
		buf, cap,
		"{\"type\":\"decision\",\"v\":1,\"patient\":\"%s\",\"nhs_number\":\"94%08u\","
		"\"name\":\"Testperson %u\",\"birth_date\":\"1941-0%u-1%u\",\"sex\":\"female\","
		"\"age\":%u,\"as_of\":\"2024-05-01\",\"fls_priority\":\"P%u\","
		"\"fls_reasons\":[\"FLS-HIP-12M\",\"FLS-VERT-ANY\"],\"falls_population\":\"yes\","
		"\"falls_referral\":\"no\",\"falls_reasons\":[\"FALLS-AGE-65\"],\"mof10\":%u.%u,"
		"\"hip10\":%u.%u,\"risk_status\":\"ok\",\"notes\":[\"DQ-BMI-MISSING\",\"DQ-SMOKING-"
		"DEFAULT\"],"
		"\"index_fracture\":{\"date\":\"2023-11-02\",\"site\":\"hip\"},"
		"\"versions\":{\"lib\":\"1.0.0\",\"model\":\"QFracture-2012\",\"codes\":\"2024.1\"}"
		","
		"\"source\":\"practice-list.xml\",\"padding\":"
		"\"abcdefghijklmnopqrstuvwxyzabcdefghij"
		"klmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789\"}",
		sf_patient(pid, sizeof(pid), i), i, i, 1 + i % 9, i % 10, 60 + i % 40, 1 + i % 3,
		i % 50, i % 10, i % 20, i % 10);
	assert_true(n > 0 && (size_t)n < cap);
	return (size_t)n;
}

struct store *sf_open(struct sf *f, int readonly, int busy_ms)
{
	struct store_opts o;
	struct store *s = NULL;
	fls_status st;

	memset(&o, 0, sizeof(o));
	o.readonly = readonly;
	o.busy_timeout_ms = busy_ms;
	st = store_open_ex(&s, NULL, f->db, f->key, &o, &f->d);
	if (st != FLS_OK)
		print_error("store_open_ex: %d %s\n", st, f->d.msg);
	assert_int_equal(st, FLS_OK);
	assert_non_null(s);
	return s;
}

void sf_append_batch(struct store *s, unsigned first, unsigned n)
{
	char buf[2048], pid[32];

	assert_int_equal(store_begin(s), FLS_OK);
	for (unsigned i = first; i < first + n; i++) {
		size_t len = sf_payload(buf, sizeof(buf), i);
		fls_status st = store_append(s, STORE_KIND_DECISION,
					     sf_patient(pid, sizeof(pid), i), buf, len);

		if (st != FLS_OK)
			print_error("store_append: %s\n", store_errmsg(s));
		assert_int_equal(st, FLS_OK);
	}
	assert_int_equal(store_commit(s), FLS_OK);
}

int sf_raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *err = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 5000);
		rc = sqlite3_exec(db, sql, NULL, NULL, &err);
		if (rc != SQLITE_OK)
			print_message("raw sql: %s\n", err ? err : "?");
		sqlite3_free(err);
	}
	sqlite3_close(db);
	return rc;
}

int64_t sf_raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

int sf_file_contains(const char *path, const void *needle, size_t n)
{
	size_t len = 0;
	FILE *fp = fopen(path, "rb");
	char *p;
	int found;
	long sz;

	if (!fp)
		return 0;
	if (fseek(fp, 0, SEEK_END) != 0 || (sz = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		return 0;
	}
	p = malloc((size_t)sz + 1);
	assert_non_null(p);
	len = fread(p, 1, (size_t)sz, fp);
	fclose(fp);
	found = n <= len && memmem(p, len, needle, n) != NULL;
	free(p);
	return found;
}

long sf_file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

char *tu_read_file_bytes(const char *path, size_t *len)
{
	*len = 0;
	return tu_read_file(path, len);
}
