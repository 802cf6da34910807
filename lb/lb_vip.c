// SPDX-License-Identifier: GPL-2.0
/* The balancer library: VIPs, their pools and Maglev rings, reals (lb/lb.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "lb/lb_priv.h"
#include "common/arg.h"
#include "lb/maglev.h"
#include "common/percpu.h"
#include "common/log.h"
#include "common/parse.h"
#include "common/encap_family.h"

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

/* A flush: the VIP's flows (its address, protocol and, unless all-ports, port) to one real. */
struct flush_what {
	struct vip_key vk;
	int alen;
	__u32 real_id;
};

static bool flush_match(const struct flow_key *k, const struct conn_val *v, const void *arg)
{
	const struct flush_what *f = arg;

	return k->family == f->vk.family && k->proto == f->vk.proto &&
	       !memcmp(k->dstv6, f->vk.addr, f->alen) &&
	       (!f->vk.port || k->port16[1] == f->vk.port) && v->real_id == f->real_id;
}

/* Delete the connection table entries of vip's flows that went to real_id. */
static int conns_flush(struct lb *lb, const struct endpoint *vip, __u32 real_id)
{
	struct flush_what f = { .real_id = real_id, .alen = 16 };
	size_t n = 0;
	int err;

	vip_key_from_endpoint(vip, &f.vk);
	if (f.vk.family == FAM_IPV4)
		f.alen = 4;
	err = conns_delete_if(lb, flush_match, &f, &n);
	if (!err)
		pr_info("flushed %zu connection table entries\n", n);
	return err;
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
