/*
 * Version numbers in programs' --version output, and their order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../core/util.h"
#include "../../lib/verscan.h"

static void test_finds_the_version_in_real_outputs(void **state)
{
	static const struct {
		const char *text;
		const char *want;	/* NULL: none */
	} cases[] = {
		{ "psql (PostgreSQL) 15.4 (Debian 15.4-1.pgdg120+1)", "15.4" },
		{ "Python 3.11.2", "3.11.2" },
		{ "git version 2.39.2", "2.39.2" },
		{ "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1", "7.88.1" },
		{ "v20.10.0", "20.10.0" },
		{ "openjdk version \"17.0.9\" 2023-10-17", "17.0.9" },
		{ "GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)",
		  "5.2.15" },
		{ "tool 2 build 1.5", "1.5" },
		{ "podman version 4.3.1.", "4.3.1" },
		{ "hyperfine 1", "1" },
		{ "x86_64 only", NULL },
		{ "no digits here", NULL },
		{ "", NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char out[32] = "";
		int found = verscan_find(cases[i].text, out, sizeof(out));

		print_message("case %zu: %s\n", i, cases[i].text);
		assert_int_equal(found, cases[i].want != NULL);
		if (cases[i].want)
			assert_string_equal(out, cases[i].want);
	}
}

static void test_compares_dotted_numbers(void **state)
{
	static const struct {
		const char *a, *b;
		int sign;
	} cases[] = {
		{ "15.4", "15", 1 },
		{ "15", "15.0", 0 },
		{ "15.0.0", "15", 0 },
		{ "13.11", "15.2", -1 },
		{ "3.10", "3.9", 1 },
		{ "1.2.10", "1.2.9", 1 },
		{ "2", "10", -1 },
		{ "7.88.1", "7.88.1", 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int c = verscan_cmp(cases[i].a, cases[i].b);

		assert_int_equal(c < 0 ? -1 : c > 0, cases[i].sign);
		c = verscan_cmp(cases[i].b, cases[i].a);
		assert_int_equal(c < 0 ? -1 : c > 0, -cases[i].sign);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_the_version_in_real_outputs),
		cmocka_unit_test(test_compares_dotted_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
