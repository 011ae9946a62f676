/*
 * The run as TAP version 13, for test harnesses that read the Test Anything
 * Protocol (prove, tap-junit, many CI plugins): one test point per check,
 * skips as "# SKIP", and a YAML block with the message, hint and fix for
 * every check that did not simply pass.
 *
 * Descriptions are kept on one line with "#" and "\" escaped; YAML strings
 * are double-quoted with JSON escapes, which YAML reads the same way, and
 * the noncharacters YAML refuses (U+FFFE, U+FFFF) become U+FFFD.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "../core/secret.h"
#include "../core/text.h"

static int tap_ran(const struct report *rep, size_t i)
{
	return !rep->run->ran || rep->run->ran[i];
}

/* YAML refuses U+FFFE and U+FFFF even in quotes: they become U+FFFD. */
static void tap_drop_nonchars(char *s)
{
	unsigned char *p;

	for (p = (unsigned char *)s; *p; p++)
		if (p[0] == 0xef && p[1] == 0xbf && (p[2] & 0xfe) == 0xbe)
			p[2] = 0xbd;
}

/* Valid UTF-8 without controls or secrets; the caller frees it. */
static char *tap_clean(const char *s, int keep_newlines)
{
	char *clean = text_sanitize(s ? s : "", strlen(s ? s : ""), 0,
				    keep_newlines);
	char *masked = secret_scrub(clean);

	free(clean);
	tap_drop_nonchars(masked);
	return masked;
}

/* A description or directive text: one line, "#" and "\" escaped. */
static void tap_line_text(struct buf *out, const char *s)
{
	char *clean = tap_clean(s, 0);
	const char *p;

	for (p = clean; *p; p++) {
		if (*p == '#' || *p == '\\')
			buf_addstr(out, "\\");
		buf_add(out, p, 1);
	}
	free(clean);
}

/* A YAML double-quoted scalar. */
static void tap_yaml_str(struct buf *out, const char *s)
{
	char *clean = tap_clean(s, 1);
	cJSON *str = cJSON_CreateString(clean);
	char *quoted = cJSON_PrintUnformatted(str);

	buf_addstr(out, quoted);
	cJSON_free(quoted);
	cJSON_Delete(str);
	free(clean);
}

static void tap_yaml_field(struct buf *out, const char *indent,
			   const char *key, const char *s)
{
	buf_addf(out, "%s%s: ", indent, key);
	tap_yaml_str(out, s);
	buf_addstr(out, "\n");
}

static void tap_yaml_fix(struct buf *out, const struct fix_record *f)
{
	int i, n = cJSON_GetArraySize(f->actions);

	buf_addstr(out, "  fix:\n");
	tap_yaml_field(out, "    ", "name", f->name);
	buf_addf(out, "    applied: %s\n", f->applied ? "true" : "false");
	if (f->dry_run)
		buf_addstr(out, "    dry_run: true\n");
	if (f->rechecked)
		buf_addf(out, "    recheck: %s\n", status_name(f->recheck));
	if (f->error)
		tap_yaml_field(out, "    ", "error", f->error);

	buf_addstr(out, n ? "    actions:\n" : "    actions: []\n");
	for (i = 0; i < n; i++) {
		buf_addstr(out, "      - ");
		tap_yaml_str(out, cJSON_GetStringValue(
					  cJSON_GetArrayItem(f->actions, i)));
		buf_addstr(out, "\n");
	}
}

static void tap_yaml_block(struct buf *out, const struct check *ck,
			   const struct result *r)
{
	buf_addstr(out, "  ---\n");
	tap_yaml_field(out, "  ", "type", ck->type ? ck->type->name : "");
	buf_addf(out, "  status: %s\n", status_name(r->status));
	tap_yaml_field(out, "  ", "message", r->message);
	if (r->hint)
		tap_yaml_field(out, "  ", "hint", r->hint);
	buf_addf(out, "  duration_ms: %lld\n", (long long)r->duration_ms);
	if (r->timed_out)
		buf_addstr(out, "  timed_out: true\n");
	if (r->fix)
		tap_yaml_fix(out, r->fix);
	buf_addstr(out, "  ...\n");
}

static void tap_point(struct buf *out, int num, const struct check *ck,
		      const struct result *r)
{
	buf_addstr(out, r->status == STATUS_FAIL ? "not ok " : "ok ");
	buf_addf(out, "%d - ", num);
	tap_line_text(out, ck->id);

	if (r->status == STATUS_SKIP) {
		buf_addstr(out, " # SKIP ");
		tap_line_text(out, r->message);
	}
	buf_addstr(out, "\n");

	if (r->status == STATUS_FAIL || r->status == STATUS_WARN || r->fix)
		tap_yaml_block(out, ck, r);
}

static int tap_render(const struct report *rep, const struct render_opts *o,
		      struct buf *out)
{
	int planned = 0, num = 0;
	size_t i;

	for (i = 0; i < rep->run->n; i++)
		planned += tap_ran(rep, i);

	buf_addf(out, "TAP version 13\n1..%d\n", planned);
	for (i = 0; i < rep->run->n; i++)
		if (tap_ran(rep, i))
			tap_point(out, ++num, &rep->cfg->checks[i],
				  &rep->run->results[i]);

	if (rep->run->interrupted)
		buf_addstr(out, "Bail out! interrupted\n");
	return 0;
}

const struct report_format report_format_tap = {
	.name = "tap",
	.render = tap_render,
};
