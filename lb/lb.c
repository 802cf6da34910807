// SPDX-License-Identifier: GPL-2.0
/* The balancer library: load, pin, attach, configure, status (lb/lb.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lb/lb_priv.h"
#include "lb/maglev.h"
#include "common/path.h"
#include "common/log.h"

static const char *const lb_map_names[LB_MAP_MAX] = {
	[LB_MAP_CONFIG] = "lb_config",
	[LB_MAP_VIPS] = "vips",
	[LB_MAP_RINGS] = "rings",
	[LB_MAP_REALS] = "reals",
	[LB_MAP_CONNS] = "conns",
	[LB_MAP_STATS] = "stats",
	[LB_MAP_VIP_STATS] = "vip_stats",
	[LB_MAP_REAL_STATS] = "real_stats",
	[LB_MAP_VIP_NEW_FLOWS] = "vip_new_flows",
	[LB_MAP_VIP_FILTER] = "vip_filter",
	[LB_MAP_VIP_BY_ID] = "vip_by_id",
	[LB_MAP_FLOW_CACHE] = "flow_cache",
	[LB_MAP_CONN_SLOTS] = "conn_slots",
	[LB_MAP_POOLS] = "pools",
};
#define LB_LINK_PIN "xdp_link"

static struct lb *lb_alloc(void)
{
	struct lb *lb = calloc(1, sizeof(*lb));
	int i;

	if (!lb)
		return NULL;
	for (i = 0; i < LB_MAP_MAX; i++)
		lb->fds[i] = -1;
	lb->chain_fd = -1;
	lb->link_fd = -1;
	return lb;
}

/* The chain root, with the balancer in the last slot of its prog array. */
static int chain_load(struct lb *lb)
{
	__u32 slot = CHAIN_SLOT_BALANCER;
	int fd = bpf_program__fd(lb->skel->progs.balancer);

	int err;

	lb->root = root_bpf__open_and_load();
	if (!lb->root) {
		err = -errno;
		pr_warn("load the chain root: %s\n", strerror(-err));
		return err;
	}
	lb->chain_fd = bpf_map__fd(lb->root->maps.chain);
	if (bpf_map_update_elem(lb->chain_fd, &slot, &fd, BPF_ANY)) {
		err = -errno;
		pr_warn("put the balancer in slot %u of the chain: %s\n", slot, strerror(-err));
		return err;
	}
	return 0;
}

int lb_load(struct lb **out, __u32 ring_size)
{
	struct lb_load_opts opts = { .ring_size = ring_size };

	return lb_load_with(out, &opts);
}

int lb_load_with(struct lb **out, const struct lb_load_opts *opts)
{
	__u32 zero = 0, ring_size = opts->ring_size, entries;
	struct bpf_map *maps[LB_MAP_MAX];
	struct lb_config cfg = {};
	struct lb *lb;
	int err, i, tmpl;

	if (!ring_size)
		ring_size = LB_RING_SIZE_DEFAULT;
	if (!maglev_is_prime(ring_size)) {
		pr_warn("ring size %u is not prime; Maglev needs a prime (e.g. 65537)\n",
			ring_size);
		return -EINVAL;
	}
	lb = lb_alloc();
	if (!lb)
		return -ENOMEM;
	lb->ring_size = ring_size;
	lb->skel = balancer_bpf__open();
	if (!lb->skel) {
		err = -errno;
		pr_warn("open the balancer BPF object: %s\n", strerror(-err));
		goto err_free;
	}
	if ((unsigned int)opts->conn_kind >= CONN_KIND_MAX) {
		pr_warn("no connection table of kind %d\n", opts->conn_kind);
		err = -EINVAL;
		goto err_destroy;
	}
	if (opts->conn_kind == CONN_KIND_PERCPU) {
		err = bpf_map__set_map_flags(lb->skel->maps.conns, BPF_F_NO_COMMON_LRU);
		if (err)
			goto err_destroy;
	}
	entries = opts->conn_table ? opts->conn_table : LB_CONN_TABLE_SIZE;
	if (opts->conn_kind == CONN_KIND_SETS) {
		/* The sets take the entries; the LRU hash the program still names stays small. */
		lb->conn_sets = (entries + LB_CONN_WAYS - 1) / LB_CONN_WAYS;
		err = bpf_map__set_max_entries(lb->skel->maps.conn_slots,
					       lb->conn_sets * LB_CONN_WAYS);
		if (!err)
			err = bpf_map__set_max_entries(lb->skel->maps.conns, LB_CONN_LRU_UNUSED);
	} else {
		err = bpf_map__set_max_entries(lb->skel->maps.conns, entries);
	}
	if (err)
		goto err_destroy;
	/*
	 * The ring size is the inner map template's size. libbpf 1.1 crashes resizing the
	 * template in place (bpf_map__inner_map() has no object), so hand it a sized one.
	 */
	tmpl = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ring_tmpl", sizeof(__u32), sizeof(__u32),
			      ring_size, NULL);
	if (tmpl < 0) {
		err = -errno;
		goto err_destroy;
	}
	err = bpf_map__set_inner_map_fd(lb->skel->maps.rings, tmpl);
	if (!err)
		err = balancer_bpf__load(lb->skel);
	close(tmpl);
	if (err) {
		pr_warn("load the balancer: %s (the verifier's log, if it refused the program, is "
			"above; -vv shows libbpf's whole log)\n",
			strerror(-err));
		goto err_destroy;
	}
	maps[LB_MAP_CONFIG] = lb->skel->maps.lb_config;
	maps[LB_MAP_VIPS] = lb->skel->maps.vips;
	maps[LB_MAP_RINGS] = lb->skel->maps.rings;
	maps[LB_MAP_REALS] = lb->skel->maps.reals;
	maps[LB_MAP_CONNS] = lb->skel->maps.conns;
	maps[LB_MAP_STATS] = lb->skel->maps.stats;
	maps[LB_MAP_VIP_STATS] = lb->skel->maps.vip_stats;
	maps[LB_MAP_REAL_STATS] = lb->skel->maps.real_stats;
	maps[LB_MAP_VIP_NEW_FLOWS] = lb->skel->maps.vip_new_flows;
	maps[LB_MAP_VIP_FILTER] = lb->skel->maps.vip_filter;
	maps[LB_MAP_VIP_BY_ID] = lb->skel->maps.vip_by_id;
	maps[LB_MAP_FLOW_CACHE] = lb->skel->maps.flow_cache;
	maps[LB_MAP_CONN_SLOTS] = lb->skel->maps.conn_slots;
	for (i = 0; i < LB_MAP_POOLS; i++)
		lb->fds[i] = bpf_map__fd(maps[i]);
	lb->fds[LB_MAP_POOLS] = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pools", sizeof(__u32),
					       sizeof(struct lb_pool), LB_MAX_VIPS, NULL);
	if (lb->fds[LB_MAP_POOLS] < 0) {
		err = -errno;
		goto err_destroy;
	}

	cfg.ring_size = ring_size;
	cfg.conn_sets = lb->conn_sets;
	if (bpf_map_update_elem(lb->fds[LB_MAP_CONFIG], &zero, &cfg, BPF_ANY)) {
		err = -errno;
		goto err_pools;
	}
	if (opts->chain) {
		err = chain_load(lb);
		if (err)
			goto err_root;
	}
	*out = lb;
	return 0;

err_root:
	root_bpf__destroy(lb->root);
err_pools:
	close(lb->fds[LB_MAP_POOLS]);
err_destroy:
	balancer_bpf__destroy(lb->skel);
err_free:
	free(lb);
	return err;
}

int lb_open_pinned(struct lb **out, const char *dir)
{
	struct lb_config cfg;
	char path[PATH_MAX];
	struct lb *lb;
	int i, err;

	lb = lb_alloc();
	if (!lb)
		return -ENOMEM;
	for (i = 0; i < LB_MAP_MAX; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, lb_map_names[i]);
		lb->fds[i] = bpf_obj_get(path);
		if (lb->fds[i] < 0) {
			err = -errno;
			pr_warn("open pinned map %s: %s (is a balancer attached with this pin "
				"directory?)\n",
				path, strerror(-err));
			lb_close(lb);
			return err;
		}
	}
	/* Not chained, or not attached (yet): these are optional. */
	snprintf(path, sizeof(path), "%s/%s", dir, CHAIN_MAP_NAME);
	lb->chain_fd = bpf_obj_get(path);
	snprintf(path, sizeof(path), "%s/%s", dir, LB_LINK_PIN);
	lb->link_fd = bpf_obj_get(path);
	err = lb_config_get(lb, &cfg);
	if (err) {
		lb_close(lb);
		return err;
	}
	lb->ring_size = cfg.ring_size;
	lb->conn_sets = cfg.conn_sets;
	*out = lb;
	return 0;
}

/* Pin fd as dir/name, saying which pin failed. */
static int pin_one(int fd, const char *dir, const char *name)
{
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!bpf_obj_pin(fd, path))
		return 0;
	err = -errno;
	pr_warn("pin %s: %s\n", path, strerror(-err));
	return err;
}

int lb_pin(struct lb *lb, const char *dir)
{
	int i, err;

	err = path_mkdir_p(dir, 0700);
	if (err) {
		pr_warn("create pin directory %s: %s (is bpffs mounted on /sys/fs/bpf?)\n", dir,
			strerror(-err));
		return err;
	}
	for (i = 0; i < LB_MAP_MAX && !err; i++)
		err = pin_one(lb->fds[i], dir, lb_map_names[i]);
	/*
	 * The pin also keeps the chain's members: a prog array is emptied when the last
	 * reference from user space (fd or pin) goes, whatever programs still use it.
	 */
	if (!err && lb->chain_fd >= 0)
		err = pin_one(lb->chain_fd, dir, CHAIN_MAP_NAME);
	if (!err && lb->link_fd >= 0)
		err = pin_one(lb->link_fd, dir, LB_LINK_PIN);
	return err;
}

/*
 * Detach the XDP link pinned at path now. Removing the pin alone drops a reference the
 * kernel may release later (the inode goes when its last user does), so right after
 * `dsrlab-lb detach` returned the program could still be on the interface.
 */
static void link_detach_pinned(const char *path)
{
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return;
	if (bpf_link_detach(fd) && errno != ENOLINK)
		pr_warn("detach the XDP link %s: %s\n", path, strerror(errno));
	close(fd);
}

int lb_unpin(const char *dir)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < LB_MAP_MAX; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, lb_map_names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, LB_LINK_PIN);
	link_detach_pinned(path);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, CHAIN_MAP_NAME);
	unlink(path);
	if (rmdir(dir) && errno != ENOENT)
		return -errno;
	return 0;
}

int lb_attach(struct lb *lb, int ifindex, enum xdp_mode mode, enum xdp_mode *granted)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int fd, err;

	if (!lb->skel)
		return -EINVAL;
	opts.flags = mode == XDP_MODE_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	fd = bpf_link_create(lb_prog_fd(lb), ifindex, BPF_XDP, &opts);
	if (fd < 0) {
		err = -errno;
		if (mode == XDP_MODE_NATIVE && (err == -EOPNOTSUPP || err == -EINVAL))
			pr_warn("attach XDP to ifindex %d (native): %s; the driver may have no "
				"native XDP: use mode skb to run in generic mode\n",
				ifindex, strerror(-err));
		else if (err == -EBUSY || err == -EEXIST)
			pr_warn("attach XDP to ifindex %d: another XDP program is attached; detach "
				"it first\n",
				ifindex);
		else
			pr_warn("attach XDP to ifindex %d (%s): %s\n", ifindex, xdp_mode_name(mode),
				strerror(-err));
		return err;
	}
	lb->link_fd = fd;
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	*granted = q.attach_mode == XDP_ATTACHED_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE;
	if (*granted != mode) {
		pr_warn("XDP on ifindex %d runs in %s mode, %s was asked for\n", ifindex,
			xdp_mode_name(*granted), xdp_mode_name(mode));
		return -EOPNOTSUPP;
	}
	return 0;
}

void lb_close(struct lb *lb)
{
	int i;

	if (!lb)
		return;
	if (lb->link_fd >= 0)
		close(lb->link_fd);
	if (lb->root)
		root_bpf__destroy(lb->root);
	else if (lb->chain_fd >= 0)
		close(lb->chain_fd);
	if (lb->skel) {
		balancer_bpf__destroy(lb->skel);
		close(lb->fds[LB_MAP_POOLS]);
	} else {
		for (i = 0; i < LB_MAP_MAX; i++)
			if (lb->fds[i] >= 0)
				close(lb->fds[i]);
	}
	free(lb);
}

/* Is some VIP an all-ports VIP (port 0)? Then the data plane must look for one. */
static bool any_port_vips(struct lb *lb)
{
	struct vip_key key, next, *prev = NULL;

	while (!bpf_map_get_next_key(lb->fds[LB_MAP_VIPS], prev, &next)) {
		if (!next.port)
			return true;
		key = next;
		prev = &key;
	}
	return false;
}

/*
 * vip_filter from the VIPs there are now: slots of new addresses are set before those of
 * addresses gone are cleared, and a slot that stays set is never written, so no packet to a
 * VIP meets a zero slot meanwhile.
 */
static int vip_filter_sync(struct lb *lb)
{
	__u32 *want, *keys, *have, slot, n = LB_VIP_FILTER_SLOTS, one = 1, zero = 0, batch;
	int fd = lb->fds[LB_MAP_VIP_FILTER], pass, err = 0;
	struct vip_key key, next, *prev = NULL;

	LIBBPF_OPTS(bpf_map_batch_opts, bopts);
	want = calloc(n, sizeof(*want));
	keys = calloc(n, sizeof(*keys));
	have = calloc(n, sizeof(*have));
	if (!want || !keys || !have) {
		err = -ENOMEM;
		goto out;
	}
	while (!bpf_map_get_next_key(lb->fds[LB_MAP_VIPS], prev, &next)) {
		want[lb_vip_filter_slot(next.addr)] = 1;
		key = next;
		prev = &key;
	}
	/* The whole filter in one call (ENOENT: that was all of it). */
	if (bpf_map_lookup_batch(fd, NULL, &batch, keys, have, &n, &bopts) && errno != ENOENT) {
		err = -errno;
		goto out;
	}
	if (n != LB_VIP_FILTER_SLOTS) {
		err = -EIO;
		goto out;
	}
	for (pass = 1; pass >= 0 && !err; pass--)
		for (slot = 0; slot < n && !err; slot++)
			if (want[keys[slot]] == (__u32)pass && !have[slot] != !pass &&
			    bpf_map_update_elem(fd, &keys[slot], pass ? &one : &zero, BPF_ANY))
				err = -errno;
out:
	free(want);
	free(keys);
	free(have);
	return err;
}

int lb_config_set(struct lb *lb, const struct lb_config *cfg)
{
	struct lb_config c = *cfg, old;
	__u32 zero = 0;
	int err;

	/*
	 * A new epoch with every change: the flow caches' copies are void, and the next packet
	 * of each flow takes its entry from the table again (LB_CFG_F_FLOW_CACHE).
	 */
	c.cache_epoch = lb_config_get(lb, &old) ? 1 : old.cache_epoch + 1;
	c.flags &= ~LB_CFG_F_ANY_PORT_VIPS;
	if (any_port_vips(lb))
		c.flags |= LB_CFG_F_ANY_PORT_VIPS;
	err = vip_filter_sync(lb);
	if (err) {
		pr_warn("update the VIP-address filter: %s\n", strerror(-err));
		return err;
	}
	/*
	 * vip_filter is synced, lb_vip_add/del keep vip_by_id, and whatever changes the table
	 * (conns_flush, lb_maps_changed) comes here for a new epoch: the shortcuts hold.
	 */
	c.flags |= LB_CFG_F_VIP_FILTER | LB_CFG_F_CONN_FIRST | LB_CFG_F_FLOW_CACHE;

	if (c.mtu && c.mtu < LB_MTU_MIN) {
		pr_warn("mtu %u is below %u: the too-big answer would not fit its quote\n", c.mtu,
			LB_MTU_MIN);
		return -EINVAL;
	}
	c.ring_size = lb->ring_size; /* fixed when the maps were made */
	c.conn_sets = lb->conn_sets;
	if (bpf_map_update_elem(lb->fds[LB_MAP_CONFIG], &zero, &c, BPF_ANY))
		return -errno;
	return 0;
}

int lb_config_get(struct lb *lb, struct lb_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(lb->fds[LB_MAP_CONFIG], &zero, cfg))
		return -errno;
	return 0;
}

int config_refresh(struct lb *lb)
{
	struct lb_config cfg;
	int err = lb_config_get(lb, &cfg);

	return err ? err : lb_config_set(lb, &cfg);
}

int lb_status_get(struct lb *lb, struct lb_status *st)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_link_info link = {};
	struct bpf_map_info map = {};
	__u32 len = sizeof(map);

	memset(st, 0, sizeof(*st));
	st->chained = lb->chain_fd >= 0;
	if (bpf_obj_get_info_by_fd(lb->fds[LB_MAP_CONNS], &map, &len))
		return -errno;
	st->conns_percpu = map.map_flags & BPF_F_NO_COMMON_LRU;
	/* The sets as the kernel sized them: one unused slot when the LRU hash is the table. */
	memset(&map, 0, sizeof(map));
	len = sizeof(map);
	if (bpf_obj_get_info_by_fd(lb->fds[LB_MAP_CONN_SLOTS], &map, &len))
		return -errno;
	st->conn_sets = map.max_entries >= LB_CONN_WAYS ? map.max_entries / LB_CONN_WAYS : 0;
	if (lb->link_fd < 0)
		return 0;
	len = sizeof(link);
	if (bpf_obj_get_info_by_fd(lb->link_fd, &link, &len))
		return -errno;
	st->attached = link.xdp.ifindex != 0; /* 0: the interface is gone */
	st->ifindex = link.xdp.ifindex;
	st->prog_id = link.prog_id;
	st->mode = XDP_MODE_NATIVE;
	if (st->attached && !bpf_xdp_query(st->ifindex, 0, &q) && q.skb_prog_id == link.prog_id)
		st->mode = XDP_MODE_SKB;
	return 0;
}

int lb_chain_fd(struct lb *lb)
{
	return lb->chain_fd;
}

int lb_link_fd(struct lb *lb)
{
	return lb->link_fd;
}

int lb_conns_fd(struct lb *lb)
{
	return lb->fds[LB_MAP_CONNS];
}

static enum conn_kind conn_kind_of(const struct lb_status *st)
{
	return st->conn_sets ? CONN_KIND_SETS : st->conns_percpu ? CONN_KIND_PERCPU : CONN_KIND_LRU;
}

const char *lb_conn_table_name(const struct lb_status *st)
{
	return conn_kind_name(conn_kind_of(st));
}

int lb_maps_changed(struct lb *lb)
{
	return config_refresh(lb);
}

int lb_vip_filter_fd(struct lb *lb)
{
	return lb->fds[LB_MAP_VIP_FILTER];
}

int lb_prog_fd(struct lb *lb)
{
	if (lb->root)
		return bpf_program__fd(lb->root->progs.chain_root);
	return lb->skel ? bpf_program__fd(lb->skel->progs.balancer) : -1;
}
