#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# completion_test.sh BINDIR SRCDIR
# The bash completions of dsrlab, dsrlab-lb and dsrlab-backend, called as bash calls them
# (COMP_WORDS, COMP_CWORD): every command each program's --help documents is offered,
# each command's options, scenario files, run ids, attach points. Unprivileged.
set -u
bin=$1 src=$2
PATH=$bin:$PATH
TMP=$(mktemp -d /tmp/dsrcomp-$$.XXXX)
trap 'rm -rf "$TMP"' EXIT
. "$(dirname "$0")/verdict_lib.sh"
for f in dsrlab dsrlab-lb dsrlab-backend; do
	. "$src/completion/$f" || bad "sourcing completion/$f"
done

# offers "LINE" WORD...: completing LINE (the last word is completed) offers every WORD
offers() {
	local line=$1 fn
	shift
	read -r -a COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	fn=$(complete -p "${COMP_WORDS[0]}" | sed 's/.*-F \([^ ]*\) .*/\1/')
	"$fn"
	local w missing=""
	for w in "$@"; do
		printf '%s\n' "${COMPREPLY[@]}" | grep -qxF -- "$w" || missing="$missing $w"
	done
	[ -z "$missing" ] && ok "'$line' offers $*" ||
		bad "'$line' lacks$missing (offered: ${COMPREPLY[*]})"
}
# refuses "LINE" WORD: completing LINE does not offer WORD
refuses() {
	offers "$1" >/dev/null
	printf '%s\n' "${COMPREPLY[@]}" | grep -qxF -- "$2" && bad "'$1' offers $2" ||
		ok "'$1' does not offer $2"
}

# every command --help documents is completed
for p in dsrlab dsrlab-lb dsrlab-backend; do
	cmds=$("$p" --help | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' | sort -u)
	offers "$p " $cmds
done

cd "$src" || exit 1
offers "dsrlab run --k" --keep
offers "dsrlab run scenarios/de" scenarios/demo.yaml
refuses "dsrlab run READ" README.md
offers "dsrlab validate --d" --draw
offers "dsrlab -j clean --" --all
offers "dsrlab replay --prog " lb decap
mkdir -p "$TMP/state"
: >"$TMP/state/c0ffee.lock"
DSRLAB_STATE_DIR=$TMP/state DSRLAB_PIN_ROOT=$TMP/none offers "dsrlab down " c0ffee
offers "dsrlab-lb vip " add del list
offers "dsrlab-lb attach " lo
offers "dsrlab-lb attach lo --mode " native skb
offers "dsrlab-lb --pin /tmp/x attach lo --conn-table " sets lru percpu
offers "dsrlab-lb vip add 10.100.0.1:80/tcp --encap " ipip ip6ip6 4in6 gue
offers "dsrlab-lb chain add " 0 6
offers "dsrlab-lb real " add del weight
offers "dsrlab-lb stats --" --per-cpu
offers "dsrlab-backend attach --at " host-veth-egress container-ingress host-nic
offers "dsrlab-backend attach --" --netns --iface --serve --allow --replace
offers "dsrlab-backend vip " add del
finish
