/*
 * Turns a container's log stream, framed or raw, into lines, so a person
 * sees what the database said without a `docker logs` in between.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/util.h"
#include "dockerlog.h"

void dockerlog_init(struct dockerlog *d, enum dockerlog_mode mode,
		    size_t line_cap, dockerlog_line_fn *on_line, void *data)
{
	memset(d, 0, sizeof(*d));
	d->mode = mode;
	d->line_cap = line_cap ? line_cap : 4096;
	d->on_line = on_line;
	d->data = data;
	d->stream = DOCKERLOG_STDOUT;
	d->line[0] = xmalloc(d->line_cap);
	d->line[1] = xmalloc(d->line_cap);
}

void dockerlog_release(struct dockerlog *d)
{
	free(d->line[0]);
	free(d->line[1]);
	d->line[0] = d->line[1] = NULL;
}

static int slot_of(int stream)
{
	return stream == DOCKERLOG_STDERR ? 1 : 0;
}

static void emit(struct dockerlog *d, int slot)
{
	size_t len = d->line_len[slot];
	int stream = slot ? DOCKERLOG_STDERR : DOCKERLOG_STDOUT;

	if (len && d->line[slot][len - 1] == '\r')
		len--;
	d->lines++;
	d->on_line(d->data, stream, d->line[slot], len, d->line_cut[slot]);
	d->line_len[slot] = 0;
	d->line_cut[slot] = 0;
}

/* Adds payload bytes of one stream to its partial line. */
static void add_text(struct dockerlog *d, int stream, const char *p,
		     size_t n)
{
	int slot = slot_of(stream);

	d->bytes += n;
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;
		size_t room = d->line_cap - d->line_len[slot];
		size_t keep = take < room ? take : room;

		memcpy(d->line[slot] + d->line_len[slot], p, keep);
		d->line_len[slot] += keep;
		if (keep < take)
			d->line_cut[slot] = 1;
		if (!nl)
			return;
		emit(d, slot);
		p = nl + 1;
		n -= take + 1;
	}
}

static int header_valid(const unsigned char *h)
{
	return h[0] <= 2 && h[1] == 0 && h[2] == 0 && h[3] == 0;
}

/* Falls back to raw decoding, starting with the bytes already held. */
static void give_up_framing(struct dockerlog *d)
{
	d->mode = DOCKERLOG_RAW;
	d->bad_header = 1;
	add_text(d, DOCKERLOG_STDOUT, (const char *)d->hdr, d->hdr_len);
	d->hdr_len = 0;
}

/* Consumes header bytes; returns how many of p it used. */
static size_t take_header(struct dockerlog *d, const unsigned char *p,
			  size_t n)
{
	size_t want = sizeof(d->hdr) - d->hdr_len;
	size_t take = n < want ? n : want;
	const unsigned char *h = d->hdr;

	memcpy(d->hdr + d->hdr_len, p, take);
	d->hdr_len += take;
	if (d->hdr_len >= 4 && !header_valid(h)) {
		give_up_framing(d);
		return take;
	}
	if (d->hdr_len < sizeof(d->hdr))
		return take;

	d->stream = h[0];
	d->frame_left = (uint64_t)h[4] << 24 | (uint64_t)h[5] << 16 |
			(uint64_t)h[6] << 8 | h[7];
	d->hdr_len = 0;
	return take;
}

static void feed_mux(struct dockerlog *d, const unsigned char *p, size_t n)
{
	while (n && d->mode == DOCKERLOG_MUX) {
		size_t used;

		if (d->frame_left == 0) {
			used = take_header(d, p, n);
		} else {
			used = d->frame_left < n ? (size_t)d->frame_left : n;
			add_text(d, d->stream, (const char *)p, used);
			d->frame_left -= used;
		}
		p += used;
		n -= used;
	}
	if (n)
		add_text(d, DOCKERLOG_STDOUT, (const char *)p, n);
}

int dockerlog_feed(struct dockerlog *d, const void *data, size_t n)
{
	const unsigned char *p = data;

	if (!n)
		return 0;
	if (d->mode == DOCKERLOG_AUTO)
		d->mode = p[0] <= 2 ? DOCKERLOG_MUX : DOCKERLOG_RAW;
	if (d->mode == DOCKERLOG_MUX)
		feed_mux(d, p, n);
	else
		add_text(d, DOCKERLOG_STDOUT, (const char *)p, n);
	return 0;
}

void dockerlog_finish(struct dockerlog *d)
{
	if (d->hdr_len && d->mode == DOCKERLOG_MUX)
		d->hdr_len = 0;
	for (int slot = 0; slot < 2; slot++)
		if (d->line_len[slot] || d->line_cut[slot])
			emit(d, slot);
}

/* Reads exactly n digits at s into *v. */
static int digits(const char *s, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* "Z" or "+hh:mm"/"-hh:mm" at s; offset in seconds; bytes used or 0. */
static size_t parse_zone(const char *s, size_t len, long *offset)
{
	int hh, mm;

	if (len >= 1 && s[0] == 'Z') {
		*offset = 0;
		return 1;
	}
	if (len < 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' ||
	    digits(s + 1, 2, &hh) || digits(s + 4, 2, &mm))
		return 0;
	*offset = (hh * 3600L + mm * 60L) * (s[0] == '-' ? -1 : 1);
	return 6;
}

size_t dockerlog_parse_time(const char *s, size_t len, int64_t *epoch_s)
{
	struct tm tm = { 0 };
	size_t i = 19, z;
	long offset;

	if (len < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' ||
	    digits(s, 4, &tm.tm_year) || digits(s + 5, 2, &tm.tm_mon) ||
	    digits(s + 8, 2, &tm.tm_mday) || digits(s + 11, 2, &tm.tm_hour) ||
	    digits(s + 14, 2, &tm.tm_min) || digits(s + 17, 2, &tm.tm_sec))
		return 0;

	if (s[i] == '.')
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
	z = parse_zone(s + i, len - i, &offset);
	if (!z)
		return 0;

	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*epoch_s = (int64_t)timegm(&tm) - offset;
	return i + z;
}
