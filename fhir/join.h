/*
 * Joining resources to their patient (DESIGN.md §3): one builder per patient, found through any of the
 * patient's reference keys, whatever order the resources come in; patient-contiguous input is detected
 * and each patient released (screened and freed) as soon as the next begins, so memory stays flat.
 *
 * Contiguity (enum fls_order, docs/decisions.md "Streaming release"):
 *  - FLS_ORDER_ANY: every patient is held until the end of the input.
 *  - FLS_ORDER_CONTIGUOUS: the host promises grouping; a patient is released when another begins.
 *  - FLS_ORDER_AUTO: hold until the input shows it is grouped by patient (a patient that had its Patient
 *    resource and clinical resources is followed by a new patient), then release as in CONTIGUOUS; if a
 *    resource returns to an earlier patient before that, hold everything to the end instead.
 * In the releasing modes a resource for a patient already released is reported as a bad resource
 * ("input is not patient-contiguous"), never silently dropped.
 */
#ifndef FLS_FHIR_JOIN_H
#define FLS_FHIR_JOIN_H

#include <stdint.h>

#include "codes/codeset.h"
#include "fls/fls.h"
#include "risk/facts.h"
#include "util/diag.h"
#include "util/mem.h"

struct pt_builder;
struct fhir_join;

struct fhir_join_cfg {
	const struct fls_mem *mem;
	uint32_t order;                      /* enum fls_order */
	uint32_t max_resources_per_patient;
	uint64_t max_held_patients;
	int (*on_patient)(void *ctx, struct risk_patient *p); /* non-zero: stop */
	void *ctx;
};

fls_status fhir_join_new(struct fhir_join **out, const struct fhir_join_cfg *cfg);
void fhir_join_free(struct fhir_join *j);

/*
 * The builder of the patient named by key (hash) / key_text, created when new. Counts one resource
 * against the per-patient limit (clinical = 1 for clinical resources). Errors: FLS_EINVAL when the patient
 * was already released (late resource), FLS_ELIMIT (limits), FLS_ENOMEM, FLS_EABORT (host stopped while
 * releasing other patients). d receives the message.
 */
fls_status fhir_join_builder(struct fhir_join *j, uint64_t key, const char *key_text, int clinical,
			     struct pt_builder **out, struct fls_diag *d);

#define FHIR_PATIENT_KEYS 3

/*
 * A Patient resource with its keys (fullUrl key, "Patient/<id>", "nhs:<NHS number>"; any may be 0):
 * merges builders already created under those keys. *out receives the builder to fill in.
 */
fls_status fhir_join_patient(struct fhir_join *j, const uint64_t keys[FHIR_PATIENT_KEYS], const char *key_text,
			     struct pt_builder **out, struct fls_diag *d);

/* The builder's facts, to fill patient fields. */
struct risk_patient *pt_facts(struct pt_builder *b);

/* Append an event; returns its index, or -1 (allocation). */
long pt_add_event(struct pt_builder *b, const struct risk_event *ev);
/* A Condition's key (for Encounter.diagnosis links) -> event index. */
int pt_add_condition_key(struct pt_builder *b, uint64_t key, uint32_t ev);
/*
 * Encounter ordinal for an encounter known by key and/or key2 (its fullUrl and "Encounter/<id>"; 0 =
 * none), created when new; start updated when given (earliest kept). 0 on allocation failure.
 */
uint32_t pt_encounter(struct pt_builder *b, uint64_t key, uint64_t key2, int32_t start_day);
/* Encounter.diagnosis.condition: the Condition named by cond_key belongs to encounter ordinal enc. */
int pt_add_diagnosis_link(struct pt_builder *b, uint64_t cond_key, uint32_t enc);
/* A Condition dated by onsetAge: resolved from the birth date at release (else fallback_day). */
int pt_add_onset_age(struct pt_builder *b, uint32_t ev, double years, int32_t fallback_day, int fallback_partial);
/* A medication event whose code comes from a Medication resource (med_key); daily_mg NaN if none. */
int pt_add_pending_med(struct pt_builder *b, uint32_t ev, uint64_t med_key, double daily_mg);

/* A Medication resource (bundle entry): its code match, for medicationReference. */
fls_status fhir_join_medication(struct fhir_join *j, uint64_t key, const struct codes_match *m);

/* End of input: release every held patient in the order they were first seen. */
fls_status fhir_join_finish(struct fhir_join *j, struct fls_diag *d);

/* Patients delivered so far. */
uint64_t fhir_join_released(const struct fhir_join *j);

#endif
