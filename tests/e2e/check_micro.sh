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
check ipv4-many-flows 1 conn_hit tx_encap
check ipv4-udp 1 conn_hit tx_encap
check non-vip 1 pass_not_vip
check ipv6-established 1 conn_hit tx_encap
check gue-vip 1 conn_hit tx_encap
check icmp-ptb 1 tx_encap icmp_to_backend
# The new-flow class carries its insert floor, proved; the others have none.
[ "$(field "c.get('insert_floor_proved')" ipv4-syn)" = true ] ||
	{ echo "FAIL: ipv4-syn: insert floor not proved"; fail=1; }
[ "$(field "len(c['insert_floor_runs_ns'])" ipv4-syn)" = "$runs" ] ||
	{ echo "FAIL: ipv4-syn: not $runs insert floor runs"; fail=1; }
[ "$(field "'insert_floor_ns' in c" ipv4-established)" = false ] ||
	{ echo "FAIL: ipv4-established has an insert floor"; fail=1; }
# The fastest run is no slower than the median (and both are the program's own runs).
for c in ipv4-syn ipv4-established non-vip; do
	[ "$(field "c['balancer_min_ns'] == min(c['balancer_runs_ns']) <= c['balancer_ns']" $c)" = true ] ||
		{ echo "FAIL: $c: balancer_min_ns is not the fastest run"; fail=1; }
done

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

[ "$(field "j['conn_table_kind']")" = '"sets"' ] ||
	{ echo "FAIL: the default connection table is not the sets"; fail=1; }

# --only: exactly the named parts run, with each kind of connection table but the default
# (the SYN class and its insert floor proved on each); an unknown name is exit 2 with the
# names there are, before anything is loaded.
for kind in percpu lru; do
	only=$("$dsrlab" bench --micro --only ipv4-syn,ipv4-established,decap-gue --conn-kind $kind \
		--runs 1 --repeat 1000 -j)
	code=$?
	[ "$code" = 0 ] || { echo "FAIL: --only, --conn-kind $kind: exit $code"; fail=1; }
	got=$(echo "$only" | python3 -c 'import json, sys
j = json.load(sys.stdin)
c = j["classes"]
print([x["name"] for x in c], [x["name"] for x in j["decap_classes"]], j["maglev"], j["only"],
      j["conn_table_kind"], c[0]["proved"], c[0]["insert_floor_proved"], c[1]["proved"])')
	[ "$got" = "['ipv4-syn', 'ipv4-established'] ['decap-gue'] [] ipv4-syn,ipv4-established,decap-gue $kind True True True" ] ||
		{ echo "FAIL: --only, --conn-kind $kind ran: $got"; fail=1; }
	echo "$only" | "$(dirname "$0")/schema_check.py" "$(dirname "$0")/../../docs/schemas/micro.schema.json" - ||
		{ echo "FAIL: the --only document does not fit the schema"; fail=1; }
done
err=$("$dsrlab" bench --micro --only ipv4-syn,ipv9 2>&1 >/dev/null)
code=$?
[ "$code" = 2 ] || { echo "FAIL: --only ipv9: exit $code, expected 2"; fail=1; }
case $err in
*'no class "ipv9"'*ipv4-established*decap-ipip*maglev*) ;;
*) echo "FAIL: --only ipv9: $err"; fail=1 ;;
esac

[ "$fail" = 0 ] && echo "PASS: every class reported, every iteration proven by the counters"
exit $fail
