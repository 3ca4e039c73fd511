/* `fls keygen`, `fls log verify` and `fls log export`, run as a user would: exit codes, output. */
#define _GNU_SOURCE
#include <fcntl.h>
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
#include <sqlite3.h>

#include "store/store.h"
#include "store_fixture.h"
#include "test_util.h"

struct run {
	int rc;
	char *out, *err;
};

/* Run bin/fls with args (NULL-terminated); FLS_PASSPHRASE is set to pass when pass is not NULL. */
static void run_fls(struct sf *f, struct run *r, const char *pass, ...)
{
	const char *bindir = tu_env("FLS_BINARY_DIR");
	char exe[1024], outp[700], errp[700];
	char *argv[16];
	va_list ap;
	int argc = 0, status = 0;
	size_t n;
	pid_t pid;

	assert_non_null(bindir);
	snprintf(exe, sizeof(exe), "%s/bin/fls", bindir);
	argv[argc++] = exe;
	va_start(ap, pass);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	sf_path(f, "stdout", outp, sizeof(outp));
	sf_path(f, "stderr", errp, sizeof(errp));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600),
		    e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int in = open("/dev/null", O_RDONLY);

		if (o < 0 || e < 0 || in < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0 || dup2(in, 0) < 0)
			_exit(99);
		if (pass)
			setenv("FLS_PASSPHRASE", pass, 1);
		else
			unsetenv("FLS_PASSPHRASE");
		if (chdir(f->dir) != 0)
			_exit(98);
		execv(exe, argv);
		_exit(97);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	r->rc = WEXITSTATUS(status);
	r->out = tu_read_file(outp, &n);
	r->err = tu_read_file(errp, &n);
	assert_non_null(r->out);
	assert_non_null(r->err);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

static int cli_setup(void **state)
{
	if (!tu_env("FLS_BINARY_DIR")) {
		print_message("skipped: FLS_BINARY_DIR is not set (run under ctest)\n");
		return -1;
	}
	return sf_setup(state);
}

/* A key file made by `fls keygen`, loaded into f->key. */
static void make_key(struct sf *f, const char *name)
{
	struct run r;
	char p[700];

	run_fls(f, &r, NULL, "keygen", name, NULL);
	assert_int_equal(r.rc, 0);
	run_free(&r);
	assert_int_equal(store_key_from_file(f->key, sf_path(f, name, p, sizeof(p)), &f->d),
			 FLS_OK);
}

/* Records with fixed timestamps (their UTC renderings were worked out independently). */
static void fill(struct sf *f)
{
	static const char pretty[] = "{\n \"c\": [\r\n1]\n}";
	static const char quoted[] = "{\"b\":\"x,\\\"y\\\"\"}"; /* {"b":"x,\"y\""} */
	struct store *s = sf_open(f, 0, 0);

	assert_int_equal(store_begin(s), FLS_OK);
	assert_int_equal(store_append_at(s, STORE_KIND_DECISION, "pat-1", "{\"a\":1}", 7, 0),
			 FLS_OK);
	assert_int_equal(store_append_at(s, STORE_KIND_DECISION, "pat-2", quoted, strlen(quoted),
					 951782400000),
			 FLS_OK);
	assert_int_equal(store_append_at(s, STORE_KIND_DECISION, NULL, "[1,2]", 5, -1), FLS_OK);
	assert_int_equal(store_commit(s), FLS_OK);
	assert_int_equal(
		store_append_outcome(s, "pat-1", STORE_OUTCOME_ALREADY_TREATED, "Dr D", NULL),
		FLS_OK);
	/* Pretty-printed JSON: its line breaks must not split an NDJSON line. */
	assert_int_equal(
		store_append_at(s, STORE_KIND_DECISION, "pat-3", pretty, strlen(pretty), 1000),
		FLS_OK);
	store_close(s);
}

static void keygen_command(void **state)
{
	struct sf *f = *state;
	struct run r;
	struct stat sb;
	char p[700];

	run_fls(f, &r, NULL, "keygen", "a.key", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(stat(sf_path(f, "a.key", p, sizeof(p)), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, 32);
	run_free(&r);
	run_fls(f, &r, NULL, "keygen", "a.key", NULL);
	assert_int_equal(r.rc, 3);
	assert_non_null(strstr(r.err, "already exists"));
	run_free(&r);
	run_fls(f, &r, NULL, "keygen", NULL);
	assert_int_equal(r.rc, 2);
	run_free(&r);
}

static void verify_command(void **state)
{
	struct sf *f = *state;
	unsigned char mac[STORE_MAC_BYTES];
	char want[200], anchor[120];
	struct store *s;
	struct run r;

	make_key(f, "k.key");
	fill(f);
	run_fls(f, &r, NULL, "log", "verify", "--store", "log.db", "--key", "k.key", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "OK: 5 records (4 decisions, 1 outcomes)"));
	/* The head line is record 4 and its stored chain MAC. */
	s = sf_open(f, 1, 0);
	assert_int_equal(store_record_mac(s, 5, mac, &f->d), FLS_OK);
	store_close(s);
	{
		int n = snprintf(want, sizeof(want), "head: 5:");

		for (int i = 0; i < STORE_MAC_BYTES; i++)
			n += snprintf(want + n, sizeof(want) - (size_t)n, "%02x", mac[i]);
	}
	assert_non_null(strstr(r.out, want));
	assert_true(snprintf(anchor, sizeof(anchor), "%s", want + 6) < (int)sizeof(anchor));
	run_free(&r);
	/* The anchor holds; a wrong one fails; a malformed one is a usage error. */
	run_fls(f, &r, NULL, "log", "verify", "--store", "log.db", "--key", "k.key", "--anchor",
		anchor, NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "anchor: record 5 matches"));
	run_free(&r);
	anchor[3] = anchor[3] == '0' ? '1' : '0';
	run_fls(f, &r, NULL, "log", "verify", "--store", "log.db", "--key", "k.key", "--anchor",
		anchor, NULL);
	assert_int_equal(r.rc, 1);
	run_free(&r);
	run_fls(f, &r, NULL, "log", "verify", "--store", "log.db", "--key", "k.key", "--anchor",
		"5:zz", NULL);
	assert_int_equal(r.rc, 2);
	run_free(&r);
	/* Tampered: exit 1, naming the first bad record and what is wrong. */
	assert_int_equal(
		sf_raw_exec(f->db,
			    "DROP TRIGGER log_no_update; UPDATE log SET ts_ms = 5 WHERE seq = 3"),
		SQLITE_OK);
	run_fls(f, &r, NULL, "log", "verify", "--store", "log.db", "--key", "k.key", NULL);
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.err, "FAILED"));
	assert_non_null(strstr(r.err, "record 3: the chain MAC does not match"));
	assert_non_null(strstr(r.err, "first bad record: 3; records 1 to 2 check out"));
	assert_string_equal(r.out, "");
	run_free(&r);
}

static void verify_refuses_bad_keys_and_files(void **state)
{
	struct sf *f = *state;
	struct run r;
	char p[700];

	make_key(f, "k.key");
	fill(f);
	make_key(f, "other.key");
	run_fls(f, &r, NULL, "log", "verify", "--store", "log.db", "--key", "other.key", NULL);
	assert_int_equal(r.rc, 3);
	assert_non_null(strstr(r.err, "wrong key"));
	run_free(&r);
	assert_int_equal(chmod(sf_path(f, "k.key", p, sizeof(p)), 0644), 0);
	run_fls(f, &r, NULL, "log", "verify", "--store", "log.db", "--key", "k.key", NULL);
	assert_int_equal(r.rc, 3);
	assert_non_null(strstr(r.err, "0644"));
	run_free(&r);
	assert_int_equal(chmod(p, 0600), 0);
	run_fls(f, &r, NULL, "log", "verify", "--store", "missing.db", "--key", "k.key", NULL);
	assert_int_equal(r.rc, 3);
	/* not created */
	assert_int_equal(sf_file_size(sf_path(f, "missing.db", p, sizeof(p))), -1);
	run_free(&r);
	/* No --key, no FLS_PASSPHRASE and no terminal: a clear usage error. */
	run_fls(f, &r, NULL, "log", "verify", "--store", "log.db", NULL);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "FLS_PASSPHRASE"));
	run_free(&r);
	run_fls(f, &r, NULL, "log", "verify", NULL);
	assert_int_equal(r.rc, 2);
	run_free(&r);
	run_fls(f, &r, NULL, "log", "frobnicate", "--store", "log.db", NULL);
	assert_int_equal(r.rc, 2);
	run_free(&r);
}

static void export_csv_command(void **state)
{
	struct sf *f = *state;
	unsigned char pidx[STORE_MAC_BYTES];
	char hex[2 * STORE_MAC_BYTES + 1], want[512];
	struct store *s;
	struct run r;

	make_key(f, "k.key");
	fill(f);
	s = sf_open(f, 1, 0);
	assert_int_equal(store_patient_index(s, "pat-2", pidx), FLS_OK);
	store_close(s);
	for (int i = 0; i < STORE_MAC_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", pidx[i]);
	run_fls(f, &r, NULL, "log", "export", "--store", "log.db", "--key", "k.key", NULL);
	assert_int_equal(r.rc, 0);
	assert_true(
		!strncmp(r.out, "seq,time_utc,ts_ms,kind,key_id,patient_index,payload\r\n", 54));
	snprintf(want, sizeof(want),
		 "\r\n2,2000-02-29T00:00:00.000Z,951782400000,decision,1,%s,"
		 "\"{\"\"b\"\":\"\"x,\\\"\"y\\\"\"\"\"}\"\r\n",
		 hex);
	assert_non_null(strstr(r.out, want));
	assert_non_null(
		strstr(r.out, "\r\n3,1969-12-31T23:59:59.999Z,-1,decision,1,,\"[1,2]\"\r\n"));
	assert_non_null(strstr(r.out, ",outcome,1,"));
	assert_non_null(strstr(r.out, "\"\"already-treated\"\""));
	run_free(&r);
	/* One patient, through the index. */
	run_fls(f, &r, NULL, "log", "export", "--store", "log.db", "--key", "k.key", "--patient",
		"pat-1", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "\r\n1,1970-01-01T00:00:00.000Z,0,decision,1,"));
	assert_non_null(strstr(r.out, "\r\n4,"));
	assert_null(strstr(r.out, "\r\n2,"));
	assert_null(strstr(r.out, "\r\n3,"));
	run_free(&r);
	run_fls(f, &r, NULL, "log", "export", "--store", "log.db", "--key", "k.key", "--format",
		"xml", NULL);
	assert_int_equal(r.rc, 2);
	run_free(&r);
}

static void export_ndjson_command(void **state)
{
	struct sf *f = *state;
	unsigned char pidx[STORE_MAC_BYTES];
	char hex[2 * STORE_MAC_BYTES + 1], want[512], outp[700];
	struct store *s;
	struct stat sb;
	struct run r;
	size_t n;
	char *text;

	make_key(f, "k.key");
	fill(f);
	s = sf_open(f, 1, 0);
	assert_int_equal(store_patient_index(s, "pat-1", pidx), FLS_OK);
	store_close(s);
	for (int i = 0; i < STORE_MAC_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", pidx[i]);
	run_fls(f, &r, NULL, "log", "export", "--store", "log.db", "--key", "k.key", "--format",
		"ndjson", "--output", "out.ndjson", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(stat(sf_path(f, "out.ndjson", outp, sizeof(outp)), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600); /* it holds patient data */
	text = tu_read_file(outp, &n);
	assert_non_null(text);
	snprintf(want, sizeof(want),
		 "{\"seq\":1,\"time_utc\":\"1970-01-01T00:00:00.000Z\",\"ts_ms\":0,"
		 "\"kind\":\"decision\",\"key_id\":1,\"patient_index\":\"%s\",\"payload\":{\"a\":1}"
		 "}\n",
		 hex);
	assert_true(!strncmp(text, want, strlen(want)));
	assert_non_null(strstr(
		text,
		"\n{\"seq\":3,\"time_utc\":\"1969-12-31T23:59:59.999Z\",\"ts_ms\":-1,"
		"\"kind\":\"decision\",\"key_id\":1,\"patient_index\":null,\"payload\":[1,2]}\n"));
	assert_non_null(strstr(text, "\"kind\":\"outcome\""));
	assert_non_null(strstr(text, "\"payload\":{  \"c\": [  1] }}\n"));
	{
		int lines = 0;

		for (char *q = text; *q; q++)
			lines += *q == '\n';
		assert_int_equal(lines, 5); /* one per record */
	}
	free(text);
	run_free(&r);
	/* A failed export removes its partial output. */
	assert_int_equal(
		sf_raw_exec(f->db,
			    "DROP TRIGGER log_no_update; UPDATE log SET ts_ms = 5 WHERE seq = 3"),
		SQLITE_OK);
	run_fls(f, &r, NULL, "log", "export", "--store", "log.db", "--key", "k.key", "--format",
		"ndjson", "--output", "out.ndjson", NULL);
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.err, "must not be relied on"));
	assert_int_equal(sf_file_size(outp), -1);
	run_free(&r);
}

static void passphrase_from_environment(void **state)
{
	struct sf *f = *state;
	struct store_opts o = { 0 };
	const char *pw = "a long enough passphrase";
	struct store *s = NULL;
	struct run r;

	o.scrypt_log2_n = 12; /* keep the test fast; the CLI reads the cost from the store */
	assert_int_equal(store_passphrase_key(f->key, f->db, pw, strlen(pw), &o, &f->d), FLS_OK);
	assert_int_equal(store_open(&s, NULL, f->db, f->key, &f->d), FLS_OK);
	sf_append_batch(s, 1, 3);
	store_close(s);
	run_fls(f, &r, pw, "log", "verify", "--store", "log.db", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "OK: 3 records"));
	run_free(&r);
	run_fls(f, &r, "a long enough passphrase!", "log", "verify", "--store", "log.db", NULL);
	assert_int_equal(r.rc, 3);
	assert_non_null(strstr(r.err, "wrong key"));
	run_free(&r);
	run_fls(f, &r, "short", "log", "verify", "--store", "log.db", NULL);
	assert_int_equal(r.rc, 2);
	run_free(&r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, cli_setup, sf_teardown)
	const struct CMUnitTest tests[] = {
		T(keygen_command),
		T(verify_command),
		T(verify_refuses_bad_keys_and_files),
		T(export_csv_command),
		T(export_ndjson_command),
		T(passphrase_from_environment),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
