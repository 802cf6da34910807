/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `dsrlab bench SCENARIO`: in one run of one topology, rates at every stage of the data path
 * beside a baseline measured on the same link in the same run. The live-frames generator
 * (bench/gen.h) floods; per-CPU counters of every stage (generator, balancer, decap, sink)
 * are sampled on the monotonic clock; a drain period precedes the final counters.
 * Measurements: the balancer beside an XDP_TX reflector on its port; the decap path beside a
 * no-op TC program at the same point; the three decap attach points; TCP goodput (iperf3)
 * through DSR beside the direct path. Report: text, JSON, a plot (docs/bench.md).
 */
#ifndef DSRLAB_BENCH_THROUGHPUT_H
#define DSRLAB_BENCH_THROUGHPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "bench/gen.h"
#include "bench/env.h"
#include "bench/evidence.h"
#include "bench/exit.h"
#include "bench/run_stages.h"

#define TPUT_MAX_STAGES	  5
#define TPUT_MAX_SAMPLES  256
#define TPUT_MAX_ROUNDS	  9
#define TPUT_MAX_MEASURES (8 * TPUT_MAX_ROUNDS)
#define TPUT_MAX_COMPARES 6
#define TPUT_MAX_XDP	  8
#define TPUT_MAX_DROPS	  6
#define TPUT_MAX_CAPS	  4

enum tput_kind {
	TPUT_REFLECTOR, /* generator -> XDP_TX reflector on the balancer's port -> sink */
	TPUT_BALANCER, /* generator -> balancer -> sink */
	TPUT_TC_NOOP, /* plain frames -> host -> no-op TC at the decap's point -> tenant socket */
	TPUT_DECAP, /* encapsulated frames -> host -> decap -> tenant socket */
	TPUT_GOODPUT, /* iperf3 TCP, client to the VIP (DSR) or to the tenant (direct) */
};

struct tput_stage {
	char name[24];
	__u64 packets; /* over the measurement, drain included */
	double pps; /* packets over the generator's seconds */
	char cpus[64]; /* CPUs it ran on ("0,1"): where its per-CPU counters grew */
};

/* A kernel drop reason that counted during a measurement. */
struct tput_drop {
	char at[48]; /* node:iface, or node */
	char reason[48];
	__u64 count;
};

/* A capture of the scenario's `capture:` points during a flood (snaplen-limited). */
struct tput_capture {
	char at[48];
	char file[PATH_MAX];
	__u64 written, dropped; /* packets in the file; lost by the capture itself */
};

struct tput_measure {
	enum tput_kind kind;
	char name[48];
	int round; /* 0 to bench.rounds - 1 */
	char path[160]; /* where the traffic went, in words */
	bool ran;
	char error[256]; /* why it did not run */
	struct gen_result gen;
	__u64 rate_target;
	struct tput_stage stages[TPUT_MAX_STAGES];
	int n_stages;
	__u64 good, malformed, other; /* the sink's */
	struct tput_drop drops[TPUT_MAX_DROPS]; /* most counted first; the sink's own left out */
	int n_drops;
	struct tput_capture caps[TPUT_MAX_CAPS];
	int n_caps;
	double t0; /* start, seconds since the bench began */
	int n_samples;
	double sample_t[TPUT_MAX_SAMPLES]; /* end of each interval, seconds since the bench began */
	double sample_pps[TPUT_MAX_SAMPLES][TPUT_MAX_STAGES];
	/* goodput */
	double mbps; /* iperf3's receiver bits per second / 1e6 */
	long long retransmits;
	double seconds;
	char log[PATH_MAX];
};

struct tput_compare {
	char name[48];
	int measured, baseline; /* measure indexes of the round whose ratio is the median */
	double ratio, goal; /* ratio: the median over rounds */
	double rounds[TPUT_MAX_ROUNDS]; /* each round's ratio, in round order */
	int n_rounds;
	bool met;
	char bottleneck[384]; /* when not met: where packets wait or die */
};

struct tput_xdp {
	char at[48]; /* node:iface */
	char program[24];
	char mode[16];
};

struct tput_report {
	const struct run_stages *r;
	struct tput_measure m[TPUT_MAX_MEASURES];
	int n;
	struct tput_compare c[TPUT_MAX_COMPARES];
	int n_c;
	struct tput_xdp xdp[TPUT_MAX_XDP];
	int n_xdp;
	bool corrupted; /* a sink counted a malformed frame */
	char png[PATH_MAX], svg[PATH_MAX]; /* "" when not drawn */
	char plot_error[256];
	int code;
	/* --micro: bench --micro's JSON, written to micro.json in the run folder */
	bool micro;
	int micro_code;
	char micro_file[PATH_MAX];
};

struct micro_opts;

struct tput_opts {
	bool json; /* the JSON document on stdout, the text on stderr */
	const struct micro_opts *micro; /* also the micro-benchmark, in the same report; NULL */
};

/*
 * Every measurement of the scenario's bench settings in the live run r, reported into r's
 * output folder and on stdout; arg is a const struct tput_opts *. Handed to run_with().
 */
int throughput_run(struct run_stages *r, void *arg);

/* bench/throughput_report.c */
void tput_report_text(const struct tput_report *t, FILE *f);
int tput_report_json(const struct tput_report *t, FILE *f);
/* throughput.dat, throughput.gp, and with gnuplot throughput.png and throughput.svg. */
int tput_plot(struct tput_report *t, const char *outdir);

#endif
