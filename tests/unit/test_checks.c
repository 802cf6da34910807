// SPDX-License-Identifier: GPL-2.0
/*
 * Every check kind on synthetic evidence, without a run or root: one scenario names each
 * kind once, the evidence of a run where all of them hold is built by hand (captures are pcap
 * files written here), and each test breaks the one fact its check reads and asserts that
 * exactly that check fails, with the evidence it gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>

#include <cmocka.h>

#include "bench/checks.h"
#include "common/pkt_build.h"

static const char scenario_text[] =
	"version: 1\n"
	"name: checks\n"
	"nodes:\n"
	"  client:   {role: client, addrs: [10.0.0.2/24], gateway: 10.0.0.1}\n"
	"  router:   {role: router}\n"
	"  lb:       {role: lb, addrs: [10.0.1.2/24], gateway: 10.0.1.1}\n"
	"  host1:    {role: host, addrs: [10.0.2.2/24], gateway: 10.0.2.1}\n"
	"  tenant-a: {role: container, host: host1, addrs: [10.1.0.2/24]}\n"
	"  tenant-b: {role: container, host: host1, addrs: [10.1.1.2/24]}\n"
	"links:\n"
	"  - [client:eth0, router:eth0]\n"
	"  - [lb:eth0, router:eth1]\n"
	"  - [host1:eth0, router:eth2]\n"
	"balancer:\n"
	"  node: lb\n"
	"  chain: [count]\n"
	"  vips:\n"
	"    - {vip: \"10.100.0.1:80/tcp\", encap: ipip, backends: [tenant-a, tenant-b]}\n"
	"    - {vip: \"10.100.0.2:9000/tcp\", encap: ipip, backends: [tenant-a]}\n"
	"services:\n"
	"  - {node: tenant-a, listen: \"0.0.0.0:80/tcp\", kind: echo}\n"
	"  - {node: tenant-b, listen: \"0.0.0.0:80/tcp\", kind: echo}\n"
	"  - {node: tenant-a, listen: \"0.0.0.0:9000/tcp\", kind: sink}\n"
	"traffic:\n"
	"  - {name: web, from: client, to: \"10.100.0.1:80/tcp\", connections: 4, requests: 2}\n"
	"  - {name: bulk, from: client, to: \"10.100.0.2:9000/tcp\", bytes: 1000}\n"
	"  - {name: cmd, from: client, command: \"echo hello\"}\n"
	"capture: [router:eth1]\n"
	"expect:\n"
	"  - {answered: web}\n"
	"  - {served-by: {traffic: web, nodes: [tenant-a]}}\n"
	"  - {never-seen: {at: router:eth1, src: 10.100.0.1}}\n"
	"  - {seen: {at: router:eth1, dst: 10.100.0.1, min: 1}}\n"
	"  - {encapsulated: {at: router:eth1, vip: \"10.100.0.1:80/tcp\", encap: ipip,\n"
	"                    outer-src: 10.0.1.2, outer-dst: 10.1.0.2}}\n"
	"  - {drops: {at: tenant-a, max: 0}}\n"
	"  - {unbroken: web}\n"
	"  - {goodput: {traffic: bulk, min-mbps: 10}}\n"
	"  - {exit: {traffic: cmd, status: 0}}\n"
	"  - {output: {traffic: cmd, contains: hello}}\n"
	"  - {chain-member: {slot: 0, min: 10}}\n"
	"  - {counter: {of: balancer, name: tx_encap, min: 4}}\n"
	"  - {counter: {of: decap, node: tenant-a, name: decap, min: 1}}\n";

/* The expectations above, in order. */
enum {
	X_ANSWERED,
	X_SERVED_BY,
	X_NEVER_SEEN,
	X_SEEN,
	X_ENCAPSULATED,
	X_DROPS,
	X_UNBROKEN,
	X_GOODPUT,
	X_EXIT,
	X_OUTPUT,
	X_CHAIN_MEMBER,
	X_COUNTER_LB,
	X_COUNTER_DECAP,
	X_COUNT
};

/* Node indexes, in the order of the scenario. */
enum { N_CLIENT, N_ROUTER, N_LB, N_HOST1, N_TENANT_A, N_TENANT_B };

#define BE32(x)	    __builtin_bswap32(x)
#define IP_CLIENT   BE32(0x0a000002) /* 10.0.0.2 */
#define IP_VIP	    BE32(0x0a640001) /* 10.100.0.1 */
#define IP_LB	    BE32(0x0a000102) /* 10.0.1.2 */
#define IP_TENANT_A BE32(0x0a010002) /* 10.1.0.2 */
#define IP_OTHER    BE32(0x0a000202) /* 10.0.2.2 */

struct fixture {
	struct scenario sc;
	struct evidence ev;
	struct conn_result web[4], bulk[1], cmd[1];
	char pcap[64];
	struct check_result out[SC_MAX_EXPECTS];
};

/* A request to the VIP as the client sends it, or inside IPIP from outer_src to outer_dst. */
static void request(struct pkt *p, __be32 outer_src, __be32 outer_dst, __be32 src)
{
	pkt_init(p);
	pkt_eth(p, NULL, NULL);
	if (outer_src)
		pkt_ipv4(p, outer_src, outer_dst);
	pkt_ipv4(p, src, IP_VIP);
	pkt_tcp(p, 40000, 80, PKT_TCP_SYN);
	pkt_payload(p, 4);
	pkt_finish(p);
}

/* A capture of the client's request followed by a second packet (what the point saw next). */
static void write_two(const char *file, const struct pkt *second)
{
	struct pcap_pkthdr h = { .ts = { 1, 0 } };
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	struct pkt pk;

	assert_non_null(p);
	d = pcap_dump_open(p, file);
	assert_non_null(d);
	request(&pk, 0, 0, IP_CLIENT);
	h.caplen = h.len = pk.len;
	pcap_dump((u_char *)d, &h, pk.data);
	h.caplen = h.len = second->len;
	pcap_dump((u_char *)d, &h, second->data);
	pcap_dump_close(d);
	pcap_close(p);
}

/* The capture at router:eth1: the request, then the same bytes encapsulated. */
static void write_pcap(const char *file, __be32 outer_dst, __be32 src)
{
	struct pkt pk;

	request(&pk, IP_LB, outer_dst, src);
	write_two(file, &pk);
}

/* What a run in which every expectation holds would have collected. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct evidence *ev;
	FILE *err = fopen("/dev/null", "w");
	int i, fd;

	if (!f || !err ||
	    scenario_load_buffer("checks.yaml", scenario_text, strlen(scenario_text), &f->sc, err))
		return -1;
	fclose(err);
	ev = &f->ev;
	for (i = 0; i < 4; i++)
		f->web[i] = (struct conn_result){ .answered = true,
						  .served_by = N_TENANT_A,
						  .requests_answered = 2,
						  .established = true,
						  .moved_to = -1 };
	ev->traffic[0] = (struct traffic_result){ .t = &f->sc.traffic[0],
						  .conns = f->web,
						  .sent = 4,
						  .answered = 4,
						  .requests = 8,
						  .seconds = 0.01 };
	f->bulk[0] = (struct conn_result){ .answered = true,
					   .served_by = N_TENANT_A,
					   .requests_answered = 1,
					   .established = true,
					   .moved_to = -1,
					   .bytes = 1000 };
	ev->traffic[1] = (struct traffic_result){ .t = &f->sc.traffic[1],
						  .conns = f->bulk,
						  .sent = 1,
						  .answered = 1,
						  .seconds = 0.0001,
						  .goodput_mbps = 80 };
	f->cmd[0] = (struct conn_result){
		.answered = true, .served_by = -1, .moved_to = -1, .requests_answered = 1
	};
	ev->traffic[2] = (struct traffic_result){ .t = &f->sc.traffic[2],
						  .conns = f->cmd,
						  .sent = 1,
						  .answered = 1,
						  .exit_status = 0,
						  .output = "hello",
						  .log = "runs/x/client.cmd.log" };
	ev->command_output[2] = strdup("hello\n");

	snprintf(f->pcap, sizeof(f->pcap), "/tmp/test_checks.XXXXXX");
	fd = mkstemp(f->pcap);
	if (fd < 0)
		return -1;
	close(fd);
	write_pcap(f->pcap, IP_TENANT_A, IP_CLIENT);
	ev->caps[0].at = f->sc.captures[0].at;
	snprintf(ev->caps[0].file, sizeof(ev->caps[0].file), "%s", f->pcap);
	ev->n_caps = 1;

	ev->n_lbs = 1;
	ev->lbs[0].attached = true;
	ev->lbs[0].stats_valid = true;
	ev->lbs[0].stats[LB_STAT_TX_ENCAP].packets = 4;
	ev->lbs[0].chain_seen[0] = 12;
	snprintf(ev->decaps[N_TENANT_A].iface, sizeof(ev->decaps[0].iface), "tenant-a");
	ev->decaps[N_TENANT_A].node = N_HOST1;
	ev->decaps[N_TENANT_A].at = DECAP_AT_HOST_VETH_EGRESS;
	ev->decaps[N_TENANT_A].stats[DECAP_STAT_DECAP] = 4;
	ev->drops_traced = true;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->pcap);
	evidence_free(&f->ev);
	free(f);
	return 0;
}

/* Judge, and assert that exactly the check `failing` failed (-1: none). */
static struct check_result *judge(struct fixture *f, int failing)
{
	int i, failed = checks_run(&f->sc, &f->ev, f->out);

	for (i = 0; i < X_COUNT; i++) {
		if (f->out[i].pass != (i != failing))
			fail_msg("check %d (%s) %s: %s", i, f->out[i].summary,
				 f->out[i].pass ? "passed" : "failed", f->out[i].evidence);
	}
	assert_int_equal(failed, failing >= 0);
	return failing >= 0 ? &f->out[failing] : NULL;
}

static void test_checks_all_hold(void **state)
{
	struct fixture *f = *state;
	char want[256];

	assert_int_equal(f->sc.n_expects, X_COUNT);
	judge(f, -1);
	assert_string_equal(f->out[X_ANSWERED].summary, "answered web");
	assert_string_equal(f->out[X_ANSWERED].evidence, "4/4 connections answered (8/8 requests)");
	assert_string_equal(f->out[X_SERVED_BY].evidence, "tenant-a 4");
	snprintf(want, sizeof(want), "0 matching packets in %s", f->pcap);
	assert_string_equal(f->out[X_NEVER_SEEN].evidence, want);
	/* pcap's "dst host" reads the outer header: the encapsulated copy does not match */
	snprintf(want, sizeof(want), "1 matching packets in %s", f->pcap);
	assert_string_equal(f->out[X_SEEN].evidence, want);
	assert_string_equal(
		f->out[X_ENCAPSULATED].evidence,
		"1 requests to the VIP, 1 encapsulated (first outer 10.0.1.2 -> "
		"10.1.0.2), 0 answered too big by the balancer, 0 of the requests neither, "
		"0 outer headers not as expected");
	assert_string_equal(f->out[X_DROPS].evidence, "no such drop");
	assert_string_equal(f->out[X_CHAIN_MEMBER].evidence,
			    "the member in slot 0 ran on 12 packets before the balancer");
	assert_string_equal(f->out[X_COUNTER_LB].evidence, "tx_encap=4 packets");
	assert_string_equal(f->out[X_COUNTER_DECAP].evidence,
			    "decap=4 (decap at host1:tenant-a, host-veth-egress)");
}

static void test_checks_answered_fails(void **state)
{
	struct fixture *f = *state;
	struct check_result *c;

	f->web[2].answered = false;
	snprintf(f->web[2].error, sizeof(f->web[2].error), "connect: Connection refused");
	f->ev.traffic[0].answered = 3;
	c = judge(f, X_ANSWERED);
	assert_string_equal(c->evidence, "3/4 connections answered (8/8 requests); first "
					 "failure: connect: Connection refused");
}

static void test_checks_served_by_fails(void **state)
{
	struct fixture *f = *state;

	f->web[1].served_by = N_TENANT_B;
	assert_string_equal(judge(f, X_SERVED_BY)->evidence, "tenant-a 3, tenant-b 1");
}

static void test_checks_never_seen_fails(void **state)
{
	struct fixture *f = *state;
	struct pcap_pkthdr h = { .ts = { 1, 0 } };
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(p, f->pcap);
	struct pkt pk;

	/* a reply from the VIP crossing the balancer's link: what DSR must never do */
	pkt_init(&pk);
	pkt_eth(&pk, NULL, NULL);
	pkt_ipv4(&pk, IP_VIP, IP_CLIENT);
	pkt_tcp(&pk, 80, 40000, PKT_TCP_SYN | PKT_TCP_ACK);
	pkt_finish(&pk);
	h.caplen = h.len = pk.len;
	pcap_dump((u_char *)d, &h, pk.data);
	pcap_dump_close(d);
	pcap_close(p);
	/* the requests are gone too: seen and encapsulated fail as well */
	checks_run(&f->sc, &f->ev, f->out);
	assert_false(f->out[X_NEVER_SEEN].pass);
	assert_false(f->out[X_SEEN].pass);
	assert_false(f->out[X_ENCAPSULATED].pass);
	assert_true(f->out[X_ANSWERED].pass);
}

static void test_checks_seen_fails_without_capture(void **state)
{
	struct fixture *f = *state;

	f->ev.n_caps = 0;
	checks_run(&f->sc, &f->ev, f->out);
	assert_false(f->out[X_SEEN].pass);
	assert_string_equal(f->out[X_SEEN].evidence, "no capture at router:eth1");
	assert_false(f->out[X_NEVER_SEEN].pass); /* no capture proves nothing */
	assert_false(f->out[X_ENCAPSULATED].pass);
}

static void test_checks_seen_notes_capture_loss(void **state)
{
	struct fixture *f = *state;
	char want[256];

	f->ev.caps[0].stats.kernel_drop = 3;
	judge(f, -1);
	snprintf(want, sizeof(want), "1 matching packets in %s; the capture lost 3 packets",
		 f->pcap);
	assert_string_equal(f->out[X_SEEN].evidence, want);
}

static void test_checks_encapsulated_fails_on_outer_header(void **state)
{
	struct fixture *f = *state;

	write_pcap(f->pcap, IP_OTHER, IP_CLIENT); /* to the wrong backend */
	assert_string_equal(judge(f, X_ENCAPSULATED)->evidence,
			    "1 requests to the VIP, 1 encapsulated (first outer 10.0.1.2 -> "
			    "10.0.2.2), 0 answered too big by the balancer, 0 of the requests "
			    "neither, 1 outer headers not as expected");
}

static void test_checks_encapsulated_fails_on_inner_bytes(void **state)
{
	struct fixture *f = *state;

	write_pcap(f->pcap, IP_TENANT_A, IP_OTHER); /* an inner header that is not the request */
	assert_string_equal(judge(f, X_ENCAPSULATED)->evidence,
			    "1 requests to the VIP, 1 encapsulated (first outer 10.0.1.2 -> "
			    "10.1.0.2), 0 answered too big by the balancer, 1 of the requests "
			    "neither, 0 outer headers not as expected");
}

/* balancer.mtu: the request answered with fragmentation-needed quoting it, not forwarded. */
static void write_pcap_too_big(const char *file, __be32 quoted_src)
{
	struct pkt pk;

	pkt_init(&pk);
	pkt_eth(&pk, NULL, NULL);
	pkt_ipv4(&pk, IP_LB, IP_CLIENT); /* the check looks at the quote only */
	pkt_icmp(&pk, 3, 4, 0, 1480);
	pkt_ipv4(&pk, quoted_src, IP_VIP);
	pkt_tcp(&pk, 40000, 80, PKT_TCP_SYN);
	pkt_payload(&pk, 4);
	pkt_finish(&pk);
	write_two(file, &pk);
}

static void test_checks_encapsulated_counts_too_big_answers(void **state)
{
	struct fixture *f = *state;

	write_pcap_too_big(f->pcap, IP_CLIENT);
	judge(f, -1);
	assert_string_equal(
		f->out[X_ENCAPSULATED].evidence,
		"1 requests to the VIP, 0 encapsulated (first outer - -> -), 1 answered "
		"too big by the balancer, 0 of the requests neither, 0 outer headers not "
		"as expected");
}

static void test_checks_encapsulated_fails_on_other_too_big(void **state)
{
	struct fixture *f = *state;

	write_pcap_too_big(f->pcap, IP_OTHER); /* quotes another packet: this one was lost */
	assert_string_equal(
		judge(f, X_ENCAPSULATED)->evidence,
		"1 requests to the VIP, 0 encapsulated (first outer - -> -), 0 answered "
		"too big by the balancer, 1 of the requests neither, 0 outer headers not "
		"as expected");
}

static void test_checks_drops_fails(void **state)
{
	struct fixture *f = *state;

	f->ev.drops[0] = (struct ev_drop){
		.node = N_TENANT_A, .iface = "eth0", .reason = "TCP_CSUM", .count = 7
	};
	f->ev.drops[1] =
		(struct ev_drop){ .node = N_TENANT_A, .reason = "NOT_SPECIFIED", .count = 100 };
	f->ev.drops[2] = (struct ev_drop){ .node = N_CLIENT, .reason = "NO_SOCKET", .count = 1 };
	f->ev.n_drops = 3;
	assert_string_equal(judge(f, X_DROPS)->evidence, "eth0 TCP_CSUM=7");
}

/* A full queue (load) counts only where a check names it; then it fails like any reason. */
static void test_checks_drops_full_queue_only_when_named(void **state)
{
	struct fixture *f = *state;

	f->ev.drops[0] = (struct ev_drop){
		.node = N_TENANT_A, .iface = "eth0", .reason = "CPU_BACKLOG", .count = 107
	};
	f->ev.n_drops = 1;
	judge(f, -1);
	assert_string_equal(f->out[X_DROPS].evidence, "no such drop");
	strcpy(f->sc.expects[X_DROPS].reason, "CPU_BACKLOG");
	assert_string_equal(judge(f, X_DROPS)->evidence, "eth0 CPU_BACKLOG=107");
}

static void test_checks_drops_fails_untraced(void **state)
{
	struct fixture *f = *state;

	f->ev.drops_traced = false;
	assert_string_equal(judge(f, X_DROPS)->evidence, "drop reasons were not traced");
}

static void test_checks_unbroken_fails(void **state)
{
	struct fixture *f = *state;

	f->web[3].moved_to = N_TENANT_B;
	f->ev.traffic[0].broken = 1;
	assert_string_equal(judge(f, X_UNBROKEN)->evidence,
			    "4/4 connections established; 0 broke after that, 1 moved to another "
			    "node; first: from tenant-a to tenant-b");
}

static void test_checks_goodput_fails(void **state)
{
	struct fixture *f = *state;

	f->ev.traffic[1].seconds = 0.01;
	f->ev.traffic[1].goodput_mbps = 0.8;
	assert_string_equal(judge(f, X_GOODPUT)->evidence,
			    "1000 bytes acknowledged by the sink over 1/1 connections in 0.010 s: "
			    "0.8 Mbit/s");
}

static void test_checks_exit_fails(void **state)
{
	struct fixture *f = *state;

	f->ev.traffic[2].exit_status = 3;
	assert_string_equal(judge(f, X_EXIT)->evidence,
			    "exited with status 3 (log runs/x/client.cmd.log)");
}

static void test_checks_output_fails(void **state)
{
	struct fixture *f = *state;

	free(f->ev.command_output[2]);
	f->ev.command_output[2] = strdup("goodbye\n");
	snprintf(f->ev.traffic[2].output, sizeof(f->ev.traffic[2].output), "goodbye");
	assert_string_equal(judge(f, X_OUTPUT)->evidence,
			    "not in runs/x/client.cmd.log; its output begins 'goodbye'");
	free(f->ev.command_output[2]);
	f->ev.command_output[2] = NULL;
	assert_string_equal(judge(f, X_OUTPUT)->evidence, "cannot read runs/x/client.cmd.log");
}

static void test_checks_chain_member_fails(void **state)
{
	struct fixture *f = *state;

	f->ev.lbs[0].chain_seen[0] = 9;
	assert_string_equal(judge(f, X_CHAIN_MEMBER)->evidence,
			    "the member in slot 0 ran on 9 packets before the balancer");
	f->ev.lbs[0].chain_err[0] = -2;
	assert_string_equal(judge(f, X_CHAIN_MEMBER)->evidence,
			    "cannot read the counter `seen` of the member in slot 0: No such file "
			    "or directory");
}

static void test_checks_counter_fails(void **state)
{
	struct fixture *f = *state;

	f->ev.lbs[0].stats[LB_STAT_TX_ENCAP].packets = 3;
	assert_string_equal(judge(f, X_COUNTER_LB)->evidence, "tx_encap=3 packets");
	f->ev.lbs[0].stats_valid = false;
	assert_string_equal(judge(f, X_COUNTER_LB)->evidence,
			    "the counters of the balancer were not read");
}

static void test_checks_counter_decap_fails(void **state)
{
	struct fixture *f = *state;

	f->ev.decaps[N_TENANT_A].stats[DECAP_STAT_DECAP] = 0;
	assert_string_equal(judge(f, X_COUNTER_DECAP)->evidence,
			    "decap=0 (decap at host1:tenant-a, host-veth-egress)");
	f->ev.decaps[N_TENANT_A].iface[0] = '\0';
	assert_string_equal(judge(f, X_COUNTER_DECAP)->evidence, "no decap served tenant-a");
}

/* Traffic that never ran fails every check that reads it, and says so. */
static void test_checks_traffic_not_run(void **state)
{
	struct fixture *f = *state;

	f->ev.traffic[0].conns = NULL;
	checks_run(&f->sc, &f->ev, f->out);
	assert_false(f->out[X_ANSWERED].pass);
	assert_false(f->out[X_SERVED_BY].pass);
	assert_false(f->out[X_UNBROKEN].pass);
	assert_string_equal(f->out[X_ANSWERED].evidence, "traffic web did not run");
	assert_true(f->out[X_GOODPUT].pass);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_checks_all_hold),
		T(test_checks_answered_fails),
		T(test_checks_served_by_fails),
		T(test_checks_never_seen_fails),
		T(test_checks_seen_fails_without_capture),
		T(test_checks_seen_notes_capture_loss),
		T(test_checks_encapsulated_fails_on_outer_header),
		T(test_checks_encapsulated_fails_on_inner_bytes),
		T(test_checks_encapsulated_counts_too_big_answers),
		T(test_checks_encapsulated_fails_on_other_too_big),
		T(test_checks_drops_fails),
		T(test_checks_drops_full_queue_only_when_named),
		T(test_checks_drops_fails_untraced),
		T(test_checks_unbroken_fails),
		T(test_checks_goodput_fails),
		T(test_checks_exit_fails),
		T(test_checks_output_fails),
		T(test_checks_chain_member_fails),
		T(test_checks_counter_fails),
		T(test_checks_counter_decap_fails),
		T(test_checks_traffic_not_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
