// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink on libmnl: requests built with bounds-checked attribute puts, answers read with
 * mnl_cb_run2() (sequence and port checked), attributes parsed with mnl_attr_parse() and
 * validated before use, and extended ACK on, so an error carries the kernel's own words
 * (nl_strerror()).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
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

/* The kernel's words for this thread's last failed request, and its error; "" for none. */
static __thread char last_text[NL_ERR_TEXT_MAX];
static __thread int last_err;

int nl_open(struct nl_sock *nl)
{
	int one = 1, err;

	nl->seq = 1;
	last_err = 0; /* words from an earlier socket's requests say nothing about this one's */
	last_text[0] = '\0';
	nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sk)
		return -errno;
	/* an error names what the kernel refused, and carries no copy of the request */
	if (mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(nl->sk);
		nl->sk = NULL;
		return err;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	return 0;
}

void nl_close(struct nl_sock *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	nl->sk = NULL;
}

const char *nl_strerror(int err)
{
	static __thread char buf[NL_ERR_TEXT_MAX + 64];

	if (err >= 0 || err != last_err || !last_text[0])
		return strerror(err < 0 ? -err : err);
	snprintf(buf, sizeof(buf), "%s (the kernel: %s)", strerror(-err), last_text);
	return buf;
}

/* A request being built: attributes are put only while they fit. */
struct nl_msg {
	char buf[NL_BUF];
	struct nlmsghdr *nh;
	bool overflow; /* something did not fit: the request is not sent */
};

static void msg_init(struct nl_msg *m, __u16 type, __u16 flags, const void *body, size_t len)
{
	memset(m->buf, 0, sizeof(m->buf));
	m->overflow = false;
	m->nh = mnl_nlmsg_put_header(m->buf);
	m->nh->nlmsg_type = type;
	m->nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	memcpy(mnl_nlmsg_put_extra_header(m->nh, len), body, len);
}

static struct nlattr *msg_put(struct nl_msg *m, __u16 type, size_t len, const void *data)
{
	struct nlattr *a = mnl_nlmsg_get_payload_tail(m->nh);

	if (!mnl_attr_put_check(m->nh, sizeof(m->buf), type, len, data)) {
		m->overflow = true;
		return NULL;
	}
	return a;
}

/* A nest is an attribute whose length grows to cover what is put after it. */
static struct nlattr *msg_nest(struct nl_msg *m, __u16 type)
{
	return msg_put(m, type, 0, NULL);
}

static void msg_nest_end(struct nl_msg *m, struct nlattr *nest)
{
	if (nest)
		nest->nla_len = (char *)mnl_nlmsg_get_payload_tail(m->nh) - (char *)nest;
}

struct nl_answer {
	nl_reply_fn reply;
	void *data;
	int err;
	char text[NL_ERR_TEXT_MAX];
};

static int extack_attr(const struct nlattr *a, void *data)
{
	struct nl_answer *ans = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(ans->text, sizeof(ans->text), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* NLMSG_ERROR: the ack (error 0) ends the answer; an error keeps the kernel's words. */
static int error_msg(const struct nlmsghdr *nh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nh);
	struct nl_answer *ans = data;
	unsigned int off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nh) < sizeof(*e)) {
		ans->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	ans->err = e->error > 0 ? -e->error : e->error;
	if (!(nh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr); /* the request, echoed */
	if ((nh->nlmsg_flags & NLM_F_ACK_TLVS) && off <= mnl_nlmsg_get_payload_len(nh))
		mnl_attr_parse(nh, off, extack_attr, ans);
	return MNL_CB_ERROR;
}

/* NLMSG_DONE ends a dump (libmnl runs no default for a type the control array covers). */
static int done_msg(const struct nlmsghdr *nh, void *data)
{
	(void)nh;
	(void)data;
	return MNL_CB_STOP;
}

static int reply_msg(const struct nlmsghdr *nh, void *data)
{
	struct nl_answer *ans = data;

	return ans->reply ? ans->reply(nh, ans->data) : MNL_CB_OK;
}

int nl_request(struct nl_sock *nl, struct nlmsghdr *nh, nl_reply_fn reply, void *data)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = error_msg, [NLMSG_DONE] = done_msg };
	struct nl_answer ans = { .reply = reply, .data = data };
	char buf[NL_ANSWER_BUF];
	ssize_t n;
	int ret = MNL_CB_OK;

	nh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sk, nh, nh->nlmsg_len) < 0) {
		ans.err = -errno;
		goto out;
	}
	do {
		n = mnl_socket_recvfrom(nl->sk, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ans.err = -errno;
			break;
		}
		errno = 0;
		ret = mnl_cb_run2(buf, n, nl->seq, nl->portid, reply_msg, &ans, ctl,
				  MNL_ARRAY_SIZE(ctl));
		if (ret < 0 && !ans.err)
			ans.err = errno ? -errno : -EPROTO; /* a reply callback's own error */
	} while (ret > 0 && n >= 0);
out:
	last_err = ans.err;
	snprintf(last_text, sizeof(last_text), "%s", ans.err ? ans.text : "");
	return ans.err;
}

static int msg_send(struct nl_sock *nl, struct nl_msg *m, nl_reply_fn reply, void *data)
{
	if (m->overflow)
		return -EMSGSIZE;
	return nl_request(nl, m->nh, reply, data);
}

static int nl_talk(struct nl_sock *nl, struct nl_msg *m)
{
	return msg_send(nl, m, NULL, NULL);
}

int nl_veth_add(struct nl_sock *nl, const char *name, const char *peer_name, int peer_netns_fd)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *linkinfo, *data, *peer;
	struct nl_msg m;

	msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	msg_put(&m, IFLA_IFNAME, strlen(name) + 1, name);
	linkinfo = msg_nest(&m, IFLA_LINKINFO);
	msg_put(&m, IFLA_INFO_KIND, 4, "veth");
	data = msg_nest(&m, IFLA_INFO_DATA);
	peer = msg_put(&m, VETH_INFO_PEER, sizeof(ifi), &ifi);
	msg_put(&m, IFLA_IFNAME, strlen(peer_name) + 1, peer_name);
	if (peer_netns_fd >= 0)
		msg_put(&m, IFLA_NET_NS_FD, sizeof(peer_netns_fd), &peer_netns_fd);
	msg_nest_end(&m, peer);
	msg_nest_end(&m, data);
	msg_nest_end(&m, linkinfo);
	return nl_talk(nl, &m);
}

int nl_link_del(struct nl_sock *nl, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg m;

	msg_init(&m, RTM_DELLINK, 0, &ifi, sizeof(ifi));
	return nl_talk(nl, &m);
}

int nl_link_up(struct nl_sock *nl, int ifindex)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifindex,
		.ifi_flags = IFF_UP,
		.ifi_change = IFF_UP,
	};
	struct nl_msg m;

	msg_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	return nl_talk(nl, &m);
}

int nl_link_down(struct nl_sock *nl, int ifindex)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifindex,
		.ifi_change = IFF_UP,
	};
	struct nl_msg m;

	msg_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	return nl_talk(nl, &m);
}

int nl_link_set_mac(struct nl_sock *nl, int ifindex, const __u8 mac[6])
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg m;

	msg_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	msg_put(&m, IFLA_ADDRESS, 6, mac);
	return nl_talk(nl, &m);
}

int nl_link_move(struct nl_sock *nl, int ifindex, int netns_fd, const char *new_name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg m;

	msg_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	msg_put(&m, IFLA_NET_NS_FD, sizeof(netns_fd), &netns_fd);
	msg_put(&m, IFLA_IFNAME, strlen(new_name) + 1, new_name);
	return nl_talk(nl, &m);
}

int nl_link_set_mtu(struct nl_sock *nl, int ifindex, __u32 mtu)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg m;

	msg_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	msg_put(&m, IFLA_MTU, sizeof(mtu), &mtu);
	return nl_talk(nl, &m);
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
	struct nl_msg m;

	msg_init(&m, type, flags, &ifa, sizeof(ifa));
	msg_put(&m, IFA_LOCAL, alen, p->addr.bytes);
	msg_put(&m, IFA_ADDRESS, alen, p->addr.bytes);
	if (type == RTM_NEWADDR)
		msg_put(&m, IFA_FLAGS, sizeof(aflags), &aflags);
	return nl_talk(nl, &m);
}

/*
 * The type of the route the kernel would use to reach a (RTN_LOCAL: the address is ours),
 * as `ip route get` asks; or -errno (-ENETUNREACH: no route at all).
 */
static int route_type_reply(const struct nlmsghdr *nh, void *data)
{
	if (nh->nlmsg_type == RTM_NEWROUTE && mnl_nlmsg_get_payload_len(nh) >= sizeof(struct rtmsg))
		*(int *)data = ((const struct rtmsg *)mnl_nlmsg_get_payload(nh))->rtm_type;
	return MNL_CB_OK;
}

int nl_route_type(struct nl_sock *nl, const struct ip_addr *a)
{
	struct rtmsg rtm = { .rtm_family = addr_af(a),
			     .rtm_dst_len = a->family == FAM_IPV6 ? 128 : 32 };
	struct nl_msg m;
	int type = -EPROTO, err; /* an ack without a route: not an answer */

	msg_init(&m, RTM_GETROUTE, 0, &rtm, sizeof(rtm));
	msg_put(&m, RTA_DST, a->family == FAM_IPV6 ? 16 : 4, a->bytes);
	err = msg_send(nl, &m, route_type_reply, &type);
	return err ? err : type;
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
	struct nl_msg m;

	msg_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
	if (dst->len)
		msg_put(&m, RTA_DST, alen, dst->addr.bytes);
	if (gw && gw->family != FAM_NONE)
		msg_put(&m, RTA_GATEWAY, alen, gw->bytes);
	if (oif)
		msg_put(&m, RTA_OIF, sizeof(oif), &oif);
	return nl_talk(nl, &m);
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
	struct nlattr *mp, *gw;
	struct rtnexthop *nh;
	struct nl_msg m;
	int i;

	if (n < 1 || n > 32)
		return -EINVAL;
	msg_init(&m, RTM_NEWROUTE, NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL), &rtm,
		 sizeof(rtm));
	if (dst->len)
		msg_put(&m, RTA_DST, alen, dst->addr.bytes);
	mp = msg_nest(&m, RTA_MULTIPATH);
	for (i = 0; i < n && !m.overflow; i++) {
		/* an rtnexthop, then its attributes; rtnh_len covers both */
		nh = mnl_nlmsg_get_payload_tail(m.nh);
		if (m.nh->nlmsg_len + RTNH_ALIGN(sizeof(*nh)) > sizeof(m.buf)) {
			m.overflow = true;
			break;
		}
		memset(nh, 0, sizeof(*nh));
		m.nh->nlmsg_len += RTNH_ALIGN(sizeof(*nh));
		gw = msg_put(&m, RTA_GATEWAY, alen, gws[i].bytes);
		if (gw)
			nh->rtnh_len = (char *)mnl_nlmsg_get_payload_tail(m.nh) - (char *)nh;
	}
	msg_nest_end(&m, mp);
	return nl_talk(nl, &m);
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
