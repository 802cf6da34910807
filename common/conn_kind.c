// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "common/conn_kind.h"

const char *const conn_kind_names[CONN_KIND_MAX] = {
	[CONN_KIND_SETS] = "sets",
	[CONN_KIND_LRU] = "lru",
	[CONN_KIND_PERCPU] = "percpu",
};

const char *conn_kind_name(enum conn_kind k)
{
	return (unsigned int)k < CONN_KIND_MAX ? conn_kind_names[k] : "?";
}

int conn_kind_parse(const char *name, enum conn_kind *k)
{
	int i;

	for (i = 0; i < CONN_KIND_MAX; i++)
		if (!strcmp(name, conn_kind_names[i])) {
			*k = i;
			return 0;
		}
	return -1;
}
