/*
 * Falls-service referral (clinical-rules.md 7.4) through risk_rules_apply: the population (65+, or 50-64
 * with a proxy), R-FALL-1..7 on both sides of their windows, and "referral yes lists every R-FALL-1..5
 * that holds; otherwise exactly one of R-FALL-6/7; outside the population no, no, empty". Every case also
 * asserts the FLS priority and reasons. Expected values come from the spec.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "risk/day.h"
#include "risk/decision.h"
#include "risk/derived.h"
#include "risk/falls_rules.h"
#include "risk_builder.h"

#define R(x) (1u << RISK_FLS_##x)
#define F(n) (1u << RISK_FALL_##n)

static void expect(const struct risk_decision *d, unsigned prio, uint32_t fls, unsigned pop, unsigned ref,
		   uint32_t falls)
{
	assert_int_equal(d->priority, prio);
	assert_int_equal(d->fls_reasons, fls);
	assert_int_equal(d->falls_population, pop);
	assert_int_equal(d->falls_referral, ref);
	assert_int_equal(d->falls_reasons, falls);
}

static struct risk_event *fall(struct rb *b, int32_t days_before)
{
	return rb_add(b, C(FALLS), days_before);
}

/* Population: "age at least 65": 65 in, 64 without a proxy out (no, no, empty). */
static void population_65_in_64_out(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 65);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(7));

	rb_init_age(&b, 64);
	fall(&b, 10);
	fall(&b, 20);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 0, 0, 0);

	rb_init(&b, RISK_NO_DAY, rb_default_as_of()); /* age unknown */
	fall(&b, 10);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 0, 0, 0);
}

/* Population 50-64: each proxy on its own; mild frailty, a fracture_history code and an old care-home
 * code are not proxies; under 50 nothing counts. */
static void population_50_64_proxies(void **state)
{
	static const struct {
		uint64_t code;
		int32_t days_before;
		unsigned in;
	} cases[] = {
		{ C(OSTEOPOROSIS), 3000, 1 },
		{ C(FRAILTY_MODERATE), 10, 1 },
		{ C(FRAILTY_SEVERE), 10, 1 },
		{ C(FRAILTY_MILD), 10, 0 },
		{ C(PARKINSONS), 1000, 1 },
		{ C(DEMENTIA), 1000, 1 },
		{ C(CARE_HOME), 730, 1 },
		{ C(CARE_HOME), 731, 0 },
		{ C(FRACTURE_HISTORY), 100, 0 },
		{ C(OSTEOPOROSIS), -1, 0 }, /* after as-of: ignored */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rb b;
		struct risk_decision d;

		rb_init_age(&b, 60);
		rb_add(&b, cases[i].code, cases[i].days_before);
		rb_apply(&b, &d, NAN);
		assert_int_equal(d.falls_population, cases[i].in);
		assert_int_equal(d.falls_referral, 0);
		assert_int_equal(d.falls_reasons, cases[i].in ? F(7) : 0u);
		/* a history code at 59 makes an R-FLS-1 (b) entry; the rest are never on the worklist */
		if (cases[i].code == C(FRACTURE_HISTORY))
			assert_int_equal(d.fls_reasons, R(P3_PREVIOUS));
		else
			assert_int_equal(d.priority, 0);
	}

	{
		struct rb b;
		struct risk_decision d;

		rb_init_age(&b, 49);
		rb_add(&b, C(OSTEOPOROSIS), 100);
		rb_add(&b, C(DEMENTIA), 100);
		fall(&b, 10);
		rb_apply(&b, &d, NAN);
		expect(&d, 0, 0, 0, 0, 0);
	}
}

/* Population 50-64 through a D2 event, which is not a fracture before 50. */
static void population_50_64_fracture_event(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 55);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 100);
	fall(&b, 40);
	rb_apply(&b, &d, NAN);
	/* the fracture 60 days before the fall: R-FALL-5 */
	expect(&d, 2, R(P2_RECENT), 1, 1, F(5));

	rb_init_age(&b, 55);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 365 * 8); /* at 47 */
	fall(&b, 40);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 0, 0, 0);
}

/* D7 "0 to 365 days": a fall 365 days ago is R-FALL-6, 366 days ago R-FALL-7. */
static void fall_365_in_366_out(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 70);
	fall(&b, 365);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(6));

	rb_init_age(&b, 70);
	fall(&b, 366);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(7));

	rb_init_age(&b, 70);
	fall(&b, -1); /* after as-of */
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(7));
}

/* R-FALL-2: two dates, or a falls_recurrent code; two codes on one date are one fall. */
static void recurrent_falls(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 70);
	fall(&b, 10);
	fall(&b, 10);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(6));

	fall(&b, 365);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 1, F(2));

	rb_init_age(&b, 70);
	rb_add(&b, C(FALLS) | C(FALLS_RECURRENT), 100);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 1, F(2));
}

/* R-FALL-1: injury 0-7 days after the fall; F+8 and before the fall do not count. */
static void injurious_fall_window(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 70);
	fall(&b, 100);
	rb_add(&b, C(INJURY_ICD10), 92);  /* F + 8 */
	rb_add(&b, C(INJURY_ICD10), 101); /* F - 1 */
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(6));

	rb_add(&b, C(INJURY_ICD10), 93); /* F + 7 */
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 1, F(1));

	/* same Encounter: F + 0 whatever the injury's own date */
	rb_init_age(&b, 70);
	fall(&b, 100)->encounter = 2;
	rb_add_sct(&b, C(FRACTURE_EXCLUDED_SITES), 110)->encounter = 2;
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 1, F(1));

	/* an ICD-10 fracture code outside S00-T14 (M84.3 stress fracture) is no injury: R-FALL-6 */
	rb_init_age(&b, 70);
	fall(&b, 100);
	rb_add(&b, C(FRACTURE_NONFRAGILITY_MECHANISM), 100);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(6));
}

/* R-FALL-3: a fall and moderate/severe frailty; mild is not; frailty without a fall is not. */
static void fall_and_frailty(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 70);
	rb_add(&b, C(FRAILTY_MODERATE), 200);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(7));
	fall(&b, 10);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 1, F(3));

	rb_init_age(&b, 70);
	rb_add(&b, C(FRAILTY_MILD), 200);
	fall(&b, 10);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(6));
}

/* R-FALL-4: a fall and a care_home code 0-730 days before as-of; 731 days is not residence. */
static void fall_in_care_home(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 70);
	rb_add(&b, C(CARE_HOME), 730);
	fall(&b, 10);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 1, F(4));

	rb_init_age(&b, 70);
	rb_add(&b, C(CARE_HOME), 731);
	fall(&b, 10);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(6));
}

/* R-FALL-5: |E - F| <= 365 either side, E on or before as-of. */
static void fall_with_fracture_either_side(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	/* fracture 365 days before the fall */
	rb_init_age(&b, 75);
	fall(&b, 10);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 375);
	rb_apply(&b, &d, NAN);
	expect(&d, 2, R(P2_RECENT), 1, 1, F(5));

	/* 366 days before */
	rb_init_age(&b, 75);
	fall(&b, 10);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 376);
	rb_apply(&b, &d, NAN);
	expect(&d, 2, R(P2_RECENT), 1, 0, F(6));

	/* fracture 365 days after the fall (fall at the far end of the window, fracture on as-of); far
	 * beyond F + 7, so not an injurious fall */
	rb_init_age(&b, 75);
	fall(&b, 365);
	rb_add(&b, C(FRACTURE_PELVIS), 0);
	rb_apply(&b, &d, NAN);
	expect(&d, 2, R(P2_RECENT), 1, 1, F(5));

	/* a fracture after as-of is ignored */
	rb_init_age(&b, 75);
	fall(&b, 5);
	rb_add(&b, C(FRACTURE_PELVIS), -1);
	rb_apply(&b, &d, NAN);
	expect(&d, 0, 0, 1, 0, F(6));

	/* a fracture_history code is not an episode */
	rb_init_age(&b, 75);
	fall(&b, 5);
	rb_add(&b, C(FRACTURE_HISTORY), 30);
	rb_apply(&b, &d, NAN);
	expect(&d, 3, R(P3_PREVIOUS), 1, 0, F(6));
}

/* R-FALL-5 with two falls: the earlier fall can reach an episode the later one cannot. */
static void fall_with_fracture_uses_every_fall_date(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 75);
	fall(&b, 300);
	fall(&b, 5);
	rb_add(&b, C(FRACTURE_HIP), 665); /* 365 before the first fall, 660 before the second */
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_HIPVERT), 1, 1, F(2) | F(5));

	rb_init_age(&b, 75);
	fall(&b, 300);
	fall(&b, 5);
	rb_add(&b, C(FRACTURE_HIP), 666);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_HIPVERT), 1, 1, F(2));
}

/* Fracture 0-7 days after a fall is an injury too: R-FALL-1 and R-FALL-5 together. All five reasons
 * when everything holds. */
static void every_referral_reason_listed(void **state)
{
	struct rb b;
	struct risk_decision d;

	(void)state;
	rb_init_age(&b, 85);
	fall(&b, 50);
	fall(&b, 20);
	rb_add_sct(&b, C(FRACTURE_HIP), 45);
	rb_add(&b, C(FRAILTY_SEVERE), 60);
	rb_add(&b, C(CARE_HOME), 400);
	rb_apply(&b, &d, NAN);
	expect(&d, 1, R(P1_HIPVERT), 1, 1, F(1) | F(2) | F(3) | F(4) | F(5));
}

/* The falls rules run for patients off the worklist too (7.4 [D]). */
static void falls_decided_off_the_worklist(void **state)
{
	struct rb b;
	struct risk_decision d;
	struct risk_event *e;

	(void)state;
	rb_init_age(&b, 72);
	rb_add(&b, C(FRACTURE_HIP), 200);
	e = rb_med(&b, C(BONE_SPARING_TREATMENT), RISK_SRC_MED_REQUEST, 100);
	e->bone_months = 15;
	fall(&b, 150);
	rb_apply(&b, &d, NAN);
	/* treated now, fracture before treatment: off the list; fall 50 days after the fracture: R-FALL-5 */
	expect(&d, 0, 0, 1, 1, F(5));
}

/* risk_fall_with_fracture on its own: the latest episode against the earliest fall date. */
static void fall_with_fracture_function(void **state)
{
	struct risk_d7 d7 = { 2, 1000, 1200, 0 };

	(void)state;
	assert_true(risk_fall_with_fracture(&d7, 635));
	assert_false(risk_fall_with_fracture(&d7, 634));
	assert_true(risk_fall_with_fracture(&d7, 1300));
	assert_false(risk_fall_with_fracture(&d7, RISK_NO_DAY));
	d7.count = 0;
	d7.first_day = d7.last_day = RISK_NO_DAY;
	assert_false(risk_fall_with_fracture(&d7, 1000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(population_65_in_64_out),
		cmocka_unit_test(population_50_64_proxies),
		cmocka_unit_test(population_50_64_fracture_event),
		cmocka_unit_test(fall_365_in_366_out),
		cmocka_unit_test(recurrent_falls),
		cmocka_unit_test(injurious_fall_window),
		cmocka_unit_test(fall_and_frailty),
		cmocka_unit_test(fall_in_care_home),
		cmocka_unit_test(fall_with_fracture_either_side),
		cmocka_unit_test(fall_with_fracture_uses_every_fall_date),
		cmocka_unit_test(every_referral_reason_listed),
		cmocka_unit_test(falls_decided_off_the_worklist),
		cmocka_unit_test(fall_with_fracture_function),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
