/*
 * Fuzzes the reading of an installed Python environment: the input holds a
 * venv's pyvenv.cfg, a .pth file and one distribution's METADATA,
 * requires.txt-style RECORD and top_level.txt ('\n\x01\n' between them),
 * all laid out in a scratch venv that is then opened and searched as the
 * python-deps check does. pyvenv.cfg always names a version, so Python is
 * never started.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "../../core/check.h"
#include "../../core/util.h"
#include "../../lib/pyenv.h"

#define SITE "lib/python3.11/site-packages"
#define DIST SITE "/demo_pkg-1.0.dist-info"

static char root[] = "/tmp/preflight-fuzz-pyenv-XXXXXX";
static const char *const files[] = {
	"pyvenv.cfg", SITE "/extra.pth", DIST "/METADATA", DIST "/RECORD",
	DIST "/top_level.txt",
};

static void put(const char *name, const char *prefix, const uint8_t *p,
		size_t n)
{
	char *path = xasprintf("%s/%s", root, name);
	FILE *f = fopen(path, "wb");

	if (!f || fputs(prefix, f) < 0 || fwrite(p, 1, n, f) != n || fclose(f))
		abort();
	free(path);
}

static const char *const dirs[] = { DIST, SITE, "lib/python3.11", "lib" };

static void remove_all(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		char *path = xasprintf("%s/%s", root, files[i]);

		unlink(path);
		free(path);
	}
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		char *path = xasprintf("%s/%s", root, dirs[i]);

		rmdir(path);
		free(path);
	}
	rmdir(root);
}

static void make_tree(void)
{
	size_t i = ARRAY_SIZE(dirs);

	if (!mkdtemp(root))
		abort();
	while (i--) {
		char *path = xasprintf("%s/%s", root, dirs[i]);

		mkdir(path, 0700);
		free(path);
	}
	atexit(remove_all);
}

/* Splits the input at "\n\x01\n" into the files, in order. */
static void lay_out(const uint8_t *data, size_t size)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		const uint8_t *end = memmem(data, size, "\n\x01\n", 3);
		size_t n = end ? (size_t)(end - data) : size;

		put(files[i], i ? "" : "home = /nonexistent\nversion = 3.11.2\n",
		    data, n);
		data += end ? n + 3 : n;
		size -= end ? n + 3 : n;
	}
}

static void search(const struct pyenv *env)
{
	char demo[] = "demo-pkg", other[] = "other";
	char *keys[] = { demo, other };
	struct pydist found[2];
	size_t seen = 0, i;

	memset(found, 0, sizeof(found));
	pyenv_find(env, keys, 2, found, &seen);
	for (i = 0; i < 2; i++) {
		if (found[i].path) {
			strv_free(pydist_requires(&found[i]));
			strv_free(pydist_modules(&found[i]));
		}
		pydist_release(&found[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int made;
	struct pyenv env = PYENV_INIT;
	char *cause = NULL;

	if (!made++)
		make_tree();
	lay_out(data, size);
	if (pyenv_open_venv(&env, root, now_ms() + 1000, &cause) == 0)
		search(&env);
	pyenv_release(&env);
	free(cause);
	return 0;
}
