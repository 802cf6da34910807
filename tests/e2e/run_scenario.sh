#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run_scenario.sh DSRLAB SCENARIO OUTDIR EXPECTED_EXIT [FAILING_CHECK]
# Runs a scenario, requires the expected exit code, requires FAILING_CHECK (a prefix of a
# check's text) to be among the failed checks when given, requires every traffic's
# sent == answered on success, and requires the run to have left nothing behind.
set -u
dsrlab=$1 scenario=$2 outdir=$3 expected=$4 failing=${5:-}

[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
rm -rf "$outdir"
mkdir -p "$(dirname "$outdir")"
"$dsrlab" run --json --outdir "$outdir" "$scenario" >"$outdir.json"
code=$?
cat "$outdir.json"
fail=0
if [ "$code" != "$expected" ]; then
	echo "FAIL: exit code $code, expected $expected"
	fail=1
fi
id=$(sed -n 's/.*"run_id":"\([0-9a-f]*\)".*/\1/p' "$outdir.json")
if [ -z "$id" ]; then
	echo "FAIL: no run id in the JSON report"
	exit 1
fi
if [ -n "$failing" ] && ! grep -q "\"pass\":false,\"line\":[0-9]*,\"check\":\"$failing" "$outdir.json"; then
	echo "FAIL: check '$failing' did not fail"
	fail=1
fi
if [ "$expected" = 0 ]; then
	python3 - "$outdir.json" <<'PY' || fail=1
import json, sys
r = json.load(open(sys.argv[1]))
bad = [t["name"] for t in r["traffic"] if t["sent"] != t["answered"] or t["sent"] != t["connections"]]
if bad or not all(c["pass"] for c in r["checks"]):
    print("FAIL: traffic not all answered or a check failed:", bad)
    sys.exit(1)
PY
fi
left=$(ip netns list | awk '{print $1}' | grep "^dsrlab-$id-" || true)
if [ -n "$left" ]; then
	echo "FAIL: namespaces left behind: $left"
	fail=1
fi
if [ -e "/sys/fs/bpf/dsrlab/$id" ]; then
	echo "FAIL: pinned state left behind: /sys/fs/bpf/dsrlab/$id"
	fail=1
fi
[ -s "$outdir/report.json" ] || { echo "FAIL: no $outdir/report.json"; fail=1; }
python3 -c "import sys, xml.dom.minidom as x; x.parse(sys.argv[1])" "$outdir/junit.xml" ||
	{ echo "FAIL: $outdir/junit.xml is missing or not XML"; fail=1; }
exit $fail
