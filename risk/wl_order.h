/*
 * Worklist order for the output writers (decisions CSV, FHIR List), which must not hold whole
 * decisions for every patient: they keep one compact key per worklist entry and sort the keys at the
 * end with risk_worklist_cmp (clinical-rules 7.3), ties broken by arrival order.
 */
#ifndef FLS_RISK_WL_ORDER_H
#define FLS_RISK_WL_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "fls/fls.h"
#include "risk/decision.h"
#include "util/mem.h"

/* Every field of a decision that risk_worklist_cmp may read (7.3: level, most recent fracture, MOF
 * risk or none, age). */
struct risk_wl_key {
	double mof10, hip10;
	int32_t sort_day, index_day;
	int32_t age;
	uint8_t priority, score_status;
};

void risk_wl_key_set(struct risk_wl_key *k, const struct risk_decision *d);

/*
 * Fill order[0..n) with the indices 0..n-1 of the keys at base, base + stride, ... (each the address
 * of a struct risk_wl_key inside the caller's array element) in worklist order; keys that compare
 * equal keep their index order (a stable merge sort), so the result is a total order. Needs n extra
 * indices of scratch memory from mem: FLS_ENOMEM when that fails (order is then unspecified).
 */
fls_status risk_wl_sort(size_t *order, const void *base, size_t n, size_t stride, const struct fls_mem *mem);

#endif
