// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic generator: the program of a BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES. Each run
 * of it is one frame transmitted (XDP_TX: out of the interface given as ingress_ifindex).
 *
 * The kernel recycles the pages of live frames without rewriting their data, and a frame may
 * come back edited in place (an encapsulating balancer behind a veth overwrites its first
 * bytes), so every frame gets the whole template written again, then its flow: the source
 * port and the last 16 bits of the source address vary over n_flows, both checksums updated
 * incrementally (RFC 1624) so they stay right without summing the payload.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "common/gen.h"

/* Written by user space between open and load (bench/gen.c). */
const volatile __u32 frame_len = 64;
const volatile __u32 n_flows = 1;
const volatile __u32 sport_count = 1; /* source ports per source address */
const volatile __u16 sport_base = 1024; /* host order, as in the template */
const volatile __u16 saddr_lo; /* the template's last 16 source address bits, host order */
const volatile __u16 sport_off; /* offsets in the frame */
const volatile __u16 saddr_off; /* of the last 16 bits of the inner source address */
const volatile __u16 ipcsum_off; /* the inner IPv4 header checksum; 0: IPv6 */
const volatile __u16 l4csum_off;
const volatile __u8 l4_is_udp; /* a UDP checksum that comes out 0 is sent as 0xffff */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_template);
} template SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_cpu);
} gen_cpus SEC(".maps");

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), on 16-bit words as they lie in the frame. */
static __always_inline __u16 csum_replace(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check + (__u16)~old + new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __always_inline int put16(void *data, void *end, __u16 off, __u16 v)
{
	__u16 *p = data + off;

	if ((void *)(p + 1) > end)
		return -1;
	*p = v;
	return 0;
}

static __always_inline int get16(void *data, void *end, __u16 off, __u16 *v)
{
	__u16 *p = data + off;

	if ((void *)(p + 1) > end)
		return -1;
	*v = *p;
	return 0;
}

SEC("xdp")
int gen(struct xdp_md *ctx)
{
	__u16 sport, saddr, old_sport, old_saddr, check;
	struct gen_template *t;
	struct gen_cpu *c;
	void *data, *end;
	__u32 key = 0, f;
	__u64 seq;

	t = bpf_map_lookup_elem(&template, &key);
	c = bpf_map_lookup_elem(&gen_cpus, &key);
	if (!t || !c || frame_len > GEN_FRAME_MAX || !n_flows || !sport_count)
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, 0, t->data, frame_len))
		return XDP_ABORTED;
	seq = c->seq++;
	f = seq % n_flows;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	sport = bpf_htons(sport_base + f % sport_count);
	saddr = bpf_htons(saddr_lo + f / sport_count);
	if (get16(data, end, sport_off, &old_sport) || get16(data, end, saddr_off, &old_saddr) ||
	    put16(data, end, sport_off, sport) || put16(data, end, saddr_off, saddr))
		return XDP_ABORTED;
	if (ipcsum_off) {
		if (get16(data, end, ipcsum_off, &check) ||
		    put16(data, end, ipcsum_off, csum_replace(check, old_saddr, saddr)))
			return XDP_ABORTED;
	}
	if (get16(data, end, l4csum_off, &check))
		return XDP_ABORTED;
	check = csum_replace(check, old_saddr, saddr); /* the pseudo-header's source */
	check = csum_replace(check, old_sport, sport);
	if (l4_is_udp && !check)
		check = 0xffff;
	if (put16(data, end, l4csum_off, check))
		return XDP_ABORTED;
	c->sent++;
	c->bytes += frame_len;
	c->cpu_seen = 1;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
