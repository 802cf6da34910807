// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP balancer under BPF_PROG_RUN: fixture tables of {description, input frame, verdict,
 * output frame, counters that move}. Each test loads a fresh program, so the connection
 * table starts empty; rows of one table run in order and may depend on earlier rows.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/maps.h"
#include "common/parse.h"
#include "lb/lb.h"
#include "tests/bpf/fixture.h"
#include "balancer.skel.h"

#define MAC_ROUTER   "02:00:00:00:01:01" /* sends us the client's frames */
#define MAC_LB	     "02:00:00:00:01:02" /* our port */
#define MAC_NEXTHOP  "02:00:00:00:01:fe" /* lb_config.nexthop_mac, on purpose not the sender */
#define LB_SRC	     "10.0.1.2" /* lb_config.src_v4 */
#define LB_SRC_PLEN  24 /* lb_config.src_v4_prefix_len: per-flow sources in 10.0.1.0/24 */
#define LB_SRC6	     "2001:db8:1b::2" /* lb_config.src_v6 */
#define LB_SRC6_PLEN 112 /* lb_config.src_v6_prefix_len: per-flow sources vary 16 bits */
#define GUE_PORT     GUE_PORT_DEFAULT /* lb_config.gue_port */
#define CLIENT	     "10.0.0.2"
#define CLIENT6	     "2001:db8:ff::2"
#define HASH_SEED    0x5eed1234u

#define VIP_ONE	    "10.100.0.1" /* :80/tcp, one backend (real 1) */
#define VIP_TWO	    "10.100.0.2" /* :80/tcp, ring slot i -> real 1 + i % 2 */
#define VIP_ALL	    "10.100.0.3" /* all TCP ports, real 3 */
#define VIP_EMPTY   "10.100.0.4" /* :80/tcp, ring of zeros */
#define VIP_NORING  "10.100.0.5" /* :80/tcp, no ring map at all */
#define VIP_V6	    "2001:db8:100::1" /* :80/tcp and :53/udp, ip6ip6, real 4 */
#define VIP_NOPORTS "10.100.0.7" /* :53/udp, VIP_F_HASH_NO_PORTS, real 2 */
#define VIP_GUE	    "10.100.0.8" /* :80/tcp, GUE over IPv4, real 1 */
#define VIP_4IN6    "10.100.0.10" /* :80/tcp, 4in6, real 4 */
#define VIP_GUE6    "10.100.0.11" /* :80/tcp, GUE over IPv6, real 5 */
#define VIP_V6_GUE  "2001:db8:100::12" /* :80/tcp, GUE over IPv6, real 5 */
#define VIP_V6_GUE4 "2001:db8:100::13" /* :443/udp, GUE over IPv4, real 2 */
#define VIP_FLOW4   "10.100.0.14" /* :80/tcp, ipip, VIP_F_SRC_PER_FLOW, real 1 */
#define VIP_FLOW6   "2001:db8:100::15" /* :80/tcp, ip6ip6, VIP_F_SRC_PER_FLOW, real 4 */
#define VIP_BAD4    "10.100.0.16" /* :80/tcp, ipip, but its ring names IPv6 real 4 */
#define VIP_BAD6    "10.100.0.17" /* :80/tcp, 4in6, but its ring names IPv4 real 1 */
#define VIP_6IN4    "2001:db8:100::18" /* :80/tcp, 6in4: parsed, never produced */
#define VIP_GUEFLOW "10.100.0.19" /* :53/udp, GUE over IPv6, VIP_F_SRC_PER_FLOW, real 5 */
#define VIP_FRAG    "10.100.0.20" /* all UDP ports, VIP_F_HASH_NO_PORTS, reals 1 and 2 */
#define VIP_FRAG6   "2001:db8:100::21" /* all UDP ports, ip6ip6, VIP_F_HASH_NO_PORTS, reals 4, 5 */
#define ROUTER	    "10.0.0.1" /* sends ICMP errors about the VIPs' replies */
#define ROUTER6	    "2001:db8:ff::1"

#define FROM_ROUTER ETH(MAC_LB, MAC_ROUTER)
#define TO_NEXTHOP  ETH(MAC_NEXTHOP, MAC_LB)

#define REAL_FROM_RING 0xffffffffu /* the row's backend: flow_hash over the VIP's ring */
#define NREALS	       6
#define NVIPS	       22

/*
 * Output fields that come from the flow hash; row_run() fills them in from its own reading
 * of the layouts in bpf/encap.h: flow label = hash & 0xfffff, GUE source port
 * 0xc000 | (hash & 0x3fff), per-flow source = configured prefix + low bits of the hash.
 */
#define LABEL_HASHED 0xffffffffu
#define SPORT_HASHED 0 /* in a UDP layer to GUE_PORT */
#define SRC_PER_FLOW "per-flow"

static const char *const real_addr[NREALS] = {
	[1] = "10.1.0.2",      [2] = "10.1.1.2",      [3] = "10.2.0.2",
	[4] = "2001:db8:1::2", [5] = "2001:db8:2::2",
};

struct vip_spec {
	const char *addr;
	__u16 port;
	__u8 proto;
	__u8 encap;
	__u32 id;
	__u32 flags;
	bool no_ring;
	__u32 ring_even, ring_odd; /* what even and odd ring slots hold */
};

static const struct vip_spec vip_specs[] = {
	{ VIP_ONE, 80, IPPROTO_TCP, ENCAP_IPIP, 1, 0, false, 1, 1 },
	{ VIP_TWO, 80, IPPROTO_TCP, ENCAP_IPIP, 2, 0, false, 1, 2 },
	{ VIP_ALL, 0, IPPROTO_TCP, ENCAP_IPIP, 3, 0, false, 3, 3 },
	{ VIP_EMPTY, 80, IPPROTO_TCP, ENCAP_IPIP, 4, 0, false, 0, 0 },
	{ VIP_NORING, 80, IPPROTO_TCP, ENCAP_IPIP, 5, 0, true, 0, 0 },
	{ VIP_V6, 80, IPPROTO_TCP, ENCAP_IP6IP6, 6, 0, false, 4, 4 },
	{ VIP_NOPORTS, 53, IPPROTO_UDP, ENCAP_IPIP, 7, VIP_F_HASH_NO_PORTS, false, 2, 2 },
	{ VIP_GUE, 80, IPPROTO_TCP, ENCAP_GUE, 8, 0, false, 1, 1 },
	{ VIP_V6, 53, IPPROTO_UDP, ENCAP_IP6IP6, 9, 0, false, 4, 4 },
	{ VIP_4IN6, 80, IPPROTO_TCP, ENCAP_4IN6, 10, 0, false, 4, 4 },
	{ VIP_GUE6, 80, IPPROTO_TCP, ENCAP_GUE, 11, 0, false, 5, 5 },
	{ VIP_V6_GUE, 80, IPPROTO_TCP, ENCAP_GUE, 12, 0, false, 5, 5 },
	{ VIP_V6_GUE4, 443, IPPROTO_UDP, ENCAP_GUE, 13, 0, false, 2, 2 },
	{ VIP_FLOW4, 80, IPPROTO_TCP, ENCAP_IPIP, 14, VIP_F_SRC_PER_FLOW, false, 1, 1 },
	{ VIP_FLOW6, 80, IPPROTO_TCP, ENCAP_IP6IP6, 15, VIP_F_SRC_PER_FLOW, false, 4, 4 },
	{ VIP_BAD4, 80, IPPROTO_TCP, ENCAP_IPIP, 16, 0, false, 4, 4 },
	{ VIP_BAD6, 80, IPPROTO_TCP, ENCAP_4IN6, 17, 0, false, 1, 1 },
	{ VIP_6IN4, 80, IPPROTO_TCP, ENCAP_6IN4, 18, 0, false, 4, 4 },
	{ VIP_GUEFLOW, 53, IPPROTO_UDP, ENCAP_GUE, 19, VIP_F_SRC_PER_FLOW, false, 5, 5 },
	{ VIP_FRAG, 0, IPPROTO_UDP, ENCAP_IPIP, 20, VIP_F_HASH_NO_PORTS, false, 1, 2 },
	{ VIP_FRAG6, 0, IPPROTO_UDP, ENCAP_IP6IP6, 21, VIP_F_HASH_NO_PORTS, false, 4, 5 },
};

struct lb_row {
	const char *desc;
	struct fix_layer in[FIX_MAX_LAYERS];
	__u32 verdict;
	struct fix_layer out[FIX_MAX_LAYERS]; /* none: the output is the input, untouched */
	__u32 real; /* backend of the flow; REAL_FROM_RING: predicted */
	__u32 vip; /* VIP whose counters move; 0: none */
	__u8 conn; /* CONN_*: what the connection table holds after */
	__u8 kind; /* ROW_* */
	__u64 stats[LB_STAT_MAX]; /* packets each counter moves by; all others 0 */
	/*
	 * Bytes counters move by per packet: the IP packet and what is in front of it. 0: the
	 * whole input frame. A frame with a trailer beyond its IP length sets it; trimmed_trailer
	 * then counts the trailer's bytes.
	 */
	__u32 bytes;
};

enum {
	ROW_FLOW = 0, /* the row's flow is the input's innermost 5-tuple */
	ROW_ICMP, /* an ICMP error: the flow is the quoted tuple reversed (the client's) */
	ROW_ANSWER, /* the output is the balancer's answer to the client: no backend counts */
};

enum {
	CONN_UNCHECKED = 0,
	CONN_KEPT, /* the flow's entry names the row's backend */
	CONN_NONE, /* the flow has no entry */
};

struct lb_fx {
	struct balancer_bpf *skel;
	int prog_fd;
	__u32 *ring[NVIPS]; /* what user space put in each VIP's ring */
	__u32 vip_flags[NVIPS];
	__u32 seen_reals; /* bit per backend the REAL_FROM_RING rows went to */
};

/* Snapshot of every counter a row may move. */
struct lb_counts {
	__u64 stats[LB_STAT_MAX][2];
	__u64 vip_all[2], vip_one[2];
	__u64 real_all[2], real_one[2];
};

static bool stat_counts_bytes(int i)
{
	return i == LB_STAT_TX_ENCAP || i == LB_STAT_PASS_NOT_VIP || i == LB_STAT_DROP_NO_REAL ||
	       i == LB_STAT_DROP_ENCAP || i == LB_STAT_DROP_UNSUPP || i == LB_STAT_ICMP_TO_REAL ||
	       i == LB_STAT_PASS_ICMP || i == LB_STAT_TX_TOO_BIG || i == LB_STAT_DROP_TOO_BIG ||
	       i == LB_STAT_DROP_FRAG || i == LB_STAT_DROP_ICMP_SRC || i == LB_STAT_DROP_ICMP_LEN ||
	       i == LB_STAT_DROP_ICMP_QUOTE || i == LB_STAT_DROP_ICMP_MTU ||
	       i == LB_STAT_DROP_ANSWER_SRC;
}

static int ring_install(struct lb_fx *fx, __u32 vip_id, __u32 even, __u32 odd)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bopts);
	__u32 n = LB_RING_SIZE_DEFAULT, i, *keys, *vals;
	int fd, err, outer = bpf_map__fd(fx->skel->maps.rings);

	keys = calloc(n, sizeof(*keys));
	vals = calloc(n, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < n; i++) {
		keys[i] = i;
		vals[i] = i % 2 ? odd : even;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ring", sizeof(__u32), sizeof(__u32), n, NULL);
	if (fd < 0) {
		err = -errno;
		goto out_free;
	}
	err = bpf_map_update_batch(fd, keys, vals, &n, &bopts);
	if (!err)
		err = bpf_map_update_elem(outer, &vip_id, &fd, BPF_ANY);
	err = err ? -errno : 0;
	close(fd); /* the outer map holds the ring now */
	if (err)
		goto out_free;
	free(fx->ring[vip_id]);
	fx->ring[vip_id] = vals;
	vals = NULL;
out_free:
	free(keys);
	free(vals);
	return err;
}

static int fx_config(struct lb_fx *fx)
{
	/* The table has all-ports VIPs: what lb_config_set() would flag. */
	struct lb_config cfg = { .ring_size = LB_RING_SIZE_DEFAULT,
				 .hash_seed = HASH_SEED,
				 .flags = LB_CFG_F_ANY_PORT_VIPS };
	unsigned int mac[6];
	__u32 zero = 0, i;

	sscanf(MAC_NEXTHOP, "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4],
	       &mac[5]);
	for (i = 0; i < 6; i++)
		cfg.nexthop_mac[i] = mac[i];
	inet_pton(AF_INET, LB_SRC, &cfg.src_v4);
	inet_pton(AF_INET6, LB_SRC6, cfg.src_v6);
	cfg.src_v4_prefix_len = LB_SRC_PLEN;
	cfg.src_v6_prefix_len = LB_SRC6_PLEN;
	cfg.gue_port = GUE_PORT;
	if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.lb_config), &zero, &cfg, BPF_ANY))
		return -errno;

	for (i = 1; i < NREALS; i++) {
		struct real_def real = { .family = FAM_IPV4 };

		if (inet_pton(AF_INET, real_addr[i], real.addr) != 1) {
			real.family = FAM_IPV6;
			inet_pton(AF_INET6, real_addr[i], real.addr);
		}
		if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.reals), &i, &real, BPF_ANY))
			return -errno;
	}

	for (i = 0; i < sizeof(vip_specs) / sizeof(vip_specs[0]); i++) {
		const struct vip_spec *s = &vip_specs[i];
		struct vip_meta meta = { .vip_id = s->id, .flags = s->flags, .encap = s->encap };
		struct vip_key key = { .port = htons(s->port), .proto = s->proto };
		int err;

		if (inet_pton(AF_INET, s->addr, key.addr) == 1) {
			key.family = FAM_IPV4;
		} else {
			key.family = FAM_IPV6;
			inet_pton(AF_INET6, s->addr, key.addr);
		}
		if (bpf_map_update_elem(bpf_map__fd(fx->skel->maps.vips), &key, &meta, BPF_ANY))
			return -errno;
		fx->vip_flags[s->id] = s->flags;
		if (s->no_ring)
			continue;
		err = ring_install(fx, s->id, s->ring_even, s->ring_odd);
		if (err)
			return err;
	}
	return 0;
}

static int setup(void **state)
{
	struct lb_fx *fx = calloc(1, sizeof(*fx));
	int err;

	if (!fx)
		return -1;
	fx->skel = balancer_bpf__open_and_load();
	if (!fx->skel) {
		fprintf(stderr, "open and load balancer.bpf.o: %s\n", strerror(errno));
		free(fx);
		return -1;
	}
	fx->prog_fd = bpf_program__fd(fx->skel->progs.balancer);
	err = fx_config(fx);
	if (err) {
		fprintf(stderr, "fill the balancer's maps: %s\n", strerror(-err));
		balancer_bpf__destroy(fx->skel);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct lb_fx *fx = *state;
	int i;

	for (i = 0; i < NVIPS; i++)
		free(fx->ring[i]);
	balancer_bpf__destroy(fx->skel);
	free(fx);
	return 0;
}

static int sum_all(int fd, __u32 n, __u64 *sum)
{
	__u64 v[2];
	__u32 k;
	int err;

	sum[0] = sum[1] = 0;
	for (k = 0; k < n; k++) {
		err = percpu_sum_u64(fd, k, v, 2);
		if (err)
			return err;
		sum[0] += v[0];
		sum[1] += v[1];
	}
	return 0;
}

static int counts_read(struct lb_fx *fx, __u32 vip, __u32 real, struct lb_counts *c)
{
	int stats = bpf_map__fd(fx->skel->maps.stats);
	int vips = bpf_map__fd(fx->skel->maps.vip_stats);
	int reals = bpf_map__fd(fx->skel->maps.real_stats);

	/* One struct lb_stats per CPU at key 0. */
	if (percpu_sum_u64(stats, 0, &c->stats[0][0], LB_STAT_MAX * 2))
		return -1;
	if (sum_all(vips, LB_MAX_VIPS, c->vip_all) || percpu_sum_u64(vips, vip, c->vip_one, 2) ||
	    sum_all(reals, LB_MAX_REALS, c->real_all) ||
	    percpu_sum_u64(reals, real, c->real_one, 2))
		return -1;
	return 0;
}

static bool delta_equal(const char *desc, const char *what, const __u64 *before, const __u64 *after,
			__u64 packets, __u64 bytes)
{
	if (after[0] - before[0] == packets && after[1] - before[1] == bytes)
		return true;
	fprintf(stderr, "%s: %s moved by %llu packets / %llu bytes, want %llu / %llu\n", desc, what,
		(unsigned long long)(after[0] - before[0]),
		(unsigned long long)(after[1] - before[1]), (unsigned long long)packets,
		(unsigned long long)bytes);
	return false;
}

/* The row's flow: the input's 5-tuple, or for an ICMP error the quoted one reversed. */
static void row_flow(const struct lb_row *row, struct flow_key *k)
{
	__be16 port;
	__u32 a;
	int i;

	assert_int_equal(fix_flow_key(row->in, k), 0);
	if (row->kind != ROW_ICMP)
		return;
	for (i = 0; i < 4; i++) {
		a = k->srcv6[i];
		k->srcv6[i] = k->dstv6[i];
		k->dstv6[i] = a;
	}
	port = k->port16[0];
	k->port16[0] = k->port16[1];
	k->port16[1] = port;
}

/* The hash that schedules the row's flow (and gives its outer header entropy). */
static __u32 row_hash(struct lb_fx *fx, const struct lb_row *row)
{
	struct flow_key k;

	row_flow(row, &k);
	assert_true(row->vip && row->vip < NVIPS);
	if (fx->vip_flags[row->vip] & VIP_F_HASH_NO_PORTS)
		k.ports = 0;
	return flow_hash(&k, HASH_SEED);
}

/* The backend Maglev gives the row's flow, from the ring user space filled. */
static __u32 real_predict(struct lb_fx *fx, const struct lb_row *row)
{
	assert_true(row->vip && row->vip < NVIPS && fx->ring[row->vip]);
	return fx->ring[row->vip][row_hash(fx, row) % LB_RING_SIZE_DEFAULT];
}

/*
 * The per-flow outer source: the configured source's leading plen bits, the rest (at most
 * the last 32 bits) from the hash, counted from the address's last bit.
 */
static void src_per_flow(int af, __u32 hash, char *buf, size_t len)
{
	int plen = af == AF_INET ? LB_SRC_PLEN : LB_SRC6_PLEN, alen = af == AF_INET ? 4 : 16;
	int host = alen * 8 - plen, bit;
	__u8 a[16];

	inet_pton(af, af == AF_INET ? LB_SRC : LB_SRC6, a);
	for (bit = 0; bit < host && bit < 32; bit++) {
		__u8 *byte = &a[alen - 1 - bit / 8], m = 1u << (bit % 8);

		*byte = (hash >> bit & 1) ? *byte | m : *byte & ~m;
	}
	inet_ntop(af, a, buf, len);
}

/* The row's output layers with the hash-derived fields filled in. */
static void out_resolve(const struct lb_row *row, __u32 hash, struct fix_layer *out,
			char (*src)[INET6_ADDRSTRLEN])
{
	int i;

	memcpy(out, row->out, sizeof(row->out));
	for (i = 0; i < FIX_MAX_LAYERS; i++) {
		struct fix_layer *l = &out[i];

		if (l->kind == FIX_L_IP6 && l->label == LABEL_HASHED)
			l->label = hash & 0xfffff;
		if (l->kind == FIX_L_UDP && l->dport == GUE_PORT && l->sport == SPORT_HASHED)
			l->sport = 0xc000 | (hash & 0x3fff);
		if ((l->kind == FIX_L_IP4 || l->kind == FIX_L_IP6) && l->src &&
		    !strcmp(l->src, SRC_PER_FLOW)) {
			src_per_flow(l->kind == FIX_L_IP4 ? AF_INET : AF_INET6, hash, src[i],
				     INET6_ADDRSTRLEN);
			l->src = src[i];
		}
	}
}

/*
 * Look the flow up the way user space would: a key with every padding byte zero. A kept entry
 * also holds the flow's hash, which gives later packets the same outer header.
 */
static bool conn_check(struct lb_fx *fx, const struct lb_row *row, __u32 real, __u32 hash)
{
	struct conn_val cv;
	struct flow_key k;
	int err;

	if (row->conn == CONN_UNCHECKED)
		return true;
	row_flow(row, &k);
	err = bpf_map_lookup_elem(bpf_map__fd(fx->skel->maps.conns), &k, &cv);
	if (row->conn == CONN_NONE && err) /* ENOENT */
		return true;
	if (row->conn == CONN_KEPT && !err && cv.real_id == real && cv.hash == hash)
		return true;
	fprintf(stderr, "%s: connection table %s, want %s\n", row->desc,
		err ? "has no entry" : "has an entry",
		row->conn == CONN_KEPT ? "the row's backend and flow hash" : "none");
	return false;
}

/*
 * Run one row and check everything it promises: the verdict, the exact output frame, every
 * global counter, the VIP's and the backend's counters (and that no other VIP or backend
 * moved). real: the backend the row must reach (REAL_FROM_RING: predict it). Returns it.
 */
static __u32 row_run(struct lb_fx *fx, const struct lb_row *row, __u32 real)
{
	char src[FIX_MAX_LAYERS][INET6_ADDRSTRLEN];
	struct fix_layer out[FIX_MAX_LAYERS];
	struct lb_counts before, after;
	struct fix_pkt in, want, got;
	__u64 pkts, bytes;
	bool tx = row->verdict == XDP_TX && row->kind != ROW_ANSWER, ok = true;
	__u32 retval, hash = 0, len;
	int i;

	if (row->vip)
		hash = row_hash(fx, row);
	if (real == REAL_FROM_RING) {
		real = real_predict(fx, row);
		fx->seen_reals |= 1u << real;
	}
	assert_true(real < NREALS);
	assert_int_equal(fix_pkt_build(&in, row->in, NULL), 0);
	if (row->out[0].kind != FIX_L_END) {
		out_resolve(row, hash, out, src);
		assert_int_equal(fix_pkt_build(&want, out, real_addr[real]), 0);
	} else {
		want = in;
	}

	assert_int_equal(counts_read(fx, row->vip, tx ? real : 0, &before), 0);
	assert_int_equal(fix_prog_run(fx->prog_fd, &in, &got, &retval), 0);
	assert_int_equal(counts_read(fx, row->vip, tx ? real : 0, &after), 0);

	if (retval != row->verdict) {
		fprintf(stderr, "%s: verdict %u, want %u\n", row->desc, retval, row->verdict);
		ok = false;
	}
	ok &= fix_bytes_equal(row->desc, got.b, got.len, want.b, want.len);
	len = row->bytes ? row->bytes : in.len;
	for (i = 0; i < LB_STAT_MAX; i++) {
		pkts = row->stats[i];
		bytes = stat_counts_bytes(i) ? pkts * len : 0;
		if (i == LB_STAT_TRIMMED)
			bytes = pkts * (in.len - len);
		ok &= delta_equal(row->desc, lb_stat_name(i), before.stats[i], after.stats[i], pkts,
				  bytes);
	}
	pkts = row->vip ? 1 : 0;
	ok &= delta_equal(row->desc, "vip_stats (all)", before.vip_all, after.vip_all, pkts,
			  pkts * len);
	ok &= delta_equal(row->desc, "vip_stats[vip]", before.vip_one, after.vip_one, pkts,
			  pkts * len);
	pkts = tx ? 1 : 0;
	ok &= delta_equal(row->desc, "real_stats (all)", before.real_all, after.real_all, pkts,
			  pkts * len);
	ok &= delta_equal(row->desc, "real_stats[real]", before.real_one, after.real_one, pkts,
			  pkts * len);
	ok &= conn_check(fx, row, real, hash);
	if (!ok)
		fail_msg("row \"%s\" failed (see above)", row->desc);
	return real;
}

static void table_run(struct lb_fx *fx, const struct lb_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		row_run(fx, &rows[i], rows[i].real);
}

#define SYN_ONE(sp) IP4(CLIENT, VIP_ONE), TCP(sp, 80, TCP_SYN), DATA(12)
#define ACK_ONE(sp) IP4(CLIENT, VIP_ONE), TCP(sp, 80, TCP_ACK), DATA(40)
#define ENCAP(tos)  TO_NEXTHOP, IP4_OUTER(LB_SRC, FIX_REAL, tos)
/* Outer IPv6: traffic class copied, flow label from the hash, hop limit 64. */
#define IP6_OUTER(s, d, tc) IP6_ALL(s, d, tc, 64, LABEL_HASHED)
#define ENCAP6(tc)	    TO_NEXTHOP, IP6_OUTER(LB_SRC6, FIX_REAL, tc)
#define GUE_UDP		    UDP(SPORT_HASHED, GUE_PORT)
/* A client's IPv6 packet: traffic class AF11+ECT(0), its own flow label (never copied). */
#define IP6C(s, d) IP6_ALL(s, d, 0x2a, 63, 0x12345)

/* What a row moves: encapsulated as a new flow, as a known flow; passed as no VIP. */
/* clang-format off */
#define NEW_FLOW   { [LB_STAT_RX] = 1, [LB_STAT_CONN_NEW] = 1, [LB_STAT_TX_ENCAP] = 1 }
#define KNOWN_FLOW { [LB_STAT_RX] = 1, [LB_STAT_CONN_HIT] = 1, [LB_STAT_TX_ENCAP] = 1 }
#define NOT_VIP	   { [LB_STAT_RX] = 1, [LB_STAT_PASS_NOT_VIP] = 1 }
#define DROP_FRAG  { [LB_STAT_RX] = 1, [LB_STAT_DROP_FRAG] = 1 }
/* clang-format on */

static const struct lb_row basic_rows[] = {
	{
		.desc = "IPv4 TCP SYN to a one-backend VIP: IPIP to the real, XDP_TX",
		.in = { FROM_ROUTER, SYN_ONE(40000) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), SYN_ONE(40000) },
		.real = 1,
		.vip = 1,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "the same flow's ACK: connection table hit, same real",
		.in = { FROM_ROUTER, ACK_ONE(40000) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), ACK_ONE(40000) },
		.real = 1,
		.vip = 1,
		.stats = KNOWN_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "outer tos copies the inner tos (DSCP EF, ECN CE)",
		.in = { FROM_ROUTER, IP4_ALL(CLIENT, VIP_ONE, 0xbb, 5, 0, 0, 0),
			TCP(40001, 80, TCP_SYN) },
		.verdict = XDP_TX,
		.out = { ENCAP(0xbb), IP4_ALL(CLIENT, VIP_ONE, 0xbb, 5, 0, 0, 0),
			 TCP(40001, 80, TCP_SYN) },
		.real = 1,
		.vip = 1,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "VLAN-tagged SYN: tag kept, outer header after the tag",
		.in = { FROM_ROUTER, VLAN(100), SYN_ONE(40002) },
		.verdict = XDP_TX,
		.out = { TO_NEXTHOP, VLAN(100), IP4_OUTER(LB_SRC, FIX_REAL, 0x10), SYN_ONE(40002) },
		.real = 1,
		.vip = 1,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "two VLAN tags: both kept in order, outer header after them",
		.in = { FROM_ROUTER, VLAN(0x2005), VLAN(0x0abc), SYN_ONE(40003) },
		.verdict = XDP_TX,
		.out = { TO_NEXTHOP, VLAN(0x2005), VLAN(0x0abc), IP4_OUTER(LB_SRC, FIX_REAL, 0x10),
			 SYN_ONE(40003) },
		.real = 1,
		.vip = 1,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		/* Policy change: it used to be scheduled on its ports, splitting the datagram. */
		.desc = "first fragment (MF) to a port VIP: later fragments can't follow, dropped",
		.in = { FROM_ROUTER, IP4F(CLIENT, VIP_ONE, IP4_MF), TCP(40004, 80, TCP_ACK),
			DATA(64) },
		.verdict = XDP_DROP,
		.vip = 1,
		.stats = DROP_FRAG,
		.conn = CONN_NONE,
	},
	{
		/*
		 * A later fragment has no ports, so only an all-ports VIP can match it: fragments
		 * after the first of a flow to VIP:80 reach the balancer's own stack instead.
		 */
		.desc = "later fragment to a port VIP: not recognised, passed",
		.in = { FROM_ROUTER, IP4_ALL(CLIENT, VIP_ONE, 0x10, 63, 0x1c48, 185, IPPROTO_TCP),
			DATA(32) },
		.verdict = XDP_PASS,
		.stats = NOT_VIP,
	},
	{
		/* Hashing without ports does not help a VIP with a port: it never sees them. */
		.desc = "later fragment to a hash-no-ports port VIP: not recognised either, passed",
		.in = { FROM_ROUTER, IP4_ALL(CLIENT, VIP_NOPORTS, 0, 63, 0x1c49, 185, IPPROTO_UDP),
			DATA(32) },
		.verdict = XDP_PASS,
		.stats = NOT_VIP,
	},
	{
		.desc = "all-ports VIP (port 0): TCP to port 443 goes to its real",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_ALL), TCP(40005, 443, TCP_SYN) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), IP4(CLIENT, VIP_ALL), TCP(40005, 443, TCP_SYN) },
		.real = 3,
		.vip = 3,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "all-ports VIP is per protocol: UDP to it is not a VIP",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_ALL), UDP(40006, 443), DATA(8) },
		.verdict = XDP_PASS,
		.stats = NOT_VIP,
	},
	{
		.desc = "IPv4 to an address that is no VIP: XDP_PASS untouched",
		.in = { FROM_ROUTER, IP4(CLIENT, LB_SRC), TCP(40007, 22, TCP_SYN) },
		.verdict = XDP_PASS,
		.stats = NOT_VIP,
	},
	{
		.desc = "VIP address, port that is no VIP: XDP_PASS untouched",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_ONE), TCP(40008, 443, TCP_SYN) },
		.verdict = XDP_PASS,
		.stats = NOT_VIP,
		.conn = CONN_NONE,
	},
	{
		.desc = "already encapsulated (IPIP to a VIP): passed, never encapsulated twice",
		.in = { FROM_ROUTER, IP4("10.0.1.9", VIP_ONE), SYN_ONE(40009) },
		.verdict = XDP_PASS,
		.stats = NOT_VIP,
	},
	{
		.desc = "ARP: XDP_PASS untouched",
		.in = { ETH("ff:ff:ff:ff:ff:ff", MAC_ROUTER), ARP_REQUEST },
		.verdict = XDP_PASS,
		.stats = { [LB_STAT_RX] = 1, [LB_STAT_PASS_NOT_IP] = 1 },
	},
	{
		.desc = "IPv6 neighbour solicitation to ff02::1:ff00:1: XDP_PASS untouched",
		.in = { ETH("33:33:ff:00:00:01", MAC_ROUTER),
			IP6_HOP("fe80::1", "ff02::1:ff00:1", 255), ICMP6(135), DATA(24) },
		.verdict = XDP_PASS,
		.stats = NOT_VIP,
	},
	{
		.desc = "truncated IPv4 header (10 of 20 bytes): XDP_PASS untouched",
		.in = { FROM_ROUTER, SYN_ONE(40010), TRUNC(14 + 10) },
		.verdict = XDP_PASS,
		.stats = { [LB_STAT_RX] = 1, [LB_STAT_PASS_PARSE] = 1 },
	},
	{
		.desc = "IPv4 total length beyond the frame: XDP_PASS untouched",
		.in = { FROM_ROUTER, SYN_ONE(40011), TRUNC(14 + 20 + 20 + 4) },
		.verdict = XDP_PASS,
		.stats = { [LB_STAT_RX] = 1, [LB_STAT_PASS_PARSE] = 1 },
	},
	{
		.desc = "VIP whose ring is all zeros: XDP_DROP",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_EMPTY), TCP(40012, 80, TCP_SYN) },
		.verdict = XDP_DROP,
		.vip = 4,
		.stats = { [LB_STAT_RX] = 1, [LB_STAT_DROP_NO_REAL] = 1 },
		.conn = CONN_NONE,
	},
	{
		.desc = "VIP with no ring map installed: XDP_DROP",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_NORING), TCP(40013, 80, TCP_SYN) },
		.verdict = XDP_DROP,
		.vip = 5,
		.stats = { [LB_STAT_RX] = 1, [LB_STAT_DROP_NO_REAL] = 1 },
		.conn = CONN_NONE,
	},
	{
		.desc = "IPv6 VIP: IPv6-in-IPv6 to its IPv6 real, XDP_TX",
		.in = { FROM_ROUTER, IP6(CLIENT6, VIP_V6), TCP(40014, 80, TCP_SYN) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0), IP6(CLIENT6, VIP_V6), TCP(40014, 80, TCP_SYN) },
		.real = 4,
		.vip = 6,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "GUE VIP: UDP to the GUE port over IPv4, inner IPv4 right after it",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_GUE), TCP(40015, 80, TCP_SYN) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), GUE_UDP, IP4(CLIENT, VIP_GUE), TCP(40015, 80, TCP_SYN) },
		.real = 1,
		.vip = 8,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "hash-no-ports VIP (UDP): encapsulated, no connection entry",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_NOPORTS), UDP(40016, 53), DATA(30) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), IP4(CLIENT, VIP_NOPORTS), UDP(40016, 53), DATA(30) },
		.real = 2,
		.vip = 7,
		.stats = NEW_FLOW,
		.conn = CONN_NONE,
	},
	{
		.desc = "hash-no-ports VIP, same flow again: scheduled again, not a table hit",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_NOPORTS), UDP(40016, 53), DATA(30) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), IP4(CLIENT, VIP_NOPORTS), UDP(40016, 53), DATA(30) },
		.real = 2,
		.vip = 7,
		.stats = NEW_FLOW,
		.conn = CONN_NONE,
	},
};

static void test_balancer_basic(void **state)
{
	table_run(*state, basic_rows, sizeof(basic_rows) / sizeof(basic_rows[0]));
}

#define SYN_TWO(sp) IP4(CLIENT, VIP_TWO), TCP(sp, 80, TCP_SYN), DATA(8)
#define ACK_TWO(sp) IP4(CLIENT, VIP_TWO), TCP(sp, 80, TCP_ACK), DATA(8)
/* clang-format off */
#define SPREAD_ROW(sp) {							\
	.desc = "two backends: SYN from port " #sp " goes where the ring says",	\
	.in = { FROM_ROUTER, SYN_TWO(sp) },					\
	.verdict = XDP_TX,							\
	.out = { ENCAP(0x10), SYN_TWO(sp) },					\
	.real = REAL_FROM_RING,							\
	.vip = 2,								\
	.stats = NEW_FLOW,							\
	.conn = CONN_KEPT,							\
}

static const struct lb_row spread_rows[] = {
	SPREAD_ROW(1024), SPREAD_ROW(1025),  SPREAD_ROW(2000),	SPREAD_ROW(3333),
	SPREAD_ROW(8080), SPREAD_ROW(40000), SPREAD_ROW(50001), SPREAD_ROW(65535),
};
/* clang-format on */

static void test_balancer_two_backends(void **state)
{
	struct lb_fx *fx = *state;

	table_run(fx, spread_rows, sizeof(spread_rows) / sizeof(spread_rows[0]));
	/* The table only proves something if the flows spread over both backends. */
	assert_int_equal(fx->seen_reals, 1u << 1 | 1u << 2);
}

static const struct lb_row swap_rows[] = {
	{
		.desc = "ring swap: SYN before the swap goes where the old ring says",
		.in = { FROM_ROUTER, SYN_TWO(45000) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), SYN_TWO(45000) },
		.vip = 2,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "ring swap: the established flow keeps its backend",
		.in = { FROM_ROUTER, ACK_TWO(45000) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), ACK_TWO(45000) },
		.vip = 2,
		.stats = KNOWN_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "ring swap: a new flow goes to the new ring's only backend",
		.in = { FROM_ROUTER, SYN_TWO(45001) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), SYN_TWO(45001) },
		.vip = 2,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
};

static void test_balancer_ring_swap(void **state)
{
	struct lb_fx *fx = *state;
	__u32 first, other, got;
	int fd, outer, vip = 2;

	first = row_run(fx, &swap_rows[0], REAL_FROM_RING);
	other = first == 1 ? 2 : 1;

	/* A ring of another size than the template is refused: the swap must keep the size. */
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ring_small", 4, 4, 1024, NULL);
	assert_true(fd >= 0);
	outer = bpf_map__fd(fx->skel->maps.rings);
	assert_int_not_equal(bpf_map_update_elem(outer, &vip, &fd, BPF_ANY), 0);
	close(fd);

	assert_int_equal(ring_install(fx, vip, other, other), 0);
	row_run(fx, &swap_rows[1], first);
	got = row_run(fx, &swap_rows[2], REAL_FROM_RING);
	assert_int_equal(got, other);
}

/* clang-format off */
#define UNSUPP { [LB_STAT_RX] = 1, [LB_STAT_CONN_NEW] = 1, [LB_STAT_DROP_UNSUPP] = 1 }
/* clang-format on */

static const struct lb_row encap_rows[] = {
	{
		.desc = "IPv6 VIP, TCP SYN: ip6ip6, traffic class copied, flow label from the hash",
		.in = { FROM_ROUTER, IP6C(CLIENT6, VIP_V6), TCP(40100, 80, TCP_SYN), DATA(12) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0x2a), IP6C(CLIENT6, VIP_V6), TCP(40100, 80, TCP_SYN), DATA(12) },
		.real = 4,
		.vip = 6,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "IPv6 VIP, same flow's ACK: table hit, same flow label (hash from the entry)",
		.in = { FROM_ROUTER, IP6C(CLIENT6, VIP_V6), TCP(40100, 80, TCP_ACK), DATA(40) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0x2a), IP6C(CLIENT6, VIP_V6), TCP(40100, 80, TCP_ACK), DATA(40) },
		.real = 4,
		.vip = 6,
		.stats = KNOWN_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "IPv6 UDP VIP: ip6ip6, DSCP EF and ECN CE copied into the traffic class",
		.in = { FROM_ROUTER, IP6_ALL(CLIENT6, VIP_V6, 0xbb, 9, 0), UDP(40101, 53),
			DATA(20) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0xbb), IP6_ALL(CLIENT6, VIP_V6, 0xbb, 9, 0), UDP(40101, 53),
			 DATA(20) },
		.real = 4,
		.vip = 9,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "VLAN-tagged IPv6: tag kept, ethertype 0x86dd after it, IPv6 outer header",
		.in = { FROM_ROUTER, VLAN(100), IP6C(CLIENT6, VIP_V6), TCP(40102, 80, TCP_SYN) },
		.verdict = XDP_TX,
		.out = { TO_NEXTHOP, VLAN(100), IP6_OUTER(LB_SRC6, FIX_REAL, 0x2a),
			 IP6C(CLIENT6, VIP_V6), TCP(40102, 80, TCP_SYN) },
		.real = 4,
		.vip = 6,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "two VLAN tags, IPv6 VIP: both kept in order, IPv6 outer header after them",
		.in = { FROM_ROUTER, VLAN(0x2005), VLAN(0x0abc), IP6C(CLIENT6, VIP_V6),
			TCP(40103, 80, TCP_SYN) },
		.verdict = XDP_TX,
		.out = { TO_NEXTHOP, VLAN(0x2005), VLAN(0x0abc), IP6_OUTER(LB_SRC6, FIX_REAL, 0x2a),
			 IP6C(CLIENT6, VIP_V6), TCP(40103, 80, TCP_SYN) },
		.real = 4,
		.vip = 6,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "IPv4 VIP to an IPv6 real: 4in6 (next header 4), DSCP EF copied",
		.in = { FROM_ROUTER, IP4_ALL(CLIENT, VIP_4IN6, 0xb8, 50, 7, IP4_DF, 0),
			TCP(40104, 80, TCP_SYN), DATA(4) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0xb8), IP4_ALL(CLIENT, VIP_4IN6, 0xb8, 50, 7, IP4_DF, 0),
			 TCP(40104, 80, TCP_SYN), DATA(4) },
		.real = 4,
		.vip = 10,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "VLAN-tagged IPv4 VIP, 4in6: tag kept, IPv6 outer header after it",
		.in = { FROM_ROUTER, VLAN(7), IP4(CLIENT, VIP_4IN6), TCP(40105, 80, TCP_SYN) },
		.verdict = XDP_TX,
		.out = { TO_NEXTHOP, VLAN(7), IP6_OUTER(LB_SRC6, FIX_REAL, 0x10),
			 IP4(CLIENT, VIP_4IN6), TCP(40105, 80, TCP_SYN) },
		.real = 4,
		.vip = 10,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "GUE over IPv4, IPv4 VIP: tos AF41 copied, UDP sport from the hash, csum 0",
		.in = { FROM_ROUTER, IP4_ALL(CLIENT, VIP_GUE, 0x88, 63, 1, IP4_DF, 0),
			TCP(40106, 80, TCP_SYN), DATA(9) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x88), GUE_UDP, IP4_ALL(CLIENT, VIP_GUE, 0x88, 63, 1, IP4_DF, 0),
			 TCP(40106, 80, TCP_SYN), DATA(9) },
		.real = 1,
		.vip = 8,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "GUE over IPv6, IPv4 VIP: IPv6 next header 17, inner IPv4 after UDP",
		.in = { FROM_ROUTER, IP4_ALL(CLIENT, VIP_GUE6, 0x48, 63, 2, IP4_DF, 0),
			TCP(40107, 80, TCP_SYN) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0x48), GUE_UDP, IP4_ALL(CLIENT, VIP_GUE6, 0x48, 63, 2, IP4_DF, 0),
			 TCP(40107, 80, TCP_SYN) },
		.real = 5,
		.vip = 11,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "GUE over IPv6, IPv6 VIP: traffic class copied, inner IPv6 after UDP",
		.in = { FROM_ROUTER, IP6C(CLIENT6, VIP_V6_GUE), TCP(40108, 80, TCP_SYN), DATA(3) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0x2a), GUE_UDP, IP6C(CLIENT6, VIP_V6_GUE), TCP(40108, 80, TCP_SYN),
			 DATA(3) },
		.real = 5,
		.vip = 12,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "GUE over IPv4, IPv6 UDP VIP: IPv4 outer, tos = inner traffic class",
		.in = { FROM_ROUTER, IP6C(CLIENT6, VIP_V6_GUE4), UDP(40109, 443), DATA(33) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x2a), GUE_UDP, IP6C(CLIENT6, VIP_V6_GUE4), UDP(40109, 443),
			 DATA(33) },
		.real = 2,
		.vip = 13,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "two VLAN tags, GUE over IPv6: tags kept, IPv6 and UDP after them",
		.in = { FROM_ROUTER, VLAN(0x2005), VLAN(0x0abc), IP6C(CLIENT6, VIP_V6_GUE),
			TCP(40110, 80, TCP_SYN) },
		.verdict = XDP_TX,
		.out = { TO_NEXTHOP, VLAN(0x2005), VLAN(0x0abc), IP6_OUTER(LB_SRC6, FIX_REAL, 0x2a),
			 GUE_UDP, IP6C(CLIENT6, VIP_V6_GUE), TCP(40110, 80, TCP_SYN) },
		.real = 5,
		.vip = 12,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "per-flow source, IPv4, flow A: source in 10.0.1.0/24 from the hash",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_FLOW4), TCP(41000, 80, TCP_SYN) },
		.verdict = XDP_TX,
		.out = { TO_NEXTHOP, IP4_OUTER(SRC_PER_FLOW, FIX_REAL, 0x10),
			 IP4(CLIENT, VIP_FLOW4), TCP(41000, 80, TCP_SYN) },
		.real = 1,
		.vip = 14,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "per-flow source, IPv4, flow B: another source in the prefix",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_FLOW4), TCP(41001, 80, TCP_SYN) },
		.verdict = XDP_TX,
		.out = { TO_NEXTHOP, IP4_OUTER(SRC_PER_FLOW, FIX_REAL, 0x10),
			 IP4(CLIENT, VIP_FLOW4), TCP(41001, 80, TCP_SYN) },
		.real = 1,
		.vip = 14,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "per-flow source, IPv4, flow A's ACK: the same source again",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_FLOW4), TCP(41000, 80, TCP_ACK), DATA(5) },
		.verdict = XDP_TX,
		.out = { TO_NEXTHOP, IP4_OUTER(SRC_PER_FLOW, FIX_REAL, 0x10),
			 IP4(CLIENT, VIP_FLOW4), TCP(41000, 80, TCP_ACK), DATA(5) },
		.real = 1,
		.vip = 14,
		.stats = KNOWN_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "per-flow source, IPv6, flow A: low 16 bits of the source from the hash",
		.in = { FROM_ROUTER, IP6C(CLIENT6, VIP_FLOW6), TCP(41000, 80, TCP_SYN) },
		.verdict = XDP_TX,
		.out = { TO_NEXTHOP, IP6_OUTER(SRC_PER_FLOW, FIX_REAL, 0x2a),
			 IP6C(CLIENT6, VIP_FLOW6), TCP(41000, 80, TCP_SYN) },
		.real = 4,
		.vip = 15,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "per-flow source, IPv6, flow B: another source in the prefix",
		.in = { FROM_ROUTER, IP6C(CLIENT6, VIP_FLOW6), TCP(41001, 80, TCP_SYN) },
		.verdict = XDP_TX,
		.out = { TO_NEXTHOP, IP6_OUTER(SRC_PER_FLOW, FIX_REAL, 0x2a),
			 IP6C(CLIENT6, VIP_FLOW6), TCP(41001, 80, TCP_SYN) },
		.real = 4,
		.vip = 15,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "per-flow source with GUE over IPv6, UDP VIP: source and sport both hashed",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_GUEFLOW), UDP(41002, 53), DATA(16) },
		.verdict = XDP_TX,
		.out = { TO_NEXTHOP, IP6_OUTER(SRC_PER_FLOW, FIX_REAL, 0x10), GUE_UDP,
			 IP4(CLIENT, VIP_GUEFLOW), UDP(41002, 53), DATA(16) },
		.real = 5,
		.vip = 19,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "ipip VIP whose ring names an IPv6 real: XDP_DROP, never a broken packet",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_BAD4), TCP(40111, 80, TCP_SYN) },
		.verdict = XDP_DROP,
		.vip = 16,
		.stats = UNSUPP,
	},
	{
		.desc = "4in6 VIP whose ring names an IPv4 real: XDP_DROP",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_BAD6), TCP(40112, 80, TCP_SYN) },
		.verdict = XDP_DROP,
		.vip = 17,
		.stats = UNSUPP,
	},
	{
		.desc = "6in4 VIP (parsed, never produced): XDP_DROP",
		.in = { FROM_ROUTER, IP6C(CLIENT6, VIP_6IN4), TCP(40113, 80, TCP_SYN) },
		.verdict = XDP_DROP,
		.vip = 18,
		.stats = UNSUPP,
	},
};

static void test_balancer_encap(void **state)
{
	struct lb_fx *fx = *state;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int i;

	table_run(fx, encap_rows, sizeof(encap_rows) / sizeof(encap_rows[0]));
	/* Per-flow rows only prove something if flows A and B left from different sources. */
	for (i = 0; i < (int)(sizeof(encap_rows) / sizeof(encap_rows[0])) - 1; i++) {
		const struct lb_row *r = &encap_rows[i];
		int af = r->out[1].kind == FIX_L_IP4 ? AF_INET : AF_INET6;

		if (!r->out[1].src || strcmp(r->out[1].src, SRC_PER_FLOW) ||
		    r->vip != encap_rows[i + 1].vip)
			continue;
		src_per_flow(af, row_hash(fx, r), a, sizeof(a));
		src_per_flow(af, row_hash(fx, &encap_rows[i + 1]), b, sizeof(b));
		assert_string_not_equal(a, b);
		assert_string_not_equal(a, af == AF_INET ? LB_SRC : LB_SRC6);
	}
}

/* Without a GUE port the balancer cannot write GUE: it drops rather than send to port 0. */
static void test_balancer_gue_port_unset(void **state)
{
	static const struct lb_row row = {
		.desc = "GUE VIP, lb_config.gue_port 0: XDP_DROP as unsupported",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_GUE), TCP(40200, 80, TCP_SYN) },
		.verdict = XDP_DROP,
		.vip = 8,
		.stats = UNSUPP,
	};
	struct lb_fx *fx = *state;
	int fd = bpf_map__fd(fx->skel->maps.lb_config);
	struct lb_config cfg;
	__u32 zero = 0;

	assert_int_equal(bpf_map_lookup_elem(fd, &zero, &cfg), 0);
	cfg.gue_port = 0;
	assert_int_equal(bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY), 0);
	row_run(fx, &row, 1);
}

/*
 * Fragments (policy at the top of bpf/balancer.bpf.c): matched on address and protocol, so
 * only an all-ports VIP takes them, and only if it hashes without ports; then every fragment
 * of a datagram, and the client's unfragmented packets, reach the same backend.
 */
static const struct lb_row frag_rows[] = {
	{
		.desc = "hash-no-ports all-ports VIP, whole datagram: hashed on the 3-tuple",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_FRAG), UDP(41100, 5353), DATA(20) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), IP4(CLIENT, VIP_FRAG), UDP(41100, 5353), DATA(20) },
		.real = REAL_FROM_RING,
		.vip = 20,
		.stats = NEW_FLOW,
		.conn = CONN_NONE,
	},
	{
		.desc = "hash-no-ports all-ports VIP, first fragment: the same backend",
		.in = { FROM_ROUTER, IP4F(CLIENT, VIP_FRAG, IP4_MF), UDP(41100, 5353), DATA(64) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), IP4F(CLIENT, VIP_FRAG, IP4_MF), UDP(41100, 5353), DATA(64) },
		.real = REAL_FROM_RING,
		.vip = 20,
		.stats = NEW_FLOW,
		.conn = CONN_NONE,
	},
	{
		.desc = "hash-no-ports all-ports VIP, later fragment (no ports): the same backend",
		.in = { FROM_ROUTER, IP4_ALL(CLIENT, VIP_FRAG, 0x10, 63, 0x1c47, 9, IPPROTO_UDP),
			DATA(40) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), IP4_ALL(CLIENT, VIP_FRAG, 0x10, 63, 0x1c47, 9, IPPROTO_UDP),
			 DATA(40) },
		.real = REAL_FROM_RING,
		.vip = 20,
		.stats = NEW_FLOW,
		.conn = CONN_NONE,
	},
	{
		.desc = "IPv6 hash-no-ports VIP, first fragment (fragment header, M): 3-tuple hash",
		.in = { FROM_ROUTER, IP6C(CLIENT6, VIP_FRAG6), FRAG6(1, 0x77, 0), UDP(41101, 5353),
			DATA(16) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0x2a), IP6C(CLIENT6, VIP_FRAG6), FRAG6(1, 0x77, 0),
			 UDP(41101, 5353), DATA(16) },
		.real = REAL_FROM_RING,
		.vip = 21,
		.stats = NEW_FLOW,
		.conn = CONN_NONE,
	},
	{
		.desc = "IPv6 hash-no-ports VIP, later fragment: the same backend",
		.in = { FROM_ROUTER, IP6C(CLIENT6, VIP_FRAG6), FRAG6(3 << 3, 0x77, IPPROTO_UDP),
			DATA(24) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0x2a), IP6C(CLIENT6, VIP_FRAG6), FRAG6(3 << 3, 0x77, IPPROTO_UDP),
			 DATA(24) },
		.real = REAL_FROM_RING,
		.vip = 21,
		.stats = NEW_FLOW,
		.conn = CONN_NONE,
	},
	{
		.desc = "all-ports VIP hashing on ports, first fragment: dropped",
		.in = { FROM_ROUTER, IP4F(CLIENT, VIP_ALL, IP4_MF), TCP(41102, 443, TCP_ACK),
			DATA(8) },
		.verdict = XDP_DROP,
		.vip = 3,
		.stats = DROP_FRAG,
		.conn = CONN_NONE,
	},
	{
		.desc = "all-ports VIP hashing on ports, later fragment: dropped",
		.in = { FROM_ROUTER, IP4_ALL(CLIENT, VIP_ALL, 0x10, 63, 0x1c47, 2, IPPROTO_TCP),
			DATA(16) },
		.verdict = XDP_DROP,
		.vip = 3,
		.stats = DROP_FRAG,
	},
	{
		.desc = "hash-no-ports port VIP, first fragment: dropped (later ones can't match)",
		.in = { FROM_ROUTER, IP4F(CLIENT, VIP_NOPORTS, IP4_MF), UDP(41103, 53), DATA(8) },
		.verdict = XDP_DROP,
		.vip = 7,
		.stats = DROP_FRAG,
		.conn = CONN_NONE,
	},
};

static void test_balancer_fragments(void **state)
{
	struct lb_fx *fx = *state;
	__u32 r[5];
	size_t i;

	for (i = 0; i < sizeof(frag_rows) / sizeof(frag_rows[0]); i++) {
		__u32 got = row_run(fx, &frag_rows[i], frag_rows[i].real);

		if (i < 5)
			r[i] = got;
	}
	assert_int_equal(r[1], r[0]);
	assert_int_equal(r[2], r[0]);
	assert_int_equal(r[4], r[3]);
}

/* A router's error about a VIP's reply: the quoted packet is VIP:80 -> client:sp. */
#define IP4Q(s, d, l)                                                                        \
	{                                                                                    \
		.kind = FIX_L_IP4, .src = s, .dst = d, .tos = 0x10, .ttl = 63, .id = 0x1c46, \
		.frag = IP4_DF, .len = l                                                     \
	}
#define IP6Q(s, d, l)                                                                            \
	{                                                                                        \
		.kind = FIX_L_IP6, .src = s, .dst = d, .tos = 0x2a, .ttl = 63, .label = 0x12345, \
		.len = l                                                                         \
	}
#define FRAG_NEEDED(mtu) ICMP4(ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu)
#define PTB4(vip, sp) \
	IP4(ROUTER, vip), FRAG_NEEDED(1400), IP4Q(vip, CLIENT, 1500), TCP(80, sp, TCP_ACK)
#define PTB6(vip, l4) \
	IP6(ROUTER6, vip), ICMP6_ALL(ICMPV6_PKT_TOOBIG, 0, 1400), IP6Q(vip, CLIENT6, 1460), l4

/* clang-format off */
#define ICMP_HIT  { [LB_STAT_RX] = 1, [LB_STAT_CONN_HIT] = 1, [LB_STAT_ICMP_TO_REAL] = 1, \
		    [LB_STAT_TX_ENCAP] = 1 }
#define ICMP_HASH { [LB_STAT_RX] = 1, [LB_STAT_ICMP_TO_REAL] = 1, [LB_STAT_TX_ENCAP] = 1 }
#define ICMP_PASS { [LB_STAT_RX] = 1, [LB_STAT_PASS_ICMP] = 1 }
/* clang-format on */

static const struct lb_row icmp_rows[] = {
	{
		/* The test puts this flow in the table, on real 3: VIP_ONE's ring has only 1. */
		.desc = "frag-needed about a flow in the table: to its backend, not the ring's",
		.in = { FROM_ROUTER, PTB4(VIP_ONE, 41200) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), PTB4(VIP_ONE, 41200) },
		.real = 3,
		.vip = 1,
		.kind = ROW_ICMP,
		.stats = ICMP_HIT,
		.conn = CONN_KEPT,
	},
	{
		.desc = "frag-needed about a flow not in the table: hashed (quoted tuple reversed)",
		.in = { FROM_ROUTER, PTB4(VIP_TWO, 41201) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), PTB4(VIP_TWO, 41201) },
		.real = REAL_FROM_RING,
		.vip = 2,
		.kind = ROW_ICMP,
		.stats = ICMP_HASH,
		.conn = CONN_NONE,
	},
	{
		.desc = "IPv6 VIP, SYN (the flow the next row's error is about)",
		.in = { FROM_ROUTER, IP6C(CLIENT6, VIP_V6), TCP(41202, 80, TCP_SYN) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0x2a), IP6C(CLIENT6, VIP_V6), TCP(41202, 80, TCP_SYN) },
		.real = 4,
		.vip = 6,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "packet-too-big about that flow: table hit, ip6ip6 to its backend",
		.in = { FROM_ROUTER, PTB6(VIP_V6, TCP(80, 41202, TCP_ACK)) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0), PTB6(VIP_V6, TCP(80, 41202, TCP_ACK)) },
		.real = 4,
		.vip = 6,
		.kind = ROW_ICMP,
		.stats = ICMP_HIT,
		.conn = CONN_KEPT,
	},
	{
		.desc = "packet-too-big about a UDP flow not in the table: hashed, no entry made",
		.in = { FROM_ROUTER, PTB6(VIP_V6, UDP(53, 41203)) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0), PTB6(VIP_V6, UDP(53, 41203)) },
		.real = 4,
		.vip = 9,
		.kind = ROW_ICMP,
		.stats = ICMP_HASH,
		.conn = CONN_NONE,
	},
	{
		.desc = "frag-needed quoting a VIP address but no VIP port: passed",
		.in = { FROM_ROUTER, IP4(ROUTER, VIP_ONE), FRAG_NEEDED(1400),
			IP4Q(VIP_ONE, CLIENT, 1500), TCP(443, 41204, TCP_ACK) },
		.verdict = XDP_PASS,
		.stats = ICMP_PASS,
	},
	{
		.desc = "frag-needed to one VIP quoting another's packet: passed",
		.in = { FROM_ROUTER, IP4(ROUTER, VIP_ONE), FRAG_NEEDED(1400),
			IP4Q(VIP_TWO, CLIENT, 1500), TCP(80, 41205, TCP_ACK) },
		.verdict = XDP_PASS,
		.stats = ICMP_PASS,
	},
	{
		.desc = "frag-needed about the balancer's own IPIP packet: passed to its kernel",
		.in = { FROM_ROUTER, IP4(ROUTER, LB_SRC), FRAG_NEEDED(1400),
			IP4Q(LB_SRC, "10.1.0.2", 1500), IP4Q(CLIENT, VIP_ONE, 1480),
			TCP(41206, 80, TCP_ACK) },
		.verdict = XDP_PASS,
		.stats = ICMP_PASS,
	},
	{
		.desc = "ICMP port unreachable about a VIP flow: only too-big is followed, passed",
		.in = { FROM_ROUTER, IP4(ROUTER, VIP_ONE), ICMP4(ICMP_DEST_UNREACH, 3, 0),
			IP4Q(VIP_ONE, CLIENT, 1500), TCP(80, 41200, TCP_ACK) },
		.verdict = XDP_PASS,
		.stats = NOT_VIP,
	},
	{
		.desc = "echo request to a VIP: passed to the balancer's kernel",
		.in = { FROM_ROUTER, IP4(CLIENT, VIP_ONE), ICMP4(ICMP_ECHO, 0, 0x12340001),
			DATA(16) },
		.verdict = XDP_PASS,
		.stats = NOT_VIP,
	},
	{
		.desc = "ICMPv6 echo request to an IPv6 VIP: passed",
		.in = { FROM_ROUTER, IP6(CLIENT6, VIP_V6),
			ICMP6_ALL(ICMPV6_ECHO_REQUEST, 0, 0x5678), DATA(8) },
		.verdict = XDP_PASS,
		.stats = NOT_VIP,
	},
};

static void test_balancer_icmp(void **state)
{
	struct lb_fx *fx = *state;
	struct conn_val cv = { .real_id = 3 };
	struct flow_key k;

	row_flow(&icmp_rows[0], &k);
	cv.hash = row_hash(fx, &icmp_rows[0]);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(fx->skel->maps.conns), &k, &cv, BPF_ANY),
			 0);
	table_run(fx, icmp_rows, sizeof(icmp_rows) / sizeof(icmp_rows[0]));
}

/*
 * lb_config.mtu 1400: a packet that would not fit once encapsulated is answered from the VIP
 * (bpf/icmp.h), quoting 548 bytes (IPv4, 576 in all) or 1232 (IPv6, 1280 in all).
 */
#define TEST_MTU	     1400
#define ANSWER4(vip)	     ETH(MAC_ROUTER, MAC_LB), IP4_ALL(vip, CLIENT, 0xc0, 64, 0, IP4_DF, 0)
#define ANSWER6(vip)	     ETH(MAC_ROUTER, MAC_LB), IP6_ALL(vip, CLIENT6, 0, 64, 0)
#define BIG4(vip, sp, n)     IP4(CLIENT, vip), TCP(sp, 80, TCP_ACK), DATA(n)
#define QUOTE4(vip, sp, len) IP4Q(CLIENT, vip, len), TCP(sp, 80, TCP_ACK), DATA(548 - 40)

/* clang-format off */
#define TOO_BIG	     { [LB_STAT_RX] = 1, [LB_STAT_CONN_NEW] = 1, [LB_STAT_TX_TOO_BIG] = 1 }
/* clang-format on */

static const struct lb_row mtu_rows[] = {
	{
		.desc = "IPv4 DF, 1400 bytes + IPIP > 1400: frag-needed from the VIP, MTU 1380",
		.in = { FROM_ROUTER, BIG4(VIP_ONE, 41300, 1360) },
		.verdict = XDP_TX,
		.out = { ANSWER4(VIP_ONE), FRAG_NEEDED(1380), QUOTE4(VIP_ONE, 41300, 1400) },
		.real = 1,
		.vip = 1,
		.kind = ROW_ANSWER,
		.stats = TOO_BIG,
		.conn = CONN_KEPT,
	},
	{
		.desc = "IPv4 DF, 1380 bytes + IPIP = 1400: fits, encapsulated",
		.in = { FROM_ROUTER, BIG4(VIP_ONE, 41301, 1340) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), BIG4(VIP_ONE, 41301, 1340) },
		.real = 1,
		.vip = 1,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		.desc = "IPv4 without DF over the MTU: dropped (nothing here fragments)",
		.in = { FROM_ROUTER, IP4_ALL(CLIENT, VIP_ONE, 0x10, 63, 0x1c50, 0, 0),
			TCP(41302, 80, TCP_ACK), DATA(1360) },
		.verdict = XDP_DROP,
		.real = 1,
		.vip = 1,
		.stats = { [LB_STAT_RX] = 1, [LB_STAT_CONN_NEW] = 1, [LB_STAT_DROP_TOO_BIG] = 1 },
		.conn = CONN_KEPT,
	},
	{
		.desc = "VLAN-tagged IPv4 too big: tag kept, MACs swapped",
		.in = { FROM_ROUTER, VLAN(100), BIG4(VIP_ONE, 41303, 1360) },
		.verdict = XDP_TX,
		.out = { ETH(MAC_ROUTER, MAC_LB), VLAN(100),
			 IP4_ALL(VIP_ONE, CLIENT, 0xc0, 64, 0, IP4_DF, 0), FRAG_NEEDED(1380),
			 QUOTE4(VIP_ONE, 41303, 1400) },
		.real = 1,
		.vip = 1,
		.kind = ROW_ANSWER,
		.stats = TOO_BIG,
		.conn = CONN_KEPT,
	},
	{
		.desc = "GUE over IPv6 (48 bytes), 1360 bytes: frag-needed, MTU 1352",
		.in = { FROM_ROUTER, BIG4(VIP_GUE6, 41304, 1320) },
		.verdict = XDP_TX,
		.out = { ANSWER4(VIP_GUE6), FRAG_NEEDED(1352), QUOTE4(VIP_GUE6, 41304, 1360) },
		.real = 5,
		.vip = 11,
		.kind = ROW_ANSWER,
		.stats = TOO_BIG,
		.conn = CONN_KEPT,
	},
	{
		.desc = "IPv6, 1400 bytes + ip6ip6 > 1400: packet-too-big from the VIP, MTU 1360",
		.in = { FROM_ROUTER, IP6C(CLIENT6, VIP_V6), TCP(41305, 80, TCP_ACK), DATA(1340) },
		.verdict = XDP_TX,
		.out = { ANSWER6(VIP_V6), ICMP6_ALL(ICMPV6_PKT_TOOBIG, 0, 1360),
			 IP6Q(CLIENT6, VIP_V6, 1360), TCP(41305, 80, TCP_ACK), DATA(1232 - 60) },
		.real = 4,
		.vip = 6,
		.kind = ROW_ANSWER,
		.stats = TOO_BIG,
		.conn = CONN_KEPT,
	},
	{
		.desc = "IPv6, 1360 bytes + ip6ip6 = 1400: fits, encapsulated",
		.in = { FROM_ROUTER, IP6C(CLIENT6, VIP_V6), TCP(41306, 80, TCP_ACK), DATA(1300) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0x2a), IP6C(CLIENT6, VIP_V6), TCP(41306, 80, TCP_ACK), DATA(1300) },
		.real = 4,
		.vip = 6,
		.stats = NEW_FLOW,
		.conn = CONN_KEPT,
	},
	{
		/* Issue 11 changed this row: it was relayed, 1408 bytes, past the MTU. */
		.desc = "frag-needed of 1408 bytes about a VIP flow: over 576, refused",
		.in = { FROM_ROUTER, IP4(ROUTER, VIP_ONE), FRAG_NEEDED(1400),
			IP4Q(VIP_ONE, CLIENT, 1500), TCP(80, 41307, TCP_ACK), DATA(1340) },
		.verdict = XDP_DROP,
		.kind = ROW_ICMP,
		.stats = { [LB_STAT_RX] = 1, [LB_STAT_DROP_ICMP_LEN] = 1 },
		.conn = CONN_NONE,
	},
};

static void mtu_set(struct lb_fx *fx, __u16 mtu)
{
	int fd = bpf_map__fd(fx->skel->maps.lb_config);
	struct lb_config cfg;
	__u32 zero = 0;

	assert_int_equal(bpf_map_lookup_elem(fd, &zero, &cfg), 0);
	cfg.mtu = mtu;
	assert_int_equal(bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY), 0);
}

static void test_balancer_mtu(void **state)
{
	struct lb_fx *fx = *state;

	mtu_set(fx, TEST_MTU);
	table_run(fx, mtu_rows, sizeof(mtu_rows) / sizeof(mtu_rows[0]));
}

/* An underlay that cannot carry 1280 bytes of IPv6: the answer still says 1280 (RFC 8200). */
static void test_balancer_mtu_floor(void **state)
{
	static const struct lb_row row = {
		.desc = "IPv6 over a 1300 underlay (1260 left): packet-too-big says 1280",
		.in = { FROM_ROUTER, IP6C(CLIENT6, VIP_V6), TCP(41400, 80, TCP_ACK), DATA(1340) },
		.verdict = XDP_TX,
		.out = { ANSWER6(VIP_V6), ICMP6_ALL(ICMPV6_PKT_TOOBIG, 0, 1280),
			 IP6Q(CLIENT6, VIP_V6, 1360), TCP(41400, 80, TCP_ACK), DATA(1232 - 60) },
		.real = 4,
		.vip = 6,
		.kind = ROW_ANSWER,
		.stats = TOO_BIG,
		.conn = CONN_KEPT,
	};
	struct lb_fx *fx = *state;

	mtu_set(fx, 1300);
	row_run(fx, &row, row.real);
}

/*
 * Hostile input (issue 11). All rows below were added with it; the policies are the top
 * comment of bpf/balancer.bpf.c.
 */
#define IP4QP(s, d, l, p)                                                                    \
	{                                                                                    \
		.kind = FIX_L_IP4, .src = s, .dst = d, .tos = 0x10, .ttl = 63, .id = 0x1c46, \
		.frag = IP4_DF, .len = l, .proto = p                                         \
	}
#define IP6QP(s, d, l, p)                                                                        \
	{                                                                                        \
		.kind = FIX_L_IP6, .src = s, .dst = d, .tos = 0x2a, .ttl = 63, .label = 0x12345, \
		.len = l, .proto = p                                                             \
	}
/* A client's packet whose IP length (l) is less than the frame holds. */
#define IP4L(s, d, l)                                                                        \
	{                                                                                    \
		.kind = FIX_L_IP4, .src = s, .dst = d, .tos = 0x10, .ttl = 63, .id = 0x1c46, \
		.frag = IP4_DF, .len = l                                                     \
	}
#define IP6L(s, d, l)                                                                            \
	{                                                                                        \
		.kind = FIX_L_IP6, .src = s, .dst = d, .tos = 0x2a, .ttl = 63, .label = 0x12345, \
		.len = l                                                                         \
	}
/* frag-needed from src about VIP:80 -> client:sp, n bytes of the quoted packet's data */
#define PTB4_FROM(src, vip, sp, n) \
	IP4(src, vip), FRAG_NEEDED(1400), IP4Q(vip, CLIENT, 1500), TCP(80, sp, TCP_ACK), DATA(n)
#define PTB6_FROM(src, vip, sp, n)                                                      \
	IP6(src, vip), ICMP6_ALL(ICMPV6_PKT_TOOBIG, 0, 1400), IP6Q(vip, CLIENT6, 1460), \
		UDP(53, sp), DATA(n)
/* clang-format off */
#define ICMP_SRC    { [LB_STAT_RX] = 1, [LB_STAT_DROP_ICMP_SRC] = 1 }
#define ICMP_LEN    { [LB_STAT_RX] = 1, [LB_STAT_DROP_ICMP_LEN] = 1 }
#define ICMP_QUOTE  { [LB_STAT_RX] = 1, [LB_STAT_DROP_ICMP_QUOTE] = 1 }
#define ANSWER_SRC  { [LB_STAT_RX] = 1, [LB_STAT_CONN_NEW] = 1, [LB_STAT_DROP_ANSWER_SRC] = 1 }
#define TRIM_FLOW   { [LB_STAT_RX] = 1, [LB_STAT_CONN_NEW] = 1, [LB_STAT_TRIMMED] = 1, \
		      [LB_STAT_TX_ENCAP] = 1 }
#define SHORT_FRAG  { [LB_STAT_RX] = 1, [LB_STAT_FRAG_SHORT] = 1, [LB_STAT_CONN_NEW] = 1, \
		      [LB_STAT_TX_ENCAP] = 1 }
/* clang-format on */
#define REFUSED4(d, src, sp)                                                                 \
	{                                                                                    \
		.desc = d, .in = { FROM_ROUTER, PTB4_FROM(src, VIP_ONE, sp, 8) },            \
		.verdict = XDP_DROP, .kind = ROW_ICMP, .stats = ICMP_SRC, .conn = CONN_NONE, \
	}
#define REFUSED6(d, src, sp)                                                                 \
	{                                                                                    \
		.desc = d, .in = { FROM_ROUTER, PTB6_FROM(src, VIP_V6, sp, 8) },             \
		.verdict = XDP_DROP, .kind = ROW_ICMP, .stats = ICMP_SRC, .conn = CONN_NONE, \
	}

static const struct lb_row hostile_icmp_rows[] = {
	REFUSED4("frag-needed about a VIP flow from 0.0.0.0: refused", "0.0.0.0", 41500),
	REFUSED4("... from 255.255.255.255: refused", "255.255.255.255", 41501),
	REFUSED4("... from 224.0.0.1 (multicast): refused", "224.0.0.1", 41502),
	REFUSED4("... from 127.0.0.1 (loopback): refused", "127.0.0.1", 41503),
	REFUSED4("... from 240.0.0.1 (reserved): refused", "240.0.0.1", 41504),
	REFUSED4("... from the VIP itself: refused", VIP_ONE, 41505),
	REFUSED6("packet-too-big about a VIP flow from ::: refused", "::", 41506),
	REFUSED6("... from ::1: refused", "::1", 41507),
	REFUSED6("... from ff02::1 (multicast): refused", "ff02::1", 41508),
	REFUSED6("... from the IPv6 VIP itself: refused", VIP_V6, 41509),
	REFUSED6("... from ::ffff:10.0.0.1 (IPv4-mapped): refused", "::ffff:10.0.0.1", 41510),
	{
		.desc = "frag-needed of exactly 576 bytes from a router: relayed",
		.in = { FROM_ROUTER, PTB4_FROM(ROUTER, VIP_ONE, 41511, 508) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), PTB4_FROM(ROUTER, VIP_ONE, 41511, 508) },
		.real = 1,
		.vip = 1,
		.kind = ROW_ICMP,
		.stats = ICMP_HASH,
		.conn = CONN_NONE,
	},
	{
		.desc = "frag-needed of 577 bytes: refused (RFC 1812 bounds it to 576)",
		.in = { FROM_ROUTER, PTB4_FROM(ROUTER, VIP_ONE, 41512, 509) },
		.verdict = XDP_DROP,
		.kind = ROW_ICMP,
		.stats = ICMP_LEN,
		.conn = CONN_NONE,
	},
	{
		.desc = "packet-too-big of exactly 1280 bytes from a router: relayed",
		.in = { FROM_ROUTER, PTB6_FROM(ROUTER6, VIP_V6, 41513, 1184) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0), PTB6_FROM(ROUTER6, VIP_V6, 41513, 1184) },
		.real = 4,
		.vip = 9,
		.kind = ROW_ICMP,
		.stats = ICMP_HASH,
		.conn = CONN_NONE,
	},
	{
		.desc = "packet-too-big of 1281 bytes: refused (RFC 4443 bounds it to 1280)",
		.in = { FROM_ROUTER, PTB6_FROM(ROUTER6, VIP_V6, 41514, 1185) },
		.verdict = XDP_DROP,
		.kind = ROW_ICMP,
		.stats = ICMP_LEN,
		.conn = CONN_NONE,
	},
	{
		.desc = "frag-needed quoting 7 bytes after the IP header: refused",
		.in = { FROM_ROUTER, IP4(ROUTER, VIP_NOPORTS), FRAG_NEEDED(1400),
			IP4QP(VIP_NOPORTS, CLIENT, 1500, IPPROTO_UDP), DATA(7) },
		.verdict = XDP_DROP,
		.stats = ICMP_QUOTE,
	},
	{
		.desc = "frag-needed quoting exactly 8 bytes (a UDP header): relayed",
		.in = { FROM_ROUTER, IP4(ROUTER, VIP_NOPORTS), FRAG_NEEDED(1400),
			IP4Q(VIP_NOPORTS, CLIENT, 1500), UDP(53, 41515) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), IP4(ROUTER, VIP_NOPORTS), FRAG_NEEDED(1400),
			 IP4Q(VIP_NOPORTS, CLIENT, 1500), UDP(53, 41515) },
		.real = 2,
		.vip = 7,
		.kind = ROW_ICMP,
		.stats = ICMP_HASH,
		.conn = CONN_NONE,
	},
	{
		/* Found by the hostile corpus (tests/bpf/test_hostile.c): the trailer is cut later. */
		.desc = "frag-needed whose IP length ends 1 byte into the quoted UDP header: refused",
		.in = { FROM_ROUTER, IP4L(ROUTER, VIP_NOPORTS, 20 + 8 + 20 + 7), FRAG_NEEDED(1400),
			IP4Q(VIP_NOPORTS, CLIENT, 1500), UDP(53, 41516) },
		.verdict = XDP_DROP,
		.stats = ICMP_QUOTE,
		.bytes = 14 + 55,
	},
	{
		.desc = "packet-too-big quoting 7 bytes after the IPv6 header: refused",
		.in = { FROM_ROUTER, IP6(ROUTER6, VIP_V6), ICMP6_ALL(ICMPV6_PKT_TOOBIG, 0, 1400),
			IP6QP(VIP_V6, CLIENT6, 1460, IPPROTO_UDP), DATA(7) },
		.verdict = XDP_DROP,
		.stats = ICMP_QUOTE,
	},
	{
		.desc = "frag-needed quoting 12 bytes of an IP header: refused",
		.in = { FROM_ROUTER, IP4(ROUTER, VIP_ONE), FRAG_NEEDED(1400), DATA(12) },
		.verdict = XDP_DROP,
		.stats = ICMP_QUOTE,
	},
};

static void test_balancer_hostile_icmp(void **state)
{
	struct lb_fx *fx = *state;

	table_run(fx, hostile_icmp_rows, sizeof(hostile_icmp_rows) / sizeof(hostile_icmp_rows[0]));
}

/* lb_config.mtu 576: a relayed error is held to the MTU too (nothing answers an error). */
static const struct lb_row hostile_icmp_mtu_rows[] = {
	{
		.desc = "mtu 576: a 556-byte frag-needed + IPIP = 576, relayed",
		.in = { FROM_ROUTER, PTB4_FROM(ROUTER, VIP_ONE, 41520, 488) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), PTB4_FROM(ROUTER, VIP_ONE, 41520, 488) },
		.real = 1,
		.vip = 1,
		.kind = ROW_ICMP,
		.stats = ICMP_HASH,
		.conn = CONN_NONE,
	},
	{
		.desc = "mtu 576: a 557-byte frag-needed + IPIP = 577, dropped",
		.in = { FROM_ROUTER, PTB4_FROM(ROUTER, VIP_ONE, 41521, 489) },
		.verdict = XDP_DROP,
		.real = 1,
		.vip = 1,
		.kind = ROW_ICMP,
		.stats = { [LB_STAT_RX] = 1, [LB_STAT_DROP_ICMP_MTU] = 1 },
		.conn = CONN_NONE,
	},
};

static void test_balancer_hostile_icmp_mtu(void **state)
{
	struct lb_fx *fx = *state;

	mtu_set(fx, 576);
	table_run(fx, hostile_icmp_mtu_rows,
		  sizeof(hostile_icmp_mtu_rows) / sizeof(hostile_icmp_mtu_rows[0]));
}

#define BIG4_FROM(src, vip, sp) IP4(src, vip), TCP(sp, 80, TCP_ACK), DATA(1360)
#define BIG6_FROM(src, vip, sp) IP6C(src, vip), TCP(sp, 80, TCP_ACK), DATA(1340)
#define NO_ANSWER4(d, src, sp)                                                                    \
	{                                                                                         \
		.desc = d, .in = { FROM_ROUTER, BIG4_FROM(src, VIP_ONE, sp) },                    \
		.verdict = XDP_DROP, .real = 1, .vip = 1, .stats = ANSWER_SRC, .conn = CONN_KEPT, \
	}
#define NO_ANSWER6(d, src, sp)                                                                     \
	{                                                                                          \
		.desc = d, .in = { FROM_ROUTER, BIG6_FROM(src, VIP_V6, sp) }, .verdict = XDP_DROP, \
		.real = 4, .vip = 6, .stats = ANSWER_SRC, .conn = CONN_KEPT,                       \
	}

/* lb_config.mtu 1400: too big, but from a source no ICMP error may go to (RFC 1812, 4443). */
static const struct lb_row hostile_answer_rows[] = {
	NO_ANSWER4("too big from 255.255.255.255: no answer, dropped", "255.255.255.255", 41530),
	NO_ANSWER4("too big from 224.0.0.1: no answer, dropped", "224.0.0.1", 41531),
	NO_ANSWER4("too big from 0.0.0.0: no answer, dropped", "0.0.0.0", 41532),
	NO_ANSWER4("too big from 127.0.0.1: no answer, dropped", "127.0.0.1", 41533),
	NO_ANSWER4("too big from the VIP itself: no answer, dropped", VIP_ONE, 41534),
	NO_ANSWER6("IPv6 too big from ff02::1: no answer, dropped", "ff02::1", 41535),
	NO_ANSWER6("IPv6 too big from ::: no answer, dropped", "::", 41536),
	NO_ANSWER6("IPv6 too big from ::1: no answer, dropped", "::1", 41537),
	NO_ANSWER6("IPv6 too big from the VIP itself: no answer, dropped", VIP_V6, 41538),
};

static void test_balancer_hostile_answer(void **state)
{
	struct lb_fx *fx = *state;

	mtu_set(fx, TEST_MTU);
	table_run(fx, hostile_answer_rows,
		  sizeof(hostile_answer_rows) / sizeof(hostile_answer_rows[0]));
}

/* lb_config.mtu 1500: what leaves is what the IP header says, and the MTU check measures it. */
static const struct lb_row hostile_len_rows[] = {
	{
		.desc = "1514-byte frame whose IPv4 header says 40: trimmed, 74 bytes encapsulated",
		.in = { FROM_ROUTER, IP4L(CLIENT, VIP_ONE, 40), TCP(41540, 80, TCP_ACK),
			DATA(1460) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), IP4L(CLIENT, VIP_ONE, 40), TCP(41540, 80, TCP_ACK) },
		.real = 1,
		.vip = 1,
		.stats = TRIM_FLOW,
		.conn = CONN_KEPT,
		.bytes = 14 + 40,
	},
	{
		.desc = "60-byte frame of a 40-byte ACK (Ethernet padding): padding not forwarded",
		.in = { FROM_ROUTER, IP4L(CLIENT, VIP_ONE, 40), TCP(41541, 80, TCP_ACK), DATA(6) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), IP4L(CLIENT, VIP_ONE, 40), TCP(41541, 80, TCP_ACK) },
		.real = 1,
		.vip = 1,
		.stats = TRIM_FLOW,
		.conn = CONN_KEPT,
		.bytes = 14 + 40,
	},
	{
		.desc = "IPv6 payload length 20 in a longer frame: trimmed to 60 bytes of IPv6",
		.in = { FROM_ROUTER, IP6L(CLIENT6, VIP_V6, 20), TCP(41542, 80, TCP_ACK), DATA(30) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0x2a), IP6L(CLIENT6, VIP_V6, 20), TCP(41542, 80, TCP_ACK) },
		.real = 4,
		.vip = 6,
		.stats = TRIM_FLOW,
		.conn = CONN_KEPT,
		.bytes = 14 + 60,
	},
};

static void test_balancer_hostile_lengths(void **state)
{
	struct lb_fx *fx = *state;

	mtu_set(fx, 1500);
	table_run(fx, hostile_len_rows, sizeof(hostile_len_rows) / sizeof(hostile_len_rows[0]));
}

/* clang-format off */
#define IP4FP(d, f, p, l) \
	{ .kind = FIX_L_IP4, .src = CLIENT, .dst = d, .tos = 0x10, .ttl = 63, .id = 0x1c4a, \
	  .frag = f, .proto = p, .len = l }
/* clang-format on */

static const struct lb_row hostile_frag_rows[] = {
	{
		.desc = "first fragment with 4 bytes of UDP, hash-no-ports VIP: as a later one",
		.in = { FROM_ROUTER, IP4FP(VIP_FRAG, IP4_MF, IPPROTO_UDP, 0), DATA(4) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), IP4FP(VIP_FRAG, IP4_MF, IPPROTO_UDP, 0), DATA(4) },
		.real = REAL_FROM_RING,
		.vip = 20,
		.stats = SHORT_FRAG,
		.conn = CONN_NONE,
	},
	{
		.desc = "first fragment of 4 bytes padded to 60: the padding is no UDP header",
		.in = { FROM_ROUTER, IP4FP(VIP_FRAG, IP4_MF, IPPROTO_UDP, 24), DATA(4), DATA(22) },
		.verdict = XDP_TX,
		.out = { ENCAP(0x10), IP4FP(VIP_FRAG, IP4_MF, IPPROTO_UDP, 24), DATA(4) },
		.real = REAL_FROM_RING,
		.vip = 20,
		.stats = { [LB_STAT_RX] = 1,
			   [LB_STAT_FRAG_SHORT] = 1,
			   [LB_STAT_CONN_NEW] = 1,
			   [LB_STAT_TRIMMED] = 1,
			   [LB_STAT_TX_ENCAP] = 1 },
		.conn = CONN_NONE,
		.bytes = 14 + 24,
	},
	{
		.desc = "IPv6 first fragment with 4 bytes of UDP, hash-no-ports VIP: as a later one",
		.in = { FROM_ROUTER, IP6C(CLIENT6, VIP_FRAG6), FRAG6(1, 0x78, IPPROTO_UDP),
			DATA(4) },
		.verdict = XDP_TX,
		.out = { ENCAP6(0x2a), IP6C(CLIENT6, VIP_FRAG6), FRAG6(1, 0x78, IPPROTO_UDP),
			 DATA(4) },
		.real = REAL_FROM_RING,
		.vip = 21,
		.stats = SHORT_FRAG,
		.conn = CONN_NONE,
	},
	{
		.desc = "first fragment with 8 bytes of TCP to a port VIP's address: passed",
		.in = { FROM_ROUTER, IP4FP(VIP_ONE, IP4_MF, IPPROTO_TCP, 0), DATA(8) },
		.verdict = XDP_PASS,
		.stats = { [LB_STAT_RX] = 1, [LB_STAT_FRAG_SHORT] = 1, [LB_STAT_PASS_NOT_VIP] = 1 },
	},
	{
		.desc = "first fragment with 8 bytes of TCP, all-ports VIP on ports: dropped",
		.in = { FROM_ROUTER, IP4FP(VIP_ALL, IP4_MF, IPPROTO_TCP, 0), DATA(8) },
		.verdict = XDP_DROP,
		.vip = 3,
		.stats = { [LB_STAT_RX] = 1, [LB_STAT_FRAG_SHORT] = 1, [LB_STAT_DROP_FRAG] = 1 },
	},
	{
		.desc = "three VLAN tags: more than the parser walks, passed unparsed",
		.in = { FROM_ROUTER, VLAN(10), VLAN(20), VLAN(30), SYN_ONE(41550) },
		.verdict = XDP_PASS,
		.stats = { [LB_STAT_RX] = 1, [LB_STAT_PASS_VLANS] = 1 },
	},
	{
		.desc = "three VLAN tags around ARP: passed unparsed, the same counter",
		.in = { FROM_ROUTER, VLAN(10), VLAN(20), VLAN(30), ARP_REQUEST },
		.verdict = XDP_PASS,
		.stats = { [LB_STAT_RX] = 1, [LB_STAT_PASS_VLANS] = 1 },
	},
};

static void test_balancer_hostile_fragments(void **state)
{
	struct lb_fx *fx = *state;

	table_run(fx, hostile_frag_rows, sizeof(hostile_frag_rows) / sizeof(hostile_frag_rows[0]));
}

/*
 * One row written out byte by byte, so the packet builder is checked too: a SYN from
 * 10.0.0.2:40000 to 10.100.0.1:80 and its IPIP encapsulation to 10.1.0.2. Both IPv4
 * checksums were worked out apart from any code here (RFC 1071 by hand).
 */
static const __u8 golden_in[] = {
	0x02,
	0x00,
	0x00,
	0x00,
	0x01,
	0x02,
	0x02,
	0x00,
	0x00,
	0x00,
	0x01,
	0x01,
	0x08,
	0x00,
	/* IPv4: tos 0x10, len 40, id 0x1c46, DF, ttl 63, tcp */
	0x45,
	0x10,
	0x00,
	0x28,
	0x1c,
	0x46,
	0x40,
	0x00,
	0x3f,
	0x06,
	0x0b,
	0x14,
	10,
	0,
	0,
	2,
	10,
	100,
	0,
	1,
	/* TCP 40000 -> 80, SYN */
	0x9c,
	0x40,
	0x00,
	0x50,
	0x10,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x50,
	0x02,
	0xfa,
	0xf0,
	0x00,
	0x00,
	0x00,
	0x00,
};

static const __u8 golden_out_head[] = {
	0x02,
	0x00,
	0x00,
	0x00,
	0x01,
	0xfe,
	0x02,
	0x00,
	0x00,
	0x00,
	0x01,
	0x02,
	0x08,
	0x00,
	/* outer IPv4: tos 0x10, len 60, id 0, DF, ttl 64, ipip, 10.0.1.2 -> 10.1.0.2 */
	0x45,
	0x10,
	0x00,
	0x3c,
	0x00,
	0x00,
	0x40,
	0x00,
	0x40,
	0x04,
	0x25,
	0xaa,
	10,
	0,
	1,
	2,
	10,
	1,
	0,
	2,
};

static void test_balancer_golden_syn(void **state)
{
	static const struct fix_layer built_in[FIX_MAX_LAYERS] = { FROM_ROUTER,
								   IP4(CLIENT, VIP_ONE),
								   TCP(40000, 80, TCP_SYN) };
	static const struct fix_layer built_out[FIX_MAX_LAYERS] = { ENCAP(0x10),
								    IP4(CLIENT, VIP_ONE),
								    TCP(40000, 80, TCP_SYN) };
	struct lb_fx *fx = *state;
	struct fix_pkt in, want, got, built;
	__u32 retval;

	memcpy(in.b, golden_in, sizeof(golden_in));
	in.len = sizeof(golden_in);
	memcpy(want.b, golden_out_head, sizeof(golden_out_head));
	memcpy(want.b + sizeof(golden_out_head), golden_in + 14, sizeof(golden_in) - 14);
	want.len = sizeof(golden_out_head) + sizeof(golden_in) - 14;
	/* The tables' builder writes exactly these bytes. */
	assert_int_equal(fix_pkt_build(&built, built_in, NULL), 0);
	assert_true(fix_bytes_equal("builder, golden input", built.b, built.len, in.b, in.len));
	assert_int_equal(fix_pkt_build(&built, built_out, real_addr[1]), 0);
	assert_true(
		fix_bytes_equal("builder, golden output", built.b, built.len, want.b, want.len));

	assert_int_equal(fix_prog_run(fx->prog_fd, &in, &got, &retval), 0);
	assert_int_equal(retval, XDP_TX);
	assert_true(fix_bytes_equal("golden SYN", got.b, got.len, want.b, want.len));
}

/*
 * The verifier walks at most 1 000 000 instructions of a program, and the balancer's paths
 * multiply fast: a change to the parser once took it from 504 025 to 949 767 with no warning
 * until the next one failed to load. Past this bound a change has eaten the headroom: find
 * what made the verifier's states stop merging (docs/internals.md, "Verifier headroom").
 */
#define BALANCER_VERIFIED_MAX 700000

static void test_balancer_verifier_headroom(void **state)
{
	struct lb_fx *fx = *state;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	assert_int_equal(bpf_obj_get_info_by_fd(fx->prog_fd, &info, &len), 0);
	print_message("balancer: %u instructions verified (bound %u)\n", info.verified_insns,
		      BALANCER_VERIFIED_MAX);
	assert_true(info.verified_insns > 0);
	assert_true(info.verified_insns <= BALANCER_VERIFIED_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_balancer_verifier_headroom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_golden_syn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_two_backends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_ring_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_encap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_gue_port_unset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_fragments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_icmp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_mtu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_mtu_floor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_hostile_icmp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_hostile_icmp_mtu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_hostile_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_hostile_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balancer_hostile_fragments, setup, teardown),
	};

	if (fix_must_skip())
		return FIX_SKIP;
	return cmocka_run_group_tests_name("bpf.balancer", tests, NULL, NULL);
}
