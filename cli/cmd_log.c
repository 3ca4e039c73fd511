/*
 * `fls log verify` and `fls log export`: the information-governance officer's view of the decision
 * log. verify proves the log whole (exit 0 only then) and prints the head as an anchor to note
 * down; export decrypts for the key holder, everything or one patient through the keyed index.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli/commands.h"
#include "cli/keyarg.h"
#include "risk/day.h"
#include "store/store.h"

struct log_args {
	const char *store, *key, *format, *patient, *output, *anchor;
};

static void log_usage(FILE *out)
{
	fputs("usage: fls log verify --store DB [--key KEYFILE] [--anchor SEQ:MAC]\n"
	      "       fls log export --store DB [--key KEYFILE] [--format csv|ndjson]\n"
	      "                      [--patient ID] [--output FILE]\n"
	      "\n"
	      "verify  checks every record of the encrypted decision log in order (its GCM\n"
	      "        tag and its chain MAC) and the MAC-protected head. Exit 0 only when all\n"
	      "        of it checks out; otherwise exit 1 naming the first bad record and what\n"
	      "        is wrong. On success it prints the head (last record and its MAC): note\n"
	      "        it down, and a later `--anchor SEQ:MAC` proves the log was not rolled\n"
	      "        back or replaced since.\n"
	      "export  decrypts the records for the key holder: csv (default) or ndjson, to\n"
	      "        stdout or FILE (created mode 0600: it holds patient data). --patient ID\n"
	      "        exports one patient's records, found through the keyed index without\n"
	      "        decrypting anyone else's.\n"
	      "\n"
	      "Without --key the passphrase comes from FLS_PASSPHRASE, or is asked for on a\n"
	      "terminal. Exit status: 0 ok; 1 the log failed verification or cannot be read\n"
	      "as a log; 2 usage; 3 key refused, wrong key, or file unreadable; 4 internal.\n",
	      out);
}

/* --name value or --name=value; returns 1 when argv[*i] was this option (and advances *i). */
static int log_opt(int argc, char **argv, int *i, const char *name, const char **out, int *bad)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n))
		return 0;
	if (a[n] == '=') {
		*out = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "fls log: %s needs a value\n", name);
		*bad = 1;
		return 1;
	}
	*out = argv[++*i];
	return 1;
}

static int log_parse(int argc, char **argv, struct log_args *a)
{
	int bad = 0;

	memset(a, 0, sizeof(*a));
	for (int i = 2; i < argc && !bad; i++) {
		if (log_opt(argc, argv, &i, "--store", &a->store, &bad) ||
		    log_opt(argc, argv, &i, "--key", &a->key, &bad) ||
		    log_opt(argc, argv, &i, "--format", &a->format, &bad) ||
		    log_opt(argc, argv, &i, "--patient", &a->patient, &bad) ||
		    log_opt(argc, argv, &i, "--output", &a->output, &bad) ||
		    log_opt(argc, argv, &i, "--anchor", &a->anchor, &bad))
			continue;
		fprintf(stderr, "fls log %s: unknown argument '%s'\n", argv[1], argv[i]);
		bad = 1;
	}
	if (!bad && !a->store) {
		fprintf(stderr, "fls log %s: --store DB is required\n", argv[1]);
		bad = 1;
	}
	return bad ? -1 : 0;
}

static int log_open(struct store **s, const struct log_args *a, const char *prog)
{
	struct store_opts o = { 0 };
	unsigned char key[STORE_KEY_BYTES];
	struct fls_diag d;
	fls_status st;
	int rc;

	*s = NULL;
	if ((rc = cli_store_key(key, a->store, a->key, 1, prog)) != CLI_OK)
		return rc;
	o.readonly = 1;
	st = store_open_ex(s, NULL, a->store, key, &o, &d);
	OPENSSL_cleanse(key, sizeof(key));
	if (st != FLS_OK) {
		fprintf(stderr, "%s: %s\n", prog, d.msg);
		return cli_store_exit(st);
	}
	return CLI_OK;
}

static int log_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* SEQ:MAC with SEQ decimal and MAC 64 hex digits. */
static int log_parse_anchor(const char *s, uint64_t *seq, unsigned char mac[STORE_MAC_BYTES])
{
	uint64_t v = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p++ != ':' || strlen(p) != 2 * STORE_MAC_BYTES)
		return -1;
	for (int i = 0; i < STORE_MAC_BYTES; i++) {
		int hi = log_hexval(p[2 * i]), lo = log_hexval(p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		mac[i] = (unsigned char)(hi << 4 | lo);
	}
	*seq = v;
	return 0;
}

static void log_hex(char *out, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int log_verify(const struct log_args *a)
{
	const char *prog = "fls log verify";
	struct store_verify_report r;
	struct store *s = NULL;
	struct fls_diag d;
	unsigned char want[STORE_MAC_BYTES], got[STORE_MAC_BYTES];
	char hex[2 * STORE_MAC_BYTES + 1];
	uint64_t anchor_seq = 0;
	fls_status st;
	int rc;

	if (a->format || a->patient || a->output) {
		fprintf(stderr, "%s: --format, --patient and --output belong to `fls log export`\n",
			prog);
		return CLI_USAGE;
	}
	if (a->anchor && log_parse_anchor(a->anchor, &anchor_seq, want) != 0) {
		fprintf(stderr,
			"%s: --anchor wants SEQ:MAC (a record number, a colon, 64 hex digits)\n",
			prog);
		return CLI_USAGE;
	}
	if ((rc = log_open(&s, a, prog)) != CLI_OK)
		return rc;
	st = store_verify_report(s, &r, &d);
	if (st != FLS_OK) {
		fprintf(stderr, "%s: FAILED: %s\n", prog, d.msg);
		if (st == FLS_ETAMPER) {
			if (r.first_bad_seq)
				fprintf(stderr,
					"%s: first bad record: %llu; records 1 to %llu check out\n",
					prog, (unsigned long long)r.first_bad_seq,
					(unsigned long long)r.n_records);
			else
				fprintf(stderr,
					"%s: the head is bad; records 1 to %llu check out\n", prog,
					(unsigned long long)r.n_records);
		}
		rc = cli_store_exit(st);
		goto out;
	}
	if (a->anchor) {
		st = store_record_mac(s, anchor_seq, got, &d);
		if (st != FLS_OK || CRYPTO_memcmp(got, want, sizeof(got)) != 0) {
			fprintf(stderr,
				"%s: FAILED: record %llu does not match the anchor: the log was "
				"rolled "
				"back, cut or replaced since the anchor was noted\n",
				prog, (unsigned long long)anchor_seq);
			rc = CLI_FAIL;
			goto out;
		}
	}
	log_hex(hex, r.head_mac, sizeof(r.head_mac));
	printf("%s: OK: %llu records (%llu decisions, %llu outcomes); every record and the head "
	       "check out\n",
	       a->store, (unsigned long long)r.n_records, (unsigned long long)r.n_decisions,
	       (unsigned long long)r.n_outcomes);
	if (a->anchor)
		printf("anchor: record %llu matches\n", (unsigned long long)anchor_seq);
	printf("head: %llu:%s\n", (unsigned long long)r.n_records, hex);
	rc = CLI_OK;
out:
	store_close(s);
	return rc;
}

/* Where export output goes, and in which format. */
struct log_out {
	FILE *fp;
	int ndjson;
	int failed;
};

/* UTC "YYYY-MM-DDTHH:MM:SS.mmmZ" from ms since the epoch, without the C library's locale or tz. */
static void log_time(char *out, size_t cap, int64_t ms)
{
	int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int64_t milli = ms - secs * 1000;
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t rem = secs - days * 86400;
	int y, m, d;

	if (days <= INT32_MIN || days > INT32_MAX) { /* millions of years away: only a forged time */
		snprintf(out, cap, "%lld ms", (long long)ms);
		return;
	}
	risk_civil_from_day((int32_t)days, &y, &m, &d);
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
		 (int)(rem % 60), (int)milli);
}

static const char *log_kind(enum store_kind k)
{
	return k == STORE_KIND_DECISION   ? "decision"
		: k == STORE_KIND_OUTCOME ? "outcome"
					  : "unknown";
}

static int log_write_record(void *ctx, const struct store_record *r)
{
	struct log_out *o = ctx;
	char when[96], pidx[2 * STORE_MAC_BYTES + 3];

	log_time(when, sizeof(when), r->ts_ms);
	if (r->patient_index)
		log_hex(pidx, r->patient_index, STORE_MAC_BYTES);
	else
		pidx[0] = '\0';
	if (o->ndjson) {
		/* The payload was checked to be one JSON value when appended, and again now. */
		fprintf(o->fp,
			"{\"seq\":%llu,\"time_utc\":\"%s\",\"ts_ms\":%lld,\"kind\":\"%s\","
			"\"key_id\":%u,\"patient_index\":",
			(unsigned long long)r->seq, when, (long long)r->ts_ms, log_kind(r->kind),
			r->key_id);
		if (r->patient_index)
			fprintf(o->fp, "\"%s\"", pidx);
		else
			fputs("null", o->fp);
		fputs(",\"payload\":", o->fp);
		/*
		 * One object per line: a line break can only be white space between JSON tokens
		 * (inside strings JSON escapes it, and the payload was checked), so a space
		 * replaces it harmlessly.
		 */
		for (size_t i = 0; i < r->len; i++)
			fputc(r->payload[i] == '\n' || r->payload[i] == '\r' ? ' ' : r->payload[i],
			      o->fp);
		fputs("}\n", o->fp);
	} else {
		fprintf(o->fp, "%llu,%s,%lld,%s,%u,%s,\"", (unsigned long long)r->seq, when,
			(long long)r->ts_ms, log_kind(r->kind), r->key_id, pidx);
		/* RFC 4180: the field is quoted and each quote doubled; newlines stay inside. */
		for (size_t i = 0; i < r->len; i++) {
			if (r->payload[i] == '"')
				fputc('"', o->fp);
			fputc(r->payload[i], o->fp);
		}
		fputs("\"\r\n", o->fp);
	}
	if (ferror(o->fp)) {
		o->failed = 1;
		return 1;
	}
	return 0;
}

static int log_export(const struct log_args *a)
{
	const char *prog = "fls log export";
	struct log_out o = { NULL, 0, 0 };
	struct store *s = NULL;
	struct fls_diag d;
	fls_status st;
	int rc, fd = -1;

	if (a->anchor) {
		fprintf(stderr, "%s: --anchor belongs to `fls log verify`\n", prog);
		return CLI_USAGE;
	}
	if (!a->format || !strcmp(a->format, "csv")) {
		o.ndjson = 0;
	} else if (!strcmp(a->format, "ndjson")) {
		o.ndjson = 1;
	} else {
		fprintf(stderr, "%s: --format must be csv or ndjson\n", prog);
		return CLI_USAGE;
	}
	if (a->patient && !*a->patient) {
		fprintf(stderr, "%s: --patient needs an identifier\n", prog);
		return CLI_USAGE;
	}
	if ((rc = log_open(&s, a, prog)) != CLI_OK)
		return rc;
	if (a->output) {
		fd = open(a->output, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 || fchmod(fd, 0600) != 0 || !(o.fp = fdopen(fd, "w"))) {
			fprintf(stderr, "%s: cannot write %s: %s\n", prog, a->output,
				strerror(errno));
			if (fd >= 0)
				close(fd);
			rc = CLI_DATA;
			goto out;
		}
	} else {
		o.fp = stdout;
	}
	if (!o.ndjson)
		fputs("seq,time_utc,ts_ms,kind,key_id,patient_index,payload\r\n", o.fp);
	st = store_export(s, a->patient, log_write_record, &o, &d);
	if (fflush(o.fp) != 0)
		o.failed = 1;
	if (o.failed) {
		fprintf(stderr, "%s: writing the output failed: %s\n", prog, strerror(errno));
		rc = CLI_SOFTWARE;
	} else if (st != FLS_OK) {
		fprintf(stderr,
			"%s: FAILED: %s\n%s: the output is incomplete and must not be relied "
			"on%s\n",
			prog, d.msg, prog, a->output ? " (removed)" : "");
		rc = cli_store_exit(st);
	} else {
		rc = CLI_OK;
	}
out:
	if (o.fp && o.fp != stdout) {
		if (fclose(o.fp) != 0 && rc == CLI_OK) {
			fprintf(stderr, "%s: writing %s failed\n", prog, a->output);
			rc = CLI_SOFTWARE;
		}
		if (rc != CLI_OK)
			/* a partial export of patient data is of no use to anyone */
			unlink(a->output);
	}
	store_close(s);
	return rc;
}

int cmd_log(int argc, char **argv)
{
	struct log_args a;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		log_usage(stdout);
		return CLI_OK;
	}
	if (argc < 2 || (strcmp(argv[1], "verify") && strcmp(argv[1], "export"))) {
		log_usage(stderr);
		return CLI_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			log_usage(stdout);
			return CLI_OK;
		}
	}
	if (log_parse(argc, argv, &a) != 0)
		return CLI_USAGE;
	return !strcmp(argv[1], "verify") ? log_verify(&a) : log_export(&a);
}
