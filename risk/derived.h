/*
 * The derived facts D1-D10 of clinical-rules.md 7.2 (and the 7.4 care-home proxy), each a pure function
 * over (patient facts, as-of date) that returns a small value. The FLS and falls rules (risk/fls_rules.h,
 * risk/falls_rules.h) read only these values, so every boundary of the spec is testable on its own.
 *
 * Common reading of the facts (clinical-rules 7.1, 7.6): an event "counts" when it has a date and that
 * date is on or before as-of; events dated after as-of or undated are ignored by every fact here (the
 * notes for them are risk_dq_event_notes()). "N days before as-of" means 0 <= as_of - day <= N.
 * No fact allocates; each costs a few linear scans of the events, except D2a (one scan per episode of
 * the site with most episodes; see derived.c).
 */
#ifndef FLS_RISK_DERIVED_H
#define FLS_RISK_DERIVED_H

#include <stdint.h>

#include "risk/decision.h"
#include "risk/facts.h"

/* Day windows of 7.6 ("months as days"). */
#define RISK_RECENT_DAYS 730      /* D3 "24 months" */
#define RISK_EPISODE_DAYS 90      /* D2a episode span from its first event */
#define RISK_GC_WINDOW_DAYS 183   /* D5 "6 months" */
#define RISK_GC_HIGH_DAYS 90      /* D5a "3 months" */
#define RISK_FALLS_DAYS 365       /* D7 "12 months" */
#define RISK_INJURY_DAYS 7        /* D7a: injury 0-7 days after the fall */
#define RISK_CARE_HOME_DAYS 730   /* 7.4 care-home residence */
#define RISK_FALL_FRACTURE_DAYS 365 /* R-FALL-5: fall and fracture episode either side */
#define RISK_FLS_MIN_AGE 50       /* D2: age at the fracture */
#define RISK_GC_HIGH_MG 7.5       /* D5a prednisolone-equivalent mg/day */
#define RISK_GC_EPS 1e-9          /* 7.2.1: values within 1e-9 of 7.5 count as 7.5 */
#define RISK_TSCORE_LOW (-3.5)    /* R-FLS-P1-TSCORE-GC: D6 at most -3.5 */
#define RISK_BONE_MONTHS_DEFAULT 6 /* D4 "every other row": used when the reader gave no class */

/* 1 when the event is the patient's own record (not FamilyMemberHistory, which only D8 reads) and has
 * a date on or before as-of (7.1: later and undated records are ignored). */
int risk_event_counts(const struct risk_event *e, int32_t as_of);
/* 1 when 0 <= ref - day <= n days (7.6 "day windows"); 0 for RISK_NO_DAY. */
int risk_days_within(int32_t day, int32_t ref, int32_t n);
/* First day on which the completed years since birth reach years (D1 reading); RISK_NO_DAY if unknown. */
int32_t risk_day_at_age(int32_t birth, int years);

/* D1: completed years at day (risk_completed_years); -1 when unknown. */
int risk_d1_age(const struct risk_patient *p, int32_t day);

/* The enum risk_site bits (1 << site) of the fragility site files an event names, 0 when the code is
 * not a D2 candidate (no site file, or also excluded-site / non-fragility / fracture_history). */
unsigned risk_d2_site_bits(const struct risk_event *e);

/* D2: fragility fracture events (counted, a fragility site file, age at event >= 50). */
struct risk_d2 {
	uint32_t n_events;   /* D2 events; a code naming two site files counts once per site */
	int32_t day50;       /* the 50th birthday (RISK_NO_DAY: birth unknown, so no D2 event) */
	int32_t first_day, last_day; /* earliest and latest D2 event; RISK_NO_DAY when none */
};
struct risk_d2 risk_d2_events(const struct risk_patient *p, int32_t as_of);

/* D2a: episodes per site, anchored on their first event, 0-90 days inclusive, never chained. */
struct risk_d2a {
	int32_t last_anchor[RISK_SITE_UNSPECIFIED + 1]; /* per enum risk_site: latest episode's date */
	uint32_t n_episodes;   /* all sites */
	uint32_t vert_count;   /* vertebral episodes, one with a fracture_vertebral_multiple code counts 2 */
};
struct risk_d2a risk_d2a_episodes(const struct risk_patient *p, int32_t as_of);

/* D2b: the index fracture (most recent episode; same date: hip > vertebral > ... > unspecified). */
struct risk_d2b {
	int32_t day;      /* the index episode's date (its first event); RISK_NO_DAY when none */
	uint8_t site;     /* enum risk_site; RISK_SITE_NONE when none */
};
struct risk_d2b risk_d2b_index(const struct risk_d2a *ep);

/* D3: the index fracture is dated 0-730 days before as-of. */
int risk_d3_recent(const struct risk_d2b *ix, int32_t as_of);

/* D4: a bone_sparing_treatment record on or before as-of covers day t (calendar-month windows). */
int risk_d4_on_therapy(const struct risk_patient *p, int32_t as_of, int32_t t);
/* D4a: D4 at the index fracture date. */
int risk_d4a_fracture_on_treatment(const struct risk_patient *p, int32_t as_of, const struct risk_d2b *ix);

/* 1 when the event is a glucocorticoid "issue" (D5): a MedicationRequest, MedicationStatement or
 * MedicationDispense record with a glucocorticoid_oral code. */
int risk_gc_is_issue(const struct risk_event *e);

/* D5 and D5a: oral glucocorticoids. */
struct risk_d5 {
	uint32_t issues;      /* glucocorticoid_oral issues 0-183 days before as-of */
	uint8_t current;      /* D5: at least 2 such issues */
	uint8_t high_dose;    /* D5a */
	uint8_t dose_unknown; /* an issue in the D5 window has no derivable dose (DQ-GC-DOSE) */
};
struct risk_d5 risk_d5_glucocorticoid(const struct risk_patient *p, int32_t as_of);

/* D6: lowest central DXA T-score. */
struct risk_d6 {
	uint8_t has_dxa;    /* a dxa_t_score_central observation counts (with or without a value) */
	uint8_t has_value;  /* at least one carried a number */
	double lowest;      /* the minimum value; NaN when has_value is 0 */
};
struct risk_d6 risk_d6_tscore(const struct risk_patient *p, int32_t as_of);

/* D7 and D7a: falls in the last 365 days. */
struct risk_d7 {
	uint32_t count;      /* D7: distinct fall dates, a date with a falls_recurrent code counts 2 */
	int32_t first_day;   /* earliest fall date in the window; RISK_NO_DAY when count is 0 */
	int32_t last_day;    /* latest fall date in the window */
	uint8_t injurious;   /* D7a */
};
struct risk_d7 risk_d7_falls(const struct risk_patient *p, int32_t as_of);

/* D8: parental history (FamilyMemberHistory of a parent, fracture_hip or osteoporosis). Needs no date;
 * one dated after as-of is ignored. Provided for the QFracture mapping; the rules here do not read it. */
int risk_d8_parental_history(const struct risk_patient *p, int32_t as_of);

/* D9: an osteoporosis code recorded on or before as-of. */
int risk_d9_osteoporosis(const struct risk_patient *p, int32_t as_of);

/* D10: frailty. */
enum risk_frailty {
	RISK_FRAILTY_UNKNOWN = 0, /* no frailty code and no usable eFI */
	RISK_FRAILTY_FIT,         /* eFI up to 0.12 */
	RISK_FRAILTY_MILD,
	RISK_FRAILTY_MODERATE,
	RISK_FRAILTY_SEVERE
};
struct risk_d10 {
	uint8_t category;     /* enum risk_frailty of the latest-dated record */
	uint8_t efi_ignored;  /* an eFI observation was out of [0, 1] or had no value (DQ-EFI-RANGE) */
	int32_t day;          /* date of the record that decided; RISK_NO_DAY when none */
};
struct risk_d10 risk_d10_frailty(const struct risk_patient *p, int32_t as_of);
/* eFI fraction to its band (4.3): up to 0.12 fit, to 0.24 mild, to 0.36 moderate, above severe. */
enum risk_frailty risk_efi_band(double v);

/* 7.4: a care_home residence code dated 0-730 days before as-of. */
int risk_care_home(const struct risk_patient *p, int32_t as_of);

/* Any event with a concept in mask counts (dated, on or before as-of): "ever recorded" (section 6). */
int risk_has_concept(const struct risk_patient *p, int32_t as_of, uint64_t mask);

/* The latest counted fracture_history code dated at age 50 or over (R-FLS-1 (b)); RISK_NO_DAY if none. */
int32_t risk_fracture_history_day(const struct risk_patient *p, int32_t as_of);

/* 1.2 / 7.3 note: a counted fall_from_height_icd10 code shares an Encounter with a D2 event of the
 * index episode (site ix->site, dated ix->day to ix->day + 90). */
int risk_index_high_energy(const struct risk_patient *p, int32_t as_of, const struct risk_d2b *ix);

#endif
