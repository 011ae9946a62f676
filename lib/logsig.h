/*
 * Log signatures: lines in a service's log that say what is wrong, each
 * with a diagnosis for a person, a hint, and the check type that owns the
 * root cause (a missing module points at python-deps, whose fix installs
 * it).
 *
 * A signature is a POSIX extended regex tried on one line, behind cheap
 * literal needles so most lines cost a few memmem calls. Its texts are
 * templates: $0..$9 are the regex's groups, $S the subject (the group
 * named by `subject`, or a match of a subject pattern) and $P the Python
 * package that provides the subject when it names a module.
 *
 * Built-in catalogues ("python") and a config's own patterns are compiled
 * into one set; a scan then feeds it lines in file order and keeps one
 * finding per signature and subject, with a count and the last evidence.
 * A Python traceback is followed across lines: when no signature matches
 * the exception line that ends it, the catalogue's traceback signature
 * reports that line.
 */
#ifndef PREFLIGHT_LOGSIG_H
#define PREFLIGHT_LOGSIG_H

#include <stddef.h>
#include <stdint.h>

#include "../core/result.h"

enum {
	LOGSIG_TRACEBACK = 1 << 0,	/* tried only on a traceback's end */
	LOGSIG_ICASE = 1 << 1,		/* the regex ignores case */
};

struct logsig {
	const char *name;	/* "module-not-found"; variants share it */
	const char *needles;	/* "a|b": one must occur; NULL: none */
	const char *pattern;	/* POSIX ERE */
	int subject;		/* regex group of the subject; 0: none */
	const char *subject_pattern;	/* else its group 1, on a match */
	enum status severity;	/* STATUS_FAIL or STATUS_WARN */
	const char *diagnosis;	/* template */
	const char *hint;	/* template, may be NULL */
	const char *see;	/* "http,tcp": owning check types, or NULL */
	const char *why;	/* template, why the see entry applies */
	unsigned flags;
};

/* A compiled set of signatures and start markers. */
struct logsig_set;

struct logsig_set *logsig_set_new(void);
void logsig_set_free(struct logsig_set *set);
/* Adds a built-in catalogue; -1 with *cause (caller frees) if unknown. */
int logsig_set_add_catalogue(struct logsig_set *set, const char *name,
			     char **cause);
/* Adds a signature; its strings are copied. -1 with *cause on a bad regex. */
int logsig_set_add(struct logsig_set *set, const struct logsig *sig,
		   char **cause);
/* Adds a regex that marks a service start. -1 with *cause on a bad regex. */
int logsig_set_add_marker(struct logsig_set *set, const char *regex,
			  char **cause);
/* 1 if line[0..len) is a start marker of any catalogue or added regex. */
int logsig_is_marker(const struct logsig_set *set, const char *line,
		     size_t len);

/* The catalogues' names, NULL-ended, and one catalogue's signatures. */
const char *const *logsig_catalogue_names(void);
const struct logsig *logsig_catalogue(const char *name, size_t *n);

#define LOGSIG_LINE_MAX 2048
#define LOGSIG_MAX_FINDINGS 32
#define LOGSIG_EVIDENCE_MAX 400

struct logsig_finding {
	const struct logsig *sig;	/* owned by the set */
	char *subject;		/* "" when none; owned */
	char *diagnosis;	/* expanded for the last match; owned */
	char *hint;		/* owned, may be NULL */
	char *why;		/* owned, may be NULL */
	unsigned count;
	int64_t first_offset;	/* file offsets of the first and last */
	int64_t last_offset;
	char *evidence;		/* last matching line, raw, capped; owned */
};

struct logsig_scan {
	const struct logsig_set *set;
	struct logsig_finding f[LOGSIG_MAX_FINDINGS];
	size_t n;
	unsigned dropped;	/* matches of findings beyond the limit */
	size_t lines;
	int in_traceback;	/* after "Traceback (most recent ...):" */
};

/* The set must outlive the scan. Lines come in file order. */
void logsig_scan_init(struct logsig_scan *sc, const struct logsig_set *set);
void logsig_scan_line(struct logsig_scan *sc, const char *line, size_t len,
		      int64_t offset);
/* The worst severity among the findings; STATUS_PASS when none. */
enum status logsig_scan_worst(const struct logsig_scan *sc);
/* Indexes of findings, worst first, then most recent first. */
void logsig_scan_order(const struct logsig_scan *sc, size_t *idx);
void logsig_scan_release(struct logsig_scan *sc);

/* The Python package that provides a top-level module ("yaml": PyYAML). */
const char *logsig_package(const char *module, char *buf, size_t n);

/*
 * Reads a timestamp at the start of a line ("2026-12-03 12:00:00,123",
 * "2026-12-03T12:00:00Z", "[2026-12-03 12:00:00 +0100]"); times without a
 * zone are local. Returns 1 and seconds since the epoch, or 0.
 */
int logsig_line_time(const char *line, size_t len, int64_t *epoch);

#endif
