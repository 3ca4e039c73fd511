/*
 * No patient data in anything the library reports (fls.h; SECURITY.md "Patient data in logs").
 * Bundles carrying a distinctive patient (name, NHS number, birth date, identifier, address,
 * telephone) go through every error path the session API reaches; nothing the host receives (host
 * log, on_problem, session_errmsg), nor anything printed to stdout/stderr during the call, may
 * contain any of those values. Each case also checks that its path was really taken (its status
 * and a keyword of its message), so a case that stopped reaching its path fails instead of passing.
 */
#define _GNU_SOURCE /* memmem */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sec_capture.h"
#include "test_util.h"

/* The patient. Every value below is distinctive, so that any appearance in a message is a leak. */
#define PAT_ID "pat-XQZ-7731"
#define GIVEN "Zebulon"
#define FAMILY "Quixotic-Fairweather"
#define NHS "9990000026"
#define BIRTH "1931-07-19"
#define LINE "17 Marigold Crescent"
#define CITY "Little Snoring"
#define POSTCODE "NR21 0ZZ"
#define PHONE "01632 960123"

static const char *const phi[] = {
	PAT_ID, "XQZ-7731", "XQZ", GIVEN, FAMILY, "Quixotic", "Fairweather", NHS, "999 000 0026", BIRTH,
	"1931-07", LINE, "Marigold", CITY, "Snoring", POSTCODE, "NR21", PHONE, "960123",
};

#define NS "xmlns=\"http://hl7.org/fhir\""
#define PATIENT_BODY \
	"<id value=\"" PAT_ID "\"/>" \
	"<text><status value=\"generated\"/>" \
	"<div xmlns=\"http://www.w3.org/1999/xhtml\">" GIVEN " " FAMILY ", born " BIRTH ", " LINE "</div>" \
	"</text>" \
	"<identifier><system value=\"https://fhir.nhs.uk/Id/nhs-number\"/>" \
	"<value value=\"" NHS "\"/></identifier>" \
	"<name><family value=\"" FAMILY "\"/><given value=\"" GIVEN "\"/></name>" \
	"<telecom><system value=\"phone\"/><value value=\"" PHONE "\"/></telecom>" \
	"<gender value=\"male\"/><birthDate value=\"" BIRTH "\"/>" \
	"<address><line value=\"" LINE "\"/><city value=\"" CITY "\"/>" \
	"<postalCode value=\"" POSTCODE "\"/></address>"
#define PATIENT "<Patient>" PATIENT_BODY "</Patient>"
#define ENTRY(res) "<entry><resource>" res "</resource></entry>"
#define BUNDLE(entries) "<Bundle " NS "><type value=\"collection\"/>" entries "</Bundle>"
#define HIP_CONDITION(subject) \
	"<Condition><code><coding><system value=\"http://hl7.org/fhir/sid/icd-10\"/>" \
	"<code value=\"S72.1\"/></coding></code><subject><reference value=\"" subject "\"/></subject>" \
	"<onsetDateTime value=\"2026-10-01\"/></Condition>"
#define OTHER_PATIENT "<Patient><id value=\"other-1\"/><gender value=\"female\"/></Patient>"

struct phi_case {
	const char *name;
	const char *xml;
	fls_status want;        /* screen_memory's status */
	const char *keyword;    /* must appear in what was reported (proves the path was taken) */
	/* session settings (0 = default) */
	uint32_t order, max_depth, max_string_bytes, max_resources_per_patient;
	uint64_t max_input_bytes, max_held_patients;
	unsigned stop_after;
};

static const struct phi_case cases[] = {
	/* Malformed XML at various points, each next to the patient's data. */
	{ .name = "truncated inside the family name",
	  .xml = "<Patient " NS "><id value=\"" PAT_ID "\"/>" "<name>"
	  "<family value=\"Quixotic-Fair",
	  .want = FLS_EPARSE, .keyword = "well-formed" },
	{ .name = "truncated after the name",
	  .xml = "<Patient " NS ">" PATIENT_BODY,
	  .want = FLS_EPARSE, .keyword = "well-formed" },
	{ .name = "mismatched end tag",
	  .xml = "<Patient " NS ">" PATIENT_BODY "<name><given value=\"" GIVEN
	  "\"></name></Patient>",
	  .want = FLS_EPARSE, .keyword = "well-formed" },
	{ .name = "unquoted attribute value",
	  .xml = "<Patient " NS "><id value=\"" PAT_ID "\"/><name><given value=" GIVEN
	  "/></name></Patient>",
	  .want = FLS_EPARSE, .keyword = "well-formed" },
	{ .name = "'<' inside the name",
	  .xml = "<Patient " NS "><id value=\"" PAT_ID "\"/>" "<name>"
	  "<family value=\"Quixotic<Fairweather\"/>" "</name>" "</Patient>",
	  .want = FLS_EPARSE, .keyword = "well-formed" },
	{ .name = "undefined entity inside the name",
	  .xml = "<Patient " NS "><id value=\"" PAT_ID "\"/>" "<name>"
	  "<family value=\"Zeb&Quixotic;\"/>" "</name>" "</Patient>",
	  .want = FLS_EPARSE, .keyword = "well-formed" },
	{ .name = "bare ampersand inside the address",
	  .xml = "<Patient " NS "><id value=\"" PAT_ID "\"/>" "<address>"
	  "<line value=\"17 Marigold & Crescent\"/>" "</address>" "</Patient>",
	  .want = FLS_EPARSE, .keyword = "well-formed" },
	{ .name = "invalid UTF-8 inside the name",
	  .xml = "<Patient " NS "><id value=\"" PAT_ID "\"/>" "<name>"
	  "<family value=\"Quixotic\xc3\x28" "Fairweather\"/></name></Patient>",
	  .want = FLS_EPARSE, .keyword = "well-formed" },
	{ .name = "invalid character reference inside the name",
	  .xml = "<Patient " NS "><id value=\"" PAT_ID "\"/>" "<name>"
	  "<given value=\"Zebulon&#1;\"/>" "</name>" "</Patient>",
	  .want = FLS_EPARSE, .keyword = "well-formed" },
	{ .name = "duplicate attribute",
	  .xml = "<Patient " NS "><id value=\"" PAT_ID "\" value=\"" NHS "\"/></Patient>",
	  .want = FLS_EPARSE, .keyword = "well-formed" },
	{ .name = "text after the root",
	  .xml = "<Patient " NS ">" PATIENT_BODY "</Patient>" GIVEN " " FAMILY,
	  .want = FLS_EPARSE, .keyword = "well-formed" },
	{ .name = "second root",
	  .xml = "<Patient " NS ">" PATIENT_BODY "</Patient><Patient " NS ">" PATIENT_BODY
	  "</Patient>",
	  .want = FLS_EPARSE, .keyword = "well-formed" },
	{ .name = "declared encoding other than UTF-8",
	  .xml = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" "<Patient " NS ">" PATIENT_BODY
	  "</Patient>",
	  .want = FLS_EPARSE, .keyword = "UTF-8" },
	{ .name = "declared encoding libxml2 cannot convert",
	  .xml = "<?xml version=\"1.0\" encoding=\"UTF-32\"?>\n<Patient " NS ">" PATIENT_BODY
	  "</Patient>",
	  .want = FLS_EPARSE, .keyword = NULL },
	{ .name = "EBCDIC",
	  .xml = "<?xml version=\"1.0\" encoding=\"EBCDIC-US\"?>\n<Patient " NS ">" PATIENT_BODY
	  "</Patient>",
	  .want = FLS_EPARSE, .keyword = NULL },
	/* Hostile constructs carrying the data. */
	{ .name = "DOCTYPE with the name in an entity",
	  .xml = "<?xml version=\"1.0\"?>" "<!DOCTYPE Patient [<!ENTITY n \"" GIVEN " " FAMILY
	  "\">]><Patient " NS "><id value=\"" PAT_ID "\"/>" "<name>" "<family value=\"&n;\"/>"
	  "</name>" "</Patient>",
	  .want = FLS_EPARSE, .keyword = "DOCTYPE" },
	{ .name = "wrong namespace",
	  .xml = "<Patient xmlns=\"http://hl7.org/fhir/stu3\">" PATIENT_BODY "</Patient>",
	  .want = FLS_EPARSE, .keyword = "namespace" },
	{ .name = "foreign element around the name",
	  .xml = "<Patient " NS "><id value=\"" PAT_ID "\"/>" "<x:name xmlns:x=\"urn:x\">"
	  "<x:family value=\"" FAMILY "\"/></x:name><birthDate value=\"" BIRTH "\"/></Patient>",
	  .want = FLS_OK, .keyword = "namespace" },
	/* FHIR-level problems. */
	{ .name = "bad birth date",
	  .xml = "<Patient " NS "><id value=\"" PAT_ID "\"/><birthDate value=\"" BIRTH
	  "T\"/></Patient>",
	  .want = FLS_OK, .keyword = "birthDate" },
	{ .name = "bad deceased date",
	  .xml = "<Patient " NS ">" PATIENT_BODY "<deceasedDateTime value=\"" BIRTH
	  "X\"/></Patient>",
	  .want = FLS_OK, .keyword = "deceasedDateTime" },
	{ .name = "bad condition date",
	  .xml = BUNDLE(ENTRY(PATIENT) ENTRY("<Condition>" "<code>" "<coding>"
	  "<system value=\"http://hl7.org/fhir/sid/icd-10\"/>" "<code value=\"S72.1\"/>"
	  "</coding>" "</code>" "<subject>" "<reference value=\"Patient/" PAT_ID
	  "\"/></subject><onsetDateTime value=\"" BIRTH "T99\"/></Condition>")),
	  .want = FLS_OK, .keyword = "onsetDateTime" },
	{ .name = "over-long id",
	  .xml = "<Patient " NS "><id value=\"" PAT_ID "-" PAT_ID "-" PAT_ID "-" PAT_ID "-" PAT_ID
	  "-" PAT_ID "\"/><name><family value=\"" FAMILY "\"/></name></Patient>",
	  .want = FLS_OK, .keyword = "longer" },
	{ .name = "over-long reference",
	  .xml = BUNDLE(ENTRY(PATIENT) ENTRY(HIP_CONDITION("Patient/" PAT_ID "/" NHS "/" NHS "/"
	  NHS "/" NHS "/" NHS "/" NHS "/" NHS "/" NHS "/" NHS "/" NHS "/" NHS "/" NHS "/" NHS "/"
	  NHS "/" NHS "/" NHS "/" NHS "/" NHS "/" NHS "/" NHS "/" NHS "/" NHS "/" NHS "/" NHS "/"
	  NHS))),
	  .want = FLS_OK, .keyword = "reference" },
	{ .name = "bad decimal",
	  .xml = BUNDLE(ENTRY(PATIENT) ENTRY("<Observation>" "<status value=\"final\"/>" "<code>"
	  "<coding>" "<system value=\"http://loinc.org\"/>" "<code value=\"39156-5\"/>"
	  "</coding>" "</code>" "<subject>" "<reference value=\"Patient/" PAT_ID "\"/>"
	  "</subject>" "<valueQuantity>" "<value value=\"" NHS
	  "kg\"/></valueQuantity></Observation>")),
	  .want = FLS_OK, .keyword = "decimal" },
	{ .name = "STU3 element",
	  .xml = BUNDLE(ENTRY(PATIENT) ENTRY("<Condition>" "<code>" "<coding>"
	  "<system value=\"http://hl7.org/fhir/sid/icd-10\"/>" "<code value=\"S72.1\"/>"
	  "</coding>" "</code>" "<subject>" "<reference value=\"Patient/" PAT_ID "\"/>"
	  "</subject>" "<context>" "<reference value=\"Encounter/" PAT_ID
	  "\"/></context></Condition>")),
	  .want = FLS_OK, .keyword = "STU3" },
	{ .name = "unknown code system",
	  .xml = BUNDLE(ENTRY(PATIENT) ENTRY("<Condition>" "<code>" "<coding>"
	  "<system value=\"urn:oid:1.2.826.0.1." NHS "\"/><code value=\"" PAT_ID "\"/>"
	  "</coding>" "</code>" "<subject>" "<reference value=\"Patient/" PAT_ID
	  "\"/></subject></Condition>")),
	  .want = FLS_OK, .keyword = NULL },
	{ .name = "missing subject",
	  .xml = BUNDLE(ENTRY(PATIENT) ENTRY("<Condition><id value=\"" PAT_ID "-c\"/>" "<code>"
	  "<coding>" "<system value=\"http://hl7.org/fhir/sid/icd-10\"/>"
	  "<code value=\"S72.1\"/>" "</coding>" "</code>" "</Condition>")),
	  .want = FLS_OK, .keyword = "subject" },
	{ .name = "patient without id or fullUrl",
	  .xml = "<Bundle " NS ">" "<entry>" "<resource>" "<Patient>" "<name>" "<family value=\""
	  FAMILY "\"/></name><birthDate value=\"" BIRTH "\"/>" "</Patient>" "</resource>"
	  "</entry>" "</Bundle>",
	  .want = FLS_OK, .keyword = "no id" },
	{ .name = "late resource with order=contiguous",
	  .xml = BUNDLE(ENTRY(PATIENT) ENTRY(HIP_CONDITION("Patient/" PAT_ID)) ENTRY(OTHER_PATIENT
	  ) ENTRY(HIP_CONDITION("Patient/other-1")) ENTRY(HIP_CONDITION("Patient/" PAT_ID))),
	  .want = FLS_OK, .keyword = "grouped", .order = FLS_ORDER_CONTIGUOUS },
	/* Limits. */
	{ .name = "depth limit",
	  .xml = "<Patient " NS ">" PATIENT_BODY "<extension url=\"x\">" "<extension url=\"y\">"
	  "<valueString value=\"" GIVEN "\"/></extension></extension></Patient>",
	  .want = FLS_ELIMIT, .keyword = "max_depth", .max_depth = 3 },
	{ .name = "string length limit",
	  .xml = "<Patient " NS ">" "<id value=\"p1\"/>" "<name>" "<family value=\"" FAMILY
	  "\"/></name></Patient>",
	  .want = FLS_ELIMIT, .keyword = "max_string_bytes", .max_string_bytes = 16 },
	{ .name = "input size limit",
	  .xml = "<Patient " NS ">" PATIENT_BODY "</Patient>",
	  .want = FLS_ELIMIT, .keyword = "max_input_bytes", .max_input_bytes = 64 },
	{ .name = "resources per patient limit",
	  .xml = BUNDLE(ENTRY(PATIENT) ENTRY(HIP_CONDITION("Patient/" PAT_ID)) ENTRY(HIP_CONDITION
	  ("Patient/" PAT_ID)) ENTRY(HIP_CONDITION("Patient/" PAT_ID))),
	  .want = FLS_OK, .keyword = "max_resources_per_patient", .max_resources_per_patient = 2 },
	{ .name = "held patients limit",
	  .xml = BUNDLE(ENTRY(HIP_CONDITION("Patient/" PAT_ID)) ENTRY(HIP_CONDITION(
	  "Patient/other-1")) ENTRY(PATIENT) ENTRY(OTHER_PATIENT)),
	  .want = FLS_ELIMIT, .keyword = "max_held_patients", .order = FLS_ORDER_ANY, .max_held_patients = 1 },
	/* The host stops the run. */
	{ .name = "host stops",
	  .xml = BUNDLE(ENTRY(PATIENT) ENTRY(HIP_CONDITION("Patient/" PAT_ID)) ENTRY(OTHER_PATIENT
	  )),
	  .want = FLS_EABORT, .keyword = "stopped", .stop_after = 1 },
};

/* What leaked or went wrong, as text; "" when the capture is clean. */
static void check_capture(const struct sec_capture *c, char *why, size_t cap)
{
	size_t n = 0;

	why[0] = '\0';
	for (size_t i = 0; i < sizeof(phi) / sizeof(phi[0]) && n < cap; i++)
		if (sec_find(c->text, phi[i]))
			n += (size_t)snprintf(why + n, cap - n, "patient data '%s' appears in a message; ", phi[i]);
	if (c->stdio_len && n < cap)
		snprintf(why + n, cap - n, "the library wrote to stdout/stderr (never allowed: document bytes may "
			 "be quoted there); ");
}

static void assert_no_phi(const struct sec_capture *c, const char *what)
{
	char why[1024];

	check_capture(c, why, sizeof(why));
	if (why[0])
		fail_msg("%s: %s\nreported:\n%s", what, why, c->text);
}

/* 0 when the case passes; otherwise prints why and returns 1 (every case runs, all failures are listed). */
static int run_case(const struct phi_case *k)
{
	struct sec_capture *c = calloc(1, sizeof(*c));
	char why[1024];
	fls_config cfg;
	fls_status st;
	int bad = 0;

	assert_non_null(c);
	sec_config(&cfg);
	cfg.order = k->order;
	cfg.max_depth = k->max_depth;
	cfg.max_string_bytes = k->max_string_bytes;
	cfg.max_resources_per_patient = k->max_resources_per_patient;
	cfg.max_input_bytes = k->max_input_bytes;
	cfg.max_held_patients = k->max_held_patients;
	c->stop_after = k->stop_after;
	assert_int_equal(sec_session(c, &cfg), FLS_OK);
	st = sec_screen(c, "practice.xml", k->xml, strlen(k->xml));
	sec_free(c);
	check_capture(c, why, sizeof(why));
	if (why[0]) {
		print_error("LEAK  %s: %s\n", k->name, why);
		bad = 1;
	}
	if (st != k->want) {
		print_error("PATH  %s: status %d, expected %d\n", k->name, (int)st, (int)k->want);
		bad = 1;
	}
	if (k->keyword && !sec_find(c->text, k->keyword)) {
		print_error("PATH  %s: the messages do not say '%s' (was the path taken?)\n", k->name, k->keyword);
		bad = 1;
	}
	if (k->want == FLS_OK && k->keyword && !c->problems) {
		print_error("PATH  %s: nothing was reported to on_problem\n", k->name);
		bad = 1;
	}
	if (bad)
		print_error("      reported:\n%s\n", c->text);
	free(c);
	return bad;
}

static void error_paths_report_no_patient_data(void **state)
{
	size_t failed = 0, n = sizeof(cases) / sizeof(cases[0]);

	(void)state;
	if (!tu_env("FLS_DATADIR"))
		skip();
	for (size_t i = 0; i < n; i++)
		failed += (size_t)run_case(&cases[i]);
	if (failed)
		fail_msg("%zu of %zu error paths leak patient data or miss their path (listed above)", failed, n);
}

/* A valid bundle screens cleanly: the control case, and proof that the data above is read as such. */
static void valid_bundle_screens_without_messages(void **state)
{
	static const char xml[] = BUNDLE(ENTRY(PATIENT) ENTRY(HIP_CONDITION("Patient/" PAT_ID)));
	struct sec_capture *c = calloc(1, sizeof(*c));

	(void)state;
	assert_non_null(c);
	if (!tu_env("FLS_DATADIR"))
		skip();
	assert_int_equal(sec_session(c, NULL), FLS_OK);
	assert_int_equal(sec_screen(c, "practice.xml", xml, sizeof(xml) - 1), FLS_OK);
	assert_int_equal(c->results, 1);
	assert_int_equal(c->problems, 0);
	sec_free(c);
	assert_no_phi(c, "valid bundle");
	free(c);
}

/* Store errors: a wrong key, outcomes refused, and no plaintext patient data in the store's files. */
static void store_case(uint32_t async)
{
	static const char xml[] = BUNDLE(ENTRY(PATIENT) ENTRY(HIP_CONDITION("Patient/" PAT_ID)));
	unsigned char key[32], other[32];
	char dir[512], path[600];
	struct sec_capture *c = calloc(1, sizeof(*c));
	fls_config cfg;

	assert_non_null(c);
	assert_non_null(sec_tmpdir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/decisions.db", dir);
	for (int i = 0; i < 32; i++) {
		key[i] = (unsigned char)(i * 13 + 1);
		other[i] = (unsigned char)(i * 7 + 3);
	}

	/* A store holding this patient's decision and an outcome. */
	sec_config(&cfg);
	cfg.store_path = path;
	cfg.store_key = key;
	cfg.store_key_len = sizeof(key);
	cfg.store_async = async;
	assert_int_equal(sec_session(c, &cfg), FLS_OK);
	assert_int_equal(sec_screen(c, "practice.xml", xml, sizeof(xml) - 1), FLS_OK);
	assert_int_equal(c->results, 1);
	assert_int_equal(sec_outcome(c, PAT_ID, "accepted", "Dr Example", "called " GIVEN " " FAMILY " on " PHONE),
			 FLS_OK);
	/* Refused outcomes name the problem, not the patient. */
	assert_int_equal(sec_outcome(c, PAT_ID, "maybe-" GIVEN, "Dr Example", NULL), FLS_EINVAL);
	assert_int_equal(sec_outcome(c, PAT_ID, "accepted", "", GIVEN), FLS_EINVAL);
	sec_free(c);
	assert_no_phi(c, "store: outcomes");

	/* At rest: the store's files hold none of it in plaintext. */
	{
		const char *suffix[] = { "", "-wal", "-shm" };

		for (size_t s = 0; s < 3; s++) {
			char p[700];
			size_t len = 0;
			char *bytes;

			snprintf(p, sizeof(p), "%s%s", path, suffix[s]);
			if (!(bytes = tu_read_file(p, &len)))
				continue;
			for (size_t i = 0; i < sizeof(phi) / sizeof(phi[0]); i++)
				if (len >= strlen(phi[i]) && memmem(bytes, len, phi[i], strlen(phi[i])))
					fail_msg("the store file %s holds '%s' in plaintext", p, phi[i]);
			free(bytes);
		}
	}

	/* The wrong key: session_new fails, its message goes to the host log. */
	memset(c, 0, sizeof(*c));
	cfg.store_key = other;
	assert_int_not_equal(sec_session(c, &cfg), FLS_OK);
	assert_null(c->sess);
	assert_true(c->logs > 0);
	assert_non_null(sec_find(c->text, "key"));
	assert_no_phi(c, "store: wrong key");

	/* No store configured: record_outcome says so. */
	memset(c, 0, sizeof(*c));
	sec_config(&cfg);
	assert_int_equal(sec_session(c, &cfg), FLS_OK);
	assert_int_equal(sec_outcome(c, PAT_ID, "accepted", "Dr Example", GIVEN), FLS_ESTORE);
	sec_free(c);
	assert_no_phi(c, "store: none configured");

	sec_rmdir(dir);
	free(c);
}

/* Store errors: both with appends on the calling thread and from the background writer. */
static void store_errors_report_no_patient_data(void **state)
{
	(void)state;
	if (!tu_env("FLS_DATADIR"))
		skip();
	store_case(0);
	store_case(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_bundle_screens_without_messages),
		cmocka_unit_test(error_paths_report_no_patient_data),
		cmocka_unit_test(store_errors_report_no_patient_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
