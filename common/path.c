// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

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

#define BPFFS_ROOT  "/sys/fs/bpf"
#define BPFFS_MAGIC 0xcafe4a11 /* BPF_FS_MAGIC, <linux/magic.h> */

static bool is_bpffs(const char *dir)
{
	struct statfs st;

	return !statfs(dir, &st) && st.f_type == BPFFS_MAGIC;
}

/* The parent of pid, from /proc/PID/stat; 0 when unknown. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *close_paren;
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (close_paren = strrchr(buf, ')')))
		sscanf(close_paren + 1, " %*c %d", &ppid);
	fclose(f);
	return ppid;
}

/*
 * Our nearest ancestor whose root has the bpffs at /sys/fs/bpf: under `ip netns exec` the
 * shell that ran it, still in the original mount namespace. Its /proc/PID/root reaches it.
 */
const char *path_bpffs(const char *path, char *buf, size_t len)
{
	size_t n = strlen(BPFFS_ROOT);
	char root[64], dir[96];
	pid_t pid = getpid();
	int depth;

	if (strncmp(path, BPFFS_ROOT, n) || (path[n] && path[n] != '/') || is_bpffs(BPFFS_ROOT))
		return path;
	for (depth = 0; depth < 32 && (pid = parent_of(pid)) > 0; depth++) {
		snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
		snprintf(dir, sizeof(dir), "%s" BPFFS_ROOT, root);
		if (is_bpffs(dir) && (size_t)snprintf(buf, len, "%s%s", root, path) < len)
			return buf;
	}
	return path;
}
