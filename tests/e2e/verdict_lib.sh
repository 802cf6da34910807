# SPDX-License-Identifier: GPL-2.0
# Sourced by test scripts: say/ok/bad name each check after the script, finish gives the
# verdict (exit 0 when no check failed).
fails=0
say() { printf '%s: %s\n' "$(basename "$0" .sh)" "$*"; }
ok() { say "ok: $*"; }
bad() { say "FAIL: $*"; fails=$((fails + 1)); }

finish() {
	if [ "$fails" = 0 ]; then
		say "PASS"
		exit 0
	fi
	say "FAIL ($fails checks failed)"
	exit 1
}
