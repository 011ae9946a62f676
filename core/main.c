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
#include "log.h"
#include "runner.h"
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

/* Marks the checks named on the command line and what they need. */
static unsigned char *select_ids(const struct config *cfg, char **ids)
{
	unsigned char *sel;
	size_t i;
	long j;

	if (!ids[0])
		return NULL;
	sel = xcalloc(cfg->nchecks + 1, 1);
	for (i = 0; ids[i]; i++) {
		j = config_find(cfg, ids[i]);
		if (j < 0) {
			fprintf(stderr, "preflight: no check has the id '%s' "
				"(see preflight --list)\n", ids[i]);
			free(sel);
			return (unsigned char *)-1;
		}
		sel[j] = 1;
	}
	runner_select_needs(cfg, sel);
	return sel;
}

static void print_list(const struct config *cfg, const unsigned char *sel)
{
	size_t i, k;

	printf("%-24s %-12s %s\n", "ID", "TYPE", "NEEDS");
	for (i = 0; i < cfg->nchecks; i++) {
		const struct check *c = &cfg->checks[i];

		if (sel && !sel[i])
			continue;
		printf("%-24s %-12s ", c->id, c->type->name);
		for (k = 0; k < c->nneeds; k++)
			printf("%s%s", k ? "," : "", c->needs[k]);
		printf("%s\n", c->nneeds ? "" : "-");
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
	struct run_opts ro = {
		.jobs = opts->jobs,
		.fix = opts->fix,
		.dry_run = opts->dry_run,
		.wait_ms = (int64_t)(opts->wait_s * 1000),
		.selected = sel,
	};
	struct run run;
	struct report rep = { .cfg = cfg, .run = &run };
	char *cause = NULL;
	int rc;

	if (runner_run(cfg, &ro, &run, &cause) < 0) {
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

int main(int argc, char **argv)
{
	struct options opts;
	struct config cfg;
	unsigned char *sel;
	int rc = cli_parse(argc, argv, &opts);

	if (rc >= 0)
		return rc;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return error("cannot initialise libcurl"), EXIT_INTERNAL;
	if (load_config(&opts, &cfg) < 0) {
		config_release(&cfg);
		return EXIT_USAGE;
	}
	sel = select_ids(&cfg, opts.ids);
	if (sel == (unsigned char *)-1) {
		config_release(&cfg);
		return EXIT_USAGE;
	}
	if (opts.list) {
		print_list(&cfg, sel);
		rc = fflush(stdout) ? EXIT_INTERNAL : EXIT_OK;
	} else {
		install_signals();
		rc = run_checks(&opts, &cfg, sel);
	}
	free(sel);
	config_release(&cfg);
	curl_global_cleanup();
	return rc;
}
