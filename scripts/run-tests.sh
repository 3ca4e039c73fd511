#!/usr/bin/env bash
# Set up, build and run the whole test suite twice: a normal build, then AddressSanitizer and
# UndefinedBehaviorSanitizer (README: "Run the tests"; .ci/run calls exactly this). The tests labelled
# "threads" run a third time under ThreadSanitizer.
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

echo "== threaded tests under ThreadSanitizer (two sessions on two threads; the background store writer)"
# TSan needs a kernel whose address-space layout it supports; probe with a tiny program first, and say
# so plainly when it cannot run here rather than failing the suite for the machine's sake.
probe_dir=$(mktemp -d)
printf 'int main(void){return 0;}\n' >"$probe_dir/p.c"
if cc -fsanitize=thread "$probe_dir/p.c" -o "$probe_dir/p" 2>/dev/null && "$probe_dir/p" 2>/dev/null; then
	cmake -S . -B build/tsan -DCMAKE_BUILD_TYPE=Debug -DFLS_WERROR=ON -DFLS_SANITIZE=thread >/dev/null
	cmake --build build/tsan -j"$jobs" --target fls_plugin test_abi_host test_e2e_store
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ctest --test-dir build/tsan -j"$jobs" -L threads
else
	echo "SKIPPED: ThreadSanitizer cannot build or run a program on this machine"
fi
rm -rf "$probe_dir"

if [ -x scripts/run-fuzz.sh ] && command -v clang >/dev/null 2>&1; then
	echo "== fuzzers (bounded)"
	scripts/run-fuzz.sh
fi
echo "== all tests passed"
