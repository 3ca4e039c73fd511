/*
 * Tampering, done the way an attacker with the file would do it: a raw SQLite connection that drops
 * the append-only triggers and edits rows. Every case must fail verification at the right record.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store_fixture.h"

static const char drop_triggers[] =
	"DROP TRIGGER IF EXISTS log_no_update; DROP TRIGGER IF EXISTS log_no_delete;"
	"DROP TRIGGER IF EXISTS head_forward;"
	"DROP TRIGGER IF EXISTS head_no_delete; DROP TRIGGER IF EXISTS meta_no_update;";

/* Ten records: decisions, an outcome at 7, a record without a patient at 8. */
static void build_base(struct sf *f)
{
	struct store *s = sf_open(f, 0, 0);

	sf_append_batch(s, 1, 6);
	assert_int_equal(store_append_outcome(s, "pat-000002", STORE_OUTCOME_NOT_APPROPRIATE,
					      "Dr C", "frail"),
			 FLS_OK);
	assert_int_equal(store_append(s, STORE_KIND_DECISION, NULL, "{\"run\":\"summary\"}", 17),
			 FLS_OK);
	sf_append_batch(s, 9, 2);
	store_close(s);
	assert_int_equal(sf_raw_exec(f->db, drop_triggers), SQLITE_OK);
}

static void expect_ok(struct sf *f, uint64_t n_want)
{
	struct store *s = sf_open(f, 1, 0);
	uint64_t n = 0, bad = 1;

	assert_int_equal(store_verify(s, &n, &bad, &f->d), FLS_OK);
	assert_int_equal(n, n_want);
	assert_int_equal(bad, 0);
	store_close(s);
}

/* Verification fails with first_bad and a message containing what. */
static void expect_tamper(struct sf *f, uint64_t first_bad, const char *what)
{
	struct store *s = sf_open(f, 1, 0);
	uint64_t n = 0, bad = 0;
	fls_status st = store_verify(s, &n, &bad, &f->d);

	print_message("    verify: %s\n", f->d.msg);
	assert_int_equal(st, FLS_ETAMPER);
	assert_int_equal(bad, first_bad);
	if (first_bad) {
		char rec[64];

		snprintf(rec, sizeof(rec), "record %llu", (unsigned long long)first_bad);
		assert_non_null(strstr(f->d.msg, rec));
		assert_int_equal(n, first_bad - 1);
	}
	assert_non_null(strstr(f->d.msg, what));
	store_close(s);
}

/* Flip one byte (XOR 0x01) at offset off of blob column col of record seq. */
static void flip_blob(const char *path, uint64_t seq, const char *col, int off)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	unsigned char buf[4096];
	char sql[128];
	int n;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql), "SELECT %s FROM log WHERE seq = ?1", col);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_bytes(st, 0);
	assert_true(n > off && n <= (int)sizeof(buf));
	memcpy(buf, sqlite3_column_blob(st, 0), (size_t)n);
	sqlite3_finalize(st);
	buf[off < 0 ? n + off : off] ^= 0x01;
	snprintf(sql, sizeof(sql), "UPDATE log SET %s = ?1 WHERE seq = ?2", col);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, buf, n, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void untouched_log_verifies(void **state)
{
	build_base(*state);
	expect_ok(*state, 10);
}

static void flipped_seq_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	assert_int_equal(
		sf_raw_exec(f->db, "UPDATE log SET seq = (seq | 256) - (seq & 256) WHERE seq = 5"),
		SQLITE_OK);
	expect_tamper(f, 5, "missing");
}

static void flipped_ts_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	assert_int_equal(
		sf_raw_exec(f->db,
			    "UPDATE log SET ts_ms = (ts_ms | 1) - (ts_ms & 1) WHERE seq = 5"),
		SQLITE_OK);
	expect_tamper(f, 5, "chain MAC");
}

static void flipped_kind_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	/* decision (1) -> outcome (2): a valid kind, so only the AAD can tell. */
	assert_int_equal(
		sf_raw_exec(f->db, "UPDATE log SET kind = (kind | 3) - (kind & 3) WHERE seq = 5"),
		SQLITE_OK);
	expect_tamper(f, 5, "does not authenticate");
}

static void flipped_key_id_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	assert_int_equal(
		sf_raw_exec(f->db,
			    "UPDATE log SET key_id = (key_id | 2) - (key_id & 2) WHERE seq = 5"),
		SQLITE_OK);
	expect_tamper(f, 5, "key id");
}

static void flipped_pidx_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	flip_blob(f->db, 5, "pidx", 17);
	expect_tamper(f, 5, "chain MAC");
}

static void added_pidx_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	/* Record 8 names no patient; pin it on patient 1 by copying that patient's index. */
	assert_int_equal(sf_raw_exec(f->db,
				     "UPDATE log SET pidx = (SELECT pidx FROM log WHERE seq = 1) "
				     "WHERE seq = 8"),
			 SQLITE_OK);
	expect_tamper(f, 8, "chain MAC");
}

static void flipped_nonce_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	flip_blob(f->db, 5, "nonce", 11);
	expect_tamper(f, 5, "does not authenticate");
}

static void flipped_ciphertext_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	flip_blob(f->db, 5, "ct", 100);
	expect_tamper(f, 5, "does not authenticate");
}

static void flipped_tag_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	flip_blob(f->db, 7, "ct", -1); /* the last byte of the GCM tag, on the outcome record */
	expect_tamper(f, 7, "does not authenticate");
}

static void flipped_mac_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	flip_blob(f->db, 5, "mac", 0);
	expect_tamper(f, 5, "chain MAC");
}

static void flipped_last_mac_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	flip_blob(f->db, 10, "mac", 31);
	expect_tamper(f, 10, "chain MAC");
}

static void deleted_row_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	assert_int_equal(sf_raw_exec(f->db, "DELETE FROM log WHERE seq = 5"), SQLITE_OK);
	expect_tamper(f, 5, "missing");
}

static void deleted_first_row_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	assert_int_equal(sf_raw_exec(f->db, "DELETE FROM log WHERE seq = 1"), SQLITE_OK);
	expect_tamper(f, 1, "missing");
}

static void swapped_rows_are_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	assert_int_equal(sf_raw_exec(f->db,
				     "UPDATE log SET seq = 1000 WHERE seq = 4;"
				     "UPDATE log SET seq = 4 WHERE seq = 6;"
				     "UPDATE log SET seq = 6 WHERE seq = 1000;"),
			 SQLITE_OK);
	expect_tamper(f, 4, "does not authenticate");
}

static void renumbered_rows_are_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	/* Delete record 5 and close the gap by renumbering everything after it. */
	assert_int_equal(sf_raw_exec(f->db,
				     "DELETE FROM log WHERE seq = 5;"
				     "UPDATE log SET seq = seq + 1000 WHERE seq > 5;"
				     "UPDATE log SET seq = seq - 1001 WHERE seq > 1000;"
				     "UPDATE head SET seq = 9;"),
			 SQLITE_OK);
	expect_tamper(f, 5, "does not authenticate");
}

/* Build, with the other key, a log as long as the base one plus one, in another file. */
static void build_foreign(struct sf *f, char *path, size_t cap)
{
	struct store *s = NULL;

	sf_path(f, "foreign.db", path, cap);
	assert_int_equal(store_open(&s, NULL, path, f->other_key, &f->d), FLS_OK);
	sf_append_batch(s, 1, 11);
	store_close(s);
}

static void row_from_another_key_appended_is_detected(void **state)
{
	struct sf *f = *state;
	char foreign[700], sql[1024];

	build_base(f);
	build_foreign(f, foreign, sizeof(foreign));
	snprintf(sql, sizeof(sql),
		 "ATTACH '%s' AS o; INSERT INTO log SELECT * FROM o.log WHERE seq = 11;", foreign);
	assert_int_equal(sf_raw_exec(f->db, sql), SQLITE_OK);
	expect_tamper(f, 11, "another key");
}

static void row_from_another_key_in_place_is_detected(void **state)
{
	struct sf *f = *state;
	char foreign[700], sql[1024];

	build_base(f);
	build_foreign(f, foreign, sizeof(foreign));
	snprintf(sql, sizeof(sql),
		 "ATTACH '%s' AS o; DELETE FROM log WHERE seq = 5;"
		 "INSERT INTO log SELECT * FROM o.log WHERE seq = 5;",
		 foreign);
	assert_int_equal(sf_raw_exec(f->db, sql), SQLITE_OK);
	expect_tamper(f, 5, "another key");
}

static void copied_row_inserted_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	/* A genuine record replayed as record 11: its AAD says 3. */
	assert_int_equal(
		sf_raw_exec(f->db,
			    "INSERT INTO log SELECT 11, ts_ms, kind, key_id, pidx, nonce, ct, mac "
			    "FROM log WHERE seq = 3"),
		SQLITE_OK);
	expect_tamper(f, 11, "does not authenticate");
}

static void truncated_tail_is_detected(void **state)
{
	struct sf *f = *state;
	struct store *s;

	build_base(f);
	assert_int_equal(sf_raw_exec(f->db, "DELETE FROM log WHERE seq >= 9"), SQLITE_OK);
	expect_tamper(f, 9, "truncated");
	/* And a writer refuses to extend the broken chain. */
	s = sf_open(f, 0, 0);
	assert_int_equal(store_begin(s), FLS_ETAMPER);
	assert_int_equal(store_append(s, STORE_KIND_DECISION, "x", "{}", 2), FLS_ETAMPER);
	store_close(s);
	assert_int_equal(sf_raw_int(f->db, "SELECT max(seq) FROM log"), 8);
}

static void truncated_tail_with_moved_head_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	/* Without the head key the attacker can move the head's numbers but not its MAC. */
	assert_int_equal(
		sf_raw_exec(f->db,
			    "DELETE FROM log WHERE seq >= 9;"
			    "UPDATE head SET seq = 8, mac = (SELECT mac FROM log WHERE seq = 8);"),
		SQLITE_OK);
	expect_tamper(f, 0, "head");
}

static void deleted_head_is_detected(void **state)
{
	struct sf *f = *state;

	build_base(f);
	assert_int_equal(sf_raw_exec(f->db, "DELETE FROM head"), SQLITE_OK);
	expect_tamper(f, 0, "head");
}

static void altered_meta_reads_as_wrong_key(void **state)
{
	struct sf *f = *state;
	struct store *s = NULL;

	build_base(f);
	assert_int_equal(
		sf_raw_exec(f->db, "UPDATE meta SET value = randomblob(16) WHERE name = 'file_id'"),
		SQLITE_OK);
	assert_int_equal(store_open(&s, NULL, f->db, f->key, &f->d), FLS_ECRYPTO);
	assert_non_null(strstr(f->d.msg, "meta table was altered"));
}

/*
 * The limit of any self-contained log: put back an old head (copied earlier) and cut the records
 * after it, and the file is a consistent older log. An anchor noted from an earlier verify (record
 * N and its MAC) catches it; docs/store-format.md §8 tells officers to keep one.
 */
static void rollback_to_old_head_needs_an_anchor(void **state)
{
	struct sf *f = *state;
	struct store *s;
	unsigned char mac[STORE_MAC_BYTES];
	struct store_verify_report rep;

	build_base(f);
	assert_int_equal(sf_raw_exec(f->db, "CREATE TABLE saved AS SELECT * FROM head"), SQLITE_OK);
	s = sf_open(f, 0, 0);
	sf_append_batch(s, 11, 3);
	/* the anchor: 13 and its MAC */
	assert_int_equal(store_verify_report(s, &rep, &f->d), FLS_OK);
	assert_int_equal(rep.n_records, 13);
	store_close(s);
	assert_int_equal(sf_raw_exec(f->db,
				     "DELETE FROM log WHERE seq > 10; DELETE FROM head;"
				     "INSERT INTO head SELECT * FROM saved; DROP TABLE saved;"),
			 SQLITE_OK);
	expect_ok(f, 10);
	s = sf_open(f, 1, 0);
	assert_int_not_equal(store_record_mac(s, 13, mac, &f->d), FLS_OK);
	store_close(s);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, sf_setup, sf_teardown)
	const struct CMUnitTest tests[] = {
		T(untouched_log_verifies),
		T(flipped_seq_is_detected),
		T(flipped_ts_is_detected),
		T(flipped_kind_is_detected),
		T(flipped_key_id_is_detected),
		T(flipped_pidx_is_detected),
		T(added_pidx_is_detected),
		T(flipped_nonce_is_detected),
		T(flipped_ciphertext_is_detected),
		T(flipped_tag_is_detected),
		T(flipped_mac_is_detected),
		T(flipped_last_mac_is_detected),
		T(deleted_row_is_detected),
		T(deleted_first_row_is_detected),
		T(swapped_rows_are_detected),
		T(renumbered_rows_are_detected),
		T(row_from_another_key_appended_is_detected),
		T(row_from_another_key_in_place_is_detected),
		T(copied_row_inserted_is_detected),
		T(truncated_tail_is_detected),
		T(truncated_tail_with_moved_head_is_detected),
		T(deleted_head_is_detected),
		T(altered_meta_reads_as_wrong_key),
		T(rollback_to_old_head_needs_an_anchor),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
