/*
 * The runner's promises, checked with fake check types whose run functions
 * sleep, pass or fail on cue and record when they started and ended:
 * dependency order, concurrency up to --jobs, skips that name the failed
 * prerequisite, severity, deadlines that hold while others finish, results
 * in config order, --wait retries, fixes proven by a re-check, and "see"
 * cross-links. Timing asserts are loose: the machine may be busy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../core/config.h"
#include "../../core/runner.h"
#include "../../core/util.h"

#define NEVER 1000	/* fail_until: fails on every attempt */
#define MAX_FAKES 8

/* What a fake check does and, once run, what it saw. */
struct fake {
	int sleep_ms;
	int fail_until;		/* attempts 1..fail_until fail */
	const char *see;	/* a check type to point at, or NULL */
	int attempts;		/* recorded, under fake_lock */
	int seq;
	int64_t start, end;
};

static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static int fake_seq;

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0)
		;
}

static void add_see(struct result *res, const char *type)
{
	cJSON *see = cJSON_AddArrayToObject(result_details(res), "see");
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "type", type);
	cJSON_AddStringToObject(e, "why", "the root cause lives there");
	cJSON_AddItemToArray(see, e);
}

static void fake_run(void *state, const struct check_ctx *ctx,
		     struct result *res)
{
	struct fake *f = state;
	int attempt;

	pthread_mutex_lock(&fake_lock);
	attempt = ++f->attempts;
	f->seq = ++fake_seq;
	f->start = now_ms();
	pthread_mutex_unlock(&fake_lock);

	sleep_ms(f->sleep_ms);
	if (attempt <= f->fail_until) {
		result_fail(res, "%s failed on attempt %d", ctx->id, attempt);
		result_hint(res, "repair %s", ctx->id);
	} else {
		result_pass(res, "%s passed on attempt %d", ctx->id, attempt);
	}
	if (f->see)
		add_see(res, f->see);

	pthread_mutex_lock(&fake_lock);
	f->end = now_ms();
	pthread_mutex_unlock(&fake_lock);
}

static const struct check_type fake_type = {
	.name = "fake",
	.run = fake_run,
};

static const struct check_type other_type = {
	.name = "other",
	.run = fake_run,
};

/* A config of fake checks, built by hand. */
struct fixture {
	struct config cfg;
	struct fake fakes[MAX_FAKES];
	struct run run;
};

static int fixture_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	fx->cfg.checks = calloc(MAX_FAKES + 1, sizeof(*fx->cfg.checks));
	fx->cfg.base_dir = strdup("/tmp");
	pthread_mutex_lock(&fake_lock);
	fake_seq = 0;
	pthread_mutex_unlock(&fake_lock);
	*state = fx;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *fx = *state;

	run_release(&fx->run);
	config_release(&fx->cfg);
	free(fx);
	return 0;
}

/*
 * Adds check `id` of `type` needing the space-separated ids in `needs`;
 * returns its fake for the test to set up.
 */
static struct fake *add(struct fixture *fx, const char *id,
			const struct check_type *type, const char *needs)
{
	size_t i = fx->cfg.nchecks++;
	struct check *c = &fx->cfg.checks[i];
	char *copy = strdup(needs ? needs : ""), *tok, *save = NULL;

	assert_true(i < MAX_FAKES);
	c->id = strdup(id);
	c->type = type;
	c->timeout_ms = 5000;
	c->state = &fx->fakes[i];
	c->needs = calloc(MAX_FAKES + 1, sizeof(char *));
	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		c->needs[c->nneeds++] = strdup(tok);
	free(copy);
	return &fx->fakes[i];
}

/* Resolves every check's needs to indexes, as config loading does. */
static void resolve(struct fixture *fx)
{
	size_t i, k;

	for (i = 0; i < fx->cfg.nchecks; i++) {
		struct check *c = &fx->cfg.checks[i];

		c->need_idx = calloc(c->nneeds + 1, sizeof(size_t));
		for (k = 0; k < c->nneeds; k++) {
			long j = config_find(&fx->cfg, c->needs[k]);

			assert_true(j >= 0);
			c->need_idx[k] = (size_t)j;
		}
	}
}

static void run_with(struct fixture *fx, const struct run_opts *o)
{
	char *cause = NULL;

	resolve(fx);
	if (runner_run(&fx->cfg, o, &fx->run, &cause) < 0)
		fail_msg("runner failed: %s", cause);
}

static void run_jobs(struct fixture *fx, int jobs)
{
	struct run_opts o = { .jobs = jobs };

	run_with(fx, &o);
}

static const struct result *result_of(struct fixture *fx, const char *id)
{
	long i = config_find(&fx->cfg, id);

	assert_true(i >= 0);
	return &fx->run.results[i];
}

static void assert_contains(const char *s, const char *part)
{
	assert_non_null(s);
	if (!strstr(s, part))
		fail_msg("'%s' does not contain '%s'", s, part);
}

/* The most fakes that were running at any one moment. */
static int most_at_once(const struct fixture *fx)
{
	size_t i, j, n = fx->cfg.nchecks;
	int best = 0;

	for (i = 0; i < n; i++) {
		int at = 0;

		for (j = 0; j < n; j++)
			at += fx->fakes[j].start <= fx->fakes[i].start &&
			      fx->fakes[i].start < fx->fakes[j].end;
		if (at > best)
			best = at;
	}
	return best;
}

static void test_a_check_starts_after_its_needs_end(void **state)
{
	struct fixture *fx = *state;
	struct fake *a = add(fx, "a", &fake_type, NULL);
	struct fake *b = add(fx, "b", &fake_type, "a");
	struct fake *c = add(fx, "c", &fake_type, "b a");

	a->sleep_ms = 80;
	b->sleep_ms = 40;
	run_jobs(fx, 8);
	assert_true(b->start >= a->end);
	assert_true(c->start >= b->end);
	assert_int_equal(result_of(fx, "c")->status, STATUS_PASS);
}

static void test_independent_checks_run_at_the_same_time(void **state)
{
	struct fixture *fx = *state;
	const char *ids[] = { "a", "b", "c", "d" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		add(fx, ids[i], &fake_type, NULL)->sleep_ms = 300;
	run_jobs(fx, 8);
	assert_int_equal(most_at_once(fx), 4);
	assert_true(fx->run.duration_ms < 900);
}

static void test_jobs_caps_how_many_run_at_once(void **state)
{
	struct fixture *fx = *state;
	const char *ids[] = { "a", "b", "c", "d", "e" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		add(fx, ids[i], &fake_type, NULL)->sleep_ms = 100;
	run_jobs(fx, 2);
	assert_int_equal(most_at_once(fx), 2);
	assert_true(fx->run.duration_ms >= 300);
}

static void test_one_job_runs_checks_one_after_another(void **state)
{
	struct fixture *fx = *state;
	const char *ids[] = { "a", "b", "c" };
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		add(fx, ids[i], &fake_type, NULL)->sleep_ms = 50;
	run_jobs(fx, 1);
	assert_int_equal(most_at_once(fx), 1);
	for (i = 0; i < ARRAY_SIZE(ids); i++)
		for (j = 0; j < ARRAY_SIZE(ids); j++)
			if (fx->fakes[j].seq == fx->fakes[i].seq + 1)
				assert_true(fx->fakes[j].start >=
					    fx->fakes[i].end);
}

static void test_failed_need_skips_dependent_naming_it(void **state)
{
	struct fixture *fx = *state;
	struct fake *b;

	add(fx, "db", &fake_type, NULL)->fail_until = NEVER;
	b = add(fx, "api", &fake_type, "db");
	run_jobs(fx, 8);
	assert_int_equal(result_of(fx, "db")->status, STATUS_FAIL);
	assert_int_equal(result_of(fx, "api")->status, STATUS_SKIP);
	assert_contains(result_of(fx, "api")->message, "'db'");
	assert_contains(result_of(fx, "api")->message, "did not pass");
	assert_int_equal(b->attempts, 0);
}

/*
 * The runner used to sleep its 100 ms housekeeping tick after a failure
 * before skipping what depended on it; a refused backend must be
 * reported, dependents and all, at once.
 */
static void test_dependents_of_a_failure_are_skipped_without_a_pause(
	void **state)
{
	struct fixture *fx = *state;

	add(fx, "port", &fake_type, NULL)->fail_until = NEVER;
	add(fx, "health", &fake_type, "port");
	add(fx, "docs", &fake_type, "health");
	run_jobs(fx, 8);
	assert_int_equal(result_of(fx, "docs")->status, STATUS_SKIP);
	if (fx->run.duration_ms >= 80)
		fail_msg("the run took %lld ms for one instant failure",
			 (long long)fx->run.duration_ms);
}

static void test_skipped_need_skips_its_dependents_too(void **state)
{
	struct fixture *fx = *state;

	add(fx, "db", &fake_type, NULL)->fail_until = NEVER;
	add(fx, "api", &fake_type, "db");
	add(fx, "docs", &fake_type, "api");
	run_jobs(fx, 8);
	assert_int_equal(result_of(fx, "docs")->status, STATUS_SKIP);
	assert_contains(result_of(fx, "docs")->message, "'api'");
	assert_contains(result_of(fx, "docs")->message, "was skipped");
	assert_int_equal(fx->fakes[2].attempts, 0);
}

static void test_one_failed_need_of_two_is_enough_to_skip(void **state)
{
	struct fixture *fx = *state;

	add(fx, "ok", &fake_type, NULL);
	add(fx, "bad", &fake_type, NULL)->fail_until = NEVER;
	add(fx, "both", &fake_type, "ok bad");
	run_jobs(fx, 8);
	assert_int_equal(result_of(fx, "both")->status, STATUS_SKIP);
	assert_contains(result_of(fx, "both")->message, "'bad'");
}

static void test_severity_warn_reports_failure_as_warn(void **state)
{
	struct fixture *fx = *state;

	add(fx, "lint", &fake_type, NULL)->fail_until = NEVER;
	fx->cfg.checks[0].severity_warn = 1;
	run_jobs(fx, 8);
	assert_int_equal(result_of(fx, "lint")->status, STATUS_WARN);
	assert_int_equal(result_of(fx, "lint")->failed, 1);
}

static void test_severity_warn_passing_check_stays_pass(void **state)
{
	struct fixture *fx = *state;

	add(fx, "lint", &fake_type, NULL);
	fx->cfg.checks[0].severity_warn = 1;
	run_jobs(fx, 8);
	assert_int_equal(result_of(fx, "lint")->status, STATUS_PASS);
	assert_int_equal(result_of(fx, "lint")->failed, 0);
}

static void test_warned_failure_still_blocks_dependents(void **state)
{
	struct fixture *fx = *state;

	add(fx, "lint", &fake_type, NULL)->fail_until = NEVER;
	fx->cfg.checks[0].severity_warn = 1;
	add(fx, "after", &fake_type, "lint");
	run_jobs(fx, 8);
	assert_int_equal(result_of(fx, "after")->status, STATUS_SKIP);
	assert_contains(result_of(fx, "after")->message, "'lint'");
}

/*
 * Ignores its deadline for two seconds. Its state is never freed, and it
 * touches nothing else after sleeping: the test has released the config.
 */
static void hung_run(void *state, const struct check_ctx *ctx,
		     struct result *res)
{
	int *done = state;

	sleep_ms(2000);
	result_pass(res, "answered, far too late");
	*done = 1;
}

static const struct check_type hung_type = {
	.name = "hung",
	.run = hung_run,
};

static void test_overrun_fails_at_deadline_others_finish(void **state)
{
	/* Static: the abandoned worker writes it after the test is over. */
	static int hung_done;
	struct fixture *fx = *state;
	const struct result *hung;

	add(fx, "quick", &fake_type, NULL)->sleep_ms = 20;
	add(fx, "hung", &hung_type, NULL);
	fx->cfg.checks[1].state = &hung_done;
	fx->cfg.checks[1].timeout_ms = 300;
	add(fx, "steady", &fake_type, NULL)->sleep_ms = 200;
	run_jobs(fx, 8);

	hung = result_of(fx, "hung");
	assert_int_equal(hung->status, STATUS_FAIL);
	assert_int_equal(hung->timed_out, 1);
	assert_contains(hung->message, "deadline");
	assert_true(hung->duration_ms >= 300);
	assert_true(hung->duration_ms < 300 + 400);
	assert_true(fx->run.duration_ms < 300 + 400);
	assert_int_equal(fx->run.abandoned, 1);
	assert_int_equal(result_of(fx, "quick")->status, STATUS_PASS);
	assert_int_equal(result_of(fx, "steady")->status, STATUS_PASS);
}

static void test_dependent_of_an_overrun_check_is_skipped(void **state)
{
	static int hung_done;
	struct fixture *fx = *state;

	add(fx, "hung", &hung_type, NULL);
	fx->cfg.checks[0].state = &hung_done;
	fx->cfg.checks[0].timeout_ms = 100;
	add(fx, "after", &fake_type, "hung");
	run_jobs(fx, 8);
	assert_int_equal(result_of(fx, "after")->status, STATUS_SKIP);
	assert_contains(result_of(fx, "after")->message, "'hung'");
}

static void test_results_come_back_in_config_order(void **state)
{
	struct fixture *fx = *state;
	const char *ids[] = { "slow", "fast", "middle" };
	int sleeps[] = { 200, 0, 100 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		add(fx, ids[i], &fake_type, NULL)->sleep_ms = sleeps[i];
	run_jobs(fx, 8);
	assert_true(fx->fakes[1].end < fx->fakes[0].end);
	assert_int_equal(fx->run.n, 3);
	for (i = 0; i < ARRAY_SIZE(ids); i++)
		assert_int_equal(strncmp(fx->run.results[i].message, ids[i],
					 strlen(ids[i])), 0);
}

static void silent_run(void *state, const struct check_ctx *ctx,
		       struct result *res)
{
}

static const struct check_type silent_type = {
	.name = "silent",
	.run = silent_run,
};

static void test_check_that_records_nothing_fails(void **state)
{
	struct fixture *fx = *state;

	add(fx, "mute", &silent_type, NULL);
	run_jobs(fx, 8);
	assert_int_equal(result_of(fx, "mute")->status, STATUS_FAIL);
	assert_contains(result_of(fx, "mute")->message, "without a result");
}

static void test_every_check_has_a_duration(void **state)
{
	struct fixture *fx = *state;

	add(fx, "a", &fake_type, NULL)->sleep_ms = 60;
	run_jobs(fx, 8);
	assert_true(result_of(fx, "a")->duration_ms >= 50);
	assert_int_equal(result_of(fx, "a")->attempts, 1);
	assert_true(fx->run.started_epoch_ms > 0);
}

static void test_wait_retries_until_the_third_attempt_passes(void **state)
{
	struct fixture *fx = *state;
	struct run_opts o = { .jobs = 8, .wait_ms = 5000 };
	struct fake *f = add(fx, "backend", &fake_type, NULL);

	f->fail_until = 2;
	run_with(fx, &o);
	assert_int_equal(result_of(fx, "backend")->status, STATUS_PASS);
	assert_int_equal(result_of(fx, "backend")->attempts, 3);
	assert_int_equal(f->attempts, 3);
	assert_true(fx->run.duration_ms < 2000);
}

static void test_wait_gives_up_when_its_time_is_over(void **state)
{
	struct fixture *fx = *state;
	struct run_opts o = { .jobs = 8, .wait_ms = 400 };

	add(fx, "down", &fake_type, NULL)->fail_until = NEVER;
	run_with(fx, &o);
	assert_int_equal(result_of(fx, "down")->status, STATUS_FAIL);
	assert_true(result_of(fx, "down")->attempts >= 2);
	assert_true(fx->run.duration_ms >= 300);
	assert_true(fx->run.duration_ms < 400 + 600);
}

static void test_wait_does_not_rerun_passing_checks(void **state)
{
	struct fixture *fx = *state;
	struct run_opts o = { .jobs = 8, .wait_ms = 5000 };

	add(fx, "up", &fake_type, NULL);
	add(fx, "late", &fake_type, NULL)->fail_until = 1;
	run_with(fx, &o);
	assert_int_equal(fx->fakes[0].attempts, 1);
	assert_int_equal(result_of(fx, "late")->status, STATUS_PASS);
}

static void test_wait_reruns_dependents_once_the_need_passes(void **state)
{
	struct fixture *fx = *state;
	struct run_opts o = { .jobs = 8, .wait_ms = 5000 };

	add(fx, "db", &fake_type, NULL)->fail_until = 1;
	add(fx, "api", &fake_type, "db");
	run_with(fx, &o);
	assert_int_equal(result_of(fx, "api")->status, STATUS_PASS);
	assert_int_equal(fx->fakes[1].attempts, 1);
}

/* "attempts" counts runs of the check; being skipped is not a run. */
static void test_skips_do_not_count_as_attempts(void **state)
{
	struct fixture *fx = *state;
	struct run_opts o = { .jobs = 8, .wait_ms = 5000 };

	add(fx, "db", &fake_type, NULL)->fail_until = 1;
	add(fx, "api", &fake_type, "db");
	run_with(fx, &o);
	assert_int_equal(result_of(fx, "api")->attempts,
			 fx->fakes[1].attempts);
}

static void test_unselected_checks_do_not_run(void **state)
{
	struct fixture *fx = *state;
	unsigned char selected[2] = { 0, 1 };
	struct run_opts o = { .jobs = 8, .selected = selected };

	add(fx, "left-out", &fake_type, NULL);
	add(fx, "chosen", &fake_type, NULL);
	run_with(fx, &o);
	assert_int_equal(fx->fakes[0].attempts, 0);
	assert_int_equal(fx->run.ran[0], 0);
	assert_int_equal(fx->run.ran[1], 1);
	assert_int_equal(result_of(fx, "chosen")->status, STATUS_PASS);
}

static void test_selecting_a_check_selects_its_needs(void **state)
{
	struct fixture *fx = *state;
	unsigned char selected[4] = { 0, 0, 1, 0 };

	add(fx, "a", &fake_type, NULL);
	add(fx, "b", &fake_type, "a");
	add(fx, "c", &fake_type, "b");
	add(fx, "unrelated", &fake_type, NULL);
	resolve(fx);
	runner_select_needs(&fx->cfg, selected);
	assert_int_equal(selected[0], 1);
	assert_int_equal(selected[1], 1);
	assert_int_equal(selected[2], 1);
	assert_int_equal(selected[3], 0);
}

static void test_failed_check_without_fix_gets_no_fix_record(void **state)
{
	struct fixture *fx = *state;
	struct run_opts o = { .jobs = 8, .fix = 1 };

	add(fx, "broken", &fake_type, NULL)->fail_until = NEVER;
	run_with(fx, &o);
	assert_int_equal(result_of(fx, "broken")->status, STATUS_FAIL);
	assert_null(result_of(fx, "broken")->fix);
	assert_int_equal(fx->fakes[0].attempts, 1);
}

static void test_see_link_gets_the_id_of_that_types_check(void **state)
{
	struct fixture *fx = *state;
	const cJSON *see;

	add(fx, "logs", &fake_type, NULL)->see = "other";
	add(fx, "deps", &other_type, NULL);
	run_jobs(fx, 8);
	see = cJSON_GetObjectItem(result_of(fx, "logs")->details, "see");
	assert_int_equal(cJSON_GetArraySize(see), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
				    cJSON_GetArrayItem(see, 0), "id")), "deps");
}

static void test_see_link_without_such_check_has_no_id(void **state)
{
	struct fixture *fx = *state;
	const cJSON *see;

	add(fx, "logs", &fake_type, NULL)->see = "python-deps";
	add(fx, "deps", &other_type, NULL);
	run_jobs(fx, 8);
	see = cJSON_GetObjectItem(result_of(fx, "logs")->details, "see");
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(see, 0), "id"));
}

static void test_see_link_ignores_checks_that_did_not_run(void **state)
{
	struct fixture *fx = *state;
	unsigned char selected[2] = { 1, 0 };
	struct run_opts o = { .jobs = 8, .selected = selected };
	const cJSON *see;

	add(fx, "logs", &fake_type, NULL)->see = "other";
	add(fx, "deps", &other_type, NULL);
	run_with(fx, &o);
	see = cJSON_GetObjectItem(result_of(fx, "logs")->details, "see");
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(see, 0), "id"));
}

/* Progress events, as the command line's spinner receives them. */
struct events {
	int started[MAX_FAKES];
	int ended[MAX_FAKES];
	int order_ok;
};

static void on_progress(void *data, size_t idx, int running)
{
	struct events *ev = data;

	if (running) {
		ev->started[idx]++;
	} else {
		ev->ended[idx]++;
		if (!ev->started[idx])
			ev->order_ok = 0;
	}
}

static void test_progress_reports_each_start_and_end(void **state)
{
	struct fixture *fx = *state;
	struct events ev = { .order_ok = 1 };
	struct run_opts o = { .jobs = 8, .progress = on_progress,
			      .progress_data = &ev };
	size_t i;

	add(fx, "a", &fake_type, NULL)->sleep_ms = 20;
	add(fx, "b", &fake_type, "a");
	add(fx, "c", &fake_type, NULL);
	run_with(fx, &o);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ev.started[i], 1);
		assert_int_equal(ev.ended[i], 1);
	}
	assert_int_equal(ev.order_ok, 1);
}

static void interrupting_run(void *state, const struct check_ctx *ctx,
			     struct result *res)
{
	runner_interrupt(SIGINT);
	result_pass(res, "%s asked to stop", ctx->id);
}

static const struct check_type interrupting_type = {
	.name = "interrupting",
	.run = interrupting_run,
};

/*
 * Must run last: the runner keeps the stop request for the rest of the
 * process, as the command line wants after Ctrl-C.
 */
static void test_interrupt_reports_pending_checks_not_run(void **state)
{
	struct fixture *fx = *state;

	add(fx, "first", &interrupting_type, NULL);
	add(fx, "second", &fake_type, "first");
	add(fx, "third", &fake_type, "second");
	run_jobs(fx, 1);
	assert_int_equal(fx->run.interrupted, SIGINT);
	assert_int_equal(result_of(fx, "third")->status, STATUS_SKIP);
	assert_contains(result_of(fx, "third")->message, "interrupted");
	assert_int_equal(fx->fakes[1].attempts + fx->fakes[2].attempts, 0);
}

/*
 * The fix path through the real chmod fix (fixes are found by name in
 * fixes/registry.c, so a fake fix cannot be plugged in): a script without
 * its executable bit, and a second check that needs the first.
 */
struct fix_fixture {
	char dir[64];
	char *script;
	struct config cfg;
	struct run run;
};

static const char fix_config[] = "{\"checks\": [\n"
	"{\"id\": \"script\", \"type\": \"permissions\", \"paths\": "
	"[{\"path\": \"run.sh\", \"mode\": \"executable\", "
	"\"kind\": \"file\"}]},\n"
	"{\"id\": \"after\", \"type\": \"permissions\", "
	"\"paths\": [\"run.sh\"], \"needs\": [\"script\"]}]}";

/* A second check that does not need the first; it becomes a fake. */
static const char follow_config[] = "{\"checks\": [\n"
	"{\"id\": \"script\", \"type\": \"permissions\", \"paths\": "
	"[{\"path\": \"run.sh\", \"mode\": \"executable\"}]},\n"
	"{\"id\": \"logs\", \"type\": \"permissions\", "
	"\"paths\": [\"run.sh\"]}]}";

/* A file the chmod fix cannot bring back. */
static const char missing_config[] = "{\"checks\": [\n"
	"{\"id\": \"script\", \"type\": \"permissions\", \"paths\": "
	"[{\"path\": \"gone.sh\", \"mode\": \"executable\"}]}]}";

static int fix_setup_with(void **state, const char *text)
{
	struct fix_fixture *fx = calloc(1, sizeof(*fx));
	struct config_opts co = { .default_timeout_ms = 5000 };
	char *cause = NULL;
	FILE *f;

	strcpy(fx->dir, "/tmp/preflight-unit-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	fx->script = path_join(fx->dir, "run.sh");
	f = fopen(fx->script, "w");
	fputs("#!/bin/sh\n", f);
	fclose(f);
	chmod(fx->script, 0644);
	if (config_load_text(&fx->cfg, text, strlen(text), "fix.json",
			     fx->dir, &co, &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		return -1;
	}
	*state = fx;
	return 0;
}

static int fix_setup(void **state)
{
	return fix_setup_with(state, fix_config);
}

static int follow_setup(void **state)
{
	return fix_setup_with(state, follow_config);
}

static int missing_setup(void **state)
{
	return fix_setup_with(state, missing_config);
}

static int fix_teardown(void **state)
{
	struct fix_fixture *fx = *state;

	run_release(&fx->run);
	config_release(&fx->cfg);
	unlink(fx->script);
	rmdir(fx->dir);
	free(fx->script);
	free(fx);
	return 0;
}

static mode_t mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_mode & 07777;
}

static void fix_run(struct fix_fixture *fx, int dry_run)
{
	struct run_opts o = { .jobs = 8, .fix = 1, .dry_run = dry_run };
	char *cause = NULL;

	if (runner_run(&fx->cfg, &o, &fx->run, &cause) < 0)
		fail_msg("runner failed: %s", cause);
}

static void test_dry_run_fix_records_actions_changes_nothing(void **state)
{
	struct fix_fixture *fx = *state;
	const struct result *r;

	fix_run(fx, 1);
	r = &fx->run.results[0];
	assert_non_null(r->fix);
	assert_string_equal(r->fix->name, "chmod");
	assert_true(cJSON_GetArraySize(r->fix->actions) >= 1);
	assert_contains(cJSON_GetArrayItem(r->fix->actions, 0)->valuestring,
			"run.sh");
	assert_int_equal(r->fix->dry_run, 1);
	assert_int_equal(r->fix->applied, 0);
	assert_int_equal(r->fix->rechecked, 0);
	assert_int_equal(r->status, STATUS_FAIL);
	assert_int_equal(r->attempts, 1);
	assert_int_equal(mode_of(fx->script), 0644);
	assert_int_equal(fx->run.results[1].status, STATUS_SKIP);
}

static void test_applied_fix_is_proven_by_a_recheck(void **state)
{
	struct fix_fixture *fx = *state;
	const struct result *r;

	fix_run(fx, 0);
	r = &fx->run.results[0];
	assert_non_null(r->fix);
	assert_int_equal(r->fix->applied, 1);
	assert_int_equal(r->fix->rechecked, 1);
	assert_int_equal(r->fix->recheck, STATUS_PASS);
	assert_null(r->fix->error);
	assert_int_equal(r->status, STATUS_PASS);
	assert_true(mode_of(fx->script) & S_IXUSR);
}

static void test_fix_that_can_do_nothing_is_not_rechecked(void **state)
{
	struct fix_fixture *fx = *state;
	const struct result *r;

	fix_run(fx, 0);
	r = &fx->run.results[0];
	assert_non_null(r->fix);
	assert_int_equal(r->fix->attempted, 1);
	assert_int_equal(r->fix->applied, 0);
	assert_int_equal(r->fix->rechecked, 0);
	assert_int_equal(r->status, STATUS_FAIL);
	assert_int_equal(r->attempts, 1);
	assert_contains(cJSON_GetArrayItem(r->fix->actions, 0)->valuestring,
			"nothing");
}

/*
 * Turns the fixture's second check into a fake that fails once and whose
 * diagnosis points at the permissions check, as a log scan points at the
 * check that owns the root cause. The caller frees the returned fake.
 */
static struct fake *make_follower(struct fix_fixture *fx)
{
	struct check *c = &fx->cfg.checks[1];
	struct fake *f = calloc(1, sizeof(*f));

	c->type->release(c->state);
	c->type = &fake_type;
	c->state = f;
	f->fail_until = 1;
	f->see = "permissions";
	return f;
}

static void test_check_pointing_at_a_repaired_one_runs_again(void **state)
{
	struct fix_fixture *fx = *state;
	struct fake *f = make_follower(fx);

	fix_run(fx, 0);
	assert_int_equal(f->attempts, 2);
	assert_int_equal(fx->run.results[1].status, STATUS_PASS);
	free(f);
}

static void test_dry_run_runs_no_check_again(void **state)
{
	struct fix_fixture *fx = *state;
	struct fake *f = make_follower(fx);

	fix_run(fx, 1);
	assert_int_equal(f->attempts, 1);
	assert_int_equal(fx->run.results[1].status, STATUS_FAIL);
	free(f);
}

static void test_dependent_skipped_before_fix_runs_after_it(void **state)
{
	struct fix_fixture *fx = *state;

	fix_run(fx, 0);
	assert_int_equal(fx->run.results[1].status, STATUS_PASS);
	assert_null(fx->run.results[1].fix);
}

#define FAKE_TEST(f) \
	cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)
#define FIX_TEST(f) cmocka_unit_test_setup_teardown(f, fix_setup, fix_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FAKE_TEST(test_a_check_starts_after_its_needs_end),
		FAKE_TEST(test_independent_checks_run_at_the_same_time),
		FAKE_TEST(test_jobs_caps_how_many_run_at_once),
		FAKE_TEST(test_one_job_runs_checks_one_after_another),
		FAKE_TEST(test_failed_need_skips_dependent_naming_it),
		FAKE_TEST(test_dependents_of_a_failure_are_skipped_without_a_pause),
		FAKE_TEST(test_skipped_need_skips_its_dependents_too),
		FAKE_TEST(test_one_failed_need_of_two_is_enough_to_skip),
		FAKE_TEST(test_severity_warn_reports_failure_as_warn),
		FAKE_TEST(test_severity_warn_passing_check_stays_pass),
		FAKE_TEST(test_warned_failure_still_blocks_dependents),
		FAKE_TEST(test_overrun_fails_at_deadline_others_finish),
		FAKE_TEST(test_dependent_of_an_overrun_check_is_skipped),
		FAKE_TEST(test_results_come_back_in_config_order),
		FAKE_TEST(test_check_that_records_nothing_fails),
		FAKE_TEST(test_every_check_has_a_duration),
		FAKE_TEST(test_wait_retries_until_the_third_attempt_passes),
		FAKE_TEST(test_wait_gives_up_when_its_time_is_over),
		FAKE_TEST(test_wait_does_not_rerun_passing_checks),
		FAKE_TEST(test_wait_reruns_dependents_once_the_need_passes),
		FAKE_TEST(test_skips_do_not_count_as_attempts),
		FAKE_TEST(test_unselected_checks_do_not_run),
		FAKE_TEST(test_selecting_a_check_selects_its_needs),
		FAKE_TEST(test_failed_check_without_fix_gets_no_fix_record),
		FAKE_TEST(test_see_link_gets_the_id_of_that_types_check),
		FAKE_TEST(test_see_link_without_such_check_has_no_id),
		FAKE_TEST(test_see_link_ignores_checks_that_did_not_run),
		FIX_TEST(test_dry_run_fix_records_actions_changes_nothing),
		FIX_TEST(test_applied_fix_is_proven_by_a_recheck),
		FIX_TEST(test_dependent_skipped_before_fix_runs_after_it),
		cmocka_unit_test_setup_teardown(
			test_check_pointing_at_a_repaired_one_runs_again,
			follow_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(
			test_dry_run_runs_no_check_again,
			follow_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(
			test_fix_that_can_do_nothing_is_not_rechecked,
			missing_setup, fix_teardown),
		FAKE_TEST(test_progress_reports_each_start_and_end),
		FAKE_TEST(test_interrupt_reports_pending_checks_not_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
