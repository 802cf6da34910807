// SPDX-License-Identifier: GPL-2.0
/*
 * The throughput bench (bench/throughput.h): floods with the live-frames generator, samples
 * every stage's counters, swaps in the baselines, and compares. Goodput is in
 * bench/throughput_goodput.c, the report and plot in bench/throughput_report.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "bench/throughput.h"
#include "bench/capture.h"
#include "bench/command.h"
#include "bench/drops.h"
#include "bench/observe.h"
#include "bench/micro.h"
#include "bench/roles.h"
#include "bench/sink.h"
#include "bench/topology.h"
#include "common/log.h"
#include "common/netlink.h"
#include "common/parse.h"
#include "baseline.skel.h"
#include "pass.skel.h"

#define TPUT_SINK_PORT 9 /* discard: the decap path's socket sink in the tenant */
#define TPUT_GOAL      0.9
#define TPUT_MAX_CPUS  1024 /* possible CPUs the per-CPU counters are read for */

/* Everything one flood needs: where the generator sends, its frame, where the sink counts. */
struct flood {
	int gen_node;
	char gen_iface[SC_IFNAME_MAX];
	struct gen_spec spec;
	struct sink_spec sink;
	int sink_node; /* the socket sink's node; -1: the XDP sink on a link given by the caller */
	int lb; /* balancer whose counters are stages, -1 */
	int decap_node; /* node whose decap counters are stages, -1 */
	int nic_node; /* a host whose host-nic decap is a stage too, -1 */
};

struct tput {
	struct run_stages *r;
	struct tput_report *t;
	const struct sc_bench *b;
	struct baseline_bpf *base;
	double start; /* monotonic seconds when the bench began */
	int round;
	int ncpu;
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct tput_measure *measure_new(struct tput *x, enum tput_kind kind, const char *name)
{
	struct tput_measure *m;

	if (x->t->n >= TPUT_MAX_MEASURES)
		return NULL;
	m = &x->t->m[x->t->n++];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->round = x->round;
	snprintf(m->name, sizeof(m->name), "%s", name);
	return m;
}

static void xdp_note(struct tput *x, int node, const char *iface, const char *prog,
		     const char *mode)
{
	struct tput_xdp *d;
	int i;

	for (i = 0; i < x->t->n_xdp; i++)
		if (!strcmp(x->t->xdp[i].program, prog))
			return;
	if (x->t->n_xdp >= TPUT_MAX_XDP)
		return;
	d = &x->t->xdp[x->t->n_xdp++];
	snprintf(d->at, sizeof(d->at), "%s:%s", x->r->env->sc->nodes[node].name, iface);
	snprintf(d->program, sizeof(d->program), "%s", prog);
	snprintf(d->mode, sizeof(d->mode), "%s", mode);
}

/* "0,1" from a per-CPU count of packets. */
static void cpus_str(const __u64 *per_cpu, int n, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		if (per_cpu[i])
			off += snprintf(buf + off, len - off, "%s%d", off ? "," : "", i);
}

/* Stage names and their counters, in path order. */
static void stages_name(const struct flood *f, struct tput_measure *m)
{
	int n = 0;

	snprintf(m->stages[n++].name, sizeof(m->stages[0].name), "generator");
	if (f->lb >= 0) {
		snprintf(m->stages[n++].name, sizeof(m->stages[0].name), "balancer-in");
		snprintf(m->stages[n++].name, sizeof(m->stages[0].name), "balancer-tx");
	}
	if (f->nic_node >= 0)
		snprintf(m->stages[n++].name, sizeof(m->stages[0].name), "host-nic-in");
	if (f->decap_node >= 0) {
		snprintf(m->stages[n++].name, sizeof(m->stages[0].name), "decap-in");
		snprintf(m->stages[n++].name, sizeof(m->stages[0].name), "decap-out");
	}
	snprintf(m->stages[n++].name, sizeof(m->stages[0].name), "sink");
	m->n_stages = n;
}

static int stages_read(struct tput *x, const struct flood *f, struct gen *g, struct sink *s,
		       __u64 *v)
{
	struct sink_counter sc[SINK_STAT_MAX];
	struct lb_counter lc[LB_STAT_MAX];
	__u64 d[DECAP_STAT_MAX], bytes;
	int n = 0, err;

	err = gen_sent(g, &v[n++], &bytes);
	if (!err && f->lb >= 0) {
		err = lb_stats_read(x->r->roles->lbs[f->lb].lb, lc);
		v[n++] = lc[LB_STAT_RX].packets;
		v[n++] = lc[LB_STAT_TX_ENCAP].packets;
	}
	if (!err && f->nic_node >= 0) {
		err = decap_stats_read(x->r->roles->decaps[f->nic_node].decap, d);
		v[n++] = d[DECAP_STAT_RX];
	}
	if (!err && f->decap_node >= 0) {
		err = decap_stats_read(x->r->roles->decaps[f->decap_node].decap, d);
		v[n++] = d[DECAP_STAT_RX];
		v[n++] = d[DECAP_STAT_DECAP];
	}
	if (!err)
		err = sink_read(s, sc);
	v[n++] = sc[SINK_STAT_GOOD].packets;
	return err;
}

struct gen_job {
	struct run_stages *r;
	const struct flood *f;
	struct gen *g;
	struct gen_opts o;
	struct gen_result res;
	int err;
	volatile int done;
};

static int gen_here(void *arg)
{
	struct gen_job *j = arg;

	j->o.ifindex = link_index(j->f->gen_iface);
	if (j->o.ifindex < 0)
		return j->o.ifindex;
	return gen_run(j->g, &j->o, &j->res);
}

static void *gen_thread(void *arg)
{
	struct gen_job *j = arg;

	j->err = env_run(j->r->env, j->f->gen_node, gen_here, j);
	j->done = 1;
	return NULL;
}

static void sample_add(struct tput *x, struct tput_measure *m, const __u64 *prev, const __u64 *v,
		       double dt)
{
	int i;

	if (m->n_samples >= TPUT_MAX_SAMPLES || dt <= 0)
		return;
	m->sample_t[m->n_samples] = mono() - x->start;
	for (i = 0; i < m->n_stages; i++)
		m->sample_pps[m->n_samples][i] = (v[i] - prev[i]) / dt;
	m->n_samples++;
}

static int sock_open_here(void *arg)
{
	void **a = arg;
	struct endpoint ep = { .port = TPUT_SINK_PORT, .proto = IPPROTO_UDP };

	ep.addr.family = ((struct sink_spec *)a[1])->inner_family; /* the wildcard address */
	return sink_socket_open(a[0], &ep);
}

/* The lb's per-CPU receive counts, to say where the balancer ran. */
static void lb_cpus(struct tput *x, int k, __u64 *rx)
{
	struct lb_counter(*c)[LB_STAT_MAX] = calloc(x->ncpu, sizeof(*c));
	int i;

	memset(rx, 0, sizeof(rx[0]) * x->ncpu);
	if (c && !lb_stats_read_cpus(x->r->roles->lbs[k].lb, c, x->ncpu))
		for (i = 0; i < x->ncpu; i++)
			rx[i] = c[i][LB_STAT_RX].packets;
	free(c);
}

/* The decap's per-CPU receive counts, to say where it ran. */
static void decap_cpus(struct tput *x, int node, __u64 *rx)
{
	__u32 key = DECAP_STAT_RX;

	memset(rx, 0, sizeof(rx[0]) * x->ncpu);
	if (bpf_map_lookup_elem(decap_stats_fd(x->r->roles->decaps[node].decap), &key, rx))
		memset(rx, 0, sizeof(rx[0]) * x->ncpu);
}

/* A decap stage's CPUs: where its receive counter grew since before. */
static void stage_cpus(struct tput *x, int node, const __u64 *before, struct tput_measure *m,
		       const char *stage)
{
	__u64 now[TPUT_MAX_CPUS];
	int i;

	decap_cpus(x, node, now);
	for (i = 0; i < x->ncpu; i++)
		now[i] -= before[i];
	for (i = 0; i < m->n_stages; i++)
		if (!strcmp(m->stages[i].name, stage))
			cpus_str(now, x->ncpu, m->stages[i].cpus, sizeof(m->stages[i].cpus));
}

/* Generator on its thread, counters sampled here every interval, then the drain. */
static int flood_sample(struct tput *x, const struct flood *f, struct tput_measure *m,
			struct gen *g, struct sink *s)
{
	__u64 v0[TPUT_MAX_STAGES], prev[TPUT_MAX_STAGES], v[TPUT_MAX_STAGES];
	struct gen_job j = { .r = x->r, .f = f, .g = g };
	double tprev, next, interval = x->b->interval_ms / 1000.0;
	pthread_t th;
	int i, err;

	j.o.count = x->b->count;
	j.o.duration_ms = x->b->duration_ms;
	j.o.rate_pps = x->b->rate;
	j.o.stop = (volatile int *)&env_stop;
	j.o.n_cpus = x->b->n_cpus;
	for (i = 0; i < x->b->n_cpus; i++)
		j.o.cpus[i] = x->b->cpus[i];
	err = stages_read(x, f, g, s, v0);
	if (err)
		return err;
	memcpy(prev, v0, sizeof(prev));
	m->t0 = mono() - x->start;
	tprev = mono();
	next = tprev + interval;
	err = -pthread_create(&th, NULL, gen_thread, &j);
	if (err)
		return err;
	while (!j.done) {
		usleep(10000);
		if (mono() < next)
			continue;
		if (!stages_read(x, f, g, s, v)) {
			sample_add(x, m, prev, v, mono() - tprev);
			memcpy(prev, v, sizeof(prev));
		}
		tprev = mono();
		next += interval;
	}
	pthread_join(th, NULL);
	/* the last interval ends with the generator; the drain is for the totals only */
	if (!j.err && mono() - tprev > interval / 10 && !stages_read(x, f, g, s, v))
		sample_add(x, m, prev, v, mono() - tprev);
	usleep(x->b->drain_ms * 1000);
	err = j.err ? j.err : stages_read(x, f, g, s, v);
	if (err)
		return err;
	m->gen = j.res;
	m->rate_target = x->b->rate;
	for (i = 0; i < m->n_stages; i++) {
		m->stages[i].packets = v[i] - v0[i];
		m->stages[i].pps = j.res.seconds > 0 ? m->stages[i].packets / j.res.seconds : 0;
	}
	return 0;
}

#define TPUT_DROPS_READ 256
#define TPUT_SNAPLEN	96 /* headers and the payload's first words: enough to inspect */

/* The kernel's drop counts of every node now, for a before/after difference. */
static int drops_now(struct tput *x, struct drop_count *out)
{
	__u32 inodes[SC_MAX_NODES];
	int i;

	if (!x->r->obs->tracer)
		return 0;
	for (i = 0; i < x->r->env->sc->n_nodes; i++)
		inodes[i] = x->r->env->nodes[i].ns_inode;
	return drops_read(x->r->obs->tracer, inodes, x->r->env->sc->n_nodes, out, TPUT_DROPS_READ);
}

struct ifname_job {
	unsigned int ifindex;
	char *buf;
};

static int ifname_here(void *arg)
{
	struct ifname_job *j = arg;

	return if_indextoname(j->ifindex, j->buf) ? 0 : -errno;
}

static int node_of_inode(const struct run_stages *r, __u32 inode)
{
	int i;

	for (i = 0; i < r->env->sc->n_nodes; i++)
		if (r->env->nodes[i].ns_inode == inode)
			return i;
	return -1;
}

/* What counted between before and after, most first; the socket sink's own drops left out. */
static void drops_diff(struct tput *x, int sink_node, struct tput_measure *m,
		       const struct drop_count *b, int nb, const struct drop_count *a, int na)
{
	char ifname[IF_NAMESIZE + 1];
	__u64 before, d;
	int i, k, node, slot;

	for (i = 0; i < na; i++) {
		for (before = 0, k = 0; k < nb; k++)
			if (b[k].netns == a[i].netns && b[k].ifindex == a[i].ifindex &&
			    !strcmp(b[k].reason, a[i].reason))
				before = b[k].count;
		d = a[i].count - before;
		node = node_of_inode(x->r, a[i].netns);
		if (!d || node < 0 || (node == sink_node && !strcmp(a[i].reason, "SOCKET_FILTER")))
			continue;
		for (slot = m->n_drops; slot > 0 && m->drops[slot - 1].count < d; slot--)
			;
		if (slot >= TPUT_MAX_DROPS)
			continue;
		if (m->n_drops < TPUT_MAX_DROPS)
			m->n_drops++;
		memmove(&m->drops[slot + 1], &m->drops[slot],
			(m->n_drops - 1 - slot) * sizeof(m->drops[0]));
		ifname[0] = '\0';
		if (a[i].ifindex)
			env_run(x->r->env, node, ifname_here,
				&(struct ifname_job){ a[i].ifindex, ifname });
		snprintf(m->drops[slot].at, sizeof(m->drops[slot].at), "%s%s%s",
			 x->r->env->sc->nodes[node].name, ifname[0] ? ":" : "", ifname);
		snprintf(m->drops[slot].reason, sizeof(m->drops[slot].reason), "%s", a[i].reason);
		m->drops[slot].count = d;
	}
}

struct cap_job {
	struct capture **cap;
	const struct sc_capture *sc;
	const char *file;
	char why[256];
};

static int cap_here(void *arg)
{
	struct cap_job *j = arg;

	return capture_start(j->cap, j->sc->at.iface, j->sc->filter, TPUT_SNAPLEN, j->file, j->why,
			     sizeof(j->why));
}

/* The scenario's capture points, snaplen-limited, one file per measurement and point. */
static int caps_start(struct tput *x, struct tput_measure *m, struct capture **caps)
{
	const struct scenario *sc = x->r->env->sc;
	struct cap_job j;
	int i, err;

	for (i = 0; i < sc->n_captures && i < TPUT_MAX_CAPS; i++) {
		struct tput_capture *c = &m->caps[m->n_caps];
		char name[sizeof(m->name)];
		size_t k;

		snprintf(name, sizeof(name), "%s", m->name);
		for (k = 0; name[k]; k++)
			if (name[k] == ' ')
				name[k] = '-';
		snprintf(c->at, sizeof(c->at), "%s:%s", sc->captures[i].at.node,
			 sc->captures[i].at.iface);
		snprintf(c->file, sizeof(c->file), "%s/%s.%s.%s.pcap", x->r->env->outdir, name,
			 sc->captures[i].at.node, sc->captures[i].at.iface);
		snprintf(c->file, sizeof(c->file), "%s/%s.%d.%s.%s.pcap", x->r->env->outdir, name,
			 m->round + 1, sc->captures[i].at.node, sc->captures[i].at.iface);
		j = (struct cap_job){ &caps[m->n_caps], &sc->captures[i], c->file, "" };
		err = env_run(x->r->env, sc->captures[i].at.node_idx, cap_here, &j);
		if (err) {
			snprintf(m->error, sizeof(m->error), "capture at %s: %s", c->at,
				 j.why[0] ? j.why : strerror(-err));
			return err;
		}
		m->n_caps++;
	}
	return 0;
}

static void caps_stop(struct tput_measure *m, struct capture **caps)
{
	struct capture_stats st;
	int i;

	for (i = 0; i < m->n_caps; i++) {
		if (!caps[i])
			continue;
		capture_stop(caps[i], &st);
		caps[i] = NULL;
		m->caps[i].written = st.written;
		m->caps[i].dropped = st.kernel_drop;
	}
}

/* One flood: generator and sink loaded, the sink attached (XDP by its link, or a socket). */
static int flood_run(struct tput *x, const struct flood *f, struct tput_measure *m,
		     int sink_link_fd)
{
	struct sink_counter sc[SINK_STAT_MAX];
	__u64 *lb_before = NULL, *lb_after = NULL, *good = NULL;
	__u64 dc_before[TPUT_MAX_CPUS] = {}, nic_before[TPUT_MAX_CPUS] = {};
	static struct drop_count db[TPUT_DROPS_READ], da[TPUT_DROPS_READ];
	struct capture *caps[TPUT_MAX_CAPS] = {};
	int nb, na;
	struct gen *g = NULL;
	struct sink *s = NULL;
	int err, sock = -1, i;
	void *arg[2];

	stages_name(f, m);
	err = gen_open(&g, &f->spec);
	if (!err)
		err = sink_open(&s, &f->sink);
	if (err)
		goto out;
	if (f->sink_node >= 0) {
		arg[0] = s;
		arg[1] = (void *)&f->sink;
		sock = env_run(x->r->env, f->sink_node, sock_open_here, arg);
		err = sock < 0 ? sock : 0;
	} else if (bpf_link_update(sink_link_fd, sink_xdp_fd(s), NULL)) {
		err = -errno;
	}
	if (err)
		goto out;
	lb_before = calloc(x->ncpu, sizeof(__u64));
	lb_after = calloc(x->ncpu, sizeof(__u64));
	good = calloc(x->ncpu, sizeof(__u64));
	if (!lb_before || !lb_after || !good) {
		err = -ENOMEM;
		goto out;
	}
	if (f->lb >= 0)
		lb_cpus(x, f->lb, lb_before);
	if (f->decap_node >= 0)
		decap_cpus(x, f->decap_node, dc_before);
	if (f->nic_node >= 0)
		decap_cpus(x, f->nic_node, nic_before);
	nb = drops_now(x, db);
	err = caps_start(x, m, caps);
	if (!err)
		err = flood_sample(x, f, m, g, s);
	caps_stop(m, caps);
	if (err)
		goto out;
	na = drops_now(x, da);
	drops_diff(x, f->sink_node, m, db, nb, da, na);
	m->ran = true;
	err = sink_read(s, sc);
	m->good = sc[SINK_STAT_GOOD].packets;
	m->malformed = sc[SINK_STAT_MALFORMED].packets;
	m->other = sc[SINK_STAT_OTHER].packets;
	if (m->malformed)
		x->t->corrupted = true;
	for (i = 0; i < m->gen.n_cpus; i++)
		snprintf(m->stages[0].cpus + strlen(m->stages[0].cpus),
			 sizeof(m->stages[0].cpus) - strlen(m->stages[0].cpus), "%s%d",
			 i ? "," : "", m->gen.cpus[i]);
	if (f->lb >= 0) {
		lb_cpus(x, f->lb, lb_after);
		for (i = 0; i < x->ncpu; i++)
			lb_after[i] -= lb_before[i];
		cpus_str(lb_after, x->ncpu, m->stages[1].cpus, sizeof(m->stages[1].cpus));
		snprintf(m->stages[2].cpus, sizeof(m->stages[2].cpus), "%s", m->stages[1].cpus);
	}
	if (f->nic_node >= 0)
		stage_cpus(x, f->nic_node, nic_before, m, "host-nic-in");
	if (f->decap_node >= 0) {
		stage_cpus(x, f->decap_node, dc_before, m, "decap-in");
		stage_cpus(x, f->decap_node, dc_before, m, "decap-out");
	}
	if (!sink_read_cpus(s, good, x->ncpu))
		cpus_str(good, x->ncpu, m->stages[m->n_stages - 1].cpus, sizeof(m->stages[0].cpus));
out:
	if (err && !m->error[0])
		snprintf(m->error, sizeof(m->error), "%s", strerror(-err));
	if (sock >= 0)
		close(sock);
	free(lb_before);
	free(lb_after);
	free(good);
	gen_close(g);
	sink_close(s);
	return err;
}

static int mac_here(void *arg)
{
	void **a = arg;

	return link_mac(a[0], a[1]);
}

static int node_mac(struct tput *x, int node, const char *iface, __u8 *mac)
{
	void *a[2] = { (void *)iface, mac };

	return env_run(x->r->env, node, mac_here, a);
}

/* The address a flood comes from: a client's, else the generator node's own. */
static const struct ip_prefix *source_addr(struct tput *x, int gen_node, __u8 fam)
{
	const struct ip_prefix *p;
	int i;

	for (i = 0; i < x->r->env->sc->n_nodes; i++)
		if (x->r->env->sc->nodes[i].role == ROLE_CLIENT &&
		    (p = topology_node_addr(&x->r->env->sc->nodes[i], fam)))
			return p;
	return topology_node_addr(&x->r->env->sc->nodes[gen_node], fam);
}

static int spec_base(struct tput *x, struct flood *f, int peer_node, const char *peer_iface,
		     __u8 fam)
{
	const struct ip_prefix *src = source_addr(x, f->gen_node, fam);
	int err;

	if (!src)
		return -EADDRNOTAVAIL;
	err = node_mac(x, f->gen_node, f->gen_iface, f->spec.src_mac);
	if (!err)
		err = node_mac(x, peer_node, peer_iface, f->spec.dst_mac);
	f->spec.src = src->addr;
	f->spec.sport = 1024;
	f->spec.flows = x->b->flows;
	f->spec.frame_len = x->b->frame;
	f->sink.frame_len = x->b->frame;
	f->sink.inner_family = fam;
	f->sink_node = f->lb = f->decap_node = f->nic_node = -1;
	return err;
}

/* What one encapsulation of vip adds, as the sink must accept it. */
static void sink_encap(struct sink_spec *k, const struct sc_vip *v)
{
	__u8 ofam = scenario_vip_underlay(v);

	k->outer_family = ofam;
	k->outer_gue = v->encap == SC_ENCAP_GUE;
	k->gue_port = GUE_PORT_DEFAULT;
	k->encap_len = (ofam == FAM_IPV6 ? 40 : 20) + (k->outer_gue ? 8 : 0);
}

static int iface_of(const struct run_stages *r, int node, const char *name)
{
	int i;

	for (i = 0; i < r->topo->nodes[node].n_ifaces; i++)
		if (!strcmp(r->topo->nodes[node].ifaces[i].name, name))
			return i;
	return -1;
}

static int link_prog_swap(int link_fd, int prog_fd)
{
	return bpf_link_update(link_fd, prog_fd, NULL) ? -errno : 0;
}

static void fail_measure(struct tput_measure *m, const char *why)
{
	char tmp[sizeof(m->error)];

	snprintf(tmp, sizeof(tmp), "%s", why); /* why may be another measure's error */
	if (m && !m->error[0])
		memcpy(m->error, tmp, sizeof(tmp));
}

/*
 * The balancer under flood beside the XDP_TX reflector: the generator sends out of the
 * balancer port's peer, the sink takes the place of the peer's XDP_PASS program.
 */
static void bench_balancer(struct tput *x)
{
	struct run_stages *r = x->r;
	const struct sc_vip *v = &r->env->sc->balancer.vips[0];
	struct tput_measure *mr, *mb;
	struct role_lb *l = &r->roles->lbs[0];
	int lb_node = l->node, i, link, lb_prog, pass_fd, err;
	struct flood f = {};
	char why[256] = "";

	mr = measure_new(x, TPUT_REFLECTOR, "reflector");
	mb = measure_new(x, TPUT_BALANCER, "balancer");
	if (!mr || !mb)
		return;
	i = iface_of(r, lb_node, r->env->sc->balancer.iface);
	if (i < 0 || r->topo->nodes[lb_node].ifaces[i].peer < 0 || l->pass_link_fd < 0) {
		fail_measure(mr, "the balancer's port has no peer in this scenario (a NIC wired "
				 "to another machine): run the generator there");
		fail_measure(mb, mr->error);
		return;
	}
	f.gen_node = r->topo->nodes[lb_node].ifaces[i].peer;
	snprintf(f.gen_iface, sizeof(f.gen_iface), "%s",
		 r->topo->nodes[lb_node].ifaces[i].peer_iface);
	err = spec_base(x, &f, lb_node, r->env->sc->balancer.iface, v->vip.addr.family);
	if (err) {
		snprintf(why, sizeof(why), "generator frame: %s", strerror(-err));
		goto fail;
	}
	f.spec.dst = v->vip.addr;
	f.spec.dport = v->vip.port ? v->vip.port : 80;
	f.spec.proto = v->vip.proto;
	f.sink.proto = v->vip.proto;
	f.sink.dport = f.spec.dport;
	sink_encap(&f.sink, v);
	snprintf(mr->path, sizeof(mr->path),
		 "%s:%s -> %s:%s (XDP_TX reflector) -> sink (XDP) %s:%s",
		 r->env->sc->nodes[f.gen_node].name, f.gen_iface, r->env->sc->nodes[lb_node].name,
		 r->env->sc->balancer.iface, r->env->sc->nodes[f.gen_node].name, f.gen_iface);
	snprintf(mb->path, sizeof(mb->path), "%s:%s -> %s:%s (balancer, %s) -> sink (XDP) %s:%s",
		 r->env->sc->nodes[f.gen_node].name, f.gen_iface, r->env->sc->nodes[lb_node].name,
		 r->env->sc->balancer.iface, xdp_mode_name(l->xdp_mode),
		 r->env->sc->nodes[f.gen_node].name, f.gen_iface);
	xdp_note(x, lb_node, r->env->sc->balancer.iface, "balancer", xdp_mode_name(l->xdp_mode));
	xdp_note(x, lb_node, r->env->sc->balancer.iface, "reflector", xdp_mode_name(l->xdp_mode));
	xdp_note(x, f.gen_node, f.gen_iface, "sink", "native");
	xdp_note(x, f.gen_node, f.gen_iface, "generator", "live-frames");
	link = lb_link_fd(l->lb);
	lb_prog = lb_prog_fd(l->lb);
	if (link < 0 || lb_prog < 0) {
		snprintf(why, sizeof(why), "the balancer has no XDP link of this process");
		goto fail;
	}
	pass_fd = bpf_program__fd(((struct pass_bpf *)l->pass_skel)->progs.xdp_pass);
	/* odd rounds measure the balancer first: drift on a shared machine cancels out */
	if (x->round % 2) {
		f.lb = 0;
		flood_run(x, &f, mb, l->pass_link_fd);
		f.lb = -1;
	}
	err = link_prog_swap(link, bpf_program__fd(x->base->progs.reflect));
	if (!err) {
		flood_run(x, &f, mr, l->pass_link_fd);
		err = link_prog_swap(link, lb_prog);
	}
	if (!err && !(x->round % 2)) {
		f.lb = 0;
		flood_run(x, &f, mb, l->pass_link_fd);
	} else if (err) {
		snprintf(why, sizeof(why), "swap the reflector in and out: %s", strerror(-err));
	}
	link_prog_swap(l->pass_link_fd, pass_fd);
	if (!why[0])
		return;
fail:
	fail_measure(mr, why);
	fail_measure(mb, why);
}

struct tc_swap {
	const char *iface;
	enum decap_at at;
	int prog_fd;
};

/* The no-op replaces decap where it sits (DECAP_TC_HANDLE, _PRIORITY), in one step. */
static int tc_swap_here(void *arg)
{
	struct tc_swap *s = arg;
	int idx = link_index(s->iface);
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = idx,
		    .attach_point =
			    s->at == DECAP_AT_HOST_VETH_EGRESS ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = DECAP_TC_HANDLE, .priority = DECAP_TC_PRIORITY,
		    .prog_fd = s->prog_fd, .flags = BPF_TC_F_REPLACE);

	return idx < 0 ? idx : bpf_tc_attach(&hook, &o);
}

static int decap_restore_here(void *arg)
{
	return decap_replace(arg);
}

/* The host's uplink: its interface whose peer is not one of its containers. */
static int host_uplink(const struct run_stages *r, int h)
{
	const struct topo_node *n = &r->topo->nodes[h];
	const struct sc_node *p;
	int i;

	for (i = 0; i < n->n_ifaces; i++) {
		p = n->ifaces[i].peer < 0 ? NULL : &r->env->sc->nodes[n->ifaces[i].peer];
		if (!p || p->role != ROLE_CONTAINER || p->host_idx != h)
			return i;
	}
	return -1;
}

struct pass_link {
	struct pass_bpf *skel;
	const char *iface;
	int fd;
};

static int pass_here(void *arg)
{
	struct pass_link *p = arg;
	LIBBPF_OPTS(bpf_link_create_opts, o, .flags = XDP_FLAGS_DRV_MODE);
	int idx = link_index(p->iface);

	if (idx < 0)
		return idx;
	p->fd = bpf_link_create(bpf_program__fd(p->skel->progs.xdp_pass), idx, BPF_XDP, &o);
	return p->fd < 0 ? -errno : 0;
}

/* Where the decap path's floods enter, what they carry, and the tenant they are for. */
struct decap_path {
	const struct sc_vip *v;
	int c, h; /* the VIP's first backend and its host */
	struct flood f;
	struct pass_link pass; /* XDP_PASS on the host's uplink, when it is a veth */
};

static int decap_path_init(struct tput *x, struct decap_path *p, char *why, size_t len)
{
	struct run_stages *r = x->r;
	const struct ip_prefix *tenant;
	int u, err;
	__u8 ofam;

	p->v = &r->env->sc->balancer.vips[0];
	p->pass.fd = -1;
	p->c = p->v->backend_idx[0];
	p->h = r->env->sc->nodes[p->c].host_idx;
	u = p->h < 0 ? -1 : host_uplink(r, p->h);
	if (u < 0 || r->topo->nodes[p->h].ifaces[u].peer < 0) {
		snprintf(why, len, "the backend host's uplink has no peer in this scenario");
		return -ENOENT;
	}
	p->f.gen_node = r->topo->nodes[p->h].ifaces[u].peer;
	snprintf(p->f.gen_iface, sizeof(p->f.gen_iface), "%s",
		 r->topo->nodes[p->h].ifaces[u].peer_iface);
	err = spec_base(x, &p->f, p->h, r->topo->nodes[p->h].ifaces[u].name, p->v->vip.addr.family);
	ofam = scenario_vip_underlay(p->v);
	tenant = topology_node_addr(&r->env->sc->nodes[p->c], ofam);
	if (err || !tenant) {
		snprintf(why, len, "decap flood frame: %s",
			 err ? strerror(-err) : "the tenant has no underlay address");
		return err ? err : -EADDRNOTAVAIL;
	}
	p->f.spec.proto = p->f.sink.proto = IPPROTO_UDP;
	p->f.spec.dport = p->f.sink.dport = TPUT_SINK_PORT;
	p->f.spec.outer_src = ofam == FAM_IPV6 ? r->roles->lb_src6[0] : r->roles->lb_src[0];
	p->f.spec.outer_dst = tenant->addr;
	p->f.spec.gue_port = GUE_PORT_DEFAULT;
	p->f.sink_node = p->c;
	xdp_note(x, p->f.gen_node, p->f.gen_iface, "generator", "live-frames");
	if (r->topo->nodes[p->h].ifaces[u].nic[0])
		return 0; /* a NIC delivers what it receives; a veth only to an XDP program */
	p->pass.skel = pass_bpf__open_and_load();
	p->pass.iface = r->topo->nodes[p->h].ifaces[u].name;
	err = p->pass.skel ? env_run(r->env, p->h, pass_here, &p->pass) : -errno;
	if (err)
		snprintf(why, len, "XDP pass on the host's uplink: %s", strerror(-err));
	else
		xdp_note(x, p->h, p->pass.iface, "pass", "native");
	return err;
}

static void decap_path_fini(struct decap_path *p)
{
	if (p->pass.fd >= 0)
		close(p->pass.fd);
	pass_bpf__destroy(p->pass.skel);
}

/* Encapsulated frames to the tenant through whatever decap is attached now. */
static void flood_decap(struct tput *x, struct decap_path *p, struct tput_measure *m)
{
	struct run_stages *r = x->r;
	struct flood f = p->f;
	__u32 el;

	f.decap_node = r->roles->decaps[p->c].decap ? p->c :
		       r->roles->decaps[p->h].decap ? p->h :
						      -1;
	f.nic_node = r->roles->decaps[p->c].decap && r->roles->decaps[p->h].decap ? p->h : -1;
	if (f.decap_node < 0) {
		fail_measure(m, "no decap is attached for the tenant");
		return;
	}
	f.spec.encap = scenario_encap_type(p->v->encap);
	f.spec.dst = p->v->vip.addr;
	el = (f.spec.outer_dst.family == FAM_IPV6 ? 40 : 20) + (f.spec.encap == ENCAP_GUE ? 8 : 0);
	f.spec.frame_len = x->b->frame + el;
	snprintf(m->path, sizeof(m->path),
		 "%s:%s -> %s (%sroutes) -> decap %s at %s:%s -> UDP socket sink in %s",
		 r->env->sc->nodes[f.gen_node].name, f.gen_iface, r->env->sc->nodes[p->h].name,
		 f.nic_node >= 0 ? "host-nic strict decap on its uplink passes it, " : "",
		 decap_at_name(r->roles->decaps[f.decap_node].at),
		 r->env->sc->nodes[r->roles->decaps[f.decap_node].node].name,
		 r->roles->decaps[f.decap_node].iface, r->env->sc->nodes[p->c].name);
	flood_run(x, &f, m, -1);
}

/* Plain frames to the tenant's own address with a no-op TC program in the decap's place. */
static void flood_tc_noop(struct tput *x, struct decap_path *p, struct tput_measure *m)
{
	struct run_stages *r = x->r;
	struct role_decap *n = &r->roles->decaps[p->c];
	const struct ip_prefix *own =
		topology_node_addr(&r->env->sc->nodes[p->c], p->v->vip.addr.family);
	struct tc_swap s = { n->iface, n->at, bpf_program__fd(x->base->progs.tc_ok) };
	struct flood f = p->f;
	int err;

	if (!n->decap || !own) {
		fail_measure(m, !n->decap ? "the tenant has no decap of its own to stand beside" :
					    "the tenant has no address of the VIP's family");
		return;
	}
	f.spec.dst = own->addr;
	snprintf(m->path, sizeof(m->path),
		 "%s:%s -> %s (routes) -> no-op TC at %s:%s (%s) -> UDP socket sink in %s",
		 r->env->sc->nodes[f.gen_node].name, f.gen_iface, r->env->sc->nodes[p->h].name,
		 r->env->sc->nodes[n->node].name, n->iface, decap_at_name(n->at),
		 r->env->sc->nodes[p->c].name);
	err = env_run(r->env, n->node, tc_swap_here, &s);
	if (err) {
		snprintf(m->error, sizeof(m->error), "swap the no-op TC program in: %s",
			 strerror(-err));
		return;
	}
	flood_run(x, &f, m, -1);
	err = env_run(r->env, n->node, decap_restore_here, n->decap);
	if (err)
		env_fail(r->env, err, "put the decap back after the no-op TC baseline");
}

static const char *point_label(enum decap_at at)
{
	switch (at) {
	case DECAP_AT_HOST_VETH_EGRESS:
		return "decap host-veth-egress";
	case DECAP_AT_CONTAINER_INGRESS:
		return "decap container-ingress";
	case DECAP_AT_HOST_NIC:
		return "decap host-nic strict";
	default:
		return "decap";
	}
}

/* The two points the scenario does not use, one after the other, same traffic. */
static void bench_attach_points(struct tput *x, struct decap_path *p)
{
	static const enum decap_at points[] = { DECAP_AT_HOST_VETH_EGRESS,
						DECAP_AT_CONTAINER_INGRESS, DECAP_AT_HOST_NIC };
	struct run_stages *r = x->r;
	enum decap_at now = r->roles->decaps[p->c].at;
	bool nic_now = r->roles->decaps[p->h].decap != NULL;
	bool c_had = r->roles->decaps[p->c].decap != NULL;
	struct tput_measure *m;
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		if (nic_now ? points[i] == DECAP_AT_HOST_NIC : points[i] == now)
			continue;
		m = measure_new(x, TPUT_DECAP, point_label(points[i]));
		if (!m)
			return;
		if (points[i] == DECAP_AT_HOST_NIC) /* strict: tenant traffic routes on */
			err = roles_decap_move(r->roles, p->c, DECAP_AT_HOST_VETH_EGRESS) ?:
				      roles_decap_move(r->roles, p->h, DECAP_AT_HOST_NIC);
		else
			err = roles_decap_move(r->roles, p->h, -1) ?:
				      roles_decap_move(r->roles, p->c, points[i]);
		if (err) {
			snprintf(m->error, sizeof(m->error), "attach the decap there: %s",
				 r->env->error[0] ? r->env->error : strerror(-err));
			continue;
		}
		flood_decap(x, p, m);
	}
	/* the scenario's own placement back, for the next round: host-nic as it was (strict
	 * or the legacy design), the container's decap where it was, or none */
	if (nic_now)
		err = roles_decap_move(r->roles, p->c, c_had ? (int)now : -1) ?:
			      roles_decap_move_as(r->roles, p->h, DECAP_AT_HOST_NIC,
						  r->env->sc->backend.strict);
	else
		err = roles_decap_move(r->roles, p->h, -1) ?: roles_decap_move(r->roles, p->c, now);
	if (err)
		env_fail(r->env, -EIO, "put the scenario's decap back after the attach points");
}

static void bench_decap(struct tput *x)
{
	struct tput_measure *mn, *md;
	struct decap_path p = {};
	char why[256] = "";
	struct run_stages *r = x->r;

	mn = measure_new(x, TPUT_TC_NOOP, "tc-noop");
	md = measure_new(x, TPUT_DECAP, "decap");
	if (!mn || !md)
		return;
	if (decap_path_init(x, &p, why, sizeof(why))) {
		fail_measure(mn, why);
		fail_measure(md, why);
		decap_path_fini(&p);
		return;
	}
	if (r->roles->decaps[p.c].decap || r->roles->decaps[p.h].decap) /* after its point */
		snprintf(md->name, sizeof(md->name), "%s",
			 r->roles->decaps[p.h].decap ? point_label(DECAP_AT_HOST_NIC) :
						       point_label(r->roles->decaps[p.c].at));
	if (x->round % 2) { /* odd rounds: the decap first */
		flood_decap(x, &p, md);
		flood_tc_noop(x, &p, mn);
	} else {
		flood_tc_noop(x, &p, mn);
		flood_decap(x, &p, md);
	}
	if (r->roles->decaps[p.c].decap || r->roles->decaps[p.h].decap)
		snprintf(md->name, sizeof(md->name), "%s",
			 r->roles->decaps[p.h].decap ? point_label(DECAP_AT_HOST_NIC) :
						       point_label(r->roles->decaps[p.c].at));
	decap_path_fini(&p);
}

/* iperf3's -J document: receiver bits/s and the sender's retransmissions. */
static int iperf3_parse(const char *file, struct tput_measure *m)
{
	json_error_t jerr;
	json_t *root = json_load_file(file, 0, &jerr), *end, *rx, *tx, *e;

	if (!root) {
		snprintf(m->error, sizeof(m->error), "iperf3 -J output %s: %s (line %d)", file,
			 jerr.text, jerr.line);
		return -EINVAL;
	}
	e = json_object_get(root, "error");
	end = json_object_get(root, "end");
	rx = json_object_get(end, "sum_received");
	tx = json_object_get(end, "sum_sent");
	if (json_is_string(e) || !json_is_number(json_object_get(rx, "bits_per_second"))) {
		snprintf(m->error, sizeof(m->error), "iperf3: %s",
			 json_is_string(e) ? json_string_value(e) : "no end.sum_received in -J");
		json_decref(root);
		return -EINVAL;
	}
	m->mbps = json_number_value(json_object_get(rx, "bits_per_second")) / 1e6;
	m->seconds = json_number_value(json_object_get(rx, "seconds"));
	m->retransmits = json_integer_value(json_object_get(tx, "retransmits"));
	json_decref(root);
	m->ran = true;
	return 0;
}

static void iperf3_client(struct tput *x, int client, const struct ip_addr *to, int port,
			  struct tput_measure *m)
{
	static struct drop_count db[TPUT_DROPS_READ], da[TPUT_DROPS_READ];
	int nb;
	char cmd[256], a[ADDR_STRLEN];
	struct command *c;
	int secs = x->b->duration_ms < 1000 ? 1 : x->b->duration_ms / 1000, status = -1, err;

	snprintf(m->log, sizeof(m->log), "%s/%s.iperf3-%s.json", x->r->env->outdir,
		 x->r->env->sc->nodes[client].name, m->name);
	snprintf(m->log, sizeof(m->log), "%s/%s.iperf3-%s.%d.json", x->r->env->outdir,
		 x->r->env->sc->nodes[client].name, m->name, m->round + 1);
	snprintf(cmd, sizeof(cmd), "exec iperf3 -c %s -p %d -t %d -J", addr_str(to, a, sizeof(a)),
		 port, secs);
	err = command_start(&c, x->r->env, client, x->r->env->outdir, m->log, cmd, NULL);
	if (err) {
		snprintf(m->error, sizeof(m->error), "start iperf3: %s", strerror(-err));
		return;
	}
	nb = drops_now(x, db);
	err = command_wait(c, (secs + 20) * 1000, &status);
	drops_diff(x, -1, m, db, nb, da, drops_now(x, da));
	command_stop(c);
	if (err || status) {
		snprintf(m->error, sizeof(m->error), "iperf3 -c %s exited %d (%s)", a, status,
			 m->log);
		iperf3_parse(m->log, m); /* its own error message, when it wrote one */
		m->ran = false;
		return;
	}
	iperf3_parse(m->log, m);
}

/* A TCP VIP with a port on which its first backend runs no TCP service: iperf3 -s goes there. */
static bool goodput_vip(const struct scenario *sc, const struct sc_vip *v)
{
	int i;

	if (v->vip.proto != IPPROTO_TCP || !v->vip.port)
		return false;
	for (i = 0; i < sc->n_services; i++)
		if (sc->services[i].node_idx == v->backend_idx[0] &&
		    sc->services[i].listen.proto == IPPROTO_TCP &&
		    sc->services[i].listen.port == v->vip.port)
			return false;
	return true;
}

/* TCP goodput with iperf3, client to the VIP (through DSR) and to the tenant (direct). */
static void bench_goodput(struct tput *x)
{
	struct run_stages *r = x->r;
	const struct sc_vip *v = NULL;
	const struct ip_prefix *own = NULL;
	struct tput_measure *md, *mx;
	struct command *srv = NULL;
	char log[PATH_MAX + 64], err_s[256] = "", cmd[64];
	int i, c = -1, client = -1, err;

	md = measure_new(x, TPUT_GOODPUT, "goodput-dsr");
	mx = measure_new(x, TPUT_GOODPUT, "goodput-direct");
	if (!md || !mx)
		return;
	for (i = 0; !v && i < r->env->sc->balancer.n_vips; i++)
		if (goodput_vip(r->env->sc, &r->env->sc->balancer.vips[i]))
			v = &r->env->sc->balancer.vips[i];
	for (i = 0; client < 0 && i < r->env->sc->n_nodes; i++)
		if (r->env->sc->nodes[i].role == ROLE_CLIENT)
			client = i;
	if (v) {
		c = v->backend_idx[0];
		own = topology_node_addr(&r->env->sc->nodes[c], v->vip.addr.family);
	}
	if (!v || client < 0 || !own) {
		snprintf(
			err_s, sizeof(err_s), "%s",
			!v ? "no TCP VIP with a port its backend serves nothing on: iperf3 -s needs one" :
			client < 0 ? "no client node to run iperf3 -c in" :
				     "the tenant has no address of the VIP's family");
		goto out;
	}
	snprintf(log, sizeof(log), "%s/%s.iperf3-server.log", r->env->outdir,
		 r->env->sc->nodes[c].name);
	snprintf(cmd, sizeof(cmd), "exec iperf3 -s -p %d", v->vip.port);
	err = command_start(&srv, r->env, c, r->env->outdir, log, cmd, NULL);
	if (!err)
		err = command_wait_listening(srv, r->env, c, v->vip.port, 5000, err_s,
					     sizeof(err_s));
	if (err) {
		if (!err_s[0])
			snprintf(err_s, sizeof(err_s), "start iperf3 -s: %s", strerror(-err));
		goto out;
	}
	if (x->round % 2) { /* odd rounds: the direct path first */
		iperf3_client(x, client, &own->addr, v->vip.port, mx);
		iperf3_client(x, client, &v->vip.addr, v->vip.port, md);
	} else {
		iperf3_client(x, client, &v->vip.addr, v->vip.port, md);
		iperf3_client(x, client, &own->addr, v->vip.port, mx);
	}
	snprintf(md->path, sizeof(md->path),
		 "iperf3 from %s to the VIP (through the balancer), "
		 "served by %s",
		 r->env->sc->nodes[client].name, r->env->sc->nodes[c].name);
	snprintf(mx->path, sizeof(mx->path), "iperf3 from %s to %s's own address (no balancer)",
		 r->env->sc->nodes[client].name, r->env->sc->nodes[c].name);
out:
	command_stop(srv);
	fail_measure(md, err_s);
	fail_measure(mx, err_s);
}

static const struct tput_measure *final_stage_of(const struct tput_measure *m, double *v)
{
	*v = m->kind == TPUT_GOODPUT ? m->mbps : m->stages[m->n_stages - 1].pps;
	return m;
}

/* Where packets wait or die in measure m, from its stages (and, if none lost, the CPUs). */
static void bottleneck(const struct tput_measure *m, const struct tput_measure *base, char *buf,
		       size_t len)
{
	__u64 lost, worst = 0;
	int i, at = -1;

	if (m->kind == TPUT_GOODPUT) {
		int n = snprintf(
			buf, len,
			"%.1f Mbit/s through DSR with %lld retransmissions against %.1f Mbit/s "
			"direct with %lld: %s",
			m->mbps, m->retransmits, base->mbps, base->retransmits,
			m->retransmits > base->retransmits ?
				"segments are lost on the DSR path" :
				"no more loss than direct: the extra per-packet work (encapsulation, "
				"decapsulation) on a shared CPU is what waits");

		for (i = 0; i < m->n_drops && n > 0 && (size_t)n < len; i++)
			n += snprintf(buf + n, len - n, "%s%s at %s: %llu",
				      i ? ", " : "; kernel drops meanwhile: ", m->drops[i].reason,
				      m->drops[i].at, (unsigned long long)m->drops[i].count);
		return;
	}
	for (i = 1; i < m->n_stages; i++) {
		lost = m->stages[i - 1].packets > m->stages[i].packets ?
			       m->stages[i - 1].packets - m->stages[i].packets :
			       0;
		if (lost > worst) {
			worst = lost;
			at = i;
		}
	}
	if (at > 0 && worst * 100 > m->stages[0].packets) {
		int n = snprintf(buf, len, "packets die between %s and %s: %llu of %llu (%.1f%%)",
				 m->stages[at - 1].name, m->stages[at].name,
				 (unsigned long long)worst,
				 (unsigned long long)m->stages[at - 1].packets,
				 100.0 * worst / m->stages[at - 1].packets);

		for (i = 0; i < m->n_drops && n > 0 && (size_t)n < len; i++)
			n += snprintf(buf + n, len - n, "%s%s at %s: %llu",
				      i ? ", " : "; kernel: ", m->drops[i].reason, m->drops[i].at,
				      (unsigned long long)m->drops[i].count);
		if (!m->n_drops && n > 0 && (size_t)n < len)
			snprintf(buf + n, len - n,
				 "; no kernel drop reason counted (a ring or "
				 "queue that overflowed counts none)");
		return;
	}
	snprintf(buf, len,
		 "no stage loses packets: they wait at the generator, on CPU %s, where every "
		 "stage of a veth path runs (the receiver's XDP runs in the sender's context); "
		 "%s costs %.0f ns per packet more than %s there",
		 m->stages[0].cpus[0] ? m->stages[0].cpus : "?", m->name,
		 m->stages[m->n_stages - 1].pps > 0 && base->stages[base->n_stages - 1].pps > 0 ?
			 1e9 / m->stages[m->n_stages - 1].pps -
				 1e9 / base->stages[base->n_stages - 1].pps :
			 0.0,
		 base->name);
}

static int measure_index(const struct tput *x, const char *name, int round)
{
	int i;

	for (i = 0; i < x->t->n; i++)
		if (x->t->m[i].round == round && !strcmp(x->t->m[i].name, name))
			return i;
	return -1;
}

/* The ratio of measured over baseline in every round that ran both; the median stands. */
static void compare(struct tput *x, const char *name, const char *measured, const char *baseline)
{
	int mi[TPUT_MAX_ROUNDS], bi[TPUT_MAX_ROUNDS], order[TPUT_MAX_ROUNDS], n = 0, k, j, t;
	struct tput_compare *c;
	double vm, vb;

	for (k = 0; k < x->b->rounds && k < TPUT_MAX_ROUNDS; k++) {
		mi[n] = measure_index(x, measured, k);
		bi[n] = measure_index(x, baseline, k);
		if (mi[n] >= 0 && bi[n] >= 0 && x->t->m[mi[n]].ran && x->t->m[bi[n]].ran)
			n++;
	}
	if (!n || x->t->n_c >= TPUT_MAX_COMPARES)
		return;
	c = &x->t->c[x->t->n_c++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	for (k = 0; k < n; k++) {
		final_stage_of(&x->t->m[mi[k]], &vm);
		final_stage_of(&x->t->m[bi[k]], &vb);
		c->rounds[k] = vb > 0 ? vm / vb : 0;
		order[k] = k;
	}
	c->n_rounds = n;
	for (k = 1; k < n; k++) /* insertion sort of round indexes by ratio */
		for (j = k; j > 0 && c->rounds[order[j - 1]] > c->rounds[order[j]]; j--) {
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	/* the median; of an even count the mean of the middle two, the lower one's measures */
	k = order[(n - 1) / 2];
	c->measured = mi[k];
	c->baseline = bi[k];
	c->ratio = n % 2 ? c->rounds[k] : (c->rounds[k] + c->rounds[order[n / 2]]) / 2;
	c->goal = TPUT_GOAL;
	c->met = c->ratio >= c->goal;
	if (!c->met) {
		char why[sizeof(c->bottleneck)];

		bottleneck(&x->t->m[mi[k]], &x->t->m[bi[k]], why, sizeof(why));
		memcpy(c->bottleneck, why, sizeof(why));
	}
}

static void compare_all(struct tput *x)
{
	const char *points[] = { "decap host-veth-egress", "decap container-ingress",
				 "decap host-nic strict" };
	unsigned int i;

	compare(x, "balancer / reflector", "balancer", "reflector");
	for (i = 0; i < sizeof(points) / sizeof(points[0]); i++)
		compare(x, points[i], points[i], "tc-noop");
	compare(x, "goodput dsr / direct", "goodput-dsr", "goodput-direct");
}

/* One round of every measurement asked for. */
static void bench_round(struct tput *x, unsigned int want)
{
	struct decap_path p = {};
	char why[256];

	if (want & SC_BENCH_BALANCER && !env_stop)
		bench_balancer(x);
	if (want & (SC_BENCH_DECAP | SC_BENCH_ATTACH_POINTS) && !env_stop)
		bench_decap(x);
	/* right after the no-op TC, which they are compared with; the scenario's point back */
	if (want & SC_BENCH_ATTACH_POINTS && !env_stop) {
		if (!decap_path_init(x, &p, why, sizeof(why)))
			bench_attach_points(x, &p);
		decap_path_fini(&p);
	}
	if (want & SC_BENCH_GOODPUT && !env_stop)
		bench_goodput(x);
}

struct micro_job {
	struct micro_opts o;
	int code;
};

/* On a thread of its own: the micro-benchmark pins the thread it runs on. */
static void *micro_thread(void *arg)
{
	struct micro_job *j = arg;

	j->code = micro_bench(&j->o);
	return NULL;
}

/* bench --micro with its JSON into micro.json (its text goes to stderr as with -j). */
static void micro_into(struct tput_report *t, const struct micro_opts *mo)
{
	struct micro_job j = { *mo, EXIT_SETUP };
	int fd, saved;
	pthread_t th;

	j.o.json = true;
	snprintf(t->micro_file, sizeof(t->micro_file), "%s/micro.json", t->r->env->outdir);
	t->micro = true;
	t->micro_code = EXIT_SETUP;
	fflush(stdout);
	fd = open(t->micro_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	saved = dup(STDOUT_FILENO);
	if (fd < 0 || saved < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		if (fd >= 0)
			close(fd);
		if (saved >= 0)
			close(saved);
		return;
	}
	close(fd);
	if (!pthread_create(&th, NULL, micro_thread, &j))
		pthread_join(th, NULL);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	t->micro_code = j.code;
}

static void tput_write(struct tput_report *t, const struct tput_opts *o)
{
	char path[PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bench.json", t->r->env->outdir);
	f = fopen(path, "w");
	if (f) {
		tput_report_json(t, f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/bench.txt", t->r->env->outdir);
	f = fopen(path, "w");
	if (f) {
		tput_report_text(t, f);
		fclose(f);
	}
	if (o->json)
		tput_report_json(t, stdout);
	tput_report_text(t, o->json ? stderr : stdout);
}

static int tput_measure_all(struct run_stages *r, const struct tput_opts *o, struct tput_report *t)
{
	struct tput x = { .r = r, .t = t, .b = &r->env->sc->bench, .start = mono() };
	unsigned int want = r->env->sc->bench.measure;
	bool lb = r->env->sc->balancer.present && r->env->sc->balancer.n_vips && r->roles->n_lbs;

	t->r = r;
	x.ncpu = libbpf_num_possible_cpus();
	if (x.ncpu > TPUT_MAX_CPUS) {
		fprintf(stderr, "dsrlab: bench: %d possible CPUs, more than %d\n", x.ncpu,
			TPUT_MAX_CPUS);
		return EXIT_SETUP;
	}
	x.base = baseline_bpf__open_and_load();
	if (!x.base) {
		fprintf(stderr, "dsrlab: bench: load bpf/baseline.bpf.c: %s\n", strerror(errno));
		return EXIT_SETUP;
	}
	if (!lb) {
		fprintf(stderr,
			"dsrlab: bench: the scenario has no balancer with a VIP to flood\n");
		baseline_bpf__destroy(x.base);
		return EXIT_USAGE;
	}
	if (o->micro)
		micro_into(t, o->micro);
	for (x.round = 0; x.round < x.b->rounds && !env_stop; x.round++)
		bench_round(&x, want);
	compare_all(&x);
	baseline_bpf__destroy(x.base);
	t->code = t->corrupted ? EXIT_CHECK_FAILED : EXIT_PASS;
	if (t->micro && t->micro_code > t->code)
		t->code = t->micro_code;
	tput_plot(t, r->env->outdir);
	tput_write(t, o);
	return t->code;
}

int throughput_run(struct run_stages *r, void *arg)
{
	struct tput_report *t = calloc(1, sizeof(*t));
	int code;

	if (!t)
		return EXIT_SETUP;
	code = tput_measure_all(r, arg, t);
	free(t);
	return code;
}
