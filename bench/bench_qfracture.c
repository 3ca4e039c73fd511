/*
 * bench_qfracture: evaluations per second of qf_evaluate (validation plus the equation) over the public
 * vector profiles, against a same-run baseline: a loop that reads the same inputs and does nothing
 * else. The ratio shows what the equations cost over merely touching the data, on this machine, now.
 *
 * usage: bench_qfracture [--model COEFFICIENTS.csv] [--seconds S] VECTORS.csv
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/datadir.h"
#include "risk/facts.h"
#include "risk/qf_decimal.h"
#include "risk/qfracture.h"

#define MAX_FIELDS 64
#define MAX_PROFILES 100000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1))) {
		if (fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		} else {
			p[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return p;
}

/* Split a CSV line in place (quoted fields keep their text, "" becomes "); returns the field count. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	while (n < max) {
		char *out;

		f[n++] = p;
		if (*p == '"') {
			f[n - 1] = out = ++p;
			while (*p) {
				if (*p == '"' && p[1] == '"') {
					*out++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*out++ = *p++;
				}
			}
			*out = '\0'; /* out is behind p: the text after the closing quote is intact */
		}
		while (*p && *p != ',')
			p++;
		if (!*p)
			return n;
		*p++ = '\0';
	}
	return -1;
}

static int field(char **hdr, int nh, const char *name)
{
	for (int i = 0; i < nh; i++)
		if (!strcmp(hdr[i], name))
			return i;
	fprintf(stderr, "bench_qfracture: no column %s\n", name);
	exit(2);
}

static int to_int(const char *s)
{
	int v = 0, neg = *s == '-';

	for (s += neg; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return neg ? -v : v;
}

/* The profiles both equations accept (the vectors' "ok" rows). */
static size_t load_profiles(const char *path, const struct qf_model *m, struct qf_inputs *out, size_t max)
{
	static const char *const names[] = {
		"age", "alcohol_cat6", "b_antidepressant", "b_anycancer", "b_asthmacopd", "b_carehome",
		"b_corticosteroids", "b_cvd", "b_dementia", "b_endocrine", "b_epilepsy2", "b_falls",
		"b_fracture4", "b_hrt_oest", "b_liver", "b_malabsorption", "b_parkinsons", "b_ra_sle", "b_renal",
		"b_type1", "b_type2", "ethrisk", "fh_osteoporosis", "smoke_cat", "surv",
	};
	size_t len = 0, n = 0;
	char *text = slurp(path, &len), *line, *save = NULL, *hdr[MAX_FIELDS], *f[MAX_FIELDS];
	int nh, c_sex, c_bmi, c[sizeof(names) / sizeof(names[0])];

	if (!text) {
		fprintf(stderr, "bench_qfracture: cannot read %s\n", path);
		exit(2);
	}
	if (!(line = strtok_r(text, "\n", &save)) || (nh = split(line, hdr, MAX_FIELDS)) < 0)
		exit(2);
	c_sex = field(hdr, nh, "sex");
	c_bmi = field(hdr, nh, "bmi");
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		c[k] = field(hdr, nh, names[k]);
	while ((line = strtok_r(NULL, "\n", &save)) && n < max) {
		struct qf_inputs *in = &out[n];
		int *ints[] = {
			&in->age, &in->alcohol_cat6, &in->b_antidepressant, &in->b_anycancer, &in->b_asthmacopd,
			&in->b_carehome, &in->b_corticosteroids, &in->b_cvd, &in->b_dementia, &in->b_endocrine,
			&in->b_epilepsy2, &in->b_falls, &in->b_fracture4, &in->b_hrt_oest, &in->b_liver,
			&in->b_malabsorption, &in->b_parkinsons, &in->b_ra_sle, &in->b_renal, &in->b_type1,
			&in->b_type2, &in->ethrisk, &in->fh_osteoporosis, &in->smoke_cat, &in->surv,
		};
		double r;

		if (split(line, f, MAX_FIELDS) != nh)
			continue;
		memset(in, 0, sizeof(*in));
		in->sex = f[c_sex][0] == 'F' ? RISK_SEX_FEMALE : RISK_SEX_MALE;
		if (qf_decimal_parse(f[c_bmi], strlen(f[c_bmi]), &in->bmi))
			continue;
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			*ints[k] = to_int(f[c[k]]);
		if (qf_evaluate(m, QF_MOF, in, &r, NULL, 0) == 0 && qf_evaluate(m, QF_HIP, in, &r, NULL, 0) == 0)
			n++;
	}
	free(text);
	return n;
}

/* Read every input the equations read, and nothing else: the floor under qf_evaluate. */
static double read_inputs(const struct qf_inputs *in)
{
	return in->bmi + (double)(in->sex + in->age + in->surv + in->ethrisk + in->smoke_cat +
				  in->alcohol_cat6 + in->b_antidepressant + in->b_anycancer + in->b_asthmacopd +
				  in->b_carehome + in->b_corticosteroids + in->b_cvd + in->b_dementia +
				  in->b_endocrine + in->b_epilepsy2 + in->b_falls + in->b_fracture4 +
				  in->b_hrt_oest + in->b_liver + in->b_malabsorption + in->b_parkinsons +
				  in->b_ra_sle + in->b_renal + in->b_type1 + in->b_type2 + in->fh_osteoporosis);
}

int main(int argc, char **argv)
{
	const char *model_path = NULL, *vec_path = NULL;
	char found[4096];
	double seconds = 1.0, t0, t_eval, t_base, sum = 0.0;
	volatile double sink = 0.0;
	struct qf_inputs *prof;
	struct qf_model *m = NULL;
	struct fls_diag d = { "" };
	size_t n, len = 0, rounds = 0, base_rounds = 0;
	char *csv;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--model") && i + 1 < argc) {
			model_path = argv[++i];
		} else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			if (qf_decimal_parse(argv[i + 1], strlen(argv[i + 1]), &seconds) || !(seconds > 0.0)) {
				fprintf(stderr, "bench_qfracture: --seconds needs a positive number\n");
				return 2;
			}
			i++;
		} else if (argv[i][0] != '-' && !vec_path) {
			vec_path = argv[i];
		} else {
			fprintf(stderr, "usage: bench_qfracture [--model COEFFICIENTS.csv] [--seconds S] VECTORS.csv\n");
			return 2;
		}
	}
	if (!vec_path) {
		fprintf(stderr, "usage: bench_qfracture [--model COEFFICIENTS.csv] [--seconds S] VECTORS.csv\n");
		return 2;
	}
	if (!model_path) {
		if (cli_data_path(found, sizeof(found), "models/qfracture-2012/coefficients.csv")) {
			fprintf(stderr, "bench_qfracture: no coefficient file found; use --model\n");
			return 2;
		}
		model_path = found;
	}
	if (!(csv = slurp(model_path, &len)) || qf_model_parse(&m, NULL, csv, len, &d) != FLS_OK) {
		fprintf(stderr, "bench_qfracture: %s: %s\n", model_path, csv ? d.msg : "cannot read");
		return 2;
	}
	free(csv);
	if (!(prof = calloc(MAX_PROFILES, sizeof(*prof))))
		return 2;
	n = load_profiles(vec_path, m, prof, MAX_PROFILES);
	if (!n) {
		fprintf(stderr, "bench_qfracture: no valid profiles in %s\n", vec_path);
		return 2;
	}

	/* Warm up, then run whole passes over the profiles until the time is up. */
	for (size_t i = 0; i < n; i++) {
		double r = 0.0;

		qf_evaluate(m, QF_MOF, &prof[i], &r, NULL, 0);
		sum += r;
	}
	t0 = now();
	do {
		for (size_t i = 0; i < n; i++) {
			double a = 0.0, b = 0.0;

			qf_evaluate(m, QF_MOF, &prof[i], &a, NULL, 0);
			qf_evaluate(m, QF_HIP, &prof[i], &b, NULL, 0);
			sum += a + b;
		}
		rounds++;
	} while ((t_eval = now() - t0) < seconds);

	t0 = now();
	do {
		for (size_t i = 0; i < n; i++) {
			/* the two outcomes read the same inputs: read them twice, as above */
			sink = sink + read_inputs(&prof[i]);
			sink = sink + read_inputs(&prof[i]);
		}
		base_rounds++;
	} while ((t_base = now() - t0) < seconds);

	{
		double evals = 2.0 * (double)n * (double)rounds, reads = 2.0 * (double)n * (double)base_rounds;
		double ns_eval = t_eval / evals * 1e9, ns_base = t_base / reads * 1e9;

		printf("profiles: %zu valid vector profiles, each evaluated for MOF and hip\n", n);
		printf("qf_evaluate: %.0f evaluations in %.3f s = %.0f evaluations/s (%.1f ns each)\n", evals,
		       t_eval, evals / t_eval, ns_eval);
		printf("baseline (read the same inputs only): %.0f reads in %.3f s = %.1f ns each\n", reads,
		       t_base, ns_base);
		printf("ratio qf_evaluate / baseline: %.1f\n", ns_eval / ns_base);
		printf("(checksum %.6g %.6g)\n", sum, (double)sink);
	}
	free(prof);
	qf_model_free(m);
	return 0;
}
