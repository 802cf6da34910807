// SPDX-License-Identifier: GPL-2.0
/*
 * The chain root: the one XDP program attached to the interface. It runs the first occupied
 * slot of its prog array; members continue the chain themselves (bpf/chain.h). Replacing a
 * member is one prog array update, atomic for every packet.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bpf/chain.h"

SEC("xdp")
int chain_root(struct xdp_md *ctx)
{
	return chain_run_from(ctx, 0);
}

char LICENSE[] SEC("license") = "GPL";
