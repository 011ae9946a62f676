/*
 * Reading the end of a log file backwards, so a scan of a huge log reads
 * a few megabytes, not gigabytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/util.h"
#include "logtail.h"

#define LOGTAIL_BLOCK (64 * 1024)

static int logtail_fail(char **cause, const char *name, const char *what)
{
	*cause = xasprintf("cannot read '%s': %s", name, what);
	return -1;
}

/* Reads exactly n bytes at off; -1 with errno, or 0 on a short file. */
static ssize_t logtail_pread(int fd, char *dst, size_t n, int64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, dst + got, n - got, (off_t)off + got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static size_t count_newlines(const char *p, size_t n)
{
	size_t k = 0;
	const char *end = p + n;

	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		k++;
		p++;
	}
	return k;
}

/*
 * Fills the end of buf backwards from the end of the file; returns the
 * number of bytes read, or -1 with errno set.
 */
static ssize_t logtail_fill(int fd, char *buf, size_t cap, int64_t size,
			    size_t max_lines)
{
	size_t filled = 0, newlines = 0;

	while (filled < cap) {
		size_t chunk = cap - filled;
		char *dst;
		ssize_t r;

		if (chunk > LOGTAIL_BLOCK)
			chunk = LOGTAIL_BLOCK;
		dst = buf + cap - filled - chunk;
		r = logtail_pread(fd, dst, chunk,
				  size - (int64_t)(filled + chunk));
		if (r <= 0) {
			if (r == 0)
				errno = ESTALE;
			return -1;
		}
		filled += chunk;

		/* The file's own final newline ends the last line. */
		newlines += count_newlines(dst, chunk);
		if (filled == chunk && dst[chunk - 1] == '\n')
			newlines--;
		if (max_lines && newlines > max_lines)
			break;
	}
	return (ssize_t)filled;
}

static void logtail_add(struct logtail *t, const char *p, size_t len,
			const struct logtail_opts *o)
{
	struct logtail_line *l = &t->lines[t->n++];

	if (len && p[len - 1] == '\r')
		len--;
	l->text = p;
	l->offset = t->start + (p - t->data);
	l->cut = len > o->max_line;
	l->len = l->cut ? o->max_line : len;
}

/* Splits data[from..end) into lines and keeps the last max_lines. */
static void logtail_split(struct logtail *t, size_t from, size_t end,
			  const struct logtail_opts *o)
{
	const char *p = t->data + from, *e = t->data + end;
	size_t n = count_newlines(p, end - from) + 1;

	t->lines = xcalloc(n, sizeof(*t->lines));
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(e - p);

		logtail_add(t, p, len, o);
		p += len + 1;
	}

	if (o->max_lines && t->n > o->max_lines) {
		size_t drop = t->n - o->max_lines;

		memmove(t->lines, t->lines + drop,
			o->max_lines * sizeof(*t->lines));
		t->n = o->max_lines;
	}
}

int logtail_read_fd(struct logtail *t, int fd, const char *name,
		    const struct logtail_opts *opts, char **cause)
{
	struct logtail_opts o = *opts;
	struct stat st;
	size_t cap, from = 0;
	ssize_t got;

	memset(t, 0, sizeof(*t));
	if (!o.max_bytes)
		o.max_bytes = LOGTAIL_MAX_BYTES;
	if (!o.max_line)
		o.max_line = LOGTAIL_MAX_LINE;
	if (fstat(fd, &st) < 0)
		return logtail_fail(cause, name, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return logtail_fail(cause, name, "not a regular file");

	t->file_size = st.st_size;
	cap = (uint64_t)st.st_size < o.max_bytes ? (size_t)st.st_size
						  : o.max_bytes;
	t->data = xmalloc(cap + 1);
	got = logtail_fill(fd, t->data, cap, t->file_size, o.max_lines);
	if (got < 0)
		return logtail_fail(cause, name, errno == ESTALE ?
				    "it shrank while being read" :
				    strerror(errno));

	/* Move what was read to the front, then drop a partial first line. */
	memmove(t->data, t->data + cap - (size_t)got, (size_t)got);
	t->data[got] = '\0';
	t->start = t->file_size - got;
	t->from_start = t->start == 0;
	if (!t->from_start) {
		char *nl = memchr(t->data, '\n', (size_t)got);

		if (nl && nl + 1 < t->data + got)
			from = (size_t)(nl + 1 - t->data);
	}
	logtail_split(t, from, (size_t)got, &o);
	return 0;
}

int logtail_read(struct logtail *t, const char *path,
		 const struct logtail_opts *opts, char **cause)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int rc;

	if (fd < 0) {
		memset(t, 0, sizeof(*t));
		return logtail_fail(cause, path, strerror(errno));
	}
	rc = logtail_read_fd(t, fd, path, opts, cause);
	close(fd);
	return rc;
}

void logtail_release(struct logtail *t)
{
	free(t->data);
	free(t->lines);
	memset(t, 0, sizeof(*t));
}
