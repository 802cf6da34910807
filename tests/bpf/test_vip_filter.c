// SPDX-License-Identifier: GPL-2.0
/*
 * The balancer's two shortcuts as the library keeps them (set up through lb.h):
 * - the VIP-address filter (LB_CFG_F_VIP_FILTER, common/maps.h): a VIP's address sets its slot,
 *   removing the VIP clears it, a packet to an address whose slot is zero passes as not for a
 *   VIP before any VIP lookup, decided on its IP header before the transport header is read,
 *   and one whose slot is set goes on to the VIP lookup, which decides;
 * - the connection table first for TCP that is no SYN and for UDP (LB_CFG_F_CONN_FIRST): an
 *   entry naming its VIP as it is now forwards without the VIP lookup, one naming a VIP since
 *   re-added (another generation) does not; a SYN does not look the table up at all;
 * - the flow cache in front of the table (LB_CFG_F_FLOW_CACHE): an established packet is
 *   served from this CPU's copy, a new epoch voids every copy, and a SYN or a flush that
 *   changes the table leaves no copy of the old entry behind;
 * - the set-associative table, the default (lb_load_opts.conn_kind, struct conn_slot): entries
 *   written and found there (the LRU hash and the flow cache untouched), kept across a pool
 *   change, flushed; a slot whose check does not cover its key and value is no entry; a full
 *   set evicts the entry not hit since its last insert, else the slot the new flow's hash
 *   picks, counting conn_evicted; a new flow goes to the emptier of its two sets, and a table
 *   filled to half evicts at most one insert in a hundred.
 * The tests of the first three load the LRU hash (lb_with_vip()).
 */
#include <arpa/inet.h>
#include <errno.h>
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
#include "common/parse.h"
#include "common/percpu.h"
#include "lb/lb.h"
#include "tests/bpf/fixture.h"

#define LB_SRC "10.0.1.2"
#define CLIENT "10.0.0.2"
#define VIP    "10.100.0.1" /* :80/tcp, ipip, one backend */
#define REAL   "10.1.0.2"
#define OTHER  "10.0.9.9" /* no VIP */
#define REAL2  "10.1.0.3"

#define MAC_LB	    "02:00:00:00:01:02"
#define MAC_NEXTHOP "02:00:00:00:01:fe"
#define SYN(dst) \
	ETH(MAC_LB, "02:00:00:00:01:01"), IP4(CLIENT, dst), TCP(40000, 80, TCP_SYN), DATA(12)
#define ACK_IPIP                                                                   \
	ETH(MAC_NEXTHOP, MAC_LB), IP4_OUTER(LB_SRC, REAL, 0x10), IP4(CLIENT, VIP), \
		TCP(40000, 80, TCP_ACK), DATA(12)
#define ACK(dst)                                                                                  \
	ETH("02:00:00:00:01:02", "02:00:00:00:01:01"), IP4(CLIENT, dst), TCP(40000, 80, TCP_ACK), \
		DATA(12)

/* An IPv4 packet whose TCP header is cut to 8 bytes inside its IP length. */
#define SHORT_TCP(dst) \
	ETH(MAC_LB, "02:00:00:00:01:01"), IP4_ALL(CLIENT, dst, 0x10, 63, 0x1c46, IP4_DF, 6), DATA(8)

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

/*
 * One packet: its verdict, exactly rx, `stat` and for XDP_TX tx_encap counted (the connection
 * counters unless one is `stat` aside), and the output frame out_layers (NULL: not checked);
 * the frame in *got.
 */
static void run_got(struct lb *lb, const struct fix_layer *in, __u32 verdict,
		    const struct fix_layer *out_layers, int stat, struct fix_pkt *got)
{
	struct lb_counter before[LB_STAT_MAX], after[LB_STAT_MAX];
	struct fix_pkt pkt, want, *out = got;
	__u32 retval;
	int i;

	assert_int_equal(fix_pkt_build(&pkt, in, NULL), 0);
	assert_int_equal(lb_stats_read(lb, before), 0);
	assert_int_equal(fix_prog_run(lb_prog_fd(lb), &pkt, out, &retval), 0);
	assert_int_equal(lb_stats_read(lb, after), 0);
	assert_int_equal(retval, verdict);
	for (i = 0; i < LB_STAT_MAX; i++)
		if (i == stat || (i != LB_STAT_CONN_NEW && i != LB_STAT_CONN_HIT))
			assert_int_equal(after[i].packets - before[i].packets,
					 i == LB_STAT_RX || i == stat ||
						 (i == LB_STAT_TX_ENCAP && verdict == XDP_TX));
	if (out_layers) {
		assert_int_equal(fix_pkt_build(&want, out_layers, NULL), 0);
		assert_true(fix_bytes_equal("output", out->b, out->len, want.b, want.len));
	}
}

static void run_out(struct lb *lb, const struct fix_layer *in, __u32 verdict,
		    const struct fix_layer *out_layers, int stat)
{
	struct fix_pkt out;

	run_got(lb, in, verdict, out_layers, stat, &out);
}

static void run(struct lb *lb, const struct fix_layer *in, __u32 verdict, int stat)
{
	run_out(lb, in, verdict, NULL, stat);
}

/* The balancer's map called name, found through the program's map ids. */
static int map_fd(struct lb *lb, const char *name)
{
	__u32 ids[32], n = 32, i, len;
	struct bpf_prog_info pinfo = { .nr_map_ids = n, .map_ids = (__u64)(unsigned long)ids };
	struct bpf_map_info minfo;
	int fd;

	len = sizeof(pinfo);
	if (bpf_obj_get_info_by_fd(lb_prog_fd(lb), &pinfo, &len))
		return -1;
	for (i = 0; i < pinfo.nr_map_ids && i < n; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		memset(&minfo, 0, sizeof(minfo));
		len = sizeof(minfo);
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &minfo, &len) &&
		    !strcmp(minfo.name, name))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return -1;
}

static struct lb *lb_with_vip_opts(struct endpoint *vip, __u8 encap,
				   const struct lb_load_opts *opts)
{
	struct lb_config cfg = { .nexthop_mac = { 2, 0, 0, 0, 1, 0xfe },
				 .gue_port = GUE_PORT_DEFAULT };
	struct lb_backend b = { .weight = 1 };
	struct lb *lb;

	*vip = (struct endpoint){ .port = 80, .proto = IPPROTO_TCP };
	inet_pton(AF_INET, LB_SRC, &cfg.src_v4);
	assert_int_equal(addr_parse(VIP, &vip->addr), 0);
	assert_int_equal(addr_parse(REAL, &b.addr), 0);
	assert_int_equal(lb_load_with(&lb, opts), 0);
	assert_int_equal(lb_config_set(lb, &cfg), 0);
	assert_int_equal(lb_vip_add(lb, vip, encap, 0), 0);
	assert_int_equal(lb_vip_set_backends(lb, vip, &b, 1), 0);
	return lb;
}

/* With the LRU hash (and the flow cache in front of it), which the first tests are about. */
static struct lb *lb_with_vip(struct endpoint *vip, __u8 encap)
{
	return lb_with_vip_opts(vip, encap, &(struct lb_load_opts){ .conn_kind = CONN_KIND_LRU });
}

static void pin_here(void)
{
	cpu_set_t one;

	/* The caches are per CPU: every packet of a test that reads them runs on one CPU. */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
}

static void test_conn_first(void **state)
{
	const struct fix_layer syn[] = { SYN(VIP), {} }, ack[] = { ACK(VIP), {} };
	const struct fix_layer ack_ipip[] = { ACK_IPIP, {} };
	struct lb_config cfg;
	struct vip_key key;
	struct conn_val cv;
	struct flow_key fk;
	struct endpoint vip, vip81;
	struct lb *lb;
	int vips;

	(void)state;
	pin_here();
	lb = lb_with_vip(&vip, ENCAP_IPIP);
	assert_int_equal(lb_config_get(lb, &cfg), 0);
	assert_true(cfg.flags & LB_CFG_F_CONN_FIRST);
	run_out(lb, syn, XDP_TX, NULL, LB_STAT_CONN_NEW);
	assert_int_equal(fix_flow_key(syn, &fk), 0);
	assert_int_equal(bpf_map_lookup_elem(lb_conns_fd(lb), &fk, &cv), 0);
	assert_int_not_equal(cv.vip_gen, 0);
	run_out(lb, ack, XDP_TX, ack_ipip, LB_STAT_CONN_HIT);

	/*
	 * The entry pointed at a real id that holds no backend, by hand: the ACK follows it and
	 * is dropped; a SYN asks the ring without the lookup, goes, and rewrites the entry.
	 */
	cv.real_id = LB_MAX_REALS - 1;
	assert_int_equal(bpf_map_update_elem(lb_conns_fd(lb), &fk, &cv, BPF_ANY), 0);
	assert_int_equal(lb_maps_changed(lb), 0); /* else this CPU's flow cache still has it */
	run_out(lb, ack, XDP_DROP, NULL, LB_STAT_DROP_NO_REAL);
	run_out(lb, syn, XDP_TX, NULL, LB_STAT_CONN_NEW);
	run_out(lb, ack, XDP_TX, ack_ipip, LB_STAT_CONN_HIT);

	/*
	 * The VIP's key removed from the VIP hash by hand (its id and generation still valid;
	 * a VIP on port 81 keeps the address in the filter): the established flow still goes,
	 * never having looked the VIP up; a new flow still finds this CPU's copy of the VIP
	 * (pinned: per CPU) until lb_maps_changed() voids it, and then does not.
	 */
	vip81 = vip;
	vip81.port = 81;
	assert_int_equal(lb_vip_add(lb, &vip81, ENCAP_IPIP, 0), 0);
	run_out(lb, syn, XDP_TX, NULL, LB_STAT_CONN_NEW);
	vips = map_fd(lb, "vips");
	assert_true(vips >= 0);
	vip_key_from_endpoint(&vip, &key);
	assert_int_equal(bpf_map_delete_elem(vips, &key), 0);
	run_out(lb, syn, XDP_TX, NULL, LB_STAT_CONN_NEW);
	run_out(lb, ack, XDP_TX, ack_ipip, LB_STAT_CONN_HIT);
	assert_int_equal(lb_maps_changed(lb), 0);
	run_out(lb, syn, XDP_PASS, NULL, LB_STAT_PASS_NOT_VIP);
	run_out(lb, ack, XDP_TX, ack_ipip, LB_STAT_CONN_HIT);
	close(vips);

	/* UDP the same way: its first datagram schedules, the next ones need no VIP lookup. */
	{
		const struct fix_layer udp[] = { ETH(MAC_LB, "02:00:00:00:01:01"),
						 IP4(CLIENT, VIP),
						 UDP(40001, 53),
						 DATA(20),
						 {} };
		struct endpoint uvip = vip;
		struct lb_backend b = { .weight = 1 };

		uvip.port = 53;
		uvip.proto = IPPROTO_UDP;
		assert_int_equal(addr_parse(REAL, &b.addr), 0);
		assert_int_equal(lb_vip_add(lb, &uvip, ENCAP_IPIP, 0), 0);
		assert_int_equal(lb_vip_set_backends(lb, &uvip, &b, 1), 0);
		run_out(lb, udp, XDP_TX, NULL, LB_STAT_CONN_NEW);
		run_out(lb, udp, XDP_TX, NULL, LB_STAT_CONN_HIT);
		vips = map_fd(lb, "vips");
		assert_true(vips >= 0);
		vip_key_from_endpoint(&uvip, &key);
		assert_int_equal(bpf_map_delete_elem(vips, &key), 0);
		close(vips);
		run_out(lb, udp, XDP_TX, NULL, LB_STAT_CONN_HIT);
	}

	/* Re-added as GUE (a new generation): the old entry names nothing, the VIP decides. */
	assert_int_equal(lb_vip_add(lb, &vip, ENCAP_GUE, 0), 0);
	run_out(lb, ack, XDP_TX, NULL, LB_STAT_CONN_HIT);
	{
		struct fix_pkt pkt, out;
		__u32 retval;

		assert_int_equal(fix_pkt_build(&pkt, ack, NULL), 0);
		assert_int_equal(fix_prog_run(lb_prog_fd(lb), &pkt, &out, &retval), 0);
		/* Ethernet, outer IPv4, then UDP to the GUE port. */
		assert_int_equal(out.b[14 + 9], IPPROTO_UDP);
	}
	lb_close(lb);
}

static void test_vip_filter(void **state)
{
	const struct fix_layer to_vip[] = { ACK(VIP), {} }, to_other[] = { ACK(OTHER), {} };
	const struct fix_layer short_tcp_vip[] = { SHORT_TCP(VIP), {} };
	const struct fix_layer short_tcp_other[] = { SHORT_TCP(OTHER), {} };
	__u32 zero = 0, slot = slot_of(VIP), i, set = 0;
	struct lb_config cfg, got;
	struct endpoint vip;
	struct lb *lb;

	(void)state;
	assert_int_not_equal(slot, slot_of(OTHER)); /* else the test shows nothing */
	lb = lb_with_vip(&vip, ENCAP_IPIP);
	assert_int_equal(lb_config_get(lb, &cfg), 0);
	assert_int_equal(lb_config_get(lb, &got), 0);
	assert_true(got.flags & LB_CFG_F_VIP_FILTER);

	/* Exactly the VIP's slot is set. */
	for (i = 0; i < LB_VIP_FILTER_SLOTS; i++)
		set += slot_value(lb, i) != 0;
	assert_int_equal(set, 1);
	assert_int_equal(slot_value(lb, slot), 1);

	run(lb, to_vip, XDP_TX, LB_STAT_TX_ENCAP);
	run(lb, to_other, XDP_PASS, LB_STAT_PASS_NOT_VIP);
	/*
	 * The filter decides on the IP header, before the transport header is read: 8 bytes
	 * of TCP are not for a VIP when sent elsewhere, and a parse error when sent to the
	 * VIP's address, which goes on to the transport header.
	 */
	run(lb, short_tcp_other, XDP_PASS, LB_STAT_PASS_NOT_VIP);
	run(lb, short_tcp_vip, XDP_PASS, LB_STAT_PASS_PARSE);

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

/* This CPU's flow_cache slot of the flow (the test runs pinned, so it is the one used). */
static struct flow_cache_entry cache_slot(struct lb *lb, const struct flow_key *fk)
{
	int ncpu = libbpf_num_possible_cpus(), cpu = sched_getcpu(), fd = map_fd(lb, "flow_cache");
	__u32 slot = lb_flow_cache_slot(fk);
	struct flow_cache_entry *all, e;

	assert_true(fd >= 0 && ncpu > 0 && cpu >= 0 && cpu < ncpu);
	all = calloc(ncpu, sizeof(*all));
	assert_non_null(all);
	assert_int_equal(bpf_map_lookup_elem(fd, &slot, all), 0);
	e = all[cpu];
	free(all);
	close(fd);
	return e;
}

/* One packet that must be encapsulated, counting stat: its outer IPv4 destination. */
static __be32 run_to(struct lb *lb, const struct fix_layer *in, int stat)
{
	struct fix_pkt out;
	__be32 dst;

	run_got(lb, in, XDP_TX, NULL, stat, &out);
	memcpy(&dst, out.b + 14 + 16, sizeof(dst));
	return dst;
}

/*
 * The flow (its entry on REAL, the VIP's only backend) meets a second backend, REAL2, and
 * stays; REAL removed with flush: its entry is gone, the ACK moves to REAL2 and stays there.
 */
static void second_backend_then_flush(struct lb *lb, const struct endpoint *vip,
				      const struct fix_layer *ack, const struct flow_key *fk)
{
	struct lb_backend b[2] = { { .weight = 1 }, { .weight = 1 } };
	__be32 real, real2;
	struct conn_val cv;

	assert_int_equal(addr_parse(REAL, &b[0].addr), 0);
	assert_int_equal(addr_parse(REAL2, &b[1].addr), 0);
	assert_int_equal(lb_vip_set_backends(lb, vip, b, 2), 0);
	inet_pton(AF_INET, REAL, &real);
	inet_pton(AF_INET, REAL2, &real2);
	assert_true(run_to(lb, ack, LB_STAT_CONN_HIT) == real);
	assert_int_equal(lb_real_del(lb, vip, &b[0].addr, true), 0);
	assert_int_equal(lb_conn_get(lb, fk, &cv), -ENOENT);
	assert_true(run_to(lb, ack, LB_STAT_CONN_NEW) == real2);
	assert_true(run_to(lb, ack, LB_STAT_CONN_HIT) == real2);
}

static void test_flow_cache(void **state)
{
	const struct fix_layer syn[] = { SYN(VIP), {} }, ack[] = { ACK(VIP), {} };
	const struct fix_layer ack_ipip[] = { ACK_IPIP, {} };
	struct flow_cache_entry e;
	struct lb_config cfg;
	struct conn_val cv;
	struct flow_key fk;
	struct endpoint vip;
	struct lb *lb;

	(void)state;
	pin_here();

	lb = lb_with_vip(&vip, ENCAP_IPIP);
	assert_int_equal(lb_config_get(lb, &cfg), 0);
	assert_true(cfg.flags & LB_CFG_F_FLOW_CACHE);
	assert_int_equal(fix_flow_key(syn, &fk), 0);

	/* The SYN's insert leaves this CPU's copy, under the current epoch. */
	run_out(lb, syn, XDP_TX, NULL, LB_STAT_CONN_NEW);
	assert_int_equal(bpf_map_lookup_elem(lb_conns_fd(lb), &fk, &cv), 0);
	e = cache_slot(lb, &fk);
	assert_memory_equal(&e.key, &fk, sizeof(fk));
	assert_memory_equal(&e.val, &cv, sizeof(cv));
	assert_int_equal(e.epoch, cfg.cache_epoch);

	/* The entry deleted from the table by hand, the epoch kept: the copy serves the ACK. */
	assert_int_equal(bpf_map_delete_elem(lb_conns_fd(lb), &fk), 0);
	run_out(lb, ack, XDP_TX, ack_ipip, LB_STAT_CONN_HIT);
	/* A new epoch voids it: the ACK misses copy and table, and is scheduled anew. */
	assert_int_equal(lb_maps_changed(lb), 0);
	run_out(lb, ack, XDP_TX, ack_ipip, LB_STAT_CONN_NEW);
	assert_int_equal(bpf_map_lookup_elem(lb_conns_fd(lb), &fk, &cv), 0);
	/* A table hit under a new epoch refills the copy. */
	assert_int_equal(lb_maps_changed(lb), 0);
	run_out(lb, ack, XDP_TX, ack_ipip, LB_STAT_CONN_HIT);
	assert_int_equal(lb_config_get(lb, &cfg), 0);
	e = cache_slot(lb, &fk);
	assert_memory_equal(&e.key, &fk, sizeof(fk));
	assert_memory_equal(&e.val, &cv, sizeof(cv));
	assert_int_equal(e.epoch, cfg.cache_epoch);

	/*
	 * Its backend removed with flush: the next ACK goes to the other one, not to the copy's
	 * (the flush deleted the entry and moved the epoch).
	 */
	second_backend_then_flush(lb, &vip, ack, &fk);
	lb_close(lb);
}

#define SYN_P(sport) \
	ETH(MAC_LB, "02:00:00:00:01:01"), IP4(CLIENT, VIP), TCP(sport, 80, TCP_SYN), DATA(12)
#define ACK_P(sport) \
	ETH(MAC_LB, "02:00:00:00:01:01"), IP4(CLIENT, VIP), TCP(sport, 80, TCP_ACK), DATA(12)

/* Slot idx of the set-associative table, as stored. */
static struct conn_slot slot_at(struct lb *lb, __u32 idx)
{
	struct conn_slot s;

	assert_int_equal(bpf_map_lookup_elem(lb_conn_slots_fd(lb), &idx, &s), 0);
	return s;
}

/* The slot of the set at base holding fk's entry (checked as the balancer checks it), or -1. */
static int slot_in_set(struct lb *lb, __u32 base, const struct flow_key *fk)
{
	__u32 h = lb_conn_hash(fk), w;
	struct conn_slot s;

	for (w = 0; w < LB_CONN_WAYS; w++) {
		s = slot_at(lb, base + w);
		if (!memcmp(&s.key, fk, sizeof(*fk)) && s.check &&
		    s.check == lb_conn_check(h, &s.val)) {
			assert_int_equal(s.tag, lb_conn_tag(h));
			return base + w;
		}
	}
	return -1;
}

/* The slot holding fk's entry, in its first set or its second, or -1. */
static int slot_of_flow(struct lb *lb, const struct flow_key *fk)
{
	__u32 h = lb_conn_hash(fk), sets = lb_conn_sets(lb);
	int idx = slot_in_set(lb, lb_conn_set_base(h, sets), fk);

	return idx >= 0 ? idx : slot_in_set(lb, lb_conn_set_alt(h, sets), fk);
}

static void assert_lru_empty(struct lb *lb)
{
	struct flow_key k;

	assert_int_not_equal(bpf_map_get_next_key(lb_conns_fd(lb), NULL, &k), 0);
}

static void test_conn_sets(void **state)
{
	const struct fix_layer syn[] = { SYN(VIP), {} }, ack[] = { ACK(VIP), {} };
	const struct fix_layer ack_ipip[] = { ACK_IPIP, {} };
	struct lb_load_opts opts = { 0 }; /* the default table: the sets */
	struct lb_status st;
	struct lb_config cfg;
	struct conn_slot s;
	struct conn_val cv;
	struct flow_key fk;
	struct endpoint vip;
	__be32 real2;
	struct lb *lb;
	int idx;

	(void)state;
	pin_here();
	lb = lb_with_vip_opts(&vip, ENCAP_IPIP, &opts);
	assert_int_equal(lb_conn_sets(lb), LB_CONN_TABLE_SIZE / LB_CONN_WAYS);
	assert_int_equal(lb_config_get(lb, &cfg), 0);
	assert_int_equal(cfg.conn_sets, LB_CONN_TABLE_SIZE / LB_CONN_WAYS);
	assert_int_equal(lb_status_get(lb, &st), 0);
	assert_string_equal(lb_conn_table_name(&st), "sets");
	assert_int_equal(fix_flow_key(syn, &fk), 0);

	/* The SYN's entry is a checked slot of the flow's set, marked hit; the LRU is empty. */
	run_out(lb, syn, XDP_TX, NULL, LB_STAT_CONN_NEW);
	idx = slot_of_flow(lb, &fk);
	assert_true(idx >= 0);
	s = slot_at(lb, idx);
	assert_int_equal(s.ref, 1);
	assert_int_not_equal(s.val.vip_gen, 0);
	assert_int_equal(lb_conn_get(lb, &fk, &cv), 0);
	assert_memory_equal(&cv, &s.val, sizeof(cv));
	assert_lru_empty(lb);
	/* The ACK finds it (exact output); no flow cache copy is made in front of the sets. */
	run_out(lb, ack, XDP_TX, ack_ipip, LB_STAT_CONN_HIT);
	assert_int_equal(cache_slot(lb, &fk).key.family, 0);

	second_backend_then_flush(lb, &vip, ack, &fk);
	inet_pton(AF_INET, REAL2, &real2);

	/* Torn: the value changed under an unchanged check is no entry; the flow is scheduled. */
	idx = slot_of_flow(lb, &fk);
	assert_true(idx >= 0);
	s = slot_at(lb, idx);
	s.val.real_id = LB_MAX_REALS - 1; /* no backend there: followed, it would drop */
	assert_int_equal(bpf_map_update_elem(lb_conn_slots_fd(lb), &(__u32){ idx }, &s, BPF_ANY),
			 0);
	assert_true(run_to(lb, ack, LB_STAT_CONN_NEW) == real2);
	/* The same value with its own check is an entry, and is followed (dropped). */
	s.check = lb_conn_check(lb_conn_hash(&fk), &s.val);
	assert_int_equal(bpf_map_update_elem(lb_conn_slots_fd(lb), &(__u32){ idx }, &s, BPF_ANY),
			 0);
	run_out(lb, ack, XDP_DROP, NULL, LB_STAT_DROP_NO_REAL);
	/* lb_conn_put() writes a checked entry the balancer follows; lb_conn_del() removes it. */
	assert_int_equal(lb_conn_get(lb, &fk, &cv), 0);
	assert_int_equal(cv.real_id, LB_MAX_REALS - 1);
	assert_int_equal(lb_conn_del(lb, &fk), 0);
	assert_int_equal(lb_conn_get(lb, &fk, &cv), -ENOENT);
	assert_true(run_to(lb, ack, LB_STAT_CONN_NEW) == real2);
	assert_int_equal(lb_conn_get(lb, &fk, &cv), 0);
	cv.real_id = LB_MAX_REALS - 1;
	assert_int_equal(lb_conn_put(lb, &fk, &cv), 0);
	run_out(lb, ack, XDP_DROP, NULL, LB_STAT_DROP_NO_REAL);
	assert_lru_empty(lb);
	lb_close(lb);
}

/* Five flows into one set of four (a table of four entries: one set). */
static void test_conn_sets_evict(void **state)
{
	const struct fix_layer syn[6][6] = {
		{ SYN_P(41000), {} }, { SYN_P(41001), {} }, { SYN_P(41002), {} },
		{ SYN_P(41003), {} }, { SYN_P(41004), {} }, { SYN_P(41005), {} },
	};
	const struct fix_layer ack[6][6] = {
		{ ACK_P(41000), {} }, { ACK_P(41001), {} }, { ACK_P(41002), {} },
		{ ACK_P(41003), {} }, { ACK_P(41004), {} }, { ACK_P(41005), {} },
	};
	struct lb_load_opts opts = { .conn_kind = CONN_KIND_SETS, .conn_table = LB_CONN_WAYS };
	struct flow_key fk[6];
	struct endpoint vip;
	struct conn_val cv;
	struct lb *lb;
	int i, live;

	(void)state;
	pin_here();
	lb = lb_with_vip_opts(&vip, ENCAP_IPIP, &opts);
	assert_int_equal(lb_conn_sets(lb), 1);
	for (i = 0; i < 6; i++)
		assert_int_equal(fix_flow_key(syn[i], &fk[i]), 0);

	/* Four flows fill the four slots, in order: nothing is evicted. */
	for (i = 0; i < 4; i++) {
		run(lb, syn[i], XDP_TX, LB_STAT_CONN_NEW);
		assert_int_equal(slot_of_flow(lb, &fk[i]), i);
	}
	/* 0 and 1 are hit since 3's insert; 2 is not: the fifth flow takes 2's slot. */
	run(lb, ack[0], XDP_TX, LB_STAT_CONN_HIT);
	run(lb, ack[1], XDP_TX, LB_STAT_CONN_HIT);
	run(lb, syn[4], XDP_TX, LB_STAT_CONN_EVICT);
	assert_int_equal(slot_of_flow(lb, &fk[4]), 2);
	assert_int_equal(lb_conn_get(lb, &fk[2], &cv), -ENOENT);
	/* That insert cleared the others' hits: the sixth flow takes the first slot, 0's. */
	run(lb, syn[5], XDP_TX, LB_STAT_CONN_EVICT);
	assert_int_equal(slot_of_flow(lb, &fk[5]), 0);
	assert_int_equal(lb_conn_get(lb, &fk[0], &cv), -ENOENT);
	/* Every slot hit: the next new flow takes the slot its hash picks. */
	run(lb, ack[1], XDP_TX, LB_STAT_CONN_HIT);
	run(lb, ack[3], XDP_TX, LB_STAT_CONN_HIT);
	run(lb, ack[4], XDP_TX, LB_STAT_CONN_HIT);
	run(lb, syn[0], XDP_TX, LB_STAT_CONN_EVICT);
	assert_int_equal(slot_of_flow(lb, &fk[0]), lb_conn_hash(&fk[0]) & (LB_CONN_WAYS - 1));
	/* A SYN of a flow that has an entry rewrites its own slot: no eviction. */
	run(lb, syn[0], XDP_TX, LB_STAT_CONN_NEW);
	for (i = 0, live = 0; i < 6; i++)
		live += lb_conn_get(lb, &fk[i], &cv) == 0;
	assert_int_equal(live, LB_CONN_WAYS);
	assert_lru_empty(lb);
	lb_close(lb);
}

/*
 * A table of two sets, and flows whose first set is 0 and second is 1: each new flow goes to
 * the emptier of its two, so eight such flows all keep their entries (one set each would
 * have held four).
 */
static void test_conn_sets_two_choice(void **state)
{
	struct lb_load_opts opts = { .conn_kind = CONN_KIND_SETS, .conn_table = 2 * LB_CONN_WAYS };
	struct fix_layer syn[9][6], ack[9][6];
	struct flow_key fk[9], k;
	struct endpoint vip;
	struct conn_val cv;
	__u16 sport;
	struct lb *lb;
	int i, n, live;
	__u32 h;

	(void)state;
	pin_here();
	lb = lb_with_vip_opts(&vip, ENCAP_IPIP, &opts);
	assert_int_equal(lb_conn_sets(lb), 2);
	for (sport = 41000, n = 0; n < 9; sport++) {
		const struct fix_layer s[] = { SYN_P(sport), {} }, a[] = { ACK_P(sport), {} };

		assert_true(sport < 42000);
		assert_int_equal(fix_flow_key(s, &k), 0);
		h = lb_conn_hash(&k);
		if (lb_conn_set_base(h, 2) != 0 || lb_conn_set_alt(h, 2) != LB_CONN_WAYS)
			continue;
		memcpy(syn[n], s, sizeof(s));
		memcpy(ack[n], a, sizeof(a));
		fk[n++] = k;
	}

	/* Ties go to the first set: the flows alternate, and none is evicted (run() checks). */
	for (i = 0; i < 8; i++) {
		run(lb, syn[i], XDP_TX, LB_STAT_CONN_NEW);
		assert_int_equal(slot_of_flow(lb, &fk[i]) / LB_CONN_WAYS, i % 2);
	}
	/* Those in their second set are found there, by the balancer and by user space. */
	for (i = 1; i < 8; i += 2) {
		run(lb, ack[i], XDP_TX, LB_STAT_CONN_HIT);
		assert_int_equal(lb_conn_get(lb, &fk[i], &cv), 0);
	}
	/*
	 * Both sets full. The inserts cleared the first set's marks and the ACKs marked the
	 * second's: the ninth flow takes the first slot of its first set, flow 0's.
	 */
	run(lb, syn[8], XDP_TX, LB_STAT_CONN_EVICT);
	assert_int_equal(slot_of_flow(lb, &fk[8]), 0);
	assert_int_equal(lb_conn_get(lb, &fk[0], &cv), -ENOENT);
	/* lb_conn_del() finds a flow in its second set; lb_conn_put() refills the emptier set. */
	assert_int_equal(lb_conn_get(lb, &fk[3], &cv), 0);
	assert_int_equal(lb_conn_del(lb, &fk[3]), 0);
	assert_int_equal(slot_of_flow(lb, &fk[3]), -1);
	assert_int_equal(lb_conn_put(lb, &fk[0], &cv), 0);
	assert_int_equal(slot_of_flow(lb, &fk[0]) / LB_CONN_WAYS, 1);
	for (i = 0, live = 0; i < 9; i++)
		live += lb_conn_get(lb, &fk[i], &cv) == 0;
	assert_int_equal(live, 2 * LB_CONN_WAYS);
	assert_lru_empty(lb);
	lb_close(lb);
}

/*
 * New flows from distinct source ports, SYN by SYN, until the table (1 024 sets) is half
 * full: with two sets per flow the fuller half of them takes the overflow, so no more than
 * one insert in a hundred evicts (with one set per flow, about one in twenty would by then).
 */
static void test_conn_sets_fill(void **state)
{
	struct lb_load_opts opts = { .conn_kind = CONN_KIND_SETS, .conn_table = 4096 };
	struct lb_counter st[LB_STAT_MAX];
	struct fix_pkt pkt, out;
	struct endpoint vip;
	__u32 retval, i, n = 2048;
	struct lb *lb;

	(void)state;
	pin_here();
	lb = lb_with_vip_opts(&vip, ENCAP_IPIP, &opts);
	assert_int_equal(lb_conn_sets(lb), 1024);
	for (i = 0; i < n; i++) {
		const struct fix_layer syn[] = { SYN_P((__u16)(20000 + i)), {} };

		assert_int_equal(fix_pkt_build(&pkt, syn, NULL), 0);
		assert_int_equal(fix_prog_run(lb_prog_fd(lb), &pkt, &out, &retval), 0);
		assert_int_equal(retval, XDP_TX);
	}
	assert_int_equal(lb_stats_read(lb, st), 0);
	assert_int_equal(st[LB_STAT_CONN_NEW].packets, n);
	assert_true(st[LB_STAT_CONN_EVICT].packets * 100 <= n);
	lb_close(lb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vip_filter),	cmocka_unit_test(test_conn_first),
		cmocka_unit_test(test_flow_cache),	cmocka_unit_test(test_conn_sets),
		cmocka_unit_test(test_conn_sets_evict), cmocka_unit_test(test_conn_sets_two_choice),
		cmocka_unit_test(test_conn_sets_fill),
	};

	if (fix_must_skip())
		return FIX_SKIP;
	return cmocka_run_group_tests_name("bpf.vip_filter", tests, NULL, NULL);
}
