#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# teardown.sh: hostile teardown while traffic flows. A veil "hub" device
# forwards between a veil peer (B) and a stock WireGuard peer (C); TCP
# streams in both directions (iperf3, B<->C through the hub, so every byte
# crosses a veil<->veil and a veil<->wg tunnel) and UDP floods run, and then,
# in the middle of it:
#
#   del     ip link del of the hub device
#   netns   deletion of the namespace the hub lives in (A)
#   birth   deletion of the hub's birth namespace (H, which holds its
#           sockets and the outer links) while the hub lives on in A
#   rmmod   rmmod veil (every veil device goes at once)
#
# each VEIL_TEARDOWN_ROUNDS times (default 2; 1 on a debug kernel; a round
# is started only when it fits in the runner's time limit, else its results
# are reported as skipped; VEIL_TEARDOWN_OPS picks a subset of the
# operations). After each: the operation succeeded (in
# bounded time), the devices concerned are gone, their UDP sockets are gone
# (/proc/net/udp and udp6 of the birth namespace), the traffic processes
# end, the module's reference count is 0 and the kernel log has no warning. After rmmod the module loads again; at the end a
# fresh tunnel carries traffic. No process runs in A or H, so deleting them
# destroys them at once (a process inside would keep a namespace alive).
#
# Topology (fresh namespaces for every operation):
#   H: hb 192.168.71.1/24 <-> B: vb 192.168.71.2/24
#   H: hc fd00:72::1/64   <-> C: vc fd00:72::2/64   (outer IPv6 to C)
#   hub veil0 born in H (port 52001), moved to A: 10.71.0.1/24, forwarding
#   B: veil0 10.71.0.2/24 (port 52002), C: wg0 10.71.0.3/24 (port 52003;
#   a veil device when the stock module is missing)

. "$(dirname "$0")/lib.sh"

require_module
require_cli
require_cmd iperf3 python3 ping
[ -z "$VEIL_NS_INSIDE" ] || bail_out "teardown.sh must run in the init namespace"

# Two rounds (one on a debug kernel, several times slower).
ROUNDS=${VEIL_TEARDOWN_ROUNDS:-$(kernel_is_debug && echo 1 || echo 2)}
# Seconds the asynchronous cleanup of a deleted namespace may take (netns
# and birth). On the debug kernel under load it took 7 s in one run and
# over 180 s in another, behind the namespaces of the round before.
NS_WAIT=$(kernel_is_debug && echo 360 || echo 180)
# VEIL_TEARDOWN_OPS: a subset of the operations (e.g. to split the test in
# a slow lane); default all four.
OPS=${VEIL_TEARDOWN_OPS:-del netns birth rmmod}
for op in $OPS; do
	case "$op" in del|netns|birth|rmmod) ;; *) bail_out "VEIL_TEARDOWN_OPS: unknown operation $op" ;; esac
done
# Per operation and round: 6 results; rmmod adds one; 3 at the end.
PER_ROUND=0
for op in $OPS; do PER_ROUND=$((PER_ROUND + 6)); [ "$op" = rmmod ] && PER_ROUND=$((PER_ROUND + 1)); done
tap_plan $((ROUNDS * PER_ROUND + 3))

# Whatever happens, leave the module loaded for the tests that follow.
reload_if_missing()
{
	# shellcheck disable=SC2086 # parameters are words
	module_loaded || load_module $VEIL_LOAD_ARGS
}
at_exit reload_if_missing

PORT_H=52001 PORT_B=52002 PORT_C=52003
KIND_C=wg
wg_available || KIND_C=veil
diag "C is a $KIND_C device"

KEY_H=$(keyfile "$(genkey)") KEY_B=$(keyfile "$(genkey)") KEY_C=$(keyfile "$(genkey)")
PUB_H=$(pubkey_of "$(cat "$KEY_H")")
PUB_B=$(pubkey_of "$(cat "$KEY_B")")
PUB_C=$(pubkey_of "$(cat "$KEY_C")")

# build: fresh namespaces H, A, B, C and the tunnels; sets NS_*, DEV_C,
# CLI_C. Returns 1 with the reason in ERR.
build()
{
	local out
	ns_new NS_H && ns_new NS_A && ns_new NS_B && ns_new NS_C || return 1
	DEV_C=$(kind_dev "$KIND_C") CLI_C=$(kind_cli "$KIND_C")
	out=$({
		ip link add hb netns "$NS_H" type veth peer name vb netns "$NS_B" &&
		ip link add hc netns "$NS_H" type veth peer name vc netns "$NS_C" &&
		printf '%s\n' "addr add 192.168.71.1/24 dev hb" "link set hb up" \
			"addr add fd00:72::1/64 dev hc nodad" "link set hc up" \
			"link add veil0 type $VEIL_LINK_TYPE" | ip -n "$NS_H" -batch - &&
		veil_ns "$NS_H" set veil0 private-key "$KEY_H" listen-port "$PORT_H" \
			peer "$PUB_B" allowed-ips 10.71.0.2/32 endpoint "192.168.71.2:$PORT_B" \
			peer "$PUB_C" allowed-ips 10.71.0.3/32 endpoint "[fd00:72::2]:$PORT_C" &&
		ip -n "$NS_H" link set veil0 netns "$NS_A" &&
		printf '%s\n' "addr add 10.71.0.1/24 dev veil0" "link set veil0 up" |
			ip -n "$NS_A" -batch - &&
		ip netns exec "$NS_A" sysctl -qw net.ipv4.ip_forward=1 &&
		printf '%s\n' "addr add 192.168.71.2/24 dev vb" "link set vb up" \
			"link add veil0 type $VEIL_LINK_TYPE" | ip -n "$NS_B" -batch - &&
		veil_ns "$NS_B" set veil0 private-key "$KEY_B" listen-port "$PORT_B" \
			peer "$PUB_H" allowed-ips 10.71.0.0/24 endpoint "192.168.71.1:$PORT_H" &&
		printf '%s\n' "addr add 10.71.0.2/24 dev veil0" "link set veil0 up" |
			ip -n "$NS_B" -batch - &&
		printf '%s\n' "addr add fd00:72::2/64 dev vc nodad" "link set vc up" \
			"link add $DEV_C type $(kind_link "$KIND_C")" | ip -n "$NS_C" -batch - &&
		nsexec "$NS_C" "$CLI_C" set "$DEV_C" private-key "$KEY_C" listen-port "$PORT_C" \
			peer "$PUB_H" allowed-ips 10.71.0.0/24 endpoint "[fd00:72::1]:$PORT_H" &&
		printf '%s\n' "addr add 10.71.0.3/24 dev $DEV_C" "link set $DEV_C up" |
			ip -n "$NS_C" -batch -
	} 2>&1) || { ERR=$out; return 1; }
	# Both handshakes, through the forwarding hub.
	nsexec "$NS_B" ping -q -c 1 -W 1 -w 30 10.71.0.3 >/dev/null 2>&1 ||
		{ ERR="no ping from B to C through the hub"; return 1; }
}

# unbuild: remove what is left of the namespaces.
unbuild()
{
	local ns
	for ns in "$NS_H" "$NS_A" "$NS_B" "$NS_C"; do
		[ -e "/run/netns/$ns" ] && ns_del "$ns"
	done
	return 0
}

# tcp_listening NS PORT: a TCP socket listens on PORT in NS.
tcp_listening() { [ -n "$(ssn "$1" -ltnH "sport = :$2")" ]; }

# rxb NS DEV: DEV's rx_bytes in NS (empty when it is gone).
rxb() { nsexec "$1" cat "/sys/class/net/$2/statistics/rx_bytes" 2>/dev/null; }

# load_start: TCP both ways between B and C and UDP floods; sets PIDS.
load_start()
{
	local p
	PIDS=()
	ns_bg "$NS_C" iperf3 -s -p 5201 >/dev/null 2>&1 </dev/null
	PIDS+=($!)
	ns_bg "$NS_B" iperf3 -s -p 5202 >/dev/null 2>&1 </dev/null
	PIDS+=($!)
	wait_for 10 tcp_listening "$NS_C" 5201
	wait_for 10 tcp_listening "$NS_B" 5202
	ns_bg "$NS_B" iperf3 -c 10.71.0.3 -p 5201 -t 300 >/dev/null 2>&1 </dev/null
	PIDS+=($!)
	ns_bg "$NS_C" iperf3 -c 10.71.0.2 -p 5202 -t 300 >/dev/null 2>&1 </dev/null
	PIDS+=($!)
	ns_bg "$NS_B" python3 -c "$VEIL_UDP_FLOOD_PY" 10.71.0.3 9 300 >/dev/null 2>&1 </dev/null
	PIDS+=($!)
	ns_bg "$NS_C" python3 -c "$VEIL_UDP_FLOOD_PY" 10.71.0.2 9 300 >/dev/null 2>&1 </dev/null
	PIDS+=($!)
	for p in "${PIDS[@]}"; do at_exit kill -KILL "$p"; done
}

# flowing: both legs carry traffic now: over 2 s, B's and C's tunnel
# devices each received at least 64 KiB. Sets FLOW (the numbers).
flowing()
{
	local b0 c0 b1 c1
	b0=$(rxb "$NS_B" veil0) c0=$(rxb "$NS_C" "$DEV_C")
	sleep 2
	b1=$(rxb "$NS_B" veil0) c1=$(rxb "$NS_C" "$DEV_C")
	FLOW="B received $((b1 - b0)) bytes, C received $((c1 - c0)) bytes in 2 s"
	[ $((b1 - b0)) -ge 65536 ] && [ $((c1 - c0)) -ge 65536 ]
}

# no_veil_links NS: NS has no veil device (or is gone).
no_veil_links()
{
	[ ! -e "/run/netns/$1" ] || [ -z "$(veil_links "$1")" ]
}

# sockets_gone NS PORT...: no UDP socket on any PORT in NS.
sockets_gone()
{
	local ns=$1 p
	shift
	for p in "$@"; do
		[ "$(udp_proc_sockets "$ns" "$p")" = 0 ] || return 1
	done
}

# sockets_desc NS PORT...: the counts, for diagnostics.
sockets_desc()
{
	local ns=$1 p
	shift
	for p in "$@"; do printf '%s ' "$ns:$p=$(udp_proc_sockets "$ns" "$p")"; done
}

# round OP N: one hostile operation under load. 5 results (6 for rmmod).
round()
{
	local op=$1 d="$1 (round $2)" mark rc out t0 secs n_res=5
	[ "$op" = rmmod ] && n_res=6
	if ! build; then
		diag "setup: $ERR"
		unbuild
		skip_n "$n_res" "$d" "the topology did not come up"
		return
	fi
	mark=$(kmsg_mark)
	[ "$(udp_proc_sockets "$NS_H" "$PORT_H")" = 2 ] ||
		diag "$d: hub sockets before: $(sockets_desc "$NS_H" "$PORT_H")"
	load_start
	wait_for 20 flowing
	result "$d: traffic flows through the hub before the operation" $? "$FLOW"
	t0=$(date +%s)
	case "$op" in
	del)
		out=$(timeout 60 ip -n "$NS_A" link del veil0 2>&1)
		rc=$?
		[ $rc = 0 ] && wait_for 10 sockets_gone "$NS_H" "$PORT_H"
		rc=$((rc + $?))
		wait_for 1 no_veil_links "$NS_A"
		rc=$((rc + $?))
		;;
	netns)
		out=$(ns_del "$NS_A" 2>&1)
		rc=$?
		# The namespaces' cleanup is asynchronous (one kernel worker
		# for all namespaces, which works through the ones deleted
		# before first; minutes on a loaded debug kernel): the hub's
		# sockets (in H) go when the core deletes the hub.
		[ $rc = 0 ] && wait_for "$NS_WAIT" sockets_gone "$NS_H" "$PORT_H"
		rc=$((rc + $?))
		;;
	birth)
		out=$(ns_del "$NS_H" 2>&1)
		rc=$?
		[ $rc = 0 ] && wait_for "$NS_WAIT" no_veil_links "$NS_A"
		rc=$((rc + $?))
		;;
	rmmod)
		out=$(timeout 120 rmmod "$VEIL_MODULE" 2>&1)
		rc=$?
		[ $rc = 0 ] && ! module_loaded && no_veil_links "$NS_A" && no_veil_links "$NS_B" &&
			sockets_gone "$NS_H" "$PORT_H" && sockets_gone "$NS_B" "$PORT_B"
		rc=$((rc + $?))
		;;
	esac
	secs=$(($(date +%s) - t0))
	result "$d: the operation succeeded under load and the veil devices concerned are gone (${secs}s)" \
		"$rc" "$out" "A: $(veil_links "$NS_A" 2>&1 | tr '\n' ' ')" \
		"B: $(veil_links "$NS_B" 2>&1 | tr '\n' ' ')" "module loaded: $(module_loaded && echo yes || echo no)"
	bg_stop "${PIDS[@]}"
	result "$d: the traffic processes end (none stuck in the kernel)" $? "pids: ${PIDS[*]}"
	# The sockets of every veil device that is gone, in its birth namespace.
	# After "birth" H is gone with them: none may appear in A, and B's
	# own two (v4, v6) are untouched.
	case "$op" in
	del|netns) sockets_gone "$NS_H" "$PORT_H" ;;
	birth) sockets_gone "$NS_A" "$PORT_H" && [ "$(udp_proc_sockets "$NS_B" "$PORT_B")" = 2 ] ;;
	rmmod) sockets_gone "$NS_H" "$PORT_H" && sockets_gone "$NS_B" "$PORT_B" ;;
	esac
	result "$d: no UDP socket left on the ports of the deleted devices" $? \
		"$(sockets_desc "$NS_A" "$PORT_H")" \
		"$(sockets_desc "$NS_H" "$PORT_H")" "$(sockets_desc "$NS_B" "$PORT_B")"
	if [ "$op" = rmmod ]; then
		# shellcheck disable=SC2086 # parameters are words
		check "$d: the module loads again" load_module $VEIL_LOAD_ARGS
	fi
	unbuild
	rc=$(module_refcount)
	check_eq "$d: module reference count back to 0" 0 "$rc"
	kernel_log_clean "$d: no kernel warning" "$mark"
}

# A round takes minutes on a loaded emulated machine: start another only
# when it fits in the runner's time limit (VEIL_TEST_TIMEOUT, else settings)
# with a margin; the rounds left out are reported as skipped.
LIMIT=${VEIL_TEST_TIMEOUT:-$(sed -n 's/^timeout=//p' "$VEIL_SELFTEST_DIR/settings" 2>/dev/null)}
LIMIT=${LIMIT:-600}
T_START=$SECONDS
for ((r = 1; r <= ROUNDS; r++)); do
	t0=$SECONDS
	for op in $OPS; do
		round "$op" "$r"
	done
	per=$((SECONDS - t0))
	diag "round $r took ${per}s"
	if [ "$r" -lt "$ROUNDS" ] && [ $((SECONDS - T_START + per * 3 / 2 + 100)) -gt "$LIMIT" ]; then
		diag "another round of ${per}s would not fit in the ${LIMIT}s time limit"
		skip_n $(((ROUNDS - r) * PER_ROUND)) "rounds $((r + 1))..$ROUNDS" \
			"time limit: round $r took ${per}s"
		break
	fi
done

# A fresh tunnel works after all of it (the module was reloaded).
if build; then
	check "fresh topology after the rounds: ping B -> C through the hub" \
		nsexec "$NS_B" ping -q -c 3 -i 0.2 -W 3 10.71.0.3
	ns_bg "$NS_C" iperf3 -s -1 -p 5201 >/dev/null 2>&1 </dev/null
	spid=$!
	wait_for 10 tcp_listening "$NS_C" 5201
	out=$(nsexec "$NS_B" timeout 60 iperf3 -c 10.71.0.3 -p 5201 -n 2M -R --json 2>&1)
	sum=$(iperf_summary "$out")
	bg_stop "$spid"
	[ "$(kv error "$sum")" = none ] && [ "$(kv received "$sum")" -ge 2097152 ]
	result "fresh topology: 2 MiB TCP C -> B through the hub, all received" $? "$sum"
else
	diag "setup: $ERR"
	skip_n 2 "fresh topology after the rounds" "the topology did not come up"
fi
unbuild
kernel_log_clean "no kernel warning in the whole test"
tap_done
