/*
 * A host's view of the plugin: dlopen(libfls.so.1, RTLD_NOW|RTLD_LOCAL), the one entry symbol, the
 * sized table, a screening through the host's allocator, results kept beyond the callback, errors,
 * and two sessions screening at once on two threads. Links nothing of libfls: only its headers.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fls/fls_plugin.h"

static const char *plugin_path;
static void *so;
static const fls_api *api;

/* A recent untreated hip fracture in a woman of 76 with a BMI: P1 (R-FLS-P1-HIPVERT), with scores. */
static const char bundle[] =
	"<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"collection\"/>"
	"<entry><fullUrl value=\"urn:uuid:abi-1\"/><resource><Patient><id value=\"abi-1\"/>"
	"<identifier><system value=\"https://fhir.nhs.uk/Id/nhs-number\"/><value value=\"9990000018\"/></identifier>"
	"<gender value=\"female\"/><birthDate value=\"1950-03-02\"/></Patient></resource></entry>"
	"<entry><resource><Condition><code><coding><system value=\"http://snomed.info/sct\"/>"
	"<code value=\"263228009\"/></coding></code><subject><reference value=\"urn:uuid:abi-1\"/></subject>"
	"<onsetDateTime value=\"2026-09-01\"/></Condition></resource></entry>"
	"<entry><resource><Observation><status value=\"final\"/><code><coding><system value=\"http://loinc.org\"/>"
	"<code value=\"39156-5\"/></coding></code><subject><reference value=\"urn:uuid:abi-1\"/></subject>"
	"<effectiveDateTime value=\"2026-05-01\"/><valueQuantity><value value=\"23.1\"/><unit value=\"kg/m2\"/>"
	"</valueQuantity></Observation></resource></entry></Bundle>";

struct counting_alloc {
	long allocs, frees;
	pthread_mutex_t lock;
};

static void *host_alloc(void *user, size_t n)
{
	struct counting_alloc *a = user;
	void *p = malloc(n);

	pthread_mutex_lock(&a->lock);
	a->allocs += p != NULL;
	pthread_mutex_unlock(&a->lock);
	return p;
}

static void host_free(void *user, void *p)
{
	struct counting_alloc *a = user;

	if (!p)
		return;
	pthread_mutex_lock(&a->lock);
	a->frees++;
	pthread_mutex_unlock(&a->lock);
	free(p);
}

static void host_log(void *user, int level, const char *msg)
{
	(void)user, (void)level;
	/* Never patient data: the NHS number of the bundle must not reach the log. */
	assert_null(strstr(msg, "9990000018"));
}

struct seen {
	int n;
	char priority[8], reasons[256], id[80], status[64];
	double mof, hip;
	fls_result *kept;
};

static int on_result(void *user, const fls_result *res)
{
	struct seen *s = user;

	s->n++;
	snprintf(s->priority, sizeof(s->priority), "%s", api->result_str(res, FLS_F_FLS_PRIORITY));
	snprintf(s->reasons, sizeof(s->reasons), "%s", api->result_str(res, FLS_F_FLS_REASONS));
	snprintf(s->id, sizeof(s->id), "%s", api->result_str(res, FLS_F_PATIENT_ID));
	snprintf(s->status, sizeof(s->status), "%s", api->result_str(res, FLS_F_RISK_STATUS));
	assert_int_equal(api->result_num(res, FLS_F_MOF10, &s->mof), FLS_OK);
	assert_int_equal(api->result_num(res, FLS_F_HIP10, &s->hip), FLS_OK);
	assert_non_null(strstr(api->result_str(res, FLS_F_DISCLAIMER), "QFracture"));
	assert_non_null(api->result_str(res, FLS_F_MODEL_VERSION));
	assert_non_null(api->result_str(res, FLS_F_CODES_VERSION));
	assert_string_equal(api->result_str(res, FLS_F_LIB_VERSION), api->version());
	/* rendered on request, and both stay valid together for the whole callback */
	{
		const char *facts = api->result_str(res, FLS_F_FACTS);
		const char *expl = api->result_str(res, FLS_F_EXPLANATION);

		assert_non_null(strstr(facts, "fracture_hip"));
		assert_non_null(strstr(expl, "R-FLS-P1-HIPVERT"));
		assert_ptr_equal(facts, api->result_str(res, FLS_F_FACTS));
		assert_non_null(strstr(facts, "bmi"));
	}
	if (!s->kept)
		assert_int_equal(api->result_copy(&s->kept, NULL, res), FLS_OK);
	return 0;
}

static fls_config config(void)
{
	fls_config c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.data_dir = getenv("FLS_DATADIR");
	c.as_of = "2026-11-01";
	return c;
}

static void loads_and_checks_the_table(void **state)
{
	fls_get_api_fn get;

	(void)state;
	so = dlopen(plugin_path, RTLD_NOW | RTLD_LOCAL);
	assert_non_null(so);
	get = (fls_get_api_fn)(uintptr_t)dlsym(so, FLS_PLUGIN_ENTRY);
	assert_non_null(get);
	assert_null(get(FLS_ABI_MAJOR + 1));
	api = get(FLS_ABI_MAJOR);
	assert_non_null(api);
	assert_true(api->size >= sizeof(fls_api));
	assert_true(FLS_API_HAS(api, record_outcome));
	assert_string_equal(api->strerror(FLS_OK), "success");
	assert_non_null(api->strerror((fls_status)-999));
	/* no other symbol is visible */
	assert_null(dlsym(so, "plg_session_new"));
	assert_null(dlsym(so, "fhir_reader_new"));
}

static void screens_through_the_host_allocator(void **state)
{
	struct counting_alloc a = { 0, 0, PTHREAD_MUTEX_INITIALIZER };
	fls_host host = { sizeof(host), &a, host_alloc, host_free, host_log };
	fls_config c = config();
	fls_session *sess = NULL;
	struct seen s;
	fls_sink sink = { sizeof(sink), &s, on_result, NULL, NULL };
	fls_stats st = { .size = sizeof(st) };
	double mof;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(api->session_new(&sess, &host, &c), FLS_OK);
	assert_int_equal(api->screen_memory(sess, "abi.xml", bundle, sizeof(bundle) - 1, &sink), FLS_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.id, "abi-1");
	assert_string_equal(s.priority, "P1");
	assert_non_null(strstr(s.reasons, "R-FLS-P1-HIPVERT"));
	assert_string_equal(s.status, "ok");
	assert_true(s.mof > 0 && s.mof < 100 && s.hip > 0 && s.hip < 100);
	assert_int_equal(api->session_stats(sess, &st), FLS_OK);
	assert_int_equal(st.patients, 1);
	assert_int_equal(st.patient_resources, 1);
	assert_int_equal(st.clinical_resources, 2);
	/* the copy outlives the callback and the session */
	api->session_free(sess);
	assert_non_null(s.kept);
	assert_string_equal(api->result_str(s.kept, FLS_F_PATIENT_ID), "abi-1");
	assert_non_null(strstr(api->result_str(s.kept, FLS_F_FACTS), "fracture_hip"));
	assert_non_null(strstr(api->result_str(s.kept, FLS_F_EXPLANATION), "NICE CG146"));
	assert_int_equal(api->result_num(s.kept, FLS_F_MOF10, &mof), FLS_OK);
	assert_true(mof == s.mof);
	api->result_free(s.kept);
	api->result_free(NULL);
	api->session_free(NULL);
	/* every allocation of the session went through the host and came back */
	assert_true(a.allocs > 0);
	assert_int_equal(a.allocs, a.frees); /* the copy (made without a session) used malloc */
}

static void reports_errors_without_a_session(void **state)
{
	fls_session *sess = (fls_session *)1;
	fls_config c = config();
	fls_host bad = { 4, NULL, NULL, NULL, NULL };

	(void)state;
	c.as_of = "2026-13-01";
	assert_int_equal(api->session_new(&sess, NULL, &c), FLS_EINVAL);
	assert_null(sess);
	sess = (fls_session *)1;
	assert_int_equal(api->session_new(&sess, &bad, NULL), FLS_EINVAL);
	assert_null(sess);
	c = config();
	c.codes_dir = "/nonexistent/codes";
	assert_int_equal(api->session_new(&sess, NULL, &c), FLS_EDATA);
	assert_null(sess);
}

static void reports_bad_input_with_a_message(void **state)
{
	fls_config c = config();
	fls_session *sess = NULL;
	struct seen s;
	fls_sink sink = { sizeof(sink), &s, on_result, NULL, NULL };

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(api->session_new(&sess, NULL, &c), FLS_OK);
	assert_int_equal(api->screen_memory(sess, "bad.xml", "<Patient>", 9, &sink), FLS_EPARSE);
	assert_non_null(strstr(api->session_errmsg(sess), "bad.xml"));
	c.max_input_bytes = 10;
	api->session_free(sess);
	assert_int_equal(api->session_new(&sess, NULL, &c), FLS_OK);
	assert_int_equal(api->screen_memory(sess, "big.xml", bundle, sizeof(bundle) - 1, &sink), FLS_ELIMIT);
	assert_non_null(strstr(api->session_errmsg(sess), "limit"));
	assert_int_equal(s.n, 0);
	api->session_free(sess);
}

static void *screen_many(void *arg)
{
	struct seen *s = arg;
	fls_config c = config();
	fls_session *sess = NULL;
	fls_sink sink = { sizeof(sink), s, on_result, NULL, NULL };

	if (api->session_new(&sess, NULL, &c))
		return NULL;
	for (int i = 0; i < 200; i++)
		if (api->screen_memory(sess, "t.xml", bundle, sizeof(bundle) - 1, &sink))
			break;
	api->session_free(sess);
	return NULL;
}

static void sessions_run_on_threads_at_once(void **state)
{
	struct seen a, b;
	pthread_t ta, tb;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	assert_int_equal(pthread_create(&ta, NULL, screen_many, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, screen_many, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.n, 200);
	assert_int_equal(b.n, 200);
	assert_true(a.mof == b.mof);
	assert_string_equal(a.reasons, b.reasons);
	api->result_free(a.kept);
	api->result_free(b.kept);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_and_checks_the_table),
		cmocka_unit_test(screens_through_the_host_allocator),
		cmocka_unit_test(reports_errors_without_a_session),
		cmocka_unit_test(reports_bad_input_with_a_message),
		cmocka_unit_test(sessions_run_on_threads_at_once),
	};
	int rc;

	if (argc < 2 || !getenv("FLS_DATADIR")) {
		fprintf(stderr, "usage: test_abi_host PATH/TO/libfls.so.1 (with FLS_DATADIR set)\n");
		return 2;
	}
	plugin_path = argv[1];
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (so)
		dlclose(so);
	return rc;
}
