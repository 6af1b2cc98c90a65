#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests of the veil binary that need no kernel module: key
# commands (against wg(8) when it is installed), usage and exit codes, and
# the error lines of set/setconf for input that is refused before anything
# is sent. Usage: tests/cli-test.sh [path/to/veil]   (env: KEYS=200)

VEIL=${1:-./veil}
KEYS=${KEYS:-200}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_err <exact stderr line> <command...>: exit 1, one line on stderr, no stdout
expect_err() {
	local want=$1 out err rc
	shift
	out=$("$@" 2>"$tmp/err" </dev/null)
	rc=$?
	err=$(cat "$tmp/err")
	if [ "$rc" -ne 1 ] || [ "$err" != "$want" ] || [ -n "$out" ]; then
		bad "$* => rc=$rc stderr='$err' stdout='$out' (want '$want')"
	else
		ok
	fi
}

# expect_rc <rc> <stdout|stderr> <regex> <command...>
expect_rc() {
	local want_rc=$1 stream=$2 re=$3 rc
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if [ "$rc" -ne "$want_rc" ] || ! grep -qE -- "$re" "$tmp/$( [ "$stream" = stdout ] && echo out || echo err)"; then
		bad "$* => rc=$rc (want $want_rc, $stream =~ $re)"
	else
		ok
	fi
}

K1=IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=
P1=D6poTtKIZ7l/Smot7l34zpdOdrcBjj8iocTPJnhXDyA=
K2=e06Qm75//kTEZaIgA31gjuNYl9Me+XLwf3SJLLD3PxM=

# ---- keys ----
[ "$(echo $K1 | "$VEIL" pubkey)" = "$P1" ] && ok || bad "pubkey of the 0x22 key"
[ "$(printf '%s' $K1 | "$VEIL" pubkey)" = "$P1" ] && ok || bad "pubkey without newline"
[ "$(printf '  %s \n\n' $K1 | "$VEIL" pubkey)" = "$P1" ] && ok || bad "pubkey with whitespace"
expect_err "veil: Key is not the correct length or format" sh -c "echo abc | '$VEIL' pubkey"
expect_err "veil: Key is not the correct length or format" sh -c "echo IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiJ= | '$VEIL' pubkey"
expect_err "veil: Key is not the correct length or format" sh -c "'$VEIL' pubkey </dev/null"
expect_err "veil: Trailing characters found after key" sh -c "echo '$K1 x' | '$VEIL' pubkey"

for cmd in genkey genpsk; do
	k=$("$VEIL" $cmd)
	[[ $k =~ ^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$ ]] && ok || bad "$cmd output '$k'"
done
# genkey is clamped: byte 0 & 7 == 0, byte 31: top bit clear, bit 6 set
for i in 1 2 3 4 5 6 7 8; do
	"$VEIL" genkey | base64 -d | od -An -tu1 -v | tr -s ' \n' ' ' >"$tmp/bytes"
	read -r -a b <"$tmp/bytes"
	if (( (b[0] & 7) == 0 && (b[31] & 128) == 0 && (b[31] & 64) == 64 )); then ok; else bad "genkey not clamped: ${b[*]}"; fi
done
[ "$("$VEIL" genkey)" != "$("$VEIL" genkey)" ] && ok || bad "genkey repeats"
# world-accessible output file: a one-line warning, key still written
(umask 022; "$VEIL" genkey >"$tmp/world.key" 2>"$tmp/warn")
[ "$(wc -l <"$tmp/warn")" = 1 ] && grep -q '^veil: Warning: .*world accessible' "$tmp/warn" && ok || bad "genkey world-readable warning"
[ "$(wc -c <"$tmp/world.key")" = 45 ] && ok || bad "genkey to file"
(umask 077; "$VEIL" genkey >"$tmp/private.key" 2>"$tmp/warn")
[ ! -s "$tmp/warn" ] && ok || bad "genkey warned with umask 077"

if command -v wg >/dev/null; then
	for ((i = 0; i < KEYS; i++)); do
		k=$(wg genkey)
		[ "$(echo "$k" | "$VEIL" pubkey)" = "$(echo "$k" | wg pubkey)" ] || { bad "pubkey differs from wg for $k"; continue; }
		k=$("$VEIL" genpsk)	# unclamped input too
		[ "$(echo "$k" | "$VEIL" pubkey)" = "$(echo "$k" | wg pubkey)" ] && ok || bad "pubkey differs from wg for $k"
	done
	k=$("$VEIL" genkey)
	[ "$(echo "$k" | wg pubkey)" = "$(echo "$k" | "$VEIL" pubkey)" ] && ok || bad "wg pubkey of veil genkey"
else
	echo "# wg not installed: pubkey not compared with wg"
fi

# ---- usage and help ----
expect_rc 0 stdout '^Usage: veil <cmd>' "$VEIL" --help
expect_rc 0 stdout '^Usage: veil <cmd>' "$VEIL" -h
expect_rc 0 stdout '^Usage: veil <cmd>' "$VEIL" help
expect_rc 0 stdout '^veil v[0-9]' "$VEIL" --version
expect_err "veil: Invalid subcommand: 'frobnicate' (see 'veil --help')" "$VEIL" frobnicate
for c in show showconf set setconf addconf syncconf genkey genpsk pubkey; do
	expect_rc 0 stdout "^Usage: veil $c" "$VEIL" $c --help
done
expect_rc 1 stderr '^Usage: veil set <interface>' "$VEIL" set
expect_rc 1 stderr '^Usage: veil set <interface>' "$VEIL" set veil0
expect_rc 1 stderr '^Usage: veil showconf <interface>' "$VEIL" showconf
expect_rc 1 stderr '^Usage: veil showconf <interface>' "$VEIL" showconf a b
expect_rc 1 stderr '^Usage: veil setconf <interface> <configuration filename>' "$VEIL" setconf veil0
expect_rc 1 stderr '^Usage: veil syncconf <interface> <configuration filename>' "$VEIL" syncconf
expect_rc 1 stderr '^Usage: veil genkey' "$VEIL" genkey extra
expect_rc 1 stderr '^Usage: veil show' "$VEIL" show a b c
expect_rc 1 stderr '^Usage: veil show' "$VEIL" show interfaces dump
expect_err "veil: Invalid parameter for show: 'bogus' (see 'veil show --help')" "$VEIL" show veil0 bogus

# ---- set: refused before anything is sent ----
expect_err "veil: Listen port out of range: 70000" "$VEIL" set veil0 listen-port 70000
expect_err "veil: Invalid argument: 'bogus'" "$VEIL" set veil0 bogus
expect_err "veil: 'fwmark' needs a value" "$VEIL" set veil0 fwmark
expect_err "veil: Key is not the correct length or format: 'abc'" "$VEIL" set veil0 peer abc
expect_err "veil: 'private-key' must come before the first 'peer'" "$VEIL" set veil0 peer "$K2" private-key /dev/null
expect_err "veil: Unable to open key file '$tmp/none': No such file or directory" "$VEIL" set veil0 private-key "$tmp/none"
echo "not a key" >"$tmp/bad.key"
expect_err "veil: Key file '$tmp/bad.key' does not hold a key (expected 44 characters of base64)" "$VEIL" set veil0 private-key "$tmp/bad.key"
expect_err "veil: Allowed IP has an invalid prefix length (0 to 32): '10.0.0.0/40'" "$VEIL" set veil0 peer "$K2" allowed-ips "10.0.0.0/8, 10.0.0.0/40"
expect_err "veil: Persistent keepalive interval out of range (1 to 65535, or 0/off): 70000" "$VEIL" set veil0 peer "$K2" persistent-keepalive 70000
expect_err "veil: Endpoint port is not a number from 0 to 65535: '1.2.3.4:99999'" "$VEIL" set veil0 peer "$K2" endpoint 1.2.3.4:99999
expect_err "veil: Invalid VEIL_ENDPOINT_RESOLUTION_RETRIES (a number or 'infinity'): 'x'" env VEIL_ENDPOINT_RESOLUTION_RETRIES=x "$VEIL" set veil0 peer "$K2" endpoint 1.2.3.4:1

# ---- setconf/addconf/syncconf: refused before anything is sent ----
conf() { printf '%b' "$1" >"$tmp/c.conf"; }
conf "[Interface]\nPrivateKey = $K1\nListenPort = 51820\n\n[Peer]\nPublicKey = $K2\nAllowedIPs = 10.0.0.1/32\nEndpoint = 192.0.2.1:51820\nPrivateKey = abc\n"
for c in setconf addconf syncconf; do
	expect_err "veil: Line 9: Unknown key 'PrivateKey' in [Peer] section" "$VEIL" $c veil0 "$tmp/c.conf"
done
conf "[Interface]\nListenPort = 70000\n"
expect_err "veil: Line 2: Listen port out of range: 70000" "$VEIL" setconf veil0 "$tmp/c.conf"
conf "[Interface]\n\n\n\n\n\nPrivateKey = abc\n"
expect_err "veil: Line 7: Key is not the correct length or format: 'abc'" "$VEIL" setconf veil0 "$tmp/c.conf"
conf "[Peer]\nPublicKey = $K2\n[Peer]\nPublicKey = $K2\n"
expect_err "veil: Line 4: Duplicate peer: PublicKey $K2 was already given on line 2" "$VEIL" setconf veil0 "$tmp/c.conf"
expect_err "veil: Unable to open configuration file '$tmp/none.conf': No such file or directory" "$VEIL" setconf veil0 "$tmp/none.conf"
expect_err "veil: Unable to read configuration file '$tmp': Is a directory" "$VEIL" setconf veil0 "$tmp"

echo "cli-test: $((pass + fail)) checks, $fail failed"
[ "$fail" -eq 0 ]
