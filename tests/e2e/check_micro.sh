#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check_micro.sh DSRLAB
# Runs `dsrlab bench --micro` briefly and checks its JSON, never its speed: every class is
# reported, the wrapper never failed, every iteration of every class took one path, and for
# the classes the balancer handles, the balancer's own counters show the intended path on
# every one of the runs x repeat iterations.
set -u
dsrlab=$1
runs=3 repeat=20000
iter=$((runs * repeat))

[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
out=$("$dsrlab" bench --micro --runs $runs --repeat $repeat -j)
code=$?
echo "$out"
fail=0
[ "$code" = 0 ] || { echo "FAIL: exit code $code, expected 0"; fail=1; }
echo "$out" | "$(dirname "$0")/schema_check.py" "$(dirname "$0")/../../docs/schemas/micro.schema.json" - ||
	{ echo "FAIL: the document does not fit docs/schemas/micro.schema.json"; fail=1; }
# field PYTHON-EXPRESSION: a value of the document (j), or of one class (c, with name=NAME).
field() {
	echo "$out" | python3 -c 'import json, sys
j = json.load(sys.stdin)
c = next((c for c in j["classes"] if c["name"] == sys.argv[2]), None) if len(sys.argv) > 2 else None
v = eval(sys.argv[1]) if c is not None or len(sys.argv) < 3 else None
print("" if v is None else json.dumps(v))' "$@"
}
for k in restore_failed tail_call_failed; do
	[ "$(field "j['$k']")" = 0 ] || { echo "FAIL: $k is not 0"; fail=1; }
done

# check CLASS STRICT COUNTER...: the class is there with runs x repeat iterations, each took
# one path (consistent), rx counted each; STRICT=1: proved, and each COUNTER counted each.
check() {
	name=$1 strict=$2
	shift 2
	[ -n "$(field "c['name']" "$name")" ] || {
		echo "FAIL: class $name missing"
		fail=1
		return
	}
	n=$(field "c['iterations']" "$name")
	[ "$n" = "$iter" ] || { echo "FAIL: $name: ${n:-no} iterations, expected $iter"; fail=1; }
	[ "$(field "c['consistent']" "$name")" = true ] ||
		{ echo "FAIL: $name: iterations took different paths"; fail=1; }
	if [ "$strict" = 1 ]; then
		[ "$(field "c['proved']" "$name")" = true ] ||
			{ echo "FAIL: $name: intended path not proved"; fail=1; }
	fi
	for c in rx "$@"; do
		v=$(field "c['counters'].get('$c')" "$name")
		[ "$v" = "$iter" ] ||
			{ echo "FAIL: $name: counter $c is ${v:-missing}, expected $iter"; fail=1; }
	done
}

check ipv4-syn 1 conn_new tx_encap
check ipv4-established 1 conn_hit tx_encap
check ipv4-udp 1 conn_hit tx_encap
check non-vip 1 pass_not_vip
# Paths still being built: reported truthfully, not required yet.
check ipv6-established 0
check gue-vip 0
check icmp-ptb 0

[ "$fail" = 0 ] && echo "PASS: every class reported, every iteration proven by the counters"
exit $fail
