#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/checkpatch.sh [FILE...]: the kernel's checkpatch.pl --strict (from
# linux-source-6.1, see scripts/ksrc.sh) on the module sources and the uapi
# header (default), or on the given files. Exit status 0 only when clean.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ksrc=$(scripts/ksrc.sh)
if [ $# -eq 0 ]; then
	shopt -s nullglob
	set -- module/*.c module/*.h module/selftest/*.c uapi/linux/veil.h
	shopt -u nullglob
fi
[ $# -gt 0 ] || { echo "checkpatch: no module sources found" >&2; exit 1; }
exec perl "$ksrc/scripts/checkpatch.pl" --no-tree --strict --no-summary \
	--show-types --color=never -f "$@"
