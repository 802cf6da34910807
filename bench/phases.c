// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/phases.h"
#include "bench/roles.h"
#include "bench/topology.h"
#include "common/log.h"
#include "common/netlink.h"
#include "common/netns.h"

struct phases {
	struct run *r;
	__u64 t0;
	pthread_t thread;
	int err;
};

/* Install r->pools[v] as the VIP's pool: a new Maglev ring, swapped in at once. */
static int pool_apply(struct run *r, int v, char *err, size_t len)
{
	const struct run_pool *p = &r->pools[v];
	struct lb_backend b[SC_MAX_BACKENDS];
	const struct ip_prefix *a;
	int k, i, ret = 0;

	if (!r->n_lbs) {
		snprintf(err, len, "no balancer is running");
		return -ENOENT;
	}
	for (k = 0; k < p->n; k++) {
		a = topology_node_addr(r->env.nodes[p->nodes[k]].sc, FAM_IPV4);
		if (!a) {
			snprintf(err, len, "backend %s has no IPv4 address",
				 r->sc->nodes[p->nodes[k]].name);
			return -EINVAL;
		}
		b[k].addr = a->addr;
		b[k].weight = 1;
	}
	/* every balancer, failed ones too: the same tables everywhere */
	for (i = 0; i < r->n_lbs && !ret; i++)
		ret = lb_vip_set_backends(r->lbs[i].lb, &r->sc->balancer.vips[v].vip, b, p->n);
	if (ret)
		snprintf(err, len, "set the pool of balancer %s: %s", r->sc->balancer.nodes[i - 1],
			 strerror(-ret));
	return ret;
}

static int vip_local_here(void *arg)
{
	return backend_vip_add(arg);
}

static int pool_change(struct run *r, const struct sc_phase *ph, char *err, size_t len)
{
	struct run_pool *p = &r->pools[ph->vip];
	int node = env_node_index(&r->env, ph->node), k, ret;

	for (k = 0; k < p->n && p->nodes[k] != node; k++)
		;
	if (ph->kind == SC_PHASE_REMOVE_BACKEND) {
		if (k == p->n) {
			snprintf(err, len, "%s is not in the pool", ph->node);
			return -ENOENT;
		}
		p->nodes[k] = p->nodes[--p->n];
		return pool_apply(r, ph->vip, err, len);
	}
	if (k < p->n) {
		snprintf(err, len, "%s is already in the pool", ph->node);
		return -EEXIST;
	}
	/* a new backend must own the VIP before the balancer sends it flows */
	ret = env_run(&r->env, node, vip_local_here,
		      (void *)&r->sc->balancer.vips[ph->vip].vip.addr);
	if (ret) {
		snprintf(err, len, "make the VIP local in %s: %s", ph->node, strerror(-ret));
		return ret;
	}
	p->nodes[p->n++] = node;
	return pool_apply(r, ph->vip, err, len);
}

/* A link's MTU, or its state down, in the calling thread's namespace. */
struct link_job {
	const char *ifname;
	int mtu;
	bool down;
	bool ran, no_link; /* set by link_set_here() */
};

static int link_set_here(void *arg)
{
	struct link_job *j = arg;
	struct nl_sock nl;
	int idx, ret;

	j->ran = true;
	idx = link_index(j->ifname);
	j->no_link = idx < 0;
	ret = idx < 0 ? idx : nl_open(&nl);
	if (!ret) {
		ret = j->down ? nl_link_down(&nl, idx) : nl_link_set_mtu(&nl, idx, j->mtu);
		nl_close(&nl);
	}
	return ret;
}

static int set_mtu(struct run *r, const struct sc_phase *ph, char *err, size_t len)
{
	struct link_job j = { .ifname = ph->at.iface, .mtu = ph->mtu };
	int ret;

	ret = env_run(&r->env, env_node_index(&r->env, ph->at.node), link_set_here, &j);
	if (!j.ran)
		snprintf(err, len, "enter %s: %s", ph->at.node, strerror(-ret));
	else if (j.no_link)
		snprintf(err, len, "no interface %s in %s", ph->at.iface, ph->at.node);
	else if (ret)
		snprintf(err, len, "set the MTU of %s:%s to %d: %s", ph->at.node, ph->at.iface,
			 ph->mtu, strerror(-ret));
	return ret;
}

static int decap_replace_here(void *arg)
{
	return decap_replace(arg);
}

static int replace_decap(struct run *r, const struct sc_phase *ph, char *err, size_t len)
{
	struct run_node *n = &r->nodes[env_node_index(&r->env, ph->node)];
	int ret;

	if (!n->decap) {
		snprintf(err, len, "no decap serves %s", ph->node);
		return -ENOENT;
	}
	ret = env_run(&r->env, n->decap_node, decap_replace_here, n->decap);
	if (ret)
		snprintf(err, len, "replace the decap at %s:%s: %s",
			 r->sc->nodes[n->decap_node].name, n->decap_iface, strerror(-ret));
	/* the pins named the old program's maps */
	if (!ret && (ret = roles_decap_pin(r, env_node_index(&r->env, ph->node))))
		snprintf(err, len, "pin the new decap's maps: %s", strerror(-ret));
	return ret;
}

/*
 * A balancer taken out as when its box dies or an operator drains it: the routers stop
 * sending it anything (the ECMP route to each VIP is replaced by one over the others, so its
 * flows rehash onto them), and its port goes down. The flows it carried keep their backends
 * only because every balancer has the same Maglev ring: the survivors have no connection-table
 * entry for them.
 */
static int fail_balancer(struct run *r, const struct sc_phase *ph, char *err, size_t len)
{
	struct link_job j = { .ifname = r->sc->balancer.iface, .down = true };
	int node = env_node_index(&r->env, ph->node), i, k, ret;

	for (k = 0; k < r->n_lbs && r->lbs[k].node != node; k++)
		;
	if (k == r->n_lbs || r->lbs[k].failed) {
		snprintf(err, len, "%s runs no balancer, or it failed already", ph->node);
		return -ENOENT;
	}
	r->lbs[k].failed = true;
	for (i = 0; i < r->sc->n_nodes; i++) {
		if (r->sc->nodes[i].role != ROLE_ROUTER)
			continue;
		ret = topology_vip_routes(r, i, true);
		if (ret) {
			snprintf(err, len, "take %s out of the routes of %s: %s", ph->node,
				 r->sc->nodes[i].name, strerror(-ret));
			return ret;
		}
	}
	ret = env_run(&r->env, node, link_set_here, &j);
	if (!j.ran)
		snprintf(err, len, "enter %s: %s", ph->node, strerror(-ret));
	else if (ret)
		snprintf(err, len, "set %s:%s down: %s", ph->node, r->sc->balancer.iface,
			 strerror(-ret));
	return ret;
}

static int phase_do(struct run *r, const struct sc_phase *ph, char *err, size_t len)
{
	switch (ph->kind) {
	case SC_PHASE_REMOVE_BACKEND:
	case SC_PHASE_ADD_BACKEND:
		return pool_change(r, ph, err, len);
	case SC_PHASE_SET_MTU:
		return set_mtu(r, ph, err, len);
	case SC_PHASE_REPLACE_DECAP:
		return replace_decap(r, ph, err, len);
	case SC_PHASE_FAIL_BALANCER:
		return fail_balancer(r, ph, err, len);
	}
	return -EINVAL;
}

static void *phases_thread(void *arg)
{
	struct phases *p = arg;
	struct run *r = p->r;
	int i, ret;

	for (i = 0; i < r->sc->n_phases && !env_stop; i++) {
		const struct sc_phase *ph = &r->sc->phases[i];
		struct phase_result *res = &r->phases[i];
		__u64 when = p->t0 + ph->at_ms * 1000ull, now;

		while ((now = env_clock_usec()) < when && !env_stop)
			usleep(when - now < 2000 ? when - now : 2000);
		if (env_stop)
			break;
		res->ran = true;
		res->at_ms = (env_clock_usec() - p->t0) / 1000.0;
		ret = phase_do(r, ph, res->error, sizeof(res->error));
		res->done = !ret;
		pr_info("  phase %d (%s) at %.1f ms: %s\n", i + 1, scenario_phase_name(ph->kind),
			res->at_ms, ret ? res->error : "done");
		if (ret && !p->err) {
			p->err = ret;
			env_failf(&r->env, ret, "phase %d (line %d, %s at %d ms): %s", i + 1,
				  ph->mark.line, scenario_phase_name(ph->kind), ph->at_ms,
				  res->error);
		}
	}
	return NULL;
}

int phases_start(struct run *r, __u64 t0_usec, struct phases **out)
{
	const struct sc_balancer *b = &r->sc->balancer;
	struct phases *p;
	int v, k, err;

	*out = NULL;
	for (v = 0; v < b->n_vips; v++) {
		r->pools[v].n = b->vips[v].n_backends;
		for (k = 0; k < b->vips[v].n_backends; k++)
			r->pools[v].nodes[k] = env_node_index(&r->env, b->vips[v].backends[k]);
	}
	if (!r->sc->n_phases)
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->r = r;
	p->t0 = t0_usec;
	err = -pthread_create(&p->thread, NULL, phases_thread, p);
	if (err) {
		free(p);
		return err;
	}
	*out = p;
	return 0;
}

int phases_wait(struct phases *p)
{
	int err;

	if (!p)
		return 0;
	pthread_join(p->thread, NULL);
	err = p->err;
	free(p);
	return err;
}
