/*
 * Fuzzes the scrubbers every output goes through: text_sanitize (any bytes
 * in, valid UTF-8 without control characters out) and secret_scrub (the
 * first line is planted as a DSN and a secret, then must be masked in the
 * rest). Output longer than asked, invalid UTF-8 or a secret surviving
 * the scrub is reported as a crash.
 */
#include <stdio.h>

#include "fuzz.h"
#include "../../core/secret.h"
#include "../../core/text.h"

static void sanitize(const uint8_t *data, size_t size)
{
	size_t max = size && data[0] > 3 ? data[0] : 0;	/* room for "..." */
	char *s = text_sanitize((const char *)data, size, max, size & 1);

	if (!text_valid_utf8(s, strlen(s)))
		abort();
	if (max && strlen(s) > max)
		abort();
	free(s);
}

static void scrub(const uint8_t *data, size_t size)
{
	char *planted = fuzz_field(&data, &size);
	char *rest = fuzz_cstr(data, size), *out;
	char dsn[600];

	if (strlen(planted) > 500) {
		free(planted);
		free(rest);
		return;
	}
	secret_add(planted);
	snprintf(dsn, sizeof(dsn), "postgresql://u:%s@h/db", planted);
	secret_add_from_dsn(dsn);
	secret_add_from_dsn(rest);
	out = secret_scrub(rest);
	if (strlen(planted) >= 3 && !strchr(planted, '*') &&
	    strstr(out, planted))
		abort();
	free(out);
	secret_clear();
	free(planted);
	free(rest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);

	sanitize(data, size);
	scrub(data, size);
	text_trim(s);
	free(s);
	return 0;
}
