/*
 * Results of checks and records of fixes. Every string that enters a
 * result is sanitized and scrubbed of secrets here, once, so that no
 * renderer and no check can forget to.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "secret.h"
#include "text.h"
#include "util.h"

/* Messages and hints are sentences; details may hold a little more. */
#define MESSAGE_MAX 2048
#define DETAIL_MAX 8192

const char *status_name(enum status s)
{
	switch (s) {
	case STATUS_PASS:
		return "pass";
	case STATUS_SKIP:
		return "skip";
	case STATUS_WARN:
		return "warn";
	case STATUS_FAIL:
		return "fail";
	}
	return "unknown";
}

void result_init(struct result *r)
{
	memset(r, 0, sizeof(*r));
}

void result_release(struct result *r)
{
	free(r->message);
	free(r->hint);
	cJSON_Delete(r->details);
	fix_record_free(r->fix);
	result_init(r);
}

void result_move(struct result *dst, struct result *src)
{
	result_release(dst);
	*dst = *src;
	result_init(src);
}

char *result_clean(const char *s, size_t len, size_t max)
{
	char *clean = text_sanitize(s, len, max, 0);
	char *safe = secret_scrub(clean);

	free(clean);
	return safe;
}

static char *clean_fmt(const char *fmt, va_list ap, size_t max)
{
	char *raw = xvasprintf(fmt, ap);
	char *safe = result_clean(raw, strlen(raw), max);

	free(raw);
	return safe;
}

static void set(struct result *r, enum status s, const char *fmt, va_list ap)
{
	free(r->message);
	r->message = clean_fmt(fmt, ap, MESSAGE_MAX);
	r->status = s;
	r->failed = s == STATUS_FAIL;
}

void result_pass(struct result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(r, STATUS_PASS, fmt, ap);
	va_end(ap);
}

void result_warn(struct result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(r, STATUS_WARN, fmt, ap);
	va_end(ap);
}

void result_fail(struct result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(r, STATUS_FAIL, fmt, ap);
	va_end(ap);
}

void result_skip(struct result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(r, STATUS_SKIP, fmt, ap);
	va_end(ap);
}

void result_hint(struct result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(r->hint);
	r->hint = clean_fmt(fmt, ap, MESSAGE_MAX);
	va_end(ap);
}

cJSON *result_details(struct result *r)
{
	if (!r->details)
		r->details = cJSON_CreateObject();
	return r->details;
}

static void detail_set(struct result *r, const char *key, cJSON *value)
{
	cJSON *d = result_details(r);

	if (cJSON_GetObjectItemCaseSensitive(d, key))
		cJSON_ReplaceItemInObjectCaseSensitive(d, key, value);
	else
		cJSON_AddItemToObject(d, key, value);
}

void result_detail_strn(struct result *r, const char *key, const char *s,
			size_t len)
{
	char *safe = result_clean(s, len, DETAIL_MAX);

	detail_set(r, key, cJSON_CreateString(safe));
	free(safe);
}

void result_detail_str(struct result *r, const char *key, const char *s)
{
	result_detail_strn(r, key, s ? s : "", s ? strlen(s) : 0);
}

void result_detail_num(struct result *r, const char *key, double v)
{
	detail_set(r, key, cJSON_CreateNumber(v));
}

void result_detail_push(struct result *r, const char *key, const char *s)
{
	cJSON *d = result_details(r);
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(d, key);
	char *safe = result_clean(s, strlen(s), DETAIL_MAX);

	if (!cJSON_IsArray(arr)) {
		arr = cJSON_CreateArray();
		detail_set(r, key, arr);
	}
	cJSON_AddItemToArray(arr, cJSON_CreateString(safe));
	free(safe);
}

void fix_record_free(struct fix_record *f)
{
	if (!f)
		return;
	free(f->name);
	cJSON_Delete(f->actions);
	free(f->error);
	free(f->output);
	free(f);
}

void fix_record_action(struct fix_record *f, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = clean_fmt(fmt, ap, MESSAGE_MAX);
	va_end(ap);
	if (!f->actions)
		f->actions = cJSON_CreateArray();
	cJSON_AddItemToArray(f->actions, cJSON_CreateString(s));
	free(s);
}
