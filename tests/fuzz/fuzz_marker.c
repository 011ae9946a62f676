/*
 * Fuzzes PEP 508 marker evaluation: the first line is a value given to
 * every marker variable, the rest is the expression.
 */
#include "fuzz.h"
#include "../../lib/marker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct marker_env env = MARKER_ENV_INIT;
	char *value = fuzz_field(&data, &size);
	char *expr = fuzz_cstr(data, size), *cause = NULL;
	int v;

	for (v = 0; v < MARKER_NVARS; v++)
		marker_env_set(&env, (enum marker_var)v,
			       v == MARKER_PYTHON_VERSION ? "3.11" : value);
	marker_eval(expr, &env, &cause);
	marker_env_release(&env);
	free(cause);
	free(expr);
	free(value);
	return 0;
}
