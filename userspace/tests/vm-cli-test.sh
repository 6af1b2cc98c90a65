#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tests of the veil CLI against the kernel module (root, module
# loaded; e.g. in the VM: scripts/vm-run 'scripts/load-module &&
# userspace/tests/vm-cli-test.sh'). Runs in a private network namespace.
# Usage: tests/vm-cli-test.sh [path/to/veil]   (VEIL_VALGRIND=1: also run
# the netlink paths under valgrind)

VEIL=$(readlink -f "${1:-$(dirname "$0")/../veil}")
NS=veilcli$$
pass=0
fail=0
tmp=$(mktemp -d)
cleanup() { ip netns del "$NS" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "not ok - $*"; }
v() { ip netns exec "$NS" "$VEIL" "$@"; }
# same <description> <expected> <actual>
same() {
	if [ "$2" == "$3" ]; then ok "$1"; else
		bad "$1"
		printf '%s\n' "$2" >"$tmp/want"
		printf '%s\n' "$3" >"$tmp/got"
		diff -u "$tmp/want" "$tmp/got" | sed 's/^/#   /' | head -40
	fi
}
# fails <description> <stderr regex> <command...>: exit 1, one stderr line
fails() {
	local desc=$1 re=$2 rc
	shift 2
	"$@" >"$tmp/o" 2>"$tmp/e"
	rc=$?
	if [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/e")" -eq 1 ] && grep -qE -- "$re" "$tmp/e" && [ ! -s "$tmp/o" ]; then
		ok "$desc"
	else
		bad "$desc (rc=$rc, stderr: $(head -c 300 "$tmp/e"))"
	fi
}

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 4; }
grep -q '^veil ' /proc/modules || { echo "1..0 # SKIP veil module not loaded"; exit 4; }
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
ip -n "$NS" link add veil0 type veil || { bad "ip link add veil0 type veil"; exit 1; }
ip -n "$NS" link add veil1 type veil
ip -n "$NS" link add dummy0 type dummy 2>/dev/null

K1=$("$VEIL" genkey)	# clamped, so the kernel returns it unchanged
P1=$(echo "$K1" | "$VEIL" pubkey)
P2=e06Qm75//kTEZaIgA31gjuNYl9Me+XLwf3SJLLD3PxM=
P3=$("$VEIL" genkey | "$VEIL" pubkey)
PSK=$("$VEIL" genpsk)
echo "$K1" >"$tmp/k1"
echo "$PSK" >"$tmp/psk"

same "show interfaces" "veil0 veil1" "$(v show interfaces)"
same "show fresh device" "interface: veil0" "$(v show veil0)"
same "dump fresh device" "$(printf '(none)\t(none)\t0\toff')" "$(v show veil0 dump)"
same "showconf fresh device" "[Interface]" "$(v showconf veil0)"
fails "show missing device" '^veil: Unable to access interface veil9: No such device$' v show veil9
fails "showconf missing device" '^veil: Unable to access interface veil9: No such device$' v showconf veil9
fails "set missing device" '^veil: Unable to modify interface veil9: ' v set veil9 listen-port 1
fails "show a non-veil device" '^veil: Unable to access interface lo: ' v show lo
fails "set a non-veil device" '^veil: Unable to modify interface lo: ' v set lo listen-port 1

v set veil0 private-key "$tmp/k1" listen-port 51820 fwmark 0x2a &&
	ok "set private-key listen-port fwmark" || bad "set private-key listen-port fwmark"
same "public-key" "$P1" "$(v show veil0 public-key)"
same "private-key" "$K1" "$(v show veil0 private-key)"
same "listen-port" "51820" "$(v show veil0 listen-port)"
same "fwmark" "0x2a" "$(v show veil0 fwmark)"

v set veil0 peer "$P2" preshared-key "$tmp/psk" endpoint 192.0.2.1:51820 persistent-keepalive 25 \
	allowed-ips 10.0.0.1/32,fd00::1/128 peer "$P3" endpoint '[fd00::9]:7' allowed-ips 10.9.0.0/16 &&
	ok "set two peers" || bad "set two peers"
same "dump" "$(printf '%s\t%s\t51820\t0x2a\n%s\t%s\t192.0.2.1:51820\t10.0.0.1/32,fd00::1/128\t0\t0\t0\t25\n%s\t(none)\t[fd00::9]:7\t10.9.0.0/16\t0\t0\t0\toff' \
	"$K1" "$P1" "$P2" "$PSK" "$P3")" "$(v show veil0 dump)"
same "pretty show" "interface: veil0
  public key: $P1
  private key: (hidden)
  listening port: 51820
  fwmark: 0x2a

peer: $P2
  preshared key: (hidden)
  endpoint: 192.0.2.1:51820
  allowed ips: 10.0.0.1/32, fd00::1/128
  persistent keepalive: every 25 seconds

peer: $P3
  endpoint: [fd00::9]:7
  allowed ips: 10.9.0.0/16" "$(v show veil0)"
same "VEIL_HIDE_KEYS=never" "  private key: $K1" "$(VEIL_HIDE_KEYS=never v show veil0 | grep 'private key')"
same "WG_HIDE_KEYS=never" "  preshared key: $PSK" "$(WG_HIDE_KEYS=never v show veil0 | grep 'preshared key')"
same "VEIL_COLOR_MODE=always" "$(printf '\e[0m\e[32m\e[1minterface\e[0m: \e[32mveil0\e[0m')" \
	"$(VEIL_COLOR_MODE=always v show veil0 | head -n 1)"
same "peers" "$(printf '%s\n%s' "$P2" "$P3")" "$(v show veil0 peers)"
same "endpoints" "$(printf '%s\t192.0.2.1:51820\n%s\t[fd00::9]:7' "$P2" "$P3")" "$(v show veil0 endpoints)"
same "allowed-ips" "$(printf '%s\t10.0.0.1/32 fd00::1/128\n%s\t10.9.0.0/16' "$P2" "$P3")" "$(v show veil0 allowed-ips)"
same "preshared-keys" "$(printf '%s\t%s\n%s\t(none)' "$P2" "$PSK" "$P3")" "$(v show veil0 preshared-keys)"
same "persistent-keepalive" "$(printf '%s\t25\n%s\toff' "$P2" "$P3")" "$(v show veil0 persistent-keepalive)"
same "latest-handshakes" "$(printf '%s\t0\n%s\t0' "$P2" "$P3")" "$(v show veil0 latest-handshakes)"
same "transfer" "$(printf '%s\t0\t0\n%s\t0\t0' "$P2" "$P3")" "$(v show veil0 transfer)"
same "show all listen-port" "$(printf 'veil0\t51820\nveil1\t0')" "$(v show all listen-port)"
same "show all peers" "$(printf 'veil0\t%s\nveil0\t%s' "$P2" "$P3")" "$(v show all peers)"

# showconf -> setconf -> showconf
v showconf veil0 >"$tmp/a.conf"
same "showconf" "[Interface]
ListenPort = 51820
FwMark = 0x2a
PrivateKey = $K1

[Peer]
PublicKey = $P2
PresharedKey = $PSK
AllowedIPs = 10.0.0.1/32, fd00::1/128
Endpoint = 192.0.2.1:51820
PersistentKeepalive = 25

[Peer]
PublicKey = $P3
AllowedIPs = 10.9.0.0/16
Endpoint = [fd00::9]:7" "$(cat "$tmp/a.conf")"
v setconf veil1 "$tmp/a.conf" && ok "setconf from showconf" || bad "setconf from showconf"
same "showconf round trip" "$(cat "$tmp/a.conf")" "$(v showconf veil1)"

# set details
v set veil0 peer "$P3" allowed-ips "" && same "allowed-ips '' clears" "$(printf '%s\t(none)' "$P3")" \
	"$(v show veil0 allowed-ips | tail -n 1)"
v set veil0 peer "$P2" allowed-ips 10.0.0.2 && same "allowed-ips replaces" "$(printf '%s\t10.0.0.2/32' "$P2")" \
	"$(v show veil0 allowed-ips | head -n 1)"
v set veil0 peer "$P3" allowed-ips 10.0.0.2/32 && same "a prefix moves to its new peer" \
	"$(printf '%s\t(none)\n%s\t10.0.0.2/32' "$P2" "$P3")" "$(v show veil0 allowed-ips)"
v set veil0 peer "$P2" preshared-key /dev/null persistent-keepalive off &&
	same "psk and keepalive removed" "$(printf '%s\t(none)' "$P2")" "$(v show veil0 preshared-keys | head -n 1)"
v set veil0 fwmark off && same "fwmark off" "off" "$(v show veil0 fwmark)"
v set veil0 peer "$P3" remove && same "peer remove" "$P2" "$(v show veil0 peers)"
v set veil0 private-key /dev/null && same "private key removed" "(none)" "$(v show veil0 private-key)"
same "public key gone with it" "(none)" "$(v show veil0 public-key)"
v set veil0 peer "$P2" endpoint '[fe80::1%lo]:5' 2>/dev/null &&
	same "scoped IPv6 endpoint" "$(printf '%s\t[fe80::1%%lo]:5' "$P2")" "$(v show veil0 endpoints)"

# a refused request changes nothing, and the kernel's reason is shown
v set veil1 listen-port 51999
ip -n "$NS" link set veil0 up
ip -n "$NS" link set veil1 up
before=$(v show veil1 dump)
fails "set refused by the kernel shows its message" '^veil: Unable to modify interface veil1: .*(could not bind|in use)' \
	v set veil1 listen-port 51820 peer "$P1" allowed-ips 10.77.0.0/16
same "refused set left the device alone" "$before" "$(v show veil1 dump)"
ip -n "$NS" link set veil0 down
ip -n "$NS" link set veil1 down

# a bad file changes nothing
before=$(v showconf veil1)
printf '[Interface]\nListenPort = 1\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.0/33\n' "$P2" >"$tmp/bad.conf"
fails "setconf with a bad line" "^veil: Line 5: Allowed IP has an invalid prefix length" v setconf veil1 "$tmp/bad.conf"
same "bad file changed nothing" "$before" "$(v showconf veil1)"

# addconf: a listed peer gets exactly the file's allowed IPs (as in wg)
printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.200.0.0/16\n' "$P2" >"$tmp/add.conf"
v addconf veil1 "$tmp/add.conf" && same "addconf replaces a listed peer's allowed IPs" \
	"$(printf '%s\t10.200.0.0/16' "$P2")" "$(v show veil1 allowed-ips | grep "$P2")"
same "addconf keeps other settings" "$(printf '51999\n0x2a')" "$(v show veil1 listen-port; v show veil1 fwmark)"

# syncconf: P3 removed, P2 changed in place, P1new added; listen port kept
PN=$("$VEIL" genkey | "$VEIL" pubkey)
printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.1.1.1/32\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.1.1.2/32\n' \
	"$K1" "$P2" "$PN" >"$tmp/sync.conf"
v syncconf veil1 "$tmp/sync.conf" && ok "syncconf" || bad "syncconf"
same "syncconf result" "$(printf '%s\t%s\t51820\toff\n%s\t(none)\t192.0.2.1:51820\t10.1.1.1/32\t0\t0\t0\toff\n%s\t(none)\t(none)\t10.1.1.2/32\t0\t0\t0\toff' \
	"$K1" "$P1" "$P2" "$PN")" "$(v show veil1 dump)"
v syncconf veil1 "$tmp/sync.conf" && same "syncconf again is a no-op" \
	"$(printf '%s\t%s\t51820\toff\n%s\t(none)\t192.0.2.1:51820\t10.1.1.1/32\t0\t0\t0\toff\n%s\t(none)\t(none)\t10.1.1.2/32\t0\t0\t0\toff' \
	"$K1" "$P1" "$P2" "$PN")" "$(v show veil1 dump)"

# large configurations: several requests out, several messages back
{
	printf '[Interface]\nListenPort = 40000\n'
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = ' "$P2"
	for i in $(seq 0 2999); do printf '10.%d.%d.0/24, ' $((i / 256)) $((i % 256)); done
	printf 'fd00::/64\n'
	i=0
	# 300 random public keys from one process (a command per key is slow under TCG)
	{ head -c 9000 /dev/urandom | base64 -w 0 | fold -w 400; echo; } | while read -r chunk; do
		for ((j = 0; j < 400; j += 40)); do
			i=$((i + 1))
			# 30 random bytes plus two zero bytes: a canonical 44-character key
			printf '[Peer]\nPublicKey = %sAAA=\nAllowedIPs = 172.16.%d.%d/32, fd01::%x/128\nPersistentKeepalive = %d\n' \
				"${chunk:j:40}" $((i / 256)) $((i % 256)) "$i" "$i"
		done
	done
} >"$tmp/big.conf"
v setconf veil0 "$tmp/big.conf" && ok "setconf with 301 peers and 3301 allowed IPs" || bad "setconf big"
same "big: peer count" 301 "$(v show veil0 peers | wc -l)"
same "big: allowed IPs count" 3601 "$(v show veil0 allowed-ips | cut -f2 | tr ' ' '\n' | grep -c /)"
same "big: first peer's allowed IPs merged" 3001 "$(v show veil0 allowed-ips | grep -F "$P2" | cut -f2 | tr ' ' '\n' | grep -c /)"
v showconf veil0 >"$tmp/big2.conf"
v setconf veil1 "$tmp/big2.conf" && same "big: showconf round trip" "$(cat "$tmp/big2.conf")" "$(v showconf veil1)"
v setconf veil1 "$tmp/a.conf" && same "setconf replaces everything" "$(cat "$tmp/a.conf")" "$(v showconf veil1)"

# dumps that race with changes are retried: each one is a consistent snapshot
TOG=$("$VEIL" genpsk)
( for i in $(seq 1 150); do
	v set veil0 peer "$TOG" allowed-ips 10.66.0.0/16
	v set veil0 peer "$TOG" remove
  done ) &
racer=$!
consistent=1
n=0
while kill -0 $racer 2>/dev/null && [ $n -lt 20 ]; do
	d=$(v show veil0 dump) || { consistent=0; echo "# dump failed"; break; }
	n=$((n + 1))
	dups=$(tail -n +2 <<<"$d" | cut -f1 | sort | uniq -d | wc -l)
	bigc=$(grep -F "$P2" <<<"$d" | awk -F'\t' '{ print gsub(/,/, ",", $4) + 1 }')
	total=$(tail -n +2 <<<"$d" | wc -l)
	if [ "$dups" -ne 0 ] || [ "$bigc" != 3001 ] || { [ "$total" -ne 301 ] && [ "$total" -ne 302 ]; }; then
		consistent=0
		echo "# inconsistent dump: duplicates=$dups P2 has $bigc allowed IPs, $total peers"
		break
	fi
done
kill $racer 2>/dev/null
wait $racer 2>/dev/null
[ $consistent = 1 ] && ok "$n dumps during concurrent changes were consistent" || bad "dumps during concurrent changes"
v set veil0 peer "$TOG" remove

# no leaks or memory errors on the netlink paths (slow under TCG: opt-in)
if [ -n "${VEIL_VALGRIND:-}" ] && command -v valgrind >/dev/null; then
	vg() { ip netns exec "$NS" valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
		--error-exitcode=9 "$VEIL" "$@" >/dev/null 2>"$tmp/vg"; }
	for args in "show" "show all dump" "showconf veil0" "show interfaces" "set veil1 peer $P2 allowed-ips 10.5.0.0/16" \
		"syncconf veil1 $tmp/sync.conf" "addconf veil1 $tmp/add.conf" "setconf veil1 $tmp/big2.conf" \
		"show veil9" "set veil9 listen-port 1"; do
		# shellcheck disable=SC2086
		vg $args
		rc=$?
		if [ $rc -ne 9 ] && ! grep -q '==[0-9]*==' "$tmp/vg"; then ok "valgrind: veil $args"; else
			bad "valgrind: veil $args"; head -30 "$tmp/vg" | sed 's/^/#   /'; fi
	done
fi

# show all pretty: blank line between devices
n=$(v show | grep -c '^interface: ')
same "show all lists both devices" 2 "$n"
echo "# vm-cli-test: $((pass + fail)) checks, $fail failed, $SECONDS seconds"
[ $fail -eq 0 ]
