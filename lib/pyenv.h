/*
 * A Python environment seen from outside: where its packages live, which
 * distributions are installed there and at what version, and the values
 * its environment markers take. Reading the metadata files directly costs
 * milliseconds, where starting Python and importing pip costs a second.
 *
 * A standard venv whose pyvenv.cfg names its version is read without
 * starting Python at all: its site-packages (plus the directories its .pth
 * files add) and marker values from pyvenv.cfg and uname(). Any other
 * interpreter, and a venv that includes the system site packages, is
 * started once, through proc.h, to print its sys.path and marker values.
 *
 * Usage: pyenv_open_venv() or pyenv_open_python(), then pyenv_find() any
 * number of times, then pyenv_release(). A pyenv is only read after it is
 * opened, so several threads may share one.
 */
#ifndef PREFLIGHT_PYENV_H
#define PREFLIGHT_PYENV_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "marker.h"

struct pyenv {
	char *python;		/* the interpreter to run, a path */
	char *venv;		/* the venv directory, or NULL */
	int system_site;	/* the venv includes the system packages */
	int started;		/* the interpreter was run to learn the rest */
	char **site_dirs;	/* searched in order, NULL-ended */
	struct marker_env markers;
};
#define PYENV_INIT { NULL, NULL, 0, 0, NULL, MARKER_ENV_INIT }

/* One installed distribution; the strings are owned by the caller. */
struct pydist {
	char *name;		/* Name: from its metadata */
	char *version;		/* Version: from its metadata */
	char *path;		/* its .dist-info or .egg-info */
};

/*
 * Opens the venv in dir (the directory holding pyvenv.cfg). Starts its
 * interpreter only when pyvenv.cfg does not say enough, with the deadline
 * given. Returns -1 with *cause when dir is not a usable venv: no
 * pyvenv.cfg, or a bin/python (or bin/python3) that cannot be executed.
 */
int pyenv_open_venv(struct pyenv *env, const char *dir, int64_t deadline,
		    char **cause);

/*
 * Opens the environment of an interpreter: a path, or a name looked up in
 * PATH. An interpreter inside a venv opens that venv; any other is run
 * once. Returns -1 with *cause when it cannot be found or run.
 */
int pyenv_open_python(struct pyenv *env, const char *python,
		      int64_t deadline, char **cause);

void pyenv_release(struct pyenv *env);

/*
 * Finds the distributions with the given PEP 503 keys, the first on the
 * search path winning as it does for Python. found[i] is filled for
 * keys[i], or left zeroed when it is not installed; the caller releases
 * each with pydist_release. *seen counts the distributions looked at.
 */
void pyenv_find(const struct pyenv *env, char *const *keys, size_t nkeys,
		struct pydist *found, size_t *seen);

void pydist_release(struct pydist *d);

/*
 * The requirements a distribution declares: its METADATA's Requires-Dist
 * values, or for an egg-info its requires.txt, whose "[extra]" and
 * "[extra:marker]" sections become "; extra == ..." markers. NULL-ended
 * (NULL when there are none); the caller frees it with strv_free.
 */
char **pydist_requires(const struct pydist *d);

/*
 * The top-level modules a distribution provides: from top_level.txt, else
 * from its RECORD, else its name with '-' as '_'. NULL-ended; the caller
 * frees it with strv_free.
 */
char **pydist_modules(const struct pydist *d);

/*
 * Imports each module in the interpreter, in one run of it. *out becomes
 * an object mapping each module to null (imported) or the error text.
 * Returns -1 with *cause when the interpreter could not be run or said
 * nothing readable.
 */
int pyenv_try_imports(const struct pyenv *env, char *const *modules,
		      int64_t deadline, cJSON **out, char **cause);

#endif
