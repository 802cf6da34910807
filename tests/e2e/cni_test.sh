#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cni_test.sh DSRLAB_CNI DSRLAB_LB PASS_BPF_O DSRLAB_BACKEND   (CNI_VERSION=1.0.0|0.4.0: older)
# dsrlab-cni called the way containerd calls a chained plugin: Debian's bridge plugin (with
# host-local IPAM) creates the container's veth, dsrlab-cni gets its result as prevResult,
# then real DSR traffic flows through a real balancer:
#
#   client 10.0.0.2 ── c0 ┐                               ┌ l0 ── eth0 lb 10.0.1.2 (XDP)
#                         host (router; VIP via lb; cni0 bridge 10.1.0.1/24)
#                         └ vethXXX ══ eth0 container 10.1.0.x (VIP on lo, echo on :8080)
#
# Checks: no answer before ADD (negative control); ADD prints prevResult; CHECK passes; the
# client is answered from the VIP; requests reached the host IPIP-encapsulated from the lb and
# no reply went back through the lb; `dsrlab-backend stats` reads the decap's pinned counters;
# DEL removes filter, pins and VIP, is idempotent, and works
# after the veth is gone. Per-container VIPs (runtimeConfig over the conflist's default, CNI_ARGS,
# args.cni) land on lo; CNI_IFNAME="" is refused by name; STATUS (1.1) passes; GC (1.1) keeps
# listed attachments and removes the filter and pins of unlisted ones, live or with their veth
# gone. Everything is built under a per-run prefix and torn down on exit.
set -u
. "$(dirname "$0")/cni_lib.sh"
cni=$1 lb=$2 pass_obj=$3 backend=$4

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for f in /usr/lib/cni/bridge /usr/lib/cni/host-local; do
	[ -x "$f" ] || { echo "FAIL: $f missing (apt-get install containernetworking-plugins)"; exit 1; }
done

P=dsrcni-$$
C=$P-client H=$P-host L=$P-lb K=$P-ctr K2=$P-ctr2 K3=$P-ctr3
TMP=$(mktemp -d "/tmp/$P.XXXX")
PIN=/sys/fs/bpf/$P
VIP=10.100.0.1 PORT=8080
CID=$P-container
V=${CNI_VERSION:-1.1.0}
pids=""


cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${LB_UP:-}" ] && in_ns "$L" "$lb" --pin "$PIN" detach >/dev/null 2>&1
	rm -rf "$PIN"
	for ns in $C $H $L $K $K2 $K3; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP" "/run/dsrlab-cni/$P"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# CNI_* plugin invocation in the host namespace: plugin command json-file [netns [container]];
# IFN overrides CNI_IFNAME (IFN= sets it empty), ARGS sets CNI_ARGS.
cni_call() {
	plugin=$1 command=$2 conf=$3 ns=${4:-$K} cid=${5:-$CID}
	in_ns "$H" env CNI_COMMAND="$command" CNI_CONTAINERID="$cid" \
		CNI_NETNS="/run/netns/$ns" CNI_IFNAME="${IFN-eth0}" CNI_PATH=/usr/lib/cni \
		${ARGS:+CNI_ARGS="$ARGS"} "$plugin" <"$conf"
}

# chained config: our keys plus the previous plugin's result, merged with JSON in EXTRA
chain_conf() {
	V=$V P=$P EXTRA=${EXTRA:-"{}"} python3 - "$1" >"$2" <<'PY'
import json, os, sys
conf = {"cniVersion": os.environ["V"], "name": os.environ["P"], "type": "dsrlab-cni",
        "vips": ["10.100.0.1"], "balancers": ["10.0.1.2/32"]}
conf.update(json.loads(os.environ["EXTRA"]))
prev = open(sys.argv[1]).read()
if prev.strip():
    conf["prevResult"] = json.loads(prev)
print(json.dumps(conf))
PY
}

# has_vip NS ADDR: ADDR/32 is on NS's lo
has_vip() { ip -n "$1" -br addr show dev lo | grep -q " $2/32"; }

# client_try TIMEOUT: prints the echo reply from VIP:PORT, or nothing
client_try() {
	ip netns exec "$C" python3 - "$VIP" "$PORT" "$1" <<'PY' 2>>"$TMP/client.err"
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3]))
peer = s.getpeername()[0]  # before the close races it
s.sendall(b"hello")
s.shutdown(socket.SHUT_WR)
print(s.recv(100).decode(), peer)
PY
}


balancer() {
	mac=$(ip -n "$H" -br link show l0 | awk '{print $3}')
	in_ns "$L" "$lb" --pin "$PIN" attach eth0 --nexthop-mac "$mac" --src 10.0.1.2 &&
	LB_UP=1 &&
	in_ns "$L" "$lb" --pin "$PIN" vip add "$VIP:$PORT/tcp" --backend "$1"
}

# Debian's plugins (1.1.1) speak up to 1.0.0; a 1.1.0 result has the same shape.
bridge_conf() {
	bv=$V
	[ "$V" = 1.1.0 ] && bv=1.0.0
	cat >"$TMP/bridge.json" <<JSON
{"cniVersion": "$bv", "name": "dsrcni", "type": "bridge", "bridge": "cni0",
 "isGateway": true, "ipMasq": false,
 "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.1.0.0/24"}]],
          "routes": [{"dst": "0.0.0.0/0"}],
          "dataDir": "$TMP/ipam"}}
JSON
}

# --- the container network, as containerd would make it ---
VIPS=$VIP
{ cni_topology && ip netns add "$K" && ip -n "$K" link set lo up; } ||
	{ say "FAIL: building the topology"; exit 1; }
bridge_conf
if ! cni_call /usr/lib/cni/bridge ADD "$TMP/bridge.json" >"$TMP/bridge.out"; then
	cat "$TMP/bridge.out"
	say "FAIL: bridge plugin ADD"
	exit 1
fi
CIP=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ips"][0]["address"].split("/")[0])' "$TMP/bridge.out")
HVETH=$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print([i["name"] for i in r["interfaces"] if not i.get("sandbox") and i["name"] != "cni0"][0])' "$TMP/bridge.out")
say "bridge plugin: container $CIP, host-side veth $HVETH"
in_ns "$H" ethtool -K "$HVETH" tx off >/dev/null
in_ns "$K" ethtool -K eth0 tx off >/dev/null
balancer "$CIP" || { say "FAIL: loading the balancer"; exit 1; }

ip netns exec "$K" python3 "$(dirname "$0")/cni_echo.py" container "$PORT" &
pids="$pids $!"
sleep 0.5

# --- negative control: the balancer encapsulates, nothing decapsulates yet ---
reply=$(client_try 2)
[ -z "$reply" ] && ok "no answer before dsrlab-cni ADD" || bad "answered without decap: $reply"

# --- CNI_IFNAME set but empty: refused by name, not as a prevResult problem ---
chain_conf "$TMP/bridge.out" "$TMP/chain.json"
IFN= cni_call "$cni" ADD "$TMP/chain.json" >"$TMP/empty.out"
grep -q '"code": 4' "$TMP/empty.out" && grep -q 'CNI_IFNAME is set but empty' "$TMP/empty.out" &&
	ok "CNI_IFNAME=\"\" refused with code 4 by name" || bad "CNI_IFNAME=\"\": $(cat "$TMP/empty.out")"

# --- STATUS (1.1): ready, no output ---
if [ "$V" = 1.1.0 ]; then
	in_ns "$H" env CNI_COMMAND=STATUS CNI_PATH=/usr/lib/cni "$cni" <"$TMP/chain.json" \
		>"$TMP/status.out" && [ ! -s "$TMP/status.out" ] && ok "STATUS: ready" ||
		bad "STATUS: $(cat "$TMP/status.out")"
fi

# --- ADD, chained; the VIP comes per container (runtimeConfig), over the conflist's default ---
EXTRA='{"vips": ["10.100.0.9"], "capabilities": {"dsrlabVips": true},
	"runtimeConfig": {"dsrlabVips": ["10.100.0.1"]}}' chain_conf "$TMP/bridge.out" "$TMP/chain.json"
if cni_call "$cni" ADD "$TMP/chain.json" >"$TMP/add.out"; then
	if python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
		"$TMP/add.out" "$TMP/bridge.out"; then
		ok "ADD printed prevResult unchanged"
	else
		bad "ADD result differs from prevResult"
	fi
else
	bad "dsrlab-cni ADD: $(cat "$TMP/add.out")"
fi
in_ns "$H" tc filter show dev "$HVETH" egress | grep -q "decap" &&
	ok "decap filter on $HVETH egress" || bad "no decap filter on $HVETH egress"
has_vip "$K" "$VIP" && ok "runtimeConfig VIP $VIP on lo" || bad "VIP not on lo"
has_vip "$K" 10.100.0.9 && bad "the conflist's default VIP is on lo too" ||
	ok "runtimeConfig replaced the conflist's default VIP"
cni_call "$cni" CHECK "$TMP/chain.json" >"$TMP/check.out" && ok "CHECK passes" ||
	bad "CHECK after ADD: $(cat "$TMP/check.out")"

# --- DSR traffic ---
cni_capture_start
answered=0
for i in 1 2 3 4 5; do
	reply=$(client_try 3)
	[ "$reply" = "container:hello $VIP" ] && answered=$((answered + 1))
	say "connection $i: '${reply}'"
done
[ "$answered" = 5 ] && ok "5/5 connections to $VIP:$PORT answered by the container" ||
	{ bad "$answered/5 connections answered"; cat "$TMP/client.err"; }
cni_capture_stop
ipip=$(tcpdump -n -r "$TMP/l0.pcap" "ip proto 4 and src host 10.0.1.2 and dst host $CIP" 2>/dev/null | wc -l)
via_lb=$(tcpdump -n -r "$TMP/l0.pcap" "src host $VIP" 2>/dev/null | wc -l)
direct=$(tcpdump -n -r "$TMP/c0.pcap" "src host $VIP and dst host 10.0.0.2" 2>/dev/null | wc -l)
[ "$ipip" -gt 0 ] && ok "$ipip IPIP packets lb -> $CIP on l0" || bad "no IPIP from the lb on l0"
[ "$via_lb" = 0 ] && ok "no reply from $VIP crossed the lb's link" || bad "$via_lb replies went via the lb"
[ "$direct" -gt 0 ] && ok "$direct replies from $VIP reached the client directly" ||
	bad "no reply from $VIP on c0"

# --- the decap's counters, pinned by ADD, read by dsrlab-backend ---
stats() { "$backend" stats --netns "$H" --iface "$HVETH" --at host-veth-egress "$@"; }
if stats -j >"$TMP/stats.json" 2>"$TMP/stats.err"; then
	decap=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counters"]["decap"])' \
		"$TMP/stats.json")
	[ "$decap" -gt 0 ] && ok "dsrlab-backend stats: decap=$decap" ||
		bad "dsrlab-backend stats: decap=$decap: $(cat "$TMP/stats.json")"
else
	bad "dsrlab-backend stats: $(cat "$TMP/stats.err")"
fi

# --- DEL: ours, then the bridge, as a runtime does (reverse order) ---
cni_call "$cni" DEL "$TMP/chain.json" >"$TMP/del.out" && ok "DEL" || bad "DEL: $(cat "$TMP/del.out")"
in_ns "$H" tc filter show dev "$HVETH" egress | grep -q . &&
	bad "a filter is left on $HVETH" || ok "no filter left on $HVETH"
in_ns "$H" tc qdisc show dev "$HVETH" | grep -q clsact &&
	bad "clsact left on $HVETH" || ok "no clsact left on $HVETH"
ip -n "$K" -br addr show dev lo | grep -q "$VIP" && bad "VIP left on lo" || ok "VIP removed from lo"
stats >/dev/null 2>&1 && bad "counters still pinned after DEL" || ok "pins removed"
cni_call "$cni" CHECK "$TMP/chain.json" >"$TMP/check.out" &&
	bad "CHECK passed after DEL" ||
	{ grep -q '"code": 102' "$TMP/check.out" && ok "CHECK after DEL fails with code 102" ||
		bad "CHECK after DEL: $(cat "$TMP/check.out")"; }
cni_call "$cni" DEL "$TMP/chain.json" >"$TMP/del.out" && ok "second DEL succeeds" ||
	bad "second DEL: $(cat "$TMP/del.out")"
cni_call /usr/lib/cni/bridge DEL "$TMP/bridge.json" >/dev/null || bad "bridge DEL"
cni_call "$cni" DEL "$TMP/chain.json" >"$TMP/del.out" && ok "DEL after the veth is gone" ||
	bad "DEL after the veth is gone: $(cat "$TMP/del.out")"
ip netns del "$K"
cni_call "$cni" DEL "$TMP/chain.json" >"$TMP/del.out" && ok "DEL after the netns is gone" ||
	bad "DEL after the netns is gone: $(cat "$TMP/del.out")"
reply=$(client_try 2)
[ -z "$reply" ] && ok "no answer after DEL" || bad "answered after DEL: $reply"

# --- other per-container sources: CNI_ARGS, args.cni (Multus' cni-args) ---
# add_ctr NS CID: a container NS with a bridge veth; leaves its config in $TMP/NS.chain.json
add_ctr() {
	ip netns add "$1" && ip -n "$1" link set lo up &&
		cni_call /usr/lib/cni/bridge ADD "$TMP/bridge.json" "$1" "$2" >"$TMP/$1.bridge" &&
		chain_conf "$TMP/$1.bridge" "$TMP/$1.chain.json"
}
add_ctr "$K2" "$CID-2" || bad "second container"
ARGS="IgnoreUnknown=1;K8S_POD_NAME=x;DSRLAB_VIPS=10.100.0.4,10.100.0.5" \
	cni_call "$cni" ADD "$TMP/$K2.chain.json" "$K2" "$CID-2" >"$TMP/k2.out" ||
	bad "ADD with CNI_ARGS: $(cat "$TMP/k2.out")"
has_vip "$K2" 10.100.0.4 && has_vip "$K2" 10.100.0.5 && ! has_vip "$K2" "$VIP" &&
	ok "CNI_ARGS DSRLAB_VIPS put 10.100.0.4 and 10.100.0.5 on lo, not the default" ||
	bad "CNI_ARGS VIPs: $(ip -n "$K2" -br addr show dev lo)"
add_ctr "$K3" "$CID-3" || bad "third container"
EXTRA='{"args": {"cni": {"dsrlabVips": ["10.100.0.6"]}}}' \
	chain_conf "$TMP/$K3.bridge" "$TMP/$K3.chain.json"
cni_call "$cni" ADD "$TMP/$K3.chain.json" "$K3" "$CID-3" >"$TMP/k3.out" ||
	bad "ADD with args.cni: $(cat "$TMP/k3.out")"
has_vip "$K3" 10.100.0.6 && ok "args.cni VIP 10.100.0.6 on lo" ||
	bad "args.cni VIP: $(ip -n "$K3" -br addr show dev lo)"
ARGS="DSRLAB_VIPS=10.100.0.4,nope" cni_call "$cni" ADD "$TMP/$K2.chain.json" "$K2" "$CID-2" \
	>"$TMP/bad.out"
grep -q 'CNI_ARGS DSRLAB_VIPS\[1\]: not an IPv4 or IPv6 address' "$TMP/bad.out" &&
	ok "a bad CNI_ARGS VIP is named in the error" || bad "bad CNI_ARGS VIP: $(cat "$TMP/bad.out")"

# --- GC (1.1): K2 stays listed and lives; K3 is dropped from the list, then its netns dies ---
veth_of() {
	python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print([i["name"] for i in r["interfaces"] if not i.get("sandbox") and i["name"] != "cni0"][0])' "$1"
}
pins_of() { echo "/sys/fs/bpf/dsrlab/backend/$(stat -L -c %i /run/netns/"$H")-$1-host-veth-egress"; }
gc() {
	VALID=$1 python3 - "$TMP/chain.json" >"$TMP/gc.json" <<'PY'
import json, os, sys
conf = json.load(open(sys.argv[1]))
conf.pop("prevResult", None)
conf["cni.dev/valid-attachments"] = json.loads(os.environ["VALID"])
print(json.dumps(conf))
PY
	in_ns "$H" env CNI_COMMAND=GC CNI_PATH=/usr/lib/cni "$cni" <"$TMP/gc.json" >"$TMP/gc.out"
}
if [ "$V" = 1.1.0 ]; then
	V2=$(veth_of "$TMP/$K2.bridge") V3=$(veth_of "$TMP/$K3.bridge")
	gc "[{\"containerID\": \"$CID-2\", \"ifname\": \"eth0\"},
	     {\"containerID\": \"$CID-3\", \"ifname\": \"eth0\"}]" || bad "GC: $(cat "$TMP/gc.out")"
	[ -e "$(pins_of "$V2")/stats" ] && [ -e "$(pins_of "$V3")/stats" ] &&
		ok "GC keeps listed attachments" || bad "GC removed a listed attachment"
	ip netns del "$K3" # K3's DEL never comes: its veth goes, its pins stay
	[ -e "$(pins_of "$V3")/stats" ] && ok "$V3 gone, its pins left behind" ||
		bad "pins of $V3 gone without DEL or GC"
	gc "[]" || bad "GC: $(cat "$TMP/gc.out")"
	[ ! -e "$(pins_of "$V2")" ] && [ ! -e "$(pins_of "$V3")" ] &&
		ok "GC removed the pins of both unlisted attachments" || bad "GC left pins behind"
	in_ns "$H" tc filter show dev "$V2" egress | grep -q . &&
		bad "GC left the filter on $V2" || ok "GC removed the filter from the live $V2"
	[ -z "$(ls "/run/dsrlab-cni/$P" 2>/dev/null)" ] && ok "GC removed the records" ||
		bad "records left: $(ls "/run/dsrlab-cni/$P")"
fi
cni_call /usr/lib/cni/bridge DEL "$TMP/bridge.json" "$K2" "$CID-2" >/dev/null
cni_call /usr/lib/cni/bridge DEL "$TMP/bridge.json" "$K3" "$CID-3" >/dev/null

finish
