/*
 * fhir/writer: hand-made decisions written as a Bundle into memory, then validated against the official
 * R4 schema (when ../shared is present) and read back with XPath.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "fhir/writer.h"
#include "risk/day.h"
#include "risk/qfracture.h"
#include "test_util.h"

#define EXT_URL "https://libfls.invalid/fhir/StructureDefinition/decision-versions"
#define RULES_CS "https://libfls.invalid/fhir/CodeSystem/rules"

/* The schema is parsed once (2.6 MB) and only read afterwards. */
static xmlSchemaPtr g_schema;
static const char *g_schema_why = "FLS_SHARED is not set";

struct sink {
	char *p;
	size_t len, cap;
	int fail_after;   /* > 0: the n-th write and every later one fail */
	int writes;
};

static int sink_write(void *ctx, const char *buf, size_t len)
{
	struct sink *s = ctx;

	s->writes++;
	if (s->fail_after > 0 && s->writes >= s->fail_after)
		return -1;
	if (s->len + len + 1 > s->cap) {
		size_t cap = (s->len + len + 1) * 2;
		char *p = realloc(s->p, cap);

		if (!p)
			return -1;
		s->p = p;
		s->cap = cap;
	}
	memcpy(s->p + s->len, buf, len);
	s->len += len;
	s->p[s->len] = '\0';
	return 0;
}

/* Counting allocator: the writer's own memory, to check it does not grow with the patients. */
struct counting {
	size_t live, peak;
};

static void *count_alloc(void *user, size_t n)
{
	struct counting *c = user;
	size_t *p = malloc(n + sizeof(size_t) * 2);

	if (!p)
		return NULL;
	p[0] = n;
	c->live += n;
	if (c->live > c->peak)
		c->peak = c->live;
	return p + 2;
}

static void count_free(void *user, void *q)
{
	struct counting *c = user;
	size_t *p = (size_t *)q - 2;

	c->live -= p[0];
	free(p);
}

static int32_t day(int y, int m, int d)
{
	return risk_day_from_civil(y, m, d);
}

static void patient_init(struct risk_patient *p, const char *id, const char *nhs)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", id);
	snprintf(p->nhs_number, sizeof(p->nhs_number), "%s", nhs);
	p->birth_day = p->deceased_day = RISK_NO_DAY;
	p->sex = RISK_SEX_FEMALE;
	p->has_patient = 1;
}

/* A decision as risk_decide leaves it, then the fields a test sets. mof/hip < 0: no score (no BMI). */
static void decision_init(struct risk_decision *d, int priority, int32_t sort_day, double mof, double hip, int age)
{
	memset(d, 0, sizeof(*d));
	d->age = age;
	d->sex = RISK_SEX_FEMALE;
	d->priority = (uint8_t)priority;
	d->index_day = d->sort_day = sort_day;
	if (mof >= 0) {
		d->score_status = RISK_SCORE_OK;
		d->mof10 = mof;
		d->hip10 = hip;
	} else {
		d->score_status = RISK_SCORE_NO_BMI;
		d->mof10 = d->hip10 = NAN;
		d->notes |= RISK_NOTE_BIT(RISK_NOTE_BMI_MISSING);
	}
	if (priority == 1)
		d->fls_reasons = 1u << RISK_FLS_P1_HIPVERT;
	else if (priority == 2)
		d->fls_reasons = 1u << RISK_FLS_P2_RECENT;
	else if (priority == 3)
		d->fls_reasons = 1u << RISK_FLS_P3_PREVIOUS;
	if (priority)
		d->notes |= RISK_NOTE_BIT(RISK_NOTE_WL_NO_DXA);
	d->qf.sex = RISK_SEX_FEMALE;
	d->qf.age = age;
	d->qf.surv = 10;
	d->qf.bmi = 24.5;
	d->qf.ethrisk = 1;
	d->qf.b_fracture4 = 1;
}

static const struct fhir_out_meta meta_base = { "1.0.0-test", "QFracture-2012 equations, independent implementation "
							       "(coefficients sha256:0123456789ab)",
						"2026.11.0", 0, NULL };

static struct fhir_out_meta test_meta(void)
{
	struct fhir_out_meta m = meta_base;

	m.as_of = day(2025, 3, 31);
	m.disclaimer = QF_DISCLAIMER;
	return m;
}

/* Validate s with the R4 schema; returns the number of errors (0 = valid), or -1 when not available. */
static int schema_errors(const char *xml, size_t len)
{
	xmlSchemaValidCtxtPtr v;
	xmlDocPtr doc;
	int rc;

	if (!g_schema)
		return -1;
	doc = xmlReadMemory(xml, (int)len, "out.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	v = xmlSchemaNewValidCtxt(g_schema);
	assert_non_null(v);
	rc = xmlSchemaValidateDoc(v, doc);
	xmlSchemaFreeValidCtxt(v);
	xmlFreeDoc(doc);
	return rc;
}

/* Schema validation, or a clear message (the XPath checks still run). */
static void check_schema(const struct sink *s)
{
	int rc = schema_errors(s->p, s->len);

	if (rc < 0) {
		printf("# schema validation skipped: %s\n", g_schema_why);
		return;
	}
	if (rc != 0)
		fprintf(stderr, "--- output that failed validation ---\n%s\n", s->p);
	assert_int_equal(rc, 0);
}

struct doc {
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
};

static void doc_open(struct doc *d, const struct sink *s)
{
	d->doc = xmlReadMemory(s->p, (int)s->len, "out.xml", NULL, XML_PARSE_NONET);
	assert_non_null(d->doc);
	d->xp = xmlXPathNewContext(d->doc);
	assert_non_null(d->xp);
	assert_int_equal(xmlXPathRegisterNs(d->xp, BAD_CAST "f", BAD_CAST "http://hl7.org/fhir"), 0);
}

static void doc_close(struct doc *d)
{
	xmlXPathFreeContext(d->xp);
	xmlFreeDoc(d->doc);
}

static double xnum(struct doc *d, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, d->xp);
	double v;

	assert_non_null(o);
	v = xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	return v;
}

/* The string value of expr (first node), copied into out. */
static const char *xstr(struct doc *d, const char *expr, char *out, size_t cap)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, d->xp);
	xmlChar *s;

	assert_non_null(o);
	s = xmlXPathCastToString(o);
	snprintf(out, cap, "%s", (const char *)s);
	xmlFree(s);
	xmlXPathFreeObject(o);
	return out;
}

static int count(struct doc *d, const char *expr)
{
	char buf[600];

	snprintf(buf, sizeof(buf), "count(%s)", expr);
	return (int)xnum(d, buf);
}

#define RES "/f:Bundle/f:entry/f:resource"
#define RA_OF(id) RES "/f:RiskAssessment[f:subject/f:reference/@value='Patient/" id "']"

struct input {
	const char *id;
	int priority;
	int32_t sort_day;
	double mof, hip;
	int age;
	int falls;
};

static void write_bundle(struct sink *s, const struct input *in, size_t n)
{
	struct fhir_out_meta m = test_meta();
	struct fhir_writer *w = NULL;
	struct fls_diag d;

	assert_int_equal(fhir_writer_open(&w, &fls_mem_libc, sink_write, s, &m, &d), FLS_OK);
	for (size_t i = 0; i < n; i++) {
		struct risk_patient p;
		struct risk_decision dec;

		patient_init(&p, in[i].id, i % 2 ? "9434765919" : "");
		decision_init(&dec, in[i].priority, in[i].sort_day, in[i].mof, in[i].hip, in[i].age);
		if (in[i].falls) {
			dec.falls_population = dec.falls_referral = 1;
			dec.falls_reasons = (1u << RISK_FALL_1) | (1u << RISK_FALL_5);
		}
		assert_int_equal(fhir_writer_add(w, &p, &dec), FLS_OK);
	}
	assert_int_equal(fhir_writer_finish(w), FLS_OK);
	fhir_writer_free(w);
}

/*
 * Worklist order from clinical-rules 7.3, worked out by hand: P1 before P2 before P3; within a level
 * the most recent fracture first, then the higher MOF risk (no score last), then the older patient;
 * full ties keep input order.
 */
static const struct input worklist_inputs[] = {
	{ "none-1", 0, RISK_NO_DAY, 3.0, 0.5, 60, 0 },
	{ "p3-old", 3, 0, 10.0, 2.0, 75, 0 },
	{ "p1-a", 1, 0, 20.0, 5.0, 70, 1 },
	{ "p2-a", 2, 0, 15.0, 3.0, 66, 0 },
	{ "p1-b", 1, 0, 5.0, 1.0, 70, 0 },
	{ "p1-c", 1, 0, 30.0, 9.0, 70, 0 },
	{ "p1-d", 1, 0, -1, -1, 90, 0 },
	{ "p1-e", 1, 0, 20.0, 5.0, 80, 0 },
	{ "p1-f", 1, 0, 20.0, 5.0, 70, 0 },
	{ "none-2", 0, RISK_NO_DAY, -1, -1, 55, 1 },
};
static const char *const worklist_expected[] = { "p1-b", "p1-c", "p1-e", "p1-a", "p1-f", "p1-d", "p2-a", "p3-old" };

static void worklist_fill_days(struct input *in)
{
	memcpy(in, worklist_inputs, sizeof(worklist_inputs));
	in[1].sort_day = day(2018, 1, 1);
	in[2].sort_day = day(2024, 6, 1);
	in[3].sort_day = day(2024, 3, 1);
	in[4].sort_day = day(2024, 9, 1);   /* most recent P1 */
	in[5].sort_day = day(2024, 6, 1);
	in[6].sort_day = day(2024, 6, 1);
	in[7].sort_day = day(2024, 6, 1);
	in[8].sort_day = day(2024, 6, 1);
}

static void bundle_validates_and_lists_worklist_in_order(void **state)
{
	struct input in[sizeof(worklist_inputs) / sizeof(worklist_inputs[0])];
	struct sink s = { 0 };
	struct doc d;
	char expr[600], urn[128], got[128];
	size_t n_wl = sizeof(worklist_expected) / sizeof(worklist_expected[0]);

	(void)state;
	worklist_fill_days(in);
	write_bundle(&s, in, sizeof(in) / sizeof(in[0]));
	check_schema(&s);
	doc_open(&d, &s);
	assert_int_equal(count(&d, RES "/f:RiskAssessment"), 10);
	/* one FLS request per worklist entry, one falls request per referral (p1-a and none-2) */
	assert_int_equal(count(&d, RES "/f:ServiceRequest"), (int)n_wl + 2);
	assert_int_equal(count(&d, RES "/f:ServiceRequest[f:code/f:text/@value='Fracture liaison service assessment']"),
			 (int)n_wl);
	assert_int_equal(count(&d, RES "/f:List"), 1);
	assert_int_equal(count(&d, RES "/f:List/f:entry"), (int)n_wl);
	xstr(&d, "string(" RES "/f:List/f:title/@value)", got, sizeof(got));
	assert_string_equal(got, "Fracture liaison worklist");
	xstr(&d, "string(" RES "/f:List/f:mode/@value)", got, sizeof(got));
	assert_string_equal(got, "working");
	for (size_t i = 0; i < n_wl; i++) {
		/* List entry i -> its ServiceRequest's fullUrl -> that request's subject */
		snprintf(expr, sizeof(expr), "string(" RES "/f:List/f:entry[%zu]/f:item/f:reference/@value)", i + 1);
		xstr(&d, expr, urn, sizeof(urn));
		assert_int_equal(strncmp(urn, "urn:uuid:", 9), 0);
		snprintf(expr, sizeof(expr),
			 "string(/f:Bundle/f:entry[f:fullUrl/@value='%s']/f:resource/f:ServiceRequest/f:subject/f:reference/@value)",
			 urn);
		xstr(&d, expr, got, sizeof(got));
		assert_int_equal(strncmp(got, "Patient/", 8), 0);
		assert_string_equal(got + 8, worklist_expected[i]);
	}
	/* every fullUrl is a distinct urn:uuid (version 4) */
	assert_int_equal(count(&d, "/f:Bundle/f:entry/f:fullUrl[starts-with(@value,'urn:uuid:') and "
				   "substring(@value,24,1)='4']"), 10 + (int)n_wl + 2 + 1);
	assert_int_equal(count(&d, "/f:Bundle/f:entry[f:fullUrl/@value = preceding-sibling::f:entry/f:fullUrl/@value]"), 0);
	doc_close(&d);
	free(s.p);
}

static void risk_assessment_content(void **state)
{
	struct input in[sizeof(worklist_inputs) / sizeof(worklist_inputs[0])];
	struct sink s = { 0 };
	struct doc d;
	char got[2048];

	(void)state;
	worklist_fill_days(in);
	write_bundle(&s, in, sizeof(in) / sizeof(in[0]));
	doc_open(&d, &s);
	/* probabilities are fractions: 20 % -> 0.2, 5 % -> 0.05 */
	assert_int_equal(count(&d, RA_OF("p1-a") "/f:prediction"), 2);
	xstr(&d, "string(" RA_OF("p1-a") "/f:prediction[1]/f:probabilityDecimal/@value)", got, sizeof(got));
	assert_true(strtod(got, NULL) == 20.0 / 100.0);
	xstr(&d, "string(" RA_OF("p1-a") "/f:prediction[1]/f:outcome/f:text/@value)", got, sizeof(got));
	assert_string_equal(got, "Major osteoporotic fracture (hip, spine, wrist, shoulder) within 10 years");
	xstr(&d, "string(" RA_OF("p1-a") "/f:prediction[2]/f:probabilityDecimal/@value)", got, sizeof(got));
	assert_true(strtod(got, NULL) == 5.0 / 100.0);
	xstr(&d, "string(" RA_OF("p1-a") "/f:prediction[2]/f:outcome/f:text/@value)", got, sizeof(got));
	assert_non_null(strstr(got, "Hip fracture"));
	xstr(&d, "string(" RA_OF("p1-a") "/f:prediction[1]/f:whenPeriod/f:start/@value)", got, sizeof(got));
	assert_string_equal(got, "2025-03-31");
	xstr(&d, "string(" RA_OF("p1-a") "/f:prediction[1]/f:whenPeriod/f:end/@value)", got, sizeof(got));
	assert_string_equal(got, "2035-03-31");
	xstr(&d, "string(" RA_OF("p1-a") "/f:prediction[1]/f:rationale/@value)", got, sizeof(got));
	assert_non_null(strstr(got, "BMI 24.5 kg/m2"));
	assert_non_null(strstr(got, "b_fracture4"));
	xstr(&d, "string(" RA_OF("p1-a") "/f:occurrenceDateTime/@value)", got, sizeof(got));
	assert_string_equal(got, "2025-03-31");
	xstr(&d, "string(" RA_OF("p1-a") "/f:status/@value)", got, sizeof(got));
	assert_string_equal(got, "final");
	/* the method names the equations factually */
	xstr(&d, "string(" RA_OF("p1-a") "/f:method/f:text/@value)", got, sizeof(got));
	assert_int_equal(strncmp(got, QF_MODEL_NAME, strlen(QF_MODEL_NAME)), 0);
	assert_non_null(strstr(got, "sha256:0123456789ab"));
	/* ClinRisk's disclaimer beside every score, verbatim */
	snprintf(got, sizeof(got), "count(" RES "/f:RiskAssessment[f:prediction][f:note/f:text/@value=\"%s\"])",
		 QF_DISCLAIMER);
	assert_int_equal((int)xnum(&d, got), count(&d, RES "/f:RiskAssessment[f:prediction]"));
	assert_int_equal(count(&d, RES "/f:RiskAssessment[f:prediction]"), 8);
	/* versions on every resource written */
	assert_int_equal(count(&d, RES "/*/f:extension[@url='" EXT_URL "']"), count(&d, RES "/*"));
	xstr(&d, "string(" RA_OF("p1-a") "/f:extension[@url='" EXT_URL "']/f:extension[@url='library']/f:valueString/@value)",
	     got, sizeof(got));
	assert_string_equal(got, "1.0.0-test");
	xstr(&d, "string(" RA_OF("p1-a") "/f:extension[@url='" EXT_URL "']/f:extension[@url='codes']/f:valueString/@value)",
	     got, sizeof(got));
	assert_string_equal(got, "2026.11.0");
	xstr(&d, "string(" RA_OF("p1-a") "/f:extension[@url='" EXT_URL "']/f:extension[@url='model']/f:valueString/@value)",
	     got, sizeof(got));
	assert_string_equal(got, meta_base.model_version);
	/* no score: no prediction, no disclaimer, a note that says why; the data-quality note with its id */
	assert_int_equal(count(&d, RA_OF("p1-d") "/f:prediction"), 0);
	assert_int_equal(count(&d, RA_OF("p1-d") "/f:note[f:text/@value='No fracture risk score: no BMI']"), 1);
	assert_int_equal(count(&d, RA_OF("p1-d") "/f:note[starts-with(f:text/@value,'DQ-BMI-MISSING: ')]"), 1);
	/* NHS number as the subject's identifier when known (odd input positions), never a display name */
	assert_int_equal(count(&d, RA_OF("p2-a") "/f:subject/f:identifier[f:system/@value="
				   "'https://fhir.nhs.uk/Id/nhs-number'][f:value/@value='9434765919']"), 1);
	assert_int_equal(count(&d, RA_OF("p1-a") "/f:subject/f:identifier"), 0);
	assert_int_equal(count(&d, "//f:subject/f:display"), 0);
	doc_close(&d);
	free(s.p);
}

static void service_requests_carry_reasons(void **state)
{
	struct input in[sizeof(worklist_inputs) / sizeof(worklist_inputs[0])];
	struct sink s = { 0 };
	struct doc d;
	char got[2048], want[1024];

#define SR_OF(id, code) RES "/f:ServiceRequest[f:subject/f:reference/@value='Patient/" id "'][f:code/f:text/@value='" code "']"
#define FLS_CODE "Fracture liaison service assessment"
#define FALLS_CODE "Falls service referral (multifactorial falls risk assessment)"
	(void)state;
	worklist_fill_days(in);
	write_bundle(&s, in, sizeof(in) / sizeof(in[0]));
	doc_open(&d, &s);
	/* priorities keep FHIR's order: P1 asap > P2 urgent > P3 routine */
	xstr(&d, "string(" SR_OF("p1-a", FLS_CODE) "/f:priority/@value)", got, sizeof(got));
	assert_string_equal(got, "asap");
	xstr(&d, "string(" SR_OF("p2-a", FLS_CODE) "/f:priority/@value)", got, sizeof(got));
	assert_string_equal(got, "urgent");
	xstr(&d, "string(" SR_OF("p3-old", FLS_CODE) "/f:priority/@value)", got, sizeof(got));
	assert_string_equal(got, "routine");
	xstr(&d, "string(" SR_OF("p1-a", FLS_CODE) "/f:intent/@value)", got, sizeof(got));
	assert_string_equal(got, "proposal");
	xstr(&d, "string(" SR_OF("p1-a", FLS_CODE) "/f:status/@value)", got, sizeof(got));
	assert_string_equal(got, "active");
	xstr(&d, "string(" SR_OF("p1-a", FLS_CODE) "/f:authoredOn/@value)", got, sizeof(got));
	assert_string_equal(got, "2025-03-31");
	/* reason: rule id in our code system, the reason text, and the text with its source */
	xstr(&d, "string(" SR_OF("p1-a", FLS_CODE) "/f:reasonCode/f:coding[f:system/@value='" RULES_CS "']/f:code/@value)",
	     got, sizeof(got));
	assert_string_equal(got, "R-FLS-P1-HIPVERT");
	xstr(&d, "string(" SR_OF("p1-a", FLS_CODE) "/f:reasonCode/f:text/@value)", got, sizeof(got));
	snprintf(want, sizeof(want), "%s [%s]", risk_fls_rule_text(RISK_FLS_P1_HIPVERT),
		 risk_fls_rule_source(RISK_FLS_P1_HIPVERT));
	assert_string_equal(got, want);
	/* the worklist note travels with the request, which points at the assessment */
	assert_int_equal(count(&d, SR_OF("p1-a", FLS_CODE) "/f:note[starts-with(f:text/@value,'WL-NO-DXA: ')]"), 1);
	xstr(&d, "string(" SR_OF("p1-a", FLS_CODE) "/f:supportingInfo/f:reference/@value)", want, sizeof(want));
	snprintf(got, sizeof(got), "count(/f:Bundle/f:entry[f:fullUrl/@value='%s']/f:resource/f:RiskAssessment)", want);
	assert_int_equal((int)xnum(&d, got), 1);
	/* falls referral: one request with R-FALL-1 and R-FALL-5, also for a patient off the worklist */
	assert_int_equal(count(&d, SR_OF("p1-a", FALLS_CODE) "/f:reasonCode"), 2);
	assert_int_equal(count(&d, SR_OF("p1-a", FALLS_CODE) "/f:reasonCode/f:coding[f:code/@value='R-FALL-1']"), 1);
	assert_int_equal(count(&d, SR_OF("p1-a", FALLS_CODE) "/f:reasonCode/f:coding[f:code/@value='R-FALL-5']"), 1);
	assert_int_equal(count(&d, SR_OF("none-2", FALLS_CODE)), 1);
	assert_int_equal(count(&d, SR_OF("none-2", FLS_CODE)), 0);
	assert_int_equal(count(&d, RES "/f:ServiceRequest[f:subject/f:reference/@value='Patient/none-1']"), 0);
	doc_close(&d);
	free(s.p);
#undef SR_OF
}

static void empty_run_validates(void **state)
{
	struct fhir_out_meta m = test_meta();
	struct fhir_writer *w = NULL;
	struct sink s = { 0 };
	struct doc d;

	(void)state;
	assert_int_equal(fhir_writer_open(&w, &fls_mem_libc, sink_write, &s, &m, NULL), FLS_OK);
	assert_int_equal(fhir_writer_finish(w), FLS_OK);
	fhir_writer_free(w);
	check_schema(&s);
	doc_open(&d, &s);
	assert_int_equal(count(&d, "/f:Bundle[f:type/@value='collection']"), 1);
	assert_int_equal(count(&d, RES "/f:List"), 1);
	assert_int_equal(count(&d, RES "/f:List/f:entry"), 0);
	assert_int_equal(count(&d, RES "/f:List/f:emptyReason"), 1);
	assert_int_equal(count(&d, RES "/f:RiskAssessment"), 0);
	doc_close(&d);
	free(s.p);
}

/* The validator is live: a tampered Bundle fails it (so a pass above means something). */
static void schema_rejects_tampered_bundle(void **state)
{
	struct fhir_out_meta m = test_meta();
	struct fhir_writer *w = NULL;
	struct risk_patient p;
	struct risk_decision dec;
	struct sink s = { 0 };
	char *at;

	(void)state;
	if (!g_schema) {
		printf("# skipped: %s\n", g_schema_why);
		skip();
	}
	patient_init(&p, "p1", "");
	decision_init(&dec, 1, day(2024, 1, 2), 10, 2, 70);
	assert_int_equal(fhir_writer_open(&w, &fls_mem_libc, sink_write, &s, &m, NULL), FLS_OK);
	assert_int_equal(fhir_writer_add(w, &p, &dec), FLS_OK);
	assert_int_equal(fhir_writer_finish(w), FLS_OK);
	fhir_writer_free(w);
	assert_int_equal(schema_errors(s.p, s.len), 0);
	at = strstr(s.p, "<priority value=\"asap\"/>");
	assert_non_null(at);
	memcpy(at, "<priority value=\"soon\"/>", 24);   /* same length, not a request-priority code */
	assert_true(schema_errors(s.p, s.len) > 0);
	free(s.p);
}

static void special_characters_are_escaped(void **state)
{
	struct fhir_out_meta m = test_meta();
	struct fhir_writer *w = NULL;
	struct risk_patient p;
	struct risk_decision dec;
	struct sink s = { 0 };
	struct doc d;
	char got[512];

	(void)state;
	/* not a FHIR id, so written as the reference the input used: markup, quotes, a control byte and
	 * a byte that is not UTF-8 */
	patient_init(&p, "urn:x:<a&b>\"'\x01\xff", "");
	decision_init(&dec, 2, day(2024, 1, 2), -1, -1, 70);
	dec.score_status = RISK_SCORE_REJECTED;
	snprintf(dec.score_why, sizeof(dec.score_why), "bmi <20 & \"odd\" </note>");
	assert_int_equal(fhir_writer_open(&w, &fls_mem_libc, sink_write, &s, &m, NULL), FLS_OK);
	assert_int_equal(fhir_writer_add(w, &p, &dec), FLS_OK);
	assert_int_equal(fhir_writer_finish(w), FLS_OK);
	fhir_writer_free(w);
	assert_null(strstr(s.p, "<a&b>"));
	check_schema(&s);
	doc_open(&d, &s);
	xstr(&d, "string(" RES "/f:RiskAssessment/f:subject/f:reference/@value)", got, sizeof(got));
	assert_string_equal(got, "urn:x:<a&b>\"'\xEF\xBF\xBD\xEF\xBF\xBD");   /* U+FFFD for each bad byte */
	assert_int_equal(count(&d, RES "/f:RiskAssessment/f:note[f:text/@value="
				   "'No fracture risk score: rejected: bmi <20 & \"odd\" </note>']"), 1);
	doc_close(&d);
	free(s.p);
}

static void write_failure_reports_eio(void **state)
{
	struct fhir_out_meta m = test_meta();
	struct fhir_writer *w = NULL;
	struct risk_patient p;
	struct risk_decision dec;
	struct sink s = { 0 };
	struct fls_diag diag = { "" };
	fls_status st = FLS_OK;
	int i;

	(void)state;
	s.fail_after = 1;
	patient_init(&p, "p1", "");
	decision_init(&dec, 1, day(2024, 1, 2), 10, 2, 70);
	assert_int_equal(fhir_writer_open(&w, &fls_mem_libc, sink_write, &s, &m, &diag), FLS_OK);
	for (i = 0; i < 1000 && st == FLS_OK; i++)   /* libxml2 buffers about 4 kB before the first write */
		st = fhir_writer_add(w, &p, &dec);
	if (st == FLS_OK)
		st = fhir_writer_finish(w);
	assert_int_equal(st, FLS_EIO);
	assert_non_null(strstr(diag.msg, "write failed"));
	assert_int_equal(fhir_writer_add(w, &p, &dec), FLS_EINVAL);   /* unusable after a failure */
	fhir_writer_free(w);
	free(s.p);
}

static void rejects_bad_arguments(void **state)
{
	struct fhir_out_meta m = test_meta();
	struct fhir_writer *w = (struct fhir_writer *)&m;   /* must be reset to NULL */
	struct fls_diag diag;
	struct sink s = { 0 };

	(void)state;
	m.as_of = RISK_NO_DAY;
	assert_int_equal(fhir_writer_open(&w, &fls_mem_libc, sink_write, &s, &m, &diag), FLS_EINVAL);
	assert_null(w);
	fhir_writer_free(NULL);
	assert_int_equal(fhir_writer_add(NULL, NULL, NULL), FLS_EINVAL);
	free(s.p);
}

/* The writer's own memory stays flat when patients off the worklist stream through it. */
static void memory_does_not_grow_with_patients(void **state)
{
	struct counting c = { 0, 0 };
	struct fls_mem mem = { &c, count_alloc, count_free };
	struct fhir_out_meta m = test_meta();
	struct fhir_writer *w = NULL;
	struct risk_patient p;
	struct risk_decision dec;
	struct sink s = { 0 };
	size_t peak_1k = 0;
	int i;

	(void)state;
	patient_init(&p, "streamed", "9434765919");
	decision_init(&dec, 0, RISK_NO_DAY, 7.5, 1.25, 70);
	dec.falls_population = dec.falls_referral = 1;
	dec.falls_reasons = 1u << RISK_FALL_2;
	assert_int_equal(fhir_writer_open(&w, &mem, sink_write, &s, &m, NULL), FLS_OK);
	for (i = 0; i < 20000; i++) {
		assert_int_equal(fhir_writer_add(w, &p, &dec), FLS_OK);
		if (i == 999)
			peak_1k = c.peak;
		s.len = 0;   /* the sink drops what it got: only the writer's memory is measured */
	}
	assert_true(peak_1k > 0);
	assert_int_equal(c.peak, peak_1k);
	assert_int_equal(fhir_writer_finish(w), FLS_OK);
	fhir_writer_free(w);
	assert_int_equal(c.live, 0);
	free(s.p);
}

/* Allocation failure at every point: each call fails cleanly with FLS_ENOMEM and nothing leaks. */
struct failing {
	struct counting c;
	int calls, fail_at;
};

static void *failing_alloc(void *user, size_t n)
{
	struct failing *f = user;

	if (++f->calls == f->fail_at)
		return NULL;
	return count_alloc(&f->c, n);
}

static void failing_free(void *user, void *q)
{
	struct failing *f = user;

	count_free(&f->c, q);
}

static void out_of_memory_anywhere_is_clean(void **state)
{
	struct fhir_out_meta m = test_meta();
	int total = 0, saw_enomem = 0;

	(void)state;
	for (int at = 1; at < 400; at++) {
		struct failing f = { { 0, 0 }, 0, at };
		struct fls_mem mem = { &f, failing_alloc, failing_free };
		struct fhir_writer *w = NULL;
		struct sink s = { 0 };
		fls_status st;

		st = fhir_writer_open(&w, &mem, sink_write, &s, &m, NULL);
		for (int i = 0; i < 40 && st == FLS_OK; i++) {
			struct risk_patient p;
			struct risk_decision dec;

			patient_init(&p, "oom", "9434765919");
			decision_init(&dec, 1 + i % 3, day(2024, 1, 1) + i, 10.0 + i, 2.0, 70);
			dec.falls_referral = dec.falls_population = (uint8_t)(i & 1);
			dec.falls_reasons = (i & 1) ? 1u << RISK_FALL_2 : 1u << RISK_FALL_7;
			st = fhir_writer_add(w, &p, &dec);
		}
		if (st == FLS_OK)
			st = fhir_writer_finish(w);
		fhir_writer_free(w);
		assert_true(st == FLS_OK || st == FLS_ENOMEM);
		assert_int_equal(f.c.live, 0);
		free(s.p);
		saw_enomem |= st == FLS_ENOMEM;
		if (st == FLS_OK) {   /* no allocation left to fail */
			total = at;
			break;
		}
	}
	assert_true(saw_enomem);
	assert_true(total > 1);
}

static int schema_setup(void **state)
{
	char path[4096];
	xmlSchemaParserCtxtPtr pc;

	(void)state;
	if (!tu_shared_path("schemas/fhir-r4/fhir-single.xsd", path, sizeof(path))) {
		g_schema_why = "FLS_SHARED is not set or lacks schemas/fhir-r4/fhir-single.xsd";
		printf("# %s: the Bundles are checked with XPath only\n", g_schema_why);
		return 0;
	}
	pc = xmlSchemaNewParserCtxt(path);
	if (!pc)
		return -1;
	g_schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (!g_schema) {
		fprintf(stderr, "could not parse %s\n", path);
		return -1;
	}
	return 0;
}

static int schema_teardown(void **state)
{
	(void)state;
	xmlSchemaFree(g_schema);
	g_schema = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bundle_validates_and_lists_worklist_in_order),
		cmocka_unit_test(risk_assessment_content),
		cmocka_unit_test(service_requests_carry_reasons),
		cmocka_unit_test(empty_run_validates),
		cmocka_unit_test(schema_rejects_tampered_bundle),
		cmocka_unit_test(special_characters_are_escaped),
		cmocka_unit_test(write_failure_reports_eio),
		cmocka_unit_test(rejects_bad_arguments),
		cmocka_unit_test(memory_does_not_grow_with_patients),
		cmocka_unit_test(out_of_memory_anywhere_is_clean),
	};

	return cmocka_run_group_tests(tests, schema_setup, schema_teardown);
}
