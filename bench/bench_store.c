/*
 * bench_store: decisions appended per second to the encrypted decision log, against plain SQLite.
 *
 *   bench_store [--records N] [--batch B] [--runs R] [--dir DIR]
 *
 * Both sides write N records of about 600 bytes of JSON (the size of a decision) in transactions of
 * B (default 1000, as the session batches them), to a fresh file in DIR with the same settings
 * (WAL, synchronous=FULL, one statement prepared once, an index on the patient): baseline  plain
 * SQLite: INSERT seq, ts, patient id, payload as they are; store     store_append: HMAC patient
 * index, AES-256-GCM with a fresh nonce, chain MAC, head. Each runs R times (default 3) and the
 * best time is kept. Prints appends/s, microseconds per append, the ratio store/baseline, what the
 * store adds per patient to screening at 20,000 patients/s, and how fast `store_verify` reads the
 * result back.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t payload(char *buf, size_t cap, char *pid, size_t pcap, unsigned i)
{
	int n;

	snprintf(pid, pcap, "urn:uuid:6f1c2a4e-0000-4000-8000-%012u", i);
	n = snprintf(
		buf, cap,
		"{\"type\":\"decision\",\"v\":1,\"patient_id\":\"%s\",\"nhs_number\":\"94%08u\","
		"\"birth_date\":\"1941-03-1%u\",\"sex\":\"female\",\"age\":%u,\"as_of\":\"2024-05-"
		"01\","
		"\"fls_priority\":\"P%u\",\"fls_reasons\":[\"FLS-HIP-12M\",\"FLS-VERT-ANY\"],"
		"\"falls_population\":\"yes\",\"falls_referral\":\"no\",\"falls_reasons\":[\"FALLS-"
		"AGE-65\"],"
		"\"mof10\":%u.%u,\"hip10\":%u.%u,\"risk_status\":\"ok\","
		"\"notes\":[\"DQ-BMI-MISSING\",\"DQ-SMOKING-DEFAULT\"],"
		"\"index_fracture\":{\"date\":\"2023-11-02\",\"site\":\"hip\"},"
		"\"versions\":{\"lib\":\"1.0.0\",\"model\":\"QFracture-2012\",\"codes\":\"2024.1\"}"
		","
		"\"source\":\"practice-list.xml\",\"explanation\":\"FLS-HIP-12M: hip fracture in "
		"the last "
		"12 months (clinical-rules 7.3.1); FALLS-AGE-65: aged 65 or over (7.4.1)\"}",
		pid, i, i % 10, 60 + i % 40, 1 + i % 3, i % 50, i % 10, i % 20, i % 10);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static void fresh(const char *path)
{
	char p[1100];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

#define CHECK(x)                                                                             \
	do {                                                                                 \
		if (!(x)) {                                                                  \
			fprintf(stderr, "bench_store: %s failed (line %d)\n", #x, __LINE__); \
			exit(1);                                                             \
		}                                                                            \
	} while (0)

static double run_baseline(const char *path, unsigned n, unsigned batch, size_t *bytes)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	char buf[2048], pid[64];
	double t0;

	fresh(path);
	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) ==
	      SQLITE_OK);
	CHECK(sqlite3_exec(
		      db,
		      "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		      "CREATE TABLE log(seq INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, patient "
		      "TEXT,"
		      " payload BLOB NOT NULL) STRICT; CREATE INDEX log_patient ON log(patient);",
		      NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_prepare_v3(
		      db, "INSERT INTO log(seq, ts_ms, patient, payload) VALUES (?1, ?2, ?3, ?4)",
		      -1, SQLITE_PREPARE_PERSISTENT, &ins, NULL) == SQLITE_OK);
	*bytes = 0;
	t0 = now();
	for (unsigned i = 0; i < n;) {
		CHECK(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);
		for (unsigned k = 0; k < batch && i < n; k++, i++) {
			size_t len = payload(buf, sizeof(buf), pid, sizeof(pid), i);
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			*bytes += len;
			sqlite3_bind_int64(ins, 1, (sqlite3_int64)i + 1);
			sqlite3_bind_int64(ins, 2,
					   (sqlite3_int64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
			sqlite3_bind_text(ins, 3, pid, -1, SQLITE_STATIC);
			sqlite3_bind_blob(ins, 4, buf, (int)len, SQLITE_STATIC);
			CHECK(sqlite3_step(ins) == SQLITE_DONE);
			sqlite3_reset(ins);
			sqlite3_clear_bindings(ins);
		}
		CHECK(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK);
	}
	t0 = now() - t0;
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return t0;
}

static double run_store(const char *path, unsigned n, unsigned batch, const unsigned char key[32])
{
	struct store *s = NULL;
	struct fls_diag d;
	char buf[2048], pid[64];
	double t0;

	fresh(path);
	if (store_open(&s, NULL, path, key, &d) != FLS_OK) {
		fprintf(stderr, "bench_store: %s\n", d.msg);
		exit(1);
	}
	t0 = now();
	for (unsigned i = 0; i < n;) {
		CHECK(store_begin(s) == FLS_OK);
		for (unsigned k = 0; k < batch && i < n; k++, i++) {
			size_t len = payload(buf, sizeof(buf), pid, sizeof(pid), i);

			if (store_append(s, STORE_KIND_DECISION, pid, buf, len) != FLS_OK) {
				fprintf(stderr, "bench_store: %s\n", store_errmsg(s));
				exit(1);
			}
		}
		CHECK(store_commit(s) == FLS_OK);
	}
	t0 = now() - t0;
	store_close(s);
	return t0;
}

static double run_verify(const char *path, unsigned n, const unsigned char key[32])
{
	struct store_opts o = { 0 };
	struct store *s = NULL;
	struct fls_diag d;
	uint64_t got = 0;
	double t0;

	o.readonly = 1;
	CHECK(store_open_ex(&s, NULL, path, key, &o, &d) == FLS_OK);
	t0 = now();
	CHECK(store_verify(s, &got, NULL, &d) == FLS_OK && got == n);
	t0 = now() - t0;
	store_close(s);
	return t0;
}

int main(int argc, char **argv)
{
	unsigned n = 200000, batch = 1000, runs = 3;
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char base_path[1024], store_path[1024];
	unsigned char key[32];
	double tb = 1e30, ts = 1e30, tv = 1e30;
	size_t bytes = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--records") && i + 1 < argc)
			n = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
			batch = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else {
			fprintf(stderr,
				"usage: bench_store [--records N] [--batch B] [--runs R] [--dir "
				"DIR]\n");
			return 2;
		}
	}
	if (!n || !batch || !runs)
		return 2;
	for (int i = 0; i < 32; i++)
		key[i] = (unsigned char)(i * 13 + 5); /* a benchmark key: nothing is kept */
	snprintf(base_path, sizeof(base_path), "%s/bench_store_plain_%d.db", dir, (int)getpid());
	snprintf(store_path, sizeof(store_path), "%s/bench_store_log_%d.db", dir, (int)getpid());
	for (unsigned r = 0; r < runs; r++) {
		double b = run_baseline(base_path, n, batch, &bytes),
		       s = run_store(store_path, n, batch, key);
		double v = run_verify(store_path, n, key);

		tb = b < tb ? b : tb;
		ts = s < ts ? s : ts;
		tv = v < tv ? v : tv;
	}
	printf("records %u, batch %u, payload %.0f bytes on average, best of %u runs, files in "
	       "%s\n",
	       n, batch, (double)bytes / n, runs, dir);
	printf("baseline (plain SQLite insert): %9.0f appends/s  %6.2f us/append\n", n / tb,
	       tb * 1e6 / n);
	printf("store (encrypted, chained):     %9.0f appends/s  %6.2f us/append\n", n / ts,
	       ts * 1e6 / n);
	printf("ratio store/baseline time:      %9.2f\n", ts / tb);
	printf("if appended on the screening thread at 20,000 patients/s (50 us each): +%.1f%%\n",
	       ts * 1e6 / n / 50.0 * 100.0);
	printf("verify (decrypt and check all): %9.0f records/s\n", n / tv);
	fresh(base_path);
	fresh(store_path);
	return 0;
}
