/*
 * Choosing the checks of a run from the command line, so a person can run
 * one part of a stack (--tag db), leave out a part that is known to be
 * down (--skip), or name exactly what a script depends on (--only).
 */
#include <stdlib.h>
#include <string.h>

#include "select.h"
#include "runner.h"
#include "util.h"

int select_has_tag(const struct check *c, const char *tag)
{
	char **t;

	for (t = c->tags; t && *t; t++)
		if (!strcmp(*t, tag))
			return 1;
	return 0;
}

static int select_ids(const struct config *cfg, char *const *ids,
		      const char *what, unsigned char *sel, char **cause)
{
	long j;

	for (; ids && *ids; ids++) {
		j = config_find(cfg, *ids);
		if (j < 0) {
			*cause = xasprintf("%sno check has the id '%s' (see "
					   "preflight --list)", what, *ids);
			return -1;
		}
		sel[j] = 1;
	}
	return 0;
}

static int select_tags(const struct config *cfg, char *const *tags,
		       unsigned char *sel, char **cause)
{
	size_t i, hits;

	for (; tags && *tags; tags++) {
		for (i = 0, hits = 0; i < cfg->nchecks; i++) {
			if (select_has_tag(&cfg->checks[i], *tags)) {
				sel[i] = 1;
				hits++;
			}
		}
		if (!hits) {
			*cause = xasprintf("--tag: no check has the tag '%s' "
					   "(see preflight --list)", *tags);
			return -1;
		}
	}
	return 0;
}

/*
 * Clears what needs a skipped check, directly or not; what it clears
 * counts as skipped in turn, and its id goes to `dropped`.
 */
static void drop_dependents(const struct config *cfg, unsigned char *sel,
			    unsigned char *skipped, struct buf *dropped)
{
	int changed = 1;
	size_t i, k;

	while (changed) {
		changed = 0;
		for (i = 0; i < cfg->nchecks; i++) {
			const struct check *c = &cfg->checks[i];

			if (!sel[i])
				continue;
			for (k = 0; k < c->nneeds; k++)
				if (skipped[c->need_idx[k]])
					break;
			if (k == c->nneeds)
				continue;
			sel[i] = 0;
			skipped[i] = 1;
			buf_addf(dropped, "%s%s", dropped->len ? ", " : "",
				 c->id);
			changed = 1;
		}
	}
}

static int any(char *const *v)
{
	return v && *v;
}

int select_checks(const struct config *cfg, const struct selection *s,
		  unsigned char **out, char **dropped, char **cause)
{
	unsigned char *sel = xcalloc(cfg->nchecks + 1, 1);
	unsigned char *skipped = xcalloc(cfg->nchecks + 1, 1);
	struct buf gone = BUF_INIT;
	int rc = -1;

	*out = NULL;
	*dropped = NULL;
	if (select_ids(cfg, s->ids, "", sel, cause) < 0 ||
	    select_ids(cfg, s->only, "--only: ", sel, cause) < 0 ||
	    select_tags(cfg, s->tags, sel, cause) < 0 ||
	    select_ids(cfg, s->skip, "--skip: ", skipped, cause) < 0)
		goto done;

	if (any(s->ids) || any(s->only) || any(s->tags))
		runner_select_needs(cfg, sel);
	else
		memset(sel, 1, cfg->nchecks);

	if (any(s->skip)) {
		size_t i;

		for (i = 0; i < cfg->nchecks; i++)
			if (skipped[i])
				sel[i] = 0;
		drop_dependents(cfg, sel, skipped, &gone);
	}

	if (any(s->ids) || any(s->only) || any(s->tags) || any(s->skip)) {
		*out = sel;
		sel = NULL;
	}
	*dropped = gone.len ? buf_detach(&gone) : NULL;
	rc = 0;
done:
	buf_release(&gone);
	free(sel);
	free(skipped);
	return rc;
}
