#include "fhir/hashmap.h"

#include <string.h>

/* The slot of a key: keys may be pointers (aligned, low bits zero), so mix before masking. */
static size_t slot_of(uint64_t key, size_t cap)
{
	return (size_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & (cap - 1);
}

uint64_t fhir_hash64(const char *s, size_t n)
{
	/* Eight bytes at a time (reference keys are tens of bytes), then a splitmix64 finaliser for good
	 * bit spread; 0 is reserved for empty slots. */
	uint64_t h = UINT64_C(0xcbf29ce484222325) ^ (uint64_t)n;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		h = (h ^ w) * UINT64_C(0x100000001b3);
		h ^= h >> 29;
	}
	for (; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(0x100000001b3);
	}
	h ^= h >> 30;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 27;
	h *= UINT64_C(0x94d049bb133111eb);
	h ^= h >> 31;
	return h ? h : 1;
}

void fhir_map_init(struct fhir_map *m, const struct fls_mem *mem)
{
	m->slots = NULL;
	m->cap = m->n = 0;
	m->mem = mem;
}

uint64_t *fhir_map_get(const struct fhir_map *m, uint64_t key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->slots[i].key == key)
			return &m->slots[i].val;
		if (!m->slots[i].key)
			return NULL;
	}
}

static int map_rehash(struct fhir_map *m, size_t ncap)
{
	struct fhir_map_slot *ns = fls_calloc(m->mem, ncap, sizeof(*ns));

	if (!ns)
		return -1;
	for (size_t j = 0; j < m->cap; j++) {
		size_t i;

		if (!m->slots[j].key)
			continue;
		for (i = slot_of(m->slots[j].key, ncap); ns[i].key; i = (i + 1) & (ncap - 1))
			;
		ns[i] = m->slots[j];
	}
	fls_free(m->mem, m->slots);
	m->slots = ns;
	m->cap = ncap;
	return 0;
}

int fhir_map_put(struct fhir_map *m, uint64_t key, uint64_t val)
{
	size_t i;

	if ((m->n + 1) * 4 > m->cap * 3 && map_rehash(m, m->cap ? m->cap * 2 : 64))
		return -1;
	for (i = slot_of(key, m->cap); m->slots[i].key && m->slots[i].key != key; i = (i + 1) & (m->cap - 1))
		;
	if (!m->slots[i].key) {
		m->slots[i].key = key;
		m->n++;
	}
	m->slots[i].val = val;
	return 0;
}

void fhir_map_free(struct fhir_map *m)
{
	fls_free(m->mem, m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
