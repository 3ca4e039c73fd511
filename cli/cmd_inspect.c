/*
 * fls inspect: print what the reader extracted from each patient (concepts, dates, values, notes) and
 * the decision made from it, for integrators checking a feed and for debugging.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/inputs.h"
#include "cli/session_opts.h"
#include "plugin/result.h"
#include "plugin/session.h"
#include "risk/render.h"

struct inspect_run {
	uint64_t patients, problems;
	int facts_only;
};

static int on_result(void *user, const fls_result *res)
{
	struct inspect_run *run = user;
	const char *s;

	run->patients++;
	fputs(plg_result_str(res, FLS_F_FACTS), stdout);
	if (!run->facts_only) {
		printf("  decision: FLS %s; falls population %s, referral %s; risk %s", plg_result_str(res, FLS_F_FLS_PRIORITY),
		       plg_result_str(res, FLS_F_FALLS_POPULATION), plg_result_str(res, FLS_F_FALLS_REFERRAL),
		       plg_result_str(res, FLS_F_RISK_STATUS));
		{
			double mof, hip;
			char a[40], b[40];

			if (!plg_result_num(res, FLS_F_MOF10, &mof) && !plg_result_num(res, FLS_F_HIP10, &hip) &&
			    risk_render_decimal(a, sizeof(a), mof, 4) > 0 && risk_render_decimal(b, sizeof(b), hip, 4) > 0)
				printf(" (10-year MOF %s%%, hip %s%%)", a, b);
		}
		if ((s = plg_result_str(res, FLS_F_INDEX_FRACTURE_DATE)))
			printf("; index fracture %s %s", s, plg_result_str(res, FLS_F_INDEX_FRACTURE_SITE));
		putchar('\n');
		for (const char *line = plg_result_str(res, FLS_F_EXPLANATION); line && *line;) {
			const char *nl = strchr(line, '\n');
			int n = nl ? (int)(nl - line) : (int)strlen(line);

			printf("    %.*s\n", n, line);
			line = nl ? nl + 1 : line + n;
		}
	}
	putchar('\n');
	return 0;
}

static void on_problem(void *user, fls_status st, const char *msg)
{
	struct inspect_run *run = user;

	(void)st;
	run->problems++;
	printf("problem: %s\n", msg);
}

int cmd_inspect(int argc, char **argv)
{
	struct cli_session_opts so;
	struct cli_inputs in = { 0 };
	struct inspect_run run = { 0, 0, 0 };
	fls_session *sess = NULL;
	fls_sink sink = { sizeof(sink), &run, on_result, on_problem, NULL };
	int rc = CLI_OK;

	cli_session_opts_init(&so);
	for (int i = 1; i < argc; i++) {
		int r = cli_session_opt(&so, argc, argv, &i);

		if (r < 0)
			return CLI_USAGE;
		if (r)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: fls inspect [--facts-only] [options] INPUT...\n"
			       "Print each patient's extracted facts (concepts, dates, values, data-quality notes)\n"
			       "and the decision with its reasons. Problems with the input are printed in place.\n\n%s",
			       cli_session_opts_help());
			cli_inputs_free(&in);
			return CLI_OK;
		}
		if (!strcmp(argv[i], "--facts-only")) {
			run.facts_only = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "fls inspect: unknown option %s\n", argv[i]);
			cli_inputs_free(&in);
			return CLI_USAGE;
		} else if (cli_inputs_add(&in, argv[i])) {
			cli_inputs_free(&in);
			return CLI_DATA;
		}
	}
	if (!in.n) {
		fprintf(stderr, "usage: fls inspect [--facts-only] [options] INPUT...\n");
		return CLI_USAGE;
	}
	if (cli_session_open(&so, &sess)) {
		cli_inputs_free(&in);
		return CLI_DATA;
	}
	for (size_t i = 0; i < in.n; i++) {
		fls_status st;

		printf("== %s\n", in.paths[i]);
		if ((st = plg_screen_file(sess, in.paths[i], &sink))) {
			printf("error: %s\n", plg_session_errmsg(sess));
			rc = CLI_DATA;
		}
	}
	printf("%llu patients, %llu problems\n", (unsigned long long)run.patients, (unsigned long long)run.problems);
	if (!run.facts_only && run.patients)
		printf("Risk scores: %s. %s\n", QF_MODEL_NAME, QF_DISCLAIMER);
	plg_session_free(sess);
	cli_inputs_free(&in);
	return rc;
}
