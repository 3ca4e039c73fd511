/*
 * risk_decide: the whole decision for one patient. Order matters: the QFracture inputs and scores come
 * first, because the worklist order within a level reads the MOF risk (clinical-rules 7.3).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "risk/decision.h"

void risk_decide(const struct risk_patient *p, const struct risk_context *ctx, struct risk_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->age = -1;
	d->mof10 = d->hip10 = NAN;
	d->index_day = d->sort_day = RISK_NO_DAY;
	d->notes = p->notes;

	if (risk_qf_map(p, ctx->as_of, d)) {
		char why_mof[160] = "", why_hip[160] = "";
		double mof = NAN, hip = NAN;
		int bad_mof, bad_hip;

		if (!ctx->model) {
			d->score_status = RISK_SCORE_NO_MODEL;
		} else {
			bad_mof = qf_evaluate(ctx->model, QF_MOF, &d->qf, &mof, why_mof, sizeof(why_mof));
			bad_hip = qf_evaluate(ctx->model, QF_HIP, &d->qf, &hip, why_hip, sizeof(why_hip));
			if (!bad_mof && !bad_hip) {
				d->score_status = RISK_SCORE_OK;
				d->mof10 = mof;
				d->hip10 = hip;
			} else {
				/* Mapped inputs are validated before evaluation, so this is a defect guard:
				 * never show one score without the other. */
				d->score_status = RISK_SCORE_REJECTED;
				int n = snprintf(d->score_why, sizeof(d->score_why), "%s%s%s", why_mof,
						 *why_mof && *why_hip ? "; " : "", why_hip);

				(void)n; /* a truncated reason is still a reason */
			}
		}
	}
	risk_rules_apply(p, ctx->as_of, d);
}
