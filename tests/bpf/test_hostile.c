// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile-packet corpus (issue 11): base packets written as fixture layers (the client's
 * traffic the balancer sees, the tunnel traffic the decap sees, ICMP errors), and from each
 * every truncation, every length field at -1/+1 and at its extremes, every header length,
 * martian sources, padding and seeded random byte flips. Every one runs through the balancer
 * and through the decap (serving an IPv4 and an IPv6 address) under BPF_PROG_RUN,
 * and the invariants of docs/hostile-input.md are checked against each output:
 *
 * balancer  XDP_PASS leaves the frame untouched. XDP_TX is either an encapsulation (outer
 *           length = the bytes sent, a valid IPv4 checksum, within the MTU, the inner packet
 *           byte for byte the input's IP packet, without padding) or a too-big answer (to a
 *           sane unicast source, 576 or 1280 bytes); a relayed ICMP error came from a sane
 *           source, was at most 576 / 1280 bytes and quoted 8 bytes past its IP header.
 * decap     a stripped packet had an allowed outer source, the served outer destination and
 *           a sound outer header (no IPv4 options, its checksum, its length = the frame's),
 *           and what is left is exactly the input without that header; anything else is
 *           passed untouched or dropped. A second decap, the same but for the balancers'
 *           own addresses inline in its config (as decap_load() puts them, so that their
 *           packets can take decap_fast()), must give every packet the same verdict, output
 *           and counter.
 *
 * It prints how many packets ran and the totals per counter of each program. With --dump DIR
 * it writes the base packets as seeds for tests/fuzz (fuzz_parse's format: one option byte,
 * then the frame) instead.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/maps.h"
#include "common/parse.h"
#include "common/stat_names.h"
#include "tests/bpf/fixture.h"
#include "balancer.skel.h"
#include "decap.skel.h"

#define MAC_A	 "02:00:00:00:01:01"
#define MAC_B	 "02:00:00:00:01:02"
#define LB4	 "10.0.1.2"
#define LB6	 "2001:db8:1b::2"
#define REAL4	 "10.1.0.2"
#define REAL6	 "2001:db8:1::2"
#define CLIENT4	 "10.0.0.2"
#define CLIENT6	 "2001:db8:ff::2"
#define ROUTER4	 "10.0.0.1"
#define ROUTER6	 "2001:db8:ff::1"
#define VIP4	 "10.100.0.1" /* :80/tcp ipip, :53/udp gue (v4) */
#define VIP4_ALL "10.100.0.3" /* every UDP port, hash-no-ports, ipip */
#define VIP6	 "2001:db8:100::1" /* :80/tcp ip6ip6, :53/udp ip6ip6 */
#define GUE_PORT 6080
#define MTU	 1500
#define FLIPS	 64 /* random byte changes per base */

#define L_ETH	   ETH(MAC_B, MAC_A)
#define OUT4(s, d) IP4_OUTER(s, d, 0)
#define PTB4(from, n)                                                                       \
	IP4(from, VIP4), ICMP4(3, 4, 1400),                                                 \
		{ .kind = FIX_L_IP4, .src = VIP4, .dst = CLIENT4, .ttl = 63, .len = 1500 }, \
		TCP(80, 41000, TCP_ACK), DATA(n)
#define PTB6(from, n)                                                                       \
	IP6(from, VIP6), ICMP6_ALL(2, 0, 1400),                                             \
		{ .kind = FIX_L_IP6, .src = VIP6, .dst = CLIENT6, .ttl = 63, .len = 1460 }, \
		UDP(53, 41001), DATA(n)

static const struct fix_layer bases[][FIX_MAX_LAYERS] = {
	/* to the balancer */
	{ L_ETH, IP4(CLIENT4, VIP4), TCP(40000, 80, TCP_SYN), DATA(12) },
	{ L_ETH, IP4(CLIENT4, VIP4), TCP(40001, 80, TCP_ACK), DATA(100) },
	{ L_ETH, VLAN(100), IP4(CLIENT4, VIP4), TCP(40002, 80, TCP_SYN) },
	{ L_ETH, VLAN(100), VLAN(200), IP4(CLIENT4, VIP4), TCP(40003, 80, TCP_SYN) },
	{ L_ETH, IP4(CLIENT4, VIP4), UDP(40004, 53), DATA(30) },
	{ L_ETH, IP4F(CLIENT4, VIP4_ALL, IP4_MF), UDP(40005, 5353), DATA(64) },
	{ L_ETH, IP4_ALL(CLIENT4, VIP4_ALL, 0x10, 63, 0x1c47, 9, IPPROTO_UDP), DATA(40) },
	{ L_ETH, IP4(CLIENT4, VIP4), TCP(40006, 80, TCP_ACK), DATA(1440) }, /* over the MTU */
	{ L_ETH, IP6(CLIENT6, VIP6), TCP(40007, 80, TCP_SYN), DATA(12) },
	{ L_ETH, IP6(CLIENT6, VIP6), UDP(40008, 53), DATA(20) },
	{ L_ETH, IP6(CLIENT6, VIP6), FRAG6(1, 0x77, 0), UDP(40009, 53), DATA(16) },
	{ L_ETH, IP6(CLIENT6, VIP6), TCP(40010, 80, TCP_ACK), DATA(1420) }, /* over the MTU */
	{ L_ETH, PTB4(ROUTER4, 8) },
	{ L_ETH, PTB4(ROUTER4, 508) }, /* 576 bytes */
	{ L_ETH, PTB4(ROUTER4, 509) }, /* 577 bytes: oversized */
	{ L_ETH, PTB6(ROUTER6, 8) },
	{ L_ETH, PTB6(ROUTER6, 1184) }, /* 1280 bytes */
	{ L_ETH, PTB6(ROUTER6, 1185) }, /* 1281 bytes: oversized */
	/* to the decap */
	{ L_ETH, OUT4(LB4, REAL4), IP4(CLIENT4, VIP4), TCP(40011, 80, TCP_SYN), DATA(16) },
	{ L_ETH, IP6(LB6, REAL6), IP6(CLIENT6, VIP6), TCP(40012, 80, TCP_SYN), DATA(16) },
	{ L_ETH, IP6(LB6, REAL6), IP4(CLIENT4, VIP4), UDP(40013, 53), DATA(8) },
	{ L_ETH, OUT4(LB4, REAL4), UDP(50000, GUE_PORT), IP4(CLIENT4, VIP4), TCP(40014, 80, 2) },
	{ L_ETH, IP6(LB6, REAL6), UDP(50001, GUE_PORT), IP6(CLIENT6, VIP6), TCP(40015, 80, 2) },
	{ L_ETH, OUT4(LB4, REAL4), UDP(50002, GUE_PORT), GUE0, IP6(CLIENT6, VIP6), UDP(1, 53) },
	/* a client's UDP to a tenant on the GUE port whose payload looks like IP */
	{ L_ETH, IP4(CLIENT4, REAL4), UDP(40016, GUE_PORT), IP4(CLIENT4, VIP4), DATA(8) },
};
#define N_BASES (sizeof(bases) / sizeof(bases[0]))

static const char *const martians4[] = { "0.0.0.0",   "255.255.255.255", "224.0.0.1",
					 "127.0.0.1", "240.0.0.1",	 "0.1.2.3" };
static const char *const martians6[] = { "::", "::1", "ff02::1", "ff0e::1", "::ffff:10.0.0.1" };

struct corpus {
	struct fix_pkt *p;
	size_t n, cap;
};

static int corpus_add(struct corpus *c, const struct fix_pkt *p)
{
	struct fix_pkt *np;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1024;
		np = realloc(c->p, c->cap * sizeof(*np));
		if (!np)
			return -ENOMEM;
		c->p = np;
	}
	c->p[c->n++] = *p;
	return 0;
}

static __u16 get16(const __u8 *p)
{
	return p[0] << 8 | p[1];
}

static void set16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Bytes of Ethernet and VLAN tags in front of the IP header (up to two tags, as parsed). */
static __u32 l2_len(const struct fix_pkt *p)
{
	__u32 off = 12, tags = 0;

	while (off + 2 <= p->len && tags <= 2 &&
	       (get16(p->b + off) == 0x8100 || get16(p->b + off) == 0x88a8)) {
		off += 4;
		tags++;
	}
	return off + 2;
}

static void ip4_csum_fix(__u8 *h, __u32 room)
{
	__u32 hlen = (h[0] & 15) * 4;
	__u16 c;

	if (hlen < 20 || hlen > room)
		hlen = 20;
	if (hlen > room)
		return;
	h[10] = h[11] = 0;
	c = fix_inet_csum(h, hlen);
	memcpy(h + 10, &c, 2);
}

static bool ip4_csum_ok(const __u8 *h)
{
	return fix_inet_csum(h, 20) == 0;
}

/* Every length field of the IP header at off (and the UDP header after it) moved around. */
static int mutate_lengths(struct corpus *c, const struct fix_pkt *p, __u32 off)
{
	struct fix_pkt q;
	__u32 room = p->len - off, v, i, hlen, uoff;
	__u32 vals[8];
	int v4, err = 0;

	if (room < 20)
		return 0;
	v4 = p->b[off] >> 4 == 4;
	if (!v4 && room < 40)
		return 0;
	v = get16(p->b + off + (v4 ? 2 : 4));
	vals[0] = 0, vals[1] = 1, vals[2] = v - 1, vals[3] = v + 1, vals[4] = 0xffff;
	vals[5] = v / 2, vals[6] = v4 ? 20 : 0, vals[7] = v4 ? 19 : 8;
	for (i = 0; i < 8 && !err; i++) {
		q = *p;
		set16(q.b + off + (v4 ? 2 : 4), vals[i] & 0xffff);
		if (v4)
			ip4_csum_fix(q.b + off, room);
		err = corpus_add(c, &q);
	}
	if (v4) {
		for (i = 0; i < 16 && !err; i++) { /* every IHL */
			q = *p;
			q.b[off] = 0x40 | i;
			ip4_csum_fix(q.b + off, room);
			err = corpus_add(c, &q);
		}
		q = *p;
		q.b[off + 11] ^= 1; /* a wrong checksum */
		if (!err)
			err = corpus_add(c, &q);
	}
	hlen = v4 ? (p->b[off] & 15) * 4 : 40;
	uoff = off + hlen;
	if (p->b[off + (v4 ? 9 : 6)] != IPPROTO_UDP || uoff + 8 > p->len)
		return err;
	v = get16(p->b + uoff + 4);
	vals[0] = 0, vals[1] = 7, vals[2] = 8, vals[3] = v - 1, vals[4] = v + 1, vals[5] = 0xffff;
	for (i = 0; i < 6 && !err; i++) {
		q = *p;
		set16(q.b + uoff + 4, vals[i] & 0xffff);
		err = corpus_add(c, &q);
	}
	return err;
}

static int mutate_sources(struct corpus *c, const struct fix_pkt *p, __u32 off)
{
	struct fix_pkt q;
	int v4 = p->b[off] >> 4 == 4, err = 0;
	size_t i, n = v4 ? sizeof(martians4) / sizeof(martians4[0]) :
			   sizeof(martians6) / sizeof(martians6[0]);

	for (i = 0; i <= n && !err; i++) {
		q = *p;
		if (i == n) /* the destination itself */
			memcpy(q.b + off + (v4 ? 12 : 8), q.b + off + (v4 ? 16 : 24), v4 ? 4 : 16);
		else if (inet_pton(v4 ? AF_INET : AF_INET6, v4 ? martians4[i] : martians6[i],
				   q.b + off + (v4 ? 12 : 8)) != 1)
			return -EINVAL;
		if (v4)
			ip4_csum_fix(q.b + off, p->len - off);
		err = corpus_add(c, &q);
	}
	return err;
}

static __u32 rnd_state = 0x1cebeef;

static __u32 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static int corpus_build(struct corpus *c)
{
	static const __u32 pads[] = { 1, 6, 46, 64 };
	struct fix_pkt p, q;
	struct pkt_meta m;
	struct cursor cur;
	size_t b, i;
	int err = 0;

	for (b = 0; b < N_BASES && !err; b++) {
		if (fix_pkt_build(&p, bases[b], NULL))
			return -EINVAL;
		err = corpus_add(c, &p);
		for (i = 0; i < p.len && !err; i++) { /* every truncation */
			q = p;
			q.len = i;
			err = corpus_add(c, &q);
		}
		for (i = 0; i < sizeof(pads) / sizeof(pads[0]) && !err; i++) {
			q = p;
			if (q.len + pads[i] > sizeof(q.b))
				continue;
			memset(q.b + q.len, 0, pads[i]);
			q.len += pads[i];
			err = corpus_add(c, &q);
		}
		cur.pos = p.b;
		cur.end = p.b + p.len;
		memset(&m, 0, sizeof(m));
		parse_packet(&cur, &m, GUE_PORT, 0);
		if (!err)
			err = mutate_lengths(c, &p, m.l3_off);
		if (!err && m.inner_l3_off != m.l3_off)
			err = mutate_lengths(c, &p, m.inner_l3_off);
		if (!err)
			err = mutate_sources(c, &p, m.l3_off);
		for (i = 0; i < FLIPS && !err; i++) {
			q = p;
			q.b[rnd() % q.len] = rnd() >> 8;
			err = corpus_add(c, &q);
		}
	}
	return err;
}

/* --- invariants ----------------------------------------------------------------------- */

static bool src_sane(const __u8 *src, const __u8 *dst, int v4)
{
	static const __u8 zero[16], one[16] = { [15] = 1 };
	static const __u8 mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (!memcmp(src, dst, v4 ? 4 : 16))
		return false;
	if (v4)
		return src[0] != 0 && src[0] != 127 && src[0] < 224;
	return src[0] != 0xff && memcmp(src, zero, 16) && memcmp(src, one, 16) &&
	       memcmp(src, mapped, 12);
}

static int failures;

static void fail(size_t i, const char *prog, const char *why)
{
	if (++failures <= 20)
		fprintf(stderr, "corpus packet %zu (%s): %s\n", i, prog, why);
}

/* The input's IP packet by its own header: where, how long. 0: none. */
static __u32 ip_len_of(const __u8 *ip, __u32 room)
{
	if (room >= 20 && ip[0] >> 4 == 4)
		return get16(ip + 2);
	if (room >= 40 && ip[0] >> 4 == 6)
		return 40 + get16(ip + 4);
	return 0;
}

/* Is the input an ICMP too-big (no extension headers), and what does it quote? */
static bool is_too_big(const __u8 *ip, __u32 len, int v4)
{
	__u32 h = v4 ? (ip[0] & 15) * 4 : 40;

	if (len < h + 8)
		return false;
	if (v4)
		return ip[9] == IPPROTO_ICMP && ip[h] == 3 && ip[h + 1] == 4;
	return ip[6] == IPPROTO_ICMPV6 && ip[h] == 2;
}

static void balancer_check(size_t i, const struct fix_pkt *in, const struct fix_pkt *out,
			   __u32 verdict)
{
	__u8 lb4[4], lb6[16];
	const __u8 *ip, *oip;
	__u32 l2, len, hdr, qh, h;
	int v4;

	if (verdict == XDP_DROP)
		return;
	if (verdict == XDP_PASS) {
		if (out->len != in->len || memcmp(out->b, in->b, in->len))
			fail(i, "balancer", "XDP_PASS changed the frame");
		return;
	}
	if (verdict != XDP_TX) {
		fail(i, "balancer", "verdict not PASS, DROP or TX");
		return;
	}
	l2 = l2_len(in);
	ip = in->b + l2;
	oip = out->b + l2;
	len = ip_len_of(ip, in->len - l2);
	v4 = ip[0] >> 4 == 4;
	if (!len || len > in->len - l2 || out->len < l2 + 20) {
		fail(i, "balancer", "transmitted a frame whose IP length does not fit it");
		return;
	}
	inet_pton(AF_INET, LB4, lb4);
	inet_pton(AF_INET6, LB6, lb6);
	if ((oip[0] >> 4 == 4 && !memcmp(oip + 12, lb4, 4)) ||
	    (oip[0] >> 4 == 6 && !memcmp(oip + 8, lb6, 16))) {
		hdr = oip[0] >> 4 == 4 ? 20 : 40;
		if (ip_len_of(oip, out->len - l2) != out->len - l2)
			fail(i, "balancer", "outer length is not what is sent");
		if (oip[0] >> 4 == 4 && (oip[0] != 0x45 || !ip4_csum_ok(oip)))
			fail(i, "balancer", "outer IPv4 header not IHL 5 with a valid checksum");
		if (out->len - l2 > MTU)
			fail(i, "balancer", "encapsulated past the MTU");
		if ((oip[0] >> 4 == 4 ? oip[9] : oip[6]) == IPPROTO_UDP)
			hdr += 8;
		if (out->len - l2 - hdr != len || memcmp(oip + hdr, ip, len))
			fail(i, "balancer", "the inner packet is not the input's IP packet");
		if (is_too_big(ip, len, v4)) {
			h = v4 ? (ip[0] & 15) * 4 : 40;
			qh = v4 ? (ip[h + 8] & 15) * 4 : 40;
			if (!src_sane(ip + (v4 ? 12 : 8), ip + (v4 ? 16 : 24), v4))
				fail(i, "balancer", "relayed an ICMP error from a martian source");
			if (len > (v4 ? 576u : 1280u))
				fail(i, "balancer", "relayed an oversized ICMP error");
			if (len < h + 8 + qh + 8)
				fail(i, "balancer", "relayed an ICMP error quoting under 8 bytes");
		}
		return;
	}
	/* otherwise it must be a too-big answer to the client */
	if ((v4 ? oip[9] : oip[6]) != (v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6) ||
	    memcmp(oip + (v4 ? 16 : 24), ip + (v4 ? 12 : 8), v4 ? 4 : 16))
		fail(i, "balancer", "transmitted neither an encapsulation nor an answer");
	else if (!src_sane(ip + (v4 ? 12 : 8), ip + (v4 ? 16 : 24), v4))
		fail(i, "balancer", "answered a martian or non-unicast source");
	else if (out->len - l2 != (v4 ? 576u : 1280u) ||
		 ip_len_of(oip, out->len - l2) != out->len - l2)
		fail(i, "balancer", "an answer not of 576 / 1280 bytes");
}

static bool prefix_has(const char *prefix, int plen, const __u8 *a, int v4)
{
	__u8 p[16];
	int bits;

	inet_pton(v4 ? AF_INET : AF_INET6, prefix, p);
	for (bits = 0; bits < plen; bits++)
		if ((p[bits / 8] ^ a[bits / 8]) & (0x80 >> (bits % 8)))
			return false;
	return true;
}

static void decap_check(size_t i, const struct fix_pkt *in, const struct fix_pkt *out,
			__u32 verdict)
{
	__u8 srv[16];
	const __u8 *ip;
	__u32 l2, strip, len;
	int v4;

	if (verdict == TC_ACT_SHOT)
		return;
	if (verdict != TC_ACT_OK) {
		fail(i, "decap", "verdict not OK or SHOT");
		return;
	}
	if (out->len == in->len && !memcmp(out->b, in->b, in->len))
		return; /* passed untouched */
	l2 = l2_len(in);
	ip = in->b + l2;
	v4 = in->len > l2 && ip[0] >> 4 == 4;
	if (out->len >= in->len || in->len < l2 + (v4 ? 20 : 40)) {
		fail(i, "decap", "changed a packet without stripping a header");
		return;
	}
	strip = in->len - out->len;
	inet_pton(v4 ? AF_INET : AF_INET6, v4 ? REAL4 : REAL6, srv);
	if (!(v4 ? prefix_has("10.0.1.0", 24, ip + 12, 1) : prefix_has(LB6, 64, ip + 8, 0)))
		fail(i, "decap", "stripped a packet from a source not allowed");
	if (memcmp(ip + (v4 ? 16 : 24), srv, v4 ? 4 : 16))
		fail(i, "decap", "stripped a packet to an address not served");
	if (v4 && (ip[0] != 0x45 || !ip4_csum_ok(ip)))
		fail(i, "decap", "stripped an outer IPv4 header with options or a bad checksum");
	len = ip_len_of(ip, in->len - l2);
	if (len != in->len - l2 && !(in->len <= 64 && len < in->len - l2))
		fail(i, "decap", "stripped an outer header whose length is not the frame's");
	if (memcmp(out->b, in->b, 12) || memcmp(out->b + l2, ip + strip, out->len - l2))
		fail(i, "decap", "what is left is not the input without its outer header");
}

/* --- programs ------------------------------------------------------------------------- */

/* fix_prog_run() without its message: the kernel refuses some frames on purpose. */
static int prog_run(int prog_fd, const struct fix_pkt *in, struct fix_pkt *out, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->b, .data_size_in = in->len,
		    .data_out = out->b, .data_size_out = sizeof(out->b), .repeat = 1);

	memset(out, 0, sizeof(*out));
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	out->len = opts.data_size_out;
	*retval = opts.retval;
	return 0;
}

static int ring_fill(struct balancer_bpf *skel, __u32 vip_id, __u32 real)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bopts);
	__u32 n = LB_RING_SIZE_DEFAULT, k, *keys = calloc(n, 4), *vals = calloc(n, 4);
	int fd = -1, err = -ENOMEM;

	if (!keys || !vals)
		goto out;
	for (k = 0; k < n; k++) {
		keys[k] = k;
		vals[k] = real;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ring", 4, 4, n, NULL);
	err = fd < 0 || bpf_map_update_batch(fd, keys, vals, &n, &bopts) ||
			      bpf_map_update_elem(bpf_map__fd(skel->maps.rings), &vip_id, &fd, 0) ?
		      -errno :
		      0;
out:
	if (fd >= 0)
		close(fd);
	free(keys);
	free(vals);
	return err;
}

static int balancer_setup(struct balancer_bpf *skel)
{
	static const struct {
		const char *addr;
		__u16 port;
		__u8 proto, encap;
		__u32 flags, real;
	} vips[] = {
		{ VIP4, 80, IPPROTO_TCP, ENCAP_IPIP, 0, 1 },
		{ VIP4, 53, IPPROTO_UDP, ENCAP_GUE, 0, 1 },
		{ VIP4_ALL, 0, IPPROTO_UDP, ENCAP_IPIP, VIP_F_HASH_NO_PORTS, 1 },
		{ VIP6, 80, IPPROTO_TCP, ENCAP_IP6IP6, 0, 2 },
		{ VIP6, 53, IPPROTO_UDP, ENCAP_IP6IP6, 0, 2 },
	};
	struct lb_config cfg = { .ring_size = LB_RING_SIZE_DEFAULT,
				 .hash_seed = 7,
				 .mtu = MTU,
				 .gue_port = GUE_PORT,
				 .flags = LB_CFG_F_ANY_PORT_VIPS,
				 .nexthop_mac = { 2, 0, 0, 0, 1, 0xfe } };
	struct real_def r1 = { .family = FAM_IPV4 }, r2 = { .family = FAM_IPV6 };
	__u32 zero = 0, id;
	size_t i;

	inet_pton(AF_INET, LB4, &cfg.src_v4);
	inet_pton(AF_INET6, LB6, cfg.src_v6);
	inet_pton(AF_INET, REAL4, r1.addr);
	inet_pton(AF_INET6, REAL6, r2.addr);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.lb_config), &zero, &cfg, 0))
		return -errno;
	id = 1;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.reals), &id, &r1, 0))
		return -errno;
	id = 2;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.reals), &id, &r2, 0))
		return -errno;
	for (i = 0; i < sizeof(vips) / sizeof(vips[0]); i++) {
		struct vip_key key = { .port = htons(vips[i].port), .proto = vips[i].proto };
		struct vip_meta meta = { .vip_id = i + 1,
					 .flags = vips[i].flags,
					 .encap = vips[i].encap };
		int err;

		key.family = inet_pton(AF_INET, vips[i].addr, key.addr) == 1 ? FAM_IPV4 : FAM_IPV6;
		if (key.family == FAM_IPV6)
			inet_pton(AF_INET6, vips[i].addr, key.addr);
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.vips), &key, &meta, 0))
			return -errno;
		err = ring_fill(skel, meta.vip_id, vips[i].real);
		if (err)
			return err;
	}
	return 0;
}

static int decap_setup(struct decap_bpf *skel)
{
	struct decap_config cfg = { .gue_port = GUE_PORT,
				    .serve_fams = DECAP_SERVE_IPV4 | DECAP_SERVE_IPV6 };
	struct decap_allow_key k4 = { .prefixlen = 8 + 24, .family = FAM_IPV4 };
	struct decap_allow_key k6 = { .prefixlen = 8 + 64, .family = FAM_IPV6 };
	__u32 zero = 0, one = 1;

	inet_pton(AF_INET, REAL4, cfg.serve[0]);
	inet_pton(AF_INET6, REAL6, cfg.serve[1]);
	inet_pton(AF_INET, "10.0.1.0", k4.addr);
	inet_pton(AF_INET6, LB6, k6.addr);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.decap_config), &zero, &cfg, 0) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.decap_allow), &k4, &one, 0) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.decap_allow), &k6, &one, 0))
		return -errno;
	return 0;
}

/* decap_setup(), and LB4 and LB6 in the inline slots too: inside the allowed prefixes. */
static int decap_setup_inline(struct decap_bpf *skel)
{
	struct decap_config cfg;
	__u32 zero = 0;
	int fd = bpf_map__fd(skel->maps.decap_config);

	if (decap_setup(skel) || bpf_map_lookup_elem(fd, &zero, &cfg))
		return -1;
	cfg.allow_n[0] = cfg.allow_n[1] = 1;
	inet_pton(AF_INET, LB4, &cfg.allow4[0]);
	inet_pton(AF_INET6, LB6, cfg.allow6[0]);
	return bpf_map_update_elem(fd, &zero, &cfg, 0) ? -errno : 0;
}

/* One decap run and how far each of its counters moved. */
static int decap_run(struct decap_bpf *skel, const struct fix_pkt *in, struct fix_pkt *out,
		     __u32 *verdict, __u64 moved[DECAP_STAT_MAX])
{
	int fd = bpf_map__fd(skel->maps.decap_stats), err, i;
	__u64 before[DECAP_STAT_MAX];

	if (percpu_sum_u64(fd, 0, before, DECAP_STAT_MAX))
		return -EIO;
	err = prog_run(bpf_program__fd(skel->progs.decap), in, out, verdict);
	if (err)
		return err;
	if (percpu_sum_u64(fd, 0, moved, DECAP_STAT_MAX))
		return -EIO;
	for (i = 0; i < DECAP_STAT_MAX; i++)
		moved[i] -= before[i];
	return 0;
}

/*
 * Packets per counter, summed over CPUs, into out[n]: the stats map holds one struct per CPU
 * at key 0 (lb_stats: words 2, packets and bytes per counter; decap_stats: words 1).
 */
static void totals_read(int fd, int n, int words, __u64 *out)
{
	__u64 v[LB_STAT_MAX * 2];
	int i;

	if (percpu_sum_u64(fd, 0, v, n * words))
		memset(v, 0, sizeof(v));
	for (i = 0; i < n; i++)
		out[i] = v[i * words];
}

static void totals_print(const char *prog, int fd, int n, int words, const __u64 *before,
			 const char *(*name)(int))
{
	__u64 v[LB_STAT_MAX];
	int i;

	totals_read(fd, n, words, v);
	printf("%s totals per counter:\n", prog);
	for (i = 0; i < n; i++) {
		if (v[i] == before[i])
			continue;
		printf("  %-26s %8llu\n", name(i), (unsigned long long)(v[i] - before[i]));
	}
}

static const char *lb_name(int i)
{
	return lb_stat_name(i);
}

static const char *decap_name(int i)
{
	return decap_stat_name(i);
}

static int dump(const struct corpus *c, const char *dir)
{
	char path[512];
	size_t b;
	FILE *f;

	for (b = 0; b < c->n; b++) {
		if (c->p[b].len < 14)
			continue;
		snprintf(path, sizeof(path), "%s/hostile-%03zu", dir, b);
		f = fopen(path, "w");
		if (!f)
			return -errno;
		fputc(0x03, f); /* fuzz_parse: CHECK_LEN, GUE port 6080, offset 0 */
		fwrite(c->p[b].b, 1, c->p[b].len, f);
		fclose(f);
	}
	printf("wrote %zu seeds to %s\n", c->n, dir);
	return 0;
}

int main(int argc, char **argv)
{
	__u64 lb_before[LB_STAT_MAX], dc_before[DECAP_STAT_MAX];
	struct corpus c = {}, bases_only = {};
	struct balancer_bpf *lb = NULL;
	__u64 moved[DECAP_STAT_MAX], moved_f[DECAP_STAT_MAX];
	struct decap_bpf *dc = NULL, *dcf = NULL;
	struct fix_pkt out, out_f;
	__u32 verdict, verdict_f;
	size_t i, unrunnable = 0, same = 0;
	int err, ret = 1;

	if (corpus_build(&c)) {
		fprintf(stderr, "build the corpus: failed\n");
		return 1;
	}
	if (argc == 3 && !strcmp(argv[1], "--dump")) {
		for (i = 0; i < N_BASES; i++) {
			if (fix_pkt_build(&out, bases[i], NULL) || corpus_add(&bases_only, &out))
				return 1;
		}
		return dump(&bases_only, argv[2]) ? 1 : 0;
	}
	if (fix_must_skip())
		return FIX_SKIP;
	lb = balancer_bpf__open_and_load();
	dc = decap_bpf__open_and_load();
	dcf = decap_bpf__open_and_load();
	if (!lb || !dc || !dcf || balancer_setup(lb) || decap_setup(dc) ||
	    decap_setup_inline(dcf)) {
		fprintf(stderr, "load and set up the balancer and the decap: %s\n",
			strerror(errno));
		goto out;
	}
	totals_read(bpf_map__fd(lb->maps.stats), LB_STAT_MAX, 2, lb_before);
	totals_read(bpf_map__fd(dc->maps.decap_stats), DECAP_STAT_MAX, 1, dc_before);
	for (i = 0; i < c.n; i++) {
		if (c.p[i].len < 14)
			continue; /* BPF_PROG_RUN refuses a frame without its Ethernet header */
		err = fix_prog_run(bpf_program__fd(lb->progs.balancer), &c.p[i], &out, &verdict);
		if (err) {
			fail(i, "balancer", "BPF_PROG_RUN failed");
			continue;
		}
		balancer_check(i, &c.p[i], &out, verdict);
	}
	for (i = 0; i < c.n; i++) {
		if (c.p[i].len < 14)
			continue;
		err = decap_run(dc, &c.p[i], &out, &verdict, moved);
		/* The kernel builds no skb from a frame cut inside its IP header. */
		if (err == -EINVAL && c.p[i].len < l2_len(&c.p[i]) + 40) {
			unrunnable++;
			continue;
		}
		if (err) {
			fail(i, "decap", "BPF_PROG_RUN failed");
			continue;
		}
		decap_check(i, &c.p[i], &out, verdict);
		if (decap_run(dcf, &c.p[i], &out_f, &verdict_f, moved_f)) {
			fail(i, "decap (inline)", "BPF_PROG_RUN failed");
			continue;
		}
		if (verdict_f != verdict || out_f.len != out.len ||
		    memcmp(out_f.b, out.b, out.len) || memcmp(moved_f, moved, sizeof(moved)))
			fail(i, "decap (inline)",
			     "not what the decap without inline addresses did");
		same++;
	}
	printf("hostile corpus: %zu packets from %zu bases, through the balancer and through the "
	       "decap serving %s and %s (%zu decap runs refused by the kernel: frames cut inside "
	       "the IP header)\n",
	       c.n, N_BASES, REAL4, REAL6, unrunnable);
	totals_print("balancer", bpf_map__fd(lb->maps.stats), LB_STAT_MAX, 2, lb_before, lb_name);
	totals_print("decap", bpf_map__fd(dc->maps.decap_stats), DECAP_STAT_MAX, 1, dc_before,
		     decap_name);
	printf("decap with %s and %s inline: %zu packets compared\n", LB4, LB6, same);
	printf("invariant violations: %d\n", failures);
	ret = failures ? 1 : 0;
out:
	balancer_bpf__destroy(lb);
	decap_bpf__destroy(dc);
	decap_bpf__destroy(dcf);
	free(c.p);
	free(bases_only.p);
	return ret;
}
