/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenario's timed phases: each action (remove or add a backend, set an MTU, replace a
 * decap program, fail a balancer) at its time after traffic starts, on a thread of its own
 * while traffic flows. They act through the topology and roles, never on their state.
 */
#ifndef DSRLAB_BENCH_PHASES_H
#define DSRLAB_BENCH_PHASES_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/types.h>

#include "bench/env.h"
#include "bench/evidence.h"
#include "bench/roles.h"
#include "bench/topology.h"

/* A VIP's current pool, as phases change it. */
struct phase_pool {
	int n;
	int nodes[SC_MAX_BACKENDS]; /* node indexes */
};

struct phases {
	struct env *env;
	struct topology *topo;
	struct roles *roles;
	struct phase_pool pools[SC_MAX_VIPS];
	struct phase_result results[SC_MAX_PHASES];
	__u64 t0;
	pthread_t thread;
	bool started;
	int err;
};

/* Start the phases (env, topo, roles set), timed from t0_usec (env_clock_usec()). */
int phases_start(struct phases *p, __u64 t0_usec);
/* Wait for every phase; 0, or the first failure's -errno (env's error says which and why). */
int phases_wait(struct phases *p);

#endif
