#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz/run.sh NAME...          (make -C fuzz run; make fuzz)
# fuzz/run.sh --merge NAME...  (make -C fuzz merge)
#
# Runs the shim check, replays fuzz/regressions/NAME/*, then runs each
# fuzzer for FUZZ_TIME seconds (default 60) on its committed corpus
# (fuzz/corpus/NAME, read only) plus a working corpus in $OUT/work/NAME.
# Prints one line per fuzzer: "fuzz: NAME: ok, N execs in Ts" or
# "fuzz: NAME: FAILED ...". Exit status 1 when anything crashed, leaked,
# timed out or broke a property. --merge instead minimises
# fuzz/corpus/NAME with everything found in $OUT/work/NAME (-merge=1).
set -euo pipefail

F=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-$F/../build/fuzz}
FUZZ_TIME=${FUZZ_TIME:-60}
merge=0
[ "${1:-}" = --merge ] && { merge=1; shift; }
[ $# -gt 0 ] || { echo "usage: $0 [--merge] NAME..." >&2; exit 2; }

if [ "$merge" = 1 ]; then
	for name in "$@"; do
		tmp=$(mktemp -d "$OUT/merge.XXXXXX")
		mkdir -p "$F/corpus/$name" "$OUT/work/$name"
		"$OUT/$name" -merge=1 "$tmp" "$F/corpus/$name" "$OUT/work/$name" \
			>"$OUT/$name.merge.log" 2>&1 || {
			echo "fuzz: $name: merge failed, see $OUT/$name.merge.log" >&2
			rm -rf "$tmp"
			exit 1
		}
		rm -f "$F/corpus/$name"/*
		cp "$tmp"/* "$F/corpus/$name/" 2>/dev/null || true
		rm -rf "$tmp"
		echo "fuzz: $name: corpus now $(find "$F/corpus/$name" -type f | wc -l) files"
	done
	exit 0
fi

rc=0
if ! "$OUT/shimcheck" >"$OUT/shimcheck.log" 2>&1; then
	echo "fuzz: shimcheck: FAILED: the module self-tests fail on the shims" \
		"(see $OUT/shimcheck.log)"
	exit 1
fi
echo "fuzz: shimcheck: ok (module self-tests pass on the userspace shims)"

for name in "$@"; do
	log=$OUT/$name.log
	art=$OUT/artifacts/$name
	mkdir -p "$OUT/work/$name" "$art" "$F/corpus/$name"
	# Regression inputs: each must run clean.
	shopt -s nullglob
	regs=("$F/regressions/$name"/*)
	shopt -u nullglob
	if [ ${#regs[@]} -gt 0 ] && ! "$OUT/$name" "${regs[@]}" >"$OUT/$name.regressions.log" 2>&1; then
		echo "fuzz: $name: FAILED: a regression input crashes again" \
			"(see $OUT/$name.regressions.log)"
		rc=1
		continue
	fi
	set +e
	"$OUT/$name" -max_total_time="$FUZZ_TIME" -timeout=25 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art/" \
		"$OUT/work/$name" "$F/corpus/$name" >"$log" 2>&1
	frc=$?
	set -e
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	if [ "$frc" = 0 ] && [ -n "$execs" ]; then
		echo "fuzz: $name: ok, ${execs} execs in ${FUZZ_TIME}s (${secs:-?}/s)," \
			"${#regs[@]} regression inputs replayed"
	else
		echo "fuzz: $name: FAILED (exit $frc) after ${execs:-?} execs; log $log;" \
			"reproducer(s): $(ls "$art" 2>/dev/null | tr '\n' ' ')"
		grep -aE 'ERROR:|property failed|SUMMARY' "$log" | head -n 5 | sed 's/^/fuzz:   /'
		rc=1
	fi
done
exit "$rc"
