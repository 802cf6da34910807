/* SPDX-License-Identifier: GPL-2.0 */
/* Build and remove a scenario's namespaces, links, addresses and routes. */
#ifndef DSRLAB_BENCH_TOPOLOGY_H
#define DSRLAB_BENCH_TOPOLOGY_H

#include "bench/run.h"

/* On failure r->error says what failed; topology_down() removes whatever was made. */
int topology_up(struct run *r);
void topology_down(struct run *r);

/* Route dst via gw in node's namespace (an existing route is fine); sets r->error. */
int topology_route_add(struct run *r, int node, const struct ip_prefix *dst,
		       const struct ip_addr *gw);
/*
 * A router's routes to the VIPs: via the balancer, or one ECMP route over every balancer not
 * failed (replace: over the route there); sets r->error.
 */
int topology_vip_routes(struct run *r, int node, bool replace);
/* The node's first address of family, or NULL. */
const struct ip_prefix *topology_node_addr(const struct sc_node *n, __u8 family);
/* The MAC of node's IPv4 gateway (resolved by ARP): the next hop past a NIC; sets r->error. */
int topology_gateway_mac(struct run *r, int node, __u8 mac[6]);
/* The host-side address of a container's veth for container address c. */
struct ip_prefix topology_container_gateway(const struct ip_prefix *c);

#endif
