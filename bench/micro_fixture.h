/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `dsrlab bench --micro` measures the balancer against: its VIPs and backends, its
 * configuration, and the packet of each class. One definition, used by bench/micro.c and by
 * contrib/katran-compare/ (which runs another balancer beside ours), so that both measure
 * the same packets against the same setup.
 */
#ifndef DSRLAB_BENCH_MICRO_FIXTURE_H
#define DSRLAB_BENCH_MICRO_FIXTURE_H

#include <linux/types.h>

#include "common/addr.h"
#include "common/flow.h"
#include "common/pkt_build.h"
#include "lb/lb.h"

enum micro_vip_id { MICRO_VIP_TCP4, MICRO_VIP_UDP4, MICRO_VIP_TCP6, MICRO_VIP_GUE4, MICRO_VIP_MAX };

struct micro_vip {
	const char *endpoint; /* as dsrlab-lb takes it */
	__u8 encap; /* enum encap_type */
	__u8 real_family;
};

extern const struct micro_vip micro_vips[MICRO_VIP_MAX];

#define MICRO_REALS_PER_VIP 8 /* backends per VIP in bench --micro */
#define MICRO_REALS_MAX	    32

/* The balancer's configuration: next hop, hash seed, MTU, GUE port, outer sources. */
void micro_config(struct lb_config *cfg);

/* Backend i (from 0) of VIP v: 10.1.<v>.<i+1> or fd00:1:<v>::<i+1>. 0 or -EINVAL. */
int micro_real_addr(int v, int i, struct ip_addr *out);

/*
 * Configure lb (micro_config()) and add every VIP with reals backends (at most
 * MICRO_REALS_MAX), as dsrlab-lb would; first_real[v]: the real id of VIP v's first backend
 * (its counter index). 0 or a negative errno.
 */
int micro_lb_setup(struct lb *lb, int reals, __u32 first_real[MICRO_VIP_MAX]);

/* The flow key the balancer derives from packet p (same parser, so the same bytes). */
int micro_flow_of(const struct pkt *p, struct flow_key *key);

/* The many-flows class: source ports MICRO_MANY_SPORT on, at this offset of the packet. */
#define MICRO_MANY_FLOWS     50000
#define MICRO_MANY_SPORT     10000
#define MICRO_MANY_SPORT_OFF (sizeof(struct ethhdr) + sizeof(struct iphdr))

/* The classes' packets (bench/micro.c names each, docs/bench.md lists them). */
void micro_build_syn4(struct pkt *p); /* TCP SYN 10.0.0.2:40000 -> 10.100.0.1:80 */
void micro_build_est4(struct pkt *p); /* TCP ACK 10.0.0.2:40001 -> 10.100.0.1:80 */
void micro_build_many4(struct pkt *p); /* TCP ACK 10.0.0.2:MICRO_MANY_SPORT -> 10.100.0.1:80 */
void micro_build_est6(struct pkt *p); /* TCP ACK [fd00::2]:40002 -> [fd00:100::1]:80 */
void micro_build_udp4(struct pkt *p); /* UDP 10.0.0.2:40003 -> 10.100.0.1:443, 32 bytes */
void micro_build_gue4(struct pkt *p); /* TCP ACK 10.0.0.2:40004 -> 10.100.0.3:80 (GUE VIP) */
void micro_build_ptb4(struct pkt *p); /* frag-needed quoting the VIP's reply to est4 */
void micro_build_nonvip4(struct pkt *p); /* TCP ACK 10.0.0.2:40005 -> 10.0.9.9:80 */

/* An address in text, as inet_pton() reads it (the fixture's own, always valid). */
__be32 micro_v4(const char *s);
void micro_v6(const char *s, void *out);

#endif
