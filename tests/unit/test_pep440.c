/*
 * PEP 440: parsing and normalisation, ordering and specifiers, with the
 * examples PEP 440 itself gives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../lib/pep440.h"

static void check_normal_form(const char *in, const char *want)
{
	struct pep440_version v;
	char out[128];

	if (pep440_parse(in, &v))
		fail_msg("'%s' did not parse", in);
	pep440_format(&v, out, sizeof(out));
	if (strcmp(out, want))
		fail_msg("'%s' normalised to '%s', want '%s'", in, out, want);
}

static void test_spellings_normalise_as_pep440_says(void **state)
{
	static const char *const cases[][2] = {
		{ "1.0", "1.0" }, { "v1.0", "1.0" }, { "V2", "2" },
		{ " 1.0 \n", "1.0" }, { "01.02.003", "1.2.3" },
		{ "1.0a", "1.0a0" }, { "1.1.a1", "1.1a1" },
		{ "1.1-a1", "1.1a1" },
		{ "1.1_a1", "1.1a1" }, { "1.0alpha1", "1.0a1" },
		{ "1.0ALPHA.1", "1.0a1" }, { "1.0beta2", "1.0b2" },
		{ "1.0c1", "1.0rc1" }, { "1.0pre1", "1.0rc1" },
		{ "1.0preview1", "1.0rc1" }, { "1.0.RC1", "1.0rc1" },
		{ "1.0-post1", "1.0.post1" }, { "1.0post", "1.0.post0" },
		{ "1.0-r4", "1.0.post4" }, { "1.0rev4", "1.0.post4" },
		{ "1.0-1", "1.0.post1" }, { "1.0a1-1", "1.0a1.post1" },
		{ "1.0-dev1", "1.0.dev1" }, { "1.0dev", "1.0.dev0" },
		{ "1.0.post1.dev2", "1.0.post1.dev2" },
		{ "1.0+ubuntu-1", "1.0+ubuntu.1" },
		{ "1.0+Ubuntu_1.2", "1.0+ubuntu.1.2" }, { "1!2.0", "1!2.0" },
		{ "1.0+01.0a", "1.0+1.0a" }, { "1+abc.007", "1+abc.7" },
		{ "0!1.0", "1.0" }, { "2012.04.03", "2012.4.3" },
		{ "1.0rc1.post2.dev3+local.7", "1.0rc1.post2.dev3+local.7" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_normal_form(cases[i][0], cases[i][1]);
}

static void test_malformed_versions_are_refused(void **state)
{
	static const char *const cases[] = {
		"", " ", "abc", "1.0.", "1..0", "1.0-", "1.0+", "1.0+ubuntu_",
		"1.0+a..b", "1.0 beta", "1.0.x", "!1.0", "1!", "1.0+a+b",
		"1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17",
		"99999999999999999999999", "1.0#1",
	};
	struct pep440_version v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!pep440_parse(cases[i], &v))
			fail_msg("'%s' parsed but is not a version", cases[i]);
}

/* The order PEP 440 lists in its "summary of permitted suffixes". */
static void test_versions_sort_in_pep440_order(void **state)
{
	static const char *const order[] = {
		"1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456",
		"1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
		"1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456",
		"1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5",
		"1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1",
		"1!0.1",
	};
	size_t n = sizeof(order) / sizeof(order[0]), i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			struct pep440_version a, b;
			int c, want = i < j ? -1 : i > j;

			assert_int_equal(pep440_parse(order[i], &a), 0);
			assert_int_equal(pep440_parse(order[j], &b), 0);
			c = pep440_cmp(&a, &b);
			c = c < 0 ? -1 : c > 0;
			if (c != want)
				fail_msg("cmp(%s, %s) = %d, want %d",
					 order[i], order[j], c, want);
		}
	}
}

static void test_equal_versions_compare_equal(void **state)
{
	static const char *const cases[][2] = {
		{ "1.0", "1.0.0" }, { "1", "1.0.0.0" }, { "1.0a", "1.0a0" },
		{ "1.0+01", "1.0+1" }, { "0!1.0", "1.0" }, { "v1.0", "1.0" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pep440_version a, b;

		assert_int_equal(pep440_parse(cases[i][0], &a), 0);
		assert_int_equal(pep440_parse(cases[i][1], &b), 0);
		if (pep440_cmp(&a, &b))
			fail_msg("%s != %s", cases[i][0], cases[i][1]);
	}
}

struct spec_case {
	const char *spec;
	const char *version;
	int want;
};

static const struct spec_case spec_cases[] = {
	/* ~= from PEP 440's examples */
	{ "~=2.2", "2.2", 1 }, { "~=2.2", "2.9", 1 }, { "~=2.2", "3.0", 0 },
	{ "~=2.2", "2.1", 0 }, { "~=1.4.5", "1.4.9", 1 },
	{ "~=1.4.5", "1.5.0", 0 }, { "~=2.2.post3", "2.2.post3", 1 },
	{ "~=2.2.post3", "2.2", 0 }, { "~=2.2.post3", "2.9", 1 },
	{ "~=1.4.5a4", "1.4.5", 1 }, { "~=1.4.5a4", "1.4.5a3", 0 },
	{ "~=1.4.5a4", "1.5", 0 }, { "~=1.0", "1.0.dev1", 0 },
	{ "~=1.0", "1.0+local", 1 },
	/* == exact, padded, local ignored unless named */
	{ "==1.1", "1.1.0", 1 }, { "==1.1", "1.1.post1", 0 },
	{ "==1.1", "1.1a1", 0 }, { "==1.1.post1", "1.1.post1", 1 },
	{ "==1.0", "1.0+ubuntu1", 1 }, { "==1.0+local", "1.0", 0 },
	{ "==1.0+local", "1.0+local", 1 }, { "== 3.9.1", "3.9.1", 1 },
	{ "==3.9.1", "3.8.4", 0 }, { "==1.0", "1!1.0", 0 },
	/* prefix matching */
	{ "==1.1.*", "1.1.post1", 1 }, { "==1.1.*", "1.1a1", 1 },
	{ "==1.1.*", "1.1.0.dev1", 1 }, { "==1.1.*", "1.10", 0 },
	{ "==1.1.*", "1.2", 0 }, { "==1.0.*", "1", 1 },
	{ "==1.*", "1!1.0", 0 }, { "==1.1.*", "1.1+local", 1 },
	{ "!=1.1.*", "1.1.2", 0 }, { "!=1.1.*", "1.2", 1 },
	{ "!=1.0", "1.0.0", 0 }, { "!=1.0", "1.0.1", 1 },
	/* ordered comparisons */
	{ "<2.0", "1.9", 1 }, { "<2.0", "2.0a1", 0 }, { "<2.0", "2.0", 0 },
	{ "<2.0rc1", "2.0a1", 1 }, { "<2.0", "2.0.dev1", 0 },
	{ "<=2.0", "2.0", 1 }, { "<=2.0", "2.0+local", 1 },
	{ "<=2.0", "2.0.post1", 0 }, { ">1.7", "1.7.1", 1 },
	{ ">1.7", "1.7.post1", 0 }, { ">1.7", "1.7+local", 0 },
	{ ">1.7.post2", "1.7.post3", 1 }, { ">1.7", "1.7", 0 },
	{ ">=1.0", "1!0.5", 1 }, { ">=1.0", "1.0rc1", 0 },
	{ ">=1.0", "1.0+x", 1 }, { ">=3.8", "3.11.2", 1 },
	/* sets and arbitrary equality */
	{ ">=1.0,<2.0", "1.5", 1 }, { ">=1.0, <2.0", "2.0", 0 },
	{ "", "0.1", 1 }, { ">=1.0,!=1.5.*", "1.5.2", 0 },
	{ "===1.0", "1.0", 1 }, { "===1.0", "1.0.0", 0 },
	{ "===1.1", "0!1.1", 1 },
	{ "===foobar", "FooBar", 1 },
};

static void test_specifiers_match_as_pep440_says(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(spec_cases) / sizeof(spec_cases[0]); i++) {
		const struct spec_case *c = &spec_cases[i];
		struct pep440_specset set = PEP440_SPECSET_INIT;
		struct pep440_version v;
		char *cause = NULL;
		int parsed = !pep440_parse(c->version, &v), got;

		if (pep440_specset_parse(c->spec, &set, &cause))
			fail_msg("'%s': %s", c->spec, cause);
		got = pep440_specset_contains(&set, parsed ? &v : NULL,
					      c->version);
		if (got != c->want)
			fail_msg("'%s' contains '%s' = %d, want %d", c->spec,
				 c->version, got, c->want);
		pep440_specset_release(&set);
	}
}

static void test_invalid_specifiers_are_refused_with_a_reason(void **state)
{
	static const char *const cases[] = {
		"~=1", ">=1.0.*", "==1.0a1.*", "<1.0+local", "=>1.0", "1.0",
		"==", ">=1.0,", "==1.0,,<2", "~=1.0+x", "==abc",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pep440_specset set = PEP440_SPECSET_INIT;
		char *cause = NULL;

		if (!pep440_specset_parse(cases[i], &set, &cause))
			fail_msg("'%s' was accepted", cases[i]);
		assert_non_null(cause);
		assert_non_null(strstr(cause, "bad version specifier"));
		free(cause);
	}
}

static void test_unparsable_installed_version_only_meets_arbitrary(void **s)
{
	struct pep440_specset set = PEP440_SPECSET_INIT;
	char *cause = NULL;

	assert_int_equal(pep440_specset_parse(">=1.0", &set, &cause), 0);
	assert_false(pep440_specset_contains(&set, NULL, "2.0-custom!"));
	pep440_specset_release(&set);
	assert_int_equal(pep440_specset_parse("===2.0-custom!", &set, &cause),
			 0);
	assert_true(pep440_specset_contains(&set, NULL, "2.0-custom!"));
	pep440_specset_release(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spellings_normalise_as_pep440_says),
		cmocka_unit_test(test_malformed_versions_are_refused),
		cmocka_unit_test(test_versions_sort_in_pep440_order),
		cmocka_unit_test(test_equal_versions_compare_equal),
		cmocka_unit_test(test_specifiers_match_as_pep440_says),
		cmocka_unit_test(
			test_invalid_specifiers_are_refused_with_a_reason),
		cmocka_unit_test(
			test_unparsable_installed_version_only_meets_arbitrary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
