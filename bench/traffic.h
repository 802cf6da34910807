/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Traffic from a node. Request traffic: N connections, C at a time, each R request lines
 * (interval-ms apart) checked against the echo's reply, with the serving node recorded and
 * required to stay the same for the whole connection. Bulk: bytes one way to a sink, its count
 * back, goodput. Command: a program run in the node, its exit status and output checked.
 */
#ifndef DSRLAB_BENCH_TRAFFIC_H
#define DSRLAB_BENCH_TRAFFIC_H

#include "bench/env.h"
#include "bench/evidence.h"

struct traffic {
	struct env *env;
	struct traffic_result results[SC_MAX_TRAFFIC];
};

/* Fills tr->results[t]; returns 0 when the traffic ran (whatever its answers), or -errno. */
int traffic_run(struct traffic *tr, int t);
void traffic_free(struct traffic *tr);

#endif
