#include "plugin/result.h"

#include <math.h>
#include <string.h>

#include "fls_config.h"
#include "plugin/session.h"
#include "risk/facts_text.h"
#include "risk/render.h"

static const char *site_name(int site)
{
	static const char *const names[] = { NULL, "hip", "vertebral", "pelvis", "humerus", "wrist", "other", "unspecified" };

	return site > 0 && site < (int)(sizeof(names) / sizeof(names[0])) ? names[site] : NULL;
}

/* Start field f at the buffer's end; the caller appends its text, then the NUL separator follows. */
static int field_begin(struct fls_result *res, struct fls_buf *b, fls_field f)
{
	if (b->len > INT32_MAX)
		return -1;
	res->off[f] = (int32_t)b->len;
	return 0;
}

static fls_status field_end(struct fls_buf *b)
{
	return fls_buf_append(b, "", 1); /* keeps the NUL inside len: fields are NUL-separated */
}

static fls_status put(struct fls_result *res, struct fls_buf *b, fls_field f, const char *s)
{
	fls_status st;

	if (!s)
		return FLS_OK;
	if (field_begin(res, b, f))
		return FLS_ELIMIT;
	if ((st = fls_buf_puts(b, s)))
		return st;
	return field_end(b);
}

fls_status plg_result_build(struct fls_result *res, struct fls_buf *b, struct plg_lazy *lazy,
			    const struct fls_session *sess, const struct risk_patient *p, const struct risk_decision *d,
			    const char *label)
{
	char day[11];
	fls_status st = FLS_OK;

	memset(res, 0, sizeof(*res));
	res->facts = *p;
	res->dec = *d;
	for (int i = 0; i < PLG_FIELD_COUNT; i++)
		res->off[i] = -1;
	fls_buf_reset(b);
	res->lazy = lazy;
	if (lazy) {
		lazy->have_facts = lazy->have_expl = 0;
		fls_buf_reset(&lazy->facts);
		fls_buf_reset(&lazy->expl);
	}

#define TRY(x) do { if ((st = (x)) != FLS_OK) return st; } while (0)
	TRY(put(res, b, FLS_F_PATIENT_ID, p->id));
	TRY(put(res, b, FLS_F_NHS_NUMBER, p->nhs_number[0] ? p->nhs_number : NULL));
	risk_day_format(p->birth_day, day);
	TRY(put(res, b, FLS_F_BIRTH_DATE, day[0] ? day : NULL));
	TRY(put(res, b, FLS_F_SEX, risk_render_sex(p->sex)));
	TRY(put(res, b, FLS_F_FLS_PRIORITY, risk_render_priority(d->priority)));
	if (field_begin(res, b, FLS_F_FLS_REASONS))
		return FLS_ELIMIT;
	TRY(risk_render_fls_reasons(b, d->fls_reasons));
	TRY(field_end(b));
	TRY(put(res, b, FLS_F_FALLS_POPULATION, risk_render_yesno(d->falls_population)));
	TRY(put(res, b, FLS_F_FALLS_REFERRAL, risk_render_yesno(d->falls_referral)));
	if (field_begin(res, b, FLS_F_FALLS_REASONS))
		return FLS_ELIMIT;
	TRY(risk_render_falls_reasons(b, d->falls_reasons));
	TRY(field_end(b));
	if (field_begin(res, b, FLS_F_RISK_STATUS))
		return FLS_ELIMIT;
	TRY(risk_render_risk_status(b, d));
	TRY(field_end(b));
	if (field_begin(res, b, FLS_F_NOTES))
		return FLS_ELIMIT;
	TRY(risk_render_notes(b, d->notes));
	TRY(field_end(b));
	TRY(put(res, b, FLS_F_LIB_VERSION, FLS_VERSION));
	TRY(put(res, b, FLS_F_MODEL_VERSION, sess->model ? qf_model_version(sess->model) : "none"));
	TRY(put(res, b, FLS_F_CODES_VERSION, sess->codes ? codes_version(sess->codes) : "none"));
	TRY(put(res, b, FLS_F_AS_OF, sess->as_of_text));
	TRY(put(res, b, FLS_F_DISCLAIMER, QF_DISCLAIMER));
	risk_day_format(d->index_day, day);
	TRY(put(res, b, FLS_F_INDEX_FRACTURE_DATE, day[0] ? day : NULL));
	TRY(put(res, b, FLS_F_INDEX_FRACTURE_SITE, site_name(d->index_site)));
	TRY(put(res, b, FLS_F_SOURCE, label ? label : ""));
	if (!lazy) {
		if (field_begin(res, b, FLS_F_EXPLANATION))
			return FLS_ELIMIT;
		TRY(risk_render_explanation(b, d));
		TRY(field_end(b));
		if (field_begin(res, b, FLS_F_FACTS))
			return FLS_ELIMIT;
		TRY(risk_facts_text(b, p));
		TRY(field_end(b));
	}
#undef TRY
	res->text = b->p;
	res->text_len = b->len;
	return FLS_OK;
}

/* A lazy field of a borrowed result, rendered on first request (NULL if it cannot be). */
static const char *lazy_str(const fls_result *res, fls_field field)
{
	struct plg_lazy *z = res->lazy;

	if (!z)
		return NULL;
	if (field == FLS_F_FACTS) {
		if (!z->have_facts && risk_facts_text(&z->facts, &res->facts) != FLS_OK)
			return NULL;
		z->have_facts = 1;
		return fls_buf_str(&z->facts);
	}
	if (field == FLS_F_EXPLANATION) {
		if (!z->have_expl && risk_render_explanation(&z->expl, &res->dec) != FLS_OK)
			return NULL;
		z->have_expl = 1;
		return fls_buf_str(&z->expl);
	}
	return NULL;
}

const char *plg_result_str(const fls_result *res, fls_field field)
{
	if (!res || (int)field < 0 || (int)field >= PLG_FIELD_COUNT)
		return NULL;
	if (res->off[field] < 0)
		return lazy_str(res, field);
	return res->text + res->off[field];
}

fls_status plg_result_num(const fls_result *res, fls_field field, double *out)
{
	if (!res || !out)
		return FLS_EINVAL;
	switch (field) {
	case FLS_F_AGE:
		if (res->dec.age < 0)
			return FLS_EINVAL;
		*out = res->dec.age;
		return FLS_OK;
	case FLS_F_MOF10:
	case FLS_F_HIP10:
		if (res->dec.score_status != RISK_SCORE_OK)
			return FLS_EINVAL;
		*out = field == FLS_F_MOF10 ? res->dec.mof10 : res->dec.hip10;
		return isfinite(*out) ? FLS_OK : FLS_EINVAL;
	default:
		return FLS_EINVAL;
	}
}

fls_status plg_result_copy(fls_result **out, const fls_session *sess, const fls_result *res)
{
	const struct fls_mem *mem = sess ? &sess->mem : &fls_mem_libc;
	const char *facts = NULL, *expl = NULL;
	size_t text_len, fl = 0, el = 0;
	fls_result *c;

	if (!out)
		return FLS_EINVAL;
	*out = NULL;
	if (!res)
		return FLS_EINVAL;
	/* A copy is immutable (readable from several threads at once): render the lazy fields now. */
	if (res->lazy) {
		if (!(facts = plg_result_str(res, FLS_F_FACTS)) || !(expl = plg_result_str(res, FLS_F_EXPLANATION)))
			return FLS_ENOMEM;
		fl = strlen(facts) + 1;
		el = strlen(expl) + 1;
	}
	if (__builtin_add_overflow(res->text_len, fl + el, &text_len) || text_len > INT32_MAX)
		return FLS_ELIMIT;
	if (!(c = fls_malloc(mem, sizeof(*c))))
		return FLS_ENOMEM;
	*c = *res;
	c->mem = *mem;
	c->owned = 1;
	c->lazy = NULL;
	c->facts.events = NULL;
	c->facts.cap_events = res->facts.n_events;
	c->text = NULL;
	if ((res->facts.n_events &&
	     !(c->facts.events = fls_calloc(mem, res->facts.n_events, sizeof(*c->facts.events)))) ||
	    !(c->text = fls_malloc(mem, text_len ? text_len : 1))) {
		plg_result_free(c);
		return FLS_ENOMEM;
	}
	if (res->facts.n_events)
		memcpy(c->facts.events, res->facts.events, res->facts.n_events * sizeof(*c->facts.events));
	if (res->text_len)
		memcpy(c->text, res->text, res->text_len);
	if (res->lazy) {
		memcpy(c->text + res->text_len, facts, fl);
		c->off[FLS_F_FACTS] = (int32_t)res->text_len;
		memcpy(c->text + res->text_len + fl, expl, el);
		c->off[FLS_F_EXPLANATION] = (int32_t)(res->text_len + fl);
	}
	c->text_len = text_len;
	*out = c;
	return FLS_OK;
}

void plg_result_free(fls_result *res)
{
	struct fls_mem mem;

	if (!res || !res->owned)
		return;
	mem = res->mem;
	fls_free(&mem, res->facts.events);
	fls_free(&mem, res->text);
	fls_free(&mem, res);
}

const struct risk_patient *plg_result_facts(const fls_result *res)
{
	return &res->facts;
}

const struct risk_decision *plg_result_decision(const fls_result *res)
{
	return &res->dec;
}
