/*
 * The real-world corpus (../shared/corpus/fhir-r4-xml, MANIFEST.tsv): every well-formed file is read
 * without a fatal error, and the Patients and clinical resources the reader saw are counted again,
 * independently, with libxml2's XPath over a DOM of the same file; nothing the reader saw is lost
 * (seen = done + bad + orphan + dropped + foreign). Every file in invalid/ gives an error or a reported
 * problem, or is one of the documented, deliberate acceptances in tests/data/corpus/invalid-accepted.tsv.
 * Skips, saying so, when ../shared is absent.
 */
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fhir/reader.h"
#include "test_util.h"

static struct codes_set *codes;
static char corpus[4096];

struct run {
	uint64_t patients;
	int problems;
};

static int on_patient(void *ctx, struct risk_patient *p)
{
	struct run *r = ctx;

	(void)p;
	r->patients++;
	return 0;
}

static void on_problem(void *ctx, fls_status st, const char *msg)
{
	struct run *r = ctx;

	(void)st;
	if (tu_env("FLS_CORPUS_LIST"))
		printf("  problem: %s\n", msg);
	r->problems++;
}

/* Read a file through the streaming reader in 64 KiB pieces. */
static fls_status read_file(const char *path, struct fhir_reader_stats *stats, struct run *run, struct fls_diag *d)
{
	struct fhir_reader_cfg cfg = { 0 };
	struct fhir_reader *r = NULL;
	size_t len = 0, off = 0;
	char *buf = tu_read_file(path, &len);
	fls_status st = FLS_OK, fin;

	assert_non_null(buf);
	memset(run, 0, sizeof(*run));
	cfg.mem = &fls_mem_libc;
	cfg.codes = codes;
	cfg.order = FLS_ORDER_AUTO;
	cfg.max_depth = 64;
	cfg.max_string_bytes = 1u << 20;
	cfg.max_resources_per_patient = 100000;
	cfg.max_held_patients = 1000000;
	cfg.on_patient = on_patient;
	cfg.on_problem = on_problem;
	cfg.ctx = run;
	assert_int_equal(fhir_reader_new(&r, &cfg, path, d), FLS_OK);
	while (off < len && !st) {
		size_t n = len - off > 65536 ? 65536 : len - off;

		st = fhir_reader_feed(r, buf + off, n, d);
		off += n;
	}
	fin = fhir_reader_finish(r, d);
	if (!st)
		st = fin;
	*stats = *fhir_reader_stats(r);
	fhir_reader_free(r);
	free(buf);
	return st;
}

/* Resources of a type where the reader looks for them: the root, or entry/resource of a Bundle that is
 * itself at such a place; not inside contained resources or Parameters. */
static long xpath_count(xmlXPathContextPtr x, const char *type)
{
	char expr[512];
	xmlXPathObjectPtr o;
	long n;

	snprintf(expr, sizeof(expr),
		 "(/f:%s | //f:Bundle/f:entry/f:resource/f:%s)[not(ancestor::f:contained) and not(ancestor::f:parameter)"
		 " and not(ancestor::f:Bundle[ancestor::f:contained or ancestor::f:parameter])]",
		 type, type);
	o = xmlXPathEvalExpression((const xmlChar *)expr, x);
	assert_non_null(o);
	n = o->nodesetval ? o->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(o);
	return n;
}

static const char *const clinical_types[] = { "Condition", "Procedure", "Observation", "MedicationRequest",
					      "MedicationStatement", "MedicationDispense", "Encounter",
					      "FamilyMemberHistory" };

static int setup(void **state)
{
	char dir[4096];
	struct fls_diag d = { "" };
	const char *data = tu_env("FLS_DATADIR");

	(void)state;
	if (!tu_shared_path("corpus/fhir-r4-xml/MANIFEST.tsv", corpus, sizeof(corpus)))
		return 0; /* the tests skip */
	corpus[strlen(corpus) - strlen("/MANIFEST.tsv")] = '\0';
	if (!data)
		return -1;
	snprintf(dir, sizeof(dir), "%s/codes", data);
	if (codes_load(&codes, &fls_mem_libc, dir, &d)) {
		fprintf(stderr, "cannot load code sets: %s\n", d.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	codes_free(codes);
	return 0;
}

/* MANIFEST.tsv rows: file, ..., wellformed_libxml2 (column 7). Calls fn for each data row. */
static int each_manifest_row(int (*fn)(const char *file, int wellformed, void *ctx), void *ctx)
{
	char path[4200], line[65536];
	FILE *f;
	int n = 0, first = 1;

	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", corpus);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f)) {
		char *cols[8] = { 0 }, *p = line;
		int k = 0;

		if (first) {
			first = 0;
			continue;
		}
		while (k < 8 && p) {
			cols[k++] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = '\0';
		}
		if (k < 7)
			continue;
		n += fn(cols[0], !strcmp(cols[6], "True"), ctx);
	}
	fclose(f);
	return n;
}

struct totals {
	long files, patients, clinical, problems, fatal;
};

static int check_wellformed(const char *file, int wellformed, void *ctx)
{
	struct totals *t = ctx;
	char path[4400];
	struct fhir_reader_stats s;
	struct run run;
	struct fls_diag d = { "" };
	fls_status st;
	xmlDocPtr doc;
	xmlXPathContextPtr x;
	long want_patients, want_clinical = 0, seen_clinical = 0;

	if (!wellformed || !strncmp(file, "invalid/", 8))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", corpus, file);
	st = read_file(path, &s, &run, &d);
	if (st != FLS_OK)
		fail_msg("%s: the reader failed: %s", file, d.msg);
	assert_non_null(doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
	assert_non_null(x = xmlXPathNewContext(doc));
	xmlXPathRegisterNs(x, (const xmlChar *)"f", (const xmlChar *)"http://hl7.org/fhir");
	want_patients = xpath_count(x, "Patient");
	if ((long)s.seen[RT_PATIENT] != want_patients)
		fail_msg("%s: reader saw %llu Patients, XPath counts %ld", file, (unsigned long long)s.seen[RT_PATIENT],
			 want_patients);
	for (size_t i = 0; i < sizeof(clinical_types) / sizeof(clinical_types[0]); i++) {
		long want = xpath_count(x, clinical_types[i]);
		uint64_t seen = s.seen[RT_CONDITION + i];

		if ((long)seen != want)
			fail_msg("%s: reader saw %llu %s, XPath counts %ld", file, (unsigned long long)seen,
				 clinical_types[i], want);
		want_clinical += want;
		seen_clinical += (long)seen;
	}
	for (int k = RT_PATIENT; k < RT__COUNT; k++) {
		uint64_t sum = s.done[k] + s.bad[k] + s.orphan[k] + s.dropped[k] + s.foreign[k];

		if (s.seen[k] != sum)
			fail_msg("%s: type %d seen %llu but accounted %llu", file, k, (unsigned long long)s.seen[k],
				 (unsigned long long)sum);
	}
	/* every Patient read is screened once (several Patient resources may share a key: then fewer) */
	assert_true(run.patients >= (s.done[RT_PATIENT] ? 1u : 0u));
	t->files++;
	t->patients += want_patients;
	t->clinical += want_clinical;
	t->problems += run.problems;
	(void)seen_clinical;
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
	return 1;
}

static void reads_every_wellformed_file_and_counts_match(void **state)
{
	struct totals t = { 0, 0, 0, 0, 0 };

	(void)state;
	if (!corpus[0]) {
		print_message("SKIPPED: ../shared/corpus is not there (FLS_SHARED unset or missing)\n");
		skip();
	}
	assert_true(each_manifest_row(check_wellformed, &t) > 1000);
	print_message("corpus: %ld well-formed files, %ld Patients, %ld clinical resources, %ld problems reported\n",
		      t.files, t.patients, t.clinical, t.problems);
	assert_true(t.patients > 100);
	assert_true(t.clinical > 100);
}

struct accepted_list {
	char names[256][400];
	char used[256];
	int n;
};

static void load_accepted(struct accepted_list *a)
{
	char path[4200], line[1024];
	const char *src = tu_env("FLS_SOURCE_DIR");
	FILE *f;

	memset(a, 0, sizeof(*a));
	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/tests/data/corpus/invalid-accepted.tsv", src);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) && a->n < 256) {
		char *tab = strchr(line, '\t');

		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		if (snprintf(a->names[a->n], sizeof(a->names[0]), "%s", line) < (int)sizeof(a->names[0]))
			a->n++;
	}
	fclose(f);
}

static int check_invalid(const char *file, int wellformed, void *ctx)
{
	struct accepted_list *a = ctx;
	char path[4400];
	struct fhir_reader_stats s;
	struct run run;
	struct fls_diag d = { "" };
	fls_status st;
	int listed = -1;

	(void)wellformed;
	if (strncmp(file, "invalid/", 8))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", corpus, file);
	st = read_file(path, &s, &run, &d);
	for (int i = 0; i < a->n; i++)
		if (!strcmp(a->names[i], file))
			listed = i;
	if (tu_env("FLS_CORPUS_LIST")) { /* maintenance: print every outcome instead of checking */
		printf("%s\t%s\t%d problems\t%s\n", file, st ? "refused" : run.problems ? "reported" : "ACCEPTED",
		       run.problems, d.msg);
		return 1;
	}
	if (st == FLS_OK && !run.problems) {
		if (listed < 0)
			fail_msg("%s: accepted without an error or a reported problem, and not documented in "
				 "tests/data/corpus/invalid-accepted.tsv",
				 file);
		a->used[listed] = 1;
	} else if (listed >= 0) {
		fail_msg("%s: documented as accepted but now refused (%s): update invalid-accepted.tsv", file, d.msg);
	}
	return 1;
}

static void every_invalid_file_is_refused_or_documented(void **state)
{
	struct accepted_list a;

	(void)state;
	if (!corpus[0]) {
		print_message("SKIPPED: ../shared/corpus is not there (FLS_SHARED unset or missing)\n");
		skip();
	}
	load_accepted(&a);
	assert_true(each_manifest_row(check_invalid, &a) > 100);
	if (tu_env("FLS_CORPUS_LIST"))
		return;
	for (int i = 0; i < a.n; i++)
		if (!a.used[i])
			fail_msg("invalid-accepted.tsv lists %s, which is not an accepted corpus file", a.names[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_every_wellformed_file_and_counts_match),
		cmocka_unit_test(every_invalid_file_is_refused_or_documented),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
