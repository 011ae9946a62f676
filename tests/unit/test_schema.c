/*
 * docs/schema/config.schema.json agrees with the check registry: every
 * type the schema describes is registered, with exactly the keys its
 * key_spec table accepts and the same required keys, so an editor that
 * validates against the schema accepts what preflight accepts.
 *
 * A registered type the schema does not describe yet is reported on
 * stderr, not failed: check modules land in parallel with the schema.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/check.h"
#include "../../core/util.h"

#define SCHEMA "docs/schema/config.schema.json"

static int schema_setup(void **state)
{
	size_t len;
	char *text = read_file(SCHEMA, 0, &len);
	cJSON *root;

	if (!text) {
		fprintf(stderr, "cannot read %s (run from the repository "
			"root)\n", SCHEMA);
		return -1;
	}
	root = cJSON_ParseWithLength(text, len);
	free(text);
	if (!root)
		return -1;
	*state = root;
	return 0;
}

static int schema_teardown(void **state)
{
	cJSON_Delete(*state);
	return 0;
}

static const cJSON *schema_def(void **state, const char *name)
{
	const cJSON *defs = cJSON_GetObjectItem(*state, "$defs");

	return cJSON_GetObjectItem(defs, name);
}

static const cJSON *schema_type_enum(void **state)
{
	const cJSON *check = schema_def(state, "check");
	const cJSON *props = cJSON_GetObjectItem(check, "properties");

	return cJSON_GetObjectItem(cJSON_GetObjectItem(props, "type"), "enum");
}

/* The $defs entry describing a check type's own keys, or NULL. */
static const cJSON *schema_type_def(void **state, const char *type)
{
	char name[128];

	snprintf(name, sizeof(name), "type_%s", type);
	return schema_def(state, name);
}

static int in_string_array(const cJSON *arr, const char *s)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, arr)
		if (cJSON_IsString(v) && !strcmp(v->valuestring, s))
			return 1;
	return 0;
}

static void test_every_schema_type_is_registered(void **state)
{
	const cJSON *v;

	assert_non_null(schema_type_enum(state));
	cJSON_ArrayForEach(v, schema_type_enum(state)) {
		if (!check_type_find(v->valuestring))
			fail_msg("%s names type '%s', which is not in "
				 "checks/registry.c", SCHEMA, v->valuestring);
		if (!schema_type_def(state, v->valuestring))
			fail_msg("%s lists type '%s' without $defs/type_%s",
				 SCHEMA, v->valuestring, v->valuestring);
	}
}

/* The allOf branch "if type is NAME then $defs/type_NAME" exists. */
static int schema_dispatches(void **state, const char *type)
{
	const cJSON *all = cJSON_GetObjectItem(schema_def(state, "check"),
					       "allOf");
	char ref[160];
	const cJSON *b;

	snprintf(ref, sizeof(ref), "#/$defs/type_%s", type);
	cJSON_ArrayForEach(b, all) {
		const cJSON *cond = cJSON_GetObjectItem(b, "if");
		const cJSON *t = cJSON_GetObjectItem(
			cJSON_GetObjectItem(cond, "properties"), "type");
		const char *c = cJSON_GetStringValue(
			cJSON_GetObjectItem(t, "const"));
		const char *r = cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetObjectItem(b, "then"), "$ref"));

		if (c && r && !strcmp(c, type) && !strcmp(r, ref))
			return 1;
	}
	return 0;
}

static void check_keys_match(const struct check_type *t, const cJSON *def)
{
	const cJSON *props = cJSON_GetObjectItem(def, "properties");
	const cJSON *required = cJSON_GetObjectItem(def, "required");
	const struct key_spec *k;
	const cJSON *p;
	size_t n = 0;

	for (k = t->keys; k && k->name; k++, n++) {
		if (!cJSON_GetObjectItem(props, k->name))
			fail_msg("type '%s': key '%s' is missing from %s",
				 t->name, k->name, SCHEMA);
		if (!!k->required != in_string_array(required, k->name))
			fail_msg("type '%s': key '%s' is %srequired in %s",
				 t->name, k->name, k->required ? "not " : "",
				 SCHEMA);
	}
	cJSON_ArrayForEach(p, props) {
		for (k = t->keys; k && k->name; k++)
			if (!strcmp(k->name, p->string))
				break;
		if (!k || !k->name)
			fail_msg("type '%s': %s allows key '%s', which the "
				 "type refuses", t->name, SCHEMA, p->string);
	}
	assert_int_equal(cJSON_GetArraySize(props), n);
}

static void test_described_types_have_the_registered_keys(void **state)
{
	size_t i;

	for (i = 0; check_types[i]; i++) {
		const struct check_type *t = check_types[i];
		const cJSON *def = schema_type_def(state, t->name);

		if (!def) {
			fprintf(stderr, "note: %s does not describe check "
				"type '%s' yet\n", SCHEMA, t->name);
			continue;
		}
		if (!in_string_array(schema_type_enum(state), t->name))
			fail_msg("%s: type '%s' is missing from the type enum",
				 SCHEMA, t->name);
		if (!schema_dispatches(state, t->name))
			fail_msg("%s: no allOf branch sends type '%s' to "
				 "$defs/type_%s", SCHEMA, t->name, t->name);
		check_keys_match(t, def);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_schema_type_is_registered),
		cmocka_unit_test(test_described_types_have_the_registered_keys),
	};

	return cmocka_run_group_tests(tests, schema_setup, schema_teardown);
}
