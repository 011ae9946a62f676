/*
 * The PostgreSQL log catalogue: real log lines map to the right signature
 * and level, client mistakes never count against the server, and a server
 * that became ready forgets its earlier trouble.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../lib/pgsig.h"

struct sig_case {
	const char *line;
	const char *name;	/* NULL: no signature */
	enum pgsig_level level;
	const char *subject;
};

static const struct sig_case cases[] = {
	{ "2026-12-03 12:57:55.553 UTC [1] DETAIL:  The data directory was "
	  "initialized by PostgreSQL version 9.6, which is not compatible "
	  "with this version 15.18.",
	  "incompatible-version", PGSIG_FAIL, "9.6" },
	{ "FATAL:  database files are incompatible with server",
	  "incompatible-version", PGSIG_FAIL, "" },
	{ "Error: Database is uninitialized and superuser password is not "
	  "specified.", "uninitialized-no-password", PGSIG_FAIL, "" },
	{ "postgres: could not access the server configuration file "
	  "\"/var/lib/postgresql/data/postgresql.conf\": No such file or "
	  "directory", "no-data-directory", PGSIG_FAIL, "" },
	{ "LOG:  could not bind IPv4 address \"127.0.0.1\": Address already "
	  "in use", "address-in-use", PGSIG_FAIL, "" },
	{ "FATAL:  data directory \"/var/lib/postgresql/data\" has invalid "
	  "permissions", "data-permissions", PGSIG_FAIL,
	  "/var/lib/postgresql/data" },
	{ "FATAL:  could not open file \"global/pg_filenode.map\": "
	  "Permission denied", "data-permissions", PGSIG_FAIL,
	  "global/pg_filenode.map" },
	{ "PANIC:  could not write to file \"pg_wal/xlogtemp.5\": No space "
	  "left on device", "disk-full", PGSIG_FAIL, "" },
	{ "ERROR:  out of memory", "out-of-memory", PGSIG_FAIL, "" },
	{ "LOG:  server process (PID 42) was terminated by signal 9: Killed",
	  "crash", PGSIG_FAIL, "9" },
	{ "PANIC:  corrupted item pointer", "crash", PGSIG_FAIL, "" },
	{ "LOG:  database system was interrupted; last known up at "
	  "2026-12-03 12:00:00 UTC", "recovery", PGSIG_WARN, "" },
	{ "FATAL:  the database system is starting up", "not-ready",
	  PGSIG_WARN, "starting up" },
	{ "FATAL:  sorry, too many clients already", "too-many-clients",
	  PGSIG_WARN, "" },
	{ "FATAL:  password authentication failed for user \"app\"",
	  "client-bad-password", PGSIG_CLIENT, "app" },
	{ "FATAL:  role \"root\" does not exist", "client-unknown-role",
	  PGSIG_CLIENT, "root" },
	{ "FATAL:  database \"nodb\" does not exist",
	  "client-unknown-database", PGSIG_CLIENT, "nodb" },
	{ "LOG:  database system is ready to accept connections", "ready",
	  PGSIG_READY, "" },
	{ "LOG:  checkpoint starting: time", NULL, 0, NULL },
	{ "", NULL, 0, NULL },
};

static void test_log_lines_map_to_signatures(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sig_case *c = &cases[i];
		char subject[PGSIG_SUBJECT_MAX];
		const struct pgsig *sig;

		sig = pgsig_match(c->line, strlen(c->line), subject);
		if (!c->name) {
			assert_null(sig);
			continue;
		}
		assert_non_null(sig);
		assert_string_equal(sig->name, c->name);
		assert_int_equal(sig->level, c->level);
		assert_string_equal(subject, c->subject);
	}
}

static void test_every_signature_has_diagnosis_and_hint(void **state)
{
	for (size_t i = 0; i < pgsig_count(); i++) {
		const struct pgsig *sig = pgsig_at(i);

		assert_non_null(sig->diagnosis);
		if (sig->level != PGSIG_READY)
			assert_non_null(sig->hint);
	}
}

static void scan_lines(struct pgsig_scan *s, const char *const *lines)
{
	pgsig_scan_init(s);
	for (; *lines; lines++)
		pgsig_scan_line(s, *lines, strlen(*lines));
}

static void test_wrong_role_probes_on_healthy_server_are_client_level(
	void **state)
{
	static const char *const log[] = {
		"LOG:  database system is ready to accept connections",
		"FATAL:  role \"root\" does not exist",
		"FATAL:  role \"root\" does not exist",
		"FATAL:  role \"admin\" does not exist",
		NULL,
	};
	struct pgsig_scan s;
	char *text;

	scan_lines(&s, log);
	assert_int_equal(pgsig_scan_worst(&s), PGSIG_CLIENT);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.f[0].count, 2);
	text = pgsig_describe(&s.f[0]);
	assert_string_equal(text, "a client asked for role \"root\", which "
			    "does not exist");
	free(text);
	pgsig_scan_release(&s);
}

static void test_ready_after_recovery_forgets_the_warning(void **state)
{
	static const char *const log[] = {
		"LOG:  database system was interrupted; last known up at x",
		"LOG:  redo starts at 0/1000028",
		"LOG:  database system is ready to accept connections",
		NULL,
	};
	struct pgsig_scan s;

	scan_lines(&s, log);
	assert_int_equal(pgsig_scan_worst(&s), PGSIG_READY);
	assert_int_equal(s.n, 0);
	assert_true(s.ready);
	pgsig_scan_release(&s);
}

static void test_failure_keeps_detail_subject_and_last_line(void **state)
{
	static const char *const log[] = {
		"FATAL:  database files are incompatible with server",
		"DETAIL:  The data directory was initialized by PostgreSQL "
		"version 9.6, which is not compatible with this version 15.",
		NULL,
	};
	struct pgsig_scan s;
	char *text;

	scan_lines(&s, log);
	assert_int_equal(pgsig_scan_worst(&s), PGSIG_FAIL);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.f[0].count, 2);
	assert_non_null(strstr(s.f[0].line, "version 9.6"));
	text = pgsig_describe(&s.f[0]);
	assert_non_null(strstr(text, "PostgreSQL 9.6"));
	free(text);
	pgsig_scan_release(&s);
}

static void test_starting_up_after_ready_is_a_race_not_a_warning(
	void **state)
{
	static const char *const log[] = {
		"LOG:  database system is ready to accept connections",
		"FATAL:  the database system is starting up",
		"DETAIL:  Role \"root\" does not exist.",
		NULL,
	};
	struct pgsig_scan s;

	scan_lines(&s, log);
	assert_int_equal(pgsig_scan_worst(&s), PGSIG_CLIENT);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.f[0].sig->name, "client-unknown-role");
	pgsig_scan_release(&s);
}

static void test_findings_are_capped(void **state)
{
	struct pgsig_scan s;
	char line[64];

	pgsig_scan_init(&s);
	for (int i = 0; i < 40; i++) {
		int n = snprintf(line, sizeof(line),
				 "FATAL:  role \"r%d\" does not exist", i);
		pgsig_scan_line(&s, line, (size_t)n);
	}
	assert_int_equal(s.n, PGSIG_MAX_FINDINGS);
	assert_int_equal(s.dropped, 40 - PGSIG_MAX_FINDINGS);
	pgsig_scan_release(&s);
}

static void test_binary_and_overlong_lines_are_survived(void **state)
{
	char big[5000];
	char subject[PGSIG_SUBJECT_MAX];

	memset(big, 0, sizeof(big));
	memcpy(big + 10, "PANIC:  x", 9);
	assert_non_null(pgsig_match(big, sizeof(big), subject));
	memset(big, 0xff, sizeof(big));
	assert_null(pgsig_match(big, sizeof(big), subject));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_lines_map_to_signatures),
		cmocka_unit_test(test_every_signature_has_diagnosis_and_hint),
		cmocka_unit_test(
			test_wrong_role_probes_on_healthy_server_are_client_level),
		cmocka_unit_test(test_ready_after_recovery_forgets_the_warning),
		cmocka_unit_test(test_failure_keeps_detail_subject_and_last_line),
		cmocka_unit_test(
			test_starting_up_after_ready_is_a_race_not_a_warning),
		cmocka_unit_test(test_findings_are_capped),
		cmocka_unit_test(test_binary_and_overlong_lines_are_survived),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
