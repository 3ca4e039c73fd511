/*
 * The data location helper (cli/datadir.h). /proc/self/exe rather than argv[0]: argv[0] may be a bare
 * name found through PATH, or anything the caller chose.
 */
#define _POSIX_C_SOURCE 200809L /* readlink */

#include "cli/datadir.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fls_config.h"

/* base + "/" + rel (no slash for an empty rel); 0 if it fits and is readable. */
static int try_path(char *out, size_t cap, const char *base, size_t base_len, const char *rel)
{
	int n = snprintf(out, cap, "%.*s%s%s", (int)base_len, base, *rel ? "/" : "", rel);

	if (n < 0 || (size_t)n >= cap)
		return -1;
	return access(out, R_OK) == 0 ? 0 : -1;
}

int cli_data_path(char *out, size_t cap, const char *rel)
{
	char exe[4096], base[4096 + 16];
	ssize_t n;
	char *slash;
	int m;

	if (!out || !cap)
		return -1;
	if (!rel)
		rel = "";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/'))) {
			*slash = '\0';
			m = snprintf(base, sizeof(base), "%s/../share/fls", exe);
			if (m > 0 && (size_t)m < sizeof(base) && try_path(out, cap, base, (size_t)m, rel) == 0)
				return 0;
		}
	}
	if (try_path(out, cap, FLS_INSTALL_DATADIR, strlen(FLS_INSTALL_DATADIR), rel) == 0)
		return 0;
	out[0] = '\0';
	return -1;
}
