/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmark wrappers (bpf/micro.bpf.c, contrib/katran-compare/wrapper.bpf.c) do
 * after restoring a packet and before the program under test runs: read its header back.
 *
 * A received packet's header is in the cache when the program starts: a driver prefetches it
 * before running XDP (net_prefetch(), two lines), and before TC ingress eth_type_trans() and
 * GRO have read its Ethernet, IP and transport headers. The restored packet's bytes were
 * instead just written by a kernel memcpy (bpf_xdp_store_bytes(), bpf_skb_store_bytes()) and
 * are still on their way to the cache, so the first loads of them wait. A program that reads
 * the IP header pays that wait and a floor that does not (the decap's strip-only program,
 * which never reads past Ethernet) does not: in the decap classes it was 0.01 to 0.04 of the
 * ratio to the floor (docs/bench.md, "Per-packet cost"). Read here, for every program alike,
 * stubs and floors included, the wait is the wrapper's.
 */
#ifndef DSRLAB_BPF_MICRO_TOUCH_H
#define DSRLAB_BPF_MICRO_TOUCH_H

#include <linux/types.h>

/* Two cache lines, what net_prefetch() fetches: every header the classes' programs read. */
#define MICRO_TOUCH_LEN 128

/* The sum of the packet's first MICRO_TOUCH_LEN bytes (or all of it) as 8-byte words. */
static __always_inline __u64 micro_touch(const void *data, const void *end)
{
	__u64 sum = 0;
	int i;

	for (i = 0; i < MICRO_TOUCH_LEN / 8; i++) {
		if (data + (i + 1) * 8 > end)
			break;
		sum += *(const volatile __u64 *)(data + i * 8);
	}
	return sum;
}

#endif
