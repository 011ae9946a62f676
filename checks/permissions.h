/*
 * The permissions check's prepared state, shared with the chmod fix that
 * repairs what the check finds.
 */
#ifndef PREFLIGHT_CHECK_PERMISSIONS_H
#define PREFLIGHT_CHECK_PERMISSIONS_H

#include <sys/types.h>

enum perm_mode { PERM_EXECUTABLE, PERM_READABLE, PERM_WRITABLE, PERM_EXACT };
enum perm_kind { KIND_ANY, KIND_FILE, KIND_DIR };

struct perm_entry {
	char *path;		/* as configured, for messages */
	char *abs;		/* resolved against the config's directory */
	enum perm_mode mode;
	mode_t exact;		/* with PERM_EXACT */
	enum perm_kind kind;
	int create;		/* create a missing directory */
};

struct perm_state {
	struct perm_entry *entries;
	size_t n;
};

/* The mode bits an entry wants added to `have`, 0 if it is satisfied. */
mode_t perm_wanted_bits(const struct perm_entry *e, mode_t have);
/* The mode a fix would set for `have` (PERM_EXACT: the exact mode). */
mode_t perm_fixed_mode(const struct perm_entry *e, mode_t have);

#endif
