/* The `fls` subcommands: each lives in its own cli/cmd_<name>.c and returns the process exit status. */
#ifndef FLS_CLI_COMMANDS_H
#define FLS_CLI_COMMANDS_H

/* Exit statuses shared by every command (sysexits-like, documented in docs/cli.md). */
enum cli_exit {
	CLI_OK = 0,
	CLI_FAIL = 1,     /* the command ran and found a problem (e.g. `log verify` failed) */
	CLI_USAGE = 2,    /* bad command line */
	CLI_DATA = 3,     /* input could not be read or was invalid */
	CLI_SOFTWARE = 4  /* internal or resource error (memory, store, crypto) */
};

int cmd_screen(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_risk(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_log(int argc, char **argv);

#endif
