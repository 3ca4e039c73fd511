/*
 * Worklist order (clinical-rules.md 7.3 "Within a level"): P1 < P2 < P3 < not on the worklist; then the
 * most recent fracture first; then the higher MOF risk, a missing score after any score; then the older
 * patient. risk_worklist_cmp is tested on decisions built by hand, and once end to end on decisions made
 * by risk_rules_apply (sort_day = index date, or the fracture_history date for R-FLS-1 (b)).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "risk/day.h"
#include "risk/decision.h"
#include "risk_builder.h"

static struct risk_decision dec(unsigned prio, int32_t sort_day, double mof, int age)
{
	struct risk_decision d;

	memset(&d, 0, sizeof(d));
	d.priority = (uint8_t)prio;
	d.sort_day = sort_day;
	d.index_day = sort_day;
	d.age = age;
	d.mof10 = mof;
	d.hip10 = NAN;
	d.score_status = isnan(mof) ? RISK_SCORE_NO_BMI : RISK_SCORE_OK;
	return d;
}

/* a before b, and the comparison is antisymmetric. */
static void before(const struct risk_decision *a, const struct risk_decision *b)
{
	assert_true(risk_worklist_cmp(a, b) < 0);
	assert_true(risk_worklist_cmp(b, a) > 0);
}

static void levels_first(void **state)
{
	struct risk_decision p1 = dec(1, 100, 1.0, 60), p2 = dec(2, 900, 50.0, 90);
	struct risk_decision p3 = dec(3, 950, 60.0, 95), none = dec(0, 999, 70.0, 99);

	(void)state;
	before(&p1, &p2);
	before(&p2, &p3);
	before(&p3, &none);
	before(&p1, &none);
}

static void most_recent_fracture_first(void **state)
{
	struct risk_decision a = dec(2, 500, 1.0, 60), b = dec(2, 499, 40.0, 90);
	struct risk_decision c = dec(2, RISK_NO_DAY, 40.0, 90);

	(void)state;
	before(&a, &b);
	before(&b, &c);
}

static void higher_mof_then_missing_score(void **state)
{
	struct risk_decision a = dec(1, 500, 20.5, 60), b = dec(1, 500, 20.4, 90);
	struct risk_decision c = dec(1, 500, NAN, 99);
	struct risk_decision z = dec(1, 500, 0.0, 50);
	struct risk_decision rejected = dec(1, 500, 30.0, 99);

	(void)state;
	before(&a, &b);
	before(&b, &c);
	before(&z, &c); /* a score of 0 is still a score */
	rejected.score_status = RISK_SCORE_REJECTED; /* a value without an OK status is no score */
	before(&z, &rejected);
}

static void older_first_then_equal(void **state)
{
	struct risk_decision a = dec(3, 500, 10.0, 81), b = dec(3, 500, 10.0, 80);
	struct risk_decision c = dec(3, 500, 10.0, -1), e = dec(3, 500, 10.0, 81);
	struct risk_decision n1 = dec(3, 500, NAN, 70), n2 = dec(3, 500, NAN, 60);

	(void)state;
	before(&a, &b);
	before(&b, &c);
	before(&n1, &n2);
	assert_int_equal(risk_worklist_cmp(&a, &e), 0);
	assert_int_equal(risk_worklist_cmp(&a, &a), 0);
}

static int qsort_cmp(const void *a, const void *b)
{
	return risk_worklist_cmp(a, b);
}

/* End to end: decisions made by the rules, sorted. */
static void sorts_rule_decisions(void **state)
{
	struct rb b;
	struct risk_decision d[6];
	int32_t as_of = rb_default_as_of();
	int i;

	(void)state;
	/* [0] P3 via history code 200 days ago */
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_HISTORY), 200);
	rb_apply(&b, &d[0], NAN);
	/* [1] off the list (no fracture) */
	rb_init_age(&b, 90);
	rb_apply(&b, &d[1], 30.0);
	/* [2] P2 wrist 100 days ago, MOF 8 */
	rb_init_age(&b, 70);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 100);
	rb_apply(&b, &d[2], 8.0);
	/* [3] P3 old wrist 800 days ago */
	rb_init_age(&b, 75);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 800);
	rb_apply(&b, &d[3], NAN);
	/* [4] P2 wrist 100 days ago, no score */
	rb_init_age(&b, 88);
	rb_add(&b, C(FRACTURE_WRIST_DISTAL_RADIUS), 100);
	rb_apply(&b, &d[4], NAN);
	/* [5] P1 hip 300 days ago */
	rb_init_age(&b, 66);
	rb_add(&b, C(FRACTURE_HIP), 300);
	rb_apply(&b, &d[5], NAN);

	assert_int_equal(d[0].sort_day, as_of - 200);
	assert_int_equal(d[3].sort_day, as_of - 800);
	qsort(d, 6, sizeof(d[0]), qsort_cmp);
	{
		const unsigned want_prio[6] = { 1, 2, 2, 3, 3, 0 };
		const int want_age[6] = { 66, 70, 88, 75, 75, 90 };
		const int32_t want_day[6] = { as_of - 300, as_of - 100, as_of - 100, as_of - 200, as_of - 800,
					      RISK_NO_DAY };

		for (i = 0; i < 6; i++) {
			assert_int_equal(d[i].priority, want_prio[i]);
			assert_int_equal(d[i].age, want_age[i]);
			assert_int_equal(d[i].sort_day, want_day[i]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(levels_first),
		cmocka_unit_test(most_recent_fracture_first),
		cmocka_unit_test(higher_mof_then_missing_score),
		cmocka_unit_test(older_first_then_equal),
		cmocka_unit_test(sorts_rule_decisions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
