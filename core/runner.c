/*
 * The runner: schedules checks on worker threads in dependency order, cuts
 * each at its deadline, retries with --wait, applies fixes with --fix and
 * proves them by running their checks again.
 *
 * One mutex guards the scheduling state. Workers run a check without the
 * lock and take it only to hand back the result. A worker that overruns its
 * deadline is abandoned: the runner records a failure at once, and the job
 * is freed by whichever of the two lets go of it last.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fix.h"
#include "log.h"
#include "proc.h"
#include "runner.h"
#include "util.h"

/* How long past its deadline a check may take to report its own failure. */
#define DEADLINE_GRACE_MS 150
/* The longest a fix may take (a pip install, a service restart). */
#define FIX_TIMEOUT_MS (300 * 1000)
/* --wait backoff: from 100 ms, doubling, capped at 2 s. */
#define BACKOFF_START_MS 100
#define BACKOFF_CAP_MS 2000

enum state { PENDING, RUNNING, DONE };

struct job {
	const struct check *check;
	struct check_ctx ctx;
	struct result res;
	int finished;		/* the worker handed its result back */
	int abandoned;		/* the runner gave up waiting */
	int refs;		/* the runner and the worker */
	struct sched *sched;
	pthread_t tid;
};

struct sched {
	const struct config *cfg;
	const struct run_opts *opts;
	struct run *run;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum state *state;
	struct job **jobs;	/* the running job of each check, or NULL */
	int running;
	struct sched *next_kept;	/* in kept_scheds */
};

/*
 * Schedulers an abandoned worker may still lock. They are kept, not
 * freed, and stay reachable from here for the life of the process.
 */
static struct sched *kept_scheds;

static volatile sig_atomic_t stop_signal;

void runner_interrupt(int sig)
{
	stop_signal = sig ? sig : SIGINT;
	proc_kill_all();
}

static void job_unref(struct job *job)
{
	if (--job->refs == 0) {
		result_release(&job->res);
		free(job);
	}
}

static void *worker(void *arg)
{
	struct job *job = arg;
	struct sched *s = job->sched;
	int64_t start = now_ms();

	job->check->type->run(job->check->state, &job->ctx, &job->res);
	if (!job->res.message)
		result_fail(&job->res, "the check ended without a result");
	if (stop_signal && job->res.status == STATUS_FAIL) {
		/* Its child was killed by the interrupt, not by a fault. */
		result_release(&job->res);
		result_init(&job->res);
		result_skip(&job->res, "not run: interrupted");
	}
	job->res.duration_ms = now_ms() - start;

	pthread_mutex_lock(&s->lock);
	job->finished = 1;
	pthread_cond_broadcast(&s->cond);
	job_unref(job);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/*
 * Starts check i on a new thread. Called with the lock held. The thread is
 * joined when it finishes (so its thread-local state, OpenSSL's included,
 * is gone before exit) and detached only if it is abandoned.
 */
static int start_check(struct sched *s, size_t i)
{
	const struct check *c = &s->cfg->checks[i];
	struct job *job = xcalloc(1, sizeof(*job));

	job->check = c;
	job->sched = s;
	job->refs = 2;
	job->ctx.id = c->id;
	job->ctx.deadline = now_ms() + c->timeout_ms;
	job->ctx.base_dir = s->cfg->base_dir;
	job->ctx.verbose = log_level >= LOG_INFO;
	result_init(&job->res);

	if (pthread_create(&job->tid, NULL, worker, job)) {
		free(job);
		return -1;
	}
	s->jobs[i] = job;
	s->state[i] = RUNNING;
	s->running++;
	if (s->opts->progress)
		s->opts->progress(s->opts->progress_data, i, 1);
	return 0;
}

static void apply_severity(const struct check *c, struct result *r)
{
	r->failed = r->status == STATUS_FAIL;
	if (r->failed && c->severity_warn)
		r->status = STATUS_WARN;
}

/* Stores a finished (or cut) result. Called with the lock held. */
static void finish_check(struct sched *s, size_t i, struct result *r)
{
	struct result *dst = &s->run->results[i];
	int attempts = dst->attempts + (r->status != STATUS_SKIP);
	struct fix_record *fix = dst->fix;

	dst->fix = NULL;
	apply_severity(&s->cfg->checks[i], r);
	result_move(dst, r);
	dst->attempts = attempts;
	dst->fix = fix;
	s->state[i] = DONE;
	if (s->opts->progress)
		s->opts->progress(s->opts->progress_data, i, 0);
}

static void reap(struct sched *s, size_t i)
{
	struct job *job = s->jobs[i];

	/* It set `finished` and let go of the lock: it is returning now. */
	pthread_join(job->tid, NULL);
	finish_check(s, i, &job->res);
	s->jobs[i] = NULL;
	s->running--;
	job_unref(job);
}

static void cut(struct sched *s, size_t i, const char *why)
{
	struct job *job = s->jobs[i];
	struct result r;

	result_init(&r);
	if (stop_signal) {
		result_skip(&r, "not run: interrupted");
	} else {
		result_fail(&r, "no answer within the %.1f s deadline; the "
			    "check was stopped", job->check->timeout_ms / 1000.0);
		result_hint(&r, "%s", why);
		r.timed_out = 1;
	}
	r.duration_ms = now_ms() - (job->ctx.deadline - job->check->timeout_ms);
	job->abandoned = 1;
	pthread_detach(job->tid);
	s->run->abandoned++;
	finish_check(s, i, &r);
	s->jobs[i] = NULL;
	s->running--;
	job_unref(job);
}

/* 1 when need j lets its dependents run: it ran and did not fail. */
static int need_ok(const struct sched *s, size_t j)
{
	const struct result *r = &s->run->results[j];

	return !r->failed && r->status != STATUS_SKIP;
}

/*
 * Decides what check i can do now: start (1), wait for needs (0), or it
 * was skipped because a need did not pass (-1, result recorded).
 */
static int ready(struct sched *s, size_t i)
{
	const struct check *c = &s->cfg->checks[i];
	struct result r;
	size_t k, j;

	for (k = 0; k < c->nneeds; k++) {
		j = c->need_idx[k];
		if (s->state[j] != DONE)
			return 0;
		if (need_ok(s, j))
			continue;
		result_init(&r);
		result_skip(&r, "skipped: needs '%s', which %s", c->needs[k],
			    s->run->results[j].status == STATUS_SKIP
				    ? "was skipped" : "did not pass");
		finish_check(s, i, &r);
		return -1;
	}
	return 1;
}

/* Starts what can start; returns how many checks changed state. */
static int schedule(struct sched *s)
{
	size_t i;
	int changed = 0, r;

	for (i = 0; i < s->cfg->nchecks; i++) {
		if (s->state[i] != PENDING)
			continue;
		if (stop_signal) {
			struct result nr;

			result_init(&nr);
			result_skip(&nr, "not run: interrupted");
			finish_check(s, i, &nr);
			changed++;
			continue;
		}
		r = ready(s, i);
		if (r < 0)
			changed++;
		if (r <= 0 || s->running >= s->opts->jobs)
			continue;
		if (start_check(s, i) < 0) {
			struct result nr;

			result_init(&nr);
			result_fail(&nr, "could not start a thread for the "
				    "check: %s", strerror(errno));
			finish_check(s, i, &nr);
		}
		changed++;
	}
	return changed;
}

/* Reaps finished jobs and cuts overdue ones; returns the next wake time. */
static int64_t sweep(struct sched *s)
{
	int64_t now = now_ms(), wake = now + 100;
	size_t i;

	for (i = 0; i < s->cfg->nchecks; i++) {
		struct job *job = s->jobs[i];
		int64_t limit;

		if (!job)
			continue;
		if (job->finished) {
			reap(s, i);
			continue;
		}
		limit = job->ctx.deadline + DEADLINE_GRACE_MS;
		if (stop_signal)
			cut(s, i, "interrupted");
		else if (now >= limit)
			cut(s, i, "the service did not answer in time: check "
			    "that it is not hung, or raise this check's "
			    "\"timeout\"");
		else if (limit < wake)
			wake = limit;
	}
	return wake;
}

static void wait_until(struct sched *s, int64_t wake)
{
	struct timespec ts;
	int64_t left = wake - now_ms();

	if (left <= 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += left / 1000;
	ts.tv_nsec += (left % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&s->cond, &s->lock, &ts);
}

/* Runs every check marked in todo (others keep their results). */
static void run_round(struct sched *s, const unsigned char *todo)
{
	size_t i, pending = 0;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->cfg->nchecks; i++) {
		s->state[i] = todo[i] ? PENDING : DONE;
		pending += todo[i];
	}
	while (pending) {
		int64_t wake;

		schedule(s);
		wake = sweep(s);
		pending = 0;
		for (i = 0; i < s->cfg->nchecks; i++)
			pending += s->state[i] != DONE;
		if (!pending)
			break;
		/* A check just reaped may have let others start or skip. */
		if (schedule(s))
			continue;
		if (!s->running)
			break;	/* cannot happen: cycles are refused */
		wait_until(s, wake);
	}
	pthread_mutex_unlock(&s->lock);
}

/* Adds to todo every selected check that needs, directly or not, a todo one. */
static void add_dependents(const struct config *cfg, const unsigned char *sel,
			   unsigned char *todo)
{
	int grew = 1;
	size_t i, k;

	while (grew) {
		grew = 0;
		for (i = 0; i < cfg->nchecks; i++) {
			if (todo[i] || (sel && !sel[i]))
				continue;
			for (k = 0; k < cfg->checks[i].nneeds; k++) {
				if (todo[cfg->checks[i].need_idx[k]]) {
					todo[i] = 1;
					grew = 1;
					break;
				}
			}
		}
	}
}

/* Marks the failed checks (and what they hold up) to run again. */
static int failing(const struct sched *s, unsigned char *todo)
{
	size_t i;
	int n = 0;

	memset(todo, 0, s->cfg->nchecks);
	for (i = 0; i < s->cfg->nchecks; i++) {
		if (s->run->ran[i] && s->run->results[i].failed) {
			todo[i] = 1;
			n++;
		}
	}
	add_dependents(s->cfg, s->run->ran, todo);
	return n;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !stop_signal)
		;
}

/* --wait: retry failing checks with jittered exponential backoff. */
static void wait_for_ready(struct sched *s, unsigned char *todo)
{
	int64_t end = now_ms() + s->opts->wait_ms, delay = BACKOFF_START_MS;

	while (!stop_signal && failing(s, todo) && now_ms() < end) {
		int64_t pause = delay / 2 + rand() % (delay / 2 + 1);

		if (pause > end - now_ms())
			pause = end - now_ms();
		info("waiting %lld ms before trying the failing checks again",
		     (long long)pause);
		sleep_ms(pause);
		if (stop_signal || now_ms() >= end)
			break;
		run_round(s, todo);
		delay = delay * 2 > BACKOFF_CAP_MS ? BACKOFF_CAP_MS : delay * 2;
	}
}

static void apply_fix(struct sched *s, size_t i, const struct fix_type *fix)
{
	const struct check *c = &s->cfg->checks[i];
	struct result *r = &s->run->results[i];
	struct fix_record *rec = xcalloc(1, sizeof(*rec));
	struct fix_ctx ctx = {
		.id = c->id,
		.state = c->state,
		.failed = r,
		.dry_run = s->opts->dry_run,
		.deadline = now_ms() + FIX_TIMEOUT_MS,
		.base_dir = s->cfg->base_dir,
	};
	enum fix_outcome out;

	rec->name = xstrdup(fix->name);
	rec->actions = cJSON_CreateArray();
	rec->dry_run = s->opts->dry_run;
	rec->attempted = 1;
	info("fixing '%s' with %s%s", c->id, fix->name,
	     s->opts->dry_run ? " (dry run)" : "");
	out = fix->apply(&ctx, rec);
	rec->applied = out == FIX_APPLIED && !s->opts->dry_run;
	if (out == FIX_FAILED && !rec->error)
		rec->error = xstrdup("the fix failed without saying why");
	fix_record_free(r->fix);
	r->fix = rec;
}

/* Adds "id" to each details.see entry whose type has a check in the run. */
static void link_results(const struct config *cfg, struct run *run)
{
	size_t i, j;

	for (i = 0; i < cfg->nchecks; i++) {
		cJSON *see = cJSON_GetObjectItemCaseSensitive(
			run->results[i].details, "see");
		cJSON *e;

		cJSON_ArrayForEach(e, see) {
			const char *type = cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(e, "type"));

			if (cJSON_GetObjectItemCaseSensitive(e, "id"))
				continue;
			for (j = 0; type && j < cfg->nchecks; j++) {
				if (j == i || !run->ran[j] ||
				    strcmp(cfg->checks[j].type->name, type))
					continue;
				cJSON_AddStringToObject(e, "id",
							cfg->checks[j].id);
				break;
			}
		}
	}
}

/* 1 if check i's "see" links name a check marked in todo. */
static int sees_todo(const struct sched *s, size_t i, const unsigned char *todo)
{
	const cJSON *see = cJSON_GetObjectItemCaseSensitive(
		s->run->results[i].details, "see");
	const cJSON *e;
	long j;

	cJSON_ArrayForEach(e, see) {
		const char *id = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(e, "id"));

		j = id ? config_find(s->cfg, id) : -1;
		if (j >= 0 && todo[j])
			return 1;
	}
	return 0;
}

/*
 * After a fix, the checks that pointed at the repaired one (a log scan
 * that diagnosed the missing module) are run again too, with what needs
 * them, so one --fix run shows the whole repair.
 */
static void add_followers(const struct sched *s, unsigned char *todo)
{
	int grew = 1;
	size_t i;

	while (grew) {
		grew = 0;
		add_dependents(s->cfg, s->run->ran, todo);
		for (i = 0; i < s->cfg->nchecks; i++) {
			if (todo[i] || !s->run->ran[i] || !s->run->results[i].failed)
				continue;
			if (sees_todo(s, i, todo)) {
				todo[i] = 1;
				grew = 1;
			}
		}
	}
}

/* --fix: repair failed checks, then run them (and their dependents) again. */
static void fix_failed(struct sched *s, unsigned char *todo)
{
	size_t i;
	int any = 0;

	memset(todo, 0, s->cfg->nchecks);
	for (i = 0; i < s->cfg->nchecks && !stop_signal; i++) {
		const struct check *c = &s->cfg->checks[i];
		const struct fix_type *fix;

		if (!s->run->ran[i] || !s->run->results[i].failed ||
		    !c->type->fix)
			continue;
		fix = fix_type_find(c->type->fix);
		if (!fix)
			continue;
		apply_fix(s, i, fix);
		if (s->run->results[i].fix->applied) {
			todo[i] = 1;
			any = 1;
		}
	}
	if (!any || s->opts->dry_run || stop_signal)
		return;
	add_followers(s, todo);
	run_round(s, todo);
	for (i = 0; i < s->cfg->nchecks; i++) {
		struct fix_record *rec = s->run->results[i].fix;

		if (rec && rec->applied) {
			rec->rechecked = 1;
			rec->recheck = s->run->results[i].status;
		}
	}
}

void runner_select_needs(const struct config *cfg, unsigned char *selected)
{
	int grew = 1;
	size_t i, k;

	while (grew) {
		grew = 0;
		for (i = 0; i < cfg->nchecks; i++) {
			if (!selected[i])
				continue;
			for (k = 0; k < cfg->checks[i].nneeds; k++) {
				size_t j = cfg->checks[i].need_idx[k];

				if (!selected[j]) {
					selected[j] = 1;
					grew = 1;
				}
			}
		}
	}
}

int runner_run(const struct config *cfg, const struct run_opts *opts,
	       struct run *run, char **cause)
{
	/* On the heap: an abandoned worker may still take its lock later. */
	struct sched *s = xcalloc(1, sizeof(*s));
	char stamp[32];
	unsigned char *todo;
	int64_t start = now_ms();
	size_t i;

	memset(run, 0, sizeof(*run));
	run->n = cfg->nchecks;
	run->results = xcalloc(cfg->nchecks + 1, sizeof(*run->results));
	run->ran = xcalloc(cfg->nchecks + 1, 1);
	for (i = 0; i < cfg->nchecks; i++)
		run->ran[i] = opts->selected ? opts->selected[i] : 1;
	utc_timestamp(stamp, sizeof(stamp), &run->started_epoch_ms);
	s->cfg = cfg;
	s->opts = opts;
	s->run = run;
	s->state = xcalloc(cfg->nchecks + 1, sizeof(*s->state));
	s->jobs = xcalloc(cfg->nchecks + 1, sizeof(*s->jobs));
	todo = xcalloc(cfg->nchecks + 1, 1);
	if (pthread_mutex_init(&s->lock, NULL) ||
	    pthread_cond_init(&s->cond, NULL)) {
		*cause = xstrdup("cannot set up the runner's lock");
		return -1;
	}
	srand((unsigned)start ^ (unsigned)run->started_epoch_ms);

	run_round(s, run->ran);
	if (opts->wait_ms > 0)
		wait_for_ready(s, todo);
	link_results(cfg, run);
	if (opts->fix) {
		fix_failed(s, todo);
		link_results(cfg, run);
	}

	run->duration_ms = now_ms() - start;
	run->interrupted = stop_signal;
	free(todo);
	free(s->jobs);
	free(s->state);
	if (run->abandoned) {
		s->next_kept = kept_scheds;
		kept_scheds = s;
	} else {
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		free(s);
	}
	return 0;
}

void run_release(struct run *run)
{
	size_t i;

	for (i = 0; i < run->n; i++)
		result_release(&run->results[i]);
	free(run->results);
	free(run->ran);
	memset(run, 0, sizeof(*run));
}

int64_t deadline_left(const struct check_ctx *ctx)
{
	int64_t left = ctx->deadline - now_ms();

	return left > 0 ? left : 0;
}
