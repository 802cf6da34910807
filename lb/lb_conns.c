// SPDX-License-Identifier: GPL-2.0
/*
 * The connection table from user space, whichever kind was loaded (lb/lb.h lb_conn_get()):
 * the LRU hash, or the set-associative table (struct conn_slot, common/maps.h), read and
 * written slot by slot as the BPF side does (bpf/conn_sets.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "lb/lb_priv.h"
#include "common/log.h"

int lb_conn_slots_fd(struct lb *lb)
{
	return lb->fds[LB_MAP_CONN_SLOTS];
}

__u32 lb_conn_sets(struct lb *lb)
{
	return lb->conn_sets;
}

/* Slot idx, read or written whole. */
static int slot_read(struct lb *lb, __u32 idx, struct conn_slot *s)
{
	return bpf_map_lookup_elem(lb->fds[LB_MAP_CONN_SLOTS], &idx, s) ? -errno : 0;
}

static int slot_write(struct lb *lb, __u32 idx, const struct conn_slot *s)
{
	return bpf_map_update_elem(lb->fds[LB_MAP_CONN_SLOTS], &idx, s, BPF_ANY) ? -errno : 0;
}

static bool slot_live(const struct conn_slot *s)
{
	return s->check && s->check == lb_conn_check(lb_conn_hash(&s->key), &s->val);
}

/* What slot_find() learns of a set: its first empty slot (or UINT32_MAX), its entries. */
struct set_look {
	__u32 empty;
	__u32 used;
};

/* k's live slot in the set whose first slot is base (*idx), or -ENOENT. */
static int set_find(struct lb *lb, __u32 base, const struct flow_key *k, __u32 *idx,
		    struct conn_slot *s, struct set_look *look)
{
	__u32 w;
	int err;

	for (w = 0; w < LB_CONN_WAYS; w++) {
		err = slot_read(lb, base + w, s);
		if (err)
			return err;
		if (!memcmp(&s->key, k, sizeof(*k)) && slot_live(s)) {
			*idx = base + w;
			return 0;
		}
		if (s->check)
			look->used++;
		else if (look->empty == UINT32_MAX)
			look->empty = base + w;
	}
	return -ENOENT;
}

/*
 * k's slot in its first or its second set (*idx), or -ENOENT with *idx where the balancer
 * would put it (bpf/conn_sets.h): an empty slot of the emptier set, the first on a tie;
 * UINT32_MAX when both are full.
 */
static int slot_find(struct lb *lb, const struct flow_key *k, __u32 *idx, struct conn_slot *s)
{
	__u32 h = lb_conn_hash(k), a = lb_conn_set_base(h, lb->conn_sets);
	__u32 b = lb_conn_set_alt(h, lb->conn_sets);
	struct set_look la = { UINT32_MAX, 0 }, lo = { UINT32_MAX, 0 };
	int err;

	err = set_find(lb, a, k, idx, s, &la);
	if (err == -ENOENT && b != a)
		err = set_find(lb, b, k, idx, s, &lo);
	if (err != -ENOENT)
		return err;
	if (la.empty != UINT32_MAX && (la.used <= lo.used || lo.empty == UINT32_MAX))
		*idx = la.empty;
	else
		*idx = lo.empty;
	return -ENOENT;
}

int lb_conn_get(struct lb *lb, const struct flow_key *k, struct conn_val *v)
{
	struct conn_slot s;
	__u32 idx;
	int err;

	if (!lb->conn_sets)
		return bpf_map_lookup_elem(lb->fds[LB_MAP_CONNS], k, v) ? -errno : 0;
	err = slot_find(lb, k, &idx, &s);
	if (!err)
		*v = s.val;
	return err;
}

int lb_conn_put(struct lb *lb, const struct flow_key *k, const struct conn_val *v)
{
	__u32 h = lb_conn_hash(k), idx;
	struct conn_slot s;
	int err;

	if (!lb->conn_sets)
		return bpf_map_update_elem(lb->fds[LB_MAP_CONNS], k, v, BPF_ANY) ? -errno : 0;
	err = slot_find(lb, k, &idx, &s);
	if (err && err != -ENOENT)
		return err;
	/* Both sets full: the way its hash picks in the first, as the balancer's last resort. */
	if (idx == UINT32_MAX)
		idx = lb_conn_set_base(h, lb->conn_sets) + (h & (LB_CONN_WAYS - 1));
	memset(&s, 0, sizeof(s));
	s.key = *k;
	s.val = *v;
	s.tag = lb_conn_tag(h);
	s.ref = 1;
	s.check = lb_conn_check(h, v);
	err = slot_write(lb, idx, &s);
	return err ? err : lb_maps_changed(lb);
}

int lb_conn_del(struct lb *lb, const struct flow_key *k)
{
	struct conn_slot s;
	__u32 idx;
	int err;

	if (!lb->conn_sets)
		err = bpf_map_delete_elem(lb->fds[LB_MAP_CONNS], k) ? -errno : 0;
	else if (!(err = slot_find(lb, k, &idx, &s)))
		err = slot_write(lb, idx, &(struct conn_slot){ 0 });
	return err ? err : lb_maps_changed(lb);
}

/*
 * The LRU hash: keys are collected first, as deleting the key get_next_key stands on restarts
 * the walk.
 */
static int lru_delete_if(struct lb *lb, conn_pred pred, const void *arg, size_t *n)
{
	struct flow_key key, *prev = NULL, *keys = NULL, *grown;
	int fd = lb->fds[LB_MAP_CONNS];
	size_t cap = 0, i;
	struct conn_val cv;

	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &cv) || !pred(&key, &cv, arg))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			grown = realloc(keys, cap * sizeof(*keys));
			if (!grown) {
				free(keys);
				return -ENOMEM;
			}
			keys = grown;
		}
		keys[(*n)++] = key;
	}
	for (i = 0; i < *n; i++)
		bpf_map_delete_elem(fd, &keys[i]);
	free(keys);
	return 0;
}

#define SLOT_BATCH 4096

/*
 * The sets, read a batch of slots at a time. A slot the balancer rewrites between the read and
 * the delete loses its new entry: that flow is scheduled again, as after an eviction.
 */
static int sets_delete_if(struct lb *lb, conn_pred pred, const void *arg, size_t *n)
{
	struct conn_slot *buf = calloc(SLOT_BATCH, sizeof(*buf));
	__u32 *keys = calloc(SLOT_BATCH, sizeof(*keys)), out, cnt, i;
	void *in = NULL; /* the walk's start; then the last key of the batch before */
	int err = 0, end = 0;

	*n = 0;
	if (!buf || !keys) {
		err = -ENOMEM;
		goto out;
	}
	while (!err && !end) {
		LIBBPF_OPTS(bpf_map_batch_opts, bo);

		cnt = SLOT_BATCH;
		if (bpf_map_lookup_batch(lb->fds[LB_MAP_CONN_SLOTS], in, &out, keys, buf, &cnt,
					 &bo)) {
			if (errno != ENOENT) {
				err = -errno;
				break;
			}
			end = 1; /* cnt holds the last slots */
		}
		in = &out;
		for (i = 0; i < cnt && !err; i++)
			if (slot_live(&buf[i]) && pred(&buf[i].key, &buf[i].val, arg)) {
				err = slot_write(lb, keys[i], &(struct conn_slot){ 0 });
				(*n)++;
			}
	}
out:
	free(buf);
	free(keys);
	return err;
}

int conns_delete_if(struct lb *lb, conn_pred pred, const void *arg, size_t *n)
{
	int err =
		lb->conn_sets ? sets_delete_if(lb, pred, arg, n) : lru_delete_if(lb, pred, arg, n);

	/* Void the flow caches' copies too, also of entries the table has since evicted. */
	return err ? err : lb_maps_changed(lb);
}
