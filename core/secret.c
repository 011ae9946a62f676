/*
 * The registry of secret values and the scrubber that masks them. Secrets
 * are registered once, at config load, before any worker thread starts;
 * the lock keeps late registrations (a check that learns a password at run
 * time) safe all the same.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "secret.h"
#include "util.h"

#define MASK "***"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char **secrets;
static size_t nsecrets;

void secret_add(const char *value)
{
	size_t i;

	if (!value || strlen(value) < 3)
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; i < nsecrets; i++)
		if (!strcmp(secrets[i], value))
			goto out;
	secrets = xrealloc(secrets, (nsecrets + 1) * sizeof(*secrets));
	secrets[nsecrets++] = xstrdup(value);
out:
	pthread_mutex_unlock(&lock);
}

void secret_clear(void)
{
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < nsecrets; i++)
		free(secrets[i]);
	free(secrets);
	secrets = NULL;
	nsecrets = 0;
	pthread_mutex_unlock(&lock);
}

int secret_key_name(const char *key)
{
	static const char *const words[] = {
		"password", "passwd", "secret", "token", "api_key", "apikey",
		"authorization", "credential", "private_key",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strcasestr(key, words[i]))
			return 1;
	return 0;
}

/* Percent-decodes s[0..n) into a new string. */
static char *pct_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };

			*o++ = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* The password in "scheme://user:PASS@host", registered raw and decoded. */
static void add_url_password(const char *url)
{
	const char *auth = strstr(url, "://"), *at, *colon;
	char *pw;

	if (!auth)
		return;
	auth += 3;
	at = auth + strcspn(auth, "/?#@");
	if (*at != '@')
		return;
	colon = memchr(auth, ':', (size_t)(at - auth));
	if (!colon)
		return;
	pw = xstrndup(colon + 1, (size_t)(at - colon - 1));
	secret_add(pw);
	free(pw);
	pw = pct_decode(colon + 1, (size_t)(at - colon - 1));
	secret_add(pw);
	free(pw);
}

/* The value of password=... in a libpq keyword/value string. */
static void add_kv_password(const char *dsn)
{
	const char *p = dsn;
	struct buf v = BUF_INIT;

	while ((p = strcasestr(p, "password")) != NULL) {
		p += 8;
		while (*p == ' ')
			p++;
		if (*p != '=')
			continue;
		p++;
		while (*p == ' ')
			p++;
		buf_reset(&v);
		if (*p == '\'') {
			for (p++; *p && *p != '\''; p++) {
				if (*p == '\\' && p[1])
					p++;
				buf_add(&v, p, 1);
			}
		} else {
			while (*p && !isspace((unsigned char)*p))
				buf_add(&v, p++, 1);
		}
		secret_add(buf_cstr(&v));
	}
	buf_release(&v);
}

void secret_add_from_dsn(const char *dsn)
{
	if (!dsn)
		return;
	add_url_password(dsn);
	add_kv_password(dsn);
}

/* Masks the userinfo password of every URL in s, in place in out. */
static void mask_url_passwords(struct buf *out, const char *s)
{
	const char *p = s, *scheme;

	while ((scheme = strstr(p, "://")) != NULL) {
		const char *auth = scheme + 3;
		size_t span = strcspn(auth, "/?#@ \t\n\"'<>");
		const char *colon;

		buf_add(out, p, (size_t)(auth - p));
		p = auth;
		if (auth[span] != '@')
			continue;
		colon = memchr(auth, ':', span);
		if (!colon)
			continue;
		buf_add(out, auth, (size_t)(colon + 1 - auth));
		buf_addstr(out, MASK);
		p = auth + span;
	}
	buf_addstr(out, p);
}

/* Masks the value of every "password=" in s, quoted or not. */
static char *mask_kv_passwords(char *s)
{
	struct buf out = BUF_INIT;
	const char *p = s, *hit;

	if (!strcasestr(s, "password"))
		return s;
	while ((hit = strcasestr(p, "password")) != NULL) {
		const char *v = hit + 8;
		char quote, q[2] = "";

		while (*v == ' ')
			v++;
		if (*v != '=') {
			buf_add(&out, p, (size_t)(v - p));
			p = v;
			continue;
		}
		for (v++; *v == ' '; v++)
			;
		buf_add(&out, p, (size_t)(v - p));
		quote = *v == '\'' || *v == '"' ? *v : 0;
		q[0] = quote;
		if (quote)
			v++;
		while (*v && (quote ? *v != quote : !isspace((unsigned char)*v)))
			v += (*v == '\\' && v[1]) ? 2 : 1;
		buf_addf(&out, "%s%s%s", q, MASK, *v ? q : "");
		p = *v && quote ? v + 1 : v;
	}
	buf_addstr(&out, p);
	free(s);
	return buf_detach(&out);
}

char *secret_scrub(const char *s)
{
	struct buf out = BUF_INIT;
	char *cur;
	size_t i;

	mask_url_passwords(&out, s ? s : "");
	cur = mask_kv_passwords(buf_detach(&out));
	pthread_mutex_lock(&lock);
	for (i = 0; i < nsecrets; i++) {
		const char *hit, *p = cur;
		size_t n = strlen(secrets[i]);

		if (!strstr(cur, secrets[i]))
			continue;
		while ((hit = strstr(p, secrets[i])) != NULL) {
			buf_add(&out, p, (size_t)(hit - p));
			buf_addstr(&out, MASK);
			p = hit + n;
		}
		buf_addstr(&out, p);
		free(cur);
		cur = buf_detach(&out);
	}
	pthread_mutex_unlock(&lock);
	return cur;
}
