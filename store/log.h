/*
 * The append path and the MAC chain (docs/store-format.md §4-5): what a row's chain MAC and the
 * head's MAC are computed over, shared by the writer (log.c) and the checkers (verify.c, export.c).
 */
#ifndef FLS_STORE_LOG_H
#define FLS_STORE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "store/handle.h"

/* One row as stored; blobs are borrowed. */
struct store_row {
	uint64_t seq;
	int64_t ts_ms;
	uint32_t kind, key_id;
	const unsigned char *pidx; /* NULL or STORE_HMAC_LEN bytes */
	size_t pidx_len;
	const unsigned char *nonce; /* STORE_NONCE_LEN bytes */
	size_t nonce_len;
	const unsigned char *ct; /* ciphertext || tag */
	size_t ct_len;
};

/*
 * HMAC(chain key, "fls-log-v1 chain" || prev || seq || ts_ms || kind || key_id || len(pidx) || pidx
 * || len(nonce) || nonce || len(ct) || ct). The caller has checked pidx_len and nonce_len are < 256.
 */
int store_chain_mac(struct store *s, const unsigned char prev[STORE_HMAC_LEN],
		    const struct store_row *r, unsigned char out[STORE_HMAC_LEN]);
/* HMAC(head key, "fls-log-v1 head" || file_id || seq || mac). */
int store_head_hmac(struct store *s, uint64_t seq, const unsigned char mac[STORE_HMAC_LEN],
		    unsigned char out[STORE_HMAC_LEN]);
/* HMAC(chain key, "fls-log-v1 genesis" || file_id): the "previous MAC" of record 1. */
int store_genesis(struct store *s, unsigned char out[STORE_HMAC_LEN]);

/* Reset a persistent statement after use (reset + clear_bindings, STYLE §4). */
void store_stmt_done(sqlite3_stmt *st);

#endif
