/*
 * Recognises what PostgreSQL's log lines mean, so a person learns why the
 * database is down (or that a client merely used the wrong role) without
 * reading the log themselves.
 */
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"
#include "pgsig.h"

static const struct pgsig catalogue[] = {
	{ "incompatible-version", PGSIG_FAIL,
	  "initialized by PostgreSQL version ([0-9.]+)",
	  "the data directory was initialised by PostgreSQL {}, which this "
	  "server version cannot read",
	  "run the image of the major version that made the data directory, "
	  "or upgrade the data with pg_upgrade (or dump and restore)", 0 },
	{ "incompatible-version", PGSIG_FAIL,
	  "database files are incompatible with server",
	  "the data directory was initialised by an incompatible PostgreSQL "
	  "version",
	  "run the image of the major version that made the data directory, "
	  "or upgrade the data with pg_upgrade (or dump and restore)", 0 },
	{ "uninitialized-no-password", PGSIG_FAIL,
	  "[Dd]atabase is uninitialized and superuser password is not "
	  "specified",
	  "the database is not initialised and no superuser password was "
	  "given",
	  "set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD) in the "
	  "container's environment, then start it again", 0 },
	{ "no-data-directory", PGSIG_FAIL,
	  "could not find the database system|is not a valid data directory|"
	  "could not access the server configuration file",
	  "the data directory holds no initialised database",
	  "check the volume mounted at the data directory, or initialise it "
	  "with initdb", 0 },
	{ "address-in-use", PGSIG_FAIL,
	  "could not bind [^:]*: Address already in use|"
	  "could not create any TCP/IP sockets|"
	  "is another postmaster .* already running",
	  "the server could not listen: the address or port is already in use",
	  "stop whatever holds the port (ss -ltnp shows it) or give the "
	  "server another port", 0 },
	{ "data-permissions", PGSIG_FAIL,
	  "data directory \"([^\"]+)\" has (invalid permissions|wrong "
	  "ownership)",
	  "the data directory {} has the wrong owner or permissions",
	  "the data directory must belong to the server's user with mode "
	  "0700 or 0750; chown and chmod the volume", 0 },
	{ "data-permissions", PGSIG_FAIL,
	  "\"([^\"]+)\": Permission denied",
	  "the server may not access {}: permission denied",
	  "the data directory must belong to the server's user with mode "
	  "0700 or 0750; chown and chmod the volume", 0 },
	{ "disk-full", PGSIG_FAIL, "No space left on device",
	  "the disk holding the database is full",
	  "free space on the volume (old WAL, logs, dumps) or grow it", 0 },
	{ "out-of-memory", PGSIG_FAIL,
	  "out of memory|Cannot allocate memory",
	  "the server ran out of memory",
	  "raise the container's memory limit or lower shared_buffers, "
	  "work_mem and max_connections", 0 },
	{ "crash", PGSIG_FAIL,
	  "server process \\(PID [0-9]+\\) was terminated by signal "
	  "([0-9]+)",
	  "a server process was killed by signal {}; the server restarted "
	  "its processes",
	  "signal 9 is usually the kernel's out-of-memory killer: check the "
	  "memory limit and the host's kernel log", 0 },
	{ "crash", PGSIG_FAIL, "PANIC: ",
	  "the server hit a PANIC and stopped",
	  "read the lines around the PANIC; check the disk and the data "
	  "directory before starting it again", 0 },
	{ "recovery", PGSIG_WARN,
	  "database system was interrupted|automatic recovery in progress|"
	  "redo starts at",
	  "the server is recovering after an unclean stop",
	  "wait for \"ready to accept connections\"; a long recovery means "
	  "much WAL to replay", 0 },
	{ "not-ready", PGSIG_WARN,
	  "the database system is (starting up|not yet accepting "
	  "connections)",
	  "clients were turned away: the database system is {}",
	  "wait until the server says it is ready to accept connections", 1 },
	{ "not-ready", PGSIG_WARN,
	  "the database system is (shutting down|in recovery mode)",
	  "clients were turned away: the database system is {}",
	  "wait until the server says it is ready to accept connections", 0 },
	{ "too-many-clients", PGSIG_WARN,
	  "sorry, too many clients already|remaining connection slots are "
	  "reserved",
	  "clients were refused: too many connections",
	  "raise max_connections or use a connection pool (pgbouncer); look "
	  "for a client that leaks connections", 0 },
	{ "client-bad-password", PGSIG_CLIENT,
	  "password authentication failed for user \"([^\"]*)\"",
	  "a client gave a wrong password for role {}",
	  "the server is fine; fix the password in the client's DSN", 0 },
	{ "client-unknown-role", PGSIG_CLIENT,
	  "[Rr]ole \"([^\"]*)\" does not exist",
	  "a client asked for role {}, which does not exist",
	  "the server is fine; fix the user in the client's DSN or create "
	  "the role", 0 },
	{ "client-unknown-database", PGSIG_CLIENT,
	  "database \"([^\"]*)\" does not exist",
	  "a client asked for database {}, which does not exist",
	  "the server is fine; fix the database name in the client's DSN or "
	  "create the database", 0 },
	{ "client-no-hba-entry", PGSIG_CLIENT,
	  "no pg_hba.conf entry for host \"([^\"]*)\"",
	  "a client from {} is not allowed by pg_hba.conf",
	  "add a pg_hba.conf line for that host, user and database", 0 },
	{ "ready", PGSIG_READY,
	  "database system is ready to accept connections",
	  "the server is ready to accept connections", NULL, 0 },
};

#define NSIGS ARRAY_SIZE(catalogue)

static regex_t compiled[NSIGS];
static pthread_once_t compile_once = PTHREAD_ONCE_INIT;

static void compile_all(void)
{
	for (size_t i = 0; i < NSIGS; i++)
		if (regcomp(&compiled[i], catalogue[i].pattern, REG_EXTENDED))
			abort();
}

size_t pgsig_count(void)
{
	return NSIGS;
}

const struct pgsig *pgsig_at(size_t i)
{
	return i < NSIGS ? &catalogue[i] : NULL;
}

/* A NUL-free, NUL-terminated copy of at most PGSIG_LINE_MAX bytes. */
static void line_copy(char *dst, const char *s, size_t len)
{
	if (len > PGSIG_LINE_MAX)
		len = PGSIG_LINE_MAX;
	for (size_t i = 0; i < len; i++)
		dst[i] = s[i] ? s[i] : ' ';
	dst[len] = '\0';
}

static void take_subject(char *subject, const char *text,
			 const regmatch_t *m)
{
	size_t n = 0;

	if (m->rm_so >= 0) {
		n = (size_t)(m->rm_eo - m->rm_so);
		if (n >= PGSIG_SUBJECT_MAX)
			n = PGSIG_SUBJECT_MAX - 1;
		memcpy(subject, text + m->rm_so, n);
	}
	subject[n] = '\0';
}

const struct pgsig *pgsig_match(const char *line, size_t len, char *subject)
{
	char text[PGSIG_LINE_MAX + 1];
	regmatch_t m[2];

	pthread_once(&compile_once, compile_all);
	line_copy(text, line, len);
	subject[0] = '\0';

	for (size_t i = 0; i < NSIGS; i++) {
		if (regexec(&compiled[i], text, 2, m, 0))
			continue;
		take_subject(subject, text, &m[1]);
		return &catalogue[i];
	}
	return NULL;
}

void pgsig_scan_init(struct pgsig_scan *s)
{
	memset(s, 0, sizeof(*s));
}

void pgsig_scan_release(struct pgsig_scan *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->f[i].line);
	pgsig_scan_init(s);
}

/* Drops the WARN findings: the server has since become ready. */
static void forget_warnings(struct pgsig_scan *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (s->f[i].sig->level == PGSIG_WARN) {
			free(s->f[i].line);
			continue;
		}
		s->f[kept++] = s->f[i];
	}
	s->n = kept;
}

/* Client errors are kept per subject, the rest per signature name. */
static struct pgsig_finding *find_slot(struct pgsig_scan *s,
				       const struct pgsig *sig,
				       const char *subject)
{
	for (size_t i = 0; i < s->n; i++) {
		struct pgsig_finding *f = &s->f[i];

		if (strcmp(f->sig->name, sig->name))
			continue;
		if (sig->level != PGSIG_CLIENT || !strcmp(f->subject, subject))
			return f;
	}
	if (s->n == PGSIG_MAX_FINDINGS) {
		s->dropped++;
		return NULL;
	}
	memset(&s->f[s->n], 0, sizeof(s->f[0]));
	return &s->f[s->n++];
}

void pgsig_scan_line(struct pgsig_scan *s, const char *line, size_t len)
{
	char subject[PGSIG_SUBJECT_MAX];
	const struct pgsig *sig = pgsig_match(line, len, subject);
	struct pgsig_finding *f;

	s->lines++;
	if (!sig)
		return;
	if (sig->transient && s->ready)
		return;
	if (sig->level == PGSIG_READY) {
		s->ready = 1;
		forget_warnings(s);
		return;
	}

	f = find_slot(s, sig, subject);
	if (!f)
		return;
	if (!f->sig || (subject[0] && !f->subject[0])) {
		f->sig = sig;
		memcpy(f->subject, subject, sizeof(f->subject));
	}
	f->count++;
	free(f->line);
	f->line = xstrndup(line, len < PGSIG_LINE_MAX ? len : PGSIG_LINE_MAX);
}

enum pgsig_level pgsig_scan_worst(const struct pgsig_scan *s)
{
	enum pgsig_level worst = PGSIG_READY;

	for (size_t i = 0; i < s->n; i++)
		if (s->f[i].sig->level > worst)
			worst = s->f[i].sig->level;
	return worst;
}

char *pgsig_describe(const struct pgsig_finding *f)
{
	const char *d = f->sig->diagnosis;
	const char *at = strstr(d, "{}");
	const char *subject = f->subject[0] ? f->subject : "(unnamed)";

	if (!at)
		return xstrdup(d);
	if (f->sig->level == PGSIG_CLIENT)
		return xasprintf("%.*s\"%s\"%s", (int)(at - d), d, subject,
				 at + 2);
	return xasprintf("%.*s%s%s", (int)(at - d), d, subject, at + 2);
}
