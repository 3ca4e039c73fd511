#include "plugin/store_writer.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "risk/facts.h"
#include "store/store.h"

#define QUEUE_SLOTS 2048u
/* Wake the writer once this many records wait (or at a flush): one wake per record would cost a
 * context switch per decision, more than the append itself. */
#define WAKE_AT 256u

struct slot {
	char *buf;
	size_t cap, len;
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
	size_t head, count;     /* queued records are slots[head .. head+count) mod QUEUE_SLOTS */
	int flush_req, quit;
	int producer_waiting;   /* the screening thread sleeps on cv_space */
	fls_status err;         /* first error; from then on records are dropped and the error returned */
	char errmsg[512];
};

static void set_err(struct plg_writer *w, fls_status st)
{
	if (w->err)
		return;
	w->err = st;
	snprintf(w->errmsg, sizeof(w->errmsg), "%s", store_errmsg(w->store));
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
		int failed;

		while (!w->count && !w->flush_req && !w->quit)
			pthread_cond_wait(&w->cv_work, &w->mu);
		if (!w->count) {
			/* Nothing queued and asked to flush or stop: commit what the batch holds. */
			pthread_mutex_unlock(&w->mu);
			st = commit_batch(w, &in_txn);
			pthread_mutex_lock(&w->mu);
			if (st)
				set_err(w, st);
			if (w->flush_req) {
				w->flush_req = 0;
				pthread_cond_broadcast(&w->cv_done);
			}
			if (w->quit)
				break;
			continue;
		}
		s = &w->slots[w->head];
		failed = w->err != FLS_OK;
		pthread_mutex_unlock(&w->mu);
		if (!failed) {
			if (!in_txn)
				st = store_begin(w->store);
			if (!st && !(st = store_append(w->store, STORE_KIND_DECISION, s->pid, s->buf, s->len)))
				in_txn++;
			else
				in_txn = 0; /* the store rolled the batch back */
			if (!st && in_txn >= w->batch)
				st = commit_batch(w, &in_txn);
		}
		memset(s->buf, 0, s->len); /* the record is patient data: do not leave it in the queue */
		pthread_mutex_lock(&w->mu);
		if (st)
			set_err(w, st);
		w->head = (w->head + 1) % QUEUE_SLOTS;
		w->count--;
		if (w->producer_waiting && w->count <= QUEUE_SLOTS / 2)
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
		fls_free(mem, w);
		return FLS_ESTORE;
	}
	*out = w;
	return FLS_OK;
}

fls_status plg_writer_push(struct plg_writer *w, const char *patient_id, const char *payload, size_t len,
			   char *errbuf, size_t errcap)
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
	if (len > s->cap) {
		size_t cap = s->cap;
		void *p = s->buf;

		if (fls_grow(w->mem, &p, &cap, len, 1))
			return FLS_ENOMEM;
		s->buf = p;
		s->cap = cap;
	}
	memcpy(s->buf, payload, len);
	s->len = len;
	n = strlen(patient_id);
	if (n > RISK_ID_MAX)
		n = RISK_ID_MAX;
	memcpy(s->pid, patient_id, n);
	s->pid[n] = '\0';
	pthread_mutex_lock(&w->mu);
	if (++w->count == WAKE_AT)
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
		fls_free(w->mem, w->slots[i].buf);
	pthread_cond_destroy(&w->cv_done);
	pthread_cond_destroy(&w->cv_space);
	pthread_cond_destroy(&w->cv_work);
	pthread_mutex_destroy(&w->mu);
	fls_free(w->mem, w);
	return st;
}
