/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenario model: what a YAML scenario file says, checked and resolved, before anything
 * touches the kernel. scenario_load() fills it or reports every mistake as
 * "file:line:col: message" with the offending line and a caret.
 */
#ifndef DSRLAB_BENCH_SCENARIO_H
#define DSRLAB_BENCH_SCENARIO_H

#include <stdbool.h>
#include <stdio.h>

#include "common/addr.h"
#include "common/decap_at.h"
#include "common/xdp_mode.h"
#include "common/conn_kind.h"

#define SC_NAME_MAX	32 /* node, traffic, scenario names */
#define SC_IFNAME_MAX	16 /* IFNAMSIZ */
#define SC_MAX_NODES	32
#define SC_MAX_ADDRS	4
#define SC_MAX_LINKS	32
#define SC_MAX_VIPS	16
#define SC_MAX_BACKENDS 16
#define SC_MAX_SERVICES 32
#define SC_MAX_TRAFFIC	16
#define SC_MAX_CAPTURES 16
#define SC_MAX_EXPECTS	128
#define SC_FILTER_MAX	256
#define SC_MAX_PHASES	32
#define SC_COMMAND_MAX	4096 /* a command line, run with /bin/sh -c */
#define SC_OUTPUT_MAX	128 /* expected output text */
#define SC_MAX_ROUTES	16 /* per node */
#define SC_MAX_SYSCTLS	16 /* per node */
#define SC_SYSCTL_MAX	96 /* a sysctl's dotted name */
#define SC_MAX_NICS	4 /* per node */
#define SC_MAX_LBS	4 /* balancer nodes running the same tables */

#define SC_MAX_CAP_POINTS (SC_MAX_CAPTURES + SC_MAX_EXPECTS) /* captures and checks' points */

/* Where in the file a thing was written, for errors found after loading. */
struct sc_mark {
	int line; /* 1-based */
	int col; /* 1-based */
};

enum sc_role { ROLE_CLIENT, ROLE_ROUTER, ROLE_LB, ROLE_HOST, ROLE_CONTAINER };

/* An offload setting: not given (the bench's default, off), off or on. */
enum sc_toggle { SC_TOGGLE_UNSET, SC_TOGGLE_OFF, SC_TOGGLE_ON };

/* One per offload_names[] in bench/scenario_load.c, in that order. */
enum sc_offload { SC_OFF_TX_CSUM, SC_OFF_GRO, SC_OFF_GSO, SC_OFF_TSO, SC_OFF_MAX };

struct sc_offloads {
	/* tx-checksum (the bench's default: off), gro, gso, tso (default: the kernel's) */
	enum sc_toggle v[SC_OFF_MAX];
};

/* An explicit route; it replaces a derived route to the same destination. */
struct sc_route {
	struct ip_prefix to; /* len 0: default */
	struct ip_addr via;
	struct sc_mark mark;
	struct sc_mark to_mark; /* where 'to' is written */
};

struct sc_sysctl {
	char name[SC_SYSCTL_MAX]; /* dotted: net.ipv4.conf.all.rp_filter */
	char value[64];
	struct sc_mark mark;
};

/* An existing interface of dsrlab's namespace, moved into the node under another name. */
struct sc_nic {
	char name[SC_IFNAME_MAX]; /* in the node: eth0 */
	char dev[SC_IFNAME_MAX]; /* in dsrlab's namespace: enp3s0 */
	struct sc_mark mark;
};

struct sc_node {
	char name[SC_NAME_MAX];
	enum sc_role role;
	char host[SC_NAME_MAX]; /* containers: the host node they live on */
	int host_idx; /* containers: that host's index in nodes[]; -1 for other roles */
	bool backend; /* a backend of some VIP of the balancer (as the file lists them) */
	struct ip_prefix addrs[SC_MAX_ADDRS];
	struct sc_mark addr_marks[SC_MAX_ADDRS]; /* where each address is written */
	int n_addrs;
	struct ip_addr gateway4; /* family FAM_NONE when not given */
	struct ip_addr gateway6;
	struct sc_mark mark;
	struct sc_route routes[SC_MAX_ROUTES];
	int n_routes;
	struct sc_sysctl sysctls[SC_MAX_SYSCTLS]; /* written after the bench's own */
	int n_sysctls;
	struct sc_offloads offloads; /* every interface of the node, unless its link says */
	struct sc_nic nics[SC_MAX_NICS];
	int n_nics;
};

struct sc_point {
	char node[SC_NAME_MAX];
	char iface[SC_IFNAME_MAX];
	int node_idx; /* node's index in nodes[] */
};

struct sc_link {
	struct sc_point a, b;
	struct sc_mark mark;
	int mtu; /* both ends; 0: the default */
	bool has_mac_a, has_mac_b;
	__u8 mac_a[6], mac_b[6];
	struct sc_offloads off_a, off_b; /* over the node's */
	bool nic; /* both ends are NICs: nothing to create, the two are wired */
};

enum sc_encap { SC_ENCAP_IPIP, SC_ENCAP_IP6IP6, SC_ENCAP_4IN6, SC_ENCAP_GUE };

struct sc_vip {
	struct endpoint vip;
	enum sc_encap encap;
	char backends[SC_MAX_BACKENDS][SC_NAME_MAX]; /* container node names */
	int backend_idx[SC_MAX_BACKENDS]; /* their indexes in nodes[] */
	int weights[SC_MAX_BACKENDS]; /* 0 to 65535, default 1; 0: drained (no new flows) */
	bool hash_no_ports; /* hash-no-ports: one backend per address pair (fragments too) */
	int n_backends;
	struct sc_mark mark;
};

/* The example chain members of bpf/chain_member.bpf.c. */
enum sc_chain_member {
	SC_CHAIN_COUNT, /* "count": counts every packet (its `seen`), hands it on */
	SC_CHAIN_DROP, /* "drop": counts and drops (a negative control) */
};
#define SC_MAX_CHAIN 7 /* CHAIN_SLOTS - 1: the last slot is the balancer's */

struct sc_balancer {
	bool present;
	char node[SC_NAME_MAX]; /* the first of nodes[] */
	/* node: lb1 or node: [lb1, lb2]: each runs an instance with the same tables */
	char nodes[SC_MAX_LBS][SC_NAME_MAX];
	int node_idx[SC_MAX_LBS]; /* their indexes in the scenario's nodes[] */
	int n_nodes;
	char iface[SC_IFNAME_MAX]; /* default "eth0", on every node */
	enum xdp_mode mode; /* default native */
	int mtu; /* the underlay's IP MTU for the too-big answer; 0: no check */
	struct sc_mark mtu_mark;
	/* Maglev ring slots (a prime) of each balancer, as nodes[]; 0: LB_RING_SIZE_DEFAULT */
	unsigned int ring_size[SC_MAX_LBS];
	bool nexthop_fib; /* nexthop: fib (bpf_fib_lookup) instead of the port's peer */
	/* conn-table: the connection table dsrlab-lb attach --conn-table loads (default sets) */
	enum conn_kind conn_table;
	/* chain: XDP programs before the balancer, slot 0 on (the chain root); none: unchained */
	enum sc_chain_member chain[SC_MAX_CHAIN];
	int n_chain;
	struct sc_mark chain_mark;
	struct sc_vip vips[SC_MAX_VIPS];
	int n_vips;
	__u32 faults; /* LB_CFG_F_FAULT_*: known bugs put back (common/faults.h) */
	struct sc_mark mark;
};

#define SC_MAX_ALLOW 8

struct sc_backend {
	enum decap_at decap; /* default host-veth-egress; DECAP_AT_NONE: none */
	bool strict; /* host-nic only */
	/* the decaps' allow-list of outer sources; none given: every balancer's address */
	struct ip_prefix allow[SC_MAX_ALLOW];
	int n_allow;
	__u32 faults; /* DECAP_F_FAULT_*: known bugs put back (common/faults.h) */
	struct sc_mark mark;
};

enum sc_service_kind {
	SC_SERVICE_ECHO, /* answers each line with "<node> <line>" */
	SC_SERVICE_SINK, /* reads to EOF, answers "<node> <bytes>" (bulk traffic) */
	SC_SERVICE_COMMAND, /* 'command' given: any program, started in the node */
};

struct sc_service {
	char node[SC_NAME_MAX];
	int node_idx;
	struct endpoint listen; /* port required; address may be 0.0.0.0 / :: */
	struct sc_mark listen_mark; /* where 'listen' is written; built-in services */
	enum sc_service_kind kind;
	struct sc_mark mark;
	/* command services: */
	char name[SC_NAME_MAX]; /* log file <node>.<name>.log; default service-<N> */
	char command[SC_COMMAND_MAX]; /* run with /bin/sh -c in the node's namespace */
	int ready_port; /* ready: "tcp:PORT" listening; 0 when not given */
	int ready_timeout_ms; /* default 5000 */
	char user[SC_NAME_MAX]; /* run as this user with no capabilities; "": as root */
};

enum sc_traffic_kind {
	SC_TRAFFIC_REQUESTS, /* request/response against an echo service (TCP or UDP) */
	SC_TRAFFIC_BULK, /* 'bytes' given: one-way TCP transfer to a sink service */
	SC_TRAFFIC_COMMAND, /* 'command' given: a program run in the 'from' node */
};

struct sc_traffic {
	char name[SC_NAME_MAX];
	char from[SC_NAME_MAX];
	int from_idx; /* index in nodes[] */
	struct endpoint to;
	int connections; /* default 10 */
	int concurrency; /* default 1 */
	int timeout_ms; /* per connect and per reply, default 2000 (commands: 10000) */
	struct sc_mark mark;
	enum sc_traffic_kind kind;
	int requests; /* per connection, default 1 */
	int interval_ms; /* between requests on one connection, default 0 */
	int start_ms; /* after the traffic phase starts, default 0 */
	int bytes; /* bulk: bytes per connection */
	char command[SC_COMMAND_MAX];
	int expect_exit; /* command: default 0; -1 for any */
	char expect_output[SC_OUTPUT_MAX]; /* command: "" for no check */
	char user[SC_NAME_MAX]; /* command: as in sc_service */
};

enum sc_phase_kind {
	SC_PHASE_REMOVE_BACKEND, /* {remove-backend: {vip: EP, backend: NODE}} */
	SC_PHASE_ADD_BACKEND, /* {add-backend: {vip: EP, backend: NODE}} */
	SC_PHASE_SET_MTU, /* {set-mtu: {at: NODE:IFACE, mtu: N}} */
	SC_PHASE_REPLACE_DECAP, /* {replace-decap: NODE} the decap serving NODE */
	SC_PHASE_FAIL_BALANCER, /* {fail-balancer: NODE} out of the routers' ECMP, link down */
};

/* A timed action, at_ms after traffic starts; phases are listed in time order. */
struct sc_phase {
	int at_ms;
	enum sc_phase_kind kind;
	int vip; /* remove/add-backend: index in balancer.vips */
	char node[SC_NAME_MAX]; /* remove/add-backend: the backend; replace-decap,
				 * fail-balancer: the node */
	int node_idx; /* node's index in nodes[]; -1 for set-mtu */
	struct sc_point at; /* set-mtu */
	int mtu; /* set-mtu */
	bool flush; /* remove-backend: its flows' connection-table entries go too */
	struct sc_mark mark;
};

struct sc_cap_point {
	struct sc_point at;
	int capture; /* the capture that names it, -1: only checks read it */
};

struct sc_capture {
	struct sc_point at;
	int point; /* index in cap_points */
	char filter[SC_FILTER_MAX]; /* pcap filter applied while capturing; "" for all */
	int snaplen; /* default 262144 */
	struct sc_mark mark;
	struct sc_mark at_mark; /* where its point is written */
};

enum sc_expect_kind {
	SC_EXPECT_ANSWERED, /* {answered: TRAFFIC} every connection got its reply */
	SC_EXPECT_SERVED_BY, /* {served-by: {traffic: T, nodes: [a, b], min: N}} only these
				 * served, each of them at least N connections (default 0) */
	SC_EXPECT_NEVER_SEEN, /* {never-seen: {at: node:iface, src: A, dst: A, filter: F}} */
	SC_EXPECT_SEEN, /* {seen: {at: ..., src/dst/filter, min: N}} at least N packets */
	SC_EXPECT_ENCAPSULATED, /* {encapsulated: {at: node:iface, vip: EP}} each request
				 * to the VIP seen there also leaves it encapsulated */
	SC_EXPECT_DROPS, /* {drops: {at: NODE, reason: R, min: N, max: N}} kernel drops
				 * in NODE (of reason R; default: any but NOT_SPECIFIED) */
	SC_EXPECT_UNBROKEN, /* {unbroken: TRAFFIC} no established connection broke or
				 * moved to another node */
	SC_EXPECT_GOODPUT, /* {goodput: {traffic: T, min-mbps: N}} bulk traffic */
	SC_EXPECT_EXIT, /* {exit: {traffic: T, status: N}} command traffic */
	SC_EXPECT_OUTPUT, /* {output: {traffic: T, contains: S}} command traffic */
	SC_EXPECT_CHAIN_MEMBER, /* {chain-member: {slot: N, min: N}} the balancer's chain
				 * member in slot N ran on at least min packets */
	SC_EXPECT_COUNTER, /* {counter: {of: balancer|decap, node: N, name: C, min: N,
				 * max: N}} a counter of balancer N (default: the sum
				 * over every balancer) or of the decap serving N */
};

struct sc_expect {
	enum sc_expect_kind kind;
	char traffic[SC_NAME_MAX]; /* answered, served-by, unbroken, goodput, exit, output */
	int traffic_idx; /* its index in traffic[]; -1 for other kinds */
	char nodes[SC_MAX_BACKENDS][SC_NAME_MAX]; /* served-by */
	int node_idxs[SC_MAX_BACKENDS]; /* served-by: their indexes in the scenario's nodes[] */
	int n_nodes;
	struct sc_point at; /* never-seen, seen, encapsulated */
	int point; /* never-seen, seen, encapsulated: at's index in cap_points; -1 others */
	struct ip_addr src, dst; /* never-seen, seen: FAM_NONE when not given */
	char filter[SC_FILTER_MAX];
	int min; /* seen: default 1; served-by: per node, default 0 */
	struct endpoint vip; /* encapsulated */
	struct ip_addr outer_src; /* encapsulated: every outer header from here (FAM_NONE: any) */
	struct ip_addr outer_dst; /* encapsulated: ... and to here, when given */
	int outer_encap; /* encapsulated: enum sc_encap of every outer header, -1: any */
	int max_failed; /* answered: connections allowed to fail (default 0) */
	char node[SC_NAME_MAX]; /* drops, counter ("" for every balancer) */
	int node_idx; /* node's index in nodes[]; -1: none given or other kinds */
	int lb; /* counter of a balancer: node's index in balancer.nodes[]; -1: the sum */
	char reason[48]; /* drops: "" for any specified reason */
	int max; /* drops: -1 for no maximum */
	struct sc_mark mark;
	int min_mbps; /* goodput */
	int status; /* exit */
	char contains[SC_OUTPUT_MAX]; /* output */
	/* served-by: percent of the answered connections each of nodes[] served; -1 none */
	int share[SC_MAX_BACKENDS];
	int tolerance; /* served-by share: percentage points either way, default 5 */
	int slot; /* chain-member */
	bool counter_decap; /* counter: of the decap serving node, not of the balancer */
	int counter; /* counter: enum lb_stat or enum decap_stat (common/stat_names.h) */
};

/* bench: the throughput bench's settings (`dsrlab bench`; docs/bench.md). */
enum sc_bench_measure {
	SC_BENCH_BALANCER = 1 << 0, /* the balancer under flood beside an XDP_TX reflector */
	SC_BENCH_DECAP = 1 << 1, /* the decap path beside a no-op TC program */
	SC_BENCH_ATTACH_POINTS = 1 << 2, /* the three decap attach points, same traffic */
	SC_BENCH_GOODPUT = 1 << 3, /* iperf3 TCP through DSR beside the direct path */
};
#define SC_BENCH_MAX_CPUS 16

struct sc_bench {
	bool present;
	unsigned int measure; /* SC_BENCH_*; default: all */
	int duration_ms; /* each measurement (default 2000) */
	int count; /* exact frames per flood measurement instead of a duration; 0 */
	int drain_ms; /* after the generator stops, before the final counters (default 300) */
	int interval_ms; /* sampling (default 1000) */
	int frame; /* bytes per generated frame, FCS excluded (default 64) */
	int flows; /* default 64 */
	int rate; /* frames/s over all generator CPUs; 0: as fast as it goes (default) */
	int rounds; /* each comparison this many times, order alternating (default 1) */
	int cpus[SC_BENCH_MAX_CPUS]; /* generator CPUs; none given: the first CPU */
	int n_cpus;
	struct sc_mark mark;
};

struct scenario {
	char file[256];
	int version; /* 1 */
	char name[SC_NAME_MAX * 2];
	struct sc_node nodes[SC_MAX_NODES];
	int n_nodes;
	struct sc_link links[SC_MAX_LINKS];
	int n_links;
	struct sc_balancer balancer;
	struct sc_backend backend;
	struct sc_service services[SC_MAX_SERVICES];
	int n_services;
	struct sc_traffic traffic[SC_MAX_TRAFFIC];
	int n_traffic;
	struct sc_capture captures[SC_MAX_CAPTURES];
	int n_captures;
	/*
	 * Every point a run captures at, each once: the captures in file order, then each point
	 * a check reads that no capture names. Resolved at load time, like every index above.
	 */
	struct sc_cap_point cap_points[SC_MAX_CAP_POINTS];
	int n_cap_points;
	struct sc_expect expects[SC_MAX_EXPECTS];
	int n_expects;
	struct sc_phase phases[SC_MAX_PHASES];
	int n_phases;
	struct sc_bench bench;
};

/*
 * Load and check a scenario. On error every problem found is written to err (one
 * "file:line:col: message" line each, followed by the source line and a caret) and the
 * return is -EINVAL (-errno when the file cannot be read). Nothing is allocated on return.
 */
int scenario_load(const char *path, struct scenario *sc, FILE *err);

/* The same from memory; name is used in messages. */
int scenario_load_buffer(const char *name, const char *text, size_t len, struct scenario *sc,
			 FILE *err);

/*
 * The offloads of node (an index) and IFACE: per offload its link end's setting, else its node's, else
 * unset. The ethtool name of each is sc_offload_ethtool[].
 */
void scenario_iface_offloads(const struct scenario *sc, int node, const char *iface,
			     struct sc_offloads *out);
extern const char *const sc_offload_ethtool[SC_OFF_MAX];
/* The family of the outer header a VIP's packets travel in. */
__u8 scenario_vip_underlay(const struct sc_vip *v);
/* The data plane's enum encap_type (common/parse.h) of a scenario's encapsulation. */
__u8 scenario_encap_type(enum sc_encap e);
const char *scenario_encap_name(enum sc_encap e);
/* The index of a node in sc->nodes, or -1: for names that come from outside the model. */
int scenario_node_index(const struct scenario *sc, const char *name);
const char *scenario_role_name(enum sc_role role);
const char *scenario_phase_name(enum sc_phase_kind kind);
/*
 * bench/scenario_resolve.c: every name the model refers by, as an index (host_idx,
 * node_idx, backend_idx, traffic_idx, ...), and cap_points; run by the loader once the file
 * loaded cleanly. -EINVAL when a name does not resolve.
 */
int scenario_resolve(struct scenario *sc);

#endif
