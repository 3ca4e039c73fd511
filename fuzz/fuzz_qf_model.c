/*
 * Fuzz target: the QFracture coefficient file parser (qf_model_parse; a hostile coefficient file,
 * SECURITY.md). A file that parses must give, for every input the reference accepts, a risk that is a
 * finite percentage or a refusal with a reason: never NaN, infinity or a number outside 0-100
 * (risk/qfracture.h promises it).
 */
#include <math.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "risk/facts.h"
#include "risk/qfracture.h"

static void check_eval(const struct qf_model *m, const struct qf_inputs *in)
{
	for (int o = QF_MOF; o <= QF_HIP; o++) {
		char why[256];
		double risk = -1;
		int rc = qf_evaluate(m, (enum qf_outcome)o, in, &risk, why, sizeof(why));

		fuzz_check_msg("qf_evaluate reason", why, sizeof(why) - 1);
		if (rc == 0 && (!isfinite(risk) || risk < 0 || risk > 100))
			fuzz_fail("coefficients gave a risk of %g", risk);
		if (rc != 0 && !why[0])
			fuzz_fail("a refused evaluation without a reason");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qf_model *m = NULL;
	struct fls_diag d = { "" };
	struct qf_inputs in;

	if (qf_model_parse(&m, &fls_mem_libc, (const char *)data, size, &d) != FLS_OK) {
		fuzz_check_msg("qf_model_parse error", d.msg, sizeof(d.msg) - 1);
		if (!d.msg[0] || m)
			fuzz_fail("a failed parse without a message, or with a model");
		return 0;
	}
	fuzz_check_msg("model version", qf_model_version(m), 256);
	/* Inputs across the accepted ranges: both sexes, the age and BMI ends, every flag on. */
	memset(&in, 0, sizeof(in));
	for (int sex = RISK_SEX_FEMALE; sex <= RISK_SEX_MALE; sex++) {
		in.sex = sex;
		in.surv = 10;
		in.age = 70;
		in.bmi = 25.0;
		in.ethrisk = 1;
		in.smoke_cat = 0;
		in.alcohol_cat6 = 0;
		check_eval(m, &in);
		in.age = 30;
		in.bmi = 20.0;
		in.surv = 1;
		check_eval(m, &in);
		in.age = 99;
		in.bmi = 40.0;
		in.ethrisk = 9;
		in.smoke_cat = 4;
		in.alcohol_cat6 = 5;
		in.b_antidepressant = in.b_anycancer = in.b_asthmacopd = in.b_carehome = in.b_corticosteroids = 1;
		in.b_cvd = in.b_dementia = in.b_endocrine = in.b_epilepsy2 = in.b_falls = in.b_fracture4 = 1;
		in.b_hrt_oest = in.b_liver = in.b_malabsorption = in.b_parkinsons = in.b_ra_sle = in.b_renal = 1;
		in.b_type1 = in.b_type2 = in.fh_osteoporosis = 1;
		check_eval(m, &in);
		memset(&in, 0, sizeof(in));
	}
	qf_model_free(m);
	return 0;
}
