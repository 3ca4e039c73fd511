/* Helpers shared by the security tests: sessions whose every message and every stdio byte is captured. */
#define _GNU_SOURCE /* strcasestr, mkdtemp, nftw */

#include "sec_capture.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/session.h"
#include "test_util.h"

#define AS_OF "2026-11-01"

static void append(struct sec_capture *c, const char *tag, const char *msg)
{
	int n;

	if (c->len >= sizeof(c->text) - 1)
		return;
	n = snprintf(c->text + c->len, sizeof(c->text) - c->len, "[%s] %s\n", tag, msg ? msg : "(null)");
	if (n > 0)
		c->len += (size_t)n < sizeof(c->text) - c->len ? (size_t)n : sizeof(c->text) - c->len - 1;
}

static void *cap_alloc(void *user, size_t n)
{
	(void)user;
	return malloc(n ? n : 1);
}

static void cap_free(void *user, void *p)
{
	(void)user;
	free(p);
}

static void cap_log(void *user, int level, const char *msg)
{
	struct sec_capture *c = user;

	(void)level;
	c->logs++;
	append(c, "log", msg);
}

static void cap_problem(void *user, fls_status st, const char *msg)
{
	struct sec_capture *c = user;

	(void)st;
	c->problems++;
	append(c, "problem", msg);
}

static int cap_result(void *user, const fls_result *res)
{
	struct sec_capture *c = user;

	(void)res;
	c->results++;
	return c->stop_after && c->results >= c->stop_after;
}

/*
 * Around each library call: stdout and stderr go to a scratch file, read back afterwards. The library
 * promises never to print (fls.h); libxml2's default error handlers would, quoting document bytes.
 */
struct stdio_trap {
	FILE *tmp;
	int out, err;
};

static void trap_begin(struct stdio_trap *t)
{
	fflush(stdout);
	fflush(stderr);
	t->tmp = tmpfile();
	t->out = dup(1);
	t->err = dup(2);
	if (t->tmp && t->out >= 0 && t->err >= 0) {
		dup2(fileno(t->tmp), 1);
		dup2(fileno(t->tmp), 2);
	}
}

static void trap_end(struct sec_capture *c, struct stdio_trap *t)
{
	char buf[2048];
	size_t n;

	fflush(stdout);
	fflush(stderr);
	if (t->out >= 0) {
		dup2(t->out, 1);
		close(t->out);
	}
	if (t->err >= 0) {
		dup2(t->err, 2);
		close(t->err);
	}
	if (!t->tmp)
		return;
	rewind(t->tmp);
	while ((n = fread(buf, 1, sizeof(buf) - 1, t->tmp)) > 0) {
		size_t room = sizeof(c->stdio) - 1 - c->stdio_len;

		buf[n] = '\0';
		append(c, "stdio", buf);
		if (room) {
			memcpy(c->stdio + c->stdio_len, buf, n < room ? n : room);
			c->stdio_len += n < room ? n : room;
			c->stdio[c->stdio_len] = '\0';
		}
	}
	fclose(t->tmp);
}

void sec_config(fls_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->data_dir = tu_env("FLS_DATADIR");
	cfg->as_of = AS_OF;
}

fls_status sec_session(struct sec_capture *c, const fls_config *cfg)
{
	fls_host h;
	fls_config def;
	struct stdio_trap t;
	fls_status st;

	memset(&h, 0, sizeof(h));
	h.size = sizeof(h);
	h.user = c;
	h.alloc = cap_alloc;
	h.free = cap_free;
	h.log = cap_log;
	if (!cfg) {
		sec_config(&def);
		cfg = &def;
	}
	trap_begin(&t);
	st = plg_session_new(&c->sess, &h, cfg);
	trap_end(c, &t);
	return st;
}

fls_status sec_screen(struct sec_capture *c, const char *label, const char *xml, size_t len)
{
	fls_sink k;
	struct stdio_trap t;
	fls_status st;

	memset(&k, 0, sizeof(k));
	k.size = sizeof(k);
	k.user = c;
	k.on_result = cap_result;
	k.on_problem = cap_problem;
	trap_begin(&t);
	st = plg_screen_memory(c->sess, label, xml, len, &k);
	trap_end(c, &t);
	append(c, "errmsg", plg_session_errmsg(c->sess));
	return st;
}

fls_status sec_outcome(struct sec_capture *c, const char *patient_id, const char *outcome, const char *who,
		       const char *note)
{
	struct stdio_trap t;
	fls_status st;

	trap_begin(&t);
	st = plg_record_outcome(c->sess, patient_id, outcome, who, note);
	trap_end(c, &t);
	append(c, "errmsg", plg_session_errmsg(c->sess));
	return st;
}

void sec_free(struct sec_capture *c)
{
	struct stdio_trap t;

	trap_begin(&t);
	plg_session_free(c->sess);
	trap_end(c, &t);
	c->sess = NULL;
}

const char *sec_find(const char *hay, const char *needle)
{
	return strcasestr(hay, needle);
}

const char *sec_tmpdir(char *buf, size_t cap)
{
	const char *tmp = tu_env("TMPDIR");
	int n = snprintf(buf, cap, "%s/fls-sec-XXXXXX", tmp ? tmp : "/tmp");

	if (n < 0 || (size_t)n >= cap || !mkdtemp(buf))
		return NULL;
	return buf;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

void sec_rmdir(const char *dir)
{
	if (dir && *dir)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
