/*
 * Fuzzes the log signature matcher: every line of the input through the
 * built-in catalogues, as the log-scan and container checks read a log.
 */
#include "fuzz.h"
#include "../../lib/logsig.h"

static struct logsig_set *set;

static struct logsig_set *catalogues(void)
{
	const char *const *names = logsig_catalogue_names();
	char *cause = NULL;
	size_t i;

	set = logsig_set_new();
	for (i = 0; names[i]; i++)
		if (logsig_set_add_catalogue(set, names[i], &cause) < 0)
			abort();
	return set;
}

static void report(const struct logsig_scan *sc)
{
	size_t idx[LOGSIG_MAX_FINDINGS];
	char buf[128];
	size_t i;

	logsig_scan_worst(sc);
	logsig_scan_order(sc, idx);
	for (i = 0; i < sc->n; i++)
		logsig_package(sc->f[idx[i]].subject, buf, sizeof(buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logsig_scan sc;
	const char *p = (const char *)data, *end = p + size, *nl;
	int64_t when;

	logsig_scan_init(&sc, set ? set : catalogues());
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		logsig_is_marker(set, p, (size_t)(nl - p));
		logsig_line_time(p, (size_t)(nl - p), &when);
		logsig_scan_line(&sc, p, (size_t)(nl - p), p - (const char *)data);
		p = nl + 1;
	}
	report(&sc);
	logsig_scan_release(&sc);
	return 0;
}
