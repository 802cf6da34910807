// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark-only wrapper for `dsrlab bench --micro`.
 *
 * BPF_PROG_RUN with repeat > 1 runs the program again on the frame the previous iteration left
 * behind: an encapsulating program would be measured on its own output after the first pass.
 * micro_wrap puts the original packet back before every iteration, then tail-calls slot 0 of
 * micro_target: the balancer, or micro_stub (XDP_TX) for the baseline. Both are measured
 * through this same wrapper, so the restore cost is the same on both sides of the difference.
 *
 * For a class of many flows the wrapper writes the next flow's source port after the restore,
 * for the stub as for the balancer. Then both wrappers read the packet's header back, as a
 * driver or the stack has before XDP or TC runs (bpf/micro_touch.h).
 *
 * For the SYN class a third program, micro_conn_insert, is the floor: the balancer's insert
 * alone (into the LRU hash, or the sets with bpf/conn_sets.h as the balancer does), so the
 * report can tell what the table costs from what the balancer adds.
 *
 * The TC side is the same for the decap: BPF_PROG_RUN reuses one skb across the iterations, so
 * micro_tc_wrap gives it back the original (encapsulated) packet's length, skb->protocol and
 * bytes, then tail-calls slot 0 of micro_tc_target: the decap, micro_tc_strip (the floor: only
 * removes the outer header) or micro_tc_ok (TC_ACT_OK).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "common/maps.h"
#include "bench/micro.h"
#include "bpf/conn_sets.h"
#include "bpf/micro_touch.h"

#define MICRO_ETH_LEN 14

struct micro_pkt pkt;
/* micro_touch()'s sum of the restored header, kept so that its reads stay. */
volatile __u64 touched;
/* Iterations that could not run as intended (must stay 0): user space reads them. */
__u64 restore_failed;
__u64 tail_call_failed;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} micro_target SEC(".maps");

/*
 * The balancer's connection table, the LRU hash or, with conn_sets, the sets (user space
 * reuses both fds before load and sets conn_sets as the balancer's lb_config has it).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LB_CONN_TABLE_SIZE);
	__type(key, struct flow_key);
	__type(value, struct conn_val);
} conns SEC(".maps");

CONN_SLOTS_MAP(conn_slots);

__u32 conn_sets;
__u32 next_flow; /* pkt.flows: the flow the next iteration sends */

/* The flow the SYN class opens, as the balancer parses it. */
static __always_inline const struct flow_key *conn_key(void)
{
	return (const struct flow_key *)pkt.conn_key;
}

SEC("xdp")
int micro_wrap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 len = pkt.len;
	long delta;

	if (len < MICRO_ETH_LEN || len > MICRO_PKT_MAX)
		goto fail;
	/*
	 * The programs under test only move the head (encapsulation): the original packet ends
	 * where the frame ends. Always call the helper, even for 0, so every class and the stub
	 * pay the same restore.
	 */
	delta = (end - data) - (long)len;
	if (delta < 0 || delta > MICRO_PKT_MAX)
		goto fail;
	if (bpf_xdp_adjust_head(ctx, delta))
		goto fail;
	if (bpf_xdp_store_bytes(ctx, 0, pkt.data, len))
		goto fail;
	if (pkt.flows) {
		__be16 sport = bpf_htons(pkt.sport_base + next_flow);

		if (++next_flow >= pkt.flows)
			next_flow = 0;
		if (bpf_xdp_store_bytes(ctx, pkt.sport_off, &sport, sizeof(sport)))
			goto fail;
	}
	touched = micro_touch((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	if (pkt.del_conn) {
		if (conn_sets)
			conn_sets_del(&conn_slots, conn_sets, conn_key(), lb_conn_hash(conn_key()));
		else
			bpf_map_delete_elem(&conns, pkt.conn_key);
	}

	bpf_tail_call(ctx, &micro_target, 0);
	__sync_fetch_and_add(&tail_call_failed, 1);
	return XDP_ABORTED;
fail:
	__sync_fetch_and_add(&restore_failed, 1);
	return XDP_ABORTED;
}

/*
 * The floor of a new flow (the SYN class): the one insert the balancer makes for it, into the
 * same table, and nothing else. Behind micro_wrap, whose delete runs first, as for the
 * balancer.
 */
struct conn_val insert_val;
__u64 insert_failed;

SEC("xdp")
int micro_conn_insert(struct xdp_md *ctx)
{
	int err;

	if (conn_sets)
		err = conn_sets_put(&conn_slots, conn_sets, conn_key(), lb_conn_hash(conn_key()),
				    &insert_val) < 0;
	else
		err = bpf_map_update_elem(&conns, pkt.conn_key, &insert_val, BPF_ANY);
	if (err)
		__sync_fetch_and_add(&insert_failed, 1);
	return XDP_TX;
}

/* The baseline: nothing but the verdict the balancer gives an encapsulated packet. */
SEC("xdp")
int micro_stub(struct xdp_md *ctx)
{
	return XDP_TX;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} micro_tc_target SEC(".maps");

struct micro_strip strip;
/* Iterations micro_tc_wrap restored and passed on; micro_tc_strip's encapsulated packets. */
__u64 tc_restored;
__u64 strip_seen;

SEC("tc")
int micro_tc_wrap(struct __sk_buff *skb)
{
	__u32 len = pkt.len;
	long delta;

	if (len < MICRO_ETH_LEN || len > MICRO_PKT_MAX)
		goto fail;
	/*
	 * A 4in6 decap left an IPv4 skb: make it IPv6 again first (this moves the length by
	 * 20 bytes, the rest is the room below). Same-family programs never change it.
	 */
	if (skb->protocol != pkt.skb_proto && bpf_skb_change_proto(skb, pkt.skb_proto, 0))
		goto fail;
	/* The programs under test only remove headers; always call, so all pay the same. */
	delta = (long)len - (long)skb->len;
	if (delta < 0 || delta > MICRO_PKT_MAX)
		goto fail;
	if (bpf_skb_adjust_room(skb, delta, BPF_ADJ_ROOM_MAC, 0))
		goto fail;
	if (bpf_skb_store_bytes(skb, 0, pkt.data, len, 0))
		goto fail;
	tc_restored++;
	touched = micro_touch((void *)(long)skb->data, (void *)(long)skb->data_end);

	bpf_tail_call(skb, &micro_tc_target, 0);
	__sync_fetch_and_add(&tail_call_failed, 1);
	return TC_ACT_SHOT;
fail:
	__sync_fetch_and_add(&restore_failed, 1);
	return TC_ACT_SHOT;
}

/* The floor of any decap: remove the outer header, and nothing else (no parse, no check). */
SEC("tc")
int micro_tc_strip(struct __sk_buff *skb)
{
	__be16 proto = strip.ethertype;

	if (skb->len == strip.encap_len)
		strip_seen++;
	if (bpf_skb_adjust_room(skb, -(long)strip.len, BPF_ADJ_ROOM_MAC, strip.flags))
		return TC_ACT_SHOT;
	if (proto &&
	    bpf_skb_store_bytes(skb, MICRO_ETH_LEN - sizeof(proto), &proto, sizeof(proto), 0))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

/* The TC baseline: the verdict the decap gives a packet it delivers. */
SEC("tc")
int micro_tc_ok(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
