/*
 * Finds the backend URLs a client's code calls, with file and line, so the
 * openapi check can hold every call against the API without anyone writing
 * an endpoint list by hand.
 */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "srcscan.h"
#include "../core/util.h"

#define URL_MAX 300
#define CALL_BACK 400	/* bytes searched back for the enclosing call */
#define CALL_FWD 2000	/* bytes of a call's arguments read */
#define MAX_NAMES 64	/* names assigned a backend URL, per file */
#define MAX_KEYS 32	/* query or body names per hit */

/* ---- small vectors ------------------------------------------------------- */

static void vec_push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

static void vec_free(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static size_t vec_len(char **v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static void vec_add_unique(char ***v, const char *s, size_t len)
{
	size_t n = vec_len(*v), i;

	if (!len || n >= MAX_KEYS)
		return;
	for (i = 0; i < n; i++)
		if (strlen((*v)[i]) == len && !memcmp((*v)[i], s, len))
			return;
	vec_push(v, &n, xstrndup(s, len));
}

/* ---- base URLs ----------------------------------------------------------- */

struct origin {
	char scheme[8];
	char host[256];
	int port;
	const char *rest;	/* from the '/' after the authority, or "" */
};

static int is_loopback(const char *host)
{
	return !strcasecmp(host, "localhost") || !strcmp(host, "127.0.0.1") ||
	       !strcmp(host, "::1") || !strcmp(host, "0.0.0.0");
}

/* Parses "scheme://host[:port]..."; 0 on success. */
static int parse_origin(const char *url, struct origin *o)
{
	const char *p = strstr(url, "://"), *host, *end;
	size_t len;

	if (!p || p == url || (size_t)(p - url) >= sizeof(o->scheme))
		return -1;
	memcpy(o->scheme, url, (size_t)(p - url));
	o->scheme[p - url] = '\0';
	host = p + 3;

	if (*host == '[') {
		end = strchr(host, ']');
		if (!end)
			return -1;
		host++;
		len = (size_t)(end - host);
		end++;
	} else {
		len = strcspn(host, ":/?#\"' ");
		end = host + len;
	}
	if (!len || len >= sizeof(o->host))
		return -1;
	memcpy(o->host, host, len);
	o->host[len] = '\0';

	o->port = !strcasecmp(o->scheme, "https") ? 443 : 80;
	if (*end == ':') {
		char *after;

		o->port = (int)strtol(end + 1, &after, 10);
		end = after;
	}
	o->rest = *end == '/' ? end : "";
	return *end && !strchr("/?#", *end) ? -1 : 0;
}

static int same_host(const char *a, const char *b)
{
	if (is_loopback(a) && is_loopback(b))
		return 1;
	return !strcasecmp(a, b);
}

const char *srcscan_on_base(const char *base_url, const char *url)
{
	struct origin b, u;
	size_t plen;

	if (parse_origin(base_url, &b) || parse_origin(url, &u))
		return NULL;
	if (strcasecmp(b.scheme, u.scheme) || b.port != u.port ||
	    !same_host(b.host, u.host))
		return NULL;

	plen = strcspn(b.rest, "?#");
	while (plen && b.rest[plen - 1] == '/')
		plen--;
	if (strncmp(u.rest, b.rest, plen) != 0)
		return NULL;
	if (u.rest[plen] && !strchr("/?#", u.rest[plen]))
		return NULL;
	return u.rest;
}

/* ---- Python literals ----------------------------------------------------- */

struct literal {
	size_t start;		/* offset of the prefix or opening quote */
	size_t end;		/* offset just after the closing quote */
	const char *body;	/* contents, between the quotes */
	size_t len;
	int fstring;
	int line;
};

static int ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int prefix_letter(char c)
{
	return c && strchr("fFrRbBuU", c) != NULL;
}

/* Prefix letters (f, r, b, u in any case, up to two) before a quote. */
static size_t literal_prefix(const char *t, size_t q, int *fstring)
{
	size_t p = q;

	*fstring = 0;
	while (p > 0 && q - p < 2 && prefix_letter(t[p - 1]))
		p--;
	if (p > 0 && ident_char(t[p - 1]))
		return q;
	for (size_t i = p; i < q; i++)
		if (t[i] == 'f' || t[i] == 'F')
			*fstring = 1;
	return p;
}

/*
 * Reads the literal whose opening quote is at t[q]. Returns the offset
 * after it, counting newlines inside into *line.
 */
static size_t read_literal(const char *t, size_t len, size_t q,
			   struct literal *lit, int *line)
{
	char quote = t[q];
	int triple = q + 2 < len && t[q + 1] == quote && t[q + 2] == quote;
	size_t open = triple ? 3 : 1, i = q + open;

	lit->line = *line;
	lit->start = literal_prefix(t, q, &lit->fstring);
	lit->body = t + i;
	while (i < len) {
		if (t[i] == '\\' && i + 1 < len) {
			if (t[i + 1] == '\n')
				(*line)++;
			i += 2;
			continue;
		}
		if (t[i] == '\n') {
			if (!triple)
				break;
			(*line)++;
		}
		if (t[i] == quote &&
		    (!triple || (i + 2 < len && t[i + 1] == quote &&
				 t[i + 2] == quote)))
			break;
		i++;
	}
	lit->len = (size_t)(t + i - lit->body);
	lit->end = i < len && t[i] == quote ? i + open : i;
	return lit->end;
}

/* ---- the call around a literal ------------------------------------------- */

static const char *const verbs[] = {
	"get", "post", "put", "patch", "delete", "head", "options",
};

static const char *verb_of(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		if (strlen(verbs[i]) == len && !strncasecmp(s, verbs[i], len))
			return verbs[i];
	return NULL;
}

/* Offset of the '(' of the call whose arguments hold t[pos], or -1. */
static long enclosing_paren(const char *t, size_t pos)
{
	size_t stop = pos > CALL_BACK ? pos - CALL_BACK : 0;
	int depth = 0;

	while (pos-- > stop) {
		char c = t[pos];

		if (c == ')' || c == ']' || c == '}')
			depth++;
		else if ((c == '[' || c == '{') && depth)
			depth--;
		else if (c == '(' && depth)
			depth--;
		else if (c == '(')
			return (long)pos;
		else if (c == '[' || c == '{' || c == ';')
			return -1;
	}
	return -1;
}

/* Offset just after the ')' matching t[open], bounded; len if unmatched. */
static size_t call_end(const char *t, size_t len, size_t open)
{
	size_t i = open, stop = open + CALL_FWD < len ? open + CALL_FWD : len;
	int depth = 0, line = 0;

	while (i < stop) {
		char c = t[i];

		if (c == '"' || c == '\'') {
			struct literal lit;

			i = read_literal(t, stop, i, &lit, &line);
			continue;
		}
		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if ((c == ')' || c == ']' || c == '}') && --depth == 0)
			return i + 1;
		i++;
	}
	return stop;
}

/* The identifier just before t[open] (skipping blanks), as s/len. */
static size_t callee(const char *t, size_t open, const char **s)
{
	size_t e = open, b;

	while (e > 0 && (t[e - 1] == ' ' || t[e - 1] == '\t'))
		e--;
	b = e;
	while (b > 0 && ident_char(t[b - 1]))
		b--;
	*s = t + b;
	return e - b;
}

static const char *skip_blank(const char *p, const char *end)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	return p;
}

/* 1 when the first non-blank byte from p (before end) is c. */
static int next_is(const char *p, const char *end, char c)
{
	p = skip_blank(p, end);
	return p < end && *p == c;
}

/* A quoted word right at p, as s/len; 0 when p holds no string. */
static size_t quoted_word(const char *p, const char *end, const char **s)
{
	char q;
	size_t n = 0;

	if (p >= end || (*p != '"' && *p != '\''))
		return 0;
	q = *p++;
	while (p + n < end && p[n] != q && p[n] != '\n')
		n++;
	*s = p;
	return p + n < end && p[n] == q ? n : 0;
}

/* Finds "key=" at argument level in args[0..len); returns what follows. */
static const char *keyword_arg(const char *args, size_t len, const char *key)
{
	const char *end = args + len, *p = args;
	size_t klen = strlen(key);

	while ((p = memmem(p, (size_t)(end - p), key, klen)) != NULL) {
		const char *after = skip_blank(p + klen, end);

		if ((p == args || !ident_char(p[-1])) && after < end &&
		    (*after == '=' || *after == ':') && after + 1 < end &&
		    after[1] != '=')
			return skip_blank(after + 1, end);
		p += klen;
	}
	return NULL;
}

static const char *method_from_args(const char *args, size_t len)
{
	const char *end = args + len, *v, *s;
	size_t n;

	v = keyword_arg(args, len, "method");
	if (v && (n = quoted_word(v, end, &s)) && verb_of(s, n))
		return verb_of(s, n);

	v = skip_blank(args + 1, end);
	if ((n = quoted_word(v, end, &s)) && verb_of(s, n))
		return verb_of(s, n);
	return NULL;
}

/* ---- dict keys in a call's arguments ------------------------------------- */

/* Keys of a {"k": v, ...} literal or dict(k=v, ...) call starting at p. */
static void dict_keys(const char *p, const char *end, char ***keys)
{
	int dict_call = end - p > 5 && !strncmp(p, "dict(", 5);
	int depth = 0, line = 0;
	const char *q;

	if (p >= end || (*p != '{' && !dict_call))
		return;
	for (q = dict_call ? p + 4 : p; q < end; q++) {
		const char *s;
		size_t n;

		if (*q == '"' || *q == '\'') {
			struct literal lit;
			size_t off = (size_t)(q - p);

			read_literal(p, (size_t)(end - p), off, &lit, &line);
			q = p + lit.end - 1;
			n = lit.len;
			s = lit.body;
			if (!dict_call && depth == 1 &&
			    next_is(q + 1, end, ':'))
				vec_add_unique(keys, s, n);
			continue;
		}
		if (*q && strchr("([{", *q))
			depth++;
		else if (*q && strchr(")]}", *q) && --depth == 0)
			return;
		else if (dict_call && depth == 1 && ident_char(*q) &&
			 !ident_char(q[-1])) {
			for (n = 0; q + n < end && ident_char(q[n]); n++)
				;
			if (next_is(q + n, end, '='))
				vec_add_unique(keys, q, n);
			q += n - 1;
		}
	}
}

/* ---- hits ---------------------------------------------------------------- */

/* Names the file assigned a backend URL to: NAME = "http://.../api". */
struct names {
	char *name[MAX_NAMES];
	char *value[MAX_NAMES];
	struct literal lit[MAX_NAMES];
	int used[MAX_NAMES];
	size_t n;
};

static void names_release(struct names *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++) {
		free(nm->name[i]);
		free(nm->value[i]);
	}
}

static const char *names_get(struct names *nm, const char *s, size_t len)
{
	size_t i = nm->n;

	while (i-- > 0) {
		if (strlen(nm->name[i]) == len &&
		    !memcmp(nm->name[i], s, len)) {
			nm->used[i] = 1;
			return nm->value[i];
		}
	}
	return NULL;
}

/* The NAME of "NAME = <literal>" outside any call, as s/len; 0 if none. */
static size_t assigned_name(const char *t, const struct literal *lit,
			    const char **s)
{
	size_t e = lit->start, b;

	while (e > 0 && (t[e - 1] == ' ' || t[e - 1] == '\t'))
		e--;
	if (!e || t[e - 1] != '=' || (e > 1 && strchr("=!<>", t[e - 2])))
		return 0;
	if (enclosing_paren(t, lit->start) >= 0)
		return 0;
	e--;
	while (e > 0 && (t[e - 1] == ' ' || t[e - 1] == '\t'))
		e--;
	b = e;
	while (b > 0 && (ident_char(t[b - 1]) || t[b - 1] == '.'))
		b--;
	*s = t + b;
	return e - b;
}

static void name_add(struct names *nm, const char *s, size_t len,
		     const char *url, const struct literal *lit)
{
	if (nm->n == MAX_NAMES)
		return;
	nm->name[nm->n] = xstrndup(s, len);
	nm->value[nm->n] = xstrdup(url);
	nm->lit[nm->n] = *lit;
	nm->used[nm->n] = 0;
	nm->n++;
}

/* "NAME + " right before the literal: the name's value, or NULL. */
static const char *concat_prefix(const char *t, const struct literal *lit,
				 struct names *nm)
{
	size_t e = lit->start, b;

	while (e > 0 && isspace((unsigned char)t[e - 1]))
		e--;
	if (!e || t[e - 1] != '+')
		return NULL;
	e--;
	while (e > 0 && isspace((unsigned char)t[e - 1]))
		e--;
	b = e;
	while (b > 0 && (ident_char(t[b - 1]) || t[b - 1] == '.'))
		b--;
	return b < e ? names_get(nm, t + b, e - b) : NULL;
}

/*
 * The literal's URL with a known name in front resolved: f"{BASE}/x" or
 * BASE + "/x". NULL when it starts with neither a known name nor "http",
 * so most literals cost no allocation.
 */
static char *resolve_url(const char *t, const struct literal *lit,
			 struct names *nm)
{
	const char *value = concat_prefix(t, lit, nm);
	size_t len = lit->len > URL_MAX ? URL_MAX : lit->len;

	if (value)
		return xasprintf("%s%.*s", value, (int)len, lit->body);
	if (lit->fstring && len > 2 && lit->body[0] == '{') {
		const char *close = memchr(lit->body, '}', len);

		if (close) {
			size_t nlen = (size_t)(close - lit->body - 1);

			value = names_get(nm, lit->body + 1, nlen);
			if (value)
				return xasprintf("%s%.*s", value,
						 (int)(len - nlen - 2),
						 close + 1);
		}
	}
	if (len < 7 || strncasecmp(lit->body, "http", 4) != 0)
		return NULL;
	return xstrndup(lit->body, len);
}

static void query_names(const char *url, char ***query)
{
	const char *q = strchr(url, '?');

	while (q && *q) {
		size_t n;

		q++;
		n = strcspn(q, "=&#");
		vec_add_unique(query, q, n);
		q = strchr(q, '&');
	}
}

static void read_call(const char *t, size_t len, const struct literal *lit,
		      struct srcscan_hit *hit)
{
	long open = enclosing_paren(t, lit->start);
	const char *name, *args, *v, *verb;
	size_t nlen, alen;

	if (open < 0)
		return;
	nlen = callee(t, (size_t)open, &name);
	args = t + open;
	alen = call_end(t, len, (size_t)open) - (size_t)open;

	verb = method_from_args(args, alen);
	if (!verb && nlen && name > t && name[-1] == '.')
		verb = verb_of(name, nlen);
	if (verb) {
		hit->method = xstrdup(verb);
		for (char *m = hit->method; *m; m++)
			*m = (char)toupper((unsigned char)*m);
	}

	v = keyword_arg(args, alen, "params");
	if (v)
		dict_keys(v, args + alen, &hit->query);
	v = keyword_arg(args, alen, "json");
	if (v)
		dict_keys(v, args + alen, &hit->body);
}

/* A source file being scanned. */
struct scan {
	const struct srcscan_opts *o;
	const char *name;
	const char *t;
	size_t len;
	struct names nm;
	struct srcscan *sc;
};

/* Records a call at lit; takes url. */
static void add_hit(struct scan *s, const struct literal *lit, char *url,
		    const char *path)
{
	struct srcscan *sc = s->sc;
	struct srcscan_hit *hit;
	size_t plen = strcspn(path, "?#");

	if (sc->nhits >= (s->o->max_hits ? s->o->max_hits : 500)) {
		sc->truncated = 1;
		free(url);
		return;
	}
	sc->hits = xrealloc(sc->hits, (sc->nhits + 1) * sizeof(*sc->hits));
	hit = &sc->hits[sc->nhits++];
	memset(hit, 0, sizeof(*hit));
	hit->file = xstrdup(s->name);
	hit->line = lit->line;
	hit->path = plen ? xstrndup(path, plen) : xstrdup("/");
	hit->url = url;
	query_names(url, &hit->query);
	read_call(s->t, s->len, lit, hit);
}

/* A path with nothing after the authority but "/" names no endpoint. */
static int bare(const char *path)
{
	return strcspn(path, "?#") <= 1 && !strchr(path, '?');
}

static void consider(struct scan *s, const struct literal *lit)
{
	char *url = resolve_url(s->t, lit, &s->nm);
	const char *path, *var;
	size_t vlen;

	if (!url)
		return;
	path = srcscan_on_base(s->o->base_url, url);
	if (!path) {
		free(url);
		return;
	}

	vlen = assigned_name(s->t, lit, &var);
	if (vlen)
		name_add(&s->nm, var, vlen, url, lit);
	if (vlen || bare(path)) {
		free(url);
		return;
	}
	add_hit(s, lit, url, path);
}

/*
 * A name holding a whole endpoint URL that no later literal extended is a
 * call of its own (SYNC_URL = ".../sync/start"; post(SYNC_URL)).
 */
static void flush_names(struct scan *s)
{
	const struct names *nm = &s->nm;
	size_t i;

	for (i = 0; i < nm->n; i++) {
		const char *path = srcscan_on_base(s->o->base_url,
						   nm->value[i]);

		if (nm->used[i] || !path || bare(path))
			continue;
		add_hit(s, &nm->lit[i], xstrdup(nm->value[i]), path);
	}
}

/* Insertion sort of one file's hits by line: few, and nearly in order. */
static void sort_hits(struct srcscan_hit *h, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct srcscan_hit cur = h[i];

		for (j = i; j > 0 && h[j - 1].line > cur.line; j--)
			h[j] = h[j - 1];
		h[j] = cur;
	}
}

/*
 * Steps *i to the next string literal outside comments, filling lit;
 * returns 0 at the end of the text.
 */
static int next_literal(const char *t, size_t len, size_t *i, int *line,
			struct literal *lit)
{
	while (*i < len) {
		char c = t[*i];

		if (c == '#') {
			while (*i < len && t[*i] != '\n')
				(*i)++;
			continue;
		}
		if (c == '\n')
			(*line)++;
		if (c == '"' || c == '\'') {
			*i = read_literal(t, len, *i, lit, line);
			return 1;
		}
		(*i)++;
	}
	return 0;
}

/* The value after "base_url=" at p, as a URL (caller frees), or NULL. */
static char *base_url_value(struct scan *s, const char *p)
{
	const char *end = s->t + s->len, *v = skip_blank(p, end), *id;
	struct literal lit;
	size_t q;
	int line = 0;

	if (v >= end || *v != '=' || (v + 1 < end && v[1] == '='))
		return NULL;
	v = skip_blank(v + 1, end);
	for (id = v; id < end && (ident_char(*id) || *id == '.'); id++)
		;
	q = (size_t)(id - s->t);
	if (id < end && (*id == '"' || *id == '\'') && id - v <= 2) {
		read_literal(s->t, s->len, q, &lit, &line);
		return resolve_url(s->t, &lit, &s->nm);
	}
	if (id == v || !names_get(&s->nm, v, (size_t)(id - v)))
		return NULL;
	return xstrdup(names_get(&s->nm, v, (size_t)(id - v)));
}

/*
 * The backend URL a client in this file was built with:
 * httpx.Client(base_url=...), aiohttp.ClientSession(base_url=...).
 */
static char *client_base(struct scan *s)
{
	const char *p = s->t, *end = s->t + s->len;

	while ((p = memmem(p, (size_t)(end - p), "base_url", 8)) != NULL) {
		char *url = NULL;

		if (p == s->t || !ident_char(p[-1]))
			url = base_url_value(s, p + 8);
		if (url && srcscan_on_base(s->o->base_url, url))
			return url;
		free(url);
		p += 8;
	}
	return NULL;
}

/* Is lit the first argument of a .get(/.post(/... call? */
static int verb_first_arg(const char *t, const struct literal *lit)
{
	long open = enclosing_paren(t, lit->start);
	const char *callee_name;
	size_t n;

	if (open < 0 || skip_blank(t + open + 1, t + lit->start) !=
				t + lit->start)
		return 0;
	n = callee(t, (size_t)open, &callee_name);
	return n && callee_name > t && callee_name[-1] == '.' &&
	       verb_of(callee_name, n);
}

/* client.post("/api/v1/sync/start") on a client built with base_url. */
static void scan_relative(struct scan *s, const char *base)
{
	size_t i = 0, blen = strlen(base);
	struct literal lit;
	int line = 1;

	while (blen && base[blen - 1] == '/')
		blen--;
	while (next_literal(s->t, s->len, &i, &line, &lit)) {
		size_t n = lit.len > URL_MAX ? URL_MAX : lit.len;
		const char *path;
		char *url;

		if (!n || lit.body[0] != '/' || (n > 1 && lit.body[1] == '/') ||
		    !verb_first_arg(s->t, &lit))
			continue;
		url = xasprintf("%.*s%.*s", (int)blen, base, (int)n, lit.body);
		path = srcscan_on_base(s->o->base_url, url);
		if (path)
			add_hit(s, &lit, url, path);
		else
			free(url);
	}
}

void srcscan_text(const struct srcscan_opts *o, const char *name,
		  const char *text, size_t len, struct srcscan *sc)
{
	struct scan s = { o, name, text, len, { .n = 0 }, sc };
	size_t i = 0, first = sc->nhits;
	struct literal lit;
	char *base;
	int line = 1;

	sc->files++;
	while (next_literal(text, len, &i, &line, &lit))
		consider(&s, &lit);

	base = client_base(&s);
	if (base)
		scan_relative(&s, base);
	free(base);

	flush_names(&s);
	if (sc->nhits > first)
		sort_hits(sc->hits + first, sc->nhits - first);
	names_release(&s.nm);
}

static void note(struct srcscan *sc, char *msg)
{
	vec_push(&sc->notes, &sc->nnotes, msg);
}

void srcscan_file(const struct srcscan_opts *o, const char *path,
		  const char *display, struct srcscan *sc)
{
	size_t max = o->max_bytes ? o->max_bytes : 1 << 20;
	size_t max_files = o->max_files ? o->max_files : 200;
	struct stat st;
	char *text;
	size_t len;

	if (sc->files >= max_files) {
		sc->truncated = 1;
		return;
	}
	if (stat(path, &st) == 0 && (size_t)st.st_size > max) {
		note(sc, xasprintf("%s: skipped, larger than %zu bytes",
				   display, max));
		return;
	}

	text = read_file(path, max, &len);
	if (!text) {
		note(sc, xasprintf("%s: cannot read: %s", display,
				   strerror(errno)));
		return;
	}
	srcscan_text(o, display, text, len, sc);
	free(text);
}

void srcscan_release(struct srcscan *sc)
{
	size_t i;

	for (i = 0; i < sc->nhits; i++) {
		struct srcscan_hit *h = &sc->hits[i];

		free(h->file);
		free(h->method);
		free(h->url);
		free(h->path);
		vec_free(h->query);
		vec_free(h->body);
	}
	free(sc->hits);
	vec_free(sc->notes);
	memset(sc, 0, sizeof(*sc));
}

/* ---- file lists ---------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Adds pattern's matches to files; returns how many it matched. */
static size_t expand_one(const char *base_dir, const char *pattern,
			 char ***files, size_t *n, size_t max)
{
	char *full = path_join(base_dir, pattern);
	size_t skip = pattern[0] == '/' ? 0 : strlen(full) - strlen(pattern);
	size_t found = 0, i;
	glob_t g;

	if (glob(full, 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc && *n < max; i++) {
			if (!is_regular(g.gl_pathv[i]))
				continue;
			vec_push(files, n, xstrdup(g.gl_pathv[i] + skip));
			found++;
		}
		globfree(&g);
	}
	free(full);
	return found;
}

char **srcscan_expand(const char *base_dir, char *const *patterns,
		      size_t max, char ***missing)
{
	char **files = NULL;
	size_t n = 0, nmiss = 0, i, j;

	*missing = NULL;
	for (i = 0; patterns && patterns[i]; i++)
		if (!expand_one(base_dir, patterns[i], &files, &n, max) &&
		    n < max)
			vec_push(missing, &nmiss, xstrdup(patterns[i]));
	if (!n)
		return files;

	qsort(files, n, sizeof(*files), cmp_str);
	for (i = j = 1; i < n; i++) {
		if (strcmp(files[i], files[j - 1]) == 0)
			free(files[i]);
		else
			files[j++] = files[i];
	}
	files[j] = NULL;
	return files;
}
