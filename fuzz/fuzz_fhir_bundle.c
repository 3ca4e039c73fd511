/*
 * Fuzz target: the XML reader end to end, bytes -> facts -> decision, through the session API the plugin
 * exports (plg_screen_memory), then three cross-checks that turn silent mistakes into crashes:
 *
 *  1. Default session (order=auto, default limits): every result field is read and copied; every message
 *     the host receives is bounded; a failure always comes with a message.
 *  2. The same bytes fed to the reader directly in small, input-dependent chunks must give the same
 *     status, the same patients and the same facts as one whole buffer (the push parser must not care
 *     where reads end), and the reader's counters must account for every resource.
 *  3. A tight session (small limits, order=contiguous or any) whose host allocator fails after an
 *     input-dependent number of allocations, for the limit and out-of-memory paths; LeakSanitizer then
 *     checks that nothing leaks on them.
 *
 * The harness (never the library: STYLE.md §1) also routes libxml2's process-wide error handlers to an
 * abort: the library promises never to write to stderr, and libxml2's default handlers print there,
 * quoting document bytes. FLS_FUZZ_ALLOW_STDERR=1 only counts such messages, so that a long run can go
 * on past a known one.
 */
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/reader.h"
#include "fuzz/fuzz_util.h"
#include "plugin/result.h"
#include "plugin/session.h"

#define AS_OF "2026-11-01"
#define MSG_MAX 1024 /* every message the library hands out is bounded (plg_log formats into 768) */

struct fz_host {
	long budget;  /* allocations left before failing; < 0: never fail */
};

struct fz_run {
	fls_session *sess;
	uint64_t patients, digest;
	unsigned stop_after; /* 0: never stop */
};

static fls_session *sess_default, *sess_tight;
static struct fz_host host_default = { -1 }, host_tight = { -1 };

static void *fz_alloc(void *user, size_t n)
{
	struct fz_host *h = user;

	if (h->budget == 0)
		return NULL;
	if (h->budget > 0)
		h->budget--;
	return malloc(n ? n : 1);
}

static void fz_free(void *user, void *p)
{
	(void)user;
	free(p);
}

static void fz_log(void *user, int level, const char *msg)
{
	(void)user;
	if (level < FLS_LOG_ERROR || level > FLS_LOG_DEBUG)
		fuzz_fail("log level %d out of range", level);
	fuzz_check_msg("host log", msg, MSG_MAX);
}

static void fz_problem(void *user, fls_status st, const char *msg)
{
	(void)user;
	if (st >= FLS_OK)
		fuzz_fail("on_problem with status %d", (int)st);
	fuzz_check_msg("on_problem", msg, MSG_MAX);
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * UINT64_C(0x100000001b3);
	return h;
}

/* A digest of everything the reader extracted for one patient (field by field: no padding bytes). */
static uint64_t facts_digest(const struct risk_patient *p)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	h = mix(h, p->id, strnlen(p->id, sizeof(p->id)));
	h = mix(h, p->nhs_number, strnlen(p->nhs_number, sizeof(p->nhs_number)));
	h = mix(h, p->ethnic, strnlen(p->ethnic, sizeof(p->ethnic)));
	h = mix(h, &p->birth_day, sizeof(p->birth_day));
	h = mix(h, &p->deceased_day, sizeof(p->deceased_day));
	h = mix(h, &p->sex, 1);
	h = mix(h, &p->deceased, 1);
	h = mix(h, &p->birth_partial, 1);
	h = mix(h, &p->has_patient, 1);
	h = mix(h, &p->notes, sizeof(p->notes));
	h = mix(h, &p->n_events, sizeof(p->n_events));
	for (uint32_t i = 0; i < p->n_events; i++) {
		const struct risk_event *e = &p->events[i];
		int v = isnan(e->value), g = isnan(e->dose_pred_mg);

		h = mix(h, &e->concepts, sizeof(e->concepts));
		if (!v)
			h = mix(h, &e->value, sizeof(e->value));
		if (!g)
			h = mix(h, &e->dose_pred_mg, sizeof(e->dose_pred_mg));
		h = mix(h, &e->day, sizeof(e->day));
		h = mix(h, &e->end_day, sizeof(e->end_day));
		h = mix(h, &e->encounter, sizeof(e->encounter));
		h = mix(h, &e->flags, sizeof(e->flags));
		h = mix(h, &e->src, 1);
		h = mix(h, &e->unit, 1);
		h = mix(h, &e->bone_months, 1);
	}
	return h;
}

static void check_result(const fls_session *sess, const fls_result *res)
{
	fls_result *copy = NULL;
	double v;
	fls_status st;

	for (int f = 0; f <= FLS_F_FACTS; f++) {
		const char *s = plg_result_str(res, (fls_field)f);

		if (s && strnlen(s, 64u << 20) >= (64u << 20))
			fuzz_fail("result field %d is not a bounded string", f);
		if (plg_result_num(res, (fls_field)f, &v) == FLS_OK && !isfinite(v))
			fuzz_fail("result field %d is not finite", f);
	}
	if (plg_result_num(res, FLS_F_MOF10, &v) == FLS_OK && (v < 0 || v > 100))
		fuzz_fail("MOF risk %g outside 0-100", v);
	if (plg_result_num(res, FLS_F_HIP10, &v) == FLS_OK && (v < 0 || v > 100))
		fuzz_fail("hip risk %g outside 0-100", v);
	if (!plg_result_str(res, FLS_F_PATIENT_ID) || !plg_result_str(res, FLS_F_FLS_PRIORITY))
		fuzz_fail("a result without a patient id or priority");
	/* A copy must read the same as the borrowed result (it may fail only for lack of memory). */
	st = plg_result_copy(&copy, sess, res);
	if (st == FLS_OK) {
		for (int f = 0; f <= FLS_F_FACTS; f++) {
			const char *a = plg_result_str(res, (fls_field)f), *b = plg_result_str(copy, (fls_field)f);

			if ((a == NULL) != (b == NULL) || (a && strcmp(a, b)))
				fuzz_fail("result_copy differs in field %d", f);
		}
		plg_result_free(copy);
	} else if (st != FLS_ENOMEM) {
		fuzz_fail("result_copy failed with %d", (int)st);
	}
}

static int fz_result(void *user, const fls_result *res)
{
	struct fz_run *run = user;

	check_result(run->sess, res);
	run->digest += facts_digest(plg_result_facts(res));
	run->patients++;
	return run->stop_after && run->patients >= run->stop_after;
}

static fls_session *new_session(struct fz_host *h, const fls_config *extra)
{
	fls_host host;
	fls_config cfg;
	fls_session *s = NULL;
	fls_status st;

	memset(&host, 0, sizeof(host));
	host.size = sizeof(host);
	host.user = h;
	host.alloc = fz_alloc;
	host.free = fz_free;
	host.log = fz_log;
	if (extra)
		cfg = *extra;
	else
		memset(&cfg, 0, sizeof(cfg));
	cfg.size = sizeof(cfg);
	cfg.data_dir = fuzz_data_dir();
	cfg.as_of = AS_OF;
	if ((st = plg_session_new(&s, &host, &cfg)) != FLS_OK)
		fuzz_fail("cannot create a session from %s: status %d", cfg.data_dir, (int)st);
	return s;
}

static unsigned long stray_messages;

static void stray(const char *what, const char *msg)
{
	if (getenv("FLS_FUZZ_ALLOW_STDERR")) {
		stray_messages++;
		return;
	}
	fuzz_fail("libxml2 reported outside the reader's own handler (%s; it would go to stderr): %.200s", what,
		  msg ? msg : "");
}

static void on_generic_error(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void on_generic_error(void *ctx, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	stray("generic error handler", msg);
}

static void on_structured_error(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	stray("global structured handler", err && err->message ? err->message : "");
}

static void free_sessions(void)
{
	plg_session_free(sess_default);
	plg_session_free(sess_tight);
}

static void init_once(void)
{
	fls_config tight;

	if (sess_default)
		return;
	xmlSetGenericErrorFunc(NULL, on_generic_error);
	xmlSetStructuredErrorFunc(NULL, on_structured_error);
	sess_default = new_session(&host_default, NULL);
	/* Small limits, so that short inputs reach every limit path. */
	memset(&tight, 0, sizeof(tight));
	tight.max_depth = 10;
	tight.max_input_bytes = 48u << 10;
	tight.max_string_bytes = 200;
	tight.max_resources_per_patient = 6;
	tight.max_held_patients = 3;
	tight.order = FLS_ORDER_CONTIGUOUS;
	sess_tight = new_session(&host_tight, &tight);
	atexit(free_sessions);
}

static int is_screen_status(fls_status st)
{
	return st == FLS_OK || st == FLS_EPARSE || st == FLS_ELIMIT || st == FLS_ENOMEM || st == FLS_EABORT;
}

static fls_status screen(fls_session *s, const uint8_t *data, size_t size, unsigned stop_after, struct fz_run *run)
{
	fls_sink sink;
	fls_stats before, after;
	fls_status st;

	memset(&sink, 0, sizeof(sink));
	sink.size = sizeof(sink);
	sink.user = run;
	sink.on_result = fz_result;
	sink.on_problem = fz_problem;
	memset(run, 0, sizeof(*run));
	run->sess = s;
	run->stop_after = stop_after;
	before.size = after.size = sizeof(before);
	plg_session_stats(s, &before);
	st = plg_screen_memory(s, "fuzz.xml", (const char *)data, size, &sink);
	plg_session_stats(s, &after);
	if (!is_screen_status(st))
		fuzz_fail("screen_memory returned %d", (int)st);
	fuzz_check_msg("session_errmsg", plg_session_errmsg(s), MSG_MAX);
	if (st != FLS_OK && !plg_session_errmsg(s)[0])
		fuzz_fail("status %d without a message", (int)st);
	if (after.patients - before.patients != run->patients)
		fuzz_fail("stats count %llu patients, the sink saw %llu",
			  (unsigned long long)(after.patients - before.patients), (unsigned long long)run->patients);
	return st;
}

/* ---- the reader fed in chunks ------------------------------------------------------------------- */

struct chunk_run {
	uint64_t patients, digest;
};

static int chunk_patient(void *ctx, struct risk_patient *p)
{
	struct chunk_run *c = ctx;

	c->patients++;
	c->digest += facts_digest(p);
	return 0;
}

static void chunk_problem(void *ctx, fls_status st, const char *msg)
{
	(void)ctx;
	fz_problem(NULL, st, msg);
}

static fls_status read_in_chunks(const uint8_t *data, size_t size, struct chunk_run *c,
				 struct fhir_reader_stats *stats)
{
	struct fhir_reader_cfg rc;
	struct fhir_reader *rd = NULL;
	struct fls_diag d = { "" };
	uint64_t seed = mix(UINT64_C(0x9e3779b97f4a7c15), data, size);
	size_t off = 0;
	fls_status st;

	memset(c, 0, sizeof(*c));
	plg_reader_cfg(sess_default, &rc);
	rc.on_patient = chunk_patient;
	rc.on_problem = chunk_problem;
	rc.ctx = c;
	if ((st = fhir_reader_new(&rd, &rc, "fuzz.xml", &d)) != FLS_OK)
		fuzz_fail("fhir_reader_new failed: %s", d.msg);
	st = FLS_OK;
	while (off < size && st == FLS_OK) {
		/* The first piece holds the 4 bytes the reader sniffs for UTF-16, as every API caller gives. */
		size_t n = off == 0 ? 4 + (size_t)(seed % 29) : 1 + (size_t)(seed % 61);

		seed = seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
		if (n > size - off)
			n = size - off;
		st = fhir_reader_feed(rd, (const char *)data + off, n, &d);
		off += n;
	}
	{
		fls_status fin = fhir_reader_finish(rd, &d);

		if (st == FLS_OK)
			st = fin;
	}
	*stats = *fhir_reader_stats(rd);
	fhir_reader_free(rd);
	return st;
}

static void check_accounting(const struct fhir_reader_stats *s)
{
	for (int t = 0; t < RT__COUNT; t++) {
		uint64_t sum = s->done[t] + s->bad[t] + s->orphan[t] + s->dropped[t] + s->foreign[t];

		if (s->seen[t] != sum)
			fuzz_fail("resource type %d: seen %llu, accounted %llu", t, (unsigned long long)s->seen[t],
				  (unsigned long long)sum);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_run whole, tight;
	struct chunk_run chunked;
	struct fhir_reader_stats stats;
	fls_status st_whole, st_chunked;

	init_once();

	/* 1. End to end, default session. */
	st_whole = screen(sess_default, data, size, 0, &whole);

	/* 2. Chunked reading must not change what is read. */
	st_chunked = read_in_chunks(data, size, &chunked, &stats);
	if (st_whole == FLS_OK && st_chunked != FLS_OK)
		fuzz_fail("whole buffer OK, chunked reading failed with %d", (int)st_chunked);
	if (st_whole == FLS_OK && (chunked.patients != whole.patients || chunked.digest != whole.digest))
		fuzz_fail("chunked reading found %llu patients (digest %llx), whole buffer %llu (digest %llx)",
			  (unsigned long long)chunked.patients, (unsigned long long)chunked.digest,
			  (unsigned long long)whole.patients, (unsigned long long)whole.digest);
	if (st_chunked == FLS_OK)
		check_accounting(&stats);

	/* 3. Tight limits, the other release orders, a host that stops early and failing allocations. */
	sess_tight->cfg.order = size & 1 ? FLS_ORDER_ANY : FLS_ORDER_CONTIGUOUS;
	host_tight.budget = size % 3 == 0 ? (long)(mix(7, data, size) % 200) : -1;
	(void)screen(sess_tight, data, size, size % 5 == 0 ? 1 : 0, &tight);
	host_tight.budget = -1;
	return 0;
}
