/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel drop reasons during a run, per namespace and interface, from the kfree_skb
 * tracepoint. Names come from the running kernel's enum skb_drop_reason.
 */
#ifndef DSRLAB_BENCH_DROPS_H
#define DSRLAB_BENCH_DROPS_H

#include <linux/types.h>

struct drop_tracer;

struct drop_count {
	__u32 netns;
	__u32 ifindex;
	char reason[48]; /* without the SKB_DROP_REASON_ prefix */
	__u64 count;
};

int drops_start(struct drop_tracer **out);
/* Up to max entries of the namespaces in netns[0..n); returns how many. */
int drops_read(struct drop_tracer *t, const __u32 *netns, int n, struct drop_count *out, int max);
void drops_stop(struct drop_tracer *t);

#endif
