/*
 * Clinician outcomes: a record kind of their own (STORE_KIND_OUTCOME), so that what a clinician
 * decided about a flagged patient sits in the same chain as the automated decision it answers.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "store/handle.h"
#include "store/json.h"
#include "util/buf.h"

static const char *const outcome_names[] = {
	[STORE_OUTCOME_ACCEPTED] = "accepted",
	[STORE_OUTCOME_DECLINED] = "declined",
	[STORE_OUTCOME_ALREADY_TREATED] = "already-treated",
	[STORE_OUTCOME_NOT_APPROPRIATE] = "not-appropriate",
	[STORE_OUTCOME_DECEASED] = "deceased",
};

const char *store_outcome_name(enum store_outcome o)
{
	if ((int)o < 1 || (size_t)o >= sizeof(outcome_names) / sizeof(outcome_names[0]))
		return NULL;
	return outcome_names[o];
}

enum store_outcome store_outcome_parse(const char *name)
{
	if (!name)
		return (enum store_outcome)0;
	for (size_t i = 1; i < sizeof(outcome_names) / sizeof(outcome_names[0]); i++)
		if (!strcmp(name, outcome_names[i]))
			return (enum store_outcome)i;
	return (enum store_outcome)0;
}

/* Limits on the free text, so that one outcome stays a small record. */
enum { OUTCOME_MAX_ID = 256, OUTCOME_MAX_WHO = 256, OUTCOME_MAX_NOTE = 4096 };

fls_status store_append_outcome(struct store *s, const char *patient_id, enum store_outcome outcome,
				const char *who, const char *note)
{
	const char *name = store_outcome_name(outcome);
	struct fls_buf b;
	fls_status st;
	size_t nid, nwho, nnote = 0;

	if (!s)
		return FLS_EINVAL;
	if (!name || !patient_id || !*patient_id || !who || !*who)
		return fls_diag_set(&s->diag, FLS_EINVAL,
				    "an outcome needs a patient, a known outcome and "
				    "who recorded it");
	nid = strlen(patient_id);
	nwho = strlen(who);
	if (note)
		nnote = strlen(note);
	if (nid > OUTCOME_MAX_ID || nwho > OUTCOME_MAX_WHO || nnote > OUTCOME_MAX_NOTE)
		return fls_diag_set(&s->diag, FLS_EINVAL,
				    "outcome: identifier, name or note too long "
				    "(limits %d, %d, %d bytes)",
				    OUTCOME_MAX_ID, OUTCOME_MAX_WHO, OUTCOME_MAX_NOTE);
	/* worst case: every byte \u00XX */
	fls_buf_init(&b, &s->mem, 2 * (nid + nwho + nnote) * 6 + 256);
	if ((st = fls_buf_puts(&b, "{\"type\":\"outcome\",\"v\":1,\"patient\":")) ||
	    (st = store_json_put_string(&b, patient_id, nid)) ||
	    (st = fls_buf_printf(&b, ",\"outcome\":\"%s\",\"by\":", name)) ||
	    (st = store_json_put_string(&b, who, nwho)) || (st = fls_buf_puts(&b, ",\"note\":")) ||
	    (st = note ? store_json_put_string(&b, note, nnote) : fls_buf_puts(&b, "null")) ||
	    (st = fls_buf_puts(&b, "}"))) {
		if (st == FLS_EINVAL)
			fls_diag_set(&s->diag, st,
				     "outcome: the identifier, name or note is not UTF-8 text");
		else
			fls_diag_set(&s->diag, st, "outcome: out of memory");
		goto out;
	}
	st = store_append(s, STORE_KIND_OUTCOME, patient_id, b.p, b.len);
out:
	if (b.p)
		OPENSSL_cleanse(b.p, b.cap); /* it held the patient's identifier and the note */
	fls_buf_free(&b);
	return st;
}
