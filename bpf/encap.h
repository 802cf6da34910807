/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Encapsulation towards a backend: what the XDP balancer writes in front of a client's packet.
 * The inner packet is never touched; Ethernet and VLAN tags move to the new front and the
 * outer headers go right behind them:
 *
 *   IPIP    eth [vlan...] IPv4 (protocol 4)                        inner IPv4
 *   IP6IP6  eth [vlan...] IPv6 (next header 41)                    inner IPv6
 *   4in6    eth [vlan...] IPv6 (next header 4)                     inner IPv4
 *   GUE     eth [vlan...] IPv4 (protocol 17) | IPv6 (next 17)  UDP inner IPv4 | IPv6
 *
 * Outer IPv4: version 4, ihl 5, tos = the inner DSCP and ECN, total length, id 0, DF, TTL 64,
 *   protocol, header checksum, source (below), destination = the real.
 * Outer IPv6: version 6, traffic class = the inner DSCP and ECN (IPv4 tos or IPv6 traffic
 *   class), flow label = the low 20 bits of the flow hash (ECMP on the underlay spreads flows
 *   and never reorders one), payload length, next header, hop limit 64, source (below),
 *   destination = the real.
 * GUE is version 1 (RFC draft-ietf-intarea-gue, as Katran sends it): no GUE header, the inner
 *   IP header follows UDP and its version nibble (4 = 0100, 6 = 0110) reads as GUE version 1.
 *   UDP source port 0xc000 | (hash & 0x3fff) (ephemeral range; entropy for the backend NIC's
 *   RSS and for ECMP), destination port lb_config.gue_port, length, checksum 0.
 *   A zero checksum is standard for IPv4. For IPv6, RFC 8200 forbids it except for tunnel
 *   protocols under RFC 6935/6936, which GUE is: the inner packet carries its own end-to-end
 *   checksum, and computing one here would mean summing the whole packet (~1500 bytes) for
 *   every packet. Our decap never reads it; Linux fou/GUE sockets accept zero over IPv6
 *   (UDP_NO_CHECK6_RX, set by default for fou); middleboxes that insist on RFC 8200 would drop
 *   it, so GUE over IPv6 across such a path needs IPv6-in-IPv6 instead.
 *
 * DSCP is copied so the underlay queues the flow as the client marked it. ECN is copied as
 * well (RFC 6040 normal mode), as the IPIP path always did.
 *
 * Outer source: lb_config.src_v4 / src_v6, or with VIP_F_SRC_PER_FLOW the configured source's
 * leading src_v*_prefix_len bits with the flow hash below them, so that a backend NIC whose
 * RSS hashes only the outer addresses spreads flows over its queues. The source stays inside
 * one prefix, so the backend's anti-spoofing allow-list (a prefix) still admits it. Choose a
 * prefix that routes to the balancer (ICMP errors about outer packets come back to it) and
 * that no router on the way owns as a local or broadcast address (it would drop the packets as
 * martians): a dedicated prefix, not the balancer's link subnet. IPv6 varies at most the low
 * 32 bits (the hash has no more).
 *
 * The flow hash is the one that scheduled the flow (kept in its connection entry, so an
 * established flow is not hashed again); with VIP_F_HASH_NO_PORTS it leaves the ports out, so
 * every fragment of a datagram gets the same outer header.
 */
#ifndef DSRLAB_BPF_ENCAP_H
#define DSRLAB_BPF_ENCAP_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "common/parse.h"
#include "common/encap_family.h"
#include "common/maps.h"
#include "common/csum.h"

#define ENCAP_TTL	     64
#define ENCAP_GUE_SPORT	     0xc000 /* GUE source ports: 0xc000 | 14 bits of the flow hash */
#define ENCAP_GUE_SPORT_MASK 0x3fff
#define ENCAP_FLOW_LABEL     0xfffff

/* What one packet's encapsulation looks like, decided before the packet is touched. */
struct encap_plan {
	__u16 len; /* bytes in front of the inner IP packet: the one place that knows (MTU) */
	__u8 family; /* outer family: the real's */
	__u8 proto; /* outer IP protocol / next header */
};

/*
 * How each packet is encapsulated, once common/encap_family.h says the VIP's encapsulation
 * carries this packet to this real. Returns 0, or -1 when it cannot: user space refuses such
 * pools, but the data plane must never write a broken packet either.
 */
static __always_inline int encap_plan(struct encap_plan *p, __u8 encap, __u8 inner, __u8 real,
				      __u16 gue_port)
{
	if (!encap_carries(encap, inner, real) || (encap == ENCAP_GUE && !gue_port))
		return -1;
	p->family = real;
	if (encap == ENCAP_GUE) {
		p->proto = IPPROTO_UDP;
		p->len = (real == FAM_IPV4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr)) +
			 sizeof(struct udphdr);
		return 0;
	}
	p->proto = inner == FAM_IPV4 ? IPPROTO_IPIP : IPPROTO_IPV6;
	p->len = real == FAM_IPV4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	return 0;
}

/*
 * Grow the head by p->len and move Ethernet and VLAN tags to the new front; the frame leaves
 * from the MAC it came to, towards the next hop (to_sender: back to the MAC it came from, for
 * an answer). Returns where the outer header goes, or NULL.
 */
static __always_inline void *encap_push(struct xdp_md *ctx, const struct lb_config *cfg,
					const struct encap_plan *p, __u8 nvlans, int to_sender)
{
	int grow = p->len;
	struct ethhdr *eth, *old_eth;
	struct vlan_hdr *vl, *old_vl;
	void *data, *end, *pos, *old_pos;
	void *proto; /* where the ethertype of the outer header goes */
	int i;

	if (bpf_xdp_adjust_head(ctx, -grow))
		return NULL;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	old_eth = data + grow;
	if ((void *)(old_eth + 1) > end)
		return NULL;

	__builtin_memcpy(eth->h_source, old_eth->h_dest, ETH_ALEN);
	if (to_sender)
		__builtin_memcpy(eth->h_dest, old_eth->h_source, ETH_ALEN);
	else
		__builtin_memcpy(eth->h_dest, cfg->nexthop_mac, ETH_ALEN);
	eth->h_proto = old_eth->h_proto;
	proto = (void *)eth + offsetof(struct ethhdr, h_proto);

	/* Tags move forward by p->len (>= 20); each is read before anything overwrites it. */
	pos = eth + 1;
	old_pos = old_eth + 1;
	for (i = 0; i < PARSE_MAX_VLANS && i < nvlans; i++) {
		vl = pos;
		old_vl = old_pos;
		if ((void *)(old_vl + 1) > end)
			return NULL;
		*vl = *old_vl;
		proto = &vl->encap_proto;
		pos = vl + 1;
		old_pos = old_vl + 1;
	}
	*(__be16 *)proto = p->family == FAM_IPV4 ? bpf_htons(ETH_P_IP) : bpf_htons(ETH_P_IPV6);
	return pos;
}

static __always_inline __be32 encap_src_v4(const struct lb_config *cfg, __u32 hash, __u32 flags)
{
	__u8 plen = cfg->src_v4_prefix_len;
	__be32 host;

	if (!(flags & VIP_F_SRC_PER_FLOW) || plen == 0 || plen >= 32)
		return cfg->src_v4;
	host = bpf_htonl(0xffffffffu >> plen);
	return cfg->src_v4 ^ ((cfg->src_v4 ^ bpf_htonl(hash)) & host);
}

static __always_inline void encap_src_v6(__be32 *src, const struct lb_config *cfg, __u32 hash,
					 __u32 flags)
{
	__u8 plen = cfg->src_v6_prefix_len;
	__be32 host;

	parse_addr_copy(src, cfg->src_v6, 4);
	if (!(flags & VIP_F_SRC_PER_FLOW) || plen == 0 || plen >= 128)
		return;
	host = bpf_htonl(plen <= 96 ? 0xffffffffu : 0xffffffffu >> (plen - 96));
	src[3] ^= (src[3] ^ bpf_htonl(hash)) & host;
}

/* The outer IPv4 header at pos; returns the byte after it, or NULL. */
static __always_inline void *encap_ipv4(void *pos, void *end, const struct encap_plan *p,
					const struct lb_config *cfg, const struct real_def *real,
					const struct pkt_meta *m, __u32 hash, __u32 flags)
{
	struct iphdr *iph = pos;
	__be32 *w = pos;
	__u32 w0, w1, w2, src, dst;

	if ((void *)(iph + 1) > end)
		return NULL;
	/*
	 * The header as its five words, written once and summed from registers: reading it back
	 * after byte-wide stores would stall on store forwarding. Version 4, ihl 5, tos, total
	 * length; id 0, DF; TTL, protocol, check; source; destination.
	 */
	w0 = 0x45000000u | (__u32)m->tos << 16 | (__u16)(m->ip_len + p->len);
	w1 = IPV4_DF;
	w2 = (__u32)ENCAP_TTL << 24 | (__u32)p->proto << 16;
	src = bpf_ntohl(encap_src_v4(cfg, hash, flags));
	dst = bpf_ntohl(real->addr[0]);
	w2 |= ipv4_csum_words(w0, w1, w2, src, dst);
	w[0] = bpf_htonl(w0);
	w[1] = bpf_htonl(w1);
	w[2] = bpf_htonl(w2);
	w[3] = bpf_htonl(src);
	w[4] = bpf_htonl(dst);
	return iph + 1;
}

/* The outer IPv6 header at pos; returns the byte after it, or NULL. */
static __always_inline void *encap_ipv6(void *pos, void *end, const struct encap_plan *p,
					const struct lb_config *cfg, const struct real_def *real,
					const struct pkt_meta *m, __u32 hash, __u32 flags)
{
	struct ipv6hdr *ip6h = pos;

	if ((void *)(ip6h + 1) > end)
		return NULL;
	/* version 4 bits, traffic class 8, flow label 20: one word */
	*(__be32 *)ip6h = bpf_htonl(6u << 28 | (__u32)m->tos << 20 | (hash & ENCAP_FLOW_LABEL));
	ip6h->payload_len = bpf_htons(m->ip_len + p->len - sizeof(*ip6h));
	ip6h->nexthdr = p->proto;
	ip6h->hop_limit = ENCAP_TTL;
	encap_src_v6(ip6h->saddr.s6_addr32, cfg, hash, flags);
	parse_addr_copy(ip6h->daddr.s6_addr32, real->addr, 4);
	return ip6h + 1;
}

/* UDP of GUE version 1 at pos (the inner IP header follows directly). */
static __always_inline int encap_gue(void *pos, void *end, const struct lb_config *cfg,
				     const struct pkt_meta *m, __u32 hash)
{
	struct udphdr *uh = pos;

	if ((void *)(uh + 1) > end)
		return -1;
	uh->source = bpf_htons(ENCAP_GUE_SPORT | (hash & ENCAP_GUE_SPORT_MASK));
	uh->dest = bpf_htons(cfg->gue_port);
	uh->len = bpf_htons(m->ip_len + sizeof(*uh));
	uh->check = 0; /* see the top of this file */
	return 0;
}

/* Write the planned encapsulation in front of the packet. Returns 0 or -1 (no room). */
static __always_inline int encap_write(struct xdp_md *ctx, const struct lb_config *cfg,
				       const struct encap_plan *p, const struct real_def *real,
				       const struct pkt_meta *m, __u32 hash, __u32 flags)
{
	void *pos, *end;

	pos = encap_push(ctx, cfg, p, m->nvlans, 0);
	if (!pos)
		return -1;
	end = (void *)(long)ctx->data_end;
	if (p->family == FAM_IPV4)
		pos = encap_ipv4(pos, end, p, cfg, real, m, hash, flags);
	else
		pos = encap_ipv6(pos, end, p, cfg, real, m, hash, flags);
	if (!pos)
		return -1;
	if (p->proto == IPPROTO_UDP)
		return encap_gue(pos, end, cfg, m, hash);
	return 0;
}

#endif
