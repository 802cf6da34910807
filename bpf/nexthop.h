/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where an encapsulated frame goes. By default to lb_config.nexthop_mac, back out of the port
 * it came in on (XDP_TX): one fixed next hop, as on a balancer with one uplink. With
 * LB_CFG_F_FIB the balancer's own namespace decides: bpf_fib_lookup() on the outer header
 * gives the egress port and both MACs, and the frame leaves by XDP_TX when that is the port
 * it came in on, by bpf_redirect() otherwise. When the kernel has no neighbour entry for the
 * next hop yet, the frame goes to the kernel (XDP_PASS), which forwards it (forwarding must be
 * on) and resolves the neighbour, so later frames take the fast path.
 */
#ifndef DSRLAB_BPF_NEXTHOP_H
#define DSRLAB_BPF_NEXTHOP_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "common/parse.h"

#define NEXTHOP_AF_INET	 2
#define NEXTHOP_AF_INET6 10

/* Fill the lookup from the outer header that starts at l3. Returns 0, or -1 if unreadable. */
static __always_inline int nexthop_params(struct bpf_fib_lookup *p, void *l3, void *end,
					  __u8 family)
{
	struct ipv6hdr *ip6h = l3;
	struct iphdr *iph = l3;

	if (family == FAM_IPV4) {
		if ((void *)(iph + 1) > end)
			return -1;
		p->family = NEXTHOP_AF_INET;
		p->tos = iph->tos;
		p->l4_protocol = iph->protocol;
		p->tot_len = bpf_ntohs(iph->tot_len);
		p->ipv4_src = iph->saddr;
		p->ipv4_dst = iph->daddr;
		return 0;
	}
	if ((void *)(ip6h + 1) > end)
		return -1;
	p->family = NEXTHOP_AF_INET6;
	p->flowinfo = *(__be32 *)ip6h & bpf_htonl(0x0fffffff);
	p->l4_protocol = ip6h->nexthdr;
	p->tot_len = bpf_ntohs(ip6h->payload_len);
	__builtin_memcpy(p->ipv6_src, ip6h->saddr.s6_addr32, 16);
	__builtin_memcpy(p->ipv6_dst, ip6h->daddr.s6_addr32, 16);
	return 0;
}

/*
 * Route an encapsulated frame whose outer header (of family) follows Ethernet and nvlans
 * tags. Returns the XDP verdict; *reason gets the counter to move.
 */
static __always_inline int nexthop_fib(struct xdp_md *ctx, __u8 nvlans, __u8 family, __u32 *reason)
{
	struct bpf_fib_lookup p = {};
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	int rc;

	if ((void *)(eth + 1) > end ||
	    nexthop_params(&p, data + sizeof(*eth) + (nvlans & 3) * sizeof(struct vlan_hdr), end,
			   family)) {
		*reason = LB_STAT_DROP_ENCAP;
		return XDP_DROP;
	}
	p.ifindex = ctx->ingress_ifindex;
	rc = bpf_fib_lookup(ctx, &p, sizeof(p), 0);
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
		*reason = LB_STAT_PASS_NO_NEIGH;
		return XDP_PASS;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		*reason = LB_STAT_DROP_NO_ROUTE;
		return XDP_DROP;
	}
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > end) {
		*reason = LB_STAT_DROP_ENCAP;
		return XDP_DROP;
	}
	__builtin_memcpy(eth->h_dest, p.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, p.smac, ETH_ALEN);
	*reason = LB_STAT_TX_ENCAP;
	if (p.ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect(p.ifindex, 0);
}

#endif
