// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/phases.h"
#include "common/log.h"
#include "common/netlink.h"

/* Install p->pools[v] as the VIP's pool: a new Maglev ring, swapped in at once. */
static int pool_apply(struct phases *p, int v, char *err, size_t len)
{
	return roles_pool_set(p->roles, v, p->pools[v].nodes, p->pools[v].n, err, len);
}

static int vip_local_here(void *arg)
{
	return backend_vip_add(arg);
}

static int pool_change(struct phases *p, const struct sc_phase *ph, char *err, size_t len)
{
	struct phase_pool *pool = &p->pools[ph->vip];
	int node = ph->node_idx, k, ret;

	for (k = 0; k < pool->n && pool->nodes[k] != node; k++)
		;
	if (ph->kind == SC_PHASE_REMOVE_BACKEND) {
		if (k == pool->n) {
			snprintf(err, len, "%s is not in the pool", ph->node);
			return -ENOENT;
		}
		pool->nodes[k] = pool->nodes[--pool->n];
		if (ph->flush)
			return roles_pool_remove_flush(p->roles, ph->vip, node, err, len);
		return pool_apply(p, ph->vip, err, len);
	}
	if (k < pool->n) {
		snprintf(err, len, "%s is already in the pool", ph->node);
		return -EEXIST;
	}
	/* a new backend must own the VIP before the balancer sends it flows */
	ret = env_run(p->env, node, vip_local_here,
		      (void *)&p->env->sc->balancer.vips[ph->vip].vip.addr);
	if (ret) {
		snprintf(err, len, "make the VIP local in %s: %s", ph->node, strerror(-ret));
		return ret;
	}
	pool->nodes[pool->n++] = node;
	return pool_apply(p, ph->vip, err, len);
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

static int set_mtu(struct phases *p, const struct sc_phase *ph, char *err, size_t len)
{
	struct link_job j = { .ifname = ph->at.iface, .mtu = ph->mtu };
	int ret;

	ret = env_run(p->env, ph->at.node_idx, link_set_here, &j);
	if (!j.ran)
		snprintf(err, len, "enter %s: %s", ph->at.node, strerror(-ret));
	else if (j.no_link)
		snprintf(err, len, "no interface %s in %s", ph->at.iface, ph->at.node);
	else if (ret)
		snprintf(err, len, "set the MTU of %s:%s to %d: %s", ph->at.node, ph->at.iface,
			 ph->mtu, nl_strerror(ret));
	return ret;
}

static int replace_decap(struct phases *p, const struct sc_phase *ph, char *err, size_t len)
{
	return roles_decap_replace(p->roles, ph->node_idx, err, len);
}

/*
 * A balancer taken out as when its box dies or an operator drains it: the routers stop
 * sending it anything (the ECMP route to each VIP is replaced by one over the others, so its
 * flows rehash onto them), and its port goes down. The flows it carried keep their backends
 * only because every balancer has the same Maglev ring: the survivors have no connection-table
 * entry for them.
 */
static int fail_balancer(struct phases *p, const struct sc_phase *ph, char *err, size_t len)
{
	struct link_job j = { .ifname = p->env->sc->balancer.iface, .down = true };
	int node = ph->node_idx, k, ret;

	k = roles_balancer_of(p->roles, node);
	if (k < 0 || p->topo->lb_out[k]) {
		snprintf(err, len, "%s runs no balancer, or it failed already", ph->node);
		return -ENOENT;
	}
	ret = topology_balancer_out(p->topo, k, err, len);
	if (ret)
		return ret;
	ret = env_run(p->env, node, link_set_here, &j);
	if (!j.ran)
		snprintf(err, len, "enter %s: %s", ph->node, strerror(-ret));
	else if (ret)
		snprintf(err, len, "set %s:%s down: %s", ph->node, p->env->sc->balancer.iface,
			 nl_strerror(ret));
	return ret;
}

static int phase_do(struct phases *p, const struct sc_phase *ph, char *err, size_t len)
{
	switch (ph->kind) {
	case SC_PHASE_REMOVE_BACKEND:
	case SC_PHASE_ADD_BACKEND:
		return pool_change(p, ph, err, len);
	case SC_PHASE_SET_MTU:
		return set_mtu(p, ph, err, len);
	case SC_PHASE_REPLACE_DECAP:
		return replace_decap(p, ph, err, len);
	case SC_PHASE_FAIL_BALANCER:
		return fail_balancer(p, ph, err, len);
	}
	return -EINVAL;
}

static void *phases_thread(void *arg)
{
	struct phases *p = arg;
	int i, ret;

	for (i = 0; i < p->env->sc->n_phases && !env_stop; i++) {
		const struct sc_phase *ph = &p->env->sc->phases[i];
		struct phase_result *res = &p->results[i];
		if (!env_sleep_until(p->t0 + ph->at_ms * 1000ull))
			break;
		res->ran = true;
		res->at_ms = (env_clock_usec() - p->t0) / 1000.0;
		ret = phase_do(p, ph, res->error, sizeof(res->error));
		res->done = !ret;
		pr_info("  phase %d (%s) at %.1f ms: %s\n", i + 1, scenario_phase_name(ph->kind),
			res->at_ms, ret ? res->error : "done");
		if (ret && !p->err) {
			p->err = ret;
			env_failf(p->env, ret, "phase %d (line %d, %s at %d ms): %s", i + 1,
				  ph->mark.line, scenario_phase_name(ph->kind), ph->at_ms,
				  res->error);
		}
	}
	return NULL;
}

int phases_start(struct phases *p, __u64 t0_usec)
{
	const struct sc_balancer *b = &p->env->sc->balancer;
	int v, k, err;

	for (v = 0; v < b->n_vips; v++) {
		p->pools[v].n = b->vips[v].n_backends;
		for (k = 0; k < b->vips[v].n_backends; k++)
			p->pools[v].nodes[k] = b->vips[v].backend_idx[k];
	}
	if (!p->env->sc->n_phases)
		return 0;
	p->t0 = t0_usec;
	err = -pthread_create(&p->thread, NULL, phases_thread, p);
	p->started = !err;
	return err;
}

int phases_wait(struct phases *p)
{
	if (!p->started)
		return 0;
	pthread_join(p->thread, NULL);
	p->started = false;
	return p->err;
}
