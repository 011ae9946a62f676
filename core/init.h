/*
 * `preflight init`: a starter config written from what the working
 * directory holds, so a person starts from checks that fit their stack
 * instead of a blank file.
 */
#ifndef PREFLIGHT_INIT_H
#define PREFLIGHT_INIT_H

/*
 * Writes the starter config to path (default "preflight.json"), atomically
 * and only if it does not exist unless force. The checks are discovered in
 * the directory that will hold the file, so relative paths stay right.
 * Reports on stderr unless quiet. Returns an exit status (cli.h).
 */
int init_config(const char *path, int force, int quiet);

#endif
