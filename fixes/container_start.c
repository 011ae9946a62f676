/*
 * container-start: starts a stopped container (or restarts one stuck
 * restarting) through the engine's API and waits until it runs, so a
 * database that fell over comes back without anyone typing `docker start`.
 * Only when the check's config says "fix": {"restart": true}.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../checks/container.h"
#include "../core/fix.h"
#include "../core/util.h"

/* How long a started container must stay up to count as running. */
#define CS_SETTLE_MS 500
#define CS_POLL_MS 100
/* The longest wait for it to come up. */
#define CS_WAIT_MS 30000

static void cs_sleep_ms(int64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Inspects the container; NULL with rec->error set when it cannot. */
static cJSON *cs_inspect(const struct container_state *st, int64_t end,
			 struct fix_record *rec)
{
	struct container_reply reply = { 0 };
	const char *why;
	cJSON *in = container_inspect(st, end, &why, &reply);

	if (!in && !rec->error)
		rec->error = xasprintf("cannot inspect container %s on %s: %s%s%s",
				       st->name, st->engine, why,
				       reply.error[0] ? ": " : "", reply.error);
	buf_release(&reply.body);
	return in;
}

/* 1 when the container has stopped again (exited or dead). */
static int cs_stopped(const cJSON *in, int *code)
{
	const cJSON *state = cJSON_GetObjectItemCaseSensitive(in, "State");
	const char *status = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(state, "Status"));
	const cJSON *exit = cJSON_GetObjectItemCaseSensitive(state,
							     "ExitCode");

	*code = cJSON_IsNumber(exit) ? exit->valueint : -1;
	return status && (!strcmp(status, "exited") || !strcmp(status, "dead"));
}

/*
 * Waits until the container runs and is still running CS_SETTLE_MS later,
 * at most CS_WAIT_MS. One that stops again fails at once.
 */
static int cs_wait_running(const struct container_state *st, int64_t end,
			   struct fix_record *rec)
{
	int64_t up_since = 0;
	int exit_code;

	if (end > now_ms() + CS_WAIT_MS)
		end = now_ms() + CS_WAIT_MS;
	while (now_ms() < end) {
		cJSON *in = cs_inspect(st, end, rec);
		int running = in && container_running(in);
		int stopped = in && cs_stopped(in, &exit_code);

		cJSON_Delete(in);
		if (!in)
			return -1;
		if (stopped) {
			rec->error = xasprintf("container %s stopped again with "
					       "code %d right after it was "
					       "started", st->name, exit_code);
			return -1;
		}
		if (!running)
			up_since = 0;
		else if (!up_since)
			up_since = now_ms();
		else if (now_ms() - up_since >= CS_SETTLE_MS)
			return 0;
		cs_sleep_ms(CS_POLL_MS);
	}
	if (!rec->error)
		rec->error = xasprintf("container %s was not running %d s after "
				       "it was started", st->name,
				       CS_WAIT_MS / 1000);
	return -1;
}

static enum fix_outcome cs_post(const struct container_state *st,
				const char *verb, int64_t end,
				struct fix_record *rec)
{
	char *path = xasprintf("/containers/%s/%s", st->name, verb);
	struct container_reply reply = { 0 };
	int rc = container_request(st, "POST", path, end, &reply);
	enum fix_outcome out = FIX_APPLIED;

	/* 204 done, 304 already in that state. */
	if (rc < 0 || (reply.status != 204 && reply.status != 304)) {
		rec->error = xasprintf("POST %s on %s failed: %s", path,
				       st->engine, rc < 0 ? reply.error :
				       buf_cstr(&reply.body));
		out = FIX_FAILED;
	}
	buf_release(&reply.body);
	free(path);
	return out;
}

static enum fix_outcome cs_apply(const struct fix_ctx *ctx,
				 struct fix_record *rec)
{
	const struct container_state *st = ctx->state;
	const char *verb;
	cJSON *in;

	if (!st->name || !st->fix_restart) {
		fix_record_action(rec, "nothing done: the check's config does "
				  "not say \"fix\": {\"restart\": true}");
		return FIX_NOTHING;
	}
	in = cs_inspect(st, ctx->deadline, rec);
	if (!in)
		return FIX_NOTHING;
	verb = container_running(in) || container_restarting(in) ?
	       "restart" : "start";
	cJSON_Delete(in);

	fix_record_action(rec, "POST /containers/%s/%s on %s, then wait until "
			  "it runs", st->name, verb, st->engine);
	if (ctx->dry_run)
		return FIX_APPLIED;
	if (cs_post(st, verb, ctx->deadline, rec) == FIX_FAILED)
		return FIX_FAILED;
	if (cs_wait_running(st, ctx->deadline, rec) < 0)
		return FIX_FAILED;
	return FIX_APPLIED;
}

const struct fix_type fix_container_start = {
	.name = "container-start",
	.summary = "start or restart a container through the engine API and "
		   "wait until it runs",
	.check = "container",
	.apply = cs_apply,
};
