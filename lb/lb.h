/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The balancer as a library: load the XDP program, pin its maps, attach it, manage VIPs and
 * their backend pools, read counters. dsrlab-lb and the bench both call this.
 * Functions that attach act on the calling thread's network namespace.
 */
#ifndef DSRLAB_LB_LB_H
#define DSRLAB_LB_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "common/addr.h"
#include "common/chain.h"
#include "common/conn_kind.h"
#include "common/maps.h"
#include "common/stat_names.h"
#include "common/xdp_mode.h"

struct lb;

struct lb_backend {
	struct ip_addr addr;
	__u32 weight;
};

/* Load the program and create its maps. ring_size 0: LB_RING_SIZE_DEFAULT. */
int lb_load(struct lb **out, __u32 ring_size);

struct lb_load_opts {
	__u32 ring_size; /* 0: LB_RING_SIZE_DEFAULT */
	/*
	 * The connection table (common/conn_kind.h); 0: the sets. lb_conn_get() and friends
	 * read and write every kind.
	 */
	enum conn_kind conn_kind;
	__u32 conn_table; /* entries of the connection table; 0: LB_CONN_TABLE_SIZE */
	/*
	 * Load the chain root (bpf/root.bpf.c) too and put the balancer in its last slot,
	 * CHAIN_SLOT_BALANCER; lb_attach() then attaches the root. Other XDP programs join
	 * the chain with lb_chain_member_load() / lb_chain_set().
	 */
	bool chain;
};
int lb_load_with(struct lb **out, const struct lb_load_opts *opts);
/* Reopen the maps a loaded balancer pinned in dir (the CLI between invocations). */
int lb_open_pinned(struct lb **out, const char *dir);
/* Pin every map (and, once attached, the XDP link) under dir, creating it. */
int lb_pin(struct lb *lb, const char *dir);
/* Remove what lb_pin() made under dir and dir itself. */
int lb_unpin(const char *dir);
/*
 * Attach to ifindex in the requested mode (the chain root when loaded with .chain); never
 * falls back. Granted mode in *granted.
 */
int lb_attach(struct lb *lb, int ifindex, enum xdp_mode mode, enum xdp_mode *granted);
void lb_close(struct lb *lb);

/*
 * lb_config.mtu, when set, is at least this: the too-big answer quotes the client's packet
 * and must stay longer than the quote (bpf/icmp.h).
 */
#define LB_MTU_MIN 576

/* -EINVAL, said why, for an mtu that is neither 0 nor LB_MTU_MIN to 65535. */
int lb_config_set(struct lb *lb, const struct lb_config *cfg);
int lb_config_get(struct lb *lb, struct lb_config *cfg);
/*
 * Would lb_vip_add() and lb_vip_set_backends() accept this VIP and pool? Changes nothing;
 * -EINVAL, said why, otherwise. Call it first to leave no half-configured VIP behind.
 */
int lb_vip_check(struct lb *lb, const struct endpoint *vip, __u8 encap, __u32 flags,
		 const struct lb_backend *b, int n);
/*
 * Add (or update) a VIP; a new VIP's pool starts empty. encap (enum encap_type) must carry
 * the VIP's family: ipip and 4in6 an IPv4 VIP, ip6ip6 an IPv6 VIP, gue either (and needs
 * lb_config.gue_port set first). flags: VIP_F_*. -EINVAL, said why, otherwise. Changing an
 * existing VIP's encapsulation keeps its pool: set the backends again (until then the data
 * plane drops what the old pool cannot carry, counted as drop_unsupported_encap).
 */
int lb_vip_add(struct lb *lb, const struct endpoint *vip, __u8 encap, __u32 flags);
int lb_vip_del(struct lb *lb, const struct endpoint *vip);
/*
 * Replace a VIP's pool: a new Maglev ring is built and swapped in at once. Every backend must
 * be of the family of the encapsulation's outer header (ipip: IPv4; ip6ip6, 4in6: IPv6; gue:
 * either, per backend), and lb_config must have an outer source of that family.
 */
int lb_vip_set_backends(struct lb *lb, const struct endpoint *vip, const struct lb_backend *b,
			int n);

/*
 * Each VIP's pool as lb_vip_set_backends() last set it, kept in the user-space-only map
 * "pools" pinned beside the others, so that the pool can change one backend at a time
 * without the caller repeating it. At most LB_POOL_MAX backends per VIP.
 */
#define LB_POOL_MAX 64

struct lb_vip_info {
	struct endpoint vip;
	__u32 vip_id;
	__u32 flags; /* VIP_F_* */
	__u8 encap;
	int n; /* backends in pool */
	struct lb_backend pool[LB_POOL_MAX];
	__u32 real_id[LB_POOL_MAX]; /* index of each backend's counters (lb_real_stats_read) */
	struct lb_counter counters; /* packets and bytes to the VIP, summed over CPUs */
	/*
	 * Flows scheduled by the ring (conn_new by VIP): a connection's first packet, or, for
	 * a VIP with no connection entries (hash-no-ports), every packet.
	 */
	__u64 new_flows;
};

/* Every VIP; *out is malloc'ed (free it), *n its length. */
int lb_vip_list(struct lb *lb, struct lb_vip_info **out, int *n);
int lb_vip_get(struct lb *lb, const struct endpoint *vip, struct lb_vip_info *out);
/*
 * Change one backend of a VIP's pool and swap in the rebuilt ring: new flows follow the new
 * pool at once; established flows keep their connection table entry. lb_real_del() with
 * flush also deletes the entries of the VIP's flows on that backend, so they move too (a TCP
 * flow moved mid-connection is reset by its new backend). Weight 0 drains a backend: it
 * stays in the pool, takes no new flow, keeps its established ones.
 * -EEXIST (add: already in the pool), -ENOENT (no such VIP or backend), said why.
 */
int lb_real_add(struct lb *lb, const struct endpoint *vip, const struct lb_backend *b);
int lb_real_del(struct lb *lb, const struct endpoint *vip, const struct ip_addr *addr, bool flush);
int lb_real_weight(struct lb *lb, const struct endpoint *vip, const struct ip_addr *addr,
		   __u32 weight);

/* A backend by counter index (lb_vip_info.real_id): its address and counters. */
int lb_real_get(struct lb *lb, __u32 real_id, struct ip_addr *addr, struct lb_counter *c);

/* Counters summed over CPUs. */
int lb_stats_read(struct lb *lb, struct lb_counter out[LB_STAT_MAX]);
/* Counters of each CPU: out[cpu][reason] for cpu < ncpu (libbpf_num_possible_cpus()). */
int lb_stats_read_cpus(struct lb *lb, struct lb_counter (*out)[LB_STAT_MAX], int ncpu);

/* Where and how the balancer runs, from its pinned link and the kernel. */
struct lb_status {
	bool attached; /* a link is pinned */
	int ifindex;
	enum xdp_mode mode; /* what the kernel reports for the attached program */
	__u32 prog_id; /* the attached program: the chain root when chained */
	bool chained;
	bool conns_percpu;
	__u32 conn_sets; /* sets of the set-associative table; 0: the LRU hash */
};
int lb_status_get(struct lb *lb, struct lb_status *st);
/* The connection table's kind as the CLI names it (conn_kind_names[]), from the maps (st). */
const char *lb_conn_table_name(const struct lb_status *st);

/* The chain (lb_load_with() .chain, or reopened from its pin). */
struct lb_chain_slot {
	__u32 prog_id; /* 0: empty */
	char name[16]; /* the program's name as the kernel keeps it (15 characters) */
};
/*
 * Put prog_fd (an XDP program) in slot, at once for the next packet: replace false wants
 * an empty slot (-EBUSY otherwise), true wants an occupied one (-ENOENT otherwise). The
 * balancer's slot is refused (-EPERM).
 */
int lb_chain_set(struct lb *lb, __u32 slot, int prog_fd, bool replace);
/*
 * Open the BPF object at path, make its prog array `chain` the chain's, write its
 * `chain_slot`, load it and lb_chain_set() its program prog (NULL: its only XDP program).
 */
int lb_chain_member_load(struct lb *lb, __u32 slot, const char *path, const char *prog,
			 bool replace);
/* The same from an object in memory (a skeleton's ELF bytes); name is used in messages. */
int lb_chain_member_load_mem(struct lb *lb, __u32 slot, const void *obj, size_t size,
			     const char *name, const char *prog, bool replace);
/*
 * The __u64 global var (in .bss or .data) of the member in slot, read from the running
 * program's map through its BTF: what a member reports (chain_count's `seen`).
 * -ENOENT: no member there, or it has no such variable.
 */
int lb_chain_member_read(struct lb *lb, __u32 slot, const char *var, __u64 *out);
int lb_chain_del(struct lb *lb, __u32 slot);
int lb_chain_list(struct lb *lb, struct lb_chain_slot out[CHAIN_SLOTS]);
/* The chain's prog array (-1: not chained), to load members that reuse it. */
int lb_chain_fd(struct lb *lb);
/* The program an interface runs: the chain root when chained, else the balancer. */
int lb_prog_fd(struct lb *lb);
/* The XDP link lb_attach() made (-1 before): bpf_link_update() swaps its program. */
int lb_link_fd(struct lb *lb);
/*
 * The LRU connection table (hash of struct flow_key -> struct conn_val), e.g. to reuse it;
 * unused, and a few entries, when loaded with the sets (.conn_kind CONN_KIND_SETS).
 */
int lb_conns_fd(struct lb *lb);
/* The set-associative table's slots (struct conn_slot; one unused slot with an LRU kind). */
int lb_conn_slots_fd(struct lb *lb);
/* Its sets (lb_config.conn_sets); 0: the table is the LRU hash. */
__u32 lb_conn_sets(struct lb *lb);
/*
 * A flow's entry in whichever table was loaded: read (-ENOENT: none), written (a full set:
 * over the slot the flow's hash picks), deleted. Writes and deletes move the caches' epoch.
 */
int lb_conn_get(struct lb *lb, const struct flow_key *k, struct conn_val *v);
int lb_conn_put(struct lb *lb, const struct flow_key *k, const struct conn_val *v);
int lb_conn_del(struct lb *lb, const struct flow_key *k);
/*
 * After deleting or rewriting connection table or VIP entries by hand (lb_conns_fd(), the
 * pinned maps): a new epoch, so that no CPU's flow or VIP cache (LB_CFG_F_FLOW_CACHE) serves
 * a copy of what was there. The library's own changes do it themselves.
 */
int lb_maps_changed(struct lb *lb);
/* The VIP-address filter (LB_CFG_F_VIP_FILTER, common/maps.h) the library keeps. */
int lb_vip_filter_fd(struct lb *lb);

void vip_key_from_endpoint(const struct endpoint *e, struct vip_key *key);

/* "ipip", "ip6ip6", "4in6", "gue" <-> enum encap_type; parse returns -EINVAL if unknown. */
const char *lb_encap_name(__u8 encap);
int lb_encap_parse(const char *s, __u8 *encap);
/* "ADDR[@WEIGHT]", weight 1 when not given; -EINVAL otherwise. */
int lb_backend_parse(const char *s, struct lb_backend *b);

#endif
