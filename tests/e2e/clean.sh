#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# clean.sh DSRLAB SCENARIO OUTDIR
# A run killed with SIGKILL mid-way leaves its namespaces, pins and lock; `clean` removes
# them, while a run in progress (which must still pass) and a run kept up by `up` are left
# alone. Only plain `clean`: it never touches a run whose process is alive, so other tests
# running at the same time are safe.
set -u
dsrlab=$1 scenario=$2 out=$3
fail=0
. "$(dirname "$0")/lifecycle_lib.sh"

prepare "$out"
sed 's/connections: [0-9]*/connections: 50000/' "$scenario" >"$out/long.yaml"
sed 's/connections: [0-9]*/connections: 4000/' "$scenario" >"$out/medium.yaml"

"$dsrlab" run --outdir "$out/killed" "$out/long.yaml" >/dev/null 2>"$out/killed.err" &
pk=$!
killed=$(started "$out/killed.err") || { bad "the run to kill did not start"; exit 1; }
sleep 1
kill -KILL $pk
wait $pk 2>/dev/null
say "killed run $killed (pid $pk) with SIGKILL"
[ -e "/run/netns/dsrlab-$killed-client" ] && [ -e "/sys/fs/bpf/dsrlab/$killed" ] &&
	[ -e "/run/dsrlab/$killed.lock" ] || bad "the killed run left nothing to clean"

timeout 120 "$dsrlab" up --json --outdir "$out/up" "$scenario" >"$out/up.json" 2>"$out/up.err" ||
	bad "up failed: $(cat "$out/up.err")"
kept=$(json_run_id "$out/up.json")
trap '[ -n "$kept" ] && "$dsrlab" down "$kept" >/dev/null 2>&1' EXIT

"$dsrlab" run --json --outdir "$out/alive" "$out/medium.yaml" >"$out/alive.json" \
	2>"$out/alive.err" &
pa=$!
alive=$(started "$out/alive.err") || bad "the concurrent run did not start"

"$dsrlab" clean >"$out/clean.txt" 2>&1
code=$?
cat "$out/clean.txt"
[ "$code" = 0 ] || bad "clean exited $code"
nothing_left "$killed"
grep -q "run $killed" "$out/clean.txt" || bad "clean did not say it removed run $killed"
# The run in progress may have ended since; that it was seen and passes is what counts.
grep -q "left run $alive alone: in progress" "$out/clean.txt" ||
	bad "clean did not leave the run in progress, $alive, alone"
grep -q "left run $kept alone: kept up" "$out/clean.txt" ||
	bad "clean did not leave the kept run, $kept, alone"
[ -e "/run/netns/dsrlab-$kept-client" ] || bad "kept run $kept lost its namespaces"
[ -e "/sys/fs/bpf/dsrlab/$kept/lb/vips" ] || bad "kept run $kept lost its pins"

wait $pa
code=$?
[ "$code" = 0 ] || { bad "the concurrent run exited $code"; cat "$out/alive.err"; }
nothing_left "$alive"
"$dsrlab" down "$kept" >/dev/null || bad "down of the kept run failed"
nothing_left "$kept"
kept=
[ $fail = 0 ] && say "ok"
exit $fail
