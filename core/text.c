/*
 * Turning untrusted bytes into text that is safe in a terminal, a JSON
 * string and an XML document: valid UTF-8, no control characters.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "util.h"

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if it is
 * not one. Overlong forms, surrogates and code points above U+10FFFF are
 * invalid. The code point goes to *cp.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, min = 0x80, c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int text_valid_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	unsigned cp;

	while (i < len) {
		n = utf8_seq(p + i, len - i, &cp);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

char *text_sanitize(const char *s, size_t len, size_t max, int keep_newlines)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf out = BUF_INIT;
	size_t i = 0, n, keep = 0;	/* keep: the cut point if cut */
	unsigned cp;
	char esc[8];

	if (!s)
		return xstrdup("");
	while (i < len) {
		n = utf8_seq(p + i, len - i, &cp);
		if (!n) {
			buf_addstr(&out, "\xef\xbf\xbd");
			n = 1;
		} else if ((cp < 0x20 && cp != '\t' &&
			    !(cp == '\n' && keep_newlines)) ||
			   (cp >= 0x7f && cp < 0xa0)) {
			snprintf(esc, sizeof(esc), "\\x%02x", cp);
			buf_addstr(&out, esc);
		} else {
			buf_add(&out, p + i, n);
		}
		if (max && out.len > max) {
			out.len = keep;
			buf_addstr(&out, "...");
			break;
		}
		if (out.len + 3 <= max)
			keep = out.len;
		i += n;
	}
	return buf_detach(&out);
}

char *text_trim(char *s)
{
	size_t n = strlen(s);
	char *start = s;

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)*start))
		start++;
	if (start != s)
		memmove(s, start, strlen(start) + 1);
	return s;
}
