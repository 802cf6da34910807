/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One run of a scenario. run_scenario() builds, runs, collects the evidence, checks, reports
 * and tears down (--keep: not after a failure, until `dsrlab down`); run_up() builds and keeps
 * it up. bench/run.c is the only orchestrator: its struct run is private, and the stages it
 * calls (topology, observe, roles, services, traffic and phases on one timeline) share only
 * bench/env.h.
 */
#ifndef DSRLAB_BENCH_RUN_H
#define DSRLAB_BENCH_RUN_H

#include <stdbool.h>

#include "bench/exit.h"
#include "bench/run_stages.h"
#include "bench/scenario.h"

struct run_opts {
	const char *outdir; /* NULL: runs/<id> */
	bool json;
	bool keep; /* on a failed check or setup error, keep the run up (lifecycle_keep()) */
};

int run_scenario(const struct scenario *sc, const struct run_opts *opts);
/* Build the topology, roles and services, no traffic, and keep it up in a detached keeper. */
int run_up(const struct scenario *sc, const struct run_opts *opts);

/*
 * Build sc as run does (topology, balancer, decap, services), hand the live run to fn, tear
 * down on every path: fn's exit code, EXIT_SETUP when the build failed (said on stderr).
 * What `dsrlab bench SCENARIO` measures in.
 */
int run_with(const struct scenario *sc, const struct run_opts *o,
	     int (*fn)(struct run_stages *s, void *arg), void *arg);

#endif
