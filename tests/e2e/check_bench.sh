#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check_bench.sh DSRLAB SCENARIO OUTDIR
# Runs `dsrlab bench --micro` on a short bench scenario and checks its report's structure,
# never its speed: every measurement ran, every field of the JSON is there (the
# micro-benchmark's report among them), every sink counted no malformed frame, each flood's
# first stage is what the generator says it sent, every stage that counted names its CPUs,
# the plot files are a real PNG and a well-formed SVG, and nothing is left behind.
set -u
dsrlab=$1 scenario=$2 outdir=$3

[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
rm -rf "$outdir"
mkdir -p "$(dirname "$outdir")"
"$dsrlab" bench --json --micro --runs 1 --repeat 2000 --outdir "$outdir" "$scenario" \
	>"$outdir.json"
code=$?
cat "$outdir/bench.txt" 2>/dev/null
fail=0
[ "$code" = 0 ] || { echo "FAIL: exit code $code, expected 0"; fail=1; }
"$(dirname "$0")/schema_check.py" "$(dirname "$0")/../../docs/schemas/bench.schema.json" \
	"$outdir.json" "$outdir/bench.json" ||
	{ echo "FAIL: the report does not fit docs/schemas/bench.schema.json"; fail=1; }
"$(dirname "$0")/schema_check.py" "$(dirname "$0")/../../docs/schemas/micro.schema.json" \
	"$outdir/micro.json" || { echo "FAIL: micro.json does not fit micro.schema.json"; fail=1; }
python3 - "$outdir.json" "$outdir" <<'PY' || fail=1
import json, sys, os, statistics
import xml.etree.ElementTree as ET
r = json.load(open(sys.argv[1]))
bad = []
def need(obj, keys, where):
    for k in keys:
        if k not in obj:
            bad.append(f"{where}: no '{k}'")
need(r, ["scenario", "run_id", "outdir", "machine", "settings", "measurements",
         "comparisons", "plot", "corrupted", "exit", "captures_at"], "report")
need(r["machine"], ["cpu", "cores", "kernel", "xdp"], "machine")
for x in r["machine"]["xdp"]:
    need(x, ["at", "program", "mode"], "machine.xdp")
progs = {x["program"]: x["mode"] for x in r["machine"]["xdp"]}
for p in ["balancer", "reflector", "sink", "generator"]:
    if p not in progs:
        bad.append(f"machine.xdp: no {p}")
need(r["settings"], ["frame", "flows", "rate", "count", "duration_ms", "interval_ms",
                     "drain_ms", "rounds", "cpus"], "settings")
names = [m["name"] for m in r["measurements"]]
for k in range(r["settings"]["rounds"]):
    if sorted(m["name"] for m in r["measurements"] if m["round"] == k) != sorted(
            m["name"] for m in r["measurements"] if m["round"] == 0):
        bad.append(f"round {k} does not have the measurements of round 0")
for want in ["reflector", "balancer", "tc-noop", "decap host-veth-egress",
             "decap container-ingress", "decap host-nic strict", "goodput-dsr",
             "goodput-direct"]:
    if want not in names:
        bad.append(f"measurements: no {want}")
for m in r["measurements"]:
    need(m, ["name", "kind", "round", "path", "ran", "error"], "measurement")
    if not m["ran"]:
        bad.append(f"{m['name']} did not run: {m['error']}")
        continue
    if m["kind"] == "goodput":
        need(m, ["mbps", "retransmits", "seconds", "iperf3_json", "drops"], m["name"])
        if not m["mbps"] > 0 or not os.path.isfile(m["iperf3_json"]):
            bad.append(f"{m['name']}: no goodput measured")
        continue
    need(m, ["generator", "stages", "sink", "drops", "captures", "start", "samples"], m["name"])
    for d in m.get("drops", []):
        need(d, ["at", "reason", "count"], m["name"] + ".drops")
    caps = m.get("captures", [])
    if [c["at"] for c in caps] != r["captures_at"]:
        bad.append(f"{m['name']}: captures {[c['at'] for c in caps]}, scenario {r['captures_at']}")
    for c in caps:
        need(c, ["at", "file", "written", "dropped"], m["name"] + ".captures")
        if not os.path.isfile(c["file"]):
            bad.append(f"{m['name']}: no capture file {c['file']}")
        # every decap flood crosses the host's uplink: its capture saw packets
        if m["kind"] in ("decap", "tc-noop") and c["at"] == "host1:eth0" and not c["written"]:
            bad.append(f"{m['name']}: the capture at host1:eth0 saw nothing")
    g = m["generator"]
    need(g, ["sent", "bytes", "requested", "seconds", "pps", "rate_target",
             "rate_missed", "cpus"], m["name"] + ".generator")
    st = m["stages"]
    if not st or st[0]["name"] != "generator" or st[-1]["name"] != "sink":
        bad.append(f"{m['name']}: stages must run from generator to sink")
    for s in st:
        need(s, ["name", "packets", "pps", "cpus"], m["name"] + ".stage")
        if s.get("packets") and not s.get("cpus"):
            bad.append(f"{m['name']}: stage {s['name']} counted packets on no CPU")
    if g["sent"] <= 0 or st[0]["packets"] != g["sent"]:
        bad.append(f"{m['name']}: generator stage {st[0]['packets']} != sent {g['sent']}")
    if g["cpus"] != r["settings"]["cpus"]:
        bad.append(f"{m['name']}: generator ran on {g['cpus']}, asked {r['settings']['cpus']}")
    if m["sink"]["malformed"] != 0:
        bad.append(f"{m['name']}: {m['sink']['malformed']} malformed frames")
    if m["sink"]["good"] != st[-1]["packets"] or m["sink"]["good"] <= 0:
        bad.append(f"{m['name']}: sink good {m['sink']['good']} vs stage {st[-1]['packets']}")
    if not m["samples"]:
        bad.append(f"{m['name']}: no samples")
    for s in m["samples"]:
        if set(s["pps"]) != {x["name"] for x in st}:
            bad.append(f"{m['name']}: a sample lacks a stage")
cmp = {c["name"] for c in r["comparisons"]}
for want in ["balancer / reflector", "decap host-veth-egress", "decap container-ingress",
             "decap host-nic strict", "goodput dsr / direct"]:
    if want not in cmp:
        bad.append(f"comparisons: no {want}")
for c in r["comparisons"]:
    need(c, ["name", "measured", "baseline", "ratio", "rounds", "goal", "met", "bottleneck"],
         "comparison")
    if len(c["rounds"]) != r["settings"]["rounds"] or \
            abs(c["ratio"] - statistics.median(c["rounds"])) > 1e-9:
        bad.append(f"{c['name']}: ratio {c['ratio']} is not the median of {c['rounds']}")
    if not c["met"] and not c["bottleneck"]:
        bad.append(f"{c['name']}: missed without a bottleneck line")
micro = r.get("micro") or {}
if micro.get("exit") != 0 or not (micro.get("report") or {}).get("classes"):
    bad.append(f"micro: the micro-benchmark's report is not in the bench's: {micro}")
if r["corrupted"]:
    bad.append("corrupted is true")
png, svg = r["plot"]["png"], r["plot"]["svg"]
if not png or open(png, "rb").read(8) != b"\x89PNG\r\n\x1a\n":
    bad.append(f"plot: {png!r} is not a PNG ({r['plot']['error']})")
else:
    try:
        root = ET.parse(svg).getroot()
        if not root.tag.endswith("svg"):
            bad.append("plot: the SVG's root is not <svg>")
    except Exception as e:
        bad.append(f"plot: {svg} is not well-formed SVG: {e}")
for f in ["bench.json", "bench.txt", "throughput.dat", "throughput.gp"]:
    if not os.path.isfile(os.path.join(sys.argv[2], f)):
        bad.append(f"no {f} in the output folder")
if bad:
    print("FAIL:", *bad, sep="\n  ")
    sys.exit(1)
PY
id=$(sed -n 's/.*"run_id": "\([0-9a-f]*\)".*/\1/p' "$outdir.json" | head -n 1)
if [ -z "$id" ]; then
	echo "FAIL: no run id in the JSON report"
	exit 1
fi
left=$(ip netns list | awk '{print $1}' | grep "^dsrlab-$id-" || true)
[ -z "$left" ] || { echo "FAIL: namespaces left behind: $left"; fail=1; }
[ ! -e "/sys/fs/bpf/dsrlab/$id" ] || { echo "FAIL: pins left behind"; fail=1; }
[ "$fail" = 0 ] && echo "PASS"
exit $fail
