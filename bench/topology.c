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
 * - the router routes each VIP to the balancer (several: one ECMP route over all of them,
 *   spread by an L4 hash) and each container subnet to its host;
 * - a node's explicit route replaces the derived one to the same destination.
 * A node's NICs (existing interfaces of dsrlab's namespace) are moved in and renamed at the
 * start and moved back under their own names at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/ethtool.h>

#include "bench/topology.h"
#include "common/flow.h"
#include "common/log.h"
#include "common/netlink.h"
#include "common/netns.h"

static int node_ns_setup_here(void *arg)
{
	static const char *const common_sysctls[][2] = {
		{ "net/ipv4/conf/all/rp_filter", "0" },
		{ "net/ipv4/conf/default/rp_filter", "0" },
		{ "net/ipv6/conf/all/accept_dad", "0" },
		{ "net/ipv6/conf/default/accept_dad", "0" },
		/*
		 * One client address makes all of a traffic item's connections. An active close
		 * holds its port in TIME_WAIT for 60 s, so the default range (28 232 ports) runs
		 * out past ~470 connections/s to one VIP:port and connect() fails with
		 * EADDRNOTAVAIL. Real traffic comes from many addresses; a load generator from one
		 * widens the range and reuses TIME_WAIT ports (safely: timestamps, after 1 s).
		 */
		{ "net/ipv4/ip_local_port_range", "1024 65535" },
		{ "net/ipv4/tcp_tw_reuse", "1" },
	};
	static const char *const forward_sysctls[][2] = {
		{ "net/ipv4/ip_forward", "1" },
		{ "net/ipv6/conf/all/forwarding", "1" },
	};
	/* ECMP over several balancers by L4 hash, so that flows spread across them */
	static const char *const router_sysctls[][2] = {
		{ "net/ipv4/fib_multipath_hash_policy", "1" },
		{ "net/ipv6/fib_multipath_hash_policy", "1" },
	};
	const struct sc_node *n = arg;
	bool fwd = n->role == ROLE_ROUTER || n->role == ROLE_HOST;
	bool router = n->role == ROLE_ROUTER;
	struct nl_sock nl;
	unsigned int k;
	int err = 0;

	for (k = 0; k < sizeof(common_sysctls) / sizeof(common_sysctls[0]) && !err; k++)
		err = sysctl_write(common_sysctls[k][0], common_sysctls[k][1]);
	for (k = 0; fwd && k < sizeof(forward_sysctls) / sizeof(forward_sysctls[0]) && !err; k++)
		err = sysctl_write(forward_sysctls[k][0], forward_sysctls[k][1]);
	for (k = 0; router && k < sizeof(router_sysctls) / sizeof(router_sysctls[0]) && !err; k++)
		err = sysctl_write(router_sysctls[k][0], router_sysctls[k][1]);
	if (!err)
		err = nl_open(&nl);
	if (!err) {
		err = nl_link_up(&nl, 1);
		nl_close(&nl);
	}
	return err;
}

static int node_ns_setup(struct topology *t, int i)
{
	int err = env_run(t->env, i, node_ns_setup_here, (void *)t->env->nodes[i].sc);

	if (err)
		env_failf(t->env, err, "set up namespace %s: %s", t->env->nodes[i].ns,
			  strerror(-err));
	return err;
}

/* A peer's index and name (-1: none) on an interface of ours. */
static void iface_peer(struct topology *t, struct topo_iface *ifc, int peer, const char *peer_iface)
{
	ifc->peer = peer;
	snprintf(ifc->peer_node, sizeof(ifc->peer_node), "%s",
		 peer < 0 ? "" : t->env->nodes[peer].sc->name);
	snprintf(ifc->peer_iface, sizeof(ifc->peer_iface), "%s", peer_iface);
}

static void iface_note(struct topology *t, int node, const char *name, int peer,
		       const char *peer_iface)
{
	struct topo_node *n = &t->nodes[node];
	struct topo_iface *ifc = &n->ifaces[n->n_ifaces++];

	snprintf(ifc->name, sizeof(ifc->name), "%s", name);
	iface_peer(t, ifc, peer, peer_iface);
}

struct veth_job {
	const char *name, *peer;
	int peer_ns_fd;
};

static int veth_add_here(void *arg)
{
	const struct veth_job *j = arg;
	struct nl_sock nl;
	int err;

	err = nl_open(&nl);
	if (!err) {
		err = nl_veth_add(&nl, j->name, j->peer, j->peer_ns_fd);
		nl_close(&nl);
	}
	return err;
}

static int veth_make(struct topology *t, int a, const char *ia, int b, const char *ib)
{
	struct veth_job j = { .name = ia, .peer = ib, .peer_ns_fd = t->env->nodes[b].ns_fd };
	const char *na = t->env->nodes[a].sc->name, *nb = t->env->nodes[b].sc->name;
	int err;

	if (t->nodes[a].n_ifaces == TOPO_MAX_IFACES || t->nodes[b].n_ifaces == TOPO_MAX_IFACES)
		return -ENOSPC;
	err = env_run(t->env, a, veth_add_here, &j);
	if (err)
		return env_failf(t->env, err, "create veth %s:%s - %s:%s: %s", na, ia, nb, ib,
				 nl_strerror(err));
	iface_note(t, a, ia, b, ib);
	iface_note(t, b, ib, a, ia);
	return 0;
}

static struct topo_iface *iface_find(struct topo_node *n, const char *name)
{
	int k;

	for (k = 0; k < n->n_ifaces; k++)
		if (!strcmp(n->ifaces[k].name, name))
			return &n->ifaces[k];
	return NULL;
}

/* Move node i's NICs in from dsrlab's namespace, under their names in the node. */
static int nics_in(struct topology *t, int i)
{
	struct topo_node *n = &t->nodes[i];
	const struct sc_node *sn = t->env->nodes[i].sc;
	const struct sc_nic *nic = NULL;
	struct nl_sock nl;
	int k, idx, err;

	err = nl_open(&nl);
	for (k = 0; !err && k < sn->n_nics; k++) {
		nic = &sn->nics[k];
		if (n->n_ifaces == TOPO_MAX_IFACES) {
			err = -ENOSPC;
			break;
		}
		idx = link_index(nic->dev);
		err = idx < 0 ? idx : nl_link_move(&nl, idx, t->env->nodes[i].ns_fd, nic->name);
		if (err)
			break;
		iface_note(t, i, nic->name, -1, "");
		snprintf(n->ifaces[n->n_ifaces - 1].nic, SC_IFNAME_MAX, "%s", nic->dev);
	}
	nl_close(&nl);
	if (err)
		env_failf(t->env, err, "bind NIC %s as %s:%s: %s%s", nic ? nic->dev : "", sn->name,
			  nic ? nic->name : "", nl_strerror(err),
			  err == -ENODEV ? " (no such interface in dsrlab's namespace)" : "");
	return err;
}

struct nics_out_job {
	const char *node;
	struct topo_node *n;
	int home; /* dsrlab's own namespace */
};

static int nics_out_here(void *arg)
{
	struct nics_out_job *j = arg;
	struct topo_node *n = j->n;
	int k, idx, err;
	struct nl_sock nl;

	err = nl_open(&nl);
	for (k = 0; !err && k < n->n_ifaces; k++) {
		if (!n->ifaces[k].nic[0])
			continue;
		idx = link_index(n->ifaces[k].name);
		if (idx > 0)
			nl_link_down(&nl, idx);
		if (idx < 0 || nl_link_move(&nl, idx, j->home, n->ifaces[k].nic))
			pr_warn("move NIC %s:%s back as %s: %m\n", j->node, n->ifaces[k].name,
				n->ifaces[k].nic);
		n->ifaces[k].nic[0] = '\0';
	}
	nl_close(&nl);
	return 0;
}

/* Move node i's NICs back, down, under their own names; the kernel drops their addresses. */
static void nics_out(struct topology *t, int i)
{
	struct nics_out_job j = { .node = t->env->nodes[i].sc->name, .n = &t->nodes[i] };

	j.home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (j.home < 0)
		return;
	env_run(t->env, i, nics_out_here, &j);
	close(j.home);
}

/* Two NICs wired together: nothing to make, but each is the other's peer. */
static void nic_link(struct topology *t, const struct sc_link *l)
{
	struct topo_iface *a, *b;

	a = iface_find(&t->nodes[l->a.node_idx], l->a.iface);
	b = iface_find(&t->nodes[l->b.node_idx], l->b.iface);
	if (!a || !b)
		return;
	iface_peer(t, a, l->b.node_idx, l->b.iface);
	iface_peer(t, b, l->a.node_idx, l->a.iface);
}

struct link_set_job {
	const char *ifname;
	int mtu;
	const __u8 *mac;
};

static int link_set_here(void *arg)
{
	const struct link_set_job *j = arg;
	struct nl_sock nl;
	int err, idx;

	idx = link_index(j->ifname);
	err = idx < 0 ? idx : nl_open(&nl);
	if (!err) {
		if (j->mtu)
			err = nl_link_set_mtu(&nl, idx, j->mtu);
		if (!err && j->mac)
			err = nl_link_set_mac(&nl, idx, j->mac);
		nl_close(&nl);
	}
	return err;
}

/* A link end's MTU and MAC, before it comes up. */
static int link_end_set(struct topology *t, int node, const char *ifname, int mtu, const __u8 *mac)
{
	struct link_set_job j = { .ifname = ifname, .mtu = mtu, .mac = mac };
	int err;

	if (!mtu && !mac)
		return 0;
	err = env_run(t->env, node, link_set_here, &j);
	if (err)
		env_failf(t->env, err, "set %s%s%s of %s:%s: %s", mtu ? "MTU" : "",
			  mtu && mac ? " and " : "", mac ? "MAC" : "", t->env->nodes[node].sc->name,
			  ifname, nl_strerror(err));
	return err;
}

static int link_make(struct topology *t, const struct sc_link *l)
{
	int a = l->a.node_idx, b = l->b.node_idx, err;

	if (l->nic) {
		nic_link(t, l);
		return 0;
	}
	err = veth_make(t, a, l->a.iface, b, l->b.iface);
	if (!err)
		err = link_end_set(t, a, l->a.iface, l->mtu, l->has_mac_a ? l->mac_a : NULL);
	if (!err)
		err = link_end_set(t, b, l->b.iface, l->mtu, l->has_mac_b ? l->mac_b : NULL);
	return err;
}

/* The ethtool set command of each enum sc_offload. */
static const __u32 link_offloads[SC_OFF_MAX] = {
	[SC_OFF_TX_CSUM] = ETHTOOL_STXCSUM,
	[SC_OFF_GRO] = ETHTOOL_SGRO,
	[SC_OFF_GSO] = ETHTOOL_SGSO,
	[SC_OFF_TSO] = ETHTOOL_STSO,
};

/*
 * "ff,ffffffff"-style mask of every online CPU, as rps_cpus takes it (32-bit groups, most
 * significant first).
 */
static void cpu_mask_all(char *buf, size_t len)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t used = 0;
	long g;

	if (cpus < 1)
		cpus = 1;
	for (g = (cpus - 1) / 32; g >= 0 && used < len; g--) {
		long bits = cpus - g * 32 > 32 ? 32 : cpus - g * 32;
		unsigned int word = bits == 32 ? 0xffffffffu : (1u << bits) - 1;

		used += snprintf(buf + used, len - used, g ? "%x," : "%x", word);
	}
}

/*
 * Receive packet steering on the veths of the nodes where TCP ends (clients, hosts,
 * containers): each flow's packets are processed on one CPU, chosen by the flow's hash, as
 * a real NIC's RSS does. Without it a veth processes every packet on the CPU that sent it,
 * so a flow's handshake ACK (sent from the CPU that took the SYN-ACK) and its first data
 * segment (sent from the client thread's CPU) can meet the server's socket tables on two CPUs
 * at once; the kernel answers such a race, rarely, with a reset (docs/scenarios.md,
 * "Per-flow CPU"). A real deployment does not see it, so the bench must not.
 */
static int iface_rps(struct topology *t, int i, const char *ifname)
{
	const struct env_node *n = &t->env->nodes[i];
	char path[96], mask[64];
	int err;

	if (n->sc->role != ROLE_CLIENT && n->sc->role != ROLE_HOST && n->sc->role != ROLE_CONTAINER)
		return 0;
	cpu_mask_all(mask, sizeof(mask));
	snprintf(path, sizeof(path), "class/net/%s/queues/rx-0/rps_cpus", ifname);
	err = netns_sysfs_write(n->ns_fd, path, mask);
	if (err)
		env_failf(t->env, err, "steer %s:%s's flows to one CPU each (rps_cpus): %s",
			  n->sc->name, ifname, strerror(-err));
	return err;
}

/*
 * Up, and tx checksum offload off unless the scenario turns it on: XDP on the peer must see
 * finished checksums. NICs keep their own setting unless the scenario gives one.
 */
struct ifaces_up_job {
	struct topology *t;
	int node;
};

static int ifaces_up_here(void *arg)
{
	struct ifaces_up_job *j = arg;
	struct topo_node *n = &j->t->nodes[j->node];
	struct sc_offloads off;
	struct nl_sock nl;
	int err, k, idx, o;

	err = nl_open(&nl);
	if (err)
		return env_failf(j->t->env, err, "bring up %s: netlink: %s",
				 j->t->env->nodes[j->node].sc->name, strerror(-err));
	for (k = 0; !err && k < n->n_ifaces; k++) {
		scenario_iface_offloads(j->t->env->sc, j->node, n->ifaces[k].name, &off);
		idx = link_index(n->ifaces[k].name);
		err = idx < 0 ? idx : 0;
		/* tx checksum off on veths unless asked (the CHECKSUM_PARTIAL trap); a NIC's
		 * offloads and the rest stay as the kernel has them unless the scenario says */
		if (!err && !off.v[SC_OFF_TX_CSUM] && !n->ifaces[k].nic[0])
			off.v[SC_OFF_TX_CSUM] = SC_TOGGLE_OFF;
		for (o = 0; !err && o < SC_OFF_MAX; o++)
			if (off.v[o])
				err = link_offload_set(n->ifaces[k].name, link_offloads[o],
						       off.v[o] == SC_TOGGLE_ON);
		if (!err)
			err = nl_link_up(&nl, idx);
		if (err)
			env_failf(j->t->env, err, "bring up %s:%s: %s",
				  j->t->env->nodes[j->node].sc->name, n->ifaces[k].name,
				  nl_strerror(err));
	}
	nl_close(&nl);
	return err;
}

static int ifaces_up(struct topology *t, int i)
{
	struct topo_node *n = &t->nodes[i];
	int err, k;

	err = env_run(t->env, i, ifaces_up_here, &(struct ifaces_up_job){ .t = t, .node = i });
	for (k = 0; !err && k < n->n_ifaces; k++)
		if (!n->ifaces[k].nic[0])
			err = iface_rps(t, i, n->ifaces[k].name);
	return err;
}

struct addr_job {
	const char *ifname;
	const struct ip_prefix *p;
};

static int addr_add_here(void *arg)
{
	const struct addr_job *j = arg;
	struct nl_sock nl;
	int err, idx;

	idx = link_index(j->ifname);
	err = idx < 0 ? idx : nl_open(&nl);
	if (!err) {
		err = nl_addr_add(&nl, idx, j->p);
		nl_close(&nl);
	}
	return err;
}

static int addr_add(struct topology *t, int node, const char *ifname, const struct ip_prefix *p)
{
	char buf[ADDR_STRLEN];
	int err;

	err = env_run(t->env, node, addr_add_here, &(struct addr_job){ .ifname = ifname, .p = p });
	if (err)
		env_failf(t->env, err, "add %s to %s:%s: %s", prefix_str(p, buf, sizeof(buf)),
			  t->env->nodes[node].sc->name, ifname, nl_strerror(err));
	return err;
}

struct sysctls_job {
	const struct sc_node *n;
	int k; /* the one that failed */
};

static int node_sysctls_here(void *arg)
{
	struct sysctls_job *j = arg;
	char path[SC_SYSCTL_MAX], *p;
	int err = 0;

	for (j->k = 0; j->k < j->n->n_sysctls; j->k++) {
		snprintf(path, sizeof(path), "%s", j->n->sysctls[j->k].name);
		for (p = path; *p; p++)
			if (*p == '.')
				*p = '/';
		err = sysctl_write(path, j->n->sysctls[j->k].value);
		if (err)
			break;
	}
	return err;
}

/* The scenario's own sysctls of node i, after the bench's defaults so they override. */
static int node_sysctls(struct topology *t, int i)
{
	struct sysctls_job j = { .n = t->env->nodes[i].sc };
	int err;

	if (!j.n->n_sysctls)
		return 0;
	err = env_run(t->env, i, node_sysctls_here, &j);
	if (err && j.k < j.n->n_sysctls)
		env_failf(t->env, err, "sysctl %s = %s in %s: %s", j.n->sysctls[j.k].name,
			  j.n->sysctls[j.k].value, j.n->name, strerror(-err));
	return err;
}

struct route_job {
	const struct ip_prefix *dst;
	const struct ip_addr *gws;
	int n; /* 0: one plain route via gws[0] */
	bool replace;
};

static int route_add_here(void *arg)
{
	const struct route_job *j = arg;
	struct nl_sock nl;
	int err;

	err = nl_open(&nl);
	if (err)
		return err;
	if (j->n)
		err = nl_route_add_multipath(&nl, j->dst, j->gws, j->n, j->replace);
	else
		err = nl_route_add(&nl, j->dst, j->gws, 0);
	nl_close(&nl);
	return err;
}

int topology_route_add(struct topology *t, int node, const struct ip_prefix *dst,
		       const struct ip_addr *gw)
{
	char b1[ADDR_STRLEN], b2[ADDR_STRLEN];
	int err;

	err = env_run(t->env, node, route_add_here, &(struct route_job){ .dst = dst, .gws = gw });
	if (err == -EEXIST)
		err = 0;
	if (err)
		env_failf(t->env, err, "route %s via %s in %s: %s", prefix_str(dst, b1, sizeof(b1)),
			  addr_str(gw, b2, sizeof(b2)), t->env->nodes[node].sc->name,
			  nl_strerror(err));
	return err;
}

/* Does node give its own route to dst? Then the derived one stays out. */
static bool route_explicit(const struct topology *t, int node, const struct ip_prefix *dst)
{
	const struct sc_node *n = t->env->nodes[node].sc;
	int k;

	for (k = 0; k < n->n_routes; k++)
		if (n->routes[k].to.len == dst->len &&
		    addr_equal(&n->routes[k].to.addr, &dst->addr))
			return true;
	return false;
}

/* A derived route, unless the node gives its own route to the same destination. */
static int derived_route_add(struct topology *t, int node, const struct ip_prefix *dst,
			     const struct ip_addr *gw)
{
	return route_explicit(t, node, dst) ? 0 : topology_route_add(t, node, dst, gw);
}

static int explicit_routes(struct topology *t)
{
	const struct sc_node *n;
	int i, k, err = 0;

	for (i = 0; i < t->env->sc->n_nodes && !err; i++) {
		n = &t->env->sc->nodes[i];
		for (k = 0; k < n->n_routes && !err; k++)
			err = topology_route_add(t, i, &n->routes[k].to, &n->routes[k].via);
	}
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

static int router_addrs(struct topology *t, int i)
{
	struct topo_node *n = &t->nodes[i];
	const struct ip_addr *gws[2];
	const struct ip_prefix *pa;
	struct ip_prefix p;
	int k, j, peer, err;

	for (k = 0; k < n->n_ifaces; k++) {
		peer = n->ifaces[k].peer;
		if (peer < 0) /* a NIC wired to another machine */
			continue;
		gws[0] = &t->env->nodes[peer].sc->gateway4;
		gws[1] = &t->env->nodes[peer].sc->gateway6;
		for (j = 0; j < 2; j++) {
			if (gws[j]->family == FAM_NONE)
				continue;
			pa = topology_node_addr(t->env->nodes[peer].sc, gws[j]->family);
			if (!pa || !prefix_contains(pa, gws[j]))
				continue;
			p.addr = *gws[j];
			p.len = pa->len;
			err = addr_add(t, i, n->ifaces[k].name, &p);
			if (err)
				return err;
		}
	}
	return 0;
}

static int addresses(struct topology *t)
{
	const struct scenario *sc = t->env->sc;
	struct ip_prefix g;
	int i, k, host, err;

	for (i = 0; i < sc->n_nodes; i++) {
		const struct sc_node *n = &sc->nodes[i];

		for (k = 0; k < n->n_addrs; k++) {
			err = addr_add(t, i, "eth0", &n->addrs[k]);
			if (err)
				return err;
		}
		if (n->role == ROLE_ROUTER) {
			err = router_addrs(t, i);
			if (err)
				return err;
		}
		if (n->role != ROLE_CONTAINER)
			continue;
		host = n->host_idx;
		for (k = 0; k < n->n_addrs; k++) {
			g = topology_container_gateway(&n->addrs[k]);
			err = addr_add(t, host, n->name, &g);
			if (!err)
				err = derived_route_add(
					t, i,
					&(struct ip_prefix){ .addr = { .family = g.addr.family } },
					&g.addr);
			if (err)
				return err;
		}
	}
	return 0;
}

static int default_routes(struct topology *t)
{
	const struct sc_node *n;
	int i, err = 0;

	for (i = 0; i < t->env->sc->n_nodes && !err; i++) {
		n = &t->env->sc->nodes[i];
		if (n->gateway4.family != FAM_NONE)
			err = derived_route_add(
				t, i, &(struct ip_prefix){ .addr = { .family = FAM_IPV4 } },
				&n->gateway4);
		if (!err && n->gateway6.family != FAM_NONE)
			err = derived_route_add(
				t, i, &(struct ip_prefix){ .addr = { .family = FAM_IPV6 } },
				&n->gateway6);
	}
	return err;
}

/* A router's route to a VIP over several balancers: one ECMP route, replaced as they fail. */
static int vip_multipath(struct topology *t, int node, const struct ip_prefix *dst,
			 const struct ip_addr *gws, int n, bool replace)
{
	struct route_job j = { .dst = dst, .gws = gws, .n = n, .replace = replace };
	char b1[ADDR_STRLEN];
	int err;

	if (route_explicit(t, node, dst))
		return 0;
	err = env_run(t->env, node, route_add_here, &j);
	if (err)
		env_failf(t->env, err, "ECMP route %s over %d balancers in %s: %s",
			  prefix_str(dst, b1, sizeof(b1)), n, t->env->nodes[node].sc->name,
			  nl_strerror(err));
	return err;
}

/* A router's routes to the VIPs: via the balancers not taken out (replace: the route there). */
static int vip_routes(struct topology *t, int node, bool replace)
{
	const struct sc_balancer *b = &t->env->sc->balancer;
	struct ip_addr gws[SC_MAX_LBS];
	const struct ip_prefix *via;
	struct ip_prefix dst;
	int v, k, n, err;

	for (v = 0; b->present && v < b->n_vips; v++) {
		dst.addr = b->vips[v].vip.addr;
		dst.len = dst.addr.family == FAM_IPV6 ? 128 : 32;
		for (k = 0, n = 0; k < b->n_nodes; k++) {
			via = topology_node_addr(&t->env->sc->nodes[b->node_idx[k]],
						 dst.addr.family);
			if (via && !t->lb_out[k])
				gws[n++] = via->addr;
		}
		if (!n)
			continue;
		if (b->n_nodes == 1)
			err = derived_route_add(t, node, &dst, &gws[0]);
		else
			err = vip_multipath(t, node, &dst, gws, n, replace);
		if (err)
			return err;
	}
	return 0;
}

/* Routers send VIPs to the balancers and container subnets to their hosts. */
static int router_routes(struct topology *t)
{
	const struct scenario *sc = t->env->sc;
	const struct ip_prefix *via;
	struct ip_prefix dst;
	int i, k, err;

	for (i = 0; i < sc->n_nodes; i++) {
		if (sc->nodes[i].role != ROLE_ROUTER)
			continue;
		err = vip_routes(t, i, false);
		if (err)
			return err;
		for (k = 0; k < sc->n_nodes; k++) {
			const struct sc_node *c = &sc->nodes[k];
			int a;

			if (c->role != ROLE_CONTAINER)
				continue;
			for (a = 0; a < c->n_addrs; a++) {
				via = topology_node_addr(&sc->nodes[c->host_idx],
							 c->addrs[a].addr.family);
				if (!via)
					continue;
				dst = prefix_network(&c->addrs[a]);
				err = derived_route_add(t, i, &dst, &via->addr);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

int topology_up(struct topology *t, struct env *e)
{
	const struct scenario *sc = e->sc;
	int i, err;

	memset(t, 0, sizeof(*t));
	t->env = e;
	for (i = 0; i < sc->n_nodes; i++) {
		struct env_node *en = &t->env->nodes[i];

		snprintf(en->ns, sizeof(en->ns), ENV_NS_PREFIX "%s-%s", t->env->id,
			 sc->nodes[i].name);
		en->ns_fd = netns_create(en->ns);
		if (en->ns_fd < 0) {
			err = en->ns_fd;
			en->ns_fd = -1;
			return env_failf(t->env, err, "create namespace %s: %s", en->ns,
					 strerror(-err));
		}
		err = node_ns_setup(t, i);
		if (!err)
			err = nics_in(t, i);
		if (err)
			return err;
	}
	for (i = 0; i < sc->n_links; i++) {
		err = link_make(t, &sc->links[i]);
		if (err)
			return err;
	}
	for (i = 0; i < sc->n_nodes; i++) {
		if (sc->nodes[i].role != ROLE_CONTAINER)
			continue;
		err = veth_make(t, sc->nodes[i].host_idx, sc->nodes[i].name, i, "eth0");
		if (err)
			return err;
	}
	for (i = 0; i < sc->n_nodes; i++) {
		err = ifaces_up(t, i);
		if (!err)
			err = node_sysctls(t, i);
		if (err)
			return err;
	}
	err = addresses(t);
	if (!err)
		err = default_routes(t);
	if (!err)
		err = router_routes(t);
	if (!err)
		err = explicit_routes(t);
	return err;
}

int topology_balancer_out(struct topology *t, int k, char *err, size_t len)
{
	const struct scenario *sc = t->env->sc;
	int i, ret;

	t->lb_out[k] = true;
	for (i = 0; i < sc->n_nodes; i++) {
		if (sc->nodes[i].role != ROLE_ROUTER)
			continue;
		ret = vip_routes(t, i, true);
		if (ret) {
			snprintf(err, len, "take %s out of the routes of %s: %s",
				 sc->balancer.nodes[k], sc->nodes[i].name, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

const struct topo_iface *topology_iface(const struct topology *t, int node, const char *name)
{
	return iface_find((struct topo_node *)&t->nodes[node], name);
}

void topology_down(struct topology *t)
{
	int i;

	for (i = 0; i < t->env->sc->n_nodes; i++) {
		struct env_node *en = &t->env->nodes[i];

		if (en->ns_fd < 0)
			continue;
		nics_out(t, i);
		close(en->ns_fd);
		en->ns_fd = -1;
		if (netns_delete(en->ns))
			pr_warn("remove namespace %s: %m\n", en->ns);
	}
}

/* The node's IPv4 gateway: 'gateway', else the 'via' of its default route. */
static const struct ip_addr *gateway4_of(const struct sc_node *n)
{
	int k;

	if (n->gateway4.family == FAM_IPV4)
		return &n->gateway4;
	for (k = 0; k < n->n_routes; k++)
		if (!n->routes[k].to.len && n->routes[k].via.family == FAM_IPV4)
			return &n->routes[k].via;
	return NULL;
}

/* A complete entry for ip in the calling thread's ARP table. */
static bool arp_lookup(const char *ip, __u8 mac[6])
{
	char line[256], a[64], hw[64];
	unsigned int flags, m[6];
	bool found = false;
	FILE *f = fopen("/proc/thread-self/net/arp", "r");
	int k;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %*s %x %63s", a, &flags, hw) != 3 || strcmp(a, ip) ||
		    !(flags & 0x2) ||
		    sscanf(hw, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
			continue;
		for (k = 0; k < 6; k++)
			mac[k] = m[k];
		found = true;
	}
	fclose(f);
	return found;
}

struct arp_job {
	const struct ip_addr *gw;
	__u8 *mac;
};

/* A datagram to the discard port makes the kernel resolve the gateway. */
static int gateway_resolve_here(void *arg)
{
	const struct arp_job *j = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9) };
	char ip[ADDR_STRLEN];
	int fd, tries, err = -EHOSTUNREACH;

	addr_str(j->gw, ip, sizeof(ip));
	memcpy(&sa.sin_addr, j->gw->bytes, 4);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (tries = 0; fd >= 0 && tries < 40 && err; tries++) {
		if (arp_lookup(ip, j->mac)) {
			err = 0;
			break;
		}
		sendto(fd, "", 0, 0, (struct sockaddr *)&sa, sizeof(sa));
		usleep(50 * 1000);
	}
	if (fd >= 0)
		close(fd);
	return err;
}

int topology_gateway_mac(struct topology *t, int node, __u8 mac[6])
{
	const struct sc_node *n = t->env->nodes[node].sc;
	const struct ip_addr *gw = gateway4_of(n);
	char ip[ADDR_STRLEN];
	int err;

	if (!gw)
		return env_failf(t->env, -EINVAL,
				 "%s: a NIC with no peer in the scenario needs an IPv4 gateway, "
				 "the next hop of what the balancer sends",
				 n->name);
	err = env_run(t->env, node, gateway_resolve_here,
		      &(struct arp_job){ .gw = gw, .mac = mac });
	if (err == -EHOSTUNREACH)
		env_failf(t->env, err, "%s: the gateway %s did not answer ARP", n->name,
			  addr_str(gw, ip, sizeof(ip)));
	else if (err)
		env_fail(t->env, err, "enter namespace");
	return err;
}
