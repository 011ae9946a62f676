/*
 * One repair at a time per project. Two `preflight --fix` runs on the same
 * project would otherwise race: both see the same failure, both restart
 * the same service or install the same packages.
 *
 * The lock is an flock() on a file in $XDG_RUNTIME_DIR (or /tmp), named by
 * the user id and a hash of the project directory (the config file's
 * directory, or the working directory for the built-in profile), so the
 * project itself is never written to. The holder writes its pid into the
 * file; a run that waits in vain names that pid. The kernel drops the lock
 * when the holder exits, however it exits.
 *
 * Call order: lock_take() before the run, lock_release() after (also
 * after a failed take).
 */
#ifndef PREFLIGHT_LOCK_H
#define PREFLIGHT_LOCK_H

#include <stdint.h>

/* How long a run waits by default; PREFLIGHT_LOCK_WAIT (seconds) sets it. */
#define LOCK_WAIT_MS (30 * 1000)

struct lock {
	int fd;			/* -1 when not held */
	char *path;		/* the lock file; owned */
};
#define LOCK_INIT { -1, NULL }

/*
 * Takes the lock of the project at dir, waiting up to wait_ms (0: do not
 * wait). Returns 0, or -1 with *cause set to a sentence naming the lock
 * file and the pid holding it (the caller frees it).
 */
int lock_take(struct lock *l, const char *dir, int64_t wait_ms, char **cause);

/* The wait from PREFLIGHT_LOCK_WAIT, or LOCK_WAIT_MS. */
int64_t lock_wait_ms(void);

/* Lets go. The file stays with the last pid in it; unlocked, it means
 * nothing. */
void lock_release(struct lock *l);

#endif
