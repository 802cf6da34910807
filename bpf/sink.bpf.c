// SPDX-License-Identifier: GPL-2.0
/*
 * The bench's sink: counts the generator's frames (common/gen.h) as good or malformed, and
 * everything else as other, per CPU. Two attach points share the counters' meaning:
 * - sink_xdp: XDP on an interface (the generator's own port, where a balancer or reflector
 *   sends frames back), a frame as generated or inside one encapsulation; it drops them all.
 * - sink_sock: a socket filter on a UDP socket (a tenant's service), the datagram as
 *   delivered after decapsulation; it drops it too (returns 0), after the kernel checked
 *   the UDP checksum.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "common/csum.h"
#include "common/gen.h"

/* Written by user space between open and load (bench/sink.c). */
const volatile __u32 frame_len = 64; /* as generated, without encapsulation */
const volatile __u32 encap_len; /* bytes one encapsulation adds (outer IP, GUE's UDP); 0 */
const volatile __u8 outer_family; /* 4, 6: of the encapsulation the sink accepts */
const volatile __u8 outer_gue; /* the encapsulation is GUE over UDP to gue_port */
const volatile __u16 gue_port;
const volatile __u8 inner_family = 4; /* 4 or 6 */
const volatile __u8 l4_proto = IPPROTO_UDP;
const volatile __u16 dport = 80; /* host order */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SINK_STAT_MAX);
	__type(key, __u32);
	__type(value, struct sink_counter);
} sink_stats SEC(".maps");

static __always_inline void count(__u32 stat, __u32 bytes)
{
	struct sink_counter *c = bpf_map_lookup_elem(&sink_stats, &stat);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* An IPv4 header without options, of tot_len bytes to the end of the frame, checksum right. */
static __always_inline int ipv4_ok(struct iphdr *ip, void *end, __u8 proto)
{
	if ((void *)(ip + 1) > end || ip->version != 4 || ip->ihl != 5 || ip->protocol != proto)
		return 0;
	return bpf_ntohs(ip->tot_len) == end - (void *)ip && ip->check == ipv4_hdr_csum(ip);
}

static __always_inline int ipv6_ok(struct ipv6hdr *ip6, void *end, __u8 proto)
{
	if ((void *)(ip6 + 1) > end || ip6->version != 6 || ip6->nexthdr != proto)
		return 0;
	return bpf_ntohs(ip6->payload_len) == end - (void *)(ip6 + 1);
}

/* The inner packet at l3 through the end, as the generator wrote it. */
static __always_inline int inner_ok(void *data, void *l3, void *end)
{
	__u32 *magic, tail_off;
	void *l4;

	if (inner_family == 4) {
		if (!ipv4_ok(l3, end, l4_proto))
			return 0;
		l4 = l3 + sizeof(struct iphdr);
	} else {
		if (!ipv6_ok(l3, end, l4_proto))
			return 0;
		l4 = l3 + sizeof(struct ipv6hdr);
	}
	if (l4_proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > end || udp->dest != bpf_htons(dport) ||
		    bpf_ntohs(udp->len) != end - l4)
			return 0;
		magic = (void *)(udp + 1);
	} else {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > end || tcp->dest != bpf_htons(dport) || tcp->doff != 5)
			return 0;
		magic = (void *)(tcp + 1);
	}
	if ((void *)(magic + 1) > end || *magic != bpf_htonl(GEN_MAGIC))
		return 0;
	tail_off = end - data - sizeof(__u32);
	if (tail_off > GEN_FRAME_MAX + 64)
		return 0;
	magic = data + tail_off;
	if ((void *)(magic + 1) > end)
		return 0;
	return *magic == bpf_htonl(GEN_TAIL);
}

/* The outer header of the encapsulation the sink was told of; the inner packet after it. */
static __always_inline void *outer_ok(void *l3, void *end)
{
	__u8 proto = outer_gue ? IPPROTO_UDP : inner_family == 4 ? IPPROTO_IPIP : IPPROTO_IPV6;
	struct udphdr *udp;

	if (outer_family == 4) {
		if (!ipv4_ok(l3, end, proto))
			return NULL;
		l3 += sizeof(struct iphdr);
	} else {
		if (!ipv6_ok(l3, end, proto))
			return NULL;
		l3 += sizeof(struct ipv6hdr);
	}
	if (!outer_gue)
		return l3;
	udp = l3;
	if ((void *)(udp + 1) > end || udp->dest != bpf_htons(gue_port) ||
	    bpf_ntohs(udp->len) != end - l3)
		return NULL;
	return udp + 1;
}

/* Not ours at all: a frame of another length that is not IP of our protocols. */
static __always_inline int is_other(struct ethhdr *eth, void *end)
{
	__u8 proto;

	if ((void *)(eth + 1) > end)
		return 1;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end)
			return 1;
		proto = ip->protocol;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return 1;
		proto = ip6->nexthdr;
	} else {
		return 1;
	}
	return proto != l4_proto && proto != IPPROTO_IPIP && proto != IPPROTO_IPV6 &&
	       proto != IPPROTO_UDP;
}

SEC("xdp")
int sink_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 len = end - data;
	__u16 want = bpf_htons(inner_family == 4 ? ETH_P_IP : ETH_P_IPV6);
	void *l3 = eth + 1;
	int good = 0;

	if ((void *)(eth + 1) > end)
		goto other;
	if (len == frame_len) {
		good = eth->h_proto == want && inner_ok(data, l3, end);
	} else if (encap_len && len == frame_len + encap_len) {
		want = bpf_htons(outer_family == 4 ? ETH_P_IP : ETH_P_IPV6);
		if (eth->h_proto == want) {
			l3 = outer_ok(l3, end);
			good = l3 && inner_ok(data, l3, end);
		}
	} else if (is_other(eth, end)) {
		goto other;
	}
	count(good ? SINK_STAT_GOOD : SINK_STAT_MALFORMED, len);
	return XDP_DROP;
other:
	count(SINK_STAT_OTHER, len);
	return XDP_DROP;
}

/* What the datagram must be: frame_len less Ethernet and the inner IP header. */
SEC("socket")
int sink_sock(struct __sk_buff *skb)
{
	__u32 ip_len = inner_family == 4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	__u32 want = frame_len - ETH_HLEN - ip_len, tail;
	struct {
		struct udphdr udp;
		__be32 magic;
	} h;
	int good;

	good = skb->len == want && !bpf_skb_load_bytes(skb, 0, &h, sizeof(h)) &&
	       h.udp.dest == bpf_htons(dport) && bpf_ntohs(h.udp.len) == want &&
	       h.magic == bpf_htonl(GEN_MAGIC) &&
	       !bpf_skb_load_bytes(skb, want - sizeof(tail), &tail, sizeof(tail)) &&
	       tail == bpf_htonl(GEN_TAIL);
	count(good ? SINK_STAT_GOOD : SINK_STAT_MALFORMED, skb->len);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
