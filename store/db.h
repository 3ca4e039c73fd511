/*
 * The SQLite side of the store: opening a file safely (refusing foreign, newer or damaged files
 * without touching them), the format-1 schema, the meta table, and turning SQLite failures into
 * clear messages (docs/store-format.md §2).
 */
#ifndef FLS_STORE_DB_H
#define FLS_STORE_DB_H

#include <stdint.h>

#include <sqlite3.h>

#include "fls/fls.h"
#include "store/keys.h"
#include "store/store.h"
#include "util/diag.h"

/* Records per bucket of the patient index: 2^this (the index expression in the schema says 12). */
#define STORE_INDEX_BUCKET_LOG2 12

/* PRAGMA application_id of a decision log: "FLSD". */
#define STORE_APPLICATION_ID 0x464C5344

/* What the meta table says about a file. */
struct store_meta {
	int64_t format;
	unsigned char file_id[STORE_FILE_ID_LEN];
	unsigned char salt[STORE_SALT_BYTES];
	struct store_scrypt scrypt;
	unsigned records_per_key_log2;
	int has_check; /* a key has claimed the store */
	unsigned char check[STORE_HMAC_LEN];
};

/*
 * A failed SQLite call as FLS_ESTORE (FLS_ENOMEM for SQLITE_NOMEM) with a message naming path, what
 * we were doing and what SQLite said, in words an operator can act on (locked, disk full, damaged).
 */
fls_status store_sql_fail(struct fls_diag *d, sqlite3 *db, int rc, const char *path,
			  const char *what, int busy_ms);

/*
 * Open path with the house settings (STYLE §4), check that it is a decision log of a format we
 * read, and in read-write mode switch on WAL + synchronous=FULL and create the schema when the file
 * is new. A foreign or newer file is refused before anything is written to it.
 */
fls_status store_db_open(sqlite3 **out, const char *path, const struct store_opts *opts,
			 struct fls_diag *d);

fls_status store_db_read_meta(sqlite3 *db, const char *path, struct store_meta *m,
			      struct fls_diag *d);
/* Insert one meta row (blob when blob != NULL, else the integer). */
fls_status store_db_put_meta(sqlite3 *db, const char *path, const char *name, const void *blob,
			     size_t blob_len, int64_t ival, struct fls_diag *d);
/* Run SQL without results. */
fls_status store_db_exec(sqlite3 *db, const char *path, const char *sql, const char *what,
			 int busy_ms, struct fls_diag *d);

/* The store's own connection, for tests that need to provoke SQLite faults on it. */
sqlite3 *store_db_handle(struct store *s);

#endif
