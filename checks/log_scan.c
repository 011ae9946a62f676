/*
 * log-scan: does a service's log say what is wrong with it? The sync
 * worker's log said "No module named 'aiohttp'" long before anyone read
 * it; this check reads the end of the log, recognises known failures and
 * points at the check whose fix repairs the cause.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/check.h"
#include "../core/util.h"
#include "../lib/logsig.h"
#include "../lib/logtail.h"
#include "service.h"

#define LOGSCAN_TAIL 2000
#define LOGSCAN_TAIL_MAX 1000000
#define LOGSCAN_MAX_LOGS 16

struct logscan_state {
	char *path;		/* as configured, for messages */
	char *abs;
	struct logsig_set *set;
	int64_t since_s;	/* only lines this recent; 0: no limit */
	size_t tail;		/* lines read from the end */
};

static void logscan_release(void *state)
{
	struct logscan_state *st = state;

	if (!st)
		return;
	free(st->path);
	free(st->abs);
	logsig_set_free(st->set);
	free(st);
}

/* "90", 90, "90s", "15m", "2h", "1d": seconds, or -1. */
static int64_t parse_duration(const cJSON *v)
{
	const char *s = cJSON_GetStringValue(v);
	char *end;
	double n;

	if (cJSON_IsNumber(v))
		return v->valuedouble > 0 ? (int64_t)v->valuedouble : -1;
	n = strtod(s, &end);
	if (end == s || n <= 0)
		return -1;
	if (!*end || !strcmp(end, "s"))
		return (int64_t)n;
	if (!strcmp(end, "m"))
		return (int64_t)(n * 60);
	if (!strcmp(end, "h"))
		return (int64_t)(n * 3600);
	if (!strcmp(end, "d"))
		return (int64_t)(n * 86400);
	return -1;
}

static int add_catalogues(struct conf_ctx *cc, const cJSON *obj,
			  struct logsig_set *set)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "signatures");
	const cJSON *v;
	char *cause = NULL;

	if (!arr)
		return logsig_set_add_catalogue(set, "python", &cause);
	cJSON_ArrayForEach(v, arr) {
		if (!cJSON_IsString(v))
			return conf_error(cc, v, "key 'signatures': each entry "
					  "must be a catalogue name (known: "
					  "python)");
		if (logsig_set_add_catalogue(set, v->valuestring, &cause)) {
			conf_error(cc, v, "key 'signatures': %s", cause);
			free(cause);
			return -1;
		}
	}
	return 0;
}

static const char *const pattern_keys[] = {
	"regex", "severity", "diagnosis", "hint", "see", "name", NULL,
};

static int check_pattern_keys(struct conf_ctx *cc, const cJSON *p)
{
	const cJSON *k;

	cJSON_ArrayForEach(k, p) {
		size_t i;

		for (i = 0; pattern_keys[i]; i++)
			if (!strcmp(k->string, pattern_keys[i]))
				break;
		if (!pattern_keys[i])
			return conf_error(cc, k, "unknown key 'patterns[].%s' "
					  "(known: regex, severity, diagnosis, "
					  "hint, see, name)", k->string);
		if (!cJSON_IsString(k))
			return conf_error(cc, k, "key 'patterns[].%s' must be "
					  "a string", k->string);
	}
	return 0;
}

static int add_pattern(struct conf_ctx *cc, const cJSON *p,
		       struct logsig_set *set)
{
	struct logsig sig = { 0 };
	const char *sev = conf_str(p, "severity", "fail");
	char *cause = NULL;

	if (!cJSON_IsObject(p))
		return conf_error(cc, p, "key 'patterns': each entry must be "
				  "an object {regex, severity, diagnosis, "
				  "hint}");
	if (check_pattern_keys(cc, p) < 0)
		return -1;
	sig.pattern = conf_str(p, "regex", NULL);
	if (!sig.pattern || !*sig.pattern)
		return conf_error(cc, p, "key 'patterns[].regex' is required");
	if (strcmp(sev, "fail") && strcmp(sev, "warn"))
		return conf_error(cc, cJSON_GetObjectItem(p, "severity"),
				  "key 'patterns[].severity' must be "
				  "\"fail\" or \"warn\", not \"%s\"", sev);

	sig.name = conf_str(p, "name", NULL);
	sig.severity = strcmp(sev, "warn") ? STATUS_FAIL : STATUS_WARN;
	sig.diagnosis = conf_str(p, "diagnosis", "the log says: $0");
	sig.hint = conf_str(p, "hint", NULL);
	sig.see = conf_str(p, "see", NULL);
	if (sig.see)
		sig.why = "a configured log pattern points at it";
	if (logsig_set_add(set, &sig, &cause) < 0) {
		conf_error(cc, cJSON_GetObjectItem(p, "regex"),
			   "key 'patterns[].regex': %s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static int prepare_matching(struct conf_ctx *cc, const cJSON *obj,
			    struct logscan_state *st)
{
	const cJSON *v;
	char *cause = NULL;

	if (add_catalogues(cc, obj, st->set) < 0)
		return -1;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(obj, "patterns"))
		if (add_pattern(cc, v, st->set) < 0)
			return -1;

	v = cJSON_GetObjectItemCaseSensitive(obj, "start_marker");
	if (v && logsig_set_add_marker(st->set, v->valuestring, &cause) < 0) {
		conf_error(cc, v, "key 'start_marker': %s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static int logscan_prepare(struct conf_ctx *cc, const cJSON *obj,
			   void **state)
{
	struct logscan_state *st = xcalloc(1, sizeof(*st));
	const char *path = conf_str(obj, "path", "");
	const cJSON *v;

	*state = st;
	st->set = logsig_set_new();
	if (!*path)
		return conf_error(cc, cJSON_GetObjectItem(obj, "path"),
				  "key 'path' must name the service's log");
	st->path = xstrdup(path);
	st->abs = path_join(conf_base_dir(cc), path);

	v = cJSON_GetObjectItemCaseSensitive(obj, "since");
	if (v && (st->since_s = parse_duration(v)) < 0)
		return conf_error(cc, v, "key 'since' must be a duration such "
				  "as \"90s\", \"15m\", \"2h\" or \"1d\"");
	v = cJSON_GetObjectItemCaseSensitive(obj, "tail");
	st->tail = LOGSCAN_TAIL;
	if (v && (v->valuedouble < 1 || v->valuedouble > LOGSCAN_TAIL_MAX))
		return conf_error(cc, v, "key 'tail' must be a number of lines "
				  "from 1 to %d", LOGSCAN_TAIL_MAX);
	if (v)
		st->tail = (size_t)v->valuedouble;
	return prepare_matching(cc, obj, st);
}

/* First line at or after the cutoff; n when none; -1 without stamps. */
static long since_start(const struct logtail *t, int64_t cutoff)
{
	int64_t when;
	long first_stamped = -1;

	for (size_t i = t->n; i-- > 0;) {
		if (!logsig_line_time(t->lines[i].text, t->lines[i].len, &when))
			continue;
		if (when < cutoff)
			return first_stamped < 0 ? (long)t->n : first_stamped;
		first_stamped = (long)i;
	}
	return first_stamped < 0 ? -1 : 0;
}

/* Index of the last start marker, or -1. */
static long last_marker(const struct logsig_set *set, const struct logtail *t)
{
	for (size_t i = t->n; i-- > 0;)
		if (logsig_is_marker(set, t->lines[i].text, t->lines[i].len))
			return (long)i;
	return -1;
}

/* Chooses the lines to scan; returns the first and names the reason. */
static size_t scan_window(const struct logscan_state *st,
			  const struct logtail *t, const char **from)
{
	long i;

	if (st->since_s) {
		i = since_start(t, (int64_t)time(NULL) - st->since_s);
		if (i >= 0) {
			*from = "since";
			return (size_t)i;
		}
	}
	i = last_marker(st->set, t);
	if (i >= 0) {
		*from = "start marker";
		return (size_t)i;
	}
	*from = "tail";
	return 0;
}

static void add_window(struct result *res, const struct logtail *t,
		       size_t first, const char *from)
{
	cJSON *w = cJSON_AddObjectToObject(result_details(res), "window");

	cJSON_AddStringToObject(w, "from", from);
	cJSON_AddNumberToObject(w, "lines", (double)(t->n - first));
	cJSON_AddNumberToObject(w, "offset", first < t->n ?
				(double)t->lines[first].offset :
				(double)t->file_size);
	cJSON_AddNumberToObject(w, "file_bytes", (double)t->file_size);
	cJSON_AddNumberToObject(w, "read_bytes",
				(double)(t->file_size - t->start));
}

static void add_clean(cJSON *o, const char *key, const char *s)
{
	char *clean;

	if (!s)
		return;
	clean = result_clean(s, strlen(s), 400);
	cJSON_AddStringToObject(o, key, clean);
	free(clean);
}

static void add_finding(cJSON *arr, const struct logsig_finding *f)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "signature", f->sig->name);
	cJSON_AddStringToObject(o, "severity", status_name(f->sig->severity));
	add_clean(o, "diagnosis", f->diagnosis);
	add_clean(o, "hint", f->hint);
	if (*f->subject)
		add_clean(o, "subject", f->subject);
	cJSON_AddNumberToObject(o, "count", f->count);
	cJSON_AddNumberToObject(o, "first_offset", (double)f->first_offset);
	cJSON_AddNumberToObject(o, "last_offset", (double)f->last_offset);
	add_clean(o, "evidence", f->evidence);
	cJSON_AddItemToArray(arr, o);
}

/* One "see" entry per check type, the first finding's reason kept. */
static void add_see(cJSON *see, const struct logsig_finding *f)
{
	const char *p = f->sig->see;

	while (p && *p) {
		size_t n = strcspn(p, ",");
		char *type = xstrndup(p, n);
		const cJSON *e;
		int dup = 0;

		cJSON_ArrayForEach(e, see)
			dup |= !strcmp(cJSON_GetStringValue(
				cJSON_GetObjectItem(e, "type")), type);
		if (!dup) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "type", type);
			add_clean(o, "why", f->why ? f->why : f->diagnosis);
			cJSON_AddItemToArray(see, o);
		}
		free(type);
		p += n + (p[n] == ',');
	}
}

static void report_findings(const struct logscan_state *st,
			    const struct logsig_scan *sc, struct result *res)
{
	size_t idx[LOGSIG_MAX_FINDINGS];
	const struct logsig_finding *top;
	cJSON *arr, *see;
	char *more = NULL;

	logsig_scan_order(sc, idx);
	top = &sc->f[idx[0]];
	arr = cJSON_AddArrayToObject(result_details(res), "findings");
	see = cJSON_CreateArray();
	for (size_t i = 0; i < sc->n; i++) {
		add_finding(arr, &sc->f[idx[i]]);
		add_see(see, &sc->f[idx[i]]);
	}
	if (cJSON_GetArraySize(see))
		cJSON_AddItemToObject(result_details(res), "see", see);
	else
		cJSON_Delete(see);

	if (sc->n > 1)
		more = xasprintf(" (and %zu more finding%s)", sc->n - 1,
				 sc->n == 2 ? "" : "s");
	if (logsig_scan_worst(sc) == STATUS_FAIL)
		result_fail(res, "'%s': %s%s", st->path, top->diagnosis,
			    more ? more : "");
	else
		result_warn(res, "'%s': %s%s", st->path, top->diagnosis,
			    more ? more : "");
	free(more);
	if (top->hint)
		result_hint(res, "%s", top->hint);
}

static void logscan_run(void *state, const struct check_ctx *ctx,
			struct result *res)
{
	const struct logscan_state *st = state;
	struct logtail_opts o = { .max_lines = st->tail };
	struct logtail t;
	struct logsig_scan sc;
	const char *from;
	char *cause = NULL;
	size_t first;

	if (logtail_read(&t, st->abs, &o, &cause) < 0) {
		result_fail(res, "%s", cause);
		result_hint(res, "check the path; a service that never started "
			    "may not have written its log yet");
		free(cause);
		logtail_release(&t);
		return;
	}

	first = scan_window(st, &t, &from);
	add_window(res, &t, first, from);
	logsig_scan_init(&sc, st->set);
	for (size_t i = first; i < t.n; i++)
		logsig_scan_line(&sc, t.lines[i].text, t.lines[i].len,
				 t.lines[i].offset);

	if (sc.n)
		report_findings(st, &sc, res);
	else
		result_pass(res, "no known problem in %zu line%s of '%s' (%s)",
			    t.n - first, t.n - first == 1 ? "" : "s", st->path,
			    !strcmp(from, "tail") ? "the end of the log" :
			    !strcmp(from, "since") ? "the time asked for" :
			    "since the last start");
	logsig_scan_release(&sc);
	logtail_release(&t);
}

/* Adds path once (logs[] holds what was added); returns 1 if new. */
static int add_log(char **logs, size_t *n, const char *cwd, char *path)
{
	char *abs = path_join(cwd, path);
	FILE *f = fopen(abs, "re");

	free(abs);
	if (!f || *n == LOGSCAN_MAX_LOGS) {
		if (f)
			fclose(f);
		free(path);
		return 0;
	}
	fclose(f);
	for (size_t i = 0; i < *n; i++) {
		if (!strcmp(logs[i], path)) {
			free(path);
			return 0;
		}
	}
	logs[(*n)++] = path;
	return 1;
}

/* Words in a script that name a .log file without variables in them. */
static void logs_in_script(const char *text, char **logs, size_t *n,
			   const char *cwd)
{
	const char *p = text;

	while ((p = strstr(p, ".log"))) {
		const char *s = p, *e = p + 4;

		while (s > text && (isalnum((unsigned char)s[-1]) ||
				    strchr("_-./", s[-1])))
			s--;
		if (!isalnum((unsigned char)*e) && *e != '_' && s < p) {
			if (!strncmp(s, "./", 2))
				s += 2;
			add_log(logs, n, cwd, xstrndup(s, (size_t)(e - s)));
		}
		p = e;
	}
}

static void add_logscan(cJSON *checks, const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	cJSON *c = cJSON_CreateObject();
	char *id = xasprintf("%.*s-log", (int)(strlen(base) - 4), base);
	char *desc = xasprintf("the log '%s' shows no known failure since "
			       "the service last started", path);

	for (char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
			*p = '-';
	cJSON_AddStringToObject(c, "id", id);
	cJSON_AddStringToObject(c, "type", "log-scan");
	cJSON_AddStringToObject(c, "description", desc);
	cJSON_AddStringToObject(c, "path", path);
	cJSON_AddItemToArray(checks, c);
	free(id);
	free(desc);
}

/*
 * The default profile: the logs of each manage_NAME.sh script, that is
 * NAME.log and the .log files its text names, when they exist.
 */
static void logscan_discover(const char *cwd, cJSON *checks)
{
	char *scripts[LOGSCAN_MAX_LOGS], *logs[LOGSCAN_MAX_LOGS];
	size_t ns = service_find_scripts(cwd, scripts, LOGSCAN_MAX_LOGS);
	size_t nl = 0;

	for (size_t i = 0; i < ns; i++) {
		char *stem = service_script_stem(scripts[i]);
		char *text = service_script_text(cwd, scripts[i]);

		add_log(logs, &nl, cwd, xasprintf("%s.log", stem));
		if (text)
			logs_in_script(text, logs, &nl, cwd);
		free(stem);
		free(text);
		free(scripts[i]);
	}
	for (size_t i = 0; i < nl; i++) {
		add_logscan(checks, logs[i]);
		free(logs[i]);
	}
}

static const struct key_spec logscan_keys[] = {
	{ "path", cJSON_String, 1 },
	{ "signatures", cJSON_Array, 0 },
	{ "patterns", cJSON_Array, 0 },
	{ "since", cJSON_String | cJSON_Number, 0 },
	{ "tail", cJSON_Number, 0 },
	{ "start_marker", cJSON_String, 0 },
	{ NULL, 0, 0 },
};

const struct check_type check_log_scan = {
	.name = "log-scan",
	.summary = "a service's log shows no known failure since it started",
	.example = "'background_sync.log': the service cannot import 'aiohttp': Python package aiohttp is not installed",
	.example_hint = "install aiohttp into the service's Python environment (a python-deps check with --fix does it), then restart the service",
	.keys = logscan_keys,
	.prepare = logscan_prepare,
	.run = logscan_run,
	.release = logscan_release,
	.discover = logscan_discover,
};
