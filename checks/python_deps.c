/*
 * python-deps: is every package in requirements.txt installed, at an
 * allowed version, in the environment the service runs with? A missing
 * aiohttp otherwise shows up as "No module named 'aiohttp'" when a worker
 * dies, long after the deploy that forgot it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/check.h"
#include "../core/proc.h"
#include "../core/util.h"
#include "../lib/marker.h"
#include "../lib/pep440.h"
#include "../lib/pyenv.h"
#include "../lib/reqfile.h"
#include "python_deps.h"

/* How many packages a message names before it says "and N more". */
#define NAMES_IN_MESSAGE 6
#define DETAIL_MAX 512

static const struct key_spec deps_keys[] = {
	{ "requirements", cJSON_String, 1 },
	{ "python", cJSON_String, 0 },
	{ "venv", cJSON_String, 0 },
	{ "import", JSON_BOOL, 0 },
	{ "pip_args", cJSON_Array, 0 },
	{ NULL, 0, 0 },
};

/* What became of one requirement line. */
enum verdict {
	V_MET,
	V_CONSTRAINT,	/* a -c line: applied to the others */
	V_EXCLUDED,	/* its marker is false for this interpreter */
	V_UNNAMED,	/* a path or URL naming no project: not checkable */
	V_UNVERSIONED,	/* URL, path or editable: installed, version unknown */
	V_MISSING,
	V_WRONG,	/* installed at a version the specifier refuses */
	V_EXTRA,	/* installed, but what its extras add is not */
	V_BROKEN,	/* installed, but a module fails to import */
};

/* One evaluation of the requirements against the environment. */
struct eval {
	struct pyenv env;
	const char *found_by;
	struct reqfile rf;
	enum verdict *verdict;	/* one per rf.reqs */
	char **wants;		/* the combined specifier of each */
	struct pydist *dist;	/* the installed distribution of each */
	char **import_error;	/* with V_BROKEN */
	char **extra_problem;	/* with V_EXTRA */
	size_t seen;		/* distributions looked at */
	const char *stuck;	/* on failure: the hint for the failed step */
	size_t counts[V_BROKEN + 1];
};

/* ---- config -------------------------------------------------------------- */

static void deps_release(void *state)
{
	struct deps_state *st = state;

	free(st->requirements);
	free(st->req_abs);
	free(st->python);
	free(st->venv);
	strv_free(st->pip_args);
	free(st->base_dir);
	free(st);
}

/* Paths in reports and pip commands are absolute, to be run from anywhere. */
static char *absolute(const char *path)
{
	char *real = realpath(path, NULL);

	return real ? real : xstrdup(path);
}

static int deps_prepare(struct conf_ctx *cc, const cJSON *obj, void **state)
{
	struct deps_state *st = xcalloc(1, sizeof(*st));
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(obj, "pip_args");
	const char *venv = conf_str(obj, "venv", NULL);
	const char *python = conf_str(obj, "python", NULL);

	*state = st;
	st->requirements = xstrdup(conf_str(obj, "requirements", ""));
	st->base_dir = absolute(conf_base_dir(cc));
	st->req_abs = path_join(st->base_dir, st->requirements);
	st->import = conf_bool(obj, "import", 0);
	if (!*st->requirements)
		return conf_error(cc, cJSON_GetObjectItem(obj, "requirements"),
				  "key 'requirements' must name a file");
	if (venv && python)
		return conf_error(cc, cJSON_GetObjectItem(obj, "venv"),
				  "give either 'python' or 'venv', not both");
	if (venv)
		st->venv = path_join(st->base_dir, venv);
	if (python)
		st->python = strchr(python, '/')
			     ? path_join(st->base_dir, python)
			     : xstrdup(python);
	if (args)
		return conf_strv(cc, args, "pip_args", &st->pip_args);
	st->pip_args = xcalloc(1, sizeof(char *));
	return 0;
}

/* ---- finding the environment --------------------------------------------- */

static int has_venv(const char *dir, const char *name, char **out)
{
	char *venv = path_join(dir, name);
	char *cfg = path_join(venv, "pyvenv.cfg");
	int ok = !access(cfg, R_OK);

	free(cfg);
	if (ok)
		*out = venv;
	else
		free(venv);
	return ok;
}

/* .venv or venv in dir. */
static char *venv_in(const char *dir)
{
	char *venv = NULL;

	if (has_venv(dir, ".venv", &venv) || has_venv(dir, "venv", &venv))
		return venv;
	return NULL;
}

static char *dir_of(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	if (slash && slash != dir)
		*slash = '\0';
	else
		strcpy(dir, slash ? "/" : ".");
	return dir;
}

/*
 * The order a person expects: the config's python or venv, $VIRTUAL_ENV,
 * a .venv or venv beside the requirements file or in the working
 * directory, then python3 on PATH.
 */
static int open_env(const struct deps_state *st, struct eval *ev,
		    int64_t deadline, char **cause)
{
	const char *active = getenv("VIRTUAL_ENV");
	char *dir, *venv = NULL;
	int r;

	if (st->python) {
		ev->found_by = "the config's python";
		return pyenv_open_python(&ev->env, st->python, deadline, cause);
	}
	if (st->venv || (active && *active)) {
		ev->found_by = st->venv ? "the config's venv" : "$VIRTUAL_ENV";
		return pyenv_open_venv(&ev->env, st->venv ? st->venv : active,
				       deadline, cause);
	}
	dir = dir_of(st->req_abs);
	venv = venv_in(dir);
	ev->found_by = "a venv beside the requirements file";
	free(dir);
	if (!venv) {
		dir = absolute(".");
		venv = venv_in(dir);
		free(dir);
		ev->found_by = "a venv in the working directory";
	}
	if (venv) {
		r = pyenv_open_venv(&ev->env, venv, deadline, cause);
		free(venv);
		return r;
	}
	ev->found_by = "python3 on PATH";
	return pyenv_open_python(&ev->env, "python3", deadline, cause);
}

/* ---- evaluating ---------------------------------------------------------- */

static void eval_release(struct eval *ev)
{
	size_t i;

	for (i = 0; i < ev->rf.n && ev->verdict; i++) {
		free(ev->wants[i]);
		free(ev->import_error[i]);
		free(ev->extra_problem[i]);
		pydist_release(&ev->dist[i]);
	}
	free(ev->verdict);
	free(ev->wants);
	free(ev->dist);
	free(ev->import_error);
	free(ev->extra_problem);
	reqfile_release(&ev->rf);
	pyenv_release(&ev->env);
}

/* The requirement's specifier joined with every constraint on its name. */
static char *combined_specifier(const struct reqfile *rf, const struct req *r)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_addstr(&b, r->specifier ? r->specifier : "");
	for (i = 0; i < rf->n; i++) {
		const struct req *c = &rf->reqs[i];

		if (!c->constraint || !c->key || strcmp(c->key, r->key) ||
		    !c->specifier || !*c->specifier)
			continue;
		buf_addf(&b, "%s%s", b.len ? "," : "", c->specifier);
	}
	return buf_detach(&b);
}

static int applies(struct eval *ev, const struct req *r, char **cause)
{
	char *why = NULL;
	int on;

	if (!r->marker)
		return 1;
	on = marker_eval(r->marker, &ev->env.markers, &why);
	if (on < 0) {
		*cause = xasprintf("%s:%d: %s", r->file, r->line, why);
		free(why);
	}
	return on;
}

/* Marks each line met, excluded, constraint or unnamed; -1 on bad marker. */
static int sort_lines(struct eval *ev, char **cause)
{
	size_t i;

	for (i = 0; i < ev->rf.n; i++) {
		const struct req *r = &ev->rf.reqs[i];
		int on;

		if (r->constraint) {
			ev->verdict[i] = V_CONSTRAINT;
			continue;
		}
		on = applies(ev, r, cause);
		if (on < 0)
			return -1;
		ev->verdict[i] = !on ? V_EXCLUDED : !r->key ? V_UNNAMED : V_MET;
		if (ev->verdict[i] == V_MET)
			ev->wants[i] = combined_specifier(&ev->rf, r);
	}
	return 0;
}

static enum verdict judge(const struct req *r, const struct pydist *d,
			  const char *wants)
{
	struct pep440_specset set = PEP440_SPECSET_INIT;
	struct pep440_version v;
	char *cause = NULL;
	int ok;

	if (!d->name)
		return V_MISSING;
	if (r->kind != REQ_NAMED)
		return V_UNVERSIONED;
	if (pep440_specset_parse(wants, &set, &cause)) {
		free(cause);
		return V_WRONG;
	}
	ok = pep440_specset_contains(&set, pep440_parse(d->version, &v)
				     ? NULL : &v, d->version);
	pep440_specset_release(&set);
	return ok ? V_MET : V_WRONG;
}

static void copy_dist(struct pydist *to, const struct pydist *from)
{
	to->name = from->name ? xstrdup(from->name) : NULL;
	to->version = from->version ? xstrdup(from->version) : NULL;
	to->path = from->path ? xstrdup(from->path) : NULL;
}

/* Orders requirement lines by name, then by position in the file. */
static int by_key(const void *a, const void *b, void *arg)
{
	const struct eval *ev = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(ev->rf.reqs[i].key, ev->rf.reqs[j].key);

	return c ? c : (i > j) - (i < j);
}

/*
 * Gives every applicable line the slot of the first line with its name,
 * and that first line's name a place in keys: sorting makes a file of a
 * thousand lines cost what it should.
 */
static void share_slots(struct eval *ev, char **keys, size_t *slot)
{
	size_t n = ev->rf.n, *order = xcalloc(n + 1, sizeof(size_t));
	size_t i, m = 0, owner = 0;

	for (i = 0; i < n; i++)
		if (ev->verdict[i] == V_MET)
			order[m++] = i;
	qsort_r(order, m, sizeof(*order), by_key, ev);
	for (i = 0; i < m; i++) {
		if (!i || strcmp(ev->rf.reqs[order[i]].key,
				 ev->rf.reqs[owner].key)) {
			owner = order[i];
			keys[owner] = ev->rf.reqs[owner].key;
		}
		slot[order[i]] = owner;
	}
	free(order);
}

/* Looks every applicable name up in one pass over the environment. */
static void look_up(struct eval *ev)
{
	size_t n = ev->rf.n, i;
	char **keys = xcalloc(n + 1, sizeof(char *));
	size_t *slot = xcalloc(n + 1, sizeof(size_t));
	struct pydist *found = xcalloc(n + 1, sizeof(*found));

	share_slots(ev, keys, slot);
	pyenv_find(&ev->env, keys, n, found, &ev->seen);

	for (i = 0; i < n; i++) {
		if (ev->verdict[i] != V_MET)
			continue;
		copy_dist(&ev->dist[i], &found[slot[i]]);
		ev->verdict[i] = judge(&ev->rf.reqs[i], &ev->dist[i],
				       ev->wants[i]);
	}
	for (i = 0; i < n; i++)
		pydist_release(&found[i]);
	free(found);
	free(slot);
	free(keys);
}

/* 1 when marker holds for one of the extras and not without any. */
static int for_extras(struct eval *ev, const char *extras, const char *marker)
{
	char *list = xstrdup(extras), *one, *save = NULL, *why = NULL;
	int hit = 0;

	for (one = strtok_r(list, ",", &save); one && !hit;
	     one = strtok_r(NULL, ",", &save)) {
		marker_env_set(&ev->env.markers, MARKER_EXTRA, one);
		hit = marker_eval(marker, &ev->env.markers, &why) == 1;
	}
	marker_env_set(&ev->env.markers, MARKER_EXTRA, "");
	if (hit)
		hit = marker_eval(marker, &ev->env.markers, &why) == 0;
	free(why);
	free(list);
	return hit;
}

/* What is wrong with one declared requirement an extra adds, or NULL. */
static char *dep_problem(struct eval *ev, const struct req *parent,
			 const char *text)
{
	struct pydist found = { 0 };
	char *cause = NULL, *problem = NULL, *keys[1];
	struct req d;
	size_t seen;

	if (req_parse(text, &d, &cause)) {
		free(cause);
		return NULL;
	}
	if (d.key && d.marker && for_extras(ev, parent->extras, d.marker)) {
		keys[0] = d.key;
		pyenv_find(&ev->env, keys, 1, &found, &seen);
		switch (judge(&d, &found, d.specifier ? d.specifier : "")) {
		case V_MISSING:
			problem = xasprintf("%s (not installed)", d.name);
			break;
		case V_WRONG:
			problem = xasprintf("%s%s (%s installed)", d.name,
					    d.specifier, found.version);
			break;
		default:
			break;
		}
		pydist_release(&found);
	}
	req_release(&d);
	return problem;
}

/*
 * "httpx[http2]" is met only when what the http2 extra adds (h2) is
 * installed too: the Requires-Dist lines its marker ties to the extra.
 */
static void check_extras(struct eval *ev)
{
	size_t i;

	for (i = 0; i < ev->rf.n; i++) {
		const struct req *r = &ev->rf.reqs[i];
		char **deps, **d;

		if (ev->verdict[i] != V_MET || !r->extras)
			continue;
		deps = pydist_requires(&ev->dist[i]);
		for (d = deps; d && *d && !ev->extra_problem[i]; d++)
			ev->extra_problem[i] = dep_problem(ev, r, *d);
		if (ev->extra_problem[i])
			ev->verdict[i] = V_EXTRA;
		strv_free(deps);
	}
}

/* "import": true: one interpreter run imports every module of the met. */
static int try_imports(struct eval *ev, int64_t deadline, char **cause)
{
	char **mods = NULL, **m;
	size_t *owner = NULL;
	size_t n = 0, i;
	cJSON *res = NULL;
	int r;

	for (i = 0; i < ev->rf.n; i++) {
		char **these;

		if (ev->verdict[i] != V_MET && ev->verdict[i] != V_UNVERSIONED)
			continue;
		these = pydist_modules(&ev->dist[i]);
		for (m = these; *m; m++, n++) {
			mods = xrealloc(mods, (n + 2) * sizeof(char *));
			owner = xrealloc(owner, (n + 1) * sizeof(*owner));
			mods[n] = xstrdup(*m);
			mods[n + 1] = NULL;
			owner[n] = i;
		}
		strv_free(these);
	}
	if (!n)
		return 0;
	r = pyenv_try_imports(&ev->env, mods, deadline, &res, cause);
	for (i = 0; !r && i < n; i++) {
		const char *err = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(res, mods[i]));
		size_t k = owner[i];

		if (err && !ev->import_error[k]) {
			ev->import_error[k] = xasprintf("%s: %s", mods[i], err);
			ev->verdict[k] = V_BROKEN;
		}
	}
	cJSON_Delete(res);
	strv_free(mods);
	free(owner);
	return r;
}

static int evaluate(const struct deps_state *st, struct eval *ev,
		    int64_t deadline, char **cause)
{
	size_t i;

	memset(ev, 0, sizeof(*ev));
	ev->stuck = "correct the file, or the path in 'requirements' "
		    "(relative to the config file's directory)";
	if (reqfile_load(&ev->rf, st->req_abs, cause))
		return -1;
	ev->stuck = "create one with: python3 -m venv .venv, or name it "
		    "with \"python\" or \"venv\" in the config";
	if (open_env(st, ev, deadline, cause))
		return -1;

	ev->verdict = xcalloc(ev->rf.n + 1, sizeof(*ev->verdict));
	ev->wants = xcalloc(ev->rf.n + 1, sizeof(char *));
	ev->dist = xcalloc(ev->rf.n + 1, sizeof(*ev->dist));
	ev->import_error = xcalloc(ev->rf.n + 1, sizeof(char *));
	ev->extra_problem = xcalloc(ev->rf.n + 1, sizeof(char *));
	ev->stuck = "correct the marker at that line";
	if (sort_lines(ev, cause))
		return -1;
	look_up(ev);
	check_extras(ev);
	ev->stuck = "the interpreter could not import the modules; run it "
		    "by hand to see why, or raise the check's timeout";
	if (st->import && try_imports(ev, deadline, cause))
		return -1;

	for (i = 0; i < ev->rf.n; i++)
		ev->counts[ev->verdict[i]]++;
	return 0;
}

static int unmet(enum verdict v)
{
	return v == V_MISSING || v == V_WRONG || v == V_EXTRA ||
	       v == V_BROKEN;
}

/* ---- the pip command ----------------------------------------------------- */

static void argv_push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(char *));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* 1 when the vector already holds s (a line listed twice). */
static int argv_has(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

/* What pip is given for one unmet line: "aiohttp==3.9.1", "-e" "path". */
static void install_args(const struct eval *ev, size_t i, char ***v,
			 size_t *n)
{
	const struct req *r = &ev->rf.reqs[i];
	char *arg;

	if (r->kind != REQ_NAMED && r->name &&
	    strncmp(r->text, r->url, strlen(r->url)))
		arg = xasprintf("%s @ %s", r->name, r->url);
	else if (r->kind != REQ_NAMED)
		arg = xstrdup(r->url);
	else if (r->extras)
		arg = xasprintf("%s[%s]%s", r->name, r->extras, ev->wants[i]);
	else
		arg = xasprintf("%s%s", r->name, ev->wants[i]);
	if (argv_has(*v, *n, arg)) {
		free(arg);
		return;
	}
	if (r->kind == REQ_EDITABLE)
		argv_push(v, n, xstrdup("-e"));
	argv_push(v, n, arg);
}

static char **pip_argv(const struct deps_state *st, const struct eval *ev)
{
	char **v = NULL, **a;
	size_t n = 0, i;

	argv_push(&v, &n, xstrdup(ev->env.python));
	argv_push(&v, &n, xstrdup("-m"));
	argv_push(&v, &n, xstrdup("pip"));
	argv_push(&v, &n, xstrdup("install"));
	if (ev->counts[V_BROKEN])
		argv_push(&v, &n, xstrdup("--force-reinstall"));
	for (i = 0; i < ev->rf.n; i++)
		if (unmet(ev->verdict[i]))
			install_args(ev, i, &v, &n);
	for (i = 0; i < ev->rf.noptions; i++)
		argv_push(&v, &n, xstrdup(ev->rf.options[i]));
	for (a = st->pip_args; *a; a++)
		argv_push(&v, &n, xstrdup(*a));
	return v;
}

int deps_install_argv(const struct deps_state *st, int64_t deadline,
		      char ***argv, char **cause)
{
	struct eval ev;
	int r = evaluate(st, &ev, deadline, cause);

	*argv = NULL;
	if (!r && (ev.counts[V_MISSING] || ev.counts[V_WRONG] ||
		   ev.counts[V_EXTRA] || ev.counts[V_BROKEN]))
		*argv = pip_argv(st, &ev);
	eval_release(&ev);
	return r;
}

/* ---- recording ----------------------------------------------------------- */

static void add_clean(cJSON *obj, const char *key, const char *s)
{
	char *clean;

	if (!s) {
		cJSON_AddNullToObject(obj, key);
		return;
	}
	clean = result_clean(s, strlen(s), DETAIL_MAX);
	cJSON_AddStringToObject(obj, key, clean);
	free(clean);
}

static const char *verdict_name(enum verdict v)
{
	static const char *const names[] = {
		[V_MET] = "met", [V_CONSTRAINT] = "constraint",
		[V_EXCLUDED] = "excluded by marker",
		[V_UNNAMED] = "not checkable: names no project",
		[V_UNVERSIONED] = "installed, version not checkable",
		[V_MISSING] = "not installed", [V_WRONG] = "wrong version",
		[V_EXTRA] = "extra's requirements not met",
		[V_BROKEN] = "import fails",
	};
	return names[v];
}

static void detail_line(struct result *res, const struct eval *ev, size_t i)
{
	const struct req *r = &ev->rf.reqs[i];
	cJSON *arr = cJSON_GetObjectItem(result_details(res), "requirements");
	cJSON *o = cJSON_CreateObject();
	char *at = xasprintf("%s:%d", r->file, r->line);

	add_clean(o, "requirement", r->text);
	add_clean(o, "name", r->name);
	add_clean(o, "status", verdict_name(ev->verdict[i]));
	add_clean(o, "wants", ev->wants[i]);
	add_clean(o, "installed", ev->dist[i].version);
	add_clean(o, "at", at);
	if (r->marker)
		add_clean(o, "marker", r->marker);
	if (ev->import_error[i])
		add_clean(o, "import_error", ev->import_error[i]);
	if (ev->extra_problem[i])
		add_clean(o, "extra_problem", ev->extra_problem[i]);
	cJSON_AddItemToArray(arr, o);
	free(at);
}

static void record_details(struct result *res, const struct eval *ev)
{
	cJSON *d = result_details(res);
	char **s;
	size_t i;

	result_detail_str(res, "python", ev->env.python);
	if (ev->env.venv)
		result_detail_str(res, "venv", ev->env.venv);
	result_detail_str(res, "found_by", ev->found_by);
	cJSON_AddBoolToObject(d, "started_python", ev->env.started);
	cJSON_AddBoolToObject(d, "system_site_packages", ev->env.system_site);
	for (s = ev->env.site_dirs; s && *s; s++)
		result_detail_push(res, "site_dirs", *s);
	result_detail_num(res, "distributions_seen", (double)ev->seen);
	for (i = 0; i < ev->rf.nfiles; i++)
		result_detail_push(res, "files", ev->rf.files[i]);
	cJSON_AddItemToObject(d, "requirements", cJSON_CreateArray());
	for (i = 0; i < ev->rf.n; i++)
		if (ev->verdict[i] != V_CONSTRAINT)
			detail_line(res, ev, i);
}

/* "aiohttp 3.8.4 installed, wants ==3.9.1" and the like, into b. */
static void describe(struct buf *b, const struct eval *ev, size_t i)
{
	const struct req *r = &ev->rf.reqs[i];
	const char *wants = ev->wants[i] && *ev->wants[i] ? ev->wants[i]
							  : "any version";

	switch (ev->verdict[i]) {
	case V_MISSING:
		if (r->kind == REQ_NAMED)
			buf_addf(b, "%s not installed (wants %s)", r->name,
				 wants);
		else
			buf_addf(b, "%s not installed (from %s)", r->name,
				 r->url);
		break;
	case V_WRONG:
		buf_addf(b, "%s %s installed, wants %s", r->name,
			 ev->dist[i].version, wants);
		break;
	case V_EXTRA:
		buf_addf(b, "%s %s installed, but [%s] needs %s", r->name,
			 ev->dist[i].version, r->extras, ev->extra_problem[i]);
		break;
	case V_BROKEN:
		buf_addf(b, "%s %s does not import (%s)", r->name,
			 ev->dist[i].version, ev->import_error[i]);
		break;
	case V_EXCLUDED:
		buf_addf(b, "%s (%s)", r->name ? r->name : r->text, r->marker);
		break;
	case V_UNNAMED:
	case V_UNVERSIONED:
		buf_addstr(b, r->name ? r->name : r->text);
		break;
	default:
		buf_addf(b, "%s %s", r->name, ev->dist[i].version);
	}
}

/* Names the lines with one of the verdicts, at most NAMES_IN_MESSAGE. */
static void list_lines(struct buf *b, const struct eval *ev, int unmet_ones,
		       enum verdict only, const char *sep)
{
	size_t i, shown = 0, total = 0;

	for (i = 0; i < ev->rf.n; i++) {
		enum verdict v = ev->verdict[i];

		if (unmet_ones ? !unmet(v) : v != only)
			continue;
		if (total++ >= NAMES_IN_MESSAGE)
			continue;
		if (shown++)
			buf_addstr(b, sep);
		describe(b, ev, i);
	}
	if (total > shown)
		buf_addf(b, "%sand %zu more", sep, total - shown);
}

static void add_notes(struct buf *b, const struct eval *ev)
{
	if (ev->counts[V_EXCLUDED]) {
		buf_addf(b, "; %zu excluded by marker: ",
			 ev->counts[V_EXCLUDED]);
		list_lines(b, ev, 0, V_EXCLUDED, ", ");
	}
	if (ev->counts[V_UNVERSIONED]) {
		buf_addf(b, "; %zu installed from a URL or path, version not "
			 "checked: ", ev->counts[V_UNVERSIONED]);
		list_lines(b, ev, 0, V_UNVERSIONED, ", ");
	}
	if (ev->counts[V_UNNAMED]) {
		buf_addf(b, "; %zu not checkable (no project name): ",
			 ev->counts[V_UNNAMED]);
		list_lines(b, ev, 0, V_UNNAMED, ", ");
	}
}

static const char *where(const struct eval *ev)
{
	return ev->env.venv ? ev->env.venv : ev->env.python;
}

static void record(const struct deps_state *st, const struct eval *ev,
		   struct result *res)
{
	size_t bad = ev->counts[V_MISSING] + ev->counts[V_WRONG] +
		     ev->counts[V_EXTRA] + ev->counts[V_BROKEN];
	struct buf msg = BUF_INIT;
	char **argv, **a, *line;

	record_details(res, ev);
	if (!bad) {
		buf_addf(&msg, "%zu requirement%s of %s met in %s",
			 ev->counts[V_MET], ev->counts[V_MET] == 1 ? "" : "s",
			 st->requirements, where(ev));
		if (ev->counts[V_MET]) {
			buf_addstr(&msg, ": ");
			list_lines(&msg, ev, 0, V_MET, ", ");
		}
		add_notes(&msg, ev);
		result_pass(res, "%s", buf_cstr(&msg));
		buf_release(&msg);
		return;
	}
	buf_addf(&msg, "%zu requirement%s of %s not met in %s: ", bad,
		 bad == 1 ? "" : "s", st->requirements, where(ev));
	list_lines(&msg, ev, 1, V_MET, "; ");
	add_notes(&msg, ev);
	result_fail(res, "%s", buf_cstr(&msg));
	buf_release(&msg);

	argv = pip_argv(st, ev);
	line = proc_argv_string((const char *const *)argv);
	result_hint(res, "%s", line);
	for (a = argv + 4; *a; a++)
		result_detail_push(res, "install", *a);
	free(line);
	strv_free(argv);
}

static void deps_run(void *state, const struct check_ctx *ctx,
		     struct result *res)
{
	const struct deps_state *st = state;
	struct eval ev;
	char *cause = NULL;

	if (evaluate(st, &ev, ctx->deadline, &cause)) {
		result_fail(res, "%s", cause);
		result_hint(res, "%s", ev.stuck);
		free(cause);
		eval_release(&ev);
		return;
	}
	record(st, &ev, res);
	eval_release(&ev);
}

/* Joins the default profile when the working directory has requirements. */
static void deps_discover(const char *cwd, cJSON *checks)
{
	static const char *const files[] = { "requirements.txt",
					     "backend/requirements.txt" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		char *path = path_join(cwd, files[i]);
		struct stat sb;
		int found = !stat(path, &sb) && S_ISREG(sb.st_mode);
		cJSON *c;

		free(path);
		if (!found)
			continue;
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "id", "python-deps");
		cJSON_AddStringToObject(c, "type", "python-deps");
		cJSON_AddStringToObject(c, "requirements", files[i]);
		cJSON_AddItemToArray(checks, c);
		return;
	}
}

const struct check_type check_python_deps = {
	.name = "python-deps",
	.summary = "the packages in a requirements file are installed at "
		   "allowed versions",
	.example = "2 requirements of requirements.txt not met in /srv/sync/.venv: aiohttp not installed (wants ==3.9.1); httpx not installed (wants ==0.25.2)",
	.example_hint = "/srv/sync/.venv/bin/python -m pip install aiohttp==3.9.1 httpx==0.25.2",
	.flags = CHECK_SLOW,
	.keys = deps_keys,
	.fix = "pip-install",
	.prepare = deps_prepare,
	.run = deps_run,
	.release = deps_release,
	.discover = deps_discover,
};
