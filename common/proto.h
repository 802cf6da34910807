/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Protocol numbers and the few header structs the UAPI cannot give us cleanly.
 *
 * User space takes IPPROTO_* from glibc and BPF from the UAPI headers: including both
 * families of headers in one unit redefines the IPPROTO enum, so the choice is made here once.
 * <linux/icmp.h> drags glibc headers in under -target bpf, so the ICMP headers are ours.
 */
#ifndef DSRLAB_COMMON_PROTO_H
#define DSRLAB_COMMON_PROTO_H

#ifdef __bpf__
#include <linux/in.h>
#include <linux/in6.h>
#else
#include <netinet/in.h>
#endif
#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#ifndef ETH_P_8021Q
#define ETH_P_8021Q 0x8100
#endif
#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

#define IPV4_MF	    0x2000 /* more fragments, host order */
#define IPV4_DF	    0x4000 /* don't fragment, host order */
#define IPV4_OFFSET 0x1fff /* fragment offset mask, host order */

#define ICMP_ECHOREPLY	    0
#define ICMP_DEST_UNREACH   3
#define ICMP_ECHO	    8
#define ICMP_TIME_EXCEEDED  11
#define ICMP_FRAG_NEEDED    4 /* code under ICMP_DEST_UNREACH */
#define ICMPV6_DEST_UNREACH 1
#define ICMPV6_PKT_TOOBIG   2
#define ICMPV6_TIME_EXCEED  3
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY   129

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct icmp4_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	union {
		struct {
			__be16 id;
			__be16 seq;
		} echo;
		struct {
			__be16 unused;
			__be16 mtu;
		} frag;
		__be32 gateway;
	} un;
};

struct icmp6_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	union {
		struct {
			__be16 id;
			__be16 seq;
		} echo;
		__be32 mtu;
		__be32 unused;
	} un;
};

/* GUE (draft-ietf-intarea-gue) version 0 header; version 1 carries IP directly after UDP. */
struct gue_hdr {
	__u8 hlen_c_ver; /* ver:2 c:1 hlen:5, network bit order */
	__u8 proto;
	__be16 flags;
};

struct ipv6_opt_hdr_min {
	__u8 nexthdr;
	__u8 hdrlen;
};

struct ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset:13 res:2 M:1 */
	__be32 identification;
};

#endif
