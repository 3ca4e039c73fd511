/*
 * Helpers shared by the security tests (test_no_phi, test_limits): a session on the build's run-time data
 * whose host log, sink and error messages are all captured, with the process's stdout and stderr
 * redirected around every library call so that anything the library (or libxml2, OpenSSL, SQLite inside
 * it) prints there is captured too.
 */
#ifndef FLS_TESTS_SEC_CAPTURE_H
#define FLS_TESTS_SEC_CAPTURE_H

#include <stddef.h>

#include "fls/fls.h"

#define SEC_TEXT_MAX (256u << 10)

struct sec_capture {
	fls_session *sess;
	char text[SEC_TEXT_MAX];  /* every message: host log, on_problem, session_errmsg, stdio */
	size_t len;
	char stdio[4096];         /* what went to stdout/stderr during library calls (should be nothing) */
	size_t stdio_len;
	unsigned logs, problems, results;
	unsigned stop_after;      /* on_result asks to stop after this many results (0: never) */
};

/* A config with data_dir (the build's, from FLS_DATADIR) and a pinned as-of date; the rest zero. */
void sec_config(fls_config *cfg);

/* Create c->sess with cfg (NULL: sec_config's). Returns the status; messages are captured. */
fls_status sec_session(struct sec_capture *c, const fls_config *cfg);

/* plg_screen_memory with label, capturing everything; session_errmsg is appended to the text. */
fls_status sec_screen(struct sec_capture *c, const char *label, const char *xml, size_t len);

/* plg_record_outcome, captured the same way. */
fls_status sec_outcome(struct sec_capture *c, const char *patient_id, const char *outcome, const char *who,
		       const char *note);

/* Free the session (accepts a capture without one). */
void sec_free(struct sec_capture *c);

/* Case-insensitive search; NULL when absent. */
const char *sec_find(const char *hay, const char *needle);

/* A fresh scratch directory under $TMPDIR (or /tmp) into buf; removed by sec_rmdir. */
const char *sec_tmpdir(char *buf, size_t cap);
void sec_rmdir(const char *dir);

#endif
