#include "codes/table.h"

#include <string.h>

#define TABLE_MIN_SLOTS 4096u

/* FNV-1a over the system id and the code: codes are short (3-18 bytes), so this is cheap and even. */
static uint32_t table_hash(unsigned sys, const char *code, size_t len)
{
	uint32_t h = 2166136261u;

	h = (h ^ (uint32_t)sys) * 16777619u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)code[i]) * 16777619u;
	return h ^ (h >> 15);
}

void codes_table_init(struct codes_table *t, const struct fls_mem *mem)
{
	memset(t, 0, sizeof(*t));
	t->mem = mem;
}

void codes_table_free(struct codes_table *t)
{
	if (!t || !t->mem)
		return;
	fls_free(t->mem, t->ents);
	fls_free(t->mem, t->slots);
	fls_free(t->mem, t->arena);
	memset(t, 0, sizeof(*t));
}

const char *codes_table_code(const struct codes_table *t, const struct codes_entry *e)
{
	return t->arena + e->off;
}

/*
 * The slot holding (sys, code) or, when absent, the empty slot where it would go. Requires nslots > 0
 * (the load factor keeps an empty slot, so the probe ends).
 */
static size_t table_probe(const struct codes_table *t, unsigned sys, const char *code, size_t len, uint32_t h)
{
	size_t mask = t->nslots - 1, i;

	for (i = h & mask;; i = (i + 1) & mask) {
		uint32_t s = t->slots[i];
		const struct codes_entry *e;

		if (!s)
			return i;
		e = &t->ents[s - 1];
		if (e->hash == h && e->sys == sys && e->len == len && !memcmp(t->arena + e->off, code, len))
			return i;
	}
}

const struct codes_entry *codes_table_find(const struct codes_table *t, unsigned sys, const char *code, size_t len)
{
	uint32_t s;

	if (!t->nslots || len > CODES_MAX_CODE)
		return NULL;
	s = t->slots[table_probe(t, sys, code, len, table_hash(sys, code, len))];
	return s ? &t->ents[s - 1] : NULL;
}

/* Double the slot array and reinsert every entry (their hashes are stored). */
static int table_rehash(struct codes_table *t)
{
	size_t n = t->nslots ? t->nslots * 2 : TABLE_MIN_SLOTS, mask = n - 1;
	uint32_t *slots;

	if (n > (size_t)UINT32_MAX || !(slots = fls_calloc(t->mem, n, sizeof(*slots))))
		return -1;
	for (size_t k = 0; k < t->n; k++) {
		size_t i = t->ents[k].hash & mask;

		while (slots[i])
			i = (i + 1) & mask;
		slots[i] = (uint32_t)(k + 1);
	}
	fls_free(t->mem, t->slots);
	t->slots = slots;
	t->nslots = n;
	return 0;
}

struct codes_entry *codes_table_upsert(struct codes_table *t, unsigned sys, const char *code, size_t len)
{
	struct codes_entry *e;
	uint32_t h;
	size_t i;

	if (len > CODES_MAX_CODE)
		return NULL;
	h = table_hash(sys, code, len);
	/* Keep the load factor at or under 1/2 so that probes stay short. */
	if ((t->n + 1) * 2 > t->nslots && table_rehash(t) != 0)
		return NULL;
	i = table_probe(t, sys, code, len, h);
	if (t->slots[i])
		return &t->ents[t->slots[i] - 1];
	if (t->n >= UINT32_MAX - 1 || t->alen > UINT32_MAX - len ||
	    fls_grow(t->mem, (void **)&t->ents, &t->cap, t->n + 1, sizeof(*t->ents)) != 0 ||
	    fls_grow(t->mem, (void **)&t->arena, &t->acap, t->alen + len, 1) != 0)
		return NULL;
	e = &t->ents[t->n];
	memset(e, 0, sizeof(*e));
	e->hash = h;
	e->sys = (uint8_t)sys;
	e->len = (uint8_t)len;
	e->off = (uint32_t)t->alen;
	memcpy(t->arena + t->alen, code, len);
	t->alen += len;
	t->slots[i] = (uint32_t)(t->n + 1);
	t->n++;
	return e;
}
