#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/debug-kernel.sh [DEB-DIR]: print a directory holding the prebuilt
# debug kernel (KASAN, lockdep, kmemleak, ...) unpacked with dpkg -x, for
#   scripts/vm-run --debug-kernel <dir>   and   make KDIR=<dir>/usr/src/linux-headers-<ver>
# DEB-DIR (default $VEIL_DEBUG_KERNEL_DEBS, else ../shared/debug-kernel next
# to the repository)
# holds linux-image-*.deb, linux-headers-*.deb and SHA256SUMS. Unpacked once
# into $VEIL_CACHE (default ~/.cache/veil)/debug-kernel-<sha>; the packages
# are never installed. Exit status 1 (with a message) when they are missing.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
debs=${1:-${VEIL_DEBUG_KERNEL_DEBS:-$repo/../shared/debug-kernel}}
cache=${VEIL_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/veil}
shopt -s nullglob
img=("$debs"/linux-image-*.deb)
hdr=("$debs"/linux-headers-*.deb)
shopt -u nullglob
if [ ${#img[@]} -ne 1 ] || [ ${#hdr[@]} -ne 1 ]; then
	echo "debug-kernel: no (single) linux-image-*.deb and linux-headers-*.deb in $debs" >&2
	exit 1
fi
if [ -r "$debs/SHA256SUMS" ]; then
	(cd "$debs" && sha256sum --quiet -c SHA256SUMS) >&2 || {
		echo "debug-kernel: checksum mismatch in $debs" >&2
		exit 1
	}
fi
sum=$(cat "${img[0]}" "${hdr[0]}" | sha256sum | cut -c1-16)
dir=$cache/debug-kernel-$sum
if [ ! -e "$dir/.complete" ]; then
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.debug-kernel.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	echo "debug-kernel: unpacking $(basename "${img[0]}") and $(basename "${hdr[0]}")" >&2
	dpkg -x "${img[0]}" "$tmp"
	dpkg -x "${hdr[0]}" "$tmp"
	touch "$tmp/.complete"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	trap - EXIT
fi
echo "$dir"
