#define _POSIX_C_SOURCE 200809L
#include "store/db.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "store/handle.h"

#ifndef SQLITE_OPEN_NOFOLLOW
#define SQLITE_OPEN_NOFOLLOW 0
#endif

/*
 * Format 1. The triggers only catch our own bugs (STYLE §4): an attacker with the file can drop
 * them, which is why every row is chained under a MAC and the head is MAC-protected. There is no
 * INSERT trigger checking that seq follows max(seq): it cost 0.9 us per append (measured), and the
 * writer takes seq from the head under the write lock while verify rejects any gap.
 */
static const char store_schema_sql[] =
	"CREATE TABLE meta(name TEXT PRIMARY KEY NOT NULL, value ANY NOT NULL) STRICT;"
	"CREATE TABLE log("
	" seq INTEGER PRIMARY KEY CHECK (seq > 0),"
	" ts_ms INTEGER NOT NULL,"
	" kind INTEGER NOT NULL,"
	" key_id INTEGER NOT NULL,"
	" pidx BLOB,"
	" nonce BLOB NOT NULL,"
	" ct BLOB NOT NULL,"
	" mac BLOB NOT NULL) STRICT;"
	/*
	 * The patient index is bucketed by sequence number (4096 records a bucket): HMAC values are
	 * random, and a plain index on them would scatter every batch's inserts over the whole
	 * B-tree (measured: 4x slower appends); within the current bucket they touch a few dozen
	 * pages. A lookup seeks once per bucket (export.c).
	 */
	"CREATE INDEX log_pidx ON log(seq >> 12, pidx);"
	"CREATE TABLE head(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL,"
	" mac BLOB NOT NULL, hmac BLOB NOT NULL) STRICT;"
	"CREATE TRIGGER log_no_update BEFORE UPDATE ON log"
	" BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;"
	"CREATE TRIGGER log_no_delete BEFORE DELETE ON log"
	" BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;"
	"CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta"
	" BEGIN SELECT RAISE(ABORT, 'meta is write-once'); END;"
	"CREATE TRIGGER meta_no_delete BEFORE DELETE ON meta"
	" BEGIN SELECT RAISE(ABORT, 'meta is write-once'); END;"
	"CREATE TRIGGER head_no_delete BEFORE DELETE ON head"
	" BEGIN SELECT RAISE(ABORT, 'the head cannot be deleted'); END;"
	"CREATE TRIGGER head_forward BEFORE UPDATE ON head WHEN NEW.seq < OLD.seq"
	" BEGIN SELECT RAISE(ABORT, 'the head only moves forward'); END;";

fls_status store_sql_fail(struct fls_diag *d, sqlite3 *db, int rc, const char *path,
			  const char *what, int busy_ms)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	/* fls_diag_set copies msg at once: SQLite may overwrite its own copy on the next call. */
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return fls_diag_set(d, FLS_ESTORE,
				    "%s: %s: the store is locked by another process "
				    "(busy timeout %d ms); try again later",
				    path, what, busy_ms);
	case SQLITE_FULL:
		return fls_diag_set(d, FLS_ESTORE,
				    "%s: %s: the disk is full (or the file reached its size "
				    "limit); records committed before are intact (%s)",
				    path, what, msg);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return fls_diag_set(d, FLS_ESTORE,
				    "%s: %s: the store file is damaged (truncated or corrupt) "
				    "or not a database (%s)",
				    path, what, msg);
	case SQLITE_CANTOPEN:
		return fls_diag_set(d, FLS_EIO, "%s: %s: cannot open the file (%s)", path, what,
				    msg);
	case SQLITE_READONLY:
		return fls_diag_set(d, FLS_ESTORE, "%s: %s: the file is read-only (%s)", path, what,
				    msg);
	case SQLITE_IOERR:
		return fls_diag_set(d, FLS_ESTORE, "%s: %s: I/O error, perhaps a full disk (%s)",
				    path, what, msg);
	case SQLITE_NOMEM: return fls_diag_set(d, FLS_ENOMEM, "%s: %s: out of memory", path, what);
	default:
		return fls_diag_set(d, FLS_ESTORE, "%s: %s: SQLite error %d (%s)", path, what, rc,
				    msg);
	}
}

fls_status store_db_exec(sqlite3 *db, const char *path, const char *sql, const char *what,
			 int busy_ms, struct fls_diag *d)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? FLS_OK : store_sql_fail(d, db, rc, path, what, busy_ms);
}

/* One integer from a one-row query (a PRAGMA or a count). */
static int db_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_ERROR;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

fls_status store_db_put_meta(sqlite3 *db, const char *path, const char *name, const void *blob,
			     size_t blob_len, int64_t ival, struct fls_diag *d)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "INSERT INTO meta(name, value) VALUES (?1, ?2)", -1, &st,
				    NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = blob ? sqlite3_bind_blob64(st, 2, blob, blob_len, SQLITE_STATIC)
			  : sqlite3_bind_int64(st, 2, ival);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? FLS_OK
			       : store_sql_fail(d, db, rc, path, "writing the meta table", 0);
}

static int64_t db_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Create the format-1 schema and meta rows in a new file (inside the caller's write transaction) */
static fls_status db_create(sqlite3 *db, const char *path, const struct store_opts *opts,
			    struct fls_diag *d)
{
	unsigned char file_id[STORE_FILE_ID_LEN], salt[STORE_SALT_BYTES];
	unsigned log2n = opts && opts->scrypt_log2_n ? opts->scrypt_log2_n : STORE_SCRYPT_LOG2_N;
	unsigned rpk = opts && opts->records_per_key_log2 ? opts->records_per_key_log2 : 24;
	struct store_scrypt prm;
	char pragmas[128];
	fls_status st;

	if (log2n > 30 || rpk < 1 || rpk > 30)
		return fls_diag_set(d, FLS_EINVAL,
				    "%s: scrypt cost or records per key out of range", path);
	prm.n = (uint64_t)1 << log2n;
	prm.r = STORE_SCRYPT_R;
	prm.p = STORE_SCRYPT_P;
	if ((st = store_scrypt_check(&prm, d)) != FLS_OK)
		return st;
	if (RAND_bytes(file_id, sizeof(file_id)) != 1 || RAND_bytes(salt, sizeof(salt)) != 1)
		return fls_diag_set(d, FLS_ECRYPTO, "the random number generator failed");
	/* PRAGMAs take no bound parameters; these are our own constants. */
	snprintf(pragmas, sizeof(pragmas), "PRAGMA application_id = %d; PRAGMA user_version = %d;",
		 (int)STORE_APPLICATION_ID, STORE_FORMAT_VERSION);
	if ((st = store_db_exec(db, path, pragmas, "creating the store", 0, d)) ||
	    (st = store_db_exec(db, path, store_schema_sql, "creating the store", 0, d)) ||
	    (st = store_db_put_meta(db, path, "format", NULL, 0, STORE_FORMAT_VERSION, d)) ||
	    (st = store_db_put_meta(db, path, "file_id", file_id, sizeof(file_id), 0, d)) ||
	    (st = store_db_put_meta(db, path, "kdf_salt", salt, sizeof(salt), 0, d)) ||
	    (st = store_db_put_meta(db, path, "scrypt_n", NULL, 0, (int64_t)prm.n, d)) ||
	    (st = store_db_put_meta(db, path, "scrypt_r", NULL, 0, prm.r, d)) ||
	    (st = store_db_put_meta(db, path, "scrypt_p", NULL, 0, prm.p, d)) ||
	    (st = store_db_put_meta(db, path, "records_per_key_log2", NULL, 0, rpk, d)) ||
	    (st = store_db_put_meta(db, path, "created_ms", NULL, 0, db_now_ms(), d)))
		return st;
	return FLS_OK;
}

/* Is this file ours (1), empty (0) or someone else's (-1)? Reads the header and sqlite_schema. */
static fls_status db_classify(sqlite3 *db, const char *path, int *kind, int64_t *version,
			      struct fls_diag *d)
{
	int64_t app = 0, n = 0;
	int rc, own_txn = sqlite3_get_autocommit(db);

	/*
	 * One read transaction, so that the three values come from one snapshot while others create
	 * it.
	 */
	if ((own_txn && (rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK) ||
	    (rc = db_int(db, "PRAGMA application_id", &app)) != SQLITE_OK ||
	    (rc = db_int(db, "PRAGMA user_version", version)) != SQLITE_OK ||
	    (rc = db_int(db, "SELECT count(*) FROM sqlite_schema", &n)) != SQLITE_OK) {
		fls_status st = (rc & 0xff) == SQLITE_NOTADB
			? fls_diag_set(d, FLS_ESTORE,
				       "%s is not an SQLite database, so not a decision log (or "
				       "it is damaged); refusing it",
				       path)
			: store_sql_fail(d, db, rc, path, "reading the file header", 0);

		if (own_txn) /* after the message: ROLLBACK resets sqlite3_errmsg */
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return st;
	}
	if (own_txn)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	if (app == STORE_APPLICATION_ID)
		*kind = 1;
	else if (app == 0 && n == 0)
		*kind = 0;
	else
		*kind = -1;
	return FLS_OK;
}

/*
 * One attempt at store_db_open. *retry is set when the file was empty as we read it and switching
 * it to WAL found it locked. That is the race of two first openers: both read the empty file,
 * then both switch it; the loser's switch fails with SQLITE_BUSY at once, without calling the busy
 * handler (SQLite does not wait where waiting could deadlock), however long the busy timeout. CI
 * saw it (here, 3 in 30 runs of two_writers_at_once_keep_one_chain). A new connection finds
 * the store the winner made, so the caller closes this one and tries again.
 */
static fls_status db_open_once(sqlite3 **out, const char *path, const struct store_opts *opts,
			       int busy_ms, int *retry, struct fls_diag *d)
{
	int readonly = opts && opts->readonly;
	int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW |
		(readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	sqlite3 *db = NULL;
	int64_t version = 0;
	fls_status st;
	int rc, kind = 0;

	*out = NULL;
	if (!path || !*path || !strcmp(path, ":memory:"))
		return fls_diag_set(d, FLS_EINVAL, "the store needs a file name");
	if (!readonly) {
		/*
		 * Create a new file ourselves, mode 0600: SQLite would use 0644, and gives the -wal
		 * and -shm files the database file's mode. Nothing in it is readable without the
		 * key, but timestamps and how many records each patient index has are, so keep it
		 * private.
		 */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

		if (fd >= 0)
			close(fd);
	}
	rc = sqlite3_open_v2(path, &db, flags, NULL);
	if (rc != SQLITE_OK) {
		st = store_sql_fail(d, db, rc, path, "opening the store", busy_ms);
		goto out;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, busy_ms);
	if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL) != SQLITE_OK ||
	    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL) != SQLITE_OK ||
	    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL) != SQLITE_OK) {
		st = fls_diag_set(d, FLS_ESTORE, "%s: cannot apply SQLite's defensive settings",
				  path);
		goto out;
	}
	/* cell_size_check: notice a damaged page before using it (the file may be hostile). */
	if ((st = store_db_exec(db, path, "PRAGMA cell_size_check = ON", "opening the store",
				busy_ms, d)) ||
	    (st = db_classify(db, path, &kind, &version, d)))
		goto out;
	if (kind < 0) {
		st = fls_diag_set(d, FLS_ESTORE,
				  "%s is an SQLite database of another application, not a "
				  "decision log; refusing to touch it",
				  path);
		goto out;
	}
	if (kind > 0 && version > STORE_FORMAT_VERSION) {
		st = fls_diag_set(d, FLS_ESTORE,
				  "%s has store format version %lld, newer than this "
				  "library supports (%d); upgrade libfls to read it",
				  path, (long long)version, STORE_FORMAT_VERSION);
		goto out;
	}
	if (kind > 0 && version < 1) {
		st = fls_diag_set(d, FLS_ESTORE,
				  "%s: the store's format version is missing (damaged file)", path);
		goto out;
	}
	if (readonly) {
		if (kind == 0) {
			st = fls_diag_set(d, FLS_ESTORE, "%s is empty: not a decision log", path);
			goto out;
		}
		st = store_db_exec(db, path, "PRAGMA query_only = ON", "opening the store", busy_ms,
				   d);
		goto out;
	}
	/*
	 * WAL keeps readers (verify, export) off the writers' backs; synchronous=FULL because WAL
	 * with NORMAL may lose the last commits on power loss, and audit records must not be lost.
	 */
	{
		sqlite3_stmt *jm = NULL;
		const unsigned char *mode = NULL;

		/* A file seen empty: a wait may be a deadlock (above); the caller reopens instead. */
		if (kind == 0)
			sqlite3_busy_timeout(db, busy_ms < 50 ? busy_ms : 50);
		rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &jm, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(jm)) == SQLITE_ROW) {
			mode = sqlite3_column_text(jm, 0);
			rc = mode && !strcmp((const char *)mode, "wal") ? SQLITE_OK : SQLITE_ERROR;
		}
		sqlite3_finalize(jm);
		sqlite3_busy_timeout(db, busy_ms);
		if (kind == 0 && (rc & 0xff) == SQLITE_BUSY)
			*retry = 1;
		if (rc != SQLITE_OK) {
			st = rc == SQLITE_ERROR
				? fls_diag_set(d, FLS_ESTORE,
					       "%s: cannot switch the store to "
					       "WAL mode",
					       path)
				: store_sql_fail(d, db, rc, path, "switching to WAL mode", busy_ms);
			goto out;
		}
	}
	if ((st = store_db_exec(db, path, "PRAGMA synchronous = FULL", "opening the store", busy_ms,
				d)))
		goto out;
	if (kind == 0) {
		/* Two processes may create the same file at once: decide under the write lock. */
		if ((st = store_db_exec(db, path, "BEGIN IMMEDIATE", "creating the store", busy_ms,
					d)))
			goto out;
		if ((st = db_classify(db, path, &kind, &version, d)) == FLS_OK) {
			if (kind == 0)
				st = db_create(db, path, opts, d);
			else if (kind < 0)
				st = fls_diag_set(d, FLS_ESTORE,
						  "%s became another application's database", path);
		}
		if (st == FLS_OK)
			st = store_db_exec(db, path, "COMMIT", "creating the store", busy_ms, d);
		if (st != FLS_OK)
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
out:
	if (st != FLS_OK) {
		sqlite3_close(db); /* accepts NULL; no statements are left open here */
		return st;
	}
	*out = db;
	return FLS_OK;
}

static int64_t db_monotonic_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

fls_status store_db_open(sqlite3 **out, const char *path, const struct store_opts *opts,
			 struct fls_diag *d)
{
	int busy_ms =
		opts && opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms : STORE_BUSY_TIMEOUT_MS;
	int64_t give_up = db_monotonic_ms() + busy_ms;
	fls_status st;

	/* Only the race of two first openers retries, within the same time a lock is waited for. */
	for (;;) {
		int retry = 0;
		unsigned char r = 0;
		struct timespec pause_ts = { 0, 0 };

		st = db_open_once(out, path, opts, busy_ms, &retry, d);
		if (st == FLS_OK || !retry || db_monotonic_ms() >= give_up)
			return st;
		/* 1-32 ms, random, so that two openers retrying together fall out of step. */
		if (RAND_bytes(&r, 1) != 1)
			r = 0;
		pause_ts.tv_nsec = (long)(1 + (r & 31)) * 1000 * 1000;
		nanosleep(&pause_ts, NULL);
	}
}

/* One meta value: copies a blob of exactly blob_len bytes, or reads an integer. 0 when absent. */
static int db_meta(sqlite3_stmt *st, const char *name, void *blob, size_t blob_len, int64_t *ival,
		   int *rc)
{
	int found = 0;

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if ((*rc = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC)) != SQLITE_OK)
		return -1;
	*rc = sqlite3_step(st);
	if (*rc == SQLITE_ROW) {
		*rc = SQLITE_OK;
		if (blob) {
			if (sqlite3_column_type(st, 0) == SQLITE_BLOB &&
			    (size_t)sqlite3_column_bytes(st, 0) == blob_len) {
				memcpy(blob, sqlite3_column_blob(st, 0), blob_len);
				found = 1;
			} else {
				found = -1; /* there, but malformed */
			}
		} else if (sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
			*ival = sqlite3_column_int64(st, 0);
			found = 1;
		} else {
			found = -1;
		}
	} else if (*rc == SQLITE_DONE) {
		*rc = SQLITE_OK;
	} else {
		found = -1;
	}
	sqlite3_reset(st);
	return found;
}

fls_status store_db_read_meta(sqlite3 *db, const char *path, struct store_meta *m,
			      struct fls_diag *d)
{
	static const char *const ints[] = { "format", "scrypt_n", "scrypt_r", "scrypt_p",
					    "records_per_key_log2" };
	sqlite3_stmt *st = NULL;
	int64_t v[5] = { 0 };
	fls_status rv = FLS_OK;
	int rc, f;

	memset(m, 0, sizeof(*m));
	rc = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE name = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		rv = store_sql_fail(d, db, rc, path, "reading the meta table", 0);
		goto out;
	}
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if ((f = db_meta(st, ints[i], NULL, 0, &v[i], &rc)) != 1) {
			rv = rc != SQLITE_OK
				? store_sql_fail(d, db, rc, path, "reading the meta table", 0)
				: fls_diag_set(d, FLS_ESTORE,
					       "%s: meta entry '%s' is missing or malformed "
					       "(damaged or altered store)",
					       path, ints[i]);
			goto out;
		}
	}
	m->format = v[0];
	if (m->format > STORE_FORMAT_VERSION) {
		rv = fls_diag_set(d, FLS_ESTORE,
				  "%s has store format version %lld, newer than this library "
				  "supports (%d); upgrade libfls to read it",
				  path, (long long)m->format, STORE_FORMAT_VERSION);
		goto out;
	}
	if (m->format < 1 || v[1] <= 0 || v[2] <= 0 || v[2] > UINT32_MAX || v[3] <= 0 ||
	    v[3] > UINT32_MAX || v[4] < 1 || v[4] > 30) {
		rv = fls_diag_set(d, FLS_ESTORE,
				  "%s: the meta table holds values out of range (damaged or "
				  "altered store)",
				  path);
		goto out;
	}
	m->scrypt.n = (uint64_t)v[1];
	m->scrypt.r = (uint32_t)v[2];
	m->scrypt.p = (uint32_t)v[3];
	m->records_per_key_log2 = (unsigned)v[4];
	if (db_meta(st, "file_id", m->file_id, sizeof(m->file_id), NULL, &rc) != 1 ||
	    db_meta(st, "kdf_salt", m->salt, sizeof(m->salt), NULL, &rc) != 1) {
		rv = rc != SQLITE_OK
			? store_sql_fail(d, db, rc, path, "reading the meta table", 0)
			: fls_diag_set(d, FLS_ESTORE,
				       "%s: meta entry file_id or kdf_salt is missing or "
				       "malformed (damaged or altered store)",
				       path);
		goto out;
	}
	f = db_meta(st, "key_check", m->check, sizeof(m->check), NULL, &rc);
	if (f < 0) {
		rv = rc != SQLITE_OK
			? store_sql_fail(d, db, rc, path, "reading the meta table", 0)
			: fls_diag_set(d, FLS_ESTORE,
				       "%s: meta entry key_check is malformed (damaged or "
				       "altered store)",
				       path);
		goto out;
	}
	m->has_check = f;
out:
	sqlite3_finalize(st);
	return rv;
}

sqlite3 *store_db_handle(struct store *s)
{
	return s ? s->db : NULL;
}
