/*
 * The command line: options parsed into one struct, and the usage text.
 * main.c drives the run; only it decides the exit status.
 */
#ifndef PREFLIGHT_CLI_H
#define PREFLIGHT_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses, documented in --help, the README and preflight(1). */
enum {
	EXIT_OK = 0,		/* no check failed (warnings allowed) */
	EXIT_FAILED = 1,	/* at least one check failed */
	EXIT_USAGE = 2,		/* usage or configuration error; nothing ran */
	EXIT_INTERNAL = 3,	/* internal error */
	EXIT_INTERRUPTED = 130,	/* stopped by SIGINT (143 for SIGTERM) */
};

#define MAX_OUTPUTS 8

/* One report to write: a format and a path (NULL: stdout). */
struct output {
	const char *format;
	const char *path;
};

struct options {
	const char *config;
	struct output outputs[MAX_OUTPUTS];
	size_t noutputs;
	const char *out_path;	/* -o: for the format given without a path */
	int fix;
	int dry_run;
	int jobs;
	double timeout_s;
	double wait_s;
	int list;
	int quiet;
	int verbose;
	int no_color;
	char **ids;		/* positional check ids, NULL-ended */
	char **only;		/* --only, --skip, --tag: comma lists split */
	char **skip;		/* into NULL-ended vectors, owned; NULL */
	char **tags;		/* when not given */
	const char *explain;	/* --explain ID */
	int init;		/* `preflight init` */
	int force;		/* init: overwrite an existing file */
};

/*
 * Parses argv into opts. Returns -1 to continue, or an exit status when
 * the command line was handled (--help, --version) or wrong (a message
 * has been printed).
 */
int cli_parse(int argc, char **argv, struct options *opts);
void cli_usage(FILE *to);
/* Frees what cli_parse allocated. */
void cli_release(struct options *opts);

#endif
