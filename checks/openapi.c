/*
 * openapi: does the backend still serve the calls its clients make? A
 * worker calling a route that moved fails only when it runs; this reads
 * the backend's OpenAPI document and names every call it no longer has,
 * with the operation that was probably meant and the file and line.
 */
#include <ctype.h>
#include <stdarg.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/check.h"
#include "../core/util.h"
#include "../lib/fetch.h"
#include "../lib/openapi.h"
#include "../lib/srcscan.h"

#define DEFAULT_MAX_BODY (8 << 20)
#define DEFAULT_MAX_FILES 200
#define DEFAULT_MAX_FILE_BYTES (1 << 20)
#define NEAREST_MIN 0.5
#define MAX_FINDINGS 100
#define EXCERPT_MAX 120

/* One call the client makes, from the config or found in its sources. */
struct call {
	const char *where;	/* "endpoints[0]" or "client.py:12" */
	const char *method;	/* upper case, or NULL: unknown */
	const char *path;	/* no query string */
	char *const *query;	/* NULL-ended names, or NULL */
	char *const *body;
};

struct endpoint {
	char *where;
	char *method;
	char *path;
	char **query;
	char **body;
};

struct openapi_state {
	char *url;
	char *base_url;		/* what the sources' URLs start with */
	char *base_dir;
	struct endpoint *eps;
	size_t neps;
	char **sources;		/* files and globs, NULL-ended */
	long max_body;
	size_t max_files;
	size_t max_file_bytes;
};

/* ---- config -------------------------------------------------------------- */

static void endpoint_release(struct endpoint *ep)
{
	free(ep->where);
	free(ep->method);
	free(ep->path);
	strv_free(ep->query);
	strv_free(ep->body);
}

static void openapi_release_state(void *state)
{
	struct openapi_state *st = state;
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->neps; i++)
		endpoint_release(&st->eps[i]);
	free(st->eps);
	free(st->url);
	free(st->base_url);
	free(st->base_dir);
	strv_free(st->sources);
	free(st);
}

static int valid_method(char *m)
{
	size_t i;

	for (i = 0; m[i]; i++) {
		if (!isalpha((unsigned char)m[i]) || i > 7)
			return 0;
		m[i] = (char)toupper((unsigned char)m[i]);
	}
	return i > 0;
}

/* Splits "/p?a=1&b" into ep->path and query names appended to ep->query. */
static void set_path(struct endpoint *ep, const char *p)
{
	const char *q = strchr(p, '?');
	size_t n = strv_len(ep->query);

	ep->path = xstrndup(p, q ? (size_t)(q - p) : strlen(p));
	while (q && *q++) {
		size_t len = strcspn(q, "=&#");

		if (len) {
			ep->query = xrealloc(ep->query,
					     (n + 2) * sizeof(char *));
			ep->query[n++] = xstrndup(q, len);
			ep->query[n] = NULL;
		}
		q = strchr(q, '&');
	}
}

static int parse_string_endpoint(struct conf_ctx *cc, const cJSON *v,
				 struct endpoint *ep)
{
	const char *s = v->valuestring;
	const char *sp = strchr(s, ' ');

	if (sp) {
		ep->method = xstrndup(s, (size_t)(sp - s));
		while (*sp == ' ')
			sp++;
		s = sp;
		if (!valid_method(ep->method))
			return conf_error(cc, v, "key 'endpoints': \"%s\" "
					  "must be \"METHOD /path\", for "
					  "example \"POST /api/v1/items\"",
					  v->valuestring);
	}
	if (s[0] != '/')
		return conf_error(cc, v, "key 'endpoints': the path in \"%s\" "
				  "must start with /", v->valuestring);
	set_path(ep, s);
	return 0;
}

static int names_list(struct conf_ctx *cc, const cJSON *obj, const char *key,
		      char ***out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		return 0;
	if (!cJSON_IsArray(v))
		return conf_error(cc, v, "key 'endpoints.%s' must be a list of "
				  "parameter names", key);
	return conf_strv(cc, v, key, out);
}

static int parse_object_endpoint(struct conf_ctx *cc, const cJSON *v,
				 struct endpoint *ep)
{
	const cJSON *k, *path = cJSON_GetObjectItemCaseSensitive(v, "path");
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(v, "method");
	char **query = NULL;

	cJSON_ArrayForEach(k, v) {
		if (strcmp(k->string, "method") && strcmp(k->string, "path") &&
		    strcmp(k->string, "query") && strcmp(k->string, "body"))
			return conf_error(cc, k, "unknown key 'endpoints.%s' "
					  "(known: method, path, query, body)",
					  k->string);
	}
	if (!cJSON_IsString(path) || path->valuestring[0] != '/')
		return conf_error(cc, path ? path : v, "key 'endpoints.path' "
				  "must be a string starting with /");
	if (method)
		ep->method = xstrdup(cJSON_IsString(method) ?
					     method->valuestring : "");
	if (method && !valid_method(ep->method))
		return conf_error(cc, method, "key 'endpoints.method' must be "
				  "an HTTP method such as GET or POST");

	if (names_list(cc, v, "query", &query) < 0 ||
	    names_list(cc, v, "body", &ep->body) < 0) {
		strv_free(query);
		return -1;
	}
	ep->query = query;
	set_path(ep, path->valuestring);
	return 0;
}

static int prepare_endpoints(struct conf_ctx *cc, const cJSON *obj,
			     struct openapi_state *st)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, "endpoints");
	const cJSON *v;
	int rc;

	st->eps = xcalloc((size_t)cJSON_GetArraySize(list) + 1,
			  sizeof(*st->eps));
	cJSON_ArrayForEach(v, list) {
		struct endpoint *ep = &st->eps[st->neps];

		ep->where = xasprintf("endpoints[%zu]", st->neps);
		st->neps++;
		if (cJSON_IsString(v))
			rc = parse_string_endpoint(cc, v, ep);
		else if (cJSON_IsObject(v))
			rc = parse_object_endpoint(cc, v, ep);
		else
			rc = conf_error(cc, v, "key 'endpoints': each entry "
					"must be \"METHOD /path\" or an object "
					"{method, path, query, body}");
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int prepare_sources(struct conf_ctx *cc, const cJSON *obj,
			   struct openapi_state *st)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "sources");

	if (!v)
		return 0;
	if (cJSON_IsString(v)) {
		st->sources = xcalloc(2, sizeof(char *));
		st->sources[0] = xstrdup(v->valuestring);
		return 0;
	}
	return conf_strv(cc, v, "sources", &st->sources);
}

/* "http://host:port" of url: the default base of the sources' URLs. */
static char *origin_of(const char *url)
{
	const char *auth = strstr(url, "://") + 3;

	return xstrndup(url, (size_t)(auth - url) + strcspn(auth, "/?#"));
}

static int prepare_limits(struct conf_ctx *cc, const cJSON *obj,
			  struct openapi_state *st)
{
	double files = conf_num(obj, "max_files", DEFAULT_MAX_FILES);
	double bytes = conf_num(obj, "max_file_bytes", DEFAULT_MAX_FILE_BYTES);
	double body = conf_num(obj, "max_body", DEFAULT_MAX_BODY);

	if (files < 1 || bytes < 1 || body < 1)
		return conf_error(cc, obj, "keys 'max_files', 'max_file_bytes' "
				  "and 'max_body' must be positive numbers");
	st->max_files = (size_t)files;
	st->max_file_bytes = (size_t)bytes;
	st->max_body = (long)body;
	return 0;
}

static int openapi_prepare(struct conf_ctx *cc, const cJSON *obj,
			   void **state)
{
	struct openapi_state *st = xcalloc(1, sizeof(*st));
	const char *url = conf_str(obj, "url", "");
	const char *base = conf_str(obj, "base_url", NULL);

	*state = st;
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return conf_error(cc, cJSON_GetObjectItem(obj, "url"), "key "
				  "'url' must start with http:// or https://");
	if (base && strncmp(base, "http://", 7) && strncmp(base, "https://", 8))
		return conf_error(cc, cJSON_GetObjectItem(obj, "base_url"),
				  "key 'base_url' must start with http:// or "
				  "https://");
	st->url = xstrdup(url);
	st->base_url = base ? xstrdup(base) : origin_of(url);
	st->base_dir = xstrdup(conf_base_dir(cc));

	if (prepare_limits(cc, obj, st) < 0 ||
	    prepare_endpoints(cc, obj, st) < 0)
		return -1;
	return prepare_sources(cc, obj, st);
}

/* ---- fetching the document ----------------------------------------------- */

static void fetch_failed(const struct openapi_state *st,
			 struct fetch_reply *rep, struct result *res)
{
	if (rep->error == FETCH_TIMEOUT)
		result_fail(res, "the API document at %s did not arrive within "
			    "the %.1f s deadline: %s", st->url, rep->budget_s,
			    rep->detail);
	else if (rep->error == FETCH_TOO_LARGE)
		result_fail(res, "the API document at %s is larger than the "
			    "%ld-byte limit", st->url, st->max_body);
	else
		result_fail(res, "the API document at %s is unreachable: %s",
			    st->url, fetch_error_phrase(rep));
	result_hint(res, "start the backend, or check the URL; FastAPI serves "
		    "the document at /openapi.json unless openapi_url is "
		    "changed");
}

/* Gets the document into rep->body; 0 on a 2xx, else the failure recorded. */
static int fetch_document(const struct openapi_state *st,
			  const struct check_ctx *ctx, struct fetch_reply *rep,
			  struct result *res)
{
	struct fetch_req req = {
		.url = st->url,
		.max_body = (size_t)st->max_body,
		.deadline = ctx->deadline,
	};

	if (fetch(&req, rep) < 0) {
		fetch_failed(st, rep, res);
		return -1;
	}
	if (rep->status < 200 || rep->status > 299) {
		result_fail(res, "the API document at %s answered HTTP %ld, "
			    "not the document", st->url, rep->status);
		result_hint(res, "check the URL; a backend built with "
			    "openapi_url=None serves no document");
		return -1;
	}
	return 0;
}

/* The body's first words with white space runs collapsed, sanitized. */
static char *excerpt(const struct buf *body)
{
	char flat[EXCERPT_MAX * 2];
	size_t i, n = 0;

	for (i = 0; i < body->len && n < sizeof(flat) - 1; i++) {
		int space = isspace((unsigned char)body->data[i]);

		if (space && (!n || flat[n - 1] == ' '))
			continue;
		flat[n++] = space ? ' ' : body->data[i];
	}
	return result_clean(flat, n, EXCERPT_MAX);
}

static int load_doc(const struct openapi_state *st, struct buf *body,
		    struct openapi_doc *doc, struct result *res)
{
	char *cause = NULL, *ex;
	int rc = openapi_load(doc, buf_cstr(body), body->len, &cause);

	if (rc == OPENAPI_NOT_JSON) {
		ex = excerpt(body);
		result_fail(res, "the API document at %s is not JSON: it "
			    "begins \"%s\"", st->url, ex);
		result_hint(res, "point 'url' at the JSON document "
			    "(/openapi.json), not the /docs page");
		free(ex);
	} else if (rc == OPENAPI_NOT_OPENAPI) {
		result_fail(res, "%s is JSON but not an OpenAPI document: %s",
			    st->url, cause);
		result_hint(res, "point 'url' at the OpenAPI document; "
			    "FastAPI serves it at /openapi.json");
	}
	free(cause);
	return rc;
}

/* ---- judging calls ------------------------------------------------------- */

struct judge {
	const struct openapi_doc *doc;
	cJSON *findings;
	size_t count;		/* findings, including ones not kept */
	char *first;		/* message of the first finding */
	size_t calls;
};

static void finding(struct judge *j, const struct call *c, const char *kind,
		    const char *suggestion, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void finding(struct judge *j, const struct call *c, const char *kind,
		    const char *suggestion, const char *fmt, ...)
{
	cJSON *f;
	char *msg, *clean;
	va_list ap;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (!j->first)
		j->first = xasprintf("%s: %s", c->where, msg);
	if (j->count++ >= MAX_FINDINGS) {
		free(msg);
		return;
	}

	f = cJSON_CreateObject();
	clean = result_clean(c->where, strlen(c->where), 300);
	cJSON_AddStringToObject(f, "where", clean);
	free(clean);
	cJSON_AddStringToObject(f, "kind", kind);
	clean = result_clean(msg, strlen(msg), 1000);
	cJSON_AddStringToObject(f, "message", clean);
	free(clean);
	if (suggestion) {
		clean = result_clean(suggestion, strlen(suggestion), 300);
		cJSON_AddStringToObject(f, "suggestion", clean);
		free(clean);
	}
	cJSON_AddItemToArray(j->findings, f);
	free(msg);
}

/* "METHOD /path", or just the path when the method is unknown. */
static char *call_label(const struct call *c)
{
	return c->method ? xasprintf("%s %s", c->method, c->path) :
			   xstrdup(c->path);
}

static char *op_label(const struct openapi_op *op)
{
	return xasprintf("%s %s", op->method, op->path);
}

static void judge_query(struct judge *j, const struct call *c,
			const struct openapi_op *op, const char *name)
{
	enum openapi_where w = openapi_param_in(j->doc, op, name);
	char *label;

	if (w == OPENAPI_IN_QUERY)
		return;
	label = op_label(op);
	if (w == OPENAPI_NOWHERE &&
	    openapi_body_prop(j->doc, op, name) == OPENAPI_BODY_HAS)
		finding(j, c, "query-wants-body", NULL, "'%s' is sent in the "
			"query string, but %s expects it in the JSON body",
			name, label);
	else if (w != OPENAPI_NOWHERE)
		finding(j, c, "query-wants-other", NULL, "'%s' is sent in the "
			"query string, but %s expects it in the %s", name,
			label, openapi_where_name(w));
	else
		finding(j, c, "unknown-query", NULL, "'%s' is not a query "
			"parameter of %s", name, label);
	free(label);
}

static void judge_body(struct judge *j, const struct call *c,
		       const struct openapi_op *op, const char *name)
{
	enum openapi_body b = openapi_body_prop(j->doc, op, name);
	enum openapi_where w;
	char *label;

	if (b == OPENAPI_BODY_HAS || b == OPENAPI_BODY_OPEN)
		return;
	w = openapi_param_in(j->doc, op, name);
	label = op_label(op);
	if (w != OPENAPI_NOWHERE)
		finding(j, c, "body-wants-other", NULL, "'%s' is sent in the "
			"JSON body, but %s expects it in the %s", name, label,
			openapi_where_name(w));
	else if (b == OPENAPI_BODY_NONE)
		finding(j, c, "no-body", NULL, "'%s' is sent in a JSON body, "
			"but %s takes no JSON body", name, label);
	else
		finding(j, c, "unknown-body", NULL, "'%s' is not a field of "
			"the JSON body of %s", name, label);
	free(label);
}

static void judge_params(struct judge *j, const struct call *c,
			 const struct openapi_op *op)
{
	size_t i;

	for (i = 0; c->query && c->query[i]; i++)
		judge_query(j, c, op, c->query[i]);
	for (i = 0; c->body && c->body[i]; i++)
		judge_body(j, c, op, c->body[i]);
}

/*
 * A sentence saying which query names the operation meant instead takes in
 * its JSON body ("It takes 'max_emails' in the JSON body, ..."), or none.
 */
static void placement_note(struct judge *j, const struct openapi_op *op,
			   const struct call *c, struct buf *note)
{
	size_t i;

	for (i = 0; c->query && c->query[i]; i++) {
		if (openapi_param_in(j->doc, op, c->query[i]) ==
			    OPENAPI_NOWHERE &&
		    openapi_body_prop(j->doc, op, c->query[i]) ==
			    OPENAPI_BODY_HAS)
			buf_addf(note, "%s '%s'", note->len ? "," : "It takes",
				 c->query[i]);
	}
	if (note->len)
		buf_addstr(note, " in the JSON body, not the query string");
}

static void judge_missing(struct judge *j, const struct call *c)
{
	const struct openapi_op *near[3];
	size_t n = openapi_nearest(j->doc, c->method, c->path, NEAREST_MIN,
				   near, ARRAY_SIZE(near));
	char *label = call_label(c), *best;
	struct buf note = BUF_INIT;

	if (!n) {
		finding(j, c, "not-in-api", NULL, "%s is not in the API, and "
			"no operation in it is close", label);
		free(label);
		return;
	}
	best = op_label(near[0]);
	placement_note(j, near[0], c, &note);
	finding(j, c, "not-in-api", best, "%s is not in the API; did you "
		"mean %s?%s%s", label, best, note.len ? " " : "",
		buf_cstr(&note));
	buf_release(&note);
	free(best);
	free(label);
}

static void judge_call(struct judge *j, const struct call *c)
{
	const struct openapi_op *ops[64];
	size_t n = openapi_find(j->doc, c->path, ops, ARRAY_SIZE(ops));
	const struct openapi_op *op;
	char *methods, *label;
	struct buf note = BUF_INIT;

	j->calls++;
	if (!n) {
		judge_missing(j, c);
		return;
	}
	if (!c->method) {
		if (n == 1)
			judge_params(j, c, ops[0]);
		return;
	}
	op = openapi_lookup(j->doc, c->method, c->path);
	if (op) {
		judge_params(j, c, op);
		return;
	}

	methods = openapi_methods_of(j->doc, c->path);
	label = call_label(c);
	placement_note(j, ops[0], c, &note);
	finding(j, c, "method-mismatch", methods, "%s is a method mismatch: "
		"the API serves %s with %s only%s%s", label, c->path, methods,
		note.len ? ". " : "", buf_cstr(&note));
	buf_release(&note);
	free(methods);
	free(label);
}

static void judge_endpoints(struct judge *j, const struct openapi_state *st)
{
	size_t i;

	for (i = 0; i < st->neps; i++) {
		const struct endpoint *ep = &st->eps[i];
		struct call c = { ep->where, ep->method, ep->path, ep->query,
				  ep->body };

		judge_call(j, &c);
	}
}

/* ---- sources ------------------------------------------------------------- */

static void scan_sources(const struct openapi_state *st, struct srcscan *sc,
			 struct result *res)
{
	struct srcscan_opts o = {
		.base_url = st->base_url,
		.max_files = st->max_files,
		.max_bytes = st->max_file_bytes,
	};
	char **missing, **files;
	size_t i;

	files = srcscan_expand(st->base_dir, st->sources, st->max_files,
			       &missing);
	for (i = 0; files && files[i]; i++) {
		char *full = path_join(st->base_dir, files[i]);

		srcscan_file(&o, full, files[i], sc);
		free(full);
	}
	for (i = 0; missing && missing[i]; i++)
		result_detail_push(res, "sources_unmatched", missing[i]);
	for (i = 0; i < sc->nnotes; i++)
		result_detail_push(res, "sources_skipped", sc->notes[i]);
	if (sc->truncated)
		result_detail_str(res, "sources_truncated",
				  "a bound on files or calls stopped the scan "
				  "early");
	result_detail_num(res, "source_files", (double)sc->files);
	strv_free(files);
	strv_free(missing);
}

static void judge_sources(struct judge *j, const struct srcscan *sc)
{
	size_t i;

	for (i = 0; i < sc->nhits; i++) {
		const struct srcscan_hit *h = &sc->hits[i];
		char *where = xasprintf("%s:%d", h->file, h->line);
		struct call c = { where, h->method, h->path, h->query,
				  h->body };

		judge_call(j, &c);
		free(where);
	}
}

/* ---- the run ------------------------------------------------------------- */

static void summarize(const struct openapi_state *st, struct judge *j,
		      const struct srcscan *sc, struct result *res)
{
	cJSON *d = result_details(res);
	const cJSON *unmatched = cJSON_GetObjectItem(d, "sources_unmatched");

	cJSON_AddItemToObject(d, "findings", j->findings);
	j->findings = NULL;
	result_detail_num(res, "operations", (double)j->doc->nops);
	result_detail_num(res, "calls_checked", (double)j->calls);
	result_detail_num(res, "source_calls", (double)sc->nhits);

	if (j->count > 1) {
		result_fail(res, "%s (and %zu more API problem%s)", j->first,
			    j->count - 1, j->count > 2 ? "s" : "");
	} else if (j->count) {
		result_fail(res, "%s", j->first);
	}
	if (j->count) {
		result_hint(res, "update the client to the API as %s "
			    "describes it (the /docs page shows the same)%s",
			    st->url, j->count > 1 ? "; -v lists every finding" :
						    "");
	} else if (unmatched) {
		result_warn(res, "%zu call%s the API, but a 'sources' "
			    "pattern matched no file", j->calls,
			    j->calls == 1 ? " matches" : "s match");
		result_hint(res, "paths in 'sources' are relative to the "
			    "config file's directory");
	} else {
		result_pass(res, "%zu call%s the API (%zu operations "
			    "in %s)", j->calls, j->calls == 1 ? " matches" :
			    "s match", j->doc->nops, st->url);
	}
}

static void openapi_run(void *state, const struct check_ctx *ctx,
			struct result *res)
{
	const struct openapi_state *st = state;
	struct openapi_doc doc;
	struct srcscan sc = SRCSCAN_INIT;
	struct fetch_reply rep;
	struct judge j = { .doc = &doc };

	result_detail_str(res, "url", st->url);
	if (fetch_document(st, ctx, &rep, res) < 0)
		goto out_body;
	if (load_doc(st, &rep.body, &doc, res) != OPENAPI_OK)
		goto out_doc;

	j.findings = cJSON_CreateArray();
	result_detail_str(res, "openapi_version", doc.version);
	judge_endpoints(&j, st);
	if (st->sources) {
		scan_sources(st, &sc, res);
		judge_sources(&j, &sc);
	}
	summarize(st, &j, &sc, res);

	cJSON_Delete(j.findings);
	free(j.first);
	srcscan_release(&sc);
out_doc:
	openapi_release(&doc);
out_body:
	fetch_reply_release(&rep);
}

/* ---- the default profile ------------------------------------------------- */

/* 1 when dir/pattern names at least one file. */
static int has_match(const char *cwd, const char *pattern)
{
	char *full = path_join(cwd, pattern);
	glob_t g;
	int found = glob(full, 0, NULL, &g) == 0 && g.gl_pathc > 0;

	if (found)
		globfree(&g);
	free(full);
	return found;
}

static const char *find_id(const cJSON *checks, const char *id)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, checks) {
		const char *have = cJSON_GetStringValue(
			cJSON_GetObjectItem(c, "id"));

		if (have && !strcmp(have, id))
			return id;
	}
	return NULL;
}

/*
 * The backend's contract against the Python code beside it: only when
 * there is Python code in the working directory or backend/ to read.
 */
static void openapi_discover(const char *cwd, cJSON *checks)
{
	static const char *const patterns[] = { "*.py", "backend/*.py" };
	const char *base = getenv("PREFLIGHT_BACKEND_URL");
	const char *need = find_id(checks, "health");
	cJSON *c, *sources = cJSON_CreateArray();
	size_t i, n;
	char *url;

	for (i = 0; i < ARRAY_SIZE(patterns); i++)
		if (has_match(cwd, patterns[i]))
			cJSON_AddItemToArray(sources,
					     cJSON_CreateString(patterns[i]));
	if (!cJSON_GetArraySize(sources)) {
		cJSON_Delete(sources);
		return;
	}

	if (!base || !*base)
		base = "http://localhost:8000";
	n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	url = xasprintf("%.*s/openapi.json", (int)n, base);

	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "id", "openapi");
	cJSON_AddStringToObject(c, "type", "openapi");
	cJSON_AddStringToObject(c, "description", "the calls in the Python "
				"code here exist in the backend's API");
	cJSON_AddStringToObject(c, "url", url);
	if (need)
		cJSON_AddItemToObject(c, "needs",
				      cJSON_CreateStringArray(&need, 1));
	cJSON_AddItemToObject(c, "sources", sources);
	cJSON_AddNumberToObject(c, "max_files", 100);
	cJSON_AddNumberToObject(c, "max_file_bytes", 256 * 1024);
	cJSON_AddItemToArray(checks, c);
	free(url);
}

static const struct key_spec openapi_keys[] = {
	{ "url", cJSON_String, 1 },
	{ "endpoints", cJSON_Array, 0 },
	{ "sources", cJSON_String | cJSON_Array, 0 },
	{ "base_url", cJSON_String, 0 },
	{ "max_body", cJSON_Number, 0 },
	{ "max_files", cJSON_Number, 0 },
	{ "max_file_bytes", cJSON_Number, 0 },
	{ NULL, 0, 0 },
};

const struct check_type check_openapi = {
	.name = "openapi",
	.summary = "the client's calls exist in the backend's OpenAPI document",
	.example = "GET /api/v1/test/sync/start is not in the API; did you mean POST /api/v1/sync/start?",
	.flags = CHECK_NETWORK | CHECK_CURL,
	.keys = openapi_keys,
	.prepare = openapi_prepare,
	.run = openapi_run,
	.release = openapi_release_state,
	.discover = openapi_discover,
};
