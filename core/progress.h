/*
 * The live "still running" line: on a terminal, checks that have run for
 * more than half a second are named on one line of stderr, redrawn as
 * they change and erased when the run ends, so a person sees what a slow
 * run is waiting for without the report being disturbed.
 */
#ifndef PREFLIGHT_PROGRESS_H
#define PREFLIGHT_PROGRESS_H

#include <stddef.h>

#include "config.h"

struct progress;

/*
 * Starts the line's thread when enabled (callers pass: stderr is a
 * terminal and not --quiet); returns NULL otherwise, which the other
 * calls accept.
 */
struct progress *progress_start(const struct config *cfg, int enabled);
/* The runner's callback (struct run_opts.progress); data is a progress. */
void progress_update(void *data, size_t idx, int running);
/* Stops the thread and erases the line; frees p. */
void progress_stop(struct progress *p);

/* 1 when the live line should be shown on fd (a terminal, TERM not dumb). */
int progress_wanted(int fd);

#endif
