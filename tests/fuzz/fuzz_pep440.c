/*
 * Fuzzes PEP 440: the input is "version\nspecifiers\nversion"; both
 * versions are parsed, compared and formatted, the specifier set parsed
 * and evaluated against each.
 */
#include "fuzz.h"
#include "../../lib/pep440.h"

static void against(const struct pep440_specset *set, const char *raw)
{
	struct pep440_version v;
	char out[512];

	if (pep440_parse(raw, &v) < 0)
		return;
	pep440_format(&v, out, sizeof(out));
	pep440_is_prerelease(&v);
	pep440_specset_contains(set, &v, raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pep440_specset set = PEP440_SPECSET_INIT;
	struct pep440_version a, b;
	char *va = fuzz_field(&data, &size);
	char *spec = fuzz_field(&data, &size);
	char *vb = fuzz_field(&data, &size);
	char *cause = NULL;

	if (!pep440_parse(va, &a) && !pep440_parse(vb, &b))
		pep440_cmp(&a, &b);
	if (pep440_specset_parse(spec, &set, &cause) == 0) {
		against(&set, va);
		against(&set, vb);
	}
	pep440_specset_release(&set);
	free(cause);
	free(va);
	free(spec);
	free(vb);
	return 0;
}
