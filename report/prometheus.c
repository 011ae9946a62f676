/*
 * The run as Prometheus metrics in the text exposition format, for the
 * node_exporter textfile collector: a timer or ExecStartPre writes
 * preflight.prom, so a failing sync worker can page someone and the share
 * of passing runs can be graphed.
 *
 * Per check: preflight_check_status{id,type} (1 pass, 0 otherwise) and
 * preflight_check_duration_seconds{id,type}. Per run: counts by status,
 * start time, duration and whether nothing failed. Label values are
 * sanitized and escaped as the format requires ("\\", "\"", "\n").
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "../core/text.h"

static int prom_ran(const struct report *rep, size_t i)
{
	return !rep->run->ran || rep->run->ran[i];
}

static void prom_label_value(struct buf *out, const char *s)
{
	char *clean = text_sanitize(s ? s : "", strlen(s ? s : ""), 0, 0);
	const char *p;

	for (p = clean; *p; p++) {
		if (*p == '\\' || *p == '"')
			buf_addstr(out, "\\");
		buf_add(out, p, 1);
	}
	free(clean);
}

static void prom_header(struct buf *out, const char *name, const char *help)
{
	buf_addf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void prom_seconds(struct buf *out, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	buf_addf(out, "%lld.%03lld\n", (long long)(ms / 1000),
		 (long long)(ms % 1000));
}

static void prom_check_labels(struct buf *out, const struct check *ck)
{
	buf_addstr(out, "{id=\"");
	prom_label_value(out, ck->id);
	buf_addstr(out, "\",type=\"");
	prom_label_value(out, ck->type ? ck->type->name : "");
	buf_addstr(out, "\"} ");
}

static void prom_per_check(const struct report *rep, struct buf *out,
			   int duration)
{
	const char *name = duration ? "preflight_check_duration_seconds" :
		"preflight_check_status";
	size_t i;

	if (duration)
		prom_header(out, name, "Time the check took in the last run.");
	else
		prom_header(out, name, "1 if the check passed in the last "
			    "run, 0 otherwise.");

	for (i = 0; i < rep->run->n; i++) {
		const struct result *r = &rep->run->results[i];

		if (!prom_ran(rep, i))
			continue;
		buf_addstr(out, name);
		prom_check_labels(out, &rep->cfg->checks[i]);
		if (duration)
			prom_seconds(out, r->duration_ms);
		else
			buf_addf(out, "%d\n", r->status == STATUS_PASS);
	}
}

static void prom_counts(const struct report *rep, struct buf *out)
{
	static const enum status order[] = {
		STATUS_PASS, STATUS_WARN, STATUS_FAIL, STATUS_SKIP,
	};
	int count[STATUS_FAIL + 1] = { 0 };
	size_t i;

	for (i = 0; i < rep->run->n; i++)
		if (prom_ran(rep, i))
			count[rep->run->results[i].status]++;

	prom_header(out, "preflight_checks",
		    "Checks in the last run by status.");
	for (i = 0; i < ARRAY_SIZE(order); i++)
		buf_addf(out, "preflight_checks{status=\"%s\"} %d\n",
			 status_name(order[i]), count[order[i]]);

	prom_header(out, "preflight_last_run_success",
		    "1 if no check failed in the last run, 0 otherwise.");
	buf_addf(out, "preflight_last_run_success %d\n",
		 count[STATUS_FAIL] == 0 && !rep->run->interrupted);
}

static void prom_run(const struct report *rep, struct buf *out)
{
	prom_header(out, "preflight_last_run_timestamp_seconds",
		    "When the last run started, in seconds since the epoch.");
	buf_addstr(out, "preflight_last_run_timestamp_seconds ");
	prom_seconds(out, rep->run->started_epoch_ms);

	prom_header(out, "preflight_last_run_duration_seconds",
		    "Time the last run took.");
	buf_addstr(out, "preflight_last_run_duration_seconds ");
	prom_seconds(out, rep->run->duration_ms);
}

static int prom_render(const struct report *rep, const struct render_opts *o,
		       struct buf *out)
{
	prom_per_check(rep, out, 0);
	prom_per_check(rep, out, 1);
	prom_counts(rep, out);
	prom_run(rep, out);
	return 0;
}

const struct report_format report_format_prometheus = {
	.name = "prometheus",
	.render = prom_render,
};
