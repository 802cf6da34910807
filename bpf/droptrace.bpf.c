// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel drop reasons, counted per network namespace, interface and reason, from the
 * kfree_skb tracepoint (tp_btf: kprobes and fentry are refused on this kernel). The bench
 * reads them to say why packets were lost, and where.
 *
 * Tracing needs a few kernel struct fields; they are declared here, partially, and CO-RE
 * relocates them against the running kernel's BTF (no vmlinux.h).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "common/maps.h"

struct ns_common {
	unsigned int inum;
} __attribute__((preserve_access_index));

struct net {
	struct ns_common ns;
} __attribute__((preserve_access_index));

typedef struct {
	struct net *net;
} __attribute__((preserve_access_index)) possible_net_t;

struct net_device {
	possible_net_t nd_net;
	int ifindex;
} __attribute__((preserve_access_index));

struct sk_buff {
	struct net_device *dev;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DROP_MAX_KEYS);
	__type(key, struct drop_key);
	__type(value, __u64);
} drops SEC(".maps");

SEC("tp_btf/kfree_skb")
int BPF_PROG(drop_trace, struct sk_buff *skb, void *location, int reason)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	struct drop_key key = { .reason = reason };
	__u64 one = 1, *n;

	if (dev) {
		key.netns = BPF_CORE_READ(dev, nd_net.net, ns.inum);
		key.ifindex = BPF_CORE_READ(dev, ifindex);
	}
	n = bpf_map_lookup_elem(&drops, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else if (bpf_map_update_elem(&drops, &key, &one, BPF_NOEXIST))
		if ((n = bpf_map_lookup_elem(&drops, &key)))
			__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
