/*
 * PEP 508 markers: evaluation against a fixed interpreter's values, the
 * version-or-string rule, precedence, and refusal of malformed markers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../lib/marker.h"

/* Debian 12's CPython 3.11 on x86-64 Linux. */
static void debian_env(struct marker_env *env)
{
	marker_env_set(env, MARKER_OS_NAME, "posix");
	marker_env_set(env, MARKER_SYS_PLATFORM, "linux");
	marker_env_set(env, MARKER_PLATFORM_MACHINE, "x86_64");
	marker_env_set(env, MARKER_PLATFORM_PYTHON_IMPLEMENTATION, "CPython");
	marker_env_set(env, MARKER_PLATFORM_RELEASE, "6.1.0-13-amd64");
	marker_env_set(env, MARKER_PLATFORM_SYSTEM, "Linux");
	marker_env_set(env, MARKER_PYTHON_VERSION, "3.11");
	marker_env_set(env, MARKER_PYTHON_FULL_VERSION, "3.11.2");
	marker_env_set(env, MARKER_IMPLEMENTATION_NAME, "cpython");
	marker_env_set(env, MARKER_IMPLEMENTATION_VERSION, "3.11.2");
}

struct marker_case {
	const char *expr;
	int want;
};

static const struct marker_case cases[] = {
	{ "python_version >= \"3.8\"", 1 },
	{ "python_version < '3.8'", 0 },
	/* as versions 3.11 > 3.9, though "3.11" < "3.9" as strings */
	{ "python_version > '3.9'", 1 },
	{ "python_full_version == '3.11.*'", 1 },
	{ "python_full_version ~= '3.10.0'", 0 },
	{ "python_version === '3.11'", 1 },
	{ "sys_platform == 'linux'", 1 },
	{ "sys_platform == \"win32\"", 0 },
	{ "sys_platform != 'win32' and python_version >= '3.7'", 1 },
	{ "os_name == 'nt' or platform_system == 'Linux'", 1 },
	{ "platform_machine in 'x86_64 aarch64'", 1 },
	{ "'arm' in platform_machine", 0 },
	{ "platform_machine not in 'armv7l'", 1 },
	{ "platform_release >= '6'", 1 },
	{ "implementation_name == 'pypy'", 0 },
	/* and binds tighter than or */
	{ "os_name == 'posix' or os_name == 'nt' and python_version < '3'", 1 },
	{ "(os_name == 'posix' or os_name == 'nt') and python_version < '3'",
	  0 },
	{ "((python_version >= '3.8'))", 1 },
	{ "extra == 'test'", 0 },
	{ "os.name == 'posix'", 1 },
	{ "python_implementation == 'CPython'", 1 },
	{ "'3.11' == python_version", 1 },
};

static void test_markers_evaluate_against_the_given_interpreter(void **s)
{
	struct marker_env env = MARKER_ENV_INIT;
	size_t i;

	debian_env(&env);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *cause = NULL;
		int got = marker_eval(cases[i].expr, &env, &cause);

		if (got != cases[i].want)
			fail_msg("%s = %d (%s), want %d", cases[i].expr, got,
				 cause ? cause : "", cases[i].want);
	}
	marker_env_release(&env);
}

static void test_another_interpreter_changes_the_outcome(void **state)
{
	struct marker_env env = MARKER_ENV_INIT;
	char *cause = NULL;

	debian_env(&env);
	marker_env_set(&env, MARKER_PYTHON_VERSION, "3.7");
	assert_int_equal(marker_eval("python_version < '3.8'", &env, &cause),
			 1);
	marker_env_release(&env);
}

static void test_extra_names_compare_normalised(void **state)
{
	struct marker_env env = MARKER_ENV_INIT;
	char *cause = NULL;

	marker_env_set(&env, MARKER_EXTRA, "Dev_Tools");
	assert_int_equal(marker_eval("extra == 'dev-tools'", &env, &cause), 1);
	assert_int_equal(marker_eval("extra == 'dev..tools'", &env, &cause), 1);
	marker_env_release(&env);
}

static void test_malformed_markers_are_refused_with_a_reason(void **state)
{
	static const char *const bad[] = {
		"", "python_version", "python_version >= ", "python_version >=",
		"python_version => '3.8'", "pyver >= '3.8'",
		"python_version >= '3.8' and", "(python_version >= '3.8'",
		"python_version >= '3.8')", "python_version >= \"3.8",
		"os_name not 'posix'", "os_name ~= 'posix'", "os_name = 'x'",
		"python_version >= '3.8' python_version",
	};
	struct marker_env env = MARKER_ENV_INIT;
	size_t i;

	debian_env(&env);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *cause = NULL;

		if (marker_eval(bad[i], &env, &cause) != -1)
			fail_msg("'%s' was accepted", bad[i]);
		assert_non_null(cause);
		assert_non_null(strstr(cause, "bad marker"));
		free(cause);
	}
	marker_env_release(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_markers_evaluate_against_the_given_interpreter),
		cmocka_unit_test(test_another_interpreter_changes_the_outcome),
		cmocka_unit_test(test_extra_names_compare_normalised),
		cmocka_unit_test(
			test_malformed_markers_are_refused_with_a_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
