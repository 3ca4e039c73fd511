/*
 * The session logs every decision (issue 5, "Integration"): synchronously and through the background
 * writer, across several screening calls, with a clinician outcome after them; the log verifies, holds
 * one record per patient screened, finds a patient through the index, and holds no identifier in clear.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "plugin/session.h"
#include "store/store.h"
#include "test_util.h"

#define BIRTH_P01 "1948-03-12" /* p01 in samples/practice-small.xml */

static char dir[4096], db[4300], sample[4300];
static unsigned char key[STORE_KEY_BYTES];

static int count_result(void *user, const fls_result *res)
{
	(void)res;
	++*(int *)user;
	return 0;
}

static fls_session *open_session(int async)
{
	fls_config cfg;
	fls_session *sess = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = sizeof(cfg);
	cfg.data_dir = tu_env("FLS_DATADIR");
	cfg.as_of = "2026-11-01";
	cfg.store_path = db;
	cfg.store_key = key;
	cfg.store_key_len = sizeof(key);
	cfg.store_batch = 5; /* several commits per sample file */
	cfg.store_async = (uint32_t)async;
	assert_int_equal(plg_session_new(&sess, NULL, &cfg), FLS_OK);
	return sess;
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/fls-e2e-store-XXXXXX";

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(dir, sizeof(dir), "%s", tmpl);
	snprintf(db, sizeof(db), "%s/log.db", dir);
	snprintf(sample, sizeof(sample), "%s/samples/practice-small.xml", tu_env("FLS_SOURCE_DIR"));
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)(i * 7 + 3);
	return 0;
}

static int teardown(void **state)
{
	char path[4400];

	(void)state;
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/log.db%s", dir, i == 0 ? "" : i == 1 ? "-wal" : "-shm");
		unlink(path);
	}
	rmdir(dir);
	return 0;
}

struct exported {
	int decisions, outcomes;
};

static int on_record(void *ctx, const struct store_record *rec)
{
	struct exported *e = ctx;

	if (rec->kind == STORE_KIND_DECISION) {
		e->decisions++;
		assert_non_null(strstr(rec->payload, "\"versions\""));
		assert_non_null(strstr(rec->payload, "\"fls_priority\""));
	} else {
		e->outcomes++;
		assert_non_null(strstr(rec->payload, "accepted"));
	}
	return 0;
}

static void every_decision_is_logged_sync_and_async(void **state)
{
	int n = 0;
	fls_sink sink = { sizeof(sink), &n, count_result, NULL, NULL };
	fls_session *sess;
	struct store *s = NULL;
	struct fls_diag d = { "" };
	uint64_t records = 0, bad = 0;
	struct exported e = { 0, 0 };
	size_t len = 0;
	char *bytes;

	(void)state;
	sess = open_session(0);
	assert_int_equal(plg_screen_file(sess, sample, &sink), FLS_OK);
	plg_session_free(sess);
	sess = open_session(1);
	assert_int_equal(plg_screen_file(sess, sample, &sink), FLS_OK);
	assert_int_equal(plg_screen_file(sess, sample, &sink), FLS_OK);
	assert_int_equal(plg_record_outcome(sess, "p01", "accepted", "Dr Test", "seen in clinic"), FLS_OK);
	assert_int_equal(plg_record_outcome(sess, "p01", "maybe", "Dr Test", NULL), FLS_EINVAL);
	plg_session_free(sess);
	assert_int_equal(n, 3 * 14);

	assert_int_equal(store_open(&s, &fls_mem_libc, db, key, &d), FLS_OK);
	assert_int_equal(store_verify(s, &records, &bad, &d), FLS_OK);
	assert_int_equal(records, 3 * 14 + 1);
	assert_int_equal(store_export(s, "p01", on_record, &e, &d), FLS_OK);
	assert_int_equal(e.decisions, 3);
	assert_int_equal(e.outcomes, 1);
	store_close(s);

	/* nothing identifying in clear: p01's NHS number, id and birth date (samples/practice-small.xml) */
	assert_non_null(bytes = tu_read_file(db, &len));
	for (size_t i = 0; i + 10 <= len; i++) {
		assert_false(!memcmp(bytes + i, "9990000018", 10));
		assert_false(!memcmp(bytes + i, BIRTH_P01, 10));
		assert_false(!memcmp(bytes + i, "\"p01\"", 5));
	}
	free(bytes);
}

static void outcomes_need_a_store(void **state)
{
	fls_config cfg;
	fls_session *sess = NULL;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = sizeof(cfg);
	cfg.data_dir = tu_env("FLS_DATADIR");
	assert_int_equal(plg_session_new(&sess, NULL, &cfg), FLS_OK);
	assert_int_equal(plg_record_outcome(sess, "p01", "accepted", "Dr Test", NULL), FLS_ESTORE);
	assert_non_null(strstr(plg_session_errmsg(sess), "no decision store"));
	plg_session_free(sess);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_decision_is_logged_sync_and_async),
		cmocka_unit_test(outcomes_need_a_store),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
