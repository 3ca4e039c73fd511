/*
 * Derived facts D1-D10 (clinical-rules.md 7.2, 7.6) on both sides of every boundary the spec names.
 * Expected values come from the spec text, quoted beside each case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "risk/day.h"
#include "risk/derived.h"
#include "risk_builder.h"

#define DAY(y, m, d) risk_day_from_civil(y, m, d)

/* D2: "with age at event at least 50"; a fracture dated before the 50th birthday is not a D2 event. */
static void d2_age_49_is_not_a_fracture_event_50_is(void **state)
{
	struct rb b;
	struct risk_d2 r;

	(void)state;
	rb_init(&b, DAY(1970, 3, 10), DAY(2025, 6, 30));
	rb_add_day(&b, C(FRACTURE_HIP), DAY(2020, 3, 9)); /* the day before the 50th birthday: 49 */
	r = risk_d2_events(&b.p, b.as_of);
	assert_int_equal(r.n_events, 0);
	assert_int_equal(r.day50, DAY(2020, 3, 10));

	rb_add_day(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), DAY(2020, 3, 10)); /* the birthday: 50 */
	r = risk_d2_events(&b.p, b.as_of);
	assert_int_equal(r.n_events, 1);
	assert_int_equal(r.first_day, DAY(2020, 3, 10));
}

/* D1 with a 29 February birth: risk_completed_years takes 1 March as the birthday in a common year. */
static void d2_leap_day_birth_turns_50_on_1_march(void **state)
{
	struct rb b;

	(void)state;
	rb_init(&b, DAY(1960, 2, 29), DAY(2025, 6, 30));
	rb_add_day(&b, C(FRACTURE_HIP), DAY(2010, 2, 28));
	assert_int_equal(risk_d2_events(&b.p, b.as_of).n_events, 0);
	rb_add_day(&b, C(FRACTURE_HIP), DAY(2010, 3, 1));
	assert_int_equal(risk_d2_events(&b.p, b.as_of).n_events, 1);
	assert_int_equal(risk_d1_age(&b.p, DAY(2010, 3, 1)), 50);
}

/* D2: excluded sites, non-fragility mechanisms and fracture_history codes are never D2 events. */
static void d2_excluded_codes_are_never_events(void **state)
{
	struct rb b;

	(void)state;
	rb_init_age(&b, 70);
	rb_add(&b, C(FRACTURE_EXCLUDED_SITES), 10);
	rb_add(&b, C(FRACTURE_NONFRAGILITY_MECHANISM), 10);
	rb_add(&b, C(FRACTURE_HISTORY), 10);
	rb_add(&b, C(FRACTURE_HIP) | C(FRACTURE_NONFRAGILITY_MECHANISM), 10);
	rb_add(&b, C(FRACTURE_HIP) | C(FRACTURE_HISTORY), 10);
	assert_int_equal(risk_d2_events(&b.p, b.as_of).n_events, 0);
	assert_int_equal(risk_d2a_episodes(&b.p, b.as_of).n_episodes, 0);
}

/* D2 without a birth date: age at event cannot be shown to be 50 or over (docs/decisions.md). */
static void d2_unknown_birth_has_no_events(void **state)
{
	struct rb b;
	struct risk_d2a ep;

	(void)state;
	rb_init(&b, RISK_NO_DAY, rb_default_as_of());
	rb_add(&b, C(FRACTURE_HIP), 10);
	assert_int_equal(risk_d2_events(&b.p, b.as_of).n_events, 0);
	ep = risk_d2a_episodes(&b.p, b.as_of);
	assert_int_equal(risk_d2b_index(&ep).site, RISK_SITE_NONE);
	assert_int_equal(risk_d2b_index(&ep).day, RISK_NO_DAY);
}

/* 7.1: events after as-of are ignored. */
static void d2_events_after_as_of_are_ignored(void **state)
{
	struct rb b;
	struct risk_d2a ep;

	(void)state;
	rb_init_age(&b, 70);
	rb_add(&b, C(FRACTURE_HIP), -1);
	assert_int_equal(risk_d2_events(&b.p, b.as_of).n_events, 0);
	ep = risk_d2a_episodes(&b.p, b.as_of);
	assert_int_equal(ep.n_episodes, 0);
	rb_add(&b, C(FRACTURE_HIP), 0); /* on as-of counts */
	assert_int_equal(risk_d2_events(&b.p, b.as_of).n_events, 1);
}

/* D2a: "every later event of that site dated 0 to 90 days after that first event (inclusive)". */
static void d2a_day_90_joins_day_91_starts_new_episode(void **state)
{
	struct rb b;
	struct risk_d2a ep;

	(void)state;
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 500);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 410); /* day A + 90 */
	ep = risk_d2a_episodes(&b.p, b.as_of);
	assert_int_equal(ep.n_episodes, 1);
	assert_int_equal(ep.last_anchor[RISK_SITE_WRIST], b.as_of - 500);

	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 409); /* listed out of date order on purpose */
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 500); /* A + 91 above */
	ep = risk_d2a_episodes(&b.p, b.as_of);
	assert_int_equal(ep.n_episodes, 2);
	assert_int_equal(ep.last_anchor[RISK_SITE_WRIST], b.as_of - 409);
}

/* D2a: "events on days A, A+80, A+160 make two episodes, {A, A+80} and {A+160}". */
static void d2a_anchored_not_chained(void **state)
{
	struct rb b;
	struct risk_d2a ep;

	(void)state;
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_VERTEBRAL), 400);
	rb_add(&b, C(FRACTURE_VERTEBRAL), 320);
	rb_add(&b, C(FRACTURE_VERTEBRAL), 240);
	ep = risk_d2a_episodes(&b.p, b.as_of);
	assert_int_equal(ep.n_episodes, 2);
	assert_int_equal(ep.vert_count, 2);
	assert_int_equal(ep.last_anchor[RISK_SITE_VERTEBRAL], b.as_of - 240);
}

/* D2a: "Events of different sites never merge". */
static void d2a_sites_never_merge(void **state)
{
	struct rb b;
	struct risk_d2a ep;

	(void)state;
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_HIP), 100);
	rb_add(&b, C(FRACTURE_PELVIS), 95);
	ep = risk_d2a_episodes(&b.p, b.as_of);
	assert_int_equal(ep.n_episodes, 2);
	assert_int_equal(ep.vert_count, 0);
}

/* D2a vertebral count: "an episode containing a fracture_vertebral_multiple code counts as 2". */
static void d2a_multiple_vertebral_code_counts_two(void **state)
{
	struct rb b;
	struct risk_d2a ep;

	(void)state;
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_VERTEBRAL), 300);
	rb_add(&b, C(FRACTURE_VERTEBRAL) | C(FRACTURE_VERTEBRAL_MULTIPLE), 250); /* same episode */
	ep = risk_d2a_episodes(&b.p, b.as_of);
	assert_int_equal(ep.n_episodes, 1);
	assert_int_equal(ep.vert_count, 2);

	/* A second, separate single episode adds 1. */
	rb_add(&b, C(FRACTURE_VERTEBRAL), 100);
	ep = risk_d2a_episodes(&b.p, b.as_of);
	assert_int_equal(ep.vert_count, 3);
}

/* 7.6: "fractures before age 50 count for nothing" (also in the vertebral count). */
static void d2a_fracture_before_50_not_counted(void **state)
{
	struct rb b;
	struct risk_d2a ep;

	(void)state;
	rb_init(&b, DAY(1972, 1, 1), DAY(2025, 6, 30)); /* 53 at as-of; 50 on 2022-01-01 */
	rb_add_day(&b, C(FRACTURE_VERTEBRAL), DAY(2021, 6, 1));
	rb_add_day(&b, C(FRACTURE_VERTEBRAL), DAY(2023, 6, 1));
	ep = risk_d2a_episodes(&b.p, b.as_of);
	assert_int_equal(ep.vert_count, 1);
	assert_int_equal(ep.n_episodes, 1);
}

/* D2b: "the most recent episode ... on the same date ... hip > vertebral > pelvis > proximal humerus >
 * wrist > other fragility site > unspecified". */
static void d2b_index_tie_break_by_site(void **state)
{
	static const struct {
		uint64_t a, b;
		uint8_t want;
	} cases[] = {
		{ C(FRACTURE_VERTEBRAL), C(FRACTURE_HIP), RISK_SITE_HIP },
		{ C(FRACTURE_PELVIS), C(FRACTURE_VERTEBRAL), RISK_SITE_VERTEBRAL },
		{ C(FRACTURE_PROXIMAL_HUMERUS), C(FRACTURE_PELVIS), RISK_SITE_PELVIS },
		{ C(FRACTURE_WRIST_DISTAL_RADIUS), C(FRACTURE_PROXIMAL_HUMERUS), RISK_SITE_HUMERUS },
		{ C(FRACTURE_OTHER_FRAGILITY_SITES), C(FRACTURE_WRIST_DISTAL_RADIUS), RISK_SITE_WRIST },
		{ C(FRACTURE_SITE_UNSPECIFIED), C(FRACTURE_OTHER_FRAGILITY_SITES), RISK_SITE_OTHER },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rb b;
		struct risk_d2a ep;
		struct risk_d2b ix;

		rb_init_age(&b, 75);
		rb_add(&b, cases[i].a, 40);
		rb_add(&b, cases[i].b, 40);
		ep = risk_d2a_episodes(&b.p, b.as_of);
		ix = risk_d2b_index(&ep);
		assert_int_equal(ix.site, cases[i].want);
		assert_int_equal(ix.day, b.as_of - 40);
	}
}

/* D2b: the most recent episode wins over a more severe older one; an episode is dated by its first
 * event, so a later member of an older hip episode does not make it the index. */
static void d2b_most_recent_episode_by_first_event(void **state)
{
	struct rb b;
	struct risk_d2a ep;
	struct risk_d2b ix;

	(void)state;
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_HIP), 200);
	rb_add(&b, C(FRACTURE_HIP), 140); /* member of the hip episode dated 200 */
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 170);
	ep = risk_d2a_episodes(&b.p, b.as_of);
	ix = risk_d2b_index(&ep);
	assert_int_equal(ix.site, RISK_SITE_WRIST);
	assert_int_equal(ix.day, b.as_of - 170);
}

/* D3: "index fracture dated 0 to 730 days before as-of". */
static void d3_recent_730_in_731_out(void **state)
{
	struct risk_d2b ix;
	int32_t as_of = rb_default_as_of();

	(void)state;
	ix.site = RISK_SITE_HIP;
	ix.day = as_of - 730;
	assert_true(risk_d3_recent(&ix, as_of));
	ix.day = as_of - 731;
	assert_false(risk_d3_recent(&ix, as_of));
	ix.day = as_of;
	assert_true(risk_d3_recent(&ix, as_of));
	ix.day = RISK_NO_DAY;
	assert_false(risk_d3_recent(&ix, as_of));
}

/* A bone_sparing_treatment issue of class `months` on day d. */
static struct risk_event *bone(struct rb *b, int32_t d, uint8_t months)
{
	struct risk_event *e = rb_add_day(b, C(BONE_SPARING_TREATMENT), d);

	e->src = RISK_SRC_MED_REQUEST;
	e->bone_months = months;
	return e;
}

/* D4: "2025-08-31 + 6 months = 2026-02-28" (month-end clamp); the record covers d..d+N inclusive. */
static void d4_oral_six_months_with_month_end_clamp(void **state)
{
	struct rb b;

	(void)state;
	rb_init(&b, DAY(1950, 1, 1), DAY(2026, 6, 30));
	bone(&b, DAY(2025, 8, 31), 6);
	assert_false(risk_d4_on_therapy(&b.p, b.as_of, DAY(2025, 8, 30)));
	assert_true(risk_d4_on_therapy(&b.p, b.as_of, DAY(2025, 8, 31)));
	assert_true(risk_d4_on_therapy(&b.p, b.as_of, DAY(2026, 2, 28)));
	assert_false(risk_d4_on_therapy(&b.p, b.as_of, DAY(2026, 3, 1)));
}

/* D4: zoledronic acid 15, denosumab 7, anabolic 3 calendar months. */
static void d4_class_windows_15_7_3_months(void **state)
{
	static const struct {
		uint8_t months;
		int last_y, last_m, last_d;
	} cases[] = {
		{ 15, 2025, 4, 10 },
		{ 7, 2024, 8, 10 },
		{ 3, 2024, 4, 10 },
		{ 6, 2024, 7, 10 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rb b;
		int32_t last = DAY(cases[i].last_y, cases[i].last_m, cases[i].last_d);

		rb_init(&b, DAY(1950, 1, 1), DAY(2025, 6, 30));
		bone(&b, DAY(2024, 1, 10), cases[i].months);
		assert_true(risk_d4_on_therapy(&b.p, b.as_of, last));
		assert_false(risk_d4_on_therapy(&b.p, b.as_of, last + 1));
	}
}

/* D4: "every other row ... 6": a record without a class from the reader is read as 6 months. */
static void d4_missing_class_reads_six_months(void **state)
{
	struct rb b;

	(void)state;
	rb_init(&b, DAY(1950, 1, 1), DAY(2025, 6, 30));
	bone(&b, DAY(2024, 1, 10), 0);
	assert_true(risk_d4_on_therapy(&b.p, b.as_of, DAY(2024, 7, 10)));
	assert_false(risk_d4_on_therapy(&b.p, b.as_of, DAY(2024, 7, 11)));
}

/* D4: "a MedicationStatement with effectivePeriod start s and end e ... covers s <= t <= e + N". */
static void d4_statement_period_runs_from_its_end(void **state)
{
	struct rb b;
	struct risk_event *e;

	(void)state;
	rb_init(&b, DAY(1950, 1, 1), DAY(2025, 6, 30));
	e = bone(&b, DAY(2023, 1, 1), 6);
	e->src = RISK_SRC_MED_STATEMENT;
	e->flags = RISK_EV_PERIOD;
	e->end_day = DAY(2024, 3, 15);
	assert_false(risk_d4_on_therapy(&b.p, b.as_of, DAY(2022, 12, 31)));
	assert_true(risk_d4_on_therapy(&b.p, b.as_of, DAY(2023, 1, 1)));
	assert_true(risk_d4_on_therapy(&b.p, b.as_of, DAY(2024, 9, 15)));
	assert_false(risk_d4_on_therapy(&b.p, b.as_of, DAY(2024, 9, 16)));
}

/* D4: "e = as-of when open or after as-of". */
static void d4_open_or_later_period_ends_at_as_of(void **state)
{
	struct rb b;
	struct risk_event *e;

	(void)state;
	rb_init(&b, DAY(1950, 1, 1), DAY(2025, 6, 30));
	e = bone(&b, DAY(2020, 1, 1), 3);
	e->src = RISK_SRC_MED_STATEMENT;
	e->flags = RISK_EV_PERIOD; /* open */
	assert_true(risk_d4_on_therapy(&b.p, b.as_of, b.as_of));
	assert_true(risk_d4_on_therapy(&b.p, b.as_of, DAY(2025, 9, 30)));
	assert_false(risk_d4_on_therapy(&b.p, b.as_of, DAY(2025, 10, 1)));

	e->end_day = DAY(2030, 1, 1); /* after as-of: read as as-of */
	assert_true(risk_d4_on_therapy(&b.p, b.as_of, DAY(2025, 9, 30)));
	assert_false(risk_d4_on_therapy(&b.p, b.as_of, DAY(2025, 10, 1)));
}

/* D4: "a bone_sparing_treatment record on or before as-of". */
static void d4_record_after_as_of_ignored(void **state)
{
	struct rb b;

	(void)state;
	rb_init(&b, DAY(1950, 1, 1), DAY(2025, 6, 30));
	bone(&b, DAY(2025, 7, 1), 15);
	assert_false(risk_d4_on_therapy(&b.p, b.as_of, DAY(2025, 7, 1)));
	assert_false(risk_d4_on_therapy(&b.p, b.as_of, b.as_of));
}

/* A glucocorticoid_oral MedicationRequest with a prednisolone-equivalent dose (NaN: none). */
static struct risk_event *gc(struct rb *b, int32_t days_before, double mg)
{
	struct risk_event *e = rb_med(b, C(GLUCOCORTICOID_ORAL), RISK_SRC_MED_REQUEST, days_before);

	e->dose_pred_mg = mg;
	return e;
}

/* D5: "at least 2 glucocorticoid_oral issues dated 0 to 183 days before as-of". */
static void d5_two_issues_within_183_days(void **state)
{
	struct rb b;
	struct risk_d5 r;

	(void)state;
	rb_init_age(&b, 70);
	gc(&b, 10, 5.0);
	gc(&b, 183, 5.0);
	r = risk_d5_glucocorticoid(&b.p, b.as_of);
	assert_int_equal(r.issues, 2);
	assert_true(r.current);

	rb_init_age(&b, 70);
	gc(&b, 10, 5.0);
	gc(&b, 184, 5.0);
	r = risk_d5_glucocorticoid(&b.p, b.as_of);
	assert_int_equal(r.issues, 1);
	assert_false(r.current);
	assert_false(r.high_dose);
}

/* D5: a MedicationStatement counts as one issue at its start (7.1). */
static void d5_statement_is_one_issue_at_its_start(void **state)
{
	struct rb b;
	struct risk_event *e;

	(void)state;
	rb_init_age(&b, 70);
	gc(&b, 10, 5.0);
	e = rb_med(&b, C(GLUCOCORTICOID_ORAL), RISK_SRC_MED_STATEMENT, 184);
	e->flags = RISK_EV_PERIOD; /* open period, started 184 days ago: one issue at its start */
	assert_false(risk_d5_glucocorticoid(&b.p, b.as_of).current);
	e->day = b.as_of - 183;
	assert_true(risk_d5_glucocorticoid(&b.p, b.as_of).current);
}

/* D5a: 7.5 mg (7.5 - 1e-10 counts, 7.2.1) from at least 90 days ago; 7.4 and 89 days do not. */
static void d5a_dose_and_90_day_boundaries(void **state)
{
	struct rb b;

	(void)state;
	rb_init_age(&b, 70);
	gc(&b, 90, 7.5);
	gc(&b, 10, 7.5);
	assert_true(risk_d5_glucocorticoid(&b.p, b.as_of).high_dose);

	rb_init_age(&b, 70);
	gc(&b, 89, 7.5);
	gc(&b, 10, 7.5);
	assert_false(risk_d5_glucocorticoid(&b.p, b.as_of).high_dose);
	assert_true(risk_d5_glucocorticoid(&b.p, b.as_of).current);

	rb_init_age(&b, 70);
	gc(&b, 90, 7.4);
	gc(&b, 10, 7.4);
	assert_false(risk_d5_glucocorticoid(&b.p, b.as_of).high_dose);

	rb_init_age(&b, 70);
	gc(&b, 120, 7.5 - 1e-10);
	gc(&b, 10, 2.0 * 3.0 * 5.0 / 4.0); /* methylprednisolone 2 mg tds = 7.5 prednisolone */
	assert_true(risk_d5_glucocorticoid(&b.p, b.as_of).high_dose);

	rb_init_age(&b, 70);
	gc(&b, 120, 7.5 - 1e-8); /* beyond the 1e-9 allowance */
	gc(&b, 10, 7.5 - 1e-8);
	assert_false(risk_d5_glucocorticoid(&b.p, b.as_of).high_dose);
}

/* D5a: the latest issue decides; of several on that date the highest dose; an underivable latest dose
 * makes D5a false, and an early qualifying issue must lie inside the D5 window. */
static void d5a_latest_issue_decides(void **state)
{
	struct rb b;
	struct risk_d5 r;

	(void)state;
	rb_init_age(&b, 70);
	gc(&b, 150, 10.0);
	gc(&b, 10, 5.0); /* latest below 7.5 */
	assert_false(risk_d5_glucocorticoid(&b.p, b.as_of).high_dose);

	rb_init_age(&b, 70);
	gc(&b, 150, 10.0);
	gc(&b, 10, NAN); /* latest not derivable */
	r = risk_d5_glucocorticoid(&b.p, b.as_of);
	assert_false(r.high_dose);
	assert_true(r.dose_unknown);

	rb_init_age(&b, 70);
	gc(&b, 150, 10.0);
	gc(&b, 10, NAN);
	gc(&b, 10, 10.0); /* same date: the highest dose */
	r = risk_d5_glucocorticoid(&b.p, b.as_of);
	assert_true(r.high_dose);

	rb_init_age(&b, 70);
	gc(&b, 200, 10.0); /* outside 183 days: not a qualifying issue */
	gc(&b, 60, 10.0);
	gc(&b, 10, 10.0);
	assert_false(risk_d5_glucocorticoid(&b.p, b.as_of).high_dose);
}

/* DQ-GC-DOSE is about issues in the D5 window only. */
static void d5_unknown_dose_only_in_window(void **state)
{
	struct rb b;

	(void)state;
	rb_init_age(&b, 70);
	gc(&b, 184, NAN);
	assert_false(risk_d5_glucocorticoid(&b.p, b.as_of).dose_unknown);
	gc(&b, 183, NAN);
	assert_true(risk_d5_glucocorticoid(&b.p, b.as_of).dose_unknown);
}

/* D6: the minimum central T-score. */
static void d6_lowest_central_tscore(void **state)
{
	struct rb b;
	struct risk_d6 r;

	(void)state;
	rb_init_age(&b, 70);
	r = risk_d6_tscore(&b.p, b.as_of);
	assert_false(r.has_dxa);
	rb_add(&b, C(DXA_T_SCORE_CENTRAL), 100)->value = -2.1;
	rb_add(&b, C(DXA_T_SCORE_CENTRAL), 300)->value = -3.49;
	rb_add(&b, C(DXA_T_SCORE_PERIPHERAL), 300)->value = -4.0; /* peripheral: not D6 */
	rb_add(&b, C(DXA_T_SCORE_CENTRAL), -5)->value = -4.0;     /* after as-of */
	r = risk_d6_tscore(&b.p, b.as_of);
	assert_true(r.has_dxa);
	assert_true(r.has_value);
	assert_true(r.lowest == -3.49);
}

/* A falls code dated days_before. */
static struct risk_event *fall(struct rb *b, int32_t days_before)
{
	return rb_add(b, C(FALLS), days_before);
}

/* D7: "distinct dates, 0 to 365 days before as-of"; a falls_recurrent code makes a date count 2. */
static void d7_window_and_counting(void **state)
{
	struct rb b;
	struct risk_d7 r;

	(void)state;
	rb_init_age(&b, 70);
	fall(&b, 366);
	assert_int_equal(risk_d7_falls(&b.p, b.as_of).count, 0);
	fall(&b, 365);
	r = risk_d7_falls(&b.p, b.as_of);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.first_day, b.as_of - 365);
	fall(&b, 365); /* same date again */
	assert_int_equal(risk_d7_falls(&b.p, b.as_of).count, 1);
	fall(&b, 0);
	r = risk_d7_falls(&b.p, b.as_of);
	assert_int_equal(r.count, 2);
	assert_int_equal(r.last_day, b.as_of);
	fall(&b, -1); /* after as-of */
	assert_int_equal(risk_d7_falls(&b.p, b.as_of).count, 2);

	rb_init_age(&b, 70);
	fall(&b, 20);
	rb_add(&b, C(FALLS) | C(FALLS_RECURRENT), 20);
	assert_int_equal(risk_d7_falls(&b.p, b.as_of).count, 2);
}

/* D7a: "an injury code dated F to F + 7 days (... never before it)". */
static void d7a_injury_window_0_to_7_days_after(void **state)
{
	struct rb b;

	(void)state;
	rb_init_age(&b, 70);
	fall(&b, 100);
	rb_add(&b, C(INJURY_ICD10), 92); /* F + 8 */
	rb_add(&b, C(INJURY_ICD10), 101); /* F - 1 */
	assert_false(risk_d7_falls(&b.p, b.as_of).injurious);
	rb_add(&b, C(INJURY_ICD10), 93); /* F + 7 */
	assert_true(risk_d7_falls(&b.p, b.as_of).injurious);

	rb_init_age(&b, 70);
	fall(&b, 100);
	rb_add(&b, C(INJURY_ICD10), 100); /* F + 0 */
	assert_true(risk_d7_falls(&b.p, b.as_of).injurious);
}

/* D7a: injuries after as-of are ignored. */
static void d7a_injury_after_as_of_ignored(void **state)
{
	struct rb b;

	(void)state;
	rb_init_age(&b, 70);
	fall(&b, 3);
	rb_add(&b, C(INJURY_ICD10), -1);
	assert_false(risk_d7_falls(&b.p, b.as_of).injurious);
}

/* D7a: injury codes are ICD-10 S00-T14, or a SNOMED code of any fracture file (excluded sites and
 * non-fragility mechanisms included), never fracture_history. */
static void d7a_injury_code_kinds(void **state)
{
	static const uint64_t fracture_files[] = {
		C(FRACTURE_EXCLUDED_SITES), C(FRACTURE_NONFRAGILITY_MECHANISM), C(FRACTURE_HIP),
		C(FRACTURE_SITE_UNSPECIFIED),
	};
	struct rb b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fracture_files) / sizeof(fracture_files[0]); i++) {
		/* a SNOMED code of the file: an injury */
		rb_init_age(&b, 70);
		fall(&b, 50);
		rb_add(&b, fracture_files[i], 48)->flags |= RISK_EV_FRACTURE_SNOMED;
		assert_true(risk_d7_falls(&b.p, b.as_of).injurious);
		/* an ICD-10 code of the same file outside S00-T14 (e.g. M84.3 stress fracture): not one */
		rb_init_age(&b, 70);
		fall(&b, 50);
		rb_add(&b, fracture_files[i], 48);
		assert_false(risk_d7_falls(&b.p, b.as_of).injurious);
	}
	/* ICD-10 S00-T14, in a code set or not */
	rb_init_age(&b, 70);
	fall(&b, 50);
	rb_add(&b, C(INJURY_ICD10), 48);
	assert_true(risk_d7_falls(&b.p, b.as_of).injurious);
	rb_init_age(&b, 70);
	fall(&b, 50);
	rb_add(&b, C(INJURY_ICD10) | C(FRACTURE_WRIST_DISTAL_RADIUS), 48);
	assert_true(risk_d7_falls(&b.p, b.as_of).injurious);

	rb_init_age(&b, 70);
	fall(&b, 50);
	rb_add(&b, C(FRACTURE_HISTORY), 48)->flags |= RISK_EV_FRACTURE_SNOMED;
	assert_false(risk_d7_falls(&b.p, b.as_of).injurious);
	/* a "history of" code is no injury even if it also sat in a site file (docs/decisions.md) */
	rb_add(&b, C(FRACTURE_HISTORY) | C(FRACTURE_HIP), 48)->flags |= RISK_EV_FRACTURE_SNOMED;
	assert_false(risk_d7_falls(&b.p, b.as_of).injurious);
}

/* D7a: "A W00-W19 code and an injury code on the same encounter are the case F + 0". */
static void d7a_same_encounter_counts_whatever_the_dates(void **state)
{
	struct rb b;

	(void)state;
	rb_init_age(&b, 70);
	fall(&b, 30)->encounter = 4;
	rb_add(&b, C(INJURY_ICD10), 33)->encounter = 5; /* other encounter, before the fall */
	assert_false(risk_d7_falls(&b.p, b.as_of).injurious);
	rb_add(&b, C(INJURY_ICD10) | C(FRACTURE_HIP), 33)->encounter = 4; /* own onset before the encounter date */
	assert_true(risk_d7_falls(&b.p, b.as_of).injurious);

	/* an injury on the encounter but dated after as-of is still ignored */
	rb_init_age(&b, 70);
	fall(&b, 30)->encounter = 4;
	rb_add(&b, C(INJURY_ICD10), -2)->encounter = 4;
	assert_false(risk_d7_falls(&b.p, b.as_of).injurious);
}

/* Encounter ordinals of any size pair up, across the chunk boundaries of the lookup (4096). */
static void d7a_same_encounter_large_ordinals(void **state)
{
	static const uint32_t pairs[][2] = {
		{ 4096, 4096 }, { 4097, 4097 }, { 8193, 8193 }, { 100000, 100000 }, { 0xFFFFFFFFu, 0xFFFFFFFFu },
		{ 4096, 4097 }, { 1, 4097 }, { 4097, 1 }, { 0xFFFFFFFEu, 0xFFFFFFFFu },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct rb b;

		rb_init_age(&b, 70);
		rb_add(&b, C(INJURY_ICD10), 40)->encounter = 3; /* a decoy on another encounter */
		fall(&b, 30)->encounter = pairs[i][0];
		rb_add(&b, C(INJURY_ICD10), 33)->encounter = pairs[i][1];
		rb_add(&b, C(INJURY_ICD10), 50)->encounter = 20000; /* another chunk, no fall there */
		assert_int_equal(risk_d7_falls(&b.p, b.as_of).injurious, pairs[i][0] == pairs[i][1]);
	}
}

/* 4.3 bands: fit up to 0.12; mild above 0.12 to 0.24; moderate above 0.24 to 0.36; severe above. */
static void d10_efi_bands(void **state)
{
	(void)state;
	assert_int_equal(risk_efi_band(0.0), RISK_FRAILTY_FIT);
	assert_int_equal(risk_efi_band(0.12), RISK_FRAILTY_FIT);
	assert_int_equal(risk_efi_band(0.13), RISK_FRAILTY_MILD);
	assert_int_equal(risk_efi_band(0.24), RISK_FRAILTY_MILD);
	assert_int_equal(risk_efi_band(0.25), RISK_FRAILTY_MODERATE);
	assert_int_equal(risk_efi_band(0.36), RISK_FRAILTY_MODERATE);
	assert_int_equal(risk_efi_band(0.37), RISK_FRAILTY_SEVERE);
	assert_int_equal(risk_efi_band(1.0), RISK_FRAILTY_SEVERE);
}

static struct risk_event *efi(struct rb *b, int32_t days_before, double v)
{
	struct risk_event *e = rb_add(b, C(EFI_SCORE), days_before);

	e->src = RISK_SRC_OBSERVATION;
	e->value = v;
	return e;
}

/* D10: "the latest-dated of" codes and eFI; "On the same date the most severe category wins". */
static void d10_latest_wins_same_date_most_severe(void **state)
{
	struct rb b;
	struct risk_d10 r;

	(void)state;
	rb_init_age(&b, 80);
	rb_add(&b, C(FRAILTY_SEVERE), 100);
	efi(&b, 10, 0.20);
	r = risk_d10_frailty(&b.p, b.as_of);
	assert_int_equal(r.category, RISK_FRAILTY_MILD);
	assert_int_equal(r.day, b.as_of - 10);

	rb_add(&b, C(FRAILTY_MODERATE), 10); /* same date as the mild eFI: moderate */
	assert_int_equal(risk_d10_frailty(&b.p, b.as_of).category, RISK_FRAILTY_MODERATE);

	rb_init_age(&b, 80);
	rb_add(&b, C(FRAILTY_MILD), 10);
	efi(&b, 10, 0.5); /* severe score against a mild code on one date */
	assert_int_equal(risk_d10_frailty(&b.p, b.as_of).category, RISK_FRAILTY_SEVERE);

	rb_init_age(&b, 80);
	rb_add(&b, C(FRAILTY_MILD), 10);
	rb_add(&b, C(FRAILTY_SEVERE), 10); /* two codes on one date */
	assert_int_equal(risk_d10_frailty(&b.p, b.as_of).category, RISK_FRAILTY_SEVERE);

	/* the order of the records does not matter: the more severe listed first still wins */
	rb_init_age(&b, 80);
	rb_add(&b, C(FRAILTY_SEVERE), 10);
	rb_add(&b, C(FRAILTY_MILD), 10);
	efi(&b, 10, 0.3);
	assert_int_equal(risk_d10_frailty(&b.p, b.as_of).category, RISK_FRAILTY_SEVERE);

	rb_init_age(&b, 80);
	rb_add(&b, C(FRAILTY_SEVERE), 100);
	efi(&b, 10, 0.05); /* a later "fit" score is the latest record */
	assert_int_equal(risk_d10_frailty(&b.p, b.as_of).category, RISK_FRAILTY_FIT);
}

/* D10: "An eFI value outside [0, 1], or an eFI observation without a value, is ignored with a note". */
static void d10_efi_out_of_range_ignored_with_flag(void **state)
{
	struct rb b;
	struct risk_d10 r;

	(void)state;
	rb_init_age(&b, 80);
	rb_add(&b, C(FRAILTY_MODERATE), 100);
	efi(&b, 10, 1.2);
	r = risk_d10_frailty(&b.p, b.as_of);
	assert_int_equal(r.category, RISK_FRAILTY_MODERATE);
	assert_true(r.efi_ignored);

	rb_init_age(&b, 80);
	efi(&b, 10, NAN);
	r = risk_d10_frailty(&b.p, b.as_of);
	assert_int_equal(r.category, RISK_FRAILTY_UNKNOWN);
	assert_true(r.efi_ignored);

	rb_init_age(&b, 80);
	efi(&b, 10, 1.0);
	efi(&b, 20, 0.0);
	r = risk_d10_frailty(&b.p, b.as_of);
	assert_int_equal(r.category, RISK_FRAILTY_SEVERE);
	assert_false(r.efi_ignored);
}

/* 7.4 care home: "a care_home code dated 0 to 730 days before as-of"; undated codes do not count. */
static void care_home_730_in_731_out(void **state)
{
	struct rb b;

	(void)state;
	rb_init_age(&b, 80);
	rb_add(&b, C(CARE_HOME), 731);
	rb_add_day(&b, C(CARE_HOME), RISK_NO_DAY);
	rb_add(&b, C(CARE_HOME), -1);
	assert_false(risk_care_home(&b.p, b.as_of));
	rb_add(&b, C(CARE_HOME), 730);
	assert_true(risk_care_home(&b.p, b.as_of));
}

/* D9 and "ever recorded": on or before as-of, not a relative's history. */
static void d9_osteoporosis_recorded_on_or_before_as_of(void **state)
{
	struct rb b;
	struct risk_event *e;

	(void)state;
	rb_init_age(&b, 60);
	rb_add(&b, C(OSTEOPOROSIS), -1);
	e = rb_add(&b, C(OSTEOPOROSIS), 100);
	e->src = RISK_SRC_FAMILY_HISTORY;
	e->flags = RISK_EV_PARENT;
	assert_false(risk_d9_osteoporosis(&b.p, b.as_of));
	assert_true(risk_d8_parental_history(&b.p, b.as_of));
	rb_add(&b, C(OSTEOPOROSIS), 0);
	assert_true(risk_d9_osteoporosis(&b.p, b.as_of));
}

/* A parent's hip fracture (FamilyMemberHistory) is not the patient's fracture. */
static void family_history_is_not_a_patient_fracture(void **state)
{
	struct rb b;
	struct risk_event *e;

	(void)state;
	rb_init_age(&b, 70);
	e = rb_add(&b, C(FRACTURE_HIP), 100);
	e->src = RISK_SRC_FAMILY_HISTORY;
	e->flags = RISK_EV_PARENT;
	assert_int_equal(risk_d2_events(&b.p, b.as_of).n_events, 0);
	assert_true(risk_d8_parental_history(&b.p, b.as_of));
}

/* R-FLS-1 (b): the latest fracture_history code dated at 50 or over. */
static void history_day_at_50_or_over(void **state)
{
	struct rb b;

	(void)state;
	rb_init(&b, DAY(1970, 3, 10), DAY(2025, 6, 30));
	rb_add_day(&b, C(FRACTURE_HISTORY), DAY(2020, 3, 9));
	assert_int_equal(risk_fracture_history_day(&b.p, b.as_of), RISK_NO_DAY);
	rb_add_day(&b, C(FRACTURE_HISTORY), DAY(2020, 3, 10));
	rb_add_day(&b, C(FRACTURE_HISTORY), DAY(2023, 3, 10));
	rb_add_day(&b, C(FRACTURE_HISTORY), DAY(2025, 7, 1)); /* after as-of */
	assert_int_equal(risk_fracture_history_day(&b.p, b.as_of), DAY(2023, 3, 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(d2_age_49_is_not_a_fracture_event_50_is),
		cmocka_unit_test(d2_leap_day_birth_turns_50_on_1_march),
		cmocka_unit_test(d2_excluded_codes_are_never_events),
		cmocka_unit_test(d2_unknown_birth_has_no_events),
		cmocka_unit_test(d2_events_after_as_of_are_ignored),
		cmocka_unit_test(d2a_day_90_joins_day_91_starts_new_episode),
		cmocka_unit_test(d2a_anchored_not_chained),
		cmocka_unit_test(d2a_sites_never_merge),
		cmocka_unit_test(d2a_multiple_vertebral_code_counts_two),
		cmocka_unit_test(d2a_fracture_before_50_not_counted),
		cmocka_unit_test(d2b_index_tie_break_by_site),
		cmocka_unit_test(d2b_most_recent_episode_by_first_event),
		cmocka_unit_test(d3_recent_730_in_731_out),
		cmocka_unit_test(d4_oral_six_months_with_month_end_clamp),
		cmocka_unit_test(d4_class_windows_15_7_3_months),
		cmocka_unit_test(d4_missing_class_reads_six_months),
		cmocka_unit_test(d4_statement_period_runs_from_its_end),
		cmocka_unit_test(d4_open_or_later_period_ends_at_as_of),
		cmocka_unit_test(d4_record_after_as_of_ignored),
		cmocka_unit_test(d5_two_issues_within_183_days),
		cmocka_unit_test(d5_statement_is_one_issue_at_its_start),
		cmocka_unit_test(d5a_dose_and_90_day_boundaries),
		cmocka_unit_test(d5a_latest_issue_decides),
		cmocka_unit_test(d5_unknown_dose_only_in_window),
		cmocka_unit_test(d6_lowest_central_tscore),
		cmocka_unit_test(d7_window_and_counting),
		cmocka_unit_test(d7a_injury_window_0_to_7_days_after),
		cmocka_unit_test(d7a_injury_after_as_of_ignored),
		cmocka_unit_test(d7a_injury_code_kinds),
		cmocka_unit_test(d7a_same_encounter_counts_whatever_the_dates),
		cmocka_unit_test(d7a_same_encounter_large_ordinals),
		cmocka_unit_test(d10_efi_bands),
		cmocka_unit_test(d10_latest_wins_same_date_most_severe),
		cmocka_unit_test(d10_efi_out_of_range_ignored_with_flag),
		cmocka_unit_test(care_home_730_in_731_out),
		cmocka_unit_test(d9_osteoporosis_recorded_on_or_before_as_of),
		cmocka_unit_test(family_history_is_not_a_patient_fracture),
		cmocka_unit_test(history_day_at_50_or_over),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
