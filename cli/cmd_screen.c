/*
 * fls screen: screen FHIR R4 XML inputs, write the decisions CSV and the FHIR Bundle, log every decision
 * to the store when asked, and print a summary with the top of the worklist.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/inputs.h"
#include "cli/out_csv.h"
#include "cli/session_opts.h"
#include "fhir/writer.h"
#include "fls_config.h"
#include "plugin/result.h"
#include "plugin/session.h"
#include "risk/render.h"

struct wl_item {
	struct risk_decision d;
	char id[RISK_ID_MAX + 1];
	char nhs[16];
	uint64_t order;
};

struct screen_run {
	fls_session *sess;
	struct csv_out *csv;
	struct fhir_writer *fhir;
	FILE *fhir_file;
	struct wl_item *wl;
	size_t n_wl, cap_wl;
	uint64_t patients, p[4], referrals, population, no_score, problems;
	int progress;
	int failed;
};

static int fhir_write(void *ctx, const char *buf, size_t len)
{
	return fwrite(buf, 1, len, ctx) == len ? 0 : -1;
}

static int on_result(void *user, const fls_result *res)
{
	struct screen_run *run = user;
	const struct risk_patient *p = plg_result_facts(res);
	const struct risk_decision *d = plg_result_decision(res);

	run->patients++;
	run->p[d->priority <= 3 ? d->priority : 0]++;
	run->referrals += d->falls_referral != 0;
	run->population += d->falls_population != 0;
	run->no_score += d->score_status != RISK_SCORE_OK;
	if (run->csv && csv_out_add(run->csv, p, d)) {
		fprintf(stderr, "fls: cannot write the decisions CSV\n");
		run->failed = 1;
		return 1;
	}
	if (run->fhir && fhir_writer_add(run->fhir, p, d)) {
		fprintf(stderr, "fls: cannot write the FHIR output\n");
		run->failed = 1;
		return 1;
	}
	if (d->priority) {
		if (run->n_wl == run->cap_wl) {
			size_t ncap = run->cap_wl ? run->cap_wl * 2 : 64;
			struct wl_item *n = realloc(run->wl, ncap * sizeof(*n));

			if (!n) {
				run->failed = 1;
				return 1;
			}
			run->wl = n;
			run->cap_wl = ncap;
		}
		run->wl[run->n_wl].d = *d;
		memcpy(run->wl[run->n_wl].id, p->id, sizeof(p->id));
		memcpy(run->wl[run->n_wl].nhs, p->nhs_number, sizeof(p->nhs_number));
		run->wl[run->n_wl].order = run->patients;
		run->n_wl++;
	}
	return 0;
}

static void on_problem(void *user, fls_status st, const char *msg)
{
	struct screen_run *run = user;

	(void)st;
	run->problems++;
	fprintf(stderr, "fls: warning: %s\n", msg);
}

static void on_progress(void *user, uint64_t done, uint64_t total, uint64_t patients)
{
	struct screen_run *run = user;

	if (!run->progress)
		return;
	if (total)
		fprintf(stderr, "\r%5.1f%%  %llu MB  %llu patients", 100.0 * (double)done / (double)total,
			(unsigned long long)(done >> 20), (unsigned long long)patients);
	else
		fprintf(stderr, "\r%llu MB  %llu patients", (unsigned long long)(done >> 20), (unsigned long long)patients);
}

static int wl_cmp(const void *a, const void *b)
{
	const struct wl_item *x = a, *y = b;
	int c = risk_worklist_cmp(&x->d, &y->d);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static void print_summary(struct screen_run *run, size_t top, size_t n_inputs, size_t n_failed)
{
	fls_stats st = { .size = sizeof(st) };
	char mof[40], hip[40];

	plg_session_stats(run->sess, &st);
	printf("libfls %s: screened %llu patients from %zu input%s (as of %s)\n", FLS_VERSION,
	       (unsigned long long)run->patients, n_inputs, n_inputs == 1 ? "" : "s", run->sess->as_of_text);
	if (n_failed)
		printf("  inputs that could not be read completely: %zu (see messages above)\n", n_failed);
	printf("  fracture liaison worklist: %llu (P1 %llu, P2 %llu, P3 %llu)\n",
	       (unsigned long long)(run->p[1] + run->p[2] + run->p[3]), (unsigned long long)run->p[1],
	       (unsigned long long)run->p[2], (unsigned long long)run->p[3]);
	printf("  falls service referrals: %llu (falls population %llu)\n", (unsigned long long)run->referrals,
	       (unsigned long long)run->population);
	printf("  without a fracture risk score: %llu (reasons in the decisions output)\n",
	       (unsigned long long)run->no_score);
	printf("  resources: %llu read, %llu clinical, %llu Patient, %llu not used, %llu bad (reported), "
	       "%llu without a patient\n",
	       (unsigned long long)st.resources, (unsigned long long)st.clinical_resources,
	       (unsigned long long)st.patient_resources, (unsigned long long)st.skipped_resources,
	       (unsigned long long)st.bad_resources, (unsigned long long)st.orphan_resources);
	printf("  versions: libfls %s; model %s; code sets %s\n", FLS_VERSION, qf_model_version(run->sess->model),
	       codes_version(run->sess->codes));
	if (!run->n_wl || !top)
		return;
	qsort(run->wl, run->n_wl, sizeof(*run->wl), wl_cmp);
	printf("\nworklist (first %zu of %zu, in priority order):\n", top < run->n_wl ? top : run->n_wl, run->n_wl);
	printf("  %-4s %-3s %-24s %-10s %-4s %-7s %-9s %s\n", "#", "pri", "patient_id", "nhs_number", "age", "MOF10%",
	       "hip10%", "reasons");
	for (size_t i = 0; i < run->n_wl && i < top; i++) {
		const struct wl_item *w = &run->wl[i];
		struct fls_buf reasons;

		fls_buf_init(&reasons, &fls_mem_libc, 4096);
		risk_render_fls_reasons(&reasons, w->d.fls_reasons);
		if (w->d.score_status != RISK_SCORE_OK || risk_render_decimal(mof, sizeof(mof), w->d.mof10, 3) < 0 ||
		    risk_render_decimal(hip, sizeof(hip), w->d.hip10, 3) < 0) {
			memcpy(mof, "-", 2);
			memcpy(hip, "-", 2);
		}
		printf("  %-4zu %-3s %-24.24s %-10s %-4d %-7s %-9s %s\n", i + 1, risk_render_priority(w->d.priority),
		       w->id, w->nhs[0] ? w->nhs : "-", w->d.age, mof, hip, fls_buf_str(&reasons));
		fls_buf_free(&reasons);
	}
	printf("\nRisk scores: %s. %s\n", QF_MODEL_NAME, QF_DISCLAIMER);
}

/*
 * The decisions CSV has a fixed header, so the versions that produced it and ClinRisk's disclaimer for its
 * scores go beside it, in FILE.csv.about.txt (docs/outputs.md).
 */
static int write_provenance(const fls_session *sess, const char *csv_path)
{
	struct fls_buf b;
	char path[4200];
	FILE *f;
	int bad;

	if (snprintf(path, sizeof(path), "%s.about.txt", csv_path) >= (int)sizeof(path)) {
		fprintf(stderr, "fls: path too long: %s\n", csv_path);
		return -1;
	}
	fls_buf_init(&b, &fls_mem_libc, 1u << 16);
	bad = risk_render_provenance(&b, FLS_VERSION, qf_model_version(sess->model), codes_version(sess->codes),
				     sess->as_of, QF_DISCLAIMER) != FLS_OK;
	if (!bad && (!(f = fopen(path, "w")) || fputs(fls_buf_str(&b), f) < 0 || fclose(f))) {
		fprintf(stderr, "fls: cannot write %s\n", path);
		bad = 1;
	}
	fls_buf_free(&b);
	return bad ? -1 : 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: fls screen [options] INPUT...\n"
		"Screen FHIR R4 XML (Bundles or single resources; a directory means its *.xml files, not its\n"
		"subdirectories) for the fracture liaison worklist (clinical-rules 7.3) and falls-service\n"
		"referrals (7.4).\n\n"
		"  --decisions FILE.csv one row per patient, worklist order first (versions and the\n"
		"                       disclaimer for its scores in FILE.csv.about.txt)\n"
		"  --fhir FILE.xml      a Bundle: RiskAssessment, ServiceRequests and the ordered worklist List\n"
		"  --top N              worklist rows to print (default 20; 0 for none)\n"
		"  --progress           show progress on stderr\n"
		"%s\n"
		"Exit status: 0 all inputs read (bad resources are reported and skipped); 3 an input could not\n"
		"be read completely; 2 usage; 4 an internal, store or output error.\n",
		cli_session_opts_help());
}

int cmd_screen(int argc, char **argv)
{
	struct cli_session_opts so;
	struct cli_inputs in = { 0 };
	struct screen_run run;
	const char *csv_path = NULL, *fhir_path = NULL;
	FILE *csv_file = NULL;
	size_t top = 20, n_failed = 0;
	fls_sink sink;
	int rc = CLI_OK;

	memset(&run, 0, sizeof(run));
	cli_session_opts_init(&so);
	for (int i = 1; i < argc; i++) {
		int r = cli_session_opt(&so, argc, argv, &i);

		if (r < 0)
			return CLI_USAGE;
		if (r)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			cli_inputs_free(&in);
			return CLI_OK;
		} else if (!strcmp(argv[i], "--decisions") && i + 1 < argc) {
			csv_path = argv[++i];
		} else if (!strcmp(argv[i], "--fhir") && i + 1 < argc) {
			fhir_path = argv[++i];
		} else if (!strcmp(argv[i], "--top") && i + 1 < argc) {
			char *end;

			top = strtoul(argv[++i], &end, 10);
			if (*end) {
				fprintf(stderr, "fls: --top takes a number\n");
				cli_inputs_free(&in);
				return CLI_USAGE;
			}
		} else if (!strcmp(argv[i], "--progress")) {
			run.progress = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "fls screen: unknown option %s\n", argv[i]);
			usage(stderr);
			cli_inputs_free(&in);
			return CLI_USAGE;
		} else if (cli_inputs_add(&in, argv[i])) {
			cli_inputs_free(&in);
			return CLI_DATA;
		}
	}
	if (!in.n) {
		usage(stderr);
		return CLI_USAGE;
	}
	so.cfg.store_async = 1; /* batch work: logging overlaps screening on a second core */
	if (cli_session_open(&so, &run.sess)) {
		cli_inputs_free(&in);
		return CLI_DATA;
	}
	if (csv_path) {
		if (!(csv_file = fopen(csv_path, "w")) || csv_out_open(&run.csv, csv_file)) {
			fprintf(stderr, "fls: cannot write %s\n", csv_path);
			rc = CLI_SOFTWARE;
			goto out;
		}
	}
	if (fhir_path) {
		struct fhir_out_meta meta = { FLS_VERSION, qf_model_version(run.sess->model),
					      codes_version(run.sess->codes), run.sess->as_of, QF_DISCLAIMER };
		struct fls_diag d = { "" };

		if (!(run.fhir_file = fopen(fhir_path, "w")) ||
		    fhir_writer_open(&run.fhir, &fls_mem_libc, fhir_write, run.fhir_file, &meta, &d)) {
			fprintf(stderr, "fls: cannot write %s%s%s\n", fhir_path, d.msg[0] ? ": " : "", d.msg);
			rc = CLI_SOFTWARE;
			goto out;
		}
	}
	memset(&sink, 0, sizeof(sink));
	sink.size = sizeof(sink);
	sink.user = &run;
	sink.on_result = on_result;
	sink.on_problem = on_problem;
	sink.on_progress = on_progress;
	for (size_t i = 0; i < in.n && !run.failed; i++) {
		fls_status st = plg_screen_file(run.sess, in.paths[i], &sink);

		if (run.progress)
			fputc('\n', stderr);
		/* The failure's message has been printed by the session's log callback (session_opts.c). */
		if (st == FLS_ESTORE || st == FLS_ECRYPTO || st == FLS_ETAMPER || st == FLS_ENOMEM) {
			rc = CLI_SOFTWARE;
			goto out;
		}
		if (st && !run.failed)
			n_failed++;
	}
	if (run.failed) {
		rc = CLI_SOFTWARE;
		goto out;
	}
	if (run.csv) {
		fls_status st = csv_out_close(run.csv);

		run.csv = NULL;
		if (st || fclose(csv_file)) {
			csv_file = NULL;
			fprintf(stderr, "fls: cannot write %s\n", csv_path);
			rc = CLI_SOFTWARE;
			goto out;
		}
		csv_file = NULL;
	}
	if (run.fhir) {
		fls_status st = fhir_writer_finish(run.fhir);

		if (st || fclose(run.fhir_file)) {
			run.fhir_file = NULL;
			fprintf(stderr, "fls: cannot write %s\n", fhir_path);
			rc = CLI_SOFTWARE;
			goto out;
		}
		run.fhir_file = NULL;
	}
	if (csv_path && write_provenance(run.sess, csv_path)) {
		rc = CLI_SOFTWARE;
		goto out;
	}
	print_summary(&run, top, in.n, n_failed);
	if (n_failed)
		rc = CLI_DATA;
out:
	csv_out_free(run.csv); /* abandoned on an error path: nothing half-written is passed off as done */
	if (csv_file)
		fclose(csv_file);
	fhir_writer_free(run.fhir);
	if (run.fhir_file)
		fclose(run.fhir_file);
	plg_session_free(run.sess);
	free(run.wl);
	cli_inputs_free(&in);
	return rc;
}
