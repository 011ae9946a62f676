/*
 * Diagnostics for the person running preflight. Everything here goes to
 * stderr; stdout carries only the report. Messages are lowercase, without
 * a final full stop, and say what failed first.
 */
#ifndef PREFLIGHT_LOG_H
#define PREFLIGHT_LOG_H

enum log_level { LOG_QUIET = -1, LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Set once by the command line; default LOG_WARN. */
extern int log_level;

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "preflight: error: ..." and returns -1, so failures read as one line. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The level test comes first, so arguments cost nothing when quiet. */
#define info(...) \
	do { if (log_level >= LOG_INFO) log_msg(LOG_INFO, __VA_ARGS__); } while (0)
#define debug(...) \
	do { if (log_level >= LOG_DEBUG) log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)

#endif
