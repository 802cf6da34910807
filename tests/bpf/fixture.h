/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the BPF_PROG_RUN fixture tables: packets written as a list of layers, a
 * byte-exact comparison that prints a hex diff, per-CPU counter sums and the test run itself.
 *
 * A packet is written front to back as layers, e.g.
 *	{ ETH(MAC_A, MAC_B), IP4("10.0.0.2", "10.100.0.1"), TCP(40000, 80, TCP_SYN), DATA(16) }
 * Every "next protocol" field (ethertype, IP protocol, GUE proto) comes from the layer that
 * follows; every length field (IPv4 total length, IPv6 payload length, UDP length) covers the
 * rest of the frame. The bytes come from the project's packet builder (common/pkt_build.h),
 * whose checksums use common/csum.h, as the programs do; so that the programs' checksum code
 * is still checked against a second implementation, every IPv4 header checksum (but one
 * broken on purpose) and every ICMP/ICMPv6 checksum the builder wrote is verified here with
 * fix_inet_csum(), RFC 1071 written apart from common/csum.h, before a packet is used.
 * ICMP checksums cover the rest of the frame (ICMPv6 with the pseudo-header of the IPv6
 * layer before it), so the balancer's ICMP answers are checked exactly. TCP/UDP checksums are
 * left zero: neither program reads them (and the balancer's GUE writes a zero UDP checksum).
 * A UDP layer followed by an IP layer is GUE version 1. An IP layer with .len set keeps that
 * length (a header quoted in an ICMP error, whose packet was cut).
 */
#ifndef DSRLAB_TESTS_BPF_FIXTURE_H
#define DSRLAB_TESTS_BPF_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "common/flow.h"
#include "common/percpu.h"

#define FIX_PKT_MAX    1600 /* room for a 1500-byte IP packet, VLAN tags and encapsulation */
#define FIX_MAX_LAYERS 10

enum fix_layer_kind {
	FIX_L_END = 0,
	FIX_L_ETH,
	FIX_L_VLAN,
	FIX_L_ARP, /* an ARP request, 28 bytes */
	FIX_L_IP4,
	FIX_L_IP6,
	FIX_L_TCP,
	FIX_L_UDP,
	FIX_L_ICMP4, /* type, code, checksum, then 4 bytes (rest) */
	FIX_L_ICMP6, /* type, code, checksum (with the pseudo-header), then 4 bytes (rest) */
	FIX_L_FRAG6, /* IPv6 fragment header */
	FIX_L_GUE0, /* GUE version 0 header (version 1 is no header: IP right after UDP) */
	FIX_L_DATA, /* len bytes of a counting pattern */
	FIX_L_TRUNC, /* last: cut the finished frame to len bytes */
};

struct fix_layer {
	__u8 kind; /* enum fix_layer_kind */
	/* MACs "02:00:..." or addresses; the address FIX_REAL is the row's backend */
	const char *src;
	const char *dst;
	__u16 sport; /* TCP/UDP */
	__u16 dport; /* TCP/UDP */
	__u16 len; /* DATA, TRUNC; IP4/IP6: the length field as given (a quoted header) */
	__u16 tci; /* VLAN */
	__u16 id; /* IPv4; FRAG6: identification */
	__u16 frag; /* IPv4 frag_off; FRAG6 offset | M; host order */
	__u8 tos; /* IPv4 tos, IPv6 traffic class */
	__u8 ttl; /* IPv4 ttl, IPv6 hop limit */
	__u8 flags; /* TCP flags; ICMP type */
	__u8 code; /* ICMP code */
	__u8 proto; /* IP protocol (FRAG6: next header) when no layer follows (0: 253) */
	__u32 rest; /* ICMP: bytes 4-7, host order (frag-needed / too-big: the MTU) */
	__u32 label; /* IPv6 flow label (20 bits) */
	__u8 opts; /* IPv4: option words (NOPs) after the header, IHL 5 + opts */
	__u16 csum_xor; /* IPv4: XORed into the header checksum (a broken header) */
};

#define FIX_REAL "real" /* stands for the backend address a row expects */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_ACK 0x10

#define IP4_DF 0x4000
#define IP4_MF 0x2000

/* clang-format off */
#define IP4_ALL(s, d, tos_, ttl_, id_, frag_, proto_) \
	{ .kind = FIX_L_IP4, .src = s, .dst = d, .tos = tos_, .ttl = ttl_, .id = id_, \
	  .frag = frag_, .proto = proto_ }
/* A client's packet: fields chosen to differ from what an outer header gets. */
#define IP4(s, d)	   IP4_ALL(s, d, 0x10, 63, 0x1c46, IP4_DF, 0)
#define IP4F(s, d, f)	   IP4_ALL(s, d, 0x10, 63, 0x1c47, f, 0)
/* The outer header a balancer writes: id 0, DF, ttl 64, tos copied from the inner one. */
#define IP4_OUTER(s, d, t) IP4_ALL(s, d, t, 64, 0, IP4_DF, 0)
#define IP6(s, d)	   { .kind = FIX_L_IP6, .src = s, .dst = d, .tos = 0, .ttl = 64 }
#define IP6_HOP(s, d, h)   { .kind = FIX_L_IP6, .src = s, .dst = d, .tos = 0, .ttl = h }
#define IP6_ALL(s, d, tc, hop, lbl) \
	{ .kind = FIX_L_IP6, .src = s, .dst = d, .tos = tc, .ttl = hop, .label = lbl }
#define ETH(d, s)	   { .kind = FIX_L_ETH, .dst = d, .src = s }
#define VLAN(t)		   { .kind = FIX_L_VLAN, .tci = t }
#define ARP_REQUEST	   { .kind = FIX_L_ARP }
#define TCP(sp, dp, f)	   { .kind = FIX_L_TCP, .sport = sp, .dport = dp, .flags = f }
#define UDP(sp, dp)	   { .kind = FIX_L_UDP, .sport = sp, .dport = dp }
#define ICMP6(t)	   { .kind = FIX_L_ICMP6, .flags = t }
#define ICMP6_ALL(t, c, r) { .kind = FIX_L_ICMP6, .flags = t, .code = c, .rest = r }
#define ICMP4(t, c, r)	   { .kind = FIX_L_ICMP4, .flags = t, .code = c, .rest = r }
#define FRAG6(f, id_, p)   { .kind = FIX_L_FRAG6, .frag = f, .id = id_, .proto = p }
#define GUE0		   { .kind = FIX_L_GUE0 }
#define DATA(n)		   { .kind = FIX_L_DATA, .len = n }
#define TRUNC(n)	   { .kind = FIX_L_TRUNC, .len = n }
/* clang-format on */

struct fix_pkt {
	__u8 b[FIX_PKT_MAX];
	__u32 len;
};

/* Write the layers into p; real (text) replaces FIX_REAL. Returns 0, or -1 with a message. */
int fix_pkt_build(struct fix_pkt *p, const struct fix_layer *layers, const char *real);

/* The 5-tuple of the innermost IP header and the transport layer after it, as flow_key. */
int fix_flow_key(const struct fix_layer *layers, struct flow_key *k);

/* RFC 1071 Internet checksum of buf, in network byte order as it sits in a header. */
__u16 fix_inet_csum(const void *buf, size_t len);

/* Whole-buffer comparison; on a mismatch prints where and a hex dump of both, marking rows. */
bool fix_bytes_equal(const char *what, const __u8 *got, __u32 got_len, const __u8 *want,
		     __u32 want_len);

/* One BPF_PROG_RUN of prog_fd over in; the output frame goes to out. */
int fix_prog_run(int prog_fd, const struct fix_pkt *in, struct fix_pkt *out, __u32 *retval);

/* Exit code ctest reads as "skipped" (SKIP_RETURN_CODE). */
#define FIX_SKIP 77

/* Print why and return true when the tests cannot run here (not root). */
bool fix_must_skip(void);

#endif
