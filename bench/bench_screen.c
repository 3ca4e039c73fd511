/*
 * bench_screen: screening throughput against the SAX2 floor, measured in the same run on the same file.
 *
 *   bench_screen [--data DIR] [--runs N] [--as-of D] [--store DB --key KEYFILE] FILE.xml
 *
 * Baseline: libxml2's SAX2 push parser with empty handlers fed the file in the same 256 KiB chunks
 * (what no reader can beat). Then the whole screening (plg_screen_file: reader, joins, risk model,
 * rules, result rendering), timed from session open to close. With --store, screening with the
 * encrypted decision log is run too, alternating with the plain runs, and its overhead is printed as a
 * percentage of the plain screening time: best against best, and the median of the N paired runs (the
 * steadier figure on a shared machine), with the CPU time of all threads beside it. Each is run N times
 * (default 3, at most 100) and the best time kept. Prints MB/s, patients/s, the ratio screening/baseline, and the peak resident memory.
 */
#include <libxml/parser.h>
#include <openssl/crypto.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli/datadir.h"
#include "plugin/result.h"
#include "plugin/session.h"
#include "store/store.h"

#define MAX_RUNS 100

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void empty_start(void *ctx, const xmlChar *l, const xmlChar *p, const xmlChar *u, int nn, const xmlChar **ns,
			int na, int nd, const xmlChar **a)
{
	(void)ctx, (void)l, (void)p, (void)u, (void)nn, (void)ns, (void)na, (void)nd, (void)a;
}

static void empty_end(void *ctx, const xmlChar *l, const xmlChar *p, const xmlChar *u)
{
	(void)ctx, (void)l, (void)p, (void)u;
}

static double sax_floor(const char *path)
{
	xmlSAXHandler sax;
	xmlParserCtxtPtr ctxt;
	char *buf = malloc(256u << 10);
	int fd = open(path, O_RDONLY);
	ssize_t n;
	double t0 = now();

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = empty_start;
	sax.endElementNs = empty_end;
	if (fd < 0 || !buf)
		exit(2);
	n = read(fd, buf, 4);
	ctxt = xmlCreatePushParserCtxt(&sax, NULL, buf, (int)n, NULL);
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	while ((n = read(fd, buf, 256u << 10)) > 0)
		xmlParseChunk(ctxt, buf, (int)n, 0);
	xmlParseChunk(ctxt, NULL, 0, 1);
	if (!ctxt->wellFormed) {
		fprintf(stderr, "bench: %s is not well-formed\n", path);
		exit(2);
	}
	xmlFreeParserCtxt(ctxt);
	close(fd);
	free(buf);
	return now() - t0;
}

struct counter {
	unsigned long long patients, worklist;
};

static int on_result(void *user, const fls_result *res)
{
	struct counter *c = user;

	c->patients++;
	c->worklist += res->dec.priority != 0;
	return 0;
}

/*
 * One whole screening, session open to session close: closing joins the background store writer and
 * commits its last batch, so that work is inside the time. Returns seconds, or -1 on an error.
 */
static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru); /* every thread of the process: the store writer's work counts */
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double screen_once(const fls_config *cfg, const char *path, struct counter *c, double *cpu)
{
	fls_session *sess = NULL;
	fls_sink sink = { sizeof(sink), c, on_result, NULL, NULL };
	double t, c0 = cpu_seconds();

	memset(c, 0, sizeof(*c));
	t = now();
	if (plg_session_new(&sess, NULL, cfg)) {
		fprintf(stderr, "bench: cannot open a session (data in %s?)\n", cfg->data_dir);
		return -1;
	}
	if (plg_screen_file(sess, path, &sink)) {
		fprintf(stderr, "bench: %s\n", plg_session_errmsg(sess));
		plg_session_free(sess);
		return -1;
	}
	plg_session_free(sess);
	t = now() - t;
	*cpu = cpu_seconds() - c0;
	return t;
}

int main(int argc, char **argv)
{
	char datadir[4096] = "";
	const char *path = NULL, *as_of = "2026-11-01", *store = NULL, *key = NULL;
	int runs = 3, sync_store = 0;
	fls_config cfg;
	struct counter c;
	double best_floor = 1e9, best_screen = 1e9, best_store = 1e9, cpu_screen = 1e9, cpu_store = 1e9;
	double pair[MAX_RUNS];
	unsigned char key_bytes[32];
	struct fls_diag d = { "" };
	off_t size;
	struct rusage ru;
	int fd;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--data") && i + 1 < argc)
			snprintf(datadir, sizeof(datadir), "%s", argv[++i]);
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--as-of") && i + 1 < argc)
			as_of = argv[++i];
		else if (!strcmp(argv[i], "--store") && i + 1 < argc)
			store = argv[++i];
		else if (!strcmp(argv[i], "--key") && i + 1 < argc)
			key = argv[++i];
		else if (!strcmp(argv[i], "--store-sync"))
			sync_store = 1;
		else
			path = argv[i];
	}
	if (!path || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: bench_screen [--data DIR] [--runs N] [--store DB --key KEYFILE [--store-sync]] FILE.xml\n");
		return 2;
	}
	if (!datadir[0] && cli_data_path(datadir, sizeof(datadir), "")) {
		fprintf(stderr, "bench: cannot find the data directory; pass --data\n");
		return 2;
	}
	if ((fd = open(path, O_RDONLY)) < 0 || (size = lseek(fd, 0, SEEK_END)) <= 0) {
		perror(path);
		return 2;
	}
	close(fd);
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = sizeof(cfg);
	cfg.data_dir = datadir;
	cfg.as_of = as_of;
	for (int r = 0; r < runs; r++) {
		double t = sax_floor(path);

		if (t < best_floor)
			best_floor = t;
	}
	if (store && (!key || store_key_from_file(key_bytes, key, &d))) {
		fprintf(stderr, "bench: --store needs a valid --key: %s\n", d.msg);
		return 2;
	}
	/* Plain and store runs alternate, so that drift in the machine's speed falls on both alike. */
	for (int r = 0; r < runs; r++) {
		double cpu, t = screen_once(&cfg, path, &c, &cpu);

		if (t < 0)
			return 2;
		if (t < best_screen)
			best_screen = t;
		if (cpu < cpu_screen)
			cpu_screen = cpu;
		if (!store)
			continue;
		unlink(store);
		cfg.store_path = store;
		cfg.store_key = key_bytes;
		cfg.store_key_len = sizeof(key_bytes);
		cfg.store_async = !sync_store;
		pair[r] = t;
		t = screen_once(&cfg, path, &c, &cpu);
		cfg.store_path = NULL;
		cfg.store_key = NULL;
		cfg.store_key_len = 0;
		if (t < 0)
			return 2;
		if (t < best_store)
			best_store = t;
		if (cpu < cpu_store)
			cpu_store = cpu;
		pair[r] = t / pair[r];
	}
	OPENSSL_cleanse(key_bytes, sizeof(key_bytes));
	getrusage(RUSAGE_SELF, &ru);
	printf("file            %s (%.1f MB)\n", path, (double)size / 1e6);
	printf("patients        %llu (worklist %llu)\n", c.patients, c.worklist);
	printf("sax2 floor      %.3f s  %.1f MB/s\n", best_floor, (double)size / 1e6 / best_floor);
	printf("screening       %.3f s  %.1f MB/s  %.0f patients/s\n", best_screen, (double)size / 1e6 / best_screen,
	       (double)c.patients / best_screen);
	printf("ratio           %.2fx the SAX2 floor\n", best_screen / best_floor);
	if (store) {
		printf("screening+store %.3f s  %.1f MB/s  (%s writer)\n", best_store, (double)size / 1e6 / best_store,
		       sync_store ? "synchronous" : "background");
		qsort(pair, (size_t)runs, sizeof(pair[0]), cmp_double);
		printf("store overhead  %+.1f%% best against best (%.2fx the SAX2 floor); median of %d paired runs %+.1f%%\n",
		       100.0 * (best_store / best_screen - 1.0), best_store / best_floor, runs,
		       100.0 * (pair[runs / 2] - 1.0));
		printf("cpu time        %.3f s plain, %.3f s with the store, all threads (%+.1f%%)\n", cpu_screen, cpu_store,
		       100.0 * (cpu_store / cpu_screen - 1.0));
	}
	printf("peak RSS        %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
	return 0;
}
