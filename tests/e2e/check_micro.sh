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

# decap_check CLASS: every one of the runs x repeat iterations of each TC program was restored
# and tail-called; the strip-only program met the encapsulated packet (its length) in each,
# the decap decapsulated each (rx = decap, nothing else counted), and every run's output was
# exactly the inner packet (the no-op's: the input).
decap_field() {
	echo "$out" | python3 -c 'import json, sys
j = json.load(sys.stdin)
c = next((c for c in j["decap_classes"] if c["name"] == sys.argv[2]), None)
print("" if c is None else json.dumps(eval(sys.argv[1])))' "$@"
}
decap_check() {
	name=$1
	[ -n "$(decap_field "c['name']" "$name")" ] || { echo "FAIL: class $name missing"; fail=1; return; }
	for e in "c['iterations']" "c['strip_seen']" "c['counters']['rx']" "c['counters']['decap']" \
		"c['restored']['noop']" "c['restored']['strip']" "c['restored']['decap']"; do
		v=$(decap_field "$e" "$name")
		[ "$v" = "$iter" ] || { echo "FAIL: $name: $e is ${v:-missing}, expected $iter"; fail=1; }
	done
	v=$(decap_field "sum(c['counters'].values()) - 2 * c['counters']['decap']" "$name")
	[ "$v" = 0 ] || { echo "FAIL: $name: other decap counters moved ($v)"; fail=1; }
	for p in noop strip decap; do
		[ "$(decap_field "c['output_exact']['$p']" "$name")" = true ] ||
			{ echo "FAIL: $name: the $p output is not the expected packet"; fail=1; }
	done
	[ "$(decap_field "c['proved']" "$name")" = true ] || { echo "FAIL: $name: not proved"; fail=1; }
}
for c in decap-ipip decap-ip6ip6 decap-4in6 decap-gue; do
	decap_check $c
done
[ "$(field "[m['backends'] for m in j['maglev']]")" = "[100, 1000]" ] ||
	{ echo "FAIL: Maglev builds for 100 and 1000 backends not both reported"; fail=1; }

[ "$fail" = 0 ] && echo "PASS: every class reported, every iteration proven by the counters"
exit $fail
