/*
 * Every format (text, json, junit, tap, prometheus) renders one hand-made
 * run the same way every time, and stays well-formed whatever the strings
 * hold: quotes, "]]>", control characters, escape sequences and invalid
 * UTF-8. The json golden file names the version: a release updates it.
 *
 * Golden files live in tests/golden/; run with PREFLIGHT_UPDATE_GOLDEN=1
 * from the repository root to rewrite them after a deliberate change.
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

#define HOSTILE "expected \"healthy\", got ]]> <b>&amp;</b> 'x'\x01\x1b[31m" \
	" bad \xff\xfe utf8 \xef\xbf\xbe \xed\xa0\x80 end"

static const struct check_type fake_http = { .name = "http" };
static const struct check_type fake_perm = { .name = "perm\"issions" };

struct fixture {
	struct config cfg;
	struct run run;
};

static void fixture_check(struct fixture *f, size_t i, const char *id,
			  const struct check_type *type)
{
	f->cfg.checks[i].id = strdup(id);
	f->cfg.checks[i].type = type;
	f->run.ran[i] = 1;
	result_init(&f->run.results[i]);
}

/* Through the setters, as checks do: they sanitize what they store. */
static void fixture_result(struct fixture *f, size_t i, enum status s,
			   int64_t ms, const char *msg, const char *hint)
{
	struct result *r = &f->run.results[i];

	switch (s) {
	case STATUS_PASS: result_pass(r, "%s", msg); break;
	case STATUS_SKIP: result_skip(r, "%s", msg); break;
	case STATUS_WARN: result_warn(r, "%s", msg); break;
	case STATUS_FAIL: result_fail(r, "%s", msg); break;
	}
	r->failed = s == STATUS_FAIL;
	r->duration_ms = ms;
	if (hint)
		result_hint(r, "%s", hint);
}

static void fixture_fix(struct result *r)
{
	struct fix_record *fx = calloc(1, sizeof(*fx));

	fx->name = strdup("chmod");
	fx->actions = cJSON_CreateArray();
	cJSON_AddItemToArray(fx->actions,
			     cJSON_CreateString("chmod u+x \"start.sh\""));
	fx->attempted = 1;
	fx->applied = 1;
	fx->rechecked = 1;
	fx->recheck = STATUS_PASS;
	r->fix = fx;
}

/* Six checks: pass, hostile fail, skip, warn, fixed, and one not run. */
static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	size_t n = 6;

	f->cfg.nchecks = f->run.n = n;
	f->cfg.checks = calloc(n, sizeof(*f->cfg.checks));
	f->run.results = calloc(n, sizeof(*f->run.results));
	f->run.ran = calloc(n, sizeof(*f->run.ran));
	f->run.started_epoch_ms = 1796299200123LL;
	f->run.duration_ms = 1534;

	fixture_check(f, 0, "health", &fake_http);
	fixture_result(f, 0, STATUS_PASS, 12, "200 OK in 12 ms", NULL);
	fixture_check(f, 1, "docs\"<x>", &fake_http);
	fixture_result(f, 1, STATUS_FAIL, 5001, HOSTILE,
		       "start it:\n  systemctl start \"backend\" # \\ now");
	f->run.results[1].timed_out = 1;
	fixture_check(f, 2, "db # 1", &fake_http);
	fixture_result(f, 2, STATUS_SKIP, 0, "needs \"docs\" # which failed",
		       NULL);
	fixture_check(f, 3, "disk\\space", &fake_http);
	fixture_result(f, 3, STATUS_WARN, 3, "92% full\nof /var", "clean up");
	fixture_check(f, 4, "scripts", &fake_perm);
	fixture_result(f, 4, STATUS_PASS, 1, "start.sh is executable", NULL);
	fixture_fix(&f->run.results[4]);
	fixture_check(f, 5, "unselected", &fake_http);
	f->run.ran[5] = 0;

	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < f->run.n; i++) {
		free(f->cfg.checks[i].id);
		result_release(&f->run.results[i]);
	}
	free(f->cfg.checks);
	free(f->run.results);
	free(f->run.ran);
	free(f);
	return 0;
}

static void render_with(void **state, const char *format,
			const struct render_opts *o, struct buf *out)
{
	struct fixture *f = *state;
	struct report rep = { &f->cfg, &f->run };
	const struct report_format *fmt = report_format_find(format);

	assert_non_null(fmt);
	buf_init(out, 0);
	assert_int_equal(fmt->render(&rep, o, out), 0);
	buf_cstr(out);
}

/* Renders the fixture in a format; the caller releases the buffer. */
static void render(void **state, const char *format, struct buf *out)
{
	struct render_opts o = { 0, 0 };

	render_with(state, format, &o, out);
}

static void assert_matches_golden(const char *got, size_t len,
				  const char *path)
{
	char *want;
	size_t want_len;
	FILE *fp;

	if (getenv("PREFLIGHT_UPDATE_GOLDEN")) {
		fp = fopen(path, "w");
		assert_non_null(fp);
		assert_int_equal(fwrite(got, 1, len, fp), len);
		assert_int_equal(fclose(fp), 0);
		return;
	}

	want = read_file(path, 0, &want_len);
	if (!want)
		fail_msg("cannot read %s (run from the repository root)", path);
	if (want_len != len || memcmp(want, got, len) != 0)
		fail_msg("%s differs; got:\n%s", path, got);
	free(want);
}

static const struct {
	const char *format;
	const char *golden;
	struct render_opts opts;
} goldens[] = {
	{ "text", "tests/golden/report.txt", { 0, 0 } },
	{ "text", "tests/golden/report-verbose-color.txt", { 1, 1 } },
	{ "json", "tests/golden/report.json", { 0, 0 } },
	{ "junit", "tests/golden/report.junit.xml", { 0, 0 } },
	{ "tap", "tests/golden/report.tap", { 0, 0 } },
	{ "prometheus", "tests/golden/report.prom", { 0, 0 } },
};

static void test_each_format_matches_its_golden_file(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(goldens); i++) {
		struct buf out;

		render_with(state, goldens[i].format, &goldens[i].opts, &out);
		assert_matches_golden(out.data, out.len, goldens[i].golden);
		buf_release(&out);
	}
}

static void test_each_format_is_valid_utf8_without_control_bytes(void **state)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(goldens); i++) {
		struct buf out;

		render(state, goldens[i].format, &out);
		assert_true(text_valid_utf8(out.data, out.len));
		for (j = 0; j < out.len; j++) {
			unsigned char c = (unsigned char)out.data[j];

			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				fail_msg("%s: byte 0x%02x at %zu",
					 goldens[i].format, c, j);
		}
		buf_release(&out);
	}
}

/* The CI formats sanitize even strings that bypassed the setters. */
static void test_ci_formats_stay_valid_with_raw_strings(void **state)
{
	static const char *const formats[] = { "junit", "tap", "prometheus" };
	struct fixture *f = *state;
	size_t i, j;

	free(f->run.results[1].message);
	f->run.results[1].message = strdup(HOSTILE);
	free(f->cfg.checks[3].id);
	f->cfg.checks[3].id = strdup("raw\x01\xff id");
	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		struct buf out;

		render(state, formats[i], &out);
		assert_true(text_valid_utf8(out.data, out.len));
		for (j = 0; j < out.len; j++)
			if ((unsigned char)out.data[j] < 0x20 &&
			    out.data[j] != '\n')
				fail_msg("%s: control byte at %zu", formats[i],
					 j);
		assert_null(strstr(out.data, "\xef\xbf\xbe"));
		buf_release(&out);
	}
}

/* A secret stored without the setters is still masked by the CI formats. */
static void test_ci_formats_mask_registered_secrets(void **state)
{
	static const char *const formats[] = { "junit", "tap" };
	struct fixture *f = *state;
	struct fix_record *fx = f->run.results[4].fix;
	size_t i;

	secret_add("hunter22-secret");
	fx->error = strdup("pip: 401 from index, token hunter22-secret");
	cJSON_AddItemToArray(fx->actions, cJSON_CreateString(
		"pip install --index-url https://u:hunter22-secret@x/ y"));
	free(f->run.results[1].message);
	f->run.results[1].message = strdup("Bearer hunter22-secret refused");
	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		struct buf out;

		render(state, formats[i], &out);
		if (strstr(out.data, "hunter22-secret"))
			fail_msg("%s shows the secret:\n%s", formats[i],
				 out.data);
		assert_non_null(strstr(out.data, "***"));
		buf_release(&out);
	}
	secret_clear();
}

static void test_each_format_leaves_out_unselected_checks(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(goldens); i++) {
		struct buf out;

		render(state, goldens[i].format, &out);
		assert_null(strstr(out.data, "unselected"));
		buf_release(&out);
	}
}

static void test_junit_counts_tests_failures_and_skips(void **state)
{
	struct buf out;

	render(state, "junit", &out);
	assert_non_null(strstr(out.data, "<testsuite name=\"preflight\" "
			       "tests=\"5\" failures=\"1\" errors=\"0\" "
			       "skipped=\"1\" time=\"1.534\""));
	buf_release(&out);
}

static void test_junit_never_carries_cdata_end_or_raw_markup(void **state)
{
	struct buf out;

	render(state, "junit", &out);
	assert_null(strstr(out.data, "]]>"));
	assert_null(strstr(out.data, "<b>"));
	assert_non_null(strstr(out.data, "]]&gt; &lt;b&gt;&amp;amp;"));
	buf_release(&out);
}

static void test_junit_and_tap_replace_noncharacters(void **state)
{
	struct buf out;

	render(state, "junit", &out);
	assert_null(strstr(out.data, "\xef\xbf\xbe"));
	buf_release(&out);
	render(state, "tap", &out);
	assert_null(strstr(out.data, "\xef\xbf\xbe"));
	buf_release(&out);
}

static void test_junit_durations_are_seconds(void **state)
{
	struct buf out;

	render(state, "junit", &out);
	assert_non_null(strstr(out.data, "name=\"health\" "
			       "classname=\"preflight.http\" time=\"0.012\""));
	buf_release(&out);
}

static void test_tap_plans_only_the_checks_that_ran(void **state)
{
	struct buf out;

	render(state, "tap", &out);
	assert_true(strncmp(out.data, "TAP version 13\n1..5\n", 20) == 0);
	buf_release(&out);
}

static void test_tap_escapes_hash_in_descriptions(void **state)
{
	struct buf out;

	render(state, "tap", &out);
	assert_non_null(strstr(out.data, "ok 3 - db \\# 1 # SKIP needs "
			       "\"docs\" \\# which failed\n"));
	buf_release(&out);
}

static void test_tap_marks_only_failures_not_ok(void **state)
{
	struct buf out;
	const char *p;
	int not_ok = 0;

	render(state, "tap", &out);
	for (p = out.data; (p = strstr(p, "not ok ")); p++)
		not_ok++;
	assert_int_equal(not_ok, 1);
	assert_non_null(strstr(out.data, "not ok 2 - "));
	buf_release(&out);
}

static void test_prometheus_status_is_one_only_for_pass(void **state)
{
	struct buf out;

	render(state, "prometheus", &out);
	assert_non_null(strstr(out.data, "preflight_check_status{id=\"health\","
			       "type=\"http\"} 1\n"));
	assert_non_null(strstr(out.data, "preflight_check_status{id=\"disk"
			       "\\\\space\",type=\"http\"} 0\n"));
	buf_release(&out);
}

static void test_prometheus_escapes_label_values(void **state)
{
	struct buf out;

	render(state, "prometheus", &out);
	assert_non_null(strstr(out.data, "{id=\"docs\\\"<x>\",type=\"http\"}"));
	assert_non_null(strstr(out.data, "type=\"perm\\\"issions\"}"));
	buf_release(&out);
}

static void test_prometheus_counts_by_status(void **state)
{
	struct buf out;

	render(state, "prometheus", &out);
	assert_non_null(strstr(out.data, "preflight_checks{status=\"pass\"} 2\n"
			       "preflight_checks{status=\"warn\"} 1\n"
			       "preflight_checks{status=\"fail\"} 1\n"
			       "preflight_checks{status=\"skip\"} 1\n"));
	assert_non_null(strstr(out.data, "preflight_last_run_timestamp_seconds"
			       " 1796299200.123\n"));
	buf_release(&out);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, \
						 fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_each_format_matches_its_golden_file),
		T(test_each_format_is_valid_utf8_without_control_bytes),
		T(test_each_format_leaves_out_unselected_checks),
		T(test_ci_formats_stay_valid_with_raw_strings),
		T(test_ci_formats_mask_registered_secrets),
		T(test_junit_counts_tests_failures_and_skips),
		T(test_junit_never_carries_cdata_end_or_raw_markup),
		T(test_junit_and_tap_replace_noncharacters),
		T(test_junit_durations_are_seconds),
		T(test_tap_plans_only_the_checks_that_ran),
		T(test_tap_escapes_hash_in_descriptions),
		T(test_tap_marks_only_failures_not_ok),
		T(test_prometheus_status_is_one_only_for_pass),
		T(test_prometheus_escapes_label_values),
		T(test_prometheus_counts_by_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
