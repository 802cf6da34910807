/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The balancer and backend roles of a run, set up after the topology and torn down before
 * it: each balancer node's own program and maps (XDP on its port, XDP_PASS on the peer, the
 * VIPs and pools), and decap at the scenario's attach point with the VIPs local.
 */
#ifndef DSRLAB_BENCH_ROLES_H
#define DSRLAB_BENCH_ROLES_H

#include <limits.h>
#include <stddef.h>

#include "bench/env.h"
#include "bench/evidence.h"
#include "bench/topology.h"
#include "backend/decap.h"
#include "lb/lb.h"

/* One balancer node's instance: its own program and maps, the same tables as the others. */
struct role_lb {
	int node; /* node index */
	struct lb *lb;
	enum xdp_mode xdp_mode;
	bool xdp_attached; /* xdp_mode is what was granted */
	int pass_link_fd; /* XDP_PASS on the peer of its port */
	void *pass_skel;
	char pin_dir[PATH_MAX]; /* <ENV_PIN_ROOT>/<id>/lb, or lb-<node> with several */
};

/* The decap serving a node. */
struct role_decap {
	struct decap *decap; /* NULL when none is attached */
	int node; /* where it is attached: the host or the container itself */
	enum decap_at at;
	char iface[SC_IFNAME_MAX];
};

struct roles {
	struct env *env;
	struct topology *topo; /* the links the balancers sit on, the routes they need */
	struct role_lb lbs[SC_MAX_LBS]; /* balancer.nodes[], in order */
	int n_lbs;
	/* the balancers' IPv4 and IPv6 outer sources, what decap trusts (FAM_NONE: none) */
	struct ip_addr lb_src[SC_MAX_LBS];
	struct ip_addr lb_src6[SC_MAX_LBS];
	struct role_decap decaps[SC_MAX_NODES];
};

/* Each returns 0 or -errno with env's error set; roles_down() undoes whatever was made. */
int roles_balancer_up(struct roles *ro);
int roles_backends_up(struct roles *ro);
void roles_down(struct roles *ro);

/* Into ev: what is attached where; live: the counters and chain members checks name. */
void roles_collect(const struct roles *ro, struct evidence *ev, bool live);
/* Pin the peers' XDP pass links, so a kept run outlives its keeper's fds; unpin before down. */
int roles_pin_pass_links(const struct roles *ro);
void roles_unpin_pass_links(const struct roles *ro);

/* The balancer index (balancer.nodes[]) running on node, or -1. */
int roles_balancer_of(const struct roles *ro, int node);
/* Give VIP v the pool of these backend nodes on every balancer; err says what failed. */
int roles_pool_set(struct roles *ro, int v, const int *nodes, int n, char *err, size_t len);
/* As dsrlab-lb real del --flush on every balancer: node leaves VIP v's pool, and its flows'
 * connection-table entries go too (they follow the new ring). */
int roles_pool_remove_flush(struct roles *ro, int v, int node, char *err, size_t len);
/* Swap the decap serving node for a fresh program in one step; err says what failed. */
int roles_decap_replace(struct roles *ro, int node, char *err, size_t len);
/* Pin node c's decap maps in the run's pin folder (again after a decap is replaced). */
int roles_decap_pin(const struct roles *ro, int c);

/*
 * Detach node's decap, then (at >= 0, an enum decap_at) attach it at another point: a
 * container at host-veth-egress or container-ingress, a host on its uplink (host-nic,
 * strict, or as the scenario says with roles_decap_move_as). The throughput bench compares
 * the points in one run, then puts the scenario's own placement back.
 */
int roles_decap_move(struct roles *ro, int node, int at);
int roles_decap_move_as(struct roles *ro, int node, int at, bool strict);

#endif
