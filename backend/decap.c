// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "backend/decap.h"
#include "common/path.h"
#include "common/percpu.h"
#include "common/log.h"
#include "common/netlink.h"
#include "decap.skel.h"

struct decap {
	struct decap_bpf *skel;
	struct bpf_tc_hook hook;
	struct bpf_tc_opts tc;
	bool hook_created;
	__u64 stats_base[DECAP_STAT_MAX]; /* counted by programs decap_replace() retired */
};

/* Whether key, a single address, is in cfg's inline slots of its family already. */
static bool allow_inline_has(const struct decap_config *cfg, const struct decap_allow_key *key)
{
	int v6 = key->family == FAM_IPV6, i;

	for (i = 0; i < cfg->allow_n[v6]; i++)
		if (!memcmp(v6 ? (const void *)cfg->allow6[i] : (const void *)&cfg->allow4[i],
			    key->addr, v6 ? 16 : 4))
			return true;
	return false;
}

/*
 * One allow-list entry: into the LPM trie, and a single address (/32, /128) also into cfg's
 * inline slots of its family while one is free, else into the exact-match map (the program
 * asks them in that order, bpf/decap.bpf.c); cfg is the caller's to store in decap_config
 * once every entry is in. Only here and in decap_copy_config() (as they are) are they written.
 */
static int allow_add(struct decap_bpf *skel, struct decap_config *cfg,
		     const struct decap_allow_key *key)
{
	__u32 one = 1, full = 8 + (key->family == FAM_IPV4 ? 32 : 128);
	int v6 = key->family == FAM_IPV6;
	__u8 n = cfg->allow_n[v6];

	if (bpf_map_update_elem(bpf_map__fd(skel->maps.decap_allow), key, &one, BPF_ANY))
		return -errno;
	if (key->prefixlen != full || allow_inline_has(cfg, key))
		return 0;
	if (n < DECAP_ALLOW_INLINE) {
		if (v6)
			memcpy(cfg->allow6[n], key->addr, 16);
		else
			memcpy(&cfg->allow4[n], key->addr, 4);
		cfg->allow_n[v6] = n + 1;
		return 0;
	}
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.decap_allow_host), key, &one, BPF_ANY))
		return -errno;
	return 0;
}

static int decap_configure(struct decap *d, const struct decap_opts *o)
{
	struct decap_config cfg = {};
	__u32 zero = 0;
	int i;

	cfg.gue_port = o->gue_port;
	if (o->at == DECAP_AT_HOST_NIC && !o->strict) {
		cfg.flags = DECAP_F_ANY_DST;
	} else {
		if (!o->n_serve)
			return -EINVAL;
		for (i = 0; i < o->n_serve; i++) {
			int v6 = o->serve[i].family == FAM_IPV6;
			__u8 bit = v6 ? DECAP_SERVE_IPV6 : DECAP_SERVE_IPV4;

			if (o->serve[i].family == FAM_NONE || (cfg.serve_fams & bit))
				return -EINVAL; /* one address per family */
			cfg.serve_fams |= bit;
			memcpy(cfg.serve[v6], o->serve[i].bytes, 16);
		}
		if (o->at == DECAP_AT_HOST_NIC)
			cfg.flags = DECAP_F_PASS_OTHER_DST;
	}
	cfg.flags |= o->faults & (DECAP_F_FAULT_KEEP_PROTO | DECAP_F_FAULT_GSO_GROW);

	for (i = 0; i < o->n_allow; i++) {
		struct decap_allow_key key = {};
		int err;

		key.family = o->allow[i].addr.family;
		key.prefixlen = 8 + o->allow[i].len;
		memcpy(key.addr, o->allow[i].addr.bytes, 16);
		err = allow_add(d->skel, &cfg, &key);
		if (err)
			return err;
	}
	if (bpf_map_update_elem(bpf_map__fd(d->skel->maps.decap_config), &zero, &cfg, BPF_ANY))
		return -errno;
	return 0;
}

int decap_load(struct decap **out, const struct decap_opts *o)
{
	struct decap *d;
	int err;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->skel = decap_bpf__open_and_load();
	if (!d->skel) {
		err = -errno;
		pr_warn("load the decap program: %s (run with -vv for the verifier log)\n",
			strerror(-err));
		free(d);
		return err;
	}
	err = decap_configure(d, o);
	if (err) {
		pr_warn("configure decap: %s\n", strerror(-err));
		decap_release(d);
		return err;
	}
	*out = d;
	return 0;
}

int decap_prog_fd(struct decap *d)
{
	return bpf_program__fd(d->skel->progs.decap);
}

int decap_attach(struct decap **out, const struct decap_opts *o)
{
	struct decap *d;
	int err;

	err = decap_load(&d, o);
	if (err)
		return err;

	d->hook.sz = sizeof(d->hook);
	d->hook.ifindex = o->ifindex;
	d->hook.attach_point = o->at == DECAP_AT_HOST_VETH_EGRESS ? BPF_TC_EGRESS : BPF_TC_INGRESS;
	log_libbpf_expected(true); /* EEXIST: a clsact qdisc is there already, ours to use */
	err = bpf_tc_hook_create(&d->hook);
	log_libbpf_expected(false);
	if (err && err != -EEXIST) {
		pr_warn("create clsact on ifindex %d: %s\n", o->ifindex, strerror(-err));
		goto err_destroy;
	}
	d->hook_created = !err;

	d->tc.sz = sizeof(d->tc);
	d->tc.handle = DECAP_TC_HANDLE;
	d->tc.priority = DECAP_TC_PRIORITY;
	d->tc.prog_fd = bpf_program__fd(d->skel->progs.decap);
	d->tc.flags = o->replace ? BPF_TC_F_REPLACE : 0;
	err = bpf_tc_attach(&d->hook, &d->tc);
	d->tc.flags = 0;
	if (err == -EEXIST)
		pr_warn("attach decap at %s (ifindex %d): a filter is already there; replace it "
			"with --replace (atomic), or detach it first\n",
			decap_at_name(o->at), o->ifindex);
	else if (err)
		pr_warn("attach decap at %s (ifindex %d): %s\n", decap_at_name(o->at), o->ifindex,
			strerror(-err));
	if (err)
		goto err_hook;
	*out = d;
	return 0;

err_hook:
	if (d->hook_created)
		bpf_tc_hook_destroy(&d->hook);
err_destroy:
	decap_bpf__destroy(d->skel);
	free(d);
	return err;
}

void decap_detach(struct decap *d)
{
	if (!d)
		return;
	d->tc.prog_fd = d->tc.prog_id = d->tc.flags = 0;
	bpf_tc_detach(&d->hook, &d->tc);
	if (d->hook_created) {
		d->hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&d->hook);
	}
	decap_bpf__destroy(d->skel);
	free(d);
}

void decap_release(struct decap *d)
{
	if (!d)
		return;
	decap_bpf__destroy(d->skel);
	free(d);
}

int decap_probe(void)
{
	struct decap_bpf *skel = decap_bpf__open_and_load();
	int err = skel ? 0 : -errno;

	decap_bpf__destroy(skel);
	return err;
}

/* decap_stats holds one struct decap_stats per CPU at key 0 (common/maps.h). */
static int stats_sum_fd(int fd, __u64 out[DECAP_STAT_MAX])
{
	int err = percpu_sum_u64(fd, 0, out, DECAP_STAT_MAX);

	return err == -ENOENT ? 0 : err;
}

static int stats_sum(struct decap_bpf *skel, __u64 out[DECAP_STAT_MAX])
{
	return stats_sum_fd(bpf_map__fd(skel->maps.decap_stats), out);
}

int decap_stats_fd(struct decap *d)
{
	return bpf_map__fd(d->skel->maps.decap_stats);
}

int decap_config_fd(struct decap *d)
{
	return bpf_map__fd(d->skel->maps.decap_config);
}

int decap_allow_fd(struct decap *d)
{
	return bpf_map__fd(d->skel->maps.decap_allow);
}

int decap_allow_host_fd(struct decap *d)
{
	return bpf_map__fd(d->skel->maps.decap_allow_host);
}

int decap_stats_read(struct decap *d, __u64 out[DECAP_STAT_MAX])
{
	int i, err = stats_sum(d->skel, out);

	for (i = 0; !err && i < DECAP_STAT_MAX; i++)
		out[i] += d->stats_base[i];
	return err;
}

/* The pins of one decap, by file name under its directory. */
static const char *const decap_pin_names[] = { "config", "allow", "stats" };

/* dsrlab-<id>-<node> of a run whose pin folder exists: its id and node. */
static bool run_netns(const char *netns, char *id, size_t idlen, const char **node)
{
	char dir[PATH_MAX], reach[PATH_MAX];
	const char *p, *dash;
	struct stat st;

	if (!netns || strncmp(netns, DSRLAB_RUN_NS_PREFIX, strlen(DSRLAB_RUN_NS_PREFIX)))
		return false;
	p = netns + strlen(DSRLAB_RUN_NS_PREFIX);
	dash = strchr(p, '-');
	if (!dash || dash == p || (size_t)(dash - p) >= idlen || !dash[1])
		return false;
	snprintf(id, idlen, "%.*s", (int)(dash - p), p);
	if (strspn(id, "0123456789abcdef") != strlen(id))
		return false;
	snprintf(dir, sizeof(dir), DSRLAB_PIN_ROOT "/%s", id);
	if (stat(path_bpffs(dir, reach, sizeof(reach)), &st) || !S_ISDIR(st.st_mode))
		return false;
	*node = dash + 1;
	return true;
}

int decap_pin_dir(char *buf, size_t size, const char *netns, const char *iface, enum decap_at at)
{
	char dir[PATH_MAX], reach[PATH_MAX];
	const char *node, *p;
	struct stat st;
	char id[32];
	int n;

	if (run_netns(netns, id, sizeof(id), &node))
		n = snprintf(dir, sizeof(dir), DSRLAB_PIN_ROOT "/%s/decap/%s-%s-%s", id, node,
			     iface, decap_at_name(at));
	else if (stat("/proc/thread-self/ns/net", &st))
		return -errno;
	else
		n = snprintf(dir, sizeof(dir), DECAP_PIN_ROOT "/%lu-%s-%s",
			     (unsigned long)st.st_ino, iface, decap_at_name(at));
	if ((size_t)n >= sizeof(dir))
		return -ENAMETOOLONG;
	p = path_bpffs(dir, reach, sizeof(reach)); /* under `ip netns exec` too */
	return (size_t)snprintf(buf, size, "%s", p) >= size ? -ENAMETOOLONG : 0;
}

int decap_pins_current(const char *dir, int ifindex, enum decap_at at)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = at == DECAP_AT_HOST_VETH_EGRESS ? BPF_TC_EGRESS :
									      BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, tc, .handle = DECAP_TC_HANDLE,
			    .priority = DECAP_TC_PRIORITY);
	struct bpf_prog_info info = {};
	struct bpf_map_info minfo = {};
	__u32 len = sizeof(info), mlen = sizeof(minfo), ids[16], i;
	char path[PATH_MAX];
	int fd, err;

	log_libbpf_expected(true); /* no filter there is an answer */
	err = bpf_tc_query(&hook, &tc);
	log_libbpf_expected(false);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/stats", dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &minfo, &mlen);
	close(fd);
	if (err)
		return -errno;
	fd = bpf_prog_get_fd_by_id(tc.prog_id);
	if (fd < 0)
		return -errno;
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return -errno;
	for (i = 0; i < info.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]); i++)
		if (ids[i] == minfo.id)
			return 1;
	return 0;
}

int decap_unpin(const char *dir)
{
	char path[PATH_MAX];
	unsigned int i;
	int err = 0;

	for (i = 0; i < sizeof(decap_pin_names) / sizeof(decap_pin_names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, decap_pin_names[i]);
		if (unlink(path) && errno != ENOENT && !err)
			err = -errno;
	}
	if (rmdir(dir) && errno != ENOENT && !err)
		err = -errno;
	/* The last decap's pins gone, leave nothing of the backend behind (busy: others). */
	if (!err)
		rmdir(DECAP_PIN_ROOT);
	return err;
}

int decap_pin(struct decap *d, const char *dir)
{
	struct bpf_map *maps[] = { d->skel->maps.decap_config, d->skel->maps.decap_allow,
				   d->skel->maps.decap_stats };
	char path[PATH_MAX];
	unsigned int i;
	int err;

	err = decap_unpin(dir);
	if (!err)
		err = path_mkdir_p(dir, 0700);
	if (err) {
		pr_warn("pin the decap's maps in %s: %s (is bpffs mounted on /sys/fs/bpf?)\n", dir,
			strerror(-err));
		return err;
	}
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, decap_pin_names[i]);
		err = bpf_map__pin(maps[i], path);
		if (err) {
			pr_warn("pin %s: %s\n", path, strerror(-err));
			decap_unpin(dir);
			return err;
		}
	}
	return 0;
}

int decap_stats_read_pinned(const char *dir, __u64 out[DECAP_STAT_MAX])
{
	char path[PATH_MAX];
	int fd, err;

	snprintf(path, sizeof(path), "%s/stats", dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = stats_sum_fd(fd, out);
	close(fd);
	return err;
}

int decap_faults_read_pinned(const char *dir, __u32 *faults)
{
	struct decap_config cfg;
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/config", dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &zero, &cfg))
		err = -errno;
	else
		*faults = cfg.flags & (DECAP_F_FAULT_KEEP_PROTO | DECAP_F_FAULT_GSO_GROW);
	close(fd);
	return err;
}

/* Every entry of one map into another of the same key and value (at most 64 bytes each). */
static int map_copy(int from, int to)
{
	__u8 key[64], next[64], val[64];
	void *prev = NULL;

	while (!bpf_map_get_next_key(from, prev, next)) {
		if (!bpf_map_lookup_elem(from, next, val) &&
		    bpf_map_update_elem(to, next, val, BPF_ANY))
			return -errno;
		memcpy(key, next, sizeof(key));
		prev = key;
	}
	return errno == ENOENT ? 0 : -errno;
}

/*
 * The new program serves what the old one did: its config (the inline allowed addresses with
 * it), the allow-list's trie and its exact-match map, each copied as it is.
 */
static int decap_copy_config(struct decap_bpf *from, struct decap_bpf *to)
{
	struct decap_config cfg;
	__u32 zero = 0;
	int err;

	err = map_copy(bpf_map__fd(from->maps.decap_allow), bpf_map__fd(to->maps.decap_allow));
	if (!err)
		err = map_copy(bpf_map__fd(from->maps.decap_allow_host),
			       bpf_map__fd(to->maps.decap_allow_host));
	if (err)
		return err;
	if (bpf_map_lookup_elem(bpf_map__fd(from->maps.decap_config), &zero, &cfg) ||
	    bpf_map_update_elem(bpf_map__fd(to->maps.decap_config), &zero, &cfg, BPF_ANY))
		return -errno;
	return 0;
}

int decap_replace(struct decap *d)
{
	LIBBPF_OPTS(bpf_tc_opts, tc, .handle = d->tc.handle, .priority = d->tc.priority,
		    .flags = BPF_TC_F_REPLACE);
	struct decap_bpf *skel;
	__u64 old[DECAP_STAT_MAX];
	int i, err;

	skel = decap_bpf__open_and_load();
	if (!skel) {
		err = -errno;
		pr_warn("load the decap program: %s\n", strerror(-err));
		return err;
	}
	err = decap_copy_config(d->skel, skel);
	if (err) {
		pr_warn("configure the new decap: %s\n", strerror(-err));
		goto err_destroy;
	}
	tc.prog_fd = bpf_program__fd(skel->progs.decap);
	err = bpf_tc_attach(&d->hook, &tc);
	if (err) {
		pr_warn("replace decap (ifindex %d): %s\n", d->hook.ifindex, strerror(-err));
		goto err_destroy;
	}
	/* the old program sees no new packet now: its counts are final */
	if (!stats_sum(d->skel, old))
		for (i = 0; i < DECAP_STAT_MAX; i++)
			d->stats_base[i] += old[i];
	decap_bpf__destroy(d->skel);
	d->skel = skel;
	d->tc = tc;
	return 0;

err_destroy:
	decap_bpf__destroy(skel);
	return err;
}

static int vip_prefix(const struct ip_addr *vip, struct ip_prefix *p)
{
	p->addr = *vip;
	p->len = vip->family == FAM_IPV6 ? 128 : 32;
	return 0;
}

int backend_vip_add(const struct ip_addr *vip)
{
	/* Answer ARP only for addresses of the asking interface, never announce the VIP. */
	static const char *const sysctls[][2] = {
		{ "net/ipv4/conf/all/arp_ignore", "1" },
		{ "net/ipv4/conf/all/arp_announce", "2" },
		{ "net/ipv4/conf/all/rp_filter", "0" },
		{ "net/ipv4/conf/default/rp_filter", "0" },
	};
	struct ip_prefix p;
	struct nl_sock nl;
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		err = sysctl_write(sysctls[i][0], sysctls[i][1]);
		if (err) {
			pr_warn("sysctl %s=%s: %s\n", sysctls[i][0], sysctls[i][1], strerror(-err));
			return err;
		}
	}
	vip_prefix(vip, &p);
	err = nl_open(&nl);
	if (err)
		return err;
	err = nl_link_up(&nl, 1);
	if (!err)
		err = nl_addr_add(&nl, 1, &p);
	if (err == -EEXIST)
		err = 0;
	nl_close(&nl);
	if (err)
		pr_warn("add the VIP to lo: %s\n", nl_strerror(err));
	return err;
}

int backend_vip_del(const struct ip_addr *vip)
{
	struct ip_prefix p;
	struct nl_sock nl;
	int err;

	vip_prefix(vip, &p);
	err = nl_open(&nl);
	if (err)
		return err;
	err = nl_addr_del(&nl, 1, &p);
	nl_close(&nl);
	return err;
}
