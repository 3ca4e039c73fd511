/*
 * Text renderings of a decision shared by every output (CSV, FHIR, the public result fields, `fls
 * inspect`): id lists, labels, the explanation text and locale-independent decimals. Pure string
 * building: no I/O, no locale, no libxml2.
 */
#ifndef FLS_RISK_RENDER_H
#define FLS_RISK_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "fls/fls.h"
#include "risk/decision.h"
#include "util/buf.h"

/* "P1" | "P2" | "P3" | "none" (decision.priority). */
const char *risk_render_priority(int priority);
/* "female" | "male" | "other" | "unknown" (enum risk_sex). */
const char *risk_render_sex(int sex);
/* "yes" | "no". */
const char *risk_render_yesno(int flag);
/* Short reason for no score ("no BMI", ...); "ok" for RISK_SCORE_OK; "rejected" without the why. */
const char *risk_render_score_status(int status);

/*
 * Append ids joined by '|', in rule / note enum order (so the same decision always renders the same
 * text); nothing for an empty mask. Bits beyond the known rules or notes are ignored.
 */
fls_status risk_render_fls_reasons(struct fls_buf *b, uint32_t mask);
fls_status risk_render_falls_reasons(struct fls_buf *b, uint32_t mask);
fls_status risk_render_notes(struct fls_buf *b, uint64_t mask);

/* risk_status as the outputs show it: "ok", the short reason, or "rejected: <score_why>". */
fls_status risk_render_risk_status(struct fls_buf *b, const struct risk_decision *d);

/*
 * The human explanation: one line per FLS reason, per falls reason and per note, each ending in '\n':
 *   "R-FLS-P1-HIPVERT: Recent hip/vertebral fragility fracture, untreated [NICE CG146 ...]"
 *   "DQ-BMI-DERIVED: BMI derived from the latest weight and height"
 * followed, when there is no score, by "No fracture risk score: <risk_status>".
 */
fls_status risk_render_explanation(struct fls_buf *b, const struct risk_decision *d);

/*
 * The QFracture inputs a score was computed from, on one line ("sex female; age 72; BMI 24.3 kg/m2;
 * ethnicity group 1; smoking category 0; alcohol category 0; risk factors: b_falls, b_fracture4").
 */
fls_status risk_render_qf_inputs(struct fls_buf *b, const struct qf_inputs *in);

/*
 * Write the finite value v as a plain decimal (no exponent, '.' as the separator whatever the host's
 * LC_NUMERIC, no trailing zeros after the point, "0" for zero) rounded to sig significant digits
 * (1-17; 17 round-trips every double). Returns the length, or -1 when v is not finite, sig is out of
 * range or the result does not fit in cap (out then holds "").
 * The digits come from snprintf("%.*e"), whose digits, 'e' and sign are ASCII in every locale; only the
 * decimal-point character varies, and it is skipped, never copied.
 */
int risk_render_decimal(char *out, size_t cap, double v, int sig);

/*
 * The provenance block for outputs that have no field of their own for it (e.g. beside the decisions
 * CSV, whose columns are fixed): one "key: value" line each for the versions (the model version names
 * the equations) and the as-of date, then the disclaimer. NULL or empty strings are written as "none";
 * as_of RISK_NO_DAY as "unknown".
 */
fls_status risk_render_provenance(struct fls_buf *b, const char *lib_version, const char *model_version,
				  const char *codes_version, int32_t as_of, const char *disclaimer);

#endif
