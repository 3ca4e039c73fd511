/*
 * The session: everything one host worker thread needs, and nothing global (STYLE.md §1). Internal
 * header shared by plugin/ and the CLI (which links the static core and calls these directly).
 */
#ifndef FLS_PLUGIN_SESSION_H
#define FLS_PLUGIN_SESSION_H

#include "codes/codeset.h"
#include "fls/fls.h"
#include "risk/decision.h"
#include "util/diag.h"
#include "util/mem.h"

struct store;
struct plg_writer;
struct fhir_reader_cfg;

struct fls_session {
	fls_host host;            /* copied, zero-filled beyond the host's size */
	struct fls_mem mem;       /* host->alloc/free */
	fls_config cfg;           /* copied with defaults applied; strings below are our copies */
	char *data_dir, *codes_dir, *model_path, *store_path;
	unsigned char store_key[32];
	int has_store_key;
	int32_t as_of;
	char as_of_text[11];
	struct codes_set *codes;
	struct qf_model *model;
	struct store *store;
	struct plg_writer *writer; /* store_async: the background writer, else NULL */
	uint32_t store_pending;   /* decisions appended in the open store transaction (synchronous path) */
	fls_stats stats;
	struct fls_diag err;
};

fls_status plg_session_new(fls_session **out, const fls_host *host, const fls_config *config);
void plg_session_free(fls_session *sess);
const char *plg_session_errmsg(const fls_session *sess);
fls_status plg_screen_memory(fls_session *sess, const char *label, const char *xml, size_t len, const fls_sink *sink);
fls_status plg_screen_file(fls_session *sess, const char *path, const fls_sink *sink);
fls_status plg_session_stats(const fls_session *sess, fls_stats *out);
fls_status plg_record_outcome(fls_session *sess, const char *patient_id, const char *outcome, const char *who,
			      const char *note);

/* The reader configuration the session's limits and code sets give (callbacks and ctx left zero). */
void plg_reader_cfg(const fls_session *sess, struct fhir_reader_cfg *rc);
/* Log through the host (never PHI). */
void plg_log(const fls_session *sess, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Set the session's last error and return st. */
fls_status plg_fail(fls_session *sess, fls_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

const char *plg_strerror(fls_status st);
const char *plg_version(void);

#endif
