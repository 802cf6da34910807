// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark-only wrapper for `dsrlab bench --micro`.
 *
 * BPF_PROG_RUN with repeat > 1 runs the program again on the frame the previous iteration left
 * behind: an encapsulating program would be measured on its own output after the first pass.
 * micro_wrap puts the original packet back before every iteration, then tail-calls slot 0 of
 * micro_target: the balancer, or micro_stub (XDP_TX) for the baseline. Both are measured
 * through this same wrapper, so the restore cost is the same on both sides of the difference.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "common/maps.h"
#include "bench/micro.h"

#define MICRO_ETH_LEN 14

struct micro_pkt pkt;
/* Iterations that could not run as intended (must stay 0): user space reads them. */
__u64 restore_failed;
__u64 tail_call_failed;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} micro_target SEC(".maps");

/* The balancer's connection table (user space reuses its fd before load). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LB_CONN_TABLE_SIZE);
	__type(key, struct flow_key);
	__type(value, struct conn_val);
} conns SEC(".maps");

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
	if (pkt.del_conn)
		bpf_map_delete_elem(&conns, pkt.conn_key);

	bpf_tail_call(ctx, &micro_target, 0);
	__sync_fetch_and_add(&tail_call_failed, 1);
	return XDP_ABORTED;
fail:
	__sync_fetch_and_add(&restore_failed, 1);
	return XDP_ABORTED;
}

/* The baseline: nothing but the verdict the balancer gives an encapsulated packet. */
SEC("xdp")
int micro_stub(struct xdp_md *ctx)
{
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
