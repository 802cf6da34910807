/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Commands run in a node: a service (python3 -m http.server, nginx, iperf3 -s) or traffic
 * (curl, iperf3 -c). Each is /bin/sh -c COMMAND in a child that entered only the node's
 * network namespace (setns(CLONE_NEWNET), not `ip netns exec`: the mount namespace, and
 * /sys/fs/bpf with it, stays ours), in its own process group so teardown reaches everything
 * it started, with stdin from /dev/null and stdout and stderr into one log file.
 */
#ifndef DSRLAB_BENCH_COMMAND_H
#define DSRLAB_BENCH_COMMAND_H

#include <stddef.h>

#include "bench/env.h"

struct command;

/*
 * Start cmd in node's namespace, in directory cwd, output to log; with user (a name or uid;
 * NULL or "": root) as that user with every capability dropped for good. -ESRCH: no such user.
 */
int command_start(struct command **out, const struct env *e, int node, const char *cwd,
		  const char *log, const char *cmd, const char *user);
/*
 * Wait until a TCP socket listens on port in the node's namespace. On failure (the command
 * exited first, or timeout_ms passed) why is written to err, with the log's last line.
 */
int command_wait_listening(struct command *c, const struct env *e, int node, int port,
			   int timeout_ms, char *err, size_t errlen);
/*
 * Wait for the command to exit: *status is its exit status (128 + signal when killed).
 * -ETIMEDOUT after timeout_ms (the command is left running for command_stop()).
 */
int command_wait(struct command *c, int timeout_ms, int *status);
/* End the process group (SIGTERM, SIGKILL after a second), reap, free. NULL is a no-op. */
void command_stop(struct command *c);
/*
 * Start command service s (output in <outdir>/<node>.<name>.log) and wait for it to be
 * ready; 0, or -errno with the env's error saying why it never got ready.
 */
int command_service_start(struct command **out, struct env *e, const struct sc_service *s);
/* The first max bytes of a log, NUL-terminated (malloc'd), or NULL. */
char *command_read_log(const char *log, size_t max);

#endif
