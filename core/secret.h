/*
 * Keeping secrets out of every output. The config loader registers each
 * secret it sees (passwords in DSNs and URLs, Authorization headers, values
 * of keys named like secrets); secret_scrub then replaces every registered
 * value, and any password found in a URL's userinfo or a DSN's password=,
 * with "***". result.c and log.c scrub everything they emit, so a check
 * cannot leak a secret by forgetting to.
 */
#ifndef PREFLIGHT_SECRET_H
#define PREFLIGHT_SECRET_H

/* Remembers value as secret (values shorter than 3 bytes are ignored). */
void secret_add(const char *value);
/* 1 if a config key of this name holds a secret: password, token, ... */
int secret_key_name(const char *key);
/* Registers the password of a URL or libpq DSN, if it has one. */
void secret_add_from_dsn(const char *dsn);
/* Returns a new string with every secret masked. The caller frees it. */
char *secret_scrub(const char *s);
/* Forgets every secret (for tests). */
void secret_clear(void);

#endif
