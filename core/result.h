/*
 * The outcome of one check: a status ranked by severity, a sentence for a
 * person, a hint saying what to do, and machine-readable details. Every
 * format renders this same tree (report/report.h).
 *
 * Strings passed to the setters may come from servers, logs or child
 * processes: the setters sanitize them (valid UTF-8, no control bytes, a
 * length cap) and scrub registered secrets before storing, so renderers can
 * print them as they are.
 */
#ifndef PREFLIGHT_RESULT_H
#define PREFLIGHT_RESULT_H

#include <stdint.h>
#include <cjson/cJSON.h>

/* Ordered by severity: the worst status of a run is its status. */
enum status { STATUS_PASS = 0, STATUS_SKIP, STATUS_WARN, STATUS_FAIL };

const char *status_name(enum status s);

/* What a fix did, recorded on the result of the check it repaired. */
struct fix_record {
	char *name;
	cJSON *actions;		/* array of strings, owned */
	int attempted;		/* the fix was run (or dry-run) */
	int applied;		/* it changed something and reported success */
	int dry_run;
	char *error;		/* why it failed, or NULL; owned */
	char *output;		/* tail of a child's output, or NULL; owned */
	enum status recheck;	/* status of the check run again afterwards */
	int rechecked;
};

struct result {
	enum status status;	/* after severity mapping */
	int failed;		/* the check itself failed (before mapping) */
	char *message;		/* owned; never NULL once a run finished */
	char *hint;		/* owned, may be NULL */
	cJSON *details;		/* object, owned, may be NULL */
	int64_t duration_ms;
	int attempts;		/* runs of this check (--wait re-runs) */
	struct fix_record *fix;	/* owned, NULL unless a fix was tried */
	int timed_out;		/* the runner cut it at its deadline */
};

void result_init(struct result *r);
void result_release(struct result *r);
/* Moves src into dst (dst released first); src is left initialised. */
void result_move(struct result *dst, struct result *src);

/* Set status and message; the last call wins. */
void result_pass(struct result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void result_warn(struct result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void result_fail(struct result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void result_skip(struct result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void result_hint(struct result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The details object, created on first use; owned by r. */
cJSON *result_details(struct result *r);
/* Adds details[key] = sanitized, scrubbed copy of s[0..len). */
void result_detail_str(struct result *r, const char *key, const char *s);
void result_detail_strn(struct result *r, const char *key, const char *s,
			size_t len);
void result_detail_num(struct result *r, const char *key, double v);
/* Appends a sanitized string to details[key], an array made on first use. */
void result_detail_push(struct result *r, const char *key, const char *s);

/* A sanitized, scrubbed copy of untrusted bytes, at most max bytes. */
char *result_clean(const char *s, size_t len, size_t max);

void fix_record_free(struct fix_record *f);
/* Adds a sanitized, scrubbed action line to f->actions. */
void fix_record_action(struct fix_record *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
