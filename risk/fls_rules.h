/*
 * The FLS worklist rules of clinical-rules.md 7.3: eligibility R-FLS-1 and the priority rules
 * R-FLS-P1-* .. R-FLS-P3-PREVIOUS, as a pure function of the derived facts (risk/derived.h).
 */
#ifndef FLS_RISK_FLS_RULES_H
#define FLS_RISK_FLS_RULES_H

#include <stdint.h>

/* What the FLS rules read; every field is a derived fact of 7.2 at the as-of date. */
struct risk_fls_facts {
	uint8_t has_index;        /* D2b exists (the same as "a D2 event exists": all are on or before as-of) */
	uint8_t index_site;       /* enum risk_site of the index fracture */
	uint8_t recent;           /* D3 */
	uint8_t treated_now;      /* D4 at as-of */
	uint8_t treated_at_index; /* D4a */
	uint8_t tscore_low;       /* D6 at most -3.5 */
	uint8_t gc_high;          /* D5a */
	uint8_t history_50;       /* a fracture_history code dated at age 50 or over */
	uint32_t vert_count;      /* D2a vertebral episode count */
};

enum risk_fls_basis {
	RISK_FLS_NOT_ELIGIBLE = 0,
	RISK_FLS_BY_INDEX,        /* R-FLS-1 (a) */
	RISK_FLS_BY_HISTORY       /* R-FLS-1 (b): rests only on a fracture_history code */
};

struct risk_fls_result {
	uint8_t priority;   /* 0 none, 1-3 */
	uint8_t basis;      /* enum risk_fls_basis */
	uint32_t reasons;   /* 1u << enum risk_fls_rule for every rule that holds */
};

/* R-FLS-1 (7.3): which limb, if any, puts the patient on the worklist. */
enum risk_fls_basis risk_fls_eligible(const struct risk_fls_facts *f);
/* The whole of 7.3: eligibility, every rule that holds, and the level (the highest one listed). */
struct risk_fls_result risk_fls_evaluate(const struct risk_fls_facts *f);

#endif
