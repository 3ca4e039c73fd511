/*
 * Export for the key holder. Everything: the full walk of verify.c, delivering each record once it
 * has checked out. One patient: only that patient's rows, found through the keyed index (the others
 * are never decrypted), each checked against its GCM tag and its chain link to the record before it.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "store/db.h"
#include "store/verify.h"

/* The stored chain MAC of record seq - 1 (the genesis value for record 1). */
static fls_status export_prev(struct store *s, sqlite3_stmt *pm, uint64_t seq,
			      unsigned char prev[STORE_HMAC_LEN], struct fls_diag *d)
{
	fls_status rv = FLS_OK;
	int rc;

	if (seq == 1) {
		memcpy(prev, s->genesis, STORE_HMAC_LEN);
		return FLS_OK;
	}
	rc = sqlite3_bind_int64(pm, 1, (sqlite3_int64)(seq - 1));
	if (rc == SQLITE_OK)
		rc = sqlite3_step(pm);
	if (rc == SQLITE_ROW && sqlite3_column_type(pm, 0) == SQLITE_BLOB &&
	    sqlite3_column_bytes(pm, 0) == STORE_HMAC_LEN)
		memcpy(prev, sqlite3_column_blob(pm, 0), STORE_HMAC_LEN);
	else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		rv = fls_diag_set(d, FLS_ETAMPER,
				  "%s: record %llu: missing or malformed (the record after it "
				  "cannot be linked)",
				  s->path, (unsigned long long)(seq - 1));
	else
		rv = store_sql_fail(d, s->db, rc, s->path, "reading the log", s->busy_ms);
	store_stmt_done(pm);
	return rv;
}

/* The largest sequence number in the log (0 when empty). */
/*
 * The last sequence number, which bounds the buckets a patient export visits. It is taken from the file,
 * so it is checked first: records are numbered 1..N without gaps, and a forged huge number would
 * otherwise make the bucket loop run for ever (found by fuzzing, fuzz/regress/store).
 */
static fls_status export_max_seq(struct store *s, uint64_t *max, struct fls_diag *d)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0, n = 0;
	int rc = sqlite3_prepare_v2(s->db, "SELECT coalesce(max(seq), 0), count(*) FROM log", -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
		n = sqlite3_column_int64(st, 1);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return store_sql_fail(d, s->db, rc, s->path, "reading the log", s->busy_ms);
	if (v != n || v < 0)
		return fls_diag_set(d, FLS_ETAMPER,
				    "%s: the records are not numbered 1..%lld without gaps (last is %lld): "
				    "run fls log verify",
				    s->path, (long long)n, (long long)v);
	*max = (uint64_t)v;
	return FLS_OK;
}

static fls_status export_patient(struct store *s, const char *patient_id, store_export_cb cb,
				 void *ctx, struct fls_diag *d)
{
	sqlite3_stmt *st = NULL, *pm = NULL;
	unsigned char pidx[STORE_HMAC_LEN], prev[STORE_HMAC_LEN], mac[STORE_HMAC_LEN];
	struct store_row row;
	uint64_t max = 0;
	fls_status rv;
	int rc;

	if (store_mac_oneshot(&s->index_mac, patient_id, strlen(patient_id), pidx))
		return fls_diag_set(d, FLS_ECRYPTO, "%s: computing the patient index failed",
				    s->path);
	if ((rv = store_db_exec(s->db, s->path, "BEGIN", "reading the log", s->busy_ms, d)))
		return rv;
	/*
	 * The index log_pidx (bucket, pidx) serves this query, one seek per bucket of 4096 records:
	 * no other patient's record is read, let alone decrypted. The expression must match the
	 * index's.
	 */
	rc = sqlite3_prepare_v3(s->db,
				"SELECT " STORE_ROW_COLUMNS " FROM log WHERE seq >> 12 = ?1 AND "
				"pidx = ?2 ORDER BY seq",
				-1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(s->db, "SELECT mac FROM log WHERE seq = ?1", -1,
					SQLITE_PREPARE_PERSISTENT, &pm, NULL);
	if (rc != SQLITE_OK) {
		rv = store_sql_fail(d, s->db, rc, s->path, "reading the log", s->busy_ms);
		goto out;
	}
	if ((rv = export_max_seq(s, &max, d)))
		goto out;
	for (uint64_t b = 0; b <= max >> STORE_INDEX_BUCKET_LOG2; b++) {
		if ((rc = sqlite3_bind_int64(st, 1, (sqlite3_int64)b)) != SQLITE_OK ||
		    (rc = sqlite3_bind_blob(st, 2, pidx, sizeof(pidx), SQLITE_STATIC)) !=
			    SQLITE_OK) {
			rv = store_sql_fail(d, s->db, rc, s->path, "reading the log", s->busy_ms);
			goto out;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t seq = sqlite3_column_int64(st, 0);

			if (sqlite3_column_type(st, 0) != SQLITE_INTEGER || seq < 1) {
				rv = fls_diag_set(d, FLS_ETAMPER,
						  "%s: a record has an invalid sequence number",
						  s->path);
				goto out;
			}
			if ((rv = export_prev(s, pm, (uint64_t)seq, prev, d)) ||
			    (rv = store_check_row(s, st, prev, &row, mac, d)))
				goto out;
			if (store_deliver(s, &row, cb, ctx)) {
				rv = fls_diag_set(d, FLS_EABORT, "%s: stopped at record %lld",
						  s->path, (long long)seq);
				goto out;
			}
		}
		if (rc != SQLITE_DONE) {
			rv = store_sql_fail(d, s->db, rc, s->path, "reading the log", s->busy_ms);
			goto out;
		}
		store_stmt_done(st);
	}
	rv = FLS_OK;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(pm);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	OPENSSL_cleanse(pidx, sizeof(pidx));
	return rv;
}

fls_status store_export(struct store *s, const char *patient_id, store_export_cb cb, void *ctx,
			struct fls_diag *d)
{
	struct store_verify_report r;

	if (!s || !cb)
		return fls_diag_set(d, FLS_EINVAL, "store_export: missing argument");
	if (!d)
		d = &s->diag;
	if (s->in_txn)
		return fls_diag_set(d, FLS_EINVAL, "%s: cannot export inside an open batch",
				    s->path);
	if (patient_id)
		return export_patient(s, patient_id, cb, ctx, d);
	return store_walk(s, &r, cb, ctx, d);
}
