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
 */
#define CONN_SLOTS_MAP(name)                      \
	struct {                                  \
		__uint(type, BPF_MAP_TYPE_ARRAY); \
		__uint(max_entries, 1);           \
		__type(key, __u32);               \
		__type(value, struct conn_slot);  \
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

/*
 * The flow's entry: its value copied to *out (then checked, so a slot rewritten meanwhile is
 * no match), and the slot marked hit. h: lb_conn_hash(k). 0: found.
 */
static __always_inline int conn_sets_find(void *map, __u32 sets, const struct flow_key *k, __u32 h,
					  struct conn_val *out)
{
	__u32 idx = lb_conn_set_base(h, sets), w;
	struct conn_slot *s;

	for (w = 0; w < LB_CONN_WAYS; w++, idx++) {
		s = bpf_map_lookup_elem(map, &idx);
		if (!s || !KEY_EQ(&s->key, k))
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
 * Write the flow's entry (see struct conn_slot): into its own slot, else an empty one, else
 * one not hit since this set's last insert, else the one its hash picks; the other slots'
 * hits are cleared, the new entry counts as hit. Returns 1 when an entry of another flow was
 * replaced, 0 when not, -1 when the set is out of the map.
 */
static __always_inline int conn_sets_put(void *map, __u32 sets, const struct flow_key *k, __u32 h,
					 const struct conn_val *v)
{
	struct conn_slot *s, *own = NULL, *empty = NULL, *cold = NULL, *pick = NULL;
	__u32 idx = lb_conn_set_base(h, sets), w;

	for (w = 0; w < LB_CONN_WAYS; w++, idx++) {
		s = bpf_map_lookup_elem(map, &idx);
		if (!s)
			return -1;
		if (KEY_EQ(&s->key, k)) {
			own = s;
			break;
		}
		if (!s->check) {
			if (!empty)
				empty = s;
		} else if (!s->ref) {
			if (!cold)
				cold = s;
		} else {
			s->ref = 0;
		}
		if (w == (h & (LB_CONN_WAYS - 1)))
			pick = s;
	}
	s = own ? own : empty ? empty : cold ? cold : pick;
	if (!s)
		return -1;
	s->key = *k;
	s->val = *v;
	s->ref = 1;
	/* The check last: a reader that sees it sees the entry it covers. */
	asm volatile("" ::: "memory");
	s->check = lb_conn_check(h, v);
	return s != own && s != empty;
}

/* Delete the flow's entry: its slot is empty again (what the benchmark's wrapper does). */
static __always_inline void conn_sets_del(void *map, __u32 sets, const struct flow_key *k, __u32 h)
{
	__u32 idx = lb_conn_set_base(h, sets), w;
	struct conn_slot *s;

	for (w = 0; w < LB_CONN_WAYS; w++, idx++) {
		s = bpf_map_lookup_elem(map, &idx);
		if (s && KEY_EQ(&s->key, k)) {
			s->check = 0;
			return;
		}
	}
}

#endif
