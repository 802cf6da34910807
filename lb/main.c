// SPDX-License-Identifier: GPL-2.0
/* dsrlab-lb: attach the XDP balancer and change a running one through its pinned maps. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lb/lb.h"
#include "common/log.h"
#include "common/netlink.h"
#include "common/parse.h"

#define DEFAULT_PIN "/sys/fs/bpf/dsrlab/lb"

static const char usage[] =
	"Usage: dsrlab-lb [-v|-vv] [-j] [--pin DIR] COMMAND ...\n"
	"\n"
	"  attach IFACE --nexthop-mac MAC --src ADDR[/LEN] [--src6 ADDR6[/LEN]] [--gue-port N]\n"
	"         [--mode native|skb] [--ring-size PRIME]\n"
	"        Load the balancer, pin its maps and XDP link under DIR, attach it to IFACE.\n"
	"        Encapsulated packets leave IFACE to MAC with outer source ADDR (IPv4 outer\n"
	"        header) or ADDR6 (IPv6 outer header; needed for ip6ip6, 4in6 and GUE to IPv6\n"
	"        backends). /LEN: the prefix that per-flow sources (--src-per-flow) stay in;\n"
	"        route it to the balancer and let no router on the way own an address in it.\n"
	"        --gue-port: UDP destination port of GUE (needed for --encap gue). One of\n"
	"        --src and --src6 is required. The mode is what the kernel granted, or an\n"
	"        error: there is no silent fallback.\n"
	"  detach\n"
	"        Remove the pinned link (the program leaves IFACE) and the pinned maps.\n"
	"  vip add VIP --backend ADDR[@WEIGHT]... [--encap ipip|ip6ip6|4in6|gue]\n"
	"          [--src-per-flow]\n"
	"        VIP is ADDR:PORT/PROTO (PORT omitted: every port). The pool is replaced as\n"
	"        a whole: a new Maglev ring is built and swapped in at once. --encap (default\n"
	"        ipip for IPv4 VIPs, ip6ip6 for IPv6 VIPs): ipip IPv4 VIP to IPv4 backends,\n"
	"        ip6ip6 IPv6 VIP to IPv6 backends, 4in6 IPv4 VIP to IPv6 backends, gue either\n"
	"        VIP to either backend in UDP. Outer TTL/hop limit 64, DSCP and ECN copied from\n"
	"        the client's packet. --src-per-flow: the outer source varies per flow inside\n"
	"        the attach prefix, so the backend NIC's RSS spreads flows.\n"
	"  vip del VIP\n"
	"  stats\n"
	"        Counters of every pass, drop and transmit reason, summed over CPUs.\n"
	"\n"
	"Options: --pin DIR (default " DEFAULT_PIN "), -j/--json, -v (-vv: libbpf and verifier\n"
	"logs), -h/--help. Exit: 0 done, 2 usage error, 3 kernel or environment error.\n";

struct cli {
	const char *pin;
	const char *mode;
	const char *mac;
	const char *src;
	const char *src6;
	const char *encap;
	unsigned long gue_port;
	bool src_per_flow;
	const char *backends[64];
	int n_backends;
	unsigned long ring_size;
	bool json;
};

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "dsrlab-lb: %s%s%s\n\n%s", msg, arg ? ": " : "", arg ? arg : "", usage);
	return 2;
}

static int parse_mac(const char *s, __u8 mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -EINVAL;
		mac[i] = b[i];
	}
	return 0;
}

static int cmd_attach(struct cli *c, const char *ifname)
{
	struct lb_config cfg = {};
	enum xdp_mode mode = XDP_MODE_NATIVE, granted;
	struct ip_prefix src, src6;
	struct lb *lb;
	int ifindex, err;

	if (!c->mac || parse_mac(c->mac, cfg.nexthop_mac))
		return usage_error("attach needs --nexthop-mac aa:bb:cc:dd:ee:ff", c->mac);
	if (!c->src && !c->src6)
		return usage_error("attach needs --src (IPv4) or --src6 (IPv6): the outer source",
				   NULL);
	if (c->src && (prefix_parse(c->src, &src, false) || src.addr.family != FAM_IPV4))
		return usage_error("--src takes the balancer's IPv4 address[/LEN]", c->src);
	if (c->src6 && (prefix_parse(c->src6, &src6, false) || src6.addr.family != FAM_IPV6))
		return usage_error("--src6 takes the balancer's IPv6 address[/LEN]", c->src6);
	if (c->gue_port > 65535)
		return usage_error("--gue-port is a UDP port, 1 to 65535", NULL);
	if (c->mode && !strcmp(c->mode, "skb"))
		mode = XDP_MODE_SKB;
	else if (c->mode && strcmp(c->mode, "native"))
		return usage_error("--mode is native or skb", c->mode);
	ifindex = link_index(ifname);
	if (ifindex < 0) {
		fprintf(stderr, "dsrlab-lb: no interface %s in this network namespace\n", ifname);
		return 3;
	}
	if (c->src) {
		memcpy(&cfg.src_v4, src.addr.bytes, 4);
		cfg.src_v4_prefix_len = src.len;
	}
	if (c->src6) {
		memcpy(cfg.src_v6, src6.addr.bytes, 16);
		cfg.src_v6_prefix_len = src6.len;
	}
	cfg.gue_port = c->gue_port;
	err = lb_load(&lb, c->ring_size);
	if (err)
		return 3;
	err = lb_config_set(lb, &cfg);
	if (!err)
		err = lb_attach(lb, ifindex, mode, &granted);
	if (!err)
		err = lb_pin(lb, c->pin);
	if (err) {
		lb_unpin(c->pin);
		lb_close(lb);
		return 3;
	}
	if (c->json)
		printf("{\"interface\":\"%s\",\"mode\":\"%s\",\"pin\":\"%s\"}\n", ifname,
		       xdp_mode_name(granted), c->pin);
	else
		printf("balancer attached to %s in %s mode, pinned under %s\n", ifname,
		       xdp_mode_name(granted), c->pin);
	lb_close(lb); /* the pinned link keeps it attached */
	return 0;
}

static int cmd_vip_add(struct cli *c, const char *vip_s)
{
	struct lb_backend b[64];
	struct endpoint vip;
	struct lb *lb;
	__u32 flags;
	__u8 encap;
	int i, err;

	if (endpoint_parse(vip_s, &vip))
		return usage_error("bad VIP (ADDR:PORT/PROTO)", vip_s);
	encap = vip.addr.family == FAM_IPV6 ? ENCAP_IP6IP6 : ENCAP_IPIP;
	if (c->encap && lb_encap_parse(c->encap, &encap))
		return usage_error("--encap is ipip, ip6ip6, 4in6 or gue", c->encap);
	for (i = 0; i < c->n_backends; i++) {
		char buf[ADDR_STRLEN], *at;

		snprintf(buf, sizeof(buf), "%s", c->backends[i]);
		at = strchr(buf, '@');
		b[i].weight = 1;
		if (at) {
			*at = '\0';
			b[i].weight = strtoul(at + 1, NULL, 10);
		}
		if (addr_parse(buf, &b[i].addr))
			return usage_error("bad backend address", c->backends[i]);
	}
	if (lb_open_pinned(&lb, c->pin))
		return 3;
	flags = c->src_per_flow ? VIP_F_SRC_PER_FLOW : 0;
	err = lb_vip_check(lb, &vip, encap, flags, b, c->n_backends);
	if (!err)
		err = lb_vip_add(lb, &vip, encap, flags);
	if (!err)
		err = lb_vip_set_backends(lb, &vip, b, c->n_backends);
	lb_close(lb);
	if (err) {
		fprintf(stderr, "dsrlab-lb: vip add %s: %s\n", vip_s, strerror(-err));
		return 3;
	}
	return 0;
}

static int cmd_vip_del(struct cli *c, const char *vip_s)
{
	struct endpoint vip;
	struct lb *lb;
	int err;

	if (endpoint_parse(vip_s, &vip))
		return usage_error("bad VIP (ADDR:PORT/PROTO)", vip_s);
	if (lb_open_pinned(&lb, c->pin))
		return 3;
	err = lb_vip_del(lb, &vip);
	lb_close(lb);
	if (err) {
		fprintf(stderr, "dsrlab-lb: vip del %s: %s\n", vip_s, strerror(-err));
		return 3;
	}
	return 0;
}

static int cmd_stats(struct cli *c)
{
	struct lb_counter s[LB_STAT_MAX];
	struct lb *lb;
	int i;

	if (lb_open_pinned(&lb, c->pin))
		return 3;
	if (lb_stats_read(lb, s)) {
		lb_close(lb);
		return 3;
	}
	lb_close(lb);
	if (c->json)
		printf("{");
	for (i = 0; i < LB_STAT_MAX; i++) {
		if (c->json)
			printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", i ? "," : "",
			       lb_stat_name(i), (unsigned long long)s[i].packets,
			       (unsigned long long)s[i].bytes);
		else
			printf("%-24s %12llu pkts %14llu bytes\n", lb_stat_name(i),
			       (unsigned long long)s[i].packets, (unsigned long long)s[i].bytes);
	}
	if (c->json)
		printf("}\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pin", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "nexthop-mac", required_argument, NULL, 'M' },
		{ "src", required_argument, NULL, 's' },
		{ "src6", required_argument, NULL, 'S' },
		{ "gue-port", required_argument, NULL, 'g' },
		{ "src-per-flow", no_argument, NULL, 'F' },
		{ "encap", required_argument, NULL, 'e' },
		{ "backend", required_argument, NULL, 'b' },
		{ "ring-size", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct cli c = { .pin = DEFAULT_PIN };
	int opt, verbose = 0;

	/* clang-format off */
	while ((opt = getopt_long(argc, argv, "jvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': c.pin = optarg; break;
		case 'm': c.mode = optarg; break;
		case 'M': c.mac = optarg; break;
		case 's': c.src = optarg; break;
		case 'S': c.src6 = optarg; break;
		case 'g': c.gue_port = strtoul(optarg, NULL, 10); break;
		case 'F': c.src_per_flow = true; break;
		case 'e': c.encap = optarg; break;
		case 'b':
			if (c.n_backends == 64)
				return usage_error("at most 64 backends", NULL);
			c.backends[c.n_backends++] = optarg;
			break;
		case 'r': c.ring_size = strtoul(optarg, NULL, 10); break;
		case 'j': c.json = true; break;
		case 'v': verbose++; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return usage_error("unknown option", NULL);
		}
	}
	/* clang-format on */
	log_set_level(verbose > 1 ? LOG_DEBUG : verbose ? LOG_INFO : LOG_WARN);
	log_setup_libbpf();
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage_error("no command", NULL);
	if (!strcmp(argv[0], "attach") && argc == 2)
		return cmd_attach(&c, argv[1]);
	if (!strcmp(argv[0], "detach") && argc == 1)
		return lb_unpin(c.pin) ? 3 : 0;
	if (!strcmp(argv[0], "vip") && argc == 3 && !strcmp(argv[1], "add"))
		return cmd_vip_add(&c, argv[2]);
	if (!strcmp(argv[0], "vip") && argc == 3 && !strcmp(argv[1], "del"))
		return cmd_vip_del(&c, argv[2]);
	if (!strcmp(argv[0], "stats") && argc == 1)
		return cmd_stats(&c);
	return usage_error("unknown command or wrong arguments", argv[0]);
}
