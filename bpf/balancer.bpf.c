// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP balancer: parse, match a VIP, pick a backend (connection table, then the VIP's
 * Maglev ring), encapsulate towards it as the VIP says (bpf/encap.h) and transmit back out of
 * the same port.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "common/parse.h"
#include "common/maps.h"
#include "common/csum.h"
#include "bpf/encap.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lb_config);
} lb_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, struct vip_key);
	__type(value, struct vip_meta);
} vips SEC(".maps");

/* One Maglev ring per VIP; user space builds a new ring and swaps it in whole. */
struct ring {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_RING_SIZE_DEFAULT);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, __u32);
	__array(values, struct ring);
} rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAX_REALS);
	__type(key, __u32);
	__type(value, struct real_def);
} reals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LB_CONN_TABLE_SIZE);
	__type(key, struct flow_key);
	__type(value, struct conn_val);
} conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_STAT_MAX);
	__type(key, __u32);
	__type(value, struct lb_counter);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct lb_counter);
} vip_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_MAX_REALS);
	__type(key, __u32);
	__type(value, struct lb_counter);
} real_stats SEC(".maps");

static __always_inline void count(void *map, __u32 idx, __u64 bytes)
{
	struct lb_counter *c = bpf_map_lookup_elem(map, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline int verdict(__u32 reason, __u64 bytes, int action)
{
	count(&stats, reason, bytes);
	return action;
}

static __always_inline struct vip_meta *vip_lookup(const struct pkt_meta *m)
{
	struct vip_key key = {};
	struct vip_meta *vip;

	parse_addr_copy(key.addr, m->flow.dstv6, 4);
	key.port = m->flow.port16[1];
	key.proto = m->flow.proto;
	key.family = m->flow.family;
	vip = bpf_map_lookup_elem(&vips, &key);
	if (vip)
		return vip;
	key.port = 0; /* an all-ports VIP for this protocol */
	return bpf_map_lookup_elem(&vips, &key);
}

/* Maglev: the flow's hash (returned in *hash) picks a slot of the VIP's ring. */
static __always_inline __u32 ring_pick(const struct lb_config *cfg, const struct vip_meta *vip,
				       const struct flow_key *flow, __u32 *hash)
{
	struct flow_key k = *flow;
	__u32 slot, *real_id;
	void *ring;

	if (vip->flags & VIP_F_HASH_NO_PORTS)
		k.ports = 0;
	ring = bpf_map_lookup_elem(&rings, &vip->vip_id);
	if (!ring || !cfg->ring_size)
		return LB_REAL_NONE;
	*hash = flow_hash(&k, cfg->hash_seed);
	slot = *hash % cfg->ring_size;
	real_id = bpf_map_lookup_elem(ring, &slot);
	return real_id ? *real_id : LB_REAL_NONE;
}

/*
 * Connection table first, so established flows keep their backend when the pool changes;
 * a miss (a new flow, or one this balancer has not seen) schedules by Maglev and remembers.
 * Later fragments carry no ports and skip the table. The flow hash comes back in *hash: the
 * entry keeps it, so an established flow's outer header gets its entropy without rehashing.
 */
static __always_inline __u32 real_pick(const struct lb_config *cfg, const struct vip_meta *vip,
				       const struct pkt_meta *m, __u32 *hash)
{
	struct conn_val *cv, nv = {};
	__u32 real_id;

	if (!(m->flags & PKT_F_FRAG) && !(vip->flags & VIP_F_HASH_NO_PORTS)) {
		cv = bpf_map_lookup_elem(&conns, &m->flow);
		if (cv) {
			count(&stats, LB_STAT_CONN_HIT, 0);
			*hash = cv->hash;
			return cv->real_id;
		}
	}
	real_id = ring_pick(cfg, vip, &m->flow, hash);
	if (real_id == LB_REAL_NONE)
		return real_id;
	count(&stats, LB_STAT_CONN_NEW, 0);
	if (!(m->flags & PKT_F_FRAG) && !(vip->flags & VIP_F_HASH_NO_PORTS)) {
		nv.real_id = real_id;
		nv.hash = *hash;
		bpf_map_update_elem(&conns, &m->flow, &nv, BPF_ANY);
	}
	return real_id;
}

SEC("xdp")
int balancer(struct xdp_md *ctx)
{
	struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end };
	struct encap_plan plan;
	struct lb_config *cfg;
	struct real_def *real;
	struct vip_meta *vip;
	struct pkt_meta m;
	__u32 zero = 0, real_id, hash = 0;
	__u64 bytes;
	int ret;

	count(&stats, LB_STAT_RX, 0);
	cfg = bpf_map_lookup_elem(&lb_config, &zero);
	if (!cfg)
		return XDP_PASS;

	m.eth_proto = 0;
	ret = parse_packet(&c, &m, 0, PARSE_F_CHECK_LEN);
	if (ret < 0) {
		if (m.eth_proto != ETH_P_IP && m.eth_proto != ETH_P_IPV6)
			return verdict(LB_STAT_PASS_NOT_IP, 0, XDP_PASS);
		return verdict(LB_STAT_PASS_PARSE, 0, XDP_PASS);
	}
	bytes = m.inner_l3_off + m.ip_len; /* ip_len is the innermost packet's */
	if (m.encap != ENCAP_NONE)
		return verdict(LB_STAT_PASS_NOT_VIP, bytes, XDP_PASS);

	vip = vip_lookup(&m);
	if (!vip)
		return verdict(LB_STAT_PASS_NOT_VIP, bytes, XDP_PASS);
	count(&vip_stats, vip->vip_id, bytes);

	real_id = real_pick(cfg, vip, &m, &hash);
	real = bpf_map_lookup_elem(&reals, &real_id);
	if (real_id == LB_REAL_NONE || !real || real->family == FAM_NONE)
		return verdict(LB_STAT_DROP_NO_REAL, bytes, XDP_DROP);

	if (encap_plan(&plan, vip->encap, m.flow.family, real->family, cfg->gue_port))
		return verdict(LB_STAT_DROP_UNSUPP, bytes, XDP_DROP);
	if (encap_write(ctx, cfg, &plan, real, &m, hash, vip->flags))
		return verdict(LB_STAT_DROP_ENCAP, bytes, XDP_DROP);

	count(&real_stats, real_id, bytes);
	return verdict(LB_STAT_TX_ENCAP, bytes, XDP_TX);
}

char LICENSE[] SEC("license") = "GPL";
