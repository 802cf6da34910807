// SPDX-License-Identifier: GPL-2.0
/*
 * The roles of a run's nodes: the balancer (XDP on its port, XDP_PASS on the peer, VIPs and
 * pools), the backends (decap at the scenario's attach point, VIPs on lo); services are bench/services.c.
 * Each *_up() records what it made in struct roles, and roles_down() undoes exactly that.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench/roles.h"
#include "common/path.h"
#include "common/log.h"
#include "common/netlink.h"
#include "common/netns.h"
#include "common/parse.h"
#include "pass.skel.h"

#define PASS_LINK_PIN "xdp_pass_link"
#include "chain_member.skel.h"

struct pass_job {
	struct role_lb *l;
	const char *iface;
};

static int pass_attach_here(void *arg)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = XDP_FLAGS_DRV_MODE);
	struct pass_job *j = arg;
	struct pass_bpf *skel = j->l->pass_skel;
	int idx = link_index(j->iface);

	j->l->pass_link_fd = idx < 0 ? idx :
				       bpf_link_create(bpf_program__fd(skel->progs.xdp_pass), idx,
						       BPF_XDP, &opts);
	return j->l->pass_link_fd < 0 ? (idx < 0 ? idx : -errno) : 0;
}

/* XDP_TX out of a veth is delivered only when its peer runs XDP: give the peer XDP_PASS. */
static int pass_on_peer(struct roles *ro, struct role_lb *l, int node, const char *iface)
{
	int err;

	l->pass_skel = pass_bpf__open_and_load();
	if (!l->pass_skel)
		return env_fail(ro->env, -errno, "load the XDP pass program");
	err = env_run(ro->env, node, pass_attach_here, &(struct pass_job){ l, iface });
	if (err)
		return env_fail(ro->env, err, "attach XDP pass on the balancer's peer");
	return 0;
}

/* A VIP and its pool: each backend container's address in the VIP's underlay family. */
static int vip_up(struct roles *ro, struct lb *lb, const struct sc_vip *v)
{
	struct lb_backend pool[SC_MAX_BACKENDS];
	__u8 fam = scenario_vip_underlay(v), encap = scenario_encap_type(v->encap);
	__u32 flags = v->hash_no_ports ? VIP_F_HASH_NO_PORTS : 0;
	char vs[ADDR_STRLEN];
	int k, err;

	for (k = 0; k < v->n_backends; k++) {
		const struct ip_prefix *a =
			topology_node_addr(&ro->env->sc->nodes[v->backend_idx[k]], fam);

		if (!a)
			return env_failf(
				ro->env, -EINVAL, "VIP %s: backend %s has no IPv%d address",
				endpoint_str(&v->vip, vs, sizeof(vs)), v->backends[k], fam);
		pool[k].addr = a->addr;
		pool[k].weight = v->weights[k];
	}
	err = lb_vip_check(lb, &v->vip, encap, flags, pool, v->n_backends);
	if (!err)
		err = lb_vip_add(lb, &v->vip, encap, flags);
	if (!err)
		err = lb_vip_set_backends(lb, &v->vip, pool, v->n_backends);
	if (err)
		return env_failf(ro->env, err, "VIP %s (%s): refused by the balancer: %s",
				 endpoint_str(&v->vip, vs, sizeof(vs)), lb_encap_name(encap),
				 strerror(-err));
	return 0;
}

/* The balancer's chain members (bpf/chain_member.bpf.c), slot 0 on, before it. */
static int chain_up(struct roles *ro, struct lb *lb)
{
	static const char *const progs[] = {
		[SC_CHAIN_COUNT] = "chain_count", [SC_CHAIN_DROP] = "chain_drop"
	};
	const struct sc_balancer *b = &ro->env->sc->balancer;
	const void *obj;
	size_t size;
	int i, err;

	obj = chain_member_bpf__elf_bytes(&size);
	for (i = 0; i < b->n_chain; i++) {
		err = lb_chain_member_load_mem(lb, i, obj, size, "chain_member", progs[b->chain[i]],
					       false);
		if (err)
			return env_failf(
				ro->env, err,
				"put chain member %s in slot %d: %s (see the message above)",
				progs[b->chain[i]], i, strerror(-err));
	}
	return 0;
}

/*
 * nexthop: fib. The balancer's namespace routes the encapsulated frames: the first frame to a
 * next hop without a neighbour entry goes to its kernel, which must forward it.
 */
static int fib_forwarding_here(void *arg)
{
	int err;

	(void)arg;
	err = sysctl_write("net/ipv4/ip_forward", "1");
	if (!err)
		err = sysctl_write("net/ipv6/conf/all/forwarding", "1");
	return err;
}

static int fib_forwarding_on(struct roles *ro, int node)
{
	int err = env_run(ro->env, node, fib_forwarding_here, NULL);

	return err ? env_fail(ro->env, err, "turn on forwarding for the FIB next hop") : 0;
}

struct link_job {
	const char *ifname;
	__u8 *mac; /* link_mac_here() */
	struct role_lb *l; /* lb_attach_here() */
	enum xdp_mode mode;
};

static int link_mac_here(void *arg)
{
	struct link_job *j = arg;

	return link_mac(j->ifname, j->mac);
}

static int lb_attach_here(void *arg)
{
	struct link_job *j = arg;
	int idx = link_index(j->ifname);

	return idx < 0 ? idx : lb_attach(j->l->lb, idx, j->mode, &j->l->xdp_mode);
}

/*
 * One balancer node's instance: its own program and maps, on its own port, filled with the
 * scenario's VIPs and pools. Every instance gets the same tables, so the same Maglev ring:
 * a flow that moves from one balancer to another keeps its backend.
 */
static int balancer_up(struct roles *ro, int k)
{
	const struct sc_balancer *b = &ro->env->sc->balancer;
	struct role_lb *l = &ro->lbs[k];
	struct lb_config cfg = {};
	const struct ip_prefix *src4, *src6;
	const struct topo_iface *ifc = NULL;
	int node = b->node_idx[k], peer, i, err;
	enum xdp_mode mode = b->mode;

	l->node = node;
	ifc = topology_iface(ro->topo, node, b->iface);
	src4 = topology_node_addr(ro->env->nodes[node].sc, FAM_IPV4);
	src6 = topology_node_addr(ro->env->nodes[node].sc, FAM_IPV6);
	if (!ifc || (!src4 && !src6))
		return env_failf(ro->env, -EINVAL, "balancer %s needs an address and a link on %s",
				 b->nodes[k], b->iface);
	/* The balancer's own addresses are the outer sources, and what decap trusts. */
	if (src4) {
		ro->lb_src[k] = src4->addr;
		memcpy(&cfg.src_v4, src4->addr.bytes, 4);
	}
	if (src6) {
		ro->lb_src6[k] = src6->addr;
		memcpy(cfg.src_v6, src6->addr.bytes, 16);
	}
	cfg.gue_port = GUE_PORT_DEFAULT;
	cfg.flags |= b->faults;
	cfg.mtu = b->mtu;
	if (b->nexthop_fib) {
		err = fib_forwarding_on(ro, node);
		if (err)
			return err;
		cfg.flags |= LB_CFG_F_FIB;
	}
	peer = ifc->peer;
	if (peer < 0) { /* a NIC wired to another machine: the next hop is the gateway */
		err = topology_gateway_mac(ro->topo, node, cfg.nexthop_mac);
		if (err)
			return err;
		goto load;
	}
	err = pass_on_peer(ro, l, peer, ifc->peer_iface);
	if (err)
		return err;

	/* The next hop of every encapsulated frame is the peer of the balancer's port. */
	err = env_run(ro->env, peer, link_mac_here,
		      &(struct link_job){ .ifname = ifc->peer_iface, .mac = cfg.nexthop_mac });
	if (err)
		return env_fail(ro->env, err, "read the next hop's MAC");

load:
	err = lb_load_with(&l->lb, &(struct lb_load_opts){ .chain = b->n_chain > 0,
							   .ring_size = b->ring_size[k],
							   .conn_kind = b->conn_table });
	if (err)
		return env_fail(ro->env, err, "load the balancer");
	err = chain_up(ro, l->lb);
	if (err)
		return err;
	err = lb_config_set(l->lb, &cfg);
	if (err)
		return env_fail(ro->env, err, "configure the balancer");
	for (i = 0; i < b->n_vips; i++) {
		err = vip_up(ro, l->lb, &b->vips[i]);
		if (err)
			return err;
	}

	err = env_run(ro->env, node, lb_attach_here,
		      &(struct link_job){ .ifname = b->iface, .l = l, .mode = mode });
	if (err)
		return env_fail(ro->env, err, "attach the balancer (see the message above)");
	l->xdp_attached = true;
	/* one balancer keeps the plain name, so tools and tests that know it still work */
	if (b->n_nodes == 1)
		snprintf(l->pin_dir, sizeof(l->pin_dir), ENV_PIN_ROOT "/%s/lb", ro->env->id);
	else
		snprintf(l->pin_dir, sizeof(l->pin_dir), ENV_PIN_ROOT "/%s/lb-%s", ro->env->id,
			 b->nodes[k]);
	err = lb_pin(l->lb, l->pin_dir);
	if (err)
		return env_fail(ro->env, err, "pin the balancer's maps");
	return 0;
}

int roles_balancer_up(struct roles *ro)
{
	int k, err;

	for (k = 0; k < ro->env->sc->balancer.n_nodes; k++) {
		ro->lbs[k].pass_link_fd = -1;
		ro->n_lbs = k + 1; /* what roles_down() undoes */
		err = balancer_up(ro, k);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The underlay families a node receives encapsulated packets in, a bit each (1: IPv4, 2:
 * IPv6): those of the VIPs it serves (a container), or that are served on it (a host). A
 * dual-stack container behind an IPIP VIP and an IP6IP6 VIP takes both.
 */
static unsigned int node_underlays(const struct roles *ro, int node)
{
	const struct scenario *sc = ro->env->sc;
	const struct sc_balancer *b = &sc->balancer;
	unsigned int fams = 0;
	int v, k, c;

	for (v = 0; v < b->n_vips; v++) {
		for (k = 0; k < b->vips[v].n_backends; k++) {
			c = b->vips[v].backend_idx[k];
			if (c == node || sc->nodes[c].host_idx == node)
				fams |= scenario_vip_underlay(&b->vips[v]) == FAM_IPV6 ? 2 : 1;
		}
	}
	return fams ? fams : 1;
}

struct decap_job {
	struct role_decap *n;
	struct decap_opts *o;
};

static int decap_attach_here(void *arg)
{
	struct decap_job *j = arg;

	j->o->ifindex = link_index(j->n->iface);
	return j->o->ifindex < 0 ? j->o->ifindex : decap_attach(&j->n->decap, j->o);
}

struct decap_pin_job {
	const struct roles *ro;
	const struct role_decap *n;
};

static int decap_pin_here(void *arg)
{
	const struct decap_pin_job *j = arg;
	char dir[PATH_MAX];
	int err;

	err = decap_pin_dir(dir, sizeof(dir), j->ro->env->nodes[j->n->node].ns, j->n->iface,
			    j->n->at);
	return err ? err : decap_pin(j->n->decap, dir);
}

int roles_decap_pin(const struct roles *ro, int c)
{
	const struct role_decap *n = &ro->decaps[c];

	return env_run(ro->env, n->node, decap_pin_here,
		       &(struct decap_pin_job){ .ro = ro, .n = n });
}

/*
 * Attach decap for node c at node at_node's interface iface, and pin its maps in the run's
 * pin folder (ENV_PIN_ROOT/<id>/decap/<node>-<iface>-<point>), where `dsrlab-backend stats
 * --netns dsrlab-<id>-<node> ...` finds them while the run is up.
 */
static int decap_attach_at(struct roles *ro, int c, int at_node, const char *iface,
			   struct decap_opts *o)
{
	struct role_decap *n = &ro->decaps[c];
	char dir[PATH_MAX];
	int err;

	snprintf(n->iface, sizeof(n->iface), "%s", iface);
	n->node = at_node;
	n->at = o->at;
	err = env_run(ro->env, at_node, decap_attach_here, &(struct decap_job){ n, o });
	if (err) {
		n->iface[0] = '\0';
		return env_fail(ro->env, err, "attach decap");
	}
	snprintf(dir, sizeof(dir), ENV_PIN_ROOT "/%s", ro->env->id);
	err = path_mkdir_p(dir, 0700);
	if (!err)
		err = roles_decap_pin(ro, c);
	return err ? env_fail(ro->env, err, "pin the decap's maps") : 0;
}

/* The decaps' pins of the run, however they got there (dsrlab-backend attach included). */
static int rm_decap_pin(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void decap_pins_remove(const struct roles *ro)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), ENV_PIN_ROOT "/%s/decap", ro->env->id);
	nftw(dir, rm_decap_pin, 8, FTW_DEPTH | FTW_PHYS);
}

/*
 * Decap for one node: a container at host-veth-egress or container-ingress, or a host at
 * host-nic (its uplink, eth0). It serves the node's own address and trusts the balancers
 * (or the scenario's backend.allow).
 */
static int decap_up(struct roles *ro, int c, enum decap_at at, bool strict)
{
	const struct sc_node *n = ro->env->nodes[c].sc;
	const struct sc_backend *be = &ro->env->sc->backend;
	struct ip_prefix allow[2 * SC_MAX_LBS + SC_MAX_ALLOW];
	struct decap_opts o = { .allow = allow, .at = at };
	unsigned int fams = node_underlays(ro, c);
	int k, f;

	for (f = 0; f < 2; f++) {
		__u8 fam = f ? FAM_IPV6 : FAM_IPV4;
		const struct ip_prefix *serve;
		int had = o.n_allow;

		if (!(fams & (1u << f)))
			continue;
		serve = topology_node_addr(n, fam);
		if (!serve)
			return env_failf(ro->env, -EINVAL, "decap for %s: it has no IPv%d address",
					 n->name, fam);
		o.serve[o.n_serve++] = serve->addr;
		/* the scenario's allow-list, else every balancer: a flow may come through any */
		for (k = 0; k < be->n_allow; k++)
			if (be->allow[k].addr.family == fam)
				allow[o.n_allow++] = be->allow[k];
		for (k = 0; !be->n_allow && k < ro->n_lbs; k++) {
			allow[o.n_allow].addr = f ? ro->lb_src6[k] : ro->lb_src[k];
			allow[o.n_allow].len = f ? 128 : 32;
			o.n_allow += allow[o.n_allow].addr.family != FAM_NONE;
		}
		if (o.n_allow == had) { /* no balancer: trust an unset address, as decap alone */
			memset(&allow[o.n_allow], 0, sizeof(allow[0]));
			allow[o.n_allow++].len = f ? 128 : 32;
		}
	}
	o.gue_port = GUE_PORT_DEFAULT;
	o.faults = be->faults;
	switch (at) {
	case DECAP_AT_HOST_VETH_EGRESS:
		return decap_attach_at(ro, c, n->host_idx, n->name, &o);
	case DECAP_AT_CONTAINER_INGRESS:
		return decap_attach_at(ro, c, c, "eth0", &o);
	case DECAP_AT_HOST_NIC:
		o.strict = strict;
		return decap_attach_at(ro, c, c, "eth0", &o);
	default:
		return -EINVAL;
	}
}

/*
 * The legacy design: decap on the host's uplink. Without strict it strips every packet, so
 * the host is left with the VIP alone; the best an operator can do is route each VIP to one
 * of its containers on the host, which is wrong as soon as two tenants share a VIP:port.
 * With strict it strips only what is addressed to the host; tenant traffic routes on to the
 * container, where the per-container decap (host-veth-egress) strips it.
 */
static int host_nic_up(struct roles *ro)
{
	const struct sc_balancer *b = &ro->env->sc->balancer;
	const struct ip_prefix *ca;
	struct ip_prefix vip;
	int i, v, k, c, err;

	for (i = 0; i < ro->env->sc->n_nodes; i++) {
		if (ro->env->sc->nodes[i].role != ROLE_HOST)
			continue;
		err = decap_up(ro, i, DECAP_AT_HOST_NIC, ro->env->sc->backend.strict);
		if (err)
			return err;
		for (v = 0; !ro->env->sc->backend.strict && v < b->n_vips; v++) {
			for (k = 0; k < b->vips[v].n_backends; k++) {
				c = b->vips[v].backend_idx[k];
				if (ro->env->sc->nodes[c].host_idx != i)
					continue;
				ca = topology_node_addr(ro->env->nodes[c].sc, FAM_IPV4);
				vip.addr = b->vips[v].vip.addr;
				vip.len = 32;
				err = ca ? topology_route_add(ro->topo, i, &vip, &ca->addr) :
					   -EINVAL;
				if (err)
					return err;
				break; /* one route per VIP: the host cannot tell tenants apart */
			}
		}
	}
	return 0;
}

static int vip_local_here(void *arg)
{
	return backend_vip_add(arg);
}

int roles_backends_up(struct roles *ro)
{
	const struct sc_balancer *b = &ro->env->sc->balancer;
	enum decap_at at = ro->env->sc->backend.decap;
	int i, v, k, err;

	if (at == DECAP_AT_HOST_NIC) {
		err = host_nic_up(ro);
		if (err)
			return err;
	}
	for (i = 0; i < ro->env->sc->n_nodes; i++) {
		if (!ro->env->sc->nodes[i].backend)
			continue;
		if (at == DECAP_AT_HOST_VETH_EGRESS ||
		    (at == DECAP_AT_HOST_NIC && ro->env->sc->backend.strict))
			err = decap_up(ro, i, DECAP_AT_HOST_VETH_EGRESS, false);
		else if (at == DECAP_AT_CONTAINER_INGRESS)
			err = decap_up(ro, i, DECAP_AT_CONTAINER_INGRESS, false);
		else
			err = 0;
		if (err)
			return err;
		/* Every VIP this container serves is local to it. */
		for (v = 0; v < b->n_vips; v++) {
			for (k = 0; k < b->vips[v].n_backends; k++) {
				if (b->vips[v].backend_idx[k] != i)
					continue;
				err = env_run(ro->env, i, vip_local_here,
					      (void *)&b->vips[v].vip.addr);
				if (err)
					return env_fail(ro->env, err, "make the VIP local");
			}
		}
	}
	return 0;
}

static void balancer_down(struct role_lb *l)
{
	lb_close(l->lb); /* closing the link detaches XDP */
	l->lb = NULL;
	if (l->pin_dir[0]) {
		lb_unpin(l->pin_dir);
		*strrchr(l->pin_dir, '/') = '\0';
		rmdir(l->pin_dir); /* fails while another balancer's pins are there */
		l->pin_dir[0] = '\0';
	}
	if (l->pass_link_fd >= 0)
		close(l->pass_link_fd);
	l->pass_link_fd = -1;
	pass_bpf__destroy(l->pass_skel);
	l->pass_skel = NULL;
}

static int decap_detach_here(void *arg)
{
	decap_detach(arg);
	return 0;
}

int roles_decap_move_as(struct roles *ro, int node, int at, bool strict)
{
	struct role_decap *n = &ro->decaps[node];

	if (n->decap) {
		if (env_run(ro->env, n->node, decap_detach_here, n->decap))
			decap_release(n->decap);
		n->decap = NULL;
		n->iface[0] = '\0';
	}
	return at < 0 ? 0 : decap_up(ro, node, at, strict);
}

int roles_decap_move(struct roles *ro, int node, int at)
{
	return roles_decap_move_as(ro, node, at, true);
}

void roles_down(struct roles *ro)
{
	int i;

	for (i = 0; i < ro->env->sc->n_nodes; i++) {
		struct role_decap *n = &ro->decaps[i];

		if (!n->decap)
			continue;
		if (env_run(ro->env, n->node, decap_detach_here, n->decap))
			decap_release(n->decap);
		n->decap = NULL;
	}
	decap_pins_remove(ro);
	for (i = 0; i < ro->n_lbs; i++) /* n_lbs stays: the report names them */
		balancer_down(&ro->lbs[i]);
}

/* The pin of balancer k's XDP pass link: the first keeps the name one balancer had. */
static void pass_link_path(const struct roles *ro, int k, char *path, size_t len)
{
	if (!k)
		snprintf(path, len, ENV_PIN_ROOT "/%s/" PASS_LINK_PIN, ro->env->id);
	else
		snprintf(path, len, ENV_PIN_ROOT "/%s/" PASS_LINK_PIN "-%s", ro->env->id,
			 ro->env->sc->balancer.nodes[k]);
}

int roles_pin_pass_links(const struct roles *ro)
{
	char path[PATH_MAX];
	int k;

	snprintf(path, sizeof(path), ENV_PIN_ROOT "/%s", ro->env->id);
	if (ro->n_lbs && mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	for (k = 0; k < ro->n_lbs; k++) {
		if (ro->lbs[k].pass_link_fd < 0)
			continue;
		pass_link_path(ro, k, path, sizeof(path));
		if (bpf_obj_pin(ro->lbs[k].pass_link_fd, path))
			return -errno;
	}
	return 0;
}

void roles_unpin_pass_links(const struct roles *ro)
{
	char path[PATH_MAX];
	int k, n = 0;

	for (k = 0; k < ro->n_lbs; k++) {
		pass_link_path(ro, k, path, sizeof(path));
		n += !unlink(path);
	}
	if (!n)
		return;
	snprintf(path, sizeof(path), ENV_PIN_ROOT "/%s", ro->env->id);
	rmdir(path); /* fails while the balancer's pins are there: roles_down() removes it */
}

static void lb_collect(const struct roles *ro, int k, struct ev_lb *e, bool live)
{
	const struct scenario *sc = ro->env->sc;
	const struct role_lb *l = &ro->lbs[k];
	struct lb_status st;
	int i, slot;

	e->attached = l->xdp_attached;
	e->mode = l->xdp_mode;
	for (slot = 0; slot <= SC_MAX_CHAIN; slot++)
		e->chain_err[slot] = -ENOENT;
	if (!live || !l->lb)
		return;
	if (!lb_status_get(l->lb, &st))
		snprintf(e->conn_table, sizeof(e->conn_table), "%s", lb_conn_table_name(&st));
	e->stats_valid = !lb_stats_read(l->lb, e->stats);
	for (i = 0; i < sc->n_expects; i++) {
		slot = sc->expects[i].slot;
		if (sc->expects[i].kind == SC_EXPECT_CHAIN_MEMBER && slot >= 0 &&
		    slot <= SC_MAX_CHAIN)
			e->chain_err[slot] =
				lb_chain_member_read(l->lb, slot, "seen", &e->chain_seen[slot]);
	}
}

void roles_collect(const struct roles *ro, struct evidence *ev, bool live)
{
	int i;

	for (i = 0; i < SC_MAX_LBS; i++)
		lb_collect(ro, i, &ev->lbs[i], live && i < ro->n_lbs);
	ev->n_lbs = ro->n_lbs;
	for (i = 0; i < ro->env->sc->n_nodes; i++) {
		const struct role_decap *n = &ro->decaps[i];

		if (!n->iface[0])
			continue;
		snprintf(ev->decaps[i].iface, sizeof(ev->decaps[i].iface), "%s", n->iface);
		ev->decaps[i].node = n->node;
		ev->decaps[i].at = n->at;
		if (live && n->decap)
			decap_stats_read(n->decap, ev->decaps[i].stats);
	}
}

int roles_balancer_of(const struct roles *ro, int node)
{
	int k;

	for (k = 0; k < ro->n_lbs; k++)
		if (ro->lbs[k].node == node)
			return k;
	return -1;
}

int roles_pool_set(struct roles *ro, int v, const int *nodes, int n, char *err, size_t len)
{
	struct lb_backend b[SC_MAX_BACKENDS];
	const struct ip_prefix *a;
	int k, i, ret = 0;

	if (!ro->n_lbs) {
		snprintf(err, len, "no balancer is running");
		return -ENOENT;
	}
	for (k = 0; k < n; k++) {
		a = topology_node_addr(ro->env->nodes[nodes[k]].sc, FAM_IPV4);
		if (!a) {
			snprintf(err, len, "backend %s has no IPv4 address",
				 ro->env->sc->nodes[nodes[k]].name);
			return -EINVAL;
		}
		b[k].addr = a->addr;
		b[k].weight = 1;
	}
	/* every balancer, failed ones too: the same tables everywhere */
	for (i = 0; i < ro->n_lbs && !ret; i++)
		ret = lb_vip_set_backends(ro->lbs[i].lb, &ro->env->sc->balancer.vips[v].vip, b, n);
	if (ret)
		snprintf(err, len, "set the pool of balancer %s: %s",
			 ro->env->sc->balancer.nodes[i - 1], strerror(-ret));
	return ret;
}

int roles_pool_remove_flush(struct roles *ro, int v, int node, char *err, size_t len)
{
	const struct ip_prefix *a = topology_node_addr(ro->env->nodes[node].sc, FAM_IPV4);
	int i, ret = 0;

	if (!a) {
		snprintf(err, len, "backend %s has no IPv4 address", ro->env->sc->nodes[node].name);
		return -EINVAL;
	}
	for (i = 0; i < ro->n_lbs && !ret; i++)
		ret = lb_real_del(ro->lbs[i].lb, &ro->env->sc->balancer.vips[v].vip, &a->addr,
				  true);
	if (ret)
		snprintf(err, len, "remove %s from balancer %s, flushing its flows: %s",
			 ro->env->sc->nodes[node].name, ro->env->sc->balancer.nodes[i - 1],
			 strerror(-ret));
	return ret;
}

static int decap_replace_here(void *arg)
{
	return decap_replace(arg);
}

int roles_decap_replace(struct roles *ro, int node, char *err, size_t len)
{
	const struct role_decap *n = &ro->decaps[node];
	int ret;

	if (!n->decap) {
		snprintf(err, len, "no decap serves %s", ro->env->sc->nodes[node].name);
		return -ENOENT;
	}
	ret = env_run(ro->env, n->node, decap_replace_here, n->decap);
	if (ret)
		snprintf(err, len, "replace the decap at %s:%s: %s",
			 ro->env->sc->nodes[n->node].name, n->iface, strerror(-ret));
	/* the pins named the old program's maps */
	if (!ret && (ret = roles_decap_pin(ro, node)))
		snprintf(err, len, "pin the new decap's maps: %s", strerror(-ret));
	return ret;
}
