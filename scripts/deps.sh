#!/usr/bin/env bash
# Install the Debian packages libfls needs to build and test, when they are missing and we are root.
# Sourced by run-sample.sh and run-tests.sh; prints what it does, installs nothing that is present.
set -euo pipefail

FLS_DEB_PACKAGES=(gcc make cmake pkg-config libxml2-dev libssl-dev libsqlite3-dev libcmocka-dev libxml2-utils)

fls_missing_packages() {
	local p missing=()
	for p in "${FLS_DEB_PACKAGES[@]}" "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
			missing+=("$p")
		fi
	done
	echo "${missing[@]:-}"
}

fls_install_deps() {
	local missing
	missing=$(fls_missing_packages "$@")
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing Debian packages: $missing" >&2
		echo "run this script as root, or: sudo apt-get install $missing" >&2
		return 1
	fi
	echo "installing: $missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
}
