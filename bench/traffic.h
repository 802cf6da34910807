/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Traffic from a node. Request traffic: N connections, C at a time, each R request lines
 * (interval-ms apart) checked against the echo's reply, with the serving node recorded and
 * required to stay the same for the whole connection. Bulk: bytes one way to a sink, its count
 * back, goodput. Command: a program run in the node, its exit status and output checked.
 */
#ifndef DSRLAB_BENCH_TRAFFIC_H
#define DSRLAB_BENCH_TRAFFIC_H

#include "bench/run.h"

/* Fills r->traffic[t]; returns 0 when the traffic ran (whatever its answers), or -errno. */
int traffic_run(struct run *r, int t);
/*
 * Every traffic entry at once, a thread each, each from its start-ms, with the scenario's
 * phases acting at their times meanwhile. 0, or the first -errno of a traffic or a phase
 * (a failed phase has set r->error).
 */
int traffic_run_all(struct run *r);
void traffic_free(struct traffic_result *res);

#endif
