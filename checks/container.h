/*
 * What the container check shares with its fix (fixes/container_start.c):
 * the prepared state and the small Docker Engine API client both use.
 *
 * The engine is reached over HTTP, on a unix socket (unix:///path) or TCP
 * (tcp://host:port), with libcurl; never through the docker program.
 * Every request is bounded by an end time (a now_ms() value) and its
 * answer is kept up to a cap.
 */
#ifndef PREFLIGHT_CHECK_CONTAINER_H
#define PREFLIGHT_CHECK_CONTAINER_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "../core/util.h"

enum container_sigs { CONTAINER_SIGS_AUTO, CONTAINER_SIGS_POSTGRES,
		      CONTAINER_SIGS_NONE };

struct container_state {
	char *name;		/* container name or id; NULL: log_file only */
	char *engine;		/* as configured or defaulted, for messages */
	char *socket;		/* unix socket path, or NULL for TCP */
	char *base_url;		/* "http://localhost" or "http://host:port" */
	int tail;		/* log lines to read */
	enum container_sigs sigs;
	char *log_file;		/* absolute path, or NULL */
	int fix_restart;	/* "fix": {"restart": true} */
};

/* An answer from the engine. */
struct container_reply {
	long status;		/* HTTP status, 0 when no answer came */
	struct buf body;	/* capped */
	char error[256];	/* libcurl's reason when status is 0 */
};

/*
 * Sends METHOD path (e.g. "/containers/db/json") to the engine and waits
 * for the answer until `end`. Returns 0 when an HTTP answer came (any
 * status), -1 when the engine could not be reached (reply->error says
 * why). Release reply->body afterwards.
 */
int container_request(const struct container_state *st, const char *method,
		      const char *path, int64_t end,
		      struct container_reply *reply);

/*
 * GET /containers/NAME/json parsed. Returns the tree (the caller deletes
 * it) or NULL with *why set to a static sentence: engine unreachable,
 * no such container, or a bad answer.
 */
cJSON *container_inspect(const struct container_state *st, int64_t end,
			 const char **why, struct container_reply *reply);

/*
 * State of an inspect tree: running (and not restarting; Docker says
 * Running while it restarts a container), or restarting.
 */
int container_running(const cJSON *inspect);
int container_restarting(const cJSON *inspect);

#endif
