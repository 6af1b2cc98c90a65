#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/deps.sh [--check] [build|fuzz|all|bench|kernel]
#
# Installs the Debian 12 packages veil needs that are missing (apt-get update
# runs only when something is missing). "build": what `make` needs; "fuzz":
# what `make fuzz` needs (clang and its libFuzzer/sanitizer runtimes); "all"
# (default): also what `make check`, `make demo` and `make shell` need;
# "bench": "all" plus what `make bench` needs (perf, gnuplot); "kernel": what
# building the debug kernel from linux-source-6.1 needs (scripts/debug-kernel.sh).
# --check: only print the missing packages (and the command to install them)
# and exit 1 when something is missing. Idempotent; fast when all is there.
set -euo pipefail

check=0
[ "${1:-}" = --check ] && { check=1; shift; }
set_=${1:-all}

build_pkgs=(make gcc libc6-dev pkg-config kmod libnl-3-dev libnl-genl-3-dev linux-source-6.1 perl xz-utils
	linux-headers-amd64)
fuzz_pkgs=(make libc6-dev clang libclang-rt-14-dev)
all_pkgs=("${build_pkgs[@]}" clang libclang-rt-14-dev linux-image-amd64
	qemu-system-x86 busybox-static cpio gzip iproute2 iperf3 wireguard-tools
	dkms sparse python3 tcpdump iputils-ping procps groff-base util-linux ethtool)
bench_pkgs=("${all_pkgs[@]}" linux-perf gnuplot-nox)
kernel_pkgs=(linux-source-6.1 make gcc libc6-dev bc bison flex libelf-dev libssl-dev
	rsync cpio kmod xz-utils dpkg-dev fakeroot)
case "$set_" in
build) pkgs=("${build_pkgs[@]}") ;;
fuzz) pkgs=("${fuzz_pkgs[@]}") ;;
all) pkgs=("${all_pkgs[@]}") ;;
bench) pkgs=("${bench_pkgs[@]}") ;;
kernel) pkgs=("${kernel_pkgs[@]}") ;;
*) echo "usage: $0 [--check] [build|fuzz|all|bench|kernel]" >&2; exit 2 ;;
esac

missing=()
while read -r name status; do
	[ "$status" = installed ] || missing+=("$name")
done < <(for p in "${pkgs[@]}"; do
	printf '%s %s\n' "$p" \
		"$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || echo missing)"
done)
# The metapackages can be installed while the files are gone; check them too.
kver=$("$(dirname "$0")/kver" 2>/dev/null || true)
if [ "$set_" != fuzz ] && [ "$set_" != kernel ] && [ -z "$kver" ] &&
	[[ " ${missing[*]} " != *" linux-headers-amd64 "* ]]; then
	missing+=(linux-headers-amd64)
fi

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$check" = 1 ]; then
	echo "missing Debian packages: ${missing[*]}" >&2
	echo "install them with: make deps   (or: apt-get install ${missing[*]})" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
apt-get update -q >&2
apt-get install "${apt_opts[@]}" --no-install-recommends "${missing[@]}" >&2 </dev/null
case "$set_" in fuzz | kernel) echo "deps: done" >&2; exit 0 ;; esac
# A fresh kernel package: make sure its module dependency files exist.
kver=$("$(dirname "$0")/kver") || {
	echo "deps: no kernel headers under /lib/modules/*-amd64/build after the install" >&2
	exit 1
}
[ -e "/lib/modules/$kver/modules.dep" ] || depmod "$kver"
echo "deps: done (kernel $kver)" >&2
