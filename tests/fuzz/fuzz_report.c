/*
 * Fuzzes the renderers and their escapers (JSON, XML for JUnit, TAP's
 * YAML, Prometheus labels, text): one check whose id, description,
 * message, hint, details and fix record come from the input is rendered in
 * every format. The JSON report must still parse.
 */
#include "fuzz.h"
#include "../../core/check.h"
#include "../../core/util.h"
#include "../../report/report.h"

static void fill_result(struct result *r, unsigned status, const uint8_t **p,
			size_t *left)
{
	char *msg = fuzz_field(p, left), *hint = fuzz_field(p, left);
	char *detail = fuzz_field(p, left);

	result_init(r);
	result_fail(r, "%s", msg);
	r->status = (enum status)(status % 4);
	result_hint(r, "%s", hint);
	result_detail_str(r, detail, detail);
	result_detail_push(r, "lines", msg);
	r->fix = xcalloc(1, sizeof(*r->fix));
	r->fix->name = xstrdup("chmod");
	fix_record_action(r->fix, "%s", hint);
	r->fix->error = fuzz_field(p, left);
	r->fix->output = fuzz_cstr(*p, *left);
	r->fix->attempted = r->fix->rechecked = r->fix->applied = 1;
	free(msg);
	free(hint);
	free(detail);
}

static void render_all(const struct report *rep, int verbose)
{
	struct render_opts ro = { .color = verbose, .verbose = verbose };
	cJSON *parsed;
	size_t i;

	for (i = 0; report_formats[i]; i++) {
		struct buf b = BUF_INIT;

		if (report_formats[i]->render(rep, &ro, &b) < 0)
			abort();
		if (!strcmp(report_formats[i]->name, "json")) {
			parsed = cJSON_ParseWithLength(buf_cstr(&b), b.len);
			if (!parsed)
				abort();
			cJSON_Delete(parsed);
		}
		buf_release(&b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *needs[] = { NULL };
	struct check ck = { .type = check_types[0], .needs = needs,
			    .tags = needs, .timeout_ms = 1000 };
	struct config cfg = { .checks = &ck, .nchecks = 1 };
	unsigned char ran = 1;
	struct result res;
	struct run run = { .n = 1, .results = &res, .ran = &ran };
	struct report rep = { .cfg = &cfg, .run = &run };
	unsigned status = size ? data[0] : 0;

	ck.id = fuzz_field(&data, &size);
	ck.description = fuzz_field(&data, &size);
	fill_result(&res, status, &data, &size);
	render_all(&rep, status & 4);
	result_release(&res);
	free(ck.id);
	free(ck.description);
	return 0;
}
