// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/pkt_build.h"
#include "tests/bpf/fixture.h"

#define ETHERTYPE_ARP	       0x0806
#define ETHERTYPE_VLAN	       0x8100
#define ETHERTYPE_EXPERIMENTAL 0x88b5
#define IPPROTO_EXPERIMENTAL   253

static int parse_mac(const char *s, __u8 *mac)
{
	unsigned int m[6];
	int i;

	if (!s || sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) {
		fprintf(stderr, "fixture: bad MAC '%s'\n", s ? s : "(null)");
		return -1;
	}
	for (i = 0; i < 6; i++)
		mac[i] = m[i];
	return 0;
}

static int parse_ip(const char *s, const char *real, int af, __u8 *out)
{
	if (s && !strcmp(s, FIX_REAL))
		s = real;
	if (!s || inet_pton(af, s, out) != 1) {
		fprintf(stderr, "fixture: bad IPv%d address '%s'\n", af == AF_INET ? 4 : 6,
			s ? s : "(null)");
		return -1;
	}
	return 0;
}

/* clang-format off */
static const __u8 arp_request[28] = {
	0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,     /* Ethernet/IPv4 request */
	0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 10, 0, 1, 1, /* sender 10.0.1.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 0, 1, 2, /* who has 10.0.1.2 */
};
/* clang-format on */

/*
 * The next-protocol value of a layer nothing known follows (data, or the end): an IP layer's
 * (or a fragment header's, a GUE header's) proto, else 253 (experimental); after Ethernet or
 * a VLAN tag, 0x88b5 (local experimental).
 */
static void link_unknown(struct pkt *b, const struct fix_layer *l)
{
	if (b->next_kind == PKT_NEXT_ETHERTYPE)
		pkt_link(b, ETHERTYPE_EXPERIMENTAL);
	else if (b->next_kind == PKT_NEXT_IPPROTO)
		pkt_link(b, l && l->proto ? l->proto : IPPROTO_EXPERIMENTAL);
}

/* One row layer through the project's packet builder (common/pkt_build.h). */
static int put_layer(struct pkt *b, const struct fix_layer *l, const struct fix_layer *prev,
		     const char *real)
{
	__u8 mac_d[6], mac_s[6], a_s[16], a_d[16];
	struct ipv6_frag_hdr *fh;
	struct ipv6hdr *ip6h;
	__be32 s4, d4;
	struct tcphdr *th;
	struct iphdr *iph;
	__u8 *d;
	__u32 i;

	switch (l->kind) {
	case FIX_L_ETH:
		if (parse_mac(l->dst, mac_d) || parse_mac(l->src, mac_s))
			return -1;
		pkt_eth(b, mac_d, mac_s);
		return 0;
	case FIX_L_VLAN:
		pkt_vlan(b, ETHERTYPE_VLAN, l->tci);
		return 0;
	case FIX_L_ARP:
		pkt_link(b, ETHERTYPE_ARP);
		memcpy(pkt_put(b, sizeof(arp_request)), arp_request, sizeof(arp_request));
		return 0;
	case FIX_L_IP4:
		if (parse_ip(l->src, real, AF_INET, a_s) || parse_ip(l->dst, real, AF_INET, a_d))
			return -1;
		memcpy(&s4, a_s, 4);
		memcpy(&d4, a_d, 4);
		iph = pkt_ipv4_opt(b, s4, d4, NULL, 4 * l->opts);
		iph->tos = l->tos;
		iph->id = htons(l->id);
		iph->frag_off = htons(l->frag);
		iph->ttl = l->ttl;
		pkt_fix_len(b, l->len);
		pkt_break_csum(b, l->csum_xor);
		return 0;
	case FIX_L_IP6:
		if (parse_ip(l->src, real, AF_INET6, a_s) || parse_ip(l->dst, real, AF_INET6, a_d))
			return -1;
		ip6h = pkt_ipv6(b, a_s, a_d);
		pkt_ipv6_tclass(ip6h, l->tos, l->label);
		ip6h->hop_limit = l->ttl;
		pkt_fix_len(b, l->len);
		return 0;
	case FIX_L_TCP:
		th = pkt_tcp(b, l->sport, l->dport, l->flags);
		th->seq = htonl(0x10000000);
		th->ack_seq = 0;
		th->window = htons(64240);
		return 0;
	case FIX_L_UDP:
		pkt_udp(b, l->sport, l->dport);
		return 0;
	case FIX_L_ICMP4:
		pkt_icmp(b, l->flags, l->code, l->rest >> 16, l->rest & 0xffff);
		return 0;
	case FIX_L_ICMP6:
		pkt_icmpv6(b, l->flags, l->code, l->rest >> 16, l->rest & 0xffff);
		return 0;
	case FIX_L_FRAG6:
		fh = pkt_ipv6_frag(b, 0, 0, l->id);
		fh->frag_off = htons(l->frag);
		return 0;
	case FIX_L_GUE0:
		pkt_gue0(b, 0);
		return 0;
	case FIX_L_DATA:
		link_unknown(b, prev);
		d = pkt_put(b, l->len);
		for (i = 0; i < l->len; i++)
			d[i] = 0xa0 + i;
		return 0;
	default:
		fprintf(stderr, "fixture: unexpected layer kind %d\n", l->kind);
		return -1;
	}
}

/* The builder's checksums, each verified with the oracle: 0 when all sum to zero. */
static int oracle_check(const struct pkt *b)
{
	static __u8 buf[40 + PKT_BUILDER_MAX];
	int i;

	for (i = 0; i < b->nlayers; i++) {
		const struct pkt_layer *l = &b->layers[i];
		const __u8 *h = b->data + l->off;
		__u32 len = b->len - l->off;
		const char *what = NULL;

		if (l->kind == PKT_L_IPV4 && !l->csum_xor && fix_inet_csum(h, (h[0] & 0xf) * 4))
			what = "IPv4 header";
		else if (l->kind == PKT_L_ICMP && fix_inet_csum(h, len))
			what = "ICMP";
		else if (l->kind == PKT_L_ICMPV6 && l->ip_off >= 0) {
			memset(buf, 0, 40); /* pseudo-header: addresses, length, next header 58 */
			memcpy(buf, b->data + l->ip_off + 8, 32);
			buf[34] = len >> 8;
			buf[35] = len & 0xff;
			buf[39] = IPPROTO_ICMPV6;
			memcpy(buf + 40, h, len);
			if (fix_inet_csum(buf, 40 + len))
				what = "ICMPv6";
		}
		if (what) {
			fprintf(stderr,
				"fixture: the builder's %s checksum at byte %u fails RFC 1071\n",
				what, l->off);
			return -1;
		}
	}
	return 0;
}

int fix_pkt_build(struct fix_pkt *p, const struct fix_layer *layers, const char *real)
{
	static struct pkt b; /* large; the fixtures build one packet at a time */
	const struct fix_layer *last = NULL;
	__u32 trunc = 0;
	int n;

	memset(p, 0, sizeof(*p));
	pkt_init(&b);
	b.no_l4_csum = 1;
	for (n = 0; n < FIX_MAX_LAYERS && layers[n].kind != FIX_L_END; n++) {
		if (layers[n].kind == FIX_L_TRUNC) {
			trunc = layers[n].len;
			break;
		}
		if (put_layer(&b, &layers[n], last, real))
			return -1;
		last = &layers[n];
	}
	link_unknown(&b, last);
	if (b.len > FIX_PKT_MAX) {
		fprintf(stderr, "fixture: packet longer than %d bytes\n", FIX_PKT_MAX);
		return -1;
	}
	/* lengths to the end of the frame, header checksums, then ICMP checksums innermost first */
	pkt_finish(&b);
	if (oracle_check(&b))
		return -1;
	if (trunc > b.len) {
		fprintf(stderr, "fixture: TRUNC(%u) beyond the %u-byte frame\n", trunc, b.len);
		return -1;
	}
	p->len = trunc ? trunc : b.len;
	memcpy(p->b, b.data, p->len);
	return 0;
}

int fix_flow_key(const struct fix_layer *layers, struct flow_key *k)
{
	const struct fix_layer *ip = NULL, *l4 = NULL, *frag = NULL;
	int i;

	for (i = 0; i < FIX_MAX_LAYERS && layers[i].kind != FIX_L_END; i++) {
		if (layers[i].kind == FIX_L_IP4 || layers[i].kind == FIX_L_IP6) {
			ip = &layers[i];
			l4 = frag = NULL;
		} else if (ip && layers[i].kind == FIX_L_FRAG6) {
			frag = &layers[i];
		} else if (ip && !l4 &&
			   (layers[i].kind == FIX_L_TCP || layers[i].kind == FIX_L_UDP)) {
			l4 = &layers[i];
		}
	}
	if (!ip)
		return -1;
	memset(k, 0, sizeof(*k));
	if (ip->kind == FIX_L_IP4) {
		k->family = FAM_IPV4;
		if (parse_ip(ip->src, NULL, AF_INET, (__u8 *)&k->src) ||
		    parse_ip(ip->dst, NULL, AF_INET, (__u8 *)&k->dst))
			return -1;
	} else {
		k->family = FAM_IPV6;
		if (parse_ip(ip->src, NULL, AF_INET6, (__u8 *)k->srcv6) ||
		    parse_ip(ip->dst, NULL, AF_INET6, (__u8 *)k->dstv6))
			return -1;
	}
	if (l4) {
		k->proto = l4->kind == FIX_L_TCP ? IPPROTO_TCP : IPPROTO_UDP;
		k->port16[0] = htons(l4->sport);
		k->port16[1] = htons(l4->dport);
	} else {
		if (frag)
			ip = frag; /* its next header is the flow's protocol */
		k->proto = ip->proto ? ip->proto : IPPROTO_EXPERIMENTAL;
	}
	return 0;
}

/* RFC 1071, on purpose apart from common/csum.h: the oracle (see fixture.h). */
__u16 fix_inet_csum(const void *buf, size_t len)
{
	const __u8 *p = buf;
	__u32 sum = 0;
	size_t i;

	/* one's complement sum of big-endian 16-bit words, folded, inverted */
	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((__u16)~sum);
}

static void hex_rows(const char *tag, const __u8 *a, __u32 alen, const __u8 *b, __u32 blen)
{
	__u32 row, i;

	for (row = 0; row < alen; row += 16) {
		bool differs = false;

		for (i = row; i < row + 16 && (i < alen || i < blen); i++)
			if (i >= alen || i >= blen || a[i] != b[i])
				differs = true;
		fprintf(stderr, "  %s %c %04x:", tag, differs ? '*' : ' ', row);
		for (i = row; i < row + 16 && i < alen; i++)
			fprintf(stderr, " %02x", a[i]);
		fprintf(stderr, "\n");
	}
}

bool fix_bytes_equal(const char *what, const __u8 *got, __u32 got_len, const __u8 *want,
		     __u32 want_len)
{
	__u32 i, n = got_len < want_len ? got_len : want_len;

	if (got_len == want_len && !memcmp(got, want, n))
		return true;
	for (i = 0; i < n && got[i] == want[i]; i++)
		;
	fprintf(stderr, "%s: output differs at offset %u (0x%x)", what, i, i);
	if (i < n)
		fprintf(stderr, ": want %02x, got %02x", want[i], got[i]);
	fprintf(stderr, "; length want %u, got %u\n", want_len, got_len);
	hex_rows("want", want, want_len, got, got_len);
	hex_rows("got ", got, got_len, want, want_len);
	return false;
}

int fix_prog_run(int prog_fd, const struct fix_pkt *in, struct fix_pkt *out, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->b, .data_size_in = in->len,
		    .data_out = out->b, .data_size_out = sizeof(out->b), .repeat = 1);
	int err;

	memset(out, 0, sizeof(*out));
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err) {
		fprintf(stderr, "BPF_PROG_RUN: %s\n", strerror(errno));
		return -errno;
	}
	out->len = opts.data_size_out;
	*retval = opts.retval;
	return 0;
}

bool fix_must_skip(void)
{
	if (geteuid() == 0)
		return false;
	fprintf(stderr, "skipped: BPF_PROG_RUN needs root (CAP_BPF and CAP_NET_ADMIN)\n");
	return true;
}
