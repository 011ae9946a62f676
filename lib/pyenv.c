/*
 * What a Python environment has installed, read from its metadata files so
 * a dependency check costs milliseconds instead of an interpreter start.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "pyenv.h"
#include "reqfile.h"
#include "../core/check.h"
#include "../core/proc.h"
#include "../core/text.h"
#include "../core/util.h"

/* Metadata headers sit at the top; a larger file is read only this far. */
#define META_MAX_BYTES (256u << 10)
#define CFG_MAX_BYTES (64u << 10)
#define PROBE_OUT_CAP (1u << 20)

/*
 * Prints the PEP 508 marker values and sys.path as "marker\tNAME\tVALUE"
 * and "path\tDIR" lines. It imports nothing beyond os and sys: importing
 * platform or json would double the cost of the interpreter start.
 */
static const char probe_script[] =
	"import os, sys\n"
	"u = os.uname()\n"
	"i = sys.implementation\n"
	"v = i.version\n"
	"iv = '%d.%d.%d' % (v.major, v.minor, v.micro)\n"
	"if v.releaselevel != 'final':\n"
	"    iv += v.releaselevel[0] + str(v.serial)\n"
	"names = {'cpython': 'CPython', 'pypy': 'PyPy',\n"
	"         'ironpython': 'IronPython', 'jython': 'Jython'}\n"
	"m = [('os_name', os.name), ('sys_platform', sys.platform),\n"
	"     ('platform_machine', u.machine),\n"
	"     ('platform_python_implementation', names.get(i.name, i.name)),\n"
	"     ('platform_release', u.release),\n"
	"     ('platform_system', u.sysname),\n"
	"     ('platform_version', u.version),\n"
	"     ('python_version', '%d.%d' % sys.version_info[:2]),\n"
	"     ('python_full_version', sys.version.split()[0]),\n"
	"     ('implementation_name', i.name),\n"
	"     ('implementation_version', iv)]\n"
	"out = ['marker\\t%s\\t%s' % kv for kv in m]\n"
	"out += ['path\\t' + p for p in sys.path if p]\n"
	"print('\\n'.join(out))\n";

/* Imports each argument; prints {module: null or "Error: text"}. */
static const char import_script[] =
	"import importlib, json, sys\n"
	"r = {}\n"
	"for m in sys.argv[1:]:\n"
	"    try:\n"
	"        importlib.import_module(m)\n"
	"        r[m] = None\n"
	"    except BaseException as e:\n"
	"        r[m] = '%s: %s' % (type(e).__name__, e)\n"
	"sys.stdout.flush()\n"
	"print('\\n' + json.dumps(r))\n";

static void strv_push(char ***v, const char *s)
{
	size_t n = *v ? strv_len(*v) : 0;

	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

static int strv_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return 1;
	return 0;
}

static int is_dir(const char *path)
{
	struct stat sb;

	return !stat(path, &sb) && S_ISDIR(sb.st_mode);
}

static int is_exec(const char *path)
{
	struct stat sb;

	return !stat(path, &sb) && S_ISREG(sb.st_mode) && !access(path, X_OK);
}

void pyenv_release(struct pyenv *env)
{
	free(env->python);
	free(env->venv);
	strv_free(env->site_dirs);
	marker_env_release(&env->markers);
	memset(env, 0, sizeof(*env));
}

/* ---- pyvenv.cfg ---------------------------------------------------------- */

struct venv_cfg {
	char *version;		/* "3.11.2", or NULL */
	char *implementation;	/* "CPython", or NULL */
	int system_site;
};

/* Reads "key = value" lines; unknown keys are ignored. */
static int read_venv_cfg(const char *dir, struct venv_cfg *cfg)
{
	char *path = path_join(dir, "pyvenv.cfg"), *text, *line, *next;
	size_t len;

	memset(cfg, 0, sizeof(*cfg));
	text = read_file(path, CFG_MAX_BYTES, &len);
	free(path);
	if (!text)
		return -1;
	for (line = text; line; line = next) {
		char *eq, *key, *val;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		key = text_trim(line);
		val = text_trim(eq + 1);
		if (!strcmp(key, "version") || !strcmp(key, "version_info")) {
			free(cfg->version);	/* the last one wins */
			cfg->version = xstrdup(val);
		} else if (!strcmp(key, "implementation")) {
			free(cfg->implementation);
			cfg->implementation = xstrdup(val);
		}
		else if (!strcmp(key, "include-system-site-packages"))
			cfg->system_site = !strcasecmp(val, "true");
	}
	free(text);
	return 0;
}

static void venv_cfg_release(struct venv_cfg *cfg)
{
	free(cfg->version);
	free(cfg->implementation);
}

/* "3.11.2" gives "3.11"; NULL when it does not look like a version. */
static char *major_minor(const char *version)
{
	size_t a = strspn(version, "0123456789"), b;

	if (!a || version[a] != '.')
		return NULL;
	b = strspn(version + a + 1, "0123456789");
	return b ? xstrndup(version, a + 1 + b) : NULL;
}

/* Marker values a venv's pyvenv.cfg and this machine's uname() give. */
static void markers_from_cfg(struct marker_env *m, const struct venv_cfg *cfg,
			     const char *mm)
{
	const char *impl = cfg->implementation ? cfg->implementation
					       : "CPython";
	struct utsname u;
	char *lower;

	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	lower = req_normalise_name(u.sysname);
	marker_env_set(m, MARKER_OS_NAME, "posix");
	marker_env_set(m, MARKER_SYS_PLATFORM, lower);
	marker_env_set(m, MARKER_PLATFORM_SYSTEM, u.sysname);
	marker_env_set(m, MARKER_PLATFORM_RELEASE, u.release);
	marker_env_set(m, MARKER_PLATFORM_VERSION, u.version);
	marker_env_set(m, MARKER_PLATFORM_MACHINE, u.machine);
	marker_env_set(m, MARKER_PLATFORM_PYTHON_IMPLEMENTATION, impl);
	free(lower);
	lower = req_normalise_name(impl);
	marker_env_set(m, MARKER_IMPLEMENTATION_NAME, lower);
	free(lower);
	marker_env_set(m, MARKER_PYTHON_VERSION, mm);
	marker_env_set(m, MARKER_PYTHON_FULL_VERSION, cfg->version);
	marker_env_set(m, MARKER_IMPLEMENTATION_VERSION, cfg->version);
}

/* ---- search path --------------------------------------------------------- */

/* Adds the directories a site directory's .pth files name, as site.py does. */
static void add_pth_dirs(char ***dirs, const char *site)
{
	DIR *d = opendir(site);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *path, *text, *line, *next;
		size_t len;

		if (!strstr(de->d_name, ".pth") || strcmp(de->d_name +
		    strlen(de->d_name) - 4, ".pth"))
			continue;
		path = path_join(site, de->d_name);
		text = read_file(path, CFG_MAX_BYTES, &len);
		free(path);
		for (line = text; line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			text_trim(line);
			if (!*line || *line == '#' || !strncmp(line, "import",
							       6))
				continue;
			path = path_join(site, line);
			if (is_dir(path) && !strv_has(*dirs, path))
				strv_push(dirs, path);
			free(path);
		}
		free(text);
	}
	if (d)
		closedir(d);
}

static void add_site_dir(char ***dirs, const char *dir)
{
	if (!is_dir(dir) || strv_has(*dirs, dir))
		return;
	strv_push(dirs, dir);
	add_pth_dirs(dirs, dir);
}

/* lib/pythonX.Y/site-packages, and lib64 where a distribution links it. */
static void venv_site_dirs(struct pyenv *env, const char *mm)
{
	static const char *const libs[] = { "lib", "lib64" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(libs); i++) {
		char *rel = xasprintf("%s/python%s/site-packages", libs[i], mm);
		char *dir = path_join(env->venv, rel);

		add_site_dir(&env->site_dirs, dir);
		free(dir);
		free(rel);
	}
}

/* ---- running the interpreter --------------------------------------------- */

static int run_python(const char *python, const char *const *argv_tail,
		      int64_t deadline, struct proc_result *res, char **cause)
{
	struct proc_opts o = { 0 };
	const char **argv;
	size_t n = 0;
	char why[128];
	int r = 0;

	while (argv_tail[n])
		n++;
	argv = xcalloc(n + 2, sizeof(*argv));
	argv[0] = python;
	memcpy(argv + 1, argv_tail, n * sizeof(*argv));
	o.argv = argv;
	o.deadline = deadline;
	o.out_cap = PROBE_OUT_CAP;
	if (proc_run(&o, res) < 0 || res->end != PROC_EXITED || res->code) {
		*cause = xasprintf("running %s failed: %s", python,
				   proc_describe(res, why, sizeof(why)));
		r = -1;
	}
	free(argv);
	return r;
}

/* The last line of the output that parses as a JSON object. */
static cJSON *last_json_line(struct buf *out)
{
	char *text = out->data, *line;
	size_t n = out->len;

	if (!text)
		return NULL;
	while (n && isspace((unsigned char)text[n - 1]))
		text[--n] = '\0';
	line = strrchr(text, '\n');
	return cJSON_Parse(line ? line + 1 : text);
}

/* One "marker\tNAME\tVALUE" or "path\tDIR" line of the probe's output. */
static void probe_line(struct pyenv *env, char *line)
{
	char *tab = strchr(line, '\t'), *value;
	int var;

	if (!tab)
		return;
	*tab = '\0';
	if (!strcmp(line, "path")) {
		add_site_dir(&env->site_dirs, tab + 1);
		return;
	}
	value = strchr(tab + 1, '\t');
	if (strcmp(line, "marker") || !value)
		return;
	*value++ = '\0';
	var = marker_var_find(tab + 1);
	if (var >= 0 && var != MARKER_EXTRA)
		marker_env_set(&env->markers, (enum marker_var)var, value);
}

/* Runs the interpreter once to learn sys.path and the marker values. */
static int probe(struct pyenv *env, int64_t deadline, char **cause)
{
	const char *tail[] = { "-c", probe_script, NULL };
	struct proc_result res;
	char *line, *next;
	int r = -1;

	env->started = 1;
	if (run_python(env->python, tail, deadline, &res, cause))
		goto out;
	for (line = res.out.data; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		probe_line(env, line);
	}
	if (!env->site_dirs) {
		*cause = xasprintf("%s printed no search path", env->python);
		goto out;
	}
	r = 0;
out:
	proc_result_release(&res);
	return r;
}

/* ---- opening ------------------------------------------------------------- */

static char *venv_python(const char *dir)
{
	static const char *const names[] = { "bin/python", "bin/python3" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		char *p = path_join(dir, names[i]);

		if (is_exec(p))
			return p;
		free(p);
	}
	return NULL;
}

/*
 * bin/python or bin/python3 is there but cannot run: the dangling link a
 * removed or upgraded Python leaves. A venv without bin/ at all (a copied
 * site-packages) is still read.
 */
static int has_stale_python(const char *dir)
{
	static const char *const names[] = { "bin/python", "bin/python3" };
	struct stat sb;
	size_t i;
	int stale = 0;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		char *p = path_join(dir, names[i]);

		stale |= !lstat(p, &sb);
		free(p);
	}
	return stale;
}

int pyenv_open_venv(struct pyenv *env, const char *dir, int64_t deadline,
		    char **cause)
{
	struct venv_cfg cfg;
	char *mm = NULL;
	int r = 0;

	if (read_venv_cfg(dir, &cfg) < 0) {
		*cause = xasprintf("%s is not a venv: cannot read "
				   "%s/pyvenv.cfg: %s", dir, dir,
				   strerror(errno));
		return -1;
	}
	env->venv = xstrdup(dir);
	env->system_site = cfg.system_site;
	env->python = venv_python(dir);
	if (!env->python && has_stale_python(dir)) {
		*cause = xasprintf("the venv %s has no working interpreter: "
				   "bin/python is a broken link or not "
				   "executable (was its Python removed or "
				   "upgraded?)", dir);
		venv_cfg_release(&cfg);
		return -1;
	}
	if (!env->python)
		env->python = path_join(dir, "bin/python");
	if (cfg.version)
		mm = major_minor(cfg.version);

	if (mm && !cfg.system_site) {
		venv_site_dirs(env, mm);
		markers_from_cfg(&env->markers, &cfg, mm);
	} else {
		r = probe(env, deadline, cause);
	}
	free(mm);
	venv_cfg_release(&cfg);
	return r;
}

/* A bare name is looked up in PATH, so reports show the real path. */
static char *find_in_path(const char *name)
{
	const char *path = getenv("PATH"), *p;

	if (strchr(name, '/'))
		return xstrdup(name);
	for (p = path ? path : ""; *p; p += strcspn(p, ":") + (p[strcspn(p,
	     ":")] == ':')) {
		char *dir = xstrndup(p, strcspn(p, ":"));
		char *full = path_join(*dir ? dir : ".", name);

		free(dir);
		if (is_exec(full))
			return full;
		free(full);
	}
	return NULL;
}

/* /x/venv/bin/python is the venv /x/venv when /x/venv/pyvenv.cfg exists. */
static char *venv_of(const char *python)
{
	char *dir = xstrdup(python), *slash, *cfg;

	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	slash = strrchr(dir, '/');
	if (!slash || strcmp(slash, "/bin")) {
		free(dir);
		return NULL;
	}
	*slash = '\0';
	cfg = path_join(*dir ? dir : "/", "pyvenv.cfg");
	if (access(cfg, R_OK)) {
		free(dir);
		dir = NULL;
	}
	free(cfg);
	return dir;
}

int pyenv_open_python(struct pyenv *env, const char *python,
		      int64_t deadline, char **cause)
{
	char *full = find_in_path(python), *venv;
	int r;

	if (!full || !is_exec(full)) {
		*cause = xasprintf("no Python interpreter '%s'%s", python,
				   strchr(python, '/') ? "" : " on PATH");
		free(full);
		return -1;
	}
	venv = venv_of(full);
	if (venv) {
		r = pyenv_open_venv(env, venv, deadline, cause);
		free(env->python);
		env->python = full;
		free(venv);
		return r;
	}
	env->python = full;
	return probe(env, deadline, cause);
}

/* ---- distributions ------------------------------------------------------- */

void pydist_release(struct pydist *d)
{
	free(d->name);
	free(d->version);
	free(d->path);
	memset(d, 0, sizeof(*d));
}

/* "aiohttp-3.9.1.dist-info" and "PyYAML-6.0-py3.11.egg-info" name a key. */
static char *entry_key(const char *entry, int *is_egg)
{
	size_t n = strlen(entry), name;
	char *stem, *key;

	if (n > 10 && !strcmp(entry + n - 10, ".dist-info"))
		*is_egg = 0;
	else if (n > 9 && !strcmp(entry + n - 9, ".egg-info"))
		*is_egg = 1;
	else
		return NULL;
	name = strcspn(entry, "-");
	if (name > n - (*is_egg ? 9 : 10))
		name = n - (*is_egg ? 9 : 10);
	stem = xstrndup(entry, name);
	key = req_normalise_name(stem);
	free(stem);
	return key;
}

/* The blank line (LF or CRLF) that ends the headers, or the end. */
static int end_of_headers(const char *line)
{
	return !*line || *line == '\n' || !strncmp(line, "\r\n", 2) ||
	       !strcmp(line, "\r");
}

/* Name: and Version: from the RFC 822 headers at the top of the file. */
static int read_metadata(const char *path, struct pydist *d)
{
	size_t len;
	char *text = read_file(path, META_MAX_BYTES, &len), *line, *next;

	if (!text)
		return -1;
	for (line = text; line && !end_of_headers(line); line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncasecmp(line, "Name:", 5) && !d->name)
			d->name = xstrdup(text_trim(line + 5));
		else if (!strncasecmp(line, "Version:", 8) && !d->version)
			d->version = xstrdup(text_trim(line + 8));
	}
	free(text);
	return d->name && d->version ? 0 : -1;
}

/* Reads an entry's metadata; 0 when it is the distribution of key. */
static int load_dist(const char *dir, const char *entry, int is_egg,
		     const char *key, struct pydist *d)
{
	char *path = path_join(dir, entry), *meta, *k;
	int r;

	if (is_dir(path))
		meta = path_join(path, is_egg ? "PKG-INFO" : "METADATA");
	else
		meta = xstrdup(path);
	memset(d, 0, sizeof(*d));
	r = read_metadata(meta, d);
	free(meta);
	if (!r) {
		k = req_normalise_name(d->name);
		r = strcmp(k, key) ? -1 : 0;
		free(k);
	}
	if (r)
		pydist_release(d);
	else
		d->path = path;
	if (r)
		free(path);
	return r;
}

/* A wanted name and its index in the caller's keys, sorted by name. */
struct key_slot {
	const char *key;
	size_t idx;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct key_slot *)a)->key,
		      ((const struct key_slot *)b)->key);
}

/* By name, then by index, so the first index of a name sorts first. */
static int by_name_then_index(const void *a, const void *b)
{
	const struct key_slot *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Keeps the first slot of each name; returns how many are left. */
static size_t dedup_first(struct key_slot *slots, size_t n)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++)
		if (!kept || strcmp(slots[kept - 1].key, slots[i].key))
			slots[kept++] = slots[i];
	return kept;
}

static long key_index(const struct key_slot *slots, size_t n, const char *key)
{
	struct key_slot want = { key, 0 };
	const struct key_slot *hit = bsearch(&want, slots, n, sizeof(*slots),
					     by_name);

	return hit ? (long)hit->idx : -1;
}

static void scan_dir(const char *dir, const struct key_slot *slots, size_t n,
		     struct pydist *found, size_t *seen)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		int is_egg;
		char *key = entry_key(de->d_name, &is_egg);
		long i = key ? key_index(slots, n, key) : -1;

		if (key)
			(*seen)++;
		if (i >= 0 && !found[i].name)
			load_dist(dir, de->d_name, is_egg, key, &found[i]);
		free(key);
	}
	if (d)
		closedir(d);
}

/*
 * Keys are sorted once, so a directory of a thousand distributions costs
 * a binary search per entry, not a pass over every wanted name. When a
 * name is wanted twice the first index gets it, as before.
 */
void pyenv_find(const struct pyenv *env, char *const *keys, size_t nkeys,
		struct pydist *found, size_t *seen)
{
	struct key_slot *slots = xcalloc(nkeys + 1, sizeof(*slots));
	char *const *dir;
	size_t i, n = 0;

	for (i = 0; i < nkeys; i++)
		if (keys[i])
			slots[n++] = (struct key_slot){ keys[i], i };
	qsort(slots, n, sizeof(*slots), by_name_then_index);
	n = dedup_first(slots, n);
	memset(found, 0, nkeys * sizeof(*found));
	*seen = 0;
	for (dir = env->site_dirs; dir && *dir; dir++)
		scan_dir(*dir, slots, n, found, seen);
	free(slots);
}

/* ---- declared requirements ---------------------------------------------- */

/* Requires-Dist: headers, up to the blank line that ends them. */
static char **requires_from_metadata(const char *path)
{
	size_t len;
	char *text = read_file(path, META_MAX_BYTES, &len), *line, *next;
	char **reqs = NULL;

	for (line = text; line && !end_of_headers(line); line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncasecmp(line, "Requires-Dist:", 14))
			strv_push(&reqs, text_trim(line + 14));
	}
	free(text);
	return reqs;
}

/* "[http2]" or "[socks:python_version < '3.8']" as a marker. */
static char *section_marker(char *head)
{
	char *colon, *end = strrchr(head, ']');

	if (end)
		*end = '\0';
	head = text_trim(head + 1);
	colon = strchr(head, ':');
	if (colon)
		*colon++ = '\0';
	if (*head && colon && *text_trim(colon))
		return xasprintf("extra == '%s' and (%s)", text_trim(head),
				 colon);
	if (*head)
		return xasprintf("extra == '%s'", text_trim(head));
	return colon && *text_trim(colon) ? xstrdup(colon) : NULL;
}

static char **requires_from_egg(const char *path)
{
	size_t len;
	char *text = read_file(path, META_MAX_BYTES, &len), *line, *next;
	char **reqs = NULL, *marker = NULL;

	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		text_trim(line);
		if (*line == '[') {
			free(marker);
			marker = section_marker(line);
		} else if (*line && *line != '#') {
			char *r = marker ? xasprintf("%s ; %s", line, marker)
					 : xstrdup(line);

			strv_push(&reqs, r);
			free(r);
		}
	}
	free(marker);
	free(text);
	return reqs;
}

char **pydist_requires(const struct pydist *d)
{
	char *path;
	char **reqs;
	size_t n = strlen(d->path);

	if (!is_dir(d->path))
		return requires_from_metadata(d->path);
	if (n > 9 && !strcmp(d->path + n - 9, ".egg-info")) {
		path = path_join(d->path, "requires.txt");
		reqs = requires_from_egg(path);
	} else {
		path = path_join(d->path, "METADATA");
		reqs = requires_from_metadata(path);
	}
	free(path);
	return reqs;
}

/* ---- modules ------------------------------------------------------------- */

/* "pkg/__init__.py,sha256=...,12" gives "pkg"; "mod.py,..." gives "mod". */
static void record_module(char ***mods, const char *line)
{
	size_t n = strcspn(line, "/,");
	char *name;

	if (line[n] == '/') {
		name = xstrndup(line, n);
		if (strstr(name, ".dist-info") || strstr(name, ".data") ||
		    !strcmp(name, "__pycache__") || !strcmp(name, ".."))
			name[0] = '\0';
	} else if (n > 3 && !strncmp(line + n - 3, ".py", 3)) {
		name = xstrndup(line, n - 3);
	} else {
		return;
	}
	if (*name && !strv_has(*mods, name))
		strv_push(mods, name);
	free(name);
}

static char **modules_from(const char *path, int record)
{
	size_t len;
	char *text = read_file(path, META_MAX_BYTES, &len), *line, *next;
	char **mods = NULL;

	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		text_trim(line);
		if (record)
			record_module(&mods, line);
		else if (*line && !strchr(line, '/') && !strv_has(mods, line))
			strv_push(&mods, line);
	}
	free(text);
	return mods;
}

char **pydist_modules(const struct pydist *d)
{
	char *path = path_join(d->path, "top_level.txt"), **mods, *m;

	mods = modules_from(path, 0);
	free(path);
	if (!mods) {
		path = path_join(d->path, "RECORD");
		mods = modules_from(path, 1);
		free(path);
	}
	if (!mods) {
		m = req_normalise_name(d->name);
		for (path = m; *path; path++)
			if (*path == '-')
				*path = '_';
		strv_push(&mods, m);
		free(m);
	}
	return mods;
}

int pyenv_try_imports(const struct pyenv *env, char *const *modules,
		      int64_t deadline, cJSON **out, char **cause)
{
	const char **tail;
	struct proc_result res;
	size_t n = strv_len(modules), i;
	int r = -1;

	tail = xcalloc(n + 3, sizeof(*tail));
	tail[0] = "-c";
	tail[1] = import_script;
	for (i = 0; i < n; i++)
		tail[2 + i] = modules[i];
	if (!run_python(env->python, tail, deadline, &res, cause)) {
		*out = last_json_line(&res.out);
		r = cJSON_IsObject(*out) ? 0 : -1;
		if (r)
			*cause = xasprintf("%s printed no import results",
					   env->python);
	}
	proc_result_release(&res);
	free(tail);
	return r;
}
