/*
 * PEP 440 versions and specifiers: the rules pip applies when it decides
 * whether an installed distribution satisfies a requirement.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pep440.h"
#include "../core/util.h"

/* A cursor over the version text being parsed. */
struct scan {
	const char *p;
	const char *end;
};

static int scan_peek(const struct scan *s)
{
	return s->p < s->end ? tolower((unsigned char)*s->p) : 0;
}

static int is_sep(int c)
{
	return c == '.' || c == '-' || c == '_';
}

static int scan_number(struct scan *s, uint64_t *out)
{
	uint64_t n = 0;
	const char *start = s->p;

	while (s->p < s->end && isdigit((unsigned char)*s->p)) {
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*s->p - '0');
		s->p++;
	}
	*out = n;
	return s->p > start ? 0 : -1;
}

/* Consumes word (lower case) when the text there matches it. */
static int scan_word(struct scan *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || strncasecmp(s->p, word, n))
		return 0;
	s->p += n;
	return 1;
}

static void scan_space(struct scan *s)
{
	while (s->p < s->end && isspace((unsigned char)*s->p))
		s->p++;
}

static int scan_sep(struct scan *s)
{
	if (is_sep(scan_peek(s))) {
		s->p++;
		return 1;
	}
	return 0;
}

/* An optional number after a label: "rc", "rc1", "rc.1", "rc-1". */
static uint64_t scan_label_number(struct scan *s)
{
	struct scan save = *s;
	uint64_t n;

	scan_sep(s);
	if (isdigit(scan_peek(s)) && !scan_number(s, &n))
		return n;
	*s = save;
	return 0;
}

static int parse_release(struct scan *s, struct pep440_version *v)
{
	uint64_t n;

	if (scan_number(s, &n))
		return -1;
	if (scan_peek(s) == '!') {
		s->p++;
		v->epoch = n;
		if (scan_number(s, &n))
			return -1;
	}
	v->release[v->nrelease++] = n;
	while (scan_peek(s) == '.' && s->p + 1 < s->end &&
	       isdigit((unsigned char)s->p[1])) {
		if (v->nrelease == PEP440_MAX_RELEASE)
			return -1;
		s->p++;
		scan_number(s, &v->release[v->nrelease++]);
	}
	return 0;
}

static const struct {
	const char *word;
	enum pep440_pre kind;
} pre_words[] = {
	{ "alpha", PEP440_PRE_A }, { "beta", PEP440_PRE_B },
	{ "preview", PEP440_PRE_RC }, { "pre", PEP440_PRE_RC },
	{ "rc", PEP440_PRE_RC }, { "a", PEP440_PRE_A },
	{ "b", PEP440_PRE_B }, { "c", PEP440_PRE_RC },
};

static void parse_pre(struct scan *s, struct pep440_version *v)
{
	struct scan save = *s;
	size_t i;

	scan_sep(s);
	for (i = 0; i < ARRAY_SIZE(pre_words); i++) {
		if (scan_word(s, pre_words[i].word)) {
			v->pre_kind = pre_words[i].kind;
			v->pre = scan_label_number(s);
			return;
		}
	}
	*s = save;
}

static void parse_post(struct scan *s, struct pep440_version *v)
{
	struct scan save = *s;
	static const char *const words[] = { "post", "rev", "r" };
	size_t i;

	if (scan_peek(s) == '-' && s->p + 1 < s->end &&
	    isdigit((unsigned char)s->p[1])) {
		s->p++;
		v->has_post = !scan_number(s, &v->post);
		return;
	}
	scan_sep(s);
	for (i = 0; i < ARRAY_SIZE(words); i++) {
		if (scan_word(s, words[i])) {
			v->has_post = 1;
			v->post = scan_label_number(s);
			return;
		}
	}
	*s = save;
}

static void parse_dev(struct scan *s, struct pep440_version *v)
{
	struct scan save = *s;

	scan_sep(s);
	if (scan_word(s, "dev")) {
		v->has_dev = 1;
		v->dev = scan_label_number(s);
		return;
	}
	*s = save;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Drops leading zeros of the numeric segment ending at n: "01" is "1". */
static size_t trim_number(char *local, size_t n)
{
	size_t start = n, zeros;

	while (start && local[start - 1] != '.')
		start--;
	if (start == n || !all_digits(local + start, n - start))
		return n;
	for (zeros = 0; start + zeros + 1 < n && local[start + zeros] == '0';)
		zeros++;
	memmove(local + start, local + start + zeros, n - start - zeros);
	return n - zeros;
}

/* "+ubuntu-1_b" becomes "ubuntu.1.b"; empty segments are refused. */
static int parse_local(struct scan *s, struct pep440_version *v)
{
	size_t n = 0;
	int seg = 0;

	if (scan_peek(s) != '+')
		return 0;
	s->p++;
	while (s->p < s->end && !isspace((unsigned char)*s->p)) {
		int c = scan_peek(s);

		if (is_sep(c)) {
			if (!seg)
				return -1;
			n = trim_number(v->local, n);
			c = '.';
			seg = 0;
		} else if (isalnum(c)) {
			seg = 1;
		} else {
			return -1;
		}
		if (n + 1 >= sizeof(v->local))
			return -1;
		v->local[n++] = (char)c;
		s->p++;
	}
	n = trim_number(v->local, n);
	v->local[n] = '\0';
	return seg ? 0 : -1;
}

int pep440_parsen(const char *str, size_t len, struct pep440_version *v)
{
	struct scan s = { str, str + len };

	memset(v, 0, sizeof(*v));
	scan_space(&s);
	if (scan_peek(&s) == 'v')
		s.p++;
	if (parse_release(&s, v))
		return -1;

	parse_pre(&s, v);
	parse_post(&s, v);
	parse_dev(&s, v);
	if (parse_local(&s, v))
		return -1;

	scan_space(&s);
	return s.p == s.end ? 0 : -1;
}

int pep440_parse(const char *s, struct pep440_version *v)
{
	return pep440_parsen(s, strlen(s), v);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Release numbers compared with the shorter padded with zeros. */
static int cmp_release(const struct pep440_version *a,
		       const struct pep440_version *b, int upto)
{
	int i;

	for (i = 0; i < upto; i++) {
		uint64_t x = i < a->nrelease ? a->release[i] : 0;
		uint64_t y = i < b->nrelease ? b->release[i] : 0;

		if (x != y)
			return cmp_u64(x, y);
	}
	return 0;
}

static int max_release(const struct pep440_version *a,
		       const struct pep440_version *b)
{
	return a->nrelease > b->nrelease ? a->nrelease : b->nrelease;
}

/*
 * The pre-release rank: a bare dev-release sorts before every pre-release
 * of the same release, a final release after all of them.
 */
static int pre_rank(const struct pep440_version *v, uint64_t *num)
{
	*num = v->pre;
	if (v->pre_kind != PEP440_PRE_NONE)
		return (int)v->pre_kind;
	if (v->has_dev && !v->has_post)
		return -1;
	return 100;
}

static int cmp_suffixes(const struct pep440_version *a,
			const struct pep440_version *b)
{
	uint64_t na, nb;
	int ra = pre_rank(a, &na), rb = pre_rank(b, &nb);

	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (na != nb)
		return cmp_u64(na, nb);
	if (a->has_post != b->has_post)
		return a->has_post ? 1 : -1;
	if (a->post != b->post)
		return cmp_u64(a->post, b->post);
	if (a->has_dev != b->has_dev)
		return a->has_dev ? -1 : 1;
	return cmp_u64(a->dev, b->dev);
}

/* One local segment: numbers above words, numbers by value. */
static int cmp_local_seg(const char *a, size_t na, const char *b, size_t nb)
{
	int da = all_digits(a, na), db = all_digits(b, nb);
	int c;

	if (da != db)
		return da ? 1 : -1;
	if (da) {
		while (na > 1 && *a == '0')
			a++, na--;
		while (nb > 1 && *b == '0')
			b++, nb--;
		if (na != nb)
			return na < nb ? -1 : 1;
	}
	c = strncmp(a, b, na < nb ? na : nb);
	if (c)
		return c < 0 ? -1 : 1;
	return na < nb ? -1 : na > nb;
}

static int cmp_local(const char *a, const char *b)
{
	while (*a && *b) {
		size_t na = strcspn(a, "."), nb = strcspn(b, ".");
		int c = cmp_local_seg(a, na, b, nb);

		if (c)
			return c;
		a += na + (a[na] == '.');
		b += nb + (b[nb] == '.');
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int cmp_public(const struct pep440_version *a,
		      const struct pep440_version *b)
{
	int c = cmp_u64(a->epoch, b->epoch);

	if (!c)
		c = cmp_release(a, b, max_release(a, b));
	if (!c)
		c = cmp_suffixes(a, b);
	return c;
}

int pep440_cmp(const struct pep440_version *a, const struct pep440_version *b)
{
	int c = cmp_public(a, b);

	return c ? c : cmp_local(a->local, b->local);
}

int pep440_is_prerelease(const struct pep440_version *v)
{
	return v->pre_kind != PEP440_PRE_NONE || v->has_dev;
}

char *pep440_format(const struct pep440_version *v, char *out, size_t n)
{
	static const char *const pre[] = { "", "a", "b", "rc" };
	struct buf b = BUF_INIT;
	int i;

	if (v->epoch)
		buf_addf(&b, "%llu!", (unsigned long long)v->epoch);
	for (i = 0; i < v->nrelease; i++)
		buf_addf(&b, "%s%llu", i ? "." : "",
			 (unsigned long long)v->release[i]);
	if (v->pre_kind)
		buf_addf(&b, "%s%llu", pre[v->pre_kind],
			 (unsigned long long)v->pre);
	if (v->has_post)
		buf_addf(&b, ".post%llu", (unsigned long long)v->post);
	if (v->has_dev)
		buf_addf(&b, ".dev%llu", (unsigned long long)v->dev);
	if (v->local[0])
		buf_addf(&b, "+%s", v->local);
	snprintf(out, n, "%s", buf_cstr(&b));
	buf_release(&b);
	return out;
}

/* ---- specifiers ---------------------------------------------------------- */

static const struct {
	const char *text;
	enum pep440_op op;
} ops[] = {
	{ "===", PEP440_ARBITRARY }, { "==", PEP440_EQ }, { "!=", PEP440_NE },
	{ "~=", PEP440_COMPAT }, { "<=", PEP440_LE }, { ">=", PEP440_GE },
	{ "<", PEP440_LT }, { ">", PEP440_GT },
};

static int parse_op(const char **s, enum pep440_op *op)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		size_t n = strlen(ops[i].text);

		if (!strncmp(*s, ops[i].text, n)) {
			*op = ops[i].op;
			*s += n;
			return 0;
		}
	}
	return -1;
}

static void skip_space(const char **p)
{
	while (isspace((unsigned char)**p))
		(*p)++;
}

static int has_suffix_parts(const struct pep440_version *v)
{
	return v->pre_kind || v->has_post || v->has_dev || v->local[0];
}

/* Which operand forms each operator allows, as PEP 440 restricts them. */
static const char *spec_check(const struct pep440_spec *sp)
{
	int eq = sp->op == PEP440_EQ || sp->op == PEP440_NE;

	if (sp->wildcard && !eq)
		return "'.*' is only allowed with == and !=";
	if (sp->wildcard && has_suffix_parts(&sp->v))
		return "'.*' may only follow release numbers";
	if (sp->v.local[0] && !eq)
		return "a local version is only allowed with == and !=";
	if (sp->op == PEP440_COMPAT && sp->v.nrelease < 2)
		return "~= needs at least two release numbers";
	return NULL;
}

static int spec_parse_one(const char *s, size_t len, struct pep440_spec *sp,
			  char **cause)
{
	char *text = xstrndup(s, len);
	const char *p = text, *why = NULL;
	size_t n;

	memset(sp, 0, sizeof(*sp));
	skip_space(&p);
	if (parse_op(&p, &sp->op)) {
		why = "no comparison operator";
		goto out;
	}
	skip_space(&p);
	n = strlen(p);
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	if (sp->op == PEP440_ARBITRARY) {
		if (!n || n >= sizeof(sp->text))
			why = "bad === operand";
		else
			snprintf(sp->text, sizeof(sp->text), "%.*s", (int)n, p);
		goto out;
	}
	if (n >= 2 && !strncmp(p + n - 2, ".*", 2)) {
		sp->wildcard = 1;
		n -= 2;
	}
	if (pep440_parsen(p, n, &sp->v))
		why = "not a valid version";
	else
		why = spec_check(sp);
out:
	if (why)
		*cause = xasprintf("bad version specifier '%s': %s", text, why);
	free(text);
	return why ? -1 : 0;
}

int pep440_specset_parse(const char *s, struct pep440_specset *set,
			 char **cause)
{
	const char *p = s;

	set->items = NULL;
	set->n = 0;
	while (*p && isspace((unsigned char)*p))
		p++;
	if (!*p)
		return 0;
	for (;;) {
		size_t n = strcspn(p, ",");

		set->items = xrealloc(set->items,
				      (set->n + 1) * sizeof(*set->items));
		if (spec_parse_one(p, n, &set->items[set->n], cause)) {
			pep440_specset_release(set);
			return -1;
		}
		set->n++;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

void pep440_specset_release(struct pep440_specset *set)
{
	free(set->items);
	set->items = NULL;
	set->n = 0;
}

static void public_of(const struct pep440_version *v,
		      struct pep440_version *pub)
{
	*pub = *v;
	pub->local[0] = '\0';
}

static int same_base(const struct pep440_version *a,
		     const struct pep440_version *b)
{
	return a->epoch == b->epoch && !cmp_release(a, b, max_release(a, b));
}

/* "==1.2.*": the release starts with 1.2, zero-padded. */
static int prefix_match(const struct pep440_version *prefix, int len,
			const struct pep440_version *v)
{
	return prefix->epoch == v->epoch && !cmp_release(prefix, v, len);
}

static int match_eq(const struct pep440_spec *sp,
		    const struct pep440_version *v)
{
	struct pep440_version pub;

	if (sp->wildcard)
		return prefix_match(&sp->v, sp->v.nrelease, v);
	if (sp->v.local[0])
		return !pep440_cmp(v, &sp->v);
	public_of(v, &pub);
	return !pep440_cmp(&pub, &sp->v);
}

static int match_compat(const struct pep440_spec *sp,
			const struct pep440_version *v)
{
	struct pep440_version pub;

	public_of(v, &pub);
	return pep440_cmp(&pub, &sp->v) >= 0 &&
	       prefix_match(&sp->v, sp->v.nrelease - 1, v);
}

/* "<1.0" excludes 1.0's own pre-releases unless it names one itself. */
static int match_lt(const struct pep440_spec *sp,
		    const struct pep440_version *v)
{
	if (pep440_cmp(v, &sp->v) >= 0)
		return 0;
	return pep440_is_prerelease(&sp->v) || !pep440_is_prerelease(v) ||
	       !same_base(v, &sp->v);
}

/* ">1.0" excludes 1.0's post-releases and local versions of 1.0. */
static int match_gt(const struct pep440_spec *sp,
		    const struct pep440_version *v)
{
	if (pep440_cmp(v, &sp->v) <= 0)
		return 0;
	if (!sp->v.has_post && v->has_post && same_base(v, &sp->v))
		return 0;
	return !(v->local[0] && same_base(v, &sp->v));
}

static int spec_match(const struct pep440_spec *sp,
		      const struct pep440_version *v)
{
	struct pep440_version pub;

	public_of(v, &pub);
	switch (sp->op) {
	case PEP440_EQ:
		return match_eq(sp, v);
	case PEP440_NE:
		return !match_eq(sp, v);
	case PEP440_COMPAT:
		return match_compat(sp, v);
	case PEP440_LT:
		return match_lt(sp, v);
	case PEP440_LE:
		return pep440_cmp(&pub, &sp->v) <= 0;
	case PEP440_GT:
		return match_gt(sp, v);
	case PEP440_GE:
		return pep440_cmp(&pub, &sp->v) >= 0;
	case PEP440_ARBITRARY:
		break;
	}
	return 0;
}

static int match_arbitrary(const struct pep440_spec *sp,
			   const struct pep440_version *v, const char *raw)
{
	char norm[128];
	const char *s = raw;
	size_t n;

	if (v)
		s = pep440_format(v, norm, sizeof(norm));
	if (!s)
		return 0;
	skip_space(&s);
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return n == strlen(sp->text) && !strncasecmp(s, sp->text, n);
}

int pep440_specset_contains(const struct pep440_specset *set,
			    const struct pep440_version *v, const char *raw)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		const struct pep440_spec *sp = &set->items[i];

		if (sp->op == PEP440_ARBITRARY) {
			if (!match_arbitrary(sp, v, raw))
				return 0;
		} else if (!v || !spec_match(sp, v)) {
			return 0;
		}
	}
	return 1;
}
