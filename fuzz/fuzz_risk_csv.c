/*
 * Fuzz target: the CSV reader of `fls risk` (cli/cmd_risk.c). Its record reader and splitter are static,
 * so the input goes through the command itself: written to a scratch file and read by
 * cmd_risk(["risk", "--model", <the real coefficients>, <file>]), with the command's stdout and stderr
 * pointed at /dev/null (the FILE pointers only: libFuzzer and the sanitizers report on file descriptor
 * 2, which stays as it was). The exit status must be one of the documented ones (cli/commands.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "fuzz/fuzz_util.h"

static char model_path[4096], input_path[4096];
static FILE *devnull;

static void init_once(void)
{
	if (devnull)
		return;
	fuzz_path(model_path, sizeof(model_path), fuzz_data_dir(), "models/qfracture-2012/coefficients.csv");
	fuzz_path(input_path, sizeof(input_path), fuzz_tmp_dir(), "input.csv");
	if (!(devnull = fopen("/dev/null", "w")))
		fuzz_fail("cannot open /dev/null");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[] = { "risk", "--model", model_path, input_path, NULL };
	FILE *out, *err;
	int rc;

	init_once();
	if (fuzz_write_file(input_path, data, size))
		fuzz_fail("cannot write %s", input_path);
	out = stdout;
	err = stderr;
	stdout = devnull;
	stderr = devnull;
	rc = cmd_risk(4, argv);
	stdout = out;
	stderr = err;
	if (rc != CLI_OK && rc != CLI_DATA && rc != CLI_SOFTWARE)
		fuzz_fail("fls risk exited with %d", rc);
	return 0;
}
