// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lb/lb.h"
#include "common/arg.h"
#include "lb/maglev.h"
#include "common/path.h"
#include "common/percpu.h"
#include "common/log.h"
#include "common/parse.h"
#include "common/encap_family.h"
#include "balancer.skel.h"
#include "root.skel.h"

enum lb_map {
	LB_MAP_CONFIG,
	LB_MAP_VIPS,
	LB_MAP_RINGS,
	LB_MAP_REALS,
	LB_MAP_CONNS,
	LB_MAP_STATS,
	LB_MAP_VIP_STATS,
	LB_MAP_REAL_STATS,
	LB_MAP_VIP_NEW_FLOWS,
	LB_MAP_VIP_FILTER,
	LB_MAP_VIP_BY_ID,
	LB_MAP_POOLS, /* user space only: created here, not by the BPF object */
	LB_MAP_MAX
};

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
	[LB_MAP_POOLS] = "pools",
};

#define LB_LINK_PIN "xdp_link"

/* A VIP's pool (value of "pools", keyed by vip_id): what its ring was built from. */
struct lb_pool {
	__u32 n;
	__u32 pad;
	struct {
		__u32 real_id;
		__u32 weight;
	} m[LB_POOL_MAX];
};
_Static_assert(sizeof(struct lb_pool) == 8 + 8 * LB_POOL_MAX, "lb_pool layout");

struct lb {
	struct balancer_bpf *skel; /* NULL when opened from pins */
	struct root_bpf *root; /* the chain root, when this process loaded it */
	int fds[LB_MAP_MAX];
	int chain_fd; /* the chain's prog array; -1: not chained */
	int link_fd;
	__u32 ring_size;
};

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
	__u32 zero = 0, ring_size = opts->ring_size;
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
	if (opts->conns_percpu) {
		err = bpf_map__set_map_flags(lb->skel->maps.conns, BPF_F_NO_COMMON_LRU);
		if (err)
			goto err_destroy;
	}
	if (opts->conn_table) {
		err = bpf_map__set_max_entries(lb->skel->maps.conns, opts->conn_table);
		if (err)
			goto err_destroy;
	}
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
	for (i = 0; i < LB_MAP_POOLS; i++)
		lb->fds[i] = bpf_map__fd(maps[i]);
	lb->fds[LB_MAP_POOLS] = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pools", sizeof(__u32),
					       sizeof(struct lb_pool), LB_MAX_VIPS, NULL);
	if (lb->fds[LB_MAP_POOLS] < 0) {
		err = -errno;
		goto err_destroy;
	}

	cfg.ring_size = ring_size;
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
	int fd = lb->fds[LB_MAP_VIP_FILTER], pass, err = 0;
	struct vip_key key, next, *prev = NULL;
	__u32 *want, slot, have, one = 1, zero = 0;

	want = calloc(LB_VIP_FILTER_SLOTS, sizeof(*want));
	if (!want)
		return -ENOMEM;
	while (!bpf_map_get_next_key(lb->fds[LB_MAP_VIPS], prev, &next)) {
		want[lb_vip_filter_slot(next.addr)] = 1;
		key = next;
		prev = &key;
	}
	for (pass = 1; pass >= 0 && !err; pass--) {
		for (slot = 0; slot < LB_VIP_FILTER_SLOTS && !err; slot++) {
			if (want[slot] != (__u32)pass || bpf_map_lookup_elem(fd, &slot, &have))
				continue;
			if (!have != !pass &&
			    bpf_map_update_elem(fd, &slot, pass ? &one : &zero, BPF_ANY))
				err = -errno;
		}
	}
	free(want);
	return err;
}

int lb_config_set(struct lb *lb, const struct lb_config *cfg)
{
	struct lb_config c = *cfg;
	__u32 zero = 0;
	int err;

	c.flags &= ~LB_CFG_F_ANY_PORT_VIPS;
	if (any_port_vips(lb))
		c.flags |= LB_CFG_F_ANY_PORT_VIPS;
	err = vip_filter_sync(lb);
	if (err) {
		pr_warn("update the VIP-address filter: %s\n", strerror(-err));
		return err;
	}
	/* vip_filter is synced and lb_vip_add/del keep vip_by_id: both shortcuts hold. */
	c.flags |= LB_CFG_F_VIP_FILTER | LB_CFG_F_CONN_FIRST;

	if (c.mtu && c.mtu < LB_MTU_MIN) {
		pr_warn("mtu %u is below %u: the too-big answer would not fit its quote\n", c.mtu,
			LB_MTU_MIN);
		return -EINVAL;
	}
	c.ring_size = lb->ring_size; /* fixed when the maps were made */
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

/* Rewrite the config as it is, so the flags the library keeps follow the VIPs. */
static int config_refresh(struct lb *lb)
{
	struct lb_config cfg;
	int err = lb_config_get(lb, &cfg);

	return err ? err : lb_config_set(lb, &cfg);
}

void vip_key_from_endpoint(const struct endpoint *e, struct vip_key *key)
{
	memset(key, 0, sizeof(*key));
	memcpy(key->addr, e->addr.bytes, e->addr.family == FAM_IPV6 ? 16 : 4);
	key->port = htons(e->port);
	key->proto = e->proto;
	key->family = e->addr.family;
}

static const char *const lb_encap_names[ENCAP_MAX] = {
	[ENCAP_NONE] = "none", [ENCAP_IPIP] = "ipip", [ENCAP_IP6IP6] = "ip6ip6",
	[ENCAP_4IN6] = "4in6", [ENCAP_6IN4] = "6in4", [ENCAP_GUE] = "gue",
};

const char *lb_encap_name(__u8 encap)
{
	return encap < ENCAP_MAX ? lb_encap_names[encap] : "?";
}

int lb_encap_parse(const char *s, __u8 *encap)
{
	static const __u8 produced[] = { ENCAP_IPIP, ENCAP_IP6IP6, ENCAP_4IN6, ENCAP_GUE };
	size_t i;

	for (i = 0; i < sizeof(produced); i++) {
		if (!strcmp(s, lb_encap_names[produced[i]])) {
			*encap = produced[i];
			return 0;
		}
	}
	return -EINVAL;
}

static bool src_per_flow_varies(const struct lb_config *cfg, int fam)
{
	__u8 plen = fam == FAM_IPV4 ? cfg->src_v4_prefix_len : cfg->src_v6_prefix_len;

	return plen && plen < (fam == FAM_IPV4 ? 32 : 128);
}

static bool src_v6_set(const struct lb_config *cfg)
{
	return cfg->src_v6[0] || cfg->src_v6[1] || cfg->src_v6[2] || cfg->src_v6[3];
}

/* Can encap carry this VIP with these flags on this balancer (cfg)? Says why not. */
static int vip_check(const struct endpoint *vip, __u8 encap, __u32 flags,
		     const struct lb_config *cfg)
{
	static const char *const hint[] = {
		[FAM_IPV4] = "ipip, 4in6 or gue", [FAM_IPV6] = "ip6ip6 or gue"
	};
	int fam = encap_inner_family(encap);
	char buf[ADDR_STRLEN];

	endpoint_str(vip, buf, sizeof(buf));
	if (fam < 0) {
		pr_warn("VIP %s: the balancer cannot write encapsulation %s; use ipip, ip6ip6, 4in6 "
			"or gue\n",
			buf, lb_encap_name(encap));
		return -EINVAL;
	}
	if (vip->addr.family != FAM_IPV4 && vip->addr.family != FAM_IPV6) {
		pr_warn("VIP %s: no address family\n", buf);
		return -EINVAL;
	}
	if (fam != FAM_NONE && fam != vip->addr.family) {
		pr_warn("VIP %s: %s carries IPv%d VIPs only; for an IPv%d VIP use %s\n", buf,
			lb_encap_name(encap), fam, vip->addr.family, hint[vip->addr.family]);
		return -EINVAL;
	}
	if (flags & ~VIP_F_ALL) {
		pr_warn("VIP %s: unknown flags 0x%x\n", buf, flags & ~VIP_F_ALL);
		return -EINVAL;
	}
	if (encap == ENCAP_GUE && !cfg->gue_port) {
		pr_warn("VIP %s: gue needs the balancer's GUE port set first (attach --gue-port N, "
			"lb_config.gue_port)\n",
			buf);
		return -EINVAL;
	}
	return 0;
}

/* A per-flow source needs a prefix to vary in: say so when there is none (not an error). */
static void vip_src_per_flow_warn(const struct endpoint *vip, __u8 encap, __u32 flags,
				  const struct lb_config *cfg)
{
	int out = encap_outer_family(encap);
	char buf[ADDR_STRLEN];

	if (!(flags & VIP_F_SRC_PER_FLOW) ||
	    (out != FAM_IPV6 && src_per_flow_varies(cfg, FAM_IPV4)) ||
	    (out != FAM_IPV4 && src_per_flow_varies(cfg, FAM_IPV6)))
		return;
	pr_warn("VIP %s: per-flow outer source asked for, but no source prefix is configured "
		"(attach --src ADDR/LEN, lb_config.src_v*_prefix_len): the source stays fixed\n",
		endpoint_str(vip, buf, sizeof(buf)));
}

/* Is the backend of the outer family, with an outer source of that family configured? */
/*
 * An IPv6 VIP must keep IPv6's minimum MTU under lb_config.mtu once encapsulated: otherwise a
 * packet-too-big could only advertise 1280 to a client whose packet already fits it, and the
 * client cannot comply (RFC 8200 5). Refused, never clamped.
 */
static int ipv6_mtu_check(const char *vbuf, const char *abuf, const struct endpoint *vip,
			  __u8 encap, const struct ip_addr *a, const struct lb_config *cfg)
{
	unsigned int overhead;

	if (vip->addr.family != FAM_IPV6 || !cfg->mtu)
		return 0;
	overhead = encap_overhead(encap, a->family);
	if (cfg->mtu >= IPV6_MIN_MTU + overhead)
		return 0;
	pr_warn("VIP %s: backend %s: --mtu %u leaves %u bytes for IPv6 once %s adds %u, below "
		"IPv6's minimum MTU %u (a client could not comply with packet-too-big); attach "
		"with --mtu %u or more\n",
		vbuf, abuf, cfg->mtu, cfg->mtu - overhead, lb_encap_name(encap), overhead,
		IPV6_MIN_MTU, IPV6_MIN_MTU + overhead);
	return -EINVAL;
}

static int backend_check(const struct endpoint *vip, __u8 encap, const struct ip_addr *a,
			 const struct lb_config *cfg)
{
	int out = encap_outer_family(encap);
	char vbuf[ADDR_STRLEN], abuf[ADDR_STRLEN];

	endpoint_str(vip, vbuf, sizeof(vbuf));
	addr_str(a, abuf, sizeof(abuf));
	if (a->family != FAM_IPV4 && a->family != FAM_IPV6) {
		pr_warn("VIP %s: backend without an address family\n", vbuf);
		return -EINVAL;
	}
	if (out > FAM_NONE && a->family != out) { /* -1: never written, vip_check refuses it */
		pr_warn("VIP %s: backend %s is IPv%d, but %s sends an IPv%d outer header; give it an "
			"IPv%d backend%s\n",
			vbuf, abuf, a->family, lb_encap_name(encap), out, out,
			encap == ENCAP_IPIP ? " (or use 4in6 or gue for IPv6 backends)" : "");
		return -EINVAL;
	}
	if (a->family == FAM_IPV4 && !cfg->src_v4) {
		pr_warn("VIP %s: backend %s needs an IPv4 outer source: attach --src ADDR\n", vbuf,
			abuf);
		return -EINVAL;
	}
	if (a->family == FAM_IPV6 && !src_v6_set(cfg)) {
		pr_warn("VIP %s: backend %s needs an IPv6 outer source: attach --src6 ADDR\n", vbuf,
			abuf);
		return -EINVAL;
	}
	return ipv6_mtu_check(vbuf, abuf, vip, encap, a, cfg);
}

int lb_vip_check(struct lb *lb, const struct endpoint *vip, __u8 encap, __u32 flags,
		 const struct lb_backend *b, int n)
{
	struct lb_config cfg;
	int i, err;

	err = lb_config_get(lb, &cfg);
	if (err)
		return err;
	err = vip_check(vip, encap, flags, &cfg);
	for (i = 0; !err && i < n; i++)
		err = backend_check(vip, encap, &b[i].addr, &cfg);
	return err;
}

int lb_vip_add(struct lb *lb, const struct endpoint *vip, __u8 encap, __u32 flags)
{
	unsigned char used[LB_MAX_VIPS] = {};
	struct vip_key key, next, *prev = NULL;
	struct vip_meta meta = {};
	struct lb_config cfg;
	__u32 id;
	int err;

	err = lb_config_get(lb, &cfg);
	if (err)
		return err;
	err = vip_check(vip, encap, flags, &cfg);
	if (err)
		return err;
	vip_src_per_flow_warn(vip, encap, flags, &cfg);
	vip_key_from_endpoint(vip, &key);
	if (!bpf_map_lookup_elem(lb->fds[LB_MAP_VIPS], &key, &meta)) {
		meta.encap = encap;
		meta.flags = flags;
		goto update;
	}
	while (!bpf_map_get_next_key(lb->fds[LB_MAP_VIPS], prev, &next)) {
		struct vip_meta m;

		if (!bpf_map_lookup_elem(lb->fds[LB_MAP_VIPS], &next, &m) && m.vip_id < LB_MAX_VIPS)
			used[m.vip_id] = 1;
		key = next; /* reuse key as the cursor; restored below */
		prev = &key;
	}
	for (id = 0; id < LB_MAX_VIPS && used[id]; id++)
		;
	if (id == LB_MAX_VIPS)
		return -ENOSPC;
	vip_key_from_endpoint(vip, &key);
	meta.vip_id = id;
	meta.encap = encap;
	meta.flags = flags;
update:
	/* A new generation: connection entries of the VIP as it was no longer name it. */
	do {
		if (getrandom(&meta.gen, sizeof(meta.gen), 0) != sizeof(meta.gen))
			return -errno;
	} while (!meta.gen);
	if (bpf_map_update_elem(lb->fds[LB_MAP_VIPS], &key, &meta, BPF_ANY) ||
	    bpf_map_update_elem(lb->fds[LB_MAP_VIP_BY_ID], &meta.vip_id, &meta, BPF_ANY))
		return -errno;
	return config_refresh(lb);
}

static int pool_clear(struct lb *lb, __u32 vip_id)
{
	struct lb_pool pool = {};

	if (bpf_map_update_elem(lb->fds[LB_MAP_POOLS], &vip_id, &pool, BPF_ANY))
		return -errno;
	return 0;
}

int lb_vip_del(struct lb *lb, const struct endpoint *vip)
{
	struct vip_meta meta;
	struct vip_key key;

	vip_key_from_endpoint(vip, &key);
	if (bpf_map_lookup_elem(lb->fds[LB_MAP_VIPS], &key, &meta))
		return -ENOENT;
	if (bpf_map_delete_elem(lb->fds[LB_MAP_VIPS], &key))
		return -errno;
	/* Generation 0 is no VIP's: the VIP's connection entries name nothing now. */
	bpf_map_update_elem(lb->fds[LB_MAP_VIP_BY_ID], &meta.vip_id, &(struct vip_meta){}, BPF_ANY);
	bpf_map_delete_elem(lb->fds[LB_MAP_RINGS], &meta.vip_id);
	/* The id is free for the next VIP: let it start with no pool and no counts. */
	pool_clear(lb, meta.vip_id);
	percpu_clear(lb->fds[LB_MAP_VIP_NEW_FLOWS], meta.vip_id, sizeof(__u64));
	percpu_clear(lb->fds[LB_MAP_VIP_STATS], meta.vip_id, sizeof(struct lb_counter));
	return config_refresh(lb);
}

/* The real id holding addr, or a new one. */
static int real_id_get(struct lb *lb, const struct ip_addr *addr, __u32 *out)
{
	struct real_def def, want = {};
	__u32 id, free_id = 0;

	want.family = addr->family;
	memcpy(want.addr, addr->bytes, 16);
	for (id = 1; id < LB_MAX_REALS; id++) {
		if (bpf_map_lookup_elem(lb->fds[LB_MAP_REALS], &id, &def))
			return -errno;
		if (def.family == FAM_NONE) {
			if (!free_id)
				free_id = id;
			continue;
		}
		if (!memcmp(&def, &want, sizeof(def))) {
			*out = id;
			return 0;
		}
	}
	if (!free_id)
		return -ENOSPC;
	if (bpf_map_update_elem(lb->fds[LB_MAP_REALS], &free_id, &want, BPF_ANY))
		return -errno;
	*out = free_id;
	return 0;
}

static int ring_install(struct lb *lb, __u32 vip_id, const __u32 *ring)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bopts);
	__u32 *keys, i, count = lb->ring_size;
	int fd, err = 0;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ring", sizeof(__u32), sizeof(__u32), lb->ring_size,
			    NULL);
	if (fd < 0)
		return -errno;
	keys = malloc(sizeof(*keys) * lb->ring_size);
	if (!keys) {
		close(fd);
		return -ENOMEM;
	}
	for (i = 0; i < lb->ring_size; i++)
		keys[i] = i;
	if (bpf_map_update_batch(fd, keys, ring, &count, &bopts))
		err = -errno;
	/* One update switches the VIP from its old ring to the complete new one. */
	if (!err && bpf_map_update_elem(lb->fds[LB_MAP_RINGS], &vip_id, &fd, BPF_ANY))
		err = -errno;
	free(keys);
	close(fd);
	return err;
}

int lb_vip_set_backends(struct lb *lb, const struct endpoint *vip, const struct lb_backend *b,
			int n)
{
	struct lb_pool pool = { .n = n };
	struct maglev_backend *mb;
	struct lb_config cfg;
	struct vip_meta meta;
	struct vip_key key;
	char buf[ADDR_STRLEN];
	__u32 *ring;
	int i, err;

	vip_key_from_endpoint(vip, &key);
	if (bpf_map_lookup_elem(lb->fds[LB_MAP_VIPS], &key, &meta))
		return -ENOENT;
	if (n > LB_POOL_MAX) {
		pr_warn("VIP %s: %d backends, at most %d per VIP\n",
			endpoint_str(vip, buf, sizeof(buf)), n, LB_POOL_MAX);
		return -E2BIG;
	}
	err = lb_config_get(lb, &cfg);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		err = backend_check(vip, meta.encap, &b[i].addr, &cfg);
		if (err)
			return err;
	}
	mb = calloc(n ? n : 1, sizeof(*mb));
	ring = malloc(sizeof(*ring) * lb->ring_size);
	if (!mb || !ring) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		err = real_id_get(lb, &b[i].addr, &mb[i].value);
		if (err)
			goto out;
		mb[i].id = b[i].addr.bytes;
		mb[i].id_len = sizeof(b[i].addr.bytes);
		mb[i].weight = b[i].weight;
		pool.m[i].real_id = mb[i].value;
		pool.m[i].weight = b[i].weight;
	}
	err = maglev_build(mb, n, ring, lb->ring_size, LB_REAL_NONE);
	if (!err)
		err = ring_install(lb, meta.vip_id, ring);
	/* After the swap: the pool on record is the one the data plane runs. */
	if (!err && bpf_map_update_elem(lb->fds[LB_MAP_POOLS], &meta.vip_id, &pool, BPF_ANY))
		err = -errno;
out:
	free(mb);
	free(ring);
	return err;
}

/* The stats map holds one struct lb_stats per CPU at key 0 (common/maps.h). */
int lb_stats_read(struct lb *lb, struct lb_counter out[LB_STAT_MAX])
{
	int err = percpu_sum_u64(lb->fds[LB_MAP_STATS], 0, (__u64 *)out, LB_STAT_MAX * 2);

	return err == -ENOENT ? 0 : err;
}

int lb_stats_read_cpus(struct lb *lb, struct lb_counter (*out)[LB_STAT_MAX], int ncpu)
{
	int possible = libbpf_num_possible_cpus(), c;
	struct lb_stats *v;
	__u32 zero = 0;

	if (possible < 0)
		return possible;
	if (ncpu < possible)
		return -EINVAL;
	v = calloc(possible, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(lb->fds[LB_MAP_STATS], &zero, v))
		memset(v, 0, possible * sizeof(*v));
	for (c = 0; c < possible; c++)
		memcpy(out[c], v[c].c, sizeof(v[c].c));
	free(v);
	return 0;
}

static void endpoint_from_vip_key(const struct vip_key *key, struct endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->addr.family = key->family;
	memcpy(e->addr.bytes, key->addr, key->family == FAM_IPV6 ? 16 : 4);
	e->port = ntohs(key->port);
	e->proto = key->proto;
}

static int real_addr_get(struct lb *lb, __u32 real_id, struct ip_addr *addr)
{
	struct real_def def;

	if (bpf_map_lookup_elem(lb->fds[LB_MAP_REALS], &real_id, &def))
		return -errno;
	if (def.family == FAM_NONE)
		return -ENOENT;
	memset(addr, 0, sizeof(*addr));
	addr->family = def.family;
	memcpy(addr->bytes, def.addr, 16);
	return 0;
}

static int vip_info_fill(struct lb *lb, const struct vip_key *key, const struct vip_meta *meta,
			 struct lb_vip_info *info)
{
	struct lb_pool pool;
	__u32 i;
	int err;

	memset(info, 0, sizeof(*info));
	endpoint_from_vip_key(key, &info->vip);
	info->vip_id = meta->vip_id;
	info->flags = meta->flags;
	info->encap = meta->encap;
	if (bpf_map_lookup_elem(lb->fds[LB_MAP_POOLS], &meta->vip_id, &pool))
		return -errno;
	for (i = 0; i < pool.n && i < LB_POOL_MAX; i++) {
		err = real_addr_get(lb, pool.m[i].real_id, &info->pool[i].addr);
		if (err)
			return err;
		info->pool[i].weight = pool.m[i].weight;
		info->real_id[i] = pool.m[i].real_id;
	}
	info->n = i;
	err = percpu_sum_u64(lb->fds[LB_MAP_VIP_NEW_FLOWS], meta->vip_id, &info->new_flows, 1);
	return err ? err :
		     percpu_sum_u64(lb->fds[LB_MAP_VIP_STATS], meta->vip_id,
				    &info->counters.packets, 2);
}

int lb_vip_get(struct lb *lb, const struct endpoint *vip, struct lb_vip_info *out)
{
	struct vip_meta meta;
	struct vip_key key;

	vip_key_from_endpoint(vip, &key);
	if (bpf_map_lookup_elem(lb->fds[LB_MAP_VIPS], &key, &meta))
		return -ENOENT;
	return vip_info_fill(lb, &key, &meta, out);
}

static int vip_info_cmp(const void *a, const void *b)
{
	const struct lb_vip_info *x = a, *y = b;

	return x->vip_id < y->vip_id ? -1 : x->vip_id > y->vip_id;
}

int lb_vip_list(struct lb *lb, struct lb_vip_info **out, int *n)
{
	struct vip_key key, *prev = NULL;
	struct lb_vip_info *v;
	struct vip_meta meta;
	int i = 0, err = 0;

	v = calloc(LB_MAX_VIPS, sizeof(*v));
	if (!v)
		return -ENOMEM;
	while (i < LB_MAX_VIPS && !bpf_map_get_next_key(lb->fds[LB_MAP_VIPS], prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(lb->fds[LB_MAP_VIPS], &key, &meta))
			continue; /* deleted meanwhile */
		err = vip_info_fill(lb, &key, &meta, &v[i]);
		if (err)
			break;
		i++;
	}
	if (err) {
		free(v);
		return err;
	}
	qsort(v, i, sizeof(*v), vip_info_cmp);
	*out = v;
	*n = i;
	return 0;
}

static int pool_find(const struct lb_vip_info *info, const struct ip_addr *addr)
{
	int i;

	for (i = 0; i < info->n; i++)
		if (addr_equal(&info->pool[i].addr, addr))
			return i;
	return -1;
}

/* The VIP and the index of addr in its pool; says why when either is missing. */
static int pool_lookup(struct lb *lb, const struct endpoint *vip, const struct ip_addr *addr,
		       struct lb_vip_info *info, int *idx)
{
	char vbuf[ADDR_STRLEN], abuf[ADDR_STRLEN];

	endpoint_str(vip, vbuf, sizeof(vbuf));
	if (lb_vip_get(lb, vip, info)) {
		pr_warn("VIP %s: no such VIP (vip list shows them)\n", vbuf);
		return -ENOENT;
	}
	*idx = pool_find(info, addr);
	if (*idx < 0) {
		pr_warn("VIP %s: backend %s is not in its pool\n", vbuf,
			addr_str(addr, abuf, sizeof(abuf)));
		return -ENOENT;
	}
	return 0;
}

int lb_real_add(struct lb *lb, const struct endpoint *vip, const struct lb_backend *b)
{
	char vbuf[ADDR_STRLEN], abuf[ADDR_STRLEN];
	struct lb_vip_info *info;
	int err;

	info = malloc(sizeof(*info));
	if (!info)
		return -ENOMEM;
	endpoint_str(vip, vbuf, sizeof(vbuf));
	err = lb_vip_get(lb, vip, info);
	if (err) {
		pr_warn("VIP %s: no such VIP; add it first (vip add)\n", vbuf);
		goto out;
	}
	if (pool_find(info, &b->addr) >= 0) {
		pr_warn("VIP %s: backend %s is already in its pool; change its weight with real "
			"weight\n",
			vbuf, addr_str(&b->addr, abuf, sizeof(abuf)));
		err = -EEXIST;
		goto out;
	}
	if (info->n == LB_POOL_MAX) {
		pr_warn("VIP %s: its pool is full (%d backends)\n", vbuf, LB_POOL_MAX);
		err = -ENOSPC;
		goto out;
	}
	info->pool[info->n++] = *b;
	err = lb_vip_set_backends(lb, vip, info->pool, info->n);
out:
	free(info);
	return err;
}

/*
 * Delete the connection table entries of vip's flows that went to real_id. Keys are
 * collected first: deleting the key get_next_key stands on restarts the walk.
 */
static int conns_flush(struct lb *lb, const struct endpoint *vip, __u32 real_id)
{
	struct flow_key key, *prev = NULL, *keys = NULL, *grown;
	int fd = lb->fds[LB_MAP_CONNS], alen = 16;
	size_t n = 0, cap = 0, i;
	struct vip_key vk;
	struct conn_val cv;

	vip_key_from_endpoint(vip, &vk);
	if (vk.family == FAM_IPV4)
		alen = 4;
	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (key.family != vk.family || key.proto != vk.proto ||
		    memcmp(key.dstv6, vk.addr, alen) || (vk.port && key.port16[1] != vk.port) ||
		    bpf_map_lookup_elem(fd, &key, &cv) || cv.real_id != real_id)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			grown = realloc(keys, cap * sizeof(*keys));
			if (!grown) {
				free(keys);
				return -ENOMEM;
			}
			keys = grown;
		}
		keys[n++] = key;
	}
	for (i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &keys[i]);
	free(keys);
	pr_info("flushed %zu connection table entries\n", n);
	return 0;
}

int lb_real_del(struct lb *lb, const struct endpoint *vip, const struct ip_addr *addr, bool flush)
{
	struct lb_vip_info *info;
	__u32 real_id;
	int err, i;

	info = malloc(sizeof(*info));
	if (!info)
		return -ENOMEM;
	err = pool_lookup(lb, vip, addr, info, &i);
	if (err)
		goto out;
	real_id = info->real_id[i];
	info->pool[i] = info->pool[info->n - 1];
	info->n--;
	/* The new ring first: a flushed flow must not find the old one. */
	err = lb_vip_set_backends(lb, vip, info->pool, info->n);
	if (!err && flush)
		err = conns_flush(lb, vip, real_id);
out:
	free(info);
	return err;
}

int lb_real_weight(struct lb *lb, const struct endpoint *vip, const struct ip_addr *addr,
		   __u32 weight)
{
	struct lb_vip_info *info;
	int err, i;

	info = malloc(sizeof(*info));
	if (!info)
		return -ENOMEM;
	err = pool_lookup(lb, vip, addr, info, &i);
	if (!err) {
		info->pool[i].weight = weight;
		err = lb_vip_set_backends(lb, vip, info->pool, info->n);
	}
	free(info);
	return err;
}

int lb_real_get(struct lb *lb, __u32 real_id, struct ip_addr *addr, struct lb_counter *c)
{
	int err = real_addr_get(lb, real_id, addr);

	return err ? err : percpu_sum_u64(lb->fds[LB_MAP_REAL_STATS], real_id, &c->packets, 2);
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

/* Is slot one a member may take? Says why not. */
static int chain_slot_check(struct lb *lb, __u32 slot)
{
	if (lb->chain_fd < 0) {
		pr_warn("the balancer is not chained: attach it with --chain to run other XDP "
			"programs before it\n");
		return -EOPNOTSUPP;
	}
	if (slot >= CHAIN_SLOTS) {
		pr_warn("chain slot %u: slots are 0 to %d\n", slot, CHAIN_SLOTS - 1);
		return -EINVAL;
	}
	if (slot == CHAIN_SLOT_BALANCER) {
		pr_warn("chain slot %u holds the balancer; members go in slots 0 to %d\n", slot,
			CHAIN_SLOT_BALANCER - 1);
		return -EPERM;
	}
	return 0;
}

int lb_chain_set(struct lb *lb, __u32 slot, int prog_fd, bool replace)
{
	bool occupied;
	__u32 id;
	int err;

	err = chain_slot_check(lb, slot);
	if (err)
		return err;
	occupied = !bpf_map_lookup_elem(lb->chain_fd, &slot, &id);
	if (occupied && !replace) {
		pr_warn("chain slot %u holds program %u; use chain replace\n", slot, id);
		return -EBUSY;
	}
	if (!occupied && replace) {
		pr_warn("chain slot %u is empty; use chain add\n", slot);
		return -ENOENT;
	}
	/* One update: the next packet runs the new program, none sees an empty slot. */
	if (bpf_map_update_elem(lb->chain_fd, &slot, &prog_fd, BPF_ANY)) {
		err = -errno;
		if (err == -EINVAL)
			pr_warn("chain slot %u: the kernel refused the program: a member must be "
				"XDP and, like the root, not frags-aware (SEC(\"xdp\"), not "
				"\"xdp.frags\")\n",
				slot);
		else
			pr_warn("chain slot %u: %s\n", slot, strerror(-err));
		return err;
	}
	return 0;
}

int lb_chain_del(struct lb *lb, __u32 slot)
{
	int err = chain_slot_check(lb, slot);

	if (err)
		return err;
	if (bpf_map_delete_elem(lb->chain_fd, &slot)) {
		err = -errno;
		pr_warn("chain slot %u: %s\n", slot,
			err == -ENOENT ? "already empty" : strerror(-err));
		return err;
	}
	return 0;
}

int lb_chain_list(struct lb *lb, struct lb_chain_slot out[CHAIN_SLOTS])
{
	struct bpf_prog_info info;
	__u32 slot, len;
	int fd;

	if (lb->chain_fd < 0)
		return -EOPNOTSUPP;
	for (slot = 0; slot < CHAIN_SLOTS; slot++) {
		memset(&out[slot], 0, sizeof(out[slot]));
		/* A prog array read from user space gives the program's id. */
		if (bpf_map_lookup_elem(lb->chain_fd, &slot, &out[slot].prog_id))
			continue;
		fd = bpf_prog_get_fd_by_id(out[slot].prog_id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			snprintf(out[slot].name, sizeof(out[slot].name), "%s", info.name);
		close(fd);
	}
	return 0;
}

/* Write the member's `const volatile __u32 chain_slot`; -ENOENT when it has none. */
static int member_slot_write(struct bpf_object *obj, __u32 slot)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct bpf_map *map;
	const void *init;
	size_t size;
	__u8 *data;
	int id, i, err;

	id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -ENOENT;
	if (id < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, var->name_off), CHAIN_SLOT_VAR) &&
		    vs->size == sizeof(slot))
			break;
	}
	if (i == btf_vlen(sec))
		return -ENOENT;
	bpf_object__for_each_map(map, obj)
	{
		const char *name = bpf_map__name(map);
		size_t n = strlen(name);

		if (!bpf_map__is_internal(map) || n < 7 || strcmp(name + n - 7, ".rodata"))
			continue;
		init = bpf_map__initial_value(map, &size);
		if (!init || vs->offset + sizeof(slot) > size)
			return -ENOENT;
		data = malloc(size);
		if (!data)
			return -ENOMEM;
		memcpy(data, init, size);
		memcpy(data + vs->offset, &slot, sizeof(slot));
		err = bpf_map__set_initial_value(map, data, size);
		free(data);
		return err;
	}
	return -ENOENT;
}

/* The program called name, or the object's only XDP program when name is NULL. */
static struct bpf_program *member_prog_find(struct bpf_object *obj, const char *path,
					    const char *name)
{
	struct bpf_program *p, *found = NULL;

	bpf_object__for_each_program(p, obj)
	{
		if (name ? strcmp(bpf_program__name(p), name) :
			   bpf_program__type(p) != BPF_PROG_TYPE_XDP)
			continue;
		if (found) {
			pr_warn("%s has several XDP programs (%s, %s, ...): name one, %s:PROG\n",
				path, bpf_program__name(found), bpf_program__name(p), path);
			return NULL;
		}
		found = p;
	}
	if (!found)
		pr_warn("%s: no %s%s\n", path, name ? "program " : "XDP program", name ? name : "");
	else if (bpf_program__type(found) != BPF_PROG_TYPE_XDP)
		pr_warn("%s: %s is not an XDP program (SEC(\"xdp\"))\n", path, name);
	else
		return found;
	return NULL;
}

/* Load prog of the opened obj (path: its name in messages) into slot; closes obj. */
static int member_load(struct lb *lb, __u32 slot, struct bpf_object *obj, const char *path,
		       const char *prog, bool replace)
{
	struct bpf_program *want, *p;
	struct bpf_map *chain;
	int err;

	want = member_prog_find(obj, path, prog);
	if (!want) {
		err = -ENOENT;
		goto out;
	}
	bpf_object__for_each_program(p, obj) bpf_program__set_autoload(p, p == want);
	chain = bpf_object__find_map_by_name(obj, CHAIN_MAP_NAME);
	if (chain) {
		err = bpf_map__reuse_fd(chain, lb->chain_fd);
		if (err) {
			pr_warn("%s: its map %s is not the chain's prog array (include "
				"bpf/chain.h)\n",
				path, CHAIN_MAP_NAME);
			goto out;
		}
		if (member_slot_write(obj, slot))
			pr_warn("%s has no `const volatile __u32 %s`: it cannot tell which slot "
				"follows it\n",
				path, CHAIN_SLOT_VAR);
	} else {
		/* Allowed (any XDP program can end the chain), but easy to do by mistake. */
		pr_warn("note: %s has no prog array %s: its verdict ends the chain in slot %u, "
			"later slots (the balancer) never see those packets\n",
			path, CHAIN_MAP_NAME, slot);
	}
	err = bpf_object__load(obj);
	if (err) {
		pr_warn("load %s from %s: %s (the verifier's log, if it refused the program, is "
			"above)\n",
			bpf_program__name(want), path, strerror(-err));
		goto out;
	}
	err = lb_chain_set(lb, slot, bpf_program__fd(want), replace);
out:
	bpf_object__close(obj); /* the prog array holds the program now */
	return err;
}

int lb_chain_member_load(struct lb *lb, __u32 slot, const char *path, const char *prog,
			 bool replace)
{
	struct bpf_object *obj;
	int err;

	err = chain_slot_check(lb, slot);
	if (err)
		return err;
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		err = -errno;
		pr_warn("open BPF object %s: %s\n", path, strerror(-err));
		return err;
	}
	return member_load(lb, slot, obj, path, prog, replace);
}

int lb_chain_member_load_mem(struct lb *lb, __u32 slot, const void *buf, size_t size,
			     const char *name, const char *prog, bool replace)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name);
	struct bpf_object *obj;
	int err;

	err = chain_slot_check(lb, slot);
	if (err)
		return err;
	obj = bpf_object__open_mem(buf, size, &opts);
	if (!obj) {
		err = -errno;
		pr_warn("open BPF object %s: %s\n", name, strerror(-err));
		return err;
	}
	return member_load(lb, slot, obj, name, prog, replace);
}

/* Where var lies in the global-data map map_fd: *off, or -ENOENT. */
static int global_var_offset(int map_fd, const char *var, __u32 *off)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), i;
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct btf *btf;
	int err = -ENOENT;

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len) || !info.btf_id || !info.btf_value_type_id)
		return -ENOENT;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf)
		return -errno;
	sec = btf__type_by_id(btf, info.btf_value_type_id);
	if (sec && btf_is_datasec(sec)) {
		vs = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, vs++) {
			const struct btf_type *v = btf__type_by_id(btf, vs->type);

			if (!strcmp(btf__name_by_offset(btf, v->name_off), var) &&
			    vs->size == sizeof(__u64)) {
				*off = vs->offset;
				err = 0;
				break;
			}
		}
	}
	btf__free(btf);
	return err;
}

/* var of the program prog_fd: looked for in each of its global-data maps. */
static int prog_global_read(int prog_fd, const char *var, __u64 *out)
{
	struct bpf_prog_info info = {};
	struct bpf_map_info mi;
	__u32 len = sizeof(info), ids[16], i, off = 0, zero = 0, mlen;
	__u8 *val;
	int fd, err = -ENOENT;

	info.nr_map_ids = 16;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	for (i = 0; i < info.nr_map_ids && i < 16 && err == -ENOENT; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		mlen = sizeof(mi);
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen) && mi.type == BPF_MAP_TYPE_ARRAY &&
		    mi.max_entries == 1 && !global_var_offset(fd, var, &off) &&
		    off + sizeof(*out) <= mi.value_size) {
			val = malloc(mi.value_size);
			err = !val ? -ENOMEM : bpf_map_lookup_elem(fd, &zero, val) ? -errno : 0;
			if (!err)
				memcpy(out, val + off, sizeof(*out));
			free(val);
		}
		close(fd);
	}
	return err;
}

int lb_chain_member_read(struct lb *lb, __u32 slot, const char *var, __u64 *out)
{
	__u32 id;
	int fd, err;

	if (lb->chain_fd < 0 || slot >= CHAIN_SLOTS)
		return -ENOENT;
	if (bpf_map_lookup_elem(lb->chain_fd, &slot, &id))
		return -ENOENT;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	err = prog_global_read(fd, var, out);
	close(fd);
	return err;
}

int lb_backend_parse(const char *s, struct lb_backend *b)
{
	char buf[ADDR_STRLEN + 12], *at;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	at = strchr(buf, '@');
	b->weight = 1;
	if (at) {
		*at = '\0';
		if (arg_u32(at + 1, 0, UINT32_MAX, &b->weight))
			return -EINVAL;
	}
	return addr_parse(buf, &b->addr);
}
