/*
 * The table of fixes. A new fix module adds one line here and names itself
 * in its check type's `fix` field.
 */
#include <string.h>

#include "../core/fix.h"

extern const struct fix_type fix_chmod;
extern const struct fix_type fix_container_start;
extern const struct fix_type fix_pip_install;
extern const struct fix_type fix_service_restart;

const struct fix_type *const fix_types[] = {
	&fix_chmod,
	&fix_container_start,
	&fix_pip_install,
	&fix_service_restart,
	NULL,
};

const struct fix_type *fix_type_find(const char *name)
{
	size_t i;

	for (i = 0; fix_types[i]; i++)
		if (!strcmp(fix_types[i]->name, name))
			return fix_types[i];
	return NULL;
}
