/*
 * Reading the end of a log file, at a cost bounded by what is kept, not
 * by the size of the file: a 2 GB log costs what a 2 MB one does.
 *
 * logtail_read reads backwards from the end in blocks until it holds
 * max_lines complete lines or max_bytes bytes, or reaches the start of the
 * file. Lines are views into one buffer the tail owns; they do not
 * include the newline, may hold any bytes (NUL, invalid UTF-8) and are cut
 * at max_line bytes (`cut` set). When the window does not reach the start
 * of the file, the first, partial line is dropped.
 */
#ifndef PREFLIGHT_LOGTAIL_H
#define PREFLIGHT_LOGTAIL_H

#include <stddef.h>
#include <stdint.h>

#define LOGTAIL_MAX_BYTES (8 * 1024 * 1024)
#define LOGTAIL_MAX_LINE 4096

struct logtail_line {
	const char *text;	/* not NUL-terminated; owned by the tail */
	size_t len;		/* at most max_line */
	int64_t offset;		/* of its first byte in the file */
	int cut;		/* the line was longer than max_line */
};

struct logtail {
	char *data;
	struct logtail_line *lines;
	size_t n;
	int64_t file_size;	/* when the read started */
	int64_t start;		/* file offset of data[0] */
	int from_start;		/* the window reaches the file's start */
};
#define LOGTAIL_INIT { NULL, NULL, 0, 0, 0, 0 }

struct logtail_opts {
	size_t max_lines;	/* 0: no limit but max_bytes */
	size_t max_bytes;	/* 0: LOGTAIL_MAX_BYTES */
	size_t max_line;	/* 0: LOGTAIL_MAX_LINE */
};

/*
 * Fills t with the last lines of path. Returns 0, or -1 with *cause set
 * (a message naming the path; the caller frees it) when the file cannot
 * be opened or read or is not a regular file. Release t in both cases.
 */
int logtail_read(struct logtail *t, const char *path,
		 const struct logtail_opts *opts, char **cause);
/* The same from an open descriptor (not closed); name is for messages. */
int logtail_read_fd(struct logtail *t, int fd, const char *name,
		    const struct logtail_opts *opts, char **cause);
void logtail_release(struct logtail *t);

#endif
