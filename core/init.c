/*
 * Building a starter preflight.json: every check type's discover() hook
 * (the built-in default profile) plus the service logs found beside it and
 * the running PostgreSQL containers when an engine answers, each check
 * tagged by the part of the stack it looks at. The result is
 * loaded with the normal validation before it is written, so init never
 * leaves a config that preflight itself would refuse.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../checks/container.h"
#include "cli.h"
#include "config.h"
#include "init.h"
#include "log.h"
#include "util.h"

#define INIT_DEFAULT "preflight.json"
#define INIT_MAX_LOGS 4
#define INIT_MAX_CONTAINERS 4
#define INIT_ENGINE_MS 1000
#define INIT_DEFAULT_ENGINE "unix:///var/run/docker.sock"

static const struct {
	const char *type;
	const char *tag;
} init_tags[] = {
	{ "tcp", "backend" }, { "http", "backend" }, { "openapi", "backend" },
	{ "postgres", "db" }, { "container", "db" },
	{ "permissions", "worker" }, { "python-deps", "worker" },
	{ "log-scan", "worker" }, { "service", "worker" },
};

static int init_has_type(const cJSON *checks, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, checks) {
		const char *t = cJSON_GetStringValue(
			cJSON_GetObjectItem(c, "type"));

		if (t && !strcmp(t, type))
			return 1;
	}
	return 0;
}

static int init_is_log(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && !strcmp(name + n - 4, ".log");
}

/* One log-scan check per *.log file in dir, when the type exists. */
static void init_add_logs(const char *dir, cJSON *checks)
{
	DIR *d;
	struct dirent *de;
	int n = 0;

	if (!check_type_find("log-scan") || init_has_type(checks, "log-scan"))
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL && n < INIT_MAX_LOGS) {
		cJSON *c;
		char *id;

		if (!init_is_log(de->d_name) || strlen(de->d_name) > 40)
			continue;
		id = xasprintf("log-%.*s", (int)strlen(de->d_name) - 4,
			       de->d_name);
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "id", id);
		cJSON_AddStringToObject(c, "type", "log-scan");
		cJSON_AddStringToObject(c, "path", de->d_name);
		cJSON_AddItemToArray(checks, c);
		free(id);
		n++;
	}
	closedir(d);
}

/* The engine at $DOCKER_HOST or the default socket, if it can be reached. */
static int init_engine(struct container_state *st)
{
	const char *engine = getenv("DOCKER_HOST");

	if (!engine || !*engine)
		engine = INIT_DEFAULT_ENGINE;
	if (!strncmp(engine, "unix://", 7)) {
		if (access(engine + 7, W_OK) != 0)
			return -1;
		st->socket = xstrdup(engine + 7);
		st->base_url = xstrdup("http://localhost");
	} else if (!strncmp(engine, "tcp://", 6) && engine[6]) {
		st->base_url = xasprintf("http://%s", engine + 6);
	} else {
		return -1;
	}
	st->engine = xstrdup(engine);
	return 0;
}

/* 1 if a running container looks like PostgreSQL by image or name. */
static int init_is_postgres(const char *name, const char *image)
{
	return (name && strstr(name, "postgres")) ||
	       (image && strstr(image, "postgres"));
}

static void init_add_container(cJSON *checks, const cJSON *c)
{
	const char *name = cJSON_GetStringValue(cJSON_GetArrayItem(
		cJSON_GetObjectItem(c, "Names"), 0));
	const char *image = cJSON_GetStringValue(cJSON_GetObjectItem(c,
								     "Image"));
	cJSON *check;

	if (name && *name == '/')
		name++;
	if (!name || !*name || strlen(name) > 54 ||
	    !init_is_postgres(name, image))
		return;
	check = cJSON_CreateObject();
	cJSON_AddItemToObject(check, "id", cJSON_CreateString(name));
	cJSON_AddStringToObject(check, "type", "container");
	cJSON_AddStringToObject(check, "description",
				"the PostgreSQL container is running and its "
				"log shows no server problem");
	cJSON_AddStringToObject(check, "name", name);
	cJSON_AddItemToArray(checks, check);
}

/*
 * Running PostgreSQL containers, asked of the engine with a short
 * deadline (init may take a second; the default profile may not).
 */
static void init_add_containers(cJSON *checks)
{
	struct container_state st = { 0 };
	struct container_reply reply = { 0 };
	cJSON *list = NULL;
	const cJSON *c;
	int n = 0;

	if (!check_type_find("container") || init_has_type(checks, "container")
	    || init_engine(&st) < 0)
		goto out;
	if (container_request(&st, "GET", "/containers/json",
			      now_ms() + INIT_ENGINE_MS, &reply) < 0 ||
	    reply.status != 200)
		goto out;
	list = cJSON_ParseWithLength(reply.body.data ? reply.body.data : "",
				     reply.body.len);
	cJSON_ArrayForEach(c, list) {
		if (n++ == INIT_MAX_CONTAINERS)
			break;
		init_add_container(checks, c);
	}
out:
	cJSON_Delete(list);
	buf_release(&reply.body);
	free(st.socket);
	free(st.base_url);
	free(st.engine);
}

static void init_add_tags(cJSON *checks)
{
	cJSON *c;
	size_t i;

	cJSON_ArrayForEach(c, checks) {
		const char *type = cJSON_GetStringValue(
			cJSON_GetObjectItem(c, "type"));

		if (!type || cJSON_GetObjectItem(c, "tags"))
			continue;
		for (i = 0; i < ARRAY_SIZE(init_tags); i++) {
			if (strcmp(init_tags[i].type, type))
				continue;
			cJSON_AddItemToObject(c, "tags",
				cJSON_CreateStringArray(&init_tags[i].tag, 1));
			break;
		}
	}
}

/*
 * A DSN found in .env holds its password; a config file is often committed,
 * so the password is left out (libpq then takes PGPASSWORD or ~/.pgpass).
 * Returns 1 when it removed one.
 */
static int init_strip_password(cJSON *check)
{
	cJSON *dsn = cJSON_GetObjectItem(check, "dsn");
	const char *s = cJSON_GetStringValue(dsn), *scheme, *at, *colon;
	char *clean;

	if (!s || !(scheme = strstr(s, "://")))
		return 0;	/* key=value DSNs come only from the config */
	at = strchr(scheme + 3, '@');
	colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
	if (!colon)
		return 0;
	clean = xasprintf("%.*s%s", (int)(colon - s), s, at);
	cJSON_SetValuestring(dsn, clean);
	free(clean);
	return 1;
}

static void init_strip_passwords(cJSON *checks, int quiet)
{
	cJSON *c;

	cJSON_ArrayForEach(c, checks) {
		const cJSON *id = cJSON_GetObjectItem(c, "id");

		if (init_strip_password(c) && !quiet)
			fprintf(stderr, "preflight: %s: the password is not "
				"written into the config; libpq reads it from "
				"PGPASSWORD or ~/.pgpass\n",
				cJSON_GetStringValue(id));
	}
}

/* Loads text as preflight would; -1 with *cause when it is refused. */
static int init_validate(const char *text, const char *path,
			 const char *dir, char **cause)
{
	struct config_opts co = { .default_timeout_ms = 5000 };
	struct config cfg;
	int rc = config_load_text(&cfg, text, strlen(text), path, dir, &co,
				  cause);

	config_release(&cfg);
	return rc;
}

/* The tree as the file's text, with a final newline; the caller frees it. */
static char *init_text(const cJSON *root)
{
	char *json = cJSON_Print(root);
	char *text = xasprintf("%s\n", json);

	cJSON_free(json);
	return text;
}

/* The config's text: discovered checks, logs if they load, tags. */
static char *init_build(const char *dir, const char *path, int quiet,
			char **cause)
{
	cJSON *root = config_default_profile(dir);
	cJSON *checks = cJSON_GetObjectItem(root, "checks");
	cJSON *plain;
	char *text;

	init_strip_passwords(checks, quiet);
	plain = cJSON_Duplicate(root, 1);
	init_add_logs(dir, checks);
	init_add_containers(checks);
	init_add_tags(checks);
	text = init_text(root);
	if (init_validate(text, path, dir, cause) < 0) {
		/* a discovered extra was refused: fall back to the profile */
		free(*cause);
		*cause = NULL;
		free(text);
		init_add_tags(cJSON_GetObjectItem(plain, "checks"));
		text = init_text(plain);
		if (init_validate(text, path, dir, cause) < 0) {
			free(text);
			text = NULL;
		}
	}
	cJSON_Delete(root);
	cJSON_Delete(plain);
	return text;
}

static char *init_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static void init_report(const char *path, const char *text)
{
	cJSON *root = cJSON_Parse(text);
	const cJSON *c, *checks = cJSON_GetObjectItem(root, "checks");
	int n = cJSON_GetArraySize(checks), i = 0;

	fprintf(stderr, "preflight: wrote %s with %d check%s", path, n,
		n == 1 ? "" : "s");
	cJSON_ArrayForEach(c, checks)
		fprintf(stderr, "%s%s", i++ ? ", " : ": ",
			cJSON_GetStringValue(cJSON_GetObjectItem(c, "id")));
	fprintf(stderr, n ? "\n  run preflight --list to see them, preflight "
		"to run them\n" : "\n  nothing here to check yet: add checks "
		"by hand (see preflight(1))\n");
	cJSON_Delete(root);
}

int init_config(const char *path, int force, int quiet)
{
	char *dir, *text, *cause = NULL, absdir[PATH_MAX];
	int rc = EXIT_INTERNAL;

	if (!path)
		path = INIT_DEFAULT;
	if (!force && access(path, F_OK) == 0) {
		error("%s already exists; preflight init --force replaces it",
		      path);
		return EXIT_USAGE;
	}
	dir = init_dir_of(path);
	if (!realpath(dir, absdir)) {
		error("cannot use directory %s: %s", dir, strerror(errno));
		free(dir);
		return EXIT_USAGE;
	}

	text = init_build(absdir, path, quiet, &cause);
	if (!text) {
		error("the starter config was refused: %s", cause);
	} else if (write_file_atomic(path, text, strlen(text), &cause) < 0) {
		error("%s", cause);
	} else {
		if (!quiet)
			init_report(path, text);
		rc = EXIT_OK;
	}
	free(text);
	free(cause);
	free(dir);
	return rc;
}
