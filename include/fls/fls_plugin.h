/*
 * libfls plugin entry point: the one exported symbol and the function table it returns.
 *
 *   void *so = dlopen("libfls.so.1", RTLD_NOW | RTLD_LOCAL);
 *   fls_get_api_fn get = (fls_get_api_fn)dlsym(so, FLS_PLUGIN_ENTRY);
 *   const fls_api *api = get ? get(FLS_ABI_MAJOR) : NULL;
 *   if (!api || !FLS_API_HAS(api, screen_memory)) ...
 *
 * Compatibility: members are only appended (abi_minor += 1 each time); a host checks FLS_API_HAS before
 * calling a member newer than the header it was built with. Removing, reordering or retyping a member
 * is an ABI break: a new FLS_ABI_MAJOR and a new SONAME.
 *
 * Threads: fls_plugin_get_api, strerror and version may be called from any thread. A session and the
 * results it delivers may be used from any thread, one thread at a time. Results handed out by
 * result_copy are immutable and may be read from several threads at once.
 */
#ifndef FLS_FLS_PLUGIN_H
#define FLS_FLS_PLUGIN_H

#include "fls.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FLS_PLUGIN_ENTRY "fls_plugin_get_api"

typedef struct fls_api {
	uint32_t size;      /**< sizeof(fls_api) as the PLUGIN compiled it */
	uint32_t abi_minor; /**< +1 for every appended member */

	/** Static description of a status code. Never NULL, never free it. */
	const char *(*strerror)(fls_status st);
	/** Library version string, e.g. "1.0.0". Static. */
	const char *(*version)(void);

	/**
	 * Create a session: copies host and config, loads the code sets and the model coefficients, opens
	 * the store when configured. host may be NULL (malloc/free, no log); config may be NULL (defaults).
	 * Errors: FLS_EINVAL (bad config), FLS_EDATA (code sets/model), FLS_ESTORE/FLS_ECRYPTO (store).
	 * On failure *out is NULL and the detailed message (which file, which line) goes to host->log at
	 * FLS_LOG_ERROR, since there is no session left to ask.
	 */
	fls_status (*session_new)(fls_session **out, const fls_host *host, const fls_config *config);
	/** Close the store, wipe keys, free everything. Accepts NULL. */
	void (*session_free)(fls_session *sess);
	/** The last error message of this session ("" if none); valid until the next call on sess. */
	const char *(*session_errmsg)(const fls_session *sess);

	/**
	 * Screen FHIR R4 XML held in memory (a Bundle, or a single resource). label names the input in
	 * error messages (may be NULL). xml must stay valid for the call. Each patient's result goes to
	 * sink->on_result. A bad resource is reported to on_problem, counted and skipped; the call still
	 * returns FLS_OK unless the input as a whole is unreadable (FLS_EPARSE, FLS_ELIMIT) or the host
	 * stopped it (FLS_EABORT). Patients read before a fatal error are still delivered.
	 */
	fls_status (*screen_memory)(fls_session *sess, const char *label, const char *xml, size_t len,
				    const fls_sink *sink);
	/** The same for a file, read in chunks (streaming: memory does not grow with the file). */
	fls_status (*screen_file)(fls_session *sess, const char *path, const fls_sink *sink);

	/** Copy the session's counters into *out (out->size set by the caller). */
	fls_status (*session_stats)(const fls_session *sess, fls_stats *out);

	/** A text field of a result, or NULL when the result has none. Borrowed from res. */
	const char *(*result_str)(const fls_result *res, fls_field field);
	/** A numeric field; FLS_EINVAL when the result has no such value (e.g. no score). */
	fls_status (*result_num)(const fls_result *res, fls_field field, double *out);
	/** Keep a result beyond the callback: *out is owned by the caller, freed with result_free. */
	fls_status (*result_copy)(fls_result **out, const fls_session *sess, const fls_result *res);
	/** Free a copied result. Accepts NULL. */
	void (*result_free)(fls_result *res);

	/**
	 * Record a clinician's outcome for a patient in the decision store: outcome is one of
	 * "accepted", "declined", "already-treated", "not-appropriate", "deceased"; who names the
	 * clinician; note may be NULL. Errors: FLS_EINVAL, FLS_ESTORE (no store configured or failed).
	 */
	fls_status (*record_outcome)(fls_session *sess, const char *patient_id, const char *outcome,
				     const char *who, const char *note);
} fls_api;

/** True when the table has member m (safe to call). */
#define FLS_API_HAS(api, m) ((api)->size >= offsetof(fls_api, m) + sizeof((api)->m))

typedef const fls_api *(*fls_get_api_fn)(uint32_t abi_major);

/** The only exported symbol. Returns NULL when the plugin cannot serve abi_major. */
FLS_EXPORT const fls_api *fls_plugin_get_api(uint32_t abi_major);

#ifdef __cplusplus
}
#endif
#endif /* FLS_FLS_PLUGIN_H */
