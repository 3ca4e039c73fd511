/*
 * risk_rules_apply (declared in risk/decision.h): the FLS worklist (clinical-rules.md 7.3), the falls
 * referral (7.4) and the rules' notes (7.3 worklist notes, 7.5 data-quality notes) for one patient.
 * It derives the 7.2 facts once (risk/derived.h), hands them to the two rule sets (risk/fls_rules.h,
 * risk/falls_rules.h), and reads d->age, d->score_status and d->mof10, which the QFracture mapping and
 * scores set before (risk/decide.c).
 */
#include "codes/concepts.h"
#include "risk/decision.h"
#include "risk/derived.h"
#include "risk/dq_notes.h"
#include "risk/falls_rules.h"
#include "risk/fls_rules.h"

#define NOTE(n) RISK_NOTE_BIT(RISK_NOTE_##n)

/* Every worklist note, so a reused decision never keeps a stale one. */
#define WL_NOTES (NOTE(WL_NO_DXA) | NOTE(WL_FALLS_HISTORY) | NOTE(WL_OSTEOPOROSIS) | \
		  NOTE(WL_GLUCOCORTICOID) | NOTE(WL_CARE_HOME) | NOTE(WL_FRAILTY_MILD) | \
		  NOTE(WL_FRAILTY_MODERATE) | NOTE(WL_FRAILTY_SEVERE) | NOTE(WL_HIGH_ENERGY) | \
		  NOTE(WL_AGE_OVER_80) | NOTE(WL_RISK_INFO))

/*
 * "Age over 80: interpret risk scores with caution" [C] CG146 1.5. Read as completed years >= 80 [D]: a
 * person of 80 completed years is older than 80 on every day but the birthday itself, and the spec reads
 * the ROS "over 50" as "50 and over" (D2) the same way. See docs/decisions.md.
 */
#define RISK_AGE_CAUTION 80

struct rules_facts {
	struct risk_d2 d2;
	struct risk_d2a ep;
	struct risk_d2b ix;
	struct risk_d5 gc;
	struct risk_d6 dxa;
	struct risk_d7 falls;
	struct risk_d10 frailty;
	int osteoporosis, care_home;
	int32_t history_day;
};

static uint64_t frailty_note(unsigned category)
{
	switch (category) {
	case RISK_FRAILTY_MILD:
		return NOTE(WL_FRAILTY_MILD);
	case RISK_FRAILTY_MODERATE:
		return NOTE(WL_FRAILTY_MODERATE);
	case RISK_FRAILTY_SEVERE:
		return NOTE(WL_FRAILTY_SEVERE);
	default:
		return 0; /* fit or not recorded: no note */
	}
}

/* 7.3 "Notes attached to every worklist entry (do not change the level)" [D]. */
static uint64_t worklist_notes(const struct risk_patient *p, int32_t as_of, const struct rules_facts *x,
			       const struct risk_decision *d, unsigned basis)
{
	uint64_t n = 0;

	if (!x->dxa.has_dxa)
		n |= NOTE(WL_NO_DXA); /* FLS-DB KPI 5 [C] */
	if (x->falls.count >= 1)
		n |= NOTE(WL_FALLS_HISTORY); /* ROS Investigate/Intervene, FLS-DB KPI 6 [C] */
	if (x->osteoporosis)
		n |= NOTE(WL_OSTEOPOROSIS); /* D9 */
	if (x->gc.current)
		n |= NOTE(WL_GLUCOCORTICOID); /* D5 */
	if (x->care_home)
		n |= NOTE(WL_CARE_HOME); /* 7.4 residence, 730 days */
	n |= frailty_note(x->frailty.category); /* D10 */
	/* 1.2: only an entry with a fracture encounter can have a fall from a height on it. */
	if (basis == RISK_FLS_BY_INDEX && risk_index_high_energy(p, as_of, &x->ix))
		n |= NOTE(WL_HIGH_ENERGY);
	if (d->age >= RISK_AGE_CAUTION)
		n |= NOTE(WL_AGE_OVER_80); /* CG146 1.5 [C] */
	if (d->score_status == RISK_SCORE_OK)
		n |= NOTE(WL_RISK_INFO); /* qfracture-reference.md 2; NOGG thresholds never applied [D] */
	if (basis == RISK_FLS_BY_HISTORY)
		n |= NOTE(HISTORY_ONLY); /* 7.5 */
	return n;
}

void risk_rules_apply(const struct risk_patient *p, int32_t as_of, struct risk_decision *d)
{
	struct rules_facts x;
	struct risk_fls_facts ff = { 0 };
	struct risk_falls_facts lf = { 0 };
	struct risk_fls_result fls;
	struct risk_falls_result fall;

	x.d2 = risk_d2_events(p, as_of);
	x.ep = risk_d2a_episodes(p, as_of);
	x.ix = risk_d2b_index(&x.ep);
	x.gc = risk_d5_glucocorticoid(p, as_of);
	x.dxa = risk_d6_tscore(p, as_of);
	x.falls = risk_d7_falls(p, as_of);
	x.frailty = risk_d10_frailty(p, as_of);
	x.osteoporosis = risk_d9_osteoporosis(p, as_of);
	x.care_home = risk_care_home(p, as_of);
	x.history_day = risk_fracture_history_day(p, as_of);

	/* 7.3 FLS worklist. */
	ff.has_index = x.ix.day != RISK_NO_DAY;
	ff.index_site = x.ix.site;
	ff.recent = (uint8_t)risk_d3_recent(&x.ix, as_of);
	ff.treated_now = (uint8_t)risk_d4_on_therapy(p, as_of, as_of);
	ff.treated_at_index = (uint8_t)risk_d4a_fracture_on_treatment(p, as_of, &x.ix);
	ff.tscore_low = x.dxa.has_value && x.dxa.lowest <= RISK_TSCORE_LOW;
	ff.gc_high = x.gc.high_dose;
	ff.history_50 = x.history_day != RISK_NO_DAY;
	ff.vert_count = x.ep.vert_count;
	fls = risk_fls_evaluate(&ff);

	d->priority = fls.priority;
	d->fls_reasons = fls.reasons;
	d->index_day = x.ix.day;
	d->index_site = x.ix.site;
	/* Most recent fracture: the index, else the fracture_history date (7.3 "Within a level"). */
	d->sort_day = x.ix.day != RISK_NO_DAY ? x.ix.day : x.history_day;

	/* 7.4 falls referral: for every patient in the population, on the worklist or not [D]. */
	lf.age = d->age;
	lf.any_d2 = x.d2.n_events > 0;
	lf.osteoporosis = (uint8_t)x.osteoporosis;
	lf.frailty_modsev = x.frailty.category == RISK_FRAILTY_MODERATE ||
			    x.frailty.category == RISK_FRAILTY_SEVERE;
	lf.parkinsons = (uint8_t)risk_has_concept(p, as_of, CONCEPT_BIT(CONCEPT_PARKINSONS));
	lf.dementia = (uint8_t)risk_has_concept(p, as_of, CONCEPT_BIT(CONCEPT_DEMENTIA));
	lf.care_home = (uint8_t)x.care_home;
	lf.falls = x.falls.count;
	lf.injurious = x.falls.injurious;
	/* The index is the latest episode of any site (D2b). */
	lf.fall_with_fracture = (uint8_t)risk_fall_with_fracture(&x.falls, x.ix.day);
	fall = risk_falls_evaluate(&lf);
	d->falls_population = fall.population;
	d->falls_referral = fall.referral;
	d->falls_reasons = fall.reasons;

	/* Notes: data quality always (7.5), worklist notes only on the worklist (7.3). */
	d->notes &= ~(WL_NOTES | NOTE(HISTORY_ONLY));
	d->notes |= risk_dq_event_notes(p, as_of);
	if (x.frailty.efi_ignored)
		d->notes |= NOTE(EFI_RANGE);
	if (x.gc.dose_unknown)
		d->notes |= NOTE(GC_DOSE);
	if (fls.priority)
		d->notes |= worklist_notes(p, as_of, &x, d, fls.basis);
}
