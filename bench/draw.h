/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A scenario as a picture: its nodes (by role, with addresses, services and the balancer's
 * VIPs), links with their interfaces, containers drawn inside their host, and where decap is
 * attached. Written as graphviz DOT and rendered by `dot` (Debian's graphviz) to SVG and PNG,
 * into a run's folder and by `dsrlab validate --draw`.
 */
#ifndef DSRLAB_BENCH_DRAW_H
#define DSRLAB_BENCH_DRAW_H

#include <stdio.h>

#include "bench/scenario.h"

/* The DOT text of sc's topology. */
void draw_topology_dot(const struct scenario *sc, FILE *f);
/*
 * Write BASE.dot, BASE.svg and BASE.png (BASE: a path without extension) with `dot`.
 * 0, or -errno with the reason already reported.
 */
int draw_topology(const struct scenario *sc, const char *base);

#endif
