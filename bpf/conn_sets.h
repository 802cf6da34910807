/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The set-associative connection table on the BPF side (struct conn_slot in common/maps.h):
 * find, write and delete a flow's entry in an array map of sets. Used by the balancer and by
 * the benchmark's wrapper, which deletes and inserts exactly as the balancer does.
 */
#ifndef DSRLAB_BPF_CONN_SETS_H
#define DSRLAB_BPF_CONN_SETS_H

#include <bpf/bpf_helpers.h>

#include "common/maps.h"

/*
 * The sets' array map: one slot as declared; the library sizes it (lb_config.conn_sets sets
 * of LB_CONN_WAYS) when the table is the sets. The benchmark's wrapper declares the same and
 * reuses the balancer's fd.
 *
 * BPF_F_MMAPABLE for where the slots lie, not to map them: the kernel then starts an array's
 * values on a page (kernel/bpf/arraymap.c, array_map_alloc()), so each 64-byte slot is one
 * cache line. Without it they follow the map's header at offsetof(struct bpf_array, value):
 * on this kernel (6.18) slot 1 of such a map was found at page offset 376 (312 + 64), so every
 * slot straddled two lines; with it, at 64.
 */
#define CONN_SLOTS_MAP(name)                       \
	struct {                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY);  \
		__uint(max_entries, 1);            \
		__uint(map_flags, BPF_F_MMAPABLE); \
		__type(key, __u32);                \
		__type(value, struct conn_slot);   \
	} name SEC(".maps")

/* Two keys of n 32-bit words equal? (No memcmp in BPF; one branch, not one per word.) */
static __always_inline int words_eq(const void *a, const void *b, int n)
{
	const __u32 *x = a, *y = b;
	__u32 diff = 0;
	int i;

	for (i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return !diff;
}

#define KEY_EQ(a, b) words_eq((a), (b), sizeof(*(a)) / sizeof(__u32))

/* One set's part of conn_sets_find(): the set whose first slot is base. */
static __always_inline int conn_set_find(void *map, __u32 base, const struct flow_key *k, __u32 h,
					 struct conn_val *out)
{
	__u16 tag = lb_conn_tag(h);
	struct conn_slot *s;
	__u32 w, idx = base;

	for (w = 0; w < LB_CONN_WAYS; w++, idx++) {
		s = bpf_map_lookup_elem(map, &idx);
		if (!s || s->tag != tag || !KEY_EQ(&s->key, k))
			continue;
		*out = s->val;
		if (s->check != lb_conn_check(h, out))
			continue;
		if (!s->ref)
			s->ref = 1;
		return 0;
	}
	return -1;
}

/*
 * The flow's entry, in its first set, then its second: its value copied to *out (then
 * checked, so a slot rewritten meanwhile is no match), and the slot marked hit.
 * h: lb_conn_hash(k). 0: found.
 */
static __always_inline int conn_sets_find(void *map, __u32 sets, const struct flow_key *k, __u32 h,
					  struct conn_val *out)
{
	__u32 a = lb_conn_set_base(h, sets), b;

	if (!conn_set_find(map, a, k, h, out))
		return 0;
	b = lb_conn_set_alt(h, sets);
	return b != a ? conn_set_find(map, b, k, h, out) : -1;
}

/* What an insert learns of one set (conn_set_scan()). */
struct conn_set_scan {
	struct conn_slot *own; /* the flow's own slot */
	struct conn_slot *empty; /* the first empty one */
	struct conn_slot *cold; /* the first one not hit since an insert last looked */
	struct conn_slot *pick; /* the one the hash picks */
	__u32 used; /* slots holding an entry, up to own */
};

/*
 * Look at the set whose first slot is base for an insert: stops at the flow's own slot (its
 * key, not empty: a deleted slot of the flow is an empty one); clears the hit marks it
 * passes. 0, or -1 when the set is out of the map.
 */
static __always_inline int conn_set_scan(void *map, __u32 base, const struct flow_key *k, __u32 h,
					 struct conn_set_scan *sc)
{
	__u16 tag = lb_conn_tag(h);
	struct conn_slot *s;
	__u32 w, idx = base;

	for (w = 0; w < LB_CONN_WAYS; w++, idx++) {
		s = bpf_map_lookup_elem(map, &idx);
		if (!s)
			return -1;
		if (s->check && s->tag == tag && KEY_EQ(&s->key, k)) {
			sc->own = s;
			return 0;
		}
		if (w == (h & (LB_CONN_WAYS - 1)))
			sc->pick = s;
		if (!s->check) {
			if (!sc->empty)
				sc->empty = s;
			continue;
		}
		sc->used++;
		if (!s->ref) {
			if (!sc->cold)
				sc->cold = s;
		} else {
			s->ref = 0;
		}
	}
	return 0;
}

/*
 * Write the flow's entry (see struct conn_slot): into its own slot in either set, else an
 * empty one of the emptier set (the first on a tie), else one not hit since an insert last
 * looked at its set (first set, then second), else the one its hash picks in the first set.
 * The marks of the slots passed are cleared; the new entry counts as hit. Returns 1 when an
 * entry of another flow was replaced, 0 when not, -1 when a set is out of the map.
 */
static __always_inline int conn_sets_put(void *map, __u32 sets, const struct flow_key *k, __u32 h,
					 const struct conn_val *v)
{
	struct conn_set_scan sa = {}, sb = {};
	__u32 a = lb_conn_set_base(h, sets), b;
	struct conn_slot *s;
	int evict = 0;

	if (conn_set_scan(map, a, k, h, &sa))
		return -1;
	b = lb_conn_set_alt(h, sets);
	if (!sa.own && b != a && conn_set_scan(map, b, k, h, &sb))
		return -1;
	/* One pointer tested at a time: the verifier refuses pointers or-ed together. */
	s = sa.own;
	if (!s)
		s = sb.own;
	if (!s) {
		if (sa.empty && (sa.used <= sb.used || !sb.empty))
			s = sa.empty;
		else
			s = sb.empty;
	}
	if (!s) {
		s = sa.cold;
		if (!s)
			s = sb.cold;
		if (!s)
			s = sa.pick;
		evict = 1;
	}
	barrier_var(s);
	if (!s)
		return -1;
	s->key = *k;
	s->val = *v;
	s->tag = lb_conn_tag(h);
	s->ref = 1;
	/* The check last: a reader that sees it sees the entry it covers. */
	asm volatile("" ::: "memory");
	s->check = lb_conn_check(h, v);
	return evict;
}

/* One set's part of conn_sets_del(). 0: the flow's slot was there (now empty). */
static __always_inline int conn_set_del(void *map, __u32 base, const struct flow_key *k, __u32 h)
{
	__u16 tag = lb_conn_tag(h);
	struct conn_slot *s;
	__u32 w, idx = base;

	for (w = 0; w < LB_CONN_WAYS; w++, idx++) {
		s = bpf_map_lookup_elem(map, &idx);
		if (s && s->check && s->tag == tag && KEY_EQ(&s->key, k)) {
			s->check = 0;
			return 0;
		}
	}
	return -1;
}

/* Delete the flow's entry: its slot is empty again (what the benchmark's wrapper does). */
static __always_inline void conn_sets_del(void *map, __u32 sets, const struct flow_key *k, __u32 h)
{
	__u32 a = lb_conn_set_base(h, sets), b = lb_conn_set_alt(h, sets);

	if (conn_set_del(map, a, k, h) && b != a)
		conn_set_del(map, b, k, h);
}

#endif
