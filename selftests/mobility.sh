#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mobility.sh: MTU changes and namespace moves of veil devices while
# traffic flows (an iperf3 TCP stream A -> B and UDP floods both ways
# through the tunnel, topo_new veil veil of lib.sh). What it proves:
#
#  - MTU: every value from the device's minimum to its maximum (min, 576,
#    1280, 1500, 9000, max, back to 1420) is accepted on both ends under
#    load, VEIL_MOBILITY_ROUNDS times (default 2, 1 on a debug kernel); the minimum is at least
#    68 (IPv4's); min - 1 and max + 1 are refused and leave the MTU as it
#    was; afterwards the configuration is unchanged and traffic flows again.
#  - Moves: alternately A's and B's device is moved to a namespace X under
#    load (VEIL_MOBILITY_ROUNDS times): in X it has the very same
#    configuration (keys, listen port, peers, allowed IPs, endpoints); up in
#    X its UDP sockets are on the same port in its birth namespace and none
#    in X; it carries traffic from X; moved back, with its addresses again,
#    the configuration is the same and traffic flows again.
#  - At the end a fresh iperf3 transfer completes and the kernel log has no
#    warning.

. "$(dirname "$0")/lib.sh"

require_module
require_cli
require_cmd iperf3 python3 ping
[ -z "$VEIL_NS_INSIDE" ] || bail_out "mobility.sh must run in the init namespace"

ROUNDS=${VEIL_MOBILITY_ROUNDS:-$(kernel_is_debug && echo 1 || echo 2)}
tap_plan $((2 + ROUNDS + 4 + 4 * ROUNDS + 2))

topo_new veil veil && tping A 4 -c 1 -W 1 -w 30
result "topology veil<->veil up, ping A -> B" $? "$T_ERR" "$T_PING" ||
	bail_out "no tunnel to work with"

# conf SIDE [NS]: the configuration of SIDE's device (in NS, default its
# own namespace) as "show dump" gives it, without handshake time and
# transfer counters.
conf()
{
	local ns=${2:-$(tv NS "$1")}
	veil_ns "$ns" show "$(tv DEV "$1")" dump 2>&1 |
		awk -F'\t' -v OFS='\t' 'NR > 1 { $5 = $6 = $7 = "-" } { print }'
}
CONF_A=$(conf A) CONF_B=$(conf B)

# tcp_listening NS PORT: a TCP socket listens on PORT in NS.
tcp_listening() { [ -n "$(ssn "$1" -ltnH "sport = :$2")" ]; }

PIDS=()
# load_start [PPS [RATE]]: iperf3 A -> B (long; as fast as it goes, or at
# most RATE bits/s, e.g. 20M) and UDP floods both ways (as fast as they go,
# or PPS datagrams per second each); sets PIDS.
load_start()
{
	local p pps=${1:-0} rate=${2:-0}
	ns_bg "$T_NS_B" iperf3 -s -p 5201 >/dev/null 2>&1 </dev/null
	PIDS=($!)
	wait_for 10 tcp_listening "$T_NS_B" 5201
	ns_bg "$T_NS_A" iperf3 -c "$T_IN4_B" -p 5201 -t 600 -b "$rate" >/dev/null 2>&1 </dev/null
	PIDS+=($!)
	ns_bg "$T_NS_A" python3 -c "$VEIL_UDP_FLOOD_PY" "$T_IN4_B" 9 600 "$pps" >/dev/null 2>&1 </dev/null
	PIDS+=($!)
	ns_bg "$T_NS_B" python3 -c "$VEIL_UDP_FLOOD_PY" "$T_IN6_A" 9 600 "$pps" >/dev/null 2>&1 </dev/null
	PIDS+=($!)
	for p in "${PIDS[@]}"; do at_exit kill -KILL "$p"; done
}

load_stop() { [ ${#PIDS[@]} = 0 ] || bg_stop "${PIDS[@]}"; PIDS=(); }

# flowing: B's tunnel device received at least 64 KiB in 2 s; sets FLOW.
flowing()
{
	local b0 b1
	b0=$(tdev_stat B rx_bytes) || return 1
	sleep 2
	b1=$(tdev_stat B rx_bytes) || return 1
	FLOW="B's $T_DEV_B received $((b1 - b0)) bytes in 2 s"
	[ $((b1 - b0)) -ge 65536 ]
}

# mtu_field: the MTU in ip -o link show output on stdin.
mtu_field() { sed -n 's/.* mtu \([0-9]*\) .*/\1/p'; }
# mtu_of NS DEV, mtu_range NS DEV ("min max")
mtu_of() { ipn "$1" -o link show dev "$2" | mtu_field; }
mtu_range()
{
	ipn "$1" -d -j link show dev "$2" |
		python3 -c 'import json,sys; d = json.load(sys.stdin)[0]; print(d["min_mtu"], d["max_mtu"])'
}

# readdr SIDE: SIDE's inner addresses again (gone after a move; IPv6 also
# goes when the MTU drops below 1280), device up.
readdr()
{
	printf '%s\n' "addr replace $(tv IN4 "$1")/24 dev $(tv DEV "$1")" \
		"addr replace $(tv IN6 "$1")/64 dev $(tv DEV "$1") nodad" \
		"link set $(tv DEV "$1") up" | ip -n "$(tv NS "$1")" -batch -
}

# During the MTU changes the load is limited (TCP to 2 Mbit/s, the UDP
# floods to 300 datagrams per second): at an MTU of 68 a TCP segment holds
# 28 bytes and a large datagram is 60 fragments, each its own encrypted
# message, and unlimited load starves the commands of an emulated CPU for
# minutes.
load_start 300 2M
wait_for 30 flowing
result "traffic flows A -> B (iperf3 and UDP floods)" $? "$FLOW"

# ---- MTU under load ---------------------------------------------------------
read -r MIN MAX <<<"$(mtu_range "$T_NS_A" "$T_DEV_A")"
diag "MTU range of $T_DEV_A: ${MIN:-?} .. ${MAX:-?}"
for ((r = 1; r <= ROUNDS; r++)); do
	bad=
	for m in "$MIN" 576 1280 1500 9000 "$MAX" 1420; do
		for s in A B; do
			# Set and read back in one ip process: under this load
			# each process start takes seconds on a debug kernel.
			out=$(printf 'link set dev %s mtu %s\nlink show dev %s\n' \
				"$(tv DEV "$s")" "$m" "$(tv DEV "$s")" |
				ipn "$(tv NS "$s")" -o -batch - 2>&1) ||
				bad+="$s: mtu $m refused: $out"$'\n'
			got=$(mtu_field <<<"$out")
			[ "$got" = "$m" ] || bad+="$s: mtu $m set, ${got:-no MTU} shown"$'\n'
		done
		sleep 0.3
	done
	result "MTU sweep $r: $MIN, 576, 1280, 1500, 9000, $MAX, 1420 accepted on both ends under load" \
		"$([ -z "$bad" ] && [ -n "$MIN" ]; echo $?)" "$bad"
done

out=$(ipn "$T_NS_A" link set dev "$T_DEV_A" mtu $((MIN - 1)) 2>&1)
rc=$?
m=$(mtu_of "$T_NS_A" "$T_DEV_A")
result "MTU $((MIN - 1)) (below the minimum $MIN, which is >= 68) refused, MTU still 1420" \
	"$([ "$rc" != 0 ] && [ "$m" = 1420 ] && [ "$MIN" -ge 68 ]; echo $?)" "exit $rc: $out" "mtu now $m"
out=$(ipn "$T_NS_A" link set dev "$T_DEV_A" mtu $((MAX + 1)) 2>&1)
rc=$?
m=$(mtu_of "$T_NS_A" "$T_DEV_A")
result "MTU $((MAX + 1)) (above the maximum) refused, MTU still 1420" \
	"$([ "$rc" != 0 ] && [ "$m" = 1420 ]; echo $?)" "exit $rc: $out" "mtu now $m"

readdr A && readdr B
# Forget the path MTUs learned during the sweep. A TCP segment that no
# longer fits an MTU of 68 (an ACK with SACK blocks, say) makes the sender's
# own stack answer "fragmentation needed"; below net.ipv4.route.min_pmtu the
# kernel then locks a route exception at 68 for 10 minutes, and a higher
# device MTU does not raise a locked one. A new connection to that address
# would cut 36-byte segments, each two IP fragments: stock kernel behaviour,
# the same over any device, so the rest of this test starts afresh.
for s in A B; do
	o=$(other "$s")
	pmtu=$(ipn "$(tv NS "$s")" -4 route get "$(inner_of "$o" 4)" 2>&1 | grep -o 'mtu lock [0-9]*')
	[ -z "$pmtu" ] || diag "$s's route to $o's inner IPv4 address learned $pmtu in the sweep"
	ipn "$(tv NS "$s")" -4 route flush cache
	ipn "$(tv NS "$s")" -6 route flush cache
done
load_stop
load_start
wait_for 30 flowing
result "traffic flows again after the MTU changes" $? "$FLOW"
check_eq "configurations unchanged by the MTU changes" "$CONF_A"$'\n'"$CONF_B" "$(conf A)"$'\n'"$(conf B)"

# ---- namespace moves under load -----------------------------------------------
for ((r = 1; r <= ROUNDS; r++)); do
	s=A
	[ $((r % 2)) = 0 ] && s=B
	o=$(other "$s")
	ns=$(tv NS "$s") dev=$(tv DEV "$s") port=$(tv PORT "$s")
	want=$(if [ "$s" = A ]; then echo "$CONF_A"; else echo "$CONF_B"; fi)
	ns_new X
	d="move $r: $s's $dev"
	out=$(ipn "$ns" link set dev "$dev" netns "$X" 2>&1)
	rc=$?
	got=$(conf "$s" "$X")
	result "$d moved to a new namespace under load, same configuration there, gone from $s" \
		"$([ $rc = 0 ] && [ "$got" = "$want" ] && ! link_exists "$ns" "$dev"; echo $?)" \
		"exit $rc: $out" "expected:" "$want" "in X:" "$got"
	out=$(printf '%s\n' "addr add $(tv IN4 "$s")/24 dev $dev" "link set $dev up" |
		ip -n "$X" -batch - 2>&1)
	socks="birth: $(udp_proc_sockets "$ns" "$port"), X: $(udp_proc_sockets "$X" "$port")"
	check_eq "$d up in X: its UDP sockets on port $port are in its birth namespace" \
		"birth: 2, X: 0" "$socks"
	nsexec "$X" ping -q -c 1 -W 1 -w 20 "$(inner_of "$o" 4)" >/dev/null 2>&1
	result "$d carries traffic from X (ping $(inner_of "$o" 4))" $? "$out"
	out=$(ipn "$X" link set dev "$dev" netns "$ns" 2>&1) && readdr "$s"
	rc=$?
	got=$(conf "$s")
	ns_del "$X"
	load_stop
	load_start
	wait_for 30 flowing
	frc=$?
	result "$d moved back: same configuration, traffic flows again" \
		"$([ $rc = 0 ] && [ "$got" = "$want" ] && [ $frc = 0 ]; echo $?)" \
		"exit $rc: $out" "$FLOW" "expected:" "$want" "now:" "$got"
done
load_stop

# nonzero_stats SIDE: SIDE's veil counters that are not 0, on one line.
nonzero_stats() { veil_stats "$(tv NS "$1")" "$(tv DEV "$1")" | awk '$2 != 0 { printf "%s=%s ", $1, $2 }'; }
# On failure, both sides' counters and B's route to A (a learned path MTU
# would show there) are printed.
tun_iperf A 4 -n 2M -R
sum=$(iperf_summary)
[ "$(kv error "$sum")" = none ] && [ "$(kv received "$sum")" -ge 2097152 ]
rc=$?
result "a fresh 2 MiB iperf3 transfer B -> A completes, all received" "$rc" "$sum" \
	"$([ "$rc" = 0 ] || echo "A: $(nonzero_stats A); B: $(nonzero_stats B)")" \
	"$([ "$rc" = 0 ] || ipn "$T_NS_B" -4 route get "$T_IN4_A" 2>&1)"
kernel_log_clean "no kernel warning"
tap_done
