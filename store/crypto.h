/*
 * The store's cryptographic primitives: AES-256-GCM records through EVP (STYLE.md §4), HMAC-SHA256
 * through EVP_MAC with the key set once, and the big-endian encodings the MAC and AAD inputs use.
 */
#ifndef FLS_STORE_CRYPTO_H
#define FLS_STORE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "fls/fls.h"

enum {
	STORE_NONCE_LEN = 12, /* random 96-bit GCM nonce per record */
	STORE_TAG_LEN = 16, /* GCM tag, appended to the ciphertext */
	STORE_HMAC_LEN = 32, /* HMAC-SHA256 output */
	STORE_SUBKEY_LEN = 32, /* every derived key */
	STORE_AAD_LEN = 10 + 4 + 8 + 4 /* "fls-log-v1" || key_id || seq || kind */
};

/*
 * An HMAC-SHA256 keyed once; each use re-initialises it with the same key (no key schedule per
 * use).
 */
struct store_mac {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
};

/* 0 on success. The key is copied into OpenSSL's context (which wipes it when freed). */
int store_mac_init(struct store_mac *m, const unsigned char key[STORE_SUBKEY_LEN]);
void store_mac_free(struct store_mac *m);
int store_mac_begin(struct store_mac *m);
int store_mac_update(struct store_mac *m, const void *p, size_t n);
int store_mac_end(struct store_mac *m, unsigned char out[STORE_HMAC_LEN]);
/* One-shot MAC of p[0..n). 0 on success. */
int store_mac_oneshot(struct store_mac *m, const void *p, size_t n,
		      unsigned char out[STORE_HMAC_LEN]);

/* The AAD of a record: "fls-log-v1" || key_id (u32 BE) || seq (u64 BE) || kind (u32 BE). */
void store_aad(unsigned char aad[STORE_AAD_LEN], uint32_t key_id, uint64_t seq, uint32_t kind);

/*
 * Nonces drawn from RAND_bytes 64 at a time (one RAND_bytes call costs as much as sealing a
 * record).
 */
enum { STORE_NONCE_POOL = 64 };
struct store_nonces {
	unsigned char pool[STORE_NONCE_POOL * STORE_NONCE_LEN];
	unsigned left;
	/* the process that drew them: a forked child must never reuse its parent's nonces */
	pid_t pid;
};

/* The next random nonce (never handed out twice). 0 on success, -1 when the RNG fails. */
int store_nonce_next(struct store_nonces *n, unsigned char out[STORE_NONCE_LEN]);
void store_nonce_wipe(struct store_nonces *n);

/*
 * Seal pt with a fresh EVP_CIPHER_CTX under a random nonce (store_nonce_next): ct gets pt_len + 16
 * bytes (ciphertext || tag). FLS_ELIMIT when pt_len does not fit an int, FLS_ECRYPTO otherwise.
 */
fls_status store_gcm_seal(const EVP_CIPHER *gcm, const unsigned char key[STORE_SUBKEY_LEN],
			  const unsigned char *aad, size_t aad_len, const unsigned char *pt,
			  size_t pt_len, const unsigned char nonce[STORE_NONCE_LEN],
			  unsigned char *ct);

/*
 * Open ct (ciphertext || tag, ct_len >= 16) into pt (ct_len - 16 bytes). The tag is set before
 * EVP_DecryptFinal_ex; when it does not verify, pt is wiped and FLS_ECRYPTO returned.
 */
fls_status store_gcm_open(const EVP_CIPHER *gcm, const unsigned char key[STORE_SUBKEY_LEN],
			  const unsigned char *aad, size_t aad_len,
			  const unsigned char nonce[STORE_NONCE_LEN], const unsigned char *ct,
			  size_t ct_len, unsigned char *pt);

void store_put_be32(unsigned char out[4], uint32_t v);
void store_put_be64(unsigned char out[8], uint64_t v);

/* Lower-case hex of p[0..n) into out (2n + 1 bytes with the NUL). */
void store_hex(char *out, const unsigned char *p, size_t n);

#endif
