/* SPDX-License-Identifier: GPL-2.0 */
/* Captures and kernel drop reasons of a run. */
#ifndef DSRLAB_BENCH_OBSERVE_H
#define DSRLAB_BENCH_OBSERVE_H

#include "bench/run.h"

/* Every point the scenario captures and every point a check reads; active on return. */
int observe_captures_up(struct run *r);
/* Stop the captures (their files are complete) and keep their counts in the run. */
void observe_captures_down(struct run *r);
/* Start the drop tracer; a kernel that refuses it is said, and the run goes on. */
void observe_drops_up(struct run *r);
void observe_drops_collect(struct run *r, struct evidence *ev);
void observe_drops_down(struct run *r);

#endif
