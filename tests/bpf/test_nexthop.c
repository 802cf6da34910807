// SPDX-License-Identifier: GPL-2.0
/*
 * The balancer's FIB next hop (LB_CFG_F_FIB) under BPF_PROG_RUN, in a network namespace of
 * this test's own: a veth with an address, a route with a permanent neighbour, a route whose
 * next hop has no neighbour entry, and no route at all. The frame's MACs must come from the
 * FIB, and each miss must take its documented verdict and counter.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/maps.h"
#include "common/netlink.h"
#include "common/parse.h"
#include "common/pkt_build.h"
#include "balancer.skel.h"

#define RING	  LB_RING_SIZE_DEFAULT
#define GW_MAC	  "\x02\x00\x00\x00\x00\x99"
#define CLIENT	  "10.0.0.2"
#define VIP	  "10.100.0.1"
#define LB_SRC	  "10.0.1.2"
#define REAL_OK	  "10.1.0.2" /* routed via 10.0.1.1, whose neighbour entry is permanent */
#define REAL_NEW  "10.2.0.2" /* routed via 10.0.1.3: no neighbour entry yet */
#define REAL_NONE "10.3.0.2" /* no route */

struct nh_fx {
	struct balancer_bpf *skel;
	int ifindex;
	__u8 mac[6];
};

static __be32 ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc)
		fprintf(stderr, "test_nexthop: '%s' failed (%d)\n", cmd, rc);
	return rc;
}

/* This process's own namespace: its FIB is what the program looks up. */
static int setup(void **state)
{
	static struct nh_fx fx;

	if (unshare(CLONE_NEWNET))
		return -1;
	if (sh("ip link add nh0 type veth peer name nh1") || sh("ip link set nh0 up") ||
	    sh("ip link set nh1 up") || sh("ip link set lo up") ||
	    sh("ip addr add 10.0.1.2/24 dev nh0") ||
	    sh("ip neigh add 10.0.1.1 lladdr 02:00:00:00:00:99 dev nh0 nud permanent") ||
	    sh("ip route add 10.1.0.0/16 via 10.0.1.1") ||
	    sh("ip route add 10.2.0.0/16 via 10.0.1.3") ||
	    sysctl_write("net/ipv4/conf/all/forwarding", "1"))
		return -1;
	fx.ifindex = if_nametoindex("nh0");
	if (!fx.ifindex || link_mac("nh0", fx.mac))
		return -1;
	fx.skel = balancer_bpf__open_and_load();
	if (!fx.skel)
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct nh_fx *fx = *state;

	balancer_bpf__destroy(fx->skel);
	return 0;
}

static __u64 stat_sum(struct nh_fx *fx, __u32 idx)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct lb_stats v[ncpu];
	__u32 zero = 0;
	__u64 n = 0;

	/* One struct lb_stats per CPU at key 0. */
	if (idx >= LB_STAT_MAX || bpf_map_lookup_elem(bpf_map__fd(fx->skel->maps.stats), &zero, v))
		return 0;
	for (i = 0; i < ncpu; i++)
		n += v[i].c[idx].packets;
	return n;
}

/* One VIP whose whole ring points at one real. */
static void vip_to(struct nh_fx *fx, const char *real)
{
	struct vip_key key = {
		.addr = { ip4(VIP) }, .port = htons(80), .proto = IPPROTO_TCP, .family = FAM_IPV4
	};
	struct vip_meta meta = { .vip_id = 0, .encap = ENCAP_IPIP };
	struct real_def def = { .addr = { ip4(real) }, .family = FAM_IPV4 };
	struct lb_config cfg = { .ring_size = RING, .flags = LB_CFG_F_FIB };
	__u32 zero = 0, one = 1, i, *ring = malloc(sizeof(*ring) * RING);
	int fd;

	cfg.src_v4 = ip4(LB_SRC);
	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(fx->skel->maps.lb_config), &zero, &cfg, BPF_ANY),
		0);
	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(fx->skel->maps.vips), &key, &meta, BPF_ANY), 0);
	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(fx->skel->maps.reals), &one, &def, BPF_ANY), 0);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ring", 4, 4, RING, NULL);
	assert_true(fd >= 0);
	for (i = 0; i < RING; i++)
		ring[i] = one;
	for (i = 0; i < RING; i++)
		bpf_map_update_elem(fd, &i, &ring[i], BPF_ANY);
	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(fx->skel->maps.rings), &zero, &fd, BPF_ANY), 0);
	close(fd);
	free(ring);
	bpf_map_delete_elem(bpf_map__fd(fx->skel->maps.conns), &(struct flow_key){ 0 });
}

/* A SYN from the client to the VIP through the balancer, arriving on nh0. */
static int run_syn(struct nh_fx *fx, __u16 sport, __u8 *out, __u32 *out_len)
{
	struct xdp_md ctx_in = { .data_end = 0, .ingress_ifindex = fx->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	__u8 mac_lb[6] = { 2, 0, 0, 0, 1, 1 }, mac_rt[6] = { 2, 0, 0, 0, 1, 2 };
	struct pkt p;
	int err;

	pkt_init(&p);
	pkt_eth(&p, mac_lb, mac_rt);
	pkt_ipv4(&p, ip4(CLIENT), ip4(VIP));
	pkt_tcp(&p, sport, 80, 0x02);
	ctx_in.data_end = pkt_finish(&p);
	opts.data_in = p.data;
	opts.data_size_in = p.len;
	opts.data_out = out;
	opts.data_size_out = *out_len;
	opts.ctx_in = &ctx_in;
	opts.ctx_size_in = sizeof(ctx_in);
	opts.repeat = 1;
	err = bpf_prog_test_run_opts(bpf_program__fd(fx->skel->progs.balancer), &opts);
	assert_int_equal(err, 0);
	*out_len = opts.data_size_out;
	return opts.retval;
}

static void test_nexthop_fib_sets_macs_from_neighbour(void **state)
{
	struct nh_fx *fx = *state;
	__u64 before = stat_sum(fx, LB_STAT_TX_ENCAP);
	__u8 out[256];
	__u32 len = sizeof(out);

	vip_to(fx, REAL_OK);
	assert_int_equal(run_syn(fx, 40000, out, &len), XDP_TX);
	assert_memory_equal(out, GW_MAC, 6); /* destination: the gateway's neighbour entry */
	assert_memory_equal(out + 6, fx->mac, 6); /* source: the egress port's own MAC */
	assert_int_equal(out[23], IPPROTO_IPIP);
	assert_int_equal(stat_sum(fx, LB_STAT_TX_ENCAP), before + 1);
}

static void test_nexthop_fib_without_neighbour_goes_to_kernel(void **state)
{
	struct nh_fx *fx = *state;
	__u64 before = stat_sum(fx, LB_STAT_PASS_NO_NEIGH);
	__u8 out[256];
	__u32 len = sizeof(out);

	vip_to(fx, REAL_NEW);
	assert_int_equal(run_syn(fx, 40001, out, &len), XDP_PASS);
	assert_int_equal(out[23], IPPROTO_IPIP); /* encapsulated: the kernel forwards it */
	assert_int_equal(stat_sum(fx, LB_STAT_PASS_NO_NEIGH), before + 1);
}

static void test_nexthop_fib_without_route_drops(void **state)
{
	struct nh_fx *fx = *state;
	__u64 before = stat_sum(fx, LB_STAT_DROP_NO_ROUTE);
	__u8 out[256];
	__u32 len = sizeof(out);

	vip_to(fx, REAL_NONE);
	assert_int_equal(run_syn(fx, 40002, out, &len), XDP_DROP);
	assert_int_equal(stat_sum(fx, LB_STAT_DROP_NO_ROUTE), before + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nexthop_fib_sets_macs_from_neighbour),
		cmocka_unit_test(test_nexthop_fib_without_neighbour_goes_to_kernel),
		cmocka_unit_test(test_nexthop_fib_without_route_drops),
	};

	if (geteuid() != 0)
		return 77;
	return cmocka_run_group_tests(tests, setup, teardown);
}
