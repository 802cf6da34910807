#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# sigterm.sh DSRLAB SCENARIO OUTDIR
# SIGTERM in the middle of a long run (the scenario with 50000 connections per traffic):
# exit 3, a report that says it was interrupted, and nothing of the run left behind.
set -u
dsrlab=$1 scenario=$2 out=$3
fail=0
. "$(dirname "$0")/lifecycle_lib.sh"

prepare "$out"
sed 's/connections: [0-9]*/connections: 50000/' "$scenario" >"$out/long.yaml"
"$dsrlab" run --json --outdir "$out/run" "$out/long.yaml" >"$out/run.json" 2>"$out/run.err" &
pid=$!
# Mid-run: 1 s after its balancer is up (its traffic has started by then).
started "$out/run.err" >/dev/null || bad "the run did not get its balancer up in 30 s"
sleep 1
kill -TERM $pid
wait $pid
code=$?
cat "$out/run.err"
id=$(json_run_id "$out/run.json")
say "run $id exited $code after SIGTERM"
[ "$code" = 3 ] || bad "exit code $code, expected 3"
[ -n "$id" ] || { bad "no run id in the JSON report"; exit 1; }
python3 - "$out/run/report.json" <<'PY' || bad "report.json does not say the run was interrupted"
import json, sys
r = json.load(open(sys.argv[1]))
print("report error:", r["error"])
sys.exit(0 if "interrupted" in r["error"] and r["exit_code"] == 3 else 1)
PY
nothing_left "$id"
[ $fail = 0 ] && say "ok"
exit $fail
