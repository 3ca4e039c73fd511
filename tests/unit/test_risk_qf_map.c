/*
 * risk_qf_map on hand-built facts: both sides of every boundary of the mapping (age 29/30/100/101,
 * birthday on the as-of day, 1 vs 2 issues, 183 vs 184 days, 730 vs 731 days, BMI clamp, fracture at
 * 49 vs 50), the missing-data policy and its notes, and the ethnic-category table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes/concepts.h"
#include "risk/decision.h"
#include "test_util.h"

#define CB(c) CONCEPT_BIT(CONCEPT_##c)
#define NB(n) RISK_NOTE_BIT(RISK_NOTE_##n)
#define MAX_EV 96

struct pt {
	struct risk_patient p;
	struct risk_event ev[MAX_EV];
	int32_t as_of;
	struct risk_decision d;
};

static int32_t D(int y, int m, int d)
{
	return risk_day_from_civil(y, m, d);
}

/* A patient aged 70 at as-of 2025-06-15, sex given, with a recorded BMI of 25 a month before. */
static void pt_init(struct pt *t, int sex)
{
	memset(t, 0, sizeof(*t));
	t->as_of = D(2025, 6, 15);
	t->p.sex = (uint8_t)sex;
	t->p.birth_day = D(1955, 1, 10);
	t->p.deceased_day = RISK_NO_DAY;
	memcpy(t->p.ethnic, "A", 2);
	t->p.events = t->ev;
	t->p.cap_events = MAX_EV;
}

static struct risk_event *add(struct pt *t, uint64_t concepts, int src, int32_t day)
{
	struct risk_event *e;

	assert_true(t->p.n_events < MAX_EV);
	e = &t->ev[t->p.n_events++];
	memset(e, 0, sizeof(*e));
	e->concepts = concepts;
	e->src = (uint8_t)src;
	e->day = day;
	e->end_day = RISK_NO_DAY;
	e->value = NAN;
	e->dose_pred_mg = NAN;
	return e;
}

static struct risk_event *add_value(struct pt *t, uint64_t concepts, int32_t day, double v, int unit)
{
	struct risk_event *e = add(t, concepts, RISK_SRC_OBSERVATION, day);

	e->value = v;
	e->unit = (uint8_t)unit;
	return e;
}

static void add_bmi(struct pt *t, double v)
{
	add_value(t, CB(BMI), t->as_of - 30, v, RISK_UNIT_KG_M2);
}

/* As risk_decide prepares the decision before mapping. */
static int map(struct pt *t)
{
	memset(&t->d, 0, sizeof(t->d));
	t->d.age = -1;
	t->d.notes = t->p.notes;
	return risk_qf_map(&t->p, t->as_of, &t->d);
}

static int has_note(const struct pt *t, uint64_t bit)
{
	return (t->d.notes & bit) != 0;
}

/* ---- complete inputs ---- */

static void complete_facts_give_inputs(void **state)
{
	struct pt t;
	(void)state;

	pt_init(&t, RISK_SEX_FEMALE);
	add_bmi(&t, 25.0);
	add(&t, CB(SMOKING_NEVER), RISK_SRC_OBSERVATION, t.as_of - 100);
	add(&t, CB(ALCOHOL_NON_DRINKER), RISK_SRC_OBSERVATION, t.as_of - 100);
	assert_int_equal(map(&t), 1);
	assert_int_equal(t.d.score_status, RISK_SCORE_OK);
	assert_int_equal(t.d.age, 70);
	assert_int_equal(t.d.qf.age, 70);
	assert_int_equal(t.d.sex, RISK_SEX_FEMALE);
	assert_int_equal(t.d.qf.sex, RISK_SEX_FEMALE);
	assert_int_equal(t.d.qf.surv, 10);
	assert_true(t.d.qf.bmi == 25.0);
	assert_int_equal(t.d.qf.ethrisk, 1);
	assert_int_equal(t.d.qf.smoke_cat, 0);
	assert_int_equal(t.d.qf.alcohol_cat6, 0);
	assert_int_equal(t.d.notes, 0); /* nothing assumed */
}

static void keeps_reader_notes(void **state)
{
	struct pt t;
	(void)state;

	pt_init(&t, RISK_SEX_MALE);
	t.p.notes = NB(NO_PATIENT);
	add_bmi(&t, 25.0);
	map(&t);
	assert_true(has_note(&t, NB(NO_PATIENT)));
	assert_true(has_note(&t, NB(SMOKING_ASSUMED)));
}

/* ---- age ---- */

static void age_boundaries(void **state)
{
	static const struct {
		int by, bm, bd, age, ok;
	} cases[] = {
		{ 1995, 6, 16, 29, 0 },  /* 30th birthday tomorrow */
		{ 1995, 6, 15, 30, 1 },  /* 30th birthday on the as-of day */
		{ 1925, 6, 15, 100, 1 },
		{ 1924, 6, 16, 100, 1 }, /* 101st birthday tomorrow */
		{ 1924, 6, 15, 101, 0 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt t;

		pt_init(&t, RISK_SEX_FEMALE);
		t.p.birth_day = D(cases[i].by, cases[i].bm, cases[i].bd);
		add_bmi(&t, 25.0);
		assert_int_equal(map(&t), cases[i].ok);
		assert_int_equal(t.d.age, cases[i].age);
		assert_int_equal(t.d.qf.age, cases[i].age);
		assert_int_equal(t.d.score_status, cases[i].ok ? RISK_SCORE_OK : RISK_SCORE_AGE_RANGE);
		assert_int_equal(has_note(&t, NB(AGE_OUT_OF_RANGE)), !cases[i].ok);
	}
}

static void no_birth_date_means_no_age(void **state)
{
	struct pt t;
	(void)state;

	pt_init(&t, RISK_SEX_MALE);
	t.p.birth_day = RISK_NO_DAY;
	add_bmi(&t, 25.0);
	assert_int_equal(map(&t), 0);
	assert_int_equal(t.d.age, -1);
	assert_int_equal(t.d.score_status, RISK_SCORE_NO_AGE);
	assert_true(has_note(&t, NB(NO_BIRTH_DATE)));
	assert_false(has_note(&t, NB(AGE_OUT_OF_RANGE)));

	pt_init(&t, RISK_SEX_MALE);
	t.p.birth_day = t.as_of + 1; /* born after the as-of date: not usable */
	add_bmi(&t, 25.0);
	assert_int_equal(map(&t), 0);
	assert_int_equal(t.d.score_status, RISK_SCORE_NO_AGE);
	assert_true(has_note(&t, NB(NO_BIRTH_DATE)));
}

static void partial_birth_date_is_noted(void **state)
{
	struct pt t;
	(void)state;

	pt_init(&t, RISK_SEX_MALE);
	t.p.birth_partial = 1;
	add_bmi(&t, 25.0);
	assert_int_equal(map(&t), 1);
	assert_true(has_note(&t, NB(BIRTH_PARTIAL)));
}

/* ---- sex ---- */

static void sex_unknown_or_other_has_no_score(void **state)
{
	static const int sexes[] = { RISK_SEX_UNKNOWN, RISK_SEX_OTHER };
	(void)state;

	for (size_t i = 0; i < 2; i++) {
		struct pt t;

		pt_init(&t, sexes[i]);
		add_bmi(&t, 25.0);
		assert_int_equal(map(&t), 0);
		assert_int_equal(t.d.score_status, RISK_SCORE_NO_SEX);
		assert_int_equal(t.d.sex, sexes[i]);
		assert_true(has_note(&t, NB(SEX_UNKNOWN)));
	}
}

static void no_age_outranks_other_gaps(void **state)
{
	struct pt t;
	(void)state;

	pt_init(&t, RISK_SEX_UNKNOWN);
	t.p.birth_day = RISK_NO_DAY;
	assert_int_equal(map(&t), 0);
	assert_int_equal(t.d.score_status, RISK_SCORE_NO_AGE);
	/* every gap is still noted */
	assert_true(has_note(&t, NB(NO_BIRTH_DATE)));
	assert_true(has_note(&t, NB(SEX_UNKNOWN)));
	assert_true(has_note(&t, NB(BMI_MISSING)));
}

/* ---- ethnicity ---- */

static void ethnic_category_table(void **state)
{
	static const struct {
		const char *code;
		int ethrisk, noted;
	} cases[] = {
		{ "A", 1, 0 }, { "B", 1, 0 }, { "C", 1, 0 }, { "D", 9, 0 }, { "E", 9, 0 }, { "F", 9, 0 },
		{ "G", 9, 0 }, { "H", 2, 0 }, { "J", 3, 0 }, { "K", 4, 0 }, { "L", 5, 0 }, { "M", 6, 0 },
		{ "N", 7, 0 }, { "P", 9, 0 }, { "R", 8, 0 }, { "S", 9, 0 }, { "Z", 1, 1 }, { "", 1, 1 },
		{ "99", 1, 1 }, { "I", 1, 1 }, { "h", 2, 0 }, { "z", 1, 1 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt t;

		pt_init(&t, RISK_SEX_FEMALE);
		memset(t.p.ethnic, 0, sizeof(t.p.ethnic));
		memcpy(t.p.ethnic, cases[i].code, strlen(cases[i].code));
		add_bmi(&t, 25.0);
		assert_int_equal(map(&t), 1);
		assert_int_equal(t.d.qf.ethrisk, cases[i].ethrisk);
		assert_int_equal(has_note(&t, NB(ETHNICITY_NOT_STATED)), cases[i].noted);
	}
}

/* ---- BMI ---- */

static void bmi_clamped_to_20_and_40(void **state)
{
	static const struct {
		double rec, used;
		int clamped;
	} cases[] = {
		{ 19.9, 20.0, 1 }, { 20.0, 20.0, 0 }, { 40.0, 40.0, 0 }, { 40.1, 40.0, 1 }, { 12.0, 20.0, 1 },
		{ 33.3, 33.3, 0 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt t;

		pt_init(&t, RISK_SEX_MALE);
		add_bmi(&t, cases[i].rec);
		assert_int_equal(map(&t), 1);
		assert_true(t.d.qf.bmi == cases[i].used);
		assert_int_equal(has_note(&t, NB(BMI_CLAMPED)), cases[i].clamped);
	}
}

static void latest_bmi_wins_and_later_ones_are_ignored(void **state)
{
	struct pt t;
	(void)state;

	pt_init(&t, RISK_SEX_FEMALE);
	add_value(&t, CB(BMI), t.as_of - 400, 31.0, RISK_UNIT_KG_M2);
	add_value(&t, CB(BMI), t.as_of, 27.5, RISK_UNIT_NONE);     /* on the as-of day counts */
	add_value(&t, CB(BMI), t.as_of + 1, 22.0, RISK_UNIT_KG_M2); /* after as-of: ignored */
	add_value(&t, CB(BMI), t.as_of - 10, 24.0, RISK_UNIT_OTHER); /* not kg/m2: ignored */
	add_value(&t, CB(BMI), RISK_NO_DAY, 23.0, RISK_UNIT_KG_M2);  /* undated: ignored */
	assert_int_equal(map(&t), 1);
	assert_true(t.d.qf.bmi == 27.5);
	assert_true(has_note(&t, NB(AFTER_AS_OF)));
	assert_true(has_note(&t, NB(NO_DATE)));
	assert_false(has_note(&t, NB(BMI_DERIVED)));

	/* same day: the lower value (the higher risk), whatever the record order */
	pt_init(&t, RISK_SEX_FEMALE);
	add_value(&t, CB(BMI), t.as_of - 5, 26.0, RISK_UNIT_KG_M2);
	add_value(&t, CB(BMI), t.as_of - 5, 25.0, RISK_UNIT_KG_M2);
	add_value(&t, CB(BMI), t.as_of - 5, 26.5, RISK_UNIT_KG_M2);
	map(&t);
	assert_true(t.d.qf.bmi == 25.0);
}

static void bmi_derived_from_weight_and_height(void **state)
{
	struct pt t;
	(void)state;

	pt_init(&t, RISK_SEX_MALE);
	add_value(&t, CB(BODY_WEIGHT), t.as_of - 3, 70.0, RISK_UNIT_KG);
	add_value(&t, CB(BODY_HEIGHT), t.as_of - 900, 175.0, RISK_UNIT_CM);
	assert_int_equal(map(&t), 1);
	assert_true(fabs(t.d.qf.bmi - 70.0 / (1.75 * 1.75)) < 1e-12);
	assert_true(has_note(&t, NB(BMI_DERIVED)));
	assert_false(has_note(&t, NB(BMI_MISSING)));

	/* pounds and inches: 154.32 lb = 70 kg, 68.9 in = 1.75 m */
	pt_init(&t, RISK_SEX_MALE);
	add_value(&t, CB(BODY_WEIGHT), t.as_of - 3, 70000.0 / 453.59237, RISK_UNIT_LB);
	add_value(&t, CB(BODY_HEIGHT), t.as_of - 3, 1750.0 / 25.4, RISK_UNIT_IN);
	assert_int_equal(map(&t), 1);
	assert_true(fabs(t.d.qf.bmi - 70.0 / (1.75 * 1.75)) < 1e-9);

	/* grams and millimetres; an implausible later weight is skipped for the earlier plausible one */
	pt_init(&t, RISK_SEX_MALE);
	add_value(&t, CB(BODY_WEIGHT), t.as_of - 300, 81000.0, RISK_UNIT_G);
	add_value(&t, CB(BODY_WEIGHT), t.as_of - 3, 8.1, RISK_UNIT_KG);  /* below 20 kg: a typo */
	add_value(&t, CB(BODY_WEIGHT), t.as_of - 2, 80.0, RISK_UNIT_NONE); /* no unit: not used */
	add_value(&t, CB(BODY_HEIGHT), t.as_of - 3, 1800.0, RISK_UNIT_MM);
	add_value(&t, CB(BODY_HEIGHT), t.as_of - 1, 18.0, RISK_UNIT_M);  /* above 2.5 m: a typo */
	assert_int_equal(map(&t), 1);
	assert_true(fabs(t.d.qf.bmi - 81.0 / (1.8 * 1.8)) < 1e-12);

	/* a derived BMI is clamped like a recorded one */
	pt_init(&t, RISK_SEX_MALE);
	add_value(&t, CB(BODY_WEIGHT), t.as_of - 3, 45.0, RISK_UNIT_KG);
	add_value(&t, CB(BODY_HEIGHT), t.as_of - 3, 1.8, RISK_UNIT_M);
	assert_int_equal(map(&t), 1);
	assert_true(t.d.qf.bmi == 20.0);
	assert_true(has_note(&t, NB(BMI_DERIVED)));
	assert_true(has_note(&t, NB(BMI_CLAMPED)));

	/* a recorded BMI, even an older one, is preferred to a derived one */
	pt_init(&t, RISK_SEX_MALE);
	add_value(&t, CB(BMI), t.as_of - 2000, 29.0, RISK_UNIT_KG_M2);
	add_value(&t, CB(BODY_WEIGHT), t.as_of - 3, 70.0, RISK_UNIT_KG);
	add_value(&t, CB(BODY_HEIGHT), t.as_of - 3, 1.75, RISK_UNIT_M);
	map(&t);
	assert_true(t.d.qf.bmi == 29.0);
	assert_false(has_note(&t, NB(BMI_DERIVED)));
}

static void missing_bmi_means_no_score(void **state)
{
	struct pt t;
	(void)state;

	pt_init(&t, RISK_SEX_FEMALE);
	add_value(&t, CB(BODY_WEIGHT), t.as_of - 3, 70.0, RISK_UNIT_KG); /* weight without height */
	assert_int_equal(map(&t), 0);
	assert_int_equal(t.d.score_status, RISK_SCORE_NO_BMI);
	assert_true(has_note(&t, NB(BMI_MISSING)));
	assert_true(isnan(t.d.qf.bmi));
}

/* ---- smoking ---- */

static void smoking_status_and_amount(void **state)
{
	struct pt t;
	struct risk_event *e;
	(void)state;

	/* missing: non-smoker assumed */
	pt_init(&t, RISK_SEX_MALE);
	add_bmi(&t, 25.0);
	map(&t);
	assert_int_equal(t.d.qf.smoke_cat, 0);
	assert_true(has_note(&t, NB(SMOKING_ASSUMED)));

	/* the latest status wins: never (old), then ex */
	pt_init(&t, RISK_SEX_MALE);
	add_bmi(&t, 25.0);
	add(&t, CB(SMOKING_NEVER), RISK_SRC_OBSERVATION, t.as_of - 3000);
	add(&t, CB(SMOKING_EX), RISK_SRC_CONDITION, t.as_of - 30);
	map(&t);
	assert_int_equal(t.d.qf.smoke_cat, 1);
	assert_false(has_note(&t, NB(SMOKING_ASSUMED)));

	/* not current -> 1 */
	pt_init(&t, RISK_SEX_MALE);
	add_bmi(&t, 25.0);
	add(&t, CB(SMOKING_NOT_CURRENT), RISK_SRC_OBSERVATION, t.as_of - 30);
	map(&t);
	assert_int_equal(t.d.qf.smoke_cat, 1);

	/* current with no amount: light assumed, noted; from an Observation's coded value */
	pt_init(&t, RISK_SEX_MALE);
	add_bmi(&t, 25.0);
	add(&t, CB(SMOKING_STATUS_OBSERVABLE), RISK_SRC_OBSERVATION, t.as_of - 30);
	e = add(&t, CB(SMOKING_CURRENT), RISK_SRC_OBSERVATION, t.as_of - 30);
	e->flags = RISK_EV_VALUE_CODED;
	map(&t);
	assert_int_equal(t.d.qf.smoke_cat, 2);
	assert_true(has_note(&t, NB(SMOKING_AMOUNT_ASSUMED)));

	/* current with amounts: 9 -> 2, 10 -> 3, 19 -> 3, 20 -> 4 (the latest amount counts) */
	{
		static const struct {
			double per_day;
			int cat;
		} am[] = { { 9.0, 2 }, { 9.5, 2 }, { 10.0, 3 }, { 19.0, 3 }, { 20.0, 4 }, { 40.0, 4 } };

		for (size_t i = 0; i < sizeof(am) / sizeof(am[0]); i++) {
			pt_init(&t, RISK_SEX_FEMALE);
			add_bmi(&t, 25.0);
			add(&t, CB(SMOKING_CURRENT), RISK_SRC_OBSERVATION, t.as_of - 60);
			add_value(&t, CB(SMOKING_CURRENT), t.as_of - 400, 30.0, RISK_UNIT_PER_DAY);
			add_value(&t, CB(SMOKING_STATUS_OBSERVABLE), t.as_of - 50, am[i].per_day,
				  RISK_UNIT_PER_DAY);
			map(&t);
			assert_int_equal(t.d.qf.smoke_cat, am[i].cat);
			assert_false(has_note(&t, NB(SMOKING_AMOUNT_ASSUMED)));
		}
	}

	/* an amount from before the latest ex-smoker record does not describe the current spell */
	pt_init(&t, RISK_SEX_FEMALE);
	add_bmi(&t, 25.0);
	add_value(&t, CB(SMOKING_CURRENT), t.as_of - 900, 25.0, RISK_UNIT_PER_DAY);
	add(&t, CB(SMOKING_EX), RISK_SRC_OBSERVATION, t.as_of - 500);
	add(&t, CB(SMOKING_CURRENT), RISK_SRC_OBSERVATION, t.as_of - 20);
	map(&t);
	assert_int_equal(t.d.qf.smoke_cat, 2);
	assert_true(has_note(&t, NB(SMOKING_AMOUNT_ASSUMED)));

	/* a per-day amount alone makes a current smoker; 0 per day is not smoking now */
	pt_init(&t, RISK_SEX_FEMALE);
	add_bmi(&t, 25.0);
	add_value(&t, CB(SMOKING_CURRENT), t.as_of - 20, 12.0, RISK_UNIT_PER_DAY);
	map(&t);
	assert_int_equal(t.d.qf.smoke_cat, 3);
	add_value(&t, CB(SMOKING_CURRENT), t.as_of - 10, 0.0, RISK_UNIT_PER_DAY);
	map(&t);
	assert_int_equal(t.d.qf.smoke_cat, 1);

	/* valued observables that are not per-day amounts (pack-years) are not statuses */
	pt_init(&t, RISK_SEX_FEMALE);
	add_bmi(&t, 25.0);
	add_value(&t, CB(SMOKING_CURRENT), t.as_of - 20, 30.0, RISK_UNIT_NONE);
	map(&t);
	assert_int_equal(t.d.qf.smoke_cat, 0);
	assert_true(has_note(&t, NB(SMOKING_ASSUMED)));

	/* same-day tie: the record admitting more smoking wins, in either order */
	pt_init(&t, RISK_SEX_FEMALE);
	add_bmi(&t, 25.0);
	add(&t, CB(SMOKING_CURRENT), RISK_SRC_OBSERVATION, t.as_of - 20);
	add(&t, CB(SMOKING_EX), RISK_SRC_OBSERVATION, t.as_of - 20);
	add(&t, CB(SMOKING_NEVER), RISK_SRC_OBSERVATION, t.as_of - 20);
	map(&t);
	assert_int_equal(t.d.qf.smoke_cat, 2);
	pt_init(&t, RISK_SEX_FEMALE);
	add_bmi(&t, 25.0);
	add(&t, CB(SMOKING_NEVER), RISK_SRC_OBSERVATION, t.as_of - 20);
	add(&t, CB(SMOKING_EX), RISK_SRC_OBSERVATION, t.as_of - 20);
	map(&t);
	assert_int_equal(t.d.qf.smoke_cat, 1);
}

/* ---- alcohol ---- */

static void alcohol_categories_and_units(void **state)
{
	static const struct {
		double v;
		int unit, cat;
	} q[] = {
		{ 0.0, RISK_UNIT_PER_WEEK, 0 }, { 0.5, RISK_UNIT_PER_DAY, 1 }, { 6.9, RISK_UNIT_PER_WEEK, 1 },
		{ 7.0, RISK_UNIT_PER_WEEK, 2 }, { 14.0, RISK_UNIT_PER_WEEK, 2 }, { 2.9, RISK_UNIT_PER_DAY, 2 },
		{ 21.0, RISK_UNIT_PER_WEEK, 3 }, { 6.5, RISK_UNIT_PER_DAY, 3 }, { 7.0, RISK_UNIT_PER_DAY, 4 },
		{ 63.0, RISK_UNIT_PER_WEEK, 4 }, { 9.5, RISK_UNIT_PER_DAY, 5 }, { 70.0, RISK_UNIT_PER_WEEK, 5 },
	};
	static const struct {
		uint64_t concept;
		int cat;
	} coded[] = {
		{ CB(ALCOHOL_NON_DRINKER), 0 }, { CB(ALCOHOL_LIGHT_DRINKER), 2 },
		{ CB(ALCOHOL_MODERATE_DRINKER), 3 }, { CB(ALCOHOL_HEAVY_DRINKER), 4 },
	};
	struct pt t;
	(void)state;

	pt_init(&t, RISK_SEX_MALE);
	add_bmi(&t, 25.0);
	map(&t);
	assert_int_equal(t.d.qf.alcohol_cat6, 0);
	assert_true(has_note(&t, NB(ALCOHOL_ASSUMED)));

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		pt_init(&t, RISK_SEX_MALE);
		add_bmi(&t, 25.0);
		add(&t, CB(ALCOHOL_HEAVY_DRINKER), RISK_SRC_OBSERVATION, t.as_of - 3000); /* older: loses */
		add_value(&t, CB(ALCOHOL_INTAKE_OBSERVABLE), t.as_of - 10, q[i].v, q[i].unit);
		map(&t);
		assert_int_equal(t.d.qf.alcohol_cat6, q[i].cat);
		assert_false(has_note(&t, NB(ALCOHOL_ASSUMED)));
	}
	for (size_t i = 0; i < sizeof(coded) / sizeof(coded[0]); i++) {
		pt_init(&t, RISK_SEX_FEMALE);
		add_bmi(&t, 25.0);
		add(&t, coded[i].concept, RISK_SRC_OBSERVATION, t.as_of - 10);
		map(&t);
		assert_int_equal(t.d.qf.alcohol_cat6, coded[i].cat);
	}

	/* an AUDIT-C score (no unit) is not units of alcohol */
	pt_init(&t, RISK_SEX_FEMALE);
	add_bmi(&t, 25.0);
	add_value(&t, CB(ALCOHOL_INTAKE_OBSERVABLE), t.as_of - 10, 9.0, RISK_UNIT_NONE);
	map(&t);
	assert_int_equal(t.d.qf.alcohol_cat6, 0);
	assert_true(has_note(&t, NB(ALCOHOL_ASSUMED)));

	/* same day: the higher level wins */
	pt_init(&t, RISK_SEX_FEMALE);
	add_bmi(&t, 25.0);
	add(&t, CB(ALCOHOL_MODERATE_DRINKER), RISK_SRC_OBSERVATION, t.as_of - 10);
	add_value(&t, CB(ALCOHOL_INTAKE_OBSERVABLE), t.as_of - 10, 14.0, RISK_UNIT_PER_WEEK);
	map(&t);
	assert_int_equal(t.d.qf.alcohol_cat6, 3);
}

/* ---- medication flags ---- */

static void antidepressant_needs_two_issues_in_183_days(void **state)
{
	static const struct {
		int first, second, flag;
	} cases[] = {
		{ 0, 183, 1 },   /* as-of day and 183 days before: both count */
		{ 0, 184, 0 },   /* 184 days before: outside */
		{ 10, -1, 0 },   /* only one issue */
		{ 10, 10, 1 },   /* two issues on one day */
		{ -1, 20, 0 },   /* one after as-of (ignored) */
	};
	static const int srcs[] = { RISK_SRC_MED_REQUEST, RISK_SRC_MED_STATEMENT, RISK_SRC_MED_DISPENSE };
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt t;

		pt_init(&t, RISK_SEX_FEMALE);
		add_bmi(&t, 25.0);
		add(&t, CB(ANTIDEPRESSANT), srcs[i % 3], t.as_of - cases[i].first);
		if (cases[i].second >= 0)
			add(&t, CB(ANTIDEPRESSANT), srcs[(i + 1) % 3], t.as_of - cases[i].second);
		assert_int_equal(map(&t), 1);
		assert_int_equal(t.d.qf.b_antidepressant, cases[i].flag);
		assert_int_equal(t.d.qf.b_corticosteroids, 0);
		if (cases[i].first < 0)
			assert_true(has_note(&t, NB(AFTER_AS_OF)));
	}
}

static void corticosteroids_need_two_issues_in_183_days(void **state)
{
	struct pt t;
	(void)state;

	pt_init(&t, RISK_SEX_MALE);
	add_bmi(&t, 25.0);
	add(&t, CB(GLUCOCORTICOID_ORAL), RISK_SRC_MED_REQUEST, t.as_of - 183);
	add(&t, CB(GLUCOCORTICOID_ORAL), RISK_SRC_MED_REQUEST, t.as_of - 100);
	map(&t);
	assert_int_equal(t.d.qf.b_corticosteroids, 1);
	t.ev[1].day = t.as_of - 184;
	map(&t);
	assert_int_equal(t.d.qf.b_corticosteroids, 0);
	/* an undated issue is ignored with the medication note */
	t.ev[1].day = RISK_NO_DAY;
	map(&t);
	assert_int_equal(t.d.qf.b_corticosteroids, 0);
	assert_true(has_note(&t, NB(MED_NO_DATE)));
	assert_false(has_note(&t, NB(NO_DATE)));
	/* a glucocorticoid code outside a medication record is not an issue */
	pt_init(&t, RISK_SEX_MALE);
	add_bmi(&t, 25.0);
	add(&t, CB(GLUCOCORTICOID_ORAL), RISK_SRC_CONDITION, t.as_of - 10);
	add(&t, CB(GLUCOCORTICOID_ORAL), RISK_SRC_OBSERVATION, t.as_of - 10);
	map(&t);
	assert_int_equal(t.d.qf.b_corticosteroids, 0);
}

static void epilepsy_or_recent_anticonvulsant(void **state)
{
	struct pt t;
	struct risk_event *e;
	(void)state;

	pt_init(&t, RISK_SEX_MALE);
	add_bmi(&t, 25.0);
	add(&t, CB(EPILEPSY), RISK_SRC_CONDITION, t.as_of - 9000);
	map(&t);
	assert_int_equal(t.d.qf.b_epilepsy2, 1);

	pt_init(&t, RISK_SEX_MALE);
	add_bmi(&t, 25.0);
	add(&t, CB(ANTICONVULSANT), RISK_SRC_MED_REQUEST, t.as_of - 183);
	map(&t);
	assert_int_equal(t.d.qf.b_epilepsy2, 1);
	t.ev[1].day = t.as_of - 184;
	map(&t);
	assert_int_equal(t.d.qf.b_epilepsy2, 0);

	/* an open MedicationStatement period started long ago still covers the window */
	pt_init(&t, RISK_SEX_MALE);
	add_bmi(&t, 25.0);
	e = add(&t, CB(ANTICONVULSANT), RISK_SRC_MED_STATEMENT, t.as_of - 2000);
	e->flags = RISK_EV_PERIOD;
	map(&t);
	assert_int_equal(t.d.qf.b_epilepsy2, 1);
	e->end_day = t.as_of - 184; /* ended before the window */
	map(&t);
	assert_int_equal(t.d.qf.b_epilepsy2, 0);
	e->end_day = t.as_of - 183;
	map(&t);
	assert_int_equal(t.d.qf.b_epilepsy2, 1);
}

static void oestrogen_only_hrt_for_women_only(void **state)
{
	struct pt t;
	(void)state;

	pt_init(&t, RISK_SEX_FEMALE);
	add_bmi(&t, 25.0);
	add(&t, CB(HRT_OESTROGEN_ONLY), RISK_SRC_MED_DISPENSE, t.as_of - 100);
	map(&t);
	assert_int_equal(t.d.qf.b_hrt_oest, 1);
	t.ev[1].day = t.as_of - 184;
	map(&t);
	assert_int_equal(t.d.qf.b_hrt_oest, 0);
	t.p.sex = RISK_SEX_MALE;
	t.ev[1].day = t.as_of - 100;
	map(&t);
	assert_int_equal(t.d.qf.b_hrt_oest, 0);
}

/* ---- condition flags ---- */

static void conditions_ever_before_as_of(void **state)
{
	static const struct {
		uint64_t concept;
		size_t off;
	} cases[] = {
		{ CB(ASTHMA), offsetof(struct qf_inputs, b_asthmacopd) },
		{ CB(COPD), offsetof(struct qf_inputs, b_asthmacopd) },
		{ CB(CANCER), offsetof(struct qf_inputs, b_anycancer) },
		{ CB(CARDIOVASCULAR_DISEASE), offsetof(struct qf_inputs, b_cvd) },
		{ CB(DEMENTIA), offsetof(struct qf_inputs, b_dementia) },
		{ CB(ENDOCRINE), offsetof(struct qf_inputs, b_endocrine) },
		{ CB(LIVER_DISEASE), offsetof(struct qf_inputs, b_liver) },
		{ CB(MALABSORPTION), offsetof(struct qf_inputs, b_malabsorption) },
		{ CB(PARKINSONS), offsetof(struct qf_inputs, b_parkinsons) },
		{ CB(RHEUMATOID_ARTHRITIS), offsetof(struct qf_inputs, b_ra_sle) },
		{ CB(SLE), offsetof(struct qf_inputs, b_ra_sle) },
		{ CB(CKD_STAGE4_5), offsetof(struct qf_inputs, b_renal) },
		{ CB(DIABETES_TYPE1), offsetof(struct qf_inputs, b_type1) },
		{ CB(DIABETES_TYPE2), offsetof(struct qf_inputs, b_type2) },
		{ CB(FALLS), offsetof(struct qf_inputs, b_falls) },
		{ CB(FALLS_RECURRENT), offsetof(struct qf_inputs, b_falls) },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt t;
		int v;

		pt_init(&t, RISK_SEX_FEMALE);
		add_bmi(&t, 25.0);
		add(&t, cases[i].concept, RISK_SRC_CONDITION, t.as_of - 7000); /* ever: 19 years ago */
		map(&t);
		memcpy(&v, (const char *)&t.d.qf + cases[i].off, sizeof(v));
		assert_int_equal(v, 1);
		t.ev[1].day = t.as_of + 1; /* after as-of: ignored, noted */
		map(&t);
		memcpy(&v, (const char *)&t.d.qf + cases[i].off, sizeof(v));
		assert_int_equal(v, 0);
		assert_true(has_note(&t, NB(AFTER_AS_OF)));
		t.ev[1].day = RISK_NO_DAY; /* undated: ignored, noted */
		map(&t);
		memcpy(&v, (const char *)&t.d.qf + cases[i].off, sizeof(v));
		assert_int_equal(v, 0);
		assert_true(has_note(&t, NB(NO_DATE)));
	}
}

static void sex_specific_flags(void **state)
{
	struct pt t;
	(void)state;

	/* endocrine only for women, care home only for men */
	pt_init(&t, RISK_SEX_MALE);
	add_bmi(&t, 25.0);
	add(&t, CB(ENDOCRINE), RISK_SRC_CONDITION, t.as_of - 100);
	add(&t, CB(CARE_HOME), RISK_SRC_OBSERVATION, t.as_of - 730);
	map(&t);
	assert_int_equal(t.d.qf.b_endocrine, 0);
	assert_int_equal(t.d.qf.b_carehome, 1);
	t.ev[2].day = t.as_of - 731;
	map(&t);
	assert_int_equal(t.d.qf.b_carehome, 0);
	t.p.sex = RISK_SEX_FEMALE;
	t.ev[2].day = t.as_of;
	map(&t);
	assert_int_equal(t.d.qf.b_carehome, 0);
	assert_int_equal(t.d.qf.b_endocrine, 1);
}

static void previous_osteoporotic_fracture(void **state)
{
	static const struct {
		uint64_t concept;
		int at_age_49, flag;
	} cases[] = {
		{ CB(FRACTURE_HIP), 0, 1 },
		{ CB(FRACTURE_VERTEBRAL), 0, 1 },
		{ CB(FRACTURE_WRIST_DISTAL_RADIUS), 0, 1 },
		{ CB(FRACTURE_PROXIMAL_HUMERUS), 0, 1 },
		{ CB(FRACTURE_HIP), 1, 0 },                 /* before the 50th birthday */
		{ CB(FRACTURE_PELVIS), 0, 0 },              /* not a QFracture site */
		{ CB(FRACTURE_OTHER_FRAGILITY_SITES), 0, 0 },
		{ CB(FRACTURE_HISTORY), 1, 1 },             /* any dated history code */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt t;

		pt_init(&t, RISK_SEX_FEMALE); /* born 1955-01-10: 50 on 2005-01-10 */
		add_bmi(&t, 25.0);
		add(&t, cases[i].concept, RISK_SRC_CONDITION,
		    cases[i].at_age_49 ? D(2005, 1, 9) : D(2005, 1, 10));
		map(&t);
		assert_int_equal(t.d.qf.b_fracture4, cases[i].flag);
	}
	/* an undated history code does not count; a parent's hip fracture is not the patient's */
	{
		struct pt t;
		struct risk_event *e;

		pt_init(&t, RISK_SEX_FEMALE);
		add_bmi(&t, 25.0);
		add(&t, CB(FRACTURE_HISTORY), RISK_SRC_CONDITION, RISK_NO_DAY);
		e = add(&t, CB(FRACTURE_HIP), RISK_SRC_FAMILY_HISTORY, RISK_NO_DAY);
		e->flags = RISK_EV_PARENT;
		map(&t);
		assert_int_equal(t.d.qf.b_fracture4, 0);
		assert_int_equal(t.d.qf.fh_osteoporosis, 1);
	}
}

static void parental_history(void **state)
{
	struct pt t;
	struct risk_event *e;
	(void)state;

	pt_init(&t, RISK_SEX_MALE);
	add_bmi(&t, 25.0);
	e = add(&t, CB(OSTEOPOROSIS), RISK_SRC_FAMILY_HISTORY, RISK_NO_DAY);
	e->flags = RISK_EV_PARENT;
	map(&t);
	assert_int_equal(t.d.qf.fh_osteoporosis, 1);
	assert_false(has_note(&t, NB(NO_DATE))); /* needs no date */
	e->flags = 0; /* a sibling's */
	map(&t);
	assert_int_equal(t.d.qf.fh_osteoporosis, 0);
	e->flags = RISK_EV_PARENT;
	e->concepts = CB(FRACTURE_WRIST_DISTAL_RADIUS); /* not hip or osteoporosis */
	map(&t);
	assert_int_equal(t.d.qf.fh_osteoporosis, 0);
	e->concepts = CB(FRACTURE_HIP);
	e->day = t.as_of + 10; /* recorded after as-of */
	map(&t);
	assert_int_equal(t.d.qf.fh_osteoporosis, 0);
	/* the patient's own osteoporosis is not a parental history */
	pt_init(&t, RISK_SEX_MALE);
	add_bmi(&t, 25.0);
	add(&t, CB(OSTEOPOROSIS), RISK_SRC_CONDITION, t.as_of - 10);
	map(&t);
	assert_int_equal(t.d.qf.fh_osteoporosis, 0);
}

/*
 * Whatever the facts, inputs the mapping calls complete must pass the equations' validation (risk_decide
 * treats a rejection there as a defect): extreme BMIs, every flag, every smoking and alcohol source.
 */
static void mapped_inputs_always_pass_validation(void **state)
{
	char path[1024], *csv;
	const char *dd = tu_env("FLS_DATADIR");
	size_t len = 0;
	struct qf_model *m = NULL;
	struct fls_diag d = { "" };
	static const double bmis[] = { 5.0, 19.99, 20.0, 33.0, 40.0, 40.01, 250.0 };
	(void)state;

	assert_non_null(dd);
	snprintf(path, sizeof(path), "%s/models/qfracture-2012/coefficients.csv", dd);
	assert_non_null(csv = tu_read_file(path, &len));
	assert_int_equal(qf_model_parse(&m, NULL, csv, len, &d), FLS_OK);
	for (int sex = RISK_SEX_FEMALE; sex <= RISK_SEX_MALE; sex++) {
		for (size_t b = 0; b < sizeof(bmis) / sizeof(bmis[0]); b++) {
			struct pt t;
			struct risk_event *e;
			double mof = -1, hip = -1;
			char why[200];

			pt_init(&t, sex);
			t.p.birth_day = D(1925, 6, 15); /* 100 on the as-of day */
			add_bmi(&t, bmis[b]);
			for (int c = 0; c < CONCEPT__COUNT; c++)
				add(&t, CONCEPT_BIT(c), RISK_SRC_CONDITION, t.as_of - 1000 - c);
			add(&t, CB(ANTIDEPRESSANT) | CB(GLUCOCORTICOID_ORAL) | CB(ANTICONVULSANT) |
				    CB(HRT_OESTROGEN_ONLY), RISK_SRC_MED_REQUEST, t.as_of - 1);
			add(&t, CB(ANTIDEPRESSANT) | CB(GLUCOCORTICOID_ORAL), RISK_SRC_MED_STATEMENT, t.as_of - 2);
			add(&t, CB(CARE_HOME), RISK_SRC_OBSERVATION, t.as_of);
			e = add(&t, CB(OSTEOPOROSIS), RISK_SRC_FAMILY_HISTORY, RISK_NO_DAY);
			e->flags = RISK_EV_PARENT;
			add_value(&t, CB(SMOKING_CURRENT), t.as_of - 3, 45.0, RISK_UNIT_PER_DAY);
			add_value(&t, CB(ALCOHOL_INTAKE_OBSERVABLE), t.as_of - 3, 200.0, RISK_UNIT_PER_WEEK);
			assert_int_equal(map(&t), 1);
			assert_int_equal(t.d.qf.smoke_cat, 4);
			assert_int_equal(t.d.qf.alcohol_cat6, 5);
			assert_int_equal(t.d.qf.b_antidepressant + t.d.qf.b_corticosteroids + t.d.qf.b_fracture4 +
					 t.d.qf.fh_osteoporosis + t.d.qf.b_falls + t.d.qf.b_type1 + t.d.qf.b_type2, 7);
			assert_int_equal(t.d.qf.b_carehome, sex == RISK_SEX_MALE);
			assert_int_equal(t.d.qf.b_hrt_oest, sex == RISK_SEX_FEMALE);
			if (qf_evaluate(m, QF_MOF, &t.d.qf, &mof, why, sizeof(why)) ||
			    qf_evaluate(m, QF_HIP, &t.d.qf, &hip, why, sizeof(why)))
				fail_msg("mapped inputs refused: %s", why);
			assert_true(mof >= 0 && mof <= 100 && hip >= 0 && hip <= 100);
		}
	}
	qf_model_free(m);
	free(csv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(complete_facts_give_inputs),
		cmocka_unit_test(keeps_reader_notes),
		cmocka_unit_test(age_boundaries),
		cmocka_unit_test(no_birth_date_means_no_age),
		cmocka_unit_test(partial_birth_date_is_noted),
		cmocka_unit_test(sex_unknown_or_other_has_no_score),
		cmocka_unit_test(no_age_outranks_other_gaps),
		cmocka_unit_test(ethnic_category_table),
		cmocka_unit_test(bmi_clamped_to_20_and_40),
		cmocka_unit_test(latest_bmi_wins_and_later_ones_are_ignored),
		cmocka_unit_test(bmi_derived_from_weight_and_height),
		cmocka_unit_test(missing_bmi_means_no_score),
		cmocka_unit_test(smoking_status_and_amount),
		cmocka_unit_test(alcohol_categories_and_units),
		cmocka_unit_test(antidepressant_needs_two_issues_in_183_days),
		cmocka_unit_test(corticosteroids_need_two_issues_in_183_days),
		cmocka_unit_test(epilepsy_or_recent_anticonvulsant),
		cmocka_unit_test(oestrogen_only_hrt_for_women_only),
		cmocka_unit_test(conditions_ever_before_as_of),
		cmocka_unit_test(sex_specific_flags),
		cmocka_unit_test(previous_osteoporotic_fracture),
		cmocka_unit_test(parental_history),
		cmocka_unit_test(mapped_inputs_always_pass_validation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
