/*
 * Fuzzes the version scan of programs' output: the first line is scanned
 * for a version, which is then compared with the second line.
 */
#include "fuzz.h"
#include "../../lib/verscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_field(&data, &size), *other = fuzz_cstr(data, size);
	char found[64];

	if (verscan_find(text, found, sizeof(found)))
		verscan_cmp(found, other);
	verscan_cmp(text, other);
	free(text);
	free(other);
	return 0;
}
