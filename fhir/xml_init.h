/*
 * libxml2's one-time initialisation, done once per process by whichever thread gets there first.
 */
#ifndef FLS_FHIR_XML_INIT_H
#define FLS_FHIR_XML_INIT_H

/*
 * Call before any other libxml2 function. libxml2 2.9 initialises its global state (mutexes, the
 * dictionary lock, encoding handlers) lazily and without a lock, so two sessions starting to parse on
 * two threads at once race (ThreadSanitizer shows it in test_abi_host); its threads.c asks for
 * xmlInitParser() first. Idempotent and thread-safe.
 */
void fhir_xml_init(void);

#endif
