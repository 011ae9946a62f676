/*
 * The JSON report: the result tree as machines and tickets read it
 * (schema_version 1, described in docs/schema/report.schema.json).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/secret.h"
#include "../core/text.h"
#include "report.h"

static cJSON *fix_json(const struct fix_record *f)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", f->name);
	cJSON_AddItemToObject(o, "actions", f->actions
				  ? cJSON_Duplicate(f->actions, 1)
				  : cJSON_CreateArray());
	cJSON_AddBoolToObject(o, "applied", f->applied);
	cJSON_AddBoolToObject(o, "dry_run", f->dry_run);
	if (f->rechecked)
		cJSON_AddStringToObject(o, "recheck", status_name(f->recheck));
	else
		cJSON_AddNullToObject(o, "recheck");
	if (f->error)
		cJSON_AddStringToObject(o, "error", f->error);
	if (f->output)
		cJSON_AddStringToObject(o, "output", f->output);
	return o;
}

static cJSON *check_json(const struct check *c, const struct result *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", c->id);
	cJSON_AddStringToObject(o, "type", c->type->name);
	cJSON_AddStringToObject(o, "status", status_name(r->status));
	cJSON_AddNumberToObject(o, "duration_ms", (double)r->duration_ms);
	cJSON_AddStringToObject(o, "message", r->message ? r->message : "");
	if (r->hint)
		cJSON_AddStringToObject(o, "hint", r->hint);
	else
		cJSON_AddNullToObject(o, "hint");
	if (c->description)
		cJSON_AddStringToObject(o, "description", c->description);
	if (r->attempts > 1)
		cJSON_AddNumberToObject(o, "attempts", r->attempts);
	cJSON_AddItemToObject(o, "details", r->details
				  ? cJSON_Duplicate(r->details, 1)
				  : cJSON_CreateObject());
	if (r->fix)
		cJSON_AddItemToObject(o, "fix", fix_json(r->fix));
	return o;
}

static void add_time(cJSON *root, int64_t epoch_ms)
{
	time_t secs = (time_t)(epoch_ms / 1000);
	struct tm tm;
	char stamp[40];

	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + 19, sizeof(stamp) - 19, ".%03dZ",
		 (int)(epoch_ms % 1000));
	cJSON_AddStringToObject(root, "started_at", stamp);
}

/*
 * Results are sanitized when they are recorded; this second pass keeps the
 * report valid UTF-8 and free of secrets even where a module wrote raw
 * bytes into its details or a fix record, or a config description quotes
 * a secret.
 */
static void make_safe(cJSON *node)
{
	cJSON *c;

	for (c = node->child; c; c = c->next) {
		if (cJSON_IsString(c)) {
			char *clean = text_sanitize(c->valuestring,
						    strlen(c->valuestring), 0, 1);
			char *safe = secret_scrub(clean);

			if (strcmp(safe, c->valuestring))
				cJSON_SetValuestring(c, safe);
			free(safe);
			free(clean);
		}
		make_safe(c);
	}
}

cJSON *report_json_tree(const struct report *rep)
{
	cJSON *root = cJSON_CreateObject(), *tool, *sum, *checks;
	struct report_counts c;
	size_t i;

	report_count(rep, &c);
	cJSON_AddNumberToObject(root, "schema_version", 1);
	tool = cJSON_AddObjectToObject(root, "tool");
	cJSON_AddStringToObject(tool, "name", "preflight");
	cJSON_AddStringToObject(tool, "version", PREFLIGHT_VERSION);
	add_time(root, rep->run->started_epoch_ms);
	cJSON_AddNumberToObject(root, "duration_ms",
				(double)rep->run->duration_ms);
	cJSON_AddStringToObject(root, "status",
				status_name(report_status(rep)));
	if (rep->run->interrupted)
		cJSON_AddBoolToObject(root, "interrupted", 1);
	sum = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(sum, "pass", c.pass);
	cJSON_AddNumberToObject(sum, "warn", c.warn);
	cJSON_AddNumberToObject(sum, "fail", c.fail);
	cJSON_AddNumberToObject(sum, "skip", c.skip);
	cJSON_AddNumberToObject(sum, "fixed", c.fixed);
	checks = cJSON_AddArrayToObject(root, "checks");
	for (i = 0; i < rep->run->n; i++)
		if (rep->run->ran[i])
			cJSON_AddItemToArray(checks,
					     check_json(&rep->cfg->checks[i],
							&rep->run->results[i]));
	make_safe(root);
	return root;
}

static int json_render(const struct report *rep, const struct render_opts *o,
		       struct buf *out)
{
	cJSON *root = report_json_tree(rep);
	char *text = cJSON_Print(root);

	cJSON_Delete(root);
	if (!text)
		return -1;
	buf_addstr(out, text);
	buf_addstr(out, "\n");
	free(text);
	return 0;
}

const struct report_format report_format_json = {
	.name = "json",
	.render = json_render,
};
