// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/path.h"

int path_mkdir_p(const char *dir, mode_t mode)
{
	char path[PATH_MAX], *p;

	if ((size_t)snprintf(path, sizeof(path), "%s", dir) >= sizeof(path))
		return -ENAMETOOLONG;
	for (p = strchr(path + 1, '/');; p = strchr(p + 1, '/')) {
		if (p)
			*p = '\0';
		if (mkdir(path, mode) && errno != EEXIST)
			return -errno;
		if (!p)
			return 0;
		*p = '/';
	}
}
