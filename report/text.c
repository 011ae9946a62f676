/*
 * The text report, for a person at a terminal: one line per check with
 * its status and message, the hint under a failure, what a fix did, and a
 * summary. Colour and marks only when asked (a terminal without NO_COLOR).
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define RESET "\033[0m"
#define BOLD "\033[1m"
#define DIM "\033[2m"

static const struct {
	const char *word;
	const char *mark;
	const char *color;
} look[] = {
	[STATUS_PASS] = { "PASS", "\u2714", "\033[32m" },
	[STATUS_SKIP] = { "SKIP", "-", "\033[2m" },
	[STATUS_WARN] = { "WARN", "!", "\033[33m" },
	[STATUS_FAIL] = { "FAIL", "\u2718", "\033[31m" },
};

static int id_width(const struct report *rep)
{
	size_t i, w = 2;

	for (i = 0; i < rep->run->n; i++)
		if (rep->run->ran[i] && strlen(rep->cfg->checks[i].id) > w)
			w = strlen(rep->cfg->checks[i].id);
	return (int)(w > 24 ? 24 : w);
}

static void status_cell(enum status s, const struct render_opts *o,
			struct buf *out)
{
	if (o->color)
		buf_addf(out, "%s%s %s%s", look[s].color, look[s].mark,
			 look[s].word, RESET);
	else
		buf_addstr(out, look[s].word);
}

static void fix_lines(const struct fix_record *f, int indent,
		      const struct render_opts *o, struct buf *out)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, f->actions)
		buf_addf(out, "%*sfix %s%s: %s\n", indent, "", f->name,
			 f->dry_run ? " (dry run, not applied)" : "",
			 a->valuestring);
	if (f->error) {
		char *safe = result_clean(f->error, strlen(f->error), 0);

		buf_addf(out, "%*sfix %s failed: %s\n", indent, "", f->name,
			 safe);
		free(safe);
	}
	else if (f->rechecked)
		buf_addf(out, "%*sfix %s applied; the check run again: %s\n",
			 indent, "", f->name, status_name(f->recheck));
	if (f->output && o->verbose) {
		char *safe = result_clean(f->output, strlen(f->output), 0);

		buf_addf(out, "%*soutput: %s\n", indent, "", safe);
		free(safe);
	}
}

static void detail_lines(const cJSON *details, int indent, struct buf *out)
{
	const cJSON *d;
	char *v;

	cJSON_ArrayForEach(d, details) {
		v = cJSON_IsString(d) ? NULL : cJSON_PrintUnformatted(d);
		buf_addf(out, "%*s%s: %s\n", indent, "", d->string,
			 v ? v : d->valuestring);
		cJSON_free(v);
	}
}

static void check_lines(const struct check *c, const struct result *r,
			int width, const struct render_opts *o, struct buf *out)
{
	int indent = 4 + 2 + width + 2 + (o->color ? 2 : 0);

	status_cell(r->status, o, out);
	buf_addf(out, "  %s%-*s%s  %s", o->color ? BOLD : "", width, c->id,
		 o->color ? RESET : "", r->message ? r->message : "");
	if (r->attempts > 1 && !r->fix)
		buf_addf(out, " (after %d attempts)", r->attempts);
	buf_addstr(out, "\n");
	if (r->hint && (r->status == STATUS_FAIL || r->status == STATUS_WARN))
		buf_addf(out, "%*s%shint: %s%s\n", indent, "",
			 o->color ? DIM : "", r->hint, o->color ? RESET : "");
	if (r->fix)
		fix_lines(r->fix, indent, o, out);
	if (o->verbose && r->details)
		detail_lines(r->details, indent, out);
}

static int text_render(const struct report *rep, const struct render_opts *o,
		       struct buf *out)
{
	int width = id_width(rep);
	size_t i;

	for (i = 0; i < rep->run->n; i++)
		if (rep->run->ran[i])
			check_lines(&rep->cfg->checks[i], &rep->run->results[i],
				    width, o, out);
	buf_addstr(out, "\n");
	report_summary_line(rep, out);
	buf_addstr(out, "\n");
	return 0;
}

const struct report_format report_format_text = {
	.name = "text",
	.render = text_render,
};
