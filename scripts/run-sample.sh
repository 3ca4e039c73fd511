#!/usr/bin/env bash
# Set up, build, and screen the bundled sample practice list (README: "Screen the sample").
# Installs missing Debian packages when run as root. Output: a summary on the terminal, plus
# out/decisions.csv and out/worklist.xml.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
fls_install_deps

build=build/release
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target fls >/dev/null
mkdir -p out
"$build/bin/fls" screen --as-of 2026-11-01 --decisions out/decisions.csv --fhir out/worklist.xml \
	samples/practice-small.xml
echo
echo "decisions: out/decisions.csv   FHIR Bundle: out/worklist.xml"
