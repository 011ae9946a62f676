/*
 * Reading a venv from outside: pyvenv.cfg, site-packages and its .pth
 * directories, dist-info and egg-info metadata, which copy wins, and the
 * top-level modules of a distribution. No interpreter is started here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../core/check.h"
#include "../../core/util.h"
#include "../../lib/pyenv.h"

static char dir[64];

static void put(const char *name, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#define SITE "venv/lib/python3.11/site-packages/"

static int make_venv(void **state)
{
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/pf-pyenv-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	put("venv/bin/python", "#!/bin/sh\nexit 1\n");
	snprintf(path, sizeof(path), "%s/venv/bin/python", dir);
	chmod(path, 0755);
	put("venv/pyvenv.cfg", "home = /usr/bin\n"
	    "include-system-site-packages = false\nversion = 3.11.2\n");
	put(SITE "aiohttp-3.9.1.dist-info/METADATA",
	    "Metadata-Version: 2.1\nName: aiohttp\nVersion: 3.9.1\n"
	    "Requires-Dist: attrs>=17.3.0\n"
	    "Requires-Dist: aiodns ; extra == 'speedups'\n\n"
	    "Version: 0.0 in the description\n"
	    "Requires-Dist: not-a-header\n");
	put(SITE "aiohttp-3.9.1.dist-info/top_level.txt", "aiohttp\n");
	put(SITE "PyYAML-6.0-py3.11.egg-info/PKG-INFO",
	    "Metadata-Version: 1.1\nName: PyYAML\nVersion: 6.0\n");
	put(SITE "six-1.16.0.egg-info", "Metadata-Version: 1.0\r\n"
	    "Name: six\r\nVersion: 1.16.0\r\n\r\nRequires-Dist: body\r\n");
	put(SITE "PyYAML-6.0-py3.11.egg-info/requires.txt",
	    "base>=1\n\n[:python_version < \"3.8\"]\nold\n\n[speed]\n"
	    "fast\n[tls:os_name == \"posix\"]\nssl>2\n");
	put(SITE "aiohttp-3.9.1.dist-info/RECORD", "x,,\n");
	put(SITE "zope.interface-6.1.dist-info/METADATA",
	    "Name: zope.interface\nVersion: 6.1\n");
	put(SITE "zope.interface-6.1.dist-info/RECORD",
	    "zope/interface/__init__.py,sha256=x,1\n"
	    "zope/__pycache__/x.pyc,,\n"
	    "zope.interface-6.1.dist-info/METADATA,,\n"
	    "../../../bin/tool,,\n");
	put(SITE "extra.pth", "# a comment\nimport os\n../../../../shadow\n"
	    "/nonexistent/dir\n");
	put("shadow/aiohttp-3.8.4.dist-info/METADATA",
	    "Name: aiohttp\nVersion: 3.8.4\n");
	put("shadow/httpx-0.25.2.dist-info/METADATA",
	    "Name: httpx\nVersion: 0.25.2\n");
	put("shadow/mismatch-1.0.dist-info/METADATA",
	    "Name: something-else\nVersion: 1.0\n");
	return 0;
}

static int remove_venv(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void open_venv(struct pyenv *env)
{
	char path[128], *cause = NULL;

	snprintf(path, sizeof(path), "%s/venv", dir);
	if (pyenv_open_venv(env, path, 0, &cause))
		fail_msg("%s", cause);
}

static void test_standard_venv_is_read_without_starting_python(void **s)
{
	struct pyenv env = PYENV_INIT;

	open_venv(&env);
	assert_false(env.started);
	assert_false(env.system_site);
	assert_string_equal(env.markers.values[MARKER_PYTHON_VERSION], "3.11");
	assert_string_equal(env.markers.values[MARKER_PYTHON_FULL_VERSION],
			    "3.11.2");
	assert_string_equal(env.markers.values[MARKER_OS_NAME], "posix");
	assert_non_null(strstr(env.site_dirs[0], "site-packages"));
	assert_non_null(strstr(env.site_dirs[1], "shadow"));
	assert_null(env.site_dirs[2]);
	pyenv_release(&env);
}

struct find_case {
	const char *key;
	const char *version;	/* NULL: not found */
};

static void test_distributions_are_found_by_normalised_name(void **state)
{
	static const struct find_case cases[] = {
		{ "aiohttp", "3.9.1" },	/* site-packages shadows the .pth dir */
		{ "pyyaml", "6.0" }, { "six", "1.16.0" },
		{ "zope-interface", "6.1" }, { "httpx", "0.25.2" },
		{ "mismatch", NULL }, { "requests", NULL },
	};
	char *keys[ARRAY_SIZE(cases)];
	struct pydist found[ARRAY_SIZE(cases)];
	struct pyenv env = PYENV_INIT;
	size_t i, seen;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		keys[i] = strdup(cases[i].key);
	open_venv(&env);
	pyenv_find(&env, keys, ARRAY_SIZE(cases), found, &seen);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *got = found[i].version;

		if (cases[i].version ? !got || strcmp(got, cases[i].version)
				     : got != NULL)
			fail_msg("%s: found %s, want %s", cases[i].key,
				 got ? got : "nothing",
				 cases[i].version ? cases[i].version
						  : "nothing");
		pydist_release(&found[i]);
		free(keys[i]);
	}
	assert_int_equal(seen, 7);
	pyenv_release(&env);
}

static void test_modules_come_from_top_level_record_or_name(void **state)
{
	char k0[] = "aiohttp", k1[] = "zope-interface", k2[] = "six";
	char *keys[] = { k0, k1, k2 };
	struct pydist found[3];
	struct pyenv env = PYENV_INIT;
	char **mods;
	size_t seen;

	open_venv(&env);
	pyenv_find(&env, keys, 3, found, &seen);
	mods = pydist_modules(&found[0]);
	assert_string_equal(mods[0], "aiohttp");
	assert_null(mods[1]);
	strv_free(mods);
	mods = pydist_modules(&found[1]);
	assert_string_equal(mods[0], "zope");
	assert_null(mods[1]);
	strv_free(mods);
	mods = pydist_modules(&found[2]);
	assert_string_equal(mods[0], "six");
	strv_free(mods);
	for (seen = 0; seen < 3; seen++)
		pydist_release(&found[seen]);
	pyenv_release(&env);
}

static void test_declared_requirements_of_both_layouts(void **state)
{
	char k0[] = "aiohttp", k1[] = "pyyaml", k2[] = "six";
	char *keys[] = { k0, k1, k2 };
	struct pydist found[3];
	struct pyenv env = PYENV_INIT;
	char **reqs;
	size_t seen;

	open_venv(&env);
	pyenv_find(&env, keys, 3, found, &seen);
	reqs = pydist_requires(&found[0]);
	assert_string_equal(reqs[0], "attrs>=17.3.0");
	assert_string_equal(reqs[1], "aiodns ; extra == 'speedups'");
	assert_null(reqs[2]);
	strv_free(reqs);
	reqs = pydist_requires(&found[1]);
	assert_string_equal(reqs[0], "base>=1");
	assert_string_equal(reqs[1], "old ; python_version < \"3.8\"");
	assert_string_equal(reqs[2], "fast ; extra == 'speed'");
	assert_string_equal(reqs[3], "ssl>2 ; extra == 'tls' and "
			    "(os_name == \"posix\")");
	assert_null(reqs[4]);
	strv_free(reqs);
	assert_null(pydist_requires(&found[2]));
	for (seen = 0; seen < 3; seen++)
		pydist_release(&found[seen]);
	pyenv_release(&env);
}

static void test_a_venv_whose_interpreter_is_gone_is_refused(void **state)
{
	struct pyenv env = PYENV_INIT;
	char path[128], *cause = NULL;

	snprintf(path, sizeof(path), "%s/venv/bin/python", dir);
	assert_int_equal(chmod(path, 0644), 0);
	snprintf(path, sizeof(path), "%s/venv", dir);
	assert_int_equal(pyenv_open_venv(&env, path, 0, &cause), -1);
	assert_non_null(strstr(cause, "has no working interpreter"));
	free(cause);
	pyenv_release(&env);
	snprintf(path, sizeof(path), "%s/venv/bin/python", dir);
	assert_int_equal(chmod(path, 0755), 0);
}

static void test_a_directory_without_pyvenv_cfg_is_refused(void **state)
{
	struct pyenv env = PYENV_INIT;
	char *cause = NULL;

	assert_int_equal(pyenv_open_venv(&env, dir, 0, &cause), -1);
	assert_non_null(strstr(cause, "is not a venv"));
	free(cause);
	pyenv_release(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_standard_venv_is_read_without_starting_python),
		cmocka_unit_test(
			test_distributions_are_found_by_normalised_name),
		cmocka_unit_test(
			test_modules_come_from_top_level_record_or_name),
		cmocka_unit_test(test_declared_requirements_of_both_layouts),
		cmocka_unit_test(
			test_a_venv_whose_interpreter_is_gone_is_refused),
		cmocka_unit_test(
			test_a_directory_without_pyvenv_cfg_is_refused),
	};

	return cmocka_run_group_tests(tests, make_venv, remove_venv);
}
