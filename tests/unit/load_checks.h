/*
 * For unit tests of one check type's config: load_checks loads a config
 * made of the given check objects and returns what config_load_text
 * returned, with the refusal (or NULL) in *cause for the caller to free;
 * assert_refused fails the test unless a check is refused at t.json:1
 * with `want` in the message; find_check finds a check by id in a
 * profile built by config_default_profile. Include cmocka.h first.
 */
#ifndef PREFLIGHT_TEST_LOAD_CHECKS_H
#define PREFLIGHT_TEST_LOAD_CHECKS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/config.h"

static int load_checks(const char *checks, char **cause)
{
	struct config_opts opts = { .default_timeout_ms = 5000 };
	struct config cfg;
	char *text = NULL;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	if (asprintf(&text, "{\"checks\": [%s]}", checks) < 0)
		abort();
	*cause = NULL;
	rc = config_load_text(&cfg, text, strlen(text), "t.json", "/tmp",
			      &opts, cause);
	config_release(&cfg);
	free(text);
	return rc;
}

static void assert_refused(const char *check, const char *want)
{
	char *cause;

	if (load_checks(check, &cause) == 0)
		fail_msg("accepted: %s", check);
	if (!cause || !strstr(cause, want) || strncmp(cause, "t.json:1:", 9))
		fail_msg("%s: cause %s", check, cause ? cause : "(none)");
	free(cause);
}

static const cJSON *find_check(const cJSON *profile, const char *id)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(profile, "checks")) {
		const char *have = cJSON_GetStringValue(
			cJSON_GetObjectItem(c, "id"));

		if (have && !strcmp(have, id))
			return c;
	}
	return NULL;
}

#endif
