#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# stall.sh DSRLAB SCENARIO OUTDIR
# A traffic item on a dead path stops after one timeout: the run fails "answered" within
# seconds, every connection counts as failed, and those never tried say why.
set -u
dsrlab=$1 scenario=$2 out=$3
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
rm -rf "$out"
mkdir -p "$(dirname "$out")"
start=$(date +%s)
"$dsrlab" run --json --outdir "$out" "$scenario" >"$out.json"
code=$?
took=$(($(date +%s) - start))
echo "exit $code after $took s"
fail=0
[ "$code" = 1 ] || { echo "FAIL: exit $code, expected 1"; fail=1; }
[ "$took" -lt 30 ] || { echo "FAIL: the dead path took $took s (bound: one timeout)"; fail=1; }
python3 - "$out.json" <<'PY' || fail=1
import json, sys
r = json.load(open(sys.argv[1]))
t = r["traffic"][0]
ok = t["connections"] == 400 and t["sent"] == 400 and t["answered"] == 0 and t["broken"] == 0
if not ok:
    print("FAIL: traffic", t)
ans = [c for c in r["checks"] if c["check"].startswith("answered")]
if not ans or ans[0]["pass"]:
    print("FAIL: 'answered' did not fail"); ok = False
sys.exit(0 if ok else 1)
PY
grep -q "not attempted: nothing answered for 1000 ms" "$out/report.json" ||
	{ echo "FAIL: the report does not say why connections were not attempted"; fail=1; }
exit $fail
