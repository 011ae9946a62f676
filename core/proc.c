/*
 * Child processes: runs one program from an argv with a deadline and
 * captured output, so a hung or chatty program can never hang or flood
 * preflight.
 *
 * posix_spawnp starts the child in its own process group with default
 * signal dispositions, an empty signal mask, stdin from /dev/null (or a
 * pipe already holding the input) and every descriptor above 2 closed.
 * The parent then polls the two output pipes and a pidfd for the child's
 * exit, killing the group at the deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

extern char **environ;

/*
 * Time between SIGTERM and SIGKILL once the deadline has passed: short,
 * so a check still reports within the runner's grace after its deadline.
 */
#define PROC_GRACE_MS 100
/* How long to keep reading after the child exited, for its last output. */
#define PROC_DRAIN_MS 100
/* Poll interval when the kernel has no pidfd_open. */
#define PROC_TICK_MS 20
#define PROC_DEFAULT_CAP (64 * 1024)
/* Live process groups, for proc_kill_all; 0 marks a free slot. */
#define PROC_SLOTS 256

static pid_t proc_live[PROC_SLOTS];
static int proc_stopping;

/* One child being run: its pipes, its pidfd and where it stands. */
struct proc_child {
	pid_t pid;
	int slot;
	int out_fd;
	int err_fd;
	int pidfd;
	size_t cap;
	int exited;
	int timed_out;
	int64_t deadline;
	int64_t kill_at;	/* when SIGKILL follows SIGTERM; 0: not yet */
	int64_t drain_end;
};

static int proc_slot_take(pid_t pid)
{
	for (int i = 0; i < PROC_SLOTS; i++) {
		pid_t zero = 0;

		if (__atomic_compare_exchange_n(&proc_live[i], &zero, pid, 0,
						__ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return i;
	}
	return -1;
}

static void proc_slot_drop(int slot)
{
	if (slot >= 0)
		__atomic_store_n(&proc_live[slot], 0, __ATOMIC_SEQ_CST);
}

void proc_kill_all(void)
{
	int saved = errno;

	__atomic_store_n(&proc_stopping, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < PROC_SLOTS; i++) {
		pid_t pg = __atomic_load_n(&proc_live[i], __ATOMIC_SEQ_CST);

		if (pg > 0)
			kill(-pg, SIGKILL);
	}
	errno = saved;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * Appends to a buffer that keeps only the last `cap` bytes. The buffer
 * grows to twice the cap, then its tail is moved to the front, so the
 * cost per byte stays constant.
 */
static void proc_tail_add(struct buf *b, const char *data, size_t n,
			  size_t cap)
{
	if (n >= cap) {
		buf_reset(b);
		buf_add(b, data + n - cap, cap);
		b->truncated = 1;
		return;
	}

	if (b->len + n > 2 * cap) {
		size_t keep = cap - n;

		memmove(b->data, b->data + b->len - keep, keep);
		b->len = keep;
		b->data[keep] = '\0';
		b->truncated = 1;
	}
	buf_add(b, data, n);
}

/* Cuts a tail buffer down to its last `cap` bytes. */
static void proc_tail_trim(struct buf *b, size_t cap)
{
	if (b->len <= cap)
		return;
	memmove(b->data, b->data + b->len - cap, cap);
	b->len = cap;
	b->data[cap] = '\0';
	b->truncated = 1;
}

/*
 * Prepares the child's stdin: /dev/null, or a pipe that already holds all
 * of the input, so the parent never blocks writing and never sees SIGPIPE.
 * The input is limited to what a pipe can hold (1 MiB by default).
 */
static int proc_stdin(const struct proc_opts *opts,
		      posix_spawn_file_actions_t *fa, int *keep_fd)
{
	int fds[2];

	*keep_fd = -1;
	if (!opts->input)
		return posix_spawn_file_actions_addopen(fa, 0, "/dev/null",
							O_RDONLY, 0);

	if (pipe2(fds, O_CLOEXEC) < 0)
		return errno;
	if (opts->input_len > 65536 &&
	    fcntl(fds[1], F_SETPIPE_SZ, (int)opts->input_len) < 0) {
		close(fds[0]);
		close(fds[1]);
		return E2BIG;
	}
	errno = 0;
	if (opts->input_len &&
	    write(fds[1], opts->input, opts->input_len) !=
		    (ssize_t)opts->input_len) {
		close(fds[0]);
		close(fds[1]);
		return errno ? errno : E2BIG;
	}
	close(fds[1]);

	*keep_fd = fds[0];
	return posix_spawn_file_actions_adddup2(fa, fds[0], 0);
}

/* posix_spawn takes char *const[] but never writes through it. */
static char *const *proc_strv(const char *const *v)
{
	return (char *const *)(uintptr_t)v;
}

static int proc_attrs(posix_spawnattr_t *attr)
{
	sigset_t none, all;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(attr, &none);
	posix_spawnattr_setsigdefault(attr, &all);
	posix_spawnattr_setpgroup(attr, 0);
	return posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP |
						      POSIX_SPAWN_SETSIGMASK |
						      POSIX_SPAWN_SETSIGDEF);
}

/* Starts the child; returns 0 or an errno value. */
static int proc_spawn(const struct proc_opts *opts, struct proc_child *c)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, in_fd = -1;
	char *const *envp = proc_strv(opts->env);
	int rc;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		rc = errno;
		goto out;
	}

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	rc = proc_stdin(opts, &fa, &in_fd);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	if (!rc)
		rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (!rc && opts->cwd)
		rc = posix_spawn_file_actions_addchdir_np(&fa, opts->cwd);
	if (!rc)
		rc = proc_attrs(&attr);
	if (!rc)
		rc = posix_spawnp(&c->pid, opts->argv[0], &fa, &attr,
				  proc_strv(opts->argv),
				  envp ? envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);

	if (!rc) {
		c->out_fd = out[0];
		c->err_fd = err[0];
		out[0] = err[0] = -1;
	}
out:
	close_fd(&out[0]);
	close_fd(&out[1]);
	close_fd(&err[0]);
	close_fd(&err[1]);
	close_fd(&in_fd);
	return rc;
}

/* Reads what one pipe has; closes it at end of file. */
static void proc_read(int *fd, struct buf *b, size_t cap)
{
	char chunk[16384];
	ssize_t n = read(*fd, chunk, sizeof(chunk));

	if (n > 0)
		proc_tail_add(b, chunk, (size_t)n, cap);
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		close_fd(fd);
}

/* 1 once the child has terminated; it is left unreaped (a zombie). */
static int proc_has_exited(struct proc_child *c)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD;
	return si.si_pid == c->pid;
}

/* Deadline handling: SIGTERM to the group, then SIGKILL after the grace. */
static void proc_enforce_deadline(struct proc_child *c, int64_t now)
{
	if (__atomic_load_n(&proc_stopping, __ATOMIC_SEQ_CST) &&
	    !c->timed_out) {
		c->timed_out = 1;
		c->kill_at = now;
	}

	if (!c->timed_out && c->deadline && now >= c->deadline) {
		c->timed_out = 1;
		kill(-c->pid, SIGTERM);
		c->kill_at = now + PROC_GRACE_MS;
	}

	if (c->kill_at && now >= c->kill_at) {
		kill(-c->pid, SIGKILL);
		c->kill_at = 0;
	}
}

/* The poll timeout until the next thing this loop must do, in ms. */
static int proc_wait_ms(const struct proc_child *c, int64_t now)
{
	int64_t next = 0, t;

	if (c->exited)
		next = c->drain_end;
	else if (c->kill_at)
		next = c->kill_at;
	else if (c->deadline && !c->timed_out)
		next = c->deadline;

	t = next ? next - now : 1000;
	if (c->pidfd < 0 && !c->exited && t > PROC_TICK_MS)
		t = PROC_TICK_MS;
	return (int)(t < 0 ? 0 : t > 1000 ? 1000 : t);
}

/*
 * The loop: read both pipes until the child has exited and its pipes are
 * at end of file. A grandchild that keeps a pipe open (a daemon a start
 * script left behind) is not waited for beyond a short drain.
 */
static void proc_loop(struct proc_child *c, struct proc_result *res)
{
	for (;;) {
		struct pollfd p[3];
		int64_t now = now_ms();
		int n = 0;

		if (!c->exited)
			proc_enforce_deadline(c, now);
		if (c->exited && (now >= c->drain_end ||
				  (c->out_fd < 0 && c->err_fd < 0)))
			return;

		p[n++] = (struct pollfd){ c->out_fd, POLLIN, 0 };
		p[n++] = (struct pollfd){ c->err_fd, POLLIN, 0 };
		p[n++] = (struct pollfd){ c->exited ? -1 : c->pidfd, POLLIN,
					  0 };
		if (poll(p, (nfds_t)n, proc_wait_ms(c, now)) < 0 &&
		    errno != EINTR) {
			kill(-c->pid, SIGKILL);
			return;
		}

		if (p[0].revents)
			proc_read(&c->out_fd, &res->out, c->cap);
		if (p[1].revents)
			proc_read(&c->err_fd, &res->err_out, c->cap);
		if (!c->exited && proc_has_exited(c)) {
			c->exited = 1;
			c->drain_end = now_ms() + (c->timed_out ? 0 :
						   PROC_DRAIN_MS);
		}
	}
}

/*
 * Reaps the child; a timed-out child's stragglers die with it. A child
 * killed by proc_kill_all counts as timed out: we ended it, not a crash.
 */
static void proc_reap(struct proc_child *c, struct proc_result *res)
{
	int status = 0;

	if (__atomic_load_n(&proc_stopping, __ATOMIC_SEQ_CST))
		c->timed_out = 1;
	if (c->timed_out)
		kill(-c->pid, SIGKILL);
	proc_slot_drop(c->slot);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;

	if (c->timed_out) {
		res->end = PROC_TIMED_OUT;
		res->sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	} else if (WIFSIGNALED(status)) {
		res->end = PROC_SIGNALED;
		res->sig = WTERMSIG(status);
	} else {
		res->end = PROC_EXITED;
		res->code = WEXITSTATUS(status);
	}
}

int proc_run(const struct proc_opts *opts, struct proc_result *res)
{
	struct proc_child c = { .slot = -1, .out_fd = -1, .err_fd = -1,
				.pidfd = -1, .deadline = opts->deadline };
	int64_t start = now_ms();
	int rc;

	memset(res, 0, sizeof(*res));
	buf_init(&res->out, 0);
	buf_init(&res->err_out, 0);
	c.cap = opts->out_cap ? opts->out_cap : PROC_DEFAULT_CAP;

	if (__atomic_load_n(&proc_stopping, __ATOMIC_SEQ_CST))
		rc = ECANCELED;
	else
		rc = proc_spawn(opts, &c);
	if (rc) {
		res->end = PROC_EXEC_FAILED;
		res->err = rc;
		res->duration_ms = now_ms() - start;
		return -1;
	}

	c.slot = proc_slot_take(c.pid);
	c.pidfd = (int)syscall(SYS_pidfd_open, c.pid, 0);
	proc_loop(&c, res);
	close_fd(&c.out_fd);
	close_fd(&c.err_fd);
	close_fd(&c.pidfd);
	proc_reap(&c, res);
	proc_tail_trim(&res->out, c.cap);
	proc_tail_trim(&res->err_out, c.cap);

	res->duration_ms = now_ms() - start;
	return 0;
}

void proc_result_release(struct proc_result *res)
{
	buf_release(&res->out);
	buf_release(&res->err_out);
}

static void proc_quote_word(struct buf *b, const char *w)
{
	const char *safe = "abcdefghijklmnopqrstuvwxyz"
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,-";

	if (*w && strspn(w, safe) == strlen(w)) {
		buf_addstr(b, w);
		return;
	}
	buf_addstr(b, "'");
	for (; *w; w++) {
		if (*w == '\'')
			buf_addstr(b, "'\\''");
		else
			buf_add(b, w, 1);
	}
	buf_addstr(b, "'");
}

char *proc_argv_string(const char *const *argv)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; argv[i]; i++) {
		if (i)
			buf_addstr(&b, " ");
		proc_quote_word(&b, argv[i]);
	}
	return buf_detach(&b);
}

const char *proc_describe(const struct proc_result *res, char *buf, size_t n)
{
	char ebuf[128];
	const char *what;

	switch (res->end) {
	case PROC_EXITED:
		snprintf(buf, n, "exited with status %d", res->code);
		break;
	case PROC_SIGNALED:
		what = sigdescr_np(res->sig);
		snprintf(buf, n, "killed by signal %d (%s)", res->sig,
			 what ? what : "unknown");
		break;
	case PROC_TIMED_OUT:
		snprintf(buf, n, "timed out after %lld ms and was killed",
			 (long long)res->duration_ms);
		break;
	case PROC_EXEC_FAILED:
		what = strerror_r(res->err, ebuf, sizeof(ebuf));
		snprintf(buf, n, "could not be started: %s", what);
		break;
	}
	return buf;
}
