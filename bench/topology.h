/* SPDX-License-Identifier: GPL-2.0 */
/* Build and remove a scenario's namespaces, links, addresses and routes. */
#ifndef DSRLAB_BENCH_TOPOLOGY_H
#define DSRLAB_BENCH_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/env.h"

#define TOPO_MAX_IFACES 8

struct topo_iface {
	char name[SC_IFNAME_MAX];
	char peer_node[SC_NAME_MAX]; /* "" for a NIC wired to another machine */
	int peer; /* peer_node's index in the scenario's nodes; -1 for such a NIC */
	char peer_iface[SC_IFNAME_MAX];
	char nic[SC_IFNAME_MAX]; /* a NIC moved in: its name in dsrlab's namespace; else "" */
};

struct topo_node {
	struct topo_iface ifaces[TOPO_MAX_IFACES];
	int n_ifaces;
};

struct topology {
	struct env *env;
	struct topo_node nodes[SC_MAX_NODES];
	bool lb_out[SC_MAX_LBS]; /* balancer k taken out of the routers' routes */
};

/* Make the namespaces (into env) and everything in them; env's error says what failed. */
int topology_up(struct topology *t, struct env *e);
/* Remove whatever topology_up() made, namespaces last. */
void topology_down(struct topology *t);

/* Node's interface called name, or NULL. */
const struct topo_iface *topology_iface(const struct topology *t, int node, const char *name);
/* Route dst via gw in node's namespace (an existing route is fine); sets env's error. */
int topology_route_add(struct topology *t, int node, const struct ip_prefix *dst,
		       const struct ip_addr *gw);
/*
 * Take balancer k (balancer.nodes[k]) out of every router's routes to the VIPs, as when its
 * box dies: each ECMP route is replaced by one over the others. err says what failed.
 */
int topology_balancer_out(struct topology *t, int k, char *err, size_t len);
/* The node's first address of family, or NULL. */
const struct ip_prefix *topology_node_addr(const struct sc_node *n, __u8 family);
/* The MAC of node's IPv4 gateway (resolved by ARP): the next hop past a NIC; sets env's error. */
int topology_gateway_mac(struct topology *t, int node, __u8 mac[6]);
/* The host-side address of a container's veth for container address c. */
struct ip_prefix topology_container_gateway(const struct ip_prefix *c);

#endif
