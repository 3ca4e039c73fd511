#!/usr/bin/env bash
# Run the unit tests and the fuzz replays under valgrind memcheck (SECURITY.md "Memory safety"):
# a Debug build without sanitizers in build/valgrind, then ctest's memcheck mode, which wraps every
# test command in valgrind with the options below. Any invalid read or write, use of uninitialised
# memory, or definite/indirect leak makes that test exit 1 and the script fail.
#
#   scripts/run-valgrind.sh [ctest options, e.g. -R test_fhir_reader]
#
# Environment: FLS_VALGRIND_BUILD (build directory, default build/valgrind). Reports per test are in
# <build>/Testing/Temporary/MemoryChecker.<n>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${FLS_VALGRIND_BUILD:-build/valgrind}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "run-valgrind: valgrind is not installed (apt-get install valgrind)" >&2
	exit 1
fi

echo "== build (Debug, no sanitizers) in $build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DFLS_SANITIZE= -DFLS_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

# Still-reachable blocks are libxml2's, OpenSSL's and SQLite's process-wide caches (never freed by
# design: STYLE.md §1 forbids their global teardown functions), so only definite and indirect leaks count.
opts="--tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect"
opts="$opts --errors-for-leak-kinds=definite,indirect --error-exitcode=1 --track-origins=yes"
opts="$opts --num-callers=30 --suppressions=$PWD/scripts/valgrind.supp"

echo "== unit tests and fuzz replays under valgrind memcheck"
# Replays run each input under valgrind, 20-50 times slower: allow for it in the per-input watchdog.
export FLS_REPLAY_TIMEOUT=${FLS_REPLAY_TIMEOUT:-120}
export CTEST_OUTPUT_ON_FAILURE=1
ctest --test-dir "$build" -T memcheck -L 'unit|fuzz-regress' -LE 'nosan|novalgrind' \
	--overwrite MemoryCheckCommand="$(command -v valgrind)" \
	--overwrite MemoryCheckCommandOptions="$opts" "$@"
echo "== valgrind: no errors, no leaks"
