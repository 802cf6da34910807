// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP balancer: parse, match a VIP, pick a backend (connection table, then the VIP's
 * Maglev ring), encapsulate towards it as the VIP says (bpf/encap.h) and transmit back out of
 * the same port.
 *
 * Policies beyond that, each with its counter (lb_stat_names[] in common/stat_names.c):
 *
 * ICMP errors. An ICMPv4 "fragmentation needed" or ICMPv6 "packet too big" whose quoted packet
 *   is a VIP's reply (VIP:port -> client, and the error is addressed to that VIP) goes to the
 *   backend of the flow it is about, encapsulated like the VIP's traffic: the quoted tuple,
 *   reversed, is looked up in the connection table (no entry is made) or hashed on the ring.
 *   That backend's kernel then lowers its path MTU (icmp_to_backend, and tx_encap). One
 *   quoting anything else is passed to the kernel (pass_icmp_not_vip). Other ICMP (echo,
 *   other errors) is matched like any packet: VIPs are TCP/UDP, so it is passed as
 *   pass_not_vip. Echo requests to a VIP are therefore the balancer host's business: put the
 *   VIPs on its lo if they should answer ping, else its kernel drops them.
 *   Routers send these errors from any address, and anyone can forge one (the attacker picks
 *   the quoted tuple, hence the backend; no connection entry is needed), so the source is
 *   not trusted, but it must be sane. Refused, dropped and counted, in this order:
 *   - a quote shorter than its IP header and 8 bytes after it, inside the error's own IP
 *     length (not in the frame's trailer), the bytes the backend's kernel needs to match the
 *     quote to a socket (TCP's sequence number); no kernel acts on less
 *     (drop_icmp_short_quote; any too-big, VIP or not: Linux drops them too);
 *   - about a VIP flow, from a martian or non-unicast source (IPv4 0/8, 127/8, 224/4, 240/4
 *     with 255.255.255.255; IPv6 ::, ::1, ff00::/8, ::ffff:0:0/96) or from the VIP itself
 *     (drop_icmp_martian_source; bpf/icmp.h icmp_src_sane());
 *   - longer than an error can be: 576 bytes for ICMPv4 (RFC 1812 4.3.2.3), 1280 for ICMPv6
 *     (RFC 4443 2.4 (c)) (drop_icmp_oversized);
 *   - over lb_config.mtu once encapsulated (drop_icmp_over_mtu): nobody answers an error.
 * MTU. With lb_config.mtu set (the underlay's IP MTU; 0: no check), a VIP packet whose IP
 *   length plus the encapsulation overhead exceeds it is not forwarded: IPv6, and IPv4 with
 *   DF, are answered from the VIP with "packet too big" / "fragmentation needed" carrying
 *   mtu - overhead (bpf/icmp.h), out of the port they came in on (tx_too_big). IPv4 without
 *   DF is dropped (drop_too_big): nothing on this path fragments (XDP_TX bypasses the stack,
 *   the outer header carries DF), and RFC 1191 reserves the error for DF packets. No answer
 *   goes to a source an ICMP error must not go to (RFC 1812 4.3.2.7, RFC 4443 2.4 (e)): the
 *   martian and non-unicast sources above and the VIP itself; such packets are dropped
 *   (drop_too_big_martian). User space refuses an IPv6 VIP whose encapsulation leaves less
 *   than 1280 bytes under the MTU (the client could not comply with the answer).
 * Lengths. The IP header's length is the packet: a frame holding more (Ethernet padding, a
 *   trailer) has the excess cut before it is forwarded (trimmed_trailer counts the bytes),
 *   so the outer header's length equals what is sent and the MTU check measures what is
 *   sent. A frame holding less is passed unparsed (pass_parse_error).
 * VLANs. Up to two tags (802.1Q or 802.1ad) are walked and kept; a frame with more is passed
 *   to the kernel unparsed whatever it carries (pass_vlan_stack).
 * Fragments. Every fragment, first or later, is matched on address and protocol (the VIP with
 *   port 0), since a later fragment has no ports: all fragments of a datagram find the same
 *   VIP. If it hashes without ports (VIP_F_HASH_NO_PORTS) they are hashed on the 3-tuple, go
 *   to one backend with no connection entry, and the datagram is reassembled there. Any other
 *   VIP a fragment finds (an all-ports VIP hashing on ports, or, for a first fragment, the
 *   VIP of its port) would scatter the datagram, so the fragment is dropped (drop_fragment).
 *   A later fragment to a VIP address with no port-0 VIP cannot be told from other traffic:
 *   it is passed (pass_not_vip). A first fragment too short to hold its transport header
 *   (or holding it only in the frame's padding) is matched exactly as a later fragment, on
 *   address and protocol with ports 0 (frag_short_first, then the counters above): so it
 *   goes where the rest of its datagram goes, whose reassembly judges it.
 * Options and extension headers. IPv4 options and up to three IPv6 extension headers are
 *   walked (common/parse.h) and travel inside the encapsulation untouched.
 * Established flows. With LB_CFG_F_CONN_FIRST (the library keeps vip_by_id), a TCP segment
 *   that is no SYN and a UDP datagram, neither a fragment, look up their flow first (a new
 *   UDP flow pays that miss once, a SYN never): in this CPU's flow_cache slot, then (a miss
 *   there) in the table, whose entry is then copied to the slot (LB_CFG_F_FLOW_CACHE,
 *   common/maps.h: the table stays the truth, copies of another epoch are void); an entry
 *   that names its VIP as that VIP is now (vip_id and the generation every lb_vip_add()
 *   draws) gives VIP and backend at once (conn_hit). Any other packet, and a miss, takes the
 *   path above, where a SYN (without ACK) asks the ring without looking the table up: it
 *   opens a connection, and its entry replaces what the 5-tuple had (conn_new).
 *   With lb_config.conn_sets the table is the set-associative one (struct conn_slot,
 *   bpf/conn_sets.h) and has no cache in front: it is an array already. An entry a new flow
 *   replaces there is counted (conn_evicted).
 * Not for a VIP. Once its outermost IP header is parsed (VLANs, options and extension
 *   headers walked, lengths checked, as above), a packet whose destination address falls on
 *   a zero slot of vip_filter, which the library keeps (LB_CFG_F_VIP_FILTER), is passed
 *   (pass_not_vip) after one array lookup, its transport header unread: most of what a
 *   balancer's port sees is not for a VIP, and a VIP packet's outer destination is its VIP
 *   (an encapsulated one is passed anyway). So a packet elsewhere whose transport header is
 *   cut short counts pass_not_vip, one to a VIP address pass_parse_error. A set slot only
 *   means the rest of the parse and the VIP lookup decide.
 * Caches (LB_CFG_F_FLOW_CACHE, common/maps.h). The VIP lookup asks this CPU's vip_cache
 *   before the vips hash, the established path its flow_cache before the table; a copy counts
 *   only under the epoch it was made in, which every library change moves.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "common/parse.h"
#include "common/maps.h"
#include "common/csum.h"
#include "bpf/encap.h"
#include "bpf/nexthop.h"
#include "bpf/icmp.h"
#include "bpf/conn_sets.h"

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

/* Every VIP's vip_meta at its vip_id (LB_CFG_F_CONN_FIRST; a zero gen: no VIP there). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct vip_meta);
} vip_by_id SEC(".maps");

/* Is any VIP at this destination address? (LB_CFG_F_VIP_FILTER, common/maps.h) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_VIP_FILTER_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} vip_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LB_CONN_TABLE_SIZE);
	__type(key, struct flow_key);
	__type(value, struct conn_val);
} conns SEC(".maps");

/*
 * The set-associative connection table (lb_config.conn_sets, common/maps.h), in place of
 * conns when the library loads it so; one slot otherwise.
 */
CONN_SLOTS_MAP(conn_slots);

/* Per-CPU copies of vips entries (LB_CFG_F_FLOW_CACHE, common/maps.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_VIP_CACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct vip_cache_entry);
} vip_cache SEC(".maps");

/* Per-CPU copies of connection table entries (LB_CFG_F_FLOW_CACHE, common/maps.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_FLOW_CACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct flow_cache_entry);
} flow_cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lb_stats);
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

/*
 * New flows per VIP (conn_new by VIP): a map of its own, touched on the new-flow path only,
 * so that established packets pay nothing for it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, __u32);
	__type(value, __u64);
} vip_new_flows SEC(".maps");

static __always_inline void count(void *map, __u32 idx, __u64 bytes)
{
	struct lb_counter *c = bpf_map_lookup_elem(map, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* One of the packet's counters in st, the CPU's struct lb_stats looked up once per packet. */
static __always_inline void stat(struct lb_stats *st, __u32 reason, __u64 bytes)
{
	/*
	 * A variable reason: one register for the bound check and the index, or the verifier
	 * cannot tie them. A constant one is a fixed offset, its check folded away.
	 */
	if (!__builtin_constant_p(reason))
		barrier_var(reason);
	if (reason < LB_STAT_MAX) {
		st->c[reason].packets++;
		st->c[reason].bytes += bytes;
	}
}

static __always_inline int verdict(struct lb_stats *st, __u32 reason, __u64 bytes, int action)
{
	stat(st, reason, bytes);
	return action;
}

/* No VIP has this destination address: one array lookup, for most of what a port sees. */
static __always_inline int vip_filter_miss(const struct lb_config *cfg, const struct flow_key *f)
{
	__u32 slot, *hit;

	if (!(cfg->flags & LB_CFG_F_VIP_FILTER))
		return 0;
	slot = lb_vip_filter_slot(f->dstv6);
	hit = bpf_map_lookup_elem(&vip_filter, &slot);
	return hit && !*hit;
}

static __always_inline void vip_key_of(struct vip_key *key, const struct flow_key *f, __be16 port)
{
	parse_addr_copy(key->addr, f->dstv6, 4);
	vip_key_set_port(key, port, f->proto, f->family);
}

/*
 * The caches' epoch, read before the map a copy is made from: a copy never carries a newer
 * epoch than what it copied.
 */
static __always_inline __u32 cache_epoch(const struct lb_config *cfg)
{
	return *(const volatile __u32 *)&cfg->cache_epoch;
}

/* The VIP at key: this CPU's copy if it has one of this epoch, else the hash (then copied). */
static __always_inline struct vip_meta *vip_get(const struct lb_config *cfg,
						const struct vip_key *key)
{
	struct vip_cache_entry *ce = NULL;
	struct vip_meta *vip;
	__u32 slot, epoch;

	if (cfg->flags & LB_CFG_F_FLOW_CACHE) {
		epoch = cache_epoch(cfg);
		slot = lb_vip_cache_slot(key);
		ce = bpf_map_lookup_elem(&vip_cache, &slot);
		if (ce && ce->epoch == epoch && KEY_EQ(&ce->key, key))
			return &ce->meta;
	}
	vip = bpf_map_lookup_elem(&vips, key);
	if (vip && ce) {
		ce->key = *key;
		ce->meta = *vip;
		ce->epoch = epoch;
	}
	return vip;
}

static __always_inline struct vip_meta *vip_lookup(const struct lb_config *cfg,
						   const struct flow_key *f)
{
	struct vip_key key = {};
	struct vip_meta *vip;

	vip_key_of(&key, f, f->port16[1]);
	vip = vip_get(cfg, &key);
	if (vip || !(cfg->flags & LB_CFG_F_ANY_PORT_VIPS))
		return vip;
	vip_key_set_port(&key, 0, f->proto, f->family); /* an all-ports VIP for this protocol */
	return vip_get(cfg, &key);
}

/*
 * A fragment's VIP (see the top of this file): the all-ports VIP first, the port's VIP for a
 * first fragment. *ok: the VIP takes fragments (an all-ports VIP hashing without ports).
 */
static __always_inline struct vip_meta *vip_lookup_frag(const struct pkt_meta *m, int *ok)
{
	struct vip_key key = {};
	struct vip_meta *vip;

	vip_key_of(&key, &m->flow, 0);
	vip = bpf_map_lookup_elem(&vips, &key);
	if (vip) {
		*ok = !!(vip->flags & VIP_F_HASH_NO_PORTS);
		return vip;
	}
	*ok = 0;
	if (m->flags & PKT_F_FRAG_LATER)
		return NULL;
	vip_key_set_port(&key, m->flow.port16[1], m->flow.proto, m->flow.family);
	return bpf_map_lookup_elem(&vips, &key);
}

/*
 * An ICMP too-big about a VIP's reply: m->flow becomes the flow it is about (the client's, to
 * the VIP), and its VIP is returned. NULL: the quote names no VIP flow.
 */
static __always_inline struct vip_meta *icmp_vip(struct xdp_md *ctx, const struct lb_config *cfg,
						 struct pkt_meta *m, __u32 *why)
{
	struct cursor c = { .end = (void *)(long)ctx->data_end };
	struct pkt_meta q;
	int i, ret;

	*why = LB_STAT_PASS_ICMP;
	if (parse_seek(&c, (void *)(long)ctx->data, &m->payload_off) < 0)
		return NULL;
	ret = parse_icmp_quote(&c, &q, m->flow.family);
	if (ret == PARSE_TRUNCATED)
		*why = LB_STAT_DROP_ICMP_QUOTE;
	if (ret < 0)
		return NULL;
	/* The quote's 8 bytes must lie in the error, not in the frame's trailer (cut later). */
	if ((__u32)(c.pos - (void *)(long)ctx->data) + 8 > (__u32)m->inner_l3_off + m->ip_len) {
		*why = LB_STAT_DROP_ICMP_QUOTE;
		return NULL;
	}
	/* The error went to the source of the quoted packet: the VIP, as its reply's source. */
	for (i = 0; i < 4; i++)
		if (q.flow.dstv6[i] != m->flow.dstv6[i])
			return NULL;
	m->flow = q.flow;
	return vip_lookup(cfg, &m->flow);
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

/* This CPU's flow_cache slot for the flow, or NULL (no cache). */
static __always_inline struct flow_cache_entry *flow_cache_at(const struct lb_config *cfg,
							      const struct flow_key *f)
{
	__u32 slot;

	if (!(cfg->flags & LB_CFG_F_FLOW_CACHE))
		return NULL;
	slot = lb_flow_cache_slot(f);
	return bpf_map_lookup_elem(&flow_cache, &slot);
}

static __always_inline void flow_cache_put(struct flow_cache_entry *ce, const struct flow_key *f,
					   const struct conn_val *v, __u32 epoch)
{
	if (!ce)
		return;
	ce->key = *f;
	ce->val = *v;
	ce->epoch = epoch;
}

/* real_pick()'s use of the connection table. */
enum conn_use {
	CONN_NONE, /* the VIP keeps no entries (fragments, hash-no-ports) */
	CONN_LOOKUP, /* look the flow up, schedule and remember it on a miss */
	CONN_NEW, /* a SYN (LB_CFG_F_CONN_FIRST): a new connection, scheduled and remembered */
};

/*
 * Connection table first (CONN_LOOKUP), so established flows keep their backend when the
 * pool changes; a miss (a new flow, or one this balancer has not seen) schedules by Maglev
 * and remembers, unless the packet is an ICMP error about the flow (icmp: it only follows the
 * flow). A SYN asks the ring without the lookup (CONN_NEW): it opens a connection, and its
 * entry is written over whatever the flow's 5-tuple had. The flow hash comes back in *hash:
 * the entry keeps it, so an established flow's outer header gets its entropy without
 * rehashing.
 */
static __always_inline __u32 real_pick(struct lb_stats *st, const struct lb_config *cfg,
				       const struct vip_meta *vip, const struct flow_key *flow,
				       enum conn_use table, int icmp, __u32 *hash)
{
	struct conn_val *cv, nv = {};
	__u32 real_id, epoch, sets = cfg->conn_sets, h = 0;
	__u64 *new_flows;

	if (sets && table != CONN_NONE)
		h = lb_conn_hash(flow);
	if (table == CONN_LOOKUP) {
		if (sets)
			cv = conn_sets_find(&conn_slots, sets, flow, h, &nv) ? NULL : &nv;
		else
			cv = bpf_map_lookup_elem(&conns, flow);
		if (cv) {
			stat(st, LB_STAT_CONN_HIT, 0);
			*hash = cv->hash;
			return cv->real_id;
		}
	}
	real_id = ring_pick(cfg, vip, flow, hash);
	if (real_id == LB_REAL_NONE || icmp)
		return real_id;
	stat(st, LB_STAT_CONN_NEW, 0);
	new_flows = bpf_map_lookup_elem(&vip_new_flows, &vip->vip_id);
	if (new_flows)
		(*new_flows)++;
	if (table) {
		nv.real_id = real_id;
		nv.hash = *hash;
		nv.vip_id = vip->vip_id;
		nv.vip_gen = vip->gen;
		if (sets) {
			if (conn_sets_put(&conn_slots, sets, flow, h, &nv) > 0)
				stat(st, LB_STAT_CONN_EVICT, 0);
			return real_id;
		}
		epoch = cache_epoch(cfg);
		/* This CPU's copy follows, or a reused 5-tuple would keep its old backend here. */
		if (!bpf_map_update_elem(&conns, flow, &nv, BPF_ANY))
			flow_cache_put(flow_cache_at(cfg, flow), flow, &nv, epoch);
	}
	return real_id;
}

#define LB_TCP_SYN 0x02 /* in pkt_meta.tcp_flags, TCP header byte 13 */
#define LB_TCP_ACK 0x10

/* A SYN (no ACK) on the library's path (LB_CFG_F_CONN_FIRST): it needs no table lookup. */
static __always_inline int conn_syn(const struct lb_config *cfg, const struct pkt_meta *m)
{
	return (cfg->flags & LB_CFG_F_CONN_FIRST) && m->flow.proto == IPPROTO_TCP &&
	       (m->tcp_flags & (LB_TCP_SYN | LB_TCP_ACK)) == LB_TCP_SYN;
}

/*
 * The established path (see the top): a TCP segment that is no SYN, or a UDP datagram, of a
 * flow whose entry still names its VIP as it is now. Returns that VIP, the entry copied to *cv;
 * NULL: look it up.
 */
static __always_inline struct vip_meta *conn_first(const struct lb_config *cfg,
						   const struct pkt_meta *m, struct conn_val *cv)
{
	struct flow_cache_entry *ce;
	struct vip_meta *vip;
	struct conn_val *e;
	__u32 id, epoch;

	if (!(cfg->flags & LB_CFG_F_CONN_FIRST) || (m->flags & PKT_F_FRAG))
		return NULL;
	if (m->flow.proto != IPPROTO_UDP &&
	    (m->flow.proto != IPPROTO_TCP || (m->tcp_flags & LB_TCP_SYN)))
		return NULL;
	if (cfg->conn_sets) {
		/* The table is an array already: no cache in front of it. */
		if (conn_sets_find(&conn_slots, cfg->conn_sets, &m->flow, lb_conn_hash(&m->flow),
				   cv))
			return NULL;
	} else {
		epoch = cache_epoch(cfg);
		ce = flow_cache_at(cfg, &m->flow);
		if (ce && ce->epoch == epoch && KEY_EQ(&ce->key, &m->flow)) {
			e = &ce->val;
		} else {
			e = bpf_map_lookup_elem(&conns, &m->flow);
			if (!e)
				return NULL;
			flow_cache_put(ce, &m->flow, e, epoch);
		}
		*cv = *e;
	}
	id = cv->vip_id;
	vip = bpf_map_lookup_elem(&vip_by_id, &id);
	if (!vip || !vip->gen || vip->gen != cv->vip_gen)
		return NULL;
	return vip;
}

/*
 * Over the MTU once encapsulated: answer the client, or drop (see the top of this file).
 * A global function, so the verifier walks it once rather than once per way of reaching it;
 * mtu is what is left for the client's packet. XDP_TX (answered) or XDP_DROP.
 */
__noinline int balancer_too_big(struct xdp_md *ctx, const struct pkt_meta *m, __u32 mtu)
{
	if (!m || !icmp_df_set(ctx, m) || icmp_too_big(ctx, m, mtu))
		return XDP_DROP;
	return XDP_TX;
}

/*
 * May this too-big about a VIP flow go to the flow's backend (see the top of this file)?
 * Returns 0, or the counter of the refusal. m: the error's own header in outer_src/outer_dst
 * and ip_len (m->flow is already the quoted flow). A global function, walked once.
 */
__noinline __u32 balancer_icmp_refused(const struct pkt_meta *m)
{
	if (!m)
		return LB_STAT_DROP_ICMP_SRC;
	if (!icmp_src_sane(m->outer_src, m->outer_dst, m->outer_family))
		return LB_STAT_DROP_ICMP_SRC;
	if (m->ip_len > (m->outer_family == FAM_IPV4 ? ICMP_ERR_LEN4 : ICMP_ERR_LEN6))
		return LB_STAT_DROP_ICMP_LEN;
	return 0;
}

/*
 * A first fragment too short to hold its transport header (or holding it only in the frame's
 * padding): parse_packet() failed in the transport layer of an unencapsulated fragment.
 */
static __always_inline int short_first_fragment(const struct pkt_meta *m, int ret)
{
	return (ret == PARSE_TRUNCATED || ret == PARSE_MALFORMED) && m->l4_off &&
	       (m->flags & PKT_F_FRAG) && m->encap == ENCAP_NONE;
}

SEC("xdp")
int balancer(struct xdp_md *ctx)
{
	struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end };
	struct encap_plan plan;
	struct conn_val cv;
	struct lb_stats *st;
	struct lb_config *cfg;
	struct real_def *real;
	struct vip_meta *vip;
	struct pkt_meta m;
	__u32 zero = 0, real_id, hash = 0, why, frame, want;
	__u16 hlen;
	int ret, icmp = 0, frag_ok = 0;
	enum conn_use table;
	__u64 bytes;

	st = bpf_map_lookup_elem(&stats, &zero);
	if (!st)
		return XDP_PASS;
	stat(st, LB_STAT_RX, 0);
	cfg = bpf_map_lookup_elem(&lb_config, &zero);
	if (!cfg)
		return XDP_PASS;

	m.eth_proto = 0;
	m.l4_off = 0;
	ret = parse_outer(&c, &m, PARSE_F_CHECK_LEN, &hlen);
	if (ret >= 0) {
		/* Not for a VIP address: decided on the outer header (see the top). */
		if (vip_filter_miss(cfg, &m.flow))
			return verdict(st, LB_STAT_PASS_NOT_VIP, m.l3_off + m.ip_len, XDP_PASS);
		ret = parse_rest(&c, &m, (void *)(long)ctx->data, ret, hlen, 0, PARSE_F_CHECK_LEN);
	}
	if (ret < 0) {
		if (!short_first_fragment(&m, ret)) {
			if (m.eth_proto == ETH_P_8021Q || m.eth_proto == ETH_P_8021AD)
				return verdict(st, LB_STAT_PASS_VLANS, 0, XDP_PASS);
			if (m.eth_proto != ETH_P_IP && m.eth_proto != ETH_P_IPV6)
				return verdict(st, LB_STAT_PASS_NOT_IP, 0, XDP_PASS);
			return verdict(st, LB_STAT_PASS_PARSE, 0, XDP_PASS);
		}
		/* Matched like a later fragment: on addresses and protocol, ports 0. */
		m.flags |= PKT_F_FRAG_LATER;
		m.flow.ports = 0;
		stat(st, LB_STAT_FRAG_SHORT, 0);
	}
	bytes = m.inner_l3_off + m.ip_len; /* ip_len is the innermost packet's */
	if (m.encap != ENCAP_NONE)
		return verdict(st, LB_STAT_PASS_NOT_VIP, bytes, XDP_PASS);

	vip = conn_first(cfg, &m, &cv);
	if (vip) {
		count(&vip_stats, vip->vip_id, bytes);
		stat(st, LB_STAT_CONN_HIT, 0);
		real_id = cv.real_id;
		hash = cv.hash;
		goto real_found;
	}
	if (m.flags & PKT_F_FRAG) {
		vip = vip_lookup_frag(&m, &frag_ok);
	} else {
		vip = vip_lookup(cfg, &m.flow);
		if (!vip && icmp_is_too_big(&m) && !(cfg->flags & LB_CFG_F_FAULT_NO_ICMP_RELAY)) {
			icmp = 1;
			vip = icmp_vip(ctx, cfg, &m, &why);
			if (!vip)
				return verdict(st, why, bytes,
					       why == LB_STAT_PASS_ICMP ? XDP_PASS : XDP_DROP);
			why = balancer_icmp_refused(&m);
			if (why)
				return verdict(st, why, bytes, XDP_DROP);
		}
	}
	if (!vip)
		return verdict(st, LB_STAT_PASS_NOT_VIP, bytes, XDP_PASS);
	count(&vip_stats, vip->vip_id, bytes);
	if ((m.flags & PKT_F_FRAG) && !frag_ok)
		return verdict(st, LB_STAT_DROP_FRAG, bytes, XDP_DROP);

	table = CONN_NONE;
	if (!(m.flags & PKT_F_FRAG) && !(vip->flags & VIP_F_HASH_NO_PORTS))
		table = conn_syn(cfg, &m) ? CONN_NEW : CONN_LOOKUP;
	real_id = real_pick(st, cfg, vip, &m.flow, table, icmp, &hash);
real_found:
	real = bpf_map_lookup_elem(&reals, &real_id);
	if (real_id == LB_REAL_NONE || !real || real->family == FAM_NONE)
		return verdict(st, LB_STAT_DROP_NO_REAL, bytes, XDP_DROP);

	if (encap_plan(&plan, vip->encap, m.flow.family, real->family, cfg->gue_port))
		return verdict(st, LB_STAT_DROP_UNSUPP, bytes, XDP_DROP);
	if (cfg->mtu && m.ip_len + plan.len > cfg->mtu) {
		if (icmp)
			return verdict(st, LB_STAT_DROP_ICMP_MTU, bytes, XDP_DROP);
		if (!icmp_src_sane(m.flow.srcv6, m.flow.dstv6, m.flow.family))
			return verdict(st, LB_STAT_DROP_ANSWER_SRC, bytes, XDP_DROP);
		ret = balancer_too_big(ctx, &m, cfg->mtu - plan.len);
		return verdict(st, ret == XDP_TX ? LB_STAT_TX_TOO_BIG : LB_STAT_DROP_TOO_BIG, bytes,
			       ret);
	}
	/* Send what the IP header says, not the frame's padding or trailer (see the top). */
	frame = ctx->data_end - ctx->data;
	want = m.l3_off + m.ip_len;
	if (frame > want) {
		if (bpf_xdp_adjust_tail(ctx, (int)want - (int)frame))
			return verdict(st, LB_STAT_DROP_ENCAP, bytes, XDP_DROP);
		stat(st, LB_STAT_TRIMMED, frame - want);
	}
	if (encap_write(ctx, cfg, &plan, real, &m, hash, vip->flags))
		return verdict(st, LB_STAT_DROP_ENCAP, bytes, XDP_DROP);

	count(&real_stats, real_id, bytes);
	if (icmp)
		stat(st, LB_STAT_ICMP_TO_REAL, bytes);
	if (cfg->flags & LB_CFG_F_FIB) {
		__u32 reason;

		ret = nexthop_fib(ctx, m.nvlans, plan.family, &reason);
		return verdict(st, reason, bytes, ret);
	}
	return verdict(st, LB_STAT_TX_ENCAP, bytes, XDP_TX);
}

char LICENSE[] SEC("license") = "GPL";
