/*
 * What every libFuzzer target of preflight shares: the entry point's
 * prototype and a way to turn the fuzzer's bytes into C strings.
 *
 * Each tests/fuzz/fuzz_NAME.c feeds arbitrary bytes to one parser or
 * decoder and must never crash, leak or read out of bounds under ASan and
 * UBSan; corpus/NAME/ holds its seeds and every crash it ever found.
 */
#ifndef PREFLIGHT_FUZZ_H
#define PREFLIGHT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of data[0..size); the caller frees it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Cuts the next '\n'-ended field off *p (of *left bytes) as a new string,
 * so one input can carry several arguments. The last field takes the rest.
 */
static inline char *fuzz_field(const uint8_t **p, size_t *left)
{
	const uint8_t *nl = memchr(*p, '\n', *left);
	size_t n = nl ? (size_t)(nl - *p) : *left;
	char *s = fuzz_cstr(*p, n);

	*p += nl ? n + 1 : n;
	*left -= nl ? n + 1 : n;
	return s;
}

#endif
