/*
 * One patient's decision (clinical-rules 7.3-7.5): FLS priority and reasons, falls population, referral
 * and reasons, the two 10-year risks or why there are none, and notes. Built by risk_decide() from the
 * patient's facts and the as-of date; pure computation.
 */
#ifndef FLS_RISK_DECISION_H
#define FLS_RISK_DECISION_H

#include <stdint.h>

#include "risk/facts.h"
#include "risk/notes.h"
#include "risk/qfracture.h"
#include "risk/rule_ids.h"

/* Fracture sites in index tie-break order (D2b: hip > vertebral > pelvis > humerus > wrist > other > unspecified). */
enum risk_site {
	RISK_SITE_NONE = 0,
	RISK_SITE_HIP, RISK_SITE_VERTEBRAL, RISK_SITE_PELVIS, RISK_SITE_HUMERUS, RISK_SITE_WRIST,
	RISK_SITE_OTHER, RISK_SITE_UNSPECIFIED
};

/* Why there is no score (risk_status in the outputs). */
enum risk_score_status {
	RISK_SCORE_OK = 0,
	RISK_SCORE_NO_AGE,        /* "no birth date" */
	RISK_SCORE_AGE_RANGE,     /* "age outside 30-100" */
	RISK_SCORE_NO_SEX,        /* "sex not female or male" */
	RISK_SCORE_NO_BMI,        /* "no BMI" */
	RISK_SCORE_REJECTED,      /* the equations rejected an input: see score_why */
	RISK_SCORE_NO_MODEL       /* no coefficients loaded */
};

struct risk_context {
	int32_t as_of;                 /* day number of the as-of date */
	const struct qf_model *model;  /* NULL: no scores (RISK_SCORE_NO_MODEL) */
};

struct risk_decision {
	int age;                 /* D1, completed years at as-of; -1 unknown */
	uint8_t sex;             /* enum risk_sex */
	uint8_t priority;        /* 0 none, 1 = P1, 2 = P2, 3 = P3 */
	uint8_t falls_population, falls_referral; /* 0/1 */
	uint32_t fls_reasons;    /* bit (1u << enum risk_fls_rule) for every rule that holds */
	uint32_t falls_reasons;  /* bit (1u << enum risk_fall_rule) */
	uint64_t notes;          /* RISK_NOTE_BIT()s: the reader's notes plus the rules' */
	uint8_t score_status;    /* enum risk_score_status */
	char score_why[160];     /* for RISK_SCORE_REJECTED: the equations' reasons */
	double mof10, hip10;     /* percent, valid when score_status == RISK_SCORE_OK */
	struct qf_inputs qf;     /* the inputs the scores were computed from (when an attempt was made) */
	int32_t index_day;       /* D2b index fracture date, RISK_NO_DAY when none */
	uint8_t index_site;      /* enum risk_site */
	int32_t sort_day;        /* ordering within a level: most recent fracture (index, or the
	                            fracture_history code's date for R-FLS-1 (b)); RISK_NO_DAY if none */
};

/*
 * Map facts to the QFracture inputs (issue 3): fills d->qf, d->age, d->sex, d->score_status and the
 * data-quality notes of the missing-data policy (docs/decisions.md). Returns 1 when the inputs are
 * complete enough to evaluate, 0 when there is no score (score_status says why).
 */
int risk_qf_map(const struct risk_patient *p, int32_t as_of, struct risk_decision *d);

/*
 * The FLS and falls rules (issue 4): fills priority, reasons, falls fields, index fracture, sort key and
 * the rules' notes. Reads d->age, d->mof10 and d->score_status (set before) and the facts.
 */
void risk_rules_apply(const struct risk_patient *p, int32_t as_of, struct risk_decision *d);

/* The whole decision: map, score, rules. */
void risk_decide(const struct risk_patient *p, const struct risk_context *ctx, struct risk_decision *d);

/*
 * Worklist order (7.3): P1, P2, P3, then not on the worklist; within a level the most recent fracture
 * first, then higher MOF risk (no score last), then older age. qsort-compatible on decisions; ties
 * compare equal, so callers that need a total order break them (e.g. by input order).
 */
int risk_worklist_cmp(const struct risk_decision *a, const struct risk_decision *b);

#endif
