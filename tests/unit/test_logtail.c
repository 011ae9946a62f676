/*
 * The tail reader: the last lines of real files, partial first lines,
 * cut long lines, junk bytes, and a cost bounded by what it keeps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../core/util.h"
#include "../../lib/logtail.h"

static char tmp_path[64];

/* Writes data to a fresh temporary file named in tmp_path. */
static void write_tmp(const char *data, size_t len)
{
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/test_logtail.XXXXXX");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void read_tmp(struct logtail *t, size_t lines, size_t bytes,
		     size_t line_max)
{
	struct logtail_opts o = { lines, bytes, line_max };
	char *cause = NULL;

	assert_int_equal(logtail_read(t, tmp_path, &o, &cause), 0);
	assert_null(cause);
	unlink(tmp_path);
}

static void assert_line(const struct logtail *t, size_t i, const char *want)
{
	assert_true(i < t->n);
	assert_int_equal(t->lines[i].len, strlen(want));
	assert_memory_equal(t->lines[i].text, want, strlen(want));
}

static void test_small_file_is_read_whole(void **state)
{
	struct logtail t;
	const char text[] = "one\ntwo\nthree\n";

	write_tmp(text, sizeof(text) - 1);
	read_tmp(&t, 0, 0, 0);
	assert_int_equal(t.n, 3);
	assert_true(t.from_start);
	assert_line(&t, 0, "one");
	assert_line(&t, 2, "three");
	assert_int_equal(t.lines[2].offset, 8);
	logtail_release(&t);
}

static void test_last_line_without_newline_is_kept(void **state)
{
	struct logtail t;
	const char text[] = "one\r\ntwo";

	write_tmp(text, sizeof(text) - 1);
	read_tmp(&t, 0, 0, 0);
	assert_int_equal(t.n, 2);
	assert_line(&t, 0, "one");
	assert_line(&t, 1, "two");
	logtail_release(&t);
}

static void test_max_lines_keeps_the_last_ones(void **state)
{
	struct logtail t;
	struct buf b = BUF_INIT;

	for (int i = 0; i < 100000; i++)
		buf_addf(&b, "line %d\n", i);
	write_tmp(b.data, b.len);
	read_tmp(&t, 3, 0, 0);
	assert_int_equal(t.n, 3);
	assert_false(t.from_start);
	assert_line(&t, 0, "line 99997");
	assert_line(&t, 2, "line 99999");
	assert_int_equal(t.lines[2].offset, b.len - strlen("line 99999\n"));
	/* Only the last block was read, not the whole file. */
	assert_true(t.file_size - t.start <= 64 * 1024);
	buf_release(&b);
	logtail_release(&t);
}

static void test_byte_window_drops_the_partial_first_line(void **state)
{
	struct logtail t;
	const char text[] = "aaaaaaaaaa\nbbbb\ncccc\n";

	write_tmp(text, sizeof(text) - 1);
	read_tmp(&t, 0, 13, 0);
	assert_false(t.from_start);
	assert_int_equal(t.n, 2);
	assert_line(&t, 0, "bbbb");
	assert_line(&t, 1, "cccc");
	logtail_release(&t);
}

static void test_long_lines_are_cut(void **state)
{
	struct logtail t;
	char text[10001];

	memset(text, 'x', 9999);
	text[9999] = '\n';
	write_tmp(text, 10000);
	read_tmp(&t, 0, 0, 100);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.lines[0].len, 100);
	assert_true(t.lines[0].cut);
	logtail_release(&t);
}

static void test_junk_bytes_are_kept_as_they_are(void **state)
{
	struct logtail t;
	const char text[] = "ok\n\x00\xff\xfe\x1b[31m\nend\n";

	write_tmp(text, sizeof(text) - 1);
	read_tmp(&t, 0, 0, 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.lines[1].len, 8);
	assert_memory_equal(t.lines[1].text, "\x00\xff\xfe\x1b[31m", 8);
	logtail_release(&t);
}

static void test_empty_file_has_no_lines(void **state)
{
	struct logtail t;

	write_tmp("", 0);
	read_tmp(&t, 10, 0, 0);
	assert_int_equal(t.n, 0);
	assert_true(t.from_start);
	logtail_release(&t);
}

/* A sparse 1 GiB file: only the window at the end is read. */
static void test_huge_file_costs_only_its_window(void **state)
{
	struct logtail t;
	struct logtail_opts o = { 1000, 0, 0 };
	char *cause = NULL;
	FILE *f;
	int64_t start;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/test_logtail_big.XXXXXX");
	close(mkstemp(tmp_path));
	assert_int_equal(truncate(tmp_path, 1LL << 30), 0);
	f = fopen(tmp_path, "a");
	for (int i = 0; i < 5000; i++)
		fprintf(f, "2026-12-03 12:00:00 INFO tick %d\n", i);
	fclose(f);

	start = now_ms();
	assert_int_equal(logtail_read(&t, tmp_path, &o, &cause), 0);
	assert_true(now_ms() - start < 500);
	unlink(tmp_path);
	assert_int_equal(t.n, 1000);
	assert_line(&t, 999, "2026-12-03 12:00:00 INFO tick 4999");
	assert_true(t.file_size > (1LL << 30));
	logtail_release(&t);
}

static void test_missing_file_names_the_path(void **state)
{
	struct logtail t;
	struct logtail_opts o = { 0, 0, 0 };
	char *cause = NULL;

	assert_int_equal(logtail_read(&t, "/nonexistent/x.log", &o, &cause),
			 -1);
	assert_string_equal(cause, "cannot read '/nonexistent/x.log': "
				   "No such file or directory");
	free(cause);
	logtail_release(&t);
}

static void test_directory_is_refused(void **state)
{
	struct logtail t;
	struct logtail_opts o = { 0, 0, 0 };
	char *cause = NULL;

	assert_int_equal(logtail_read(&t, "/tmp", &o, &cause), -1);
	assert_string_equal(cause, "cannot read '/tmp': not a regular file");
	free(cause);
	logtail_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_file_is_read_whole),
		cmocka_unit_test(test_last_line_without_newline_is_kept),
		cmocka_unit_test(test_max_lines_keeps_the_last_ones),
		cmocka_unit_test(test_byte_window_drops_the_partial_first_line),
		cmocka_unit_test(test_long_lines_are_cut),
		cmocka_unit_test(test_junk_bytes_are_kept_as_they_are),
		cmocka_unit_test(test_empty_file_has_no_lines),
		cmocka_unit_test(test_huge_file_costs_only_its_window),
		cmocka_unit_test(test_missing_file_names_the_path),
		cmocka_unit_test(test_directory_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
