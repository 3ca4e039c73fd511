/*
 * fls: the command-line host of libfls. It links the static core and uses the same session calls that
 * the plugin's function table exposes, so what it prints is what a dlopen host would get.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "fls_config.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "screen", cmd_screen, "screen FHIR R4 XML bundles: FLS worklist, falls referrals, risks" },
	{ "inspect", cmd_inspect, "print the facts extracted from each patient" },
	{ "risk", cmd_risk, "QFracture-2012 equations calculator over CSV rows" },
	{ "keygen", cmd_keygen, "create a decision-store key file" },
	{ "log", cmd_log, "verify or export the encrypted decision log" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: fls <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`fls <command> --help` explains each command. libfls %s\n", FLS_VERSION);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("fls %s\n", FLS_VERSION);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "fls: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
