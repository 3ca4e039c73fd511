/*
 * Data-quality notes from the events themselves (clinical-rules.md 7.1 "Records that do not count" and
 * "Partial dates"; 7.5) [D]. The QFracture mapping may set some of the same bits; setting one twice is
 * harmless.
 */
#include "risk/dq_notes.h"

#include "codes/concepts.h"
#include "risk/notes.h"

static int is_medication(const struct risk_event *e)
{
	return e->src == RISK_SRC_MED_REQUEST || e->src == RISK_SRC_MED_STATEMENT ||
	       e->src == RISK_SRC_MED_DISPENSE;
}

uint64_t risk_dq_event_notes(const struct risk_patient *p, int32_t as_of)
{
	uint64_t notes = 0;
	uint32_t i;

	for (i = 0; i < p->n_events; i++) {
		const struct risk_event *e = &p->events[i];

		/* Parental history needs no date (7.1) and is the QFracture mapping's (D8). */
		if (e->src == RISK_SRC_FAMILY_HISTORY)
			continue;
		if (e->day == RISK_NO_DAY) {
			/* 7.5 "medications without dates"; 7.1 "a record with no usable date". */
			notes |= RISK_NOTE_BIT(is_medication(e) ? RISK_NOTE_MED_NO_DATE : RISK_NOTE_NO_DATE);
			continue;
		}
		if (e->day > as_of) {
			notes |= RISK_NOTE_BIT(RISK_NOTE_AFTER_AS_OF); /* 7.5 "events after the as-of date" */
			continue;
		}
		/* Only records that count can have changed a result; the rest already carry a note above. */
		if (e->flags & RISK_EV_PARTIAL_DATE)
			notes |= RISK_NOTE_BIT(RISK_NOTE_PARTIAL_DATE); /* 7.1 "Partial dates" */
		if (e->flags & RISK_EV_ICD10_CATEGORY)
			notes |= RISK_NOTE_BIT(RISK_NOTE_ICD10_CATEGORY); /* 7.5 */
		if (e->concepts & CONCEPT_BIT(CONCEPT_FRACTURE_SITE_UNSPECIFIED))
			notes |= RISK_NOTE_BIT(RISK_NOTE_FRACTURE_SITE_UNSPECIFIED); /* 7.5 */
	}
	return notes;
}
