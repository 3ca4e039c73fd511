/*
 * Appending records. A batch is one SQLite write transaction: BEGIN IMMEDIATE takes the write lock
 * first, and only then is the head read, so two processes appending to the same file each extend
 * the chain from the true end (a deferred BEGIN could read a stale head and later fail with
 * SQLITE_BUSY). The head is rewritten in the same transaction as the records, so a crash leaves
 * either the whole batch with its head or neither.
 */
#define _POSIX_C_SOURCE 200809L
#include "store/log.h"

#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "store/db.h"
#include "store/json.h"

void store_stmt_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	/* reset keeps bindings, and ours point at buffers about to change */
	sqlite3_clear_bindings(st);
}

int store_chain_mac(struct store *s, const unsigned char prev[STORE_HMAC_LEN],
		    const struct store_row *r, unsigned char out[STORE_HMAC_LEN])
{
	unsigned char fix[16 + STORE_HMAC_LEN + 8 + 8 + 4 + 4 + 1], b[8];
	unsigned char *p = fix;

	memcpy(p, "fls-log-v1 chain", 16);
	p += 16;
	memcpy(p, prev, STORE_HMAC_LEN);
	p += STORE_HMAC_LEN;
	store_put_be64(p, r->seq);
	store_put_be64(p + 8, (uint64_t)r->ts_ms);
	store_put_be32(p + 16, r->kind);
	store_put_be32(p + 20, r->key_id);
	p[24] = (unsigned char)r->pidx_len;
	if (store_mac_begin(&s->chain_mac) || store_mac_update(&s->chain_mac, fix, sizeof(fix)) ||
	    (r->pidx_len && store_mac_update(&s->chain_mac, r->pidx, r->pidx_len)))
		return -1;
	b[0] = (unsigned char)r->nonce_len;
	if (store_mac_update(&s->chain_mac, b, 1) ||
	    store_mac_update(&s->chain_mac, r->nonce, r->nonce_len))
		return -1;
	store_put_be64(b, (uint64_t)r->ct_len);
	if (store_mac_update(&s->chain_mac, b, 8) ||
	    store_mac_update(&s->chain_mac, r->ct, r->ct_len) || store_mac_end(&s->chain_mac, out))
		return -1;
	return 0;
}

int store_head_hmac(struct store *s, uint64_t seq, const unsigned char mac[STORE_HMAC_LEN],
		    unsigned char out[STORE_HMAC_LEN])
{
	unsigned char b[15 + STORE_FILE_ID_LEN + 8 + STORE_HMAC_LEN];

	memcpy(b, "fls-log-v1 head", 15);
	memcpy(b + 15, s->file_id, STORE_FILE_ID_LEN);
	store_put_be64(b + 15 + STORE_FILE_ID_LEN, seq);
	memcpy(b + 15 + STORE_FILE_ID_LEN + 8, mac, STORE_HMAC_LEN);
	return store_mac_oneshot(&s->head_mac, b, sizeof(b), out);
}

int store_genesis(struct store *s, unsigned char out[STORE_HMAC_LEN])
{
	unsigned char b[18 + STORE_FILE_ID_LEN];

	memcpy(b, "fls-log-v1 genesis", 18);
	memcpy(b + 18, s->file_id, STORE_FILE_ID_LEN);
	return store_mac_oneshot(&s->chain_mac, b, sizeof(b), out);
}

static fls_status log_sql_fail(struct store *s, int rc, const char *what)
{
	return store_sql_fail(&s->diag, s->db, rc, s->path, what, s->busy_ms);
}

/* Abandon the open transaction after a failure; the message already in s->diag stays. */
static void log_abort(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db)) {
		sqlite3_step(s->stmt[STORE_SQL_ROLLBACK]);
		sqlite3_reset(s->stmt[STORE_SQL_ROLLBACK]);
	}
	s->in_txn = 0;
}

/* Read the head and the last record under the write lock; refuse to extend a broken chain. */
static fls_status log_load_head(struct store *s)
{
	sqlite3_stmt *h = s->stmt[STORE_SQL_HEAD_GET], *l = s->stmt[STORE_SQL_LAST_GET];
	unsigned char hm[STORE_HMAC_LEN], head_mac[STORE_HMAC_LEN];
	uint64_t head_seq = 0, last_seq = 0;
	fls_status st = FLS_OK;
	int rc;

	rc = sqlite3_step(h);
	if (rc != SQLITE_ROW) {
		st = rc == SQLITE_DONE ? fls_diag_set(&s->diag, FLS_ETAMPER,
						      "%s: the head is missing (altered "
						      "store); run `fls log verify`",
						      s->path)
				       : log_sql_fail(s, rc, "reading the head");
		goto out;
	}
	if (sqlite3_column_int64(h, 0) < 0 || sqlite3_column_bytes(h, 1) != STORE_HMAC_LEN ||
	    sqlite3_column_bytes(h, 2) != STORE_HMAC_LEN) {
		st = fls_diag_set(&s->diag, FLS_ETAMPER,
				  "%s: the head is malformed (altered store)", s->path);
		goto out;
	}
	head_seq = (uint64_t)sqlite3_column_int64(h, 0);
	memcpy(head_mac, sqlite3_column_blob(h, 1), STORE_HMAC_LEN);
	if (store_head_hmac(s, head_seq, head_mac, hm)) {
		st = fls_diag_set(&s->diag, FLS_ECRYPTO, "%s: computing the head MAC failed",
				  s->path);
		goto out;
	}
	if (CRYPTO_memcmp(hm, sqlite3_column_blob(h, 2), STORE_HMAC_LEN) != 0) {
		st = fls_diag_set(&s->diag, FLS_ETAMPER,
				  "%s: the head's MAC is wrong (altered store); "
				  "refusing to append. Run `fls log verify`",
				  s->path);
		goto out;
	}
	memcpy(s->last_mac, s->genesis, STORE_HMAC_LEN);
	rc = sqlite3_step(l);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_int64(l, 0) < 1 ||
		    sqlite3_column_bytes(l, 1) != STORE_HMAC_LEN) {
			st = fls_diag_set(&s->diag, FLS_ETAMPER,
					  "%s: the last record is malformed (altered "
					  "store); refusing to append",
					  s->path);
			goto out;
		}
		last_seq = (uint64_t)sqlite3_column_int64(l, 0);
		memcpy(s->last_mac, sqlite3_column_blob(l, 1), STORE_HMAC_LEN);
	} else if (rc != SQLITE_DONE) {
		st = log_sql_fail(s, rc, "reading the last record");
		goto out;
	}
	if (last_seq != head_seq || CRYPTO_memcmp(s->last_mac, head_mac, STORE_HMAC_LEN) != 0) {
		st = fls_diag_set(&s->diag, FLS_ETAMPER,
				  "%s: the head (record %llu) does not match the last "
				  "record (%llu): the log was altered; refusing to append. Run "
				  "`fls log verify`",
				  s->path, (unsigned long long)head_seq,
				  (unsigned long long)last_seq);
		goto out;
	}
	s->last_seq = last_seq;
out:
	store_stmt_done(h);
	store_stmt_done(l);
	return st;
}

fls_status store_begin(struct store *s)
{
	fls_status st;
	int rc;

	if (!s)
		return FLS_EINVAL;
	fls_diag_clear(&s->diag);
	if (s->readonly)
		return fls_diag_set(&s->diag, FLS_EINVAL, "%s: the store was opened read-only",
				    s->path);
	if (s->in_txn)
		return fls_diag_set(&s->diag, FLS_EINVAL, "%s: a batch is already open", s->path);
	rc = sqlite3_step(s->stmt[STORE_SQL_BEGIN]);
	sqlite3_reset(s->stmt[STORE_SQL_BEGIN]);
	if (rc != SQLITE_DONE)
		return log_sql_fail(s, rc, "starting a batch");
	s->in_txn = 1;
	if ((st = log_load_head(s)) != FLS_OK)
		log_abort(s);
	return st;
}

static int64_t log_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Seal, chain and insert one record inside the open transaction. */
static fls_status log_put(struct store *s, enum store_kind kind, const char *patient_id,
			  const void *payload, size_t len, int64_t ts_ms)
{
	sqlite3_stmt *ins = s->stmt[STORE_SQL_INSERT];
	unsigned char aad[STORE_AAD_LEN], nonce[STORE_NONCE_LEN], pidx[STORE_HMAC_LEN],
		mac[STORE_HMAC_LEN];
	struct store_row r;
	fls_status st;
	int rc;

	if (s->last_seq >= (uint64_t)INT64_MAX)
		return fls_diag_set(&s->diag, FLS_ELIMIT, "%s: the log is full", s->path);
	memset(&r, 0, sizeof(r));
	r.seq = s->last_seq + 1;
	r.ts_ms = ts_ms;
	r.kind = (uint32_t)kind;
	r.key_id = store_key_id_for(s, r.seq);
	if ((st = store_reserve(s, len + STORE_TAG_LEN)) != FLS_OK)
		return fls_diag_set(&s->diag, st, "%s: out of memory", s->path);
	if (store_use_key(s, r.key_id) != FLS_OK)
		return fls_diag_set(&s->diag, FLS_ECRYPTO, "%s: deriving encryption key %u failed",
				    s->path, r.key_id);
	if (patient_id) {
		if (store_mac_oneshot(&s->index_mac, patient_id, strlen(patient_id), pidx))
			return fls_diag_set(&s->diag, FLS_ECRYPTO,
					    "%s: computing the patient index failed", s->path);
		r.pidx = pidx;
		r.pidx_len = sizeof(pidx);
	}
	store_aad(aad, r.key_id, r.seq, r.kind);
	if (store_nonce_next(&s->nonces, nonce))
		return fls_diag_set(&s->diag, FLS_ECRYPTO, "%s: the random number generator failed",
				    s->path);
	st = store_gcm_seal(s->gcm, s->enc_key, aad, sizeof(aad), payload, len, nonce, s->buf);
	if (st != FLS_OK)
		return fls_diag_set(&s->diag, FLS_ECRYPTO, "%s: encrypting record %llu failed",
				    s->path, (unsigned long long)r.seq);
	r.nonce = nonce;
	r.nonce_len = sizeof(nonce);
	r.ct = s->buf;
	r.ct_len = len + STORE_TAG_LEN;
	if (store_chain_mac(s, s->last_mac, &r, mac))
		return fls_diag_set(&s->diag, FLS_ECRYPTO, "%s: computing the chain MAC failed",
				    s->path);
	if ((rc = sqlite3_bind_int64(ins, 1, (sqlite3_int64)r.seq)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(ins, 2, r.ts_ms)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(ins, 3, r.kind)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(ins, 4, r.key_id)) != SQLITE_OK ||
	    (rc = r.pidx ? sqlite3_bind_blob(ins, 5, r.pidx, (int)r.pidx_len, SQLITE_STATIC)
			 : sqlite3_bind_null(ins, 5)) != SQLITE_OK ||
	    (rc = sqlite3_bind_blob(ins, 6, nonce, sizeof(nonce), SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_blob64(ins, 7, r.ct, r.ct_len, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_blob(ins, 8, mac, sizeof(mac), SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_step(ins)) != SQLITE_DONE) {
		st = log_sql_fail(s, rc, "appending a record"); /* before reset touches errmsg */
		store_stmt_done(ins);
		return st;
	}
	store_stmt_done(ins);
	s->last_seq = r.seq;
	memcpy(s->last_mac, mac, sizeof(mac));
	return FLS_OK;
}

fls_status store_append_at(struct store *s, enum store_kind kind, const char *patient_id,
			   const void *payload, size_t len, int64_t ts_ms)
{
	int auto_txn = 0;
	fls_status st;

	if (!s)
		return FLS_EINVAL;
	fls_diag_clear(&s->diag);
	/*
	 * Argument errors leave the batch as it was: they are the caller's bug, not the store's
	 * state.
	 */
	if (kind != STORE_KIND_DECISION && kind != STORE_KIND_OUTCOME)
		return fls_diag_set(&s->diag, FLS_EINVAL, "store_append: unknown record kind %d",
				    (int)kind);
	if (!payload && len)
		return fls_diag_set(&s->diag, FLS_EINVAL, "store_append: no payload");
	if (len > STORE_MAX_PAYLOAD)
		return fls_diag_set(&s->diag, FLS_EINVAL,
				    "store_append: payload of %zu bytes exceeds %u", len,
				    STORE_MAX_PAYLOAD);
	if (!store_json_valid(payload, len))
		return fls_diag_set(&s->diag, FLS_EINVAL,
				    "store_append: the payload is not UTF-8 JSON");
	if (s->readonly)
		return fls_diag_set(&s->diag, FLS_EINVAL, "%s: the store was opened read-only",
				    s->path);
	if (!s->in_txn) {
		if ((st = store_begin(s)) != FLS_OK)
			return st;
		auto_txn = 1;
	}
	if ((st = log_put(s, kind, patient_id, payload, len, ts_ms)) != FLS_OK) {
		/* the whole batch goes: a chain with a hole must never be committed */
		log_abort(s);
		return st;
	}
	return auto_txn ? store_commit(s) : FLS_OK;
}

fls_status store_append(struct store *s, enum store_kind kind, const char *patient_id,
			const void *payload, size_t len)
{
	return store_append_at(s, kind, patient_id, payload, len, log_now_ms());
}

fls_status store_commit(struct store *s)
{
	sqlite3_stmt *hs;
	unsigned char hm[STORE_HMAC_LEN];
	fls_status st = FLS_OK;
	int rc;

	if (!s)
		return FLS_EINVAL;
	if (!s->in_txn)
		return fls_diag_set(
			&s->diag, FLS_EINVAL,
			"%s: no batch is open (it may have been rolled back by an earlier "
			"error)",
			s->path);
	hs = s->stmt[STORE_SQL_HEAD_SET];
	if (store_head_hmac(s, s->last_seq, s->last_mac, hm)) {
		st = fls_diag_set(&s->diag, FLS_ECRYPTO, "%s: computing the head MAC failed",
				  s->path);
		goto out;
	}
	if ((rc = sqlite3_bind_int64(hs, 1, (sqlite3_int64)s->last_seq)) != SQLITE_OK ||
	    (rc = sqlite3_bind_blob(hs, 2, s->last_mac, STORE_HMAC_LEN, SQLITE_STATIC)) !=
		    SQLITE_OK ||
	    (rc = sqlite3_bind_blob(hs, 3, hm, STORE_HMAC_LEN, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_step(hs)) != SQLITE_DONE) {
		st = log_sql_fail(s, rc, "writing the head");
		store_stmt_done(hs);
		goto out;
	}
	store_stmt_done(hs);
	rc = sqlite3_step(s->stmt[STORE_SQL_COMMIT]);
	if (rc != SQLITE_DONE)
		st = log_sql_fail(s, rc, "committing a batch");
	sqlite3_reset(s->stmt[STORE_SQL_COMMIT]);
out:
	if (st != FLS_OK)
		log_abort(s); /* the batch is gone as a whole; the caller's rollback is a no-op */
	else
		s->in_txn = 0;
	return st;
}

fls_status store_rollback(struct store *s)
{
	if (!s)
		return FLS_EINVAL;
	if (s->in_txn)
		log_abort(s);
	return FLS_OK;
}
