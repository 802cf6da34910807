/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The traffic generator: bpf/gen.bpf.c run with BPF_PROG_RUN and BPF_F_TEST_XDP_LIVE_FRAMES,
 * so every frame is really transmitted out of an interface (a veth or a NIC alike: the
 * kernel sends it as XDP_TX from that interface). One thread per CPU asked for, each pinned
 * to its CPU; an exact count, or a duration; as fast as it goes, or paced to a target rate.
 * What was sent comes from the program's own per-CPU counters, never from what was asked.
 */
#ifndef DSRLAB_BENCH_GEN_H
#define DSRLAB_BENCH_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "common/addr.h"
#include "common/gen.h"

#define GEN_MAX_CPUS 64

/* The frame: inner packet from src:sport to dst:dport, optionally inside an outer header. */
struct gen_spec {
	__u8 src_mac[6], dst_mac[6];
	struct ip_addr src, dst; /* of one family */
	__u16 sport, dport; /* host order; sport is the first of the flows' source ports */
	__u8 proto; /* IPPROTO_UDP or IPPROTO_TCP (an ACK segment) */
	__u32 flows; /* source port, then the source address's last 16 bits vary; >= 1 */
	__u32 frame_len; /* bytes on the wire without FCS, the outer header included */
	/* encapsulated frames (what a balancer sends a decap): enum encap_type, ENCAP_NONE */
	__u8 encap;
	struct ip_addr outer_src, outer_dst;
	__u16 gue_port; /* ENCAP_GUE */
};

/* Where the fields the program changes per frame lie (gen_template_build fills it). */
struct gen_layout {
	__u16 inner_l3, l4, payload;
	__u16 sport_off, saddr_off, ipcsum_off, l4csum_off;
	__u32 sport_count; /* source ports per source address */
	__u16 saddr_lo;
	__u32 encap_len; /* bytes the outer header adds */
};

/* The smallest frame of a spec's headers with the payload's markers. */
__u32 gen_frame_min(const struct gen_spec *s);
/*
 * The template frame of s into buf (s->frame_len bytes, checksums complete) and its layout.
 * -EINVAL, said why, for a spec that cannot be built (length, families, too many flows).
 */
int gen_template_build(const struct gen_spec *s, __u8 *buf, struct gen_layout *lay);

struct gen_opts {
	int ifindex; /* out of which interface, in the calling thread's network namespace */
	int cpus[GEN_MAX_CPUS]; /* CPUs to send from, one thread each */
	int n_cpus; /* 0: the calling thread's CPU only */
	__u64 count; /* exact number of frames over all CPUs; 0: by duration */
	__u32 duration_ms; /* when count is 0 */
	__u64 rate_pps; /* target over all CPUs; 0: as fast as it goes */
	volatile int *stop; /* polled; may be NULL */
};

struct gen_result {
	__u64 sent, bytes; /* from the program's counters */
	__u64 requested; /* count, or rate x duration for a paced run; 0 for max by duration */
	double seconds; /* from the first send to the last, monotonic clock */
	double pps;
	bool rate_missed; /* a target rate was set and the achieved rate is under 97% of it */
	int cpus[GEN_MAX_CPUS]; /* CPUs the program ran on (its counters say so) */
	int n_cpus;
	int err; /* first error of a BPF_PROG_RUN, 0 */
};

struct gen;

/* Load the program with s's template; -errno, said why. */
int gen_open(struct gen **out, const struct gen_spec *s);
void gen_close(struct gen *g);
/* The per-CPU counters (struct gen_cpu), for sampling while it runs. */
int gen_stats_fd(const struct gen *g);
/* Frames sent so far, summed over CPUs. */
int gen_sent(const struct gen *g, __u64 *sent, __u64 *bytes);
/* Send; blocks until done. The calling thread's network namespace is the workers'. */
int gen_run(struct gen *g, const struct gen_opts *o, struct gen_result *res);

#endif
