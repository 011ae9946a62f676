/*
 * Loading a config: JSON text (or the built-in profile's tree) in, a list
 * of validated, prepared checks out, or one message per problem found. A
 * config that is wrong in any way runs nothing.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "jsonpos.h"
#include "secret.h"
#include "util.h"

/* A config larger than this is a mistake, not a config. */
#define CONFIG_MAX (4 << 20)
#define MAX_ERRORS 20

struct conf_ctx {
	const char *file;	/* for messages */
	const char *base_dir;
	struct jsonpos *pos;
	const char *check_id;	/* the check being validated, or NULL */
	int64_t timeout_ms;
	struct buf errors;
	int nerrors;
};

/* Keys every check may have, whatever its type. */
static const struct key_spec common_keys[] = {
	{ "id", cJSON_String, 1 },
	{ "type", cJSON_String, 1 },
	{ "needs", cJSON_Array, 0 },
	{ "timeout", cJSON_Number, 0 },
	{ "severity", cJSON_String, 0 },
	{ "description", cJSON_String, 0 },
	{ "tags", cJSON_Array, 0 },
	{ NULL, 0, 0 },
};

int conf_error(struct conf_ctx *cc, const cJSON *at, const char *fmt, ...)
{
	va_list ap;
	int line, col;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (++cc->nerrors > MAX_ERRORS)
		goto out;
	if (cc->errors.len)
		buf_addstr(&cc->errors, "\n");
	buf_addstr(&cc->errors, cc->file);
	if (jsonpos_find(cc->pos, at, &line, &col))
		buf_addf(&cc->errors, ":%d:%d", line, col);
	buf_addstr(&cc->errors, ": ");
	if (cc->check_id)
		buf_addf(&cc->errors, "check '%s': ", cc->check_id);
	buf_addstr(&cc->errors, msg);
out:
	free(msg);
	return -1;
}

const char *conf_base_dir(const struct conf_ctx *cc)
{
	return cc->base_dir;
}

int64_t conf_timeout_ms(const struct conf_ctx *cc)
{
	return cc->timeout_ms;
}

const char *conf_str(const cJSON *obj, const char *key, const char *def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : def;
}

double conf_num(const cJSON *obj, const char *key, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

int conf_bool(const cJSON *obj, const char *key, int def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

int conf_strv(struct conf_ctx *cc, const cJSON *arr, const char *key,
	      char ***out)
{
	const cJSON *c;
	size_t n = 0;

	*out = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
	cJSON_ArrayForEach(c, arr) {
		if (!cJSON_IsString(c)) {
			strv_free(*out);
			*out = NULL;
			return conf_error(cc, c, "key '%s': every element "
					  "must be a string", key);
		}
		(*out)[n++] = xstrdup(c->valuestring);
	}
	return 0;
}

void strv_free(char **v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static const char *json_type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "null";
}

static void describe_types(struct buf *b, int types)
{
	static const struct {
		int bit;
		const char *name;
	} names[] = {
		{ cJSON_String, "a string" }, { cJSON_Number, "a number" },
		{ JSON_BOOL, "a boolean" },   { cJSON_Array, "an array" },
		{ cJSON_Object, "an object" },
	};
	size_t i;
	int first = 1;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(types & names[i].bit))
			continue;
		buf_addf(b, "%s%s", first ? "" : " or ", names[i].name);
		first = 0;
	}
}

/* Edit distance, for "did you mean" on keys and types. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t *row = xcalloc(lb + 1, sizeof(*row)), prev, tmp, d;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			d = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < d)
				d = row[j] + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			row[j] = d;
			prev = tmp;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

static const struct key_spec *find_key(const struct key_spec *specs,
				       const char *name)
{
	for (; specs && specs->name; specs++)
		if (!strcmp(specs->name, name))
			return specs;
	return NULL;
}

static const char *closest_key(const struct check_type *t, const char *name)
{
	const struct key_spec *sets[] = { common_keys, t ? t->keys : NULL };
	const char *best = NULL;
	size_t i, d, best_d = 3;
	const struct key_spec *k;

	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		for (k = sets[i]; k && k->name; k++) {
			d = distance(k->name, name);
			if (d < best_d) {
				best_d = d;
				best = k->name;
			}
		}
	}
	return best;
}

static void check_key_type(struct conf_ctx *cc, const cJSON *v,
			   const struct key_spec *spec)
{
	struct buf want = BUF_INIT;

	if (v->type & spec->types)
		return;
	describe_types(&want, spec->types);
	conf_error(cc, v, "key '%s' must be %s, not %s", spec->name,
		   buf_cstr(&want), json_type_name(v));
	buf_release(&want);
}

/* Every key known for the type and of the right JSON type. */
static int validate_keys(struct conf_ctx *cc, const cJSON *obj,
			 const struct check_type *t)
{
	int before = cc->nerrors;
	const struct key_spec *sets[] = { common_keys, t->keys };
	const struct key_spec *spec;
	const cJSON *v, *w;
	size_t i;

	cJSON_ArrayForEach(v, obj) {
		for (w = obj->child; w != v; w = w->next)
			if (!strcmp(w->string, v->string))
				break;
		if (w != v) {
			conf_error(cc, v, "key '%s' appears twice", v->string);
			continue;
		}
		spec = find_key(common_keys, v->string);
		if (!spec)
			spec = find_key(t->keys, v->string);
		if (spec) {
			check_key_type(cc, v, spec);
			continue;
		}
		if (closest_key(t, v->string))
			conf_error(cc, v, "unknown key '%s' for type '%s' "
				   "(did you mean '%s'?)", v->string, t->name,
				   closest_key(t, v->string));
		else
			conf_error(cc, v, "unknown key '%s' for type '%s'",
				   v->string, t->name);
	}
	for (i = 0; i < ARRAY_SIZE(sets); i++)
		for (spec = sets[i]; spec && spec->name; spec++)
			if (spec->required &&
			    !cJSON_GetObjectItemCaseSensitive(obj, spec->name))
				conf_error(cc, obj, "missing required key "
					   "'%s'", spec->name);
	return cc->nerrors == before ? 0 : -1;
}

static int unknown_type(struct conf_ctx *cc, const cJSON *at, const char *name)
{
	struct buf list = BUF_INIT;
	const char *best = NULL;
	size_t i, d, best_d = 3;

	for (i = 0; check_types[i]; i++) {
		buf_addf(&list, "%s%s", i ? ", " : "", check_types[i]->name);
		d = distance(check_types[i]->name, name);
		if (d < best_d) {
			best_d = d;
			best = check_types[i]->name;
		}
	}
	if (best)
		conf_error(cc, at, "unknown check type '%s' (did you mean "
			   "'%s'?)", name, best);
	else
		conf_error(cc, at, "unknown check type '%s'; known types: %s",
			   name, buf_cstr(&list));
	buf_release(&list);
	return -1;
}

/* The common keys: id, type, needs, timeout, severity, tags. */
static int load_common(struct conf_ctx *cc, const cJSON *obj, struct check *c)
{
	const cJSON *v;
	const char *sev;

	c->timeout_ms = cc->timeout_ms;
	v = cJSON_GetObjectItemCaseSensitive(obj, "timeout");
	if (v) {
		if (!(v->valuedouble > 0 && v->valuedouble <= 86400))
			return conf_error(cc, v, "key 'timeout' must be a "
					  "number of seconds above 0");
		c->timeout_ms = (int64_t)(v->valuedouble * 1000 + 0.5);
		if (c->timeout_ms < 1)
			c->timeout_ms = 1;
	}
	sev = conf_str(obj, "severity", "fail");
	if (strcmp(sev, "fail") && strcmp(sev, "warn"))
		return conf_error(cc, cJSON_GetObjectItem(obj, "severity"),
				  "key 'severity' must be \"fail\" or "
				  "\"warn\", not \"%s\"", sev);
	c->severity_warn = !strcmp(sev, "warn");
	if (conf_str(obj, "description", NULL))
		c->description = xstrdup(conf_str(obj, "description", NULL));
	v = cJSON_GetObjectItemCaseSensitive(obj, "needs");
	if (v && conf_strv(cc, v, "needs", &c->needs) < 0)
		return -1;
	if (!c->needs)
		c->needs = xcalloc(1, sizeof(char *));
	c->nneeds = strv_len(c->needs);
	v = cJSON_GetObjectItemCaseSensitive(obj, "tags");
	if (v && conf_strv(cc, v, "tags", &c->tags) < 0)
		return -1;
	if (!c->tags)
		c->tags = xcalloc(1, sizeof(char *));
	return 0;
}

static int valid_id(const char *id)
{
	const char *p;

	if (!*id || strlen(id) > 64)
		return 0;
	for (p = id; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *p))
			return 0;
	return 1;
}

/* First pass over one check object: its id and type, or -1. */
static int load_identity(struct conf_ctx *cc, const cJSON *obj,
			 struct check *c)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "id");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(obj, "type");

	if (!cJSON_IsObject(obj))
		return conf_error(cc, obj, "each check must be an object, "
				  "not %s", json_type_name(obj));
	if (!cJSON_IsString(id))
		return conf_error(cc, id ? id : obj, "key 'id' must be a "
				  "string");
	if (!valid_id(id->valuestring))
		return conf_error(cc, id, "key 'id': '%s' is not a valid id "
				  "(letters, digits, '-', '_', '.'; at most 64)",
				  id->valuestring);
	c->id = xstrdup(id->valuestring);
	cc->check_id = c->id;
	if (!cJSON_IsString(type))
		return conf_error(cc, type ? type : obj, "key 'type' must be "
				  "a string");
	c->type = check_type_find(type->valuestring);
	if (!c->type)
		return unknown_type(cc, type, type->valuestring);
	return 0;
}

/* Masks secret-looking values of a copy kept for --explain. */
static void mask_tree(cJSON *node)
{
	cJSON *c;
	char *safe;

	for (c = node->child; c; c = c->next) {
		if (cJSON_IsString(c)) {
			if (c->string && secret_key_name(c->string))
				safe = xstrdup("***");
			else
				safe = secret_scrub(c->valuestring);
			cJSON_SetValuestring(c, safe);
			free(safe);
		}
		mask_tree(c);
	}
}

/* Registers every secret the config holds, before anything can print. */
static void register_secrets(const cJSON *node)
{
	const cJSON *c;

	for (c = node->child; c; c = c->next) {
		if (cJSON_IsString(c)) {
			secret_add_from_dsn(c->valuestring);
			if (c->string && secret_key_name(c->string))
				secret_add(c->valuestring);
			if (c->string && !strcasecmp(c->string, "authorization")) {
				const char *sp = strchr(c->valuestring, ' ');

				if (sp)
					secret_add(sp + 1);
			}
		}
		register_secrets(c);
	}
}

static int load_needs(struct conf_ctx *cc, struct config *cfg, size_t i,
		      const cJSON *obj)
{
	struct check *c = &cfg->checks[i];
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "needs");
	size_t k;
	long j;

	c->need_idx = xcalloc(c->nneeds + 1, sizeof(*c->need_idx));
	for (k = 0; k < c->nneeds; k++) {
		const cJSON *at = cJSON_GetArrayItem(arr, (int)k);

		j = config_find(cfg, c->needs[k]);
		if (j < 0)
			return conf_error(cc, at, "key 'needs': no check has "
					  "the id '%s'", c->needs[k]);
		if ((size_t)j == i)
			return conf_error(cc, at, "key 'needs': a check cannot "
					  "need itself");
		c->need_idx[k] = (size_t)j;
	}
	return 0;
}

/* Depth-first search; state 1 = on the path, 2 = done. */
static int find_cycle(const struct config *cfg, size_t i, unsigned char *state,
		      struct buf *path)
{
	size_t k;

	if (state[i] == 2)
		return 0;
	if (state[i] == 1) {
		buf_addstr(path, cfg->checks[i].id);
		return 1;
	}
	state[i] = 1;
	for (k = 0; k < cfg->checks[i].nneeds; k++) {
		if (find_cycle(cfg, cfg->checks[i].need_idx[k], state, path)) {
			char *tail = buf_detach(path);

			buf_addf(path, "%s -> %s", cfg->checks[i].id, tail);
			free(tail);
			return 1;
		}
	}
	state[i] = 2;
	return 0;
}

static int check_cycles(struct conf_ctx *cc, const struct config *cfg,
			const cJSON *checks)
{
	unsigned char *state = xcalloc(cfg->nchecks + 1, 1);
	struct buf path = BUF_INIT;
	size_t i;
	int rc = 0;

	cc->check_id = NULL;
	for (i = 0; i < cfg->nchecks && !rc; i++) {
		if (find_cycle(cfg, i, state, &path)) {
			rc = conf_error(cc, cJSON_GetArrayItem(checks, (int)i),
					"'needs' form a cycle: %s",
					buf_cstr(&path));
		}
	}
	buf_release(&path);
	free(state);
	return rc;
}

static int load_checks(struct conf_ctx *cc, struct config *cfg,
		       const cJSON *checks)
{
	const cJSON *obj;
	size_t i = 0, n = (size_t)cJSON_GetArraySize(checks);
	int line, col;

	cfg->checks = xcalloc(n + 1, sizeof(*cfg->checks));
	cJSON_ArrayForEach(obj, checks) {
		struct check *c = &cfg->checks[i++];

		cfg->nchecks = i;
		cc->check_id = NULL;
		if (load_identity(cc, obj, c) < 0 ||
		    validate_keys(cc, obj, c->type) < 0 ||
		    load_common(cc, obj, c) < 0)
			continue;
		if (config_find(cfg, c->id) < (long)i - 1) {
			conf_error(cc, cJSON_GetObjectItem(obj, "id"),
				   "duplicate id '%s'", c->id);
			continue;
		}
		jsonpos_find(cc->pos, obj, &line, &col);
		c->line = line;
		c->source = cJSON_Duplicate(obj, 1);
		mask_tree(c->source);
	}
	if (cc->nerrors)
		return -1;

	i = 0;
	cJSON_ArrayForEach(obj, checks) {
		cc->check_id = cfg->checks[i].id;
		load_needs(cc, cfg, i++, obj);
	}
	if (cc->nerrors || check_cycles(cc, cfg, checks) < 0)
		return -1;

	i = 0;
	cJSON_ArrayForEach(obj, checks) {
		struct check *c = &cfg->checks[i++];

		cc->check_id = c->id;
		cc->timeout_ms = c->timeout_ms;
		if (c->type->prepare && c->type->prepare(cc, obj, &c->state) < 0
		    && !cc->nerrors)
			conf_error(cc, obj, "invalid configuration");
	}
	return cc->nerrors ? -1 : 0;
}

static int load_tree(struct conf_ctx *cc, struct config *cfg, const cJSON *root)
{
	const cJSON *checks, *v;

	if (!cJSON_IsObject(root))
		return conf_error(cc, root, "the config must be a JSON object "
				  "with a \"checks\" array");
	cJSON_ArrayForEach(v, root) {
		if (strcmp(v->string, "checks") && strcmp(v->string, "$schema"))
			conf_error(cc, v, "unknown top-level key '%s' (a config "
				   "has \"checks\" and optionally \"$schema\")",
				   v->string);
	}
	checks = cJSON_GetObjectItemCaseSensitive(root, "checks");
	if (!cJSON_IsArray(checks))
		return conf_error(cc, checks ? checks : root, "key 'checks' "
				  "must be an array of check objects");
	if (cc->nerrors)
		return -1;
	register_secrets(root);
	return load_checks(cc, cfg, checks);
}

static int finish(struct conf_ctx *cc, int rc, char **cause)
{
	jsonpos_free(cc->pos);
	if (rc < 0) {
		if (cc->nerrors > MAX_ERRORS)
			buf_addf(&cc->errors, "\n%s: %d more errors not shown",
				 cc->file, cc->nerrors - MAX_ERRORS);
		*cause = buf_detach(&cc->errors);
		return -1;
	}
	buf_release(&cc->errors);
	return 0;
}

/*
 * The text after a syntax error, for the message. The config did not parse,
 * so its secrets are not registered yet: after a secret-named key on the
 * same line the text is masked whole.
 */
static char *syntax_excerpt(const char *text, size_t len, size_t off)
{
	size_t start = off, show = len - off < 20 ? len - off : 20;
	char *before = NULL, *near, *safe;

	while (start > 0 && text[start - 1] != '\n')
		start--;
	before = xstrndup(text + start, off - start);
	if (secret_key_name(before)) {
		free(before);
		return xstrdup("***");
	}
	free(before);
	near = xstrndup(text + off, show);
	safe = secret_scrub(near);
	free(near);
	return safe;
}

int config_load_text(struct config *cfg, const char *text, size_t len,
		     const char *name, const char *base_dir,
		     const struct config_opts *opts, char **cause)
{
	struct conf_ctx cc = { .file = name, .base_dir = base_dir,
			       .timeout_ms = opts->default_timeout_ms };
	const char *end = NULL;
	char *copy;
	cJSON *root;
	int rc, line, col;

	memset(cfg, 0, sizeof(*cfg));
	cfg->base_dir = xstrdup(base_dir);
	if (memchr(text, '\0', len)) {
		*cause = xasprintf("%s: not a JSON text: it contains a NUL byte",
				   name);
		return -1;
	}
	/* NUL-terminated, so that cJSON refuses text after the document. */
	copy = xstrndup(text, len);
	root = cJSON_ParseWithLengthOpts(copy, len + 1, &end, 1);
	if (!root) {
		size_t off = end ? (size_t)(end - copy) : 0;
		char *near;

		/* At the end of the text, point at its last character. */
		if (off >= len && len)
			off = len - 1;
		near = syntax_excerpt(text, len, off < len ? off : len);

		jsonpos_of_offset(text, off, &line, &col);
		*cause = xasprintf("%s:%d:%d: not valid JSON near '%s'",
				   name, line, col, near);
		free(near);
		free(copy);
		return -1;
	}
	free(copy);
	cc.pos = jsonpos_build(root, text, len);
	rc = load_tree(&cc, cfg, root);
	cJSON_Delete(root);
	return finish(&cc, rc, cause);
}

int config_load_file(struct config *cfg, const char *path,
		     const struct config_opts *opts, char **cause)
{
	size_t len;
	char *text = read_file(path, CONFIG_MAX, &len);
	char *dir, *slash;
	int rc;

	if (!text) {
		memset(cfg, 0, sizeof(*cfg));
		*cause = xasprintf("%s: cannot read config: %s", path,
				   errno == EFBIG ? "larger than 4 MiB"
						  : strerror(errno));
		return -1;
	}
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = '\0';
	else
		strcpy(dir, ".");
	rc = config_load_text(cfg, text, len, path, dir, opts, cause);
	if (rc == 0)
		cfg->path = xstrdup(path);
	free(dir);
	free(text);
	return rc;
}

cJSON *config_default_profile(const char *cwd)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *checks = cJSON_AddArrayToObject(root, "checks");
	size_t i;

	for (i = 0; check_types[i]; i++)
		if (check_types[i]->discover)
			check_types[i]->discover(cwd, checks);
	return root;
}

int config_load_default(struct config *cfg, const struct config_opts *opts,
			char **cause)
{
	char cwd[PATH_MAX];
	struct conf_ctx cc = { .file = "built-in profile",
			       .timeout_ms = opts->default_timeout_ms };
	cJSON *root;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, ".");
	cfg->base_dir = xstrdup(cwd);
	cc.base_dir = cfg->base_dir;
	root = config_default_profile(cwd);
	rc = load_tree(&cc, cfg, root);
	cJSON_Delete(root);
	return finish(&cc, rc, cause);
}

void config_release(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nchecks; i++) {
		struct check *c = &cfg->checks[i];

		if (c->state && c->type && c->type->release)
			c->type->release(c->state);
		free(c->id);
		free(c->description);
		strv_free(c->needs);
		strv_free(c->tags);
		free(c->need_idx);
		cJSON_Delete(c->source);
	}
	free(cfg->checks);
	free(cfg->path);
	free(cfg->base_dir);
	memset(cfg, 0, sizeof(*cfg));
}

long config_find(const struct config *cfg, const char *id)
{
	size_t i;

	for (i = 0; i < cfg->nchecks; i++)
		if (cfg->checks[i].id && !strcmp(cfg->checks[i].id, id))
			return (long)i;
	return -1;
}
