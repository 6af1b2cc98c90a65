#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/tests/vm-run-test.sh: host-side test of scripts/vm-run's process
# handling (run by make check and make check-host), with a stand-in for
# qemu-system-x86_64 first on PATH, so that no VM boots:
#   - the boot watchdog: a guest that does not start its command within
#     --boot-timeout is killed and booted again, up to 3 boots;
#   - the guest's exit status is vm-run's;
#   - an interrupted vm-run (SIGTERM, SIGINT) takes its QEMU down with it.
# After each case no process of the run is left.
#
# The stand-in reads veilvm.run=DIR from -append, as the guest does, and
# acts out FAKE_QEMU_PLAN, one word per boot: "hang" (never starts the
# command) or "rc=N" (starts it, which vm-run sees as DIR/boot-seconds, and
# reports exit status N). Boots beyond the plan hang.
#
# Prints TAP; exit status 0 when every case passed.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VM_RUN=$REPO/scripts/vm-run
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vm-run-test.XXXXXX") || exit 1
trap 'pkill -KILL -f -- "veilvm\.run=$tmp/" 2>/dev/null; rm -rf "$tmp"' EXIT

mkdir -p "$tmp/bin"
cat >"$tmp/bin/qemu-system-x86_64" <<'EOF'
#!/usr/bin/env bash
# Stand-in for QEMU (see vm-run-test.sh).
run= prev=
for a in "$@"; do
	if [ "$prev" = -append ]; then
		for w in $a; do
			case "$w" in veilvm.run=*) run=${w#veilvm.run=} ;; esac
		done
	fi
	prev=$a
done
[ -n "$run" ] || { echo "fake qemu: no veilvm.run= in -append" >&2; exit 1; }
n=$(($(cat "$run/../boots" 2>/dev/null || echo 0) + 1))
echo "$n" >"$run/../boots"
read -ra plan <<<"${FAKE_QEMU_PLAN:-}"
step=${plan[n - 1]:-hang}
echo "fake qemu: boot $n: $step"
case "$step" in
rc=*)
	echo 1.00 >"$run/boot-seconds"
	echo "${step#rc=}" >"$run/rc"
	echo "VEIL_VM_EXIT=${step#rc=}"
	exit 0
	;;
esac
# A hung boot: stays until killed (short sleeps, so that nothing outlives
# this process by long).
while :; do sleep 0.2; done
EOF
chmod 755 "$tmp/bin/qemu-system-x86_64"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	printf '%s\n' "$@" | sed 's/^/# /'
}
# check DESC CONDITION-STATUS DIAG...
check() {
	local desc=$1 st=$2
	shift 2
	if [ "$st" = 0 ]; then ok "$desc"; else not_ok "$desc" "$@"; fi
}

# leftovers OUT: processes of the run in OUT still alive (none: empty).
leftovers()
{
	sleep 0.5
	pgrep -af -- "veilvm\.run=$1/\.vm-run " || true
}

# vmrun CASE PLAN ARGS...: vm-run with the stand-in, in $tmp/CASE; sets rc
# and out (vm-run's stderr and stdout).
vmrun()
{
	local c=$1 plan=$2
	shift 2
	mkdir -p "$tmp/$c"
	out=$(PATH="$tmp/bin:$PATH" FAKE_QEMU_PLAN=$plan \
		"$VM_RUN" --out "$tmp/$c" "$@" true 2>&1)
	rc=$?
}

echo "TAP version 13"
echo "1..8"

# 1. A first boot that hangs is killed; the second boot runs the command.
vmrun hang1 "hang rc=0" --boot-timeout 2 --timeout 60
boots=$(cat "$tmp/hang1/boots" 2>/dev/null)
[ "$rc" = 0 ] && [ "$boots" = 2 ] && grep -q 'boot 1 of 3 hung' <<<"$out"
check "watchdog: a hung first boot is killed and the second boot's command runs (exit 0, 2 boots)" $? \
	"exit $rc, boots ${boots:-none}" "$out"
left=$(leftovers "$tmp/hang1")
[ -z "$left" ]
check "watchdog: nothing of the hung boot is left running" $? "$left"

# 2. Three hung boots: vm-run gives up with "no exit status" (98).
vmrun hang3 "hang hang hang rc=0" --boot-timeout 2 --timeout 60
boots=$(cat "$tmp/hang3/boots" 2>/dev/null)
[ "$rc" = 98 ] && [ "$boots" = 3 ] && [ "$(grep -c 'of 3 hung' <<<"$out")" = 3 ]
check "watchdog: after 3 hung boots vm-run stops and fails (exit 98, no 4th boot)" $? \
	"exit $rc, boots ${boots:-none}" "$out"
left=$(leftovers "$tmp/hang3")
[ -z "$left" ]
check "watchdog: nothing of the three hung boots is left running" $? "$left"

# 3. The whole-run timeout bounds the boots too: 4 s for boots of 3 s each.
start=$(date +%s)
vmrun tmo "hang hang hang" --boot-timeout 3 --timeout 4
took=$(($(date +%s) - start))
{ [ "$rc" = 124 ] || [ "$rc" = 98 ]; } && [ "$took" -le 20 ]
check "watchdog: --timeout bounds the boots (fails within 20 s, took ${took}s)" $? "exit $rc" "$out"

# 4. The guest's exit status is vm-run's.
vmrun rc3 "rc=3" --boot-timeout 10 --timeout 60
[ "$rc" = 3 ]
check "the guest command's exit status (3) is vm-run's" $? "exit $rc" "$out"

# 5. SIGTERM and SIGINT to vm-run while the guest boots: QEMU goes too.
# vm-run starts with both signals at their defaults, as from a terminal: a
# command put in the background by a shell without job control, and all
# it starts, would ignore SIGINT (and bash cannot trap a signal ignored
# since its start), and so would everything below a caller that did so.
for sig in TERM INT; do
	c=sig$sig
	mkdir -p "$tmp/$c"
	PATH="$tmp/bin:$PATH" FAKE_QEMU_PLAN=hang \
		env --default-signal=INT,TERM \
		"$VM_RUN" --out "$tmp/$c" --boot-timeout 60 --timeout 120 true \
		>"$tmp/$c.log" 2>&1 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$tmp/$c/boots" ] && break
		sleep 0.1
	done
	sleep 0.5
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	left=$(leftovers "$tmp/$c")
	[ "$rc" = 130 ] && [ -z "$left" ]
	check "SIG$sig to vm-run during a boot: vm-run exits 130 and its QEMU is gone" $? \
		"exit $rc, still running: ${left:-nothing}" "$(cat "$tmp/$c.log")"
done

echo "# vm-run-test: $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
