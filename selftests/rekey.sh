#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Rekeying under load: a session that renews its keys keeps carrying a TCP
# stream without a gap, with veil on both ends and against the stock
# wireguard module.
#
# What it proves (topologies from topo_new in lib.sh):
#  - time-based rekey: with veil's module parameter rekey_after_time at 6 s,
#    a 20 s TCP stream veil->veil completes, no second of it goes without
#    data, the latest handshake moves on by 12 s or more on both sides, the
#    initiator started every handshake and the other side answered each,
#    and nothing was dropped on receive (every rx_drop_* counter is 0);
#  - message-based rekey: with rekey_after_messages at 2000 (time at its
#    default of 120 s) a 12 s stream makes veil start new handshakes (both
#    ends may pass the limit together; each collision must settle);
#  - veil as the rekeying initiator against the stock module (6 s again):
#    the stock side sees the new handshakes, the stream goes on;
#  - with VEIL_LONG_TESTS=1 (about 140 s more): the stock module as the
#    initiator across the real REKEY_AFTER_TIME (120 s) with veil at its
#    defaults answering: a second handshake, no ping lost, a slow TCP
#    stream alongside completes.
# The module parameters are restored at exit. With VEIL_MODULE other than
# veil (VEIL=wg VEIL_LINK_TYPE=wireguard VEIL_MODULE=wireguard) only the
# long test runs, stock against stock.

. "$(dirname "$0")/lib.sh"

require_module
require_cli
require_cmd ping iperf3 python3 ss

tap_plan 15

WG=0
wg_available && WG=1
PARAMS=/sys/module/$VEIL_MODULE/parameters

# knob NAME [VALUE]: read or write a module parameter.
knob()
{
	if [ $# -eq 1 ]; then
		cat "$PARAMS/$1"
	else
		echo "$2" >"$PARAMS/$1"
	fi
}

KNOBS=0
if [ "$VEIL_MODULE" = veil ]; then
	if [ -w "$PARAMS/rekey_after_time" ] && [ -w "$PARAMS/rekey_after_messages" ]; then
		KNOBS=1
		ORIG_TIME=$(knob rekey_after_time)
		ORIG_MSGS=$(knob rekey_after_messages)
		at_exit knob rekey_after_time "$ORIG_TIME"
		at_exit knob rekey_after_messages "$ORIG_MSGS"
		diag "module defaults: rekey_after_time=$ORIG_TIME rekey_after_messages=$ORIG_MSGS"
	fi
fi

# session_up: A pings B once (A initiates); records both latest handshakes
# in T_HS0_A / T_HS0_B.
# shellcheck disable=SC2034 # read through tv
session_up()
{
	tping A 4 -c 1 -W 5 || return 1
	T_HS0_A=$(field 5 "$(tun_peer A)") T_HS0_B=$(field 5 "$(tun_peer B)")
}

# stream_check DESC ARGS...: iperf3 -R ARGS with its client on B (data
# flows A->B): it succeeds, and every full second of it carried data.
stream_check()
{
	local desc=$1 rc sum
	shift
	tun_iperf B 4 -R "$@"
	rc=$?
	sum=$(iperf_summary "$T_IPERF_JSON")
	if [ "$rc" -eq 0 ] && [ "$(kv error "$sum")" = none ] &&
	   [ "$(kv received "$sum")" -gt 0 ] && [ "$(kv intervals "$sum")" -ge 5 ] &&
	   [ "$(kv min_interval "$sum")" -gt 0 ]; then
		ok "$desc"
		diag "iperf3: $sum"
	else
		not_ok "$desc" "iperf3 exit $rc: $sum" \
			"$(cat "$VEIL_TMP/iperf-client.err" "$VEIL_TMP/iperf-server.log" 2>/dev/null | tail -n 5)" \
			"A: $(tun_peer A)" "B: $(tun_peer B)"
	fi
}

# hs_moved_check DESC SECONDS SIDE...: each SIDE's latest handshake is now
# at least SECONDS later than when session_up recorded it.
hs_moved_check()
{
	local desc=$1 min=$2 s hs0 hs1 bad='' got=''
	shift 2
	for s in "$@"; do
		hs0=$(tv HS0 "$s")
		hs1=$(field 5 "$(tun_peer "$s")")
		got+="$s ($(tv KIND "$s")): $hs0 -> $hs1"$'\n'
		[[ $hs0 =~ ^[0-9]+$ ]] && [[ $hs1 =~ ^[0-9]+$ ]] && [ "$hs0" -gt 0 ] &&
			[ $((hs1 - hs0)) -ge "$min" ] || bad=1
	done
	result "$desc" "${bad:-0}" "latest handshake, want +$min s or more:" "$got"
	[ -n "$bad" ] || diag "latest handshake: ${got//$'\n'/; }"
}

# knob_section DESC N: false, after N results (one "not ok" when veil lacks
# the knobs, else skips), when the knobs cannot be used.
knob_section()
{
	[ "$KNOBS" = 1 ] && return 0
	if [ "$VEIL_MODULE" = veil ]; then
		not_ok "$1: module parameters rekey_after_time and rekey_after_messages are writable" \
			"$(ls -l "$PARAMS" 2>&1)"
		skip_n $(($2 - 1)) "$1" "no rekey module parameters"
	else
		skip_n "$2" "$1" "module $VEIL_MODULE has no rekey parameters"
	fi
	return 1
}

# setup_or_fail DESC N KIND_A KIND_B [OPTIONS...]: a topology and a session
# A->B; on failure, N results (one not ok) and false.
setup_or_fail()
{
	local desc=$1 n=$2
	shift 2
	if topo_new "$@" && session_up; then
		return 0
	fi
	not_ok "$desc: topology and first session" "${T_ERR:-$T_PING}"
	skip_n $((n - 1)) "$desc" "no session"
	return 1
}

# ---- time-based, veil <-> veil ------------------------------------------------
D="rekey_after_time=6, veil<->veil"
if knob_section "$D" 3; then
	knob rekey_after_time 6
	if setup_or_fail "$D" 3 veil veil outer=4; then
		stream_check "$D: a 20 s TCP stream A->B completes, every second carries data" -t 20
		hs_moved_check "$D: the latest handshake moved on by >= 12 s on both sides" 12 A B
		tun_counters_check "$D: veil counters: >= 3 handshakes, all started by A and answered by B, no receive drops" \
			"A:handshake_initiations_sent>=3" "A:handshake_responses_received>=3" \
			"B:handshake_initiations_received>=3" "B:handshake_responses_sent>=3" \
			"B:handshake_initiations_sent==0" "A:rx_drop_*==0" "B:rx_drop_*==0"
	fi
	knob rekey_after_time "$ORIG_TIME"
fi

# ---- message-based, veil <-> veil ------------------------------------------------
D="rekey_after_messages=2000, veil<->veil"
if knob_section "$D" 4; then
	knob rekey_after_messages 2000
	if setup_or_fail "$D" 4 veil veil outer=6; then
		stream_check "$D: a 12 s TCP stream A->B completes, every second carries data" -t 12
		hs_moved_check "$D: the latest handshake moved on (well before rekey_after_time)" 1 A B
		# Both ends pass the message limit under two-way TCP, so both
		# may start a handshake at the same moment: the end with the
		# larger public key keeps its own initiation and ignores the
		# other's (handshake_collisions), the other end answers. So
		# new handshakes complete, started by either end.
		hs_done=0
		for s in A B; do
			n=$(veil_stat "$(tv NS "$s")" "$(tv DEV "$s")" handshake_responses_received) || n=0
			hs_done=$((hs_done + n))
		done
		[ "$hs_done" -ge 2 ]
		result "$D: new handshakes completed (first one plus >= 1 rekey, either end initiating)" $? \
			"responses received by A and B together: $hs_done" \
			"A: $(tun_peer A)" "B: $(tun_peer B)"
		# When both ends rekey close together, messages in flight under
		# a key the receiver has just freed are refused as unknown
		# index. veil ignores a crossed initiation (docs/design.md,
		# "Timers"), which removed such drops in 20 runs with streams
		# both ways (before: about 100 in a third of the runs); how many
		# remain in a rare other case would depend on the round trip,
		# that is on the machine's speed, so up to 1% of the data
		# messages an end received is allowed. Any other drop fails.
		ulim=()
		for s in A B; do
			st=$(veil_stats "$(tv NS "$s")" "$(tv DEV "$s")")
			n=$(stat_of "$st" rx_inplace) c=$(stat_of "$st" rx_cow)
			n=$((${n:-0} + ${c:-0}))
			ulim+=("$s:rx_drop_unknown_index<=$((n / 100))")
		done
		tun_counters_check "$D: veil counters: A started rekeys, no data dropped but in-flight messages of a crossed rekey (<= 1%)" \
			"A:handshake_initiations_sent>=2" "${ulim[@]}" \
			"A:rx_drop_malformed==0" "A:rx_drop_bad_mac1==0" "A:rx_drop_key_expired==0" \
			"A:rx_drop_bad_tag==0" "A:rx_drop_replay==0" "A:rx_drop_bad_inner==0" "A:rx_drop_allowedips==0" \
			"B:rx_drop_malformed==0" "B:rx_drop_bad_mac1==0" "B:rx_drop_key_expired==0" \
			"B:rx_drop_bad_tag==0" "B:rx_drop_replay==0" "B:rx_drop_bad_inner==0" "B:rx_drop_allowedips==0"
	fi
	knob rekey_after_messages "$ORIG_MSGS"
fi

# ---- time-based, veil initiator <-> stock responder ------------------------
D="rekey_after_time=6, veil<->wg, veil initiates"
if [ "$WG" != 1 ]; then
	skip_n 3 "$D" "stock wireguard not available"
elif knob_section "$D" 3; then
	knob rekey_after_time 6
	if setup_or_fail "$D" 3 veil wg outer=4 psk=1; then
		stream_check "$D: a 20 s TCP stream veil->wg completes, every second carries data" -t 20
		hs_moved_check "$D: the stock side's latest handshake moved on by >= 12 s" 12 B
		tun_counters_check "$D: veil counters: >= 3 handshakes started by veil, all answered, no receive drops" \
			"A:handshake_initiations_sent>=3" "A:handshake_responses_received>=3" \
			"A:handshake_initiations_received==0" "A:rx_drop_*==0"
	fi
	knob rekey_after_time "$ORIG_TIME"
fi

# ---- the real REKEY_AFTER_TIME, stock initiator <-> veil ---------------------
D="REKEY_AFTER_TIME (120 s), wg<->veil, wg initiates"
if [ "${VEIL_LONG_TESTS:-0}" != 1 ]; then
	skip_n 4 "$D" "takes about 140 s: set VEIL_LONG_TESTS=1"
elif [ "$WG" != 1 ]; then
	skip_n 4 "$D" "stock wireguard not available"
elif setup_or_fail "$D" 4 wg veil outer=4; then
	nsexec "$T_NS_A" ping -n -q -i 1 -c 135 -W 3 "$T_IN4_B" >"$VEIL_TMP/long-ping" 2>&1 </dev/null &
	pid=$!
	at_exit kill "$pid"
	stream_check "$D: a slow 135 s TCP stream wg->veil completes, every second carries data" \
		-t 135 -b 200K -l 1400
	wait "$pid"
	rc=$?
	grep -q ' 0% packet loss' "$VEIL_TMP/long-ping" || rc=1
	result "$D: 135 pings, one a second, all answered (no gap at the rekey)" "$rc" \
		"$(cat "$VEIL_TMP/long-ping")"
	hs_moved_check "$D: a second handshake, 120 s or more after the first, on both sides" 120 A B
	tun_counters_check "$D: veil counters: veil answered >= 2 handshakes, started none, no receive drops" \
		"B:handshake_initiations_received>=2" "B:handshake_responses_sent>=2" \
		"B:handshake_initiations_sent==0" "B:rx_drop_*==0"
fi

topo_del
kernel_log_clean "no kernel warnings"

tap_done
