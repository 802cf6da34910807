/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One run of a scenario: its id, namespaces, attached programs, services, captures, traffic
 * results and check results. run_scenario() builds, runs, checks and tears down (--keep:
 * not after a failure, until `dsrlab down`); run_up() builds and keeps it up.
 */
#ifndef DSRLAB_BENCH_RUN_H
#define DSRLAB_BENCH_RUN_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>

#include "bench/checks.h"
#include "bench/env.h"
#include "bench/evidence.h"
#include "bench/exit.h"
#include "bench/scenario.h"
#include "lb/lb.h"
#include "backend/decap.h"
#include "bench/capture.h"
#include "bench/drops.h"

#define RUN_MAX_IFACES 8

struct run_iface {
	char name[SC_IFNAME_MAX];
	char peer_node[SC_NAME_MAX]; /* "" for a NIC wired to another machine */
	char peer_iface[SC_IFNAME_MAX];
	char nic[SC_IFNAME_MAX]; /* a NIC moved in: its name in dsrlab's namespace; else "" */
};

struct run_node {
	struct run_iface ifaces[RUN_MAX_IFACES];
	int n_ifaces;
	struct decap *decap; /* decap serving this container, when attached */
	int decap_node; /* where it is attached: the host or the container itself */
	enum decap_at decap_at;
	char decap_iface[SC_IFNAME_MAX];
};

struct run_pool {
	int n;
	int nodes[SC_MAX_BACKENDS]; /* node indexes */
};

/* One balancer node's instance: its own program and maps, the same tables as the others. */
struct run_lb {
	int node; /* node index */
	struct lb *lb;
	enum xdp_mode xdp_mode;
	bool xdp_attached; /* xdp_mode is what was granted */
	bool failed; /* taken out by a fail-balancer phase */
	int pass_link_fd; /* XDP_PASS on the peer of its port */
	void *pass_skel;
	char pin_dir[PATH_MAX]; /* <ENV_PIN_ROOT>/<id>/lb, or lb-<node> with several */
};

struct capture;
struct echo_server;
struct command;

struct run {
	struct env env; /* id, output folder, namespaces, the first error */
	const struct scenario *sc; /* env.sc */
	struct run_node nodes[SC_MAX_NODES];
	struct run_lb lbs[SC_MAX_LBS]; /* balancer.nodes[], in order */
	int n_lbs;
	/* the balancers' IPv4 and IPv6 outer sources, what decap trusts (FAM_NONE: none) */
	struct ip_addr lb_src[SC_MAX_LBS];
	struct ip_addr lb_src6[SC_MAX_LBS];
	struct echo_server *echo[SC_MAX_SERVICES];
	struct command *commands[SC_MAX_SERVICES]; /* command services */
	struct phase_result phases[SC_MAX_PHASES];
	struct run_pool pools[SC_MAX_VIPS]; /* each VIP's current pool, as phases change it */
	struct capture *caps[SC_MAX_CAPTURES + SC_MAX_EXPECTS];
	struct sc_point cap_points[SC_MAX_CAPTURES + SC_MAX_EXPECTS];
	char cap_files[SC_MAX_CAPTURES + SC_MAX_EXPECTS][PATH_MAX];
	struct capture_stats cap_stats[SC_MAX_CAPTURES + SC_MAX_EXPECTS];
	int n_caps;
	struct traffic_result traffic[SC_MAX_TRAFFIC];
	struct drop_tracer *drop_tracer; /* NULL when the kernel would not attach it */
	struct evidence ev; /* collected once, before teardown */
	struct check_result checks[SC_MAX_EXPECTS];
};

struct run_opts {
	const char *outdir; /* NULL: runs/<id> */
	bool json;
	bool keep; /* on a failed check or setup error, keep the run up (lifecycle_keep()) */
};

int run_scenario(const struct scenario *sc, const struct run_opts *opts);
/* Build the topology, roles and services, no traffic, and keep it up in a detached keeper. */
int run_up(const struct scenario *sc, const struct run_opts *opts);

/*
 * Build sc as run does (topology, balancer, decap, services), hand the live run to fn, tear
 * down on every path: fn's exit code, EXIT_SETUP when the build failed (said on stderr).
 * What `dsrlab bench SCENARIO` measures in.
 */
int run_with(const struct scenario *sc, const struct run_opts *o,
	     int (*fn)(struct run *r, void *arg), void *arg);

#endif
