/*
 * Version numbers in programs' own words: the first one in `psql
 * --version` output, and a comparison of dotted numbers. Not PEP 440
 * (lib/pep440.h is for Python packages): "15.4" against "15", no more.
 */
#ifndef PREFLIGHT_VERSCAN_H
#define PREFLIGHT_VERSCAN_H

#include <stddef.h>

/*
 * Finds the version in a program's output: the first run of digits and
 * dots that starts a word ("psql (PostgreSQL) 15.4", "v20.1.0",
 * "libcurl/7.88.1"), the first one with a dot preferred over a bare
 * number before it. Returns 1 and copies it into out (n bytes), or 0.
 */
int verscan_find(const char *text, char *out, size_t n);

/* Compares dotted versions part by part, as numbers; a missing part is
 * 0 ("15" equals "15.0"). Returns <0, 0 or >0 like strcmp. */
int verscan_cmp(const char *a, const char *b);

#endif
