/* The patient facts as text, one item per line: what `fls inspect` prints and FLS_F_FACTS holds. */
#ifndef FLS_RISK_FACTS_TEXT_H
#define FLS_RISK_FACTS_TEXT_H

#include "risk/facts.h"
#include "util/buf.h"

fls_status risk_facts_text(struct fls_buf *b, const struct risk_patient *p);

#endif
