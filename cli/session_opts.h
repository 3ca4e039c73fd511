/*
 * Options every screening command shares (data location, as-of date, order, limits, store), parsed
 * into an fls_config, and the session made from them.
 */
#ifndef FLS_CLI_SESSION_OPTS_H
#define FLS_CLI_SESSION_OPTS_H

#include <stddef.h>

#include "fls/fls.h"

struct cli_session_opts {
	fls_config cfg;
	char data_dir[4096];
	const char *store_path, *key_path;
	unsigned char key[32];
	int has_key;
};

/* Defaults (data directory beside the executable, then the installed one). */
void cli_session_opts_init(struct cli_session_opts *o);
/*
 * If argv[*i] is a shared option, consume it (and its value) and return 1; 0 if it is not one of
 * ours; -1 on a bad value (message printed).
 */
int cli_session_opt(struct cli_session_opts *o, int argc, char **argv, int *i);
/* The help text of the shared options. */
const char *cli_session_opts_help(void);
/* Open a session; prints the reason on failure. The key copy in o is wiped either way. */
fls_status cli_session_open(struct cli_session_opts *o, fls_session **out);

#endif
