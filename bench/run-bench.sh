#!/usr/bin/env bash
# Throughput and memory benchmarks (docs/bench.md). Builds a Release tree in build/bench, generates seeded
# synthetic practice lists, and runs each benchmark against its same-run baseline.
#   bench/run-bench.sh [PATIENTS]        default 10000 (about 200 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
build=build/bench
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target fls fls-gen-practice bench_screen bench_qfracture bench_store >/dev/null
mkdir -p "$build/data"
small=$((n / 5))
for p in "$small" "$n"; do
	f="$build/data/practice-$p.xml"
	[ -f "$f" ] || "$build/bin/fls-gen-practice" --patients "$p" --seed 20261101 --as-of 2026-11-01 -o "$f"
done
echo "== screening vs the SAX2 floor, $n patients (patient-contiguous)"
"$build/bin/bench_screen" --runs 3 "$build/data/practice-$n.xml"
echo
echo "== memory does not grow with a patient-contiguous list: $small vs $n patients"
"$build/bin/bench_screen" --runs 1 "$build/data/practice-$small.xml" | grep -E "patients|peak RSS"
"$build/bin/bench_screen" --runs 1 "$build/data/practice-$n.xml" | grep -E "patients|peak RSS"
if [ -x "$build/bin/bench_store" ]; then
	echo
	echo "== decision log overhead (plain and store runs alternate)"
	"$build/bin/fls" keygen "$build/data/bench.key" 2>/dev/null || true
	"$build/bin/bench_screen" --runs 7 --store "$build/data/bench.db" --key "$build/data/bench.key" \
		"$build/data/practice-$n.xml"
	"$build/bin/bench_store"
fi
echo
echo "== QFracture-2012 evaluations per second"
if [ -f ../shared/vectors/qfracture-public.csv ]; then
	"$build/bin/bench_qfracture" --seconds 2 ../shared/vectors/qfracture-public.csv
else
	echo "SKIPPED: ../shared/vectors is not there"
fi
