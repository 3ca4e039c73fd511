/*
 * Hand-built patient facts for the rules tests (clinical-rules.md 7): a patient with a birth date and
 * coded events dated by an offset from the as-of date, and a decision initialised the way risk_decide
 * leaves it before risk_rules_apply runs (scores set by the test, not by QFracture).
 */
#ifndef FLS_TESTS_UNIT_RISK_BUILDER_H
#define FLS_TESTS_UNIT_RISK_BUILDER_H

#include <stdint.h>

#include "codes/concepts.h"
#include "risk/decision.h"
#include "risk/facts.h"

#define C(x) CONCEPT_BIT(CONCEPT_##x)
#define RB_MAX_EVENTS 64

struct rb {
	struct risk_patient p;
	struct risk_event ev[RB_MAX_EVENTS];
	int32_t as_of;
};

/* The as-of date of most tests: 2025-06-30. */
int32_t rb_default_as_of(void);
/* Patient born on birth (RISK_NO_DAY allowed), as-of as given. */
void rb_init(struct rb *b, int32_t birth, int32_t as_of);
/* Patient aged exactly `years` at the default as-of (born on 15 January). */
void rb_init_age(struct rb *b, int years);
/* A Condition event with these concepts dated days_before the as-of date (negative: after as-of). */
struct risk_event *rb_add(struct rb *b, uint64_t concepts, int32_t days_before);
/* The same on an absolute day (RISK_NO_DAY: undated). */
struct risk_event *rb_add_day(struct rb *b, uint64_t concepts, int32_t day);
/* A fracture event coded in SNOMED CT (the reader's RISK_EV_FRACTURE_SNOMED: a D7a injury code). */
struct risk_event *rb_add_sct(struct rb *b, uint64_t concepts, int32_t days_before);
/* A medication record (src RISK_SRC_MED_*) dated days_before. */
struct risk_event *rb_med(struct rb *b, uint64_t concepts, uint8_t src, int32_t days_before);
/* Decision as risk_decide initialises it; age from the birth date; a MOF score when mof is not NaN. */
void rb_decision(const struct rb *b, struct risk_decision *d, double mof);
/* rb_decision then risk_rules_apply. */
void rb_apply(const struct rb *b, struct risk_decision *d, double mof);

#endif
