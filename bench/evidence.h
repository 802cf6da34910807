/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything a run saw, collected once before teardown (bench/run.c): traffic and phase
 * results, captures, counters of each balancer and decap, kernel drops, and live reads such
 * as the chain members' counters. Checks (checks.h) and reports (report.h) are functions of
 * (scenario, evidence) alone, so they run, and are tested, without a run or root.
 */
#ifndef DSRLAB_BENCH_EVIDENCE_H
#define DSRLAB_BENCH_EVIDENCE_H

#include <limits.h>
#include <stdbool.h>
#include <time.h>
#include <linux/types.h>

#include "bench/capture.h"
#include "bench/env.h"
#include "bench/scenario.h"
#include "backend/decap.h"
#include "lb/lb.h"

#define EV_MAX_DROPS	128
#define EV_MAX_CAPTURES SC_MAX_CAP_POINTS /* ev->caps[i] is sc->cap_points[i] */

struct conn_result {
	bool answered;
	int served_by; /* node index, -1 */
	unsigned int usec;
	char error[64];
	int requests_answered; /* of sc_traffic.requests */
	bool established; /* the first request was answered */
	bool broken; /* established, then a request failed (reset, timeout) */
	int moved_to; /* node index that answered a later request, -1 */
	long long bytes; /* bulk: bytes the sink acknowledged */
};

struct traffic_result {
	const struct sc_traffic *t;
	struct conn_result *conns; /* NULL: the traffic did not run */
	int sent, answered;
	double seconds;
	int broken; /* established connections that broke or moved */
	int not_attempted; /* left untried: nothing was answered for a whole timeout */
	long long requests; /* answered requests, over all connections */
	double goodput_mbps; /* bulk: acknowledged bytes over the traffic's time */
	int exit_status; /* command: exit status, -1 killed or not run */
	char output[256]; /* command: the start of its output */
	char log[PATH_MAX]; /* command: where its output is */
};

/* A timed action of the scenario as it happened. */
struct phase_result {
	bool ran, done;
	double at_ms; /* when it ran, after traffic start */
	char error[192];
};

struct ev_drop {
	int node;
	char iface[SC_IFNAME_MAX]; /* "" when the packet had no device */
	char reason[48];
	__u64 count;
};

struct ev_capture {
	struct sc_point at;
	char file[PATH_MAX];
	struct capture_stats stats;
};

/* One balancer instance, balancer.nodes[] order. */
struct ev_lb {
	bool attached; /* mode is what the kernel granted */
	enum xdp_mode mode;
	char conn_table[8]; /* the loaded connection table, lb_conn_table_name(); "" unknown */
	bool stats_valid;
	struct lb_counter stats[LB_STAT_MAX];
	/* the chain members' `seen` counters, for the slots chain-member checks name */
	__u64 chain_seen[SC_MAX_CHAIN + 1];
	int chain_err[SC_MAX_CHAIN + 1]; /* 0: chain_seen read */
};

/* The decap serving a node, when one was attached. */
struct ev_decap {
	char iface[SC_IFNAME_MAX]; /* "" when none */
	int node; /* where it is attached: the host or the container itself */
	enum decap_at at;
	__u64 stats[DECAP_STAT_MAX];
};

struct evidence {
	char id[ENV_ID_LEN];
	char outdir[PATH_MAX];
	char error[512]; /* the setup failure, "" when none */
	char kernel[128];
	char cpu[128]; /* model name */
	long ncpu;
	char hostname[65];
	time_t started; /* wall clock when the run started (junit.xml's timestamp) */
	__u64 started_usec; /* env_clock_usec() then */
	double seconds; /* from the start until the report was written */
	struct traffic_result traffic[SC_MAX_TRAFFIC];
	char *command_output[SC_MAX_TRAFFIC]; /* command traffic's log (malloc'd), or NULL */
	struct phase_result phases[SC_MAX_PHASES];
	struct ev_capture caps[EV_MAX_CAPTURES];
	int n_caps;
	struct ev_lb lbs[SC_MAX_LBS];
	int n_lbs;
	struct ev_decap decaps[SC_MAX_NODES];
	bool drops_traced;
	struct ev_drop drops[EV_MAX_DROPS];
	int n_drops;
};

/* Balancer k's counters (k -1: summed over every balancer) into out; false when not read. */
bool evidence_lb_stats(const struct evidence *ev, int k, struct lb_counter out[LB_STAT_MAX]);
/* The capture at sc->cap_points[point], or NULL when none was taken. */
const struct ev_capture *evidence_capture(const struct evidence *ev, int point);
/* Free what collecting allocated (command output; traffic conns belong to the traffic). */
void evidence_free(struct evidence *ev);

#endif
