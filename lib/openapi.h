/*
 * Reading an API's OpenAPI 3.x or Swagger 2.0 document: its operations,
 * which operation a concrete request path reaches, the operations nearest
 * to a call that reaches none, and where an operation wants a named
 * parameter (query string or JSON body).
 *
 * The document is untrusted: every $ref is followed only inside the
 * document ("#/..."), a chain of $refs is cut at OPENAPI_MAX_DEPTH, and a
 * schema walk never enters a $ref it is already inside, so a cyclic
 * document costs a bounded amount of work.
 *
 * Usage: openapi_load(), then any of the lookups, then openapi_release().
 * Lookups only read the document; several threads may share one.
 */
#ifndef PREFLIGHT_OPENAPI_H
#define PREFLIGHT_OPENAPI_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* How deep $ref chains and nested schemas are followed. */
#define OPENAPI_MAX_DEPTH 32
#define OPENAPI_MAX_NEAREST 16

/* One operation: a method on a path template. Points into the document. */
struct openapi_op {
	char method[8];		/* upper case: "GET", "POST", ... */
	const char *path;	/* the template as written: "/items/{id}" */
	const cJSON *op;	/* the operation object */
	const cJSON *item;	/* its path item (shared parameters) */
};

struct openapi_doc {
	cJSON *root;		/* owned */
	int swagger2;		/* Swagger 2.0, else OpenAPI 3 */
	const char *version;	/* the "openapi" or "swagger" value */
	char *base_path;	/* basePath or servers[0] path, "" if none */
	struct openapi_op *ops;	/* owned array, document order */
	size_t nops;
};

enum openapi_load_err {
	OPENAPI_OK = 0,
	OPENAPI_NOT_JSON = -1,		/* the text does not parse */
	OPENAPI_NOT_OPENAPI = -2,	/* JSON, but not a usable document */
};

/*
 * Parses text[0..len) into doc. On failure returns an openapi_load_err and
 * sets *cause to a sentence saying why (the caller frees it). Either way
 * doc must be released afterwards.
 */
int openapi_load(struct openapi_doc *doc, const char *text, size_t len,
		 char **cause);
void openapi_release(struct openapi_doc *doc);

/*
 * 1 when a concrete path (no query string) fits the template: the same
 * number of segments, literal segments equal, and each templated segment
 * ("{id}", or "v{n}.json") filled by a non-empty value with the same
 * literal prefix and suffix. A concrete segment that is itself a
 * placeholder, "{item_id}" from a format string, fills any templated one.
 */
int openapi_path_match(const char *tmpl, const char *path);

/*
 * The operations whose template matches path (after removing the
 * document's base path when path starts with it), at most max of them,
 * into out. Literal templates come before templated ones, so /items/new
 * is found before /items/{id}. Returns how many were stored.
 */
size_t openapi_find(const struct openapi_doc *doc, const char *path,
		    const struct openapi_op **out, size_t max);

/* The operation for method (any case) and path, or NULL. */
const struct openapi_op *openapi_lookup(const struct openapi_doc *doc,
					const char *method, const char *path);

/*
 * How alike a call and an operation are, from 0 to 1: a weighted longest
 * common subsequence of path segments (equal segments count fully, a
 * templated segment or a near-spelling partly) scaled by both lengths,
 * with a small share for the method. method may be NULL (unknown).
 */
double openapi_similarity(const char *method, const char *path,
			  const struct openapi_op *op);

/*
 * The up to max (at most OPENAPI_MAX_NEAREST) operations most like the
 * call, best first, whose similarity is at least min_score. Returns how
 * many were stored.
 */
size_t openapi_nearest(const struct openapi_doc *doc, const char *method,
		       const char *path, double min_score,
		       const struct openapi_op **out, size_t max);

/*
 * Follows node's $ref chain inside the document. Returns the node it ends
 * at (node itself when it has no $ref), or NULL for a reference that is
 * external, dangling, cyclic or deeper than OPENAPI_MAX_DEPTH.
 */
const cJSON *openapi_resolve(const struct openapi_doc *doc,
			     const cJSON *node);

/* Where an operation takes a named parameter. */
enum openapi_where {
	OPENAPI_NOWHERE = 0,
	OPENAPI_IN_QUERY,
	OPENAPI_IN_PATH,
	OPENAPI_IN_HEADER,
	OPENAPI_IN_COOKIE,
	OPENAPI_IN_BODY,	/* a property of the JSON request body */
	OPENAPI_IN_FORM,	/* a form field (Swagger formData) */
};

const char *openapi_where_name(enum openapi_where w);

/* The declared, non-body parameter of that name, or OPENAPI_NOWHERE. */
enum openapi_where openapi_param_in(const struct openapi_doc *doc,
				    const struct openapi_op *op,
				    const char *name);

/* What an operation's JSON request body says about a property. */
enum openapi_body {
	OPENAPI_BODY_NONE = 0,	/* the operation takes no JSON body */
	OPENAPI_BODY_HAS,	/* the body schema declares the property */
	OPENAPI_BODY_LACKS,	/* it declares properties, not this one */
	OPENAPI_BODY_OPEN,	/* free-form or unresolvable: cannot tell */
};

/*
 * Looks name up among the body schema's properties, through $ref, allOf,
 * anyOf and oneOf, never entering a $ref twice on one walk.
 */
enum openapi_body openapi_body_prop(const struct openapi_doc *doc,
				    const struct openapi_op *op,
				    const char *name);

/*
 * The methods of every template matching path, as "GET, POST" (the caller
 * frees it), or NULL when no template matches.
 */
char *openapi_methods_of(const struct openapi_doc *doc, const char *path);

#endif
