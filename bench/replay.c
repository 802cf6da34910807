// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <jansson.h>
/* pcap/bpf.h redefines struct bpf_insn of linux/bpf.h; the DLT_ values are all we need */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <pcap/dlt.h>

#include "bench/replay.h"
#include "bench/replay_config.h"
#include "common/stat_names.h"

#define FRAME_MAX 65536 + ETH_HLEN
#define OUT_ROOM  256 /* what encapsulation or an ICMP answer may add */

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

struct replay {
	const struct replay_opts *o;
	struct replay_config cfg;
	struct lb *lb;
	struct decap *decap;
	int prog_fd;
	int dlt;
	pcap_t *in, *dead;
	pcap_dumper_t *out;
	json_t *packets; /* -j */
	long n, run, written, skipped;
	long verdicts[8];
	__u8 frame[FRAME_MAX], result[FRAME_MAX + OUT_ROOM];
};

static const char *const xdp_verdicts[] = { "ABORTED", "DROP", "PASS", "TX", "REDIRECT" };

static const char *verdict_name(const struct replay *r, int v)
{
	if (r->cfg.prog == REPLAY_LB)
		return v >= 0 && v <= XDP_REDIRECT ? xdp_verdicts[v] : "?";
	switch (v) {
	case TC_ACT_UNSPEC:
		return "UNSPEC";
	case TC_ACT_OK:
		return "OK";
	case TC_ACT_SHOT:
		return "SHOT";
	case TC_ACT_PIPE:
		return "PIPE";
	case TC_ACT_REDIRECT:
		return "REDIRECT";
	default:
		return "?";
	}
}

/* The program hands the frame on (so it goes to the output capture). */
static bool verdict_emits(const struct replay *r, int v)
{
	if (r->cfg.prog == REPLAY_LB)
		return v == XDP_PASS || v == XDP_TX || v == XDP_REDIRECT;
	return v == TC_ACT_OK || v == TC_ACT_UNSPEC || v == TC_ACT_PIPE || v == TC_ACT_REDIRECT;
}

static int stats_read(struct replay *r, __u64 *out)
{
	struct lb_counter c[LB_STAT_MAX];
	int i, err;

	if (r->cfg.prog == REPLAY_DECAP)
		return decap_stats_read(r->decap, out);
	err = lb_stats_read(r->lb, c);
	for (i = 0; !err && i < LB_STAT_MAX; i++)
		out[i] = c[i].packets;
	return err;
}

static int n_stats(const struct replay *r)
{
	return r->cfg.prog == REPLAY_LB ? LB_STAT_MAX : DECAP_STAT_MAX;
}

static const char *stat_name(const struct replay *r, int i)
{
	return r->cfg.prog == REPLAY_LB ? lb_stat_name(i) : decap_stat_name(i);
}

static int lb_setup(struct replay *r)
{
	int i, err;

	err = lb_load_with(&r->lb, &r->cfg.load);
	if (err)
		return err;
	err = lb_config_set(r->lb, &r->cfg.lb);
	for (i = 0; !err && i < r->cfg.n_vips; i++) {
		const struct replay_vip *v = &r->cfg.vips[i];

		err = lb_vip_check(r->lb, &v->vip, v->encap, v->flags, v->backends, v->n_backends);
		if (!err)
			err = lb_vip_add(r->lb, &v->vip, v->encap, v->flags);
		if (!err)
			err = lb_vip_set_backends(r->lb, &v->vip, v->backends, v->n_backends);
		if (err)
			fprintf(stderr, "dsrlab replay: %s:%d: vip add: %s\n", r->o->config,
				v->line, strerror(-err));
	}
	if (!err)
		r->prog_fd = lb_prog_fd(r->lb);
	return err;
}

static int setup(struct replay *r)
{
	int err;

	if (r->cfg.prog == REPLAY_LB)
		err = lb_setup(r);
	else if (!(err = decap_load(&r->decap, &r->cfg.decap)))
		r->prog_fd = decap_prog_fd(r->decap);
	return err;
}

/*
 * The frame as the program sees it: Ethernet as it is; Linux cooked (SLL, SLL2) and raw IP
 * given an Ethernet header (zero MACs, the cooked source MAC when there is one) with their
 * EtherType. NULL and why when the packet cannot be made a frame.
 */
static const __u8 *frame_of(struct replay *r, const __u8 *p, __u32 caplen, __u32 *len, char *why,
			    size_t wlen)
{
	struct ethhdr *eth = (struct ethhdr *)r->frame;
	__u32 hdr = 0;
	__u16 proto = 0;

	switch (r->dlt) {
	case DLT_EN10MB:
		*len = caplen;
		return p;
	case DLT_LINUX_SLL: /* type, ARPHRD, addr len, addr[8], protocol */
		hdr = 16;
		if (caplen >= hdr) {
			proto = p[14] << 8 | p[15];
			if ((p[4] << 8 | p[5]) == 6)
				memcpy(eth->h_source, p + 6, ETH_ALEN);
		}
		break;
	case DLT_LINUX_SLL2: /* protocol, reserved, ifindex, ARPHRD, type, addr len, addr[8] */
		hdr = 20;
		if (caplen >= hdr) {
			proto = p[0] << 8 | p[1];
			if (p[11] == 6)
				memcpy(eth->h_source, p + 12, ETH_ALEN);
		}
		break;
	default: /* raw IP: the version says which */
		if (caplen >= 1)
			proto = p[0] >> 4 == 4 ? ETH_P_IP : p[0] >> 4 == 6 ? ETH_P_IPV6 : 0;
		if (!proto) {
			snprintf(why, wlen, "raw capture, but not IPv4 or IPv6 (version %d)",
				 caplen ? p[0] >> 4 : -1);
			return NULL;
		}
	}
	if (caplen < hdr) {
		snprintf(why, wlen, "%u bytes: shorter than the %u-byte cooked header", caplen,
			 hdr);
		return NULL;
	}
	if (proto < ETH_P_802_3_MIN) {
		snprintf(why, wlen, "cooked protocol 0x%04x is not an EtherType", proto);
		return NULL;
	}
	if (hdr == 0 || (r->dlt != DLT_LINUX_SLL && r->dlt != DLT_LINUX_SLL2))
		memset(eth->h_source, 0, ETH_ALEN);
	memset(eth->h_dest, 0, ETH_ALEN);
	eth->h_proto = htons(proto);
	memcpy(r->frame + ETH_HLEN, p + hdr, caplen - hdr);
	*len = caplen - hdr + ETH_HLEN;
	return r->frame;
}

static void counters_moved(const struct replay *r, const __u64 *before, const __u64 *after,
			   char *text, size_t tlen, json_t *obj)
{
	size_t used = 0;
	int i;

	text[0] = '\0';
	for (i = 0; i < n_stats(r); i++) {
		long long d = (long long)(after[i] - before[i]);

		if (!d)
			continue;
		used += snprintf(text + used, used < tlen ? tlen - used : 0, "%s%s+%lld",
				 used ? " " : "", stat_name(r, i), d);
		if (obj)
			json_object_set_new(obj, stat_name(r, i), json_integer(d));
	}
}

static void report(struct replay *r, const struct pcap_pkthdr *h, const char *verdict,
		   const char *moved, json_t *counters, __u32 out_len, const char *note)
{
	if (r->o->json) {
		json_t *p = json_pack("{s:i,s:i,s:i,s:s}", "index", r->n, "caplen", h->caplen,
				      "len", h->len, "verdict", verdict);

		json_object_set_new(p, "counters", counters ? counters : json_object());
		if (out_len)
			json_object_set_new(p, "out_len", json_integer(out_len));
		if (note && *note)
			json_object_set_new(p, "note", json_string(note));
		json_array_append_new(r->packets, p);
		return;
	}
	if (counters)
		json_decref(counters);
	printf("%ld: %u bytes%s -> %s", r->n, h->caplen, h->caplen < h->len ? " (cut)" : "",
	       verdict);
	if (moved && *moved)
		printf("  %s", moved);
	if (out_len)
		printf("  out %u bytes", out_len);
	if (note && *note)
		printf("  (%s)", note);
	printf("\n");
}

static int run_one(struct replay *r, const struct pcap_pkthdr *h, const __u8 *data)
{
	__u64 before[(int)LB_STAT_MAX > (int)DECAP_STAT_MAX ? (int)LB_STAT_MAX :
							      (int)DECAP_STAT_MAX];
	__u64 after[sizeof(before) / sizeof(before[0])];
	char why[128] = "", moved[512];
	const __u8 *frame;
	json_t *counters;
	__u32 len;
	int err;
	LIBBPF_OPTS(bpf_test_run_opts, t, .repeat = 1);

	frame = frame_of(r, data, h->caplen, &len, why, sizeof(why));
	if (frame && len < ETH_HLEN)
		snprintf(why, sizeof(why), "%u bytes: shorter than an Ethernet header", len),
			frame = NULL;
	if (!frame) {
		r->skipped++;
		report(r, h, "SKIPPED", NULL, NULL, 0, why);
		return 0;
	}
	if (h->caplen < h->len)
		snprintf(why, sizeof(why), "cut by the capture: %u of %u bytes", h->caplen, h->len);
	t.data_in = frame;
	t.data_size_in = len;
	t.data_out = r->result;
	t.data_size_out = sizeof(r->result);
	if (stats_read(r, before))
		return -EIO;
	err = bpf_prog_test_run_opts(r->prog_fd, &t);
	if (err) {
		err = -errno;
		snprintf(why, sizeof(why), "the kernel refused the frame for BPF_PROG_RUN: %s",
			 strerror(-err));
		r->skipped++;
		report(r, h, "SKIPPED", NULL, NULL, 0, why);
		return 0;
	}
	if (stats_read(r, after))
		return -EIO;
	r->run++;
	if (t.retval < sizeof(r->verdicts) / sizeof(r->verdicts[0]))
		r->verdicts[t.retval]++;
	counters = r->o->json ? json_object() : NULL;
	counters_moved(r, before, after, moved, sizeof(moved), counters);
	if (!verdict_emits(r, (int)t.retval)) {
		report(r, h, verdict_name(r, (int)t.retval), moved, counters, 0, why);
		return 0;
	}
	if (r->out) {
		struct pcap_pkthdr oh = { .ts = h->ts,
					  .caplen = t.data_size_out,
					  .len = t.data_size_out };

		pcap_dump((u_char *)r->out, &oh, r->result);
		r->written++;
	}
	report(r, h, verdict_name(r, (int)t.retval), moved, counters, t.data_size_out, why);
	return 0;
}

static int open_input(struct replay *r)
{
	char err[PCAP_ERRBUF_SIZE];

	r->in = pcap_open_offline(r->o->in, err);
	if (!r->in) {
		fprintf(stderr, "dsrlab replay: %s: %s\n", r->o->in, err);
		return -EINVAL;
	}
	r->dlt = pcap_datalink(r->in);
	switch (r->dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		break;
	default:
		fprintf(stderr,
			"dsrlab replay: %s: link type %s (%d) is not replayed: Ethernet, Linux "
			"cooked (SLL, SLL2) and raw IP captures are\n",
			r->o->in, pcap_datalink_val_to_name(r->dlt) ?: "unknown", r->dlt);
		return -EINVAL;
	}
	if (!r->o->out)
		return 0;
	r->dead = pcap_open_dead(DLT_EN10MB, FRAME_MAX + OUT_ROOM);
	r->out = r->dead ? pcap_dump_open(r->dead, r->o->out) : NULL;
	if (!r->out) {
		fprintf(stderr, "dsrlab replay: %s: %s\n", r->o->out,
			r->dead ? pcap_geterr(r->dead) : "cannot open");
		return -EIO;
	}
	return 0;
}

static void summary(struct replay *r, const char *error)
{
	json_t *doc, *v;
	int i;

	if (!r->o->json) {
		printf("replayed %ld of %ld packets through the %s program (%ld skipped)", r->run,
		       r->n, r->cfg.prog == REPLAY_LB ? "balancer" : "decap", r->skipped);
		for (i = 0; i < 8; i++)
			if (r->verdicts[i])
				printf(", %s %ld", verdict_name(r, i), r->verdicts[i]);
		if (r->out)
			printf("; %ld written to %s", r->written, r->o->out);
		printf("\n");
		if (*error)
			printf("error: %s\n", error);
		return;
	}
	v = json_object();
	for (i = 0; i < 8; i++)
		if (r->verdicts[i])
			json_object_set_new(v, verdict_name(r, i), json_integer(r->verdicts[i]));
	doc = json_pack("{s:i,s:s,s:s,s:s,s:O,s:{s:i,s:i,s:i,s:i,s:o},s:s}", "version", 1, "prog",
			r->o->prog, "input", r->o->in, "link_type",
			pcap_datalink_val_to_name(r->dlt) ?: "?", "packets", r->packets, "summary",
			"packets", r->n, "run", r->run, "skipped", r->skipped, "written",
			r->written, "verdicts", v, "error", error);
	json_dumpf(doc, stdout, JSON_INDENT(1));
	printf("\n");
	json_decref(doc);
}

static int replay_loop(struct replay *r, char *error, size_t elen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	while ((rc = pcap_next_ex(r->in, &h, &data)) == 1) {
		r->n++;
		if (run_one(r, h, data)) {
			snprintf(error, elen,
				 "packet %ld: the program's counters could not be read", r->n);
			return 3;
		}
	}
	if (rc == PCAP_ERROR) { /* a truncated or broken file: what came before was replayed */
		snprintf(error, elen, "%s: after packet %ld: %s", r->o->in, r->n,
			 pcap_geterr(r->in));
		return 2;
	}
	return 0;
}

int replay_main(const struct replay_opts *o)
{
	struct replay *r = calloc(1, sizeof(*r));
	char error[PCAP_ERRBUF_SIZE + PATH_MAX] = "";
	int code = 0;

	if (!r)
		return 3;
	r->o = o;
	r->packets = json_array();
	if (replay_config_load(o->config, !strcmp(o->prog, "lb") ? REPLAY_LB : REPLAY_DECAP,
			       &r->cfg, stderr) ||
	    open_input(r))
		code = 2;
	else if (geteuid())
		fprintf(stderr, "dsrlab replay: BPF_PROG_RUN needs root\n"), code = 4;
	else if (setup(r))
		fprintf(stderr, "dsrlab replay: could not load the %s program\n", o->prog),
			code = 3;
	if (!code) {
		code = replay_loop(r, error, sizeof(error));
		summary(r, error);
		if (*error && !o->json)
			fprintf(stderr, "dsrlab replay: %s\n", error);
	}
	if (r->out)
		pcap_dump_close(r->out);
	if (r->dead)
		pcap_close(r->dead);
	if (r->in)
		pcap_close(r->in);
	if (r->lb)
		lb_close(r->lb);
	decap_release(r->decap);
	json_decref(r->packets);
	free(r);
	return code;
}
