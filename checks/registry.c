/*
 * The table of check types. A new check module adds one line here; the
 * order is the order of the built-in default profile.
 */
#include <string.h>

#include "../core/check.h"

extern const struct check_type check_tcp;
extern const struct check_type check_http;
extern const struct check_type check_permissions;
extern const struct check_type check_postgres;
extern const struct check_type check_container;
extern const struct check_type check_openapi;
extern const struct check_type check_python_deps;
extern const struct check_type check_service;
extern const struct check_type check_log_scan;
extern const struct check_type check_command;
extern const struct check_type check_executables;

const struct check_type *const check_types[] = {
	&check_tcp,
	&check_http,
	&check_permissions,
	&check_postgres,
	&check_container,
	&check_openapi,
	&check_python_deps,
	&check_service,
	&check_log_scan,
	&check_command,
	&check_executables,
	NULL,
};

const struct check_type *check_type_find(const char *name)
{
	size_t i;

	for (i = 0; check_types[i]; i++)
		if (!strcmp(check_types[i]->name, name))
			return check_types[i];
	return NULL;
}
