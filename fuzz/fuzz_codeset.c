/*
 * Fuzz target: the code-set loader (a hostile or damaged code-set directory, SECURITY.md). codes/ has no
 * parse-from-memory entry point, so the input is used three ways:
 *
 *  1. codes/csv.h's RFC 4180 reader over the whole input: records are bounded, fields are NUL-terminated
 *     strings of their stated length, lines only move forward.
 *  2. The glucocorticoid equivalence table parser (codes_gc_table_parse: a regular expression per row),
 *     then a match of every pattern against a few displays.
 *  3. The whole loader (codes_load) over a scratch directory holding minimal valid files, the input (less
 *     its first byte) replacing the one file its first byte selects. When that loads, every row of the
 *     input must be found again by codes_lookup under its own concept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes/codeset.h"
#include "codes/concepts.h"
#include "codes/csv.h"
#include "codes/gcequiv.h"
#include "fuzz/fuzz_util.h"

#define GC_FILE "glucocorticoid_pred_equiv.csv"
#define VERSION_FILE "VERSION"
#define N_SLOTS (CONCEPT__FILE_COUNT + 2)
#define MSG_MAX 768

static const char concept_header[] = "system,code,display,source\n";
static char *gc_minimal;       /* the real glucocorticoid table (small), restored after each input */
static size_t gc_minimal_len;
static int dir_ready;

static const char *slot_name(int slot, char *buf, size_t cap)
{
	if (slot == CONCEPT__FILE_COUNT)
		return GC_FILE;
	if (slot == CONCEPT__FILE_COUNT + 1)
		return VERSION_FILE;
	if ((size_t)snprintf(buf, cap, "%s.csv", concept_name(slot)) >= cap)
		fuzz_fail("concept file name too long");
	return buf;
}

/* Put slot's minimal valid content back. */
static void restore_slot(int slot)
{
	char name[128], path[4096];
	const char *fn = slot_name(slot, name, sizeof(name));
	int rc;

	fuzz_path(path, sizeof(path), fuzz_tmp_dir(), fn);
	if (slot == CONCEPT__FILE_COUNT)
		rc = fuzz_write_file(path, gc_minimal, gc_minimal_len);
	else if (slot == CONCEPT__FILE_COUNT + 1)
		rc = fuzz_write_file(path, "fuzz.1\n", 7);
	else
		rc = fuzz_write_file(path, concept_header, sizeof(concept_header) - 1);
	if (rc)
		fuzz_fail("cannot write %s", path);
}

static void init_once(void)
{
	char path[4096];

	if (dir_ready)
		return;
	fuzz_path(path, sizeof(path), fuzz_data_dir(), "codes/" GC_FILE);
	if (!(gc_minimal = fuzz_read_file(path, &gc_minimal_len)))
		fuzz_fail("cannot read %s", path);
	for (int s = 0; s < N_SLOTS; s++)
		restore_slot(s);
	dir_ready = 1;
}

static void fuzz_csv(const char *buf, size_t len)
{
	struct codes_csv c;
	struct codes_csv_row row;
	struct fls_diag d = { "" };
	unsigned long last = 0;

	if (codes_csv_init(&c, &fls_mem_libc, "fuzz.csv", buf, len) != FLS_OK)
		return;
	for (;;) {
		if (codes_csv_next(&c, &row, &d) != FLS_OK) {
			fuzz_check_msg("csv error", d.msg, MSG_MAX);
			if (!d.msg[0])
				fuzz_fail("csv error without a message");
			break;
		}
		if (row.n == 0)
			break;
		if (row.n > CODES_CSV_MAX_FIELDS)
			fuzz_fail("record with %zu fields", row.n);
		if (row.line < last || row.line < 1)
			fuzz_fail("record line %lu after %lu", row.line, last);
		last = row.line;
		for (size_t i = 0; i < row.n; i++)
			if (row.len[i] > CODES_CSV_MAX_RECORD || strnlen(row.f[i], row.len[i] + 1) != row.len[i])
				fuzz_fail("field %zu is not a string of its stated length %zu", i, row.len[i]);
	}
	codes_csv_free(&c);
}

static void fuzz_gc(const char *buf, size_t len)
{
	static const char *const displays[] = {
		"Prednisolone 5mg tablets", "Hydrocortisone 10mg tablets (Alkindi)", "",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
	};
	struct codes_gc_table t;
	struct fls_diag d = { "" };

	if (codes_gc_table_parse(&t, &fls_mem_libc, GC_FILE, buf, len, &d) != FLS_OK) {
		fuzz_check_msg("gc error", d.msg, MSG_MAX);
		codes_gc_table_free(&t);
		return;
	}
	for (size_t i = 0; i < t.n; i++)
		if (!(t.rows[i].mg_equiv > 0))
			fuzz_fail("glucocorticoid row %zu has equivalence %g", i, t.rows[i].mg_equiv);
	for (size_t i = 0; i < sizeof(displays) / sizeof(displays[0]); i++) {
		int m = codes_gc_table_match(&t, displays[i]);

		if (m < -1 || m >= (int)t.n)
			fuzz_fail("match index %d out of range", m);
	}
	codes_gc_table_free(&t);
}

/* Every data row of a concept file that loaded must be found under its concept. */
static void check_rows(const struct codes_set *cs, int concept, const char *buf, size_t len)
{
	struct codes_csv c;
	struct codes_csv_row row;
	struct fls_diag d = { "" };
	int vmult = concept_by_name("fracture_vertebral_multiple", strlen("fracture_vertebral_multiple"));

	if (codes_csv_init(&c, &fls_mem_libc, "fuzz.csv", buf, len) != FLS_OK)
		return;
	if (codes_csv_next(&c, &row, &d) != FLS_OK || row.n == 0) /* the header */
		fuzz_fail("a concept file that loaded has no readable header");
	while (codes_csv_next(&c, &row, &d) == FLS_OK && row.n == 4) {
		struct codes_match m;

		memset(&m, 0, sizeof(m));
		/* fracture_vertebral_multiple counts only beside a fracture_vertebral match (codeset.h). */
		if (!codes_lookup(cs, row.f[0], row.len[0], row.f[1], row.len[1], &m) && concept != vmult)
			fuzz_fail("%s line %lu: a loaded row is not found", concept_name(concept), row.line);
		if (concept != vmult && !(m.concepts & CONCEPT_BIT(concept)))
			fuzz_fail("%s line %lu: a loaded row does not match its own concept", concept_name(concept),
				  row.line);
	}
	codes_csv_free(&c);
}

static void fuzz_load(const uint8_t *data, size_t size)
{
	struct codes_set *cs = NULL;
	struct fls_diag d = { "" };
	char name[128], path[4096];
	int slot;
	fls_status st;

	if (!size)
		return;
	slot = data[0] % N_SLOTS;
	fuzz_path(path, sizeof(path), fuzz_tmp_dir(), slot_name(slot, name, sizeof(name)));
	if (fuzz_write_file(path, data + 1, size - 1))
		fuzz_fail("cannot write %s", path);
	st = codes_load(&cs, &fls_mem_libc, fuzz_tmp_dir(), &d);
	if (st == FLS_OK) {
		const char *v = codes_version(cs);

		if (!v || !*v || !cs)
			fuzz_fail("a loaded set without a version");
		if (slot < CONCEPT__FILE_COUNT)
			check_rows(cs, slot, (const char *)data + 1, size - 1);
	} else {
		fuzz_check_msg("codes_load error", d.msg, MSG_MAX);
		if (!d.msg[0])
			fuzz_fail("codes_load status %d without a message", (int)st);
		if (cs)
			fuzz_fail("codes_load failed but returned a set");
	}
	codes_free(cs);
	restore_slot(slot);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init_once();
	fuzz_csv((const char *)data, size);
	fuzz_gc((const char *)data, size);
	fuzz_load(data, size);
	return 0;
}
