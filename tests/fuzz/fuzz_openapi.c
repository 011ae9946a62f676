/*
 * Fuzzes the OpenAPI reader: any bytes as a served document, then every
 * query the openapi check makes of each operation ($ref cycles included).
 */
#include "fuzz.h"
#include "../../lib/openapi.h"

static void query(const struct openapi_doc *doc, const struct openapi_op *op)
{
	const struct openapi_op *near[4];
	char *methods;

	openapi_resolve(doc, op->op);
	openapi_param_in(doc, op, "id");
	openapi_body_prop(doc, op, "name");
	openapi_similarity("POST", "/items/1", op);
	openapi_path_match(op->path, "/items/1/x");
	openapi_nearest(doc, op->method, op->path, 0.1, near, 4);
	methods = openapi_methods_of(doc, op->path);
	free(methods);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct openapi_doc doc;
	const struct openapi_op *found[4];
	char *cause = NULL;
	size_t i;

	memset(&doc, 0, sizeof(doc));
	if (openapi_load(&doc, (const char *)data, size, &cause) == 0) {
		openapi_find(&doc, "/items/1", found, 4);
		openapi_lookup(&doc, "get", "/health");
		for (i = 0; i < doc.nops; i++)
			query(&doc, &doc.ops[i]);
	}
	openapi_release(&doc);
	free(cause);
	return 0;
}
