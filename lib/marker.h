/*
 * PEP 508 environment markers ("python_version >= '3.8' and sys_platform
 * != 'win32'"), evaluated against the marker values of a given Python
 * interpreter: a requirement that applies only to another interpreter is
 * not reported missing.
 *
 * Comparisons follow pip: when the right side and the operator form a
 * valid PEP 440 specifier, the left side is compared as a version (any
 * pre-release allowed); otherwise the two are compared as strings. "in" and
 * "not in" test for a substring.
 */
#ifndef PREFLIGHT_MARKER_H
#define PREFLIGHT_MARKER_H

enum marker_var {
	MARKER_OS_NAME,
	MARKER_SYS_PLATFORM,
	MARKER_PLATFORM_MACHINE,
	MARKER_PLATFORM_PYTHON_IMPLEMENTATION,
	MARKER_PLATFORM_RELEASE,
	MARKER_PLATFORM_SYSTEM,
	MARKER_PLATFORM_VERSION,
	MARKER_PYTHON_VERSION,
	MARKER_PYTHON_FULL_VERSION,
	MARKER_IMPLEMENTATION_NAME,
	MARKER_IMPLEMENTATION_VERSION,
	MARKER_EXTRA,
	MARKER_NVARS
};

/* The values of one interpreter; an unset value reads as "". */
struct marker_env {
	char *values[MARKER_NVARS];	/* owned */
};
#define MARKER_ENV_INIT { { 0 } }

/* The PEP 508 name of a variable ("python_full_version"). */
const char *marker_var_name(enum marker_var var);
/* The variable of a name (old dotted spellings too), or -1. */
int marker_var_find(const char *name);

/* Replaces one value with a copy of value. */
void marker_env_set(struct marker_env *env, enum marker_var var,
		    const char *value);
void marker_env_release(struct marker_env *env);

/*
 * Evaluates the marker expression. Returns 1 (true) or 0 (false); -1 when
 * it is malformed or names an unknown variable, with *cause set (the caller
 * frees it).
 */
int marker_eval(const char *expr, const struct marker_env *env, char **cause);

#endif
