#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# draw_test.sh DSRLAB SRCDIR
# `dsrlab validate --draw` draws every scenario in scenarios/ as valid SVG and PNG
# (tests/e2e/image_check.py); the demo's drawing names every node, both VIPs with their
# backends and the decap on each tenant's veth; host-nic-strict's shows the strict NIC decap;
# -j names the files. Unprivileged.
set -u
dsrlab=$1 src=$2
TMP=$(mktemp -d /tmp/dsrdraw-$$.XXXX)
trap 'rm -rf "$TMP"' EXIT
. "$(dirname "$0")/verdict_lib.sh"

n=0
for sc in "$src"/scenarios/*.yaml; do
	name=$(sed -n 's/^name: *//p' "$sc" | head -1)
	if ! "$dsrlab" validate --draw --outdir "$TMP" "$sc" >"$TMP/out" 2>&1; then
		bad "validate --draw $sc: $(cat "$TMP/out")"
		continue
	fi
	if "$src/tests/e2e/image_check.py" "$TMP/$name.topology.svg" "$TMP/$name.topology.png"; then
		n=$((n + 1))
	else
		bad "$name: not valid pictures"
	fi
done
[ "$n" -gt 0 ] && ok "$n scenarios drawn as valid SVG and PNG"

# the text of a drawing, one <text> per line, entities decoded
texts() {
	/usr/bin/python3 -c 'import sys, xml.etree.ElementTree as E
print("\n".join(t.text or "" for t in E.parse(sys.argv[1]).iter() if t.tag.endswith("text")))' "$1"
}
texts "$TMP/demo.topology.svg" >"$TMP/demo.txt"
texts "$TMP/host-nic-strict.topology.svg" >"$TMP/strict.txt"
for want in "client (client)" "router (router)" "lb (balancer)" "host1 (host)" \
	"tenant-a (container)" "tenant-b (container)" "VIP 10.100.0.1:80/tcp ipip -> tenant-a" \
	"VIP 10.100.0.2:80/tcp ipip -> tenant-b" "XDP balancer on eth0 (native)" \
	"serves 0.0.0.0:80/tcp (echo)" "10.1.0.2/24"; do
	grep -qxF "$want" "$TMP/demo.txt" || bad "demo drawing lacks '$want'"
done
[ "$(grep -cxF 'decap: TC egress, host end' "$TMP/demo.txt")" = 2 ] &&
	ok "demo: every node, both VIPs, decap on both tenants' veths" ||
	bad "demo: decap labels: $(grep -c 'decap: TC egress' "$svg")"
grep -qxF 'decap: TC ingress, host NIC (strict)' "$TMP/strict.txt" &&
	ok "host-nic-strict: the strict NIC decap is drawn" || bad "host-nic-strict: no NIC decap label"

"$dsrlab" validate -j --draw --outdir "$TMP/j" "$src/scenarios/demo.yaml" >"$TMP/v.json" 2>&1
[ $? = 3 ] && ok "--draw into a missing folder fails (exit 3)" || bad "--draw into a missing folder"
mkdir -p "$TMP/j"
"$dsrlab" validate -j --draw --outdir "$TMP/j" "$src/scenarios/demo.yaml" >"$TMP/v.json" &&
	"$src/tests/e2e/schema_check.py" "$src/docs/schemas/validate.schema.json" "$TMP/v.json" &&
	grep -q "\"png\": \"$TMP/j/demo.topology.png\"" "$TMP/v.json" &&
	ok "validate -j --draw names the files and fits its schema" ||
	bad "validate -j --draw: $(cat "$TMP/v.json")"

finish
