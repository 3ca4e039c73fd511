/*
 * Facts to QFracture-2012 inputs (clinical-rules §6, 7.1, 7.2; the missing-data policy of
 * docs/decisions.md). The reference has no missing-value codes, so every gap is filled by a stated
 * policy and flagged with a data-quality note, or else there is no score and score_status says why.
 * Every choice here that is ours rather than the guidance's is listed, with its reason, in
 * docs/decisions.md; the comments only point at it.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "codes/concepts.h"
#include "risk/decision.h"

#define CB(c) CONCEPT_BIT(CONCEPT_##c)

/* Look-backs in days before as-of, both ends included (clinical-rules 7.1 "Day counts", 7.6). */
#define QF_MED_WINDOW 183       /* "6 months": antidepressant, corticosteroid, anticonvulsant, HRT */
#define QF_CAREHOME_WINDOW 730  /* 7.4 residence: a care_home code 0-730 days before as-of */
#define QF_FRACTURE_MIN_AGE 50  /* D2: age at the fracture at least 50 */

#define QF_AGE_MIN 30
#define QF_AGE_MAX 100
#define QF_BMI_MIN 20.0
#define QF_BMI_MAX 40.0

/* Plausibility of the numbers a BMI is taken or derived from (docs/decisions.md "BMI"). */
#define QF_BMI_REC_MIN 5.0
#define QF_BMI_REC_MAX 250.0
#define QF_WEIGHT_MIN_KG 20.0
#define QF_WEIGHT_MAX_KG 400.0
#define QF_HEIGHT_MIN_M 1.0
#define QF_HEIGHT_MAX_M 2.5

/* Concepts whose records this mapping reads from the patient's own clinical (non-medication) data. */
#define QF_CLINICAL_MASK \
	(CB(ASTHMA) | CB(COPD) | CB(CANCER) | CB(CARDIOVASCULAR_DISEASE) | CB(DEMENTIA) | CB(ENDOCRINE) | \
	 CB(EPILEPSY) | CB(LIVER_DISEASE) | CB(MALABSORPTION) | CB(PARKINSONS) | \
	 CB(RHEUMATOID_ARTHRITIS) | CB(SLE) | CB(CKD_STAGE4_5) | CB(DIABETES_TYPE1) | CB(DIABETES_TYPE2) | \
	 CB(FALLS) | CB(FALLS_RECURRENT) | CB(CARE_HOME) | QF_FRACTURE4_MASK | CB(FRACTURE_HISTORY) | \
	 QF_SMOKING_MASK | CB(SMOKING_STATUS_OBSERVABLE) | QF_ALCOHOL_MASK | \
	 CB(ALCOHOL_INTAKE_OBSERVABLE) | CB(BMI) | CB(BODY_WEIGHT) | CB(BODY_HEIGHT))

/* ... and from medication records. */
#define QF_MED_MASK \
	(CB(ANTIDEPRESSANT) | CB(ANTICONVULSANT) | CB(GLUCOCORTICOID_ORAL) | CB(HRT_OESTROGEN_ONLY))

/* The four sites of QFracture's "osteoporotic fracture" (hip, spine, wrist, shoulder). */
#define QF_FRACTURE4_MASK \
	(CB(FRACTURE_HIP) | CB(FRACTURE_VERTEBRAL) | CB(FRACTURE_WRIST_DISTAL_RADIUS) | \
	 CB(FRACTURE_PROXIMAL_HUMERUS))

#define QF_SMOKING_MASK (CB(SMOKING_NEVER) | CB(SMOKING_EX) | CB(SMOKING_CURRENT) | CB(SMOKING_NOT_CURRENT))
#define QF_ALCOHOL_MASK \
	(CB(ALCOHOL_NON_DRINKER) | CB(ALCOHOL_LIGHT_DRINKER) | CB(ALCOHOL_MODERATE_DRINKER) | \
	 CB(ALCOHOL_HEAVY_DRINKER))

/* Smoking statuses, ranked for same-day ties: the record admitting more smoking wins. */
enum { SMK_NONE = -1, SMK_NEVER = 0, SMK_NOT_CURRENT = 1, SMK_EX = 2, SMK_CURRENT = 3 };

struct qf_scan {
	int32_t as_of, birth;
	uint64_t notes;
	uint64_t ever;                 /* clinical concepts recorded on or before as-of */
	int carehome, fracture4, fh;
	int n_antidep, n_gc;           /* issues in the 183-day window */
	int anticonv, hrt;             /* any use in the 183-day window */
	/* BMI */
	int32_t bmi_day, wt_day, ht_day;
	double bmi, wt_kg, ht_m;
	/* smoking */
	int32_t smk_day, smk_off_day;  /* latest status; latest non-current status */
	int smk;
	/* alcohol */
	int32_t alc_day;
	int alc;
};

static int is_med(const struct risk_event *ev)
{
	return ev->src == RISK_SRC_MED_REQUEST || ev->src == RISK_SRC_MED_STATEMENT ||
	       ev->src == RISK_SRC_MED_DISPENSE;
}

/* 0 <= as_of - day <= window (clinical-rules 7.1 "Day counts"). */
static int within(int32_t day, int32_t as_of, int64_t window)
{
	int64_t diff = (int64_t)as_of - day;

	return day != RISK_NO_DAY && diff >= 0 && diff <= window;
}

/* A medication record in use at some time in the window: its issue date in it, or (for a
 * MedicationStatement period) its coverage start..end (open = to as-of) overlapping it. */
static int used_within(const struct risk_event *ev, int32_t as_of, int64_t window)
{
	if (within(ev->day, as_of, window))
		return 1;
	return (ev->flags & RISK_EV_PERIOD) && ev->day != RISK_NO_DAY && ev->day <= as_of &&
	       (ev->end_day == RISK_NO_DAY || (int64_t)ev->end_day >= (int64_t)as_of - window);
}

/* UK Core / NHS Data Dictionary ethnic category (2001 letters) to the QFracture ethrisk groups. */
static int ethrisk_of(const char *code, int *stated)
{
	char c;

	*stated = 0;
	if (!code || !code[0] || code[1])
		return 1;
	c = code[0];
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	*stated = 1;
	switch (c) {
	case 'A': case 'B': case 'C':
		return 1;                 /* White British, Irish, any other White */
	case 'H':
		return 2;                 /* Indian */
	case 'J':
		return 3;                 /* Pakistani */
	case 'K':
		return 4;                 /* Bangladeshi */
	case 'L':
		return 5;                 /* any other Asian background */
	case 'M':
		return 6;                 /* Caribbean */
	case 'N':
		return 7;                 /* African */
	case 'R':
		return 8;                 /* Chinese */
	case 'D': case 'E': case 'F': case 'G': /* mixed */
	case 'P':                                /* any other Black background */
	case 'S':                                /* any other ethnic group */
		return 9;
	default:                                 /* Z not stated, and anything unknown */
		*stated = 0;
		return 1;
	}
}

/* Alcohol units per day to alcohol_cat6 (docs/decisions.md "Alcohol": "a-b" read as [a, b+1); >9). */
static int alcohol_level(double per_day)
{
	if (per_day == 0.0)
		return 0;
	if (per_day < 1.0)
		return 1;
	if (per_day < 3.0)
		return 2;
	if (per_day < 7.0)
		return 3;
	if (per_day <= 9.0)
		return 4;
	return 5;
}

/* Cigarettes per day (> 0) to smoke_cat 2/3/4: 1-9, 10-19, 20+ (below 10 is light). */
static int smoke_level(double per_day)
{
	return per_day < 10.0 ? 2 : per_day < 20.0 ? 3 : 4;
}

static double weight_kg(double v, int unit)
{
	switch (unit) {
	case RISK_UNIT_KG:
		return v;
	case RISK_UNIT_G:
		return v / 1000.0;
	case RISK_UNIT_LB:
		return v * 0.45359237;
	default:
		return NAN;
	}
}

static double height_m(double v, int unit)
{
	switch (unit) {
	case RISK_UNIT_CM:
		return v / 100.0;
	case RISK_UNIT_M:
		return v;
	case RISK_UNIT_MM:
		return v / 1000.0;
	case RISK_UNIT_IN:
		return v * 0.0254;
	default:
		return NAN;
	}
}

/* A numeric observation value that is not a coded one. */
static int has_number(const struct risk_event *ev)
{
	return !(ev->flags & (RISK_EV_VALUE_CODED | RISK_EV_VALUE_BAD)) && isfinite(ev->value);
}

/* Cigarettes per day carried by a smoking record, or -1 when it carries none. */
static double smoking_amount(const struct risk_event *ev)
{
	if (!(ev->concepts & (QF_SMOKING_MASK | CB(SMOKING_STATUS_OBSERVABLE))) || !has_number(ev) ||
	    ev->unit != RISK_UNIT_PER_DAY || ev->value < 0.0)
		return -1.0;
	return ev->value;
}

static void take_latest(int32_t *best_day, double *best, int32_t day, double v, int lowest_on_tie)
{
	if (*best_day == RISK_NO_DAY || day > *best_day ||
	    (day == *best_day && (lowest_on_tie ? v < *best : v > *best))) {
		*best_day = day;
		*best = v;
	}
}

static void scan_smoking(struct qf_scan *s, const struct risk_event *ev)
{
	double amount = smoking_amount(ev);
	int st = SMK_NONE;

	if (amount >= 0.0) {
		st = amount > 0.0 ? SMK_CURRENT : SMK_NOT_CURRENT;
	} else if (!has_number(ev)) {
		/* A coded status. Valued observables in the smoking lists (pack-years, age started...) are
		 * quantities, not statuses, unless they are per-day amounts (above). */
		if (ev->concepts & CB(SMOKING_CURRENT))
			st = SMK_CURRENT;
		else if (ev->concepts & CB(SMOKING_EX))
			st = SMK_EX;
		else if (ev->concepts & CB(SMOKING_NOT_CURRENT))
			st = SMK_NOT_CURRENT;
		else if (ev->concepts & CB(SMOKING_NEVER))
			st = SMK_NEVER;
	}
	if (st == SMK_NONE)
		return;
	if (s->smk_day == RISK_NO_DAY || ev->day > s->smk_day || (ev->day == s->smk_day && st > s->smk)) {
		s->smk_day = ev->day;
		s->smk = st;
	}
	if (st != SMK_CURRENT && (s->smk_off_day == RISK_NO_DAY || ev->day > s->smk_off_day))
		s->smk_off_day = ev->day;
}

static void scan_alcohol(struct qf_scan *s, const struct risk_event *ev)
{
	int lvl = -1;

	if ((ev->concepts & CB(ALCOHOL_INTAKE_OBSERVABLE)) && has_number(ev) && ev->value >= 0.0) {
		/* Only unit counts: an AUDIT-C score (no unit) or any other unit is not units of alcohol. */
		if (ev->unit == RISK_UNIT_PER_DAY)
			lvl = alcohol_level(ev->value);
		else if (ev->unit == RISK_UNIT_PER_WEEK)
			lvl = alcohol_level(ev->value / 7.0);
	} else if (!has_number(ev)) {
		if (ev->concepts & CB(ALCOHOL_HEAVY_DRINKER))
			lvl = 4;
		else if (ev->concepts & CB(ALCOHOL_MODERATE_DRINKER))
			lvl = 3;
		else if (ev->concepts & CB(ALCOHOL_LIGHT_DRINKER))
			lvl = 2;
		else if (ev->concepts & CB(ALCOHOL_NON_DRINKER))
			lvl = 0;
	}
	if (lvl < 0)
		return;
	if (s->alc_day == RISK_NO_DAY || ev->day > s->alc_day || (ev->day == s->alc_day && lvl > s->alc)) {
		s->alc_day = ev->day;
		s->alc = lvl;
	}
}

static void scan_body(struct qf_scan *s, const struct risk_event *ev)
{
	if (!has_number(ev))
		return;
	if ((ev->concepts & CB(BMI)) && (ev->unit == RISK_UNIT_NONE || ev->unit == RISK_UNIT_KG_M2) &&
	    ev->value >= QF_BMI_REC_MIN && ev->value <= QF_BMI_REC_MAX)
		take_latest(&s->bmi_day, &s->bmi, ev->day, ev->value, 1);
	if (ev->concepts & CB(BODY_WEIGHT)) {
		double kg = weight_kg(ev->value, ev->unit);

		if (kg >= QF_WEIGHT_MIN_KG && kg <= QF_WEIGHT_MAX_KG)
			take_latest(&s->wt_day, &s->wt_kg, ev->day, kg, 1);
	}
	if (ev->concepts & CB(BODY_HEIGHT)) {
		double m = height_m(ev->value, ev->unit);

		if (m >= QF_HEIGHT_MIN_M && m <= QF_HEIGHT_MAX_M)
			take_latest(&s->ht_day, &s->ht_m, ev->day, m, 0);
	}
}

static void scan_clinical(struct qf_scan *s, const struct risk_event *ev)
{
	uint64_t c = ev->concepts;

	s->ever |= c & QF_CLINICAL_MASK;
	if ((c & CB(CARE_HOME)) && within(ev->day, s->as_of, QF_CAREHOME_WINDOW))
		s->carehome = 1;
	if (c & CB(FRACTURE_HISTORY))
		s->fracture4 = 1;
	if ((c & QF_FRACTURE4_MASK) && risk_completed_years(s->birth, ev->day) >= QF_FRACTURE_MIN_AGE)
		s->fracture4 = 1;
	if (c & (QF_SMOKING_MASK | CB(SMOKING_STATUS_OBSERVABLE)))
		scan_smoking(s, ev);
	if (c & (QF_ALCOHOL_MASK | CB(ALCOHOL_INTAKE_OBSERVABLE)))
		scan_alcohol(s, ev);
	if (c & (CB(BMI) | CB(BODY_WEIGHT) | CB(BODY_HEIGHT)))
		scan_body(s, ev);
}

static void scan_med(struct qf_scan *s, const struct risk_event *ev)
{
	uint64_t c = ev->concepts;
	int issue = within(ev->day, s->as_of, QF_MED_WINDOW);

	if ((c & CB(ANTIDEPRESSANT)) && issue)
		s->n_antidep++;
	if ((c & CB(GLUCOCORTICOID_ORAL)) && issue)
		s->n_gc++;
	if ((c & CB(ANTICONVULSANT)) && used_within(ev, s->as_of, QF_MED_WINDOW))
		s->anticonv = 1;
	if ((c & CB(HRT_OESTROGEN_ONLY)) && used_within(ev, s->as_of, QF_MED_WINDOW))
		s->hrt = 1;
}

/* The latest per-day amount in the current smoking spell (after the latest non-current status). */
static double current_amount(const struct risk_patient *p, const struct qf_scan *s)
{
	int32_t best_day = RISK_NO_DAY;
	double best = -1.0;

	for (uint32_t i = 0; i < p->n_events; i++) {
		const struct risk_event *ev = &p->events[i];
		double a;

		if (ev->src == RISK_SRC_FAMILY_HISTORY || is_med(ev) || ev->day == RISK_NO_DAY ||
		    ev->day > s->as_of || (s->smk_off_day != RISK_NO_DAY && ev->day < s->smk_off_day))
			continue;
		if ((a = smoking_amount(ev)) > 0.0)
			take_latest(&best_day, &best, ev->day, a, 0);
	}
	return best;
}

static void scan_events(const struct risk_patient *p, struct qf_scan *s)
{
	for (uint32_t i = 0; i < p->n_events; i++) {
		const struct risk_event *ev = &p->events[i];
		int med = is_med(ev);

		if (ev->src == RISK_SRC_FAMILY_HISTORY) {
			/* D8: a parent's hip fracture or osteoporosis; needs no date, but one after as-of was
			 * not yet known then. */
			if (!(ev->flags & RISK_EV_PARENT) ||
			    !(ev->concepts & (CB(FRACTURE_HIP) | CB(OSTEOPOROSIS))))
				continue;
			if (ev->day != RISK_NO_DAY && ev->day > s->as_of) {
				s->notes |= RISK_NOTE_BIT(RISK_NOTE_AFTER_AS_OF);
				continue;
			}
			s->fh = 1;
			continue;
		}
		if (!(ev->concepts & (med ? QF_MED_MASK : QF_CLINICAL_MASK)))
			continue;
		if (ev->day == RISK_NO_DAY) {
			s->notes |= RISK_NOTE_BIT(med ? RISK_NOTE_MED_NO_DATE : RISK_NOTE_NO_DATE);
			continue;
		}
		if (ev->day > s->as_of) {
			s->notes |= RISK_NOTE_BIT(RISK_NOTE_AFTER_AS_OF);
			continue;
		}
		if (med)
			scan_med(s, ev);
		else
			scan_clinical(s, ev);
	}
}

static int ever(const struct qf_scan *s, uint64_t mask)
{
	return (s->ever & mask) != 0;
}

int risk_qf_map(const struct risk_patient *p, int32_t as_of, struct risk_decision *d)
{
	struct qf_inputs *q = &d->qf;
	struct qf_scan s;
	int female = p->sex == RISK_SEX_FEMALE, male = p->sex == RISK_SEX_MALE, stated;
	uint8_t status = RISK_SCORE_OK;

	memset(&s, 0, sizeof(s));
	s.as_of = as_of;
	s.birth = p->birth_day;
	s.bmi_day = s.wt_day = s.ht_day = s.smk_day = s.smk_off_day = s.alc_day = RISK_NO_DAY;
	s.smk = SMK_NONE;
	memset(q, 0, sizeof(*q));
	q->surv = 10;
	q->sex = p->sex;

	/* Age (D1): completed years at as-of. */
	d->age = risk_completed_years(p->birth_day, as_of);
	q->age = d->age;
	if (d->age < 0) {
		/* absent, or after the as-of date: either way no usable birth date */
		s.notes |= RISK_NOTE_BIT(RISK_NOTE_NO_BIRTH_DATE);
		status = RISK_SCORE_NO_AGE;
	} else {
		if (p->birth_partial)
			s.notes |= RISK_NOTE_BIT(RISK_NOTE_BIRTH_PARTIAL);
		if (d->age < QF_AGE_MIN || d->age > QF_AGE_MAX) {
			s.notes |= RISK_NOTE_BIT(RISK_NOTE_AGE_OUT_OF_RANGE);
			status = RISK_SCORE_AGE_RANGE;
		}
	}

	/* Sex chooses the equations; anything but female or male has none. */
	d->sex = p->sex;
	if (!female && !male) {
		s.notes |= RISK_NOTE_BIT(RISK_NOTE_SEX_UNKNOWN);
		if (status == RISK_SCORE_OK)
			status = RISK_SCORE_NO_SEX;
	}

	q->ethrisk = ethrisk_of(p->ethnic, &stated);
	if (!stated)
		s.notes |= RISK_NOTE_BIT(RISK_NOTE_ETHNICITY_NOT_STATED);

	scan_events(p, &s);

	/* BMI: the latest recorded one, else derived from the latest weight and height. */
	if (s.bmi_day != RISK_NO_DAY) {
		q->bmi = s.bmi;
	} else if (s.wt_day != RISK_NO_DAY && s.ht_day != RISK_NO_DAY) {
		q->bmi = s.wt_kg / (s.ht_m * s.ht_m);
		s.notes |= RISK_NOTE_BIT(RISK_NOTE_BMI_DERIVED);
	} else {
		q->bmi = NAN;
		s.notes |= RISK_NOTE_BIT(RISK_NOTE_BMI_MISSING);
		if (status == RISK_SCORE_OK)
			status = RISK_SCORE_NO_BMI;
	}
	if (!isnan(q->bmi) && (q->bmi < QF_BMI_MIN || q->bmi > QF_BMI_MAX)) {
		/* Not reference behaviour (the reference rejects): the issue's policy, flagged. */
		q->bmi = q->bmi < QF_BMI_MIN ? QF_BMI_MIN : QF_BMI_MAX;
		s.notes |= RISK_NOTE_BIT(RISK_NOTE_BMI_CLAMPED);
	}

	/* Smoking: the latest status; a current smoker's amount from the current spell. */
	switch (s.smk) {
	case SMK_NONE:
		q->smoke_cat = 0;
		s.notes |= RISK_NOTE_BIT(RISK_NOTE_SMOKING_ASSUMED);
		break;
	case SMK_NEVER:
		q->smoke_cat = 0;
		break;
	case SMK_EX:
	case SMK_NOT_CURRENT:
		q->smoke_cat = 1;
		break;
	default: {
		double amount = current_amount(p, &s);

		if (amount > 0.0) {
			q->smoke_cat = smoke_level(amount);
		} else {
			q->smoke_cat = 2;
			s.notes |= RISK_NOTE_BIT(RISK_NOTE_SMOKING_AMOUNT_ASSUMED);
		}
		break;
	}
	}

	if (s.alc_day != RISK_NO_DAY) {
		q->alcohol_cat6 = s.alc;
	} else {
		q->alcohol_cat6 = 0;
		s.notes |= RISK_NOTE_BIT(RISK_NOTE_ALCOHOL_ASSUMED);
	}

	/* Flags (clinical-rules §6). A flag none of this sex's equations takes stays 0. */
	q->b_antidepressant = s.n_antidep >= 2;
	q->b_anycancer = ever(&s, CB(CANCER));
	q->b_asthmacopd = ever(&s, CB(ASTHMA) | CB(COPD));
	q->b_carehome = male && s.carehome;
	q->b_corticosteroids = s.n_gc >= 2;
	q->b_cvd = ever(&s, CB(CARDIOVASCULAR_DISEASE));
	q->b_dementia = ever(&s, CB(DEMENTIA));
	q->b_endocrine = female && ever(&s, CB(ENDOCRINE));
	q->b_epilepsy2 = ever(&s, CB(EPILEPSY)) || s.anticonv;
	q->b_falls = ever(&s, CB(FALLS) | CB(FALLS_RECURRENT));
	q->b_fracture4 = s.fracture4;
	q->b_hrt_oest = female && s.hrt;
	q->b_liver = ever(&s, CB(LIVER_DISEASE));
	q->b_malabsorption = ever(&s, CB(MALABSORPTION));
	q->b_parkinsons = ever(&s, CB(PARKINSONS));
	q->b_ra_sle = ever(&s, CB(RHEUMATOID_ARTHRITIS) | CB(SLE));
	q->b_renal = ever(&s, CB(CKD_STAGE4_5));
	q->b_type1 = ever(&s, CB(DIABETES_TYPE1));
	q->b_type2 = ever(&s, CB(DIABETES_TYPE2));
	q->fh_osteoporosis = s.fh;

	d->notes |= s.notes;
	d->score_status = status;
	return status == RISK_SCORE_OK;
}
