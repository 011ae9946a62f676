/*
 * checks/openapi.c at config time: what it accepts, what it refuses and
 * with which position, and what it adds to the default profile.
 */
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

#include "../../core/config.h"
#include "load_checks.h"

static void test_valid_configs_are_accepted(void **state)
{
	static const char *const cases[] = {
		"{\"id\": \"a\", \"type\": \"openapi\", "
		"\"url\": \"http://h:1/openapi.json\"}",
		"{\"id\": \"a\", \"type\": \"openapi\", \"url\": \"https://h/o\","
		" \"endpoints\": [\"GET /x\", \"/y?z=1\", {\"path\": \"/w\"},"
		" {\"method\": \"post\", \"path\": \"/v\", \"query\": [\"q\"],"
		"  \"body\": [\"b\"]}], \"sources\": \"*.py\","
		" \"base_url\": \"http://localhost:8000\", \"max_files\": 3}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *cause;

		if (load_checks(cases[i], &cause) != 0)
			fail_msg("refused: %s", cause);
		free(cause);
	}
}

static void test_bad_configs_are_refused_with_position(void **state)
{
	static const struct {
		const char *check, *want;
	} cases[] = {
		{ "{\"id\": \"a\", \"type\": \"openapi\", \"url\": \"h:1/o\"}",
		  "t.json:1:44: check 'a': key 'url' must start with http" },
		{ "{\"id\": \"a\", \"type\": \"openapi\", \"url\": \"http://h\","
		  " \"endpoints\": [\"GET x\"]}",
		  "must start with /" },
		{ "{\"id\": \"a\", \"type\": \"openapi\", \"url\": \"http://h\","
		  " \"endpoints\": [\"G3T /x\"]}",
		  "must be \"METHOD /path\"" },
		{ "{\"id\": \"a\", \"type\": \"openapi\", \"url\": \"http://h\","
		  " \"endpoints\": [{\"path\": \"/x\", \"params\": []}]}",
		  "unknown key 'endpoints.params'" },
		{ "{\"id\": \"a\", \"type\": \"openapi\", \"url\": \"http://h\","
		  " \"endpoints\": [{\"path\": \"/x\", \"query\": \"q\"}]}",
		  "key 'endpoints.query' must be a list" },
		{ "{\"id\": \"a\", \"type\": \"openapi\", \"url\": \"http://h\","
		  " \"endpoints\": [{\"path\": \"/x\", \"method\": 1}]}",
		  "key 'endpoints.method' must be an HTTP method" },
		{ "{\"id\": \"a\", \"type\": \"openapi\", \"url\": \"http://h\","
		  " \"endpoints\": [42]}",
		  "each entry must be" },
		{ "{\"id\": \"a\", \"type\": \"openapi\", \"url\": \"http://h\","
		  " \"sources\": [\"a.py\", 3]}",
		  "sources" },
		{ "{\"id\": \"a\", \"type\": \"openapi\", \"url\": \"http://h\","
		  " \"max_files\": 0}",
		  "must be positive" },
		{ "{\"id\": \"a\", \"type\": \"openapi\", \"url\": \"http://h\","
		  " \"base_url\": \"localhost:8000\"}",
		  "key 'base_url' must start with http" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_refused(cases[i].check, cases[i].want);
}

static void test_default_profile_needs_python_files(void **state)
{
	char tmpl[] = "/tmp/openapi-profile-XXXXXX";
	char *dir = mkdtemp(tmpl), path[300];
	cJSON *profile;
	const cJSON *c;
	FILE *f;

	(void)state;
	setenv("PREFLIGHT_BACKEND_URL", "http://127.0.0.1:9/", 1);
	profile = config_default_profile(dir);
	assert_null(find_check(profile, "openapi"));
	cJSON_Delete(profile);

	snprintf(path, sizeof(path), "%s/backend", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/backend/worker.py", dir);
	f = fopen(path, "w");
	fputs("import requests\n", f);
	fclose(f);

	profile = config_default_profile(dir);
	c = find_check(profile, "openapi");
	assert_non_null(c);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(c, "url")),
			    "http://127.0.0.1:9/openapi.json");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(
				    cJSON_GetObjectItem(c, "sources"), 0)),
			    "backend/*.py");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(
				    cJSON_GetObjectItem(c, "needs"), 0)),
			    "health");
	cJSON_Delete(profile);

	unlink(path);
	snprintf(path, sizeof(path), "%s/backend", dir);
	rmdir(path);
	rmdir(dir);
	unsetenv("PREFLIGHT_BACKEND_URL");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_configs_are_accepted),
		cmocka_unit_test(test_bad_configs_are_refused_with_position),
		cmocka_unit_test(test_default_profile_needs_python_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
