/*
 * Fuzzes the requirements parser: one line through req_parse, the whole
 * input as a file through reqfile_load (so -r/-c includes, even of the
 * file itself, are followed as pip would).
 */
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "../../lib/reqfile.h"

static char dir[] = "/tmp/preflight-fuzz-reqfile-XXXXXX";
static char path[sizeof(dir) + 32];

static void remove_dir(void)
{
	unlink(path);
	rmdir(dir);
}

static void write_input(const uint8_t *data, size_t size)
{
	FILE *f;

	if (!path[0]) {
		if (!mkdtemp(dir))
			abort();
		snprintf(path, sizeof(path), "%s/requirements.txt", dir);
		atexit(remove_dir);
	}
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reqfile rf = REQFILE_INIT;
	struct req req;
	char *line = fuzz_cstr(data, size), *cause = NULL;

	if (req_parse(line, &req, &cause) == 0)
		req_release(&req);
	free(cause);
	free(line);

	cause = NULL;
	write_input(data, size);
	reqfile_load(&rf, path, &cause);
	reqfile_release(&rf);
	free(cause);
	return 0;
}
