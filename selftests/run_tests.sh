#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_tests.sh [TEST...]: run veil selftests, kselftest style.
#
# Prints "TAP version 13", the plan, then for each test program its own
# output prefixed with "# " and "ok N selftests: veil: NAME" (or "not ok",
# "# SKIP" on exit code 4, "# TIMEOUT" when it ran too long). Last line:
#
#	# veil-totals: pass=P fail=F skip=S
#
# counting leaf results: every ok/not ok line a program printed for its own
# tests, or the program's own result when it printed none. A program that
# failed (or timed out) without reporting a failed test adds one failure.
#
# Without arguments, runs every *.sh test here and netlink_raw if built.
# Timeout per program: "timeout=N" in ./settings (kselftest format), or
# $VEIL_TEST_TIMEOUT, default 180 s. Exit status: 0 when nothing failed.

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$DIR" || exit 1

timeout_s=180
if [ -r settings ]; then
	t=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' settings | tail -n 1)
	[ -n "$t" ] && timeout_s=$t
fi
timeout_s=${VEIL_TEST_TIMEOUT:-$timeout_s}

if [ $# -eq 0 ]; then
	for t in *.sh; do
		case "$t" in lib.sh|run_tests.sh) continue ;; esac
		set -- "$@" "$t"
	done
	[ -x netlink_raw ] && set -- "$@" netlink_raw
fi

logdir=$(mktemp -d "${TMPDIR:-/tmp}/veil-run-tests.XXXXXX") || exit 1
trap 'rm -rf "$logdir"' EXIT

pass=0 fail=0 skip=0 num=0

# count LOG RC: add the leaf results of one program's output to the totals.
count()
{
	local log=$1 rc=$2 p f s
	# shellcheck disable=SC2046 # three numbers
	set -- $(awk '
		/^(not )?ok [0-9]+/ {
			if ($1 == "not") f++
			else if (toupper($0) ~ /# *SKIP/) s++
			else p++
		}
		END { print p + 0, f + 0, s + 0 }' "$log")
	p=$1 f=$2 s=$3
	if [ $((p + f + s)) -eq 0 ]; then
		case "$rc" in
		0) p=1 ;;
		4) s=1 ;;
		*) f=1 ;;
		esac
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed, timed out, bailed out or missed part of its plan
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}

echo "TAP version 13"
echo "1..$#"
for t in "$@"; do
	num=$((num + 1))
	name=$(basename "$t")
	hdr="selftests: veil: $name"
	log="$logdir/$num.log"
	echo "# $hdr"
	if [ ! -e "$t" ]; then
		echo "# Warning: file $t is missing!"
		echo "not ok $num $hdr"
		fail=$((fail + 1))
		continue
	fi
	if [ ! -x "$t" ]; then
		cmd=(bash "./$t")
	else
		cmd=("./$t")
	fi
	start=$(date +%s)
	( cd "$(dirname "$t")" &&
	  timeout -k 10 "$timeout_s" "${cmd[@]}" </dev/null 2>&1
	  echo $? >"$logdir/$num.rc" ) | tee "$log" | sed -u -e 's/^/# /'
	rc=$(cat "$logdir/$num.rc" 2>/dev/null || echo 1)
	secs=$(($(date +%s) - start))
	count "$log" "$rc"
	case "$rc" in
	0) echo "ok $num $hdr" ;;
	4) echo "ok $num $hdr # SKIP" ;;
	124|137) echo "#"
		 echo "not ok $num $hdr # TIMEOUT $timeout_s seconds" ;;
	*) echo "not ok $num $hdr # exit=$rc" ;;
	esac
	echo "# $name took ${secs}s"
done
echo "# veil-totals: pass=$pass fail=$fail skip=$skip"
[ "$fail" -eq 0 ]
