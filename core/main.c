/*
 * preflight: load the config, run the checks (and fixes), write the
 * reports, and turn the outcome into an exit status.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>

#include "../report/report.h"
#include "cli.h"
#include "config.h"
#include "explain.h"
#include "init.h"
#include "lock.h"
#include "log.h"
#include "progress.h"
#include "runner.h"
#include "select.h"
#include "util.h"

#define DEFAULT_CONFIG "preflight.json"

static void on_signal(int sig)
{
	runner_interrupt(sig);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int load_config(const struct options *opts, struct config *cfg)
{
	struct config_opts co = {
		.default_timeout_ms = (int64_t)(opts->timeout_s * 1000 + 0.5),
	};
	char *cause = NULL;
	int rc;

	if (opts->config)
		rc = config_load_file(cfg, opts->config, &co, &cause);
	else if (access(DEFAULT_CONFIG, F_OK) == 0)
		rc = config_load_file(cfg, DEFAULT_CONFIG, &co, &cause);
	else
		rc = config_load_default(cfg, &co, &cause);
	if (rc < 0) {
		fprintf(stderr, "%s\npreflight: the config was refused; nothing "
			"was run\n", cause);
		free(cause);
	}
	return rc;
}

/* What runs, from IDs, --only, --tag and --skip; (void *)-1 on error. */
static unsigned char *select_from_options(const struct options *opts,
					  const struct config *cfg)
{
	struct selection s = { .ids = opts->ids, .only = opts->only,
			       .skip = opts->skip, .tags = opts->tags };
	unsigned char *sel;
	char *dropped, *cause = NULL;

	if (select_checks(cfg, &s, &sel, &dropped, &cause) < 0) {
		error("%s", cause);
		free(cause);
		return (unsigned char *)-1;
	}
	if (dropped)
		info("--skip also leaves out what needs the skipped checks: %s",
		     dropped);
	free(dropped);
	return sel;
}

static void print_strv(char *const *v, int width)
{
	int n = 0;

	for (; v && *v; v++)
		n += printf("%s%s", n ? "," : "", *v);
	if (!n)
		n = printf("-");
	if (width)
		printf("%*s", width > n ? width - n : 1, "");
}

static void print_list(const struct config *cfg, const unsigned char *sel)
{
	size_t i;

	printf("%-24s %-12s %-20s %-16s %s\n", "ID", "TYPE", "NEEDS", "TAGS",
	       "FIX");
	for (i = 0; i < cfg->nchecks; i++) {
		const struct check *c = &cfg->checks[i];

		if (sel && !sel[i])
			continue;
		printf("%-24s %-12s ", c->id, c->type->name);
		print_strv(c->needs, 21);
		print_strv(c->tags, 17);
		printf("%s\n", c->type->fix ? c->type->fix : "-");
	}
	if (!cfg->nchecks)
		printf("(no checks: the config or profile found nothing to "
		       "check)\n");
}

static int use_color(const struct options *opts, const char *path)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (opts->no_color || path || (nc && *nc))
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(STDOUT_FILENO);
}

static int write_stdout(const struct buf *b)
{
	if (fwrite(b->data ? b->data : "", 1, b->len, stdout) != b->len ||
	    fflush(stdout) != 0)
		return error("cannot write the report to stdout: %s",
			     strerror(errno));
	return 0;
}

static int explain(const struct config *cfg, const char *id)
{
	struct buf b = BUF_INIT;
	int rc = EXIT_OK;

	if (explain_check(cfg, id, &b) < 0) {
		error("no check has the id '%s' (see preflight --list)", id);
		rc = EXIT_USAGE;
	} else if (write_stdout(&b) < 0) {
		rc = EXIT_INTERNAL;
	}
	buf_release(&b);
	return rc;
}

static int write_outputs(const struct options *opts, const struct report *rep)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < opts->noutputs; i++) {
		const struct output *out = &opts->outputs[i];
		struct render_opts ro = { .color = use_color(opts, out->path),
					  .verbose = opts->verbose };
		struct buf b = BUF_INIT;
		char *cause = NULL;

		if (report_format_find(out->format)->render(rep, &ro, &b) < 0)
			rc = error("cannot render the %s report", out->format);
		else if (out->path && write_file_atomic(out->path, b.data ? b.data : "",
							b.len, &cause) < 0)
			rc = error("%s", cause);
		else if (!out->path && !opts->quiet && write_stdout(&b) < 0)
			rc = -1;
		free(cause);
		buf_release(&b);
	}
	return rc;
}

/* With reports going to files, one line on stderr says how it went. */
static void summary_to_stderr(const struct options *opts,
			      const struct report *rep)
{
	struct buf b = BUF_INIT;
	size_t i;

	if (opts->quiet)
		return;
	for (i = 0; i < opts->noutputs; i++)
		if (!opts->outputs[i].path)
			return;
	report_summary_line(rep, &b);
	fprintf(stderr, "preflight: %s: %s\n", status_name(report_status(rep)),
		buf_cstr(&b));
	buf_release(&b);
}

static int exit_status(const struct report *rep)
{
	if (rep->run->interrupted)
		return rep->run->interrupted == SIGTERM ? 143 : EXIT_INTERRUPTED;
	return report_status(rep) == STATUS_FAIL ? EXIT_FAILED : EXIT_OK;
}

static int run_checks(const struct options *opts, struct config *cfg,
		      unsigned char *sel)
{
	struct progress *live = progress_start(cfg, !opts->quiet &&
					       progress_wanted(STDERR_FILENO));
	struct run_opts ro = {
		.jobs = opts->jobs,
		.fix = opts->fix,
		.dry_run = opts->dry_run,
		.wait_ms = (int64_t)(opts->wait_s * 1000),
		.selected = sel,
		.progress = live ? progress_update : NULL,
		.progress_data = live,
	};
	struct run run;
	struct report rep = { .cfg = cfg, .run = &run };
	char *cause = NULL;
	int rc;

	rc = runner_run(cfg, &ro, &run, &cause);
	progress_stop(live);
	if (rc < 0) {
		error("%s", cause);
		free(cause);
		return EXIT_INTERNAL;
	}
	rc = write_outputs(opts, &rep) < 0 ? EXIT_INTERNAL : exit_status(&rep);
	summary_to_stderr(opts, &rep);
	if (run.abandoned) {
		/* Abandoned checks still use their state: leave it to exit. */
		fflush(NULL);
		_exit(rc);
	}
	run_release(&run);
	return rc;
}

/* Repairs of one project take turns: see lock.h. */
static int take_fix_lock(const struct config *cfg, struct lock *lock)
{
	char *cause = NULL;

	if (lock_take(lock, cfg->base_dir, lock_wait_ms(), &cause) == 0)
		return 0;
	error("%s", cause);
	free(cause);
	return -1;
}

/*
 * Setting up libcurl (and OpenSSL under it) is a good part of a short
 * run's cost, so it happens only when a check type says it uses it.
 */
static int needs_curl(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nchecks; i++)
		if (cfg->checks[i].type->flags & CHECK_CURL)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct lock lock = LOCK_INIT;
	struct options opts;
	struct config cfg;
	unsigned char *sel;
	int rc = cli_parse(argc, argv, &opts);

	if (rc >= 0) {
		cli_release(&opts);
		return rc;
	}
	if (opts.init) {
		rc = init_config(opts.out_path, opts.force, opts.quiet);
		cli_release(&opts);
		return rc;
	}
	if (load_config(&opts, &cfg) < 0) {
		config_release(&cfg);
		return EXIT_USAGE;
	}
	if (needs_curl(&cfg) && curl_global_init(CURL_GLOBAL_DEFAULT)) {
		config_release(&cfg);
		return error("cannot initialise libcurl"), EXIT_INTERNAL;
	}
	sel = select_from_options(&opts, &cfg);
	if (sel == (unsigned char *)-1) {
		config_release(&cfg);
		cli_release(&opts);
		return EXIT_USAGE;
	}
	if (opts.explain) {
		rc = explain(&cfg, opts.explain);
	} else if (opts.list) {
		print_list(&cfg, sel);
		rc = fflush(stdout) ? EXIT_INTERNAL : EXIT_OK;
	} else if (opts.fix && !opts.dry_run && take_fix_lock(&cfg, &lock) < 0) {
		rc = EXIT_INTERNAL;
	} else {
		install_signals();
		rc = run_checks(&opts, &cfg, sel);
	}
	lock_release(&lock);
	free(sel);
	config_release(&cfg);
	cli_release(&opts);
	curl_global_cleanup();
	return rc;
}
