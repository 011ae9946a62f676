/*
 * One bounded HTTP request through libcurl, for the checks that speak
 * HTTP: it holds the check's deadline, caps the body it keeps, and sorts
 * the ways a request can fail into the few a person needs told apart.
 *
 *	struct fetch_reply rep;
 *	struct fetch_req req = { .url = url, .deadline = ctx->deadline };
 *
 *	fetch(&req, &rep);
 *	if (rep.error != FETCH_OK)
 *		result_fail(res, "%s: %s", url, fetch_error_phrase(&rep));
 *	fetch_reply_release(&rep);
 *
 * Requires curl_global_init() to have run (main does it).
 */
#ifndef PREFLIGHT_FETCH_H
#define PREFLIGHT_FETCH_H

#include <stddef.h>
#include <stdint.h>
#include <curl/curl.h>

#include "../core/util.h"

#define FETCH_MAX_BODY (1 << 20)

struct fetch_req {
	const char *url;
	const char *method;		/* NULL: GET */
	struct curl_slist *headers;	/* not owned; may be NULL */
	const char *body;		/* request body, or NULL */
	int follow_redirects;
	size_t max_body;		/* bytes kept; 0: FETCH_MAX_BODY */
	int64_t deadline;		/* now_ms() value */
};

enum fetch_error {
	FETCH_OK,		/* a complete response, whatever its status */
	FETCH_REFUSED,		/* nothing listens at the host and port */
	FETCH_UNRESOLVED,	/* the host name does not resolve */
	FETCH_CONNECT,		/* no connection for another reason */
	FETCH_TIMEOUT,		/* the deadline passed first */
	FETCH_TOO_LARGE,	/* the body passed max_body */
	FETCH_TLS,		/* TLS handshake or certificate */
	FETCH_CLOSED,		/* the peer closed before a whole response */
	FETCH_NOT_HTTP,		/* what came back is not HTTP */
	FETCH_OTHER,
};

struct fetch_reply {
	enum fetch_error error;
	long status;		/* 0 when no response came */
	struct buf body;	/* owned; at most max_body bytes */
	char *content_type;	/* owned, or NULL */
	double connect_ms, first_byte_ms, total_ms;
	double budget_s;	/* the time the request had */
	size_t max_body;
	char detail[CURL_ERROR_SIZE];	/* libcurl's own words, or "" */
};

/* Performs the request; returns 0 for FETCH_OK, -1 otherwise. */
int fetch(const struct fetch_req *req, struct fetch_reply *rep);
void fetch_reply_release(struct fetch_reply *rep);

/*
 * What went wrong, as a phrase to follow the URL: "connection refused:
 * nothing is listening there", "no complete response within the 5.0 s
 * deadline", ... (points into rep or static storage).
 */
const char *fetch_error_phrase(struct fetch_reply *rep);
/* What a person can do about it, as a sentence (static storage). */
const char *fetch_error_hint(const struct fetch_reply *rep);

#endif
