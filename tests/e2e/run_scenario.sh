#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run_scenario.sh DSRLAB SCENARIO OUTDIR EXPECTED_EXIT [FAILING_CHECK [CAUSE]]
# Runs a scenario, requires the expected exit code, requires FAILING_CHECK (a prefix of a
# check's text) to be among the failed checks when given, requires every traffic's
# sent == answered on success, and requires the run to have left nothing behind. The doctor:
# a passing run gets no diagnosis; a failed one gets OUTDIR/diagnosis.json from the run
# itself, with CAUSE (when given) ranked first. A failed check leaves a failure bundle
# (OUTDIR/bundle: the scenario, every node's ip -j state and sysctls, rebuild.sh); a setup
# error (exit 3) one with the scenario and what was built; a pass none.
# report.json and the -j document fit docs/schemas/report.schema.json, junit.xml both the
# strict Ant schema and Jenkins' junit-10.xsd (tests/junit/); topology.svg and .png are
# valid pictures.
set -u
dsrlab=$1 scenario=$2 outdir=$3 expected=$4 failing=${5:-} cause=${6:-}

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
# balancer: conn-table X: the balancer that ran had that table (its maps say so, not the file).
want=$(sed -n 's/^  conn-table: *\([a-z]*\).*/\1/p' "$scenario")
if [ -n "$want" ] && [ "$code" != 3 ]; then
	got=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["environment"]["conn_table"])' "$outdir.json")
	[ "$got" = "$want" ] || { echo "FAIL: conn-table: $want asked, the balancer ran with '$got'"; fail=1; }
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
if [ "$expected" = 0 ]; then
	"$dsrlab" doctor --json "$outdir" >"$outdir.doctor.json" || { echo "FAIL: doctor failed"; fail=1; }
	python3 - "$outdir.doctor.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
if d["causes"]:
    print("FAIL: a passing run was diagnosed:", d["causes"])
    sys.exit(1)
PY
fi
if [ "$code" = 1 ] || [ "$code" = 3 ]; then
	python3 - "$outdir/bundle" "$scenario" "$code" <<'PY' || fail=1
import json, os, sys
b, sc, setup = sys.argv[1], sys.argv[2], sys.argv[3] == "3"
nodes = json.load(open(os.path.join(b, "nodes.json")))["nodes"]
missing = [f for f in ("scenario.yaml", "rebuild.sh") if not os.path.getsize(os.path.join(b, f))]
for n in [] if setup else nodes:  # a setup error may stop before every node is whole
    for what in ("addr", "link", "route"):
        json.load(open(os.path.join(b, "%s.%s.json" % (n["name"], what))))
    if "net.ipv4.conf.all.rp_filter" not in n["sysctls"]:
        missing.append(n["name"] + " sysctls")
if open(os.path.join(b, "scenario.yaml")).read() != open(sc).read():
    missing.append("scenario.yaml (not the scenario)")
if missing or (not nodes and not setup):
    print("FAIL: the failure bundle lacks", missing or "nodes")
    sys.exit(1)
PY
elif [ -e "$outdir/bundle" ]; then
	echo "FAIL: a run without a failed check wrote a failure bundle"
	fail=1
fi
if [ -n "$cause" ]; then
	python3 - "$outdir/diagnosis.json" "$cause" <<'PY' || fail=1
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except OSError as e:
    print("FAIL: the failed run wrote no diagnosis:", e)
    sys.exit(1)
ids = [c["id"] for c in d["causes"]]
if not ids or ids[0] != sys.argv[2]:
    print("FAIL: the doctor ranked %s first, expected %s" % (ids, sys.argv[2]))
    sys.exit(1)
print("doctor: %s ranked first (of %s)" % (ids[0], ids))
PY
fi
[ -s "$outdir/report.json" ] || { echo "FAIL: no $outdir/report.json"; fail=1; }
"$(dirname "$0")/schema_check.py" "$(dirname "$0")/../../docs/schemas/report.schema.json" \
	"$outdir/report.json" "$outdir.json" || { echo "FAIL: the report does not fit its schema"; fail=1; }
for d in "$outdir.doctor.json" "$outdir/diagnosis.json"; do
	[ ! -e "$d" ] || "$(dirname "$0")/schema_check.py" \
		"$(dirname "$0")/../../docs/schemas/doctor.schema.json" "$d" ||
		{ echo "FAIL: $d does not fit docs/schemas/doctor.schema.json"; fail=1; }
done
"$(dirname "$0")/image_check.py" "$outdir/topology.svg" "$outdir/topology.png" ||
	{ echo "FAIL: the run folder has no valid topology drawing"; fail=1; }
if [ -e "$outdir/ladder.dat" ]; then
	"$(dirname "$0")/image_check.py" "$outdir/ladder.svg" "$outdir/ladder.png" ||
		{ echo "FAIL: ladder.dat without valid ladder pictures"; fail=1; }
fi
for xsd in ant-junit jenkins-junit-10; do
	xmllint --noout --schema "$(dirname "$0")/../junit/$xsd.xsd" "$outdir/junit.xml" ||
		{ echo "FAIL: $outdir/junit.xml does not fit tests/junit/$xsd.xsd"; fail=1; }
done
exit $fail
