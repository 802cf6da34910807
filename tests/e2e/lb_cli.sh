#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lb_cli.sh DSRLAB_LB CHAIN_MEMBER_BPF_O
# dsrlab-lb driven the way an operator does, on a veth pair in two private namespaces:
#
#   ns $P-peer eth0 10.0.1.1 ══ eth0 10.0.1.2 ns $P-lb (XDP)
#
# attach (native) -> vip add -> real add x3 with weights -> show -j lists them -> real
# weight / real del -> stats -j (a SYN sent to the VIP is counted) -> detach leaves nothing
# pinned and no XDP program; attach --chain with a member before the balancer, replaced by a
# dropping one while attached; attach --mode skb --conn-table percpu is reported as such;
# the default table is the sets; attach --conn-table sets and lru each keep the SYN's entry,
# and real del --flush deletes it.
# Everything is torn down on exit, whatever failed.
set -u
lb=$1 member=$2

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

P=dsrlbcli-$$
L=$P-lb R=$P-peer
PIN=/sys/fs/bpf/dsrlab/$P
VIP=10.100.0.1:80/tcp
fails=0

say() { printf 'lb_cli: %s\n' "$*"; }
ok() { say "ok: $*"; }
bad() { say "FAIL: $*"; fails=$((fails + 1)); }
# Network namespace only: `ip netns exec` remounts /sys, hiding /sys/fs/bpf.
in_ns() { ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }
lbc() { in_ns "$L" "$lb" --pin "$PIN" "$@"; }

cleanup() {
	lbc detach >/dev/null 2>&1
	rm -rf "$PIN" "/tmp/$P.doc"
	for ns in $L $R; do ip netns del "$ns" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# jcheck WHAT PYTHON-EXPR: the expression over j (stdin parsed as JSON) must be true
jcheck() {
	what=$1 expr=$2
	cat >"/tmp/$P.doc"
	"$(dirname "$0")/schema_check.py" "$(dirname "$0")/../../docs/schemas/lb.schema.json" \
		"/tmp/$P.doc" || bad "$what: the document does not fit docs/schemas/lb.schema.json"
	if python3 -c "import json, sys; j = json.load(sys.stdin); sys.exit(0 if ($expr) else 1)" \
		<"/tmp/$P.doc"
	then ok "$what"; else bad "$what"; fi
}

# expect_fail WHAT PATTERN CMD...: CMD exits 3 and says PATTERN on stderr
expect_fail() {
	what=$1 pat=$2; shift 2
	"$@" >/dev/null 2>"/tmp/$P.err"; rc=$?
	if [ $rc = 3 ] && grep -q "$pat" "/tmp/$P.err"; then ok "$what"
	else bad "$what (exit $rc: $(cat "/tmp/$P.err"))"; fi
	rm -f "/tmp/$P.err"
}

# expect_usage WHAT PATTERN CMD...: CMD exits 2 (a mistake in what was asked) saying PATTERN
expect_usage() {
	what=$1 pat=$2; shift 2
	"$@" >/dev/null 2>"/tmp/$P.err"; rc=$?
	if [ $rc = 2 ] && grep -q "$pat" "/tmp/$P.err"; then ok "$what"
	else bad "$what (exit $rc: $(cat "/tmp/$P.err"))"; fi
	rm -f "/tmp/$P.err"
}

# A TCP SYN from the peer to the VIP (nobody answers; the balancer counts it).
syn() {
	in_ns "$R" python3 -c 'import socket
s = socket.socket(); s.settimeout(0.3)
try: s.connect(("10.100.0.1", 80))
except OSError: pass' 2>/dev/null
}

tx_encap() { lbc -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["tx_encap"]["packets"])'; }

no_xdp() {
	if in_ns "$L" ip -d link show eth0 | grep -q 'prog/xdp'; then bad "$1: XDP still on eth0"
	else ok "$1: no XDP program on eth0"; fi
	if [ -e "$PIN" ]; then bad "$1: $PIN left behind"; else ok "$1: nothing pinned"; fi
}

ip netns add "$L" && ip netns add "$R" || { echo "FAIL: cannot create namespaces"; exit 1; }
ip link add eth0 netns "$L" type veth peer name eth0 netns "$R" || exit 1
in_ns "$L" ip addr add 10.0.1.2/24 dev eth0
in_ns "$R" ip addr add 10.0.1.1/24 dev eth0
for ns in $L $R; do in_ns "$ns" ip link set eth0 up; in_ns "$ns" ip link set lo up; done
in_ns "$R" ip route add 10.100.0.0/24 via 10.0.1.2
MAC=$(in_ns "$R" cat /sys/class/net/eth0/address)

say "plain balancer"
lbc -j attach eth0 --nexthop-mac "$MAC" --src 10.0.1.2 --mode native | tee "/tmp/$P.attach"
jcheck "attach reports the granted mode: native" 'j["mode"] == "native" and not j["chained"]' \
	<"/tmp/$P.attach"
rm -f "/tmp/$P.attach"
expect_fail "a second attach is refused and names the pin" "already pinned under" \
	lbc attach eth0 --nexthop-mac "$MAC" --src 10.0.1.2
lbc show -j | jcheck "the first balancer still runs" 'j["attached"] and j["mode"] == "native"'
lbc vip add "$VIP" || bad "vip add"
lbc real add "$VIP" 10.1.0.2 || bad "real add 10.1.0.2"
lbc real add "$VIP" 10.1.0.3 --weight 2 || bad "real add 10.1.0.3"
lbc real add "$VIP" 10.1.0.4 --weight 3 || bad "real add 10.1.0.4"
lbc show -j | jcheck "show -j lists the VIP with three backends and their weights" \
	'[(b["addr"], b["weight"]) for b in j["vips"][0]["backends"]] ==
	 [("10.1.0.2", 1), ("10.1.0.3", 2), ("10.1.0.4", 3)] and j["vips"][0]["vip"] == "'$VIP'"
	 and j["config"]["src"] == "10.0.1.2/32" and j["config"]["conn_table"] == "sets"'
expect_fail "real add of a backend already in the pool" "already in its pool" \
	lbc real add "$VIP" 10.1.0.3
lbc real weight "$VIP" 10.1.0.3 0 || bad "real weight"
lbc real del "$VIP" 10.1.0.2 || bad "real del"
lbc -j vip list | jcheck "real weight 0 and real del: two backends left" \
	'sorted((b["addr"], b["weight"]) for b in j["vips"][0]["backends"]) ==
	 [("10.1.0.3", 0), ("10.1.0.4", 3)]'
expect_fail "real del of a backend not in the pool" "not in its pool" \
	lbc real del "$VIP" 10.1.0.2
expect_fail "real add to a VIP that does not exist" "no such VIP" \
	lbc real add 10.100.0.9:80/tcp 10.1.0.2
lbc vip add "$VIP" --src-per-flow || bad "vip add (change flags)"
lbc -j vip list | jcheck "vip add without --backend keeps the pool" \
	'j["vips"][0]["flags"] == ["src-per-flow"] and len(j["vips"][0]["backends"]) == 2'
lbc vip add "$VIP" --src-per-flow --hash-no-ports || bad "vip add --hash-no-ports"
lbc -j vip list | jcheck "vip add --hash-no-ports: both flags" \
	'j["vips"][0]["flags"] == ["hash-no-ports", "src-per-flow"]'
lbc vip add "$VIP" --src-per-flow || bad "vip add (flags back)"
lbc show | grep -q "backend 10.1.0.4  weight 3" && ok "show (text)" || bad "show (text)"
syn
lbc stats -j | jcheck "stats -j: the SYN to the VIP was encapsulated" \
	'j["tx_encap"]["packets"] >= 1 and j["conn_new"]["packets"] >= 1'
lbc stats -j --per-cpu | jcheck "stats --per-cpu: per CPU counters sum to the total" \
	'sum(c["packets"] for c in j["tx_encap"]) >= 1'
lbc show -j | jcheck "show -j: the VIP and its backend counted the packets" \
	'j["vips"][0]["packets"] >= 1 and
	 sum(b["packets"] for b in j["backends"] if b["addr"] == "10.1.0.4") >= 1'
lbc detach || bad "detach"
no_xdp "detach"

say "chained balancer"
lbc attach eth0 --nexthop-mac "$MAC" --src 10.0.1.2 --chain || bad "attach --chain"
lbc vip add "$VIP" --backend 10.1.0.4 || bad "vip add (chained)"
lbc -j chain list | jcheck "the balancer sits in the last slot" \
	'[(s["slot"], s["name"]) for s in j["chain"]] == [(7, "balancer")]'
lbc chain add 0 "$member:chain_count" || bad "chain add 0"
lbc -j show | jcheck "show -j: chained, member in slot 0" \
	'j["chained"] and [s["name"] for s in j["chain"]] == ["chain_count", "balancer"]'
before=$(tx_encap); syn; after=$(tx_encap)
[ "$after" -gt "$before" ] && ok "through the member, the balancer encapsulates" ||
	bad "through the member: tx_encap $before -> $after"
expect_fail "chain add to an occupied slot" "use chain replace" \
	lbc chain add 0 "$member:chain_count"
expect_fail "chain add to the balancer's slot" "holds the balancer" \
	lbc chain add 7 "$member:chain_count"
expect_fail "chain add of an object with two programs and none named" "name one" \
	lbc chain add 1 "$member"
lbc chain replace 0 "$member:chain_drop" || bad "chain replace 0"
before=$(tx_encap); syn; after=$(tx_encap)
[ "$after" = "$before" ] && ok "the dropping member replaced it: nothing reaches the balancer" ||
	bad "after replace: tx_encap $before -> $after"
lbc chain del 0 || bad "chain del 0"
before=$(tx_encap); syn; after=$(tx_encap)
[ "$after" -gt "$before" ] && ok "slot 0 emptied: the chain skips it" ||
	bad "after del: tx_encap $before -> $after"
lbc detach || bad "detach (chained)"
no_xdp "detach (chained)"

say "generic mode, per-CPU connection table"
lbc attach eth0 --nexthop-mac "$MAC" --src 10.0.1.2 --mode skb --conn-table percpu ||
	bad "attach --mode skb --conn-table percpu"
lbc show -j | jcheck "show -j: skb mode, percpu connection table" \
	'j["mode"] == "skb" and j["config"]["conn_table"] == "percpu"'
lbc detach || bad "detach (skb)"
no_xdp "detach (skb)"

for kind in sets lru; do
say "connection table $kind, named"
lbc attach eth0 --nexthop-mac "$MAC" --src 10.0.1.2 --conn-table $kind ||
	bad "attach --conn-table $kind"
lbc show -j | jcheck "show -j: $kind connection table" 'j["config"]["conn_table"] == "'$kind'"'
lbc vip add "$VIP" --backend 10.1.0.2 --backend 10.1.0.3 || bad "vip add ($kind)"
syn
lbc stats -j | jcheck "stats -j: the SYN made an entry, evicting nothing" \
	'j["conn_new"]["packets"] >= 1 and j["tx_encap"]["packets"] >= 1
	 and j["conn_evicted"]["packets"] == 0'
# The SYN's retransmissions hit its entry: the flush finds it under whichever backend it chose.
flushed=0
for b in 10.1.0.2 10.1.0.3; do
	n=$(lbc -v real del "$VIP" $b --flush 2>&1 | sed -n 's/.*flushed \([0-9]*\) connection.*/\1/p')
	flushed=$((flushed + ${n:-0}))
done
[ "$flushed" -ge 1 ] && ok "real del --flush deletes the flow's entry from the $kind table ($flushed)" ||
	bad "real del --flush found no entry in the $kind table"
lbc detach || bad "detach ($kind)"
no_xdp "detach ($kind)"
done

say "IPv6 VIP under a small --mtu (refused, not clamped)"
V6=[2001:db8:100::1]:80/tcp
lbc attach eth0 --nexthop-mac "$MAC" --src 10.0.1.2 --src6 2001:db8:1b::2 --mtu 1319 \
	--gue-port 6080 ||
	bad "attach --mtu 1319"
expect_usage "ip6ip6 VIP at mtu 1319 (1279 left): refused" "below IPv6's minimum MTU 1280" \
	lbc vip add "$V6" --backend 2001:db8:1::2
expect_usage "gue to IPv6 at mtu 1319 (1271 left): refused" \
	"attach with --mtu 1328 or more" \
	lbc vip add "$V6" --encap gue --backend 2001:db8:1::2
lbc detach || bad "detach (mtu 1319)"
lbc attach eth0 --nexthop-mac "$MAC" --src 10.0.1.2 --src6 2001:db8:1b::2 --mtu 1320 ||
	bad "attach --mtu 1320"
lbc vip add "$V6" --backend 2001:db8:1::2 && ok "ip6ip6 VIP at mtu 1320 (1280 left)" ||
	bad "ip6ip6 VIP at mtu 1320"
lbc -j vip list | jcheck "vip list prints the IPv6 VIP as it is written" \
	'j["vips"][0]["vip"] == "'$V6'"'
expect_usage "vip add with the brackets forgotten: refused" "IPv6 in brackets" \
	lbc vip add 2001:db8:100::1:80/tcp --backend 2001:db8:1::2
lbc detach || bad "detach (mtu 1320)"
no_xdp "detach (mtu 1320)"

[ $fails = 0 ] && { say "all checks held"; exit 0; }
say "$fails check(s) failed"
exit 1
