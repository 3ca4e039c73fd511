#!/usr/bin/env bash
# Build the libFuzzer targets with clang in build/libfuzzer and run each for a bounded time; fail on any crash,
# leak, timeout or invariant failure (fuzz/CMakeLists.txt explains the build; SECURITY.md the targets).
#
#   scripts/run-fuzz.sh [target...]       default: every target, FLS_FUZZ_SECONDS (20) seconds each
#
# Environment: FLS_FUZZ_SECONDS (per target), FLS_FUZZ_BUILD (build directory, default build/libfuzzer:
# not build/fuzz, which is the fuzz/ subdirectory's binary directory of a project configured in build/),
# FLS_FUZZ_JOBS (build parallelism, default nproc). A crash input is saved under
# <build>/fuzz/artifacts/<target>/: minimise it (fuzz_<target> -minimize_crash=1 -runs=10000 <file>) and
# add it to fuzz/regress/<target>/ so that the replay test keeps it fixed. New coverage is kept in
# <build>/fuzz/work/<target>/ (never in the source tree).
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${FLS_FUZZ_SECONDS:-20}
build=${FLS_FUZZ_BUILD:-build/libfuzzer}
jobs=${FLS_FUZZ_JOBS:-$(nproc)}
all_targets=(fhir_bundle fhir_datatypes codeset risk_csv qf_model store)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

if ! command -v clang >/dev/null 2>&1; then
	echo "run-fuzz: clang is not installed; libFuzzer needs it" >&2
	exit 1
fi

echo "== configure and build the fuzzers (clang, ASan+UBSan, libFuzzer) in $build"
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF -DFLS_FUZZ=ON -DFLS_WERROR=OFF \
	-DFLS_SANITIZE=fuzzer-no-link,address,undefined >/dev/null
cmake --build "$build" -j"$jobs" --target "${targets[@]/#/fuzz_}" >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export FLS_DATADIR="$PWD/$build/share/fls"

failed=()
for t in "${targets[@]}"; do
	bin="$build/bin/fuzz_$t"
	work="$build/fuzz/work/$t"
	art="$build/fuzz/artifacts/$t"
	mkdir -p "$work" "$art"
	seeds=("fuzz/corpus/$t")
	[ -d "fuzz/regress/$t" ] && seeds+=("fuzz/regress/$t")
	[ -d "$build/fuzz/seeds/$t" ] && seeds+=("$build/fuzz/seeds/$t")
	opts=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
	      -artifact_prefix="$art/")
	[ "$t" = fhir_bundle ] && opts+=(-dict=fuzz/fhir.dict -max_len=65536)
	[ "$t" = store ] && opts+=(-max_len=32768)
	echo "== fuzz_$t for ${secs}s"
	log="$build/fuzz/fuzz_$t.log"
	if "$bin" "${opts[@]}" "$work" "${seeds[@]}" >"$log" 2>&1; then
		grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)|cov: " \
			"$log" | tail -5 | sed 's/^/   /'
	else
		echo "   FAILED: see $log; inputs in $art/" >&2
		grep -E "ERROR|invariant|SUMMARY|Test unit written" "$log" | head -5 | sed 's/^/   /' >&2
		failed+=("$t")
	fi
done

if [ ${#failed[@]} -ne 0 ]; then
	echo "run-fuzz: crashes in: ${failed[*]}" >&2
	exit 1
fi
echo "== fuzzers: no crash in ${#targets[@]} targets (${secs}s each)"
