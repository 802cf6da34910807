#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# backend_replace.sh DSRLAB_BACKEND
# dsrlab-backend attach refuses to stack a second decap where one is attached, and with
# --replace swaps it in one step: one filter before, one after, a new program id, the pinned
# counters readable throughout; detach leaves nothing.
set -u
bin=$1
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
ns="dsrrepl-$$"
fail=0
cleanup() { ip netns del "$ns" 2>/dev/null; }
trap cleanup EXIT INT TERM

ip netns add "$ns" || exit 1
ip -n "$ns" link add va type veth peer name vb || exit 1
ip -n "$ns" link set va up && ip -n "$ns" link set vb up
att="--netns $ns --iface va --at container-ingress --serve 10.1.0.2 --allow 10.0.1.2/32"

prog_ids() { ip netns exec "$ns" tc filter show dev va ingress | sed -n 's/.* id \([0-9]*\).*/\1/p'; }

# shellcheck disable=SC2086
"$bin" attach $att >/dev/null || { echo "FAIL: first attach"; exit 1; }
first=$(prog_ids)
[ "$(echo "$first" | wc -w)" = 1 ] || { echo "FAIL: expected one filter, got '$first'"; fail=1; }

# shellcheck disable=SC2086
if "$bin" attach $att 2>"/tmp/$ns.err"; then
	echo "FAIL: a second attach without --replace succeeded"
	fail=1
elif ! grep -q -- "--replace" "/tmp/$ns.err"; then
	echo "FAIL: the refusal does not say how to replace: $(cat "/tmp/$ns.err")"
	fail=1
fi
[ "$(prog_ids)" = "$first" ] || { echo "FAIL: the refused attach changed the filter"; fail=1; }

# shellcheck disable=SC2086
"$bin" attach $att --replace >/dev/null 2>"/tmp/$ns.rerr" || { echo "FAIL: attach --replace"; fail=1; }
# The clsact qdisc already there is expected: libbpf's note about it belongs under -v.
[ ! -s "/tmp/$ns.rerr" ] || { echo "FAIL: attach --replace printed: $(cat "/tmp/$ns.rerr")"; fail=1; }
second=$(prog_ids)
[ "$(echo "$second" | wc -w)" = 1 ] || { echo "FAIL: expected one filter after replace, got '$second'"; fail=1; }
[ "$second" != "$first" ] || { echo "FAIL: --replace kept program $first"; fail=1; }

"$bin" stats --netns "$ns" --iface va --at container-ingress -j | grep -q '"rx"' ||
	{ echo "FAIL: stats after replace"; fail=1; }
# Pins are keyed by the namespace's inode, which the kernel reuses: counters pinned there are
# shown only while they belong to the program attached now.
ip netns exec "$ns" tc filter del dev va ingress
if "$bin" stats --netns "$ns" --iface va --at container-ingress >/dev/null 2>"/tmp/$ns.serr"; then
	echo "FAIL: stats read pins that no attached decap uses"
	fail=1
elif ! grep -q "earlier decap" "/tmp/$ns.serr"; then
	echo "FAIL: stale pins not named as such: $(cat "/tmp/$ns.serr")"
	fail=1
fi
# A decap with a fault put back says so in stats (text first line, JSON "faults"); one
# without says nothing about faults.
"$bin" stats --netns "$ns" --iface va --at container-ingress -j 2>/dev/null | grep -q '"faults"' &&
	{ echo "FAIL: stats names a fault nobody set"; fail=1; }
# shellcheck disable=SC2086
"$bin" attach $att --replace --fault keep-protocol >/dev/null 2>&1 ||
	{ echo "FAIL: attach --fault keep-protocol"; fail=1; }
"$bin" stats --netns "$ns" --iface va --at container-ingress | head -1 |
	grep -q '^FAULT keep-protocol put back on purpose' ||
	{ echo "FAIL: stats does not say the fault is set"; fail=1; }
"$bin" stats --netns "$ns" --iface va --at container-ingress -j |
	python3 -c 'import json, sys; sys.exit(json.load(sys.stdin).get("faults") != ["keep-protocol"])' ||
	{ echo "FAIL: stats -j has no faults"; fail=1; }
"$bin" attach $att --fault slow 2>/dev/null && { echo "FAIL: an unknown fault was taken"; fail=1; }
# shellcheck disable=SC2086
"$bin" attach $att --replace >/dev/null 2>&1 || { echo "FAIL: attach again"; fail=1; }
"$bin" detach --netns "$ns" --iface va --at container-ingress >/dev/null ||
	{ echo "FAIL: detach"; fail=1; }
[ -z "$(prog_ids)" ] || { echo "FAIL: a filter is left after detach"; fail=1; }
[ ! -e "/sys/fs/bpf/dsrlab/backend/$(stat -L -c %i "/run/netns/$ns")-va-container-ingress" ] ||
	{ echo "FAIL: pins left after detach"; fail=1; }
rm -f "/tmp/$ns.err" "/tmp/$ns.rerr" "/tmp/$ns.serr"
[ "$fail" = 0 ] && echo "PASS: refused stacking, replaced $first -> $second, detached"
exit $fail
