/*
 * Untrusted text made safe to show: text_sanitize turns any bytes into
 * valid UTF-8 without control characters, secret_scrub masks passwords
 * and registered values, and jsonpos gives config errors their line and
 * column. A report that broke any of these would corrupt a terminal, an
 * output file or leak a password into a ticket.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/jsonpos.h"
#include "../../core/secret.h"
#include "../../core/text.h"

#define FFFD "\xef\xbf\xbd"

struct sanitize_case {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	size_t max;
	int keep_newlines;
	const char *want;
};

static const struct sanitize_case sanitize_cases[] = {
	{ "plain ASCII is kept", "plain text", 0, 0, 0, "plain text" },
	{ "valid two-byte UTF-8 is kept", "caf\xc3\xa9", 0, 0, 0,
	  "caf\xc3\xa9" },
	{ "valid four-byte UTF-8 is kept", "ok \xf0\x9f\x98\x80", 0, 0, 0,
	  "ok \xf0\x9f\x98\x80" },
	{ "a stray 0xff becomes U+FFFD", "a\xff" "b", 0, 0, 0,
	  "a" FFFD "b" },
	{ "a lone continuation byte becomes U+FFFD", "\x80", 0, 0, 0, FFFD },
	{ "an overlong slash is not decoded", "\xc0\xaf", 0, 0, 0,
	  FFFD FFFD },
	{ "an overlong three-byte form is refused", "\xe0\x80\xaf", 0, 0, 0,
	  FFFD FFFD FFFD },
	{ "a UTF-16 surrogate is refused", "\xed\xa0\x80", 0, 0, 0,
	  FFFD FFFD FFFD },
	{ "a code point above U+10FFFF is refused", "\xf4\x90\x80\x80", 0, 0,
	  0, FFFD FFFD FFFD FFFD },
	{ "a sequence cut at the end is refused", "ab\xe2\x82", 0, 0, 0,
	  "ab" FFFD FFFD },
	{ "escape is written as \\x1b", "\x1b[31mred", 0, 0, 0,
	  "\\x1b[31mred" },
	{ "a NUL inside the length is escaped", "a\0b", 3, 0, 0, "a\\x00b" },
	{ "carriage return is escaped", "a\rb", 0, 0, 0, "a\\x0db" },
	{ "DEL is escaped", "a\x7f", 0, 0, 0, "a\\x7f" },
	{ "a C1 control (U+0085) is escaped", "a\xc2\x85", 0, 0, 0,
	  "a\\x85" },
	{ "tab is kept", "a\tb", 0, 0, 0, "a\tb" },
	{ "newline is escaped by default", "a\nb", 0, 0, 0, "a\\x0ab" },
	{ "newline is kept when asked", "a\nb", 0, 0, 1, "a\nb" },
	{ "a string over the cap ends in ...", "abcdefghij", 0, 8, 0,
	  "abcde..." },
	{ "the cap never splits a character", "\xc3\xa9\xc3\xa9\xc3\xa9", 0,
	  5, 0, "\xc3\xa9..." },
	{ "the cap never splits an escape", "ab\x1b\x1b\x1b", 0, 8, 0,
	  "ab..." },
};

static void test_sanitize_table(void **unused)
{
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(sanitize_cases) / sizeof(*sanitize_cases); i++) {
		const struct sanitize_case *c = &sanitize_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		char *got = text_sanitize(c->in, len, c->max, c->keep_newlines);

		print_message("  %s\n", c->name);
		assert_string_equal(got, c->want);
		assert_true(text_valid_utf8(got, strlen(got)));
		if (c->max)
			assert_true(strlen(got) <= c->max);
		free(got);
	}
}

/* "At most max bytes": a string that fits is left whole. */
static void test_sanitize_keeps_a_string_that_fits(void **unused)
{
	char *got = text_sanitize("abcdefgh", 8, 8, 0);

	(void)unused;
	assert_string_equal(got, "abcdefgh");
	free(got);
}

static void test_sanitize_null_is_empty_string(void **unused)
{
	char *got = text_sanitize(NULL, 5, 0, 0);

	(void)unused;
	assert_string_equal(got, "");
	free(got);
}

static void test_sanitize_output_of_every_byte_is_valid(void **unused)
{
	unsigned char all[256];
	char *got;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)i;
	got = text_sanitize((const char *)all, sizeof(all), 0, 0);
	assert_true(text_valid_utf8(got, strlen(got)));
	for (i = 0; got[i]; i++) {
		unsigned char c = (unsigned char)got[i];

		assert_true(c == '\t' || (c >= 0x20 && c != 0x7f));
	}
	free(got);
}

struct utf8_case {
	const char *in;
	int valid;
};

static void test_valid_utf8_table(void **unused)
{
	static const struct utf8_case cases[] = {
		{ "", 1 },
		{ "ascii", 1 },
		{ "caf\xc3\xa9", 1 },
		{ "\xf0\x9f\x98\x80", 1 },
		{ "\xff", 0 },
		{ "\xc0\xaf", 0 },
		{ "\xed\xa0\x80", 0 },
		{ "\xf4\x90\x80\x80", 0 },
		{ "\xe2\x82", 0 },
	};
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		assert_int_equal(text_valid_utf8(cases[i].in,
						 strlen(cases[i].in)),
				 cases[i].valid);
}

static void test_trim_strips_both_ends(void **unused)
{
	char s[] = " \t padded value \n";

	(void)unused;
	assert_string_equal(text_trim(s), "padded value");
}

static int forget_secrets(void **unused)
{
	(void)unused;
	secret_clear();
	return 0;
}

/* Scrubs `in` and asserts the result is `want`. */
static void assert_scrubbed(const char *in, const char *want)
{
	char *got = secret_scrub(in);

	assert_string_equal(got, want);
	free(got);
}

static void test_scrub_masks_url_userinfo_password(void **unused)
{
	(void)unused;
	assert_scrubbed("cannot reach postgres://app:hunter2@db:5432/x now",
			"cannot reach postgres://app:***@db:5432/x now");
}

static void test_scrub_masks_every_url_in_a_string(void **unused)
{
	(void)unused;
	assert_scrubbed("http://a:one1@h1/ and https://b:two2@h2/",
			"http://a:***@h1/ and https://b:***@h2/");
}

static void test_scrub_keeps_url_without_password(void **unused)
{
	(void)unused;
	assert_scrubbed("http://user@host/ and http://host/a@b:c",
			"http://user@host/ and http://host/a@b:c");
}

static void test_scrub_masks_registered_value_everywhere(void **unused)
{
	(void)unused;
	secret_add("tok-123456");
	assert_scrubbed("Bearer tok-123456, again tok-123456.",
			"Bearer ***, again ***.");
}

static void test_scrub_ignores_values_under_three_bytes(void **unused)
{
	(void)unused;
	secret_add("ab");
	assert_scrubbed("abc", "abc");
}

static void test_clear_forgets_registered_values(void **unused)
{
	(void)unused;
	secret_add("forget-me");
	secret_clear();
	assert_scrubbed("forget-me", "forget-me");
}

static void test_dsn_password_is_registered(void **unused)
{
	(void)unused;
	secret_add_from_dsn("host=db user=app password=s3cret dbname=x");
	assert_scrubbed("login with s3cret failed", "login with *** failed");
}

static void test_dsn_quoted_password_is_registered(void **unused)
{
	(void)unused;
	secret_add_from_dsn("host=db password = 'two words' user=app");
	assert_scrubbed("got two words back", "got *** back");
}

static void test_url_password_registered_raw_and_decoded(void **unused)
{
	(void)unused;
	secret_add_from_dsn("postgresql://u:p%40ss@db/app");
	assert_scrubbed("raw p%40ss, decoded p@ss", "raw ***, decoded ***");
}

/*
 * secret.h promises that any password found in a DSN's password= is
 * masked, registered or not: a server echoing a connection string back
 * must not leak it.
 */
static void test_scrub_masks_unregistered_dsn_password(void **unused)
{
	char *got;

	(void)unused;
	got = secret_scrub("connect failed: host=db password=hunter22 user=x");
	assert_null(strstr(got, "hunter22"));
	free(got);
}

static void test_secret_key_names(void **unused)
{
	static const struct {
		const char *key;
		int secret;
	} cases[] = {
		{ "password", 1 }, { "db_password", 1 }, { "API_KEY", 1 },
		{ "Authorization", 1 }, { "token", 1 }, { "client_secret", 1 },
		{ "url", 0 }, { "timeout", 0 }, { "user", 0 },
	};
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		assert_int_equal(secret_key_name(cases[i].key),
				 cases[i].secret);
}

/* Parses text, maps positions and returns the map; root in *root. */
static struct jsonpos *map_of(const char *text, cJSON **root)
{
	struct jsonpos *map;

	*root = cJSON_Parse(text);
	assert_non_null(*root);
	map = jsonpos_build(*root, text, strlen(text));
	assert_non_null(map);
	return map;
}

static void assert_pos(const struct jsonpos *map, const cJSON *node,
		       int line, int col)
{
	int l, c;

	assert_non_null(node);
	assert_int_equal(jsonpos_find(map, node, &l, &c), 1);
	assert_int_equal(l, line);
	assert_int_equal(c, col);
}

static void test_jsonpos_member_is_at_its_key(void **unused)
{
	const char *text = "{\n  \"checks\": [\n    {\"id\": \"a\",\n"
			   "     \"timeout\": 5}\n  ]\n}\n";
	cJSON *root, *check;
	struct jsonpos *map = map_of(text, &root);

	(void)unused;
	assert_pos(map, root, 1, 1);
	assert_pos(map, cJSON_GetObjectItem(root, "checks"), 2, 3);
	check = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "checks"), 0);
	assert_pos(map, check, 3, 5);
	assert_pos(map, cJSON_GetObjectItem(check, "id"), 3, 6);
	assert_pos(map, cJSON_GetObjectItem(check, "timeout"), 4, 6);
	jsonpos_free(map);
	cJSON_Delete(root);
}

static void test_jsonpos_array_elements_at_their_values(void **unused)
{
	const char *text = "[1,\n 22,\n\t\"x\"]";
	cJSON *root;
	struct jsonpos *map = map_of(text, &root);

	(void)unused;
	assert_pos(map, cJSON_GetArrayItem(root, 0), 1, 2);
	assert_pos(map, cJSON_GetArrayItem(root, 1), 2, 2);
	assert_pos(map, cJSON_GetArrayItem(root, 2), 3, 2);
	jsonpos_free(map);
	cJSON_Delete(root);
}

static void test_jsonpos_counts_characters_not_bytes(void **unused)
{
	const char *text = "{\"d\": \"caf\xc3\xa9\", \"k\": 1}";
	cJSON *root;
	struct jsonpos *map = map_of(text, &root);

	(void)unused;
	assert_pos(map, cJSON_GetObjectItem(root, "k"), 1, 15);
	jsonpos_free(map);
	cJSON_Delete(root);
}

static void test_jsonpos_escaped_quotes_do_not_derail(void **unused)
{
	const char *text = "{\"a\": \"x\\\"}\\\\\",\n \"b\": [{}]}";
	cJSON *root;
	struct jsonpos *map = map_of(text, &root);

	(void)unused;
	assert_pos(map, cJSON_GetObjectItem(root, "b"), 2, 2);
	assert_pos(map, cJSON_GetArrayItem(cJSON_GetObjectItem(root, "b"), 0),
		   2, 8);
	jsonpos_free(map);
	cJSON_Delete(root);
}

static void test_jsonpos_refuses_text_of_another_tree(void **unused)
{
	cJSON *root = cJSON_Parse("{\"a\": [1, 2]}");
	const char *other = "{\"a\": [1]}";

	(void)unused;
	assert_null(jsonpos_build(root, other, strlen(other)));
	cJSON_Delete(root);
}

static void test_jsonpos_unknown_node_has_no_position(void **unused)
{
	cJSON *root, *stray = cJSON_CreateNull();
	struct jsonpos *map = map_of("{}", &root);
	int line, col;

	(void)unused;
	assert_int_equal(jsonpos_find(map, stray, &line, &col), 0);
	assert_int_equal(jsonpos_find(NULL, root, &line, &col), 0);
	assert_int_equal(line, 0);
	jsonpos_free(map);
	cJSON_Delete(root);
	cJSON_Delete(stray);
}

static void test_jsonpos_of_offset(void **unused)
{
	const char *text = "ab\ncd\xc3\xa9" "ef";
	int line, col;

	(void)unused;
	jsonpos_of_offset(text, 0, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 1);
	jsonpos_of_offset(text, 4, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 2);
	jsonpos_of_offset(text, 7, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 4);
}

#define SECRET_TEST(f) cmocka_unit_test_teardown(f, forget_secrets)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_table),
		cmocka_unit_test(test_sanitize_keeps_a_string_that_fits),
		cmocka_unit_test(test_sanitize_null_is_empty_string),
		cmocka_unit_test(test_sanitize_output_of_every_byte_is_valid),
		cmocka_unit_test(test_valid_utf8_table),
		cmocka_unit_test(test_trim_strips_both_ends),
		SECRET_TEST(test_scrub_masks_url_userinfo_password),
		SECRET_TEST(test_scrub_masks_every_url_in_a_string),
		SECRET_TEST(test_scrub_keeps_url_without_password),
		SECRET_TEST(test_scrub_masks_registered_value_everywhere),
		SECRET_TEST(test_scrub_ignores_values_under_three_bytes),
		SECRET_TEST(test_clear_forgets_registered_values),
		SECRET_TEST(test_dsn_password_is_registered),
		SECRET_TEST(test_dsn_quoted_password_is_registered),
		SECRET_TEST(test_url_password_registered_raw_and_decoded),
		SECRET_TEST(test_scrub_masks_unregistered_dsn_password),
		cmocka_unit_test(test_secret_key_names),
		cmocka_unit_test(test_jsonpos_member_is_at_its_key),
		cmocka_unit_test(test_jsonpos_array_elements_at_their_values),
		cmocka_unit_test(test_jsonpos_counts_characters_not_bytes),
		cmocka_unit_test(test_jsonpos_escaped_quotes_do_not_derail),
		cmocka_unit_test(test_jsonpos_refuses_text_of_another_tree),
		cmocka_unit_test(test_jsonpos_unknown_node_has_no_position),
		cmocka_unit_test(test_jsonpos_of_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
