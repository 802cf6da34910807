// SPDX-License-Identifier: GPL-2.0
/*
 * rebuild.sh of the failure bundle: the commands that make a failed run's topology again by
 * hand, from what it was just before teardown (the bundle's ip -j files and nodes.json) and
 * the scenario's balancer and decap settings: namespaces, veths with their MACs and MTUs,
 * tx checksum offload, addresses, routes, sysctls; then, with DSRLAB_BIN set, the balancer,
 * the XDP_PASS program on its peer, the decaps and the VIPs on lo through the CLIs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "bench/bundle.h"
#include "common/faults.h"

static json_t *load(const char *dir, const char *node, const char *what)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s.%s.json", dir, node, what);
	return json_load_file(path, 0, NULL);
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static void veths(const struct bundle_in *r, FILE *f)
{
	int i, k;

	fprintf(f, "\n# veth pairs (each once)\n");
	for (i = 0; i < r->env->sc->n_nodes; i++)
		for (k = 0; k < r->topo->nodes[i].n_ifaces; k++) {
			const struct topo_iface *ifc = &r->topo->nodes[i].ifaces[k];
			const char *me = r->env->sc->nodes[i].name;
			int cmp = strcmp(me, ifc->peer_node);

			if (ifc->nic[0] || !ifc->peer_node[0] || cmp > 0 ||
			    (!cmp && strcmp(ifc->name, ifc->peer_iface) > 0))
				continue;
			fprintf(f,
				"ip -n \"$P-%s\" link add %s type veth peer name %s netns \"$P-%s\"\n",
				me, ifc->name, ifc->peer_iface, ifc->peer_node);
		}
}

static void links(const struct bundle_in *r, int idx, const json_t *link, FILE *f)
{
	const char *node = r->env->sc->nodes[idx].name;
	struct sc_offloads off;
	size_t i;
	json_t *l;
	int o;

	json_array_foreach(link, i, l) {
		const char *ifn = str(l, "ifname");

		if (!strcmp(ifn, "lo")) {
			fprintf(f, "ip -n \"$P-%s\" link set lo up\n", node);
			continue;
		}
		fprintf(f, "ip -n \"$P-%s\" link set %s address %s mtu %lld up\n", node, ifn,
			str(l, "address"),
			(long long)json_integer_value(json_object_get(l, "mtu")));
		scenario_iface_offloads(r->env->sc, idx, ifn, &off);
		if (!off.v[SC_OFF_TX_CSUM])
			off.v[SC_OFF_TX_CSUM] = SC_TOGGLE_OFF; /* the bench's default on veths */
		fprintf(f, "at %s ethtool -K %s", node, ifn);
		for (o = 0; o < SC_OFF_MAX; o++)
			if (off.v[o])
				fprintf(f, " %s %s", sc_offload_ethtool[o],
					off.v[o] == SC_TOGGLE_ON ? "on" : "off");
		fprintf(f, " >/dev/null\n");
	}
}

static void addrs(const char *node, const json_t *addr, FILE *f)
{
	size_t i, k;
	json_t *a, *ai;

	json_array_foreach(addr, i, a) {
		json_array_foreach(json_object_get(a, "addr_info"), k, ai) {
			const char *local = str(ai, "local");

			if (!strcmp(local, "127.0.0.1") || !strcmp(local, "::1") ||
			    !strncmp(local, "fe80:", 5))
				continue;
			fprintf(f, "ip -n \"$P-%s\" addr add %s/%lld dev %s%s\n", node, local,
				(long long)json_integer_value(json_object_get(ai, "prefixlen")),
				str(a, "ifname"),
				!strcmp(str(ai, "family"), "inet6") ? " nodad" : "");
		}
	}
}

static void routes(const char *node, const json_t *route, const char *fam, FILE *f)
{
	size_t i, k;
	json_t *rt, *nh;

	json_array_foreach(route, i, rt) {
		const char *table = str(rt, "table"), *type = str(rt, "type");
		const char *dst = str(rt, "dst");

		if (!strcmp(str(rt, "protocol"), "kernel") || (*table && strcmp(table, "main")) ||
		    (*type && strcmp(type, "unicast")) || !strncmp(dst, "fe80:", 5) ||
		    !strncmp(dst, "ff00:", 5))
			continue;
		fprintf(f, "ip -n \"$P-%s\" %s route add %s", node, fam, dst);
		if (json_object_get(rt, "nexthops")) {
			json_array_foreach(json_object_get(rt, "nexthops"), k, nh)
				fprintf(f, " nexthop via %s dev %s", str(nh, "gateway"),
					str(nh, "dev"));
		} else {
			if (*str(rt, "gateway"))
				fprintf(f, " via %s", str(rt, "gateway"));
			if (*str(rt, "dev"))
				fprintf(f, " dev %s", str(rt, "dev"));
		}
		fprintf(f, "\n");
	}
}

static void sysctls(const char *dir, FILE *f)
{
	char path[PATH_MAX];
	json_t *doc, *n, *v;
	const char *key;
	size_t i;

	snprintf(path, sizeof(path), "%s/nodes.json", dir);
	doc = json_load_file(path, 0, NULL);
	fprintf(f, "\n# sysctls as they were (some exist only once conntrack is loaded)\n");
	json_array_foreach(json_object_get(doc, "nodes"), i, n)
		json_object_foreach(json_object_get(n, "sysctls"), key, v)
			fprintf(f, "at %s sysctl -qw %s=%s 2>/dev/null || :\n", str(n, "name"), key,
				json_string_value(v));
	json_decref(doc);
}

/* " --fault NAME" for each of the program's faults set in flags */
static void faults(enum fault_of of, __u32 flags, FILE *f)
{
	size_t i;

	for (i = 0; i < n_fault_defs; i++)
		if (fault_defs[i].of == of && (flags & fault_defs[i].flag))
			fprintf(f, " --fault %s", fault_defs[i].name);
}

static void balancer(const struct bundle_in *r, FILE *f)
{
	const struct sc_balancer *bl = &r->env->sc->balancer;
	char a[ADDR_STRLEN], ep[ADDR_STRLEN];
	int k, v, j, node;

	for (k = 0; k < r->roles->n_lbs; k++) {
		const struct topo_iface *peer = NULL;
		char nexthop[96];

		node = r->roles->lbs[k].node;
		peer = topology_iface(r->topo, node, bl->iface);
		if (!peer || !peer->peer_node[0])
			continue; /* a NIC wired to another machine: not rebuilt here */
		fprintf(f, "\n# balancer on %s:%s; the peer of its port needs an XDP program\n",
			bl->nodes[k], bl->iface);
		fprintf(f,
			"ip -n \"$P-%s\" link set dev %s xdpdrv obj \"$B/../bpf/pass.bpf.o\" sec xdp\n",
			peer->peer_node, peer->peer_iface);
		snprintf(nexthop, sizeof(nexthop), " --nexthop-mac \"$(peer_mac %s %s)\"",
			 peer->peer_node, peer->peer_iface);
		fprintf(f,
			"at %s \"$B/dsrlab-lb\" --pin \"$PIN/lb-%s\" attach %s "
			"--src %s%s%s --mode %s",
			bl->nodes[k], bl->nodes[k], bl->iface,
			addr_str(&r->roles->lb_src[k], a, sizeof(a)),
			bl->nexthop_fib ? " --nexthop fib" : nexthop,
			bl->vips[0].encap == SC_ENCAP_GUE ? " --gue-port 6080" : "",
			xdp_mode_name(bl->mode));
		if (r->roles->lb_src6[k].family != FAM_NONE)
			fprintf(f, " --src6 %s", addr_str(&r->roles->lb_src6[k], a, sizeof(a)));
		if (bl->mtu)
			fprintf(f, " --mtu %d", bl->mtu);
		if (bl->ring_size[k])
			fprintf(f, " --ring-size %u", bl->ring_size[k]);
		if (bl->conn_table != CONN_KIND_SETS)
			fprintf(f, " --conn-table %s", conn_kind_name(bl->conn_table));
		faults(FAULT_OF_BALANCER, bl->faults, f);
		fprintf(f, "\n");
		for (v = 0; v < bl->n_vips; v++) {
			const struct sc_vip *vp = &bl->vips[v];

			fprintf(f,
				"at %s \"$B/dsrlab-lb\" --pin \"$PIN/lb-%s\" vip add %s --encap %s",
				bl->nodes[k], bl->nodes[k], endpoint_str(&vp->vip, ep, sizeof(ep)),
				scenario_encap_name(vp->encap));
			for (j = 0; j < vp->n_backends; j++) {
				const struct ip_prefix *ba =
					topology_node_addr(&r->env->sc->nodes[vp->backend_idx[j]],
							   scenario_vip_underlay(vp));

				if (ba)
					fprintf(f, " --backend %s@%d",
						addr_str(&ba->addr, a, sizeof(a)), vp->weights[j]);
			}
			fprintf(f, "\n");
		}
	}
}

/* dsrlab-backend attach|detach --netns --iface --at for the decap serving node i */
static void decap_where(const struct bundle_in *r, int i, FILE *f)
{
	const struct role_decap *n = &r->roles->decaps[i];

	fprintf(f, "--netns \"$P-%s\" --iface %s --at %s", r->env->sc->nodes[n->node].name,
		n->iface, decap_at_name(n->at));
}

static void decaps(const struct bundle_in *r, FILE *f)
{
	char a[ADDR_STRLEN];
	int i, k, v;

	fprintf(f, "\n# decap for each backend, and the VIPs on its lo\n");
	for (i = 0; i < r->env->sc->n_nodes; i++) {
		const struct role_decap *n = &r->roles->decaps[i];

		if (!n->iface[0])
			continue;
		fprintf(f, "\"$B/dsrlab-backend\" attach ");
		decap_where(r, i, f);
		for (k = 0; k < r->env->sc->nodes[i].n_addrs; k++) { /* its first of each family */
			const struct ip_prefix *p = &r->env->sc->nodes[i].addrs[k];
			int j;

			for (j = 0;
			     j < k && r->env->sc->nodes[i].addrs[j].addr.family != p->addr.family;
			     j++)
				;
			if (j == k && (n->at != DECAP_AT_HOST_NIC || r->env->sc->backend.strict))
				fprintf(f, " --serve %s", addr_str(&p->addr, a, sizeof(a)));
		}
		for (k = 0; k < r->env->sc->backend.n_allow; k++)
			fprintf(f, " --allow %s",
				prefix_str(&r->env->sc->backend.allow[k], a, sizeof(a)));
		for (k = 0; !r->env->sc->backend.n_allow && k < r->roles->n_lbs; k++) {
			if (r->roles->lb_src[k].family != FAM_NONE)
				fprintf(f, " --allow %s/32",
					addr_str(&r->roles->lb_src[k], a, sizeof(a)));
			if (r->roles->lb_src6[k].family != FAM_NONE)
				fprintf(f, " --allow %s/128",
					addr_str(&r->roles->lb_src6[k], a, sizeof(a)));
		}
		faults(FAULT_OF_DECAP, r->env->sc->backend.faults, f);
		fprintf(f, "\n");
	}
	for (v = 0; v < r->env->sc->balancer.n_vips; v++)
		for (k = 0; k < r->env->sc->balancer.vips[v].n_backends; k++)
			fprintf(f, "\"$B/dsrlab-backend\" vip add --netns \"$P-%s\" %s\n",
				r->env->sc->balancer.vips[v].backends[k],
				addr_str(&r->env->sc->balancer.vips[v].vip.addr, a, sizeof(a)));
}

static void header(const struct bundle_in *r, FILE *f)
{
	int i;

	fprintf(f,
		"#!/bin/sh\n"
		"# Rebuilds by hand the topology of dsrlab run %s (scenario %s, %s) as it was\n"
		"# before teardown: namespaces PREFIX-<node> (default dsrlab-rb), veths, MACs, MTUs,\n"
		"# offloads, addresses, routes, sysctls. With DSRLAB_BIN=<dsrlab build>/bin it also\n"
		"# attaches the balancer and the decaps and puts the VIPs on lo; services and\n"
		"# traffic are the scenario's (bundle/scenario.yaml). Run as root:\n"
		"#   sh rebuild.sh [PREFIX]; take it down: sh rebuild.sh PREFIX down (same DSRLAB_BIN)\n"
		"set -eu\nP=${1:-dsrlab-rb}\nB=${DSRLAB_BIN:-}\nPIN=/sys/fs/bpf/dsrlab/$P\n"
		"NODES=\"",
		r->env->id, r->env->sc->name, r->env->sc->file);
	for (i = 0; i < r->env->sc->n_nodes; i++)
		fprintf(f, "%s%s", i ? " " : "", r->env->sc->nodes[i].name);
	fprintf(f, "\"\nif [ \"${2:-}\" = down ]; then\n");
	for (i = 0; i < r->env->sc->n_nodes; i++)
		if (r->roles->decaps[i].iface[0]) {
			fprintf(f, "\t[ -z \"$B\" ] || \"$B/dsrlab-backend\" detach ");
			decap_where(r, i, f);
			fprintf(f, " 2>/dev/null || :\n");
		}
	fprintf(f, "\tfor n in $NODES; do ip netns del \"$P-$n\" 2>/dev/null || :; done\n"
		   "\trm -rf \"$PIN\"; exit 0\nfi\n"
		   "for n in $NODES; do ip netns add \"$P-$n\"; done\n"
		   "# only the network namespace: ip netns exec would hide /sys/fs/bpf\n"
		   "at() { n=$1; shift; nsenter --net=\"/run/netns/$P-$n\" \"$@\"; }\n"
		   "peer_mac() { ip -n \"$P-$1\" -br link show \"$2\" | awk '{print $3}'; }\n");
}

int bundle_rebuild_script(const struct bundle_in *r, const char *dir)
{
	char path[PATH_MAX];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/rebuild.sh", dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	header(r, f);
	veths(r, f);
	for (i = 0; i < r->env->sc->n_nodes; i++) {
		const char *n = r->env->sc->nodes[i].name;
		json_t *link = load(dir, n, "link"), *addr = load(dir, n, "addr");
		json_t *r4 = load(dir, n, "route"), *r6 = load(dir, n, "route6");

		fprintf(f, "\n# %s\n", n);
		links(r, i, link, f);
		addrs(n, addr, f);
		routes(n, r4, "-4", f);
		routes(n, r6, "-6", f);
		json_decref(link);
		json_decref(addr);
		json_decref(r4);
		json_decref(r6);
	}
	sysctls(dir, f);
	fprintf(f, "\n[ -n \"$B\" ] || { echo \"topology $P up; DSRLAB_BIN=... attaches the "
		   "balancer and decaps\"; exit 0; }\nmkdir -p \"$PIN\"\n");
	balancer(r, f);
	decaps(r, f);
	return fclose(f) ? -errno : 0;
}
