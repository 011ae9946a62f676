/*
 * Running a config's checks: in dependency order, up to `jobs` at once,
 * each cut at its deadline, then the fixes of failed checks and their
 * re-checks when asked. Results come back in config order.
 *
 * A check whose `needs` did not pass (failed, or skipped) is skipped with
 * the prerequisite named, so one root cause is reported once. A check that
 * is still running at its deadline is reported failed at once and its
 * thread abandoned; its state is then never freed.
 */
#ifndef PREFLIGHT_RUNNER_H
#define PREFLIGHT_RUNNER_H

#include <stdint.h>

#include "config.h"
#include "result.h"

struct run_opts {
	int jobs;		/* checks at the same time, >= 1 */
	int fix;		/* apply fixes of failed checks */
	int dry_run;		/* with fix: describe, change nothing */
	int64_t wait_ms;	/* --wait: retry failing checks this long */
	const unsigned char *selected;	/* per check, NULL: all */
	/* Called from the runner's thread as checks start and finish. */
	void (*progress)(void *data, size_t idx, int running);
	void *progress_data;
};

struct run {
	size_t n;
	struct result *results;	/* n entries, config order */
	unsigned char *ran;	/* 1 where the check was selected */
	int64_t started_epoch_ms;
	int64_t duration_ms;
	int interrupted;	/* the signal that stopped the run, or 0 */
	int abandoned;		/* checks cut at their deadline, still running */
};

/* Returns 0, or -1 with *cause set on an internal error. */
int runner_run(const struct config *cfg, const struct run_opts *opts,
	       struct run *run, char **cause);
void run_release(struct run *run);

/* Marks needs of selected checks selected too (positional IDs). */
void runner_select_needs(const struct config *cfg, unsigned char *selected);

/*
 * Requests a stop: no new check starts, children are killed, checks still
 * running are reported as not run. Async-signal-safe; sig is recorded in
 * run->interrupted.
 */
void runner_interrupt(int sig);

#endif
