#include <stddef.h>
#include <string.h>

#include "codes/concepts.h"

static const char *const concept_names[CONCEPT__COUNT] = {
#define FLS_CONCEPT_NAME(id, name) name,
	FLS_CONCEPT_LIST(FLS_CONCEPT_NAME)
#undef FLS_CONCEPT_NAME
};

const char *concept_name(int c)
{
	return c >= 0 && c < CONCEPT__COUNT ? concept_names[c] : "?";
}

int concept_by_name(const char *name, size_t len)
{
	for (int c = 0; c < CONCEPT__FILE_COUNT; c++)
		if (strlen(concept_names[c]) == len && !memcmp(concept_names[c], name, len))
			return c;
	return -1;
}
