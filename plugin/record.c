#include "plugin/record.h"

#include <string.h>

#include "plugin/result.h"
#include "risk/render.h"
#include "util/json.h"

/* "ids" joined by '|' as a JSON array of strings. */
static fls_status id_array(struct fls_buf *b, const char *joined)
{
	fls_status st = fls_buf_append(b, "[", 1);
	const char *p = joined;

	while (!st && p && *p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (p != joined)
			st = fls_buf_append(b, ",", 1);
		if (!st)
			st = fls_buf_append(b, "\"", 1);
		if (!st)
			st = fls_buf_append(b, p, n); /* ids are [A-Z0-9-]: nothing to escape */
		if (!st)
			st = fls_buf_append(b, "\"", 1);
		p = bar ? bar + 1 : NULL;
	}
	return st ? st : fls_buf_append(b, "]", 1);
}

/* ,"key": -- built with appends, not printf: this runs once a field for every patient screened. */
static fls_status key(struct fls_buf *b, const char *key, int comma)
{
	fls_status st = comma ? fls_buf_append(b, ",\"", 2) : fls_buf_append(b, "\"", 1);

	if (!st)
		st = fls_buf_puts(b, key);
	return st ? st : fls_buf_append(b, "\":", 2);
}

static fls_status key_str(struct fls_buf *b, const char *name, const char *val, int comma)
{
	fls_status st = key(b, name, comma);

	return st ? st : fls_json_str(b, val);
}

static fls_status key_num(struct fls_buf *b, const char *name, const fls_result *res, fls_field f, int sig)
{
	double v;
	char num[40];
	fls_status st = key(b, name, 1);

	if (st)
		return st;
	if (plg_result_num(res, f, &v) || risk_render_decimal(num, sizeof(num), v, sig) < 0)
		return fls_buf_puts(b, "null");
	return fls_buf_puts(b, num);
}

fls_status plg_record_decision(struct fls_buf *b, const fls_result *res)
{
	fls_status st;

#define TRY(x) do { if ((st = (x)) != FLS_OK) return st; } while (0)
	TRY(fls_buf_puts(b, "{\"type\":\"decision\",\"v\":1"));
	TRY(key_str(b, "patient_id", plg_result_str(res, FLS_F_PATIENT_ID), 1));
	TRY(key_str(b, "nhs_number", plg_result_str(res, FLS_F_NHS_NUMBER), 1));
	TRY(key_str(b, "birth_date", plg_result_str(res, FLS_F_BIRTH_DATE), 1));
	TRY(key_str(b, "sex", plg_result_str(res, FLS_F_SEX), 1));
	TRY(key_num(b, "age", res, FLS_F_AGE, 3));
	TRY(key_str(b, "as_of", plg_result_str(res, FLS_F_AS_OF), 1));
	TRY(key_str(b, "fls_priority", plg_result_str(res, FLS_F_FLS_PRIORITY), 1));
	TRY(fls_buf_puts(b, ",\"fls_reasons\":"));
	TRY(id_array(b, plg_result_str(res, FLS_F_FLS_REASONS)));
	TRY(key_str(b, "falls_population", plg_result_str(res, FLS_F_FALLS_POPULATION), 1));
	TRY(key_str(b, "falls_referral", plg_result_str(res, FLS_F_FALLS_REFERRAL), 1));
	TRY(fls_buf_puts(b, ",\"falls_reasons\":"));
	TRY(id_array(b, plg_result_str(res, FLS_F_FALLS_REASONS)));
	TRY(key_num(b, "mof10_pct", res, FLS_F_MOF10, 17));
	TRY(key_num(b, "hip10_pct", res, FLS_F_HIP10, 17));
	TRY(key_str(b, "risk_status", plg_result_str(res, FLS_F_RISK_STATUS), 1));
	TRY(fls_buf_puts(b, ",\"notes\":"));
	TRY(id_array(b, plg_result_str(res, FLS_F_NOTES)));
	TRY(key_str(b, "index_fracture_date", plg_result_str(res, FLS_F_INDEX_FRACTURE_DATE), 1));
	TRY(key_str(b, "index_fracture_site", plg_result_str(res, FLS_F_INDEX_FRACTURE_SITE), 1));
	TRY(key_str(b, "source", plg_result_str(res, FLS_F_SOURCE), 1));
	TRY(fls_buf_puts(b, ",\"versions\":{"));
	TRY(key_str(b, "libfls", plg_result_str(res, FLS_F_LIB_VERSION), 0));
	TRY(key_str(b, "model", plg_result_str(res, FLS_F_MODEL_VERSION), 1));
	TRY(key_str(b, "codes", plg_result_str(res, FLS_F_CODES_VERSION), 1));
	TRY(fls_buf_puts(b, "}}"));
#undef TRY
	return FLS_OK;
}
