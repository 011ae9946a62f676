/*
 * Finding the backend calls in a client's source code: string literals
 * that hold a URL on the backend, where they are, and what the code around
 * them says about the request (method, query parameters, JSON body keys).
 *
 * Python is read first and best. A literal counts when it starts with the
 * backend's base URL (loopback names are interchangeable: localhost,
 * 127.0.0.1, [::1] and 0.0.0.0 are one host), or when it is an f-string
 * or a "+" concatenation that starts with a name the same file assigned
 * such a URL to (BASE = "http://localhost:8000"; f"{BASE}/api/...").
 * In a file that builds a client on the backend (httpx.Client or
 * aiohttp.ClientSession with base_url=...), a literal path given as the
 * first argument of .get(, .post(, ... counts too, under that base.
 *
 * The method comes from the call the literal sits in: requests.get(...),
 * session.post(...), client.request("PUT", ...), or a method= argument.
 * Query names come from the literal's query string and a params={...}
 * dict; body keys from a json={...} dict or json=dict(k=...). What cannot
 * be read this way (a URL built elsewhere, a method in a variable) is left
 * unknown rather than guessed.
 *
 * Work is bounded: at most max_files files, each at most max_bytes (a
 * larger file is skipped and noted), at most max_hits hits in all.
 */
#ifndef PREFLIGHT_SRCSCAN_H
#define PREFLIGHT_SRCSCAN_H

#include <stddef.h>

struct srcscan_opts {
	const char *base_url;	/* "http://localhost:8000", maybe a path */
	size_t max_files;	/* 0: 200 */
	size_t max_bytes;	/* per file; 0: 1 MiB */
	size_t max_hits;	/* 0: 500 */
};

struct srcscan_hit {
	char *file;		/* as given to srcscan_file/srcscan_text */
	int line;		/* 1-based line of the literal */
	char *method;		/* "POST"; NULL: the code does not say */
	char *url;		/* the URL as resolved, capped at 300 bytes */
	char *path;		/* its path without query: "/api/v1/x" */
	char **query;		/* query parameter names, NULL-ended */
	char **body;		/* JSON body keys, NULL-ended */
};

/* Everything found so far; initialise with SRCSCAN_INIT. */
struct srcscan {
	struct srcscan_hit *hits;
	size_t nhits;
	size_t files;		/* files read */
	char **notes;		/* files skipped and why; NULL-ended */
	size_t nnotes;
	int truncated;		/* a bound stopped the scan early */
};
#define SRCSCAN_INIT { NULL, 0, 0, NULL, 0, 0 }

void srcscan_release(struct srcscan *sc);

/* Scans one file's text (name is recorded in each hit). */
void srcscan_text(const struct srcscan_opts *o, const char *name,
		  const char *text, size_t len, struct srcscan *sc);

/*
 * Reads path (bounded by max_bytes) and scans it, recording display as the
 * file's name. A file that cannot be read or is too large becomes a note.
 */
void srcscan_file(const struct srcscan_opts *o, const char *path,
		  const char *display, struct srcscan *sc);

/*
 * Expands files and glob patterns (relative ones against base_dir) into
 * a sorted, duplicate-free NULL-ended list of at most max regular files,
 * relative names kept relative. A pattern that matches nothing is
 * reported through *missing (NULL-ended; NULL when every one matched).
 * Returns the list; free both with strv_free.
 */
char **srcscan_expand(const char *base_dir, char *const *patterns,
		      size_t max, char ***missing);

/*
 * If url is on the backend named by base_url, returns a pointer to its
 * path (the '/' after the authority, or "" when it has none); else NULL.
 */
const char *srcscan_on_base(const char *base_url, const char *url);

#endif
