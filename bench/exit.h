/* SPDX-License-Identifier: GPL-2.0 */
/* What `dsrlab` exits with (README.md, "Exit codes"). */
#ifndef DSRLAB_BENCH_EXIT_H
#define DSRLAB_BENCH_EXIT_H

enum run_exit {
	EXIT_PASS = 0,
	EXIT_CHECK_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_SETUP = 3,
	EXIT_SKIPPED = 4,
};

#endif
