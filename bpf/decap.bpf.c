// SPDX-License-Identifier: GPL-2.0
/*
 * TC decap for the backend. Strips one outer header (IPIP, IPv6-in-IPv6, IPv4-in-IPv6, GUE)
 * from packets a balancer sent to an address this program serves (one per family: a
 * dual-stack container is reached over both), and only from those: the outer source must
 * be in the allow-list, the outer destination must be ours, and the inner packet must not be
 * encapsulated again. Everything that is not encapsulated passes untouched. Each verdict
 * has its counter (decap_stat_names[] in common/stat_names.c).
 *
 * Tunnel traffic. IP protocol 4 or 41 is a tunnel whoever sent it: from a source not allowed
 *   it is dropped (drop_spoofed_source), to another destination dropped or passed as the
 *   attach point says (drop_other_dst / pass_other_dst). UDP to the GUE port is a tunnel only
 *   when its outer source is allowed and its outer destination served; any other UDP to
 *   that port, whatever its payload, is plain UDP and passes untouched (pass_plain). Inside,
 *   IPIP or IPv6 is nested (drop_nested); UDP to the GUE port is nested only when it too
 *   comes from an allowed source to the served address (a client's datagram to a tenant
 *   listening on that port is not).
 * The outer header is checked before it is stripped: at host-nic (TC ingress, before the
 *   kernel's IP input) nothing else checks it. Dropped: an outer IPv4 header with options
 *   (drop_outer_options; a balancer never sends them), a wrong IPv4 header checksum
 *   (drop_outer_checksum), an outer IPv4 total length or IPv6 payload length + 40 other than
 *   the frame's bytes after the Ethernet header and tags (drop_outer_length; a frame of at
 *   most 64 bytes may carry Ethernet padding after it). The inner packet is the kernel's to
 *   judge after decapsulation (its checksum, lengths, options), as for any packet it receives.
 * Cost (docs/bench.md, "Decap"). The allow-list's first single addresses of each family are
 *   in decap_config itself (DECAP_ALLOW_INLINE per family), compared in registers; single
 *   addresses past them are in a hash, asked only when those slots are full; the LPM trie
 *   holds every entry and answers last. Each map lookup costs ~50 ns here, the two array
 *   lookups (counters, config) are inlined. A packet in the shape a balancer sends, from an
 *   inline source, takes decap_fast(): read directly, about 200 instructions where the
 *   general parser and checks take about 700. decap_fast() only ever strips, and only what
 *   the general way would strip the same way; everything else goes the general way.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "common/parse.h"
#include "common/maps.h"
#include "common/compat.h"
#include "common/csum.h"

/* Enough linear data for the deepest header stack we parse. */
#define DECAP_PULL_LEN 256

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct decap_config);
} decap_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, DECAP_MAX_ALLOW);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct decap_allow_key);
	__type(value, __u32);
} decap_allow SEC(".maps");

/*
 * The allow-list's single addresses (/32, /128) that did not fit in decap_config's inline
 * slots, again, in a hash map user space keeps beside the LPM trie: one hash lookup instead
 * of a trie walk for them. Same key as the trie's, at full length.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DECAP_MAX_ALLOW);
	__type(key, struct decap_allow_key);
	__type(value, __u32);
} decap_allow_host SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct decap_stats);
} decap_stats SEC(".maps");

/* Count in st, the CPU's struct decap_stats looked up once per packet. */
static __always_inline int verdict(struct decap_stats *st, __u32 reason, int action)
{
	/* A constant reason is a fixed offset: nothing to check, no register to tie. */
	if (__builtin_constant_p(reason) && reason < DECAP_STAT_MAX) {
		st->n[reason]++;
		return action;
	}
	/* One register for the bound check and the index, or the verifier cannot tie them. */
	barrier_var(reason);
	if (reason < DECAP_STAT_MAX)
		st->n[reason]++;
	return action;
}

static __always_inline int addr_equal(const __be32 *a, const __be32 *b, __u8 family)
{
	if (family == FAM_IPV4)
		return a[0] == b[0];
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

/* src is one of its family's inline allowed addresses (in registers: no map asked). */
static __always_inline int allowed_inline(const struct decap_config *cfg, const __be32 *src,
					  __u8 family)
{
	int v6 = family == FAM_IPV6;
	__u32 n = cfg->allow_n[v6], i;

	for (i = 0; i < DECAP_ALLOW_INLINE && i < n; i++) {
		if (v6 ? addr_equal(src, cfg->allow6[i], FAM_IPV6) : src[0] == cfg->allow4[i])
			return 1;
	}
	return 0;
}

/*
 * Whether the outer source src is in the allow-list: its family's inline single addresses
 * first (a balancer's own source, what the bench and the CNI plugin allow by default), then
 * the hash of the single addresses that did not fit, then the trie.
 */
static __always_inline int allowed(const struct decap_config *cfg, const __be32 *src, __u8 family)
{
	struct decap_allow_key key = {};

	if (allowed_inline(cfg, src, family))
		return 1;
	key.family = family;
	key.prefixlen = 8 + (family == FAM_IPV4 ? 32 : 128);
	__builtin_memcpy(key.addr, src, sizeof(key.addr));
	if (cfg->allow_n[family == FAM_IPV6] >= DECAP_ALLOW_INLINE &&
	    bpf_map_lookup_elem(&decap_allow_host, &key))
		return 1;
	return bpf_map_lookup_elem(&decap_allow, &key) != NULL;
}

/* Any destination (legacy host-nic), or the address served in the packet's family. */
static __always_inline int served(const struct decap_config *cfg, const __be32 *dst, __u8 family)
{
	int v6 = family == FAM_IPV6;

	if (cfg->flags & DECAP_F_ANY_DST)
		return 1;
	if (!(cfg->serve_fams & (v6 ? DECAP_SERVE_IPV6 : DECAP_SERVE_IPV4)))
		return 0;
	return addr_equal(dst, cfg->serve[v6], family);
}

/* Frames this short may carry Ethernet padding (60 bytes, and a tag or two) after the IP. */
#define DECAP_PADDED_MAX 64

/* The outer header of a tunnel packet, before it is stripped (see the top). 0: sound. */
static __always_inline __u32 outer_check(struct __sk_buff *skb, const struct pkt_meta *m)
{
	struct cursor c = { .end = (void *)(long)skb->data_end };
	__u32 frame = skb->len - m->l3_off, tot;
	struct ipv6hdr *ip6h;
	struct iphdr *iph;

	if (parse_seek(&c, (void *)(long)skb->data, &m->l3_off) < 0)
		return DECAP_STAT_DROP_PARSE;
	if (m->outer_family == FAM_IPV4) {
		iph = c.pos;
		if ((void *)(iph + 1) > c.end)
			return DECAP_STAT_DROP_PARSE;
		if (iph->ihl != 5)
			return DECAP_STAT_DROP_OUTER_OPTIONS;
		if (!ipv4_hdr_csum_ok(iph))
			return DECAP_STAT_DROP_OUTER_CSUM;
		tot = bpf_ntohs(iph->tot_len);
	} else {
		ip6h = c.pos;
		if ((void *)(ip6h + 1) > c.end)
			return DECAP_STAT_DROP_PARSE;
		tot = sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len);
	}
	if (tot != frame && !(skb->len <= DECAP_PADDED_MAX && tot < frame))
		return DECAP_STAT_DROP_OUTER_LEN;
	return 0;
}

#define ECN_MASK 0x3
#define ECN_CE	 0x3

/*
 * RFC 6040 (normal mode): congestion the underlay marked on the outer header must reach
 * the inner packet, or the endpoints never slow down. Outer CE on an ECN-capable inner
 * packet sets inner CE; on a packet that is not ECN-capable it is a drop. Returns 1 when the
 * mark was copied, 0 when nothing was to do, -1 for the drop.
 */
static __always_inline int ecn_decapsulate(struct __sk_buff *skb, const struct pkt_meta *m)
{
	__u8 inner = m->tos & ECN_MASK, b;
	__be16 old_w, new_w;

	if ((m->outer_tos & ECN_MASK) != ECN_CE || inner == ECN_CE)
		return 0;
	if (!inner)
		return -1;
	if (m->flow.family == FAM_IPV4) {
		/* The first 16-bit word holds version/IHL and TOS: patch it and its checksum. */
		if (bpf_skb_load_bytes(skb, m->inner_l3_off, &old_w, sizeof(old_w)))
			return -1;
		new_w = old_w | bpf_htons(ECN_CE);
		if (bpf_l3_csum_replace(skb, m->inner_l3_off + offsetof(struct iphdr, check), old_w,
					new_w, sizeof(new_w)) ||
		    bpf_skb_store_bytes(skb, m->inner_l3_off, &new_w, sizeof(new_w), 0))
			return -1;
		return 1;
	}
	/* IPv6: the ECN bits are the low bits of the traffic class, bits 5-4 of byte 1. */
	if (bpf_skb_load_bytes(skb, m->inner_l3_off + 1, &b, 1))
		return -1;
	b |= ECN_CE << 4;
	if (bpf_skb_store_bytes(skb, m->inner_l3_off + 1, &b, 1, 0))
		return -1;
	return 1;
}

/* What decap_fast() vouches for: strip len bytes after the Ethernet header. */
struct fast_strip {
	__u32 len;
	__u8 outer_family;
	__u8 inner_family;
};

/*
 * The packets a balancer sends, judged without the general parser: an untagged frame; an
 * outer IPv4 header without options, not a fragment, or an IPv6 header without extension
 * headers; IPIP, IPv6 or GUE version 1 (UDP to the GUE port) in it; an inner IPv4 header
 * without options, not a fragment, or IPv6 header without extension headers, carrying TCP
 * (its whole header in the data) or UDP not to the GUE port; from an outer source in the
 * inline slots to the address served; the outer checksum sound and its length the frame's; no
 * congestion mark to copy. For such a packet every check below would pass and decapsulate
 * it the same way. 1 and f filled: strip; 0: anything else, also what it is not sure of, is
 * the general way's to judge (a partly read packet is read again there).
 */
static __always_inline int decap_fast(struct __sk_buff *skb, const struct decap_config *cfg,
				      struct fast_strip *f)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u32 frame = skb->len - sizeof(struct ethhdr), tot;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6h;
	struct tcphdr *th;
	struct udphdr *uh;
	struct iphdr *iph;
	__u8 proto, ecn, v;
	void *in;

	if ((void *)(eth + 1) > end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		iph = (void *)(eth + 1);
		if ((void *)(iph + 1) > end || *(__u8 *)iph != 0x45 ||
		    (iph->frag_off & bpf_htons(IPV4_MF | IPV4_OFFSET)))
			return 0;
		proto = iph->protocol;
		if (proto != IPPROTO_IPIP && proto != IPPROTO_IPV6 && proto != IPPROTO_UDP)
			return 0;
		if (!(cfg->flags & DECAP_F_ANY_DST) &&
		    (!(cfg->serve_fams & DECAP_SERVE_IPV4) || iph->daddr != cfg->serve[0][0]))
			return 0;
		if (!allowed_inline(cfg, &iph->saddr, FAM_IPV4))
			return 0;
		if (!ipv4_hdr_csum_ok(iph))
			return 0;
		tot = bpf_ntohs(iph->tot_len);
		ecn = iph->tos;
		f->outer_family = FAM_IPV4;
		in = iph + 1;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		ip6h = (void *)(eth + 1);
		if ((void *)(ip6h + 1) > end || ip6h->version != 6)
			return 0;
		proto = ip6h->nexthdr;
		if (proto != IPPROTO_IPIP && proto != IPPROTO_IPV6 && proto != IPPROTO_UDP)
			return 0;
		if (!(cfg->flags & DECAP_F_ANY_DST) &&
		    (!(cfg->serve_fams & DECAP_SERVE_IPV6) ||
		     !addr_equal(ip6h->daddr.s6_addr32, cfg->serve[1], FAM_IPV6)))
			return 0;
		if (!allowed_inline(cfg, ip6h->saddr.s6_addr32, FAM_IPV6))
			return 0;
		tot = sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len);
		ecn = ip6h->flow_lbl[0] >> 4;
		f->outer_family = FAM_IPV6;
		in = ip6h + 1;
	} else {
		return 0;
	}
	if (tot != frame)
		return 0;
	f->len = in - (void *)(eth + 1);
	if (proto == IPPROTO_UDP) {
		/* GUE version 1: the inner IP header right after UDP, its version the GUE's. */
		uh = in;
		if ((void *)(uh + 1) + 1 > end || !cfg->gue_port ||
		    uh->dest != bpf_htons(cfg->gue_port))
			return 0;
		in = uh + 1;
		v = *(__u8 *)in >> 4; /* 4 or 6: the top bits 01, version 1 */
		proto = v == 4 ? IPPROTO_IPIP : v == 6 ? IPPROTO_IPV6 : 0;
		f->len += sizeof(*uh);
	}
	if (proto == IPPROTO_IPIP) {
		iph = in;
		if ((void *)(iph + 1) > end || *(__u8 *)iph != 0x45 ||
		    (iph->frag_off & bpf_htons(IPV4_MF | IPV4_OFFSET)) ||
		    bpf_ntohs(iph->tot_len) < sizeof(*iph))
			return 0;
		v = iph->tos;
		proto = iph->protocol;
		f->inner_family = FAM_IPV4;
		in = iph + 1;
	} else if (proto == IPPROTO_IPV6) {
		ip6h = in;
		if ((void *)(ip6h + 1) > end || ip6h->version != 6)
			return 0;
		v = ip6h->flow_lbl[0] >> 4;
		proto = ip6h->nexthdr;
		f->inner_family = FAM_IPV6;
		in = ip6h + 1;
	} else {
		return 0;
	}
	if ((ecn & ECN_MASK) == ECN_CE && (v & ECN_MASK) != ECN_CE)
		return 0;
	if (proto == IPPROTO_TCP) {
		th = in;
		if ((void *)(th + 1) > end || th->doff < 5 || in + th->doff * 4 > end)
			return 0;
		return 1;
	}
	if (proto == IPPROTO_UDP) {
		uh = in;
		if ((void *)(uh + 1) > end ||
		    (cfg->gue_port && uh->dest == bpf_htons(cfg->gue_port)))
			return 0;
		return 1;
	}
	return 0;
}

/*
 * Remove the len bytes after the link header (l3_off bytes) and count the packet decapsulated.
 * Same family: skb->protocol and the Ethernet type stay. Mixed: tell the kernel first. An
 * aggregate (GRO) keeps its segment size: the segments it is cut into again on the way out
 * shrink by the outer header, as they were before it was added.
 */
static __always_inline int strip(struct __sk_buff *skb, struct decap_stats *st,
				 const struct decap_config *cfg, __u32 l3_off, __u32 len,
				 __u8 outer_family, __u8 inner_family)
{
	__u64 flags = cfg->flags & DECAP_F_FAULT_GSO_GROW ? 0 : BPF_F_ADJ_ROOM_FIXED_GSO;
	int mixed = outer_family != inner_family && !(cfg->flags & DECAP_F_FAULT_KEEP_PROTO);
	__be16 proto;

	if (mixed)
		flags |= inner_family == FAM_IPV4 ? DSR_ADJ_ROOM_DECAP_L3_IPV4 :
						    DSR_ADJ_ROOM_DECAP_L3_IPV6;
	if (bpf_skb_adjust_room(skb, -(long)len, BPF_ADJ_ROOM_MAC, flags))
		return verdict(st, DECAP_STAT_DROP_ADJUST, TC_ACT_SHOT);
	if (mixed) {
		proto = bpf_htons(inner_family == FAM_IPV4 ? ETH_P_IP : ETH_P_IPV6);
		if (bpf_skb_store_bytes(skb, l3_off - sizeof(proto), &proto, sizeof(proto), 0))
			return verdict(st, DECAP_STAT_DROP_ADJUST, TC_ACT_SHOT);
	}
	return verdict(st, DECAP_STAT_DECAP, TC_ACT_OK);
}

SEC("tc")
int decap(struct __sk_buff *skb)
{
	struct decap_config *cfg;
	struct decap_stats *st;
	struct fast_strip f;
	struct pkt_meta m;
	struct cursor c;
	__u32 zero = 0, pull, reason;
	int ret, ours, trusted;

	st = bpf_map_lookup_elem(&decap_stats, &zero);
	if (!st)
		return TC_ACT_OK;
	verdict(st, DECAP_STAT_RX, 0);
	cfg = bpf_map_lookup_elem(&decap_config, &zero);
	if (!cfg)
		return TC_ACT_OK;

	pull = skb->len < DECAP_PULL_LEN ? skb->len : DECAP_PULL_LEN;
	if ((void *)(long)skb->data + pull > (void *)(long)skb->data_end)
		bpf_skb_pull_data(skb, pull);
	if (decap_fast(skb, cfg, &f))
		return strip(skb, st, cfg, sizeof(struct ethhdr), f.len, f.outer_family,
			     f.inner_family);

	c.pos = (void *)(long)skb->data;
	c.end = (void *)(long)skb->data_end;
	m.encap = ENCAP_NONE;
	ret = parse_packet(&c, &m, cfg->gue_port, 0);
	if (m.encap == ENCAP_NONE)
		return verdict(st, DECAP_STAT_PASS_PLAIN, TC_ACT_OK);
	/* Each asked once: the source only of a packet to us (its verdict says which failed). */
	ours = served(cfg, m.outer_dst, m.outer_family);
	trusted = ours && allowed(cfg, m.outer_src, m.outer_family);
	/* UDP to the GUE port is a tunnel only from an allowed source to us (see the top). */
	if (m.encap == ENCAP_GUE && !trusted)
		return verdict(st, DECAP_STAT_PASS_PLAIN, TC_ACT_OK);
	if (ret < 0)
		return verdict(st, DECAP_STAT_DROP_PARSE, TC_ACT_SHOT);

	if (!ours) {
		if (cfg->flags & DECAP_F_PASS_OTHER_DST)
			return verdict(st, DECAP_STAT_PASS_OTHER_DST, TC_ACT_OK);
		return verdict(st, DECAP_STAT_DROP_OTHER_DST, TC_ACT_SHOT);
	}
	if (!trusted)
		return verdict(st, DECAP_STAT_DROP_SPOOF, TC_ACT_SHOT);
	if ((m.flags & PKT_F_NESTED) &&
	    (m.flow.proto != IPPROTO_UDP || (served(cfg, m.flow.dstv6, m.flow.family) &&
					     allowed(cfg, m.flow.srcv6, m.flow.family))))
		return verdict(st, DECAP_STAT_DROP_NESTED, TC_ACT_SHOT);
	reason = outer_check(skb, &m);
	if (reason)
		return verdict(st, reason, TC_ACT_SHOT);

	ret = ecn_decapsulate(skb, &m);
	if (ret < 0)
		return verdict(st, DECAP_STAT_DROP_ECN, TC_ACT_SHOT);
	if (ret > 0)
		verdict(st, DECAP_STAT_ECN_CE, 0);
	return strip(skb, st, cfg, m.l3_off, m.inner_l3_off - m.l3_off, m.outer_family,
		     m.flow.family);
}

char LICENSE[] SEC("license") = "GPL";
