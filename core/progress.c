/*
 * Drawing the live line. The runner's callback only records start times
 * under a lock; a small thread wakes every 100 ms, builds the line from
 * the checks running for at least PROGRESS_AFTER_MS and redraws it with
 * "\r" and "erase to end of line" when it changed. The line is cut to the
 * terminal's width, since a wrapped line could not be erased.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "util.h"

#define PROGRESS_AFTER_MS 500
#define PROGRESS_TICK_MS 100

struct progress {
	const struct config *cfg;
	int64_t *started;	/* per check: now_ms() at start, 0 if idle */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int stopping;
	char *shown;		/* what the line shows now, or NULL */
};

int progress_wanted(int fd)
{
	const char *term = getenv("TERM");

	return isatty(fd) && !(term && !strcmp(term, "dumb"));
}

static size_t progress_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		return ws.ws_col - 1;
	return 79;
}

/* The line for now, or "" when nothing has run long enough. */
static void progress_line(struct progress *p, struct buf *line)
{
	int64_t now = now_ms();
	size_t i, n = 0;

	for (i = 0; i < p->cfg->nchecks; i++) {
		int64_t ms = p->started[i] ? now - p->started[i] : 0;

		if (ms < PROGRESS_AFTER_MS)
			continue;
		buf_addf(line, "%s%s %.1fs", n++ ? ", " : "still running: ",
			 p->cfg->checks[i].id, (double)ms / 1000);
	}
	if (line->len > progress_width()) {
		line->len = progress_width() - 3;
		buf_addstr(line, "...");
	}
}

static void progress_draw(struct progress *p, const char *text)
{
	if (p->shown ? !strcmp(p->shown, text) : !*text)
		return;
	fprintf(stderr, "\r\033[K%s", text);
	fflush(stderr);
	free(p->shown);
	p->shown = *text ? xstrdup(text) : NULL;
}

static void progress_sleep(struct progress *p)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += PROGRESS_TICK_MS * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&p->wake, &p->lock, &ts);
}

static void *progress_thread(void *arg)
{
	struct progress *p = arg;
	struct buf line = BUF_INIT;

	pthread_mutex_lock(&p->lock);
	while (!p->stopping) {
		buf_reset(&line);
		progress_line(p, &line);
		progress_draw(p, buf_cstr(&line));
		progress_sleep(p);
	}
	progress_draw(p, "");
	pthread_mutex_unlock(&p->lock);
	buf_release(&line);
	return NULL;
}

struct progress *progress_start(const struct config *cfg, int enabled)
{
	struct progress *p;

	if (!enabled || !cfg->nchecks)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->cfg = cfg;
	p->started = xcalloc(cfg->nchecks, sizeof(*p->started));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	if (pthread_create(&p->thread, NULL, progress_thread, p) != 0) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		free(p->started);
		free(p);
		return NULL;
	}
	return p;
}

void progress_update(void *data, size_t idx, int running)
{
	struct progress *p = data;

	if (!p || idx >= p->cfg->nchecks)
		return;
	pthread_mutex_lock(&p->lock);
	p->started[idx] = running ? now_ms() : 0;
	pthread_mutex_unlock(&p->lock);
}

void progress_stop(struct progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p->started);
	free(p->shown);
	free(p);
}
