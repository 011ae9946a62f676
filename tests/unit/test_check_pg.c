/*
 * checks/postgres.c and checks/container.c at config time: what they
 * accept, what they refuse and where, the secrets they register, and what
 * postgres adds to the default profile.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../core/config.h"
#include "../../core/secret.h"
#include "load_checks.h"

static void test_valid_configs_are_accepted(void **state)
{
	static const char *const cases[] = {
		"{\"id\": \"a\", \"type\": \"postgres\"}",
		"{\"id\": \"a\", \"type\": \"postgres\", \"dsn\": "
		"\"host=db port=5432 user=app dbname=app\", \"query\": "
		"\"SELECT 1\"}",
		"{\"id\": \"a\", \"type\": \"postgres\", \"dsn\": "
		"\"postgresql+asyncpg://app:pw@db/app\"}",
		"{\"id\": \"a\", \"type\": \"container\", \"name\": \"db\"}",
		"{\"id\": \"a\", \"type\": \"container\", \"name\": \"db-1.x\","
		" \"engine\": \"tcp://127.0.0.1:2375\", \"tail\": 50, "
		"\"signatures\": \"none\", \"fix\": {\"restart\": true}}",
		"{\"id\": \"a\", \"type\": \"container\", \"log_file\": "
		"\"pg.log\"}",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *cause;

		if (load_checks(cases[i], &cause) != 0)
			fail_msg("refused: %s: %s", cases[i], cause);
		free(cause);
	}
}

static void test_bad_configs_are_refused_with_position(void **state)
{
	static const struct {
		const char *check, *want;
	} cases[] = {
		{ "{\"id\": \"a\", \"type\": \"postgres\", \"dsn\": "
		  "\"host=x port\"}", "neither a libpq connection string" },
		{ "{\"id\": \"a\", \"type\": \"postgres\", \"dsn\": 5}",
		  "dsn" },
		{ "{\"id\": \"a\", \"type\": \"postgres\", \"sql\": \"x\"}",
		  "sql" },
		{ "{\"id\": \"a\", \"type\": \"container\"}",
		  "needs 'name'" },
		{ "{\"id\": \"a\", \"type\": \"container\", \"name\": "
		  "\"../x\"}", "container name or id" },
		{ "{\"id\": \"a\", \"type\": \"container\", \"name\": \"d\","
		  " \"engine\": \"/var/run/docker.sock\"}",
		  "unix:///path/to.sock" },
		{ "{\"id\": \"a\", \"type\": \"container\", \"name\": \"d\","
		  " \"tail\": 2.5}", "key 'tail'" },
		{ "{\"id\": \"a\", \"type\": \"container\", \"name\": \"d\","
		  " \"signatures\": \"pg\"}", "key 'signatures'" },
		{ "{\"id\": \"a\", \"type\": \"container\", \"name\": \"d\","
		  " \"fix\": {\"start\": true}}", "key 'fix'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_refused(cases[i].check, cases[i].want);
}

static void test_dsn_password_is_registered_as_secret(void **state)
{
	char *cause, *scrubbed;

	secret_clear();
	assert_int_equal(load_checks("{\"id\": \"a\", \"type\": \"postgres\", "
			      "\"dsn\": \"host=h user=u password='s3cr et'\"}",
			      &cause), 0);
	free(cause);
	scrubbed = secret_scrub("libpq said s3cr et here");
	assert_null(strstr(scrubbed, "s3cr et"));
	free(scrubbed);
	secret_clear();
}

static void clear_pg_env(void)
{
	unsetenv("DATABASE_URL");
	unsetenv("PGHOST");
	unsetenv("PGDATABASE");
	unsetenv("PGSERVICE");
}

/* The dsn the default profile built for a .env holding `text`, or NULL. */
static char *profile_dsn_for_env_file(const char *text, int *present)
{
	char dir[] = "/tmp/preflight-pg-unit-XXXXXX";
	char path[64];
	const cJSON *c;
	cJSON *profile;
	char *dsn = NULL;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/.env", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);

	profile = config_default_profile(dir);
	c = find_check(profile, "database");
	*present = c != NULL;
	if (c && cJSON_GetStringValue(cJSON_GetObjectItem(c, "dsn")))
		dsn = strdup(cJSON_GetStringValue(cJSON_GetObjectItem(c,
								      "dsn")));
	cJSON_Delete(profile);
	unlink(path);
	rmdir(dir);
	return dsn;
}

static void test_default_profile_reads_database_url_from_dot_env(
	void **state)
{
	static const struct {
		const char *file, *dsn;
	} cases[] = {
		{ "DATABASE_URL=postgresql://a@h/d\n", "postgresql://a@h/d" },
		{ "# x\nexport DATABASE_URL=\"postgresql://b@h/d\"\n",
		  "postgresql://b@h/d" },
		{ "  DATABASE_URL='host=h dbname=d'\r\n", "host=h dbname=d" },
		{ "OTHER_DATABASE_URL=x\nDATABASE_URLS=y\n", NULL },
		{ "", NULL },
	};

	clear_pg_env();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int present;
		char *dsn = profile_dsn_for_env_file(cases[i].file, &present);

		assert_int_equal(present, cases[i].dsn != NULL);
		if (cases[i].dsn)
			assert_string_equal(dsn, cases[i].dsn);
		free(dsn);
	}
}

static void test_default_profile_uses_the_environment(void **state)
{
	int present;
	char *dsn;

	clear_pg_env();
	setenv("PGHOST", "db.internal", 1);
	dsn = profile_dsn_for_env_file("", &present);
	assert_true(present);
	assert_null(dsn);	/* libpq reads PG* itself at run time */
	clear_pg_env();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_configs_are_accepted),
		cmocka_unit_test(test_bad_configs_are_refused_with_position),
		cmocka_unit_test(test_dsn_password_is_registered_as_secret),
		cmocka_unit_test(
			test_default_profile_reads_database_url_from_dot_env),
		cmocka_unit_test(test_default_profile_uses_the_environment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
