#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad input to the CLI: every case must be refused with a non-zero exit and
# a one-line message on stderr, and leave the device's configuration exactly
# as it was (showconf and dump compared before/after). Covers keys, CIDRs,
# ports, config file syntax, endpoints, keepalive, fwmark, devices that do
# not exist or are not veil devices, CLI usage, pubkey input, and files
# that are good for a long while and then bad.

. "$(dirname "$0")/lib.sh"

require_module
require_cli
require_cmd python3

if ! ns_inside; then
	ns_new NS
	ns_enter "$NS"
fi
NS=$VEIL_NS_INSIDE

tap_plan 79

link_add "$NS" veil0 || bail_out "cannot create a device"

priv=$(genkey)
psk=$("$VEIL" genpsk)
A=$(pubkey_of "$(genkey)")
B=$(pubkey_of "$(genkey)")
K=$(pubkey_of "$(genkey)")	# a valid key that is not a peer
veil_ns "$NS" set veil0 private-key "$(keyfile "$priv")" listen-port 51820 fwmark 0x10 \
	peer "$A" preshared-key "$(keyfile "$psk")" endpoint 192.0.2.1:51820 \
		persistent-keepalive 25 allowed-ips 10.0.0.0/24,fd00::/64 \
	peer "$B" endpoint '[2001:db8::2]:4000' allowed-ips 10.1.0.0/16 ||
	bail_out "cannot configure the device"
[ "$(veil_ns "$NS" show veil0 peers | grep -c .)" -eq 2 ] || bail_out "baseline config not applied"
# Nothing below changes the configuration (that is the point): compare each
# case with the state after the previous one.
refused_baseline "$NS" veil0

# refused DESC ARGS...: "veil ARGS..." in NS is refused, veil0 intact.
refused()
{
	local desc=$1
	shift
	expect_refused "$desc" "$NS" veil0 "$VEIL" "$@"
}

# refused_keyfile DESC CONTENT: "set veil0 private-key FILE" with CONTENT.
refused_keyfile()
{
	refused "private-key file: $1" set veil0 private-key "$(keyfile "$2")"
}

# refused_conf DESC VERB: "VERB veil0 FILE" with FILE read from stdin.
__conf_seq=0
refused_conf()
{
	local f
	__conf_seq=$((__conf_seq + 1))
	f=$(conf_file "bad.$__conf_seq.conf")
	refused "$2: $1" "$2" veil0 "$f"
}

# ---- keys ---------------------------------------------------------------------
refused_keyfile "invalid base64" '!!!!IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI='
refused_keyfile "43 characters" IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI
refused_keyfile "31-byte key" "$(head -c 31 /dev/zero | base64)"
refused_keyfile "33-byte key" "$(head -c 33 /dev/zero | base64)"
refused_keyfile "non-canonical final bits" IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiJ=
refused_keyfile "trailing garbage" "${priv}x"
refused "private-key file that does not exist" set veil0 private-key "$VEIL_TMP/nonexistent"
refused "peer public key: invalid base64" set veil0 peer 'not a key' allowed-ips 10.9.0.0/16
refused "peer public key: 16-byte key" set veil0 peer "$(head -c 16 /dev/zero | base64)"
refused "preshared-key file: invalid" set veil0 peer "$A" preshared-key "$(keyfile 'xyz')"
refused_conf "PublicKey of the wrong length" setconf <<EOF
[Peer]
PublicKey = $(head -c 24 /dev/zero | base64)
EOF

# ---- allowed IPs -----------------------------------------------------------
for aip in 10.0.0.0/33 fd00::/129 10.0.0.0/-1 10.0.0.0/abc 10.0.0.0/ 300.0.0.0/8 \
	fd00:::1/64 10.0.0.0/24,,10.1.0.0/24; do
	refused "allowed-ips $aip" set veil0 peer "$A" allowed-ips "$aip"
done
refused_conf "AllowedIPs = 10.0.0.0/33" setconf <<EOF
[Peer]
PublicKey = $A
AllowedIPs = 10.0.0.0/33
EOF

# ---- ports -------------------------------------------------------------------
for port in 70000 65536 -1 abc ""; do
	refused "listen-port '$port'" set veil0 listen-port "$port"
done
refused_conf "ListenPort = 70000" setconf <<EOF
[Interface]
ListenPort = 70000
EOF

# ---- config file syntax ----------------------------------------------------
refused_conf "unknown key in [Interface]" setconf <<EOF
[Interface]
PrivateKey = $priv
Foo = bar
EOF
refused_conf "wg-quick key Address" setconf <<EOF
[Interface]
PrivateKey = $priv
Address = 10.0.0.1/24
EOF
refused_conf "unknown key in [Peer]" addconf <<EOF
[Peer]
PublicKey = $K
Bar = 1
EOF
refused_conf "duplicate peer" setconf <<EOF
[Interface]
PrivateKey = $priv
[Peer]
PublicKey = $K
AllowedIPs = 10.5.0.0/16
[Peer]
PublicKey = $K
AllowedIPs = 10.6.0.0/16
EOF
refused_conf "second [Interface]" setconf <<EOF
[Interface]
PrivateKey = $priv
[Peer]
PublicKey = $K
[Interface]
ListenPort = 1234
EOF
refused_conf "garbage line" setconf <<EOF
[Interface]
PrivateKey = $priv
this is not a configuration line
EOF
refused_conf "key before any section" setconf <<EOF
ListenPort = 1234
[Interface]
PrivateKey = $priv
EOF
refused_conf "[Peer] without PublicKey" addconf <<EOF
[Peer]
AllowedIPs = 10.7.0.0/16
EOF
refused_conf "unknown section" setconf <<EOF
[Interface]
PrivateKey = $priv
[Peers]
PublicKey = $K
EOF
refused_conf "PresharedKey in [Interface]" setconf <<EOF
[Interface]
PrivateKey = $priv
PresharedKey = $psk
EOF
refused_conf "key without a value" setconf <<EOF
[Interface]
PrivateKey
EOF

# ---- endpoints -------------------------------------------------------------
for ep in 192.0.2.1 192.0.2.1: '[2001:db8::1]' '[2001:db8::1:51820' '2001:db8::1]:51820' \
	no-such-host.invalid:51820 192.0.2.1:70000 ''; do
	refused "endpoint '$ep'" set veil0 peer "$A" endpoint "$ep"
done

# ---- keepalive, fwmark -----------------------------------------------------
for ka in 65536 -1 abc 1.5; do
	refused "persistent-keepalive '$ka'" set veil0 peer "$A" persistent-keepalive "$ka"
done
for mark in 0xZZ abc 0x100000000 -1; do
	refused "fwmark '$mark'" set veil0 fwmark "$mark"
done

# ---- several changes, one bad: nothing applied -----------------------------
refused "set: good listen-port and fwmark, then a bad fwmark" \
	set veil0 listen-port 4000 fwmark 0x20 fwmark junk
refused "set: remove a peer, add one, then a bad CIDR" \
	set veil0 peer "$A" remove peer "$K" allowed-ips 10.8.0.0/16 peer "$B" allowed-ips 10.0.0.0/33

# ---- devices ---------------------------------------------------------------
refused "set on a device that does not exist" set nosuch0 listen-port 1234
refused "show of a device that does not exist" show nosuch0
refused "set on a device that is not a veil device (lo)" set lo listen-port 1234
refused "show of a device that is not a veil device (lo)" show lo dump
refused "setconf on lo" setconf lo "$(conf_file lo.conf <<EOF
[Interface]
ListenPort = 1234
EOF
)"

# ---- usage -----------------------------------------------------------------
refused "unknown subcommand" frobnicate
refused "set without arguments" set
refused "set without a value for listen-port" set veil0 listen-port
refused "set peer without a key" set veil0 peer
refused "remove without a peer" set veil0 remove
refused "unknown set argument" set veil0 frobnicate 1
refused "setconf without a file" setconf veil0
refused "setconf of a file that does not exist" setconf veil0 "$VEIL_TMP/nonexistent.conf"
refused "show with an unknown field" show veil0 frobnicate

# ---- pubkey ----------------------------------------------------------------
expect_fail "pubkey: garbage input" "$VEIL" pubkey <<<"garbage"
expect_fail "pubkey: empty input" "$VEIL" pubkey </dev/null
expect_fail "pubkey: 43 characters" "$VEIL" pubkey <<<"IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI"
expect_fail "pubkey: trailing garbage" "$VEIL" pubkey <<<"${priv}x"

# ---- files that are good for a long while, then bad ------------------------
# half_good_conf FILE TAIL: 300 valid peers, then the line TAIL.
half_good_conf()
{
	python3 - "$1" "$2" "$priv" <<'EOF'
import base64, os, sys
path, tail, priv = sys.argv[1:4]
lines = ["[Interface]", "PrivateKey = " + priv, "ListenPort = 4444", "FwMark = 0x99"]
for i in range(300):
    lines += ["[Peer]", "PublicKey = " + base64.b64encode(os.urandom(32)).decode(),
              "AllowedIPs = 10.%d.%d.0/24, fd01:%x::/64" % (100 + i // 256, i % 256, i),
              "Endpoint = 192.0.2.%d:%d" % (i % 250 + 1, 2000 + i)]
lines.append(tail)
open(path, "w").write("\n".join(lines) + "\n")
EOF
}
for verb in setconf addconf syncconf; do
	half_good_conf "$VEIL_TMP/half.conf" "garbage = line"
	refused "$verb: 300 good peers, then a bad line: nothing applied" \
		"$verb" veil0 "$VEIL_TMP/half.conf"
done
half_good_conf "$VEIL_TMP/half.conf" "AllowedIPs = 10.0.0.0/40"
refused "setconf: 300 good peers, the last with a bad CIDR: nothing applied" \
	setconf veil0 "$VEIL_TMP/half.conf"

check_eq "the device still has its 2 peers" "$(printf '%s\n' "$A" "$B" | sort)" \
	"$(peer_list "$NS" veil0 2>&1)"

kernel_log_clean "no kernel warnings"

tap_done
