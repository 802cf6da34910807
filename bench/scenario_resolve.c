// SPDX-License-Identifier: GPL-2.0
/*
 * The pass over the typed model that follows a clean load: every name a scenario refers by
 * (a node, a traffic item, a balancer node, a capture point) becomes an index, so no stage
 * looks anything up by name. The loader has reported every unknown name with its line
 * already; a name still unknown here is the loader's bug.
 */
#include <errno.h>
#include <string.h>

#include "bench/scenario.h"

struct resolver {
	struct scenario *sc;
	int unresolved;
};

static int node_idx(struct resolver *r, const char *name)
{
	int i = scenario_node_index(r->sc, name);

	r->unresolved += i < 0;
	return i;
}

static void point(struct resolver *r, struct sc_point *p)
{
	p->node_idx = node_idx(r, p->node);
}

static bool point_equal(const struct sc_point *a, const struct sc_point *b)
{
	return a->node_idx == b->node_idx && !strcmp(a->iface, b->iface);
}

/* at's index in cap_points, added when new; capture: the capture naming it, or -1. */
static int cap_point(struct resolver *r, const struct sc_point *at, int capture)
{
	struct scenario *sc = r->sc;
	int i;

	for (i = 0; i < sc->n_cap_points; i++)
		if (point_equal(&sc->cap_points[i].at, at))
			break;
	if (i == SC_MAX_CAP_POINTS) {
		r->unresolved++;
		return -1;
	}
	if (i == sc->n_cap_points) {
		sc->cap_points[i] = (struct sc_cap_point){ .at = *at, .capture = -1 };
		sc->n_cap_points++;
	}
	if (capture >= 0)
		sc->cap_points[i].capture = capture;
	return i;
}

static int traffic_idx(struct resolver *r, const char *name)
{
	int i;

	for (i = 0; i < r->sc->n_traffic; i++)
		if (!strcmp(r->sc->traffic[i].name, name))
			return i;
	r->unresolved++;
	return -1;
}

static void nodes_links(struct resolver *r)
{
	struct scenario *sc = r->sc;
	int i;

	for (i = 0; i < sc->n_nodes; i++)
		sc->nodes[i].host_idx =
			sc->nodes[i].role == ROLE_CONTAINER ? node_idx(r, sc->nodes[i].host) : -1;
	for (i = 0; i < sc->n_links; i++) {
		point(r, &sc->links[i].a);
		point(r, &sc->links[i].b);
	}
}

static void balancer(struct resolver *r)
{
	struct sc_balancer *b = &r->sc->balancer;
	int i, k;

	for (i = 0; i < b->n_nodes; i++)
		b->node_idx[i] = node_idx(r, b->nodes[i]);
	for (i = 0; i < b->n_vips; i++) {
		for (k = 0; k < b->vips[i].n_backends; k++) {
			b->vips[i].backend_idx[k] = node_idx(r, b->vips[i].backends[k]);
			if (b->vips[i].backend_idx[k] >= 0)
				r->sc->nodes[b->vips[i].backend_idx[k]].backend = true;
		}
	}
}

/* The index in balancer.nodes[] of node i, -1 when it runs no balancer. */
static int lb_of(const struct scenario *sc, int i)
{
	int k;

	for (k = 0; k < sc->balancer.n_nodes; k++)
		if (sc->balancer.node_idx[k] == i)
			return k;
	return -1;
}

static bool expect_has_point(enum sc_expect_kind kind)
{
	return kind == SC_EXPECT_NEVER_SEEN || kind == SC_EXPECT_SEEN ||
	       kind == SC_EXPECT_ENCAPSULATED;
}

static void expect(struct resolver *r, struct sc_expect *e)
{
	int k;

	e->traffic_idx = e->traffic[0] ? traffic_idx(r, e->traffic) : -1;
	for (k = 0; k < e->n_nodes; k++)
		e->node_idxs[k] = node_idx(r, e->nodes[k]);
	e->node_idx = e->node[0] ? node_idx(r, e->node) : -1;
	e->lb = -1;
	if (e->kind == SC_EXPECT_COUNTER && !e->counter_decap && e->node_idx >= 0) {
		e->lb = lb_of(r->sc, e->node_idx);
		r->unresolved += e->lb < 0;
	}
	if (expect_has_point(e->kind)) {
		point(r, &e->at);
		e->point = cap_point(r, &e->at, -1);
	} else {
		e->at.node_idx = -1;
		e->point = -1;
	}
}

static void phase(struct resolver *r, struct sc_phase *p)
{
	if (p->kind == SC_PHASE_SET_MTU) {
		point(r, &p->at);
		p->node_idx = -1;
	} else {
		p->at.node_idx = -1;
		p->node_idx = node_idx(r, p->node);
	}
}

int scenario_resolve(struct scenario *sc)
{
	struct resolver r = { .sc = sc };
	int i;

	nodes_links(&r);
	balancer(&r);
	for (i = 0; i < sc->n_services; i++)
		sc->services[i].node_idx = node_idx(&r, sc->services[i].node);
	for (i = 0; i < sc->n_traffic; i++)
		sc->traffic[i].from_idx = node_idx(&r, sc->traffic[i].from);
	sc->n_cap_points = 0;
	for (i = 0; i < sc->n_captures; i++) {
		point(&r, &sc->captures[i].at);
		sc->captures[i].point = cap_point(&r, &sc->captures[i].at, i);
	}
	for (i = 0; i < sc->n_expects; i++)
		expect(&r, &sc->expects[i]);
	for (i = 0; i < sc->n_phases; i++)
		phase(&r, &sc->phases[i]);
	return r.unresolved ? -EINVAL : 0;
}
