/*
 * The streaming FHIR R4 XML reader: libxml2 SAX2 push parser, a small state machine per element, one
 * scratch record per resource, and fhir/join.c to join resources to patients.
 *
 * Why SAX2 and not xmlTextReader: on a 200 MB practice list SAX2 with empty handlers parses about
 * twice as fast as the reader API (STYLE.md §3), and the throughput goal is set against that floor.
 * Why interned names: every element start is dispatched by comparing dictionary pointers, not strings.
 */
#include "fhir/reader.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "codes/concepts.h"
#include "fhir/dosage.h"
#include "fhir/hashmap.h"
#include "fhir/join.h"
#include "fhir/names.h"
#include "fhir/ref.h"
#include "fhir/scalar.h"
#include "fhir/xml_init.h"
#include "risk/notes.h"

#define FHIR_NS "http://hl7.org/fhir"
#define XHTML_NS "http://www.w3.org/1999/xhtml"
#define NHS_NUMBER_SYSTEM "https://fhir.nhs.uk/Id/nhs-number"
#define ETHNIC_EXT_URL "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory"
#define UCUM_SYSTEM "http://unitsofmeasure.org"
#define MAX_STACK 256      /* hard ceiling; the configured max_depth is lower */
#define MAX_SUBS 64        /* events one resource may carry (components, reasonCodes, conditions) */
#define MAX_DIAG 32        /* Encounter.diagnosis links per Encounter */
#define MAX_CMEDS 16       /* contained Medications per resource */
#define SHORT_MAX 128      /* codes, units, ids */
#define PREFIX_MAX 512     /* bytes inspected before parsing: BOM, first character, XML declaration */
/*
 * Attributes one start tag may have. libxml2 2.9's duplicate-attribute check is quadratic (300,000
 * attributes on one element, 3.5 MB, take a minute of CPU) and runs before any handler of ours, so the
 * bytes are screened before libxml2 sees them: '<' cannot occur inside an attribute value, so the '='
 * signs since the last '<' bound the attributes of the tag being read.
 */
#define MAX_ATTRS_PER_TAG 4096u
/* A run of bytes without '<' shorter than this cannot hold more attributes (each takes >= 5 bytes). */
#define ATTR_RUN_WINDOW (5u * MAX_ATTRS_PER_TAG)

/*
 * Never set NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE, HUGE, RECOVER (STYLE.md §3). IGNORE_ENC: the
 * encoding is checked before parsing (inspect_prefix), so libxml2 never switches to another converter,
 * whose failures it would report through the process-global error handler instead of ours.
 */
static const int fhir_xml_opts = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
				 XML_PARSE_IGNORE_ENC
#if LIBXML_VERSION >= 21300
				 | XML_PARSE_NO_XXE
#endif
	;

/* Frame states: what the element at this depth is. */
enum frame_state {
	F_DOC = 0, F_BUNDLE, F_ENTRY, F_ENTRY_RES, F_RES, F_CONTAINED, F_CRES, F_CC, F_CODING, F_REF,
	F_PERIOD, F_QTY, F_PAT_IDENT, F_PAT_EXT, F_COMPONENT, F_DISP_REQ, F_DOSAGE, F_DOSE_RATE, F_TIMING,
	F_REPEAT, F_ENC_DIAG, F_FMH_COND, F_REF_IDENT, F_LEAF
};

/* What a CodeableConcept, Reference, Period or Quantity is for. */
enum role {
	R_NONE = 0, R_CODE, R_VALUE, R_COMP_CODE, R_COMP_VALUE, R_MED, R_VERIF, R_ETHNIC, R_RELATION,
	R_FMH_COND, R_REASON, R_SUBJECT, R_ENCOUNTER, R_MEDREF, R_DIAG_COND, R_ONSET, R_PERFORMED,
	R_EFFECTIVE, R_VALIDITY, R_ENC_PERIOD, R_VALUEQ, R_COMP_VALUEQ, R_DOSEQ, R_AGE, R_CMED_CODE
};

/* Candidate dates of a resource, in no particular order; each type picks its own precedence. */
enum date_slot {
	D_ONSET_DT, D_ONSET_START, D_RECORDED, D_PERFORMED_DT, D_PERFORMED_START, D_EFFECTIVE_DT,
	D_EFFECTIVE_START, D_EFFECTIVE_END, D_EFFECTIVE_INSTANT, D_ISSUED, D_AUTHORED, D_VALIDITY_START,
	D_ASSERTED, D_ENC_START, D_HANDED_OVER, D_PREPARED, D__COUNT
};

struct frame {
	uint8_t state, role;
};

struct date_val {
	int32_t day;
	uint8_t set, partial;
};

struct sub_event {
	struct codes_match m;
	double value;
	uint8_t unit, src, flags;
};

struct qty {
	double value;
	int has_value;
	char unit[SHORT_MAX], system[SHORT_MAX], code[SHORT_MAX];
};

/* Everything read from the resource being parsed; reset at each resource start. */
struct res_scratch {
	int type;
	int bad;            /* the first problem is in why; the resource will be skipped */
	int dropped;        /* a status that means the record does not count (7.1) */
	char why[300];
	char id[RISK_ID_MAX + 1];
	char subject[FHIR_KEY_MAX], encounter[FHIR_KEY_MAX], medref[FHIR_KEY_MAX];
	struct codes_match code, value, med;
	int has_code_coding;
	struct date_val dates[D__COUNT];
	double value_num;
	uint8_t value_unit, value_bad, has_value;
	double onset_age;
	int has_onset_age;
	struct sub_event subs[MAX_SUBS];
	int n_subs;
	struct codes_match comp_code, comp_value;   /* the component being read */
	double comp_num;
	uint8_t comp_unit, comp_has_value;
	int parent;         /* FamilyMemberHistory relationship is a parent */
	int authorized;     /* MedicationDispense.authorizingPrescription present */
	uint64_t diag[MAX_DIAG];
	int n_diag;
	struct fhir_dosage dose;
	/* Patient */
	char nhs[16], ethnic[4];
	int gender;
	struct date_val birth, deceased_dt;
	int deceased_bool;
	char ident_system[SHORT_MAX], ident_value[SHORT_MAX]; /* Patient.identifier or Reference.identifier */
	int ext_is_ethnic;
	/* contained Medications: "#id" -> codes */
	struct { uint64_t key; struct codes_match m; } cmeds[MAX_CMEDS];
	int n_cmeds;
	char cmed_id[RISK_ID_MAX + 1];
	struct codes_match cmed_code;
	/* the coding / quantity being read */
	char sys[FHIR_KEY_MAX], codebuf[SHORT_MAX];
	struct qty q;
};

struct fhir_reader {
	struct fhir_reader_cfg cfg;
	const struct fls_mem *mem;
	char label[256];
	xmlParserCtxtPtr ctxt;
	xmlSAXHandler sax;
	const xmlChar *nm[NM__COUNT];
	struct fhir_map names;       /* interned pointer -> enum fhir_name */
	const xmlChar *fhir_ns, *xhtml_ns; /* last pointers seen for the namespaces (fast path) */
	struct frame stack[MAX_STACK];
	int depth;                   /* current element depth (root = 1) */
	int skip;                    /* > 0: inside a skipped subtree, this many levels deep */
	int res_depth;               /* depth of the current resource root; 0 = none */
	int cres_depth;              /* depth of the current contained Medication; 0 = none */
	uint64_t entry_no;           /* bundle entries seen */
	char fullurl[FHIR_KEY_MAX];  /* key of the current entry's fullUrl, "" if none */
	int root_seen;
	struct res_scratch res;
	struct fhir_join *join;
	struct fhir_reader_stats stats;
	fls_status fatal;            /* first fatal error */
	struct fls_diag fatal_diag;
	char prefix[PREFIX_MAX];     /* the first bytes, inspected before the parser is created */
	uint64_t run_len, run_eq;    /* bytes and '=' signs since the last '<' (MAX_ATTRS_PER_TAG) */
	size_t prefix_len;
	int finished;
};

/* ---- helpers ------------------------------------------------------------------------------------ */

static const char *const name_str[NM__COUNT] = {
	NULL,
#define FHIR_NAME_STR(n) #n,
	FHIR_NAME_LIST(FHIR_NAME_STR)
#undef FHIR_NAME_STR
};

/* Date-valued children of a resource root, by type: which candidate date each fills (7.1). */
static const struct {
	uint8_t type, name, slot;
} dated_children[] = {
	{ RT_CONDITION, NM_onsetDateTime, D_ONSET_DT },
	{ RT_CONDITION, NM_recordedDate, D_RECORDED },
	{ RT_PROCEDURE, NM_performedDateTime, D_PERFORMED_DT },
	{ RT_OBSERVATION, NM_effectiveDateTime, D_EFFECTIVE_DT },
	{ RT_OBSERVATION, NM_effectiveInstant, D_EFFECTIVE_INSTANT },
	{ RT_OBSERVATION, NM_issued, D_ISSUED },
	{ RT_MED_REQUEST, NM_authoredOn, D_AUTHORED },
	{ RT_MED_STATEMENT, NM_effectiveDateTime, D_EFFECTIVE_DT },
	{ RT_MED_STATEMENT, NM_dateAsserted, D_ASSERTED },
	{ RT_MED_DISPENSE, NM_whenHandedOver, D_HANDED_OVER },
	{ RT_MED_DISPENSE, NM_whenPrepared, D_PREPARED },
};

/* Period-valued children of a resource root, by type: the role of their start (and end). */
static const struct {
	uint8_t type, name, role;
} period_children[] = {
	{ RT_CONDITION, NM_onsetPeriod, R_ONSET },
	{ RT_PROCEDURE, NM_performedPeriod, R_PERFORMED },
	{ RT_OBSERVATION, NM_effectivePeriod, R_EFFECTIVE },
	{ RT_MED_STATEMENT, NM_effectivePeriod, R_EFFECTIVE },
	{ RT_ENCOUNTER, NM_period, R_ENC_PERIOD },
};

static int line_no(const struct fhir_reader *r)
{
	return r->ctxt ? xmlSAX2GetLineNumber(r->ctxt) : 0;
}

static const char *type_name(int t)
{
	static const char *const names[] = { "resource", "Patient", "Condition", "Procedure", "Observation",
					     "MedicationRequest", "MedicationStatement", "MedicationDispense",
					     "Encounter", "FamilyMemberHistory", "Medication" };

	return t >= 0 && t < (int)(sizeof(names) / sizeof(names[0])) ? names[t] : "resource";
}

/* Stop the whole input: the first fatal error wins. */
static void fail(struct fhir_reader *r, fls_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct fhir_reader *r, fls_status st, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (r->fatal)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->fatal = fls_diag_set(&r->fatal_diag, st, "%s:%d: %s", r->label, line_no(r), msg);
	if (r->ctxt)
		xmlStopParser(r->ctxt);
}

/* Mark the current resource bad: it is skipped and reported at its end, the input goes on. */
static void res_bad(struct fhir_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void res_bad(struct fhir_reader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->res.bad)
		return;
	r->res.bad = 1;
	n = snprintf(r->res.why, sizeof(r->res.why), "line %d: ", line_no(r));
	if (n < 0 || (size_t)n >= sizeof(r->res.why))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(r->res.why + n, sizeof(r->res.why) - (size_t)n, fmt, ap);
	va_end(ap);
}

static void problem(struct fhir_reader *r, fls_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(struct fhir_reader *r, fls_status st, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	int n;

	if (!r->cfg.on_problem)
		return;
	n = snprintf(msg, sizeof(msg), "%s: ", r->label);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	r->cfg.on_problem(r->cfg.ctx, st, msg);
}

static enum fhir_name name_of(const struct fhir_reader *r, const xmlChar *p)
{
	const uint64_t *v = fhir_map_get(&r->names, (uint64_t)(uintptr_t)p);

	return v ? (enum fhir_name)*v : NM_NONE;
}

/* The value="" attribute of the element (or NULL), with its length. */
static const char *attr(const struct fhir_reader *r, enum fhir_name which, int nb, const xmlChar **attrs, size_t *len)
{
	for (int i = 0; i < nb; i++) {
		const xmlChar **a = attrs + 5 * i;

		if (a[0] == r->nm[which] && !a[2]) {
			*len = (size_t)(a[4] - a[3]);
			return (const char *)a[3];
		}
	}
	*len = 0;
	return NULL;
}

/* Copy a bounded value into a fixed buffer; an over-long value marks the resource bad. */
static int copy_short(struct fhir_reader *r, char *dst, size_t cap, const char *s, size_t n, const char *what)
{
	if (n >= cap) {
		res_bad(r, "element '%s' value longer than %zu bytes", what, cap - 1);
		return -1;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static void push(struct fhir_reader *r, enum frame_state st, enum role role)
{
	r->stack[r->depth].state = (uint8_t)st;
	r->stack[r->depth].role = (uint8_t)role;
}

static void skip_children(struct fhir_reader *r)
{
	r->skip = 1;
}

static void read_date(struct fhir_reader *r, enum date_slot slot, const char *v, size_t n, const char *elem)
{
	int32_t day;
	int prec;

	if (!v) {
		return; /* a primitive with only extensions: no value */
	}
	if (fhir_parse_date(v, n, &day, &prec)) {
		res_bad(r, "element '%s': not a valid FHIR date/dateTime", elem);
		return;
	}
	r->res.dates[slot].day = day;
	r->res.dates[slot].set = 1;
	r->res.dates[slot].partial = prec < FHIR_DATE_DAY;
}

static enum fhir_res_type res_type_of(enum fhir_name n)
{
	switch (n) {
	case NM_Patient: return RT_PATIENT;
	case NM_Condition: return RT_CONDITION;
	case NM_Procedure: return RT_PROCEDURE;
	case NM_Observation: return RT_OBSERVATION;
	case NM_MedicationRequest: return RT_MED_REQUEST;
	case NM_MedicationStatement: return RT_MED_STATEMENT;
	case NM_MedicationDispense: return RT_MED_DISPENSE;
	case NM_Encounter: return RT_ENCOUNTER;
	case NM_FamilyMemberHistory: return RT_FMH;
	case NM_Medication: return RT_MEDICATION;
	default: return RT_OTHER;
	}
}

static int is_clinical(int t)
{
	return t >= RT_CONDITION && t <= RT_FMH;
}

/* Case-insensitive "needle in hay" for short ASCII unit texts. */
static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

/* Normalise an Observation value's unit (UCUM code first, then the unit text). */
static uint8_t unit_of(const struct qty *q)
{
	const char *u = q->code[0] ? q->code : q->unit;

	if (!u[0] && q->unit[0])
		u = q->unit;
	if (!u[0])
		return RISK_UNIT_NONE;
	if (!strcmp(u, "kg"))
		return RISK_UNIT_KG;
	if (!strcmp(u, "g"))
		return RISK_UNIT_G;
	if (!strcmp(u, "[lb_av]") || !strcasecmp(u, "lb") || !strcasecmp(u, "lbs"))
		return RISK_UNIT_LB;
	if (!strcmp(u, "cm"))
		return RISK_UNIT_CM;
	if (!strcmp(u, "m"))
		return RISK_UNIT_M;
	if (!strcmp(u, "mm"))
		return RISK_UNIT_MM;
	if (!strcmp(u, "[in_i]") || !strcmp(u, "in"))
		return RISK_UNIT_IN;
	if (!strcmp(u, "kg/m2") || !strcmp(u, "kg/m^2") || !strcmp(u, "kg/m\xc2\xb2"))
		return RISK_UNIT_KG_M2;
	if (strstr(u, "/wk") || contains_ci(u, "week"))
		return RISK_UNIT_PER_WEEK;
	if (strstr(u, "/d") || contains_ci(u, "day"))
		return RISK_UNIT_PER_DAY;
	return RISK_UNIT_OTHER;
}

/* ---- resources ---------------------------------------------------------------------------------- */

static void res_begin(struct fhir_reader *r, enum fhir_res_type t)
{
	struct res_scratch *s = &r->res;

	/* Reset only what is read back; the arrays are guarded by their counts. */
	s->type = (int)t;
	s->bad = s->dropped = 0;
	s->why[0] = s->id[0] = s->subject[0] = s->encounter[0] = s->medref[0] = '\0';
	memset(&s->code, 0, sizeof(s->code));
	memset(&s->value, 0, sizeof(s->value));
	memset(&s->med, 0, sizeof(s->med));
	s->has_code_coding = 0;
	memset(s->dates, 0, sizeof(s->dates));
	s->value_num = NAN;
	s->value_unit = s->value_bad = s->has_value = 0;
	s->has_onset_age = 0;
	s->n_subs = s->n_diag = s->n_cmeds = 0;
	s->parent = s->authorized = 0;
	fhir_dosage_reset(&s->dose);
	s->nhs[0] = s->ethnic[0] = '\0';
	s->gender = RISK_SEX_UNKNOWN;
	memset(&s->birth, 0, sizeof(s->birth));
	memset(&s->deceased_dt, 0, sizeof(s->deceased_dt));
	s->deceased_bool = 0;
	r->res_depth = r->depth;
	r->stats.resources++;
	r->stats.seen[t]++;
}

static uint64_t key_hash(const char *key)
{
	return key[0] ? fhir_hash64(key, strlen(key)) : 0;
}

/* The resource's own keys: its entry fullUrl and "<Type>/<id>". */
static void own_keys(const struct fhir_reader *r, const char *type, uint64_t keys[2], char text[FHIR_KEY_MAX])
{
	char k[FHIR_KEY_MAX];
	int n;

	keys[0] = key_hash(r->fullurl);
	keys[1] = 0;
	text[0] = '\0';
	if (r->res.id[0]) {
		n = snprintf(k, sizeof(k), "%s/%s", type, r->res.id);
		if (n > 0 && (size_t)n < sizeof(k)) {
			keys[1] = fhir_hash64(k, (size_t)n);
			memcpy(text, k, (size_t)n + 1);
		}
	}
	if (keys[0] == keys[1])
		keys[0] = 0;
	if (!text[0])
		memcpy(text, r->fullurl, strlen(r->fullurl) + 1);
}

static int32_t pick_date(const struct res_scratch *s, const enum date_slot *order, int n, int *partial)
{
	for (int i = 0; i < n; i++) {
		if (s->dates[order[i]].set) {
			*partial = s->dates[order[i]].partial;
			return s->dates[order[i]].day;
		}
	}
	*partial = 0;
	return RISK_NO_DAY;
}

static void event_init(struct risk_event *ev, const struct codes_match *m, uint8_t src, int32_t day, int partial)
{
	memset(ev, 0, sizeof(*ev));
	ev->concepts = m ? m->concepts : 0;
	ev->value = NAN;
	ev->dose_pred_mg = NAN;
	ev->day = day;
	ev->end_day = RISK_NO_DAY;
	ev->src = src;
	if (partial)
		ev->flags |= RISK_EV_PARTIAL_DATE;
	if (m && (m->flags & CODES_M_ICD10_CATEGORY))
		ev->flags |= RISK_EV_ICD10_CATEGORY;
	if (m && (m->flags & CODES_M_FRACTURE_SNOMED))
		ev->flags |= RISK_EV_FRACTURE_SNOMED;
}

/* The join's "too many patients held" limit stops the whole input; its per-patient limit stops one resource. */
static int held_limit(fls_status st, const struct fls_diag *d)
{
	return st == FLS_ELIMIT && strstr(d->msg, "max_held_patients");
}

static void commit_patient(struct fhir_reader *r)
{
	struct res_scratch *s = &r->res;
	struct pt_builder *b;
	struct risk_patient *p;
	uint64_t keys[FHIR_PATIENT_KEYS] = { 0, 0, 0 };
	char text[FHIR_KEY_MAX];
	struct fls_diag d = { "" };
	fls_status st;

	own_keys(r, "Patient", keys, text);
	if (s->nhs[0]) {
		char k[32];
		int n = snprintf(k, sizeof(k), "nhs:%s", s->nhs);

		if (n > 0 && (size_t)n < sizeof(k))
			keys[2] = fhir_hash64(k, (size_t)n);
	}
	if (!keys[0] && !keys[1]) {
		r->stats.bad_resources++;
		r->stats.bad[RT_PATIENT]++;
		problem(r, FLS_EPARSE, "entry %llu Patient: no id and no fullUrl, cannot be joined",
			(unsigned long long)r->entry_no);
		return;
	}
	if ((st = fhir_join_patient(r->join, keys, text, &b, &d))) {
		if (st == FLS_EINVAL || st == FLS_ELIMIT) {
			r->stats.bad_resources++;
			r->stats.bad[RT_PATIENT]++;
			problem(r, st, "entry %llu Patient: %s", (unsigned long long)r->entry_no, d.msg);
			if (held_limit(st, &d))
				fail(r, st, "%s", d.msg);
		} else {
			fail(r, st, "%s", d.msg[0] ? d.msg : st == FLS_EABORT ? "stopped by the host" : "out of memory");
		}
		return;
	}
	r->stats.patient_resources++;
	r->stats.done[RT_PATIENT]++;
	p = pt_facts(b);
	p->has_patient = 1;
	if (s->id[0])
		memcpy(p->id, s->id, strlen(s->id) + 1);
	memcpy(p->nhs_number, s->nhs, sizeof(p->nhs_number));
	memcpy(p->ethnic, s->ethnic, sizeof(p->ethnic));
	p->sex = (uint8_t)s->gender;
	p->birth_day = s->birth.set ? s->birth.day : RISK_NO_DAY;
	p->birth_partial = s->birth.set && s->birth.partial;
	p->deceased = (uint8_t)(s->deceased_bool || s->deceased_dt.set);
	p->deceased_day = s->deceased_dt.set ? s->deceased_dt.day : RISK_NO_DAY;
}

static void commit_medication(struct fhir_reader *r)
{
	uint64_t keys[2];
	char text[FHIR_KEY_MAX];

	own_keys(r, "Medication", keys, text);
	r->stats.done[RT_MEDICATION]++;
	for (int k = 0; k < 2; k++)
		if (keys[k] && fhir_join_medication(r->join, keys[k], &r->res.med) != FLS_OK)
			fail(r, FLS_ENOMEM, "out of memory");
}

/* Add an event to the builder; fatal on allocation failure. Returns the index or -1. */
static long add_event(struct fhir_reader *r, struct pt_builder *b, const struct risk_event *ev)
{
	long i = pt_add_event(b, ev);

	if (i < 0)
		fail(r, FLS_ENOMEM, "out of memory");
	return i;
}

static void commit_medication_record(struct fhir_reader *r, struct pt_builder *b, uint8_t src, int32_t day, int partial)
{
	struct res_scratch *s = &r->res;
	struct risk_event ev;
	const struct codes_match *m = &s->med;
	uint64_t pending = 0;
	long i;

	if (s->medref[0] == '#') {
		uint64_t k = key_hash(s->medref);

		m = NULL;
		for (int c = 0; c < s->n_cmeds; c++)
			if (s->cmeds[c].key == k)
				m = &s->cmeds[c].m;
		if (!m) {
			pt_facts(b)->notes |= RISK_NOTE_BIT(RISK_NOTE_MED_UNRESOLVED);
			return;
		}
	} else if (s->medref[0]) {
		pending = key_hash(s->medref);
	}
	if (!pending && !m->concepts)
		return;
	event_init(&ev, pending ? NULL : m, src, day, partial);
	ev.bone_months = pending ? 0 : m->bone_months;
	if (s->dose.n_dosages)
		ev.flags |= RISK_EV_HAS_DOSAGE;
	if (!pending && m->gc_pred_factor > 0 && !isnan(s->dose.best_mg_day))
		ev.dose_pred_mg = s->dose.best_mg_day * m->gc_pred_factor;
	if (src == RISK_SRC_MED_STATEMENT && !s->dates[D_EFFECTIVE_DT].set && s->dates[D_EFFECTIVE_START].set) {
		ev.flags |= RISK_EV_PERIOD;
		ev.end_day = s->dates[D_EFFECTIVE_END].set ? s->dates[D_EFFECTIVE_END].day : RISK_NO_DAY;
	}
	if ((i = add_event(r, b, &ev)) < 0)
		return;
	if (pending && pt_add_pending_med(b, (uint32_t)i, pending, s->dose.best_mg_day))
		fail(r, FLS_ENOMEM, "out of memory");
}

static void commit_clinical(struct fhir_reader *r)
{
	static const enum date_slot cond_dates[] = { D_ONSET_DT, D_ONSET_START };
	static const enum date_slot proc_dates[] = { D_PERFORMED_DT, D_PERFORMED_START };
	static const enum date_slot obs_dates[] = { D_EFFECTIVE_DT, D_EFFECTIVE_START, D_EFFECTIVE_INSTANT, D_ISSUED };
	static const enum date_slot mreq_dates[] = { D_AUTHORED, D_VALIDITY_START };
	static const enum date_slot mst_dates[] = { D_EFFECTIVE_DT, D_EFFECTIVE_START, D_ASSERTED };
	static const enum date_slot mdisp_dates[] = { D_HANDED_OVER, D_PREPARED };
	static const enum date_slot enc_dates[] = { D_ENC_START };
	struct res_scratch *s = &r->res;
	struct pt_builder *b;
	struct risk_event ev;
	struct fls_diag d = { "" };
	char pkey[FHIR_KEY_MAX];
	size_t tlen;
	const char *t;
	int32_t day = RISK_NO_DAY;
	int partial = 0;
	uint32_t enc = 0;
	fls_status st;
	long i;

	if (!s->subject[0]) {
		r->stats.orphan_resources++;
		r->stats.orphan[s->type]++;
		problem(r, FLS_EINVAL, "entry %llu %s: no subject/patient reference, not joined to a patient",
			(unsigned long long)r->entry_no, type_name(s->type));
		return;
	}
	memcpy(pkey, s->subject, sizeof(pkey));
	if ((t = fhir_key_type(pkey, &tlen)) && !(tlen == 7 && !memcmp(t, "Patient", 7))) {
		r->stats.skipped_resources++; /* about a Group, Device, Location...: not a patient's record */
		r->stats.foreign[s->type]++;
		return;
	}
	if ((st = fhir_join_builder(r->join, key_hash(pkey), pkey, 1, &b, &d))) {
		if (st == FLS_EINVAL || st == FLS_ELIMIT) {
			r->stats.bad_resources++;
			r->stats.bad[s->type]++;
			problem(r, st, "entry %llu %s: %s", (unsigned long long)r->entry_no, type_name(s->type), d.msg);
			if (held_limit(st, &d))
				fail(r, st, "%s", d.msg); /* too many patients held: the input cannot be read */
		} else {
			fail(r, st, "%s", d.msg[0] ? d.msg : st == FLS_EABORT ? "stopped by the host" : "out of memory");
		}
		return;
	}
	r->stats.clinical_resources++;
	r->stats.done[s->type]++;
	if (s->encounter[0] && s->type != RT_ENCOUNTER)
		enc = pt_encounter(b, key_hash(s->encounter), 0, RISK_NO_DAY);

	switch (s->type) {
	case RT_CONDITION:
		day = pick_date(s, cond_dates, 2, &partial);
		if (!s->code.concepts)
			return;
		event_init(&ev, &s->code, RISK_SRC_CONDITION, day, partial);
		ev.encounter = enc;
		if ((i = add_event(r, b, &ev)) < 0)
			return;
		{
			uint64_t keys[2];
			char text[FHIR_KEY_MAX];

			own_keys(r, "Condition", keys, text);
			for (int k = 0; k < 2; k++)
				if (keys[k] && pt_add_condition_key(b, keys[k], (uint32_t)i))
					fail(r, FLS_ENOMEM, "out of memory");
		}
		if (day == RISK_NO_DAY && s->has_onset_age) {
			if (pt_add_onset_age(b, (uint32_t)i, s->onset_age,
					     s->dates[D_RECORDED].set ? s->dates[D_RECORDED].day : RISK_NO_DAY,
					     s->dates[D_RECORDED].partial))
				fail(r, FLS_ENOMEM, "out of memory");
		} else if (day == RISK_NO_DAY && s->dates[D_RECORDED].set) {
			pt_facts(b)->events[i].day = s->dates[D_RECORDED].day;
			if (s->dates[D_RECORDED].partial)
				pt_facts(b)->events[i].flags |= RISK_EV_PARTIAL_DATE;
		}
		return;
	case RT_PROCEDURE:
		day = pick_date(s, proc_dates, 2, &partial);
		if (!s->code.concepts)
			return;
		event_init(&ev, &s->code, RISK_SRC_PROCEDURE, day, partial);
		ev.encounter = enc;
		add_event(r, b, &ev);
		return;
	case RT_OBSERVATION:
		day = pick_date(s, obs_dates, 4, &partial);
		if (s->code.concepts) {
			event_init(&ev, &s->code, RISK_SRC_OBSERVATION, day, partial);
			ev.encounter = enc;
			ev.value = s->value_num;
			ev.unit = s->value_unit;
			if (s->value_bad)
				ev.flags |= RISK_EV_VALUE_BAD;
			if (add_event(r, b, &ev) < 0)
				return;
		}
		if (s->value.concepts) {
			event_init(&ev, &s->value, RISK_SRC_OBSERVATION, day, partial);
			ev.flags |= RISK_EV_VALUE_CODED;
			ev.encounter = enc;
			if (add_event(r, b, &ev) < 0)
				return;
		}
		for (int k = 0; k < s->n_subs; k++) {
			event_init(&ev, &s->subs[k].m, s->subs[k].src, day, partial);
			ev.value = s->subs[k].value;
			ev.unit = s->subs[k].unit;
			ev.flags |= s->subs[k].flags;
			ev.encounter = enc;
			if (add_event(r, b, &ev) < 0)
				return;
		}
		return;
	case RT_MED_REQUEST:
		day = pick_date(s, mreq_dates, 2, &partial);
		commit_medication_record(r, b, RISK_SRC_MED_REQUEST, day, partial);
		return;
	case RT_MED_STATEMENT:
		day = pick_date(s, mst_dates, 3, &partial);
		commit_medication_record(r, b, RISK_SRC_MED_STATEMENT, day, partial);
		return;
	case RT_MED_DISPENSE:
		/* A dispense of a prescription the record holds is that prescription's issue, already counted
		 * through its MedicationRequest; only an unauthorised (or pharmacy-only) dispense is an issue of
		 * its own (docs/decisions.md R11). */
		if (s->authorized)
			return;
		day = pick_date(s, mdisp_dates, 2, &partial);
		commit_medication_record(r, b, RISK_SRC_MED_DISPENSE, day, partial);
		return;
	case RT_ENCOUNTER: {
		uint64_t keys[2];
		char text[FHIR_KEY_MAX];

		day = pick_date(s, enc_dates, 1, &partial);
		own_keys(r, "Encounter", keys, text);
		enc = pt_encounter(b, keys[0] ? keys[0] : keys[1], keys[0] ? keys[1] : 0, day);
		if (!enc && (keys[0] || keys[1])) {
			fail(r, FLS_ENOMEM, "out of memory");
			return;
		}
		for (int k = 0; k < s->n_subs; k++) {
			event_init(&ev, &s->subs[k].m, RISK_SRC_ENCOUNTER, day, partial);
			ev.encounter = enc;
			if (add_event(r, b, &ev) < 0)
				return;
		}
		for (int k = 0; k < s->n_diag; k++)
			if (enc && pt_add_diagnosis_link(b, s->diag[k], enc))
				fail(r, FLS_ENOMEM, "out of memory");
		return;
	}
	case RT_FMH:
		for (int k = 0; k < s->n_subs; k++) {
			event_init(&ev, &s->subs[k].m, RISK_SRC_FAMILY_HISTORY, RISK_NO_DAY, 0);
			if (s->parent)
				ev.flags |= RISK_EV_PARENT;
			if (add_event(r, b, &ev) < 0)
				return;
		}
		return;
	default:
		return;
	}
}

static void res_end(struct fhir_reader *r)
{
	struct res_scratch *s = &r->res;

	r->res_depth = 0;
	if (s->bad) {
		r->stats.bad_resources++;
		r->stats.bad[s->type]++;
		problem(r, FLS_EPARSE, "entry %llu %s skipped: %s", (unsigned long long)r->entry_no,
			type_name(s->type), s->why);
		return;
	}
	if (s->dropped) {
		r->stats.dropped[s->type]++; /* entered-in-error, refuted, not-taken, cancelled (7.1) */
		return;
	}
	if (s->type == RT_PATIENT)
		commit_patient(r);
	else if (s->type == RT_MEDICATION)
		commit_medication(r);
	else if (is_clinical(s->type))
		commit_clinical(r);
}

/* ---- codings ------------------------------------------------------------------------------------ */

static void coding_end(struct fhir_reader *r, enum role role)
{
	struct res_scratch *s = &r->res;
	size_t sl = strlen(s->sys), cl = strlen(s->codebuf);

	switch (role) {
	case R_VERIF:
		/* Condition.verificationStatus refuted / entered-in-error: does not count (7.1). */
		if (!strcmp(s->codebuf, "refuted") || !strcmp(s->codebuf, "entered-in-error"))
			s->dropped = 1;
		return;
	case R_ETHNIC:
		if (cl && cl < sizeof(s->ethnic) && !s->ethnic[0] && strstr(s->sys, "EthnicCategory"))
			memcpy(s->ethnic, s->codebuf, cl + 1);
		return;
	case R_RELATION:
		/* mother, father or parent: v3 RoleCode (MTH FTH PRN and the natural-parent codes) or SNOMED CT
		 * 72705000 mother, 66839005 father, 40683002 parent (clinical-rules D8). */
		if (!strcmp(s->codebuf, "MTH") || !strcmp(s->codebuf, "FTH") || !strcmp(s->codebuf, "PRN") ||
		    !strcmp(s->codebuf, "NMTH") || !strcmp(s->codebuf, "NFTH") || !strcmp(s->codebuf, "NPRN") ||
		    !strcmp(s->codebuf, "72705000") || !strcmp(s->codebuf, "66839005") ||
		    !strcmp(s->codebuf, "40683002"))
			s->parent = 1;
		return;
	default:
		break;
	}
	if (!sl || !cl || !r->cfg.codes)
		return;
	switch (role) {
	case R_CODE:
		s->has_code_coding = 1;
		codes_lookup(r->cfg.codes, s->sys, sl, s->codebuf, cl, &s->code);
		return;
	case R_VALUE:
		codes_lookup(r->cfg.codes, s->sys, sl, s->codebuf, cl, &s->value);
		return;
	case R_MED:
		codes_lookup(r->cfg.codes, s->sys, sl, s->codebuf, cl, &s->med);
		return;
	case R_CMED_CODE:
		codes_lookup(r->cfg.codes, s->sys, sl, s->codebuf, cl, &s->cmed_code);
		return;
	case R_COMP_CODE:
		codes_lookup(r->cfg.codes, s->sys, sl, s->codebuf, cl, &s->comp_code);
		return;
	case R_COMP_VALUE:
		codes_lookup(r->cfg.codes, s->sys, sl, s->codebuf, cl, &s->comp_value);
		return;
	case R_REASON:
	case R_FMH_COND:
		if (s->n_subs > 0)
			codes_lookup(r->cfg.codes, s->sys, sl, s->codebuf, cl, &s->subs[s->n_subs - 1].m);
		return;
	default:
		return;
	}
}

static int add_sub(struct fhir_reader *r, uint8_t src)
{
	struct res_scratch *s = &r->res;

	if (s->n_subs >= MAX_SUBS) {
		res_bad(r, "more than %d coded items in one resource", MAX_SUBS);
		return -1;
	}
	memset(&s->subs[s->n_subs], 0, sizeof(s->subs[0]));
	s->subs[s->n_subs].value = NAN;
	s->subs[s->n_subs].src = src;
	s->n_subs++;
	return 0;
}

/* ---- SAX callbacks ------------------------------------------------------------------------------ */

static void begin_cc(struct fhir_reader *r, enum role role)
{
	push(r, F_CC, role);
}

static void begin_ref(struct fhir_reader *r, enum role role)
{
	push(r, F_REF, role);
}

static void begin_leaf(struct fhir_reader *r)
{
	push(r, F_LEAF, R_NONE);
	skip_children(r);
}

/* A child of the resource root. */
static void on_res_child(struct fhir_reader *r, enum fhir_name n, const char *v, size_t vl, int nb, const xmlChar **attrs)
{
	struct res_scratch *s = &r->res;
	int t = s->type;
	size_t ul;
	const char *u;

	for (size_t k = 0; k < sizeof(dated_children) / sizeof(dated_children[0]); k++) {
		if (dated_children[k].type == t && dated_children[k].name == n) {
			read_date(r, (enum date_slot)dated_children[k].slot, v, vl, name_str[n]);
			begin_leaf(r);
			return;
		}
	}
	for (size_t k = 0; k < sizeof(period_children) / sizeof(period_children[0]); k++) {
		if (period_children[k].type == t && period_children[k].name == n) {
			push(r, F_PERIOD, (enum role)period_children[k].role);
			return;
		}
	}
	switch (n) {
	case NM_id:
		if (v)
			copy_short(r, s->id, sizeof(s->id), v, vl, "id");
		begin_leaf(r);
		return;
	case NM_contained:
		push(r, F_CONTAINED, R_NONE);
		return;
	case NM_status:
		if (v && ((vl == 16 && !memcmp(v, "entered-in-error", 16)) ||
			  (t == RT_MED_STATEMENT && vl == 9 && !memcmp(v, "not-taken", 9)) ||
			  (t == RT_MED_REQUEST && vl == 9 && !memcmp(v, "cancelled", 9))))
			s->dropped = 1;
		begin_leaf(r);
		return;
	case NM_context:
	case NM_taken:
		/* R4 has neither: a resource carrying them is STU3 in the same namespace (corpus README). */
		/* R4 has MedicationStatement.context and MedicationDispense.context; the others lost it to
		 * 'encounter', and only STU3's MedicationStatement has 'taken'. */
		if ((n == NM_context && (t == RT_CONDITION || t == RT_PROCEDURE || t == RT_OBSERVATION ||
					 t == RT_MED_REQUEST || t == RT_ENCOUNTER)) ||
		    (n == NM_taken && t == RT_MED_STATEMENT)) {
			res_bad(r, "element '%s' does not exist in FHIR R4 (STU3 content?)", n == NM_context ? "context" : "taken");
			skip_children(r);
			push(r, F_LEAF, R_NONE);
			return;
		}
		break;
	case NM_extension:
		if (t == RT_PATIENT && (u = attr(r, NM_url, nb, attrs, &ul)) && ul == sizeof(ETHNIC_EXT_URL) - 1 &&
		    !memcmp(u, ETHNIC_EXT_URL, ul)) {
			push(r, F_PAT_EXT, R_NONE);
			return;
		}
		break;
	case NM_subject:
	case NM_patient:
		if (t != RT_PATIENT && t != RT_MEDICATION && (n == NM_subject || t == RT_FMH)) {
			begin_ref(r, R_SUBJECT);
			return;
		}
		break;
	case NM_encounter:
		if (t != RT_PATIENT && t != RT_MEDICATION && t != RT_ENCOUNTER) {
			begin_ref(r, R_ENCOUNTER);
			return;
		}
		break;
	case NM_code:
		if (t == RT_MEDICATION) {
			begin_cc(r, R_MED);
			return;
		}
		if (t == RT_CONDITION || t == RT_PROCEDURE || t == RT_OBSERVATION) {
			begin_cc(r, R_CODE);
			return;
		}
		break;
	default:
		break;
	}
	switch (t) {
	case RT_PATIENT:
		switch (n) {
		case NM_identifier:
			s->ident_system[0] = s->ident_value[0] = '\0';
			push(r, F_PAT_IDENT, R_NONE);
			return;
		case NM_gender:
			if (v)
				s->gender = vl == 6 && !memcmp(v, "female", 6) ? RISK_SEX_FEMALE :
					    vl == 4 && !memcmp(v, "male", 4)   ? RISK_SEX_MALE :
					    vl == 5 && !memcmp(v, "other", 5)  ? RISK_SEX_OTHER :
										 RISK_SEX_UNKNOWN;
			begin_leaf(r);
			return;
		case NM_birthDate:
			if (v) {
				int32_t day;
				int prec;

				if (fhir_parse_date(v, vl, &day, &prec) || prec == FHIR_DATE_TIME)
					res_bad(r, "element 'birthDate': not a valid FHIR date");
				else
					s->birth = (struct date_val){ day, 1, prec < FHIR_DATE_DAY };
			}
			begin_leaf(r);
			return;
		case NM_deceasedBoolean:
			s->deceased_bool = v && vl == 4 && !memcmp(v, "true", 4);
			begin_leaf(r);
			return;
		case NM_deceasedDateTime:
			if (v) {
				int32_t day;
				int prec;

				if (fhir_parse_date(v, vl, &day, &prec))
					res_bad(r, "element 'deceasedDateTime': not a valid FHIR dateTime");
				else
					s->deceased_dt = (struct date_val){ day, 1, prec < FHIR_DATE_DAY };
			}
			begin_leaf(r);
			return;
		default:
			break;
		}
		break;
	case RT_CONDITION:
		switch (n) {
		case NM_verificationStatus:
		case NM_clinicalStatus:
			if (v) { /* a code with a value attribute: STU3's shape, R4's is a CodeableConcept */
				res_bad(r, "element '%s' is a code, not a CodeableConcept (STU3 content?)",
					n == NM_verificationStatus ? "verificationStatus" : "clinicalStatus");
				begin_leaf(r);
				return;
			}
			if (n == NM_verificationStatus) {
				begin_cc(r, R_VERIF);
				return;
			}
			break;
		case NM_onsetAge:
			s->q.has_value = 0;
			s->q.unit[0] = s->q.system[0] = s->q.code[0] = '\0';
			push(r, F_QTY, R_AGE);
			return;
		default:
			break;
		}
		break;
	case RT_OBSERVATION:
		switch (n) {
		case NM_valueQuantity:
			s->q.has_value = 0;
			s->q.unit[0] = s->q.system[0] = s->q.code[0] = '\0';
			push(r, F_QTY, R_VALUEQ);
			return;
		case NM_valueInteger:
			if (v) {
				int32_t iv;

				if (fhir_parse_int(v, vl, &iv))
					s->value_bad = 1;
				else
					s->value_num = iv, s->has_value = 1;
			}
			begin_leaf(r);
			return;
		case NM_valueCodeableConcept:
			begin_cc(r, R_VALUE);
			return;
		case NM_component:
			memset(&s->comp_code, 0, sizeof(s->comp_code));
			memset(&s->comp_value, 0, sizeof(s->comp_value));
			s->comp_num = NAN;
			s->comp_unit = s->comp_has_value = 0;
			push(r, F_COMPONENT, R_NONE);
			return;
		default:
			break;
		}
		break;
	case RT_MED_REQUEST:
	case RT_MED_STATEMENT:
	case RT_MED_DISPENSE:
		switch (n) {
		case NM_medicationCodeableConcept:
			begin_cc(r, R_MED);
			return;
		case NM_medicationReference:
			begin_ref(r, R_MEDREF);
			return;
		case NM_dispenseRequest:
			if (t == RT_MED_REQUEST) {
				push(r, F_DISP_REQ, R_NONE);
				return;
			}
			break;
		case NM_dosageInstruction:
		case NM_dosage:
			if ((n == NM_dosage) == (t == RT_MED_STATEMENT)) {
				fhir_dosage_begin(&s->dose);
				push(r, F_DOSAGE, R_NONE);
				return;
			}
			break;
		case NM_authorizingPrescription:
			if (t == RT_MED_DISPENSE) {
				s->authorized = 1;
				push(r, F_LEAF, R_NONE);
				skip_children(r);
				return;
			}
			break;
		default:
			break;
		}
		break;
	case RT_ENCOUNTER:
		switch (n) {
		case NM_reasonCode:
			if (add_sub(r, RISK_SRC_ENCOUNTER) == 0) {
				begin_cc(r, R_REASON);
				return;
			}
			break;
		case NM_diagnosis:
			push(r, F_ENC_DIAG, R_NONE);
			return;
		default:
			break;
		}
		break;
	case RT_FMH:
		if (n == NM_relationship) {
			begin_cc(r, R_RELATION);
			return;
		}
		if (n == NM_condition) {
			push(r, F_FMH_COND, R_NONE);
			return;
		}
		break;
	default:
		break;
	}
	push(r, F_LEAF, R_NONE);
	skip_children(r);
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
		     int nb_ns, const xmlChar **ns, int nb_attrs, int nb_defaulted, const xmlChar **attrs)
{
	struct fhir_reader *r = ctx;
	struct res_scratch *s = &r->res;
	enum frame_state parent;
	enum role prole;
	enum fhir_name n;
	const char *v;
	size_t vl;

	(void)prefix, (void)nb_ns, (void)ns, (void)nb_defaulted;
	if (r->fatal)
		return;
	if (++r->depth > (int)r->cfg.max_depth || r->depth >= MAX_STACK) {
		fail(r, FLS_ELIMIT, "element nesting deeper than %u (max_depth)", r->cfg.max_depth);
		return;
	}
	for (int i = 0; i < nb_attrs; i++) {
		if ((size_t)(attrs[5 * i + 4] - attrs[5 * i + 3]) > r->cfg.max_string_bytes) {
			fail(r, FLS_ELIMIT, "attribute '%s' longer than %u bytes (max_string_bytes)",
			     (const char *)attrs[5 * i], r->cfg.max_string_bytes);
			return;
		}
	}
	if (r->skip) {
		r->skip++;
		return;
	}
	/* Namespace: FHIR, or the XHTML narrative (skipped whatever its prefix); nothing else. */
	if (!uri || uri != r->fhir_ns) {
		if (uri && !strcmp((const char *)uri, FHIR_NS)) {
			r->fhir_ns = uri;
		} else if (uri && (uri == r->xhtml_ns || !strcmp((const char *)uri, XHTML_NS))) {
			r->xhtml_ns = uri;
			push(r, F_LEAF, R_NONE);
			skip_children(r);
			return;
		} else if (r->depth == 1) {
			fail(r, FLS_EPARSE, "root element '%s' is not in the FHIR namespace %s (%s%s%s)",
			     (const char *)localname, FHIR_NS, uri ? "found '" : "no namespace",
			     uri ? (const char *)uri : "", uri ? "'" : "");
			return;
		} else {
			if (r->res_depth)
				res_bad(r, "element '%s' in namespace '%s' is not FHIR", (const char *)localname,
					uri ? (const char *)uri : "(none)");
			push(r, F_LEAF, R_NONE);
			skip_children(r);
			return;
		}
	}
	n = name_of(r, localname);
	v = attr(r, NM_value, nb_attrs, attrs, &vl);
	parent = r->depth > 1 ? (enum frame_state)r->stack[r->depth - 1].state : F_DOC;
	prole = r->depth > 1 ? (enum role)r->stack[r->depth - 1].role : R_NONE;

	switch (parent) {
	case F_DOC:
	case F_ENTRY_RES:
		r->root_seen = 1;
		if (parent == F_DOC)
			r->fullurl[0] = '\0';
		if (n == NM_Bundle) {
			push(r, F_BUNDLE, R_NONE);
			return;
		}
		{
			enum fhir_res_type t = res_type_of(n);

			if (t == RT_OTHER) {
				r->stats.resources++;
				r->stats.skipped_resources++;
				push(r, F_LEAF, R_NONE);
				skip_children(r);
				return;
			}
			res_begin(r, t);
			push(r, F_RES, R_NONE);
		}
		return;
	case F_BUNDLE:
		if (n == NM_entry) {
			r->entry_no++;
			r->fullurl[0] = '\0';
			push(r, F_ENTRY, R_NONE);
			return;
		}
		break;
	case F_ENTRY:
		if (n == NM_fullUrl) {
			if (v && fhir_ref_key(v, vl, NULL, r->fullurl) < 0)
				r->fullurl[0] = '\0';
			begin_leaf(r);
			return;
		}
		if (n == NM_resource) {
			push(r, F_ENTRY_RES, R_NONE);
			return;
		}
		break;
	case F_RES:
		on_res_child(r, n, v, vl, nb_attrs, attrs);
		return;
	case F_CONTAINED:
		/* Contained Medications serve medicationReference "#id"; other contained resources are not
		 * a patient's records of their own and are skipped (docs/decisions.md). */
		if (n == NM_Medication && s->n_cmeds < MAX_CMEDS) {
			s->cmed_id[0] = '\0';
			memset(&s->cmed_code, 0, sizeof(s->cmed_code));
			r->cres_depth = r->depth;
			push(r, F_CRES, R_NONE);
			return;
		}
		break;
	case F_CRES:
		if (n == NM_id && v) {
			copy_short(r, s->cmed_id, sizeof(s->cmed_id), v, vl, "contained/Medication/id");
			begin_leaf(r);
			return;
		}
		if (n == NM_code) {
			begin_cc(r, R_CMED_CODE);
			return;
		}
		break;
	case F_CC:
		if (n == NM_coding) {
			s->sys[0] = s->codebuf[0] = '\0';
			push(r, F_CODING, prole);
			return;
		}
		break;
	case F_CODING:
		if (n == NM_system && v) {
			copy_short(r, s->sys, sizeof(s->sys), v, vl, "coding/system");
			begin_leaf(r);
			return;
		}
		if (n == NM_code && v) {
			copy_short(r, s->codebuf, sizeof(s->codebuf), v, vl, "coding/code");
			begin_leaf(r);
			return;
		}
		break;
	case F_REF:
		if (n == NM_identifier && prole == R_SUBJECT) {
			s->ident_system[0] = s->ident_value[0] = '\0';
			push(r, F_REF_IDENT, R_SUBJECT);
			return;
		}
		if (n == NM_reference && v) {
			char *dst = prole == R_SUBJECT ? s->subject : prole == R_ENCOUNTER ? s->encounter :
				    prole == R_MEDREF ? s->medref : NULL;
			char tmp[FHIR_KEY_MAX];

			if (prole == R_DIAG_COND) {
				if (fhir_ref_key(v, vl, "Condition", tmp) > 0 && s->n_diag < MAX_DIAG)
					s->diag[s->n_diag++] = key_hash(tmp);
			} else if (dst && (prole != R_SUBJECT || !s->subject[0] || !strncmp(s->subject, "nhs:", 4)) &&
				   fhir_ref_key(v, vl,
						       prole == R_SUBJECT ? "Patient" :
						       prole == R_ENCOUNTER ? "Encounter" : "Medication", dst) < 0) {
				res_bad(r, "element 'reference': empty or longer than %d bytes", FHIR_KEY_MAX - 1);
			}
			begin_leaf(r);
			return;
		}
		break;
	case F_PERIOD:
		if ((n == NM_start || n == NM_end) && v) {
			enum date_slot slot = D__COUNT;

			if (prole == R_ONSET && n == NM_start)
				slot = D_ONSET_START;
			else if (prole == R_PERFORMED && n == NM_start)
				slot = D_PERFORMED_START;
			else if (prole == R_EFFECTIVE)
				slot = n == NM_start ? D_EFFECTIVE_START : D_EFFECTIVE_END;
			else if (prole == R_VALIDITY && n == NM_start)
				slot = D_VALIDITY_START;
			else if (prole == R_ENC_PERIOD && n == NM_start)
				slot = D_ENC_START;
			if (slot != D__COUNT)
				read_date(r, slot, v, vl, n == NM_start ? "start" : "end");
			begin_leaf(r);
			return;
		}
		break;
	case F_QTY:
		if (n == NM_value && v) {
			if (fhir_parse_decimal(v, vl, &s->q.value))
				res_bad(r, "element 'value': not a valid FHIR decimal");
			else
				s->q.has_value = 1;
			begin_leaf(r);
			return;
		}
		if ((n == NM_unit || n == NM_system || n == NM_code) && v) {
			char *dst = n == NM_unit ? s->q.unit : n == NM_system ? s->q.system : s->q.code;

			if (vl < SHORT_MAX) { /* an over-long unit is not a unit we know: leave it empty */
				memcpy(dst, v, vl);
				dst[vl] = '\0';
			}
			begin_leaf(r);
			return;
		}
		break;
	case F_PAT_IDENT:
	case F_REF_IDENT:
		if ((n == NM_system || n == NM_value) && v) {
			char *dst = n == NM_system ? s->ident_system : s->ident_value;

			if (vl < SHORT_MAX) {
				memcpy(dst, v, vl);
				dst[vl] = '\0';
			}
			begin_leaf(r);
			return;
		}
		break;
	case F_PAT_EXT:
		if (n == NM_valueCodeableConcept) {
			begin_cc(r, R_ETHNIC);
			return;
		}
		break;
	case F_COMPONENT:
		if (n == NM_code) {
			begin_cc(r, R_COMP_CODE);
			return;
		}
		if (n == NM_valueCodeableConcept) {
			begin_cc(r, R_COMP_VALUE);
			return;
		}
		if (n == NM_valueQuantity) {
			s->q.has_value = 0;
			s->q.unit[0] = s->q.system[0] = s->q.code[0] = '\0';
			push(r, F_QTY, R_COMP_VALUEQ);
			return;
		}
		if (n == NM_valueInteger && v) {
			int32_t iv;

			if (!fhir_parse_int(v, vl, &iv))
				s->comp_num = iv, s->comp_has_value = 1;
			begin_leaf(r);
			return;
		}
		break;
	case F_DISP_REQ:
		if (n == NM_validityPeriod) {
			push(r, F_PERIOD, R_VALIDITY);
			return;
		}
		break;
	case F_DOSAGE:
		if (n == NM_doseAndRate) {
			push(r, F_DOSE_RATE, R_NONE);
			return;
		}
		if (n == NM_timing) {
			fhir_dosage_timing(&s->dose);
			push(r, F_TIMING, R_NONE);
			return;
		}
		break;
	case F_DOSE_RATE:
		if (n == NM_doseQuantity) {
			s->q.has_value = 0;
			s->q.unit[0] = s->q.system[0] = s->q.code[0] = '\0';
			push(r, F_QTY, R_DOSEQ);
			return;
		}
		break;
	case F_TIMING:
		if (n == NM_repeat) {
			s->q.unit[0] = '\0'; /* periodUnit */
			s->q.has_value = 0;  /* period */
			push(r, F_REPEAT, R_NONE);
			return;
		}
		break;
	case F_REPEAT:
		if (n == NM_frequency && v) {
			int32_t f;

			if (fhir_parse_int(v, vl, &f) || f < 0)
				res_bad(r, "element 'frequency': not a valid positiveInt");
			else
				fhir_dosage_frequency(&s->dose, f);
			begin_leaf(r);
			return;
		}
		if (n == NM_period && v) {
			if (fhir_parse_decimal(v, vl, &s->q.value))
				res_bad(r, "element 'period': not a valid FHIR decimal");
			else
				s->q.has_value = 1;
			begin_leaf(r);
			return;
		}
		if (n == NM_periodUnit && v) {
			if (vl < SHORT_MAX) {
				memcpy(s->q.unit, v, vl);
				s->q.unit[vl] = '\0';
			}
			begin_leaf(r);
			return;
		}
		break;
	case F_ENC_DIAG:
		if (n == NM_condition) {
			begin_ref(r, R_DIAG_COND);
			return;
		}
		break;
	case F_FMH_COND:
		if (n == NM_code && add_sub(r, RISK_SRC_FAMILY_HISTORY) == 0) {
			begin_cc(r, R_FMH_COND);
			return;
		}
		break;
	default:
		break;
	}
	push(r, F_LEAF, R_NONE);
	skip_children(r);
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	struct fhir_reader *r = ctx;
	struct res_scratch *s = &r->res;
	struct frame f;

	(void)localname, (void)prefix, (void)uri;
	if (r->fatal)
		return;
	if (r->skip) {
		if (--r->skip) {
			r->depth--;
			return;
		}
	}
	f = r->stack[r->depth];
	switch ((enum frame_state)f.state) {
	case F_RES:
		if (r->depth == r->res_depth)
			res_end(r);
		break;
	case F_CRES:
		if (s->cmed_id[0] && s->n_cmeds < MAX_CMEDS) {
			char key[FHIR_KEY_MAX];
			int n = snprintf(key, sizeof(key), "#%s", s->cmed_id);

			if (n > 0 && (size_t)n < sizeof(key)) {
				s->cmeds[s->n_cmeds].key = fhir_hash64(key, (size_t)n);
				s->cmeds[s->n_cmeds].m = s->cmed_code;
				s->n_cmeds++;
			}
		}
		r->cres_depth = 0;
		break;
	case F_CODING:
		coding_end(r, (enum role)f.role);
		break;
	case F_QTY:
		if ((enum role)f.role == R_VALUEQ) {
			if (s->q.has_value) {
				s->value_num = s->q.value;
				s->has_value = 1;
				s->value_unit = unit_of(&s->q);
			} else {
				s->value_bad = 1;
			}
		} else if ((enum role)f.role == R_COMP_VALUEQ && s->q.has_value) {
			s->comp_num = s->q.value;
			s->comp_has_value = 1;
			s->comp_unit = unit_of(&s->q);
		} else if ((enum role)f.role == R_DOSEQ && s->q.has_value) {
			fhir_dosage_quantity(&s->dose, s->q.value, s->q.unit[0] ? s->q.unit : NULL,
					     s->q.system[0] ? s->q.system : NULL, s->q.code[0] ? s->q.code : NULL);
		} else if ((enum role)f.role == R_AGE && s->q.has_value) {
			/* onsetAge in years ("a"), months ("mo") or days ("d"); other units are not ages. */
			const char *u = s->q.code[0] ? s->q.code : s->q.unit;

			if (!strcmp(u, "a") || !strcasecmp(u, "years") || !strcasecmp(u, "year") || !strcasecmp(u, "yr"))
				s->onset_age = s->q.value, s->has_onset_age = 1;
			else if (!strcmp(u, "mo") || !strcasecmp(u, "months"))
				s->onset_age = s->q.value / 12.0, s->has_onset_age = 1;
			else if (!strcmp(u, "d") || !strcasecmp(u, "days"))
				s->onset_age = s->q.value / 365.25, s->has_onset_age = 1;
		}
		break;
	case F_COMPONENT:
		if (s->comp_code.concepts && add_sub(r, RISK_SRC_OBS_COMPONENT) == 0) {
			s->subs[s->n_subs - 1].m = s->comp_code;
			s->subs[s->n_subs - 1].value = s->comp_has_value ? s->comp_num : NAN;
			s->subs[s->n_subs - 1].unit = s->comp_unit;
		}
		if (s->comp_value.concepts && add_sub(r, RISK_SRC_OBS_COMPONENT) == 0) {
			s->subs[s->n_subs - 1].m = s->comp_value;
			s->subs[s->n_subs - 1].flags = RISK_EV_VALUE_CODED;
		}
		break;
	case F_PAT_IDENT:
		if (!strcmp(s->ident_system, NHS_NUMBER_SYSTEM) && s->ident_value[0] && !s->nhs[0]) {
			size_t k = 0;

			/* NHS numbers are 10 digits; written with spaces sometimes. */
			for (const char *c = s->ident_value; *c && k < sizeof(s->nhs) - 1; c++)
				if (*c >= '0' && *c <= '9')
					s->nhs[k++] = *c;
			s->nhs[k] = '\0';
		}
		break;
	case F_REF_IDENT:
		/* A subject given only by its NHS number (Reference.identifier) joins the Patient carrying that
		 * identifier; a literal reference, when present too, wins. */
		if (!s->subject[0] && !strcmp(s->ident_system, NHS_NUMBER_SYSTEM) && s->ident_value[0]) {
			size_t k = 4;

			memcpy(s->subject, "nhs:", 4);
			for (const char *c = s->ident_value; *c && k < 20; c++)
				if (*c >= '0' && *c <= '9')
					s->subject[k++] = *c;
			s->subject[k] = '\0';
			if (k == 4)
				s->subject[0] = '\0';
		}
		break;
	case F_DOSAGE:
		fhir_dosage_end(&s->dose);
		break;
	case F_REPEAT:
		if (s->q.has_value)
			fhir_dosage_period(&s->dose, s->q.value, s->q.unit[0] ? s->q.unit : NULL);
		break;
	default:
		break;
	}
	r->depth--;
}

/* Reject, don't ignore: FHIR never needs a DOCTYPE, and the internal subset is where entity attacks live. */
static void on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *eid, const xmlChar *sid)
{
	(void)name, (void)eid, (void)sid;
	fail(ctx, FLS_EPARSE, "DOCTYPE declarations are not allowed in FHIR XML");
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *pid, const xmlChar *sid,
			   xmlChar *content)
{
	(void)name, (void)type, (void)pid, (void)sid, (void)content;
	fail(ctx, FLS_EPARSE, "entity declarations are not allowed in FHIR XML");
}

static xmlEntityPtr on_get_entity(void *ctx, const xmlChar *name)
{
	(void)ctx, (void)name;
	return NULL; /* only the five predefined entities, which libxml2 resolves before asking */
}

static void on_start_document(void *ctx)
{
	struct fhir_reader *r = ctx;
	const xmlChar *enc = r->ctxt ? r->ctxt->encoding : NULL;

	if (enc && strcasecmp((const char *)enc, "UTF-8") && strcasecmp((const char *)enc, "UTF8"))
		fail(r, FLS_EPARSE, "declared encoding '%.40s': FHIR XML must be UTF-8", (const char *)enc);
}

/*
 * libxml2's own message text can quote the document (entity names, attribute values), so it is never
 * passed on: the error code is described in our words, with the line (docs/decisions.md R17).
 */
static const char *xml_error_text(int code)
{
	switch (code) {
	case XML_ERR_DOCUMENT_EMPTY: return "document is empty";
	case XML_ERR_DOCUMENT_END: return "extra content after the root element";
	case XML_ERR_UNDECLARED_ENTITY:
	case XML_WAR_UNDECLARED_ENTITY: return "reference to an undeclared entity";
	case XML_ERR_INVALID_CHAR: return "invalid UTF-8, or a character not allowed in XML";
	case XML_ERR_INVALID_CHARREF:
	case XML_ERR_INVALID_DEC_CHARREF:
	case XML_ERR_INVALID_HEX_CHARREF: return "character not allowed in XML";
	case XML_ERR_INVALID_ENCODING: return "input is not valid UTF-8";
	case XML_ERR_TAG_NAME_MISMATCH: return "end tag does not match the start tag";
	case XML_ERR_TAG_NOT_FINISHED:
	case XML_ERR_LTSLASH_REQUIRED:
	case XML_ERR_GT_REQUIRED: return "unfinished element (truncated input?)";
	case XML_ERR_ATTRIBUTE_REDEFINED: return "attribute given twice";
	case XML_ERR_ATTRIBUTE_WITHOUT_VALUE:
	case XML_ERR_ATTRIBUTE_NOT_STARTED:
	case XML_ERR_ATTRIBUTE_NOT_FINISHED: return "malformed attribute";
	case XML_ERR_LT_IN_ATTRIBUTE: return "'<' inside an attribute value";
	case XML_ERR_NAME_REQUIRED: return "name expected";
	case XML_ERR_ENTITYREF_SEMICOL_MISSING: return "entity reference without ';'";
	case XML_ERR_RESERVED_XML_NAME: return "XML declaration not at the start of the input";
	case XML_ERR_VERSION_MISSING:
	case XML_ERR_UNKNOWN_VERSION: return "malformed XML declaration";
	case XML_ERR_ENTITY_LOOP:
	case XML_ERR_ENTITY_BOUNDARY: return "entity problem";
	case XML_NS_ERR_UNDEFINED_NAMESPACE: return "undefined namespace prefix";
	case XML_NS_ERR_QNAME: return "malformed qualified name";
	case XML_ERR_HYPHEN_IN_COMMENT:
	case XML_ERR_COMMENT_NOT_FINISHED: return "malformed comment";
	case XML_ERR_PI_NOT_FINISHED:
	case XML_ERR_PI_NOT_STARTED: return "malformed processing instruction";
	case XML_ERR_CDATA_NOT_FINISHED: return "unfinished CDATA section";
	case XML_ERR_INTERNAL_ERROR: return "parser internal error";
	case XML_ERR_NO_MEMORY: return "out of memory";
	default: return "malformed XML";
	}
}

static void on_xml_error(void *ctx, xmlErrorPtr err)
{
	struct fhir_reader *r = ctx;

	if (!err || err->level < XML_ERR_ERROR || r->fatal)
		return;
	r->fatal = fls_diag_set(&r->fatal_diag, FLS_EPARSE, "%s:%d: not well-formed XML: %s (libxml2 error %d)",
				r->label, err->line ? err->line : line_no(r), xml_error_text(err->code), err->code);
}

/* ---- lifecycle ---------------------------------------------------------------------------------- */

static int deliver(void *ctx, struct risk_patient *p)
{
	struct fhir_reader *r = ctx;

	r->stats.patients++;
	return r->cfg.on_patient(r->cfg.ctx, p);
}

fls_status fhir_reader_new(struct fhir_reader **out, const struct fhir_reader_cfg *cfg, const char *label,
			   struct fls_diag *d)
{
	struct fhir_reader *r;
	struct fhir_join_cfg jc;
	fls_status st;

	*out = NULL;
	fhir_xml_init();
	if (!(r = fls_calloc(cfg->mem, 1, sizeof(*r))))
		return fls_diag_set(d, FLS_ENOMEM, "out of memory");
	r->cfg = *cfg;
	r->mem = cfg->mem;
	snprintf(r->label, sizeof(r->label), "%s", label && *label ? label : "(input)");
	fhir_map_init(&r->names, cfg->mem);
	jc.mem = cfg->mem;
	jc.order = cfg->order;
	jc.max_resources_per_patient = cfg->max_resources_per_patient;
	jc.max_held_patients = cfg->max_held_patients;
	jc.on_patient = deliver;
	jc.ctx = r;
	if ((st = fhir_join_new(&r->join, &jc))) {
		fhir_reader_free(r);
		return fls_diag_set(d, st, "out of memory");
	}
	/* SAX2 handlers: everything we do not set stays NULL (no text, no comments, no PIs needed). */
	memset(&r->sax, 0, sizeof(r->sax));
	r->sax.initialized = XML_SAX2_MAGIC;
	r->sax.startElementNs = on_start;
	r->sax.endElementNs = on_end;
	r->sax.internalSubset = on_internal_subset;
	r->sax.externalSubset = on_internal_subset;
	r->sax.entityDecl = on_entity_decl;
	r->sax.getEntity = on_get_entity;
	r->sax.getParameterEntity = on_get_entity;
	r->sax.startDocument = on_start_document;
	r->sax.serror = on_xml_error;
	*out = r;
	return FLS_OK;
}

/* Refuse before parsing what must not reach libxml2's encoding detection (docs/decisions.md R3). */
static fls_status inspect_prefix(struct fhir_reader *r, const unsigned char *u, size_t n)
{
	size_t i = 0;

	if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
		i = 3; /* a UTF-8 byte-order mark */
	if (n >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE) || u[0] == 0 ||
		       (u[0] == '<' && u[1] == 0)))
		return fls_diag_set(&r->fatal_diag, r->fatal = FLS_EPARSE,
				    "%s: input is UTF-16 or UTF-32: FHIR XML must be UTF-8", r->label);
	while (i < n && (u[i] == ' ' || u[i] == '\t' || u[i] == '\r' || u[i] == '\n'))
		i++;
	if (i == n)
		return FLS_OK; /* only whitespace so far: libxml2 will say the document is empty */
	if (u[i] != '<') {
		if (u[i] == '{' || u[i] == '[')
			return fls_diag_set(&r->fatal_diag, r->fatal = FLS_EPARSE,
					    "%s: input is not XML (it starts with '%c': JSON?)", r->label, u[i]);
		if (u[i] >= 0x20 && u[i] < 0x7F)
			return fls_diag_set(&r->fatal_diag, r->fatal = FLS_EPARSE,
					    "%s: input is not XML (it starts with '%c')", r->label, u[i]);
		return fls_diag_set(&r->fatal_diag, r->fatal = FLS_EPARSE,
				    "%s: input is not UTF-8 XML (first byte 0x%02X)", r->label, u[i]);
	}
	if (n - i >= 5 && !memcmp(u + i, "<?xml", 5)) {
		const unsigned char *end = NULL, *enc;

		for (size_t k = i + 5; k + 1 < n && !end; k++)
			if (u[k] == '?' && u[k + 1] == '>')
				end = u + k;
		if (!end)
			return fls_diag_set(&r->fatal_diag, r->fatal = FLS_EPARSE,
					    "%s:1: XML declaration not closed within %d bytes", r->label, PREFIX_MAX);
		for (enc = u + i + 5; enc + 8 < end; enc++) {
			const unsigned char *q, *v;
			size_t vl;

			if (memcmp(enc, "encoding", 8))
				continue;
			for (q = enc + 8; q < end && (*q == ' ' || *q == '=' || *q == '\t'); q++)
				;
			if (q >= end || (*q != '"' && *q != '\''))
				break;
			for (v = q + 1, vl = 0; v + vl < end && v[vl] != *q; vl++)
				;
			if (!((vl == 5 && !strncasecmp((const char *)v, "UTF-8", 5)) ||
			      (vl == 4 && !strncasecmp((const char *)v, "UTF8", 4))))
				return fls_diag_set(&r->fatal_diag, r->fatal = FLS_EPARSE,
						    "%s:1: declared encoding '%.*s': FHIR XML must be UTF-8", r->label,
						    (int)(vl > 40 ? 40 : vl), (const char *)v);
			break;
		}
	}
	return FLS_OK;
}

static fls_status reader_start(struct fhir_reader *r)
{
	fls_status st;
	size_t bom;

	if ((st = inspect_prefix(r, (const unsigned char *)r->prefix, r->prefix_len)))
		return st;
	if (!(r->ctxt = xmlCreatePushParserCtxt(&r->sax, r, NULL, 0, NULL)))
		return fls_diag_set(&r->fatal_diag, r->fatal = FLS_ENOMEM, "out of memory");
	xmlCtxtUseOptions(r->ctxt, fhir_xml_opts);
	xmlSwitchEncoding(r->ctxt, XML_CHAR_ENCODING_UTF8);
	for (int i = 1; i < NM__COUNT; i++) {
		r->nm[i] = xmlDictLookup(r->ctxt->dict, (const xmlChar *)name_str[i], -1);
		if (!r->nm[i] || fhir_map_put(&r->names, (uint64_t)(uintptr_t)r->nm[i], (uint64_t)i))
			return fls_diag_set(&r->fatal_diag, r->fatal = FLS_ENOMEM, "out of memory");
	}
	/* The parser was told the encoding, so it would not skip a UTF-8 byte-order mark itself. */
	bom = r->prefix_len >= 3 && !memcmp(r->prefix, "\xEF\xBB\xBF", 3) ? 3 : 0;
	if (xmlParseChunk(r->ctxt, r->prefix + bom, (int)(r->prefix_len - bom), 0) && !r->fatal)
		fail(r, FLS_EPARSE, "not well-formed XML");
	return r->fatal;
}

static uint64_t count_eq(const char *p, size_t n)
{
	uint64_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += p[i] == '=';
	return c;
}

/*
 * Refuse a start tag with more than MAX_ATTRS_PER_TAG attributes before libxml2 parses it. Only runs
 * without '<' of ATTR_RUN_WINDOW bytes or more can hold that many, so the scan jumps a window at a time,
 * looking back from its end for the last '<' (usually a few bytes away), and counts '=' signs only in
 * long runs and in the tail of a chunk: a small fraction of the input.
 */
static int attrs_bounded(struct fhir_reader *r, const char *buf, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		size_t lim, k;

		if (r->run_len >= ATTR_RUN_WINDOW) {
			const char *q = memchr(buf + pos, '<', len - pos);
			size_t end = q ? (size_t)(q - buf) : len;

			r->run_eq += count_eq(buf + pos, end - pos);
			if (r->run_eq > MAX_ATTRS_PER_TAG)
				return 0;
			if (!q) {
				r->run_len += len - pos;
				return 1;
			}
			pos = end + 1;
			r->run_len = r->run_eq = 0;
			continue;
		}
		lim = len - pos < ATTR_RUN_WINDOW - r->run_len ? len - pos : ATTR_RUN_WINDOW - (size_t)r->run_len;
		for (k = lim; k > 0 && buf[pos + k - 1] != '<'; k--)
			;
		if (k) { /* every run that ended in the window was shorter than the window */
			pos += k;
			r->run_len = r->run_eq = 0;
			continue;
		}
		r->run_eq += count_eq(buf + pos, lim);
		r->run_len += lim;
		pos += lim;
		if (r->run_eq > MAX_ATTRS_PER_TAG)
			return 0;
	}
	return 1;
}

fls_status fhir_reader_feed(struct fhir_reader *r, const char *buf, size_t len, struct fls_diag *d)
{
	size_t off = 0;

	if (!r->fatal && !attrs_bounded(r, buf, len))
		fail(r, FLS_ELIMIT, "an element has more than %u attributes (or '=' signs in one text node)",
		     MAX_ATTRS_PER_TAG);

	if (r->fatal)
		goto out;
	if (!r->ctxt) {
		/* Gather the first PREFIX_MAX bytes (whatever the chunking), inspect them, then parse. */
		size_t take = len < PREFIX_MAX - r->prefix_len ? len : PREFIX_MAX - r->prefix_len;

		memcpy(r->prefix + r->prefix_len, buf, take);
		r->prefix_len += take;
		off = take;
		if (r->prefix_len < PREFIX_MAX)
			return FLS_OK;
		if (reader_start(r))
			goto out;
	}
	/* libxml2 takes an int length: feed in bounded pieces. */
	while (off < len && !r->fatal) {
		size_t n = len - off > (1u << 30) ? (1u << 30) : len - off;

		if (xmlParseChunk(r->ctxt, buf + off, (int)n, 0) && !r->fatal)
			fail(r, FLS_EPARSE, "not well-formed XML");
		off += n;
	}
out:
	if (r->fatal) {
		if (d)
			*d = r->fatal_diag;
		return r->fatal;
	}
	return FLS_OK;
}

fls_status fhir_reader_finish(struct fhir_reader *r, struct fls_diag *d)
{
	struct fls_diag jd = { "" };
	fls_status st;

	if (r->finished)
		return r->fatal;
	r->finished = 1;
	if (!r->fatal && !r->ctxt && r->prefix_len)
		reader_start(r); /* a document shorter than the prefix */
	if (!r->fatal) {
		if (!r->ctxt)
			fls_diag_set(&r->fatal_diag, r->fatal = FLS_EPARSE, "%s: input is empty", r->label);
		else if (xmlParseChunk(r->ctxt, NULL, 0, 1) && !r->fatal)
			fail(r, FLS_EPARSE, "not well-formed XML (truncated?)");
		else if (!r->fatal && !r->root_seen)
			fail(r, FLS_EPARSE, "no root element");
	}
	/* Deliver what was read, even after a fatal error: nothing read is lost. */
	st = fhir_join_finish(r->join, &jd);
	if (!r->fatal && st) {
		r->fatal = st;
		r->fatal_diag = jd;
	}
	if (r->fatal && d)
		*d = r->fatal_diag;
	return r->fatal;
}

const struct fhir_reader_stats *fhir_reader_stats(const struct fhir_reader *r)
{
	return &r->stats;
}

void fhir_reader_free(struct fhir_reader *r)
{
	if (!r)
		return;
	if (r->ctxt)
		xmlFreeParserCtxt(r->ctxt); /* also frees the dictionary holding the interned names */
	fhir_join_free(r->join);
	fhir_map_free(&r->names);
	fls_free(r->mem, r);
}
