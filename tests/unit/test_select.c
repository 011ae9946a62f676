/*
 * Choosing checks: ids, --only and --tag add up with what they need;
 * --skip removes checks and everything that needs them; unknown ids and
 * tags are refused with a message naming them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/select.h"

/* a <- b <- c, and d alone; tags: a,b "backend", c "docs", d "db" */
static const char config_text[] =
	"{\"checks\": ["
	"{\"id\": \"a\", \"type\": \"tcp\", \"targets\": [\"h:1\"],"
	" \"tags\": [\"backend\"]},"
	"{\"id\": \"b\", \"type\": \"tcp\", \"targets\": [\"h:1\"],"
	" \"needs\": [\"a\"], \"tags\": [\"backend\"]},"
	"{\"id\": \"c\", \"type\": \"tcp\", \"targets\": [\"h:1\"],"
	" \"needs\": [\"b\"], \"tags\": [\"docs\"]},"
	"{\"id\": \"d\", \"type\": \"tcp\", \"targets\": [\"h:1\"],"
	" \"tags\": [\"db\"]}]}";

static int cfg_setup(void **state)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	struct config_opts co = { .default_timeout_ms = 1000 };
	char *cause = NULL;

	if (config_load_text(cfg, config_text, strlen(config_text), "t.json",
			     ".", &co, &cause) < 0) {
		free(cause);
		return -1;
	}
	*state = cfg;
	return 0;
}

static int cfg_teardown(void **state)
{
	config_release(*state);
	free(*state);
	return 0;
}

/* The ids that run, as "abd", or "*" when everything runs. */
static char *selected(void **state, const struct selection *s)
{
	struct config *cfg = *state;
	unsigned char *sel;
	char *dropped, *cause = NULL, *out = calloc(8, 1);
	size_t i, n = 0;

	assert_int_equal(select_checks(cfg, s, &sel, &dropped, &cause), 0);
	if (!sel)
		out[0] = '*';
	for (i = 0; sel && i < cfg->nchecks; i++)
		if (sel[i])
			out[n++] = cfg->checks[i].id[0];
	free(sel);
	free(dropped);
	return out;
}

/* Writable strings: the selection vectors are char *, as argv is. */
static char id_a[] = "a", id_b[] = "b", id_c[] = "c", id_d[] = "d";
static char tag_backend[] = "backend", tag_docs[] = "docs", tag_db[] = "db";
static char unknown[] = "nope";

static char *const none[] = { NULL };
static char *const c_only[] = { id_c, NULL };
static char *const d_only[] = { id_d, NULL };
static char *const a_only[] = { id_a, NULL };
static char *const b_only[] = { id_b, NULL };
static char *const backend[] = { tag_backend, NULL };
static char *const docs_db[] = { tag_docs, tag_db, NULL };

static void test_selection_table(void **state)
{
	static const struct {
		struct selection s;
		const char *want;
	} cases[] = {
		{ { none, NULL, NULL, NULL }, "*" },
		{ { c_only, NULL, NULL, NULL }, "abc" },
		{ { NULL, d_only, NULL, NULL }, "d" },
		{ { a_only, d_only, NULL, NULL }, "ad" },
		{ { NULL, NULL, NULL, backend }, "ab" },
		{ { NULL, NULL, NULL, docs_db }, "abcd" },
		{ { NULL, NULL, b_only, NULL }, "ad" },
		{ { NULL, NULL, a_only, NULL }, "d" },
		{ { NULL, NULL, b_only, backend }, "a" },
		{ { NULL, c_only, c_only, NULL }, "ab" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = selected(state, &cases[i].s);

		if (strcmp(got, cases[i].want))
			fail_msg("case %zu: got %s, want %s", i, got,
				 cases[i].want);
		free(got);
	}
}

static void test_skip_names_what_it_also_leaves_out(void **state)
{
	struct selection s = { .skip = a_only };
	unsigned char *sel;
	char *dropped, *cause = NULL;

	assert_int_equal(select_checks(*state, &s, &sel, &dropped, &cause),
			 0);
	assert_string_equal(dropped, "b, c");
	free(sel);
	free(dropped);
}

static void test_unknown_ids_and_tags_are_refused_by_name(void **state)
{
	static char *const nope[] = { unknown, NULL };
	struct selection cases[] = {
		{ .ids = nope }, { .only = nope }, { .skip = nope },
		{ .tags = nope },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char *sel;
		char *dropped, *cause = NULL;

		assert_int_equal(select_checks(*state, &cases[i], &sel,
					       &dropped, &cause), -1);
		assert_non_null(strstr(cause, "'nope'"));
		assert_null(sel);
		free(cause);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selection_table),
		cmocka_unit_test(test_skip_names_what_it_also_leaves_out),
		cmocka_unit_test(test_unknown_ids_and_tags_are_refused_by_name),
	};

	return cmocka_run_group_tests(tests, cfg_setup, cfg_teardown);
}
