#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# veil speaks WireGuard: tunnels between two network namespaces, veil to
# veil and veil to the stock wireguard module in both roles, carry traffic.
#
# What it proves, each on a fresh pair of namespaces (see topo_new in
# lib.sh):
#  - handshake and transport, veil<->veil, veil<->wg and wg<->veil, with
#    veil as initiator and as responder, over outer IPv4 and IPv6, with and
#    without a preshared key: the first packet starts the handshake and gets
#    its answer, inner IPv4 and IPv6 pings in both directions, a responder
#    with no endpoint learns it from the handshake;
#  - TCP bulk both ways (iperf3, inner IPv4 and IPv6) and UDP datagrams of
#    many sizes, fragmented ones too, echoed back intact;
#  - the tunnels' netdev byte counters: what one sends the other receives;
#  - "show" on both sides: the other's endpoint, a recent latest handshake,
#    rx/tx transfer, one side's tx the other's rx; veil's counters: who
#    initiated, one handshake each (and a rekey per 120 s a session lasted,
#    as on a slow debug kernel), and no packet dropped on receive (every
#    rx_drop_* counter is 0);
#  - roaming: a peer whose outer address changes keeps its session, and the
#    veil side follows it (veil<->veil and a roaming stock peer);
#  - persistent keepalive: set on a running device it brings the session up
#    by itself, then sends 32-byte keepalives about once a second which the
#    other side (stock or veil) counts, with no answer;
#  - a device created in one namespace and moved to another keeps its UDP
#    socket in its birth namespace and still carries traffic.
#
# On a debug kernel the matrix cases and the roaming case that mirror
# another one on veil's side are skipped (see MIRROR below).
#
# With VEIL=wg VEIL_LINK_TYPE=wireguard VEIL_MODULE=wireguard every "veil"
# side is the stock module: the tests then check themselves (veil's
# counters are skipped).

. "$(dirname "$0")/lib.sh"

require_module
require_cli
require_cmd ping iperf3 python3 ss

tap_plan 49

WG=0
wg_available && WG=1
[ "$VEIL_MODULE" = veil ] || diag "the \"veil\" kind is link type $VEIL_LINK_TYPE with $VEIL here"
[ "$WG" = 1 ] || diag "stock wireguard not available: the veil<->wg tests are skipped"
veil_counters_usable || diag "veil counters not usable (module $VEIL_MODULE, ethtool $(command -v ethtool || echo missing))"

# MiB per bulk transfer: 4, or 1 on a debug kernel (KASAN and lockdep make
# it several times slower); every check stays.
BULK_MB=4
if kernel_is_debug; then BULK_MB=1; fi
BULK_BYTES=$((BULK_MB * 1048576))

# kinds_ok KIND...: every kind can be used here.
kinds_ok()
{
	local k
	for k in "$@"; do
		[ "$k" != wg ] || [ "$WG" = 1 ] || return 1
	done
}

# show_check DESC MIN_BYTES: on both sides, the peer's endpoint is the other
# side's outer address and port, its latest handshake is within the last
# 2 minutes, rx and tx are at least MIN_BYTES, and what one side counts as
# sent the other counts as received (near: give or take a packet).
show_check()
{
	local desc=$1 min=$2 s o line now hs bad='' dumps=''
	local -A rx tx
	now=$(date +%s)
	for s in A B; do
		o=$(other "$s")
		line=$(tun_peer "$s")
		rx[$s]=$(field 6 "$line") tx[$s]=$(field 7 "$line")
		dumps+="$s ($(tv KIND "$s")): $line"$'\n'
		[ "$(field 3 "$line")" = "$(endpoint_of "$o" "$T_OUTER")" ] ||
			bad+="$s: endpoint is not $(endpoint_of "$o" "$T_OUTER")"$'\n'
		hs=$(field 5 "$line")
		[[ $hs =~ ^[0-9]+$ ]] && [ "$hs" -gt 0 ] && [ $((now - hs)) -le 120 ] &&
			[ $((hs - now)) -le 5 ] || bad+="$s: latest handshake $hs, now $now"$'\n'
		[[ $(field 6 "$line") =~ ^[0-9]+$ ]] && [ "$(field 6 "$line")" -ge "$min" ] &&
			[ "$(field 6 "$line")" -gt 0 ] || bad+="$s: rx below $min or 0"$'\n'
		[[ $(field 7 "$line") =~ ^[0-9]+$ ]] && [ "$(field 7 "$line")" -ge "$min" ] &&
			[ "$(field 7 "$line")" -gt 0 ] || bad+="$s: tx below $min or 0"$'\n'
	done
	[ -n "$bad" ] || near "${tx[A]}" "${rx[B]}" || bad+="A's tx ${tx[A]} but B's rx ${rx[B]}"$'\n'
	[ -n "$bad" ] || near "${tx[B]}" "${rx[A]}" || bad+="B's tx ${tx[B]} but A's rx ${rx[A]}"$'\n'
	if [ -z "$bad" ]; then ok "$desc"; else not_ok "$desc" "$bad" "$dumps"; fi
}

# near A B [PERCENT]: A and B differ by at most PERCENT (default 2) % of the
# larger plus 512 bytes (a packet lost or in flight).
near()
{
	local d=$(($1 - $2)) m=$1
	[ "$2" -gt "$m" ] && m=$2
	[ "${d#-}" -le $((m * ${3:-2} / 100 + 512)) ]
}

# bulk_check DESC FROM FAMILY: BULK_MB MiB of TCP from FROM to the other side
# over the inner FAMILY. iperf3 runs in reverse mode with its client on the
# receiving side, which then counts what it received itself (in forward
# mode the server stops counting, and closes, when the sender is done, with
# data possibly still in flight). Two results:
#  - iperf3 succeeds, the receiver counted BULK_MB MiB and its tunnel's rx_bytes
#    grew by at least that;
#  - the sending tunnel's tx_bytes grew by as much as the receiving one's
#    rx_bytes, give or take 5%: none lost, none counted twice (the stock
#    module counts each packet's WireGuard message, 32 bytes more than the
#    inner packet: about 2% with full-size packets).
bulk_check()
{
	local desc=$1 snd=$2 r rx0 rx1 tx0 tx1 rc sum
	r=$(other "$snd")
	rx0=$(tdev_stat "$r" rx_bytes) tx0=$(tdev_stat "$snd" tx_bytes)
	tun_iperf "$r" "$3" -n "${BULK_MB}M" -R
	rc=$?
	rx1=$(tdev_stat "$r" rx_bytes) tx1=$(tdev_stat "$snd" tx_bytes)
	sum=$(iperf_summary "$T_IPERF_JSON")
	if [ "$rc" -eq 0 ] && [ "$(kv error "$sum")" = none ] &&
	   [ "$(kv received "$sum")" -ge "$BULK_BYTES" ] && [ $((rx1 - rx0)) -ge "$BULK_BYTES" ]; then
		ok "$desc"
		diag "iperf3: $sum"
	else
		not_ok "$desc" "iperf3 exit $rc: $sum" \
			"receiver $r: tunnel rx_bytes $rx0 -> $rx1 (need +$BULK_BYTES)" \
			"$(cat "$VEIL_TMP/iperf-client.err" "$VEIL_TMP/iperf-server.log" 2>/dev/null | tail -n 5)"
	fi
	near $((tx1 - tx0)) $((rx1 - rx0)) 5
	result "$desc: sender's tunnel tx_bytes grew as much as the receiver's rx_bytes (+-5%)" $? \
		"sender $snd ($(tv KIND "$snd")) $(tv DEV "$snd") tx_bytes +$((tx1 - tx0))" \
		"receiver $r ($(tv KIND "$r")) $(tv DEV "$r") rx_bytes +$((rx1 - rx0))"
}

# The UDP echo: a server on side B (IPv4 and IPv6, port 5301) sends every
# datagram back; the client on A sends datagrams of many sizes, one at a
# time, to both inner addresses and wants each back intact.
UDP_SIZES="1 64 512 1024 1300 1400 2000 4000"
# shellcheck disable=SC2016 # python
UDP_SERVER='
import select, socket, sys, time
count, limit = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 5301))
n, end = 0, time.time() + limit
while n < count and time.time() < end:
    if select.select([s], [], [], 0.2)[0]:
        d, a = s.recvfrom(65535)
        s.sendto(d, a)
        n += 1
print(n)
'
UDP_CLIENT='
import os, socket, sys
sizes = [int(x) for x in sys.argv[3].split()]
bad = []
for addr in sys.argv[1:3]:
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(3)
    for size in sizes:
        data = os.urandom(size)
        s.sendto(data, (addr, 5301))
        try:
            back = s.recv(65535)
        except socket.timeout:
            bad.append("%s: %d bytes: no answer" % (addr, size))
            continue
        if back != data:
            bad.append("%s: %d bytes: %d different bytes back" % (addr, size, len(back)))
print("\n".join(bad) if bad else "all %d datagrams echoed" % (2 * len(sizes)))
sys.exit(1 if bad else 0)
'

# udp_check DESC: the echo above, A to B.
udp_check()
{
	local desc=$1 pid out rc n i
	n=$(( 2 * $(wc -w <<<"$UDP_SIZES") ))
	nsexec "$T_NS_B" python3 -c "$UDP_SERVER" "$n" 40 >"$VEIL_TMP/udp-server.out" 2>&1 </dev/null &
	pid=$!
	at_exit kill "$pid"
	for ((i = 0; i < 50; i++)); do
		[ -n "$(ssn "$T_NS_B" -ulnH 'sport = :5301')" ] && break
		sleep 0.1
	done
	out=$(nsexec "$T_NS_A" python3 -c "$UDP_CLIENT" "$T_IN4_B" "$T_IN6_B" "$UDP_SIZES" 2>&1)
	rc=$?
	wait "$pid"
	result "$desc" "$rc" "$out" "server echoed: $(cat "$VEIL_TMP/udp-server.out")"
}

# On a debug kernel, where every process costs about five times what it
# does on Debian's, the cases marked MIRROR=1 (they only mirror another one
# on veil's side: same role, the other outer family or the other peer kind)
# are left to the Debian-kernel lane and reported as skipped: there veil
# still initiates and responds, over outer IPv4 and IPv6, with and without
# a PSK, to veil and to the stock module. VEIL_INTEROP_FULL=1 runs them all.
MIRROR_WHY="debug kernel: mirrors another case on veil's side (VEIL_INTEROP_FULL=1 runs it)"
MIRROR=0	# set per call only, never from the environment
# mirror_left_out: the case being run is marked MIRROR=1 and is left out.
mirror_left_out()
{
	[ "${MIRROR:-0}" = 1 ] && kernel_is_debug && [ "${VEIL_INTEROP_FULL:-0}" != 1 ]
}

# ---- the matrix ------------------------------------------------------------
# [MIRROR=1] matrix_case KIND_A KIND_B INITIATOR BULK [TOPO-OPTIONS...]:
# 4 results, 5 more with BULK=1.
matrix_case()
{
	local ka=$1 kb=$2 i=$3 bulk=$4 r d n=4 min=1 out='' t0 hs
	shift 4
	r=$(other "$i")
	[ "$bulk" = 1 ] && n=9 min=$BULK_BYTES
	if mirror_left_out; then
		skip_n "$n" "$ka<->$kb $*, $i initiates" "$MIRROR_WHY"
		return
	fi
	if ! kinds_ok "$ka" "$kb"; then
		skip_n "$n" "$ka<->$kb" "stock wireguard not available"
		return
	fi
	if ! topo_new "$ka" "$kb" "$@"; then
		skip_n $((n - 1)) "$ka<->$kb $*" "no topology"
		not_ok "topology $ka<->$kb $* could not be built" "$T_ERR"
		return
	fi
	d="$(topo_desc), $i=$(tv KIND "$i") initiates"
	[[ " $* " == *" ep_$(tr AB ab <<<"$r")=0 "* ]] && d+=", $r=$(tv KIND "$r") has no endpoint"

	t0=$(date +%s)
	tping "$i" 4 -c 1 -W 5
	result "$d: the first packet (inner IPv4 ping $i->$r) starts the handshake and gets its reply" \
		$? "$T_PING" "$i: $(tun_peer "$i")" "$r: $(tun_peer "$r")"
	tping A 6 && { out=$T_PING; tping B 6; }
	result "$d: inner IPv6 pings A->B and B->A all answered" $? "$out" "$T_PING"

	if [ "$bulk" = 1 ]; then
		bulk_check "$d: TCP A->B over inner IPv4, $BULK_MB MiB all received (iperf3)" A 4
		bulk_check "$d: TCP B->A over inner IPv6, $BULK_MB MiB all received (iperf3)" B 6
		udp_check "$d: UDP datagrams of $UDP_SIZES bytes A->B->A over inner IPv4 and IPv6, all back intact"
	fi

	show_check "$d: show on both sides: the other's endpoint, a recent handshake, rx/tx >= $min, one's tx is the other's rx" "$min"
	# One handshake, and the initiator's rekey for every REKEY_AFTER_TIME
	# (120 s) the session has lasted: on a debug kernel the bulk cases
	# can outlive it. The session is younger than the time since t0.
	hs=$((1 + ($(date +%s) - t0) / 120))
	[ "$hs" -eq 1 ] || diag "the session is older than 120 s: up to $hs handshakes"
	tun_counters_check "$d: veil counters: one handshake $i->$r (one more per 120 s it lasted), no receive drops" \
		"$i:handshake_initiations_sent>=1" "$i:handshake_initiations_sent<=$hs" \
		"$i:handshake_responses_received>=1" "$i:handshake_responses_received<=$hs" \
		"$r:handshake_initiations_received>=1" "$r:handshake_initiations_received<=$hs" \
		"$r:handshake_responses_sent>=1" "$r:handshake_responses_sent<=$hs" \
		"$r:handshake_initiations_sent==0" "A:rx_drop_*==0" "B:rx_drop_*==0"
}

matrix_case veil veil A 1 outer=6
MIRROR=1 matrix_case veil veil A 0 outer=4 psk=1
matrix_case veil wg A 1 outer=4
matrix_case veil wg B 0 outer=6 psk=1 ep_a=0
MIRROR=1 matrix_case wg veil A 0 outer=4 psk=1
MIRROR=1 matrix_case wg veil B 0 outer=6

# ---- roaming -----------------------------------------------------------------
# [MIRROR=1] roam_case KIND_A KIND_B FAMILY: B's outer address changes; A
# must follow. 3 results.
roam_case()
{
	local ka=$1 kb=$2 fam=$3 d old new newep nodad pre='' line
	if mirror_left_out; then
		skip_n 3 "roaming $ka<->$kb over IPv$fam" "$MIRROR_WHY"
		return
	fi
	if ! kinds_ok "$ka" "$kb"; then
		skip_n 3 "roaming $ka<->$kb" "stock wireguard not available"
		return
	fi
	if ! topo_new "$ka" "$kb" "outer=$fam"; then
		skip_n 2 "roaming $ka<->$kb" "no topology"
		not_ok "roaming: topology $ka<->$kb could not be built" "$T_ERR"
		return
	fi
	if [ "$fam" = 6 ]; then
		old="$T_OUT6_B/64" new=fd00:241::12 newep="[fd00:241::12]:$T_PORT_B" nodad=nodad
	else
		old="$T_OUT4_B/24" new=192.168.241.12 newep="192.168.241.12:$T_PORT_B" nodad=''
	fi
	d="roaming, $(topo_desc): B ($kb) moves to $new"
	tping A 4 -c 1 -W 5 || pre="session did not come up before the move: $T_PING"
	printf '%s\n' "addr del $old dev $T_VETH_B" "addr add $new/${old#*/} dev $T_VETH_B $nodad" |
		ip -n "$T_NS_B" -batch -
	tping B 4
	result "$d: B's pings to A from its new address get replies" $? \
		"$T_PING" "$pre" "A: $(tun_peer A)" "B: $(tun_peer B)" \
		"B's outer addresses: $(ip -n "$T_NS_B" -br addr show dev "$T_VETH_B")"
	line=$(tun_peer A)
	check_eq "$d: A's endpoint for B follows: $newep" "$newep" "$(field 3 "$line")"
	tping A 6
	result "$d: A->B pings (inner IPv6) reach B at its new address" $? "$T_PING" "A: $(tun_peer A)"
}

roam_case veil veil 4
MIRROR=1 roam_case veil wg 6

# ---- persistent keepalive -----------------------------------------------------
# hs_both: both sides report a handshake.
# shellcheck disable=SC2317 # called through wait_for
hs_both()
{
	[ "$(field 5 "$(tun_peer A)")" != 0 ] && [ "$(field 5 "$(tun_peer B)")" != 0 ]
}

# ka_case KIND_A KIND_B FAMILY: A gets persistent-keepalive 1 while running,
# no other traffic. 3 results.
ka_case()
{
	local ka=$1 kb=$2 fam=$3 d b0 b1 a0 a1 t0 t1 rx tx n secs up
	if ! kinds_ok "$ka" "$kb"; then
		skip_n 3 "keepalive $ka<->$kb" "stock wireguard not available"
		return
	fi
	if ! topo_new "$ka" "$kb" "outer=$fam"; then
		skip_n 2 "keepalive $ka<->$kb" "no topology"
		not_ok "keepalive: topology $ka<->$kb could not be built" "$T_ERR"
		return
	fi
	d="persistent keepalive, $(topo_desc), A ($ka) every 1 s"
	tun A set "$T_DEV_A" peer "$T_PUB_B" persistent-keepalive 1
	wait_for 10 hs_both
	up=$?
	result "$d: set on the running device, it brings the session up with no other traffic" \
		"$up" "A: $(tun_peer A)" "B: $(tun_peer B)"
	[ "$up" = 0 ] || tping A 4 -c 1 -W 5 # carry on with the rest
	sleep 1.5	# the handshake's own messages are done
	b0=$(tun_peer B) a0=$(tun_peer A) t0=$EPOCHREALTIME
	sleep 4
	b1=$(tun_peer B) a1=$(tun_peer A) t1=$EPOCHREALTIME
	rx=$(($(field 6 "$b1") - $(field 6 "$b0")))
	tx=$(($(field 7 "$b1") - $(field 7 "$b0")))
	n=$((rx / 32))
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", b - a + 0.999 }')
	if [ $((rx % 32)) -eq 0 ] && [ "$n" -ge 2 ] && [ "$n" -le $((secs + 2)) ] && [ "$tx" -eq 0 ]; then
		ok "$d: over ${secs} s idle B received $n keepalives (rx +$rx bytes, 32 each), sent nothing"
	else
		not_ok "$d: over ${secs} s idle B receives 32-byte keepalives about once a second and sends nothing" \
			"B rx +$rx bytes (want a multiple of 32, 2 to $((secs + 2)) of them), B tx +$tx (want 0)" \
			"A before: $a0" "A after:  $a1" "B before: $b0" "B after:  $b1"
	fi
	tun_counters_check "$d: veil counters: keepalives sent by A / received by B, no receive drops" \
		"A:keepalives_sent>=3" "B:keepalives_received>=3" "A:rx_drop_*==0" "B:rx_drop_*==0"
}

ka_case veil wg 4
ka_case wg veil 6

# ---- namespace move ------------------------------------------------------------
# A veil device born in X, moved to Y (where its addresses and peer are
# configured); its socket stays in X, which has the veth to the peer's
# namespace. The peer is the stock module when there is one. 2 results.
# shellcheck disable=SC2034 # T_* are read through tv
netns_case()
{
	local X Y pk=wg out ok=0 want
	[ "$WG" = 1 ] || pk=veil
	topo_del
	topo_keys
	ns_new X
	ns_new Y
	ns_new T_NS_B
	T_NS_A=$Y T_KIND_A=veil T_KIND_B=$pk T_OUTER=4
	T_DEV_A=$(kind_dev veil) T_CLI_A=$(kind_cli veil)
	T_DEV_B=$(kind_dev "$pk") T_CLI_B=$(kind_cli "$pk")
	out=$({
		ip link add "$T_VETH_A" netns "$X" type veth peer name "$T_VETH_B" netns "$T_NS_B" &&
		printf '%s\n' "addr add $T_OUT4_A/24 dev $T_VETH_A" "link set $T_VETH_A up" |
			ip -n "$X" -batch - &&
		ip -n "$X" link add "$T_DEV_A" type "$VEIL_LINK_TYPE" &&
		nsexec "$X" "$VEIL" set "$T_DEV_A" private-key "$T_KEYFILE_A" listen-port "$T_PORT_A" &&
		ip -n "$X" link set "$T_DEV_A" netns "$Y" &&
		tun A set "$T_DEV_A" peer "$T_PUB_B" allowed-ips "$T_IN4_B/32,$T_IN6_B/128" \
			endpoint "$T_OUT4_B:$T_PORT_B" &&
		printf '%s\n' "addr add $T_IN4_A/24 dev $T_DEV_A" "addr add $T_IN6_A/64 dev $T_DEV_A nodad" \
			"link set $T_DEV_A up" | ip -n "$Y" -batch - &&
		printf '%s\n' "addr add $T_OUT4_B/24 dev $T_VETH_B" "link set $T_VETH_B up" \
			"link add $T_DEV_B type $(kind_link "$pk")" | ip -n "$T_NS_B" -batch - &&
		tun B set "$T_DEV_B" private-key "$T_KEYFILE_B" listen-port "$T_PORT_B" \
			peer "$T_PUB_A" allowed-ips "$T_IN4_A/32,$T_IN6_A/128" endpoint "$T_OUT4_A:$T_PORT_A" &&
		printf '%s\n' "addr add $T_IN4_B/24 dev $T_DEV_B" "addr add $T_IN6_B/64 dev $T_DEV_B nodad" \
			"link set $T_DEV_B up" | ip -n "$T_NS_B" -batch -
	} 2>&1) || ok=1
	[ "$ok" = 0 ] || diag "setup failed: $out"
	want="birth X: v4=1 v6=1, Y: v4=0 v6=0"
	check_eq "namespace move: veil device born in X, moved to Y and up there: its UDP sockets are in X" \
		"$want" "birth X: $(udp_ports_summary "$X" "$T_PORT_A"), Y: $(udp_ports_summary "$Y" "$T_PORT_A")"
	{ tping A 4 -c 1 -W 5 && tping A 6 && tping B 4; }
	result "namespace move: pings from Y through the moved device to the $pk peer behind X (inner IPv4, IPv6) and back" \
		$? "$T_PING" "Y: $(tun_peer A)" "peer: $(tun_peer B)"
	ns_del "$X"
}

netns_case
topo_del

kernel_log_clean "no kernel warnings"

tap_done
