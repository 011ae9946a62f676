/*
 * The log signature catalogue and scanner: what real Python service logs
 * say, and what preflight makes of them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../core/util.h"
#include "../../lib/logsig.h"

static struct logsig_set *python_set(void)
{
	struct logsig_set *set = logsig_set_new();
	char *cause = NULL;

	assert_int_equal(logsig_set_add_catalogue(set, "python", &cause), 0);
	return set;
}

/* Feeds a text of several lines to a scan, offsets counted as bytes. */
static void scan_text(struct logsig_scan *sc, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t len = strcspn(p, "\n");

		logsig_scan_line(sc, p, len, p - text);
		p += len + (p[len] == '\n');
	}
}

static const struct {
	const char *line;
	const char *name;
	const char *subject;
	const char *diagnosis;
	const char *see;
} single_lines[] = {
	{ "ModuleNotFoundError: No module named 'aiohttp'",
	  "module-not-found", "aiohttp",
	  "the service cannot import 'aiohttp': Python package aiohttp is "
	  "not installed", "python-deps" },
	{ "2026-12-03 10:00:01 ERROR worker: No module named 'yaml.loader'",
	  "module-not-found", "yaml",
	  "the service cannot import 'yaml': Python package PyYAML is not "
	  "installed", "python-deps" },
	{ "ImportError: cannot import name 'TypeAlias' from "
	  "'typing_extensions' (/venv/lib/typing_extensions.py)",
	  "import-name", "typing_extensions",
	  "'TypeAlias' cannot be imported from 'typing_extensions': the "
	  "installed typing_extensions may be the wrong version",
	  "python-deps" },
	{ "ImportError: /venv/lib/python3.11/site-packages/psycopg2/"
	  "_psycopg.cpython-311-x86_64-linux-gnu.so: undefined symbol: "
	  "PQsslAttribute",
	  "native-extension", "psycopg2", NULL, "python-deps" },
	{ "aiohttp.client_exceptions.ClientConnectorError: Cannot connect "
	  "to host localhost:8000 ssl:default [Connect call failed "
	  "('127.0.0.1', 8000)]",
	  "connection-refused", "localhost:8000",
	  "a connection the service made was refused (localhost:8000)",
	  "http,tcp" },
	{ "httpx.ConnectError: [Errno 111] Connection refused",
	  "connection-refused", "",
	  "a connection the service made was refused", "http,tcp" },
	{ "httpx.HTTPStatusError: Client error '404 Not Found' for url "
	  "'http://localhost:8000/api/v1/test/sync/start?max_emails=1000'",
	  "api-route",
	  "http://localhost:8000/api/v1/test/sync/start?max_emails=1000",
	  "the backend answered 404 Not Found for "
	  "http://localhost:8000/api/v1/test/sync/start?max_emails=1000",
	  "openapi" },
	{ "requests.exceptions.HTTPError: 405 Client Error: Method Not "
	  "Allowed for url: http://localhost:8000/api/v1/sync/start",
	  "api-route", "http://localhost:8000/api/v1/sync/start", NULL,
	  "openapi" },
	{ "aiohttp.client_exceptions.ClientResponseError: 404, "
	  "message='Not Found', url=URL('http://localhost:8000/x')",
	  "api-route", "http://localhost:8000/x",
	  "the backend answered 404 Not Found for http://localhost:8000/x",
	  "openapi" },
	{ "INFO:     127.0.0.1:40000 - \"GET /api/v1/test/sync/start "
	  "HTTP/1.1\" 404 Not Found",
	  "api-route", "GET /api/v1/test/sync/start", NULL, "openapi" },
	{ "psycopg2.OperationalError: connection to server at \"localhost\" "
	  "(127.0.0.1), port 5432 failed: Connection refused",
	  "database-connection", "localhost",
	  "the service cannot use its PostgreSQL database (OperationalError)",
	  "postgres" },
	{ "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) "
	  "FATAL:  password authentication failed for user \"sync\"",
	  "database-connection", "", NULL, "postgres" },
	{ "asyncpg.exceptions.InvalidCatalogNameError: database \"emails\" "
	  "does not exist",
	  "database-connection", "", NULL, "postgres" },
	{ "FATAL:  password authentication failed for user \"sync\"",
	  "database-auth", "sync",
	  "PostgreSQL refused the password of user 'sync'", "postgres" },
	{ "FATAL:  database \"emails\" does not exist",
	  "database-missing", "emails", "PostgreSQL has no database 'emails'",
	  "postgres" },
	{ "PermissionError: [Errno 13] Permission denied: "
	  "'/var/log/sync/background_sync.log'",
	  "permission-denied", "/var/log/sync/background_sync.log",
	  "the service was denied access to "
	  "'/var/log/sync/background_sync.log'", "permissions" },
	{ "OSError: [Errno 98] error while attempting to bind on address "
	  "('0.0.0.0', 8000): address already in use",
	  "address-in-use", "8000",
	  "the service's port is taken by another process (8000)", "tcp" },
};

static void test_catalogue_recognises_single_lines(void **state)
{
	struct logsig_set *set = python_set();

	for (size_t i = 0; i < ARRAY_SIZE(single_lines); i++) {
		struct logsig_scan sc;

		logsig_scan_init(&sc, set);
		scan_text(&sc, single_lines[i].line);
		print_message("case %zu: %s\n", i, single_lines[i].line);
		assert_int_equal(sc.n, 1);
		assert_string_equal(sc.f[0].sig->name, single_lines[i].name);
		assert_string_equal(sc.f[0].subject, single_lines[i].subject);
		if (single_lines[i].diagnosis)
			assert_string_equal(sc.f[0].diagnosis,
					    single_lines[i].diagnosis);
		assert_string_equal(sc.f[0].sig->see, single_lines[i].see);
		assert_int_equal(sc.f[0].sig->severity, STATUS_FAIL);
		logsig_scan_release(&sc);
	}
	logsig_set_free(set);
}

static void test_ordinary_lines_are_not_findings(void **state)
{
	static const char *const quiet[] = {
		"2026-12-03 10:00:00 INFO sync: fetched 1000 emails",
		"2026-12-03 10:00:01 INFO GET /api/v1/sync/status 200 OK",
		"Error count: 0",
		"  File \"worker.py\", line 3, in <module>",
		"",
	};
	struct logsig_set *set = python_set();
	struct logsig_scan sc;

	logsig_scan_init(&sc, set);
	for (size_t i = 0; i < ARRAY_SIZE(quiet); i++)
		logsig_scan_line(&sc, quiet[i], strlen(quiet[i]), 0);
	assert_int_equal(sc.n, 0);
	assert_int_equal(logsig_scan_worst(&sc), STATUS_PASS);
	logsig_scan_release(&sc);
	logsig_set_free(set);
}

static const char incident[] =
	"2026-12-03 09:59:58 Starting background sync service\n"
	"Traceback (most recent call last):\n"
	"  File \"/srv/sync/background_sync.py\", line 4, in <module>\n"
	"    import aiohttp\n"
	"ModuleNotFoundError: No module named 'aiohttp'\n";

static void test_traceback_with_known_exception_reports_it_once(void **state)
{
	struct logsig_set *set = python_set();
	struct logsig_scan sc;

	logsig_scan_init(&sc, set);
	scan_text(&sc, incident);
	assert_int_equal(sc.n, 1);
	assert_string_equal(sc.f[0].sig->name, "module-not-found");
	assert_string_equal(sc.f[0].why, "the log says module 'aiohttp' is "
					 "missing");
	assert_string_equal(sc.f[0].evidence,
			    "ModuleNotFoundError: No module named 'aiohttp'");
	logsig_scan_release(&sc);
	logsig_set_free(set);
}

static void test_unknown_exception_ending_a_traceback_is_reported(void **state)
{
	struct logsig_set *set = python_set();
	struct logsig_scan sc;

	logsig_scan_init(&sc, set);
	scan_text(&sc, "Traceback (most recent call last):\n"
		       "  File \"w.py\", line 9, in run\n"
		       "    total = counts['inbox']\n"
		       "            ~~~~~~^^^^^^^^^\n"
		       "KeyError: 'inbox'\n"
		       "KeyError: 'not in a traceback'\n");
	assert_int_equal(sc.n, 1);
	assert_string_equal(sc.f[0].sig->name, "unhandled-exception");
	assert_string_equal(sc.f[0].subject, "KeyError");
	assert_string_equal(sc.f[0].diagnosis,
			    "unhandled exception: KeyError: 'inbox'");
	assert_null(sc.f[0].sig->see);
	logsig_scan_release(&sc);
	logsig_set_free(set);
}

static void test_repeats_are_counted_in_one_finding(void **state)
{
	struct logsig_set *set = python_set();
	struct logsig_scan sc;

	logsig_scan_init(&sc, set);
	scan_text(&sc, incident);
	scan_text(&sc, incident);
	logsig_scan_line(&sc, "No module named 'httpx'", 23, 9999);
	assert_int_equal(sc.n, 2);
	assert_int_equal(sc.f[0].count, 2);
	assert_string_equal(sc.f[1].subject, "httpx");
	logsig_scan_release(&sc);
	logsig_set_free(set);
}

static void test_order_is_worst_then_most_recent(void **state)
{
	struct logsig_set *set = python_set();
	struct logsig warn = { .name = "slow", .pattern = "slow request",
			       .severity = STATUS_WARN,
			       .diagnosis = "slow" };
	struct logsig_scan sc;
	char *cause = NULL;
	size_t idx[3];

	assert_int_equal(logsig_set_add(set, &warn, &cause), 0);
	logsig_scan_init(&sc, set);
	logsig_scan_line(&sc, "slow request", 12, 0);
	logsig_scan_line(&sc, "No module named 'a'", 19, 10);
	logsig_scan_line(&sc, "No module named 'b'", 19, 20);
	logsig_scan_order(&sc, idx);
	assert_string_equal(sc.f[idx[0]].subject, "b");
	assert_string_equal(sc.f[idx[1]].subject, "a");
	assert_string_equal(sc.f[idx[2]].sig->name, "slow");
	assert_int_equal(logsig_scan_worst(&sc), STATUS_FAIL);
	logsig_scan_release(&sc);
	logsig_set_free(set);
}

static void test_user_pattern_expands_groups(void **state)
{
	struct logsig_set *set = logsig_set_new();
	struct logsig p = { .pattern = "quota of ([a-z]+) exceeded",
			    .severity = STATUS_WARN,
			    .diagnosis = "the $1 quota is used up ($$5)",
			    .hint = "raise the $1 quota" };
	struct logsig_scan sc;
	char *cause = NULL;

	assert_int_equal(logsig_set_add(set, &p, &cause), 0);
	logsig_scan_init(&sc, set);
	scan_text(&sc, "WARN quota of mailbox exceeded\n");
	assert_int_equal(sc.n, 1);
	assert_string_equal(sc.f[0].diagnosis, "the mailbox quota is used "
					       "up ($5)");
	assert_string_equal(sc.f[0].hint, "raise the mailbox quota");
	assert_string_equal(sc.f[0].sig->name, "quota of ([a-z]+) exceeded");
	assert_int_equal(logsig_scan_worst(&sc), STATUS_WARN);
	logsig_scan_release(&sc);
	logsig_set_free(set);
}

static void test_bad_user_regex_is_refused_with_reason(void **state)
{
	struct logsig_set *set = logsig_set_new();
	struct logsig p = { .pattern = "broken (", .severity = STATUS_FAIL };
	char *cause = NULL;

	assert_int_equal(logsig_set_add(set, &p, &cause), -1);
	assert_non_null(strstr(cause, "bad regex 'broken ('"));
	free(cause);
	logsig_set_free(set);
}

static void test_unknown_catalogue_is_refused(void **state)
{
	struct logsig_set *set = logsig_set_new();
	char *cause = NULL;

	assert_int_equal(logsig_set_add_catalogue(set, "cobol", &cause), -1);
	assert_string_equal(cause, "unknown signature catalogue 'cobol' "
				   "(known: python)");
	free(cause);
	logsig_set_free(set);
}

static void test_junk_and_long_lines_are_survived(void **state)
{
	struct logsig_set *set = python_set();
	struct logsig_scan sc;
	static char line[100000];
	const char junk[] = "\xff\xfe\x00\x1b[2J No module named 'x\xff'";

	memset(line, 'A', sizeof(line));
	memcpy(line + 10, "No module named 'far'", 21);
	logsig_scan_init(&sc, set);
	logsig_scan_line(&sc, line, sizeof(line), 0);
	logsig_scan_line(&sc, junk, sizeof(junk) - 1, 1);
	assert_int_equal(sc.n, 2);
	assert_string_equal(sc.f[0].subject, "far");
	assert_int_equal(strlen(sc.f[0].evidence), LOGSIG_EVIDENCE_MAX);
	assert_string_equal(sc.f[1].subject, "x");
	logsig_scan_release(&sc);
	logsig_set_free(set);
}

static void test_start_markers(void **state)
{
	static const struct {
		const char *line;
		int marker;
	} cases[] = {
		{ "2026-12-03 10:00 Starting background sync service", 1 },
		{ "INFO:     Started server process [4242]", 1 },
		{ "[2026-12-03 10:00:00 +0000] [7] [INFO] Booting worker with "
		  "pid: 7", 1 },
		{ "Starting the sync worker (pid 12)", 1 },
		{ "Starting sync of 1000 emails", 0 },
		{ "ModuleNotFoundError: No module named 'aiohttp'", 0 },
	};
	struct logsig_set *set = python_set();
	char *cause = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(logsig_is_marker(set, cases[i].line,
						  strlen(cases[i].line)),
				 cases[i].marker);
	assert_int_equal(logsig_set_add_marker(set, "^=== boot", &cause), 0);
	assert_true(logsig_is_marker(set, "=== boot 3", 10));
	logsig_set_free(set);
}

static void test_line_timestamps(void **state)
{
	static const struct {
		const char *line;
		int ok;
		int64_t epoch;	/* for UTC cases; -1: local, not compared */
	} cases[] = {
		{ "2026-12-03T12:00:00Z worker up", 1, 1796299200 },
		{ "2026-12-03 12:00:00,123 INFO x", 1, -1 },
		{ "[2026-12-03 13:00:00 +0100] [7] [INFO] x", 1, 1796299200 },
		{ "2026-12-03T12:00:00.5+00:00", 1, 1796299200 },
		{ "2026-12-03 12:00:00 - INFO - x", 1, -1 },
		{ "Dec  3 12:00:00 host worker", 0, 0 },
		{ "2026-12-03", 0, 0 },
		{ "", 0, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t t = 0;

		assert_int_equal(logsig_line_time(cases[i].line,
						  strlen(cases[i].line), &t),
				 cases[i].ok);
		if (cases[i].ok && cases[i].epoch >= 0)
			assert_int_equal(t, cases[i].epoch);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue_recognises_single_lines),
		cmocka_unit_test(test_ordinary_lines_are_not_findings),
		cmocka_unit_test(test_traceback_with_known_exception_reports_it_once),
		cmocka_unit_test(test_unknown_exception_ending_a_traceback_is_reported),
		cmocka_unit_test(test_repeats_are_counted_in_one_finding),
		cmocka_unit_test(test_order_is_worst_then_most_recent),
		cmocka_unit_test(test_user_pattern_expands_groups),
		cmocka_unit_test(test_bad_user_regex_is_refused_with_reason),
		cmocka_unit_test(test_unknown_catalogue_is_refused),
		cmocka_unit_test(test_junk_and_long_lines_are_survived),
		cmocka_unit_test(test_start_markers),
		cmocka_unit_test(test_line_timestamps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
