#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# up_tools.sh DSRLAB BINDIR SCENARIO OUTDIR
# While `dsrlab up` holds the demo, the operator tools reach it as README says: dsrlab-lb
# names the balancer's interface as its own namespace knows it (--netns), dsrlab-backend
# reads each tenant's decap counters from the run's pin folder, both also under
# `ip netns exec` (a fresh /sys without the bpffs), and a manual `attach --replace` pins
# into the run folder, so `down` leaves nothing pinned anywhere.
set -u
dsrlab=$1 bin=$2 scenario=$3 out=$4
fail=0
. "$(dirname "$0")/lifecycle_lib.sh"

prepare "$out"
timeout 120 "$dsrlab" up --json --outdir "$out/run" "$scenario" >"$out/up.json" 2>"$out/up.err" ||
	{ bad "up failed: $(cat "$out/up.err")"; exit 1; }
id=$(json_run_id "$out/up.json")
trap '"$dsrlab" down "$id" >/dev/null 2>&1' EXIT
pin=/sys/fs/bpf/dsrlab/$id
ip netns exec "dsrlab-$id-client" python3 -c '
import socket
for _ in range(5):
    s = socket.create_connection(("10.100.0.1", 80), timeout=5)
    s.sendall(b"x\n"); s.makefile().readline(); s.close()' || bad "no traffic through the run"

lbshow=$("$bin/dsrlab-lb" --pin "$pin/lb" --netns "dsrlab-$id-lb" show -j)
echo "$lbshow" | grep -q '"interface":"eth0"' && say "ok: dsrlab-lb --netns names eth0" ||
	bad "dsrlab-lb --netns: $lbshow"
"$bin/dsrlab-lb" --netns "dsrlab-$id-nosuch" --pin "$pin/lb" show >/dev/null 2>&1 &&
	bad "dsrlab-lb --netns accepted a namespace that does not exist"
ip netns exec "dsrlab-$id-lb" "$bin/dsrlab-lb" --pin "$pin/lb" show -j | grep -q '"interface":"eth0"' &&
	say "ok: dsrlab-lb under ip netns exec" || bad "dsrlab-lb under ip netns exec"

stats="--netns dsrlab-$id-host1 --iface tenant-a --at host-veth-egress"
# shellcheck disable=SC2086
rx=$("$bin/dsrlab-backend" stats $stats -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["decap"])')
[ "${rx:-0}" -ge 5 ] && say "ok: dsrlab-backend stats of the run: decap=$rx" ||
	bad "dsrlab-backend stats of the run: decap=${rx:-none}"
# shellcheck disable=SC2086
ip netns exec "dsrlab-$id-host1" "$bin/dsrlab-backend" stats $stats >/dev/null &&
	say "ok: dsrlab-backend under ip netns exec" || bad "dsrlab-backend under ip netns exec"
# shellcheck disable=SC2086
"$bin/dsrlab-backend" attach $stats --serve 10.1.0.2 --allow 10.0.1.2/32 --replace >/dev/null ||
	bad "manual attach --replace in the run"
[ -e "$pin/decap/host1-tenant-a-host-veth-egress/stats" ] ||
	bad "the manual attach did not pin into the run folder"

ino=$(stat -L -c %i "/run/netns/dsrlab-$id-host1")
"$dsrlab" down "$id" >/dev/null || bad "down failed"
trap - EXIT
nothing_left "$id"
left=$(ls /sys/fs/bpf/dsrlab/backend 2>/dev/null | grep "^$ino-" || true)
[ -z "$left" ] || bad "pins of the run's host left in /sys/fs/bpf/dsrlab/backend: $left"
[ $fail = 0 ] && say "ok"
exit $fail
