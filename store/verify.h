/*
 * Checking records: one row at a time (structure, key id, GCM tag, chain link) and the whole log in
 * order followed by the head. Used by store_verify and by the export (docs/store-format.md §7).
 */
#ifndef FLS_STORE_VERIFY_H
#define FLS_STORE_VERIFY_H

#include <stdint.h>

#include <sqlite3.h>

#include "store/handle.h"
#include "store/log.h"

/* Columns every checking query selects, in this order. */
#define STORE_ROW_COLUMNS "seq, ts_ms, kind, key_id, pidx, nonce, ct, mac"

/*
 * Check the row under st's cursor against prev, the MAC of the record before it. On FLS_OK, row
 * describes it, mac holds its chain MAC and s->buf its plaintext (NUL-terminated, row->ct_len - 16
 * bytes), which the caller wipes. Otherwise FLS_ETAMPER with the reason in d.
 */
fls_status store_check_row(struct store *s, sqlite3_stmt *st,
			   const unsigned char prev[STORE_HMAC_LEN], struct store_row *row,
			   unsigned char mac[STORE_HMAC_LEN], struct fls_diag *d);

/*
 * Walk the whole log from record 1 inside one read transaction (a consistent snapshot even while
 * others append), then check the head. cb may be NULL; it sees each record once it has checked out.
 */
fls_status store_walk(struct store *s, struct store_verify_report *r, store_export_cb cb, void *ctx,
		      struct fls_diag *d);

/* Deliver the plaintext left in s->buf by store_check_row to cb, then wipe it. */
int store_deliver(struct store *s, const struct store_row *row, store_export_cb cb, void *ctx);

#endif
