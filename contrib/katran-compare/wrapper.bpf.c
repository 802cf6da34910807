// SPDX-License-Identifier: GPL-2.0
/*
 * The one XDP wrapper every program under test runs behind (modelled on micro_wrap in
 * bpf/micro.bpf.c): BPF_PROG_RUN with repeat runs the program again on what the
 * previous iteration left, so before every iteration bench_wrap puts the class's packet back
 * (bpf_xdp_adjust_head to the original length, bpf_xdp_store_bytes of the original bytes),
 * and reads its header back (bpf/micro_touch.h); then, for the SYN class, it deletes the flow
 * from both balancers' connection tables and zeroes Katran's new-connection rate counter, and
 * then tail-calls slot 0 of bench_target: the XDP_TX stub, dsrlab's balancer or Katran's
 * balancer. The wrapper does the same work whichever program is in the slot, so it cancels
 * out of every "above stub" figure.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "common/maps.h"
#include "bpf/conn_sets.h"
#include "bpf/micro_touch.h"
#include "katran_defs.h"

#define ETH_LEN 14

struct bench_pkt pkt;
/* micro_touch()'s sum of the restored header, kept so that its reads stay. */
volatile __u64 touched;
/* Iterations that could not run as intended (must stay 0): the harness reads them. */
__u64 restore_failed;
__u64 tail_call_failed;
__u64 katran_lru_missing; /* lru_mapping had no map for this CPU */
__u64 katran_rate_missing; /* Katran's stats entry could not be looked up */

__u32 conn_sets; /* dsrlab's lb_conn_sets(): 0 means its table is the LRU hash */

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_target SEC(".maps");

/* dsrlab's tables (the harness reuses the balancer's fds before load), as micro_wrap has them. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LB_CONN_TABLE_SIZE);
	__type(key, struct flow_key);
	__type(value, struct conn_val);
} conns SEC(".maps");

CONN_SLOTS_MAP(conn_slots);

/* Katran's per-CPU LRUs (its lru_mapping, fd reused) and its stats (fd reused). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, KATRAN_MAX_SUPPORTED_CPUS);
	__type(key, __u32);
	__type(value, __u32);
	__array(
		values, struct {
			__uint(type, BPF_MAP_TYPE_LRU_HASH);
			__uint(max_entries, 1000);
			/* sizes, not types: nothing else here uses the structs, BTF would have FWDs */
			__uint(key_size, sizeof(struct katran_flow_key));
			__uint(value_size, sizeof(struct katran_real_pos_lru));
		});
} katran_lru_mapping SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KATRAN_STATS_MAP_SIZE);
	__type(key, __u32);
	__type(value, struct katran_lb_stats);
} katran_stats SEC(".maps");

static __always_inline const struct flow_key *dsr_key(void)
{
	return (const struct flow_key *)pkt.dsr_key;
}

SEC("xdp")
int bench_wrap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 len = pkt.len, flags = pkt.flags;
	long delta;

	if (len < ETH_LEN || len > BENCH_PKT_MAX)
		goto fail;
	/* The programs only move the head: always call, even for 0, so all pay the same. */
	delta = (end - data) - (long)len;
	if (delta < 0 || delta > BENCH_PKT_MAX)
		goto fail;
	if (bpf_xdp_adjust_head(ctx, delta))
		goto fail;
	if (bpf_xdp_store_bytes(ctx, 0, pkt.data, len))
		goto fail;
	/* The header read back, as micro_wrap does (bpf/micro_touch.h says why). */
	touched = micro_touch((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	if (flags & WF_DEL_DSRLAB) {
		if (conn_sets)
			conn_sets_del(&conn_slots, conn_sets, dsr_key(), lb_conn_hash(dsr_key()));
		else
			bpf_map_delete_elem(&conns, pkt.dsr_key);
	}
	if (flags & WF_DEL_KATRAN) {
		__u32 cpu = bpf_get_smp_processor_id();
		void *lru = bpf_map_lookup_elem(&katran_lru_mapping, &cpu);

		if (lru)
			bpf_map_delete_elem(lru, pkt.kat_key);
		else
			__sync_fetch_and_add(&katran_lru_missing, 1);
	}
	if (flags & WF_RESET_RATE) {
		/* is_under_flood() (balancer.bpf.c) counts new flows per second in v1 */
		__u32 key = KATRAN_MAX_VIPS + KATRAN_NEW_CONN_RATE_CNTR;
		struct katran_lb_stats *s = bpf_map_lookup_elem(&katran_stats, &key);

		if (s)
			s->v1 = 0;
		else
			__sync_fetch_and_add(&katran_rate_missing, 1);
	}

	bpf_tail_call(ctx, &bench_target, 0);
	__sync_fetch_and_add(&tail_call_failed, 1);
	return XDP_ABORTED;
fail:
	__sync_fetch_and_add(&restore_failed, 1);
	return XDP_ABORTED;
}

/* The baseline: nothing but the verdict a balancer gives an encapsulated packet. */
SEC("xdp")
int bench_stub(struct xdp_md *ctx)
{
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
