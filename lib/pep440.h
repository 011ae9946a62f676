/*
 * Python package versions and version specifiers by the rules of PEP 440,
 * so that "is the installed aiohttp the one requirements.txt asks for" is
 * answered the way pip answers it.
 *
 * A version is parsed into a fixed-size struct (no allocation): epoch,
 * release numbers, pre-, post- and dev-release and a local label. Parsing
 * accepts every spelling PEP 440 normalises ("1.0-ALPHA.1", "v2",
 * "1.0-1", "1.0.RC2+Ubuntu-1") and pep440_format() prints the normal form.
 *
 * A specifier set ("~=1.4.2, !=1.4.5") is parsed once and tested against
 * any number of versions. Tests treat pre-releases as allowed, as pip does
 * when it checks what is already installed.
 */
#ifndef PREFLIGHT_PEP440_H
#define PREFLIGHT_PEP440_H

#include <stddef.h>
#include <stdint.h>

/* Longer versions are refused rather than cut. */
#define PEP440_MAX_RELEASE 16
#define PEP440_MAX_LOCAL 64

enum pep440_pre { PEP440_PRE_NONE = 0, PEP440_PRE_A, PEP440_PRE_B,
		  PEP440_PRE_RC };

struct pep440_version {
	uint64_t epoch;
	uint64_t release[PEP440_MAX_RELEASE];
	int nrelease;			/* at least 1 */
	enum pep440_pre pre_kind;
	uint64_t pre;
	int has_post;
	uint64_t post;
	int has_dev;
	uint64_t dev;
	char local[PEP440_MAX_LOCAL];	/* normalised, "" when none */
};

/* 0 on success, -1 when s is not a PEP 440 version (v is then undefined). */
int pep440_parse(const char *s, struct pep440_version *v);
/* Same, for s[0..len). */
int pep440_parsen(const char *s, size_t len, struct pep440_version *v);

/* <0, 0, >0 as a sorts before, equal to or after b ("1.0" == "1.0.0"). */
int pep440_cmp(const struct pep440_version *a, const struct pep440_version *b);

/* Writes the normal form ("1!2.0rc1.post3.dev4+ubuntu.1"); returns out. */
char *pep440_format(const struct pep440_version *v, char *out, size_t n);

/* A pre-release or a dev-release. */
int pep440_is_prerelease(const struct pep440_version *v);

enum pep440_op {
	PEP440_EQ,		/* == (with a .* suffix: prefix match) */
	PEP440_NE,		/* != */
	PEP440_COMPAT,		/* ~= */
	PEP440_LT, PEP440_LE, PEP440_GT, PEP440_GE,
	PEP440_ARBITRARY,	/* === compares the strings */
};

struct pep440_spec {
	enum pep440_op op;
	int wildcard;			/* "==1.2.*" */
	struct pep440_version v;	/* unused for === */
	char text[PEP440_MAX_LOCAL];	/* the === operand */
};

/* A comma-separated set; every clause must hold. An empty set holds. */
struct pep440_specset {
	struct pep440_spec *items;	/* owned */
	size_t n;
};
#define PEP440_SPECSET_INIT { NULL, 0 }

/*
 * Parses s ("", ">=1.0,<2", "== 3.9.1") into set, which must be
 * initialised. On error returns -1 and *cause says what is wrong (the
 * caller frees it); set then holds nothing.
 */
int pep440_specset_parse(const char *s, struct pep440_specset *set,
			 char **cause);
void pep440_specset_release(struct pep440_specset *set);

/*
 * 1 when the version satisfies every clause. `raw` is the version as
 * written, used by ===; v may be NULL when raw is not a PEP 440 version,
 * and then only === clauses can hold.
 */
int pep440_specset_contains(const struct pep440_specset *set,
			    const struct pep440_version *v, const char *raw);

#endif
