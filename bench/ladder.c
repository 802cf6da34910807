// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/ladder.h"
#include "bench/tool.h"
#include "common/flow.h"
#include "common/log.h"
#include "common/parse.h"

#define LADDER_MAX 80 /* packets drawn: a connection's handshake, requests and close */

enum leg { LEG_REQUEST, LEG_ENCAP, LEG_REPLY };

struct obs {
	double t; /* seconds, capture clock */
	int lane;
	enum leg leg;
	__u8 encap;
	__u8 tcp_flags;
	__u64 id; /* hash of the transport header and payload: the same packet everywhere */
	int linked; /* index of the next sighting of the same packet, -1 */
};

struct ladder {
	struct flow_key key; /* the connection, client to VIP */
	bool found;
	double t0;
	int lanes[EV_MAX_CAPTURES]; /* capture index by column: in the order they first see it */
	int col[EV_MAX_CAPTURES]; /* column by capture index */
	int n_lanes;
	struct obs obs[LADDER_MAX];
	int n;
};

static bool is_vip(const struct scenario *sc, const struct flow_key *k)
{
	int i;

	for (i = 0; i < sc->balancer.n_vips; i++) {
		const struct endpoint *v = &sc->balancer.vips[i].vip;

		if (v->addr.family == k->family && v->proto == k->proto &&
		    !memcmp(v->addr.bytes, k->dstv6, k->family == FAM_IPV4 ? 4 : 16) &&
		    (!v->port || v->port == ntohs(k->port16[1])))
			return true;
	}
	return false;
}

static bool same_flow(const struct flow_key *a, const struct flow_key *b, bool reverse)
{
	size_t n = a->family == FAM_IPV4 ? 4 : 16;

	if (a->family != b->family || a->proto != b->proto)
		return false;
	if (!reverse)
		return !memcmp(a->srcv6, b->srcv6, n) && !memcmp(a->dstv6, b->dstv6, n) &&
		       a->ports == b->ports;
	return !memcmp(a->srcv6, b->dstv6, n) && !memcmp(a->dstv6, b->srcv6, n) &&
	       a->port16[0] == b->port16[1] && a->port16[1] == b->port16[0];
}

static __u64 bytes_id(const __u8 *p, size_t n)
{
	__u64 h = 1469598103934665603ull; /* FNV-1a */

	while (n--)
		h = (h ^ *p++) * 1099511628211ull;
	return h;
}

/* Calls fn for every packet of capture file that parses; fn returns false to stop. */
static int each_packet(const char *file,
		       bool (*fn)(struct pkt_meta *, const u_char *, size_t, double, void *),
		       void *ctx)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	struct pkt_meta m;
	struct cursor cur;
	pcap_t *p;

	p = pcap_open_offline(file, ebuf);
	if (!p)
		return -ENOENT;
	while (pcap_next_ex(p, &h, &bytes) == 1) {
		cur.pos = (void *)bytes;
		cur.end = (void *)bytes + h->caplen;
		if (parse_packet(&cur, &m, GUE_PORT_DEFAULT, PARSE_F_CHECK_LEN))
			continue;
		if (!fn(&m, bytes, h->caplen, h->ts.tv_sec + h->ts.tv_usec / 1e6, ctx))
			break;
	}
	pcap_close(p);
	return 0;
}

struct pick {
	const struct scenario *sc;
	struct ladder *l;
};

/* The connection: the earliest opening packet to a VIP (a SYN, or any UDP datagram). */
static bool pick_cb(struct pkt_meta *m, const u_char *b, size_t len, double t, void *ctx)
{
	struct pick *p = ctx;
	bool opening = m->flow.proto == IPPROTO_UDP ||
		       (m->flow.proto == IPPROTO_TCP && (m->tcp_flags & 0x12) == 0x02);

	(void)b;
	(void)len;
	if (!opening || !is_vip(p->sc, &m->flow))
		return true;
	if (!p->l->found || t < p->l->t0) {
		p->l->key = m->flow;
		p->l->t0 = t;
		p->l->found = true;
	}
	return false; /* the first in this file is its earliest */
}

struct collect {
	struct ladder *l;
	int lane;
};

static bool collect_cb(struct pkt_meta *m, const u_char *b, size_t len, double t, void *ctx)
{
	struct collect *c = ctx;
	struct ladder *l = c->l;
	bool req = same_flow(&l->key, &m->flow, false), rep = same_flow(&l->key, &m->flow, true);
	struct obs *o;
	size_t end;

	if ((!req && !rep) || !m->l4_off || m->l4_off > len)
		return true;
	if (l->n == LADDER_MAX)
		return false;
	o = &l->obs[l->n++];
	o->t = t;
	o->lane = c->lane;
	o->leg = rep ? LEG_REPLY : m->encap != ENCAP_NONE ? LEG_ENCAP : LEG_REQUEST;
	o->encap = m->encap;
	o->tcp_flags = m->tcp_flags;
	end = (size_t)m->inner_l3_off + m->ip_len;
	o->id = bytes_id(b + m->l4_off, (end < len ? end : len) - m->l4_off);
	o->linked = -1;
	return true;
}

static int obs_cmp(const void *a, const void *b)
{
	const struct obs *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

static const char *leg_label(const struct obs *o, char *buf, size_t size)
{
	static const char *const encaps[] = { "", "IPIP ", "IP6IP6 ", "4in6 ", "6in4 ", "GUE " };
	const char *what;

	switch (o->tcp_flags & 0x17) { /* FIN SYN RST ACK */
	case 0x02:
		what = "SYN";
		break;
	case 0x12:
		what = "SYN-ACK";
		break;
	case 0x10:
		what = o->tcp_flags & 0x08 ? "PSH-ACK" : "ACK";
		break;
	case 0x11:
		what = "FIN-ACK";
		break;
	default:
		what = o->tcp_flags & 0x04 ? "RST" : o->tcp_flags ? "TCP" : "UDP";
	}
	snprintf(buf, size, "%s%s",
		 o->encap < sizeof(encaps) / sizeof(encaps[0]) ? encaps[o->encap] : "encap ", what);
	return buf;
}

static int gnuplot(const char *dir)
{
	char *const argv[] = { "gnuplot", "ladder.gp", NULL };

	return tool_run(dir, "ladder.log", argv);
}

static void script_write(const struct ladder *l, const struct evidence *ev, const char *title,
			 FILE *f)
{
	int i;

	fprintf(f,
		"set title \"%s\" noenhanced\nunset ytics\n"
		"set ylabel \"time order (ms after the first packet beside each)\"\n"
		"set yrange [%d.5:-0.5]\nset xrange [-0.5:%d.5]\nset x2tics\n"
		"set key outside bottom center horizontal\nset x2tics (",
		title, l->n - 1 > 0 ? l->n - 1 : 0, l->n_lanes - 1);
	for (i = 0; i < l->n_lanes; i++)
		fprintf(f, "%s\"%s:%s\" %d", i ? ", " : "", ev->caps[l->lanes[i]].at.node,
			ev->caps[l->lanes[i]].at.iface, i);
	fprintf(f, ") noenhanced\nunset xtics\nset x2range [-0.5:%d.5]\n", l->n_lanes - 1);
	for (i = 0; i < l->n_lanes; i++)
		fprintf(f, "set arrow from %d, graph 0 to %d, graph 1 nohead lc rgb \"#bbbbbb\"\n",
			i, i);
	fprintf(f,
		"plot 'ladder.links' using 1:2:3:4 with vectors lc rgb \"#888888\" notitle, \\\n"
		"  'ladder.dat' using 1:($3==0?$2:NaN) with points pt 7 ps 1.2 lc rgb \"#2c6fbb\" "
		"title \"request to the VIP\", \\\n"
		"  '' using 1:($3==1?$2:NaN) with points pt 5 ps 1.2 lc rgb \"#e67e22\" "
		"title \"request encapsulated by the balancer\", \\\n"
		"  '' using 1:($3==2?$2:NaN) with points pt 9 ps 1.4 lc rgb \"#27ae60\" "
		"title \"reply from the VIP\", \\\n"
		"  '' using 1:2:4 with labels left offset char 1,0 font \",8\" noenhanced notitle\n");
	(void)ev;
}

static int files_write(const struct ladder *l, const struct evidence *ev, const char *title,
		       const char *dir)
{
	static const char *const legs[] = { "request", "encapsulated", "reply" };
	char path[PATH_MAX], label[32];
	FILE *dat, *links, *gp;
	int i, err = 0;

	snprintf(path, sizeof(path), "%s/ladder.dat", dir);
	dat = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/ladder.links", dir);
	links = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/ladder.gp", dir);
	gp = fopen(path, "w");
	if (!dat || !links || !gp) {
		err = -errno;
		goto out;
	}
	fprintf(dat, "# column row leg label ms capture-point leg-name (%s)\n", title);
	for (i = 0; i < l->n; i++) {
		const struct obs *o = &l->obs[i];

		fprintf(dat, "%d %d %d \"%s  +%.3f ms\" %.3f %s:%s %s\n", l->col[o->lane], i,
			o->leg, leg_label(o, label, sizeof(label)), (o->t - l->t0) * 1000,
			(o->t - l->t0) * 1000, ev->caps[o->lane].at.node,
			ev->caps[o->lane].at.iface, legs[o->leg]);
		if (o->linked >= 0)
			fprintf(links, "%d %d %d %d\n", l->col[o->lane], i,
				l->col[l->obs[o->linked].lane] - l->col[o->lane], o->linked - i);
	}
	fprintf(gp, "set terminal svg size 960,%d font \"Helvetica,10\"\nset output 'ladder.svg'\n",
		300 + 14 * l->n);
	script_write(l, ev, title, gp);
	fprintf(gp,
		"set terminal pngcairo size 960,%d font \"Helvetica,9\"\n"
		"set output 'ladder.png'\nreplot\n",
		300 + 14 * l->n);
out:
	if (dat)
		fclose(dat);
	if (links)
		fclose(links);
	if (gp)
		fclose(gp);
	return err;
}

/* Each sighting to the next sighting of the same packet (same leg, same bytes) elsewhere. */
static void link_sightings(struct ladder *l)
{
	int i, j;

	for (i = 0; i < l->n; i++)
		for (j = i + 1; j < l->n; j++) {
			const struct obs *a = &l->obs[i], *b = &l->obs[j];

			if (a->id == b->id && (a->lane != b->lane || a->leg != b->leg)) {
				l->obs[i].linked = j;
				break;
			}
		}
}

/* Columns in the order the capture points first saw the connection: its path, left to right. */
static void lanes_order(struct ladder *l, const struct evidence *ev)
{
	int i, k;

	for (i = 0; i < ev->n_caps; i++)
		l->col[i] = -1;
	for (i = 0; i < l->n; i++)
		if (l->col[l->obs[i].lane] < 0) {
			l->col[l->obs[i].lane] = l->n_lanes;
			l->lanes[l->n_lanes++] = l->obs[i].lane;
		}
	for (k = 0; k < ev->n_caps; k++) /* points that saw none of it, last */
		if (l->col[k] < 0) {
			l->col[k] = l->n_lanes;
			l->lanes[l->n_lanes++] = k;
		}
}

int ladder_draw(const struct scenario *sc, const struct evidence *ev, const char *dir)
{
	struct ladder *l = calloc(1, sizeof(*l));
	struct pick pk = { .sc = sc, .l = l };
	char title[256], a[ADDR_STRLEN], b[ADDR_STRLEN];
	struct ip_addr src = {}, dst = {};
	int i, err;

	if (!l)
		return -ENOMEM;
	for (i = 0; i < ev->n_caps; i++)
		each_packet(ev->caps[i].file, pick_cb, &pk);
	err = -ENOENT;
	if (!l->found) {
		pr_info("dsrlab: no ladder: no capture holds a connection to a VIP\n");
		goto out;
	}
	for (i = 0; i < ev->n_caps; i++) {
		struct collect c = { .l = l, .lane = i };

		each_packet(ev->caps[i].file, collect_cb, &c);
	}
	qsort(l->obs, l->n, sizeof(l->obs[0]), obs_cmp);
	link_sightings(l);
	lanes_order(l, ev);
	l->t0 = l->n ? l->obs[0].t : l->t0;
	src.family = dst.family = l->key.family;
	memcpy(src.bytes, l->key.srcv6, 16);
	memcpy(dst.bytes, l->key.dstv6, 16);
	snprintf(title, sizeof(title), "%s: %s port %u -> %s port %u/%s", sc->name,
		 addr_str(&src, a, sizeof(a)), ntohs(l->key.port16[0]),
		 addr_str(&dst, b, sizeof(b)), ntohs(l->key.port16[1]),
		 l->key.proto == IPPROTO_TCP ? "tcp" : "udp");
	err = files_write(l, ev, title, dir);
	if (!err)
		err = gnuplot(dir);
	if (err)
		pr_warn("dsrlab: ladder in %s: %s\n", dir,
			err == -ENOENT ? "gnuplot is not installed (Debian: gnuplot-nox)" :
			err == -EIO    ? "gnuplot failed (see ladder.log)" :
					 strerror(-err));
out:
	free(l);
	return err;
}
