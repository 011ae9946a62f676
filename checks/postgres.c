/*
 * postgres: can the application's database be reached and logged in to,
 * and if not, why exactly? A person sees "nothing listens on db:5432" or
 * "password authentication failed for user app" instead of a stack trace
 * from the worker, and the password never appears anywhere.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libpq-fe.h>

#include "../core/check.h"
#include "../core/secret.h"
#include "../core/text.h"
#include "../core/util.h"

#define PG_SAMPLE_MAX 200
#define PG_ENV_FILE_MAX (64 * 1024)

struct pg_state {
	char **keywords;	/* NULL-ended, for PQconnectStartParams */
	char **values;
	char *query;		/* NULL: connect only */
	char *source;		/* where the DSN came from, for messages */
};

/* What a failed connection attempt was, told apart for the message. */
struct pg_failure {
	const char *match;	/* in libpq's error text */
	const char *message;	/* %s: the subject named by the pattern */
	const char *hint;
	int subject;		/* 1 host:port, 2 user, 3 database, 0 none */
};

static const struct pg_failure failures[] = {
	{ "Connection refused", "nothing listens on %s (connection refused)",
	  "start PostgreSQL, or correct the host and port in the DSN", 1 },
	{ "could not translate host name",
	  "the database host name does not resolve (%s)",
	  "correct the host in the DSN or fix DNS (/etc/hosts)", 1 },
	{ "the database system is starting up",
	  "the server at %s is starting up and not yet accepting "
	  "connections", "wait a few seconds and try again; a long startup "
	  "means crash recovery (read the server log)", 1 },
	{ "the database system is in recovery mode",
	  "the server at %s is in recovery and not yet accepting "
	  "connections", "wait for recovery to finish (read the server log)",
	  1 },
	{ "the database system is not yet accepting connections",
	  "the server at %s is not yet accepting connections",
	  "wait for it to finish starting (read the server log)", 1 },
	{ "the database system is shutting down",
	  "the server at %s is shutting down",
	  "start it again once it has stopped, or find out who stopped it",
	  1 },
	{ "password authentication failed",
	  "authentication failed for user \"%s\": wrong password",
	  "correct the password in the DSN (or PGPASSWORD / ~/.pgpass)", 2 },
	{ "no password supplied",
	  "the server wants a password for user \"%s\" and none was given",
	  "put the password in the DSN, PGPASSWORD or ~/.pgpass", 2 },
	{ "authentication failed for user",
	  "authentication failed for user \"%s\"",
	  "check the user and the server's pg_hba.conf method", 2 },
	{ "too many clients",
	  "the server at %s refused the connection: too many clients",
	  "raise max_connections or use a pool; look for a client leaking "
	  "connections", 1 },
	{ "remaining connection slots are reserved",
	  "the server at %s refused the connection: too many clients",
	  "raise max_connections or use a pool; look for a client leaking "
	  "connections", 1 },
	{ "server does not support SSL, but SSL was required",
	  "the server at %s refuses TLS but the DSN requires it (sslmode)",
	  "enable ssl on the server, or lower sslmode in the DSN", 1 },
	{ "no encryption",
	  "the server at %s refuses connections without TLS from this "
	  "host, user and database", "set sslmode=require in the DSN, or "
	  "add a host line for them to pg_hba.conf", 1 },
	{ "SSL", "TLS to the server at %s failed",
	  "check the server certificate and sslmode/sslrootcert in the DSN",
	  1 },
	{ "no pg_hba.conf entry",
	  "the server at %s does not allow this host, user and database "
	  "(pg_hba.conf)", "add a pg_hba.conf line for them and reload", 1 },
	{ "timeout expired",
	  "no answer from %s before the deadline",
	  "check that the host is up and no firewall drops packets", 1 },
};

static void free_strv(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

static void pg_release(void *state)
{
	struct pg_state *st = state;

	if (!st)
		return;
	free_strv(st->keywords);
	free_strv(st->values);
	free(st->query);
	free(st->source);
	free(st);
}

/*
 * SQLAlchemy spells URLs "postgresql+asyncpg://"; libpq knows only the
 * plain scheme. Returns a copy without the driver part.
 */
static char *pg_plain_dsn(const char *dsn)
{
	const char *plus = strchr(dsn, '+');
	const char *sep = strstr(dsn, "://");

	if ((!strncmp(dsn, "postgresql+", 11) || !strncmp(dsn, "postgres+", 9))
	    && plus && sep && plus < sep)
		return xasprintf("%.*s%s", (int)(plus - dsn), dsn, sep);
	return xstrdup(dsn);
}

/* Keeps the parsed options that have a value, as two NULL-ended arrays. */
static void pg_take_options(struct pg_state *st, PQconninfoOption *opts)
{
	size_t n = 0, i = 0;

	for (PQconninfoOption *o = opts; o->keyword; o++)
		n += o->val && *o->val;
	st->keywords = xcalloc(n + 1, sizeof(char *));
	st->values = xcalloc(n + 1, sizeof(char *));
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (!strcmp(o->keyword, "password"))
			secret_add(o->val);
		st->keywords[i] = xstrdup(o->keyword);
		st->values[i++] = xstrdup(o->val);
	}
}

static int pg_prepare(struct conf_ctx *cc, const cJSON *obj, void **state)
{
	struct pg_state *st = xcalloc(1, sizeof(*st));
	const char *dsn = conf_str(obj, "dsn", NULL);
	const char *query = conf_str(obj, "query", NULL);
	PQconninfoOption *opts;
	char *err = NULL, *plain;

	*state = st;
	st->source = xstrdup(dsn ? "the dsn key" : "DATABASE_URL");
	if (!dsn)
		dsn = getenv("DATABASE_URL");
	secret_add(getenv("PGPASSWORD"));
	if (query)
		st->query = xstrdup(query);
	if (!dsn || !*dsn) {
		free(st->source);
		st->source = xstrdup("the PG* environment");
		st->keywords = xcalloc(1, sizeof(char *));
		st->values = xcalloc(1, sizeof(char *));
		return 0;
	}

	secret_add_from_dsn(dsn);
	plain = pg_plain_dsn(dsn);
	opts = PQconninfoParse(plain, &err);
	free(plain);
	PQfreemem(err);
	if (!opts)
		return conf_error(cc, obj, "%s is neither a libpq connection "
				  "string (host=... dbname=...) nor a "
				  "postgresql:// URL", st->source);
	pg_take_options(st, opts);
	PQconninfoFree(opts);
	return 0;
}

/* "host:port" the connection tried, for messages. */
static char *pg_where(PGconn *conn)
{
	const char *host = PQhost(conn), *port = PQport(conn);

	if (!host || !*host)
		host = "localhost";
	if (!port || !*port)
		port = "5432";
	if (host[0] == '/')
		return xasprintf("the socket in %s (port %s)", host, port);
	return xasprintf("%s:%s", host, port);
}

/* The quoted name in `"name" does not exist`, or NULL. */
static char *pg_quoted_before(const char *msg, const char *what)
{
	const char *at = strstr(msg, what), *open, *close;

	if (!at)
		return NULL;
	open = strchr(at + strlen(what), '"');
	close = open ? strchr(open + 1, '"') : NULL;
	if (!close)
		return NULL;
	return xstrndup(open + 1, (size_t)(close - open - 1));
}

/* Unknown role or database: the name comes from the message itself. */
static int pg_fail_missing(PGconn *conn, const char *msg, struct result *res)
{
	char *where = pg_where(conn), *name = NULL;
	int found = 1;

	if (strstr(msg, "does not exist") &&
	    (name = pg_quoted_before(msg, "role "))) {
		result_fail(res, "role \"%s\" does not exist on %s", name,
			    where);
		result_hint(res, "correct the user in the DSN, or create the "
			    "role (createuser)");
	} else if (strstr(msg, "does not exist") &&
		   (name = pg_quoted_before(msg, "database "))) {
		result_fail(res, "database \"%s\" does not exist on %s", name,
			    where);
		result_hint(res, "correct the database name in the DSN, or "
			    "create it (createdb)");
	} else {
		found = 0;
	}
	free(name);
	free(where);
	return found;
}

/* The first line of a server message, after "...failed: FATAL:". */
static char *pg_first_line(const char *msg)
{
	const char *level = strstr(msg, "FATAL:");
	const char *s;

	if (!level)
		level = strstr(msg, "ERROR:");
	s = level ? level + 6 : msg;
	while (*s == ' ')
		s++;
	return xstrndup(s, strcspn(s, "\n"));
}

/* libpq's whole message into the details, without its last newline. */
static void pg_detail_error(struct result *res, const char *msg)
{
	char *copy = xstrdup(msg);

	result_detail_str(res, "error", text_trim(copy));
	free(copy);
}

static void pg_fail_connect(PGconn *conn, struct result *res)
{
	const char *msg = PQerrorMessage(conn);
	char *where = pg_where(conn), *line;

	pg_detail_error(res, msg);
	if (pg_fail_missing(conn, msg, res))
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(failures); i++) {
		const struct pg_failure *f = &failures[i];
		const char *subject;

		if (!f->message || !strstr(msg, f->match))
			continue;
		subject = f->subject == 1 ? where :
			  f->subject == 2 ? PQuser(conn) : PQdb(conn);
		result_fail(res, f->message, subject ? subject : "?");
		result_hint(res, "%s", f->hint);
		goto out;
	}
	line = pg_first_line(msg);
	result_fail(res, "cannot connect to %s: %s", where, line);
	free(line);
out:
	free(where);
}

/* Waits for the socket as libpq asked; 0 ready, -1 deadline or error. */
static int pg_wait(PGconn *conn, int for_write, int64_t end)
{
	struct pollfd pfd = { .fd = PQsocket(conn),
			      .events = for_write ? POLLOUT : POLLIN };
	int64_t left = end - now_ms();
	int rc;

	if (pfd.fd < 0 || left <= 0)
		return -1;
	do {
		rc = poll(&pfd, 1, (int)left);
	} while (rc < 0 && errno == EINTR && (left = end - now_ms()) > 0);
	return rc > 0 ? 0 : -1;
}

/* Drives PQconnectPoll to the end; 0 connected, -1 failed, -2 deadline. */
static int pg_connect(PGconn *conn, int64_t end)
{
	PostgresPollingStatusType ps = PGRES_POLLING_WRITING;

	if (PQstatus(conn) == CONNECTION_BAD)
		return -1;
	while (ps != PGRES_POLLING_OK) {
		if (ps == PGRES_POLLING_FAILED)
			return -1;
		if (pg_wait(conn, ps == PGRES_POLLING_WRITING, end) < 0)
			return -2;
		ps = PQconnectPoll(conn);
	}
	return 0;
}

/* The end of our own work: a little before the runner's deadline. */
static int64_t pg_end(const struct check_ctx *ctx)
{
	int64_t left = deadline_left(ctx);
	int64_t margin = left / 10 < 50 ? left / 10 : 50;

	return now_ms() + left - margin;
}

/* Collects every result of the query; returns the last one. */
static PGresult *pg_collect(PGconn *conn, int64_t end, int *timed_out)
{
	PGresult *last = NULL, *r;

	for (;;) {
		while (PQisBusy(conn)) {
			if (pg_wait(conn, 0, end) < 0) {
				*timed_out = 1;
				PQclear(last);
				return NULL;
			}
			if (!PQconsumeInput(conn))
				break;
		}
		r = PQgetResult(conn);
		if (!r)
			return last;
		PQclear(last);
		last = r;
	}
}

static void pg_record_rows(PGresult *r, struct result *res,
			   const char *query)
{
	int rows = PQntuples(r);

	result_detail_num(res, "rows", rows);
	if (rows > 0 && PQnfields(r) > 0)
		result_detail_strn(res, "first_value", PQgetvalue(r, 0, 0),
				   strnlen(PQgetvalue(r, 0, 0),
					   PG_SAMPLE_MAX));
	if (rows == 0) {
		result_fail(res, "the query returned no rows: %s", query);
		result_hint(res, "the row the query looks for is missing: "
			    "check migrations and seed data");
	}
}

static void pg_fail_query(PGconn *conn, PGresult *r, struct result *res)
{
	const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn);
	char *line = pg_first_line(msg);

	result_fail(res, "the query failed: %s", line);
	result_hint(res, "run the check's query with psql against the same "
		    "database to see the whole error");
	pg_detail_error(res, msg);
	free(line);
}

/* Runs the configured query; returns 0 when it passed. */
static int pg_query(PGconn *conn, const char *query, int64_t end,
		    struct result *res)
{
	int64_t t0 = now_ms();
	int timed_out = 0;
	PGresult *r;
	ExecStatusType es;

	if (PQsetnonblocking(conn, 1) || !PQsendQuery(conn, query)) {
		result_fail(res, "could not send the query: %s",
			    PQerrorMessage(conn));
		return -1;
	}
	r = pg_collect(conn, end, &timed_out);
	result_detail_num(res, "query_ms", (double)(now_ms() - t0));
	if (timed_out) {
		result_fail(res, "the query did not finish before the "
			    "deadline: %s", query);
		return -1;
	}

	es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (es == PGRES_TUPLES_OK)
		pg_record_rows(r, res, query);
	else if (es != PGRES_COMMAND_OK)
		pg_fail_query(conn, r, res);
	PQclear(r);
	return es == PGRES_COMMAND_OK ||
	       (es == PGRES_TUPLES_OK && res->status != STATUS_FAIL) ? 0 : -1;
}

static void pg_record_server(PGconn *conn, struct result *res)
{
	const char *version = PQparameterStatus(conn, "server_version");

	result_detail_str(res, "server_version", version ? version : "");
	result_detail_str(res, "user", PQuser(conn));
	result_detail_str(res, "database", PQdb(conn));
	result_detail_num(res, "tls", PQsslInUse(conn));
}

static void pg_pass(PGconn *conn, const char *where, int64_t ms,
		    struct result *res)
{
	const char *version = PQparameterStatus(conn, "server_version");

	result_pass(res, "connected to %s as \"%s\" (PostgreSQL %s) in %lld "
		    "ms", where, PQuser(conn), version ? version : "?",
		    (long long)ms);
}

static void pg_run(void *state, const struct check_ctx *ctx,
		   struct result *res)
{
	const struct pg_state *st = state;
	int64_t t0 = now_ms(), end = pg_end(ctx);
	const char *const *kw = (const char *const *)st->keywords;
	const char *const *val = (const char *const *)st->values;
	PGconn *conn = PQconnectStartParams(kw, val, 0);
	char *where;
	int rc;

	if (!conn) {
		result_fail(res, "libpq could not allocate a connection");
		return;
	}
	rc = pg_connect(conn, end);
	result_detail_num(res, "connect_ms", (double)(now_ms() - t0));
	where = pg_where(conn);
	result_detail_str(res, "server", where);

	if (rc == -2) {
		result_fail(res, "no answer from %s before the deadline",
			    where);
		result_hint(res, "check that the server is up and that no "
			    "firewall drops packets to it");
	} else if (rc < 0) {
		pg_fail_connect(conn, res);
	} else {
		pg_record_server(conn, res);
		if (!st->query || pg_query(conn, st->query, end, res) == 0)
			pg_pass(conn, where, now_ms() - t0, res);
	}
	free(where);
	PQfinish(conn);
}

/* The value of KEY=... in a .env file's text, unquoted; or NULL. */
static char *pg_env_value(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *line = text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *s = line + strspn(line, " \t");
		size_t n;

		if (!strncmp(s, "export ", 7))
			s += 7 + strspn(s + 7, " \t");
		if (strncmp(s, key, klen) || s[klen] != '=')
			continue;
		s += klen + 1;
		n = strcspn(s, "\r\n");
		if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0])
			return xstrndup(s + 1, n - 2);
		return n ? xstrndup(s, n) : NULL;
	}
	return NULL;
}

static int pg_env_has_dsn(void)
{
	static const char *const vars[] = { "DATABASE_URL", "PGHOST",
					    "PGDATABASE", "PGSERVICE" };

	for (size_t i = 0; i < ARRAY_SIZE(vars); i++)
		if (getenv(vars[i]) && *getenv(vars[i]))
			return 1;
	return 0;
}

/* The default profile: the database the environment or .env names. */
static void pg_discover(const char *cwd, cJSON *checks)
{
	char *path = path_join(cwd, ".env"), *text, *dsn = NULL;
	cJSON *c;

	if (!pg_env_has_dsn()) {
		text = read_file(path, PG_ENV_FILE_MAX, NULL);
		dsn = text ? pg_env_value(text, "DATABASE_URL") : NULL;
		free(text);
		if (!dsn) {
			free(path);
			return;
		}
		secret_add_from_dsn(dsn);
	}

	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "id", "database");
	cJSON_AddStringToObject(c, "type", "postgres");
	cJSON_AddStringToObject(c, "description", dsn ?
				"the database named in .env accepts a login" :
				"the database named in the environment "
				"accepts a login");
	if (dsn)
		cJSON_AddStringToObject(c, "dsn", dsn);
	cJSON_AddItemToArray(checks, c);
	free(dsn);
	free(path);
}

static const struct key_spec pg_keys[] = {
	{ "dsn", cJSON_String, 0 },
	{ "query", cJSON_String, 0 },
	{ NULL, 0, 0 },
};

const struct check_type check_postgres = {
	.name = "postgres",
	.summary = "PostgreSQL accepts a login (and answers a query)",
	.example = "authentication failed for user \"app\": wrong password",
	.example_hint = "correct the password in the DSN (or PGPASSWORD / "
			"~/.pgpass)",
	.flags = CHECK_NETWORK,
	.keys = pg_keys,
	.prepare = pg_prepare,
	.run = pg_run,
	.release = pg_release,
	.discover = pg_discover,
};
