/*
 * Where each value of a parsed JSON document stands in its source text, so
 * that config errors can name a line and column. cJSON keeps no positions;
 * this module scans the same text once more and pairs the values it meets
 * with the tree's nodes in document order. An object member's position is
 * that of its key.
 */
#ifndef PREFLIGHT_JSONPOS_H
#define PREFLIGHT_JSONPOS_H

#include <stddef.h>
#include <cjson/cJSON.h>

struct jsonpos;

/* Builds the map for `root`, parsed from text[0..len). NULL if they differ. */
struct jsonpos *jsonpos_build(const cJSON *root, const char *text, size_t len);
void jsonpos_free(struct jsonpos *map);

/* Line and column (1-based) of node; 0 if unknown or map is NULL. */
int jsonpos_find(const struct jsonpos *map, const cJSON *node, int *line,
		 int *col);

/* Line and column of a byte offset into text. */
void jsonpos_of_offset(const char *text, size_t off, int *line, int *col);

#endif
