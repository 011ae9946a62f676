/*
 * executables: are the programs a service and its scripts call on PATH,
 * and new enough? A runbook step that needs psql 15 fails in confusing
 * ways on a host with psql 13, or none.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/check.h"
#include "../core/proc.h"
#include "../core/util.h"
#include "../lib/verscan.h"

#define EXE_MAX 64
#define EXE_OUT_CAP 4096

struct exe_entry {
	char *name;
	char *min_version;	/* or NULL: presence is enough */
	char **version_argv;	/* arguments after the program */
};

struct exe_state {
	struct exe_entry *e;
	size_t n;
	char *base_dir;
};

static void exe_release(void *state)
{
	struct exe_state *st = state;

	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++) {
		free(st->e[i].name);
		free(st->e[i].min_version);
		strv_free(st->e[i].version_argv);
	}
	free(st->e);
	free(st->base_dir);
	free(st);
}

static int entry_keys(struct conf_ctx *cc, const cJSON *v)
{
	const cJSON *k;

	cJSON_ArrayForEach(k, v)
		if (strcmp(k->string, "name") &&
		    strcmp(k->string, "min_version") &&
		    strcmp(k->string, "version_args"))
			return conf_error(cc, k, "unknown key 'names[].%s' "
					  "(known: name, min_version, "
					  "version_args)", k->string);
	return 0;
}

static int parse_entry(struct conf_ctx *cc, const cJSON *v,
		       struct exe_entry *e)
{
	const cJSON *min = cJSON_GetObjectItemCaseSensitive(v, "min_version");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(v, "version_args");
	const char *name = cJSON_IsString(v) ? v->valuestring
					     : conf_str(v, "name", NULL);

	if (cJSON_IsObject(v)) {
		if (entry_keys(cc, v) < 0)
			return -1;
	} else if (!cJSON_IsString(v)) {
		return conf_error(cc, v, "key 'names': each entry must be a "
				  "program name or an object {name, "
				  "min_version, version_args}");
	}
	if (!name || !*name)
		return conf_error(cc, v, "key 'names[].name' must be a "
				  "non-empty string");
	e->name = xstrdup(name);

	if (cJSON_IsNumber(min))
		e->min_version = xasprintf("%g", min->valuedouble);
	else if (cJSON_IsString(min) &&
		 isdigit((unsigned char)min->valuestring[0]))
		e->min_version = xstrdup(min->valuestring);
	else if (min)
		return conf_error(cc, min, "key 'names[].min_version' must be "
				  "a version such as \"15\" or \"3.11.2\"");
	if (args && !cJSON_IsArray(args))
		return conf_error(cc, args, "key 'names[].version_args' must "
				  "be an array of strings");
	if (args && conf_strv(cc, args, "names[].version_args",
			      &e->version_argv) < 0)
		return -1;
	return 0;
}

static int exe_prepare(struct conf_ctx *cc, const cJSON *obj, void **state)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "names");
	struct exe_state *st = xcalloc(1, sizeof(*st));
	int n = cJSON_GetArraySize(arr);
	const cJSON *v;

	*state = st;
	st->base_dir = xstrdup(conf_base_dir(cc));
	if (n < 1 || n > EXE_MAX)
		return conf_error(cc, arr, "key 'names' must list 1 to %d "
				  "programs", EXE_MAX);
	st->e = xcalloc((size_t)n, sizeof(*st->e));
	cJSON_ArrayForEach(v, arr)
		if (parse_entry(cc, v, &st->e[st->n++]) < 0)
			return -1;
	return 0;
}

static int is_program(const char *path)
{
	struct stat sb;

	return !stat(path, &sb) && S_ISREG(sb.st_mode) && !access(path, X_OK);
}

/* The program's full path, as the shell would find it, or NULL. */
static char *exe_lookup(const char *name, const char *base_dir)
{
	const char *path = getenv("PATH"), *p;
	char *full;

	if (strchr(name, '/')) {
		full = path_join(base_dir, name);
		if (is_program(full))
			return full;
		free(full);
		return NULL;
	}
	for (p = path ? path : "/usr/bin:/bin"; ; p++) {
		size_t n = strcspn(p, ":");

		full = xasprintf("%.*s/%s", n ? (int)n : 1, n ? p : ".", name);
		if (is_program(full))
			return full;
		free(full);
		p += n;
		if (!*p)
			return NULL;
	}
}

/* Runs `path --version` (or its version_args); 1 with the version. */
static int exe_version(const struct exe_entry *e, const char *path,
		       const struct check_ctx *ctx, char *ver, size_t n,
		       struct buf *bad)
{
	const char *argv[16] = { path, "--version" };
	struct proc_opts o = { .argv = argv, .deadline = ctx->deadline,
			       .out_cap = EXE_OUT_CAP };
	struct proc_result pr;
	char how[128];
	int ok;

	for (size_t i = 0; e->version_argv && e->version_argv[i] && i < 14; i++)
		argv[i + 1] = e->version_argv[i];
	argv[e->version_argv ? strv_len(e->version_argv) + 1 : 2] = NULL;
	proc_run(&o, &pr);
	ok = pr.end == PROC_EXITED &&
	     (verscan_find(buf_cstr(&pr.out), ver, n) ||
	      verscan_find(buf_cstr(&pr.err_out), ver, n));
	if (!ok)
		buf_addf(bad, "%s%s: no version in the output of '%s %s' (%s)",
			 bad->len ? "; " : "", e->name, e->name, argv[1] ?
			 argv[1] : "", proc_describe(&pr, how, sizeof(how)));
	proc_result_release(&pr);
	return ok;
}

/* Looks at one program; appends to bad and returns 0 when it falls short. */
static int exe_inspect(const struct exe_state *st, const struct exe_entry *e,
		       const struct check_ctx *ctx, struct result *res,
		       struct buf *bad, struct buf *good)
{
	char *path = exe_lookup(e->name, st->base_dir), ver[64] = "";
	cJSON *o = cJSON_CreateObject();
	int ok = 0;

	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddItemToArray(cJSON_GetObjectItem(result_details(res),
						 "programs"), o);
	if (!path) {
		result_detail_push(res, "missing", e->name);
		return 0;
	}
	cJSON_AddStringToObject(o, "path", path);
	if (!e->min_version) {
		buf_addf(good, "%s%s", good->len ? ", " : "", e->name);
		ok = 1;
	} else if (exe_version(e, path, ctx, ver, sizeof(ver), bad)) {
		cJSON_AddStringToObject(o, "version", ver);
		ok = verscan_cmp(ver, e->min_version) >= 0;
		if (ok)
			buf_addf(good, "%s%s %s", good->len ? ", " : "",
				 e->name, ver);
		else
			buf_addf(bad, "%s%s %s is older than %s",
				 bad->len ? "; " : "", e->name, ver,
				 e->min_version);
	}
	free(path);
	return ok;
}

static void exe_run(void *state, const struct check_ctx *ctx,
		    struct result *res)
{
	const struct exe_state *st = state;
	struct buf bad = BUF_INIT, good = BUF_INIT, missing = BUF_INIT;
	const cJSON *m;

	cJSON_AddArrayToObject(result_details(res), "programs");
	for (size_t i = 0; i < st->n; i++)
		exe_inspect(st, &st->e[i], ctx, res, &bad, &good);
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(result_details(res),
						  "missing"))
		buf_addf(&missing, "%s%s", missing.len ? ", " : "",
			 m->valuestring);

	if (missing.len || bad.len) {
		result_fail(res, "%s%s%s%s", missing.len ? "not on PATH: " : "",
			    buf_cstr(&missing), missing.len && bad.len ? "; " :
			    "", buf_cstr(&bad));
		result_hint(res, "install or upgrade %s, or add the directory "
			    "that holds it to PATH", missing.len ?
			    buf_cstr(&missing) : "the programs named");
	} else {
		result_pass(res, "found %s", buf_cstr(&good));
	}
	buf_release(&bad);
	buf_release(&good);
	buf_release(&missing);
}

static const struct key_spec exe_keys[] = {
	{ "names", cJSON_Array, 1 },
	{ NULL, 0, 0 },
};

const struct check_type check_executables = {
	.name = "executables",
	.summary = "programs are on PATH, optionally at a minimum version",
	.example = "not on PATH: psql",
	.example_hint = "install or upgrade psql, or add the directory that holds it to PATH",
	.flags = CHECK_SLOW,
	.keys = exe_keys,
	.prepare = exe_prepare,
	.run = exe_run,
	.release = exe_release,
};
