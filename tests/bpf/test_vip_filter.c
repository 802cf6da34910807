// SPDX-License-Identifier: GPL-2.0
/*
 * The VIP-address filter (LB_CFG_F_VIP_FILTER, common/maps.h) as the library keeps it: a VIP's
 * address sets its slot, removing the VIP clears it, a packet to an address whose slot is zero
 * passes as not for a VIP before any VIP lookup, and one whose slot is set goes on to the VIP
 * lookup (which decides: a slot shared with a VIP is no VIP). Set up through lb.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/maps.h"
#include "common/parse.h"
#include "common/percpu.h"
#include "lb/lb.h"
#include "tests/bpf/fixture.h"

#define LB_SRC "10.0.1.2"
#define CLIENT "10.0.0.2"
#define VIP    "10.100.0.1" /* :80/tcp, ipip, one backend */
#define REAL   "10.1.0.2"
#define OTHER  "10.0.9.9" /* no VIP */

#define ACK(dst)                                                                                  \
	ETH("02:00:00:00:01:02", "02:00:00:00:01:01"), IP4(CLIENT, dst), TCP(40000, 80, TCP_ACK), \
		DATA(12)

static __u32 slot_of(const char *addr)
{
	__be32 a[4] = {};

	inet_pton(AF_INET, addr, a);
	return lb_vip_filter_slot(a);
}

static __u32 slot_value(struct lb *lb, __u32 slot)
{
	__u32 v = 0xdead;

	assert_int_equal(bpf_map_lookup_elem(lb_vip_filter_fd(lb), &slot, &v), 0);
	return v;
}

/* One packet to dst: its verdict, and exactly rx and `stat` counted. */
static void run(struct lb *lb, const struct fix_layer *in, __u32 verdict, int stat)
{
	struct lb_counter before[LB_STAT_MAX], after[LB_STAT_MAX];
	struct fix_pkt pkt, out;
	__u32 retval;
	int i;

	assert_int_equal(fix_pkt_build(&pkt, in, NULL), 0);
	assert_int_equal(lb_stats_read(lb, before), 0);
	assert_int_equal(fix_prog_run(lb_prog_fd(lb), &pkt, &out, &retval), 0);
	assert_int_equal(lb_stats_read(lb, after), 0);
	assert_int_equal(retval, verdict);
	for (i = 0; i < LB_STAT_MAX; i++)
		if (i != LB_STAT_CONN_NEW && i != LB_STAT_CONN_HIT)
			assert_int_equal(after[i].packets - before[i].packets,
					 i == LB_STAT_RX || i == stat);
}

static void test_vip_filter(void **state)
{
	const struct fix_layer to_vip[] = { ACK(VIP), {} }, to_other[] = { ACK(OTHER), {} };
	struct lb_config cfg = { .nexthop_mac = { 2, 0, 0, 0, 1, 0xfe } }, got;
	struct lb_backend b = { .weight = 1 };
	struct endpoint vip = { .port = 80, .proto = IPPROTO_TCP };
	__u32 zero = 0, slot = slot_of(VIP), i, set = 0;
	struct lb *lb;

	(void)state;
	assert_int_not_equal(slot, slot_of(OTHER)); /* else the test shows nothing */
	inet_pton(AF_INET, LB_SRC, &cfg.src_v4);
	assert_int_equal(addr_parse(VIP, &vip.addr), 0);
	assert_int_equal(addr_parse(REAL, &b.addr), 0);
	assert_int_equal(lb_load(&lb, 0), 0);
	assert_int_equal(lb_config_set(lb, &cfg), 0);
	assert_int_equal(lb_vip_add(lb, &vip, ENCAP_IPIP, 0), 0);
	assert_int_equal(lb_vip_set_backends(lb, &vip, &b, 1), 0);
	assert_int_equal(lb_config_get(lb, &got), 0);
	assert_true(got.flags & LB_CFG_F_VIP_FILTER);

	/* Exactly the VIP's slot is set. */
	for (i = 0; i < LB_VIP_FILTER_SLOTS; i++)
		set += slot_value(lb, i) != 0;
	assert_int_equal(set, 1);
	assert_int_equal(slot_value(lb, slot), 1);

	run(lb, to_vip, XDP_TX, LB_STAT_TX_ENCAP);
	run(lb, to_other, XDP_PASS, LB_STAT_PASS_NOT_VIP);

	/* Negative control: with the VIP's slot cleared by hand, its packets pass unlooked-up. */
	assert_int_equal(bpf_map_update_elem(lb_vip_filter_fd(lb), &slot, &zero, BPF_ANY), 0);
	run(lb, to_vip, XDP_PASS, LB_STAT_PASS_NOT_VIP);
	/* The library puts it back with the next config write. */
	assert_int_equal(lb_config_set(lb, &cfg), 0);
	run(lb, to_vip, XDP_TX, LB_STAT_TX_ENCAP);

	/* The other address's slot set by hand: it reaches the VIP lookup, which says no. */
	i = slot_of(OTHER);
	assert_int_equal(bpf_map_update_elem(lb_vip_filter_fd(lb), &i, &(__u32){ 1 }, BPF_ANY), 0);
	run(lb, to_other, XDP_PASS, LB_STAT_PASS_NOT_VIP);

	/* The VIP removed: the library clears its slot (and the stray one it did not set). */
	assert_int_equal(lb_vip_del(lb, &vip), 0);
	assert_int_equal(slot_value(lb, slot), 0);
	assert_int_equal(slot_value(lb, i), 0);
	run(lb, to_vip, XDP_PASS, LB_STAT_PASS_NOT_VIP);
	lb_close(lb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vip_filter),
	};

	if (fix_must_skip())
		return FIX_SKIP;
	return cmocka_run_group_tests_name("bpf.vip_filter", tests, NULL, NULL);
}
