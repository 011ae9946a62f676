/*
 * Fuzzes the tail reader of log files: the first byte picks the byte and
 * line bounds, the rest is the file (in memory, through a memfd), so the
 * window may start inside a line or a UTF-8 sequence.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "../../lib/logtail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logtail t = LOGTAIL_INIT;
	struct logtail_opts o = { 0 };
	char *cause = NULL;
	int fd;

	if (!size)
		return 0;
	o.max_lines = data[0] & 7;
	o.max_bytes = (size_t)(data[0] >> 3) * 64 + 1;
	o.max_line = (size_t)(data[0] & 0x30) + 1;
	fd = memfd_create("log", 0);
	if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	logtail_read_fd(&t, fd, "fuzz.log", &o, &cause);
	logtail_release(&t);
	free(cause);
	close(fd);
	return 0;
}
