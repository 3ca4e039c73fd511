#include "risk_builder.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "risk/day.h"

int32_t rb_default_as_of(void)
{
	return risk_day_from_civil(2025, 6, 30);
}

void rb_init(struct rb *b, int32_t birth, int32_t as_of)
{
	memset(b, 0, sizeof(*b));
	b->p.birth_day = birth;
	b->p.deceased_day = RISK_NO_DAY;
	b->p.sex = RISK_SEX_FEMALE;
	b->p.has_patient = 1;
	b->p.events = b->ev;
	b->p.cap_events = RB_MAX_EVENTS;
	b->as_of = as_of;
}

void rb_init_age(struct rb *b, int years)
{
	rb_init(b, risk_day_from_civil(2025 - years, 1, 15), rb_default_as_of());
}

struct risk_event *rb_add_day(struct rb *b, uint64_t concepts, int32_t day)
{
	struct risk_event *e;

	if (b->p.n_events >= RB_MAX_EVENTS)
		abort(); /* a test bug: raise RB_MAX_EVENTS */
	e = &b->ev[b->p.n_events++];
	memset(e, 0, sizeof(*e));
	e->concepts = concepts;
	e->value = NAN;
	e->dose_pred_mg = NAN;
	e->day = day;
	e->end_day = RISK_NO_DAY;
	e->src = RISK_SRC_CONDITION;
	return e;
}

struct risk_event *rb_add(struct rb *b, uint64_t concepts, int32_t days_before)
{
	return rb_add_day(b, concepts, b->as_of - days_before);
}

struct risk_event *rb_add_sct(struct rb *b, uint64_t concepts, int32_t days_before)
{
	struct risk_event *e = rb_add(b, concepts, days_before);

	e->flags |= RISK_EV_FRACTURE_SNOMED;
	return e;
}

struct risk_event *rb_med(struct rb *b, uint64_t concepts, uint8_t src, int32_t days_before)
{
	struct risk_event *e = rb_add(b, concepts, days_before);

	e->src = src;
	return e;
}

void rb_decision(const struct rb *b, struct risk_decision *d, double mof)
{
	memset(d, 0, sizeof(*d));
	d->age = risk_completed_years(b->p.birth_day, b->as_of);
	d->sex = b->p.sex;
	d->mof10 = d->hip10 = NAN;
	d->index_day = d->sort_day = RISK_NO_DAY;
	d->notes = b->p.notes;
	if (isnan(mof)) {
		d->score_status = RISK_SCORE_NO_BMI;
	} else {
		d->score_status = RISK_SCORE_OK;
		d->mof10 = mof;
		d->hip10 = mof / 4;
	}
}

void rb_apply(const struct rb *b, struct risk_decision *d, double mof)
{
	rb_decision(b, d, mof);
	risk_rules_apply(&b->p, b->as_of, d);
}
