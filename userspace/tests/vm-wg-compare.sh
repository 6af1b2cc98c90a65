#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Byte-for-byte comparison of veil's output with wg(8)'s: a test build of
# veil that speaks the in-tree wireguard module's netlink API
# (tests/veil-wgcompat, see ipc.c) and wg read the same live devices, with
# real handshakes and traffic between two namespaces; then configurations
# written by one tool are read back by the other. Needs root, wg and the
# wireguard module (e.g. in the VM:
#   scripts/vm-run 'userspace/tests/vm-wg-compare.sh').

DIR=$(cd "$(dirname "$0")" && pwd)
VW=$DIR/veil-wgcompat
A=vwa$$
B=vwb$$
C=vwc$$
pass=0
fail=0
tmp=$(mktemp -d)
cleanup() { for n in $A $B $C; do ip netns del "$n" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "not ok - $*"; }
diffout() {
	printf '%s\n' "$1" >"$tmp/want"
	printf '%s\n' "$2" >"$tmp/got"
	diff -u "$tmp/want" "$tmp/got" | grep '^[-+]' | sed 's/^/#   /' | head -60
}
# "N seconds ago" may tick between the two runs: compare without the number
norm() { sed -E '/latest handshake/ s/[0-9]+/N/g'; }
# compare <ns> <args...>: `wg <args>` and `veil <args>` print the same
compare() {
	local ns=$1 w v i wrc vrc
	shift
	for i in 1 2 3; do
		w=$(ip netns exec "$ns" wg "$@" 2>&1)
		wrc=$?
		v=$(ip netns exec "$ns" "$VW" "$@" 2>&1)
		vrc=$?
		[ "$w" == "$v" ] && [ $wrc -eq $vrc ] && break
		if [ "$(norm <<<"$w")" == "$(norm <<<"$v")" ] && [ $wrc -eq $vrc ]; then
			w=$v
			break
		fi
	done
	if [ "$w" == "$v" ] && [ $wrc -eq $vrc ]; then ok "same output: $*"; else
		bad "same output: $* (wg rc $wrc, veil rc $vrc)"; diffout "$w" "$v"; fi
}

# wg reads WG_*; veil reads VEIL_* first, then WG_*: test with WG_* alone
unset VEIL_COLOR_MODE VEIL_HIDE_KEYS WG_COLOR_MODE WG_HIDE_KEYS NO_COLOR

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 4; }
command -v wg >/dev/null || { echo "1..0 # SKIP wg not installed"; exit 4; }
[ -x "$VW" ] || make -C "$DIR/.." tests/veil-wgcompat >/dev/null || exit 1
modprobe wireguard 2>/dev/null || { echo "1..0 # SKIP no wireguard module"; exit 4; }

for n in $A $B $C; do ip netns add $n; ip -n $n link set lo up; done
ip link add va netns $A type veth peer name vb netns $B
ip -n $A addr add 192.168.77.1/24 dev va
ip -n $B addr add 192.168.77.2/24 dev vb
ip -n $A addr add fd77::1/64 dev va nodad
ip -n $B addr add fd77::2/64 dev vb nodad
ip -n $A link set va up
ip -n $B link set vb up
ip -n $A link add wg0 type wireguard
ip -n $B link add wg1 type wireguard
ip -n $B link add wg2 type wireguard

wg genkey >"$tmp/ka"
wg genkey >"$tmp/kb"
wg genpsk >"$tmp/psk"
PA=$(wg pubkey <"$tmp/ka")
PB=$(wg pubkey <"$tmp/kb")
ip netns exec $A wg set wg0 private-key "$tmp/ka" listen-port 51820 \
	peer "$PB" preshared-key "$tmp/psk" endpoint 192.168.77.2:51821 allowed-ips 10.9.0.2/32,fd99::2/128 \
	persistent-keepalive 25
ip netns exec $B wg set wg1 private-key "$tmp/kb" listen-port 51821 fwmark 0x1234 \
	peer "$PA" preshared-key "$tmp/psk" allowed-ips 10.9.0.1/32,fd99::1/128 persistent-keepalive 61
# more peers on wg1: never handshaken, v6 endpoint, many allowed IPs
for i in $(seq 1 40); do
	args+=(peer "$(wg genkey | wg pubkey)" allowed-ips "10.10.$i.0/24,fd10:$i::/64"
	       endpoint "[fd78::$i]:$((1000 + i))" persistent-keepalive $((i * 97)))
done
ip netns exec $B wg set wg1 "${args[@]}"
big=$(for i in $(seq 0 1499); do printf '10.%d.%d.0/24,' $((100 + i / 256)) $((i % 256)); done)
ip netns exec $B wg set wg1 peer "$(wg genkey | wg pubkey)" allowed-ips "${big}fd00::/8"
ip -n $A addr add 10.9.0.1/24 dev wg0
ip -n $A addr add fd99::1/64 dev wg0 nodad
ip -n $B addr add 10.9.0.2/24 dev wg1
ip -n $B addr add fd99::2/64 dev wg1 nodad
ip -n $A link set wg0 up
ip -n $B link set wg1 up
ip netns exec $A ping -c 5 -i 0.5 -W 3 10.9.0.2 >/dev/null || echo "# ping over the tunnel failed"
ip netns exec $A ping -6 -c 2 -i 0.3 -s 3000 -W 2 fd99::2 >/dev/null || true
sleep 2	# so that "N seconds ago" has seconds in it

params="public-key private-key listen-port fwmark peers preshared-keys endpoints allowed-ips latest-handshakes transfer persistent-keepalive dump"
for ns_dev in "$A wg0" "$B wg1" "$B wg2"; do
	set -- $ns_dev
	compare "$1" show "$2"
	for p in $params; do compare "$1" show "$2" "$p"; done
	compare "$1" showconf "$2"
done
compare $B show
compare $B show all
compare $B show interfaces
for p in $params; do
	# wg v1.0.20210914 prints the interface name once per device, not once
	# per line, for "endpoints"; veil prefixes every line
	if [ "$p" = endpoints ]; then
		w=$(for d in wg1 wg2; do ip netns exec $B wg show $d endpoints | sed "s/^/$d\t/"; done)
		v=$(ip netns exec $B "$VW" show all endpoints)
		if [ "$w" == "$v" ]; then ok "show all endpoints (every line prefixed)"; else
			bad "show all endpoints (every line prefixed)"; diffout "$w" "$v"; fi
		continue
	fi
	compare $B show all "$p"
done
export WG_COLOR_MODE=always
compare $A show wg0
compare $B show
unset WG_COLOR_MODE
export WG_HIDE_KEYS=never
compare $A show wg0
unset WG_HIDE_KEYS

# dumps that race with changes are retried (NLM_F_DUMP_INTR): every dump
# read must be a consistent snapshot
TOG=$(wg genkey | wg pubkey)
( for i in $(seq 1 400); do
	ip netns exec $B wg set wg1 peer "$TOG" allowed-ips 10.66.0.0/16
	ip netns exec $B wg set wg1 peer "$TOG" remove
  done ) &
racer=$!
consistent=1
n=0
while kill -0 $racer 2>/dev/null && [ $n -lt 60 ]; do
	d=$(ip netns exec $B "$VW" show wg1 dump) || { consistent=0; echo "# dump failed"; break; }
	n=$((n + 1))
	peers=$(tail -n +2 <<<"$d" | cut -f1 | sort | uniq -d | wc -l)
	bigc=$(tail -n +2 <<<"$d" | awk -F'\t' '{ print gsub(/,/, ",", $4) + 1 }' | sort -n | tail -n 1)
	total=$(tail -n +2 <<<"$d" | wc -l)
	if [ "$peers" -ne 0 ] || [ "$bigc" -ne 1501 ] || { [ "$total" -ne 42 ] && [ "$total" -ne 43 ]; }; then
		consistent=0
		echo "# inconsistent dump: duplicates=$peers biggest=$bigc peers=$total"
		break
	fi
done
kill $racer 2>/dev/null
wait $racer 2>/dev/null
[ $consistent = 1 ] && ok "$n dumps during concurrent changes were consistent" || bad "dumps during concurrent changes"
ip netns exec $B wg set wg1 peer "$TOG" remove

# configurations written by veil, read back by wg (and the reverse)
ip netns exec $B wg showconf wg1 >"$tmp/b.conf"
ip -n $C link add wgv type wireguard
ip -n $C link add wgw type wireguard
same_conf() {
	local w v
	w=$(ip netns exec $C wg showconf wgw)
	v=$(ip netns exec $C wg showconf wgv)
	if [ "$w" == "$v" ]; then ok "$1"; else bad "$1"; diffout "$w" "$v"; fi
}
apply() {	# apply <verb> <file>: wg on wgw, veil on wgv
	ip netns exec $C wg "$1" wgw "$2" || bad "wg $1 failed"
	ip netns exec $C "$VW" "$1" wgv "$2" || bad "veil $1 failed"
}
apply setconf "$tmp/b.conf"
same_conf "setconf of a 42-peer, 1600-prefix file"
[ "$(ip netns exec $C wg showconf wgv)" == "$(cat "$tmp/b.conf")" ] && ok "veil setconf reproduces the file" ||
	bad "veil setconf reproduces the file"
compare $C showconf wgv

printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.250.0.0/16\n' "$PA" >"$tmp/add.conf"
apply addconf "$tmp/add.conf"
w=$(ip netns exec $C wg showconf wgw)
v=$(ip netns exec $C wg showconf wgv)
if [ "$w" == "$v" ]; then ok "addconf of a peer"; else bad "addconf of a peer"; diffout "$w" "$v"; fi
ip netns exec $C "$VW" set wgv peer "$PA" allowed-ips 10.250.0.0/16

# syncconf: drop half the peers, change some, add one
awk 'BEGIN { RS = ""; ORS = "\n\n" } NR == 1 || NR % 2 == 0 { gsub(/10\.10\./, "10.11."); print }' \
	"$tmp/b.conf" >"$tmp/sync.conf"
printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.251.0.1/32\n' "$(wg genkey | wg pubkey)" >>"$tmp/sync.conf"
apply syncconf "$tmp/sync.conf"
same_conf "syncconf"
printf '[Interface]\nListenPort = 4000\nPrivateKey = %s\n' "$(cat "$tmp/ka")" >"$tmp/if.conf"
apply setconf "$tmp/if.conf"
same_conf "setconf of an interface without peers"

ip netns exec $C wg set wgw peer "$PA" allowed-ips 10.1.0.0/16 endpoint [fe80::5%lo]:99 persistent-keepalive 7
ip netns exec $C "$VW" set wgv peer "$PA" allowed-ips 10.1.0.0/16 endpoint [fe80::5%lo]:99 persistent-keepalive 7
same_conf "set with a scoped IPv6 endpoint"
ip netns exec $C wg set wgw fwmark 0 peer "$PA" remove
ip netns exec $C "$VW" set wgv fwmark off peer "$PA" remove
same_conf "set remove"

echo "# vm-wg-compare: $((pass + fail)) checks, $fail failed"
[ $fail -eq 0 ]
