/*
 * FHIR R4 XML output of decisions through libxml2's xmlTextWriter, which escapes every attribute
 * value. Element order follows the R4 schema (fhir-single.xsd); the choices (references, priorities,
 * probabilities, extension and code-system urls) are in docs/decisions.md.
 */
#include "fhir/writer.h"

#include <math.h>
#include <string.h>

#include <libxml/xmlIO.h>
#include <libxml/xmlwriter.h>
#include <openssl/rand.h>

#include "fhir/xml_init.h"
#include "risk/day.h"
#include "risk/qfracture.h"
#include "risk/render.h"
#include "risk/wl_order.h"
#include "util/buf.h"

#define FHIR_NS "http://hl7.org/fhir"
#define FHIR_EXT_VERSIONS "https://libfls.invalid/fhir/StructureDefinition/decision-versions"
#define FHIR_CS_RULES "https://libfls.invalid/fhir/CodeSystem/rules"
#define FHIR_NHS_NUMBER "https://fhir.nhs.uk/Id/nhs-number"
#define FHIR_TEXT_MAX (64u * 1024u)   /* one composed text (explanation, rationale) */

#define FHIR_MOF_OUTCOME "Major osteoporotic fracture (hip, spine, wrist, shoulder) within 10 years"
#define FHIR_HIP_OUTCOME "Hip fracture within 10 years"
#define FHIR_FLS_CODE "Fracture liaison service assessment"
#define FHIR_FALLS_CODE "Falls service referral (multifactorial falls risk assessment)"
#define FHIR_RA_CODE "Fracture liaison and falls screening, with 10-year fracture risk"
#define FHIR_WL_TITLE "Fracture liaison worklist"
#define FHIR_WL_ORDER "priority, most recent fracture, QFracture MOF risk, age"
#define FHIR_WL_EMPTY "No patient met the fracture liaison worklist criteria"

enum { UUID_BYTES = 16, URN_UUID_LEN = 9 + 36 };

/* One FLS worklist entry kept until finish: its sort key and its ServiceRequest's urn:uuid. */
struct wl_entry {
	struct risk_wl_key key;
	unsigned char uuid[UUID_BYTES];
};

struct fhir_writer {
	const struct fls_mem *mem;
	int (*write)(void *ctx, const char *buf, size_t len);
	void *ctx;
	struct fls_diag *d;
	xmlTextWriterPtr xw;
	char *lib, *model, *codes, *disclaimer, *method;
	char as_of[11], when_end[11];
	struct wl_entry *wl;
	size_t n_wl, cap_wl;
	struct fls_buf text, clean;
	uint64_t patients;
	int io_failed, broken, finished;
};

/* xmlOutputBuffer callback. A failed write is latched and the full length reported, because libxml2
 * reports I/O errors through its process-global error handler (stderr by default), and we print nothing. */
static int xw_write(void *ctx, const char *buf, int len)
{
	struct fhir_writer *w = ctx;

	if (len > 0 && !w->io_failed && w->write(w->ctx, buf, (size_t)len) != 0)
		w->io_failed = 1;
	return len < 0 ? 0 : len;
}

static int xw_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* Length of the valid XML 1.0 Char encoded in UTF-8 at s, or 0 (bad UTF-8, surrogate, control byte). */
static size_t xml_char_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80)
		return s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' || s[0] == '\r' ? 1 : 0;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		cp = s[0] & 0x1Fu;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		cp = s[0] & 0x0Fu;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3Fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
		return 0;
	return n;
}

/*
 * s as text XML can carry: s itself when it is valid UTF-8 made of XML characters, otherwise a copy in
 * w->clean with each offending byte replaced by U+FFFD (input strings come from files we did not
 * write; libxml2 would copy a control byte through and break the document). NULL on ENOMEM/ELIMIT.
 */
static const char *xml_clean(struct fhir_writer *w, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	while (u[i] >= 0x20 && u[i] < 0x80)   /* printable ASCII, all of our own texts: the hot path */
		i++;
	while (u[i] && (n = xml_char_len(u + i)))
		i += n;
	if (!u[i])
		return s;
	fls_buf_reset(&w->clean);
	if (fls_buf_append(&w->clean, s, i))
		return NULL;
	while (u[i]) {
		if ((n = xml_char_len(u + i))) {
			if (fls_buf_append(&w->clean, s + i, n))
				return NULL;
			i += n;
		} else {
			if (fls_buf_append(&w->clean, "\xEF\xBF\xBD", 3))
				return NULL;
			i++;
		}
	}
	return fls_buf_str(&w->clean);
}

/* The element helpers return a negative number on failure, as xmlTextWriter does. */
static int el_start(struct fhir_writer *w, const char *name)
{
	return xmlTextWriterStartElement(w->xw, (const xmlChar *)name);
}

static int el_end(struct fhir_writer *w)
{
	return xmlTextWriterEndElement(w->xw);
}

/* <name value="v"/>; FHIR forbids empty values, so an empty v writes nothing. */
static int el_value(struct fhir_writer *w, const char *name, const char *v)
{
	const char *c;

	if (!v || !*v)
		return 0;
	if (!(c = xml_clean(w, v)))
		return -1;
	if (el_start(w, name) < 0 || xmlTextWriterWriteAttribute(w->xw, BAD_CAST "value", (const xmlChar *)c) < 0)
		return -1;
	return el_end(w);
}

/* <name><text value="text"/></name>: a CodeableConcept with text only. */
static int el_concept_text(struct fhir_writer *w, const char *name, const char *text)
{
	if (el_start(w, name) < 0 || el_value(w, "text", text) < 0)
		return -1;
	return el_end(w);
}

static int el_reference(struct fhir_writer *w, const char *name, const char *ref)
{
	if (el_start(w, name) < 0 || el_value(w, "reference", ref) < 0)
		return -1;
	return el_end(w);
}

static int el_annotation(struct fhir_writer *w, const char *text)
{
	if (!text || !*text)
		return 0;
	if (el_start(w, "note") < 0 || el_value(w, "text", text) < 0)
		return -1;
	return el_end(w);
}

static void uuid_urn(const unsigned char u[UUID_BYTES], char out[URN_UUID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	memcpy(out, "urn:uuid:", 9);
	o = 9;
	for (size_t i = 0; i < UUID_BYTES; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
	}
	out[o] = '\0';
}

/* A random (version 4, RFC 9562) UUID: fullUrls must be unique within and across Bundles. */
static int uuid_new(unsigned char u[UUID_BYTES])
{
	if (RAND_bytes(u, UUID_BYTES) != 1)
		return -1;
	u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
	u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
	return 0;
}

static int ext_string(struct fhir_writer *w, const char *url, const char *v)
{
	if (!v || !*v)
		return 0;
	if (el_start(w, "extension") < 0 ||
	    xmlTextWriterWriteAttribute(w->xw, BAD_CAST "url", (const xmlChar *)url) < 0 ||
	    el_value(w, "valueString", v) < 0)
		return -1;
	return el_end(w);
}

/* The versions every decision records (DESIGN §3), as one complex extension on each resource. */
static int ext_versions(struct fhir_writer *w)
{
	if (el_start(w, "extension") < 0 ||
	    xmlTextWriterWriteAttribute(w->xw, BAD_CAST "url", BAD_CAST FHIR_EXT_VERSIONS) < 0 ||
	    ext_string(w, "library", w->lib) < 0 || ext_string(w, "model", w->model) < 0 ||
	    ext_string(w, "codes", w->codes) < 0)
		return -1;
	if (el_start(w, "extension") < 0 ||
	    xmlTextWriterWriteAttribute(w->xw, BAD_CAST "url", BAD_CAST "asOf") < 0 ||
	    el_value(w, "valueDate", w->as_of) < 0 || el_end(w) < 0)
		return -1;
	return el_end(w);
}

/* subject: Patient/<id> when the id is a FHIR id, else the reference the input used; never a name. */
static int el_subject(struct fhir_writer *w, const struct risk_patient *p)
{
	size_t n = strnlen(p->id, sizeof(p->id));
	int fhir_id = n > 0 && n <= RISK_ID_MAX;
	char ref[sizeof(p->id) + 8];

	for (size_t i = 0; i < n && fhir_id; i++) {
		char c = p->id[i];

		fhir_id = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '-' || c == '.';
	}
	if (fhir_id) {
		memcpy(ref, "Patient/", 8);
		memcpy(ref + 8, p->id, n);
		ref[8 + n] = '\0';
	} else {
		memcpy(ref, p->id, n);
		ref[n] = '\0';
	}
	if (el_start(w, "subject") < 0 || el_value(w, "reference", ref) < 0)
		return -1;
	if (p->nhs_number[0]) {
		char nhs[sizeof(p->nhs_number)];
		size_t m = strnlen(p->nhs_number, sizeof(p->nhs_number) - 1);

		memcpy(nhs, p->nhs_number, m);
		nhs[m] = '\0';
		if (el_start(w, "identifier") < 0 || el_value(w, "system", FHIR_NHS_NUMBER) < 0 ||
		    el_value(w, "value", nhs) < 0 || el_end(w) < 0)
			return -1;
	}
	if (!n && !p->nhs_number[0] && el_value(w, "display", "unidentified patient") < 0)
		return -1;   /* Reference must not be empty (ele-1) */
	return el_end(w);
}

static int entry_start(struct fhir_writer *w, const unsigned char uuid[UUID_BYTES], const char *type)
{
	char urn[URN_UUID_LEN + 1];

	uuid_urn(uuid, urn);
	if (el_start(w, "entry") < 0 || el_value(w, "fullUrl", urn) < 0 || el_start(w, "resource") < 0 ||
	    el_start(w, type) < 0)
		return -1;
	return ext_versions(w);
}

static int entry_end(struct fhir_writer *w)
{
	if (el_end(w) < 0 || el_end(w) < 0)
		return -1;
	return el_end(w);
}

static int scored(const struct risk_decision *dec)
{
	return dec->score_status == RISK_SCORE_OK && isfinite(dec->mof10) && isfinite(dec->hip10);
}

/* One prediction: probability is a fraction 0-1 (pct / 100) over the 10 years from the as-of date. */
static int el_prediction(struct fhir_writer *w, const char *outcome, double pct, const char *rationale)
{
	char num[40];

	if (risk_render_decimal(num, sizeof(num), pct / 100.0, 17) < 0)
		return -1;
	if (el_start(w, "prediction") < 0 || el_concept_text(w, "outcome", outcome) < 0 ||
	    el_value(w, "probabilityDecimal", num) < 0 || el_start(w, "whenPeriod") < 0 ||
	    el_value(w, "start", w->as_of) < 0 || el_value(w, "end", w->when_end) < 0 || el_end(w) < 0 ||
	    el_value(w, "rationale", rationale) < 0)
		return -1;
	return el_end(w);
}

/* Each line of the explanation as its own note (id: text [source]). */
static int notes_from_lines(struct fhir_writer *w, const char *s)
{
	char line[1024];

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);

		if (n >= sizeof(line))
			n = sizeof(line) - 1;   /* our own texts are far shorter */
		memcpy(line, s, n);
		line[n] = '\0';
		if (el_annotation(w, line) < 0)
			return -1;
		s = nl ? nl + 1 : s + strlen(s);
	}
	return 0;
}

static fls_status ra_write(struct fhir_writer *w, const struct risk_patient *p, const struct risk_decision *dec,
			   const unsigned char uuid[UUID_BYTES])
{
	int ok = scored(dec);

	/* w->text holds the rationale until the predictions are written: nothing in between uses it. */
	fls_buf_reset(&w->text);
	if (ok && (fls_buf_puts(&w->text, "Inputs used: ") || risk_render_qf_inputs(&w->text, &dec->qf)))
		return FLS_ENOMEM;
	if (entry_start(w, uuid, "RiskAssessment") < 0 || el_value(w, "status", "final") < 0 ||
	    (ok && el_concept_text(w, "method", w->method) < 0) || el_concept_text(w, "code", FHIR_RA_CODE) < 0 ||
	    el_subject(w, p) < 0 || el_value(w, "occurrenceDateTime", w->as_of) < 0)
		return FLS_ENOMEM;
	if (ok && (el_prediction(w, FHIR_MOF_OUTCOME, dec->mof10, fls_buf_str(&w->text)) < 0 ||
		   el_prediction(w, FHIR_HIP_OUTCOME, dec->hip10, fls_buf_str(&w->text)) < 0 ||
		   el_annotation(w, w->disclaimer) < 0))
		return FLS_ENOMEM;
	fls_buf_reset(&w->text);
	if (fls_buf_printf(&w->text, "FLS priority: %s; falls population: %s; falls referral: %s; risk status: ",
			   risk_render_priority(dec->priority), risk_render_yesno(dec->falls_population),
			   risk_render_yesno(dec->falls_referral)) ||
	    risk_render_risk_status(&w->text, dec) || el_annotation(w, fls_buf_str(&w->text)) < 0)
		return FLS_ENOMEM;
	fls_buf_reset(&w->text);
	if (risk_render_explanation(&w->text, dec) || notes_from_lines(w, fls_buf_str(&w->text)) < 0 ||
	    entry_end(w) < 0)
		return FLS_ENOMEM;
	return FLS_OK;
}

/* One reasonCode: our rule code system, the reason text, and the text with its source. */
static int el_reason(struct fhir_writer *w, const char *id, const char *text, const char *source)
{
	fls_buf_reset(&w->text);
	if (fls_buf_printf(&w->text, "%s [%s]", text, source))
		return -1;
	if (el_start(w, "reasonCode") < 0 || el_start(w, "coding") < 0 ||
	    el_value(w, "system", FHIR_CS_RULES) < 0 || el_value(w, "version", w->lib) < 0 ||
	    el_value(w, "code", id) < 0 || el_value(w, "display", text) < 0 || el_end(w) < 0 ||
	    el_value(w, "text", fls_buf_str(&w->text)) < 0)
		return -1;
	return el_end(w);
}

/* FLS priorities in FHIR's request-priority order (routine < urgent < asap < stat); stat is never used. */
static const char *fls_request_priority(int priority)
{
	return priority == 1 ? "asap" : priority == 2 ? "urgent" : "routine";
}

static int sr_start(struct fhir_writer *w, const unsigned char uuid[UUID_BYTES], const char *priority,
		    const char *code, const struct risk_patient *p)
{
	if (entry_start(w, uuid, "ServiceRequest") < 0 || el_value(w, "status", "active") < 0 ||
	    el_value(w, "intent", "proposal") < 0 || el_value(w, "priority", priority) < 0 ||
	    el_concept_text(w, "code", code) < 0 || el_subject(w, p) < 0 ||
	    el_value(w, "authoredOn", w->as_of) < 0)
		return -1;
	return 0;
}

static int sr_end(struct fhir_writer *w, const unsigned char ra_uuid[UUID_BYTES], uint64_t notes)
{
	char urn[URN_UUID_LEN + 1];

	uuid_urn(ra_uuid, urn);
	if (el_reference(w, "supportingInfo", urn) < 0)
		return -1;
	/* The worklist notes (7.3) travel with the referral; data-quality notes stay on the assessment. */
	for (int i = 0; i < RISK_NOTE__COUNT; i++) {
		if (!(notes & RISK_NOTE_BIT(i)) || strncmp(risk_note_id(i), "WL-", 3))
			continue;
		fls_buf_reset(&w->text);
		if (fls_buf_printf(&w->text, "%s: %s", risk_note_id(i), risk_note_text(i)) ||
		    el_annotation(w, fls_buf_str(&w->text)) < 0)
			return -1;
	}
	return entry_end(w);
}

static int fls_sr_write(struct fhir_writer *w, const struct risk_patient *p, const struct risk_decision *dec,
			const unsigned char uuid[UUID_BYTES], const unsigned char ra_uuid[UUID_BYTES])
{
	if (sr_start(w, uuid, fls_request_priority(dec->priority), FHIR_FLS_CODE, p) < 0)
		return -1;
	for (int i = 0; i < RISK_FLS__COUNT; i++)
		if ((dec->fls_reasons & (1u << i)) &&
		    el_reason(w, risk_fls_rule_id(i), risk_fls_rule_text(i), risk_fls_rule_source(i)) < 0)
			return -1;
	return sr_end(w, ra_uuid, dec->notes);
}

static int falls_sr_write(struct fhir_writer *w, const struct risk_patient *p, const struct risk_decision *dec,
			  const unsigned char uuid[UUID_BYTES], const unsigned char ra_uuid[UUID_BYTES])
{
	if (sr_start(w, uuid, "routine", FHIR_FALLS_CODE, p) < 0)
		return -1;
	/* Only the referral reasons R-FALL-1..5; R-FALL-6/7 mean "no referral" and stay on the assessment. */
	for (int i = RISK_FALL_1; i <= RISK_FALL_5; i++)
		if ((dec->falls_reasons & (1u << i)) &&
		    el_reason(w, risk_fall_rule_id(i), risk_fall_rule_text(i), risk_fall_rule_source(i)) < 0)
			return -1;
	return sr_end(w, ra_uuid, 0);
}

/* Mark the writer unusable and report: a message with counts only, never patient data. */
static fls_status wr_fail(struct fhir_writer *w, fls_status st, const char *what)
{
	w->broken = 1;
	if (w->io_failed)
		st = FLS_EIO;
	if (st == FLS_EIO)
		return fls_diag_set(w->d, st, "fhir output: write failed %s", what);
	return fls_diag_set(w->d, st, "fhir output: %s %s", st == FLS_ECRYPTO ? "no random bytes" :
			    st == FLS_ELIMIT ? "text too long" : "out of memory", what);
}

static char *dup_opt(const struct fls_mem *mem, const char *s, int *bad)
{
	char *c;

	if (!s || !*s)
		return NULL;
	if (!(c = fls_strndup(mem, s, strlen(s))))
		*bad = 1;
	return c;
}

fls_status fhir_writer_open(struct fhir_writer **out, const struct fls_mem *mem,
			    int (*write)(void *ctx, const char *buf, size_t len), void *ctx,
			    const struct fhir_out_meta *meta, struct fls_diag *d)
{
	struct fhir_writer *w = NULL;
	xmlOutputBufferPtr ob = NULL;
	unsigned char id[UUID_BYTES];
	char urn[URN_UUID_LEN + 1];
	fls_status st = FLS_ENOMEM;
	int bad = 0;

	if (out)
		*out = NULL;
	fhir_xml_init();
	if (!out || !mem || !write || !meta || meta->as_of == RISK_NO_DAY)
		return fls_diag_set(d, FLS_EINVAL, "fhir output: missing output, metadata or as-of date");
	if (!(w = fls_calloc(mem, 1, sizeof(*w))))
		return fls_diag_set(d, FLS_ENOMEM, "fhir output: out of memory");
	w->mem = mem;
	w->write = write;
	w->ctx = ctx;
	w->d = d;
	fls_buf_init(&w->text, mem, FHIR_TEXT_MAX);
	fls_buf_init(&w->clean, mem, FHIR_TEXT_MAX);
	w->lib = dup_opt(mem, meta->lib_version, &bad);
	w->model = dup_opt(mem, meta->model_version, &bad);
	w->codes = dup_opt(mem, meta->codes_version, &bad);
	w->disclaimer = dup_opt(mem, meta->disclaimer, &bad);
	risk_day_format(meta->as_of, w->as_of);
	risk_day_format(risk_day_add_months(meta->as_of, 120), w->when_end);
	/* The method names the equations factually (qfracture-reference §2); the model version usually
	 * starts with that name already (qf_model_version), so it is not repeated. */
	if (!bad && w->model && !strncmp(w->model, QF_MODEL_NAME, strlen(QF_MODEL_NAME)))
		w->method = dup_opt(mem, w->model, &bad);
	else if (!bad && !fls_buf_printf(&w->text, "%s%s%s", QF_MODEL_NAME, w->model ? ", model " : "",
					 w->model ? w->model : ""))
		w->method = dup_opt(mem, fls_buf_str(&w->text), &bad);
	else
		bad = 1;
	if (bad)
		goto out;
	if (!(ob = xmlOutputBufferCreateIO(xw_write, xw_close, w, NULL)))
		goto out;
	if (!(w->xw = xmlNewTextWriter(ob))) {
		xmlOutputBufferClose(ob);
		goto out;
	}
	if (uuid_new(id) < 0) {
		st = FLS_ECRYPTO;
		goto out;
	}
	uuid_urn(id, urn);
	/* No encoding in the declaration: UTF-8 is XML's default, and naming it would make libxml2 look up
	 * a converter through its global handler table. */
	if (xmlTextWriterSetIndent(w->xw, 1) < 0 || xmlTextWriterSetIndentString(w->xw, BAD_CAST "  ") < 0 ||
	    xmlTextWriterStartDocument(w->xw, NULL, NULL, NULL) < 0 ||
	    xmlTextWriterStartElementNS(w->xw, NULL, BAD_CAST "Bundle", BAD_CAST FHIR_NS) < 0 ||
	    el_start(w, "identifier") < 0 || el_value(w, "system", "urn:ietf:rfc:3986") < 0 ||
	    el_value(w, "value", urn) < 0 || el_end(w) < 0 || el_value(w, "type", "collection") < 0)
		goto out;
	if (w->io_failed) {
		st = FLS_EIO;
		goto out;
	}
	*out = w;
	w = NULL;
	st = FLS_OK;
out:
	if (st)
		fls_diag_set(d, st, "fhir output: %s opening the Bundle", st == FLS_EIO ? "write failed" :
			     st == FLS_ECRYPTO ? "no random bytes" : "out of memory");
	fhir_writer_free(w);
	return st;
}

fls_status fhir_writer_add(struct fhir_writer *w, const struct risk_patient *p, const struct risk_decision *dec)
{
	unsigned char ra[UUID_BYTES], fls[UUID_BYTES], falls[UUID_BYTES];
	int on_wl;
	fls_status st;

	if (!w || !p || !dec)
		return FLS_EINVAL;
	if (w->broken || w->finished)
		return fls_diag_set(w->d, FLS_EINVAL, "fhir output: writer already failed or finished");
	on_wl = dec->priority >= 1 && dec->priority <= 3;
	if (uuid_new(ra) < 0 || (on_wl && uuid_new(fls) < 0) || (dec->falls_referral && uuid_new(falls) < 0))
		return wr_fail(w, FLS_ECRYPTO, "for a urn:uuid");
	/* Reserve the worklist slot first, so that a failure leaves no entry without its key. */
	if (on_wl) {
		void *arr = w->wl;

		if (fls_grow(w->mem, &arr, &w->cap_wl, w->n_wl + 1, sizeof(*w->wl)))
			return wr_fail(w, FLS_ENOMEM, "holding the worklist");
		w->wl = arr;
	}
	st = ra_write(w, p, dec, ra);
	if (!st && on_wl && fls_sr_write(w, p, dec, fls, ra) < 0)
		st = FLS_ENOMEM;
	if (!st && dec->falls_referral && falls_sr_write(w, p, dec, falls, ra) < 0)
		st = FLS_ENOMEM;
	if (!st && w->io_failed)
		st = FLS_EIO;
	if (st)
		return wr_fail(w, st, "writing a patient's resources");
	if (on_wl) {
		struct wl_entry *e = &w->wl[w->n_wl++];

		risk_wl_key_set(&e->key, dec);
		memcpy(e->uuid, fls, UUID_BYTES);
	}
	w->patients++;
	return FLS_OK;
}

static int list_write(struct fhir_writer *w, const size_t *order)
{
	unsigned char id[UUID_BYTES];
	char urn[URN_UUID_LEN + 1];

	if (uuid_new(id) < 0)
		return -2;
	if (entry_start(w, id, "List") < 0 || el_value(w, "status", "current") < 0 ||
	    el_value(w, "mode", "working") < 0 || el_value(w, "title", FHIR_WL_TITLE) < 0 ||
	    el_concept_text(w, "orderedBy", FHIR_WL_ORDER) < 0)
		return -1;
	for (size_t i = 0; i < w->n_wl; i++) {
		const struct wl_entry *e = &w->wl[order[i]];

		uuid_urn(e->uuid, urn);
		if (el_start(w, "entry") < 0 ||
		    el_concept_text(w, "flag", risk_render_priority(e->key.priority)) < 0 ||
		    el_reference(w, "item", urn) < 0 || el_end(w) < 0)
			return -1;
	}
	if (!w->n_wl && el_concept_text(w, "emptyReason", FHIR_WL_EMPTY) < 0)
		return -1;
	return entry_end(w);
}

fls_status fhir_writer_finish(struct fhir_writer *w)
{
	size_t *order = NULL;
	fls_status st = FLS_ENOMEM;
	int r;

	if (!w)
		return FLS_EINVAL;
	if (w->broken || w->finished)
		return fls_diag_set(w->d, FLS_EINVAL, "fhir output: writer already failed or finished");
	w->finished = 1;
	if (w->n_wl && !(order = fls_calloc(w->mem, w->n_wl, sizeof(*order))))
		goto out;
	if (w->n_wl && (st = risk_wl_sort(order, &w->wl[0].key, w->n_wl, sizeof(w->wl[0]), w->mem)))
		goto out;
	st = FLS_ENOMEM;
	if ((r = list_write(w, order)) < 0) {
		st = r == -2 ? FLS_ECRYPTO : FLS_ENOMEM;
		goto out;
	}
	/* Ending Bundle itself (rather than leaving it to EndDocument) also writes the final line end. */
	if (el_end(w) < 0 || xmlTextWriterEndDocument(w->xw) < 0 || xmlTextWriterFlush(w->xw) < 0)
		goto out;
	st = w->io_failed ? FLS_EIO : FLS_OK;
out:
	fls_free(w->mem, order);
	if (st)
		return wr_fail(w, st, "finishing the Bundle");
	return FLS_OK;
}

void fhir_writer_free(struct fhir_writer *w)
{
	if (!w)
		return;
	/* Stop writing: after an abandon or a failure, buffered bytes are dropped rather than flushed. */
	if (!w->finished || w->broken)
		w->io_failed = 1;
	xmlFreeTextWriter(w->xw);   /* closes the output buffer: our close callback does nothing */
	fls_buf_free(&w->text);
	fls_buf_free(&w->clean);
	fls_free(w->mem, w->wl);
	fls_free(w->mem, w->lib);
	fls_free(w->mem, w->model);
	fls_free(w->mem, w->codes);
	fls_free(w->mem, w->disclaimer);
	fls_free(w->mem, w->method);
	fls_free(w->mem, w);
}
