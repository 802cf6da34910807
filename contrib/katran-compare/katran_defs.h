/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Katran's map layouts and constants (katran/lib/bpf/balancer_structs.h, balancer_consts.h at
 * the commit we build), under katran_ names so that one file can include them beside
 * dsrlab's common/maps.h (which has its own struct flow_key). Shared by wrapper.bpf.c and
 * harness.c; the sizes are asserted on both sides.
 */
#ifndef KATRAN_BENCH_KATRAN_DEFS_H
#define KATRAN_BENCH_KATRAN_DEFS_H

#include <linux/types.h>

/* balancer_consts.h defaults (no -D given at build time) */
#define KATRAN_MAX_VIPS		  512
#define KATRAN_MAX_REALS	  4096
#define KATRAN_RING_SIZE	  65537
#define KATRAN_MAX_SUPPORTED_CPUS 128
#define KATRAN_MAX_CONN_RATE	  125000

/* offsets in `stats` past MAX_VIPS (balancer_consts.h) */
#define KATRAN_LRU_CNTRS	  0 /* v1: vip packets, v2: lru misses */
#define KATRAN_LRU_MISS_CNTR	  1 /* v1: tcp syn misses, v2: tcp non-syn misses */
#define KATRAN_NEW_CONN_RATE_CNTR 2 /* v1: new conns this second, v2: quantum start */
#define KATRAN_FALLBACK_LRU_CNTR  3 /* v1: packets that used fallback_cache */
#define KATRAN_ENCAP_FAIL_CNTR	  7
#define KATRAN_CH_DROP_STATS	  9
#define KATRAN_XDP_TOTAL_CNTR	  16
#define KATRAN_XDP_TX_CNTR	  17
#define KATRAN_XDP_DROP_CNTR	  18
#define KATRAN_XDP_PASS_CNTR	  19
#define KATRAN_STATS_MAP_SIZE	  (KATRAN_MAX_VIPS * 2)

/* real_definition.flags */
#define KATRAN_F_IPV6 (1 << 0)

struct katran_flow_key {
	union {
		__be32 src;
		__be32 srcv6[4];
	};
	union {
		__be32 dst;
		__be32 dstv6[4];
	};
	union {
		__u32 ports;
		__u16 port16[2];
	};
	__u8 proto;
};

struct katran_ctl_value {
	union {
		__u64 value;
		__u32 ifindex;
		__u8 mac[6];
	};
};

struct katran_vip_definition {
	union {
		__be32 vip;
		__be32 vipv6[4];
	};
	__u16 port;
	__u8 proto;
};

struct katran_vip_meta {
	__u32 flags;
	__u32 vip_num;
};

struct katran_real_pos_lru {
	__u32 pos;
	__u64 atime;
};

struct katran_real_definition {
	union {
		__be32 dst;
		__be32 dstv6[4];
	};
	__u8 flags;
};

struct katran_lb_stats {
	__u64 v1;
	__u64 v2;
};

_Static_assert(sizeof(struct katran_flow_key) == 40, "katran flow_key");
_Static_assert(sizeof(struct katran_ctl_value) == 8, "katran ctl_value");
_Static_assert(sizeof(struct katran_vip_definition) == 20, "katran vip_definition");
_Static_assert(sizeof(struct katran_vip_meta) == 8, "katran vip_meta");
_Static_assert(sizeof(struct katran_real_pos_lru) == 16, "katran real_pos_lru");
_Static_assert(sizeof(struct katran_real_definition) == 20, "katran real_definition");
_Static_assert(sizeof(struct katran_lb_stats) == 16, "katran lb_stats");

/*
 * The wrapper's per-class packet (its .bss), written by the harness. Before every iteration
 * the wrapper restores data[0..len) and then, with the WF_* flags set (the SYN class), in the
 * same order whichever program is in the slot: deletes dsr_key from dsrlab's table, deletes
 * kat_key from Katran's LRU of this CPU, zeroes Katran's new-connection counter.
 */
#define BENCH_PKT_MAX 256

#define WF_DEL_DSRLAB 0x1
#define WF_DEL_KATRAN 0x2
#define WF_RESET_RATE 0x4

struct bench_pkt {
	__u32 len;
	__u32 flags;
	__u8 dsr_key[40]; /* struct flow_key (dsrlab, common/flow.h) */
	__u8 kat_key[40]; /* struct katran_flow_key */
	__u8 data[BENCH_PKT_MAX];
};

#endif
