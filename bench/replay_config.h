/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The configuration file of dsrlab replay (docs/replay.md): one command a line, in the
 * syntax of dsrlab-lb and dsrlab-backend, '#' starts a comment.
 *   balancer:  attach --src ADDR[/LEN] [--src6 ADDR6[/LEN]] --nexthop-mac MAC
 *                     [--mtu N] [--gue-port N] [--ring-size PRIME] [--conn-table sets|lru|percpu]
 *              vip add VIP [--encap E] [--src-per-flow] [--backend ADDR[@WEIGHT]]...
 *   decap:     attach --serve ADDR --allow PREFIX... [--at POINT] [--strict] [--gue-port N]
 * Parsing needs no kernel; mistakes are "FILE:LINE:COL: message" and -EINVAL.
 */
#ifndef DSRLAB_BENCH_REPLAY_CONFIG_H
#define DSRLAB_BENCH_REPLAY_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "backend/decap.h"
#include "common/maps.h"
#include "lb/lb.h"

#define REPLAY_MAX_VIPS	 64
#define REPLAY_MAX_ALLOW 16

enum replay_prog { REPLAY_LB, REPLAY_DECAP };

struct replay_vip {
	struct endpoint vip;
	__u8 encap;
	__u32 flags;
	struct lb_backend backends[LB_POOL_MAX];
	int n_backends;
	int line;
};

struct replay_config {
	enum replay_prog prog;
	/* balancer */
	bool attach_seen;
	struct lb_config lb;
	struct lb_load_opts load;
	struct replay_vip vips[REPLAY_MAX_VIPS];
	int n_vips;
	/* decap */
	struct decap_opts decap;
	struct ip_prefix allow[REPLAY_MAX_ALLOW];
};

/* Parse the file at path for prog into c; messages to err. 0, or -errno (-EINVAL: bad). */
int replay_config_load(const char *path, enum replay_prog prog, struct replay_config *c, FILE *err);

#endif
