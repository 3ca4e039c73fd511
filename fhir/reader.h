/*
 * The streaming FHIR R4 XML reader: bytes in (any chunking), patient facts out (struct risk_patient, one
 * callback per patient). libxml2's SAX2 push parser underneath; never a DOM of the document; libxml2
 * types stay inside fhir/.
 *
 * Untrusted input (STYLE.md §3): no network, no entity expansion, any DOCTYPE or entity declaration
 * refused, UTF-8 only, depth and string lengths bounded, elements outside the FHIR namespace refused
 * except the XHTML narrative, which is skipped by namespace. A problem inside one resource is reported
 * (on_problem), counted and that resource skipped; the rest of the input is still read. A document that
 * is not well-formed stops at the error: what was read before it is still delivered.
 */
#ifndef FLS_FHIR_READER_H
#define FLS_FHIR_READER_H

#include <stddef.h>
#include <stdint.h>

#include "codes/codeset.h"
#include "fls/fls.h"
#include "risk/facts.h"
#include "util/diag.h"
#include "util/mem.h"

struct fhir_reader_cfg {
	const struct fls_mem *mem;
	const struct codes_set *codes;
	uint32_t order;                     /* enum fls_order */
	uint32_t max_depth;
	uint32_t max_string_bytes;
	uint32_t max_resources_per_patient;
	uint64_t max_held_patients;
	int (*on_patient)(void *ctx, struct risk_patient *p);      /* non-zero: stop */
	void (*on_problem)(void *ctx, fls_status st, const char *msg); /* may be NULL */
	void *ctx;
};

/* The resource types the reader reads (everything else is RT_OTHER and skipped). */
enum fhir_res_type {
	RT_OTHER = 0, RT_PATIENT, RT_CONDITION, RT_PROCEDURE, RT_OBSERVATION, RT_MED_REQUEST,
	RT_MED_STATEMENT, RT_MED_DISPENSE, RT_ENCOUNTER, RT_FMH, RT_MEDICATION, RT__COUNT
};

/*
 * Counters. For every type t, nothing is lost: seen[t] = done[t] + bad[t] + orphan[t] + dropped[t] +
 * foreign[t] once the input is finished (the corpus test checks it).
 */
struct fhir_reader_stats {
	uint64_t patient_resources, resources, clinical_resources, skipped_resources, bad_resources,
		orphan_resources, patients;
	uint64_t seen[RT__COUNT];    /* resources of the type at a resource position (root, entry, nested) */
	uint64_t done[RT__COUNT];    /* read and joined (Patient, clinical) or registered (Medication) */
	uint64_t bad[RT__COUNT];     /* reported as a problem and skipped */
	uint64_t orphan[RT__COUNT];  /* no subject/patient reference */
	uint64_t dropped[RT__COUNT]; /* a status that means the record does not count (7.1) */
	uint64_t foreign[RT__COUNT]; /* subject is not a Patient (Group, Device...) */
};

struct fhir_reader;

/* label names the input in messages (a file name; never patient data). */
fls_status fhir_reader_new(struct fhir_reader **out, const struct fhir_reader_cfg *cfg, const char *label,
			   struct fls_diag *d);
/*
 * Feed the next bytes. FLS_OK, or a fatal error for the whole input (FLS_EPARSE, FLS_ELIMIT,
 * FLS_ENOMEM, FLS_EABORT) with the message in d; after an error, call fhir_reader_finish to deliver what
 * was read.
 */
fls_status fhir_reader_feed(struct fhir_reader *r, const char *buf, size_t len, struct fls_diag *d);
/* End of input: checks the document is complete and delivers every patient still held. */
fls_status fhir_reader_finish(struct fhir_reader *r, struct fls_diag *d);
const struct fhir_reader_stats *fhir_reader_stats(const struct fhir_reader *r);
void fhir_reader_free(struct fhir_reader *r);

#endif
