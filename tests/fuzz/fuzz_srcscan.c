/*
 * Fuzzes the scan of Python sources for backend URLs: any bytes as one
 * client file.
 */
#include "fuzz.h"
#include "../../lib/srcscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct srcscan_opts o = { .base_url = "http://localhost:8000/api" };
	struct srcscan sc = SRCSCAN_INIT;

	srcscan_text(&o, "client.py", (const char *)data, size, &sc);
	srcscan_release(&sc);
	return 0;
}
