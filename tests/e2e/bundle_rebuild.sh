#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bundle_rebuild.sh DSRLAB BIN SCENARIO OUTDIR
# The failure bundle's rebuild.sh makes the failed run's topology again by hand: run a bug
# of the library (strict rp_filter on the router), rebuild it from OUTDIR/bundle with the
# balancer and decap attached (DSRLAB_BIN), apply the bug's fix by hand (rp_filter 2), and a
# TCP connection from the client to the VIP is answered by the tenant through DSR. Then
# `rebuild.sh PREFIX down` must leave no namespace and no pin behind.
set -u
dsrlab=$1 bin=$2 scenario=$3 outdir=$4
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
P=dsrlab-rb$$
fail=0
rm -rf "$outdir"
"$dsrlab" run --outdir "$outdir" "$scenario" >/dev/null
[ $? = 1 ] || { echo "FAIL: $scenario did not fail"; exit 1; }
export DSRLAB_BIN="$bin"
ls /sys/fs/bpf/dsrlab/backend 2>/dev/null | sort >"$outdir/pins.before"
at() { n=$1; shift; nsenter --net="/run/netns/$P-$n" "$@"; }
if ! sh "$outdir/bundle/rebuild.sh" "$P" >"$outdir/rebuild.log" 2>&1; then
	echo "FAIL: rebuild.sh failed:"; tail -5 "$outdir/rebuild.log"; fail=1
else
	at router sysctl -qw net.ipv4.conf.all.rp_filter=2
	at tenant-a /usr/bin/python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80)); s.listen(); s.settimeout(5)
c, a = s.accept(); c.sendall(b"tenant-a %s\n" % a[0].encode())' &
	server=$!
	sleep 0.5
	got=$(at client /usr/bin/python3 -c '
import socket
s = socket.create_connection(("10.100.0.1", 80), timeout=3); print(s.recv(64).decode().strip())')
	wait $server
	if [ "$got" != "tenant-a 10.0.0.2" ]; then
		echo "FAIL: through the rebuilt topology the VIP answered '$got'"; fail=1
	else
		echo "rebuilt topology: the VIP answered '$got'"
	fi
fi
sh "$outdir/bundle/rebuild.sh" "$P" down
if ip netns list | grep -q "^$P-"; then echo "FAIL: namespaces left"; fail=1; fi
if [ -e "/sys/fs/bpf/dsrlab/$P" ]; then echo "FAIL: pins left"; fail=1; fi
after=$(ls /sys/fs/bpf/dsrlab/backend 2>/dev/null | sort)
left=$(echo "$after" | comm -13 "$outdir/pins.before" - | grep -- "-tenant-a-" || true)
[ -z "$left" ] || { echo "FAIL: decap pins left: $left"; fail=1; }
exit $fail
