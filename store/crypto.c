#include "store/crypto.h"

#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rand.h>

int store_mac_init(struct store_mac *m, const unsigned char key[STORE_SUBKEY_LEN])
{
	OSSL_PARAM params[2];
	char digest[] = "SHA256";

	m->mac = NULL;
	m->ctx = NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!(m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) || !(m->ctx = EVP_MAC_CTX_new(m->mac)) ||
	    EVP_MAC_init(m->ctx, key, STORE_SUBKEY_LEN, params) != 1) {
		store_mac_free(m);
		return -1;
	}
	return 0;
}

void store_mac_free(struct store_mac *m)
{
	if (!m)
		return;
	EVP_MAC_CTX_free(m->ctx); /* the HMAC provider cleanses its key state */
	EVP_MAC_free(m->mac);
	m->ctx = NULL;
	m->mac = NULL;
}

/* A NULL key re-initialises HMAC with the key already set (OpenSSL 3 hmac_init). */
int store_mac_begin(struct store_mac *m)
{
	return EVP_MAC_init(m->ctx, NULL, 0, NULL) == 1 ? 0 : -1;
}

int store_mac_update(struct store_mac *m, const void *p, size_t n)
{
	return EVP_MAC_update(m->ctx, p, n) == 1 ? 0 : -1;
}

int store_mac_end(struct store_mac *m, unsigned char out[STORE_HMAC_LEN])
{
	size_t n = 0;

	if (EVP_MAC_final(m->ctx, out, &n, STORE_HMAC_LEN) != 1 || n != STORE_HMAC_LEN)
		return -1;
	return 0;
}

int store_mac_oneshot(struct store_mac *m, const void *p, size_t n,
		      unsigned char out[STORE_HMAC_LEN])
{
	if (store_mac_begin(m) || store_mac_update(m, p, n) || store_mac_end(m, out))
		return -1;
	return 0;
}

void store_put_be32(unsigned char out[4], uint32_t v)
{
	out[0] = (unsigned char)(v >> 24);
	out[1] = (unsigned char)(v >> 16);
	out[2] = (unsigned char)(v >> 8);
	out[3] = (unsigned char)v;
}

void store_put_be64(unsigned char out[8], uint64_t v)
{
	store_put_be32(out, (uint32_t)(v >> 32));
	store_put_be32(out + 4, (uint32_t)v);
}

void store_aad(unsigned char aad[STORE_AAD_LEN], uint32_t key_id, uint64_t seq, uint32_t kind)
{
	memcpy(aad, "fls-log-v1", 10);
	store_put_be32(aad + 10, key_id);
	store_put_be64(aad + 14, seq);
	store_put_be32(aad + 22, kind);
}

/*
 * Random nonces, never counters: a restored database or a second process could replay a counter,
 * and
 * GCM with a repeated nonce under one key loses both confidentiality and integrity. They are drawn
 * STORE_NONCE_POOL at a time because each RAND_bytes call costs ~0.6 us (measured), as much as the
 * rest of sealing a record; each nonce is still 12 fresh bytes of RAND_bytes output, used once.
 */
int store_nonce_next(struct store_nonces *n, unsigned char out[STORE_NONCE_LEN])
{
	pid_t pid = getpid();

	if (n->left == 0 || n->pid != pid) {
		if (RAND_bytes(n->pool, sizeof(n->pool)) != 1) {
			n->left = 0;
			return -1;
		}
		n->left = STORE_NONCE_POOL;
		n->pid = pid;
	}
	n->left--;
	memcpy(out, n->pool + (size_t)n->left * STORE_NONCE_LEN, STORE_NONCE_LEN);
	memset(n->pool + (size_t)n->left * STORE_NONCE_LEN, 0, STORE_NONCE_LEN); /* used: gone */
	return 0;
}

void store_nonce_wipe(struct store_nonces *n)
{
	OPENSSL_cleanse(n, sizeof(*n));
}

fls_status store_gcm_seal(const EVP_CIPHER *gcm, const unsigned char key[STORE_SUBKEY_LEN],
			  const unsigned char *aad, size_t aad_len, const unsigned char *pt,
			  size_t pt_len, const unsigned char nonce[STORE_NONCE_LEN],
			  unsigned char *ct)
{
	EVP_CIPHER_CTX *c = NULL;
	fls_status st = FLS_ECRYPTO;
	int n = 0, fin = 0;

	if (pt_len > INT_MAX - 32 || aad_len > INT_MAX) /* EVP takes int lengths */
		return FLS_ELIMIT;
	/*
	 * A fresh context per record (STYLE §4): no cipher state carried from one record to the
	 * next.
	 */
	if (!(c = EVP_CIPHER_CTX_new()) || EVP_EncryptInit_ex2(c, gcm, key, nonce, NULL) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_len) != 1 ||
	    EVP_EncryptUpdate(c, ct, &n, pt, (int)pt_len) != 1 ||
	    EVP_EncryptFinal_ex(c, ct + n, &fin) != 1 || (size_t)n + (size_t)fin != pt_len ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, STORE_TAG_LEN, ct + pt_len) != 1)
		goto out;
	st = FLS_OK;
out:
	EVP_CIPHER_CTX_free(c); /* frees and cleanses the key schedule */
	return st;
}

fls_status store_gcm_open(const EVP_CIPHER *gcm, const unsigned char key[STORE_SUBKEY_LEN],
			  const unsigned char *aad, size_t aad_len,
			  const unsigned char nonce[STORE_NONCE_LEN], const unsigned char *ct,
			  size_t ct_len, unsigned char *pt)
{
	EVP_CIPHER_CTX *c = NULL;
	unsigned char tag[STORE_TAG_LEN];
	fls_status st = FLS_ECRYPTO;
	size_t len;
	int n = 0, fin = 0;

	if (ct_len < STORE_TAG_LEN)
		return FLS_ECRYPTO;
	len = ct_len - STORE_TAG_LEN;
	if (len > INT_MAX - 32 || aad_len > INT_MAX)
		return FLS_ELIMIT;
	memcpy(tag, ct + len, STORE_TAG_LEN); /* SET_TAG takes a non-const pointer */
	if (!(c = EVP_CIPHER_CTX_new()) || EVP_DecryptInit_ex2(c, gcm, key, nonce, NULL) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &n, aad, (int)aad_len) != 1 ||
	    EVP_DecryptUpdate(c, pt, &n, ct, (int)len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, STORE_TAG_LEN, tag) != 1)
		goto out_wipe;
	/* Only a Final that returns 1 proves the tag; until then the plaintext MUST NOT be used. */
	if (EVP_DecryptFinal_ex(c, pt + n, &fin) != 1 || (size_t)n + (size_t)fin != len)
		goto out_wipe;
	st = FLS_OK;
	goto out;
out_wipe:
	if (len)
		OPENSSL_cleanse(pt, len);
out:
	EVP_CIPHER_CTX_free(c);
	return st;
}

void store_hex(char *out, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}
