/*
 * `fls risk` end to end: the built binary (FLS_BINARY_DIR/bin/fls) over the public vectors, each output
 * row checked against the reference columns of the same row; the disclaimer on stderr once; --help;
 * refused rows that never stop the run; and the exit statuses of cli/commands.h.
 */
#define _POSIX_C_SOURCE 200809L /* popen, mkstemp */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "risk/qfracture.h"
#include "test_util.h"

#define REL_TOL 1e-6
#define MAX_FIELDS 64

static const char *fls_path(char *buf, size_t cap)
{
	const char *bin = tu_env("FLS_BINARY_DIR");
	int n;

	if (!bin || strchr(bin, '\''))
		return NULL;
	n = snprintf(buf, cap, "%s/bin/fls", bin);
	return n > 0 && (size_t)n < cap && access(buf, X_OK) == 0 ? buf : NULL;
}

/* Run a shell command, capture its stdout (malloc'd) and exit status. */
static char *run(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	char *out = NULL;
	size_t len = 0, cap = 0, n;
	int st;

	assert_non_null(p);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			assert_non_null(out = realloc(out, cap));
		}
		if (!(n = fread(out + len, 1, 4096, p)))
			break;
		len += n;
	}
	out[len] = '\0';
	st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}

/* Write text to a new temporary file; its path goes to path (>= 32 bytes). */
static void temp_file(char *path, const char *text)
{
	int fd;
	FILE *f;

	snprintf(path, 32, "/tmp/fls-risk-XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int need_fls(char *buf, size_t cap)
{
	if (!fls_path(buf, cap)) {
		fprintf(stderr, "FLS_BINARY_DIR/bin/fls is not built (or FLS_BINARY_DIR is unset)\n");
		return -1;
	}
	return 0;
}

static int col(char **hdr, int nh, const char *name)
{
	for (int i = 0; i < nh; i++)
		if (!strcmp(hdr[i], name))
			return i; /* the first: the reference's own columns come before ours */
	fail_msg("no column %s", name);
	return -1;
}

/* Compare one outcome's appended columns with the reference's (vectors/README.md). */
static void check(int row, const char *what, const char *ref_status, const char *ref_value,
		  const char *ref_error, const char *value, const char *status)
{
	char want[300];

	if (!strcmp(ref_status, "ok")) {
		char *end;
		double got = strtod(value, &end), ref = strtod(ref_value, NULL);

		if (strcmp(status, "ok") || !*value || *end || !(fabs(got - ref) <= REL_TOL * fabs(ref)))
			fail_msg("row %d %s: got '%s' '%s', reference %s", row, what, value, status, ref_value);
		return;
	}
	snprintf(want, sizeof(want), "rejected: %s",
		 !strcmp(ref_status, "nan") ? "bmi must be in range (20,40)" : ref_error);
	if (*value || strcmp(status, want))
		fail_msg("row %d %s: got '%s' '%s', want '' '%s'", row, what, value, status, want);
}

static void reproduces_vectors_end_to_end(void **state)
{
	char fls[4096], vec[4096], cmd[9000], *out, *in, *save = NULL, *line, *iline, *isave = NULL;
	char *f[MAX_FIELDS];
	int status, nh, rows = 0, c_ms, c_hs, c_mr, c_hr, c_me, c_he;
	(void)state;

	if (need_fls(fls, sizeof(fls)))
		fail();
	if (!tu_shared_path("vectors/qfracture-public.csv", vec, sizeof(vec)) || strchr(vec, '\'')) {
		fprintf(stderr, "SKIP: FLS_SHARED/vectors/qfracture-public.csv not found\n");
		skip();
	}
	snprintf(cmd, sizeof(cmd), "'%s' risk '%s' 2>/dev/null", fls, vec);
	out = run(cmd, &status);
	assert_int_equal(status, 0);
	assert_non_null(in = tu_read_file(vec, NULL));

	/* header: the input's, then exactly our four columns */
	line = strtok_r(out, "\n", &save);
	iline = strtok_r(in, "\n", &isave);
	assert_non_null(line);
	assert_non_null(iline);
	assert_int_equal(strncmp(line, iline, strlen(iline)), 0);
	assert_string_equal(line + strlen(iline), ",mof_risk_pct,hip_risk_pct,mof_status,hip_status");
	nh = tu_csv_split(line, f, MAX_FIELDS);
	assert_true(nh > 4);
	c_mr = col(f, nh, "mof_risk_pct");
	c_hr = col(f, nh, "hip_risk_pct");
	c_ms = col(f, nh, "mof_status");
	c_hs = col(f, nh, "hip_status");
	c_me = col(f, nh, "mof_error");
	c_he = col(f, nh, "hip_error");

	while ((line = strtok_r(NULL, "\n", &save))) {
		iline = strtok_r(NULL, "\n", &isave);
		assert_non_null(iline);
		rows++;
		/* the row goes back unchanged, with the four columns after it */
		if (strncmp(line, iline, strlen(iline)) || line[strlen(iline)] != ',')
			fail_msg("row %d was not written back unchanged", rows);
		assert_int_equal(tu_csv_split(line, f, MAX_FIELDS), nh);
		check(rows, "mof", f[c_ms], f[c_mr], f[c_me], f[nh - 4], f[nh - 2]);
		check(rows, "hip", f[c_hs], f[c_hr], f[c_he], f[nh - 3], f[nh - 1]);
	}
	assert_null(strtok_r(NULL, "\n", &isave));
	assert_int_equal(rows, 2000);
	free(in);
	free(out);
}

#define HEADER "sex,age,surv,bmi,ethrisk,smoke_cat,alcohol_cat6,b_antidepressant,b_anycancer," \
	"b_asthmacopd,b_carehome,b_corticosteroids,b_cvd,b_dementia,b_endocrine,b_epilepsy2,b_falls," \
	"b_fracture4,b_hrt_oest,b_liver,b_malabsorption,b_parkinsons,b_ra_sle,b_renal,b_type1,b_type2," \
	"fh_osteoporosis"

/* A NUL byte would silently cut a field short ("6<NUL>5" read as 6): the row is refused instead. */
static void nul_byte_row_is_refused(void **state)
{
	char fls[4096], cmd[9000], *out;
	int status;
	(void)state;

	if (need_fls(fls, sizeof(fls)))
		fail();
	snprintf(cmd, sizeof(cmd), "printf '" HEADER "\\nF,6\\0005,10,25,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
		 "0,0,0,0\\n' | '%s' risk 2>/dev/null | tail -1 | tr '\\000' '@'", fls);
	out = run(cmd, &status);
	assert_int_equal(status, 0);
	assert_string_equal(out, "F,6@5,10,25,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,"
			    "rejected: row contains a NUL byte,rejected: row contains a NUL byte\n");
	free(out);
}

static void disclaimer_once_on_stderr(void **state)
{
	char fls[4096], path[32], cmd[9000], *err, *p;
	int status, n = 0;
	(void)state;

	if (need_fls(fls, sizeof(fls)))
		fail();
	temp_file(path, HEADER "\n"
		  "F,65,10,25,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n"
		  "M,80,10,22.5,1,1,2,0,0,0,1,0,0,0,0,0,1,1,0,0,0,0,0,0,0,0,0\n");
	snprintf(cmd, sizeof(cmd), "'%s' risk < %s 2>&1 >/dev/null", fls, path);
	err = run(cmd, &status);
	unlink(path);
	assert_int_equal(status, 0);
	for (p = err; (p = strstr(p, QF_DISCLAIMER)); p++)
		n++;
	assert_int_equal(n, 1);
	assert_non_null(strstr(err, QF_MODEL_NAME));
	assert_non_null(strstr(err, "coefficients sha256:"));
	free(err);
}

static void help_explains_columns_and_carries_disclaimer(void **state)
{
	static const char *const words[] = {
		"sex", "age", "surv", "bmi", "ethrisk", "smoke_cat", "alcohol_cat6", "b_antidepressant",
		"b_anycancer", "b_asthmacopd", "b_carehome", "b_corticosteroids", "b_cvd", "b_dementia",
		"b_endocrine", "b_epilepsy2", "b_falls", "b_fracture4", "b_hrt_oest", "b_liver",
		"b_malabsorption", "b_parkinsons", "b_ra_sle", "b_renal", "b_type1", "b_type2",
		"fh_osteoporosis", "mof_risk_pct", "hip_risk_pct", "mof_status", "hip_status", "--model",
		"Black Caribbean", "heavy (20 or more/day)", "7-9", "not an accredited QFracture product",
	};
	char fls[4096], cmd[4200], *out;
	int status;
	(void)state;

	if (need_fls(fls, sizeof(fls)))
		fail();
	snprintf(cmd, sizeof(cmd), "'%s' risk --help 2>/dev/null", fls);
	out = run(cmd, &status);
	assert_int_equal(status, 0);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strstr(out, words[i]))
			fail_msg("--help does not mention '%s'", words[i]);
	assert_non_null(strstr(out, QF_DISCLAIMER));
	assert_non_null(strstr(out, QF_MODEL_NAME));
	free(out);
}

static void bad_rows_are_refused_not_fatal(void **state)
{
	char fls[4096], path[32], cmd[9000], *out;
	int status;
	(void)state;

	if (need_fls(fls, sizeof(fls)))
		fail();
	/* columns in another order, an extra quoted column, CRLF line ends */
	temp_file(path, "note,fh_osteoporosis,b_type2,b_type1,b_renal,b_ra_sle,b_parkinsons,b_malabsorption,"
		  "b_liver,b_hrt_oest,b_fracture4,b_falls,b_epilepsy2,b_endocrine,b_dementia,b_cvd,"
		  "b_corticosteroids,b_carehome,b_asthmacopd,b_anycancer,b_antidepressant,alcohol_cat6,"
		  "smoke_cat,ethrisk,bmi,surv,age,sex\r\n"
		  "\"a, \"\"b\"\"\",0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,25,10,65,female\r\n"
		  "x,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,,10,65,F\r\n"
		  "y,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,abc,10,6.5,M\r\n"
		  "z,1,2\r\n"
		  "w,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,25,10,65,\r\n"
		  "v,2,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,25,10,65,F\r\n");
	snprintf(cmd, sizeof(cmd), "'%s' risk %s 2>/dev/null", fls, path);
	out = run(cmd, &status);
	unlink(path);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "\n\"a, \"\"b\"\"\",0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,25,10,65,"
				"female,4.5465075833104773,1.1855864087323087,ok,ok\n"));
	assert_non_null(strstr(out, ",10,65,F,,,\"rejected: bmi must be in range (20,40)\","
				"\"rejected: bmi must be in range (20,40)\"\n"));
	assert_non_null(strstr(out, ",abc,10,6.5,M,,,rejected: age is not a whole number; bmi is not a number,"));
	assert_non_null(strstr(out, "\nz,1,2,,,\"rejected: row has 3 fields, the header has 28\","));
	assert_non_null(strstr(out, ",10,65,,,,rejected: sex is empty,rejected: sex is empty\n"));
	/* fh_osteoporosis 2: MOF refused, female hip does not take it */
	assert_non_null(strstr(out, "\nv,2,"));
	assert_non_null(strstr(out, ",F,,1.1855864087323087,\"rejected: fh_osteoporosis must be in range (0,1)\",ok\n"));
	free(out);
}

static void exit_statuses(void **state)
{
	char fls[4096], path[32], bad_model[32], cmd[9000], *out;
	int status;
	(void)state;

	if (need_fls(fls, sizeof(fls)))
		fail();
	temp_file(path, "sex,age,bmi\nF,70,25\n");
	temp_file(bad_model, "sex,outcome,term,value\nfemale,mof,age_1,x\n");

	snprintf(cmd, sizeof(cmd), "'%s' risk %s 2>&1", fls, path); /* a required column is missing */
	out = run(cmd, &status);
	assert_int_equal(status, 3);
	assert_non_null(strstr(out, "the header has no column 'alcohol_cat6'"));
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' risk --model %s %s 2>&1", fls, bad_model, path);
	out = run(cmd, &status);
	assert_int_equal(status, 3);
	assert_non_null(strstr(out, "coefficients line 2: term 'age_1': value is not a plain decimal number"));
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' risk --model /nonexistent/coefficients.csv %s 2>&1", fls, path);
	out = run(cmd, &status);
	assert_int_equal(status, 3);
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' risk --frobnicate 2>&1", fls);
	out = run(cmd, &status);
	assert_int_equal(status, 2);
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' risk /nonexistent.csv 2>&1", fls);
	out = run(cmd, &status);
	assert_int_equal(status, 3);
	free(out);
	snprintf(cmd, sizeof(cmd), "printf '\"sex,age\\n' | '%s' risk 2>&1", fls);
	out = run(cmd, &status);
	assert_int_equal(status, 3);
	assert_non_null(strstr(out, "unterminated quoted field"));
	free(out);
	unlink(path);
	unlink(bad_model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reproduces_vectors_end_to_end),
		cmocka_unit_test(disclaimer_once_on_stderr),
		cmocka_unit_test(help_explains_columns_and_carries_disclaimer),
		cmocka_unit_test(bad_rows_are_refused_not_fatal),
		cmocka_unit_test(exit_statuses),
		cmocka_unit_test(nul_byte_row_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
