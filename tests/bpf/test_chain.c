// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP chain under BPF_PROG_RUN: packets enter the chain root (bpf/root.bpf.c) with an
 * example member (bpf/chain_member.bpf.c) in slot 0 and the balancer in the last slot, all
 * set up through the library the CLI uses (lb_load_with() .chain, lb_chain_*()).
 */
#include <arpa/inet.h>
#include <errno.h>
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
#include "common/parse.h"
#include "lb/lb.h"
#include "tests/bpf/fixture.h"
#include "chain_member.skel.h"

#define MAC_ROUTER  "02:00:00:00:01:01"
#define MAC_LB	    "02:00:00:00:01:02"
#define MAC_NEXTHOP "02:00:00:00:01:fe"
#define LB_SRC	    "10.0.1.2"
#define CLIENT	    "10.0.0.2"
#define VIP	    "10.100.0.1" /* :80/tcp, ipip, one backend */
#define REAL	    "10.1.0.2"

#define FROM_ROUTER ETH(MAC_LB, MAC_ROUTER)
#define SYN(dst)    FROM_ROUTER, IP4(CLIENT, dst), TCP(40000, 80, TCP_SYN), DATA(12)
/* The balancer's IPIP output for SYN(VIP), as test_balancer.c's first row has it. */
#define SYN_ENCAP                                                                  \
	ETH(MAC_NEXTHOP, MAC_LB), IP4_OUTER(LB_SRC, REAL, 0x10), IP4(CLIENT, VIP), \
		TCP(40000, 80, TCP_SYN), DATA(12)

struct chain_fx {
	struct lb *lb;
	struct chain_member_bpf *member; /* slot 0: chain_count */
	int root_fd;
};

static int fx_balancer(struct lb *lb)
{
	struct lb_config cfg = { .nexthop_mac = { 2, 0, 0, 0, 1, 0xfe } };
	struct lb_backend b = { .weight = 1 };
	struct endpoint vip = { .port = 80, .proto = IPPROTO_TCP };
	int err;

	inet_pton(AF_INET, LB_SRC, &cfg.src_v4);
	if (addr_parse(VIP, &vip.addr) || addr_parse(REAL, &b.addr))
		return -EINVAL;
	err = lb_config_set(lb, &cfg);
	if (!err)
		err = lb_vip_add(lb, &vip, ENCAP_IPIP, 0);
	if (!err)
		err = lb_vip_set_backends(lb, &vip, &b, 1);
	return err;
}

/* The example member in slot, sharing the root's prog array. */
static struct chain_member_bpf *member_load(struct lb *lb, __u32 slot)
{
	struct chain_member_bpf *m = chain_member_bpf__open();

	if (!m)
		return NULL;
	m->rodata->chain_slot = slot;
	if (bpf_map__reuse_fd(m->maps.chain, lb_chain_fd(lb)) || chain_member_bpf__load(m)) {
		chain_member_bpf__destroy(m);
		return NULL;
	}
	return m;
}

static int setup(void **state)
{
	struct lb_load_opts opts = { .chain = true };
	struct chain_fx *fx = calloc(1, sizeof(*fx));

	if (!fx || lb_load_with(&fx->lb, &opts))
		goto err;
	if (fx_balancer(fx->lb))
		goto err_lb;
	fx->member = member_load(fx->lb, 0);
	if (!fx->member)
		goto err_lb;
	if (lb_chain_set(fx->lb, 0, bpf_program__fd(fx->member->progs.chain_count), false))
		goto err_member;
	fx->root_fd = lb_prog_fd(fx->lb);
	*state = fx;
	return 0;

err_member:
	chain_member_bpf__destroy(fx->member);
err_lb:
	lb_close(fx->lb);
err:
	fprintf(stderr, "set up the chain: %s\n", strerror(errno));
	free(fx);
	return -1;
}

static int teardown(void **state)
{
	struct chain_fx *fx = *state;

	lb_close(fx->lb);
	chain_member_bpf__destroy(fx->member);
	free(fx);
	return 0;
}

/* Run in through the root; the verdict must be want and the frame out (NULL: unchanged). */
static void run(struct chain_fx *fx, const char *desc, const struct fix_layer *in, __u32 want,
		const struct fix_layer *out)
{
	struct fix_pkt pin, pwant, got;
	__u32 retval;

	assert_int_equal(fix_pkt_build(&pin, in, NULL), 0);
	assert_int_equal(fix_pkt_build(&pwant, out ? out : in, NULL), 0);
	assert_int_equal(fix_prog_run(fx->root_fd, &pin, &got, &retval), 0);
	if (retval != want)
		fprintf(stderr, "%s: verdict %u, want %u\n", desc, retval, want);
	assert_int_equal(retval, want);
	if (want != XDP_DROP)
		assert_true(fix_bytes_equal(desc, got.b, got.len, pwant.b, pwant.len));
}

static __u64 stat_packets(struct chain_fx *fx, enum lb_stat s)
{
	struct lb_counter c[LB_STAT_MAX];

	assert_int_equal(lb_stats_read(fx->lb, c), 0);
	return c[s].packets;
}

static const struct fix_layer syn_vip[FIX_MAX_LAYERS] = { SYN(VIP) };
static const struct fix_layer syn_vip_encap[FIX_MAX_LAYERS] = { SYN_ENCAP };
static const struct fix_layer syn_other[FIX_MAX_LAYERS] = { SYN("10.100.0.99") };

static void test_chain_vip_through_member(void **state)
{
	struct chain_fx *fx = *state;
	__u64 seen = fx->member->bss->seen, tx = stat_packets(fx, LB_STAT_TX_ENCAP);

	run(fx, "VIP SYN: member, then the balancer encapsulates", syn_vip, XDP_TX, syn_vip_encap);
	assert_int_equal(fx->member->bss->seen, seen + 1);
	assert_int_equal(stat_packets(fx, LB_STAT_TX_ENCAP), tx + 1);
}

static void test_chain_not_vip_passes_both(void **state)
{
	struct chain_fx *fx = *state;
	__u64 seen = fx->member->bss->seen, pass = stat_packets(fx, LB_STAT_PASS_NOT_VIP);

	run(fx, "not a VIP: member and balancer pass it", syn_other, XDP_PASS, NULL);
	assert_int_equal(fx->member->bss->seen, seen + 1);
	assert_int_equal(stat_packets(fx, LB_STAT_PASS_NOT_VIP), pass + 1);
}

static void test_chain_replace_member(void **state)
{
	struct chain_fx *fx = *state;
	int drop = bpf_program__fd(fx->member->progs.chain_drop);
	__u64 seen = fx->member->bss->seen, rx = stat_packets(fx, LB_STAT_RX);

	assert_int_equal(lb_chain_set(fx->lb, 0, drop, true), 0);
	run(fx, "member replaced by one that drops", syn_vip, XDP_DROP, NULL);
	assert_int_equal(fx->member->bss->seen, seen + 1);
	assert_int_equal(stat_packets(fx, LB_STAT_RX), rx); /* never reached the balancer */

	/* And back: the next packet meets the counting member again. */
	assert_int_equal(
		lb_chain_set(fx->lb, 0, bpf_program__fd(fx->member->progs.chain_count), true), 0);
	run(fx, "member replaced back", syn_vip, XDP_TX, syn_vip_encap);
}

static void test_chain_empty_slots(void **state)
{
	struct chain_fx *fx = *state;
	__u32 last = CHAIN_SLOT_BALANCER;
	__u64 seen = fx->member->bss->seen, rx = stat_packets(fx, LB_STAT_RX);

	assert_int_equal(lb_chain_del(fx->lb, 0), 0);
	run(fx, "slot 0 empty: skipped, the balancer still runs", syn_vip, XDP_TX, syn_vip_encap);
	assert_int_equal(fx->member->bss->seen, seen);
	assert_int_equal(stat_packets(fx, LB_STAT_RX), rx + 1);
	/* The library keeps the balancer's slot; empty it by hand: the chain passes all. */
	assert_int_equal(bpf_map_delete_elem(lb_chain_fd(fx->lb), &last), 0);
	run(fx, "every slot empty: XDP_PASS", syn_vip, XDP_PASS, NULL);
	assert_int_equal(stat_packets(fx, LB_STAT_RX), rx + 1);
}

static void test_chain_member_from_file(void **state)
{
	struct chain_fx *fx = *state;
	struct lb_chain_slot s[CHAIN_SLOTS];
	__u64 tx = stat_packets(fx, LB_STAT_TX_ENCAP);

	/*
	 * In slot 3 with slot 0 emptied: the loader must write chain_slot = 3, or the member
	 * would tail-call itself until the kernel's limit and the chain end with XDP_PASS.
	 */
	assert_int_equal(lb_chain_del(fx->lb, 0), 0);
	assert_int_equal(lb_chain_member_load(fx->lb, 3, CHAIN_MEMBER_OBJ, "chain_count", false),
			 0);
	run(fx, "member from a file in slot 3", syn_vip, XDP_TX, syn_vip_encap);
	assert_int_equal(stat_packets(fx, LB_STAT_TX_ENCAP), tx + 1);
	assert_int_equal(lb_chain_list(fx->lb, s), 0);
	assert_int_equal(s[0].prog_id, 0);
	assert_string_equal(s[3].name, "chain_count");
	assert_string_equal(s[CHAIN_SLOT_BALANCER].name, "balancer");
}

static void test_chain_refusals(void **state)
{
	struct chain_fx *fx = *state;
	int count = bpf_program__fd(fx->member->progs.chain_count);

	assert_int_equal(lb_chain_set(fx->lb, 0, count, false), -EBUSY);
	assert_int_equal(lb_chain_set(fx->lb, 1, count, true), -ENOENT);
	assert_int_equal(lb_chain_set(fx->lb, CHAIN_SLOT_BALANCER, count, true), -EPERM);
	assert_int_equal(lb_chain_set(fx->lb, CHAIN_SLOTS, count, false), -EINVAL);
	assert_int_equal(lb_chain_del(fx->lb, CHAIN_SLOT_BALANCER), -EPERM);
	/* Two XDP programs in the object and none named. */
	assert_int_equal(lb_chain_member_load(fx->lb, 1, CHAIN_MEMBER_OBJ, NULL, false), -ENOENT);
	/* Not an XDP program: the balancer's map fd stands in for a wrong fd. */
	assert_int_not_equal(lb_chain_set(fx->lb, 1, lb_chain_fd(fx->lb), false), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain_vip_through_member, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_not_vip_passes_both, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_replace_member, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_empty_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_member_from_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_refusals, setup, teardown),
	};

	if (fix_must_skip())
		return FIX_SKIP;
	return cmocka_run_group_tests_name("bpf.chain", tests, NULL, NULL);
}
