/*
 * Opening and closing a store: the SQLite file (db.c), the per-file keys (keys.c), the key check
 * that tells a wrong key from a damaged log, and the statements of the write path, prepared once.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "store/db.h"
#include "store/handle.h"
#include "store/log.h"

static const char *const store_sql[STORE_SQL_COUNT] = {
	[STORE_SQL_BEGIN] = "BEGIN IMMEDIATE",
	[STORE_SQL_COMMIT] = "COMMIT",
	[STORE_SQL_ROLLBACK] = "ROLLBACK",
	[STORE_SQL_HEAD_GET] = "SELECT seq, mac, hmac FROM head WHERE id = 1",
	[STORE_SQL_LAST_GET] = "SELECT seq, mac FROM log ORDER BY seq DESC LIMIT 1",
	[STORE_SQL_INSERT] = ("INSERT INTO log(seq, ts_ms, kind, key_id, pidx, nonce, ct, mac) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
	[STORE_SQL_HEAD_SET] = "UPDATE head SET seq = ?1, mac = ?2, hmac = ?3 WHERE id = 1",
};

uint32_t store_key_id_for(const struct store *s, uint64_t seq)
{
	/*
	 * seq >= 1; with at most 2^30 records per key and seq < 2^63 this fits 32 bits for any real
	 * log.
	 */
	uint64_t id = ((seq - 1) >> s->records_per_key_log2) + 1;

	return id > UINT32_MAX ? UINT32_MAX : (uint32_t)id;
}

fls_status store_use_key(struct store *s, uint32_t key_id)
{
	if (s->enc_key_id == key_id)
		return FLS_OK;
	s->enc_key_id = 0;
	if (store_keys_enc(s->enc_key, &s->keys, key_id) != FLS_OK)
		return FLS_ECRYPTO;
	s->enc_key_id = key_id;
	return FLS_OK;
}

fls_status store_reserve(struct store *s, size_t n)
{
	unsigned char *p;
	size_t cap = s->buf_cap ? s->buf_cap : 4096;

	if (n <= s->buf_cap)
		return FLS_OK;
	while (cap < n)
		cap *= 2; /* n is bounded by STORE_MAX_PAYLOAD + overhead: no overflow */
	if (!(p = fls_malloc(&s->mem, cap)))
		return FLS_ENOMEM;
	if (s->buf) {
		OPENSSL_cleanse(s->buf, s->buf_cap); /* it held plaintext */
		fls_free(&s->mem, s->buf);
	}
	s->buf = p;
	s->buf_cap = cap;
	return FLS_OK;
}

/*
 * The key check: a MAC under the check key over every meta value, so that a wrong key is reported
 * as a wrong key (not as a tampered log), and an altered meta table cannot pass with the right key.
 */
static int open_key_check(const struct store_meta *m, const struct store_keys *k,
			  unsigned char out[STORE_HMAC_LEN])
{
	struct store_mac mac;
	unsigned char b[4 + STORE_FILE_ID_LEN + 4 + STORE_SALT_BYTES + 8 + 4 + 4];
	unsigned char *p = b;
	int rc;

	store_put_be32(p, (uint32_t)m->format);
	p += 4;
	memcpy(p, m->file_id, STORE_FILE_ID_LEN);
	p += STORE_FILE_ID_LEN;
	store_put_be32(p, m->records_per_key_log2);
	p += 4;
	memcpy(p, m->salt, STORE_SALT_BYTES);
	p += STORE_SALT_BYTES;
	store_put_be64(p, m->scrypt.n);
	store_put_be32(p + 8, m->scrypt.r);
	store_put_be32(p + 12, m->scrypt.p);
	if (store_mac_init(&mac, k->check))
		return -1;
	rc = store_mac_begin(&mac) || store_mac_update(&mac, "fls-log-v1 key check", 20) ||
			store_mac_update(&mac, b, sizeof(b)) || store_mac_end(&mac, out)
		? -1
		: 0;
	store_mac_free(&mac);
	return rc;
}

static int64_t open_count(sqlite3 *db, const char *sql, int *rc)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	if ((*rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) == SQLITE_OK) {
		if ((*rc = sqlite3_step(st)) == SQLITE_ROW) {
			n = sqlite3_column_int64(st, 0);
			*rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return n;
}

/*
 * The first key to open a new store claims it: the key check and an empty head (seq 0, genesis) are
 * written together, under the write lock, and only into a log that has no records and no head.
 */
static fls_status open_claim(struct store *s, struct store_meta *m, struct fls_diag *d)
{
	unsigned char check[STORE_HMAC_LEN], hm[STORE_HMAC_LEN];
	sqlite3_stmt *st = NULL;
	fls_status rv;
	int64_t nlog, nhead;
	int rc;

	if ((rv = store_db_exec(s->db, s->path, "BEGIN IMMEDIATE", "initialising the store",
				s->busy_ms, d)))
		return rv;
	if ((rv = store_db_read_meta(s->db, s->path, m, d)) || m->has_check)
		goto out; /* another process claimed it meanwhile: the caller compares */
	nlog = open_count(s->db, "SELECT count(*) FROM log", &rc);
	nhead = rc == SQLITE_OK ? open_count(s->db, "SELECT count(*) FROM head", &rc) : -1;
	if (rc != SQLITE_OK) {
		rv = store_sql_fail(d, s->db, rc, s->path, "initialising the store", s->busy_ms);
		goto out;
	}
	if (nlog != 0 || nhead != 0) {
		rv = fls_diag_set(d, FLS_ETAMPER,
				  "%s: the meta table has lost its key check but the log is "
				  "not empty (altered store)",
				  s->path);
		goto out;
	}
	if (open_key_check(m, &s->keys, check) || store_head_hmac(s, 0, s->genesis, hm)) {
		rv = fls_diag_set(d, FLS_ECRYPTO, "%s: computing the key check failed", s->path);
		goto out;
	}
	if ((rv = store_db_put_meta(s->db, s->path, "key_check", check, sizeof(check), 0, d)))
		goto out;
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO head(id, seq, mac, hmac) VALUES (1, 0, ?1, ?2)",
				-1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(st, 1, s->genesis, STORE_HMAC_LEN, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(st, 2, hm, STORE_HMAC_LEN, SQLITE_STATIC);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		rv = store_sql_fail(d, s->db, rc, s->path, "initialising the store", s->busy_ms);
		goto out;
	}
	memcpy(m->check, check, sizeof(check));
	m->has_check = 1;
	rv = store_db_exec(s->db, s->path, "COMMIT", "initialising the store", s->busy_ms, d);
out:
	if (rv != FLS_OK)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	else if (!sqlite3_get_autocommit(s->db))
		rv = store_db_exec(s->db, s->path, "COMMIT", "initialising the store", s->busy_ms,
				   d);
	return rv;
}

fls_status store_open(struct store **out, const struct fls_mem *mem, const char *path,
		      const unsigned char master[STORE_KEY_BYTES], struct fls_diag *d)
{
	return store_open_ex(out, mem, path, master, NULL, d);
}

fls_status store_open_ex(struct store **out, const struct fls_mem *mem, const char *path,
			 const unsigned char master[STORE_KEY_BYTES], const struct store_opts *opts,
			 struct fls_diag *d)
{
	struct store *s = NULL;
	struct store_meta m;
	unsigned char check[STORE_HMAC_LEN];
	fls_status st = FLS_ENOMEM;
	int rc;

	if (out)
		*out = NULL;
	if (!out || !path || !master)
		return fls_diag_set(d, FLS_EINVAL, "store_open: missing argument");
	if (!mem)
		mem = &fls_mem_libc;
	if (!(s = fls_calloc(mem, 1, sizeof(*s)))) {
		fls_diag_set(d, FLS_ENOMEM, "out of memory opening the store");
		return FLS_ENOMEM;
	}
	s->mem = *mem;
	s->readonly = opts && opts->readonly;
	s->busy_ms =
		opts && opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms : STORE_BUSY_TIMEOUT_MS;
	if (!(s->path = fls_strndup(&s->mem, path, strlen(path)))) {
		fls_diag_set(d, FLS_ENOMEM, "out of memory opening the store");
		goto out;
	}
	if ((st = store_db_open(&s->db, path, opts, d)) ||
	    (st = store_db_read_meta(s->db, path, &m, d)))
		goto out;
	memcpy(s->file_id, m.file_id, STORE_FILE_ID_LEN);
	s->records_per_key_log2 = m.records_per_key_log2;
	if (store_keys_derive(&s->keys, master, m.file_id) != FLS_OK ||
	    store_mac_init(&s->chain_mac, s->keys.chain) ||
	    store_mac_init(&s->head_mac, s->keys.head) ||
	    store_mac_init(&s->index_mac, s->keys.index) ||
	    !(s->gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL)) ||
	    store_genesis(s, s->genesis)) {
		st = fls_diag_set(d, FLS_ECRYPTO, "%s: deriving the store's keys failed", path);
		goto out;
	}
	if (!m.has_check) {
		if (s->readonly) {
			st = fls_diag_set(d, FLS_ESTORE,
					  "%s has never been opened for writing: it holds no "
					  "records and no key",
					  path);
			goto out;
		}
		if ((st = open_claim(s, &m, d)))
			goto out;
	}
	if (open_key_check(&m, &s->keys, check)) {
		st = fls_diag_set(d, FLS_ECRYPTO, "%s: computing the key check failed", path);
		goto out;
	}
	if (CRYPTO_memcmp(check, m.check, sizeof(check)) != 0) {
		st = fls_diag_set(d, FLS_ECRYPTO,
				  "%s: wrong key: this key (or passphrase) is not the one the "
				  "store was created with, or the store's meta table was altered",
				  path);
		goto out;
	}
	for (int i = 0; i < STORE_SQL_COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, store_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					&s->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			st = store_sql_fail(d, s->db, rc, path, "preparing statements", s->busy_ms);
			goto out;
		}
	}
	st = FLS_OK;
	*out = s;
	s = NULL;
out:
	OPENSSL_cleanse(check, sizeof(check));
	store_close(s);
	return st;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->in_txn && s->stmt[STORE_SQL_ROLLBACK]) {
		sqlite3_step(s->stmt[STORE_SQL_ROLLBACK]);
		sqlite3_reset(s->stmt[STORE_SQL_ROLLBACK]);
	}
	for (int i = 0; i < STORE_SQL_COUNT; i++)
		sqlite3_finalize(s->stmt[i]); /* every statement before close (STYLE §4) */
	sqlite3_close(s->db);
	store_mac_free(&s->chain_mac);
	store_mac_free(&s->head_mac);
	store_mac_free(&s->index_mac);
	EVP_CIPHER_free(s->gcm);
	store_nonce_wipe(&s->nonces);
	store_keys_wipe(&s->keys);
	OPENSSL_cleanse(s->enc_key, sizeof(s->enc_key));
	if (s->buf) {
		OPENSSL_cleanse(s->buf, s->buf_cap);
		fls_free(&s->mem, s->buf);
	}
	fls_free(&s->mem, s->path);
	{
		struct fls_mem mem = s->mem;

		OPENSSL_cleanse(s, sizeof(*s));
		fls_free(&mem, s);
	}
}

const char *store_errmsg(const struct store *s)
{
	return s ? s->diag.msg : "no store";
}

fls_status store_passphrase_key(unsigned char key[STORE_KEY_BYTES], const char *path,
				const char *pass, size_t len, const struct store_opts *opts,
				struct fls_diag *d)
{
	sqlite3 *db = NULL;
	struct store_meta m;
	fls_status st;

	if (!key || !path || !pass)
		return fls_diag_set(d, FLS_EINVAL, "store_passphrase_key: missing argument");
	if (len < STORE_MIN_PASSPHRASE) /* before creating anything */
		return fls_diag_set(d, FLS_EINVAL, "the passphrase must be at least %d bytes long",
				    STORE_MIN_PASSPHRASE);
	if ((st = store_db_open(&db, path, opts, d)) == FLS_OK &&
	    (st = store_db_read_meta(db, path, &m, d)) == FLS_OK)
		st = store_scrypt(key, pass, len, m.salt, sizeof(m.salt), &m.scrypt, d);
	sqlite3_close(db);
	return st;
}

fls_status store_patient_index(struct store *s, const char *patient_id,
			       unsigned char out[STORE_MAC_BYTES])
{
	if (!s || !patient_id)
		return FLS_EINVAL;
	if (store_mac_oneshot(&s->index_mac, patient_id, strlen(patient_id), out))
		return fls_diag_set(&s->diag, FLS_ECRYPTO, "computing the patient index failed");
	return FLS_OK;
}
