/*
 * Fuzzes the Engine API log stream decoder: the first byte picks the mode
 * and the chunk size, the rest is the stream, fed in pieces so frame
 * headers and lines split anywhere.
 */
#include "fuzz.h"
#include "../../lib/dockerlog.h"

static void on_line(void *data, int stream, const char *line, size_t len,
		    int cut)
{
	int64_t t;

	dockerlog_parse_time(line, len, &t);
	*(size_t *)data += len + (size_t)stream + (size_t)cut;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dockerlog d;
	size_t seen = 0, chunk, n;

	if (!size)
		return 0;
	chunk = (size_t)(data[0] >> 2) + 1;
	dockerlog_init(&d, (enum dockerlog_mode)(data[0] % 3), 64, on_line,
		       &seen);
	for (data++, size--; size; data += n, size -= n) {
		n = size < chunk ? size : chunk;
		if (dockerlog_feed(&d, data, n) < 0)
			break;
	}
	dockerlog_finish(&d);
	dockerlog_release(&d);
	return 0;
}
