/*
 * Unit tests for core/lock.c, written as lock.h's promises: one holder per
 * project, a wait with a deadline, a message naming the holder, and the
 * lock file kept out of the project.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../core/lock.h"
#include "../../core/util.h"

struct dirs {
	char run[64];		/* stands in for $XDG_RUNTIME_DIR */
	char project[64];
};

static int setup(void **state)
{
	struct dirs *d = calloc(1, sizeof(*d));

	snprintf(d->run, sizeof(d->run), "/tmp/preflight-lock-run-XXXXXX");
	snprintf(d->project, sizeof(d->project),
		 "/tmp/preflight-lock-proj-XXXXXX");
	if (!mkdtemp(d->run) || !mkdtemp(d->project))
		return -1;
	setenv("XDG_RUNTIME_DIR", d->run, 1);
	unsetenv("PREFLIGHT_LOCK_WAIT");
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dirs *d = *state;
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", d->run, d->project);
	if (system(cmd) != 0)
		return -1;
	free(d);
	return 0;
}

static void test_a_second_holder_is_refused_naming_the_first(void **state)
{
	struct dirs *d = *state;
	struct lock a = LOCK_INIT, b = LOCK_INIT;
	char *cause = NULL, pid[32];

	assert_int_equal(lock_take(&a, d->project, 0, &cause), 0);
	assert_int_equal(lock_take(&b, d->project, 0, &cause), -1);

	snprintf(pid, sizeof(pid), "pid %ld", (long)getpid());
	assert_non_null(strstr(cause, pid));
	assert_non_null(strstr(cause, d->run));
	free(cause);
	lock_release(&b);
	lock_release(&a);
}

static void test_release_lets_the_next_one_in(void **state)
{
	struct dirs *d = *state;
	struct lock a = LOCK_INIT, b = LOCK_INIT;
	char *cause = NULL;

	assert_int_equal(lock_take(&a, d->project, 0, &cause), 0);
	lock_release(&a);
	assert_int_equal(lock_take(&b, d->project, 0, &cause), 0);
	assert_null(cause);
	lock_release(&b);
}

static void test_the_wait_lasts_its_deadline(void **state)
{
	struct dirs *d = *state;
	struct lock a = LOCK_INIT, b = LOCK_INIT;
	char *cause = NULL;
	int64_t start;

	assert_int_equal(lock_take(&a, d->project, 0, &cause), 0);
	start = now_ms();
	assert_int_equal(lock_take(&b, d->project, 300, &cause), -1);

	assert_in_range(now_ms() - start, 300, 1500);
	assert_non_null(strstr(cause, "waited 0.3 s"));
	free(cause);
	lock_release(&b);
	lock_release(&a);
}

static void test_other_projects_do_not_wait(void **state)
{
	struct dirs *d = *state;
	struct lock a = LOCK_INIT, b = LOCK_INIT;
	char *cause = NULL;

	assert_int_equal(lock_take(&a, d->project, 0, &cause), 0);
	assert_int_equal(lock_take(&b, d->run, 0, &cause), 0);
	assert_string_not_equal(a.path, b.path);
	lock_release(&b);
	lock_release(&a);
}

static void test_one_project_by_two_spellings_is_one_lock(void **state)
{
	struct dirs *d = *state;
	struct lock a = LOCK_INIT, b = LOCK_INIT;
	char *cause = NULL, *dotted = xasprintf("%s/./", d->project);

	assert_int_equal(lock_take(&a, d->project, 0, &cause), 0);
	assert_int_equal(lock_take(&b, dotted, 0, &cause), -1);
	free(cause);
	free(dotted);
	lock_release(&b);
	lock_release(&a);
}

static void test_the_lock_file_stays_out_of_the_project(void **state)
{
	struct dirs *d = *state;
	struct lock a = LOCK_INIT;
	char *cause = NULL;
	struct stat st;

	assert_int_equal(lock_take(&a, d->project, 0, &cause), 0);
	assert_int_equal(strncmp(a.path, d->run, strlen(d->run)), 0);
	assert_int_equal(stat(a.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	lock_release(&a);
}

static void test_without_a_runtime_dir_tmp_is_used(void **state)
{
	struct dirs *d = *state;
	struct lock a = LOCK_INIT;
	char *cause = NULL;

	setenv("XDG_RUNTIME_DIR", "/nonexistent/preflight", 1);
	assert_int_equal(lock_take(&a, d->project, 0, &cause), 0);
	assert_int_equal(strncmp(a.path, "/tmp/preflight-fix-", 19), 0);
	unlink(a.path);
	lock_release(&a);
	setenv("XDG_RUNTIME_DIR", d->run, 1);
}

static void test_wait_comes_from_the_environment(void **state)
{
	static const struct {
		const char *value;
		int64_t ms;
	} cases[] = {
		{ NULL, LOCK_WAIT_MS }, { "", LOCK_WAIT_MS }, { "0", 0 },
		{ "1.5", 1500 }, { "junk", LOCK_WAIT_MS },
		{ "-1", LOCK_WAIT_MS }, { "90000", LOCK_WAIT_MS },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (cases[i].value)
			setenv("PREFLIGHT_LOCK_WAIT", cases[i].value, 1);
		else
			unsetenv("PREFLIGHT_LOCK_WAIT");
		assert_int_equal(lock_wait_ms(), cases[i].ms);
	}
	unsetenv("PREFLIGHT_LOCK_WAIT");
}

#define LOCK_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		LOCK_TEST(test_a_second_holder_is_refused_naming_the_first),
		LOCK_TEST(test_release_lets_the_next_one_in),
		LOCK_TEST(test_the_wait_lasts_its_deadline),
		LOCK_TEST(test_other_projects_do_not_wait),
		LOCK_TEST(test_one_project_by_two_spellings_is_one_lock),
		LOCK_TEST(test_the_lock_file_stays_out_of_the_project),
		LOCK_TEST(test_without_a_runtime_dir_tmp_is_used),
		LOCK_TEST(test_wait_comes_from_the_environment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
