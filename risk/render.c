/*
 * Text renderings of a decision shared by every output. Pure string building into bounded buffers:
 * the same decision always renders the same bytes, whatever the host's locale.
 */
#include "risk/render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "risk/day.h"

const char *risk_render_priority(int priority)
{
	switch (priority) {
	case 1: return "P1";
	case 2: return "P2";
	case 3: return "P3";
	default: return "none";
	}
}

const char *risk_render_sex(int sex)
{
	switch (sex) {
	case RISK_SEX_FEMALE: return "female";
	case RISK_SEX_MALE: return "male";
	case RISK_SEX_OTHER: return "other";
	default: return "unknown";
	}
}

const char *risk_render_yesno(int flag)
{
	return flag ? "yes" : "no";
}

const char *risk_render_score_status(int status)
{
	switch (status) {
	case RISK_SCORE_OK: return "ok";
	case RISK_SCORE_NO_AGE: return "no birth date";
	case RISK_SCORE_AGE_RANGE: return "age outside 30-100";
	case RISK_SCORE_NO_SEX: return "sex not female or male";
	case RISK_SCORE_NO_BMI: return "no BMI";
	case RISK_SCORE_REJECTED: return "rejected";
	case RISK_SCORE_NO_MODEL: return "no model";
	default: return "unknown";
	}
}

/* Join the ids of the set bits with '|'; id_of maps a bit number to its id. */
static fls_status render_ids(struct fls_buf *b, uint64_t mask, int count, const char *(*id_of)(int))
{
	fls_status st = FLS_OK;
	int first = 1;

	for (int i = 0; i < count && i < 64 && !st; i++) {
		if (!(mask & ((uint64_t)1 << i)))
			continue;
		if (!first)
			st = fls_buf_append(b, "|", 1);
		if (!st)
			st = fls_buf_puts(b, id_of(i));
		first = 0;
	}
	return st;
}

fls_status risk_render_fls_reasons(struct fls_buf *b, uint32_t mask)
{
	return render_ids(b, mask, RISK_FLS__COUNT, risk_fls_rule_id);
}

fls_status risk_render_falls_reasons(struct fls_buf *b, uint32_t mask)
{
	return render_ids(b, mask, RISK_FALL__COUNT, risk_fall_rule_id);
}

fls_status risk_render_notes(struct fls_buf *b, uint64_t mask)
{
	return render_ids(b, mask, RISK_NOTE__COUNT, risk_note_id);
}

fls_status risk_render_risk_status(struct fls_buf *b, const struct risk_decision *d)
{
	if (d->score_status == RISK_SCORE_REJECTED && d->score_why[0]) {
		/* score_why is a fixed array filled by snprintf; bound the read anyway */
		size_t n = strnlen(d->score_why, sizeof(d->score_why));

		fls_status st = fls_buf_puts(b, "rejected: ");

		return st ? st : fls_buf_append(b, d->score_why, n);
	}
	return fls_buf_puts(b, risk_render_score_status(d->score_status));
}

fls_status risk_render_explanation(struct fls_buf *b, const struct risk_decision *d)
{
	fls_status st = FLS_OK;

	for (int i = 0; i < RISK_FLS__COUNT && !st; i++)
		if (d->fls_reasons & (1u << i))
			st = fls_buf_printf(b, "%s: %s [%s]\n", risk_fls_rule_id(i), risk_fls_rule_text(i),
					    risk_fls_rule_source(i));
	for (int i = 0; i < RISK_FALL__COUNT && !st; i++)
		if (d->falls_reasons & (1u << i))
			st = fls_buf_printf(b, "%s: %s [%s]\n", risk_fall_rule_id(i), risk_fall_rule_text(i),
					    risk_fall_rule_source(i));
	for (int i = 0; i < RISK_NOTE__COUNT && !st; i++)
		if (d->notes & RISK_NOTE_BIT(i))
			st = fls_buf_printf(b, "%s: %s\n", risk_note_id(i), risk_note_text(i));
	if (!st && d->score_status != RISK_SCORE_OK) {
		st = fls_buf_puts(b, "No fracture risk score: ");
		if (!st)
			st = risk_render_risk_status(b, d);
		if (!st)
			st = fls_buf_append(b, "\n", 1);
	}
	return st;
}

fls_status risk_render_qf_inputs(struct fls_buf *b, const struct qf_inputs *in)
{
	/* The flags in the order of struct qf_inputs (qfracture-reference.md §5 names). */
	const struct {
		const char *name;
		int on;
	} flags[] = {
		{ "b_antidepressant", in->b_antidepressant }, { "b_anycancer", in->b_anycancer },
		{ "b_asthmacopd", in->b_asthmacopd }, { "b_carehome", in->b_carehome },
		{ "b_corticosteroids", in->b_corticosteroids }, { "b_cvd", in->b_cvd },
		{ "b_dementia", in->b_dementia }, { "b_endocrine", in->b_endocrine },
		{ "b_epilepsy2", in->b_epilepsy2 }, { "b_falls", in->b_falls },
		{ "b_fracture4", in->b_fracture4 }, { "b_hrt_oest", in->b_hrt_oest }, { "b_liver", in->b_liver },
		{ "b_malabsorption", in->b_malabsorption }, { "b_parkinsons", in->b_parkinsons },
		{ "b_ra_sle", in->b_ra_sle }, { "b_renal", in->b_renal }, { "b_type1", in->b_type1 },
		{ "b_type2", in->b_type2 }, { "fh_osteoporosis", in->fh_osteoporosis },
	};
	char bmi[32];
	fls_status st;
	int any = 0;

	if (risk_render_decimal(bmi, sizeof(bmi), in->bmi, 4) < 0)
		memcpy(bmi, "?", 2);
	st = fls_buf_printf(b, "sex %s; age %d; BMI %s kg/m2; ethnicity group %d; smoking category %d; "
			    "alcohol category %d; risk factors: ", risk_render_sex(in->sex), in->age, bmi,
			    in->ethrisk, in->smoke_cat, in->alcohol_cat6);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]) && !st; i++) {
		if (!flags[i].on)
			continue;
		st = fls_buf_printf(b, "%s%s", any ? ", " : "", flags[i].name);
		any = 1;
	}
	if (!st && !any)
		st = fls_buf_puts(b, "none");
	return st;
}

/* Append c to out[*o] if it fits with a NUL after it. */
static int put_char(char *out, size_t cap, size_t *o, char c)
{
	if (*o + 1 >= cap)
		return -1;
	out[(*o)++] = c;
	return 0;
}

int risk_render_decimal(char *out, size_t cap, double v, int sig)
{
	char tmp[64], dig[17];
	const char *s;
	size_t o = 0;
	int n, nd = 0, exp10 = 0, eneg = 0, bad = 0;

	if (!cap)
		return -1;
	out[0] = '\0';
	if (!isfinite(v) || sig < 1 || sig > 17)
		return -1;
	if (v == 0.0) {   /* also -0.0: FHIR and CSV readers want "0" */
		if (cap < 2)
			return -1;
		memcpy(out, "0", 2);
		return 1;
	}
	n = snprintf(tmp, sizeof(tmp), "%.*e", sig - 1, v);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	s = tmp;
	if (*s == '-') {
		bad |= put_char(out, cap, &o, '-');
		s++;
	}
	/* Mantissa digits; whatever the locale uses as the decimal point (possibly several bytes, never
	 * an ASCII digit or 'e') is skipped. */
	for (; *s && *s != 'e' && *s != 'E'; s++)
		if (*s >= '0' && *s <= '9' && nd < (int)sizeof(dig))
			dig[nd++] = *s;
	if (!nd || !*s) {
		out[0] = '\0';
		return -1;
	}
	s++;
	if (*s == '-' || *s == '+')
		eneg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++)
		if (exp10 < 10000)
			exp10 = exp10 * 10 + (*s - '0');
	if (eneg)
		exp10 = -exp10;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	/* The value is dig[0].dig[1..nd) x 10^exp10. */
	if (exp10 >= 0) {
		for (int i = 0; i <= exp10; i++)
			bad |= put_char(out, cap, &o, i < nd ? dig[i] : '0');
		if (nd > exp10 + 1) {
			bad |= put_char(out, cap, &o, '.');
			for (int i = exp10 + 1; i < nd; i++)
				bad |= put_char(out, cap, &o, dig[i]);
		}
	} else {
		bad |= put_char(out, cap, &o, '0');
		bad |= put_char(out, cap, &o, '.');
		for (int i = 0; i < -exp10 - 1 && !bad; i++)
			bad |= put_char(out, cap, &o, '0');
		for (int i = 0; i < nd; i++)
			bad |= put_char(out, cap, &o, dig[i]);
	}
	if (bad) {
		out[0] = '\0';
		return -1;
	}
	out[o] = '\0';
	return (int)o;
}

static const char *or_none(const char *s)
{
	return s && *s ? s : "none";
}

fls_status risk_render_provenance(struct fls_buf *b, const char *lib_version, const char *model_version,
				  const char *codes_version, int32_t as_of, const char *disclaimer)
{
	char day[11] = "unknown";

	if (as_of != RISK_NO_DAY)
		risk_day_format(as_of, day);
	return fls_buf_printf(b, "library version: %s\nmodel version: %s\ncode-set version: %s\nas-of date: %s\n"
			      "disclaimer: %s\n", or_none(lib_version), or_none(model_version),
			      or_none(codes_version), day, or_none(disclaimer));
}
