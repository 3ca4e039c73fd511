/*
 * Where the CLI finds its run-time data (code sets, model coefficients): beside the executable first
 * (<dir of the executable>/../share/fls, the layout of both the build tree and an installation, so a
 * relocated install still works), then the compiled-in FLS_INSTALL_DATADIR.
 */
#ifndef FLS_CLI_DATADIR_H
#define FLS_CLI_DATADIR_H

#include <stddef.h>

/*
 * Write the path of the data file rel (relative to the data directory, e.g.
 * "models/qfracture-2012/coefficients.csv"; "" for the data directory itself) into out and return 0
 * when it exists and is readable; -1 when neither location has it or the path does not fit in cap
 * (out then holds "" ). The executable's directory comes from /proc/self/exe.
 */
int cli_data_path(char *out, size_t cap, const char *rel);

#endif
