/* SPDX-License-Identifier: GPL-2.0 */
/* Addresses, prefixes and service endpoints as the CLIs and scenarios write them. */
#ifndef DSRLAB_COMMON_ADDR_H
#define DSRLAB_COMMON_ADDR_H

#include <stdbool.h>
#include <netinet/in.h>
#include <linux/types.h>

#define ADDR_STRLEN 64 /* enough for "[v6]:port/proto" and "v6/len" */

struct ip_addr {
	__u8 family; /* FAM_IPV4 / FAM_IPV6 (common/flow.h), FAM_NONE when unset */
	__u8 bytes[16]; /* network order; IPv4 in the first 4 */
};

struct ip_prefix {
	struct ip_addr addr;
	__u8 len;
};

/* "10.100.0.1:80/tcp", "[2001:db8::1]:443/udp", "10.100.0.1/tcp", "[2001:db8::1]/tcp" (all
 * ports: port 0). IPv6 only in brackets: "2001:db8::1:80/tcp" is an error, not a VIP. */
struct endpoint {
	struct ip_addr addr;
	__u16 port; /* host order, 0: all ports */
	__u8 proto; /* IPPROTO_TCP / IPPROTO_UDP */
};

int addr_parse(const char *s, struct ip_addr *out);
/* "10.0.0.2/24"; without "/len" the host length (32 or 128) unless require_len. */
int prefix_parse(const char *s, struct ip_prefix *out, bool require_len);
int endpoint_parse(const char *s, struct endpoint *out);
const char *addr_str(const struct ip_addr *a, char *buf, size_t len);
const char *prefix_str(const struct ip_prefix *p, char *buf, size_t len);
const char *endpoint_str(const struct endpoint *e, char *buf, size_t len);
bool addr_equal(const struct ip_addr *a, const struct ip_addr *b);
/* The network of p with the host bits cleared. */
struct ip_prefix prefix_network(const struct ip_prefix *p);
bool prefix_contains(const struct ip_prefix *p, const struct ip_addr *a);
int addr_af(const struct ip_addr *a); /* AF_INET / AF_INET6 */
/* sockaddr for connect()/bind(); returns its length. */
socklen_t endpoint_sockaddr(const struct endpoint *e, struct sockaddr_storage *ss);

#endif
