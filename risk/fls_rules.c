/*
 * FLS worklist rules (clinical-rules.md 7.3). The ids, reason texts and sources are in risk/rule_ids.h;
 * each rule below cites its source. Every rule whose condition holds is listed and the level is the
 * highest listed; R-FLS-P3-PREVIOUS only when no P1/P2 rule holds; not eligible: none and no reasons [D].
 */
#include "risk/fls_rules.h"

#include "risk/decision.h"
#include "risk/rule_ids.h"

#define RULE(r) (1u << RISK_FLS_##r)

/*
 * R-FLS-1 [C] population [ROS19] [FLSDB-method] [QS149 st.1]; [D] exclusion of treated patients without a
 * recent fracture on treatment, and "history of" codes as previous fractures:
 * (a) an index fracture AND (NOT on therapy now OR (recent AND on treatment at the fracture));
 * (b) no D2 event, a fracture_history code dated at 50 or over, NOT on therapy now.
 */
enum risk_fls_basis risk_fls_eligible(const struct risk_fls_facts *f)
{
	if (f->has_index)
		return !f->treated_now || (f->recent && f->treated_at_index) ? RISK_FLS_BY_INDEX :
									     RISK_FLS_NOT_ELIGIBLE;
	if (f->history_50 && !f->treated_now)
		return RISK_FLS_BY_HISTORY;
	return RISK_FLS_NOT_ELIGIBLE;
}

struct risk_fls_result risk_fls_evaluate(const struct risk_fls_facts *f)
{
	struct risk_fls_result r = { 0, RISK_FLS_NOT_ELIGIBLE, 0 };
	int recent_untreated, rule;

	r.basis = (uint8_t)risk_fls_eligible(f);
	if (r.basis == RISK_FLS_NOT_ELIGIBLE)
		return r;
	if (r.basis == RISK_FLS_BY_INDEX) {
		recent_untreated = f->recent && !f->treated_now;
		/* R-FLS-P1-TREATED: [U] as a NOGG very-high-risk criterion; [D]. Recent index fracture on
		 * treatment, whether or not treatment continues. */
		if (f->recent && f->treated_at_index)
			r.reasons |= RULE(P1_TREATED);
		/* R-FLS-P1-HIPVERT: [C] CG146 introduction (commonest sites), NOS18 standard 1, FLS-DB KPI 3;
		 * [D] ranking. */
		if (recent_untreated &&
		    (f->index_site == RISK_SITE_HIP || f->index_site == RISK_SITE_VERTEBRAL))
			r.reasons |= RULE(P1_HIPVERT);
		/* R-FLS-P1-MULTIVERT: [C] NOGG-S4 ("especially multiple vertebral fractures"); [D] count. */
		if (recent_untreated && f->vert_count >= 2)
			r.reasons |= RULE(P1_MULTIVERT);
		/* R-FLS-P1-TSCORE-GC: [U] thresholds (T-score -3.5, 7.5 mg for 3 months); [D]. */
		if (recent_untreated && (f->tscore_low || f->gc_high))
			r.reasons |= RULE(P1_TSCORE_GC);
		/* R-FLS-P2-RECENT: [C] QS149 st.1-2, ROS19; [D] ranking. */
		if (recent_untreated &&
		    (f->index_site == RISK_SITE_WRIST || f->index_site == RISK_SITE_HUMERUS ||
		     f->index_site == RISK_SITE_PELVIS || f->index_site == RISK_SITE_OTHER ||
		     f->index_site == RISK_SITE_UNSPECIFIED))
			r.reasons |= RULE(P2_RECENT);
	}
	/* R-FLS-P3-PREVIOUS: [C] CG146 1.1 and NOGG-S4 (previous fragility fracture); [D] ranking. Listed
	 * only when no P1/P2 rule holds: an untreated patient whose index fracture is over 730 days old, or
	 * one eligible through R-FLS-1 (b). */
	if (!r.reasons)
		r.reasons = RULE(P3_PREVIOUS);
	for (rule = 0; rule < RISK_FLS__COUNT; rule++) {
		int lvl = risk_fls_rule_level(rule);

		if ((r.reasons & (1u << rule)) && (r.priority == 0 || lvl < r.priority))
			r.priority = (uint8_t)lvl;
	}
	return r;
}
