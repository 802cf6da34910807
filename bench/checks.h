/* SPDX-License-Identifier: GPL-2.0 */
/* Evaluate a scenario's expectations against traffic results and captures. */
#ifndef DSRLAB_BENCH_CHECKS_H
#define DSRLAB_BENCH_CHECKS_H

#include "bench/run.h"

/* Fills r->checks[]; returns how many failed. */
int checks_run(struct run *r);
/* The capture file recorded at point, or NULL. */
const char *checks_capture_file(const struct run *r, const struct sc_point *at);

#endif
