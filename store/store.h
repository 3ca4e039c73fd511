/*
 * The encrypted, tamper-evident decision log (DESIGN.md §5; the file format is
 * docs/store-format.md).
 *
 * One SQLite file in WAL mode. Every record (an automated screening decision or a clinician's
 * outcome) is sealed with AES-256-GCM under a key derived from one 256-bit master key, carries a
 * keyed index of its patient (HMAC-SHA256 of the patient identifier) and a chain MAC over the
 * previous record's MAC and every column of its own row; a MAC-protected head (last sequence number
 * and MAC) detects truncation.
 *
 * This header is the project's interface to store/ (plugin/ and cli/ use it); it is not part of the
 * plugin ABI. Conventions:
 *  - A store handle is used by one thread at a time. Several processes (and several handles) may
 * append to the same file at once: each transaction takes SQLite's write lock first (BEGIN
 * IMMEDIATE) and then reads the head, so the chain stays linear.
 *  - Errors: the calls that take a struct fls_diag write the message there; the others keep it in
 * the store (store_errmsg). Messages name the file and sequence numbers, never patient data or
 * keys.
 *  - Key material passed in is copied; everything the store derives is wiped with OPENSSL_cleanse
 * at store_close and on every error path. The caller wipes its own copy of the master key.
 */
#ifndef FLS_STORE_STORE_H
#define FLS_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "fls/fls.h"
#include "util/diag.h"
#include "util/mem.h"

/** The format version this library writes and the newest it reads (docs/store-format.md). */
#define STORE_FORMAT_VERSION 1
/** Bytes of a master key. */
#define STORE_KEY_BYTES 32
/** Bytes of the scrypt salt kept in the store's meta table. */
#define STORE_SALT_BYTES 16
/** Bytes of a chain MAC (HMAC-SHA256). */
#define STORE_MAC_BYTES 32
/** Largest payload of one record (bytes of JSON). */
#define STORE_MAX_PAYLOAD (1u << 20)
/** How long a writer waits for another process's write lock by default (ms). */
#define STORE_BUSY_TIMEOUT_MS 10000
/** Shortest passphrase accepted (bytes). */
#define STORE_MIN_PASSPHRASE 8

struct store;

/** Record kinds. The numbers are stored in the file: never renumber, only append. */
enum store_kind {
	STORE_KIND_DECISION = 1, /**< an automated screening decision */
	STORE_KIND_OUTCOME = 2 /**< a clinician's outcome for a patient */
};

/** A clinician's outcome (STORE_KIND_OUTCOME records). Stored by name, see store_outcome_name. */
enum store_outcome {
	STORE_OUTCOME_ACCEPTED = 1,
	STORE_OUTCOME_DECLINED = 2,
	STORE_OUTCOME_ALREADY_TREATED = 3,
	STORE_OUTCOME_NOT_APPROPRIATE = 4,
	STORE_OUTCOME_DECEASED = 5
};

/** Options of store_open_ex and store_passphrase_key. Zero in any member means its default. */
struct store_opts {
	/** open an existing store for verify/export: never creates or writes */
	int readonly;
	/** wait for another writer's lock; default STORE_BUSY_TIMEOUT_MS */
	int busy_timeout_ms;
	/*
	 * The members below only matter when a new file is created (they are then kept in its
	 * meta).
	 */
	unsigned scrypt_log2_n; /**< scrypt cost N = 2^this; default 17 (128 MiB with r = 8) */
	/** records per derived encryption key = 2^this; default 24 */
	unsigned records_per_key_log2;
};

/** One decrypted record, borrowed by the export callback for the duration of the call. */
struct store_record {
	uint64_t seq; /**< 1, 2, 3, ... without gaps */
	int64_t ts_ms; /**< milliseconds since 1970-01-01T00:00:00Z */
	enum store_kind kind;
	uint32_t key_id; /**< which derived encryption key sealed it */
	const unsigned char *patient_index; /**< STORE_MAC_BYTES of HMAC, or NULL (no patient) */
	/** decrypted UTF-8 JSON, NUL-terminated; wiped after the call */
	const char *payload;
	size_t len; /**< bytes of payload */
};

/** Export callback: return 0 to go on, non-zero to stop (store_export then returns FLS_EABORT). */
typedef int (*store_export_cb)(void *ctx, const struct store_record *rec);

/** What store_verify_report found. */
struct store_verify_report {
	uint64_t n_records; /**< records that checked out, counted from seq 1 */
	uint64_t first_bad_seq; /**< 0 when all is well or when the head itself is what is wrong */
	uint64_t n_decisions; /**< among n_records */
	uint64_t n_outcomes;
	/** chain MAC of the last good record: an external anchor */
	unsigned char head_mac[STORE_MAC_BYTES];
};

/* ---- keys (store/keys.c) ---- */

/**
 * Read a 32-byte master key from a key file. Refused (FLS_EINVAL) unless it is a regular file
 * owned by the effective user, with no permission bits for group or other (0600 or 0400), and
 * exactly 32 bytes long; FLS_EIO when it cannot be opened (missing, or a symbolic link: links are
 * not followed) or read.
 */
fls_status store_key_from_file(unsigned char key[STORE_KEY_BYTES], const char *path,
			       struct fls_diag *d);

/** Create a key file of 32 RAND_priv_bytes: O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, fsync'd. */
fls_status store_keygen_file(const char *path, struct fls_diag *d);

/**
 * Derive a master key from a passphrase and a salt with scrypt at the default cost (N = 2^17, r = 8,
 * p = 1). Most callers want store_passphrase_key, which takes the salt from the store.
 * Errors: FLS_EINVAL (passphrase shorter than STORE_MIN_PASSPHRASE), FLS_ECRYPTO.
 */
fls_status store_key_from_passphrase(unsigned char key[STORE_KEY_BYTES], const char *pass,
				     size_t len, const unsigned char salt[STORE_SALT_BYTES],
				     struct fls_diag *d);

/**
 * Derive the master key of the store at path from a passphrase: the scrypt salt and cost live in
 * the store's meta table. When the file does not exist and opts is not read-only, the store is
 * created (with a fresh random salt) first. Errors: FLS_EIO/FLS_ESTORE (no such store, not a
 * store), FLS_EINVAL (passphrase too short), FLS_ECRYPTO.
 */
fls_status store_passphrase_key(unsigned char key[STORE_KEY_BYTES], const char *path,
				const char *pass, size_t len, const struct store_opts *opts,
				struct fls_diag *d);

/* ---- open, append, close (store/open.c, store/log.c) ---- */

/** store_open_ex with default options: read-write, created when absent. */
fls_status store_open(struct store **out, const struct fls_mem *mem, const char *path,
		      const unsigned char master[STORE_KEY_BYTES], struct fls_diag *d);

/**
 * Open (or create) the store at path with the given master key. *mem is copied (NULL: malloc).
 * Errors: FLS_EIO (cannot open the file), FLS_ESTORE (locked while creating, not an SQLite file,
 * another application's SQLite file, a newer format version, damaged file), FLS_ECRYPTO (the key
 * does not match this store), FLS_ENOMEM. On failure *out is NULL and nothing in the file was
 * changed.
 */
fls_status store_open_ex(struct store **out, const struct fls_mem *mem, const char *path,
			 const unsigned char master[STORE_KEY_BYTES], const struct store_opts *opts,
			 struct fls_diag *d);

/** Close the connection and wipe every key. An open transaction is rolled back. Accepts NULL. */
void store_close(struct store *s);

/** The last error message of this store ("" if none); valid until the next call on s. */
const char *store_errmsg(const struct store *s);

/**
 * Start a batch: BEGIN IMMEDIATE (waits up to the busy timeout for another writer), then read and
 * check the head under the write lock. Errors: FLS_ESTORE (locked: "busy timeout N ms"), FLS_ETAMPER (the
 * head does not match the last record: appending refuses to extend a broken chain), FLS_EINVAL.
 */
fls_status store_begin(struct store *s);

/**
 * Append one record, timestamped now (CLOCK_REALTIME). payload is UTF-8 JSON text (checked) of at
 * most STORE_MAX_PAYLOAD bytes; patient_id may be NULL for a record about no patient. Outside
 * store_begin the record is committed on its own. Errors: FLS_EINVAL (bad argument or payload: the
 * batch is untouched), FLS_ESTORE / FLS_ECRYPTO (the whole batch has been rolled back;
 * store_rollback is then a no-op).
 */
fls_status store_append(struct store *s, enum store_kind kind, const char *patient_id,
			const void *payload, size_t len);

/** store_append with the caller's timestamp (ms since the epoch, UTC). */
fls_status store_append_at(struct store *s, enum store_kind kind, const char *patient_id,
			   const void *payload, size_t len, int64_t ts_ms);

/**
 * Append a clinician outcome record: {"type":"outcome","v":1,"patient":..,"outcome":..,"by":..,
 * "note":..|null}. who must be non-empty; note may be NULL. Same errors as store_append.
 */
fls_status store_append_outcome(struct store *s, const char *patient_id, enum store_outcome outcome,
				const char *who, const char *note);

/** "accepted", "declined", "already-treated", "not-appropriate", "deceased"; NULL when out of
 * range. */
const char *store_outcome_name(enum store_outcome o);
/** The outcome named name (as store_outcome_name spells it); 0 when it names none. */
enum store_outcome store_outcome_parse(const char *name);

/** Write the head (last seq and MAC, with its MAC) and COMMIT. Errors: FLS_ESTORE (rolled back). */
fls_status store_commit(struct store *s);

/** Abandon the batch. FLS_OK when there is none. */
fls_status store_rollback(struct store *s);

/* ---- verify and export (store/verify.c, store/export.c) ---- */

/**
 * Check the whole log: every record in order from 1 without gaps, each record's key id, GCM tag and
 * chain MAC, then the head. FLS_OK when everything checks out; FLS_ETAMPER with the first bad
 * sequence number (0: the head) and what is wrong in d; FLS_ESTORE when the file cannot be read.
 * n_records and first_bad_seq may be NULL.
 */
fls_status store_verify(struct store *s, uint64_t *n_records, uint64_t *first_bad_seq,
			struct fls_diag *d);

/** store_verify with the full report. */
fls_status store_verify_report(struct store *s, struct store_verify_report *r, struct fls_diag *d);

/**
 * The stored chain MAC of record seq (the value verify prints as the head, usable later as an
 * anchor). FLS_EINVAL when there is no such record. Check store_verify first: this trusts the
 * stored value.
 */
fls_status store_record_mac(struct store *s, uint64_t seq, unsigned char mac[STORE_MAC_BYTES],
			    struct fls_diag *d);

/**
 * Decrypt records for the key holder, in sequence order. patient_id NULL exports everything and
 * checks the whole chain and the head as it goes (as store_verify does); with patient_id, only that
 * patient's records are read, through the keyed index, each checked against its GCM tag and its
 * link to the record before it (completeness of the whole log is store_verify's job). Records
 * already delivered before an FLS_ETAMPER must be discarded by the caller. Errors: FLS_ETAMPER,
 * FLS_ESTORE, FLS_EABORT.
 */
fls_status store_export(struct store *s, const char *patient_id, store_export_cb cb, void *ctx,
			struct fls_diag *d);

/** The keyed patient index (HMAC-SHA256 under the index key) of patient_id in this store. */
fls_status store_patient_index(struct store *s, const char *patient_id,
			       unsigned char out[STORE_MAC_BYTES]);

#endif
