/*
 * http: does an HTTP endpoint answer as expected? The backend's /health
 * and /docs are the first things a person curls when the worker fails;
 * this says in one sentence what came back and what was expected.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>

#include "../core/check.h"
#include "../core/util.h"
#include "../lib/fetch.h"

#define EXCERPT_MAX 200

struct http_state {
	char *url;
	char *method;
	struct curl_slist *headers;
	char *body;		/* request body, or NULL */
	int follow;
	long max_body;
	long *status;		/* accepted codes; NULL: any 2xx */
	size_t nstatus;
	cJSON *json;		/* expected subset, or NULL */
	char **contains;	/* every one must appear */
	char **contains_any;	/* at least one must appear */
};

static void http_release(void *state)
{
	struct http_state *st = state;

	free(st->url);
	free(st->method);
	curl_slist_free_all(st->headers);
	free(st->body);
	free(st->status);
	cJSON_Delete(st->json);
	strv_free(st->contains);
	strv_free(st->contains_any);
	free(st);
}

static int prepare_headers(struct conf_ctx *cc, const cJSON *obj,
			   struct http_state *st)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(obj, "headers");
	const cJSON *v;
	char *line;

	cJSON_ArrayForEach(v, h) {
		if (!cJSON_IsString(v) || strpbrk(v->valuestring, "\r\n") ||
		    strpbrk(v->string, ": \r\n"))
			return conf_error(cc, v, "key 'headers': each header "
					  "must be \"Name\": \"value\" on one "
					  "line");
		line = xasprintf("%s: %s", v->string, v->valuestring);
		st->headers = curl_slist_append(st->headers, line);
		free(line);
	}
	return 0;
}

static int prepare_body(const cJSON *obj, struct http_state *st)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(obj, "body");
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(obj, "headers");

	if (!b)
		return 0;
	if (cJSON_IsString(b)) {
		st->body = xstrdup(b->valuestring);
		return 0;
	}
	st->body = cJSON_PrintUnformatted(b);
	if (!cJSON_GetObjectItem(h, "Content-Type"))
		st->headers = curl_slist_append(st->headers,
						"Content-Type: application/json");
	return 0;
}

static int prepare_status(struct conf_ctx *cc, const cJSON *v,
			  struct http_state *st)
{
	const cJSON *c;

	if (!v)
		return 0;
	if (cJSON_IsNumber(v)) {
		st->status = xmalloc(sizeof(long));
		st->status[st->nstatus++] = (long)v->valuedouble;
		return 0;
	}
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1)
		return conf_error(cc, v, "key 'expect.status' must be a status "
				  "code or a list of them");
	st->status = xcalloc((size_t)cJSON_GetArraySize(v), sizeof(long));
	cJSON_ArrayForEach(c, v) {
		if (!cJSON_IsNumber(c) || c->valuedouble < 100 ||
		    c->valuedouble > 599)
			return conf_error(cc, c, "key 'expect.status': each "
					  "code must be a number from 100 to "
					  "599");
		st->status[st->nstatus++] = (long)c->valuedouble;
	}
	return 0;
}

static int prepare_words(struct conf_ctx *cc, const cJSON *v, const char *key,
			 char ***out)
{
	if (!v)
		return 0;
	if (cJSON_IsString(v)) {
		*out = xcalloc(2, sizeof(char *));
		(*out)[0] = xstrdup(v->valuestring);
		return 0;
	}
	if (!cJSON_IsArray(v))
		return conf_error(cc, v, "key '%s' must be a string or a list "
				  "of strings", key);
	return conf_strv(cc, v, key, out);
}

static int prepare_expect(struct conf_ctx *cc, const cJSON *obj,
			  struct http_state *st)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(obj, "expect");
	const cJSON *v;

	cJSON_ArrayForEach(v, e) {
		if (strcmp(v->string, "status") && strcmp(v->string, "json") &&
		    strcmp(v->string, "body_contains") &&
		    strcmp(v->string, "body_contains_any"))
			return conf_error(cc, v, "unknown key 'expect.%s' "
					  "(known: status, json, "
					  "body_contains, body_contains_any)",
					  v->string);
	}
	if (prepare_status(cc, cJSON_GetObjectItem(e, "status"), st) < 0)
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(e, "json");
	if (v)
		st->json = cJSON_Duplicate(v, 1);
	if (prepare_words(cc, cJSON_GetObjectItem(e, "body_contains"),
			  "expect.body_contains", &st->contains) < 0)
		return -1;
	return prepare_words(cc, cJSON_GetObjectItem(e, "body_contains_any"),
			     "expect.body_contains_any", &st->contains_any);
}

static int http_prepare(struct conf_ctx *cc, const cJSON *obj, void **state)
{
	struct http_state *st = xcalloc(1, sizeof(*st));
	const char *url = conf_str(obj, "url", "");
	const char *method = conf_str(obj, "method", "GET");
	size_t i;

	*state = st;
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return conf_error(cc, cJSON_GetObjectItem(obj, "url"), "key "
				  "'url' must start with http:// or https://");
	st->url = xstrdup(url);
	st->method = xstrdup(method);
	for (i = 0; st->method[i]; i++)
		if (st->method[i] < 'A' || st->method[i] > 'Z')
			return conf_error(cc, cJSON_GetObjectItem(obj, "method"),
					  "key 'method' must be an HTTP method "
					  "such as GET or POST");
	st->follow = conf_bool(obj, "follow_redirects", 0);
	st->max_body = (long)conf_num(obj, "max_body", FETCH_MAX_BODY);
	if (st->max_body < 1)
		return conf_error(cc, cJSON_GetObjectItem(obj, "max_body"),
				  "key 'max_body' must be a positive number "
				  "of bytes");
	if (prepare_headers(cc, obj, st) < 0 || prepare_body(obj, st) < 0)
		return -1;
	return prepare_expect(cc, obj, st);
}

/* A request that got no complete response, in one sentence and a hint. */
static void transfer_failed(const struct http_state *st,
			    struct fetch_reply *rep, struct result *res)
{
	result_fail(res, "%s: %s", st->url, fetch_error_phrase(rep));
	result_hint(res, "%s", fetch_error_hint(rep));
}

static int status_ok(const struct http_state *st, long code)
{
	size_t i;

	if (!st->nstatus)
		return code >= 200 && code < 300;
	for (i = 0; i < st->nstatus; i++)
		if (st->status[i] == code)
			return 1;
	return 0;
}

static void describe_status(const struct http_state *st, struct buf *b)
{
	size_t i;

	if (!st->nstatus) {
		buf_addstr(b, "2xx");
		return;
	}
	for (i = 0; i < st->nstatus; i++)
		buf_addf(b, "%s%ld", i ? (i + 1 == st->nstatus ? " or " : ", ")
				       : "", st->status[i]);
}

/*
 * Finds the first value of `want` missing or different in `got`; returns
 * its dotted path in *path and the actual value (or NULL) in *actual.
 */
static int json_subset(const cJSON *want, const cJSON *got, struct buf *path,
		       const cJSON **expected, const cJSON **actual)
{
	const cJSON *w;

	*expected = want;
	*actual = got;
	if (!cJSON_IsObject(want))
		return got && cJSON_Compare(want, got, 1);
	if (!cJSON_IsObject(got))
		return 0;
	cJSON_ArrayForEach(w, want) {
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(got, w->string);
		size_t mark = path->len;

		buf_addf(path, "%s%s", mark ? "." : "", w->string);
		if (!json_subset(w, g, path, expected, actual))
			return 0;
		path->len = mark;
		path->data[mark] = '\0';
	}
	return 1;
}

static char *excerpt(const struct buf *body)
{
	return result_clean(body->data ? body->data : "", body->len, EXCERPT_MAX);
}

static int check_json(const struct http_state *st, struct fetch_reply *rep,
		      struct result *res)
{
	struct buf path = BUF_INIT;
	const cJSON *actual = NULL, *expected = NULL;
	cJSON *doc = cJSON_ParseWithLength(rep->body.data ? rep->body.data : "",
					   rep->body.len);
	char *want, *got, *ex;
	int ok;

	if (!doc) {
		ex = excerpt(&rep->body);
		result_fail(res, "%s answered %ld with a body that is not JSON "
			    "(content type %s): \"%s\"", st->url, rep->status,
			    rep->content_type ? rep->content_type : "unknown",
			    ex);
		free(ex);
		return -1;
	}
	ok = json_subset(st->json, doc, &path, &expected, &actual);
	if (!ok) {
		want = cJSON_PrintUnformatted(expected);
		got = actual ? cJSON_PrintUnformatted(actual) : NULL;
		if (!path.len)
			result_fail(res, "%s answered %ld with JSON that does "
				    "not match: expected %s", st->url,
				    rep->status, want);
		else if (!actual)
			result_fail(res, "%s answered %ld without the JSON "
				    "field '%s'", st->url, rep->status,
				    buf_cstr(&path));
		else
			result_fail(res, "%s answered %ld with JSON field "
				    "'%s' = %s, expected %s", st->url,
				    rep->status, buf_cstr(&path), got,
				    want);
		free(want);
		free(got);
	}
	buf_release(&path);
	cJSON_Delete(doc);
	return ok ? 0 : -1;
}

static int check_words(const struct http_state *st, struct fetch_reply *rep,
		       struct result *res)
{
	const char *body = buf_cstr(&rep->body);
	size_t i;

	for (i = 0; st->contains && st->contains[i]; i++) {
		if (!strstr(body, st->contains[i])) {
			result_fail(res, "%s answered %ld but the body does not "
				    "contain \"%s\"", st->url, rep->status,
				    st->contains[i]);
			return -1;
		}
	}
	for (i = 0; st->contains_any && st->contains_any[i]; i++)
		if (strcasestr(body, st->contains_any[i]))
			return 0;
	if (st->contains_any) {
		struct buf words = BUF_INIT;

		for (i = 0; st->contains_any[i]; i++)
			buf_addf(&words, "%s\"%s\"", i ? " or " : "",
				 st->contains_any[i]);
		result_fail(res, "%s answered %ld but the body contains none of "
			    "%s", st->url, rep->status, buf_cstr(&words));
		buf_release(&words);
		return -1;
	}
	return 0;
}

static void evaluate(const struct http_state *st, struct fetch_reply *rep,
		     struct result *res)
{
	struct buf want = BUF_INIT;
	char *ex;

	if (!status_ok(st, rep->status)) {
		describe_status(st, &want);
		ex = excerpt(&rep->body);
		result_fail(res, "%s answered HTTP %ld, expected %s", st->url,
			    rep->status, buf_cstr(&want));
		result_detail_str(res, "body_excerpt", ex);
		free(ex);
		buf_release(&want);
		return;
	}
	if (st->json && check_json(st, rep, res) < 0)
		return;
	if (check_words(st, rep, res) < 0)
		return;
	result_pass(res, "%s answered HTTP %ld in %.0f ms", st->url, rep->status,
		    rep->total_ms);
}

static void record_timings(const struct fetch_reply *rep, struct result *res)
{
	if (rep->status)
		result_detail_num(res, "status", (double)rep->status);
	result_detail_num(res, "connect_ms", rep->connect_ms);
	result_detail_num(res, "first_byte_ms", rep->first_byte_ms);
	result_detail_num(res, "total_ms", rep->total_ms);
	result_detail_num(res, "body_bytes", (double)rep->body.len);
	if (rep->content_type)
		result_detail_str(res, "content_type", rep->content_type);
}

static void http_run(void *state, const struct check_ctx *ctx,
		     struct result *res)
{
	const struct http_state *st = state;
	struct fetch_req req = {
		.url = st->url,
		.method = st->method,
		.headers = st->headers,
		.body = st->body,
		.follow_redirects = st->follow,
		.max_body = (size_t)st->max_body,
		.deadline = ctx->deadline,
	};
	struct fetch_reply rep;

	result_detail_str(res, "url", st->url);
	result_detail_str(res, "method", st->method);
	fetch(&req, &rep);
	record_timings(&rep, res);
	if (rep.error != FETCH_OK)
		transfer_failed(st, &rep, res);
	else
		evaluate(st, &rep, res);
	fetch_reply_release(&rep);
}

static void add_check(cJSON *checks, const char *id, const char *url,
		      const char *need, const char *desc)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "id", id);
	cJSON_AddStringToObject(c, "type", "http");
	cJSON_AddStringToObject(c, "description", desc);
	cJSON_AddStringToObject(c, "url", url);
	if (need)
		cJSON_AddItemToObject(c, "needs", cJSON_CreateStringArray(
						  &need, 1));
	cJSON_AddItemToArray(checks, c);
}

/* The default profile: the backend's /health and its API docs page. */
static void http_discover(const char *cwd, cJSON *checks)
{
	const char *base = getenv("PREFLIGHT_BACKEND_URL");
	const char *words[] = { "swagger-ui", "redoc" };
	const char *port_id = NULL;
	char *url;
	size_t n;
	cJSON *c, *expect;

	if (!base || !*base)
		base = "http://localhost:8000";
	n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	cJSON_ArrayForEach(c, checks)
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "id")),
			    "backend-port"))
			port_id = "backend-port";
	url = xasprintf("%.*s/health", (int)n, base);
	add_check(checks, "health", url, port_id,
		  "the backend's health endpoint answers 2xx");
	free(url);
	url = xasprintf("%.*s/docs", (int)n, base);
	add_check(checks, "docs", url, "health",
		  "the backend serves its API documentation page");
	free(url);
	c = cJSON_GetArrayItem(checks, cJSON_GetArraySize(checks) - 1);
	expect = cJSON_AddObjectToObject(c, "expect");
	cJSON_AddItemToObject(expect, "body_contains_any",
			      cJSON_CreateStringArray(words, 2));
}

static const struct key_spec http_keys[] = {
	{ "url", cJSON_String, 1 },
	{ "method", cJSON_String, 0 },
	{ "headers", cJSON_Object, 0 },
	{ "body", cJSON_String | cJSON_Object | cJSON_Array, 0 },
	{ "expect", cJSON_Object, 0 },
	{ "follow_redirects", JSON_BOOL, 0 },
	{ "max_body", cJSON_Number, 0 },
	{ NULL, 0, 0 },
};

const struct check_type check_http = {
	.name = "http",
	.summary = "an HTTP endpoint answers with the expected status and body",
	.example = "http://localhost:8000/health answered HTTP 503, expected 2xx",
	.flags = CHECK_NETWORK | CHECK_CURL,
	.keys = http_keys,
	.prepare = http_prepare,
	.run = http_run,
	.release = http_release,
	.discover = http_discover,
};
