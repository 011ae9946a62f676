/*
 * command: does a program exit as expected, and say what it should? The
 * escape hatch for anything the built-in checks do not cover, run with a
 * deadline and a cap on what it may print.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/check.h"
#include "../core/proc.h"
#include "../core/util.h"

#define COMMAND_CAP (64 * 1024)
#define COMMAND_CAP_MAX (16 * 1024 * 1024)
#define COMMAND_DETAIL 1024

struct command_state {
	char **argv;
	char *cmd;		/* argv as a person reads it */
	char *cwd;
	int exit_code;
	char *stdout_contains;	/* or NULL */
	size_t cap;
};

static void command_release(void *state)
{
	struct command_state *st = state;

	if (!st)
		return;
	strv_free(st->argv);
	free(st->cmd);
	free(st->cwd);
	free(st->stdout_contains);
	free(st);
}

static int command_prepare(struct conf_ctx *cc, const cJSON *obj,
			   void **state)
{
	struct command_state *st = xcalloc(1, sizeof(*st));
	const cJSON *argv = cJSON_GetObjectItemCaseSensitive(obj, "argv");
	const char *cwd = conf_str(obj, "cwd", NULL);
	double code = conf_num(obj, "exit_code", 0);
	double cap = conf_num(obj, "output_cap", COMMAND_CAP);

	*state = st;
	if (conf_strv(cc, argv, "argv", &st->argv) < 0)
		return -1;
	if (!st->argv[0] || !*st->argv[0])
		return conf_error(cc, argv, "key 'argv' must be a non-empty "
				  "array of strings, program first");
	if (code < 0 || code > 255 || code != (int)code)
		return conf_error(cc, cJSON_GetObjectItem(obj, "exit_code"),
				  "key 'exit_code' must be a whole number "
				  "from 0 to 255");
	if (cap < 1 || cap > COMMAND_CAP_MAX)
		return conf_error(cc, cJSON_GetObjectItem(obj, "output_cap"),
				  "key 'output_cap' must be a number of bytes "
				  "from 1 to %d", COMMAND_CAP_MAX);

	st->cmd = proc_argv_string((const char *const *)st->argv);
	st->cwd = cwd ? path_join(conf_base_dir(cc), cwd)
		      : xstrdup(conf_base_dir(cc));
	st->exit_code = (int)code;
	st->cap = (size_t)cap;
	if (conf_str(obj, "stdout_contains", NULL))
		st->stdout_contains = xstrdup(conf_str(obj, "stdout_contains",
						       NULL));
	return 0;
}

/* The last COMMAND_DETAIL bytes of a stream into details[key]. */
static void add_tail(struct result *res, const char *key, const struct buf *b)
{
	size_t len = b->len, n;

	while (len && (b->data[len - 1] == '\n' || b->data[len - 1] == '\r'))
		len--;
	n = len > COMMAND_DETAIL ? COMMAND_DETAIL : len;
	if (n)
		result_detail_strn(res, key, b->data + len - n, n);
}

/* The last non-empty line of the output, stderr first (errors go there). */
static const char *last_line(const struct proc_result *pr, int *len)
{
	const struct buf *b = pr->err_out.len ? &pr->err_out : &pr->out;
	const char *s = b->data ? b->data : "", *e = s + b->len, *p;

	while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '))
		e--;
	for (p = e; p > s && p[-1] != '\n'; p--)
		;
	*len = (int)(e - p);
	return p;
}

static void evaluate(const struct command_state *st,
		     const struct proc_result *pr, struct result *res)
{
	const char *want = st->stdout_contains;
	const char *line;
	char how[128];
	int len;

	line = last_line(pr, &len);
	proc_describe(pr, how, sizeof(how));
	if (pr->end == PROC_EXEC_FAILED) {
		result_fail(res, "cannot run %s: %s", st->cmd,
			    strerror(pr->err));
		result_hint(res, "check that '%s' exists and is executable; a "
			    "name without '/' is looked up in PATH",
			    st->argv[0]);
	} else if (pr->end != PROC_EXITED) {
		result_fail(res, "%s %s", st->cmd, how);
	} else if (pr->code != st->exit_code) {
		result_fail(res, "%s exited with status %d, expected %d%s%.*s",
			    st->cmd, pr->code, st->exit_code, len ? ": " : "",
			    len, line);
	} else if (want && !memmem(pr->out.data ? pr->out.data : "",
				   pr->out.len, want, strlen(want))) {
		result_fail(res, "%s exited with status %d but its output "
			    "does not contain '%s'%s", st->cmd, pr->code, want,
			    pr->out.truncated ? " (only the last bytes of a "
			    "long output were kept)" : "");
	} else {
		result_pass(res, "%s exited with status %d%s%s%s", st->cmd,
			    pr->code, want ? " and printed '" : "",
			    want ? want : "", want ? "'" : "");
	}
}

static void command_run(void *state, const struct check_ctx *ctx,
			struct result *res)
{
	const struct command_state *st = state;
	struct proc_opts o = {
		.argv = (const char *const *)st->argv, .cwd = st->cwd,
		.deadline = ctx->deadline, .out_cap = st->cap,
	};
	struct proc_result pr;

	proc_run(&o, &pr);
	evaluate(st, &pr, res);
	if (pr.end == PROC_EXITED)
		result_detail_num(res, "exit_code", pr.code);
	if (pr.end == PROC_SIGNALED)
		result_detail_num(res, "signal", pr.sig);
	add_tail(res, "stdout", &pr.out);
	add_tail(res, "stderr", &pr.err_out);
	if (pr.out.truncated || pr.err_out.truncated)
		cJSON_AddTrueToObject(result_details(res), "output_truncated");
	proc_result_release(&pr);
}

static const struct key_spec command_keys[] = {
	{ "argv", cJSON_Array, 1 },
	{ "exit_code", cJSON_Number, 0 },
	{ "stdout_contains", cJSON_String, 0 },
	{ "output_cap", cJSON_Number, 0 },
	{ "cwd", cJSON_String, 0 },
	{ NULL, 0, 0 },
};

const struct check_type check_command = {
	.name = "command",
	.summary = "a program exits as expected and prints what it should",
	.example = "curl -fsS http://localhost:8000/health exited with status 7, expected 0",
	.flags = CHECK_SLOW,
	.keys = command_keys,
	.prepare = command_prepare,
	.run = command_run,
	.release = command_release,
};
