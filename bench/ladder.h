/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DSR proof as a picture: for one connection (the first TCP SYN, or first UDP datagram,
 * to a VIP in any capture), every packet of it at every capture point in time order, one
 * lane per capture point; requests plain, requests encapsulated (the balancer's legs) and
 * replies from the VIP in three colours, each packet linked from one capture point to the
 * next it is seen at. Written as ladder.dat (one line per packet) and ladder.gp, rendered by
 * gnuplot to ladder.svg and ladder.png in the run's folder.
 */
#ifndef DSRLAB_BENCH_LADDER_H
#define DSRLAB_BENCH_LADDER_H

#include "bench/evidence.h"
#include "bench/scenario.h"

/*
 * Draw the ladder into dir. 0 when drawn, -ENOENT when the captures hold no connection to a
 * VIP (nothing to draw, said on stderr), another -errno on failure (said too).
 */
int ladder_draw(const struct scenario *sc, const struct evidence *ev, const char *dir);

#endif
