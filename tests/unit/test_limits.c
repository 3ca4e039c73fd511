/*
 * The per-session limits of fls_config (include/fls/fls.h), through the session API: each is enforced at
 * its boundary (the limit itself passes, one more fails), fails with FLS_ELIMIT (or, for a limit on one
 * patient's resources, a reported and skipped resource) and a message that names the limit, and leaves
 * the session usable for the next input. Configuration outside what the reader supports is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plugin/session.h"
#include "sec_capture.h"
#include "test_util.h"

#define NS "xmlns=\"http://hl7.org/fhir\""
#define PATIENT(id) "<Patient><id value=\"" id "\"/><gender value=\"female\"/><birthDate value=\"1940-01-01\"/></Patient>"
#define ENTRY(res) "<entry><resource>" res "</resource></entry>"
#define HIP(subject)                                                                                     \
	"<Condition><code><coding><system value=\"http://hl7.org/fhir/sid/icd-10\"/><code value=\"S72.1\"/>" \
	"</coding></code><subject><reference value=\"Patient/" subject "\"/></subject>"                      \
	"<onsetDateTime value=\"2026-10-01\"/></Condition>"

/* A growing text; every append is bounded (no sprintf: STYLE.md §2). */
struct text {
	char *p;
	size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = (t->cap + (size_t)n + 1) * 2;
		t->p = realloc(t->p, t->cap);
		assert_non_null(t->p);
	}
	t->len += (size_t)n;
}

static char *text_new(struct text *t)
{
	t->cap = 1024;
	t->len = 0;
	t->p = malloc(t->cap);
	assert_non_null(t->p);
	t->p[0] = '\0';
	return t->p;
}

static const char valid[] = "<Bundle " NS ">" ENTRY(PATIENT("v1")) ENTRY(HIP("v1")) "</Bundle>";

struct fixture {
	struct sec_capture *c;
	fls_config cfg;
	char *xml;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || !(f->c = calloc(1, sizeof(*f->c))))
		return -1;
	sec_config(&f->cfg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sec_free(f->c);
	free(f->c);
	free(f->xml);
	free(f);
	return 0;
}

static void open_session(struct fixture *f)
{
	if (!tu_env("FLS_DATADIR"))
		skip();
	assert_int_equal(sec_session(f->c, &f->cfg), FLS_OK);
}

/* Screen s and return the status, with the capture reset first. */
static fls_status screen(struct fixture *f, const char *s, size_t len)
{
	f->c->len = 0;
	f->c->text[0] = '\0';
	f->c->problems = f->c->results = 0;
	return sec_screen(f->c, "limits.xml", s, len);
}

static void assert_says(const struct fixture *f, const char *what)
{
	if (!sec_find(f->c->text, what))
		fail_msg("the message does not name '%s':\n%s", what, f->c->text);
}

/* After any limit error the same session screens a valid input normally. */
static void assert_still_usable(struct fixture *f)
{
	assert_int_equal(screen(f, valid, sizeof(valid) - 1), FLS_OK);
	assert_int_equal(f->c->results, 1);
}

/* A buffer of n bytes: a Patient padded with a comment (comments are legal anywhere after the root). */
static char *padded_to(size_t n)
{
	static const char head[] = "<Patient " NS "><id value=\"p1\"/></Patient><!--";
	static const char tail[] = "-->";
	char *p = malloc(n + 1);

	assert_non_null(p);
	assert_true(n >= sizeof(head) + sizeof(tail));
	memcpy(p, head, sizeof(head) - 1);
	memset(p + sizeof(head) - 1, 'x', n - (sizeof(head) - 1) - (sizeof(tail) - 1));
	memcpy(p + n - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
	p[n] = '\0';
	return p;
}

static void max_input_bytes_is_enforced(void **state)
{
	struct fixture *f = *state;
	fls_stats st;

	f->cfg.max_input_bytes = 4096;
	open_session(f);
	f->xml = padded_to(4096);
	assert_int_equal(screen(f, f->xml, 4096), FLS_OK);
	assert_int_equal(f->c->results, 1);
	free(f->xml);
	f->xml = padded_to(4097);
	assert_int_equal(screen(f, f->xml, 4097), FLS_ELIMIT);
	assert_int_equal(f->c->results, 0);
	assert_says(f, "max_input_bytes");
	assert_says(f, "4096");
	st.size = sizeof(st);
	assert_int_equal(plg_session_stats(f->c->sess, &st), FLS_OK);
	assert_int_equal(st.inputs_failed, 1);
	assert_still_usable(f);
}

/* A Patient whose extension nests to depth d in total (the root element is depth 1). */
static char *nested(unsigned d)
{
	static const char open[] = "<extension url=\"u\">", close[] = "</extension>";
	struct text t;

	assert_true(d >= 2);
	text_new(&t);
	put(&t, "<Patient %s><id value=\"p1\"/>", NS);
	for (unsigned i = 0; i < d - 1; i++)
		put(&t, "%s", open);
	for (unsigned i = 0; i < d - 1; i++)
		put(&t, "%s", close);
	put(&t, "</Patient>");
	return t.p;
}

static void max_depth_is_enforced(void **state)
{
	struct fixture *f = *state;

	f->cfg.max_depth = 8;
	open_session(f);
	f->xml = nested(8);
	assert_int_equal(screen(f, f->xml, strlen(f->xml)), FLS_OK);
	assert_int_equal(f->c->results, 1);
	free(f->xml);
	f->xml = nested(9);
	assert_int_equal(screen(f, f->xml, strlen(f->xml)), FLS_ELIMIT);
	assert_says(f, "max_depth");
	assert_says(f, "8");
	assert_still_usable(f);
}

static void max_depth_default_holds_deep_input(void **state)
{
	struct fixture *f = *state;

	open_session(f);
	f->xml = nested(64);
	assert_int_equal(screen(f, f->xml, strlen(f->xml)), FLS_OK);
	free(f->xml);
	f->xml = nested(5000);
	assert_int_equal(screen(f, f->xml, strlen(f->xml)), FLS_ELIMIT);
	assert_says(f, "max_depth");
}

static void max_depth_above_ceiling_is_refused(void **state)
{
	struct fixture *f = *state;

	if (!tu_env("FLS_DATADIR"))
		skip();
	f->cfg.max_depth = 201;
	assert_int_equal(sec_session(f->c, &f->cfg), FLS_EINVAL);
	assert_null(f->c->sess);
	assert_says(f, "max_depth");
}

/* A Patient whose family name is n bytes long (in a value attribute). */
static char *long_value(size_t n, int in_narrative)
{
	const char *open = in_narrative ? "<text><status value=\"generated\"/><div xmlns=\"http://www.w3.org/"
					  "1999/xhtml\"><span title=\"" : "<name><family value=\"";
	const char *close = in_narrative ? "\">x</span></div></text>" : "\"/></name>";
	struct text t;

	text_new(&t);
	put(&t, "<Patient %s><id value=\"p1\"/>%s%*s%s</Patient>", NS, open, (int)n, "", close);
	memset(t.p + t.len - n - strlen(close) - strlen("</Patient>"), 'N', n);
	return t.p;
}

static void max_string_bytes_is_enforced(void **state)
{
	struct fixture *f = *state;

	f->cfg.max_string_bytes = 100;
	open_session(f);
	f->xml = long_value(100, 0);
	assert_int_equal(screen(f, f->xml, strlen(f->xml)), FLS_OK);
	assert_int_equal(f->c->results, 1);
	free(f->xml);
	f->xml = long_value(101, 0);
	assert_int_equal(screen(f, f->xml, strlen(f->xml)), FLS_ELIMIT);
	assert_says(f, "max_string_bytes");
	assert_says(f, "100");
	free(f->xml);
	/* Also in the narrative, which the reader otherwise skips. */
	f->xml = long_value(101, 1);
	assert_int_equal(screen(f, f->xml, strlen(f->xml)), FLS_ELIMIT);
	assert_says(f, "max_string_bytes");
	assert_still_usable(f);
}

/* One patient with n Conditions. */
static char *resources(unsigned n)
{
	struct text t;

	text_new(&t);
	put(&t, "<Bundle %s>%s", NS, ENTRY(PATIENT("r1")));
	for (unsigned i = 0; i < n; i++)
		put(&t, "%s", ENTRY(HIP("r1")));
	put(&t, "</Bundle>");
	return t.p;
}

static void max_resources_per_patient_is_enforced(void **state)
{
	struct fixture *f = *state;

	f->cfg.max_resources_per_patient = 4; /* the Patient and 3 Conditions */
	open_session(f);
	f->xml = resources(3);
	assert_int_equal(screen(f, f->xml, strlen(f->xml)), FLS_OK);
	assert_int_equal(f->c->problems, 0);
	assert_int_equal(f->c->results, 1);
	free(f->xml);
	f->xml = resources(4);
	assert_int_equal(screen(f, f->xml, strlen(f->xml)), FLS_OK);
	assert_int_equal(f->c->problems, 1);
	assert_says(f, "max_resources_per_patient");
	assert_says(f, "4");
	assert_still_usable(f);
}

/* n patients, each Condition before its Patient and all Conditions first: nothing can be released early. */
static char *interleaved(unsigned n)
{
	struct text t;

	text_new(&t);
	put(&t, "<Bundle %s>", NS);
	for (unsigned i = 0; i < n; i++)
		put(&t, "<entry><resource><Condition><code><coding><system value=\"http://hl7.org/fhir/sid/"
			     "icd-10\"/><code value=\"S72.1\"/></coding></code><subject><reference value=\"Patient/"
			     "h%u\"/></subject></Condition></resource></entry>", i);
	for (unsigned i = 0; i < n; i++)
		put(&t, "<entry><resource><Patient><id value=\"h%u\"/></Patient></resource></entry>", i);
	put(&t, "</Bundle>");
	return t.p;
}

static void max_held_patients_is_enforced(void **state)
{
	struct fixture *f = *state;

	f->cfg.max_held_patients = 3;
	f->cfg.order = FLS_ORDER_ANY;
	open_session(f);
	f->xml = interleaved(3);
	assert_int_equal(screen(f, f->xml, strlen(f->xml)), FLS_OK);
	assert_int_equal(f->c->results, 3);
	free(f->xml);
	f->xml = interleaved(4);
	assert_int_equal(screen(f, f->xml, strlen(f->xml)), FLS_ELIMIT);
	assert_says(f, "max_held_patients");
	assert_says(f, "3");
	assert_still_usable(f);
}

/* Grouped input streams: with order=contiguous, many patients pass a small held-patient limit. */
static void max_held_patients_allows_grouped_input(void **state)
{
	struct fixture *f = *state;
	struct text t;

	f->cfg.max_held_patients = 2;
	f->cfg.order = FLS_ORDER_CONTIGUOUS;
	open_session(f);
	f->xml = text_new(&t);
	put(&t, "<Bundle %s>", NS);
	for (unsigned i = 0; i < 40; i++)
		put(&t, "<entry><resource><Patient><id value=\"g%u\"/></Patient></resource></entry>"
			     "<entry><resource><Condition><code><coding><system value=\"http://hl7.org/fhir/sid/"
			     "icd-10\"/><code value=\"S72.1\"/></coding></code><subject><reference value=\"Patient/"
			     "g%u\"/></subject></Condition></resource></entry>", i, i);
	put(&t, "</Bundle>");
	f->xml = t.p;
	assert_int_equal(screen(f, f->xml, strlen(f->xml)), FLS_OK);
	assert_int_equal(f->c->results, 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(max_input_bytes_is_enforced, setup, teardown),
		cmocka_unit_test_setup_teardown(max_depth_is_enforced, setup, teardown),
		cmocka_unit_test_setup_teardown(max_depth_default_holds_deep_input, setup, teardown),
		cmocka_unit_test_setup_teardown(max_depth_above_ceiling_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(max_string_bytes_is_enforced, setup, teardown),
		cmocka_unit_test_setup_teardown(max_resources_per_patient_is_enforced, setup, teardown),
		cmocka_unit_test_setup_teardown(max_held_patients_is_enforced, setup, teardown),
		cmocka_unit_test_setup_teardown(max_held_patients_allows_grouped_input, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
