// SPDX-License-Identifier: GPL-2.0
/*
 * The doctor's catalogue: one row per cause, the evidence it needs, the message and the fix.
 * Data only: docs/doctor.md describes every row, and the failure library
 * (scenarios/bugs/, "# cause:") shows most of them happening. A row is a candidate when all
 * its required needs are met; optional ones rank it higher. Rows that say more come first
 * among equals, since ties keep this order.
 */
#include "bench/doctor.h"

#define ANSWERED_FAILED                                                       \
	{                                                                     \
		.kind = DN_CHECK_FAILED, .what = "answered", .optional = true \
	}

const struct doctor_cause doctor_catalogue[] = {
	{
		.id = "no-decap-on-path",
		.need = { { .kind = DN_DROP, .what = "IP_NOPROTO", .min = 1 }, ANSWERED_FAILED },
		.message = "{node}:{iface} drops {count} packets as IP_NOPROTO: encapsulated "
			   "packets reach it and nothing strips the outer header (no decap is "
			   "attached on its path, and no tunnel device takes them)",
		.fix = "attach a decap where {node}'s packets pass (backend.decap: "
		       "host-veth-egress or container-ingress; dsrlab-backend attach)",
	},
	{
		.id = "tx-csum-partial",
		.need = { { .kind = DN_DROP, .what = "TCP_CSUM|UDP_CSUM", .min = 1 },
			  ANSWERED_FAILED },
		.message = "{node}:{iface} drops {count} packets for a bad L4 checksum: packets "
			   "with an unfinished checksum (CHECKSUM_PARTIAL, tx checksum offload on "
			   "a veth) were encapsulated by XDP before anything finished them",
		.fix = "turn tx checksum offload off where the traffic is made and forwarded "
		       "before the balancer (ethtool -K IF tx off; offloads: {tx-checksum: off})",
	},
	{
		.id = "rp-filter-strict",
		.need = { { .kind = DN_DROP, .what = "IP_RPFILTER", .min = 1 },
			  { .kind = DN_SYSCTL,
			    .what = "net.ipv4.conf.all.rp_filter",
			    .value = "1",
			    .same_node = true,
			    .optional = true },
			  { .kind = DN_SYSCTL,
			    .what = "net.ipv4.conf.{iface}.rp_filter",
			    .value = "1",
			    .same_node = true,
			    .optional = true },
			  ANSWERED_FAILED },
		.message = "{node}:{iface} drops {count} packets as IP_RPFILTER: rp_filter is "
			   "strict there, and these packets (replies from the VIP, or "
			   "decapsulated ones) arrive on a port their source is not routed "
			   "through",
		.fix = "set net.ipv4.conf.all.rp_filter and net.ipv4.conf.{iface}.rp_filter on "
		       "{node} to 2 (loose) or 0",
	},
	{
		.id = "vip-not-local",
		.need = { { .kind = DN_DROP,
			    .what = "IP_INADDRERRORS",
			    .role = "container",
			    .min = 1 },
			  { .kind = DN_DECAP_COUNTER,
			    .what = "decap",
			    .min = 1,
			    .same_node = true },
			  ANSWERED_FAILED },
		.message = "{node} drops the decapsulated packets as IP_INADDRERRORS: they are "
			   "for the VIP, which is not one of {node}'s addresses",
		.fix = "put the VIP on {node}'s lo (ip addr add VIP/32 dev lo, with "
		       "arp_ignore=1 and arp_announce=2)",
	},
	{
		.id = "conntrack-invalid-drop",
		.need = { { .kind = DN_DROP, .what = "NETFILTER_DROP", .min = 1 },
			  { .kind = DN_RULESET,
			    .what = "ct state invalid",
			    .same_node = true,
			    .optional = true },
			  ANSWERED_FAILED },
		.message = "{node}:{iface} drops {count} packets in netfilter: conntrack there "
			   "sees one direction of each DSR flow (IPIP in, plain replies out), "
			   "marks the replies INVALID, and a 'ct state invalid drop' rule kills "
			   "them",
		.fix = "do not track the DSR replies on {node} (nft: 'ip saddr VIP notrack' in a "
		       "prerouting chain of priority raw), or exempt them from the invalid rule",
	},
	{
		.id = "reply-not-from-vip",
		.need = { { .kind = DN_DROP, .what = "NO_SOCKET", .role = "client", .min = 1 },
			  { .kind = DN_CHECK_FAILED, .what = "answered" } },
		.message = "{node} drops {count} replies as NO_SOCKET: they match none of its "
			   "sockets, which are connected to the VIP, so they come from another "
			   "address (the backend answers from its own address, not the VIP)",
		.fix = "answer from the VIP: reply from the address each request was sent to "
		       "(IP_PKTINFO for UDP) or bind the service to the VIP",
	},
	{
		.id = "service-not-listening",
		.need = { { .kind = DN_DROP, .what = "NO_SOCKET", .role = "container", .min = 1 },
			  ANSWERED_FAILED },
		.message = "{node} drops {count} packets as NO_SOCKET: nothing listens there on "
			   "the VIP's port (a service bound to the pod's address, or not running)",
		.fix = "bind the service on {node} to 0.0.0.0 (or the VIP) on the VIP's port",
	},
	{
		.id = "mtu-after-encap",
		.need = { { .kind = DN_ENCAP_LOST, .min = 1 },
			  { .kind = DN_LB_COUNTER, .what = "tx_too_big", .zero = true },
			  ANSWERED_FAILED },
		.message = "{count} packets the balancer encapsulated never reached a decap, and "
			   "the balancer sent no frag-needed / packet-too-big (tx_too_big=0): "
			   "encapsulated frames exceed the underlay MTU and are lost",
		.fix = "set balancer.mtu (dsrlab-lb attach --mtu N) to the underlay's MTU, raise "
		       "the underlay MTU by the encapsulation overhead, or clamp the MSS",
	},
	{
		.id = "mtu-underlay-drop",
		.need = { { .kind = DN_DROP, .what = "PKT_TOO_BIG", .min = 1 }, ANSWERED_FAILED },
		.message = "{node}:{iface} drops {count} packets as PKT_TOO_BIG: encapsulated "
			   "packets exceed its MTU, and its frag-needed goes to the outer source "
			   "(the balancer), not to the client",
		.fix = "set balancer.mtu to the smallest MTU on the underlay path, or raise that "
		       "MTU by the encapsulation overhead",
	},
	{
		.id = "host-nic-shared-vip",
		.need = { { .kind = DN_CHECK_FAILED, .what = "served-by" },
			  { .kind = DN_DECAP_COUNTER, .what = "decap", .role = "host", .min = 1 } },
		.message = "the decap on {node}'s uplink stripped {count} packets: left with the "
			   "VIP alone, {node} routes them by the VIP to one tenant, so tenants "
			   "sharing a VIP:port get each other's flows",
		.fix = "decapsulate per tenant (backend.decap: host-veth-egress), or keep the "
		       "uplink decap for the host's own address only (strict: true)",
	},
	{
		.id = "allow-list-miss",
		.need = { { .kind = DN_DECAP_COUNTER, .what = "drop_spoofed_source", .min = 1 },
			  ANSWERED_FAILED },
		.message =
			"the decap serving {node} dropped {count} encapsulated packets as "
			"spoofed: their outer source is not in its allow-list (if they come from "
			"a balancer, its source address is missing there)",
		.fix = "add the balancer's source address to the allow-list of {node}'s decap "
		       "(dsrlab-backend attach --allow ADDR/32)",
	},
	{
		.id = "decap-other-destination",
		.need = { { .kind = DN_DECAP_COUNTER, .what = "drop_other_dst", .min = 1 },
			  ANSWERED_FAILED },
		.message = "the decap serving {node} dropped {count} packets encapsulated to an "
			   "address it does not serve: the balancer's backend address and the "
			   "decap's served address differ",
		.fix = "make the backend address of the VIP's pool the one {node}'s decap serves "
		       "(dsrlab-backend attach --serve ADDR)",
	},
	{
		.id = "decap-outer-header",
		.need = { { .kind = DN_DECAP_COUNTER,
			    .what = "drop_outer_options|drop_outer_checksum|drop_outer_length",
			    .min = 1 },
			  ANSWERED_FAILED },
		.message = "the decap serving {node} dropped {count} tunnel packets whose outer "
			   "header is not what a balancer writes (IPv4 options, a wrong header "
			   "checksum, or an IP length other than the frame's): something on the "
			   "path rewrites, pads or cuts them",
		.fix = "find what touches the outer header between the balancer and {node} "
		       "(capture on each hop; replay the capture through the decap)",
	},
	{
		.id = "decap-nested",
		.need = { { .kind = DN_DECAP_COUNTER, .what = "drop_nested", .min = 1 },
			  ANSWERED_FAILED },
		.message = "the decap serving {node} dropped {count} packets encapsulated twice: "
			   "something encapsulates the balancer's packets again (or a client "
			   "tunnels its own)",
		.fix = "encapsulate once: no second tunnel between the balancer and {node}",
	},
	{
		.id = "decap-keep-protocol",
		.need = { { .kind = DN_DROP,
			    .what = "UNHANDLED_PROTO",
			    .role = "container",
			    .min = 1 },
			  { .kind = DN_DECAP_COUNTER,
			    .what = "decap",
			    .same_node = true,
			    .min = 1 },
			  ANSWERED_FAILED },
		.message = "{node}:{iface} drops {count} packets as UNHANDLED_PROTO right after "
			   "its decap stripped them: the packet's protocol (skb->protocol, the "
			   "EtherType) still names the outer family, so an IPv4 packet freed "
			   "from IPv6 (4in6) is handed to IPv6, which refuses it",
		.fix = "a decap that changes the family must say so: "
		       "BPF_F_ADJ_ROOM_DECAP_L3_IPV4 (or _IPV6) in bpf_skb_adjust_room() and the "
		       "new EtherType written (bpf/decap.bpf.c does both)",
	},
	{
		.id = "decap-gso-grow",
		.need = { { .kind = DN_DROP, .what = "NOT_SPECIFIED", .role = "host", .min = 10 },
			  { .kind = DN_DECAP_COUNTER,
			    .what = "decap",
			    .same_node = true,
			    .min = 1 },
			  { .kind = DN_CHECK_FAILED, .what = "" } },
		.message = "{node}:{iface} frees {count} packets without a reason on their way "
			   "out, and {node} decapsulates: GRO aggregates whose outer header was "
			   "stripped without keeping their segment size grew it by that header, "
			   "and tcp_gso_segment refuses the ones whose payload is no longer above "
			   "it when {node} cuts them again for {iface} (those requests wait for a "
			   "retransmission)",
		.fix = "strip with BPF_F_ADJ_ROOM_FIXED_GSO in bpf_skb_adjust_room() (as "
		       "bpf/decap.bpf.c does), or decapsulate where nothing resegments "
		       "(backend.decap: host-veth-egress)",
	},
	{
		.id = "decap-adjust-room",
		.need = { { .kind = DN_DECAP_COUNTER, .what = "drop_adjust_room", .min = 1 },
			  ANSWERED_FAILED },
		.message = "the kernel refused to strip the outer header of {count} packets at "
			   "the decap serving {node} (bpf_skb_adjust_room failed)",
		.fix = "replay a capture of them through the decap (dsrlab replay --prog decap) "
		       "to see which packets; GSO/GRO aggregates are the usual suspects",
	},
	{
		.id = "too-big-not-relayed",
		.need = { { .kind = DN_DROP, .what = "PKT_TOO_BIG", .role = "router", .min = 1 },
			  { .kind = DN_LB_COUNTER, .what = "icmp_to_backend", .zero = true },
			  { .kind = DN_DROP, .what = "IP_INADDRERRORS", .role = "lb", .min = 1 },
			  { .kind = DN_CHECK_FAILED, .what = "" } },
		.message = "{node}:{iface} drops {count} packets as PKT_TOO_BIG and the balancers "
			   "relayed no ICMP error to a backend (icmp_to_backend=0): the DSR "
			   "replies are too big for a link on the way to the client, the router's "
			   "frag-needed / packet-too-big goes to their source, the VIP, and the "
			   "balancer does not hand it to the flow's backend, which keeps sending "
			   "full-size segments (a path MTU black hole); the balancer's own "
			   "kernel drops them instead (IP_INADDRERRORS there: not its address)",
		.fix = "relay ICMP too-big for VIP flows to the flow's backend at the balancer "
		       "(bpf/balancer.bpf.c does, hashing the quoted reply as its flow), or clamp "
		       "the backends' MSS to the smallest MTU toward the clients",
	},
	{
		.id = "icmp-not-relayed",
		.need = { { .kind = DN_LB_COUNTER,
			    .what = "drop_icmp_martian_source|drop_icmp_oversized|"
				    "drop_icmp_short_quote|drop_icmp_over_mtu",
			    .min = 1 } },
		.message = "the balancer dropped {count} ICMP errors about VIP flows instead of "
			   "relaying them to the backend (a martian or VIP source, longer than "
			   "576/1280 bytes, a quote too short, or over balancer.mtu once "
			   "encapsulated), so those backends never lower their path MTU",
		.fix = "check who sends them: a router's frag-needed / packet-too-big must come "
		       "from a unicast address and quote the VIP's reply",
	},
	{
		.id = "no-backend",
		.need = { { .kind = DN_LB_COUNTER, .what = "drop_no_backend", .min = 1 },
			  ANSWERED_FAILED },
		.message = "the balancer dropped {count} packets for a VIP with no backend",
		.fix = "add backends to the VIP's pool (dsrlab-lb real add VIP ADDR)",
	},
	{
		.id = "fragments-dropped",
		.need = { { .kind = DN_LB_COUNTER, .what = "drop_fragment", .min = 1 },
			  ANSWERED_FAILED },
		.message = "the balancer dropped {count} IP fragments: they are for a VIP that "
			   "hashes on ports, which later fragments do not carry, so forwarding "
			   "them would scatter a datagram over backends",
		.fix = "serve fragmented traffic with an all-ports VIP that hashes without ports "
		       "(hash-no-ports: true), or keep datagrams under the path MTU",
	},
	{
		.id = "too-big-without-df",
		.need = { { .kind = DN_LB_COUNTER, .what = "drop_too_big", .min = 1 } },
		.message = "the balancer dropped {count} IPv4 packets without DF that would "
			   "exceed balancer.mtu once encapsulated (nothing on the path fragments)",
		.fix = "raise the underlay MTU, or have the clients send smaller packets",
	},
	{
		.id = "balancer-no-route",
		.need = { { .kind = DN_LB_COUNTER, .what = "drop_no_route", .min = 1 } },
		.message = "the balancer dropped {count} packets: its FIB has no route to the "
			   "backend's address (nexthop: fib)",
		.fix = "route the backends' addresses in the balancer's namespace",
	},
	{
		.id = "failover-ring-mismatch",
		.need = { { .kind = DN_CHECK_FAILED, .what = "unbroken" },
			  { .kind = DN_PHASE, .what = "fail-balancer" } },
		.message = "established connections broke after a balancer failed: their flows "
			   "rehashed onto another balancer whose Maglev ring sends them to other "
			   "backends (a different ring size, pool, weights or hash), and those "
			   "reset them",
		.fix = "give every balancer the same tables (ring size, pools, weights), or share "
		       "the connection table between them",
	},
	{
		.id = "pool-change-without-conn-table",
		.need = { { .kind = DN_CHECK_FAILED, .what = "unbroken" },
			  { .kind = DN_PHASE, .what = "remove-backend" } },
		.message = "established connections broke after the pool changed: their flows "
			   "followed the new ring to another backend, which reset them; no "
			   "connection-table entry kept them where they were (none, flushed, or "
			   "evicted)",
		.fix = "keep established flows on their backend through pool changes: the "
		       "balancer's connection table (no --flush; a table large enough not to "
		       "evict live flows), or drain with weight 0 first",
	},
	{
		.id = "balancer-not-reached",
		.need = { { .kind = DN_CHECK_FAILED, .what = "answered" },
			  { .kind = DN_LB_COUNTER, .what = "rx", .zero = true } },
		.message = "the balancer received nothing: the VIP is not routed to it",
		.fix = "route the VIPs to the balancer's address on the routers",
	},
	/* Setup errors (exit 3): the run never got to its checks. */
	{
		.id = "setup-not-permitted",
		.need = { { .kind = DN_ERROR, .what = "Operation not permitted" } },
		.message = "the kernel refused part of the setup (EPERM): dsrlab needs root with "
			   "every capability in the host's user namespace (BPF, namespaces, "
			   "mounts); a rootless or unprivileged container, a seccomp profile or "
			   "kernel lockdown refuses them",
		.fix = "run as root on the host, or in a privileged container (--privileged); "
		       "check /sys/kernel/security/lockdown",
	},
	{
		.id = "xdp-native-unsupported",
		.need = { { .kind = DN_ERROR, .what = "attach the balancer" },
			  { .kind = DN_ERROR,
			    .what = "Operation not supported|Invalid argument" } },
		.message = "the balancer's interface did not give native XDP, and the run does not "
			   "fall back: its driver has no XDP, or only generic mode was granted",
		.fix = "balancer.mode: skb (generic XDP, slower; dsrlab-lb attach --mode skb), or "
		       "a NIC whose driver runs XDP",
	},
	{
		.id = "xdp-already-attached",
		.need = { { .kind = DN_ERROR, .what = "attach the balancer" },
			  { .kind = DN_ERROR, .what = "Device or resource busy|File exists" } },
		.message = "another XDP program holds the balancer's interface",
		.fix = "detach it first (ip link set dev IF xdp off, or dsrlab-lb detach)",
	},
	{
		.id = "service-exited",
		.need = { { .kind = DN_ERROR, .what = "service " },
			  { .kind = DN_ERROR, .what = "before listening on tcp:" } },
		.message = "a command service exited before it listened on its ready port (its "
			   "last words are in the error: a port already taken, a missing program, "
			   "a typo)",
		.fix = "run the command by hand in its node (dsrlab up, then ip netns exec "
		       "dsrlab-ID-NODE sh -c '...') and read its log in the run folder",
	},
	{
		.id = "service-not-ready",
		.need = { { .kind = DN_ERROR, .what = "service " },
			  { .kind = DN_ERROR, .what = "not listening on tcp:" } },
		.message = "a command service runs but did not listen on its ready port in time",
		.fix = "make 'ready: tcp:N' the port the command listens on, or raise "
		       "ready-timeout-ms",
	},
	{
		.id = "sysctl-unknown",
		.need = { { .kind = DN_ERROR, .what = "sysctl " },
			  { .kind = DN_ERROR, .what = "No such file or directory" } },
		.message = "the node's kernel has no such sysctl: a typo, a module not loaded, or "
			   "a per-interface key (net.ipv4.conf.IF.*) for an interface the node "
			   "does not have",
		.fix = "check the name under /proc/sys in the node (ip netns exec dsrlab-ID-NODE "
		       "ls /proc/sys/net/...)",
	},
	{
		.id = "bpffs-unavailable",
		.need = { { .kind = DN_ERROR, .what = "mount bpffs" } },
		.message = "there is no BPF filesystem at /sys/fs/bpf and it could not be mounted, "
			   "so nothing can be pinned",
		.fix = "mount -t bpf bpf /sys/fs/bpf (as root, in the host's mount namespace)",
	},
	{
		.id = "gateway-no-arp",
		.need = { { .kind = DN_ERROR, .what = "did not answer ARP" } },
		.message =
			"a real NIC's gateway did not answer ARP, so the balancer has no next hop",
		.fix = "check the cable, the VLAN and the gateway address of the NIC's node (nics, "
		       "gateway)",
	},
	{
		.id = "bpf-memory",
		.need = { { .kind = DN_ERROR,
			    .what = "load the balancer|load the decap|attach decap" },
			  { .kind = DN_ERROR,
			    .what = "Cannot allocate memory|Argument list too long" } },
		.message = "the kernel could not allocate the BPF maps (ENOMEM or E2BIG): the "
			   "tables (the connection table, the rings) need more memory than the "
			   "process may charge",
		.fix = "raise the memory cgroup limit of the shell running dsrlab (ulimit -l on "
		       "kernels before 5.11), or use a smaller ring (balancer.ring-size)",
	},
};

const int doctor_catalogue_len = sizeof(doctor_catalogue) / sizeof(doctor_catalogue[0]);
