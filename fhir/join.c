#include "fhir/join.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "codes/concepts.h"
#include "fhir/hashmap.h"
#include "risk/notes.h"

#define RELEASED UINT64_C(1) /* map value of a key whose patient was already released */

enum join_mode { MODE_UNDECIDED, MODE_CONTIGUOUS, MODE_HOLD };

struct enc_rec {
	uint64_t key, key2;
	int32_t start;
};
struct cond_key {
	uint64_t key;
	uint32_t ev;
};
struct diag_link {
	uint64_t cond_key;
	uint32_t enc;
};
struct onset_age {
	uint32_t ev;
	int32_t fallback;
	double years;
	int fallback_partial;
};
struct pending_med {
	uint32_t ev;
	uint64_t med_key;
	double daily_mg;
};

/* A growable array of T: data, count, capacity. */
#define VEC(T) struct { T *v; size_t n, cap; }

struct pt_builder {
	struct risk_patient p;
	const struct fls_mem *mem;
	struct pt_builder *prev, *next; /* the held list, in first-seen order */
	uint32_t n_resources, n_clinical;
	VEC(uint64_t) keys;             /* every map key that points at this builder */
	VEC(struct enc_rec) encs;       /* encounter ordinal = index + 1 */
	VEC(struct cond_key) conds;
	VEC(struct diag_link) links;
	VEC(struct onset_age) ages;
	VEC(struct pending_med) meds;
};

struct fhir_join {
	struct fhir_join_cfg cfg;
	const struct fls_mem *mem;
	struct fhir_map patients;      /* key -> builder pointer, or RELEASED */
	struct fhir_map med_index;     /* Medication key -> index into medications */
	VEC(struct codes_match) medications;
	struct pt_builder *head, *tail, *current;
	uint64_t n_held, n_released;
	enum join_mode mode;
	int stopped;
};

#define VEC_PUSH(mem, vec, item)                                                                    \
	(fls_grow((mem), (void **)&(vec).v, &(vec).cap, (vec).n + 1, sizeof(*(vec).v)) ? -1 :       \
							 ((vec).v[(vec).n++] = (item), 0))

fls_status fhir_join_new(struct fhir_join **out, const struct fhir_join_cfg *cfg)
{
	struct fhir_join *j = fls_calloc(cfg->mem, 1, sizeof(*j));

	*out = NULL;
	if (!j)
		return FLS_ENOMEM;
	j->cfg = *cfg;
	j->mem = cfg->mem;
	fhir_map_init(&j->patients, cfg->mem);
	fhir_map_init(&j->med_index, cfg->mem);
	j->mode = cfg->order == FLS_ORDER_CONTIGUOUS ? MODE_CONTIGUOUS :
		  cfg->order == FLS_ORDER_ANY	     ? MODE_HOLD :
						       MODE_UNDECIDED;
	*out = j;
	return FLS_OK;
}

static void builder_free(const struct fls_mem *mem, struct pt_builder *b)
{
	if (!b)
		return;
	fls_free(mem, b->p.events);
	fls_free(mem, b->keys.v);
	fls_free(mem, b->encs.v);
	fls_free(mem, b->conds.v);
	fls_free(mem, b->links.v);
	fls_free(mem, b->ages.v);
	fls_free(mem, b->meds.v);
	fls_free(mem, b);
}

static void held_unlink(struct fhir_join *j, struct pt_builder *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		j->head = b->next;
	if (b->next)
		b->next->prev = b->prev;
	else
		j->tail = b->prev;
	b->prev = b->next = NULL;
	j->n_held--;
	if (j->current == b)
		j->current = NULL;
}

void fhir_join_free(struct fhir_join *j)
{
	struct pt_builder *b, *next;

	if (!j)
		return;
	for (b = j->head; b; b = next) {
		next = b->next;
		builder_free(j->mem, b);
	}
	fhir_map_free(&j->patients);
	fhir_map_free(&j->med_index);
	fls_free(j->mem, j->medications.v);
	fls_free(j->mem, j);
}

struct risk_patient *pt_facts(struct pt_builder *b)
{
	return &b->p;
}

long pt_add_event(struct pt_builder *b, const struct risk_event *ev)
{
	size_t cap = b->p.cap_events;
	void *arr = b->p.events;

	if (fls_grow(b->mem, &arr, &cap, (size_t)b->p.n_events + 1, sizeof(*ev)) || cap > UINT32_MAX)
		return -1;
	b->p.events = arr;
	b->p.cap_events = (uint32_t)cap;
	b->p.events[b->p.n_events] = *ev;
	return (long)b->p.n_events++;
}

int pt_add_condition_key(struct pt_builder *b, uint64_t key, uint32_t ev)
{
	struct cond_key c = { key, ev };

	return VEC_PUSH(b->mem, b->conds, c);
}

static int enc_has(const struct enc_rec *e, uint64_t k)
{
	return k && (e->key == k || e->key2 == k);
}

uint32_t pt_encounter(struct pt_builder *b, uint64_t key, uint64_t key2, int32_t start_day)
{
	struct enc_rec e = { key ? key : key2, key ? key2 : 0, start_day };

	for (size_t i = 0; i < b->encs.n; i++) {
		if (!enc_has(&b->encs.v[i], key) && !enc_has(&b->encs.v[i], key2))
			continue;
		if (!b->encs.v[i].key2 && key2 && !enc_has(&b->encs.v[i], key2))
			b->encs.v[i].key2 = key2;
		else if (!b->encs.v[i].key2 && key && !enc_has(&b->encs.v[i], key))
			b->encs.v[i].key2 = key;
		if (start_day != RISK_NO_DAY &&
		    (b->encs.v[i].start == RISK_NO_DAY || start_day < b->encs.v[i].start))
			b->encs.v[i].start = start_day;
		return (uint32_t)(i + 1);
	}
	if (b->encs.n >= UINT32_MAX - 1 || VEC_PUSH(b->mem, b->encs, e))
		return 0;
	return (uint32_t)b->encs.n;
}

int pt_add_diagnosis_link(struct pt_builder *b, uint64_t cond_key, uint32_t enc)
{
	struct diag_link l = { cond_key, enc };

	return VEC_PUSH(b->mem, b->links, l);
}

int pt_add_onset_age(struct pt_builder *b, uint32_t ev, double years, int32_t fallback_day, int fallback_partial)
{
	struct onset_age a = { ev, fallback_day, years, fallback_partial };

	return VEC_PUSH(b->mem, b->ages, a);
}

int pt_add_pending_med(struct pt_builder *b, uint32_t ev, uint64_t med_key, double daily_mg)
{
	struct pending_med m = { ev, med_key, daily_mg };

	return VEC_PUSH(b->mem, b->meds, m);
}

fls_status fhir_join_medication(struct fhir_join *j, uint64_t key, const struct codes_match *m)
{
	uint64_t *idx = fhir_map_get(&j->med_index, key);

	if (idx) {
		j->medications.v[*idx] = *m;
		return FLS_OK;
	}
	if (VEC_PUSH(j->mem, j->medications, *m) ||
	    fhir_map_put(&j->med_index, key, (uint64_t)(j->medications.n - 1)))
		return FLS_ENOMEM;
	return FLS_OK;
}

/* Resolve what could only be resolved with the whole patient in hand (clinical-rules 7.1). */
static void builder_resolve(struct fhir_join *j, struct pt_builder *b)
{
	struct risk_patient *p = &b->p;
	uint32_t i, n;

	/* Condition.onsetAge: birth date + age (7.1); without a birth date, the next candidate date. */
	for (size_t k = 0; k < b->ages.n; k++) {
		struct onset_age *a = &b->ages.v[k];
		struct risk_event *ev = &p->events[a->ev];

		if (p->birth_day != RISK_NO_DAY && a->years >= 0 && a->years < 200) {
			ev->day = risk_day_add_months(p->birth_day, (int)floor(a->years * 12.0 + 1e-9));
			if (p->birth_partial)
				ev->flags |= RISK_EV_PARTIAL_DATE;
		} else {
			ev->day = a->fallback;
			if (a->fallback_partial)
				ev->flags |= RISK_EV_PARTIAL_DATE;
		}
	}
	/* Encounter.diagnosis: the Condition joins that Encounter; an undated one takes the earliest
	 * referencing Encounter's period.start (7.1 "Encounter dating"). */
	for (size_t k = 0; k < b->links.n; k++) {
		const struct diag_link *l = &b->links.v[k];
		int32_t start = l->enc && l->enc <= b->encs.n ? b->encs.v[l->enc - 1].start : RISK_NO_DAY;

		for (size_t c = 0; c < b->conds.n; c++) {
			struct risk_event *ev;

			if (b->conds.v[c].key != l->cond_key)
				continue;
			ev = &p->events[b->conds.v[c].ev];
			if (!ev->encounter)
				ev->encounter = l->enc;
			if (start != RISK_NO_DAY &&
			    (ev->day == RISK_NO_DAY || ((ev->flags & RISK_EV_DATE_FROM_ENCOUNTER) && start < ev->day))) {
				ev->day = start;
				ev->flags |= RISK_EV_DATE_FROM_ENCOUNTER;
			}
		}
	}
	/* medicationReference: the Medication's codes, and the glucocorticoid dose from its ingredient. */
	for (size_t k = 0; k < b->meds.n; k++) {
		const struct pending_med *m = &b->meds.v[k];
		struct risk_event *ev = &p->events[m->ev];
		uint64_t *idx = fhir_map_get(&j->med_index, m->med_key);

		if (!idx) {
			ev->flags |= RISK_EV_MED_UNRESOLVED;
			p->notes |= RISK_NOTE_BIT(RISK_NOTE_MED_UNRESOLVED);
			continue;
		}
		ev->concepts = j->medications.v[*idx].concepts;
		ev->bone_months = j->medications.v[*idx].bone_months;
		if (j->medications.v[*idx].gc_pred_factor > 0 && !isnan(m->daily_mg))
			ev->dose_pred_mg = m->daily_mg * j->medications.v[*idx].gc_pred_factor;
		if (j->medications.v[*idx].flags & CODES_M_ICD10_CATEGORY)
			ev->flags |= RISK_EV_ICD10_CATEGORY;
	}
	/* Keep only events that name a concept; note what the reader saw. */
	for (i = 0, n = 0; i < p->n_events; i++) {
		if (!p->events[i].concepts)
			continue;
		if (p->events[i].flags & RISK_EV_PARTIAL_DATE)
			p->notes |= RISK_NOTE_BIT(RISK_NOTE_PARTIAL_DATE);
		if (p->events[i].flags & RISK_EV_ICD10_CATEGORY)
			p->notes |= RISK_NOTE_BIT(RISK_NOTE_ICD10_CATEGORY);
		p->events[n++] = p->events[i];
	}
	p->n_events = n;
	if (p->birth_partial)
		p->notes |= RISK_NOTE_BIT(RISK_NOTE_BIRTH_PARTIAL);
	if (!p->has_patient)
		p->notes |= RISK_NOTE_BIT(RISK_NOTE_NO_PATIENT);
	if (p->deceased)
		p->notes |= RISK_NOTE_BIT(RISK_NOTE_DECEASED);
}

/* Screen and free one builder; its keys now read as released. */
static fls_status builder_release(struct fhir_join *j, struct pt_builder *b)
{
	int stop = 0;

	held_unlink(j, b);
	for (size_t k = 0; k < b->keys.n; k++)
		fhir_map_put(&j->patients, b->keys.v[k], RELEASED); /* existing key: cannot fail */
	if (!j->stopped) {
		builder_resolve(j, b);
		stop = j->cfg.on_patient(j->cfg.ctx, &b->p);
		j->n_released++;
	}
	builder_free(j->mem, b);
	if (stop)
		j->stopped = 1;
	return j->stopped ? FLS_EABORT : FLS_OK;
}

/* Release every held builder except keep (NULL: all), in first-seen order. */
static fls_status release_all_but(struct fhir_join *j, struct pt_builder *keep)
{
	struct pt_builder *b = j->head, *next;
	fls_status st = FLS_OK;

	for (; b; b = next) {
		next = b->next;
		if (b == keep)
			continue;
		if ((st = builder_release(j, b)))
			return st;
	}
	return st;
}

static fls_status builder_new(struct fhir_join *j, uint64_t key, const char *key_text, struct pt_builder **out,
			      struct fls_diag *d)
{
	struct pt_builder *b;
	const char *id = key_text;
	size_t n;

	if (j->n_held >= j->cfg.max_held_patients)
		return fls_diag_set(d, FLS_ELIMIT,
				    "more than %llu patients held at once: the input is not grouped by patient; "
				    "raise max_held_patients or sort the input",
				    (unsigned long long)j->cfg.max_held_patients);
	if (!(b = fls_calloc(j->mem, 1, sizeof(*b))))
		return FLS_ENOMEM;
	b->mem = j->mem;
	b->p.birth_day = b->p.deceased_day = RISK_NO_DAY;
	if (!strncmp(id, "Patient/", 8))
		id += 8;
	n = strlen(id);
	if (n > RISK_ID_MAX)
		n = RISK_ID_MAX;
	memcpy(b->p.id, id, n);
	if (VEC_PUSH(j->mem, b->keys, key) || fhir_map_put(&j->patients, key, (uint64_t)(uintptr_t)b)) {
		builder_free(j->mem, b);
		return FLS_ENOMEM;
	}
	b->prev = j->tail;
	if (j->tail)
		j->tail->next = b;
	else
		j->head = b;
	j->tail = b;
	j->n_held++;
	*out = b;
	return FLS_OK;
}

/* A resource of patient b arrives; existed says whether b was known before it. */
static fls_status join_switch(struct fhir_join *j, struct pt_builder *b, int existed)
{
	struct pt_builder *prev = j->current;

	if (b == prev)
		return FLS_OK;
	j->current = b;
	switch (j->mode) {
	case MODE_UNDECIDED:
		if (existed) {
			j->mode = MODE_HOLD; /* back to an earlier patient: not grouped */
		} else if (prev && prev->p.has_patient && prev->n_clinical > 0) {
			j->mode = MODE_CONTIGUOUS;
			return release_all_but(j, b);
		}
		return FLS_OK;
	case MODE_CONTIGUOUS:
		return prev ? builder_release(j, prev) : FLS_OK;
	case MODE_HOLD:
		break;
	}
	return FLS_OK;
}

static fls_status count_resource(struct fhir_join *j, struct pt_builder *b, int clinical, struct fls_diag *d)
{
	if (b->n_resources >= j->cfg.max_resources_per_patient) {
		/* The decision will rest on part of the record: say so on it, not only in the problem report. */
		b->p.notes |= RISK_NOTE_BIT(RISK_NOTE_RECORD_TRUNCATED);
		return fls_diag_set(d, FLS_ELIMIT, "patient has more than %u resources (max_resources_per_patient)",
				    j->cfg.max_resources_per_patient);
	}
	b->n_resources++;
	b->n_clinical += clinical != 0;
	return FLS_OK;
}

static fls_status late(struct fls_diag *d)
{
	return fls_diag_set(d, FLS_EINVAL,
			    "resource refers to a patient already screened: the input is not grouped by patient "
			    "(screen it with order=any)");
}

fls_status fhir_join_builder(struct fhir_join *j, uint64_t key, const char *key_text, int clinical,
			     struct pt_builder **out, struct fls_diag *d)
{
	uint64_t *v = fhir_map_get(&j->patients, key);
	struct pt_builder *b;
	fls_status st;
	int existed = v != NULL;

	*out = NULL;
	if (j->stopped)
		return FLS_EABORT;
	if (v && *v == RELEASED)
		return late(d);
	if (v)
		b = (struct pt_builder *)(uintptr_t)*v;
	else if ((st = builder_new(j, key, key_text, &b, d)))
		return st;
	if ((st = count_resource(j, b, clinical, d)) || (st = join_switch(j, b, existed)))
		return st;
	*out = b;
	return FLS_OK;
}

/* Move everything of src into dst (one patient reached under two keys before its Patient resource). */
static fls_status builder_merge(struct fhir_join *j, struct pt_builder *dst, struct pt_builder *src)
{
	uint32_t base = dst->p.n_events;
	uint32_t *enc_map = NULL;
	fls_status st = FLS_ENOMEM;

	if (src->encs.n && !(enc_map = fls_calloc(j->mem, src->encs.n + 1, sizeof(*enc_map))))
		return FLS_ENOMEM;
	for (size_t i = 0; i < src->encs.n; i++)
		if (!(enc_map[i + 1] = pt_encounter(dst, src->encs.v[i].key, src->encs.v[i].key2, src->encs.v[i].start)))
			goto out;
	for (uint32_t i = 0; i < src->p.n_events; i++) {
		struct risk_event ev = src->p.events[i];

		if (ev.encounter && ev.encounter <= src->encs.n)
			ev.encounter = enc_map[ev.encounter];
		if (pt_add_event(dst, &ev) < 0)
			goto out;
	}
	for (size_t i = 0; i < src->conds.n; i++)
		if (pt_add_condition_key(dst, src->conds.v[i].key, src->conds.v[i].ev + base))
			goto out;
	for (size_t i = 0; i < src->links.n; i++)
		if (pt_add_diagnosis_link(dst, src->links.v[i].cond_key,
					  src->links.v[i].enc <= src->encs.n ? enc_map[src->links.v[i].enc] : 0))
			goto out;
	for (size_t i = 0; i < src->ages.n; i++)
		if (pt_add_onset_age(dst, src->ages.v[i].ev + base, src->ages.v[i].years, src->ages.v[i].fallback,
				     src->ages.v[i].fallback_partial))
			goto out;
	for (size_t i = 0; i < src->meds.n; i++)
		if (pt_add_pending_med(dst, src->meds.v[i].ev + base, src->meds.v[i].med_key, src->meds.v[i].daily_mg))
			goto out;
	for (size_t i = 0; i < src->keys.n; i++)
		if (VEC_PUSH(j->mem, dst->keys, src->keys.v[i]) ||
		    fhir_map_put(&j->patients, src->keys.v[i], (uint64_t)(uintptr_t)dst))
			goto out;
	dst->p.notes |= src->p.notes;
	dst->n_resources += src->n_resources;
	dst->n_clinical += src->n_clinical;
	held_unlink(j, src);
	builder_free(j->mem, src);
	st = FLS_OK;
out:
	fls_free(j->mem, enc_map);
	return st;
}

fls_status fhir_join_patient(struct fhir_join *j, const uint64_t keys[FHIR_PATIENT_KEYS], const char *key_text,
			     struct pt_builder **out, struct fls_diag *d)
{
	struct pt_builder *b[FHIR_PATIENT_KEYS] = { NULL }, *keep = NULL;
	int existed = 0, first = -1;
	fls_status st;

	*out = NULL;
	if (j->stopped)
		return FLS_EABORT;
	for (int k = 0; k < FHIR_PATIENT_KEYS; k++) {
		uint64_t *v = keys[k] ? fhir_map_get(&j->patients, keys[k]) : NULL;

		if (v && *v == RELEASED)
			return late(d);
		if (v) {
			b[k] = (struct pt_builder *)(uintptr_t)*v;
			existed = 1;
			if (!keep)
				keep = b[k];
		}
	}
	/* One patient reached under several keys before its Patient resource: one builder from now on. */
	for (int k = 0; k < FHIR_PATIENT_KEYS; k++) {
		if (!b[k] || b[k] == keep)
			continue;
		if (j->current == b[k])
			j->current = keep;
		{
			struct pt_builder *gone = b[k];

			if ((st = builder_merge(j, keep, gone)))
				return st;
			for (int m = k; m < FHIR_PATIENT_KEYS; m++)
				if (b[m] == gone)
					b[m] = keep;
		}
	}
	if (!keep) {
		for (int k = 0; k < FHIR_PATIENT_KEYS && first < 0; k++)
			if (keys[k])
				first = k;
		if (first < 0 || (st = builder_new(j, keys[first], key_text, &keep, d)))
			return first < 0 ? FLS_EINVAL : st;
	}
	for (int k = 0; k < FHIR_PATIENT_KEYS; k++) {
		if (!keys[k] || fhir_map_get(&j->patients, keys[k]))
			continue;
		if (VEC_PUSH(j->mem, keep->keys, keys[k]) ||
		    fhir_map_put(&j->patients, keys[k], (uint64_t)(uintptr_t)keep))
			return FLS_ENOMEM;
	}
	if ((st = count_resource(j, keep, 0, d)) || (st = join_switch(j, keep, existed)))
		return st;
	*out = keep;
	return FLS_OK;
}

fls_status fhir_join_finish(struct fhir_join *j, struct fls_diag *d)
{
	(void)d;
	if (j->stopped)
		return FLS_EABORT;
	return release_all_but(j, NULL);
}

uint64_t fhir_join_released(const struct fhir_join *j)
{
	return j->n_released;
}
