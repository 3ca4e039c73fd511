#include "risk/notes.h"

static const char *const note_ids[RISK_NOTE__COUNT] = {
#define RISK_NOTE_ID(e, id, text) id,
	RISK_NOTE_LIST(RISK_NOTE_ID)
#undef RISK_NOTE_ID
};

static const char *const note_texts[RISK_NOTE__COUNT] = {
#define RISK_NOTE_TEXT(e, id, text) text,
	RISK_NOTE_LIST(RISK_NOTE_TEXT)
#undef RISK_NOTE_TEXT
};

const char *risk_note_id(int note)
{
	return note >= 0 && note < RISK_NOTE__COUNT ? note_ids[note] : "?";
}

const char *risk_note_text(int note)
{
	return note >= 0 && note < RISK_NOTE__COUNT ? note_texts[note] : "?";
}
