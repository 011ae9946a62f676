/*
 * Fuzzes the config loader: any bytes as a config file must be loaded or
 * refused with a message, never crash, since a config is often hand-edited.
 */
#include "fuzz.h"
#include "../../core/config.h"
#include "../../core/secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_opts opts = { .default_timeout_ms = 1000 };
	struct config cfg;
	char *cause = NULL;

	config_load_text(&cfg, (const char *)data, size, "fuzz.json",
			 "/nonexistent/preflight-fuzz", &opts, &cause);
	config_release(&cfg);
	free(cause);
	secret_clear();
	return 0;
}
