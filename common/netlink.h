/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dsrlab's one rtnetlink layer (the bench and dsrlab-cni), on libmnl, on a socket of the
 * calling thread's network namespace: veth pairs (peer created directly in another
 * namespace), link state, addresses and routes, and nl_request() for any other request. Each
 * returns 0 or the kernel's negative errno; extended ACK is on, so nl_strerror() can say
 * what the kernel said about it.
 */
#ifndef DSRLAB_COMMON_NETLINK_H
#define DSRLAB_COMMON_NETLINK_H

#include <stdbool.h>
#include <linux/netlink.h>
#include <linux/types.h>
#include "common/addr.h"

#define NL_BUF		4096 /* a request */
#define NL_ANSWER_BUF	16384 /* what one read of an answer takes */
#define NL_ERR_TEXT_MAX 256 /* the kernel's words for an error */

struct mnl_socket;

struct nl_sock {
	struct mnl_socket *sk;
	__u32 seq, portid;
};

int nl_open(struct nl_sock *nl);
void nl_close(struct nl_sock *nl);

/*
 * Each message of an answer before its end (the ack, or NLMSG_DONE of a dump), to parse with
 * libmnl's bounds-checked mnl_attr_parse(): MNL_CB_OK to read on, MNL_CB_STOP to end,
 * MNL_CB_ERROR to fail (-errno, else -EPROTO).
 */
typedef int (*nl_reply_fn)(const struct nlmsghdr *nh, void *data);
/*
 * Send the request nh (its seq is set here; NLM_F_ACK, or NLM_F_DUMP, so that it ends) and
 * read its whole answer: 0, or the kernel's -errno (its words for it: nl_strerror()).
 */
int nl_request(struct nl_sock *nl, struct nlmsghdr *nh, nl_reply_fn reply, void *data);
/*
 * strerror(-err), followed by the kernel's extended-ACK text when err is what this thread's
 * last request failed with and the kernel said why: "Invalid argument (the kernel: ...)".
 */
const char *nl_strerror(int err);

/* veth NAME here, its peer PEER_NAME created inside the namespace peer_netns_fd. */
int nl_veth_add(struct nl_sock *nl, const char *name, const char *peer_name, int peer_netns_fd);
int nl_link_del(struct nl_sock *nl, int ifindex);
int nl_link_up(struct nl_sock *nl, int ifindex);
int nl_link_down(struct nl_sock *nl, int ifindex);
int nl_link_set_mtu(struct nl_sock *nl, int ifindex, __u32 mtu);
int nl_link_set_mac(struct nl_sock *nl, int ifindex, const __u8 mac[6]);
/* Move a link into the namespace netns_fd, renamed to new_name there. */
int nl_link_move(struct nl_sock *nl, int ifindex, int netns_fd, const char *new_name);
/* Add an address; an IPv6 one returns once the kernel routes it as local (see netlink.c). */
int nl_addr_add(struct nl_sock *nl, int ifindex, const struct ip_prefix *p);
/* The type of the route to a (RTN_LOCAL, RTN_UNICAST, ...), or -errno. */
int nl_route_type(struct nl_sock *nl, const struct ip_addr *a);
int nl_addr_del(struct nl_sock *nl, int ifindex, const struct ip_prefix *p);
/* Route to dst (len 0: default) via gw (FAM_NONE: on-link through oif). oif 0: any. */
int nl_route_add(struct nl_sock *nl, const struct ip_prefix *dst, const struct ip_addr *gw,
		 int oif);
/*
 * Route to dst over every gateway of gws[n] (RTA_MULTIPATH, one nexthop each, equal weight):
 * ECMP, spread by the namespace's fib_multipath_hash_policy. replace: NLM_F_REPLACE the
 * existing route to dst with these nexthops (the bench uses it for IPv4 VIPs).
 */
int nl_route_add_multipath(struct nl_sock *nl, const struct ip_prefix *dst,
			   const struct ip_addr *gws, int n, bool replace);

/* In the calling thread's namespace. */
int link_index(const char *ifname);
int link_mac(const char *ifname, __u8 mac[6]);
/*
 * One offload on or off with its legacy ethtool set command: ETHTOOL_STXCSUM (on, a veth
 * hands XDP unfinished checksums), ETHTOOL_SGRO, ETHTOOL_SGSO, ETHTOOL_STSO.
 */
int link_offload_set(const char *ifname, __u32 ethtool_cmd, bool on);
/* Write a sysctl of the calling thread's namespace, e.g. "net/ipv4/ip_forward". */
int sysctl_write(const char *path, const char *value);

#endif
