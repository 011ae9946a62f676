/*
 * Child processes, the only way preflight runs a program.
 *
 * A child gets an argv array, never a shell string, so arguments stay
 * literal. It runs in its own process group with stdin from /dev/null (or
 * the given bytes), and with no descriptor of ours but its stdout and
 * stderr pipes. At the deadline the whole group is killed (SIGTERM, then
 * SIGKILL after a short grace). Output is captured with a cap: the last
 * out_cap bytes of each stream are kept. Exec failure (ENOENT, EACCES),
 * exit status and death by signal are reported apart.
 *
 * Safe to call from several threads at once.
 */
#ifndef PREFLIGHT_PROC_H
#define PREFLIGHT_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct proc_opts {
	const char *const *argv;	/* argv[0] is looked up in PATH */
	const char *cwd;		/* NULL: ours */
	const char *const *env;		/* NULL: ours */
	int64_t deadline;		/* now_ms() value; 0: none */
	size_t out_cap;			/* bytes kept per stream; 0: 64 KiB */
	const char *input;		/* bytes for stdin, or NULL */
	size_t input_len;
};

enum proc_end {
	PROC_EXITED,		/* code holds the exit status */
	PROC_SIGNALED,		/* sig holds the signal */
	PROC_TIMED_OUT,		/* killed at the deadline */
	PROC_EXEC_FAILED,	/* could not start; err holds errno */
};

struct proc_result {
	enum proc_end end;
	int code;
	int sig;
	int err;
	int64_t duration_ms;
	struct buf out;		/* stdout tail */
	struct buf err_out;	/* stderr tail */
};

/*
 * Runs the child to completion or deadline. Returns 0 when the child was
 * started and reaped (whatever its status), -1 when it could not be
 * started (res->end == PROC_EXEC_FAILED). Always release res afterwards.
 */
int proc_run(const struct proc_opts *opts, struct proc_result *res);
void proc_result_release(struct proc_result *res);

/* "exited with status 1", "killed by signal 9 (Killed)", ... (static). */
const char *proc_describe(const struct proc_result *res, char *buf,
			  size_t n);

/*
 * argv as a person would type it, words quoted where a shell would need
 * it: for messages and fix actions, never for running. Caller frees.
 */
char *proc_argv_string(const char *const *argv);

/* Kills every child still running (on interruption). Async-signal-safe. */
void proc_kill_all(void);

#endif
