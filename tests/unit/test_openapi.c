/*
 * lib/openapi: path templates, nearest-operation ranking, parameter
 * placement and $ref resolution, including documents whose references
 * loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../lib/openapi.h"

/* The incident's backend: the new sync route, a status route, items. */
static const char backend_doc[] =
	"{\"openapi\": \"3.1.0\", \"info\": {\"title\": \"t\", \"version\": \"1\"},"
	" \"paths\": {"
	"  \"/health\": {\"get\": {}},"
	"  \"/api/v1/sync/start\": {\"post\": {\"requestBody\": {\"content\":"
	"     {\"application/json\": {\"schema\":"
	"      {\"$ref\": \"#/components/schemas/SyncRequest\"}}}}}},"
	"  \"/api/v1/sync/status\": {\"get\": {\"parameters\": ["
	"     {\"name\": \"verbose\", \"in\": \"query\"}]}},"
	"  \"/items/{id}\": {\"get\": {}, \"delete\": {},"
	"     \"parameters\": [{\"$ref\": \"#/components/parameters/Id\"}]},"
	"  \"/items/new\": {\"post\": {}}"
	" },"
	" \"components\": {"
	"  \"parameters\": {\"Id\": {\"name\": \"id\", \"in\": \"path\"}},"
	"  \"schemas\": {"
	"   \"SyncRequest\": {\"allOf\": [{\"$ref\": \"#/components/schemas/Base\"},"
	"      {\"type\": \"object\", \"properties\": {\"max_emails\": {}}}]},"
	"   \"Base\": {\"properties\": {\"account\": {}}}"
	" }}}";

static int load_backend(void **state)
{
	struct openapi_doc *doc = calloc(1, sizeof(*doc));
	char *cause = NULL;

	assert_int_equal(openapi_load(doc, backend_doc, strlen(backend_doc),
				      &cause),
			 OPENAPI_OK);
	*state = doc;
	return 0;
}

static int release_doc(void **state)
{
	openapi_release(*state);
	free(*state);
	return 0;
}

static void test_path_templates_match_concrete_paths(void **state)
{
	static const struct {
		const char *tmpl, *path;
		int match;
	} cases[] = {
		{ "/items/{id}", "/items/42", 1 },
		{ "/items/{id}", "/items/", 0 },
		{ "/items/{id}", "/items/42/parts", 0 },
		{ "/items/{id}", "/items", 0 },
		{ "/items/{id}/parts/{p}", "/items/1/parts/2", 1 },
		{ "/files/{name}.json", "/files/a.json", 1 },
		{ "/files/{name}.json", "/files/a.xml", 0 },
		{ "/files/{name}.json", "/files/.json", 0 },
		{ "/items/{id}", "/items/{item_id}", 1 },
		{ "/items/new", "/items/{item_id}", 0 },
		{ "/health", "/health", 1 },
		{ "/health", "/Health", 0 },
		{ "/health", "/health/", 0 },
		{ "/", "/", 1 },
		{ "/api/v1/sync/start", "/api/v1/test/sync/start", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = openapi_path_match(cases[i].tmpl, cases[i].path);

		if (got != cases[i].match)
			fail_msg("%s vs %s: got %d", cases[i].tmpl,
				 cases[i].path, got);
	}
}

static void test_literal_template_is_found_before_templated(void **state)
{
	const struct openapi_op *ops[4];
	size_t n = openapi_find(*state, "/items/new", ops, 4);

	assert_int_equal(n, 3);
	assert_string_equal(ops[0]->path, "/items/new");
	assert_string_equal(ops[1]->path, "/items/{id}");
}

static void test_lookup_needs_method_and_path(void **state)
{
	assert_non_null(openapi_lookup(*state, "post", "/api/v1/sync/start"));
	assert_null(openapi_lookup(*state, "GET", "/api/v1/sync/start"));
	assert_non_null(openapi_lookup(*state, "DELETE", "/items/7"));
	assert_null(openapi_lookup(*state, "GET", "/nowhere"));
}

static void test_methods_of_a_path_are_listed_once(void **state)
{
	char *m = openapi_methods_of(*state, "/items/7");

	assert_string_equal(m, "GET, DELETE");
	free(m);
	assert_null(openapi_methods_of(*state, "/nowhere"));
}

static void test_nearest_operation_is_ranked_first(void **state)
{
	static const struct {
		const char *method, *path, *want_method, *want_path;
	} cases[] = {
		{ "GET", "/api/v1/test/sync/start", "POST", "/api/v1/sync/start" },
		{ NULL, "/api/v1/test/sync/start", "POST", "/api/v1/sync/start" },
		{ "GET", "/api/v1/sycn/status", "GET", "/api/v1/sync/status" },
		{ "GET", "/api/v2/sync/status", "GET", "/api/v1/sync/status" },
		{ "GET", "/item/42", "GET", "/items/{id}" },
		{ "GET", "/healthz", "GET", "/health" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct openapi_op *ops[3];
		size_t n = openapi_nearest(*state, cases[i].method,
					   cases[i].path, 0.3, ops, 3);

		if (!n || strcmp(ops[0]->method, cases[i].want_method) ||
		    strcmp(ops[0]->path, cases[i].want_path))
			fail_msg("%s: got %s %s", cases[i].path,
				 n ? ops[0]->method : "-",
				 n ? ops[0]->path : "-");
	}
}

static void test_unrelated_paths_are_not_suggested(void **state)
{
	const struct openapi_op *ops[3];

	assert_int_equal(openapi_nearest(*state, "GET", "/metrics/prom/x",
					 0.5, ops, 3),
			 0);
}

static void test_same_method_ranks_higher_on_equal_paths(void **state)
{
	const struct openapi_op *get = openapi_lookup(*state, "GET", "/items/1");
	const struct openapi_op *del =
		openapi_lookup(*state, "DELETE", "/items/1");

	assert_true(openapi_similarity("GET", "/items/1", get) >
		    openapi_similarity("GET", "/items/1", del));
}

static void test_parameters_are_found_where_declared(void **state)
{
	const struct openapi_op *status =
		openapi_lookup(*state, "GET", "/api/v1/sync/status");
	const struct openapi_op *item = openapi_lookup(*state, "GET", "/items/3");

	assert_int_equal(openapi_param_in(*state, status, "verbose"),
			 OPENAPI_IN_QUERY);
	assert_int_equal(openapi_param_in(*state, status, "max_emails"),
			 OPENAPI_NOWHERE);
	assert_int_equal(openapi_param_in(*state, item, "id"),
			 OPENAPI_IN_PATH);
}

static void test_body_properties_follow_refs_and_allof(void **state)
{
	const struct openapi_op *start =
		openapi_lookup(*state, "POST", "/api/v1/sync/start");
	const struct openapi_op *status =
		openapi_lookup(*state, "GET", "/api/v1/sync/status");

	assert_int_equal(openapi_body_prop(*state, start, "max_emails"),
			 OPENAPI_BODY_HAS);
	assert_int_equal(openapi_body_prop(*state, start, "account"),
			 OPENAPI_BODY_HAS);
	assert_int_equal(openapi_body_prop(*state, start, "max_mails"),
			 OPENAPI_BODY_LACKS);
	assert_int_equal(openapi_body_prop(*state, status, "max_emails"),
			 OPENAPI_BODY_NONE);
}

/* Loads text into a fresh document that the test releases. */
static void load_text(struct openapi_doc *doc, const char *text)
{
	char *cause = NULL;

	if (openapi_load(doc, text, strlen(text), &cause) != OPENAPI_OK)
		fail_msg("load: %s", cause);
}

static void test_ref_chains_resolve_and_cycles_end(void **state)
{
	static const char text[] =
		"{\"openapi\": \"3.0.3\", \"paths\": {},"
		" \"components\": {\"schemas\": {"
		"  \"A\": {\"$ref\": \"#/components/schemas/B\"},"
		"  \"B\": {\"$ref\": \"#/components/schemas/A\"},"
		"  \"C\": {\"$ref\": \"#/components/schemas/D\"},"
		"  \"D\": {\"type\": \"string\"},"
		"  \"a~b/c\": {\"type\": \"integer\"},"
		"  \"Self\": {\"$ref\": \"#/components/schemas/Self\"},"
		"  \"Far\": {\"$ref\": \"other.json#/x\"},"
		"  \"Gone\": {\"$ref\": \"#/components/schemas/Missing\"},"
		"  \"Esc\": {\"$ref\": \"#/components/schemas/a~0b~1c\"}"
		" }}}";
	static const struct {
		const char *name;
		const char *type;	/* NULL: unresolvable */
	} cases[] = {
		{ "A", NULL }, { "B", NULL }, { "Self", NULL },
		{ "C", "string" }, { "D", "string" }, { "Far", NULL },
		{ "Gone", NULL }, { "Esc", "integer" },
	};
	struct openapi_doc doc;
	size_t i;

	(void)state;
	load_text(&doc, text);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const cJSON *schemas = cJSON_GetObjectItem(
			cJSON_GetObjectItem(doc.root, "components"), "schemas");
		const cJSON *got = openapi_resolve(
			&doc, cJSON_GetObjectItem(schemas, cases[i].name));
		const cJSON *type = cJSON_GetObjectItem(got, "type");

		if (!cases[i].type && got)
			fail_msg("%s resolved", cases[i].name);
		if (cases[i].type &&
		    (!cJSON_IsString(type) ||
		     strcmp(type->valuestring, cases[i].type)))
			fail_msg("%s did not resolve to %s", cases[i].name,
				 cases[i].type);
	}
	openapi_release(&doc);
}

static void test_cyclic_body_schema_is_walked_once(void **state)
{
	static const char text[] =
		"{\"openapi\": \"3.0.3\", \"paths\": {\"/n\": {\"post\":"
		"  {\"requestBody\": {\"content\": {\"application/json\":"
		"   {\"schema\": {\"$ref\": \"#/components/schemas/Node\"}}}}}}},"
		" \"components\": {\"schemas\": {"
		"  \"Node\": {\"allOf\": [{\"$ref\": \"#/components/schemas/Mid\"}],"
		"           \"properties\": {\"name\": {}}},"
		"  \"Mid\": {\"anyOf\": [{\"$ref\": \"#/components/schemas/Node\"},"
		"           {\"properties\": {\"label\": {}}}]}"
		" }}}";
	struct openapi_doc doc;
	const struct openapi_op *op;

	(void)state;
	load_text(&doc, text);
	op = openapi_lookup(&doc, "POST", "/n");
	assert_non_null(op);
	assert_int_equal(openapi_body_prop(&doc, op, "label"),
			 OPENAPI_BODY_HAS);
	assert_int_equal(openapi_body_prop(&doc, op, "other"),
			 OPENAPI_BODY_LACKS);
	openapi_release(&doc);
}

static void test_free_form_body_cannot_be_judged(void **state)
{
	static const char text[] =
		"{\"openapi\": \"3.0.3\", \"paths\": {"
		" \"/a\": {\"post\": {\"requestBody\": {\"content\": {"
		"  \"application/json\": {\"schema\": {\"type\": \"object\"}}}}}},"
		" \"/b\": {\"post\": {\"requestBody\": {\"content\": {"
		"  \"application/json\": {\"schema\": {\"properties\": {\"x\": {}},"
		"   \"additionalProperties\": true}}}}}},"
		" \"/c\": {\"post\": {\"requestBody\": {\"content\": {"
		"  \"application/json\": {\"schema\":"
		"   {\"$ref\": \"#/nothing/here\"}}}}}}}}";
	static const char *const paths[] = { "/a", "/b", "/c" };
	struct openapi_doc doc;
	size_t i;

	(void)state;
	load_text(&doc, text);
	for (i = 0; i < 3; i++) {
		const struct openapi_op *op = openapi_lookup(&doc, "POST",
							     paths[i]);

		assert_int_equal(openapi_body_prop(&doc, op, "y"),
				 OPENAPI_BODY_OPEN);
	}
	openapi_release(&doc);
}

static void test_swagger2_body_and_base_path(void **state)
{
	static const char text[] =
		"{\"swagger\": \"2.0\", \"basePath\": \"/api/\", \"paths\": {"
		" \"/sync\": {\"post\": {\"parameters\": ["
		"  {\"name\": \"b\", \"in\": \"body\", \"schema\":"
		"   {\"$ref\": \"#/definitions/Req\"}},"
		"  {\"name\": \"dry\", \"in\": \"query\"}]}}},"
		" \"definitions\": {\"Req\": {\"properties\": {\"max_emails\": {}}}}}";
	struct openapi_doc doc;
	const struct openapi_op *op;

	(void)state;
	load_text(&doc, text);
	assert_int_equal(doc.swagger2, 1);
	assert_string_equal(doc.base_path, "/api");
	op = openapi_lookup(&doc, "POST", "/api/sync");
	assert_non_null(op);
	assert_non_null(openapi_lookup(&doc, "POST", "/sync"));
	assert_int_equal(openapi_body_prop(&doc, op, "max_emails"),
			 OPENAPI_BODY_HAS);
	assert_int_equal(openapi_param_in(&doc, op, "dry"), OPENAPI_IN_QUERY);
	assert_int_equal(openapi_param_in(&doc, op, "b"), OPENAPI_NOWHERE);
	openapi_release(&doc);
}

static void test_server_url_path_is_the_base_path(void **state)
{
	static const char text[] =
		"{\"openapi\": \"3.0.0\", \"servers\":"
		" [{\"url\": \"https://api.example.com:8443/v2/\"}],"
		" \"paths\": {\"/x\": {\"get\": {}}}}";
	struct openapi_doc doc;

	(void)state;
	load_text(&doc, text);
	assert_string_equal(doc.base_path, "/v2");
	assert_non_null(openapi_lookup(&doc, "GET", "/v2/x"));
	assert_null(openapi_lookup(&doc, "GET", "/v22/x"));
	openapi_release(&doc);
}

static void test_documents_that_are_not_openapi_are_refused(void **state)
{
	static const struct {
		const char *text;
		int rc;
		const char *cause_has;
	} cases[] = {
		{ "<html>docs</html>", OPENAPI_NOT_JSON, "JSON" },
		{ "", OPENAPI_NOT_JSON, "JSON" },
		{ "[1, 2]", OPENAPI_NOT_OPENAPI, "not an object" },
		{ "{\"status\": \"healthy\"}", OPENAPI_NOT_OPENAPI, "neither" },
		{ "{\"openapi\": \"3.0.0\"}", OPENAPI_NOT_OPENAPI, "paths" },
		{ "{\"openapi\": \"4.0\", \"paths\": {}}", OPENAPI_NOT_OPENAPI,
		  "not 3.x" },
		{ "{\"swagger\": \"1.2\", \"paths\": {}}", OPENAPI_NOT_OPENAPI,
		  "not 2.0" },
		{ "{\"openapi\": \"3.0.0\", \"paths\": {}}", OPENAPI_OK, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct openapi_doc doc;
		char *cause = NULL;
		int rc = openapi_load(&doc, cases[i].text,
				      strlen(cases[i].text), &cause);

		if (rc != cases[i].rc)
			fail_msg("%s: rc %d", cases[i].text, rc);
		if (cases[i].cause_has &&
		    (!cause || !strstr(cause, cases[i].cause_has)))
			fail_msg("%s: cause %s", cases[i].text,
				 cause ? cause : "(none)");
		free(cause);
		openapi_release(&doc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_templates_match_concrete_paths),
		cmocka_unit_test_setup_teardown(
			test_literal_template_is_found_before_templated,
			load_backend, release_doc),
		cmocka_unit_test_setup_teardown(test_lookup_needs_method_and_path,
						load_backend, release_doc),
		cmocka_unit_test_setup_teardown(
			test_methods_of_a_path_are_listed_once, load_backend,
			release_doc),
		cmocka_unit_test_setup_teardown(
			test_nearest_operation_is_ranked_first, load_backend,
			release_doc),
		cmocka_unit_test_setup_teardown(
			test_unrelated_paths_are_not_suggested, load_backend,
			release_doc),
		cmocka_unit_test_setup_teardown(
			test_same_method_ranks_higher_on_equal_paths,
			load_backend, release_doc),
		cmocka_unit_test_setup_teardown(
			test_parameters_are_found_where_declared, load_backend,
			release_doc),
		cmocka_unit_test_setup_teardown(
			test_body_properties_follow_refs_and_allof,
			load_backend, release_doc),
		cmocka_unit_test(test_ref_chains_resolve_and_cycles_end),
		cmocka_unit_test(test_cyclic_body_schema_is_walked_once),
		cmocka_unit_test(test_free_form_body_cannot_be_judged),
		cmocka_unit_test(test_swagger2_body_and_base_path),
		cmocka_unit_test(test_server_url_path_is_the_base_path),
		cmocka_unit_test(test_documents_that_are_not_openapi_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
