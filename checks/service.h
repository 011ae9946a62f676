/*
 * The service check's prepared state, shared with the service-restart fix
 * that stops and starts the service it found down.
 */
#ifndef PREFLIGHT_CHECK_SERVICE_H
#define PREFLIGHT_CHECK_SERVICE_H

#include <stddef.h>
#include <stdint.h>

struct service_state {
	char **status;		/* argv of the status command, or NULL */
	char *pidfile;		/* as configured, for messages, or NULL */
	char *pidfile_abs;	/* resolved against the config's directory */
	char **start;		/* argv, or NULL: the fix does nothing */
	char **stop;		/* argv, or NULL */
	char *cwd;		/* where the commands run: the config's dir */
	int64_t command_ms;	/* deadline of each fix command */
	int64_t settle_ms;	/* wait after start before the re-check */
};

/*
 * The default profile's view of a directory: its manage_NAME.sh scripts,
 * sorted, at most max; names are allocated for the caller to free. The
 * log-scan check uses them too, to find the logs they write.
 */
size_t service_find_scripts(const char *cwd, char **names, size_t max);
/* "background_sync" for "manage_background_sync.sh"; caller frees. */
char *service_script_stem(const char *script);
/* The script's text, at most 64 KiB, or NULL; caller frees. */
char *service_script_text(const char *cwd, const char *script);

#endif
