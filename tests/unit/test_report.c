/*
 * The text and JSON reports rendered from one hand-made run: what a person
 * sees at a terminal (marks only with colour, the hint under a failure, the
 * summary line), the JSON shape scripts depend on, hostile bytes from
 * servers coming out valid and escaped, and registered secrets never
 * appearing in either format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/secret.h"
#include "../../core/text.h"
#include "../../report/report.h"

#define SECRET "hunter22-secret"
#define HOSTILE "got \x1b[31mred\x1b[0m \x07 bell \xff\xfe bad \xed\xa0\x80"

static const struct check_type fake_http = { .name = "http" };
static const struct check_type fake_perm = { .name = "permissions" };

enum { HEALTH, DOCS, LINT, AFTER, SCRIPT, UNSELECTED, NCHECKS };

struct fixture {
	struct config cfg;
	struct run run;
	struct report rep;
	struct buf out;
};

static struct check *fixture_check(struct fixture *fx, size_t i,
				   const char *id,
				   const struct check_type *type, int ran)
{
	struct check *c = &fx->cfg.checks[i];

	c->id = strdup(id);
	c->type = type;
	fx->run.ran[i] = (unsigned char)ran;
	return c;
}

static void fixture_fix(struct result *r)
{
	struct fix_record *f = calloc(1, sizeof(*f));

	f->name = strdup("chmod");
	fix_record_action(f, "chmod 0755 run.sh (was 0644)");
	f->attempted = 1;
	f->applied = 1;
	f->rechecked = 1;
	f->recheck = STATUS_PASS;
	r->fix = f;
}

/*
 * Six checks: a pass with details, a failure with a hint, a warning, a
 * skip, a failure a fix repaired, and one that was not selected.
 */
static int fixture_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct result *r;

	fx->cfg.nchecks = fx->run.n = NCHECKS;
	fx->cfg.checks = calloc(NCHECKS, sizeof(*fx->cfg.checks));
	fx->run.results = calloc(NCHECKS, sizeof(*fx->run.results));
	fx->run.ran = calloc(NCHECKS, 1);
	fx->run.started_epoch_ms = 1796299200123LL;
	fx->run.duration_ms = 1534;
	fixture_check(fx, HEALTH, "health", &fake_http, 1);
	fixture_check(fx, DOCS, "docs", &fake_http, 1);
	fixture_check(fx, LINT, "lint", &fake_http, 1)->severity_warn = 1;
	fixture_check(fx, AFTER, "after", &fake_http, 1);
	fixture_check(fx, SCRIPT, "script", &fake_perm, 1);
	fixture_check(fx, UNSELECTED, "unselected", &fake_http, 0);

	r = fx->run.results;
	result_pass(&r[HEALTH], "200 OK in 12 ms");
	result_hint(&r[HEALTH], "nothing to do here");
	result_detail_num(&r[HEALTH], "total_ms", 12);
	r[HEALTH].duration_ms = 12;
	result_fail(&r[DOCS], "expected 200, got 503");
	result_hint(&r[DOCS], "start the backend");
	r[DOCS].duration_ms = 40;
	result_warn(&r[LINT], "expected JSON, got HTML");
	result_hint(&r[LINT], "check the route");
	result_skip(&r[AFTER], "skipped: needs 'docs', which did not pass");
	result_pass(&r[SCRIPT], "1 path as expected");
	fixture_fix(&r[SCRIPT]);

	fx->rep.cfg = &fx->cfg;
	fx->rep.run = &fx->run;
	buf_init(&fx->out, 0);
	*state = fx;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *fx = *state;
	size_t i;

	buf_release(&fx->out);
	for (i = 0; i < fx->run.n; i++)
		result_release(&fx->run.results[i]);
	free(fx->run.results);
	free(fx->run.ran);
	for (i = 0; i < fx->cfg.nchecks; i++) {
		free(fx->cfg.checks[i].id);
		free(fx->cfg.checks[i].description);
	}
	free(fx->cfg.checks);
	free(fx);
	secret_clear();
	return 0;
}

static const char *render(struct fixture *fx, const char *format, int color,
			  int verbose)
{
	struct render_opts o = { .color = color, .verbose = verbose };
	const struct report_format *f = report_format_find(format);

	assert_non_null(f);
	buf_reset(&fx->out);
	assert_int_equal(f->render(&fx->rep, &o, &fx->out), 0);
	return buf_cstr(&fx->out);
}

/* The line of s that contains part, copied; NULL if none. */
static char *line_with(const char *s, const char *part)
{
	const char *hit = strstr(s, part), *start, *end;

	if (!hit)
		return NULL;
	for (start = hit; start > s && start[-1] != '\n'; start--)
		;
	end = strchr(hit, '\n');
	return strndup(start, end ? (size_t)(end - start) : strlen(start));
}

/* The line after the one containing part, copied; NULL if none. */
static char *line_after(const char *s, const char *part)
{
	const char *hit = strstr(s, part), *next, *end;

	if (!hit || !(next = strchr(hit, '\n')))
		return NULL;
	next++;
	end = strchr(next, '\n');
	return strndup(next, end ? (size_t)(end - next) : strlen(next));
}

static void assert_contains(const char *s, const char *part)
{
	assert_non_null(s);
	if (!strstr(s, part))
		fail_msg("'%s' does not contain '%s'", s, part);
}

static void assert_no_control_bytes(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 && *p != '\n' && *p != '\t')
			fail_msg("control byte 0x%02x at offset %zu", *p,
				 (size_t)(p - (const unsigned char *)s));
}

static void test_text_without_colour_has_no_escape_bytes(void **state)
{
	const char *out = render(*state, "text", 0, 1);

	assert_null(strchr(out, '\033'));
	assert_no_control_bytes(out);
	assert_contains(out, "PASS");
	assert_contains(out, "FAIL");
}

static void test_text_has_one_line_per_check_run(void **state)
{
	const char *out = render(*state, "text", 0, 0);
	char *line = line_with(out, "docs");

	assert_contains(line, "FAIL");
	assert_contains(line, "expected 200, got 503");
	free(line);
	assert_null(strstr(out, "unselected"));
}

static void test_text_shows_hint_under_a_failure(void **state)
{
	const char *out = render(*state, "text", 0, 0);
	char *next = line_after(out, "expected 200, got 503");

	assert_non_null(next);
	assert_contains(next, "hint: start the backend");
	free(next);
}

static void test_text_shows_hint_under_a_warning(void **state)
{
	const char *out = render(*state, "text", 0, 0);
	char *next = line_after(out, "expected JSON, got HTML");

	assert_contains(next, "hint: check the route");
	free(next);
}

static void test_text_hides_hint_of_a_passing_check(void **state)
{
	const char *out = render(*state, "text", 0, 0);

	assert_null(strstr(out, "nothing to do here"));
}

static void test_text_shows_what_a_fix_did(void **state)
{
	const char *out = render(*state, "text", 0, 0);

	assert_contains(out, "chmod 0755 run.sh");
	assert_contains(out, "run again: pass");
}

static void test_text_ends_with_the_summary_line(void **state)
{
	const char *out = render(*state, "text", 0, 0);
	size_t n = strlen(out);
	const char *last;

	assert_true(n > 1 && out[n - 1] == '\n');
	for (last = out + n - 1; last > out && last[-1] != '\n'; last--)
		;
	assert_string_equal(last, "2 passed, 1 failed, 1 warned, 1 skipped, "
			    "1 fixed in 1534 ms\n");
}

static void test_text_verbose_adds_details(void **state)
{
	struct fixture *fx = *state;

	assert_null(strstr(render(fx, "text", 0, 0), "total_ms"));
	assert_contains(render(fx, "text", 0, 1), "total_ms: 12");
}

static void test_text_says_how_many_attempts_a_retry_took(void **state)
{
	struct fixture *fx = *state;
	char *line;

	fx->run.results[HEALTH].attempts = 3;
	line = line_with(render(fx, "text", 0, 0), "health");
	assert_contains(line, "(after 3 attempts)");
	free(line);
}

static void test_text_summary_says_interrupted(void **state)
{
	struct fixture *fx = *state;

	fx->run.interrupted = 2;
	assert_contains(render(fx, "text", 0, 0), "in 1534 ms (interrupted)");
}

static void test_text_with_colour_has_marks(void **state)
{
	const char *out = render(*state, "text", 1, 0);

	assert_contains(out, "\033[");
	assert_contains(out, "\u2714");
	assert_contains(out, "\u2718");
	assert_true(text_valid_utf8(out, strlen(out)));
}

static void test_text_hostile_message_stays_safe(void **state)
{
	struct fixture *fx = *state;
	const char *out;

	result_fail(&fx->run.results[DOCS], "%s", HOSTILE);
	out = render(fx, "text", 0, 1);
	assert_null(strchr(out, '\033'));
	assert_no_control_bytes(out);
	assert_true(text_valid_utf8(out, strlen(out)));
	assert_contains(out, "\\x1b[31mred");
}

/* Parses the JSON report; the caller deletes it. */
static cJSON *render_json(struct fixture *fx)
{
	const char *out = render(fx, "json", 0, 0);
	cJSON *root;

	assert_true(text_valid_utf8(out, strlen(out)));
	root = cJSON_Parse(out);
	if (!root)
		fail_msg("not JSON: %s", out);
	return root;
}

static const cJSON *item(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		fail_msg("missing key '%s'", key);
	return v;
}

static void test_json_has_the_documented_shape(void **state)
{
	cJSON *root = render_json(*state);
	const cJSON *tool = item(root, "tool");
	const char *at = cJSON_GetStringValue(item(root, "started_at"));
	static const char *const counts[] = { "pass", "warn", "fail", "skip",
					      "fixed" };
	size_t i;

	assert_int_equal(item(root, "schema_version")->valueint, 1);
	assert_string_equal(cJSON_GetStringValue(item(tool, "name")),
			    "preflight");
	assert_true(cJSON_IsString(item(tool, "version")));
	assert_non_null(at);
	assert_int_equal(strlen(at), strlen("2026-12-03T12:00:00.123Z"));
	assert_int_equal(at[strlen(at) - 1], 'Z');
	assert_int_equal(item(root, "duration_ms")->valueint, 1534);
	assert_string_equal(cJSON_GetStringValue(item(root, "status")),
			    "fail");
	for (i = 0; i < sizeof(counts) / sizeof(*counts); i++)
		assert_true(cJSON_IsNumber(item(item(root, "summary"),
						counts[i])));
	assert_true(cJSON_IsArray(item(root, "checks")));
	cJSON_Delete(root);
}

static void test_json_summary_counts_the_checks(void **state)
{
	cJSON *root = render_json(*state);
	const cJSON *sum = item(root, "summary");

	assert_int_equal(item(sum, "pass")->valueint, 2);
	assert_int_equal(item(sum, "fail")->valueint, 1);
	assert_int_equal(item(sum, "warn")->valueint, 1);
	assert_int_equal(item(sum, "skip")->valueint, 1);
	assert_int_equal(item(sum, "fixed")->valueint, 1);
	cJSON_Delete(root);
}

static void test_json_checks_in_config_order_with_fields(void **state)
{
	static const char *const ids[] = { "health", "docs", "lint", "after",
					   "script" };
	static const char *const statuses[] = { "pass", "fail", "warn", "skip",
						"pass" };
	cJSON *root = render_json(*state);
	const cJSON *checks = item(root, "checks"), *c;
	size_t i;

	assert_int_equal(cJSON_GetArraySize(checks), 5);
	for (i = 0; i < 5; i++) {
		c = cJSON_GetArrayItem(checks, (int)i);
		assert_string_equal(cJSON_GetStringValue(item(c, "id")),
				    ids[i]);
		assert_string_equal(cJSON_GetStringValue(item(c, "status")),
				    statuses[i]);
		assert_true(cJSON_IsString(item(c, "type")));
		assert_true(cJSON_IsNumber(item(c, "duration_ms")));
		assert_true(cJSON_IsString(item(c, "message")));
		assert_true(cJSON_IsString(item(c, "hint")) ||
			    cJSON_IsNull(item(c, "hint")));
		assert_true(cJSON_IsObject(item(c, "details")));
	}
	c = cJSON_GetArrayItem(checks, 0);
	assert_int_equal(item(item(c, "details"), "total_ms")->valueint, 12);
	assert_true(cJSON_IsNull(item(cJSON_GetArrayItem(checks, 3), "hint")));
	cJSON_Delete(root);
}

static void test_json_records_what_a_fix_did(void **state)
{
	cJSON *root = render_json(*state);
	const cJSON *fix = item(cJSON_GetArrayItem(item(root, "checks"), 4),
				"fix");

	assert_string_equal(cJSON_GetStringValue(item(fix, "name")), "chmod");
	assert_int_equal(cJSON_GetArraySize(item(fix, "actions")), 1);
	assert_true(cJSON_IsTrue(item(fix, "applied")));
	assert_string_equal(cJSON_GetStringValue(item(fix, "recheck")),
			    "pass");
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(item(root,
						"checks"), 0), "fix"));
	cJSON_Delete(root);
}

static void test_json_status_is_warn_when_nothing_failed(void **state)
{
	struct fixture *fx = *state;
	cJSON *root;

	result_pass(&fx->run.results[DOCS], "fine now");
	root = render_json(fx);
	assert_string_equal(cJSON_GetStringValue(item(root, "status")),
			    "warn");
	cJSON_Delete(root);
}

static void test_json_records_attempts_and_interruption(void **state)
{
	struct fixture *fx = *state;
	cJSON *root;

	fx->run.results[HEALTH].attempts = 3;
	fx->run.interrupted = 2;
	root = render_json(fx);
	assert_true(cJSON_IsTrue(item(root, "interrupted")));
	assert_int_equal(item(cJSON_GetArrayItem(item(root, "checks"), 0),
			      "attempts")->valueint, 3);
	cJSON_Delete(root);
}

static void test_json_hostile_message_comes_out_escaped(void **state)
{
	struct fixture *fx = *state;
	const char *msg;
	cJSON *root;

	result_fail(&fx->run.results[DOCS], "%s", HOSTILE);
	assert_null(strchr(render(fx, "json", 0, 0), '\033'));
	root = render_json(fx);
	msg = cJSON_GetStringValue(item(cJSON_GetArrayItem(item(root,
							"checks"), 1),
					"message"));
	assert_true(text_valid_utf8(msg, strlen(msg)));
	assert_null(strchr(msg, '\033'));
	assert_null(strchr(msg, '\a'));
	assert_contains(msg, "\\x1b[31mred");
	assert_contains(msg, "\xef\xbf\xbd");
	cJSON_Delete(root);
}

/* A module that wrote raw bytes into its details still gives valid JSON. */
static void test_json_raw_detail_bytes_come_out_valid(void **state)
{
	struct fixture *fx = *state;
	cJSON *root;

	cJSON_AddStringToObject(result_details(&fx->run.results[DOCS]), "raw",
				"body \xff\xfe\xc0\xaf end");
	root = render_json(fx);
	assert_contains(cJSON_GetStringValue(item(item(cJSON_GetArrayItem(
			item(root, "checks"), 1), "details"), "raw")), "end");
	cJSON_Delete(root);
}

static void assert_secret_absent(struct fixture *fx)
{
	static const char *const formats[] = { "text", "json" };
	size_t i;

	for (i = 0; i < 2; i++) {
		if (strstr(render(fx, formats[i], 0, 1), SECRET))
			fail_msg("%s report shows the secret:\n%s", formats[i],
				 buf_cstr(&fx->out));
		if (strstr(render(fx, formats[i], 1, 1), SECRET))
			fail_msg("%s report in colour shows the secret",
				 formats[i]);
	}
}

static void test_secret_in_results_never_appears(void **state)
{
	struct fixture *fx = *state;
	struct result *r = &fx->run.results[DOCS];

	secret_add(SECRET);
	result_fail(r, "login as admin:%s refused", SECRET);
	result_hint(r, "rotate %s", SECRET);
	result_detail_str(r, "header", "Bearer " SECRET);
	result_detail_push(r, "lines", "token=" SECRET);
	fix_record_action(fx->run.results[SCRIPT].fix, "use " SECRET);
	assert_secret_absent(fx);
}

static void test_url_password_in_a_message_never_appears(void **state)
{
	struct fixture *fx = *state;

	result_fail(&fx->run.results[DOCS], "GET http://app:%s@db/ failed",
		    SECRET);
	assert_secret_absent(fx);
}

/*
 * A fix sets rec->error and rec->output itself (fix.h); a secret that a
 * failing command printed must not reach the report through them.
 */
static void test_secret_in_a_fix_error_never_appears(void **state)
{
	struct fixture *fx = *state;
	struct fix_record *f = fx->run.results[SCRIPT].fix;

	secret_add(SECRET);
	f->error = strdup("pip: 401 for https://pypi.internal/ token " SECRET);
	f->output = strdup("Looking in indexes: " SECRET);
	assert_secret_absent(fx);
}

/* A description copied from the config is shown in JSON as written. */
static void test_secret_in_a_description_never_appears(void **state)
{
	struct fixture *fx = *state;

	secret_add(SECRET);
	fx->cfg.checks[HEALTH].description =
		strdup("reaches http://app:" SECRET "@db/");
	assert_secret_absent(fx);
}

#define REPORT_TEST(f) \
	cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		REPORT_TEST(test_text_without_colour_has_no_escape_bytes),
		REPORT_TEST(test_text_has_one_line_per_check_run),
		REPORT_TEST(test_text_shows_hint_under_a_failure),
		REPORT_TEST(test_text_shows_hint_under_a_warning),
		REPORT_TEST(test_text_hides_hint_of_a_passing_check),
		REPORT_TEST(test_text_shows_what_a_fix_did),
		REPORT_TEST(test_text_ends_with_the_summary_line),
		REPORT_TEST(test_text_verbose_adds_details),
		REPORT_TEST(test_text_says_how_many_attempts_a_retry_took),
		REPORT_TEST(test_text_summary_says_interrupted),
		REPORT_TEST(test_text_with_colour_has_marks),
		REPORT_TEST(test_text_hostile_message_stays_safe),
		REPORT_TEST(test_json_has_the_documented_shape),
		REPORT_TEST(test_json_summary_counts_the_checks),
		REPORT_TEST(test_json_checks_in_config_order_with_fields),
		REPORT_TEST(test_json_records_what_a_fix_did),
		REPORT_TEST(test_json_status_is_warn_when_nothing_failed),
		REPORT_TEST(test_json_records_attempts_and_interruption),
		REPORT_TEST(test_json_hostile_message_comes_out_escaped),
		REPORT_TEST(test_json_raw_detail_bytes_come_out_valid),
		REPORT_TEST(test_secret_in_results_never_appears),
		REPORT_TEST(test_url_password_in_a_message_never_appears),
		REPORT_TEST(test_secret_in_a_fix_error_never_appears),
		REPORT_TEST(test_secret_in_a_description_never_appears),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
