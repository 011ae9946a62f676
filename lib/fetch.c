/*
 * Bounded HTTP requests: the deadline becomes libcurl's timeouts, the
 * body lands in a capped buffer, and libcurl's error codes become the
 * handful of failures a report tells apart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	buf_add(b, data, size * n);
	return b->truncated ? 0 : size * n;
}

static CURL *make_handle(const struct fetch_req *req, struct fetch_reply *rep)
{
	CURL *c = curl_easy_init();
	long left = (long)(rep->budget_s * 1000);

	if (!c)
		return NULL;
	if (left < 1)
		left = 1;
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, rep->detail);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, left);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, (long)req->follow_redirects);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "preflight/" PREFLIGHT_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, req->headers);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &rep->body);
	if (req->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(req->body));
	}
	if (req->method && !strcmp(req->method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (req->method && (strcmp(req->method, "GET") || req->body))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	return c;
}

static enum fetch_error classify(CURLcode rc, long oserr)
{
	switch (rc) {
	case CURLE_OK:
		return FETCH_OK;
	case CURLE_COULDNT_CONNECT:
		return oserr == ECONNREFUSED ? FETCH_REFUSED : FETCH_CONNECT;
	case CURLE_COULDNT_RESOLVE_HOST:
		return FETCH_UNRESOLVED;
	case CURLE_OPERATION_TIMEDOUT:
		return FETCH_TIMEOUT;
	case CURLE_WRITE_ERROR:
		return FETCH_TOO_LARGE;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		return FETCH_TLS;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return FETCH_CLOSED;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return FETCH_NOT_HTTP;
	default:
		return FETCH_OTHER;
	}
}

static void record_info(CURL *c, struct fetch_reply *rep)
{
	char *ct = NULL;
	double s = 0;

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rep->status);
	curl_easy_getinfo(c, CURLINFO_CONNECT_TIME, &s);
	rep->connect_ms = s * 1000;
	curl_easy_getinfo(c, CURLINFO_STARTTRANSFER_TIME, &s);
	rep->first_byte_ms = s * 1000;
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &s);
	rep->total_ms = s * 1000;
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	if (ct)
		rep->content_type = xstrdup(ct);
}

int fetch(const struct fetch_req *req, struct fetch_reply *rep)
{
	int64_t left = req->deadline - now_ms();
	long oserr = 0;
	CURLcode rc;
	CURL *c;

	memset(rep, 0, sizeof(*rep));
	rep->max_body = req->max_body ? req->max_body : FETCH_MAX_BODY;
	rep->budget_s = left > 0 ? (double)left / 1000 : 0;
	buf_init(&rep->body, rep->max_body);
	c = make_handle(req, rep);
	if (!c) {
		rep->error = FETCH_OTHER;
		snprintf(rep->detail, sizeof(rep->detail),
			 "libcurl could not set up a request");
		return -1;
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &oserr);
	record_info(c, rep);
	rep->error = classify(rc, oserr);
	if (rc != CURLE_OK && !rep->detail[0])
		snprintf(rep->detail, sizeof(rep->detail), "%s",
			 curl_easy_strerror(rc));
	curl_easy_cleanup(c);
	return rep->error == FETCH_OK ? 0 : -1;
}

void fetch_reply_release(struct fetch_reply *rep)
{
	buf_release(&rep->body);
	free(rep->content_type);
	rep->content_type = NULL;
}

const char *fetch_error_phrase(struct fetch_reply *rep)
{
	static __thread char phrase[CURL_ERROR_SIZE + 96];

	switch (rep->error) {
	case FETCH_OK:
		return "no error";
	case FETCH_REFUSED:
		return "connection refused: nothing is listening there";
	case FETCH_UNRESOLVED:
		return "the host name does not resolve";
	case FETCH_TIMEOUT:
		snprintf(phrase, sizeof(phrase), "no complete response within "
			 "the %.1f s deadline", rep->budget_s);
		return phrase;
	case FETCH_TOO_LARGE:
		snprintf(phrase, sizeof(phrase), "the response is larger than "
			 "the %zu-byte limit", rep->max_body);
		return phrase;
	case FETCH_TLS:
		snprintf(phrase, sizeof(phrase), "TLS failure: %s", rep->detail);
		return phrase;
	case FETCH_CLOSED:
		snprintf(phrase, sizeof(phrase), "the connection closed before "
			 "a complete response: %s", rep->detail);
		return phrase;
	case FETCH_NOT_HTTP:
		snprintf(phrase, sizeof(phrase), "the answer is not HTTP (%s)",
			 rep->detail);
		return phrase;
	case FETCH_CONNECT:
		snprintf(phrase, sizeof(phrase), "cannot connect: %s",
			 rep->detail);
		return phrase;
	case FETCH_OTHER:
		break;
	}
	snprintf(phrase, sizeof(phrase), "request failed: %s", rep->detail);
	return phrase;
}

const char *fetch_error_hint(const struct fetch_reply *rep)
{
	switch (rep->error) {
	case FETCH_REFUSED:
		return "start the service, or check the host and port in the "
		       "URL";
	case FETCH_UNRESOLVED:
		return "check the spelling of the host, or /etc/hosts and DNS "
		       "on this machine";
	case FETCH_CONNECT:
		return "check that the host is up and that no firewall is in "
		       "the way";
	case FETCH_TIMEOUT:
		return "the service did not answer in time: it may be hung or "
		       "overloaded, or the deadline (\"timeout\") too short";
	case FETCH_TOO_LARGE:
		return "raise \"max_body\" if a body this large is expected";
	case FETCH_TLS:
		return "check the server's certificate and that the URL's "
		       "scheme matches what the server speaks";
	case FETCH_CLOSED:
		return "the service may have crashed while answering; look at "
		       "its logs";
	case FETCH_NOT_HTTP:
		return "something other than an HTTP server listens on that "
		       "port, or it speaks HTTPS: check the port and the URL's "
		       "scheme";
	default:
		return "look at the service's logs";
	}
}
