#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nic_mode.sh DSRLAB OUTDIR
# Real-NIC mode with a veth standing in for the wire: dsrnic<pid>a and dsrnic<pid>b are made
# in this namespace; the balancer binds the first as its eth0, the router the second as its
# eth1, and a link between them says they are wired (nothing is created for it). The demo's
# checks must pass, and afterwards both interfaces must be back here under their own names.
set -u
dsrlab=$1 outdir=$2
a=dsrnic$$a b=dsrnic$$b

[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
rm -rf "$outdir"
mkdir -p "$outdir"
ip link add "$a" type veth peer name "$b" || exit 1
trap 'ip link del "$a" 2>/dev/null' EXIT

cat >"$outdir/nic-mode.yaml" <<YAML
version: 1
name: nic-mode
nodes:
  client:   {role: client, addrs: [10.0.0.2/24], gateway: 10.0.0.1}
  router:   {role: router, nics: {eth1: $b}}
  lb:       {role: lb, addrs: [10.0.1.2/24], gateway: 10.0.1.1, nics: {eth0: $a}}
  host1:    {role: host, addrs: [10.0.2.2/24], gateway: 10.0.2.1}
  tenant-a: {role: container, host: host1, addrs: [10.1.0.2/24]}
links:
  - [client:eth0, router:eth0]
  - [lb:eth0, router:eth1]
  - [host1:eth0, router:eth2]
balancer:
  node: lb
  vips:
    - {vip: "10.100.0.1:80/tcp", encap: ipip, backends: [tenant-a]}
services:
  - {node: tenant-a, listen: "0.0.0.0:80/tcp", kind: echo}
traffic:
  - {name: web, from: client, to: "10.100.0.1:80/tcp", connections: 100, concurrency: 4}
expect:
  - {answered: web}
  - {served-by: {traffic: web, nodes: [tenant-a], min: 100}}
  - {never-seen: {at: router:eth1, src: 10.100.0.1}}
  - {encapsulated: {at: router:eth1, vip: "10.100.0.1:80/tcp"}}
  - {drops: {at: tenant-a, max: 0}}
YAML

"$dsrlab" run --outdir "$outdir/run" "$outdir/nic-mode.yaml"
code=$?
fail=0
[ "$code" = 0 ] || { echo "FAIL: dsrlab exited $code"; fail=1; }
for i in "$a" "$b"; do
	if ! ip -o link show "$i" >/dev/null 2>&1; then
		echo "FAIL: $i is not back in this namespace under its name"
		fail=1
	elif ip -o link show "$i" | grep -q "[<,]UP[,>]"; then
		echo "FAIL: $i was left up"
		fail=1
	fi
done
[ "$fail" = 0 ] && echo "PASS: nic-mode run passed; $a and $b are back, down"
exit $fail
