/*
 * Store primitives against published vectors (GCM spec test case 16, RFC 5869 case 1, RFC 7914
 * scrypt), plus the JSON checker and the key files.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "store/crypto.h"
#include "store/json.h"
#include "store/keys.h"
#include "store/store.h"
#include "store_fixture.h"

static size_t unhex(unsigned char *out, size_t cap, const char *hex)
{
	size_t n = strlen(hex) / 2;

	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		char b[3] = { hex[2 * i], hex[2 * i + 1], 0 };

		v = (unsigned)strtoul(b, NULL, 16);
		out[i] = (unsigned char)v;
	}
	return n;
}

/* "The Galois/Counter Mode of Operation" (McGrew, Viega), test case 16: AES-256, 96-bit IV, AAD. */
static void gcm_opens_published_vector(void **state)
{
	unsigned char key[32], iv[12], aad[20], ct[80], pt[64], want[64];
	size_t n;
	EVP_CIPHER *gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);

	(void)state;
	unhex(key, sizeof(key), "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
	unhex(iv, sizeof(iv), "cafebabefacedbaddecaf888");
	unhex(aad, sizeof(aad), "feedfacedeadbeeffeedfacedeadbeefabaddad2");
	n = unhex(ct, sizeof(ct),
		  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
		  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
		  "76fc6ece0f4e1768cddf8853bb2d551b");
	unhex(want, sizeof(want),
	      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
	assert_int_equal(store_gcm_open(gcm, key, aad, sizeof(aad), iv, ct, n, pt), FLS_OK);
	assert_memory_equal(pt, want, n - 16);
	/* One flipped bit anywhere (ciphertext, tag, AAD): the plaintext is refused and wiped. */
	ct[3] ^= 1;
	assert_int_equal(store_gcm_open(gcm, key, aad, sizeof(aad), iv, ct, n, pt), FLS_ECRYPTO);
	for (size_t i = 0; i < n - 16; i++)
		assert_int_equal(pt[i], 0);
	ct[3] ^= 1;
	ct[n - 1] ^= 0x80;
	assert_int_equal(store_gcm_open(gcm, key, aad, sizeof(aad), iv, ct, n, pt), FLS_ECRYPTO);
	ct[n - 1] ^= 0x80;
	aad[0] ^= 1;
	assert_int_equal(store_gcm_open(gcm, key, aad, sizeof(aad), iv, ct, n, pt), FLS_ECRYPTO);
	EVP_CIPHER_free(gcm);
}

static void gcm_seal_round_trips_with_fresh_nonces(void **state)
{
	unsigned char key[32] = { 1, 2, 3 }, aad[STORE_AAD_LEN], n1[12], n2[12], c1[64], c2[64],
		      pt[48];
	const char msg[] = "{\"x\":\"the same plaintext twice\"}";
	EVP_CIPHER *gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	struct store_nonces pool;

	(void)state;
	memset(&pool, 0, sizeof(pool));
	store_aad(aad, 7, 42, STORE_KIND_DECISION);
	assert_memory_equal(aad, "fls-log-v1\0\0\0\x07\0\0\0\0\0\0\0\x2a\0\0\0\x01", STORE_AAD_LEN);
	assert_int_equal(store_nonce_next(&pool, n1), 0);
	assert_int_equal(store_nonce_next(&pool, n2), 0);
	assert_memory_not_equal(n1, n2, 12); /* random nonces: 2^-96 chance of a false failure */
	assert_int_equal(store_gcm_seal(gcm, key, aad, sizeof(aad), (const unsigned char *)msg,
					sizeof(msg) - 1, n1, c1),
			 FLS_OK);
	assert_int_equal(store_gcm_seal(gcm, key, aad, sizeof(aad), (const unsigned char *)msg,
					sizeof(msg) - 1, n2, c2),
			 FLS_OK);
	assert_memory_not_equal(c1, c2, sizeof(msg) - 1);
	assert_int_equal(
		store_gcm_open(gcm, key, aad, sizeof(aad), n1, c1, sizeof(msg) - 1 + 16, pt),
		FLS_OK);
	assert_memory_equal(pt, msg, sizeof(msg) - 1);
	/* The same ciphertext under another slot (seq 43) must not open: the AAD binds it. */
	store_aad(aad, 7, 43, STORE_KIND_DECISION);
	assert_int_equal(
		store_gcm_open(gcm, key, aad, sizeof(aad), n1, c1, sizeof(msg) - 1 + 16, pt),
		FLS_ECRYPTO);
	EVP_CIPHER_free(gcm);
}

/* 1000 nonces from one pool (many refills) are all distinct; a forked child draws its own. */
static void nonces_never_repeat(void **state)
{
	struct store_nonces pool;
	unsigned char *all = malloc(1000 * 12);
	int fds[2];
	pid_t pid;

	(void)state;
	assert_non_null(all);
	memset(&pool, 0, sizeof(pool));
	for (int i = 0; i < 1000; i++)
		assert_int_equal(store_nonce_next(&pool, all + 12 * i), 0);
	for (int i = 0; i < 1000; i++)
		for (int j = i + 1; j < 1000; j++)
			assert_memory_not_equal(all + 12 * i, all + 12 * j, 12);
	/* The pool holds unused nonces; parent and child must not both hand out the next one. */
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		unsigned char n[12];

		store_nonce_next(&pool, n);
		_exit(write(fds[1], n, 12) == 12 ? 0 : 1);
	}
	{
		unsigned char mine[12], theirs[12];
		int status;

		assert_int_equal(store_nonce_next(&pool, mine), 0);
		assert_int_equal(read(fds[0], theirs, 12), 12);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_memory_not_equal(mine, theirs, 12);
	}
	close(fds[0]);
	close(fds[1]);
	free(all);
}

/* RFC 5869 appendix A.1 (SHA-256): PRK and the first 32 bytes of OKM. */
static void hkdf_matches_rfc5869(void **state)
{
	unsigned char ikm[22], salt[13], info[10], prk[32], okm[32], want[32];

	(void)state;
	memset(ikm, 0x0b, sizeof(ikm));
	for (unsigned i = 0; i < sizeof(salt); i++)
		salt[i] = (unsigned char)i;
	for (unsigned i = 0; i < sizeof(info); i++)
		info[i] = (unsigned char)(0xf0 + i);
	assert_int_equal(store_hkdf_extract(prk, ikm, sizeof(ikm), salt, sizeof(salt)), FLS_OK);
	unhex(want, sizeof(want),
	      "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
	assert_memory_equal(prk, want, 32);
	assert_int_equal(store_hkdf_expand(okm, prk, info, sizeof(info)), FLS_OK);
	unhex(want, sizeof(want),
	      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
	assert_memory_equal(okm, want, 32);
}

/*
 * RFC 7914 §12, third vector (N = 1024, r = 8, p = 16); a prefix of PBKDF2 output is the shorter
 * output.
 */
static void scrypt_matches_rfc7914(void **state)
{
	struct store_scrypt prm = { 1024, 8, 16 };
	unsigned char key[32], want[32];
	struct fls_diag d;

	(void)state;
	assert_int_equal(
		store_scrypt(key, "password", 8, (const unsigned char *)"NaCl", 4, &prm, &d),
		FLS_OK);
	unhex(want, sizeof(want),
	      "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162");
	assert_memory_equal(key, want, 32);
	/* Too short a passphrase, and parameters a hostile file could ask for, are refused. */
	assert_int_equal(store_scrypt(key, "short", 5, (const unsigned char *)"NaCl", 4, &prm, &d),
			 FLS_EINVAL);
	prm.n = 1000; /* not a power of two */
	assert_int_equal(
		store_scrypt(key, "password", 8, (const unsigned char *)"NaCl", 4, &prm, &d),
		FLS_ESTORE);
	prm.n = (uint64_t)1 << 40;
	assert_int_equal(
		store_scrypt(key, "password", 8, (const unsigned char *)"NaCl", 4, &prm, &d),
		FLS_ESTORE);
}

/* Our keyed-once HMAC against OpenSSL's one-shot HMAC(), twice in a row (the re-init path). */
static void mac_reuse_matches_oneshot_hmac(void **state)
{
	unsigned char key[32], got[32], want[32];
	unsigned int wl = 0;
	struct store_mac m;
	const char *msgs[] = { "first message", "", "a third, longer message of some bytes" };

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (unsigned char)(i * 7);
	assert_int_equal(store_mac_init(&m, key), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(store_mac_oneshot(&m, msgs[i], strlen(msgs[i]), got), 0);
		HMAC(EVP_sha256(), key, 32, (const unsigned char *)msgs[i], strlen(msgs[i]), want,
		     &wl);
		assert_int_equal(wl, 32);
		assert_memory_equal(got, want, 32);
	}
	store_mac_free(&m);
}

static void json_checker_accepts_json_only(void **state)
{
	static const char *const good[] = {
		"{}",
		"[]",
		"0",
		"-0.5e+10",
		"\"x\"",
		"true",
		" {\"a\":[1,2,{\"b\":null}],\"c\":\"\\u00e9\\n\"} ",
		"{\"name\":\"Jos\xc3\xa9\"}",
		"[\"\xf0\x9f\x98\x80\"]",
	};
	static const char *const bad[] = {
		"",
		"{",
		"{\"a\":}",
		"[1,]",
		"01",
		"1.",
		"tru",
		"{\"a\" 1}",
		"\"\x01\"",
		"\"\\x\"",
		"{}{}",
		"[\"\xc3\x28\"]",
		"\"\xed\xa0\x80\"",
		"\"\xc0\xaf\"",
		"nul",
		"{\"a\":1,}",
	};
	char deep[200];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(store_json_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (store_json_valid(bad[i], strlen(bad[i])))
			fail_msg("accepted bad JSON #%zu", i);
	}
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	assert_false(store_json_valid(deep, sizeof(deep))); /* deeper than STORE_JSON_MAX_DEPTH */
	assert_true(store_json_valid(deep + 40, 120)); /* 60 deep is fine */
}

/* The 8-bytes-at-a-time scan must see a special byte at every offset of a word. */
static void json_checker_sees_every_byte_position(void **state)
{
	/* inserted, and whether the string stays valid with it */
	static const struct {
		const char *ins;
		int ok;
	} cases[] = {
		{ "\x01", 0 },     { "\x1f", 0 }, { "\n", 0 },      { "\"", 0 },
		{ "\\", 0 },       { "\\n", 1 },  { "\\u00e9", 1 }, { "\\u00g9", 0 },
		{ "\xc3\xa9", 1 }, { "\xc3", 0 }, { "\x80", 0 },    { "\xf0\x9f\x98\x80", 1 },
		{ "\xff", 0 },     { " ", 1 },    { "~", 1 },       { "\x7f", 1 },
	};
	char buf[64];

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (size_t len = 0; len <= 24; len++) {
			for (size_t at = 0; at <= len; at++) {
				size_t n = 0, k = strlen(cases[c].ins);

				buf[n++] = '"';
				memset(buf + n, 'a', at);
				n += at;
				memcpy(buf + n, cases[c].ins, k);
				n += k;
				memset(buf + n, 'x', len - at); /* not an escape letter */
				n += len - at;
				buf[n++] = '"';
				if (store_json_valid(buf, n) != cases[c].ok)
					fail_msg("case %zu, length %zu, at %zu", c, len, at);
			}
		}
	}
}

static void keygen_writes_private_32_byte_key(void **state)
{
	struct sf *f = *state;
	unsigned char k1[32], k2[32];
	char p1[700], p2[700];
	struct stat sb;
	mode_t old = umask(0); /* a permissive umask must not leak into the key's mode */

	assert_int_equal(store_keygen_file(sf_path(f, "a.key", p1, sizeof(p1)), &f->d), FLS_OK);
	umask(old);
	assert_int_equal(stat(p1, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_size, 32);
	assert_int_equal(store_key_from_file(k1, p1, &f->d), FLS_OK);
	assert_int_equal(store_keygen_file(sf_path(f, "b.key", p2, sizeof(p2)), &f->d), FLS_OK);
	assert_int_equal(store_key_from_file(k2, p2, &f->d), FLS_OK);
	assert_memory_not_equal(k1, k2, 32);
	/* Never overwrite an existing key. */
	assert_int_equal(store_keygen_file(p1, &f->d), FLS_EIO);
	assert_non_null(strstr(f->d.msg, "already exists"));
	assert_int_equal(store_key_from_file(k2, p1, &f->d), FLS_OK);
	assert_memory_equal(k1, k2, 32);
}

static void key_file_refused_unless_private(void **state)
{
	struct sf *f = *state;
	unsigned char k[32];
	char p[700], q[700];

	assert_int_equal(store_keygen_file(sf_path(f, "k.key", p, sizeof(p)), &f->d), FLS_OK);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(store_key_from_file(k, p, &f->d), FLS_EINVAL);
	assert_non_null(strstr(f->d.msg, "0644"));
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(store_key_from_file(k, p, &f->d), FLS_EINVAL);
	assert_int_equal(chmod(p, 0400), 0);
	assert_int_equal(store_key_from_file(k, p, &f->d), FLS_OK);
	assert_int_equal(chmod(p, 0600), 0);
	/* A symbolic link to a good key is refused: the checks must be about the file read. */
	assert_int_equal(symlink(p, sf_path(f, "link.key", q, sizeof(q))), 0);
	assert_int_equal(store_key_from_file(k, q, &f->d), FLS_EIO);
	/* Wrong size. */
	assert_int_equal(truncate(p, 31), 0);
	assert_int_equal(store_key_from_file(k, p, &f->d), FLS_EINVAL);
	assert_non_null(strstr(f->d.msg, "32 bytes"));
	/* Missing. */
	assert_int_equal(store_key_from_file(k, sf_path(f, "none.key", q, sizeof(q)), &f->d),
			 FLS_EIO);
}

static void key_file_refused_when_owned_by_another_user(void **state)
{
	struct sf *f = *state;
	unsigned char k[32];
	char p[700];

	if (geteuid() != 0) {
		/*
		 * Only root can give a file away and still open it; as anyone else open() already
		 * fails.
		 */
		print_message("skipped: needs root to chown a file to another user\n");
		skip();
	}
	assert_int_equal(store_keygen_file(sf_path(f, "o.key", p, sizeof(p)), &f->d), FLS_OK);
	assert_int_equal(chown(p, 65534, 65534), 0);
	assert_int_equal(store_key_from_file(k, p, &f->d), FLS_EINVAL);
	assert_non_null(strstr(f->d.msg, "not owned"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gcm_opens_published_vector),
		cmocka_unit_test(gcm_seal_round_trips_with_fresh_nonces),
		cmocka_unit_test(nonces_never_repeat),
		cmocka_unit_test(hkdf_matches_rfc5869),
		cmocka_unit_test(scrypt_matches_rfc7914),
		cmocka_unit_test(mac_reuse_matches_oneshot_hmac),
		cmocka_unit_test(json_checker_accepts_json_only),
		cmocka_unit_test(json_checker_sees_every_byte_position),
		cmocka_unit_test_setup_teardown(keygen_writes_private_32_byte_key, sf_setup,
						sf_teardown),
		cmocka_unit_test_setup_teardown(key_file_refused_unless_private, sf_setup,
						sf_teardown),
		cmocka_unit_test_setup_teardown(key_file_refused_when_owned_by_another_user,
						sf_setup, sf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
