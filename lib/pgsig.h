/*
 * The catalogue of PostgreSQL log signatures: lines an experienced
 * operator recognises, each with what it means and what to do.
 *
 * A naive `grep FATAL` is wrong both ways. `FATAL: role "root" does not
 * exist` is a client with the wrong user talking to a healthy server; a
 * data directory from another major version stops the server for good.
 * Each signature therefore has a level:
 *
 *   PGSIG_FAIL    the server cannot run or lost processes (PANIC, bad data
 *                 directory, address in use, disk full, out of memory)
 *   PGSIG_WARN    the server runs but is in trouble (too many clients,
 *                 recovery in progress, starting up or shutting down)
 *   PGSIG_CLIENT  a client's mistake (bad password, unknown role or
 *                 database); it names the role or database and is never
 *                 a verdict on the server
 *   PGSIG_READY   the server said it accepts connections: WARN findings
 *                 seen before it are over and are dropped, and transient
 *                 ones ("starting up", answered to a client that raced
 *                 the start) are ignored after it
 *
 * A scan reads lines in order and keeps the findings: one per signature
 * (one per signature and subject for client errors), with a count and the
 * last line that matched. Lines are untrusted bytes of any length; at most
 * PGSIG_LINE_MAX bytes of each are examined.
 */
#ifndef PREFLIGHT_PGSIG_H
#define PREFLIGHT_PGSIG_H

#include <stddef.h>

enum pgsig_level { PGSIG_READY, PGSIG_CLIENT, PGSIG_WARN, PGSIG_FAIL };

struct pgsig {
	const char *name;	/* "incompatible-version"; shared by variants */
	enum pgsig_level level;
	const char *pattern;	/* POSIX ERE; group 1, if any, is the subject */
	const char *diagnosis;	/* "{}" is replaced by the subject */
	const char *hint;
	int transient;		/* ignored once the server said it is ready */
};

#define PGSIG_LINE_MAX 1024
#define PGSIG_SUBJECT_MAX 64
#define PGSIG_MAX_FINDINGS 16

/* Returns the first signature matching line[0..len) or NULL; copies its
 * subject (empty when none) into subject, which has PGSIG_SUBJECT_MAX
 * bytes. Thread-safe. */
const struct pgsig *pgsig_match(const char *line, size_t len, char *subject);

struct pgsig_finding {
	const struct pgsig *sig;
	char subject[PGSIG_SUBJECT_MAX];
	unsigned count;
	char *line;		/* the last line that matched, raw; owned */
};

struct pgsig_scan {
	struct pgsig_finding f[PGSIG_MAX_FINDINGS];
	size_t n;
	size_t lines;		/* lines read */
	unsigned dropped;	/* findings beyond PGSIG_MAX_FINDINGS */
	int ready;		/* a "ready to accept connections" was seen */
};

void pgsig_scan_init(struct pgsig_scan *s);
void pgsig_scan_line(struct pgsig_scan *s, const char *line, size_t len);
/* The worst level among the findings; PGSIG_READY when there are none. */
enum pgsig_level pgsig_scan_worst(const struct pgsig_scan *s);
void pgsig_scan_release(struct pgsig_scan *s);

/* The finding's diagnosis with its subject filled in; the caller frees. */
char *pgsig_describe(const struct pgsig_finding *f);

/* The number of signatures in the catalogue, for tests and docs. */
size_t pgsig_count(void);
const struct pgsig *pgsig_at(size_t i);

#endif
