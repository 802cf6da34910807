/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The traffic generator (bpf/gen.bpf.c) and the sink (bpf/sink.bpf.c): the frame they agree
 * on, their counters and limits, the only definition for BPF and user space.
 *
 * A generated frame is Ethernet, optionally one outer header (IPIP, IPv6-in-IPv6, or
 * IP+UDP for GUE: what a decap receives), an inner IPv4 or IPv6 header without options,
 * UDP or TCP (20 bytes, no options), then the payload: GEN_MAGIC, padding, and GEN_TAIL
 * in the last four bytes of the frame. The sink recognises its frames by their length
 * (the generated one, or that plus one encapsulation) and checks every header and both
 * markers, so a frame the data path corrupted is counted malformed, never good.
 */
#ifndef DSRLAB_COMMON_GEN_H
#define DSRLAB_COMMON_GEN_H

#include <linux/types.h>

#define GEN_MAGIC 0x64737267 /* "dsrg", first payload word (network order) */
#define GEN_TAIL  0x6c616221 /* "lab!", last four bytes of the frame */

/* Room in the template map; a frame is at most GEN_FRAME_MAX bytes (no FCS). */
#define GEN_TEMPLATE_SIZE 1536
#define GEN_FRAME_MAX	  1514

struct gen_template {
	__u8 data[GEN_TEMPLATE_SIZE];
};
_Static_assert(sizeof(struct gen_template) == GEN_TEMPLATE_SIZE, "gen_template layout");

/* Per-CPU generator state (one entry of a per-CPU array). */
struct gen_cpu {
	__u64 sent; /* frames handed to the kernel to transmit */
	__u64 bytes;
	__u64 seq; /* next flow, before the modulo */
	__u32 cpu_seen; /* 1 once this CPU ran the program: which CPUs the generator used */
	__u32 pad;
};
_Static_assert(sizeof(struct gen_cpu) == 32, "gen_cpu layout");

enum sink_stat {
	SINK_STAT_GOOD = 0, /* one of ours, every header and marker as generated */
	SINK_STAT_MALFORMED, /* of our length (or a UDP datagram to our port) but not as sent */
	SINK_STAT_OTHER, /* not ours (ARP, neighbour discovery, other lengths): dropped */
	SINK_STAT_MAX
};

struct sink_counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct sink_counter) == 16, "sink_counter layout");

#endif
