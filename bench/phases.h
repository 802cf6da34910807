/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenario's timed phases: each action (remove or add a backend, set an MTU, replace a
 * decap program) at its time after traffic starts, on a thread of its own while traffic
 * flows. Results go to r->phases[]; the VIPs' current pools live in r->pools[].
 */
#ifndef DSRLAB_BENCH_PHASES_H
#define DSRLAB_BENCH_PHASES_H

#include <linux/types.h>

#include "bench/run.h"

struct phases;

/* Start the phases, timed from t0_usec (CLOCK_MONOTONIC); *out NULL when there are none. */
int phases_start(struct run *r, __u64 t0_usec, struct phases **out);
/* Wait for every phase; 0, or the first failure's -errno (r->error says which and why). */
int phases_wait(struct phases *p);

#endif
