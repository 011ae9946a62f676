/*
 * Fuzzes the http check's JSON expectation matching end to end: the first
 * line of the input is the config's expect.json (JSON, or else a string),
 * the rest the body a loopback server answers with. The check must pass
 * or fail with a sentence, whatever the two are.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include <curl/curl.h>

#include "fuzz.h"
#include "../../core/config.h"
#include "../../core/secret.h"
#include "../../core/util.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *body;		/* ours: the server may outlive an input */
static size_t body_len;
static int port;

static void answer(int fd)
{
	char req[4096], head[128];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(req) - 1 &&
	       (n = read(fd, req + got, sizeof(req) - 1 - got)) > 0) {
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	pthread_mutex_lock(&lock);
	n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: "
		     "application/json\r\nContent-Length: %zu\r\nConnection: "
		     "close\r\n\r\n", body_len);
	if (send(fd, head, (size_t)n, MSG_NOSIGNAL) == n)
		send(fd, body, body_len, MSG_NOSIGNAL);
	pthread_mutex_unlock(&lock);
	close(fd);
}

static void *serve(void *arg)
{
	int lfd = *(int *)arg, fd;

	while ((fd = accept(lfd, NULL, NULL)) >= 0)
		answer(fd);
	return NULL;
}

static void start_server(void)
{
	static int lfd;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	pthread_t tid;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 16) || getsockname(lfd, (struct sockaddr *)&sa, &len))
		abort();
	port = ntohs(sa.sin_port);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (pthread_create(&tid, NULL, serve, &lfd))
		abort();
}

static char *config_text(const char *want)
{
	cJSON *root = cJSON_CreateObject(), *c = cJSON_CreateObject();
	cJSON *expect = cJSON_CreateObject(), *json = cJSON_Parse(want);
	char url[64], *text;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/health", port);
	cJSON_AddStringToObject(c, "id", "health");
	cJSON_AddStringToObject(c, "type", "http");
	cJSON_AddStringToObject(c, "url", url);
	cJSON_AddItemToObject(expect, "json",
			      json ? json : cJSON_CreateString(want));
	cJSON_AddItemToObject(c, "expect", expect);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "checks"), c);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}

static void run_check(const struct check *c)
{
	struct check_ctx ctx = { .id = c->id, .deadline = now_ms() + 2000 };
	struct result res;

	result_init(&res);
	c->type->run(c->state, &ctx, &res);
	if (!res.message)
		abort();
	result_release(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_opts opts = { .default_timeout_ms = 2000 };
	struct config cfg;
	char *want, *text, *cause = NULL;

	if (!port)
		start_server();
	want = fuzz_field(&data, &size);
	pthread_mutex_lock(&lock);
	free(body);
	body = fuzz_cstr(data, size);
	body_len = size;
	pthread_mutex_unlock(&lock);
	text = config_text(want);
	if (config_load_text(&cfg, text, strlen(text), "fuzz.json", "/", &opts,
			     &cause) == 0)
		run_check(&cfg.checks[0]);
	config_release(&cfg);
	secret_clear();
	free(cause);
	free(text);
	free(want);
	return 0;
}
