/*
 * service: is a background service running, by its own status command or
 * its pidfile? A sync worker that died an hour ago fails quietly; its
 * callers only see work that never happens.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/check.h"
#include "../core/proc.h"
#include "../core/util.h"
#include "service.h"

#define SERVICE_OUT_CAP 8192
#define SERVICE_TAIL_DETAIL 1024
#define SERVICE_SCRIPT_CAP (64 * 1024)
#define SERVICE_MAX_SCRIPTS 16

static void service_release(void *state)
{
	struct service_state *st = state;

	if (!st)
		return;
	strv_free(st->status);
	strv_free(st->start);
	strv_free(st->stop);
	free(st->pidfile);
	free(st->pidfile_abs);
	free(st->cwd);
	free(st);
}

/* An argv key: a non-empty array of strings whose first is not empty. */
static int get_argv(struct conf_ctx *cc, const cJSON *obj, const char *key,
		    char ***out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		return 0;
	if (conf_strv(cc, v, key, out) < 0)
		return -1;
	if (!(*out)[0] || !*(*out)[0])
		return conf_error(cc, v, "key '%s' must be a command: a "
				  "non-empty array of strings, program first",
				  key);
	return 0;
}

/* A number of seconds in [min, 86400], or def when absent. */
static int get_seconds(struct conf_ctx *cc, const cJSON *obj,
		       const char *key, double min, double def, int64_t *ms)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	double s = v ? v->valuedouble : def;

	if (s < min || s > 86400)
		return conf_error(cc, v, "key '%s' must be a number of "
				  "seconds from %g to 86400", key, min);
	*ms = (int64_t)(s * 1000 + 0.5);
	return 0;
}

static int service_prepare(struct conf_ctx *cc, const cJSON *obj,
			   void **state)
{
	struct service_state *st = xcalloc(1, sizeof(*st));
	const char *pidfile = conf_str(obj, "pidfile", NULL);
	const char *cwd = conf_str(obj, "cwd", NULL);

	*state = st;
	if (get_argv(cc, obj, "status", &st->status) < 0 ||
	    get_argv(cc, obj, "start", &st->start) < 0 ||
	    get_argv(cc, obj, "stop", &st->stop) < 0)
		return -1;
	if (!st->status && !pidfile)
		return conf_error(cc, obj, "a service check needs 'status' "
				  "(a command that exits 0 when the service "
				  "runs) or 'pidfile'");
	if (pidfile && !*pidfile)
		return conf_error(cc, cJSON_GetObjectItem(obj, "pidfile"),
				  "key 'pidfile' must not be empty");

	if (pidfile) {
		st->pidfile = xstrdup(pidfile);
		st->pidfile_abs = path_join(conf_base_dir(cc), pidfile);
	}
	st->cwd = cwd ? path_join(conf_base_dir(cc), cwd)
		      : xstrdup(conf_base_dir(cc));
	if (get_seconds(cc, obj, "fix_timeout", 0.001, 30, &st->command_ms) ||
	    get_seconds(cc, obj, "settle", 0, 1, &st->settle_ms))
		return -1;
	return 0;
}

/* 1 if pid is a live process (a zombie is not). */
static int pid_alive(long pid)
{
	char path[64], stat[256], *p;
	FILE *f;
	size_t n;

	if (kill((pid_t)pid, 0) < 0 && errno != EPERM)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 1;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = '\0';
	p = strrchr(stat, ')');
	return !(p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

/* Reads the pidfile; returns 1 if it names a live process. */
static int probe_pidfile(const struct service_state *st, struct result *res,
			 struct buf *msg)
{
	char *text = read_file(st->pidfile_abs, 64, NULL), *end;
	long pid;

	if (!text) {
		if (errno == ENOENT)
			buf_addf(msg, "no pidfile at '%s': the service is not "
				 "running", st->pidfile);
		else
			buf_addf(msg, "cannot read pidfile '%s': %s",
				 st->pidfile, strerror(errno));
		return 0;
	}

	pid = strtol(text, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (pid <= 0 || *end || end == text) {
		buf_addf(msg, "pidfile '%s' does not hold a process id",
			 st->pidfile);
		free(text);
		return 0;
	}
	free(text);

	result_detail_num(res, "pid", (double)pid);
	if (pid_alive(pid)) {
		buf_addf(msg, "process %ld from '%s' is running", pid,
			 st->pidfile);
		return 1;
	}
	buf_addf(msg, "'%s' names process %ld, which is not running (a stale "
		 "pidfile)", st->pidfile, pid);
	return 0;
}

/* The last non-empty line of a child's output, stdout first. */
static const char *last_line(struct proc_result *pr, int *len)
{
	struct buf *b = pr->out.len ? &pr->out : &pr->err_out;
	const char *s = buf_cstr(b), *e = s + b->len, *p;

	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	for (p = e; p > s && p[-1] != '\n'; p--)
		;
	*len = (int)(e - p);
	return p;
}

static void add_output_detail(struct result *res, const char *key,
			      struct proc_result *pr)
{
	struct buf both = BUF_INIT;

	buf_add(&both, pr->out.data ? pr->out.data : "", pr->out.len);
	buf_add(&both, pr->err_out.data ? pr->err_out.data : "",
		pr->err_out.len);
	while (both.len && isspace((unsigned char)both.data[both.len - 1]))
		both.len--;
	if (both.len > SERVICE_TAIL_DETAIL)
		result_detail_strn(res, key, both.data + both.len -
				   SERVICE_TAIL_DETAIL, SERVICE_TAIL_DETAIL);
	else if (both.len)
		result_detail_strn(res, key, both.data, both.len);
	buf_release(&both);
}

/* Runs the status command; returns 1 if it says the service runs. */
static int probe_status(const struct service_state *st,
			const struct check_ctx *ctx, struct result *res,
			struct buf *msg)
{
	struct proc_opts o = {
		.argv = (const char *const *)st->status, .cwd = st->cwd,
		.deadline = ctx->deadline, .out_cap = SERVICE_OUT_CAP,
	};
	struct proc_result pr;
	char *cmd = proc_argv_string(o.argv), how[128];
	const char *line;
	int len, ok = 0;

	proc_run(&o, &pr);
	line = last_line(&pr, &len);
	if (pr.end == PROC_EXITED) {
		result_detail_num(res, "status_exit", pr.code);
		add_output_detail(res, "status_output", &pr);
	}

	if (pr.end == PROC_EXEC_FAILED)
		buf_addf(msg, "cannot run %s: %s", cmd, strerror(pr.err));
	else if (pr.end != PROC_EXITED)
		buf_addf(msg, "%s %s", cmd, proc_describe(&pr, how,
							 sizeof(how)));
	else if (pr.code)
		buf_addf(msg, "%s exited with status %d%s%.*s", cmd, pr.code,
			 len ? ": " : "", len, line);
	else
		buf_addf(msg, "%s %s%.*s", cmd, len ? "says: " : "exited 0",
			 len, line);
	ok = pr.end == PROC_EXITED && pr.code == 0;
	free(cmd);
	proc_result_release(&pr);
	return ok;
}

static void service_hint(const struct service_state *st, struct result *res)
{
	char *start, *stop;

	if (!st->start) {
		result_hint(res, "start the service; with \"start\" and "
			    "\"stop\" commands in this check, preflight --fix "
			    "can restart it");
		return;
	}
	start = proc_argv_string((const char *const *)st->start);
	if (st->stop) {
		stop = proc_argv_string((const char *const *)st->stop);
		result_hint(res, "run preflight --fix to restart it (%s, then "
			    "%s); read its log first if it keeps dying", stop,
			    start);
		free(stop);
	} else {
		result_hint(res, "start it: %s", start);
	}
	free(start);
}

static void add_sentence(struct buf *b, struct buf *one)
{
	buf_addf(b, "%s%s", b->len ? "; " : "", buf_cstr(one));
	buf_reset(one);
}

static void service_run(void *state, const struct check_ctx *ctx,
			struct result *res)
{
	const struct service_state *st = state;
	struct buf good = BUF_INIT, bad = BUF_INIT, one = BUF_INIT;

	if (st->pidfile)
		add_sentence(probe_pidfile(st, res, &one) ? &good : &bad,
			     &one);
	if (st->status && deadline_left(ctx) > 0)
		add_sentence(probe_status(st, ctx, res, &one) ? &good : &bad,
			     &one);

	if (bad.len) {
		result_fail(res, "%s", buf_cstr(&bad));
		service_hint(st, res);
	} else if (good.len) {
		result_pass(res, "%s", buf_cstr(&good));
	} else {
		result_fail(res, "no time was left to run the status command");
	}
	buf_release(&good);
	buf_release(&bad);
	buf_release(&one);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t service_find_scripts(const char *cwd, char **names, size_t max)
{
	DIR *d = opendir(cwd);
	struct dirent *de;
	size_t n = 0, len;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL && n < max) {
		len = strlen(de->d_name);
		if (!strncmp(de->d_name, "manage_", 7) && len > 10 &&
		    !strcmp(de->d_name + len - 3, ".sh"))
			names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	return n;
}

char *service_script_stem(const char *script)
{
	return xstrndup(script + 7, strlen(script) - 10);
}

char *service_script_text(const char *cwd, const char *script)
{
	char *path = path_join(cwd, script);
	char *text = read_file(path, SERVICE_SCRIPT_CAP, NULL);

	free(path);
	return text;
}

/* A check id made of the script's stem: other bytes become '-'. */
static char *service_id(const char *stem, const char *suffix)
{
	char *id = xasprintf("%.48s%s", stem, suffix);

	for (char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
			*p = '-';
	return id;
}

static void add_argv(cJSON *c, const char *key, const char *prog,
		     const char *verb)
{
	const char *argv[] = { prog, verb };

	cJSON_AddItemToObject(c, key, cJSON_CreateStringArray(argv, 2));
}

static int has_check(cJSON *checks, const char *id)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, checks) {
		const char *cid = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(c, "id"));

		if (cid && !strcmp(cid, id))
			return 1;
	}
	return 0;
}

static void discover_script(const char *cwd, const char *script,
			    cJSON *checks)
{
	const char *scripts_id = "scripts";
	char *text = service_script_text(cwd, script);
	char *stem = service_script_stem(script), *id, *prog, *desc;
	cJSON *c;

	if (!text || !strstr(text, "status")) {
		free(text);
		free(stem);
		return;
	}
	id = service_id(stem, "-service");
	prog = xasprintf("./%s", script);
	desc = xasprintf("the %s service is running (%s status)", stem,
			 script);

	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "id", id);
	cJSON_AddStringToObject(c, "type", "service");
	cJSON_AddStringToObject(c, "description", desc);
	if (has_check(checks, "scripts"))
		cJSON_AddItemToObject(c, "needs", cJSON_CreateStringArray(
						  &scripts_id, 1));
	add_argv(c, "status", prog, "status");
	if (strstr(text, "start") && strstr(text, "stop")) {
		add_argv(c, "start", prog, "start");
		add_argv(c, "stop", prog, "stop");
	}
	cJSON_AddItemToArray(checks, c);

	free(text);
	free(stem);
	free(id);
	free(prog);
	free(desc);
}

/* The default profile: each manage_NAME.sh with a status command. */
static void service_discover(const char *cwd, cJSON *checks)
{
	char *names[SERVICE_MAX_SCRIPTS];
	size_t n = service_find_scripts(cwd, names, SERVICE_MAX_SCRIPTS);

	for (size_t i = 0; i < n; i++) {
		discover_script(cwd, names[i], checks);
		free(names[i]);
	}
}

static const struct key_spec service_keys[] = {
	{ "status", cJSON_Array, 0 },
	{ "pidfile", cJSON_String, 0 },
	{ "start", cJSON_Array, 0 },
	{ "stop", cJSON_Array, 0 },
	{ "cwd", cJSON_String, 0 },
	{ "fix_timeout", cJSON_Number, 0 },
	{ "settle", cJSON_Number, 0 },
	{ NULL, 0, 0 },
};

const struct check_type check_service = {
	.name = "service",
	.summary = "a service runs, by its status command or its pidfile",
	.example = "./manage_background_sync.sh status exited with status 3: not running",
	.example_hint = "start the service; with \"start\" and \"stop\" commands in this check, preflight --fix can restart it",
	.flags = CHECK_SLOW,
	.keys = service_keys,
	.fix = "service-restart",
	.prepare = service_prepare,
	.run = service_run,
	.release = service_release,
	.discover = service_discover,
};
