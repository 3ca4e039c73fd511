#!/usr/bin/env bash
# Set up, build and run the whole test suite twice: a normal build, then AddressSanitizer and
# UndefinedBehaviorSanitizer (README: "Run the tests"; .ci/run calls exactly this).
# Installs missing Debian packages when run as root. Fuzzers run for a bounded time when clang is there.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
fls_install_deps clang

jobs=$(nproc)
export CTEST_OUTPUT_ON_FAILURE=1

echo "== build and test (RelWithDebInfo, -Werror)"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLS_WERROR=ON >/dev/null
cmake --build build/release -j"$jobs"
ctest --test-dir build/release -j"$jobs"

echo "== build and test under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DFLS_WERROR=ON -DFLS_SANITIZE=address,undefined >/dev/null
cmake --build build/asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp \
	ctest --test-dir build/asan -j"$jobs" -LE nosan

if [ -x scripts/run-fuzz.sh ] && command -v clang >/dev/null 2>&1; then
	echo "== fuzzers (bounded)"
	scripts/run-fuzz.sh
fi
echo "== all tests passed"
