/*
 * Parsing the command line and printing its usage. Every option is in one
 * table, so --help and the parser cannot disagree about what exists.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../report/report.h"
#include "check.h"
#include "cli.h"
#include "log.h"
#include "util.h"

enum {
	OPT_FIX = 256, OPT_DRY_RUN, OPT_TIMEOUT, OPT_WAIT, OPT_LIST,
	OPT_NO_COLOR, OPT_VERSION, OPT_ONLY, OPT_SKIP, OPT_TAG, OPT_EXPLAIN,
	OPT_FORCE,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "fix", no_argument, NULL, OPT_FIX },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "jobs", required_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "only", required_argument, NULL, OPT_ONLY },
	{ "skip", required_argument, NULL, OPT_SKIP },
	{ "tag", required_argument, NULL, OPT_TAG },
	{ "explain", required_argument, NULL, OPT_EXPLAIN },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void cli_usage(FILE *to)
{
	fputs(
"usage: preflight [options] [ID...]\n"
"       preflight init [--force] [-o FILE]\n"
"\n"
"Checks that a service's dependencies, backend, database, files and logs\n"
"are ready, and repairs what is safe to repair when asked. With IDs, runs\n"
"only those checks and what they need.\n"
"\n"
"options:\n"
"  -c, --config FILE   config file (default: ./preflight.json if present,\n"
"                      otherwise the built-in default profile)\n"
"  -f, --format FMT[:FILE]\n"
"                      report format: text (default), json, junit, tap or\n"
"                      prometheus; repeat for several, FILE to write one\n"
"                      to a file\n"
"  -o, --output FILE   write the report to FILE (atomically) instead of\n"
"                      stdout; a summary line still goes to stderr\n"
"      --fix           apply the fixes of failed checks, then run those\n"
"                      checks again and report the result\n"
"      --dry-run       with --fix: show each fix's actions, change nothing\n"
"  -j, --jobs N        checks run at the same time (default 8)\n"
"      --timeout SEC   default deadline of each check (default 5)\n"
"      --wait SEC      retry failing checks until they pass or SEC runs out\n"
"      --only ID,...   run only these checks (and what they need)\n"
"      --skip ID,...   leave these checks out (and what needs them)\n"
"      --tag TAG       run the checks carrying TAG (repeatable)\n"
"      --list          print the checks that would run (id, type, needs,\n"
"                      tags, fix), and exit\n"
"      --explain ID    say what a check does, its config, its fix and an\n"
"                      example failure, and exit\n"
"  -q, --quiet         print nothing but errors (the exit status tells)\n"
"  -v, --verbose       add each check's details to the text report\n"
"      --no-color      no colour or marks, even on a terminal\n"
"      --version       print the version and exit\n"
"  -h, --help          print this help and exit\n"
"\n"
"init writes a starter ./preflight.json (or -o FILE) from what it finds in\n"
"the working directory; --force lets it replace an existing file.\n"
"\n"
"exit status:\n"
"  0    no check failed (warnings allowed)\n"
"  1    at least one check failed (after fixes, with --fix)\n"
"  2    usage or configuration error; nothing was run\n"
"  3    internal error\n"
"  130  interrupted by SIGINT (143: SIGTERM); the report lists what ran\n"
"\n"
"environment: NO_COLOR disables colour; PREFLIGHT_BACKEND_URL is the\n"
"backend the default profile checks (default http://localhost:8000);\n"
"PREFLIGHT_LOCK_WAIT is how many seconds --fix waits for another\n"
"preflight --fix on the same project (default 30).\n"
"See preflight(1) for the config format and every check type.\n", to);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "preflight: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'preflight --help' for more information.\n");
	return EXIT_USAGE;
}

static int parse_number(const char *arg, double min, double max, double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v >= min && v <= max))
		return -1;
	*out = v;
	return 0;
}

static int add_output(struct options *opts, char *arg)
{
	char *colon = strchr(arg, ':');

	if (opts->noutputs == MAX_OUTPUTS)
		return usage_error("too many -f options (at most %s)", "8");
	if (colon)
		*colon = '\0';
	if (!report_format_find(arg))
		return usage_error("unknown format '%s' (known: text, json, "
				   "junit, tap, prometheus)", arg);
	if (colon && !colon[1])
		return usage_error("-f %s: missing file name after ':'", arg);
	opts->outputs[opts->noutputs].format = arg;
	opts->outputs[opts->noutputs].path = colon ? colon + 1 : NULL;
	opts->noutputs++;
	return -1;
}

/* Sends the formats given without a file to -o FILE, or to stdout. */
static int settle_outputs(struct options *opts)
{
	size_t i, to_stdout = 0;

	if (!opts->noutputs) {
		opts->outputs[0].format = "text";
		opts->noutputs = 1;
	}
	for (i = 0; i < opts->noutputs; i++) {
		if (opts->outputs[i].path)
			continue;
		opts->outputs[i].path = opts->out_path;
		to_stdout++;
	}
	if (to_stdout > 1)
		return usage_error("%s", opts->out_path
				   ? "only one format can go to -o; give the "
				     "others a file with -f FMT:FILE"
				   : "only one format can go to stdout; give "
				     "the others a file with -f FMT:FILE");
	return -1;
}

/* Appends the comma-separated items of arg to the vector *v. */
static int add_list(char ***v, const char *arg, const char *opt)
{
	size_t n = *v ? strv_len(*v) : 0;
	const char *p = arg, *comma;

	do {
		comma = strchr(p, ',');
		if (comma == p || !*p)
			return usage_error("%s needs ids or tags separated by "
					   "commas", opt);
		*v = xrealloc(*v, (n + 2) * sizeof(char *));
		(*v)[n++] = comma ? xstrndup(p, (size_t)(comma - p))
				  : xstrdup(p);
		(*v)[n] = NULL;
		p = comma ? comma + 1 : NULL;
	} while (p);
	return -1;
}

static int parse_one(int c, struct options *opts)
{
	double v;

	switch (c) {
	case 'c':
		opts->config = optarg;
		break;
	case 'f':
		return add_output(opts, optarg);
	case 'o':
		opts->out_path = optarg;
		break;
	case OPT_FIX:
		opts->fix = 1;
		break;
	case OPT_DRY_RUN:
		opts->dry_run = 1;
		break;
	case 'j':
		if (parse_number(optarg, 1, 256, &v) < 0 || v != (int)v)
			return usage_error("-j needs a whole number from 1 to "
					   "256, not '%s'", optarg);
		opts->jobs = (int)v;
		break;
	case OPT_TIMEOUT:
		if (parse_number(optarg, 0.001, 86400, &opts->timeout_s) < 0)
			return usage_error("--timeout needs seconds above 0, "
					   "not '%s'", optarg);
		break;
	case OPT_WAIT:
		if (parse_number(optarg, 0, 86400, &opts->wait_s) < 0)
			return usage_error("--wait needs a number of seconds, "
					   "not '%s'", optarg);
		break;
	case OPT_LIST:
		opts->list = 1;
		break;
	case OPT_ONLY:
		return add_list(&opts->only, optarg, "--only");
	case OPT_SKIP:
		return add_list(&opts->skip, optarg, "--skip");
	case OPT_TAG:
		return add_list(&opts->tags, optarg, "--tag");
	case OPT_EXPLAIN:
		opts->explain = optarg;
		break;
	case OPT_FORCE:
		opts->force = 1;
		break;
	case 'q':
		opts->quiet = 1;
		break;
	case 'v':
		opts->verbose++;
		break;
	case OPT_NO_COLOR:
		opts->no_color = 1;
		break;
	case OPT_VERSION:
		printf("preflight %s\n", PREFLIGHT_VERSION);
		return EXIT_OK;
	case 'h':
		cli_usage(stdout);
		return EXIT_OK;
	default:
		fprintf(stderr, "Try 'preflight --help' for more "
				"information.\n");
		return EXIT_USAGE;
	}
	return -1;
}

int cli_parse(int argc, char **argv, struct options *opts)
{
	int c, rc;

	memset(opts, 0, sizeof(*opts));
	opts->jobs = 8;
	opts->timeout_s = 5;
	while ((c = getopt_long(argc, argv, "c:f:o:j:qvh", long_opts,
				NULL)) != -1) {
		rc = parse_one(c, opts);
		if (rc >= 0)
			return rc;
	}
	if (opts->dry_run && !opts->fix)
		return usage_error("%s", "--dry-run goes with --fix");
	if (opts->quiet && opts->verbose)
		return usage_error("%s", "--quiet and --verbose exclude each "
				   "other");
	opts->ids = argv + optind;
	if (opts->ids[0] && !strcmp(opts->ids[0], "init")) {
		opts->init = 1;
		if (opts->ids[1])
			return usage_error("init takes no check ids, not "
					   "'%s'", opts->ids[1]);
		opts->ids++;
	} else if (opts->force) {
		return usage_error("%s", "--force goes with init");
	}
	if (opts->quiet)
		log_level = LOG_ERROR;
	else if (opts->verbose)
		log_level = opts->verbose > 1 ? LOG_DEBUG : LOG_INFO;
	return settle_outputs(opts);
}

void cli_release(struct options *opts)
{
	strv_free(opts->only);
	strv_free(opts->skip);
	strv_free(opts->tags);
	opts->only = opts->skip = opts->tags = NULL;
}
