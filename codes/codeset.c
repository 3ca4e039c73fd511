/*
 * Code sets: loading the CSV directory into one hash table, and matching codings against it
 * (codes/codeset.h; clinical-rules 7.1, D4 and 7.2.1; codes/README.md). Loading is the only place this
 * module touches files; lookups allocate nothing and never run a regular expression: the D4 coverage
 * class and the glucocorticoid ingredient are decided per row at load time.
 */
#define _POSIX_C_SOURCE 200809L /* fileno, fstat */

#include "codes/codeset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "codes/bone_class.h"
#include "codes/concepts.h"
#include "codes/csv.h"
#include "codes/gcequiv.h"
#include "codes/table.h"

#define CODES_MAX_FILE (64u * 1024u * 1024u) /* refuse larger files: the real set is about 4 MB */
#define CODES_PATH_MAX 4096
#define CODES_NAME_MAX 64
#define CODES_VERSION_MAX 64
#define CODES_INPUT_MAX 16 /* longest ICD-10 or ATC input code (after removing dots) that can match */
#define CODES_DIGEST_HEX 12
#define CODES_GC_FILE "glucocorticoid_pred_equiv.csv"
#define CODES_VERSION_FILE "VERSION"
#define CODES_N_FILES (CONCEPT__FILE_COUNT + 2)

enum codes_sys { CODES_SYS_NONE = 0, CODES_SYS_SNOMED, CODES_SYS_ICD10, CODES_SYS_ATC, CODES_SYS_LOINC };

/*
 * Accepted system URIs. dm+d ids are SNOMED CT identifiers, so dm+d (with or without the trailing '/'
 * seen in UK Core examples) shares SNOMED's key space. icd-10-uk is the NHS's edition of WHO ICD-10 (same
 * categories and subcategories); ICD-10-CM is a different classification and is deliberately absent.
 */
static const struct {
	const char *uri;
	size_t len;
	uint8_t sys;
} codes_systems[] = {
#define CODES_SYS(uri, sys) { uri, sizeof(uri) - 1, sys }
	CODES_SYS("http://snomed.info/sct", CODES_SYS_SNOMED),
	CODES_SYS("https://dmd.nhs.uk", CODES_SYS_SNOMED),
	CODES_SYS("https://dmd.nhs.uk/", CODES_SYS_SNOMED),
	CODES_SYS("http://hl7.org/fhir/sid/icd-10", CODES_SYS_ICD10),
	CODES_SYS("http://hl7.org/fhir/sid/icd-10-uk", CODES_SYS_ICD10),
	CODES_SYS("http://www.whocc.no/atc", CODES_SYS_ATC),
	CODES_SYS("http://loinc.org", CODES_SYS_LOINC),
#undef CODES_SYS
};

struct codes_set {
	struct fls_mem mem;  /* a copy: the caller's may not outlive the set */
	struct codes_table tab;
	size_t rows;
	char version[CODES_VERSION_MAX + sizeof("+sha256:") + CODES_DIGEST_HEX];
};

struct codes_file_digest {
	char name[CODES_NAME_MAX];
	unsigned char md[32];
};

static const char *const codes_header[4] = { "system", "code", "display", "source" };

/* Lengths are compared first, so an unknown or long system costs a few integer compares. */
static unsigned codes_system_id(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(codes_systems) / sizeof(codes_systems[0]); i++)
		if (codes_systems[i].len == n && !memcmp(codes_systems[i].uri, s, n))
			return codes_systems[i].sys;
	return CODES_SYS_NONE;
}

static char codes_upper(char ch)
{
	return ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
}

static int codes_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int codes_is_alnum_upper(char ch)
{
	return codes_is_digit(ch) || (ch >= 'A' && ch <= 'Z');
}

/*
 * A code-set row's code, validated and put in its key form: ICD-10 without the dot and upper-cased, ATC
 * upper-cased, SNOMED and LOINC as written. Returns the key length, or 0 with *why set.
 */
static size_t codes_row_key(unsigned sys, const char *s, size_t n, char key[CODES_MAX_CODE], const char **why)
{
	size_t k = 0, i;

	switch (sys) {
	case CODES_SYS_SNOMED:
		/* SCTIDs: 6 to 18 digits, no leading zero. */
		*why = "SNOMED CT / dm+d code is not 6-18 digits";
		if (n < 6 || n > 18 || s[0] == '0')
			return 0;
		for (i = 0; i < n; i++)
			if (!codes_is_digit(s[i]))
				return 0;
		memcpy(key, s, n);
		return n;
	case CODES_SYS_LOINC:
		*why = "LOINC code is not NNNNN-N";
		if (n < 3 || n > 9 || s[n - 2] != '-' || !codes_is_digit(s[n - 1]))
			return 0;
		for (i = 0; i < n - 2; i++)
			if (!codes_is_digit(s[i]))
				return 0;
		memcpy(key, s, n);
		return n;
	case CODES_SYS_ICD10:
		/* A category (letter, two digits) optionally followed by '.' and 1-4 characters. */
		*why = "ICD-10 code is not a category or subcategory (e.g. S72 or S72.0)";
		if (n < 3 || n > 8 || n == 4)
			return 0;
		for (i = 0; i < n; i++) {
			char ch = codes_upper(s[i]);

			if (i == 3 && ch == '.')
				continue;
			if (i == 3 || (i == 0 && !(ch >= 'A' && ch <= 'Z')) || (i > 0 && !codes_is_alnum_upper(ch)))
				return 0;
			key[k++] = ch;
		}
		return k;
	case CODES_SYS_ATC:
		*why = "ATC code is not 1-7 letters and digits";
		if (n < 1 || n > 7)
			return 0;
		for (i = 0; i < n; i++) {
			char ch = codes_upper(s[i]);

			if (!codes_is_alnum_upper(ch))
				return 0;
			key[k++] = ch;
		}
		return k;
	default:
		*why = "unknown code system";
		return 0;
	}
}

static const char *codes_errno_text(int e)
{
	switch (e) {
	case ENOENT:
		return "not found";
	case EACCES:
		return "permission denied";
	case EISDIR:
		return "is a directory";
	default:
		return "cannot be read";
	}
}

/* Read dir/name whole into a fresh buffer (NUL-terminated), refusing anything over CODES_MAX_FILE. */
static fls_status codes_read_file(const struct fls_mem *mem, const char *dir, const char *name, char **out,
				  size_t *out_len, struct fls_diag *d)
{
	char path[CODES_PATH_MAX];
	struct stat sb;
	FILE *f = NULL;
	char *buf = NULL;
	size_t len;
	fls_status st = FLS_EDATA;
	int n;

	*out = NULL;
	*out_len = 0;
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return fls_diag_set(d, FLS_EINVAL, "code set %s: directory path too long", name);
	if (!(f = fopen(path, "rb"))) {
		fls_diag_set(d, st, "code set %s: %s in %s", name, codes_errno_text(errno), dir);
		goto out;
	}
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fls_diag_set(d, st, "code set %s: not a regular file", name);
		goto out;
	}
	if (sb.st_size < 0 || (unsigned long long)sb.st_size > CODES_MAX_FILE) {
		fls_diag_set(d, st, "code set %s: larger than 64 MiB", name);
		goto out;
	}
	len = (size_t)sb.st_size;
	if (!(buf = fls_malloc(mem, len + 1))) {
		st = fls_diag_set(d, FLS_ENOMEM, "code set %s: out of memory", name);
		goto out;
	}
	if (fread(buf, 1, len, f) != len || fgetc(f) != EOF) {
		fls_diag_set(d, st, "code set %s: read failed or the file changed while being read", name);
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	buf = NULL;
	st = FLS_OK;
out:
	if (f)
		fclose(f);
	fls_free(mem, buf);
	return st;
}

static fls_status codes_digest_file(struct codes_file_digest *fd, const char *name, const char *buf, size_t len,
				    struct fls_diag *d)
{
	unsigned int mdlen = 0;

	if (strlen(name) >= sizeof(fd->name))
		return fls_diag_set(d, FLS_EINVAL, "code set %s: file name too long", name);
	memcpy(fd->name, name, strlen(name) + 1);
	if (EVP_Digest(buf, len, fd->md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != sizeof(fd->md))
		return fls_diag_set(d, FLS_ECRYPTO, "code set %s: SHA-256 failed", name);
	return FLS_OK;
}

/* Merge one file row into its entry: the concept bit and the per-row medicine attributes. */
static void codes_row_attrs(struct codes_entry *e, int concept, unsigned sys, const char *key, size_t klen,
			    const struct codes_csv_row *row, const struct codes_gc_table *gc)
{
	e->concepts |= CONCEPT_BIT(concept);
	if (concept == CONCEPT_BONE_SPARING_TREATMENT) {
		uint8_t months = codes_bone_months(row->f[2], row->len[2], sys == CODES_SYS_ATC ? key : NULL, klen);

		/* A code listed twice with different classes: the shorter coverage keeps the patient visible. */
		if (!e->bone_months || months < e->bone_months)
			e->bone_months = months;
	} else if (concept == CONCEPT_GLUCOCORTICOID_ORAL) {
		int i = codes_gc_table_match(gc, row->f[2]);

		if (i >= 0) {
			double factor = 5.0 / gc->rows[i].mg_equiv;

			if (factor > e->gc_factor)
				e->gc_factor = factor;
		}
	}
}

static fls_status codes_parse_concept(struct codes_set *cs, int concept, const char *name, const char *buf,
				      size_t len, const struct codes_gc_table *gc, struct fls_diag *d)
{
	struct codes_csv csv;
	struct codes_csv_row row;
	fls_status st;

	if ((st = codes_csv_init(&csv, &cs->mem, name, buf, len)) != FLS_OK) {
		fls_diag_set(d, st, "code set %s: out of memory", name);
		goto out;
	}
	if ((st = codes_csv_next(&csv, &row, d)) != FLS_OK)
		goto out;
	st = FLS_EDATA;
	if (row.n != 4) {
		fls_diag_set(d, st, "code set %s line %lu: header must be system,code,display,source", name,
			     row.line ? row.line : 1);
		goto out;
	}
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(row.f[i], codes_header[i]) != 0) {
			fls_diag_set(d, st, "code set %s line %lu: header column %zu must be \"%s\"", name, row.line,
				     i + 1, codes_header[i]);
			goto out;
		}
	}
	for (;;) {
		char key[CODES_MAX_CODE];
		const char *why = NULL;
		struct codes_entry *e;
		unsigned sys;
		size_t klen;

		if ((st = codes_csv_next(&csv, &row, d)) != FLS_OK)
			goto out;
		if (row.n == 0)
			break;
		st = FLS_EDATA;
		if (row.n != 4) {
			fls_diag_set(d, st, "code set %s line %lu: expected 4 fields, found %zu", name, row.line,
				     row.n);
			goto out;
		}
		if (!(sys = codes_system_id(row.f[0], row.len[0]))) {
			fls_diag_set(d, st, "code set %s line %lu: unknown code system", name, row.line);
			goto out;
		}
		if (!(klen = codes_row_key(sys, row.f[1], row.len[1], key, &why))) {
			fls_diag_set(d, st, "code set %s line %lu: %s", name, row.line, why);
			goto out;
		}
		if (!(e = codes_table_upsert(&cs->tab, sys, key, klen))) {
			st = fls_diag_set(d, FLS_ENOMEM, "code set %s line %lu: out of memory", name, row.line);
			goto out;
		}
		codes_row_attrs(e, concept, sys, key, klen, &row, gc);
		cs->rows++;
	}
	st = FLS_OK;
out:
	codes_csv_free(&csv);
	return st;
}

/* VERSION holds one token such as 2026.11.0; surrounding white space (a final newline) is dropped. */
static fls_status codes_parse_version(char *out, size_t cap, const char *buf, size_t len, struct fls_diag *d)
{
	size_t a = 0, b = len;

	while (a < b && (buf[a] == ' ' || buf[a] == '\t' || buf[a] == '\r' || buf[a] == '\n'))
		a++;
	while (b > a && (buf[b - 1] == ' ' || buf[b - 1] == '\t' || buf[b - 1] == '\r' || buf[b - 1] == '\n'))
		b--;
	if (a == b || b - a > CODES_VERSION_MAX || b - a >= cap)
		return fls_diag_set(d, FLS_EDATA, "code set %s line 1: empty or longer than %d bytes",
				    CODES_VERSION_FILE, CODES_VERSION_MAX);
	for (size_t i = a; i < b; i++) {
		char ch = buf[i];

		if (!(codes_is_alnum_upper(codes_upper(ch)) || ch == '.' || ch == '-' || ch == '_' || ch == '+'))
			return fls_diag_set(d, FLS_EDATA,
					    "code set %s line 1: only letters, digits and . - _ + allowed",
					    CODES_VERSION_FILE);
	}
	memcpy(out, buf + a, b - a);
	out[b - a] = '\0';
	return FLS_OK;
}

static int codes_digest_cmp(const void *a, const void *b)
{
	return strcmp(((const struct codes_file_digest *)a)->name, ((const struct codes_file_digest *)b)->name);
}

/*
 * The set's identity: SHA-256 over, for every loaded file in byte order of its name, the name, a NUL
 * and the file's own SHA-256. Any change to any file's bytes, or a renamed file, changes it.
 */
static fls_status codes_finish_version(struct codes_set *cs, struct codes_file_digest *fds, size_t n,
				       const char *ver, struct fls_diag *d)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = NULL;
	fls_status st = FLS_ECRYPTO;
	char tail[CODES_DIGEST_HEX + 1];
	int w;

	qsort(fds, n, sizeof(*fds), codes_digest_cmp);
	if (!(ctx = EVP_MD_CTX_new()) || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (EVP_DigestUpdate(ctx, fds[i].name, strlen(fds[i].name) + 1) != 1 ||
		    EVP_DigestUpdate(ctx, fds[i].md, sizeof(fds[i].md)) != 1)
			goto out;
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != sizeof(md))
		goto out;
	for (size_t i = 0; i < CODES_DIGEST_HEX / 2; i++) {
		tail[2 * i] = hex[md[i] >> 4];
		tail[2 * i + 1] = hex[md[i] & 15];
	}
	tail[CODES_DIGEST_HEX] = '\0';
	w = snprintf(cs->version, sizeof(cs->version), "%s+sha256:%s", ver, tail);
	if (w < 0 || (size_t)w >= sizeof(cs->version))
		goto out;
	fls_diag_clear(d);
	st = FLS_OK;
out:
	EVP_MD_CTX_free(ctx);
	if (st != FLS_OK)
		fls_diag_set(d, st, "code set: computing the version digest failed");
	return st;
}

fls_status codes_load(struct codes_set **out, const struct fls_mem *mem, const char *dir, struct fls_diag *d)
{
	struct codes_file_digest *fds = NULL;
	struct codes_gc_table gc;
	struct codes_set *cs = NULL;
	char ver[CODES_VERSION_MAX + 1];
	char name[CODES_NAME_MAX];
	char *buf = NULL;
	size_t len, nfd = 0;
	fls_status st = FLS_ENOMEM;

	memset(&gc, 0, sizeof(gc));
	if (out)
		*out = NULL;
	if (!out || !mem || !dir || !*dir)
		return fls_diag_set(d, FLS_EINVAL, "code set: no directory given");
	if (!(cs = fls_calloc(mem, 1, sizeof(*cs))) || !(fds = fls_calloc(mem, CODES_N_FILES, sizeof(*fds)))) {
		fls_diag_set(d, st, "code set: out of memory");
		goto out;
	}
	cs->mem = *mem;
	codes_table_init(&cs->tab, &cs->mem);

	/* The ingredient table first: glucocorticoid_oral rows are classified as they are read. */
	if ((st = codes_read_file(mem, dir, CODES_GC_FILE, &buf, &len, d)) != FLS_OK ||
	    (st = codes_digest_file(&fds[nfd++], CODES_GC_FILE, buf, len, d)) != FLS_OK ||
	    (st = codes_gc_table_parse(&gc, &cs->mem, CODES_GC_FILE, buf, len, d)) != FLS_OK)
		goto out;
	fls_free(mem, buf);
	buf = NULL;

	for (int c = 0; c < CONCEPT__FILE_COUNT; c++) {
		int n = snprintf(name, sizeof(name), "%s.csv", concept_name(c));

		if (n < 0 || (size_t)n >= sizeof(name)) {
			st = fls_diag_set(d, FLS_EINVAL, "code set: concept name too long");
			goto out;
		}
		if ((st = codes_read_file(mem, dir, name, &buf, &len, d)) != FLS_OK ||
		    (st = codes_digest_file(&fds[nfd++], name, buf, len, d)) != FLS_OK ||
		    (st = codes_parse_concept(cs, c, name, buf, len, &gc, d)) != FLS_OK)
			goto out;
		fls_free(mem, buf);
		buf = NULL;
	}

	if ((st = codes_read_file(mem, dir, CODES_VERSION_FILE, &buf, &len, d)) != FLS_OK ||
	    (st = codes_digest_file(&fds[nfd++], CODES_VERSION_FILE, buf, len, d)) != FLS_OK ||
	    (st = codes_parse_version(ver, sizeof(ver), buf, len, d)) != FLS_OK ||
	    (st = codes_finish_version(cs, fds, nfd, ver, d)) != FLS_OK)
		goto out;
	*out = cs;
	cs = NULL;
out:
	fls_free(mem, buf);
	fls_free(mem, fds);
	codes_gc_table_free(&gc);
	codes_free(cs);
	return st;
}

void codes_free(struct codes_set *cs)
{
	struct fls_mem mem;

	if (!cs)
		return;
	mem = cs->mem;
	codes_table_free(&cs->tab);
	fls_free(&mem, cs);
}

const char *codes_version(const struct codes_set *cs)
{
	return cs ? cs->version : "";
}

size_t codes_row_count(const struct codes_set *cs)
{
	return cs ? cs->rows : 0;
}

/*
 * Several codings of one CodeableConcept may name medicines with different attributes (a data error).
 * Take the reading that keeps the patient visible to the FLS: the shorter bone-therapy coverage, the
 * larger prednisolone equivalence.
 */
static void codes_merge_attrs(struct codes_match *m, uint8_t bone_months, double gc_factor)
{
	if (bone_months && (!m->bone_months || bone_months < m->bone_months))
		m->bone_months = bone_months;
	if (gc_factor > m->gc_pred_factor)
		m->gc_pred_factor = gc_factor;
}

/* S00-T14 (clinical-rules D7a): injuries, as opposed to T15-T98 foreign bodies, burns, poisoning... */
static int codes_icd10_injury(const char *k, size_t n)
{
	if (n < 3 || !codes_is_digit(k[1]) || !codes_is_digit(k[2]))
		return 0;
	if (k[0] == 'S')
		return 1;
	return k[0] == 'T' && (k[1] - '0') * 10 + (k[2] - '0') <= 14;
}

/*
 * ICD-10 (7.1): every prefix of 3 or more characters that is a listed entry matches. Among the fracture
 * files only the longest matching entry counts, so S72.0 is a hip fracture and not also "other sites"
 * through the S72 category; every other concept takes any matching prefix.
 */
static int codes_lookup_icd10(const struct codes_set *cs, const char *code, size_t len, struct codes_match *m)
{
	const uint64_t contest = CONCEPT_FRACTURE_CONTEST_MASK;
	const uint64_t vmult = CONCEPT_BIT(CONCEPT_FRACTURE_VERTEBRAL_MULTIPLE);
	uint64_t frac = 0, other = 0, got;
	size_t n = 0, frac_len = 0, other_len = 0, deciding;
	int multi = 0;
	char k[CODES_INPUT_MAX];

	for (size_t i = 0; i < len; i++) {
		if (code[i] == '.')
			continue;
		if (n == sizeof(k))
			return 0;  /* far longer than any ICD-10 code */
		k[n++] = codes_upper(code[i]);
	}
	for (size_t l = 3; l <= n; l++) {
		const struct codes_entry *e = codes_table_find(&cs->tab, CODES_SYS_ICD10, k, l);
		uint64_t rest;

		if (!e)
			continue;
		if (e->concepts & contest) {
			frac = e->concepts & contest;  /* l grows, so the last hit is the longest */
			frac_len = l;
		}
		if (e->concepts & vmult)
			multi = 1;
		if ((rest = e->concepts & ~(contest | vmult))) {
			other |= rest;
			other_len = l;
		}
	}
	got = frac | other;
	if (multi && (frac & CONCEPT_BIT(CONCEPT_FRACTURE_VERTEBRAL)))
		got |= vmult;
	if (codes_icd10_injury(k, n))
		got |= CONCEPT_BIT(CONCEPT_INJURY_ICD10);
	if (!got)
		return 0;
	deciding = frac ? frac_len : other_len;
	if (deciding == 3 && n > 3)
		m->flags |= CODES_M_ICD10_CATEGORY;
	m->concepts |= got;
	return 1;
}

/* ATC: rows may be groups (N03A), so every prefix of the input that is listed matches. */
static int codes_lookup_atc(const struct codes_set *cs, const char *code, size_t len, struct codes_match *m)
{
	const struct codes_entry *bone = NULL, *gc = NULL;
	uint64_t got = 0;
	char k[CODES_INPUT_MAX];

	if (len > sizeof(k))
		return 0;
	for (size_t i = 0; i < len; i++)
		k[i] = codes_upper(code[i]);
	for (size_t l = 1; l <= len; l++) {
		const struct codes_entry *e = codes_table_find(&cs->tab, CODES_SYS_ATC, k, l);

		if (!e)
			continue;
		got |= e->concepts;
		if (e->bone_months)
			bone = e;  /* the longest listed row decides the attributes */
		if (e->gc_factor > 0)
			gc = e;
	}
	if (!got)
		return 0;
	m->concepts |= got;
	codes_merge_attrs(m, bone ? bone->bone_months : 0, gc ? gc->gc_factor : 0);
	return 1;
}

int codes_lookup(const struct codes_set *cs, const char *system, size_t system_len, const char *code,
		 size_t code_len, struct codes_match *m)
{
	const struct codes_entry *e;
	unsigned sys;

	if (!cs || !m || !system || !code || !code_len)
		return 0;
	switch ((sys = codes_system_id(system, system_len))) {
	case CODES_SYS_SNOMED:
	case CODES_SYS_LOINC:
		if (!(e = codes_table_find(&cs->tab, sys, code, code_len)))
			return 0;
		m->concepts |= e->concepts;
		codes_merge_attrs(m, e->bone_months, e->gc_factor);
		/* clinical-rules 7.2 D7a: "a SNOMED code in any fracture file" is an injury code */
		if (sys == CODES_SYS_SNOMED &&
		    (e->concepts & (CONCEPT_FRACTURE_CONTEST_MASK | CONCEPT_BIT(CONCEPT_FRACTURE_VERTEBRAL_MULTIPLE))))
			m->flags |= CODES_M_FRACTURE_SNOMED;
		return 1;
	case CODES_SYS_ICD10:
		return codes_lookup_icd10(cs, code, code_len, m);
	case CODES_SYS_ATC:
		return codes_lookup_atc(cs, code, code_len, m);
	default:
		return 0;
	}
}
