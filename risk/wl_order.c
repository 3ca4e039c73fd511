/*
 * Stable worklist sort over compact keys. risk_worklist_cmp takes whole decisions, so each comparison
 * loads the two keys into two scratch decisions initialised once (as risk_decide leaves a decision
 * before filling it): fields the comparison does not read keep those neutral values.
 */
#include "risk/wl_order.h"

#include <math.h>
#include <string.h>

void risk_wl_key_set(struct risk_wl_key *k, const struct risk_decision *d)
{
	memset(k, 0, sizeof(*k));
	k->mof10 = d->mof10;
	k->hip10 = d->hip10;
	k->sort_day = d->sort_day;
	k->index_day = d->index_day;
	k->age = d->age;
	k->priority = d->priority;
	k->score_status = d->score_status;
}

struct wl_sorter {
	const char *base;
	size_t stride;
	struct risk_decision a, b;
};

static void key_load(struct risk_decision *d, const struct risk_wl_key *k)
{
	d->mof10 = k->mof10;
	d->hip10 = k->hip10;
	d->sort_day = k->sort_day;
	d->index_day = k->index_day;
	d->age = k->age;
	d->priority = k->priority;
	d->score_status = k->score_status;
}

/* Non-zero when entry i must come after entry j. */
static int wl_after(struct wl_sorter *s, size_t i, size_t j)
{
	int c;

	key_load(&s->a, (const struct risk_wl_key *)(const void *)(s->base + i * s->stride));
	key_load(&s->b, (const struct risk_wl_key *)(const void *)(s->base + j * s->stride));
	c = risk_worklist_cmp(&s->a, &s->b);
	return c > 0 || (c == 0 && i > j);
}

static void scratch_init(struct risk_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->age = -1;
	d->mof10 = d->hip10 = NAN;
	d->index_day = d->sort_day = RISK_NO_DAY;
}

fls_status risk_wl_sort(size_t *order, const void *base, size_t n, size_t stride, const struct fls_mem *mem)
{
	struct wl_sorter s;
	size_t *tmp, *src, *dst;

	for (size_t i = 0; i < n; i++)
		order[i] = i;
	if (n < 2)
		return FLS_OK;
	if (!(tmp = fls_calloc(mem, n, sizeof(*tmp))))
		return FLS_ENOMEM;
	s.base = base;
	s.stride = stride;
	scratch_init(&s.a);
	scratch_init(&s.b);
	/* Bottom-up merge sort: O(n log n) comparisons, stable, no recursion. */
	src = order;
	dst = tmp;
	for (size_t w = 1; w < n; w = w > n / 2 ? n : 2 * w) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = mid + w < n ? mid + w : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi)
				dst[k++] = wl_after(&s, src[i], src[j]) ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		{
			size_t *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != order)
		memcpy(order, src, n * sizeof(*order));
	fls_free(mem, tmp);
	return FLS_OK;
}
