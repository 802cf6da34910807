#!/bin/sh
# run.sh ROUNDS REPEAT [CPU]
# One harness invocation under flock on ${BENCH_LOCK:-/tmp/dsrlab-bench.lock}, pinned to one CPU
# (taskset, and the harness's own sched_setaffinity to the same CPU). Take the same lock around
# anything else that times on the machine, dsrlab's own benchmarks included
# (flock /tmp/dsrlab-bench.lock dsrlab bench --micro), so that no two timings overlap.
# Its JSON lines (one per class) are appended to $RESULTS (default results.jsonl) only if every
# check passed; then this run's table is printed (summarize.py over this run alone).
#
# The machine is shared (2 vCPUs; work on the other one slows ours): before each class the
# harness waits up to $QUIET_WAIT s (default 60) for the other CPU to be at most $QUIET_MAX %
# busy (default 20) over a second; each class's JSON records "others_busy" (during it) and
# "others_busy_before".
set -eu
cd "$(dirname "$0")"
if [ $# -lt 2 ]; then
	echo "usage: $0 ROUNDS REPEAT [CPU]   (CPU default: \$CPU or 1)" >&2
	exit 2
fi
ROUNDS=$1
REPEAT=$2
CPU=${3:-${CPU:-1}}
RESULTS=${RESULTS:-results.jsonl}
QUIET_WAIT=${QUIET_WAIT:-60}
QUIET_MAX=${QUIET_MAX:-20}

# build (if needed) without the lock; only the timing holds it
[ -x ./harness ] || make
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
flock "${BENCH_LOCK:-/tmp/dsrlab-bench.lock}" taskset -c "$CPU" ./harness --json --cpu "$CPU" \
	--rounds "$ROUNDS" --repeat "$REPEAT" \
	--quiet-max "$QUIET_MAX" --quiet-wait "$QUIET_WAIT" > "$tmp"
cat "$tmp" >> "$RESULTS"
echo "appended $(wc -l < "$tmp") class results to $RESULTS"
python3 summarize.py "$tmp"
