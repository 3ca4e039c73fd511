/*
 * Key material of the store: the master key (key file or scrypt passphrase) and the keys
 * HKDF-SHA256 derives from it, one per purpose, bound to the file by its random file id
 * (docs/store-format.md §3).
 */
#ifndef FLS_STORE_KEYS_H
#define FLS_STORE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "fls/fls.h"
#include "store/crypto.h"
#include "store/store.h"
#include "util/diag.h"

enum { STORE_FILE_ID_LEN = 16 };

/* scrypt cost, kept in the store's meta table so that a later version can raise it per file. */
struct store_scrypt {
	uint64_t n;
	uint32_t r, p;
};

/* Defaults for new stores: OWASP's scrypt minimum of N = 2^17, r = 8, p = 1 (128 MiB, ~0.3 s). */
#define STORE_SCRYPT_LOG2_N 17u
#define STORE_SCRYPT_R 8u
#define STORE_SCRYPT_P 1u

/* The per-file keys. prk stays so that encryption keys for later key ids can be derived. */
struct store_keys {
	unsigned char prk[STORE_SUBKEY_LEN]; /* HKDF-Extract(salt = file id, IKM = master) */
	unsigned char chain[STORE_SUBKEY_LEN]; /* chain MACs and the genesis value */
	unsigned char head[STORE_SUBKEY_LEN]; /* the head's MAC */
	unsigned char index[STORE_SUBKEY_LEN]; /* the keyed patient index */
	unsigned char check[STORE_SUBKEY_LEN]; /* the key check value in meta */
};

/* Range check of scrypt parameters read from a file (FLS_ESTORE when outside what we accept). */
fls_status store_scrypt_check(const struct store_scrypt *prm, struct fls_diag *d);
fls_status store_scrypt(unsigned char key[STORE_KEY_BYTES], const char *pass, size_t len,
			const unsigned char *salt, size_t salt_len, const struct store_scrypt *prm,
			struct fls_diag *d);

fls_status store_hkdf_extract(unsigned char prk[STORE_SUBKEY_LEN], const unsigned char *ikm,
			      size_t ikm_len, const unsigned char *salt, size_t salt_len);
fls_status store_hkdf_expand(unsigned char out[STORE_SUBKEY_LEN],
			     const unsigned char prk[STORE_SUBKEY_LEN], const void *info,
			     size_t info_len);

/* Derive every per-file key from the master key and the file id. Wipes k on failure. */
fls_status store_keys_derive(struct store_keys *k, const unsigned char master[STORE_KEY_BYTES],
			     const unsigned char file_id[STORE_FILE_ID_LEN]);
/* The AES-256-GCM key of key id key_id: HKDF-Expand(prk, "fls-log-v1 enc" || key_id (u32 BE)). */
fls_status store_keys_enc(unsigned char out[STORE_SUBKEY_LEN], const struct store_keys *k,
			  uint32_t key_id);
void store_keys_wipe(struct store_keys *k);

#endif
