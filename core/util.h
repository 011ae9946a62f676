/*
 * Small helpers every module uses: allocation that never returns NULL,
 * a growable byte buffer with an optional size cap, and monotonic time.
 */
#ifndef PREFLIGHT_UTIL_H
#define PREFLIGHT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation wrappers: on exhaustion they print a message and exit(3). */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/*
 * A growable buffer. `data` is always NUL-terminated once anything has been
 * added (or after buf_cstr). When `cap` is non-zero, appends beyond `cap`
 * bytes are dropped and `truncated` is set: remote data never grows without
 * bound. Initialise with BUF_INIT or buf_init; free with buf_release.
 */
struct buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap;
	int truncated;
};
#define BUF_INIT { NULL, 0, 0, 0, 0 }

void buf_init(struct buf *b, size_t cap);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
/* Returns the number of bytes actually kept (less than n when capped). */
size_t buf_add(struct buf *b, const void *data, size_t n);
void buf_addstr(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Always a valid string, "" for an empty buffer; still owned by b. */
const char *buf_cstr(struct buf *b);
/* Hands the string to the caller (never NULL) and resets b. */
char *buf_detach(struct buf *b);

/* Milliseconds on the monotonic clock; never goes back. */
int64_t now_ms(void);
/* Wall clock as "2026-12-03T12:00:00Z" into out (at least 21 bytes). */
void utc_timestamp(char *out, size_t n, int64_t *epoch_ms);

/* Reads a whole file, at most cap bytes (0: no cap). NULL and errno set. */
char *read_file(const char *path, size_t cap, size_t *len);

/* Writes data to path atomically: a temporary file beside it, renamed. */
int write_file_atomic(const char *path, const char *data, size_t len,
		      char **cause);

/* Joins dir and a relative path; an absolute path is returned as is. */
char *path_join(const char *dir, const char *path);

#endif
