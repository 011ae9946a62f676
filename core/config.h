/*
 * Loading and validating the set of checks to run.
 *
 * A config is a JSON file ({"checks": [...]}) or the built-in default
 * profile, which is built as the same JSON tree and goes through the same
 * validation. Everything is refused before anything runs: unknown keys,
 * wrong types, duplicate ids, unknown or cyclic `needs`, unknown types and
 * whatever a type's prepare() refuses. Messages name the file, line,
 * column, check id and key.
 */
#ifndef PREFLIGHT_CONFIG_H
#define PREFLIGHT_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "check.h"

struct check {
	char *id;
	const struct check_type *type;
	char *description;	/* may be NULL */
	char **needs;		/* ids, NULL-ended */
	size_t *need_idx;	/* indexes into config.checks, nneeds long */
	size_t nneeds;
	char **tags;		/* NULL-ended */
	int64_t timeout_ms;
	int severity_warn;	/* "severity": "warn" */
	void *state;		/* from type->prepare, freed by type->release */
	cJSON *source;		/* the check's object, secrets masked; owned */
	int line;		/* where the object starts, 0 if built in */
};

struct config {
	char *path;		/* NULL for the built-in profile */
	char *base_dir;		/* relative paths resolve against it */
	struct check *checks;
	size_t nchecks;
};

struct config_opts {
	int64_t default_timeout_ms;	/* --timeout, default 5000 */
};

/*
 * Parse and validate. On error returns -1 and sets *cause to a message
 * ready to print (file:line:col: ...); the caller frees it and releases
 * cfg. On success every check is prepared.
 */
int config_load_file(struct config *cfg, const char *path,
		     const struct config_opts *opts, char **cause);
int config_load_text(struct config *cfg, const char *text, size_t len,
		     const char *name, const char *base_dir,
		     const struct config_opts *opts, char **cause);
/* The built-in default profile, resolved against the working directory. */
int config_load_default(struct config *cfg, const struct config_opts *opts,
			char **cause);
/* Builds the default profile's JSON tree (for tests and --list). */
cJSON *config_default_profile(const char *cwd);

void config_release(struct config *cfg);

/* Index of the check with this id, or -1. */
long config_find(const struct config *cfg, const char *id);

#endif
