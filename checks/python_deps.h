/*
 * The python-deps check's prepared state, shared with the pip-install fix,
 * and the one function the fix needs: the exact pip command that would
 * install what is unmet right now.
 */
#ifndef PREFLIGHT_CHECK_PYTHON_DEPS_H
#define PREFLIGHT_CHECK_PYTHON_DEPS_H

#include <stdint.h>

struct deps_state {
	char *requirements;	/* as configured, for messages */
	char *req_abs;		/* resolved against the config's directory */
	char *python;		/* the "python" key, or NULL */
	char *venv;		/* the "venv" key resolved, or NULL */
	char **pip_args;	/* NULL-ended, never NULL */
	int import;		/* also import each top-level module */
	char *base_dir;		/* where pip runs */
};

/*
 * Evaluates the requirements against the environment now and builds
 * `python -m pip install <unmet requirements> <pip_args>` as a NULL-ended
 * argv (the caller frees it with strv_free). *argv is NULL when nothing is
 * unmet. Returns -1 with *cause when the environment or the requirements
 * cannot be read.
 */
int deps_install_argv(const struct deps_state *st, int64_t deadline,
		      char ***argv, char **cause);

#endif
