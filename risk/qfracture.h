/*
 * The published QFracture-2012 equations (ClinRisk Ltd, LGPL-3.0-or-later), independent implementation.
 * Pure functions, no I/O: the coefficients arrive as CSV text (models/qfracture-2012/coefficients.csv,
 * the columns of the specification's spec/qfracture-coefficients.csv) read by the caller.
 * Reference: docs/qfracture.md and the specification's spec/qfracture-reference.md.
 */
#ifndef FLS_RISK_QFRACTURE_H
#define FLS_RISK_QFRACTURE_H

#include <stddef.h>

#include "fls/fls.h"
#include "util/diag.h"
#include "util/mem.h"

/* ClinRisk's disclaimer (qfracture-reference.md §2): shown beside every score. */
extern const char QF_DISCLAIMER[];
/* How outputs name the model: factual, never claiming accreditation. */
extern const char QF_MODEL_NAME[];

enum qf_outcome { QF_MOF = 0, QF_HIP = 1 };

/* Inputs exactly as the reference takes them (qfracture-reference.md §5). sex: RISK_SEX_FEMALE/MALE. */
struct qf_inputs {
	int sex, age, surv;
	double bmi;
	int ethrisk, smoke_cat, alcohol_cat6;
	int b_antidepressant, b_anycancer, b_asthmacopd, b_carehome, b_corticosteroids, b_cvd, b_dementia,
	    b_endocrine, b_epilepsy2, b_falls, b_fracture4, b_hrt_oest, b_liver, b_malabsorption,
	    b_parkinsons, b_ra_sle, b_renal, b_type1, b_type2, fh_osteoporosis;
};

struct qf_model;

fls_status qf_model_parse(struct qf_model **out, const struct fls_mem *mem, const char *csv, size_t len,
			  struct fls_diag *d);
void qf_model_free(struct qf_model *m);
/* e.g. "QFracture-2012 equations, independent implementation (coefficients sha256:0123456789ab)". */
const char *qf_model_version(const struct qf_model *m);

/*
 * Evaluate one outcome. Returns 0 and sets *risk_pct (0-100, never NaN or infinite) when the inputs pass
 * the reference's validation for that outcome; otherwise returns -1, leaves *risk_pct untouched and
 * writes the reference's reasons ("bmi must be in range (20,40); age must be in range (30,100)") to why.
 */
int qf_evaluate(const struct qf_model *m, enum qf_outcome outcome, const struct qf_inputs *in,
		double *risk_pct, char *why, size_t why_cap);

#endif
