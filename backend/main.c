// SPDX-License-Identifier: GPL-2.0
/* dsrlab-backend: attach the TC decap for a container and make VIPs local in it. */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "backend/decap.h"
#include "common/arg.h"
#include "common/cli.h"
#include "common/faults.h"
#include "common/log.h"
#include "common/netlink.h"
#include "common/netns.h"

static const char usage[] =
	"Usage: dsrlab-backend [-v|-vv] [-j] COMMAND ...\n"
	"\n"
	"  attach --netns NS --iface IF --at host-veth-egress|container-ingress|host-nic\n"
	"         --serve ADDR [--serve ADDR6] [--strict] --allow PREFIX... [--gue-port PORT]\n"
	"         [--replace] [--fault NAME]...\n"
	"        Attach decap (TC, clsact) on IF inside network namespace NS. It strips the outer\n"
	"        header of packets sent to ADDR (one address per family: a dual-stack container\n"
	"        gives both) from a source in an --allow prefix, drops other\n"
	"        encapsulated packets and passes everything else. host-nic without --strict\n"
	"        decapsulates whatever the destination (the legacy design; breaks tenants that\n"
	"        share a VIP:port). The filter stays after this command exits; its maps\n"
	"        (config, allow-list, counters) are pinned under\n"
	"        /sys/fs/bpf/dsrlab/backend/<netns inode>-IF-POINT/ for `stats`.\n"
	"        --replace: swap a decap already attached there for this one in one step\n"
	"        (same filter, replace flag: each packet meets the old program or the new\n"
	"        one, none is lost); its counters start again from zero.\n"
	"        --fault keep-protocol|gso-grow: put a known decap bug back, for the failure\n"
	"        library (docs/bugs.md); never in production.\n"
	"  detach --netns NS --iface IF --at POINT\n"
	"        Remove the filter and its pins.\n"
	"  stats --netns NS --iface IF --at POINT [-j|--json]\n"
	"        The counters of the decap attached there (by `attach` or by dsrlab-cni), by\n"
	"        name: rx (every packet), decap (decapsulated), pass_plain (not encapsulated,\n"
	"        passed) and the drops by reason: drop_spoofed_source (outer source in no\n"
	"        --allow prefix), drop_other_dst, drop_nested, drop_parse_error, and\n"
	"        drop_outer_options|checksum|length (the outer header, checked before it is\n"
	"        stripped), ... UDP to --gue-port is a tunnel only from an --allow source to\n"
	"        ADDR; any other is plain UDP, passed.\n"
	"        -j: one JSON object, {\"counters\": {NAME: N, ...}, ...}. A decap with a\n"
	"        --fault set says so first (JSON: \"faults\": [NAME...]).\n"
	"  vip add|del --netns NS VIP\n"
	"        Put VIP on lo in NS (with arp_ignore/arp_announce so NS never answers ARP for\n"
	"        it), so replies leave from the VIP.\n"
	"\n"
	"Options: -j/--json (errors too, as {\"version\": 1, \"error\": ...}), -v, -vv, -h/--help\n"
	"(COMMAND --help: that command's), -V/--version.\n"
	"Exit: 0 done, 2 usage error, 3 kernel or environment error.\n";

static bool json;

static int usage_error(const char *msg, const char *arg)
{
	return cli_usage_error(msg, arg);
}

static int command_error(const char *cmd)
{
	return cli_command_error(cmd);
}

struct cli {
	const char *netns, *iface, *at;
	const char *serve[2]; /* one per family */
	int n_serve;
	struct ip_prefix allow[DECAP_MAX_ALLOW];
	int n_allow;
	bool strict;
	bool replace;
	bool json;
	const char *gue_port;
	__u32 faults; /* DECAP_F_FAULT_* */
};

static bool allow_has_family(const struct cli *c, __u8 family)
{
	int i;

	for (i = 0; i < c->n_allow; i++)
		if (c->allow[i].addr.family == family)
			return true;
	return false;
}

static int enter(const struct cli *c, int *saved)
{
	int err = netns_enter_named(c->netns, saved);

	if (err)
		pr_warn("dsrlab-backend: network namespace %s: %s\n", c->netns, strerror(-err));
	return err;
}

static int cmd_attach(struct cli *c, bool detach)
{
	struct decap_opts o = { .allow = c->allow,
				.n_allow = c->n_allow,
				.strict = c->strict,
				.replace = c->replace,
				.faults = c->faults };
	char dir[PATH_MAX];
	struct decap *d;
	int saved, err, k;

	if (!c->netns || !c->iface || !c->at)
		return usage_error("attach and detach need --netns, --iface and --at", NULL);
	if (decap_at_parse(c->at, &o.at))
		return usage_error("--at is host-veth-egress, container-ingress or host-nic",
				   c->at);
	for (o.n_serve = 0; !detach && o.n_serve < c->n_serve; o.n_serve++) {
		const char *a = c->serve[o.n_serve];

		if (addr_parse(a, &o.serve[o.n_serve]))
			return usage_error("bad --serve address", a);
		if (o.n_serve && o.serve[0].family == o.serve[1].family)
			return usage_error("--serve takes one address per family", a);
	}
	if (!detach && !c->n_serve && !(o.at == DECAP_AT_HOST_NIC && !c->strict))
		return usage_error("--serve is required (except host-nic without --strict)", NULL);
	if (!detach && !c->n_allow)
		return usage_error("at least one --allow prefix (the balancers' sources)", NULL);
	if (!detach && c->gue_port && arg_port(c->gue_port, &o.gue_port))
		return usage_error("--gue-port is a UDP port, 1 to 65535", c->gue_port);
	for (k = 0; !detach && k < o.n_serve; k++)
		if (!allow_has_family(c, o.serve[k].family))
			return usage_error(
				"--serve is an address no --allow prefix can reach (give "
				"an --allow prefix of its family: the outer source's)",
				c->serve[k]);
	if (enter(c, &saved))
		return 3;
	o.ifindex = link_index(c->iface);
	if (o.ifindex < 0) {
		pr_warn("dsrlab-backend: no interface %s in %s\n", c->iface, c->netns);
		netns_leave(saved);
		return 3;
	}
	if (detach) {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = o.ifindex,
				    .attach_point = o.at == DECAP_AT_HOST_VETH_EGRESS ?
							    BPF_TC_EGRESS :
							    BPF_TC_INGRESS);
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, tc, .handle = DECAP_TC_HANDLE,
				    .priority = DECAP_TC_PRIORITY);

		err = bpf_tc_detach(&hook, &tc);
		/* without the filter the pins count nothing: remove them even then */
		if ((!err || err == -ENOENT) &&
		    !decap_pin_dir(dir, sizeof(dir), c->netns, c->iface, o.at))
			decap_unpin(dir);
		netns_leave(saved);
		if (err)
			pr_warn("dsrlab-backend: detach: %s\n", strerror(-err));
		return err ? 3 : 0;
	}
	err = decap_pin_dir(dir, sizeof(dir), c->netns, c->iface, o.at);
	if (err) {
		pr_warn("dsrlab-backend: the namespace of %s: %s\n", c->netns, strerror(-err));
		netns_leave(saved);
		return 3;
	}
	err = decap_attach(&d, &o);
	if (!err) {
		err = decap_pin(d, dir);
		if (err)
			decap_detach(d); /* a decap nobody can read the counters of: undo */
		else
			decap_release(d);
	}
	netns_leave(saved);
	if (err)
		return 3;
	printf("decap attached at %s on %s in %s\n", decap_at_name(o.at), c->iface, c->netns);
	return 0;
}

/* A decap with a fault set says so first: its counters are those of a known bug. */
static void stats_print(const struct cli *c, const __u64 v[DECAP_STAT_MAX], __u32 faults)
{
	json_t *doc, *names = json_array();
	size_t k;
	int i;

	for (k = 0; k < n_fault_defs; k++)
		if (fault_defs[k].of == FAULT_OF_DECAP && (faults & fault_defs[k].flag)) {
			json_array_append_new(names, json_string(fault_defs[k].name));
			if (!c->json)
				printf("FAULT %s put back on purpose: %s\n", fault_defs[k].name,
				       fault_defs[k].what);
		}
	if (c->json) {
		json_t *counters = json_object();

		for (i = 0; i < DECAP_STAT_MAX; i++)
			json_object_set_new(counters, decap_stat_name(i), json_integer(v[i]));
		doc = json_pack("{s:i, s:s, s:s, s:s, s:o}", "version", CLI_JSON_VERSION, "netns",
				c->netns, "iface", c->iface, "at", c->at, "counters", counters);
		if (json_array_size(names))
			json_object_set(doc, "faults", names);
		json_decref(names);
		cli_json_print(doc);
		return;
	}
	json_decref(names);
	printf("decap at %s on %s in %s\n", c->at, c->iface, c->netns);
	for (i = 0; i < DECAP_STAT_MAX; i++)
		printf("  %-24s %12llu\n", decap_stat_name(i), (unsigned long long)v[i]);
}

static int cmd_stats(struct cli *c)
{
	__u64 v[DECAP_STAT_MAX];
	char dir[PATH_MAX];
	enum decap_at at;
	__u32 faults;
	int saved, err, idx, current = 1;

	if (!c->netns || !c->iface || !c->at)
		return usage_error("stats needs --netns, --iface and --at", NULL);
	if (decap_at_parse(c->at, &at))
		return usage_error("--at is host-veth-egress, container-ingress or host-nic",
				   c->at);
	if (enter(c, &saved))
		return 3;
	idx = link_index(c->iface);
	err = idx < 0 ? -ENODEV : decap_pin_dir(dir, sizeof(dir), c->netns, c->iface, at);
	if (!err)
		current = decap_pins_current(dir, idx, at);
	netns_leave(saved);
	if (err == -ENODEV) {
		pr_warn("dsrlab-backend: no interface %s in %s\n", c->iface, c->netns);
		return 3;
	}
	if (!err)
		err = decap_stats_read_pinned(dir, v);
	if (err == -ENOENT) {
		pr_warn("dsrlab-backend: no decap pinned at %s on %s in %s (%s): attach one with "
			"`dsrlab-backend attach` or dsrlab-cni\n",
			c->at, c->iface, c->netns, dir);
		return 3;
	}
	if (err) {
		pr_warn("dsrlab-backend: read the counters in %s: %s\n", dir, strerror(-err));
		return 3;
	}
	if (current <= 0) {
		pr_warn("dsrlab-backend: the maps pinned in %s are not those of %s: %s; they are "
			"an earlier decap's (the kernel reuses namespace inodes): attach again to "
			"pin the current one\n",
			dir, current ? "a decap attached there" : "the decap attached there",
			current ? strerror(-current) : "another program's");
		return 3;
	}
	if (decap_faults_read_pinned(dir, &faults))
		faults = 0; /* a decap pinned before faults existed has no such flags */
	stats_print(c, v, faults);
	return 0;
}

static int cmd_vip(struct cli *c, bool add, const char *vip_s)
{
	struct ip_addr vip;
	int saved, err;

	if (!c->netns)
		return usage_error("vip needs --netns", NULL);
	if (addr_parse(vip_s, &vip))
		return usage_error("bad VIP address", vip_s);
	if (enter(c, &saved))
		return 3;
	err = add ? backend_vip_add(&vip) : backend_vip_del(&vip);
	netns_leave(saved);
	if (err)
		pr_warn("dsrlab-backend: vip %s %s: %s\n", add ? "add" : "del", vip_s,
			strerror(-err));
	return err ? 3 : 0;
}

static int run(struct cli *c, int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "attach"))
		return cmd_attach(c, false);
	if (argc == 1 && !strcmp(argv[0], "detach"))
		return cmd_attach(c, true);
	if (argc == 1 && !strcmp(argv[0], "stats"))
		return cmd_stats(c);
	if (argc == 3 && !strcmp(argv[0], "vip") && !strcmp(argv[1], "add"))
		return cmd_vip(c, true, argv[2]);
	if (argc == 3 && !strcmp(argv[0], "vip") && !strcmp(argv[1], "del"))
		return cmd_vip(c, false, argv[2]);
	return command_error(argc ? argv[0] : NULL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "netns", required_argument, NULL, 'n' },
		{ "iface", required_argument, NULL, 'i' },
		{ "at", required_argument, NULL, 'a' },
		{ "serve", required_argument, NULL, 's' },
		{ "allow", required_argument, NULL, 'A' },
		{ "strict", no_argument, NULL, 'S' },
		{ "replace", no_argument, NULL, 'R' },
		{ "gue-port", required_argument, NULL, 'g' },
		{ "fault", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	struct cli c = {};
	int opt, verbose = 0;
	bool help = false;

	cli_init("dsrlab-backend", usage);
	while ((opt = getopt_long(argc, argv, "vhjV", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			c.netns = optarg;
			break;
		case 'i':
			c.iface = optarg;
			break;
		case 'a':
			c.at = optarg;
			break;
		case 's':
			if (c.n_serve == 2)
				return usage_error("--serve given more than twice (one address per "
						   "family)",
						   optarg);
			c.serve[c.n_serve++] = optarg;
			break;
		case 'A':
			if (c.n_allow == DECAP_MAX_ALLOW)
				return usage_error("too many --allow prefixes", NULL);
			if (prefix_parse(optarg, &c.allow[c.n_allow], false))
				return usage_error("bad --allow prefix", optarg);
			c.n_allow++;
			break;
		case 'R':
			c.replace = true;
			break;
		case 'S':
			c.strict = true;
			break;
		case 'g':
			c.gue_port = optarg;
			break;
		case 'F': {
			__u32 flag;

			if (fault_parse(FAULT_OF_DECAP, optarg, &flag))
				return usage_error("--fault is one of the decap's known bugs: "
						   "keep-protocol, gso-grow",
						   optarg);
			c.faults |= flag;
			break;
		}
		case 'j':
			c.json = json = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			help = true;
			break;
		case 'V':
			cli_version("dsrlab-backend", stdout);
			return 0;
		default:
			return usage_error("unknown option", NULL);
		}
	}
	log_set_level(verbose > 1 ? LOG_DEBUG : verbose ? LOG_INFO : LOG_WARN);
	log_setup_libbpf();
	if (json)
		cli_json_errors();
	argc -= optind;
	argv += optind;
	if (help)
		return cli_help_for(argc ? argv[0] : NULL);
	return cli_exit(run(&c, argc, argv), false);
}
