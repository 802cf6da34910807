/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every stage of a run shares, and nothing else: the scenario, the run id and output
 * folder, each node's namespace, the first error (the root cause, for the report), the stop
 * flag that SIGINT/SIGTERM set, and the clock traffic, phases and commands are timed on.
 * Stages take a struct env, never the orchestrator's struct run (bench/run.c).
 */
#ifndef DSRLAB_BENCH_ENV_H
#define DSRLAB_BENCH_ENV_H

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <linux/types.h>

#include "bench/scenario.h"
#include "common/path.h"

#define ENV_ID_LEN    7 /* 6 hex digits */
#define ENV_PIN_ROOT  DSRLAB_PIN_ROOT
#define ENV_NS_PREFIX DSRLAB_RUN_NS_PREFIX

struct env_node {
	const struct sc_node *sc;
	char ns[64]; /* dsrlab-<id>-<node> */
	int ns_fd; /* -1 until made */
	__u32 ns_inode; /* identifies the namespace in kernel drop records */
};

struct env {
	const struct scenario *sc;
	char id[ENV_ID_LEN];
	char outdir[PATH_MAX];
	struct env_node nodes[SC_MAX_NODES];
	pthread_mutex_t lock; /* guards error: phases and traffic fail from their threads */
	char error[512]; /* the first failure, "" while none */
};

/* Set by SIGINT/SIGTERM; every loop of a run polls it. */
extern volatile sig_atomic_t env_stop;

/* An env for sc with no namespace made yet. */
void env_init(struct env *e, const struct scenario *sc);
/* Monotonic time in microseconds: the clock of traffic, phases and commands. */
__u64 env_clock_usec(void);
/* Sleep until when (env_clock_usec()), in short steps so a signal ends it; false if it did. */
bool env_sleep_until(__u64 when);
/*
 * The index of the node a name from outside the model gives (the node an echo or sink reply
 * says served it), or -1; the model's own references are indexes already.
 */
int env_node_index(const struct env *e, const char *name);
/* Record "what: strerror(-err)" unless an earlier failure was recorded; returns err. */
int env_fail(struct env *e, int err, const char *what);
/* Record a failure in its own words unless an earlier one was recorded; returns err. */
__attribute__((format(printf, 3, 4))) int env_failf(struct env *e, int err, const char *fmt, ...);
bool env_failed(struct env *e);
/*
 * fn(arg) on this thread inside node's network namespace, back in ours after; fn's result,
 * or -ENOENT when the node has no namespace (yet), or the error of entering it.
 */
int env_run(const struct env *e, int node, int (*fn)(void *arg), void *arg);

#endif
