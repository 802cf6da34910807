// SPDX-License-Identifier: GPL-2.0
/*
 * The generator's template frame (bench/gen.c), without privileges: every length field,
 * both checksums (verified here by summing, independently of the code that wrote them), the
 * payload's markers, the offsets the BPF program rewrites, and each spec it must refuse.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "bench/gen.h"
#include "common/flow.h"
#include "common/parse.h"

static __u16 be16(const __u8 *p)
{
	return p[0] << 8 | p[1];
}

/* RFC 1071 sum of n bytes, big-endian words, folded: 0xffff over a right checksum. */
static __u32 sum16(const __u8 *p, size_t n, __u32 sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += be16(p + i);
	if (n & 1)
		sum += p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static __u32 pseudo(const __u8 *src, const __u8 *dst, int alen, __u8 proto, __u32 len)
{
	__u32 sum = sum16(src, alen, 0);

	sum = sum16(dst, alen, sum);
	return sum + proto + (len >> 16) + (len & 0xffff);
}

static void spec(struct gen_spec *s, const char *src, const char *dst, __u8 proto, __u32 len)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(addr_parse(src, &s->src), 0);
	assert_int_equal(addr_parse(dst, &s->dst), 0);
	s->sport = 1024;
	s->dport = 80;
	s->proto = proto;
	s->flows = 1;
	s->frame_len = len;
}

static void test_gen_template_udp4(void **state)
{
	__u8 f[GEN_TEMPLATE_SIZE];
	struct gen_layout lay;
	struct gen_spec s;

	(void)state;
	spec(&s, "10.0.0.2", "10.100.0.1", IPPROTO_UDP, 64);
	assert_int_equal(gen_template_build(&s, f, &lay), 0);
	assert_int_equal(be16(f + 12), 0x0800);
	assert_int_equal(f[14], 0x45);
	assert_int_equal(be16(f + 16), 50); /* IPv4 total length */
	assert_int_equal(f[23], IPPROTO_UDP);
	assert_int_equal(sum16(f + 14, 20, 0), 0xffff); /* header checksum */
	assert_int_equal(lay.l4, 34);
	assert_int_equal(be16(f + 34), 1024);
	assert_int_equal(be16(f + 36), 80);
	assert_int_equal(be16(f + 38), 30); /* UDP length */
	assert_int_equal(sum16(f + 34, 30, pseudo(f + 26, f + 30, 4, IPPROTO_UDP, 30)), 0xffff);
	assert_int_equal(be16(f + 42) << 16 | be16(f + 44), GEN_MAGIC);
	assert_int_equal(be16(f + 60) << 16 | be16(f + 62), GEN_TAIL);
	assert_int_equal(lay.sport_off, 34);
	assert_int_equal(lay.saddr_off, 14 + 12 + 2);
	assert_int_equal(lay.ipcsum_off, 14 + 10);
	assert_int_equal(lay.l4csum_off, 34 + 6);
	assert_int_equal(lay.saddr_lo, 2); /* 10.0.0.2 */
	assert_int_equal(lay.encap_len, 0);
}

/* 70000 flows from port 1024: 64512 ports per address, two addresses. */
static void test_gen_template_tcp6(void **state)
{
	__u8 f[GEN_TEMPLATE_SIZE];
	struct gen_layout lay;
	struct gen_spec s;

	(void)state;
	spec(&s, "2001:db8::2", "2001:db8:100::1", IPPROTO_TCP, 200);
	s.flows = 70000;
	assert_int_equal(gen_template_build(&s, f, &lay), 0);
	assert_int_equal(be16(f + 12), 0x86dd);
	assert_int_equal(f[14] >> 4, 6);
	assert_int_equal(be16(f + 18), 200 - 14 - 40); /* payload length */
	assert_int_equal(f[20], IPPROTO_TCP);
	assert_int_equal(f[54 + 12] >> 4, 5); /* data offset */
	assert_int_equal(f[54 + 13], 0x10); /* ACK */
	assert_int_equal(sum16(f + 54, 146, pseudo(f + 22, f + 38, 16, IPPROTO_TCP, 146)), 0xffff);
	assert_int_equal(lay.sport_count, 65536 - 1024);
	assert_int_equal(lay.saddr_off, 14 + 8 + 14);
	assert_int_equal(lay.ipcsum_off, 0);
	assert_int_equal(lay.l4csum_off, 54 + 16);
	assert_int_equal(be16(f + 196) << 16 | be16(f + 198), GEN_TAIL);
}

/* What a balancer sends a decap: IPIP and GUE over IPv6 around the inner packet. */
static void test_gen_template_encapsulated(void **state)
{
	__u8 f[GEN_TEMPLATE_SIZE];
	struct gen_layout lay;
	struct gen_spec s;

	(void)state;
	spec(&s, "10.0.0.2", "10.100.0.1", IPPROTO_UDP, 84);
	s.encap = ENCAP_IPIP;
	assert_int_equal(addr_parse("10.0.1.2", &s.outer_src), 0);
	assert_int_equal(addr_parse("10.1.0.2", &s.outer_dst), 0);
	assert_int_equal(gen_template_build(&s, f, &lay), 0);
	assert_int_equal(lay.encap_len, 20);
	assert_int_equal(lay.inner_l3, 34);
	assert_int_equal(be16(f + 16), 70);
	assert_int_equal(f[23], IPPROTO_IPIP);
	assert_int_equal(sum16(f + 14, 20, 0), 0xffff);
	assert_int_equal(be16(f + 34 + 2), 50);
	assert_int_equal(sum16(f + 34, 20, 0), 0xffff);

	spec(&s, "10.0.0.2", "10.100.0.1", IPPROTO_UDP, 112);
	s.encap = ENCAP_GUE;
	s.gue_port = 6080;
	assert_int_equal(addr_parse("2001:db8:1::2", &s.outer_src), 0);
	assert_int_equal(addr_parse("2001:db8:10::2", &s.outer_dst), 0);
	assert_int_equal(gen_template_build(&s, f, &lay), 0);
	assert_int_equal(be16(f + 12), 0x86dd);
	assert_int_equal(f[20], IPPROTO_UDP);
	assert_int_equal(lay.encap_len, 48);
	assert_int_equal(be16(f + 54 + 2), 6080);
	assert_int_equal(be16(f + 54 + 4), 112 - 54); /* GUE's UDP length */
	assert_int_equal(be16(f + 54 + 6), 0); /* no checksum (RFC 6935/6936) */
	assert_int_equal(f[62] >> 4, 4); /* GUE version 1: the inner IPv4 header */
}

static void test_gen_template_refuses(void **state)
{
	__u8 f[GEN_TEMPLATE_SIZE];
	struct gen_layout lay;
	struct gen_spec s;

	(void)state;
	spec(&s, "10.0.0.2", "10.100.0.1", IPPROTO_UDP, 59);
	assert_int_equal(gen_template_build(&s, f, &lay), -EINVAL); /* under 60 bytes */
	s.frame_len = GEN_FRAME_MAX + 1;
	assert_int_equal(gen_template_build(&s, f, &lay), -EINVAL);
	spec(&s, "10.0.0.2", "2001:db8::1", IPPROTO_UDP, 64);
	assert_int_equal(gen_template_build(&s, f, &lay), -EINVAL); /* mixed families */
	spec(&s, "10.0.0.2", "10.100.0.1", IPPROTO_ICMP, 64);
	assert_int_equal(gen_template_build(&s, f, &lay), -EINVAL);
	spec(&s, "10.0.255.254", "10.100.0.1", IPPROTO_UDP, 64);
	s.flows = 200000; /* four addresses from .255.254: the low 16 bits would wrap */
	assert_int_equal(gen_template_build(&s, f, &lay), -EINVAL);
	spec(&s, "10.0.0.2", "10.100.0.1", IPPROTO_UDP, 84);
	s.encap = ENCAP_IP6IP6; /* an IPv4 inner packet */
	assert_int_equal(addr_parse("2001:db8:1::2", &s.outer_src), 0);
	assert_int_equal(addr_parse("2001:db8:10::2", &s.outer_dst), 0);
	assert_int_equal(gen_template_build(&s, f, &lay), -EINVAL);
	spec(&s, "10.0.0.2", "10.100.0.1", IPPROTO_UDP, 64);
	s.flows = 0;
	assert_int_equal(gen_template_build(&s, f, &lay), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gen_template_udp4),
		cmocka_unit_test(test_gen_template_tcp6),
		cmocka_unit_test(test_gen_template_encapsulated),
		cmocka_unit_test(test_gen_template_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
