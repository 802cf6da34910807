/* SPDX-License-Identifier: GPL-2.0 */
/* What a run watches: packet captures at named points and the kernel's drop reasons. */
#ifndef DSRLAB_BENCH_OBSERVE_H
#define DSRLAB_BENCH_OBSERVE_H

#include <stdbool.h>

#include "bench/capture.h"
#include "bench/drops.h"
#include "bench/env.h"
#include "bench/evidence.h"

struct observe {
	struct env *env;
	struct capture *handles[EV_MAX_CAPTURES];
	struct ev_capture caps[EV_MAX_CAPTURES]; /* point, file and, once stopped, counts */
	int n_caps;
	struct drop_tracer *tracer; /* NULL when the kernel would not attach it */
};

/* Namespace identities and the drop tracer; a kernel that refuses it is said, the run goes on. */
void observe_drops_up(struct observe *o, struct env *e);
/* Every point the scenario captures and every point a check reads; active on return. */
int observe_captures_up(struct observe *o);
/* Stop the captures (their files are complete) and keep their counts. */
void observe_captures_down(struct observe *o);
/* Into ev: the captures and whether drops were traced; live: the drops themselves. */
void observe_collect(const struct observe *o, struct evidence *ev, bool live);
void observe_drops_down(struct observe *o);

#endif
