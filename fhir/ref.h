/*
 * Reference keys: how the reader joins resources to their Patient, Encounter and Medication whatever form
 * the reference takes (docs/decisions.md "Reference resolution").
 *   urn:uuid:X, urn:oid:X, any other urn:...  -> the text as it is
 *   http(s)://base/Type/id[/_history/n]       -> "Type/id"
 *   Type/id[/_history/n], /Type/id            -> "Type/id"
 *   #id                                       -> "#id" (a contained resource of the current resource)
 *   bare id (no '/', no ':')                   -> "<default_type>/id" when the element's target type is known
 * A resource registers the keys of its fullUrl and of "Type/id", so either form finds it.
 */
#ifndef FLS_FHIR_REF_H
#define FLS_FHIR_REF_H

#include <stddef.h>

#define FHIR_KEY_MAX 256

/*
 * Normalise reference text s[0..n) into out (NUL-terminated). default_type is used for a bare id (may be
 * NULL: then a bare id is kept as it is). Returns the key length, or -1 when the text is empty or the key
 * would not fit.
 */
int fhir_ref_key(const char *s, size_t n, const char *default_type, char out[FHIR_KEY_MAX]);

/*
 * The resource type a key names ("Patient/x" -> "Patient"), as s[0..*len); NULL for urn and '#' keys,
 * whose type the key does not say.
 */
const char *fhir_key_type(const char *key, size_t *len);

#endif
