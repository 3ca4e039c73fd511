#include "risk/facts_text.h"

#include <math.h>

#include "codes/concepts.h"
#include "risk/notes.h"
#include "risk/render.h"

static const char *src_name(int src)
{
	switch (src) {
	case RISK_SRC_CONDITION: return "Condition";
	case RISK_SRC_PROCEDURE: return "Procedure";
	case RISK_SRC_OBSERVATION: return "Observation";
	case RISK_SRC_OBS_COMPONENT: return "Observation.component";
	case RISK_SRC_ENCOUNTER: return "Encounter.reasonCode";
	case RISK_SRC_MED_REQUEST: return "MedicationRequest";
	case RISK_SRC_MED_STATEMENT: return "MedicationStatement";
	case RISK_SRC_FAMILY_HISTORY: return "FamilyMemberHistory";
	case RISK_SRC_MED_DISPENSE: return "MedicationDispense";
	default: return "?";
	}
}

static const char *unit_name(int u)
{
	static const char *const names[] = { "", "kg", "g", "lb", "cm", "m", "mm", "in", "kg/m2", "/day", "/week", "(other unit)" };

	return u >= 0 && u < (int)(sizeof(names) / sizeof(names[0])) ? names[u] : "?";
}

fls_status risk_facts_text(struct fls_buf *b, const struct risk_patient *p)
{
	char day[11], num[40];
	int bad = 0; /* any failed append: the buffer is full or memory ran out */

	risk_day_format(p->birth_day, day);
	bad |= FLS_OK != fls_buf_printf(b, "patient %s%s\n  nhs_number %s\n  sex %s\n  birth_date %s%s\n  ethnic_category %s\n",
			     p->id, p->has_patient ? "" : " (no Patient resource)", p->nhs_number[0] ? p->nhs_number : "-",
			     risk_render_sex(p->sex), day[0] ? day : "-", p->birth_partial ? " (partial)" : "",
			     p->ethnic[0] ? p->ethnic : "-");
	if (p->deceased) {
		risk_day_format(p->deceased_day, day);
		bad |= FLS_OK != fls_buf_printf(b, "  deceased %s\n", day[0] ? day : "yes");
	}
	bad |= FLS_OK != fls_buf_printf(b, "  events %u\n", p->n_events);
	for (uint32_t i = 0; i < p->n_events && !bad; i++) {
		const struct risk_event *e = &p->events[i];
		int first = 1;

		risk_day_format(e->day, day);
		bad |= FLS_OK != fls_buf_printf(b, "  %-10s %-22s ", day[0] ? day : "(no date)", src_name(e->src));
		for (int c = 0; c < CONCEPT__COUNT; c++) {
			if (e->concepts & CONCEPT_BIT(c)) {
				bad |= FLS_OK != fls_buf_printf(b, "%s%s", first ? "" : "|", concept_name(c));
				first = 0;
			}
		}
		if (!isnan(e->value) && risk_render_decimal(num, sizeof(num), e->value, 10) > 0)
			bad |= FLS_OK != fls_buf_printf(b, "  value %s%s%s", num, e->unit ? " " : "", unit_name(e->unit));
		if (e->flags & RISK_EV_PERIOD) {
			risk_day_format(e->end_day, day);
			bad |= FLS_OK != fls_buf_printf(b, "  until %s", day[0] ? day : "(open)");
		}
		if (e->bone_months)
			bad |= FLS_OK != fls_buf_printf(b, "  coverage %u months", e->bone_months);
		if (!isnan(e->dose_pred_mg) && risk_render_decimal(num, sizeof(num), e->dose_pred_mg, 6) > 0)
			bad |= FLS_OK != fls_buf_printf(b, "  prednisolone-equivalent %s mg/day", num);
		if (e->encounter)
			bad |= FLS_OK != fls_buf_printf(b, "  encounter #%u", e->encounter);
		if (e->flags & RISK_EV_PARTIAL_DATE)
			bad |= FLS_OK != fls_buf_puts(b, "  (partial date)");
		if (e->flags & RISK_EV_DATE_FROM_ENCOUNTER)
			bad |= FLS_OK != fls_buf_puts(b, "  (dated by encounter)");
		if (e->flags & RISK_EV_ICD10_CATEGORY)
			bad |= FLS_OK != fls_buf_puts(b, "  (ICD-10 category match)");
		if (e->flags & RISK_EV_VALUE_CODED)
			bad |= FLS_OK != fls_buf_puts(b, "  (coded value)");
		if (e->flags & RISK_EV_PARENT)
			bad |= FLS_OK != fls_buf_puts(b, "  (parent)");
		if (e->flags & RISK_EV_MED_UNRESOLVED)
			bad |= FLS_OK != fls_buf_puts(b, "  (medication reference unresolved)");
		bad |= FLS_OK != fls_buf_puts(b, "\n");
	}
	for (int n = 0; n < RISK_NOTE__COUNT && !bad; n++)
		if (p->notes & RISK_NOTE_BIT(n))
			bad |= FLS_OK != fls_buf_printf(b, "  note %s: %s\n", risk_note_id(n), risk_note_text(n));
	return bad ? FLS_ENOMEM : FLS_OK;
}
