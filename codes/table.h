/*
 * The code lookup table: open addressing with linear probing, keyed by (system id, code bytes), every
 * code's bytes in one arena. Built once at load time; lookups allocate nothing.
 */
#ifndef FLS_CODES_TABLE_H
#define FLS_CODES_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "util/mem.h"

#define CODES_MAX_CODE 32 /* longest code stored (SNOMED ids are at most 18 digits) */

struct codes_entry {
	uint64_t concepts;   /* CONCEPT_BIT()s of every file that lists the code */
	double gc_factor;    /* glucocorticoid_oral: 5 / mg_equivalent of the row's ingredient; 0 = none */
	uint32_t off;        /* code bytes at arena + off */
	uint32_t hash;
	uint8_t sys;         /* enum codes_sys (codeset.c) */
	uint8_t len;
	uint8_t bone_months; /* bone_sparing_treatment: D4 coverage months; 0 = not listed there */
	uint8_t pad;
};

struct codes_table {
	const struct fls_mem *mem;
	struct codes_entry *ents;
	size_t n, cap;
	uint32_t *slots;     /* nslots (a power of two) slots: 0 = empty, else entry index + 1 */
	size_t nslots;
	char *arena;
	size_t alen, acap;
};

void codes_table_init(struct codes_table *t, const struct fls_mem *mem);
void codes_table_free(struct codes_table *t);
/* The entry for (sys, code[0..len)), created zeroed when new; NULL on allocation failure or len > CODES_MAX_CODE. */
struct codes_entry *codes_table_upsert(struct codes_table *t, unsigned sys, const char *code, size_t len);
/* The entry or NULL. No allocation. */
const struct codes_entry *codes_table_find(const struct codes_table *t, unsigned sys, const char *code, size_t len);
/* The entry's code bytes (entry->len of them). */
const char *codes_table_code(const struct codes_table *t, const struct codes_entry *e);

#endif
