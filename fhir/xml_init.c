#include "fhir/xml_init.h"

#include <libxml/parser.h>
#include <pthread.h>

/*
 * The one piece of process-wide state in libfls (STYLE §1: "the only exception is one pthread_once that
 * calls xmlInitParser()"). xmlCleanupParser is never called: the host may use libxml2 too.
 */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

void fhir_xml_init(void)
{
	pthread_once(&xml_once, xmlInitParser);
}
