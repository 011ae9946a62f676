/*
 * Config validation, the promise that a wrong config runs nothing and
 * says where it is wrong: every refusal names the file, line and column
 * and the key at fault. Then what a good config turns into, and the
 * built-in default profile a person gets with no config at all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../core/config.h"
#include "../../core/secret.h"
#include "../../core/util.h"

#define TCP_OK "\"type\": \"tcp\", \"targets\": [\"h:1\"]"

struct refusal {
	const char *name;
	const char *text;
	const char *where;	/* "test.json:LINE:COL: " */
	const char *words[3];	/* each must appear in the message */
};

static struct refusal refusals[] = {
	{ "refuses JSON syntax error at its line and column",
	  "{\"checks\": [1 2]}",
	  "test.json:1:15: ", { "not valid JSON" } },
	{ "refuses JSON syntax error on a later line",
	  "{\n  \"checks\": [\n    {\"id\": \"a\" \"type\": \"tcp\"}\n  ]\n}",
	  "test.json:3:16: ", { "not valid JSON" } },
	{ "refuses truncated JSON",
	  "{\"checks\": [",
	  "test.json:1:12: ", { "not valid JSON" } },
	{ "refuses top level that is not an object",
	  "[1]",
	  "test.json:1:1: ", { "JSON object", "\"checks\"" } },
	{ "refuses missing checks",
	  "{}",
	  "test.json:1:1: ", { "'checks'", "must be an array" } },
	{ "refuses checks that is not an array",
	  "{\"checks\": {}}",
	  "test.json:1:2: ", { "'checks'", "must be an array" } },
	{ "refuses unknown top-level key",
	  "{\"checks\": [], \"chekcs\": []}",
	  "test.json:1:16: ", { "unknown top-level key 'chekcs'" } },
	{ "refuses check that is not an object",
	  "{\"checks\": [\n  42\n]}",
	  "test.json:2:3: ", { "must be an object", "not a number" } },
	{ "refuses check without id",
	  "{\"checks\": [\n  {" TCP_OK "}\n]}",
	  "test.json:2:3: ", { "'id'" } },
	{ "refuses id with invalid characters",
	  "{\"checks\": [\n  {\"id\": \"bad id!\", " TCP_OK "}\n]}",
	  "test.json:2:4: ", { "'id'", "'bad id!'", "not a valid id" } },
	{ "refuses empty id",
	  "{\"checks\": [\n  {\"id\": \"\", " TCP_OK "}\n]}",
	  "test.json:2:4: ", { "'id'", "not a valid id" } },
	{ "refuses id longer than 64 characters",
	  "{\"checks\": [\n  {\"id\": \"" "0123456789012345678901234567890123"
	  "4567890123456789012345678901234" "\", " TCP_OK "}\n]}",
	  "test.json:2:4: ", { "'id'", "at most 64" } },
	{ "refuses duplicate id at the second",
	  "{\"checks\": [\n  {\"id\": \"a\", " TCP_OK "},\n"
	  "  {\"id\": \"a\", " TCP_OK "}\n]}",
	  "test.json:3:4: ", { "duplicate id 'a'" } },
	{ "refuses check without type",
	  "{\"checks\": [\n  {\"id\": \"a\", \"targets\": [\"h:1\"]}\n]}",
	  "test.json:2:3: ", { "check 'a'", "'type'" } },
	{ "refuses unknown type with did-you-mean",
	  "{\"checks\": [\n  {\"id\": \"a\", \"type\": \"htpp\"}\n]}",
	  "test.json:2:15: ", { "unknown check type 'htpp'",
				"did you mean 'http'" } },
	{ "refuses unknown type listing the known ones",
	  "{\"checks\": [\n  {\"id\": \"a\", \"type\": \"zzzzzzz\"}\n]}",
	  "test.json:2:15: ", { "unknown check type 'zzzzzzz'", "tcp",
				"http" } },
	{ "refuses unknown common key with did-you-mean",
	  "{\"checks\": [\n  {\"id\": \"a\", " TCP_OK ", \"tiemout\": 1}\n]}",
	  "test.json:2:50: ", { "unknown key 'tiemout'", "'tcp'",
				"did you mean 'timeout'" } },
	{ "refuses unknown type key with did-you-mean",
	  "{\"checks\": [\n  {\"id\": \"a\", \"type\": \"tcp\", "
	  "\"target\": [\"h:1\"]}\n]}",
	  "test.json:2:30: ", { "unknown key 'target'",
				"did you mean 'targets'" } },
	{ "refuses a type's required key left out",
	  "{\"checks\": [\n  {\"id\": \"h\", \"type\": \"http\"}\n]}",
	  "test.json:2:3: ", { "check 'h'", "missing required key 'url'" } },
	{ "refuses a key given twice",
	  "{\"checks\": [\n  {\"id\": \"a\", " TCP_OK ", \"id\": \"b\"}\n]}",
	  "test.json:2:50: ", { "'id'", "twice" } },
	{ "refuses timeout of the wrong JSON type",
	  "{\"checks\": [\n  {\"id\": \"a\", " TCP_OK
	  ", \"timeout\": \"5\"}\n]}",
	  "test.json:2:50: ", { "'timeout'", "must be a number",
				"not a string" } },
	{ "refuses needs of the wrong JSON type",
	  "{\"checks\": [\n  {\"id\": \"a\", " TCP_OK ", \"needs\": \"b\"}\n]}",
	  "test.json:2:50: ", { "'needs'", "must be an array" } },
	{ "refuses needs holding a non-string",
	  "{\"checks\": [\n  {\"id\": \"a\", " TCP_OK ", \"needs\": [1]}\n]}",
	  "test.json:2:60: ", { "'needs'", "must be a string" } },
	{ "refuses zero timeout",
	  "{\"checks\": [\n  {\"id\": \"a\", " TCP_OK ", \"timeout\": 0}\n]}",
	  "test.json:2:50: ", { "'timeout'", "above 0" } },
	{ "refuses negative timeout",
	  "{\"checks\": [\n  {\"id\": \"a\", " TCP_OK ", \"timeout\": -1}\n]}",
	  "test.json:2:50: ", { "'timeout'", "above 0" } },
	{ "refuses timeout over a day",
	  "{\"checks\": [\n  {\"id\": \"a\", " TCP_OK ", \"timeout\": 1e6}\n]}",
	  "test.json:2:50: ", { "'timeout'" } },
	{ "refuses unknown severity",
	  "{\"checks\": [\n  {\"id\": \"a\", " TCP_OK
	  ", \"severity\": \"error\"}\n]}",
	  "test.json:2:50: ", { "'severity'", "\"warn\"", "\"error\"" } },
	{ "refuses needs naming an unknown id",
	  "{\"checks\": [\n  {\"id\": \"a\", " TCP_OK ",\n"
	  "   \"needs\": [\"nope\"]}\n]}",
	  "test.json:3:14: ", { "check 'a'", "'needs'", "'nope'" } },
	{ "refuses a check needing itself",
	  "{\"checks\": [\n  {\"id\": \"a\", " TCP_OK
	  ", \"needs\": [\"a\"]}\n]}",
	  "test.json:2:60: ", { "check 'a'", "'needs'", "itself" } },
	{ "refuses a cycle of three printing its path",
	  "{\"checks\": [\n"
	  "  {\"id\": \"a\", " TCP_OK ", \"needs\": [\"c\"]},\n"
	  "  {\"id\": \"b\", " TCP_OK ", \"needs\": [\"a\"]},\n"
	  "  {\"id\": \"c\", " TCP_OK ", \"needs\": [\"b\"]}\n]}",
	  "test.json:2:3: ", { "'needs'", "cycle", "a -> c -> b -> a" } },
	{ "refuses http url without scheme (type's own prepare)",
	  "{\"checks\": [\n  {\"id\": \"h\", \"type\": \"http\", "
	  "\"url\": \"localhost:8000/health\"}\n]}",
	  "test.json:2:31: ", { "check 'h'", "'url'", "http://" } },
	{ "refuses tcp target without port (type's own prepare)",
	  "{\"checks\": [\n  {\"id\": \"t\", \"type\": \"tcp\", "
	  "\"targets\": [\"localhost\"]}\n]}",
	  "test.json:2:42: ", { "check 't'", "'targets'", "host:port" } },
	{ "refuses permissions mode that is not octal",
	  "{\"checks\": [\n  {\"id\": \"p\", \"type\": \"permissions\", "
	  "\"paths\": [{\"path\": \"x\", \"mode\": \"0999\"}]}\n]}",
	  "test.json:2:62: ", { "check 'p'", "'paths[].mode'", "\"0999\"" } },
	{ "refuses permissions mode word it does not know",
	  "{\"checks\": [\n  {\"id\": \"p\", \"type\": \"permissions\", "
	  "\"paths\": [{\"path\": \"x\", \"mode\": \"exec\"}]}\n]}",
	  "test.json:2:62: ", { "'paths[].mode'", "\"exec\"" } },
};

static const struct config_opts opts = { .default_timeout_ms = 5000 };

/* Loads text as test.json; returns the cause (or NULL) and releases. */
static char *load_cause(const char *text, int *rc)
{
	struct config cfg;
	char *cause = NULL;

	*rc = config_load_text(&cfg, text, strlen(text), "test.json", "/tmp",
			       &opts, &cause);
	config_release(&cfg);
	return cause;
}

static void run_refusal(void **state)
{
	const struct refusal *r = *state;
	char *cause;
	size_t i;
	int rc;

	cause = load_cause(r->text, &rc);
	assert_int_equal(rc, -1);
	assert_non_null(cause);
	print_message("  %s\n", cause);
	assert_non_null(strstr(cause, r->where));
	for (i = 0; i < ARRAY_SIZE(r->words) && r->words[i]; i++)
		assert_non_null(strstr(cause, r->words[i]));
	free(cause);
}

/* JSON with something after the object is not JSON: nothing may run. */
static void test_refuses_text_after_the_object(void **unused)
{
	char *cause;
	int rc;

	(void)unused;
	cause = load_cause("{\"checks\": []}\nx", &rc);
	assert_int_equal(rc, -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "test.json:2:1: "));
	free(cause);
}

static void test_reports_every_problem_not_just_the_first(void **unused)
{
	char *cause;
	int rc;

	(void)unused;
	cause = load_cause("{\"checks\": [\n"
			   "  {\"id\": \"a\", " TCP_OK ", \"tiemout\": 1},\n"
			   "  {\"id\": \"b\", " TCP_OK ", \"sevrity\": 1}\n]}",
			   &rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(cause, "test.json:2:50: check 'a': "
			       "unknown key 'tiemout'"));
	assert_non_null(strstr(cause, "\ntest.json:3:50: check 'b': "
			       "unknown key 'sevrity'"));
	free(cause);
}

static void test_long_error_lists_are_capped(void **unused)
{
	struct buf text = BUF_INIT;
	char *cause;
	int i, rc;

	(void)unused;
	buf_addstr(&text, "{\"checks\": [\n");
	for (i = 0; i < 25; i++)
		buf_addf(&text, "%s{\"id\": \"c%d\", " TCP_OK ", \"x\": 1}\n",
			 i ? "," : "", i);
	buf_addstr(&text, "]}");
	cause = load_cause(buf_cstr(&text), &rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(cause, "check 'c19'"));
	assert_null(strstr(cause, "check 'c20'"));
	assert_non_null(strstr(cause, "5 more errors not shown"));
	free(cause);
	buf_release(&text);
}

static void test_missing_file_is_refused_with_its_path(void **unused)
{
	struct config cfg;
	char *cause = NULL;

	(void)unused;
	assert_int_equal(config_load_file(&cfg, "/nonexistent/p.json", &opts,
					  &cause), -1);
	assert_non_null(strstr(cause, "/nonexistent/p.json"));
	assert_non_null(strstr(cause, "cannot read config"));
	free(cause);
	config_release(&cfg);
}

/* Loads text, which must be valid, into cfg. */
static void load_ok(struct config *cfg, const char *text)
{
	char *cause = NULL;

	if (config_load_text(cfg, text, strlen(text), "test.json", "/tmp",
			     &opts, &cause) < 0)
		fail_msg("refused: %s", cause);
}

static void test_fractional_timeout_is_milliseconds(void **unused)
{
	struct config cfg;

	(void)unused;
	load_ok(&cfg, "{\"checks\": [{\"id\": \"a\", " TCP_OK
		", \"timeout\": 0.25}]}");
	assert_int_equal(cfg.checks[0].timeout_ms, 250);
	config_release(&cfg);
}

static void test_absent_timeout_takes_the_default(void **unused)
{
	struct config cfg;

	(void)unused;
	load_ok(&cfg, "{\"checks\": [{\"id\": \"a\", " TCP_OK "}]}");
	assert_int_equal(cfg.checks[0].timeout_ms, opts.default_timeout_ms);
	config_release(&cfg);
}

static void test_severity_warn_is_kept(void **unused)
{
	struct config cfg;

	(void)unused;
	load_ok(&cfg, "{\"checks\": [{\"id\": \"a\", " TCP_OK
		", \"severity\": \"warn\"}, {\"id\": \"b\", " TCP_OK "}]}");
	assert_int_equal(cfg.checks[0].severity_warn, 1);
	assert_int_equal(cfg.checks[1].severity_warn, 0);
	config_release(&cfg);
}

static void test_needs_are_resolved_to_indexes(void **unused)
{
	struct config cfg;

	(void)unused;
	load_ok(&cfg, "{\"checks\": [{\"id\": \"a\", " TCP_OK "},\n"
		"{\"id\": \"b\", " TCP_OK "},\n"
		"{\"id\": \"c\", " TCP_OK ", \"needs\": [\"b\", \"a\"]}]}");
	assert_int_equal(cfg.nchecks, 3);
	assert_int_equal(cfg.checks[2].nneeds, 2);
	assert_int_equal(cfg.checks[2].need_idx[0], 1);
	assert_int_equal(cfg.checks[2].need_idx[1], 0);
	assert_int_equal(cfg.checks[0].nneeds, 0);
	assert_int_equal(config_find(&cfg, "c"), 2);
	assert_int_equal(config_find(&cfg, "zz"), -1);
	config_release(&cfg);
}

static void test_checks_keep_file_order_and_lines(void **unused)
{
	struct config cfg;

	(void)unused;
	load_ok(&cfg, "{\"checks\": [\n {\"id\": \"z\", " TCP_OK "},\n"
		"\n {\"id\": \"a\", " TCP_OK ", \"description\": \"d\"}]}");
	assert_string_equal(cfg.checks[0].id, "z");
	assert_string_equal(cfg.checks[1].id, "a");
	assert_int_equal(cfg.checks[0].line, 2);
	assert_int_equal(cfg.checks[1].line, 4);
	assert_string_equal(cfg.checks[1].description, "d");
	assert_string_equal(cfg.checks[1].type->name, "tcp");
	config_release(&cfg);
}

static void test_schema_key_is_allowed_at_top_level(void **unused)
{
	struct config cfg;

	(void)unused;
	load_ok(&cfg, "{\"$schema\": \"x\", \"checks\": []}");
	assert_int_equal(cfg.nchecks, 0);
	config_release(&cfg);
}

static void test_kept_source_has_url_password_masked(void **unused)
{
	struct config cfg;
	const char *url;

	(void)unused;
	load_ok(&cfg, "{\"checks\": [{\"id\": \"h\", \"type\": \"http\", "
		"\"url\": \"http://u:pw-12345@h/health\"}]}");
	url = cJSON_GetStringValue(cJSON_GetObjectItem(cfg.checks[0].source,
						       "url"));
	assert_string_equal(url, "http://u:***@h/health");
	config_release(&cfg);
	secret_clear();
}

static void test_file_base_dir_is_the_config_directory(void **unused)
{
	char dir[] = "/tmp/preflight-unit-XXXXXX", *path, *cause = NULL;
	struct config cfg;
	FILE *f;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/p.json", dir);
	f = fopen(path, "w");
	fputs("{\"checks\": [{\"id\": \"a\", " TCP_OK "}]}", f);
	fclose(f);
	if (config_load_file(&cfg, path, &opts, &cause) < 0)
		fail_msg("refused: %s", cause);
	assert_string_equal(cfg.base_dir, dir);
	assert_string_equal(cfg.path, path);
	config_release(&cfg);
	unlink(path);
	rmdir(dir);
	free(path);
}

/* A fresh directory and an environment that names no services. */
struct profile_dir {
	char path[64];
};

static int profile_setup(void **state)
{
	static const char *const vars[] = {
		"PREFLIGHT_BACKEND_URL", "DATABASE_URL", "PGHOST",
		"PGDATABASE", "PGSERVICE", "VIRTUAL_ENV",
	};
	struct profile_dir *d = calloc(1, sizeof(*d));
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vars); i++)
		unsetenv(vars[i]);
	strcpy(d->path, "/tmp/preflight-unit-XXXXXX");
	if (!mkdtemp(d->path))
		return -1;
	*state = d;
	return 0;
}

static int profile_teardown(void **state)
{
	struct profile_dir *d = *state;
	char *cmd = xasprintf("rm -rf '%s'", d->path);
	int rc = system(cmd);

	free(cmd);
	free(d);
	unsetenv("PREFLIGHT_BACKEND_URL");
	return rc == 0 ? 0 : -1;
}

static void touch(const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fclose(f);
	free(path);
}

/* The profile's check with this id, or NULL. */
static const cJSON *profile_check(const cJSON *root, const char *id)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "checks")) {
		const char *cid = cJSON_GetStringValue(
			cJSON_GetObjectItem(c, "id"));

		if (cid && !strcmp(cid, id))
			return c;
	}
	return NULL;
}

static const char *str_at(const cJSON *obj, const char *key, int idx)
{
	const cJSON *v = cJSON_GetObjectItem(obj, key);

	if (idx >= 0)
		v = cJSON_GetArrayItem(v, idx);
	return cJSON_GetStringValue(v);
}

static void test_profile_checks_the_backend_on_port_8000(void **state)
{
	struct profile_dir *d = *state;
	cJSON *root = config_default_profile(d->path);
	const cJSON *port = profile_check(root, "backend-port");
	const cJSON *health = profile_check(root, "health");
	const cJSON *docs = profile_check(root, "docs");

	assert_non_null(port);
	assert_string_equal(str_at(port, "type", -1), "tcp");
	assert_string_equal(str_at(port, "targets", 0), "localhost:8000");
	assert_non_null(health);
	assert_string_equal(str_at(health, "url", -1),
			    "http://localhost:8000/health");
	assert_string_equal(str_at(health, "needs", 0), "backend-port");
	assert_non_null(docs);
	assert_string_equal(str_at(docs, "url", -1),
			    "http://localhost:8000/docs");
	assert_string_equal(str_at(docs, "needs", 0), "health");
	cJSON_Delete(root);
}

static void test_profile_has_no_scripts_check_without_scripts(void **state)
{
	struct profile_dir *d = *state;
	cJSON *root;

	touch(d->path, "notes.txt");
	root = config_default_profile(d->path);
	assert_null(profile_check(root, "scripts"));
	cJSON_Delete(root);
}

static void test_profile_lists_shell_scripts_as_executable(void **state)
{
	struct profile_dir *d = *state;
	const cJSON *scripts, *first;
	cJSON *root;

	touch(d->path, "start.sh");
	touch(d->path, "deploy.sh");
	touch(d->path, "notes.txt");
	root = config_default_profile(d->path);
	scripts = profile_check(root, "scripts");
	assert_non_null(scripts);
	assert_string_equal(str_at(scripts, "type", -1), "permissions");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(scripts,
								"paths")), 2);
	first = cJSON_GetArrayItem(cJSON_GetObjectItem(scripts, "paths"), 0);
	assert_string_equal(str_at(first, "path", -1), "deploy.sh");
	assert_string_equal(str_at(first, "mode", -1), "executable");
	cJSON_Delete(root);
}

static void test_profile_follows_backend_url(void **state)
{
	struct profile_dir *d = *state;
	cJSON *root;

	setenv("PREFLIGHT_BACKEND_URL", "http://127.0.0.1:9123/", 1);
	root = config_default_profile(d->path);
	assert_string_equal(str_at(profile_check(root, "backend-port"),
				   "targets", 0), "127.0.0.1:9123");
	assert_string_equal(str_at(profile_check(root, "health"), "url", -1),
			    "http://127.0.0.1:9123/health");
	assert_string_equal(str_at(profile_check(root, "docs"), "url", -1),
			    "http://127.0.0.1:9123/docs");
	cJSON_Delete(root);
}

static void test_profile_passes_its_own_validation(void **state)
{
	struct profile_dir *d = *state;
	char old[4096], *cause = NULL;
	struct config cfg;
	int rc;

	touch(d->path, "run.sh");
	assert_non_null(getcwd(old, sizeof(old)));
	assert_int_equal(chdir(d->path), 0);
	rc = config_load_default(&cfg, &opts, &cause);
	assert_int_equal(chdir(old), 0);
	if (rc < 0)
		fail_msg("refused: %s", cause);
	assert_true(config_find(&cfg, "scripts") >= 0);
	assert_true(config_find(&cfg, "health") >= 0);
	assert_null(cfg.path);
	config_release(&cfg);
}

#define PROFILE_TEST(f) \
	cmocka_unit_test_setup_teardown(f, profile_setup, profile_teardown)

static const struct CMUnitTest named[] = {
	cmocka_unit_test(test_refuses_text_after_the_object),
	cmocka_unit_test(test_reports_every_problem_not_just_the_first),
	cmocka_unit_test(test_long_error_lists_are_capped),
	cmocka_unit_test(test_missing_file_is_refused_with_its_path),
	cmocka_unit_test(test_fractional_timeout_is_milliseconds),
	cmocka_unit_test(test_absent_timeout_takes_the_default),
	cmocka_unit_test(test_severity_warn_is_kept),
	cmocka_unit_test(test_needs_are_resolved_to_indexes),
	cmocka_unit_test(test_checks_keep_file_order_and_lines),
	cmocka_unit_test(test_schema_key_is_allowed_at_top_level),
	cmocka_unit_test(test_kept_source_has_url_password_masked),
	cmocka_unit_test(test_file_base_dir_is_the_config_directory),
	PROFILE_TEST(test_profile_checks_the_backend_on_port_8000),
	PROFILE_TEST(test_profile_has_no_scripts_check_without_scripts),
	PROFILE_TEST(test_profile_lists_shell_scripts_as_executable),
	PROFILE_TEST(test_profile_follows_backend_url),
	PROFILE_TEST(test_profile_passes_its_own_validation),
};

/* One test per refusal, named by the table, then the named tests. */
int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(refusals) + ARRAY_SIZE(named)];
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(refusals); i++) {
		struct CMUnitTest t = { refusals[i].name, run_refusal, NULL,
					NULL, &refusals[i] };

		tests[n++] = t;
	}
	for (i = 0; i < ARRAY_SIZE(named); i++)
		tests[n++] = named[i];
	return _cmocka_run_group_tests("config", tests, n, NULL, NULL);
}
