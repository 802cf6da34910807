/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's life on the machine: its id, reserved with a lock that its process holds for as
 * long as the run is alive; a state file beside it; a detached keeper that holds a topology up
 * after `dsrlab up` or `run --keep` returns; and `down` and `clean`, which take runs down by
 * their names (namespaces dsrlab-<id>-*, pins /sys/fs/bpf/dsrlab/<id>) so they work even after
 * the process that made them was killed.
 *
 * Under /run/dsrlab: <id>.lock (flock held by the run's process, or by its keeper) and
 * <id>.state ("key value" lines: pid, scenario, outdir, kept). A lock nobody holds means the
 * run's process is gone and what it left may be removed.
 */
#ifndef DSRLAB_BENCH_LIFECYCLE_H
#define DSRLAB_BENCH_LIFECYCLE_H

#include <stdio.h>
#include <jansson.h>

#include <stdbool.h>

#include "bench/env.h"
#include "bench/exit.h"

#define RUN_STATE_DIR "/run/dsrlab"

/* Pick a fresh id for r, take its lock (held until exit) and write its state. */
int lifecycle_claim(struct env *e);
/* Write the run's state file (after the outdir is made). */
int lifecycle_state_write(struct env *e);
/* After teardown: remove the run's state and lock. */
void lifecycle_release(struct env *e);

/*
 * Fork a detached child (own session) that goes on with the run while this process waits.
 * Returns 0 in the child. In the parent returns 1 with *code the exit code to leave with: the
 * child's own, or the one it passed to lifecycle_keep(). SIGINT/SIGTERM are forwarded.
 */
int lifecycle_detach(int *code);
/*
 * In the detached child: pin what must outlive us, say how to reach and take down the run
 * on f (JSON when json), hand code to the waiting parent, move stdio to <outdir>/keeper.log and
 * wait for SIGINT/SIGTERM. Returns then, and the caller tears down as usual.
 */
void lifecycle_keep(struct env *e, int code, FILE *f, bool json);

/* `dsrlab down ID`: stop its process or keeper, remove what is left. Exit code. */
int lifecycle_down(const char *id);
/*
 * `dsrlab clean`: remove what runs whose process is gone left; all: kept runs too. runs: NULL,
 * or a JSON array that gets {run_id, action, why, pid} per run (clean -j).
 */
int lifecycle_clean(bool all, json_t *runs);

#endif
