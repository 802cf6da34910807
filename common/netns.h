/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Named network namespaces as iproute2 keeps them (/run/netns/NAME), so `ip netns exec`
 * reaches what dsrlab builds. Entering switches only the calling thread's network namespace:
 * the mount namespace, and with it /sys/fs/bpf, stays ours.
 */
#ifndef DSRLAB_COMMON_NETNS_H
#define DSRLAB_COMMON_NETNS_H

#define NETNS_RUN_DIR "/run/netns"

/* Create NAME; returns an fd of the new namespace or -errno. */
int netns_create(const char *name);
/* Open an existing named namespace (or a path); returns an fd or -errno. */
int netns_open(const char *name);
int netns_delete(const char *name);
/* Switch the calling thread into ns_fd; *saved gets an fd to return with netns_leave(). */
int netns_enter(int ns_fd, int *saved);
void netns_leave(int saved);
/* netns_open(name) then netns_enter(): the calling thread moves into named namespace NAME. */
int netns_enter_named(const char *name, int *saved);
/*
 * Write VALUE to PATH (relative to /sys) as seen from namespace ns_fd. sysfs shows the
 * devices of the namespace that mounted it, so a child process enters ns_fd, takes a private
 * mount namespace and mounts its own sysfs there, as `ip netns exec` does. 0 or -errno.
 */
int netns_sysfs_write(int ns_fd, const char *path, const char *value);

#endif
