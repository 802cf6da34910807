/* SPDX-License-Identifier: GPL-2.0 */
/* File-system paths of user space: pin folders, output folders. */
#ifndef DSRLAB_COMMON_PATH_H
#define DSRLAB_COMMON_PATH_H

#include <sys/types.h>

/* mkdir -p with mode for each folder made; existing ones are fine. 0 or -errno. */
int path_mkdir_p(const char *dir, mode_t mode);

#endif
