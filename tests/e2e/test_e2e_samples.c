/*
 * End to end through the session API: the hand-made samples give exactly the decisions samples/README.md
 * derives from clinical-rules 7.3-7.4 (as of 2026-11-01), in the worklist order of 7.3; and the FHIR
 * Bundle written for the samples and for real-world bundles of the corpus validates against the official
 * R4 schema (skipped, saying so, without ../shared).
 */
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fhir/writer.h"
#include "fls_config.h"
#include "plugin/result.h"
#include "plugin/session.h"
#include "risk/wl_order.h"
#include "test_util.h"

struct expect {
	const char *id, *priority, *fls_reasons, *population, *referral, *falls_reasons;
};

/* samples/README.md, "Expected conclusions" (derived from the spec, not from a run). */
static const struct expect practice[] = {
	{ "p01", "P1", "R-FLS-P1-HIPVERT", "yes", "no", "R-FALL-7" },
	{ "p02", "P1", "R-FLS-P1-HIPVERT|R-FLS-P1-MULTIVERT", "yes", "no", "R-FALL-7" },
	{ "p03", "P2", "R-FLS-P2-RECENT", "yes", "no", "R-FALL-7" },
	{ "p04", "P3", "R-FLS-P3-PREVIOUS", "yes", "no", "R-FALL-7" },
	{ "p05", "P1", "R-FLS-P1-TREATED", "yes", "no", "R-FALL-7" },
	{ "p06", "none", "", "yes", "no", "R-FALL-7" },
	{ "p07", "none", "", "yes", "yes", "R-FALL-1" },
	{ "p08", "none", "", "yes", "yes", "R-FALL-2" },
	{ "p09", "none", "", "yes", "yes", "R-FALL-4" },
	{ "p10", "none", "", "yes", "yes", "R-FALL-3" },
	{ "p11", "none", "", "yes", "no", "R-FALL-7" },
	{ "p12", "none", "", "no", "no", "" },
	{ "p13", "none", "", "yes", "no", "R-FALL-7" },
	{ "p14", "P1", "R-FLS-P1-TSCORE-GC|R-FLS-P2-RECENT", "yes", "no", "R-FALL-7" },
};

struct collected {
	int n;
	char ids[64][80], prio[64][8], fls[64][200], pop[64][8], ref[64][8], falls[64][200], notes[64][400];
	struct risk_decision dec[64];
	struct fhir_writer *w;
	int write_failed;
};

static int on_result(void *user, const fls_result *res)
{
	struct collected *c = user;
	int i = c->n++;

	assert_true(i < 64);
	snprintf(c->ids[i], sizeof(c->ids[i]), "%s", plg_result_str(res, FLS_F_PATIENT_ID));
	snprintf(c->prio[i], sizeof(c->prio[i]), "%s", plg_result_str(res, FLS_F_FLS_PRIORITY));
	snprintf(c->fls[i], sizeof(c->fls[i]), "%s", plg_result_str(res, FLS_F_FLS_REASONS));
	snprintf(c->pop[i], sizeof(c->pop[i]), "%s", plg_result_str(res, FLS_F_FALLS_POPULATION));
	snprintf(c->ref[i], sizeof(c->ref[i]), "%s", plg_result_str(res, FLS_F_FALLS_REFERRAL));
	snprintf(c->falls[i], sizeof(c->falls[i]), "%s", plg_result_str(res, FLS_F_FALLS_REASONS));
	snprintf(c->notes[i], sizeof(c->notes[i]), "%s", plg_result_str(res, FLS_F_NOTES));
	c->dec[i] = *plg_result_decision(res);
	if (c->w && fhir_writer_add(c->w, plg_result_facts(res), plg_result_decision(res)))
		c->write_failed = 1;
	return 0;
}

static fls_session *open_session(void)
{
	fls_config cfg;
	fls_session *sess = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = sizeof(cfg);
	cfg.data_dir = tu_env("FLS_DATADIR");
	cfg.as_of = "2026-11-01";
	assert_int_equal(plg_session_new(&sess, NULL, &cfg), FLS_OK);
	return sess;
}

static void sample_path(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/samples/%s", tu_env("FLS_SOURCE_DIR"), name);
}

static int find(const struct collected *c, const char *id)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->ids[i], id))
			return i;
	return -1;
}

static void check(const struct collected *c, const struct expect *e)
{
	int i = find(c, e->id);

	if (i < 0)
		fail_msg("patient %s was not screened", e->id);
	if (strcmp(c->prio[i], e->priority) || strcmp(c->fls[i], e->fls_reasons) || strcmp(c->pop[i], e->population) ||
	    strcmp(c->ref[i], e->referral) || strcmp(c->falls[i], e->falls_reasons))
		fail_msg("%s: got %s [%s] population %s referral %s [%s]; expected %s [%s] %s %s [%s]", e->id, c->prio[i],
			 c->fls[i], c->pop[i], c->ref[i], c->falls[i], e->priority, e->fls_reasons, e->population,
			 e->referral, e->falls_reasons);
}

static void practice_list_matches_the_derived_expectations(void **state)
{
	struct collected *c = calloc(1, sizeof(*c));
	fls_sink sink = { sizeof(sink), c, on_result, NULL, NULL };
	fls_session *sess = open_session();
	char path[4096];
	static const char *const order[] = { "p01", "p05", "p02", "p14", "p03", "p04" };
	int idx[6];

	(void)state;
	sample_path(path, sizeof(path), "practice-small.xml");
	assert_int_equal(plg_screen_file(sess, path, &sink), FLS_OK);
	assert_int_equal(c->n, 14);
	for (size_t i = 0; i < sizeof(practice) / sizeof(practice[0]); i++)
		check(c, &practice[i]);
	/* 7.3 notes */
	assert_non_null(strstr(c->notes[find(c, "p01")], "WL-NO-DXA"));
	assert_null(strstr(c->notes[find(c, "p03")], "WL-NO-DXA"));
	assert_non_null(strstr(c->notes[find(c, "p14")], "WL-GLUCOCORTICOID"));
	assert_null(strstr(c->notes[find(c, "p06")], "WL-")); /* off the worklist: no worklist notes */
	/* worklist order (7.3): level, most recent fracture, MOF risk, age */
	for (int k = 0; k < 6; k++)
		idx[k] = find(c, order[k]);
	for (int k = 0; k + 1 < 6; k++)
		if (risk_worklist_cmp(&c->dec[idx[k]], &c->dec[idx[k + 1]]) >= 0)
			fail_msg("worklist order: %s should come before %s", order[k], order[k + 1]);
	plg_session_free(sess);
	free(c);
}

static void single_patient_and_bare_patient(void **state)
{
	static const struct expect single = { NULL, "P1", "R-FLS-P1-HIPVERT", "yes", "yes", "R-FALL-1|R-FALL-5" };
	static const struct expect bare = { NULL, "none", "", "yes", "no", "R-FALL-7" };
	struct collected *c = calloc(1, sizeof(*c));
	fls_sink sink = { sizeof(sink), c, on_result, NULL, NULL };
	fls_session *sess = open_session();
	char path[4096];
	struct expect e;

	(void)state;
	sample_path(path, sizeof(path), "single-patient.xml");
	assert_int_equal(plg_screen_file(sess, path, &sink), FLS_OK);
	assert_int_equal(c->n, 1);
	e = single;
	e.id = c->ids[0];
	check(c, &e);
	assert_non_null(strstr(c->notes[0], "WL-AGE-OVER-80"));
	assert_non_null(strstr(c->notes[0], "WL-FALLS-HISTORY"));
	c->n = 0;
	sample_path(path, sizeof(path), "patient-only.xml");
	assert_int_equal(plg_screen_file(sess, path, &sink), FLS_OK);
	assert_int_equal(c->n, 1);
	e = bare;
	e.id = c->ids[0];
	check(c, &e);
	plg_session_free(sess);
	free(c);
}

struct membuf {
	char *p;
	size_t len, cap;
};

static int mem_write(void *ctx, const char *buf, size_t len)
{
	struct membuf *m = ctx;

	if (m->len + len > m->cap) {
		size_t ncap = (m->len + len) * 2;
		char *np = realloc(m->p, ncap);

		if (!np)
			return -1;
		m->p = np;
		m->cap = ncap;
	}
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return 0;
}

/* Screen each input into one FHIR Bundle and validate it against fhir-single.xsd. */
static void validate_output(xmlSchemaPtr schema, const char *const *inputs, size_t n)
{
	struct collected *c = calloc(1, sizeof(*c));
	fls_sink sink = { sizeof(sink), c, on_result, NULL, NULL };
	fls_session *sess = open_session();
	struct membuf out = { NULL, 0, 0 };
	struct fhir_out_meta meta = { FLS_VERSION, qf_model_version(sess->model), codes_version(sess->codes),
				      sess->as_of, QF_DISCLAIMER };
	struct fls_diag d = { "" };
	xmlSchemaValidCtxtPtr v;
	xmlDocPtr doc;

	assert_int_equal(fhir_writer_open(&c->w, &fls_mem_libc, mem_write, &out, &meta, &d), FLS_OK);
	for (size_t i = 0; i < n; i++) {
		fls_status st = plg_screen_file(sess, inputs[i], &sink);

		if (st != FLS_OK)
			fail_msg("%s: %s", inputs[i], plg_session_errmsg(sess));
	}
	assert_false(c->write_failed);
	assert_int_equal(fhir_writer_finish(c->w), FLS_OK);
	fhir_writer_free(c->w);
	assert_true(c->n > 0);
	assert_non_null(doc = xmlReadMemory(out.p, (int)out.len, "out.xml", NULL, XML_PARSE_NONET));
	assert_non_null(v = xmlSchemaNewValidCtxt(schema));
	if (xmlSchemaValidateDoc(v, doc) != 0)
		fail_msg("the FHIR output of %zu input(s) (%d patients) does not validate against the R4 schema", n, c->n);
	print_message("validated the FHIR output for %d patients from %zu input(s)\n", c->n, n);
	xmlSchemaFreeValidCtxt(v);
	xmlFreeDoc(doc);
	free(out.p);
	plg_session_free(sess);
	free(c);
}

static void fhir_output_validates_against_the_r4_schema(void **state)
{
	char xsd[4096], s1[4096], s2[4096], s3[4096];
	char real[6][4096];
	static const char *const real_rel[] = {
		"corpus/fhir-r4-xml/HL7_fhir-ips/input/examples/IPS-bundle-01.xml",
		"corpus/fhir-r4-xml/fhir-ru_fhir-ru.github.io/patient-examples-general.xml",
		"corpus/fhir-r4-xml/fhir-ru_fhir-ru.github.io/observation-example-bmi.xml",
		"corpus/fhir-r4-xml/fhir-ru_fhir-ru.github.io/condition-example-f201-fever.xml",
		"corpus/fhir-r4-xml/fhir-ru_fhir-ru.github.io/familymemberhistory-example.xml",
		"corpus/fhir-r4-xml/fhir-ru_fhir-ru.github.io/medicationrequest0301.xml",
	};
	const char *inputs[9];
	size_t n = 0;
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaPtr schema;

	(void)state;
	if (!tu_shared_path("schemas/fhir-r4/fhir-single.xsd", xsd, sizeof(xsd))) {
		print_message("SKIPPED: ../shared/schemas is not there (FLS_SHARED unset or missing)\n");
		skip();
	}
	assert_non_null(pc = xmlSchemaNewParserCtxt(xsd));
	assert_non_null(schema = xmlSchemaParse(pc));
	sample_path(s1, sizeof(s1), "practice-small.xml");
	sample_path(s2, sizeof(s2), "single-patient.xml");
	sample_path(s3, sizeof(s3), "patient-only.xml");
	inputs[0] = s1, inputs[1] = s2, inputs[2] = s3;
	validate_output(schema, inputs, 3);
	for (size_t i = 0; i < sizeof(real_rel) / sizeof(real_rel[0]); i++)
		if (tu_shared_path(real_rel[i], real[i], sizeof(real[i])))
			inputs[n++] = real[i];
	if (n < 3)
		fail_msg("expected corpus bundles are missing from ../shared (found %zu)", n);
	validate_output(schema, inputs, n);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(practice_list_matches_the_derived_expectations),
		cmocka_unit_test(single_patient_and_bare_patient),
		cmocka_unit_test(fhir_output_validates_against_the_r4_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
