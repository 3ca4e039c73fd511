#include <stddef.h>

#include "risk/rule_ids.h"

struct rule_row {
	const char *id;
	int level;
	const char *text, *source;
};

static const struct rule_row fls_rules[RISK_FLS__COUNT] = {
#define RISK_FLS_ROW(e, id, lvl, text, src) { id, lvl, text, src },
	RISK_FLS_RULE_LIST(RISK_FLS_ROW)
#undef RISK_FLS_ROW
};

static const struct rule_row fall_rules[RISK_FALL__COUNT] = {
#define RISK_FALL_ROW(n, id, refer, text, src) { id, refer, text, src },
	RISK_FALL_RULE_LIST(RISK_FALL_ROW)
#undef RISK_FALL_ROW
};

static const struct rule_row *fls_row(int r)
{
	return r >= 0 && r < RISK_FLS__COUNT ? &fls_rules[r] : NULL;
}

static const struct rule_row *fall_row(int r)
{
	return r >= 0 && r < RISK_FALL__COUNT ? &fall_rules[r] : NULL;
}

const char *risk_fls_rule_id(int r) { return fls_row(r) ? fls_row(r)->id : "?"; }
const char *risk_fls_rule_text(int r) { return fls_row(r) ? fls_row(r)->text : "?"; }
const char *risk_fls_rule_source(int r) { return fls_row(r) ? fls_row(r)->source : "?"; }
int risk_fls_rule_level(int r) { return fls_row(r) ? fls_row(r)->level : 0; }
const char *risk_fall_rule_id(int r) { return fall_row(r) ? fall_row(r)->id : "?"; }
const char *risk_fall_rule_text(int r) { return fall_row(r) ? fall_row(r)->text : "?"; }
const char *risk_fall_rule_source(int r) { return fall_row(r) ? fall_row(r)->source : "?"; }
