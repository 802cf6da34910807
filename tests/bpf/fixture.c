// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tests/bpf/fixture.h"

#define ETHERTYPE_IP	     0x0800
#define ETHERTYPE_ARP	     0x0806
#define ETHERTYPE_VLAN	     0x8100
#define ETHERTYPE_IPV6	     0x86dd
#define IPPROTO_EXPERIMENTAL 253

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

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

/* The ethertype a layer answers to (VLAN tags and Ethernet announce what follows). */
static __u16 next_ethertype(const struct fix_layer *next)
{
	switch (next->kind) {
	case FIX_L_VLAN:
		return ETHERTYPE_VLAN;
	case FIX_L_ARP:
		return ETHERTYPE_ARP;
	case FIX_L_IP4:
		return ETHERTYPE_IP;
	case FIX_L_IP6:
		return ETHERTYPE_IPV6;
	default:
		return 0x88b5; /* local experimental */
	}
}

static __u8 next_ipproto(const struct fix_layer *cur, const struct fix_layer *next)
{
	switch (next->kind) {
	case FIX_L_IP4:
		return IPPROTO_IPIP;
	case FIX_L_IP6:
		return IPPROTO_IPV6;
	case FIX_L_TCP:
		return IPPROTO_TCP;
	case FIX_L_UDP:
		return IPPROTO_UDP;
	case FIX_L_ICMP4:
		return IPPROTO_ICMP;
	case FIX_L_ICMP6:
		return IPPROTO_ICMPV6;
	case FIX_L_FRAG6:
		return IPPROTO_FRAGMENT;
	default:
		return cur->proto ? cur->proto : IPPROTO_EXPERIMENTAL;
	}
}

/* clang-format off */
static const __u8 arp_request[28] = {
	0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,     /* Ethernet/IPv4 request */
	0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 10, 0, 1, 1, /* sender 10.0.1.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 0, 1, 2, /* who has 10.0.1.2 */
};
/* clang-format on */

/* Append one layer; records where length fields live so they can be filled at the end. */
static int put_layer(struct fix_pkt *p, const struct fix_layer *l, const struct fix_layer *next,
		     const char *real)
{
	__u8 *h = p->b + p->len;
	__u32 need, i;

	switch (l->kind) {
	case FIX_L_ETH:
		need = 14;
		break;
	case FIX_L_VLAN:
	case FIX_L_GUE0:
		need = 4;
		break;
	case FIX_L_ARP:
		need = sizeof(arp_request);
		break;
	case FIX_L_IP4:
		need = 20 + 4 * l->opts;
		break;
	case FIX_L_TCP:
		need = 20;
		break;
	case FIX_L_IP6:
		need = 40;
		break;
	case FIX_L_UDP:
	case FIX_L_ICMP4:
	case FIX_L_ICMP6:
	case FIX_L_FRAG6:
		need = 8;
		break;
	case FIX_L_DATA:
		need = l->len;
		break;
	default:
		fprintf(stderr, "fixture: unexpected layer kind %d\n", l->kind);
		return -1;
	}
	if (p->len + need > sizeof(p->b)) {
		fprintf(stderr, "fixture: packet longer than %zu bytes\n", sizeof(p->b));
		return -1;
	}
	memset(h, 0, need);

	switch (l->kind) {
	case FIX_L_ETH:
		if (parse_mac(l->dst, h) || parse_mac(l->src, h + 6))
			return -1;
		put16(h + 12, next_ethertype(next));
		break;
	case FIX_L_VLAN:
		put16(h, l->tci);
		put16(h + 2, next_ethertype(next));
		break;
	case FIX_L_ARP:
		memcpy(h, arp_request, sizeof(arp_request));
		break;
	case FIX_L_IP4:
		h[0] = 0x45 + l->opts;
		for (i = 20; i < need; i++)
			h[i] = 1; /* NOP */
		h[1] = l->tos;
		put16(h + 4, l->id);
		put16(h + 6, l->frag);
		h[8] = l->ttl;
		h[9] = next_ipproto(l, next);
		if (parse_ip(l->src, real, AF_INET, h + 12) ||
		    parse_ip(l->dst, real, AF_INET, h + 16))
			return -1;
		break;
	case FIX_L_IP6:
		h[0] = 0x60 | l->tos >> 4;
		h[1] = (l->tos & 0xf) << 4 | (l->label >> 16 & 0xf);
		h[2] = l->label >> 8 & 0xff;
		h[3] = l->label & 0xff;
		h[6] = next_ipproto(l, next);
		h[7] = l->ttl;
		if (parse_ip(l->src, real, AF_INET6, h + 8) ||
		    parse_ip(l->dst, real, AF_INET6, h + 24))
			return -1;
		break;
	case FIX_L_TCP:
		put16(h, l->sport);
		put16(h + 2, l->dport);
		put16(h + 4, 0x1000); /* seq 0x10000000 */
		h[12] = 5 << 4;
		h[13] = l->flags;
		put16(h + 14, 64240);
		break;
	case FIX_L_UDP:
		put16(h, l->sport);
		put16(h + 2, l->dport);
		break;
	case FIX_L_ICMP4:
	case FIX_L_ICMP6:
		h[0] = l->flags;
		h[1] = l->code;
		put16(h + 4, l->rest >> 16);
		put16(h + 6, l->rest & 0xffff);
		break;
	case FIX_L_FRAG6:
		h[0] = next_ipproto(l, next);
		put16(h + 2, l->frag);
		put16(h + 6, l->id);
		break;
	case FIX_L_GUE0:
		h[1] = next_ipproto(l, next);
		break;
	case FIX_L_DATA:
		for (i = 0; i < need; i++)
			h[i] = 0xa0 + i;
		break;
	}
	p->len += need;
	return 0;
}

/* ICMPv6 checksum of layer i to the end of the frame, with the last IPv6 header before it. */
static __u16 icmp6_csum(const struct fix_pkt *p, const struct fix_layer *layers, const __u32 *off,
			int i)
{
	__u8 buf[FIX_PKT_MAX + 40];
	__u32 len = p->len - off[i];
	int j;

	for (j = i - 1; j >= 0 && layers[j].kind != FIX_L_IP6; j--)
		;
	memset(buf, 0, 40);
	if (j >= 0)
		memcpy(buf, p->b + off[j] + 8, 32);
	buf[34] = len >> 8;
	buf[35] = len & 0xff;
	buf[39] = IPPROTO_ICMPV6;
	memcpy(buf + 40, p->b + off[i], len);
	buf[40 + 2] = buf[40 + 3] = 0;
	return fix_inet_csum(buf, 40 + len);
}

int fix_pkt_build(struct fix_pkt *p, const struct fix_layer *layers, const char *real)
{
	static const struct fix_layer end = { .kind = FIX_L_END };
	__u32 off[FIX_MAX_LAYERS];
	__u32 trunc = 0;
	__u16 c;
	int i, n;

	memset(p, 0, sizeof(*p));
	for (n = 0; n < FIX_MAX_LAYERS && layers[n].kind != FIX_L_END; n++) {
		const struct fix_layer *next = n + 1 < FIX_MAX_LAYERS ? &layers[n + 1] : &end;

		off[n] = p->len;
		if (layers[n].kind == FIX_L_TRUNC) {
			trunc = layers[n].len;
			break;
		}
		if (put_layer(p, &layers[n], next, real))
			return -1;
	}

	/* Lengths cover the rest of the frame; checksums after them. */
	for (i = 0; i < n; i++) {
		__u8 *h = p->b + off[i];

		if (layers[i].kind == FIX_L_IP4) {
			put16(h + 2, layers[i].len ? layers[i].len : p->len - off[i]);
			c = fix_inet_csum(h, 20 + 4 * layers[i].opts) ^ htons(layers[i].csum_xor);
			memcpy(h + 10, &c, 2);
		} else if (layers[i].kind == FIX_L_IP6) {
			put16(h + 4, layers[i].len ? layers[i].len : p->len - off[i] - 40);
		} else if (layers[i].kind == FIX_L_UDP) {
			put16(h + 4, p->len - off[i]);
		}
	}
	/* ICMP checksums last, over the finished bytes (inner ones first, for nested errors). */
	for (i = n - 1; i >= 0; i--) {
		__u8 *h = p->b + off[i];

		if (layers[i].kind == FIX_L_ICMP4)
			c = fix_inet_csum(h, p->len - off[i]);
		else if (layers[i].kind == FIX_L_ICMP6)
			c = icmp6_csum(p, layers, off, i);
		else
			continue;
		memcpy(h + 2, &c, 2);
	}
	if (trunc) {
		if (trunc > p->len) {
			fprintf(stderr, "fixture: TRUNC(%u) beyond the %u-byte frame\n", trunc,
				p->len);
			return -1;
		}
		p->len = trunc;
	}
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

__u16 fix_inet_csum(const void *buf, size_t len)
{
	const __u8 *p = buf;
	__u32 sum = 0;
	__u16 c;
	size_t i;

	/* RFC 1071: one's complement sum of big-endian 16-bit words, folded, inverted. */
	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = htons((__u16)~sum);
	return c;
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
