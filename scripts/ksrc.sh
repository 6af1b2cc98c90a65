#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/ksrc.sh: print a directory holding the few files veil needs from
# Debian's linux-source-6.1 tarball, extracting them once into a cache
# outside the work tree ($VEIL_CACHE, default ${XDG_CACHE_HOME:-~/.cache}/veil):
#   <dir>/scripts/checkpatch.pl, spelling.txt, const_structs.checkpatch
#   <dir>/tools/testing/selftests/kselftest.h, kselftest_harness.h (KSFT_INC)
# Re-extracted when the tarball changes. Needs linux-source-6.1 (make deps).
set -euo pipefail

tarball=${VEIL_LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
cache=${VEIL_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/veil}
[ -r "$tarball" ] || {
	echo "ksrc: $tarball not found: make deps (apt-get install linux-source-6.1)" >&2
	exit 1
}
top=$(tar tJf "$tarball" 2>/dev/null | head -n 1 || true)
top=${top%%/*}
[ -n "$top" ] || { echo "ksrc: cannot read $tarball" >&2; exit 1; }
stamp=$(stat -L -c '%s-%Y' "$tarball")
dir=$cache/$top-$stamp
files=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	tools/testing/selftests/kselftest.h tools/testing/selftests/kselftest_harness.h)
if [ ! -e "$dir/.complete" ]; then
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.extract.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	echo "ksrc: extracting ${files[*]} from $tarball" >&2
	tar xJf "$tarball" -C "$tmp" "${files[@]/#/$top/}"
	touch "$tmp/$top/.complete"
	rm -rf "$dir"
	mv "$tmp/$top" "$dir" 2>/dev/null || [ -e "$dir/.complete" ]
	# Older extractions of other tarball versions are not needed any more.
	find "$cache" -mindepth 1 -maxdepth 1 -name "$top-*" ! -name "$top-$stamp" \
		-exec rm -rf {} + 2>/dev/null || true
fi
echo "$dir"
