/* `fls keygen KEYFILE`: a new 256-bit master key for the decision store. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "store/store.h"

static void keygen_usage(FILE *out)
{
	fputs("usage: fls keygen KEYFILE\n"
	      "\n"
	      "Write a new random 256-bit key for the encrypted decision log to KEYFILE\n"
	      "(created with mode 0600; an existing file is never overwritten). Use it with\n"
	      "`fls screen --store DB --key KEYFILE` and `fls log verify|export --store DB\n"
	      "--key KEYFILE`. Keep a copy in a safe place: without the key nobody, including\n"
	      "you, can read the log.\n",
	      out);
}

int cmd_keygen(int argc, char **argv)
{
	struct fls_diag d;
	fls_status st;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		keygen_usage(stdout);
		return CLI_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		keygen_usage(stderr);
		return CLI_USAGE;
	}
	st = store_keygen_file(argv[1], &d);
	if (st != FLS_OK) {
		fprintf(stderr, "fls keygen: %s\n", d.msg);
		return st == FLS_ECRYPTO ? CLI_SOFTWARE : CLI_DATA;
	}
	fprintf(stderr,
		"fls keygen: wrote a new key to %s (mode 0600). Keep a copy somewhere safe: "
		"without it the log cannot be read.\n",
		argv[1]);
	return CLI_OK;
}
