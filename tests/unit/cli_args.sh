#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every argument mistake the CLIs once took silently: exit 2 and an error naming the argument.
# Usage: cli_args.sh BINDIR. Runs unprivileged: each check fails before any kernel call.
bin=$1
fails=0
n=0

# expect_2 WORD CMD...: CMD exits 2 and its first stderr line names WORD.
expect_2() {
	word=$1
	shift
	n=$((n + 1))
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	first=$(printf '%s\n' "$err" | head -n 1)
	case "$first" in
	*"$word"*) named=1 ;;
	*) named=0 ;;
	esac
	if [ $rc -ne 2 ] || [ $named -ne 1 ]; then
		echo "FAIL: $* -> exit $rc: $first (want exit 2 naming '$word')"
		fails=$((fails + 1))
	fi
}

lb="$bin/dsrlab-lb --pin /nonexistent-$$"
be="$bin/dsrlab-backend"
att="attach eth0 --nexthop-mac 02:00:00:00:01:fe --src 10.0.0.1"
batt="attach --netns x-$$ --iface y --at host-veth-egress --serve 10.1.0.2 --allow 10.0.1.0/24"

for p in 70000 -1 abc 6080x 0 "" " 80"; do
	expect_2 --gue-port $be $batt --gue-port "$p"
	expect_2 --gue-port $lb $att --gue-port "$p"
done
expect_2 --ring-size $lb $att --ring-size abc
expect_2 --ring-size $lb $att --ring-size 4294967299
expect_2 --ring-size $lb $att --ring-size 65536
expect_2 --nexthop-mac $lb attach eth0 --nexthop-mac 02:00:00:00:01:fe:77 --src 10.0.0.1
expect_2 --nexthop-mac $lb attach eth0 --nexthop-mac 02:00:00:00:01 --src 10.0.0.1
expect_2 --mtu $lb $att --mtu 575
expect_2 --mtu $lb $att --mtu 1500x
expect_2 --backend $lb vip add 10.100.0.1:80/tcp --backend 10.1.0.2 --backend 10.1.0.2@3
expect_2 --backend $lb vip add 10.100.0.1:80/tcp --backend 10.1.0.2@-1
expect_2 "IPv6 in brackets" $lb vip add 2001:db8:100::1:80/tcp
expect_2 "IPv6 in brackets" $lb vip del 2001:db8:100::1:80/tcp
expect_2 weight $lb real weight 10.100.0.1:80/tcp 10.1.0.2 4294967296
expect_2 "chain slot" $lb chain del 7x
expect_2 --serve $be attach --netns x-$$ --iface y --at host-nic --serve 2001:db8::2 \
	--allow 10.0.1.0/24
echo "$n argument mistakes, $fails accepted or unnamed"
[ $fails -eq 0 ]
