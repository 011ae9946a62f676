/*
 * The registries of check types, fixes and report formats agree with each
 * other: every name is unique, every fix a type names exists and repairs
 * that type, and every type carries what --list and --explain show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/check.h"
#include "../../core/fix.h"
#include "../../report/report.h"

static const char *const common_keys[] = {
	"id", "type", "needs", "timeout", "severity", "description", "tags",
};

static int valid_name(const char *s)
{
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
			     strlen(s);
}

static void test_check_type_names_are_unique_and_lowercase(void **state)
{
	size_t i, j;

	for (i = 0; check_types[i]; i++) {
		if (!valid_name(check_types[i]->name))
			fail_msg("bad check type name '%s'", check_types[i]->name);
		for (j = 0; j < i; j++)
			if (!strcmp(check_types[i]->name, check_types[j]->name))
				fail_msg("check type '%s' is listed twice",
					 check_types[i]->name);
		assert_ptr_equal(check_type_find(check_types[i]->name),
				 check_types[i]);
	}
	assert_true(i >= 3);
	assert_null(check_type_find("no-such-type"));
}

static void test_every_check_type_can_run_and_explain_itself(void **state)
{
	size_t i;

	for (i = 0; check_types[i]; i++) {
		const struct check_type *t = check_types[i];

		if (!t->summary || !*t->summary)
			fail_msg("check type '%s' has no summary", t->name);
		if (!t->example || !*t->example)
			fail_msg("check type '%s' has no example failure",
				 t->name);
		if (!t->prepare || !t->run || !t->release || !t->keys)
			fail_msg("check type '%s' lacks prepare, run, release "
				 "or keys", t->name);
	}
}

static void test_type_keys_are_unique_and_not_common(void **state)
{
	const struct key_spec *k, *m;
	size_t i, c;

	for (i = 0; check_types[i]; i++) {
		for (k = check_types[i]->keys; k && k->name; k++) {
			if (!k->types)
				fail_msg("%s.%s accepts no JSON type",
					 check_types[i]->name, k->name);
			for (c = 0; c < sizeof(common_keys) / sizeof(*common_keys); c++)
				if (!strcmp(k->name, common_keys[c]))
					fail_msg("%s redefines the common key '%s'",
						 check_types[i]->name, k->name);
			for (m = check_types[i]->keys; m != k; m++)
				if (!strcmp(m->name, k->name))
					fail_msg("%s lists key '%s' twice",
						 check_types[i]->name, k->name);
		}
	}
}

static void test_named_fixes_exist_and_repair_that_type(void **state)
{
	const struct fix_type *f;
	size_t i;

	for (i = 0; check_types[i]; i++) {
		if (!check_types[i]->fix)
			continue;
		f = fix_type_find(check_types[i]->fix);
		if (!f)
			fail_msg("check type '%s' names the unknown fix '%s'",
				 check_types[i]->name, check_types[i]->fix);
		if (strcmp(f->check, check_types[i]->name))
			fail_msg("fix '%s' says it repairs '%s', but '%s' names "
				 "it", f->name, f->check, check_types[i]->name);
	}
}

static void test_every_fix_is_named_by_its_check_type(void **state)
{
	const struct check_type *t;
	size_t i, j;

	for (i = 0; fix_types[i]; i++) {
		const struct fix_type *f = fix_types[i];

		if (!valid_name(f->name) || !f->summary || !f->apply)
			fail_msg("fix '%s' lacks a valid name, summary or apply",
				 f->name);
		for (j = 0; j < i; j++)
			if (!strcmp(f->name, fix_types[j]->name))
				fail_msg("fix '%s' is listed twice", f->name);
		t = check_type_find(f->check);
		if (!t || !t->fix || strcmp(t->fix, f->name))
			fail_msg("fix '%s' repairs '%s', which does not name it",
				 f->name, f->check);
	}
}

static void test_report_formats_are_unique_and_found(void **state)
{
	size_t i, j;

	for (i = 0; report_formats[i]; i++) {
		assert_non_null(report_formats[i]->render);
		for (j = 0; j < i; j++)
			assert_string_not_equal(report_formats[i]->name,
						report_formats[j]->name);
		assert_ptr_equal(report_format_find(report_formats[i]->name),
				 report_formats[i]);
	}
	assert_non_null(report_format_find("text"));
	assert_non_null(report_format_find("json"));
	assert_null(report_format_find("yaml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_type_names_are_unique_and_lowercase),
		cmocka_unit_test(test_every_check_type_can_run_and_explain_itself),
		cmocka_unit_test(test_type_keys_are_unique_and_not_common),
		cmocka_unit_test(test_named_fixes_exist_and_repair_that_type),
		cmocka_unit_test(test_every_fix_is_named_by_its_check_type),
		cmocka_unit_test(test_report_formats_are_unique_and_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
