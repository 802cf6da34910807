#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run_fuzz.sh FUZZER SECONDS WORKDIR SEEDDIR...: run a libFuzzer target for SECONDS (or
# $DSRLAB_FUZZ_SECONDS when set) from the seed corpora. New inputs go to WORKDIR/corpus, never
# into the repository's seeds; a crash, leak or timeout leaves its input in WORKDIR and fails.
set -u
fuzzer=$1 secs=${DSRLAB_FUZZ_SECONDS:-$2} work=$3
shift 3
mkdir -p "$work/corpus" || exit 1
exec "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
	-artifact_prefix="$work/" "$work/corpus" "$@"
