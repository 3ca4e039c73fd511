/*
 * Falls-service referral (clinical-rules.md 7.4). Ids, reason texts and sources: risk/rule_ids.h. Every
 * rule cites its source below. One decision per patient in the population: referral when any of
 * R-FALL-1..5 holds (all listed), otherwise exactly one of R-FALL-6/7; outside the population nothing [D].
 */
#include "risk/falls_rules.h"

#include "risk/rule_ids.h"

#define RULE(n) (1u << RISK_FALL_##n)

/* 7.4 population [C] NG249 (65 and over; 50-64 "at higher risk"); [D] the 50-64 proxy: a D2 event,
 * osteoporosis, moderate/severe frailty, Parkinson's, dementia, or care-home residence (730 days). */
int risk_falls_population(const struct risk_falls_facts *f)
{
	if (f->age >= 65)
		return 1;
	if (f->age < 50)
		return 0; /* also unknown age (-1) */
	return f->any_d2 || f->osteoporosis || f->frailty_modsev || f->parkinsons || f->dementia ||
	       f->care_home;
}

/*
 * R-FALL-5 [C] FLSDB-KPI 6, ROS-news19; [D] 365 days either side, episode dated by its first event.
 * Every fall date F lies in [as-of - 365, as-of] and every episode date E is on or before as-of, so
 * E - F <= 365 always holds; the test reduces to E >= F - 365, which is easiest for the latest episode
 * and the earliest fall. So some pair qualifies exactly when the latest episode is at most 365 days
 * before the earliest fall date.
 */
int risk_fall_with_fracture(const struct risk_d7 *d7, int32_t latest_episode)
{
	if (!d7->count || d7->first_day == RISK_NO_DAY || latest_episode == RISK_NO_DAY)
		return 0;
	return (int64_t)d7->first_day - latest_episode <= RISK_FALL_FRACTURE_DAYS;
}

struct risk_falls_result risk_falls_evaluate(const struct risk_falls_facts *f)
{
	struct risk_falls_result r = { 0, 0, 0 };

	if (!risk_falls_population(f))
		return r; /* outside the population: no, no, empty [D] */
	r.population = 1;
	if (f->falls >= 1) {
		/* R-FALL-1: injurious fall [C] NG249-consult, WFG22. */
		if (f->injurious)
			r.reasons |= RULE(1);
		/* R-FALL-2: 2 or more falls in 12 months [C] WFG22 Table 2, NG249-consult. */
		if (f->falls >= 2)
			r.reasons |= RULE(2);
		/* R-FALL-3: fall and living with frailty [C] NG249-consult; [D] moderate/severe. */
		if (f->frailty_modsev)
			r.reasons |= RULE(3);
		/* R-FALL-4: fall in a care-home resident [C] WFG22 (care homes high risk); [D] 730 days. */
		if (f->care_home)
			r.reasons |= RULE(4);
		/* R-FALL-5: fall with fracture [C] FLSDB-KPI 6, ROS-news19; [D] 365 days either side. */
		if (f->fall_with_fracture)
			r.reasons |= RULE(5);
	}
	if (r.reasons) {
		r.referral = 1;
		return r;
	}
	/* R-FALL-6 [S] WFG intermediate/low actions, [C] CG161; R-FALL-7 [C] NG249 1.1.2, CG161. */
	r.reasons = f->falls >= 1 ? RULE(6) : RULE(7);
	return r;
}
