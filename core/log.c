/*
 * Leveled messages to stderr, with secrets masked and untrusted bytes made
 * printable before they reach a terminal.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "secret.h"
#include "text.h"
#include "util.h"

int log_level = LOG_WARN;

static const char *const level_word[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warning",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

static void vlog(enum log_level level, const char *fmt, va_list ap)
{
	char *raw, *clean, *safe;

	if (level > log_level)
		return;
	raw = xvasprintf(fmt, ap);
	clean = text_sanitize(raw, strlen(raw), 4096, 1);
	safe = secret_scrub(clean);
	fprintf(stderr, "preflight: %s: %s\n", level_word[level], safe);
	free(safe);
	free(clean);
	free(raw);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERROR, fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARN, fmt, ap);
	va_end(ap);
}
