// SPDX-License-Identifier: GPL-2.0
/*
 * Baselines for the throughput bench, measured on the same link in the same run as the
 * programs they stand beside: an XDP program that sends every frame back untouched (the
 * ceiling of XDP_TX on this link), and a TC program that lets every packet through (the
 * path a decap takes, without the decap).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int reflect(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("tc")
int tc_ok(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
