/*
 * Master keys and key derivation. A key file holds 32 raw random bytes; it is refused unless only
 * its owner (the effective user) can read it, as ssh refuses a private key others can read. A
 * passphrase goes through scrypt with a per-file random salt. HKDF-SHA256 then splits the master
 * key into one key per purpose so that no key is used for two things (DESIGN.md §5).
 */
#define _POSIX_C_SOURCE 200809L
#include "store/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

fls_status store_key_from_file(unsigned char key[STORE_KEY_BYTES], const char *path,
			       struct fls_diag *d)
{
	struct stat sb;
	fls_status st = FLS_EIO;
	size_t got = 0;
	int fd;

	if (!key || !path)
		return fls_diag_set(d, FLS_EINVAL, "no key file given");
	/* O_NOFOLLOW: the checks below must be about the file we read, not about a link to it. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fls_diag_set(d, FLS_EIO, "cannot open key file %s: %s", path,
				    errno == ELOOP ? "it is a symbolic link" : strerror(errno));
	if (fstat(fd, &sb) != 0) {
		st = fls_diag_set(d, FLS_EIO, "cannot stat key file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		st = fls_diag_set(d, FLS_EINVAL, "key file %s is not a regular file", path);
		goto out;
	}
	if (sb.st_uid != geteuid()) {
		st = fls_diag_set(d, FLS_EINVAL,
				  "key file %s is not owned by the current user; refusing it",
				  path);
		goto out;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		st = fls_diag_set(d, FLS_EINVAL,
				  "key file %s has mode %04o: group or others may access it; "
				  "refusing it (chmod 600 it)",
				  path, (unsigned)(sb.st_mode & 07777));
		goto out;
	}
	if (sb.st_size != STORE_KEY_BYTES) {
		st = fls_diag_set(d, FLS_EINVAL,
				  "key file %s must be exactly %d bytes (it has %lld); "
				  "create one with `fls keygen`",
				  path, STORE_KEY_BYTES, (long long)sb.st_size);
		goto out;
	}
	while (got < STORE_KEY_BYTES) {
		ssize_t n = read(fd, key + got, STORE_KEY_BYTES - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			st = fls_diag_set(d, FLS_EIO, "cannot read key file %s: %s", path,
					  n < 0 ? strerror(errno) : "it is shorter than it was");
			goto out;
		}
		got += (size_t)n;
	}
	st = FLS_OK;
out:
	if (st != FLS_OK)
		OPENSSL_cleanse(key, STORE_KEY_BYTES);
	close(fd);
	return st;
}

/* fsync the directory holding path so that a new file's name survives a crash too. */
static void keys_sync_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd;

	if (!slash) {
		dir[0] = '.';
		n = 1;
	} else {
		n = (size_t)(slash - path);
		if (n == 0)
			n = 1; /* "/key": the root */
		if (n >= sizeof(dir))
			return;
		memcpy(dir, path, n);
	}
	dir[n] = '\0';
	fd = open(dir, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd); /* best effort: the key itself is already on disk */
		close(fd);
	}
}

fls_status store_keygen_file(const char *path, struct fls_diag *d)
{
	unsigned char key[STORE_KEY_BYTES];
	fls_status st = FLS_EIO;
	size_t put = 0;
	int fd;

	if (!path || !*path)
		return fls_diag_set(d, FLS_EINVAL, "no key file name given");
	/*
	 * O_EXCL: never overwrite a key, since that would make every store sealed with it
	 * unreadable.
	 */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return fls_diag_set(d, FLS_EIO, "cannot create key file %s: %s", path,
				    errno == EEXIST
					    ? "it already exists (refusing to overwrite a key)"
					    : strerror(errno));
	if (fchmod(fd, 0600) != 0) { /* the umask may have removed bits; it may never add any */
		st = fls_diag_set(d, FLS_EIO, "cannot set mode 0600 on %s: %s", path,
				  strerror(errno));
		goto out;
	}
	if (RAND_priv_bytes(key, sizeof(key)) != 1) {
		st = fls_diag_set(d, FLS_ECRYPTO, "the random number generator failed");
		goto out;
	}
	while (put < sizeof(key)) {
		ssize_t n = write(fd, key + put, sizeof(key) - put);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			st = fls_diag_set(d, FLS_EIO, "cannot write key file %s: %s", path,
					  n < 0 ? strerror(errno) : "short write");
			goto out;
		}
		put += (size_t)n;
	}
	if (fsync(fd) != 0) {
		st = fls_diag_set(d, FLS_EIO, "cannot sync key file %s: %s", path, strerror(errno));
		goto out;
	}
	st = FLS_OK;
out:
	OPENSSL_cleanse(key, sizeof(key));
	if (close(fd) != 0 && st == FLS_OK)
		st = fls_diag_set(d, FLS_EIO, "cannot close key file %s: %s", path,
				  strerror(errno));
	if (st != FLS_OK)
		(void)unlink(path); /* we created it (O_EXCL): leave no partial key behind */
	else
		keys_sync_dir(path);
	return st;
}

fls_status store_scrypt_check(const struct store_scrypt *prm, struct fls_diag *d)
{
	/*
	 * Bounds keep a hostile meta table from asking for absurd memory or time, or for no cost at
	 * all.
	 */
	if (prm->n < (1u << 10) || prm->n > (1u << 22) || (prm->n & (prm->n - 1)) || prm->r < 1 ||
	    prm->r > 32 || prm->p < 1 || prm->p > 16 || (uint64_t)prm->r * prm->p >= (1u << 30))
		return fls_diag_set(d, FLS_ESTORE,
				    "the store's scrypt parameters are out of range "
				    "(N=%llu r=%u p=%u)",
				    (unsigned long long)prm->n, prm->r, prm->p);
	return FLS_OK;
}

fls_status store_scrypt(unsigned char key[STORE_KEY_BYTES], const char *pass, size_t len,
			const unsigned char *salt, size_t salt_len, const struct store_scrypt *prm,
			struct fls_diag *d)
{
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	OSSL_PARAM params[7];
	uint64_t n = prm->n, maxmem;
	uint32_t r = prm->r, p = prm->p;
	fls_status st;

	if (!pass || len < STORE_MIN_PASSPHRASE)
		return fls_diag_set(d, FLS_EINVAL, "the passphrase must be at least %d bytes long",
				    STORE_MIN_PASSPHRASE);
	if ((st = store_scrypt_check(prm, d)) != FLS_OK)
		return st;
	/*
	 * scrypt needs 128 * r * (N + p) bytes and a little more; OpenSSL's default cap is only 32
	 * MiB.
	 */
	maxmem = 128u * (uint64_t)r * (n + p + 2) + (1u << 20);
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
						      (void *)(uintptr_t)pass, len);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)(uintptr_t)salt,
						      salt_len);
	params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
	params[5] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem);
	params[6] = OSSL_PARAM_construct_end();
	st = FLS_OK;
	if (!(kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_SCRYPT, NULL)) ||
	    !(kctx = EVP_KDF_CTX_new(kdf)) ||
	    EVP_KDF_derive(kctx, key, STORE_KEY_BYTES, params) != 1) {
		OPENSSL_cleanse(key, STORE_KEY_BYTES);
		st = fls_diag_set(d, FLS_ECRYPTO, "scrypt key derivation failed (out of memory?)");
	}
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return st;
}

fls_status store_key_from_passphrase(unsigned char key[STORE_KEY_BYTES], const char *pass,
				     size_t len, const unsigned char salt[STORE_SALT_BYTES],
				     struct fls_diag *d)
{
	struct store_scrypt prm = { 1u << STORE_SCRYPT_LOG2_N, STORE_SCRYPT_R, STORE_SCRYPT_P };

	return store_scrypt(key, pass, len, salt, STORE_SALT_BYTES, &prm, d);
}

/* HKDF (RFC 5869) with SHA-256 in one of OpenSSL's modes. */
static fls_status keys_hkdf(int mode, unsigned char out[STORE_SUBKEY_LEN], const unsigned char *key,
			    size_t key_len, const void *salt_or_info, size_t n)
{
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	OSSL_PARAM params[5], *p = params;
	char digest[] = "SHA256";
	fls_status st = FLS_ECRYPTO;

	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(uintptr_t)key,
						 key_len);
	*p++ = OSSL_PARAM_construct_octet_string(
		mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY ? OSSL_KDF_PARAM_SALT : OSSL_KDF_PARAM_INFO,
		(void *)(uintptr_t)salt_or_info, n);
	*p = OSSL_PARAM_construct_end();
	if ((kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL)) &&
	    (kctx = EVP_KDF_CTX_new(kdf)) &&
	    EVP_KDF_derive(kctx, out, STORE_SUBKEY_LEN, params) == 1)
		st = FLS_OK;
	else
		OPENSSL_cleanse(out, STORE_SUBKEY_LEN);
	EVP_KDF_CTX_free(kctx); /* cleanses its copy of the key */
	EVP_KDF_free(kdf);
	return st;
}

fls_status store_hkdf_extract(unsigned char prk[STORE_SUBKEY_LEN], const unsigned char *ikm,
			      size_t ikm_len, const unsigned char *salt, size_t salt_len)
{
	return keys_hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, prk, ikm, ikm_len, salt, salt_len);
}

fls_status store_hkdf_expand(unsigned char out[STORE_SUBKEY_LEN],
			     const unsigned char prk[STORE_SUBKEY_LEN], const void *info,
			     size_t info_len)
{
	return keys_hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, out, prk, STORE_SUBKEY_LEN, info, info_len);
}

static fls_status keys_label(unsigned char out[STORE_SUBKEY_LEN], const struct store_keys *k,
			     const char *label)
{
	return store_hkdf_expand(out, k->prk, label, strlen(label));
}

fls_status store_keys_derive(struct store_keys *k, const unsigned char master[STORE_KEY_BYTES],
			     const unsigned char file_id[STORE_FILE_ID_LEN])
{
	if (store_hkdf_extract(k->prk, master, STORE_KEY_BYTES, file_id, STORE_FILE_ID_LEN) ||
	    keys_label(k->chain, k, "fls-log-v1 chain") ||
	    keys_label(k->head, k, "fls-log-v1 head") ||
	    keys_label(k->index, k, "fls-log-v1 index") ||
	    keys_label(k->check, k, "fls-log-v1 check")) {
		store_keys_wipe(k);
		return FLS_ECRYPTO;
	}
	return FLS_OK;
}

fls_status store_keys_enc(unsigned char out[STORE_SUBKEY_LEN], const struct store_keys *k,
			  uint32_t key_id)
{
	unsigned char info[14 + 4];

	memcpy(info, "fls-log-v1 enc", 14);
	store_put_be32(info + 14, key_id);
	return store_hkdf_expand(out, k->prk, info, sizeof(info));
}

void store_keys_wipe(struct store_keys *k)
{
	if (k)
		OPENSSL_cleanse(k, sizeof(*k));
}
