// SPDX-License-Identifier: GPL-2.0
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

#include "lb/lb.h"
#include "lb/maglev.h"
#include "common/log.h"
#include "common/parse.h"
#include "balancer.skel.h"

enum lb_map {
	LB_MAP_CONFIG,
	LB_MAP_VIPS,
	LB_MAP_RINGS,
	LB_MAP_REALS,
	LB_MAP_CONNS,
	LB_MAP_STATS,
	LB_MAP_VIP_STATS,
	LB_MAP_REAL_STATS,
	LB_MAP_MAX
};

static const char *const lb_map_names[LB_MAP_MAX] = {
	[LB_MAP_CONFIG] = "lb_config",	  [LB_MAP_VIPS] = "vips",
	[LB_MAP_RINGS] = "rings",	  [LB_MAP_REALS] = "reals",
	[LB_MAP_CONNS] = "conns",	  [LB_MAP_STATS] = "stats",
	[LB_MAP_VIP_STATS] = "vip_stats", [LB_MAP_REAL_STATS] = "real_stats",
};

#define LB_LINK_PIN "xdp_link"

struct lb {
	struct balancer_bpf *skel; /* NULL when opened from pins */
	int fds[LB_MAP_MAX];
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
	lb->link_fd = -1;
	return lb;
}

int lb_load(struct lb **out, __u32 ring_size)
{
	struct lb_config cfg = {};
	struct bpf_map *maps[LB_MAP_MAX];
	__u32 zero = 0;
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
		pr_warn("load the balancer: %s (run with -vv for the verifier log)\n",
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
	for (i = 0; i < LB_MAP_MAX; i++)
		lb->fds[i] = bpf_map__fd(maps[i]);

	cfg.ring_size = ring_size;
	err = bpf_map_update_elem(lb->fds[LB_MAP_CONFIG], &zero, &cfg, BPF_ANY);
	if (err)
		goto err_destroy;
	*out = lb;
	return 0;

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
	err = lb_config_get(lb, &cfg);
	if (err) {
		lb_close(lb);
		return err;
	}
	lb->ring_size = cfg.ring_size;
	*out = lb;
	return 0;
}

static int mkdir_p(const char *dir)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", dir);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int lb_pin(struct lb *lb, const char *dir)
{
	char path[PATH_MAX];
	int i, err;

	err = mkdir_p(dir);
	if (err) {
		pr_warn("create pin directory %s: %s (is bpffs mounted on /sys/fs/bpf?)\n", dir,
			strerror(-err));
		return err;
	}
	for (i = 0; i < LB_MAP_MAX; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, lb_map_names[i]);
		if (bpf_obj_pin(lb->fds[i], path)) {
			err = -errno;
			pr_warn("pin %s: %s\n", path, strerror(-err));
			return err;
		}
	}
	if (lb->link_fd >= 0) {
		snprintf(path, sizeof(path), "%s/%s", dir, LB_LINK_PIN);
		if (bpf_obj_pin(lb->link_fd, path)) {
			err = -errno;
			pr_warn("pin %s: %s\n", path, strerror(-err));
			return err;
		}
	}
	return 0;
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
	unlink(path);
	if (rmdir(dir) && errno != ENOENT)
		return -errno;
	return 0;
}

const char *xdp_mode_name(enum xdp_mode m)
{
	return m == XDP_MODE_SKB ? "skb" : "native";
}

int lb_attach(struct lb *lb, int ifindex, enum xdp_mode mode, enum xdp_mode *granted)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int fd, err;

	if (!lb->skel)
		return -EINVAL;
	opts.flags = mode == XDP_MODE_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	fd = bpf_link_create(bpf_program__fd(lb->skel->progs.balancer), ifindex, BPF_XDP, &opts);
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
	if (lb->skel) {
		balancer_bpf__destroy(lb->skel);
	} else {
		for (i = 0; i < LB_MAP_MAX; i++)
			if (lb->fds[i] >= 0)
				close(lb->fds[i]);
	}
	free(lb);
}

int lb_config_set(struct lb *lb, const struct lb_config *cfg)
{
	struct lb_config c = *cfg;
	__u32 zero = 0;

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

/* The VIP family an encapsulation carries: FAM_NONE either, -1 one the balancer never writes. */
static int encap_inner_family(__u8 encap)
{
	switch (encap) {
	case ENCAP_IPIP:
	case ENCAP_4IN6:
		return FAM_IPV4;
	case ENCAP_IP6IP6:
		return FAM_IPV6;
	case ENCAP_GUE:
		return FAM_NONE;
	default:
		return -1;
	}
}

/* The family of the outer header (the backends' family): FAM_NONE either. */
static int encap_outer_family(__u8 encap)
{
	switch (encap) {
	case ENCAP_IPIP:
		return FAM_IPV4;
	case ENCAP_IP6IP6:
	case ENCAP_4IN6:
		return FAM_IPV6;
	default:
		return FAM_NONE;
	}
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
	if (out != FAM_NONE && a->family != out) {
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
	return 0;
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
	if (bpf_map_update_elem(lb->fds[LB_MAP_VIPS], &key, &meta, BPF_ANY))
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
	bpf_map_delete_elem(lb->fds[LB_MAP_RINGS], &meta.vip_id);
	return 0;
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
	struct maglev_backend *mb;
	struct lb_config cfg;
	struct vip_meta meta;
	struct vip_key key;
	__u32 *ring;
	int i, err;

	vip_key_from_endpoint(vip, &key);
	if (bpf_map_lookup_elem(lb->fds[LB_MAP_VIPS], &key, &meta))
		return -ENOENT;
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
	}
	err = maglev_build(mb, n, ring, lb->ring_size, LB_REAL_NONE);
	if (!err)
		err = ring_install(lb, meta.vip_id, ring);
out:
	free(mb);
	free(ring);
	return err;
}

static const char *const lb_stat_names[LB_STAT_MAX] = {
	[LB_STAT_RX] = "rx",
	[LB_STAT_TX_ENCAP] = "tx_encap",
	[LB_STAT_PASS_NOT_IP] = "pass_not_ip",
	[LB_STAT_PASS_NOT_VIP] = "pass_not_vip",
	[LB_STAT_PASS_PARSE] = "pass_parse_error",
	[LB_STAT_CONN_HIT] = "conn_hit",
	[LB_STAT_CONN_NEW] = "conn_new",
	[LB_STAT_DROP_NO_REAL] = "drop_no_backend",
	[LB_STAT_DROP_ENCAP] = "drop_encap",
	[LB_STAT_DROP_UNSUPP] = "drop_unsupported_encap",
};

const char *lb_stat_name(enum lb_stat s)
{
	return s < LB_STAT_MAX ? lb_stat_names[s] : "?";
}

int lb_stats_read(struct lb *lb, struct lb_counter out[LB_STAT_MAX])
{
	int ncpu = libbpf_num_possible_cpus(), c;
	struct lb_counter *v;
	__u32 i;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < LB_STAT_MAX; i++) {
		out[i].packets = out[i].bytes = 0;
		if (bpf_map_lookup_elem(lb->fds[LB_MAP_STATS], &i, v))
			continue;
		for (c = 0; c < ncpu; c++) {
			out[i].packets += v[c].packets;
			out[i].bytes += v[c].bytes;
		}
	}
	free(v);
	return 0;
}
