#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# abuse.sh: a veil device under attack from the network, with wire_tool
# (selftests/wire_tool.c) as the attacker. What it proves:
#
#  1. Cookies under load, veil responder: a flood of initiations with a
#     valid mac1 drives the responder under load (under_load counter); it
#     answers with cookie replies instead of doing DH work
#     (cookie_replies_sent, and the replies reach the flooder); a legitimate
#     veil initiator receives a cookie reply, retries with mac2 and completes
#     its handshake while the flood is still running (ping, latest
#     handshake). On a debug kernel the flood keeps at most 1024
#     initiations unanswered (see flood_run). With handshake_max_wait_ms=1,
#     the messages that waited in the responder's queues under load are
#     dropped unanswered (rx_drop_handshake_stale) and the tunnel keeps
#     working.
#  2. The same against a stock WireGuard responder with a veil initiator
#     (flood bounded to 1024 unanswered initiations on every kernel): veil
#     stores the stock peer's cookie and sends a mac2 it accepts.
#  3. Replay: a captured data message sent again (5 times, from another
#     source port) is authenticated and refused as a replay, counted
#     exactly (rx_drop_replay), does not move the sender's endpoint, and the
#     tunnel keeps working.
#  4. Garbage: thousands of malformed and unauthenticated messages at full
#     speed against a device with a live tunnel: every datagram that reached
#     the port is counted as a drop, each category under its precise
#     counter (malformed size/type/reserved bytes, bad mac1, unknown
#     receiver index, cookie reply for no handshake, initiation that fails
#     to decrypt), the tunnel still works, the configuration and the peer's
#     endpoint are unchanged, and the kernel logs no warning.
#  5. The same garbage against a stock WireGuard device leaves its tunnel
#     working (a check of the tool against the reference implementation).
#  6. Garbage floods: each of several shapes (malformed sizes/types/reserved
#     bytes, unknown-index data, bad cookie replies and mac1, all mixed) sent
#     at full speed for a few seconds while A pings B through the tunnel:
#     the pings get through during the flood, every datagram that reached
#     the port is counted as a drop under the shape's counters, and the
#     tunnel and B's configuration are intact afterwards.
#  7. An established TCP stream (iperf3 A -> B) under a handshake-initiation
#     flood: B goes under load and answers with cookie replies, the stream
#     keeps moving data while the flood runs and iperf3 completes.
#
# Topology: namespaces A (legitimate peer), B (the devices under test) and
# C (the attacker); veth A-B 192.168.251.0/24, veth C-B 192.168.252.0/24.
# Each test has its own pair of tunnel devices (A <-> B). "Reached the
# port" is measured by the UDP InDatagrams counter of B (it counts the
# datagrams UDP hands to a tunnel socket), minus the legitimate packets.
#
# Environment: VEIL_ABUSE_FLOOD_RATE (initiations per second, default 0 =
# as fast as wire_tool goes), VEIL_ABUSE_GARBAGE (messages in the mixed
# burst, default 5000), VEIL_ABUSE_SEED (garbage seed, default random;
# always printed), VEIL_ABUSE_FLOOD_SECS (seconds of each garbage flood,
# default 3), VEIL_ABUSE_FLOOD_BURST (initiations per UDP GSO datagram of
# the initiation flood, default 1, 16 on a debug kernel).

. "$(dirname "$0")/lib.sh"

require_module
require_cli
require_cmd ethtool ping awk

FLOOD_RATE=${VEIL_ABUSE_FLOOD_RATE:-0}
# On a debug kernel a flooder sending one initiation per system call does
# not outpace the responder's handshake worker, which then never stays
# under load: there it sends 16 per UDP GSO datagram.
FLOOD_BURST=${VEIL_ABUSE_FLOOD_BURST:-$(kernel_is_debug && echo 16 || echo 1)}
GARBAGE_N=${VEIL_ABUSE_GARBAGE:-5000}
SEED=${VEIL_ABUSE_SEED:-$((RANDOM * 32768 + RANDOM))}
GFLOOD_SECS=${VEIL_ABUSE_FLOOD_SECS:-3}

# wire_tool: built by the Makefile next to this script; else (a fresh tree
# or a stale binary) built now into the private directory.
WT=$VEIL_SELFTEST_DIR/wire_tool
if [ ! -x "$WT" ] || [ "$VEIL_SELFTEST_DIR/wire_tool.c" -nt "$WT" ]; then
	WT=$VEIL_TMP/wire_tool
	cc -Wall -Wextra -O2 -o "$WT" "$VEIL_SELFTEST_DIR/wire_tool.c" 2>"$VEIL_TMP/cc.log" ||
		skip_all "wire_tool is not built and cannot be compiled: $(head -n 3 "$VEIL_TMP/cc.log")"
fi
"$WT" selftest >/dev/null 2>&1 || bail_out "wire_tool selftest failed: $("$WT" selftest 2>&1)"

tap_plan 48

# ---------------------------------------------------------------------------
# Topology helpers (local to this test)

A_OUT=192.168.251.1
B_OUT=192.168.251.2
C_OUT=192.168.252.1
B_OUTC=192.168.252.2

# ab_cli KIND, ab_link KIND: the CLI and link type of "veil" or "wg".
ab_cli() { if [ "$1" = wg ]; then echo wg; else echo "$VEIL"; fi; }
ab_link() { if [ "$1" = wg ]; then echo wireguard; else echo "$VEIL_LINK_TYPE"; fi; }

# ab_wg_ok: the stock wireguard module and tool are usable.
ab_wg_ok()
{
	command -v wg >/dev/null 2>&1 || return 1
	[ -d /sys/module/wireguard ] || modprobe wireguard >/dev/null 2>&1
}

# ab_topology: namespaces A, B, C and the two veth pairs.
ab_topology()
{
	ns_new NS_A && ns_new NS_B && ns_new NS_C || return 1
	ip link add va netns "$NS_A" type veth peer name vb netns "$NS_B" &&
		ip link add vc netns "$NS_C" type veth peer name vbc netns "$NS_B" || return 1
	ipn "$NS_A" addr add "$A_OUT/24" dev va &&
		ipn "$NS_B" addr add "$B_OUT/24" dev vb &&
		ipn "$NS_C" addr add "$C_OUT/24" dev vc &&
		ipn "$NS_B" addr add "$B_OUTC/24" dev vbc || return 1
	ipn "$NS_A" link set va up && ipn "$NS_B" link set vb up &&
		ipn "$NS_C" link set vc up && ipn "$NS_B" link set vbc up
}

# ab_pair N KIND_A KIND_B: a tunnel between A and B: device "<kind>N" on
# each side (veil3, wg2 ...), ports 200N1 (A) and 200N2 (B), inner
# addresses 10.251.N.1 (A) and .2 (B). A knows B's endpoint; B learns A's.
# Sets DEV_A, DEV_B, PORT_A, PORT_B, IN_A, IN_B, PUB_A, PUB_B, KIND_A/B.
ab_pair()
{
	local n=$1 ka kb
	KIND_A=$2 KIND_B=$3
	DEV_A=$KIND_A$n DEV_B=$KIND_B$n
	PORT_A=200${n}1 PORT_B=200${n}2
	IN_A=10.251.$n.1 IN_B=10.251.$n.2
	ka=$(genkey) && kb=$(genkey) || return 1
	PUB_A=$(pubkey_of "$ka") && PUB_B=$(pubkey_of "$kb") || return 1
	ipn "$NS_A" link add "$DEV_A" type "$(ab_link "$KIND_A")" &&
		ipn "$NS_B" link add "$DEV_B" type "$(ab_link "$KIND_B")" || return 1
	nsexec "$NS_A" "$(ab_cli "$KIND_A")" set "$DEV_A" \
		private-key "$(keyfile "$ka")" listen-port "$PORT_A" \
		peer "$PUB_B" allowed-ips "$IN_B/32" endpoint "$B_OUT:$PORT_B" || return 1
	nsexec "$NS_B" "$(ab_cli "$KIND_B")" set "$DEV_B" \
		private-key "$(keyfile "$kb")" listen-port "$PORT_B" \
		peer "$PUB_A" allowed-ips "$IN_A/32" || return 1
	ipn "$NS_A" addr add "$IN_A/24" dev "$DEV_A" &&
		ipn "$NS_B" addr add "$IN_B/24" dev "$DEV_B" &&
		ipn "$NS_A" link set "$DEV_A" up &&
		ipn "$NS_B" link set "$DEV_B" up
}

# ab_pair_del: remove the current pair's devices.
ab_pair_del()
{
	ipn "$NS_A" link del "$DEV_A" 2>/dev/null
	ipn "$NS_B" link del "$DEV_B" 2>/dev/null
}

# ab_bg NS CMD...: CMD in NS in the background as its own process, so that
# $! is CMD itself: a signal reaches it (wire_tool then prints its summary)
# and never a subshell of this script (which would run the exit cleanup).
ab_bg()
{
	local ns=$1
	shift
	(trap - EXIT INT TERM HUP; exec ip netns exec "$ns" "$@") &
}

# ab_ping SECONDS: A pings B through the tunnel until one reply or SECONDS.
ab_ping()
{
	nsexec "$NS_A" ping -q -c 1 -W 1 -w "$1" "$IN_B" >/dev/null 2>&1
}

# ab_snap NS DEV [TRIES]: one snapshot, "name value" per line: the device's
# `ethtool -S` counters (when it has them), its rx_packets, and the
# namespace's UDP InDatagrams (udp_in), all in one process. Consistent: a
# datagram that arrives while the counters are read (a legitimate keepalive)
# would be in one and not the other, so they are read again until UDP's
# count is the same before and after, at most TRIES times (default 5; under
# a flood it never is, and each try is slow on a debug kernel).
# shellcheck disable=SC2016 # the script of sh -c
ab_snap()
{
	nsexec "$1" sh -c '
		udp_in() {
			awk "/^Udp:/ { if (!h) { for (i = 2; i <= NF; i++) c[\$i] = i; h = 1 }
				       else print \$c[\"InDatagrams\"] }" /proc/net/snmp
		}
		try=0
		while [ "$try" -lt "$2" ]; do
			try=$((try + 1))
			u1=$(udp_in)
			s=$(ethtool -S "$1" 2>/dev/null)
			r=$(cat "/sys/class/net/$1/statistics/rx_packets")
			u2=$(udp_in)
			[ "$u1" = "$u2" ] && break
		done
		printf "%s\n" "$s" | awk -F": *" "NR > 1 { sub(/^ +/, \"\", \$1); print \$1, \$2 }"
		echo rx_packets "$r"
		echo udp_in "$u2"
	' sh "$2" "${3:-5}"
}

# val SNAP NAME: one value of a snapshot (empty when missing).
# shellcheck disable=SC2317 # used by b_under_load (through wait_for)
val() { awk -v n="$2" '$1 == n { print $2; exit }' <<<"$1"; }

# delta BEFORE AFTER NAME...: the sum of the changes of NAMEs; "?" when a
# counter is missing. One process (every fork counts in an emulated VM).
delta()
{
	awk -v b="$1" -v a="$2" -v names="${*:3}" 'BEGIN {
		split(b, l, "\n"); for (i in l) { split(l[i], f, " "); B[f[1]] = f[2] }
		split(a, l, "\n"); for (i in l) { split(l[i], f, " "); A[f[1]] = f[2] }
		n = split(names, w, /[ \n\t]+/)
		for (i = 1; i <= n; i++) {
			if (w[i] == "") continue
			if (!(w[i] in B) || !(w[i] in A)) { print "?"; exit }
			s += A[w[i]] - B[w[i]]
		}
		print s + 0
	}'
}

RX_DROPS="rx_drop_malformed rx_drop_bad_mac1 rx_drop_handshake_queue_full rx_drop_handshake_stale
rx_drop_ratelimited rx_drop_handshake_invalid rx_drop_cookie_invalid
rx_drop_unknown_index rx_drop_key_expired rx_drop_bad_tag rx_drop_replay
rx_drop_bad_inner rx_drop_allowedips rx_drop_no_memory rx_drop_backlog"
# Authenticated arrivals (not drops): data, keepalives, handshake messages.
LEGIT="rx_packets keepalives_received handshake_initiations_received
handshake_responses_received cookie_replies_received"

# drops BEFORE AFTER: the change of the sum of every rx_drop_* counter.
# shellcheck disable=SC2086 # lists of names
drops() { delta "$1" "$2" $RX_DROPS; }

# out_val FILE KEY: the value of a "KEY value" line of wire_tool's output.
out_val() { awk -v k="$2" '$1 == k { print $2; exit }' "$1" 2>/dev/null; }

# conf NS DEV: the configuration and the peers' endpoints ("show dump"
# without handshake times and transfer counters).
conf()
{
	veil_ns "$1" show "$2" dump | awk -F'\t' -v OFS='\t' 'NR > 1 { $5 = $6 = $7 = "-" } { print }'
}

# latest_handshake NS KIND DEV: the peer's latest handshake (Unix time, 0 never).
latest_handshake()
{
	nsexec "$1" "$(ab_cli "$2")" show "$3" latest-handshakes | awk '{ print $2; exit }'
}

# flood_has_cookies FILE: wire_tool's progress (its stderr, in FILE)
# reports a cookie reply.
# shellcheck disable=SC2317 # called through wait_for
flood_has_cookies()
{
	grep -qE 'cookie replies [1-9]' "$1"
}

# b_under_load: B's device has been under load.
# shellcheck disable=SC2317 # called through wait_for
b_under_load()
{
	[ "$(val "$(ab_snap "$NS_B" "$DEV_B")" under_load)" -gt 0 ] 2>/dev/null
}

ab_topology || bail_out "could not build the namespaces and veth pairs"
# The flood outlasts the legitimate ping's deadline; it stops when the
# ping is answered.
PING_SECS_MAX=45 FLOOD_SECS=90 FLOOD_WINDOW=1024 STOCK_TRIES=2
kernel_is_debug && PING_SECS_MAX=100 FLOOD_SECS=150 STOCK_TRIES=3
WG=1
ab_wg_ok || WG=0
diag "garbage seed $SEED (VEIL_ABUSE_SEED=$SEED repeats it)"

# ---------------------------------------------------------------------------
# 1, 2: a flood of initiations with valid mac1; a legitimate handshake must
# still complete, through the cookie path.

# flood_run LABEL: runs the flood against B's device and A's ping under it.
# Sets FLOOD_OUT, FLOOD_ERR (wire_tool output), LOADED (1: B was seen
# under load before the ping), PING_RC, PING_UNDER_FLOOD (1: the ping
# succeeded while the flood was still going), PING_SECS.
flood_run()
{
	local fpid t0 end opt=()
	FLOOD_OUT=$(tmpfile "flood-$1.out") FLOOD_ERR=$(tmpfile "flood-$1.err")
	[ "$FLOOD_RATE" = 0 ] || opt=(--rate "$FLOOD_RATE")
	# The stock responder answers its handshake queue (4096 deep) in
	# order and keeps every message however long it waited. Where its
	# worker is slow (about 600 a second on a debug kernel) a full queue
	# holds 7 s of work: every answer then comes after the initiator's
	# 5 s retry and is refused, by veil and by the stock module alike.
	# So against it the flood keeps at most FLOOD_WINDOW initiations
	# unanswered: its queue stays above the 512 that put it under load,
	# and the legitimate messages wait a bounded time.
	# Test 1 floods veil without that bound on Debian's kernel: veil
	# drops what waited too long. On a debug kernel the flooder, in the
	# same two-CPU VM, fills veil's receive cells (4096 per CPU) faster
	# than they drain, about 700 a second in one run. A message that gets
	# in then always waits more than handshake_max_wait_ms and is dropped
	# stale, and no initiator can get through: there veil's flood has the
	# bound too.
	if [ "$KIND_B" != veil ] || kernel_is_debug; then
		opt+=(--window "$FLOOD_WINDOW")
	fi
	ab_bg "$NS_C" "$WT" flood-initiations --to "$B_OUTC" --port "$PORT_B" \
		--pubkey "$PUB_B" --duration "$FLOOD_SECS" --sources 16 --burst "$FLOOD_BURST" "${opt[@]}" \
		>"$FLOOD_OUT" 2>"$FLOOD_ERR"
	fpid=$!
	# Under load before the legitimate initiation is sent: veil counts it;
	# a stock responder shows it by its cookie replies.
	LOADED=1
	if [ "$KIND_B" = veil ]; then
		wait_for 15 b_under_load || LOADED=0
	else
		wait_for 15 flood_has_cookies "$FLOOD_ERR" || LOADED=0
	fi
	# The initiator needs two initiations through the full queues (one
	# answered by a cookie reply, then one with mac2), and it retries
	# every 5 s. On a debug kernel only some of them get in. Before stale
	# messages were dropped (rx_drop_handshake_stale), the answers there
	# came after the retry and were refused: 53 s once, 104 s another time.
	t0=$(date +%s)
	ab_ping "$PING_SECS_MAX"
	PING_RC=$?
	end=$(date +%s)
	PING_SECS=$((end - t0))
	PING_UNDER_FLOOD=0
	kill -0 "$fpid" 2>/dev/null && PING_UNDER_FLOOD=1
	kill -TERM "$fpid" 2>/dev/null
	wait "$fpid"
}

flood_diag()
{
	printf '%s\n' "flood (stdout):" "$(cat "$FLOOD_OUT")" "flood (stderr, last lines):" \
		"$(tail -n 5 "$FLOOD_ERR")" "ping rc $PING_RC after ${PING_SECS}s"
}

# b_stale_above N: B's rx_drop_handshake_stale is above N.
# shellcheck disable=SC2317 # called through wait_for
b_stale_above()
{
	[ "$(val "$(ab_snap "$NS_B" "$DEV_B" 1)" rx_drop_handshake_stale)" -gt "$1" ] 2>/dev/null
}

# stale_run: with handshake_max_wait_ms=1, a flood makes B drop the
# messages that waited in its queues unanswered (counted), and the tunnel
# (its session already up) keeps working. The parameter is restored.
#
# Those drops also keep B under load. Dropped at the receive cells, stale
# messages never reach the handshake queue, so the queue alone would say
# the load is over; B would then spend a DH on each flooded initiation, and
# the cells, short of CPU, would fall further behind. So once the first
# stale drop is seen, the flood runs on for at least STALE_HOLD seconds
# (more where a snapshot is slow), and in them B may spend a DH on at most
# 1024 flooded initiations (rx_drop_handshake_invalid: the flood's random
# static keys fail there). B leaving the load state when the flood briefly
# lets up is not a failure (about 4 times in 5 s, 168 DH, on Debian's
# kernel). Without the drops marking the load, a debug kernel spent 5752
# and 10798 DH in two runs; Debian's kernel drains its cells in time and
# shows no difference.
STALE_HOLD=5
stale_run()
{
	local param=/sys/module/$VEIL_MODULE/parameters/handshake_max_wait_ms
	local old s0 sm s1 t0 t1 n l d fpid out err

	if [ ! -w "$param" ]; then
		skip_n 3 "stale handshake messages" "$param is not writable"
		return
	fi
	old=$(cat "$param")
	at_exit sh -c "echo $old >$param"
	echo 1 >"$param"
	out=$(tmpfile stale.out) err=$(tmpfile stale.err)
	s0=$(ab_snap "$NS_B" "$DEV_B")
	ab_bg "$NS_C" "$WT" flood-initiations --to "$B_OUTC" --port "$PORT_B" \
		--pubkey "$PUB_B" --duration "$FLOOD_SECS" --sources 16 --burst "$FLOOD_BURST" >"$out" 2>"$err"
	fpid=$!
	# Snapshots under the flood read udp_in once (it never stands still);
	# one can still take 10 s in a flooded debug-kernel VM.
	wait_for 60 b_stale_above "$(val "$s0" rx_drop_handshake_stale)"
	sm=$(ab_snap "$NS_B" "$DEV_B" 1)
	t0=$(date +%s)
	sleep "$STALE_HOLD"
	s1=$(ab_snap "$NS_B" "$DEV_B" 1)
	t1=$(date +%s)
	kill -TERM "$fpid" 2>/dev/null
	wait "$fpid"
	echo "$old" >"$param"
	n=$(delta "$s0" "$s1" rx_drop_handshake_stale)
	result "veil responder, handshake_max_wait_ms=1: queued initiations dropped unanswered under load (rx_drop_handshake_stale +$n)" \
		"$([ "$n" != "?" ] && [ "$n" -gt 0 ]; echo $?)" \
		"B: $(nonzero_deltas "$s0" "$s1" | tr '\n' ' ')" "flood: $(tail -n 2 "$err")"
	n=$(delta "$sm" "$s1" rx_drop_handshake_stale)
	l=$(delta "$sm" "$s1" under_load)
	d=$(delta "$sm" "$s1" rx_drop_handshake_invalid)
	diag "stale hold, $((t1 - t0)) s: B: $(nonzero_deltas "$sm" "$s1" | tr '\n' ' ')"
	result "veil responder: stale drops (+$n in $((t1 - t0)) s) keep it answering the flood without DH (DH on flooded initiations +$d, under_load +$l)" \
		"$([ "$n" != "?" ] && [ "$n" -gt 0 ] && [ "$d" != "?" ] && [ "$d" -lt 1024 ]; echo $?)" \
		"B: $(nonzero_deltas "$sm" "$s1" | tr '\n' ' ')" "flood: $(tail -n 2 "$err")"
	check "veil responder: the tunnel works after the stale drops" ab_ping 15
}

# --- 1: veil responder
if ab_pair 1 veil veil; then
	SA0=$(ab_snap "$NS_A" "$DEV_A") SB0=$(ab_snap "$NS_B" "$DEV_B")
	flood_run veil
	SA1=$(ab_snap "$NS_A" "$DEV_A") SB1=$(ab_snap "$NS_B" "$DEV_B")
	D="responder: $(nonzero_deltas "$SB0" "$SB1" | tr '\n' ' ')"$'\n'"initiator: $(nonzero_deltas "$SA0" "$SA1" | tr '\n' ' ')"
	sent=$(out_val "$FLOOD_OUT" sent)
	result "veil responder: the flood sent initiations with valid mac1" \
		"$([ "${sent:-0}" -gt 0 ]; echo $?)" "$(flood_diag)"
	n=$(delta "$SB0" "$SB1" under_load)
	result "veil responder: went under load (under_load +$n)" \
		"$([ "$n" != "?" ] && [ "$n" -gt 0 ]; echo $?)" "$D"
	n=$(delta "$SB0" "$SB1" cookie_replies_sent)
	result "veil responder: sent cookie replies (cookie_replies_sent +$n)" \
		"$([ "$n" != "?" ] && [ "$n" -gt 0 ]; echo $?)" "$D"
	n=$(out_val "$FLOOD_OUT" cookie_replies)
	result "veil responder: the flooder received cookie replies ($n)" \
		"$([ "${n:-0}" -gt 0 ]; echo $?)" "$(flood_diag)"
	result "veil responder: legitimate ping through the tunnel while the flood runs (${PING_SECS}s)" \
		"$([ "$PING_RC" = 0 ] && [ "$PING_UNDER_FLOOD" = 1 ]; echo $?)" \
		"ping rc $PING_RC, flood still running: $PING_UNDER_FLOOD" "$(flood_diag)" "$D"
	diag "$D"
	n=$(delta "$SA0" "$SA1" cookie_replies_received)
	result "veil responder: the legitimate initiator got a cookie reply (cookie_replies_received +$n)" \
		"$([ "$n" != "?" ] && [ "$n" -gt 0 ]; echo $?)" "$D"
	ha=$(latest_handshake "$NS_A" veil "$DEV_A") hb=$(latest_handshake "$NS_B" veil "$DEV_B")
	result "veil responder: latest handshake set on both sides" \
		"$([ "${ha:-0}" -gt 0 ] && [ "${hb:-0}" -gt 0 ]; echo $?)" "initiator: $ha responder: $hb"
	stale_run
	ab_pair_del
else
	skip_n 10 "veil responder under a flood" "could not set up the veil pair"
fi

# --- 2: stock WireGuard responder, veil initiator
if [ "$WG" = 0 ]; then
	skip_n 4 "stock responder under a flood" "wireguard module or wg not available"
elif ab_pair 2 veil wg; then
	SA0=$(ab_snap "$NS_A" "$DEV_A")
	flood_run wg
	SA1=$(ab_snap "$NS_A" "$DEV_A")
	# The stock responder sends a cookie reply only while its handshake
	# queue is long at the very moment the initiation arrives; in an
	# emulated VM it sometimes is not (seen once in a few runs on Debian's
	# kernel; on a debug kernel, whose slow flooder barely outpaces the
	# stock worker's DH, twice in a row in one run). More tries with a
	# fresh pair then; a veil that ignores cookie replies fails them all.
	tries=1
	while [ "$(delta "$SA0" "$SA1" cookie_replies_received)" = 0 ] && [ "$LOADED" = 1 ] &&
		[ "$tries" -lt "$STOCK_TRIES" ]; do
		diag "stock responder: no cookie reply reached the initiator; one more try" "$(flood_diag)"
		ab_pair_del
		ab_pair 2 veil wg || break
		tries=$((tries + 1))
		SA0=$(ab_snap "$NS_A" "$DEV_A")
		flood_run wg
		SA1=$(ab_snap "$NS_A" "$DEV_A")
	done
	D="initiator: $(nonzero_deltas "$SA0" "$SA1" | tr '\n' ' ')"
	n=$(out_val "$FLOOD_OUT" cookie_replies)
	if [ "$LOADED" = 0 ]; then
		# Not veil's doing: this machine cannot flood the stock
		# responder faster than it does DH (e.g. a KASAN kernel).
		diag "$(flood_diag)"
		skip_n 3 "stock responder under a flood" \
			"the stock responder never went under load ($(out_val "$FLOOD_OUT" sent) initiations in $(out_val "$FLOOD_OUT" seconds)s, no cookie reply)"
	else
		result "stock responder: went under load, the flooder received cookie replies ($n)" \
			"$([ "${n:-0}" -gt 0 ]; echo $?)" "$(flood_diag)"
		result "stock responder: veil initiator's ping goes through while the flood runs (${PING_SECS}s)" \
			"$([ "$PING_RC" = 0 ] && [ "$PING_UNDER_FLOOD" = 1 ]; echo $?)" \
			"ping rc $PING_RC, flood still running: $PING_UNDER_FLOOD" "$(flood_diag)" "$D"
		n=$(delta "$SA0" "$SA1" cookie_replies_received)
		if [ "$n" = 0 ] && [ "$(delta "$SA0" "$SA1" rx_drop_cookie_invalid)" = 0 ] && kernel_is_debug; then
			# No cookie reply reached veil to accept or refuse: the
			# stock responder was out of the load state when veil's
			# initiation came, or its reply was lost in the flood.
			# Debian's kernel lane asserts this result.
			skip "stock responder: veil initiator got its cookie reply" \
				"no cookie reply reached veil in $tries tries, to accept or to refuse ($D)"
		else
			result "stock responder: veil initiator got its cookie reply (cookie_replies_received +$n)" \
				"$([ "$n" != "?" ] && [ "$n" -gt 0 ]; echo $?)" "$D"
		fi
	fi

	# --- 5: garbage against the stock device (checks the tool itself)
	out=$(tmpfile garbage-wg.out)
	nsexec "$NS_C" "$WT" garbage --to "$B_OUTC" --port "$PORT_B" --count 2000 \
		--seed "$SEED" --pubkey "$PUB_B" >"$out" 2>&1
	check "stock device: tunnel works after $(out_val "$out" total) garbage messages" ab_ping 10
	ab_pair_del
else
	skip_n 4 "stock responder" "could not set up the veil-wg pair"
fi

# ---------------------------------------------------------------------------
# 3: replay of a captured data message; 4: garbage. One veil pair.

if ! ab_pair 3 veil veil || ! ab_ping 15; then
	skip_n 33 "replay, garbage and floods" "the veil tunnel for tests 3 and 4 does not come up"
	kernel_log_clean "no kernel warning, BUG or lockdep report"
	tap_done
fi

# --- 3: replay
EP0=$(veil_ns "$NS_B" show "$DEV_B" endpoints | awk '{ print $2 }')
S0=$(ab_snap "$NS_B" "$DEV_B")
rout=$(tmpfile replay.out) rerr=$(tmpfile replay.err)
ab_bg "$NS_A" "$WT" replay --iface va --port "$PORT_B" --dir to --count 5 \
	--timeout 15 >"$rout" 2>"$rerr"
rpid=$!
wait_for 5 grep -q capturing "$rerr"
# Data to B until the capture is done (ping every 0.2 s).
ab_bg "$NS_A" ping -q -c 20 -i 0.2 -W 1 "$IN_B" >/dev/null 2>&1
ppid=$!
wait "$rpid"
rrc=$?
kill "$ppid" 2>/dev/null
wait "$ppid" 2>/dev/null
sleep 0.5
S1=$(ab_snap "$NS_B" "$DEV_B")
resent=$(out_val "$rout" resent)
result "replay: a data message to B was captured and sent again ($resent times)" \
	"$([ "$rrc" = 0 ] && [ "${resent:-0}" = 5 ]; echo $?)" \
	"wire_tool exit $rrc" "$(cat "$rout" "$rerr")"
n=$(delta "$S0" "$S1" rx_drop_replay)
result "replay: every copy refused as a replay (rx_drop_replay +$n, expected +${resent:-5})" \
	"$([ "$n" = "${resent:-5}" ]; echo $?)" "$(cat "$rout")" \
	"B: $(nonzero_deltas "$S0" "$S1" | tr '\n' ' ')"
EP1=$(veil_ns "$NS_B" show "$DEV_B" endpoints | awk '{ print $2 }')
check_eq "replay: the copies (other source port) did not move A's endpoint on B" "$EP0" "$EP1"
check "replay: the tunnel works after the replays" ab_ping 10

# --- 4: garbage
CONF0=$(conf "$NS_B" "$DEV_B")

# garbage_settle: after garbage was sent (G_B is the snapshot from before):
# waits until the drops account for what reached the port (the handshake
# worker is asynchronous). Sets G_A (snapshot), G_REACHED (datagrams that
# reached the port minus authenticated ones), G_DROPS.
garbage_settle()
{
	local i legit prev=-1 same=0
	for ((i = 0; i < 50; i++)); do
		G_A=$(ab_snap "$NS_B" "$DEV_B")
		# shellcheck disable=SC2086 # lists of names
		legit=$(delta "$G_B" "$G_A" $LEGIT)
		[ "$legit" = "?" ] && legit=$(delta "$G_B" "$G_A" rx_packets)
		G_REACHED=$(($(delta "$G_B" "$G_A" udp_in) - legit))
		G_DROPS=$(drops "$G_B" "$G_A")
		[ "$G_DROPS" != "?" ] || return 0
		[ "$G_DROPS" -ge "$G_REACHED" ] && return 0
		# Settled short of it: no change over three looks.
		if [ "$G_DROPS" = "$prev" ]; then
			same=$((same + 1))
			[ "$same" -ge 3 ] && return 0
		else
			same=0 prev=$G_DROPS
		fi
		sleep 0.2
	done
}

# garbage_round LABEL ARGS...: wire_tool garbage ARGS at B's device, then
# garbage_settle. Sets G_OUT (wire_tool's output), G_B, G_A, G_REACHED,
# G_DROPS.
garbage_round()
{
	local label=$1
	shift
	G_OUT=$(tmpfile "garbage-$label.out")
	G_B=$(ab_snap "$NS_B" "$DEV_B")
	nsexec "$NS_C" "$WT" garbage --to "$B_OUTC" --port "$PORT_B" "$@" >"$G_OUT" 2>&1
	garbage_settle
}

# gflood_round LABEL ARGS...: wire_tool garbage ARGS at B's device as fast
# as it goes for GFLOOD_SECS seconds, while A pings B through the tunnel
# twice a second; then garbage_settle. Sets what garbage_round sets, and
# GF_PINGS ("received/sent" of the pings during the flood) and GF_LIVE (1:
# the flood was still running when the pings ended).
gflood_round()
{
	local label=$1 wpid n
	shift
	G_OUT=$(tmpfile "gflood-$label.out")
	G_B=$(ab_snap "$NS_B" "$DEV_B")
	ab_bg "$NS_C" "$WT" garbage --to "$B_OUTC" --port "$PORT_B" --count 4000000000 "$@" \
		>"$G_OUT" 2>&1
	wpid=$!
	sleep 0.5
	n=$((GFLOOD_SECS * 2))
	GF_PINGS="$(nsexec "$NS_A" ping -n -q -c "$n" -i 0.5 -W 2 "$IN_B" 2>&1 |
		sed -n 's/.* \([0-9]*\) received.*/\1/p')/$n"
	GF_LIVE=0
	kill -0 "$wpid" 2>/dev/null && GF_LIVE=1
	kill -TERM "$wpid" 2>/dev/null
	wait "$wpid"
	garbage_settle
}

garbage_diag()
{
	printf '%s\n' "wire_tool:" "$(tr '\n' ' ' <"$G_OUT")" \
		"reached the port: $G_REACHED, drops counted: $G_DROPS" \
		"B: $(nonzero_deltas "$G_B" "$G_A" | tr '\n' ' ')"
}

MARK=$(kmsg_mark)
garbage_round mixed --count "$GARBAGE_N" --seed "$SEED"
total=$(out_val "$G_OUT" total)
result "garbage: $total messages sent at full speed (seed $SEED)" \
	"$([ "${total:-0}" -gt 0 ]; echo $?)" "$(garbage_diag)"
result "garbage: every datagram that reached the port counted as a drop ($G_DROPS of $G_REACHED)" \
	"$([ "$G_DROPS" != "?" ] && [ "$G_REACHED" -gt 0 ] && [ "$G_DROPS" = "$G_REACHED" ]; echo $?)" \
	"$(garbage_diag)"
check "garbage: the tunnel works after the burst" ab_ping 10

# One category at a time: the exact counter. CATEGORY COUNT COUNTER.
while read -r cat count counter; do
	args=(--only "$cat" --count "$count" --seed "$SEED")
	[ "$cat" = init_mac1 ] && args+=(--pubkey "$PUB_B")
	garbage_round "$cat" "${args[@]}"
	sent=$(out_val "$G_OUT" "$cat")
	n=$(delta "$G_B" "$G_A" "$counter")
	result "garbage $cat: $counter +$n for $G_REACHED of $sent that reached the port, no other drop" \
		"$([ "$n" != "?" ] && [ "${sent:-0}" -gt 0 ] && [ "$G_REACHED" -gt 0 ] &&
		   [ "$n" = "$G_REACHED" ] && [ "$G_DROPS" = "$n" ]; echo $?)" "$(garbage_diag)"
done <<'EOF'
random 300 rx_drop_malformed
jumbo 20 rx_drop_malformed
truncated 200 rx_drop_malformed
extended 200 rx_drop_malformed
badtype 200 rx_drop_malformed
reserved 200 rx_drop_malformed
data 300 rx_drop_unknown_index
data_min 200 rx_drop_unknown_index
cookie 200 rx_drop_cookie_invalid
badmac1 200 rx_drop_bad_mac1
init_mac1 200 rx_drop_handshake_invalid
EOF

# --- 6: garbage floods (several shapes), pings through the tunnel meanwhile.
# Handshake-type messages (cookie replies, bad mac1) that find the handshake
# queue full are dropped as such: a flood fills it.
diag "garbage floods of ${GFLOOD_SECS}s each (VEIL_ABUSE_FLOOD_SECS)"
while read -r label cats counters; do
	gflood_round "$label" --only "$cats" --seed "$SEED"
	total=$(out_val "$G_OUT" total)
	# shellcheck disable=SC2086 # a list of names
	n=$(delta "$G_B" "$G_A" ${counters//,/ })
	grate=$(( ${total:-0} / GFLOOD_SECS ))
	result "flood $label: $total messages (~$grate/s), $G_REACHED reached the port, all counted as drops ($n under ${counters//,/+})" \
		"$([ "${total:-0}" -gt 0 ] && [ "$G_REACHED" -gt 0 ] && [ "$G_DROPS" = "$G_REACHED" ] &&
		   [ "$n" = "$G_REACHED" ]; echo $?)" "$(garbage_diag)"
	result "flood $label: pings through the tunnel answered during the flood ($GF_PINGS)" \
		"$([ "${GF_PINGS%/*}" -ge 1 ] 2>/dev/null && [ "$GF_LIVE" = 1 ]; echo $?)" \
		"flood still running after the pings: $GF_LIVE" "$(garbage_diag)"
done <<'EOF'
malformed random,jumbo,truncated,extended,badtype,reserved rx_drop_malformed
data data,data_min rx_drop_unknown_index
handshake cookie,badmac1 rx_drop_cookie_invalid,rx_drop_bad_mac1,rx_drop_handshake_queue_full,rx_drop_handshake_stale
mixed random,jumbo,truncated,extended,badtype,reserved,data,data_min,cookie,badmac1 rx_drop_malformed,rx_drop_unknown_index,rx_drop_cookie_invalid,rx_drop_bad_mac1,rx_drop_handshake_queue_full,rx_drop_handshake_stale
EOF

check "garbage: the tunnel works after all of it" ab_ping 10
CONF1=$(conf "$NS_B" "$DEV_B")
check_eq "garbage: B's configuration and A's endpoint are unchanged" "$CONF0" "$CONF1"
kernel_log_clean "garbage: no kernel warning, BUG or lockdep report" "$MARK"

# --- 7: an established TCP stream under an initiation flood

# tcp_listening NS PORT: a TCP socket listens on PORT in NS.
# shellcheck disable=SC2317 # called through wait_for
tcp_listening() { [ -n "$(ssn "$1" -ltnH "sport = :$2")" ]; }

# tcp_window_bytes JSON FROM TO: bytes of the iperf3 intervals that lie
# within [FROM, TO] (Unix times, fractions allowed), "count zero-intervals".
tcp_window_bytes()
{
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
t0 = d["start"]["timestamp"]["timesecs"]
a, b = float(sys.argv[2]) - t0, float(sys.argv[3]) - t0
iv = [i["sum"] for i in d.get("intervals", []) if i["sum"]["start"] >= a - 1 and i["sum"]["end"] <= b + 1]
print(sum(i["bytes"] for i in iv), len(iv), sum(1 for i in iv if i["bytes"] == 0))
' "$@" 2>/dev/null || echo "0 0 0"
}

if ! command -v iperf3 >/dev/null; then
	skip_n 4 "TCP stream under an initiation flood" "iperf3 not installed"
elif ! ab_ping 10; then
	skip_n 4 "TCP stream under an initiation flood" "the tunnel does not work"
else
	S0=$(ab_snap "$NS_B" "$DEV_B")
	ab_bg "$NS_B" iperf3 -s -1 -B "$IN_B" -p 5201 >/dev/null 2>&1 </dev/null
	spid=$!
	wait_for 10 tcp_listening "$NS_B" 5201
	iout=$(tmpfile iperf-flood.json)
	ab_bg "$NS_A" iperf3 -c "$IN_B" -p 5201 -t 16 --connect-timeout 5000 --json >"$iout" 2>&1 </dev/null
	ipid=$!
	sleep 3
	FLOOD_OUT=$(tmpfile flood-tcp.out) FLOOD_ERR=$(tmpfile flood-tcp.err)
	f0=$EPOCHREALTIME
	ab_bg "$NS_C" "$WT" flood-initiations --to "$B_OUTC" --port "$PORT_B" \
		--pubkey "$PUB_B" --duration 8 --sources 16 >"$FLOOD_OUT" 2>"$FLOOD_ERR"
	wait "$!"
	f1=$EPOCHREALTIME
	S1=$(ab_snap "$NS_B" "$DEV_B")
	wait_for 60 eval '! kill -0 '"$ipid"' 2>/dev/null'
	kill "$ipid" "$spid" 2>/dev/null
	wait "$ipid"
	irc=$?
	wait "$spid" 2>/dev/null
	json=$(cat "$iout")
	sum=$(iperf_summary "$json")
	read -r wbytes wn wzero <<<"$(tcp_window_bytes "$json" "$f0" "$f1")"
	D="B: $(nonzero_deltas "$S0" "$S1" | tr '\n' ' ')"
	n=$(delta "$S0" "$S1" under_load)
	sent=$(out_val "$FLOOD_OUT" sent)
	inv=$(delta "$S0" "$S1" rx_drop_handshake_invalid)
	if [ "$n" = 0 ] && [[ $sent =~ ^[0-9]+$ ]] && [[ $inv =~ ^[0-9]+$ ]] &&
	   [ "$sent" -gt 0 ] && [ "$inv" -ge "$sent" ]; then
		# The sender shares the VM's CPUs: on a slow (debug) kernel it
		# may not outpace B, which then checks every initiation as it
		# comes. No load, so no cookie path to see: say so, not pass.
		skip_n 2 "TCP under an initiation flood: under load, cookie replies" \
			"B kept up: it checked all $sent initiations as they came"
	else
		result "TCP under an initiation flood: B went under load (under_load +$n, $sent initiations)" \
			"$([ "$n" != "?" ] && [ "$n" -gt 0 ]; echo $?)" "$D" "$(flood_diag)"
		n=$(delta "$S0" "$S1" cookie_replies_sent)
		result "TCP under an initiation flood: B answered with cookie replies (cookie_replies_sent +$n)" \
			"$([ "$n" != "?" ] && [ "$n" -gt 0 ]; echo $?)" "$D"
	fi
	result "TCP under an initiation flood: the stream moved $wbytes bytes during the flood ($wn one-second intervals, $wzero empty)" \
		"$([ "${wbytes:-0}" -gt 0 ]; echo $?)" "$sum" "$D"
	result "TCP under an initiation flood: iperf3 completed ($sum)" \
		"$([ "$irc" = 0 ] && [ "$(kv error "$sum")" = none ] && [ "$(kv received "$sum")" -gt 0 ]; echo $?)" \
		"iperf3 exit $irc" "$(tail -c 400 "$iout")"
fi

ab_pair_del
kernel_log_clean "no kernel warning, BUG or lockdep report"
tap_done
