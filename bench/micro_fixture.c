// SPDX-License-Identifier: GPL-2.0
/* bench --micro's balancer setup and class packets (bench/micro_fixture.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/micro_fixture.h"
#include "common/parse.h"

const struct micro_vip micro_vips[MICRO_VIP_MAX] = {
	[MICRO_VIP_TCP4] = { "10.100.0.1:80/tcp", ENCAP_IPIP, FAM_IPV4 },
	[MICRO_VIP_UDP4] = { "10.100.0.1:443/udp", ENCAP_IPIP, FAM_IPV4 },
	[MICRO_VIP_TCP6] = { "[fd00:100::1]:80/tcp", ENCAP_IP6IP6, FAM_IPV6 },
	[MICRO_VIP_GUE4] = { "10.100.0.3:80/tcp", ENCAP_GUE, FAM_IPV4 },
};

__be32 micro_v4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

void micro_v6(const char *s, void *out)
{
	inet_pton(AF_INET6, s, out);
}

void micro_config(struct lb_config *cfg)
{
	static const __u8 nexthop[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0xfe };

	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->nexthop_mac, nexthop, ETH_ALEN);
	cfg->hash_seed = 0x5eed;
	cfg->mtu = 1500;
	cfg->gue_port = GUE_PORT_DEFAULT;
	cfg->src_v4 = micro_v4("10.0.1.2");
	micro_v6("fd00:0:1::2", cfg->src_v6);
}

int micro_real_addr(int v, int i, struct ip_addr *out)
{
	char buf[64];

	if (v < 0 || v >= MICRO_VIP_MAX || i < 0 || i >= MICRO_REALS_MAX)
		return -EINVAL;
	if (micro_vips[v].real_family == FAM_IPV4)
		snprintf(buf, sizeof(buf), "10.1.%d.%d", v, i + 1);
	else
		snprintf(buf, sizeof(buf), "fd00:1:%d::%d", v, i + 1);
	return addr_parse(buf, out);
}

int micro_lb_setup(struct lb *lb, int reals, __u32 first_real[MICRO_VIP_MAX])
{
	struct lb_backend b[MICRO_REALS_MAX];
	struct lb_vip_info *info;
	struct lb_config cfg;
	struct endpoint vip;
	int v, i, err;

	if (reals < 1 || reals > MICRO_REALS_MAX)
		return -EINVAL;
	micro_config(&cfg);
	err = lb_config_set(lb, &cfg);
	if (err)
		return err;
	info = malloc(sizeof(*info));
	if (!info)
		return -ENOMEM;
	for (v = 0; v < MICRO_VIP_MAX && !err; v++) {
		memset(b, 0, sizeof(b));
		for (i = 0; i < reals && !err; i++) {
			b[i].weight = 1;
			err = micro_real_addr(v, i, &b[i].addr);
		}
		if (!err)
			err = endpoint_parse(micro_vips[v].endpoint, &vip);
		if (!err)
			err = lb_vip_add(lb, &vip, micro_vips[v].encap, 0);
		if (!err)
			err = lb_vip_set_backends(lb, &vip, b, reals);
		if (!err)
			err = lb_vip_get(lb, &vip, info);
		if (!err)
			first_real[v] = info->real_id[0];
	}
	free(info);
	return err;
}

int micro_flow_of(const struct pkt *p, struct flow_key *key)
{
	struct cursor c = { (void *)p->data, (void *)(p->data + p->len) };
	struct pkt_meta m;

	memset(&m, 0, sizeof(m));
	if (parse_packet(&c, &m, 0, PARSE_F_CHECK_LEN))
		return -EINVAL;
	*key = m.flow;
	return 0;
}

static void tcp4(struct pkt *p, const char *dst, __u16 sport, __u8 flags)
{
	pkt_init(p);
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, micro_v4("10.0.0.2"), micro_v4(dst));
	pkt_tcp(p, sport, 80, flags);
	pkt_finish(p);
}

void micro_build_syn4(struct pkt *p)
{
	tcp4(p, "10.100.0.1", 40000, PKT_TCP_SYN);
}

void micro_build_est4(struct pkt *p)
{
	tcp4(p, "10.100.0.1", 40001, PKT_TCP_ACK);
}

void micro_build_many4(struct pkt *p)
{
	tcp4(p, "10.100.0.1", MICRO_MANY_SPORT, PKT_TCP_ACK);
}

void micro_build_est6(struct pkt *p)
{
	__u8 src[16], dst[16];

	micro_v6("fd00::2", src);
	micro_v6("fd00:100::1", dst);
	pkt_init(p);
	pkt_eth(p, NULL, NULL);
	pkt_ipv6(p, src, dst);
	pkt_tcp(p, 40002, 80, PKT_TCP_ACK);
	pkt_finish(p);
}

void micro_build_udp4(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, micro_v4("10.0.0.2"), micro_v4("10.100.0.1"));
	pkt_udp(p, 40003, 443);
	pkt_payload(p, 32);
	pkt_finish(p);
}

void micro_build_gue4(struct pkt *p)
{
	tcp4(p, "10.100.0.3", 40004, PKT_TCP_ACK);
}

/* A router's "fragmentation needed" about the VIP's reply to the established flow. */
void micro_build_ptb4(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, NULL, NULL);
	pkt_ipv4(p, micro_v4("10.0.0.1"), micro_v4("10.100.0.1"));
	pkt_icmp(p, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 0, 1400);
	pkt_ipv4(p, micro_v4("10.100.0.1"), micro_v4("10.0.0.2"));
	pkt_tcp(p, 80, 40001, PKT_TCP_ACK);
	pkt_finish(p);
}

void micro_build_nonvip4(struct pkt *p)
{
	tcp4(p, "10.0.9.9", 40005, PKT_TCP_ACK);
}
