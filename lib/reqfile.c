/*
 * Requirements files as pip reads them: the list of packages a Python
 * service expects to find installed.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reqfile.h"
#include "pep440.h"
#include "../core/text.h"
#include "../core/util.h"

/* A requirements file larger than this is refused, not read. */
#define REQFILE_MAX_BYTES (4u << 20)

char *req_normalise_name(const char *name)
{
	char *out = xmalloc(strlen(name) + 1), *w = out;

	for (; *name; name++) {
		if (*name == '-' || *name == '_' || *name == '.') {
			if (w == out || w[-1] != '-')
				*w++ = '-';
		} else {
			*w++ = (char)tolower((unsigned char)*name);
		}
	}
	*w = '\0';
	return out;
}

void req_release(struct req *req)
{
	free(req->name);
	free(req->key);
	free(req->extras);
	free(req->specifier);
	free(req->marker);
	free(req->url);
	free(req->text);
	memset(req, 0, sizeof(*req));
}

/* ---- one requirement ----------------------------------------------------- */

static int is_name_char(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.';
}

/* A PEP 508 name: letters and digits at both ends, [-_.] inside. */
static int valid_name(const char *s, size_t n)
{
	size_t i;

	if (!n || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!is_name_char((unsigned char)s[i]))
			return 0;
	return 1;
}

static int set_name(struct req *req, const char *s, size_t n, char **cause)
{
	if (!valid_name(s, n)) {
		*cause = xasprintf("'%.*s' is not a valid project name",
				   (int)n, s);
		return -1;
	}
	req->name = xstrndup(s, n);
	req->key = req_normalise_name(req->name);
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* pip treats these as a location, not a project name. */
static int looks_like_location(const char *s)
{
	static const char *const archives[] = {
		".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz",
		".tar",
	};
	size_t i, n = strcspn(s, " \t;");

	if (s[0] == '.' || s[0] == '/' || s[0] == '~' ||
	    memchr(s, '/', n) || memchr(s, '\\', n))
		return 1;
	for (i = 0; i < ARRAY_SIZE(archives); i++) {
		char *word = xstrndup(s, n);
		int hit = ends_with(word, archives[i]);

		free(word);
		if (hit)
			return 1;
	}
	return 0;
}

/* Cuts " ; marker" off a URL or path (the ';' must follow a space). */
static int split_location_marker(char *s, struct req *req, char **cause)
{
	char *p;

	for (p = s; *p; p++) {
		if (*p == ';' && p > s && isspace((unsigned char)p[-1])) {
			*p = '\0';
			req->marker = xstrdup(p + 1);
			text_trim(req->marker);
			if (!*req->marker) {
				*cause = xstrdup("empty environment marker");
				return -1;
			}
			break;
		}
	}
	text_trim(s);
	return 0;
}

/* The project a location names: its #egg= fragment or wheel file name. */
static int name_from_location(struct req *req, char **cause)
{
	const char *egg = strstr(req->url, "#egg=");
	const char *base;

	if (egg) {
		egg += 5;
		return set_name(req, egg, strcspn(egg, "&#"), cause);
	}
	base = strrchr(req->url, '/');
	base = base ? base + 1 : req->url;
	if (ends_with(base, ".whl") && strchr(base, '-'))
		return set_name(req, base, strcspn(base, "-"), cause);
	return 0;
}

static int parse_location(const char *text, struct req *req, char **cause)
{
	req->url = xstrdup(text);
	if (split_location_marker(req->url, req, cause))
		return -1;
	req->kind = strstr(req->url, "://") ? REQ_URL : REQ_PATH;
	if (!strncmp(req->url, "file:", 5))
		req->kind = REQ_PATH;
	return name_from_location(req, cause);
}

static int parse_extras(const char **pp, struct req *req, char **cause)
{
	const char *p = *pp + 1, *end = strchr(p, ']');
	struct buf b = BUF_INIT;

	if (!end) {
		*cause = xstrdup("missing ']' after the extras");
		return -1;
	}
	while (p < end) {
		size_t n = strcspn(p, ",]");
		char *one = xstrndup(p, n), *key;

		text_trim(one);
		if (*one && !valid_name(one, strlen(one))) {
			*cause = xasprintf("'%s' is not a valid extra", one);
			free(one);
			buf_release(&b);
			return -1;
		}
		key = req_normalise_name(one);
		if (*key)
			buf_addf(&b, "%s%s", b.len ? "," : "", key);
		free(key);
		free(one);
		p += n + (p[n] == ',');
	}
	req->extras = b.len ? buf_detach(&b) : NULL;
	buf_release(&b);
	*pp = end + 1;
	return 0;
}

/* "(>=1.0, <2)" or ">=1.0,<2": validated, stored without parentheses. */
static int parse_specifier(const char *s, size_t n, struct req *req,
			   char **cause)
{
	struct pep440_specset set = PEP440_SPECSET_INIT;
	char *spec = xstrndup(s, n);
	size_t len;

	text_trim(spec);
	len = strlen(spec);
	if (spec[0] == '(') {
		if (len < 2 || spec[len - 1] != ')') {
			*cause = xstrdup("missing ')' after the specifier");
			free(spec);
			return -1;
		}
		memmove(spec, spec + 1, len - 2);
		spec[len - 2] = '\0';
		text_trim(spec);
	}
	req->specifier = spec;
	if (pep440_specset_parse(spec, &set, cause))
		return -1;
	pep440_specset_release(&set);
	return 0;
}

static int parse_direct_reference(const char *p, struct req *req,
				  char **cause)
{
	req->url = xstrdup(p + 1);
	if (split_location_marker(req->url, req, cause))
		return -1;
	if (!*req->url) {
		*cause = xstrdup("missing URL after '@'");
		return -1;
	}
	req->kind = strncmp(req->url, "file:", 5) ? REQ_URL : REQ_PATH;
	req->specifier = xstrdup("");
	return 0;
}

static int parse_named(const char *text, struct req *req, char **cause)
{
	const char *p = text, *semi;
	size_t n = 0;

	while (is_name_char((unsigned char)p[n]))
		n++;
	if (set_name(req, p, n, cause))
		return -1;
	p += n;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '[' && parse_extras(&p, req, cause))
		return -1;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '@')
		return parse_direct_reference(p, req, cause);

	semi = strchr(p, ';');
	if (parse_specifier(p, semi ? (size_t)(semi - p) : strlen(p), req,
			    cause))
		return -1;
	if (semi) {
		req->marker = xstrdup(semi + 1);
		text_trim(req->marker);
		if (!*req->marker) {
			*cause = xstrdup("empty environment marker");
			return -1;
		}
	}
	return 0;
}

/* "name @ url" or "name[extra] @ url". */
static int direct_reference(const char *s)
{
	while (is_name_char((unsigned char)*s))
		s++;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '[')
		s += strcspn(s, "]") + (strchr(s, ']') != NULL);
	while (isspace((unsigned char)*s))
		s++;
	return *s == '@';
}

int req_parse(const char *text, struct req *req, char **cause)
{
	char *t = xstrdup(text);
	int r;

	memset(req, 0, sizeof(*req));
	text_trim(t);
	req->text = xstrdup(t);
	if (!*t) {
		*cause = xstrdup("empty requirement");
		r = -1;
	} else if (!direct_reference(t) &&
		   (looks_like_location(t) || strstr(t, "://"))) {
		r = parse_location(t, req, cause);
	} else {
		r = parse_named(t, req, cause);
	}
	free(t);
	if (r)
		req_release(req);
	return r;
}

/* ---- files --------------------------------------------------------------- */

struct loader {
	struct reqfile *rf;
	char *stack[REQFILE_MAX_DEPTH];	/* real paths being read */
	int depth;
	char *cause;
};

/* Where the line being read is, for messages. */
struct where {
	const char *file;
	int line;
	int constraint;
};

static int load_error(struct loader *ld, const struct where *at,
		      const char *fmt, const char *detail)
{
	char *msg = xasprintf(fmt, detail);

	if (!ld->cause)
		ld->cause = at ? xasprintf("%s:%d: %s", at->file, at->line, msg)
			       : xstrdup(msg);
	free(msg);
	return -1;
}

static struct req *add_req(struct reqfile *rf)
{
	rf->reqs = xrealloc(rf->reqs, (rf->n + 1) * sizeof(*rf->reqs));
	memset(&rf->reqs[rf->n], 0, sizeof(*rf->reqs));
	return &rf->reqs[rf->n++];
}

static int load_file(struct loader *ld, const char *path, int constraint,
		     const struct where *from);

/* The include's path, relative to the file that names it. */
static int include(struct loader *ld, const struct where *at,
		   const char *target, int constraint)
{
	char *dir, *slash, *path;
	int r;

	if (strstr(target, "://"))
		return load_error(ld, at, "remote requirements file '%s' "
				  "is not supported", target);
	dir = xstrdup(at->file);
	slash = strrchr(dir, '/');
	if (slash)
		slash[1] = '\0';
	else
		strcpy(dir, ".");
	path = path_join(dir, target);
	r = load_file(ld, path, constraint, at);
	free(path);
	free(dir);
	return r;
}

static int add_editable(struct loader *ld, const struct where *at,
			const char *target)
{
	struct req *req = add_req(ld->rf);
	char *cause = NULL;

	req->kind = REQ_EDITABLE;
	req->text = xstrdup(target);
	req->url = xstrdup(target);
	req->specifier = xstrdup("");
	req->file = at->file;
	req->line = at->line;
	if (name_from_location(req, &cause)) {
		load_error(ld, at, "%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/*
 * Options that name no package. Those pip applies to the whole install and
 * that say where packages come from are kept (pass_on) for the fix.
 */
static const struct {
	const char *name;
	int takes_value;
	int pass_on;
} plain_options[] = {
	{ "-i", 1, 1 }, { "--index-url", 1, 1 },
	{ "--extra-index-url", 1, 1 }, { "--no-index", 0, 1 },
	{ "-f", 1, 1 }, { "--find-links", 1, 1 }, { "--pre", 0, 1 },
	{ "--trusted-host", 1, 1 }, { "--prefer-binary", 0, 1 },
	{ "--require-hashes", 0, 0 }, { "--only-binary", 1, 1 },
	{ "--no-binary", 1, 1 }, { "--use-feature", 1, 0 }, { "-Z", 0, 0 },
	{ "--always-unzip", 0, 0 }, { "--hash", 1, 0 },
	{ "--global-option", 1, 0 }, { "--install-option", 1, 0 },
	{ "--config-settings", 1, 0 },
};

static void add_option_word(struct reqfile *rf, char *word)
{
	rf->options = xrealloc(rf->options,
			       (rf->noptions + 2) * sizeof(char *));
	rf->options[rf->noptions++] = word;
	rf->options[rf->noptions] = NULL;
}

/* pip looks for a relative --find-links beside the file first. */
static char *find_links_path(const struct where *at, const char *value)
{
	char *dir = xstrdup(at->file), *slash = strrchr(dir, '/'), *path;
	struct stat sb;

	if (value[0] == '/' || strstr(value, "://") || !slash) {
		free(dir);
		return xstrdup(value);
	}
	slash[1] = '\0';
	path = path_join(dir, value);
	free(dir);
	if (!stat(path, &sb))
		return path;
	free(path);
	return xstrdup(value);
}

static void pass_on(struct loader *ld, const struct where *at,
		    const char *name, const char *value)
{
	int links = !strcmp(name, "-f") || !strcmp(name, "--find-links");

	add_option_word(ld->rf, xstrdup(name));
	if (*value)
		add_option_word(ld->rf, links ? find_links_path(at, value)
						: xstrdup(value));
}

/* Splits "-rfile", "-r file", "--requirement=file" into name and value. */
static void split_option(char *line, char *name, size_t n, char **value)
{
	size_t len = line[1] == '-' ? strcspn(line, "= \t")
		     : line[1] ? 2 : 1;

	snprintf(name, n, "%.*s", (int)len, line);
	*value = line + len;
	while (**value == '=' || isspace((unsigned char)**value))
		(*value)++;
	text_trim(*value);
}

static int option_line(struct loader *ld, const struct where *at,
		       char *line)
{
	char name[64], *value;
	size_t i;

	split_option(line, name, sizeof(name), &value);
	if (!strcmp(name, "-r") || !strcmp(name, "--requirement") ||
	    !strcmp(name, "-c") || !strcmp(name, "--constraint")) {
		if (!*value)
			return load_error(ld, at, "%s needs a file", name);
		return include(ld, at, value, name[1] == 'c' ||
			       !strcmp(name, "--constraint"));
	}
	if (!strcmp(name, "-e") || !strcmp(name, "--editable")) {
		if (!*value)
			return load_error(ld, at, "%s needs a target", name);
		return add_editable(ld, at, value);
	}
	for (i = 0; i < ARRAY_SIZE(plain_options); i++) {
		if (strcmp(name, plain_options[i].name))
			continue;
		if (plain_options[i].takes_value && !*value)
			return load_error(ld, at, "%s needs a value", name);
		if (plain_options[i].pass_on)
			pass_on(ld, at, name, value);
		return 0;
	}
	return load_error(ld, at, "unknown option '%s'", name);
}

/* "pkg==1.0 --hash=sha256:..." keeps "pkg==1.0", as pip splits it. */
static void cut_requirement_options(char *line)
{
	char *p;

	for (p = line; *p; p++) {
		if (*p == ' ' && p[1] == '-') {
			*p = '\0';
			break;
		}
	}
	text_trim(line);
}

static int requirement_line(struct loader *ld, const struct where *at,
			    char *line)
{
	struct req parsed, *req;
	char *cause = NULL;

	cut_requirement_options(line);
	if (req_parse(line, &parsed, &cause)) {
		load_error(ld, at, "%s", cause);
		free(cause);
		return -1;
	}
	req = add_req(ld->rf);
	*req = parsed;
	req->file = at->file;
	req->line = at->line;
	req->constraint = at->constraint;
	return 0;
}

/* "${HOME}/x": pip expands upper-case ${NAME}s that are set. */
static char *expand_env(const char *s)
{
	struct buf b = BUF_INIT;

	while (*s) {
		size_t n = 0;
		const char *val = NULL;

		if (s[0] == '$' && s[1] == '{') {
			n = strspn(s + 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_");
			if (n && s[2 + n] == '}') {
				char *name = xstrndup(s + 2, n);

				val = getenv(name);
				free(name);
			}
		}
		if (val) {
			buf_addstr(&b, val);
			s += n + 3;
		} else {
			buf_add(&b, s++, 1);
		}
	}
	return buf_detach(&b);
}

/* Drops "# comment": '#' at the start or after white space only. */
static void strip_comment(char *line)
{
	char *p;

	for (p = line; *p; p++) {
		if (*p == '#' && (p == line || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
	}
}

static int logical_line(struct loader *ld, const struct where *at,
			const char *text)
{
	char *line = xstrdup(text), *expanded;
	int r = 0;

	strip_comment(line);
	expanded = expand_env(line);
	text_trim(expanded);
	if (expanded[0] == '-')
		r = option_line(ld, at, expanded);
	else if (expanded[0])
		r = requirement_line(ld, at, expanded);
	free(expanded);
	free(line);
	return r;
}

static int full_line_comment(const char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	return *line == '#';
}

/* Joins backslash continuations and hands on each logical line. */
static int read_lines(struct loader *ld, const char *file, char *text,
		      int constraint)
{
	struct buf pending = BUF_INIT;
	struct where at = { file, 0, constraint };
	char *line, *save = NULL;
	int lineno = 0, r = 0;

	for (line = text; line && r == 0; line = save) {
		size_t n;

		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!pending.len)
			at.line = lineno;
		if (n && line[n - 1] == '\\' && !full_line_comment(line)) {
			while (n && line[n - 1] == '\\')
				n--;
			buf_add(&pending, line, n);
			continue;
		}
		buf_addstr(&pending, line);
		r = logical_line(ld, &at, buf_cstr(&pending));
		buf_reset(&pending);
	}
	if (!r && pending.len)
		r = logical_line(ld, &at, buf_cstr(&pending));
	buf_release(&pending);
	return r;
}

static int refuse_loop(struct loader *ld, const struct where *from,
		       const char *real)
{
	struct buf chain = BUF_INIT;
	int i, r;

	for (i = 0; i < ld->depth; i++)
		if (!strcmp(ld->stack[i], real))
			break;
	if (i == ld->depth)
		return 0;
	for (; i < ld->depth; i++)
		buf_addf(&chain, "%s -> ", ld->stack[i]);
	buf_addstr(&chain, real);
	r = load_error(ld, from, "include loop: %s", buf_cstr(&chain));
	buf_release(&chain);
	return r;
}

static int load_file(struct loader *ld, const char *path, int constraint,
		     const struct where *from)
{
	char real[PATH_MAX], *text;
	struct reqfile *rf = ld->rf;
	size_t len;
	int r;

	if (!realpath(path, real) ||
	    !(text = read_file(path, REQFILE_MAX_BYTES, &len))) {
		char *why = xasprintf("cannot read %s: %s", path,
				      strerror(errno));

		load_error(ld, from, "%s", why);
		free(why);
		return -1;
	}
	if (refuse_loop(ld, from, real) || ld->depth == REQFILE_MAX_DEPTH) {
		free(text);
		return load_error(ld, from, "includes nested too deep at %s",
				  path);
	}
	rf->files = xrealloc(rf->files, (rf->nfiles + 1) * sizeof(char *));
	rf->files[rf->nfiles] = xstrdup(path);
	ld->stack[ld->depth++] = xstrdup(real);
	r = read_lines(ld, rf->files[rf->nfiles++], text, constraint);
	free(ld->stack[--ld->depth]);
	free(text);
	return r;
}

int reqfile_load(struct reqfile *rf, const char *path, char **cause)
{
	struct loader ld = { .rf = rf };

	if (load_file(&ld, path, 0, NULL)) {
		*cause = ld.cause;
		return -1;
	}
	return 0;
}

void reqfile_release(struct reqfile *rf)
{
	size_t i;

	for (i = 0; i < rf->n; i++)
		req_release(&rf->reqs[i]);
	for (i = 0; i < rf->nfiles; i++)
		free(rf->files[i]);
	for (i = 0; i < rf->noptions; i++)
		free(rf->options[i]);
	free(rf->reqs);
	free(rf->files);
	free(rf->options);
	memset(rf, 0, sizeof(*rf));
}
