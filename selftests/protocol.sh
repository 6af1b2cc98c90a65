#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Protocol details a peer can observe, veil<->veil between two namespaces
# (topo_new in lib.sh), each checked on the wire or in veil's counters:
#  - the first packet waits for the handshake and is delivered (staging);
#  - outer packets: handshake messages carry DSCP AF41 (tos 0x88), data
#    packets only the inner ECN bits (no DSCP leak), and data messages are
#    padded to a multiple of 16 (protocol.md 6.1, 11);
#  - the fwmark is set on every outer packet: with a policy route that only
#    marked packets can use, the tunnel works only once the mark is set;
#  - ICMP unreachable for a destination with no peer, and for a peer with
#    no endpoint, IPv4 and IPv6, counted per reason;
#  - cryptokey routing on receive: an inner source outside the sending
#    peer's allowed IPs is dropped and counted, and accepted once allowed;
#  - interface down wipes the session: the next packet needs a new
#    handshake;
#  - an unanswered initiation is retransmitted every REKEY_TIMEOUT (5 s
#    plus jitter), and no faster however much traffic waits; meanwhile at
#    most 128 packets are staged, the oldest dropped and counted.

. "$(dirname "$0")/lib.sh"

require_module
require_cli
require_cmd ping tcpdump ethtool timeout

tap_plan 19

if [ "$VEIL_MODULE" != veil ]; then
	skip_all "veil's counters and knobs are needed (module $VEIL_MODULE)"
fi

# new_topo OPTION...: a fresh veil<->veil pair, or bail out.
new_topo()
{
	topo_new veil veil "$@" || bail_out "topology: $T_ERR"
}

# stat SIDE NAME: one of veil's counters on SIDE.
stat()
{
	veil_stat "$(tv NS "$1")" "$(tv DEV "$1")" "$2"
}

# ---------------------------------------------------------------------------
# The first packet is staged until the handshake completes.

new_topo
if tping A 4 -c 1 -W 5; then
	ok "first packet: a single ping is answered (staged, sent after the handshake)"
else
	not_ok "first packet: a single ping is answered (staged, sent after the handshake)" "$T_PING"
fi
tun_counters_check "first packet: one initiation from A, one response from B, nothing dropped" \
	A:handshake_initiations_sent==1 B:handshake_initiations_received==1 \
	B:handshake_responses_sent==1 A:handshake_responses_received==1 \
	'A:rx_drop_*==0' 'B:rx_drop_*==0'

# ---------------------------------------------------------------------------
# Outer header fields: DSCP, ECN, padding.

new_topo
cap=$VEIL_TMP/outer.txt
nsexec "$T_NS_B" timeout 10 tcpdump -l -n -v -i "$T_VETH_B" "udp port $T_PORT_B or udp port $T_PORT_A" \
	>"$cap" 2>"$cap.err" &
tcpdump_pid=$!
at_exit kill "$tcpdump_pid"
wait_for 5 grep -q 'listening on' "$cap.err"
# DSCP EF (0xb8) with ECT(1): only the ECN bits may show outside.
nsexec "$T_NS_A" ping -n -q -c 3 -i 0.3 -W 3 -Q 0xb9 -s 56 "$T_IN4_B" >/dev/null 2>&1
wait "$tcpdump_pid" 2>/dev/null
# "tos LENGTH" per outer packet: tcpdump -v prints the IP header on one
# line and "UDP, length N" on the next.
pkts=$(awk '/ IP \(tos / { match($0, /tos 0x[0-9a-f]+/); t = substr($0, RSTART + 4, RLENGTH - 4) }
	/UDP, length [0-9]+/ { match($0, /length [0-9]+$/); print t, substr($0, RSTART + 7) }' "$cap")
hs=$(awk '$2 == 148 || $2 == 92' <<<"$pkts")
data=$(awk '$2 != 148 && $2 != 92' <<<"$pkts")
if [ -n "$hs" ] && [ -z "$(awk '$1 != "0x88"' <<<"$hs")" ]; then
	ok "outer: handshake messages carry DSCP AF41 (tos 0x88)"
else
	not_ok "outer: handshake messages carry DSCP AF41 (tos 0x88)" "tos and UDP length seen:" "$pkts"
fi
if [ -n "$data" ] && [ -z "$(awk '$1 != "0x1"' <<<"$data")" ]; then
	ok "outer: data packets carry the inner ECN bits only (inner tos 0xb9 -> outer 0x1)"
else
	not_ok "outer: data packets carry the inner ECN bits only (inner tos 0xb9 -> outer 0x1)" \
		"tos and UDP length seen:" "$pkts"
fi
# An 84-byte ping: 16-byte header + 96 padded + 16-byte tag = 128.
if [ -n "$data" ] && [ -z "$(awk '$2 != 128' <<<"$data")" ]; then
	ok "outer: an 84-byte inner packet is padded to 96 (UDP payload 128)"
else
	not_ok "outer: an 84-byte inner packet is padded to 96 (UDP payload 128)" "$pkts"
fi

# ---------------------------------------------------------------------------
# fwmark: only marked packets have a route to the peer.

new_topo
nsexec "$T_NS_A" sh -c "
	ip route add $T_OUT4_B/32 dev $T_VETH_A table 42 &&
	ip route add unreachable $T_OUT4_B/32 table 43 &&
	ip rule add fwmark 0x2a table 42 pref 10 &&
	ip rule add table 43 pref 20" ||
	bail_out "fwmark: policy routing setup failed"
if tping A 4 -c 1 -W 2; then
	not_ok "fwmark: without the mark the endpoint is unreachable (control)" "$T_PING"
else
	ok "fwmark: without the mark the endpoint is unreachable (control)"
fi
tun_counters_check "fwmark: the unroutable initiation is counted" 'A:tx_drop_no_route>=1'
tun A set "$T_DEV_A" fwmark 0x2a
# The failed attempt holds the next initiation back for REKEY_TIMEOUT.
if tping A 4 -c 1 -W 8; then
	ok "fwmark: with fwmark 0x2a set the tunnel works (outer packets are marked)"
else
	not_ok "fwmark: with fwmark 0x2a set the tunnel works (outer packets are marked)" "$T_PING"
fi

# ---------------------------------------------------------------------------
# ICMP errors.

new_topo ep_a=0
out=$(nsexec "$T_NS_A" ping -n -c 1 -W 2 10.200.0.99 2>&1)
if grep -q 'Destination Host Unreachable' <<<"$out"; then
	ok "ICMP: no peer for the destination: host unreachable"
else
	not_ok "ICMP: no peer for the destination: host unreachable" "$out"
fi
out=$(nsexec "$T_NS_A" ping -n -c 1 -W 2 "$T_IN4_B" 2>&1)
if grep -q 'Destination Host Unreachable' <<<"$out"; then
	ok "ICMP: a peer without an endpoint: host unreachable"
else
	not_ok "ICMP: a peer without an endpoint: host unreachable" "$out"
fi
out=$(nsexec "$T_NS_A" ping -n -c 1 -W 2 "$T_IN6_B" 2>&1)
if grep -qi 'Address unreachable' <<<"$out"; then
	ok "ICMPv6: a peer without an endpoint: address unreachable"
else
	not_ok "ICMPv6: a peer without an endpoint: address unreachable" "$out"
fi
tun_counters_check "ICMP: counted as no peer and no endpoint" \
	'A:tx_drop_no_peer>=1' 'A:tx_drop_no_endpoint>=2' 'A:handshake_initiations_sent==0'

# ---------------------------------------------------------------------------
# Cryptokey routing on receive.

new_topo
ip -n "$T_NS_B" addr add 10.200.0.77/32 dev "$T_DEV_B"
tping B 4 -c 1 -W 5 >/dev/null
if nsexec "$T_NS_B" ping -n -q -c 1 -W 2 -I 10.200.0.77 "$T_IN4_A" >/dev/null 2>&1; then
	not_ok "allowed IPs: a source outside the peer's allowed IPs is dropped"
else
	ok "allowed IPs: a source outside the peer's allowed IPs is dropped"
fi
tun_counters_check "allowed IPs: the drop is counted as rx_drop_allowedips" 'A:rx_drop_allowedips>=1'
tun A set "$T_DEV_A" peer "$T_PUB_B" allowed-ips "$T_IN4_B/32,$T_IN6_B/128,10.200.0.77/32"
if nsexec "$T_NS_B" ping -n -q -c 1 -W 3 -I 10.200.0.77 "$T_IN4_A" >/dev/null 2>&1; then
	ok "allowed IPs: accepted once the source is allowed"
else
	not_ok "allowed IPs: accepted once the source is allowed"
fi

# ---------------------------------------------------------------------------
# Interface down wipes the session.

new_topo
tping A 4 -c 1 -W 5 >/dev/null
before=$(stat A handshake_initiations_sent)
ip -n "$T_NS_A" link set "$T_DEV_A" down
ip -n "$T_NS_A" link set "$T_DEV_A" up
if tping A 4 -c 1 -W 5 && [ "$(stat A handshake_initiations_sent)" = $((before + 1)) ]; then
	ok "interface down/up: keys are gone, the next packet makes a new handshake"
else
	not_ok "interface down/up: keys are gone, the next packet makes a new handshake" \
		"initiations before: $before, after: $(stat A handshake_initiations_sent)" "$T_PING"
fi

# ---------------------------------------------------------------------------
# Retransmission: B's device is down, nobody answers A.

new_topo
ip -n "$T_NS_B" link set "$T_DEV_B" down
# 5 packets a second for 11.5 s: each one asks for a handshake.
nsexec "$T_NS_A" timeout 11.5 ping -n -q -i 0.2 -W 1 "$T_IN4_B" >/dev/null 2>&1
n=$(stat A handshake_initiations_sent)
if [ "$n" = 3 ]; then
	ok "retransmit: 3 initiations in 11.5 s of unanswered traffic (0 s, 5 s, 10 s + jitter)"
else
	not_ok "retransmit: 3 initiations in 11.5 s of unanswered traffic (0 s, 5 s, 10 s + jitter)" \
		"handshake_initiations_sent = $n"
fi

# Staging: nothing can be sent, so every packet waits, up to 128; then the
# oldest are dropped, one for one. UDP from one socket with a large send
# buffer (staged packets keep their socket's memory charged).
new_topo
ip -n "$T_NS_B" link set "$T_DEV_B" down
nsexec "$T_NS_A" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
for i in range(200):
    s.sendto(b"x" * 100, (sys.argv[1], 9))
' "$T_IN4_B"
tun_counters_check "staging: at most 128 packets wait; of 200, the oldest 72 are dropped and counted" \
	'A:tx_drop_staged_overflow==72' 'A:handshake_initiations_sent==1'

kernel_log_clean "no kernel warnings during the protocol tests"
tap_done
