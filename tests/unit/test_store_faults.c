/*
 * Faults: damaged, foreign and newer files, a locked database, a full disk, two writers at once and
 * a writer killed in the middle of a batch. Each must give a clear error and lose nothing
 * committed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/db.h"
#include "store/store.h"
#include "store_fixture.h"

static void build(struct sf *f, unsigned n)
{
	struct store *s = sf_open(f, 0, 0);

	for (unsigned i = 1; i <= n; i += 100)
		sf_append_batch(s, i, n - i + 1 < 100 ? n - i + 1 : 100);
	store_close(s);
}

static void expect_records(struct sf *f, uint64_t want)
{
	struct store *s = sf_open(f, 1, 0);
	uint64_t n = 0, bad = 1;
	fls_status st = store_verify(s, &n, &bad, &f->d);

	if (st != FLS_OK)
		print_error("verify: %s\n", f->d.msg);
	assert_int_equal(st, FLS_OK);
	assert_int_equal(n, want);
	store_close(s);
}

/* store_open must fail with st and a message containing what, and leave the file as it was. */
static void expect_open_refused(struct sf *f, int readonly, fls_status st, const char *what)
{
	struct store_opts o = { 0 };
	struct store *s = (struct store *)1;
	size_t before_len = 0, after_len = 0;
	char *before = tu_read_file_bytes(f->db, &before_len), *after;

	o.readonly = readonly;
	assert_int_equal(store_open_ex(&s, NULL, f->db, f->key, &o, &f->d), st);
	assert_null(s);
	print_message("    open: %s\n", f->d.msg);
	assert_non_null(strstr(f->d.msg, what));
	assert_non_null(strstr(f->d.msg, f->db)); /* it names the file */
	after = tu_read_file_bytes(f->db, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	free(before);
	free(after);
}

static void truncated_file_is_reported(void **state)
{
	struct sf *f = *state;
	struct store *s = NULL;
	long size;
	fls_status st;
	uint64_t n = 0, bad = 0;

	build(f, 300);
	size = sf_file_size(f->db);
	assert_true(size > 100000);
	assert_int_equal(truncate(f->db, size / 2), 0);
	/*
	 * Either the open or the verification notices, and says the file is damaged or the tail
	 * gone.
	 */
	st = store_open_ex(&s, NULL, f->db, f->key, &(struct store_opts){ .readonly = 1 }, &f->d);
	if (st == FLS_OK) {
		st = store_verify(s, &n, &bad, &f->d);
		assert_int_equal(st, FLS_ETAMPER);
		assert_true(bad >= 1 && bad <= 300);
		store_close(s);
	} else {
		assert_int_equal(st, FLS_ESTORE);
	}
	print_message("    %s\n", f->d.msg);
	assert_true(strstr(f->d.msg, "damaged") || strstr(f->d.msg, "missing") ||
		    strstr(f->d.msg, "truncated"));
	/* Cut inside the first page: SQLite cannot read the schema. */
	assert_int_equal(truncate(f->db, 60), 0);
	expect_open_refused(f, 0, FLS_ESTORE, "damaged");
	expect_open_refused(f, 1, FLS_ESTORE, "damaged");
}

static void non_sqlite_file_is_refused_untouched(void **state)
{
	struct sf *f = *state;
	FILE *fp = fopen(f->db, "w");

	assert_non_null(fp);
	for (int i = 0; i < 200; i++)
		fputs("this is a text file, not a decision log\n", fp);
	fclose(fp);
	expect_open_refused(f, 0, FLS_ESTORE, "not an SQLite database");
	expect_open_refused(f, 1, FLS_ESTORE, "not an SQLite database");
}

static void foreign_sqlite_file_is_refused_untouched(void **state)
{
	struct sf *f = *state;

	assert_int_equal(
		sf_raw_exec(f->db,
			    "CREATE TABLE patients(nhs TEXT); INSERT INTO patients VALUES ('x');"),
		SQLITE_OK);
	expect_open_refused(f, 0, FLS_ESTORE, "another application");
	expect_open_refused(f, 1, FLS_ESTORE, "another application");
	/* Not even switched to WAL. */
	assert_int_equal(sf_file_size(f->db) > 0, 1);
	{
		char wal[700];

		assert_int_equal(sf_file_size(sf_path(f, "log.db-wal", wal, sizeof(wal))), -1);
	}
	/* Another application id, even with our tables' names, is foreign too. */
	assert_int_equal(sf_raw_exec(f->db, "PRAGMA application_id = 12345;"), SQLITE_OK);
	expect_open_refused(f, 0, FLS_ESTORE, "another application");
}

static void newer_format_is_refused(void **state)
{
	struct sf *f = *state;

	build(f, 3);
	assert_int_equal(sf_raw_exec(f->db, "PRAGMA user_version = 2"), SQLITE_OK);
	expect_open_refused(f, 0, FLS_ESTORE, "format version 2, newer");
	expect_open_refused(f, 1, FLS_ESTORE, "format version 2, newer");
	assert_int_equal(sf_raw_exec(f->db,
				     "PRAGMA user_version = 1; DROP TRIGGER meta_no_update;"
				     "UPDATE meta SET value = 7 WHERE name = 'format'"),
			 SQLITE_OK);
	expect_open_refused(f, 0, FLS_ESTORE, "format version 7, newer");
	/* Back to 1: nothing was lost. */
	assert_int_equal(sf_raw_exec(f->db, "UPDATE meta SET value = 1 WHERE name = 'format'"),
			 SQLITE_OK);
	expect_records(f, 3);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void locked_database_reports_busy(void **state)
{
	struct sf *f = *state;
	struct store *s;
	sqlite3 *other = NULL;
	double t0;
	fls_status st;

	build(f, 5);
	s = sf_open(f, 0, 200);
	assert_int_equal(sqlite3_open_v2(f->db, &other, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	t0 = now_s();
	st = store_begin(s);
	assert_int_equal(st, FLS_ESTORE);
	assert_true(now_s() - t0 >= 0.15); /* it waited for the busy timeout, then gave up */
	print_message("    %s\n", store_errmsg(s));
	assert_non_null(strstr(store_errmsg(s), "locked by another process (busy timeout 200 ms)"));
	assert_int_equal(store_append(s, STORE_KIND_DECISION, "p", "{}", 2), FLS_ESTORE);
	/* Readers are not blocked by a writer (WAL): verify still works meanwhile. */
	expect_records(f, 5);
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	sf_append_batch(s, 6, 5);
	store_close(s);
	expect_records(f, 10);
}

static void full_disk_keeps_committed_records(void **state)
{
	struct sf *f = *state;
	struct store *s;
	sqlite3 *db;
	char buf[2048], pid[32], sql[96];
	fls_status st = FLS_OK;
	unsigned i;

	build(f, 20);
	s = sf_open(f, 0, 0);
	db = store_db_handle(s);
	/* Cap the file at its current size plus two pages: SQLite then fails with SQLITE_FULL. */
	{
		sqlite3_stmt *q;

		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &q, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
			 sqlite3_column_int64(q, 0) + 2);
		sqlite3_finalize(q);
	}
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_begin(s), FLS_OK);
	for (i = 100; i < 400 && st == FLS_OK; i++) {
		size_t len = sf_payload(buf, sizeof(buf), i);

		st = store_append(s, STORE_KIND_DECISION, sf_patient(pid, sizeof(pid), i), buf,
				  len);
	}
	if (st == FLS_OK)
		st = store_commit(s);
	assert_int_equal(st, FLS_ESTORE);
	print_message("    %s\n", store_errmsg(s));
	assert_non_null(strstr(store_errmsg(s), "disk is full"));
	assert_non_null(strstr(store_errmsg(s), "committed before are intact"));
	assert_int_equal(store_commit(s), FLS_EINVAL); /* the batch is gone, nothing half-kept */
	/* Space again: the same handle goes on, and the chain is whole. */
	assert_int_equal(sqlite3_exec(db, "PRAGMA max_page_count = 1073741823", NULL, NULL, NULL),
			 SQLITE_OK);
	sf_append_batch(s, 21, 10);
	store_close(s);
	expect_records(f, 30);
}

/* A real write failure: the file size limit makes write(2) fail as a full disk would. */
static void write_failure_keeps_committed_records(void **state)
{
	struct sf *f = *state;
	pid_t pid;
	int status = 0;

	build(f, 20);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 256 * 1024, 256 * 1024 };
		struct store *s = NULL;
		struct fls_diag d;
		char buf[2048], id[32];
		fls_status st = FLS_OK;

		signal(SIGXFSZ, SIG_IGN); /* get EFBIG from write(2) instead of the signal */
		if (store_open(&s, NULL, f->db, f->key, &d) != FLS_OK ||
		    setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(10);
		if (store_begin(s) != FLS_OK)
			_exit(11);
		for (unsigned i = 1000; i < 3000 && st == FLS_OK; i++)
			st = store_append(s, STORE_KIND_DECISION, sf_patient(id, sizeof(id), i),
					  buf, sf_payload(buf, sizeof(buf), i));
		if (st == FLS_OK)
			st = store_commit(s);
		fprintf(stderr, "    child: %s\n", store_errmsg(s));
		if (st != FLS_ESTORE || !strstr(store_errmsg(s), "I/O error, perhaps a full disk"))
			_exit(12);
		store_close(s);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	expect_records(f, 20);
}

/*
 * Child body: open the store (both children race to create it), say so on ready, wait for go, then
 * append batches of records tagged with who, pausing between batches as a screening loop would
 * (which is what lets the other writer in).
 */
static int child_append(struct sf *f, const char *who, unsigned batches, unsigned per_batch,
			int ready, int go)
{
	struct timespec pause_ts = { 0, 2 * 1000 * 1000 };
	struct store *s = NULL;
	struct fls_diag d;
	char buf[256], c;

	if (store_open(&s, NULL, f->db, f->key, &d) != FLS_OK) {
		fprintf(stderr, "child %s: %s\n", who, d.msg);
		return 20;
	}
	if (write(ready, "r", 1) != 1 || read(go, &c, 1) != 1)
		return 24;
	for (unsigned b = 0; b < batches; b++) {
		if (store_begin(s) != FLS_OK) {
			fprintf(stderr, "child %s: %s\n", who, store_errmsg(s));
			return 21;
		}
		for (unsigned i = 0; i < per_batch; i++) {
			int n = snprintf(buf, sizeof(buf),
					 "{\"writer\":\"%s\",\"batch\":%u,\"i\":%u}", who, b, i);

			if (store_append(s, STORE_KIND_DECISION, who, buf, (size_t)n) != FLS_OK)
				return 22;
		}
		if (store_commit(s) != FLS_OK)
			return 23;
		nanosleep(&pause_ts, NULL);
	}
	store_close(s);
	return 0;
}

struct count {
	unsigned a, b, other;
};

static int count_cb(void *ctx, const struct store_record *r)
{
	struct count *c = ctx;

	if (strstr(r->payload, "\"writer\":\"A\""))
		c->a++;
	else if (strstr(r->payload, "\"writer\":\"B\""))
		c->b++;
	else
		c->other++;
	return 0;
}

/* Wait for each child; each must have exited with status 0. */
static void expect_children_succeeded(const pid_t *pids, int n)
{
	for (int i = 0; i < n; i++) {
		int status = 0;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

/* read(2) of one byte, giving up (-1) after `seconds` with nothing to read. */
static ssize_t read_byte_within(int fd, char *c, int seconds)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, seconds * 1000) != 1) {
		print_error("no word from a child within %d s\n", seconds);
		return -1;
	}
	return read(fd, c, 1);
}

static void two_writers_at_once_keep_one_chain(void **state)
{
	struct sf *f = *state;
	pid_t pids[2];
	const char *who[2] = { "A", "B" };
	struct count c = { 0 };
	struct store *s;
	int64_t switches;
	int ready[2], go[2];
	char ch;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	/* No store yet: both children also race to create it. */
	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(child_append(f, who[i], 30, 50, ready[1], go[0]));
	}
	close(ready[1]);
	close(go[0]);
	/*
	 * Both have the store open: let them go at once. A child that failed to open never says
	 * ready, and the other holds the pipe open while it waits to go: wait a bounded time (CI
	 * once hung here until ctest's timeout).
	 */
	assert_int_equal(read_byte_within(ready[0], &ch, 30), 1);
	assert_int_equal(read_byte_within(ready[0], &ch, 30), 1);
	assert_int_equal(write(go[1], "gg", 2), 2);
	close(ready[0]);
	close(go[1]);
	expect_children_succeeded(pids, 2);
	expect_records(f, 3000);
	s = sf_open(f, 1, 0);
	assert_int_equal(store_export(s, NULL, count_cb, &c, &f->d), FLS_OK);
	assert_int_equal(c.a, 1500);
	assert_int_equal(c.b, 1500);
	assert_int_equal(c.other, 0);
	store_close(s);
	/*
	 * How often the writer changed between neighbouring records: 1 means one child ran entirely
	 * before the other, which proves little about concurrency (reported, not failed: a loaded
	 * machine may schedule it so). Batches are whole: a change only ever falls between batches.
	 */
	switches = sf_raw_int(f->db,
			      "SELECT count(*) FROM log a JOIN log b ON b.seq = a.seq + 1 "
			      "WHERE a.pidx <> b.pidx");
	print_message("    writer changed %lld times between batches\n", (long long)switches);
	assert_true(switches >= 1);
	assert_int_equal(sf_raw_int(f->db,
				    "SELECT count(*) FROM log a JOIN log b ON b.seq = a.seq + 1 "
				    "WHERE a.pidx <> b.pidx AND a.seq % 50 <> 0"),
			 0);
}

/* Remove the store and its WAL and shared-memory files: the next open creates it anew. */
static void remove_store(struct sf *f)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char path[700];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", f->db, suffix[i]);
		assert_true(unlink(path) == 0 || errno == ENOENT);
	}
}

/* A child for first_openers_race: open the store when told, append one batch, close. */
static int child_first_open(struct sf *f, int go)
{
	struct store_opts o;
	struct store *s = NULL;
	struct fls_diag d;
	char c;

	memset(&o, 0, sizeof(o));
	o.busy_timeout_ms = 3000;
	if (read(go, &c, 1) != 1)
		return 24;
	if (store_open_ex(&s, NULL, f->db, f->key, &o, &d) != FLS_OK) {
		fprintf(stderr, "first opener: %s\n", d.msg);
		return 20;
	}
	sf_append_batch(s, 1, 2);
	store_close(s);
	return 0;
}

/*
 * Two processes open a store that does not exist yet at the same moment, many times over. CI
 * caught it in two_writers_at_once_keep_one_chain: both read the empty file, both switched it to
 * WAL, and the loser's switch failed with SQLITE_BUSY at once. Without the fix 9 of 12 runs of this
 * test failed here; each opener must now join the store the other made.
 */
static void first_openers_race_both_succeed(void **state)
{
	struct sf *f = *state;
	unsigned rounds = 30;

	for (unsigned r = 0; r < rounds; r++) {
		pid_t pids[2];
		int go[2];

		assert_int_equal(pipe(go), 0);
		for (int i = 0; i < 2; i++) {
			pids[i] = fork();
			assert_true(pids[i] >= 0);
			if (pids[i] == 0) {
				close(go[1]);
				_exit(child_first_open(f, go[0]));
			}
		}
		close(go[0]);
		assert_int_equal(write(go[1], "gg", 2), 2);
		close(go[1]);
		expect_children_succeeded(pids, 2);
		expect_records(f, 4);
		remove_store(f);
	}
}

/*
 * The child appends batches of 200 and reports each commit on the pipe; at batch `stop` it appends
 * a large uncommitted batch (bigger than the page cache, so it reaches the WAL) and waits to be
 * killed.
 */
static void child_until_killed(struct sf *f, int wfd, int stop)
{
	struct store *s = NULL;
	struct fls_diag d;
	char buf[2048], id[32];

	if (store_open(&s, NULL, f->db, f->key, &d) != FLS_OK)
		_exit(30);
	for (unsigned b = 0;; b++) {
		unsigned n = stop >= 0 && b == (unsigned)stop ? 5000 : 200;

		if (store_begin(s) != FLS_OK)
			_exit(31);
		for (unsigned i = 0; i < n; i++)
			if (store_append(s, STORE_KIND_DECISION, sf_patient(id, sizeof(id), i), buf,
					 sf_payload(buf, sizeof(buf), b * 10000 + i)) != FLS_OK)
				_exit(32);
		if (n == 5000) {
			if (write(wfd, "m", 1) != 1)
				_exit(33);
			for (;;)
				pause();
		}
		if (store_commit(s) != FLS_OK || write(wfd, "c", 1) != 1)
			_exit(34);
	}
}

static pid_t spawn_killable(struct sf *f, int stop, int *rfd)
{
	int fds[2];
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		child_until_killed(f, fds[1], stop);
	}
	close(fds[1]);
	*rfd = fds[0];
	return pid;
}

static void sigkill_mid_batch_keeps_committed_batches(void **state)
{
	struct sf *f = *state;
	char wal[700], c;
	unsigned commits = 0;
	int rfd, status;
	pid_t pid = spawn_killable(f, 5, &rfd);

	while (read(rfd, &c, 1) == 1 && c == 'c')
		commits++;
	assert_int_equal(c, 'm');
	assert_int_equal(commits, 5);
	/* Uncommitted frames of the open batch are in the WAL when the kill comes. */
	assert_true(sf_file_size(sf_path(f, "log.db-wal", wal, sizeof(wal))) > 2 * 1024 * 1024);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(rfd);
	expect_records(f, 5 * 200);
	/* A new writer carries on from the last committed batch. */
	{
		struct store *s = sf_open(f, 0, 0);

		sf_append_batch(s, 1, 7);
		store_close(s);
	}
	expect_records(f, 5 * 200 + 7);
}

static void sigkill_at_a_random_moment_keeps_the_chain(void **state)
{
	struct sf *f = *state;
	unsigned commits = 0;
	struct timespec ts = { 0, 0 };
	struct store *s;
	uint64_t n = 0;
	int rfd, status;
	char c;
	pid_t pid;

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	pid = spawn_killable(f, -1, &rfd);
	while (commits < 3 && read(rfd, &c, 1) == 1)
		commits++;
	ts.tv_nsec = (long)(rand() % 20) * 1000000L;
	nanosleep(&ts, NULL);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	while (read(rfd, &c, 1) == 1)
		commits++; /* commits reported before the kill */
	close(rfd);
	s = sf_open(f, 1, 0);
	assert_int_equal(store_verify(s, &n, NULL, &f->d), FLS_OK);
	store_close(s);
	print_message("    %u commits reported, %llu records\n", commits, (unsigned long long)n);
	assert_int_equal(n % 200, 0); /* whole batches only */
	assert_true(n >= (uint64_t)commits * 200); /* every reported commit is there */
	/* at most one committed but not yet reported */
	assert_true(n <= (uint64_t)(commits + 1) * 200);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, sf_setup, sf_teardown)
	const struct CMUnitTest tests[] = {
		T(truncated_file_is_reported),
		T(non_sqlite_file_is_refused_untouched),
		T(foreign_sqlite_file_is_refused_untouched),
		T(newer_format_is_refused),
		T(locked_database_reports_busy),
		T(full_disk_keeps_committed_records),
		T(write_failure_keeps_committed_records),
		T(first_openers_race_both_succeed),
		T(two_writers_at_once_keep_one_chain),
		T(sigkill_mid_batch_keeps_committed_batches),
		T(sigkill_at_a_random_moment_keeps_the_chain),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
