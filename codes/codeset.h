/*
 * Code sets: (system, code) -> concepts, loaded once per session from a directory of CSV files
 * (one file per concept, columns system,code,display,source; see codes/README.md), immutable after
 * loading so that a loaded set could be shared read-only.
 *
 * Matching (clinical-rules.md 7.1 and codes/README.md):
 *  - SNOMED CT and dm+d are exact; https://dmd.nhs.uk (with or without a trailing '/') is treated as
 *    http://snomed.info/sct, because dm+d ids are SNOMED CT identifiers.
 *  - ICD-10 (http://hl7.org/fhir/sid/icd-10): the dot is removed and the code matched by prefix. Among
 *    the nine fracture files (CONCEPT_FRACTURE_CONTEST_MASK) only the longest matching entry counts;
 *    every other concept takes any matching prefix. fracture_vertebral_multiple is set only when the
 *    winning fracture file is fracture_vertebral. S00-T14 sets CONCEPT_INJURY_ICD10.
 *  - ATC: prefix match (rows such as N03A are groups).
 *  - LOINC: exact.
 */
#ifndef FLS_CODES_CODESET_H
#define FLS_CODES_CODESET_H

#include <stddef.h>
#include <stdint.h>

#include "fls/fls.h"
#include "util/diag.h"
#include "util/mem.h"

struct codes_set;

enum codes_match_flag {
	CODES_M_ICD10_CATEGORY = 1 << 0, /* ICD-10: the winning entry is a 3-character category and the
	                                    input code is longer (clinical-rules 7.5 note) */
	CODES_M_FRACTURE_SNOMED = 1 << 1, /* a SNOMED CT coding matched a fracture file (the site files,
	                                    excluded sites, non-fragility mechanisms): a D7a injury code.
	                                    ICD-10 fracture codes are injuries only within S00-T14. */
};

struct codes_match {
	uint64_t concepts;     /* CONCEPT_BIT()s of every concept matched */
	uint32_t flags;        /* enum codes_match_flag */
	uint8_t bone_months;   /* bone_sparing_treatment matched: coverage in calendar months (D4: 15, 7,
	                          3 or 6) from the matched row's display or ATC code; 0 otherwise */
	double gc_pred_factor; /* glucocorticoid_oral matched: prednisolone-equivalent mg per mg of the
	                          matched row's ingredient (5 / mg_equivalent_to_prednisolone_5mg, 7.2.1);
	                          0 when not a glucocorticoid or no ingredient pattern matched */
};

/*
 * Load every concept file from dir (each must exist: a missing file is FLS_EDATA naming it) plus
 * glucocorticoid_pred_equiv.csv and VERSION. Errors name the file and line.
 */
fls_status codes_load(struct codes_set **out, const struct fls_mem *mem, const char *dir, struct fls_diag *d);
void codes_free(struct codes_set *cs);

/*
 * Match one coding. system and code are byte ranges (not NUL-terminated). Matches are OR-ed into *m
 * (so the codings of one CodeableConcept accumulate); returns 1 when anything matched, else 0.
 */
int codes_lookup(const struct codes_set *cs, const char *system, size_t system_len, const char *code,
		 size_t code_len, struct codes_match *m);

/* "<VERSION file>+sha256:<first 12 hex of the digest of every loaded file>", e.g. "2026.11.0+sha256:ab12cd34ef56". */
const char *codes_version(const struct codes_set *cs);
/* Number of (system, code, concept) rows loaded. */
size_t codes_row_count(const struct codes_set *cs);

#endif
