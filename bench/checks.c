// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "bench/checks.h"
#include "bench/drop_kinds.h"
#include "common/parse.h"

/* What every check reads: the scenario and the evidence, nothing else. */
struct check_in {
	const struct scenario *sc;
	const struct evidence *ev;
};

/* A check on a capture that lost packets says so: its evidence is incomplete. */
static void note_capture_loss(const struct ev_capture *cap, struct check_result *c)
{
	size_t len = strlen(c->evidence);

	if (cap->stats.kernel_drop)
		snprintf(c->evidence + len, sizeof(c->evidence) - len,
			 "; the capture lost %llu packets",
			 (unsigned long long)cap->stats.kernel_drop);
}

/* The result of the traffic item the check names. */
static const struct traffic_result *traffic_of(const struct check_in *in, const struct sc_expect *e)
{
	return e->traffic_idx >= 0 ? &in->ev->traffic[e->traffic_idx] : NULL;
}

static void check_answered(const struct check_in *in, struct check_result *c)
{
	const struct traffic_result *t = traffic_of(in, c->e);
	const char *first = NULL;
	int i, len;

	snprintf(c->summary, sizeof(c->summary), "answered %s", c->e->traffic);
	if (c->e->max_failed)
		snprintf(c->summary + strlen(c->summary), sizeof(c->summary) - strlen(c->summary),
			 " (at most %d failed)", c->e->max_failed);
	if (!t || !t->conns) {
		snprintf(c->evidence, sizeof(c->evidence), "traffic %s did not run", c->e->traffic);
		return;
	}
	for (i = 0; i < t->t->connections && !first; i++)
		if (!t->conns[i].answered)
			first = t->conns[i].error[0] ? t->conns[i].error : "not sent";
	c->pass = t->t->connections - t->answered <= c->e->max_failed;
	if (t->t->kind == SC_TRAFFIC_COMMAND) {
		snprintf(c->evidence, sizeof(c->evidence), "command %s%s (log %s)",
			 c->pass ? "met its expectations" : "failed: ", first ? first : "", t->log);
		return;
	}
	len = snprintf(c->evidence, sizeof(c->evidence), "%d/%d connections answered", t->answered,
		       t->t->connections);
	if (t->t->requests > 1)
		len += snprintf(c->evidence + len, sizeof(c->evidence) - len,
				" (%lld/%lld requests)", t->requests,
				(long long)t->t->connections * t->t->requests);
	if (t->not_attempted)
		len += snprintf(c->evidence + len, sizeof(c->evidence) - len,
				"; %d not attempted: nothing answered for %d ms", t->not_attempted,
				t->t->timeout_ms);
	if (first)
		snprintf(c->evidence + len, sizeof(c->evidence) - len, "; first failure: %s",
			 first);
}

/* No established connection broke, and none moved to another node. */
static void check_unbroken(const struct check_in *in, struct check_result *c)
{
	const struct traffic_result *t = traffic_of(in, c->e);
	int i, established = 0, broke = 0, moved = 0, len;
	const struct conn_result *first = NULL;

	snprintf(c->summary, sizeof(c->summary), "unbroken %s", c->e->traffic);
	if (!t || !t->conns) {
		snprintf(c->evidence, sizeof(c->evidence), "traffic %s did not run", c->e->traffic);
		return;
	}
	for (i = 0; i < t->t->connections; i++) {
		const struct conn_result *k = &t->conns[i];
		bool m = k->moved_to >= 0 && k->moved_to != k->served_by;

		established += k->established;
		broke += k->broken;
		moved += m;
		if ((k->broken || m) && !first)
			first = k;
	}
	c->pass = established > 0 && !t->broken;
	len = snprintf(c->evidence, sizeof(c->evidence),
		       "%d/%d connections established; %d broke after that, %d moved to another "
		       "node",
		       established, t->t->connections, broke, moved);
	if (first && first->broken)
		snprintf(c->evidence + len, sizeof(c->evidence) - len, "; first: %s", first->error);
	else if (first)
		snprintf(c->evidence + len, sizeof(c->evidence) - len, "; first: from %s to %s",
			 first->served_by >= 0 ? in->sc->nodes[first->served_by].name : "?",
			 in->sc->nodes[first->moved_to].name);
}

static void check_goodput(const struct check_in *in, struct check_result *c)
{
	const struct traffic_result *t = traffic_of(in, c->e);
	long long bytes = 0;
	int i;

	snprintf(c->summary, sizeof(c->summary), "goodput %s at least %d Mbit/s", c->e->traffic,
		 c->e->min_mbps);
	if (!t || !t->conns) {
		snprintf(c->evidence, sizeof(c->evidence), "traffic %s did not run", c->e->traffic);
		return;
	}
	for (i = 0; i < t->t->connections; i++)
		bytes += t->conns[i].answered ? t->conns[i].bytes : 0;
	c->pass = t->answered == t->t->connections && t->goodput_mbps >= c->e->min_mbps;
	snprintf(c->evidence, sizeof(c->evidence),
		 "%lld bytes acknowledged by the sink over %d/%d connections in %.3f s: %.1f "
		 "Mbit/s",
		 bytes, t->answered, t->t->connections, t->seconds, t->goodput_mbps);
}

static void check_exit(const struct check_in *in, struct check_result *c)
{
	const struct traffic_result *t = traffic_of(in, c->e);

	snprintf(c->summary, sizeof(c->summary), "exit %s status %d", c->e->traffic, c->e->status);
	if (!t || !t->conns) {
		snprintf(c->evidence, sizeof(c->evidence), "traffic %s did not run", c->e->traffic);
		return;
	}
	c->pass = t->exit_status == c->e->status;
	if (t->exit_status < 0)
		snprintf(c->evidence, sizeof(c->evidence), "did not exit: %s (log %s)",
			 t->conns[0].error, t->log);
	else
		snprintf(c->evidence, sizeof(c->evidence), "exited with status %d (log %s)",
			 t->exit_status, t->log);
}

static void check_output(const struct check_in *in, struct check_result *c)
{
	const struct traffic_result *t = traffic_of(in, c->e);
	const char *out;

	snprintf(c->summary, sizeof(c->summary), "output %s contains '%s'", c->e->traffic,
		 c->e->contains);
	if (!t || !t->conns) {
		snprintf(c->evidence, sizeof(c->evidence), "traffic %s did not run", c->e->traffic);
		return;
	}
	out = in->ev->command_output[t - in->ev->traffic];
	c->pass = out && strstr(out, c->e->contains);
	if (!out)
		snprintf(c->evidence, sizeof(c->evidence), "cannot read %s", t->log);
	else
		snprintf(c->evidence, sizeof(c->evidence), "%s %s; its output begins '%.120s'",
			 c->pass ? "found in" : "not in", t->log, t->output);
}

/* Each node's share of the answered connections, within tolerance of what 'share' says. */
static void served_share(struct check_result *c, const struct traffic_result *t,
			 const int *per_node)
{
	size_t len = strlen(c->summary);
	double got;
	bool out;
	int k, i;

	snprintf(c->summary + len, sizeof(c->summary) - len, " sharing");
	for (k = 0; k < c->e->n_nodes; k++) {
		len = strlen(c->summary);
		snprintf(c->summary + len, sizeof(c->summary) - len, " %d%%", c->e->share[k]);
	}
	len = strlen(c->summary);
	snprintf(c->summary + len, sizeof(c->summary) - len, " (+-%d)", c->e->tolerance);
	len = strlen(c->evidence);
	snprintf(c->evidence + len, sizeof(c->evidence) - len,
		 "; shares of %d answered:", t->answered);
	for (k = 0; k < c->e->n_nodes; k++) {
		i = c->e->node_idxs[k];
		got = i >= 0 && t->answered ? 100.0 * per_node[i] / t->answered : 0;
		out = got < c->e->share[k] - c->e->tolerance ||
		      got > c->e->share[k] + c->e->tolerance;
		c->pass &= !out;
		len = strlen(c->evidence);
		snprintf(c->evidence + len, sizeof(c->evidence) - len, " %s %.1f%% (want %d%%)%s",
			 c->e->nodes[k], got, c->e->share[k], out ? " OUT" : "");
	}
}

static void check_served_by(const struct check_in *in, struct check_result *c)
{
	const struct traffic_result *t = traffic_of(in, c->e);
	int per_node[SC_MAX_NODES] = { 0 }, i, k, outside = 0, len = 0;
	bool allowed;

	snprintf(c->summary, sizeof(c->summary), "served-by %s:", c->e->traffic);
	for (k = 0; k < c->e->n_nodes; k++)
		snprintf(c->summary + strlen(c->summary), sizeof(c->summary) - strlen(c->summary),
			 " %s", c->e->nodes[k]);
	if (c->e->min)
		snprintf(c->summary + strlen(c->summary), sizeof(c->summary) - strlen(c->summary),
			 " (each at least %d)", c->e->min);
	if (!t || !t->conns) {
		snprintf(c->evidence, sizeof(c->evidence), "traffic %s did not run", c->e->traffic);
		return;
	}
	for (i = 0; i < t->t->connections; i++)
		if (t->conns[i].answered && t->conns[i].served_by >= 0)
			per_node[t->conns[i].served_by]++;
	for (i = 0; i < in->sc->n_nodes; i++) {
		if (!per_node[i])
			continue;
		allowed = false;
		for (k = 0; k < c->e->n_nodes; k++)
			allowed |= c->e->node_idxs[k] == i;
		if (!allowed)
			outside += per_node[i];
		len += snprintf(c->evidence + len, sizeof(c->evidence) - len, "%s%s %d",
				len ? ", " : "", in->sc->nodes[i].name, per_node[i]);
		if (len >= (int)sizeof(c->evidence))
			break;
	}
	if (!len)
		snprintf(c->evidence, sizeof(c->evidence), "no connection was answered");
	c->pass = t->answered > 0 && !outside;
	for (k = 0; k < c->e->n_nodes && c->e->min; k++) {
		i = c->e->node_idxs[k];
		if (i >= 0 && per_node[i] < c->e->min) {
			c->pass = false;
			snprintf(c->evidence + strlen(c->evidence),
				 sizeof(c->evidence) - strlen(c->evidence),
				 "; %s served %d, fewer than %d", c->e->nodes[k], per_node[i],
				 c->e->min);
		}
	}
	if (c->e->share[0] >= 0)
		served_share(c, t, per_node);
}

static void packet_filter(const struct sc_expect *e, char *buf, size_t len)
{
	char a[ADDR_STRLEN];
	int n = 0;

	buf[0] = '\0';
	if (e->src.family != FAM_NONE)
		n += snprintf(buf + n, len - n, "src host %s", addr_str(&e->src, a, sizeof(a)));
	if (e->dst.family != FAM_NONE)
		n += snprintf(buf + n, len - n, "%sdst host %s", n ? " and " : "",
			      addr_str(&e->dst, a, sizeof(a)));
	if (e->filter[0])
		snprintf(buf + n, len - n, "%s(%s)", n ? " and " : "", e->filter);
}

static void check_seen(const struct check_in *in, struct check_result *c, bool never)
{
	const struct ev_capture *cap = evidence_capture(in->ev, c->e->point);
	const char *file = cap ? cap->file : NULL;
	char filter[SC_FILTER_MAX * 2], err[256];
	__u64 count;

	packet_filter(c->e, filter, sizeof(filter));
	snprintf(c->summary, sizeof(c->summary), "%s %s:%s '%s'", never ? "never-seen" : "seen",
		 c->e->at.node, c->e->at.iface, filter);
	if (!file) {
		snprintf(c->evidence, sizeof(c->evidence), "no capture at %s:%s", c->e->at.node,
			 c->e->at.iface);
		return;
	}
	if (capture_count(file, filter, &count, err, sizeof(err))) {
		snprintf(c->evidence, sizeof(c->evidence), "%s", err);
		return;
	}
	c->pass = never ? count == 0 : count >= (__u64)c->e->min;
	snprintf(c->evidence, sizeof(c->evidence), "%llu matching packets in %s%s",
		 (unsigned long long)count, file,
		 never ? "" : (c->pass ? "" : " (fewer than expected)"));
	note_capture_loss(cap, c);
}

static void check_never_seen(const struct check_in *in, struct check_result *c)
{
	check_seen(in, c, true);
}

static void check_seen_some(const struct check_in *in, struct check_result *c)
{
	check_seen(in, c, false);
}

static int u64_cmp(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static bool flow_to_vip(const struct pkt_meta *m, const struct endpoint *vip)
{
	__u8 fam = vip->addr.family;

	return m->flow.family == fam && m->flow.proto == vip->proto &&
	       !memcmp(m->flow.dstv6, vip->addr.bytes, fam == FAM_IPV6 ? 16 : 4) &&
	       (!vip->port || m->flow.port16[1] == htons(vip->port));
}

/* The outer header of an encapsulated packet is what the check asks for, where it asks. */
static bool outer_as_expected(const struct sc_expect *e, const struct pkt_meta *m)
{
	struct ip_addr a = { .family = m->outer_family };

	if (e->outer_encap >= 0 && m->encap != scenario_encap_type(e->outer_encap))
		return false;
	memcpy(a.bytes, m->outer_src, 16);
	if (e->outer_src.family != FAM_NONE && !addr_equal(&a, &e->outer_src))
		return false;
	memcpy(a.bytes, m->outer_dst, 16);
	return e->outer_dst.family == FAM_NONE || addr_equal(&a, &e->outer_dst);
}

static __u64 bytes_print(const __u8 *p, __u32 len)
{
	return (__u64)hash_bytes(p, len, 1) << 32 | hash_bytes(p, len, 2);
}

/* The IP header and 8 transport bytes of a packet: what an ICMP error quotes at least. */
static __u32 quote_len(const __u8 *ip, __u32 avail)
{
	__u32 len = (ip[0] >> 4) == 4 ? (ip[0] & 0xf) * 4u + 8 : 48;

	return len <= avail ? len : 0;
}

/*
 * The quote of an ICMP fragmentation-needed / packet-too-big about a packet to the VIP: the
 * balancer's answer to a request it did not forward (balancer.mtu). 0 when m is not one.
 */
static __u32 too_big_quote(const struct pkt_meta *m, const u_char *bytes, __u32 caplen,
			   const struct endpoint *vip, const u_char **quote)
{
	bool v4 = m->flow.proto == IPPROTO_ICMP;
	const __u8 *q = bytes + m->l4_off + 8;
	__u32 len;

	if (m->encap != ENCAP_NONE || !m->l4_off || m->l4_off + 8u >= caplen ||
	    !(v4 ? m->icmp_type == 3 && m->icmp_code == 4 :
		   m->flow.proto == IPPROTO_ICMPV6 && m->icmp_type == 2))
		return 0;
	len = quote_len(q, caplen - m->l4_off - 8);
	if (!len || (q[0] >> 4) != (vip->addr.family == FAM_IPV6 ? 6 : 4) ||
	    memcmp(q + (v4 ? 16 : 24), vip->addr.bytes, v4 ? 4 : 16))
		return 0;
	*quote = q;
	return len;
}

/* A request to the VIP: the print of its whole IP packet and of what a quote holds of it. */
struct req_print {
	__u64 full, head;
};

static int req_cmp(const void *a, const void *b)
{
	return u64_cmp(&((const struct req_print *)a)->full, &((const struct req_print *)b)->full);
}

/* Appends to a growing array of elements of size sz; false when out of memory. */
static bool push(void **a, size_t *n, size_t *room, const void *v, size_t sz)
{
	if (*n == *room) {
		size_t r = *room ? *room * 2 : 1024;
		void *b = realloc(*a, r * sz);

		if (!b)
			return false;
		*a = b;
		*room = r;
	}
	memcpy((char *)*a + (*n)++ * sz, v, sz);
	return true;
}

/* How many of the sorted a[] are in the sorted b[], each b counted once. */
static size_t sorted_common(const __u64 *a, size_t na, const __u64 *b, size_t nb)
{
	size_t i = 0, j = 0, n = 0;

	while (i < na && j < nb) {
		if (a[i] == b[j]) {
			n++;
			i++;
			j++;
		} else if (a[i] < b[j]) {
			i++;
		} else {
			j++;
		}
	}
	return n;
}

/*
 * Every request to the VIP seen at the point must also be seen there encapsulated: the same
 * IP packet, byte for byte, inside an outer header; or, with balancer.mtu, answered with a
 * fragmentation-needed / packet-too-big that quotes it (its IP header and 8 bytes more).
 */
static void check_encapsulated(const struct check_in *in, struct check_result *c)
{
	const struct ev_capture *cap = evidence_capture(in->ev, c->e->point);
	const char *file = cap ? cap->file : NULL;
	struct req_print *req = NULL, r;
	__u64 *inner = NULL, *quoted = NULL, *rest = NULL, v;
	size_t nr = 0, rr = 0, ni = 0, ri = 0, nq = 0, rq = 0, matched = 0, answered = 0;
	size_t wrong = 0, nrest = 0, i, j;
	char ebuf[PCAP_ERRBUF_SIZE], vs[ADDR_STRLEN], os[ADDR_STRLEN] = "-", od[ADDR_STRLEN] = "-";
	struct pcap_pkthdr *h;
	const u_char *bytes, *q;
	struct pkt_meta m;
	struct cursor cur;
	bool ok = true;
	pcap_t *p;
	__u32 len;

	snprintf(c->summary, sizeof(c->summary), "encapsulated %s:%s %s", c->e->at.node,
		 c->e->at.iface, endpoint_str(&c->e->vip, vs, sizeof(vs)));
	if (!file) {
		snprintf(c->evidence, sizeof(c->evidence), "no capture at %s:%s", c->e->at.node,
			 c->e->at.iface);
		return;
	}
	p = pcap_open_offline(file, ebuf);
	if (!p) {
		snprintf(c->evidence, sizeof(c->evidence), "read %s: %s", file, ebuf);
		return;
	}
	while (ok && pcap_next_ex(p, &h, &bytes) == 1) {
		cur.pos = (void *)bytes;
		cur.end = (void *)bytes + h->caplen;
		if (parse_packet(&cur, &m, GUE_PORT_DEFAULT, PARSE_F_CHECK_LEN))
			continue;
		len = too_big_quote(&m, bytes, h->caplen, &c->e->vip, &q);
		if (len) {
			v = bytes_print(q, len);
			ok = push((void **)&quoted, &nq, &rq, &v, sizeof(v));
			continue;
		}
		if (!flow_to_vip(&m, &c->e->vip))
			continue;
		if (m.encap == ENCAP_NONE) {
			len = quote_len(bytes + m.l3_off, h->caplen - m.l3_off);
			r.full = bytes_print(bytes + m.l3_off, m.ip_len);
			r.head = len ? bytes_print(bytes + m.l3_off, len) : 0;
			ok = push((void **)&req, &nr, &rr, &r, sizeof(r));
			continue;
		}
		wrong += !outer_as_expected(c->e, &m);
		v = bytes_print(bytes + m.inner_l3_off, m.ip_len);
		ok = push((void **)&inner, &ni, &ri, &v, sizeof(v));
		if (ni == 1) {
			struct ip_addr a = { .family = m.outer_family };

			memcpy(a.bytes, m.outer_src, 16);
			addr_str(&a, os, sizeof(os));
			memcpy(a.bytes, m.outer_dst, 16);
			addr_str(&a, od, sizeof(od));
		}
	}
	pcap_close(p);
	rest = ok && nr ? malloc(nr * sizeof(*rest)) : NULL;
	if (rest) {
		/* requests seen encapsulated, byte for byte; the heads of the others in rest[] */
		qsort(req, nr, sizeof(*req), req_cmp);
		if (ni) /* qsort(NULL, 0) is undefined (UBSan: nonnull) */
			qsort(inner, ni, sizeof(*inner), u64_cmp);
		for (i = j = 0; i < nr;) {
			if (j < ni && req[i].full == inner[j]) {
				matched++;
				i++;
				j++;
			} else if (j < ni && req[i].full > inner[j]) {
				j++;
			} else {
				rest[nrest++] = req[i++].head;
			}
		}
		/* ... of which those a too-big answer quotes */
		if (nrest)
			qsort(rest, nrest, sizeof(*rest), u64_cmp);
		if (nq)
			qsort(quoted, nq, sizeof(*quoted), u64_cmp);
		answered = sorted_common(rest, nrest, quoted, nq);
	}
	ok = ok && (!nr || rest);
	free(rest);
	free(req);
	free(inner);
	free(quoted);
	if (!ok) {
		snprintf(c->evidence, sizeof(c->evidence), "out of memory reading %s", file);
		return;
	}
	c->pass = nr > 0 && matched + answered == nr && !wrong;
	snprintf(c->evidence, sizeof(c->evidence),
		 "%zu requests to the VIP, %zu encapsulated (first outer %s -> %s), %zu answered "
		 "too big by the balancer, %zu of the requests neither, %zu outer headers not as "
		 "expected",
		 nr, ni, os, od, answered, nr - matched - answered, wrong);
	note_capture_loss(cap, c);
}

/*
 * The kernel's drop reasons in one node; routine frees (NOT_SPECIFIED) and queue overflow
 * (bench/drop_kinds.h) only when named.
 */
static void check_drops(const struct check_in *in, struct check_result *c)
{
	const struct sc_expect *e = c->e;
	int node = e->node_idx, i, len = 0;
	char range[48];
	__u64 n = 0;

	if (e->max < 0)
		snprintf(range, sizeof(range), "at least %d", e->min);
	else
		snprintf(range, sizeof(range), "%d to %d", e->min, e->max);
	snprintf(c->summary, sizeof(c->summary), "drops in %s (%s): %s", e->node,
		 e->reason[0] ? e->reason : "any reason but routine frees and full queues", range);
	if (!in->ev->drops_traced) {
		snprintf(c->evidence, sizeof(c->evidence), "drop reasons were not traced");
		return;
	}
	for (i = 0; i < in->ev->n_drops; i++) {
		const struct ev_drop *d = &in->ev->drops[i];

		if (d->node != node)
			continue;
		if (e->reason[0] ?
			    strcmp(e->reason, d->reason) :
			    drop_reason_routine(d->reason) || drop_reason_overflow(d->reason))
			continue;
		n += d->count;
		len += snprintf(c->evidence + len, sizeof(c->evidence) - len, "%s%s%s%s=%llu",
				len ? ", " : "", d->iface, d->iface[0] ? " " : "", d->reason,
				(unsigned long long)d->count);
		if (len >= (int)sizeof(c->evidence))
			break;
	}
	if (!len)
		snprintf(c->evidence, sizeof(c->evidence), "no such drop");
	c->pass = n >= (__u64)e->min && (e->max < 0 || n <= (__u64)e->max);
}

/* The counting member in the balancers' chain slot ran on at least min packets (summed). */
static void check_chain_member(const struct check_in *in, struct check_result *c)
{
	const struct evidence *ev = in->ev;
	bool in_range = c->e->slot >= 0 && c->e->slot <= SC_MAX_CHAIN;
	int i, err = ev->n_lbs && in_range ? 0 : -ENOENT;
	__u64 seen = 0;

	snprintf(c->summary, sizeof(c->summary), "chain-member slot %d saw at least %d packets",
		 c->e->slot, c->e->min);
	for (i = 0; i < ev->n_lbs && !err; i++) {
		err = ev->lbs[i].chain_err[c->e->slot];
		seen += err ? 0 : ev->lbs[i].chain_seen[c->e->slot];
	}
	if (err) {
		snprintf(c->evidence, sizeof(c->evidence),
			 "cannot read the counter `seen` of the member in slot %d: %s", c->e->slot,
			 strerror(-err));
		return;
	}
	c->pass = seen >= (__u64)c->e->min;
	snprintf(c->evidence, sizeof(c->evidence),
		 "the member in slot %d ran on %llu packets before the balancer", c->e->slot,
		 (unsigned long long)seen);
}

/* A counter of the balancer, or of the decap serving a node, read before teardown. */
static void check_counter(const struct check_in *in, struct check_result *c)
{
	const struct sc_expect *e = c->e;
	int node = e->counter_decap ? e->node_idx : -1, k = e->lb;
	struct lb_counter lbc[LB_STAT_MAX];
	const struct ev_decap *d;
	char of[SC_NAME_MAX + 16] = "the balancer";
	const char *name =
		e->counter_decap ? decap_stat_name(e->counter) : lb_stat_name(e->counter);
	char range[48];
	__u64 v;

	if (e->max < 0)
		snprintf(range, sizeof(range), "at least %d", e->min);
	else
		snprintf(range, sizeof(range), "%d to %d", e->min, e->max);
	if (e->counter_decap)
		snprintf(c->summary, sizeof(c->summary), "counter %s of the decap serving %s: %s",
			 name, e->node, range);
	if (!e->counter_decap && e->node[0]) { /* one balancer of several */
		snprintf(of, sizeof(of), "balancer %s", e->node);
	} else if (!e->counter_decap && in->sc->balancer.n_nodes > 1) {
		snprintf(of, sizeof(of), "every balancer");
	}
	if (!e->counter_decap)
		snprintf(c->summary, sizeof(c->summary), "counter %s of %s: %s", name, of, range);
	if (!e->counter_decap && !evidence_lb_stats(in->ev, k, lbc)) {
		snprintf(c->evidence, sizeof(c->evidence), "the counters of %s were not read", of);
		return;
	}
	d = node >= 0 ? &in->ev->decaps[node] : NULL;
	if (e->counter_decap && (!d || !d->iface[0])) {
		snprintf(c->evidence, sizeof(c->evidence), "no decap served %s", e->node);
		return;
	}
	v = e->counter_decap ? d->stats[e->counter] : lbc[e->counter].packets;
	if (e->counter_decap)
		snprintf(c->evidence, sizeof(c->evidence), "%s=%llu (decap at %s:%s, %s)", name,
			 (unsigned long long)v, in->sc->nodes[d->node].name, d->iface,
			 decap_at_name(d->at));
	else
		snprintf(c->evidence, sizeof(c->evidence), "%s=%llu packets", name,
			 (unsigned long long)v);
	c->pass = v >= (__u64)e->min && (e->max < 0 || v <= (__u64)e->max);
}

/* One row per check kind: a new kind is a row here and its place in the model. */
static void (*const check_kinds[])(const struct check_in *in, struct check_result *c) = {
	[SC_EXPECT_ANSWERED] = check_answered,
	[SC_EXPECT_SERVED_BY] = check_served_by,
	[SC_EXPECT_NEVER_SEEN] = check_never_seen,
	[SC_EXPECT_SEEN] = check_seen_some,
	[SC_EXPECT_ENCAPSULATED] = check_encapsulated,
	[SC_EXPECT_DROPS] = check_drops,
	[SC_EXPECT_UNBROKEN] = check_unbroken,
	[SC_EXPECT_GOODPUT] = check_goodput,
	[SC_EXPECT_EXIT] = check_exit,
	[SC_EXPECT_OUTPUT] = check_output,
	[SC_EXPECT_CHAIN_MEMBER] = check_chain_member,
	[SC_EXPECT_COUNTER] = check_counter,
};

int checks_run(const struct scenario *sc, const struct evidence *ev, struct check_result *out)
{
	const struct check_in in = { .sc = sc, .ev = ev };
	int i, failed = 0;

	for (i = 0; i < sc->n_expects; i++) {
		struct check_result *c = &out[i];

		memset(c, 0, sizeof(*c));
		c->e = &sc->expects[i];
		if ((unsigned int)c->e->kind < sizeof(check_kinds) / sizeof(check_kinds[0]) &&
		    check_kinds[c->e->kind])
			check_kinds[c->e->kind](&in, c);
		else
			snprintf(c->evidence, sizeof(c->evidence), "no check of this kind");
		failed += !c->pass;
	}
	return failed;
}
