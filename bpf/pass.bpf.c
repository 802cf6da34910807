// SPDX-License-Identifier: GPL-2.0
/*
 * XDP_PASS on a veth peer. A frame sent with XDP_TX or redirected into a veth is only
 * delivered when the receiving end runs an XDP program (or has GRO on).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
