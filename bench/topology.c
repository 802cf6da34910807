// SPDX-License-Identifier: GPL-2.0
/*
 * Namespaces, veth pairs, addresses, routes and sysctls of a scenario, over netlink.
 *
 * Derived addressing (documented in docs/scenarios.md):
 * - a node's addrs go on its eth0;
 * - a router's interface takes the gateway address its peer names, with the peer's length;
 * - a container is joined to its host by a veth named after the container on the host side
 *   and eth0 inside; the host side takes the first free host address of the container's
 *   subnet and is the container's default gateway;
 * - the router routes each VIP to the balancer and each container subnet to its host.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/topology.h"
#include "common/log.h"
#include "common/netlink.h"
#include "common/netns.h"

static int node_ns_setup(struct run *r, int i)
{
	static const char *const common_sysctls[][2] = {
		{ "net/ipv4/conf/all/rp_filter", "0" },
		{ "net/ipv4/conf/default/rp_filter", "0" },
		{ "net/ipv6/conf/all/accept_dad", "0" },
		{ "net/ipv6/conf/default/accept_dad", "0" },
	};
	static const char *const forward_sysctls[][2] = {
		{ "net/ipv4/ip_forward", "1" },
		{ "net/ipv6/conf/all/forwarding", "1" },
	};
	struct run_node *n = &r->nodes[i];
	bool fwd = n->sc->role == ROLE_ROUTER || n->sc->role == ROLE_HOST;
	struct nl_sock nl;
	unsigned int k;
	int saved, err;

	err = run_enter(r, i, &saved);
	if (err)
		return err;
	for (k = 0; k < sizeof(common_sysctls) / sizeof(common_sysctls[0]) && !err; k++)
		err = sysctl_write(common_sysctls[k][0], common_sysctls[k][1]);
	for (k = 0; fwd && k < sizeof(forward_sysctls) / sizeof(forward_sysctls[0]) && !err; k++)
		err = sysctl_write(forward_sysctls[k][0], forward_sysctls[k][1]);
	if (!err)
		err = nl_open(&nl);
	if (!err) {
		err = nl_link_up(&nl, 1);
		nl_close(&nl);
	}
	netns_leave(saved);
	if (err)
		snprintf(r->error, sizeof(r->error), "set up namespace %s: %s", n->ns,
			 strerror(-err));
	return err;
}

static void iface_note(struct run_node *n, const char *name, const char *peer_node,
		       const char *peer_iface)
{
	struct run_iface *ifc = &n->ifaces[n->n_ifaces++];

	snprintf(ifc->name, sizeof(ifc->name), "%s", name);
	snprintf(ifc->peer_node, sizeof(ifc->peer_node), "%s", peer_node);
	snprintf(ifc->peer_iface, sizeof(ifc->peer_iface), "%s", peer_iface);
}

static int veth_make(struct run *r, int a, const char *ia, int b, const char *ib)
{
	struct nl_sock nl;
	int saved, err;

	if (r->nodes[a].n_ifaces == RUN_MAX_IFACES || r->nodes[b].n_ifaces == RUN_MAX_IFACES)
		return -ENOSPC;
	err = run_enter(r, a, &saved);
	if (err)
		return err;
	err = nl_open(&nl);
	if (!err) {
		err = nl_veth_add(&nl, ia, ib, r->nodes[b].ns_fd);
		nl_close(&nl);
	}
	netns_leave(saved);
	if (err) {
		snprintf(r->error, sizeof(r->error), "create veth %s:%s - %s:%s: %s",
			 r->nodes[a].sc->name, ia, r->nodes[b].sc->name, ib, strerror(-err));
		return err;
	}
	iface_note(&r->nodes[a], ia, r->nodes[b].sc->name, ib);
	iface_note(&r->nodes[b], ib, r->nodes[a].sc->name, ia);
	return 0;
}

/* Up, and tx checksum offload off: XDP on the peer must see finished checksums. */
static int ifaces_up(struct run *r, int i)
{
	struct run_node *n = &r->nodes[i];
	struct nl_sock nl;
	int saved, err, k, idx;

	err = run_enter(r, i, &saved);
	if (err)
		return err;
	err = nl_open(&nl);
	for (k = 0; !err && k < n->n_ifaces; k++) {
		idx = link_index(n->ifaces[k].name);
		err = idx < 0 ? idx : link_tx_csum_off(n->ifaces[k].name);
		if (!err)
			err = nl_link_up(&nl, idx);
		if (err)
			snprintf(r->error, sizeof(r->error), "bring up %s:%s: %s", n->sc->name,
				 n->ifaces[k].name, strerror(-err));
	}
	if (nl.fd >= 0)
		nl_close(&nl);
	netns_leave(saved);
	return err;
}

static int addr_add(struct run *r, int node, const char *ifname, const struct ip_prefix *p)
{
	char buf[ADDR_STRLEN];
	struct nl_sock nl;
	int saved, err, idx;

	err = run_enter(r, node, &saved);
	if (err)
		return err;
	idx = link_index(ifname);
	err = idx < 0 ? idx : nl_open(&nl);
	if (!err) {
		err = nl_addr_add(&nl, idx, p);
		nl_close(&nl);
	}
	netns_leave(saved);
	if (err)
		snprintf(r->error, sizeof(r->error), "add %s to %s:%s: %s",
			 prefix_str(p, buf, sizeof(buf)), r->nodes[node].sc->name, ifname,
			 strerror(-err));
	return err;
}

int topology_route_add(struct run *r, int node, const struct ip_prefix *dst,
		       const struct ip_addr *gw)
{
	char b1[ADDR_STRLEN], b2[ADDR_STRLEN];
	struct nl_sock nl;
	int saved, err;

	err = run_enter(r, node, &saved);
	if (err)
		return err;
	err = nl_open(&nl);
	if (!err) {
		err = nl_route_add(&nl, dst, gw, 0);
		nl_close(&nl);
	}
	netns_leave(saved);
	if (err == -EEXIST)
		err = 0;
	if (err)
		snprintf(r->error, sizeof(r->error), "route %s via %s in %s: %s",
			 prefix_str(dst, b1, sizeof(b1)), addr_str(gw, b2, sizeof(b2)),
			 r->nodes[node].sc->name, strerror(-err));
	return err;
}

/* The host side of a container's veth: first host address of its subnet not its own. */
struct ip_prefix topology_container_gateway(const struct ip_prefix *c)
{
	struct ip_prefix g = prefix_network(c);
	int last = g.addr.family == FAM_IPV6 ? 15 : 3;

	g.addr.bytes[last] += 1;
	if (addr_equal(&g.addr, &c->addr))
		g.addr.bytes[last] += 1;
	return g;
}

const struct ip_prefix *topology_node_addr(const struct sc_node *n, __u8 family)
{
	int i;

	for (i = 0; i < n->n_addrs; i++)
		if (n->addrs[i].addr.family == family)
			return &n->addrs[i];
	return NULL;
}

static int router_addrs(struct run *r, int i)
{
	struct run_node *n = &r->nodes[i];
	const struct ip_addr *gws[2];
	const struct ip_prefix *pa;
	struct ip_prefix p;
	int k, j, peer, err;

	for (k = 0; k < n->n_ifaces; k++) {
		peer = run_node_index(r, n->ifaces[k].peer_node);
		gws[0] = &r->nodes[peer].sc->gateway4;
		gws[1] = &r->nodes[peer].sc->gateway6;
		for (j = 0; j < 2; j++) {
			if (gws[j]->family == FAM_NONE)
				continue;
			pa = topology_node_addr(r->nodes[peer].sc, gws[j]->family);
			if (!pa || !prefix_contains(pa, gws[j]))
				continue;
			p.addr = *gws[j];
			p.len = pa->len;
			err = addr_add(r, i, n->ifaces[k].name, &p);
			if (err)
				return err;
		}
	}
	return 0;
}

static int addresses(struct run *r)
{
	const struct scenario *sc = r->sc;
	struct ip_prefix g;
	int i, k, host, err;

	for (i = 0; i < sc->n_nodes; i++) {
		const struct sc_node *n = &sc->nodes[i];

		for (k = 0; k < n->n_addrs; k++) {
			err = addr_add(r, i, "eth0", &n->addrs[k]);
			if (err)
				return err;
		}
		if (n->role == ROLE_ROUTER) {
			err = router_addrs(r, i);
			if (err)
				return err;
		}
		if (n->role != ROLE_CONTAINER)
			continue;
		host = run_node_index(r, n->host);
		for (k = 0; k < n->n_addrs; k++) {
			g = topology_container_gateway(&n->addrs[k]);
			err = addr_add(r, host, n->name, &g);
			if (!err)
				err = topology_route_add(
					r, i,
					&(struct ip_prefix){ .addr = { .family = g.addr.family } },
					&g.addr);
			if (err)
				return err;
		}
	}
	return 0;
}

static int default_routes(struct run *r)
{
	const struct sc_node *n;
	int i, err = 0;

	for (i = 0; i < r->sc->n_nodes && !err; i++) {
		n = &r->sc->nodes[i];
		if (n->gateway4.family != FAM_NONE)
			err = topology_route_add(
				r, i, &(struct ip_prefix){ .addr = { .family = FAM_IPV4 } },
				&n->gateway4);
		if (!err && n->gateway6.family != FAM_NONE)
			err = topology_route_add(
				r, i, &(struct ip_prefix){ .addr = { .family = FAM_IPV6 } },
				&n->gateway6);
	}
	return err;
}

/* Routers send VIPs to the balancer and container subnets to their hosts. */
static int router_routes(struct run *r)
{
	const struct scenario *sc = r->sc;
	const struct ip_prefix *via;
	struct ip_prefix dst;
	int i, k, v, lb, err;

	lb = sc->balancer.present ? run_node_index(r, sc->balancer.node) : -1;
	for (i = 0; i < sc->n_nodes; i++) {
		if (sc->nodes[i].role != ROLE_ROUTER)
			continue;
		for (v = 0; lb >= 0 && v < sc->balancer.n_vips; v++) {
			dst.addr = sc->balancer.vips[v].vip.addr;
			dst.len = dst.addr.family == FAM_IPV6 ? 128 : 32;
			via = topology_node_addr(&sc->nodes[lb], dst.addr.family);
			if (!via)
				continue;
			err = topology_route_add(r, i, &dst, &via->addr);
			if (err)
				return err;
		}
		for (k = 0; k < sc->n_nodes; k++) {
			const struct sc_node *c = &sc->nodes[k];
			int a;

			if (c->role != ROLE_CONTAINER)
				continue;
			for (a = 0; a < c->n_addrs; a++) {
				via = topology_node_addr(scenario_node(sc, c->host),
							 c->addrs[a].addr.family);
				if (!via)
					continue;
				dst = prefix_network(&c->addrs[a]);
				err = topology_route_add(r, i, &dst, &via->addr);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

int topology_up(struct run *r)
{
	const struct scenario *sc = r->sc;
	int i, a, b, err;

	for (i = 0; i < sc->n_nodes; i++) {
		r->nodes[i].sc = &sc->nodes[i];
		snprintf(r->nodes[i].ns, sizeof(r->nodes[i].ns), RUN_NS_PREFIX "%s-%s", r->id,
			 sc->nodes[i].name);
		r->nodes[i].ns_fd = netns_create(r->nodes[i].ns);
		if (r->nodes[i].ns_fd < 0) {
			err = r->nodes[i].ns_fd;
			snprintf(r->error, sizeof(r->error), "create namespace %s: %s",
				 r->nodes[i].ns, strerror(-err));
			return err;
		}
		err = node_ns_setup(r, i);
		if (err)
			return err;
	}
	for (i = 0; i < sc->n_links; i++) {
		a = run_node_index(r, sc->links[i].a.node);
		b = run_node_index(r, sc->links[i].b.node);
		err = veth_make(r, a, sc->links[i].a.iface, b, sc->links[i].b.iface);
		if (err)
			return err;
	}
	for (i = 0; i < sc->n_nodes; i++) {
		if (sc->nodes[i].role != ROLE_CONTAINER)
			continue;
		err = veth_make(r, run_node_index(r, sc->nodes[i].host), sc->nodes[i].name, i,
				"eth0");
		if (err)
			return err;
	}
	for (i = 0; i < sc->n_nodes; i++) {
		err = ifaces_up(r, i);
		if (err)
			return err;
	}
	err = addresses(r);
	if (!err)
		err = default_routes(r);
	if (!err)
		err = router_routes(r);
	return err;
}

void topology_down(struct run *r)
{
	int i;

	for (i = 0; i < r->sc->n_nodes; i++) {
		if (r->nodes[i].ns_fd < 0)
			continue;
		close(r->nodes[i].ns_fd);
		r->nodes[i].ns_fd = -1;
		if (netns_delete(r->nodes[i].ns))
			pr_warn("remove namespace %s: %m\n", r->nodes[i].ns);
	}
}
