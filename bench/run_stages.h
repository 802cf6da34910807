/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A live run's stages, as bench/run.c's run_with() hands them to what measures in a built
 * topology (`dsrlab bench`): each driven through its own API, never through struct run.
 */
#ifndef DSRLAB_BENCH_RUN_STAGES_H
#define DSRLAB_BENCH_RUN_STAGES_H

struct env;
struct evidence;
struct observe;
struct roles;
struct topology;

struct run_stages {
	struct env *env;
	struct topology *topo;
	struct observe *obs;
	struct roles *roles;
	const struct evidence *ev; /* the machine: kernel, CPU model and count */
};

#endif
