#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/check.sh [--host-only | --debug]
#                   (make check / make check-host / make check-debug)
#
# 1. installs missing Debian packages (scripts/deps.sh);
# 2. builds the module with W=1 (any compiler warning fails), the tool and the
#    selftests;
# 3. host checks: DKMS add/build/remove in a throw-away tree, checkpatch.pl
#    --strict, sparse (C=2: every file);
# 4. boots the VM once (scripts/vm-run): loads the module with selftest=1,
#    runs `make -C selftests run_tests`, unloads the module;
# 5. prints the whole TAP on stdout, then as the last line
#    "N passed, N failed[, N skipped]"; exit status 1 when anything failed.
#
# Counting (the final line): every host check and every guest-side check is
# one test point. For each selftest program, every subtest result line it
# printed ("# ok N ..." / "# not ok N ..." one level down in the runner's
# output) is one test point, and the program's own top-level result counts
# only when it printed no subtest results; a program that failed (or timed
# out) without reporting a failed subtest adds one failure; "# SKIP" counts as
# skipped. A runner that reports fewer programs than its plan, a VM timeout,
# a guest that never finished, and any kernel WARNING/BUG/Oops/... in the
# guest log are failures too.
#
# --debug: the same tests on the debug kernel (kernel/debug.config: KASAN,
# UBSAN, lockdep, kmemleak, KUnit, ...; scripts/debug-kernel.sh finds, or
# builds, it): the module is built against its headers in
# build/check-debug/src (with the KUnit suites of module/kunit/), the host
# checks other than the builds are left out, the guest boots with
# panic_on_warn=1, every KUnit case the module load ran is one test point
# (no KUnit output at all is a failure), kmemleak is scanned after the
# module is unloaded, and the checkers' reports from the guest's kernel log
# are in the TAP diagnostics. VEIL_LONG_TESTS defaults to 0 here.
#
# Logs: build/check/ or build/check-debug/ (build logs, the VM console log,
# dmesg, raw TAP).
# Environment: VEIL_CHECK_VM_TIMEOUT (seconds for the whole VM run, default
# 1500, 4200 with --debug), VEIL_TEST_TIMEOUT (per selftests program in
# the guest; default: the runner's, 900 with --debug), VEIL_VM_* (see
# scripts/vm-run), KDIR (default Debian's headers), VEIL_LONG_TESTS (0 skips
# the 140 s rekey run against the stock module; default 1, 0 with --debug),
# VEIL_CLI_TEST (0 reports userspace/tests/vm-cli-test.sh as skipped;
# default 1, 0 with --debug: the tool is the same on either kernel),
# VEIL_INTEROP_FULL=1 (interop.sh's mirrored cases on the debug kernel).
# VEIL_TAP_TIMES=1 prints the time each result took.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd)

host_only=0 debug=0
case "${1:-}" in
--host-only) host_only=1 ;;
--debug) debug=1 ;;
"") ;;
*) echo "usage: $0 [--host-only | --debug]" >&2; exit 2 ;;
esac

L=$REPO/build/check
[ "$debug" = 1 ] && L=$REPO/build/check-debug
rm -rf "$L"
mkdir -p "$L"
body=$L/tap.body   # result lines as "@@R@@ ok NAME" (numbered at the end)
: >"$body"
pass=0 fail=0 skip=0
t0=$(date +%s)

log() { echo "check: $*" >&2; }
# result STATUS NAME [DIAG-FILE]: one host-side test point.
result() {
	local st=$1 name=$2 diag=${3:-}
	echo "@@R@@ $st - $name" >>"$body"
	if [ -n "$diag" ] && [ -s "$diag" ]; then
		sed 's/^/# /' "$diag" >>"$body"
	fi
	case "$st" in
	ok) pass=$((pass + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
	log "$st - $name"
}
# The tail of a log, plus its warning/error lines, as a diagnostics file.
diag_of() {
	local f=$1 out=$L/diag.$RANDOM
	{ grep -aE 'warning:|error:|Error [0-9]' "$f" | head -n 40 || true
	  echo "--- last lines of ${f#"$REPO"/} ---"
	  tail -n 25 "$f"; } >"$out"
	echo "$out"
}
finish() {
	local n=0 line
	{
		echo "TAP version 13"
		echo "1..$(grep -c '^@@R@@ ' "$body" || true)"
		while IFS= read -r line; do
			if [[ $line == "@@R@@ "* ]]; then
				n=$((n + 1))
				line=${line#@@R@@ }
				case "$line" in
				"not ok"*) echo "not ok $n${line#not ok}" ;;
				*) echo "ok $n${line#ok}" ;;
				esac
			else
				echo "$line"
			fi
		done <"$body"
		echo "# total time $(($(date +%s) - t0))s; logs in ${L#"$REPO"/}/"
	} >"$L/check.tap"
	cat "$L/check.tap"
	if [ "$skip" -gt 0 ]; then
		echo "$pass passed, $fail failed, $skip skipped"
	else
		echo "$pass passed, $fail failed"
	fi
	exit $((fail > 0))
}

# ---- 1. dependencies ---------------------------------------------------------
log "dependencies (scripts/deps.sh)"
if ! scripts/deps.sh >"$L/deps.log" 2>&1; then
	result "not ok" "deps: install the Debian packages" "$(diag_of "$L/deps.log")"
	finish
fi
KVER=$(scripts/kver)
KDIR=${KDIR:-/lib/modules/$KVER/build}
vm_opts=()
if [ "$debug" = 1 ]; then
	# Its progress on stderr too: building it takes 20-40 minutes.
	log "debug kernel (scripts/debug-kernel.sh)"
	if ! dk=$(scripts/debug-kernel.sh 2> >(tee "$L/debug-kernel.log" >&2)); then
		result "not ok" "debug kernel: scripts/debug-kernel.sh found or built it" "$(diag_of "$L/debug-kernel.log")"
		finish
	fi
	KDIR=$(find "$dk/usr/src" -mindepth 1 -maxdepth 1 -name 'linux-headers-*' | head -n 1)
	KVER=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
	# KASAN and lockdep make everything several times slower: a longer
	# timeout per selftests program (the runner's VEIL_TEST_TIMEOUT).
	vm_opts=(--debug-kernel "$dk" --env "VEIL_KO=$L/src/module/veil.ko"
		--env "VEIL_TEST_TIMEOUT=${VEIL_TEST_TIMEOUT:-900}" --env VEIL_EXPECT_KUNIT=1
		--env "VEIL_CLI_TEST=${VEIL_CLI_TEST:-0}")
elif [ -n "${VEIL_TEST_TIMEOUT:-}" ]; then
	vm_opts=(--env "VEIL_TEST_TIMEOUT=$VEIL_TEST_TIMEOUT")
fi
# rekey.sh's run across a real REKEY_AFTER_TIME with the stock module
# (about 140 s): on unless VEIL_LONG_TESTS=0; off by default on the debug
# kernel, where it would take several times longer.
vm_opts+=(--env "VEIL_LONG_TESTS=${VEIL_LONG_TESTS:-$((debug ? 0 : 1))}")
# VEIL_INTEROP_FULL=1: interop.sh's mirrored cases on the debug kernel too.
[ -z "${VEIL_INTEROP_FULL:-}" ] || vm_opts+=(--env "VEIL_INTEROP_FULL=$VEIL_INTEROP_FULL")
# VEIL_TAP_TIMES=1: the time of every result in the TAP (finding slow parts).
[ -z "${VEIL_TAP_TIMES:-}" ] || vm_opts+=(--env "VEIL_TAP_TIMES=$VEIL_TAP_TIMES")
export KDIR
log "kernel $KVER, KDIR $KDIR"

# ---- 2. builds ---------------------------------------------------------------
# Do not let a caller's W=/C= (make check W=1) change what is checked.
unset W C
mk() { make --no-print-directory "$@"; }

log "build: module (W=1)"
module_ok=0
build_module() {
	if [ "$debug" = 1 ]; then
		# A copy, so that module/veil.ko stays built for Debian's kernel.
		mkdir -p "$L/src" &&
		cp -r Kbuild module uapi "$L/src/" &&
		find "$L/src" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
			-o -name '.*.cmd' -o -name '*.order' -o -name Module.symvers \) -delete &&
		make -C "$KDIR" M="$L/src" W=1 modules &&
		[ -e "$L/src/module/veil.ko" ]
	else
		mk module W=1 && [ -e module/veil.ko ]
	fi
}
if build_module >"$L/build-module.log" 2>&1; then
	if grep -aqE 'warning:|error:' "$L/build-module.log"; then
		result "not ok" "build: module with W=1 has no warnings" "$(diag_of "$L/build-module.log")"
	else
		result ok "build: module with W=1 has no warnings"
	fi
	module_ok=1
else
	result "not ok" "build: module with W=1 has no warnings" "$(diag_of "$L/build-module.log")"
fi

# build_step TARGET: `make TARGET` as one TAP result; sets TARGET_ok to 1 or 0.
build_step() {
	local target=$1 logf=$L/build-$1.log
	log "build: $target"
	printf -v "${target}_ok" 0
	if mk "$target" >"$logf" 2>&1; then
		result ok "build: $target"
		printf -v "${target}_ok" 1
	else
		result "not ok" "build: $target" "$(diag_of "$logf")"
	fi
}
userspace_ok=0 selftests_ok=0
build_step userspace
build_step selftests

# ---- 3. host checks ------------------------------------------------------------
host_checks() {
	log "host: userspace tests (make -C userspace test)"
	if [ "$userspace_ok" = 1 ]; then
		if mk -C userspace test >"$L/userspace-test.log" 2>&1; then
			grep -aE 'checks|passed|failed' "$L/userspace-test.log" | head -n 20 >"$L/userspace-test.diag" || true
			result ok "host: userspace tests (make -C userspace test)" "$L/userspace-test.diag"
		else
			result "not ok" "host: userspace tests (make -C userspace test)" "$(diag_of "$L/userspace-test.log")"
		fi
	else
		echo "not run: the userspace build failed" >"$L/userspace-test.diag"
		result "not ok" "host: userspace tests (make -C userspace test)" "$L/userspace-test.diag"
	fi

	log "host: dkms add/build/remove"
	dkms_check() {
		local ver tmp keys_before rc=0
		ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' dkms.conf)
		[ -n "$ver" ] || { echo "no PACKAGE_VERSION in dkms.conf"; return 1; }
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/veil-dkms.XXXXXX")
		# dkms generates a signing key on first use: leave no such state behind.
		keys_before=$(ls /var/lib/dkms/mok.key /var/lib/dkms/mok.pub 2>/dev/null || true)
		# A private source tree (<tmp>/src/veil-<ver>) and DKMS tree: the
		# system's /usr/src and /var/lib/dkms are not touched.
		mkdir -p "$tmp/src/veil-$ver" "$tmp/dkms"
		cp -r Kbuild dkms.conf module uapi "$tmp/src/veil-$ver/"
		find "$tmp/src/veil-$ver" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
			-o -name '.*.cmd' -o -name '*.order' -o -name Module.symvers \) -delete
		local o=(-m veil -v "$ver" --sourcetree "$tmp/src" --dkmstree "$tmp/dkms")
		{ dkms add "${o[@]}" && dkms build "${o[@]}" -k "$KVER" &&
		  dkms status "${o[@]}" >"$tmp/status" && cat "$tmp/status" &&
		  grep -q ': built' "$tmp/status"; } || rc=1
		[ "$rc" = 0 ] || cat "$tmp/dkms/veil/$ver/$KVER/x86_64/log/make.log" 2>/dev/null ||
			cat "$tmp"/dkms/veil/"$ver"/build/make.log 2>/dev/null || true
		dkms remove "${o[@]}" --all || rc=1
		rm -rf "$tmp"
		if [ -z "$keys_before" ]; then
			rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
		fi
		return "$rc"
	}
	if dkms_check >"$L/dkms.log" 2>&1; then
		result ok "host: dkms add, build -k $KVER, remove"
	else
		result "not ok" "host: dkms add, build -k $KVER, remove" "$(diag_of "$L/dkms.log")"
	fi

	log "host: make install into a staging root"
	install_check() {
		local tmp rc=0
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/veil-install.XXXXXX")
		mk install DESTDIR="$tmp" || rc=1
		for f in usr/local/bin/veil usr/local/share/man/man8/veil.8 \
			 "lib/modules/$KVER/extra/module/veil.ko"; do
			[ -f "$tmp/$f" ] || { echo "missing after install: /$f"; rc=1; }
		done
		grep -q 'veil.ko' "$tmp/lib/modules/$KVER/modules.dep" ||
			{ echo "depmod did not index veil.ko"; rc=1; }
		"$tmp/usr/local/bin/veil" --version || rc=1
		rm -rf "$tmp"
		return "$rc"
	}
	if install_check >"$L/install.log" 2>&1; then
		result ok "host: make install puts the module (depmod'ed), veil and veil.8 in place"
	else
		result "not ok" "host: make install puts the module (depmod'ed), veil and veil.8 in place" \
			"$(diag_of "$L/install.log")"
	fi

	log "host: man page"
	if groff -man -ww -z userspace/man/veil.8 >"$L/man.log" 2>&1 && ! [ -s "$L/man.log" ]; then
		result ok "host: veil(8) renders without groff warnings"
	else
		result "not ok" "host: veil(8) renders without groff warnings" "$(diag_of "$L/man.log")"
	fi

	# vm-run's watchdog, exit status and interrupt handling, with a
	# stand-in for QEMU: one result per case of the script's own TAP.
	log "host: vm-run (scripts/tests/vm-run-test.sh)"
	local vline vdesc vrc=0 vn=0 vfail=0 vplan
	scripts/tests/vm-run-test.sh >"$L/vm-run-test.log" 2>&1 || vrc=$?
	while IFS= read -r vline; do
		vn=$((vn + 1))
		vdesc="host: vm-run: ${vline#* - }"
		if [[ $vline == ok* ]]; then
			result ok "$vdesc"
		else
			vfail=$((vfail + 1))
			# Its diagnostics: the "#" lines after it, up to the next result.
			awk -v l="$vline" '$0 == l { f = 1; next } f && /^(ok|not ok) / { exit }
				f { sub(/^# ?/, ""); print }' "$L/vm-run-test.log" >"$L/vm-run-test.diag"
			result "not ok" "$vdesc" "$L/vm-run-test.diag"
		fi
	done < <(grep '^ok \|^not ok ' "$L/vm-run-test.log" || true)
	# A script that died part way must not pass on the results it printed.
	vplan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$L/vm-run-test.log")
	if [ "$vn" = 0 ] || [ "$vn" != "$vplan" ] || { [ "$vrc" != 0 ] && [ "$vfail" = 0 ]; }; then
		result "not ok" "host: vm-run: scripts/tests/vm-run-test.sh ran to its end ($vn of ${vplan:-?} results, exit $vrc)" \
			"$(diag_of "$L/vm-run-test.log")"
	fi

	log "host: checkpatch --strict"
	if scripts/checkpatch.sh >"$L/checkpatch.log" 2>&1; then
		result ok "host: checkpatch.pl --strict is clean"
	else
		grep -aE '^(ERROR|WARNING|CHECK)|^#[0-9]+: FILE' "$L/checkpatch.log" | head -n 60 >"$L/checkpatch.diag" || true
		[ -s "$L/checkpatch.diag" ] || tail -n 20 "$L/checkpatch.log" >"$L/checkpatch.diag"
		result "not ok" "host: checkpatch.pl --strict is clean" "$L/checkpatch.diag"
	fi

	log "host: sparse"
	# C=2 checks every file (C=1 only the ones being recompiled); W=1 as above
	# so that nothing is rebuilt.
	if mk module W=1 C=2 >"$L/sparse.log" 2>&1; then
		if grep -aqE 'warning:|error:' "$L/sparse.log"; then
			result "not ok" "host: sparse (make module C=2) has no warnings" "$(diag_of "$L/sparse.log")"
		else
			result ok "host: sparse (make module C=2) has no warnings"
		fi
	else
		result "not ok" "host: sparse (make module C=2) has no warnings" "$(diag_of "$L/sparse.log")"
	fi

	# Fuzzers (fuzz/README.md): a short run of each, after the shim check and
	# the replay of fuzz/regressions/; one result per fuzzer, exec count in
	# the diagnostics. VEIL_CHECK_FUZZ_TIME: seconds per fuzzer (default 10).
	log "host: fuzzers (make fuzz FUZZ_TIME=${VEIL_CHECK_FUZZ_TIME:-10})"
	local fz fzline
	mk fuzz FUZZ_TIME="${VEIL_CHECK_FUZZ_TIME:-10}" >"$L/fuzz.log" 2>&1 || true
	for fz in $(sed -n 's/^FUZZERS := //p' fuzz/Makefile); do
		fzline=$(grep -a "^fuzz: $fz: " "$L/fuzz.log" | tail -n 1 || true)
		if [[ $fzline == "fuzz: $fz: ok"* ]]; then
			echo "$fzline" >"$L/fuzz-$fz.diag"
			result ok "host: fuzzer $fz (ASan+UBSan, no crash, leak or broken property)" "$L/fuzz-$fz.diag"
		else
			result "not ok" "host: fuzzer $fz (ASan+UBSan, no crash, leak or broken property)" \
				"$(diag_of "$L/fuzz.log")"
		fi
	done
}
# (--debug: the host checks are make check's business)
[ "$debug" = 1 ] || host_checks

[ "$host_only" = 1 ] && finish

# ---- 4. the VM ---------------------------------------------------------------------
if [ "$module_ok" != 1 ] || [ "$userspace_ok" != 1 ] || [ "$selftests_ok" != 1 ]; then
	echo "the build failed: the VM tests were not run" >"$L/vm.diag"
	result "not ok" "vm: selftests (not run)" "$L/vm.diag"
	finish
fi
vm=$L/vm
mkdir -p "$vm"
tmo=${VEIL_CHECK_VM_TIMEOUT:-$([ "$debug" = 1 ] && echo 4200 || echo 1500)}
log "vm: booting (timeout ${tmo}s; console below and in ${vm#"$REPO"/}/console.log)"
set +e
scripts/vm-run "${vm_opts[@]}" --timeout "$tmo" --out "$vm" "scripts/lib/check-guest $vm" >&2
vrc=$?
set -e
log "vm: vm-run exited with $vrc"

# Guest-side checks (module load; unload and kmemleak after the tests).
guest_results() {
	local line
	[ -f "$1" ] || return 0
	while IFS= read -r line; do
		case "$line" in
		"ok - "*"# SKIP"*) echo "@@R@@ $line" >>"$body"; skip=$((skip + 1)) ;;
		"ok - "*) echo "@@R@@ $line" >>"$body"; pass=$((pass + 1)) ;;
		"not ok - "*) echo "@@R@@ $line" >>"$body"; fail=$((fail + 1)) ;;
		*) echo "$line" >>"$body" ;;
		esac
	done <"$1"
}
guest_results "$vm/guest-results-pre"

# A runner-style TAP file (the selftests runner's, vm-cli-test's), renumbered
# into ours and counted as described at the top; parse_tap FILE TAG.
parse_tap() {
	local f=$1 tag=$2 sp sf ss nprog tot
	tr -d '\r' <"$f" | awk -v counts="$L/$tag.counts" -v tag="$tag" '
	function flush_prog(status, rest,   isskip) {
		isskip = (toupper(rest) ~ /# *SKIP/)
		if (sp + sf + ss == 0) {
			if (status == "not ok") f++
			else if (isskip) s++
			else p++
		} else {
			p += sp; f += sf; s += ss
			if (status == "not ok" && sf == 0) f++
		}
		sp = sf = ss = 0
	}
	/^TAP version/ { next }
	/^1\.\.[0-9]+/ { plan = substr($0, 4) + 0; next }
	/^(not )?ok [0-9]+/ {
		status = ($1 == "not") ? "not ok" : "ok"
		rest = $0
		sub(/^(not )?ok [0-9]+/, "", rest)
		flush_prog(status, rest)
		nres++
		print "@@R@@ " status rest
		next
	}
	/^# (not )?ok( [0-9]+| - )/ {
		if ($2 == "not") sf++
		else if (toupper($0) ~ /# *SKIP/) ss++
		else sp++
	}
	/^#/ { print; next }
	{ print "# " $0 }	# stray output (make errors, ...): a TAP comment
	END {
		if (plan > 0 && nres < plan) {
			print "@@R@@ not ok - " tag ": the runner reported " nres + 0 " of " plan " programs"
			f++
		}
		print p + 0, f + 0, s + 0, nres + 0 > counts
	}' >>"$body"
	read -r sp sf ss nprog <"$L/$tag.counts"
	pass=$((pass + sp)) fail=$((fail + sf)) skip=$((skip + ss))
	# The selftests runner counts the same way: say so when we differ.
	tot=$(grep -a '# veil-totals:' "$f" | tail -n 1 || true)
	[ -z "$tot" ] || [ "$tot" = "# veil-totals: pass=$sp fail=$sf skip=$ss" ] ||
		echo "# note: check.sh counted pass=$sp fail=$sf skip=$ss ($nprog programs), the runner: ${tot#\# }" >>"$body"
}
if [ -s "$vm/selftests.tap" ]; then
	parse_tap "$vm/selftests.tap" selftests
else
	echo "no selftests output (see ${vm#"$REPO"/}/console.log)" >"$L/vm.diag"
	tail -n 30 "$vm/console.log" >>"$L/vm.diag" 2>/dev/null || true
	result "not ok" "vm: selftests produced TAP output" "$L/vm.diag"
fi
[ ! -s "$vm/vm-cli-test.tap" ] || parse_tap "$vm/vm-cli-test.tap" vm-cli-test
guest_results "$vm/guest-results-post"

# The VM itself: finished in time, kernel log clean.
status() { sed -n "s/^$1=//p" "$vm/vm-status" 2>/dev/null; }
if [ "$(status timeout)" = 1 ] || [ "$vrc" = 124 ]; then
	echo "the VM run hit its ${tmo}s timeout (VEIL_CHECK_VM_TIMEOUT)" >"$L/vm.diag"
	tail -n 30 "$vm/console.log" >>"$L/vm.diag" 2>/dev/null || true
	result "not ok" "vm: finished within the timeout" "$L/vm.diag"
elif [ "$(status guest_rc)" = none ] || [ -z "$(status guest_rc)" ]; then
	echo "the guest never reported an exit status (vm-run exit $vrc): boot failure or panic" >"$L/vm.diag"
	tail -n 40 "$vm/console.log" >>"$L/vm.diag" 2>/dev/null || true
	result "not ok" "vm: guest ran to completion" "$L/vm.diag"
else
	result ok "vm: guest ran to completion within the timeout ($(status wall_seconds)s, boot $(status boot_seconds)s)"
fi
# The reports themselves: every kernel log line vm-run flagged, with the
# lines that follow it (the report's body, the stack), from the console log
# (complete even when the guest panicked), at most 200 lines.
problem_reports() {
	local f=$vm/console.log
	[ -s "$f" ] || f=$vm/dmesg.log
	[ -s "$vm/kernel-problems.log" ] && [ -s "$f" ] || return 0
	sed 's/^\(\[ *[0-9]*\.[0-9]*\]\).*/\1/' "$vm/kernel-problems.log" | sort -u >"$L/problem-stamps"
	awk 'NR == FNR { want[$0] = 1; next }
	match($0, /\[ *[0-9]+\.[0-9]+\]/) {
		ts = substr($0, RSTART, RLENGTH)
		if (ts in want) { left = 40; delete want[ts] }
	}
	left > 0 { print; left--; if (++n >= 200) exit }' "$L/problem-stamps" "$f"
}
nprob=$(status kernel_problems)
if [ "${nprob:-0}" != 0 ] || [ "$vrc" = 97 ]; then
	{ echo "kernel problems in the guest log (${vm#"$REPO"/}/dmesg.log, console.log):"
	  head -n 60 "$vm/kernel-problems.log" 2>/dev/null
	  echo "--- the reports ---"
	  problem_reports; } >"$L/vm.diag" || true
	result "not ok" "vm: guest kernel log has no WARNING/BUG/Oops/lockdep/KASAN/kmemleak reports" "$L/vm.diag"
else
	result ok "vm: guest kernel log has no WARNING/BUG/Oops/lockdep/KASAN/kmemleak reports"
fi
finish
