/*
 * Which checks of a config run: the command line's positional ids, --only
 * and --tag add up (with what the chosen checks need); --skip then takes
 * checks out, together with every check that needs them, since those
 * could only be skipped.
 */
#ifndef PREFLIGHT_SELECT_H
#define PREFLIGHT_SELECT_H

#include "config.h"

struct selection {
	char *const *ids;	/* positional ids; each vector NULL-ended */
	char *const *only;	/* --only */
	char *const *skip;	/* --skip */
	char *const *tags;	/* --tag */
};

/*
 * Sets *out to a per-check vector of what runs (cfg->nchecks long, the
 * caller frees it), or to NULL when everything runs. Returns -1 with
 * *cause set when an id or tag matches no check. Checks left out because
 * they need a skipped one are named in *dropped (a comma list or NULL;
 * the caller frees it).
 */
int select_checks(const struct config *cfg, const struct selection *s,
		  unsigned char **out, char **dropped, char **cause);

/* 1 if the check carries the tag. */
int select_has_tag(const struct check *c, const char *tag);

#endif
