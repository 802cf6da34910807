/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet parser shared by the XDP balancer, the TC decap, the bench's pcap checks and the unit
 * tests. It walks a {pos, end} cursor, so it never sees a struct xdp_md or an skb: gcc and
 * cmocka run exactly the code the verifier accepts.
 *
 * Every function returns the next protocol (>= 0) or a negative PARSE_* code, and never reads
 * a byte at or past c->end.
 */
#ifndef DSRLAB_COMMON_PARSE_H
#define DSRLAB_COMMON_PARSE_H

#include "proto.h"
#include "flow.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define parse_ntohs(x) __builtin_bswap16(x)
#else
#define parse_ntohs(x) (x)
#endif

#define PARSE_MAX_VLANS 2
#define PARSE_MAX_OFF	0x3ff /* every header we read starts in the first KiB */
#ifndef PARSE_MAX_IPV6_EXT
/*
 * Three IPv6 extension headers; each further one made the verifier walk about five times more
 * states on this kernel (README.md, "Data-plane policies"), so more are passed as unparsable.
 */
#define PARSE_MAX_IPV6_EXT 3
#endif

enum parse_error {
	PARSE_TRUNCATED = -1, /* a header runs past the end of the data */
	PARSE_MALFORMED = -2, /* a length or version field is impossible */
	PARSE_UNSUPPORTED = -3, /* not IP, more VLAN tags or extension headers than we walk */
};

enum encap_type {
	ENCAP_NONE = 0,
	ENCAP_IPIP = 1, /* IPv4 in IPv4 */
	ENCAP_IP6IP6 = 2, /* IPv6 in IPv6 */
	ENCAP_4IN6 = 3, /* IPv4 in IPv6 */
	ENCAP_6IN4 = 4, /* IPv6 in IPv4 (parsed, never produced) */
	ENCAP_GUE = 5, /* UDP + GUE, outer IPv4 or IPv6 */
	ENCAP_MAX
};

/* IPv6's minimum link MTU (RFC 8200 5): what an IPv6 VIP must keep under the underlay's. */
#define IPV6_MIN_MTU 1280

/* Bytes the balancer adds in front of a packet: the outer IP header, and UDP + GUE. */
static __always_inline unsigned int encap_overhead(__u8 encap, __u8 outer_family)
{
	return (outer_family == FAM_IPV4 ? 20 : 40) + (encap == ENCAP_GUE ? 8 : 0);
}

/* pkt_meta.flags, about the IP header the flow key describes (NESTED: what follows it). */
#define PKT_F_FRAG	 0x01 /* a fragment (first or later) */
#define PKT_F_FRAG_LATER 0x02 /* a non-first fragment: no transport header, ports are 0 */
#define PKT_F_IP_OPTIONS 0x04 /* IPv4 options or IPv6 extension headers present */
#define PKT_F_NESTED	 0x08 /* the inner packet is itself an encapsulation */

/* parse_packet() options. */
#define PARSE_F_CHECK_LEN 0x1 /* IP/UDP length fields must fit the data (not for skbs) */

struct cursor {
	void *pos;
	void *end;
};

struct pkt_meta {
	__u16 l3_off; /* outermost IP header */
	__u16 inner_l3_off; /* the IP header the flow key describes (== l3_off if no encap) */
	__u16 l4_off; /* its transport header (0 when there is none) */
	__u16 payload_off; /* first byte after the transport header */
	__u16 eth_proto; /* outer ethertype, host order */
	__u16 ip_len; /* total length of the flow's IP packet per its header */
	__u8 nvlans;
	__u8 encap; /* enum encap_type */
	__u8 flags; /* PKT_F_* */
	__u8 outer_family;
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 tos; /* DSCP+ECN of the flow's IP header (IPv6 traffic class) */
	__u8 outer_tos; /* DSCP+ECN of the outermost IP header (== tos if not encapsulated) */
	__u8 pad[3]; /* written, so a pkt_meta holds no stale bytes */
	__be32 outer_src[4];
	__be32 outer_dst[4];
	struct flow_key flow; /* innermost 5-tuple */
};

/*
 * Header types as the parser reads them. In BPF they are the UAPI structs themselves: loads
 * through them are what the verifier and the JIT expect, and cost nothing more. In user space
 * (the bench's pcap buffers put IP headers 2 bytes off a 4-byte boundary, fuzzers anywhere)
 * they are the same layouts aligned to 1 byte, so the compiler emits loads that are correct at
 * any address and UBSan's alignment check has nothing to report.
 */
#ifdef __bpf__
#define PARSE_ANY_ALIGN
#else
#define PARSE_ANY_ALIGN __attribute__((aligned(1)))
#endif
typedef struct ethhdr parse_ethhdr PARSE_ANY_ALIGN;
typedef struct vlan_hdr parse_vlan_hdr PARSE_ANY_ALIGN;
typedef struct iphdr parse_iphdr PARSE_ANY_ALIGN;
typedef struct ipv6hdr parse_ipv6hdr PARSE_ANY_ALIGN;
typedef struct ipv6_opt_hdr_min parse_ipv6_opt_hdr PARSE_ANY_ALIGN;
typedef struct ipv6_frag_hdr parse_ipv6_frag_hdr PARSE_ANY_ALIGN;
typedef struct tcphdr parse_tcphdr PARSE_ANY_ALIGN;
typedef struct udphdr parse_udphdr PARSE_ANY_ALIGN;
typedef struct icmp4_hdr parse_icmp_hdr PARSE_ANY_ALIGN;
typedef struct gue_hdr parse_gue_hdr PARSE_ANY_ALIGN;
typedef __be32 parse_be32 PARSE_ANY_ALIGN;
typedef __u16 parse_u16 PARSE_ANY_ALIGN;

/* A TCP or UDP header's two ports as flow_key.ports holds them, read as one word. */
static __always_inline __u32 parse_ports(const void *l4)
{
	const parse_be32 *w = l4;

	return *w;
}

/* dst is aligned (a key or meta); src may be a packet's address at any offset. */
static __always_inline void parse_addr_copy(__be32 *dst, const void *src, int words)
{
	const parse_be32 *s = src;
	int i;

	for (i = 0; i < words; i++)
		dst[i] = s[i];
}

/* Ethernet and up to two VLAN tags; returns the ethertype (host order). */
static __always_inline int parse_eth(struct cursor *c, struct pkt_meta *m)
{
	parse_ethhdr *eth = c->pos;
	parse_vlan_hdr *vh;
	__u16 proto;
	int i;

	if ((void *)(eth + 1) > c->end)
		return PARSE_TRUNCATED;
	c->pos = eth + 1;
	/* struct ethhdr is packed: through it, the ethertype would be two byte loads. */
	proto = parse_ntohs(*(const parse_u16 *)((const __u8 *)eth +
						 __builtin_offsetof(struct ethhdr, h_proto)));
	m->nvlans = 0;
	for (i = 0; i < PARSE_MAX_VLANS; i++) {
		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		vh = c->pos;
		if ((void *)(vh + 1) > c->end)
			return PARSE_TRUNCATED;
		c->pos = vh + 1;
		proto = parse_ntohs(vh->encap_proto);
		m->nvlans++;
	}
	if (proto == ETH_P_8021Q || proto == ETH_P_8021AD) {
		m->eth_proto = proto; /* so a caller can tell a deep VLAN stack from non-IP */
		return PARSE_UNSUPPORTED;
	}
	return proto;
}

/* IPv4 header with options; fills the flow key's addresses. Returns the protocol. */
static __always_inline int parse_ipv4(struct cursor *c, struct pkt_meta *m, __u32 opts,
				      __u16 *hlen_out)
{
	parse_iphdr *iph = c->pos;
	__u16 frag, tot;
	__u32 hlen;

	if ((void *)(iph + 1) > c->end)
		return PARSE_TRUNCATED;
	if (iph->version != 4)
		return PARSE_MALFORMED;
	hlen = iph->ihl * 4;
	if (hlen < sizeof(*iph))
		return PARSE_MALFORMED;
	if (c->pos + hlen > c->end)
		return PARSE_TRUNCATED;
	tot = parse_ntohs(iph->tot_len);
	if (tot < hlen)
		return PARSE_MALFORMED;
	if ((opts & PARSE_F_CHECK_LEN) && c->pos + tot > c->end)
		return PARSE_TRUNCATED;

	m->flags = 0;
	if (hlen > sizeof(*iph))
		m->flags |= PKT_F_IP_OPTIONS;
	frag = parse_ntohs(iph->frag_off);
	if (frag & (IPV4_MF | IPV4_OFFSET))
		m->flags |= PKT_F_FRAG;
	if (frag & IPV4_OFFSET)
		m->flags |= PKT_F_FRAG_LATER;
	m->ip_len = tot;
	m->tos = iph->tos;
	m->flow.family = FAM_IPV4;
	m->flow.pad = 0; /* the key is a map key: every byte counts */
	m->flow.srcv6[1] = m->flow.srcv6[2] = m->flow.srcv6[3] = 0;
	m->flow.dstv6[1] = m->flow.dstv6[2] = m->flow.dstv6[3] = 0;
	m->flow.src = iph->saddr;
	m->flow.dst = iph->daddr;
	m->flow.proto = iph->protocol;
	*hlen_out = hlen;
	c->pos += hlen;
	return iph->protocol;
}

/*
 * Move the cursor to a layer's offset, re-read from memory. The verifier then sees the same
 * bounded, unknown offset on every path that reaches this layer (whatever VLAN tags, options
 * or extension headers came before) and prunes them as one, instead of carrying each header
 * combination through the rest of the program.
 */
static __always_inline int parse_seek(struct cursor *c, void *start, const volatile __u16 *off)
{
	__u16 o = *off;

	if (o > PARSE_MAX_OFF)
		return PARSE_UNSUPPORTED;
	c->pos = start + (o & PARSE_MAX_OFF);
	return 0;
}

static __always_inline int parse_ipv6_is_ext(int nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_AH || nh == IPPROTO_FRAGMENT;
}

/* IPv6 header and a bounded walk over its extension headers. Returns the upper protocol. */
static __always_inline int parse_ipv6(struct cursor *c, struct pkt_meta *m, __u32 opts,
				      __u16 *hlen_out)
{
	parse_ipv6hdr *ip6h = c->pos;
	parse_ipv6_opt_hdr *opt;
	parse_ipv6_frag_hdr *fh;
	__u32 len, hlen = sizeof(*ip6h);
	volatile __u16 walked;
	__u16 off;
	int i, nh;

	if ((void *)(ip6h + 1) > c->end)
		return PARSE_TRUNCATED;
	if (ip6h->version != 6)
		return PARSE_MALFORMED;
	if ((opts & PARSE_F_CHECK_LEN) &&
	    (void *)(ip6h + 1) + parse_ntohs(ip6h->payload_len) > c->end)
		return PARSE_TRUNCATED;

	m->flags = 0;
	m->ip_len = sizeof(*ip6h) + parse_ntohs(ip6h->payload_len);
	m->tos = (ip6h->priority << 4) | (ip6h->flow_lbl[0] >> 4);
	m->flow.family = FAM_IPV6;
	m->flow.pad = 0;
	parse_addr_copy(m->flow.srcv6, ip6h->saddr.s6_addr32, 4);
	parse_addr_copy(m->flow.dstv6, ip6h->daddr.s6_addr32, 4);
	c->pos = ip6h + 1;
	nh = ip6h->nexthdr;

	/*
	 * One path for every extension header, so the verifier's states at the loop head
	 * differ as little as possible: all of them start with (next header, length), and a
	 * fragment header's length byte is reserved (zero), which the formula turns into 8.
	 */
	for (i = 0; i < PARSE_MAX_IPV6_EXT; i++) {
		if (!parse_ipv6_is_ext(nh))
			goto done;
		opt = c->pos;
		if ((void *)opt + 8 > c->end)
			return PARSE_TRUNCATED;
		if (nh == IPPROTO_FRAGMENT) {
			fh = c->pos;
			off = parse_ntohs(fh->frag_off);
			if (off & 0xfff9) /* offset or M set: not an atomic fragment */
				m->flags |= PKT_F_FRAG;
			if (off & 0xfff8)
				m->flags |= PKT_F_FRAG_LATER;
			len = 8;
		} else if (nh == IPPROTO_AH) {
			len = (opt->hdrlen + 2) * 4;
		} else {
			len = (opt->hdrlen + 1) * 8;
		}
		if (c->pos + len > c->end)
			return PARSE_TRUNCATED;
		nh = opt->nexthdr;
		walked = hlen + len;
		if (parse_seek(c, ip6h, &walked) < 0)
			return PARSE_UNSUPPORTED;
		hlen = walked;
		m->flags |= PKT_F_IP_OPTIONS;
	}
	if (parse_ipv6_is_ext(nh))
		return PARSE_UNSUPPORTED;
done:
	m->flow.proto = nh;
	*hlen_out = hlen;
	return nh;
}

static __always_inline int parse_ip(struct cursor *c, int eth_proto, struct pkt_meta *m, __u32 opts,
				    __u16 *hlen)
{
	if (eth_proto == ETH_P_IP)
		return parse_ipv4(c, m, opts, hlen);
	if (eth_proto == ETH_P_IPV6)
		return parse_ipv6(c, m, opts, hlen);
	return PARSE_UNSUPPORTED;
}

/*
 * Transport header of the flow's packet: ports, TCP flags, ICMP type. A later fragment has no
 * transport header; its ports stay 0 and nothing is read. Returns the header length.
 */
static __always_inline int parse_l4(struct cursor *c, struct pkt_meta *m, __u32 opts)
{
	parse_icmp_hdr *ih;
	parse_tcphdr *th;
	parse_udphdr *uh;
	__u32 len;

	m->flow.ports = 0;
	m->tcp_flags = 0;
	m->icmp_type = m->icmp_code = 0;
	if (m->flags & PKT_F_FRAG_LATER)
		return 0;

	switch (m->flow.proto) {
	case IPPROTO_TCP:
		th = c->pos;
		if ((void *)(th + 1) > c->end)
			return PARSE_TRUNCATED;
		len = th->doff * 4;
		if (len < sizeof(*th))
			return PARSE_MALFORMED;
		if (c->pos + len > c->end)
			return PARSE_TRUNCATED;
		m->flow.ports = parse_ports(th); /* one store: flow_seal() says why */
		m->tcp_flags = ((__u8 *)th)[13];
		c->pos += len;
		return len;
	case IPPROTO_UDP:
		uh = c->pos;
		if ((void *)(uh + 1) > c->end)
			return PARSE_TRUNCATED;
		if ((opts & PARSE_F_CHECK_LEN) && parse_ntohs(uh->len) < sizeof(*uh))
			return PARSE_MALFORMED;
		m->flow.ports = parse_ports(uh);
		c->pos = uh + 1;
		return sizeof(*uh);
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* ICMP in the other family's header is not ICMP at all. */
		if ((m->flow.proto == IPPROTO_ICMP) != (m->flow.family == FAM_IPV4))
			return 0;
		ih = c->pos; /* same layout for ICMPv6's first 8 bytes */
		if ((void *)(ih + 1) > c->end)
			return PARSE_TRUNCATED;
		m->icmp_type = ih->type;
		m->icmp_code = ih->code;
		if (m->flow.family == FAM_IPV4 ?
			    ih->type == ICMP_ECHO || ih->type == ICMP_ECHOREPLY :
			    ih->type == ICMPV6_ECHO_REQUEST || ih->type == ICMPV6_ECHO_REPLY)
			m->flow.port16[0] = ih->un.echo.id;
		c->pos = ih + 1;
		return sizeof(*ih);
	default:
		return 0;
	}
}

/*
 * The packet an ICMP error quotes (its IP header and at least 8 bytes more: what a kernel
 * needs to match the quote to a socket, TCP's sequence number included), at c->pos:
 * family is the error's own (ICMPv4 quotes IPv4, ICMPv6 quotes IPv6). q->flow gets the
 * quoted TCP or UDP tuple reversed, i.e. the key of the other direction: an error about a
 * VIP's reply (VIP:port -> client) names the client's flow to the VIP. Length fields are not
 * checked, since a quote is cut short. Returns 0, or a negative PARSE_* code: not TCP/UDP,
 * or a later fragment (no ports), is unsupported.
 */
static __always_inline int parse_icmp_quote(struct cursor *c, struct pkt_meta *q, __u8 family)
{
	parse_u16 *ports;
	__u16 hlen;
	__be32 a;
	int proto, i;

	proto = parse_ip(c, family == FAM_IPV4 ? ETH_P_IP : ETH_P_IPV6, q, 0, &hlen);
	if (proto < 0)
		return proto;
	if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) || (q->flags & PKT_F_FRAG_LATER))
		return PARSE_UNSUPPORTED;
	ports = c->pos;
	if ((void *)(ports + 4) > c->end)
		return PARSE_TRUNCATED; /* fewer than the 8 bytes RFC 792 / RFC 4443 promise */
	q->flow.port16[0] = ports[1];
	q->flow.port16[1] = ports[0];
	for (i = 0; i < 4; i++) {
		a = q->flow.srcv6[i];
		q->flow.srcv6[i] = q->flow.dstv6[i];
		q->flow.dstv6[i] = a;
	}
	return 0;
}

/*
 * GUE after a UDP header: version 1 carries IP directly (its first nibble is the IP version),
 * version 0 has a 4-byte header, optional fields and the inner protocol. Returns the inner
 * ethertype; control messages are unsupported.
 */
static __always_inline int parse_gue(struct cursor *c, __u16 *hlen)
{
	parse_gue_hdr *gh = c->pos;
	__u32 len;

	if ((void *)(gh + 1) > c->end)
		return PARSE_TRUNCATED;
	switch (gh->hlen_c_ver >> 6) {
	case 1:
		*hlen = 0;
		return (gh->hlen_c_ver >> 4) == 4 ? ETH_P_IP :
		       (gh->hlen_c_ver >> 4) == 6 ? ETH_P_IPV6 :
						    PARSE_MALFORMED;
	case 0:
		if (gh->hlen_c_ver & 0x20)
			return PARSE_UNSUPPORTED; /* control message */
		len = sizeof(*gh) + (gh->hlen_c_ver & 0x1f) * 4;
		if (c->pos + len > c->end)
			return PARSE_TRUNCATED;
		c->pos += len;
		*hlen = len;
		return gh->proto == IPPROTO_IPIP ? ETH_P_IP :
		       gh->proto == IPPROTO_IPV6 ? ETH_P_IPV6 :
						   PARSE_UNSUPPORTED;
	default:
		return PARSE_MALFORMED;
	}
}

static __always_inline int parse_is_gue(const struct pkt_meta *m, int proto, struct cursor *c,
					__u16 gue_port)
{
	parse_udphdr *uh = c->pos;

	if (proto != IPPROTO_UDP || !gue_port || (m->flags & PKT_F_FRAG_LATER))
		return 0;
	if ((void *)(uh + 1) > c->end)
		return 0;
	return uh->dest == (__be16)parse_ntohs(gue_port);
}

/*
 * The first part of parse_packet(): Ethernet, VLANs and the outermost IP header, whose
 * addresses are then in m->flow (the ports not yet). Returns the protocol it carries (>= 0;
 * *hlen is its header's length) or a negative PARSE_* code. A caller that can decide on the
 * outer header alone (the balancer's VIP-address filter) decides here, else it calls
 * parse_rest() with what this returned.
 */
static __always_inline int parse_outer(struct cursor *c, struct pkt_meta *m, __u32 opts,
				       __u16 *hlen)
{
	int ret;

	m->encap = ENCAP_NONE;
	m->pad[0] = m->pad[1] = m->pad[2] = 0;
	ret = parse_eth(c, m);
	if (ret < 0)
		return ret;
	m->eth_proto = ret;
	m->l3_off = sizeof(struct ethhdr) + m->nvlans * sizeof(struct vlan_hdr);
	m->inner_l3_off = m->l3_off;
	m->l4_off = 0;
	m->payload_off = 0;
	*hlen = 0;
	return parse_ip(c, ret, m, opts, hlen);
}

/*
 * The rest of parse_packet() after parse_outer() returned proto (>= 0) and hlen: at most one
 * encapsulation, the inner IP header, the transport header. start: the frame's first byte.
 * Returns 0 or a negative PARSE_* code.
 */
static __always_inline int parse_rest(struct cursor *c, struct pkt_meta *m, void *start, int proto,
				      __u16 hlen, __u16 gue_port, __u32 opts)
{
	__u16 ghlen = 0;
	int inner, ret;

	m->outer_family = m->flow.family;
	m->outer_tos = m->tos;
	parse_addr_copy(m->outer_src, m->flow.srcv6, 4);
	parse_addr_copy(m->outer_dst, m->flow.dstv6, 4);

	inner = 0;
	if (!(m->flags & PKT_F_FRAG_LATER)) {
		if (proto == IPPROTO_IPIP) {
			inner = ETH_P_IP;
			m->encap = m->outer_family == FAM_IPV4 ? ENCAP_IPIP : ENCAP_4IN6;
		} else if (proto == IPPROTO_IPV6) {
			inner = ETH_P_IPV6;
			m->encap = m->outer_family == FAM_IPV6 ? ENCAP_IP6IP6 : ENCAP_6IN4;
		} else if (parse_is_gue(m, proto, c, gue_port)) {
			c->pos += sizeof(parse_udphdr);
			inner = parse_gue(c, &ghlen);
			if (inner < 0)
				return inner;
			ghlen += sizeof(struct udphdr);
			m->encap = ENCAP_GUE;
		}
	}

	if (inner) {
		if (m->flags & PKT_F_FRAG)
			return PARSE_UNSUPPORTED; /* cannot reach the inner header of a fragment */
		m->inner_l3_off = m->l3_off + hlen + ghlen;
		ret = parse_seek(c, start, &m->inner_l3_off);
		if (ret < 0)
			return ret;
		proto = parse_ip(c, inner, m, opts, &hlen);
		if (proto < 0)
			return proto;
		if (proto == IPPROTO_IPIP || proto == IPPROTO_IPV6 ||
		    parse_is_gue(m, proto, c, gue_port))
			m->flags |= PKT_F_NESTED;
	}
	m->l4_off = m->inner_l3_off + hlen;
	ret = parse_seek(c, start, &m->l4_off);
	if (ret < 0)
		return ret;
	ret = parse_l4(c, m, opts);
	if (ret < 0)
		return ret;
	if (ret == 0 && (m->flags & PKT_F_FRAG_LATER))
		m->l4_off = 0;
	m->payload_off = m->l4_off + ret;
	flow_seal(&m->flow);
	/* The transport header must lie inside the IP packet, not in trailing padding. */
	if ((opts & PARSE_F_CHECK_LEN) && m->payload_off > m->inner_l3_off + m->ip_len)
		return PARSE_MALFORMED;
	return 0;
}

/*
 * Whole packet: Ethernet, VLANs, the outer IP header, at most one encapsulation (IPIP,
 * IPv6-in-IPv6, IPv4-in-IPv6, IPv6-in-IPv4, GUE on gue_port), the inner IP header and its
 * transport header. A second level of encapsulation is reported (PKT_F_NESTED), not walked.
 * Returns 0 or a negative PARSE_* code.
 */
static __always_inline int parse_packet(struct cursor *c, struct pkt_meta *m, __u16 gue_port,
					__u32 opts)
{
	void *start = c->pos;
	__u16 hlen;
	int proto;

	proto = parse_outer(c, m, opts, &hlen);
	if (proto < 0)
		return proto;
	return parse_rest(c, m, start, proto, hlen, gue_port, opts);
}

#endif
