#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# keep.sh DSRLAB FAILING-SCENARIO PASSING-SCENARIO OUTDIR
# run --keep: a run whose check fails exits 1 and stays up (namespaces, pins, keeper) until
# `down`; a run that passes is torn down as usual.
set -u
dsrlab=$1 failing=$2 passing=$3 out=$4
fail=0
. "$(dirname "$0")/lifecycle_lib.sh"

prepare "$out"
timeout 300 "$dsrlab" run --keep --json --outdir "$out/fail" "$failing" >"$out/fail.json" \
	2>"$out/fail.err"
code=$?
id=$(json_run_id "$out/fail.json")
[ -n "$id" ] || { bad "no run id in the JSON report"; cat "$out/fail.err"; exit 1; }
trap '"$dsrlab" down "$id" >/dev/null 2>&1' EXIT
[ "$code" = 1 ] || bad "run --keep of a failing scenario exited $code, expected 1"
grep -q "dsrlab down $id" "$out/fail.err" || bad "run --keep did not say how to take it down"
sleep 1
[ -e "/run/netns/dsrlab-$id-client" ] || bad "kept run $id has no client namespace"
[ -e "/sys/fs/bpf/dsrlab/$id/lb/vips" ] || bad "kept run $id has no pinned maps"
grep -q "^kept 1" "/run/dsrlab/$id.state" 2>/dev/null || bad "kept run $id: state says not kept"
"$dsrlab" down "$id" || bad "down of the kept run failed"
nothing_left "$id"

timeout 300 "$dsrlab" run --keep --json --outdir "$out/pass" "$passing" >"$out/pass.json" \
	2>"$out/pass.err"
code=$?
id2=$(json_run_id "$out/pass.json")
[ "$code" = 0 ] || { bad "run --keep of a passing scenario exited $code"; cat "$out/pass.err"; }
[ -n "$id2" ] && nothing_left "$id2"
[ $fail = 0 ] && say "ok"
exit $fail
