/*
 * Fuzz target: the decision log's record decoder (the decrypt and verify path of store/: store_open_ex
 * read-only, store_verify_report, store_export of everything and of one patient, store_record_mac) over
 * a store file whose content comes from the input (tampering with or theft of the log, SECURITY.md):
 *
 *  - An input that starts with SQLite's magic ("SQLite format 3\0") is the store file itself.
 *  - Any other input is an edit script applied, with a raw SQLite connection and the append-only
 *    triggers dropped (as an attacker holding the file would), to a template log made once per process
 *    with a known key: 6 records, decisions and outcomes, for 3 patients. Each step is an operation byte
 *    and its operands: set a column of a row to bytes or to an integer, delete a row, copy a row to a
 *    new sequence number, flip bits of a blob, swap two rows, rewrite the head.
 *
 * Properties checked besides memory safety: a failure comes with a message that names no key; export of
 * everything agrees with verify (same status, same record count); a delivered payload is NUL-terminated
 * text of its stated length; and, for edit scripts, a log whose log or head table changed in any way is
 * never reported intact (verify must not return FLS_OK: the chain MAC and the MAC'd head cover every
 * column of every row).
 */
#define _GNU_SOURCE /* memmem */

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/fuzz_util.h"
#include "store/store.h"

#define N_RECORDS 6
#define MSG_MAX 1024

static const char sqlite_magic[16] = "SQLite format 3";
static const char *const log_cols[] = { "seq", "ts_ms", "kind", "key_id", "pidx", "nonce", "ct", "mac" };
static const char *const head_cols[] = { "seq", "mac", "hmac" };
static unsigned char key[STORE_KEY_BYTES];
static char *tmpl;
static size_t tmpl_len;
static char db_path[4096], wal_path[4200], shm_path[4200];

/* ---- the template log --------------------------------------------------------------------------- */

static void make_template(void)
{
	char path[4096], payload[256];
	struct store *s = NULL;
	struct fls_diag d = { "" };

	for (int i = 0; i < STORE_KEY_BYTES; i++)
		key[i] = (unsigned char)(0x5A ^ (i * 7));
	fuzz_path(path, sizeof(path), fuzz_tmp_dir(), "template.db");
	if (store_open(&s, &fls_mem_libc, path, key, &d) != FLS_OK || store_begin(s) != FLS_OK)
		fuzz_fail("cannot create the template store: %s", d.msg);
	for (unsigned i = 1; i <= N_RECORDS - 2; i++) {
		int n = snprintf(payload, sizeof(payload),
				 "{\"type\":\"decision\",\"v\":1,\"patient\":\"pat-%06u\",\"fls_priority\":\"P%u\","
				 "\"mof10\":%u.5,\"notes\":[\"DQ-BMI-MISSING\"]}", i % 3 + 1, i % 3 + 1, 10 + i);
		char pid[32];

		snprintf(pid, sizeof(pid), "pat-%06u", i % 3 + 1);
		if (store_append(s, STORE_KIND_DECISION, pid, payload, (size_t)n) != FLS_OK)
			fuzz_fail("cannot append to the template: %s", store_errmsg(s));
	}
	if (store_commit(s) != FLS_OK ||
	    store_append_outcome(s, "pat-000001", STORE_OUTCOME_ACCEPTED, "Dr Example", "note") != FLS_OK ||
	    store_append(s, STORE_KIND_DECISION, NULL, "{\"type\":\"run\"}", 14) != FLS_OK)
		fuzz_fail("cannot finish the template: %s", store_errmsg(s));
	store_close(s);
	/* Closing the last connection checkpoints the WAL: the main file alone is the whole log. */
	if (!(tmpl = fuzz_read_file(path, &tmpl_len)))
		fuzz_fail("cannot read the template back");
	/* FLS_FUZZ_STORE_TEMPLATE=<file>: keep a copy, to seed the raw-file mode (fuzz/corpus/store/). */
	if (getenv("FLS_FUZZ_STORE_TEMPLATE") && fuzz_write_file(getenv("FLS_FUZZ_STORE_TEMPLATE"), tmpl, tmpl_len))
		fuzz_fail("cannot write the template copy");
	fuzz_path(db_path, sizeof(db_path), fuzz_tmp_dir(), "log.db");
	snprintf(wal_path, sizeof(wal_path), "%s-wal", db_path);
	snprintf(shm_path, sizeof(shm_path), "%s-shm", db_path);
}

/* ---- the edit script ---------------------------------------------------------------------------- */

struct script {
	const uint8_t *p, *end;
};

static unsigned byte(struct script *s)
{
	return s->p < s->end ? *s->p++ : 0;
}

static int64_t int64_of(struct script *s)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | byte(s);
	return (int64_t)v;
}

static void exec_bind(sqlite3 *db, const char *sql, int64_t a, int64_t b, const void *blob, int blob_len)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2) {
		if (blob)
			sqlite3_bind_blob(st, 2, blob, blob_len, SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(st, 2, b);
	}
	(void)sqlite3_step(st); /* constraint failures are part of the game */
	sqlite3_finalize(st);
}

/* Flip bits of one blob cell: read it, change one byte, write it back. */
static void flip(sqlite3 *db, const char *table, const char *col, const char *keycol, int64_t row, unsigned off,
		 unsigned mask)
{
	char sql[160];
	sqlite3_stmt *st = NULL;
	unsigned char buf[4096];
	int n = 0;

	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE %s = ?1", col, table, keycol);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_bind_int64(st, 1, row) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB) {
		n = sqlite3_column_bytes(st, 0);
		if (n > 0 && n <= (int)sizeof(buf))
			memcpy(buf, sqlite3_column_blob(st, 0), (size_t)n);
		else
			n = 0;
	}
	sqlite3_finalize(st);
	if (!n)
		return;
	buf[off % (unsigned)n] ^= (unsigned char)(mask ? mask : 1);
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?2 WHERE %s = ?1", table, col, keycol);
	exec_bind(db, sql, row, 0, buf, n);
}

static void apply(sqlite3 *db, struct script *s)
{
	char sql[256];
	unsigned op = byte(s) % 8;
	int64_t row = (int64_t)(byte(s) % (N_RECORDS + 2));
	const char *col = log_cols[byte(s) % 8];

	switch (op) {
	case 0: { /* a column to bytes */
		unsigned n = byte(s) % 80;
		uint8_t v[80];

		for (unsigned i = 0; i < n; i++)
			v[i] = (uint8_t)byte(s);
		snprintf(sql, sizeof(sql), "UPDATE log SET %s = ?2 WHERE seq = ?1", col);
		exec_bind(db, sql, row, 0, n ? v : (const void *)"", (int)n);
		break;
	}
	case 1: /* a column to an integer */
		snprintf(sql, sizeof(sql), "UPDATE log SET %s = ?2 WHERE seq = ?1", col);
		exec_bind(db, sql, row, int64_of(s), NULL, 0);
		break;
	case 2:
		exec_bind(db, "DELETE FROM log WHERE seq = ?1", row, 0, NULL, 0);
		break;
	case 3: /* a copy of a row under another sequence number (a replay) */
		exec_bind(db, "INSERT INTO log(seq, ts_ms, kind, key_id, pidx, nonce, ct, mac) "
			      "SELECT ?2, ts_ms, kind, key_id, pidx, nonce, ct, mac FROM log WHERE seq = ?1",
			  row, (int64_t)(byte(s) % (N_RECORDS + 3)), NULL, 0);
		break;
	case 4:
		if (!strcmp(col, "pidx") || !strcmp(col, "nonce") || !strcmp(col, "ct") || !strcmp(col, "mac")) {
			unsigned off = byte(s);

			flip(db, "log", col, "seq", row, off, byte(s));
		}
		break;
	case 5: { /* swap two rows */
		int64_t other = (int64_t)(byte(s) % (N_RECORDS + 2));

		exec_bind(db, "UPDATE log SET seq = 1000000 WHERE seq = ?1", row, 0, NULL, 0);
		exec_bind(db, "UPDATE log SET seq = ?1 WHERE seq = ?2", row, other, NULL, 0);
		exec_bind(db, "UPDATE log SET seq = ?2 WHERE seq = 1000000", 0, other, NULL, 0);
		break;
	}
	case 6: { /* the head */
		const char *hc = head_cols[row % 3];

		if (!strcmp(hc, "seq")) {
			exec_bind(db, "UPDATE head SET seq = ?2 WHERE id = ?1", 1, (int64_t)(byte(s) % (N_RECORDS + 2)),
				  NULL, 0);
		} else {
			unsigned off = byte(s);

			flip(db, "head", hc, "id", 1, off, byte(s));
		}
		break;
	}
	default: /* a column to text, or the whole head row gone */
		if (row == N_RECORDS + 1) {
			exec_bind(db, "DELETE FROM head", 0, 0, NULL, 0);
		} else {
			snprintf(sql, sizeof(sql), "UPDATE log SET %s = CAST(?2 AS TEXT) WHERE seq = ?1", col);
			exec_bind(db, sql, row, (int64_t)byte(s), NULL, 0);
		}
		break;
	}
}

/* A digest of every cell of the log and head tables, with its type. */
static uint64_t tables_digest(sqlite3 *db)
{
	static const char *const q[] = { "SELECT seq, ts_ms, kind, key_id, pidx, nonce, ct, mac FROM log ORDER BY seq",
					 "SELECT id, seq, mac, hmac FROM head ORDER BY id" };
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t k = 0; k < 2; k++) {
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(db, q[k], -1, &st, NULL) != SQLITE_OK)
			fuzz_fail("cannot read the tables: %s", sqlite3_errmsg(db));
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				int t = sqlite3_column_type(st, c);
				const unsigned char *b = t == SQLITE_NULL ? NULL : sqlite3_column_blob(st, c);
				int n = sqlite3_column_bytes(st, c);

				h = (h ^ (unsigned)t) * UINT64_C(0x100000001b3);
				for (int i = 0; i < n && b; i++)
					h = (h ^ b[i]) * UINT64_C(0x100000001b3);
				h = (h ^ 0xff) * UINT64_C(0x100000001b3);
			}
			h = (h ^ 0xfe) * UINT64_C(0x100000001b3);
		}
		sqlite3_finalize(st);
		h = (h ^ 0xfd) * UINT64_C(0x100000001b3);
	}
	return h;
}

/* Apply the script to a fresh copy of the template; 1 when the log or head table changed. */
static int edit(const uint8_t *data, size_t size)
{
	static const char drop[] =
		"PRAGMA synchronous = OFF;"
		"DROP TRIGGER IF EXISTS log_in_sequence; DROP TRIGGER IF EXISTS log_no_update;"
		"DROP TRIGGER IF EXISTS log_no_delete; DROP TRIGGER IF EXISTS head_no_delete;"
		"DROP TRIGGER IF EXISTS head_forward;";
	struct script s = { data, data + size };
	sqlite3 *db = NULL;
	uint64_t before, after;

	if (fuzz_write_file(db_path, tmpl, tmpl_len))
		fuzz_fail("cannot write %s", db_path);
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, drop, NULL, NULL, NULL) != SQLITE_OK)
		fuzz_fail("cannot open the copy of the template: %s", sqlite3_errmsg(db));
	before = tables_digest(db);
	for (int steps = 0; s.p < s.end && steps < 16; steps++)
		apply(db, &s);
	after = tables_digest(db);
	if (sqlite3_close(db) != SQLITE_OK)
		fuzz_fail("cannot close the edited copy");
	return before != after;
}

/* ---- the library's view --------------------------------------------------------------------------- */

struct export_ctx {
	uint64_t n;
};

static int on_record(void *ctx, const struct store_record *rec)
{
	struct export_ctx *e = ctx;

	if (!rec->payload || strnlen(rec->payload, rec->len + 1) != rec->len)
		fuzz_fail("record %llu: payload is not a string of its stated length",
			  (unsigned long long)rec->seq);
	if (rec->kind != STORE_KIND_DECISION && rec->kind != STORE_KIND_OUTCOME)
		fuzz_fail("record %llu: kind %d delivered", (unsigned long long)rec->seq, (int)rec->kind);
	e->n++;
	return 0;
}

static const uint8_t *cur_data;
static size_t cur_size;

/* 1 when needle[0..n) occurs in hay[0..len). */
static int contains(const void *hay, size_t len, const void *needle, size_t n)
{
	return len >= n && memmem(hay, len, needle, n) != NULL;
}

/*
 * A message must be bounded and must not carry the key (in hex or raw) unless the input itself does:
 * SQLite quotes a damaged schema's text, and the fuzzer learns the key's bytes from this very check.
 */
static void check_diag(const char *what, const char *msg)
{
	char hex[2 * STORE_KEY_BYTES + 1];
	size_t n;

	fuzz_check_msg(what, msg, MSG_MAX);
	n = strlen(msg);
	for (int i = 0; i < STORE_KEY_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	if ((contains(msg, n, hex, 16) && !contains(cur_data, cur_size, hex, 16)) ||
	    (contains(msg, n, key, 8) && !contains(cur_data, cur_size, key, 8)))
		fuzz_fail("%s: a message carries the key", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_opts o;
	struct store_verify_report rep;
	struct export_ctx all = { 0 }, one = { 0 };
	struct store *s = NULL;
	struct fls_diag d = { "" };
	unsigned char mac[STORE_MAC_BYTES];
	fls_status st, vst, est;
	int changed = 1, raw;

	if (!tmpl)
		make_template();
	cur_data = data;
	cur_size = size;
	unlink(wal_path);
	unlink(shm_path);
	raw = size >= sizeof(sqlite_magic) && !memcmp(data, sqlite_magic, sizeof(sqlite_magic));
	if (raw) {
		if (fuzz_write_file(db_path, data, size))
			fuzz_fail("cannot write %s", db_path);
	} else {
		changed = edit(data, size);
	}

	memset(&o, 0, sizeof(o));
	o.readonly = 1;
	o.busy_timeout_ms = 1;
	st = store_open_ex(&s, &fls_mem_libc, db_path, key, &o, &d);
	if (st != FLS_OK) {
		check_diag("store_open_ex", d.msg);
		if (s || !d.msg[0])
			fuzz_fail("store_open_ex failed (%d) with a handle or without a message", (int)st);
		if (!changed)
			fuzz_fail("the untouched template does not open: %s", d.msg);
		return 0;
	}
	memset(&rep, 0, sizeof(rep));
	vst = store_verify_report(s, &rep, &d);
	if (vst != FLS_OK)
		check_diag("store_verify_report", d.msg);
	if (!changed && (vst != FLS_OK || rep.n_records != N_RECORDS))
		fuzz_fail("the untouched template does not verify: %d %s", (int)vst, d.msg);
	if (!raw && changed && vst == FLS_OK)
		fuzz_fail("an edited log verifies as intact (%llu records)", (unsigned long long)rep.n_records);

	est = store_export(s, NULL, on_record, &all, &d);
	if (est != FLS_OK)
		check_diag("store_export", d.msg);
	if ((vst == FLS_OK) != (est == FLS_OK) || (vst == FLS_OK && all.n != rep.n_records))
		fuzz_fail("verify says %d with %llu records, export %d with %llu", (int)vst,
			  (unsigned long long)rep.n_records, (int)est, (unsigned long long)all.n);

	if (store_export(s, "pat-000001", on_record, &one, &d) != FLS_OK)
		check_diag("store_export(patient)", d.msg);
	if (store_record_mac(s, size ? data[size - 1] % (N_RECORDS + 2) : 1, mac, &d) != FLS_OK)
		check_diag("store_record_mac", d.msg);
	check_diag("store_errmsg", store_errmsg(s));
	store_close(s);
	return 0;
}
