/*
 * The log signature catalogues and the matcher that turns a service's log
 * lines into findings a person can act on.
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/util.h"
#include "logsig.h"

#define SEE_DEPS "python-deps"
#define WHY_DB "the log shows the service failing to use PostgreSQL; " \
	"the postgres check tests the same server"
#define HINT_DB "check the database the service uses: its address, " \
	"user, password and database name"
#define HINT_API "compare the calls the service makes with the backend's " \
	"API; an openapi check names the route that exists"
#define WHY_API "an API call was answered $1 ($S); the openapi check " \
	"compares the client's calls with the API"

static const struct logsig python_sigs[] = {
	{ "module-not-found", "No module named",
	  "No module named '?([A-Za-z0-9_]+)[A-Za-z0-9_.]*'?", 1, NULL,
	  STATUS_FAIL,
	  "the service cannot import '$S': Python package $P is not installed",
	  "install $P into the service's Python environment (a python-deps "
	  "check with --fix does it), then restart the service",
	  SEE_DEPS, "the log says module '$S' is missing", 0 },
	{ "import-name", "cannot import name",
	  "cannot import name '([^']+)' from '([A-Za-z0-9_]+)[^']*'", 2, NULL,
	  STATUS_FAIL,
	  "'$1' cannot be imported from '$2': the installed $P may be the "
	  "wrong version",
	  "compare the installed version of $P with the one the service "
	  "requires",
	  SEE_DEPS, "an import from '$S' failed, which usually means the "
	  "wrong version is installed", 0 },
	{ "native-extension", ".so|shared object|undefined symbol|DLL load",
	  "ImportError: (.*(\\.so[.0-9]*|shared object file|undefined symbol|"
	  "DLL load failed).*)$", 0, "-packages/([A-Za-z0-9_]+)", STATUS_FAIL,
	  "a native extension failed to load: $1",
	  "reinstall the package that provides it for this interpreter "
	  "(pip install --force-reinstall), or install the system library "
	  "it needs",
	  SEE_DEPS, "a compiled module of an installed package is broken", 0 },
	{ "database-connection", "psycopg|asyncpg|sqlalchemy",
	  "(psycopg2?|asyncpg|sqlalchemy)[.A-Za-z_]*\\.(OperationalError|"
	  "InterfaceError|InvalidPasswordError|InvalidCatalogNameError|"
	  "InvalidAuthorizationSpecificationError|CannotConnectNowError|"
	  "ConnectionDoesNotExistError|TooManyConnectionsError|"
	  "PostgresConnectionError)", 0, "at \"([^\"]+)\"", STATUS_FAIL,
	  "the service cannot use its PostgreSQL database ($2)",
	  HINT_DB, "postgres", WHY_DB, 0 },
	{ "database-connection", "connection to server|could not connect to",
	  "(connection to server at \"[^\"]*\"[^,]*, port [0-9]+ failed|"
	  "could not connect to server)[: ]*(.*)", 0, "at \"([^\"]+)\"",
	  STATUS_FAIL, "the service cannot connect to PostgreSQL: $2",
	  HINT_DB, "postgres", WHY_DB, 0 },
	{ "database-auth", "password authentication failed",
	  "password authentication failed for user \"([^\"]+)\"", 1, NULL,
	  STATUS_FAIL, "PostgreSQL refused the password of user '$1'",
	  HINT_DB, "postgres", WHY_DB, 0 },
	{ "database-missing", "does not exist",
	  "(database|role) \"([^\"]+)\" does not exist", 2, NULL,
	  STATUS_FAIL, "PostgreSQL has no $1 '$2'",
	  HINT_DB, "postgres", WHY_DB, 0 },
	{ "connection-refused",
	  "onnection refused|Connect call failed|Cannot connect to host|"
	  "Failed to establish a new connection|All connection attempts failed",
	  "[Cc]onnection refused|Connect call failed|Cannot connect to host|"
	  "Failed to establish a new connection|All connection attempts failed",
	  0, "(https?://[^]/ '\"<>),]+|host='[^']+', port=[0-9]+|"
	  "[A-Za-z0-9.-]+:[0-9][0-9]+)", STATUS_FAIL,
	  "a connection the service made was refused ($S)",
	  "start what should listen at that address, or correct the address "
	  "the service uses",
	  "http,tcp", "the service could not connect ($S); http and tcp "
	  "checks show whether that address is up", 0 },
	{ "api-route", "Client error '40",
	  "Client error '(40[45]) ([^']*)' for url '([^']+)'", 3, NULL,
	  STATUS_FAIL, "the backend answered $1 $2 for $S",
	  HINT_API, "openapi", WHY_API, 0 },
	{ "api-route", " Client Error: ",
	  "(40[45]) Client Error: ([^:]*) for url: ([^ ]+)", 3, NULL,
	  STATUS_FAIL, "the backend answered $1 $2 for $S",
	  HINT_API, "openapi", WHY_API, 0 },
	{ "api-route", "message=",
	  "(40[45]), message='([^']*)', url=(URL\\()?'([^']+)'", 4, NULL,
	  STATUS_FAIL, "the backend answered $1 $2 for $S",
	  HINT_API, "openapi", WHY_API, 0 },
	{ "api-route", "Not Found|Method Not Allowed",
	  "(^|[^0-9])(40[45]) (Not Found|Method Not Allowed)", 0,
	  "\"?(([A-Z]+ )?(https?://[^ '\"]+|/[^ '\"]*))", STATUS_FAIL,
	  "an API call was answered $2 $3 ($S)",
	  HINT_API, "openapi", "an API call was answered $2 ($S); the "
	  "openapi check compares the client's calls with the API", 0 },
	{ "permission-denied", "Permission denied",
	  "\\[Errno 13\\] Permission denied: '([^']+)'", 1, NULL, STATUS_FAIL,
	  "the service was denied access to '$1'",
	  "give the service's user the access it needs to that path (a "
	  "permissions check with --fix can set the mode)",
	  "permissions", "the service was denied access to '$1'", 0 },
	{ "address-in-use", "ddress already in use",
	  "\\[Errno 98\\]|[Aa]ddress already in use", 0,
	  "\\('[^']*', ([0-9]+)\\)", STATUS_FAIL,
	  "the service's port is taken by another process ($S)",
	  "stop the other process or give the service another port",
	  "tcp", "another process holds the port the service wants", 0 },
	{ "unhandled-exception", NULL,
	  "^([A-Za-z_][A-Za-z0-9_.]*)(: .*)?$", 1, NULL, STATUS_FAIL,
	  "unhandled exception: $0",
	  "read the traceback before this line in the log; its last frame "
	  "names the code that failed",
	  NULL, NULL, LOGSIG_TRACEBACK },
};

static const char *const python_markers[] = {
	"Started server process",
	"Booting worker with pid|Starting gunicorn",
	"[Ss]tarting ([A-Za-z0-9_.-]+ ){0,4}(worker|service|server|daemon|"
	"application)([^A-Za-z]|$)",
	NULL,
};

struct logsig_catalogue {
	const char *name;
	const struct logsig *sigs;
	size_t n;
	const char *const *markers;
};

static const struct logsig_catalogue catalogues[] = {
	{ "python", python_sigs, ARRAY_SIZE(python_sigs), python_markers },
};

static const char *const catalogue_names[] = { "python", NULL };

/* A compiled signature; user signatures own their strings. */
struct logsig_entry {
	struct logsig sig;
	regex_t re;
	regex_t subj;
	int has_subj;
	char *owned[8];
};

struct logsig_set {
	struct logsig_entry **e;
	size_t n;
	regex_t *markers;
	size_t nmarkers;
};

const char *const *logsig_catalogue_names(void)
{
	return catalogue_names;
}

const struct logsig *logsig_catalogue(const char *name, size_t *n)
{
	for (size_t i = 0; i < ARRAY_SIZE(catalogues); i++) {
		if (!strcmp(catalogues[i].name, name)) {
			*n = catalogues[i].n;
			return catalogues[i].sigs;
		}
	}
	*n = 0;
	return NULL;
}

struct logsig_set *logsig_set_new(void)
{
	return xcalloc(1, sizeof(struct logsig_set));
}

static void logsig_entry_free(struct logsig_entry *e)
{
	regfree(&e->re);
	if (e->has_subj)
		regfree(&e->subj);
	for (size_t i = 0; i < ARRAY_SIZE(e->owned); i++)
		free(e->owned[i]);
	free(e);
}

void logsig_set_free(struct logsig_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		logsig_entry_free(set->e[i]);
	for (size_t i = 0; i < set->nmarkers; i++)
		regfree(&set->markers[i]);
	free(set->e);
	free(set->markers);
	free(set);
}

static int logsig_compile(regex_t *re, const char *pattern, int icase,
			  char **cause)
{
	int flags = REG_EXTENDED | (icase ? REG_ICASE : 0);
	int rc = regcomp(re, pattern, flags);
	char msg[128];

	if (!rc)
		return 0;
	regerror(rc, re, msg, sizeof(msg));
	*cause = xasprintf("bad regex '%s': %s", pattern, msg);
	return -1;
}

static struct logsig_entry *logsig_entry_new(const struct logsig *sig,
					     char **cause)
{
	struct logsig_entry *e = xcalloc(1, sizeof(*e));

	e->sig = *sig;
	if (logsig_compile(&e->re, sig->pattern, sig->flags & LOGSIG_ICASE,
			   cause)) {
		free(e);
		return NULL;
	}
	if (sig->subject_pattern) {
		if (logsig_compile(&e->subj, sig->subject_pattern, 0, cause)) {
			regfree(&e->re);
			free(e);
			return NULL;
		}
		e->has_subj = 1;
	}
	return e;
}

static void logsig_set_push(struct logsig_set *set, struct logsig_entry *e)
{
	set->e = xrealloc(set->e, (set->n + 1) * sizeof(*set->e));
	set->e[set->n++] = e;
}

static char *own(struct logsig_entry *e, int slot, const char *s)
{
	return s ? (e->owned[slot] = xstrdup(s)) : NULL;
}

int logsig_set_add(struct logsig_set *set, const struct logsig *sig,
		   char **cause)
{
	struct logsig_entry *e = logsig_entry_new(sig, cause);

	if (!e)
		return -1;
	e->sig.name = own(e, 0, sig->name ? sig->name : sig->pattern);
	e->sig.needles = own(e, 1, sig->needles);
	e->sig.pattern = own(e, 2, sig->pattern);
	e->sig.diagnosis = own(e, 3, sig->diagnosis ? sig->diagnosis : "$0");
	e->sig.hint = own(e, 4, sig->hint);
	e->sig.see = own(e, 5, sig->see);
	e->sig.why = own(e, 6, sig->why);
	e->sig.subject_pattern = own(e, 7, sig->subject_pattern);
	logsig_set_push(set, e);
	return 0;
}

int logsig_set_add_marker(struct logsig_set *set, const char *regex,
			  char **cause)
{
	regex_t re;

	if (logsig_compile(&re, regex, 0, cause))
		return -1;
	set->markers = xrealloc(set->markers,
				(set->nmarkers + 1) * sizeof(*set->markers));
	set->markers[set->nmarkers++] = re;
	return 0;
}

int logsig_set_add_catalogue(struct logsig_set *set, const char *name,
			     char **cause)
{
	const struct logsig_catalogue *c = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(catalogues); i++)
		if (!strcmp(catalogues[i].name, name))
			c = &catalogues[i];
	if (!c) {
		*cause = xasprintf("unknown signature catalogue '%s' "
				   "(known: python)", name);
		return -1;
	}

	for (size_t i = 0; i < c->n; i++) {
		struct logsig_entry *e = logsig_entry_new(&c->sigs[i], cause);

		if (!e)
			return -1;
		logsig_set_push(set, e);
	}
	for (size_t i = 0; c->markers[i]; i++)
		if (logsig_set_add_marker(set, c->markers[i], cause))
			return -1;
	return 0;
}

/* Copies a line into a NUL-terminated scratch buffer, NUL bytes blanked. */
static size_t logsig_prepare(char *dst, const char *line, size_t len)
{
	if (len > LOGSIG_LINE_MAX)
		len = LOGSIG_LINE_MAX;
	for (size_t i = 0; i < len; i++)
		dst[i] = line[i] ? line[i] : ' ';
	dst[len] = '\0';
	return len;
}

int logsig_is_marker(const struct logsig_set *set, const char *line,
		     size_t len)
{
	char buf[LOGSIG_LINE_MAX + 1];

	logsig_prepare(buf, line, len);
	for (size_t i = 0; i < set->nmarkers; i++)
		if (!regexec(&set->markers[i], buf, 0, NULL, 0))
			return 1;
	return 0;
}

/* 1 when one of the '|'-separated needles occurs in s[0..len). */
static int logsig_needles(const char *needles, const char *s, size_t len)
{
	const char *p = needles;

	if (!needles)
		return 1;
	while (*p) {
		size_t n = strcspn(p, "|");

		if (n && memmem(s, len, p, n))
			return 1;
		p += n + (p[n] == '|');
	}
	return 0;
}

static const struct {
	const char *module;
	const char *package;
} module_packages[] = {
	{ "yaml", "PyYAML" },
	{ "PIL", "Pillow" },
	{ "cv2", "opencv-python" },
	{ "bs4", "beautifulsoup4" },
	{ "sklearn", "scikit-learn" },
	{ "dateutil", "python-dateutil" },
	{ "dotenv", "python-dotenv" },
	{ "jwt", "PyJWT" },
	{ "jose", "python-jose" },
	{ "multipart", "python-multipart" },
	{ "magic", "python-magic" },
	{ "google.protobuf", "protobuf" },
	{ "Crypto", "pycryptodome" },
	{ "OpenSSL", "pyOpenSSL" },
	{ "serial", "pyserial" },
	{ "usb", "pyusb" },
	{ "attr", "attrs" },
	{ "pkg_resources", "setuptools" },
};

const char *logsig_package(const char *module, char *buf, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(module_packages); i++)
		if (!strcmp(module_packages[i].module, module))
			return module_packages[i].package;
	snprintf(buf, n, "%s", module);
	return buf;
}

/* Appends the text of group g of the match, if it took part. */
static void add_group(struct buf *b, const char *line, const regmatch_t *m,
		      int g)
{
	if (m[g].rm_so >= 0)
		buf_add(b, line + m[g].rm_so,
			(size_t)(m[g].rm_eo - m[g].rm_so));
}

/*
 * Expands a template: $0..$9, $S, $P and $$. " ($S)" vanishes when there
 * is no subject, so a diagnosis reads well either way.
 */
static char *logsig_expand(const char *tmpl, const char *line,
			   const regmatch_t *m, const char *subject)
{
	struct buf b = BUF_INIT;
	char pkg[128];

	if (!tmpl)
		return NULL;
	for (const char *p = tmpl; *p; p++) {
		if (!*subject && !strncmp(p, " ($S)", 5)) {
			p += 4;
		} else if (p[0] != '$' || !p[1]) {
			buf_add(&b, p, 1);
		} else if (isdigit((unsigned char)p[1])) {
			add_group(&b, line, m, *++p - '0');
		} else if (p[1] == 'S') {
			buf_addstr(&b, subject);
			p++;
		} else if (p[1] == 'P') {
			buf_addstr(&b, logsig_package(subject, pkg,
						      sizeof(pkg)));
			p++;
		} else {
			buf_add(&b, ++p, 1);
		}
	}
	return buf_detach(&b);
}

#define LOGSIG_GROUPS 10
#define LOGSIG_SUBJECT_MAX 200

static char *logsig_subject(const struct logsig_entry *e, const char *line,
			    const regmatch_t *m)
{
	regmatch_t sm[2];
	size_t len;

	if (e->sig.subject > 0 && e->sig.subject < LOGSIG_GROUPS &&
	    m[e->sig.subject].rm_so >= 0) {
		m = &m[e->sig.subject];
	} else if (e->has_subj && !regexec(&e->subj, line, 2, sm, 0)) {
		m = sm[1].rm_so >= 0 ? &sm[1] : &sm[0];
	} else {
		return xstrdup("");
	}
	len = (size_t)(m->rm_eo - m->rm_so);
	return xstrndup(line + m->rm_so,
			len > LOGSIG_SUBJECT_MAX ? LOGSIG_SUBJECT_MAX : len);
}

static struct logsig_finding *logsig_slot(struct logsig_scan *sc,
					  const struct logsig *sig,
					  const char *subject)
{
	for (size_t i = 0; i < sc->n; i++)
		if (!strcmp(sc->f[i].sig->name, sig->name) &&
		    !strcmp(sc->f[i].subject, subject))
			return &sc->f[i];
	if (sc->n == LOGSIG_MAX_FINDINGS)
		return NULL;
	return &sc->f[sc->n++];
}

static void logsig_record(struct logsig_scan *sc,
			  const struct logsig_entry *e, const char *line,
			  size_t len, const regmatch_t *m, int64_t offset)
{
	char *subject = logsig_subject(e, line, m);
	struct logsig_finding *f = logsig_slot(sc, &e->sig, subject);

	if (!f) {
		sc->dropped++;
		free(subject);
		return;
	}
	if (!f->count++) {
		f->sig = &e->sig;
		f->subject = subject;
		f->first_offset = offset;
	} else {
		free(subject);
		free(f->diagnosis);
		free(f->hint);
		free(f->why);
		free(f->evidence);
	}

	f->last_offset = offset;
	f->diagnosis = logsig_expand(e->sig.diagnosis, line, m, f->subject);
	f->hint = logsig_expand(e->sig.hint, line, m, f->subject);
	f->why = logsig_expand(e->sig.why, line, m, f->subject);
	f->evidence = xstrndup(line, len > LOGSIG_EVIDENCE_MAX ?
				     LOGSIG_EVIDENCE_MAX : len);
}

/* Tries the signatures of one kind; 1 when one matched. */
static int logsig_try(struct logsig_scan *sc, const char *line, size_t len,
		      int64_t offset, int traceback_end)
{
	regmatch_t m[LOGSIG_GROUPS];

	for (size_t i = 0; i < sc->set->n; i++) {
		const struct logsig_entry *e = sc->set->e[i];
		int tb = !!(e->sig.flags & LOGSIG_TRACEBACK);

		if (tb != traceback_end ||
		    !logsig_needles(e->sig.needles, line, len))
			continue;
		if (regexec(&e->re, line, LOGSIG_GROUPS, m, 0))
			continue;
		logsig_record(sc, e, line, len, m, offset);
		return 1;
	}
	return 0;
}

void logsig_scan_init(struct logsig_scan *sc, const struct logsig_set *set)
{
	memset(sc, 0, sizeof(*sc));
	sc->set = set;
}

/*
 * A traceback starts at its header, continues through indented frame
 * lines and ends at the first unindented line: the exception.
 */
void logsig_scan_line(struct logsig_scan *sc, const char *line, size_t len,
		      int64_t offset)
{
	char buf[LOGSIG_LINE_MAX + 1];

	len = logsig_prepare(buf, line, len);
	sc->lines++;

	if (memmem(buf, len, "Traceback (most recent call last):", 34)) {
		sc->in_traceback = 1;
		return;
	}
	if (sc->in_traceback) {
		if (!len || buf[0] == ' ' || buf[0] == '\t')
			return;
		sc->in_traceback = 0;
		if (!logsig_try(sc, buf, len, offset, 0))
			logsig_try(sc, buf, len, offset, 1);
		return;
	}
	logsig_try(sc, buf, len, offset, 0);
}

enum status logsig_scan_worst(const struct logsig_scan *sc)
{
	enum status worst = STATUS_PASS;

	for (size_t i = 0; i < sc->n; i++)
		if (sc->f[i].sig->severity > worst)
			worst = sc->f[i].sig->severity;
	return worst;
}

static int logsig_before(const struct logsig_finding *a,
			 const struct logsig_finding *b)
{
	if (a->sig->severity != b->sig->severity)
		return a->sig->severity > b->sig->severity;
	return a->last_offset > b->last_offset;
}

void logsig_scan_order(const struct logsig_scan *sc, size_t *idx)
{
	for (size_t i = 0; i < sc->n; i++) {
		size_t j = i;

		while (j > 0 && logsig_before(&sc->f[i], &sc->f[idx[j - 1]])) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
}

void logsig_scan_release(struct logsig_scan *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		free(sc->f[i].subject);
		free(sc->f[i].diagnosis);
		free(sc->f[i].hint);
		free(sc->f[i].why);
		free(sc->f[i].evidence);
	}
	sc->n = 0;
}

/* Reads n digits into *v; returns the position after them or NULL. */
static const char *digits(const char *p, const char *end, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, p++) {
		if (p >= end || !isdigit((unsigned char)*p))
			return NULL;
		*v = *v * 10 + (*p - '0');
	}
	return p;
}

/* A zone after the time: Z, +hh:mm, +hhmm, or none (local). */
static const char *zone(const char *p, const char *end, int *utc, int *off)
{
	const char *q = p;
	int sign, h, m;

	*utc = 0;
	*off = 0;
	if (q < end && *q == 'Z') {
		*utc = 1;
		return q + 1;
	}
	if (q + 1 < end && *q == ' ')
		q++;
	if (q >= end || (*q != '+' && *q != '-'))
		return p;

	sign = *q == '-' ? -1 : 1;
	q = digits(q + 1, end, 2, &h);
	if (q && q < end && *q == ':')
		q++;
	if (!q || !(q = digits(q, end, 2, &m)))
		return p;
	*utc = 1;
	*off = sign * (h * 3600 + m * 60);
	return q;
}

int logsig_line_time(const char *line, size_t len, int64_t *epoch)
{
	const char *p = line, *end = line + len;
	struct tm tm = { 0 };
	int v[6], utc, off;
	time_t t;

	if (p < end && *p == '[')
		p++;
	if (!(p = digits(p, end, 4, &v[0])) || p >= end || *p++ != '-' ||
	    !(p = digits(p, end, 2, &v[1])) || p >= end || *p++ != '-' ||
	    !(p = digits(p, end, 2, &v[2])) || p >= end ||
	    (*p != 'T' && *p != ' ') || !(p = digits(p + 1, end, 2, &v[3])) ||
	    p >= end || *p++ != ':' || !(p = digits(p, end, 2, &v[4])) ||
	    p >= end || *p++ != ':' || !(p = digits(p, end, 2, &v[5])))
		return 0;
	if (p < end && (*p == ',' || *p == '.'))
		for (p++; p < end && isdigit((unsigned char)*p); p++)
			;
	zone(p, end, &utc, &off);

	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	tm.tm_isdst = -1;
	t = utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1)
		return 0;
	*epoch = (int64_t)t - off;
	return 1;
}
