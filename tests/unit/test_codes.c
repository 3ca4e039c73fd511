/*
 * Code sets: loader, matching rules (clinical-rules 7.1, D4, 7.2.1), version digest and error reporting.
 * Expected values come from the CSV files themselves (read here with a separate minimal parser), the
 * codes README and the spec, never from the loader's own output.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, readdir, ftruncate */

#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "codes/bone_class.h"
#include "codes/codeset.h"
#include "codes/concepts.h"
#include "codes/csv.h"
#include "codes/gcequiv.h"
#include "test_util.h"

#define SCT "http://snomed.info/sct"
#define DMD "https://dmd.nhs.uk"
#define ICD "http://hl7.org/fhir/sid/icd-10"
#define ATC "http://www.whocc.no/atc"
#define LOINC "http://loinc.org"
#define B(c) CONCEPT_BIT(CONCEPT_##c)

struct fixture {
	struct codes_set *cs;
	char dir[1024];   /* the installed code sets: $FLS_DATADIR/codes */
};

/* ---- independent minimal CSV reading (not the loader's reader) ---- */

struct trow {
	char f[4][1024];
};

/*
 * Calls fn for every data row (header skipped) of path; returns the number of rows, -1 on I/O error.
 * Fields are split on commas outside quotes; quotes are removed and "" becomes ".
 */
static long t_rows(const char *path, void (*fn)(const struct trow *r, void *ctx), void *ctx)
{
	size_t len = 0;
	char *s = tu_read_file(path, &len);
	struct trow r;
	long rows = -1;
	size_t fi = 0, fl = 0;
	int q = 0;

	if (!s)
		return -1;
	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i <= len; i++) {
		char ch = i < len ? s[i] : '\n';

		if (i == len && fi == 0 && fl == 0)
			break;  /* the file ended with a newline */
		if (q) {
			if (ch == '"' && i + 1 < len && s[i + 1] == '"') {
				i++;
			} else if (ch == '"') {
				q = 0;
				continue;
			}
		} else if (ch == '"') {
			q = 1;
			continue;
		} else if (ch == ',') {
			fi++;
			fl = 0;
			continue;
		} else if (ch == '\r') {
			continue;
		} else if (ch == '\n') {
			if (rows >= 0 && fn)
				fn(&r, ctx);
			rows++;
			memset(&r, 0, sizeof(r));
			fi = fl = 0;
			continue;
		}
		if (fi < 4 && fl + 1 < sizeof(r.f[0]))
			r.f[fi][fl++] = ch;
	}
	free(s);
	return rows;
}

static const char *t_path(const char *dir, const char *name, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%s/%s", dir, name);

	assert_true(n > 0 && (size_t)n < cap);
	return buf;
}

static const char *t_concept_file(int c, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%s.csv", concept_name(c));

	assert_true(n > 0 && (size_t)n < cap);
	return buf;
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	static struct fixture fx;
	struct fls_diag d = { { 0 } };
	const char *datadir = tu_env("FLS_DATADIR");
	fls_status st;
	int n;

	if (!datadir) {
		fprintf(stderr, "FLS_DATADIR is not set (run under ctest)\n");
		return -1;
	}
	n = snprintf(fx.dir, sizeof(fx.dir), "%s/codes", datadir);
	if (n < 0 || (size_t)n >= sizeof(fx.dir))
		return -1;
	st = codes_load(&fx.cs, &fls_mem_libc, fx.dir, &d);
	if (st != FLS_OK) {
		fprintf(stderr, "codes_load(%s): %d %s\n", fx.dir, st, d.msg);
		return -1;
	}
	*state = &fx;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *fx = *state;

	if (fx)
		codes_free(fx->cs);
	return 0;
}

/* One lookup into a fresh match; returns the match, asserting the return value is hit. */
static struct codes_match t_look(const struct codes_set *cs, const char *sys, const char *code, int hit)
{
	struct codes_match m;

	memset(&m, 0, sizeof(m));
	assert_int_equal(codes_lookup(cs, sys, strlen(sys), code, strlen(code), &m), hit);
	if (!hit) {
		assert_true(m.concepts == 0);
		assert_int_equal(m.flags, 0);
	}
	return m;
}

#define FRACTURE_FILES (CONCEPT_FRACTURE_CONTEST_MASK | B(FRACTURE_VERTEBRAL_MULTIPLE) | B(FRACTURE_HISTORY))

/* ---- tests ---- */

static int t_name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void version_is_value_plus_digest(void **state)
{
	struct fixture *fx = *state;
	const char *v = codes_version(fx->cs);
	char path[1200], want[128], names[CONCEPT__FILE_COUNT + 2][64];
	unsigned char md[32], fmd[32];
	unsigned int mdlen;
	size_t vlen = 0, n = 0;
	char *vf;
	EVP_MD_CTX *ctx;

	/* "<VERSION trimmed>+sha256:<12 hex>" where the digest is over (name NUL sha256(bytes)), sorted. */
	vf = tu_read_file(t_path(fx->dir, "VERSION", path, sizeof(path)), &vlen);
	assert_non_null(vf);
	while (vlen && (vf[vlen - 1] == '\n' || vf[vlen - 1] == '\r' || vf[vlen - 1] == ' '))
		vf[--vlen] = '\0';
	for (int c = 0; c < CONCEPT__FILE_COUNT; c++)
		t_concept_file(c, names[n++], sizeof(names[0]));
	snprintf(names[n++], sizeof(names[0]), "glucocorticoid_pred_equiv.csv");
	snprintf(names[n++], sizeof(names[0]), "VERSION");
	qsort(names, n, sizeof(names[0]), t_name_cmp);
	ctx = EVP_MD_CTX_new();
	assert_non_null(ctx);
	assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;
		char *buf = tu_read_file(t_path(fx->dir, names[i], path, sizeof(path)), &len);

		assert_non_null(buf);
		assert_int_equal(EVP_Digest(buf, len, fmd, &mdlen, EVP_sha256(), NULL), 1);
		free(buf);
		EVP_DigestUpdate(ctx, names[i], strlen(names[i]) + 1);
		EVP_DigestUpdate(ctx, fmd, sizeof(fmd));
	}
	assert_int_equal(EVP_DigestFinal_ex(ctx, md, &mdlen), 1);
	EVP_MD_CTX_free(ctx);
	snprintf(want, sizeof(want), "%s+sha256:%02x%02x%02x%02x%02x%02x", vf, md[0], md[1], md[2], md[3], md[4],
		 md[5]);
	free(vf);
	assert_string_equal(v, want);
	assert_string_equal(codes_version(NULL), "");
}

/* README row counts for files the review did not touch after the README tables were written. */
static const struct {
	const char *file;
	long rows;
} readme_counts[] = {
	{ "fracture_hip.csv", 83 }, { "fracture_vertebral.csv", 164 }, { "fracture_vertebral_multiple.csv", 8 },
	{ "fracture_history.csv", 3 }, { "fracture_wrist_distal_radius.csv", 32 },
	{ "fracture_proximal_humerus.csv", 19 }, { "fracture_pelvis.csv", 56 },
	{ "fracture_other_fragility_sites.csv", 516 }, { "fracture_nonfragility_mechanism.csv", 12 },
	{ "osteoporosis.csv", 40 }, { "falls.csv", 85 }, { "falls_recurrent.csv", 2 }, { "care_home.csv", 34 },
	{ "bone_sparing_treatment.csv", 723 }, { "glucocorticoid_oral.csv", 665 }, { "cancer.csv", 8025 },
	{ "anticonvulsant.csv", 2981 }, { "antidepressant.csv", 1744 }, { "hrt.csv", 579 },
	{ "hrt_oestrogen_only.csv", 200 }, { "glucocorticoid_pred_equiv.csv", 8 },
};

static void row_counts_match_files(void **state)
{
	struct fixture *fx = *state;
	char path[1200], name[64];
	long total = 0;

	for (int c = 0; c < CONCEPT__FILE_COUNT; c++) {
		long n = t_rows(t_path(fx->dir, t_concept_file(c, name, sizeof(name)), path, sizeof(path)), NULL, NULL);

		assert_true(n >= 0);
		total += n;
	}
	assert_int_equal(codes_row_count(fx->cs), (size_t)total);
	for (size_t i = 0; i < sizeof(readme_counts) / sizeof(readme_counts[0]); i++) {
		long n = t_rows(t_path(fx->dir, readme_counts[i].file, path, sizeof(path)), NULL, NULL);

		if (n != readme_counts[i].rows)
			fail_msg("%s: %ld rows, README says %ld", readme_counts[i].file, n, readme_counts[i].rows);
	}
}

struct every_row {
	const struct codes_set *cs;
	int concept;
	long checked;
};

static void every_row_cb(const struct trow *r, void *ctx)
{
	struct every_row *er = ctx;
	struct codes_match m;

	memset(&m, 0, sizeof(m));
	if (codes_lookup(er->cs, r->f[0], strlen(r->f[0]), r->f[1], strlen(r->f[1]), &m) != 1 ||
	    !(m.concepts & CONCEPT_BIT(er->concept)))
		fail_msg("%s row %s|%s does not match its own concept", concept_name(er->concept), r->f[0], r->f[1]);
	er->checked++;
}

/* Every listed row, looked up as written, matches the concept of its file. */
static void every_row_matches_its_concept(void **state)
{
	struct fixture *fx = *state;
	char path[1200], name[64];
	struct every_row er = { fx->cs, 0, 0 };

	for (int c = 0; c < CONCEPT__FILE_COUNT; c++) {
		er.concept = c;
		assert_true(t_rows(t_path(fx->dir, t_concept_file(c, name, sizeof(name)), path, sizeof(path)),
				   every_row_cb, &er) >= 0);
	}
	assert_int_equal(er.checked, (long)codes_row_count(fx->cs));
}

static void snomed_and_dmd_are_exact(void **state)
{
	struct fixture *fx = *state;
	struct codes_match m;

	m = t_look(fx->cs, SCT, "208566002", 1); /* (Closed fracture of neck of femur) or (hip fracture NOS) */
	assert_true((m.concepts & FRACTURE_FILES) == B(FRACTURE_HIP));
	assert_int_equal(m.flags, CODES_M_FRACTURE_SNOMED); /* a D7a injury code */
	t_look(fx->cs, SCT, "20856600", 0);
	t_look(fx->cs, SCT, "2085660021", 0);
	t_look(fx->cs, SCT, " 208566002", 0);
	t_look(fx->cs, "http://snomed.info/sct/", "208566002", 0);
	t_look(fx->cs, "HTTP://SNOMED.INFO/SCT", "208566002", 0);

	/* dm+d: the same id under all three spellings (Alendronic acid 10mg tablets, an oral bisphosphonate). */
	static const char *const sys[] = { DMD, DMD "/", SCT };
	for (size_t i = 0; i < 3; i++) {
		m = t_look(fx->cs, sys[i], "1016611000001108", 1);
		assert_true(m.concepts == B(BONE_SPARING_TREATMENT));
		assert_int_equal(m.bone_months, 6);
		assert_true(m.gc_pred_factor == 0.0);
	}
	t_look(fx->cs, "https://dmd.nhs.uk//", "1016611000001108", 0);
	t_look(fx->cs, "http://dmd.nhs.uk", "1016611000001108", 0);

	/* LOINC exact: BMI 39156-5. */
	m = t_look(fx->cs, LOINC, "39156-5", 1);
	assert_true(m.concepts == B(BMI));
	t_look(fx->cs, LOINC, "39156", 0);
}

static void bone_months_by_d4_class(void **state)
{
	struct fixture *fx = *state;
	struct codes_match m;

	m = t_look(fx->cs, DMD, "10422911000001106", 1); /* Aclasta 5mg/100ml */
	assert_int_equal(m.bone_months, 15);
	m = t_look(fx->cs, DMD, "17301811000001101", 1); /* Prolia 60mg */
	assert_int_equal(m.bone_months, 7);
	m = t_look(fx->cs, DMD, "38159211000001106", 1); /* Evenity */
	assert_int_equal(m.bone_months, 3);
	m = t_look(fx->cs, ATC, "M05BA08", 1);
	assert_int_equal(m.bone_months, 15);
	m = t_look(fx->cs, ATC, "m05bx04", 1);
	assert_int_equal(m.bone_months, 7);
	m = t_look(fx->cs, ATC, "H05AA02", 1);
	assert_int_equal(m.bone_months, 3);
	m = t_look(fx->cs, ATC, "M05BA04", 1); /* alendronic acid */
	assert_int_equal(m.bone_months, 6);
	/* The classifier itself: display substrings any case, ATC codes, default. */
	assert_int_equal(codes_bone_months("ZOMETA 4mg", 10, NULL, 0), 15);
	assert_int_equal(codes_bone_months("x", 1, "M05BX06", 7), 3);
	assert_int_equal(codes_bone_months("Risedronate 35mg tablets", 24, NULL, 0), 6);
}

struct bone_tally {
	const struct codes_set *cs;
	long by[16];
};

static void bone_tally_cb(const struct trow *r, void *ctx)
{
	struct bone_tally *t = ctx;
	struct codes_match m;

	memset(&m, 0, sizeof(m));
	assert_int_equal(codes_lookup(t->cs, r->f[0], strlen(r->f[0]), r->f[1], strlen(r->f[1]), &m), 1);
	assert_true(m.bone_months < 16);
	t->by[m.bone_months]++;
}

/* codes README: zoledronic acid 92 rows (15 months), denosumab 9 (7), anabolic 7 (3), all other 615 (6). */
static void bone_class_counts_match_readme(void **state)
{
	struct fixture *fx = *state;
	struct bone_tally t;
	char path[1200];

	memset(&t, 0, sizeof(t));
	t.cs = fx->cs;
	assert_int_equal(t_rows(t_path(fx->dir, "bone_sparing_treatment.csv", path, sizeof(path)), bone_tally_cb, &t),
			 723);
	assert_int_equal(t.by[15], 92);
	assert_int_equal(t.by[7], 9);
	assert_int_equal(t.by[3], 7);
	assert_int_equal(t.by[6], 615);
	assert_int_equal(t.by[0], 0);
}

struct gc_tally {
	const struct codes_set *cs;
	const struct codes_gc_table *gc;
	long by[8];
	long unmatched;
};

static void gc_tally_cb(const struct trow *r, void *ctx)
{
	struct gc_tally *t = ctx;
	struct codes_match m;
	int i = codes_gc_table_match(t->gc, r->f[2]);

	if (i < 0 || i >= 8) {
		t->unmatched++;
		return;
	}
	t->by[i]++;
	/* The lookup's factor is 5 / mg equivalent of the row's ingredient. */
	memset(&m, 0, sizeof(m));
	assert_int_equal(codes_lookup(t->cs, r->f[0], strlen(r->f[0]), r->f[1], strlen(r->f[1]), &m), 1);
	assert_true(m.concepts & B(GLUCOCORTICOID_ORAL));
	if (fabs(m.gc_pred_factor - 5.0 / t->gc->rows[i].mg_equiv) > 1e-12)
		fail_msg("%s: factor %g for %s", r->f[1], m.gc_pred_factor, t->gc->rows[i].ingredient);
}

static long gc_count(const struct gc_tally *t, const char *ingredient)
{
	for (size_t i = 0; i < t->gc->n && i < 8; i++)
		if (!strcmp(t->gc->rows[i].ingredient, ingredient))
			return t->by[i];
	return -1;
}

/* codes README: rows per ingredient (every row matches one). */
static void gc_ingredient_counts_match_readme(void **state)
{
	struct fixture *fx = *state;
	struct codes_gc_table gc;
	struct fls_diag d = { { 0 } };
	struct gc_tally t;
	char path[1200];
	size_t len = 0;
	char *buf = tu_read_file(t_path(fx->dir, "glucocorticoid_pred_equiv.csv", path, sizeof(path)), &len);

	assert_non_null(buf);
	assert_int_equal(codes_gc_table_parse(&gc, &fls_mem_libc, "glucocorticoid_pred_equiv.csv", buf, len, &d),
			 FLS_OK);
	free(buf);
	assert_int_equal(gc.n, 8);
	memset(&t, 0, sizeof(t));
	t.cs = fx->cs;
	t.gc = &gc;
	assert_int_equal(t_rows(t_path(fx->dir, "glucocorticoid_oral.csv", path, sizeof(path)), gc_tally_cb, &t), 665);
	assert_int_equal(t.unmatched, 0);
	assert_int_equal(gc_count(&t, "prednisolone"), 220);
	assert_int_equal(gc_count(&t, "dexamethasone"), 198);
	assert_int_equal(gc_count(&t, "hydrocortisone"), 167);
	assert_int_equal(gc_count(&t, "methylprednisolone"), 19);
	assert_int_equal(gc_count(&t, "betamethasone"), 17);
	assert_int_equal(gc_count(&t, "prednisone"), 16);
	assert_int_equal(gc_count(&t, "deflazacort"), 14);
	assert_int_equal(gc_count(&t, "cortisone"), 14);
	codes_gc_table_free(&gc);
}

static void gc_factor_examples(void **state)
{
	struct fixture *fx = *state;
	struct codes_match m;

	m = t_look(fx->cs, DMD, "325426006", 1); /* Prednisolone 1mg tablets */
	assert_true(fabs(m.gc_pred_factor - 1.0) < 1e-12);
	m = t_look(fx->cs, DMD, "325476008", 1); /* Deflazacort 1mg tablets: 6 mg = prednisolone 5 mg */
	assert_true(fabs(m.gc_pred_factor - 5.0 / 6.0) < 1e-12);
	m = t_look(fx->cs, ATC, "H02AB02", 1);   /* dexamethasone: 0.75 mg = prednisolone 5 mg */
	assert_true(fabs(m.gc_pred_factor - 5.0 / 0.75) < 1e-12);
	m = t_look(fx->cs, ATC, "H02AB04", 1);   /* methylprednisolone, not prednisolone */
	assert_true(fabs(m.gc_pred_factor - 1.25) < 1e-12);
	assert_int_equal(m.bone_months, 0);
}

static uint64_t t_frac(const struct codes_match *m)
{
	return m->concepts & FRACTURE_FILES;
}

static void icd10_longest_match(void **state)
{
	struct fixture *fx = *state;
	struct codes_match m;

	m = t_look(fx->cs, ICD, "S72.0", 1);          /* fracture_hip S72.0 beats the S72 category */
	assert_true(t_frac(&m) == B(FRACTURE_HIP));
	assert_int_equal(m.flags, 0);
	assert_true(m.concepts & B(INJURY_ICD10));
	m = t_look(fx->cs, ICD, "S72.00", 1);         /* 5th character: still the S72.0 entry */
	assert_true(t_frac(&m) == B(FRACTURE_HIP));
	assert_int_equal(m.flags, 0);
	m = t_look(fx->cs, ICD, "s720", 1);           /* no dot, lower case */
	assert_true(t_frac(&m) == B(FRACTURE_HIP));
	m = t_look(fx->cs, "http://hl7.org/fhir/sid/icd-10-uk", "S72.1", 1);
	assert_true(t_frac(&m) == B(FRACTURE_HIP));
	m = t_look(fx->cs, ICD, "S72.9", 1);          /* listed itself in other sites */
	assert_true(t_frac(&m) == B(FRACTURE_OTHER_FRAGILITY_SITES));
	assert_int_equal(m.flags, 0);
	m = t_look(fx->cs, ICD, "S72.5", 1);          /* not listed: the S72 category, flagged */
	assert_true(t_frac(&m) == B(FRACTURE_OTHER_FRAGILITY_SITES));
	assert_int_equal(m.flags, CODES_M_ICD10_CATEGORY);
	m = t_look(fx->cs, ICD, "S72", 1);            /* the category itself is not "longer than" it */
	assert_int_equal(m.flags, 0);
	m = t_look(fx->cs, ICD, "S32.8", 1);          /* own row beats the S32 pelvis category */
	assert_true(t_frac(&m) == B(FRACTURE_SITE_UNSPECIFIED));
	m = t_look(fx->cs, ICD, "S32.9", 1);
	assert_true(t_frac(&m) == B(FRACTURE_PELVIS));
	assert_int_equal(m.flags, CODES_M_ICD10_CATEGORY);
	m = t_look(fx->cs, ICD, "S32.1", 1);
	assert_true(t_frac(&m) == B(FRACTURE_PELVIS));
	assert_int_equal(m.flags, 0);
	m = t_look(fx->cs, ICD, "T02.0", 1);          /* excluded sites beats the T02 category */
	assert_true(t_frac(&m) == B(FRACTURE_EXCLUDED_SITES));
	m = t_look(fx->cs, ICD, "T02.9", 1);
	assert_true(t_frac(&m) == B(FRACTURE_SITE_UNSPECIFIED));
	m = t_look(fx->cs, ICD, "S22.1", 1);          /* multiple thoracic: vertebral + multiple flag */
	assert_true(t_frac(&m) == (B(FRACTURE_VERTEBRAL) | B(FRACTURE_VERTEBRAL_MULTIPLE)));
	m = t_look(fx->cs, ICD, "S22.3", 1);          /* rib */
	assert_true(t_frac(&m) == B(FRACTURE_OTHER_FRAGILITY_SITES));
	m = t_look(fx->cs, ICD, "S22.0", 1);          /* single thoracic vertebra: no multiple flag */
	assert_true(t_frac(&m) == B(FRACTURE_VERTEBRAL));
	m = t_look(fx->cs, ICD, "S12.7", 1);
	assert_true(t_frac(&m) == (B(FRACTURE_VERTEBRAL) | B(FRACTURE_VERTEBRAL_MULTIPLE)));
	/* S12.8 "other parts of neck" is an excluded site since the review (codes README); S12.9 unspecified. */
	m = t_look(fx->cs, ICD, "S12.8", 1);
	assert_true(t_frac(&m) == B(FRACTURE_EXCLUDED_SITES));
	m = t_look(fx->cs, ICD, "S12.9", 1);
	assert_true(t_frac(&m) == B(FRACTURE_SITE_UNSPECIFIED));
	m = t_look(fx->cs, ICD, "S12.3", 0 + 1);      /* unlisted S12 subcategory: injury only */
	assert_true(m.concepts == B(INJURY_ICD10));
	assert_int_equal(m.flags, 0);
	m = t_look(fx->cs, ICD, "S42.2", 1);
	assert_true(t_frac(&m) == B(FRACTURE_PROXIMAL_HUMERUS));
	m = t_look(fx->cs, ICD, "S52.5", 1);
	assert_true(t_frac(&m) == B(FRACTURE_WRIST_DISTAL_RADIUS));
	m = t_look(fx->cs, ICD, "S62.6", 1);          /* finger: excluded, not the S62 category */
	assert_true(t_frac(&m) == B(FRACTURE_EXCLUDED_SITES));
	m = t_look(fx->cs, ICD, "M84.4", 1);
	assert_true(t_frac(&m) == B(FRACTURE_NONFRAGILITY_MECHANISM));
	assert_false(m.concepts & B(INJURY_ICD10));
	assert_false(m.flags & CODES_M_FRACTURE_SNOMED); /* D7a: ICD-10 injuries are S00-T14 only */
	m = t_look(fx->cs, ICD, "M48.5", 1);          /* collapsed vertebra */
	assert_true(t_frac(&m) == B(FRACTURE_VERTEBRAL));
	assert_false(m.flags & CODES_M_FRACTURE_SNOMED);
	m = t_look(fx->cs, SCT, "391093004", 1);      /* History of hip fracture: not a fracture file */
	assert_true(m.concepts & B(FRACTURE_HISTORY));
	assert_false(m.flags & CODES_M_FRACTURE_SNOMED);
	t_look(fx->cs, ICD, "S7", 0);
	t_look(fx->cs, ICD, "", 0);
	t_look(fx->cs, ICD, "S72.0000000000000000000", 0); /* longer than any ICD-10 code */
}

static void icd10_other_concepts_take_any_prefix(void **state)
{
	struct fixture *fx = *state;
	struct codes_match m;

	/* M80 is listed in both osteoporosis and fracture_site_unspecified. */
	m = t_look(fx->cs, ICD, "M80.0", 1);
	assert_true(m.concepts == (B(OSTEOPOROSIS) | B(FRACTURE_SITE_UNSPECIFIED)));
	assert_int_equal(m.flags, CODES_M_ICD10_CATEGORY);
	m = t_look(fx->cs, ICD, "M81", 1);
	assert_true(m.concepts == B(OSTEOPOROSIS));
	assert_int_equal(m.flags, 0);
	m = t_look(fx->cs, ICD, "M81.0", 1);          /* non-fracture concept by category: flagged */
	assert_true(m.concepts == B(OSTEOPOROSIS));
	assert_int_equal(m.flags, CODES_M_ICD10_CATEGORY);
	m = t_look(fx->cs, ICD, "W19", 1);            /* falls */
	assert_true(m.concepts == B(FALLS));
	m = t_look(fx->cs, ICD, "W13.2", 1);          /* fall from height: both files */
	assert_true(m.concepts == (B(FALLS) | B(FALL_FROM_HEIGHT_ICD10)));
	t_look(fx->cs, ICD, "W16", 0);                /* removed after review: not a fall */
}

static void icd10_injury_range(void **state)
{
	struct fixture *fx = *state;
	struct codes_match m;

	m = t_look(fx->cs, ICD, "S00", 1);
	assert_true(m.concepts == B(INJURY_ICD10));
	m = t_look(fx->cs, ICD, "S00.0", 1);
	assert_true(m.concepts == B(INJURY_ICD10));
	m = t_look(fx->cs, ICD, "T14.9", 1);
	assert_true(m.concepts == B(INJURY_ICD10));
	m = t_look(fx->cs, ICD, "T14.2", 1);          /* also a listed unspecified-site fracture */
	assert_true(m.concepts == (B(INJURY_ICD10) | B(FRACTURE_SITE_UNSPECIFIED)));
	m = t_look(fx->cs, ICD, "T00", 1);
	assert_true(m.concepts == B(INJURY_ICD10));
	t_look(fx->cs, ICD, "T15", 0);
	t_look(fx->cs, ICD, "T15.0", 0);
	t_look(fx->cs, ICD, "T98", 0);
	t_look(fx->cs, ICD, "R99", 0);
	t_look(fx->cs, ICD, "SXX", 0);
	/* ICD-10-CM is a different classification: not matched at all. */
	t_look(fx->cs, "http://hl7.org/fhir/sid/icd-10-cm", "S72.001A", 0);
}

static void atc_prefix_match(void **state)
{
	struct fixture *fx = *state;
	struct codes_match m;

	m = t_look(fx->cs, ATC, "N03AB02", 1);        /* phenytoin: through the N03A group */
	assert_true(m.concepts == B(ANTICONVULSANT));
	m = t_look(fx->cs, ATC, "n03ab02", 1);
	assert_true(m.concepts == B(ANTICONVULSANT));
	m = t_look(fx->cs, ATC, "N06AB06", 1);        /* sertraline: N06AB */
	assert_true(m.concepts == B(ANTIDEPRESSANT));
	t_look(fx->cs, ATC, "N03", 0);                /* shorter than the group */
	t_look(fx->cs, ATC, "N05AB02", 0);
	m = t_look(fx->cs, ATC, "H02AB06", 1);        /* prednisolone */
	assert_true(m.concepts == B(GLUCOCORTICOID_ORAL));
	assert_true(fabs(m.gc_pred_factor - 1.0) < 1e-12);
}

static void many_to_many_and_accumulation(void **state)
{
	struct fixture *fx = *state;
	struct codes_match m;

	m = t_look(fx->cs, SCT, "11874341000119106", 1); /* osteoporotic rib fracture */
	assert_true(m.concepts == (B(OSTEOPOROSIS) | B(FRACTURE_OTHER_FRAGILITY_SITES)));
	m = t_look(fx->cs, SCT, "371381000000107", 1);   /* fall in nursing home */
	assert_true(m.concepts == (B(FALLS) | B(CARE_HOME)));
	m = t_look(fx->cs, SCT, "279992002", 1);          /* recurrent falls */
	assert_true(m.concepts == (B(FALLS) | B(FALLS_RECURRENT)));

	/* Codings of one CodeableConcept accumulate; the shorter coverage wins when they disagree. */
	memset(&m, 0, sizeof(m));
	assert_int_equal(codes_lookup(fx->cs, ICD, strlen(ICD), "S72.5", 5, &m), 1);
	assert_int_equal(codes_lookup(fx->cs, SCT, strlen(SCT), "208566002", 9, &m), 1);
	assert_int_equal(codes_lookup(fx->cs, "urn:x", 5, "1", 1, &m), 0);
	assert_true(t_frac(&m) == (B(FRACTURE_HIP) | B(FRACTURE_OTHER_FRAGILITY_SITES)));
	assert_int_equal(m.flags, CODES_M_ICD10_CATEGORY | CODES_M_FRACTURE_SNOMED);
	memset(&m, 0, sizeof(m));
	codes_lookup(fx->cs, DMD, strlen(DMD), "10422911000001106", 17, &m);  /* 15 months */
	codes_lookup(fx->cs, ATC, strlen(ATC), "M05BA04", 7, &m);             /* 6 months */
	assert_int_equal(m.bone_months, 6);
}

static void unknown_system_and_bad_arguments(void **state)
{
	struct fixture *fx = *state;
	struct codes_match m;

	t_look(fx->cs, "urn:oid:2.16.840.1.113883.6.96", "208566002", 0);
	t_look(fx->cs, "", "208566002", 0);
	t_look(fx->cs, SCT, "", 0);
	memset(&m, 0, sizeof(m));
	assert_int_equal(codes_lookup(NULL, SCT, strlen(SCT), "208566002", 9, &m), 0);
	assert_int_equal(codes_lookup(fx->cs, SCT, strlen(SCT), "208566002", 9, NULL), 0);
	/* Byte ranges are honoured: the code is not NUL-terminated at its length. */
	assert_int_equal(codes_lookup(fx->cs, SCT "XYZ", strlen(SCT), "2085660029999", 9, &m), 1);
	assert_true(m.concepts & B(FRACTURE_HIP));
}

/* ---- CSV reader ---- */

static void csv_reads_rfc4180(void **state)
{
	static const char in[] = "a,b\r\n\"x,\"\"y\"\"\",\"two\nlines\"\n,\n\"last\",z";
	struct codes_csv c;
	struct codes_csv_row r;
	struct fls_diag d = { { 0 } };

	(void)state;
	assert_int_equal(codes_csv_init(&c, &fls_mem_libc, "t.csv", in, sizeof(in) - 1), FLS_OK);
	assert_int_equal(codes_csv_next(&c, &r, &d), FLS_OK);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.f[0], "a");
	assert_string_equal(r.f[1], "b");
	assert_int_equal(codes_csv_next(&c, &r, &d), FLS_OK);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.line, 2);
	assert_string_equal(r.f[0], "x,\"y\"");
	assert_string_equal(r.f[1], "two\nlines");
	assert_int_equal(r.len[1], 9);
	assert_int_equal(codes_csv_next(&c, &r, &d), FLS_OK);
	assert_int_equal(r.line, 4);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.f[0], "");
	assert_string_equal(r.f[1], "");
	assert_int_equal(codes_csv_next(&c, &r, &d), FLS_OK);
	assert_int_equal(r.line, 5);
	assert_string_equal(r.f[0], "last");
	assert_string_equal(r.f[1], "z");
	assert_int_equal(codes_csv_next(&c, &r, &d), FLS_OK);
	assert_int_equal(r.n, 0);
	codes_csv_free(&c);
}

static void csv_expect_error(const char *in, size_t len, const char *want)
{
	struct codes_csv c;
	struct codes_csv_row r;
	struct fls_diag d = { { 0 } };
	fls_status st = FLS_OK;

	assert_int_equal(codes_csv_init(&c, &fls_mem_libc, "t.csv", in, len), FLS_OK);
	while ((st = codes_csv_next(&c, &r, &d)) == FLS_OK && r.n)
		;
	codes_csv_free(&c);
	assert_int_equal(st, FLS_EDATA);
	if (!strstr(d.msg, want))
		fail_msg("message \"%s\" lacks \"%s\"", d.msg, want);
}

static void csv_rejects_malformed(void **state)
{
	char *big;

	(void)state;
	csv_expect_error("a,b\n\"open,b\nc,d\n", 15, "t.csv line 2: quoted field is not terminated");
	csv_expect_error("a,b\nx\"y,b\n", 10, "t.csv line 2: quote inside an unquoted field");
	csv_expect_error("a,b\n\"x\"y,b\n", 11, "t.csv line 2: text after a closing quote");
	csv_expect_error("a,b\r\nc\rd,e\n", 11, "t.csv line 2: carriage return without line feed");
	csv_expect_error("a,b\nc,\0d\n", 9, "t.csv line 2: NUL byte");
	csv_expect_error("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n", 34, "t.csv line 1: too many fields");
	big = malloc(70000);
	assert_non_null(big);
	memset(big, 'x', 70000);
	big[0] = 'a';
	big[1] = '\n';
	csv_expect_error(big, 70000, "t.csv line 2: line longer than 64 KiB");
	free(big);
}

/* ---- loader errors on a scratch copy of the code sets ---- */

struct tmpdir {
	char path[256];
};

static int copy_file(const char *from, const char *to)
{
	size_t len = 0;
	char *buf = tu_read_file(from, &len);
	FILE *f;
	int ok;

	if (!buf)
		return -1;
	f = fopen(to, "wb");
	ok = f && fwrite(buf, 1, len, f) == len;
	if (f && fclose(f) != 0)
		ok = 0;
	free(buf);
	return ok ? 0 : -1;
}

static int tmp_setup(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));
	const char *datadir = tu_env("FLS_DATADIR");
	const char *base = tu_env("FLS_BINARY_DIR");
	char src[1024], a[1400], b[1400];
	struct dirent *de;
	DIR *dir;

	if (!t || !datadir)
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/codes-test-XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(t->path))
		return -1;
	snprintf(src, sizeof(src), "%s/codes", datadir);
	if (!(dir = opendir(src)))
		return -1;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(a, sizeof(a), "%s/%s", src, de->d_name);
		snprintf(b, sizeof(b), "%s/%s", t->path, de->d_name);
		if (copy_file(a, b) != 0) {
			closedir(dir);
			return -1;
		}
	}
	closedir(dir);
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmpdir *t = *state;
	struct dirent *de;
	char p[1400];
	DIR *dir;

	if (!t)
		return 0;
	if ((dir = opendir(t->path))) {
		while ((de = readdir(dir))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", t->path, de->d_name);
			unlink(p);
		}
		closedir(dir);
	}
	rmdir(t->path);
	free(t);
	return 0;
}

static void write_file(const struct tmpdir *t, const char *name, const char *content)
{
	char p[1400];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", t->path, name);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
	assert_int_equal(fclose(f), 0);
}

static void expect_load_error(const struct tmpdir *t, fls_status want, const char *msg_part)
{
	struct codes_set *cs = (struct codes_set *)1;
	struct fls_diag d = { { 0 } };
	fls_status st = codes_load(&cs, &fls_mem_libc, t->path, &d);

	assert_int_equal(st, want);
	assert_null(cs);
	if (!strstr(d.msg, msg_part))
		fail_msg("message \"%s\" lacks \"%s\"", d.msg, msg_part);
}

static void copy_loads_and_ignores_extra_csv(void **state)
{
	struct tmpdir *t = *state;
	struct codes_set *cs = NULL;
	struct fls_diag d = { { 0 } };
	char *ref_version;

	write_file(t, "not_a_concept.csv", "this is \"not csv at all\n");
	assert_int_equal(codes_load(&cs, &fls_mem_libc, t->path, &d), FLS_OK);
	assert_non_null(cs);
	ref_version = strdup(codes_version(cs));
	codes_free(cs);
	/* One changed byte in one file changes the version digest, not the VERSION part. */
	write_file(t, "frailty_mild.csv",
		   "system,code,display,source\nhttp://snomed.info/sct,925791000000100,Mild frailtY,x\n");
	assert_int_equal(codes_load(&cs, &fls_mem_libc, t->path, &d), FLS_OK);
	assert_string_not_equal(codes_version(cs), ref_version);
	assert_memory_equal(codes_version(cs), ref_version, strlen("2026.11.0+sha256:"));
	codes_free(cs);
	free(ref_version);
}

static void missing_file_is_edata(void **state)
{
	struct tmpdir *t = *state;
	char p[1400];

	snprintf(p, sizeof(p), "%s/fracture_pelvis.csv", t->path);
	assert_int_equal(unlink(p), 0);
	expect_load_error(t, FLS_EDATA, "fracture_pelvis.csv: not found");
}

static void missing_pred_equiv_and_version_are_edata(void **state)
{
	struct tmpdir *t = *state;
	char p[1400];

	snprintf(p, sizeof(p), "%s/VERSION", t->path);
	assert_int_equal(unlink(p), 0);
	expect_load_error(t, FLS_EDATA, "VERSION: not found");
	write_file(t, "VERSION", "2026.11.0 beta\n");
	expect_load_error(t, FLS_EDATA, "VERSION line 1");
	write_file(t, "VERSION", "\n2026.11.1\n");
	snprintf(p, sizeof(p), "%s/glucocorticoid_pred_equiv.csv", t->path);
	assert_int_equal(unlink(p), 0);
	expect_load_error(t, FLS_EDATA, "glucocorticoid_pred_equiv.csv: not found");
}

static void malformed_quoted_field_names_file_and_line(void **state)
{
	struct tmpdir *t = *state;

	write_file(t, "falls_recurrent.csv",
		   "system,code,display,source\n"
		   "http://snomed.info/sct,279992002,Recurrent falls,x\n"
		   "http://snomed.info/sct,404911003,\"Unexplained \"recurrent\" falls\",x\n");
	expect_load_error(t, FLS_EDATA, "falls_recurrent.csv line 3: text after a closing quote");
	write_file(t, "falls_recurrent.csv",
		   "system,code,display,source\n"
		   "http://snomed.info/sct,279992002,\"Recurrent falls,x\n"
		   "http://snomed.info/sct,404911003,Unexplained recurrent falls,x\n");
	expect_load_error(t, FLS_EDATA, "falls_recurrent.csv line 2: quoted field is not terminated");
}

static void bad_header_and_rows_are_edata(void **state)
{
	struct tmpdir *t = *state;

	write_file(t, "sle.csv", "system,code,term,source\nhttp://snomed.info/sct,55464009,SLE,x\n");
	expect_load_error(t, FLS_EDATA, "sle.csv line 1: header column 3 must be \"display\"");
	write_file(t, "sle.csv", "");
	expect_load_error(t, FLS_EDATA, "sle.csv line 1: header must be");
	write_file(t, "sle.csv", "system,code,display,source\nhttp://snomed.info/sct,55464009,SLE\n");
	expect_load_error(t, FLS_EDATA, "sle.csv line 2: expected 4 fields, found 3");
	write_file(t, "sle.csv", "system,code,display,source\n\nhttp://snomed.info/sct,55464009,SLE,x\n");
	expect_load_error(t, FLS_EDATA, "sle.csv line 2: expected 4 fields, found 1");
	write_file(t, "sle.csv", "system,code,display,source\nhttp://example.org/x,55464009,SLE,x\n");
	expect_load_error(t, FLS_EDATA, "sle.csv line 2: unknown code system");
	write_file(t, "sle.csv", "system,code,display,source\nhttp://snomed.info/sct,5546A009,SLE,x\n");
	expect_load_error(t, FLS_EDATA, "sle.csv line 2: SNOMED CT");
	write_file(t, "sle.csv", "system,code,display,source\nhttp://hl7.org/fhir/sid/icd-10,M3,SLE,x\n");
	expect_load_error(t, FLS_EDATA, "sle.csv line 2: ICD-10");
	write_file(t, "glucocorticoid_pred_equiv.csv",
		   "ingredient,display_pattern,mg_equivalent_to_prednisolone_5mg,source\nx,(unclosed,5,y\n");
	expect_load_error(t, FLS_EDATA, "glucocorticoid_pred_equiv.csv line 2: display_pattern is not a POSIX ERE");
	write_file(t, "glucocorticoid_pred_equiv.csv",
		   "ingredient,display_pattern,mg_equivalent_to_prednisolone_5mg,source\nx,y,0,5,y\n");
	expect_load_error(t, FLS_EDATA, "glucocorticoid_pred_equiv.csv line 2: expected 4 fields, found 5");
	write_file(t, "glucocorticoid_pred_equiv.csv",
		   "ingredient,display_pattern,mg_equivalent_to_prednisolone_5mg,source\nx,y,0.7.5,y\n");
	expect_load_error(t, FLS_EDATA, "glucocorticoid_pred_equiv.csv line 2: mg_equivalent");
}

static void oversized_file_is_refused(void **state)
{
	struct tmpdir *t = *state;
	char p[1400];
	FILE *f;

	/* A sparse 64 MiB + 1 byte file: refused before anything is read. */
	snprintf(p, sizeof(p), "%s/copd.csv", t->path);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), (off_t)64 * 1024 * 1024 + 1), 0);
	fclose(f);
	expect_load_error(t, FLS_EDATA, "copd.csv: larger than 64 MiB");
}

static void bad_arguments(void **state)
{
	struct codes_set *cs = NULL;
	struct fls_diag d = { { 0 } };

	(void)state;
	assert_int_equal(codes_load(&cs, &fls_mem_libc, NULL, &d), FLS_EINVAL);
	assert_null(cs);
	assert_int_equal(codes_load(&cs, &fls_mem_libc, "", &d), FLS_EINVAL);
	assert_int_equal(codes_load(&cs, &fls_mem_libc, "/nonexistent-codes-dir", &d), FLS_EDATA);
	codes_free(NULL);
	assert_int_equal(codes_row_count(NULL), 0);
}

static void decimal_parser_is_strict(void **state)
{
	double v = 0;

	(void)state;
	assert_int_equal(codes_parse_decimal("0.75", 4, &v), 0);
	assert_true(v == 0.75);
	assert_int_equal(codes_parse_decimal("20", 2, &v), 0);
	assert_true(v == 20.0);
	assert_int_equal(codes_parse_decimal("", 0, &v), -1);
	assert_int_equal(codes_parse_decimal(".5", 2, &v), -1);
	assert_int_equal(codes_parse_decimal("5.", 2, &v), -1);
	assert_int_equal(codes_parse_decimal("-5", 2, &v), -1);
	assert_int_equal(codes_parse_decimal("5e1", 3, &v), -1);
	assert_int_equal(codes_parse_decimal("5,0", 3, &v), -1);
	assert_int_equal(codes_parse_decimal("1234567890123456", 16, &v), -1);
}

int main(void)
{
	const struct CMUnitTest loaded[] = {
		cmocka_unit_test(version_is_value_plus_digest),
		cmocka_unit_test(row_counts_match_files),
		cmocka_unit_test(every_row_matches_its_concept),
		cmocka_unit_test(snomed_and_dmd_are_exact),
		cmocka_unit_test(bone_months_by_d4_class),
		cmocka_unit_test(bone_class_counts_match_readme),
		cmocka_unit_test(gc_ingredient_counts_match_readme),
		cmocka_unit_test(gc_factor_examples),
		cmocka_unit_test(icd10_longest_match),
		cmocka_unit_test(icd10_other_concepts_take_any_prefix),
		cmocka_unit_test(icd10_injury_range),
		cmocka_unit_test(atc_prefix_match),
		cmocka_unit_test(many_to_many_and_accumulation),
		cmocka_unit_test(unknown_system_and_bad_arguments),
	};
	const struct CMUnitTest standalone[] = {
		cmocka_unit_test(csv_reads_rfc4180),
		cmocka_unit_test(csv_rejects_malformed),
		cmocka_unit_test(decimal_parser_is_strict),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test_setup_teardown(copy_loads_and_ignores_extra_csv, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(missing_file_is_edata, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(missing_pred_equiv_and_version_are_edata, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(malformed_quoted_field_names_file_and_line, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(bad_header_and_rows_are_edata, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(oversized_file_is_refused, tmp_setup, tmp_teardown),
	};
	int fails = 0;

	/* The loaded set is read-only, so one load serves every lookup test. */
	fails += cmocka_run_group_tests_name("codes_loaded", loaded, group_setup, group_teardown);
	fails += cmocka_run_group_tests_name("codes_errors", standalone, NULL, NULL);
	return fails ? 1 : 0;
}
