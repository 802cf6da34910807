# SPDX-License-Identifier: GPL-2.0
# Sourced by the CNI tests: the host namespace $H between a client $C (10.0.0.2, link c0) and
# a balancer $L (10.0.1.2, link l0), each VIP in $VIPS routed to the balancer, tx checksum
# offload off (the CHECKSUM_PARTIAL trap) and a pass program on l0 so XDP_TX out of the lb's
# eth0 is delivered. Needs $pass_obj.

in_ns() { ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }

cni_topology() {
	for ns in $C $H $L; do ip netns add "$ns" || return 1; done
	ip -n "$H" link add c0 type veth peer name eth0 netns "$C" &&
	ip -n "$H" link add l0 type veth peer name eth0 netns "$L" &&
	ip -n "$C" addr add 10.0.0.2/24 dev eth0 &&
	ip -n "$H" addr add 10.0.0.1/24 dev c0 &&
	ip -n "$H" addr add 10.0.1.1/24 dev l0 &&
	ip -n "$L" addr add 10.0.1.2/24 dev eth0 &&
	for ns in $C $H $L; do ip -n "$ns" link set lo up || return 1; done &&
	ip -n "$C" link set eth0 up && ip -n "$L" link set eth0 up &&
	ip -n "$H" link set c0 up && ip -n "$H" link set l0 up &&
	ip -n "$C" route add default via 10.0.0.1 &&
	ip -n "$L" route add default via 10.0.1.1 &&
	for v in $VIPS; do ip -n "$H" route add "$v/32" via 10.0.1.2 || return 1; done &&
	ip netns exec "$H" sysctl -qw net.ipv4.ip_forward=1 &&
	ip netns exec "$H" sysctl -qw net.ipv4.conf.all.rp_filter=0 &&
	in_ns "$C" ethtool -K eth0 tx off >/dev/null &&
	in_ns "$L" ethtool -K eth0 tx off >/dev/null &&
	in_ns "$H" ethtool -K c0 tx off >/dev/null &&
	in_ns "$H" ethtool -K l0 tx off >/dev/null &&
	ip -n "$H" link set dev l0 xdpdrv obj "$pass_obj" sec xdp
}

. "$(dirname "$0")/verdict_lib.sh"

# Capture the balancer's link (l0) and the client's (c0) in $TMP/l0.pcap and $TMP/c0.pcap.
cni_capture_start() {
	in_ns "$H" tcpdump -U -n -i l0 -w "$TMP/l0.pcap" 2>/dev/null &
	cap1=$!
	in_ns "$H" tcpdump -U -n -i c0 -w "$TMP/c0.pcap" 2>/dev/null &
	cap2=$!
	pids="$pids $cap1 $cap2"
	sleep 1
}

cni_capture_stop() {
	sleep 0.5
	kill "$cap1" "$cap2" 2>/dev/null
	sleep 0.3
}
