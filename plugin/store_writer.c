#include "plugin/store_writer.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "plugin/record.h"
#include "plugin/result.h"
#include "risk/facts.h"
#include "store/store.h"

#define QUEUE_SLOTS 2048u
/* Wake the writer once this many records wait (or at a flush): one wake per record would cost a
 * context switch per decision, more than the append itself. */
#define WAKE_AT 256u

/*
 * One queued decision: what plg_record_decision reads of a result (its rendered text fields and the
 * numbers), copied, so that the JSON record is built on the writer thread and not the screening one.
 */
struct slot {
	char *text;
	size_t cap, len;
	int32_t off[PLG_FIELD_COUNT];
	struct risk_decision dec;
	char pid[RISK_ID_MAX + 1];
};

struct plg_writer {
	struct store *store;
	const struct fls_mem *mem;
	uint32_t batch;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_space, cv_done;
	struct slot slots[QUEUE_SLOTS];
	struct fls_buf json;    /* the writer's record buffer: allocated whole at start, never grown */
	size_t head, count;     /* queued records are slots[head .. head+count) mod QUEUE_SLOTS */
	int flush_req, quit;
	int producer_waiting;   /* the screening thread sleeps on cv_space */
	fls_status err;         /* first error; from then on records are dropped and the error returned */
	char errmsg[512];
};

static void set_err(struct plg_writer *w, fls_status st, const char *msg)
{
	if (w->err)
		return;
	w->err = st;
	snprintf(w->errmsg, sizeof(w->errmsg), "%s", msg ? msg : store_errmsg(w->store));
}

/* Build the slot's decision record in w->json and append it. */
static fls_status append_slot(struct plg_writer *w, const struct slot *s, const char **msg)
{
	struct fls_result r;
	fls_status st;

	memset(&r, 0, sizeof(r)); /* no facts, no lazy fields: the record reads neither */
	r.dec = s->dec;
	r.text = s->text;
	r.text_len = s->len;
	memcpy(r.off, s->off, sizeof(r.off));
	fls_buf_reset(&w->json);
	if ((st = plg_record_decision(&w->json, &r))) {
		*msg = "decision record too large for the store";
		return st;
	}
	*msg = NULL;
	return store_append(w->store, STORE_KIND_DECISION, s->pid, w->json.p, w->json.len);
}

/* Commit the open batch (called without the lock; only the writer thread uses the store meanwhile). */
static fls_status commit_batch(struct plg_writer *w, uint32_t *in_txn)
{
	fls_status st = FLS_OK;

	if (*in_txn)
		st = store_commit(w->store);
	*in_txn = 0;
	return st;
}

static void *writer_main(void *arg)
{
	struct plg_writer *w = arg;
	uint32_t in_txn = 0;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct slot *s;
		fls_status st = FLS_OK;
		const char *msg = NULL;
		size_t head, n;
		int failed;

		/* Sleep until a run of WAKE_AT records waits, or a flush or the close asks for the rest. */
		while (w->count < WAKE_AT && !w->flush_req && !w->quit)
			pthread_cond_wait(&w->cv_work, &w->mu);
		if (!w->count) {
			/* Nothing queued and asked to flush or stop: commit what the batch holds. */
			pthread_mutex_unlock(&w->mu);
			st = commit_batch(w, &in_txn);
			pthread_mutex_lock(&w->mu);
			if (st)
				set_err(w, st, NULL);
			if (w->flush_req) {
				w->flush_req = 0;
				pthread_cond_broadcast(&w->cv_done);
			}
			if (w->quit)
				break;
			continue;
		}
		/*
		 * Take every record queued so far and append them without the lock: one lock round
		 * trip a run of records rather than one a record, so the screening thread, which
		 * locks to queue each decision, seldom finds the lock taken.
		 */
		head = w->head;
		n = w->count;
		failed = w->err != FLS_OK;
		pthread_mutex_unlock(&w->mu);
		for (size_t i = 0; i < n; i++) {
			s = &w->slots[(head + i) % QUEUE_SLOTS];
			if (!failed && !st) {
				if (!in_txn)
					st = store_begin(w->store);
				if (!st && !(st = append_slot(w, s, &msg))) {
					in_txn++;
				} else {
					/* Any error takes the open batch with it, as the store does itself. */
					store_rollback(w->store);
					in_txn = 0;
				}
				if (!st && in_txn >= w->batch)
					st = commit_batch(w, &in_txn);
			}
			/* The record is patient data: do not leave it in the queue or the buffer. */
			memset(s->text, 0, s->len);
			memset(&s->dec, 0, sizeof(s->dec));
			memset(s->pid, 0, sizeof(s->pid));
			memset(w->json.p, 0, w->json.len);
		}
		pthread_mutex_lock(&w->mu);
		if (st)
			set_err(w, st, msg);
		w->head = (head + n) % QUEUE_SLOTS;
		w->count -= n;
		if (w->producer_waiting)
			pthread_cond_signal(&w->cv_space);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

fls_status plg_writer_start(struct plg_writer **out, struct store *s, const struct fls_mem *mem, uint32_t batch,
			    char *errbuf, size_t errcap)
{
	struct plg_writer *w;
	sigset_t all, old;
	int rc;

	*out = NULL;
	if (!(w = fls_calloc(mem, 1, sizeof(*w))))
		return FLS_ENOMEM;
	w->store = s;
	w->mem = mem;
	w->batch = batch ? batch : 1000;
	/*
	 * The record buffer is allocated whole now, so that the writer thread never calls the host's
	 * allocator: a record the store would refuse (over STORE_MAX_PAYLOAD) fails with FLS_ELIMIT instead.
	 * Untouched pages of it cost no memory.
	 */
	fls_buf_init(&w->json, mem, STORE_MAX_PAYLOAD + 1);
	if (!(w->json.p = fls_malloc(mem, w->json.max))) {
		fls_free(mem, w);
		return FLS_ENOMEM;
	}
	w->json.cap = w->json.max;
	w->json.p[0] = '\0';
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv_work, NULL);
	pthread_cond_init(&w->cv_space, NULL);
	pthread_cond_init(&w->cv_done, NULL);
	/* The host's signals are the host's business: the writer thread takes none of them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->th, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		snprintf(errbuf, errcap, "cannot start the decision-log writer thread (error %d)", rc);
		pthread_cond_destroy(&w->cv_done);
		pthread_cond_destroy(&w->cv_space);
		pthread_cond_destroy(&w->cv_work);
		pthread_mutex_destroy(&w->mu);
		fls_free(mem, w->json.p);
		fls_free(mem, w);
		return FLS_ESTORE;
	}
	*out = w;
	return FLS_OK;
}

fls_status plg_writer_push(struct plg_writer *w, const fls_result *res, char *errbuf, size_t errcap)
{
	struct slot *s;
	fls_status st;
	size_t n;

	pthread_mutex_lock(&w->mu);
	while (w->count == QUEUE_SLOTS && !w->err) {
		w->producer_waiting = 1;
		pthread_cond_signal(&w->cv_work);
		pthread_cond_wait(&w->cv_space, &w->mu);
	}
	w->producer_waiting = 0;
	if ((st = w->err)) {
		snprintf(errbuf, errcap, "%s", w->errmsg);
		pthread_mutex_unlock(&w->mu);
		return st;
	}
	s = &w->slots[(w->head + w->count) % QUEUE_SLOTS];
	pthread_mutex_unlock(&w->mu);
	/* The free slot at the tail is the producer's alone until count covers it. */
	if (res->text_len > s->cap) {
		size_t cap = s->cap;
		void *p = s->text;

		if (fls_grow(w->mem, &p, &cap, res->text_len, 1))
			return FLS_ENOMEM;
		s->text = p;
		s->cap = cap;
	}
	memcpy(s->text, res->text, res->text_len);
	s->len = res->text_len;
	memcpy(s->off, res->off, sizeof(s->off));
	s->dec = res->dec;
	n = strlen(res->facts.id);
	if (n > RISK_ID_MAX)
		n = RISK_ID_MAX;
	memcpy(s->pid, res->facts.id, n);
	s->pid[n] = '\0';
	pthread_mutex_lock(&w->mu);
	if (++w->count == WAKE_AT) /* the writer waits for this many, or for a flush */
		pthread_cond_signal(&w->cv_work);
	pthread_mutex_unlock(&w->mu);
	return FLS_OK;
}

fls_status plg_writer_flush(struct plg_writer *w, char *errbuf, size_t errcap)
{
	fls_status st;

	pthread_mutex_lock(&w->mu);
	w->flush_req = 1;
	pthread_cond_signal(&w->cv_work);
	while (w->flush_req)
		pthread_cond_wait(&w->cv_done, &w->mu);
	if ((st = w->err))
		snprintf(errbuf, errcap, "%s", w->errmsg);
	pthread_mutex_unlock(&w->mu);
	return st;
}

fls_status plg_writer_stop(struct plg_writer *w)
{
	fls_status st;

	if (!w)
		return FLS_OK;
	pthread_mutex_lock(&w->mu);
	w->quit = 1;
	pthread_cond_signal(&w->cv_work);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	st = w->err;
	for (size_t i = 0; i < QUEUE_SLOTS; i++)
		fls_free(w->mem, w->slots[i].text);
	fls_free(w->mem, w->json.p);
	pthread_cond_destroy(&w->cv_done);
	pthread_cond_destroy(&w->cv_space);
	pthread_cond_destroy(&w->cv_work);
	pthread_mutex_destroy(&w->mu);
	fls_free(w->mem, w);
	return st;
}
