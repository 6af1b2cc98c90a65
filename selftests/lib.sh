#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the veil selftests. Source it from a test script:
#
#	. "$(dirname "$0")/lib.sh"
#
# What it gives:
#  - TAP output (ktap style): tap_plan, ok, not_ok, skip, result, check,
#    check_eq, check_match, diag, tap_done, skip_all, bail_out
#  - expect_fail / expect_refused: a command must fail with a one-line error
#    on stderr (and, for expect_refused, leave a device's configuration
#    exactly as it was: "show DEV dump" before and after, which holds every
#    configured value showconf prints and more)
#  - network namespaces with unique names, always removed on exit (ns_new),
#    commands in them (nsexec, veil_ns, ipn, ssn), and ns_enter to run a
#    whole single-namespace test inside its namespace (fewer processes)
#  - the CLI ($VEIL), key helpers (genkey, pubkey_of, keyfile, random_keys,
#    bad_keys), config files (conf_file), dump parsing (dump_peers, peer_field)
#  - UDP socket checks (udp_ports_summary, udp_listen)
#  - module loading when a test runs alone (require_module)
#  - kernel log checks (kmsg_mark, kernel_log_clean)
#  - cleanup at exit of everything registered (at_exit), whatever happens
#
# Environment overrides (for running the tests against another implementation,
# e.g. VEIL=wg VEIL_LINK_TYPE=wireguard VEIL_MODULE=wireguard VEIL_GENL=wireguard):
#   VEIL            the CLI binary (default: <repo>/userspace/veil, else veil in PATH)
#   VEIL_LINK_TYPE  the rtnl link kind (default veil)
#   VEIL_MODULE     the module name (default veil)
#   VEIL_GENL       the generic netlink family name (default veil)
#   VEIL_LOAD_ARGS  module parameters used when a test loads the module
#                   (default selftest=1)
#   VEIL_TAP_TIMES  1: print the time each result took (finding slow parts)

VEIL_SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VEIL_REPO=$(cd "$VEIL_SELFTEST_DIR/.." && pwd)
VEIL_TEST_NAME=$(basename "$0")

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

if [ -z "${VEIL:-}" ]; then
	if [ -x "$VEIL_REPO/userspace/veil" ]; then
		VEIL=$VEIL_REPO/userspace/veil
	else
		VEIL=$(command -v veil 2>/dev/null || echo veil)
	fi
fi
VEIL_LINK_TYPE=${VEIL_LINK_TYPE:-veil}
VEIL_MODULE=${VEIL_MODULE:-veil}
VEIL_GENL=${VEIL_GENL:-veil}
VEIL_LOAD_ARGS=${VEIL_LOAD_ARGS-selftest=1}
# Never wait for DNS: one resolution attempt, no retries.
export WG_ENDPOINT_RESOLUTION_RETRIES=0 VEIL_ENDPOINT_RESOLUTION_RETRIES=0
# Pretty output must show "(hidden)" for secrets, whatever the caller set.
unset WG_HIDE_KEYS VEIL_HIDE_KEYS
export LC_ALL=C

# ---------------------------------------------------------------------------
# TAP

__tap_num=0
__tap_fail=0
__tap_skip=0
__tap_plan=0

# diag TEXT...: diagnostics, each argument on its own line(s), each line
# prefixed with "# ".
diag()
{
	printf '%s\n' "$@" | sed -e 's/^/# /'
}

# With VEIL_TAP_TIMES=1 every result is followed by the time since the
# previous one (finding the slow parts in an emulated VM). In microseconds
# with shell arithmetic only: a process per result would add seconds on a
# debug kernel.
__tap_last=${EPOCHREALTIME//[!0-9]/}
__tap_time()
{
	local now d
	[ "${VEIL_TAP_TIMES:-0}" = 1 ] || return 0
	now=${EPOCHREALTIME//[!0-9]/}
	d=$((now - ${__tap_last:-now}))
	printf '# +%d.%02ds\n' $((d / 1000000)) $((d % 1000000 / 10000))
	__tap_last=$now
}

# __tap_desc TEXT: sets __d to TEXT on one line, without '#' (which would
# start a TAP directive). No subshell: results are frequent.
__tap_desc()
{
	__d=${1//$'\n'/ }
	__d=${__d//#/_}
}

tap_plan()
{
	__tap_plan=$1
	echo "TAP version 13"
	echo "1..$1"
}

ok()
{
	__tap_num=$((__tap_num + 1))
	__tap_desc "$1"
	echo "ok $__tap_num $__d"
	__tap_time
}

# not_ok DESC [DIAG...]
not_ok()
{
	local desc=$1
	shift
	__tap_num=$((__tap_num + 1))
	__tap_fail=$((__tap_fail + 1))
	__tap_desc "$desc"
	echo "not ok $__tap_num $__d"
	[ $# -eq 0 ] || diag "$@"
	__tap_time
}

# skip DESC REASON
skip()
{
	__tap_num=$((__tap_num + 1))
	__tap_skip=$((__tap_skip + 1))
	local r
	__tap_desc "$2"
	r=$__d
	__tap_desc "$1"
	echo "ok $__tap_num $__d # SKIP $r"
}

# skip_n N DESC REASON: skip N assertions at once (a whole block whose
# prerequisite is missing), so that the plan still adds up.
skip_n()
{
	local i
	for ((i = 1; i <= $1; i++)); do
		skip "$2 ($i/$1)" "$3"
	done
}

# result DESC RC [DIAG...]: ok when RC is 0, else not ok with DIAG.
result()
{
	local desc=$1 rc=$2
	shift 2
	if [ "$rc" -eq 0 ]; then ok "$desc"; else not_ok "$desc" "$@"; fi
}

# check DESC CMD...: ok when CMD succeeds; its output is shown when it fails.
check()
{
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	result "$desc" "$rc" "command: $*" "exit: $rc" "$out"
	return $rc
}

# check_eq DESC EXPECTED ACTUAL
check_eq()
{
	if [ "$2" == "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "expected:" "$2" "actual:" "$3"
		return 1
	fi
}

# check_match DESC REGEX TEXT: TEXT matches the extended regex.
check_match()
{
	if printf '%s\n' "$3" | grep -qE -- "$2"; then
		ok "$1"
	else
		not_ok "$1" "expected a match for: $2" "in:" "$3"
		return 1
	fi
}

# tap_done: the final verdict; exits the script.
tap_done()
{
	if [ "$__tap_num" -ne "$__tap_plan" ]; then
		diag "planned $__tap_plan tests but ran $__tap_num"
		__tap_fail=$((__tap_fail + 1))
	fi
	diag "$VEIL_TEST_NAME: pass:$((__tap_num - __tap_fail - __tap_skip)) fail:$__tap_fail skip:$__tap_skip (${SECONDS}s)"
	if [ "$__tap_fail" -ne 0 ]; then
		exit $KSFT_FAIL
	fi
	if [ "$__tap_num" -gt 0 ] && [ "$__tap_skip" -eq "$__tap_num" ]; then
		exit $KSFT_SKIP
	fi
	exit $KSFT_PASS
}

# skip_all REASON: the whole program is skipped (before or after the plan).
skip_all()
{
	if [ "$__tap_plan" -eq 0 ]; then
		echo "TAP version 13"
		__tap_desc "$1"
		echo "1..0 # SKIP $__d"
	else
		skip_n $((__tap_plan - __tap_num)) "not run" "$1"
	fi
	exit $KSFT_SKIP
}

# bail_out REASON: stop now; everything not run yet counts as failed.
bail_out()
{
	__tap_desc "$1"
	echo "Bail out! $__d"
	exit $KSFT_FAIL
}

# ---------------------------------------------------------------------------
# Cleanup: every test registers what it creates; it is undone on any exit.

__cleanup_cmds=()
__namespaces=()
VEIL_TMP=

# at_exit CMD...: run CMD (as given, one word per argument) at exit, LIFO.
at_exit()
{
	local q
	printf -v q '%q ' "$@"
	__cleanup_cmds+=("$q")
}

__cleanup()
{
	local i ns
	trap - EXIT
	for ((i = ${#__cleanup_cmds[@]} - 1; i >= 0; i--)); do
		eval "${__cleanup_cmds[$i]}" >/dev/null 2>&1
	done
	for ((i = ${#__namespaces[@]} - 1; i >= 0; i--)); do
		ns=${__namespaces[$i]}
		[ -e "/run/netns/$ns" ] && ip netns del "$ns" >/dev/null 2>&1
	done
	[ -n "$VEIL_TMP" ] && rm -rf "$VEIL_TMP"
}
trap __cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

VEIL_TMP=$(mktemp -d "${TMPDIR:-/tmp}/veil-selftest.XXXXXX") ||
	bail_out "cannot create a temporary directory"

# tmpfile NAME: path of a fresh file in the test's private directory.
tmpfile()
{
	local f="$VEIL_TMP/$1"
	: >"$f"
	printf '%s\n' "$f"
}

# wait_for SECONDS CMD...: retry CMD every 0.2 s until it succeeds or
# SECONDS have passed (things that happen asynchronously, e.g. namespace
# cleanup). Returns CMD's last status.
wait_for()
{
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# ---------------------------------------------------------------------------
# Network namespaces
#
# Every command of the emulated test VM costs a lot (an "ip netns exec" adds
# a mount namespace and a sysfs mount to each), so a test that works in one
# namespace can run itself inside it (ns_enter); the helpers below then run
# commands for that namespace directly.

__ns_seq=0
VEIL_NS_INSIDE=${VEIL_NS_INSIDE:-}

# ns_new VAR: create a namespace with a unique name (lo up), store the name
# in VAR. It is deleted at exit if still there.
ns_new()
{
	local name
	__ns_seq=$((__ns_seq + 1))
	name="veilt-${VEIL_TEST_NAME%.sh}-$$-$__ns_seq"
	ip netns add "$name" || bail_out "ip netns add $name failed"
	__namespaces+=("$name")
	ip -n "$name" link set lo up
	printf -v "$1" '%s' "$name"
}

# ns_del NS: delete a namespace now (its cleanup in the kernel is async).
ns_del()
{
	ip netns del "$1"
}

# ns_enter NS [ARGS...]: run this test program again, inside NS, and exit
# with its status. This (outer) process keeps NS and removes it at exit.
# In the inner one, ns_inside is true and VEIL_NS_INSIDE is NS.
ns_enter()
{
	local ns=$1
	shift
	ip netns exec "$ns" env VEIL_NS_INSIDE="$ns" "$0" "$@"
	exit $?
}

# ns_inside: true when running inside the namespace given to ns_enter.
ns_inside()
{
	[ -n "$VEIL_NS_INSIDE" ]
}

# nsexec NS CMD...: run CMD inside NS ("" = where we are).
nsexec()
{
	local ns=$1
	shift
	if [ -z "$ns" ] || [ "$ns" = "$VEIL_NS_INSIDE" ]; then
		"$@"
	else
		ip netns exec "$ns" "$@"
	fi
}

# veil_ns NS ARGS...: the CLI inside NS.
veil_ns()
{
	local ns=$1
	shift
	nsexec "$ns" "$VEIL" "$@"
}

# ipn NS ARGS...: ip ARGS in NS ("" = where we are).
ipn()
{
	local ns=$1
	shift
	if [ -z "$ns" ] || [ "$ns" = "$VEIL_NS_INSIDE" ]; then
		ip "$@"
	else
		ip -n "$ns" "$@"
	fi
}

# ssn NS ARGS...: ss ARGS in NS ("" = where we are).
ssn()
{
	local ns=$1
	shift
	if [ -z "$ns" ] || [ "$ns" = "$VEIL_NS_INSIDE" ]; then
		ss "$@"
	else
		ss -N "$ns" "$@"
	fi
}

# link_add NS DEV: create a veil device in NS.
link_add()
{
	ipn "$1" link add "$2" type "$VEIL_LINK_TYPE"
}

# link_exists NS DEV
link_exists()
{
	ipn "$1" link show dev "$2" >/dev/null 2>&1
}

# veil_links NS: names of the veil devices in NS, one per line.
veil_links()
{
	ipn "$1" -o link show type "$VEIL_LINK_TYPE" 2>/dev/null |
		awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'
}

# ---------------------------------------------------------------------------
# UDP sockets (as seen by ss in a namespace; "" means where we are)

# udp_ports_summary NS PORT: "v4=N v6=M", the number of unconnected IPv4
# and IPv6 UDP sockets bound to PORT in NS.
udp_ports_summary()
{
	ssn "$1" -uanH "sport = :$2" | awk '
		{ if ($4 ~ /^(\[|\*)/) v6++; else v4++ }
		END { printf "v4=%d v6=%d\n", v4, v6 }'
}

# udp_count NS FAMILY PORT: the v4 (FAMILY 4) or v6 (6) count of the above.
udp_count()
{
	udp_ports_summary "$1" "$3" | sed -n "s/.*v$2=\([0-9]*\).*/\1/p"
}

# udp_listen NS FAMILY PORT: a UDP socket bound to PORT in NS (v6 sockets
# are v6only), kept until exit. Waits until it is bound.
udp_listen()
{
	local ns=$1 fam=$2 port=$3 pid i
	if command -v socat >/dev/null 2>&1; then
		if [ "$fam" = 4 ]; then
			nsexec "$ns" socat -u "UDP4-RECV:$port" /dev/null
		else
			nsexec "$ns" socat -u "UDP6-RECV:$port,ipv6only=1" /dev/null
		fi >/dev/null 2>&1 </dev/null &
	else
		nsexec "$ns" python3 -c '
import socket, sys, time
fam = socket.AF_INET if sys.argv[1] == "4" else socket.AF_INET6
s = socket.socket(fam, socket.SOCK_DGRAM)
if fam == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind(("0.0.0.0" if fam == socket.AF_INET else "::", int(sys.argv[2])))
time.sleep(3600)
' "$fam" "$port" >/dev/null 2>&1 </dev/null &
	fi
	pid=$!
	at_exit kill "$pid"
	for ((i = 0; i < 100; i++)); do
		[ "$(udp_count "$ns" "$fam" "$port")" -ge 1 ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------------------
# Keys

# genkey: a fresh private key from the CLI.
genkey()
{
	"$VEIL" genkey
}

# pubkey_of KEY: its public key, from the CLI.
pubkey_of()
{
	printf '%s\n' "$1" | "$VEIL" pubkey
}

# keyfile KEY: a private (0600) file holding KEY; prints its path. Usually
# called as $(keyfile ...): each call is its own subshell, whose PID names
# the file.
keyfile()
{
	local f="$VEIL_TMP/key.$BASHPID"
	(umask 077 && printf '%s\n' "$1" >"$f")
	printf '%s\n' "$f"
}

# conf_file NAME: write stdin to a private file named NAME; prints its path.
conf_file()
{
	local f="$VEIL_TMP/$1"
	(umask 077 && cat >"$f")
	printf '%s\n' "$f"
}

# random_keys N: N random 32-byte keys in base64, one per line, in one
# process (fast even in an emulated VM). Not clamped: any 32 bytes are a
# valid peer public key or preshared key.
random_keys()
{
	python3 -c '
import base64, os, sys
n = int(sys.argv[1])
sys.stdout.write("".join(base64.b64encode(os.urandom(32)).decode() + "\n" for _ in range(n)))
' "$1"
}

# key_bytes KEY: the decoded bytes of a base64 KEY, as decimal numbers.
key_bytes()
{
	printf '%s' "$1" | base64 -d 2>/dev/null | od -An -v -tu1
}

# key_is_32_bytes KEY: canonical base64 of exactly 32 bytes.
key_is_32_bytes()
{
	[ "${#1}" -eq 44 ] &&
		[ "$(printf '%s' "$1" | base64 -d 2>/dev/null | base64 -w0)" = "$1" ] &&
		[ "$(key_bytes "$1" | wc -w)" -eq 32 ]
}

# key_is_clamped KEY: a 32-byte key that is a clamped X25519 scalar.
key_is_clamped()
{
	local b
	key_is_32_bytes "$1" || return 1
	# shellcheck disable=SC2207 # numbers
	b=($(key_bytes "$1"))
	(( (b[0] & 7) == 0 && (b[31] & 128) == 0 && (b[31] & 64) == 64 ))
}

# bad_keys MODE FILE: the lines of FILE that are not canonical base64 of
# 32 bytes (MODE "any") or not such a clamped X25519 scalar (MODE
# "clamped"). One process for many keys.
bad_keys()
{
	python3 - "$1" "$2" <<'EOF'
import base64, binascii, sys
mode, path = sys.argv[1:3]
for line in open(path).read().splitlines():
    try:
        k = base64.b64decode(line, validate=True)
    except binascii.Error:
        k = b""
    good = len(line) == 44 and len(k) == 32 and base64.b64encode(k).decode() == line
    if good and mode == "clamped":
        good = k[0] & 7 == 0 and k[31] & 0x80 == 0 and k[31] & 0x40 != 0
    if not good:
        print(repr(line))
EOF
}

# as_nobody CMD...: run CMD as uid/gid 65534 without any capability.
as_nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$@"
}

# ---------------------------------------------------------------------------
# Configuration

# config_snapshot NS DEV: DEV's whole configuration as "show DEV dump"
# reports it (keys, port, fwmark, every peer with psk, endpoint, allowed
# IPs, keepalive). A failure to read shows up as a difference.
config_snapshot()
{
	veil_ns "$1" show "$2" dump 2>&1 </dev/null
	echo "--- rc=$?"
}

# __sort_aips: awk function sort_list(N) sorting the comma list in field N.
__sort_aips='
function sort_list(f,    a, n, i, j, v, s) {
	n = split($f, a, ",")
	for (i = 2; i <= n; i++) {	# insertion sort: lists are short
		v = a[i]
		for (j = i - 1; j >= 1 && a[j] > v; j--)
			a[j + 1] = a[j]
		a[j + 1] = v
	}
	s = a[1]
	for (i = 2; i <= n; i++)
		s = s "," a[i]
	$f = s
}'

# sort_allowedips_field N: in tab-separated lines, sort the comma list in
# field N.
sort_allowedips_field()
{
	awk -F'\t' -v OFS='\t' -v f="$1" "$__sort_aips"' { sort_list(f); print }'
}

# dump_peers NS DEV: the peer lines of "show DEV dump" with each peer's
# allowed IPs sorted, peers sorted by public key. Field 4 is the
# allowed-ips list, comma separated, as in the dump.
dump_peers()
{
	veil_ns "$1" show "$2" dump |
		awk -F'\t' -v OFS='\t' "$__sort_aips"' NR > 1 { sort_list(4); print }' | sort
}

# peer_field NS DEV PUBKEY FIELD: one field (dump numbering, 1 = public key,
# 2 = psk, 3 = endpoint, 4 = allowed ips (sorted), 8 = keepalive) of a peer.
peer_field()
{
	veil_ns "$1" show "$2" dump | awk -F'\t' -v OFS='\t' -v k="$3" -v f="$4" \
		"$__sort_aips"' NR > 1 && $1 == k { sort_list(4); print $f }'
}

# peer_list NS DEV: public keys of the peers, sorted.
peer_list()
{
	veil_ns "$1" show "$2" peers | sort
}

# ---------------------------------------------------------------------------
# Expected failures

# __run_expect_fail CMD...: runs CMD; sets __ef_diag and returns 0 when CMD
# exited non-zero with exactly one non-empty line on stderr.
__run_expect_fail()
{
	local err rc
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	__ef_diag="command: $*"$'\n'"exit: $rc"$'\n'"stderr:"$'\n'"$err"
	if [ "$rc" -eq 0 ]; then
		__ef_diag="unexpectedly succeeded"$'\n'"$__ef_diag"
		return 1
	fi
	if [ "$rc" -ge 124 ] && [ "$rc" -ne 255 ]; then
		# timeout (124), not executable (126/127), killed by a signal (>128)
		__ef_diag="did not run or died (exit $rc) rather than refusing"$'\n'"$__ef_diag"
		return 1
	fi
	# $(...) dropped the final newline: one line means no newline left
	if [[ -z $err || $err == *$'\n'* || $err =~ ^[[:space:]]*$ ]]; then
		__ef_diag="expected exactly one non-empty error line on stderr"$'\n'"$__ef_diag"
		return 1
	fi
	return 0
}

# expect_fail DESC CMD...: CMD must exit non-zero with a one-line error on
# stderr. CMD inherits stdin (feed it input with a redirect).
expect_fail()
{
	local desc=$1
	shift
	if __run_expect_fail "$@"; then
		ok "$desc"
	else
		not_ok "$desc" "$__ef_diag"
		return 1
	fi
}

# refused_baseline NS DEV: remember DEV's configuration now, so that the
# following expect_refused calls on it compare with it instead of taking a
# snapshot first (saves a command per call). Only for a series of
# expect_refused with no other change in between; "refused_baseline" with
# no argument forgets it.
__baseline_of=
__baseline=
refused_baseline()
{
	__baseline_of="$1 $2"
	[ $# -eq 0 ] || __baseline=$(config_snapshot "$1" "$2")
}

# expect_refused DESC NS DEV CMD...: like expect_fail, and the configuration
# of DEV in NS is exactly the same afterwards. CMD runs in NS (a shell
# function is fine when NS is where we are).
expect_refused()
{
	local desc=$1 ns=$2 dev=$3 before after
	shift 3
	if [ "$__baseline_of" = "$ns $dev" ]; then
		before=$__baseline
	else
		before=$(config_snapshot "$ns" "$dev")
	fi
	if ! __run_expect_fail nsexec "$ns" "$@"; then
		not_ok "$desc" "$__ef_diag"
		return 1
	fi
	after=$(config_snapshot "$ns" "$dev")
	[ "$__baseline_of" != "$ns $dev" ] || __baseline=$after
	if [ "$before" != "$after" ]; then
		not_ok "$desc" "refused, but the configuration changed:" \
			"$(printf '%s\n' "$before" >"$VEIL_TMP/before"
			   printf '%s\n' "$after" >"$VEIL_TMP/after"
			   diff "$VEIL_TMP/before" "$VEIL_TMP/after")"
		return 1
	fi
	ok "$desc"
}

# ---------------------------------------------------------------------------
# Module and kernel log

# module_loaded: the module (or a built-in equivalent) is present.
module_loaded()
{
	[ -d "/sys/module/$VEIL_MODULE" ]
}

# load_module [PARAMS...]: load the module with the project's helper when
# this is the veil repository, else with modprobe.
load_module()
{
	if [ "$VEIL_MODULE" = veil ] && [ -x "$VEIL_REPO/scripts/load-module" ]; then
		(cd "$VEIL_REPO" && ./scripts/load-module "$@")
	else
		modprobe "$VEIL_MODULE" "$@"
	fi
}

# require_module: load the module if it is missing (a test run alone).
# Skips the program when it cannot be found, bails out when it fails to load.
require_module()
{
	local out
	[ "$(id -u)" -eq 0 ] || skip_all "must be run as root"
	module_loaded && return 0
	if ! { [ "$VEIL_MODULE" = veil ] && [ -x "$VEIL_REPO/scripts/load-module" ]; } &&
	   ! modinfo "$VEIL_MODULE" >/dev/null 2>&1; then
		skip_all "module $VEIL_MODULE not available"
	fi
	# shellcheck disable=SC2086 # parameters are words
	out=$(load_module $VEIL_LOAD_ARGS 2>&1) ||
		bail_out "loading $VEIL_MODULE failed: $out"
	module_loaded || bail_out "$VEIL_MODULE not loaded after loading it"
}

# require_cli: the CLI must exist.
require_cli()
{
	command -v "$VEIL" >/dev/null 2>&1 || [ -x "$VEIL" ] ||
		skip_all "CLI $VEIL not found (build userspace/ first)"
}

# require_cmd CMD...: skip the program unless every CMD is installed.
require_cmd()
{
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_all "$c not installed"
	done
}

# jiffies_now: the kernel's jiffies counter (from /proc/timer_list, which
# prints it on NO_HZ kernels); prints nothing where it cannot be read.
jiffies_now()
{
	awk '$1 == "jiffies:" { print $2; exit }' /proc/timer_list 2>/dev/null
}

# kmsg_mark: write a unique marker line to the kernel log; prints it.
kmsg_mark()
{
	local m="veil-selftest: mark $VEIL_TEST_NAME $$ $RANDOM$RANDOM"
	echo "<6>$m" >/dev/kmsg 2>/dev/null
	printf '%s\n' "$m"
}

# kernel_log_since MARK: kernel log lines after MARK.
kernel_log_since()
{
	dmesg 2>/dev/null | awk -v m="$1" 'found { print } index($0, m) { found = 1 }'
}

VEIL_KERNEL_PROBLEMS='WARNING:|BUG:|Oops|KASAN|UBSAN|kernel BUG|general protection|refcount_t|use-after-free|unreferenced object|Call Trace|circular locking|recursive locking|inconsistent lock state|suspicious RCU|unregister_netdevice: waiting|stall'

# kernel_log_clean DESC [MARK]: no kernel problem reported after MARK
# (default: the mark written when this test started).
kernel_log_clean()
{
	local desc=$1 mark=${2:-$VEIL_TEST_MARK} bad
	if ! dmesg >/dev/null 2>&1; then
		skip "$desc" "dmesg not readable"
		return
	fi
	if [ -z "$(dmesg | grep -F -- "$mark")" ]; then
		not_ok "$desc" "marker not found in the kernel log: $mark"
		return 1
	fi
	bad=$(kernel_log_since "$mark" | grep -E "$VEIL_KERNEL_PROBLEMS")
	if [ -z "$bad" ]; then ok "$desc"; else not_ok "$desc" "$bad"; fi
}

VEIL_TEST_MARK=$(kmsg_mark)

# ===========================================================================
# Tunnels between namespaces (interop.sh, rekey.sh)
#
# topo_new KIND_A KIND_B [OPTION...] builds two namespaces joined by a veth
# pair ("outer" addresses), each with a tunnel device ("inner" addresses):
#
#   $T_NS_A: vethA 192.168.241.1/24 fd00:241::1/64  $T_DEV_A 10.200.0.1/24 fd00:200::1/64
#   $T_NS_B: vethB 192.168.241.2/24 fd00:241::2/64  $T_DEV_B 10.200.0.2/24 fd00:200::2/64
#
# A KIND is "veil" (link type $VEIL_LINK_TYPE, CLI $VEIL, device veil0) or
# "wg" (the stock wireguard module, CLI wg, device wg0). Each side has the
# other as its one peer (allowed IPs: the other's inner /32 and /128),
# configured with "set" from private-key files. Options:
#   outer=4|6   family of the endpoints (default 4)
#   psk=1       a preshared key on both sides
#   ka_a=N ka_b=N   persistent keepalive on A / B
#   ep_a=0 ep_b=0   A / B is not given the other's endpoint (it learns it)
# Side names are A and B; the helpers below take a SIDE. topo_del removes
# the namespaces (also done at exit). One topology at a time.
# Stock side: "modprobe wireguard" (wg_available says whether it works).

# shellcheck disable=SC2034 # read through tv
{
	T_PORT_A=51001
	T_PORT_B=51002
	T_VETH_A=vethA
	T_VETH_B=vethB
	T_OUT4_A=192.168.241.1
	T_OUT4_B=192.168.241.2
	T_OUT6_A=fd00:241::1
	T_OUT6_B=fd00:241::2
	T_IN4_A=10.200.0.1
	T_IN4_B=10.200.0.2
	T_IN6_A=fd00:200::1
	T_IN6_B=fd00:200::2
	T_NS_A=
	T_NS_B=
	T_KEYS=
}

# wg_available: the stock wireguard module is loaded or loads now, and the
# wg tool is installed.
wg_available()
{
	command -v wg >/dev/null 2>&1 || return 1
	[ -d /sys/module/wireguard ] || modprobe wireguard >/dev/null 2>&1
}

# kind_link KIND, kind_cli KIND, kind_dev KIND: link type, CLI, device name.
kind_link() { if [ "$1" = wg ]; then echo wireguard; else echo "$VEIL_LINK_TYPE"; fi; }
kind_cli() { if [ "$1" = wg ]; then echo wg; else echo "$VEIL"; fi; }
kind_dev() { if [ "$1" = wg ]; then echo wg0; else echo veil0; fi; }

# tv NAME SIDE: the value of T_<NAME>_<SIDE>.
tv()
{
	local v="T_$1_$2"
	printf '%s\n' "${!v}"
}

# other SIDE: the other side.
other() { if [ "$1" = A ]; then echo B; else echo A; fi; }

# topo_keys: key files and public keys for both sides and a preshared key,
# made once: T_KEYFILE_A/B, T_PUB_A/B, T_PSKFILE.
# shellcheck disable=SC2034 # read through tv
topo_keys()
{
	local k
	[ -n "$T_KEYS" ] && return 0
	k=$(genkey) || return 1
	T_KEYFILE_A=$(conf_file topo-key-a <<<"$k")
	T_PUB_A=$(pubkey_of "$k") || return 1
	k=$(genkey) || return 1
	T_KEYFILE_B=$(conf_file topo-key-b <<<"$k")
	T_PUB_B=$(pubkey_of "$k") || return 1
	T_PSKFILE=$(random_keys 1 | conf_file topo-psk)
	T_KEYS=1
}

# endpoint_of SIDE FAMILY: SIDE's outer address and port as "show" prints it.
endpoint_of()
{
	if [ "$2" = 6 ]; then
		printf '[%s]:%s\n' "$(tv OUT6 "$1")" "$(tv PORT "$1")"
	else
		printf '%s:%s\n' "$(tv OUT4 "$1")" "$(tv PORT "$1")"
	fi
}

# inner_of SIDE FAMILY: SIDE's inner address.
inner_of()
{
	if [ "$2" = 6 ]; then tv IN6 "$1"; else tv IN4 "$1"; fi
}

# topo_new KIND_A KIND_B [OPTION...]: see above. On failure returns 1 with
# the reason in T_ERR.
# shellcheck disable=SC2034 # read through tv and local "$opt"
topo_new()
{
	local opt outer=4 psk=0 ka_a=0 ka_b=0 ep_a=1 ep_b=1 s o v ns dev kind args out
	T_KIND_A=$1 T_KIND_B=$2
	shift 2
	for opt in "$@"; do
		case "$opt" in
		outer=4|outer=6|psk=[01]|ka_[ab]=[0-9]*|ep_[ab]=[01])
			local "$opt" ;;
		*) T_ERR="topo_new: bad option $opt"; return 1 ;;
		esac
	done
	T_OUTER=$outer T_PSK=$psk T_ERR=
	topo_del
	topo_keys || { T_ERR="key generation failed"; return 1; }
	ns_new T_NS_A
	ns_new T_NS_B
	T_DEV_A=$(kind_dev "$T_KIND_A") T_DEV_B=$(kind_dev "$T_KIND_B")
	T_CLI_A=$(kind_cli "$T_KIND_A") T_CLI_B=$(kind_cli "$T_KIND_B")
	out=$(ip link add "$T_VETH_A" netns "$T_NS_A" type veth peer name "$T_VETH_B" netns "$T_NS_B" 2>&1) ||
		{ T_ERR="veth: $out"; return 1; }
	for s in A B; do
		o=$(other "$s")
		ns=$(tv NS "$s") dev=$(tv DEV "$s") kind=$(tv KIND "$s")
		out=$(printf '%s\n' \
			"addr add $(tv OUT4 "$s")/24 dev $(tv VETH "$s")" \
			"addr add $(tv OUT6 "$s")/64 dev $(tv VETH "$s") nodad" \
			"link set $(tv VETH "$s") up" | ip -n "$ns" -batch - 2>&1) ||
			{ T_ERR="side $s outer addresses: $out"; return 1; }
		out=$(ip -n "$ns" link add "$dev" type "$(kind_link "$kind")" 2>&1) ||
			{ T_ERR="side $s: link add $dev type $(kind_link "$kind"): $out"; return 1; }
		args=(set "$dev" private-key "$(tv KEYFILE "$s")" listen-port "$(tv PORT "$s")"
		      peer "$(tv PUB "$o")" allowed-ips "$(tv IN4 "$o")/32,$(tv IN6 "$o")/128")
		v=ep_${s,,}
		[ "${!v}" = 1 ] && args+=(endpoint "$(endpoint_of "$o" "$outer")")
		[ "$psk" = 1 ] && args+=(preshared-key "$T_PSKFILE")
		v=ka_${s,,}
		[ "${!v}" != 0 ] && args+=(persistent-keepalive "${!v}")
		out=$(nsexec "$ns" "$(tv CLI "$s")" "${args[@]}" 2>&1) ||
			{ T_ERR="side $s: $(tv CLI "$s") ${args[*]}: $out"; return 1; }
		out=$(printf '%s\n' \
			"addr add $(tv IN4 "$s")/24 dev $dev" \
			"addr add $(tv IN6 "$s")/64 dev $dev nodad" \
			"link set $dev up" | ip -n "$ns" -batch - 2>&1) ||
			{ T_ERR="side $s inner addresses: $out"; return 1; }
	done
	return 0
}

# topo_del: remove the current topology's namespaces.
topo_del()
{
	[ -n "$T_NS_A" ] && ns_del "$T_NS_A" 2>/dev/null
	[ -n "$T_NS_B" ] && ns_del "$T_NS_B" 2>/dev/null
	T_NS_A='' T_NS_B=''
}

# topo_desc: the current topology in words, for test descriptions.
topo_desc()
{
	local d="$T_KIND_A<->$T_KIND_B, outer IPv$T_OUTER"
	[ "$T_PSK" = 1 ] && d+=", PSK" || d+=", no PSK"
	printf '%s\n' "$d"
}

# tun SIDE ARGS...: SIDE's CLI in its namespace (e.g. tun A show wg0 dump).
tun()
{
	local s=$1
	shift
	nsexec "$(tv NS "$s")" "$(tv CLI "$s")" "$@"
}

# tun_peer SIDE: the peer line of "show DEV dump" on SIDE (fields: 1 public
# key, 2 psk, 3 endpoint, 4 allowed ips, 5 latest handshake, 6 rx bytes,
# 7 tx bytes, 8 keepalive).
tun_peer()
{
	tun "$1" show "$(tv DEV "$1")" dump 2>&1 | sed -n 2p
}

# field N LINE: the Nth tab-separated field of LINE.
field()
{
	local IFS=$'\t' f
	# shellcheck disable=SC2206 # split on tabs
	f=($2)
	printf '%s\n' "${f[$(($1 - 1))]}"
}

# tping FROM FAMILY [PING-ARGS...]: ping the other side's inner address from
# FROM's namespace (default: 3 packets, 0.2 s apart, 3 s wait each). True
# when every packet got its reply; the summary is in T_PING.
tping()
{
	local from=$1 fam=$2 rc
	shift 2
	[ $# -gt 0 ] || set -- -c 3 -i 0.2 -W 3
	T_PING=$(nsexec "$(tv NS "$from")" ping -n -q "$@" "$(inner_of "$(other "$from")" "$fam")" 2>&1)
	rc=$?
	[ $rc -eq 0 ] && printf '%s\n' "$T_PING" | grep -q ' 0% packet loss'
}

# tping_sweep FROM FAMILY COUNT SIZES...: COUNT ICMP echoes of each payload
# size, one at a time, from FROM to the other side's inner address, each
# with random data; true when every reply came back within 3 s with the
# data intact. T_SWEEP: one line per echo that failed. One python3 process
# sends them all over a raw socket (a ping process per size takes over a
# second on the debug kernel).
# VEIL_PY_CSUM: python3 source of csum(b), the Internet checksum (RFC 1071),
# to put in front of a program: python3 -c "$VEIL_PY_CSUM$PROGRAM".
VEIL_PY_CSUM='
import struct
def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
'
# shellcheck disable=SC2016 # python
ECHO_SWEEP=$VEIL_PY_CSUM'
import os, select, socket, struct, sys, time
v4 = sys.argv[1] == "4"
dst, count, sizes = sys.argv[2], int(sys.argv[3]), [int(x) for x in sys.argv[4:]]
if v4:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    req, rep = 8, 0
else:
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    req, rep = 128, 129
ident, bad = os.getpid() & 0xffff, []
for seq, size in enumerate([z for z in sizes for _ in range(count)]):
    data = os.urandom(size)
    hdr = struct.pack("!BBHHH", req, 0, 0, ident, seq)
    if v4:
        hdr = struct.pack("!BBHHH", req, 0, csum(hdr + data), ident, seq)
    s.sendto(hdr + data, (dst, 0))
    end, got = time.time() + 3, None
    while got is None and time.time() < end:
        if not select.select([s], [], [], max(end - time.time(), 0))[0]:
            break
        pkt = s.recv(65535)
        if v4:
            pkt = pkt[(pkt[0] & 15) * 4:]
        if len(pkt) < 8:
            continue
        typ, _, _, i, q = struct.unpack("!BBHHH", pkt[:8])
        if (typ, i, q) == (rep, ident, seq):
            got = pkt[8:]
    if got is None:
        bad.append("size %d: no reply in 3 s" % size)
    elif got != data:
        bad.append("size %d: a reply of %d bytes with other data" % (size, len(got)))
if bad:
    print("\n".join(bad))
sys.exit(1 if bad else 0)
'
# shellcheck disable=SC2034 # T_SWEEP is read by the tests
tping_sweep()
{
	local from=$1 fam=$2
	shift 2
	T_SWEEP=$(nsexec "$(tv NS "$from")" python3 -c "$ECHO_SWEEP" "$fam" \
		"$(inner_of "$(other "$from")" "$fam")" "$@" 2>&1)
}

# tdev_stat SIDE NAME: a netdev statistic of SIDE's tunnel (rx_bytes, ...).
tdev_stat()
{
	nsexec "$(tv NS "$1")" cat "/sys/class/net/$(tv DEV "$1")/statistics/$2"
}

# ---------------------------------------------------------------------------
# veil's per-reason counters (ethtool -S)

# veil_stats NS DEV: "name value" lines of DEV's ethtool statistics.
veil_stats()
{
	nsexec "$1" ethtool -S "$2" | awk '$1 ~ /:$/ && NF == 2 { sub(/:$/, "", $1); print $1, $2 }'
	return "${PIPESTATUS[0]}"
}

# veil_stat NS DEV NAME: one counter; fails when DEV has no such counter.
veil_stat()
{
	local v
	v=$(veil_stats "$1" "$2" | awk -v n="$3" '$1 == n { print $2; f = 1 } END { exit !f }') ||
		return 1
	printf '%s\n' "$v"
}

# stat_of STATS NAME: NAME's value in STATS (veil_stats output); empty if none.
stat_of()
{
	printf '%s\n' "$1" | awk -v n="$2" '$1 == n { print $2 }'
}

# nonzero_deltas BEFORE AFTER: "name +N" for every counter that moved
# between two veil_stats snapshots.
nonzero_deltas()
{
	awk -v b="$1" -v a="$2" 'BEGIN {
		split(b, l, "\n"); for (i in l) { split(l[i], f, " "); B[f[1]] = f[2] }
		n = split(a, l, "\n")
		for (i = 1; i <= n; i++) {
			split(l[i], f, " ")
			if ((f[1] in B) && f[2] != B[f[1]]) print f[1], "+" (f[2] - B[f[1]])
		}
	}'
}

# veil_counters_usable: the counters can be read (the module is veil and
# ethtool is installed).
veil_counters_usable()
{
	[ "$VEIL_MODULE" = veil ] && command -v ethtool >/dev/null 2>&1
}

# tun_counters_check DESC SPEC...: one TAP result about veil's counters on
# the current topology. SPEC is SIDE:NAME OP NUMBER with OP one of >= <= ==
# (no spaces), e.g. A:handshake_initiations_sent>=1; NAME may end in '*'
# (every counter with that prefix, at least one must exist), e.g.
# B:rx_drop_*==0. Specs for sides that are not veil are ignored; skipped
# when no side in the specs is veil or the counters cannot be read.
tun_counters_check()
{
	local desc=$1 spec s name op want bad='' seen='' lines n v
	local -A st=([A]='' [B]='')
	shift
	if ! veil_counters_usable; then
		skip "$desc" "veil counters not available (module $VEIL_MODULE, ethtool $(command -v ethtool >/dev/null && echo present || echo missing))"
		return 0
	fi
	for spec in "$@"; do
		[[ $spec =~ ^([AB]):([a-z0-9_]+\*?)(>=|<=|==)([0-9]+)$ ]] ||
			{ not_ok "$desc" "bad counter spec: $spec"; return 1; }
		s=${BASH_REMATCH[1]} name=${BASH_REMATCH[2]} op=${BASH_REMATCH[3]} want=${BASH_REMATCH[4]}
		[ "$(tv KIND "$s")" = veil ] || continue
		if [[ $seen != *$s* ]]; then
			seen+=$s
			st[$s]=$(veil_stats "$(tv NS "$s")" "$(tv DEV "$s")" 2>&1) ||
				{ bad+="side $s: ethtool -S failed: ${st[$s]}"$'\n'; continue; }
		fi
		lines=$(printf '%s\n' "${st[$s]}" | awk -v n="$name" '
			(substr(n, length(n)) == "*" && index($1, substr(n, 1, length(n) - 1)) == 1) || $1 == n')
		[ -n "$lines" ] || { bad+="side $s: no counter $name"$'\n'; continue; }
		while read -r n v; do
			case "$op" in
			">=") [ "$v" -ge "$want" ] ;;
			"<=") [ "$v" -le "$want" ] ;;
			"==") [ "$v" -eq "$want" ] ;;
			esac || bad+="side $s: $n = $v, expected $op $want"$'\n'
		done <<<"$lines"
	done
	if [ -z "$seen" ]; then
		skip "$desc" "no veil side"
	elif [ -z "$bad" ]; then
		ok "$desc"
	else
		# What failed comes first and again last: a log cut to its
		# tail still shows it.
		not_ok "$desc" "$bad" \
			"side A ($T_KIND_A) non-zero counters:" "$(awk '$2 != 0' <<<"${st[A]}")" \
			"side B ($T_KIND_B) non-zero counters:" "$(awk '$2 != 0' <<<"${st[B]}")" \
			"failed: ${bad//$'\n'/; }"
		return 1
	fi
}

# ---------------------------------------------------------------------------
# Traffic through the tunnel

# tun_iperf CLIENT FAMILY ARGS...: one iperf3 TCP test from CLIENT's
# namespace to a one-shot server on the other side's inner address (port
# 5201); ARGS go to the client (e.g. -n 4M, -R, -t 20). The client's JSON
# is in T_IPERF_JSON; returns the client's exit status (124 on timeout).
tun_iperf()
{
	local c=$1 fam=$2 srv pid rc i limit=60
	shift 2
	srv=$(other "$c")
	nsexec "$(tv NS "$srv")" iperf3 -s -1 -B "$(inner_of "$srv" "$fam")" -p 5201 \
		>"$VEIL_TMP/iperf-server.log" 2>&1 </dev/null &
	pid=$!
	at_exit kill "$pid"
	for ((i = 0; i < 50; i++)); do
		[ -n "$(ssn "$(tv NS "$srv")" -ltnH 'sport = :5201')" ] && break
		sleep 0.1
	done
	for i in "$@"; do [[ $i =~ ^[0-9]+$ ]] && [ "$i" -gt 30 ] && limit=$((i + 60)); done
	T_IPERF_JSON=$(nsexec "$(tv NS "$c")" timeout "$limit" iperf3 -c "$(inner_of "$srv" "$fam")" \
		-p 5201 --connect-timeout 5000 --json "$@" 2>"$VEIL_TMP/iperf-client.err")
	rc=$?
	wait_for 5 eval '! kill -0 '"$pid"' 2>/dev/null' || kill "$pid" 2>/dev/null
	return $rc
}

# iperf_summary [JSON]: "error=... sent=BYTES received=BYTES retransmits=N
# min_interval=BYTES intervals=N" from iperf3's client JSON (default
# $T_IPERF_JSON); min_interval is the smallest number of bytes in one
# reporting interval (0: a stall of a whole interval).
iperf_summary()
{
	printf '%s\n' "${1:-$T_IPERF_JSON}" | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError as e:
    print("error=not-json"); sys.exit(0)
end = d.get("end", {})
iv = [i["sum"]["bytes"] for i in d.get("intervals", []) if i["sum"].get("seconds", 0) > 0.5]
print("error=%s sent=%d received=%d retransmits=%d min_interval=%d intervals=%d" % (
    (d.get("error") or "none").replace(" ", "_"),
    end.get("sum_sent", {}).get("bytes", 0), end.get("sum_received", {}).get("bytes", 0),
    end.get("sum_sent", {}).get("retransmits", 0), min(iv) if iv else 0, len(iv)))
'
}

# kv KEY TEXT: the value of KEY=value in TEXT (space separated).
kv()
{
	local w
	for w in $2; do
		[ "${w%%=*}" = "$1" ] && { printf '%s\n' "${w#*=}"; return 0; }
	done
	return 1
}
# ===========================================================================

# ---------------------------------------------------------------------------
# Background load (teardown.sh, mobility.sh, scale of abuse.sh)

# ns_bg NS CMD...: CMD in NS ("" = where we are) in the background as its
# own process: $! is CMD itself (ip netns exec execs it), without this
# script's traps, so that killing it never runs the exit cleanup of a
# subshell of this script. Redirect its output at the call.
ns_bg()
{
	local ns=$1
	shift
	if [ -z "$ns" ] || [ "$ns" = "$VEIL_NS_INSIDE" ]; then
		(trap - EXIT INT TERM HUP; exec "$@") &
	else
		(trap - EXIT INT TERM HUP; exec ip netns exec "$ns" "$@") &
	fi
}

# bg_stop PID...: SIGTERM, after 5 s SIGKILL for what is left, and reap
# them. Returns 1 when one is still there 10 s after SIGKILL (stuck in the
# kernel); that one is not waited for.
bg_stop()
{
	local p rc=0 i
	for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
	for p in "$@"; do
		for ((i = 0; i < 25; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$p" 2>/dev/null
		for ((i = 0; i < 50; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.2
		done
		if kill -0 "$p" 2>/dev/null; then
			rc=1
		else
			wait "$p" 2>/dev/null
		fi
	done
	return $rc
}

# VEIL_UDP_FLOOD_PY: python3 -c "$VEIL_UDP_FLOOD_PY" ADDR PORT SECONDS [PPS]
# sends UDP datagrams of mixed sizes (0 to beyond a tunnel MTU, so some are
# fragmented) to ADDR:PORT as fast as one process goes (or PPS per second),
# for SECONDS; send errors (no route, a full queue) are counted, not fatal.
# Prints "sent N errors M". In the background:
# ns_bg NS python3 -c "$VEIL_UDP_FLOOD_PY" ...
VEIL_UDP_FLOOD_PY='
import socket, sys, time
addr, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
pps = float(sys.argv[4]) if len(sys.argv) > 4 else 0
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.setblocking(False)
bufs = [bytes(n) for n in (0, 1, 28, 64, 200, 512, 1000, 1380, 1400, 2000, 3000)]
sent = errs = i = 0
start = time.monotonic()
end = start + secs
while i % 256 or time.monotonic() < end:
    if pps and i % 16 == 0:
        ahead = i / pps - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    try:
        s.sendto(bufs[i % len(bufs)], (addr, port))
        sent += 1
    except OSError:
        errs += 1
        if errs % 64 == 0:
            time.sleep(0.001)
    i += 1
print("sent %d errors %d" % (sent, errs))
'

# udp_proc_sockets NS PORT: the number of UDP sockets (IPv4 and IPv6) bound
# to local PORT in NS, from /proc/net/udp and /proc/net/udp6 (not ss:
# another reading of the same truth).
udp_proc_sockets()
{
	nsexec "$1" cat /proc/net/udp /proc/net/udp6 2>/dev/null |
		awk -v p="$(printf '%04X' "$2")" '
			$2 ~ /:/ { split($2, a, ":"); if (a[2] == p) n++ }
			END { print n + 0 }'
}

# kernel_is_debug: the kernel has the checkers on (kmemleak, KASAN ...) and
# runs several times slower: tests scale their repetitions down.
kernel_is_debug()
{
	[[ $(uname -r) == *debug* ]] || [ -e /sys/kernel/debug/kmemleak ] ||
		grep -q 'kasan\|kmemleak' /proc/cmdline 2>/dev/null
}

# module_refcount: the module's reference count from /proc/modules
# (empty when it is not loaded).
module_refcount()
{
	awk -v m="$VEIL_MODULE" '$1 == m { print $3 }' /proc/modules
}
