/* The store handle, shared by the files of store/ (never seen outside it). */
#ifndef FLS_STORE_HANDLE_H
#define FLS_STORE_HANDLE_H

#include <stdint.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "store/crypto.h"
#include "store/keys.h"
#include "store/store.h"
#include "util/diag.h"
#include "util/mem.h"

/* The statements of the write path, prepared once at open (SQLITE_PREPARE_PERSISTENT). */
enum store_stmt {
	STORE_SQL_BEGIN, /* BEGIN IMMEDIATE */
	STORE_SQL_COMMIT,
	STORE_SQL_ROLLBACK,
	STORE_SQL_HEAD_GET, /* seq, mac, hmac of the head */
	STORE_SQL_LAST_GET, /* seq, mac of the last record */
	STORE_SQL_INSERT,
	STORE_SQL_HEAD_SET,
	STORE_SQL_COUNT
};

struct store {
	struct fls_mem mem;
	sqlite3 *db;
	char *path; /* for messages (a file name is not patient data) */
	int readonly;
	int busy_ms;
	sqlite3_stmt *stmt[STORE_SQL_COUNT];

	/* From meta. */
	unsigned char file_id[STORE_FILE_ID_LEN];
	unsigned records_per_key_log2;

	/* Keys: derived at open, wiped at close. */
	struct store_keys keys;
	struct store_mac chain_mac, head_mac, index_mac;
	EVP_CIPHER *gcm; /* fetched once per store */
	struct store_nonces nonces;
	uint32_t enc_key_id; /* 0: enc_key not derived yet */
	unsigned char enc_key[STORE_SUBKEY_LEN];
	unsigned char genesis[STORE_HMAC_LEN]; /* the "previous MAC" of record 1 */

	/* The chain as read under the write lock at store_begin and extended by each append. */
	int in_txn;
	uint64_t last_seq;
	unsigned char last_mac[STORE_HMAC_LEN];

	unsigned char *buf; /* ciphertext / plaintext scratch */
	size_t buf_cap;
	struct fls_diag diag;
};

/* The key id of record seq: a new derived encryption key every 2^records_per_key_log2 records. */
uint32_t store_key_id_for(const struct store *s, uint64_t seq);
/* Make s->enc_key the key of key_id. */
fls_status store_use_key(struct store *s, uint32_t key_id);
/* Grow the scratch buffer to at least n bytes. */
fls_status store_reserve(struct store *s, size_t n);

#endif
