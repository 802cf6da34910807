/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the balancer library (lb/lb.c: load, pin, attach, config; lb/lb_vip.c: VIPs,
 * pools and reals; lb/lb_stats.c: counters; lb/lb_chain.c: chain members): the handle and
 * its maps.
 */
#ifndef DSRLAB_LB_LB_PRIV_H
#define DSRLAB_LB_LB_PRIV_H

#include "lb/lb.h"
#include "balancer.skel.h"
#include "root.skel.h"

enum lb_map {
	LB_MAP_CONFIG,
	LB_MAP_VIPS,
	LB_MAP_RINGS,
	LB_MAP_REALS,
	LB_MAP_CONNS,
	LB_MAP_STATS,
	LB_MAP_VIP_STATS,
	LB_MAP_REAL_STATS,
	LB_MAP_VIP_NEW_FLOWS,
	LB_MAP_VIP_FILTER,
	LB_MAP_VIP_BY_ID,
	LB_MAP_FLOW_CACHE,
	LB_MAP_CONN_SLOTS,
	LB_MAP_POOLS, /* user space only: created here, not by the BPF object */
	LB_MAP_MAX
};

/* A VIP's pool (value of "pools", keyed by vip_id): what its ring was built from. */
struct lb_pool {
	__u32 n;
	__u32 pad;
	struct {
		__u32 real_id;
		__u32 weight;
	} m[LB_POOL_MAX];
};
_Static_assert(sizeof(struct lb_pool) == 8 + 8 * LB_POOL_MAX, "lb_pool layout");

struct lb {
	struct balancer_bpf *skel; /* NULL when opened from pins */
	struct root_bpf *root; /* the chain root, when this process loaded it */
	int fds[LB_MAP_MAX];
	int chain_fd; /* the chain's prog array; -1: not chained */
	int link_fd;
	__u32 ring_size;
	__u32 conn_sets; /* lb_config.conn_sets: 0, the LRU hash */
};

/*
 * Delete the connection table's entries pred() holds true for (lb/lb_conns.c), *n of them,
 * and move the caches' epoch.
 */
typedef bool (*conn_pred)(const struct flow_key *k, const struct conn_val *v, const void *arg);
int conns_delete_if(struct lb *lb, conn_pred pred, const void *arg, size_t *n);

/* Rewrite the config as it is, so the flags the library keeps follow the VIPs (lb/lb.c). */
int config_refresh(struct lb *lb);

#endif
