/*
 * Requirements files read the way pip reads them, so that preflight checks
 * exactly what `pip install -r requirements.txt` would have installed.
 *
 * Handled as pip does: comments ("#" at the start or after white space),
 * blank lines, backslash continuations, ${VAR} from the environment,
 * -r/--requirement and -c/--constraint includes (relative to the including
 * file; an include loop is refused), option lines that name no package
 * (--index-url, --find-links, --pre, ...), per-requirement options
 * (--hash=...), extras, version specifiers (also in parentheses),
 * environment markers, direct references ("name @ url"), URLs, local paths
 * and -e editable requirements.
 *
 * Names are normalised as PEP 503 says: "AIOHTTP", "aio_http" and
 * "aio.http" all have the key "aio-http".
 */
#ifndef PREFLIGHT_REQFILE_H
#define PREFLIGHT_REQFILE_H

#include <stddef.h>

/* How deep -r/-c includes may nest. */
#define REQFILE_MAX_DEPTH 16

enum req_kind {
	REQ_NAMED,	/* name[extras] specifier ; marker */
	REQ_URL,	/* "name @ url", a URL, or a VCS URL */
	REQ_PATH,	/* a local directory or archive */
	REQ_EDITABLE,	/* -e target */
};

/* One requirement; every string is owned by the reqfile. */
struct req {
	enum req_kind kind;
	int constraint;		/* from a -c file: limits, requires nothing */
	char *name;		/* as written; NULL when the line names none */
	char *key;		/* PEP 503 form of name, NULL with it */
	char *extras;		/* "http2,socks" normalised, or NULL */
	char *specifier;	/* ">=1.0,<2", "" when none */
	char *marker;		/* the text after ';', or NULL */
	char *url;		/* URL or path of the other kinds, or NULL */
	char *text;		/* the requirement as written, options cut */
	const char *file;	/* the file it came from (in files[]) */
	int line;		/* its first line there */
};

struct reqfile {
	struct req *reqs;
	size_t n;
	char **files;		/* every file read, the top one first */
	size_t nfiles;
	/*
	 * The file's options that shape where pip finds packages
	 * (--index-url URL, --find-links DIR, --no-index, --pre, ...), as
	 * argv words in file order, so a command installing part of the file
	 * looks where the file said. A relative --find-links is made
	 * relative to its file when that exists there, as pip does.
	 */
	char **options;
	size_t noptions;
};
#define REQFILE_INIT { NULL, 0, NULL, 0, NULL, 0 }

/*
 * Reads path and its includes into rf (initialised). On error returns -1
 * with *cause naming the file and line ("requirements.txt:3: ..."); the
 * caller frees it and releases rf either way.
 */
int reqfile_load(struct reqfile *rf, const char *path, char **cause);
void reqfile_release(struct reqfile *rf);

/*
 * Parses one requirement ("httpx[http2]>=0.25; python_version>'3.7'")
 * into req, which the caller releases with req_release. Returns -1 with
 * *cause (no file or line in it) when it is malformed.
 */
int req_parse(const char *text, struct req *req, char **cause);
void req_release(struct req *req);

/* The PEP 503 normal form of a project name, newly allocated. */
char *req_normalise_name(const char *name);

#endif
