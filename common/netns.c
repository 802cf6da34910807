// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/netns.h"
#include "common/log.h"

/* As iproute2 does: /run/netns is a shared mount so namespaces made here are seen elsewhere. */
static int netns_run_dir(void)
{
	if (mkdir(NETNS_RUN_DIR, 0755) && errno != EEXIST)
		return -errno;
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL))
		return -errno;
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL))
		return -errno;
	return 0;
}

static void netns_path(const char *name, char *buf, size_t len)
{
	if (name[0] == '/')
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, NETNS_RUN_DIR "/%s", name);
}

int netns_create(const char *name)
{
	char path[PATH_MAX];
	int fd, err, saved;

	err = netns_run_dir();
	if (err)
		return err;
	netns_path(name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);

	/* A new namespace for this thread, bound to the file, then back to where we were. */
	saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0) {
		err = -errno;
		goto err_unlink;
	}
	if (unshare(CLONE_NEWNET)) {
		err = -errno;
		close(saved);
		goto err_unlink;
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL))
		err = -errno;
	if (setns(saved, CLONE_NEWNET) && !err)
		err = -errno;
	close(saved);
	if (err)
		goto err_unlink;
	return netns_open(name);

err_unlink:
	unlink(path);
	return err;
}

int netns_open(const char *name)
{
	char path[PATH_MAX];
	int fd;

	netns_path(name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int netns_delete(const char *name)
{
	char path[PATH_MAX];

	netns_path(name, path, sizeof(path));
	if (umount2(path, MNT_DETACH) && errno != EINVAL && errno != ENOENT)
		return -errno;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return 0;
}

int netns_enter(int ns_fd, int *saved)
{
	*saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*saved < 0)
		return -errno;
	if (setns(ns_fd, CLONE_NEWNET)) {
		int err = -errno;

		close(*saved);
		*saved = -1;
		return err;
	}
	return 0;
}

int netns_enter_named(const char *name, int *saved)
{
	int fd = netns_open(name), err;

	if (fd < 0)
		return fd;
	err = netns_enter(fd, saved);
	close(fd);
	return err;
}

void netns_leave(int saved)
{
	if (saved < 0)
		return;
	if (setns(saved, CLONE_NEWNET))
		pr_warn("return to the original network namespace: %m\n");
	close(saved);
}

/* The child of netns_sysfs_write(): its exit status is the errno of what failed. */
static int sysfs_write_child(int ns_fd, const char *path, const char *value)
{
	char full[PATH_MAX];
	ssize_t n;
	int fd;

	if (setns(ns_fd, CLONE_NEWNET) || unshare(CLONE_NEWNS))
		return errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return errno;
	umount2("/sys", MNT_DETACH);
	if (mount("sysfs", "/sys", "sysfs", 0, NULL))
		return errno;
	snprintf(full, sizeof(full), "/sys/%s", path);
	fd = open(full, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = write(fd, value, strlen(value));
	if (n < 0) {
		n = errno;
		close(fd);
		return n;
	}
	close(fd);
	return 0;
}

int netns_sysfs_write(int ns_fd, const char *path, const char *value)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(sysfs_write_child(ns_fd, path, value));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}
