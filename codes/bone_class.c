#include "codes/bone_class.h"

#include <string.h>

/* The D4 classes in the order the spec lists them; the first class whose pattern matches wins. */
static const struct {
	uint8_t months;
	const char *substr[5];  /* lower-case, NULL-terminated */
	const char *atc[4];     /* NULL-terminated */
} bone_classes[] = {
	{ 15, { "zoledron", "aclasta", "zometa", "zerlinda", NULL }, { "M05BA08", NULL } },
	{ 7, { "denosumab", "prolia", "xgeva", NULL }, { "M05BX04", NULL } },
	{ 3, { "teriparatide", "abaloparatide", "romosozumab", "evenity", NULL },
	  { "H05AA02", "H05AA04", "M05BX06", NULL } },
};

#define BONE_DEFAULT_MONTHS 6

static char bone_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

int codes_ci_contains(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	if (m > n)
		return 0;
	for (size_t i = 0; i + m <= n; i++) {
		size_t k = 0;

		while (k < m && bone_lower(hay[i + k]) == needle[k])
			k++;
		if (k == m)
			return 1;
	}
	return 0;
}

uint8_t codes_bone_months(const char *display, size_t display_len, const char *atc, size_t atc_len)
{
	for (size_t c = 0; c < sizeof(bone_classes) / sizeof(bone_classes[0]); c++) {
		for (size_t i = 0; bone_classes[c].substr[i]; i++)
			if (display && codes_ci_contains(display, display_len, bone_classes[c].substr[i]))
				return bone_classes[c].months;
		for (size_t i = 0; atc && bone_classes[c].atc[i]; i++)
			if (strlen(bone_classes[c].atc[i]) == atc_len && !memcmp(bone_classes[c].atc[i], atc, atc_len))
				return bone_classes[c].months;
	}
	return BONE_DEFAULT_MONTHS;
}
