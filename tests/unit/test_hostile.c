/*
 * The hand-made hostile inputs of fuzz/corpus/fhir_bundle/hostile-*.xml (also the fuzzer's seeds) through
 * the session API with default limits: each is refused with the status and message its attack calls for
 * (DOCTYPE and entities refused before any expansion, encodings other than UTF-8 refused, nesting and
 * attribute size capped, foreign namespaces skipped), nothing of a file the input points at
 * (/etc/passwd, /etc/hostname) reaches a result or a message, and no input takes longer than a bound
 * (entity expansion would). Every hostile file must have a row here, so a new one cannot go unchecked.
 */
#define _GNU_SOURCE /* strcasestr */

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "plugin/result.h"
#include "plugin/session.h"
#include "test_util.h"

#define SECONDS_MAX 20.0 /* generous: valgrind runs this too; an expansion bomb would take far longer */

struct expect {
	const char *file;
	fls_status st;
	const char *keyword; /* in the error or problem messages; NULL: none required */
	int results;         /* patients delivered; -1: any */
};

static const struct expect expects[] = {
	{ "hostile-attr-entities.xml", FLS_OK, NULL, 1 },
	{ "hostile-billion-laughs.xml", FLS_EPARSE, "DOCTYPE", 0 },
	{ "hostile-bom-only.xml", FLS_EPARSE, "well-formed", 0 },
	{ "hostile-cdata.xml", FLS_OK, NULL, 1 },
	{ "hostile-char-refs.xml", FLS_EPARSE, "well-formed", 0 },
	{ "hostile-deep-contained.xml", FLS_ELIMIT, "max_depth", 0 },
	{ "hostile-deep-nesting.xml", FLS_ELIMIT, "max_depth", 0 },
	{ "hostile-doctype-external.xml", FLS_EPARSE, "DOCTYPE", 0 },
	{ "hostile-doctype.xml", FLS_EPARSE, "DOCTYPE", 0 },
	{ "hostile-ebcdic.xml", FLS_EPARSE, NULL, 0 },
	{ "hostile-empty.xml", FLS_EPARSE, "empty", 0 },
	{ "hostile-foreign-child.xml", FLS_OK, "namespace", 0 },
	{ "hostile-huge-attribute.xml", FLS_ELIMIT, "max_string_bytes", 0 },
	{ "hostile-huge-id.xml", FLS_OK, "longer than", 0 },
	{ "hostile-invalid-utf8.xml", FLS_EPARSE, "UTF-8", 0 },
	{ "hostile-latin1.xml", FLS_EPARSE, "UTF-8", 0 },
	{ "hostile-long-name.xml", FLS_EPARSE, "well-formed", 0 },
	{ "hostile-lt.xml", FLS_EPARSE, "well-formed", 0 },
	{ "hostile-many-attributes.xml", FLS_OK, NULL, 1 },
	{ "hostile-many-namespaces.xml", FLS_OK, NULL, 1 },
	{ "hostile-no-namespace.xml", FLS_EPARSE, "namespace", 0 },
	{ "hostile-nul-byte.xml", FLS_EPARSE, "well-formed", 0 },
	{ "hostile-overlong-utf8.xml", FLS_EPARSE, "UTF-8", 0 },
	{ "hostile-pi-comments.xml", FLS_OK, NULL, 1 },
	{ "hostile-quadratic-blowup.xml", FLS_EPARSE, "DOCTYPE", 0 },
	{ "hostile-trailing-garbage.xml", FLS_EPARSE, "well-formed", 1 },
	{ "hostile-truncated-in-attr.xml", FLS_EPARSE, "well-formed", 0 },
	{ "hostile-truncated.xml", FLS_EPARSE, "well-formed", 1 },
	{ "hostile-two-roots.xml", FLS_EPARSE, "well-formed", 1 },
	{ "hostile-undefined-entity.xml", FLS_EPARSE, "well-formed", 0 },
	{ "hostile-utf16be-nobom.xml", FLS_EPARSE, "UTF-16", 0 },
	{ "hostile-utf16le-bom.xml", FLS_EPARSE, "UTF-16", 0 },
	{ "hostile-version-1.1.xml", FLS_OK, NULL, 1 },
	{ "hostile-wrong-namespace.xml", FLS_EPARSE, "namespace", 0 },
	{ "hostile-xhtml-script.xml", FLS_ELIMIT, "max_depth", 0 },
	{ "hostile-xinclude.xml", FLS_OK, "namespace", 0 },
	{ "hostile-xml-base.xml", FLS_OK, NULL, 1 },
	{ "hostile-xmlns-redefine.xml", FLS_OK, "namespace", 0 },
	{ "hostile-xxe-file.xml", FLS_EPARSE, "DOCTYPE", 0 },
	{ "hostile-xxe-http.xml", FLS_EPARSE, "DOCTYPE", 0 },
	{ "hostile-xxe-parameter.xml", FLS_EPARSE, "DOCTYPE", 0 },
};

/* What a file the input names would bring in, were it read: never allowed in any output. */
static const char *const foreign[] = { "root:x:0:0", "/bin/bash", "/usr/sbin/nologin", "lollollol", "xxxxxxxxxx" };

struct run {
	char text[64u << 10];
	size_t len;
	int results;
};

static void add(struct run *r, const char *s)
{
	int n;

	if (!s || r->len >= sizeof(r->text) - 1)
		return;
	n = snprintf(r->text + r->len, sizeof(r->text) - r->len, "%s\n", s);
	if (n > 0)
		r->len += (size_t)n < sizeof(r->text) - r->len ? (size_t)n : sizeof(r->text) - r->len - 1;
}

static int on_result(void *user, const fls_result *res)
{
	struct run *r = user;

	r->results++;
	for (int f = 0; f <= FLS_F_FACTS; f++)
		add(r, plg_result_str(res, (fls_field)f));
	return 0;
}

static void on_problem(void *user, fls_status st, const char *msg)
{
	(void)st;
	add(user, msg);
}

static void on_log(void *user, int level, const char *msg)
{
	(void)level;
	add(user, msg);
}

static void *h_alloc(void *user, size_t n)
{
	(void)user;
	return malloc(n ? n : 1);
}

static void h_free(void *user, void *p)
{
	(void)user;
	free(p);
}

static const struct expect *expect_for(const char *name)
{
	for (size_t i = 0; i < sizeof(expects) / sizeof(expects[0]); i++)
		if (!strcmp(expects[i].file, name))
			return &expects[i];
	return NULL;
}

static int check_file(fls_session **sess, struct run *run, const char *dir, const char *name)
{
	const struct expect *e = expect_for(name);
	char path[4096];
	struct timespec t0, t1;
	fls_sink sink;
	size_t len = 0;
	char *xml;
	fls_status st;
	double secs;
	int bad = 0;

	if (!e) {
		print_error("%s: a hostile input without an expectation in test_hostile.c\n", name);
		return 1;
	}
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		print_error("%s: path too long\n", name);
		return 1;
	}
	xml = tu_read_file(path, &len);
	assert_non_null(xml);
	memset(run, 0, sizeof(*run));
	memset(&sink, 0, sizeof(sink));
	sink.size = sizeof(sink);
	sink.user = run;
	sink.on_result = on_result;
	sink.on_problem = on_problem;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = plg_screen_memory(*sess, name, xml, len, &sink);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	add(run, plg_session_errmsg(*sess));
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (st != e->st) {
		print_error("%s: status %d, expected %d\n", name, (int)st, (int)e->st);
		bad = 1;
	}
	if (e->keyword && !strcasestr(run->text, e->keyword)) {
		print_error("%s: no message says '%s'\n", name, e->keyword);
		bad = 1;
	}
	if (e->results >= 0 && run->results != e->results) {
		print_error("%s: %d patients delivered, expected %d\n", name, run->results, e->results);
		bad = 1;
	}
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		if (strstr(run->text, foreign[i])) {
			print_error("%s: '%s' reached the output: an entity or include was expanded\n", name,
				    foreign[i]);
			bad = 1;
		}
	}
	if (secs > SECONDS_MAX) {
		print_error("%s: took %.1f s\n", name, secs);
		bad = 1;
	}
	if (bad)
		print_error("  reported:\n%s\n", run->text);
	free(xml);
	return bad;
}

static void hostile_inputs_are_refused(void **state)
{
	const char *src = tu_env("FLS_SOURCE_DIR");
	char dir[4096];
	struct dirent **names = NULL;
	struct run *run = calloc(1, sizeof(*run));
	fls_session *sess = NULL;
	fls_host host;
	fls_config cfg;
	int n, failed = 0, seen = 0;

	(void)state;
	assert_non_null(run);
	if (!src || !tu_env("FLS_DATADIR"))
		skip();
	memset(&host, 0, sizeof(host));
	host.size = sizeof(host);
	host.user = run;
	host.alloc = h_alloc;
	host.free = h_free;
	host.log = on_log;
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = sizeof(cfg);
	cfg.data_dir = tu_env("FLS_DATADIR");
	cfg.as_of = "2026-11-01";
	assert_int_equal(plg_session_new(&sess, &host, &cfg), FLS_OK);
	snprintf(dir, sizeof(dir), "%s/fuzz/corpus/fhir_bundle", src);
	n = scandir(dir, &names, NULL, alphasort);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		if (!strncmp(names[i]->d_name, "hostile-", 8) && strstr(names[i]->d_name, ".xml")) {
			failed += check_file(&sess, run, dir, names[i]->d_name);
			seen++;
		}
		free(names[i]);
	}
	free(names);
	plg_session_free(sess);
	free(run);
	if (seen != (int)(sizeof(expects) / sizeof(expects[0])))
		fail_msg("%d hostile files found, %zu expected", seen, sizeof(expects) / sizeof(expects[0]));
	if (failed)
		fail_msg("%d of %d hostile inputs were not refused as expected (listed above)", failed, seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hostile_inputs_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
