/*
 * The background decision-log writer (fls_config.store_async = 1): screening hands each decision record
 * to a bounded queue and goes on parsing while one writer thread builds, encrypts and appends it, so logging
 * overlaps screening on a second core. The thread is started by the session and joined by
 * session_free; it never calls the host's callbacks or allocator, blocks every signal, and is the only
 * user of the store while records are queued.
 */
#ifndef FLS_PLUGIN_STORE_WRITER_H
#define FLS_PLUGIN_STORE_WRITER_H

#include <stddef.h>

#include "fls/fls.h"
#include "util/mem.h"

struct store;
struct plg_writer;

/* Start the writer for s (batch = records per transaction). mem allocates the queue (this thread only). */
fls_status plg_writer_start(struct plg_writer **out, struct store *s, const struct fls_mem *mem, uint32_t batch,
			    char *errbuf, size_t errcap);
/*
 * Queue one patient's decision (the result's text fields and numbers are copied; the writer builds the
 * record with plg_record_decision). Blocks while the queue is full. Returns the writer's first error
 * (the log then stops taking records) with its message in errbuf.
 */
fls_status plg_writer_push(struct plg_writer *w, const fls_result *res, char *errbuf, size_t errcap);
/* Wait until every queued record is appended and committed; returns the first error, if any. */
fls_status plg_writer_flush(struct plg_writer *w, char *errbuf, size_t errcap);
/* Flush, stop and join the thread, free the queue. Accepts NULL. Returns the first error, if any. */
fls_status plg_writer_stop(struct plg_writer *w);

#endif
