#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# gue_dissector.sh SRCDIR
# contrib/wireshark/gue.lua under tshark on crafted GUE packets (tests/e2e/gue_pcap.py):
# version 1 with inner IPv4 and IPv6, version 0 with an extension word, and a malformed
# version 0 header, each decoded to the exact fields; without the script tshark sees only
# UDP (the negative control). Unprivileged.
set -u
src=$1
TMP=$(mktemp -d /tmp/dsrgue-$$.XXXX)
trap 'rm -rf "$TMP"' EXIT
. "$(dirname "$0")/verdict_lib.sh"

command -v tshark >/dev/null || { echo "FAIL: tshark missing (apt-get install tshark)"; exit 1; }
"$src/tests/e2e/gue_pcap.py" "$TMP/gue.pcap" || { bad "writing the capture"; finish; }
fields="-T fields -E separator=| -e frame.number -e gue.version -e gue.hlen -e gue.proto
	-e ip.dst -e ipv6.dst -e tcp.dstport -e udp.dstport -e _ws.expert.message"
# shellcheck disable=SC2086
tshark -X "lua_script:$src/contrib/wireshark/gue.lua" -r "$TMP/gue.pcap" $fields \
	>"$TMP/with.txt" 2>"$TMP/err" || bad "tshark with the dissector: $(cat "$TMP/err")"
# shellcheck disable=SC2086
tshark -r "$TMP/gue.pcap" $fields >"$TMP/without.txt" 2>/dev/null

# want N LINE: frame N decodes to exactly LINE
want() {
	got=$(sed -n "$1p" "$TMP/with.txt")
	[ "$got" = "$2" ] && ok "frame $1: $2" || bad "frame $1: got '$got', want '$2'"
}
want 1 "1|1|||10.1.0.2,10.100.0.1||80|6080|Connection establish request (SYN): server port 80"
want 2 "2|0|1|4|10.1.0.2,10.100.0.2|||6080,7000|"
want 3 "3|1|||10.1.0.2|2001:db8:100::1|80|6080|Connection establish request (SYN): server port 80"
want 4 "4|0|31|4|10.1.0.2|||6080|GUE header longer than the datagram"
grep -q '10.100.0.1\|2001:db8:100::1\||80|' "$TMP/without.txt" &&
	bad "tshark decodes the inner packets without the dissector: $(cat "$TMP/without.txt")" ||
	ok "without the dissector tshark sees only UDP to 6080"
finish
