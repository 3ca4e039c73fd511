/*
 * An open-addressing map from 64-bit keys to 64-bit values (pointer or integer), for the reader's joins:
 * reference keys are hashed to 64 bits (fhir_hash64) and the strings are not kept, which keeps a held
 * patient compact. Two different references colliding in 64 bits is not a practical concern at the
 * sizes a practice list reaches (about 1e-8 for 1e6 keys); docs/decisions.md says so.
 */
#ifndef FLS_FHIR_HASHMAP_H
#define FLS_FHIR_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

#include "util/mem.h"

struct fhir_map_slot {
	uint64_t key; /* 0 = empty (fhir_hash64 never returns 0) */
	uint64_t val;
};

struct fhir_map {
	struct fhir_map_slot *slots;
	size_t cap, n; /* cap is a power of two */
	const struct fls_mem *mem;
};

uint64_t fhir_hash64(const char *s, size_t n);
void fhir_map_init(struct fhir_map *m, const struct fls_mem *mem);
/* Pointer to the value for key, or NULL. */
uint64_t *fhir_map_get(const struct fhir_map *m, uint64_t key);
/* Insert or overwrite; -1 on allocation failure. */
int fhir_map_put(struct fhir_map *m, uint64_t key, uint64_t val);
void fhir_map_free(struct fhir_map *m);

#endif
