#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# up_down.sh DSRLAB SCENARIO OUTDIR
# `up` returns with the demo up: the client reaches each VIP's tenant through the balancer,
# the pinned maps answer bpftool, and the keeper runs; `down` removes everything; a second
# `down` and a malformed id are usage errors (exit 2).
set -u
dsrlab=$1 scenario=$2 out=$3
fail=0
. "$(dirname "$0")/lifecycle_lib.sh"

prepare "$out"
timeout 120 "$dsrlab" up --json --outdir "$out/run" "$scenario" >"$out/up.json" 2>"$out/up.err"
code=$?
cat "$out/up.json" "$out/up.err"
[ "$code" = 0 ] || { bad "up exited $code"; exit 1; }
id=$(json_run_id "$out/up.json")
[ -n "$id" ] || { bad "up printed no run id"; exit 1; }
"$(dirname "$0")/schema_check.py" "$(dirname "$0")/../../docs/schemas/up.schema.json" \
	"$out/up.json" && say "ok: up -j fits docs/schemas/up.schema.json" || bad "up -j does not fit its schema"
trap '"$dsrlab" down "$id" >/dev/null 2>&1' EXIT
keeper=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["keeper_pid"])' \
	"$out/up.json")

sleep 1 # up has returned: what follows must not depend on the process that ran it
running "$keeper" || bad "keeper pid $keeper is not running"
for pair in 10.100.0.1:tenant-a 10.100.0.2:tenant-b; do
	vip=${pair%%:*} want=${pair#*:}
	got=$(ip netns exec "dsrlab-$id-client" timeout 10 python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 80), timeout=5)
s.sendall(b"x\n")
print(s.makefile().readline().strip())' "$vip" 2>&1)
	case "$got" in
	"$want "*) say "ok: $vip answered by $want: $got" ;;
	*) bad "$vip: expected a reply from $want, got: $got" ;;
	esac
done
if bpftool map dump pinned "/sys/fs/bpf/dsrlab/$id/lb/vips" >"$out/vips.txt" 2>&1 &&
	grep -q key "$out/vips.txt"; then
	say "ok: bpftool map dump pinned /sys/fs/bpf/dsrlab/$id/lb/vips"
else
	bad "bpftool map dump of the pinned VIPs: $(cat "$out/vips.txt")"
fi
for pin in lb/xdp_link xdp_pass_link; do
	[ -e "/sys/fs/bpf/dsrlab/$id/$pin" ] || bad "no pinned link /sys/fs/bpf/dsrlab/$id/$pin"
done

"$dsrlab" down "$id"
code=$?
[ "$code" = 0 ] || bad "down exited $code"
nothing_left "$id"
running "$keeper" && bad "keeper pid $keeper still runs after down"
"$dsrlab" down "$id" 2>"$out/down2.err"
code=$?
[ "$code" = 2 ] || bad "a second down exited $code, expected 2 (no such run)"
grep -q "no run $id" "$out/down2.err" || bad "a second down did not say there is no run $id"
"$dsrlab" down not-an-id 2>/dev/null
code=$?
[ "$code" = 2 ] || bad "down of a malformed id exited $code, expected 2"
[ $fail = 0 ] && say "ok"
exit $fail
