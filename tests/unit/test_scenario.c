// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario loader: the documented example loads with every field as written, defaults fill
 * the rest, and every file of the broken corpus (scenarios-bad/NAME.yaml) produces exactly
 * the diagnostics in NAME.err. The corpus directory is argv[1], or SCENARIOS_BAD_DIR.
 */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench/scenario.h"
#include "common/flow.h"

#ifndef SCENARIOS_BAD_DIR
#define SCENARIOS_BAD_DIR "tests/unit/scenarios-bad"
#endif

static const char example[] =
	"version: 1\n"
	"name: demo\n"
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
	"  interface: eth0          # optional, default eth0\n"
	"  mode: native             # optional: native|skb\n"
	"  vips:\n"
	"    - {vip: \"10.100.0.1:80/tcp\", encap: ipip, backends: [tenant-a]}\n"
	"    - {vip: \"10.100.0.2:80/tcp\", encap: ipip, backends: [tenant-b]}\n"
	"backend: {decap: host-veth-egress}   # optional; none|host-veth-egress|"
	"container-ingress|host-nic ; strict: bool (host-nic only)\n"
	"services:\n"
	"  - {node: tenant-a, listen: \"0.0.0.0:80/tcp\", kind: echo}\n"
	"traffic:\n"
	"  - {name: web, from: client, to: \"10.100.0.1:80/tcp\", connections: 200, "
	"concurrency: 4, timeout-ms: 2000}\n"
	"capture:\n"
	"  - router:eth1                        # short form\n"
	"  - {at: client:eth0, filter: \"tcp\", snaplen: 256}   # long form\n"
	"expect:\n"
	"  - {answered: web}\n"
	"  - {served-by: {traffic: web, nodes: [tenant-a]}}\n"
	"  - {never-seen: {at: router:eth1, src: 10.100.0.1}}\n"
	"  - {seen: {at: client:eth0, src: 10.100.0.1, min: 1}}\n"
	"  - {encapsulated: {at: router:eth1, vip: \"10.100.0.1:80/tcp\"}}\n";

/* Loads text, failing the test with the diagnostics when it does not load. */
static struct scenario *load_ok(const char *text)
{
	struct scenario *sc = malloc(sizeof(*sc));
	char *out = NULL;
	size_t out_len = 0;
	FILE *err;
	int ret;

	assert_non_null(sc);
	err = open_memstream(&out, &out_len);
	assert_non_null(err);
	ret = scenario_load_buffer("test.yaml", text, strlen(text), sc, err);
	fclose(err);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(ret, 0);
	return sc;
}

static const char *prefix_s(const struct ip_prefix *p)
{
	static char buf[ADDR_STRLEN];

	return prefix_str(p, buf, sizeof(buf));
}

static const char *addr_s(const struct ip_addr *a)
{
	static char buf[ADDR_STRLEN];

	return addr_str(a, buf, sizeof(buf));
}

static const char *endpoint_s(const struct endpoint *e)
{
	static char buf[ADDR_STRLEN];

	return endpoint_str(e, buf, sizeof(buf));
}

static void assert_node(const struct sc_node *n, const char *name, enum sc_role role,
			const char *addr, const char *gw4, const char *host, int line)
{
	assert_string_equal(n->name, name);
	assert_int_equal(n->role, role);
	assert_int_equal(n->n_addrs, addr ? 1 : 0);
	if (addr)
		assert_string_equal(prefix_s(&n->addrs[0]), addr);
	assert_string_equal(addr_s(&n->gateway4), gw4);
	assert_int_equal(n->gateway6.family, FAM_NONE);
	assert_string_equal(n->host, host);
	assert_int_equal(n->mark.line, line);
	assert_int_equal(n->mark.col, 3);
}

static void assert_point(const struct sc_point *p, const char *node, const char *iface)
{
	assert_string_equal(p->node, node);
	assert_string_equal(p->iface, iface);
}

static void test_scenario_load_example_nodes(void **state)
{
	struct scenario *sc = load_ok(example);

	(void)state;
	assert_string_equal(sc->file, "test.yaml");
	assert_int_equal(sc->version, 1);
	assert_string_equal(sc->name, "demo");
	assert_int_equal(sc->n_nodes, 6);
	assert_node(&sc->nodes[0], "client", ROLE_CLIENT, "10.0.0.2/24", "10.0.0.1", "", 4);
	assert_node(&sc->nodes[1], "router", ROLE_ROUTER, NULL, "-", "", 5);
	assert_node(&sc->nodes[2], "lb", ROLE_LB, "10.0.1.2/24", "10.0.1.1", "", 6);
	assert_node(&sc->nodes[3], "host1", ROLE_HOST, "10.0.2.2/24", "10.0.2.1", "", 7);
	assert_node(&sc->nodes[4], "tenant-a", ROLE_CONTAINER, "10.1.0.2/24", "-", "host1", 8);
	assert_node(&sc->nodes[5], "tenant-b", ROLE_CONTAINER, "10.1.1.2/24", "-", "host1", 9);

	assert_int_equal(sc->n_links, 3);
	assert_point(&sc->links[0].a, "client", "eth0");
	assert_point(&sc->links[0].b, "router", "eth0");
	assert_point(&sc->links[1].a, "lb", "eth0");
	assert_point(&sc->links[1].b, "router", "eth1");
	assert_point(&sc->links[2].a, "host1", "eth0");
	assert_point(&sc->links[2].b, "router", "eth2");
	assert_int_equal(sc->links[2].mark.line, 13);
	assert_int_equal(sc->links[2].mark.col, 5);
	free(sc);
}

static void test_scenario_load_example_balancer(void **state)
{
	struct scenario *sc = load_ok(example);
	const struct sc_balancer *b = &sc->balancer;

	(void)state;
	assert_true(b->present);
	assert_string_equal(b->node, "lb");
	assert_int_equal(b->n_nodes, 1);
	assert_string_equal(b->iface, "eth0");
	assert_int_equal(b->mode, XDP_MODE_NATIVE);
	assert_int_equal(b->mark.line, 15);
	assert_int_equal(b->mark.col, 3);
	assert_int_equal(b->n_vips, 2);
	assert_string_equal(endpoint_s(&b->vips[0].vip), "10.100.0.1:80/tcp");
	assert_int_equal(b->vips[0].vip.proto, IPPROTO_TCP);
	assert_int_equal(b->vips[0].encap, SC_ENCAP_IPIP);
	assert_int_equal(b->vips[0].n_backends, 1);
	assert_string_equal(b->vips[0].backends[0], "tenant-a");
	assert_int_equal(b->vips[0].mark.line, 19);
	assert_int_equal(b->vips[0].mark.col, 7);
	assert_string_equal(endpoint_s(&b->vips[1].vip), "10.100.0.2:80/tcp");
	assert_int_equal(b->vips[1].encap, SC_ENCAP_IPIP);
	assert_int_equal(b->vips[1].n_backends, 1);
	assert_string_equal(b->vips[1].backends[0], "tenant-b");

	assert_int_equal(sc->backend.decap, DECAP_AT_HOST_VETH_EGRESS);
	assert_false(sc->backend.strict);
	assert_int_equal(sc->backend.mark.line, 21);
	assert_int_equal(sc->backend.mark.col, 10);
	free(sc);
}

static void test_scenario_load_example_workload(void **state)
{
	struct scenario *sc = load_ok(example);
	const struct sc_traffic *t = &sc->traffic[0];
	const struct sc_service *s = &sc->services[0];

	(void)state;
	assert_int_equal(sc->n_services, 1);
	assert_string_equal(s->node, "tenant-a");
	assert_string_equal(endpoint_s(&s->listen), "0.0.0.0:80/tcp");
	assert_int_equal(s->kind, SC_SERVICE_ECHO);
	assert_int_equal(s->mark.line, 23);

	assert_int_equal(sc->n_traffic, 1);
	assert_string_equal(t->name, "web");
	assert_string_equal(t->from, "client");
	assert_string_equal(endpoint_s(&t->to), "10.100.0.1:80/tcp");
	assert_int_equal(t->connections, 200);
	assert_int_equal(t->concurrency, 4);
	assert_int_equal(t->timeout_ms, 2000);
	assert_int_equal(t->mark.line, 25);
	assert_int_equal(t->mark.col, 5);

	assert_int_equal(sc->n_captures, 2);
	assert_point(&sc->captures[0].at, "router", "eth1");
	assert_string_equal(sc->captures[0].filter, "");
	assert_int_equal(sc->captures[0].snaplen, 262144);
	assert_int_equal(sc->captures[0].mark.line, 27);
	assert_point(&sc->captures[1].at, "client", "eth0");
	assert_string_equal(sc->captures[1].filter, "tcp");
	assert_int_equal(sc->captures[1].snaplen, 256);
	free(sc);
}

static void test_scenario_load_example_expects(void **state)
{
	struct scenario *sc = load_ok(example);
	const struct sc_expect *e = sc->expects;

	(void)state;
	assert_int_equal(sc->n_expects, 5);
	assert_int_equal(e[0].kind, SC_EXPECT_ANSWERED);
	assert_string_equal(e[0].traffic, "web");
	assert_int_equal(e[0].mark.line, 30);

	assert_int_equal(e[1].kind, SC_EXPECT_SERVED_BY);
	assert_string_equal(e[1].traffic, "web");
	assert_int_equal(e[1].n_nodes, 1);
	assert_string_equal(e[1].nodes[0], "tenant-a");

	assert_int_equal(e[2].kind, SC_EXPECT_NEVER_SEEN);
	assert_point(&e[2].at, "router", "eth1");
	assert_string_equal(addr_s(&e[2].src), "10.100.0.1");
	assert_int_equal(e[2].dst.family, FAM_NONE);
	assert_string_equal(e[2].filter, "");

	assert_int_equal(e[3].kind, SC_EXPECT_SEEN);
	assert_point(&e[3].at, "client", "eth0");
	assert_string_equal(addr_s(&e[3].src), "10.100.0.1");
	assert_int_equal(e[3].min, 1);

	assert_int_equal(e[4].kind, SC_EXPECT_ENCAPSULATED);
	assert_point(&e[4].at, "router", "eth1");
	assert_string_equal(endpoint_s(&e[4].vip), "10.100.0.1:80/tcp");
	assert_int_equal(e[4].mark.line, 34);
	assert_int_equal(e[4].mark.col, 5);
	free(sc);
}

static void test_scenario_load_defaults(void **state)
{
	struct scenario *sc = load_ok("version: 1\n"
				      "name: defaults\n"
				      "nodes:\n"
				      "  client: {role: client}\n"
				      "  lb: {role: lb}\n"
				      "  host1: {role: host}\n"
				      "  c1: {role: container, host: host1, addrs: [10.1.0.2/24]}\n"
				      "balancer:\n"
				      "  node: lb\n"
				      "  vips: [{vip: 10.100.0.1/udp, backends: [c1]}]\n"
				      "traffic:\n"
				      "  - {name: t, from: client, to: \"10.100.0.1:53/udp\"}\n"
				      "capture: [client:eth0]\n"
				      "expect:\n"
				      "  - {seen: {at: client:eth0}}\n");

	(void)state;
	assert_int_equal(sc->n_links, 0);
	assert_true(sc->balancer.present);
	assert_string_equal(sc->balancer.iface, "eth0");
	assert_int_equal(sc->balancer.mode, XDP_MODE_NATIVE);
	assert_int_equal(sc->balancer.vips[0].encap, SC_ENCAP_IPIP);
	assert_int_equal(sc->balancer.vips[0].vip.port, 0);
	assert_int_equal(sc->balancer.vips[0].vip.proto, IPPROTO_UDP);
	assert_int_equal(sc->backend.decap, DECAP_AT_HOST_VETH_EGRESS);
	assert_false(sc->backend.strict);
	assert_int_equal(sc->n_services, 0);
	assert_int_equal(sc->traffic[0].connections, 10);
	assert_int_equal(sc->traffic[0].concurrency, 1);
	assert_int_equal(sc->traffic[0].timeout_ms, 2000);
	assert_int_equal(sc->captures[0].snaplen, 262144);
	assert_string_equal(sc->captures[0].filter, "");
	assert_int_equal(sc->expects[0].min, 1);
	assert_int_equal(sc->expects[0].src.family, FAM_NONE);
	assert_int_equal(sc->expects[0].dst.family, FAM_NONE);
	assert_int_equal(sc->nodes[0].n_addrs, 0);
	assert_int_equal(sc->nodes[0].gateway4.family, FAM_NONE);
	free(sc);
}

static void test_scenario_load_minimal(void **state)
{
	struct scenario *sc =
		load_ok("version: 1\nname: one node\nnodes: {solo: {role: router}}\n");

	(void)state;
	assert_string_equal(sc->name, "one node");
	assert_int_equal(sc->n_nodes, 1);
	assert_false(sc->balancer.present);
	assert_string_equal(sc->balancer.iface, "eth0");
	assert_int_equal(sc->backend.decap, DECAP_AT_HOST_VETH_EGRESS);
	assert_int_equal(sc->n_traffic + sc->n_captures + sc->n_expects + sc->n_links, 0);
	free(sc);
}

/* IPv6 all through, and the non-default choices. */
static void test_scenario_load_ipv6(void **state)
{
	struct scenario *sc = load_ok(
		"version: 1\n"
		"name: v6\n"
		"nodes:\n"
		"  client: {role: client, addrs: [\"fd00::2/64\"], gateway: \"fd00::1\"}\n"
		"  dual: {role: client, addrs: [10.0.9.2/24, \"fd09::2/64\"], gateway: 10.0.9.1,\n"
		"         gateway6: \"fd09::1\"}\n"
		"  router: {role: router}\n"
		"  lb: {role: lb, addrs: [\"fd01::2/64\"], gateway: \"fd01::1\"}\n"
		"  host1: {role: host, addrs: [\"fd02::2/64\"]}\n"
		"  c6: {role: container, host: host1, addrs: [\"fd10::2/64\"]}\n"
		"  c4: {role: container, host: host1, addrs: [10.1.0.2/24, \"fd11::2/64\"]}\n"
		"links:\n"
		"  - [client:eth0, router:eth0]\n"
		"  - [lb:uplink, router:eth1]\n"
		"balancer:\n"
		"  node: lb\n"
		"  interface: uplink\n"
		"  mode: skb\n"
		"  vips:\n"
		"    - {vip: \"[2001:db8::1]:443/tcp\", encap: ip6ip6, backends: [c6, c4]}\n"
		"    - {vip: \"10.100.0.1:80/tcp\", encap: 4in6, backends: [c4]}\n"
		"    - {vip: \"10.100.0.2:80/tcp\", encap: gue, backends: [c4]}\n"
		"backend: {decap: host-nic, strict: true}\n"
		"services:\n"
		"  - {node: c6, listen: \"[::]:443/tcp\"}\n"
		"expect:\n"
		"  - {never-seen: {at: router:eth1, dst: \"fd00::2\", filter: \"ip6 and tcp\"}}\n");
	const struct sc_balancer *b = &sc->balancer;

	(void)state;
	assert_int_equal(sc->nodes[0].gateway4.family, FAM_NONE);
	assert_string_equal(addr_s(&sc->nodes[0].gateway6), "fd00::1");
	assert_string_equal(addr_s(&sc->nodes[1].gateway4), "10.0.9.1");
	assert_string_equal(addr_s(&sc->nodes[1].gateway6), "fd09::1");
	assert_int_equal(sc->nodes[1].n_addrs, 2);
	assert_string_equal(prefix_s(&sc->nodes[1].addrs[1]), "fd09::2/64");
	assert_string_equal(b->iface, "uplink");
	assert_int_equal(b->mode, XDP_MODE_SKB);
	assert_string_equal(endpoint_s(&b->vips[0].vip), "[2001:db8::1]:443/tcp");
	assert_int_equal(b->vips[0].encap, SC_ENCAP_IP6IP6);
	assert_int_equal(b->vips[0].n_backends, 2);
	assert_string_equal(b->vips[0].backends[1], "c4");
	assert_int_equal(b->vips[1].encap, SC_ENCAP_4IN6);
	assert_int_equal(b->vips[2].encap, SC_ENCAP_GUE);
	assert_int_equal(sc->backend.decap, DECAP_AT_HOST_NIC);
	assert_true(sc->backend.strict);
	assert_string_equal(endpoint_s(&sc->services[0].listen), "[::]:443/tcp");
	assert_int_equal(sc->expects[0].src.family, FAM_NONE);
	assert_string_equal(addr_s(&sc->expects[0].dst), "fd00::2");
	assert_string_equal(sc->expects[0].filter, "ip6 and tcp");
	free(sc);
}

/* Services and traffic of every kind, the new checks and timed phases. */
static const char workload[] =
	"version: 1\n"
	"name: workload\n"
	"nodes:\n"
	"  client: {role: client, addrs: [10.0.0.2/24]}\n"
	"  lb: {role: lb, addrs: [10.0.1.2/24]}\n"
	"  host1: {role: host, addrs: [10.0.2.2/24]}\n"
	"  a: {role: container, host: host1, addrs: [10.1.0.2/24]}\n"
	"  b: {role: container, host: host1, addrs: [10.1.1.2/24]}\n"
	"balancer:\n"
	"  node: lb\n"
	"  vips: [{vip: \"10.100.0.1:80/tcp\", backends: [a, b]}]\n"
	"services:\n"
	"  - {node: a, listen: \"0.0.0.0:9/tcp\", kind: sink}\n"
	"  - {node: b, command: \"python3 -m http.server 80\", ready: \"tcp:80\"}\n"
	"  - {node: b, name: web, command: \"nginx\", ready: \"tcp:81\", ready-timeout-ms: 900}\n"
	"traffic:\n"
	"  - {name: long, from: client, to: \"10.100.0.1:80/tcp\", requests: 5, interval-ms: 20,\n"
	"     start-ms: 10}\n"
	"  - {name: bulk, from: client, to: \"10.100.0.1:9/tcp\", bytes: 1000000}\n"
	"  - {name: get, from: client, command: \"curl -s x\", expect-output: \"200\"}\n"
	"  - {name: get2, from: client, command: \"false\", expect-exit: 1, timeout-ms: 50}\n"
	"phases:\n"
	"  - {at-ms: 500, remove-backend: {vip: \"10.100.0.1:80/tcp\", backend: b}}\n"
	"  - {at-ms: 500, add-backend: {vip: \"10.100.0.1:80/tcp\", backend: b}}\n"
	"  - {at-ms: 800, set-mtu: {at: client:eth0, mtu: 1400}}\n"
	"  - {at-ms: 900, replace-decap: a}\n"
	"expect:\n"
	"  - {unbroken: long}\n"
	"  - {goodput: {traffic: bulk, min-mbps: 100}}\n"
	"  - {goodput: {traffic: bulk}}\n"
	"  - {exit: {traffic: get, status: 0}}\n"
	"  - {output: {traffic: get, contains: \"200\"}}\n";

static void test_scenario_load_services_traffic(void **state)
{
	struct scenario *sc = load_ok(workload);
	const struct sc_service *s = sc->services;
	const struct sc_traffic *t = sc->traffic;

	(void)state;
	assert_int_equal(sc->n_services, 3);
	assert_int_equal(s[0].kind, SC_SERVICE_SINK);
	assert_int_equal(s[1].kind, SC_SERVICE_COMMAND);
	assert_string_equal(s[1].name, "service-2");
	assert_string_equal(s[1].command, "python3 -m http.server 80");
	assert_int_equal(s[1].ready_port, 80);
	assert_int_equal(s[1].ready_timeout_ms, 5000);
	assert_string_equal(s[2].name, "web");
	assert_int_equal(s[2].ready_timeout_ms, 900);

	assert_int_equal(sc->n_traffic, 4);
	assert_int_equal(t[0].kind, SC_TRAFFIC_REQUESTS);
	assert_int_equal(t[0].requests, 5);
	assert_int_equal(t[0].interval_ms, 20);
	assert_int_equal(t[0].start_ms, 10);
	assert_int_equal(t[0].connections, 10);
	assert_int_equal(t[1].kind, SC_TRAFFIC_BULK);
	assert_int_equal(t[1].bytes, 1000000);
	assert_int_equal(t[1].connections, 1);
	assert_int_equal(t[1].requests, 1);
	assert_int_equal(t[2].kind, SC_TRAFFIC_COMMAND);
	assert_string_equal(t[2].command, "curl -s x");
	assert_int_equal(t[2].expect_exit, 0);
	assert_string_equal(t[2].expect_output, "200");
	assert_int_equal(t[2].timeout_ms, 10000);
	assert_int_equal(t[2].connections, 1);
	assert_int_equal(t[3].expect_exit, 1);
	assert_int_equal(t[3].timeout_ms, 50);
	assert_string_equal(t[3].expect_output, "");
	free(sc);
}

static void test_scenario_load_phases_checks(void **state)
{
	struct scenario *sc = load_ok(workload);
	const struct sc_phase *p = sc->phases;
	const struct sc_expect *e = sc->expects;

	(void)state;
	assert_int_equal(sc->n_phases, 4);
	assert_int_equal(p[0].kind, SC_PHASE_REMOVE_BACKEND);
	assert_int_equal(p[0].at_ms, 500);
	assert_int_equal(p[0].vip, 0);
	assert_string_equal(p[0].node, "b");
	assert_int_equal(p[0].mark.line, 23);
	assert_int_equal(p[1].kind, SC_PHASE_ADD_BACKEND);
	assert_int_equal(p[2].kind, SC_PHASE_SET_MTU);
	assert_point(&p[2].at, "client", "eth0");
	assert_int_equal(p[2].mtu, 1400);
	assert_int_equal(p[3].kind, SC_PHASE_REPLACE_DECAP);
	assert_string_equal(p[3].node, "a");
	assert_string_equal(scenario_phase_name(SC_PHASE_SET_MTU), "set-mtu");
	assert_string_equal(scenario_phase_name((enum sc_phase_kind)9), "?");

	assert_int_equal(sc->n_expects, 5);
	assert_int_equal(e[0].kind, SC_EXPECT_UNBROKEN);
	assert_string_equal(e[0].traffic, "long");
	assert_int_equal(e[1].kind, SC_EXPECT_GOODPUT);
	assert_int_equal(e[1].min_mbps, 100);
	assert_int_equal(e[2].min_mbps, 0);
	assert_int_equal(e[3].kind, SC_EXPECT_EXIT);
	assert_int_equal(e[3].status, 0);
	assert_int_equal(e[4].kind, SC_EXPECT_OUTPUT);
	assert_string_equal(e[4].contains, "200");
	free(sc);
}

/* Two balancers with the same tables; one fails. */
static const char failover[] = "version: 1\n"
			       "name: failover\n"
			       "nodes:\n"
			       "  r:  {role: router}\n"
			       "  l1: {role: lb, addrs: [10.0.1.2/24], gateway: 10.0.1.1}\n"
			       "  l2: {role: lb, addrs: [10.0.3.2/24], gateway: 10.0.3.1}\n"
			       "  h:  {role: host, addrs: [10.0.2.2/24], gateway: 10.0.2.1}\n"
			       "  a:  {role: container, host: h, addrs: [10.1.0.2/24]}\n"
			       "links: [[l1:eth0, r:eth1], [l2:eth0, r:eth2], [h:eth0, r:eth3]]\n"
			       "balancer:\n"
			       "  node: [l1, l2]\n"
			       "  vips: [{vip: \"10.100.0.1:80/tcp\", backends: [a]}]\n"
			       "phases: [{at-ms: 500, fail-balancer: l1}]\n"
			       "expect:\n"
			       "  - {counter: {of: balancer, node: l2, name: conn_new, min: 1}}\n"
			       "  - {counter: {of: balancer, name: rx, min: 1}}\n";

/* node: [l1, l2] and the phase and counter that name one of them. */
static void test_scenario_load_balancers(void **state)
{
	struct scenario *sc = load_ok(failover);
	const struct sc_balancer *b = &sc->balancer;

	(void)state;
	assert_int_equal(b->n_nodes, 2);
	assert_string_equal(b->nodes[0], "l1");
	assert_string_equal(b->nodes[1], "l2");
	assert_string_equal(b->node, "l1");
	assert_int_equal(sc->n_phases, 1);
	assert_int_equal(sc->phases[0].kind, SC_PHASE_FAIL_BALANCER);
	assert_string_equal(sc->phases[0].node, "l1");
	assert_string_equal(scenario_phase_name(SC_PHASE_FAIL_BALANCER), "fail-balancer");
	assert_int_equal(sc->n_expects, 2);
	assert_false(sc->expects[0].counter_decap);
	assert_string_equal(sc->expects[0].node, "l2");
	assert_string_equal(sc->expects[1].node, "");
	assert_int_equal(sc->phases[0].node_idx, b->node_idx[0]);
	assert_int_equal(sc->expects[0].node_idx, b->node_idx[1]);
	assert_int_equal(sc->expects[0].lb, 1);
	assert_int_equal(sc->expects[1].node_idx, -1);
	assert_int_equal(sc->expects[1].lb, -1);
	free(sc);
}

static void test_scenario_node_lookup(void **state)
{
	struct scenario *sc = load_ok(example);

	(void)state;
	assert_int_equal(scenario_node_index(sc, "host1"), 3);
	assert_int_equal(scenario_node_index(sc, "host2"), -1);
	assert_int_equal(scenario_node_index(sc, ""), -1);
	free(sc);
}

/* Every name the model refers by is an index once loaded; capture points are listed once. */
static void test_scenario_names_resolved(void **state)
{
	static const char text[] = "  - {seen: {at: host1:eth0, dst: 10.1.0.2}}\n"
				   "  - {drops: {at: tenant-b, max: 0}}\n";
	char buf[sizeof(example) + sizeof(text)];
	struct scenario *sc;
	const struct sc_balancer *b;

	(void)state;
	snprintf(buf, sizeof(buf), "%s%s", example, text);
	sc = load_ok(buf);
	b = &sc->balancer;
	assert_int_equal(sc->nodes[4].host_idx, 3);
	assert_int_equal(sc->nodes[5].host_idx, 3);
	assert_int_equal(sc->nodes[3].host_idx, -1);
	assert_true(sc->nodes[4].backend);
	assert_true(sc->nodes[5].backend);
	assert_false(sc->nodes[3].backend);
	assert_int_equal(sc->links[1].a.node_idx, 2);
	assert_int_equal(sc->links[1].b.node_idx, 1);
	assert_int_equal(b->node_idx[0], 2);
	assert_int_equal(b->vips[0].backend_idx[0], 4);
	assert_int_equal(b->vips[1].backend_idx[0], 5);
	assert_int_equal(sc->services[0].node_idx, 4);
	assert_int_equal(sc->traffic[0].from_idx, 0);
	/* the captures first, then the one point only a check reads */
	assert_int_equal(sc->n_cap_points, 3);
	assert_string_equal(sc->cap_points[0].at.node, "router");
	assert_string_equal(sc->cap_points[0].at.iface, "eth1");
	assert_int_equal(sc->cap_points[0].at.node_idx, 1);
	assert_int_equal(sc->cap_points[0].capture, 0);
	assert_int_equal(sc->cap_points[1].at.node_idx, 0);
	assert_int_equal(sc->cap_points[1].capture, 1);
	assert_int_equal(sc->cap_points[2].at.node_idx, 3);
	assert_string_equal(sc->cap_points[2].at.iface, "eth0");
	assert_int_equal(sc->cap_points[2].capture, -1);
	assert_int_equal(sc->captures[0].point, 0);
	assert_int_equal(sc->captures[1].point, 1);
	assert_int_equal(sc->n_expects, 7);
	assert_int_equal(sc->expects[0].traffic_idx, 0);
	assert_int_equal(sc->expects[0].point, -1);
	assert_int_equal(sc->expects[1].traffic_idx, 0);
	assert_int_equal(sc->expects[1].node_idxs[0], 4);
	assert_int_equal(sc->expects[2].point, 0);
	assert_int_equal(sc->expects[2].traffic_idx, -1);
	assert_int_equal(sc->expects[3].point, 1);
	assert_int_equal(sc->expects[4].point, 0);
	assert_int_equal(sc->expects[5].point, 2);
	assert_int_equal(sc->expects[6].node_idx, 5);
	assert_int_equal(sc->expects[6].point, -1);
	free(sc);
}

static void test_scenario_names(void **state)
{
	(void)state;
	assert_string_equal(scenario_role_name(ROLE_CLIENT), "client");
	assert_string_equal(scenario_role_name(ROLE_ROUTER), "router");
	assert_string_equal(scenario_role_name(ROLE_LB), "lb");
	assert_string_equal(scenario_role_name(ROLE_HOST), "host");
	assert_string_equal(scenario_role_name(ROLE_CONTAINER), "container");
	assert_string_equal(scenario_role_name((enum sc_role)99), "?");
	assert_string_equal(decap_at_name(DECAP_AT_NONE), "none");
	assert_string_equal(decap_at_name(DECAP_AT_HOST_VETH_EGRESS), "host-veth-egress");
	assert_string_equal(decap_at_name(DECAP_AT_CONTAINER_INGRESS), "container-ingress");
	assert_string_equal(decap_at_name(DECAP_AT_HOST_NIC), "host-nic");
	assert_string_equal(decap_at_name((enum decap_at) - 1), "?");
	/* the CLIs take attach points only: "none" is a scenario's negative control */
	enum decap_at at = DECAP_AT_NONE;
	assert_int_equal(decap_at_parse("container-ingress", &at), 0);
	assert_int_equal(at, DECAP_AT_CONTAINER_INGRESS);
	assert_int_equal(decap_at_parse("none", &at), -EINVAL);
	assert_int_equal(decap_at_parse("host-veth", &at), -EINVAL);
	assert_int_equal(at, DECAP_AT_CONTAINER_INGRESS);
}

static void test_scenario_load_missing_file(void **state)
{
	struct scenario sc;
	char *out = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&out, &len);
	int ret;

	(void)state;
	assert_non_null(err);
	ret = scenario_load("no-such-scenario.yaml", &sc, err);
	fclose(err);
	assert_int_equal(ret, -ENOENT);
	assert_string_equal(
		out, "no-such-scenario.yaml: cannot read scenario: No such file or directory\n");
	free(out);
}

/* err may be NULL: the caller only wants the verdict. */
static void test_scenario_load_buffer_quiet(void **state)
{
	static const char text[] = "version: 1\nname: x\nnodes: {a: {role: robot}}\n";
	struct scenario sc;

	(void)state;
	assert_int_equal(scenario_load_buffer("q.yaml", text, strlen(text), &sc, NULL), -EINVAL);
}

/* The broken corpus: one test per NAME.yaml, run from inside the corpus directory. */
static char *read_all(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *out;
	int c;

	if (!f)
		return NULL;
	out = open_memstream(&buf, &len);
	if (out) {
		while ((c = fgetc(f)) != EOF)
			fputc(c, out);
		fclose(out);
	}
	fclose(f);
	return buf;
}

static void test_scenario_bad(void **state)
{
	const char *yaml = *state;
	char errpath[256], *want, *got = NULL;
	size_t got_len = 0;
	struct scenario *sc = malloc(sizeof(*sc));
	FILE *err;
	int ret;

	assert_non_null(sc);
	snprintf(errpath, sizeof(errpath), "%.*s.err", (int)(strlen(yaml) - 5), yaml);
	want = read_all(errpath);
	if (!want)
		fail_msg("%s: missing expected output %s", yaml, errpath);
	err = open_memstream(&got, &got_len);
	assert_non_null(err);
	ret = scenario_load(yaml, sc, err);
	fclose(err);
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(sc);
}

static int run_bad_corpus(const char *dir)
{
	struct CMUnitTest *tests;
	glob_t g;
	size_t i;
	int ret;

	if (chdir(dir)) {
		fprintf(stderr, "cannot enter corpus %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (glob("*.yaml", 0, NULL, &g) || g.gl_pathc < 15) {
		fprintf(stderr, "corpus %s: expected at least 15 *.yaml files\n", dir);
		return 1;
	}
	tests = calloc(g.gl_pathc, sizeof(*tests));
	if (!tests)
		return 1;
	for (i = 0; i < g.gl_pathc; i++) {
		char *name;

		if (asprintf(&name, "test_scenario_bad_%s", g.gl_pathv[i]) < 0)
			name = NULL;
		tests[i] = (struct CMUnitTest){ .name = name,
						.test_func = test_scenario_bad,
						.initial_state = g.gl_pathv[i] };
	}
	ret = _cmocka_run_group_tests("scenario_bad", tests, g.gl_pathc, NULL, NULL);
	for (i = 0; i < g.gl_pathc; i++)
		free((char *)tests[i].name);
	free(tests);
	globfree(&g);
	return ret;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario_load_example_nodes),
		cmocka_unit_test(test_scenario_load_example_balancer),
		cmocka_unit_test(test_scenario_load_example_workload),
		cmocka_unit_test(test_scenario_load_example_expects),
		cmocka_unit_test(test_scenario_load_defaults),
		cmocka_unit_test(test_scenario_load_minimal),
		cmocka_unit_test(test_scenario_load_ipv6),
		cmocka_unit_test(test_scenario_load_services_traffic),
		cmocka_unit_test(test_scenario_load_phases_checks),
		cmocka_unit_test(test_scenario_load_balancers),
		cmocka_unit_test(test_scenario_node_lookup),
		cmocka_unit_test(test_scenario_names_resolved),
		cmocka_unit_test(test_scenario_names),
		cmocka_unit_test(test_scenario_load_missing_file),
		cmocka_unit_test(test_scenario_load_buffer_quiet),
	};
	int ret;

	ret = cmocka_run_group_tests(tests, NULL, NULL);
	ret |= run_bad_corpus(argc > 1 ? argv[1] : SCENARIOS_BAD_DIR);
	return ret ? 1 : 0;
}
