/*
 * permissions: are the files and directories a service needs there, of
 * the right kind and mode? A start script that lost its executable bit
 * stops a service as surely as a crash, with a less obvious message.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/check.h"
#include "../core/util.h"
#include "permissions.h"

#define MAX_PATHS 256

static const char *const mode_words[] = {
	[PERM_EXECUTABLE] = "executable",
	[PERM_READABLE] = "readable",
	[PERM_WRITABLE] = "writable",
};

mode_t perm_wanted_bits(const struct perm_entry *e, mode_t have)
{
	have &= 07777;
	switch (e->mode) {
	case PERM_EXECUTABLE:
		return have & S_IXUSR ? 0 : S_IXUSR;
	case PERM_READABLE:
		return have & S_IRUSR ? 0 : S_IRUSR;
	case PERM_WRITABLE:
		return have & S_IWUSR ? 0 : S_IWUSR;
	case PERM_EXACT:
		return have == e->exact ? 0 : e->exact;
	}
	return 0;
}

/*
 * Executable: the owner gets x, and so does every class that can already
 * read the file (reading a script is as good as running it), so 0644
 * becomes 0755 and 0600 becomes 0700. Nobody gains access they lacked.
 */
mode_t perm_fixed_mode(const struct perm_entry *e, mode_t have)
{
	have &= 07777;
	switch (e->mode) {
	case PERM_EXECUTABLE:
		return have | S_IXUSR | (have & S_IRGRP ? S_IXGRP : 0) |
		       (have & S_IROTH ? S_IXOTH : 0);
	case PERM_READABLE:
		return have | S_IRUSR;
	case PERM_WRITABLE:
		return have | S_IWUSR;
	case PERM_EXACT:
		return e->exact;
	}
	return have;
}

static void perm_release(void *state)
{
	struct perm_state *st = state;
	size_t i;

	for (i = 0; i < st->n; i++) {
		free(st->entries[i].path);
		free(st->entries[i].abs);
	}
	free(st->entries);
	free(st);
}

static int parse_mode(struct conf_ctx *cc, const cJSON *v,
		      struct perm_entry *e)
{
	const char *s = cJSON_GetStringValue(v);
	char *end;
	size_t i;

	if (!s)
		return conf_error(cc, v, "key 'paths[].mode' must be a string");
	for (i = 0; i < ARRAY_SIZE(mode_words); i++) {
		if (!strcmp(s, mode_words[i])) {
			e->mode = (enum perm_mode)i;
			return 0;
		}
	}
	e->exact = (mode_t)strtoul(s, &end, 8);
	if (*s < '0' || *s > '7' || *end || strlen(s) > 5 || e->exact > 07777)
		return conf_error(cc, v, "key 'paths[].mode' must be "
				  "\"executable\", \"readable\", \"writable\" "
				  "or an octal mode such as \"0755\", not "
				  "\"%s\"", s);
	e->mode = PERM_EXACT;
	return 0;
}

static int parse_entry(struct conf_ctx *cc, const cJSON *v,
		       struct perm_entry *e)
{
	const cJSON *k;
	const char *kind;

	if (cJSON_IsString(v)) {
		e->path = xstrdup(v->valuestring);
		e->mode = PERM_READABLE;
		return 0;
	}
	if (!cJSON_IsObject(v))
		return conf_error(cc, v, "key 'paths': each entry must be a "
				  "path or an object {path, mode, kind}");
	cJSON_ArrayForEach(k, v)
		if (strcmp(k->string, "path") && strcmp(k->string, "mode") &&
		    strcmp(k->string, "kind") && strcmp(k->string, "create"))
			return conf_error(cc, k, "unknown key 'paths[].%s' "
					  "(known: path, mode, kind, create)",
					  k->string);
	if (!cJSON_IsString(cJSON_GetObjectItem(v, "path")) ||
	    !*cJSON_GetObjectItem(v, "path")->valuestring)
		return conf_error(cc, v, "key 'paths[].path' must be a "
				  "non-empty string");
	e->path = xstrdup(cJSON_GetObjectItem(v, "path")->valuestring);
	e->mode = PERM_READABLE;
	if (cJSON_GetObjectItem(v, "mode") &&
	    parse_mode(cc, cJSON_GetObjectItem(v, "mode"), e) < 0)
		return -1;
	kind = conf_str(v, "kind", "any");
	if (strcmp(kind, "any") && strcmp(kind, "file") && strcmp(kind, "dir"))
		return conf_error(cc, cJSON_GetObjectItem(v, "kind"), "key "
				  "'paths[].kind' must be \"file\" or \"dir\"");
	e->kind = !strcmp(kind, "file") ? KIND_FILE
		  : !strcmp(kind, "dir") ? KIND_DIR : KIND_ANY;
	e->create = conf_bool(v, "create", 0);
	if (e->create && e->kind != KIND_DIR)
		return conf_error(cc, cJSON_GetObjectItem(v, "create"), "key "
				  "'paths[].create' needs \"kind\": \"dir\": "
				  "only directories are created");
	return 0;
}

static int perm_prepare(struct conf_ctx *cc, const cJSON *obj, void **state)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "paths");
	struct perm_state *st = xcalloc(1, sizeof(*st));
	const cJSON *v;
	int n = cJSON_GetArraySize(arr);

	*state = st;
	if (n < 1 || n > MAX_PATHS)
		return conf_error(cc, arr, "key 'paths' must list 1 to %d "
				  "paths", MAX_PATHS);
	st->entries = xcalloc((size_t)n, sizeof(*st->entries));
	cJSON_ArrayForEach(v, arr) {
		/* Counted first, so a refused entry's path is freed too. */
		struct perm_entry *e = &st->entries[st->n++];

		if (parse_entry(cc, v, e) < 0)
			return -1;
		e->abs = path_join(conf_base_dir(cc), e->path);
	}
	return 0;
}

/* Appends what is wrong with one entry to `bad`; returns 1 if anything. */
static int inspect(const struct perm_entry *e, struct buf *bad,
		   struct result *res)
{
	struct stat sb;
	mode_t want;
	int is_dir;

	if (stat(e->abs, &sb) < 0) {
		buf_addf(bad, "'%s' %s", e->path, errno == ENOENT
			 ? "does not exist" : strerror(errno));
		result_detail_push(res, "missing", e->path);
		return 1;
	}
	is_dir = S_ISDIR(sb.st_mode);
	if ((e->kind == KIND_DIR && !is_dir) ||
	    (e->kind == KIND_FILE && !S_ISREG(sb.st_mode))) {
		buf_addf(bad, "'%s' is %s, expected a %s", e->path,
			 is_dir ? "a directory" : "not a regular file",
			 e->kind == KIND_DIR ? "directory" : "file");
		result_detail_push(res, "wrong_kind", e->path);
		return 1;
	}
	want = perm_wanted_bits(e, sb.st_mode);
	if (!want)
		return 0;
	if (e->mode == PERM_EXACT)
		buf_addf(bad, "'%s' has mode %04o, expected %04o", e->path,
			 (unsigned)(sb.st_mode & 07777), (unsigned)e->exact);
	else
		buf_addf(bad, "'%s' is not %s (mode %04o)", e->path,
			 mode_words[e->mode], (unsigned)(sb.st_mode & 07777));
	result_detail_push(res, "wrong_mode", e->path);
	return 1;
}

static void perm_run(void *state, const struct check_ctx *ctx,
		     struct result *res)
{
	const struct perm_state *st = state;
	struct buf bad = BUF_INIT;
	size_t i, nbad = 0;

	for (i = 0; i < st->n; i++) {
		struct buf one = BUF_INIT;

		if (inspect(&st->entries[i], &one, res)) {
			buf_addf(&bad, "%s%s", nbad ? "; " : "", buf_cstr(&one));
			nbad++;
		}
		buf_release(&one);
	}
	if (!nbad)
		result_pass(res, "%zu path%s as expected", st->n,
			    st->n == 1 ? "" : "s");
	else
		result_fail(res, "%s", buf_cstr(&bad));
	if (nbad)
		result_hint(res, "run preflight --fix to repair modes and "
			    "create directories marked \"create\"; missing "
			    "files must be restored by hand");
	buf_release(&bad);
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n > m && !strcmp(s + n - m, tail);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The default profile: the shell scripts here must be executable. */
static void perm_discover(const char *cwd, cJSON *checks)
{
	DIR *d = opendir(cwd);
	struct dirent *de;
	char *names[MAX_PATHS];
	size_t n = 0, i;
	cJSON *c, *arr;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL && n < MAX_PATHS)
		if (de->d_name[0] != '.' && ends_with(de->d_name, ".sh"))
			names[n++] = xstrdup(de->d_name);
	closedir(d);
	if (!n)
		return;
	qsort(names, n, sizeof(*names), by_name);
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "id", "scripts");
	cJSON_AddStringToObject(c, "type", "permissions");
	cJSON_AddStringToObject(c, "description",
				"the shell scripts here are executable");
	arr = cJSON_AddArrayToObject(c, "paths");
	for (i = 0; i < n; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "path", names[i]);
		cJSON_AddStringToObject(e, "mode", "executable");
		cJSON_AddStringToObject(e, "kind", "file");
		cJSON_AddItemToArray(arr, e);
		free(names[i]);
	}
	cJSON_AddItemToArray(checks, c);
}

static const struct key_spec perm_keys[] = {
	{ "paths", cJSON_Array, 1 },
	{ NULL, 0, 0 },
};

const struct check_type check_permissions = {
	.name = "permissions",
	.summary = "paths exist with the right kind and mode",
	.example = "'manage_background_sync.sh' is not executable (mode 0644)",
	.example_hint = "run preflight --fix to repair modes and create directories marked \"create\"; missing files must be restored by hand",
	.keys = perm_keys,
	.fix = "chmod",
	.prepare = perm_prepare,
	.run = perm_run,
	.release = perm_release,
	.discover = perm_discover,
};
