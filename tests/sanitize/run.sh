#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run.sh SOURCE BUILD: configure and build user space with ASan and UBSan (-DDSRLAB_SANITIZE=ON,
# -fno-sanitize-recover: the first report fails the program), then run its unit tests and a
# few scenarios (real packets through namespaces: the bench's pcap parsing, the balancer and
# backend libraries). Any sanitizer report fails the test.
set -u
src=$1 build=$2
jobs=2 # the machine is shared: never more

cmake -S "$src" -B "$build" -DDSRLAB_SANITIZE=ON -DDSRLAB_FUZZ=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.configure.log" 2>&1 ||
	{ cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j "$jobs" >"$build.build.log" 2>&1 ||
	{ tail -50 "$build.build.log"; exit 1; }
export ASAN_OPTIONS=abort_on_error=0:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Unit tests always; scenarios need root (they skip with 77 elsewhere, as in the main tree).
ctest --test-dir "$build" -L unit --output-on-failure || exit 1
ctest --test-dir "$build" -R '^e2e[.](demo|gue|ipv6-ip6ip6|pmtud|anti-spoofing)$' \
	--output-on-failure || exit 1
echo "sanitized build: unit tests and scenarios clean"
