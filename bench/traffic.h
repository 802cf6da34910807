/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP request/response traffic from a node: N connections, C at a time, each one request
 * line and a checked reply from the echo service, with the serving node recorded.
 */
#ifndef DSRLAB_BENCH_TRAFFIC_H
#define DSRLAB_BENCH_TRAFFIC_H

#include "bench/run.h"

/* Fills r->traffic[t]; returns 0 when the traffic ran (whatever its answers), or -errno. */
int traffic_run(struct run *r, int t);
void traffic_free(struct traffic_result *res);

#endif
