// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/veth.h>

#include "common/netlink.h"
#include "common/flow.h"
#include "common/log.h"

#define NL_BUF 4096

struct nl_req {
	struct nlmsghdr *nh;
	char buf[NL_BUF];
};

static void nl_req_init(struct nl_req *r, __u16 type, __u16 flags, const void *body, size_t len)
{
	memset(r->buf, 0, sizeof(r->buf));
	r->nh = (struct nlmsghdr *)r->buf;
	r->nh->nlmsg_len = NLMSG_LENGTH(len);
	r->nh->nlmsg_type = type;
	r->nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	memcpy(NLMSG_DATA(r->nh), body, len);
}

static struct rtattr *nl_attr(struct nl_req *r, __u16 type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)(r->buf + NLMSG_ALIGN(r->nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	r->nh->nlmsg_len = NLMSG_ALIGN(r->nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

static void nl_nest_end(struct nl_req *r, struct rtattr *nest)
{
	nest->rta_len = (char *)r->buf + r->nh->nlmsg_len - (char *)nest;
}

int nl_open(struct nl_sock *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	nl->seq = 1;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -errno;
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(nl->fd);
		nl->fd = -1;
		return err;
	}
	return 0;
}

void nl_close(struct nl_sock *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/*
 * Send r and read until its answer: the kernel's error code (0: done), or what reply() makes
 * of a reply message (RTM_GET* requests answer with one before any error) when it returns
 * other than 1.
 */
static int nl_ask(struct nl_sock *nl, struct nl_req *r, int (*reply)(const struct nlmsghdr *))
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char resp[NL_BUF];
	struct nlmsghdr *nh;
	ssize_t n;
	int ret;

	r->nh->nlmsg_seq = ++nl->seq;
	if (sendto(nl->fd, r->buf, r->nh->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		n = recv(nl->fd, resp, sizeof(resp), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (nh = (struct nlmsghdr *)resp; NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != nl->seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			if (reply && (ret = reply(nh)) != 1)
				return ret;
		}
	}
}

static int nl_talk(struct nl_sock *nl, struct nl_req *r)
{
	return nl_ask(nl, r, NULL);
}

int nl_veth_add(struct nl_sock *nl, const char *name, const char *peer_name, int peer_netns_fd)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct rtattr *linkinfo, *data, *peer;
	struct nl_req r;

	nl_req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	nl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	linkinfo = nl_attr(&r, IFLA_LINKINFO, NULL, 0);
	nl_attr(&r, IFLA_INFO_KIND, "veth", 4);
	data = nl_attr(&r, IFLA_INFO_DATA, NULL, 0);
	peer = nl_attr(&r, VETH_INFO_PEER, &ifi, sizeof(ifi));
	nl_attr(&r, IFLA_IFNAME, peer_name, strlen(peer_name) + 1);
	if (peer_netns_fd >= 0)
		nl_attr(&r, IFLA_NET_NS_FD, &peer_netns_fd, sizeof(peer_netns_fd));
	nl_nest_end(&r, peer);
	nl_nest_end(&r, data);
	nl_nest_end(&r, linkinfo);
	return nl_talk(nl, &r);
}

int nl_link_del(struct nl_sock *nl, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_req r;

	nl_req_init(&r, RTM_DELLINK, 0, &ifi, sizeof(ifi));
	return nl_talk(nl, &r);
}

int nl_link_up(struct nl_sock *nl, int ifindex)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifindex,
		.ifi_flags = IFF_UP,
		.ifi_change = IFF_UP,
	};
	struct nl_req r;

	nl_req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	return nl_talk(nl, &r);
}

int nl_link_down(struct nl_sock *nl, int ifindex)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifindex,
		.ifi_change = IFF_UP,
	};
	struct nl_req r;

	nl_req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	return nl_talk(nl, &r);
}

int nl_link_set_mac(struct nl_sock *nl, int ifindex, const __u8 mac[6])
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_req r;

	nl_req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	nl_attr(&r, IFLA_ADDRESS, mac, 6);
	return nl_talk(nl, &r);
}

int nl_link_move(struct nl_sock *nl, int ifindex, int netns_fd, const char *new_name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_req r;

	nl_req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	nl_attr(&r, IFLA_NET_NS_FD, &netns_fd, sizeof(netns_fd));
	nl_attr(&r, IFLA_IFNAME, new_name, strlen(new_name) + 1);
	return nl_talk(nl, &r);
}

int nl_link_set_mtu(struct nl_sock *nl, int ifindex, __u32 mtu)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_req r;

	nl_req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	nl_attr(&r, IFLA_MTU, &mtu, sizeof(mtu));
	return nl_talk(nl, &r);
}

static int nl_addr(struct nl_sock *nl, __u16 type, __u16 flags, int ifindex,
		   const struct ip_prefix *p)
{
	struct ifaddrmsg ifa = {
		.ifa_family = addr_af(&p->addr),
		.ifa_prefixlen = p->len,
		.ifa_index = ifindex,
	};
	size_t alen = p->addr.family == FAM_IPV6 ? 16 : 4;
	__u32 aflags = IFA_F_NODAD; /* usable at once: no duplicate address detection wait */
	struct nl_req r;

	nl_req_init(&r, type, flags, &ifa, sizeof(ifa));
	nl_attr(&r, IFA_LOCAL, p->addr.bytes, alen);
	nl_attr(&r, IFA_ADDRESS, p->addr.bytes, alen);
	if (type == RTM_NEWADDR)
		nl_attr(&r, IFA_FLAGS, &aflags, sizeof(aflags));
	return nl_talk(nl, &r);
}

/*
 * The type of the route the kernel would use to reach a (RTN_LOCAL: the address is ours),
 * as `ip route get` asks; or -errno (-ENETUNREACH: no route at all).
 */
static int route_type_reply(const struct nlmsghdr *nh)
{
	return nh->nlmsg_type == RTM_NEWROUTE ? ((const struct rtmsg *)NLMSG_DATA(nh))->rtm_type :
						1;
}

int nl_route_type(struct nl_sock *nl, const struct ip_addr *a)
{
	struct rtmsg rtm = { .rtm_family = addr_af(a),
			     .rtm_dst_len = a->family == FAM_IPV6 ? 128 : 32 };
	struct nl_req r;
	int ret;

	nl_req_init(&r, RTM_GETROUTE, 0, &rtm, sizeof(rtm));
	nl_attr(&r, RTA_DST, a->bytes, a->family == FAM_IPV6 ? 16 : 4);
	ret = nl_ask(nl, &r, route_type_reply);
	return ret ? ret : -EPROTO; /* an error of 0 without a route: not an answer */
}

/*
 * An IPv6 address is not usable when RTM_NEWADDR returns, even without duplicate address
 * detection: the kernel installs its local route from a work item, and on a busy machine
 * that runs later (measured here under load: 203 of 500 fresh addresses on lo were not yet
 * local). A packet to it meanwhile is dropped as IP_INNOROUTES and its sender told "no
 * route". Wait for the route, as a host's init waits for its addresses, up to 2 s.
 */
static int nl_addr_wait_usable(struct nl_sock *nl, const struct ip_addr *a)
{
	int i, type = -ENETUNREACH;

	for (i = 0; i < 2000; i++) {
		type = nl_route_type(nl, a);
		if (type == RTN_LOCAL)
			return 0;
		usleep(1000);
	}
	return type < 0 ? type : -ETIMEDOUT;
}

int nl_addr_add(struct nl_sock *nl, int ifindex, const struct ip_prefix *p)
{
	int err = nl_addr(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, p);
	char buf[ADDR_STRLEN];

	if (err || p->addr.family != FAM_IPV6 || !nl_addr_wait_usable(nl, &p->addr))
		return err;
	/* a link without carrier keeps it tentative: say so, the address is there all the same */
	pr_warn("IPv6 address %s on ifindex %d is not usable after 2 s (link down or no carrier?)\n",
		addr_str(&p->addr, buf, sizeof(buf)), ifindex);
	return 0;
}

int nl_addr_del(struct nl_sock *nl, int ifindex, const struct ip_prefix *p)
{
	return nl_addr(nl, RTM_DELADDR, 0, ifindex, p);
}

int nl_route_add(struct nl_sock *nl, const struct ip_prefix *dst, const struct ip_addr *gw, int oif)
{
	struct rtmsg rtm = {
		.rtm_family = addr_af(&dst->addr),
		.rtm_dst_len = dst->len,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_STATIC,
		.rtm_scope = gw && gw->family != FAM_NONE ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
		.rtm_type = RTN_UNICAST,
	};
	size_t alen = dst->addr.family == FAM_IPV6 ? 16 : 4;
	struct nl_req r;

	nl_req_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
	if (dst->len)
		nl_attr(&r, RTA_DST, dst->addr.bytes, alen);
	if (gw && gw->family != FAM_NONE)
		nl_attr(&r, RTA_GATEWAY, gw->bytes, alen);
	if (oif)
		nl_attr(&r, RTA_OIF, &oif, sizeof(oif));
	return nl_talk(nl, &r);
}

int nl_route_add_multipath(struct nl_sock *nl, const struct ip_prefix *dst,
			   const struct ip_addr *gws, int n, bool replace)
{
	struct rtmsg rtm = {
		.rtm_family = addr_af(&dst->addr),
		.rtm_dst_len = dst->len,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_STATIC,
		.rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = RTN_UNICAST,
	};
	size_t alen = dst->addr.family == FAM_IPV6 ? 16 : 4;
	struct rtattr *mp, *gw;
	struct rtnexthop *nh;
	struct nl_req r;
	int i;

	if (n < 1 || n > 32)
		return -EINVAL;
	nl_req_init(&r, RTM_NEWROUTE, NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL), &rtm,
		    sizeof(rtm));
	if (dst->len)
		nl_attr(&r, RTA_DST, dst->addr.bytes, alen);
	mp = nl_attr(&r, RTA_MULTIPATH, NULL, 0);
	for (i = 0; i < n; i++) {
		/* an rtnexthop, then its attributes; rtnh_len covers both */
		nh = (struct rtnexthop *)(r.buf + NLMSG_ALIGN(r.nh->nlmsg_len));
		memset(nh, 0, sizeof(*nh));
		r.nh->nlmsg_len = NLMSG_ALIGN(r.nh->nlmsg_len) + RTNH_ALIGN(sizeof(*nh));
		gw = nl_attr(&r, RTA_GATEWAY, gws[i].bytes, alen);
		nh->rtnh_len = (char *)gw + RTA_ALIGN(gw->rta_len) - (char *)nh;
	}
	nl_nest_end(&r, mp);
	return nl_talk(nl, &r);
}

int link_index(const char *ifname)
{
	unsigned int idx = if_nametoindex(ifname);

	return idx ? (int)idx : -errno;
}

static int link_ioctl(unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, req, ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

int link_mac(const char *ifname, __u8 mac[6])
{
	struct ifreq ifr = {};
	int err;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	err = link_ioctl(SIOCGIFHWADDR, &ifr);
	if (!err)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return err;
}

int link_offload_set(const char *ifname, __u32 ethtool_cmd, bool on)
{
	struct ethtool_value ev = { .cmd = ethtool_cmd, .data = on };
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	return link_ioctl(SIOCETHTOOL, &ifr);
}

int sysctl_write(const char *path, const char *value)
{
	char file[256];
	ssize_t n;
	int fd, err = 0;

	snprintf(file, sizeof(file), "/proc/sys/%s", path);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}
