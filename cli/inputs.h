/* Command-line inputs: files, or directories whose *.xml files are read in name order. */
#ifndef FLS_CLI_INPUTS_H
#define FLS_CLI_INPUTS_H

#include <stddef.h>

struct cli_inputs {
	char **paths;
	size_t n, cap;
};

/*
 * Add a file, or every regular *.xml file of a directory (not recursive). -1 with a message on error,
 * including a directory without any .xml file.
 */
int cli_inputs_add(struct cli_inputs *in, const char *path);
void cli_inputs_free(struct cli_inputs *in);

#endif
