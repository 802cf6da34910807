/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The balancer as a library: load the XDP program, pin its maps, attach it, manage VIPs and
 * their backend pools, read counters. dsrlab-lb and the bench both call this.
 * Functions that attach act on the calling thread's network namespace.
 */
#ifndef DSRLAB_LB_LB_H
#define DSRLAB_LB_LB_H

#include <stdbool.h>
#include <linux/types.h>

#include "common/addr.h"
#include "common/maps.h"

enum xdp_mode { XDP_MODE_NATIVE, XDP_MODE_SKB };

struct lb;

struct lb_backend {
	struct ip_addr addr;
	__u32 weight;
};

/* Load the program and create its maps. ring_size 0: LB_RING_SIZE_DEFAULT. */
int lb_load(struct lb **out, __u32 ring_size);
/* Reopen the maps a loaded balancer pinned in dir (the CLI between invocations). */
int lb_open_pinned(struct lb **out, const char *dir);
/* Pin every map (and, once attached, the XDP link) under dir, creating it. */
int lb_pin(struct lb *lb, const char *dir);
/* Remove what lb_pin() made under dir and dir itself. */
int lb_unpin(const char *dir);
/* Attach to ifindex in the requested mode; never falls back. Granted mode in *granted. */
int lb_attach(struct lb *lb, int ifindex, enum xdp_mode mode, enum xdp_mode *granted);
void lb_close(struct lb *lb);

int lb_config_set(struct lb *lb, const struct lb_config *cfg);
int lb_config_get(struct lb *lb, struct lb_config *cfg);
/* Add (or update) a VIP; its pool starts empty. */
int lb_vip_add(struct lb *lb, const struct endpoint *vip, __u8 encap, __u32 flags);
int lb_vip_del(struct lb *lb, const struct endpoint *vip);
/* Replace a VIP's pool: a new Maglev ring is built and swapped in at once. */
int lb_vip_set_backends(struct lb *lb, const struct endpoint *vip, const struct lb_backend *b,
			int n);

/* Counters summed over CPUs. */
int lb_stats_read(struct lb *lb, struct lb_counter out[LB_STAT_MAX]);
const char *lb_stat_name(enum lb_stat s);
const char *xdp_mode_name(enum xdp_mode m);

void vip_key_from_endpoint(const struct endpoint *e, struct vip_key *key);

#endif
