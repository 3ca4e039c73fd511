/*
 * Verification. Each record is checked in order from 1: its sequence number (no gaps), its columns'
 * types and sizes, its key id against the key schedule, its GCM tag (the AAD binds seq, kind and
 * key id, so a moved or re-labelled ciphertext fails), and its chain MAC (covering every column and
 * the previous record's MAC, so an edit, a deletion, a swap or an insertion breaks the chain
 * there). Then the head: its own MAC, and that it names the last record, which catches a truncated
 * tail.
 */
#include "store/verify.h"

#include <string.h>

#include <openssl/crypto.h>

#include "store/db.h"
#include "store/json.h"

static fls_status verify_bad(struct fls_diag *d, struct store *s, uint64_t seq, const char *what)
{
	return fls_diag_set(d, FLS_ETAMPER, "%s: record %llu: %s", s->path, (unsigned long long)seq,
			    what);
}

static int col_blob(sqlite3_stmt *st, int i, size_t want)
{
	return sqlite3_column_type(st, i) == SQLITE_BLOB &&
		(size_t)sqlite3_column_bytes(st, i) == want;
}

fls_status store_check_row(struct store *s, sqlite3_stmt *st,
			   const unsigned char prev[STORE_HMAC_LEN], struct store_row *row,
			   unsigned char mac[STORE_HMAC_LEN], struct fls_diag *d)
{
	unsigned char aad[STORE_AAD_LEN];
	int64_t kind, key_id;
	size_t pt_len;
	int pidx_type;

	memset(row, 0, sizeof(*row));
	row->seq = (uint64_t)sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 1) != SQLITE_INTEGER ||
	    sqlite3_column_type(st, 2) != SQLITE_INTEGER ||
	    sqlite3_column_type(st, 3) != SQLITE_INTEGER)
		return verify_bad(d, s, row->seq,
				  "a number column holds something else (altered record)");
	row->ts_ms = sqlite3_column_int64(st, 1);
	kind = sqlite3_column_int64(st, 2);
	key_id = sqlite3_column_int64(st, 3);
	if (kind != STORE_KIND_DECISION && kind != STORE_KIND_OUTCOME)
		return verify_bad(d, s, row->seq, "unknown record kind (altered kind column)");
	row->kind = (uint32_t)kind;
	if (key_id < 1 || key_id > UINT32_MAX || (uint32_t)key_id != store_key_id_for(s, row->seq))
		return verify_bad(d, s, row->seq,
				  "its key id does not follow the key schedule "
				  "(altered key_id column, or the record was moved)");
	row->key_id = (uint32_t)key_id;
	pidx_type = sqlite3_column_type(st, 4);
	if (pidx_type != SQLITE_NULL && !col_blob(st, 4, STORE_HMAC_LEN))
		return verify_bad(d, s, row->seq,
				  "the patient index is malformed (altered pidx column)");
	if (!col_blob(st, 5, STORE_NONCE_LEN))
		return verify_bad(d, s, row->seq, "the nonce is malformed (altered nonce column)");
	if (sqlite3_column_type(st, 6) != SQLITE_BLOB ||
	    sqlite3_column_bytes(st, 6) < STORE_TAG_LEN ||
	    (size_t)sqlite3_column_bytes(st, 6) > (size_t)STORE_MAX_PAYLOAD + STORE_TAG_LEN)
		return verify_bad(d, s, row->seq,
				  "the ciphertext is malformed (altered ct column)");
	if (!col_blob(st, 7, STORE_HMAC_LEN))
		return verify_bad(d, s, row->seq,
				  "the chain MAC is malformed (altered mac column)");
	/* Fetch each blob after every type check: sqlite3_column_type/bytes may convert values. */
	row->pidx = pidx_type == SQLITE_NULL ? NULL : sqlite3_column_blob(st, 4);
	row->pidx_len = row->pidx ? STORE_HMAC_LEN : 0;
	row->nonce = sqlite3_column_blob(st, 5);
	row->nonce_len = STORE_NONCE_LEN;
	row->ct = sqlite3_column_blob(st, 6);
	row->ct_len = (size_t)sqlite3_column_bytes(st, 6);
	pt_len = row->ct_len - STORE_TAG_LEN;
	if (store_reserve(s, pt_len + 1) != FLS_OK)
		return fls_diag_set(d, FLS_ENOMEM, "%s: out of memory", s->path);
	if (store_use_key(s, row->key_id) != FLS_OK)
		return fls_diag_set(d, FLS_ECRYPTO, "%s: deriving encryption key %u failed",
				    s->path, row->key_id);
	store_aad(aad, row->key_id, row->seq, row->kind);
	if (store_gcm_open(s->gcm, s->enc_key, aad, sizeof(aad), row->nonce, row->ct, row->ct_len,
			   s->buf) != FLS_OK)
		return verify_bad(d, s, row->seq,
				  "the ciphertext does not authenticate under its sequence "
				  "number, kind and key id (ciphertext, nonce, kind or sequence "
				  "number altered, "
				  "records swapped, or written with another key)");
	s->buf[pt_len] = '\0';
	if (store_chain_mac(s, prev, row, mac))
		return fls_diag_set(d, FLS_ECRYPTO, "%s: computing a chain MAC failed", s->path);
	if (CRYPTO_memcmp(mac, sqlite3_column_blob(st, 7), STORE_HMAC_LEN) != 0) {
		OPENSSL_cleanse(s->buf, pt_len);
		return verify_bad(
			d, s, row->seq,
			"the chain MAC does not match (timestamp, patient index or "
			"MAC altered, a record before it removed or replaced, or it was inserted)");
	}
	/* only our own writer could produce this: a bug */
	if (!store_json_valid(s->buf, pt_len)) {
		OPENSSL_cleanse(s->buf, pt_len);
		return verify_bad(d, s, row->seq, "the decrypted payload is not JSON");
	}
	return FLS_OK;
}

int store_deliver(struct store *s, const struct store_row *row, store_export_cb cb, void *ctx)
{
	struct store_record rec;
	int stop;

	rec.seq = row->seq;
	rec.ts_ms = row->ts_ms;
	rec.kind = (enum store_kind)row->kind;
	rec.key_id = row->key_id;
	rec.patient_index = row->pidx;
	rec.payload = (const char *)s->buf;
	rec.len = row->ct_len - STORE_TAG_LEN;
	stop = cb ? cb(ctx, &rec) : 0;
	OPENSSL_cleanse(s->buf, rec.len + 1);
	return stop;
}

/* The head, checked against the last record the walk saw. */
static fls_status verify_head(struct store *s, uint64_t last,
			      const unsigned char last_mac[STORE_HMAC_LEN], uint64_t *bad,
			      struct fls_diag *d)
{
	sqlite3_stmt *h = s->stmt[STORE_SQL_HEAD_GET];
	unsigned char hm[STORE_HMAC_LEN];
	uint64_t seq;
	fls_status st = FLS_ETAMPER;
	int rc = sqlite3_step(h);

	*bad = 0;
	if (rc == SQLITE_DONE) {
		fls_diag_set(d, st, "%s: head: it is missing (altered store)", s->path);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		st = store_sql_fail(d, s->db, rc, s->path, "reading the head", s->busy_ms);
		goto out;
	}
	if (sqlite3_column_type(h, 0) != SQLITE_INTEGER || sqlite3_column_int64(h, 0) < 0 ||
	    !col_blob(h, 1, STORE_HMAC_LEN) || !col_blob(h, 2, STORE_HMAC_LEN)) {
		fls_diag_set(d, st, "%s: head: it is malformed (altered store)", s->path);
		goto out;
	}
	seq = (uint64_t)sqlite3_column_int64(h, 0);
	if (store_head_hmac(s, seq, sqlite3_column_blob(h, 1), hm)) {
		st = fls_diag_set(d, FLS_ECRYPTO, "%s: computing the head MAC failed", s->path);
		goto out;
	}
	if (CRYPTO_memcmp(hm, sqlite3_column_blob(h, 2), STORE_HMAC_LEN) != 0) {
		fls_diag_set(d, st, "%s: head: its MAC does not match (the head was altered)",
			     s->path);
		goto out;
	}
	if (seq > last) {
		*bad = last + 1;
		fls_diag_set(
			d, st,
			"%s: record %llu: missing: the head says the log ends at record %llu but "
			"it ends at %llu (the tail was truncated)",
			s->path, (unsigned long long)(last + 1), (unsigned long long)seq,
			(unsigned long long)last);
		goto out;
	}
	if (seq < last) {
		*bad = seq + 1;
		fls_diag_set(d, st,
			     "%s: record %llu: not covered by the head, which ends at record %llu "
			     "(records added outside libfls, or an old head put back)",
			     s->path, (unsigned long long)(seq + 1), (unsigned long long)seq);
		goto out;
	}
	if (CRYPTO_memcmp(sqlite3_column_blob(h, 1), last_mac, STORE_HMAC_LEN) != 0) {
		*bad = last;
		fls_diag_set(d, st,
			     "%s: record %llu: it is not the record the head names (replaced)",
			     s->path, (unsigned long long)last);
		goto out;
	}
	st = FLS_OK;
out:
	store_stmt_done(h);
	return st;
}

fls_status store_walk(struct store *s, struct store_verify_report *r, store_export_cb cb, void *ctx,
		      struct fls_diag *d)
{
	sqlite3_stmt *st = NULL;
	unsigned char prev[STORE_HMAC_LEN], mac[STORE_HMAC_LEN];
	struct store_row row;
	uint64_t expect = 1;
	fls_status rv = FLS_OK;
	int rc, in_read = 0;

	memset(r, 0, sizeof(*r));
	if (s->in_txn)
		return fls_diag_set(d, FLS_EINVAL, "%s: cannot verify inside an open batch",
				    s->path);
	memcpy(prev, s->genesis, sizeof(prev));
	/* One read transaction: the log and the head come from the same snapshot. */
	if ((rv = store_db_exec(s->db, s->path, "BEGIN", "reading the log", s->busy_ms, d)))
		return rv;
	in_read = 1;
	rc = sqlite3_prepare_v3(s->db, "SELECT " STORE_ROW_COLUMNS " FROM log ORDER BY seq", -1, 0,
				&st, NULL);
	if (rc != SQLITE_OK) {
		rv = store_sql_fail(d, s->db, rc, s->path, "reading the log", s->busy_ms);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);

		if (sqlite3_column_type(st, 0) != SQLITE_INTEGER || seq < 1) {
			r->first_bad_seq = expect;
			rv = verify_bad(d, s, expect,
					"a record with an invalid sequence number is in its place");
			goto out;
		}
		if ((uint64_t)seq != expect) {
			r->first_bad_seq = expect;
			rv = fls_diag_set(d, FLS_ETAMPER,
					  "%s: record %llu: missing (the next record is %lld): "
					  "deleted, or renumbered",
					  s->path, (unsigned long long)expect, (long long)seq);
			goto out;
		}
		if ((rv = store_check_row(s, st, prev, &row, mac, d)) != FLS_OK) {
			r->first_bad_seq = expect;
			goto out;
		}
		if (store_deliver(s, &row, cb, ctx)) {
			rv = fls_diag_set(d, FLS_EABORT, "%s: stopped at record %llu", s->path,
					  (unsigned long long)expect);
			goto out;
		}
		memcpy(prev, mac, sizeof(prev));
		r->n_records++;
		if (row.kind == STORE_KIND_DECISION)
			r->n_decisions++;
		else
			r->n_outcomes++;
		expect++;
	}
	if (rc != SQLITE_DONE) {
		r->first_bad_seq = expect;
		rv = store_sql_fail(d, s->db, rc, s->path, "reading the log", s->busy_ms);
		if ((rc & 0xff) == SQLITE_CORRUPT)
			/* damage is a failed verification, with SQLite's reason */
			rv = FLS_ETAMPER;
		goto out;
	}
	memcpy(r->head_mac, prev, sizeof(prev));
	rv = verify_head(s, expect - 1, prev, &r->first_bad_seq, d);
out:
	sqlite3_finalize(st);
	if (in_read)
		/* read only: nothing to keep */
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	OPENSSL_cleanse(prev, sizeof(prev));
	return rv;
}

fls_status store_verify_report(struct store *s, struct store_verify_report *r, struct fls_diag *d)
{
	struct store_verify_report tmp;

	if (!s)
		return fls_diag_set(d, FLS_EINVAL, "store_verify: no store");
	return store_walk(s, r ? r : &tmp, NULL, NULL, d ? d : &s->diag);
}

fls_status store_verify(struct store *s, uint64_t *n_records, uint64_t *first_bad_seq,
			struct fls_diag *d)
{
	struct store_verify_report r;
	fls_status st = store_verify_report(s, &r, d);

	if (n_records)
		*n_records = r.n_records;
	if (first_bad_seq)
		*first_bad_seq = r.first_bad_seq;
	return st;
}

fls_status store_record_mac(struct store *s, uint64_t seq, unsigned char mac[STORE_MAC_BYTES],
			    struct fls_diag *d)
{
	sqlite3_stmt *st = NULL;
	fls_status rv;
	int rc;

	if (!s || !mac)
		return fls_diag_set(d, FLS_EINVAL, "store_record_mac: missing argument");
	if (seq > (uint64_t)INT64_MAX)
		return fls_diag_set(d, FLS_EINVAL, "%s: there is no record %llu", s->path,
				    (unsigned long long)seq);
	if (seq == 0) { /* before record 1: the genesis value */
		memcpy(mac, s->genesis, STORE_MAC_BYTES);
		return FLS_OK;
	}
	rc = sqlite3_prepare_v2(s->db, "SELECT mac FROM log WHERE seq = ?1", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && col_blob(st, 0, STORE_MAC_BYTES)) {
		memcpy(mac, sqlite3_column_blob(st, 0), STORE_MAC_BYTES);
		rv = FLS_OK;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		rv = fls_diag_set(d, FLS_EINVAL, "%s: there is no record %llu", s->path,
				  (unsigned long long)seq);
	} else {
		rv = store_sql_fail(d, s->db, rc, s->path, "reading a record", s->busy_ms);
	}
	sqlite3_finalize(st);
	return rv;
}
