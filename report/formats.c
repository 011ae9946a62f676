/*
 * The table of report formats and what every format shares: the run's
 * overall status, the counts, and the one-line summary.
 */
#include <string.h>

#include "report.h"

extern const struct report_format report_format_text;
extern const struct report_format report_format_json;
extern const struct report_format report_format_junit;
extern const struct report_format report_format_tap;
extern const struct report_format report_format_prometheus;

const struct report_format *const report_formats[] = {
	&report_format_text,
	&report_format_json,
	&report_format_junit,
	&report_format_tap,
	&report_format_prometheus,
	NULL,
};

const struct report_format *report_format_find(const char *name)
{
	size_t i;

	for (i = 0; report_formats[i]; i++)
		if (!strcmp(report_formats[i]->name, name))
			return report_formats[i];
	return NULL;
}

void report_count(const struct report *rep, struct report_counts *c)
{
	const struct run *run = rep->run;
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < run->n; i++) {
		const struct result *r = &run->results[i];

		if (!run->ran[i])
			continue;
		switch (r->status) {
		case STATUS_PASS:
			c->pass++;
			break;
		case STATUS_WARN:
			c->warn++;
			break;
		case STATUS_FAIL:
			c->fail++;
			break;
		case STATUS_SKIP:
			c->skip++;
			break;
		}
		if (r->fix && r->fix->applied && r->fix->rechecked &&
		    r->fix->recheck == STATUS_PASS)
			c->fixed++;
	}
}

enum status report_status(const struct report *rep)
{
	struct report_counts c;

	report_count(rep, &c);
	if (c.fail)
		return STATUS_FAIL;
	return c.warn ? STATUS_WARN : STATUS_PASS;
}

void report_summary_line(const struct report *rep, struct buf *out)
{
	struct report_counts c;

	report_count(rep, &c);
	buf_addf(out, "%d passed, %d failed", c.pass, c.fail);
	if (c.warn)
		buf_addf(out, ", %d warned", c.warn);
	if (c.skip)
		buf_addf(out, ", %d skipped", c.skip);
	if (c.fixed)
		buf_addf(out, ", %d fixed", c.fixed);
	buf_addf(out, " in %lld ms", (long long)rep->run->duration_ms);
	if (rep->run->interrupted)
		buf_addstr(out, " (interrupted)");
}
