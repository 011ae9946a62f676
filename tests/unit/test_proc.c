/*
 * Child processes: real programs run through proc_run, with their exit,
 * signals, deadlines, output caps and descriptors checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../core/proc.h"

/* Runs argv with a deadline `ms` from now (0: none) and the given cap. */
static int run(struct proc_result *res, int64_t ms, size_t cap,
	       const char *const *argv)
{
	struct proc_opts o = { .argv = argv, .out_cap = cap };

	if (ms)
		o.deadline = now_ms() + ms;
	return proc_run(&o, res);
}

static void test_true_exits_with_status_zero(void **state)
{
	const char *argv[] = { "true", NULL };
	struct proc_result r;

	assert_int_equal(run(&r, 5000, 0, argv), 0);
	assert_int_equal(r.end, PROC_EXITED);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.out.len, 0);
	proc_result_release(&r);
}

static void test_exit_status_is_reported(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "exit 3", NULL };
	struct proc_result r;
	char d[64];

	assert_int_equal(run(&r, 5000, 0, argv), 0);
	assert_int_equal(r.end, PROC_EXITED);
	assert_int_equal(r.code, 3);
	assert_string_equal(proc_describe(&r, d, sizeof(d)),
			    "exited with status 3");
	proc_result_release(&r);
}

static void test_stdout_and_stderr_are_kept_apart(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "echo out; echo err >&2",
			       NULL };
	struct proc_result r;

	assert_int_equal(run(&r, 5000, 0, argv), 0);
	assert_string_equal(buf_cstr(&r.out), "out\n");
	assert_string_equal(buf_cstr(&r.err_out), "err\n");
	proc_result_release(&r);
}

static void test_output_over_cap_keeps_the_last_bytes(void **state)
{
	const char *argv[] = { "/bin/sh", "-c",
			       "yes 0123456789 | head -n 100000; echo END",
			       NULL };
	struct proc_result r;

	assert_int_equal(run(&r, 5000, 1000, argv), 0);
	assert_int_equal(r.code, 0);
	assert_true(r.out.len <= 1000);
	assert_true(r.out.len >= 990);
	assert_true(r.out.truncated);
	assert_string_equal(r.out.data + r.out.len - 4, "END\n");
	proc_result_release(&r);
}

static void test_small_output_is_not_marked_truncated(void **state)
{
	const char *argv[] = { "echo", "short", NULL };
	struct proc_result r;

	assert_int_equal(run(&r, 5000, 1000, argv), 0);
	assert_false(r.out.truncated);
	assert_string_equal(buf_cstr(&r.out), "short\n");
	proc_result_release(&r);
}

/* Exec failures: the errno comes back, not a shell's status 127. */
static void test_exec_failure_reports_errno(void **state)
{
	static const struct {
		const char *prog;
		int err;
	} cases[] = {
		{ "preflight-no-such-program", ENOENT },
		{ "/nonexistent/dir/prog", ENOENT },
		{ "/etc/passwd", EACCES },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[] = { cases[i].prog, NULL };
		struct proc_result r;
		char d[128];

		assert_int_equal(run(&r, 5000, 0, argv), -1);
		assert_int_equal(r.end, PROC_EXEC_FAILED);
		assert_int_equal(r.err, cases[i].err);
		assert_non_null(strstr(proc_describe(&r, d, sizeof(d)),
				       "could not be started: "));
		proc_result_release(&r);
	}
}

static void test_missing_cwd_is_an_exec_failure(void **state)
{
	const char *argv[] = { "true", NULL };
	struct proc_opts o = { .argv = argv, .cwd = "/nonexistent-dir" };
	struct proc_result r;

	assert_int_equal(proc_run(&o, &r), -1);
	assert_int_equal(r.end, PROC_EXEC_FAILED);
	assert_int_equal(r.err, ENOENT);
	proc_result_release(&r);
}

static void test_death_by_signal_is_reported(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "kill -SEGV $$", NULL };
	struct proc_result r;
	char d[64];

	assert_int_equal(run(&r, 5000, 0, argv), 0);
	assert_int_equal(r.end, PROC_SIGNALED);
	assert_int_equal(r.sig, SIGSEGV);
	assert_string_equal(proc_describe(&r, d, sizeof(d)),
			    "killed by signal 11 (Segmentation fault)");
	proc_result_release(&r);
}

static void test_deadline_kills_a_sleeping_child(void **state)
{
	const char *argv[] = { "sleep", "10", NULL };
	struct proc_result r;

	assert_int_equal(run(&r, 200, 0, argv), 0);
	assert_int_equal(r.end, PROC_TIMED_OUT);
	assert_int_equal(r.sig, SIGTERM);
	assert_true(r.duration_ms >= 190);
	assert_true(r.duration_ms < 1500);
	proc_result_release(&r);
}

static void test_child_ignoring_sigterm_gets_sigkill(void **state)
{
	const char *argv[] = { "/bin/sh", "-c",
			       "trap '' TERM; echo ready; sleep 10; sleep 10",
			       NULL };
	struct proc_result r;

	assert_int_equal(run(&r, 200, 0, argv), 0);
	assert_int_equal(r.end, PROC_TIMED_OUT);
	assert_int_equal(r.sig, SIGKILL);
	/* The grace after the deadline is short: a check reports on time. */
	assert_true(r.duration_ms < 800);
	assert_string_equal(buf_cstr(&r.out), "ready\n");
	proc_result_release(&r);
}

/* 1 when the process is gone or a zombie waiting for its new parent. */
static int process_gone(pid_t pid)
{
	char path[64], st[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 1;
	n = fread(st, 1, sizeof(st) - 1, f);
	fclose(f);
	st[n] = '\0';
	p = strrchr(st, ')');
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

static void test_deadline_kills_the_whole_group(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "sleep 30 & echo $!; wait",
			       NULL };
	struct proc_result r;
	pid_t grandchild;

	assert_int_equal(run(&r, 300, 0, argv), 0);
	assert_int_equal(r.end, PROC_TIMED_OUT);
	grandchild = (pid_t)atoi(buf_cstr(&r.out));
	assert_true(grandchild > 0);
	usleep(50 * 1000);
	assert_true(process_gone(grandchild));
	proc_result_release(&r);
}

/* A start script that leaves a daemon holding its stdout must not hang. */
static void test_background_grandchild_does_not_hold_the_run(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "sleep 5 & echo $!", NULL };
	struct proc_result r;
	pid_t daemon;

	assert_int_equal(run(&r, 4000, 0, argv), 0);
	assert_int_equal(r.end, PROC_EXITED);
	assert_int_equal(r.code, 0);
	assert_true(r.duration_ms < 1000);
	daemon = (pid_t)atoi(buf_cstr(&r.out));
	assert_true(daemon > 0);
	assert_false(process_gone(daemon));
	kill(daemon, SIGKILL);
	proc_result_release(&r);
}

static void test_argv_stays_literal(void **state)
{
	static const char *const words[] = {
		"it's \"quoted\"",
		"a; echo injected",
		"$(echo subst) `echo back` $HOME",
		"line one\nline two",
		"*",
		"",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const char *argv[] = { "printf", "[%s]", words[i], NULL };
		struct proc_result r;
		char want[128];

		snprintf(want, sizeof(want), "[%s]", words[i]);
		assert_int_equal(run(&r, 5000, 0, argv), 0);
		assert_string_equal(buf_cstr(&r.out), want);
		proc_result_release(&r);
	}
}

static void test_no_descriptor_leaks_into_the_child(void **state)
{
	const char *argv[] = { "ls", "/proc/self/fd", NULL };
	struct proc_result r;
	int fd = open("/dev/null", O_RDONLY);	/* no O_CLOEXEC on purpose */

	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 57), 57);
	assert_int_equal(run(&r, 5000, 0, argv), 0);
	/* ls itself holds 3 open on the directory it lists. */
	assert_string_equal(buf_cstr(&r.out), "0\n1\n2\n3\n");
	close(57);
	close(fd);
	proc_result_release(&r);
}

static void test_stdin_is_dev_null_by_default(void **state)
{
	const char *argv[] = { "cat", NULL };
	struct proc_result r;

	assert_int_equal(run(&r, 5000, 0, argv), 0);
	assert_int_equal(r.end, PROC_EXITED);
	assert_int_equal(r.out.len, 0);
	proc_result_release(&r);
}

static void test_input_bytes_reach_stdin(void **state)
{
	const char *argv[] = { "cat", NULL };
	static const char in[] = "first\nsecond\0third";
	struct proc_opts o = { .argv = argv, .input = in,
			       .input_len = sizeof(in) - 1 };
	struct proc_result r;

	assert_int_equal(proc_run(&o, &r), 0);
	assert_int_equal(r.out.len, sizeof(in) - 1);
	assert_memory_equal(r.out.data, in, sizeof(in) - 1);
	proc_result_release(&r);
}

static void test_input_unread_by_child_is_harmless(void **state)
{
	const char *argv[] = { "true", NULL };
	static char in[200000];
	struct proc_opts o = { .argv = argv, .input = in,
			       .input_len = sizeof(in) };
	struct proc_result r;

	memset(in, 'x', sizeof(in));
	assert_int_equal(proc_run(&o, &r), 0);
	assert_int_equal(r.end, PROC_EXITED);
	assert_int_equal(r.code, 0);
	proc_result_release(&r);
}

static void test_cwd_and_env_are_applied(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "pwd; echo \"$ONLY\"", NULL };
	const char *env[] = { "ONLY=this", NULL };
	struct proc_opts o = { .argv = argv, .cwd = "/tmp", .env = env };
	struct proc_result r;

	assert_int_equal(proc_run(&o, &r), 0);
	assert_string_equal(buf_cstr(&r.out), "/tmp\nthis\n");
	proc_result_release(&r);
}

static void test_describe_timeout(void **state)
{
	struct proc_result r = { .end = PROC_TIMED_OUT, .duration_ms = 250 };
	char d[64];

	assert_string_equal(proc_describe(&r, d, sizeof(d)),
			    "timed out after 250 ms and was killed");
}

static void test_argv_string_quotes_like_a_shell(void **state)
{
	const char *argv[] = { "./manage.sh", "status", "two words", "it's",
			       "", "$HOME", NULL };
	char *s = proc_argv_string(argv);

	assert_string_equal(s, "./manage.sh status 'two words' 'it'\\''s' '' "
			       "'$HOME'");
	free(s);
}

struct job {
	pthread_t th;
	char word[16];
	struct proc_result r;
	int rc;
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	const char *argv[] = { "/bin/sh", "-c", "sleep 0.3; echo \"$0\"",
			       j->word, NULL };

	j->rc = run(&j->r, 5000, 0, argv);
	return NULL;
}

static void test_threads_run_children_at_once(void **state)
{
	struct job jobs[8];
	int64_t start = now_ms();

	for (int i = 0; i < 8; i++) {
		snprintf(jobs[i].word, sizeof(jobs[i].word), "job%d", i);
		assert_int_equal(pthread_create(&jobs[i].th, NULL, job_main,
						&jobs[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		char want[20];

		pthread_join(jobs[i].th, NULL);
		snprintf(want, sizeof(want), "%s\n", jobs[i].word);
		assert_int_equal(jobs[i].rc, 0);
		assert_string_equal(buf_cstr(&jobs[i].r.out), want);
		proc_result_release(&jobs[i].r);
	}
	assert_true(now_ms() - start < 2000);
}

static void *sleeper_main(void *arg)
{
	struct job *j = arg;
	const char *argv[] = { "sleep", "10", NULL };

	j->rc = run(&j->r, 0, 0, argv);
	return NULL;
}

/*
 * proc_kill_all stops children for good, so it is tried in a forked copy
 * of this process: the exit status says whether the child was killed fast.
 */
static void test_kill_all_stops_running_children(void **state)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct job j;
		int64_t start = now_ms();

		pthread_create(&j.th, NULL, sleeper_main, &j);
		usleep(200 * 1000);
		proc_kill_all();
		pthread_join(j.th, NULL);
		/* Killed while running, or refused if it had not started. */
		_exit((j.r.end == PROC_TIMED_OUT ||
		       j.r.end == PROC_EXEC_FAILED) &&
				      now_ms() - start < 1500 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_true_exits_with_status_zero),
		cmocka_unit_test(test_exit_status_is_reported),
		cmocka_unit_test(test_stdout_and_stderr_are_kept_apart),
		cmocka_unit_test(test_output_over_cap_keeps_the_last_bytes),
		cmocka_unit_test(test_small_output_is_not_marked_truncated),
		cmocka_unit_test(test_exec_failure_reports_errno),
		cmocka_unit_test(test_missing_cwd_is_an_exec_failure),
		cmocka_unit_test(test_death_by_signal_is_reported),
		cmocka_unit_test(test_deadline_kills_a_sleeping_child),
		cmocka_unit_test(test_child_ignoring_sigterm_gets_sigkill),
		cmocka_unit_test(test_deadline_kills_the_whole_group),
		cmocka_unit_test(test_background_grandchild_does_not_hold_the_run),
		cmocka_unit_test(test_argv_stays_literal),
		cmocka_unit_test(test_no_descriptor_leaks_into_the_child),
		cmocka_unit_test(test_stdin_is_dev_null_by_default),
		cmocka_unit_test(test_input_bytes_reach_stdin),
		cmocka_unit_test(test_input_unread_by_child_is_harmless),
		cmocka_unit_test(test_cwd_and_env_are_applied),
		cmocka_unit_test(test_describe_timeout),
		cmocka_unit_test(test_argv_string_quotes_like_a_shell),
		cmocka_unit_test(test_threads_run_children_at_once),
		cmocka_unit_test(test_kill_all_stops_running_children),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
