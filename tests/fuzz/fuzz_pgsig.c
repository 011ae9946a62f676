/*
 * Fuzzes the PostgreSQL log signatures: every line of the input is matched
 * and scanned, and each finding described.
 */
#include "fuzz.h"
#include "../../lib/pgsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgsig_scan sc;
	const char *p = (const char *)data, *end = p + size, *nl;
	char subject[PGSIG_SUBJECT_MAX];
	size_t i;

	pgsig_scan_init(&sc);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		pgsig_match(p, (size_t)(nl - p), subject);
		pgsig_scan_line(&sc, p, (size_t)(nl - p));
		p = nl + 1;
	}
	pgsig_scan_worst(&sc);
	for (i = 0; i < sc.n; i++)
		free(pgsig_describe(&sc.f[i]));
	pgsig_scan_release(&sc);
	return 0;
}
