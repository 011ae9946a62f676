/*
 * container: is the database's container running, and if not, why? It
 * reads the container's state and its log since the last start from the
 * Docker Engine API (Docker or podman), so a person sees "exited with code
 * 1: the data directory was initialised by PostgreSQL 9.6" instead of
 * having to run `docker logs` and read. It also reads a plain PostgreSQL
 * log file for servers that do not run in a container.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>

#include "../core/check.h"
#include "../core/util.h"
#include "../lib/dockerlog.h"
#include "../lib/pgsig.h"
#include "container.h"

#define CT_BODY_CAP (1024 * 1024)	/* an inspect answer */
#define CT_LOG_CAP (8 * 1024 * 1024)	/* log bytes read per run */
#define CT_LINE_CAP 4096
#define CT_EVIDENCE_LINES 8
#define CT_EVIDENCE_BYTES 300
#define CT_FILE_TAIL (1024 * 1024)	/* bytes read from a log file */
#define CT_TAIL_DEFAULT 200
#define CT_TAIL_MAX 10000
#define CT_DEFAULT_ENGINE "unix:///var/run/docker.sock"

/* ---- the engine client --------------------------------------------- */

struct sink {
	struct buf *body;
	struct dockerlog *log;	/* decode instead of keeping, or NULL */
	size_t seen;
};

static size_t ct_write(char *p, size_t size, size_t n, void *data)
{
	struct sink *s = data;
	size_t len = size * n;

	s->seen += len;
	if (s->seen > CT_LOG_CAP)
		return 0;
	if (s->log)
		dockerlog_feed(s->log, p, len);
	else
		buf_add(s->body, p, len);
	return len;
}

static int ct_perform(const struct container_state *st, const char *method,
		      const char *path, int64_t end, struct sink *sink,
		      struct container_reply *reply)
{
	CURL *c = curl_easy_init();
	char *url = xasprintf("%s/v1.41%s", st->base_url, path);
	int64_t left = end - now_ms();
	CURLcode rc;

	if (!c) {
		free(url);
		snprintf(reply->error, sizeof(reply->error), "libcurl failed");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "POST"))
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	if (st->socket)
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, st->socket);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(left > 1 ? left : 1));
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, reply->error);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ct_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
	reply->error[0] = '\0';

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply->status);
	if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR && !reply->error[0])
		snprintf(reply->error, sizeof(reply->error), "%s",
			 curl_easy_strerror(rc));
	curl_easy_cleanup(c);
	free(url);
	if (rc == CURLE_WRITE_ERROR)
		return 0;
	return rc == CURLE_OK ? 0 : -1;
}

int container_request(const struct container_state *st, const char *method,
		      const char *path, int64_t end,
		      struct container_reply *reply)
{
	struct sink sink = { .body = &reply->body };

	buf_init(&reply->body, CT_BODY_CAP);
	reply->status = 0;
	return ct_perform(st, method, path, end, &sink, reply);
}

cJSON *container_inspect(const struct container_state *st, int64_t end,
			 const char **why, struct container_reply *reply)
{
	char *path = xasprintf("/containers/%s/json", st->name);
	cJSON *tree = NULL;

	*why = NULL;
	if (container_request(st, "GET", path, end, reply) < 0)
		*why = "unreachable";
	else if (reply->status == 404)
		*why = "no such container";
	else if (reply->status != 200)
		*why = "bad status";
	else if (!(tree = cJSON_Parse(buf_cstr(&reply->body))))
		*why = "not JSON";
	free(path);
	return tree;
}

static const cJSON *ct_get(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);

	return b ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

static const char *ct_str(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = ct_get(o, a, b);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static double ct_num(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = ct_get(o, a, b);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* State.Health.Status: "healthy", "unhealthy", "starting" or "". */
static const char *ct_health(const cJSON *in)
{
	return ct_str(ct_get(in, "State", "Health"), "Status", NULL);
}

int container_running(const cJSON *inspect)
{
	return cJSON_IsTrue(ct_get(inspect, "State", "Running")) &&
	       !container_restarting(inspect);
}

int container_restarting(const cJSON *inspect)
{
	return cJSON_IsTrue(ct_get(inspect, "State", "Restarting")) ||
	       !strcmp(ct_str(inspect, "State", "Status"), "restarting");
}

/* ---- configuration -------------------------------------------------- */

static void ct_release(void *state)
{
	struct container_state *st = state;

	if (!st)
		return;
	free(st->name);
	free(st->engine);
	free(st->socket);
	free(st->base_url);
	free(st->log_file);
	free(st);
}

/* unix:///path, tcp://host:port or http://host:port into the state. */
static int ct_parse_engine(struct container_state *st, const char *engine)
{
	st->engine = xstrdup(engine);
	if (!strncmp(engine, "unix://", 7) && engine[7] == '/') {
		st->socket = xstrdup(engine + 7);
		st->base_url = xstrdup("http://localhost");
		return 0;
	}
	if (!strncmp(engine, "tcp://", 6) && engine[6]) {
		st->base_url = xasprintf("http://%s", engine + 6);
		return 0;
	}
	if (!strncmp(engine, "http://", 7) && engine[7]) {
		st->base_url = xstrdup(engine);
		return 0;
	}
	return -1;
}

/* Container names and ids: [a-zA-Z0-9][a-zA-Z0-9_.-]* */
static int ct_name_valid(const char *name)
{
	if (!isalnum((unsigned char)name[0]))
		return 0;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return 0;
	return strlen(name) <= 128;
}

static int ct_prepare_fix(struct conf_ctx *cc, const cJSON *obj,
			  struct container_state *st)
{
	const cJSON *fix = cJSON_GetObjectItemCaseSensitive(obj, "fix");
	const cJSON *v;

	if (!fix)
		return 0;
	if (!cJSON_IsObject(fix))
		return conf_error(cc, fix, "key 'fix' must be an object such "
				  "as {\"restart\": true}");
	cJSON_ArrayForEach(v, fix) {
		if (strcmp(v->string, "restart") || !cJSON_IsBool(v))
			return conf_error(cc, v, "key 'fix' takes only "
					  "\"restart\": true or false");
		st->fix_restart = cJSON_IsTrue(v);
	}
	return 0;
}

static int ct_prepare_sigs(struct conf_ctx *cc, const cJSON *obj,
			   struct container_state *st)
{
	const char *sigs = conf_str(obj, "signatures", NULL);

	if (!sigs)
		st->sigs = CONTAINER_SIGS_AUTO;
	else if (!strcmp(sigs, "postgres"))
		st->sigs = CONTAINER_SIGS_POSTGRES;
	else if (!strcmp(sigs, "none"))
		st->sigs = CONTAINER_SIGS_NONE;
	else
		return conf_error(cc, cJSON_GetObjectItem(obj, "signatures"),
				  "key 'signatures' must be \"postgres\" or "
				  "\"none\"");
	return 0;
}

static int ct_prepare(struct conf_ctx *cc, const cJSON *obj, void **state)
{
	struct container_state *st = xcalloc(1, sizeof(*st));
	const char *name = conf_str(obj, "name", NULL);
	const char *engine = conf_str(obj, "engine", getenv("DOCKER_HOST"));
	const char *log_file = conf_str(obj, "log_file", NULL);
	double tail = conf_num(obj, "tail", CT_TAIL_DEFAULT);

	*state = st;
	if (!name && !log_file)
		return conf_error(cc, obj, "a container check needs 'name' "
				  "(a container) or 'log_file' (a "
				  "PostgreSQL log), or both");
	if (name && !ct_name_valid(name))
		return conf_error(cc, cJSON_GetObjectItem(obj, "name"),
				  "key 'name' must be a container name or id "
				  "(letters, digits, '_', '.', '-')");
	if (!engine || !*engine)
		engine = CT_DEFAULT_ENGINE;
	if (ct_parse_engine(st, engine) < 0)
		return conf_error(cc, obj, "engine \"%s\" must be "
				  "unix:///path/to.sock or tcp://host:port",
				  engine);
	if (tail < 1 || tail > CT_TAIL_MAX || tail != (int)tail)
		return conf_error(cc, cJSON_GetObjectItem(obj, "tail"),
				  "key 'tail' must be a whole number from 1 "
				  "to %d", CT_TAIL_MAX);
	st->tail = (int)tail;
	st->name = name ? xstrdup(name) : NULL;
	if (log_file)
		st->log_file = path_join(conf_base_dir(cc), log_file);
	if (ct_prepare_sigs(cc, obj, st) < 0)
		return -1;
	return ct_prepare_fix(cc, obj, st);
}

/* ---- reading logs ----------------------------------------------------- */

/* What the lines since the last start said. */
struct ct_logs {
	struct pgsig_scan scan;
	int classify;
	int64_t since;		/* epoch seconds; lines before are ignored */
	char *last[CT_EVIDENCE_LINES];	/* ring of the newest lines */
	size_t nlast;
	size_t lines;		/* lines that counted */
	int cut;		/* some line was longer than the cap */
};

static void ct_logs_init(struct ct_logs *l, int classify, int64_t since)
{
	memset(l, 0, sizeof(*l));
	pgsig_scan_init(&l->scan);
	l->classify = classify;
	l->since = since;
}

static void ct_logs_release(struct ct_logs *l)
{
	pgsig_scan_release(&l->scan);
	for (size_t i = 0; i < CT_EVIDENCE_LINES; i++)
		free(l->last[i]);
}

/* One line of the current run: keep it as evidence and classify it. */
static void ct_logs_add(struct ct_logs *l, const char *line, size_t len)
{
	size_t slot = l->nlast++ % CT_EVIDENCE_LINES;

	free(l->last[slot]);
	l->last[slot] = xstrndup(line, len < CT_EVIDENCE_BYTES ?
				 len : CT_EVIDENCE_BYTES);
	l->lines++;
	if (!l->classify)
		return;
	/* A new server start begins a new history. */
	if (memmem(line, len, "starting PostgreSQL ", 20)) {
		pgsig_scan_release(&l->scan);
		pgsig_scan_init(&l->scan);
	}
	pgsig_scan_line(&l->scan, line, len);
}

/* A container log line: "TIMESTAMP text", older than the start dropped. */
static void ct_on_line(void *data, int stream, const char *line, size_t len,
		       int cut)
{
	struct ct_logs *l = data;
	int64_t t;
	size_t used = dockerlog_parse_time(line, len, &t);

	l->cut |= cut;
	if (used) {
		if (t < l->since)
			return;
		line += used;
		len -= used;
		if (len && *line == ' ') {
			line++;
			len--;
		}
	}
	ct_logs_add(l, line, len);
}

/* Reads the container's log lines since its last start into l. */
static int ct_read_logs(const struct container_state *st, int tty,
			int64_t end, struct ct_logs *l, char *error,
			size_t errlen)
{
	char *path = xasprintf("/containers/%s/logs?stdout=1&stderr=1&"
			       "timestamps=1&tail=%d&since=%lld", st->name,
			       st->tail, (long long)l->since);
	struct container_reply reply = { 0 };
	struct dockerlog d;
	struct sink sink = { .body = &reply.body, .log = &d };
	int rc;

	dockerlog_init(&d, tty ? DOCKERLOG_RAW : DOCKERLOG_AUTO, CT_LINE_CAP,
		       ct_on_line, l);
	buf_init(&reply.body, 1);
	rc = ct_perform(st, "GET", path, end, &sink, &reply);
	dockerlog_finish(&d);
	dockerlog_release(&d);
	if (rc == 0 && reply.status != 200)
		snprintf(reply.error, sizeof(reply.error), "HTTP status %ld",
			 reply.status);
	snprintf(error, errlen, "%s", reply.error);
	buf_release(&reply.body);
	free(path);
	return rc == 0 && reply.status == 200 ? 0 : -1;
}

/* The last lines of a log file, classified as a server's log. */
static int ct_read_file(const char *path, struct ct_logs *l)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *data = xmalloc(CT_FILE_TAIL);
	off_t size = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	off_t from = size > CT_FILE_TAIL ? size - CT_FILE_TAIL : 0;
	ssize_t n = size >= 0 ? pread(fd, data, CT_FILE_TAIL, from) : -1;
	struct dockerlog d;
	int err = errno;

	if (fd >= 0)
		close(fd);
	if (n < 0) {
		free(data);
		errno = err;
		return -1;
	}
	dockerlog_init(&d, DOCKERLOG_RAW, CT_LINE_CAP, ct_on_line, l);
	/* A tail cut mid-line: skip to the first whole line. */
	if (from > 0 && memchr(data, '\n', (size_t)n)) {
		char *nl = memchr(data, '\n', (size_t)n);

		n -= nl + 1 - data;
		memmove(data, nl + 1, (size_t)n);
	}
	dockerlog_feed(&d, data, (size_t)n);
	dockerlog_finish(&d);
	dockerlog_release(&d);
	free(data);
	return 0;
}

/* ---- evaluating and recording ----------------------------------------- */

static void ct_push_evidence(struct result *res, const struct ct_logs *l)
{
	size_t n = l->nlast < CT_EVIDENCE_LINES ? l->nlast : CT_EVIDENCE_LINES;

	for (size_t i = l->nlast - n; i < l->nlast; i++)
		result_detail_push(res, "evidence",
				   l->last[i % CT_EVIDENCE_LINES]);
}

static void ct_record_findings(struct result *res, const struct ct_logs *l)
{
	static const char *const levels[] = { "ready", "client", "warn",
					      "fail" };
	cJSON *arr;

	if (!l->scan.n)
		return;
	arr = cJSON_AddArrayToObject(result_details(res), "findings");
	for (size_t i = 0; i < l->scan.n; i++) {
		const struct pgsig_finding *f = &l->scan.f[i];
		cJSON *o = cJSON_CreateObject();
		char *text = pgsig_describe(f);
		char *line = result_clean(f->line, strlen(f->line),
					  CT_EVIDENCE_BYTES);
		char *safe = result_clean(text, strlen(text), 0);

		cJSON_AddStringToObject(o, "signature", f->sig->name);
		cJSON_AddStringToObject(o, "level", levels[f->sig->level]);
		cJSON_AddStringToObject(o, "diagnosis", safe);
		cJSON_AddStringToObject(o, "hint", f->sig->hint);
		cJSON_AddNumberToObject(o, "count", f->count);
		cJSON_AddStringToObject(o, "line", line);
		cJSON_AddItemToArray(arr, o);
		free(text);
		free(line);
		free(safe);
	}
}

/* The worst finding at or above `level`, newest first among equals. */
static const struct pgsig_finding *ct_worst(const struct ct_logs *l,
					    enum pgsig_level level)
{
	const struct pgsig_finding *best = NULL;

	for (size_t i = 0; i < l->scan.n; i++)
		if (l->scan.f[i].sig->level >= level &&
		    (!best || l->scan.f[i].sig->level >= best->sig->level))
			best = &l->scan.f[i];
	return best;
}

/* "; 3 client errors in the log: ..." for a healthy server, or "". */
static char *ct_client_note(const struct ct_logs *l)
{
	struct buf b = BUF_INIT;
	unsigned total = 0;
	char *note;

	for (size_t i = 0; i < l->scan.n; i++) {
		const struct pgsig_finding *f = &l->scan.f[i];
		char *text;

		if (f->sig->level != PGSIG_CLIENT)
			continue;
		text = pgsig_describe(f);
		buf_addf(&b, "%s%s (%u)", total ? ", " : "", text, f->count);
		total += f->count;
		free(text);
	}
	note = total ? xasprintf("; warning, client errors in its log (the "
				 "server is fine): %s", buf_cstr(&b))
		     : xstrdup("");
	buf_release(&b);
	return note;
}

/* Appends ": diagnosis" of the worst server-side finding, and its hint. */
static char *ct_diagnosis(const struct ct_logs *l, const char **hint)
{
	const struct pgsig_finding *f = ct_worst(l, PGSIG_WARN);
	char *text, *out;

	if (!f)
		return xstrdup("");
	*hint = f->sig->hint;
	text = pgsig_describe(f);
	out = xasprintf(": %s", text);
	free(text);
	return out;
}

/* ---- the container part ----------------------------------------------- */

static void ct_fail_inspect(const struct container_state *st,
			    const char *why,
			    const struct container_reply *reply,
			    struct result *res)
{
	if (!strcmp(why, "unreachable")) {
		result_fail(res, "cannot reach the container engine at %s: %s",
			    st->engine, reply->error);
		result_hint(res, "start the engine (systemctl start docker, or "
			    "podman system service), or point 'engine' or "
			    "DOCKER_HOST at its socket");
	} else if (!strcmp(why, "no such container")) {
		result_fail(res, "no container named \"%s\" on %s", st->name,
			    st->engine);
		result_hint(res, "`docker ps -a` lists the containers; correct "
			    "'name', or create the container");
	} else {
		result_fail(res, "the container engine at %s gave a bad answer "
			    "(HTTP %ld, %s)", st->engine, reply->status, why);
		result_detail_strn(res, "engine_answer", reply->body.data ?
				   reply->body.data : "", reply->body.len);
	}
}

static void ct_record_state(const cJSON *in, struct result *res)
{
	result_detail_str(res, "state", ct_str(in, "State", "Status"));
	result_detail_num(res, "exit_code", ct_num(in, "State", "ExitCode"));
	result_detail_num(res, "oom_killed",
			  cJSON_IsTrue(ct_get(in, "State", "OOMKilled")));
	result_detail_num(res, "restart_count", ct_num(in, "RestartCount",
						       NULL));
	result_detail_str(res, "started_at", ct_str(in, "State", "StartedAt"));
	result_detail_str(res, "finished_at", ct_str(in, "State",
						      "FinishedAt"));
	result_detail_str(res, "image", ct_str(in, "Config", "Image"));
	if (*ct_health(in))
		result_detail_str(res, "health", ct_health(in));
}

/*
 * Postgres signatures apply: asked for, or the image, the name or the
 * command says so (the official image runs "docker-entrypoint.sh
 * postgres"; TimescaleDB's image name does not say postgres).
 */
static int ct_classify(const struct container_state *st, const cJSON *in)
{
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(in, "Args");
	const char *arg0 = cJSON_GetStringValue(cJSON_GetArrayItem(args, 0));

	if (st->sigs != CONTAINER_SIGS_AUTO)
		return st->sigs == CONTAINER_SIGS_POSTGRES;
	return strcasestr(ct_str(in, "Config", "Image"), "postgres") ||
	       strcasestr(st->name, "postgres") ||
	       strcasestr(ct_str(in, "Name", NULL), "postgres") ||
	       strstr(ct_str(in, "Path", NULL), "postgres") ||
	       (arg0 && strstr(arg0, "postgres"));
}

/* A stopped container: its exit and what its log says about it. */
static void ct_verdict_stopped(const struct container_state *st,
			       const cJSON *in, const struct ct_logs *l,
			       struct result *res)
{
	const char *status = ct_str(in, "State", "Status");
	const char *hint = NULL;
	char *diag = ct_diagnosis(l, &hint);
	int code = (int)ct_num(in, "State", "ExitCode");
	const char *oom = cJSON_IsTrue(ct_get(in, "State", "OOMKilled")) ?
			  ", killed for lack of memory (OOM)" : "";

	if (container_restarting(in))
		result_fail(res, "container %s is restarting in a loop (%d "
			    "restarts, last exit code %d%s)%s", st->name,
			    (int)ct_num(in, "RestartCount", NULL), code, oom,
			    diag);
	else if (!strcmp(status, "created"))
		result_fail(res, "container %s was created but never "
			    "started%s", st->name, diag);
	else if (!strcmp(status, "paused"))
		result_fail(res, "container %s is paused", st->name);
	else
		result_fail(res, "container %s %s with code %d%s at %s%s",
			    st->name, !strcmp(status, "dead") ? "died" :
			    "exited", code, oom, ct_str(in, "State",
						       "FinishedAt"), diag);
	result_hint(res, "%s", hint ? hint : "read the evidence lines (or "
		    "`docker logs`), repair the cause, then start the "
		    "container again");
	free(diag);
}

static void ct_verdict_running(const struct container_state *st,
			       const cJSON *in, const struct ct_logs *l,
			       struct result *res)
{
	const char *health = ct_health(in);
	const char *hint = NULL;
	char *diag = ct_diagnosis(l, &hint), *note = ct_client_note(l);
	enum pgsig_level worst = pgsig_scan_worst(&l->scan);

	if (!strcmp(health, "unhealthy"))
		result_fail(res, "container %s is running but its health check "
			    "says unhealthy%s", st->name, diag);
	else if (worst == PGSIG_FAIL)
		result_fail(res, "container %s is running but its log since "
			    "the start shows trouble%s", st->name, diag);
	else if (worst == PGSIG_WARN || !strcmp(health, "starting"))
		result_warn(res, "container %s is running%s%s", st->name,
			    !strcmp(health, "starting") ?
			    " (health check still starting)" : "", diag);
	else if (!l->classify)
		result_pass(res, "container %s is running since %s (%d "
			    "restarts)", st->name,
			    ct_str(in, "State", "StartedAt"),
			    (int)ct_num(in, "RestartCount", NULL));
	else
		result_pass(res, "container %s is running since %s (%d "
			    "restarts); %zu log line%s since the start, no "
			    "server problem%s", st->name,
			    ct_str(in, "State", "StartedAt"),
			    (int)ct_num(in, "RestartCount", NULL), l->lines,
			    l->lines == 1 ? "" : "s", note);
	if (hint && worst >= PGSIG_WARN)
		result_hint(res, "%s", hint);
	free(diag);
	free(note);
}

/* A socket path that does not exist fails at once, with its own words. */
static int ct_socket_missing(const struct container_state *st,
			     struct result *res)
{
	struct stat sb;

	if (!st->socket || stat(st->socket, &sb) == 0 || errno != ENOENT)
		return 0;
	result_fail(res, "the container engine socket %s does not exist",
		    st->socket);
	result_hint(res, "start the engine (systemctl start docker, or "
		    "podman system service unix://%s), or point 'engine' or "
		    "DOCKER_HOST at its socket", st->socket);
	return 1;
}

static void ct_run_container(const struct container_state *st, int64_t end,
			     struct result *res)
{
	struct container_reply reply = { 0 };
	const char *why;
	cJSON *in;
	struct ct_logs l;
	char error[256];
	int64_t started = 0;

	if (ct_socket_missing(st, res))
		return;
	in = container_inspect(st, end, &why, &reply);
	if (!in) {
		ct_fail_inspect(st, why, &reply, res);
		buf_release(&reply.body);
		return;
	}
	buf_release(&reply.body);
	ct_record_state(in, res);

	/* Never started: "0001-01-01T00:00:00Z"; read from the beginning. */
	if (!dockerlog_parse_time(ct_str(in, "State", "StartedAt"),
				  strlen(ct_str(in, "State", "StartedAt")),
				  &started) || started < 0)
		started = 0;
	ct_logs_init(&l, ct_classify(st, in), started);
	if (ct_read_logs(st, cJSON_IsTrue(ct_get(in, "Config", "Tty")), end,
			 &l, error, sizeof(error)) < 0)
		result_detail_str(res, "logs_error", error);
	result_detail_num(res, "log_lines", (double)l.lines);
	ct_push_evidence(res, &l);
	ct_record_findings(res, &l);

	if (container_running(in))
		ct_verdict_running(st, in, &l, res);
	else
		ct_verdict_stopped(st, in, &l, res);
	ct_logs_release(&l);
	cJSON_Delete(in);
}

/* ---- the log file part ------------------------------------------------ */

static void ct_run_file(const struct container_state *st,
			struct result *res)
{
	struct ct_logs l;
	const char *hint = NULL;
	char *diag, *note;
	enum pgsig_level worst;

	ct_logs_init(&l, 1, 0);
	if (ct_read_file(st->log_file, &l) < 0) {
		result_fail(res, "cannot read the log file %s: %s",
			    st->log_file, strerror(errno));
		ct_logs_release(&l);
		return;
	}
	result_detail_str(res, "log_file", st->log_file);
	result_detail_num(res, "log_lines", (double)l.lines);
	ct_push_evidence(res, &l);
	ct_record_findings(res, &l);
	worst = pgsig_scan_worst(&l.scan);
	diag = ct_diagnosis(&l, &hint);
	note = ct_client_note(&l);

	if (worst == PGSIG_FAIL)
		result_fail(res, "the log %s shows%s", st->log_file, diag);
	else if (worst == PGSIG_WARN)
		result_warn(res, "the log %s shows%s", st->log_file, diag);
	else
		result_pass(res, "no server problem in the last %zu lines of "
			    "%s%s", l.lines, st->log_file, note);
	if (hint)
		result_hint(res, "%s", hint);
	free(diag);
	free(note);
	ct_logs_release(&l);
}

static void ct_run(void *state, const struct check_ctx *ctx,
		   struct result *res)
{
	const struct container_state *st = state;
	int64_t left = deadline_left(ctx);
	int64_t end = now_ms() + left - (left / 10 < 50 ? left / 10 : 50);
	struct result file;

	if (!st->name) {
		ct_run_file(st, res);
		return;
	}
	ct_run_container(st, end, res);
	if (!st->log_file)
		return;

	/* Both: the container's verdict unless the file's is worse. */
	result_init(&file);
	ct_run_file(st, &file);
	if (file.status > res->status)
		result_move(res, &file);
	result_release(&file);
}

static const struct key_spec ct_keys[] = {
	{ "name", cJSON_String, 0 },
	{ "engine", cJSON_String, 0 },
	{ "tail", cJSON_Number, 0 },
	{ "signatures", cJSON_String, 0 },
	{ "log_file", cJSON_String, 0 },
	{ "fix", cJSON_Object, 0 },
	{ NULL, 0, 0 },
};

const struct check_type check_container = {
	.name = "container",
	.summary = "a container is running and its log since the start shows "
		   "no server problem",
	.example = "container gmail-backup-postgres exited with code 1 at "
		   "2026-12-03T12:57:55Z: the data directory was initialised "
		   "by PostgreSQL 13, which this server version cannot read",
	.example_hint = "run the image of the major version that made the "
			"data directory, or upgrade the data with pg_upgrade "
			"(or dump and restore)",
	.flags = CHECK_NETWORK | CHECK_CURL,
	.keys = ct_keys,
	.fix = "container-start",
	.prepare = ct_prepare,
	.run = ct_run,
	.release = ct_release,
};
