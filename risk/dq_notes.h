/*
 * Per-event data-quality notes of clinical-rules.md 7.1 and 7.5 that the rules report (always, on or off
 * the worklist): records ignored for their date, partial dates, ICD-10 category matches, unspecified
 * fracture sites. The notes that come from a derived fact (eFI range, glucocorticoid dose, history-only
 * entry) are set in risk/rules.c from that fact.
 */
#ifndef FLS_RISK_DQ_NOTES_H
#define FLS_RISK_DQ_NOTES_H

#include <stdint.h>

#include "risk/facts.h"

/* RISK_NOTE_BIT()s for the patient's events at as-of. */
uint64_t risk_dq_event_notes(const struct risk_patient *p, int32_t as_of);

#endif
