/*
 * Rendering one run as a report. Every format renders the same result tree
 * into a buffer; the command line writes the buffer to stdout or, through
 * write_file_atomic, to a file.
 */
#ifndef PREFLIGHT_REPORT_H
#define PREFLIGHT_REPORT_H

#include <stdio.h>
#include <cjson/cJSON.h>

#include "../core/config.h"
#include "../core/runner.h"
#include "../core/util.h"

struct report {
	const struct config *cfg;
	const struct run *run;
};

struct render_opts {
	int color;		/* ANSI colour and marks (text on a terminal) */
	int verbose;		/* details in text */
};

struct report_format {
	const char *name;
	int (*render)(const struct report *rep, const struct render_opts *o,
		      struct buf *out);
};

/* The table in report/formats.c, NULL-ended. */
extern const struct report_format *const report_formats[];
const struct report_format *report_format_find(const char *name);

/* The run's overall status: the worst of its checks, skip counting as pass. */
enum status report_status(const struct report *rep);

struct report_counts {
	int pass, warn, fail, skip, fixed;
};
void report_count(const struct report *rep, struct report_counts *c);

/* The JSON report as a tree (schema_version 1); the caller deletes it. */
cJSON *report_json_tree(const struct report *rep);

/* One line: "preflight: 3 passed, 1 failed, 0 skipped in 12 ms". */
void report_summary_line(const struct report *rep, struct buf *out);

#endif
