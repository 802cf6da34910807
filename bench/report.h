/* SPDX-License-Identifier: GPL-2.0 */
/* The run's report: human text, a versioned JSON document (report.json, --json), JUnit XML. */
#ifndef DSRLAB_BENCH_REPORT_H
#define DSRLAB_BENCH_REPORT_H

#include <stdio.h>
#include "bench/run.h"

#define REPORT_VERSION 1

void report_text(const struct run *r, int exit_code, FILE *f);
void report_json(const struct run *r, int exit_code, FILE *f);
/* JUnit XML: the scenario is the suite, each check a case, a setup error an error case. */
void report_junit(const struct run *r, FILE *f);

#endif
