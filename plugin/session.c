/*
 * Sessions: configuration, run-time data, screening calls and the decision log, glued together.
 * Dependencies point one way (DESIGN.md §2): plugin -> {fhir, risk, store, codes}.
 */
#include "plugin/session.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "fhir/reader.h"
#include "fhir/scalar.h"
#include "fls_config.h"
#include "plugin/record.h"
#include "plugin/result.h"
#include "plugin/store_writer.h"
#include "store/store.h"

#define DEF_MAX_DEPTH 64u
#define DEF_MAX_INPUT (256ull << 20)
#define DEF_MAX_STRING (64u << 10)
#define DEF_MAX_RESOURCES 100000u
#define DEF_MAX_HELD 2000000ull
#define DEF_STORE_BATCH 1000u
#define MAX_MODEL_BYTES (1u << 20)
#define READ_CHUNK (256u << 10)

static void *libc_alloc(void *user, size_t n);
static void libc_free(void *user, void *p);

const char *plg_version(void)
{
	return FLS_VERSION;
}

const char *plg_strerror(fls_status st)
{
	switch (st) {
	case FLS_OK: return "success";
	case FLS_EINVAL: return "invalid argument or configuration";
	case FLS_ENOMEM: return "out of memory";
	case FLS_EPARSE: return "input is not well-formed FHIR R4 XML";
	case FLS_ELIMIT: return "input exceeds a configured limit";
	case FLS_ESTORE: return "decision store error";
	case FLS_ECRYPTO: return "cryptographic failure (wrong key or tampered record)";
	case FLS_EIO: return "file could not be opened or read";
	case FLS_EDATA: return "run-time data (code sets, model coefficients) missing or invalid";
	case FLS_EABORT: return "stopped by the host";
	case FLS_ETAMPER: return "decision log failed verification";
	}
	return "unknown status";
}

void plg_log(const fls_session *sess, int level, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (!sess || !sess->host.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sess->host.log(sess->host.user, level, msg);
}

fls_status plg_fail(fls_session *sess, fls_status st, const char *fmt, ...)
{
	va_list ap;

	if (!sess)
		return st;
	va_start(ap, fmt);
	vsnprintf(sess->err.msg, sizeof(sess->err.msg), fmt, ap);
	va_end(ap);
	return st;
}

const char *plg_session_errmsg(const fls_session *sess)
{
	return sess ? sess->err.msg : "no session";
}

static char *dup_str(fls_session *sess, const char *s)
{
	return s ? fls_strndup(&sess->mem, s, strlen(s)) : NULL;
}

static char *join_path(fls_session *sess, const char *dir, const char *rel)
{
	size_t a = strlen(dir), b = strlen(rel);
	char *p = fls_malloc(&sess->mem, a + b + 2);

	if (p) {
		memcpy(p, dir, a);
		p[a] = '/';
		memcpy(p + a + 1, rel, b + 1);
	}
	return p;
}

/* Read a whole small file (the coefficient table) into memory. */
static fls_status read_small_file(fls_session *sess, const char *path, size_t max, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat stt;
	char *buf = NULL;
	size_t n = 0;
	fls_status st = FLS_EDATA;

	*out = NULL;
	if (fd < 0)
		return plg_fail(sess, FLS_EDATA, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &stt) || !S_ISREG(stt.st_mode) || stt.st_size < 0 || (uint64_t)stt.st_size > max) {
		plg_fail(sess, FLS_EDATA, "%s is not a regular file of at most %zu bytes", path, max);
		goto out;
	}
	if (!(buf = fls_malloc(&sess->mem, (size_t)stt.st_size + 1))) {
		st = FLS_ENOMEM;
		goto out;
	}
	while (n < (size_t)stt.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)stt.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			plg_fail(sess, FLS_EDATA, "cannot read %s: %s", path, r ? strerror(errno) : "short read");
			goto out;
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	st = FLS_OK;
out:
	fls_free(&sess->mem, buf);
	close(fd);
	return st;
}

static fls_status parse_as_of(fls_session *sess, const char *text)
{
	int32_t day;
	int prec;

	if (!text) {
		/* Default: today's UTC calendar date. Reproducible runs pass as_of explicitly. */
		time_t now = time(NULL);
		struct tm tm;

		if (now == (time_t)-1 || !gmtime_r(&now, &tm))
			return plg_fail(sess, FLS_EINVAL, "cannot read the clock for the default as-of date");
		day = risk_day_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	} else if (fhir_parse_date(text, strlen(text), &day, &prec) || prec != FHIR_DATE_DAY) {
		return plg_fail(sess, FLS_EINVAL, "as-of date '%.20s' is not YYYY-MM-DD", text);
	}
	sess->as_of = day;
	risk_day_format(day, sess->as_of_text);
	return FLS_OK;
}

static fls_status load_data(fls_session *sess)
{
	char *csv = NULL;
	size_t len = 0;
	fls_status st;

	if ((st = codes_load(&sess->codes, &sess->mem, sess->codes_dir, &sess->err)))
		return st;
	if ((st = read_small_file(sess, sess->model_path, MAX_MODEL_BYTES, &csv, &len)))
		return st;
	st = qf_model_parse(&sess->model, &sess->mem, csv, len, &sess->err);
	fls_free(&sess->mem, csv);
	return st;
}

fls_status plg_session_new(fls_session **out, const fls_host *host, const fls_config *config)
{
	fls_session *sess;
	fls_host h;
	fls_config c;
	fls_status st;

	if (!out)
		return FLS_EINVAL;
	*out = NULL;
	memset(&h, 0, sizeof(h));
	if (host) {
		if (host->size < offsetof(fls_host, log) || !host->alloc || !host->free)
			return FLS_EINVAL;
		memcpy(&h, host, host->size < sizeof(h) ? host->size : sizeof(h));
	} else {
		h.size = sizeof(h);
		h.alloc = libc_alloc;
		h.free = libc_free;
	}
	memset(&c, 0, sizeof(c));
	if (config) {
		if (config->size < offsetof(fls_config, data_dir) + sizeof(config->data_dir))
			return FLS_EINVAL;
		memcpy(&c, config, config->size < sizeof(c) ? config->size : sizeof(c));
	}
	if (!(sess = h.alloc(h.user, sizeof(*sess))))
		return FLS_ENOMEM;
	memset(sess, 0, sizeof(*sess));
	sess->host = h;
	sess->mem.user = h.user;
	sess->mem.alloc = h.alloc;
	sess->mem.free = h.free;
	sess->cfg = c;
	sess->cfg.size = sizeof(c);
	sess->stats.size = sizeof(sess->stats);
	/* Defaults for everything left zero. */
	if (!sess->cfg.max_depth)
		sess->cfg.max_depth = DEF_MAX_DEPTH;
	if (!sess->cfg.max_input_bytes)
		sess->cfg.max_input_bytes = DEF_MAX_INPUT;
	if (!sess->cfg.max_string_bytes)
		sess->cfg.max_string_bytes = DEF_MAX_STRING;
	if (!sess->cfg.max_resources_per_patient)
		sess->cfg.max_resources_per_patient = DEF_MAX_RESOURCES;
	if (!sess->cfg.max_held_patients)
		sess->cfg.max_held_patients = DEF_MAX_HELD;
	if (!sess->cfg.store_batch)
		sess->cfg.store_batch = DEF_STORE_BATCH;
	st = FLS_EINVAL;
	if (sess->cfg.order > FLS_ORDER_ANY) {
		plg_fail(sess, st, "order %u is not an enum fls_order value", sess->cfg.order);
		goto fail;
	}
	if (sess->cfg.max_depth > 200) {
		plg_fail(sess, st, "max_depth %u is above the reader's ceiling of 200", sess->cfg.max_depth);
		goto fail;
	}
	st = FLS_ENOMEM;
	if (!(sess->data_dir = dup_str(sess, c.data_dir ? c.data_dir : FLS_INSTALL_DATADIR)) ||
	    !(sess->codes_dir = c.codes_dir ? dup_str(sess, c.codes_dir) : join_path(sess, sess->data_dir, "codes")) ||
	    !(sess->model_path = c.model_path ? dup_str(sess, c.model_path) :
						join_path(sess, sess->data_dir, "models/qfracture-2012/coefficients.csv")) ||
	    (c.store_path && !(sess->store_path = dup_str(sess, c.store_path))))
		goto fail;
	sess->cfg.data_dir = sess->data_dir;
	sess->cfg.codes_dir = sess->codes_dir;
	sess->cfg.model_path = sess->model_path;
	sess->cfg.store_path = sess->store_path;
	sess->cfg.as_of = NULL;
	sess->cfg.store_key = NULL;
	if ((st = parse_as_of(sess, c.as_of)) || (st = load_data(sess)))
		goto fail;
	if (sess->store_path) {
		if (!c.store_key || c.store_key_len != sizeof(sess->store_key)) {
			st = plg_fail(sess, FLS_EINVAL, "a store needs a %zu-byte key", sizeof(sess->store_key));
			goto fail;
		}
		memcpy(sess->store_key, c.store_key, sizeof(sess->store_key));
		sess->has_store_key = 1;
		if ((st = store_open(&sess->store, &sess->mem, sess->store_path, sess->store_key, &sess->err)))
			goto fail;
		if (sess->cfg.store_async &&
		    (st = plg_writer_start(&sess->writer, sess->store, &sess->mem, sess->cfg.store_batch, sess->err.msg,
					   sizeof(sess->err.msg))))
			goto fail;
	}
	*out = sess;
	return FLS_OK;
fail:
	plg_log(sess, FLS_LOG_ERROR, "session_new: %s", sess->err.msg[0] ? sess->err.msg : plg_strerror(st));
	plg_session_free(sess);
	return st;
}

void plg_session_free(fls_session *sess)
{
	struct fls_mem mem;

	if (!sess)
		return;
	mem = sess->mem;
	if (plg_writer_stop(sess->writer))
		plg_log(sess, FLS_LOG_ERROR, "decision store: the last batch could not be committed");
	store_close(sess->store);
	OPENSSL_cleanse(sess->store_key, sizeof(sess->store_key));
	codes_free(sess->codes);
	qf_model_free(sess->model);
	fls_free(&mem, sess->data_dir);
	fls_free(&mem, sess->codes_dir);
	fls_free(&mem, sess->model_path);
	fls_free(&mem, sess->store_path);
	OPENSSL_cleanse(sess, sizeof(*sess));
	fls_free(&mem, sess);
}

fls_status plg_session_stats(const fls_session *sess, fls_stats *out)
{
	size_t n;

	if (!sess || !out || out->size < sizeof(uint32_t))
		return FLS_EINVAL;
	n = out->size < sizeof(sess->stats) ? out->size : sizeof(sess->stats);
	memcpy((char *)out + sizeof(uint32_t), (const char *)&sess->stats + sizeof(uint32_t), n - sizeof(uint32_t));
	return FLS_OK;
}

/* ---- screening ---------------------------------------------------------------------------------- */

struct screen_ctx {
	fls_session *sess;
	const fls_sink *sink;
	const char *label;
	struct fls_buf text;      /* the result's rendered fields, reused for every patient */
	struct plg_lazy lazy;     /* the fields rendered on request */
	struct fls_buf record;    /* the store record, reused */
	fls_status st;            /* first error raised inside the callback */
	uint64_t bytes_total, bytes_done;
	uint64_t patients;
};

static fls_status store_flush(struct screen_ctx *sc, int final)
{
	fls_session *sess = sc->sess;
	fls_status st;

	if (sess->writer) {
		char msg[512];

		if (final && (st = plg_writer_flush(sess->writer, msg, sizeof(msg))))
			return plg_fail(sess, st, "decision store: %s", msg);
		return FLS_OK;
	}
	if (!sess->store || !sess->store_pending)
		return FLS_OK;
	if (!final && sess->store_pending < sess->cfg.store_batch)
		return FLS_OK;
	if ((st = store_commit(sess->store))) {
		sess->store_pending = 0;
		return plg_fail(sess, st, "decision store: %s", store_errmsg(sess->store));
	}
	sess->store_pending = 0;
	return FLS_OK;
}

static fls_status store_log(struct screen_ctx *sc, const fls_result *res)
{
	fls_session *sess = sc->sess;
	fls_status st;

	if (!sess->store)
		return FLS_OK;
	if (sess->writer) {
		char msg[512];

		if ((st = plg_writer_push(sess->writer, res, msg, sizeof(msg))))
			return plg_fail(sess, st, "decision store: %s", msg);
		return FLS_OK;
	}
	if (!sess->store_pending && (st = store_begin(sess->store)))
		return plg_fail(sess, st, "decision store: %s", store_errmsg(sess->store));
	fls_buf_reset(&sc->record);
	if ((st = plg_record_decision(&sc->record, res)))
		return plg_fail(sess, st, "decision record too large");
	if ((st = store_append(sess->store, STORE_KIND_DECISION, res->facts.id, sc->record.p, sc->record.len))) {
		sess->store_pending = 0; /* the store rolled the batch back */
		return plg_fail(sess, st, "decision store: %s", store_errmsg(sess->store));
	}
	sess->store_pending++;
	return store_flush(sc, 0);
}

static int on_patient(void *ctx, struct risk_patient *p)
{
	struct screen_ctx *sc = ctx;
	fls_session *sess = sc->sess;
	struct risk_context rc = { sess->as_of, sess->model };
	struct risk_decision d;
	struct fls_result res;
	fls_status st;

	risk_decide(p, &rc, &d);
	if ((st = plg_result_build(&res, &sc->text, &sc->lazy, sess, p, &d, sc->label))) {
		sc->st = plg_fail(sess, st, "cannot render the result of a patient");
		return 1;
	}
	if ((st = store_log(sc, &res))) {
		sc->st = st;
		return 1;
	}
	sess->stats.patients++;
	sc->patients++;
	if (sc->sink->on_result(sc->sink->user, &res)) {
		sc->st = plg_fail(sess, FLS_EABORT, "stopped by the host's callback");
		return 1;
	}
	return 0;
}

static void on_problem(void *ctx, fls_status st, const char *msg)
{
	struct screen_ctx *sc = ctx;

	plg_log(sc->sess, FLS_LOG_WARN, "%s", msg);
	if (sc->sink->size >= offsetof(fls_sink, on_problem) + sizeof(sc->sink->on_problem) && sc->sink->on_problem)
		sc->sink->on_problem(sc->sink->user, st, msg);
}

static void progress(struct screen_ctx *sc)
{
	const fls_sink *k = sc->sink;

	if (k->size >= offsetof(fls_sink, on_progress) + sizeof(k->on_progress) && k->on_progress)
		k->on_progress(k->user, sc->bytes_done, sc->bytes_total, sc->patients);
}

void plg_reader_cfg(const fls_session *sess, struct fhir_reader_cfg *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->mem = &sess->mem;
	rc->codes = sess->codes;
	rc->order = sess->cfg.order;
	rc->max_depth = sess->cfg.max_depth;
	rc->max_string_bytes = sess->cfg.max_string_bytes;
	rc->max_resources_per_patient = sess->cfg.max_resources_per_patient;
	rc->max_held_patients = sess->cfg.max_held_patients;
}

static fls_status screen_begin(struct screen_ctx *sc, fls_session *sess, const fls_sink *sink, const char *label,
			       struct fhir_reader **rd)
{
	struct fhir_reader_cfg rc;
	fls_status st;

	memset(sc, 0, sizeof(*sc));
	sc->sess = sess;
	sc->sink = sink;
	sc->label = label && *label ? label : "(memory)";
	fls_buf_init(&sc->text, &sess->mem, 64u << 20);
	fls_buf_init(&sc->lazy.facts, &sess->mem, 64u << 20);
	fls_buf_init(&sc->lazy.expl, &sess->mem, 1u << 20);
	fls_buf_init(&sc->record, &sess->mem, 4u << 20);
	plg_reader_cfg(sess, &rc);
	rc.on_patient = on_patient;
	rc.on_problem = on_problem;
	rc.ctx = sc;
	if ((st = fhir_reader_new(rd, &rc, sc->label, &sess->err)))
		return st;
	return FLS_OK;
}

/* Finish the input, flush the store, fold the reader's counters into the session's. */
static fls_status screen_end(struct screen_ctx *sc, struct fhir_reader *rd, fls_status st)
{
	fls_session *sess = sc->sess;
	struct fls_diag d = { "" };
	fls_status fin = fhir_reader_finish(rd, &d);
	const struct fhir_reader_stats *rs = fhir_reader_stats(rd);
	fls_status fl;

	if (!st)
		st = sc->st ? sc->st : fin;
	if (st && st != sc->st && !sess->err.msg[0])
		plg_fail(sess, st, "%s", d.msg);
	else if (st && st == fin && st != sc->st)
		plg_fail(sess, st, "%s", d.msg);
	if (sc->st)
		st = sc->st;
	fl = store_flush(sc, 1);
	if (!st)
		st = fl;
	if (st && sess->store && sess->store_pending) {
		/* Decisions delivered before a failure stay logged: commit what the batch holds. */
		if (store_flush(sc, 1))
			store_rollback(sess->store);
	}
	sess->stats.resources += rs->resources;
	sess->stats.clinical_resources += rs->clinical_resources;
	sess->stats.skipped_resources += rs->skipped_resources;
	sess->stats.bad_resources += rs->bad_resources;
	sess->stats.orphan_resources += rs->orphan_resources;
	sess->stats.patient_resources += rs->patient_resources;
	if (st && st != FLS_EABORT && st != FLS_ESTORE && st != FLS_ECRYPTO && st != FLS_ETAMPER)
		sess->stats.inputs_failed++;
	if (st)
		plg_log(sess, FLS_LOG_ERROR, "%s", sess->err.msg);
	progress(sc);
	fhir_reader_free(rd);
	fls_buf_free(&sc->text);
	fls_buf_free(&sc->lazy.facts);
	fls_buf_free(&sc->lazy.expl);
	OPENSSL_cleanse(sc->record.p, sc->record.cap);
	fls_buf_free(&sc->record);
	return st;
}

static int sink_ok(const fls_sink *sink)
{
	return sink && sink->size >= offsetof(fls_sink, on_result) + sizeof(sink->on_result) && sink->on_result;
}

fls_status plg_screen_memory(fls_session *sess, const char *label, const char *xml, size_t len, const fls_sink *sink)
{
	struct screen_ctx sc;
	struct fhir_reader *rd = NULL;
	fls_status st;

	if (!sess)
		return FLS_EINVAL;
	fls_diag_clear(&sess->err);
	if (!sink_ok(sink) || (!xml && len))
		return plg_fail(sess, FLS_EINVAL, "screen_memory needs a sink with on_result and a buffer");
	if (len > sess->cfg.max_input_bytes) {
		sess->stats.inputs_failed++;
		return plg_fail(sess, FLS_ELIMIT, "%s: input is %zu bytes, limit %llu (max_input_bytes)",
				label ? label : "(memory)", len, (unsigned long long)sess->cfg.max_input_bytes);
	}
	if ((st = screen_begin(&sc, sess, sink, label, &rd)))
		return st;
	sc.bytes_total = len;
	/* One parse call for the whole buffer: the SAX push parser does not need smaller pieces. */
	st = fhir_reader_feed(rd, xml, len, &sess->err);
	sc.bytes_done = len;
	sess->stats.bytes += len;
	return screen_end(&sc, rd, st);
}

fls_status plg_screen_file(fls_session *sess, const char *path, const fls_sink *sink)
{
	struct screen_ctx sc;
	struct fhir_reader *rd = NULL;
	struct stat stt;
	char *buf = NULL;
	int fd = -1;
	fls_status st;
	uint64_t since = 0;

	if (!sess)
		return FLS_EINVAL;
	fls_diag_clear(&sess->err);
	if (!sink_ok(sink) || !path)
		return plg_fail(sess, FLS_EINVAL, "screen_file needs a path and a sink with on_result");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &stt) || !S_ISREG(stt.st_mode)) {
		st = plg_fail(sess, FLS_EIO, "%s: %s", path, fd < 0 ? strerror(errno) : "not a regular file");
		sess->stats.inputs_failed++;
		if (fd >= 0)
			close(fd);
		return st;
	}
	if (!(buf = fls_malloc(&sess->mem, READ_CHUNK))) {
		close(fd);
		return plg_fail(sess, FLS_ENOMEM, "out of memory");
	}
	if ((st = screen_begin(&sc, sess, sink, path, &rd))) {
		fls_free(&sess->mem, buf);
		close(fd);
		return st;
	}
	sc.bytes_total = (uint64_t)stt.st_size;
	for (;;) {
		ssize_t n = read(fd, buf, READ_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			st = plg_fail(sess, FLS_EIO, "%s: read error: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		sc.bytes_done += (uint64_t)n;
		sess->stats.bytes += (uint64_t)n;
		if ((st = fhir_reader_feed(rd, buf, (size_t)n, &sess->err)))
			break;
		if (sc.bytes_done - since >= (8u << 20)) {
			since = sc.bytes_done;
			progress(&sc);
		}
	}
	st = screen_end(&sc, rd, st);
	fls_free(&sess->mem, buf);
	close(fd);
	return st;
}

fls_status plg_record_outcome(fls_session *sess, const char *patient_id, const char *outcome, const char *who,
			      const char *note)
{
	enum store_outcome o;
	fls_status st;

	if (!sess)
		return FLS_EINVAL;
	fls_diag_clear(&sess->err);
	if (!sess->store)
		return plg_fail(sess, FLS_ESTORE, "no decision store is configured for this session");
	if (!patient_id || !*patient_id || !who || !*who || !outcome || !(o = store_outcome_parse(outcome)))
		return plg_fail(sess, FLS_EINVAL,
				"an outcome needs a patient id, who recorded it, and one of accepted, declined, "
				"already-treated, not-appropriate, deceased");
	if (sess->writer) {
		char msg[512];

		/* The writer is idle once flushed: the store is this thread's until the next screening. */
		if ((st = plg_writer_flush(sess->writer, msg, sizeof(msg))))
			return plg_fail(sess, st, "decision store: %s", msg);
	}
	if ((st = store_append_outcome(sess->store, patient_id, o, who, note)))
		return plg_fail(sess, st, "decision store: %s", store_errmsg(sess->store));
	return FLS_OK;
}

static void *libc_alloc(void *user, size_t n)
{
	return fls_mem_libc.alloc(user, n);
}

static void libc_free(void *user, void *p)
{
	fls_mem_libc.free(user, p);
}
