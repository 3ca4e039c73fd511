/*
 * FLS worklist (clinical-rules.md 7.3) through risk_rules_apply on hand-built facts: eligibility R-FLS-1,
 * every P-level rule on both sides of its boundaries, the worklist notes and the data-quality notes of
 * 7.5. Every case asserts the priority, the exact FLS reason bits and the falls outcome. Expected values
 * are read from the spec, quoted beside each case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "risk/day.h"
#include "risk/decision.h"
#include "risk_builder.h"

#define DAY(y, m, d) risk_day_from_civil(y, m, d)
#define R(x) (1u << RISK_FLS_##x)
#define F(n) (1u << RISK_FALL_##n)
#define N(x) RISK_NOTE_BIT(RISK_NOTE_##x)
#define WL_MASK (N(WL_NO_DXA) | N(WL_FALLS_HISTORY) | N(WL_OSTEOPOROSIS) | N(WL_GLUCOCORTICOID) | \
		 N(WL_CARE_HOME) | N(WL_FRAILTY_MILD) | N(WL_FRAILTY_MODERATE) | N(WL_FRAILTY_SEVERE) | \
		 N(WL_HIGH_ENERGY) | N(WL_AGE_OVER_80) | N(WL_RISK_INFO))

/* Priority, FLS reasons and the falls outcome, all exact. */
static void expect(const struct risk_decision *d, unsigned prio, uint32_t fls, unsigned pop, unsigned ref,
		   uint32_t falls)
{
	assert_int_equal(d->priority, prio);
	assert_int_equal(d->fls_reasons, fls);
	assert_int_equal(d->falls_population, pop);
	assert_int_equal(d->falls_referral, ref);
	assert_int_equal(d->falls_reasons, falls);
}

/* An oral bisphosphonate MedicationRequest (D4 class 6 months). */
static struct risk_event *bisphosphonate(struct rb *b, int32_t days_before)
{
	struct risk_event *e = rb_med(b, C(BONE_SPARING_TREATMENT), RISK_SRC_MED_REQUEST, days_before);

	e->bone_months = 6;
	return e;
}

static struct risk_event *gc(struct rb *b, int32_t days_before, double mg)
{
	struct risk_event *e = rb_med(b, C(GLUCOCORTICOID_ORAL), RISK_SRC_MED_REQUEST, days_before);

	e->dose_pred_mg = mg;
	return e;
}

/* D2 "age at event at least 50": 49 at the fracture is off the worklist, 50 is on. At 50 now, the
 * fracture also decides the 50-64 falls population (7.4 "a fragility fracture event (D2 ...)"). */
static void fracture_at_49_off_at_50_on(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init(&b, DAY(1975, 3, 10), DAY(2025, 6, 30));
	rb_add_day(&b, C(FRACTURE_HIP), DAY(2025, 3, 9));
	rb_apply(&b, &d, NAN);
	assert_int_equal(d.age, 50);
	expect(&d, 0, 0, 0, 0, 0);
	assert_int_equal(d.index_day, RISK_NO_DAY);
	assert_int_equal(d.notes & WL_MASK, 0);

	rb_init(&b, DAY(1975, 3, 10), DAY(2025, 6, 30));
	rb_add_day(&b, C(FRACTURE_HIP), DAY(2025, 3, 10));
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_HIPVERT), 1, 0, F(7));
	assert_int_equal(d.index_day, DAY(2025, 3, 10));
	assert_int_equal(d.index_site, RISK_SITE_HIP);
	assert_int_equal(d.sort_day, DAY(2025, 3, 10));
}

/* D3 "0 to 730 days": a hip fracture 730 days ago is P1; 731 days ago it is a previous fracture (P3). */
static void recency_730_p1_731_p3(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_HIP), 730);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_HIPVERT), 1, 0, F(7));

	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_HIP), 731);
	rb_apply(&b, &d, NAN);
	expect(&d, 3, R(P3_PREVIOUS), 1, 0, F(7));
	assert_int_equal(d.sort_day, b.as_of - 731);
}

/* R-FLS-P1-HIPVERT for hip and vertebral; R-FLS-P2-RECENT for every other site. */
static void recent_site_levels(void **state)
{
	static const struct {
		uint64_t code;
		unsigned prio;
		uint32_t reasons;
		uint8_t site;
	} cases[] = {
		{ C(FRACTURE_HIP), 1, R(P1_HIPVERT), RISK_SITE_HIP },
		{ C(FRACTURE_VERTEBRAL), 1, R(P1_HIPVERT), RISK_SITE_VERTEBRAL },
		{ C(FRACTURE_PELVIS), 2, R(P2_RECENT), RISK_SITE_PELVIS },
		{ C(FRACTURE_PROXIMAL_HUMERUS), 2, R(P2_RECENT), RISK_SITE_HUMERUS },
		{ C(FRACTURE_WRIST_DISTAL_RADIUS), 2, R(P2_RECENT), RISK_SITE_WRIST },
		{ C(FRACTURE_OTHER_FRAGILITY_SITES), 2, R(P2_RECENT), RISK_SITE_OTHER },
		{ C(FRACTURE_SITE_UNSPECIFIED), 2, R(P2_RECENT), RISK_SITE_UNSPECIFIED },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rb b;
		struct risk_decision d;

		rb_init_age(&b, 75);
		rb_add(&b, cases[i].code, 100);
		rb_apply(&b, &d, NAN);
		expect(&d, cases[i].prio, cases[i].reasons, 1, 0, F(7));
		assert_int_equal(d.index_site, cases[i].site);
	}
}

/* Index tie on one date: the more severe site decides the rule (hip over wrist). */
static void same_date_index_is_most_severe_site(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 50);
	rb_add(&b, C(FRACTURE_HIP), 50);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_HIPVERT), 1, 0, F(7));
	assert_int_equal(d.index_site, RISK_SITE_HIP);
}

/* R-FLS-P1-MULTIVERT: recent index of any site, untreated, vertebral episode count >= 2 over all episodes;
 * P2 still listed beside it when its own condition holds. */
static void multiple_vertebral_count(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	/* one old vertebral episode: count 1 */
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_VERTEBRAL), 800);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 100);
	rb_apply(&b, &d, NAN);
	expect(&d, 2, R(P2_RECENT), 1, 0, F(7));

	/* two vertebral episodes 100 days apart */
	rb_add(&b, C(FRACTURE_VERTEBRAL), 700);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_MULTIVERT) | R(P2_RECENT), 1, 0, F(7));
	assert_int_equal(d.index_site, RISK_SITE_WRIST);

	/* one episode with a fracture_vertebral_multiple code counts 2 */
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_VERTEBRAL) | C(FRACTURE_VERTEBRAL_MULTIPLE), 800);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 100);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_MULTIVERT) | R(P2_RECENT), 1, 0, F(7));

	/* a recent vertebral index with a second vertebral episode: both P1 reasons */
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_VERTEBRAL), 1500);
	rb_add(&b, C(FRACTURE_VERTEBRAL), 20);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_HIPVERT) | R(P1_MULTIVERT), 1, 0, F(7));

	/* the count alone does not make an old index P1 */
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_VERTEBRAL) | C(FRACTURE_VERTEBRAL_MULTIPLE), 900);
	rb_apply(&b, &d, NAN);
	expect(&d, 3, R(P3_PREVIOUS), 1, 0, F(7));
}

/* D2a 90-day episode boundary as seen by R-FLS-P1-MULTIVERT: day 90 joins, day 91 is a new episode; the
 * A, A+80, A+160 example makes two episodes. */
static void episode_boundary_in_vertebral_count(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_VERTEBRAL), 800);
	rb_add(&b, C(FRACTURE_VERTEBRAL), 710);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 100);
	rb_apply(&b, &d, NAN);
	expect(&d, 2, R(P2_RECENT), 1, 0, F(7));

	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_VERTEBRAL), 800);
	rb_add(&b, C(FRACTURE_VERTEBRAL), 709);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 100);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_MULTIVERT) | R(P2_RECENT), 1, 0, F(7));

	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_VERTEBRAL), 900);
	rb_add(&b, C(FRACTURE_VERTEBRAL), 820);
	rb_add(&b, C(FRACTURE_VERTEBRAL), 740);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 100);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_MULTIVERT) | R(P2_RECENT), 1, 0, F(7));
}

/* R-FLS-P1-TSCORE-GC: "D6 at most -3.5": -3.5 holds, -3.49 does not. */
static void tscore_minus_3_5_vs_3_49(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 100);
	rb_add(&b, C(DXA_T_SCORE_CENTRAL), 60)->value = -3.5;
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_TSCORE_GC) | R(P2_RECENT), 1, 0, F(7));
	assert_int_equal(d.notes & N(WL_NO_DXA), 0);

	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 100);
	rb_add(&b, C(DXA_T_SCORE_CENTRAL), 60)->value = -3.49;
	rb_apply(&b, &d, NAN);
	expect(&d, 2, R(P2_RECENT), 1, 0, F(7));
	assert_int_equal(d.notes & N(WL_NO_DXA), 0);
}

/* R-FLS-P1-TSCORE-GC through D5a: 7.5 mg from 90 days holds; 7.4 mg does not (D5 still does). */
static void glucocorticoid_7_5_vs_7_4(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 100);
	gc(&b, 90, 7.5);
	gc(&b, 10, 7.5);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_TSCORE_GC) | R(P2_RECENT), 1, 0, F(7));
	assert_true(d.notes & N(WL_GLUCOCORTICOID));

	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 100);
	gc(&b, 90, 7.4);
	gc(&b, 10, 7.4);
	rb_apply(&b, &d, NAN);
	expect(&d, 2, R(P2_RECENT), 1, 0, F(7));
	assert_true(d.notes & N(WL_GLUCOCORTICOID));

	/* 89 days is less than the "3 months" */
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 100);
	gc(&b, 89, 7.5);
	gc(&b, 10, 7.5);
	rb_apply(&b, &d, NAN);
	expect(&d, 2, R(P2_RECENT), 1, 0, F(7));
}

/* R-FLS-1 (a) and R-FLS-P1-TREATED: a recent fracture on treatment is P1 whether or not treatment
 * continues; a fracture before treatment, with treatment now, is off the list. */
static void treated_patients(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	/* on treatment at the fracture and now: P1-TREATED only (the other rules need "untreated") */
	rb_init_age(&b, 75);
	bisphosphonate(&b, 60);
	rb_add(&b, C(FRACTURE_HIP), 30);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_TREATED), 1, 0, F(7));

	/* fracture before treatment, treated now: off the worklist, index still reported */
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_HIP), 100);
	bisphosphonate(&b, 50);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(7));
	assert_int_equal(d.index_day, b.as_of - 100);
	assert_int_equal(d.notes & WL_MASK, 0);

	/* on treatment at the fracture (issue 400 days ago covers ~6 months), lapsed now */
	rb_init_age(&b, 75);
	bisphosphonate(&b, 400);
	rb_add(&b, C(FRACTURE_HIP), 300);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_TREATED) | R(P1_HIPVERT), 1, 0, F(7));

	/* old (over 730 days) fracture on treatment, treated now: off */
	rb_init_age(&b, 75);
	bisphosphonate(&b, 850);
	rb_add(&b, C(FRACTURE_HIP), 800);
	bisphosphonate(&b, 50);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(7));

	/* the same without current treatment: an untreated previous fracture, P3 */
	rb_init_age(&b, 75);
	bisphosphonate(&b, 850);
	rb_add(&b, C(FRACTURE_HIP), 800);
	rb_apply(&b, &d, NAN);
	expect(&d, 3, R(P3_PREVIOUS), 1, 0, F(7));
}

/* R-FLS-1 (b): a fracture_history code dated at 50 or over, no D2 event, untreated: P3 only, with
 * DQ-HISTORY-ONLY and the history date as the sort date. */
static void history_only_patient(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_HISTORY), 200);
	rb_add(&b, C(FRACTURE_HISTORY), 400);
	rb_apply(&b, &d, NAN);
	expect(&d, 3, R(P3_PREVIOUS), 1, 0, F(7));
	assert_true(d.notes & N(HISTORY_ONLY));
	assert_true(d.notes & N(WL_NO_DXA));
	assert_int_equal(d.sort_day, b.as_of - 200);
	assert_int_equal(d.index_day, RISK_NO_DAY);
	assert_int_equal(d.index_site, RISK_SITE_NONE);

	/* treated now: not eligible */
	bisphosphonate(&b, 30);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(7));
	assert_int_equal(d.notes & (N(HISTORY_ONLY) | WL_MASK), 0);
}

/* R-FLS-1 (b) needs the code dated at 50 or over; a fracture before 50 is no D2 event, so (b) applies. */
static void history_code_age_and_early_fracture(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init(&b, DAY(1970, 3, 10), DAY(2025, 6, 30));
	rb_add_day(&b, C(FRACTURE_HISTORY), DAY(2020, 3, 9)); /* at 49 */
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 0, 0, 0);

	rb_add_day(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), DAY(2019, 1, 1)); /* at 48: counts for nothing */
	rb_add_day(&b, C(FRACTURE_HISTORY), DAY(2020, 3, 10));             /* at 50 */
	rb_apply(&b, &d, NAN);
	expect(&d, 3, R(P3_PREVIOUS), 0, 0, 0); /* 55 with no 50-64 proxy: outside the falls population */
	assert_true(d.notes & N(HISTORY_ONLY));
	assert_int_equal(d.sort_day, DAY(2020, 3, 10));
}

/* A D2 event makes R-FLS-1 (a) the basis even with a history code: no DQ-HISTORY-ONLY, index date sorts. */
static void history_with_fracture_is_not_history_only(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_HISTORY), 100);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 800);
	rb_apply(&b, &d, NAN);
	expect(&d, 3, R(P3_PREVIOUS), 1, 0, F(7));
	assert_int_equal(d.notes & N(HISTORY_ONLY), 0);
	assert_int_equal(d.sort_day, b.as_of - 800);
}

/* 7.1: events after as-of and undated events are ignored, with a note. */
static void after_as_of_and_undated_ignored(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_HIP), -1);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(7));
	assert_true(d.notes & N(AFTER_AS_OF));
	assert_int_equal(d.notes & (N(NO_DATE) | N(MED_NO_DATE)), 0);
	assert_int_equal(d.index_day, RISK_NO_DAY);

	rb_init_age(&b, 75);
	rb_add_day(&b, C(FRACTURE_HIP), RISK_NO_DAY);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(7));
	assert_true(d.notes & N(NO_DATE));
	assert_int_equal(d.notes & (N(AFTER_AS_OF) | N(MED_NO_DATE)), 0);

	/* an undated medication: DQ-MED-NO-DATE, and it does not treat the patient */
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_HIP), 100);
	bisphosphonate(&b, 0)->day = RISK_NO_DAY;
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_HIPVERT), 1, 0, F(7));
	assert_true(d.notes & N(MED_NO_DATE));
	assert_int_equal(d.notes & N(NO_DATE), 0);
}

/* 7.3 notes: only on worklist entries; they never change the level. */
static void worklist_notes_on_entries_only(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 100);
	rb_apply(&b, &d, NAN);
	expect(&d, 2, R(P2_RECENT), 1, 0, F(7));
	assert_int_equal(d.notes & WL_MASK, N(WL_NO_DXA)); /* no score: no WL-RISK-INFO */

	rb_apply(&b, &d, 12.5);
	expect(&d, 2, R(P2_RECENT), 1, 0, F(7));
	assert_int_equal(d.notes & WL_MASK, N(WL_NO_DXA) | N(WL_RISK_INFO));

	/* every feature present */
	rb_add(&b, C(FALLS), 40);
	rb_add(&b, C(OSTEOPOROSIS), 2000);
	rb_add(&b, C(CARE_HOME), 700);
	rb_add(&b, C(FRAILTY_SEVERE), 10);
	rb_add(&b, C(DXA_T_SCORE_CENTRAL), 60)->value = -1.0;
	gc(&b, 20, 5.0);
	gc(&b, 50, 5.0);
	rb_apply(&b, &d, 12.5);
	/* R-FALL-3 (frailty), R-FALL-4 (care home), R-FALL-5 (fracture 60 days before the fall) */
	expect(&d, 2, R(P2_RECENT), 1, 1, F(3) | F(4) | F(5));
	assert_int_equal(d.notes & WL_MASK, N(WL_FALLS_HISTORY) | N(WL_OSTEOPOROSIS) | N(WL_GLUCOCORTICOID) |
						    N(WL_CARE_HOME) | N(WL_FRAILTY_SEVERE) | N(WL_RISK_INFO));

	/* treated now and the fracture came first: off the list, so no worklist note at all */
	bisphosphonate(&b, 50);
	rb_apply(&b, &d, 12.5);
	expect(&d, 0, 0, 1, 1, F(3) | F(4) | F(5));
	assert_int_equal(d.notes & WL_MASK, 0);
}

/* Frailty notes by D10 category; none for fit. */
static void frailty_category_notes(void **state)
{
	static const struct {
		uint64_t code;
		double efi;
		uint64_t note;
	} cases[] = {
		{ C(FRAILTY_MILD), NAN, N(WL_FRAILTY_MILD) },
		{ C(FRAILTY_MODERATE), NAN, N(WL_FRAILTY_MODERATE) },
		{ C(FRAILTY_SEVERE), NAN, N(WL_FRAILTY_SEVERE) },
		{ C(EFI_SCORE), 0.12, 0 },
		{ C(EFI_SCORE), 0.25, N(WL_FRAILTY_MODERATE) },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rb b;
		struct risk_decision d;
		struct risk_event *e;

		rb_init_age(&b, 75);
		rb_add(&b, C(FRACTURE_HIP), 100);
		e = rb_add(&b, cases[i].code, 30);
		e->value = cases[i].efi;
		rb_apply(&b, &d, NAN);
		expect(&d, 1, R(P1_HIPVERT), 1, 0, F(7));
		assert_int_equal(d.notes & (N(WL_FRAILTY_MILD) | N(WL_FRAILTY_MODERATE) | N(WL_FRAILTY_SEVERE)),
				 cases[i].note);
	}
}

/* "Age over 80" read as 80 completed years or more (docs/decisions.md): 79 no, 80 yes. */
static void age_over_80_note(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 79);
	rb_add(&b, C(FRACTURE_HIP), 100);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_HIPVERT), 1, 0, F(7));
	assert_int_equal(d.notes & N(WL_AGE_OVER_80), 0);

	rb_init_age(&b, 80);
	rb_add(&b, C(FRACTURE_HIP), 100);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_HIPVERT), 1, 0, F(7));
	assert_true(d.notes & N(WL_AGE_OVER_80));
}

/* 1.2: a fall-from-height code on the index fracture's Encounter adds a note, never a veto. */
static void high_energy_note_on_fracture_encounter(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 70);
	rb_add_sct(&b, C(FRACTURE_HIP), 30)->encounter = 7;
	rb_add(&b, C(FALLS) | C(FALL_FROM_HEIGHT_ICD10), 30)->encounter = 8;
	rb_apply(&b, &d, NAN);
	/* the fall code also makes a fall and an injury the same day: R-FALL-1 and R-FALL-5 */
	expect(&d, 1, R(P1_HIPVERT), 1, 1, F(1) | F(5));
	assert_int_equal(d.notes & N(WL_HIGH_ENERGY), 0);

	b.ev[1].encounter = 7;
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_HIPVERT), 1, 1, F(1) | F(5));
	assert_true(d.notes & N(WL_HIGH_ENERGY));

	/* on the encounter of an older, non-index fracture only: no note */
	rb_init_age(&b, 70);
	rb_add(&b, C(FRACTURE_HIP), 900)->encounter = 3;
	rb_add(&b, C(FALL_FROM_HEIGHT_ICD10), 900)->encounter = 3;
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 30)->encounter = 9;
	rb_apply(&b, &d, NAN);
	expect(&d, 2, R(P2_RECENT), 1, 0, F(7));
	assert_int_equal(d.notes & N(WL_HIGH_ENERGY), 0);

	/* same site, older episode (over 90 days before the index): not the fracture encounter */
	rb_init_age(&b, 70);
	rb_add(&b, C(FRACTURE_HIP), 200)->encounter = 3;
	rb_add(&b, C(FALL_FROM_HEIGHT_ICD10), 200)->encounter = 3;
	rb_add(&b, C(FRACTURE_HIP), 100)->encounter = 9;
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_HIPVERT), 1, 0, F(7));
	assert_int_equal(d.index_day, b.as_of - 100);
	assert_int_equal(d.notes & N(WL_HIGH_ENERGY), 0);

	/* a later event of the index episode (index + 60 days) is on the fracture encounter too */
	rb_add(&b, C(FRACTURE_HIP), 40)->encounter = 5;
	rb_add(&b, C(FALL_FROM_HEIGHT_ICD10), 40)->encounter = 5;
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_HIPVERT), 1, 0, F(7));
	assert_true(d.notes & N(WL_HIGH_ENERGY));
}

/* 7.5: data-quality notes are reported whether or not the patient is on the worklist. */
static void data_quality_notes_always(void **state)
{
	struct rb b;
	struct risk_decision d;
	struct risk_event *e;

	(void)state;
	rb_init_age(&b, 40);
	rb_add(&b, C(ASTHMA), 100)->flags = RISK_EV_PARTIAL_DATE;
	rb_add(&b, C(CANCER), 100)->flags = RISK_EV_ICD10_CATEGORY;
	rb_add(&b, C(FRACTURE_SITE_UNSPECIFIED), 100);
	e = rb_add(&b, C(EFI_SCORE), 100);
	e->value = 1.5;
	gc(&b, 30, NAN);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 0, 0, 0);
	assert_int_equal(d.notes, N(PARTIAL_DATE) | N(ICD10_CATEGORY) | N(FRACTURE_SITE_UNSPECIFIED) |
					  N(EFI_RANGE) | N(GC_DOSE));
}

/* The rules keep the notes already in the decision (the reader's and the QFracture mapping's). */
static void earlier_notes_are_kept(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 75);
	b.p.notes = N(BMI_MISSING);
	rb_add(&b, C(FRACTURE_HIP), 100);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_HIPVERT), 1, 0, F(7));
	assert_int_equal(d.notes, N(BMI_MISSING) | N(WL_NO_DXA));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fracture_at_49_off_at_50_on),
		cmocka_unit_test(recency_730_p1_731_p3),
		cmocka_unit_test(recent_site_levels),
		cmocka_unit_test(same_date_index_is_most_severe_site),
		cmocka_unit_test(multiple_vertebral_count),
		cmocka_unit_test(episode_boundary_in_vertebral_count),
		cmocka_unit_test(tscore_minus_3_5_vs_3_49),
		cmocka_unit_test(glucocorticoid_7_5_vs_7_4),
		cmocka_unit_test(treated_patients),
		cmocka_unit_test(history_only_patient),
		cmocka_unit_test(history_code_age_and_early_fracture),
		cmocka_unit_test(history_with_fracture_is_not_history_only),
		cmocka_unit_test(after_as_of_and_undated_ignored),
		cmocka_unit_test(worklist_notes_on_entries_only),
		cmocka_unit_test(frailty_category_notes),
		cmocka_unit_test(age_over_80_note),
		cmocka_unit_test(high_energy_note_on_fracture_encounter),
		cmocka_unit_test(data_quality_notes_always),
		cmocka_unit_test(earlier_notes_are_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
