/*
 * The repair lock: keeps two `preflight --fix` runs on one project from
 * repairing at the same time, and says which process holds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "util.h"

#define LOCK_POLL_MS 50

/* FNV-1a: a stable name for a directory, not a secret. */
static uint64_t lock_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static char *lock_path(const char *dir)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(dir ? dir : ".", real))
		snprintf(real, sizeof(real), "%s", dir ? dir : ".");
	if (!run || !*run || stat(run, &st) < 0 || !S_ISDIR(st.st_mode))
		run = "/tmp";
	return xasprintf("%s/preflight-fix-%u-%016llx.lock", run,
			 (unsigned)getuid(), (unsigned long long)lock_hash(real));
}

static void lock_sleep(void)
{
	struct timespec ts = { 0, LOCK_POLL_MS * 1000000L };

	nanosleep(&ts, NULL);
}

/* The pid the holder wrote, or 0. */
static long lock_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static void lock_write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return;	/* the lock holds; only its holder goes unnamed */
}

static int lock_busy(struct lock *l, int64_t wait_ms, char **cause)
{
	long pid = lock_holder(l->fd);
	char who[32] = "a process";

	if (pid > 0)
		snprintf(who, sizeof(who), "pid %ld", pid);
	*cause = xasprintf("another preflight --fix is repairing this project "
			   "(%s holds %s); waited %.1f s for it, then gave up",
			   who, l->path, wait_ms / 1000.0);
	close(l->fd);
	l->fd = -1;
	return -1;
}

int lock_take(struct lock *l, const char *dir, int64_t wait_ms, char **cause)
{
	int64_t end = now_ms() + wait_ms;

	l->path = lock_path(dir);
	l->fd = open(l->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (l->fd < 0) {
		*cause = xasprintf("cannot open the repair lock %s: %s",
				   l->path, strerror(errno));
		return -1;
	}

	while (flock(l->fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			*cause = xasprintf("cannot lock %s: %s", l->path,
					   strerror(errno));
			close(l->fd);
			l->fd = -1;
			return -1;
		}
		if (now_ms() >= end)
			return lock_busy(l, wait_ms, cause);
		lock_sleep();
	}

	lock_write_pid(l->fd);
	return 0;
}

int64_t lock_wait_ms(void)
{
	const char *s = getenv("PREFLIGHT_LOCK_WAIT");
	char *end;
	double v;

	if (!s || !*s)
		return LOCK_WAIT_MS;
	v = strtod(s, &end);
	if (*end || v < 0 || v > 24 * 3600)
		return LOCK_WAIT_MS;
	return (int64_t)(v * 1000);
}

void lock_release(struct lock *l)
{
	if (l->fd >= 0) {
		flock(l->fd, LOCK_UN);
		close(l->fd);
	}
	l->fd = -1;
	free(l->path);
	l->path = NULL;
}
