/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP in the balancer: recognising the "too big" errors a router sends about a VIP's reply
 * (their quote is parsed by parse_icmp_quote() in common/parse.h), and answering a client
 * whose packet would not fit the underlay once encapsulated.
 *
 * The answer is written over the client's packet: the tail is cut to what is quoted, the
 * head grows by an IP and an ICMP header, Ethernet and VLAN tags move to the new front with
 * the MACs swapped, and the frame goes back out of the port it came in on (XDP_TX):
 *
 *   IPv4  IP (tos 0xc0, id 0, DF, TTL 64, VIP -> client, protocol 1), 576 bytes in all
 *         (RFC 1812 4.3.2.3: as much of the packet as fits 576)
 *         ICMP type 3 code 4 (fragmentation needed), next-hop MTU = lb_config.mtu - overhead
 *           (at least 68), then the first 548 bytes of the client's IP packet
 *   IPv6  IPv6 (traffic class 0, flow label 0, hop limit 64, VIP -> client, next header 58),
 *         1280 bytes in all (RFC 4443 2.4 (c): as much as fits the minimum MTU)
 *         ICMPv6 type 2 (packet too big), MTU = lb_config.mtu - overhead (at least 1280),
 *           then the first 1232 bytes of the client's packet
 *
 * The quote has a fixed length, so the checksum (RFC 1071; ICMPv6 with the pseudo-header) is a
 * few bpf_csum_diff() calls of constant size and the verifier walks no loop of unknown length.
 * A too-big packet is longer than the quote whenever lb_config.mtu leaves the client at least
 * 548 (IPv4) or 1280 (IPv6) bytes, as any working underlay does; a shorter one is dropped.
 */
#ifndef DSRLAB_BPF_ICMP_H
#define DSRLAB_BPF_ICMP_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "common/parse.h"
#include "common/csum.h"
#include "bpf/encap.h"

#define ICMP_ERR_LEN4	576 /* RFC 1812: an ICMPv4 error is at most this long */
#define ICMP_ERR_LEN6	1280 /* RFC 4443: an ICMPv6 error fits the minimum IPv6 MTU */
#define ICMP_MIN_MTU4	68
#define ICMP_MIN_MTU6	1280
#define ICMP_ERR_TOS	0xc0 /* network control, as Linux sends ICMPv4 errors */
#define ICMP_ERR_TTL	64
#define ICMP_HDR_LEN	8
#define ICMP_CSUM_CHUNK 512 /* bpf_csum_diff() sums at most this much at a time */

/*
 * May an ICMP error come from src to dst, or go from dst back to src? Not when src is
 * martian or not unicast (RFC 1812 4.3.2.7, RFC 4443 2.4 (e)): IPv4 0/8, 127/8, 224/4
 * (multicast) and 240/4 (reserved, 255.255.255.255 in it); IPv6 ::, ::1, ff00::/8 and
 * IPv4-mapped ::ffff:0:0/96; nor when src is dst (the VIP itself). Addresses as in a flow key.
 */
static __always_inline int icmp_src_sane(const __be32 *src, const __be32 *dst, __u8 family)
{
	__u32 a0 = bpf_ntohl(src[0]);

	if (family == FAM_IPV4)
		return src[0] != dst[0] && (a0 >> 24) != 0 && (a0 >> 24) != 127 && a0 < 0xe0000000;
	if (src[0] == dst[0] && src[1] == dst[1] && src[2] == dst[2] && src[3] == dst[3])
		return 0;
	if ((a0 >> 24) == 0xff)
		return 0;
	if (!src[0] && !src[1]) {
		if (src[2] == bpf_htonl(0xffff))
			return 0; /* ::ffff:a.b.c.d */
		if (!src[2] && (!src[3] || src[3] == bpf_htonl(1)))
			return 0; /* ::, ::1 */
	}
	return 1;
}

/* An ICMPv4 "fragmentation needed" or an ICMPv6 "packet too big", not itself a fragment. */
static __always_inline int icmp_is_too_big(const struct pkt_meta *m)
{
	if (m->flags & PKT_F_FRAG)
		return 0;
	if (m->flow.family == FAM_IPV4)
		return m->flow.proto == IPPROTO_ICMP && m->icmp_type == ICMP_DEST_UNREACH &&
		       m->icmp_code == ICMP_FRAG_NEEDED;
	return m->flow.proto == IPPROTO_ICMPV6 && m->icmp_type == ICMPV6_PKT_TOOBIG;
}

/* Is the client's IPv4 header's DF bit set? (IPv6 is never fragmented on the way: always.) */
static __always_inline int icmp_df_set(struct xdp_md *ctx, const struct pkt_meta *m)
{
	struct cursor c = { .end = (void *)(long)ctx->data_end };
	struct iphdr *iph;

	if (m->flow.family != FAM_IPV4)
		return 1;
	if (parse_seek(&c, (void *)(long)ctx->data, &m->l3_off) < 0)
		return 0;
	iph = c.pos;
	if ((void *)(iph + 1) > c.end)
		return 0;
	return !!(iph->frag_off & bpf_htons(IPV4_DF));
}

/* One's complement sum, not folded, of len bytes at pos (len: a constant, multiple of 4). */
static __always_inline __u64 icmp_csum(void *pos, void *end, __u32 len, __u64 sum)
{
	__u32 off;

	if (pos + len > end)
		return 0;
	for (off = 0; off + ICMP_CSUM_CHUNK <= len; off += ICMP_CSUM_CHUNK)
		sum += (__u32)bpf_csum_diff(NULL, 0, pos + off, ICMP_CSUM_CHUNK, 0);
	if (len % ICMP_CSUM_CHUNK)
		sum += (__u32)bpf_csum_diff(NULL, 0, pos + off, len % ICMP_CSUM_CHUNK, 0);
	return sum;
}

static __always_inline int icmp_write4(void *pos, void *end, const struct pkt_meta *m, __u16 mtu)
{
	struct iphdr *iph = pos;
	struct icmp4_hdr *ih = (void *)(iph + 1);

	if ((void *)(ih + 1) > end)
		return -1;
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = ICMP_ERR_TOS;
	iph->tot_len = bpf_htons(ICMP_ERR_LEN4);
	iph->id = 0;
	iph->frag_off = bpf_htons(IPV4_DF);
	iph->ttl = ICMP_ERR_TTL;
	iph->protocol = IPPROTO_ICMP;
	iph->saddr = m->flow.dst;
	iph->daddr = m->flow.src;
	iph->check = ipv4_hdr_csum(iph);
	ih->type = ICMP_DEST_UNREACH;
	ih->code = ICMP_FRAG_NEEDED;
	ih->checksum = 0;
	ih->un.frag.unused = 0;
	ih->un.frag.mtu = bpf_htons(mtu);
	ih->checksum = csum_fold(icmp_csum(ih, end, ICMP_ERR_LEN4 - sizeof(*iph), 0));
	return 0;
}

static __always_inline int icmp_write6(void *pos, void *end, const struct pkt_meta *m, __u32 mtu)
{
	struct ipv6hdr *ip6h = pos;
	struct icmp6_hdr *ih = (void *)(ip6h + 1);
	__u32 len = ICMP_ERR_LEN6 - sizeof(*ip6h);
	__u64 sum = 0;
	int i;

	if ((void *)(ih + 1) > end)
		return -1;
	*(__be32 *)ip6h = bpf_htonl(6u << 28);
	ip6h->payload_len = bpf_htons(len);
	ip6h->nexthdr = IPPROTO_ICMPV6;
	ip6h->hop_limit = ICMP_ERR_TTL;
	parse_addr_copy(ip6h->saddr.s6_addr32, m->flow.dstv6, 4);
	parse_addr_copy(ip6h->daddr.s6_addr32, m->flow.srcv6, 4);
	ih->type = ICMPV6_PKT_TOOBIG;
	ih->code = 0;
	ih->checksum = 0;
	ih->un.mtu = bpf_htonl(mtu);
	/* Pseudo-header: addresses, upper-layer length, next header. */
	for (i = 0; i < 4; i++)
		sum += (__u64)m->flow.srcv6[i] + m->flow.dstv6[i];
	sum += (__u64)bpf_htonl(len) + bpf_htonl(IPPROTO_ICMPV6);
	ih->checksum = csum_fold(icmp_csum(ih, end, len, sum));
	return 0;
}

/*
 * Turn the client's packet (no encapsulation, m from parse_packet()) into the too-big answer
 * described at the top, advertising mtu (the room left for the client's packet). Returns 0,
 * or -1: the packet is shorter than the quote (lb_config.mtu below 576 or 1280 plus the
 * overhead), or the frame could not be reshaped; drop it.
 */
static __always_inline int icmp_too_big(struct xdp_md *ctx, const struct pkt_meta *m, __u32 mtu)
{
	int v4 = m->flow.family == FAM_IPV4;
	struct encap_plan p = {
		.family = m->flow.family,
		.proto = v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6,
		.len = (v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr)) + ICMP_HDR_LEN,
	};
	__u32 quote = (v4 ? ICMP_ERR_LEN4 : ICMP_ERR_LEN6) - p.len, frame, want;
	void *pos, *end;

	if (m->ip_len < quote)
		return -1;
	frame = ctx->data_end - ctx->data;
	want = m->l3_off + quote;
	if (want < frame && bpf_xdp_adjust_tail(ctx, (int)want - (int)frame))
		return -1;
	pos = encap_push(ctx, NULL, &p, m->nvlans, 1);
	if (!pos)
		return -1;
	end = (void *)(long)ctx->data_end;
	if (v4)
		return icmp_write4(pos, end, m, mtu < ICMP_MIN_MTU4 ? ICMP_MIN_MTU4 : mtu);
	return icmp_write6(pos, end, m, mtu < ICMP_MIN_MTU6 ? ICMP_MIN_MTU6 : mtu);
}

#endif
