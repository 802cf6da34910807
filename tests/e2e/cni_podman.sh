#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cni_podman.sh DSRLAB_CNI DSRLAB_LB PASS_BPF_O
# dsrlab-cni under a real container runtime: Debian's podman (CNI network backend) runs two
# containers from a local root filesystem (a folder whose /usr is the host's, bind-mounted
# read-only: no image, no registry) on a network whose conflist chains dsrlab-cni after
# bridge. Podman runs in its own network namespace, so its bridge, veths and routes stay
# there, with its own storage, configuration and plugin folder under a per-run temp folder:
#
#   client 10.0.0.2 ── c0 ┐                                ┌ l0 ── eth0 lb 10.0.1.2 (XDP)
#                         host: podman, bridge dsrpmPID 10.1.0.1/24, VIPs routed via lb
#                         ├ veth ══ eth0 container a (VIP 10.100.0.1: the conflist's default)
#                         └ veth ══ eth0 container b (VIP 10.100.0.2: CNI_ARGS DSRLAB_VIPS)
#
# Checks: each VIP is answered by its own container through the balancer (IPIP on l0), no
# reply crosses the balancer's link, each container has only its own VIP; `podman rm` of b
# removes b's decap (record, pins, program) and b's VIP stops answering while a still
# answers; removing a leaves nothing of dsrlab-cni behind.
set -u
. "$(dirname "$0")/cni_lib.sh"
cni=$1 lb=$2 pass_obj=$3

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for f in podman runc bpftool /usr/lib/cni/bridge /usr/lib/cni/host-local; do
	command -v "$f" >/dev/null ||
		{ echo "FAIL: $f missing (./dsrlab installs podman, runc, bpftool, containernetworking-plugins)"; exit 1; }
done

P=dsrpm$$
C=$P-client H=$P-host L=$P-lb
NET=$P
TMP=$(mktemp -d "/tmp/$P.XXXX")
PIN=/sys/fs/bpf/$P
VIP_A=10.100.0.1 VIP_B=10.100.0.2 PORT=8080
pids=""

# podman in the host namespace with everything of its own under $TMP. runc: crun refuses
# hybrid cgroup hierarchies like this machine's.
pm() {
	CONTAINERS_CONF="$TMP/containers.conf" CONTAINERS_STORAGE_CONF="$TMP/storage.conf" \
		in_ns "$H" podman --tmpdir "$TMP/tmp" "$@"
}

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -f "$TMP/containers.conf" ] && pm rm -f -a -t 0 >/dev/null 2>&1
	# conmon runs `podman container cleanup` after a container ends: let it finish first
	for i in $(seq 50); do pgrep -f "$TMP" >/dev/null || break; sleep 0.2; done
	[ -n "${LB_UP:-}" ] && in_ns "$L" "$lb" --pin "$PIN" detach >/dev/null 2>&1
	rm -rf "$PIN" "/run/dsrlab-cni/$NET"
	for ns in $C $H $L; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

podman_setup() {
	mkdir -p "$TMP/cni-bin" "$TMP/net.d" "$TMP/tmp" "$TMP/rootfs/usr" "$TMP/rootfs/srv" &&
	for d in etc proc sys dev tmp run; do mkdir -p "$TMP/rootfs/$d" || return 1; done &&
	for d in bin sbin lib lib64; do ln -s "usr/$d" "$TMP/rootfs/$d" || return 1; done &&
	ln -s /usr/lib/cni/bridge /usr/lib/cni/host-local "$TMP/cni-bin/" &&
	ln -s "$cni" "$TMP/cni-bin/dsrlab-cni" &&
	cat >"$TMP/containers.conf" <<EOF &&
[network]
network_backend = "cni"
cni_plugin_dirs = ["$TMP/cni-bin"]
network_config_dir = "$TMP/net.d"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$TMP/events.log"
runtime = "runc"
EOF
	cat >"$TMP/storage.conf" <<EOF &&
[storage]
driver = "vfs"
runroot = "$TMP/run"
graphroot = "$TMP/root"
EOF
	# libcni in podman 4.3 speaks CNI up to 1.0.0, and so do Debian's plugins
	cat >"$TMP/net.d/$NET.conflist" <<EOF &&
{"cniVersion": "1.0.0", "name": "$NET", "plugins": [
  {"type": "bridge", "bridge": "$P", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.1.0.0/24"}]],
            "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$TMP/ipam"}},
  {"type": "dsrlab-cni", "vips": ["$VIP_A"], "balancers": ["10.0.1.2/32"]}
]}
EOF
	cp "$(dirname "$0")/cni_echo.py" "$TMP/rootfs/srv/echo.py"
}


# run_ctr NAME: a container serving NAME:<request> on PORT. Small limits of our own: podman's
# default nofile/nproc are above this machine's hard limits. --rootfs is a switch: the folder
# is the first argument, where the image would be, so every option goes before it.
run_ctr() {
	pm run -d --name "$P-$1" --network "$NET" -v /usr:/usr:ro \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		--rootfs "$TMP/rootfs" /usr/bin/python3 /srv/echo.py "$1" "$PORT" \
		>"$TMP/$1.id" 2>"$TMP/$1.err"
}

# What dsrlab-cni recorded for container NAME: field of its attachment record
record() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"/run/dsrlab-cni/$NET/$(cat "$TMP/$1.id")-eth0.json" "$2"
}

ctr_ip() { pm inspect -f "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}}" "$P-$1"; }
ctr_netns() { pm inspect -f '{{.NetworkSettings.SandboxKey}}' "$P-$1"; }
has_vip() { nsenter --net="$(ctr_netns "$1")" ip -br addr show dev lo | grep -q " $2/32"; }

# client_try VIP TIMEOUT: prints the echo reply, or nothing
client_try() {
	ip netns exec "$C" python3 - "$1" "$PORT" "$2" <<'PY' 2>>"$TMP/client.err"
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3]))
s.sendall(b"hello")
s.shutdown(socket.SHUT_WR)
print(s.recv(100).decode())
PY
}

# answered VIP WANT N: how many of N connections got WANT
answered() {
	n=0
	for i in $(seq "$3"); do [ "$(client_try "$1" 3)" = "$2" ] && n=$((n + 1)); done
	echo "$n"
}

VIPS="$VIP_A $VIP_B"
cni_topology || { say "FAIL: building the topology"; exit 1; }
podman_setup || { say "FAIL: preparing podman's folders"; exit 1; }
pm network ls --format '{{.Name}}' | grep -qx "$NET" ||
	{ say "FAIL: podman does not list network $NET"; pm network ls; exit 1; }

run_ctr a || { cat "$TMP/a.err"; say "FAIL: podman run a"; exit 1; }
CNI_ARGS="DSRLAB_VIPS=$VIP_B" run_ctr b || { cat "$TMP/b.err"; say "FAIL: podman run b"; exit 1; }
IP_A=$(ctr_ip a) IP_B=$(ctr_ip b)
VETH_A=$(record a hostVeth) VETH_B=$(record b hostVeth)
say "podman: a $IP_A (host veth $VETH_A), b $IP_B (host veth $VETH_B)"
for v in $VETH_A $VETH_B; do in_ns "$H" ethtool -K "$v" tx off >/dev/null; done
for c in a b; do nsenter --net="$(ctr_netns "$c")" ethtool -K eth0 tx off >/dev/null; done

has_vip a "$VIP_A" && ! has_vip a "$VIP_B" && ok "a has the conflist's VIP $VIP_A only" ||
	bad "a's lo: $(nsenter --net="$(ctr_netns a)" ip -br addr show dev lo)"
has_vip b "$VIP_B" && ! has_vip b "$VIP_A" && ok "b has its CNI_ARGS VIP $VIP_B only" ||
	bad "b's lo: $(nsenter --net="$(ctr_netns b)" ip -br addr show dev lo)"
for v in $VETH_A $VETH_B; do
	in_ns "$H" tc filter show dev "$v" egress | grep -q decap && ok "decap on $v egress" ||
		bad "no decap on $v egress"
done

mac=$(ip -n "$H" -br link show l0 | awk '{print $3}')
in_ns "$L" "$lb" --pin "$PIN" attach eth0 --nexthop-mac "$mac" --src 10.0.1.2 >/dev/null &&
	LB_UP=1 &&
	in_ns "$L" "$lb" --pin "$PIN" vip add "$VIP_A:$PORT/tcp" --backend "$IP_A" >/dev/null &&
	in_ns "$L" "$lb" --pin "$PIN" vip add "$VIP_B:$PORT/tcp" --backend "$IP_B" >/dev/null ||
	{ say "FAIL: loading the balancer"; exit 1; }

cni_capture_start
n=$(answered "$VIP_A" a:hello 5)
[ "$n" = 5 ] && ok "5/5 connections to $VIP_A answered by a" || bad "$VIP_A: $n/5 answered by a"
n=$(answered "$VIP_B" b:hello 5)
[ "$n" = 5 ] && ok "5/5 connections to $VIP_B answered by b" || bad "$VIP_B: $n/5 answered by b"
cni_capture_stop
for ip in $IP_A $IP_B; do
	n=$(tcpdump -n -r "$TMP/l0.pcap" "ip proto 4 and src host 10.0.1.2 and dst host $ip" 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] && ok "$n IPIP packets lb -> $ip on l0" || bad "no IPIP from the lb to $ip"
done
n=$(tcpdump -n -r "$TMP/l0.pcap" "src host $VIP_A or src host $VIP_B" 2>/dev/null | wc -l)
[ "$n" = 0 ] && ok "no reply from a VIP crossed the lb's link" || bad "$n replies went via the lb"
for vip in $VIP_A $VIP_B; do
	n=$(tcpdump -n -r "$TMP/c0.pcap" "src host $vip and dst host 10.0.0.2" 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] && ok "$n replies from $vip reached the client directly" ||
		bad "no reply from $vip on c0"
done

# --- podman rm b (without b's CNI_ARGS: DEL does not need them) removes b's decap ---
PROG_B=$(record b progID) PINS_B=$(record b pins) CID_B=$(cat "$TMP/b.id")
bpftool prog show id "$PROG_B" >/dev/null 2>&1 && ok "b's decap is program $PROG_B" ||
	bad "no program $PROG_B"
pm rm -f -t 0 "$P-b" >/dev/null || bad "podman rm b"
[ ! -e "/run/dsrlab-cni/$NET/$CID_B-eth0.json" ] && ok "b's attachment record is gone" ||
	bad "b's record is left"
[ ! -e "$PINS_B" ] && ok "b's pins are gone" || bad "b's pins are left: $PINS_B"
gone=0
for i in $(seq 20); do
	bpftool prog show id "$PROG_B" >/dev/null 2>&1 || { gone=1; break; }
	sleep 0.1
done
[ "$gone" = 1 ] && ok "program $PROG_B is unloaded" || bad "program $PROG_B is still loaded"
[ -z "$(client_try "$VIP_B" 2)" ] && ok "$VIP_B no longer answered" || bad "$VIP_B still answered"
n=$(answered "$VIP_A" a:hello 3)
[ "$n" = 3 ] && ok "a still answers $VIP_A" || bad "a after b's removal: $n/3"

# --- podman rm a: nothing of dsrlab-cni is left ---
PINS_A=$(record a pins)
pm rm -f -t 0 "$P-a" >/dev/null || bad "podman rm a"
[ ! -e "$PINS_A" ] && [ ! -e "/run/dsrlab-cni/$NET" ] &&
	ok "no pins, no records left after removing a" || bad "left behind after removing a"
[ -z "$(client_try "$VIP_A" 2)" ] && ok "$VIP_A no longer answered" || bad "$VIP_A still answered"

finish
