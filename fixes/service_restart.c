/*
 * service-restart: brings back a service the service check found down,
 * by running its stop command, then its start command, each with a
 * deadline, then giving it a moment so the re-check sees whether it
 * stayed up.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../checks/service.h"
#include "../core/fix.h"
#include "../core/proc.h"
#include "../core/secret.h"
#include "../core/text.h"
#include "../core/util.h"

#define RESTART_TAIL 2048
#define RESTART_OUTPUT_MAX 8192

/* Appends the last RESTART_TAIL bytes of one captured stream. */
static void add_tail(struct buf *out, const struct buf *b)
{
	size_t n = b->len > RESTART_TAIL ? RESTART_TAIL : b->len;

	if (!n)
		return;
	buf_add(out, b->data + b->len - n, n);
	if (b->data[b->len - 1] != '\n')
		buf_addstr(out, "\n");
}

/* The last non-empty line of the child's errors, else of its output. */
static char *last_line(const struct proc_result *pr)
{
	const struct buf *b = pr->err_out.len ? &pr->err_out : &pr->out;
	const char *s = b->data ? b->data : "", *e = s + b->len, *p;

	while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '))
		e--;
	for (p = e; p > s && p[-1] != '\n'; p--)
		;
	return result_clean(p, (size_t)(e - p), 200);
}

static int64_t step_deadline(const struct service_state *st,
			     const struct fix_ctx *ctx)
{
	int64_t d = now_ms() + st->command_ms;

	return d < ctx->deadline ? d : ctx->deadline;
}

/*
 * Runs one command. A stop that exits non-zero is noted and tolerated
 * (the service may be down already); anything else that goes wrong sets
 * rec->error and returns -1.
 */
static int run_step(const struct service_state *st,
		    const struct fix_ctx *ctx, char **argv, int tolerant,
		    struct buf *out, struct fix_record *rec)
{
	struct proc_opts o = {
		.argv = (const char *const *)argv, .cwd = st->cwd,
		.deadline = step_deadline(st, ctx), .out_cap = RESTART_TAIL,
	};
	struct proc_result pr;
	char *cmd = proc_argv_string(o.argv), how[128], *line;
	int rc = 0;

	proc_run(&o, &pr);
	proc_describe(&pr, how, sizeof(how));
	buf_addf(out, "$ %s\n", cmd);
	add_tail(out, &pr.out);
	add_tail(out, &pr.err_out);
	buf_addf(out, "[%s]\n", how);

	if (pr.end != PROC_EXITED || (pr.code && !tolerant)) {
		line = last_line(&pr);
		rec->error = *line ? xasprintf("%s %s: %s", cmd, how, line)
				   : xasprintf("%s %s", cmd, how);
		free(line);
		rc = -1;
	}
	free(cmd);
	proc_result_release(&pr);
	return rc;
}

static void settle(const struct service_state *st, const struct fix_ctx *ctx)
{
	int64_t ms = st->settle_ms, left = ctx->deadline - now_ms();
	struct timespec ts;

	if (ms > left)
		ms = left > 0 ? left : 0;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0)
		;
}

/* The output tail kept in the report: sanitized, secrets masked. */
static char *clean_output(const struct buf *out)
{
	char *text = text_sanitize(out->data ? out->data : "", out->len,
				   RESTART_OUTPUT_MAX, 1);
	char *safe = secret_scrub(text);

	free(text);
	return safe;
}

static void describe(const struct service_state *st, struct fix_record *rec,
		     char **argv)
{
	char *cmd = proc_argv_string((const char *const *)argv);

	fix_record_action(rec, "run %s (in %s)", cmd, st->cwd);
	free(cmd);
}

static enum fix_outcome restart_apply(const struct fix_ctx *ctx,
				      struct fix_record *rec)
{
	const struct service_state *st = ctx->state;
	struct buf out = BUF_INIT;
	int rc;

	if (!st->start || !st->stop) {
		fix_record_action(rec, "nothing to do: the check gives no "
				  "\"start\" and \"stop\" commands");
		return FIX_NOTHING;
	}

	describe(st, rec, st->stop);
	rc = ctx->dry_run ? 0 : run_step(st, ctx, st->stop, 1, &out, rec);
	if (!rc)
		describe(st, rec, st->start);
	if (!rc && !ctx->dry_run)
		rc = run_step(st, ctx, st->start, 0, &out, rec);
	if (!rc && st->settle_ms)
		fix_record_action(rec, "wait %.1f s for the service to settle",
				  (double)st->settle_ms / 1000);
	if (!rc && st->settle_ms && !ctx->dry_run)
		settle(st, ctx);

	if (out.len)
		rec->output = clean_output(&out);
	buf_release(&out);
	return rc ? FIX_FAILED : FIX_APPLIED;
}

const struct fix_type fix_service_restart = {
	.name = "service-restart",
	.summary = "run the service's stop command, then its start command",
	.check = "service",
	.apply = restart_apply,
};
