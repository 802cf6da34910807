/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The chain's prog array and how a member continues it.
 *
 * Tail calls do not return, so the root cannot run members one after another: each member
 * hands the packet on itself. The contract for a member (an XDP program, not frags-aware,
 * like the root: the kernel refuses a prog array mixing them):
 *   - include this header: it declares the prog array `chain`; the loader (dsrlab-lb chain
 *     add, lb_chain_member_load()) makes it the root's array before the member is loaded;
 *   - declare `const volatile __u32 chain_slot;`: the loader writes the member's slot there;
 *   - to let the rest of the chain see the packet (XDP_PASS meaning "not mine"), end with
 *     `return chain_run_from(ctx, chain_slot + 1);`; any other return is the final verdict.
 * Empty slots are skipped; after the last occupied slot the chain ends with XDP_PASS.
 * A program without `chain` (or that never calls chain_run_from) ends the chain where it sits.
 */
#ifndef DSRLAB_BPF_CHAIN_H
#define DSRLAB_BPF_CHAIN_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "common/chain.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, CHAIN_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} chain SEC(".maps");

/* Tail-call the first occupied slot from `first` on; returns XDP_PASS when none is. */
static __always_inline int chain_run_from(struct xdp_md *ctx, __u32 first)
{
	__u32 slot;

	for (slot = first; slot < CHAIN_SLOTS; slot++)
		bpf_tail_call(ctx, &chain, slot);
	return XDP_PASS;
}

#endif
