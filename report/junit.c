/*
 * The run as JUnit XML, so a CI system (GitHub Actions, GitLab, Jenkins)
 * shows each check as a test case: failures with message and hint, skips
 * as skipped, warnings as passing cases with a note, durations in seconds.
 *
 * Every string is made valid XML here whatever its origin: invalid UTF-8
 * becomes U+FFFD, control characters become "\xNN", markup characters
 * become entities (so "]]>" can never end anything: no CDATA is used).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "../core/secret.h"
#include "../core/text.h"

static void junit_escape_clean(struct buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == 0xef && (unsigned char)s[1] == 0xbf &&
		    ((unsigned char)s[2] & 0xfe) == 0xbe) {
			/* U+FFFE and U+FFFF are valid UTF-8 but not XML */
			buf_addstr(out, "\xef\xbf\xbd");
			s += 2;
			continue;
		}
		switch (c) {
		case '&': buf_addstr(out, "&amp;"); break;
		case '<': buf_addstr(out, "&lt;"); break;
		case '>': buf_addstr(out, "&gt;"); break;
		case '"': buf_addstr(out, "&quot;"); break;
		case '\'': buf_addstr(out, "&apos;"); break;
		case '\n': buf_addstr(out, "&#10;"); break;
		case '\t': buf_addstr(out, "&#9;"); break;
		default: buf_add(out, s, 1); break;
		}
	}
}

/*
 * Appends s as XML character data or attribute text; NULL adds nothing.
 * Registered secrets are masked again here, whatever path s took.
 */
static void junit_escape(struct buf *out, const char *s, int keep_newlines)
{
	char *clean, *masked;

	if (!s)
		return;
	clean = text_sanitize(s, strlen(s), 0, keep_newlines);
	masked = secret_scrub(clean);
	junit_escape_clean(out, masked);
	free(masked);
	free(clean);
}

static void junit_seconds(struct buf *out, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	buf_addf(out, "%lld.%03lld", (long long)(ms / 1000),
		 (long long)(ms % 1000));
}

static int junit_ran(const struct report *rep, size_t i)
{
	return !rep->run->ran || rep->run->ran[i];
}

static void junit_open_suite(const struct report *rep, struct buf *out,
			     const char *tag, const char *indent)
{
	int tests = 0, failures = 0, skipped = 0;
	size_t i;

	for (i = 0; i < rep->run->n; i++) {
		enum status s = rep->run->results[i].status;

		if (!junit_ran(rep, i))
			continue;
		tests++;
		failures += s == STATUS_FAIL;
		skipped += s == STATUS_SKIP;
	}

	buf_addf(out, "%s<%s name=\"preflight\" tests=\"%d\" failures=\"%d\""
		 " errors=\"0\" skipped=\"%d\" time=\"", indent, tag, tests,
		 failures, skipped);
	junit_seconds(out, rep->run->duration_ms);
	buf_addstr(out, "\"");
}

static void junit_timestamp(const struct report *rep, struct buf *out)
{
	int64_t ms = rep->run->started_epoch_ms;
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char stamp[32];

	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_addf(out, " timestamp=\"%s\"", stamp);
}

static void junit_fix_note(const struct fix_record *f, struct buf *out)
{
	int i, n = cJSON_GetArraySize(f->actions);

	buf_addstr(out, "fix ");
	junit_escape(out, f->name, 0);
	buf_addstr(out, f->dry_run ? " (dry run)" :
		   f->applied ? " applied" : " not applied");
	if (f->rechecked)
		buf_addf(out, ", re-check %s", status_name(f->recheck));
	if (f->error) {
		buf_addstr(out, ": ");
		junit_escape(out, f->error, 0);
	}
	buf_addstr(out, "&#10;");

	for (i = 0; i < n; i++) {
		const char *a = cJSON_GetStringValue(
			cJSON_GetArrayItem(f->actions, i));

		buf_addstr(out, "  ");
		junit_escape(out, a, 0);
		buf_addstr(out, "&#10;");
	}
}

/* Message, hint and fix, as the body of <failure> or <system-out>. */
static void junit_body(const struct result *r, struct buf *out)
{
	junit_escape(out, r->message, 1);
	if (r->hint) {
		buf_addstr(out, "&#10;hint: ");
		junit_escape(out, r->hint, 1);
	}
	buf_addstr(out, "&#10;");
	if (r->fix)
		junit_fix_note(r->fix, out);
}

static void junit_case_outcome(const struct result *r, struct buf *out)
{
	switch (r->status) {
	case STATUS_FAIL:
		buf_addstr(out, "      <failure message=\"");
		junit_escape(out, r->message, 0);
		buf_addstr(out, r->timed_out ? "\" type=\"timeout\">" :
			   "\" type=\"fail\">");
		junit_body(r, out);
		buf_addstr(out, "</failure>\n");
		break;
	case STATUS_SKIP:
		buf_addstr(out, "      <skipped message=\"");
		junit_escape(out, r->message, 0);
		buf_addstr(out, "\"/>\n");
		break;
	case STATUS_WARN:
		buf_addstr(out, "      <system-out>warning: ");
		junit_body(r, out);
		buf_addstr(out, "</system-out>\n");
		break;
	case STATUS_PASS:
		if (!r->fix)
			break;
		buf_addstr(out, "      <system-out>");
		junit_body(r, out);
		buf_addstr(out, "</system-out>\n");
		break;
	}
}

static void junit_case(const struct check *ck, const struct result *r,
		       struct buf *out)
{
	buf_addstr(out, "    <testcase name=\"");
	junit_escape(out, ck->id, 0);
	buf_addstr(out, "\" classname=\"preflight.");
	junit_escape(out, ck->type ? ck->type->name : "unknown", 0);
	buf_addstr(out, "\" time=\"");
	junit_seconds(out, r->duration_ms);

	if (r->status == STATUS_PASS && !r->fix) {
		buf_addstr(out, "\"/>\n");
		return;
	}
	buf_addstr(out, "\">\n");
	junit_case_outcome(r, out);
	buf_addstr(out, "    </testcase>\n");
}

static int junit_render(const struct report *rep, const struct render_opts *o,
			struct buf *out)
{
	size_t i;

	buf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	junit_open_suite(rep, out, "testsuites", "");
	buf_addstr(out, ">\n");
	junit_open_suite(rep, out, "testsuite", "  ");
	junit_timestamp(rep, out);
	buf_addstr(out, ">\n");

	for (i = 0; i < rep->run->n; i++)
		if (junit_ran(rep, i))
			junit_case(&rep->cfg->checks[i],
				   &rep->run->results[i], out);

	buf_addstr(out, "  </testsuite>\n</testsuites>\n");
	return 0;
}

const struct report_format report_format_junit = {
	.name = "junit",
	.render = junit_render,
};
