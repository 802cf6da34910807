/* SPDX-License-Identifier: GPL-2.0 */
/* Running the outside tools that draw the pictures (graphviz, gnuplot) and waiting for them. */
#ifndef DSRLAB_BENCH_TOOL_H
#define DSRLAB_BENCH_TOOL_H

/*
 * Run argv[0] (looked up in PATH) with argv, in dir (NULL: here), its stderr into the file
 * log in that folder (NULL: ours). 0 when it exited 0, -ENOENT when it is not installed,
 * -EIO when it failed, another -errno when it could not be started.
 */
int tool_run(const char *dir, const char *log, char *const argv[]);

#endif
