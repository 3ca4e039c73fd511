/*
 * The decisions CSV of `fls screen --decisions FILE.csv`: one row per patient screened, the FLS
 * worklist first in worklist order (clinical-rules 7.3), then every other patient in input order.
 * Memory holds only the worklist rows; the others go to an anonymous temporary file (tmpfile) that is
 * appended at close. Columns and formats: docs/outputs.md.
 */
#ifndef FLS_CLI_OUT_CSV_H
#define FLS_CLI_OUT_CSV_H

#include <stdio.h>

#include "fls/fls.h"
#include "risk/decision.h"
#include "risk/facts.h"

/* The header row, exactly (no line end). */
#define CSV_OUT_HEADER                                                                                     \
	"patient_id,nhs_number,age,sex,fls_priority,fls_reasons,falls_population,falls_referral,falls_reasons," \
	"mof10_pct,hip10_pct,risk_status,notes"

struct csv_out;

/*
 * Start a decisions CSV on dest (borrowed: the caller opens and closes it) and write the header.
 * FLS_ENOMEM, FLS_EIO; on failure *out is NULL.
 */
fls_status csv_out_open(struct csv_out **out, FILE *dest);

/* Add one patient's row (p and d are borrowed for the call). FLS_ENOMEM, FLS_EIO, FLS_ELIMIT. */
fls_status csv_out_add(struct csv_out *c, const struct risk_patient *p, const struct risk_decision *d);

/*
 * Write the sorted worklist rows, then the other rows, flush dest (the caller still closes it), and
 * free c, always, whatever the result. FLS_ENOMEM, FLS_EIO, the first error an earlier add returned,
 * or FLS_EINVAL for NULL.
 */
fls_status csv_out_close(struct csv_out *c);

/* Abandon: free c without writing the rows held (accepts NULL). */
void csv_out_free(struct csv_out *c);

#endif
