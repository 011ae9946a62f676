/*
 * chmod: repairs what the permissions check found, by adding only the
 * mode bits that were asked for and creating directories marked "create".
 * It never removes a bit unless the config asked for an exact mode.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../checks/permissions.h"
#include "../core/fix.h"
#include "../core/util.h"

/* Creates dir and its missing parents with mode; returns 0 or -1. */
static int make_dirs(const char *dir, mode_t mode)
{
	char *copy = xstrdup(dir), *p;
	int rc = 0;

	for (p = copy + 1; *p && !rc; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	if (!rc && mkdir(copy, mode) < 0 && errno != EEXIST)
		rc = -1;
	free(copy);
	return rc;
}

static enum fix_outcome fix_entry(const struct fix_ctx *ctx,
				  const struct perm_entry *e,
				  struct fix_record *rec, int *changed)
{
	struct stat sb;
	mode_t mode;

	if (stat(e->abs, &sb) < 0) {
		if (errno != ENOENT || !e->create)
			return FIX_NOTHING;
		mode = e->mode == PERM_EXACT ? e->exact : 0755;
		fix_record_action(rec, "mkdir -p -m %04o %s", (unsigned)mode,
				  e->path);
		if (ctx->dry_run)
			return FIX_APPLIED;
		if (make_dirs(e->abs, mode) < 0 || chmod(e->abs, mode) < 0) {
			rec->error = xasprintf("cannot create '%s': %s",
					       e->path, strerror(errno));
			return FIX_FAILED;
		}
		*changed = 1;
		return FIX_APPLIED;
	}
	if (!perm_wanted_bits(e, sb.st_mode))
		return FIX_NOTHING;
	mode = perm_fixed_mode(e, sb.st_mode);
	fix_record_action(rec, "chmod %04o %s (was %04o)", (unsigned)mode,
			  e->path, (unsigned)(sb.st_mode & 07777));
	if (ctx->dry_run)
		return FIX_APPLIED;
	if (chmod(e->abs, mode) < 0) {
		rec->error = xasprintf("cannot chmod '%s': %s", e->path,
				       strerror(errno));
		return FIX_FAILED;
	}
	*changed = 1;
	return FIX_APPLIED;
}

static enum fix_outcome chmod_apply(const struct fix_ctx *ctx,
				    struct fix_record *rec)
{
	const struct perm_state *st = ctx->state;
	enum fix_outcome worst = FIX_NOTHING, out;
	int changed = 0;
	size_t i;

	for (i = 0; i < st->n; i++) {
		out = fix_entry(ctx, &st->entries[i], rec, &changed);
		if (out == FIX_FAILED)
			return FIX_FAILED;
		if (out == FIX_APPLIED)
			worst = FIX_APPLIED;
	}
	if (worst == FIX_NOTHING)
		fix_record_action(rec, "nothing this fix can repair: missing "
				  "files and wrong kinds need a person");
	return worst;
}

const struct fix_type fix_chmod = {
	.name = "chmod",
	.summary = "add missing mode bits; create directories marked create",
	.check = "permissions",
	.apply = chmod_apply,
};
