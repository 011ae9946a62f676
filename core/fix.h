/*
 * The contract between the runner and a fix module.
 *
 * A fix repairs what one check type found wrong. It runs only with --fix,
 * only for a check that failed, and only when the check type names it. It
 * describes every action with fix_record_action() before doing it; with
 * ctx->dry_run it describes and does nothing else, so the dry-run output is
 * exactly what a real run would do. Programs run through proc.h, never a
 * shell. After apply() the runner runs the check again; that result is the
 * fix's verdict.
 *
 * apply() returns FIX_APPLIED when it changed something, FIX_NOTHING when
 * there was nothing it could or should do (for example the config does not
 * allow it), FIX_FAILED with rec->error set when an action failed.
 */
#ifndef PREFLIGHT_FIX_H
#define PREFLIGHT_FIX_H

#include <stdint.h>

#include "result.h"

enum fix_outcome { FIX_APPLIED = 0, FIX_NOTHING = 1, FIX_FAILED = -1 };

struct fix_ctx {
	const char *id;		/* the check being repaired */
	void *state;		/* that check's prepared state */
	const struct result *failed;	/* its failed result */
	int dry_run;
	int64_t deadline;	/* now_ms() value to finish by */
	const char *base_dir;
};

struct fix_type {
	const char *name;
	const char *summary;
	const char *check;	/* the check type it repairs */
	enum fix_outcome (*apply)(const struct fix_ctx *ctx,
				  struct fix_record *rec);
};

/* The table in fixes/registry.c, NULL-ended. */
extern const struct fix_type *const fix_types[];
const struct fix_type *fix_type_find(const char *name);

#endif
