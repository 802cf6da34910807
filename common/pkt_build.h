/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet builder (user space): Ethernet, VLAN tags, IPv4 (with options), IPv6 (with extension
 * headers), TCP, UDP, ICMP, ICMPv6, GUE, in any nesting, written into one byte buffer. The
 * unit tests, the BPF fixtures (tests/bpf/fixture.c turns each table row into these calls),
 * the traffic generator's template (bench/gen.c) and `bench --micro` build their packets with
 * it: the one packet builder.
 *
 * Layers are appended front to back. Each layer fills the previous layer's "next protocol"
 * slot (an ethertype, an IP protocol, a GUE proto field) with its own number; pkt_link() fills
 * it by hand for anything else (ARP, a later fragment's protocol). pkt_finish() then writes
 * every length field (IPv4 total length, IPv6 payload length, UDP length), the IPv4 header
 * checksums and the TCP/UDP/ICMP/ICMPv6 checksums, innermost first, so outer checksums cover
 * final inner bytes. Every IP and UDP length covers everything after its header to the end of
 * the buffer. L4 checksums are over the bytes present, with the pseudo-header of the nearest
 * enclosing IP header (an IPv6 routing header's final destination is not looked up).
 *
 * Header pointers returned by the pkt_*() calls stay valid (the buffer is inside struct pkt),
 * so a test may set fields (tos, frag_off, flags) before pkt_finish() or break them after it.
 * Two things that must happen inside pkt_finish(), before the checksums that cover them, have
 * their own calls: pkt_fix_len() (a quoted header's length field, which names the original
 * packet, not what is left of it) and pkt_break_csum() (a header checksum made wrong on
 * purpose). p->no_l4_csum leaves TCP and UDP checksums 0 (the BPF fixtures: the programs under
 * test neither check nor fix them, so expected outputs need not predict them).
 * A copy that the code under test reads should keep data 2 bytes past a 4-byte boundary, as
 * drivers do, or UBSan reports misaligned IP headers.
 */
#ifndef DSRLAB_COMMON_PKT_BUILD_H
#define DSRLAB_COMMON_PKT_BUILD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common/proto.h"
#include "common/csum.h"

#ifndef PKT_BUILDER_MAX
#define PKT_BUILDER_MAX 4096
#endif
#define PKT_BUILDER_LAYERS 16

/* TCP flags as in header byte 13. */
#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_PSH 0x08
#define PKT_TCP_ACK 0x10

enum pkt_layer_kind {
	PKT_L_IPV4,
	PKT_L_IPV6,
	PKT_L_TCP,
	PKT_L_UDP,
	PKT_L_ICMP,
	PKT_L_ICMPV6,
};

enum pkt_next_kind {
	PKT_NEXT_NONE,
	PKT_NEXT_ETHERTYPE, /* a 16-bit ethertype slot */
	PKT_NEXT_IPPROTO, /* an 8-bit IP protocol / next header slot */
};

struct pkt_layer {
	__u8 kind; /* enum pkt_layer_kind */
	__u16 off; /* where the header starts */
	__s16 ip_off; /* the enclosing IP header (pseudo-header), -1 if none */
	__u16 fixed_len; /* IPv4 total length / IPv6 payload length as given; 0: computed */
	__u16 csum_xor; /* IPv4: XORed into the header checksum once computed */
};

/* data is 2 bytes past an aligned boundary (NET_IP_ALIGN), so headers after Ethernet align. */
struct pkt {
	__u8 headroom[2];
	__u8 data[PKT_BUILDER_MAX];
	__u16 len;
	__u8 next_kind; /* enum pkt_next_kind */
	__u16 next_off;
	__s16 ip_off; /* the latest IP header, -1 before the first */
	struct pkt_layer layers[PKT_BUILDER_LAYERS];
	int nlayers;
	__u8 no_l4_csum; /* TCP and UDP checksums stay 0 */
} __attribute__((aligned(8)));

static inline void pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->ip_off = -1;
}

/* Append len zeroed bytes; returns where they start. Tests abort on overflow. */
static inline void *pkt_put(struct pkt *p, __u32 len)
{
	void *at = p->data + p->len;

	if (p->len + len > sizeof(p->data)) {
		fprintf(stderr, "pkt_build: packet over %d bytes\n", PKT_BUILDER_MAX);
		abort();
	}
	memset(at, 0, len);
	p->len += len;
	return at;
}

/* Fill the pending next-protocol slot (host-order value), if there is one. */
static inline void pkt_link(struct pkt *p, __u16 value)
{
	__be16 be = htons(value);

	if (p->next_kind == PKT_NEXT_ETHERTYPE)
		memcpy(p->data + p->next_off, &be, sizeof(be));
	else if (p->next_kind == PKT_NEXT_IPPROTO)
		p->data[p->next_off] = (__u8)value;
	p->next_kind = PKT_NEXT_NONE;
}

static inline void pkt_pending(struct pkt *p, enum pkt_next_kind kind, const void *slot)
{
	p->next_kind = kind;
	p->next_off = (const __u8 *)slot - p->data;
}

static inline void pkt_add_layer(struct pkt *p, enum pkt_layer_kind kind, const void *hdr)
{
	struct pkt_layer *l;

	if (p->nlayers == PKT_BUILDER_LAYERS) {
		fprintf(stderr, "pkt_build: more than %d layers\n", PKT_BUILDER_LAYERS);
		abort();
	}
	l = &p->layers[p->nlayers++];
	l->kind = kind;
	l->off = (const __u8 *)hdr - p->data;
	l->ip_off = p->ip_off;
}

/* The latest layer (an IP header) keeps this length field: a quoted header's. */
static inline void pkt_fix_len(struct pkt *p, __u16 field)
{
	p->layers[p->nlayers - 1].fixed_len = field;
}

/* The latest layer (an IPv4 header) gets a checksum XORed with xor: a broken header. */
static inline void pkt_break_csum(struct pkt *p, __u16 xor)
{
	p->layers[p->nlayers - 1].csum_xor = xor;
}

/* Ethernet; NULL addresses give 02:00:00:00:00:02 (dst) and 02:00:00:00:00:01 (src). */
static inline struct ethhdr *pkt_eth(struct pkt *p, const __u8 *dst, const __u8 *src)
{
	static const __u8 def_dst[ETH_ALEN] = { 2, 0, 0, 0, 0, 2 };
	static const __u8 def_src[ETH_ALEN] = { 2, 0, 0, 0, 0, 1 };
	struct ethhdr *eth = pkt_put(p, sizeof(*eth));

	memcpy(eth->h_dest, dst ? dst : def_dst, ETH_ALEN);
	memcpy(eth->h_source, src ? src : def_src, ETH_ALEN);
	pkt_pending(p, PKT_NEXT_ETHERTYPE, &eth->h_proto);
	return eth;
}

/* A VLAN tag with tag protocol tpid (ETH_P_8021Q, or ETH_P_8021AD for a QinQ outer tag). */
static inline struct vlan_hdr *pkt_vlan(struct pkt *p, __u16 tpid, __u16 tci)
{
	struct vlan_hdr *vh;

	pkt_link(p, tpid);
	vh = pkt_put(p, sizeof(*vh));
	vh->tci = htons(tci);
	pkt_pending(p, PKT_NEXT_ETHERTYPE, &vh->encap_proto);
	return vh;
}

/* IPv4 with optlen bytes of options (a multiple of 4; NULL opts gives NOPs). */
static inline struct iphdr *pkt_ipv4_opt(struct pkt *p, __be32 src, __be32 dst, const void *opts,
					 __u32 optlen)
{
	struct iphdr *iph;

	pkt_link(p, p->next_kind == PKT_NEXT_ETHERTYPE ? ETH_P_IP : IPPROTO_IPIP);
	iph = pkt_put(p, sizeof(*iph) + optlen);
	iph->version = 4;
	iph->ihl = (sizeof(*iph) + optlen) / 4;
	iph->ttl = 64;
	iph->saddr = src;
	iph->daddr = dst;
	if (opts)
		memcpy(iph + 1, opts, optlen);
	else
		memset(iph + 1, 1, optlen); /* IPOPT_NOOP */
	pkt_pending(p, PKT_NEXT_IPPROTO, &iph->protocol);
	pkt_add_layer(p, PKT_L_IPV4, iph);
	p->ip_off = (__u8 *)iph - p->data;
	return iph;
}

static inline struct iphdr *pkt_ipv4(struct pkt *p, __be32 src, __be32 dst)
{
	return pkt_ipv4_opt(p, src, dst, NULL, 0);
}

/* IPv6; src and dst are 16 bytes each, in network order. */
static inline struct ipv6hdr *pkt_ipv6(struct pkt *p, const void *src, const void *dst)
{
	struct ipv6hdr *ip6h;

	pkt_link(p, p->next_kind == PKT_NEXT_ETHERTYPE ? ETH_P_IPV6 : IPPROTO_IPV6);
	ip6h = pkt_put(p, sizeof(*ip6h));
	ip6h->version = 6;
	ip6h->hop_limit = 64;
	memcpy(&ip6h->saddr, src, sizeof(ip6h->saddr));
	memcpy(&ip6h->daddr, dst, sizeof(ip6h->daddr));
	pkt_pending(p, PKT_NEXT_IPPROTO, &ip6h->nexthdr);
	pkt_add_layer(p, PKT_L_IPV6, ip6h);
	p->ip_off = (__u8 *)ip6h - p->data;
	return ip6h;
}

/* Traffic class (DSCP+ECN) and flow label of an IPv6 header. */
static inline void pkt_ipv6_tclass(struct ipv6hdr *ip6h, __u8 tclass, __u32 flow_label)
{
	ip6h->priority = tclass >> 4;
	ip6h->flow_lbl[0] = (__u8)((tclass & 0xf) << 4 | ((flow_label >> 16) & 0xf));
	ip6h->flow_lbl[1] = (__u8)(flow_label >> 8);
	ip6h->flow_lbl[2] = (__u8)flow_label;
}

/*
 * An IPv6 extension header of len bytes: IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS
 * (len a multiple of 8, at least 8) or IPPROTO_AH (a multiple of 4, at least 12). The body is
 * zero: Pad1 options for hop-by-hop and destination options, segments left 0 for routing.
 */
static inline struct ipv6_opt_hdr_min *pkt_ipv6_ext(struct pkt *p, __u8 type, __u32 len)
{
	struct ipv6_opt_hdr_min *opt;

	pkt_link(p, type);
	opt = pkt_put(p, len);
	opt->hdrlen = type == IPPROTO_AH ? len / 4 - 2 : len / 8 - 1;
	pkt_pending(p, PKT_NEXT_IPPROTO, &opt->nexthdr);
	return opt;
}

/* An IPv6 fragment header; offset in 8-byte units. */
static inline struct ipv6_frag_hdr *pkt_ipv6_frag(struct pkt *p, __u16 offset, int more, __u32 id)
{
	struct ipv6_frag_hdr *fh;

	pkt_link(p, IPPROTO_FRAGMENT);
	fh = pkt_put(p, sizeof(*fh));
	fh->frag_off = htons((__u16)(offset << 3 | (more ? 1 : 0)));
	fh->identification = htonl(id);
	pkt_pending(p, PKT_NEXT_IPPROTO, &fh->nexthdr);
	return fh;
}

/* TCP with optlen bytes of options (a multiple of 4, NOPs); flags are PKT_TCP_*. */
static inline struct tcphdr *pkt_tcp_opt(struct pkt *p, __u16 sport, __u16 dport, __u8 flags,
					 __u32 optlen)
{
	struct tcphdr *th;

	pkt_link(p, IPPROTO_TCP);
	th = pkt_put(p, sizeof(*th) + optlen);
	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl(1000);
	th->ack_seq = htonl(flags & PKT_TCP_ACK ? 2000 : 0);
	th->doff = (sizeof(*th) + optlen) / 4;
	((__u8 *)th)[13] = flags;
	th->window = htons(65535);
	memset(th + 1, 1, optlen); /* TCPOPT_NOP */
	pkt_add_layer(p, PKT_L_TCP, th);
	return th;
}

static inline struct tcphdr *pkt_tcp(struct pkt *p, __u16 sport, __u16 dport, __u8 flags)
{
	return pkt_tcp_opt(p, sport, dport, flags, 0);
}

static inline struct udphdr *pkt_udp(struct pkt *p, __u16 sport, __u16 dport)
{
	struct udphdr *uh;

	pkt_link(p, IPPROTO_UDP);
	uh = pkt_put(p, sizeof(*uh));
	uh->source = htons(sport);
	uh->dest = htons(dport);
	pkt_add_layer(p, PKT_L_UDP, uh);
	return uh;
}

/* ICMP and ICMPv6 share their first 8 bytes: type, code, checksum, id, sequence. */
static inline void *pkt_icmp_any(struct pkt *p, __u8 proto, enum pkt_layer_kind kind, __u8 type,
				 __u8 code, __u16 id, __u16 seq)
{
	struct icmp4_hdr *ih;

	pkt_link(p, proto);
	ih = pkt_put(p, sizeof(*ih));
	ih->type = type;
	ih->code = code;
	ih->un.echo.id = htons(id);
	ih->un.echo.seq = htons(seq);
	pkt_add_layer(p, kind, ih);
	return ih;
}

static inline struct icmp4_hdr *pkt_icmp(struct pkt *p, __u8 type, __u8 code, __u16 id, __u16 seq)
{
	return pkt_icmp_any(p, IPPROTO_ICMP, PKT_L_ICMP, type, code, id, seq);
}

static inline struct icmp6_hdr *pkt_icmpv6(struct pkt *p, __u8 type, __u8 code, __u16 id, __u16 seq)
{
	return pkt_icmp_any(p, IPPROTO_ICMPV6, PKT_L_ICMPV6, type, code, id, seq);
}

/*
 * GUE version 0 after pkt_udp(): a 4-byte header and optwords 32-bit words of optional fields
 * (zero); its proto field is filled by the next layer. GUE version 1 has no header: append the
 * inner IP header right after pkt_udp().
 */
static inline struct gue_hdr *pkt_gue0(struct pkt *p, __u8 optwords)
{
	struct gue_hdr *gh = pkt_put(p, sizeof(*gh) + optwords * 4);

	gh->hlen_c_ver = optwords & 0x1f;
	pkt_pending(p, PKT_NEXT_IPPROTO, &gh->proto);
	return gh;
}

/* len bytes of payload: 0, 1, 2, ... */
static inline void *pkt_payload(struct pkt *p, __u32 len)
{
	__u8 *b = pkt_put(p, len);
	__u32 i;

	for (i = 0; i < len; i++)
		b[i] = (__u8)i;
	return b;
}

static inline __u64 pkt_pseudo_sum(const struct pkt *p, __s16 ip_off, __u8 proto, __u32 len)
{
	const struct ipv6hdr *ip6h;
	const struct iphdr *iph;
	__be32 w[2] = { htonl(len), htonl(proto) };
	__u64 sum;

	if (ip_off < 0)
		return 0;
	iph = (const void *)(p->data + ip_off);
	if (iph->version == 4) {
		sum = csum_partial_words(&iph->saddr, 8, 0);
		w[0] = htonl((__u32)proto << 16 | (len & 0xffff));
		return csum_partial_words(w, 4, sum);
	}
	ip6h = (const void *)iph;
	sum = csum_partial_words(&ip6h->saddr, 32, 0);
	return csum_partial_words(w, 8, sum);
}

static inline void pkt_finish_layer(struct pkt *p, const struct pkt_layer *l)
{
	__u8 *hdr = p->data + l->off;
	__u32 len = p->len - l->off;
	struct ipv6hdr *ip6h;
	struct iphdr *iph;
	struct udphdr *uh;
	struct tcphdr *th;
	__sum16 *check;
	__u64 sum;

	switch (l->kind) {
	case PKT_L_IPV4:
		iph = (void *)hdr;
		iph->tot_len = htons(l->fixed_len ? l->fixed_len : len);
		iph->check = 0;
		iph->check =
			csum_fold(csum_partial_words(iph, iph->ihl * 4, 0)) ^ htons(l->csum_xor);
		return;
	case PKT_L_IPV6:
		ip6h = (void *)hdr;
		ip6h->payload_len = htons(l->fixed_len ? l->fixed_len : len - sizeof(*ip6h));
		return;
	case PKT_L_TCP:
		if (p->no_l4_csum)
			return;
		th = (void *)hdr;
		check = &th->check;
		sum = pkt_pseudo_sum(p, l->ip_off, IPPROTO_TCP, len);
		break;
	case PKT_L_UDP:
		uh = (void *)hdr;
		uh->len = htons(len);
		if (p->no_l4_csum)
			return;
		check = &uh->check;
		sum = pkt_pseudo_sum(p, l->ip_off, IPPROTO_UDP, len);
		break;
	case PKT_L_ICMP:
		check = &((struct icmp4_hdr *)hdr)->checksum;
		sum = 0;
		break;
	case PKT_L_ICMPV6:
		check = &((struct icmp6_hdr *)hdr)->checksum;
		sum = pkt_pseudo_sum(p, l->ip_off, IPPROTO_ICMPV6, len);
		break;
	default:
		return;
	}
	*check = 0;
	*check = csum_fold(csum_partial_words(hdr, len, sum));
	if (l->kind == PKT_L_UDP && !*check)
		*check = 0xffff;
}

/* Write every length and checksum field; returns the packet length. */
static inline __u32 pkt_finish(struct pkt *p)
{
	int i;

	for (i = p->nlayers - 1; i >= 0; i--)
		pkt_finish_layer(p, &p->layers[i]);
	return p->len;
}

#endif
