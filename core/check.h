/*
 * The contract between the runner and a check module.
 *
 * A module is one file in checks/ that exports a `struct check_type` and is
 * listed in checks/registry.c. Its life cycle, driven by the runner:
 *
 *   1. prepare() at config load, before anything runs: validate the check's
 *      object and build private state. Errors go through conf_error(), which
 *      names the file, line, column, check id and key. Nothing is probed.
 *   2. run() once per attempt, on a worker thread, possibly at the same time
 *      as other checks. It must finish by ctx->deadline (a now_ms() value):
 *      every wait it makes is bounded by deadline_left(ctx). It reads its
 *      state without changing it and writes only to `res`.
 *   3. release() at exit.
 *
 * A failed check is data, not an error: run() records fail and returns.
 *
 * Cross-references: a check that diagnoses a problem another check type
 * owns (a log line saying a module is missing points at python-deps) adds
 * to details an array "see" of objects {"type": NAME, "why": TEXT}. After
 * the run the runner adds "id" to each entry whose type has a check in the
 * same run, so a reader finds the root cause once.
 */
#ifndef PREFLIGHT_CHECK_H
#define PREFLIGHT_CHECK_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "result.h"

struct conf_ctx;

/* Flags on a check type; the runner and --list act on them. */
enum {
	CHECK_NETWORK = 1 << 0,	/* talks to other hosts or services */
	CHECK_SLOW = 1 << 1,	/* may start programs */
	CHECK_CURL = 1 << 2,	/* uses libcurl: it is set up only for these */
};

/* One allowed key of a check's config object and the JSON types it takes. */
struct key_spec {
	const char *name;
	int types;		/* cJSON type bits, e.g. cJSON_String|cJSON_Array */
	int required;
};
#define JSON_BOOL (cJSON_True | cJSON_False)

struct check_ctx {
	const char *id;
	int64_t deadline;	/* now_ms() value the run must end by */
	const char *base_dir;	/* directory of the config file, or cwd */
	int verbose;
};

struct check_type {
	const char *name;
	const char *summary;	/* one line for --list and --help */
	/* A failure as this type words it, and its hint, for --explain. */
	const char *example;
	const char *example_hint;	/* may be NULL */
	unsigned flags;
	/* Keys besides the common ones (id, type, needs, ...); NULL-ended. */
	const struct key_spec *keys;
	/* Name of the fix in fixes/registry.c that repairs it, or NULL. */
	const char *fix;
	int (*prepare)(struct conf_ctx *cc, const cJSON *obj, void **state);
	void (*run)(void *state, const struct check_ctx *ctx,
		    struct result *res);
	void (*release)(void *state);
	/*
	 * Optional: the type's part of the built-in default profile. Appends
	 * check objects to `checks` for what it finds in `cwd` and the
	 * environment (it may look at entries earlier types added, to name
	 * them in `needs`). Must be cheap: no network, no child processes.
	 */
	void (*discover)(const char *cwd, cJSON *checks);
};

/* Milliseconds left before the deadline; 0 once it has passed. */
int64_t deadline_left(const struct check_ctx *ctx);

/*
 * Config errors from prepare(). `at` is the offending value (or the check
 * object itself); its line and column come from the source text. Returns
 * -1 so prepare can `return conf_error(...)`.
 */
int conf_error(struct conf_ctx *cc, const cJSON *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Directory relative paths in this config resolve against. */
const char *conf_base_dir(const struct conf_ctx *cc);
/* The check's timeout in milliseconds (for types that size buffers). */
int64_t conf_timeout_ms(const struct conf_ctx *cc);

/*
 * Typed getters for prepare(): NULL/default when absent; a present value of
 * the wrong type has already been refused by the key_spec check.
 */
const char *conf_str(const cJSON *obj, const char *key, const char *def);
double conf_num(const cJSON *obj, const char *key, double def);
int conf_bool(const cJSON *obj, const char *key, int def);
/*
 * Copies an array of strings into a NULL-ended vector (the caller frees it
 * with strv_free). A non-string element is refused through conf_error.
 */
int conf_strv(struct conf_ctx *cc, const cJSON *arr, const char *key,
	      char ***out);
void strv_free(char **v);
size_t strv_len(char *const *v);

/* The table in checks/registry.c, NULL-ended. */
extern const struct check_type *const check_types[];
const struct check_type *check_type_find(const char *name);

#endif
