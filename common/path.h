/* SPDX-License-Identifier: GPL-2.0 */
/* File-system paths of user space: pin folders, output folders. */
#ifndef DSRLAB_COMMON_PATH_H
#define DSRLAB_COMMON_PATH_H

#include <sys/types.h>

/*
 * Where dsrlab pins (bpffs): a run's state under DSRLAB_PIN_ROOT/<id>/, the CLIs' defaults
 * beside it; and the prefix of a run's namespaces, DSRLAB_RUN_NS_PREFIX<id>-<node>.
 */
#define DSRLAB_PIN_ROOT	     "/sys/fs/bpf/dsrlab"
#define DSRLAB_RUN_NS_PREFIX "dsrlab-"

/* mkdir -p with mode for each folder made; existing ones are fine. 0 or -errno. */
int path_mkdir_p(const char *dir, mode_t mode);
/*
 * A path under /sys/fs/bpf as this process can reach it. `ip netns exec` runs a command with
 * a fresh /sys of its own, without the bpffs where dsrlab pins; the pins are still there
 * through /proc/PID/root of an ancestor in the original mount namespace (the shell that ran
 * `ip netns exec`). Returns path when it is reachable as it is (or no other way is found),
 * else "/proc/PID/root" + path written to buf.
 */
const char *path_bpffs(const char *path, char *buf, size_t len);

#endif
