/*
 * Getting the store key from the operator. A passphrase is never taken from the command line (it
 * would show in ps and in shell history): only from FLS_PASSPHRASE or from the terminal with echo
 * off.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/keyarg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli/commands.h"

int cli_store_exit(fls_status st)
{
	switch (st) {
	case FLS_OK: return CLI_OK;
	case FLS_ETAMPER:
	case FLS_ESTORE: return CLI_FAIL; /* the log cannot be shown to be whole */
	case FLS_EINVAL:
	case FLS_EIO:
	case FLS_ECRYPTO: return CLI_DATA; /* key refused or wrong, file unreadable */
	default: return CLI_SOFTWARE;
	}
}

/* Read one line from the terminal on fd 0 with echo off; the newline is dropped. -1 on failure. */
static int keyarg_prompt(const char *prompt, char *buf, size_t cap, size_t *len)
{
	struct termios old, quiet;
	size_t n = 0;
	int rc = 0;

	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	fputs(prompt, stderr);
	fflush(stderr);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
		return -1;
	for (;;) {
		char c;
		ssize_t r = read(STDIN_FILENO, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (n + 1 >= cap) {
			rc = -1; /* too long: refuse rather than silently cut a passphrase */
			continue;
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	*len = n;
	return rc;
}

int cli_store_key(unsigned char key[STORE_KEY_BYTES], const char *db, const char *keyfile,
		  int readonly, const char *prog)
{
	struct store_opts o = { 0 };
	struct fls_diag d;
	char pass[1024], again[1024];
	const char *env;
	size_t len = 0, len2 = 0;
	fls_status st;
	int rc = CLI_OK;

	d.msg[0] = '\0';
	if (keyfile) {
		st = store_key_from_file(key, keyfile, &d);
		if (st != FLS_OK) {
			fprintf(stderr, "%s: %s\n", prog, d.msg);
			return cli_store_exit(st);
		}
		return CLI_OK;
	}
	o.readonly = readonly;
	env = getenv("FLS_PASSPHRASE");
	if (env && *env) {
		len = strlen(env);
		if (len >= sizeof(pass)) {
			fprintf(stderr, "%s: FLS_PASSPHRASE is too long (at most %zu bytes)\n",
				prog, sizeof(pass) - 1);
			return CLI_USAGE;
		}
		memcpy(pass, env, len + 1);
	} else if (isatty(STDIN_FILENO)) {
		struct stat sb;
		int is_new = !readonly && stat(db, &sb) != 0;

		if (keyarg_prompt("Decision-log passphrase: ", pass, sizeof(pass), &len) != 0) {
			fprintf(stderr, "%s: cannot read a passphrase from the terminal\n", prog);
			rc = CLI_USAGE;
			goto out;
		}
		/*
		 * A new store's passphrase is typed twice: a typo would lock its records away for
		 * good.
		 */
		if (is_new &&
		    (keyarg_prompt("Again, to confirm: ", again, sizeof(again), &len2) != 0 ||
		     len2 != len || CRYPTO_memcmp(pass, again, len) != 0)) {
			fprintf(stderr, "%s: the passphrases do not match\n", prog);
			rc = CLI_USAGE;
			goto out;
		}
	} else {
		fprintf(stderr,
			"%s: the store needs a key: give --key KEYFILE (made by `fls keygen`), or "
			"set "
			"FLS_PASSPHRASE, or run on a terminal to type a passphrase\n",
			prog);
		return CLI_USAGE;
	}
	st = store_passphrase_key(key, db, pass, len, &o, &d);
	if (st != FLS_OK) {
		fprintf(stderr, "%s: %s\n", prog, d.msg);
		rc = st == FLS_EINVAL ? CLI_USAGE : cli_store_exit(st);
	}
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	OPENSSL_cleanse(again, sizeof(again));
	return rc;
}
