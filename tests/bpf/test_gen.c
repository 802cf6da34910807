// SPDX-License-Identifier: GPL-2.0
/*
 * The traffic generator and the sink on a real veth pair, in a network namespace of this
 * test's own: asked for N frames, the generator sends exactly N (one CPU or two, IPv4 or
 * IPv6, UDP or TCP, plain or encapsulated) and the XDP sink on the peer counts N good ones
 * and none malformed; at a low rate, the generator's counter, a pcap capture and the socket
 * sink of a UDP service all count the same frames.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench/capture.h"
#include "bench/gen.h"
#include "bench/sink.h"
#include "common/netlink.h"
#include "common/parse.h"
#include "pass.skel.h"

struct gen_fx {
	int tx, rx; /* ifindexes of g0 (the generator's) and g1 (the sink's) */
	__u8 tx_mac[6], rx_mac[6];
};

static struct gen_fx fx;

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc)
		fprintf(stderr, "test_gen: '%s' failed (%d)\n", cmd, rc);
	return rc;
}

static int setup(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNET))
		return -1;
	/*
	 * One receive queue per generator CPU: a veth puts frames redirected into it on the
	 * queue of the sending CPU, and two CPUs flooding one queue's ring overflow it.
	 */
	if (sh("ip link add g0 numtxqueues 2 numrxqueues 2 type veth peer name g1 numtxqueues 2 "
	       "numrxqueues 2") ||
	    sh("ip link set lo up") || sh("ip addr add 10.9.0.1/24 dev g1") ||
	    sh("ip addr add 2001:db8:9::1/64 dev g1 nodad") || sh("ip link set g0 up") ||
	    sh("ip link set g1 up") || sysctl_write("net/ipv4/conf/all/rp_filter", "0") ||
	    sysctl_write("net/ipv4/conf/g1/rp_filter", "0"))
		return -1;
	fx.tx = if_nametoindex("g0");
	fx.rx = if_nametoindex("g1");
	if (!fx.tx || !fx.rx || link_mac("g0", fx.tx_mac) || link_mac("g1", fx.rx_mac))
		return -1;
	return 0;
}

static void spec_init(struct gen_spec *s, int fam, __u8 proto, __u32 len, __u32 flows)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->src_mac, fx.tx_mac, 6);
	memcpy(s->dst_mac, fx.rx_mac, 6);
	assert_int_equal(addr_parse(fam == FAM_IPV4 ? "10.9.0.2" : "2001:db8:9::2", &s->src), 0);
	assert_int_equal(addr_parse(fam == FAM_IPV4 ? "10.9.0.1" : "2001:db8:9::1", &s->dst), 0);
	s->sport = 1024;
	s->dport = 9999;
	s->proto = proto;
	s->flows = flows;
	s->frame_len = len;
}

static void sink_spec_of(const struct gen_spec *g, __u32 encap_len, struct sink_spec *k)
{
	memset(k, 0, sizeof(*k));
	k->frame_len = g->frame_len - encap_len;
	k->encap_len = encap_len;
	k->outer_family = g->outer_src.family;
	k->inner_family = g->src.family;
	k->proto = g->proto;
	k->dport = g->dport;
}

/* Send exactly count frames of g from n_cpus CPUs into the XDP sink on g1. */
static void send_exact(const struct gen_spec *g, __u32 encap_len, int n_cpus, __u64 count)
{
	struct sink_counter c[SINK_STAT_MAX];
	struct gen_opts o = { .ifindex = fx.tx, .count = count, .n_cpus = n_cpus };
	struct gen_result res;
	struct sink_spec ks;
	struct sink *sink;
	struct gen *gen;
	int i;

	for (i = 0; i < n_cpus; i++)
		o.cpus[i] = i;
	sink_spec_of(g, encap_len, &ks);
	assert_int_equal(sink_open(&sink, &ks), 0);
	assert_int_equal(gen_open(&gen, g), 0);
	assert_int_equal(bpf_xdp_attach(fx.rx, sink_xdp_fd(sink), XDP_FLAGS_DRV_MODE, NULL), 0);
	assert_int_equal(gen_run(gen, &o, &res), 0);
	usleep(100000); /* the peer's NAPI drains its ring */
	assert_int_equal(sink_read(sink, c), 0);
	bpf_xdp_detach(fx.rx, XDP_FLAGS_DRV_MODE, NULL);
	assert_int_equal(res.sent, count);
	assert_int_equal(res.bytes, count * g->frame_len);
	assert_int_equal(res.n_cpus, n_cpus);
	assert_int_equal(c[SINK_STAT_MALFORMED].packets, 0);
	assert_int_equal(c[SINK_STAT_GOOD].packets, count);
	assert_int_equal(c[SINK_STAT_GOOD].bytes, count * g->frame_len);
	gen_close(gen);
	sink_close(sink);
}

static void test_gen_exact_count_udp4(void **state)
{
	struct gen_spec g;

	(void)state;
	spec_init(&g, FAM_IPV4, IPPROTO_UDP, 64, 256);
	send_exact(&g, 0, 1, 100000);
}

/* 70000 flows: the source port range runs out, so source addresses vary too. */
static void test_gen_exact_count_tcp6_two_cpus(void **state)
{
	struct gen_spec g;

	(void)state;
	spec_init(&g, FAM_IPV6, IPPROTO_TCP, 200, 70000);
	send_exact(&g, 0, 2, 100001);
}

static void test_gen_exact_count_ipip(void **state)
{
	struct gen_spec g;

	(void)state;
	spec_init(&g, FAM_IPV4, IPPROTO_UDP, 84, 16);
	g.encap = ENCAP_IPIP;
	assert_int_equal(addr_parse("10.0.1.2", &g.outer_src), 0);
	assert_int_equal(addr_parse("10.9.0.1", &g.outer_dst), 0);
	send_exact(&g, 20, 1, 5000);
}

/* A frame that is not as generated is malformed: the sink's negative control. */
static void test_sink_counts_corrupted_frame_malformed(void **state)
{
	struct gen_spec g;
	struct sink_spec ks;
	struct sink *sink;
	struct gen_layout lay;
	struct sink_counter c[SINK_STAT_MAX];
	__u8 frame[GEN_TEMPLATE_SIZE];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = 64, .repeat = 1);

	(void)state;
	spec_init(&g, FAM_IPV4, IPPROTO_UDP, 64, 1);
	assert_int_equal(gen_template_build(&g, frame, &lay), 0);
	sink_spec_of(&g, 0, &ks);
	assert_int_equal(sink_open(&sink, &ks), 0);
	assert_int_equal(bpf_prog_test_run_opts(sink_xdp_fd(sink), &opts), 0);
	frame[lay.inner_l3 + 8]--; /* the TTL: the IPv4 checksum no longer holds */
	assert_int_equal(bpf_prog_test_run_opts(sink_xdp_fd(sink), &opts), 0);
	frame[lay.inner_l3 + 8]++;
	frame[63] ^= 1; /* the tail marker */
	assert_int_equal(bpf_prog_test_run_opts(sink_xdp_fd(sink), &opts), 0);
	assert_int_equal(sink_read(sink, c), 0);
	assert_int_equal(c[SINK_STAT_GOOD].packets, 1);
	assert_int_equal(c[SINK_STAT_MALFORMED].packets, 2);
	sink_close(sink);
}

/* Paced to 2000 frames/s for a second, through the stack to a UDP socket, under capture. */
static void test_gen_counters_agree_with_pcap_at_low_rate(void **state)
{
	struct gen_opts o = { .ifindex = fx.tx, .duration_ms = 1000, .rate_pps = 2000 };
	char file[] = "/tmp/dsrlab-test-gen-XXXXXX", err[256];
	struct sink_counter c[SINK_STAT_MAX];
	struct capture_stats cs;
	struct capture *cap;
	struct pass_bpf *pass;
	struct gen_result res;
	struct endpoint ep = { .port = 9999, .proto = IPPROTO_UDP };
	struct sink_spec ks;
	struct gen_spec g;
	struct sink *sink;
	struct gen *gen;
	int fd, sock;

	(void)state;
	fd = mkstemp(file);
	assert_true(fd >= 0);
	close(fd);
	/*
	 * 536 source ports from 65000, then the next address: 2000 frames use four source
	 * addresses, so the kernel checks the incremental IPv4 and UDP checksum updates of both
	 * fields (a wrong one is dropped before the socket sink sees it).
	 */
	spec_init(&g, FAM_IPV4, IPPROTO_UDP, 128, 2000);
	g.sport = 65000;
	sink_spec_of(&g, 0, &ks);
	assert_int_equal(addr_parse("10.9.0.1", &ep.addr), 0);
	assert_int_equal(sink_open(&sink, &ks), 0);
	sock = sink_socket_open(sink, &ep);
	assert_true(sock >= 0);
	pass = pass_bpf__open_and_load(); /* a veth delivers redirected frames only to XDP */
	assert_non_null(pass);
	assert_int_equal(bpf_xdp_attach(fx.rx, bpf_program__fd(pass->progs.xdp_pass),
					XDP_FLAGS_DRV_MODE, NULL),
			 0);
	assert_int_equal(gen_open(&gen, &g), 0);
	assert_int_equal(capture_start(&cap, "g1", "udp dst port 9999", 96, file, err, sizeof(err)),
			 0);
	assert_int_equal(gen_run(gen, &o, &res), 0);
	usleep(200000);
	capture_stop(cap, &cs);
	assert_int_equal(sink_read(sink, c), 0);
	bpf_xdp_detach(fx.rx, XDP_FLAGS_DRV_MODE, NULL);
	assert_true(res.sent > 0);
	assert_int_equal(res.requested, 2000);
	/* paced: never ahead of 2000/s, so at most one burst (2 frames) over the second's */
	assert_true(res.sent <= res.requested + 2);
	assert_int_equal(cs.kernel_drop, 0);
	assert_int_equal(cs.written, res.sent);
	assert_int_equal(c[SINK_STAT_GOOD].packets, res.sent);
	assert_int_equal(c[SINK_STAT_MALFORMED].packets, 0);
	close(sock);
	unlink(file);
	gen_close(gen);
	pass_bpf__destroy(pass);
	sink_close(sink);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gen_exact_count_udp4),
		cmocka_unit_test(test_gen_exact_count_tcp6_two_cpus),
		cmocka_unit_test(test_gen_exact_count_ipip),
		cmocka_unit_test(test_sink_counts_corrupted_frame_malformed),
		cmocka_unit_test(test_gen_counters_agree_with_pcap_at_low_rate),
	};

	if (geteuid() != 0)
		return 77;
	return cmocka_run_group_tests(tests, setup, NULL);
}
