// SPDX-License-Identifier: GPL-2.0
/*
 * The traffic generator's user space: the template frame, loading bpf/gen.bpf.c with it, and
 * BPF_PROG_RUN in live-frames mode from one pinned thread per CPU (bench/gen.h).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench/gen.h"
#include "common/log.h"
#include "common/parse.h"
#include "common/pkt_build.h"
#include "gen.skel.h"

#define GEN_FRAME_MIN 60 /* the shortest Ethernet frame without FCS: NICs pad shorter ones */

struct gen {
	struct gen_bpf *skel;
	__u8 frame[GEN_TEMPLATE_SIZE];
	__u32 frame_len;
	int ncpu; /* possible CPUs */
};

static int outer_family(const struct gen_spec *s)
{
	switch (s->encap) {
	case ENCAP_IPIP:
	case ENCAP_6IN4:
		return FAM_IPV4;
	case ENCAP_IP6IP6:
	case ENCAP_4IN6:
		return FAM_IPV6;
	case ENCAP_GUE:
		return s->outer_src.family;
	}
	return FAM_NONE;
}

static __u32 ip_hlen(int family)
{
	return family == FAM_IPV6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
}

static __u32 encap_len(const struct gen_spec *s)
{
	if (s->encap == ENCAP_NONE)
		return 0;
	return ip_hlen(outer_family(s)) + (s->encap == ENCAP_GUE ? sizeof(struct udphdr) : 0);
}

static __u32 l4_hlen(const struct gen_spec *s)
{
	return s->proto == IPPROTO_TCP ? sizeof(struct tcphdr) : sizeof(struct udphdr);
}

__u32 gen_frame_min(const struct gen_spec *s)
{
	__u32 n = ETH_HLEN + encap_len(s) + ip_hlen(s->src.family) + l4_hlen(s) + 8;

	return n < GEN_FRAME_MIN ? GEN_FRAME_MIN : n;
}

static int spec_check(const struct gen_spec *s)
{
	int fam = s->src.family;

	if ((fam != FAM_IPV4 && fam != FAM_IPV6) || s->dst.family != fam) {
		pr_warn("generator: source and destination must be both IPv4 or both IPv6\n");
		return -EINVAL;
	}
	if (s->proto != IPPROTO_UDP && s->proto != IPPROTO_TCP) {
		pr_warn("generator: the protocol must be udp or tcp\n");
		return -EINVAL;
	}
	if (s->encap != ENCAP_NONE &&
	    (s->encap >= ENCAP_MAX || !outer_family(s) || s->outer_src.family != outer_family(s) ||
	     s->outer_dst.family != outer_family(s) ||
	     (s->encap == ENCAP_6IN4 && fam != FAM_IPV6) ||
	     ((s->encap == ENCAP_IPIP || s->encap == ENCAP_4IN6) && fam != FAM_IPV4) ||
	     (s->encap == ENCAP_IP6IP6 && fam != FAM_IPV6))) {
		pr_warn("generator: the outer addresses do not fit the encapsulation\n");
		return -EINVAL;
	}
	if (s->frame_len < gen_frame_min(s) || s->frame_len > GEN_FRAME_MAX) {
		pr_warn("generator: a frame of these headers is %u to %u bytes, not %u\n",
			gen_frame_min(s), GEN_FRAME_MAX, s->frame_len);
		return -EINVAL;
	}
	if (!s->flows || !s->sport) {
		pr_warn("generator: needs at least one flow and a source port above 0\n");
		return -EINVAL;
	}
	return 0;
}

/* Flows vary the source port first, then the source address's last 16 bits. */
static int flows_layout(const struct gen_spec *s, struct gen_layout *lay)
{
	__u32 ports = 65536 - s->sport, addrs;
	const __u8 *a = s->src.bytes + (s->src.family == FAM_IPV6 ? 14 : 2);

	lay->sport_count = s->flows < ports ? s->flows : ports;
	addrs = (s->flows + lay->sport_count - 1) / lay->sport_count;
	lay->saddr_lo = a[0] << 8 | a[1];
	if (lay->saddr_lo + addrs - 1 > 0xffff) {
		pr_warn("generator: %u flows need %u source addresses from the source on; the "
			"last 16 bits of the address would wrap: choose a lower source\n",
			s->flows, addrs);
		return -EINVAL;
	}
	return 0;
}

/* An IP header of family fam from src to dst (protocol and lengths: pkt_finish). */
static __u32 ip_put(struct pkt *p, int fam, const struct ip_addr *src, const struct ip_addr *dst)
{
	struct iphdr *iph;
	__be32 s4, d4;

	if (fam == FAM_IPV6) {
		pkt_ipv6(p, src->bytes, dst->bytes);
		return p->len - sizeof(struct ipv6hdr);
	}
	memcpy(&s4, src->bytes, 4);
	memcpy(&d4, dst->bytes, 4);
	iph = pkt_ipv4(p, s4, d4);
	iph->frag_off = htons(0x4000); /* DF */
	return p->len - sizeof(*iph);
}

/*
 * Built with common/pkt_build.h: every length and checksum comes from pkt_finish(); GUE's
 * outer UDP checksum is then zeroed (RFC 6935/6936: the inner packet keeps its own).
 */
int gen_template_build(const struct gen_spec *s, __u8 *buf, struct gen_layout *lay)
{
	int fam = s->src.family, ofam = outer_family(s);
	__u32 gue = 0, i;
	struct tcphdr *th;
	struct pkt *p;
	__be32 marker;
	int err;

	memset(lay, 0, sizeof(*lay));
	err = spec_check(s);
	if (!err)
		err = flows_layout(s, lay);
	if (err)
		return err;
	p = malloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	pkt_init(p);
	pkt_eth(p, s->dst_mac, s->src_mac);
	if (s->encap != ENCAP_NONE) {
		ip_put(p, ofam, &s->outer_src, &s->outer_dst);
		if (s->encap == ENCAP_GUE) {
			gue = p->len;
			pkt_udp(p, 49152, s->gue_port); /* a balancer takes it from the flow hash */
		}
	}
	lay->inner_l3 = ip_put(p, fam, &s->src, &s->dst);
	lay->encap_len = lay->inner_l3 - ETH_HLEN;
	lay->l4 = p->len;
	if (s->proto == IPPROTO_UDP) {
		pkt_udp(p, s->sport, s->dport);
		lay->l4csum_off = lay->l4 + 6;
	} else {
		th = pkt_tcp(p, s->sport, s->dport, PKT_TCP_ACK);
		th->seq = htonl(1);
		th->ack_seq = htonl(1);
		lay->l4csum_off = lay->l4 + 16;
	}
	lay->payload = p->len;
	lay->sport_off = lay->l4;
	lay->saddr_off = lay->inner_l3 + (fam == FAM_IPV6 ? 8 + 14 : 12 + 2);
	lay->ipcsum_off = fam == FAM_IPV4 ? lay->inner_l3 + 10 : 0;
	pkt_payload(p, s->frame_len - p->len);
	for (i = lay->payload; i < s->frame_len; i++)
		p->data[i] = i & 0xff;
	marker = htonl(GEN_MAGIC);
	memcpy(p->data + lay->payload, &marker, 4);
	marker = htonl(GEN_TAIL);
	memcpy(p->data + s->frame_len - 4, &marker, 4);
	pkt_finish(p);
	if (gue)
		memset(p->data + gue + offsetof(struct udphdr, check), 0, 2);
	memcpy(buf, p->data, s->frame_len);
	free(p);
	return 0;
}

int gen_open(struct gen **out, const struct gen_spec *s)
{
	struct gen_layout lay;
	struct gen *g;
	__u32 key = 0;
	int err;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	err = gen_template_build(s, g->frame, &lay);
	if (err)
		goto fail;
	g->frame_len = s->frame_len;
	g->ncpu = libbpf_num_possible_cpus();
	g->skel = gen_bpf__open();
	if (!g->skel) {
		err = -errno;
		goto fail;
	}
	g->skel->rodata->frame_len = s->frame_len;
	g->skel->rodata->n_flows = s->flows;
	g->skel->rodata->sport_count = lay.sport_count;
	g->skel->rodata->sport_base = s->sport;
	g->skel->rodata->saddr_lo = lay.saddr_lo;
	g->skel->rodata->sport_off = lay.sport_off;
	g->skel->rodata->saddr_off = lay.saddr_off;
	g->skel->rodata->ipcsum_off = lay.ipcsum_off;
	g->skel->rodata->l4csum_off = lay.l4csum_off;
	g->skel->rodata->l4_is_udp = s->proto == IPPROTO_UDP;
	err = gen_bpf__load(g->skel);
	if (err) {
		pr_warn("generator: load bpf/gen.bpf.c: %s\n", strerror(-err));
		goto fail;
	}
	if (bpf_map_update_elem(bpf_map__fd(g->skel->maps.template), &key, g->frame, 0)) {
		err = -errno;
		goto fail;
	}
	*out = g;
	return 0;
fail:
	gen_close(g);
	return err;
}

void gen_close(struct gen *g)
{
	if (!g)
		return;
	gen_bpf__destroy(g->skel);
	free(g);
}

int gen_stats_fd(const struct gen *g)
{
	return bpf_map__fd(g->skel->maps.gen_cpus);
}

/* Every CPU's counters into v[ncpu]. */
static int gen_read(const struct gen *g, struct gen_cpu *v)
{
	__u32 key = 0;

	if (bpf_map_lookup_elem(gen_stats_fd(g), &key, v))
		return -errno;
	return 0;
}

int gen_sent(const struct gen *g, __u64 *sent, __u64 *bytes)
{
	struct gen_cpu *v = calloc(g->ncpu, sizeof(*v));
	int i, err;

	*sent = *bytes = 0;
	if (!v)
		return -ENOMEM;
	err = gen_read(g, v);
	for (i = 0; !err && i < g->ncpu; i++) {
		*sent += v[i].sent;
		*bytes += v[i].bytes;
	}
	free(v);
	return err;
}

static double mono_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct gen_worker {
	struct gen *g;
	const struct gen_opts *o;
	int cpu; /* -1: not pinned */
	__u64 count; /* this thread's exact share; 0: by duration */
	double rate; /* this thread's share of the target, frames/s; 0: max */
	double start, end; /* monotonic, end for a run by duration */
	pthread_t thread;
	int err;
};

/* Frames per BPF_PROG_RUN: about a millisecond's worth when paced, else ~20 ms' worth. */
static __u64 chunk_next(const struct gen_worker *w, __u64 chunk, double took)
{
	if (w->rate > 0) {
		chunk = w->rate / 1000;
		return chunk ? chunk : 1;
	}
	if (took > 0.04 && chunk > 1024)
		return chunk / 2;
	if (took < 0.01 && chunk < (1u << 20))
		return chunk * 2;
	return chunk;
}

static void sleep_until(double t)
{
	struct timespec ts = { (time_t)t, (long)((t - (time_t)t) * 1e9) };

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static void *gen_worker_run(void *arg)
{
	struct gen_worker *w = arg;
	struct xdp_md ctx = { .data_end = w->g->frame_len, .ingress_ifindex = w->o->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = w->g->frame,
		    .data_size_in = w->g->frame_len, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	int fd = bpf_program__fd(w->g->skel->progs.gen);
	__u64 done = 0, chunk = chunk_next(w, 4096, 0.02);
	double t0, now, next;
	cpu_set_t set;

	if (w->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
			w->err = -EINVAL;
			return NULL;
		}
	}
	for (;;) {
		if (w->o->stop && *w->o->stop)
			break;
		now = mono_sec();
		if (w->count ? done >= w->count : now >= w->end)
			break;
		if (w->rate > 0) { /* never ahead of the target, and never past the end */
			next = w->start + done / w->rate;
			if (!w->count && next >= w->end)
				break;
			sleep_until(next);
		}
		opts.repeat = w->count && w->count - done < chunk ? w->count - done : chunk;
		t0 = mono_sec();
		if (bpf_prog_test_run_opts(fd, &opts)) {
			w->err = -errno;
			break;
		}
		done += opts.repeat;
		chunk = chunk_next(w, chunk, mono_sec() - t0);
	}
	return NULL;
}

static void gen_result_fill(struct gen *g, const struct gen_cpu *before,
			    const struct gen_cpu *after, struct gen_result *res)
{
	int i;

	for (i = 0; i < g->ncpu; i++) {
		res->sent += after[i].sent - before[i].sent;
		res->bytes += after[i].bytes - before[i].bytes;
		if (after[i].sent != before[i].sent && res->n_cpus < GEN_MAX_CPUS)
			res->cpus[res->n_cpus++] = i;
	}
	res->pps = res->seconds > 0 ? res->sent / res->seconds : 0;
}

int gen_run(struct gen *g, const struct gen_opts *o, struct gen_result *res)
{
	struct gen_cpu *before = calloc(g->ncpu, sizeof(*before));
	struct gen_cpu *after = calloc(g->ncpu, sizeof(*after));
	int n = o->n_cpus ? o->n_cpus : 1, i, err = -ENOMEM, started = 0;
	struct gen_worker *w = calloc(n, sizeof(*w));
	double t0;

	memset(res, 0, sizeof(*res));
	if (!before || !after || !w)
		goto out;
	if (n > GEN_MAX_CPUS || (!o->count && !o->duration_ms)) {
		err = -EINVAL;
		goto out;
	}
	err = gen_read(g, before);
	if (err)
		goto out;
	t0 = mono_sec();
	for (i = 0; i < n; i++) {
		w[i].g = g;
		w[i].o = o;
		w[i].cpu = o->n_cpus ? o->cpus[i] : -1;
		w[i].count = o->count ? o->count / n + ((__u64)i < o->count % n) : 0;
		w[i].rate = o->rate_pps ? (double)o->rate_pps / n : 0;
		w[i].start = t0;
		w[i].end = t0 + o->duration_ms / 1000.0;
		if (o->count && !w[i].count)
			continue;
		err = -pthread_create(&w[i].thread, NULL, gen_worker_run, &w[i]);
		if (err)
			break;
		started = i + 1;
	}
	for (i = 0; i < started; i++) {
		if (o->count && !w[i].count)
			continue;
		pthread_join(w[i].thread, NULL);
		if (!res->err && w[i].err)
			res->err = w[i].err;
	}
	res->seconds = mono_sec() - t0;
	if (!err)
		err = gen_read(g, after);
	if (!err)
		gen_result_fill(g, before, after, res);
	if (o->rate_pps) {
		res->requested = o->count ? o->count : o->rate_pps * o->duration_ms / 1000;
		res->rate_missed = res->pps < 0.97 * o->rate_pps;
	} else {
		res->requested = o->count;
	}
	if (!err && res->err && res->err != -EINTR) {
		pr_warn("generator: BPF_PROG_RUN (live frames) on ifindex %d: %s\n", o->ifindex,
			strerror(-res->err));
		err = res->err;
	}
out:
	free(before);
	free(after);
	free(w);
	return err;
}
