/*
 * pip-install: installs what the python-deps check found missing or at the
 * wrong version, with the environment's own pip, so the service starts
 * with the packages its requirements file promised.
 */
#include <stdlib.h>
#include <string.h>

#include "../checks/python_deps.h"
#include "../core/check.h"
#include "../core/fix.h"
#include "../core/proc.h"
#include "../core/secret.h"
#include "../core/text.h"
#include "../core/util.h"

/* How much of pip's output the report keeps. */
#define PIP_TAIL_BYTES 4096
#define PIP_OUT_CAP (256u << 10)

/* The end of pip's output, its lines kept: the last ones say what happened. */
static char *output_tail(struct proc_result *res)
{
	struct buf b = BUF_INIT;
	const char *out = buf_cstr(&res->out), *err = buf_cstr(&res->err_out);
	char *text, *safe;
	size_t n;

	buf_addstr(&b, out);
	if (*err)
		buf_addf(&b, "%s%s", b.len ? "\n" : "", err);
	n = b.len > PIP_TAIL_BYTES ? b.len - PIP_TAIL_BYTES : 0;
	text = text_sanitize(buf_cstr(&b) + n, b.len - n, PIP_TAIL_BYTES + 8,
			     1);
	safe = secret_scrub(text);
	free(text);
	buf_release(&b);
	return safe;
}

/* pip's last "ERROR: ..." line, or how it ended. */
static char *failure_reason(struct proc_result *res)
{
	const char *err = buf_cstr(&res->err_out), *p, *last = NULL;
	char why[128];

	for (p = strstr(err, "ERROR:"); p; p = strstr(p + 1, "ERROR:"))
		last = p;
	proc_describe(res, why, sizeof(why));
	if (!last)
		return xasprintf("pip %s", why);
	return xasprintf("pip %s: %.*s", why, (int)strcspn(last, "\n"), last);
}

static enum fix_outcome run_pip(const struct fix_ctx *ctx,
				const struct deps_state *st, char **argv,
				struct fix_record *rec)
{
	struct proc_opts o = { 0 };
	struct proc_result res;
	enum fix_outcome out = FIX_APPLIED;

	o.argv = (const char *const *)argv;
	o.cwd = st->base_dir;
	o.deadline = ctx->deadline;
	o.out_cap = PIP_OUT_CAP;
	if (proc_run(&o, &res) < 0 || res.end != PROC_EXITED || res.code) {
		rec->error = failure_reason(&res);
		out = FIX_FAILED;
	}
	rec->output = output_tail(&res);
	proc_result_release(&res);
	return out;
}

static enum fix_outcome pip_apply(const struct fix_ctx *ctx,
				  struct fix_record *rec)
{
	const struct deps_state *st = ctx->state;
	char **argv = NULL, *cause = NULL, *line;
	enum fix_outcome out;

	if (deps_install_argv(st, ctx->deadline, &argv, &cause)) {
		rec->error = cause;
		return FIX_FAILED;
	}
	if (!argv) {
		fix_record_action(rec, "nothing to install: every requirement "
				  "is met now");
		return FIX_NOTHING;
	}
	line = proc_argv_string((const char *const *)argv);
	fix_record_action(rec, "run: %s (in %s)", line, st->base_dir);
	free(line);
	out = ctx->dry_run ? FIX_APPLIED : run_pip(ctx, st, argv, rec);
	strv_free(argv);
	return out;
}

const struct fix_type fix_pip_install = {
	.name = "pip-install",
	.summary = "install the unmet requirements with the environment's pip",
	.check = "python-deps",
	.apply = pip_apply,
};
