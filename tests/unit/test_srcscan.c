/*
 * lib/srcscan: which string literals in Python code are backend calls,
 * their lines, and the method, query names and body keys the call around
 * them shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../lib/srcscan.h"

static const struct srcscan_opts opts = { .base_url = "http://localhost:8000" };

static void scan(const char *text, struct srcscan *sc)
{
	srcscan_text(&opts, "client.py", text, strlen(text), sc);
}

static int has(char **v, const char *s)
{
	while (v && *v)
		if (strcmp(*v++, s) == 0)
			return 1;
	return 0;
}

static void test_urls_on_the_backend_are_recognised(void **state)
{
	static const struct {
		const char *base, *url, *path;	/* path NULL: not on base */
	} cases[] = {
		{ "http://localhost:8000", "http://localhost:8000/a", "/a" },
		{ "http://localhost:8000", "http://127.0.0.1:8000/a?x=1",
		  "/a?x=1" },
		{ "http://localhost:8000", "http://[::1]:8000/a", "/a" },
		{ "http://localhost:8000", "http://localhost:8000", "" },
		{ "http://localhost:8000", "http://localhost:8001/a", NULL },
		{ "http://localhost:8000", "https://localhost:8000/a", NULL },
		{ "http://localhost:8000", "http://example.com:8000/a", NULL },
		{ "http://localhost:8000", "http://localhost:80001/a", NULL },
		{ "http://localhost", "http://localhost:80/a", "/a" },
		{ "http://h:1/api/", "http://h:1/api/x", "/api/x" },
		{ "http://h:1/api", "http://h:1/apix", NULL },
		{ "http://h:1", "not a url", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = srcscan_on_base(cases[i].base, cases[i].url);

		if (!cases[i].path != !got ||
		    (got && strcmp(got, cases[i].path)))
			fail_msg("%s on %s: got %s", cases[i].url,
				 cases[i].base, got ? got : "(null)");
	}
}

static void test_method_is_read_from_the_call(void **state)
{
	static const struct {
		const char *code, *method;	/* method NULL: unknown */
	} cases[] = {
		{ "requests.get(\"http://localhost:8000/a\")", "GET" },
		{ "r = session.post(\n    'http://localhost:8000/a',\n"
		  "    json={})", "POST" },
		{ "client.request(\"PUT\", \"http://localhost:8000/a\")", "PUT" },
		{ "urllib.request.Request(\"http://localhost:8000/a\", "
		  "data=b, method='DELETE')", "DELETE" },
		{ "await http.patch(url=\"http://localhost:8000/a\")", "PATCH" },
		{ "url = \"http://localhost:8000/a\"", NULL },
		{ "print(\"http://localhost:8000/a\")", NULL },
		{ "get(\"http://localhost:8000/a\")", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct srcscan sc = SRCSCAN_INIT;
		const char *got;

		scan(cases[i].code, &sc);
		if (sc.nhits != 1)
			fail_msg("%s: %zu hits", cases[i].code, sc.nhits);
		got = sc.hits[0].method;
		if (!cases[i].method != !got ||
		    (got && strcmp(got, cases[i].method)))
			fail_msg("%s: got %s", cases[i].code,
				 got ? got : "(none)");
		srcscan_release(&sc);
	}
}

static void test_hits_carry_their_line(void **state)
{
	struct srcscan sc = SRCSCAN_INIT;

	scan("import requests\n"
	     "\"\"\"A docstring\n"
	     "spanning lines\"\"\"\n"
	     "# requests.get('http://localhost:8000/commented')\n"
	     "x = 'it''s'\n"
	     "requests.get('http://localhost:8000/six')\n", &sc);

	assert_int_equal(sc.nhits, 1);
	assert_int_equal(sc.hits[0].line, 6);
	assert_string_equal(sc.hits[0].path, "/six");
	assert_string_equal(sc.hits[0].file, "client.py");
	srcscan_release(&sc);
}

static void test_query_string_and_params_give_query_names(void **state)
{
	struct srcscan sc = SRCSCAN_INIT;

	scan("requests.get(\"http://localhost:8000/api/v1/test/sync/start"
	     "?max_emails=1000&dry\", params={\"since\": 1, 'max_emails': 2})",
	     &sc);

	assert_int_equal(sc.nhits, 1);
	assert_string_equal(sc.hits[0].path, "/api/v1/test/sync/start");
	assert_true(has(sc.hits[0].query, "max_emails"));
	assert_true(has(sc.hits[0].query, "dry"));
	assert_true(has(sc.hits[0].query, "since"));
	assert_int_equal(sc.hits[0].query[3] == NULL, 1);
	assert_null(sc.hits[0].body);
	srcscan_release(&sc);
}

static void test_json_argument_gives_body_keys(void **state)
{
	static const char *const codes[] = {
		"requests.post('http://localhost:8000/s', json={'max_emails':"
		" n, \"nested\": {\"inner\": 1}}, timeout=5)",
		"requests.post('http://localhost:8000/s', json=dict(max_emails"
		"=n, nested=dict(inner=1)))",
	};
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct srcscan sc = SRCSCAN_INIT;

		scan(codes[i], &sc);
		assert_int_equal(sc.nhits, 1);
		assert_true(has(sc.hits[0].body, "max_emails"));
		assert_true(has(sc.hits[0].body, "nested"));
		assert_false(has(sc.hits[0].body, "inner"));
		srcscan_release(&sc);
	}
}

static void test_names_holding_the_base_url_are_followed(void **state)
{
	struct srcscan sc = SRCSCAN_INIT;

	scan("BASE_URL = \"http://127.0.0.1:8000\"\n"
	     "class C:\n"
	     "    def __init__(self):\n"
	     "        self.base = 'http://localhost:8000/api/v1'\n"
	     "    def go(self, item_id):\n"
	     "        requests.post(f\"{BASE_URL}/api/v1/sync/start\")\n"
	     "        requests.get(self.base + '/items/' + str(item_id))\n"
	     "        requests.delete(f'{self.base}/items/{item_id}')\n"
	     "        requests.get(f'{OTHER}/nope')\n", &sc);

	assert_int_equal(sc.nhits, 3);
	assert_string_equal(sc.hits[0].path, "/api/v1/sync/start");
	assert_string_equal(sc.hits[0].method, "POST");
	assert_int_equal(sc.hits[0].line, 6);
	assert_string_equal(sc.hits[1].path, "/api/v1/items/");
	assert_string_equal(sc.hits[2].path, "/api/v1/items/{item_id}");
	assert_string_equal(sc.hits[2].method, "DELETE");
	srcscan_release(&sc);
}

static void test_a_name_holding_a_whole_endpoint_is_a_hit(void **state)
{
	struct srcscan sc = SRCSCAN_INIT;

	scan("import requests\n"
	     "SYNC_URL = 'http://localhost:8000/api/v1/sync/start'\n"
	     "requests.get('http://localhost:8000/health')\n"
	     "requests.post(SYNC_URL, json={'max_emails': 1})\n", &sc);

	assert_int_equal(sc.nhits, 2);
	assert_int_equal(sc.hits[0].line, 2);
	assert_string_equal(sc.hits[0].path, "/api/v1/sync/start");
	assert_null(sc.hits[0].method);
	assert_int_equal(sc.hits[1].line, 3);
	assert_string_equal(sc.hits[1].method, "GET");
	srcscan_release(&sc);
}

static void test_relative_paths_on_a_base_url_client_are_calls(void **state)
{
	struct srcscan sc = SRCSCAN_INIT;

	scan("import httpx\n"
	     "API = 'http://localhost:8000/api/v1'\n"
	     "client = httpx.Client(base_url=API, timeout=5)\n"
	     "other = httpx.Client(base_url='http://example.com')\n"
	     "def go(i):\n"
	     "    client.post('/sync/start', json={'max_emails': 1})\n"
	     "    client.get(f'/items/{i}')\n"
	     "    print('/not/a/call')\n"
	     "    client.get('//cdn.example.com/x')\n", &sc);

	assert_int_equal(sc.nhits, 2);
	assert_int_equal(sc.hits[0].line, 6);
	assert_string_equal(sc.hits[0].method, "POST");
	assert_string_equal(sc.hits[0].path, "/api/v1/sync/start");
	assert_true(has(sc.hits[0].body, "max_emails"));
	assert_int_equal(sc.hits[1].line, 7);
	assert_string_equal(sc.hits[1].path, "/api/v1/items/{i}");
	srcscan_release(&sc);
}

static void test_relative_paths_without_a_backend_client_are_not(void **state)
{
	static const char *const texts[] = {
		"c = httpx.Client()\nc.get('/health')\n",
		"c = httpx.Client(base_url='http://example.com:8000')\n"
		"c.get('/health')\n",
		"if base_url == 'http://localhost:8000': c.get('/health')\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct srcscan sc = SRCSCAN_INIT;

		scan(texts[i], &sc);
		if (sc.nhits)
			fail_msg("%s: %zu hits", texts[i], sc.nhits);
		srcscan_release(&sc);
	}
}

static void test_other_hosts_and_bare_base_urls_are_not_hits(void **state)
{
	struct srcscan sc = SRCSCAN_INIT;

	scan("a = 'http://example.com/api'\n"
	     "b = 'http://localhost:8000'\n"
	     "c = 'http://localhost:8000/'\n"
	     "d = 'see http://localhost:8000/x'\n"
	     "e = b'http://localhost:9000/x'\n", &sc);

	assert_int_equal(sc.nhits, 0);
	srcscan_release(&sc);
}

/*
 * Each text is copied into a buffer of exactly its length, with no NUL
 * after it, so a read one byte past the end is caught under ASan. The
 * json= cases once read past the end (found by fuzzing).
 */
static void test_unterminated_and_hostile_text_is_survived(void **state)
{
	static const char *const texts[] = {
		"requests.get('http://localhost:8000/a",
		"\"\"\"never closed http://localhost:8000/",
		"((((((((((((((('http://localhost:8000/x'",
		"f'{",
		"json=dict(",
		"'",
		"",
		"requests.post('http://localhost:8000/a', json={'k'",
		"requests.post('http://localhost:8000/a', json=",
		"requests.post('http://localhost:8000/a', json=dict(k",
		"requests.post('http://localhost:8000/a', json={'k':",
		"requests.post('http://localhost:8000/a', params={\"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct srcscan sc = SRCSCAN_INIT;
		size_t len = strlen(texts[i]);
		char *exact = malloc(len ? len : 1);

		memcpy(exact, texts[i], len);
		srcscan_text(&opts, "client.py", exact, len, &sc);
		srcscan_release(&sc);
		free(exact);
	}
}

static void test_nul_bytes_open_no_brackets(void **state)
{
	static const char text[] = "requests.post('http://localhost:8000/a', "
				   "json={'a': 1, '\0': (\0, 'b': 2})";
	struct srcscan sc = SRCSCAN_INIT;

	(void)state;
	srcscan_text(&opts, "x.py", text, sizeof(text) - 1, &sc);
	assert_int_equal(sc.nhits, 1);
	assert_true(has(sc.hits[0].body, "a"));
	srcscan_release(&sc);
}

static void test_hits_are_bounded(void **state)
{
	struct srcscan_opts few = { .base_url = "http://localhost:8000",
				    .max_hits = 2 };
	struct srcscan sc = SRCSCAN_INIT;
	const char *text = "g('http://localhost:8000/1')\n"
			   "g('http://localhost:8000/2')\n"
			   "g('http://localhost:8000/3')\n";

	(void)state;
	srcscan_text(&few, "x.py", text, strlen(text), &sc);
	assert_int_equal(sc.nhits, 2);
	assert_true(sc.truncated);
	srcscan_release(&sc);
}

/* Makes a directory with a few files for the file-level tests. */
static char *make_tree(void)
{
	char tmpl[] = "/tmp/srcscan-XXXXXX";
	char *dir = strdup(mkdtemp(tmpl));
	static const char *const names[] = { "a.py", "b.py", "big.py",
					     "notes.txt" };
	char path[256];
	size_t i;

	for (i = 0; i < 4; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "w");
		fputs("requests.get('http://localhost:8000/x')\n", f);
		if (i == 2)
			for (int k = 0; k < 100; k++)
				fputs("# padding padding padding padding\n", f);
		fclose(f);
	}
	return dir;
}

static void remove_tree(char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

static void test_globs_expand_sorted_and_report_misses(void **state)
{
	char *dir = make_tree();
	char p1[] = "*.py", p2[] = "a.py", p3[] = "none/*.py";
	char *pats[] = { p1, p2, p3, NULL };
	char **missing, **files = srcscan_expand(dir, pats, 10, &missing);

	(void)state;
	assert_non_null(files);
	assert_string_equal(files[0], "a.py");
	assert_string_equal(files[1], "b.py");
	assert_string_equal(files[2], "big.py");
	assert_null(files[3]);
	assert_non_null(missing);
	assert_string_equal(missing[0], "none/*.py");
	assert_null(missing[1]);
	for (size_t i = 0; files[i]; i++)
		free(files[i]);
	free(files);
	free(missing[0]);
	free(missing);
	remove_tree(dir);
}

static void test_large_files_are_skipped_with_a_note(void **state)
{
	struct srcscan_opts small = { .base_url = "http://localhost:8000",
				      .max_bytes = 1000 };
	struct srcscan sc = SRCSCAN_INIT;
	char *dir = make_tree();
	char path[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/big.py", dir);
	srcscan_file(&small, path, "big.py", &sc);
	snprintf(path, sizeof(path), "%s/a.py", dir);
	srcscan_file(&small, path, "a.py", &sc);
	snprintf(path, sizeof(path), "%s/gone.py", dir);
	srcscan_file(&small, path, "gone.py", &sc);

	assert_int_equal(sc.nhits, 1);
	assert_string_equal(sc.hits[0].file, "a.py");
	assert_int_equal(sc.nnotes, 2);
	assert_non_null(strstr(sc.notes[0], "big.py: skipped"));
	assert_non_null(strstr(sc.notes[1], "gone.py: cannot read"));
	srcscan_release(&sc);
	remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urls_on_the_backend_are_recognised),
		cmocka_unit_test(test_method_is_read_from_the_call),
		cmocka_unit_test(test_hits_carry_their_line),
		cmocka_unit_test(test_query_string_and_params_give_query_names),
		cmocka_unit_test(test_json_argument_gives_body_keys),
		cmocka_unit_test(test_names_holding_the_base_url_are_followed),
		cmocka_unit_test(test_a_name_holding_a_whole_endpoint_is_a_hit),
		cmocka_unit_test(
			test_relative_paths_on_a_base_url_client_are_calls),
		cmocka_unit_test(
			test_relative_paths_without_a_backend_client_are_not),
		cmocka_unit_test(
			test_other_hosts_and_bare_base_urls_are_not_hits),
		cmocka_unit_test(test_unterminated_and_hostile_text_is_survived),
		cmocka_unit_test(test_nul_bytes_open_no_brackets),
		cmocka_unit_test(test_hits_are_bounded),
		cmocka_unit_test(test_globs_expand_sorted_and_report_misses),
		cmocka_unit_test(test_large_files_are_skipped_with_a_note),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
