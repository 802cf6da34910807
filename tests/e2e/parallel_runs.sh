#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# parallel_runs.sh DSRLAB SCENARIO OUTDIR
# Two runs of one scenario started at once: both pass, with different run ids, and neither
# leaves anything behind.
set -u
dsrlab=$1 scenario=$2 out=$3
fail=0
. "$(dirname "$0")/lifecycle_lib.sh"

prepare "$out"
"$dsrlab" run --json --outdir "$out/a" "$scenario" >"$out/a.json" 2>"$out/a.err" &
pa=$!
"$dsrlab" run --json --outdir "$out/b" "$scenario" >"$out/b.json" 2>"$out/b.err" &
pb=$!
wait $pa
ca=$?
wait $pb
cb=$?
ida=$(json_run_id "$out/a.json")
idb=$(json_run_id "$out/b.json")
say "run a: id $ida, exit $ca; run b: id $idb, exit $cb"
[ "$ca" = 0 ] || { bad "run a exited $ca"; cat "$out/a.err"; }
[ "$cb" = 0 ] || { bad "run b exited $cb"; cat "$out/b.err"; }
[ -n "$ida" ] && [ -n "$idb" ] || { bad "a run printed no run id"; exit 1; }
[ "$ida" != "$idb" ] || bad "both runs got id $ida"
nothing_left "$ida"
nothing_left "$idb"
[ $fail = 0 ] && say "ok"
exit $fail
