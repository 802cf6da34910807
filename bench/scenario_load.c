// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario loader: a YAML file (libyaml's document API, which keeps the line and column of
 * every node) checked key by key into struct scenario, one loader per mapping over its table
 * of descriptor rows (the schema's machinery: bench/scenario_schema.c). Mistakes are collected
 * rather than fatal, then printed sorted by position like compiler diagnostics
 * (bench/scenario_diag.c), so one run shows the user everything to fix; a clean load ends
 * with names resolved to indexes (bench/scenario_resolve.c).
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "bench/scenario.h"
#include "bench/scenario_schema.h"
#include "common/faults.h"
#include "lb/maglev.h"
#include "common/flow.h"
#include "common/parse.h"
#include "common/encap_family.h"
#include "common/stat_names.h"
#include "common/xdp_mode.h"

#define SC_NODE_NAME_MAX   12 /* node names become parts of netns and veth names */
#define SC_IFNAME_LEN_MAX  (SC_IFNAME_MAX - 1)
#define SC_SNAPLEN_DEFAULT 262144

static const char *const role_names[] = { "client", "router", "lb", "host", "container" };
/* 'decap' values in the order messages list them: the negative control first */
static const enum decap_at decap_order[] = { DECAP_AT_NONE, DECAP_AT_HOST_VETH_EGRESS,
					     DECAP_AT_CONTAINER_INGRESS, DECAP_AT_HOST_NIC };
static const char *const encap_names[] = { "ipip", "ip6ip6", "4in6", "gue" };
static const char *const nexthop_names[] = { "peer", "fib" };
static const char *const service_kind_names[] = { "echo", "sink" };
static const char *const expect_names[] = {
	"answered", "served-by", "never-seen", "seen",	 "encapsulated", "drops",
	"unbroken", "goodput",	 "exit",       "output", "chain-member", "counter"
};
static const char *const offload_names[SC_OFF_MAX] = { "tx-checksum", "gro", "gso", "tso" };
/* What `ethtool -K` calls each (a bundle's rebuild.sh uses them). */
const char *const sc_offload_ethtool[SC_OFF_MAX] = { "tx", "gro", "gso", "tso" };
static const char *const toggle_names[] = { "off", "on" };
static const char *const phase_names[] = { "remove-backend", "add-backend", "set-mtu",
					   "replace-decap", "fail-balancer" };

static bool name_chars_ok(const char *s)
{
	const char *p;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

/* Node and traffic names: [a-z0-9][a-z0-9-]*, at most max characters. */
static bool check_name(struct loader *ld, const yaml_node_t *at, const char *s, const char *kind,
		       size_t max, const char *why)
{
	if (!name_chars_ok(s)) {
		diag(ld, at,
		     "invalid %s name '%.*s': use lowercase letters, digits and '-', starting "
		     "with a letter or digit",
		     kind, SC_GOT_MAX, s);
		return false;
	}
	if (strlen(s) > max) {
		diag(ld, at, "%s name '%.*s' is too long (%zu characters, at most %zu%s)", kind,
		     SC_GOT_MAX, s, strlen(s), max, why);
		return false;
	}
	return true;
}

static bool check_ifname(struct loader *ld, const yaml_node_t *at, const char *s)
{
	const char *p;

	for (p = s; *p; p++) {
		if (*p == '/' || *p == ':' || *p == ' ' || *p == '\t' || *p < ' ') {
			diag(ld, at, "invalid interface name '%.*s'", SC_GOT_MAX, s);
			return false;
		}
	}
	if (!*s || !strcmp(s, ".") || !strcmp(s, "..")) {
		diag(ld, at, "invalid interface name '%s'", s);
		return false;
	}
	if (strlen(s) > SC_IFNAME_LEN_MAX) {
		diag(ld, at, "interface name '%.*s' is too long (%zu characters, at most %d)",
		     SC_GOT_MAX, s, strlen(s), SC_IFNAME_LEN_MAX);
		return false;
	}
	return true;
}

/* References */

static int node_index(const struct scenario *sc, const char *name)
{
	int i;

	for (i = 0; i < sc->n_nodes; i++)
		if (!strcmp(sc->nodes[i].name, name))
			return i;
	return -1;
}

static const struct sc_node *node_named(const struct scenario *sc, const char *name)
{
	int i = node_index(sc, name);

	return i < 0 ? NULL : &sc->nodes[i];
}

/* Is node a backend of some VIP (as the file lists them, before names resolve)? */
static bool is_backend(const struct scenario *sc, const char *node)
{
	int v, k;

	for (v = 0; v < sc->balancer.n_vips; v++)
		for (k = 0; k < sc->balancer.vips[v].n_backends; k++)
			if (!strcmp(sc->balancer.vips[v].backends[k], node))
				return true;
	return false;
}

static int traffic_index(const struct scenario *sc, const char *name)
{
	int i;

	for (i = 0; i < sc->n_traffic; i++)
		if (!strcmp(sc->traffic[i].name, name))
			return i;
	return -1;
}

static const char *role_article(enum sc_role role)
{
	return role == ROLE_LB ? "an" : "a";
}

/* The index of the node a reference names, or -1 (reported when nodes are known). */
static int ref_node_at(struct loader *ld, const yaml_node_t *at, const char *name,
		       const char *keyname)
{
	char sugg[SC_NAME_MAX * 2 + 32];
	struct sc_suggestion s = { 0 };
	int i = node_index(ld->sc, name);

	if (i >= 0 || !ld->nodes_ok)
		return i;
	for (i = 0; i < ld->sc->n_nodes; i++)
		sc_suggest_consider(&s, name, ld->sc->nodes[i].name);
	diag(ld, at, "unknown node '%.*s' in '%s'%s", SC_GOT_MAX, name, keyname,
	     sc_suggest_str(&s, sugg, sizeof(sugg)));
	return -1;
}

/* A node name value: looked up and copied into buf. */
static int get_node_ref(struct loader *ld, const struct field *f, char *buf)
{
	const char *s = get_scalar(ld, f, "a node name");
	int i;

	if (!s)
		return -1;
	i = ref_node_at(ld, f->val, s, f->name);
	if (i >= 0)
		strcpy(buf, ld->sc->nodes[i].name);
	return i;
}

/* Is node i known to have role? Unknown roles were reported already: no second error. */
static bool check_role(struct loader *ld, const yaml_node_t *at, int i, enum sc_role role,
		       const char *what)
{
	enum sc_role r;

	if (i < 0 || !ld->role_ok[i] || ld->sc->nodes[i].role == role)
		return true;
	r = ld->sc->nodes[i].role;
	diag(ld, at, "%s '%s' is %s %s, not %s %s", what, ld->sc->nodes[i].name, role_article(r),
	     role_names[r], role_article(role), role_names[role]);
	return false;
}

/* "node:iface"; returns the node's index or -1. */
static int get_point(struct loader *ld, const struct field *f, struct sc_point *out)
{
	const char *s = get_scalar(ld, f, "NODE:IFACE"), *colon;
	char node[SC_NAME_MAX];
	size_t nlen;

	if (!s)
		return -1;
	colon = strchr(s, ':');
	if (!colon) {
		diag(ld, f->val, "expected NODE:IFACE for '%s', got '%.*s' (no ':')", f->name,
		     SC_GOT_MAX, s);
		return -1;
	}
	nlen = colon - s;
	if (!nlen) {
		diag(ld, f->val, "missing node name before ':' in '%.*s'", SC_GOT_MAX, s);
		return -1;
	}
	if (!colon[1]) {
		diag(ld, f->val, "missing interface name after ':' in '%.*s'", SC_GOT_MAX, s);
		return -1;
	}
	if (!check_ifname(ld, f->val, colon + 1))
		return -1;
	if (nlen >= sizeof(node)) {
		diag(ld, f->val, "unknown node '%.*s' in '%s'", (int)nlen, s, f->name);
		return -1;
	}
	memcpy(node, s, nlen);
	node[nlen] = '\0';
	snprintf(out->iface, sizeof(out->iface), "%s", colon + 1);
	if (ref_node_at(ld, f->val, node, f->name) < 0)
		return -1;
	strcpy(out->node, node);
	return node_index(ld->sc, node);
}

/*
 * Whether a node will have interface IFNAME: an end of a link, a container's eth0, the host
 * end of each of a host's containers (named after the container), a NIC, or lo. Calls
 * add(ctx, name) for each interface it knows of when add is not NULL.
 */
static bool node_ifaces(const struct scenario *sc, const char *node, const char *ifname,
			void (*add)(void *ctx, const char *name), void *ctx)
{
	const struct sc_node *n = node_named(sc, node);
	bool found = !strcmp(ifname, "lo");
	int i;

	if (add)
		add(ctx, "lo");
	if (!n)
		return found;
	for (i = 0; i < sc->n_links; i++) {
		const struct sc_point *ends[2] = { &sc->links[i].a, &sc->links[i].b };

		for (int e = 0; e < 2; e++) {
			if (strcmp(ends[e]->node, node))
				continue;
			found |= !strcmp(ends[e]->iface, ifname);
			if (add)
				add(ctx, ends[e]->iface);
		}
	}
	if (n->role == ROLE_CONTAINER) {
		found |= !strcmp(ifname, "eth0");
		if (add)
			add(ctx, "eth0");
	}
	for (i = 0; i < sc->n_nodes; i++) {
		if (sc->nodes[i].role != ROLE_CONTAINER || strcmp(sc->nodes[i].host, node))
			continue;
		found |= !strcmp(sc->nodes[i].name, ifname);
		if (add)
			add(ctx, sc->nodes[i].name);
	}
	for (i = 0; i < n->n_nics; i++) {
		found |= !strcmp(n->nics[i].name, ifname);
		if (add)
			add(ctx, n->nics[i].name);
	}
	return found;
}

struct iface_list {
	char buf[160];
	size_t len;
};

static void iface_list_add(void *ctx, const char *name)
{
	struct iface_list *l = ctx;

	if (l->len < sizeof(l->buf))
		l->len += snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%s%s",
				   l->len ? ", " : "", name);
}

/*
 * A point where something is observed or changed (a capture, a check, a phase) must name an
 * interface the node will have; links are loaded first, so this is known at load time.
 */
static bool check_point_iface(struct loader *ld, const struct field *f, const struct sc_point *pt)
{
	struct iface_list l = { .len = 0 };

	if (!ld->links_given || !node_named(ld->sc, pt->node) ||
	    node_ifaces(ld->sc, pt->node, pt->iface, NULL, NULL))
		return true;
	node_ifaces(ld->sc, pt->node, pt->iface, iface_list_add, &l);
	diag(ld, f->val, "'%s': node '%s' has no interface '%s' (it has %s)", f->name, pt->node,
	     pt->iface, l.buf);
	return false;
}

/* A point that must exist on its node: 'at' of captures, checks and phases. */
static int get_existing_point(struct loader *ld, const struct field *f, struct sc_point *out)
{
	int i = get_point(ld, f, out);

	if (i >= 0 && !check_point_iface(ld, f, out))
		return -1;
	return i;
}

/*
 * A tcpdump filter as the capture and the checks will use it: compiled now on a dead Ethernet
 * handle, so a typo is a load error with its line, not a failure after the run.
 */
static bool check_filter(struct loader *ld, const struct field *f, const char *filter)
{
	struct bpf_program prog;
	pcap_t *p;
	bool ok;

	if (!filter[0])
		return true;
	p = pcap_open_dead(DLT_EN10MB, SC_SNAPLEN_DEFAULT);
	if (!p) {
		diag(ld, f->val, "cannot check filter '%s': libpcap failed", filter);
		return false;
	}
	ok = !pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN);
	if (ok)
		pcap_freecode(&prog);
	else
		diag(ld, f->val, "'%s': '%s' does not compile: %s", f->name, filter,
		     pcap_geterr(p));
	pcap_close(p);
	return ok;
}

/* nodes: */

enum {
	N_ROLE,
	N_ADDRS,
	N_GATEWAY,
	N_GATEWAY6,
	N_HOST,
	N_ROUTES,
	N_SYSCTLS,
	N_OFFLOADS,
	N_NICS,
	N_KEYS
};
static const struct key node_keys[] = {
	[N_ROLE] = KEY_ENUM("role", true, struct sc_node, role, role_names, ARRAY_SIZE(role_names)),
	[N_ADDRS] = KEY("addrs", false),
	[N_GATEWAY] = KEY("gateway", false),
	[N_GATEWAY6] = KEY("gateway6", false),
	[N_HOST] = KEY("host", false),
	[N_ROUTES] = KEY("routes", false),
	[N_SYSCTLS] = KEY("sysctls", false),
	[N_OFFLOADS] = KEY("offloads", false),
	[N_NICS] = KEY("nics", false),
};

static void load_node_addr(struct loader *ld, const struct field *item, void *ctx)
{
	int idx = *(int *)ctx;
	struct sc_node *node = &ld->sc->nodes[idx];

	if (get_prefix(ld, item, &node->addrs[node->n_addrs]))
		node->addr_marks[node->n_addrs++] = mark_of(item->val);
}

/* A gateway must be reachable on-link: inside one of the node's subnets of its family. */
static void check_gateway(struct loader *ld, const struct sc_node *node, const struct field *f,
			  const struct ip_addr *gw)
{
	char a[ADDR_STRLEN];
	bool family_seen = false;
	int i;

	if (!node->n_addrs)
		return;
	for (i = 0; i < node->n_addrs; i++) {
		if (node->addrs[i].addr.family != gw->family)
			continue;
		family_seen = true;
		if (prefix_contains(&node->addrs[i], gw))
			return;
	}
	addr_str(gw, a, sizeof(a));
	if (family_seen)
		diag(ld, f->val, "gateway %s is in none of the subnets of node '%s'", a,
		     node->name);
	else
		diag(ld, f->val, "gateway %s is IPv%d but node '%s' has no IPv%d address", a,
		     gw->family, node->name, gw->family);
}

static void load_node_gateways(struct loader *ld, struct sc_node *node, const struct field *f)
{
	const struct field *gw = &f[N_GATEWAY], *gw6 = &f[N_GATEWAY6];
	struct ip_addr a;

	if (gw->key && get_addr(ld, gw, &a)) {
		if (a.family == FAM_IPV4)
			node->gateway4 = a;
		else
			node->gateway6 = a;
		check_gateway(ld, node, gw, &a);
	}
	if (gw6->key && get_addr(ld, gw6, &a)) {
		if (a.family != FAM_IPV6)
			diag(ld, gw6->val,
			     "'gateway6' must be an IPv6 address; put %s in 'gateway'",
			     scalar_text(gw6->val));
		else if (node->gateway6.family != FAM_NONE)
			diag(ld, gw6->key, "IPv6 gateway given twice ('gateway' and 'gateway6')");
		else {
			node->gateway6 = a;
			check_gateway(ld, node, gw6, &a);
		}
	}
}

enum { R_TO, R_VIA, R_KEYS };
static const struct key route_keys[] = {
	[R_TO] = KEY("to", true),
	[R_VIA] = KEY("via", true),
};

/* 'to': "default" (of the family of 'via') or a network ADDRESS/LENGTH, host bits clear. */
static bool get_route_to(struct loader *ld, const struct field *f, const struct ip_addr *via,
			 struct ip_prefix *out)
{
	const char *s = get_scalar(ld, f, "a prefix or 'default'");
	struct ip_prefix net;
	char a[ADDR_STRLEN];

	if (!s)
		return false;
	if (!strcmp(s, "default")) {
		memset(out, 0, sizeof(*out));
		out->addr.family = via->family;
		return true;
	}
	if (!get_prefix(ld, f, out))
		return false;
	net = prefix_network(out);
	if (!addr_equal(&net.addr, &out->addr)) {
		diag(ld, f->val, "route destination %s has host bits set; write %s", s,
		     prefix_str(&net, a, sizeof(a)));
		return false;
	}
	return true;
}

static void load_node_route(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_node *node = &ld->sc->nodes[*(int *)ctx];
	struct sc_route *rt = &node->routes[node->n_routes];
	struct field f[R_KEYS];
	char where[64];

	if (!want_type(ld, item, YAML_MAPPING_NODE, "a route {to: PREFIX, via: ADDRESS}"))
		return;
	snprintf(where, sizeof(where), "a route of node '%s'", node->name);
	map_fields(ld, item->val, where, route_keys, R_KEYS, f);
	if (!f[R_TO].key || !f[R_VIA].key || !get_addr(ld, &f[R_VIA], &rt->via) ||
	    !get_route_to(ld, &f[R_TO], &rt->via, &rt->to))
		return;
	if (rt->to.addr.family != rt->via.family) {
		diag(ld, f[R_VIA].val, "'via' %s is IPv%d but the route to %s is IPv%d",
		     scalar_text(f[R_VIA].val), rt->via.family, scalar_text(f[R_TO].val),
		     rt->to.addr.family);
		return;
	}
	check_gateway(ld, node, &f[R_VIA], &rt->via);
	rt->mark = mark_of(item->val);
	/* one given by 'gateway' too, or a destination given twice: the semantic pass */
	rt->to_mark = mark_of(f[R_TO].val);
	node->n_routes++;
}

/* A dotted name under /proc/sys: [a-z0-9_.-]+, no empty component. */
static bool sysctl_name_ok(const char *s)
{
	const char *p;

	if (!*s || *s == '.' || s[strlen(s) - 1] == '.' || strstr(s, ".."))
		return false;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '.' || *p == '-'))
			return false;
	return true;
}

static void load_node_sysctl(struct loader *ld, struct sc_node *node, const yaml_node_t *k,
			     const yaml_node_t *v)
{
	struct sc_sysctl *sy = &node->sysctls[node->n_sysctls];
	const char *name = scalar_text(k);
	struct field vf = { .name = name, .key = k, .val = v };
	int i;

	if (!sysctl_name_ok(name)) {
		diag(ld, k,
		     "invalid sysctl name '%.*s': write the dotted name of a file under /proc/sys "
		     "([a-z0-9_.-]), like net.ipv4.conf.all.rp_filter",
		     SC_GOT_MAX, name);
		return;
	}
	if (strlen(name) >= sizeof(sy->name)) {
		diag(ld, k, "sysctl name '%.*s...' is too long (%zu characters, at most %zu)",
		     SC_GOT_MAX, name, strlen(name), sizeof(sy->name) - 1);
		return;
	}
	for (i = 0; i < node->n_sysctls; i++) {
		if (strcmp(node->sysctls[i].name, name))
			continue;
		diag(ld, k, "sysctl '%s' is given twice in node '%s' (first at line %d)", name,
		     node->name, node->sysctls[i].mark.line);
		return;
	}
	if (too_many(ld, k, node->n_sysctls, SC_MAX_SYSCTLS, "sysctls in a node") ||
	    !get_text(ld, &vf, sy->value, sizeof(sy->value)))
		return;
	if (strchr(sy->value, '\n')) {
		diag(ld, v, "the value of sysctl '%s' must be a single line", name);
		return;
	}
	strcpy(sy->name, name);
	sy->mark = mark_of(k);
	node->n_sysctls++;
}

static void load_node_sysctls(struct loader *ld, struct sc_node *node, const struct field *f)
{
	const yaml_node_t *k, *v;
	yaml_node_pair_t *p;

	if (!want_map(ld, f))
		return;
	for (p = f->val->data.mapping.pairs.start; p < f->val->data.mapping.pairs.top; p++) {
		pair_nodes(ld, p, &k, &v);
		if (key_is_scalar(ld, k, "'sysctls'"))
			load_node_sysctl(ld, node, k, v);
	}
}

/* {tx-checksum: on|off, gro: on|off, gso: on|off, tso: on|off} */
static void load_offloads(struct loader *ld, const struct field *f, struct sc_offloads *out)
{
	const yaml_node_t *k, *v, *seen[SC_OFF_MAX] = { 0 };
	yaml_node_pair_t *p;
	int t, o;

	if (!want_map(ld, f))
		return;
	for (p = f->val->data.mapping.pairs.start; p < f->val->data.mapping.pairs.top; p++) {
		struct field vf;

		pair_nodes(ld, p, &k, &v);
		if (!key_is_scalar(ld, k, "'offloads'"))
			continue;
		o = name_index(scalar_text(k), offload_names, ARRAY_SIZE(offload_names));
		if (o < 0) {
			unknown_key(ld, k, "offload", "'offloads'", offload_names,
				    ARRAY_SIZE(offload_names));
			continue;
		}
		if (seen[o]) {
			diag(ld, k, "duplicate key '%s' in 'offloads' (first given at line %d)",
			     scalar_text(k), (int)seen[o]->start_mark.line + 1);
			continue;
		}
		seen[o] = k;
		vf = (struct field){ .name = scalar_text(k), .key = k, .val = v };
		if (get_enum(ld, &vf, toggle_names, ARRAY_SIZE(toggle_names), &t))
			out->v[o] = t ? SC_TOGGLE_ON : SC_TOGGLE_OFF;
	}
}

void scenario_iface_offloads(const struct scenario *sc, int node, const char *iface,
			     struct sc_offloads *out)
{
	int i, o;

	*out = sc->nodes[node].offloads;
	for (i = 0; i < sc->n_links; i++) {
		const struct sc_link *l = &sc->links[i];
		const struct sc_offloads *end = NULL;

		if (l->a.node_idx == node && !strcmp(l->a.iface, iface))
			end = &l->off_a;
		else if (l->b.node_idx == node && !strcmp(l->b.iface, iface))
			end = &l->off_b;
		for (o = 0; end && o < SC_OFF_MAX; o++)
			if (end->v[o])
				out->v[o] = end->v[o];
	}
}

/* nics: {NAME-IN-NODE: DEVICE}, existing interfaces of dsrlab's namespace. */
static void load_node_nics(struct loader *ld, struct sc_node *node, const struct field *f)
{
	const yaml_node_t *k, *v;
	yaml_node_pair_t *p;
	int i;

	if (!want_map(ld, f))
		return;
	for (p = f->val->data.mapping.pairs.start; p < f->val->data.mapping.pairs.top; p++) {
		struct sc_nic *nic = &node->nics[node->n_nics];
		struct field vf;
		const char *dev;

		pair_nodes(ld, p, &k, &v);
		if (!key_is_scalar(ld, k, "'nics'") || !check_ifname(ld, k, scalar_text(k)))
			continue;
		vf = (struct field){ .name = scalar_text(k), .key = k, .val = v };
		dev = get_scalar(ld, &vf, "the name of an existing interface");
		if (!dev || !check_ifname(ld, v, dev))
			continue;
		for (i = 0; i < node->n_nics; i++)
			if (!strcmp(node->nics[i].name, scalar_text(k)))
				break;
		if (i < node->n_nics) {
			diag(ld, k, "duplicate key '%s' in 'nics' (first given at line %d)",
			     scalar_text(k), node->nics[i].mark.line);
			continue;
		}
		if (too_many(ld, k, node->n_nics, SC_MAX_NICS, "NICs in a node"))
			break;
		strcpy(nic->name, scalar_text(k));
		strcpy(nic->dev, dev);
		nic->mark = mark_of(v);
		node->n_nics++;
	}
}

/* routes, sysctls, offloads, nics */
static void load_node_extras(struct loader *ld, int idx, const struct field *f)
{
	struct sc_node *node = &ld->sc->nodes[idx];

	if (f[N_ROUTES].key)
		load_list(ld, &f[N_ROUTES], &node->n_routes, SC_MAX_ROUTES, "routes in a node",
			  load_node_route, &idx);
	if (f[N_SYSCTLS].key)
		load_node_sysctls(ld, node, &f[N_SYSCTLS]);
	if (f[N_OFFLOADS].key)
		load_offloads(ld, &f[N_OFFLOADS], &node->offloads);
	if (!f[N_NICS].key)
		return;
	if (ld->role_ok[idx] && node->role == ROLE_CONTAINER)
		diag(ld, f[N_NICS].key,
		     "'nics' is not for containers: a container's eth0 is its veth to its host");
	else
		load_node_nics(ld, node, &f[N_NICS]);
}

static void load_node(struct loader *ld, int idx, const yaml_node_t *map)
{
	struct sc_node *node = &ld->sc->nodes[idx];
	struct field f[N_KEYS];
	char where[64];

	snprintf(where, sizeof(where), "node '%s'", node->name);
	map_fields(ld, map, where, node_keys, N_KEYS, f);
	ld->role_ok[idx] = f[N_ROLE].key && load_key(ld, f, node_keys, N_ROLE, node);
	if (f[N_ADDRS].key)
		load_list(ld, &f[N_ADDRS], &node->n_addrs, SC_MAX_ADDRS, "addresses",
			  load_node_addr, &idx);
	load_node_gateways(ld, node, f);
	load_node_extras(ld, idx, f);
	if (f[N_HOST].key) {
		if (ld->role_ok[idx] && node->role != ROLE_CONTAINER)
			diag(ld, f[N_HOST].key, "'host' is only for containers; '%s' is %s %s",
			     node->name, role_article(node->role), role_names[node->role]);
		else if (get_scalar(ld, &f[N_HOST], "a node name"))
			ld->host_ref[idx] = f[N_HOST].val;
	}
	if (ld->role_ok[idx] && node->role == ROLE_CONTAINER) {
		if (!f[N_HOST].key)
			diag(ld, map, "missing required key 'host' in container '%s'", node->name);
		if (!f[N_ADDRS].key)
			diag(ld, map, "missing required key 'addrs' in container '%s'", node->name);
		else if (is_empty_seq(f[N_ADDRS].val))
			diag(ld, f[N_ADDRS].val, "container '%s' has no addresses", node->name);
	}
}

/* Containers' hosts, once every node is known. */
static void check_hosts(struct loader *ld)
{
	struct scenario *sc = ld->sc;
	int i;

	for (i = 0; i < sc->n_nodes; i++) {
		const yaml_node_t *h = ld->host_ref[i];
		int hi;

		if (!h)
			continue;
		hi = ref_node_at(ld, h, scalar_text(h), "host");
		if (hi >= 0 && check_role(ld, h, hi, ROLE_HOST, "host"))
			strcpy(sc->nodes[i].host, sc->nodes[hi].name);
	}
}

static void load_nodes(struct loader *ld, const struct field *f)
{
	struct scenario *sc = ld->sc;
	const yaml_node_t *k, *v;
	yaml_node_pair_t *p;
	int i;

	if (!want_map(ld, f))
		return;
	ld->nodes_ok = true;
	for (p = f->val->data.mapping.pairs.start; p < f->val->data.mapping.pairs.top; p++) {
		const char *name;

		pair_nodes(ld, p, &k, &v);
		if (!key_is_scalar(ld, k, "'nodes'"))
			continue;
		name = scalar_text(k);
		check_name(ld, k, name, "node", SC_NODE_NAME_MAX,
			   ": it becomes part of namespace and interface names");
		i = node_index(sc, name);
		if (i >= 0) {
			diag(ld, k, "duplicate node '%s' (first defined at line %d)", name,
			     sc->nodes[i].mark.line);
			continue;
		}
		if (too_many(ld, k, sc->n_nodes, SC_MAX_NODES, "nodes"))
			break;
		if (strlen(name) >= SC_NAME_MAX)
			continue;
		i = sc->n_nodes++;
		strcpy(sc->nodes[i].name, name);
		sc->nodes[i].mark = mark_of(k);
		if (v->type != YAML_MAPPING_NODE || is_null(v)) {
			struct field nf = { .name = name, .key = k, .val = v };

			char what[SC_NAME_MAX + 16];

			snprintf(what, sizeof(what), "node '%s'", name);
			want_type(ld, &nf, YAML_MAPPING_NODE, what);
			continue;
		}
		load_node(ld, i, v);
	}
	if (!sc->n_nodes && is_empty_map(f->val))
		diag(ld, f->val, "'nodes' is empty; a scenario needs at least one node");
	check_hosts(ld);
}

/* links: */

static bool point_equal(const struct sc_point *a, const struct sc_point *b)
{
	return !strcmp(a->node, b->node) && !strcmp(a->iface, b->iface);
}

/* An endpoint already used by an earlier link (or the other end of this one). */
static void check_point_unused(struct loader *ld, const yaml_node_t *at, const struct sc_point *pt,
			       int n_links, const struct sc_point *other)
{
	int i;

	for (i = 0; i < n_links; i++) {
		const struct sc_link *l = &ld->sc->links[i];

		if (point_equal(&l->a, pt) || point_equal(&l->b, pt)) {
			diag(ld, at, "'%s:%s' is already used by the link at line %d", pt->node,
			     pt->iface, l->mark.line);
			return;
		}
	}
	if (other && point_equal(other, pt))
		diag(ld, at, "a link cannot join '%s:%s' to itself", pt->node, pt->iface);
}

/* One end of a link: a free NODE:IFACE point. */
static bool load_link_end(struct loader *ld, const struct field *f, struct sc_link *l, int e)
{
	struct sc_point *pt = e ? &l->b : &l->a;

	if (get_point(ld, f, pt) < 0)
		return false;
	check_point_unused(ld, f->val, pt, ld->sc->n_links, e ? &l->a : NULL);
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* "aa:bb:cc:dd:ee:ff", unicast and not all zeros. */
static bool get_mac(struct loader *ld, const struct field *f, __u8 mac[6])
{
	const char *s = get_scalar(ld, f, "a MAC address");
	int i, hi, lo;

	if (!s)
		return false;
	for (i = 0; i < 6 && strlen(s) == 17; i++) {
		hi = hex_digit(s[3 * i]);
		lo = hex_digit(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			break;
		mac[i] = hi << 4 | lo;
	}
	if (i < 6) {
		diag(ld, f->val,
		     "invalid MAC address '%.*s' for '%s'; expected six hex bytes like "
		     "02:00:00:00:01:01",
		     SC_GOT_MAX, s, f->name);
		return false;
	}
	if (mac[0] & 1) {
		diag(ld, f->val,
		     "MAC address %s for '%s' is a multicast address (the first byte is odd); an "
		     "interface needs a unicast one, like 02:00:00:00:01:01",
		     s, f->name);
		return false;
	}
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
		diag(ld, f->val, "MAC address %s for '%s' cannot be given to an interface", s,
		     f->name);
		return false;
	}
	return true;
}

/* A MAC given to an earlier link end, or to the other end of this link. */
static bool mac_is_new(struct loader *ld, const struct field *f, const __u8 *mac,
		       const struct sc_link *l)
{
	int i, e;

	for (i = 0; i <= ld->sc->n_links; i++) {
		const struct sc_link *o = i < ld->sc->n_links ? &ld->sc->links[i] : l;

		for (e = 0; e < 2; e++) {
			const __u8 *m = e ? o->mac_b : o->mac_a;

			if (m == mac || !(e ? o->has_mac_b : o->has_mac_a) || memcmp(m, mac, 6))
				continue;
			diag(ld, f->val, "MAC address %s is already given to '%s:%s' (line %d)",
			     scalar_text(f->val), e ? o->b.node : o->a.node,
			     e ? o->b.iface : o->a.iface, o->mark.line);
			return false;
		}
	}
	return true;
}

enum { L_A, L_B, L_MTU, L_MAC_A, L_MAC_B, L_OFFLOADS, L_OFFLOADS_A, L_OFFLOADS_B, L_KEYS };
static const struct key link_keys[] = {
	[L_A] = KEY("a", true),
	[L_B] = KEY("b", true),
	[L_MTU] = KEY_INT("mtu", struct sc_link, mtu, 68, 65535),
	[L_MAC_A] = KEY("mac-a", false),
	[L_MAC_B] = KEY("mac-b", false),
	[L_OFFLOADS] = KEY("offloads", false),
	[L_OFFLOADS_A] = KEY("offloads-a", false),
	[L_OFFLOADS_B] = KEY("offloads-b", false),
};

/* The settings of an extended link; offloads-a/-b refine 'offloads' (both ends). */
static void load_link_settings(struct loader *ld, const struct field *f, struct sc_link *l)
{
	struct sc_offloads both = { 0 };

	load_keys(ld, f, link_keys, L_KEYS, l);
	if (f[L_MAC_A].key && get_mac(ld, &f[L_MAC_A], l->mac_a))
		l->has_mac_a = mac_is_new(ld, &f[L_MAC_A], l->mac_a, l);
	if (f[L_MAC_B].key && get_mac(ld, &f[L_MAC_B], l->mac_b))
		l->has_mac_b = mac_is_new(ld, &f[L_MAC_B], l->mac_b, l);
	if (f[L_OFFLOADS].key)
		load_offloads(ld, &f[L_OFFLOADS], &both);
	l->off_a = l->off_b = both;
	if (f[L_OFFLOADS_A].key)
		load_offloads(ld, &f[L_OFFLOADS_A], &l->off_a);
	if (f[L_OFFLOADS_B].key)
		load_offloads(ld, &f[L_OFFLOADS_B], &l->off_b);
}

static const struct sc_nic *point_nic(const struct scenario *sc, const struct sc_point *pt)
{
	const struct sc_node *n = node_named(sc, pt->node);
	int i;

	for (i = 0; n && i < n->n_nics; i++)
		if (!strcmp(n->nics[i].name, pt->iface))
			return &n->nics[i];
	return NULL;
}

/* Both ends NICs (wired, nothing to make) or neither (a veth pair). */
static bool check_link_nics(struct loader *ld, const yaml_node_t *at, struct sc_link *l,
			    const struct field *f)
{
	const struct sc_nic *na = point_nic(ld->sc, &l->a), *nb = point_nic(ld->sc, &l->b);
	const struct sc_point *nic = na ? &l->a : &l->b, *other = na ? &l->b : &l->a;
	int k;

	if (!na && !nb)
		return true;
	if (!na || !nb) {
		diag(ld, at,
		     "'%s:%s' is NIC '%s' but '%s:%s' is not: a link is a veth pair, or two "
		     "NICs wired together",
		     nic->node, nic->iface, (na ? na : nb)->dev, other->node, other->iface);
		return false;
	}
	for (k = L_MTU; f && k < L_KEYS; k++) {
		if (!f[k].key)
			continue;
		diag(ld, f[k].key, "'%s' does not apply to a link of two NICs; set it on the NICs",
		     f[k].name);
		return false;
	}
	l->nic = true;
	return true;
}

static void load_link(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_link *l = &ld->sc->links[ld->sc->n_links];
	const yaml_node_t *n = item->val;
	struct field f[L_KEYS], *settings = NULL;
	int count, e, ok = 0;

	(void)ctx;
	memset(l, 0, sizeof(*l));
	l->mark = mark_of(n);
	if (n->type == YAML_MAPPING_NODE) {
		map_fields(ld, n, "a link", link_keys, L_KEYS, f);
		for (e = 0; e < 2; e++)
			ok += f[e].key && load_link_end(ld, &f[e], l, e);
		load_link_settings(ld, f, l);
		settings = f;
	} else {
		if (!want_type(ld, item, YAML_SEQUENCE_NODE,
			       "a link [NODE:IFACE, NODE:IFACE] or {a: NODE:IFACE, b: NODE:IFACE}"))
			return;
		count = n->data.sequence.items.top - n->data.sequence.items.start;
		if (count != 2) {
			diag(ld, n, "a link joins exactly two NODE:IFACE endpoints, got %d", count);
			return;
		}
		for (e = 0; e < 2; e++) {
			struct field ef =
				item_field(item, doc_node(ld, n->data.sequence.items.start[e]));

			ok += load_link_end(ld, &ef, l, e);
		}
	}
	if (ok == 2 && check_link_nics(ld, n, l, settings))
		ld->sc->n_links++;
}

/* balancer: */

enum { V_VIP, V_ENCAP, V_BACKENDS, V_HASH_NO_PORTS, V_KEYS };
static const struct key vip_keys[] = {
	[V_VIP] = KEY("vip", true),
	[V_ENCAP] = KEY_ENUM("encap", false, struct sc_vip, encap, encap_names,
			     ARRAY_SIZE(encap_names)), /* default ipip */
	[V_BACKENDS] = KEY("backends", true),
	[V_HASH_NO_PORTS] = KEY_BOOL("hash-no-ports", struct sc_vip, hash_no_ports),
};

static bool encap_fits_vip(const struct sc_vip *v)
{
	int need = encap_inner_family(scenario_encap_type(v->encap));

	return need == FAM_NONE || need == v->vip.addr.family;
}

/* The family of the outer header the encap writes, FAM_NONE when either works. */
static int sc_encap_outer_family(enum sc_encap e)
{
	return encap_outer_family(scenario_encap_type(e));
}

__u8 scenario_vip_underlay(const struct sc_vip *v)
{
	int fam = sc_encap_outer_family(v->encap);

	return fam == FAM_NONE ? v->vip.addr.family : fam; /* GUE: the VIP's own family */
}

__u8 scenario_encap_type(enum sc_encap e)
{
	static const __u8 types[] = { [SC_ENCAP_IPIP] = ENCAP_IPIP,
				      [SC_ENCAP_IP6IP6] = ENCAP_IP6IP6,
				      [SC_ENCAP_4IN6] = ENCAP_4IN6,
				      [SC_ENCAP_GUE] = ENCAP_GUE };

	return (unsigned int)e < ARRAY_SIZE(types) ? types[e] : ENCAP_IPIP;
}

const char *scenario_encap_name(enum sc_encap e)
{
	return (unsigned int)e < ARRAY_SIZE(encap_names) ? encap_names[e] : "?";
}

static void check_backend_family(struct loader *ld, const yaml_node_t *at, int i,
				 const struct sc_vip *v)
{
	const struct sc_node *node = &ld->sc->nodes[i];
	int fam = sc_encap_outer_family(v->encap), a;

	if (fam == FAM_NONE || !node->n_addrs)
		return;
	for (a = 0; a < node->n_addrs; a++)
		if (node->addrs[a].addr.family == fam)
			return;
	diag(ld, at, "backend '%s' has no IPv%d address for encap '%s'", node->name, fam,
	     encap_names[v->encap]);
}

/* A backend entry's own settings, before its node is known to be a container. */
struct vip_backend {
	int weight;
};

enum { VB_NODE, VB_WEIGHT, VB_KEYS };
static const struct key vip_backend_keys[] = {
	[VB_NODE] = KEY("node", true),
	/* 0 drains the backend: no new flows */
	[VB_WEIGHT] = KEY_INT_DEF("weight", struct vip_backend, weight, 0, 65535, 1),
};

/* A backend is a node name, or {node: NAME, weight: W} (weight 0 drains it). */
static void load_vip_backend(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_vip *v = ctx;
	struct field f[VB_KEYS], node_f = *item;
	struct vip_backend vb;
	char name[SC_NAME_MAX];
	int i, j;

	key_defaults(vip_backend_keys, VB_KEYS, &vb);
	if (item->val->type == YAML_MAPPING_NODE) {
		map_fields(ld, item->val, "backend entry", vip_backend_keys, VB_KEYS, f);
		if (!load_keys(ld, f, vip_backend_keys, VB_KEYS, &vb))
			return;
		if (!f[VB_NODE].key)
			return;
		node_f = f[VB_NODE];
	}
	i = get_node_ref(ld, &node_f, name);
	if (i < 0 || !check_role(ld, node_f.val, i, ROLE_CONTAINER, "VIP backend"))
		return;
	for (j = 0; j < v->n_backends && strcmp(v->backends[j], name); j++)
		;
	if (j < v->n_backends) {
		diag(ld, node_f.val, "backend '%s' is listed twice", name);
		return;
	}
	/* with a VIP of the wrong family the encap is already reported */
	if (encap_fits_vip(v))
		check_backend_family(ld, node_f.val, i, v);
	v->weights[v->n_backends] = vb.weight;
	strcpy(v->backends[v->n_backends++], name);
}

static void load_vip(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_balancer *b = &ld->sc->balancer;
	struct sc_vip *v = &b->vips[b->n_vips];
	const struct field *encap_at;
	struct field f[V_KEYS];
	char ep[ADDR_STRLEN];
	bool ok = true;
	int i;

	(void)ctx;
	if (!want_type(ld, item, YAML_MAPPING_NODE, "a VIP entry"))
		return;
	memset(v, 0, sizeof(*v));
	v->mark = mark_of(item->val);
	map_fields(ld, item->val, "VIP entry", vip_keys, V_KEYS, f);
	if (!f[V_VIP].key || !get_endpoint(ld, &f[V_VIP], &v->vip)) {
		ld->vip_unparsed = true;
		ok = false;
	}
	for (i = 0; ok && i < b->n_vips; i++) {
		if (!memcmp(&b->vips[i].vip, &v->vip, sizeof(v->vip))) {
			diag(ld, f[V_VIP].val, "VIP %s is defined twice (first at line %d)",
			     endpoint_str(&v->vip, ep, sizeof(ep)), b->vips[i].mark.line);
			ok = false;
		}
	}
	ok &= load_keys(ld, f, vip_keys, V_KEYS, v); /* encap, hash-no-ports */
	encap_at = f[V_ENCAP].key ? &f[V_ENCAP] : &f[V_VIP];
	if (ok && !encap_fits_vip(v)) {
		diag(ld, encap_at->val, "encap '%s' carries IPv%d, but VIP %s is IPv%d",
		     encap_names[v->encap], encap_inner_family(scenario_encap_type(v->encap)),
		     endpoint_str(&v->vip, ep, sizeof(ep)), v->vip.addr.family);
		ok = false;
	}
	if (f[V_BACKENDS].key) {
		if (is_empty_seq(f[V_BACKENDS].val))
			diag(ld, f[V_BACKENDS].val,
			     "'backends' is empty; a VIP needs at least one container");
		load_list(ld, &f[V_BACKENDS], &v->n_backends, SC_MAX_BACKENDS, "backends",
			  load_vip_backend, v);
	}
	if (ok)
		b->n_vips++;
}

/* The balancer's interface comes from a link: an lb has no other. */
static void check_balancer_iface(struct loader *ld, const yaml_node_t *at, const char *node,
				 bool given)
{
	const struct sc_balancer *b = &ld->sc->balancer;
	const struct sc_point pt = { 0 };
	struct sc_point want = pt;
	int i;

	if (!ld->links_given)
		return;
	strcpy(want.node, node);
	strcpy(want.iface, b->iface);
	for (i = 0; i < ld->sc->n_links; i++)
		if (point_equal(&ld->sc->links[i].a, &want) ||
		    point_equal(&ld->sc->links[i].b, &want))
			return;
	if (point_nic(ld->sc, &want))
		return;
	diag(ld, at, "balancer interface '%s:%s'%s is in no link", node, b->iface,
	     given ? "" : " (the default)");
}

/* One balancer node: an lb, listed once. */
static void load_balancer_node(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_balancer *b = ctx;
	char name[SC_NAME_MAX];
	int i = get_node_ref(ld, item, name), j;

	if (i < 0 || !check_role(ld, item->val, i, ROLE_LB, "balancer node"))
		return;
	for (j = 0; j < b->n_nodes; j++) {
		if (strcmp(b->nodes[j], name))
			continue;
		diag(ld, item->val, "balancer node '%s' is listed twice", name);
		return;
	}
	ld->lb_ref[b->n_nodes] = item->val;
	strcpy(b->nodes[b->n_nodes++], name);
}

/* node: lb1, or node: [lb1, lb2] for balancers that run the same tables. */
static void load_balancer_nodes(struct loader *ld, const struct field *f)
{
	struct sc_balancer *b = &ld->sc->balancer;

	if (f->val->type != YAML_SEQUENCE_NODE) {
		load_balancer_node(ld, f, b);
		return;
	}
	if (is_empty_seq(f->val))
		diag(ld, f->val, "'node' is empty; a balancer needs at least one lb node");
	load_list(ld, f, &b->n_nodes, SC_MAX_LBS, "balancer nodes", load_balancer_node, b);
}

enum {
	B_NODE,
	B_IFACE,
	B_MODE,
	B_MTU,
	B_CHAIN,
	B_NEXTHOP,
	B_VIPS,
	B_RING,
	B_CONN,
	B_FAULTS,
	B_KEYS
};
static const struct key balancer_keys[] = {
	[B_NODE] = KEY("node", true),
	[B_IFACE] = KEY("interface", false),
	[B_MODE] = KEY_ENUM("mode", false, struct sc_balancer, mode, xdp_mode_names, XDP_MODE_MAX),
	/* 576: the too-big answer must stay longer than its quote (lb/lb.h LB_MTU_MIN) */
	[B_MTU] = KEY_INT("mtu", struct sc_balancer, mtu, 576, 65535),
	[B_CHAIN] = KEY("chain", false),
	[B_NEXTHOP] = KEY("nexthop", false),
	[B_VIPS] = KEY("vips", false),
	[B_RING] = KEY("ring-size", false),
	[B_CONN] = KEY_ENUM("conn-table", false, struct sc_balancer, conn_table, conn_kind_names,
			    CONN_KIND_MAX),
	[B_FAULTS] = KEY("faults", false),
};

/* faults: [NAME, ...], known bugs of that program put back (common/faults.h). */
struct fault_ctx {
	enum fault_of of;
	__u32 *flags;
	int n;
};

static void load_fault(struct loader *ld, const struct field *item, void *ctx)
{
	struct fault_ctx *fc = ctx;
	const char *s = get_scalar(ld, item, "a fault name");
	__u32 flag;

	fc->n++;
	if (!s)
		return;
	if (fault_parse(fc->of, s, &flag)) {
		enum fault_of other = fc->of == FAULT_OF_DECAP ? FAULT_OF_BALANCER : FAULT_OF_DECAP;

		if (!fault_parse(other, s, &flag))
			diag(ld, item->val, "'%s' is a fault of the %s, not of the %s", s,
			     other == FAULT_OF_DECAP ? "decap ('backend: {faults: ...}')" :
						       "balancer ('balancer: {faults: ...}')",
			     fc->of == FAULT_OF_DECAP ? "decap" : "balancer");
		else
			diag(ld, item->val, "unknown fault '%s'; the %s's faults are: %s", s,
			     fc->of == FAULT_OF_DECAP ? "decap" : "balancer", fault_names(fc->of));
		return;
	}
	*fc->flags |= flag;
}

static void load_faults(struct loader *ld, const struct field *f, enum fault_of of, __u32 *flags)
{
	struct fault_ctx fc = { .of = of, .flags = flags };

	if (is_empty_seq(f->val))
		diag(ld, f->val, "'faults' is empty; leave it out for the program as it is");
	load_list(ld, f, &fc.n, 4, "faults", load_fault, &fc);
}

/* The example members of bpf/chain_member.bpf.c, as enum sc_chain_member. */
static const char *const chain_member_names[] = { "count", "drop" };

static void load_chain_member(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_balancer *b = ctx;
	int m;

	if (get_enum(ld, item, chain_member_names, ARRAY_SIZE(chain_member_names), &m))
		b->chain[b->n_chain++] = m;
}

/* One ring size: a prime number of slots, as dsrlab-lb attach --ring-size takes it. */
static bool get_ring_size(struct loader *ld, const struct field *f, unsigned int *out)
{
	int v;

	if (!get_int(ld, f, 2, INT_MAX, &v))
		return false;
	if (!maglev_is_prime(v)) {
		diag(ld, f->val, "'ring-size' must be a prime number of slots, like 65537, got %d",
		     v);
		return false;
	}
	*out = v;
	return true;
}

/*
 * ring-size: N for every balancer, or {lb1: N, lb2: M} per balancer (the rest default):
 * balancers whose rings differ send a flow to different backends (a failover breaks it).
 */
static void load_ring_sizes(struct loader *ld, struct sc_balancer *b, const struct field *f)
{
	const yaml_node_t *k, *v;
	yaml_node_pair_t *p;
	unsigned int size;
	int i;

	if (f->val->type != YAML_MAPPING_NODE) {
		if (get_ring_size(ld, f, &size))
			for (i = 0; i < SC_MAX_LBS; i++)
				b->ring_size[i] = size;
		return;
	}
	for (p = f->val->data.mapping.pairs.start; p < f->val->data.mapping.pairs.top; p++) {
		struct field vf;

		pair_nodes(ld, p, &k, &v);
		if (!key_is_scalar(ld, k, "'ring-size'"))
			continue;
		vf = (struct field){ .name = scalar_text(k), .key = k, .val = v };
		for (i = 0; i < b->n_nodes && strcmp(b->nodes[i], vf.name); i++)
			;
		if (i == b->n_nodes)
			diag(ld, k, "'%s' in 'ring-size' is not a balancer node", vf.name);
		else
			get_ring_size(ld, &vf, &b->ring_size[i]);
	}
}

static void load_balancer(struct loader *ld, const struct field *bf)
{
	struct sc_balancer *b = &ld->sc->balancer;
	struct field f[B_KEYS];
	int i, mode;
	bool iface_ok = true;

	if (!want_map(ld, bf))
		return;
	b->present = true;
	b->mark = mark_of(bf->val);
	map_fields(ld, bf->val, "balancer", balancer_keys, B_KEYS, f);
	if (f[B_NODE].key)
		load_balancer_nodes(ld, &f[B_NODE]);
	if (b->n_nodes)
		strcpy(b->node, b->nodes[0]);
	if (f[B_IFACE].key) {
		const char *s = get_scalar(ld, &f[B_IFACE], "an interface name");

		iface_ok = s && check_ifname(ld, f[B_IFACE].val, s);
		if (iface_ok)
			strcpy(b->iface, s);
	}
	for (i = 0; iface_ok && i < b->n_nodes; i++)
		check_balancer_iface(ld, f[B_IFACE].key ? f[B_IFACE].val : ld->lb_ref[i],
				     b->nodes[i], f[B_IFACE].key);
	load_keys(ld, f, balancer_keys, B_KEYS, b); /* mode, mtu, conn-table */
	if (f[B_NEXTHOP].key &&
	    get_enum(ld, &f[B_NEXTHOP], nexthop_names, ARRAY_SIZE(nexthop_names), &mode))
		b->nexthop_fib = mode == 1;
	if (f[B_CHAIN].key) {
		b->chain_mark = mark_of(f[B_CHAIN].val);
		if (is_empty_seq(f[B_CHAIN].val))
			diag(ld, f[B_CHAIN].val,
			     "'chain' is empty; leave it out for a balancer without a chain");
		load_list(ld, &f[B_CHAIN], &b->n_chain, SC_MAX_CHAIN, "chain members",
			  load_chain_member, b);
	}
	if (f[B_VIPS].key)
		load_list(ld, &f[B_VIPS], &b->n_vips, SC_MAX_VIPS, "VIPs", load_vip, NULL);
	if (f[B_RING].key)
		load_ring_sizes(ld, b, &f[B_RING]);
	if (f[B_FAULTS].key)
		load_faults(ld, &f[B_FAULTS], FAULT_OF_BALANCER, &b->faults);
	if (f[B_MTU].key)
		b->mtu_mark = mark_of(f[B_MTU].val);
}

/* backend: */

enum { D_DECAP, D_STRICT, D_ALLOW, D_FAULTS, D_KEYS };
static const struct key backend_keys[] = {
	[D_DECAP] = KEY("decap", false),
	[D_STRICT] = KEY_BOOL("strict", struct sc_backend, strict),
	[D_ALLOW] = KEY("allow", false),
	[D_FAULTS] = KEY("faults", false),
};

static void load_backend_allow(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_backend *b = ctx;

	if (get_prefix(ld, item, &b->allow[b->n_allow]))
		b->n_allow++;
}

static void load_backend(struct loader *ld, const struct field *bf)
{
	struct sc_backend *b = &ld->sc->backend;
	struct field f[D_KEYS];
	bool decap_ok = true;
	int decap;

	if (!want_map(ld, bf))
		return;
	b->mark = mark_of(bf->val);
	map_fields(ld, bf->val, "backend", backend_keys, D_KEYS, f);
	if (f[D_DECAP].key) {
		const char *names[ARRAY_SIZE(decap_order)];
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(decap_order); i++)
			names[i] = decap_at_name(decap_order[i]);
		decap_ok = get_enum(ld, &f[D_DECAP], names, ARRAY_SIZE(names), &decap);
		if (decap_ok)
			b->decap = decap_order[decap];
	}
	if (f[D_STRICT].key && load_key(ld, f, backend_keys, D_STRICT, b) && decap_ok &&
	    b->decap != DECAP_AT_HOST_NIC)
		diag(ld, f[D_STRICT].key, "'strict' applies only to 'decap: host-nic', not '%s'",
		     decap_at_name(b->decap));
	if (f[D_ALLOW].key) {
		if (is_empty_seq(f[D_ALLOW].val))
			diag(ld, f[D_ALLOW].val,
			     "'allow' is empty; leave it out to trust the "
			     "balancers");
		load_list(ld, &f[D_ALLOW], &b->n_allow, SC_MAX_ALLOW, "allow prefixes",
			  load_backend_allow, b);
	}
	if (f[D_FAULTS].key)
		load_faults(ld, &f[D_FAULTS], FAULT_OF_DECAP, &b->faults);
}

/* services: */

#define KINDS_COMMAND_SERVICE (1u << SC_SERVICE_COMMAND)

enum { S_NODE, S_LISTEN, S_KIND, S_COMMAND, S_NAME, S_READY, S_READY_TIMEOUT, S_USER, S_KEYS };
static const struct key service_keys[] = {
	[S_NODE] = KEY("node", true),
	[S_LISTEN] = KEY("listen", false),
	[S_KIND] = KEY_ENUM("kind", false, struct sc_service, kind, service_kind_names,
			    ARRAY_SIZE(service_kind_names)), /* built-in services */
	[S_COMMAND] = KEY("command", false),
	[S_NAME] = KEY("name", false),
	[S_READY] = KEY("ready", false),
	[S_READY_TIMEOUT] =
		KEY_INT_DEF_ONLY("ready-timeout-ms", struct sc_service, ready_timeout_ms, 1, 600000,
				 5000, KINDS_COMMAND_SERVICE),
	[S_USER] = KEY("user", false),
};

/* A key given where it has no meaning: said, pointing at the key. */
static bool not_for(struct loader *ld, const struct field *f, const char *what)
{
	if (!f->key)
		return false;
	diag(ld, f->key, "'%s' does not apply to %s", f->name, what);
	return true;
}

static bool get_command(struct loader *ld, const struct field *f, char *buf)
{
	if (!get_text(ld, f, buf, SC_COMMAND_MAX))
		return false;
	if (buf[strspn(buf, " \t\n")])
		return true;
	diag(ld, f->val, "'%s' is empty", f->name);
	return false;
}

/* "tcp:PORT": readiness is that port listening in the node's namespace. */
static bool get_ready(struct loader *ld, const struct field *f, int *port)
{
	const char *s = get_scalar(ld, f, "tcp:PORT");
	char *end;
	long v;

	if (!s)
		return false;
	if (strncmp(s, "tcp:", 4) || !s[4] || s[4] == '-') {
		diag(ld, f->val, "expected tcp:PORT for 'ready' (a TCP port listening), got '%.*s'",
		     SC_GOT_MAX, s);
		return false;
	}
	errno = 0;
	v = strtol(s + 4, &end, 10);
	if (errno || *end || v < 1 || v > 65535) {
		diag(ld, f->val, "invalid port in '%.*s' for 'ready'; expected 1 to 65535",
		     SC_GOT_MAX, s);
		return false;
	}
	*port = v;
	return true;
}

/* 'user': a user name or uid; resolved when the command starts, on the machine that runs it. */
static bool get_user(struct loader *ld, const struct field *f, char *buf)
{
	const char *s = get_scalar(ld, f, "a user name");

	if (!s)
		return false;
	if (!*s || strlen(s) >= SC_NAME_MAX ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(s)) {
		diag(ld, f->val, "expected a user name or uid for 'user' (like nobody), got '%.*s'",
		     SC_GOT_MAX, s);
		return false;
	}
	strcpy(buf, s);
	return true;
}

static bool load_command_service(struct loader *ld, struct sc_service *s, const struct field *f)
{
	bool ok = true;
	int i;

	s->kind = SC_SERVICE_COMMAND;
	key_defaults_of(service_keys, S_KEYS, s, KINDS_COMMAND_SERVICE);
	snprintf(s->name, sizeof(s->name), "service-%d", ld->sc->n_services + 1);
	ok &= !not_for(ld, &f[S_LISTEN], "a command service (wait for its port with 'ready')");
	ok &= !not_for(ld, &f[S_KIND], "a command service");
	ok &= get_command(ld, &f[S_COMMAND], s->command);
	if (f[S_NAME].key) {
		const char *n = get_scalar(ld, &f[S_NAME], "a service name");

		if (!n || !check_name(ld, f[S_NAME].val, n, "service", SC_NAME_MAX - 1, ""))
			return false;
		strcpy(s->name, n);
		for (i = 0; i < ld->sc->n_services; i++) {
			const struct sc_service *o = &ld->sc->services[i];

			if (o->kind == SC_SERVICE_COMMAND && !strcmp(o->node, s->node) &&
			    !strcmp(o->name, s->name)) {
				diag(ld, f[S_NAME].val,
				     "node '%s' already has a service named '%s' (line %d)",
				     s->node, s->name, o->mark.line);
				ok = false;
			}
		}
	}
	if (f[S_USER].key)
		ok &= get_user(ld, &f[S_USER], s->user);
	if (f[S_READY].key)
		ok &= get_ready(ld, &f[S_READY], &s->ready_port);
	ok &= load_key(ld, f, service_keys, S_READY_TIMEOUT, s);
	if (f[S_READY_TIMEOUT].key && !f[S_READY].key)
		diag(ld, f[S_READY_TIMEOUT].key,
		     "'ready-timeout-ms' needs 'ready' (what to wait for)");
	return ok;
}

static void load_service(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_service *s = &ld->sc->services[ld->sc->n_services];
	struct field f[S_KEYS];
	bool ok = true;

	(void)ctx;
	if (!want_type(ld, item, YAML_MAPPING_NODE, "a service entry"))
		return;
	memset(s, 0, sizeof(*s));
	s->mark = mark_of(item->val);
	map_fields(ld, item->val, "service entry", service_keys, S_KEYS, f);
	if (f[S_NODE].key && get_node_ref(ld, &f[S_NODE], s->node) < 0)
		ok = false;
	if (f[S_COMMAND].key) {
		if (!load_command_service(ld, s, f))
			ok = false;
		if (ok && f[S_NODE].key)
			ld->sc->n_services++;
		return;
	}
	ok &= !not_for(ld, &f[S_NAME], "a built-in service (only to a 'command')");
	ok &= !not_for(ld, &f[S_READY], "a built-in service (only to a 'command')");
	ok &= !not_for(ld, &f[S_READY_TIMEOUT], "a built-in service (only to a 'command')");
	ok &= !not_for(ld, &f[S_USER], "a built-in service (only to a 'command')");
	if (!f[S_LISTEN].key) {
		diag(ld, item->val,
		     "missing required key 'listen' (or 'command') in service entry");
		ok = false;
	} else if (get_endpoint(ld, &f[S_LISTEN], &s->listen) && !s->listen.port) {
		diag(ld, f[S_LISTEN].val, "'listen' needs a port, like 0.0.0.0:80/tcp");
		ok = false;
	}
	ok &= load_key(ld, f, service_keys, S_KIND, s);
	if (ok && s->kind == SC_SERVICE_SINK && s->listen.proto != IPPROTO_TCP) {
		diag(ld, f[S_LISTEN].val, "'kind: sink' is TCP only");
		ok = false;
	}
	/* a port another service of the node listens on: the semantic pass */
	if (ok && f[S_NODE].key && f[S_LISTEN].key) {
		s->listen_mark = mark_of(f[S_LISTEN].val);
		ld->sc->n_services++;
	}
}

/* traffic: */

enum {
	F_NAME,
	F_FROM,
	F_TO,
	F_CONNECTIONS,
	F_CONCURRENCY,
	F_TIMEOUT,
	F_REQUESTS,
	F_INTERVAL,
	F_START,
	F_BYTES,
	F_COMMAND,
	F_EXPECT_EXIT,
	F_EXPECT_OUTPUT,
	F_USER,
	F_KEYS
};
/* Traffic kinds, a bit each (enum sc_traffic_kind): what a key applies to, what a check reads. */
#define KINDS_REQUESTS (1u << SC_TRAFFIC_REQUESTS)
#define KINDS_SOCKET   (KINDS_REQUESTS | 1u << SC_TRAFFIC_BULK) /* not command traffic */

static const struct key traffic_keys[] = {
	[F_NAME] = KEY("name", true),
	[F_FROM] = KEY("from", true),
	[F_TO] = KEY("to", false),
	[F_CONNECTIONS] = KEY_INT_ONLY("connections", struct sc_traffic, connections, 1, 1000000,
				       KINDS_SOCKET),
	[F_CONCURRENCY] =
		KEY_INT_ONLY("concurrency", struct sc_traffic, concurrency, 1, 1024, KINDS_SOCKET),
	/* default by kind: load_traffic_entry() */
	[F_TIMEOUT] = KEY_INT("timeout-ms", struct sc_traffic, timeout_ms, 1, 3600000),
	[F_REQUESTS] =
		KEY_INT_ONLY("requests", struct sc_traffic, requests, 1, 1000000, KINDS_REQUESTS),
	[F_INTERVAL] = KEY_INT_ONLY("interval-ms", struct sc_traffic, interval_ms, 0, 3600000,
				    KINDS_REQUESTS),
	[F_START] = KEY_INT("start-ms", struct sc_traffic, start_ms, 0, 3600000),
	/*
	 * bytes, expect-exit and expect-output are read with their kind's other keys
	 * (load_traffic_kind()), in the order messages at one aliased node keep.
	 */
	[F_BYTES] = KEY("bytes", false),
	[F_COMMAND] = KEY("command", false),
	[F_EXPECT_EXIT] = KEY("expect-exit", false),
	[F_EXPECT_OUTPUT] = KEY("expect-output", false),
	[F_USER] = KEY("user", false),
};

_Static_assert(ARRAY_SIZE(traffic_keys) <= SC_KEYS_MAX, "raise SC_KEYS_MAX");

static const char *const traffic_kind_words[] = { "request traffic", "bulk traffic ('bytes')",
						  "command traffic" };

/* The keys that only some kinds of traffic take. */
static void load_traffic_kind(struct loader *ld, struct sc_traffic *t, const struct field *f,
			      const yaml_node_t *map)
{
	static const int sockets_only[] = { F_TO,	F_CONNECTIONS, F_CONCURRENCY,
					    F_REQUESTS, F_INTERVAL,    F_BYTES };
	unsigned int i;

	if (t->kind == SC_TRAFFIC_COMMAND) {
		for (i = 0; i < ARRAY_SIZE(sockets_only); i++)
			not_for(ld, &f[sockets_only[i]], traffic_kind_words[t->kind]);
		get_command(ld, &f[F_COMMAND], t->command);
		if (f[F_EXPECT_EXIT].key)
			get_int(ld, &f[F_EXPECT_EXIT], 0, 255, &t->expect_exit);
		if (f[F_EXPECT_OUTPUT].key)
			get_text(ld, &f[F_EXPECT_OUTPUT], t->expect_output,
				 sizeof(t->expect_output));
		if (f[F_USER].key)
			get_user(ld, &f[F_USER], t->user);
		return;
	}
	not_for(ld, &f[F_USER], "socket traffic (only to a 'command')");
	not_for(ld, &f[F_EXPECT_EXIT], "socket traffic (only to a 'command')");
	not_for(ld, &f[F_EXPECT_OUTPUT], "socket traffic (only to a 'command')");
	if (t->kind == SC_TRAFFIC_BULK) {
		not_for(ld, &f[F_REQUESTS], traffic_kind_words[t->kind]);
		not_for(ld, &f[F_INTERVAL], traffic_kind_words[t->kind]);
		get_int(ld, &f[F_BYTES], 1, 2000000000, &t->bytes);
	}
	if (!f[F_TO].key) {
		diag(ld, map, "missing required key 'to' (or 'command') in traffic entry");
		return;
	}
	if (!get_endpoint(ld, &f[F_TO], &t->to))
		return;
	if (!t->to.port)
		diag(ld, f[F_TO].val, "'to' needs a port, like 10.100.0.1:80/tcp");
	else if (t->kind == SC_TRAFFIC_BULK && t->to.proto != IPPROTO_TCP)
		diag(ld, f[F_TO].val, "bulk traffic ('bytes') is TCP only");
}

static void load_traffic_entry(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_traffic *t = &ld->sc->traffic[ld->sc->n_traffic];
	struct field f[F_KEYS];
	const char *name = NULL;
	int i;

	(void)ctx;
	if (!want_type(ld, item, YAML_MAPPING_NODE, "a traffic entry"))
		return;
	memset(t, 0, sizeof(*t));
	t->mark = mark_of(item->val);
	t->connections = 10;
	t->concurrency = 1;
	t->timeout_ms = 2000;
	t->requests = 1;
	map_fields(ld, item->val, "traffic entry", traffic_keys, F_KEYS, f);
	if (f[F_NAME].key) {
		name = get_scalar(ld, &f[F_NAME], "a traffic name");
		if (name && !check_name(ld, f[F_NAME].val, name, "traffic", SC_NAME_MAX - 1, ""))
			name = NULL;
	}
	if (!name)
		ld->traffic_unnamed = true;
	if (name) {
		i = traffic_index(ld->sc, name);
		if (i >= 0)
			diag(ld, f[F_NAME].val, "duplicate traffic name '%s' (first at line %d)",
			     name, ld->sc->traffic[i].mark.line);
	}
	if (f[F_FROM].key)
		get_node_ref(ld, &f[F_FROM], t->from);
	if (f[F_COMMAND].key) {
		t->kind = SC_TRAFFIC_COMMAND;
		t->connections = 1;
		t->timeout_ms = 10000;
	} else if (f[F_BYTES].key) {
		t->kind = SC_TRAFFIC_BULK;
		t->connections = 1;
	}
	load_traffic_kind(ld, t, f, item->val);
	load_keys_of(ld, f, traffic_keys, F_KEYS, t, 1u << t->kind);
	/* registered even when other keys are wrong, so references to it do not cascade */
	if (name && traffic_index(ld->sc, name) < 0) {
		strcpy(t->name, name);
		ld->sc->n_traffic++;
	}
}

/* capture: */

enum { C_AT, C_FILTER, C_SNAPLEN, C_KEYS };
static const struct key capture_keys[] = {
	[C_AT] = KEY("at", true),
	[C_FILTER] = KEY_TEXT("filter", false, struct sc_capture, filter),
	[C_SNAPLEN] = KEY_INT_DEF("snaplen", struct sc_capture, snaplen, 1, SC_SNAPLEN_DEFAULT,
				  SC_SNAPLEN_DEFAULT),
};

static void load_capture(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_capture *c = &ld->sc->captures[ld->sc->n_captures];
	const yaml_node_t *at = item->val;
	struct field f[C_KEYS];
	bool ok;

	(void)ctx;
	memset(c, 0, sizeof(*c));
	c->mark = mark_of(item->val);
	key_defaults(capture_keys, C_KEYS, c);
	if (item->val->type == YAML_SCALAR_NODE && !is_null(item->val)) {
		ok = get_existing_point(ld, item, &c->at) >= 0;
	} else if (item->val->type == YAML_MAPPING_NODE) {
		map_fields(ld, item->val, "capture entry", capture_keys, C_KEYS, f);
		ok = f[C_AT].key && get_existing_point(ld, &f[C_AT], &c->at) >= 0;
		if (f[C_AT].key)
			at = f[C_AT].val;
		/* the filter is compiled before 'snaplen' is read, as it is written */
		if (f[C_FILTER].key && (!load_key(ld, f, capture_keys, C_FILTER, c) ||
					!check_filter(ld, &f[C_FILTER], c->filter)))
			ok = false;
		ok &= load_key(ld, f, capture_keys, C_SNAPLEN, c);
	} else {
		char got[SC_GOT_MAX + 8];

		diag(ld, field_at(item),
		     "expected NODE:IFACE or {at: NODE:IFACE, ...} for a "
		     "capture, got %s",
		     describe(item->val, got, sizeof(got)));
		return;
	}
	if (!ok)
		return;
	c->at_mark = mark_of(at); /* a point captured twice: the semantic pass */
	ld->sc->n_captures++;
}

/* expect: */

static int get_traffic_ref(struct loader *ld, const struct field *f, char *buf)
{
	const char *s = get_scalar(ld, f, "a traffic name");
	char sugg[SC_NAME_MAX * 2 + 32];
	struct sc_suggestion sg = { 0 };
	int i;

	if (!s)
		return -1;
	i = traffic_index(ld->sc, s);
	if (i >= 0) {
		strcpy(buf, ld->sc->traffic[i].name);
		return i;
	}
	if (ld->traffic_unnamed)
		return -1;
	for (i = 0; i < ld->sc->n_traffic; i++)
		sc_suggest_consider(&sg, s, ld->sc->traffic[i].name);
	diag(ld, f->val, "unknown traffic '%.*s' in '%s'%s", SC_GOT_MAX, s, f->name,
	     sc_suggest_str(&sg, sugg, sizeof(sugg)));
	return -1;
}

/* A traffic reference for a check that only some kinds of traffic can answer. */
static void get_traffic_ref_kind(struct loader *ld, const struct field *f, char *buf,
				 unsigned int kinds, const char *check)
{
	int i = get_traffic_ref(ld, f, buf);
	const struct sc_traffic *t;

	if (i < 0)
		return;
	t = &ld->sc->traffic[i];
	if (!(kinds & 1u << t->kind))
		diag(ld, f->val, "'%s' does not apply to '%s', which is %s", check, t->name,
		     traffic_kind_words[t->kind]);
}

enum { SB_TRAFFIC, SB_NODES, SB_MIN, SB_SHARE, SB_TOLERANCE, SB_KEYS };
static const struct key served_by_keys[] = {
	[SB_TRAFFIC] = KEY("traffic", true),
	[SB_NODES] = KEY("nodes", true),
	[SB_MIN] = KEY_INT_DEF("min", struct sc_expect, min, 1, 1000000000, 0),
	[SB_SHARE] = KEY("share", false),
	[SB_TOLERANCE] = KEY_INT_DEF("tolerance", struct sc_expect, tolerance, 0, 100, 5),
};

/* share: {NODE: PERCENT, ...}, each NODE one of 'nodes', the percents summing to 100. */
static void load_served_share(struct loader *ld, const struct field *sf, struct sc_expect *e)
{
	const char *names[SC_MAX_BACKENDS];
	const yaml_node_t *k, *v;
	yaml_node_pair_t *p;
	int i, sum = 0, bad = 0;

	if (!want_map(ld, sf))
		return;
	for (i = 0; i < e->n_nodes; i++)
		names[i] = e->nodes[i];
	for (p = sf->val->data.mapping.pairs.start; p < sf->val->data.mapping.pairs.top; p++) {
		struct field f = { .name = "share" };

		pair_nodes(ld, p, &k, &v);
		if (!key_is_scalar(ld, k, "'share'"))
			continue;
		i = name_index(scalar_text(k), names, e->n_nodes);
		if (i < 0) {
			unknown_key(ld, k, "node", "'share' (not in 'nodes')", names, e->n_nodes);
			bad++;
			continue;
		}
		if (e->share[i] >= 0) {
			diag(ld, k, "node '%s' is given twice in 'share'", e->nodes[i]);
			continue;
		}
		f.key = k;
		f.val = v;
		if (!get_int(ld, &f, 0, 100, &e->share[i])) {
			e->share[i] = 0; /* reported: not again as missing */
			bad++;
		}
		sum += e->share[i];
	}
	for (i = 0; i < e->n_nodes; i++)
		if (e->share[i] < 0 && ++bad)
			diag(ld, sf->val, "'share' gives no percent for '%s' (one of 'nodes')",
			     e->nodes[i]);
	if (sum != 100 && !bad)
		diag(ld, sf->val, "the percents in 'share' add up to %d, not 100", sum);
}

static void load_served_node(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_expect *e = ctx;

	if (get_node_ref(ld, item, e->nodes[e->n_nodes]) >= 0)
		e->n_nodes++;
}

static void load_served_by(struct loader *ld, const struct field *ef, struct sc_expect *e)
{
	struct field f[SB_KEYS];

	if (!want_map(ld, ef))
		return;
	map_fields(ld, ef->val, "'served-by'", served_by_keys, SB_KEYS, f);
	if (f[SB_TRAFFIC].key)
		get_traffic_ref_kind(ld, &f[SB_TRAFFIC], e->traffic, KINDS_SOCKET, "served-by");
	if (f[SB_NODES].key)
		load_list(ld, &f[SB_NODES], &e->n_nodes, SC_MAX_BACKENDS, "nodes", load_served_node,
			  e);
	key_defaults(served_by_keys, SB_KEYS, e);
	load_key(ld, f, served_by_keys, SB_MIN, e);
	memset(e->share, 0xff, sizeof(e->share)); /* -1: no share given */
	if (f[SB_SHARE].key)
		load_served_share(ld, &f[SB_SHARE], e);
	if (f[SB_TOLERANCE].key && !f[SB_SHARE].key)
		diag(ld, f[SB_TOLERANCE].key, "'tolerance' applies to 'share', which is not given");
	else
		load_key(ld, f, served_by_keys, SB_TOLERANCE, e);
}

enum { CM_SLOT, CM_MIN, CM_KEYS };
static const struct key chain_member_keys[] = {
	[CM_SLOT] = KEY_INT_REQ("slot", struct sc_expect, slot, 0, SC_MAX_CHAIN - 1),
	[CM_MIN] = KEY_INT("min", struct sc_expect, min, 0, 1000000000),
};

/* {chain-member: {slot: N, min: N}}: the balancer's chain has a counting member in slot N. */
static void load_chain_check(struct loader *ld, const struct field *ef, struct sc_expect *e)
{
	const struct sc_balancer *b = &ld->sc->balancer;
	struct field f[CM_KEYS];

	if (!want_map(ld, ef))
		return;
	map_fields(ld, ef->val, "'chain-member'", chain_member_keys, CM_KEYS, f);
	load_key(ld, f, chain_member_keys, CM_MIN, e);
	if (!f[CM_SLOT].key || !load_key(ld, f, chain_member_keys, CM_SLOT, e))
		return;
	if (!b->present)
		diag(ld, f[CM_SLOT].val, "'chain-member' needs a balancer, and there is none");
	else if (e->slot >= b->n_chain)
		diag(ld, f[CM_SLOT].val,
		     "the balancer's chain has no member in slot %d (its 'chain' lists %d)",
		     e->slot, b->n_chain);
}

static const char *const counter_of_names[] = { "balancer", "decap" };
enum { CT_OF, CT_NODE, CT_NAME, CT_MIN, CT_MAX, CT_KEYS };
static const struct key counter_keys[] = {
	[CT_OF] = KEY("of", true),
	[CT_NODE] = KEY("node", false),
	[CT_NAME] = KEY("name", true),
	[CT_MIN] = KEY_INT_DEF("min", struct sc_expect, min, 0, 1000000000, 0),
	[CT_MAX] = KEY_INT_DEF("max", struct sc_expect, max, 0, 1000000000, -1), /* -1: none */
};

/* A decap serves the containers that back a VIP and, with host-nic, the hosts. */
static bool counter_node_has_decap(struct loader *ld, const struct field *f, int i)
{
	enum decap_at at = ld->sc->backend.decap;
	const struct sc_node *n = &ld->sc->nodes[i];

	if (!ld->role_ok[i] ||
	    (at != DECAP_AT_NONE && n->role == ROLE_CONTAINER && is_backend(ld->sc, n->name)) ||
	    (n->role == ROLE_HOST && at == DECAP_AT_HOST_NIC))
		return true;
	if (at == DECAP_AT_NONE)
		diag(ld, f->val, "no decap serves '%s': 'decap: none' attaches none", n->name);
	else
		diag(ld, f->val,
		     "no decap serves '%s' (%s %s): decap serves the containers that back a VIP%s",
		     n->name, role_article(n->role), role_names[n->role],
		     at == DECAP_AT_HOST_NIC ? ", and hosts" : "");
	return false;
}

/* Node i runs the balancer (one of its nodes); said when not. */
static bool check_balancer_node(struct loader *ld, const struct field *f, int i)
{
	const struct sc_balancer *b = &ld->sc->balancer;
	char valid[SC_MAX_LBS * (SC_NAME_MAX + 2)];
	const char *names[SC_MAX_LBS];
	int j;

	for (j = 0; j < b->n_nodes; j++) {
		if (!strcmp(b->nodes[j], ld->sc->nodes[i].name))
			return true;
		names[j] = b->nodes[j];
	}
	if (!b->n_nodes)
		return false; /* no balancer (said elsewhere) or its nodes were wrong (said) */
	join_names(names, b->n_nodes, valid, sizeof(valid));
	diag(ld, f->val, "'%s' runs no balancer; the balancer nodes: %s", ld->sc->nodes[i].name,
	     valid);
	return false;
}

/* The counter's name, checked against the table of what it counts (common/stat_names.h). */
static void counter_name(struct loader *ld, const struct field *f, struct sc_expect *e)
{
	const char *const *names = e->counter_decap ? decap_stat_names : lb_stat_names;
	int n = e->counter_decap ? DECAP_STAT_MAX : LB_STAT_MAX;
	const char *s = get_scalar(ld, f, "a counter name");
	char sugg[SC_NAME_MAX * 2 + 32];

	if (!s)
		return;
	e->counter = e->counter_decap ? decap_stat_parse(s) : lb_stat_parse(s);
	if (e->counter >= 0)
		return;
	sc_suggest_from(s, names, n, sugg, sizeof(sugg));
	diag(ld, f->val, "the %s has no counter '%.*s'%s (its counters: see `%s`)",
	     counter_of_names[e->counter_decap], SC_GOT_MAX, s, sugg,
	     e->counter_decap ? "dsrlab-backend stats" : "dsrlab-lb stats");
}

/* {counter: {of: balancer|decap, node: N, name: C, min: N, max: N}} */
static void load_counter(struct loader *ld, const struct field *ef, struct sc_expect *e)
{
	struct field f[CT_KEYS];
	int of = -1, node = -1;

	key_defaults(counter_keys, CT_KEYS, e);
	if (!want_map(ld, ef))
		return;
	map_fields(ld, ef->val, "'counter'", counter_keys, CT_KEYS, f);
	if (f[CT_OF].key &&
	    get_enum(ld, &f[CT_OF], counter_of_names, ARRAY_SIZE(counter_of_names), &of))
		e->counter_decap = of == 1;
	if (f[CT_NODE].key)
		node = get_node_ref(ld, &f[CT_NODE], e->node);
	if (node >= 0 && of == 0)
		check_balancer_node(ld, &f[CT_NODE], node);
	if (of == 1 && !f[CT_NODE].key)
		diag(ld, f[CT_OF].val, "'of: decap' needs 'node': the node the decap serves");
	if (node >= 0 && of == 1)
		counter_node_has_decap(ld, &f[CT_NODE], node);
	if (of == 0 && !ld->sc->balancer.present)
		diag(ld, f[CT_OF].val, "'counter' of the balancer needs one, and there is none");
	if (f[CT_NAME].key && of >= 0)
		counter_name(ld, &f[CT_NAME], e);
	load_keys(ld, f, counter_keys, CT_KEYS, e);
	if (!f[CT_MIN].key && !f[CT_MAX].key)
		diag(ld, ef->key, "'counter' needs 'min' or 'max' (max: 0 for none)");
	else if (e->max >= 0 && e->min > e->max)
		diag(ld, f[CT_MAX].val, "'max' (%d) is below 'min' (%d)", e->max, e->min);
}

/* seen and never-seen share keys; never-seen has no 'min'. */
enum { E_AT, E_SRC, E_DST, E_FILTER, E_MIN, E_KEYS };
static const struct key seen_keys[] = {
	[E_AT] = KEY("at", true),
	[E_SRC] = KEY("src", false),
	[E_DST] = KEY("dst", false),
	[E_FILTER] = KEY_TEXT("filter", false, struct sc_expect, filter),
	[E_MIN] = KEY_INT("min", struct sc_expect, min, 1, 1000000000), /* default 1 */
};

static void load_seen(struct loader *ld, const struct field *ef, struct sc_expect *e)
{
	bool never = e->kind == SC_EXPECT_NEVER_SEEN;
	struct field f[E_KEYS];
	char where[32];

	if (!want_map(ld, ef))
		return;
	snprintf(where, sizeof(where), "'%s'", expect_names[e->kind]);
	map_fields(ld, ef->val, where, seen_keys, never ? E_MIN : E_KEYS, f);
	if (f[E_AT].key)
		get_existing_point(ld, &f[E_AT], &e->at);
	if (f[E_SRC].key)
		get_addr(ld, &f[E_SRC], &e->src);
	if (f[E_DST].key)
		get_addr(ld, &f[E_DST], &e->dst);
	if (f[E_FILTER].key && load_key(ld, f, seen_keys, E_FILTER, e))
		check_filter(ld, &f[E_FILTER], e->filter);
	if (!never)
		load_key(ld, f, seen_keys, E_MIN, e);
}

enum { X_AT, X_VIP, X_OUTER_SRC, X_OUTER_DST, X_ENCAP, X_KEYS };
static const struct key encapsulated_keys[] = {
	[X_AT] = KEY("at", true),
	[X_VIP] = KEY("vip", true),
	[X_OUTER_SRC] = KEY("outer-src", false),
	[X_OUTER_DST] = KEY("outer-dst", false),
	[X_ENCAP] = KEY_ENUM("encap", false, struct sc_expect, outer_encap, encap_names,
			     ARRAY_SIZE(encap_names)), /* default -1: any */
};

/* The index of the balancer's VIP a value names, or -1 (reported unless unknowable). */
static int get_vip_ref(struct loader *ld, const struct field *f, const char *what,
		       struct endpoint *out)
{
	const struct sc_balancer *b = &ld->sc->balancer;
	char ep[ADDR_STRLEN];
	int i;

	if (!get_endpoint(ld, f, out))
		return -1;
	if (!b->present) {
		diag(ld, f->val, "'%s' needs a balancer, and there is none", what);
		return -1;
	}
	for (i = 0; i < b->n_vips; i++)
		if (!memcmp(&b->vips[i].vip, out, sizeof(*out)))
			return i;
	if (!ld->vip_unparsed)
		diag(ld, f->val, "%s is not a VIP of the balancer",
		     endpoint_str(out, ep, sizeof(ep)));
	return -1;
}

static void load_encapsulated(struct loader *ld, const struct field *ef, struct sc_expect *e)
{
	struct field f[X_KEYS];

	if (!want_map(ld, ef))
		return;
	map_fields(ld, ef->val, "'encapsulated'", encapsulated_keys, X_KEYS, f);
	if (f[X_AT].key)
		get_existing_point(ld, &f[X_AT], &e->at);
	if (f[X_VIP].key)
		get_vip_ref(ld, &f[X_VIP], "encapsulated", &e->vip);
	if (f[X_OUTER_SRC].key)
		get_addr(ld, &f[X_OUTER_SRC], &e->outer_src);
	if (f[X_OUTER_DST].key)
		get_addr(ld, &f[X_OUTER_DST], &e->outer_dst);
	e->outer_encap = -1;
	load_keys(ld, f, encapsulated_keys, X_KEYS, e);
}

enum { A_TRAFFIC, A_MAX_FAILED, A_KEYS };
static const struct key answered_keys[] = {
	[A_TRAFFIC] = KEY("traffic", true),
	[A_MAX_FAILED] = KEY_INT_DEF("max-failed", struct sc_expect, max_failed, 0, 1000000, 0),
};

/* {answered: web}, or {answered: {traffic: web, max-failed: N}} to allow some loss. */
static void load_answered(struct loader *ld, const struct field *ef, struct sc_expect *e)
{
	struct field f[A_KEYS];

	key_defaults(answered_keys, A_KEYS, e);
	if (ef->val->type != YAML_MAPPING_NODE) {
		get_traffic_ref(ld, ef, e->traffic);
		return;
	}
	map_fields(ld, ef->val, "'answered'", answered_keys, A_KEYS, f);
	if (f[A_TRAFFIC].key)
		get_traffic_ref(ld, &f[A_TRAFFIC], e->traffic);
	load_keys(ld, f, answered_keys, A_KEYS, e);
}

enum { DR_AT, DR_REASON, DR_MIN, DR_MAX, DR_KEYS };
static const struct key drops_keys[] = {
	[DR_AT] = KEY("at", true),
	[DR_REASON] = KEY_TEXT("reason", false, struct sc_expect, reason),
	[DR_MIN] = KEY_INT_DEF("min", struct sc_expect, min, 0, 1000000000, 0),
	[DR_MAX] = KEY_INT_DEF("max", struct sc_expect, max, 0, 1000000000, -1), /* -1: none */
};

static void load_drops(struct loader *ld, const struct field *ef, struct sc_expect *e)
{
	struct field f[DR_KEYS];

	key_defaults(drops_keys, DR_KEYS, e);
	if (!want_map(ld, ef))
		return;
	map_fields(ld, ef->val, "'drops'", drops_keys, DR_KEYS, f);
	if (f[DR_AT].key)
		get_node_ref(ld, &f[DR_AT], e->node);
	load_keys(ld, f, drops_keys, DR_KEYS, e);
	if (!f[DR_MIN].key && !f[DR_MAX].key)
		diag(ld, ef->key, "'drops' needs 'min' or 'max' (max: 0 for none)");
}

/* goodput, exit and output: {traffic: T, KEY: VALUE}. */
enum { G_TRAFFIC, G_VALUE, G_KEYS };

static void load_traffic_check(struct loader *ld, const struct field *ef, struct sc_expect *e)
{
	static const struct key goodput_keys[] = {
		KEY("traffic", true), KEY_INT("min-mbps", struct sc_expect, min_mbps, 0, 1000000)
	};
	static const struct key exit_keys[] = {
		KEY("traffic", true), KEY_INT_REQ("status", struct sc_expect, status, 0, 255)
	};
	static const struct key output_keys[] = {
		KEY("traffic", true), KEY_TEXT("contains", true, struct sc_expect, contains)
	};
	const struct key *keys = e->kind == SC_EXPECT_GOODPUT ? goodput_keys :
				 e->kind == SC_EXPECT_EXIT    ? exit_keys :
								output_keys;
	unsigned int kinds =
		1u << (e->kind == SC_EXPECT_GOODPUT ? SC_TRAFFIC_BULK : SC_TRAFFIC_COMMAND);
	struct field f[G_KEYS];
	char where[32];

	if (!want_map(ld, ef))
		return;
	snprintf(where, sizeof(where), "'%s'", expect_names[e->kind]);
	map_fields(ld, ef->val, where, keys, G_KEYS, f);
	if (f[G_TRAFFIC].key)
		get_traffic_ref_kind(ld, &f[G_TRAFFIC], e->traffic, kinds, expect_names[e->kind]);
	load_keys(ld, f, keys, G_KEYS, e);
}

static void load_expect(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_expect *e = &ld->sc->expects[ld->sc->n_expects];
	const yaml_node_t *k, *v, *kind_key = NULL;
	struct field ef = { 0 };
	yaml_node_pair_t *p;
	char valid[128];
	int i;

	(void)ctx;
	if (!want_type(ld, item, YAML_MAPPING_NODE, "an expect entry"))
		return;
	memset(e, 0, sizeof(*e));
	e->mark = mark_of(item->val);
	e->min = 1;
	for (p = item->val->data.mapping.pairs.start; p < item->val->data.mapping.pairs.top; p++) {
		pair_nodes(ld, p, &k, &v);
		if (!key_is_scalar(ld, k, "expect entry"))
			continue;
		i = name_index(scalar_text(k), expect_names, ARRAY_SIZE(expect_names));
		if (i < 0) {
			unknown_key(ld, k, "check", "expect entry", expect_names,
				    ARRAY_SIZE(expect_names));
			continue;
		}
		if (kind_key) {
			diag(ld, k,
			     "an expect entry holds one check; '%s' follows '%s' (give it an "
			     "entry of its own)",
			     scalar_text(k), scalar_text(kind_key));
			continue;
		}
		kind_key = k;
		e->kind = i;
		ef = (struct field){ .name = expect_names[i], .key = k, .val = v };
	}
	if (!kind_key) {
		if (is_empty_map(item->val)) {
			join_names(expect_names, ARRAY_SIZE(expect_names), valid, sizeof(valid));
			diag(ld, item->val, "empty expect entry; expected one of: %s", valid);
		}
		return;
	}
	switch (e->kind) {
	case SC_EXPECT_ANSWERED:
		load_answered(ld, &ef, e);
		break;
	case SC_EXPECT_SERVED_BY:
		load_served_by(ld, &ef, e);
		break;
	case SC_EXPECT_NEVER_SEEN:
	case SC_EXPECT_SEEN:
		load_seen(ld, &ef, e);
		break;
	case SC_EXPECT_ENCAPSULATED:
		load_encapsulated(ld, &ef, e);
		break;
	case SC_EXPECT_DROPS:
		load_drops(ld, &ef, e);
		break;
	case SC_EXPECT_UNBROKEN:
		get_traffic_ref_kind(ld, &ef, e->traffic, 1u << SC_TRAFFIC_REQUESTS, "unbroken");
		break;
	case SC_EXPECT_GOODPUT:
	case SC_EXPECT_EXIT:
	case SC_EXPECT_OUTPUT:
		load_traffic_check(ld, &ef, e);
		break;
	case SC_EXPECT_CHAIN_MEMBER:
		load_chain_check(ld, &ef, e);
		break;
	case SC_EXPECT_COUNTER:
		load_counter(ld, &ef, e);
		break;
	}
	ld->sc->n_expects++;
}

/* phases: */

/* The pools as the phases listed so far leave them: a bit per node index. */
static void pools_init(struct loader *ld)
{
	const struct sc_balancer *b = &ld->sc->balancer;
	int v, k;

	if (ld->pools_ready)
		return;
	ld->pools_ready = true;
	for (v = 0; v < b->n_vips; v++)
		for (k = 0; k < b->vips[v].n_backends; k++)
			ld->pool[v] |= 1u << node_index(ld->sc, b->vips[v].backends[k]);
}

enum { PB_VIP, PB_BACKEND, PB_FLUSH, PB_KEYS };
static const struct key pool_change_keys[] = {
	[PB_VIP] = KEY("vip", true),
	[PB_BACKEND] = KEY("backend", true),
	[PB_FLUSH] = KEY_BOOL("flush", struct sc_phase, flush),
};

static bool load_pool_change(struct loader *ld, const struct field *af, struct sc_phase *p)
{
	bool add = p->kind == SC_PHASE_ADD_BACKEND;
	struct field f[PB_KEYS];
	char where[32], ep[ADDR_STRLEN];
	struct endpoint vip;
	int v = -1, n = -1;

	if (!want_map(ld, af))
		return false;
	snprintf(where, sizeof(where), "'%s'", af->name);
	map_fields(ld, af->val, where, pool_change_keys, PB_KEYS, f);
	if (f[PB_VIP].key)
		v = get_vip_ref(ld, &f[PB_VIP], af->name, &vip);
	if (f[PB_BACKEND].key) {
		n = get_node_ref(ld, &f[PB_BACKEND], p->node);
		if (!check_role(ld, f[PB_BACKEND].val, n, ROLE_CONTAINER, "backend"))
			return false;
	}
	if (f[PB_FLUSH].key && add) {
		diag(ld, f[PB_FLUSH].key, "'flush' is for remove-backend (its flows' entries)");
		return false;
	}
	if (!load_keys(ld, f, pool_change_keys, PB_KEYS, p))
		return false;
	if (v < 0 || n < 0)
		return false;
	p->vip = v;
	pools_init(ld);
	if (add && !is_backend(ld->sc, p->node)) {
		diag(ld, f[PB_BACKEND].val,
		     "backend '%s' backs no VIP at the start, so no decap serves it; list it in "
		     "the 'backends' of a VIP",
		     p->node);
		return false;
	}
	if (add == !!(ld->pool[v] & 1u << n)) {
		diag(ld, f[PB_BACKEND].val, "backend '%s' is %s the pool of %s at %d ms", p->node,
		     add ? "already in" : "not in", endpoint_str(&vip, ep, sizeof(ep)), p->at_ms);
		return false;
	}
	ld->pool[v] ^= 1u << n;
	return true;
}

enum { PM_AT, PM_MTU, PM_KEYS };
static const struct key set_mtu_keys[] = {
	[PM_AT] = KEY("at", true),
	[PM_MTU] = KEY_INT_REQ("mtu", struct sc_phase, mtu, 68, 65535),
};

static bool load_set_mtu(struct loader *ld, const struct field *af, struct sc_phase *p)
{
	struct field f[PM_KEYS];
	bool ok;

	if (!want_map(ld, af))
		return false;
	map_fields(ld, af->val, "'set-mtu'", set_mtu_keys, PM_KEYS, f);
	ok = f[PM_AT].key && get_existing_point(ld, &f[PM_AT], &p->at) >= 0;
	return f[PM_MTU].key && load_key(ld, f, set_mtu_keys, PM_MTU, p) && ok;
}

/* The decap serving a backend container, or with host-nic a host's uplink decap. */
static bool load_replace_decap(struct loader *ld, const struct field *af, struct sc_phase *p)
{
	enum decap_at at = ld->sc->backend.decap;
	const struct sc_node *n;
	int i = get_node_ref(ld, af, p->node);

	if (i < 0)
		return false;
	if (at == DECAP_AT_NONE) {
		diag(ld, af->val, "'replace-decap' needs a decap, and 'decap: none' attaches none");
		return false;
	}
	n = &ld->sc->nodes[i];
	if (!ld->role_ok[i] || (n->role == ROLE_CONTAINER && is_backend(ld->sc, n->name)) ||
	    (n->role == ROLE_HOST && at == DECAP_AT_HOST_NIC))
		return true;
	diag(ld, af->val,
	     "no decap serves '%s' (%s %s): decap serves the containers that back a VIP%s", n->name,
	     role_article(n->role), role_names[n->role],
	     at == DECAP_AT_HOST_NIC ? ", and hosts" : "");
	return false;
}

/*
 * A balancer node taken out: one of the balancer's, not failed already, and not the last
 * one standing (its VIPs would have nowhere to go).
 */
static bool load_fail_balancer(struct loader *ld, const struct field *af, struct sc_phase *p)
{
	const struct sc_balancer *b = &ld->sc->balancer;
	int i = get_node_ref(ld, af, p->node), j, k, up = 0;
	bool failed;

	if (i < 0)
		return false;
	if (!b->present) {
		diag(ld, af->val, "'fail-balancer' needs a balancer, and there is none");
		return false;
	}
	if (!check_balancer_node(ld, af, i))
		return false;
	for (j = 0; j < b->n_nodes; j++) {
		failed = false;
		for (k = 0; k < ld->sc->n_phases; k++)
			failed |= ld->sc->phases[k].kind == SC_PHASE_FAIL_BALANCER &&
				  !strcmp(ld->sc->phases[k].node, b->nodes[j]);
		if (failed && !strcmp(b->nodes[j], p->node)) {
			diag(ld, af->val, "balancer '%s' has failed already", p->node);
			return false;
		}
		up += !failed;
	}
	if (up < 2) {
		diag(ld, af->val,
		     "failing '%s' would leave no balancer up; one must stay to carry the VIPs",
		     p->node);
		return false;
	}
	return true;
}

enum { P_AT_MS, P_REMOVE, P_ADD, P_MTU, P_DECAP, P_FAIL, P_KEYS };
static const struct key phase_keys[] = {
	[P_AT_MS] = KEY_INT_REQ("at-ms", struct sc_phase, at_ms, 0, 3600000),
	[P_REMOVE] = KEY("remove-backend", false),
	[P_ADD] = KEY("add-backend", false),
	[P_MTU] = KEY("set-mtu", false),
	[P_DECAP] = KEY("replace-decap", false),
	[P_FAIL] = KEY("fail-balancer", false),
};

_Static_assert(P_ADD - P_REMOVE == SC_PHASE_ADD_BACKEND &&
		       P_DECAP - P_REMOVE == SC_PHASE_REPLACE_DECAP &&
		       P_FAIL - P_REMOVE == SC_PHASE_FAIL_BALANCER,
	       "phase keys follow enum sc_phase_kind");

/* The one action of a phase (the first written), or NULL (said why). */
static const struct field *phase_action(struct loader *ld, const struct field *item,
					const struct field *f)
{
	const struct field *act = NULL;
	int i, given = 0, known = 0;
	char valid[128];

	for (i = 0; i < P_KEYS; i++) {
		known += !!f[i].key;
		if (i < P_REMOVE || !f[i].key)
			continue;
		given++;
		if (!act || f[i].key->start_mark.index < act->key->start_mark.index)
			act = &f[i];
	}
	for (i = P_REMOVE; given > 1 && i < P_KEYS; i++)
		if (f[i].key && &f[i] != act)
			diag(ld, f[i].key,
			     "a phase holds one action; '%s' follows '%s' (give it a phase of its "
			     "own)",
			     f[i].name, act->name);
	/* an unknown key was reported already: it was likely the action, misspelt */
	if (!act && known == (int)(item->val->data.mapping.pairs.top -
				   item->val->data.mapping.pairs.start)) {
		join_names(phase_names, ARRAY_SIZE(phase_names), valid, sizeof(valid));
		diag(ld, item->val, "phase without an action; expected one of: %s", valid);
	}
	return given > 1 ? NULL : act;
}

static void load_phase(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_phase *p = &ld->sc->phases[ld->sc->n_phases];
	const struct field *act;
	struct field f[P_KEYS];
	bool ok = true;

	(void)ctx;
	if (!want_type(ld, item, YAML_MAPPING_NODE, "a phase"))
		return;
	memset(p, 0, sizeof(*p));
	p->mark = mark_of(item->val);
	map_fields(ld, item->val, "phase", phase_keys, P_KEYS, f);
	if (f[P_AT_MS].key && load_key(ld, f, phase_keys, P_AT_MS, p)) {
		if (p->at_ms < ld->last_at_ms) {
			diag(ld, f[P_AT_MS].val,
			     "phase at %d ms is listed after one at %d ms (line %d); list phases "
			     "in time order",
			     p->at_ms, ld->last_at_ms, ld->last_at_line);
			ok = false;
		} else {
			ld->last_at_ms = p->at_ms;
			ld->last_at_line = p->mark.line;
		}
	} else {
		ok = false;
	}
	act = phase_action(ld, item, f);
	if (!act)
		return;
	p->kind = act - &f[P_REMOVE];
	switch (p->kind) {
	case SC_PHASE_REMOVE_BACKEND:
	case SC_PHASE_ADD_BACKEND:
		ok &= load_pool_change(ld, act, p);
		break;
	case SC_PHASE_SET_MTU:
		ok &= load_set_mtu(ld, act, p);
		break;
	case SC_PHASE_REPLACE_DECAP:
		ok &= load_replace_decap(ld, act, p);
		break;
	case SC_PHASE_FAIL_BALANCER:
		ok &= load_fail_balancer(ld, act, p);
		break;
	}
	if (ok)
		ld->sc->n_phases++;
}

/* The document */

/* bench: */

enum {
	BN_MEASURE,
	BN_DURATION,
	BN_COUNT,
	BN_DRAIN,
	BN_INTERVAL,
	BN_FRAME,
	BN_FLOWS,
	BN_RATE,
	BN_CPUS,
	BN_ROUNDS,
	BN_KEYS
};
static const struct key bench_keys[] = {
	[BN_MEASURE] = KEY("measure", false),
	[BN_DURATION] = KEY_INT_DEF("duration-ms", struct sc_bench, duration_ms, 100, 600000, 2000),
	[BN_COUNT] = KEY_INT("count", struct sc_bench, count, 1, 1000000000),
	[BN_DRAIN] = KEY_INT_DEF("drain-ms", struct sc_bench, drain_ms, 0, 10000, 300),
	[BN_INTERVAL] = KEY_INT_DEF("interval-ms", struct sc_bench, interval_ms, 100, 60000, 1000),
	/* 60: the shortest Ethernet frame; 1514: a 1500-byte MTU (common/gen.h) */
	[BN_FRAME] = KEY_INT_DEF("frame", struct sc_bench, frame, 60, 1514, 64),
	[BN_FLOWS] = KEY_INT_DEF("flows", struct sc_bench, flows, 1, 1000000, 64),
	[BN_RATE] = KEY_INT("rate", struct sc_bench, rate, 0, 1000000000),
	[BN_CPUS] = KEY("cpus", false),
	[BN_ROUNDS] = KEY_INT_DEF("rounds", struct sc_bench, rounds, 1, 9, 1),
};

static const char *const bench_measure_names[] = { "balancer", "decap", "attach-points",
						   "goodput" };

static void load_bench_measure(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_bench *b = ctx;
	int m;

	if (get_enum(ld, item, bench_measure_names, ARRAY_SIZE(bench_measure_names), &m))
		b->measure |= 1u << m;
}

static void load_bench_cpu(struct loader *ld, const struct field *item, void *ctx)
{
	struct sc_bench *b = ctx;

	get_int(ld, item, 0, 4095, &b->cpus[b->n_cpus++]);
}

/* Defaults whether or not the file has a bench section: `dsrlab bench` runs any scenario. */
static void load_bench(struct loader *ld, const struct field *bf)
{
	struct sc_bench *b = &ld->sc->bench;
	struct field f[BN_KEYS];
	int n = 0;

	b->measure = SC_BENCH_BALANCER | SC_BENCH_DECAP | SC_BENCH_ATTACH_POINTS | SC_BENCH_GOODPUT;
	key_defaults(bench_keys, BN_KEYS, b);
	if (!bf || !want_map(ld, bf))
		return;
	b->present = true;
	b->mark = mark_of(bf->val);
	map_fields(ld, bf->val, "bench", bench_keys, BN_KEYS, f);
	if (f[BN_MEASURE].key) {
		b->measure = 0;
		if (is_empty_seq(f[BN_MEASURE].val))
			diag(ld, f[BN_MEASURE].val,
			     "'measure' is empty; leave it out to measure everything");
		load_list(ld, &f[BN_MEASURE], &n, 4, "measurements", load_bench_measure, b);
	}
	load_keys(ld, f, bench_keys, BN_KEYS, b);
	if (f[BN_CPUS].key)
		load_list(ld, &f[BN_CPUS], &b->n_cpus, SC_BENCH_MAX_CPUS, "generator CPUs",
			  load_bench_cpu, b);
}

enum {
	T_VERSION,
	T_NAME,
	T_NODES,
	T_LINKS,
	T_BALANCER,
	T_BACKEND,
	T_SERVICES,
	T_TRAFFIC,
	T_CAPTURE,
	T_EXPECT,
	T_PHASES,
	T_BENCH,
	T_KEYS
};
static const struct key top_keys[] = {
	[T_VERSION] = KEY_INT_REQ("version", struct scenario, version, 0, 1000000),
	[T_NAME] = KEY_TEXT("name", true, struct scenario, name),
	[T_NODES] = KEY("nodes", true),
	[T_LINKS] = KEY("links", false),
	[T_BALANCER] = KEY("balancer", false),
	[T_BACKEND] = KEY("backend", false),
	[T_SERVICES] = KEY("services", false),
	[T_TRAFFIC] = KEY("traffic", false),
	[T_CAPTURE] = KEY("capture", false),
	[T_EXPECT] = KEY("expect", false),
	[T_PHASES] = KEY("phases", false),
	[T_BENCH] = KEY("bench", false),
};

_Static_assert(ARRAY_SIZE(top_keys) <= SC_KEYS_MAX, "raise SC_KEYS_MAX");

static void load_header(struct loader *ld, const struct field *f)
{
	struct scenario *sc = ld->sc;
	const char *s;

	if (f[T_VERSION].key && load_key(ld, f, top_keys, T_VERSION, sc) && sc->version != 1)
		diag(ld, f[T_VERSION].val, "unsupported version %d; this dsrlab reads version 1",
		     sc->version);
	if (!f[T_NAME].key || !load_key(ld, f, top_keys, T_NAME, sc))
		return;
	for (s = sc->name; *s; s++) {
		if ((unsigned char)*s < ' ') {
			diag(ld, f[T_NAME].val, "'name' must be a single line of text");
			return;
		}
	}
}

static void load_document(struct loader *ld, const yaml_node_t *root)
{
	struct scenario *sc = ld->sc;
	struct field f[T_KEYS], rf = { .name = "scenario", .val = root };

	sc->backend.decap = DECAP_AT_HOST_VETH_EGRESS;
	strcpy(sc->balancer.iface, "eth0");
	if (!want_type(ld, &rf, YAML_MAPPING_NODE, "a scenario (version, name, nodes, ...)"))
		return;
	map_fields(ld, root, "scenario", top_keys, T_KEYS, f);
	load_header(ld, f);
	if (f[T_NODES].key)
		load_nodes(ld, &f[T_NODES]);
	if (f[T_LINKS].key) {
		ld->links_given = f[T_LINKS].val->type == YAML_SEQUENCE_NODE;
		load_list(ld, &f[T_LINKS], &sc->n_links, SC_MAX_LINKS, "links", load_link, NULL);
	}
	if (f[T_BALANCER].key)
		load_balancer(ld, &f[T_BALANCER]);
	if (f[T_BACKEND].key)
		load_backend(ld, &f[T_BACKEND]);
	if (f[T_SERVICES].key)
		load_list(ld, &f[T_SERVICES], &sc->n_services, SC_MAX_SERVICES, "services",
			  load_service, NULL);
	if (f[T_TRAFFIC].key)
		load_list(ld, &f[T_TRAFFIC], &sc->n_traffic, SC_MAX_TRAFFIC, "traffic entries",
			  load_traffic_entry, NULL);
	if (f[T_PHASES].key)
		load_list(ld, &f[T_PHASES], &sc->n_phases, SC_MAX_PHASES, "phases", load_phase,
			  NULL);
	if (f[T_CAPTURE].key)
		load_list(ld, &f[T_CAPTURE], &sc->n_captures, SC_MAX_CAPTURES, "captures",
			  load_capture, NULL);
	if (f[T_EXPECT].key)
		load_list(ld, &f[T_EXPECT], &sc->n_expects, SC_MAX_EXPECTS, "expect entries",
			  load_expect, NULL);
	load_bench(ld, f[T_BENCH].key ? &f[T_BENCH] : NULL);
}

/* libyaml's reader errors carry a byte offset, not a mark. */
static yaml_mark_t mark_at_offset(const struct loader *ld, size_t off)
{
	yaml_mark_t m = { 0 };
	size_t i;

	for (i = 0; i < off && i < ld->len; i++) {
		if (ld->text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if ((ld->text[i] & 0xc0) != 0x80) {
			m.column++;
		}
	}
	return m;
}

static void syntax_error(struct loader *ld, const yaml_parser_t *parser)
{
	yaml_mark_t m = parser->problem_mark;
	char context[128] = "";
	const char *hint = "";

	if (parser->error == YAML_MEMORY_ERROR) {
		ld->diags.oom = true;
		return;
	}
	if (parser->error == YAML_READER_ERROR) {
		diag_mark(ld, mark_at_offset(ld, parser->problem_offset),
			  "file is not valid UTF-8 (%s)", parser->problem);
		return;
	}
	if (m.index < ld->len && ld->text[m.index] == '\t')
		hint = " (a tab: YAML indents with spaces only)";
	else if (parser->context &&
		 (parser->context_mark.line != m.line || parser->context_mark.column != m.column))
		snprintf(context, sizeof(context), " (%s at line %d, column %d)", parser->context,
			 (int)parser->context_mark.line + 1, (int)parser->context_mark.column + 1);
	else if (parser->context)
		snprintf(context, sizeof(context), " (%s)", parser->context);
	diag_mark(ld, m, "YAML syntax error: %s%s%s", parser->problem ? parser->problem : "?",
		  context, hint);
}

/* A second document in the file is a mistake (a stray '---'), not something to skip. */
static void check_single_document(struct loader *ld, yaml_parser_t *parser)
{
	yaml_document_t next;
	yaml_node_t *root;

	if (!yaml_parser_load(parser, &next)) {
		syntax_error(ld, parser);
		return;
	}
	root = yaml_document_get_root_node(&next);
	if (root)
		diag_mark(ld, next.start_mark,
			  "a scenario file holds one YAML document; a second one starts here");
	yaml_document_delete(&next);
}

int scenario_load_buffer(const char *name, const char *text, size_t len, struct scenario *sc,
			 FILE *err)
{
	struct loader ld = { .file = name, .text = text, .len = len, .sc = sc };
	yaml_parser_t parser;
	yaml_node_t *root;
	int ret = 0;

	memset(sc, 0, sizeof(*sc));
	snprintf(sc->file, sizeof(sc->file), "%s", name);
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	/* on failure yaml_parser_load leaves no document to delete */
	if (!yaml_parser_load(&parser, &ld.doc)) {
		syntax_error(&ld, &parser);
		goto out_parser;
	}
	root = yaml_document_get_root_node(&ld.doc);
	if (!root) {
		diag_mark(&ld, (yaml_mark_t){ 0 },
			  "empty scenario; expected a mapping with version, name and nodes");
		goto out_doc;
	}
	check_single_document(&ld, &parser);
	load_document(&ld, root);
	scenario_check(sc, &ld.diags);
	if (!ld.diags.n && !ld.diags.oom && scenario_resolve(sc))
		diag_mark(&ld, (yaml_mark_t){ 0 },
			  "internal error: a name the loader accepted does not resolve");
out_doc:
	yaml_document_delete(&ld.doc);
out_parser:
	yaml_parser_delete(&parser);
	if (ld.diags.oom)
		ret = -ENOMEM;
	else if (ld.diags.n)
		ret = -EINVAL;
	if (ld.diags.n && err)
		sc_diags_print(&ld.diags, ld.file, ld.text, ld.len, err);
	sc_diags_free(&ld.diags);
	return ret;
}

static int read_file(const char *path, char **text, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = NULL, *p;
	FILE *f;
	int ret;

	f = fopen(path, "r");
	if (!f)
		return -errno;
	for (;;) {
		p = realloc(buf, cap);
		if (!p) {
			ret = -ENOMEM;
			goto err_free;
		}
		buf = p;
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
	}
	if (ferror(f)) {
		ret = -EIO;
		goto err_free;
	}
	fclose(f);
	*text = buf;
	*len = n;
	return 0;

err_free:
	free(buf);
	fclose(f);
	return ret;
}

int scenario_load(const char *path, struct scenario *sc, FILE *err)
{
	size_t len = 0;
	char *text = NULL;
	int ret;

	memset(sc, 0, sizeof(*sc));
	ret = read_file(path, &text, &len);
	if (ret) {
		if (err)
			fprintf(err, "%s: cannot read scenario: %s\n", path, strerror(-ret));
		return ret;
	}
	ret = scenario_load_buffer(path, text, len, sc, err);
	free(text);
	return ret;
}

int scenario_node_index(const struct scenario *sc, const char *name)
{
	return node_index(sc, name);
}

const char *scenario_role_name(enum sc_role role)
{
	return (unsigned int)role < ARRAY_SIZE(role_names) ? role_names[role] : "?";
}

const char *scenario_phase_name(enum sc_phase_kind kind)
{
	return (unsigned int)kind < ARRAY_SIZE(phase_names) ? phase_names[kind] : "?";
}
