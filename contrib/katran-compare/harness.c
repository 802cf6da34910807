// SPDX-License-Identifier: GPL-2.0
/*
 * harness: per-packet cost of dsrlab's XDP balancer and Katran's, in one process, on one CPU,
 * through one wrapper (wrapper.bpf.c), with BPF_PROG_RUN, by the method of `dsrlab bench
 * --micro` (bench/micro.c, docs/bench.md "Per-packet cost").
 *
 * For each packet class, R rounds; each round runs, through bench_wrap with `repeat`
 * iterations, the XDP_TX stub, dsrlab's balancer and Katran's balancer (in that order, or
 * rotated with --rotate). Reported per class: the median ns/packet of each over the rounds,
 * each balancer's median minus the stub's ("above"), and dsrlab_above / katran_above.
 *
 * Every run is checked: the wrapper's failure counters stay 0; the stub returns XDP_TX with the
 * original packet; dsrlab's per-CPU counters show that every iteration took the intended path
 * (conn_new / conn_hit / pass_not_vip); Katran's stats show every iteration took its intended
 * path (LRU hit, or a SYN miss with the insert not skipped by flood protection, or pass) and
 * never the fallback LRU; each balancer's verdict is the intended one and its output is the
 * original packet encapsulated (IPIP, proto 4, or IPv6-in-IPv6, next header 41) to one of the
 * VIP's backends. Any failure: no results, exit 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "common/log.h"
#include "common/maps.h"
#include "common/parse.h"
#include "common/pkt_build.h"
#include "lb/lb.h"
#include "bench/micro_fixture.h"

#include "katran_defs.h"
#include "wrapper.skel.h"

#ifndef KATRAN_COMMIT
#define KATRAN_COMMIT "unknown"
#endif
#ifndef KATRAN_BUILD
#define KATRAN_BUILD "unknown"
#endif
#ifndef KATRAN_OBJ_DEFAULT
#define KATRAN_OBJ_DEFAULT "build/katran_balancer.bpf.o"
#endif

#define MAX_ROUNDS  1001
#define MAX_REALS   MICRO_REALS_PER_VIP
#define EXIT_OK	    0
#define EXIT_CHECK  1
#define EXIT_USAGE  2
#define EXIT_SETUP  3
#define EXIT_NOROOT 4
#define STAT_BIT(s) (1u << (s))
#define PROGS	    3

enum { P_STUB, P_DSRLAB, P_KATRAN };
static const char *const prog_names[PROGS] = { "stub", "dsrlab", "katran" };

/* ---- the VIPs, backends and packets: bench/micro.c's own (bench/micro_fixture.h) ---- */

enum kpath { K_HIT, K_SYN_MISS, K_PASS };

struct bench_class {
	const char *name;
	void (*build)(struct pkt *p);
	bool seed; /* run the packet once through both balancers first: flow in both tables */
	bool syn; /* the wrapper deletes the flow from both tables, resets Katran's rate */
	int vip; /* -1: none */
	__u32 intended; /* dsrlab STAT_BIT()s every iteration must count */
	enum kpath kpath; /* what Katran's stats must show for every iteration */
	int verdict;
};

#define PATH_NEW_ENCAP (STAT_BIT(LB_STAT_CONN_NEW) | STAT_BIT(LB_STAT_TX_ENCAP))
#define PATH_HIT_ENCAP (STAT_BIT(LB_STAT_CONN_HIT) | STAT_BIT(LB_STAT_TX_ENCAP))

static const struct bench_class classes[] = {
	{ "ipv4-syn", micro_build_syn4, false, true, MICRO_VIP_TCP4, PATH_NEW_ENCAP, K_SYN_MISS,
	  XDP_TX },
	{ "ipv4-established", micro_build_est4, true, false, MICRO_VIP_TCP4, PATH_HIT_ENCAP, K_HIT,
	  XDP_TX },
	{ "ipv6-established", micro_build_est6, true, false, MICRO_VIP_TCP6, PATH_HIT_ENCAP, K_HIT,
	  XDP_TX },
	{ "ipv4-udp", micro_build_udp4, true, false, MICRO_VIP_UDP4, PATH_HIT_ENCAP, K_HIT,
	  XDP_TX },
	{ "non-vip", micro_build_nonvip4, false, false, -1, STAT_BIT(LB_STAT_PASS_NOT_VIP), K_PASS,
	  XDP_PASS },
};

#define N_CLASSES ((int)(sizeof(classes) / sizeof(classes[0])))

/* ---- options ---- */

struct opts {
	int rounds;
	__u32 repeat;
	bool json;
	bool rotate;
	int cpu; /* -1: the CPU we start on */
	int reals;
	const char *only;
	const char *katran_obj;
	__u32 katran_lru_total;
	bool katran_cores_pinned; /* forwarding cores: only the pinned CPU (default: all online) */
	bool no_rate_reset; /* check of the checks: let Katran's flood protection kick in */
	bool katran_no_common_lru; /* not KatranLb's: BPF_F_NO_COMMON_LRU on its LRUs */
	int quiet_max, quiet_wait; /* before each class: wait for others <= max % busy */
	int verbose;
};

/* ---- environment ---- */

struct env {
	int cpu, ncpu_possible, ncpu_online;
	/* dsrlab */
	struct lb *lb;
	int dsr_fd;
	__u32 first_real[MICRO_VIP_MAX];
	/* Katran */
	struct bpf_object *kobj;
	int kat_fd, k_stats_fd, k_lru_mapping_fd;
	int k_lru_fd[KATRAN_MAX_SUPPORTED_CPUS]; /* -1: none */
	__u32 k_lru_per_core;
	int k_ncores;
	__u32 k_real_num[MICRO_VIP_MAX][MAX_REALS];
	/* wrapper */
	struct wrapper_bpf *w;
	int wrap_fd, stub_fd, target_fd;
	/* backends per VIP, for the output check */
	struct ip_addr real_addr[MICRO_VIP_MAX][MAX_REALS];
	int nreals;
};

static volatile sig_atomic_t stop;
static bool no_rate_reset;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void env_close(struct env *e)
{
	int i;

	wrapper_bpf__destroy(e->w);
	e->w = NULL;
	if (e->kobj)
		bpf_object__close(e->kobj);
	e->kobj = NULL;
	for (i = 0; i < KATRAN_MAX_SUPPORTED_CPUS; i++) {
		if (e->k_lru_fd[i] >= 0)
			close(e->k_lru_fd[i]);
		e->k_lru_fd[i] = -1;
	}
	if (e->lb)
		lb_close(e->lb);
	e->lb = NULL;
}

static int dsr_open(struct env *e)
{
	struct lb_load_opts lo = { 0 }; /* defaults: conn kind sets, LB_CONN_TABLE_SIZE */
	int err, v, i;

	err = lb_load_with(&e->lb, &lo);
	if (err) {
		e->lb = NULL;
		fprintf(stderr, "harness: load dsrlab's balancer: %s\n", strerror(-err));
		return err;
	}
	e->dsr_fd = lb_prog_fd(e->lb);
	err = micro_lb_setup(e->lb, e->nreals, e->first_real);
	for (v = 0; v < MICRO_VIP_MAX && !err; v++)
		for (i = 0; i < e->nreals && !err; i++)
			err = micro_real_addr(v, i, &e->real_addr[v][i]);
	if (err)
		fprintf(stderr, "harness: set up dsrlab's maps: %s\n", strerror(-err));
	return err;
}

/* ---- Katran: its Maglev (MaglevHash.cpp, MaglevBase.cpp, MurmurHash3.cpp) ---- */

static inline __u64 rotl64(__u64 x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static __u64 murmur3_x64_64(__u64 A, __u64 B, __u32 seed)
{
	__u64 h1 = seed, h2 = seed;
	const __u64 c1 = 0x87c37b91114253d5ull, c2 = 0x4cf5ad432745937full;
	__u64 k1 = A, k2 = B;

	k1 *= c1;
	k1 = rotl64(k1, 31);
	k1 *= c2;
	h1 ^= k1;
	h1 = rotl64(h1, 27);
	h1 += h2;
	h1 = h1 * 5 + 0x52dce729;
	k2 *= c2;
	k2 = rotl64(k2, 33);
	k2 *= c1;
	h2 ^= k2;
	h2 = rotl64(h2, 31);
	h2 += h1;
	h2 = h2 * 5 + 0x38495ab5;
	h1 ^= 16;
	h2 ^= 16;
	h1 += h2;
	h2 += h1;
	h1 ^= h1 >> 33;
	h1 *= 0xff51afd7ed558ccdull;
	h1 ^= h1 >> 33;
	h1 *= 0xc4ceb9fe1a85ec53ull;
	h1 ^= h1 >> 33;
	h2 ^= h2 >> 33;
	h2 *= 0xff51afd7ed558ccdull;
	h2 ^= h2 >> 33;
	h2 *= 0xc4ceb9fe1a85ec53ull;
	h2 ^= h2 >> 33;
	h1 += h2;
	return h1;
}

struct k_endpoint {
	__u32 num; /* real index */
	__u32 weight;
	__u64 hash;
};

static int cmp_endpoint(const void *a, const void *b)
{
	const struct k_endpoint *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/*
 * KatranLb's default ring (HashFunction::Maglev): endpoints sorted by hash, each with its
 * permutation (offset, skip) from MurmurHash3_x64_64 of its hash, filled in turn. Katran
 * hashes a real by folly::IPAddress::hash(); we use FNV-1a of the address bytes (only which
 * real a flow lands on depends on it, not the cost).
 */
static int katran_maglev(struct k_endpoint *ep, int n, __u32 *ring, __u32 size)
{
	__u64 *perm = calloc(2 * n, sizeof(*perm));
	__u64 *next = calloc(n, sizeof(*next));
	__u32 runs = 0, i, cur;
	int k, j;

	if (!perm || !next) {
		free(perm);
		free(next);
		return -ENOMEM;
	}
	qsort(ep, n, sizeof(*ep), cmp_endpoint);
	for (i = 0; i < size; i++)
		ring[i] = (__u32)-1;
	for (k = 0; k < n; k++) {
		perm[2 * k] = murmur3_x64_64(ep[k].hash, 42, 0) % size;
		perm[2 * k + 1] = murmur3_x64_64(ep[k].hash, 2718281828u, 2307) % (size - 1) + 1;
	}
	for (;;) {
		for (k = 0; k < n; k++) {
			for (j = 0; j < (int)ep[k].weight; j++) {
				cur = (perm[2 * k] + next[k] * perm[2 * k + 1]) % size;
				while (ring[cur] != (__u32)-1) {
					next[k]++;
					cur = (perm[2 * k] + next[k] * perm[2 * k + 1]) % size;
				}
				ring[cur] = ep[k].num;
				next[k]++;
				if (++runs == size)
					goto done;
			}
			ep[k].weight = 1;
		}
	}
done:
	free(perm);
	free(next);
	return 0;
}

static __u64 fnv1a(const void *p, size_t n)
{
	const __u8 *b = p;
	__u64 h = 0xcbf29ce484222325ull;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* VIP v as Katran's vip_definition, from the endpoint dsrlab is given. */
static int katran_vip_def(int v, struct katran_vip_definition *d)
{
	struct endpoint ep;
	int err = endpoint_parse(micro_vips[v].endpoint, &ep);

	if (err)
		return err;
	memset(d, 0, sizeof(*d));
	memcpy(ep.addr.family == FAM_IPV6 ? (void *)d->vipv6 : (void *)&d->vip, ep.addr.bytes,
	       ep.addr.family == FAM_IPV6 ? 16 : 4);
	d->port = htons(ep.port);
	d->proto = ep.proto;
	return 0;
}

static int map_fd(struct bpf_object *o, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(o, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

/*
 * Katran set up as KatranLb does it (KatranLb.cpp): per forwarding core an LRU_HASH
 * ("katran_lru<core>", flags 0: no BPF_F_NO_COMMON_LRU, no NUMA node) of LruSize / cores
 * entries, the first core's as lru_mapping's inner-map prototype, each put in lru_mapping at
 * its core after load; ctl_array[0] the default router's MAC; per VIP a vip_num (0, 1, ... in
 * order) in vip_map (flags 0); reals from index 1 (0 is kept invalid) in `reals`; each VIP's
 * Maglev ring of RING_SIZE slots in ch_rings at vip_num * RING_SIZE + slot.
 */
static int katran_open(struct env *e, const struct opts *o)
{
	struct katran_ctl_value ctl = { .mac = { 0x02, 0, 0, 0, 0, 0xfe } };
	LIBBPF_OPTS(bpf_map_create_opts, mo,
		    .map_flags = o->katran_no_common_lru ? BPF_F_NO_COMMON_LRU : 0);
	struct k_endpoint ep[MAX_REALS];
	struct bpf_program *prog;
	struct bpf_map *lm;
	__u32 *ring = NULL, *keys = NULL, next_real = 1, zero = 0, count;
	int cores[KATRAN_MAX_SUPPORTED_CPUS], ncores = 0, i, v, err, fd;
	char name[32];

	if (o->katran_cores_pinned) {
		cores[ncores++] = e->cpu;
	} else {
		for (i = 0; i < e->ncpu_online && i < KATRAN_MAX_SUPPORTED_CPUS; i++)
			cores[ncores++] = i;
	}
	e->k_ncores = ncores;
	e->k_lru_per_core = o->katran_lru_total / ncores;
	for (i = 0; i < ncores; i++) {
		snprintf(name, sizeof(name), "katran_lru%d", cores[i]);
		fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, name, sizeof(struct katran_flow_key),
				    sizeof(struct katran_real_pos_lru), e->k_lru_per_core, &mo);
		if (fd < 0) {
			err = -errno;
			fprintf(stderr, "harness: create Katran's LRU for core %d: %s\n", cores[i],
				strerror(errno));
			return err;
		}
		e->k_lru_fd[cores[i]] = fd;
	}
	if (e->k_lru_fd[e->cpu] < 0) {
		fprintf(stderr, "harness: no Katran LRU for the pinned CPU %d\n", e->cpu);
		return -EINVAL;
	}
	e->kobj = bpf_object__open_file(o->katran_obj, NULL);
	if (!e->kobj) {
		err = -errno;
		fprintf(stderr, "harness: open %s: %s\n", o->katran_obj, strerror(errno));
		return err;
	}
	lm = bpf_object__find_map_by_name(e->kobj, "lru_mapping");
	if (!lm) {
		fprintf(stderr, "harness: %s has no lru_mapping\n", o->katran_obj);
		return -ENOENT;
	}
	err = bpf_map__set_inner_map_fd(lm, e->k_lru_fd[cores[0]]);
	if (err) {
		fprintf(stderr, "harness: lru_mapping's inner prototype: %s\n", strerror(-err));
		return err;
	}
	err = bpf_object__load(e->kobj);
	if (err) {
		fprintf(stderr,
			"harness: load Katran's balancer: %s (HARNESS_VERBOSE=1 for libbpf's log)\n",
			strerror(-err));
		return err;
	}
	prog = bpf_object__find_program_by_name(e->kobj, "balancer_ingress");
	if (!prog) {
		fprintf(stderr, "harness: no balancer_ingress in %s\n", o->katran_obj);
		return -ENOENT;
	}
	e->kat_fd = bpf_program__fd(prog);
	e->k_stats_fd = map_fd(e->kobj, "stats");
	e->k_lru_mapping_fd = bpf_map__fd(lm);
	if (e->k_stats_fd < 0)
		return e->k_stats_fd;
	for (i = 0; i < ncores; i++) {
		if (bpf_map_update_elem(e->k_lru_mapping_fd, &cores[i], &e->k_lru_fd[cores[i]],
					BPF_ANY)) {
			err = -errno;
			fprintf(stderr, "harness: lru_mapping[%d]: %s\n", cores[i],
				strerror(errno));
			return err;
		}
	}
	fd = map_fd(e->kobj, "ctl_array");
	if (fd < 0 || bpf_map_update_elem(fd, &zero, &ctl, BPF_ANY)) {
		fprintf(stderr, "harness: Katran's ctl_array: %s\n", strerror(errno));
		return -EINVAL;
	}
	ring = malloc(sizeof(*ring) * KATRAN_RING_SIZE);
	keys = malloc(sizeof(*keys) * KATRAN_RING_SIZE);
	if (!ring || !keys) {
		err = -ENOMEM;
		goto out;
	}
	for (v = 0; v < MICRO_VIP_MAX; v++) {
		struct katran_vip_definition vd;
		struct katran_vip_meta meta = { .flags = 0, .vip_num = v };

		fd = map_fd(e->kobj, "vip_map");
		if (katran_vip_def(v, &vd) || fd < 0 ||
		    bpf_map_update_elem(fd, &vd, &meta, BPF_NOEXIST)) {
			err = -errno;
			fprintf(stderr, "harness: Katran's vip_map: %s\n", strerror(errno));
			goto out;
		}
		for (i = 0; i < e->nreals; i++) {
			struct katran_real_definition rd;
			struct ip_addr *a = &e->real_addr[v][i];
			__u32 num = next_real++;

			memset(&rd, 0, sizeof(rd));
			if (a->family == FAM_IPV6) {
				memcpy(rd.dstv6, a->bytes, 16);
				rd.flags = KATRAN_F_IPV6;
			} else {
				memcpy(&rd.dst, a->bytes, 4);
			}
			fd = map_fd(e->kobj, "reals");
			if (fd < 0 || bpf_map_update_elem(fd, &num, &rd, BPF_ANY)) {
				err = -errno;
				fprintf(stderr, "harness: Katran's reals: %s\n", strerror(errno));
				goto out;
			}
			e->k_real_num[v][i] = num;
			ep[i] = (struct k_endpoint){
				num, 1, fnv1a(a->bytes, a->family == FAM_IPV6 ? 16 : 4)
			};
		}
		err = katran_maglev(ep, e->nreals, ring, KATRAN_RING_SIZE);
		if (err)
			goto out;
		for (i = 0; i < KATRAN_RING_SIZE; i++)
			keys[i] = v * KATRAN_RING_SIZE + i;
		count = KATRAN_RING_SIZE;
		fd = map_fd(e->kobj, "ch_rings");
		if (fd < 0 || bpf_map_update_batch(fd, keys, ring, &count, NULL) ||
		    count != KATRAN_RING_SIZE) {
			err = -errno;
			fprintf(stderr, "harness: Katran's ch_rings: %s\n", strerror(errno));
			goto out;
		}
	}
	err = 0;
out:
	free(ring);
	free(keys);
	return err;
}

static int wrapper_open(struct env *e)
{
	int err;

	e->w = wrapper_bpf__open();
	if (!e->w) {
		fprintf(stderr, "harness: open the wrapper: %s\n", strerror(errno));
		return -errno;
	}
	err = bpf_map__reuse_fd(e->w->maps.conns, lb_conns_fd(e->lb));
	if (!err)
		err = bpf_map__reuse_fd(e->w->maps.conn_slots, lb_conn_slots_fd(e->lb));
	if (!err)
		err = bpf_map__reuse_fd(e->w->maps.katran_lru_mapping, e->k_lru_mapping_fd);
	if (!err)
		err = bpf_map__reuse_fd(e->w->maps.katran_stats, e->k_stats_fd);
	if (!err)
		err = wrapper_bpf__load(e->w);
	if (err) {
		fprintf(stderr,
			"harness: load the wrapper: %s (HARNESS_VERBOSE=1 for libbpf's log)\n",
			strerror(-err));
		return err;
	}
	e->w->bss->conn_sets = lb_conn_sets(e->lb);
	e->wrap_fd = bpf_program__fd(e->w->progs.bench_wrap);
	e->stub_fd = bpf_program__fd(e->w->progs.bench_stub);
	e->target_fd = bpf_map__fd(e->w->maps.bench_target);
	return 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = getenv("HARNESS_VERBOSE") ? 1 : 0;
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* ---- counters ---- */

static int dsr_stats(struct env *e, __u64 out[LB_STAT_MAX])
{
	struct lb_counter c[LB_STAT_MAX];
	int i, err = lb_stats_read(e->lb, c);

	for (i = 0; !err && i < LB_STAT_MAX; i++)
		out[i] = c[i].packets;
	return err;
}

/* Katran's per-CPU stats entries we check, summed over CPUs. */
static const __u32 kstat_keys[] = {
	KATRAN_LRU_CNTRS,	  KATRAN_LRU_MISS_CNTR,	  KATRAN_NEW_CONN_RATE_CNTR,
	KATRAN_FALLBACK_LRU_CNTR, KATRAN_ENCAP_FAIL_CNTR, KATRAN_CH_DROP_STATS,
	KATRAN_XDP_TOTAL_CNTR,	  KATRAN_XDP_TX_CNTR,	  KATRAN_XDP_DROP_CNTR,
	KATRAN_XDP_PASS_CNTR,
};
#define N_KSTATS ((int)(sizeof(kstat_keys) / sizeof(kstat_keys[0])))

struct kstats {
	struct katran_lb_stats s[N_KSTATS]; /* summed over CPUs */
	struct katran_lb_stats rate_this_cpu; /* NEW_CONN_RATE on the pinned CPU */
};

static int kat_stats(struct env *e, struct kstats *ks)
{
	struct katran_lb_stats *v = calloc(e->ncpu_possible, sizeof(*v));
	int i, c, err = 0;
	__u32 key;

	if (!v)
		return -ENOMEM;
	memset(ks, 0, sizeof(*ks));
	for (i = 0; i < N_KSTATS && !err; i++) {
		key = KATRAN_MAX_VIPS + kstat_keys[i];
		if (bpf_map_lookup_elem(e->k_stats_fd, &key, v)) {
			err = -errno;
			break;
		}
		for (c = 0; c < e->ncpu_possible; c++) {
			ks->s[i].v1 += v[c].v1;
			ks->s[i].v2 += v[c].v2;
		}
		if (kstat_keys[i] == KATRAN_NEW_CONN_RATE_CNTR)
			ks->rate_this_cpu = v[e->cpu];
	}
	free(v);
	return err;
}

static __u64 kd(const struct kstats *a, const struct kstats *b, __u32 which, bool v2)
{
	int i;

	for (i = 0; i < N_KSTATS; i++)
		if (kstat_keys[i] == which)
			return v2 ? b->s[i].v2 - a->s[i].v2 : b->s[i].v1 - a->s[i].v1;
	return ~0ull;
}

/* ---- flows ---- */

/* Katran's flow key for p as its parser fills it (a VIP with a port keeps the dport). */
static int kat_flow_of(const struct pkt *p, struct katran_flow_key *k)
{
	const struct ethhdr *eth = (const void *)p->data;
	const __u8 *l3 = p->data + sizeof(*eth);
	const __u8 *l4;

	memset(k, 0, sizeof(*k));
	if (eth->h_proto == htons(ETH_P_IP)) {
		const struct iphdr *ip = (const void *)l3;

		k->src = ip->saddr;
		k->dst = ip->daddr;
		k->proto = ip->protocol;
		l4 = l3 + ip->ihl * 4;
	} else if (eth->h_proto == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6 = (const void *)l3;

		memcpy(k->srcv6, &ip6->saddr, 16);
		memcpy(k->dstv6, &ip6->daddr, 16);
		k->proto = ip6->nexthdr;
		l4 = l3 + sizeof(*ip6);
	} else {
		return -EINVAL;
	}
	memcpy(&k->port16[0], l4, 2);
	memcpy(&k->port16[1], l4 + 2, 2);
	return 0;
}

/* ---- how busy the other CPUs were (/proc/stat): the machine is shared ---- */

struct cpu_times {
	unsigned long long busy[KATRAN_MAX_SUPPORTED_CPUS], total[KATRAN_MAX_SUPPORTED_CPUS];
};

static int cpu_times_read(struct cpu_times *t)
{
	unsigned long long v[10];
	char line[512];
	FILE *f = fopen("/proc/stat", "r");
	int cpu, n;

	memset(t, 0, sizeof(*t));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		memset(v, 0, sizeof(v));
		n = sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &cpu,
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
		if (n < 5 || cpu < 0 || cpu >= KATRAN_MAX_SUPPORTED_CPUS)
			continue;
		/* user nice system idle iowait irq softirq steal (guest is in user) */
		t->busy[cpu] = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
		t->total[cpu] = t->busy[cpu] + v[3] + v[4];
	}
	fclose(f);
	return 0;
}

/* Mean busy fraction of the CPUs other than ours between a and b (-1: none known). */
static double others_busy(const struct cpu_times *a, const struct cpu_times *b, int self)
{
	double sum = 0;
	int c, n = 0;

	for (c = 0; c < KATRAN_MAX_SUPPORTED_CPUS; c++) {
		unsigned long long dt = b->total[c] - a->total[c];

		if (c == self || !dt)
			continue;
		sum += (double)(b->busy[c] - a->busy[c]) / dt;
		n++;
	}
	return n ? sum / n : -1;
}

/*
 * Wait, up to wait_s seconds, for a second in which the other CPUs were at most max_pct %
 * busy on average. Returns the last second's figure (fraction; -1 if unknown).
 */
static double wait_quiet(int self, int max_pct, int wait_s)
{
	struct cpu_times a, b;
	double busy = -1;
	int i;

	for (i = 0; i < wait_s && !stop; i++) {
		cpu_times_read(&a);
		sleep(1);
		cpu_times_read(&b);
		busy = others_busy(&a, &b, self);
		if (busy * 100 <= max_pct)
			break;
	}
	return busy;
}

/* ---- runs ---- */

static int prog_run(struct env *e, int target, const struct pkt *p, __u32 repeat, __u32 *ns,
		    int *verdict, __u8 *out, __u32 *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = p->data, .data_size_in = p->len,
		    .data_out = out, .data_size_out = *out_len, .repeat = repeat);
	__u32 zero = 0;

	if (bpf_map_update_elem(e->target_fd, &zero, &target, BPF_ANY))
		return -errno;
	if (bpf_prog_test_run_opts(e->wrap_fd, &t))
		return -errno;
	*ns = t.duration;
	*verdict = t.retval;
	*out_len = t.data_size_out;
	return 0;
}

/* One pass of a balancer itself over p (no wrapper), to open a flow. */
static int seed_run(int fd, const struct pkt *p, int *verdict)
{
	__u8 out[512];
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = p->data, .data_size_in = p->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	if (bpf_prog_test_run_opts(fd, &t))
		return -errno;
	*verdict = t.retval;
	return 0;
}

static bool addr_is_real(const struct env *e, int v, int family, const void *a)
{
	int i;

	for (i = 0; v >= 0 && i < e->nreals; i++)
		if (e->real_addr[v][i].family == family &&
		    !memcmp(e->real_addr[v][i].bytes, a, family == FAM_IPV6 ? 16 : 4))
			return true;
	return false;
}

/*
 * An encapsulating balancer's output: Ethernet to the next hop's MAC, one outer header (IPv4
 * protocol 4 or IPv6 next header 41) to one of the VIP's backends, then the original packet
 * after its Ethernet header, intact. Returns NULL when it is, else what is wrong.
 */
static const char *check_encap(const struct env *e, int v, const struct pkt *p, const __u8 *out,
			       __u32 out_len)
{
	static const __u8 mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0xfe };
	const struct ethhdr *eth = (const void *)out;
	__u32 hdr = sizeof(*eth), outer;

	if (out_len < hdr + sizeof(struct iphdr))
		return "output too short";
	if (memcmp(eth->h_dest, mac, ETH_ALEN))
		return "not to the next hop's MAC";
	if (eth->h_proto == htons(ETH_P_IP)) {
		const struct iphdr *ip = (const void *)(out + hdr);

		if (ip->version != 4 || ip->ihl != 5 || ip->protocol != IPPROTO_IPIP)
			return "outer IPv4 is not IPIP (protocol 4)";
		if (!addr_is_real(e, v, FAM_IPV4, &ip->daddr))
			return "outer destination is no backend of the VIP";
		outer = sizeof(*ip);
	} else if (eth->h_proto == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6 = (const void *)(out + hdr);

		if (out_len < hdr + sizeof(*ip6))
			return "output too short";
		if (ip6->version != 6 || ip6->nexthdr != IPPROTO_IPV6)
			return "outer IPv6 is not IPv6-in-IPv6 (next header 41)";
		if (!addr_is_real(e, v, FAM_IPV6, &ip6->daddr))
			return "outer destination is no backend of the VIP";
		outer = sizeof(*ip6);
	} else {
		return "output is not IP";
	}
	if (out_len != p->len + outer || memcmp(out + hdr + outer, p->data + hdr, p->len - hdr))
		return "the original packet is not intact inside";
	return NULL;
}

struct class_result {
	__u32 ns[PROGS][MAX_ROUNDS];
	double med[PROGS];
	__u32 min[PROGS];
	char fail[256]; /* first check that failed; empty: all proved */
	__u32 dsr_path; /* dsrlab STAT_BIT()s that counted every iteration (rx aside) */
	__u32 dsr_out_len, kat_out_len, in_len;
	__u64 k_hits, k_misses, k_syn_misses, k_rate_max;
	double others_busy; /* the other CPUs' mean busy fraction while the class ran */
	double busy_before; /* ... in the second before it (wait_quiet), -1: not measured */
	bool ran;
};

#define FAIL(r, ...)                                                         \
	do {                                                                 \
		if (!(r)->fail[0])                                           \
			snprintf((r)->fail, sizeof((r)->fail), __VA_ARGS__); \
	} while (0)

static void wrapper_failures(struct env *e, struct class_result *r, const char *when)
{
	struct wrapper_bpf__bss *b = e->w->bss;

	if (b->restore_failed || b->tail_call_failed || b->katran_lru_missing ||
	    b->katran_rate_missing)
		FAIL(r,
		     "wrapper failures after %s: restore %llu, tail call %llu, katran lru "
		     "missing %llu, katran rate entry missing %llu",
		     when, (unsigned long long)b->restore_failed,
		     (unsigned long long)b->tail_call_failed,
		     (unsigned long long)b->katran_lru_missing,
		     (unsigned long long)b->katran_rate_missing);
}

static int run_stub(struct env *e, const struct bench_class *cl, const struct pkt *p, __u32 repeat,
		    struct class_result *r, int round)
{
	__u8 out[512];
	__u32 out_len = sizeof(out);
	int err, verdict;

	err = prog_run(e, e->stub_fd, p, repeat, &r->ns[P_STUB][round], &verdict, out, &out_len);
	if (err)
		return err;
	if (verdict != XDP_TX)
		FAIL(r, "stub returned %d, not XDP_TX", verdict);
	if (out_len != p->len || memcmp(out, p->data, p->len))
		FAIL(r, "stub's output is not the restored packet (class %s)", cl->name);
	return 0;
}

static int run_dsrlab(struct env *e, const struct bench_class *cl, const struct pkt *p,
		      __u32 repeat, struct class_result *r, int round)
{
	__u64 before[LB_STAT_MAX], after[LB_STAT_MAX], d;
	__u8 out[512];
	__u32 out_len = sizeof(out), path = 0;
	const char *why;
	int err, s, verdict;

	err = dsr_stats(e, before);
	if (!err)
		err = prog_run(e, e->dsr_fd, p, repeat, &r->ns[P_DSRLAB][round], &verdict, out,
			       &out_len);
	if (!err)
		err = dsr_stats(e, after);
	if (err)
		return err;
	for (s = 0; s < LB_STAT_MAX; s++) {
		d = after[s] - before[s];
		if (d != 0 && d != repeat)
			FAIL(r, "dsrlab: counter %s moved %llu in %u iterations", lb_stat_name(s),
			     (unsigned long long)d, repeat);
		if (d == repeat && s != LB_STAT_RX)
			path |= STAT_BIT(s);
		if ((cl->intended & STAT_BIT(s)) && d != repeat)
			FAIL(r, "dsrlab: intended counter %s moved %llu, not %u", lb_stat_name(s),
			     (unsigned long long)d, repeat);
	}
	if (after[LB_STAT_RX] - before[LB_STAT_RX] != repeat)
		FAIL(r, "dsrlab: rx moved %llu, not %u",
		     (unsigned long long)(after[LB_STAT_RX] - before[LB_STAT_RX]), repeat);
	if (round && path != r->dsr_path)
		FAIL(r, "dsrlab: path changed between rounds");
	r->dsr_path = path;
	if (verdict != cl->verdict)
		FAIL(r, "dsrlab returned %d, not %d", verdict, cl->verdict);
	r->dsr_out_len = out_len;
	if (cl->verdict == XDP_TX) {
		why = check_encap(e, cl->vip, p, out, out_len);
		if (why)
			FAIL(r, "dsrlab's output: %s", why);
	} else if (out_len != p->len || memcmp(out, p->data, p->len)) {
		FAIL(r, "dsrlab changed a packet it passed");
	}
	return 0;
}

static int run_katran(struct env *e, const struct bench_class *cl, const struct pkt *p,
		      __u32 repeat, struct class_result *r, int round)
{
	struct kstats before, after;
	struct katran_flow_key key;
	struct katran_real_pos_lru pos;
	__u8 out[512];
	__u32 out_len = sizeof(out);
	__u64 total, tx, pass, drop, vip_pkts, misses, syn_miss, fallback;
	const char *why;
	int err, verdict, i;
	bool found;

	err = kat_stats(e, &before);
	if (!err)
		err = prog_run(e, e->kat_fd, p, repeat, &r->ns[P_KATRAN][round], &verdict, out,
			       &out_len);
	if (!err)
		err = kat_stats(e, &after);
	if (err)
		return err;
	total = kd(&before, &after, KATRAN_XDP_TOTAL_CNTR, false);
	tx = kd(&before, &after, KATRAN_XDP_TX_CNTR, false);
	pass = kd(&before, &after, KATRAN_XDP_PASS_CNTR, false);
	drop = kd(&before, &after, KATRAN_XDP_DROP_CNTR, false);
	vip_pkts = kd(&before, &after, KATRAN_LRU_CNTRS, false);
	misses = kd(&before, &after, KATRAN_LRU_CNTRS, true);
	syn_miss = kd(&before, &after, KATRAN_LRU_MISS_CNTR, false);
	fallback = kd(&before, &after, KATRAN_FALLBACK_LRU_CNTR, false);
	if (total != repeat)
		FAIL(r, "katran: total moved %llu, not %u", (unsigned long long)total, repeat);
	if (fallback)
		FAIL(r, "katran: %llu packets used fallback_cache (no LRU for this CPU)",
		     (unsigned long long)fallback);
	if (drop)
		FAIL(r, "katran: %llu drops", (unsigned long long)drop);
	if (kd(&before, &after, KATRAN_ENCAP_FAIL_CNTR, false) ||
	    kd(&before, &after, KATRAN_ENCAP_FAIL_CNTR, true) ||
	    kd(&before, &after, KATRAN_CH_DROP_STATS, false) ||
	    kd(&before, &after, KATRAN_CH_DROP_STATS, true))
		FAIL(r, "katran: encap failures or CH drops");
	switch (cl->kpath) {
	case K_HIT:
		if (tx != repeat || vip_pkts != repeat || misses)
			FAIL(r,
			     "katran: tx %llu, vip packets %llu, LRU misses %llu: not an LRU "
			     "hit every iteration",
			     (unsigned long long)tx, (unsigned long long)vip_pkts,
			     (unsigned long long)misses);
		break;
	case K_SYN_MISS:
		if (tx != repeat || vip_pkts != repeat || misses != repeat || syn_miss != repeat)
			FAIL(r,
			     "katran: tx %llu, vip packets %llu, LRU misses %llu, SYN misses "
			     "%llu: not a new flow every iteration",
			     (unsigned long long)tx, (unsigned long long)vip_pkts,
			     (unsigned long long)misses, (unsigned long long)syn_miss);
		/*
		 * The wrapper zeroes the rate counter before each iteration, so Katran's
		 * is_under_flood() sees at most 1 and inserts; the last insert is in the LRU.
		 */
		if (after.rate_this_cpu.v1 > 1)
			FAIL(r, "katran: new-connection rate counter at %llu after the run",
			     (unsigned long long)after.rate_this_cpu.v1);
		if (after.rate_this_cpu.v1 > r->k_rate_max)
			r->k_rate_max = after.rate_this_cpu.v1;
		if (kat_flow_of(p, &key) || bpf_map_lookup_elem(e->k_lru_fd[e->cpu], &key, &pos))
			FAIL(r, "katran: the SYN's flow is not in this CPU's LRU after the run "
				"(insert skipped: flood protection?)");
		break;
	case K_PASS:
		if (pass != repeat || vip_pkts)
			FAIL(r, "katran: pass %llu, vip packets %llu: not passed every iteration",
			     (unsigned long long)pass, (unsigned long long)vip_pkts);
		break;
	}
	r->k_hits += vip_pkts - misses;
	r->k_misses += misses;
	r->k_syn_misses += syn_miss;
	if (verdict != cl->verdict)
		FAIL(r, "katran returned %d, not %d", verdict, cl->verdict);
	r->kat_out_len = out_len;
	if (cl->verdict == XDP_TX) {
		why = check_encap(e, cl->vip, p, out, out_len);
		if (why)
			FAIL(r, "katran's output: %s", why);
		/* and the LRU entry names one of this VIP's reals */
		if (!kat_flow_of(p, &key) &&
		    !bpf_map_lookup_elem(e->k_lru_fd[e->cpu], &key, &pos)) {
			found = false;
			for (i = 0; i < e->nreals; i++)
				found = found || pos.pos == e->k_real_num[cl->vip][i];
			if (!found)
				FAIL(r, "katran: LRU entry names real %u, not one of the VIP's",
				     pos.pos);
		} else {
			FAIL(r, "katran: no LRU entry for the flow on CPU %d", e->cpu);
		}
	} else if (out_len != p->len || memcmp(out, p->data, p->len)) {
		FAIL(r, "katran changed a packet it passed");
	}
	return 0;
}

/* Load the class's packet into the wrapper; open its flow in both tables when it has one. */
static int class_prepare(struct env *e, const struct bench_class *cl, struct pkt *p,
			 struct class_result *r)
{
	struct bench_pkt *bp = &e->w->bss->pkt;
	struct flow_key dk;
	struct katran_flow_key kk;
	struct katran_real_pos_lru pos;
	struct conn_val cv;
	int err, verdict;

	cl->build(p);
	if (p->len > BENCH_PKT_MAX)
		return -E2BIG;
	r->in_len = p->len;
	if (micro_flow_of(p, &dk) || kat_flow_of(p, &kk))
		return -EINVAL;
	memset(bp, 0, sizeof(*bp));
	memcpy(bp->data, p->data, p->len);
	bp->len = p->len;
	memcpy(bp->dsr_key, &dk, sizeof(dk));
	memcpy(bp->kat_key, &kk, sizeof(kk));
	if (cl->syn)
		bp->flags = WF_DEL_DSRLAB | WF_DEL_KATRAN | (no_rate_reset ? 0 : WF_RESET_RATE);
	if (!cl->seed)
		return 0;
	/* dsrlab: as micro.c's seed_flows(): the balancer writes it, else by hand */
	err = seed_run(e->dsr_fd, p, &verdict);
	if (err || lb_conn_get(e->lb, &dk, &cv)) {
		memset(&cv, 0, sizeof(cv));
		cv.real_id = e->first_real[cl->vip];
		err = lb_conn_put(e->lb, &dk, &cv);
		if (err)
			return err;
	}
	/* Katran: its non-SYN miss path inserts the flow into this CPU's LRU */
	err = seed_run(e->kat_fd, p, &verdict);
	if (err)
		return err;
	if (verdict != XDP_TX || bpf_map_lookup_elem(e->k_lru_fd[e->cpu], &kk, &pos)) {
		fprintf(stderr,
			"harness: class %s: Katran's first pass left no LRU entry "
			"(verdict %d)\n",
			cl->name, verdict);
		return -ENOENT;
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static double median_u32(const __u32 *v, int n)
{
	__u32 s[MAX_ROUNDS];

	memcpy(s, v, sizeof(*v) * n);
	qsort(s, n, sizeof(*s), cmp_u32);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

static __u32 min_u32(const __u32 *v, int n)
{
	__u32 m = v[0];
	int i;

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

static int measure_class(struct env *e, const struct bench_class *cl, const struct opts *o,
			 struct class_result *r)
{
	struct cpu_times t0, t1;
	struct pkt p;
	int round, i, which, err;

	memset(r, 0, sizeof(*r));
	/* before the seeding: Katran's UDP entry must not age (LRU_UDP_TIMEOUT, 30 s) */
	r->busy_before = -1;
	if (o->quiet_wait > 0) {
		r->busy_before = wait_quiet(e->cpu, o->quiet_max, o->quiet_wait);
		if (r->busy_before * 100 > o->quiet_max)
			fprintf(stderr,
				"harness: class %s: other CPUs still %.0f%% busy after %d s; "
				"measuring anyway (see others_busy)\n",
				cl->name, r->busy_before * 100, o->quiet_wait);
	}
	if (stop)
		return -EINTR;
	err = class_prepare(e, cl, &p, r);
	if (err) {
		fprintf(stderr, "harness: prepare class %s: %s\n", cl->name, strerror(-err));
		return err;
	}
	wrapper_failures(e, r, "setup");
	cpu_times_read(&t0);
	for (round = 0; round < o->rounds; round++) {
		for (i = 0; i < PROGS; i++) {
			if (stop)
				return -EINTR;
			which = o->rotate ? (round + i) % PROGS : i;
			switch (which) {
			case P_STUB:
				err = run_stub(e, cl, &p, o->repeat, r, round);
				break;
			case P_DSRLAB:
				err = run_dsrlab(e, cl, &p, o->repeat, r, round);
				break;
			default:
				err = run_katran(e, cl, &p, o->repeat, r, round);
				break;
			}
			if (err) {
				fprintf(stderr, "harness: BPF_PROG_RUN (class %s, %s): %s\n",
					cl->name, prog_names[which], strerror(-err));
				return err;
			}
			wrapper_failures(e, r, prog_names[which]);
		}
	}
	cpu_times_read(&t1);
	r->others_busy = others_busy(&t0, &t1, e->cpu);
	for (i = 0; i < PROGS; i++) {
		r->med[i] = median_u32(r->ns[i], o->rounds);
		r->min[i] = min_u32(r->ns[i], o->rounds);
	}
	r->ran = true;
	return 0;
}

/* ---- output ---- */

static const char *path_str(__u32 bits, char *buf, size_t sz)
{
	size_t n = 0;
	int s;

	buf[0] = '\0';
	for (s = 0; s < LB_STAT_MAX; s++)
		if (bits & STAT_BIT(s))
			n += snprintf(buf + n, n < sz ? sz - n : 0, "%s%s", n ? "+" : "",
				      lb_stat_name(s));
	if (!n)
		snprintf(buf, sz, "(none)");
	return buf;
}

static const char *kpath_str(enum kpath k)
{
	return k == K_HIT      ? "lru_hit+xdp_tx" :
	       k == K_SYN_MISS ? "syn_lru_miss+insert+xdp_tx" :
				 "xdp_pass";
}

static double ratio_of(const struct class_result *r)
{
	double k = r->med[P_KATRAN] - r->med[P_STUB];

	return k != 0 ? (r->med[P_DSRLAB] - r->med[P_STUB]) / k : 0;
}

/* The median over rounds of each round's own (dsrlab - stub) / (katran - stub). */
static double round_ratio(const struct class_result *r, int n)
{
	double v[MAX_ROUNDS], t;
	int i, j, m = 0;

	for (i = 0; i < n; i++) {
		double k = (double)r->ns[P_KATRAN][i] - r->ns[P_STUB][i];

		if (k != 0)
			v[m++] = ((double)r->ns[P_DSRLAB][i] - r->ns[P_STUB][i]) / k;
	}
	for (i = 1; i < m; i++) /* insertion sort: n is small */
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	if (!m)
		return 0;
	return m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
}

static json_t *json_u32s(const __u32 *v, int n)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static void print_json(const struct env *e, const struct opts *o, const struct class_result *res,
		       const char *kernel, const char *stamp)
{
	char path[128];
	int i;

	for (i = 0; i < N_CLASSES; i++) {
		const struct class_result *r = &res[i];
		json_t *j;

		if (!r->ran)
			continue;
		j = json_object();
		json_object_set_new(j, "class", json_string(classes[i].name));
		json_object_set_new(j, "time", json_string(stamp));
		json_object_set_new(j, "kernel", json_string(kernel));
		json_object_set_new(j, "cpu", json_integer(e->cpu));
		json_object_set_new(j, "rounds", json_integer(o->rounds));
		json_object_set_new(j, "repeat", json_integer(o->repeat));
		json_object_set_new(j, "order",
				    json_string(o->rotate ? "rotated" : "stub,dsrlab,katran"));
		json_object_set_new(j, "reals_per_vip", json_integer(e->nreals));
		json_object_set_new(j, "katran_commit", json_string(KATRAN_COMMIT));
		json_object_set_new(j, "katran_build", json_string(KATRAN_BUILD));
		json_object_set_new(j, "katran_lru_per_core", json_integer(e->k_lru_per_core));
		json_object_set_new(j, "katran_lru_cores", json_integer(e->k_ncores));
		json_object_set_new(
			j, "katran_lru_flags",
			json_string(o->katran_no_common_lru ? "BPF_F_NO_COMMON_LRU" : "0"));
		json_object_set_new(j, "stub_ns", json_real(r->med[P_STUB]));
		json_object_set_new(j, "dsrlab_ns", json_real(r->med[P_DSRLAB]));
		json_object_set_new(j, "katran_ns", json_real(r->med[P_KATRAN]));
		json_object_set_new(j, "dsrlab_above_ns",
				    json_real(r->med[P_DSRLAB] - r->med[P_STUB]));
		json_object_set_new(j, "katran_above_ns",
				    json_real(r->med[P_KATRAN] - r->med[P_STUB]));
		json_object_set_new(j, "ratio", json_real(ratio_of(r)));
		json_object_set_new(j, "ratio_rounds_median", json_real(round_ratio(r, o->rounds)));
		json_object_set_new(j, "stub_runs_ns", json_u32s(r->ns[P_STUB], o->rounds));
		json_object_set_new(j, "dsrlab_runs_ns", json_u32s(r->ns[P_DSRLAB], o->rounds));
		json_object_set_new(j, "katran_runs_ns", json_u32s(r->ns[P_KATRAN], o->rounds));
		json_object_set_new(j, "dsrlab_path",
				    json_string(path_str(r->dsr_path, path, sizeof(path))));
		json_object_set_new(j, "katran_path", json_string(kpath_str(classes[i].kpath)));
		json_object_set_new(j, "others_busy", json_real(r->others_busy));
		json_object_set_new(j, "others_busy_before", json_real(r->busy_before));
		json_object_set_new(j, "proved", json_true());
		json_dumpf(j, stdout, JSON_COMPACT | JSON_REAL_PRECISION(6));
		printf("\n");
		json_decref(j);
	}
}

static void print_text(const struct env *e, const struct opts *o, const struct class_result *res,
		       const char *kernel)
{
	char path[128];
	int i;

	printf("katran-bench harness: kernel %s, CPU %d, BPF_PROG_RUN %u iterations x %d rounds\n"
	       "(order %s), median ns/packet; every program runs behind the same wrapper\n"
	       "(restore + tail call).\nKatran %.12s, built %s;\n"
	       "Katran LRU %u entries per core on %d core(s), flags %s; dsrlab conn table: sets, "
	       "%u entries;\n%d backends per VIP.\n\n",
	       kernel, e->cpu, o->repeat, o->rounds, o->rotate ? "rotated" : "stub,dsrlab,katran",
	       KATRAN_COMMIT, KATRAN_BUILD, e->k_lru_per_core, e->k_ncores,
	       o->katran_no_common_lru ? "BPF_F_NO_COMMON_LRU" : "0", LB_CONN_TABLE_SIZE,
	       e->nreals);
	printf("%-17s %7s %8s %8s %13s %13s %7s %9s\n", "class", "stub", "dsrlab", "katran",
	       "dsrlab-above", "katran-above", "ratio", "ratio/rnd");
	for (i = 0; i < N_CLASSES; i++) {
		const struct class_result *r = &res[i];

		if (!r->ran)
			continue;
		printf("%-17s %7.1f %8.1f %8.1f %13.1f %13.1f %7.2f %9.2f\n", classes[i].name,
		       r->med[P_STUB], r->med[P_DSRLAB], r->med[P_KATRAN],
		       r->med[P_DSRLAB] - r->med[P_STUB], r->med[P_KATRAN] - r->med[P_STUB],
		       ratio_of(r), round_ratio(r, o->rounds));
	}
	printf("(ratio: dsrlab-above / katran-above, of the medians; ratio/rnd: the median of "
	       "each round's own ratio.)\n\nPaths, every iteration of every "
	       "round (counters):\n");
	for (i = 0; i < N_CLASSES; i++) {
		const struct class_result *r = &res[i];

		if (!r->ran)
			continue;
		printf("  %-17s dsrlab %s; katran %s (LRU hits %llu, misses %llu);\n"
		       "  %-17s other CPUs %.0f%% busy meanwhile (%.0f%% the second before)\n",
		       classes[i].name, path_str(r->dsr_path, path, sizeof(path)),
		       kpath_str(classes[i].kpath), (unsigned long long)r->k_hits,
		       (unsigned long long)r->k_misses, "", r->others_busy * 100,
		       r->busy_before * 100);
	}
}

static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p && *p) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		if (len == n && !strncmp(p, name, n))
			return true;
		p = c ? c + 1 : NULL;
	}
	return false;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: harness [--rounds R] [--repeat N] [--json] [--rotate] [--cpu N]\n"
		"               [--only CLASS,...] [--reals N] [--katran-obj PATH]\n"
		"               [--katran-lru-total N] [--katran-cores all|pinned]\n"
		"               [--no-rate-reset (a check of the checks: SYN must fail)]\n"
		"               [--katran-no-common-lru (not KatranLb's setup: for comparison)]\n"
		"               [--quiet-max PCT --quiet-wait S (before each class, wait up to S s\n"
		"                for the other CPUs to be at most PCT %% busy; default: no wait)]\n"
		"classes:");
	for (int i = 0; i < N_CLASSES; i++)
		fprintf(f, " %s", classes[i].name);
	fprintf(f, "\n");
}

static int pin_cpu(int want)
{
	int cpu = want >= 0 ? want : sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -1;
	return sched_getcpu() == cpu ? cpu : -1;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "rotate", no_argument, NULL, 'R' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "only", required_argument, NULL, 'o' },
		{ "reals", required_argument, NULL, 'b' },
		{ "katran-obj", required_argument, NULL, 'k' },
		{ "katran-lru-total", required_argument, NULL, 'L' },
		{ "katran-cores", required_argument, NULL, 'C' },
		{ "no-rate-reset", no_argument, NULL, 'Z' },
		{ "katran-no-common-lru", no_argument, NULL, 'N' },
		{ "quiet-max", required_argument, NULL, 'q' },
		{ "quiet-wait", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct opts o = {
		.rounds = 11,
		.repeat = 200000,
		.cpu = -1,
		.reals = MICRO_REALS_PER_VIP,
		.katran_obj = KATRAN_OBJ_DEFAULT,
		.katran_lru_total = LB_CONN_TABLE_SIZE,
		.quiet_max = 20,
	};
	static struct class_result res[N_CLASSES];
	struct env e;
	struct utsname u;
	char stamp[32];
	time_t now;
	int c, i, err, code = EXIT_OK;
	bool any_fail = false;

	while ((c = getopt_long(argc, argv, "r:n:jRc:o:b:k:L:C:ZNq:w:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o.rounds = atoi(optarg);
			break;
		case 'n':
			o.repeat = strtoul(optarg, NULL, 0);
			break;
		case 'j':
			o.json = true;
			break;
		case 'R':
			o.rotate = true;
			break;
		case 'c':
			o.cpu = atoi(optarg);
			break;
		case 'o':
			o.only = optarg;
			break;
		case 'b':
			o.reals = atoi(optarg);
			break;
		case 'k':
			o.katran_obj = optarg;
			break;
		case 'L':
			o.katran_lru_total = strtoul(optarg, NULL, 0);
			break;
		case 'C':
			if (!strcmp(optarg, "all"))
				o.katran_cores_pinned = false;
			else if (!strcmp(optarg, "pinned"))
				o.katran_cores_pinned = true;
			else {
				usage(stderr);
				return EXIT_USAGE;
			}
			break;
		case 'q':
			o.quiet_max = atoi(optarg);
			break;
		case 'w':
			o.quiet_wait = atoi(optarg);
			break;
		case 'N':
			o.katran_no_common_lru = true;
			break;
		case 'Z':
			o.no_rate_reset = no_rate_reset = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || o.rounds < 1 || o.rounds > MAX_ROUNDS || o.repeat < 1 ||
	    o.reals < 1 || o.reals > MAX_REALS || o.katran_lru_total < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (o.only) {
		for (const char *p = o.only; p && *p;) {
			const char *cm = strchr(p, ',');
			size_t len = cm ? (size_t)(cm - p) : strlen(p);
			bool known = false;

			for (i = 0; i < N_CLASSES; i++)
				known = known || (strlen(classes[i].name) == len &&
						  !strncmp(classes[i].name, p, len));
			if (!known) {
				fprintf(stderr, "harness: --only: no class \"%.*s\"\n", (int)len,
					p);
				usage(stderr);
				return EXIT_USAGE;
			}
			p = cm ? cm + 1 : NULL;
		}
	}
	if (geteuid() != 0) {
		fprintf(stderr, "harness: needs root (BPF_PROG_RUN)\n");
		return EXIT_NOROOT;
	}
	/* Pin first: every BPF_PROG_RUN runs here, and Katran's LRU is this CPU's. */
	memset(&e, 0, sizeof(e));
	for (i = 0; i < KATRAN_MAX_SUPPORTED_CPUS; i++)
		e.k_lru_fd[i] = -1;
	e.cpu = pin_cpu(o.cpu);
	if (e.cpu < 0) {
		fprintf(stderr, "harness: cannot pin to CPU %d: %s\n", o.cpu, strerror(errno));
		return EXIT_SETUP;
	}
	e.ncpu_possible = libbpf_num_possible_cpus();
	e.ncpu_online = sysconf(_SC_NPROCESSORS_ONLN);
	if (e.ncpu_possible <= 0 || e.ncpu_online <= 0 || e.cpu >= KATRAN_MAX_SUPPORTED_CPUS) {
		fprintf(stderr, "harness: CPU count\n");
		return EXIT_SETUP;
	}
	e.nreals = o.reals;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	libbpf_set_print(libbpf_print);
	uname(&u);
	now = time(NULL);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

	err = dsr_open(&e);
	if (!err)
		err = katran_open(&e, &o);
	if (!err)
		err = wrapper_open(&e);
	if (err) {
		env_close(&e);
		return EXIT_SETUP;
	}
	for (i = 0; i < N_CLASSES; i++) {
		if (o.only && !listed(o.only, classes[i].name))
			continue;
		err = measure_class(&e, &classes[i], &o, &res[i]);
		if (err) {
			code = err == -EINTR ? EXIT_CHECK : EXIT_SETUP;
			if (err == -EINTR)
				fprintf(stderr, "harness: interrupted\n");
			goto out;
		}
		if (res[i].fail[0]) {
			fprintf(stderr, "harness: class %s NOT proved: %s\n", classes[i].name,
				res[i].fail);
			any_fail = true;
		}
	}
	if (any_fail) {
		fprintf(stderr, "harness: refusing the results: a check failed (see above)\n");
		code = EXIT_CHECK;
		goto out;
	}
	if (o.json)
		print_json(&e, &o, res, u.release, stamp);
	else
		print_text(&e, &o, res, u.release);
out:
	env_close(&e);
	return code;
}
