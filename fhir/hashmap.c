#include "fhir/hashmap.h"

#include <string.h>

uint64_t fhir_hash64(const char *s, size_t n)
{
	/* FNV-1a, then a splitmix64 finaliser for good bit spread; 0 is reserved for empty slots. */
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < n; i++) {
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
	for (i = (size_t)key & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
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
		for (i = (size_t)m->slots[j].key & (ncap - 1); ns[i].key; i = (i + 1) & (ncap - 1))
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
	for (i = (size_t)key & (m->cap - 1); m->slots[i].key && m->slots[i].key != key; i = (i + 1) & (m->cap - 1))
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
