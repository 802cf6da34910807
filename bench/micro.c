// SPDX-License-Identifier: GPL-2.0
/*
 * Micro-benchmark of the balancer per packet class: each class beside a no-op stub run in the
 * same process; only figures measured in this run are printed (`dsrlab bench --micro`).
 *
 * Each class is one fixed packet. micro_wrap (bpf/micro.bpf.c) restores it before every
 * iteration, reads its header back (bpf/micro_touch.h) and tail-calls either the balancer or
 * micro_stub (XDP_TX); both are run through the same wrapper, interleaved, in this process,
 * on one CPU. The balancer's per-CPU counters are read around every run: a class only counts
 * as "proved" when every iteration took its intended path, and the path printed is the one
 * the counters show, whatever was intended.
 *
 * The decap (TC) is measured the same way: micro_tc_wrap restores the encapsulated packet and
 * tail-calls a TC_ACT_OK no-op, the strip-only floor or the decap, interleaved; its counters,
 * the floor's count of encapsulated packets met and the exact output prove each class. The
 * Maglev build is timed over 100 and 1000 backends. docs/bench.md says how to read it all.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "bench/micro.h"
#include "bench/micro_fixture.h"
#include "bench/exit.h"
#include "backend/decap.h"
#include "common/compat.h"
#include "common/log.h"
#include "common/maps.h"
#include "common/parse.h"
#include "common/percpu.h"
#include "lb/lb.h"
#include "lb/maglev.h"
#include "common/pkt_build.h"
#include "micro.skel.h"

#define MICRO_MAX_RUNS 101
#define MAGLEV_RUNS    5
#define STAT_BIT(s)    (1u << (s))

#define MF_DEL_CONN 0x1 /* the wrapper deletes the flow's conn entry before each iteration */

struct micro_class {
	const char *name;
	const char *what; /* what the packet is and what it should exercise */
	void (*build)(struct pkt *p);
	/* The packet whose flow is put in the connection table first (NULL: none). */
	void (*conn_build)(struct pkt *p);
	int vip; /* the pool conn entries point into */
	/* Flows sent in turn (micro_pkt.flows: TCP source ports from the packet's on); 0: one */
	__u32 flows;
	unsigned int flags;
	__u32 intended; /* STAT_BIT()s every iteration must count */
	int verdict;
};

#define PATH_NEW_ENCAP (STAT_BIT(LB_STAT_CONN_NEW) | STAT_BIT(LB_STAT_TX_ENCAP))
#define PATH_HIT_ENCAP (STAT_BIT(LB_STAT_CONN_HIT) | STAT_BIT(LB_STAT_TX_ENCAP))

static const struct micro_class classes[] = {
	{
		.name = "ipv4-syn",
		.what = "TCP SYN to an IPv4 VIP, a new flow every iteration: what is measured is "
			"the VIP lookup, a Maglev pick and an insert by the balancer (a SYN does not "
			"look the table up), plus the wrapper's delete of that entry before the next "
			"iteration (in the stub run the delete finds nothing, so the figure above the "
			"stub includes it)",
		.build = micro_build_syn4,
		.vip = MICRO_VIP_TCP4,
		.flags = MF_DEL_CONN,
		.intended = PATH_NEW_ENCAP,
		.verdict = XDP_TX,
	},
	{
		.name = "ipv4-established",
		.what = "TCP ACK to an IPv4 VIP, flow already in the connection table",
		.build = micro_build_est4,
		.conn_build = micro_build_est4,
		.vip = MICRO_VIP_TCP4,
		.intended = PATH_HIT_ENCAP,
		.verdict = XDP_TX,
	},
	{
		.name = "ipv4-many-flows",
		.what = "TCP ACKs to an IPv4 VIP from 50 000 flows in turn (source ports 10000 on), "
			"each in the connection table: its entries no longer all sit in the CPU's "
			"caches, as in a balancer with many flows",
		.build = micro_build_many4,
		.conn_build = micro_build_many4,
		.vip = MICRO_VIP_TCP4,
		.flows = MICRO_MANY_FLOWS,
		.intended = PATH_HIT_ENCAP,
		.verdict = XDP_TX,
	},
	{
		.name = "ipv6-established",
		.what = "TCP ACK to an IPv6 VIP (IPv6-in-IPv6 to IPv6 backends), flow in the table",
		.build = micro_build_est6,
		.conn_build = micro_build_est6,
		.vip = MICRO_VIP_TCP6,
		.intended = PATH_HIT_ENCAP,
		.verdict = XDP_TX,
	},
	{
		.name = "ipv4-udp",
		.what = "UDP to an IPv4 VIP, flow in the table",
		.build = micro_build_udp4,
		.conn_build = micro_build_udp4,
		.vip = MICRO_VIP_UDP4,
		.intended = PATH_HIT_ENCAP,
		.verdict = XDP_TX,
	},
	{
		.name = "gue-vip",
		.what = "TCP ACK to an IPv4 VIP configured for GUE encapsulation, flow in the table",
		.build = micro_build_gue4,
		.conn_build = micro_build_gue4,
		.vip = MICRO_VIP_GUE4,
		.intended = PATH_HIT_ENCAP,
		.verdict = XDP_TX,
	},
	{
		.name = "icmp-ptb",
		.what = "ICMP fragmentation-needed to an IPv4 VIP quoting its reply to an "
			"established flow (in the table): should go to that flow's backend",
		.build = micro_build_ptb4,
		.conn_build = micro_build_est4,
		.vip = MICRO_VIP_TCP4,
		.intended = STAT_BIT(LB_STAT_TX_ENCAP),
		.verdict = XDP_TX,
	},
	{
		.name = "non-vip",
		.what = "TCP to an IPv4 address that is no VIP",
		.build = micro_build_nonvip4,
		.vip = -1,
		.intended = STAT_BIT(LB_STAT_PASS_NOT_VIP),
		.verdict = XDP_PASS,
	},
};

#define N_CLASSES ((int)(sizeof(classes) / sizeof(classes[0])))

struct class_result {
	int bal_ns[MICRO_MAX_RUNS], stub_ns[MICRO_MAX_RUNS], floor_ns[MICRO_MAX_RUNS];
	double bal, stub, floor; /* medians (floor: MF_DEL_CONN classes, the insert alone) */
	int bal_min, stub_min, floor_min; /* fastest runs */
	bool floor_proved; /* every floor run inserted the entry, none failed */
	__u64 counters[LB_STAT_MAX]; /* summed over the balancer runs */
	__u64 iterations;
	__u32 path; /* STAT_BIT()s that counted every iteration (rx aside) */
	bool consistent; /* in every run, each counter counted every iteration or none */
	bool intended_all; /* in every run, each intended counter counted every iteration */
	bool proved;
	int verdict; /* of the last iteration of the last balancer run */
	__u32 in_len, out_len;
	bool inner_intact; /* the last output carries the original packet after its new head */
};

struct micro_env {
	struct lb *lb;
	struct micro_bpf *wrap;
	struct decap *decap;
	int wrap_fd, bal_fd, stub_fd, insert_fd, target_fd;
	int tc_wrap_fd, tc_target_fd, tc_prog_fd[3]; /* enum tc_prog */
	__u32 first_real[MICRO_VIP_MAX]; /* the counter index of each VIP's first backend */
};

static int decap_env_open(struct micro_env *e);

/* Packets per counter, summed over CPUs. */
static int stats_read(struct micro_env *e, __u64 out[LB_STAT_MAX])
{
	struct lb_counter c[LB_STAT_MAX];
	int i, err = lb_stats_read(e->lb, c);

	for (i = 0; !err && i < LB_STAT_MAX; i++)
		out[i] = c[i].packets;
	return err;
}

static void env_close(struct micro_env *e)
{
	if (e->decap)
		decap_release(e->decap);
	micro_bpf__destroy(e->wrap);
	if (e->lb)
		lb_close(e->lb);
}

static int env_open(struct micro_env *e, const struct micro_opts *o)
{
	struct lb_load_opts lo = { .conn_table = o->conn_table, .conn_kind = o->conn_kind };
	int err;

	memset(e, 0, sizeof(*e));
	err = lb_load_with(&e->lb, &lo);
	if (err) {
		e->lb = NULL;
		goto err;
	}
	e->wrap = micro_bpf__open();
	if (!e->wrap) {
		err = -errno;
		goto err;
	}
	/* The wrapper deletes from the balancer's own table (SYN class). */
	err = bpf_map__reuse_fd(e->wrap->maps.conns, lb_conns_fd(e->lb));
	if (!err)
		err = bpf_map__reuse_fd(e->wrap->maps.conn_slots, lb_conn_slots_fd(e->lb));
	if (!err)
		err = micro_bpf__load(e->wrap);
	if (err) {
		pr_warn("load the benchmark wrapper: %s (run with -vv for the verifier log)\n",
			strerror(-err));
		goto err;
	}
	e->wrap->bss->conn_sets = lb_conn_sets(e->lb);
	e->wrap_fd = bpf_program__fd(e->wrap->progs.micro_wrap);
	e->stub_fd = bpf_program__fd(e->wrap->progs.micro_stub);
	e->insert_fd = bpf_program__fd(e->wrap->progs.micro_conn_insert);
	e->bal_fd = lb_prog_fd(e->lb);
	e->target_fd = bpf_map__fd(e->wrap->maps.micro_target);
	err = micro_lb_setup(e->lb, MICRO_REALS_PER_VIP, e->first_real);
	if (err) {
		pr_warn("set up the balancer's maps: %s\n", strerror(-err));
		goto err;
	}
	err = decap_env_open(e);
	if (err)
		goto err;
	return 0;
err:
	env_close(e);
	return err;
}

static int seed_run(struct micro_env *e, const struct pkt *p)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = p->data, .data_size_in = p->len, .repeat = 1);

	return bpf_prog_test_run_opts(e->bal_fd, &t) ? -errno : 0;
}

/*
 * Put n flows in the connection table: cp's, then (n > 1) cp with the next source ports, as
 * the wrapper sends them. The balancer writes each entry; by hand only if it would not. Every
 * flow must have its entry after, or the class could not be proved.
 */
static int seed_flows(struct micro_env *e, const struct micro_class *cl, struct pkt *cp, __u32 n)
{
	struct conn_val cv;
	struct flow_key key;
	__be16 sport;
	__u32 i;
	int err;

	for (i = 0; i < n; i++) {
		if (n > 1) {
			sport = htons(MICRO_MANY_SPORT + i);
			memcpy(cp->data + MICRO_MANY_SPORT_OFF, &sport, sizeof(sport));
		}
		if (micro_flow_of(cp, &key))
			return -EINVAL;
		if (!seed_run(e, cp) && !lb_conn_get(e->lb, &key, &cv))
			continue;
		memset(&cv, 0, sizeof(cv));
		cv.real_id = e->first_real[cl->vip];
		err = lb_conn_put(e->lb, &key, &cv);
		if (err)
			return err;
	}
	/* Inserts may have evicted earlier flows (the sets): each must still be there. */
	for (i = 0; n > 1 && i < n; i++) {
		sport = htons(MICRO_MANY_SPORT + i);
		memcpy(cp->data + MICRO_MANY_SPORT_OFF, &sport, sizeof(sport));
		if (micro_flow_of(cp, &key) || lb_conn_get(e->lb, &key, &cv)) {
			pr_warn("class %s: flow %u of %u lost its entry while the table was "
				"filled: give the table more entries (--conn-table), or leave "
				"the class out (--only)\n",
				cl->name, i, n);
			return -ENOSPC;
		}
	}
	return 0;
}

/* Load the class's packet into the wrapper and its flow(s) into the connection table. */
static int class_prepare(struct micro_env *e, const struct micro_class *cl, struct pkt *p)
{
	struct conn_val cv = {};
	struct flow_key key;
	struct pkt cp;

	cl->build(p);
	if (p->len > sizeof(e->wrap->bss->pkt.data))
		return -E2BIG;
	memset(&e->wrap->bss->pkt, 0, sizeof(e->wrap->bss->pkt));
	memcpy(e->wrap->bss->pkt.data, p->data, p->len);
	e->wrap->bss->pkt.len = p->len;
	if (cl->flags & MF_DEL_CONN) {
		if (micro_flow_of(p, &key))
			return -EINVAL;
		memcpy(e->wrap->bss->pkt.conn_key, &key, sizeof(key));
		e->wrap->bss->pkt.del_conn = 1;
		memset(&e->wrap->bss->insert_val, 0, sizeof(cv));
		e->wrap->bss->insert_val.real_id = e->first_real[cl->vip];
	}
	e->wrap->bss->next_flow = 0;
	if (cl->flows) {
		e->wrap->bss->pkt.flows = cl->flows;
		e->wrap->bss->pkt.sport_off = MICRO_MANY_SPORT_OFF;
		e->wrap->bss->pkt.sport_base = MICRO_MANY_SPORT;
	}
	if (cl->conn_build) {
		cl->conn_build(&cp);
		return seed_flows(e, cl, &cp, cl->flows ? cl->flows : 1);
	}
	return 0;
}

static int prog_run(struct micro_env *e, int target, const struct pkt *p, __u32 repeat, int *ns,
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

/* One balancer run: time it and check its counters moved as intended. */
static int run_balancer(struct micro_env *e, const struct micro_class *cl, const struct pkt *p,
			__u32 repeat, struct class_result *r, int run)
{
	__u64 before[LB_STAT_MAX], after[LB_STAT_MAX], d;
	__u8 out[512], want[MICRO_PKT_MAX];
	__be16 sport;
	__u32 out_len = sizeof(out), hdr = sizeof(struct ethhdr);
	int err, s;

	err = stats_read(e, before);
	if (!err)
		err = prog_run(e, e->bal_fd, p, repeat, &r->bal_ns[run], &r->verdict, out,
			       &out_len);
	if (!err)
		err = stats_read(e, after);
	if (err)
		return err;
	for (s = 0; s < LB_STAT_MAX; s++) {
		d = after[s] - before[s];
		r->counters[s] += d;
		if (d != 0 && d != repeat)
			r->consistent = false;
		if ((cl->intended & STAT_BIT(s)) && d != repeat)
			r->intended_all = false;
	}
	if (after[LB_STAT_RX] - before[LB_STAT_RX] != repeat)
		r->consistent = false;
	r->in_len = p->len;
	r->out_len = out_len;
	/*
	 * The tail after the new head is the original packet minus its Ethernet header (with
	 * many flows, the last one's: the source port before next_flow).
	 */
	memcpy(want, p->data, p->len);
	if (cl->flows) {
		sport = htons(MICRO_MANY_SPORT +
			      (e->wrap->bss->next_flow + cl->flows - 1) % cl->flows);
		memcpy(want + MICRO_MANY_SPORT_OFF, &sport, sizeof(sport));
	}
	r->inner_intact = out_len > p->len &&
			  !memcmp(out + out_len - (p->len - hdr), want + hdr, p->len - hdr);
	return 0;
}

/*
 * One run of the insert floor (MF_DEL_CONN classes): proved when it failed no insert and
 * left the flow's entry, with the value it writes, in the table.
 */
static int run_floor(struct micro_env *e, const struct pkt *p, __u32 repeat, struct class_result *r,
		     int run)
{
	__u64 failed = e->wrap->bss->insert_failed;
	struct conn_val cv;
	__u8 out[512];
	__u32 out_len = sizeof(out);
	int err, v = -1;

	err = prog_run(e, e->insert_fd, p, repeat, &r->floor_ns[run], &v, out, &out_len);
	if (err)
		return err;
	if (v != XDP_TX || e->wrap->bss->insert_failed != failed ||
	    lb_conn_get(e->lb, (const struct flow_key *)e->wrap->bss->pkt.conn_key, &cv) ||
	    memcmp(&cv, &e->wrap->bss->insert_val, sizeof(cv)))
		r->floor_proved = false;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static double median_int(const int *v, int n)
{
	int s[MICRO_MAX_RUNS];

	memcpy(s, v, sizeof(*v) * n);
	qsort(s, n, sizeof(*s), cmp_int);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

static int min_int(const int *v, int n)
{
	int i, m = v[0];

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

static void class_judge(const struct micro_class *cl, struct class_result *r, __u64 iters)
{
	int s;

	r->iterations = iters;
	r->path = 0;
	if (r->counters[LB_STAT_RX] != iters)
		r->consistent = false;
	for (s = 0; s < LB_STAT_MAX; s++) {
		if (s == LB_STAT_RX || !r->counters[s])
			continue;
		if (r->counters[s] == iters)
			r->path |= STAT_BIT(s);
		else
			r->consistent = false;
	}
	r->proved = r->consistent && r->intended_all && (r->path & cl->intended) == cl->intended &&
		    r->verdict == cl->verdict && (cl->verdict != XDP_TX || r->inner_intact);
}

static int measure_class(struct micro_env *e, const struct micro_class *cl,
			 const struct micro_opts *o, struct class_result *r)
{
	int run, i, err, v, nprogs = cl->flags & MF_DEL_CONN ? 3 : 2;
	__u8 out[512];
	__u32 out_len;
	struct pkt p;

	memset(r, 0, sizeof(*r));
	r->consistent = r->intended_all = true;
	r->floor_proved = nprogs == 3;
	err = class_prepare(e, cl, &p);
	if (err) {
		pr_warn("prepare class %s: %s\n", cl->name, strerror(-err));
		return err;
	}
	for (run = 0; run < o->runs && !err; run++) {
		/* Rotate which goes first, so drift favours none of them. */
		for (i = 0; i < nprogs && !err; i++) {
			switch ((run + i) % nprogs) {
			case 0:
				out_len = sizeof(out);
				err = prog_run(e, e->stub_fd, &p, o->repeat, &r->stub_ns[run], &v,
					       out, &out_len);
				if (!err && v != XDP_TX) {
					pr_warn("class %s: the stub run returned %d, not XDP_TX: "
						"the wrapper failed\n",
						cl->name, v);
					return -EPROTO;
				}
				break;
			case 1:
				err = run_balancer(e, cl, &p, o->repeat, r, run);
				break;
			default:
				err = run_floor(e, &p, o->repeat, r, run);
				break;
			}
		}
	}
	if (err) {
		pr_warn("BPF_PROG_RUN (class %s): %s\n", cl->name, strerror(-err));
		return err;
	}
	r->bal = median_int(r->bal_ns, o->runs);
	r->stub = median_int(r->stub_ns, o->runs);
	r->bal_min = min_int(r->bal_ns, o->runs);
	r->stub_min = min_int(r->stub_ns, o->runs);
	if (nprogs == 3) {
		r->floor = median_int(r->floor_ns, o->runs);
		r->floor_min = min_int(r->floor_ns, o->runs);
	}
	class_judge(cl, r, (__u64)o->runs * o->repeat);
	return 0;
}

/*
 * The decap's classes: each encapsulated packet as a balancer sends it (outer source in the
 * allow-list, outer destination the address served), through micro_tc_wrap to one of three
 * programs (enum tc_prog), all in the same run.
 */
enum tc_prog { TC_NOOP, TC_STRIP, TC_DECAP, TC_PROGS };

static const char *const tc_prog_names[TC_PROGS] = { "noop", "strip", "decap" };

#define DECAP_SERVE_V4 "10.1.0.2"
#define DECAP_SERVE_V6 "fd00:1::2"
#define DECAP_LB_V4    "10.0.1.2"
#define DECAP_LB_V6    "fd00:0:1::2"

struct decap_class {
	const char *name;
	const char *what;
	__u8 outer; /* family of the outer header */
	__u8 inner; /* family of the client's packet */
	bool gue;
};

static const struct decap_class decap_classes[] = {
	{ "decap-ipip", "IPv4 in IPv4 (TCP ACK inside), 20 bytes stripped", FAM_IPV4, FAM_IPV4,
	  false },
	{ "decap-ip6ip6", "IPv6 in IPv6 (TCP ACK inside), 40 bytes stripped", FAM_IPV6, FAM_IPV6,
	  false },
	{ "decap-4in6",
	  "IPv4 in IPv6 (TCP ACK inside), 40 bytes stripped and the packet made IPv4 (the skb's "
	  "protocol and the ethertype)",
	  FAM_IPV6, FAM_IPV4, false },
	{ "decap-gue",
	  "GUE version 1 over IPv4 (UDP to the GUE port, TCP ACK inside), 28 bytes "
	  "stripped",
	  FAM_IPV4, FAM_IPV4, true },
};

#define N_DECAP_CLASSES ((int)(sizeof(decap_classes) / sizeof(decap_classes[0])))

/* The class's packet: outer header(s) first when encapsulated, else the client's alone. */
static void decap_build(const struct decap_class *dc, struct pkt *p, bool encapsulated)
{
	__u8 src[16], dst[16];

	pkt_init(p);
	pkt_eth(p, NULL, NULL);
	if (encapsulated && dc->outer == FAM_IPV4) {
		pkt_ipv4(p, micro_v4(DECAP_LB_V4), micro_v4(DECAP_SERVE_V4));
	} else if (encapsulated) {
		micro_v6(DECAP_LB_V6, src);
		micro_v6(DECAP_SERVE_V6, dst);
		pkt_ipv6(p, src, dst);
	}
	if (encapsulated && dc->gue)
		pkt_udp(p, 0xc000 | 0x123, GUE_PORT_DEFAULT);
	if (dc->inner == FAM_IPV4) {
		pkt_ipv4(p, micro_v4("10.0.0.2"), micro_v4("10.100.0.1"));
	} else {
		micro_v6("fd00::2", src);
		micro_v6("fd00:100::1", dst);
		pkt_ipv6(p, src, dst);
	}
	pkt_tcp(p, 40010, 80, PKT_TCP_ACK);
	pkt_payload(p, 16);
	pkt_finish(p);
}

static int decap_env_open(struct micro_env *e)
{
	struct ip_prefix allow[2] = {};
	struct decap_opts o = {
		.at = DECAP_AT_HOST_VETH_EGRESS,
		.n_serve = 2,
		.allow = allow,
		.n_allow = 2,
		.gue_port = GUE_PORT_DEFAULT,
	};
	int err;

	if (addr_parse(DECAP_SERVE_V4, &o.serve[0]) || addr_parse(DECAP_SERVE_V6, &o.serve[1]) ||
	    prefix_parse(DECAP_LB_V4 "/32", &allow[0], true) ||
	    prefix_parse(DECAP_LB_V6 "/128", &allow[1], true))
		return -EINVAL;
	err = decap_load(&e->decap, &o);
	if (err) {
		pr_warn("load the decap: %s (run with -vv for the verifier log)\n", strerror(-err));
		e->decap = NULL;
		return err;
	}
	e->tc_wrap_fd = bpf_program__fd(e->wrap->progs.micro_tc_wrap);
	e->tc_target_fd = bpf_map__fd(e->wrap->maps.micro_tc_target);
	e->tc_prog_fd[TC_NOOP] = bpf_program__fd(e->wrap->progs.micro_tc_ok);
	e->tc_prog_fd[TC_STRIP] = bpf_program__fd(e->wrap->progs.micro_tc_strip);
	e->tc_prog_fd[TC_DECAP] = decap_prog_fd(e->decap);
	return 0;
}

struct decap_result {
	int ns[TC_PROGS][MICRO_MAX_RUNS];
	double med[TC_PROGS];
	int min[TC_PROGS]; /* fastest runs */
	__u64 iterations; /* per program */
	__u64 restored[TC_PROGS]; /* micro_tc_wrap's restores that reached the tail call */
	__u64 strip_seen;
	__u64 counters[DECAP_STAT_MAX]; /* the decap's, over its runs */
	int verdict[TC_PROGS]; /* of the last iteration of the last run */
	bool exact[TC_PROGS]; /* every run's output: noop the input, strip and decap the inner */
	__u32 in_len, out_len;
	bool proved;
};

/* One run of program `which` through micro_tc_wrap; its output checked against want. */
static int decap_run(struct micro_env *e, int which, const struct pkt *in, const struct pkt *want,
		     __u32 repeat, struct decap_result *r, int run)
{
	__u64 before[DECAP_STAT_MAX], after[DECAP_STAT_MAX];
	__u64 restored = e->wrap->bss->tc_restored, seen = e->wrap->bss->strip_seen;
	__u8 out[512];
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = in->data, .data_size_in = in->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);
	__u32 zero = 0;
	int err, s;

	if (bpf_map_update_elem(e->tc_target_fd, &zero, &e->tc_prog_fd[which], BPF_ANY))
		return -errno;
	err = decap_stats_read(e->decap, before);
	if (err)
		return err;
	if (bpf_prog_test_run_opts(e->tc_wrap_fd, &t))
		return -errno;
	err = decap_stats_read(e->decap, after);
	if (err)
		return err;
	r->ns[which][run] = t.duration;
	r->verdict[which] = t.retval;
	r->restored[which] += e->wrap->bss->tc_restored - restored;
	r->strip_seen += e->wrap->bss->strip_seen - seen;
	for (s = 0; s < DECAP_STAT_MAX; s++)
		r->counters[s] += after[s] - before[s];
	if (t.data_size_out != want->len || memcmp(out, want->data, want->len))
		r->exact[which] = false;
	if (which == TC_DECAP)
		r->out_len = t.data_size_out;
	return 0;
}

static int measure_decap(struct micro_env *e, const struct decap_class *dc,
			 const struct micro_opts *o, struct decap_result *r)
{
	struct micro_pkt *mp = &e->wrap->bss->pkt;
	struct micro_strip *st = &e->wrap->bss->strip;
	struct pkt in, inner;
	int run, i, which, err = 0;
	__u64 iters;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < TC_PROGS; i++)
		r->exact[i] = true;
	decap_build(dc, &in, true);
	decap_build(dc, &inner, false);
	if (in.len > sizeof(mp->data))
		return -E2BIG;
	memset(mp, 0, sizeof(*mp));
	memcpy(mp->data, in.data, in.len);
	mp->len = in.len;
	mp->skb_proto = htons(dc->outer == FAM_IPV4 ? ETH_P_IP : ETH_P_IPV6);
	memset(st, 0, sizeof(*st));
	st->len = in.len - inner.len;
	st->encap_len = in.len;
	st->flags = BPF_F_ADJ_ROOM_FIXED_GSO;
	if (dc->outer != dc->inner) {
		st->flags |= dc->inner == FAM_IPV4 ? DSR_ADJ_ROOM_DECAP_L3_IPV4 :
						     DSR_ADJ_ROOM_DECAP_L3_IPV6;
		st->ethertype = htons(dc->inner == FAM_IPV4 ? ETH_P_IP : ETH_P_IPV6);
	}
	r->in_len = in.len;
	for (run = 0; run < o->runs && !err; run++) {
		/* Rotate which goes first, so drift favours none of the three. */
		for (i = 0; i < TC_PROGS && !err; i++) {
			which = (run + i) % TC_PROGS;
			err = decap_run(e, which, &in, which == TC_NOOP ? &in : &inner, o->repeat,
					r, run);
		}
	}
	if (err) {
		pr_warn("BPF_PROG_RUN (class %s): %s\n", dc->name, strerror(-err));
		return err;
	}
	iters = (__u64)o->runs * o->repeat;
	r->iterations = iters;
	r->proved = r->strip_seen == iters && r->counters[DECAP_STAT_RX] == iters &&
		    r->counters[DECAP_STAT_DECAP] == iters;
	for (i = 0; i < TC_PROGS; i++) {
		r->med[i] = median_int(r->ns[i], o->runs);
		r->min[i] = min_int(r->ns[i], o->runs);
		r->proved = r->proved && r->restored[i] == iters && r->exact[i] &&
			    r->verdict[i] == TC_ACT_OK;
	}
	/* Nothing but rx and decap counted: every iteration took the one path. */
	for (i = 0; i < DECAP_STAT_MAX; i++)
		if (i != DECAP_STAT_RX && i != DECAP_STAT_DECAP && r->counters[i])
			r->proved = false;
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Backend counts the Maglev build is timed for, on a ring of LB_RING_SIZE_DEFAULT slots. */
static const int maglev_backends[] = { 100, 1000 };

#define N_MAGLEV ((int)(sizeof(maglev_backends) / sizeof(maglev_backends[0])))

struct maglev_result {
	int backends;
	double ms[MAGLEV_RUNS], median;
};

/* Median time to build a 65537-slot ring over r->backends backends, each run in r->ms[]. */
static int maglev_time(struct maglev_result *r)
{
	struct maglev_backend *mb;
	double s[MAGLEV_RUNS], t;
	__be32 *addr;
	__u32 *ring;
	int i, err = 0;

	ring = malloc(sizeof(*ring) * LB_RING_SIZE_DEFAULT);
	mb = calloc(r->backends, sizeof(*mb));
	addr = calloc(r->backends, sizeof(*addr));
	if (!ring || !mb || !addr) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < r->backends; i++) {
		addr[i] = htonl(0x0a010000 + i + 1);
		mb[i] = (struct maglev_backend){ &addr[i], sizeof(addr[i]), 1, i + 1 };
	}
	for (i = 0; i < MAGLEV_RUNS && !err; i++) {
		t = now_ms();
		err = maglev_build(mb, r->backends, ring, LB_RING_SIZE_DEFAULT, LB_REAL_NONE);
		r->ms[i] = now_ms() - t;
	}
	memcpy(s, r->ms, sizeof(s));
	qsort(s, MAGLEV_RUNS, sizeof(*s), cmp_double);
	r->median = s[MAGLEV_RUNS / 2];
out:
	free(ring);
	free(mb);
	free(addr);
	return err;
}

static const char *verdict_name(int v)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					     "XDP_REDIRECT" };

	return v >= 0 && v <= XDP_REDIRECT ? names[v] : "?";
}

/* Counters in the order a packet meets them: the verdict's (tx_encap) last. */
static int stat_at(int i)
{
	if (i == LB_STAT_MAX - 1)
		return LB_STAT_TX_ENCAP;
	return i < LB_STAT_TX_ENCAP ? i : i + 1;
}

/* "conn_hit+tx_encap" for a set of STAT_BIT()s. */
static const char *path_str(__u32 bits, char *buf, size_t sz)
{
	size_t n = 0;
	int i, s;

	buf[0] = '\0';
	for (i = 0; i < LB_STAT_MAX; i++)
		if (bits & STAT_BIT(s = stat_at(i)))
			n += snprintf(buf + n, n < sz ? sz - n : 0, "%s%s", n ? "+" : "",
				      lb_stat_name(s));
	if (!n)
		snprintf(buf, sz, "(none)");
	return buf;
}

/* "conn_hit=3 pass_not_vip=59997": every counter that moved, for a class that mixed paths. */
static const char *mixed_str(const struct class_result *r, char *buf, size_t sz)
{
	size_t n = 0;
	int i, s;

	buf[0] = '\0';
	for (i = 0; i < LB_STAT_MAX; i++)
		if (r->counters[s = stat_at(i)])
			n += snprintf(buf + n, n < sz ? sz - n : 0, "%s%s=%llu", n ? " " : "",
				      lb_stat_name(s), (unsigned long long)r->counters[s]);
	return buf;
}

struct micro_report {
	const struct micro_opts *o;
	bool sel[N_CLASSES], dsel[N_DECAP_CLASSES], msel; /* --only */
	struct class_result res[N_CLASSES];
	struct decap_result dres[N_DECAP_CLASSES];
	struct maglev_result maglev[N_MAGLEV];
	__u64 restore_failed, tail_call_failed;
	int cpu;
	char kernel[128];
};

/* The classes with an insert floor: the table's share of a new flow, and the balancer's. */
static void print_floor_text(const struct micro_report *rp)
{
	const char *insert = rp->o->conn_kind == CONN_KIND_SETS ?
				     "conn_sets_put() (bpf/conn_sets.h)" :
				     "bpf_map_update_elem";
	const struct class_result *r;
	int i;

	for (i = 0; i < N_CLASSES; i++) {
		r = &rp->res[i];
		if (!rp->sel[i] || !(classes[i].flags & MF_DEL_CONN))
			continue;
		printf("%s beside its insert floor (micro_conn_insert: the same delete, then one "
		       "%s\nof the same entry in the same table, nothing else)%s:\n"
		       "  floor %.1f ns, %.1f above the stub (min %d): the table's delete and "
		       "insert;\n  the balancer %.1f above the floor (min %d): its parse, VIP "
		       "lookup, Maglev pick, counters\n  and encapsulation.\n",
		       classes[i].name, insert, r->floor_proved ? "" : " (floor NOT proved)",
		       r->floor, r->floor - r->stub, r->floor_min - r->stub_min, r->bal - r->floor,
		       r->bal_min - r->floor_min);
	}
}

static bool any(const bool *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i])
			return true;
	return false;
}

/* Is the item [p, e) of a comma-separated list this name? */
static bool item_is(const char *p, const char *e, const char *name)
{
	return strlen(name) == (size_t)(e - p) && !strncmp(p, name, e - p);
}

/* Is name one of the comma-separated items of list? */
static bool listed(const char *list, const char *name)
{
	const char *p, *e;

	for (p = list;; p = e + 1) {
		e = strchrnul(p, ',');
		if (item_is(p, e, name))
			return true;
		if (!*e)
			return false;
	}
}

/*
 * --only: what runs. Every item must name a balancer class, a decap class or "maglev";
 * otherwise the error lists the names there are. NULL: everything.
 */
static int only_select(const char *only, struct micro_report *rp)
{
	const char *p, *e;
	bool known;
	int i;

	for (i = 0; i < N_CLASSES; i++)
		rp->sel[i] = !only || listed(only, classes[i].name);
	for (i = 0; i < N_DECAP_CLASSES; i++)
		rp->dsel[i] = !only || listed(only, decap_classes[i].name);
	rp->msel = !only || listed(only, "maglev");
	for (p = only; p; p = *e ? e + 1 : NULL) {
		e = strchrnul(p, ',');
		known = item_is(p, e, "maglev");
		for (i = 0; i < N_CLASSES; i++)
			known = known || item_is(p, e, classes[i].name);
		for (i = 0; i < N_DECAP_CLASSES; i++)
			known = known || item_is(p, e, decap_classes[i].name);
		if (known)
			continue;
		fprintf(stderr, "dsrlab: bench --micro --only: no class \"%.*s\"; there are",
			(int)(e - p), p);
		for (i = 0; i < N_CLASSES; i++)
			fprintf(stderr, " %s", classes[i].name);
		for (i = 0; i < N_DECAP_CLASSES; i++)
			fprintf(stderr, " %s", decap_classes[i].name);
		fprintf(stderr, " maglev\n");
		return -1;
	}
	return 0;
}

/* The decap's table: each program's median, and the decap over the strip-only floor. */
static void print_decap_text(const struct micro_report *rp)
{
	const struct decap_result *r;
	int i;

	printf("\nDecap (TC), same method: micro_tc_wrap restores the encapsulated packet (length,\n"
	       "skb protocol, bytes), reads its header back and tail-calls TC_ACT_OK (noop), a\n"
	       "program that only removes the outer header (strip, the floor) or the decap;\n"
	       "median ns/packet.\n\n");
	printf("%-13s %6s %6s %6s %11s %11s %11s %8s\n", "class", "noop", "strip", "decap",
	       "strip-noop", "decap-noop", "decap/strip", "d/s-min");
	for (i = 0; i < N_DECAP_CLASSES; i++) {
		r = &rp->dres[i];
		if (!rp->dsel[i])
			continue;
		printf("%-13s %6.1f %6.1f %6.1f %11.1f %11.1f %11.2f %8.2f\n",
		       decap_classes[i].name, r->med[TC_NOOP], r->med[TC_STRIP], r->med[TC_DECAP],
		       r->med[TC_STRIP] - r->med[TC_NOOP], r->med[TC_DECAP] - r->med[TC_NOOP],
		       r->med[TC_STRIP] > 0 ? r->med[TC_DECAP] / r->med[TC_STRIP] : 0,
		       r->min[TC_STRIP] > 0 ? (double)r->min[TC_DECAP] / r->min[TC_STRIP] : 0);
	}
	printf("(d/s-min: the decap's fastest run over the strip's fastest run.)\n");
	printf("\nPath per decap class over %llu iterations of each program:\n",
	       (unsigned long long)rp->o->runs * rp->o->repeat);
	for (i = 0; i < N_DECAP_CLASSES; i++) {
		r = &rp->dres[i];
		if (!rp->dsel[i])
			continue;
		printf("  %-13s decap counted %s=%llu (rx %llu), strip met the encapsulated packet "
		       "%llu times, out %u -> %u bytes%s%s\n      %s\n",
		       decap_classes[i].name, decap_stat_name(DECAP_STAT_DECAP),
		       (unsigned long long)r->counters[DECAP_STAT_DECAP],
		       (unsigned long long)r->counters[DECAP_STAT_RX],
		       (unsigned long long)r->strip_seen, r->in_len, r->out_len,
		       r->exact[TC_DECAP] && r->exact[TC_STRIP] ? ", exactly the inner packet" :
								  ", NOT the inner packet",
		       r->proved ? " (proved)" : " (NOT proved)", decap_classes[i].what);
	}
}

_Static_assert(LB_CONN_WAYS == 4, "print_text() says sets of 4 slots");

static void print_text(const struct micro_report *rp)
{
	const struct class_result *r;
	const struct micro_class *cl;
	char a[128], b[128];
	int i;

	printf("dsrlab bench --micro: kernel %s, CPU %d, BPF_PROG_RUN %u iterations x %d runs,\n"
	       "median ns/packet. Every iteration restores the original packet (micro_wrap),\n"
	       "reads its header back (as a driver has before XDP runs) and tail-calls the\n"
	       "program; the stub is the same wrapper tail-calling XDP_TX.\n"
	       "Connection table: %s of %u entries.\n\n",
	       rp->kernel, rp->cpu, rp->o->repeat, rp->o->runs,
	       rp->o->conn_kind == CONN_KIND_SETS   ? "sets of 4 slots, two sets per flow" :
	       rp->o->conn_kind == CONN_KIND_PERCPU ? "LRU hash with per-CPU LRU lists" :
						      "LRU hash with common LRU lists",
	       rp->o->conn_table ? rp->o->conn_table : LB_CONN_TABLE_SIZE);
	/* Only what this run measured: comparisons with other balancers are made outside. */
	if (!any(rp->sel, N_CLASSES))
		goto decap;
	printf("%-17s %8s %6s %7s %6s %10s\n", "class", "balancer", "stub", "above", "ratio",
	       "above-min");
	for (i = 0; i < N_CLASSES; i++) {
		r = &rp->res[i];
		if (rp->sel[i])
			printf("%-17s %8.1f %6.1f %7.1f %6.2f %10d\n", classes[i].name, r->bal,
			       r->stub, r->bal - r->stub, r->stub > 0 ? r->bal / r->stub : 0,
			       r->bal_min - r->stub_min);
	}
	printf("(above-min: the balancer's fastest run minus the stub's fastest run.)\n");
	print_floor_text(rp);
	printf("\nPath per class, from the balancer's counters over %llu iterations each:\n",
	       (unsigned long long)rp->o->runs * rp->o->repeat);
	for (i = 0; i < N_CLASSES; i++) {
		if (!rp->sel[i])
			continue;
		cl = &classes[i];
		r = &rp->res[i];
		path_str(r->path, a, sizeof(a));
		printf("  %-17s %s, %s", cl->name, a, verdict_name(r->verdict));
		if (r->proved)
			printf(" (intended: proved)");
		else if (!r->consistent)
			printf(" (NOT every iteration took one path: %s)",
			       mixed_str(r, b, sizeof(b)));
		else
			printf(" (intended %s, %s: not taken)",
			       path_str(cl->intended, b, sizeof(b)), verdict_name(cl->verdict));
		if (r->verdict == XDP_TX)
			printf(", out %u -> %u bytes%s", r->in_len, r->out_len,
			       r->inner_intact ? ", original intact inside" : ", NOT the original");
		printf("\n      %s\n", cl->what);
	}
decap:
	if (any(rp->dsel, N_DECAP_CLASSES))
		print_decap_text(rp);
	printf("\nWrapper failures (XDP and TC): restore %llu, tail call %llu.\n",
	       (unsigned long long)rp->restore_failed, (unsigned long long)rp->tail_call_failed);
	for (i = 0; i < N_MAGLEV && rp->msel; i++)
		printf("Maglev build, %d slots x %d backends: median %.2f ms of %d runs.\n",
		       LB_RING_SIZE_DEFAULT, rp->maglev[i].backends, rp->maglev[i].median,
		       MAGLEV_RUNS);
}

static json_t *json_ints(const int *v, int n)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *json_path(__u32 bits)
{
	json_t *a = json_array();
	int i, s;

	for (i = 0; i < LB_STAT_MAX; i++)
		if (bits & STAT_BIT(s = stat_at(i)))
			json_array_append_new(a, json_string(lb_stat_name(s)));
	return a;
}

/* x rounded to `decimals` places (1 or 3), as the document has always given it. */
static json_t *json_fixed(double x, int decimals)
{
	double scale = decimals == 3 ? 1000 : 10;

	return json_real(round(x * scale) / scale);
}

static json_t *class_json(const struct micro_class *cl, const struct class_result *r, int n)
{
	json_t *o, *counters = json_object();
	int s;

	for (s = 0; s < LB_STAT_MAX; s++)
		json_object_set_new(counters, lb_stat_name(s), json_integer(r->counters[s]));
	o = json_pack("{s:s, s:s, s:o, s:s, s:o, s:s, s:b, s:b, s:I, s:o, s:i, s:i, s:b}", "name",
		      cl->name, "what", cl->what, "intended", json_path(cl->intended),
		      "intended_verdict", verdict_name(cl->verdict), "path", json_path(r->path),
		      "verdict", verdict_name(r->verdict), "proved", r->proved, "consistent",
		      r->consistent, "iterations", (json_int_t)r->iterations, "counters", counters,
		      "in_len", r->in_len, "out_len", r->out_len, "inner_intact", r->inner_intact);
	json_object_set_new(o, "balancer_ns", json_fixed(r->bal, 1));
	json_object_set_new(o, "stub_ns", json_fixed(r->stub, 1));
	json_object_set_new(o, "above_stub_ns", json_fixed(r->bal - r->stub, 1));
	json_object_set_new(o, "ratio", json_fixed(r->stub > 0 ? r->bal / r->stub : 0, 3));
	json_object_set_new(o, "balancer_min_ns", json_integer(r->bal_min));
	json_object_set_new(o, "stub_min_ns", json_integer(r->stub_min));
	json_object_set_new(o, "above_stub_min_ns", json_integer(r->bal_min - r->stub_min));
	json_object_set_new(o, "balancer_runs_ns", json_ints(r->bal_ns, n));
	if (cl->flags & MF_DEL_CONN) {
		json_object_set_new(o, "insert_floor_ns", json_fixed(r->floor, 1));
		json_object_set_new(o, "insert_floor_min_ns", json_integer(r->floor_min));
		json_object_set_new(o, "insert_floor_runs_ns", json_ints(r->floor_ns, n));
		json_object_set_new(o, "insert_floor_proved", json_boolean(r->floor_proved));
	}
	json_object_set_new(o, "stub_runs_ns", json_ints(r->stub_ns, n));
	return o;
}

static json_t *decap_json(const struct decap_class *dc, const struct decap_result *r, int n)
{
	json_t *o, *counters = json_object(), *restored = json_object(), *exact = json_object();
	int s;

	for (s = 0; s < DECAP_STAT_MAX; s++)
		json_object_set_new(counters, decap_stat_name(s), json_integer(r->counters[s]));
	for (s = 0; s < TC_PROGS; s++) {
		json_object_set_new(restored, tc_prog_names[s], json_integer(r->restored[s]));
		json_object_set_new(exact, tc_prog_names[s], json_boolean(r->exact[s]));
	}
	o = json_pack("{s:s, s:s, s:I, s:o, s:I, s:o, s:o, s:i, s:i, s:b}", "name", dc->name,
		      "what", dc->what, "iterations", (json_int_t)r->iterations, "counters",
		      counters, "strip_seen", (json_int_t)r->strip_seen, "restored", restored,
		      "output_exact", exact, "in_len", r->in_len, "out_len", r->out_len, "proved",
		      r->proved);
	for (s = 0; s < TC_PROGS; s++) {
		char key[32];

		snprintf(key, sizeof(key), "%s_ns", tc_prog_names[s]);
		json_object_set_new(o, key, json_fixed(r->med[s], 1));
		snprintf(key, sizeof(key), "%s_min_ns", tc_prog_names[s]);
		json_object_set_new(o, key, json_integer(r->min[s]));
		snprintf(key, sizeof(key), "%s_runs_ns", tc_prog_names[s]);
		json_object_set_new(o, key, json_ints(r->ns[s], n));
	}
	json_object_set_new(
		o, "decap_over_strip",
		json_fixed(r->med[TC_STRIP] > 0 ? r->med[TC_DECAP] / r->med[TC_STRIP] : 0, 3));
	json_object_set_new(
		o, "decap_over_strip_min",
		json_fixed(r->min[TC_STRIP] > 0 ? (double)r->min[TC_DECAP] / r->min[TC_STRIP] : 0,
			   3));
	return o;
}

static json_t *maglev_json(const struct maglev_result *m)
{
	json_t *runs = json_array();
	int i;

	for (i = 0; i < MAGLEV_RUNS; i++)
		json_array_append_new(runs, json_fixed(m->ms[i], 3));
	return json_pack("{s:i, s:i, s:o, s:o}", "ring_size", LB_RING_SIZE_DEFAULT, "backends",
			 m->backends, "build_ms", json_fixed(m->median, 3), "runs_ms", runs);
}

static void print_json(const struct micro_report *rp)
{
	json_t *doc, *classes_a = json_array(), *decap_a = json_array(), *maglev_a = json_array();
	int i;

	for (i = 0; i < N_CLASSES; i++)
		if (rp->sel[i])
			json_array_append_new(classes_a,
					      class_json(&classes[i], &rp->res[i], rp->o->runs));
	for (i = 0; i < N_DECAP_CLASSES; i++)
		if (rp->dsel[i])
			json_array_append_new(
				decap_a, decap_json(&decap_classes[i], &rp->dres[i], rp->o->runs));
	for (i = 0; i < N_MAGLEV && rp->msel; i++)
		json_array_append_new(maglev_a, maglev_json(&rp->maglev[i]));
	doc = json_pack(
		"{s:i, s:s, s:i, s:i, s:i, s:i, s:s, s:I, s:I, s:o}", "version", 1, "kernel",
		rp->kernel, "cpu", rp->cpu, "runs", rp->o->runs, "repeat", rp->o->repeat,
		"conn_table_entries", rp->o->conn_table ? rp->o->conn_table : LB_CONN_TABLE_SIZE,
		"method",
		"BPF_PROG_RUN; micro_wrap restores the original packet, reads its first 128 "
		"bytes back, then tail-calls the balancer or an XDP_TX stub; medians and minima "
		"of the runs, ns/packet",
		"restore_failed", (json_int_t)rp->restore_failed, "tail_call_failed",
		(json_int_t)rp->tail_call_failed, "classes", classes_a);
	json_object_set_new(doc, "decap_classes", decap_a);
	json_object_set_new(doc, "maglev", maglev_a);
	json_object_set_new(doc, "conn_table_kind", json_string(conn_kind_name(rp->o->conn_kind)));
	if (rp->o->only)
		json_object_set_new(doc, "only", json_string(rp->o->only));
	if (doc)
		json_dumpf(doc, stdout, JSON_COMPACT | JSON_REAL_PRECISION(15));
	printf("\n");
	json_decref(doc);
}

/* Stay on one CPU: the counters are per CPU and the timings should not migrate. */
static int pin_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -1;
	return cpu;
}

int micro_bench(const struct micro_opts *o)
{
	struct micro_report *rp;
	struct micro_env e;
	struct utsname u;
	int i, err, code = EXIT_PASS;

	if (o->runs < 1 || o->runs > MICRO_MAX_RUNS || o->repeat < 1) {
		fprintf(stderr, "dsrlab: bench --micro: --runs 1..%d, --repeat at least 1\n",
			MICRO_MAX_RUNS);
		return EXIT_USAGE;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "dsrlab: bench needs root (BPF_PROG_RUN)\n");
		return EXIT_SKIPPED;
	}
	rp = calloc(1, sizeof(*rp));
	if (!rp)
		return EXIT_SETUP;
	rp->o = o;
	if (only_select(o->only, rp)) {
		free(rp);
		return EXIT_USAGE;
	}
	rp->cpu = pin_cpu();
	uname(&u);
	snprintf(rp->kernel, sizeof(rp->kernel), "%s", u.release);
	if (env_open(&e, o)) {
		free(rp);
		return EXIT_SETUP;
	}
	for (i = 0; i < N_CLASSES; i++) {
		if (!rp->sel[i])
			continue;
		err = measure_class(&e, &classes[i], o, &rp->res[i]);
		if (err) {
			code = EXIT_SETUP;
			goto out;
		}
		if (!rp->res[i].consistent ||
		    ((classes[i].flags & MF_DEL_CONN) && !rp->res[i].floor_proved))
			code = EXIT_CHECK_FAILED;
	}
	for (i = 0; i < N_DECAP_CLASSES; i++) {
		if (!rp->dsel[i])
			continue;
		err = measure_decap(&e, &decap_classes[i], o, &rp->dres[i]);
		if (err) {
			code = EXIT_SETUP;
			goto out;
		}
		if (!rp->dres[i].proved)
			code = EXIT_CHECK_FAILED;
	}
	rp->restore_failed = e.wrap->bss->restore_failed;
	rp->tail_call_failed = e.wrap->bss->tail_call_failed;
	if (rp->restore_failed || rp->tail_call_failed)
		code = EXIT_CHECK_FAILED;
	for (i = 0; i < N_MAGLEV && rp->msel; i++) {
		rp->maglev[i].backends = maglev_backends[i];
		if (maglev_time(&rp->maglev[i])) {
			pr_warn("Maglev build over %d backends failed\n", maglev_backends[i]);
			code = EXIT_SETUP;
			goto out;
		}
	}
	if (o->json)
		print_json(rp);
	else
		print_text(rp);
out:
	env_close(&e);
	free(rp);
	return code;
}
