/*
 * Decoding the log stream of the Docker Engine API into lines.
 *
 * GET /containers/NAME/logs answers in one of two forms. A container
 * without a TTY gets the multiplexed form: frames, each an 8-byte header
 * (stream byte 0 stdin, 1 stdout, 2 stderr; three zero bytes; payload
 * length as a big-endian uint32) followed by that many bytes. A TTY
 * container gets the raw bytes as the program wrote them.
 *
 * The decoder is fed whatever each read returned, so headers, payloads
 * and lines may be split anywhere. It never allocates by what a header
 * claims: a frame that says 4 GB is consumed as it arrives, and a line
 * longer than line_cap keeps its first line_cap bytes (marked cut) and
 * drops the rest. Lines are handed to a callback without their newline
 * (and without a trailing carriage return); their bytes are untrusted.
 *
 * Life cycle: dockerlog_init, dockerlog_feed any number of times,
 * dockerlog_finish (flushes unterminated last lines), dockerlog_release.
 */
#ifndef PREFLIGHT_DOCKERLOG_H
#define PREFLIGHT_DOCKERLOG_H

#include <stddef.h>
#include <stdint.h>

enum dockerlog_mode {
	DOCKERLOG_AUTO,		/* decide from the first bytes */
	DOCKERLOG_MUX,		/* multiplexed frames */
	DOCKERLOG_RAW,		/* a TTY's bytes */
};

/* Stream numbers passed to the callback. */
enum { DOCKERLOG_STDIN = 0, DOCKERLOG_STDOUT = 1, DOCKERLOG_STDERR = 2 };

typedef void dockerlog_line_fn(void *data, int stream, const char *line,
			       size_t len, int cut);

struct dockerlog {
	enum dockerlog_mode mode;
	size_t line_cap;
	dockerlog_line_fn *on_line;
	void *data;
	/* private */
	unsigned char hdr[8];
	size_t hdr_len;
	uint64_t frame_left;
	int stream;
	char *line[2];		/* partial line: [0] stdout, [1] stderr */
	size_t line_len[2];
	int line_cut[2];
	int bad_header;		/* a header was not a frame header */
	uint64_t bytes;		/* payload bytes seen */
	uint64_t lines;		/* lines handed out */
};

/*
 * Prepares d. line_cap 0 means 4096. on_line is called for every complete
 * line, in order.
 */
void dockerlog_init(struct dockerlog *d, enum dockerlog_mode mode,
		    size_t line_cap, dockerlog_line_fn *on_line, void *data);

/*
 * Decodes n more bytes. A multiplexed stream whose header is malformed
 * (stream byte above 2 or padding not zero) is not a frame stream: the
 * rest is decoded as raw bytes and bad_header is set. Returns 0.
 */
int dockerlog_feed(struct dockerlog *d, const void *p, size_t n);

/* Hands out unterminated last lines. Call once, after the last feed. */
void dockerlog_finish(struct dockerlog *d);

void dockerlog_release(struct dockerlog *d);

/*
 * Parses an RFC 3339 time ("2026-12-03T12:55:37.123456789Z" or with
 * "+01:00") at s into seconds since the epoch. Returns the number of bytes
 * it used, 0 when s does not start with such a time.
 */
size_t dockerlog_parse_time(const char *s, size_t len, int64_t *epoch_s);

#endif
