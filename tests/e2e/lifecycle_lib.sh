# SPDX-License-Identifier: GPL-2.0
# Shared by the lifecycle tests: checks that a run id left nothing on this machine.
# Sourced; uses $fail (set to 1 on a failure).

say() { printf '%s: %s\n' "${0##*/}" "$*"; }
bad() { say "FAIL: $*"; fail=1; }

# A pid that still runs (a zombie waiting for its reaper does not count).
running() {
	[ -r "/proc/$1/stat" ] || return 1
	_state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)
	[ -n "$_state" ] && [ "$_state" != Z ]
}

# The run id from a JSON report or `up -j` output in file $1.
json_run_id() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$1" 2>/dev/null
}

# Nothing of run $1: namespaces, pins, state, lock, or a process named after it.
nothing_left() {
	_id=$1
	_left=$(ip netns list | awk '{print $1}' | grep "^dsrlab-$_id-" || true)
	[ -z "$_left" ] || bad "run $_id left namespaces: $(echo "$_left" | tr '\n' ' ')"
	[ ! -e "/sys/fs/bpf/dsrlab/$_id" ] || bad "run $_id left pins: /sys/fs/bpf/dsrlab/$_id"
	for _f in "/run/dsrlab/$_id.lock" "/run/dsrlab/$_id.state"; do
		[ ! -e "$_f" ] || bad "run $_id left $_f"
	done
	for _c in /proc/[0-9]*/comm; do
		if [ "$(cat "$_c" 2>/dev/null)" = "dsrlab-$_id" ]; then
			_p=${_c#/proc/}
			_p=${_p%/comm}
			running "$_p" && bad "run $_id left its keeper, pid $_p"
		fi
	done
}

# Root, or skip (77); then a fresh output folder $1.
prepare() {
	[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
	rm -rf "$1"
	mkdir -p "$1"
}

# Wait (up to 30 s) until the run whose stderr is file $1 has pinned its balancer: its
# services and traffic come next. Prints its id.
started() {
	for _ in $(seq 300); do
		_id=$(sed -n 's/^dsrlab: run \([0-9a-f]*\) .*/\1/p' "$1")
		[ -n "$_id" ] && [ -e "/sys/fs/bpf/dsrlab/$_id/lb/vips" ] && { echo "$_id"; return 0; }
		sleep 0.1
	done
	return 1
}
