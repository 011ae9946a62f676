/*
 * The Engine API log decoder: frames and raw bytes become the same lines,
 * however the reads split them, and no header can make it allocate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../lib/dockerlog.h"

struct seen {
	char text[4096];	/* "1:line|2:line|" */
	int cuts;
	int n;
};

static void collect(void *data, int stream, const char *line, size_t len,
		    int cut)
{
	struct seen *s = data;
	size_t used = strlen(s->text);

	snprintf(s->text + used, sizeof(s->text) - used, "%d:%.*s|", stream,
		 (int)len, line);
	s->cuts += cut;
	s->n++;
}

/* A frame: header for `stream` and the payload bytes. */
static size_t frame(unsigned char *out, int stream, const char *payload)
{
	size_t n = strlen(payload);

	out[0] = (unsigned char)stream;
	out[1] = out[2] = out[3] = 0;
	out[4] = (unsigned char)(n >> 24);
	out[5] = (unsigned char)(n >> 16);
	out[6] = (unsigned char)(n >> 8);
	out[7] = (unsigned char)n;
	memcpy(out + 8, payload, n);
	return n + 8;
}

/* Captured from podman 4.3 (timestamps=1), two postgres lines. */
static const unsigned char captured[] = {
	0x02, 0, 0, 0, 0, 0, 0, 0x25,
	'2', '0', '2', '6', '-', '1', '2', '-', '0', '3', 'T', '1', '2',
	':', '5', '5', ':', '3', '7', 'Z', ' ', 'L', 'O', 'G', ':', ' ',
	' ', 'l', 'i', 's', 't', 'e', 'n', 'i', 'n', 'g', '\n',
	0x01, 0, 0, 0, 0, 0, 0, 0x06,
	'r', 'e', 'a', 'd', 'y', '\n',
};

static void decode_in_pieces(const unsigned char *p, size_t n, size_t step,
			     enum dockerlog_mode mode, struct seen *s)
{
	struct dockerlog d;

	memset(s, 0, sizeof(*s));
	dockerlog_init(&d, mode, 0, collect, s);
	for (size_t i = 0; i < n; i += step)
		dockerlog_feed(&d, p + i, n - i < step ? n - i : step);
	dockerlog_finish(&d);
	dockerlog_release(&d);
}

static void test_captured_frames_give_lines_with_streams(void **state)
{
	struct seen s;

	decode_in_pieces(captured, sizeof(captured), sizeof(captured),
			 DOCKERLOG_AUTO, &s);
	assert_string_equal(s.text,
			    "2:2026-12-03T12:55:37Z LOG:  listening|1:ready|");
}

static void test_every_split_point_gives_the_same_lines(void **state)
{
	struct seen whole, part;

	decode_in_pieces(captured, sizeof(captured), sizeof(captured),
			 DOCKERLOG_MUX, &whole);
	for (size_t step = 1; step < sizeof(captured); step++) {
		decode_in_pieces(captured, sizeof(captured), step,
				 DOCKERLOG_MUX, &part);
		assert_string_equal(part.text, whole.text);
	}
}

static void test_line_split_across_frames_is_joined(void **state)
{
	unsigned char buf[128];
	size_t n = 0;
	struct seen s;

	n += frame(buf + n, 1, "hel");
	n += frame(buf + n, 2, "err\n");
	n += frame(buf + n, 1, "lo\n");
	decode_in_pieces(buf, n, n, DOCKERLOG_MUX, &s);
	assert_string_equal(s.text, "2:err|1:hello|");
}

static void test_raw_tty_bytes_are_split_on_newlines(void **state)
{
	const char raw[] = "first\r\nsecond\nlast without newline";
	struct seen s;

	decode_in_pieces((const unsigned char *)raw, strlen(raw), 3,
			 DOCKERLOG_AUTO, &s);
	assert_string_equal(s.text,
			    "1:first|1:second|1:last without newline|");
}

static void test_huge_frame_length_is_streamed_not_allocated(void **state)
{
	unsigned char buf[64] = { 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
	struct seen s;

	memcpy(buf + 8, "abc\ndef", 7);
	decode_in_pieces(buf, 15, 15, DOCKERLOG_MUX, &s);
	assert_string_equal(s.text, "1:abc|1:def|");
}

static void test_long_line_is_cut_at_the_cap(void **state)
{
	char big[10000];
	struct dockerlog d;
	struct seen s;

	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	memset(&s, 0, sizeof(s));
	dockerlog_init(&d, DOCKERLOG_RAW, 16, collect, &s);
	dockerlog_feed(&d, big, sizeof(big));
	dockerlog_feed(&d, "ok\n", 3);
	dockerlog_finish(&d);
	dockerlog_release(&d);
	assert_string_equal(s.text, "1:xxxxxxxxxxxxxxxx|1:ok|");
	assert_int_equal(s.cuts, 1);
}

static void test_malformed_header_falls_back_to_raw(void **state)
{
	const unsigned char bad[] = { 1, 'x', 'y', 'z', 'a', '\n' };
	struct dockerlog d;
	struct seen s;

	memset(&s, 0, sizeof(s));
	dockerlog_init(&d, DOCKERLOG_MUX, 0, collect, &s);
	dockerlog_feed(&d, bad, sizeof(bad));
	dockerlog_finish(&d);
	assert_true(d.bad_header);
	dockerlog_release(&d);
	assert_int_equal(s.n, 1);
}

static void test_truncated_stream_flushes_partial_line(void **state)
{
	unsigned char buf[64];
	size_t n = frame(buf, 2, "FATAL: cut off");
	struct seen s;

	decode_in_pieces(buf, n - 4, 5, DOCKERLOG_MUX, &s);
	assert_string_equal(s.text, "2:FATAL: cut|");
}

struct time_case {
	const char *text;
	int64_t epoch;
	size_t used;
};

static void test_rfc3339_times_parse(void **state)
{
	static const struct time_case cases[] = {
		{ "2026-12-03T12:55:37Z rest", 1796302537, 20 },
		{ "2026-12-03T12:55:37.3922974Z", 1796302537, 28 },
		{ "2026-12-03T13:55:37.5+01:00", 1796302537, 27 },
		{ "1970-01-01T00:00:00Z", 0, 20 },
		{ "2026-12-03 12:55:37Z", 0, 0 },
		{ "2026-12-03T12:55:37", 0, 0 },
		{ "garbage", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t t = 0;
		size_t used = dockerlog_parse_time(cases[i].text,
						   strlen(cases[i].text), &t);

		assert_int_equal(used, cases[i].used);
		if (used)
			assert_int_equal(t, cases[i].epoch);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captured_frames_give_lines_with_streams),
		cmocka_unit_test(test_every_split_point_gives_the_same_lines),
		cmocka_unit_test(test_line_split_across_frames_is_joined),
		cmocka_unit_test(test_raw_tty_bytes_are_split_on_newlines),
		cmocka_unit_test(test_huge_frame_length_is_streamed_not_allocated),
		cmocka_unit_test(test_long_line_is_cut_at_the_cap),
		cmocka_unit_test(test_malformed_header_falls_back_to_raw),
		cmocka_unit_test(test_truncated_stream_flushes_partial_line),
		cmocka_unit_test(test_rfc3339_times_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
