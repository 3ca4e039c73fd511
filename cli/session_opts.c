#include "cli/session_opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli/datadir.h"
#include "cli/keyarg.h"
#include "plugin/session.h"
#include "cli/commands.h"
#include "store/store.h"

/*
 * The library logs every failure of session_new and of a screening call here, once, at FLS_LOG_ERROR;
 * the commands therefore do not print the session's error message again. Warnings about single resources
 * reach the commands' on_problem callbacks instead, so only errors are printed here.
 */
static void log_to_stderr(void *user, int level, const char *msg)
{
	(void)user;
	if (level <= FLS_LOG_ERROR)
		fprintf(stderr, "fls: error: %s\n", msg);
}

static void *cli_alloc(void *user, size_t n)
{
	(void)user;
	return malloc(n ? n : 1);
}

static void cli_free(void *user, void *p)
{
	(void)user;
	free(p);
}

void cli_session_opts_init(struct cli_session_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->cfg.size = sizeof(o->cfg);
	if (cli_data_path(o->data_dir, sizeof(o->data_dir), "") == 0)
		o->cfg.data_dir = o->data_dir;
}

static int parse_u64(const char *s, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (~0ull - 9) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	*out = v;
	return 0;
}

int cli_session_opt(struct cli_session_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v;
	unsigned long long n;

	if (strncmp(a, "--", 2))
		return 0;
	if (!strcmp(a, "--as-of") || !strcmp(a, "--data") || !strcmp(a, "--codes") || !strcmp(a, "--model") ||
	    !strcmp(a, "--order") || !strcmp(a, "--store") || !strcmp(a, "--key") || !strcmp(a, "--max-depth") ||
	    !strcmp(a, "--max-held") || !strcmp(a, "--max-input") || !strcmp(a, "--store-batch")) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "fls: %s needs a value\n", a);
			return -1;
		}
		v = argv[++*i];
	} else {
		return 0;
	}
	if (!strcmp(a, "--as-of"))
		o->cfg.as_of = v;
	else if (!strcmp(a, "--data"))
		o->cfg.data_dir = v;
	else if (!strcmp(a, "--codes"))
		o->cfg.codes_dir = v;
	else if (!strcmp(a, "--model"))
		o->cfg.model_path = v;
	else if (!strcmp(a, "--store"))
		o->store_path = v;
	else if (!strcmp(a, "--key"))
		o->key_path = v;
	else if (!strcmp(a, "--order")) {
		if (!strcmp(v, "auto"))
			o->cfg.order = FLS_ORDER_AUTO;
		else if (!strcmp(v, "contiguous"))
			o->cfg.order = FLS_ORDER_CONTIGUOUS;
		else if (!strcmp(v, "any"))
			o->cfg.order = FLS_ORDER_ANY;
		else {
			fprintf(stderr, "fls: --order takes auto, contiguous or any\n");
			return -1;
		}
	} else {
		if (parse_u64(v, &n) || !n) {
			fprintf(stderr, "fls: %s takes a positive whole number\n", a);
			return -1;
		}
		if (!strcmp(a, "--max-depth"))
			o->cfg.max_depth = n > 200 ? 201 : (uint32_t)n;
		else if (!strcmp(a, "--max-held"))
			o->cfg.max_held_patients = n;
		else if (!strcmp(a, "--max-input"))
			o->cfg.max_input_bytes = n;
		else
			o->cfg.store_batch = n > 1000000 ? 1000000 : (uint32_t)n;
	}
	return 1;
}

const char *cli_session_opts_help(void)
{
	return "  --as-of YYYY-MM-DD   screening date (default: today, UTC)\n"
	       "  --order MODE         auto (default): stream patient-grouped input, else hold all;\n"
	       "                       contiguous: the input is grouped by patient; any: hold all\n"
	       "  --data DIR           run-time data (codes/, models/); default beside the program\n"
	       "  --codes DIR          code-set directory (default DATA/codes)\n"
	       "  --model FILE         QFracture-2012 coefficients (default DATA/models/...)\n"
	       "  --store DB --key KEYFILE\n"
	       "                       append every decision to the encrypted decision log\n"
	       "                       (without --key: passphrase from FLS_PASSPHRASE)\n"
	       "  --store-batch N      decisions per store transaction (default 1000)\n"
	       "  --max-depth N, --max-held N, --max-input BYTES\n"
	       "                       reader limits (defaults 64, 2000000, 268435456)\n";
}

fls_status cli_session_open(struct cli_session_opts *o, fls_session **out)
{
	fls_host host = { sizeof(host), NULL, cli_alloc, cli_free, log_to_stderr };
	struct fls_diag d = { "" };
	fls_status st;

	*out = NULL;
	(void)d;
	if (o->store_path) {
		/* A key file, else FLS_PASSPHRASE, else a no-echo prompt on a terminal (cli/keyarg.c). */
		if (cli_store_key(o->key, o->store_path, o->key_path, 0, "fls") != CLI_OK) {
			OPENSSL_cleanse(o->key, sizeof(o->key));
			return FLS_EINVAL;
		}
		o->cfg.store_path = o->store_path;
		o->cfg.store_key = o->key;
		o->cfg.store_key_len = sizeof(o->key);
	}
	st = plg_session_new(out, &host, &o->cfg);   /* failures are reported through log_to_stderr */
	OPENSSL_cleanse(o->key, sizeof(o->key));
	o->cfg.store_key = NULL;
	return st;
}
