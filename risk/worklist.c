/*
 * Worklist order (clinical-rules.md 7.3 "Within a level") [D]: P1, P2, P3, then patients not on the
 * worklist; within a level the most recent fracture first (the index date, or the fracture_history
 * date for R-FLS-1 (b)), then the higher QFracture MOF risk (no score after any score), then the older
 * patient (unknown age last). Declared in risk/decision.h.
 */
#include <math.h>

#include "risk/decision.h"

/* Not on the worklist (0, or anything out of range) sorts after P3. */
static int level_rank(unsigned priority)
{
	return priority >= 1 && priority <= 3 ? (int)priority : 4;
}

static int has_mof(const struct risk_decision *d)
{
	return d->score_status == RISK_SCORE_OK && !isnan(d->mof10);
}

int risk_worklist_cmp(const struct risk_decision *a, const struct risk_decision *b)
{
	int la = level_rank(a->priority), lb = level_rank(b->priority);
	int sa = has_mof(a), sb = has_mof(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	/* RISK_NO_DAY is INT32_MIN, so "no fracture date" is naturally the oldest. */
	if (a->sort_day != b->sort_day)
		return a->sort_day > b->sort_day ? -1 : 1;
	if (sa != sb)
		return sa ? -1 : 1;
	if (sa && a->mof10 != b->mof10)
		return a->mof10 > b->mof10 ? -1 : 1;
	/* Unknown age is -1, below every real age. */
	if (a->age != b->age)
		return a->age > b->age ? -1 : 1;
	return 0;
}
