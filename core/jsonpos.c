/*
 * Source positions for cJSON trees. The scanner trusts that cJSON already
 * accepted the text; it only needs to find where each value begins.
 */
#include <stdlib.h>
#include <string.h>

#include "jsonpos.h"
#include "util.h"

struct pos {
	int line, col;
};

struct jsonpos {
	const cJSON **nodes;
	struct pos *pos;
	size_t n;
};

struct scan {
	const char *s;
	size_t len, i;
	int line, col;
	struct pos *out;
	size_t n, alloc;
	int depth;
};

static void advance(struct scan *sc)
{
	if (sc->i >= sc->len)
		return;
	if (sc->s[sc->i] == '\n') {
		sc->line++;
		sc->col = 1;
	} else if (((unsigned char)sc->s[sc->i] & 0xc0) != 0x80) {
		sc->col++;
	}
	sc->i++;
}

/* As cJSON does, every byte up to the space counts as white space. */
static void skip_space(struct scan *sc)
{
	while (sc->i < sc->len && (unsigned char)sc->s[sc->i] <= ' ')
		advance(sc);
}

static void record(struct scan *sc)
{
	if (sc->n == sc->alloc) {
		sc->alloc = sc->alloc ? sc->alloc * 2 : 64;
		sc->out = xrealloc(sc->out, sc->alloc * sizeof(*sc->out));
	}
	sc->out[sc->n].line = sc->line;
	sc->out[sc->n].col = sc->col;
	sc->n++;
}

static void skip_string(struct scan *sc)
{
	advance(sc);
	while (sc->i < sc->len && sc->s[sc->i] != '"') {
		if (sc->s[sc->i] == '\\' && sc->i + 1 < sc->len)
			advance(sc);
		advance(sc);
	}
	if (sc->i < sc->len)
		advance(sc);
}

static int scan_value(struct scan *sc, int recorded);

static int scan_members(struct scan *sc, char close, int object)
{
	advance(sc);
	skip_space(sc);
	if (sc->i < sc->len && sc->s[sc->i] == close) {
		advance(sc);
		return 0;
	}
	while (sc->i < sc->len) {
		skip_space(sc);
		if (object) {
			record(sc);
			skip_string(sc);
			skip_space(sc);
			advance(sc);	/* the colon */
			skip_space(sc);
		}
		if (scan_value(sc, object) < 0)
			return -1;
		skip_space(sc);
		if (sc->i < sc->len && sc->s[sc->i] == ',') {
			advance(sc);
			continue;
		}
		if (sc->i < sc->len && sc->s[sc->i] == close) {
			advance(sc);
			return 0;
		}
		return -1;
	}
	return -1;
}

/* Scans one value; `recorded` when its member key already gave it a spot. */
static int scan_value(struct scan *sc, int recorded)
{
	int rc = 0;

	skip_space(sc);
	if (sc->i >= sc->len || ++sc->depth > 1000)
		return -1;
	if (!recorded)
		record(sc);
	switch (sc->s[sc->i]) {
	case '{':
		rc = scan_members(sc, '}', 1);
		break;
	case '[':
		rc = scan_members(sc, ']', 0);
		break;
	case '"':
		skip_string(sc);
		break;
	default:
		while (sc->i < sc->len && !strchr(",]} \t\r\n", sc->s[sc->i]))
			advance(sc);
	}
	sc->depth--;
	return rc;
}

static void collect(const cJSON *node, const cJSON ***nodes, size_t *n,
		    size_t *alloc)
{
	const cJSON *c;

	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 64;
		*nodes = xrealloc(*nodes, *alloc * sizeof(**nodes));
	}
	(*nodes)[(*n)++] = node;
	for (c = node->child; c; c = c->next)
		collect(c, nodes, n, alloc);
}

struct jsonpos *jsonpos_build(const cJSON *root, const char *text, size_t len)
{
	struct scan sc = { .s = text, .len = len, .line = 1, .col = 1 };
	struct jsonpos *map;
	size_t alloc = 0;

	if (!root || scan_value(&sc, 0) < 0) {
		free(sc.out);
		return NULL;
	}
	map = xcalloc(1, sizeof(*map));
	collect(root, &map->nodes, &map->n, &alloc);
	if (map->n != sc.n) {
		free(sc.out);
		jsonpos_free(map);
		return NULL;
	}
	map->pos = sc.out;
	return map;
}

void jsonpos_free(struct jsonpos *map)
{
	if (!map)
		return;
	free(map->nodes);
	free(map->pos);
	free(map);
}

int jsonpos_find(const struct jsonpos *map, const cJSON *node, int *line,
		 int *col)
{
	size_t i;

	*line = *col = 0;
	if (!map || !node)
		return 0;
	for (i = 0; i < map->n; i++) {
		if (map->nodes[i] == node) {
			*line = map->pos[i].line;
			*col = map->pos[i].col;
			return 1;
		}
	}
	return 0;
}

void jsonpos_of_offset(const char *text, size_t off, int *line, int *col)
{
	size_t i;

	*line = *col = 1;
	for (i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}
