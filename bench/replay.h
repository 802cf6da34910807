/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dsrlab replay: every packet of a capture through the real balancer (XDP) or decap (TC)
 * with BPF_PROG_RUN, configured from a file in the CLIs' syntax (docs/replay.md); for each
 * packet the verdict, the counters that moved and the resulting frame, written as pcap.
 */
#ifndef DSRLAB_BENCH_REPLAY_H
#define DSRLAB_BENCH_REPLAY_H

#include <stdbool.h>

struct replay_opts {
	const char *prog; /* "lb" or "decap" */
	const char *config;
	const char *in;
	const char *out; /* NULL: no output capture */
	bool json;
};

/* Exit code: 0 every packet was run, 2 bad input (said where), 3 setup, 4 not root. */
int replay_main(const struct replay_opts *o);

#endif
