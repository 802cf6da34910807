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
/*
 * Would lb_vip_add() and lb_vip_set_backends() accept this VIP and pool? Changes nothing;
 * -EINVAL, said why, otherwise. Call it first to leave no half-configured VIP behind.
 */
int lb_vip_check(struct lb *lb, const struct endpoint *vip, __u8 encap, __u32 flags,
		 const struct lb_backend *b, int n);
/*
 * Add (or update) a VIP; a new VIP's pool starts empty. encap (enum encap_type) must carry
 * the VIP's family: ipip and 4in6 an IPv4 VIP, ip6ip6 an IPv6 VIP, gue either (and needs
 * lb_config.gue_port set first). flags: VIP_F_*. -EINVAL, said why, otherwise. Changing an
 * existing VIP's encapsulation keeps its pool: set the backends again (until then the data
 * plane drops what the old pool cannot carry, counted as drop_unsupported_encap).
 */
int lb_vip_add(struct lb *lb, const struct endpoint *vip, __u8 encap, __u32 flags);
int lb_vip_del(struct lb *lb, const struct endpoint *vip);
/*
 * Replace a VIP's pool: a new Maglev ring is built and swapped in at once. Every backend must
 * be of the family of the encapsulation's outer header (ipip: IPv4; ip6ip6, 4in6: IPv6; gue:
 * either, per backend), and lb_config must have an outer source of that family.
 */
int lb_vip_set_backends(struct lb *lb, const struct endpoint *vip, const struct lb_backend *b,
			int n);

/* Counters summed over CPUs. */
int lb_stats_read(struct lb *lb, struct lb_counter out[LB_STAT_MAX]);
const char *lb_stat_name(enum lb_stat s);
const char *xdp_mode_name(enum xdp_mode m);

void vip_key_from_endpoint(const struct endpoint *e, struct vip_key *key);

/* "ipip", "ip6ip6", "4in6", "gue" <-> enum encap_type; parse returns -EINVAL if unknown. */
const char *lb_encap_name(__u8 encap);
int lb_encap_parse(const char *s, __u8 *encap);

#endif
