// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/arg.h"
#include "common/flow.h"

int addr_parse(const char *s, struct ip_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->bytes) == 1) {
		out->family = FAM_IPV4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->bytes) == 1) {
		out->family = FAM_IPV6;
		return 0;
	}
	return -EINVAL;
}

int prefix_parse(const char *s, struct ip_prefix *out, bool require_len)
{
	char buf[ADDR_STRLEN], *slash, *end;
	long len;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	else if (require_len)
		return -EINVAL;
	if (addr_parse(buf, &out->addr))
		return -EINVAL;
	len = out->addr.family == FAM_IPV4 ? 32 : 128;
	if (slash) {
		errno = 0;
		long max = len;

		len = strtol(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || len < 0 || len > max)
			return -EINVAL;
	}
	out->len = len;
	return 0;
}

static int proto_parse(const char *s, __u8 *proto)
{
	if (!strcmp(s, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		*proto = IPPROTO_UDP;
	else
		return -EINVAL;
	return 0;
}

int endpoint_parse(const char *s, struct endpoint *out)
{
	char buf[ADDR_STRLEN], *host = buf, *port = NULL, *proto, *end;

	memset(out, 0, sizeof(*out));
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	proto = strrchr(buf, '/');
	if (!proto)
		return -EINVAL;
	*proto++ = '\0';
	if (proto_parse(proto, &out->proto))
		return -EINVAL;
	if (buf[0] == '[') {
		end = strchr(buf, ']');
		if (!end)
			return -EINVAL;
		*end = '\0';
		host = buf + 1;
		if (end[1] == ':')
			port = end + 2;
		else if (end[1])
			return -EINVAL;
	} else if (strchr(buf, ':') == strrchr(buf, ':') && strchr(buf, ':')) {
		port = strchr(buf, ':');
		*port++ = '\0';
	}
	if (addr_parse(host, &out->addr))
		return -EINVAL;
	/* "2001:db8::1:80/tcp" is an address, not an address and a port: IPv6 only in
	 * brackets, so that a forgotten bracket is an error and not another endpoint. */
	if (host == buf && out->addr.family == FAM_IPV6)
		return -EINVAL;
	if (port && arg_port(port, &out->port))
		return -EINVAL;
	return 0;
}

const char *addr_str(const struct ip_addr *a, char *buf, size_t len)
{
	if (a->family == FAM_NONE || !inet_ntop(addr_af(a), a->bytes, buf, len))
		snprintf(buf, len, "-");
	return buf;
}

const char *prefix_str(const struct ip_prefix *p, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	snprintf(buf, len, "%s/%u", addr_str(&p->addr, a, sizeof(a)), p->len);
	return buf;
}

const char *endpoint_str(const struct endpoint *e, char *buf, size_t len)
{
	const char *proto = e->proto == IPPROTO_UDP ? "udp" : "tcp";
	char a[ADDR_STRLEN];

	addr_str(&e->addr, a, sizeof(a));
	if (e->addr.family == FAM_IPV6 && !e->port)
		snprintf(buf, len, "[%s]/%s", a, proto); /* as endpoint_parse() reads it back */
	else if (!e->port)
		snprintf(buf, len, "%s/%s", a, proto);
	else if (e->addr.family == FAM_IPV6)
		snprintf(buf, len, "[%s]:%u/%s", a, e->port, proto);
	else
		snprintf(buf, len, "%s:%u/%s", a, e->port, proto);
	return buf;
}

bool addr_equal(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family && !memcmp(a->bytes, b->bytes, 16);
}

struct ip_prefix prefix_network(const struct ip_prefix *p)
{
	struct ip_prefix n = *p;
	int i;

	for (i = 0; i < 16; i++) {
		int bits = (int)p->len - i * 8;

		if (bits <= 0)
			n.addr.bytes[i] = 0;
		else if (bits < 8)
			n.addr.bytes[i] &= (__u8)(0xff << (8 - bits));
	}
	return n;
}

bool prefix_contains(const struct ip_prefix *p, const struct ip_addr *a)
{
	struct ip_prefix q = { .addr = *a, .len = p->len };
	struct ip_prefix n1 = prefix_network(p), n2 = prefix_network(&q);

	return a->family == p->addr.family && addr_equal(&n1.addr, &n2.addr);
}

int addr_af(const struct ip_addr *a)
{
	return a->family == FAM_IPV6 ? AF_INET6 : AF_INET;
}

socklen_t endpoint_sockaddr(const struct endpoint *e, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (e->addr.family == FAM_IPV6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(e->port);
		memcpy(&s6->sin6_addr, e->addr.bytes, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(e->port);
	memcpy(&s4->sin_addr, e->addr.bytes, 4);
	return sizeof(*s4);
}
