#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# man_test.sh BINDIR SRCDIR BUILDDIR
# The man pages: every page lints clean with mandoc (-W warning: any warning fails), every
# command a program's --help documents is in its page's synopsis, the scenario page's
# example is a valid scenario, and cmake --install puts programs, pages and completions
# where man and bash look for them. Unprivileged.
set -u
bin=$1 src=$2 build=$3
TMP=$(mktemp -d /tmp/dsrman-$$.XXXX)
trap 'rm -rf "$TMP"' EXIT
. "$(dirname "$0")/verdict_lib.sh"

command -v mandoc >/dev/null || { echo "FAIL: mandoc missing (apt-get install mandoc)"; exit 1; }
for page in "$src"/man/*.[0-9]; do
	if mandoc -T lint -W warning "$page" >"$TMP/lint" 2>&1; then
		ok "$(basename "$page") lints clean"
	else
		bad "$(basename "$page"): $(cat "$TMP/lint")"
	fi
done

for p in dsrlab dsrlab-lb dsrlab-backend; do
	missing=""
	for c in $("$bin/$p" --help | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' | sort -u); do
		sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$src/man/$p.8" |
			grep -q "^\.Cm $c\b" || missing="$missing $c"
	done
	[ -z "$missing" ] && ok "$p.8 synopsis has every command" || bad "$p.8 lacks$missing"
done

sed -n '/^\.Sh EXAMPLES/,/^\.Sh SEE ALSO/p' "$src/man/dsrlab-scenario.5" |
	sed -n '/^\.Bd/,/^\.Ed/p' | sed '1d;$d' >"$TMP/example.yaml"
"$bin/dsrlab" validate "$TMP/example.yaml" >"$TMP/v" 2>&1 &&
	ok "dsrlab-scenario(5)'s example is a valid scenario" || bad "the example: $(cat "$TMP/v")"

if cmake --install "$build" --prefix "$TMP/root" >"$TMP/install.log" 2>&1; then
	for f in bin/dsrlab bin/dsrlab-lb bin/dsrlab-backend bin/dsrlab-cni \
		share/man/man8/dsrlab.8 share/man/man8/dsrlab-lb.8 share/man/man8/dsrlab-backend.8 \
		share/man/man8/dsrlab-cni.8 share/man/man5/dsrlab-scenario.5 \
		share/bash-completion/completions/dsrlab share/bash-completion/completions/dsrlab-lb \
		share/bash-completion/completions/dsrlab-backend; do
		[ -e "$TMP/root/$f" ] || bad "cmake --install did not install $f"
	done
	MANPATH=$TMP/root/share/man man -w dsrlab-scenario >/dev/null 2>&1 ||
		MANPATH=$TMP/root/share/man mandoc -T utf8 "$TMP/root/share/man/man5/dsrlab-scenario.5" >/dev/null ||
		bad "the installed dsrlab-scenario(5) does not render"
	ok "cmake --install: programs, man pages, completions"
else
	bad "cmake --install: $(tail -3 "$TMP/install.log")"
fi
finish
