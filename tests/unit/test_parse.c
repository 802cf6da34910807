// SPDX-License-Identifier: GPL-2.0
/*
 * The shared parser (common/parse.h): one fixture per protocol stack, each parsed whole and
 * cut at every byte offset into a buffer of exactly that size (ASan catches any read past
 * it), malformed length and version fields, and the flow hash and IPv4 header checksum.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/maps.h"
#include "common/parse.h"
#include "common/csum.h"
#include "common/pkt_build.h"

/* Network-order constants usable in static initializers. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BE16(x) ((__be16)__builtin_bswap16(x))
#define BE32(x) ((__be32)__builtin_bswap32(x))
#else
#define BE16(x) ((__be16)(x))
#define BE32(x) ((__be32)(x))
#endif

#define V4_CLIENT   BE32(0x0a000001) /* 10.0.0.1 */
#define V4_VIP	    BE32(0x0a000002) /* 10.0.0.2 */
#define V4_OUT_SRC  BE32(0xc0000201) /* 192.0.2.1 */
#define V4_OUT_DST  BE32(0xc0000202) /* 192.0.2.2 */
#define V4_DEEP_SRC BE32(0x0a010001) /* 10.1.0.1 */
#define V4_DEEP_DST BE32(0x0a010002) /* 10.1.0.2 */
#define V6_CLIENT                               \
	{                                       \
		BE32(0x20010db8), 0, 0, BE32(1) \
	} /* 2001:db8::1 */
#define V6_VIP                                  \
	{                                       \
		BE32(0x20010db8), 0, 0, BE32(2) \
	} /* 2001:db8::2 */
#define V6_OUT_SRC                                             \
	{                                                      \
		BE32(0x20010db8), BE32(0x00ff0000), 0, BE32(1) \
	} /* 2001:db8:ff::1 */
#define V6_OUT_DST                                             \
	{                                                      \
		BE32(0x20010db8), BE32(0x00ff0000), 0, BE32(2) \
	} /* 2001:db8:ff::2 */
#define GUE_PORT     GUE_PORT_DEFAULT
#define ETH_P_ARP_LE 0x0806

static const __be32 v6_client[4] = V6_CLIENT;
static const __be32 v6_vip[4] = V6_VIP;
static const __be32 v6_out_src[4] = V6_OUT_SRC;
static const __be32 v6_out_dst[4] = V6_OUT_DST;

/* --- packets --------------------------------------------------------------------------- */

static void build_eth_ipv4_tcp(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, V4_CLIENT, V4_VIP)->tos = 0x10;
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
	pkt_payload(p, 10);
}

static void build_eth_vlan_ipv4_udp(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_vlan(p, ETH_P_8021Q, 100);
	pkt_ipv4(p, V4_CLIENT, V4_VIP);
	pkt_udp(p, 5353, 53);
	pkt_payload(p, 12);
}

static void build_eth_qinq_ipv6_tcp(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_vlan(p, ETH_P_8021AD, 10);
	pkt_vlan(p, ETH_P_8021Q, 20);
	pkt_ipv6_tclass(pkt_ipv6(p, v6_client, v6_vip), 0xb8, 0x12345);
	pkt_tcp(p, 40001, 443, PKT_TCP_ACK | PKT_TCP_PSH);
	pkt_payload(p, 7);
}

static void build_ipv4_options(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv4_opt(p, V4_CLIENT, V4_VIP, NULL, 8);
	pkt_tcp_opt(p, 40000, 80, PKT_TCP_SYN, 12);
	pkt_payload(p, 4);
}

static void build_ipv4_other_proto(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, V4_CLIENT, V4_VIP);
	pkt_link(p, IPPROTO_GRE);
	pkt_payload(p, 4);
}

static void build_ipv6_hopopts(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_ipv6_ext(p, IPPROTO_HOPOPTS, 8);
	pkt_udp(p, 5000, 53);
	pkt_payload(p, 5);
}

static void build_ipv6_routing(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_ipv6_ext(p, IPPROTO_ROUTING, 24);
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
	pkt_payload(p, 3);
}

static void build_ipv6_dstopts(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_ipv6_ext(p, IPPROTO_DSTOPTS, 16);
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
}

static void build_ipv6_ah(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_ipv6_ext(p, IPPROTO_AH, 24);
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
	pkt_payload(p, 2);
}

static void build_ipv6_frag_atomic(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_ipv6_frag(p, 0, 0, 7);
	pkt_udp(p, 5000, 53);
	pkt_payload(p, 4);
}

static void build_ipv6_frag_first(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_ipv6_frag(p, 0, 1, 7);
	pkt_udp(p, 5000, 53);
	pkt_payload(p, 16);
}

static void build_ipv6_frag_later(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_ipv6_frag(p, 185, 0, 7);
	pkt_link(p, IPPROTO_UDP);
	pkt_payload(p, 24);
}

static void build_ipv6_3ext(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_ipv6_ext(p, IPPROTO_HOPOPTS, 8);
	pkt_ipv6_ext(p, IPPROTO_DSTOPTS, 8);
	pkt_ipv6_ext(p, IPPROTO_ROUTING, 24);
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
	pkt_payload(p, 1);
}

static void build_ipv6_4ext(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_ipv6_ext(p, IPPROTO_HOPOPTS, 8);
	pkt_ipv6_ext(p, IPPROTO_DSTOPTS, 8);
	pkt_ipv6_ext(p, IPPROTO_ROUTING, 24);
	pkt_ipv6_ext(p, IPPROTO_DSTOPTS, 8);
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
}

static void build_ipv4_frag_first(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, V4_CLIENT, V4_VIP)->frag_off = htons(IPV4_MF);
	pkt_tcp(p, 40000, 80, PKT_TCP_ACK);
	pkt_payload(p, 20);
}

static void build_ipv4_frag_later(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, V4_CLIENT, V4_VIP)->frag_off = htons(185);
	pkt_link(p, IPPROTO_TCP);
	pkt_payload(p, 30);
}

static void build_icmp_echo(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, V4_CLIENT, V4_VIP);
	pkt_icmp(p, ICMP_ECHO, 0, 0x1234, 1);
	pkt_payload(p, 8);
}

static void build_icmp_frag_needed(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, V4_CLIENT, V4_VIP);
	pkt_icmp(p, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 0, 1400);
	pkt_payload(p, 28);
}

static void build_icmpv6_echo(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_icmpv6(p, ICMPV6_ECHO_REQUEST, 0, 0x4321, 1);
	pkt_payload(p, 8);
}

static void build_icmp_in_ipv6(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_icmp(p, ICMP_ECHO, 0, 0x1234, 1);
}

static void build_ipip(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, V4_OUT_SRC, V4_OUT_DST);
	pkt_ipv4(p, V4_CLIENT, V4_VIP)->tos = 0x28;
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
	pkt_payload(p, 6);
}

static void build_ipip_outer_options(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv4_opt(p, V4_OUT_SRC, V4_OUT_DST, NULL, 4);
	pkt_ipv4(p, V4_CLIENT, V4_VIP);
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
	pkt_payload(p, 6);
}

static void build_ip6ip6(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_out_src, v6_out_dst);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
	pkt_payload(p, 6);
}

static void build_4in6(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_out_src, v6_out_dst);
	pkt_ipv4(p, V4_CLIENT, V4_VIP);
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
	pkt_payload(p, 6);
}

static void build_6in4(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, V4_OUT_SRC, V4_OUT_DST);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_udp(p, 5000, 53);
	pkt_payload(p, 6);
}

static void build_gue0_v4(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, V4_OUT_SRC, V4_OUT_DST);
	pkt_udp(p, 33000, GUE_PORT);
	pkt_gue0(p, 0);
	pkt_ipv4(p, V4_CLIENT, V4_VIP);
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
	pkt_payload(p, 6);
}

static void build_gue0_v6_options(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_out_src, v6_out_dst);
	pkt_udp(p, 33000, GUE_PORT);
	pkt_gue0(p, 2);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_udp(p, 5000, 53);
	pkt_payload(p, 3);
}

static void build_gue1_v4(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, V4_OUT_SRC, V4_OUT_DST);
	pkt_udp(p, 33000, GUE_PORT);
	pkt_ipv4(p, V4_CLIENT, V4_VIP);
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
	pkt_payload(p, 6);
}

static void build_gue1_v6(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_out_src, v6_out_dst);
	pkt_udp(p, 33000, GUE_PORT);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
	pkt_payload(p, 6);
}

static void build_gue1_4in6(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_out_src, v6_out_dst);
	pkt_udp(p, 33000, GUE_PORT);
	pkt_ipv4(p, V4_CLIENT, V4_VIP);
	pkt_udp(p, 5000, 53);
}

static void build_ipip_nested(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, V4_OUT_SRC, V4_OUT_DST);
	pkt_ipv4(p, V4_CLIENT, V4_VIP);
	pkt_ipv4(p, V4_DEEP_SRC, V4_DEEP_DST);
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
	pkt_payload(p, 4);
}

static void build_gue_nested(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, V4_OUT_SRC, V4_OUT_DST);
	pkt_udp(p, 33000, GUE_PORT);
	pkt_ipv4(p, V4_CLIENT, V4_VIP);
	pkt_udp(p, 33001, GUE_PORT);
	pkt_ipv4(p, V4_DEEP_SRC, V4_DEEP_DST);
	pkt_udp(p, 5000, 53);
}

static void build_arp(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_link(p, ETH_P_ARP_LE);
	pkt_payload(p, 28);
}

/* --- fixtures -------------------------------------------------------------------------- */

struct parse_fixture {
	void (*build)(struct pkt *p);
	__u16 gue_port;
	int ret; /* of the whole packet, with and without PARSE_F_CHECK_LEN */
	__u16 need; /* cut shorter: PARSE_TRUNCATED without PARSE_F_CHECK_LEN */
	__u16 need_len; /* cut shorter: PARSE_TRUNCATED with it (0: the whole packet) */
	struct pkt_meta meta; /* when ret is 0 */
};

#define FLOW4(s, d, sp, dp, pr)                                                                \
	{                                                                                      \
		.srcv6 = { s }, .dstv6 = { d }, .port16 = { BE16(sp), BE16(dp) }, .proto = pr, \
		.family = FAM_IPV4                                                             \
	}
#define FLOW6(s, d, sp, dp, pr)                                                        \
	{                                                                              \
		.srcv6 = s, .dstv6 = d, .port16 = { BE16(sp), BE16(dp) }, .proto = pr, \
		.family = FAM_IPV6                                                     \
	}

/* clang-format off */
static const struct parse_fixture fx_eth_ipv4_tcp = {
	.build = build_eth_ipv4_tcp,
	.need = 54,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 34, .payload_off = 54,
		  .eth_proto = ETH_P_IP, .ip_len = 50, .outer_family = FAM_IPV4,
		  .tcp_flags = PKT_TCP_SYN, .tos = 0x10, .outer_tos = 0x10,
		  .outer_src = { V4_CLIENT }, .outer_dst = { V4_VIP },
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 40000, 80, IPPROTO_TCP) },
};

static const struct parse_fixture fx_eth_vlan_ipv4_udp = {
	.build = build_eth_vlan_ipv4_udp,
	.need = 46,
	.meta = { .l3_off = 18, .inner_l3_off = 18, .l4_off = 38, .payload_off = 46,
		  .eth_proto = ETH_P_IP, .ip_len = 40, .nvlans = 1, .outer_family = FAM_IPV4,
		  .outer_src = { V4_CLIENT }, .outer_dst = { V4_VIP },
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 5353, 53, IPPROTO_UDP) },
};

static const struct parse_fixture fx_eth_qinq_ipv6_tcp = {
	.build = build_eth_qinq_ipv6_tcp,
	.need = 82,
	.meta = { .l3_off = 22, .inner_l3_off = 22, .l4_off = 62, .payload_off = 82,
		  .eth_proto = ETH_P_IPV6, .ip_len = 67, .nvlans = 2, .outer_family = FAM_IPV6,
		  .tcp_flags = PKT_TCP_ACK | PKT_TCP_PSH, .tos = 0xb8, .outer_tos = 0xb8,
		  .outer_src = V6_CLIENT,
		  .outer_dst = V6_VIP, .flow = FLOW6(V6_CLIENT, V6_VIP, 40001, 443, IPPROTO_TCP) },
};

static const struct parse_fixture fx_ipv4_options = {
	.build = build_ipv4_options,
	.need = 74,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 42, .payload_off = 74,
		  .eth_proto = ETH_P_IP, .ip_len = 64, .flags = PKT_F_IP_OPTIONS,
		  .outer_family = FAM_IPV4, .tcp_flags = PKT_TCP_SYN,
		  .outer_src = { V4_CLIENT }, .outer_dst = { V4_VIP },
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 40000, 80, IPPROTO_TCP) },
};

static const struct parse_fixture fx_ipv4_other_proto = {
	.build = build_ipv4_other_proto,
	.need = 34,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 34, .payload_off = 34,
		  .eth_proto = ETH_P_IP, .ip_len = 24, .outer_family = FAM_IPV4,
		  .outer_src = { V4_CLIENT }, .outer_dst = { V4_VIP },
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 0, 0, IPPROTO_GRE) },
};

static const struct parse_fixture fx_ipv6_hopopts = {
	.build = build_ipv6_hopopts,
	.need = 70,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 62, .payload_off = 70,
		  .eth_proto = ETH_P_IPV6, .ip_len = 61, .flags = PKT_F_IP_OPTIONS,
		  .outer_family = FAM_IPV6, .outer_src = V6_CLIENT, .outer_dst = V6_VIP,
		  .flow = FLOW6(V6_CLIENT, V6_VIP, 5000, 53, IPPROTO_UDP) },
};

static const struct parse_fixture fx_ipv6_routing = {
	.build = build_ipv6_routing,
	.need = 98,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 78, .payload_off = 98,
		  .eth_proto = ETH_P_IPV6, .ip_len = 87, .flags = PKT_F_IP_OPTIONS,
		  .outer_family = FAM_IPV6, .tcp_flags = PKT_TCP_SYN, .outer_src = V6_CLIENT,
		  .outer_dst = V6_VIP, .flow = FLOW6(V6_CLIENT, V6_VIP, 40000, 80, IPPROTO_TCP) },
};

static const struct parse_fixture fx_ipv6_dstopts = {
	.build = build_ipv6_dstopts,
	.need = 90,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 70, .payload_off = 90,
		  .eth_proto = ETH_P_IPV6, .ip_len = 76, .flags = PKT_F_IP_OPTIONS,
		  .outer_family = FAM_IPV6, .tcp_flags = PKT_TCP_SYN, .outer_src = V6_CLIENT,
		  .outer_dst = V6_VIP, .flow = FLOW6(V6_CLIENT, V6_VIP, 40000, 80, IPPROTO_TCP) },
};

static const struct parse_fixture fx_ipv6_ah = {
	.build = build_ipv6_ah,
	.need = 98,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 78, .payload_off = 98,
		  .eth_proto = ETH_P_IPV6, .ip_len = 86, .flags = PKT_F_IP_OPTIONS,
		  .outer_family = FAM_IPV6, .tcp_flags = PKT_TCP_SYN, .outer_src = V6_CLIENT,
		  .outer_dst = V6_VIP, .flow = FLOW6(V6_CLIENT, V6_VIP, 40000, 80, IPPROTO_TCP) },
};

/* Offset 0 and M clear: a fragment header, but not a fragment (RFC 6946). */
static const struct parse_fixture fx_ipv6_frag_atomic = {
	.build = build_ipv6_frag_atomic,
	.need = 70,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 62, .payload_off = 70,
		  .eth_proto = ETH_P_IPV6, .ip_len = 60, .flags = PKT_F_IP_OPTIONS,
		  .outer_family = FAM_IPV6, .outer_src = V6_CLIENT, .outer_dst = V6_VIP,
		  .flow = FLOW6(V6_CLIENT, V6_VIP, 5000, 53, IPPROTO_UDP) },
};

static const struct parse_fixture fx_ipv6_frag_first = {
	.build = build_ipv6_frag_first,
	.need = 70,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 62, .payload_off = 70,
		  .eth_proto = ETH_P_IPV6, .ip_len = 72, .flags = PKT_F_IP_OPTIONS | PKT_F_FRAG,
		  .outer_family = FAM_IPV6, .outer_src = V6_CLIENT, .outer_dst = V6_VIP,
		  .flow = FLOW6(V6_CLIENT, V6_VIP, 5000, 53, IPPROTO_UDP) },
};

static const struct parse_fixture fx_ipv6_frag_later = {
	.build = build_ipv6_frag_later,
	.need = 62,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 0, .payload_off = 0,
		  .eth_proto = ETH_P_IPV6, .ip_len = 72,
		  .flags = PKT_F_IP_OPTIONS | PKT_F_FRAG | PKT_F_FRAG_LATER,
		  .outer_family = FAM_IPV6, .outer_src = V6_CLIENT, .outer_dst = V6_VIP,
		  .flow = FLOW6(V6_CLIENT, V6_VIP, 0, 0, IPPROTO_UDP) },
};

static const struct parse_fixture fx_ipv6_3ext = {
	.build = build_ipv6_3ext,
	.need = 114,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 94, .payload_off = 114,
		  .eth_proto = ETH_P_IPV6, .ip_len = 101, .flags = PKT_F_IP_OPTIONS,
		  .outer_family = FAM_IPV6, .tcp_flags = PKT_TCP_SYN, .outer_src = V6_CLIENT,
		  .outer_dst = V6_VIP, .flow = FLOW6(V6_CLIENT, V6_VIP, 40000, 80, IPPROTO_TCP) },
};

/* The fourth header is not read: the walk stops after PARSE_MAX_IPV6_EXT. */
static const struct parse_fixture fx_ipv6_4ext = {
	.build = build_ipv6_4ext,
	.ret = PARSE_UNSUPPORTED,
	.need = 94,
};

static const struct parse_fixture fx_ipv4_frag_first = {
	.build = build_ipv4_frag_first,
	.need = 54,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 34, .payload_off = 54,
		  .eth_proto = ETH_P_IP, .ip_len = 60, .flags = PKT_F_FRAG,
		  .outer_family = FAM_IPV4, .tcp_flags = PKT_TCP_ACK,
		  .outer_src = { V4_CLIENT }, .outer_dst = { V4_VIP },
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 40000, 80, IPPROTO_TCP) },
};

static const struct parse_fixture fx_ipv4_frag_later = {
	.build = build_ipv4_frag_later,
	.need = 34,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 0, .payload_off = 0,
		  .eth_proto = ETH_P_IP, .ip_len = 50, .flags = PKT_F_FRAG | PKT_F_FRAG_LATER,
		  .outer_family = FAM_IPV4, .outer_src = { V4_CLIENT }, .outer_dst = { V4_VIP },
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 0, 0, IPPROTO_TCP) },
};

static const struct parse_fixture fx_icmp_echo = {
	.build = build_icmp_echo,
	.need = 42,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 34, .payload_off = 42,
		  .eth_proto = ETH_P_IP, .ip_len = 36, .outer_family = FAM_IPV4,
		  .icmp_type = ICMP_ECHO, .outer_src = { V4_CLIENT }, .outer_dst = { V4_VIP },
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 0x1234, 0, IPPROTO_ICMP) },
};

/* Not an echo: the id/sequence word is the MTU, not an identifier. */
static const struct parse_fixture fx_icmp_frag_needed = {
	.build = build_icmp_frag_needed,
	.need = 42,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 34, .payload_off = 42,
		  .eth_proto = ETH_P_IP, .ip_len = 56, .outer_family = FAM_IPV4,
		  .icmp_type = ICMP_DEST_UNREACH, .icmp_code = ICMP_FRAG_NEEDED,
		  .outer_src = { V4_CLIENT }, .outer_dst = { V4_VIP },
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 0, 0, IPPROTO_ICMP) },
};

static const struct parse_fixture fx_icmpv6_echo = {
	.build = build_icmpv6_echo,
	.need = 62,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 54, .payload_off = 62,
		  .eth_proto = ETH_P_IPV6, .ip_len = 56, .outer_family = FAM_IPV6,
		  .icmp_type = ICMPV6_ECHO_REQUEST, .outer_src = V6_CLIENT, .outer_dst = V6_VIP,
		  .flow = FLOW6(V6_CLIENT, V6_VIP, 0x4321, 0, IPPROTO_ICMPV6) },
};

/* ICMPv4's protocol number in an IPv6 header: not parsed as ICMP. */
static const struct parse_fixture fx_icmp_in_ipv6 = {
	.build = build_icmp_in_ipv6,
	.need = 54,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 54, .payload_off = 54,
		  .eth_proto = ETH_P_IPV6, .ip_len = 48, .outer_family = FAM_IPV6,
		  .outer_src = V6_CLIENT, .outer_dst = V6_VIP,
		  .flow = FLOW6(V6_CLIENT, V6_VIP, 0, 0, IPPROTO_ICMP) },
};

static const struct parse_fixture fx_ipip = {
	.build = build_ipip,
	.need = 74,
	.meta = { .l3_off = 14, .inner_l3_off = 34, .l4_off = 54, .payload_off = 74,
		  .eth_proto = ETH_P_IP, .ip_len = 46, .encap = ENCAP_IPIP,
		  .outer_family = FAM_IPV4, .tcp_flags = PKT_TCP_SYN, .tos = 0x28,
		  .outer_src = { V4_OUT_SRC }, .outer_dst = { V4_OUT_DST },
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 40000, 80, IPPROTO_TCP) },
};

/* flags describe the inner header: the outer options do not show. */
static const struct parse_fixture fx_ipip_outer_options = {
	.build = build_ipip_outer_options,
	.need = 78,
	.meta = { .l3_off = 14, .inner_l3_off = 38, .l4_off = 58, .payload_off = 78,
		  .eth_proto = ETH_P_IP, .ip_len = 46, .encap = ENCAP_IPIP,
		  .outer_family = FAM_IPV4, .tcp_flags = PKT_TCP_SYN,
		  .outer_src = { V4_OUT_SRC }, .outer_dst = { V4_OUT_DST },
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 40000, 80, IPPROTO_TCP) },
};

static const struct parse_fixture fx_ip6ip6 = {
	.build = build_ip6ip6,
	.need = 114,
	.meta = { .l3_off = 14, .inner_l3_off = 54, .l4_off = 94, .payload_off = 114,
		  .eth_proto = ETH_P_IPV6, .ip_len = 66, .encap = ENCAP_IP6IP6,
		  .outer_family = FAM_IPV6, .tcp_flags = PKT_TCP_SYN, .outer_src = V6_OUT_SRC,
		  .outer_dst = V6_OUT_DST,
		  .flow = FLOW6(V6_CLIENT, V6_VIP, 40000, 80, IPPROTO_TCP) },
};

static const struct parse_fixture fx_4in6 = {
	.build = build_4in6,
	.need = 94,
	.meta = { .l3_off = 14, .inner_l3_off = 54, .l4_off = 74, .payload_off = 94,
		  .eth_proto = ETH_P_IPV6, .ip_len = 46, .encap = ENCAP_4IN6,
		  .outer_family = FAM_IPV6, .tcp_flags = PKT_TCP_SYN, .outer_src = V6_OUT_SRC,
		  .outer_dst = V6_OUT_DST,
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 40000, 80, IPPROTO_TCP) },
};

static const struct parse_fixture fx_6in4 = {
	.build = build_6in4,
	.need = 82,
	.meta = { .l3_off = 14, .inner_l3_off = 34, .l4_off = 74, .payload_off = 82,
		  .eth_proto = ETH_P_IP, .ip_len = 54, .encap = ENCAP_6IN4,
		  .outer_family = FAM_IPV4,
		  .outer_src = { V4_OUT_SRC }, .outer_dst = { V4_OUT_DST },
		  .flow = FLOW6(V6_CLIENT, V6_VIP, 5000, 53, IPPROTO_UDP) },
};

static const struct parse_fixture fx_gue0_v4 = {
	.build = build_gue0_v4,
	.gue_port = GUE_PORT,
	.need = 86,
	.meta = { .l3_off = 14, .inner_l3_off = 46, .l4_off = 66, .payload_off = 86,
		  .eth_proto = ETH_P_IP, .ip_len = 46, .encap = ENCAP_GUE,
		  .outer_family = FAM_IPV4, .tcp_flags = PKT_TCP_SYN,
		  .outer_src = { V4_OUT_SRC }, .outer_dst = { V4_OUT_DST },
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 40000, 80, IPPROTO_TCP) },
};

static const struct parse_fixture fx_gue0_v6_options = {
	.build = build_gue0_v6_options,
	.gue_port = GUE_PORT,
	.need = 122,
	.meta = { .l3_off = 14, .inner_l3_off = 74, .l4_off = 114, .payload_off = 122,
		  .eth_proto = ETH_P_IPV6, .ip_len = 51, .encap = ENCAP_GUE,
		  .outer_family = FAM_IPV6, .outer_src = V6_OUT_SRC, .outer_dst = V6_OUT_DST,
		  .flow = FLOW6(V6_CLIENT, V6_VIP, 5000, 53, IPPROTO_UDP) },
};

static const struct parse_fixture fx_gue1_v4 = {
	.build = build_gue1_v4,
	.gue_port = GUE_PORT,
	.need = 82,
	.meta = { .l3_off = 14, .inner_l3_off = 42, .l4_off = 62, .payload_off = 82,
		  .eth_proto = ETH_P_IP, .ip_len = 46, .encap = ENCAP_GUE,
		  .outer_family = FAM_IPV4, .tcp_flags = PKT_TCP_SYN,
		  .outer_src = { V4_OUT_SRC }, .outer_dst = { V4_OUT_DST },
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 40000, 80, IPPROTO_TCP) },
};

static const struct parse_fixture fx_gue1_v6 = {
	.build = build_gue1_v6,
	.gue_port = GUE_PORT,
	.need = 122,
	.meta = { .l3_off = 14, .inner_l3_off = 62, .l4_off = 102, .payload_off = 122,
		  .eth_proto = ETH_P_IPV6, .ip_len = 66, .encap = ENCAP_GUE,
		  .outer_family = FAM_IPV6, .tcp_flags = PKT_TCP_SYN, .outer_src = V6_OUT_SRC,
		  .outer_dst = V6_OUT_DST,
		  .flow = FLOW6(V6_CLIENT, V6_VIP, 40000, 80, IPPROTO_TCP) },
};

static const struct parse_fixture fx_gue1_4in6 = {
	.build = build_gue1_4in6,
	.gue_port = GUE_PORT,
	.need = 90,
	.meta = { .l3_off = 14, .inner_l3_off = 62, .l4_off = 82, .payload_off = 90,
		  .eth_proto = ETH_P_IPV6, .ip_len = 28, .encap = ENCAP_GUE,
		  .outer_family = FAM_IPV6, .outer_src = V6_OUT_SRC, .outer_dst = V6_OUT_DST,
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 5000, 53, IPPROTO_UDP) },
};

/* GUE on another port than the one configured: a plain UDP flow. */
static const struct parse_fixture fx_gue_other_port = {
	.build = build_gue0_v4,
	.gue_port = GUE_PORT + 1,
	.need = 42,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 34, .payload_off = 42,
		  .eth_proto = ETH_P_IP, .ip_len = 78, .outer_family = FAM_IPV4,
		  .outer_src = { V4_OUT_SRC }, .outer_dst = { V4_OUT_DST },
		  .flow = FLOW4(V4_OUT_SRC, V4_OUT_DST, 33000, GUE_PORT, IPPROTO_UDP) },
};

/* gue_port 0: GUE off. */
static const struct parse_fixture fx_gue_port_zero = {
	.build = build_gue0_v4,
	.need = 42,
	.meta = { .l3_off = 14, .inner_l3_off = 14, .l4_off = 34, .payload_off = 42,
		  .eth_proto = ETH_P_IP, .ip_len = 78, .outer_family = FAM_IPV4,
		  .outer_src = { V4_OUT_SRC }, .outer_dst = { V4_OUT_DST },
		  .flow = FLOW4(V4_OUT_SRC, V4_OUT_DST, 33000, GUE_PORT, IPPROTO_UDP) },
};

/* The second level is reported, not walked: the key is the middle header's, ports 0. */
static const struct parse_fixture fx_ipip_nested = {
	.build = build_ipip_nested,
	.need = 54,
	.meta = { .l3_off = 14, .inner_l3_off = 34, .l4_off = 54, .payload_off = 54,
		  .eth_proto = ETH_P_IP, .ip_len = 64, .encap = ENCAP_IPIP, .flags = PKT_F_NESTED,
		  .outer_family = FAM_IPV4,
		  .outer_src = { V4_OUT_SRC }, .outer_dst = { V4_OUT_DST },
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 0, 0, IPPROTO_IPIP) },
};

/* GUE in GUE: the middle UDP header is the flow's transport header. */
static const struct parse_fixture fx_gue_nested = {
	.build = build_gue_nested,
	.gue_port = GUE_PORT,
	.need = 70,
	.meta = { .l3_off = 14, .inner_l3_off = 42, .l4_off = 62, .payload_off = 70,
		  .eth_proto = ETH_P_IP, .ip_len = 56, .encap = ENCAP_GUE, .flags = PKT_F_NESTED,
		  .outer_family = FAM_IPV4,
		  .outer_src = { V4_OUT_SRC }, .outer_dst = { V4_OUT_DST },
		  .flow = FLOW4(V4_CLIENT, V4_VIP, 33001, GUE_PORT, IPPROTO_UDP) },
};

static const struct parse_fixture fx_arp = {
	.build = build_arp,
	.ret = PARSE_UNSUPPORTED,
	.need = 14,
	.need_len = 14,
};
/* clang-format on */

/* X(name): test_parse_<name> runs fx_<name>. */
#define PARSE_FIXTURES(X)     \
	X(eth_ipv4_tcp)       \
	X(eth_vlan_ipv4_udp)  \
	X(eth_qinq_ipv6_tcp)  \
	X(ipv4_options)       \
	X(ipv4_other_proto)   \
	X(ipv6_hopopts)       \
	X(ipv6_routing)       \
	X(ipv6_dstopts)       \
	X(ipv6_ah)            \
	X(ipv6_frag_atomic)   \
	X(ipv6_frag_first)    \
	X(ipv6_frag_later)    \
	X(ipv6_3ext)          \
	X(ipv6_4ext)          \
	X(ipv4_frag_first)    \
	X(ipv4_frag_later)    \
	X(icmp_echo)          \
	X(icmp_frag_needed)   \
	X(icmpv6_echo)        \
	X(icmp_in_ipv6)       \
	X(ipip)               \
	X(ipip_outer_options) \
	X(ip6ip6)             \
	X(4in6)               \
	X(6in4)               \
	X(gue0_v4)            \
	X(gue0_v6_options)    \
	X(gue1_v4)            \
	X(gue1_v6)            \
	X(gue1_4in6)          \
	X(gue_other_port)     \
	X(gue_port_zero)      \
	X(ipip_nested)        \
	X(gue_nested)         \
	X(arp)

/* --- running them ---------------------------------------------------------------------- */

/*
 * Parse the first len bytes of pkt from a heap copy that ends where they end, so a read past
 * the end is a heap overflow for ASan and valgrind. The copy starts 2 bytes into the block
 * (NET_IP_ALIGN) so the IP headers are aligned. The meta is filled with poison first.
 */
static int parse_copy(const void *pkt, __u32 len, __u16 gue_port, __u32 opts, struct pkt_meta *m,
		      int poison)
{
	struct cursor c;
	__u8 *buf;
	int ret;

	buf = malloc(len + 2);
	assert_non_null(buf);
	memcpy(buf + 2, pkt, len);
	c.pos = buf + 2;
	c.end = buf + 2 + len;
	memset(m, poison, sizeof(*m));
	ret = parse_packet(&c, m, gue_port, opts);
	assert_true(c.pos <= c.end);
	free(buf);
	return ret;
}

#define META_EQ(f)                                                                         \
	do {                                                                               \
		if (want->f != got->f)                                                     \
			fail_msg("%s: " #f " is %#llx, want %#llx", what,                  \
				 (unsigned long long)got->f, (unsigned long long)want->f); \
	} while (0)

/* Every field by name (for the message), then every byte. */
static void meta_expect(const char *what, const struct pkt_meta *want, const struct pkt_meta *got)
{
	int i;

	META_EQ(l3_off);
	META_EQ(inner_l3_off);
	META_EQ(l4_off);
	META_EQ(payload_off);
	META_EQ(eth_proto);
	META_EQ(ip_len);
	META_EQ(nvlans);
	META_EQ(encap);
	META_EQ(flags);
	META_EQ(outer_family);
	META_EQ(tcp_flags);
	META_EQ(icmp_type);
	META_EQ(icmp_code);
	META_EQ(tos);
	META_EQ(outer_tos);
	for (i = 0; i < 4; i++) {
		META_EQ(outer_src[i]);
		META_EQ(outer_dst[i]);
		META_EQ(flow.srcv6[i]);
		META_EQ(flow.dstv6[i]);
	}
	META_EQ(flow.port16[0]);
	META_EQ(flow.port16[1]);
	META_EQ(flow.proto);
	META_EQ(flow.family);
	META_EQ(flow.pad);
	assert_memory_equal(want, got, sizeof(*want));
}

static void parse_fixture_run(const char *name, const struct parse_fixture *fx)
{
	static const __u32 modes[] = { 0, PARSE_F_CHECK_LEN };
	__u32 len, cut, need_len, mode;
	struct pkt_meta m, m2;
	char what[96];
	struct pkt p;
	int ret, want;

	pkt_init(&p);
	fx->build(&p);
	len = pkt_finish(&p);
	need_len = fx->need_len ? fx->need_len : len;
	assert_in_range(fx->need, 0, len);

	for (mode = 0; mode < 2; mode++) {
		snprintf(what, sizeof(what), "%s (opts %#x)", name, modes[mode]);
		ret = parse_copy(p.data, len, fx->gue_port, modes[mode], &m, 0xa5);
		if (ret != fx->ret)
			fail_msg("%s: parse_packet() = %d, want %d", what, ret, fx->ret);
		if (ret)
			continue;
		meta_expect(what, &fx->meta, &m);
		/* Whatever the meta held before, every byte of it is written. */
		ret = parse_copy(p.data, len, fx->gue_port, modes[mode], &m2, 0x00);
		assert_int_equal(ret, 0);
		assert_memory_equal(&m, &m2, sizeof(m));
	}

	for (cut = 0; cut < len; cut++) {
		ret = parse_copy(p.data, cut, fx->gue_port, PARSE_F_CHECK_LEN, &m, 0xa5);
		want = cut < need_len ? PARSE_TRUNCATED : fx->ret;
		if (ret != want)
			fail_msg("%s cut to %u, CHECK_LEN: %d, want %d", name, cut, ret, want);

		ret = parse_copy(p.data, cut, fx->gue_port, 0, &m, 0xa5);
		want = cut < fx->need ? PARSE_TRUNCATED : fx->ret;
		if (ret != want)
			fail_msg("%s cut to %u: %d, want %d", name, cut, ret, want);
		if (ret == 0) {
			snprintf(what, sizeof(what), "%s cut to %u", name, cut);
			meta_expect(what, &fx->meta, &m);
		}
	}
}

#define PARSE_FIXTURE_TEST(n)                    \
	static void test_parse_##n(void **state) \
	{                                        \
		(void)state;                     \
		parse_fixture_run(#n, &fx_##n);  \
	}
PARSE_FIXTURES(PARSE_FIXTURE_TEST)

/*
 * The bench parses pcap buffers, whose IP headers sit at any offset (14 bytes of Ethernet put
 * them 2 bytes off a 4-byte boundary): every fixture parses to the same meta from a buffer
 * starting at each offset 0 to 7, under UBSan's alignment check (no misaligned load).
 */
static void test_parse_any_alignment(void **state)
{
#define PARSE_FIXTURE_REF(n) { #n, &fx_##n },
	static const struct {
		const char *name;
		const struct parse_fixture *fx;
	} all[] = { PARSE_FIXTURES(PARSE_FIXTURE_REF) };
#undef PARSE_FIXTURE_REF
	struct pkt_meta want, got;
	__u32 len, shift;
	struct cursor c;
	struct pkt p;
	size_t i;
	__u8 *buf;
	int ret;

	(void)state;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		pkt_init(&p);
		all[i].fx->build(&p);
		len = pkt_finish(&p);
		assert_int_equal(
			parse_copy(p.data, len, all[i].fx->gue_port, PARSE_F_CHECK_LEN, &want, 0),
			all[i].fx->ret);
		for (shift = 0; shift < 8; shift++) {
			buf = malloc(len + 8);
			assert_non_null(buf);
			memcpy(buf + shift, p.data, len);
			c.pos = buf + shift;
			c.end = buf + shift + len;
			memset(&got, 0, sizeof(got));
			ret = parse_packet(&c, &got, all[i].fx->gue_port, PARSE_F_CHECK_LEN);
			free(buf);
			if (ret != all[i].fx->ret)
				fail_msg("%s at offset %u: %d, want %d", all[i].name, shift, ret,
					 all[i].fx->ret);
			if (!ret)
				assert_memory_equal(&want, &got, sizeof(got));
		}
	}
}

/* --- malformed packets ----------------------------------------------------------------- */

/* Build, let the test break a field, parse the whole packet. */
static int parse_broken(void (*build)(struct pkt *p), void (*breaker)(struct pkt *p),
			__u16 gue_port, __u32 opts, struct pkt_meta *m)
{
	struct pkt p;
	__u32 len;

	pkt_init(&p);
	build(&p);
	len = pkt_finish(&p);
	if (breaker)
		breaker(&p);
	return parse_copy(p.data, len, gue_port, opts, m, 0xa5);
}

static struct iphdr *ipv4_at(struct pkt *p, __u32 off)
{
	return (struct iphdr *)(p->data + off);
}

static void break_ihl_4(struct pkt *p)
{
	ipv4_at(p, 14)->ihl = 4;
}

static void break_ihl_0(struct pkt *p)
{
	ipv4_at(p, 14)->ihl = 0;
}

/* UDP, so a parser taking IHL 4 would read a "transport header" and succeed. */
static void break_vlan_ihl_4(struct pkt *p)
{
	ipv4_at(p, 18)->ihl = 4;
}

static void test_parse_ipv4_ihl_short(void **state)
{
	struct pkt_meta m;
	__u32 mode;

	(void)state;
	for (mode = 0; mode <= PARSE_F_CHECK_LEN; mode++) {
		assert_int_equal(parse_broken(build_eth_ipv4_tcp, break_ihl_4, 0, mode, &m),
				 PARSE_MALFORMED);
		assert_int_equal(m.eth_proto, ETH_P_IP); /* the balancer tells IP from not-IP */
		assert_int_equal(parse_broken(build_eth_ipv4_tcp, break_ihl_0, 0, mode, &m),
				 PARSE_MALFORMED);
		assert_int_equal(
			parse_broken(build_eth_vlan_ipv4_udp, break_vlan_ihl_4, 0, mode, &m),
			PARSE_MALFORMED);
	}
}

static void break_tot_len_19(struct pkt *p)
{
	ipv4_at(p, 14)->tot_len = htons(19);
}

/* Options fixture: IHL 7 (28 bytes), total length 24. */
static void break_tot_len_in_options(struct pkt *p)
{
	ipv4_at(p, 14)->tot_len = htons(24);
}

static void test_parse_ipv4_tot_len_short(void **state)
{
	struct pkt_meta m;
	__u32 mode;

	(void)state;
	for (mode = 0; mode <= PARSE_F_CHECK_LEN; mode++) {
		assert_int_equal(parse_broken(build_eth_ipv4_tcp, break_tot_len_19, 0, mode, &m),
				 PARSE_MALFORMED);
		assert_int_equal(
			parse_broken(build_ipv4_options, break_tot_len_in_options, 0, mode, &m),
			PARSE_MALFORMED);
	}
}

static void break_tot_len_long(struct pkt *p)
{
	ipv4_at(p, 14)->tot_len = htons(ntohs(ipv4_at(p, 14)->tot_len) + 1);
}

/* A total length past the data: truncated when lengths are checked, taken as is otherwise. */
static void test_parse_ipv4_tot_len_long(void **state)
{
	struct pkt_meta m;

	(void)state;
	assert_int_equal(
		parse_broken(build_eth_ipv4_tcp, break_tot_len_long, 0, PARSE_F_CHECK_LEN, &m),
		PARSE_TRUNCATED);
	assert_int_equal(parse_broken(build_eth_ipv4_tcp, break_tot_len_long, 0, 0, &m), 0);
	assert_int_equal(m.ip_len, 51);
	assert_int_equal(m.payload_off, 54);
}

static void break_payload_len_long(struct pkt *p)
{
	struct ipv6hdr *ip6h = (void *)(p->data + 14);

	ip6h->payload_len = htons(ntohs(ip6h->payload_len) + 1);
}

static void test_parse_ipv6_payload_len_long(void **state)
{
	struct pkt_meta m;

	(void)state;
	assert_int_equal(
		parse_broken(build_ipv6_routing, break_payload_len_long, 0, PARSE_F_CHECK_LEN, &m),
		PARSE_TRUNCATED);
	assert_int_equal(parse_broken(build_ipv6_routing, break_payload_len_long, 0, 0, &m), 0);
	assert_int_equal(m.ip_len, 88);
}

static void break_outer_version(struct pkt *p)
{
	p->data[14] = (p->data[14] & 0x0f) | 0x60;
}

static void break_outer_version_4(struct pkt *p)
{
	p->data[14] = (p->data[14] & 0x0f) | 0x40;
}

static void break_inner_version_after_34(struct pkt *p)
{
	p->data[34] = (p->data[34] & 0x0f) | 0x60;
}

static void break_inner_version_after_54(struct pkt *p)
{
	p->data[54] = (p->data[54] & 0x0f) | 0x40;
}

/* GUE v0 says IPv4 (proto 4): the inner header at 46 claims version 6. */
static void break_gue0_inner_version(struct pkt *p)
{
	p->data[46] = (p->data[46] & 0x0f) | 0x60;
}

static void test_parse_version_mismatch(void **state)
{
	struct pkt_meta m;

	(void)state;
	assert_int_equal(parse_broken(build_eth_ipv4_tcp, break_outer_version, 0, 0, &m),
			 PARSE_MALFORMED);
	assert_int_equal(parse_broken(build_eth_qinq_ipv6_tcp, NULL, 0, 0, &m), 0);
	assert_int_equal(parse_broken(build_icmpv6_echo, break_outer_version_4, 0, 0, &m),
			 PARSE_MALFORMED);
	assert_int_equal(parse_broken(build_ipip, break_inner_version_after_34, 0, 0, &m),
			 PARSE_MALFORMED);
	assert_int_equal(parse_broken(build_ip6ip6, break_inner_version_after_54, 0, 0, &m),
			 PARSE_MALFORMED);
	assert_int_equal(parse_broken(build_gue0_v4, break_gue0_inner_version, GUE_PORT, 0, &m),
			 PARSE_MALFORMED);
}

static void break_doff(struct pkt *p, __u8 doff)
{
	((struct tcphdr *)(p->data + 34))->doff = doff;
}

static void break_doff_4(struct pkt *p)
{
	break_doff(p, 4);
}

static void break_doff_0(struct pkt *p)
{
	break_doff(p, 0);
}

static void break_doff_15(struct pkt *p)
{
	break_doff(p, 15);
}

static void test_parse_tcp_doff(void **state)
{
	struct pkt_meta m;
	__u32 mode;

	(void)state;
	for (mode = 0; mode <= PARSE_F_CHECK_LEN; mode++) {
		assert_int_equal(parse_broken(build_eth_ipv4_tcp, break_doff_4, 0, mode, &m),
				 PARSE_MALFORMED);
		assert_int_equal(parse_broken(build_eth_ipv4_tcp, break_doff_0, 0, mode, &m),
				 PARSE_MALFORMED);
		/* 60 bytes of header, 30 bytes of data */
		assert_int_equal(parse_broken(build_eth_ipv4_tcp, break_doff_15, 0, mode, &m),
				 PARSE_TRUNCATED);
	}
}

static void break_udp_len_7(struct pkt *p)
{
	((struct udphdr *)(p->data + 38))->len = htons(7);
}

static void break_udp_len_0(struct pkt *p)
{
	((struct udphdr *)(p->data + 38))->len = 0;
}

static void test_parse_udp_len_short(void **state)
{
	struct pkt_meta m;

	(void)state;
	assert_int_equal(
		parse_broken(build_eth_vlan_ipv4_udp, break_udp_len_7, 0, PARSE_F_CHECK_LEN, &m),
		PARSE_MALFORMED);
	assert_int_equal(
		parse_broken(build_eth_vlan_ipv4_udp, break_udp_len_0, 0, PARSE_F_CHECK_LEN, &m),
		PARSE_MALFORMED);
	/* Not checked for skbs: the ports still come out. */
	assert_int_equal(parse_broken(build_eth_vlan_ipv4_udp, break_udp_len_7, 0, 0, &m), 0);
	assert_int_equal(m.flow.port16[1], htons(53));
}

/* GUE header of build_gue0_v4 / build_gue1_v4: after Ethernet, IPv4 and UDP. */
static void gue_set(struct pkt *p, __u8 first)
{
	p->data[42] = first;
}

static void break_gue_control(struct pkt *p)
{
	gue_set(p, p->data[42] | 0x20);
}

static void test_parse_gue_control(void **state)
{
	struct pkt_meta m;

	(void)state;
	assert_int_equal(parse_broken(build_gue0_v4, break_gue_control, GUE_PORT, 0, &m),
			 PARSE_UNSUPPORTED);
	assert_int_equal(m.encap, ENCAP_NONE); /* the decap passes it up the stack */
}

static void break_gue1_nibble_5(struct pkt *p)
{
	gue_set(p, 0x55);
}

static void break_gue1_nibble_7(struct pkt *p)
{
	gue_set(p, 0x75);
}

static void test_parse_gue1_bad_ip_version(void **state)
{
	struct pkt_meta m;

	(void)state;
	assert_int_equal(parse_broken(build_gue1_v4, break_gue1_nibble_5, GUE_PORT, 0, &m),
			 PARSE_MALFORMED);
	assert_int_equal(parse_broken(build_gue1_v4, break_gue1_nibble_7, GUE_PORT, 0, &m),
			 PARSE_MALFORMED);
}

static void break_gue_version_2(struct pkt *p)
{
	gue_set(p, 0x80);
}

static void break_gue_version_3(struct pkt *p)
{
	gue_set(p, 0xc0);
}

static void test_parse_gue_bad_version(void **state)
{
	struct pkt_meta m;

	(void)state;
	assert_int_equal(parse_broken(build_gue0_v4, break_gue_version_2, GUE_PORT, 0, &m),
			 PARSE_MALFORMED);
	assert_int_equal(parse_broken(build_gue0_v4, break_gue_version_3, GUE_PORT, 0, &m),
			 PARSE_MALFORMED);
}

static void break_gue0_proto_udp(struct pkt *p)
{
	p->data[43] = IPPROTO_UDP;
}

static void break_gue0_hlen_max(struct pkt *p)
{
	gue_set(p, 0x1f); /* 124 bytes of optional fields, more than the packet has */
}

static void test_parse_gue0_bad_fields(void **state)
{
	struct pkt_meta m;

	(void)state;
	assert_int_equal(parse_broken(build_gue0_v4, break_gue0_proto_udp, GUE_PORT, 0, &m),
			 PARSE_UNSUPPORTED);
	assert_int_equal(parse_broken(build_gue0_v4, break_gue0_hlen_max, GUE_PORT, 0, &m),
			 PARSE_TRUNCATED);
}

static void build_vlan_3tags(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_vlan(p, ETH_P_8021AD, 1);
	pkt_vlan(p, ETH_P_8021Q, 2);
	pkt_vlan(p, ETH_P_8021Q, 3);
	pkt_ipv4(p, V4_CLIENT, V4_VIP);
	pkt_udp(p, 5353, 53);
}

static void test_parse_vlan_three_tags(void **state)
{
	struct pkt_meta m;

	(void)state;
	assert_int_equal(parse_broken(build_vlan_3tags, NULL, 0, 0, &m), PARSE_UNSUPPORTED);
	assert_int_equal(parse_broken(build_vlan_3tags, NULL, 0, PARSE_F_CHECK_LEN, &m),
			 PARSE_UNSUPPORTED);
}

/* A hop-by-hop header of 1 KiB puts the transport header past PARSE_MAX_OFF. */
static void build_ipv6_huge_ext(struct pkt *p)
{
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, v6_client, v6_vip);
	pkt_ipv6_ext(p, IPPROTO_HOPOPTS, 1024);
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
}

static void test_parse_ipv6_ext_past_max_off(void **state)
{
	struct pkt_meta m;

	(void)state;
	assert_int_equal(parse_broken(build_ipv6_huge_ext, NULL, 0, PARSE_F_CHECK_LEN, &m),
			 PARSE_UNSUPPORTED);
}

static void break_outer_mf(struct pkt *p)
{
	ipv4_at(p, 14)->frag_off = htons(IPV4_MF);
}

static void break_outer_later(struct pkt *p)
{
	ipv4_at(p, 14)->frag_off = htons(100);
}

/* The inner header of a fragmented tunnel packet is out of reach. */
static void test_parse_ipip_fragment(void **state)
{
	struct pkt_meta m;

	(void)state;
	assert_int_equal(parse_broken(build_ipip, break_outer_mf, 0, 0, &m), PARSE_UNSUPPORTED);
	assert_int_equal(parse_broken(build_gue1_v4, break_outer_mf, GUE_PORT, 0, &m),
			 PARSE_UNSUPPORTED);
	assert_int_equal(parse_broken(build_ipip, break_outer_later, 0, 0, &m), 0);
	assert_int_equal(m.encap, ENCAP_NONE);
	assert_int_equal(m.flags, PKT_F_FRAG | PKT_F_FRAG_LATER);
	assert_int_equal(m.flow.proto, IPPROTO_IPIP);
	assert_int_equal(m.flow.ports, 0);
	assert_int_equal(m.l4_off, 0);
}

/* --- flow_hash ------------------------------------------------------------------------- */

/*
 * MurmurHash3_x86_32 written again from the reference (byte-wise, with the standard tail), on
 * purpose: flow_hash must equal a function other fleets and languages can reproduce.
 */
static __u32 murmur3_32(const __u8 *p, __u32 len, __u32 seed)
{
	__u32 h = seed, k, i;

	for (i = 0; i + 4 <= len; i += 4) {
		k = p[i] | (__u32)p[i + 1] << 8 | (__u32)p[i + 2] << 16 | (__u32)p[i + 3] << 24;
		k *= 0xcc9e2d51;
		k = k << 15 | k >> 17;
		k *= 0x1b873593;
		h ^= k;
		h = h << 13 | h >> 19;
		h = h * 5 + 0xe6546b64;
	}
	k = 0;
	switch (len & 3) {
	case 3:
		k ^= (__u32)p[i + 2] << 16;
		/* fallthrough */
	case 2:
		k ^= (__u32)p[i + 1] << 8;
		/* fallthrough */
	case 1:
		k ^= p[i];
		k *= 0xcc9e2d51;
		k = k << 15 | k >> 17;
		k *= 0x1b873593;
		h ^= k;
	}
	h ^= len;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

static struct flow_key flow_key_v4(void)
{
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	k.src = V4_CLIENT;
	k.dst = V4_VIP;
	k.port16[0] = htons(40000);
	k.port16[1] = htons(80);
	k.proto = IPPROTO_TCP;
	k.family = FAM_IPV4;
	return k;
}

static struct flow_key flow_key_v6(void)
{
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	memcpy(k.srcv6, v6_client, 16);
	memcpy(k.dstv6, v6_vip, 16);
	k.port16[0] = htons(40000);
	k.port16[1] = htons(80);
	k.proto = IPPROTO_TCP;
	k.family = FAM_IPV6;
	return k;
}

static void test_flow_hash_murmur3(void **state)
{
	static const __u32 seed = 0x5eed;
	struct flow_key k4 = flow_key_v4(), k6 = flow_key_v6();
	__u32 words[10], proto;

	(void)state;
	/* The reference against published MurmurHash3_x86_32 vectors. */
	assert_int_equal(murmur3_32((const __u8 *)"", 0, 0), 0);
	assert_int_equal(murmur3_32((const __u8 *)"", 0, 1), 0x514e28b7);
	assert_int_equal(murmur3_32((const __u8 *)"", 0, 0xffffffff), 0x81f16f39);
	assert_int_equal(murmur3_32((const __u8 *)"aaaa", 4, 0x9747b28c), 0x5a97808a);
	assert_int_equal(murmur3_32((const __u8 *)"abc", 3, 0), 0xb3dd93fa);
	assert_int_equal(murmur3_32((const __u8 *)"Hello, world!", 13, 1234), 0xfaf6cdb3);

	/* flow_hash is MurmurHash3 of the key's words as they sit in memory (little endian). */
	if (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__)
		skip();
	proto = k4.proto;
	words[0] = k4.src;
	words[1] = k4.dst;
	words[2] = k4.ports;
	words[3] = proto;
	assert_int_equal(flow_hash(&k4, seed), murmur3_32((const __u8 *)words, 16, seed));
	memcpy(words, k6.srcv6, 16);
	memcpy(words + 4, k6.dstv6, 16);
	words[8] = k6.ports;
	words[9] = proto;
	assert_int_equal(flow_hash(&k6, seed), murmur3_32((const __u8 *)words, 40, seed));
}

static void test_flow_hash_deterministic(void **state)
{
	struct flow_key a = flow_key_v4(), b = flow_key_v4();

	(void)state;
	assert_int_equal(flow_hash(&a, 1), flow_hash(&b, 1));
	assert_int_equal(flow_hash(&a, 1), flow_hash(&a, 1));
	a = flow_key_v6();
	b = flow_key_v6();
	assert_int_equal(flow_hash(&a, 7), flow_hash(&b, 7));
}

static void test_flow_hash_each_field(void **state)
{
	struct flow_key base = flow_key_v4(), k;
	__u32 h = flow_hash(&base, 1);
	int i;

	(void)state;
	assert_int_not_equal(flow_hash(&base, 2), h);
	k = base;
	k.src ^= htonl(1);
	assert_int_not_equal(flow_hash(&k, 1), h);
	k = base;
	k.dst ^= htonl(1);
	assert_int_not_equal(flow_hash(&k, 1), h);
	k = base;
	k.port16[0] ^= htons(1);
	assert_int_not_equal(flow_hash(&k, 1), h);
	k = base;
	k.port16[1] ^= htons(1);
	assert_int_not_equal(flow_hash(&k, 1), h);
	k = base;
	k.proto = IPPROTO_UDP;
	assert_int_not_equal(flow_hash(&k, 1), h);
	/* src and dst swapped: a reply hashes elsewhere (the hash is not symmetric) */
	k = base;
	k.src = base.dst;
	k.dst = base.src;
	assert_int_not_equal(flow_hash(&k, 1), h);
	k = base;
	k.family = FAM_IPV6;
	assert_int_not_equal(flow_hash(&k, 1), h);

	base = flow_key_v6();
	h = flow_hash(&base, 1);
	for (i = 0; i < 4; i++) {
		k = base;
		k.srcv6[i] ^= htonl(1);
		assert_int_not_equal(flow_hash(&k, 1), h);
		k = base;
		k.dstv6[i] ^= htonl(0x80000000);
		assert_int_not_equal(flow_hash(&k, 1), h);
	}
	k = base;
	k.port16[0] ^= htons(1);
	assert_int_not_equal(flow_hash(&k, 1), h);
	k = base;
	k.port16[1] ^= htons(1);
	assert_int_not_equal(flow_hash(&k, 1), h);
	k = base;
	k.proto = IPPROTO_UDP;
	assert_int_not_equal(flow_hash(&k, 1), h);
}

static void test_flow_hash_ipv4_unused_words(void **state)
{
	struct flow_key base = flow_key_v4(), k = base;
	int i;

	(void)state;
	for (i = 1; i < 4; i++) {
		k.srcv6[i] = 0xdeadbeef;
		k.dstv6[i] = 0xfeedface;
	}
	k.pad = 0xffff;
	assert_int_equal(flow_hash(&k, 3), flow_hash(&base, 3));
}

/* --- ipv4_hdr_csum and the builder ----------------------------------------------------- */

static void test_ipv4_hdr_csum_rfc_example(void **state)
{
	/* The classic example: 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7. */
	__u8 hdr[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			 0xde, 0xad, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	struct iphdr iph;
	__sum16 sum;

	(void)state;
	memcpy(&iph, hdr, sizeof(iph));
	sum = ipv4_hdr_csum(&iph); /* the check field (0xdead here) is taken as zero */
	assert_int_equal(ntohs(sum), 0xb861);
	iph.check = sum;
	assert_int_equal(csum_fold(csum_partial_words(&iph, sizeof(iph), 0)), 0);
	/* What a receiver checks (the decap): the right check field, and nothing else, passes. */
	assert_true(ipv4_hdr_csum_ok(&iph));
	iph.check = htons(0xb862);
	assert_false(ipv4_hdr_csum_ok(&iph));
	iph.check = sum;
	iph.ttl ^= 1;
	assert_false(ipv4_hdr_csum_ok(&iph));
	iph.ttl ^= 1;
	iph.daddr ^= htonl(0x100);
	assert_false(ipv4_hdr_csum_ok(&iph));
}

/*
 * ipv4_hdr_csum_ok() (five 32-bit words, the decap's check of every outer header) says what
 * summing the ten 16-bit words says, for headers whose sums carry the most (words near all
 * ones) and for random ones, half of them with a check field right or one off either way.
 */
static void test_ipv4_hdr_csum_ok_fold(void **state)
{
	__u32 w[5], seed = 0x2545f491u, i, j;
	__u16 right;
	int full;

	(void)state;
	for (i = 0; i < 400000; i++) {
		for (j = 0; j < 5; j++) {
			seed = seed * 1103515245u + 12345u;
			w[j] = i < 1000 ? 0xffffffffu - (seed >> 30) : seed ^ (seed >> 16);
		}
		if (i & 1) {
			/* the check field (bytes 10-11) made right, or one off */
			right = 0;
			memcpy((__u8 *)w + 10, &right, 2);
			right = csum_fold(csum_partial_words(w, 20, 0)) + (i % 6 == 3) -
				(i % 6 == 5);
			memcpy((__u8 *)w + 10, &right, 2);
		}
		full = csum_fold(csum_partial_words(w, 20, 0)) == 0;
		assert_int_equal(ipv4_hdr_csum_ok((const struct iphdr *)w), full);
	}
}

/* ipv4_csum_words() from the five words as numbers gives what ipv4_hdr_csum() reads. */
static void test_ipv4_csum_words(void **state)
{
	const __u8 tos[] = { 0, 0x10, 0xb8, 0xff }, proto[] = { 4, 17, 41 };
	const __u16 len[] = { 20, 0x73, 1500, 0xffff };
	const __be32 addr[] = { 0, 0x0100000a, 0xc700a8c0, 0xffffffff };
	struct iphdr iph = { .version = 4, .ihl = 5, .ttl = 64, .frag_off = htons(0x4000) };
	unsigned int a, b, c, d, e, n = 0;

	(void)state;
	for (a = 0; a < sizeof(tos); a++)
		for (b = 0; b < sizeof(len) / sizeof(len[0]); b++)
			for (c = 0; c < sizeof(proto); c++)
				for (d = 0; d < 4; d++)
					for (e = 0; e < 4; e++, n++) {
						iph.tos = tos[a];
						iph.tot_len = htons(len[b]);
						iph.protocol = proto[c];
						iph.saddr = addr[d];
						iph.daddr = addr[(d + e) % 4];
						assert_int_equal(
							htons(ipv4_csum_words(
								0x45000000u | tos[a] << 16 | len[b],
								0x4000, 64u << 24 | proto[c] << 16,
								ntohl(iph.saddr),
								ntohl(iph.daddr))),
							ipv4_hdr_csum(&iph));
					}
	assert_int_equal(n, 4 * 4 * 3 * 4 * 4);
}

/* The builder's checksums verify: IPv4 headers by ipv4_hdr_csum(), L4 by summing to zero. */
static void test_pkt_builder_checksums(void **state)
{
	struct ipv6hdr *ip6h;
	struct iphdr *iph;
	struct pkt p;
	__u64 sum;
	__be32 w;

	(void)state;
	pkt_init(&p);
	build_gue1_v4(&p);
	pkt_finish(&p);
	iph = ipv4_at(&p, 14);
	assert_int_equal(iph->check, ipv4_hdr_csum(iph));
	assert_int_equal(ntohs(iph->tot_len), p.len - 14);
	iph = ipv4_at(&p, 42);
	assert_int_equal(iph->check, ipv4_hdr_csum(iph));
	assert_int_equal(ntohs(iph->tot_len), p.len - 42);
	assert_int_equal(ntohs(((struct udphdr *)(p.data + 34))->len), p.len - 34);
	/* inner TCP over its pseudo-header */
	sum = csum_partial_words(&iph->saddr, 8, 0);
	w = htonl(IPPROTO_TCP << 16 | (p.len - 62));
	sum = csum_partial_words(&w, 4, sum);
	assert_int_equal(csum_fold(csum_partial_words(p.data + 62, p.len - 62, sum)), 0);

	pkt_init(&p);
	build_ipv4_options(&p);
	pkt_finish(&p);
	assert_int_equal(csum_fold(csum_partial_words(p.data + 14, 28, 0)), 0);

	pkt_init(&p);
	build_icmpv6_echo(&p);
	pkt_finish(&p);
	ip6h = (void *)(p.data + 14);
	assert_int_equal(ntohs(ip6h->payload_len), p.len - 54);
	sum = csum_partial_words(&ip6h->saddr, 32, 0);
	w = htonl(p.len - 54);
	sum = csum_partial_words(&w, 4, sum);
	w = htonl(IPPROTO_ICMPV6);
	sum = csum_partial_words(&w, 4, sum);
	assert_int_equal(csum_fold(csum_partial_words(p.data + 54, p.len - 54, sum)), 0);
}

int main(void)
{
#define PARSE_FIXTURE_ENTRY(n) cmocka_unit_test(test_parse_##n),
	const struct CMUnitTest tests[] = {
		PARSE_FIXTURES(PARSE_FIXTURE_ENTRY) cmocka_unit_test(test_parse_any_alignment),
		cmocka_unit_test(test_parse_ipv4_ihl_short),
		cmocka_unit_test(test_parse_ipv4_tot_len_short),
		cmocka_unit_test(test_parse_ipv4_tot_len_long),
		cmocka_unit_test(test_parse_ipv6_payload_len_long),
		cmocka_unit_test(test_parse_version_mismatch),
		cmocka_unit_test(test_parse_tcp_doff),
		cmocka_unit_test(test_parse_udp_len_short),
		cmocka_unit_test(test_parse_gue_control),
		cmocka_unit_test(test_parse_gue1_bad_ip_version),
		cmocka_unit_test(test_parse_gue_bad_version),
		cmocka_unit_test(test_parse_gue0_bad_fields),
		cmocka_unit_test(test_parse_vlan_three_tags),
		cmocka_unit_test(test_parse_ipv6_ext_past_max_off),
		cmocka_unit_test(test_parse_ipip_fragment),
		cmocka_unit_test(test_flow_hash_murmur3),
		cmocka_unit_test(test_flow_hash_deterministic),
		cmocka_unit_test(test_flow_hash_each_field),
		cmocka_unit_test(test_flow_hash_ipv4_unused_words),
		cmocka_unit_test(test_ipv4_hdr_csum_rfc_example),
		cmocka_unit_test(test_ipv4_hdr_csum_ok_fold),
		cmocka_unit_test(test_ipv4_csum_words),
		cmocka_unit_test(test_pkt_builder_checksums),
	};
#undef PARSE_FIXTURE_ENTRY

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
