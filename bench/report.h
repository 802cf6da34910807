/* SPDX-License-Identifier: GPL-2.0 */
/* A run's reports (text, JSON, JUnit): functions of (scenario, evidence, check results). */
#ifndef DSRLAB_BENCH_REPORT_H
#define DSRLAB_BENCH_REPORT_H

#include <stdio.h>

#include "bench/checks.h"
#include "bench/evidence.h"
#include "bench/exit.h"
#include "bench/scenario.h"

#define REPORT_VERSION 1

struct report_in {
	const struct scenario *sc;
	const struct evidence *ev;
	const struct check_result *checks; /* sc->n_expects; e NULL: not judged */
};

void report_text(const struct report_in *in, int exit_code, FILE *f);
void report_json(const struct report_in *in, int exit_code, FILE *f);
void report_junit(const struct report_in *in, FILE *f);

#endif
