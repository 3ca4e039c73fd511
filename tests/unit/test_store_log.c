/*
 * The decision log end to end: append, reopen, export, outcomes, the patient index, key schedule,
 * wrong keys and passphrases, and that no patient data is in the files in clear.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/db.h"
#include "store/store.h"
#include "store_fixture.h"

/* Collects what store_export delivers. */
struct got {
	unsigned n;
	uint64_t seq[64];
	enum store_kind kind[64];
	uint32_t key_id[64];
	int has_pidx[64];
	char *payload[64];
	int stop_after;
};

static int got_cb(void *ctx, const struct store_record *r)
{
	struct got *g = ctx;

	assert_true(g->n < 64);
	assert_int_equal(strlen(r->payload), r->len); /* NUL-terminated at len */
	g->seq[g->n] = r->seq;
	g->kind[g->n] = r->kind;
	g->key_id[g->n] = r->key_id;
	g->has_pidx[g->n] = r->patient_index != NULL;
	g->payload[g->n] = strndup(r->payload, r->len);
	g->n++;
	return g->stop_after && g->n >= (unsigned)g->stop_after;
}

static void got_free(struct got *g)
{
	for (unsigned i = 0; i < g->n; i++)
		free(g->payload[i]);
	memset(g, 0, sizeof(*g));
}

static void round_trip_over_reopen(void **state)
{
	struct sf *f = *state;
	struct store *s = sf_open(f, 0, 0);
	struct store_verify_report rep;
	struct got g = { 0 };
	char want[2048];
	uint64_t n = 0, bad = 99;

	sf_append_batch(s, 1, 10);
	assert_int_equal(store_append_outcome(s, "pat-000003", STORE_OUTCOME_ACCEPTED,
					      "Dr A. Example", "bone \"clinic\" booked\n"),
			 FLS_OK);
	assert_int_equal(
		store_append(s, STORE_KIND_DECISION, NULL, "{\"note\":\"no patient\"}", 21),
		FLS_OK);
	store_close(s);

	/* A second process-lifetime: the chain continues from the stored head. */
	s = sf_open(f, 0, 0);
	sf_append_batch(s, 11, 5);
	store_close(s);

	s = sf_open(f, 1, 0);
	assert_int_equal(store_verify(s, &n, &bad, &f->d), FLS_OK);
	assert_int_equal(n, 17);
	assert_int_equal(bad, 0);
	assert_int_equal(store_verify_report(s, &rep, &f->d), FLS_OK);
	assert_int_equal(rep.n_decisions, 16);
	assert_int_equal(rep.n_outcomes, 1);
	assert_int_equal(store_export(s, NULL, got_cb, &g, &f->d), FLS_OK);
	assert_int_equal(g.n, 17);
	for (unsigned i = 0; i < g.n; i++)
		assert_int_equal(g.seq[i], i + 1);
	for (unsigned i = 0; i < 10; i++) {
		sf_payload(want, sizeof(want), i + 1);
		assert_string_equal(g.payload[i], want);
		assert_int_equal(g.kind[i], STORE_KIND_DECISION);
		assert_true(g.has_pidx[i]);
	}
	assert_int_equal(g.kind[10], STORE_KIND_OUTCOME);
	assert_string_equal(g.payload[10],
			    "{\"type\":\"outcome\",\"v\":1,\"patient\":\"pat-000003\","
			    "\"outcome\":\"accepted\",\"by\":\"Dr A. Example\","
			    "\"note\":\"bone \\\"clinic\\\" booked\\n\"}");
	assert_string_equal(g.payload[11], "{\"note\":\"no patient\"}");
	assert_false(g.has_pidx[11]);
	sf_payload(want, sizeof(want), 15);
	assert_string_equal(g.payload[16], want);
	got_free(&g);
	/* The head MAC the report names is record 17's stored chain MAC. */
	{
		unsigned char mac[STORE_MAC_BYTES];

		assert_int_equal(store_record_mac(s, 17, mac, &f->d), FLS_OK);
		assert_memory_equal(mac, rep.head_mac, STORE_MAC_BYTES);
		assert_int_equal(store_record_mac(s, 18, mac, &f->d), FLS_EINVAL);
	}
	/* A read-only store refuses to append. */
	assert_int_equal(store_append(s, STORE_KIND_DECISION, "x", "{}", 2), FLS_EINVAL);
	store_close(s);
}

static void export_can_be_stopped(void **state)
{
	struct sf *f = *state;
	struct store *s = sf_open(f, 0, 0);
	struct got g = { 0 };

	sf_append_batch(s, 1, 5);
	g.stop_after = 2;
	assert_int_equal(store_export(s, NULL, got_cb, &g, &f->d), FLS_EABORT);
	assert_int_equal(g.n, 2);
	got_free(&g);
	store_close(s);
}

static void patient_export_uses_the_index(void **state)
{
	struct sf *f = *state;
	struct store *s = sf_open(f, 0, 0);
	struct got g = { 0 };
	char sql[256], plan[512] = "";
	sqlite3 *db;
	sqlite3_stmt *st;

	sf_append_batch(s, 1, 20);
	assert_int_equal(
		store_append_outcome(s, "pat-000007", STORE_OUTCOME_DECLINED, "Nurse B", NULL),
		FLS_OK);
	sf_append_batch(s, 7, 1); /* patient 7 screened again */
	assert_int_equal(store_export(s, "pat-000007", got_cb, &g, &f->d), FLS_OK);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.seq[0], 7);
	assert_int_equal(g.seq[1], 21);
	assert_int_equal(g.kind[1], STORE_KIND_OUTCOME);
	assert_non_null(strstr(g.payload[1], "\"declined\""));
	assert_int_equal(g.seq[2], 22);
	got_free(&g);
	assert_int_equal(store_export(s, "pat-999999", got_cb, &g, &f->d), FLS_OK);
	assert_int_equal(g.n, 0);

	/* The query plan reads the index, not the whole table. */
	db = store_db_handle(s);
	snprintf(sql, sizeof(sql),
		 "EXPLAIN QUERY PLAN SELECT seq, ts_ms, kind, key_id, pidx, nonce, ct, mac "
		 "FROM log WHERE seq >> 12 = ?1 AND pidx = ?2 ORDER BY seq");
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		size_t used = strlen(plan);

		snprintf(plan + used, sizeof(plan) - used, "%s;",
			 (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_finalize(st);
	print_message("    plan: %s\n", plan);
	assert_non_null(strstr(plan, "USING INDEX log_pidx (<expr>=? AND pidx=?)"));
	/* no sort: the index is in seq order per patient */
	assert_null(strstr(plan, "TEMP B-TREE"));
	store_close(s);

	/*
	 * And behaviourally: damage another patient's ciphertext; this patient's export never reads
	 * it.
	 */
	assert_int_equal(sf_raw_exec(f->db,
				     "DROP TRIGGER log_no_update;"
				     "UPDATE log SET ct = zeroblob(length(ct)) WHERE seq = 3;"),
			 SQLITE_OK);
	s = sf_open(f, 1, 0);
	assert_int_equal(store_export(s, "pat-000007", got_cb, &g, &f->d), FLS_OK);
	assert_int_equal(g.n, 3);
	got_free(&g);
	assert_int_equal(store_export(s, NULL, got_cb, &g, &f->d), FLS_ETAMPER);
	assert_int_equal(g.n, 2); /* records 1 and 2 came out before the damage was found */
	got_free(&g);
	/* ... but a damaged record of this patient is caught by its own checks. */
	store_close(s);
	assert_int_equal(sf_raw_exec(f->db, "UPDATE log SET ts_ms = ts_ms + 1 WHERE seq = 21;"),
			 SQLITE_OK);
	s = sf_open(f, 1, 0);
	assert_int_equal(store_export(s, "pat-000007", got_cb, &g, &f->d), FLS_ETAMPER);
	assert_non_null(strstr(f->d.msg, "record 21"));
	got_free(&g);
	store_close(s);
}

static void patient_export_spans_index_buckets(void **state)
{
	struct sf *f = *state;
	struct store *s = sf_open(f, 0, 0);
	struct got g = { 0 };
	char pid[32];

	/* 9000 records: three buckets of the patient index (4096 records each). */
	for (unsigned i = 1; i <= 9000; i += 1000)
		sf_append_batch(s, i, 1000);
	/* Patient 4095 is at records 4095 (bucket 0); outcomes for it land in bucket 2. */
	assert_int_equal(store_append_outcome(s, sf_patient(pid, sizeof(pid), 4095),
					      STORE_OUTCOME_ACCEPTED, "Dr E", NULL),
			 FLS_OK);
	assert_int_equal(store_export(s, pid, got_cb, &g, &f->d), FLS_OK);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.seq[0], 4095);
	assert_int_equal(g.seq[1], 9001);
	got_free(&g);
	assert_int_equal(store_export(s, sf_patient(pid, sizeof(pid), 4096), got_cb, &g, &f->d),
			 FLS_OK);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.seq[0], 4096); /* the first record of bucket 1 */
	got_free(&g);
	assert_int_equal(store_export(s, sf_patient(pid, sizeof(pid), 8192), got_cb, &g, &f->d),
			 FLS_OK);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.seq[0], 8192);
	got_free(&g);
	store_close(s);
}

static void wrong_key_is_refused_clearly(void **state)
{
	struct sf *f = *state;
	struct store *s = sf_open(f, 0, 0);
	struct store *t = (struct store *)1;
	uint64_t n = 0;

	sf_append_batch(s, 1, 3);
	store_close(s);
	assert_int_equal(store_open(&t, NULL, f->db, f->other_key, &f->d), FLS_ECRYPTO);
	assert_null(t);
	assert_non_null(strstr(f->d.msg, "wrong key"));
	/* Nothing was written and the right key still reads everything. */
	s = sf_open(f, 1, 0);
	assert_int_equal(store_verify(s, &n, NULL, &f->d), FLS_OK);
	assert_int_equal(n, 3);
	store_close(s);
}

static void rollback_and_bad_payloads_keep_the_chain(void **state)
{
	struct sf *f = *state;
	struct store *s = sf_open(f, 0, 0);
	uint64_t n = 0;

	sf_append_batch(s, 1, 4);
	assert_int_equal(store_begin(s), FLS_OK);
	assert_int_equal(store_append(s, STORE_KIND_DECISION, "a", "{\"x\":1}", 7), FLS_OK);
	/* Argument errors do not touch the open batch. */
	assert_int_equal(store_append(s, STORE_KIND_DECISION, "a", "{\"x\":", 5), FLS_EINVAL);
	assert_int_equal(store_append(s, (enum store_kind)9, "a", "{}", 2), FLS_EINVAL);
	assert_int_equal(store_append(s, STORE_KIND_DECISION, "a", "{\"x\":2}", 7), FLS_OK);
	assert_int_equal(store_rollback(s), FLS_OK);
	assert_int_equal(store_commit(s), FLS_EINVAL); /* nothing open any more */
	assert_int_equal(store_begin(s), FLS_OK);
	assert_int_equal(store_begin(s), FLS_EINVAL); /* no nesting */
	assert_int_equal(store_append(s, STORE_KIND_DECISION, "b", "{\"y\":3}", 7), FLS_OK);
	assert_int_equal(store_commit(s), FLS_OK);
	assert_int_equal(store_append_outcome(s, "b", (enum store_outcome)0, "who", NULL),
			 FLS_EINVAL);
	assert_int_equal(store_append_outcome(s, "b", STORE_OUTCOME_DECEASED, "", NULL),
			 FLS_EINVAL);
	assert_int_equal(
		store_append_outcome(s, "b", STORE_OUTCOME_DECEASED, "who", "bad \xff utf8"),
		FLS_EINVAL);
	assert_int_equal(store_verify(s, &n, NULL, &f->d), FLS_OK);
	assert_int_equal(n, 5);
	assert_int_equal(sf_raw_int(f->db, "SELECT max(seq) FROM log"), 5);
	store_close(s);
}

static void outcome_names_round_trip(void **state)
{
	(void)state;
	for (int o = STORE_OUTCOME_ACCEPTED; o <= STORE_OUTCOME_DECEASED; o++)
		assert_int_equal(store_outcome_parse(store_outcome_name((enum store_outcome)o)), o);
	assert_string_equal(store_outcome_name(STORE_OUTCOME_ALREADY_TREATED), "already-treated");
	assert_string_equal(store_outcome_name(STORE_OUTCOME_NOT_APPROPRIATE), "not-appropriate");
	assert_null(store_outcome_name((enum store_outcome)6));
	assert_int_equal(store_outcome_parse("Accepted"), 0);
}

static void encryption_keys_rotate_on_schedule(void **state)
{
	struct sf *f = *state;
	struct store_opts o = { 0 };
	struct store *s = NULL;
	struct got g = { 0 };
	uint64_t n = 0;

	o.records_per_key_log2 = 2; /* a new key every 4 records */
	assert_int_equal(store_open_ex(&s, NULL, f->db, f->key, &o, &f->d), FLS_OK);
	sf_append_batch(s, 1, 6);
	sf_append_batch(s, 7, 4);
	assert_int_equal(store_export(s, NULL, got_cb, &g, &f->d), FLS_OK);
	assert_int_equal(g.n, 10);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(g.key_id[i], 1 + i / 4);
	got_free(&g);
	assert_int_equal(store_verify(s, &n, NULL, &f->d), FLS_OK);
	assert_int_equal(n, 10);
	store_close(s);
	assert_int_equal(sf_raw_int(f->db, "SELECT count(DISTINCT key_id) FROM log"), 3);
}

static void passphrase_key_comes_from_the_store_salt(void **state)
{
	struct sf *f = *state;
	struct store_opts o = { 0 };
	unsigned char k1[32], k2[32], k3[32];
	struct store *s = NULL;
	char other[700];
	const char *pw = "correct horse battery staple";

	o.scrypt_log2_n = 12; /* cheap for the test; the default is 17 */
	assert_int_equal(store_passphrase_key(k1, f->db, pw, strlen(pw), &o, &f->d), FLS_OK);
	assert_int_equal(sf_raw_int(f->db, "SELECT value FROM meta WHERE name = 'scrypt_n'"), 4096);
	assert_int_equal(store_open(&s, NULL, f->db, k1, &f->d), FLS_OK);
	sf_append_batch(s, 1, 2);
	store_close(s);
	/* The same passphrase gives the same key; another gives a wrong key. */
	assert_int_equal(store_passphrase_key(k2, f->db, pw, strlen(pw), NULL, &f->d), FLS_OK);
	assert_memory_equal(k1, k2, 32);
	assert_int_equal(
		store_passphrase_key(k3, f->db, "correct horse battery stapler", 29, NULL, &f->d),
		FLS_OK);
	assert_int_equal(store_open(&s, NULL, f->db, k3, &f->d), FLS_ECRYPTO);
	/* The salt is per file: the same passphrase for another store is another key. */
	assert_int_equal(store_passphrase_key(k3, sf_path(f, "b.db", other, sizeof(other)), pw,
					      strlen(pw), &o, &f->d),
			 FLS_OK);
	assert_memory_not_equal(k1, k3, 32);
	/* Too short; and read-only on a missing file creates nothing. */
	assert_int_equal(store_passphrase_key(k3, f->db, "short", 5, NULL, &f->d), FLS_EINVAL);
	o.readonly = 1;
	assert_int_not_equal(store_passphrase_key(k3, sf_path(f, "none.db", other, sizeof(other)),
						  pw, strlen(pw), &o, &f->d),
			     FLS_OK);
	assert_int_equal(sf_file_size(other), -1);
}

static void triggers_keep_the_log_append_only(void **state)
{
	struct sf *f = *state;
	struct store *s = sf_open(f, 0, 0);

	sf_append_batch(s, 1, 3);
	store_close(s);
	/* Through SQL without dropping them, rows cannot be changed (they catch our own bugs). */
	assert_int_equal(sf_raw_exec(f->db, "DELETE FROM log WHERE seq = 2"), SQLITE_CONSTRAINT);
	assert_int_equal(sf_raw_exec(f->db, "UPDATE log SET ts_ms = 0"), SQLITE_CONSTRAINT);
	assert_int_equal(sf_raw_exec(f->db, "UPDATE meta SET value = 2 WHERE name = 'format'"),
			 SQLITE_CONSTRAINT);
	assert_int_equal(sf_raw_exec(f->db, "UPDATE head SET seq = 1"), SQLITE_CONSTRAINT);
	assert_int_equal(sf_raw_exec(f->db,
				     "INSERT INTO log SELECT seq, ts_ms, kind, key_id, pidx, nonce,"
				     /* seq is the key */
				     " ct, mac FROM log WHERE seq = 1"),
			 SQLITE_CONSTRAINT);
	assert_int_equal(sf_raw_int(f->db, "SELECT count(*) FROM log"), 3);
}

/* Search the raw bytes of the database and its WAL for every identifying value that was logged. */
static void no_patient_data_in_clear(void **state)
{
	struct sf *f = *state;
	struct store *s = sf_open(f, 0, 0);
	char wal[700], shm[700], buf[2048];
	static const char *const secrets[] = {
		"9434765919", /* NHS number */
		"Zebedee Quarrington", /* name */
		"1937-02-28", /* birth date */
		"PAT-XQ-771203", /* patient identifier */
		"Flat 3, 17 Quarry Lane" /* an address in a note */
	};
	int n;

	n = snprintf(buf, sizeof(buf),
		     "{\"patient\":\"%s\",\"nhs_number\":\"%s\",\"name\":\"%s\","
		     "\"birth_date\":\"%s\",\"fls_priority\":\"P1\"}",
		     secrets[3], secrets[0], secrets[1], secrets[2]);
	assert_int_equal(store_begin(s), FLS_OK);
	for (int i = 0; i < 50; i++)
		assert_int_equal(store_append(s, STORE_KIND_DECISION, secrets[3], buf, (size_t)n),
				 FLS_OK);
	assert_int_equal(store_commit(s), FLS_OK);
	assert_int_equal(store_append_outcome(s, secrets[3], STORE_OUTCOME_ACCEPTED, "Dr Who",
					      "lives at Flat 3, 17 Quarry Lane"),
			 FLS_OK);
	/* Search while the WAL holds the records (the store is open), then again after close. */
	sf_path(f, "log.db-wal", wal, sizeof(wal));
	sf_path(f, "log.db-shm", shm, sizeof(shm));
	assert_true(sf_file_size(wal) > 0);
	{
		struct stat sb;

		/* Private files, even so: timestamps and index linkage are not encrypted. */
		assert_int_equal(stat(f->db, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
		assert_int_equal(stat(wal, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
	}
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
			if (sf_file_contains(f->db, secrets[i], strlen(secrets[i])) ||
			    sf_file_contains(wal, secrets[i], strlen(secrets[i])) ||
			    sf_file_contains(shm, secrets[i], strlen(secrets[i])))
				fail_msg("value #%zu found in clear (round %d)", i, round);
		}
		if (round == 0)
			store_close(s);
	}
	/* The search itself works: the values are in the decrypted export. */
	s = sf_open(f, 1, 0);
	{
		struct got g = { 0 };

		assert_int_equal(store_export(s, secrets[3], got_cb, &g, &f->d), FLS_OK);
		assert_int_equal(g.n, 51);
		assert_non_null(strstr(g.payload[0], secrets[1]));
		assert_non_null(strstr(g.payload[50], secrets[4]));
		got_free(&g);
	}
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_trip_over_reopen, sf_setup, sf_teardown),
		cmocka_unit_test_setup_teardown(export_can_be_stopped, sf_setup, sf_teardown),
		cmocka_unit_test_setup_teardown(patient_export_uses_the_index, sf_setup,
						sf_teardown),
		cmocka_unit_test_setup_teardown(patient_export_spans_index_buckets, sf_setup,
						sf_teardown),
		cmocka_unit_test_setup_teardown(wrong_key_is_refused_clearly, sf_setup,
						sf_teardown),
		cmocka_unit_test_setup_teardown(rollback_and_bad_payloads_keep_the_chain, sf_setup,
						sf_teardown),
		cmocka_unit_test(outcome_names_round_trip),
		cmocka_unit_test_setup_teardown(encryption_keys_rotate_on_schedule, sf_setup,
						sf_teardown),
		cmocka_unit_test_setup_teardown(passphrase_key_comes_from_the_store_salt, sf_setup,
						sf_teardown),
		cmocka_unit_test_setup_teardown(triggers_keep_the_log_append_only, sf_setup,
						sf_teardown),
		cmocka_unit_test_setup_teardown(no_patient_data_in_clear, sf_setup, sf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
