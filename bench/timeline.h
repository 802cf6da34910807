/* SPDX-License-Identifier: GPL-2.0 */
/* Traffic and phases on one clock: every traffic entry from its start-ms, every phase at its at-ms. */
#ifndef DSRLAB_BENCH_TIMELINE_H
#define DSRLAB_BENCH_TIMELINE_H

#include "bench/phases.h"
#include "bench/traffic.h"

/*
 * Every traffic entry at once, a thread each, from its start-ms, with the phases acting at
 * their times meanwhile, all from one t0. 0, or the first -errno of a traffic or a phase (a
 * failed phase has set env's error).
 */
int timeline_run(struct traffic *tr, struct phases *ph);

#endif
