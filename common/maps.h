/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Map keys, values and limits shared by the BPF programs and user space: the only definition.
 * Every struct is a map key or value, so each has fixed-width fields, explicit padding and a
 * size assertion.
 */
#ifndef DSRLAB_COMMON_MAPS_H
#define DSRLAB_COMMON_MAPS_H

#include <linux/types.h>
#include "flow.h"

#ifndef LB_MAX_VIPS
#define LB_MAX_VIPS 512
#endif
#ifndef LB_MAX_REALS
#define LB_MAX_REALS 4096
#endif
#ifndef LB_RING_SIZE_DEFAULT
#define LB_RING_SIZE_DEFAULT 65537 /* prime, as Maglev needs */
#endif
#ifndef LB_CONN_TABLE_SIZE
/*
 * A power of two on purpose. The kernel gives a hash map roundup_pow_of_two(max_entries)
 * buckets (kernel/bpf/hashtab.c), so 2^18 entries get 2^18 buckets (4 MiB beside 24 MiB of
 * preallocated entries) and 2^18 + 1 would get 2^19: twice the bucket memory for chains half
 * as long once the table is full. A power-of-two size was once reported ~120 ns slower per
 * delete-then-insert on this kernel; measured again (docs/bench.md, "Connection table size")
 * it is not: nothing on that path depends on the size but the bucket index mask, and the LRU
 * lists reuse the node just freed whatever the size.
 */
#define LB_CONN_TABLE_SIZE 262144
#endif
#ifndef DECAP_MAX_ALLOW
#define DECAP_MAX_ALLOW 64
#endif
#ifndef DECAP_ALLOW_INLINE
/* Single allowed sources per family held in decap_config itself: 4 IPv6 ones fill a line. */
#define DECAP_ALLOW_INLINE 4
#endif

#define LB_REAL_NONE 0 /* real id 0 is never used: an empty ring slot or conn entry */

/* VIP: address, port (0 = every port of the protocol), protocol. */
struct vip_key {
	__be32 addr[4]; /* IPv4 in addr[0], rest zero */
	union {
		struct {
			__be16 port;
			__u8 proto;
			__u8 family; /* FAM_IPV4 / FAM_IPV6 */
		};
		__u32 port_proto; /* the three as one word: vip_key_set_port() */
	};
};
_Static_assert(sizeof(struct vip_key) == 20, "vip_key layout");

/*
 * Write port, proto and family with one store: the key is read back a word at a time (the
 * VIP cache's compare, the hash map's hash), as flow_seal() says of the flow key.
 */
static inline void vip_key_set_port(struct vip_key *k, __be16 port, __u8 proto, __u8 family)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	k->port_proto = (__u32)port | (__u32)proto << 16 | (__u32)family << 24;
#else
	k->port_proto = (__u32)port << 16 | (__u32)proto << 8 | family;
#endif
}

#define VIP_F_HASH_NO_PORTS 0x1 /* hash on addresses and protocol only (fragment-safe) */
/*
 * Outer source derived per flow: the configured source's prefix (lb_config.src_v*_prefix_len)
 * with the flow hash below it, so a backend NIC whose RSS hashes only the outer addresses
 * still spreads flows. Without it every packet leaves from the configured source.
 */
#define VIP_F_SRC_PER_FLOW 0x2
#define VIP_F_ALL	   (VIP_F_HASH_NO_PORTS | VIP_F_SRC_PER_FLOW)

struct vip_meta {
	__u32 vip_id; /* index into the ring and per-VIP stats maps */
	__u32 flags; /* VIP_F_* */
	__u8 encap; /* enum encap_type */
	__u8 pad[3];
	/*
	 * Nonzero, drawn anew by every lb_vip_add() of the VIP: a connection entry names its
	 * VIP by (vip_id, gen), so an entry outlives neither its VIP nor a change of it.
	 */
	__u32 gen;
};
_Static_assert(sizeof(struct vip_meta) == 16, "vip_meta layout");

struct real_def {
	__be32 addr[4];
	__u8 family; /* FAM_NONE: unused slot */
	__u8 pad[3];
};
_Static_assert(sizeof(struct real_def) == 20, "real_def layout");

struct conn_val {
	__u32 real_id;
	__u32 hash; /* the flow hash that scheduled it: outer entropy without rehashing */
	__u32 vip_id; /* the VIP that scheduled it, and its vip_meta.gen then */
	__u32 vip_gen;
};
_Static_assert(sizeof(struct conn_val) == 16, "conn_val layout");

/*
 * GUE's UDP destination port where nothing else is configured: every bench scenario, the
 * microbenchmark and the fixtures (the CLIs and the CNI plugin take their own).
 */
#define GUE_PORT_DEFAULT 6080

/* The balancer's settings (single entry of the config map). */
struct lb_config {
	__u8 nexthop_mac[6]; /* destination MAC of every encapsulated frame */
	__u16 pad0;
	__be32 src_v4; /* outer source for IPv4 underlay */
	__be32 src_v6[4]; /* outer source for IPv6 underlay */
	__u32 ring_size; /* slots per VIP ring, prime */
	__u32 hash_seed;
	__u16 mtu; /* underlay MTU for the too-big answer; 0: no check */
	__u16 gue_port; /* host order: destination port of GUE encapsulation */
	/*
	 * Per-flow outer sources (VIP_F_SRC_PER_FLOW) keep these leading bits of src_v4 /
	 * src_v6 and take the rest from the flow hash (IPv6: at most the low 32 bits).
	 * 0, 32 (IPv4) or 128 (IPv6): no per-flow source, the configured one is used.
	 */
	__u8 src_v4_prefix_len;
	__u8 src_v6_prefix_len;
	__u16 flags; /* LB_CFG_F_* */
	/*
	 * LB_CFG_F_FLOW_CACHE: flow_cache and vip_cache copies made under another epoch are
	 * void. Every lb_config_set() moves it, and so every library change (VIP add and delete,
	 * conns_flush) and lb_maps_changed() for maps written by hand.
	 */
	__u32 cache_epoch;
	/*
	 * Sets of the set-associative connection table (struct conn_slot), fixed when the maps
	 * were made; 0: the table is the LRU hash.
	 */
	__u32 conn_sets;
};
_Static_assert(sizeof(struct lb_config) == 52, "lb_config layout");

/*
 * lb_config.flags. FIB: the next hop of an encapsulated frame comes from bpf_fib_lookup() in
 * the balancer's namespace (egress port and both MACs) instead of nexthop_mac.
 */
#define LB_CFG_F_FIB 0x1
/*
 * Kept by the library (lb_config_set): some VIP is an all-ports VIP (port 0). Without one, a
 * packet that misses the port-specific lookup is not a VIP, and traffic that is not for a VIP
 * (most of what a balancer's port sees) costs one hash lookup instead of two.
 */
#define LB_CFG_F_ANY_PORT_VIPS 0x2
/*
 * A fault, for the failure library only (docs/bugs.md): ICMP too-big quoting a VIP flow is
 * not relayed to the flow's backend but passed to the balancer host's kernel, as a balancer
 * without relaying does. Never set in production.
 */
#define LB_CFG_F_FAULT_NO_ICMP_RELAY 0x4
/*
 * Kept by the library (lb_config_set): vip_filter is up to date, so a packet whose destination
 * falls on a zero slot is no VIP's and passes after one array lookup, before the VIP hash.
 * Without it (maps written by hand, as the fixture tables do) every packet is looked up.
 */
#define LB_CFG_F_VIP_FILTER 0x8
/*
 * Kept by the library: vip_by_id holds every VIP's vip_meta at its vip_id, so a TCP segment
 * that is no SYN, or a UDP datagram, looks its flow up first, and an entry whose (vip_id,
 * vip_gen) is its VIP's now needs no VIP lookup (and, with LB_CFG_F_FLOW_CACHE, usually no
 * hash lookup at all on the established path).
 */
#define LB_CFG_F_CONN_FIRST 0x10
/*
 * Kept by the library (with LB_CFG_F_CONN_FIRST): the established path asks flow_cache, a
 * per-CPU direct-mapped copy of connection table entries, before the table (see
 * struct flow_cache_entry).
 */
#define LB_CFG_F_FLOW_CACHE 0x20

/*
 * The flow cache: per CPU, LB_FLOW_CACHE_SLOTS entries, each a copy of one connection table
 * entry (key and value) made by this CPU when it found the entry in the table or wrote it,
 * under lb_config.cache_epoch. An established packet whose slot holds its exact key under the
 * current epoch takes the entry from there: an array lookup and a compare instead of the
 * table's hash lookup. The table stays the truth: a miss (other key, empty, old epoch) asks
 * it, and the library bumps the epoch whenever it deletes or rewrites entries, so no copy
 * outlives a change made there. A SYN that reuses a 5-tuple rewrites the table and this
 * CPU's copy; another CPU's copy of the old entry lives on (as with per-CPU LRU lists) until
 * the slot is taken or the epoch moves: the flow's packets meet one CPU while RSS keeps it
 * there.
 */
/*
 * The VIP cache, the same way for the VIP hash: per CPU, copies of the vips entries this CPU
 * found, keyed by a fold of the vip_key, valid under the epoch they were made in (every VIP
 * change goes through lb_config_set(), so no copy outlives one). A new flow to a VIP a CPU
 * has seen takes its vip_meta from there. With LB_CFG_F_FLOW_CACHE too.
 */
#define LB_VIP_CACHE_BITS  10
#define LB_VIP_CACHE_SLOTS (1u << LB_VIP_CACHE_BITS)

struct vip_cache_entry {
	struct vip_key key; /* family 0: an empty slot */
	struct vip_meta meta;
	__u32 epoch;
	__u32 pad[2];
};
_Static_assert(sizeof(struct vip_cache_entry) == 48, "vip_cache_entry layout");

static inline __u32 lb_vip_cache_slot(const struct vip_key *k)
{
	__u32 x = k->addr[0] ^ k->addr[1] ^ k->addr[2] ^ k->addr[3];

	x = (x * 0x9e3779b1u) ^ k->port ^ ((__u32)k->proto << 16) ^ ((__u32)k->family << 24);
	return (x * 0x85ebca6bu) >> (32 - LB_VIP_CACHE_BITS);
}

#define LB_FLOW_CACHE_BITS  14
#define LB_FLOW_CACHE_SLOTS (1u << LB_FLOW_CACHE_BITS)

struct flow_cache_entry {
	struct flow_key key; /* family 0: an empty slot, no packet's key */
	struct conn_val val;
	__u32 epoch;
	__u32 pad;
};
_Static_assert(sizeof(struct flow_cache_entry) == 64, "flow_cache_entry layout");

/* The flow's slot: the key's words folded and mixed (a collision only costs a miss). */
static inline __u32 lb_flow_cache_slot(const struct flow_key *k)
{
	__u32 x = k->srcv6[0] ^ k->srcv6[1] ^ k->srcv6[2] ^ k->srcv6[3];
	__u32 y = k->dstv6[0] ^ k->dstv6[1] ^ k->dstv6[2] ^ k->dstv6[3];

	x = (x * 0x9e3779b1u) ^ y;
	x = (x * 0x85ebca6bu) ^ k->ports ^ k->proto;
	return (x * 0xc2b2ae35u) >> (32 - LB_FLOW_CACHE_BITS);
}

/*
 * The set-associative connection table (dsrlab-lb attach --conn-table sets): an array of
 * lb_config.conn_sets sets of LB_CONN_WAYS slots, shared by every CPU, in place of the LRU
 * hash. A flow hashes (lb_conn_hash()) to two sets, its first and its second
 * (lb_conn_set_base(), lb_conn_set_alt(); the same one in a table of one set); its entry is
 * the slot of either holding its key. Finding or writing one is array lookups and compares,
 * no hash map: a new flow costs about what an established one does.
 *
 * A new flow goes to the emptier of its two sets (its first on a tie), so that sets fill
 * evenly. The price is the eviction: a new flow whose two sets are both full takes the slot
 * of one not hit since an insert last looked at its set (each hit sets ref, each insert
 * clears the marks of the slots it passes: a clock per set, as the kernel's LRU approximates
 * its lists with reference bits), in its first set, then its second, else the slot its hash
 * picks in its first set (conn_evicted counts an entry replaced). So an entry survives while
 * its flow is hit between any two inserts that look at its set, and can go while other sets
 * have room, though far more rarely than with one set per flow (docs/bench.md, "Connection
 * table kinds").
 *
 * CPUs write slots without a lock: check, written last, is lb_conn_check() of the key's hash
 * and the value. A slot whose check does not match its key and value (0: empty; or two
 * writers interleaved) is not an entry: a lookup misses, and the flow is scheduled again, as
 * after an eviction. tag (16 bits of the hash) lets a lookup pass other flows' slots after
 * one compare. User space reads and writes slots the same way (lb/lb_conns.c).
 */
#define LB_CONN_WAYS 4
/* Entries of the LRU hash the balancer still names when the sets are its table. */
#define LB_CONN_LRU_UNUSED 64

struct conn_slot {
	struct flow_key key;
	struct conn_val val;
	__u32 check; /* lb_conn_check(lb_conn_hash(&key), &val); 0: empty */
	__u16 tag; /* lb_conn_tag(lb_conn_hash(&key)) */
	__u8 ref; /* hit since an insert last looked at this set */
	__u8 pad;
};
_Static_assert(sizeof(struct conn_slot) == 64, "conn_slot layout");

/*
 * The key's 32-bit hash: its sets, its tag and the seed of its check. The words are folded
 * and multiplied on two independent chains, then mixed once: fewer dependent multiplies on
 * the path of every packet.
 */
static inline __u32 lb_conn_hash(const struct flow_key *k)
{
	__u32 x = k->srcv6[0] ^ k->srcv6[1] ^ k->srcv6[2] ^ k->srcv6[3];
	__u32 y = k->dstv6[0] ^ k->dstv6[1] ^ k->dstv6[2] ^ k->dstv6[3];

	x = x * 0x9e3779b1u ^ (y ^ k->ports) * 0x85ebca6bu ^ ((__u32)k->proto << 8 | k->family);
	x = (x ^ (x >> 15)) * 0xc2b2ae35u;
	return x ^ (x >> 13);
}

/*
 * Index of the first slot of the set 32 bits of hash choose (sets: lb_config.conn_sets): with
 * the key's hash h, the flow's first set.
 */
static inline __u32 lb_conn_set_base(__u32 h, __u32 sets)
{
	return (__u32)(((__u64)h * sets) >> 32) * LB_CONN_WAYS;
}

/* The flow's second set: the hash remixed, so that flows sharing a first set part here. */
static inline __u32 lb_conn_set_alt(__u32 h, __u32 sets)
{
	__u32 x = (h ^ (h >> 16)) * 0x7feb352du;

	return lb_conn_set_base(x ^ (x >> 15), sets);
}

static inline __u16 lb_conn_tag(__u32 h)
{
	return (__u16)h;
}

/*
 * The check of an entry for a key of hash h: never 0, so 0 marks an empty slot. Three
 * independent products, so that a value mixed from two writers' words fails it.
 */
static inline __u32 lb_conn_check(__u32 h, const struct conn_val *v)
{
	__u32 x = (h ^ v->real_id) * 0x9e3779b1u ^ (v->hash ^ v->vip_gen) * 0x85ebca6bu ^
		  (v->vip_id ^ (h >> 7)) * 0xc2b2ae35u;

	return (x ^ (x >> 16)) | 1;
}

/*
 * The VIP-address filter: one slot per hash of a destination address (the four words of
 * vip_key.addr / flow_key.dstv6 folded), nonzero when some VIP has an address there. A
 * collision only sends a packet on to the VIP lookup, which decides.
 */
#define LB_VIP_FILTER_BITS  12
#define LB_VIP_FILTER_SLOTS (1u << LB_VIP_FILTER_BITS)

static inline __u32 lb_vip_filter_slot(const __be32 addr[4])
{
	__u32 x = (__u32)(addr[0] ^ addr[1] ^ addr[2] ^ addr[3]);

	return (x * 0x9e3779b1u) >> (32 - LB_VIP_FILTER_BITS);
}

/* Counters of the balancer, one slot per reason, per CPU. */
enum lb_stat {
	LB_STAT_RX = 0, /* every packet seen */
	LB_STAT_TX_ENCAP, /* encapsulated and transmitted */
	LB_STAT_PASS_NOT_IP, /* not IPv4/IPv6 (ARP, ...) */
	LB_STAT_PASS_NOT_VIP, /* IP, but not to a VIP */
	LB_STAT_PASS_PARSE, /* could not be parsed (truncated, malformed, unsupported) */
	LB_STAT_CONN_HIT, /* connection table had the flow */
	LB_STAT_CONN_NEW, /* new flow scheduled by Maglev */
	LB_STAT_DROP_NO_REAL, /* the VIP has no backend */
	LB_STAT_DROP_ENCAP, /* no room to encapsulate */
	LB_STAT_DROP_UNSUPP, /* VIP encapsulation this build cannot do */
	LB_STAT_ICMP_TO_REAL, /* ICMP too-big about a VIP flow: to its backend (+ tx_encap) */
	LB_STAT_PASS_ICMP, /* ICMP too-big quoting no VIP flow (or an unreadable quote) */
	LB_STAT_TX_TOO_BIG, /* over lb_config.mtu: answered frag-needed / too-big */
	LB_STAT_DROP_TOO_BIG, /* over lb_config.mtu, IPv4 without DF (nothing here fragments) */
	LB_STAT_DROP_FRAG, /* fragment of a VIP that is not all-ports + hash-no-ports */
	LB_STAT_PASS_NO_NEIGH, /* FIB next hop without a neighbour entry: the kernel resolves it */
	LB_STAT_DROP_NO_ROUTE, /* FIB has no route for the outer destination */
	/* ICMP too-big about a VIP flow, refused (not relayed to the backend): */
	LB_STAT_DROP_ICMP_SRC, /* from a martian or non-unicast source, or from the VIP itself */
	LB_STAT_DROP_ICMP_LEN, /* longer than 576 (ICMPv4) / 1280 (ICMPv6) bytes */
	LB_STAT_DROP_ICMP_QUOTE, /* quoting less than an IP header and 8 bytes after it */
	LB_STAT_DROP_ICMP_MTU, /* over lb_config.mtu once encapsulated (no error about an error) */
	LB_STAT_DROP_ANSWER_SRC, /* over the MTU, but from a source no ICMP error may go to */
	LB_STAT_TRIMMED, /* frame longer than its IP packet: the tail cut before forwarding */
	LB_STAT_PASS_VLANS, /* more VLAN tags than the parser walks: passed unparsed */
	LB_STAT_FRAG_SHORT, /* first fragment without its whole transport header: as a later one */
	LB_STAT_CONN_EVICT, /* set-associative table: a new entry took a live entry's slot */
	LB_STAT_MAX
};

struct lb_counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct lb_counter) == 16, "lb_counter layout");

/*
 * Every counter of the balancer in one per-CPU value, the only entry (key 0) of its stats
 * map: a packet looks it up once, whatever it counts on its way.
 */
struct lb_stats {
	struct lb_counter c[LB_STAT_MAX];
};
_Static_assert(sizeof(struct lb_stats) == 16 * LB_STAT_MAX, "lb_stats layout");

/* The decap program's settings (single entry of its config map). */
#define DECAP_F_ANY_DST	       0x1 /* decapsulate whatever the outer destination (legacy host-nic) */
#define DECAP_F_PASS_OTHER_DST 0x2 /* encapsulated to another address: let it route on (strict) */
/*
 * Faults, for the failure library only (docs/bugs.md): each puts back a known decap bug so a
 * scenario can show what it breaks. KEEP_PROTO: a family-changing decap (4in6) leaves
 * skb->protocol and the EtherType at the outer family. GSO_GROW: the outer header is
 * stripped without BPF_F_ADJ_ROOM_FIXED_GSO, so an aggregate's gso_size grows by it.
 */
#define DECAP_F_FAULT_KEEP_PROTO 0x4
#define DECAP_F_FAULT_GSO_GROW	 0x8

#define DECAP_SERVE_IPV4 0x1 /* serve[0] holds the IPv4 outer destination served */
#define DECAP_SERVE_IPV6 0x2 /* serve[1] holds the IPv6 one */

/*
 * A dual-stack container is reached over either family (an IPIP VIP and an IP6IP6 VIP), so a
 * decap serves at most one outer destination per family.
 */
struct decap_config {
	__be32 serve[2][4]; /* [0]: IPv4 (first word), [1]: IPv6 */
	__u8 serve_fams; /* DECAP_SERVE_*; none with DECAP_F_ANY_DST */
	__u8 pad[3];
	__u32 flags; /* DECAP_F_* */
	__u16 gue_port; /* host order; 0: no GUE */
	__u16 pad2;
	/*
	 * The allow-list's first single addresses (/32, /128) of each family, compared in
	 * registers before any map lookup: allow_n[f] slots used, [0] IPv4, [1] IPv6. The LPM
	 * trie holds every entry, these too; decap_allow_host the single addresses that did not
	 * fit here, so the program asks it only when a family's slots are all used.
	 */
	__u8 allow_n[2];
	__u8 pad3[2];
	__be32 allow4[DECAP_ALLOW_INLINE];
	__be32 allow6[DECAP_ALLOW_INLINE][4];
};
_Static_assert(sizeof(struct decap_config) == 48 + 20 * DECAP_ALLOW_INLINE, "decap_config layout");

/* LPM key of the allow-list of balancer prefixes (outer source). */
struct decap_allow_key {
	__u32 prefixlen; /* bits, counted from the family byte: 8 + prefix length */
	__u8 family;
	__u8 addr[16];
	__u8 pad[3];
};
_Static_assert(sizeof(struct decap_allow_key) == 24, "decap_allow_key layout");

enum decap_stat {
	DECAP_STAT_RX = 0, /* every packet seen */
	DECAP_STAT_DECAP, /* decapsulated and passed on */
	DECAP_STAT_PASS_PLAIN, /* not encapsulated: passed untouched */
	DECAP_STAT_PASS_OTHER_DST, /* encapsulated to another address, passed on (host-nic strict) */
	DECAP_STAT_DROP_OTHER_DST, /* encapsulated to another address: never for this tenant */
	DECAP_STAT_DROP_SPOOF, /* outer source not in the allow-list */
	DECAP_STAT_DROP_NESTED, /* encapsulation inside encapsulation */
	DECAP_STAT_DROP_PARSE, /* encapsulated but truncated or malformed inside */
	DECAP_STAT_DROP_ADJUST, /* the kernel refused to shrink the packet */
	DECAP_STAT_ECN_CE, /* congestion marked on the outer header, copied inward */
	DECAP_STAT_DROP_ECN, /* outer CE on a packet that is not ECN-capable (RFC 6040) */
	DECAP_STAT_DROP_OUTER_OPTIONS, /* tunnel packet whose outer IPv4 header has options */
	DECAP_STAT_DROP_OUTER_CSUM, /* tunnel packet whose outer IPv4 header checksum is wrong */
	DECAP_STAT_DROP_OUTER_LEN, /* tunnel packet whose outer IP length is not the frame's */
	DECAP_STAT_MAX
};

/* Every counter of the decap in one per-CPU value, the only entry (key 0) of decap_stats. */
struct decap_stats {
	__u64 n[DECAP_STAT_MAX];
};
_Static_assert(sizeof(struct decap_stats) == 8 * DECAP_STAT_MAX, "decap_stats layout");

/* Kernel drops counted by the drop tracer (bpf/droptrace.bpf.c). */
#ifndef DROP_MAX_KEYS
#define DROP_MAX_KEYS 4096
#endif

struct drop_key {
	__u32 netns; /* inode of the device's network namespace; 0: no device */
	__u32 ifindex; /* 0: no device */
	__u32 reason; /* enum skb_drop_reason of the running kernel */
	__u32 pad;
};
_Static_assert(sizeof(struct drop_key) == 16, "drop_key layout");

#endif
