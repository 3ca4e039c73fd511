/*
 * Decisions as one FHIR R4 XML Bundle (type collection): per patient a RiskAssessment and a
 * ServiceRequest per referral, then one List, the ordered FLS worklist. Streaming: entries are written
 * as decisions arrive; only a compact sort key per worklist entry is kept until finish. The output
 * validates against the official R4 schema (schemas/fhir-r4 of the project specification; tested).
 * Choices: docs/decisions.md;
 * format for integrators: docs/outputs.md.
 *
 * Threads: a writer is used by one thread at a time. Nothing is printed; libxml2 types stay inside.
 */
#ifndef FLS_FHIR_WRITER_H
#define FLS_FHIR_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "fls/fls.h"
#include "risk/decision.h"
#include "risk/facts.h"
#include "util/diag.h"
#include "util/mem.h"

/* What every decision in the output records. Strings are copied at open; NULL or "" omits them. */
struct fhir_out_meta {
	const char *lib_version, *model_version, *codes_version;
	int32_t as_of;            /* day number of the as-of date (risk/day.h); must not be RISK_NO_DAY */
	const char *disclaimer;   /* ClinRisk's (QF_DISCLAIMER): written beside every score */
};

struct fhir_writer;

/*
 * Start a Bundle. Output goes through write(ctx, buf, len), which returns 0 on success (fhir/ opens no
 * files itself: STYLE §2); after a failed write nothing more is written and the next call returns
 * FLS_EIO. Errors: FLS_EINVAL (bad arguments), FLS_ENOMEM, FLS_EIO, FLS_ECRYPTO (no random bytes for the
 * urn:uuid). The message goes to d when d is not NULL; d must then outlive the writer, because later
 * calls report there too. On failure *out is NULL.
 */
fls_status fhir_writer_open(struct fhir_writer **out, const struct fls_mem *mem,
			    int (*write)(void *ctx, const char *buf, size_t len), void *ctx,
			    const struct fhir_out_meta *meta, struct fls_diag *d);

/*
 * Write one patient's RiskAssessment and ServiceRequests. p and dec are borrowed for the call. The
 * patient's name is never written; Patient.id and the NHS number are. After any error the writer is
 * unusable (every later call fails): free it.
 */
fls_status fhir_writer_add(struct fhir_writer *w, const struct risk_patient *p, const struct risk_decision *dec);

/* Write the ordered worklist List and close the Bundle; flushes through write. Call once. */
fls_status fhir_writer_finish(struct fhir_writer *w);

/* Accepts NULL; after finish, or to abandon a Bundle (which is then left incomplete). */
void fhir_writer_free(struct fhir_writer *w);

#endif
