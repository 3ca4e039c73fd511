/*
 * fls_result: one patient's facts and decision, with every text field rendered once. Handed to the
 * host's callback (borrowed) or copied out (result_copy, freed with result_free).
 */
#ifndef FLS_PLUGIN_RESULT_H
#define FLS_PLUGIN_RESULT_H

#include "fls/fls.h"
#include "risk/decision.h"
#include "util/buf.h"

#define PLG_FIELD_COUNT 24 /* FLS_F_FACTS + 1 */

/*
 * Fields rendered only when a host asks for them (the facts text and the explanation cost more than the
 * rest of a result together): owned by the screening call, reset for every patient.
 */
struct plg_lazy {
	struct fls_buf facts, expl;
	int have_facts, have_expl;
};

struct fls_result {
	struct fls_mem mem;             /* the allocator that owns this result (copies only) */
	struct plg_lazy *lazy;          /* borrowed results: where lazy fields are rendered; NULL in copies */
	int owned;                      /* 1 when made by result_copy: facts.events and text are ours */
	struct risk_patient facts;
	struct risk_decision dec;
	char *text;                     /* every string field, NUL-separated */
	size_t text_len;
	int32_t off[PLG_FIELD_COUNT];   /* offset into text, -1 = field absent */
};

struct fls_session;

/*
 * Build a borrowed result in res (facts point into the reader's builder) with its strings rendered into
 * buf (reset by the call); FLS_F_FACTS and FLS_F_EXPLANATION are rendered into lazy on first request.
 * label names the input.
 */
fls_status plg_result_build(struct fls_result *res, struct fls_buf *buf, struct plg_lazy *lazy,
			    const struct fls_session *sess, const struct risk_patient *p, const struct risk_decision *d,
			    const char *label);

const char *plg_result_str(const fls_result *res, fls_field field);
fls_status plg_result_num(const fls_result *res, fls_field field, double *out);
fls_status plg_result_copy(fls_result **out, const fls_session *sess, const fls_result *res);
void plg_result_free(fls_result *res);

/* For the CLI's writers: the facts and decision behind a result. */
const struct risk_patient *plg_result_facts(const fls_result *res);
const struct risk_decision *plg_result_decision(const fls_result *res);

#endif
