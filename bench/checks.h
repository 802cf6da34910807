/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A scenario's expectations judged on a run's evidence: a pure function of (scenario,
 * evidence), so every check kind is tested on synthetic evidence (tests/unit/test_checks.c).
 */
#ifndef DSRLAB_BENCH_CHECKS_H
#define DSRLAB_BENCH_CHECKS_H

#include "bench/evidence.h"
#include "bench/scenario.h"

struct check_result {
	const struct sc_expect *e;
	bool pass;
	char summary[256]; /* what was checked, in words */
	char evidence[512]; /* what was seen */
};

/* Judge sc's expectations on ev into out[0 .. sc->n_expects - 1]; returns how many failed. */
int checks_run(const struct scenario *sc, const struct evidence *ev, struct check_result *out);

#endif
