/*
 * Version numbers as programs print them, found and compared, for the
 * executables check's min_version.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verscan.h"

static int word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* A digit at p starts a word, or follows a "v" that does. */
static int word_start(const char *s, const char *p)
{
	if (p == s || !word_char(p[-1]))
		return 1;
	return (p[-1] == 'v' || p[-1] == 'V') &&
	       (p - 1 == s || !word_char(p[-2]));
}

int verscan_find(const char *text, char *out, size_t n)
{
	const char *first = NULL;
	size_t first_len = 0;

	for (const char *p = text; *p; p++) {
		size_t len;

		if (!isdigit((unsigned char)*p) || !word_start(text, p))
			continue;
		len = strspn(p, "0123456789.");
		while (p[len - 1] == '.')
			len--;
		if (memchr(p, '.', len)) {
			first = p;
			first_len = len;
			break;
		}
		if (!first) {
			first = p;
			first_len = len;
		}
		p += len - 1;
	}
	if (!first)
		return 0;
	snprintf(out, n, "%.*s", (int)first_len, first);
	return 1;
}

int verscan_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		char *ea, *eb;
		unsigned long x = strtoul(a, &ea, 10);
		unsigned long y = strtoul(b, &eb, 10);

		if (x != y)
			return x < y ? -1 : 1;
		a = *ea == '.' ? ea + 1 : ea + strlen(ea);
		b = *eb == '.' ? eb + 1 : eb + strlen(eb);
	}
	return 0;
}
