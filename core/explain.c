/*
 * Explaining one check in words: its purpose (the type's summary), its
 * place among the other checks, its config as loaded (secrets already
 * masked by the loader), its fix, and an example failure with its hint.
 *
 * Each check type words its own example failure (check_type.example), next
 * to the code that writes the real one.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "fix.h"

static void explain_list(struct buf *out, const char *label,
			 char *const *v)
{
	buf_addf(out, "  %-14s", label);
	if (!v || !*v)
		buf_addstr(out, "none");
	for (; v && *v; v++)
		buf_addf(out, "%s%s", *v, v[1] ? ", " : "");
	buf_addstr(out, "\n");
}

static void explain_needed_by(const struct config *cfg, size_t idx,
			      struct buf *out)
{
	size_t i, k, n = 0;

	buf_addf(out, "  %-14s", "needed by:");
	for (i = 0; i < cfg->nchecks; i++)
		for (k = 0; k < cfg->checks[i].nneeds; k++)
			if (cfg->checks[i].need_idx[k] == idx)
				buf_addf(out, "%s%s", n++ ? ", " : "",
					 cfg->checks[i].id);
	buf_addstr(out, n ? "\n" : "none\n");
}

static void explain_about(const struct config *cfg, size_t idx,
			  struct buf *out)
{
	const struct check *c = &cfg->checks[idx];

	buf_addf(out, "check '%s' (type %s)\n", c->id, c->type->name);
	buf_addf(out, "  %-14s%s\n", "checks that:", c->type->summary);
	if (c->description)
		buf_addf(out, "  %-14s%s\n", "description:", c->description);
	explain_list(out, "needs:", c->needs);
	explain_needed_by(cfg, idx, out);
	explain_list(out, "tags:", c->tags);
	buf_addf(out, "  %-14s%.3g s\n", "deadline:",
		 (double)c->timeout_ms / 1000);
	buf_addf(out, "  %-14s%s\n", "severity:", c->severity_warn ?
		 "warn (a failure is reported as a warning)" :
		 "fail (a failure fails the run)");
	if (c->type->flags & CHECK_NETWORK)
		buf_addf(out, "  %-14s%s\n", "note:",
			 "talks to other services");
	if (c->type->flags & CHECK_SLOW)
		buf_addf(out, "  %-14s%s\n", "note:", "may start programs");
}

static void explain_config(const struct config *cfg, const struct check *c,
			   struct buf *out)
{
	char *text = c->source ? cJSON_Print(c->source) : NULL;
	char *base = realpath(cfg->base_dir ? cfg->base_dir : ".", NULL);
	const char *p;
	int line_start = 1;

	buf_addf(out, "\nconfig (%s%s, secrets masked):\n  ",
		 cfg->path ? "from " : "", cfg->path ? cfg->path :
		 "built-in default profile");
	for (p = text ? text : "{}"; *p; p++) {
		/* cJSON indents with tabs: two spaces read better here */
		if (*p == '\t')
			buf_addstr(out, line_start ? "  " : " ");
		else
			buf_add(out, p, 1);
		if (*p == '\n')
			buf_addstr(out, "  ");
		line_start = *p == '\n' || (line_start && *p == '\t');
	}
	buf_addf(out, "\n  relative paths resolve against %s\n",
		 base ? base : cfg->base_dir ? cfg->base_dir : ".");
	free(base);
	free(text);
}

static void explain_fix(const struct check *c, struct buf *out)
{
	const struct fix_type *f = c->type->fix ? fix_type_find(c->type->fix)
		: NULL;

	if (!f) {
		buf_addstr(out, "\nfix: none; preflight reports this check but "
			   "does not repair it\n");
		return;
	}
	buf_addf(out, "\nfix: %s: %s\n", f->name, f->summary);
	buf_addf(out, "  runs with --fix when the check fails, then the check "
		 "runs again;\n  preflight --fix --dry-run --only %s shows its "
		 "actions\n", c->id);
}

static void explain_failure(const struct check *c, struct buf *out)
{
	const struct check_type *t = c->type;

	buf_addstr(out, "\nexample failure:\n");
	if (!t->example) {
		buf_addf(out, "  (none recorded for type %s)\n", t->name);
		return;
	}
	buf_addf(out, "  %s  %s  %s\n", c->severity_warn ? "WARN" : "FAIL",
		 c->id, t->example);
	if (t->example_hint)
		buf_addf(out, "        hint: %s\n", t->example_hint);
}

int explain_check(const struct config *cfg, const char *id, struct buf *out)
{
	long idx = config_find(cfg, id);

	if (idx < 0)
		return -1;
	explain_about(cfg, (size_t)idx, out);
	explain_config(cfg, &cfg->checks[idx], out);
	explain_fix(&cfg->checks[idx], out);
	explain_failure(&cfg->checks[idx], out);
	return 0;
}
