/*
 * fls-gen-practice: a seeded generator of synthetic practice lists, one FHIR R4 XML collection Bundle,
 * for benchmarks and tests. Nothing here is real patient data: names are fake, NHS numbers come from the
 * 999 test range, codes come from the project's codes/ CSV files (a small hard-coded table, chosen so that
 * they match) plus a few codes that match no code set, as real records have.
 *
 * Determinism: every patient draws from its own xoshiro256** stream seeded (splitmix64) from the seed and
 * the patient's index, so patient i is the same whatever N and --order are. Output order:
 *   contiguous (default)  each Patient followed by its resources;
 *   shuffled              resources of blocks of 64 patients interleaved (a resource may precede its
 *                         Patient), still deterministic;
 *   by-type               every Patient, then every Condition, every Observation, ... (via temp files).
 * --bundle-per-patient nests one collection Bundle per patient inside the outer Bundle.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "risk/day.h"

#define GEN_MAX_RES 40       /* clinical resources per patient, besides the Patient */
#define GEN_MAX_ENC 8
#define GEN_MAX_DIAG 4
#define GEN_BLOCK 64         /* patients interleaved together by --order shuffled */
#define GEN_OUTBUF (1u << 20)
#define NO_DAY INT32_MIN

#define SCT "http://snomed.info/sct"
#define DMD "https://dmd.nhs.uk"
#define ICD "http://hl7.org/fhir/sid/icd-10"
#define LNC "http://loinc.org"
#define ATC "http://www.whocc.no/atc"
#define UCUM "http://unitsofmeasure.org"
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------------------------------ */
/* Random numbers: splitmix64 to seed, xoshiro256** to draw (public-domain algorithms by Vigna). */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ull) ^ 0x6A09E667F3BCC909ull;

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s, res = rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return res;
}

/* Uniform in [0, n) (multiply-shift; the bias is far below anything a test could see). */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static int rng_range(struct rng *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* True with probability permille / 1000. */
static int rng_pm(struct rng *r, unsigned permille)
{
	return rng_below(r, 1000) < permille;
}

/* ------------------------------------------------------------------------------------------------ */
/* Dates as day numbers since 1970-01-01: the library's own calendar arithmetic (risk/day.h). */

static int completed_years(int32_t birth, int32_t day)
{
	int by, bm, bd, y, m, d, age;

	risk_civil_from_day(birth, &by, &bm, &bd);
	risk_civil_from_day(day, &y, &m, &d);
	age = y - by;
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}

/* ------------------------------------------------------------------------------------------------ */
/* Output: a growable memory buffer per patient (or block), written out with large fwrite calls. */

struct mbuf {
	char *p;
	size_t len, cap;
};

static void die(const char *what)
{
	fprintf(stderr, "fls-gen-practice: %s\n", what);
	exit(2);
}

static void mb_reserve(struct mbuf *b, size_t n)
{
	size_t c;
	char *p;

	if (b->len + n <= b->cap)
		return;
	c = b->cap ? b->cap : 65536;
	while (c < b->len + n) {
		if (c > SIZE_MAX / 2)
			die("out of memory");
		c *= 2;
	}
	if (!(p = realloc(b->p, c)))
		die("out of memory");
	b->p = p;
	b->cap = c;
}

static void mb_put(struct mbuf *b, const char *s, size_t n)
{
	mb_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void mb_puts(struct mbuf *b, const char *s)
{
	mb_put(b, s, strlen(s));
}

static void mb_indent(struct mbuf *b, int level)
{
	static const char sp[] = "                                                                ";
	size_t n = (size_t)level * 2;

	mb_put(b, sp, n < sizeof(sp) - 1 ? n : sizeof(sp) - 1);
}

static void mb_uint(struct mbuf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	mb_put(b, tmp + i, sizeof(tmp) - i);
}

/* v / 10^dec with exactly dec decimals ("-2.8", "0.28"): no printf("%f"), no locale. */
static void mb_fixed(struct mbuf *b, int64_t v, int dec)
{
	uint64_t u, scale = 1;
	char frac[8];

	for (int i = 0; i < dec; i++)
		scale *= 10;
	if (v < 0) {
		mb_put(b, "-", 1);
		u = (uint64_t)(-v);
	} else {
		u = (uint64_t)v;
	}
	mb_uint(b, u / scale);
	if (dec > 0) {
		uint64_t f = u % scale;

		for (int i = dec - 1; i >= 0; i--) {
			frac[i] = (char)('0' + f % 10);
			f /= 10;
		}
		mb_put(b, ".", 1);
		mb_put(b, frac, (size_t)dec);
	}
}

/* XML attribute/text escaping for the few characters that need it. */
static void mb_esc(struct mbuf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default: break;
		}
		if (rep) {
			mb_put(b, run, (size_t)(s - run));
			mb_puts(b, rep);
			run = s + 1;
		}
	}
	mb_put(b, run, (size_t)(s - run));
}

static void mb_date(struct mbuf *b, int32_t day)
{
	int y, m, d;
	char s[10];

	risk_civil_from_day(day, &y, &m, &d);
	s[0] = (char)('0' + y / 1000 % 10);
	s[1] = (char)('0' + y / 100 % 10);
	s[2] = (char)('0' + y / 10 % 10);
	s[3] = (char)('0' + y % 10);
	s[4] = '-';
	s[5] = (char)('0' + m / 10);
	s[6] = (char)('0' + m % 10);
	s[7] = '-';
	s[8] = (char)('0' + d / 10);
	s[9] = (char)('0' + d % 10);
	mb_put(b, s, sizeof(s));
}

/* ------------------------------------------------------------------------------------------------ */
/* XML element helpers. Every element is on its own line, indented two spaces per level. */

static void x_open(struct mbuf *b, int ind, const char *name)
{
	mb_indent(b, ind);
	mb_put(b, "<", 1);
	mb_puts(b, name);
	mb_put(b, ">\n", 2);
}

static void x_close(struct mbuf *b, int ind, const char *name)
{
	mb_indent(b, ind);
	mb_put(b, "</", 2);
	mb_puts(b, name);
	mb_put(b, ">\n", 2);
}

static void x_begin_val(struct mbuf *b, int ind, const char *name)
{
	mb_indent(b, ind);
	mb_put(b, "<", 1);
	mb_puts(b, name);
	mb_put(b, " value=\"", 8);
}

static void x_end_val(struct mbuf *b)
{
	mb_put(b, "\"/>\n", 4);
}

static void x_val(struct mbuf *b, int ind, const char *name, const char *val)
{
	x_begin_val(b, ind, name);
	mb_esc(b, val);
	x_end_val(b);
}

static void x_uint(struct mbuf *b, int ind, const char *name, uint64_t v)
{
	x_begin_val(b, ind, name);
	mb_uint(b, v);
	x_end_val(b);
}

static void x_fixed(struct mbuf *b, int ind, const char *name, int64_t v, int dec)
{
	x_begin_val(b, ind, name);
	mb_fixed(b, v, dec);
	x_end_val(b);
}

static void x_date(struct mbuf *b, int ind, const char *name, int32_t day)
{
	x_begin_val(b, ind, name);
	mb_date(b, day);
	x_end_val(b);
}

/* A dateTime at minute of day `min`, with the UK offset a GP system would write (+01:00 in summer). */
static void x_datetime(struct mbuf *b, int ind, const char *name, int32_t day, int min)
{
	int y, m, d;
	char t[16];

	risk_civil_from_day(day, &y, &m, &d);
	x_begin_val(b, ind, name);
	mb_date(b, day);
	t[0] = 'T';
	t[1] = (char)('0' + min / 600 % 3);
	t[2] = (char)('0' + min / 60 % 10);
	t[3] = ':';
	t[4] = (char)('0' + min % 60 / 10);
	t[5] = (char)('0' + min % 10);
	memcpy(t + 6, ":00", 3);
	mb_put(b, t, 9);
	mb_puts(b, m >= 4 && m <= 10 ? "+01:00" : "Z");
	x_end_val(b);
}

static void x_ref(struct mbuf *b, int ind, const char *name, const char *uuid)
{
	x_open(b, ind, name);
	x_begin_val(b, ind + 1, "reference");
	mb_puts(b, "urn:uuid:");
	mb_puts(b, uuid);
	x_end_val(b);
	x_close(b, ind, name);
}

struct code {
	const char *sys, *code, *display;
};

static void x_coding_body(struct mbuf *b, int ind, const struct code *c)
{
	x_val(b, ind, "system", c->sys);
	x_val(b, ind, "code", c->code);
	if (c->display)
		x_val(b, ind, "display", c->display);
}

static void x_coding(struct mbuf *b, int ind, const struct code *c)
{
	x_open(b, ind, "coding");
	x_coding_body(b, ind + 1, c);
	x_close(b, ind, "coding");
}

/* A CodeableConcept with one coding (c2 adds a second, e.g. LOINC + SNOMED); text may be NULL. */
static void x_cc2(struct mbuf *b, int ind, const char *name, const struct code *c, const struct code *c2,
		  const char *text)
{
	x_open(b, ind, name);
	if (c)
		x_coding(b, ind + 1, c);
	if (c2)
		x_coding(b, ind + 1, c2);
	if (text)
		x_val(b, ind + 1, "text", text);
	x_close(b, ind, name);
}

static void x_cc(struct mbuf *b, int ind, const char *name, const struct code *c)
{
	x_cc2(b, ind, name, c, NULL, NULL);
}

/* A CodeableConcept from a terminology.hl7.org code system (statuses, categories). */
static void x_cc_term(struct mbuf *b, int ind, const char *name, const char *csys, const char *code)
{
	struct code c = { csys, code, NULL };

	x_cc(b, ind, name, &c);
}

static void x_narr(struct mbuf *b, int ind, const char *text)
{
	x_open(b, ind, "text");
	x_val(b, ind + 1, "status", "generated");
	mb_indent(b, ind + 1);
	mb_puts(b, "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>");
	mb_esc(b, text);
	mb_puts(b, "</p></div>\n");
	x_close(b, ind, "text");
}

static void x_quantity(struct mbuf *b, int ind, const char *name, int64_t v, int dec, const char *unit,
		       const char *ucum)
{
	x_open(b, ind, name);
	x_fixed(b, ind + 1, "value", v, dec);
	if (unit)
		x_val(b, ind + 1, "unit", unit);
	if (ucum) {
		x_val(b, ind + 1, "system", UCUM);
		x_val(b, ind + 1, "code", ucum);
	}
	x_close(b, ind, name);
}

/* ------------------------------------------------------------------------------------------------ */
/* Code tables (from codes/ CSV files unless marked "no code set"). */

enum site { S_HIP, S_VERT, S_WRIST, S_HUM, S_PELVIS, S_OTHER, S_EXCL, S_UNSPEC, S__N };

static const unsigned site_pm[S__N] = { 200, 150, 250, 100, 50, 170, 50, 30 }; /* sums to 1000 */

static const struct code fx_sct[S__N][3] = {
	{ { SCT, "359820003", "Closed fracture of neck of femur (disorder)" },
	  { SCT, "1705000", "Closed fracture of base of neck of femur (disorder)" },
	  { SCT, "263228009", "Basicervical fracture of neck of femur (disorder)" } },
	{ { SCT, "307137009", "Anterior wedge fracture of vertebra (disorder)" },
	  { SCT, "281924004", "Burst fracture of thoracic vertebra (disorder)" },
	  { SCT, "314667001", "Burst fracture of vertebra (disorder)" } },
	{ { SCT, "269083002", "Closed Colles' fracture (disorder)" },
	  { SCT, "448838000", "Closed extraarticular fracture of distal radius (disorder)" },
	  { SCT, "269083002", "Closed Colles' fracture (disorder)" } },
	{ { SCT, "413875004", "Closed fracture of head of humerus (disorder)" },
	  { SCT, "413875004", "Closed fracture of head of humerus (disorder)" },
	  { SCT, "413875004", "Closed fracture of head of humerus (disorder)" } },
	{ { SCT, "91037003", "Closed fracture of pelvis (disorder)" },
	  { SCT, "207975009", "Closed compression fracture sacrum (disorder)" },
	  { SCT, "91037003", "Closed fracture of pelvis (disorder)" } },
	{ { SCT, "45356009", "Closed fracture of one rib (disorder)" },
	  { SCT, "263244000", "Bimalleolar fracture of ankle (disorder)" },
	  { SCT, "45356009", "Closed fracture of one rib (disorder)" } },
	{ { SCT, "208456007", "Closed fracture finger distal phalanx, base (disorder)" },
	  { SCT, "208456007", "Closed fracture finger distal phalanx, base (disorder)" },
	  { SCT, "208456007", "Closed fracture finger distal phalanx, base (disorder)" } },
	{ { SCT, "306171000000106", "Fragility fracture (disorder)" },
	  { SCT, "306171000000106", "Fragility fracture (disorder)" },
	  { SCT, "306171000000106", "Fragility fracture (disorder)" } },
};

static const struct code fx_icd[S__N][3] = {
	{ { ICD, "S72.0", "Fracture of neck of femur" }, { ICD, "S72.1", "Pertrochanteric fracture" },
	  { ICD, "S72.2", "Subtrochanteric fracture" } },
	{ { ICD, "S32.0", "Fracture of lumbar vertebra" }, { ICD, "S22.0", "Fracture of thoracic vertebra" },
	  { ICD, "S22.1", "Multiple fractures of thoracic spine" } },
	{ { ICD, "S52.5", "Fracture of lower end of radius" },
	  { ICD, "S52.6", "Fracture of lower end of both ulna and radius" },
	  { ICD, "S52.50", "Fracture of lower end of radius, closed" } },
	{ { ICD, "S42.2", "Fracture of upper end of humerus" }, { ICD, "S42.2", "Fracture of upper end of humerus" },
	  { ICD, "S42.20", "Fracture of upper end of humerus, closed" } },
	{ { ICD, "S32.5", "Fracture of pubis" }, { ICD, "S32.1", "Fracture of sacrum" },
	  { ICD, "S32.5", "Fracture of pubis" } },
	{ { ICD, "S22.3", "Fracture of rib" }, { ICD, "S82.6", "Fracture of lateral malleolus" },
	  { ICD, "S82.5", "Fracture of medial malleolus" } },
	{ { ICD, "S62.6", "Fracture of other finger" }, { ICD, "S62.6", "Fracture of other finger" },
	  { ICD, "S62.6", "Fracture of other finger" } },
	{ { ICD, "T14.2", "Fracture of unspecified body region" },
	  { ICD, "T14.2", "Fracture of unspecified body region" },
	  { ICD, "T14.2", "Fracture of unspecified body region" } },
};

static const struct code hip_fixation = {
	SCT, "708898008",
	"Closed reduction of fracture of proximal femur and internal fixation using bone screw (procedure)"
};

static const struct code fall_sct[] = {
	{ SCT, "1912002", "Fall (event)" },
	{ SCT, "40104005", "Fall in home (event)" },
	{ SCT, "33036003", "Fall on same level (event)" },
	{ SCT, "217088003", "Fall on or from stairs (event)" },
};
static const struct code fall_icd[] = {
	{ ICD, "W01", "Fall on same level from slipping, tripping and stumbling" },
	{ ICD, "W10", "Fall on and from stairs and steps" },
	{ ICD, "W18", "Other fall on same level" },
	{ ICD, "W19", "Unspecified fall" },
	{ ICD, "W11", "Fall on and from ladder" },
};
static const struct code fall_recurrent = { SCT, "279992002", "Recurrent falls (finding)" };
static const struct code injury_icd[] = {  /* S00-T14 injuries that are not fractures (no code set) */
	{ ICD, "S00.0", "Superficial injury of scalp" },
	{ ICD, "S01.8", "Open wound of other parts of head" },
	{ ICD, "S40.0", "Contusion of shoulder and upper arm" },
	{ ICD, "S80.0", "Contusion of knee" },
	{ ICD, "S30.0", "Contusion of lower back and pelvis" },
};
static const struct code fx_history[] = {
	{ SCT, "391093004", "History of hip fracture (situation)" },
	{ SCT, "391092009", "History of fragility fracture (situation)" },
};

/* QFracture comorbidities: code, permille under 50, permille 50-74, permille 75+, sex (0 any, 1 female). */
static const struct comorb {
	struct code c;
	unsigned pm_young, pm_mid, pm_old;
	int female_only;
} comorbs[] = {
	{ { SCT, "195967001", "Asthma (disorder)" }, 90, 80, 70, 0 },
	{ { SCT, "13645005", "Chronic obstructive lung disease (disorder)" }, 5, 50, 80, 0 },
	{ { SCT, "44054006", "Diabetes mellitus type 2 (disorder)" }, 30, 110, 150, 0 },
	{ { SCT, "46635009", "Diabetes mellitus type 1 (disorder)" }, 6, 5, 4, 0 },
	{ { SCT, "22298006", "Myocardial infarction (disorder)" }, 2, 40, 80, 0 },
	{ { SCT, "230690007", "Cerebrovascular accident (disorder)" }, 1, 20, 60, 0 },
	{ { SCT, "254837009", "Malignant neoplasm of breast (disorder)" }, 3, 40, 60, 1 },
	{ { SCT, "52448006", "Dementia (disorder)" }, 0, 5, 90, 0 },
	{ { SCT, "49049000", "Parkinson's disease (disorder)" }, 0, 5, 20, 0 },
	{ { SCT, "69896004", "Rheumatoid arthritis (disorder)" }, 5, 15, 20, 0 },
	{ { SCT, "431857002", "Chronic kidney disease stage 4 (disorder)" }, 1, 5, 25, 0 },
	{ { SCT, "84757009", "Epilepsy (disorder)" }, 8, 8, 8, 0 },
	{ { SCT, "19943007", "Cirrhosis of liver (disorder)" }, 2, 6, 6, 0 },
	{ { SCT, "396331005", "Celiac disease (disorder)" }, 8, 8, 8, 0 },
	{ { SCT, "34486009", "Hyperthyroidism (disorder)" }, 5, 12, 12, 0 },
	{ { SCT, "55464009", "Systemic lupus erythematosus (disorder)" }, 2, 2, 2, 1 },
	/* no code set: ordinary problems every list is full of */
	{ { SCT, "38341003", "Hypertensive disorder, systemic arterial (disorder)" }, 40, 300, 500, 0 },
	{ { SCT, "55822004", "Hyperlipidemia (disorder)" }, 30, 200, 300, 0 },
	{ { SCT, "396275006", "Osteoarthritis (disorder)" }, 10, 150, 350, 0 },
	{ { SCT, "235595009", "Gastroesophageal reflux disease (disorder)" }, 80, 120, 120, 0 },
	{ { SCT, "40930008", "Hypothyroidism (disorder)" }, 20, 60, 80, 0 },
	{ { SCT, "195662009", "Acute viral pharyngitis (disorder)" }, 150, 60, 40, 0 },
};
static const struct code osteoporosis = { SCT, "64859006", "Osteoporosis (disorder)" };

enum med_kind { MK_WEEKLY, MK_MONTHLY, MK_YEARLY, MK_6MONTHLY, MK_STEROID, MK_DAILY };

struct med {
	struct code c;
	const char *atc;  /* an ATC code for a second coding, or NULL */
	int kind;
};

static const struct med bone_meds[] = {
	{ { DMD, "1273311000001106", "Alendronic acid 70mg tablets" }, "M05BA04", MK_WEEKLY },
	{ { DMD, "10910011000001102", "Risedronate sodium 35mg tablets" }, "M05BA07", MK_WEEKLY },
	{ { DMD, "9544811000001102", "Ibandronic acid 150mg tablets" }, "M05BA06", MK_MONTHLY },
	{ { DMD, "10422911000001106", "Aclasta 5mg/100ml infusion bottles (Novartis Pharmaceuticals UK Ltd)" },
	  "M05BA08", MK_YEARLY },
	{ { DMD, "17301811000001101", "Prolia 60mg/1ml solution for injection pre-filled syringes (Amgen Ltd)" },
	  "M05BX04", MK_6MONTHLY },
};
static const struct med steroid_meds[] = {
	{ { DMD, "325427002", "Prednisolone 5mg tablets" }, "H02AB06", MK_STEROID },
	{ { DMD, "325426006", "Prednisolone 1mg tablets" }, "H02AB06", MK_STEROID },
	{ { DMD, "325476008", "Deflazacort 1mg tablets" }, NULL, MK_STEROID },
};
static const struct med other_meds[] = {
	{ { DMD, "105411000001106", "Amitriptyline 10mg tablets" }, NULL, MK_DAILY },     /* antidepressant */
	{ { DMD, "10394011000001100", "Citalopram 10mg tablets" }, NULL, MK_DAILY },      /* antidepressant */
	{ { DMD, "2086811000001105", "Arbil MR 200mg tablets" }, NULL, MK_DAILY },        /* anticonvulsant */
	{ { DMD, "2841011000001103", "Estradiol 1mg tablets" }, NULL, MK_DAILY },         /* HRT, oestrogen only */
	{ { DMD, "319283006", "Amlodipine 5mg tablets" }, NULL, MK_DAILY },               /* no code set */
	{ { DMD, "320000009", "Atorvastatin 20mg tablets" }, NULL, MK_DAILY },            /* no code set */
	{ { DMD, "322236009", "Paracetamol 500mg tablets" }, NULL, MK_DAILY },            /* no code set */
	{ { DMD, "325278007", "Metformin 500mg tablets" }, NULL, MK_DAILY },              /* no code set */
};
enum { OM_AMITRIP, OM_CITALO, OM_ARBIL, OM_ESTRA, OM_AMLO, OM_ATORVA, OM_PARA, OM_METF };

static const struct code obs_bmi_l = { LNC, "39156-5", "Body mass index (BMI) [Ratio]" };
static const struct code obs_bmi_s = { SCT, "60621009", "Body mass index (observable entity)" };
static const struct code obs_wt = { LNC, "29463-7", "Body weight" };
static const struct code obs_ht = { LNC, "8302-2", "Body height" };
static const struct code obs_smoke = { LNC, "72166-2", "Tobacco smoking status" };
static const struct code smoke_vals[] = {
	{ SCT, "266919005", "Never smoked tobacco (finding)" },
	{ SCT, "8517006", "Ex-smoker (finding)" },
	{ SCT, "77176002", "Smoker (finding)" },
};
static const struct code obs_alcohol = { SCT, "160573003", "Alcohol intake (observable entity)" };
static const struct code alcohol_finding[] = {
	{ SCT, "105542008", "Teetotaller (life style)" },
	{ SCT, "228277002", "Light drinker (life style)" },
	{ SCT, "160592001", "Alcohol intake above recommended sensible limits (finding)" },
};
static const struct code obs_efi = { SCT, "1084961000000105", "Electronic frailty index score" };
static const struct code frailty[] = {
	{ SCT, "925791000000100", "Mild frailty" },
	{ SCT, "925831000000107", "Moderate frailty" },
	{ SCT, "925861000000102", "Severe frailty" },
};
static const struct code care_home[] = {
	{ SCT, "160734000", "Lives in nursing home" },
	{ SCT, "248171000000108", "Lives in care home" },
};
static const struct code dxa[] = {
	{ LNC, "38267-1", "DXA Lumbar spine [T-score] Bone density" },
	{ LNC, "38263-0", "DXA Femur [T-score] Bone density" },
};
static const struct code bp_panel = { LNC, "85354-9", "Blood pressure panel with all children optional" };
static const struct code bp_sys = { LNC, "8480-6", "Systolic blood pressure" };
static const struct code bp_dia = { LNC, "8462-4", "Diastolic blood pressure" };
static const struct code enc_types[] = {
	{ SCT, "185349003", "Encounter for check up (procedure)" },
	{ SCT, "390906007", "Follow-up encounter (procedure)" },
	{ SCT, "308335008", "Patient encounter procedure (procedure)" },
};
static const struct code allergy_pen = { SCT, "91936005", "Allergy to penicillin (finding)" };

static const char *const given_f[] = { "Ada", "Bea", "Cora", "Dora", "Edna", "Flora", "Gwen", "Hilda", "Ivy",
				       "June", "Kay", "Lena", "Mae", "Nora", "Olive", "Pearl" };
static const char *const given_m[] = { "Albert", "Bert", "Cyril", "Dennis", "Ernest", "Frank", "Gus", "Harold",
				       "Ivor", "Jack", "Leo", "Milo", "Norman", "Percy", "Ron", "Stan" };
static const char *const family[] = { "Testpatient", "Example", "Sample", "Dummy", "Placeholder", "Synthetic",
				      "Testperson", "Fakename" };
static const char *const ethnic[][2] = {
	{ "A", "White - British" }, { "B", "White - Irish" }, { "C", "White - Any other White background" },
	{ "H", "Asian or Asian British - Indian" }, { "J", "Asian or Asian British - Pakistani" },
	{ "M", "Black or Black British - Caribbean" }, { "N", "Black or Black British - African" },
	{ "Z", "Not stated" },
};

/* ------------------------------------------------------------------------------------------------ */
/* Generator state */

enum rtype {
	RT_PATIENT, RT_CONDITION, RT_OBSERVATION, RT_PROCEDURE, RT_ENCOUNTER, RT_MEDICATION, RT_MEDREQ,
	RT_MEDSTMT, RT_FMH, RT_ALLERGY, RT_IMMUNIZATION, RT__N
};

static const char *const rt_name[RT__N] = { "Patient", "Condition", "Observation", "Procedure", "Encounter",
					    "Medication", "MedicationRequest", "MedicationStatement",
					    "FamilyMemberHistory", "AllergyIntolerance", "Immunization" };

enum order { ORD_CONTIGUOUS, ORD_SHUFFLED, ORD_BYTYPE };

struct span {
	size_t off, len;
	int type;
};

struct gen {
	uint64_t seed, patients;
	int32_t as_of;
	int order, nested;
	FILE *out;
	struct mbuf buf;         /* current patient (or block) */
	struct span *spans;
	size_t nspans, capspans;
	int ind;                 /* indent of <entry> */
	char org_uuid[37], gp_uuid[37];
	FILE *tmp[RT__N];        /* --order by-type */
	uint64_t nhs_cursor;
	uint64_t resources;
};

struct pt {
	struct rng r;
	uint64_t idx;
	char uuid[37];
	int female, sex_unknown;
	int32_t birth;
	int age;
	int nres;
	int nenc;
	int32_t enc_day[GEN_MAX_ENC];
	int enc_class[GEN_MAX_ENC];     /* 0 AMB, 1 EMER, 2 IMP */
	char enc_uuid[GEN_MAX_ENC][37];
	char diag[GEN_MAX_ENC][GEN_MAX_DIAG][37];
	int ndiag[GEN_MAX_ENC];
	const struct code *reason[GEN_MAX_ENC][2];
	int nreason[GEN_MAX_ENC];
	int osteo, fractures, hyperten, lipids, t2dm;
};

static void uuid_from(struct rng *r, char out[37])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t a = rng_next(r), b = rng_next(r);
	unsigned char x[16];
	int k = 0;

	for (int i = 0; i < 8; i++) {
		x[i] = (unsigned char)(a >> (8 * i));
		x[8 + i] = (unsigned char)(b >> (8 * i));
	}
	x[6] = (unsigned char)((x[6] & 0x0f) | 0x40);  /* version 4 */
	x[8] = (unsigned char)((x[8] & 0x3f) | 0x80);  /* RFC 4122 variant */
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hex[x[i] >> 4];
		out[k++] = hex[x[i] & 15];
	}
	out[k] = '\0';
}

/*
 * The NHS number of the next patient: 999 + 6 digits + the modulus-11 check digit, skipping the numbers
 * whose check digit would be 10. Patients are generated in index order, so a cursor suffices. 0 when the
 * 999 range is used up (about 909,000 numbers): later patients get no NHS number.
 */
static int nhs_next(uint64_t *cursor, char out[11])
{
	while (*cursor < 1000000) {
		uint64_t v = 999000000ull + (*cursor)++;
		unsigned sum = 0, check;
		char d[9];

		for (int i = 8; i >= 0; i--) {
			d[i] = (char)('0' + v % 10);
			v /= 10;
		}
		for (int i = 0; i < 9; i++)
			sum += (unsigned)(d[i] - '0') * (unsigned)(10 - i);
		check = 11 - sum % 11;
		if (check == 11)
			check = 0;
		if (check == 10)
			continue;
		memcpy(out, d, 9);
		out[9] = (char)('0' + check);
		out[10] = '\0';
		return 1;
	}
	return 0;
}

/*
 * Open an entry and its resource (fullUrl, id, and now and then the meta a GP system export carries).
 * count: the resource takes a place in the patient's budget (encounters reserved theirs earlier).
 */
static void entry_begin(struct gen *g, struct pt *p, int type, const char *uuid, int count)
{
	struct mbuf *b = &g->buf;
	struct span *s;
	int ind = g->ind + 3;

	if (g->nspans == g->capspans) {
		size_t c = g->capspans ? g->capspans * 2 : 256;
		struct span *n = realloc(g->spans, c * sizeof(*n));

		if (!n)
			die("out of memory");
		g->spans = n;
		g->capspans = c;
	}
	s = &g->spans[g->nspans++];
	s->off = b->len;
	s->type = type;
	x_open(b, g->ind, "entry");
	x_begin_val(b, g->ind + 1, "fullUrl");
	mb_puts(b, "urn:uuid:");
	mb_puts(b, uuid);
	x_end_val(b);
	x_open(b, g->ind + 1, "resource");
	x_open(b, g->ind + 2, rt_name[type]);
	x_val(b, ind, "id", uuid);
	if (rng_pm(&p->r, 350)) {
		x_open(b, ind, "meta");
		x_uint(b, ind + 1, "versionId", 1 + rng_below(&p->r, 4));
		x_begin_val(b, ind + 1, "lastUpdated");
		mb_date(b, g->as_of - (int32_t)rng_below(&p->r, 1000));
		mb_puts(b, "T03:00:00Z");
		x_end_val(b);
		x_begin_val(b, ind + 1, "profile");
		mb_puts(b, "https://fhir.hl7.org.uk/StructureDefinition/UKCore-");
		mb_puts(b, rt_name[type]);
		x_end_val(b);
		x_close(b, ind, "meta");
	}
	if (count)
		p->nres++;
	g->resources++;
}

static void entry_end(struct gen *g, int type)
{
	struct mbuf *b = &g->buf;

	x_close(b, g->ind + 2, rt_name[type]);
	x_close(b, g->ind + 1, "resource");
	x_close(b, g->ind, "entry");
	g->spans[g->nspans - 1].len = b->len - g->spans[g->nspans - 1].off;
}

static int room(const struct pt *p, int need)
{
	return p->nres + need <= GEN_MAX_RES;
}

/* day, but never after the as-of date (the list is an extract taken on that date). */
static int32_t not_after(const struct gen *g, int32_t day)
{
	return day > g->as_of ? g->as_of : day;
}

/* A day uniformly in [as_of - max_back, as_of - min_back], never before the 18th birthday. */
static int32_t pick_day(struct gen *g, struct pt *p, int min_back, int max_back)
{
	int32_t d = g->as_of - rng_range(&p->r, min_back, max_back), adult = p->birth + 18 * 365 + 5;

	return d < adult ? not_after(g, adult + (int32_t)rng_below(&p->r, 30)) : d;
}

/* The encounter on day (created when there is room), or -1. */
static int enc_at(struct pt *p, int32_t day, int cls)
{
	for (int i = 0; i < p->nenc; i++)
		if (p->enc_day[i] == day)
			return i;
	if (p->nenc == GEN_MAX_ENC || !room(p, 1))
		return -1;
	p->enc_day[p->nenc] = day;
	p->enc_class[p->nenc] = cls;
	uuid_from(&p->r, p->enc_uuid[p->nenc]);
	p->nres++;  /* reserve its place in the budget now; written at the end */
	return p->nenc++;
}

static void enc_reason(struct pt *p, int e, const struct code *c)
{
	if (e >= 0 && p->nreason[e] < 2)
		p->reason[e][p->nreason[e]++] = c;
}

/* ------------------------------------------------------------------------------------------------ */
/* Resources */

static void gen_patient(struct gen *g, struct pt *p)
{
	struct mbuf *b = &g->buf;
	int ind = g->ind + 3;
	char nhs[11];
	const char *given = p->female ? given_f[rng_below(&p->r, N_OF(given_f))]
				      : given_m[rng_below(&p->r, N_OF(given_m))];
	const char *fam = family[rng_below(&p->r, N_OF(family))];

	entry_begin(g, p, RT_PATIENT, p->uuid, 0);
	if (rng_pm(&p->r, 400))
		x_narr(b, ind, "Synthetic patient record generated for testing; not a real person.");
	if (rng_pm(&p->r, 800)) {
		struct code c;
		unsigned e = rng_pm(&p->r, 700) ? 0 : rng_below(&p->r, N_OF(ethnic));

		c.sys = "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland";
		c.code = ethnic[e][0];
		c.display = ethnic[e][1];
		mb_indent(b, ind);
		mb_puts(b, "<extension url=\"https://fhir.hl7.org.uk/StructureDefinition/"
			   "Extension-UKCore-EthnicCategory\">\n");
		x_cc(b, ind + 1, "valueCodeableConcept", &c);
		x_close(b, ind, "extension");
	}
	if (nhs_next(&g->nhs_cursor, nhs)) {
		x_open(b, ind, "identifier");
		x_val(b, ind + 1, "system", "https://fhir.nhs.uk/Id/nhs-number");
		x_val(b, ind + 1, "value", nhs);
		x_close(b, ind, "identifier");
	}
	x_val(b, ind, "active", "true");
	x_open(b, ind, "name");
	x_val(b, ind + 1, "use", "official");
	x_val(b, ind + 1, "family", fam);
	x_val(b, ind + 1, "given", given);
	x_close(b, ind, "name");
	if (rng_pm(&p->r, 600)) {
		x_open(b, ind, "telecom");
		x_val(b, ind + 1, "system", "phone");
		x_val(b, ind + 1, "value", "01632 960000");  /* Ofcom drama range */
		x_val(b, ind + 1, "use", "home");
		x_close(b, ind, "telecom");
	}
	x_val(b, ind, "gender", p->sex_unknown ? "unknown" : p->female ? "female" : "male");
	if (rng_pm(&p->r, 3)) {  /* a partial birth date (year only) now and then */
		int y, m, d;

		risk_civil_from_day(p->birth, &y, &m, &d);
		x_uint(b, ind, "birthDate", (uint64_t)y);
	} else
		x_date(b, ind, "birthDate", p->birth);
	x_open(b, ind, "address");
	x_val(b, ind + 1, "use", "home");
	x_begin_val(b, ind + 1, "line");
	mb_uint(b, 1 + rng_below(&p->r, 200));
	mb_puts(b, " Example Street");
	x_end_val(b);
	x_val(b, ind + 1, "city", "Testtown");
	x_val(b, ind + 1, "postalCode", "TE5 7ST");
	x_close(b, ind, "address");
	x_ref(b, ind, "generalPractitioner", g->gp_uuid);
	x_ref(b, ind, "managingOrganization", g->org_uuid);
	entry_end(g, RT_PATIENT);
}

/* A coded Condition. day == NO_DAY: no date of its own (the caller links it from an Encounter). */
static void gen_condition(struct gen *g, struct pt *p, const struct code *c, int32_t day, int enc, int resolved,
			  char *uuid_out)
{
	struct mbuf *b = &g->buf;
	int ind = g->ind + 3;
	char uuid[37];

	uuid_from(&p->r, uuid);
	if (uuid_out)
		memcpy(uuid_out, uuid, sizeof(uuid));
	entry_begin(g, p, RT_CONDITION, uuid, 1);
	if (rng_pm(&p->r, 300))
		x_narr(b, ind, c->display ? c->display : "Coded condition");
	x_cc_term(b, ind, "clinicalStatus", "http://terminology.hl7.org/CodeSystem/condition-clinical",
		  resolved ? "resolved" : "active");
	x_cc_term(b, ind, "verificationStatus", "http://terminology.hl7.org/CodeSystem/condition-ver-status",
		  "confirmed");
	x_cc_term(b, ind, "category", "http://terminology.hl7.org/CodeSystem/condition-category",
		  enc >= 0 ? "encounter-diagnosis" : "problem-list-item");
	x_cc(b, ind, "code", c);
	x_ref(b, ind, "subject", p->uuid);
	if (enc >= 0)
		x_ref(b, ind, "encounter", p->enc_uuid[enc]);
	if (day != NO_DAY) {
		if (rng_pm(&p->r, 10)) {  /* a partial date (YYYY-MM) now and then */
			int y, m, d;

			risk_civil_from_day(day, &y, &m, &d);
			x_begin_val(b, ind, "onsetDateTime");
			mb_uint(b, (uint64_t)y);
			mb_puts(b, m < 10 ? "-0" : "-");
			mb_uint(b, (uint64_t)m);
			x_end_val(b);
		} else {
			x_date(b, ind, "onsetDateTime", day);
		}
		x_date(b, ind, "recordedDate", not_after(g, day + (int32_t)rng_below(&p->r, 8)));
	}
	if (rng_pm(&p->r, 150)) {
		x_open(b, ind, "note");
		x_val(b, ind + 1, "text", "Synthetic note: reviewed at annual check.");
		x_close(b, ind, "note");
	}
	entry_end(g, RT_CONDITION);
}

static void gen_obs_begin(struct gen *g, struct pt *p, const char *category, const struct code *c,
			  const struct code *c2, int32_t day)
{
	struct mbuf *b = &g->buf;
	int ind = g->ind + 3;
	char uuid[37];

	uuid_from(&p->r, uuid);
	entry_begin(g, p, RT_OBSERVATION, uuid, 1);
	x_val(b, ind, "status", "final");
	if (category)
		x_cc_term(b, ind, "category", "http://terminology.hl7.org/CodeSystem/observation-category", category);
	x_cc2(b, ind, "code", c, c2, NULL);
	x_ref(b, ind, "subject", p->uuid);
	x_datetime(b, ind, "effectiveDateTime", day, 480 + (int)rng_below(&p->r, 600));
}

static void gen_obs_qty(struct gen *g, struct pt *p, const char *category, const struct code *c,
			const struct code *c2, int32_t day, int64_t v, int dec, const char *unit, const char *ucum)
{
	gen_obs_begin(g, p, category, c, c2, day);
	x_quantity(&g->buf, g->ind + 3, "valueQuantity", v, dec, unit, ucum);
	entry_end(g, RT_OBSERVATION);
}

static void gen_obs_coded(struct gen *g, struct pt *p, const char *category, const struct code *c, int32_t day,
			  const struct code *value)
{
	gen_obs_begin(g, p, category, c, NULL, day);
	if (value)
		x_cc(&g->buf, g->ind + 3, "valueCodeableConcept", value);
	entry_end(g, RT_OBSERVATION);
}

static void gen_bp(struct gen *g, struct pt *p, int32_t day)
{
	struct mbuf *b = &g->buf;
	int ind = g->ind + 3, sys = rng_range(&p->r, 105, 175), dia = rng_range(&p->r, 60, 100);

	gen_obs_begin(g, p, "vital-signs", &bp_panel, NULL, day);
	x_open(b, ind, "component");
	x_cc(b, ind + 1, "code", &bp_sys);
	x_quantity(b, ind + 1, "valueQuantity", sys, 0, "mmHg", "mm[Hg]");
	x_close(b, ind, "component");
	x_open(b, ind, "component");
	x_cc(b, ind + 1, "code", &bp_dia);
	x_quantity(b, ind + 1, "valueQuantity", dia, 0, "mmHg", "mm[Hg]");
	x_close(b, ind, "component");
	entry_end(g, RT_OBSERVATION);
}

static void gen_dosage(struct mbuf *b, int ind, const char *elem, int kind, int dose_mg, int freq)
{
	x_open(b, ind, elem);
	switch (kind) {
	case MK_WEEKLY:
		x_val(b, ind + 1, "text", "One tablet once a week, 30 minutes before breakfast");
		break;
	case MK_MONTHLY:
		x_val(b, ind + 1, "text", "One tablet once a month");
		break;
	case MK_YEARLY:
		x_val(b, ind + 1, "text", "5 mg by intravenous infusion once a year");
		break;
	case MK_6MONTHLY:
		x_val(b, ind + 1, "text", "60 mg by subcutaneous injection every 6 months");
		break;
	case MK_STEROID:
		x_val(b, ind + 1, "text",
		      freq > 1 ? "Take the dose twice a day with food" : "Take the dose once a day with food");
		break;
	default:
		x_val(b, ind + 1, "text", "One tablet daily");
		break;
	}
	x_open(b, ind + 1, "timing");
	x_open(b, ind + 2, "repeat");
	x_uint(b, ind + 3, "frequency", (uint64_t)(freq > 0 ? freq : 1));
	x_uint(b, ind + 3, "period", kind == MK_6MONTHLY ? 6 : 1);
	x_val(b, ind + 3, "periodUnit", kind == MK_WEEKLY ? "wk"
					: kind == MK_MONTHLY || kind == MK_6MONTHLY ? "mo"
					: kind == MK_YEARLY ? "a" : "d");
	x_close(b, ind + 2, "repeat");
	x_close(b, ind + 1, "timing");
	x_open(b, ind + 1, "doseAndRate");
	if (kind == MK_STEROID)
		x_quantity(b, ind + 2, "doseQuantity", dose_mg, 0, "mg", "mg");
	else
		x_quantity(b, ind + 2, "doseQuantity", 1, 0, "tablet", NULL);
	x_close(b, ind + 1, "doseAndRate");
	x_close(b, ind, elem);
}

/* One issue of a medicine: MedicationRequest (or MedicationStatement), coded directly, through a contained
 * Medication, or through a Medication entry of the bundle. */
static void gen_med(struct gen *g, struct pt *p, const struct med *m, int32_t day, int dose_mg, int freq)
{
	struct mbuf *b = &g->buf;
	int ind = g->ind + 3, how = rng_pm(&p->r, 900) ? 0 : rng_pm(&p->r, 500) ? 1 : 2;
	int stmt = rng_pm(&p->r, 80);
	struct code atc;
	char uuid[37], med_uuid[37];

	if (!room(p, how == 2 ? 2 : 1))
		return;
	atc.sys = ATC;
	atc.code = m->atc;
	atc.display = NULL;
	if (how == 2) {  /* a Medication entry elsewhere in the bundle */
		uuid_from(&p->r, med_uuid);
		entry_begin(g, p, RT_MEDICATION, med_uuid, 1);
		x_cc(b, ind, "code", &m->c);
		x_val(b, ind, "status", "active");
		entry_end(g, RT_MEDICATION);
	}
	uuid_from(&p->r, uuid);
	entry_begin(g, p, stmt ? RT_MEDSTMT : RT_MEDREQ, uuid, 1);
	if (how == 1) {
		x_open(b, ind, "contained");
		x_open(b, ind + 1, "Medication");
		x_val(b, ind + 2, "id", "med1");
		x_cc(b, ind + 2, "code", &m->c);
		x_close(b, ind + 1, "Medication");
		x_close(b, ind, "contained");
	}
	/* This schema's MedicationStatement.status only takes Medication.status codes (schemas/README.md). */
	x_val(b, ind, "status", stmt ? "active" : day < g->as_of - 60 ? "completed" : "active");
	if (!stmt) {
		x_val(b, ind, "intent", "order");
		x_cc_term(b, ind, "category", "http://terminology.hl7.org/CodeSystem/medicationrequest-category",
			  "community");
	}
	if (how == 0) {
		x_cc2(b, ind, "medicationCodeableConcept", &m->c, m->atc && rng_pm(&p->r, 150) ? &atc : NULL, NULL);
	} else {
		x_open(b, ind, "medicationReference");
		if (how == 1) {
			x_val(b, ind + 1, "reference", "#med1");
		} else {
			x_begin_val(b, ind + 1, "reference");
			mb_puts(b, "urn:uuid:");
			mb_puts(b, med_uuid);
			x_end_val(b);
		}
		x_close(b, ind, "medicationReference");
	}
	x_ref(b, ind, "subject", p->uuid);
	if (stmt) {
		x_date(b, ind, "effectiveDateTime", day);
		x_date(b, ind, "dateAsserted", day);
		gen_dosage(b, ind, "dosage", m->kind, dose_mg, freq);
	} else {
		x_date(b, ind, "authoredOn", day);
		x_ref(b, ind, "requester", g->gp_uuid);
		gen_dosage(b, ind, "dosageInstruction", m->kind, dose_mg, freq);
		x_open(b, ind, "dispenseRequest");
		x_open(b, ind + 1, "validityPeriod");
		x_date(b, ind + 2, "start", day);
		x_date(b, ind + 2, "end", day + 180);
		x_close(b, ind + 1, "validityPeriod");
		x_uint(b, ind + 1, "numberOfRepeatsAllowed", 0);
		x_quantity(b, ind + 1, "quantity", m->kind == MK_DAILY || m->kind == MK_STEROID ? 28 : 4, 0,
			   "tablet", NULL);
		x_quantity(b, ind + 1, "expectedSupplyDuration", 28, 0, "days", "d");
		x_close(b, ind, "dispenseRequest");
	}
	entry_end(g, stmt ? RT_MEDSTMT : RT_MEDREQ);
}

static void gen_procedure(struct gen *g, struct pt *p, const struct code *c, int32_t day)
{
	struct mbuf *b = &g->buf;
	int ind = g->ind + 3;
	char uuid[37];

	if (!room(p, 1))
		return;
	uuid_from(&p->r, uuid);
	entry_begin(g, p, RT_PROCEDURE, uuid, 1);
	x_val(b, ind, "status", "completed");
	x_cc(b, ind, "code", c);
	x_ref(b, ind, "subject", p->uuid);
	x_datetime(b, ind, "performedDateTime", day, 540 + (int)rng_below(&p->r, 480));
	entry_end(g, RT_PROCEDURE);
}

/*
 * One fracture: SNOMED as a dated Condition (most), or ICD-10 (secondary care) either dated or, half of the
 * time, undated and named by an inpatient Encounter's diagnosis. Sometimes a repeat code in the same
 * episode, and a fixation procedure for hips.
 */
static void gen_fracture(struct gen *g, struct pt *p, int site, int32_t day)
{
	const struct code *c;
	int icd = rng_pm(&p->r, 200);

	if (!room(p, 2))
		return;
	c = icd ? &fx_icd[site][rng_below(&p->r, 3)] : &fx_sct[site][rng_below(&p->r, 3)];
	if (icd && rng_pm(&p->r, 500)) {
		int e = enc_at(p, day, 2);

		if (e >= 0 && p->ndiag[e] < GEN_MAX_DIAG) {
			gen_condition(g, p, c, NO_DAY, -1, 0, p->diag[e][p->ndiag[e]]);
			p->ndiag[e]++;
		} else {
			gen_condition(g, p, c, day, -1, 0, NULL);
		}
	} else {
		gen_condition(g, p, c, day, -1, day < g->as_of - 365, NULL);
	}
	p->fractures++;
	if (rng_pm(&p->r, 250))
		gen_condition(g, p, &fx_sct[site][rng_below(&p->r, 3)], not_after(g, day + rng_range(&p->r, 1, 60)), -1,
			      1, NULL);
	if (site == S_HIP && rng_pm(&p->r, 700))
		gen_procedure(g, p, &hip_fixation, not_after(g, day + 1));
}

/* One fall, sometimes with an injury (same encounter or within days), sometimes with a fracture. */
static void gen_fall(struct gen *g, struct pt *p, int32_t day)
{
	if (!room(p, 2))
		return;
	if (rng_pm(&p->r, 300)) {
		int e = enc_at(p, day, 1);

		enc_reason(p, e, &fall_icd[rng_below(&p->r, N_OF(fall_icd))]);
		if (rng_pm(&p->r, 450))
			enc_reason(p, e, &injury_icd[rng_below(&p->r, N_OF(injury_icd))]);
	} else {
		gen_condition(g, p, &fall_sct[rng_below(&p->r, N_OF(fall_sct))], day, -1, 1, NULL);
		if (rng_pm(&p->r, 150))
			gen_condition(g, p, &injury_icd[rng_below(&p->r, N_OF(injury_icd))],
				      not_after(g, day + rng_range(&p->r, 0, 3)), -1, 1, NULL);
	}
	if (p->age >= 50 && rng_pm(&p->r, 80))
		gen_fracture(g, p, rng_pm(&p->r, 500) ? S_WRIST : S_HIP, day);
}

static void gen_encounters(struct gen *g, struct pt *p)
{
	struct mbuf *b = &g->buf;
	int ind = g->ind + 3;
	static const char *const cls[3][2] = { { "AMB", "ambulatory" }, { "EMER", "emergency" },
					       { "IMP", "inpatient encounter" } };

	for (int e = 0; e < p->nenc; e++) {
		struct code c = { "http://terminology.hl7.org/CodeSystem/v3-ActCode", cls[p->enc_class[e]][0],
				  cls[p->enc_class[e]][1] };

		entry_begin(g, p, RT_ENCOUNTER, p->enc_uuid[e], 0);  /* counted by enc_at */
		if (rng_pm(&p->r, 250))
			x_narr(b, ind, "Consultation (synthetic).");
		x_val(b, ind, "status", "finished");
		x_open(b, ind, "class");
		x_coding_body(b, ind + 1, &c);
		x_close(b, ind, "class");
		x_cc(b, ind, "type", &enc_types[rng_below(&p->r, N_OF(enc_types))]);
		x_ref(b, ind, "subject", p->uuid);
		x_open(b, ind, "participant");
		x_ref(b, ind + 1, "individual", g->gp_uuid);
		x_close(b, ind, "participant");
		x_open(b, ind, "period");
		x_datetime(b, ind + 1, "start", p->enc_day[e], 480 + (int)rng_below(&p->r, 600));
		if (p->enc_class[e] == 2)
			x_date(b, ind + 1, "end", not_after(g, p->enc_day[e] + rng_range(&p->r, 2, 14)));
		x_close(b, ind, "period");
		for (int i = 0; i < p->nreason[e]; i++)
			x_cc(b, ind, "reasonCode", p->reason[e][i]);
		for (int i = 0; i < p->ndiag[e]; i++) {
			x_open(b, ind, "diagnosis");
			x_ref(b, ind + 1, "condition", p->diag[e][i]);
			x_uint(b, ind + 1, "rank", (uint64_t)i + 1);
			x_close(b, ind, "diagnosis");
		}
		x_ref(b, ind, "serviceProvider", g->org_uuid);
		entry_end(g, RT_ENCOUNTER);
	}
}

static void gen_family_history(struct gen *g, struct pt *p)
{
	struct mbuf *b = &g->buf;
	int ind = g->ind + 3, mother = rng_pm(&p->r, 700);
	struct code rel = { "http://terminology.hl7.org/CodeSystem/v3-RoleCode", mother ? "MTH" : "FTH",
			    mother ? "mother" : "father" };
	char uuid[37];

	if (!room(p, 1))
		return;
	uuid_from(&p->r, uuid);
	entry_begin(g, p, RT_FMH, uuid, 1);
	x_val(b, ind, "status", "completed");
	x_ref(b, ind, "patient", p->uuid);
	x_date(b, ind, "date", pick_day(g, p, 30, 3000));
	x_cc(b, ind, "relationship", &rel);
	x_open(b, ind, "condition");
	x_cc(b, ind + 1, "code", rng_pm(&p->r, 600) ? &fx_sct[S_HIP][0] : &osteoporosis);
	x_close(b, ind, "condition");
	entry_end(g, RT_FMH);
}

static void gen_allergy(struct gen *g, struct pt *p)
{
	struct mbuf *b = &g->buf;
	int ind = g->ind + 3;
	char uuid[37];

	if (!room(p, 1))
		return;
	uuid_from(&p->r, uuid);
	entry_begin(g, p, RT_ALLERGY, uuid, 1);
	x_narr(b, ind, "Allergy to penicillin: rash (synthetic).");
	x_cc_term(b, ind, "clinicalStatus", "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
		  "active");
	x_cc_term(b, ind, "verificationStatus",
		  "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed");
	x_val(b, ind, "type", "allergy");
	x_val(b, ind, "category", "medication");
	x_val(b, ind, "criticality", "low");
	x_cc(b, ind, "code", &allergy_pen);
	x_ref(b, ind, "patient", p->uuid);
	x_date(b, ind, "recordedDate", pick_day(g, p, 100, 7000));
	x_open(b, ind, "reaction");
	x_cc2(b, ind + 1, "manifestation", NULL, NULL, "Rash");
	x_close(b, ind, "reaction");
	entry_end(g, RT_ALLERGY);
}

static void gen_immunization(struct gen *g, struct pt *p, int32_t day)
{
	struct mbuf *b = &g->buf;
	int ind = g->ind + 3;
	char uuid[37];

	if (!room(p, 1))
		return;
	uuid_from(&p->r, uuid);
	entry_begin(g, p, RT_IMMUNIZATION, uuid, 1);
	x_val(b, ind, "status", "completed");
	x_cc2(b, ind, "vaccineCode", NULL, NULL, "Influenza vaccine (synthetic record)");
	x_ref(b, ind, "patient", p->uuid);
	x_datetime(b, ind, "occurrenceDateTime", day, 540 + (int)rng_below(&p->r, 480));
	x_val(b, ind, "primarySource", "true");
	x_val(b, ind, "lotNumber", "SYN0001");
	entry_end(g, RT_IMMUNIZATION);
}

/* A series of issues of one medicine, every `every` days going back from about `last_back` days ago. */
static void gen_series(struct gen *g, struct pt *p, const struct med *m, int issues, int every, int last_back,
		       int dose_mg, int freq)
{
	int32_t day = g->as_of - last_back;

	for (int i = 0; i < issues && room(p, 1); i++, day -= every)
		if (day > p->birth + 18 * 365)
			gen_med(g, p, m, day, dose_mg, freq);
}

/* Everything about one patient, in the order it is written for --order contiguous. */
static void gen_one(struct gen *g, uint64_t idx)
{
	struct pt pt;
	struct pt *p = &pt;
	int r, heavy;

	memset(p, 0, sizeof(*p));
	p->idx = idx;
	rng_seed(&p->r, g->seed, idx);
	uuid_from(&p->r, p->uuid);
	p->sex_unknown = rng_pm(&p->r, 5);
	p->female = rng_pm(&p->r, 520);
	r = (int)rng_below(&p->r, 1000);
	/* An adult practice list leaning old: a third under 50, a quarter 75 or over. */
	p->age = r < 330 ? rng_range(&p->r, 18, 49) : r < 750 ? rng_range(&p->r, 50, 74)
		 : r < 960 ? rng_range(&p->r, 75, 89) : rng_range(&p->r, 90, 101);
	p->birth = g->as_of - (int32_t)(p->age * 36525 / 100) - (int32_t)rng_below(&p->r, 365);
	p->age = completed_years(p->birth, g->as_of);
	gen_patient(g, p);

	/* About 1 in 20 has nothing but the Patient resource. */
	if (rng_pm(&p->r, 50))
		goto done;
	heavy = p->age >= 75 ? 2 : p->age >= 50 ? 1 : 0;

	for (int i = 0, n = rng_range(&p->r, 0, 2 + heavy * 3); i < n; i++)
		enc_at(p, pick_day(g, p, 0, 1500), 0);

	for (size_t i = 0; i < N_OF(comorbs); i++) {
		const struct comorb *c = &comorbs[i];
		unsigned pm = heavy == 2 ? c->pm_old : heavy ? c->pm_mid : c->pm_young;

		if ((c->female_only && !p->female) || !rng_pm(&p->r, pm) || !room(p, 1))
			continue;
		if (i == 16)
			p->hyperten = 1;
		if (i == 17)
			p->lipids = 1;
		if (i == 2)
			p->t2dm = 1;
		gen_condition(g, p, &c->c, pick_day(g, p, 10, 5000), -1, 0, NULL);
	}
	if (p->age >= 50 && rng_pm(&p->r, p->female ? (p->age >= 65 ? 160u : 50u) : 30u)) {
		p->osteo = 1;
		gen_condition(g, p, &osteoporosis, pick_day(g, p, 30, 3000), -1, 0, NULL);
	}

	/* Fractures: more with age, more for women. */
	if (rng_pm(&p->r, (unsigned)(p->age < 50 ? 60 : (p->female ? 150 : 80) + (p->age >= 75 ? 80 : 0)))) {
		int n = rng_pm(&p->r, 200) ? 2 : 1;

		for (int k = 0; k < n; k++) {
			unsigned s = rng_below(&p->r, 1000), acc = 0;
			int site = 0;

			while (site < S__N - 1 && s >= acc + site_pm[site])
				acc += site_pm[site++];
			gen_fracture(g, p, site, pick_day(g, p, 0, 4000));
		}
	}
	if (p->age >= 50 && rng_pm(&p->r, 20))
		gen_condition(g, p, &fx_history[rng_below(&p->r, N_OF(fx_history))], pick_day(g, p, 100, 4000), -1, 0,
			      NULL);

	/* Falls: common after 65. */
	if (rng_pm(&p->r, (unsigned)(p->age >= 75 ? 300 : p->age >= 65 ? 180 : p->age >= 50 ? 70 : 20))) {
		int n = rng_range(&p->r, 1, 3);

		for (int k = 0; k < n; k++)
			gen_fall(g, p, pick_day(g, p, 0, 700));
		if (n > 1 && rng_pm(&p->r, 300))
			gen_condition(g, p, &fall_recurrent, pick_day(g, p, 0, 300), -1, 0, NULL);
	}
	if (p->age >= 65 && rng_pm(&p->r, 280)) {
		unsigned f = rng_below(&p->r, 100);

		gen_obs_coded(g, p, NULL, &frailty[f < 60 ? 0 : f < 88 ? 1 : 2], pick_day(g, p, 0, 1000), NULL);
	}
	if (p->age >= 65 && rng_pm(&p->r, 450))
		gen_obs_qty(g, p, "survey", &obs_efi, NULL, pick_day(g, p, 0, 800), rng_range(&p->r, 2, 50), 2, NULL,
			    NULL);
	if (p->age >= 75 && rng_pm(&p->r, p->age >= 85 ? 120u : 40u))
		gen_obs_coded(g, p, "social-history", &care_home[rng_below(&p->r, N_OF(care_home))],
			      pick_day(g, p, 0, 1500), NULL);

	/* Observations that fill a record and feed QFracture. */
	for (int i = 0, n = rng_range(&p->r, 0, 3 + heavy * 2); i < n && room(p, 1); i++)
		gen_bp(g, p, pick_day(g, p, 0, 2000));
	if (rng_pm(&p->r, 750)) {
		int32_t d = pick_day(g, p, 0, 1800);
		int ht = p->female ? rng_range(&p->r, 150, 175) : rng_range(&p->r, 162, 190);
		int bmi10 = rng_range(&p->r, 180, 380), wt10 = bmi10 * ht * ht / 10000;

		gen_obs_qty(g, p, "vital-signs", &obs_bmi_l, rng_pm(&p->r, 300) ? &obs_bmi_s : NULL, d, bmi10, 1,
			    "kg/m2", "kg/m2");
		if (room(p, 2)) {
			gen_obs_qty(g, p, "vital-signs", &obs_wt, NULL, d, wt10, 1, "kg", "kg");
			gen_obs_qty(g, p, "vital-signs", &obs_ht, NULL, d, ht, 0, "cm", "cm");
		}
	}
	if (rng_pm(&p->r, 850) && room(p, 1)) {
		unsigned s = rng_below(&p->r, 100);
		const struct code *v = &smoke_vals[s < 55 ? 0 : s < 85 ? 1 : 2];

		if (rng_pm(&p->r, 500))
			gen_obs_coded(g, p, "social-history", &obs_smoke, pick_day(g, p, 0, 1500), v);
		else
			gen_obs_coded(g, p, "social-history", v, pick_day(g, p, 0, 1500), NULL);
	}
	if (rng_pm(&p->r, 500) && room(p, 1)) {
		if (rng_pm(&p->r, 600))
			gen_obs_qty(g, p, "social-history", &obs_alcohol, NULL, pick_day(g, p, 0, 1500),
				    rng_range(&p->r, 0, 40), 0, "units/week", "/wk");
		else
			gen_obs_coded(g, p, "social-history", &alcohol_finding[rng_below(&p->r, N_OF(alcohol_finding))],
				      pick_day(g, p, 0, 1500), NULL);
	}
	if ((p->osteo || p->fractures) && p->age >= 50 && rng_pm(&p->r, 400))
		gen_obs_qty(g, p, "imaging", &dxa[rng_below(&p->r, N_OF(dxa))], NULL, pick_day(g, p, 0, 1500),
			    -rng_range(&p->r, 5, 42), 1, "T-score", NULL);

	/* Medicines. */
	if ((p->osteo || p->fractures) && p->age >= 50 && rng_pm(&p->r, 450)) {
		unsigned k = rng_below(&p->r, 100);
		const struct med *m = &bone_meds[k < 55 ? 0 : k < 70 ? 1 : k < 78 ? 2 : k < 88 ? 3 : 4];
		int last = rng_range(&p->r, 5, 500);

		switch (m->kind) {
		case MK_YEARLY:
			gen_series(g, p, m, rng_range(&p->r, 1, 3), 365, last, 0, 1);
			break;
		case MK_6MONTHLY:
			gen_series(g, p, m, rng_range(&p->r, 1, 5), 182, last, 0, 1);
			break;
		default:
			gen_series(g, p, m, rng_range(&p->r, 1, 8), rng_pm(&p->r, 500) ? 84 : 56, last, 0, 1);
			break;
		}
	}
	if (rng_pm(&p->r, p->age >= 50 ? 40u : 15u)) {
		const struct med *m = &steroid_meds[rng_below(&p->r, N_OF(steroid_meds))];
		int mg = rng_pm(&p->r, 500) ? 5 * rng_range(&p->r, 1, 6) : rng_range(&p->r, 2, 10);

		gen_series(g, p, m, rng_range(&p->r, 1, 5), rng_range(&p->r, 25, 60), rng_range(&p->r, 0, 400), mg,
			   rng_pm(&p->r, 200) ? 2 : 1);
	}
	if (rng_pm(&p->r, 120))
		gen_series(g, p, &other_meds[rng_pm(&p->r, 500) ? OM_AMITRIP : OM_CITALO], rng_range(&p->r, 1, 4), 56,
			   rng_range(&p->r, 0, 600), 0, 1);
	if (rng_pm(&p->r, 15))
		gen_series(g, p, &other_meds[OM_ARBIL], rng_range(&p->r, 1, 3), 56, rng_range(&p->r, 0, 300), 0, 1);
	if (p->female && p->age >= 45 && p->age <= 65 && rng_pm(&p->r, 60))
		gen_series(g, p, &other_meds[OM_ESTRA], rng_range(&p->r, 1, 3), 84, rng_range(&p->r, 0, 300), 0, 1);
	if (p->hyperten && rng_pm(&p->r, 700))
		gen_series(g, p, &other_meds[OM_AMLO], rng_range(&p->r, 1, 3), 56, rng_range(&p->r, 0, 90), 0, 1);
	if (p->lipids && rng_pm(&p->r, 700))
		gen_series(g, p, &other_meds[OM_ATORVA], rng_range(&p->r, 1, 3), 56, rng_range(&p->r, 0, 90), 0, 1);
	if (p->t2dm && rng_pm(&p->r, 700))
		gen_series(g, p, &other_meds[OM_METF], rng_range(&p->r, 1, 3), 56, rng_range(&p->r, 0, 90), 0, 1);
	if (rng_pm(&p->r, 150))
		gen_series(g, p, &other_meds[OM_PARA], rng_range(&p->r, 1, 2), 90, rng_range(&p->r, 0, 700), 0, 1);

	/* Records libfls has no use for, which its reader must skip cheaply. */
	if (rng_pm(&p->r, 40))
		gen_family_history(g, p);
	if (rng_pm(&p->r, 200))
		gen_allergy(g, p);
	for (int i = 0, n = p->age >= 65 ? rng_range(&p->r, 1, 5) : rng_range(&p->r, 0, 1); i < n; i++)
		gen_immunization(g, p, pick_day(g, p, 20 + 365 * i, 200 + 365 * i));
	gen_encounters(g, p);
done:
	return;
}

/* ------------------------------------------------------------------------------------------------ */
/* Output assembly */

static void out_write(struct gen *g, const char *s, size_t n)
{
	if (n && fwrite(s, 1, n, g->out) != n)
		die("write failed");
}

static void out_puts(struct gen *g, const char *s)
{
	out_write(g, s, strlen(s));
}

/* The practice's Organization and GP (shared, referenced by every patient), written once at the top. */
static void gen_shared(struct gen *g)
{
	struct mbuf *b = &g->buf;
	int ind = g->ind + 3;
	struct rng r;

	rng_seed(&r, g->seed, UINT64_MAX);
	uuid_from(&r, g->org_uuid);
	uuid_from(&r, g->gp_uuid);
	x_open(b, g->ind, "entry");
	x_begin_val(b, g->ind + 1, "fullUrl");
	mb_puts(b, "urn:uuid:");
	mb_puts(b, g->org_uuid);
	x_end_val(b);
	x_open(b, g->ind + 1, "resource");
	x_open(b, g->ind + 2, "Organization");
	x_val(b, ind, "id", g->org_uuid);
	x_narr(b, ind, "Example Surgery, a synthetic general practice.");
	x_open(b, ind, "identifier");
	x_val(b, ind + 1, "system", "https://fhir.nhs.uk/Id/ods-organization-code");
	x_val(b, ind + 1, "value", "Z99999");
	x_close(b, ind, "identifier");
	x_val(b, ind, "active", "true");
	x_val(b, ind, "name", "Example Surgery (synthetic)");
	x_open(b, ind, "address");
	x_val(b, ind + 1, "line", "1 Surgery Lane");
	x_val(b, ind + 1, "city", "Testtown");
	x_val(b, ind + 1, "postalCode", "TE5 7SU");
	x_close(b, ind, "address");
	x_close(b, g->ind + 2, "Organization");
	x_close(b, g->ind + 1, "resource");
	x_close(b, g->ind, "entry");

	x_open(b, g->ind, "entry");
	x_begin_val(b, g->ind + 1, "fullUrl");
	mb_puts(b, "urn:uuid:");
	mb_puts(b, g->gp_uuid);
	x_end_val(b);
	x_open(b, g->ind + 1, "resource");
	x_open(b, g->ind + 2, "Practitioner");
	x_val(b, ind, "id", g->gp_uuid);
	x_narr(b, ind, "Dr Doctor Example, general practitioner (synthetic).");
	x_open(b, ind, "identifier");
	x_val(b, ind + 1, "system", "https://fhir.hl7.org.uk/Id/gmc-number");
	x_val(b, ind + 1, "value", "C9999991");
	x_close(b, ind, "identifier");
	x_open(b, ind, "name");
	x_val(b, ind + 1, "family", "Example");
	x_val(b, ind + 1, "given", "Doctor");
	x_val(b, ind + 1, "prefix", "Dr");
	x_close(b, ind, "name");
	x_close(b, g->ind + 2, "Practitioner");
	x_close(b, g->ind + 1, "resource");
	x_close(b, g->ind, "entry");
	out_write(g, b->p, b->len);
	b->len = 0;
}

static void flush_block(struct gen *g, uint64_t block)
{
	struct rng r;

	rng_seed(&r, g->seed ^ 0x5bd1e995u, block);
	for (size_t i = g->nspans; i > 1; i--) {  /* Fisher-Yates */
		size_t j = rng_below(&r, (uint32_t)i);
		struct span t = g->spans[i - 1];

		g->spans[i - 1] = g->spans[j];
		g->spans[j] = t;
	}
	for (size_t i = 0; i < g->nspans; i++)
		out_write(g, g->buf.p + g->spans[i].off, g->spans[i].len);
	g->buf.len = 0;
	g->nspans = 0;
}

static void run(struct gen *g)
{
	char head[512];
	char asof[11];
	struct mbuf tmp = { 0 };
	int n;

	mb_date(&tmp, g->as_of);
	memcpy(asof, tmp.p, 10);
	asof[10] = '\0';
	free(tmp.p);
	n = snprintf(head, sizeof(head),
		     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<!-- Synthetic practice list from fls-gen-practice: %llu patients, seed %llu, as-of %s, "
		     "order %s%s.\n"
		     "     SYNTHETIC DATA ONLY: not real patients. -->\n"
		     "<Bundle xmlns=\"http://hl7.org/fhir\">\n"
		     "  <id value=\"synthetic-practice-%llu\"/>\n"
		     "  <type value=\"collection\"/>\n"
		     "  <timestamp value=\"%sT06:00:00Z\"/>\n",
		     (unsigned long long)g->patients, (unsigned long long)g->seed, asof,
		     g->order == ORD_SHUFFLED ? "shuffled" : g->order == ORD_BYTYPE ? "by-type" : "contiguous",
		     g->nested ? ", bundle per patient" : "", (unsigned long long)g->seed, asof);
	if (n < 0 || (size_t)n >= sizeof(head))
		die("header too long");
	out_puts(g, head);
	g->ind = 1;
	gen_shared(g);

	if (g->order == ORD_BYTYPE)
		for (int t = 0; t < RT__N; t++)
			if (!(g->tmp[t] = tmpfile()))
				die("cannot create a temporary file");
	if (g->nested)
		g->ind = 4;
	for (uint64_t i = 0; i < g->patients; i++) {
		gen_one(g, i);
		if (g->nested) {
			struct rng r;
			char uuid[37];

			rng_seed(&r, g->seed ^ 0xb5ad4eceda1ce2a9ull, i);
			uuid_from(&r, uuid);
			out_puts(g, "  <entry>\n    <fullUrl value=\"urn:uuid:");
			out_puts(g, uuid);
			out_puts(g, "\"/>\n    <resource>\n      <Bundle>\n        <id value=\"");
			out_puts(g, uuid);
			out_puts(g, "\"/>\n        <type value=\"collection\"/>\n");
			out_write(g, g->buf.p, g->buf.len);
			out_puts(g, "      </Bundle>\n    </resource>\n  </entry>\n");
			g->buf.len = 0;
			g->nspans = 0;
		} else if (g->order == ORD_CONTIGUOUS) {
			out_write(g, g->buf.p, g->buf.len);
			g->buf.len = 0;
			g->nspans = 0;
		} else if (g->order == ORD_SHUFFLED) {
			if ((i + 1) % GEN_BLOCK == 0 || i + 1 == g->patients)
				flush_block(g, i / GEN_BLOCK);
		} else {
			for (size_t k = 0; k < g->nspans; k++)
				if (fwrite(g->buf.p + g->spans[k].off, 1, g->spans[k].len, g->tmp[g->spans[k].type]) !=
				    g->spans[k].len)
					die("temporary file write failed");
			g->buf.len = 0;
			g->nspans = 0;
		}
	}
	if (g->order == ORD_BYTYPE) {
		char *chunk = malloc(GEN_OUTBUF);

		if (!chunk)
			die("out of memory");
		for (int t = 0; t < RT__N; t++) {
			size_t got;

			if (fflush(g->tmp[t]) != 0 || fseek(g->tmp[t], 0, SEEK_SET) != 0)
				die("temporary file error");
			while ((got = fread(chunk, 1, GEN_OUTBUF, g->tmp[t])) > 0)
				out_write(g, chunk, got);
			if (ferror(g->tmp[t]))
				die("temporary file read failed");
			fclose(g->tmp[t]);
			g->tmp[t] = NULL;
		}
		free(chunk);
	}
	out_puts(g, "</Bundle>\n");
}

/* ------------------------------------------------------------------------------------------------ */
/* Command line */

static void usage(FILE *f)
{
	fputs("usage: fls-gen-practice --patients N --seed S [--as-of YYYY-MM-DD]\n"
	      "                        [--order contiguous|shuffled|by-type] [--bundle-per-patient] -o FILE\n"
	      "Writes one FHIR R4 XML collection Bundle of N synthetic patients (FILE '-' = stdout).\n"
	      "The same seed always gives the same file. Default as-of: 2026-11-01.\n", f);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int parse_date(const char *s, int32_t *out)
{
	uint64_t y, m, d;
	char buf[5];

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	memcpy(buf, s, 4);
	buf[4] = '\0';
	if (parse_u64(buf, 9999, &y) != 0 || y < 1900)
		return -1;
	memcpy(buf, s + 5, 2);
	buf[2] = '\0';
	if (parse_u64(buf, 12, &m) != 0 || m < 1)
		return -1;
	memcpy(buf, s + 8, 2);
	buf[2] = '\0';
	if (parse_u64(buf, 31, &d) != 0 || d < 1)
		return -1;
	*out = risk_day_from_civil((int)y, (int)m, (int)d);
	{
		int yy, mm, dd;

		risk_civil_from_day(*out, &yy, &mm, &dd);
		if (mm != (int)m || dd != (int)d)
			return -1;  /* 2026-02-30 */
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct gen g;
	const char *path = NULL;
	static char obuf[GEN_OUTBUF];
	int have_n = 0, have_seed = 0, rc = 0;

	memset(&g, 0, sizeof(g));
	g.as_of = risk_day_from_civil(2026, 11, 1);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--bundle-per-patient")) {
			g.nested = 1;
			continue;
		}
		if (!v) {
			usage(stderr);
			return 64;
		}
		i++;
		if (!strcmp(a, "--patients")) {
			if (parse_u64(v, 100000000, &g.patients) != 0) {
				fprintf(stderr, "fls-gen-practice: --patients wants 0..100000000\n");
				return 64;
			}
			have_n = 1;
		} else if (!strcmp(a, "--seed")) {
			if (parse_u64(v, UINT64_MAX, &g.seed) != 0) {
				fprintf(stderr, "fls-gen-practice: --seed wants an unsigned integer\n");
				return 64;
			}
			have_seed = 1;
		} else if (!strcmp(a, "--as-of")) {
			if (parse_date(v, &g.as_of) != 0) {
				fprintf(stderr, "fls-gen-practice: --as-of wants a date YYYY-MM-DD\n");
				return 64;
			}
		} else if (!strcmp(a, "--order")) {
			if (!strcmp(v, "contiguous"))
				g.order = ORD_CONTIGUOUS;
			else if (!strcmp(v, "shuffled"))
				g.order = ORD_SHUFFLED;
			else if (!strcmp(v, "by-type"))
				g.order = ORD_BYTYPE;
			else {
				fprintf(stderr, "fls-gen-practice: --order is contiguous, shuffled or by-type\n");
				return 64;
			}
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			path = v;
		} else {
			usage(stderr);
			return 64;
		}
	}
	if (!have_n || !have_seed || !path) {
		usage(stderr);
		return 64;
	}
	if (g.nested && g.order != ORD_CONTIGUOUS) {
		fprintf(stderr, "fls-gen-practice: --bundle-per-patient keeps each patient together; use it with "
				"--order contiguous\n");
		return 64;
	}
	g.out = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	if (!g.out) {
		fprintf(stderr, "fls-gen-practice: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	setvbuf(g.out, obuf, _IOFBF, sizeof(obuf));  /* a failure only costs speed */
	run(&g);
	if (fflush(g.out) != 0 || (g.out != stdout && fclose(g.out) != 0)) {
		fprintf(stderr, "fls-gen-practice: writing %s failed: %s\n", path, strerror(errno));
		rc = 1;
	}
	free(g.buf.p);
	free(g.spans);
	return rc;
}
