/*
 * `preflight --explain ID`: what one check does, its resolved config with
 * secrets masked, the fix that can repair it and what its failure looks
 * like, so a person can judge a check without reading its module.
 */
#ifndef PREFLIGHT_EXPLAIN_H
#define PREFLIGHT_EXPLAIN_H

#include "config.h"
#include "util.h"

/* Appends the explanation of check `id` to out; -1 if no check has it. */
int explain_check(const struct config *cfg, const char *id, struct buf *out);

#endif
