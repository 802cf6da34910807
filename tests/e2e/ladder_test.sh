#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ladder_test.sh DSRLAB SCENARIO OUTDIR
# The demo's run folder holds the ladder of one connection (ladder.svg, ladder.png: valid
# pictures) and its data says what DSR means: the connection opens with a SYN at the client;
# on the balancer's link (router:eth1) every request is seen plain and then encapsulated
# (IPIP), and no reply ever; the client gets the replies from the VIP.
set -u
dsrlab=$1 scenario=$2 out=$3
. "$(dirname "$0")/verdict_lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
rm -rf "$out"
mkdir -p "$(dirname "$out")"
"$dsrlab" run --outdir "$out" "$scenario" >"$out.log" 2>&1 || { cat "$out.log"; bad "the run failed"; finish; }
"$(dirname "$0")/image_check.py" "$out/ladder.svg" "$out/ladder.png" &&
	ok "ladder.svg and ladder.png are valid pictures" || bad "no valid ladder pictures"
dat=$out/ladder.dat
count() { grep -v '^#' "$dat" | awk -v p="$1" -v l="$2" '$(NF-1) == p && $NF == l' | wc -l; }
first=$(grep -v '^#' "$dat" | head -1)
case "$first" in
*'"SYN  +0.000 ms"'*client:eth0\ request) ok "opens with the SYN at the client: $first" ;;
*) bad "first row: $first" ;;
esac
plain=$(count router:eth1 request) encap=$(count router:eth1 encapsulated)
replies_lb=$(count router:eth1 reply) replies=$(count client:eth0 reply)
[ "$plain" -gt 0 ] && [ "$plain" = "$encap" ] &&
	ok "router:eth1: $plain requests in, $encap encapsulated out" ||
	bad "router:eth1: $plain requests, $encap encapsulated"
grep -v '^#' "$dat" | awk '$NF == "encapsulated"' | grep -qv '"IPIP ' &&
	bad "an encapsulated leg is not IPIP" || ok "every encapsulated leg is IPIP"
[ "$replies_lb" = 0 ] && ok "no reply on the balancer's link" || bad "$replies_lb replies via the lb"
[ "$replies" -gt 0 ] && ok "$replies replies from the VIP at the client" || bad "no replies at the client"
finish
