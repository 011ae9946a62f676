/*
 * Reads an OpenAPI or Swagger document so that the openapi check can tell a
 * person which of their client's calls the backend no longer serves, and
 * what it serves instead.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "openapi.h"
#include "../core/util.h"

#define MAX_SEGS 32

static const char *const http_methods[] = {
	"get", "put", "post", "delete", "options", "head", "patch", "trace",
};

/* ---- loading ------------------------------------------------------------- */

static void set_base_path(struct openapi_doc *doc)
{
	const cJSON *servers = cJSON_GetObjectItemCaseSensitive(doc->root,
								"servers");
	const cJSON *bp = cJSON_GetObjectItemCaseSensitive(doc->root,
							   "basePath");
	const char *s = cJSON_IsString(bp) ? bp->valuestring : "";
	size_t len;

	if (!doc->swagger2 && cJSON_IsArray(servers)) {
		const cJSON *url = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetArrayItem(servers, 0), "url");
		const char *scheme;

		s = cJSON_IsString(url) ? url->valuestring : "";
		scheme = strstr(s, "://");
		if (scheme) {
			s = strchr(scheme + 3, '/');
			if (!s)
				s = "";
		}
	}

	len = strcspn(s, "?#");
	while (len && s[len - 1] == '/')
		len--;
	doc->base_path = s[0] == '/' ? xstrndup(s, len) : xstrdup("");
}

static void add_op(struct openapi_doc *doc, size_t *alloc, const char *method,
		   const char *path, const cJSON *op, const cJSON *item)
{
	struct openapi_op *o;
	size_t i;

	if (doc->nops == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 16;
		doc->ops = xrealloc(doc->ops, *alloc * sizeof(*doc->ops));
	}

	o = &doc->ops[doc->nops++];
	for (i = 0; method[i] && i < sizeof(o->method) - 1; i++)
		o->method[i] = (char)toupper((unsigned char)method[i]);
	o->method[i] = '\0';
	o->path = path;
	o->op = op;
	o->item = item;
}

static void collect_ops(struct openapi_doc *doc, const cJSON *paths)
{
	const cJSON *entry;
	size_t alloc = 0, i;

	cJSON_ArrayForEach(entry, paths) {
		const cJSON *item = openapi_resolve(doc, entry);

		if (!cJSON_IsObject(item) || !entry->string)
			continue;
		for (i = 0; i < ARRAY_SIZE(http_methods); i++) {
			const cJSON *op = cJSON_GetObjectItemCaseSensitive(
				item, http_methods[i]);

			if (cJSON_IsObject(op))
				add_op(doc, &alloc, http_methods[i],
				       entry->string, op, item);
		}
	}
}

static int check_version(struct openapi_doc *doc, char **cause)
{
	const cJSON *v3 = cJSON_GetObjectItemCaseSensitive(doc->root,
							   "openapi");
	const cJSON *v2 = cJSON_GetObjectItemCaseSensitive(doc->root,
							   "swagger");

	if (cJSON_IsString(v3)) {
		doc->version = v3->valuestring;
		if (strncmp(doc->version, "3.", 2) == 0)
			return 0;
		*cause = xasprintf("OpenAPI version \"%.40s\" is not 3.x",
				   doc->version);
		return OPENAPI_NOT_OPENAPI;
	}
	if (cJSON_IsString(v2)) {
		doc->version = v2->valuestring;
		doc->swagger2 = 1;
		if (strncmp(doc->version, "2.", 2) == 0)
			return 0;
		*cause = xasprintf("Swagger version \"%.40s\" is not 2.0",
				   doc->version);
		return OPENAPI_NOT_OPENAPI;
	}

	*cause = xstrdup("it has neither an \"openapi\" nor a \"swagger\" "
			 "version field");
	return OPENAPI_NOT_OPENAPI;
}

int openapi_load(struct openapi_doc *doc, const char *text, size_t len,
		 char **cause)
{
	const cJSON *paths;
	int rc;

	memset(doc, 0, sizeof(*doc));
	*cause = NULL;

	doc->root = cJSON_ParseWithLength(text, len);
	if (!doc->root) {
		*cause = xstrdup("it does not parse as JSON");
		return OPENAPI_NOT_JSON;
	}
	if (!cJSON_IsObject(doc->root)) {
		*cause = xstrdup("it is JSON but not an object");
		return OPENAPI_NOT_OPENAPI;
	}

	rc = check_version(doc, cause);
	if (rc)
		return rc;

	paths = cJSON_GetObjectItemCaseSensitive(doc->root, "paths");
	if (!cJSON_IsObject(paths)) {
		*cause = xstrdup("it has no \"paths\" object");
		return OPENAPI_NOT_OPENAPI;
	}

	set_base_path(doc);
	collect_ops(doc, paths);
	return OPENAPI_OK;
}

void openapi_release(struct openapi_doc *doc)
{
	cJSON_Delete(doc->root);
	free(doc->base_path);
	free(doc->ops);
	memset(doc, 0, sizeof(*doc));
}

/* ---- paths --------------------------------------------------------------- */

struct seg {
	const char *s;
	size_t len;
};

/* Splits "/a/b/c" into its segments; a leading '/' opens no empty one. */
static size_t split_path(const char *path, struct seg *segs, size_t max)
{
	size_t n = 0;

	if (*path == '/')
		path++;
	while (n < max) {
		size_t len = strcspn(path, "/?#");

		segs[n].s = path;
		segs[n].len = len;
		n++;
		if (path[len] != '/')
			break;
		path += len + 1;
	}
	return n;
}

static int seg_is_param(const struct seg *t)
{
	return memchr(t->s, '{', t->len) != NULL;
}

static int seg_is_placeholder(const struct seg *c)
{
	return c->len >= 2 && c->s[0] == '{' && c->s[c->len - 1] == '}';
}

static int seg_match(const struct seg *t, const struct seg *c)
{
	const char *open, *close;
	size_t pre, suf;

	if (!seg_is_param(t))
		return t->len == c->len && memcmp(t->s, c->s, t->len) == 0;
	if (seg_is_placeholder(c))
		return 1;

	open = memchr(t->s, '{', t->len);
	close = t->s + t->len;
	while (close > open && close[-1] != '}')
		close--;
	pre = (size_t)(open - t->s);
	suf = (size_t)(t->s + t->len - close);

	return c->len > pre + suf && memcmp(c->s, t->s, pre) == 0 &&
	       memcmp(c->s + c->len - suf, close, suf) == 0;
}

int openapi_path_match(const char *tmpl, const char *path)
{
	struct seg t[MAX_SEGS], c[MAX_SEGS];
	size_t nt = split_path(tmpl, t, MAX_SEGS);
	size_t nc = split_path(path, c, MAX_SEGS);
	size_t i;

	if (nt != nc)
		return 0;
	for (i = 0; i < nt; i++)
		if (!seg_match(&t[i], &c[i]))
			return 0;
	return 1;
}

static size_t find_pass(const struct openapi_doc *doc, const char *path,
			int templated, const struct openapi_op **out,
			size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < doc->nops && n < max; i++) {
		const struct openapi_op *op = &doc->ops[i];

		if ((strchr(op->path, '{') != NULL) != templated)
			continue;
		if (openapi_path_match(op->path, path))
			out[n++] = op;
	}
	return n;
}

static size_t find_exact(const struct openapi_doc *doc, const char *path,
			 const struct openapi_op **out, size_t max)
{
	size_t n = find_pass(doc, path, 0, out, 0, max);

	return find_pass(doc, path, 1, out, n, max);
}

/* path with the document's base path removed, or NULL if it lacks it. */
static const char *strip_base(const struct openapi_doc *doc, const char *path)
{
	size_t len = strlen(doc->base_path);

	if (!len || strncmp(path, doc->base_path, len) != 0)
		return NULL;
	if (path[len] != '/' && path[len] != '\0')
		return NULL;
	return path[len] ? path + len : "/";
}

size_t openapi_find(const struct openapi_doc *doc, const char *path,
		    const struct openapi_op **out, size_t max)
{
	size_t n = find_exact(doc, path, out, max);
	const char *rest = strip_base(doc, path);

	if (!n && rest)
		n = find_exact(doc, rest, out, max);
	return n;
}

const struct openapi_op *openapi_lookup(const struct openapi_doc *doc,
					const char *method, const char *path)
{
	const struct openapi_op *found[64];
	size_t n = openapi_find(doc, path, found, ARRAY_SIZE(found));
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(found[i]->method, method) == 0)
			return found[i];
	return NULL;
}

char *openapi_methods_of(const struct openapi_doc *doc, const char *path)
{
	const struct openapi_op *found[64];
	size_t n = openapi_find(doc, path, found, ARRAY_SIZE(found));
	struct buf b = BUF_INIT;
	size_t i, j;

	if (!n)
		return NULL;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(found[j]->method, found[i]->method) == 0)
				break;
		if (j < i)
			continue;
		buf_addf(&b, "%s%s", b.len ? ", " : "", found[i]->method);
	}
	return buf_detach(&b);
}

/* ---- similarity ---------------------------------------------------------- */

/* Edit distance of two short strings (longer ones count as unlike). */
static size_t edit_distance(const char *a, size_t la, const char *b,
			    size_t lb)
{
	size_t row[65], i, j;

	if (la > 64 || lb > 64)
		return la > lb ? la : lb;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0], up;

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			int differ = tolower((unsigned char)a[i - 1]) !=
				     tolower((unsigned char)b[j - 1]);
			size_t best = diag + (size_t)differ;

			up = row[j];
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* How much a call's segment and a template's segment have in common. */
static double seg_score(const struct seg *c, const struct seg *t)
{
	size_t longest = c->len > t->len ? c->len : t->len;
	size_t d;

	if (seg_match(t, c))
		return seg_is_param(t) ? 0.6 : 1.0;
	if (seg_is_param(t) || longest < 4)
		return 0.0;

	d = edit_distance(c->s, c->len, t->s, t->len);
	if (d * 4 > longest)
		return 0.0;
	return 0.8 * (1.0 - (double)d / (double)longest);
}

/* The best total of segment scores over pairs taken in order on both sides. */
static double weighted_lcs(const struct seg *c, size_t nc, const struct seg *t,
			   size_t nt)
{
	double table[MAX_SEGS + 1][MAX_SEGS + 1];
	size_t i, j;

	for (i = 0; i <= nc; i++) {
		for (j = 0; j <= nt; j++) {
			double best = 0.0;

			if (i && j)
				best = table[i - 1][j - 1] +
				       seg_score(&c[i - 1], &t[j - 1]);
			if (i && table[i - 1][j] > best)
				best = table[i - 1][j];
			if (j && table[i][j - 1] > best)
				best = table[i][j - 1];
			table[i][j] = best;
		}
	}
	return table[nc][nt];
}

double openapi_similarity(const char *method, const char *path,
			  const struct openapi_op *op)
{
	struct seg c[MAX_SEGS], t[MAX_SEGS];
	size_t nc = split_path(path, c, MAX_SEGS);
	size_t nt = split_path(op->path, t, MAX_SEGS);
	double paths = 2.0 * weighted_lcs(c, nc, t, nt) / (double)(nc + nt);

	if (!method)
		return paths;
	return 0.9 * paths + (strcasecmp(method, op->method) ? 0.0 : 0.1);
}

size_t openapi_nearest(const struct openapi_doc *doc, const char *method,
		       const char *path, double min_score,
		       const struct openapi_op **out, size_t max)
{
	double scores[OPENAPI_MAX_NEAREST];
	size_t n = 0, i, k;

	if (max > OPENAPI_MAX_NEAREST)
		max = OPENAPI_MAX_NEAREST;
	for (i = 0; i < doc->nops && max; i++) {
		double s = openapi_similarity(method, path, &doc->ops[i]);

		if (s < min_score || (n == max && s <= scores[n - 1]))
			continue;
		k = n < max ? n++ : n - 1;
		while (k > 0 && scores[k - 1] < s) {
			scores[k] = scores[k - 1];
			out[k] = out[k - 1];
			k--;
		}
		scores[k] = s;
		out[k] = &doc->ops[i];
	}
	return n;
}

/* ---- references ---------------------------------------------------------- */

/* Copies one JSON-pointer token, undoing ~1, ~0 and %XX escapes. */
static size_t pointer_token(const char *p, char *out, size_t max)
{
	size_t n = 0;

	while (*p && *p != '/' && n + 1 < max) {
		if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
			out[n++] = p[1] == '1' ? '/' : '~';
			p += 2;
		} else if (p[0] == '%' && isxdigit((unsigned char)p[1]) &&
			   isxdigit((unsigned char)p[2])) {
			char hex[3] = { p[1], p[2], '\0' };

			out[n++] = (char)strtol(hex, NULL, 16);
			p += 3;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return n;
}

static const cJSON *pointer_get(const cJSON *root, const char *ptr)
{
	const cJSON *node = root;
	char tok[256];

	while (node && *ptr == '/') {
		ptr++;
		pointer_token(ptr, tok, sizeof(tok));
		ptr += strcspn(ptr, "/");
		if (cJSON_IsArray(node))
			node = isdigit((unsigned char)tok[0]) ?
				       cJSON_GetArrayItem(node, atoi(tok)) :
				       NULL;
		else
			node = cJSON_GetObjectItemCaseSensitive(node, tok);
	}
	return *ptr ? NULL : node;
}

static const char *str_of(const cJSON *node, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(node, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *ref_of(const cJSON *node)
{
	return str_of(node, "$ref");
}

/* One hop: the target of a local reference, or NULL. */
static const cJSON *ref_target(const struct openapi_doc *doc,
			       const char *ref)
{
	if (ref[0] != '#')
		return NULL;
	return pointer_get(doc->root, ref + 1);
}

const cJSON *openapi_resolve(const struct openapi_doc *doc,
			     const cJSON *node)
{
	const char *ref;
	int depth = 0;

	while (node && (ref = ref_of(node)) != NULL) {
		if (++depth > OPENAPI_MAX_DEPTH)
			return NULL;
		node = ref_target(doc, ref);
	}
	return node;
}

/* ---- parameters ---------------------------------------------------------- */

const char *openapi_where_name(enum openapi_where w)
{
	static const char *const names[] = {
		"nowhere", "query", "path", "header", "cookie", "body", "form",
	};

	return (size_t)w < ARRAY_SIZE(names) ? names[w] : "nowhere";
}

static enum openapi_where where_from(const char *in)
{
	static const struct {
		const char *in;
		enum openapi_where w;
	} map[] = {
		{ "query", OPENAPI_IN_QUERY }, { "path", OPENAPI_IN_PATH },
		{ "header", OPENAPI_IN_HEADER },
		{ "cookie", OPENAPI_IN_COOKIE },
		{ "formData", OPENAPI_IN_FORM },
	};
	size_t i;

	for (i = 0; in && i < ARRAY_SIZE(map); i++)
		if (strcmp(in, map[i].in) == 0)
			return map[i].w;
	return OPENAPI_NOWHERE;
}

static enum openapi_where param_in_list(const struct openapi_doc *doc,
					const cJSON *list, const char *name)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, list) {
		const cJSON *param = openapi_resolve(doc, p);
		const char *pname = str_of(param, "name");
		enum openapi_where w;

		if (!pname || strcmp(pname, name) != 0)
			continue;
		w = where_from(str_of(param, "in"));
		if (w != OPENAPI_NOWHERE)
			return w;
	}
	return OPENAPI_NOWHERE;
}

enum openapi_where openapi_param_in(const struct openapi_doc *doc,
				    const struct openapi_op *op,
				    const char *name)
{
	enum openapi_where w = param_in_list(
		doc, cJSON_GetObjectItemCaseSensitive(op->op, "parameters"),
		name);

	if (w != OPENAPI_NOWHERE)
		return w;
	return param_in_list(
		doc, cJSON_GetObjectItemCaseSensitive(op->item, "parameters"),
		name);
}

/* ---- request bodies ------------------------------------------------------ */

/* The $refs a schema walk is inside, so it never enters one twice. */
struct ref_stack {
	const char *refs[OPENAPI_MAX_DEPTH];
	int n;
};

static int stack_has(const struct ref_stack *st, const char *ref)
{
	int i;

	for (i = 0; i < st->n; i++)
		if (strcmp(st->refs[i], ref) == 0)
			return 1;
	return 0;
}

static enum openapi_body walk_schema(const struct openapi_doc *doc,
				     const cJSON *schema, const char *name,
				     struct ref_stack *st);

/* Combines what two branches found: has beats open beats lacks. */
static enum openapi_body body_merge(enum openapi_body a, enum openapi_body b)
{
	if (a == OPENAPI_BODY_HAS || b == OPENAPI_BODY_HAS)
		return OPENAPI_BODY_HAS;
	if (a == OPENAPI_BODY_OPEN || b == OPENAPI_BODY_OPEN)
		return OPENAPI_BODY_OPEN;
	return OPENAPI_BODY_LACKS;
}

static enum openapi_body walk_ref(const struct openapi_doc *doc,
				  const char *ref, const char *name,
				  struct ref_stack *st)
{
	enum openapi_body found;

	if (stack_has(st, ref))
		return OPENAPI_BODY_LACKS;
	if (st->n == OPENAPI_MAX_DEPTH)
		return OPENAPI_BODY_OPEN;

	st->refs[st->n++] = ref;
	found = walk_schema(doc, ref_target(doc, ref), name, st);
	st->n--;
	return found;
}

static enum openapi_body walk_combined(const struct openapi_doc *doc,
				       const cJSON *schema, const char *name,
				       struct ref_stack *st, int *any)
{
	static const char *const keys[] = { "allOf", "anyOf", "oneOf" };
	enum openapi_body found = OPENAPI_BODY_LACKS;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(schema,
								     keys[i]);
		const cJSON *sub;

		cJSON_ArrayForEach(sub, list) {
			*any = 1;
			found = body_merge(found,
					   walk_schema(doc, sub, name, st));
		}
	}
	return found;
}

/* Additional properties allowed explicitly: anything may be sent. */
static int open_ended(const cJSON *schema)
{
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(
		schema, "additionalProperties");

	return cJSON_IsTrue(extra) || cJSON_IsObject(extra);
}

static enum openapi_body walk_schema(const struct openapi_doc *doc,
				     const cJSON *schema, const char *name,
				     struct ref_stack *st)
{
	const cJSON *props;
	const char *ref, *type;
	enum openapi_body found;
	int any = 0;

	if (!cJSON_IsObject(schema))
		return OPENAPI_BODY_OPEN;
	ref = ref_of(schema);
	if (ref)
		return walk_ref(doc, ref, name, st);

	props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
	if (cJSON_GetObjectItemCaseSensitive(props, name))
		return OPENAPI_BODY_HAS;

	found = walk_combined(doc, schema, name, st, &any);
	if (found == OPENAPI_BODY_HAS)
		return found;
	if (open_ended(schema))
		return OPENAPI_BODY_OPEN;
	if (cJSON_IsObject(props) || any)
		return found;

	type = str_of(schema, "type");
	return type && strcmp(type, "object") != 0 ? OPENAPI_BODY_LACKS :
						     OPENAPI_BODY_OPEN;
}

/* The JSON media type's schema of an OpenAPI 3 request body, or NULL. */
static const cJSON *json_body_schema(const struct openapi_doc *doc,
				     const cJSON *body)
{
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(
		openapi_resolve(doc, body), "content");
	const cJSON *media;

	cJSON_ArrayForEach(media, content) {
		if (media->string && strstr(media->string, "json"))
			return cJSON_GetObjectItemCaseSensitive(media,
								"schema");
	}
	return NULL;
}

/* The schema of a Swagger 2 "in": "body" parameter, or NULL. */
static const cJSON *swagger_body_schema(const struct openapi_doc *doc,
					const cJSON *list)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, list) {
		const cJSON *param = openapi_resolve(doc, p);
		const char *in = str_of(param, "in");

		if (in && strcmp(in, "body") == 0)
			return cJSON_GetObjectItemCaseSensitive(param,
								"schema");
	}
	return NULL;
}

static const cJSON *body_schema(const struct openapi_doc *doc,
				const struct openapi_op *op, int *has_body)
{
	const cJSON *schema;

	if (!doc->swagger2) {
		const cJSON *body = cJSON_GetObjectItemCaseSensitive(
			op->op, "requestBody");

		*has_body = body != NULL;
		return json_body_schema(doc, body);
	}

	schema = swagger_body_schema(
		doc, cJSON_GetObjectItemCaseSensitive(op->op, "parameters"));
	if (!schema)
		schema = swagger_body_schema(
			doc, cJSON_GetObjectItemCaseSensitive(op->item,
							      "parameters"));
	*has_body = schema != NULL;
	return schema;
}

enum openapi_body openapi_body_prop(const struct openapi_doc *doc,
				    const struct openapi_op *op,
				    const char *name)
{
	struct ref_stack st = { .n = 0 };
	int has_body = 0;
	const cJSON *schema = body_schema(doc, op, &has_body);

	if (!schema)
		return has_body ? OPENAPI_BODY_OPEN : OPENAPI_BODY_NONE;
	return walk_schema(doc, schema, name, &st);
}
