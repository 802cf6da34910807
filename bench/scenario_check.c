// SPDX-License-Identifier: GPL-2.0
/*
 * The semantic pass over the typed model: what can be judged only once the whole file is
 * loaded, said at the marks the model keeps of where each thing was written (no YAML here).
 * It runs after every mapping's loader, also when they found mistakes, so one run reports
 * everything.
 */
#include <stdarg.h>
#include <string.h>

#include "bench/scenario_schema.h"
#include "common/parse.h"

__attribute__((format(printf, 3, 4))) static void say(struct sc_diags *d, struct sc_mark m,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sc_diags_vadd(d, m.line, m.col, fmt, ap);
	va_end(ap);
}

static bool mark_equal(struct sc_mark a, struct sc_mark b)
{
	return a.line == b.line && a.col == b.col;
}

/*
 * A node's explicit routes: a default route its 'gateway' gives already, or a destination an
 * earlier route gives. A route said here is not compared again, as the loader once dropped it.
 */
static void routes_unique(const struct scenario *sc, struct sc_diags *d, int i)
{
	const struct sc_node *node = &sc->nodes[i];
	bool refused[SC_MAX_ROUTES] = { false };
	char a[ADDR_STRLEN];
	int r, j;

	for (r = 0; r < node->n_routes; r++) {
		const struct sc_route *rt = &node->routes[r];
		const struct ip_addr *gw =
			rt->to.addr.family == FAM_IPV6 ? &node->gateway6 : &node->gateway4;

		if (!rt->to.len && gw->family != FAM_NONE) {
			say(d, rt->to_mark,
			    "node '%s' has a default IPv%d route in 'gateway' already; give it "
			    "in one place",
			    node->name, rt->to.addr.family);
			refused[r] = true;
			continue;
		}
		for (j = 0; j < r; j++) {
			if (refused[j] || node->routes[j].to.len != rt->to.len ||
			    !addr_equal(&node->routes[j].to.addr, &rt->to.addr))
				continue;
			say(d, rt->to_mark,
			    "a route to %s is given twice in node '%s' (first at line %d)",
			    prefix_str(&rt->to, a, sizeof(a)), node->name,
			    node->routes[j].mark.line);
			refused[r] = true;
			break;
		}
	}
}

static bool addr_unspecified(const struct ip_addr *a)
{
	static const __u8 zero[16];

	return !memcmp(a->bytes, zero, sizeof(zero));
}

/*
 * Two built-in services of one node cannot listen on the same port and protocol of one family
 * where their addresses overlap (equal, or either the wildcard). IPv6 listeners are IPv6
 * only, so "[::]:80" beside "0.0.0.0:80" is fine. A service said here is not compared again.
 */
static void service_ports(const struct scenario *sc, struct sc_diags *d)
{
	bool refused[SC_MAX_SERVICES] = { false };
	int i, j;

	for (i = 0; i < sc->n_services; i++) {
		const struct sc_service *s = &sc->services[i];

		for (j = 0; s->kind != SC_SERVICE_COMMAND && j < i; j++) {
			const struct sc_service *o = &sc->services[j];

			if (refused[j] || o->kind == SC_SERVICE_COMMAND ||
			    strcmp(o->node, s->node) || o->listen.proto != s->listen.proto ||
			    o->listen.port != s->listen.port ||
			    o->listen.addr.family != s->listen.addr.family)
				continue;
			if (addr_unspecified(&o->listen.addr) ||
			    addr_unspecified(&s->listen.addr) ||
			    addr_equal(&o->listen.addr, &s->listen.addr)) {
				say(d, s->listen_mark,
				    "'listen': %s already has a service on this port (line %d)",
				    s->node, o->mark.line);
				refused[i] = true;
				break;
			}
		}
	}
}

/* A point captured by an earlier capture (one already said is not compared again). */
static void captures_unique(const struct scenario *sc, struct sc_diags *d)
{
	bool refused[SC_MAX_CAPTURES] = { false };
	int i, j;

	for (i = 0; i < sc->n_captures; i++) {
		const struct sc_point *at = &sc->captures[i].at;

		for (j = 0; j < i; j++) {
			const struct sc_point *o = &sc->captures[j].at;

			if (refused[j] || strcmp(o->node, at->node) || strcmp(o->iface, at->iface))
				continue;
			say(d, sc->captures[i].at_mark,
			    "'%s:%s' is captured twice (first at line %d)", at->node, at->iface,
			    sc->captures[j].mark.line);
			refused[i] = true;
			break;
		}
	}
}

/* Address a of node i given to an earlier node (or earlier in the same node) too? */
static void addr_unique(const struct scenario *sc, struct sc_diags *d, int i, int a)
{
	const struct ip_addr *addr = &sc->nodes[i].addrs[a].addr;
	struct sc_mark at = sc->nodes[i].addr_marks[a];
	char p[ADDR_STRLEN];
	int j, b;

	for (j = 0; j <= i; j++) {
		for (b = 0; b < (j == i ? a : sc->nodes[j].n_addrs); b++) {
			if (!addr_equal(addr, &sc->nodes[j].addrs[b].addr))
				continue;
			/* an alias repeats the same YAML node: point at the aliasing node */
			if (mark_equal(sc->nodes[j].addr_marks[b], at))
				at = sc->nodes[i].mark;
			say(d, at, "address %s is already given to node '%s' (line %d)",
			    addr_str(addr, p, sizeof(p)), sc->nodes[j].name,
			    sc->nodes[j].addr_marks[b].line);
			return;
		}
	}
}

/* A device bound by an earlier NIC (of this node or another): one device, one place. */
static void nic_unique(const struct scenario *sc, struct sc_diags *d, int i, int n)
{
	const struct sc_nic *nic = &sc->nodes[i].nics[n];
	int j, m;

	for (j = 0; j <= i; j++) {
		for (m = 0; m < (j == i ? n : sc->nodes[j].n_nics); m++) {
			if (strcmp(sc->nodes[j].nics[m].dev, nic->dev))
				continue;
			say(d, nic->mark, "interface '%s' is already bound by node '%s' (line %d)",
			    nic->dev, sc->nodes[j].name, sc->nodes[j].nics[m].mark.line);
			return;
		}
	}
}

/*
 * An IPv6 VIP must keep IPv6's minimum MTU under the balancer's mtu once encapsulated, or its
 * packet-too-big could not be complied with: the balancer refuses such a VIP (lb/lb.c), so
 * validate does first.
 */
static void ipv6_mtu(const struct sc_balancer *b, struct sc_diags *d)
{
	int i;

	for (i = 0; b->mtu && i < b->n_vips; i++) {
		const struct sc_vip *v = &b->vips[i];
		unsigned int need;

		if (v->vip.addr.family != FAM_IPV6)
			continue;
		need = IPV6_MIN_MTU +
		       encap_overhead(scenario_encap_type(v->encap), scenario_vip_underlay(v));
		if ((unsigned int)b->mtu >= need)
			continue;
		say(d, b->mtu_mark,
		    "'mtu': %d leaves IPv6 VIP (line %d) %d bytes once %s adds %d, below IPv6's "
		    "minimum MTU %d; give %u or more",
		    b->mtu, v->mark.line, b->mtu - (int)(need - IPV6_MIN_MTU),
		    scenario_encap_name(v->encap), (int)(need - IPV6_MIN_MTU), IPV6_MIN_MTU, need);
		return;
	}
}

void scenario_check(const struct scenario *sc, struct sc_diags *d)
{
	int i, k;

	/* first what the loaders said before this pass existed, so equal positions keep order */
	for (i = 0; i < sc->n_nodes; i++)
		routes_unique(sc, d, i);
	service_ports(sc, d);
	captures_unique(sc, d);
	for (i = 0; i < sc->n_nodes; i++)
		for (k = 0; k < sc->nodes[i].n_addrs; k++)
			addr_unique(sc, d, i, k);
	for (i = 0; i < sc->n_nodes; i++)
		for (k = 0; k < sc->nodes[i].n_nics; k++)
			nic_unique(sc, d, i, k);
	ipv6_mtu(&sc->balancer, d);
}
