// SPDX-License-Identifier: GPL-2.0
/* dsrlab-lb: attach the XDP balancer and change a running one through its pinned maps. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "lb/lb.h"
#include "lb/maglev.h"
#include "common/arg.h"
#include "common/cli.h"
#include "common/faults.h"
#include "common/log.h"
#include "common/netlink.h"
#include "common/netns.h"
#include "common/parse.h"
#include "common/path.h"

#define DEFAULT_PIN	  DSRLAB_PIN_ROOT "/lb"
#define CHAIN_LAST	  "slot 7"
#define CHAIN_MEMBER_LAST "6"
_Static_assert(CHAIN_SLOT_BALANCER == 7, "update CHAIN_LAST and CHAIN_MEMBER_LAST");

static const char usage[] =
	"Usage: dsrlab-lb [-v|-vv] [-j] [--pin DIR] [--netns NAME] COMMAND ...\n"
	"\n"
	"  attach IFACE --nexthop-mac MAC|--nexthop fib --src ADDR[/LEN] [--src6 ADDR6[/LEN]]\n"
	"         [--gue-port N] [--mode native|skb] [--ring-size PRIME]\n"
	"         [--conn-table sets|lru|percpu] [--chain] [--mtu N] [--fault no-icmp-relay]\n"
	"        Load the balancer, pin its maps and XDP link under DIR, attach it to IFACE.\n"
	"        Encapsulated packets leave IFACE to MAC with outer source ADDR (IPv4 outer\n"
	"        header) or ADDR6 (IPv6 outer header; needed for ip6ip6, 4in6 and GUE to IPv6\n"
	"        backends). /LEN: the prefix that per-flow sources (--src-per-flow) stay in;\n"
	"        route it to the balancer and let no router on the way own an address in it.\n"
	"        --gue-port: UDP destination port of GUE (needed for --encap gue). One of\n"
	"        --src and --src6 is required. The mode is what the kernel granted, or an\n"
	"        error: there is no silent fallback. --conn-table: sets (the default), a\n"
	"        set-associative table (new flows cost array writes, not a hash insert; an\n"
	"        entry goes when both of its sets of 4 are full, counted conn_evicted); lru,\n"
	"        the kernel's LRU hash; percpu, that with LRU lists per CPU (no lock shared\n"
	"        between CPUs; but a flow seen on two CPUs keeps two entries, and each CPU\n"
	"        evicts within its own share). --chain: attach\n"
	"        the chain root instead, with the balancer in its last slot (" CHAIN_LAST ");\n"
	"        other XDP programs run before it (chain add). --mtu: the underlay's IP MTU\n"
	"        (576 to 65535): a VIP packet too long for it once encapsulated is answered\n"
	"        from the VIP with ICMP fragmentation-needed / packet-too-big (IPv4 without\n"
	"        DF: dropped), so the client lowers its path MTU; without it such packets\n"
	"        leave and are lost.\n"
	"        An IPv6 VIP needs N >= 1280 + its overhead (ip6ip6 40, gue 48 to IPv6 or\n"
	"        28 to IPv4 backends): vip add and real add refuse less (exit 2), no clamp.\n"
	"        --nexthop fib: instead of one fixed next-hop MAC out of IFACE, look up each\n"
	"        encapsulated frame's outer destination in this namespace's FIB (egress port\n"
	"        and MACs; XDP_TX or redirect); a next hop without a neighbour entry yet goes\n"
	"        to the kernel once, which resolves it (turn IP forwarding on).\n"
	"        --fault no-icmp-relay: put a known balancer bug back, for the failure library\n"
	"        (docs/bugs.md): too-big about a VIP flow is not relayed; never in production.\n"
	"  detach\n"
	"        Remove the pinned link (the program leaves IFACE), the pinned maps and the\n"
	"        chain with its members.\n"
	"  vip add VIP [--backend ADDR[@WEIGHT]]... [--encap ipip|ip6ip6|4in6|gue]\n"
	"          [--src-per-flow] [--hash-no-ports]\n"
	"        VIP is ADDR:PORT/PROTO (PORT omitted: every port; IPv6 in brackets,\n"
	"        [ADDR]:PORT/PROTO). A backend appears once. The pool is replaced as\n"
	"        a whole (no --backend: an existing VIP keeps its pool): a new Maglev ring is\n"
	"        built and swapped in at once. --encap (default ipip for IPv4 VIPs, ip6ip6\n"
	"        for IPv6 VIPs): ipip IPv4 VIP to IPv4 backends, ip6ip6 IPv6 VIP to IPv6\n"
	"        backends, 4in6 IPv4 VIP to IPv6 backends, gue either VIP to either backend in\n"
	"        UDP. Outer TTL/hop limit 64, DSCP and ECN copied from the client's packet.\n"
	"        --src-per-flow: the outer source varies per flow inside the attach prefix, so\n"
	"        the backend NIC's RSS spreads flows. --hash-no-ports: flows hash on the\n"
	"        addresses and protocol alone, so every fragment of a datagram reaches one\n"
	"        backend (an all-ports VIP forwards fragments only then).\n"
	"  vip del VIP\n"
	"  vip list\n"
	"        VIPs with their encapsulation, flags, counters and pools.\n"
	"  real add VIP ADDR [--weight W]\n"
	"  real del VIP ADDR [--flush]\n"
	"  real weight VIP ADDR W\n"
	"        Change one backend of VIP's pool (at most 64); the ring is rebuilt and swapped\n"
	"        in at once, so new flows follow the new pool from the next packet. Established\n"
	"        flows keep their backend (connection table); del --flush moves the VIP's flows\n"
	"        on ADDR too (their TCP connections break). Weight 0 drains: no new flows.\n"
	"  stats [--per-cpu]\n"
	"        Counters of every pass, drop and transmit reason, summed over CPUs, or per CPU.\n"
	"  show\n"
	"        Where it runs (interface, granted mode, chain), its settings, VIPs with pools\n"
	"        and counters, backends with counters, the chain's slots.\n"
	"  chain list\n"
	"  chain add SLOT OBJ[:PROG]\n"
	"  chain replace SLOT OBJ[:PROG]\n"
	"  chain del SLOT\n"
	"        With attach --chain: run the XDP program PROG of the BPF object file OBJ (its\n"
	"        only XDP program if PROG is omitted) in SLOT (0 to " CHAIN_MEMBER_LAST
	"). Replace is\n"
	"        atomic: every packet meets the old or the new program. A member passes the\n"
	"        packet on by tail-calling the next slots of the prog array `chain` (see\n"
	"        bpf/chain.h: include it, declare `const volatile __u32 chain_slot`, return\n"
	"        chain_run_from(ctx, chain_slot + 1)); any other verdict ends the chain. Empty\n"
	"        slots are skipped; after the last one the verdict is XDP_PASS. Members must be\n"
	"        SEC(\"xdp\") programs (not xdp.frags): the kernel keeps one kind per prog array.\n"
	"\n"
	"Options: --pin DIR (default " DEFAULT_PIN "), --netns NAME (run in that network\n"
	"namespace, so interface names and numbers are its own: the balancer of a `dsrlab up`\n"
	"run is in dsrlab-<id>-lb), -j/--json, -v (-vv: libbpf and verifier\n"
	"logs), -h/--help (COMMAND --help: that command's), -V/--version. Under -j errors too\n"
	"are JSON: {\"version\": 1, \"error\": ...}. Exit: 0 done, 2 usage error, 3 kernel or\n"
	"environment error.\n";

/* What every command takes. */
struct common_opts {
	const char *pin;
	const char *netns;
	bool json;
};

struct attach_opts {
	const char *mode;
	const char *mac;
	const char *src;
	const char *src6;
	const char *conn_table;
	const char *gue_port;
	const char *mtu;
	const char *nexthop;
	const char *ring_size;
	__u32 faults; /* LB_CFG_F_FAULT_* */
	bool chain;
};

/* vip add */
struct vip_opts {
	const char *encap;
	const char *backends[LB_POOL_MAX];
	int n_backends;
	bool src_per_flow;
	bool hash_no_ports;
};

/* real add|del|weight */
struct real_opts {
	const char *weight;
	bool flush;
};

struct stats_opts {
	bool per_cpu;
};

/* The command line: one options struct per command with options of its own. */
struct cli {
	struct common_opts common;
	struct attach_opts attach;
	struct vip_opts vip;
	struct real_opts real;
	struct stats_opts stats;
};

#define BAD_VIP "bad VIP (ADDR:PORT/PROTO or ADDR/PROTO; IPv6 in brackets: [ADDR]:PORT/PROTO)"

static bool json;

static int usage_error(const char *msg, const char *arg)
{
	return cli_usage_error(msg, arg);
}

static int command_error(const char *cmd)
{
	return cli_command_error(cmd);
}

/*
 * --netns NAME: the whole command runs in that network namespace (interfaces are named and
 * numbered there), while the pins stay where they are: only the network namespace changes.
 */
static int enter_netns(const char *name)
{
	int saved, err = netns_enter_named(name, &saved);

	if (err)
		pr_warn("dsrlab-lb: network namespace %s: %s\n", name, strerror(-err));
	else if (saved >= 0)
		close(saved); /* for good: the process lives there from now on */
	return err;
}

/* Would attaching here replace a balancer that is running? */
static bool pin_in_use(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/lb_config", dir);
	return !access(path, F_OK);
}

/* A -j document on stdout, compact on one line; takes doc's reference. */
static void json_out(json_t *doc)
{
	if (doc)
		json_dumpf(doc, stdout, JSON_COMPACT);
	printf("\n");
	json_decref(doc);
}

static int cmd_attach(const struct common_opts *g, const struct attach_opts *o, const char *ifname)
{
	struct lb_load_opts opts = { .chain = o->chain };
	enum xdp_mode mode = XDP_MODE_NATIVE, granted;
	struct lb_config cfg = {};
	struct ip_prefix src, src6;
	struct lb *lb;
	int ifindex, err;
	__u32 mtu = 0;

	if (o->nexthop && strcmp(o->nexthop, "fib"))
		return usage_error("--nexthop takes fib (or give --nexthop-mac MAC)", o->nexthop);
	if (o->nexthop && o->mac)
		return usage_error("--nexthop fib and --nexthop-mac exclude each other", NULL);
	cfg.flags |= o->faults;
	if (o->nexthop)
		cfg.flags |= LB_CFG_F_FIB;
	else if (!o->mac)
		return usage_error("attach needs --nexthop-mac aa:bb:cc:dd:ee:ff or --nexthop fib",
				   NULL);
	else if (arg_mac(o->mac, cfg.nexthop_mac))
		return usage_error("--nexthop-mac takes a MAC address, aa:bb:cc:dd:ee:ff", o->mac);
	if (!o->src && !o->src6)
		return usage_error("attach needs --src (IPv4) or --src6 (IPv6): the outer source",
				   NULL);
	if (o->src && (prefix_parse(o->src, &src, false) || src.addr.family != FAM_IPV4))
		return usage_error("--src takes the balancer's IPv4 address[/LEN]", o->src);
	if (o->src6 && (prefix_parse(o->src6, &src6, false) || src6.addr.family != FAM_IPV6))
		return usage_error("--src6 takes the balancer's IPv6 address[/LEN]", o->src6);
	if (o->gue_port && arg_port(o->gue_port, &cfg.gue_port))
		return usage_error("--gue-port is a UDP port, 1 to 65535", o->gue_port);
	if (o->ring_size && (arg_u32(o->ring_size, 2, UINT32_MAX, &opts.ring_size) ||
			     !maglev_is_prime(opts.ring_size)))
		return usage_error("--ring-size is a prime number of slots, like 65537",
				   o->ring_size);
	if (o->mtu && arg_u32(o->mtu, LB_MTU_MIN, 65535, &mtu))
		return usage_error("--mtu is the underlay's IP MTU, 576 to 65535", o->mtu);
	if (o->mode && !strcmp(o->mode, "skb"))
		mode = XDP_MODE_SKB;
	else if (o->mode && strcmp(o->mode, "native"))
		return usage_error("--mode is native or skb", o->mode);
	if (o->conn_table && conn_kind_parse(o->conn_table, &opts.conn_kind))
		return usage_error("--conn-table is sets, lru or percpu", o->conn_table);
	ifindex = link_index(ifname);
	if (ifindex < 0) {
		pr_warn("dsrlab-lb: no interface %s in this network namespace\n", ifname);
		return 3;
	}
	if (pin_in_use(g->pin)) {
		pr_warn("dsrlab-lb: a balancer is already pinned under %s: detach it first, or "
			"give this one another --pin DIR\n",
			g->pin);
		return 3;
	}
	if (o->src) {
		memcpy(&cfg.src_v4, src.addr.bytes, 4);
		cfg.src_v4_prefix_len = src.len;
	}
	if (o->src6) {
		memcpy(cfg.src_v6, src6.addr.bytes, 16);
		cfg.src_v6_prefix_len = src6.len;
	}
	cfg.mtu = mtu;
	err = lb_load_with(&lb, &opts);
	if (err)
		return 3;
	err = lb_config_set(lb, &cfg);
	if (!err)
		err = lb_attach(lb, ifindex, mode, &granted);
	if (!err)
		err = lb_pin(lb, g->pin);
	if (err) {
		lb_unpin(g->pin); /* ours: pin_in_use() said no balancer was there */
		lb_close(lb);
		return 3;
	}
	if (g->json)
		json_out(json_pack("{s:i, s:s, s:i, s:s, s:s, s:b, s:s}", "version", 1, "interface",
				   ifname, "ifindex", ifindex, "mode", xdp_mode_name(granted),
				   "pin", g->pin, "chained", o->chain, "conn_table",
				   conn_kind_name(opts.conn_kind)));
	else
		printf("balancer attached to %s in %s mode%s, pinned under %s\n", ifname,
		       xdp_mode_name(granted),
		       o->chain ? " behind the chain root (" CHAIN_LAST ")" : "", g->pin);
	lb_close(lb); /* the pinned link keeps it attached */
	return 0;
}

static int cmd_detach(const struct common_opts *g)
{
	if (access(g->pin, F_OK)) {
		pr_warn("dsrlab-lb: nothing pinned under %s: nothing to detach\n", g->pin);
		return 0;
	}
	if (lb_unpin(g->pin)) {
		pr_warn("dsrlab-lb: remove %s: %s (files not ours are left in it)\n", g->pin,
			strerror(errno));
		return 3;
	}
	return 0;
}

static int fail(const char *what, const char *arg, int err)
{
	pr_warn("dsrlab-lb: %s %s: %s\n", what, arg, strerror(-err));
	return 3;
}

static int cmd_vip_add(const struct common_opts *g, const struct vip_opts *o, const char *vip_s)
{
	struct lb_backend b[LB_POOL_MAX];
	struct lb_vip_info old;
	struct endpoint vip;
	struct lb *lb;
	__u32 flags;
	__u8 encap;
	int i, n, err;

	if (endpoint_parse(vip_s, &vip))
		return usage_error(BAD_VIP, vip_s);
	encap = vip.addr.family == FAM_IPV6 ? ENCAP_IP6IP6 : ENCAP_IPIP;
	if (o->encap && lb_encap_parse(o->encap, &encap))
		return usage_error("--encap is ipip, ip6ip6, 4in6 or gue", o->encap);
	for (i = 0; i < o->n_backends; i++) {
		if (lb_backend_parse(o->backends[i], &b[i]))
			return usage_error("bad --backend (ADDR[@WEIGHT])", o->backends[i]);
		for (n = 0; n < i; n++)
			if (addr_equal(&b[n].addr, &b[i].addr))
				return usage_error("--backend given twice (one entry per backend; "
						   "@WEIGHT sets its share)",
						   o->backends[i]);
	}
	if (lb_open_pinned(&lb, g->pin))
		return 3;
	n = o->n_backends;
	/* An existing VIP changed without --backend keeps its pool (checked against it). */
	if (!n && !lb_vip_get(lb, &vip, &old)) {
		n = old.n;
		memcpy(b, old.pool, n * sizeof(b[0]));
	}
	flags = (o->src_per_flow ? VIP_F_SRC_PER_FLOW : 0) |
		(o->hash_no_ports ? VIP_F_HASH_NO_PORTS : 0);
	err = lb_vip_check(lb, &vip, encap, flags, b, n);
	if (err == -EINVAL) { /* said why: the VIP does not fit the attach settings */
		lb_close(lb);
		return 2;
	}
	if (!err)
		err = lb_vip_add(lb, &vip, encap, flags);
	if (!err)
		err = lb_vip_set_backends(lb, &vip, b, n);
	lb_close(lb);
	return err ? fail("vip add", vip_s, err) : 0;
}

static int cmd_vip_del(const struct common_opts *g, const char *vip_s)
{
	struct endpoint vip;
	struct lb *lb;
	int err;

	if (endpoint_parse(vip_s, &vip))
		return usage_error(BAD_VIP, vip_s);
	if (lb_open_pinned(&lb, g->pin))
		return 3;
	err = lb_vip_del(lb, &vip);
	lb_close(lb);
	return err ? fail("vip del", vip_s, err) : 0;
}

/* real add|del|weight VIP ADDR [W] */
static int cmd_real(const struct common_opts *g, const struct real_opts *o, const char *op,
		    const char *vip_s, const char *addr_s, const char *weight_s)
{
	struct lb_backend b = { .weight = 1 };
	struct endpoint vip;
	struct lb *lb;
	int err;

	if (endpoint_parse(vip_s, &vip))
		return usage_error(BAD_VIP, vip_s);
	if (addr_parse(addr_s, &b.addr))
		return usage_error("bad backend address", addr_s);
	if (weight_s && arg_u32(weight_s, 0, UINT32_MAX, &b.weight))
		return usage_error("a weight is a whole number, 0 to drain", weight_s);
	if (lb_open_pinned(&lb, g->pin))
		return 3;
	if (!strcmp(op, "add"))
		err = lb_real_add(lb, &vip, &b);
	else if (!strcmp(op, "del"))
		err = lb_real_del(lb, &vip, &b.addr, o->flush);
	else
		err = lb_real_weight(lb, &vip, &b.addr, b.weight);
	lb_close(lb);
	if (err) {
		pr_warn("dsrlab-lb: real %s %s %s: %s\n", op, vip_s, addr_s, strerror(-err));
		return err == -EINVAL ? 2 : 3; /* EINVAL: said why, the settings refuse it */
	}
	return 0;
}

static void counter_print(const struct lb_counter *n)
{
	printf("%llu pkts %llu bytes", (unsigned long long)n->packets,
	       (unsigned long long)n->bytes);
}

/* A counter's packets and bytes into o (a new object when o is NULL); o. */
static json_t *counter_json(json_t *o, const struct lb_counter *n)
{
	if (!o)
		o = json_object();
	json_object_set_new(o, "packets", json_integer(n->packets));
	json_object_set_new(o, "bytes", json_integer(n->bytes));
	return o;
}

static const struct {
	__u32 flag;
	const char *name;
} vip_flag_names[] = { { VIP_F_HASH_NO_PORTS, "hash-no-ports" },
		       { VIP_F_SRC_PER_FLOW, "src-per-flow" } };

static void vip_flags_print(__u32 flags)
{
	const char *sep = "";
	size_t i;

	for (i = 0; i < sizeof(vip_flag_names) / sizeof(vip_flag_names[0]); i++) {
		if (!(flags & vip_flag_names[i].flag))
			continue;
		printf("%s%s", sep, vip_flag_names[i].name);
		sep = " ";
	}
	printf("%s", *sep ? "" : "-");
}

static json_t *vip_flags_json(__u32 flags)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < sizeof(vip_flag_names) / sizeof(vip_flag_names[0]); i++)
		if (flags & vip_flag_names[i].flag)
			json_array_append_new(a, json_string(vip_flag_names[i].name));
	return a;
}

static void vip_print(const struct lb_vip_info *v)
{
	char buf[ADDR_STRLEN];
	int i;

	endpoint_str(&v->vip, buf, sizeof(buf));
	printf("vip %s  id %u  %s  flags ", buf, v->vip_id, lb_encap_name(v->encap));
	vip_flags_print(v->flags);
	printf("  ");
	counter_print(&v->counters);
	printf("  %llu new flows\n", (unsigned long long)v->new_flows);
	for (i = 0; i < v->n; i++) {
		addr_str(&v->pool[i].addr, buf, sizeof(buf));
		printf("  backend %s  weight %u  real %u\n", buf, v->pool[i].weight, v->real_id[i]);
	}
	if (!v->n)
		printf("  no backend: its packets are dropped\n");
}

static json_t *vip_json(const struct lb_vip_info *v)
{
	json_t *o, *pool = json_array();
	char buf[ADDR_STRLEN];
	int i;

	endpoint_str(&v->vip, buf, sizeof(buf));
	o = json_pack("{s:s, s:i, s:s, s:o}", "vip", buf, "id", v->vip_id, "encap",
		      lb_encap_name(v->encap), "flags", vip_flags_json(v->flags));
	counter_json(o, &v->counters);
	json_object_set_new(o, "new_flows", json_integer(v->new_flows));
	for (i = 0; i < v->n; i++) {
		addr_str(&v->pool[i].addr, buf, sizeof(buf));
		json_array_append_new(pool, json_pack("{s:s, s:i, s:i}", "addr", buf, "weight",
						      v->pool[i].weight, "real_id", v->real_id[i]));
	}
	json_object_set_new(o, "backends", pool);
	return o;
}

/* Every VIP: printed, or into *out as a JSON array (out non-NULL). */
static int vips_print(struct lb *lb, json_t **out)
{
	struct lb_vip_info *v;
	int i, n, err;

	err = lb_vip_list(lb, &v, &n);
	if (err) {
		pr_warn("dsrlab-lb: read the VIPs: %s\n", strerror(-err));
		return err;
	}
	if (out)
		*out = json_array();
	for (i = 0; i < n; i++) {
		if (out)
			json_array_append_new(*out, vip_json(&v[i]));
		else
			vip_print(&v[i]);
	}
	free(v);
	return 0;
}

static int cmd_vip_list(const struct common_opts *g)
{
	json_t *vips = NULL;
	struct lb *lb;
	int err;

	if (lb_open_pinned(&lb, g->pin))
		return 3;
	err = vips_print(lb, g->json ? &vips : NULL);
	lb_close(lb);
	if (!err && g->json)
		json_out(json_pack("{s:i, s:o}", "version", 1, "vips", vips));
	return err ? 3 : 0;
}

/* Per-CPU counters: printed, or into doc (non-NULL), an array of CPUs per counter. */
static int stats_per_cpu(struct lb *lb, json_t *doc)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, i, err;
	struct lb_counter(*s)[LB_STAT_MAX];
	json_t *cpus;

	if (ncpu < 0)
		return ncpu;
	s = calloc(ncpu, sizeof(*s));
	if (!s)
		return -ENOMEM;
	err = lb_stats_read_cpus(lb, s, ncpu);
	for (i = 0; !err && i < LB_STAT_MAX; i++) {
		if (doc) {
			cpus = json_array();
			for (cpu = 0; cpu < ncpu; cpu++)
				json_array_append_new(cpus, counter_json(NULL, &s[cpu][i]));
			json_object_set_new(doc, lb_stat_name(i), cpus);
			continue;
		}
		printf("%s\n", lb_stat_name(i));
		for (cpu = 0; cpu < ncpu; cpu++) {
			if (!s[cpu][i].packets)
				continue;
			printf("  cpu %-4d ", cpu);
			counter_print(&s[cpu][i]);
			printf("\n");
		}
	}
	free(s);
	return err;
}

static int cmd_stats(const struct common_opts *g, const struct stats_opts *o)
{
	struct lb_counter s[LB_STAT_MAX];
	json_t *doc = g->json ? json_pack("{s:i}", "version", 1) : NULL;
	struct lb *lb;
	int i, err;

	if (lb_open_pinned(&lb, g->pin)) {
		json_decref(doc);
		return 3;
	}
	if (o->per_cpu) {
		err = stats_per_cpu(lb, doc);
	} else {
		err = lb_stats_read(lb, s);
		for (i = 0; !err && i < LB_STAT_MAX; i++) {
			if (doc)
				json_object_set_new(doc, lb_stat_name(i),
						    counter_json(NULL, &s[i]));
			else
				printf("%-24s %12llu pkts %14llu bytes\n", lb_stat_name(i),
				       (unsigned long long)s[i].packets,
				       (unsigned long long)s[i].bytes);
		}
	}
	lb_close(lb);
	if (err) {
		json_decref(doc);
		pr_warn("dsrlab-lb: read the counters: %s\n", strerror(-err));
		return 3;
	}
	if (doc)
		json_out(doc);
	return 0;
}

static void prefix_str_of(int fam, const void *a, __u8 len, char *buf, size_t size)
{
	struct ip_prefix p = { .addr.family = fam, .len = len };

	memcpy(p.addr.bytes, a, fam == FAM_IPV4 ? 4 : 16);
	if (!len)
		p.len = fam == FAM_IPV4 ? 32 : 128;
	prefix_str(&p, buf, size);
}

/* The balancer's settings: printed, or into doc (non-NULL) as "config". */
static int config_print(struct lb *lb, json_t *doc, const struct lb_status *st)
{
	static const __be32 none[4];
	char mac[18], src[ADDR_STRLEN] = "", src6[ADDR_STRLEN] = "";
	struct lb_config cfg;
	const __u8 *m;
	json_t *o, *faults;
	size_t k;
	int err;

	err = lb_config_get(lb, &cfg);
	if (err)
		return err;
	m = cfg.nexthop_mac;
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	if (cfg.src_v4)
		prefix_str_of(FAM_IPV4, &cfg.src_v4, cfg.src_v4_prefix_len, src, sizeof(src));
	if (memcmp(cfg.src_v6, none, sizeof(none)))
		prefix_str_of(FAM_IPV6, cfg.src_v6, cfg.src_v6_prefix_len, src6, sizeof(src6));
	if (!doc) {
		if (cfg.flags & LB_CFG_F_FIB)
			printf("  next hop from the FIB");
		else
			printf("  next hop %s", mac);
		if (src[0])
			printf("  source %s", src);
		if (src6[0])
			printf("  source6 %s", src6);
		printf("  gue port %u  mtu %u%s  ring %u slots  connection table %s\n",
		       cfg.gue_port, cfg.mtu, cfg.mtu ? "" : " (no check)", cfg.ring_size,
		       lb_conn_table_name(st));
		for (k = 0; k < n_fault_defs; k++)
			if (fault_defs[k].of == FAULT_OF_BALANCER &&
			    (cfg.flags & fault_defs[k].flag))
				printf("  FAULT %s (a known bug put back on purpose)\n",
				       fault_defs[k].name);
		return 0;
	}
	o = json_object();
	if (cfg.flags & LB_CFG_F_FIB)
		json_object_set_new(o, "nexthop", json_string("fib"));
	else
		json_object_set_new(o, "nexthop_mac", json_string(mac));
	if (src[0])
		json_object_set_new(o, "src", json_string(src));
	if (src6[0])
		json_object_set_new(o, "src6", json_string(src6));
	json_object_set_new(o, "gue_port", json_integer(cfg.gue_port));
	json_object_set_new(o, "mtu", json_integer(cfg.mtu));
	json_object_set_new(o, "ring_size", json_integer(cfg.ring_size));
	json_object_set_new(o, "conn_table", json_string(lb_conn_table_name(st)));
	faults = json_array();
	for (k = 0; k < n_fault_defs; k++)
		if (fault_defs[k].of == FAULT_OF_BALANCER && (cfg.flags & fault_defs[k].flag))
			json_array_append_new(faults, json_string(fault_defs[k].name));
	if (json_array_size(faults))
		json_object_set(o, "faults", faults);
	json_decref(faults);
	json_object_set_new(doc, "config", o);
	return 0;
}

/* Where it is pinned and attached: printed, or into doc (non-NULL). */
static void status_print(json_t *doc, const char *pin, const struct lb_status *st)
{
	char ifname[IF_NAMESIZE] = "?";

	if (st->attached)
		if_indextoname(st->ifindex, ifname);
	if (doc) {
		json_object_set_new(doc, "pin", json_string(pin));
		json_object_set_new(doc, "attached", json_boolean(st->attached));
		if (st->attached) {
			json_object_set_new(doc, "interface", json_string(ifname));
			json_object_set_new(doc, "ifindex", json_integer(st->ifindex));
			json_object_set_new(doc, "mode", json_string(xdp_mode_name(st->mode)));
			json_object_set_new(doc, "prog_id", json_integer(st->prog_id));
		}
		json_object_set_new(doc, "chained", json_boolean(st->chained));
		return;
	}
	printf("balancer pinned under %s\n", pin);
	if (st->attached)
		printf("  attached to %s (ifindex %d) in %s mode, program %u%s\n", ifname,
		       st->ifindex, xdp_mode_name(st->mode), st->prog_id,
		       st->chained ? ", the chain root" : "");
	else
		printf("  not attached\n");
}

/* Every backend with its counters: printed, or into doc (non-NULL) as "backends". */
static void backends_print(struct lb *lb, json_t *doc)
{
	json_t *a = doc ? json_array() : NULL;
	char buf[ADDR_STRLEN];
	struct lb_counter n;
	struct ip_addr addr;
	__u32 id;

	if (!doc)
		printf("backends (counted over every VIP)\n");
	for (id = 1; id < LB_MAX_REALS; id++) {
		if (lb_real_get(lb, id, &addr, &n))
			continue;
		addr_str(&addr, buf, sizeof(buf));
		if (a) {
			json_array_append_new(
				a, counter_json(json_pack("{s:s, s:i}", "addr", buf, "real_id", id),
						&n));
			continue;
		}
		printf("  %s  real %u  ", buf, id);
		counter_print(&n);
		printf("\n");
	}
	if (doc)
		json_object_set_new(doc, "backends", a);
}

/* The chain's members: printed, or into doc (non-NULL) as "chain". */
static void chain_print(struct lb *lb, json_t *doc)
{
	struct lb_chain_slot s[CHAIN_SLOTS];
	json_t *a = doc ? json_array() : NULL;
	int i;

	if (lb_chain_list(lb, s)) {
		json_decref(a);
		return;
	}
	if (!doc)
		printf("chain (empty slots are skipped)\n");
	for (i = 0; i < CHAIN_SLOTS; i++) {
		if (!s[i].prog_id)
			continue;
		if (a)
			json_array_append_new(a, json_pack("{s:i, s:i, s:s}", "slot", i, "prog_id",
							   s[i].prog_id, "name", s[i].name));
		else
			printf("  slot %d  program %u  %s\n", i, s[i].prog_id, s[i].name);
	}
	if (doc)
		json_object_set_new(doc, "chain", a);
}

static int cmd_show(const struct common_opts *g)
{
	json_t *doc = g->json ? json_pack("{s:i}", "version", 1) : NULL, *vips = NULL;
	struct lb_status st;
	struct lb *lb;
	int err;

	if (lb_open_pinned(&lb, g->pin)) {
		json_decref(doc);
		return 3;
	}
	err = lb_status_get(lb, &st);
	if (err)
		goto out;
	status_print(doc, g->pin, &st);
	err = config_print(lb, doc, &st);
	if (err)
		goto out;
	err = vips_print(lb, doc ? &vips : NULL);
	if (err)
		goto out;
	if (doc)
		json_object_set_new(doc, "vips", vips);
	backends_print(lb, doc);
	if (st.chained)
		chain_print(lb, doc);
	if (doc)
		json_out(json_incref(doc));
out:
	json_decref(doc);
	lb_close(lb);
	if (err) {
		pr_warn("dsrlab-lb: show: %s\n", strerror(-err));
		return 3;
	}
	return 0;
}

/* chain add|replace SLOT OBJ[:PROG], chain del SLOT */
static int cmd_chain(const struct common_opts *g, const char *op, const char *slot_s,
		     const char *obj_s)
{
	char path[PATH_MAX] = "", *prog = NULL;
	struct lb *lb;
	__u32 slot;
	int err;

	if (arg_u32(slot_s, 0, UINT32_MAX, &slot))
		return usage_error("a chain slot is a number, 0 to " CHAIN_MEMBER_LAST, slot_s);
	if (obj_s) {
		snprintf(path, sizeof(path), "%s", obj_s);
		prog = strrchr(path, ':');
		if (prog)
			*prog++ = '\0';
	}
	if (lb_open_pinned(&lb, g->pin))
		return 3;
	if (!strcmp(op, "del"))
		err = lb_chain_del(lb, slot);
	else
		err = lb_chain_member_load(lb, slot, path, prog, !strcmp(op, "replace"));
	lb_close(lb);
	if (err) {
		pr_warn("dsrlab-lb: chain %s %s%s%s: %s\n", op, slot_s, obj_s ? " " : "",
			obj_s ? obj_s : "", strerror(-err));
		return 3;
	}
	return 0;
}

static int cmd_chain_list(const struct common_opts *g)
{
	json_t *doc;
	struct lb *lb;

	if (lb_open_pinned(&lb, g->pin))
		return 3;
	if (lb_chain_fd(lb) < 0) {
		lb_close(lb);
		pr_warn("dsrlab-lb: the balancer under %s is not chained (attach --chain)\n",
			g->pin);
		return 3;
	}
	doc = g->json ? json_pack("{s:i}", "version", 1) : NULL;
	chain_print(lb, doc);
	if (doc)
		json_out(doc);
	lb_close(lb);
	return 0;
}

static bool is(int argc, char **argv, int n, const char *cmd, const char *sub)
{
	return argc == n && !strcmp(argv[0], cmd) && (!sub || !strcmp(argv[1], sub));
}

static int run(const struct cli *c, int argc, char **argv)
{
	const struct common_opts *g = &c->common;

	if (is(argc, argv, 2, "attach", NULL))
		return cmd_attach(g, &c->attach, argv[1]);
	if (is(argc, argv, 1, "detach", NULL))
		return cmd_detach(g);
	if (is(argc, argv, 3, "vip", "add"))
		return cmd_vip_add(g, &c->vip, argv[2]);
	if (is(argc, argv, 3, "vip", "del"))
		return cmd_vip_del(g, argv[2]);
	if (is(argc, argv, 2, "vip", "list"))
		return cmd_vip_list(g);
	if (is(argc, argv, 4, "real", "add") || is(argc, argv, 4, "real", "del"))
		return cmd_real(g, &c->real, argv[1], argv[2], argv[3], c->real.weight);
	if (is(argc, argv, 5, "real", "weight"))
		return cmd_real(g, &c->real, argv[1], argv[2], argv[3], argv[4]);
	if (is(argc, argv, 1, "stats", NULL))
		return cmd_stats(g, &c->stats);
	if (is(argc, argv, 1, "show", NULL))
		return cmd_show(g);
	if (is(argc, argv, 2, "chain", "list"))
		return cmd_chain_list(g);
	if (is(argc, argv, 4, "chain", "add") || is(argc, argv, 4, "chain", "replace"))
		return cmd_chain(g, argv[1], argv[2], argv[3]);
	if (is(argc, argv, 3, "chain", "del"))
		return cmd_chain(g, argv[1], argv[2], NULL);
	return command_error(argv[0]);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pin", required_argument, NULL, 'p' },
		{ "netns", required_argument, NULL, 'n' },
		{ "mode", required_argument, NULL, 'm' },
		{ "nexthop-mac", required_argument, NULL, 'M' },
		{ "src", required_argument, NULL, 's' },
		{ "src6", required_argument, NULL, 'S' },
		{ "gue-port", required_argument, NULL, 'g' },
		{ "mtu", required_argument, NULL, 'u' },
		{ "nexthop", required_argument, NULL, 'H' },
		{ "fault", required_argument, NULL, 'X' },
		{ "src-per-flow", no_argument, NULL, 'F' },
		{ "hash-no-ports", no_argument, NULL, 'O' },
		{ "encap", required_argument, NULL, 'e' },
		{ "backend", required_argument, NULL, 'b' },
		{ "ring-size", required_argument, NULL, 'r' },
		{ "conn-table", required_argument, NULL, 'c' },
		{ "chain", no_argument, NULL, 'C' },
		{ "weight", required_argument, NULL, 'w' },
		{ "flush", no_argument, NULL, 'f' },
		{ "per-cpu", no_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	struct cli c = { .common.pin = DEFAULT_PIN };
	char pin[PATH_MAX];
	int opt, verbose = 0;
	bool help = false;

	cli_init("dsrlab-lb", usage);
	/* clang-format off */
	while ((opt = getopt_long(argc, argv, "jvhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': c.common.pin = optarg; break;
		case 'n': c.common.netns = optarg; break;
		case 'm': c.attach.mode = optarg; break;
		case 'M': c.attach.mac = optarg; break;
		case 's': c.attach.src = optarg; break;
		case 'S': c.attach.src6 = optarg; break;
		case 'g': c.attach.gue_port = optarg; break;
		case 'u': c.attach.mtu = optarg; break;
		case 'H': c.attach.nexthop = optarg; break;
		case 'X': {
			__u32 flag;

			if (fault_parse(FAULT_OF_BALANCER, optarg, &flag))
				return usage_error("--fault is one of the balancer's known bugs: "
						   "no-icmp-relay", optarg);
			c.attach.faults |= flag;
			break;
		}
		case 'F': c.vip.src_per_flow = true; break;
		case 'O': c.vip.hash_no_ports = true; break;
		case 'e': c.vip.encap = optarg; break;
		case 'b':
			if (c.vip.n_backends == LB_POOL_MAX)
				return usage_error("at most 64 backends", NULL);
			c.vip.backends[c.vip.n_backends++] = optarg;
			break;
		case 'r': c.attach.ring_size = optarg; break;
		case 'c': c.attach.conn_table = optarg; break;
		case 'C': c.attach.chain = true; break;
		case 'w': c.real.weight = optarg; break;
		case 'f': c.real.flush = true; break;
		case 'P': c.stats.per_cpu = true; break;
		case 'j': c.common.json = json = true; break;
		case 'v': verbose++; break;
		case 'h': help = true; break;
		case 'V': cli_version("dsrlab-lb", stdout); return 0;
		default: return usage_error("unknown option", NULL);
		}
	}
	/* clang-format on */
	log_set_level(verbose > 1 ? LOG_DEBUG : verbose ? LOG_INFO : LOG_WARN);
	log_setup_libbpf();
	if (json)
		cli_json_errors();
	argc -= optind;
	argv += optind;
	if (help)
		return cli_help_for(argc ? argv[0] : NULL);
	if (argc < 1)
		return usage_error("no command", NULL);
	c.common.pin = path_bpffs(c.common.pin, pin, sizeof(pin));
	if (c.common.netns && enter_netns(c.common.netns))
		return cli_exit(3, false);
	return cli_exit(run(&c, argc, argv), false);
}
