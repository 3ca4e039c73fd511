/*
 * The patient facts model: what the FHIR reader extracts from a patient's resources and everything the
 * risk model and the rules read (DESIGN.md §3). One compact record per patient; libxml2 never appears
 * here, so the rules are tested on hand-built facts.
 *
 * The reader keeps only records that matched at least one concept (or that carry a value the rules
 * need) and has already dropped records that do not count (clinical-rules 7.1: refuted or
 * entered-in-error Conditions; entered-in-error Observations, MedicationRequests, MedicationStatements
 * and Procedures; not-taken MedicationStatements; cancelled MedicationRequests). It does NOT apply the
 * as-of date: events after it are kept and the rules ignore them, with a note.
 */
#ifndef FLS_RISK_FACTS_H
#define FLS_RISK_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "risk/day.h"

#define RISK_ID_MAX 64 /* FHIR id: [A-Za-z0-9\-\.]{1,64} */

enum risk_sex { RISK_SEX_UNKNOWN = 0, RISK_SEX_FEMALE = 1, RISK_SEX_MALE = 2, RISK_SEX_OTHER = 3 };

/* Which resource (and which part of it) an event came from. */
enum risk_src {
	RISK_SRC_CONDITION = 1,
	RISK_SRC_PROCEDURE = 2,
	RISK_SRC_OBSERVATION = 3,       /* Observation.code, with value/unit when present */
	RISK_SRC_OBS_COMPONENT = 4,     /* Observation.component.code, with its value */
	RISK_SRC_ENCOUNTER = 5,         /* Encounter.reasonCode, dated by period.start */
	RISK_SRC_MED_REQUEST = 6,       /* one issue on its date */
	RISK_SRC_MED_STATEMENT = 7,     /* one issue at its date or period start; coverage to end_day */
	RISK_SRC_FAMILY_HISTORY = 8,    /* FamilyMemberHistory.condition.code */
	RISK_SRC_MED_DISPENSE = 9       /* MedicationDispense: one issue on whenHandedOver/whenPrepared */
};

enum risk_event_flag {
	RISK_EV_PARTIAL_DATE = 1 << 0,     /* date was YYYY or YYYY-MM (taken as 1 July / the 15th) */
	RISK_EV_ICD10_CATEGORY = 1 << 1,   /* ICD-10 matched only a 3-character category */
	RISK_EV_DATE_FROM_ENCOUNTER = 1 << 2, /* undated Condition dated by its Encounter's period.start */
	RISK_EV_PERIOD = 1 << 3,           /* MedicationStatement.effectivePeriod: covers day..end_day */
	RISK_EV_PARENT = 1 << 4,           /* FamilyMemberHistory.relationship is mother, father or parent */
	RISK_EV_VALUE_CODED = 1 << 5,      /* concepts come from Observation.valueCodeableConcept */
	RISK_EV_MED_UNRESOLVED = 1 << 6,   /* medicationReference that could not be resolved */
	RISK_EV_HAS_DOSAGE = 1 << 7,       /* the medication record carried a Dosage */
	RISK_EV_VALUE_BAD = 1 << 8,        /* an Observation value was present but not a usable number */
	RISK_EV_FRACTURE_SNOMED = 1 << 9   /* a SNOMED CT coding of the code is in a fracture file (D7a) */
};

/* Units of an Observation value, normalised by the reader from UCUM codes or unit text. */
enum risk_unit {
	RISK_UNIT_NONE = 0,
	RISK_UNIT_KG, RISK_UNIT_G, RISK_UNIT_LB,
	RISK_UNIT_CM, RISK_UNIT_M, RISK_UNIT_MM, RISK_UNIT_IN,
	RISK_UNIT_KG_M2,
	RISK_UNIT_PER_DAY,  /* e.g. cigarettes/day, units/day, {cigarettes}/d */
	RISK_UNIT_PER_WEEK, /* e.g. units/week, /wk */
	RISK_UNIT_OTHER     /* a unit was given but is none of the above */
};

struct risk_event {
	uint64_t concepts;    /* CONCEPT_BIT()s (codes/concepts.h) of every coding of the code */
	double value;         /* numeric value (Observation value[x] Quantity/integer/decimal); NaN if none */
	double dose_pred_mg;  /* glucocorticoid: prednisolone-equivalent daily dose (7.2.1); NaN if none */
	int32_t day;          /* event date (7.1 "first present wins"); RISK_NO_DAY when none usable */
	int32_t end_day;      /* RISK_EV_PERIOD: period end; RISK_NO_DAY when open */
	uint32_t encounter;   /* patient-local ordinal of the Encounter the record belongs to; 0 = none */
	uint16_t flags;       /* enum risk_event_flag */
	uint8_t src;          /* enum risk_src */
	uint8_t unit;         /* enum risk_unit of value */
	uint8_t bone_months;  /* D4 coverage months of the matched bone_sparing_treatment row; 0 = n/a */
	uint8_t pad[3];
};

struct risk_patient {
	char id[RISK_ID_MAX + 1];  /* Patient.id; if no Patient resource was seen, the reference key */
	char nhs_number[16];       /* identifier with system https://fhir.nhs.uk/Id/nhs-number, "" if none */
	char ethnic[4];            /* UK Core ethnic category code (A..Z, e.g. "A", "Z"), "" not stated */
	int32_t birth_day;         /* RISK_NO_DAY when absent */
	int32_t deceased_day;      /* deceasedDateTime; RISK_NO_DAY when unknown */
	uint8_t sex;               /* enum risk_sex */
	uint8_t deceased;          /* deceasedBoolean true or a deceasedDateTime */
	uint8_t birth_partial;     /* birthDate was YYYY or YYYY-MM */
	uint8_t has_patient;       /* a Patient resource was read (else only references to it) */
	uint64_t notes;            /* reader-level data-quality notes: RISK_NOTE_BIT(enum risk_note) */
	struct risk_event *events;
	uint32_t n_events, cap_events;
};

#endif
