#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cli_test.sh BINDIR SRCDIR
# The command lines as a user meets them: --version on every program, `COMMAND --help` printing
# that command's help and no other's, unknown commands named, and the -j documents (validate,
# clean, backend stats, errors) fitting their schemas in docs/schemas. Runs unprivileged,
# except `clean -j` (plain clean: it never touches a live run), which needs root.
set -u
bin=$1 src=$2
schemas=$src/docs/schemas
check=$src/tests/e2e/schema_check.py
TMP=$(mktemp -d /tmp/dsrcli-$$.XXXX)
trap 'rm -rf "$TMP"' EXIT
. "$(dirname "$0")/verdict_lib.sh"
fits() { "$check" "$schemas/$1.schema.json" "$2" >"$TMP/fit.out" 2>&1; }

# --- the schema check itself can fail (negative controls) ---
echo '{"version": 1}' >"$TMP/no-error.json"
fits error "$TMP/no-error.json" && bad "an error object without error passed" ||
	ok "schema check rejects an error object without \"error\""
echo '{"version": 2, "error": "x"}' >"$TMP/v2.json"
fits error "$TMP/v2.json" && bad "version 2 passed the version 1 schema" ||
	ok "schema check rejects another version"

# --- the junit schemas load and differ: a Surefire-style report without hostname, timestamp
# and time fits Jenkins' junit-10.xsd but not the strict Ant schema ---
cat >"$TMP/loose.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<testsuites><testsuite name="s" tests="1" failures="0" errors="0">
<testcase name="c"><system-out>x</system-out></testcase></testsuite></testsuites>
XML
xmllint --noout --schema "$src/tests/junit/jenkins-junit-10.xsd" "$TMP/loose.xml" 2>/dev/null &&
	ok "junit-10.xsd takes a loose report" || bad "junit-10.xsd refuses a loose report"
xmllint --noout --schema "$src/tests/junit/ant-junit.xsd" "$TMP/loose.xml" 2>/dev/null &&
	bad "the Ant schema takes a report without hostname, timestamp, time" ||
	ok "the Ant schema refuses a report without hostname, timestamp, time"

# --- --version ---
for p in dsrlab dsrlab-lb dsrlab-backend dsrlab-cni; do
	out=$("$bin/$p" --version)
	code=$?
	if [ "$code" = 0 ] && echo "$out" | grep -Eqx "$p [0-9]+\.[0-9]+\.[0-9]+ \(libbpf v?[0-9.]+\)"; then
		ok "$p --version: $out"
	else
		bad "$p --version (exit $code): $out"
	fi
done

# --- COMMAND --help: that command's entry, not the others' ---
# help_is PROG CMD OTHER: `PROG CMD --help` shows CMD's entry and not OTHER's
help_is() {
	"$bin/$1" "$2" --help >"$TMP/help.out" 2>&1
	code=$?
	if [ "$code" = 0 ] && grep -q "^  $2\b" "$TMP/help.out" && ! grep -q "^  $3\b" "$TMP/help.out"; then
		ok "$1 $2 --help shows $2 only"
	else
		bad "$1 $2 --help (exit $code): $(head -5 "$TMP/help.out")"
	fi
}
help_is dsrlab run up
help_is dsrlab validate run
help_is dsrlab clean down
help_is dsrlab-lb vip real
help_is dsrlab-lb attach detach
help_is dsrlab-lb chain vip
help_is dsrlab-backend stats attach
help_is dsrlab-backend vip stats
"$bin/dsrlab-cni" --help | grep -q "^Usage: CNI_COMMAND=ADD|DEL|CHECK|STATUS|GC|VERSION dsrlab-cni" &&
	ok "dsrlab-cni --help" || bad "dsrlab-cni --help"
"$bin/dsrlab" --help | grep -q "^  bench " && "$bin/dsrlab" --help | grep -q "^  run " &&
	ok "dsrlab --help shows every command" || bad "dsrlab --help is not the whole usage"

# --- unknown commands are named, exit 2 ---
for p in dsrlab dsrlab-lb dsrlab-backend; do
	"$bin/$p" frobnicate >/dev/null 2>"$TMP/err"
	code=$?
	[ "$code" = 2 ] && grep -q "unknown command 'frobnicate' (commands: " "$TMP/err" &&
		ok "$p frobnicate: $(cat "$TMP/err")" || bad "$p frobnicate (exit $code): $(cat "$TMP/err")"
	"$bin/$p" frobnicate --help >/dev/null 2>"$TMP/err"
	[ $? = 2 ] && grep -q "unknown command 'frobnicate'" "$TMP/err" &&
		ok "$p frobnicate --help names the unknown command" || bad "$p frobnicate --help"
done
"$bin/dsrlab-lb" vip >/dev/null 2>"$TMP/err"
grep -q "wrong arguments for vip" "$TMP/err" && grep -q "^  vip add" "$TMP/err" &&
	! grep -q "^  attach" "$TMP/err" && ok "dsrlab-lb vip: wrong arguments, vip's help" ||
	bad "dsrlab-lb vip: $(head -3 "$TMP/err")"

# --- errors under -j: one error object on stdout, the text on stderr ---
# json_error DESC EXPECTED-EXIT MESSAGE-PART COMMAND...
json_error() {
	desc=$1 want=$2 part=$3
	shift 3
	"$@" >"$TMP/out.json" 2>"$TMP/err"
	code=$?
	if [ "$code" = "$want" ] && fits error "$TMP/out.json" && grep -qF -- "$part" "$TMP/out.json" &&
		grep -qF -- "$part" "$TMP/err"; then
		ok "$desc: $(cat "$TMP/out.json")"
	else
		bad "$desc (exit $code): stdout $(cat "$TMP/out.json"); $(cat "$TMP/fit.out")"
	fi
}
json_error "dsrlab -j unknown command" 2 "unknown command 'frob'" "$bin/dsrlab" -j frob
json_error "dsrlab -j run with no file" 2 "no scenario file" "$bin/dsrlab" -j run
json_error "dsrlab -j run of a missing file" 2 "cannot read scenario" \
	"$bin/dsrlab" -j run "$TMP/missing.yaml"
json_error "dsrlab-lb -j unknown command" 2 "unknown command 'frob'" "$bin/dsrlab-lb" -j frob
json_error "dsrlab-lb -j bad option value" 2 "--mode is native or skb" \
	"$bin/dsrlab-lb" -j attach lo --nexthop-mac 00:00:00:00:00:01 --src 10.0.0.1 --mode turbo
json_error "dsrlab-backend -j unknown command" 2 "unknown command 'frob'" \
	"$bin/dsrlab-backend" -j frob

# --- validate -j: one verdict per file ---
bad_yaml=$TMP/bad.yaml
printf 'version: 1\nname: bad\nnodes:\n  a: {role: client, colour: blue}\n' >"$bad_yaml"
"$bin/dsrlab" validate -j "$src/scenarios/demo.yaml" "$bad_yaml" >"$TMP/validate.json" 2>/dev/null
code=$?
if [ "$code" = 2 ] && fits validate "$TMP/validate.json"; then
	/usr/bin/python3 - "$TMP/validate.json" "$bad_yaml" <<'PY' && ok "validate -j: demo ok, bad.yaml:4 named" || bad "validate -j content: $(cat "$TMP/validate.json")"
import json, sys
d = json.load(open(sys.argv[1]))
f = d["files"]
assert len(f) == 2 and f[0]["ok"] and f[0]["name"] == "demo", f
assert not f[1]["ok"] and f[1]["error"].startswith(sys.argv[2] + ":4:"), f
PY
else
	bad "validate -j (exit $code): $(cat "$TMP/validate.json"); $(cat "$TMP/fit.out")"
fi
"$bin/dsrlab" validate -j "$src/scenarios/demo.yaml" >"$TMP/validate.json" 2>/dev/null &&
	fits validate "$TMP/validate.json" && ok "validate -j of a good file: exit 0, fits" ||
	bad "validate -j of a good file: $(cat "$TMP/fit.out")"

# --- clean -j (root): the document on stdout, clean's text on stderr ---
if [ "$(id -u)" = 0 ]; then
	"$bin/dsrlab" clean -j >"$TMP/clean.json" 2>"$TMP/clean.err"
	code=$?
	[ "$code" = 0 ] && fits clean "$TMP/clean.json" && grep -q "dsrlab: clean:" "$TMP/clean.err" &&
		ok "clean -j fits its schema; text on stderr" ||
		bad "clean -j (exit $code): $(cat "$TMP/clean.json"); $(cat "$TMP/fit.out")"
else
	say "skipped clean -j: not root"
fi

finish
