#!/bin/sh
# Schema checks for samples/ (run by ctest, tests/unit/samples.cmake). Exit 77 = skipped.
#   validate.sh handmade  XSD SAMPLES_DIR       every samples/*.xml except quirk-*.xml (deliberate input quirks)
#   validate.sh generated XSD GENERATOR WORKDIR  fls-gen-practice output in every order, plus determinism
set -u
mode=${1:-}
xsd=${2:-}
if ! command -v xmllint >/dev/null 2>&1; then
	echo "SKIP: xmllint not found (install libxml2-utils)"
	exit 77
fi
if [ ! -f "$xsd" ]; then
	echo "SKIP: FHIR R4 schema not found at $xsd (shared folder absent)"
	exit 77
fi
fail=0
err=${TMPDIR:-/tmp}/fls-xsd-$$.err
trap 'rm -f "$err"' EXIT

check() {
	if xmllint --noout --nonet --schema "$xsd" "$1" 2>"$err"; then
		echo "ok: $1"
	else
		echo "FAIL: $1"
		head -n 20 "$err"
		fail=1
	fi
}

case "$mode" in
handmade)
	dir=${3:?samples directory}
	n=0
	for f in "$dir"/*.xml; do
		case "$(basename "$f")" in quirk-*) continue ;; esac
		check "$f"
		n=$((n + 1))
	done
	if [ "$n" -lt 3 ]; then
		echo "FAIL: expected at least 3 samples in $dir, found $n"
		fail=1
	fi
	;;
generated)
	gen=${3:?generator}
	work=${4:?work directory}
	mkdir -p "$work" || exit 1
	"$gen" --patients 20 --seed 1 -o "$work/c.xml" &&
	"$gen" --patients 20 --seed 1 --order shuffled -o "$work/s.xml" &&
	"$gen" --patients 20 --seed 1 --order by-type -o "$work/t.xml" &&
	"$gen" --patients 20 --seed 1 --bundle-per-patient -o "$work/n.xml" &&
	"$gen" --patients 200 --seed 2 --as-of 2025-02-28 -o "$work/big.xml" &&
	"$gen" --patients 20 --seed 1 -o "$work/c2.xml" &&
	"$gen" --patients 10 --seed 1 -o "$work/c10.xml" &&
	"$gen" --patients 20 --seed 9 -o "$work/other.xml" || { echo "FAIL: generator"; exit 1; }
	for f in c s t n big; do
		check "$work/$f.xml"
	done
	# Deterministic for a seed; different seeds differ.
	cmp -s "$work/c.xml" "$work/c2.xml" || { echo "FAIL: same seed, different output"; fail=1; }
	cmp -s "$work/c.xml" "$work/other.xml" && { echo "FAIL: different seeds, same output"; fail=1; }
	# The orders only move entries: the same lines, apart from the comment naming the order.
	for f in s t; do
		grep -v ' order ' "$work/c.xml" | LC_ALL=C sort >"$work/c.sorted"
		grep -v ' order ' "$work/$f.xml" | LC_ALL=C sort >"$work/$f.sorted"
		cmp -s "$work/c.sorted" "$work/$f.sorted" || { echo "FAIL: --order changes content ($f)"; fail=1; }
	done
	cmp -s "$work/c.xml" "$work/s.xml" && { echo "FAIL: shuffled equals contiguous"; fail=1; }
	# Patient i does not depend on N: the 10-patient body is the start of the 20-patient body.
	lines=$(($(wc -l <"$work/c10.xml") - 4))
	tail -n +4 "$work/c10.xml" | head -n "$lines" >"$work/p10"
	tail -n +4 "$work/c.xml" | head -n "$lines" >"$work/p20"
	cmp -s "$work/p10" "$work/p20" || { echo "FAIL: patients depend on --patients"; fail=1; }
	[ "$(grep -c '<Patient>' "$work/c.xml")" -eq 20 ] || { echo "FAIL: not 20 Patients"; fail=1; }
	[ "$(grep -c '<Bundle>' "$work/n.xml")" -eq 20 ] || { echo "FAIL: not 20 nested Bundles"; fail=1; }
	;;
*)
	echo "usage: validate.sh handmade XSD DIR | generated XSD GENERATOR WORKDIR"
	exit 2
	;;
esac
exit $fail
