/*
 * Requirements files: one requirement's syntax (table-driven), then whole
 * files with comments, continuations, options, includes and their errors.
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

#include "../../lib/reqfile.h"

struct parse_case {
	const char *text;
	enum req_kind kind;
	const char *key;	/* NULL: no name */
	const char *extras;
	const char *specifier;
	const char *marker;
	const char *url;
};

static const struct parse_case good[] = {
	{ "aiohttp==3.9.1", REQ_NAMED, "aiohttp", NULL, "==3.9.1", NULL,
	  NULL },
	{ "AIOHTTP >= 3.8 , < 4", REQ_NAMED, "aiohttp", NULL, ">= 3.8 , < 4",
	  NULL, NULL },
	{ "aio_http", REQ_NAMED, "aio-http", NULL, "", NULL, NULL },
	{ "Aio.Http", REQ_NAMED, "aio-http", NULL, "", NULL, NULL },
	{ "aio-_.http", REQ_NAMED, "aio-http", NULL, "", NULL, NULL },
	{ "httpx[http2]==0.25.2", REQ_NAMED, "httpx", "http2", "==0.25.2",
	  NULL, NULL },
	{ "httpx [ HTTP2 , Socks ]", REQ_NAMED, "httpx", "http2,socks", "",
	  NULL, NULL },
	{ "requests (>=2.0, <3)", REQ_NAMED, "requests", NULL, ">=2.0, <3",
	  NULL, NULL },
	{ "pywin32>=1.0; sys_platform == 'win32'", REQ_NAMED, "pywin32", NULL,
	  ">=1.0", "sys_platform == 'win32'", NULL },
	{ "uvloop ;python_version>='3.8'", REQ_NAMED, "uvloop", NULL, "",
	  "python_version>='3.8'", NULL },
	{ "foo @ https://example.com/foo-1.0.whl", REQ_URL, "foo", NULL, "",
	  NULL, "https://example.com/foo-1.0.whl" },
	{ "foo[bar]@file:///srv/foo ; os_name == 'posix'", REQ_PATH, "foo",
	  "bar", "", "os_name == 'posix'", "file:///srv/foo" },
	{ "git+https://example.com/y.git#egg=Y_pkg", REQ_URL, "y-pkg", NULL,
	  NULL, NULL, "git+https://example.com/y.git#egg=Y_pkg" },
	{ "./local/pkg", REQ_PATH, NULL, NULL, NULL, NULL, "./local/pkg" },
	{ "wheels/aiohttp-3.9.1-py3-none-any.whl", REQ_PATH, "aiohttp", NULL,
	  NULL, NULL, "wheels/aiohttp-3.9.1-py3-none-any.whl" },
	{ "https://host/p.tar.gz ; python_version >= '3'", REQ_URL, NULL,
	  NULL, NULL, "python_version >= '3'", "https://host/p.tar.gz" },
};

static void expect_str(const char *what, const char *text, const char *got,
		       const char *want)
{
	if (!want && !got)
		return;
	if (!want || !got || strcmp(got, want))
		fail_msg("'%s': %s is '%s', want '%s'", text, what,
			 got ? got : "(null)", want ? want : "(null)");
}

static void test_requirements_parse_into_their_parts(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct parse_case *c = &good[i];
		struct req req;
		char *cause = NULL;

		if (req_parse(c->text, &req, &cause))
			fail_msg("'%s': %s", c->text, cause);
		if (req.kind != c->kind)
			fail_msg("'%s': kind %d, want %d", c->text,
				 (int)req.kind, (int)c->kind);
		expect_str("key", c->text, req.key, c->key);
		expect_str("extras", c->text, req.extras, c->extras);
		expect_str("marker", c->text, req.marker, c->marker);
		expect_str("url", c->text, req.url, c->url);
		if (c->specifier)
			expect_str("specifier", c->text, req.specifier,
				   c->specifier);
		req_release(&req);
	}
}

static void test_malformed_requirements_are_refused(void **state)
{
	static const char *const bad[] = {
		"aiohttp 3.9.1", "aiohttp==", "-foo", "aiohttp[http2",
		"aiohttp==3.9.1;", "aiohttp>=1.*", "foo @ ", "(>=1)",
		"aiohttp[-x]", "requests (>=2.0", "_private==1",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct req req;
		char *cause = NULL;

		if (!req_parse(bad[i], &req, &cause))
			fail_msg("'%s' was accepted", bad[i]);
		assert_non_null(cause);
		free(cause);
	}
}

/* A scratch directory for the files of one test. */
static char dir[64];

static int make_dir(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/pf-reqfile-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static char *put(const char *name, const char *text)
{
	static char path[256];
	char sub[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(sub, sizeof(sub), "%s", path);
	*strrchr(sub, '/') = '\0';
	mkdir(sub, 0755);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_comments_options_and_continuations_read_as_pip(void **s)
{
	struct reqfile rf = REQFILE_INIT;
	char *cause = NULL;
	const char *path = put("requirements.txt",
		"# the worker's dependencies\n"
		"--index-url https://pypi.example/simple\n"
		"aiohttp==3.9.1  # pinned for the incident\n"
		"httpx[http2]==0.25.2 \\\n"
		"    --hash=sha256:abc\r\n"
		"SQLAlchemy>=2.0,\\\n"
		"<3\n"
		"\n"
		"   # indented comment \\\n"
		"-e git+https://example.com/repo.git#egg=editable_pkg\n"
		"pywin32 ; sys_platform == \"win32\"\n"
		"--no-index\n"
		"-f ./wheels\n");

	if (reqfile_load(&rf, path, &cause))
		fail_msg("%s", cause);
	assert_int_equal(rf.n, 5);
	assert_string_equal(rf.reqs[0].key, "aiohttp");
	assert_int_equal(rf.reqs[0].line, 3);
	assert_string_equal(rf.reqs[1].key, "httpx");
	assert_string_equal(rf.reqs[1].specifier, "==0.25.2");
	assert_int_equal(rf.reqs[1].line, 4);
	assert_string_equal(rf.reqs[2].key, "sqlalchemy");
	assert_string_equal(rf.reqs[2].specifier, ">=2.0,<3");
	assert_int_equal(rf.reqs[3].kind, REQ_EDITABLE);
	assert_string_equal(rf.reqs[3].key, "editable-pkg");
	assert_string_equal(rf.reqs[4].marker, "sys_platform == \"win32\"");
	assert_string_equal(rf.reqs[4].file, path);
	reqfile_release(&rf);
}

static void test_includes_resolve_against_the_including_file(void **state)
{
	struct reqfile rf = REQFILE_INIT;
	char *cause = NULL, *top;

	put("a/common.txt", "six\n");
	put("a/sub/base.txt", "-r ../common.txt\nrequests\n");
	put("a/constraints.txt", "requests<3\n");
	put("a/other.txt", "click\n");
	top = strdup(put("a/requirements.txt",
			 "-r sub/base.txt\n--constraint=constraints.txt\n"
			 "-rother.txt\nflask\n"));

	if (reqfile_load(&rf, top, &cause))
		fail_msg("%s", cause);
	assert_int_equal(rf.n, 5);
	assert_string_equal(rf.reqs[0].key, "six");
	assert_non_null(strstr(rf.reqs[0].file, "common.txt"));
	assert_string_equal(rf.reqs[1].key, "requests");
	assert_false(rf.reqs[1].constraint);
	assert_string_equal(rf.reqs[2].key, "requests");
	assert_true(rf.reqs[2].constraint);
	assert_string_equal(rf.reqs[3].key, "click");
	assert_string_equal(rf.reqs[4].key, "flask");
	assert_int_equal(rf.nfiles, 5);
	reqfile_release(&rf);
	free(top);
}

static void test_index_options_are_kept_for_the_fix(void **state)
{
	struct reqfile rf = REQFILE_INIT;
	char *cause = NULL, *top, want[256];

	put("a/more.txt", "-f https://example.com/links\n");
	put("a/wheels/.keep", "");
	top = strdup(put("a/requirements.txt",
			 "--index-url=https://pypi.example/simple\n"
			 "--no-index\n-f wheels\n-f elsewhere\n"
			 "--require-hashes\n-r more.txt\nsix\n"));

	if (reqfile_load(&rf, top, &cause))
		fail_msg("%s", cause);
	assert_int_equal(rf.noptions, 9);
	assert_string_equal(rf.options[0], "--index-url");
	assert_string_equal(rf.options[1], "https://pypi.example/simple");
	assert_string_equal(rf.options[2], "--no-index");
	assert_string_equal(rf.options[3], "-f");
	snprintf(want, sizeof(want), "%s/a/wheels", dir);
	assert_string_equal(rf.options[4], want);
	assert_string_equal(rf.options[6], "elsewhere");
	assert_string_equal(rf.options[8], "https://example.com/links");
	assert_null(rf.options[9]);
	reqfile_release(&rf);
	free(top);
}

static void test_include_loops_are_refused(void **state)
{
	struct reqfile rf = REQFILE_INIT;
	char *cause = NULL, *top;

	put("y.txt", "six\n-r x.txt\n");
	top = strdup(put("x.txt", "-r y.txt\n"));
	assert_int_equal(reqfile_load(&rf, top, &cause), -1);
	assert_non_null(strstr(cause, "include loop"));
	assert_non_null(strstr(cause, "y.txt:2:"));
	free(cause);
	free(top);
	reqfile_release(&rf);
}

struct error_case {
	const char *text;
	const char *want;	/* part of the message */
};

static void test_errors_name_the_file_and_line(void **state)
{
	static const struct error_case cases[] = {
		{ "six\n\naiohttp 3.9.1\n", "requirements.txt:3: " },
		{ "-r nope.txt\n", "requirements.txt:1: cannot read" },
		{ "--frobnicate\n", "unknown option '--frobnicate'" },
		{ "-r\n", "-r needs a file" },
		{ "-r https://example.com/r.txt\n", "not supported" },
		{ "six \\\n==\n", "requirements.txt:1: bad version" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reqfile rf = REQFILE_INIT;
		char *cause = NULL;
		const char *path = put("requirements.txt", cases[i].text);

		if (!reqfile_load(&rf, path, &cause))
			fail_msg("'%s' was accepted", cases[i].text);
		if (!strstr(cause, cases[i].want))
			fail_msg("'%s': '%s' lacks '%s'", cases[i].text,
				 cause, cases[i].want);
		free(cause);
		reqfile_release(&rf);
	}
}

static void test_environment_variables_are_expanded(void **state)
{
	struct reqfile rf = REQFILE_INIT;
	char *cause = NULL;
	const char *path = put("requirements.txt",
			       "aiohttp==${PF_TEST_VER}\nsix==${pf_lower}\n");

	setenv("PF_TEST_VER", "3.9.1", 1);
	assert_int_equal(reqfile_load(&rf, path, &cause), -1);
	assert_non_null(strstr(cause, ":2:"));
	free(cause);
	reqfile_release(&rf);

	path = put("requirements.txt", "aiohttp==${PF_TEST_VER}\n");
	assert_int_equal(reqfile_load(&rf, path, &cause), 0);
	assert_string_equal(rf.reqs[0].specifier, "==3.9.1");
	reqfile_release(&rf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requirements_parse_into_their_parts),
		cmocka_unit_test(test_malformed_requirements_are_refused),
		cmocka_unit_test_setup_teardown(
			test_comments_options_and_continuations_read_as_pip,
			make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(
			test_includes_resolve_against_the_including_file,
			make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(
			test_index_options_are_kept_for_the_fix, make_dir,
			remove_dir),
		cmocka_unit_test_setup_teardown(test_include_loops_are_refused,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(
			test_errors_name_the_file_and_line, make_dir,
			remove_dir),
		cmocka_unit_test_setup_teardown(
			test_environment_variables_are_expanded, make_dir,
			remove_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
