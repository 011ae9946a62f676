/*
 * tcp: can a connection be opened to each target? The first question when
 * a backend or a database seems down: is anything listening at all, and is
 * the host name even known.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../core/check.h"
#include "../core/util.h"

#define MAX_TARGETS 64

struct target {
	char *text;		/* as configured, for messages */
	char *host;
	char *port;
};

struct tcp_state {
	struct target *targets;
	size_t n;
};

/* One probe in flight: the addresses of a target and the socket tried. */
struct probe {
	const struct target *t;
	struct addrinfo *ai_list, *ai;
	int fd;
	int done;		/* 1 reachable, -1 not */
	int err;		/* errno of the last failure */
	const char *why;	/* a phrase for the message */
	int64_t started;
	int64_t connect_ms;
};

/* Splits "host:port" or "[v6]:port"; returns -1 if malformed. */
static int split_target(const char *s, struct target *t)
{
	const char *colon;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':' || close == s + 1)
			return -1;
		t->host = xstrndup(s + 1, (size_t)(close - s - 1));
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || colon == s || memchr(s, ':', (size_t)(colon - s)))
			return -1;
		t->host = xstrndup(s, (size_t)(colon - s));
	}
	if (!colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    atoi(colon + 1) < 1 || atoi(colon + 1) > 65535) {
		free(t->host);
		t->host = NULL;
		return -1;
	}
	t->port = xstrdup(colon + 1);
	t->text = xstrdup(s);
	return 0;
}

static void tcp_release(void *state)
{
	struct tcp_state *st = state;
	size_t i;

	for (i = 0; i < st->n; i++) {
		free(st->targets[i].text);
		free(st->targets[i].host);
		free(st->targets[i].port);
	}
	free(st->targets);
	free(st);
}

static int tcp_prepare(struct conf_ctx *cc, const cJSON *obj, void **state)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "targets");
	struct tcp_state *st = xcalloc(1, sizeof(*st));
	const cJSON *v;

	*state = st;
	if (cJSON_GetArraySize(arr) < 1 || cJSON_GetArraySize(arr) > MAX_TARGETS)
		return conf_error(cc, arr, "key 'targets' must list 1 to %d "
				  "\"host:port\" strings", MAX_TARGETS);
	st->targets = xcalloc((size_t)cJSON_GetArraySize(arr), sizeof(*st->targets));
	cJSON_ArrayForEach(v, arr) {
		if (!cJSON_IsString(v) ||
		    split_target(v->valuestring, &st->targets[st->n]) < 0)
			return conf_error(cc, v, "key 'targets': each target "
					  "must be \"host:port\" or "
					  "\"[ipv6]:port\" with a port from 1 "
					  "to 65535");
		st->n++;
	}
	return 0;
}

/* Starts a non-blocking connect to the probe's next address. */
static void probe_next(struct probe *p)
{
	for (; p->ai; p->ai = p->ai->ai_next) {
		p->fd = socket(p->ai->ai_family,
			       p->ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			       p->ai->ai_protocol);
		if (p->fd < 0) {
			p->err = errno;
			continue;
		}
		if (connect(p->fd, p->ai->ai_addr, p->ai->ai_addrlen) == 0) {
			p->done = 1;
			return;
		}
		if (errno == EINPROGRESS)
			return;
		p->err = errno;
		close(p->fd);
		p->fd = -1;
	}
	p->done = -1;
	p->why = p->err == ECONNREFUSED ? "connection refused" : strerror(p->err);
}

static void probe_start(struct probe *p, const struct target *t)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_ADDRCONFIG };
	int rc;

	p->t = t;
	p->fd = -1;
	p->started = now_ms();
	rc = getaddrinfo(t->host, t->port, &hints, &p->ai_list);
	if (rc) {
		p->done = -1;
		p->why = rc == EAI_NONAME || rc == EAI_FAIL || rc == EAI_NODATA
				 ? "host name does not resolve"
				 : gai_strerror(rc);
		p->err = -1;
		return;
	}
	p->ai = p->ai_list;
	probe_next(p);
}

/* The socket became writable: connected, or refused. */
static void probe_ready(struct probe *p)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	if (soerr == 0) {
		p->done = 1;
		return;
	}
	p->err = soerr;
	close(p->fd);
	p->fd = -1;
	p->ai = p->ai->ai_next;
	probe_next(p);
	if (p->done < 0)
		p->err = soerr;
	if (p->done < 0)
		p->why = soerr == ECONNREFUSED ? "connection refused"
					       : strerror(soerr);
}

/* Polls every probe still connecting until all are settled or time is up. */
static void poll_probes(struct probe *p, size_t n, const struct check_ctx *ctx)
{
	struct pollfd *pfd = xcalloc(n, sizeof(*pfd));
	size_t i, live;

	for (;;) {
		for (i = live = 0; i < n; i++) {
			pfd[i].fd = p[i].done ? -1 : p[i].fd;
			pfd[i].events = POLLOUT;
			pfd[i].revents = 0;
			live += !p[i].done;
		}
		if (!live || deadline_left(ctx) <= 0)
			break;
		if (poll(pfd, n, (int)deadline_left(ctx)) < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++)
			if (pfd[i].revents && !p[i].done)
				probe_ready(&p[i]);
	}
	for (i = 0; i < n; i++) {
		if (!p[i].done) {
			p[i].done = -1;
			p[i].why = "no answer before the deadline (connection "
				   "timed out; a firewall may drop packets)";
		}
		p[i].connect_ms = now_ms() - p[i].started;
	}
	free(pfd);
}

static void record(struct result *res, const struct probe *p, size_t n)
{
	cJSON *arr = cJSON_AddArrayToObject(result_details(res), "targets");
	size_t i;

	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "target", p[i].t->text);
		cJSON_AddBoolToObject(o, "reachable", p[i].done > 0);
		if (p[i].done < 0)
			cJSON_AddStringToObject(o, "error", p[i].why);
		cJSON_AddNumberToObject(o, "connect_ms", (double)p[i].connect_ms);
		cJSON_AddItemToArray(arr, o);
	}
}

static void tcp_run(void *state, const struct check_ctx *ctx,
		    struct result *res)
{
	const struct tcp_state *st = state;
	struct probe *p = xcalloc(st->n, sizeof(*p));
	struct buf bad = BUF_INIT;
	size_t i, nbad = 0;

	for (i = 0; i < st->n; i++)
		probe_start(&p[i], &st->targets[i]);
	poll_probes(p, st->n, ctx);
	record(res, p, st->n);

	for (i = 0; i < st->n; i++) {
		if (p[i].fd >= 0)
			close(p[i].fd);
		if (p[i].ai_list)
			freeaddrinfo(p[i].ai_list);
		if (p[i].done > 0)
			continue;
		buf_addf(&bad, "%s%s: %s", nbad ? "; " : "", p[i].t->text,
			 p[i].why);
		nbad++;
	}
	if (!nbad)
		result_pass(res, "%s reachable", st->n == 1 ? st->targets[0].text
				: "all targets");
	else if (st->n == 1)
		result_fail(res, "cannot connect to %s", buf_cstr(&bad));
	else
		result_fail(res, "%zu of %zu targets unreachable: %s", nbad,
			    st->n, buf_cstr(&bad));
	if (nbad)
		result_hint(res, "start the service that should listen there, "
			    "or correct the host and port in the config");
	buf_release(&bad);
	free(p);
}

/* "host:port" of a URL, with the scheme's port when none is given. */
static char *tcp_target_of_url(const char *url)
{
	const char *host = strstr(url, "://");
	const char *end, *close;
	int has_port;

	host = host ? host + 3 : url;
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)))
		host = (const char *)memchr(host, '@', (size_t)(end - host)) + 1;
	close = host[0] == '[' ? memchr(host, ']', (size_t)(end - host)) : NULL;
	if (close)
		has_port = close + 1 < end && close[1] == ':';
	else
		has_port = memchr(host, ':', (size_t)(end - host)) != NULL;
	if (has_port)
		return xstrndup(host, (size_t)(end - host));
	return xasprintf("%.*s:%s", (int)(end - host), host,
			 strncmp(url, "https:", 6) ? "80" : "443");
}

/* The default profile: is anything listening where the backend should be? */
static void tcp_discover(const char *cwd, cJSON *checks)
{
	const char *url = getenv("PREFLIGHT_BACKEND_URL");
	cJSON *c = cJSON_CreateObject(), *arr;
	char *target;

	if (!url || !*url)
		url = "http://localhost:8000";
	target = tcp_target_of_url(url);
	cJSON_AddStringToObject(c, "id", "backend-port");
	cJSON_AddStringToObject(c, "type", "tcp");
	cJSON_AddStringToObject(c, "description",
				"the backend accepts TCP connections");
	arr = cJSON_AddArrayToObject(c, "targets");
	cJSON_AddItemToArray(arr, cJSON_CreateString(target));
	cJSON_AddItemToArray(checks, c);
	free(target);
}

static const struct key_spec tcp_keys[] = {
	{ "targets", cJSON_Array, 1 },
	{ NULL, 0, 0 },
};

const struct check_type check_tcp = {
	.name = "tcp",
	.summary = "a TCP connection can be opened to each host:port",
	.example = "cannot connect to localhost:5432: connection refused",
	.example_hint = "start the service that should listen there, or correct the host and port in the config",
	.flags = CHECK_NETWORK,
	.keys = tcp_keys,
	.prepare = tcp_prepare,
	.run = tcp_run,
	.release = tcp_release,
	.discover = tcp_discover,
};
