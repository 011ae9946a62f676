/*
 * PEP 508 environment markers: whether a requirement applies to the
 * interpreter being checked, decided the way pip decides it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marker.h"
#include "pep440.h"
#include "../core/util.h"

static const char *const var_names[MARKER_NVARS] = {
	[MARKER_OS_NAME] = "os_name",
	[MARKER_SYS_PLATFORM] = "sys_platform",
	[MARKER_PLATFORM_MACHINE] = "platform_machine",
	[MARKER_PLATFORM_PYTHON_IMPLEMENTATION] =
		"platform_python_implementation",
	[MARKER_PLATFORM_RELEASE] = "platform_release",
	[MARKER_PLATFORM_SYSTEM] = "platform_system",
	[MARKER_PLATFORM_VERSION] = "platform_version",
	[MARKER_PYTHON_VERSION] = "python_version",
	[MARKER_PYTHON_FULL_VERSION] = "python_full_version",
	[MARKER_IMPLEMENTATION_NAME] = "implementation_name",
	[MARKER_IMPLEMENTATION_VERSION] = "implementation_version",
	[MARKER_EXTRA] = "extra",
};

/* Spellings from before PEP 508 that pip still accepts. */
static const struct {
	const char *name;
	enum marker_var var;
} old_names[] = {
	{ "os.name", MARKER_OS_NAME },
	{ "sys.platform", MARKER_SYS_PLATFORM },
	{ "platform.machine", MARKER_PLATFORM_MACHINE },
	{ "platform.python_implementation",
	  MARKER_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "python_implementation", MARKER_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "platform.version", MARKER_PLATFORM_VERSION },
};

const char *marker_var_name(enum marker_var var)
{
	return var >= 0 && var < MARKER_NVARS ? var_names[var] : "?";
}

int marker_var_find(const char *name)
{
	size_t i;

	for (i = 0; i < MARKER_NVARS; i++)
		if (!strcmp(var_names[i], name))
			return (int)i;
	for (i = 0; i < ARRAY_SIZE(old_names); i++)
		if (!strcmp(old_names[i].name, name))
			return (int)old_names[i].var;
	return -1;
}

void marker_env_set(struct marker_env *env, enum marker_var var,
		    const char *value)
{
	free(env->values[var]);
	env->values[var] = xstrdup(value ? value : "");
}

void marker_env_release(struct marker_env *env)
{
	size_t i;

	for (i = 0; i < MARKER_NVARS; i++) {
		free(env->values[i]);
		env->values[i] = NULL;
	}
}

/* ---- tokens -------------------------------------------------------------- */

enum tok { TOK_END, TOK_LPAREN, TOK_RPAREN, TOK_STRING, TOK_OP, TOK_WORD,
	   TOK_BAD };

struct parser {
	const char *p;
	enum tok tok;
	const char *s;		/* the token's text */
	size_t n;
	const struct marker_env *env;
	char *cause;
};

static int is_word_char(int c)
{
	return isalnum(c) || c == '_' || c == '.';
}

static void lex_string(struct parser *ps)
{
	char quote = *ps->p;
	const char *end = strchr(ps->p + 1, quote);

	if (!end) {
		ps->tok = TOK_BAD;
		return;
	}
	ps->tok = TOK_STRING;
	ps->s = ps->p + 1;
	ps->n = (size_t)(end - ps->s);
	ps->p = end + 1;
}

static void lex(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
	ps->s = ps->p;
	ps->n = 1;
	if (!*ps->p) {
		ps->tok = TOK_END;
	} else if (*ps->p == '(' || *ps->p == ')') {
		ps->tok = *ps->p++ == '(' ? TOK_LPAREN : TOK_RPAREN;
	} else if (*ps->p == '"' || *ps->p == '\'') {
		lex_string(ps);
	} else if (strchr("<>=!~", *ps->p)) {
		ps->n = strspn(ps->p, "<>=!~");
		ps->tok = TOK_OP;
		ps->p += ps->n;
	} else if (is_word_char((unsigned char)*ps->p)) {
		while (is_word_char((unsigned char)*ps->p))
			ps->p++;
		ps->tok = TOK_WORD;
		ps->n = (size_t)(ps->p - ps->s);
	} else {
		ps->tok = TOK_BAD;
	}
}

static int word_is(const struct parser *ps, const char *w)
{
	return ps->tok == TOK_WORD && ps->n == strlen(w) &&
	       !strncmp(ps->s, w, ps->n);
}

static int fail(struct parser *ps, const char *what)
{
	if (!ps->cause) {
		if (ps->tok == TOK_END)
			ps->cause = xasprintf("bad marker: %s at the end",
					      what);
		else
			ps->cause = xasprintf("bad marker: %s at '%.20s'",
					      what, ps->s);
	}
	return -1;
}

/* ---- evaluation ---------------------------------------------------------- */

/* A marker operand: a quoted string or a variable's value. */
static int value(struct parser *ps, char **out, int *is_extra)
{
	char *name;
	int var;

	if (ps->tok == TOK_STRING) {
		*out = xstrndup(ps->s, ps->n);
		lex(ps);
		return 0;
	}
	if (ps->tok != TOK_WORD)
		return fail(ps, "expected a variable or a quoted string");
	name = xstrndup(ps->s, ps->n);
	var = marker_var_find(name);
	free(name);
	if (var < 0)
		return fail(ps, "unknown variable");
	*is_extra |= var == MARKER_EXTRA;
	*out = xstrdup(ps->env->values[var] ? ps->env->values[var] : "");
	lex(ps);
	return 0;
}

/* Extra names compare normalised: "Dev_Tools" is "dev-tools". */
static void normalise_name(char *s)
{
	char *start = s, *w = s;

	for (; *s; s++) {
		if (*s == '-' || *s == '_' || *s == '.') {
			if (w == start || w[-1] != '-')
				*w++ = '-';
		} else {
			*w++ = (char)tolower((unsigned char)*s);
		}
	}
	*w = '\0';
}

static int compare_versions(const char *lhs, const char *op,
			    const char *rhs, int *result)
{
	struct pep440_specset set = PEP440_SPECSET_INIT;
	struct pep440_version v;
	char *spec, *cause = NULL;
	int ok;

	if (strchr(rhs, ','))
		return -1;
	spec = xasprintf("%s%s", op, rhs);
	ok = !pep440_specset_parse(spec, &set, &cause);
	free(spec);
	free(cause);
	if (!ok)
		return -1;
	if (pep440_parse(lhs, &v) && strcmp(op, "===")) {
		pep440_specset_release(&set);
		return -1;
	}
	*result = pep440_specset_contains(&set, &v, lhs);
	pep440_specset_release(&set);
	return 0;
}

static int compare_strings(const char *lhs, const char *op, const char *rhs)
{
	int c = strcmp(lhs, rhs);

	if (!strcmp(op, "=="))
		return !c;
	if (!strcmp(op, "!="))
		return !!c;
	if (!strcmp(op, "<"))
		return c < 0;
	if (!strcmp(op, "<="))
		return c <= 0;
	if (!strcmp(op, ">"))
		return c > 0;
	if (!strcmp(op, ">="))
		return c >= 0;
	return -1;
}

static int apply_op(struct parser *ps, const char *lhs, const char *op,
		    const char *rhs)
{
	int r;

	if (!strcmp(op, "in"))
		return strstr(rhs, lhs) != NULL;
	if (!strcmp(op, "not in"))
		return strstr(rhs, lhs) == NULL;
	if (!compare_versions(lhs, op, rhs, &r))
		return r;
	r = compare_strings(lhs, op, rhs);
	if (r < 0 && !ps->cause)
		ps->cause = xasprintf("bad marker: cannot compare '%s' %s "
				      "'%s'", lhs, op, rhs);
	return r;
}

static int read_op(struct parser *ps, char *op, size_t n)
{
	static const char *const valid[] = { "<", "<=", "==", "!=", ">=",
					     ">", "~=", "===" };
	size_t i;

	if (word_is(ps, "in") || word_is(ps, "not")) {
		int neg = word_is(ps, "not");

		lex(ps);
		if (neg && !word_is(ps, "in"))
			return fail(ps, "expected 'in' after 'not'");
		if (neg)
			lex(ps);
		snprintf(op, n, "%s", neg ? "not in" : "in");
		return 0;
	}
	for (i = 0; ps->tok == TOK_OP && i < ARRAY_SIZE(valid); i++) {
		if (ps->n == strlen(valid[i]) &&
		    !strncmp(ps->s, valid[i], ps->n)) {
			snprintf(op, n, "%s", valid[i]);
			lex(ps);
			return 0;
		}
	}
	return fail(ps, "expected a comparison operator");
}

static int eval_comparison(struct parser *ps)
{
	char *lhs = NULL, *rhs = NULL, op[8];
	int extra = 0, r = -1;

	if (value(ps, &lhs, &extra) || read_op(ps, op, sizeof(op)) ||
	    value(ps, &rhs, &extra))
		goto out;
	if (extra) {
		normalise_name(lhs);
		normalise_name(rhs);
	}
	r = apply_op(ps, lhs, op, rhs);
out:
	free(lhs);
	free(rhs);
	return r;
}

static int eval_or(struct parser *ps);

static int eval_atom(struct parser *ps)
{
	int r;

	if (ps->tok != TOK_LPAREN)
		return eval_comparison(ps);
	lex(ps);
	r = eval_or(ps);
	if (r < 0)
		return r;
	if (ps->tok != TOK_RPAREN)
		return fail(ps, "expected ')'");
	lex(ps);
	return r;
}

static int eval_and(struct parser *ps)
{
	int r = eval_atom(ps);

	while (r >= 0 && word_is(ps, "and")) {
		int rhs;

		lex(ps);
		rhs = eval_atom(ps);
		r = rhs < 0 ? rhs : r && rhs;
	}
	return r;
}

static int eval_or(struct parser *ps)
{
	int r = eval_and(ps);

	while (r >= 0 && word_is(ps, "or")) {
		int rhs;

		lex(ps);
		rhs = eval_and(ps);
		r = rhs < 0 ? rhs : r || rhs;
	}
	return r;
}

int marker_eval(const char *expr, const struct marker_env *env, char **cause)
{
	struct parser ps = { .p = expr, .env = env };
	int r;

	lex(&ps);
	r = eval_or(&ps);
	if (r >= 0 && ps.tok != TOK_END)
		r = fail(&ps, "unexpected text");
	if (r < 0) {
		if (!ps.cause)
			fail(&ps, "malformed expression");
		*cause = ps.cause;
		return -1;
	}
	return r;
}
