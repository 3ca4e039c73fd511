/*
 * The streaming reader on in-memory FHIR R4 XML: joins in any order, references in every form, choice
 * elements, contained and bundle Medications, Encounter dating, statuses that do not count, dosage,
 * contiguity and release, and hostile input (DOCTYPE, entities, namespaces, encodings, limits).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codes/concepts.h"
#include "fhir/reader.h"
#include "risk/notes.h"
#include "test_util.h"

#define NS "xmlns=\"http://hl7.org/fhir\""
#define MAXP 16

/* SNOMED CT / ICD-10 / dm+d codes taken from the project's code sets (each checked below). */
#define SCT "http://snomed.info/sct"
#define HIP_FRACTURE_SCT "263228009"     /* Basicervical fracture of neck of femur: fracture_hip */
#define ICD "http://hl7.org/fhir/sid/icd-10"

struct captured {
	struct risk_patient p[MAXP];
	int n;
	int order_at_delivery[MAXP]; /* resources read when each patient was delivered */
	int problems;
	char last_problem[600];
	struct fhir_reader *r;
};

static struct codes_set *codes;

static int on_patient(void *ctx, struct risk_patient *p)
{
	struct captured *c = ctx;

	assert_true(c->n < MAXP);
	c->p[c->n] = *p;
	c->p[c->n].events = NULL;
	if (p->n_events) {
		c->p[c->n].events = malloc(p->n_events * sizeof(*p->events));
		memcpy(c->p[c->n].events, p->events, p->n_events * sizeof(*p->events));
	}
	c->order_at_delivery[c->n] = (int)fhir_reader_stats(c->r)->resources;
	c->n++;
	return 0;
}

static void on_problem(void *ctx, fls_status st, const char *msg)
{
	struct captured *c = ctx;

	(void)st;
	c->problems++;
	snprintf(c->last_problem, sizeof(c->last_problem), "%s", msg);
}

static void free_captured(struct captured *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->p[i].events);
	c->n = 0;
}

/* Read xml (fed in pieces of `chunk` bytes; 0 = whole) with the given order; returns the status. */
static fls_status read_xml_ex(const char *xml, size_t chunk, uint32_t order, uint32_t max_depth, struct captured *c,
			      struct fls_diag *d)
{
	struct fhir_reader_cfg cfg = { 0 };
	struct fhir_reader *r = NULL;
	size_t len = strlen(xml), off = 0;
	fls_status st = FLS_OK, fin;

	memset(c, 0, sizeof(*c));
	cfg.mem = &fls_mem_libc;
	cfg.codes = codes;
	cfg.order = order;
	cfg.max_depth = max_depth ? max_depth : 64;
	cfg.max_string_bytes = 4096;
	cfg.max_resources_per_patient = 1000;
	cfg.max_held_patients = 1000;
	cfg.on_patient = on_patient;
	cfg.on_problem = on_problem;
	cfg.ctx = c;
	assert_int_equal(fhir_reader_new(&r, &cfg, "test.xml", d), FLS_OK);
	c->r = r;
	while (off < len && !st) {
		size_t n = chunk && len - off > chunk ? chunk : len - off;

		st = fhir_reader_feed(r, xml + off, n, d);
		off += n;
	}
	fin = fhir_reader_finish(r, d);
	if (!st)
		st = fin;
	fhir_reader_free(r);
	c->r = NULL;
	return st;
}

static fls_status read_xml(const char *xml, struct captured *c, struct fls_diag *d)
{
	return read_xml_ex(xml, 0, FLS_ORDER_AUTO, 0, c, d);
}

static const struct risk_patient *find(const struct captured *c, const char *id)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->p[i].id, id))
			return &c->p[i];
	return NULL;
}

static int count_concept(const struct risk_patient *p, int concept)
{
	int n = 0;

	for (uint32_t i = 0; i < p->n_events; i++)
		n += (p->events[i].concepts & CONCEPT_BIT(concept)) != 0;
	return n;
}

static const struct risk_event *first_with(const struct risk_patient *p, int concept)
{
	for (uint32_t i = 0; i < p->n_events; i++)
		if (p->events[i].concepts & CONCEPT_BIT(concept))
			return &p->events[i];
	return NULL;
}

static int setup(void **state)
{
	char dir[4096];
	struct fls_diag d = { "" };
	const char *data = tu_env("FLS_DATADIR");

	(void)state;
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

#define PATIENT(id, extra) \
	"<entry><fullUrl value=\"urn:uuid:" id "\"/><resource><Patient><id value=\"" id "\"/>" \
	"<gender value=\"female\"/><birthDate value=\"1950-06-01\"/>" extra "</Patient></resource></entry>"
#define HIP(subject, date) \
	"<entry><resource><Condition><code><coding><system value=\"" SCT "\"/><code value=\"" HIP_FRACTURE_SCT \
	"\"/></coding></code><subject><reference value=\"" subject "\"/></subject><onsetDateTime value=\"" date \
	"\"/></Condition></resource></entry>"

static void joins_resources_in_any_order(void **state)
{
	static const char xml[] = "<Bundle " NS "><type value=\"collection\"/>"
		HIP("urn:uuid:p1", "2025-01-10")           /* before its Patient, by fullUrl */
		PATIENT("p1", "")
		HIP("Patient/p1", "2025-02-10")            /* relative Type/id */
		HIP("http://example.org/fhir/Patient/p1/_history/3", "2025-03-10") /* absolute + history */
		HIP("/Patient/p1", "2025-04-10")           /* leading slash */
		HIP("p1", "2025-05-10")                    /* bare id */
		"</Bundle>";
	struct captured c;
	struct fls_diag d = { "" };
	const struct risk_patient *p;

	(void)state;
	assert_int_equal(read_xml(xml, &c, &d), FLS_OK);
	assert_int_equal(c.n, 1);
	assert_non_null(p = find(&c, "p1"));
	assert_true(p->has_patient);
	assert_int_equal(p->sex, RISK_SEX_FEMALE);
	assert_int_equal(p->birth_day, risk_day_from_civil(1950, 6, 1));
	assert_int_equal(count_concept(p, CONCEPT_FRACTURE_HIP), 5);
	assert_int_equal(c.problems, 0);
	free_captured(&c);
}

static void merges_a_patient_reached_under_two_keys(void **state)
{
	static const char xml[] = "<Bundle " NS ">"
		HIP("Patient/p2", "2025-01-10")
		HIP("urn:uuid:p2", "2025-02-10")
		PATIENT("p2", "")
		"</Bundle>";
	struct captured c;
	struct fls_diag d = { "" };

	(void)state;
	assert_int_equal(read_xml(xml, &c, &d), FLS_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(count_concept(&c.p[0], CONCEPT_FRACTURE_HIP), 2);
	free_captured(&c);
}

static void reads_patient_fields_and_extensions(void **state)
{
	static const char xml[] =
		"<Patient " NS "><id value=\"px\"/>"
		"<text><status value=\"generated\"/><xhtml:div xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">"
		"<xhtml:p>Name <xhtml:b>here</xhtml:b></xhtml:p></xhtml:div></text>"
		"<extension url=\"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory\">"
		"<valueCodeableConcept><coding><system value=\"https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland\"/>"
		"<code value=\"H\"/></coding></valueCodeableConcept></extension>"
		"<identifier><system value=\"https://fhir.nhs.uk/Id/nhs-number\"/><value value=\"999 000 0018\"/></identifier>"
		"<gender value=\"male\"/>"
		"<birthDate value=\"1944-02\"><extension url=\"http://hl7.org/fhir/StructureDefinition/patient-birthTime\">"
		"<valueDateTime value=\"1944-02-14T10:00:00Z\"/></extension></birthDate>"
		"<deceasedDateTime value=\"2026-01-02\"/></Patient>";
	struct captured c;
	struct fls_diag d = { "" };
	const struct risk_patient *p;

	(void)state;
	assert_int_equal(read_xml(xml, &c, &d), FLS_OK);
	assert_int_equal(c.n, 1);
	p = &c.p[0];
	assert_string_equal(p->id, "px");
	assert_string_equal(p->nhs_number, "9990000018");
	assert_string_equal(p->ethnic, "H");
	assert_int_equal(p->sex, RISK_SEX_MALE);
	assert_int_equal(p->birth_day, risk_day_from_civil(1944, 2, 15));
	assert_true(p->birth_partial);
	assert_true(p->deceased);
	assert_int_equal(p->deceased_day, risk_day_from_civil(2026, 1, 2));
	assert_true(p->notes & RISK_NOTE_BIT(RISK_NOTE_BIRTH_PARTIAL));
	free_captured(&c);
}

static void reads_choice_elements_and_values(void **state)
{
	static const char xml[] = "<Bundle " NS ">" PATIENT("p3", "")
		"<entry><resource><Condition><code><coding><system value=\"" SCT "\"/><code value=\"" HIP_FRACTURE_SCT "\"/>"
		"</coding></code><subject><reference value=\"urn:uuid:p3\"/></subject>"
		"<onsetPeriod><start value=\"2024-05\"/></onsetPeriod></Condition></resource></entry>"
		"<entry><resource><Observation><status value=\"final\"/><code><coding><system value=\"http://loinc.org\"/>"
		"<code value=\"39156-5\"/></coding></code><subject><reference value=\"urn:uuid:p3\"/></subject>"
		"<effectivePeriod><start value=\"2025-03-01T00:30:00+01:00\"/></effectivePeriod>"
		"<valueQuantity><value value=\"24.5\"/><unit value=\"kg/m2\"/><system value=\"http://unitsofmeasure.org\"/>"
		"<code value=\"kg/m2\"/></valueQuantity></Observation></resource></entry>"
		"<entry><resource><Observation><status value=\"final\"/><code><coding><system value=\"http://loinc.org\"/>"
		"<code value=\"72166-2\"/></coding></code><subject><reference value=\"urn:uuid:p3\"/></subject>"
		"<issued value=\"2025-01-05T09:00:00Z\"/><valueCodeableConcept><coding><system value=\"" SCT "\"/>"
		"<code value=\"266919005\"/></coding></valueCodeableConcept></Observation></resource></entry>"
		"</Bundle>";
	struct captured c;
	struct fls_diag d = { "" };
	const struct risk_event *e;

	(void)state;
	assert_int_equal(read_xml(xml, &c, &d), FLS_OK);
	assert_int_equal(c.n, 1);
	assert_non_null(e = first_with(&c.p[0], CONCEPT_FRACTURE_HIP));
	assert_int_equal(e->day, risk_day_from_civil(2024, 5, 15));
	assert_true(e->flags & RISK_EV_PARTIAL_DATE);
	assert_true(c.p[0].notes & RISK_NOTE_BIT(RISK_NOTE_PARTIAL_DATE));
	assert_non_null(e = first_with(&c.p[0], CONCEPT_BMI));
	assert_true(e->value == 24.5);
	assert_int_equal(e->unit, RISK_UNIT_KG_M2);
	assert_int_equal(e->day, risk_day_from_civil(2025, 2, 28)); /* the time zone moves it back a day */
	assert_non_null(e = first_with(&c.p[0], CONCEPT_SMOKING_NEVER));
	assert_true(e->flags & RISK_EV_VALUE_CODED);
	assert_int_equal(e->day, risk_day_from_civil(2025, 1, 5));
	free_captured(&c);
}

static void resolves_contained_and_bundle_medications(void **state)
{
	static const char xml[] = "<Bundle " NS ">" PATIENT("p4", "")
		"<entry><resource><MedicationRequest><contained><Medication><id value=\"m1\"/><code><coding>"
		"<system value=\"http://www.whocc.no/atc\"/><code value=\"M05BA04\"/></coding></code></Medication></contained>"
		"<status value=\"active\"/><intent value=\"order\"/><medicationReference><reference value=\"#m1\"/>"
		"</medicationReference><subject><reference value=\"urn:uuid:p4\"/></subject>"
		"<authoredOn value=\"2026-01-10\"/></MedicationRequest></resource></entry>"
		"<entry><resource><MedicationRequest><status value=\"active\"/><intent value=\"order\"/>"
		"<medicationReference><reference value=\"urn:uuid:med-pred\"/></medicationReference>"
		"<subject><reference value=\"urn:uuid:p4\"/></subject><authoredOn value=\"2026-02-10\"/>"
		"<dosageInstruction><timing><repeat><frequency value=\"2\"/><period value=\"1\"/><periodUnit value=\"d\"/>"
		"</repeat></timing><doseAndRate><doseQuantity><value value=\"5\"/><unit value=\"mg\"/>"
		"<system value=\"http://unitsofmeasure.org\"/><code value=\"mg\"/></doseQuantity></doseAndRate>"
		"</dosageInstruction></MedicationRequest></resource></entry>"
		"<entry><fullUrl value=\"urn:uuid:med-pred\"/><resource><Medication><code><coding>"
		"<system value=\"http://www.whocc.no/atc\"/><code value=\"H02AB06\"/></coding></code></Medication></resource></entry>"
		"</Bundle>";
	struct captured c;
	struct fls_diag d = { "" };
	const struct risk_event *e;

	(void)state;
	assert_int_equal(read_xml(xml, &c, &d), FLS_OK);
	assert_int_equal(c.n, 1);
	assert_non_null(e = first_with(&c.p[0], CONCEPT_BONE_SPARING_TREATMENT));
	assert_int_equal(e->bone_months, 6);
	assert_int_equal(e->src, RISK_SRC_MED_REQUEST);
	assert_non_null(e = first_with(&c.p[0], CONCEPT_GLUCOCORTICOID_ORAL));
	/* prednisolone (H02AB06) 5 mg twice a day = 10 mg/day prednisolone-equivalent (7.2.1) */
	assert_true(fabs(e->dose_pred_mg - 10.0) < 1e-9);
	assert_false(c.p[0].notes & RISK_NOTE_BIT(RISK_NOTE_MED_UNRESOLVED));
	free_captured(&c);
}

static void dates_conditions_by_encounter_and_keeps_reasons(void **state)
{
	static const char xml[] = "<Bundle " NS ">" PATIENT("p5", "")
		"<entry><fullUrl value=\"urn:uuid:c1\"/><resource><Condition><code><coding><system value=\"" ICD "\"/>"
		"<code value=\"S22.0\"/></coding></code><subject><reference value=\"urn:uuid:p5\"/></subject>"
		"</Condition></resource></entry>"
		"<entry><fullUrl value=\"urn:uuid:e2\"/><resource><Encounter><status value=\"finished\"/>"
		"<subject><reference value=\"urn:uuid:p5\"/></subject><period><start value=\"2026-03-04T10:00:00Z\"/></period>"
		"<reasonCode><coding><system value=\"" ICD "\"/><code value=\"W01\"/></coding></reasonCode>"
		"<diagnosis><condition><reference value=\"urn:uuid:c1\"/></condition></diagnosis></Encounter></resource></entry>"
		"<entry><fullUrl value=\"urn:uuid:e1\"/><resource><Encounter><status value=\"finished\"/>"
		"<subject><reference value=\"urn:uuid:p5\"/></subject><period><start value=\"2026-03-01\"/></period>"
		"<diagnosis><condition><reference value=\"urn:uuid:c1\"/></condition></diagnosis></Encounter></resource></entry>"
		"</Bundle>";
	struct captured c;
	struct fls_diag d = { "" };
	const struct risk_event *v, *f;

	(void)state;
	assert_int_equal(read_xml(xml, &c, &d), FLS_OK);
	assert_int_equal(c.n, 1);
	assert_non_null(v = first_with(&c.p[0], CONCEPT_FRACTURE_VERTEBRAL));
	/* undated Condition: the earliest referencing Encounter's period.start (7.1) */
	assert_int_equal(v->day, risk_day_from_civil(2026, 3, 1));
	assert_true(v->flags & RISK_EV_DATE_FROM_ENCOUNTER);
	assert_non_null(f = first_with(&c.p[0], CONCEPT_FALLS));
	assert_int_equal(f->src, RISK_SRC_ENCOUNTER);
	assert_int_equal(f->day, risk_day_from_civil(2026, 3, 4));
	assert_true(f->encounter != 0);
	assert_true(v->encounter != 0);
	free_captured(&c);
}

static void drops_records_that_do_not_count(void **state)
{
	static const char xml[] = "<Bundle " NS ">" PATIENT("p6", "")
		"<entry><resource><Condition><verificationStatus><coding><code value=\"refuted\"/></coding></verificationStatus>"
		"<code><coding><system value=\"" SCT "\"/><code value=\"" HIP_FRACTURE_SCT "\"/></coding></code>"
		"<subject><reference value=\"urn:uuid:p6\"/></subject><onsetDateTime value=\"2025-01-01\"/></Condition></resource></entry>"
		"<entry><resource><Observation><status value=\"entered-in-error\"/><code><coding><system value=\"http://loinc.org\"/>"
		"<code value=\"39156-5\"/></coding></code><subject><reference value=\"urn:uuid:p6\"/></subject>"
		"<effectiveDateTime value=\"2025-01-01\"/><valueQuantity><value value=\"30\"/></valueQuantity></Observation></resource></entry>"
		"<entry><resource><MedicationStatement><status value=\"not-taken\"/><medicationCodeableConcept><coding>"
		"<system value=\"http://www.whocc.no/atc\"/><code value=\"M05BA04\"/></coding></medicationCodeableConcept>"
		"<subject><reference value=\"urn:uuid:p6\"/></subject><effectiveDateTime value=\"2025-01-01\"/></MedicationStatement></resource></entry>"
		"<entry><resource><MedicationRequest><status value=\"cancelled\"/><intent value=\"order\"/><medicationCodeableConcept><coding>"
		"<system value=\"http://www.whocc.no/atc\"/><code value=\"M05BA04\"/></coding></medicationCodeableConcept>"
		"<subject><reference value=\"urn:uuid:p6\"/></subject><authoredOn value=\"2025-01-01\"/></MedicationRequest></resource></entry>"
		"<entry><resource><MedicationDispense><status value=\"completed\"/><medicationCodeableConcept><coding>"
		"<system value=\"http://www.whocc.no/atc\"/><code value=\"M05BA04\"/></coding></medicationCodeableConcept>"
		"<subject><reference value=\"urn:uuid:p6\"/></subject><authorizingPrescription><reference value=\"urn:uuid:rx\"/>"
		"</authorizingPrescription><whenHandedOver value=\"2025-01-02\"/></MedicationDispense></resource></entry>"
		"<entry><resource><MedicationDispense><status value=\"completed\"/><medicationCodeableConcept><coding>"
		"<system value=\"http://www.whocc.no/atc\"/><code value=\"M05BA04\"/></coding></medicationCodeableConcept>"
		"<subject><reference value=\"urn:uuid:p6\"/></subject><whenHandedOver value=\"2025-07-02\"/>"
		"</MedicationDispense></resource></entry>"
		HIP("urn:uuid:p6", "2025-06-01")
		"</Bundle>";
	struct captured c;
	struct fls_diag d = { "" };

	(void)state;
	assert_int_equal(read_xml(xml, &c, &d), FLS_OK);
	assert_int_equal(c.n, 1);
	/* only the hip fracture and the dispense that no prescription in the record authorised */
	assert_int_equal(c.p[0].n_events, 2);
	assert_int_equal(first_with(&c.p[0], CONCEPT_FRACTURE_HIP)->day, risk_day_from_civil(2025, 6, 1));
	assert_int_equal(first_with(&c.p[0], CONCEPT_BONE_SPARING_TREATMENT)->day, risk_day_from_civil(2025, 7, 2));
	assert_int_equal(first_with(&c.p[0], CONCEPT_BONE_SPARING_TREATMENT)->src, RISK_SRC_MED_DISPENSE);
	free_captured(&c);
}

static void reads_family_history_and_statement_periods(void **state)
{
	static const char xml[] = "<Bundle " NS ">" PATIENT("p7", "")
		"<entry><resource><FamilyMemberHistory><status value=\"completed\"/><patient><reference value=\"urn:uuid:p7\"/></patient>"
		"<relationship><coding><system value=\"http://terminology.hl7.org/CodeSystem/v3-RoleCode\"/><code value=\"MTH\"/></coding></relationship>"
		"<condition><code><coding><system value=\"" SCT "\"/><code value=\"" HIP_FRACTURE_SCT "\"/></coding></code></condition>"
		"</FamilyMemberHistory></resource></entry>"
		"<entry><resource><MedicationStatement><status value=\"active\"/><medicationCodeableConcept><coding>"
		"<system value=\"http://www.whocc.no/atc\"/><code value=\"M05BX04\"/></coding></medicationCodeableConcept>"
		"<subject><reference value=\"urn:uuid:p7\"/></subject><effectivePeriod><start value=\"2024-01-01\"/>"
		"<end value=\"2025-01-01\"/></effectivePeriod></MedicationStatement></resource></entry>"
		"</Bundle>";
	struct captured c;
	struct fls_diag d = { "" };
	const struct risk_event *e;

	(void)state;
	assert_int_equal(read_xml(xml, &c, &d), FLS_OK);
	assert_non_null(e = first_with(&c.p[0], CONCEPT_FRACTURE_HIP));
	assert_int_equal(e->src, RISK_SRC_FAMILY_HISTORY);
	assert_true(e->flags & RISK_EV_PARENT);
	assert_int_equal(e->day, RISK_NO_DAY);
	assert_non_null(e = first_with(&c.p[0], CONCEPT_BONE_SPARING_TREATMENT));
	assert_true(e->flags & RISK_EV_PERIOD);
	assert_int_equal(e->day, risk_day_from_civil(2024, 1, 1));
	assert_int_equal(e->end_day, risk_day_from_civil(2025, 1, 1));
	assert_int_equal(e->bone_months, 7); /* denosumab */
	free_captured(&c);
}

static void reads_nested_bundles_and_single_resources(void **state)
{
	static const char nested[] = "<Bundle " NS "><type value=\"batch-response\"/>"
		"<entry><resource><Bundle><type value=\"searchset\"/>" PATIENT("p8", "") HIP("urn:uuid:p8", "2025-01-01")
		"</Bundle></resource></entry>"
		"<entry><resource><Practitioner><id value=\"x\"/></Practitioner></resource></entry></Bundle>";
	static const char single[] = "<Condition " NS "><code><coding><system value=\"" SCT "\"/><code value=\""
		HIP_FRACTURE_SCT "\"/></coding></code><subject><reference value=\"Patient/ghost\"/></subject>"
		"<onsetDateTime value=\"2025-01-01\"/></Condition>";
	struct captured c;
	struct fls_diag d = { "" };

	(void)state;
	assert_int_equal(read_xml(nested, &c, &d), FLS_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(count_concept(&c.p[0], CONCEPT_FRACTURE_HIP), 1);
	free_captured(&c);
	assert_int_equal(read_xml(single, &c, &d), FLS_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.p[0].id, "ghost");
	assert_false(c.p[0].has_patient);
	assert_true(c.p[0].notes & RISK_NOTE_BIT(RISK_NOTE_NO_PATIENT));
	free_captured(&c);
}

static void bad_resource_is_reported_and_others_screened(void **state)
{
	static const char xml[] = "<Bundle " NS ">" PATIENT("p9", "") HIP("urn:uuid:p9", "2025-13-45")
		PATIENT("p10", "") HIP("urn:uuid:p10", "2025-01-01") "</Bundle>";
	struct captured c;
	struct fls_diag d = { "" };

	(void)state;
	assert_int_equal(read_xml(xml, &c, &d), FLS_OK);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.problems, 1);
	assert_non_null(strstr(c.last_problem, "test.xml"));
	assert_non_null(strstr(c.last_problem, "Condition"));
	assert_non_null(strstr(c.last_problem, "onsetDateTime"));
	assert_null(strstr(c.last_problem, "p9")); /* no identifiers in messages */
	assert_int_equal(find(&c, "p9")->n_events, 0);
	assert_int_equal(find(&c, "p10")->n_events, 1);
	free_captured(&c);
}

static void streams_contiguous_patients(void **state)
{
	static const char xml[] = "<Bundle " NS ">"
		PATIENT("a", "") HIP("urn:uuid:a", "2025-01-01")
		PATIENT("b", "") HIP("urn:uuid:b", "2025-01-01")
		PATIENT("c", "") HIP("urn:uuid:c", "2025-01-01") "</Bundle>";
	static const char by_type[] = "<Bundle " NS ">"
		PATIENT("a", "") PATIENT("b", "") PATIENT("c", "")
		HIP("urn:uuid:a", "2025-01-01") HIP("urn:uuid:b", "2025-01-01") HIP("urn:uuid:c", "2025-01-01")
		"</Bundle>";
	struct captured c;
	struct fls_diag d = { "" };

	(void)state;
	assert_int_equal(read_xml_ex(xml, 7, FLS_ORDER_AUTO, 0, &c, &d), FLS_OK);
	assert_int_equal(c.n, 3);
	/* a and b were released as soon as the next patient began, not at the end */
	assert_int_equal(c.order_at_delivery[0], 3);
	assert_int_equal(c.order_at_delivery[1], 5);
	assert_string_equal(c.p[0].id, "a");
	free_captured(&c);
	/* grouped by type: held to the end, every patient keeps its fracture */
	assert_int_equal(read_xml_ex(by_type, 13, FLS_ORDER_AUTO, 0, &c, &d), FLS_OK);
	assert_int_equal(c.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(c.order_at_delivery[i], 6);
		assert_int_equal(count_concept(&c.p[i], CONCEPT_FRACTURE_HIP), 1);
	}
	free_captured(&c);
	/* a host that promises grouping gets a report, not silence, for a late resource */
	assert_int_equal(read_xml_ex(by_type, 0, FLS_ORDER_CONTIGUOUS, 0, &c, &d), FLS_OK);
	assert_true(c.problems >= 2);
	assert_non_null(strstr(c.last_problem, "not grouped by patient"));
	free_captured(&c);
}

static void byte_by_byte_feeding_gives_the_same_facts(void **state)
{
	static const char xml[] = "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Bundle " NS ">" PATIENT("p11", "")
		HIP("urn:uuid:p11", "2025-01-01") "</Bundle>";
	struct captured a, b;
	struct fls_diag d = { "" };

	(void)state;
	assert_int_equal(read_xml_ex(xml, 0, FLS_ORDER_AUTO, 0, &a, &d), FLS_OK);
	assert_int_equal(read_xml_ex(xml, 1, FLS_ORDER_AUTO, 0, &b, &d), FLS_OK);
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n, 1);
	assert_int_equal(a.p[0].n_events, b.p[0].n_events);
	assert_memory_equal(a.p[0].events, b.p[0].events, a.p[0].n_events * sizeof(*a.p[0].events));
	free_captured(&a);
	free_captured(&b);
}

/* Each hostile document must fail with `want` and a message containing `says`. */
static void expect_refused(const char *xml, fls_status want, const char *says)
{
	struct captured c;
	struct fls_diag d = { "" };
	fls_status st = read_xml(xml, &c, &d);

	if (st != want || !strstr(d.msg, says))
		fail_msg("document refused with %d '%s', expected %d with '%s'", st, d.msg, want, says);
	free_captured(&c);
}

static void refuses_hostile_and_malformed_input(void **state)
{
	char deep[4096];
	size_t n = 0;

	(void)state;
	expect_refused("<!DOCTYPE Patient><Patient " NS "/>", FLS_EPARSE, "DOCTYPE");
	expect_refused("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>"
		       "<Patient " NS "><id value=\"&lol2;\"/></Patient>", FLS_EPARSE, "DOCTYPE");
	expect_refused("<!DOCTYPE p [<!ENTITY xxe SYSTEM \"file:///etc/hostname\">]><Patient " NS "><id value=\"&xxe;\"/></Patient>",
		       FLS_EPARSE, "DOCTYPE");
	expect_refused("<Patient " NS "><id value=\"&undeclared;\"/></Patient>", FLS_EPARSE, "not well-formed");
	expect_refused("<Patient><id value=\"x\"/></Patient>", FLS_EPARSE, "not in the FHIR namespace");
	expect_refused("<Patient xmlns=\"http://nhs/fhir\"><id value=\"x\"/></Patient>", FLS_EPARSE, "http://nhs/fhir");
	expect_refused("{\"resourceType\": \"Patient\"}", FLS_EPARSE, "JSON?");
	expect_refused("<?xml version=\"1.0\" encoding=\"EBCDIC-US\"?><Patient " NS "/>", FLS_EPARSE, "EBCDIC-US");
	expect_refused("\x4c\x6f\xa7\x94", FLS_EPARSE, "not XML"); /* EBCDIC "<?xm" */
	expect_refused("\x80\x81", FLS_EPARSE, "not UTF-8 XML");
	expect_refused("\xef\xbb\xbfhello", FLS_EPARSE, "not XML");
	expect_refused("<Bundle " NS "><entry><resource><Patient><id value=\"x\"/>", FLS_EPARSE, "test.xml");
	expect_refused("", FLS_EPARSE, "empty");
	expect_refused("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Patient " NS "/>", FLS_EPARSE, "UTF-8");
	expect_refused("\xff\xfe<\0P\0", FLS_EPARSE, "UTF-16");
	expect_refused("<Patient " NS "><id value=\"\xc3\x28\"/></Patient>", FLS_EPARSE, "not well-formed");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<extension>");
	{
		char doc[8192];

		snprintf(doc, sizeof(doc), "<Patient " NS ">%s", deep);
		expect_refused(doc, FLS_ELIMIT, "deeper than");
	}
	{
		size_t big = 10000;
		char *doc = malloc(big + 100);

		n = (size_t)snprintf(doc, 100, "<Patient " NS "><id value=\"");
		memset(doc + n, 'a', big);
		memcpy(doc + n + big, "\"/></Patient>", 14);
		expect_refused(doc, FLS_ELIMIT, "longer than");
		free(doc);
	}
}

/* n attributes on one element (libxml2 2.9's duplicate check is quadratic: the reader bounds it). */
static char *many_attributes(int n)
{
	size_t cap = (size_t)n * 16 + 200, len;
	char *doc = malloc(cap);

	len = (size_t)snprintf(doc, cap, "<Patient " NS "><id value=\"x\"");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, cap - len, " a%d=\"\"", i);
	snprintf(doc + len, cap - len, "/></Patient>");
	return doc;
}

static void bounds_attributes_per_element(void **state)
{
	struct captured c;
	struct fls_diag d = { "" };
	char *doc;
	char *text;

	(void)state;
	doc = many_attributes(5000);
	expect_refused(doc, FLS_ELIMIT, "more than 4096 attributes");
	free(doc);
	/* below the bound: read (the unknown attributes are ignored), whatever the chunking */
	doc = many_attributes(4000);
	assert_int_equal(read_xml_ex(doc, 777, FLS_ORDER_AUTO, 0, &c, &d), FLS_OK);
	assert_int_equal(c.n, 1);
	free_captured(&c);
	free(doc);
	/* long runs without '<' that are not attributes: a 3000-byte attribute value and 60 KB of narrative */
	text = malloc(70000);
	{
		size_t n = (size_t)snprintf(text, 70000, "<Patient " NS "><id value=\"y\"/><text><div xmlns=\"http://www.w3.org/1999/xhtml\">");

		memset(text + n, 'w', 60000);
		snprintf(text + n + 60000, 70000 - n - 60000, "</div></text></Patient>");
	}
	assert_int_equal(read_xml_ex(text, 4096, FLS_ORDER_AUTO, 0, &c, &d), FLS_OK);
	assert_int_equal(c.n, 1);
	free_captured(&c);
	free(text);
}

static void truncated_input_still_delivers_what_was_read(void **state)
{
	static const char xml[] = "<Bundle " NS ">" PATIENT("p12", "") HIP("urn:uuid:p12", "2025-01-01")
		"<entry><resource><Condition><code>";
	struct captured c;
	struct fls_diag d = { "" };

	(void)state;
	assert_int_equal(read_xml(xml, &c, &d), FLS_EPARSE);
	assert_int_equal(c.n, 1);
	assert_int_equal(count_concept(&c.p[0], CONCEPT_FRACTURE_HIP), 1);
	free_captured(&c);
}

static void flags_stu3_content(void **state)
{
	static const char xml[] = "<Bundle " NS ">" PATIENT("p13", "")
		"<entry><resource><Condition><clinicalStatus value=\"active\"/><code><coding><system value=\"" SCT "\"/>"
		"<code value=\"" HIP_FRACTURE_SCT "\"/></coding></code><subject><reference value=\"urn:uuid:p13\"/></subject>"
		"</Condition></resource></entry></Bundle>";
	struct captured c;
	struct fls_diag d = { "" };

	(void)state;
	assert_int_equal(read_xml(xml, &c, &d), FLS_OK);
	assert_int_equal(c.problems, 1);
	assert_non_null(strstr(c.last_problem, "STU3"));
	assert_int_equal(c.p[0].n_events, 0);
	free_captured(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(joins_resources_in_any_order),
		cmocka_unit_test(merges_a_patient_reached_under_two_keys),
		cmocka_unit_test(reads_patient_fields_and_extensions),
		cmocka_unit_test(reads_choice_elements_and_values),
		cmocka_unit_test(resolves_contained_and_bundle_medications),
		cmocka_unit_test(dates_conditions_by_encounter_and_keeps_reasons),
		cmocka_unit_test(drops_records_that_do_not_count),
		cmocka_unit_test(reads_family_history_and_statement_periods),
		cmocka_unit_test(reads_nested_bundles_and_single_resources),
		cmocka_unit_test(bad_resource_is_reported_and_others_screened),
		cmocka_unit_test(streams_contiguous_patients),
		cmocka_unit_test(byte_by_byte_feeding_gives_the_same_facts),
		cmocka_unit_test(refuses_hostile_and_malformed_input),
		cmocka_unit_test(bounds_attributes_per_element),
		cmocka_unit_test(truncated_input_still_delivers_what_was_read),
		cmocka_unit_test(flags_stu3_content),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
