/*
 * Derived facts D1-D10 (clinical-rules.md 7.2) over the reader's facts. Each function is pure and
 * cites its spec id; the labels ([C], [S], [D]) are the spec's. Design choices the spec leaves open
 * are listed in docs/decisions.md.
 */
#include "risk/derived.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "codes/concepts.h"

#define BIT(c) CONCEPT_BIT(CONCEPT_##c)

/* Codes that are never D2 events even when they also name a site file (D2). */
#define NOT_D2_MASK (BIT(FRACTURE_EXCLUDED_SITES) | BIT(FRACTURE_NONFRAGILITY_MECHANISM) | \
		     BIT(FRACTURE_HISTORY))
#define FALLS_MASK (BIT(FALLS) | BIT(FALLS_RECURRENT))
#define FRAILTY_MASK (BIT(FRAILTY_MILD) | BIT(FRAILTY_MODERATE) | BIT(FRAILTY_SEVERE))

/* Fragility site files in enum risk_site order (index tie-break order of D2b). */
static const struct {
	uint64_t bit;
	enum risk_site site;
} site_files[] = {
	{ BIT(FRACTURE_HIP), RISK_SITE_HIP },
	{ BIT(FRACTURE_VERTEBRAL), RISK_SITE_VERTEBRAL },
	{ BIT(FRACTURE_PELVIS), RISK_SITE_PELVIS },
	{ BIT(FRACTURE_PROXIMAL_HUMERUS), RISK_SITE_HUMERUS },
	{ BIT(FRACTURE_WRIST_DISTAL_RADIUS), RISK_SITE_WRIST },
	{ BIT(FRACTURE_OTHER_FRAGILITY_SITES), RISK_SITE_OTHER },
	{ BIT(FRACTURE_SITE_UNSPECIFIED), RISK_SITE_UNSPECIFIED },
};

#define N_SITES (sizeof(site_files) / sizeof(site_files[0]))

/* A FamilyMemberHistory code is a relative's condition (D8 only), never the patient's own record. */
int risk_event_counts(const struct risk_event *e, int32_t as_of)
{
	return e->src != RISK_SRC_FAMILY_HISTORY && e->day != RISK_NO_DAY && e->day <= as_of;
}

int risk_days_within(int32_t day, int32_t ref, int32_t n)
{
	int64_t diff;

	if (day == RISK_NO_DAY || ref == RISK_NO_DAY)
		return 0;
	diff = (int64_t)ref - day;
	return diff >= 0 && diff <= n;
}

int32_t risk_day_at_age(int32_t birth, int years)
{
	int32_t t;

	if (birth == RISK_NO_DAY || years < 0)
		return RISK_NO_DAY;
	/* add_months clamps a 29 February birthday to the 28th, while risk_completed_years reads it as
	 * 1 March in a common year (UK legal reading): step to the first day the completed years agree,
	 * so that "age at event >= years" is exactly "day >= risk_day_at_age()". */
	t = risk_day_add_months(birth, years * 12);
	while (risk_completed_years(birth, t) < years)
		t++;
	while (t > birth && risk_completed_years(birth, t - 1) >= years)
		t--;
	return t;
}

/* D1 (7.2): completed years; -1 when the birth date is unknown or after day. */
int risk_d1_age(const struct risk_patient *p, int32_t day)
{
	return risk_completed_years(p->birth_day, day);
}

/* D2 (7.2, 7.1): a code is a fragility fracture code when its fracture file is one of the seven site
 * files; excluded sites, non-fragility mechanisms and "history of" codes never are [D]. The reader
 * already resolved the ICD-10 contest, so a code names one file; a SNOMED code naming two site files
 * (none in the shipped code sets) is read as one event per site. */
unsigned risk_d2_site_bits(const struct risk_event *e)
{
	unsigned bits = 0;
	size_t i;

	if (e->concepts & NOT_D2_MASK)
		return 0;
	for (i = 0; i < N_SITES; i++)
		if (e->concepts & site_files[i].bit)
			bits |= 1u << site_files[i].site;
	return bits;
}

/* A D2 event: counted, a fragility site file, dated on or after the 50th birthday [C] [ROS19]. */
static unsigned d2_bits(const struct risk_event *e, int32_t as_of, int32_t day50)
{
	if (day50 == RISK_NO_DAY || !risk_event_counts(e, as_of) || e->day < day50)
		return 0;
	return risk_d2_site_bits(e);
}

/* D2 (7.2): fractures before the 50th birthday count for nothing [D]; without a birth date no
 * fracture can be shown to be at 50 or over, so there are no D2 events. */
struct risk_d2 risk_d2_events(const struct risk_patient *p, int32_t as_of)
{
	struct risk_d2 r = { 0, RISK_NO_DAY, RISK_NO_DAY, RISK_NO_DAY };
	uint32_t i;

	r.day50 = risk_day_at_age(p->birth_day, RISK_FLS_MIN_AGE);
	for (i = 0; i < p->n_events; i++) {
		const struct risk_event *e = &p->events[i];
		unsigned bits = d2_bits(e, as_of, r.day50);
		int s;

		if (!bits)
			continue;
		for (s = RISK_SITE_HIP; s <= RISK_SITE_UNSPECIFIED; s++)
			if (bits & (1u << s))
				r.n_events++;
		if (r.first_day == RISK_NO_DAY || e->day < r.first_day)
			r.first_day = e->day;
		if (r.last_day == RISK_NO_DAY || e->day > r.last_day)
			r.last_day = e->day;
	}
	return r;
}

/*
 * D2a (7.2, 7.6 "episodes") [D]: per site, in date order, an episode starts at its first event and takes
 * every event dated 0-90 days after it (inclusive, anchored, not chained); the next event after that
 * window starts the next episode. Vertebral episodes containing a fracture_vertebral_multiple code
 * count 2 [D].
 *
 * Without allocating, each round scans the events once for every site at the same time: it marks the
 * current episode's members and finds the earliest event after its window (the next anchor). The cost is
 * events x (largest number of episodes at one site), small for real records (episodes are at least
 * 91 days apart and start at 50).
 */
struct risk_d2a risk_d2a_episodes(const struct risk_patient *p, int32_t as_of)
{
	struct risk_d2a r;
	int32_t anchor[RISK_SITE_UNSPECIFIED + 1], next[RISK_SITE_UNSPECIFIED + 1];
	int32_t day50 = risk_day_at_age(p->birth_day, RISK_FLS_MIN_AGE);
	unsigned active = 0, multi;
	uint32_t i;
	int s;

	r.n_episodes = r.vert_count = 0;
	for (s = 0; s <= RISK_SITE_UNSPECIFIED; s++)
		r.last_anchor[s] = anchor[s] = RISK_NO_DAY;

	/* First anchors: each site's earliest D2 event. */
	for (i = 0; i < p->n_events; i++) {
		const struct risk_event *e = &p->events[i];
		unsigned bits = d2_bits(e, as_of, day50);

		for (s = RISK_SITE_HIP; s <= RISK_SITE_UNSPECIFIED; s++) {
			if (!(bits & (1u << s)))
				continue;
			if (anchor[s] == RISK_NO_DAY || e->day < anchor[s])
				anchor[s] = e->day;
			active |= 1u << s;
		}
	}

	while (active) {
		multi = 0;
		for (s = 0; s <= RISK_SITE_UNSPECIFIED; s++)
			next[s] = RISK_NO_DAY;
		for (i = 0; i < p->n_events; i++) {
			const struct risk_event *e = &p->events[i];
			unsigned bits = d2_bits(e, as_of, day50) & active;

			for (s = RISK_SITE_HIP; bits && s <= RISK_SITE_UNSPECIFIED; s++) {
				int64_t off;

				if (!(bits & (1u << s)))
					continue;
				off = (int64_t)e->day - anchor[s];
				if (off < 0)
					continue; /* belongs to an earlier episode */
				if (off <= RISK_EPISODE_DAYS) {
					if (e->concepts & BIT(FRACTURE_VERTEBRAL_MULTIPLE))
						multi |= 1u << s;
				} else if (next[s] == RISK_NO_DAY || e->day < next[s]) {
					next[s] = e->day;
				}
			}
		}
		for (s = RISK_SITE_HIP; s <= RISK_SITE_UNSPECIFIED; s++) {
			if (!(active & (1u << s)))
				continue;
			r.n_episodes++;
			if (s == RISK_SITE_VERTEBRAL)
				r.vert_count += (multi & (1u << s)) ? 2u : 1u;
			r.last_anchor[s] = anchor[s];
			anchor[s] = next[s];
			if (next[s] == RISK_NO_DAY)
				active &= ~(1u << s);
		}
	}
	return r;
}

/* D2b (7.2) [D]: the most recent episode; on the same date the most severe site, which is the lowest
 * enum risk_site value (hip > vertebral > pelvis > proximal humerus > wrist > other > unspecified). */
struct risk_d2b risk_d2b_index(const struct risk_d2a *ep)
{
	struct risk_d2b ix = { RISK_NO_DAY, RISK_SITE_NONE };
	int s;

	for (s = RISK_SITE_HIP; s <= RISK_SITE_UNSPECIFIED; s++) {
		if (ep->last_anchor[s] == RISK_NO_DAY)
			continue;
		if (ix.day == RISK_NO_DAY || ep->last_anchor[s] > ix.day) {
			ix.day = ep->last_anchor[s];
			ix.site = (uint8_t)s;
		}
	}
	return ix;
}

/* D3 (7.2) [D] based on 3.3 (imminent risk): index dated 0-730 days before as-of. */
int risk_d3_recent(const struct risk_d2b *ix, int32_t as_of)
{
	return risk_days_within(ix->day, as_of, RISK_RECENT_DAYS);
}

/*
 * D4 (7.2, 7.6 "calendar months") [D]: a bone_sparing_treatment record dated d covers d..d + N calendar
 * months (day of month clamped); a MedicationStatement period s..e covers s..e + N months, e being as-of
 * when open or later than as-of. N is the class of the matched code-set row, which the reader put in
 * bone_months (7.1 "Medicines"); 0 there means no class was given, read as "every other row" (6).
 */
int risk_d4_on_therapy(const struct risk_patient *p, int32_t as_of, int32_t t)
{
	uint32_t i;

	if (t == RISK_NO_DAY)
		return 0;
	for (i = 0; i < p->n_events; i++) {
		const struct risk_event *e = &p->events[i];
		int32_t from = e->day, until;
		int months = e->bone_months ? e->bone_months : RISK_BONE_MONTHS_DEFAULT;

		if (!(e->concepts & BIT(BONE_SPARING_TREATMENT)) || !risk_event_counts(e, as_of))
			continue;
		if (e->flags & RISK_EV_PERIOD)
			from = (e->end_day == RISK_NO_DAY || e->end_day > as_of) ? as_of : e->end_day;
		until = risk_day_add_months(from, months);
		if (e->day <= t && t <= until)
			return 1;
	}
	return 0;
}

/* D4a (7.2) [D]: on treatment at the index fracture date. */
int risk_d4a_fracture_on_treatment(const struct risk_patient *p, int32_t as_of, const struct risk_d2b *ix)
{
	return ix->day != RISK_NO_DAY && risk_d4_on_therapy(p, as_of, ix->day);
}

/* D5 (7.2, 7.1): an issue is a MedicationRequest, or a MedicationStatement counted once at its date;
 * the reader's MedicationDispense records are one issue each too (risk/facts.h). */
int risk_gc_is_issue(const struct risk_event *e)
{
	if (!(e->concepts & BIT(GLUCOCORTICOID_ORAL)))
		return 0;
	return e->src == RISK_SRC_MED_REQUEST || e->src == RISK_SRC_MED_STATEMENT ||
	       e->src == RISK_SRC_MED_DISPENSE;
}

static int gc_high(double mg)
{
	return !isnan(mg) && mg >= RISK_GC_HIGH_MG - RISK_GC_EPS;
}

/*
 * D5 (7.2) [S] QFracture definition, [D] 183 days: at least 2 glucocorticoid_oral issues 0-183 days before
 * as-of. D5a (7.2, 7.2.1) [C] dose band NOGG17-tool, [D] the rest: D5, the latest issue (highest dose of
 * those on that date) is at least 7.5 mg prednisolone-equivalent a day, and the earliest D5 issue of at
 * least 7.5 mg is 90 or more days before as-of. An issue without a derivable dose never qualifies; a
 * latest issue without one makes D5a false.
 */
struct risk_d5 risk_d5_glucocorticoid(const struct risk_patient *p, int32_t as_of)
{
	struct risk_d5 r = { 0, 0, 0, 0 };
	int32_t latest = RISK_NO_DAY, first_high = RISK_NO_DAY;
	double latest_mg = NAN;
	uint32_t i;

	for (i = 0; i < p->n_events; i++) {
		const struct risk_event *e = &p->events[i];
		double mg = e->dose_pred_mg;

		if (!risk_gc_is_issue(e) || !risk_event_counts(e, as_of))
			continue;
		if (latest == RISK_NO_DAY || e->day > latest) {
			latest = e->day;
			latest_mg = mg;
		} else if (e->day == latest && !isnan(mg) && (isnan(latest_mg) || mg > latest_mg)) {
			latest_mg = mg;
		}
		if (!risk_days_within(e->day, as_of, RISK_GC_WINDOW_DAYS))
			continue;
		r.issues++;
		if (isnan(mg))
			r.dose_unknown = 1;
		else if (gc_high(mg) && (first_high == RISK_NO_DAY || e->day < first_high))
			first_high = e->day;
	}
	r.current = r.issues >= 2;
	r.high_dose = r.current && gc_high(latest_mg) && first_high != RISK_NO_DAY &&
		      (int64_t)as_of - first_high >= RISK_GC_HIGH_DAYS;
	return r;
}

/* D6 (7.2) [S] codes, [D] "lowest site": the minimum dxa_t_score_central value. */
struct risk_d6 risk_d6_tscore(const struct risk_patient *p, int32_t as_of)
{
	struct risk_d6 r = { 0, 0, NAN };
	uint32_t i;

	for (i = 0; i < p->n_events; i++) {
		const struct risk_event *e = &p->events[i];

		if (!(e->concepts & BIT(DXA_T_SCORE_CENTRAL)) || !risk_event_counts(e, as_of))
			continue;
		r.has_dxa = 1;
		if (isnan(e->value) || (e->flags & RISK_EV_VALUE_BAD))
			continue;
		if (!r.has_value || e->value < r.lowest)
			r.lowest = e->value;
		r.has_value = 1;
	}
	return r;
}

/* A test on one event, with its context (D7a and the 1.2 note look for pairs on one Encounter). */
typedef int (*risk_ev_test)(const struct risk_event *e, const void *ctx);

#define ENC_CHUNK 4096u /* Encounter ordinals per pass: a 512-byte bitmap on the stack */

/*
 * 1 when an event passing is_a and an event passing is_b share a nonzero Encounter ordinal. Without
 * allocating, each pass marks the is_b ordinals of one range of ENC_CHUNK in a bitmap, then looks the
 * is_a events of that range up in it; empty ranges are skipped. The reader numbers a patient's Encounters
 * densely, so at most 100000 / 4096 + 1 passes even at the resource limit, instead of a pairwise scan.
 */
static int share_encounter(const struct risk_patient *p, risk_ev_test is_a, const void *ca, risk_ev_test is_b,
			   const void *cb)
{
	uint8_t seen[ENC_CHUNK / 8];
	uint64_t lo = 1, next;
	uint32_t i;
	int any;

	for (;;) {
		memset(seen, 0, sizeof(seen));
		next = 0;
		any = 0;
		for (i = 0; i < p->n_events; i++) {
			const struct risk_event *e = &p->events[i];
			uint64_t off;

			if (e->encounter < lo || !is_b(e, cb))
				continue;
			off = e->encounter - lo;
			if (off < ENC_CHUNK) {
				seen[off / 8] |= (uint8_t)(1u << (off % 8));
				any = 1;
			} else if (!next || e->encounter < next) {
				next = e->encounter;
			}
		}
		for (i = 0; any && i < p->n_events; i++) {
			const struct risk_event *e = &p->events[i];
			uint64_t off = (uint64_t)e->encounter - lo;

			if (e->encounter >= lo && off < ENC_CHUNK && (seen[off / 8] & (1u << (off % 8))) &&
			    is_a(e, ca))
				return 1;
		}
		if (!next)
			return 0;
		lo = next;
	}
}

/*
 * D7a injury code (7.2, 7.6): "an ICD-10 code in S00-T14 (whether or not it is in a code set), or a
 * SNOMED code in any fracture file (the seven site files, fracture_excluded_sites,
 * fracture_nonfragility_mechanism; not fracture_history)". An ICD-10 fracture code outside S00-T14
 * (M80 osteoporotic, M84.3 stress, M48.5 collapsed vertebra...) is not a fall injury: the code system
 * comes from the reader (RISK_EV_FRACTURE_SNOMED), since concepts alone do not say it.
 */
static int is_injury(const struct risk_event *e)
{
	if (e->concepts & BIT(INJURY_ICD10))
		return 1;
	if (e->concepts & BIT(FRACTURE_HISTORY))
		return 0;
	return (e->flags & RISK_EV_FRACTURE_SNOMED) != 0;
}

/* share_encounter tests for D7a; ctx is the as-of day. */
static int is_window_fall(const struct risk_event *e, const void *ctx)
{
	int32_t as_of = *(const int32_t *)ctx;

	return (e->concepts & FALLS_MASK) && risk_event_counts(e, as_of) &&
	       risk_days_within(e->day, as_of, RISK_FALLS_DAYS);
}

static int is_counted_injury(const struct risk_event *e, const void *ctx)
{
	return is_injury(e) && risk_event_counts(e, *(const int32_t *)ctx);
}

enum { DAY_FALL = 1, DAY_RECURRENT = 2, DAY_INJURY = 4 };

/*
 * D7 (7.2) [C] 12 months and "2 or more" [WFG22] [NG249-consult], [D] counting: distinct dates 0-365 days
 * before as-of with a falls code, a date counting 2 when a falls_recurrent code is on it.
 * D7a [C] PHE-22401, [D] S00-T14 and 0-7 days: a fall date F with an injury code dated F..F+7, or an injury
 * code on the same Encounter as a falls code (the W00-W19 case, read as F + 0).
 * The window is 366 days, so one flag byte per day keeps this linear without allocating.
 */
struct risk_d7 risk_d7_falls(const struct risk_patient *p, int32_t as_of)
{
	struct risk_d7 r = { 0, RISK_NO_DAY, RISK_NO_DAY, 0 };
	uint8_t days[RISK_FALLS_DAYS + 1] = { 0 };
	int32_t base;
	uint32_t i;
	int k, n;

	if ((int64_t)as_of - RISK_FALLS_DAYS < (int64_t)INT32_MIN + 1)
		return r; /* no representable window: as-of is not a real date */
	base = as_of - RISK_FALLS_DAYS;
	for (i = 0; i < p->n_events; i++) {
		const struct risk_event *e = &p->events[i];
		int idx;

		if (!risk_event_counts(e, as_of) || !risk_days_within(e->day, as_of, RISK_FALLS_DAYS))
			continue;
		idx = (int)((int64_t)e->day - base);
		if (e->concepts & FALLS_MASK)
			days[idx] |= DAY_FALL;
		if (e->concepts & BIT(FALLS_RECURRENT))
			days[idx] |= DAY_RECURRENT;
		if (is_injury(e))
			days[idx] |= DAY_INJURY;
	}
	for (k = 0; k <= RISK_FALLS_DAYS; k++) {
		if (!(days[k] & DAY_FALL))
			continue;
		r.count += (days[k] & DAY_RECURRENT) ? 2u : 1u;
		if (r.first_day == RISK_NO_DAY)
			r.first_day = base + k;
		r.last_day = base + k;
		/* Injuries after as-of are ignored, so the search stops at as-of (the last slot). */
		for (n = 0; n <= RISK_INJURY_DAYS && k + n <= RISK_FALLS_DAYS && !r.injurious; n++)
			if (days[k + n] & DAY_INJURY)
				r.injurious = 1;
	}
	if (r.injurious || !r.count)
		return r;
	/* Same Encounter: a fall in the window and a counted injury code sharing a nonzero ordinal. */
	r.injurious = (uint8_t)share_encounter(p, is_window_fall, &as_of, is_counted_injury, &as_of);
	return r;
}

/* D8 (7.2) [D]: a parent's FamilyMemberHistory coded fracture_hip or osteoporosis; needs no date (7.1). */
int risk_d8_parental_history(const struct risk_patient *p, int32_t as_of)
{
	uint32_t i;

	for (i = 0; i < p->n_events; i++) {
		const struct risk_event *e = &p->events[i];

		if (e->src != RISK_SRC_FAMILY_HISTORY || !(e->flags & RISK_EV_PARENT))
			continue;
		if (e->day != RISK_NO_DAY && e->day > as_of)
			continue;
		if (e->concepts & (BIT(FRACTURE_HIP) | BIT(OSTEOPOROSIS)))
			return 1;
	}
	return 0;
}

int risk_has_concept(const struct risk_patient *p, int32_t as_of, uint64_t mask)
{
	uint32_t i;

	for (i = 0; i < p->n_events; i++) {
		const struct risk_event *e = &p->events[i];

		if ((e->concepts & mask) && risk_event_counts(e, as_of))
			return 1;
	}
	return 0;
}

/* D9 (7.2) [C] codes (OSTEO_COD): any osteoporosis code, on or before as-of. */
int risk_d9_osteoporosis(const struct risk_patient *p, int32_t as_of)
{
	return risk_has_concept(p, as_of, BIT(OSTEOPOROSIS));
}

/* 4.3 [S] cut-offs (OpenSAFELY, CPRD): fit up to 0.12; mild above 0.12 to 0.24; moderate above 0.24 to
 * 0.36; severe above 0.36. The same decimal literals as the recorded values, so 0.24 is mild exactly. */
enum risk_frailty risk_efi_band(double v)
{
	if (v <= 0.12)
		return RISK_FRAILTY_FIT;
	if (v <= 0.24)
		return RISK_FRAILTY_MILD;
	if (v <= 0.36)
		return RISK_FRAILTY_MODERATE;
	return RISK_FRAILTY_SEVERE;
}

/* The category one frailty code or eFI record states; UNKNOWN when it states none. */
static enum risk_frailty frailty_of(const struct risk_event *e, int *efi_bad)
{
	enum risk_frailty c = RISK_FRAILTY_UNKNOWN, v;

	if (e->concepts & BIT(FRAILTY_SEVERE))
		c = RISK_FRAILTY_SEVERE;
	else if (e->concepts & BIT(FRAILTY_MODERATE))
		c = RISK_FRAILTY_MODERATE;
	else if (e->concepts & BIT(FRAILTY_MILD))
		c = RISK_FRAILTY_MILD;
	if (!(e->concepts & BIT(EFI_SCORE)))
		return c;
	if (isnan(e->value) || (e->flags & RISK_EV_VALUE_BAD)) {
		/* An eFI record whose value is a coded frailty category has no number to check. */
		if (c == RISK_FRAILTY_UNKNOWN)
			*efi_bad = 1;
		return c;
	}
	if (e->value < 0.0 || e->value > 1.0) {
		*efi_bad = 1;
		return c;
	}
	v = risk_efi_band(e->value);
	return v > c ? v : c;
}

/* D10 (7.2) [S] bands, [D] latest wins, same-date tie to the most severe, range check. */
struct risk_d10 risk_d10_frailty(const struct risk_patient *p, int32_t as_of)
{
	struct risk_d10 r = { RISK_FRAILTY_UNKNOWN, 0, RISK_NO_DAY };
	uint32_t i;

	for (i = 0; i < p->n_events; i++) {
		const struct risk_event *e = &p->events[i];
		enum risk_frailty c;
		int bad = 0;

		if (!(e->concepts & (FRAILTY_MASK | BIT(EFI_SCORE))) || !risk_event_counts(e, as_of))
			continue;
		c = frailty_of(e, &bad);
		if (bad)
			r.efi_ignored = 1;
		if (c == RISK_FRAILTY_UNKNOWN)
			continue;
		if (r.day == RISK_NO_DAY || e->day > r.day) {
			r.day = e->day;
			r.category = (uint8_t)c;
		} else if (e->day == r.day && c > r.category) {
			r.category = (uint8_t)c;
		}
	}
	return r;
}

/* 7.4 [D]: residence needs a dated care_home code 0-730 days before as-of; older or undated ones do not
 * count. Used by R-FALL-4, the 50-64 population proxy and the worklist note. */
int risk_care_home(const struct risk_patient *p, int32_t as_of)
{
	uint32_t i;

	for (i = 0; i < p->n_events; i++) {
		const struct risk_event *e = &p->events[i];

		if ((e->concepts & BIT(CARE_HOME)) && risk_event_counts(e, as_of) &&
		    risk_days_within(e->day, as_of, RISK_CARE_HOME_DAYS))
			return 1;
	}
	return 0;
}

/* R-FLS-1 (b) and 7.6 "history codes" [D]: a fracture_history code dated at age 50 or over. The latest
 * one is the sort date (7.3 "Within a level"). */
int32_t risk_fracture_history_day(const struct risk_patient *p, int32_t as_of)
{
	int32_t day50 = risk_day_at_age(p->birth_day, RISK_FLS_MIN_AGE), best = RISK_NO_DAY;
	uint32_t i;

	if (day50 == RISK_NO_DAY)
		return RISK_NO_DAY;
	for (i = 0; i < p->n_events; i++) {
		const struct risk_event *e = &p->events[i];

		if (!(e->concepts & BIT(FRACTURE_HISTORY)) || !risk_event_counts(e, as_of) || e->day < day50)
			continue;
		if (best == RISK_NO_DAY || e->day > best)
			best = e->day;
	}
	return best;
}

struct index_episode {
	int32_t as_of, day50;
	const struct risk_d2b *ix;
};

/* A D2 event of the index episode: the index site, dated index to index + 90 days. */
static int is_index_event(const struct risk_event *e, const void *ctx)
{
	const struct index_episode *x = ctx;
	int64_t off = (int64_t)e->day - x->ix->day;

	return (d2_bits(e, x->as_of, x->day50) & (1u << x->ix->site)) && off >= 0 && off <= RISK_EPISODE_DAYS;
}

static int is_fall_from_height(const struct risk_event *e, const void *ctx)
{
	return (e->concepts & BIT(FALL_FROM_HEIGHT_ICD10)) && risk_event_counts(e, *(const int32_t *)ctx);
}

/*
 * 1.2 and 7.3 note [D]: codes cannot prove low trauma, so a fall from a height (W11-W15, W17) on the
 * fracture's Encounter only adds a note. "The fracture encounter" is read as the Encounter of any D2
 * event of the index episode.
 */
int risk_index_high_energy(const struct risk_patient *p, int32_t as_of, const struct risk_d2b *ix)
{
	struct index_episode x;

	if (ix->day == RISK_NO_DAY || ix->site == RISK_SITE_NONE)
		return 0;
	x.as_of = as_of;
	x.day50 = risk_day_at_age(p->birth_day, RISK_FLS_MIN_AGE);
	x.ix = ix;
	return share_encounter(p, is_index_event, &x, is_fall_from_height, &as_of);
}
