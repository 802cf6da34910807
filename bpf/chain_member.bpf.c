// SPDX-License-Identifier: GPL-2.0
/*
 * Example chain members (the contract is in bpf/chain.h), standing in for "another XDP
 * program" before the balancer: chain_count counts every packet and hands it on,
 * chain_drop counts and drops it. Pick one with dsrlab-lb chain add SLOT OBJ:PROG.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bpf/chain.h"

const volatile __u32 chain_slot = 0;

__u64 seen = 0; /* packets this member ran on */

SEC("xdp")
int chain_count(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&seen, 1);
	return chain_run_from(ctx, chain_slot + 1);
}

SEC("xdp")
int chain_drop(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&seen, 1);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
