/*
 * Making untrusted text safe to show. Bytes from servers, logs and child
 * processes may be anything; a report must stay valid UTF-8 and must not
 * carry terminal escapes.
 */
#ifndef PREFLIGHT_TEXT_H
#define PREFLIGHT_TEXT_H

#include <stddef.h>

/*
 * Returns a new string holding at most `max` bytes of valid UTF-8 (0: no
 * limit) made from s[0..len): invalid sequences become U+FFFD, control
 * characters other than tab become "\xNN" (newlines too, unless
 * keep_newlines), and a cut string ends in "...". The caller frees it.
 */
char *text_sanitize(const char *s, size_t len, size_t max, int keep_newlines);

/* 1 if s[0..len) is valid UTF-8. */
int text_valid_utf8(const char *s, size_t len);

/* Trims ASCII white space at both ends, in place; returns s. */
char *text_trim(char *s);

#endif
