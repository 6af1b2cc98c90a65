#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration round trips through the CLI and the generic netlink API:
# everything set is shown back exactly (dump, script forms, pretty form,
# showconf); secrets hidden from unprivileged readers and unprivileged
# changes refused; wg semantics of set/setconf/addconf/syncconf (replace
# peers, remove, append, sync, replace allowed IPs, a prefix moving between
# peers); a configuration of 1000 peers x 10 allowed IPs and one peer with
# 4096 allowed IPs survive intact.
#
# The devices stay down: no traffic, so handshake and transfer stay 0.

. "$(dirname "$0")/lib.sh"

require_module
require_cli
require_cmd python3

if ! ns_inside; then
	ns_new NS
	ns_enter "$NS"
fi
NS=$VEIL_NS_INSIDE

tap_plan 43

T=$'\t'

# pl KEY PSK ENDPOINT ALLOWEDIPS KEEPALIVE: an expected peer dump line.
pl()
{
	printf '%s\t%s\t%s\t%s\t0\t0\t0\t%s\n' "$@"
}

# expect_peers LINE...: expected peer lines, normalised like dump_peers.
expect_peers()
{
	printf '%s\n' "$@" | sort_allowedips_field 4 | sort
}

# script_form VIEW: "show veil0 VIEW" with the space separated allowed-ips
# list sorted, lines sorted.
script_form()
{
	veil_ns "$NS" show veil0 "$1" 2>&1 |
		awk -F'\t' -v OFS='\t' '{ if (NF == 2) { gsub(/ /, ",", $2) } print }' |
		sort_allowedips_field 2 | sort
}

link_add "$NS" veil0 || bail_out "cannot create a device"
link_add "$NS" veil1 || bail_out "cannot create a device"

priv=$(genkey)
pub=$(pubkey_of "$priv")
psk=$("$VEIL" genpsk)
for p in A B C D E F G; do
	k=$(genkey)
	printf -v "$p" '%s' "$(pubkey_of "$k")"
done
[ -n "$priv" ] && [ -n "$pub" ] && [ -n "$G" ] || bail_out "cannot generate keys"

# ---- device attributes -----------------------------------------------------
check "set private-key, listen-port, fwmark" \
	veil_ns "$NS" set veil0 private-key "$(keyfile "$priv")" listen-port 51820 fwmark 0x1234
check_eq "private key shown back (root)" "$priv" "$(veil_ns "$NS" show veil0 private-key 2>&1)"
check_eq "public key derived from it, equal to veil pubkey" "$pub" \
	"$(veil_ns "$NS" show veil0 public-key 2>&1)"
check_eq "listen-port shown back" 51820 "$(veil_ns "$NS" show veil0 listen-port 2>&1)"
check_eq "fwmark shown back" 0x1234 "$(veil_ns "$NS" show veil0 fwmark 2>&1)"

# ---- peers -------------------------------------------------------------------
check "set two peers: psk, v4/v6 endpoints, keepalive, v4/v6 allowed IPs incl. /0" \
	veil_ns "$NS" set veil0 \
	peer "$A" preshared-key "$(keyfile "$psk")" endpoint 192.0.2.1:51820 \
		persistent-keepalive 25 allowed-ips 10.0.0.0/24,10.1.0.1/32,fd00::/64 \
	peer "$B" endpoint '[2001:db8::1]:12345' allowed-ips 0.0.0.0/0,::/0
check_eq "dump: interface line" "$priv$T$pub${T}51820${T}0x1234" \
	"$(veil_ns "$NS" show veil0 dump 2>&1 | head -n 1)"
check_eq "dump: peer lines" \
	"$(expect_peers "$(pl "$A" "$psk" 192.0.2.1:51820 10.0.0.0/24,10.1.0.1/32,fd00::/64 25)" \
			"$(pl "$B" "(none)" '[2001:db8::1]:12345' 0.0.0.0/0,::/0 off)")" \
	"$(dump_peers "$NS" veil0 2>&1)"
check_eq "show peers" "$(printf '%s\n' "$A" "$B" | sort)" "$(peer_list "$NS" veil0 2>&1)"
check_eq "show endpoints" \
	"$(printf '%s\n' "$A${T}192.0.2.1:51820" "$B${T}[2001:db8::1]:12345" | sort)" \
	"$(script_form endpoints)"
check_eq "show allowed-ips" \
	"$(printf '%s\n' "$A${T}10.0.0.0/24,10.1.0.1/32,fd00::/64" "$B${T}0.0.0.0/0,::/0" | sort)" \
	"$(script_form allowed-ips)"
check_eq "show preshared-keys" \
	"$(printf '%s\n' "$A$T$psk" "$B$T(none)" | sort)" "$(script_form preshared-keys)"
check_eq "show persistent-keepalive" \
	"$(printf '%s\n' "$A${T}25" "$B${T}off" | sort)" "$(script_form persistent-keepalive)"
check_eq "show latest-handshakes and transfer: never, nothing" \
	"$(printf '%s\n' "$A${T}0" "$B${T}0" | sort; printf '%s\n' "$A${T}0${T}0" "$B${T}0${T}0" | sort)" \
	"$(script_form latest-handshakes; script_form transfer)"

pretty=$(veil_ns "$NS" show veil0 2>&1 | sed -e 's/^[[:space:]]*//')
missing=""
for line in "interface: veil0" "public key: $pub" "private key: (hidden)" \
	"listening port: 51820" "fwmark: 0x1234" "peer: $A" "preshared key: (hidden)" \
	"endpoint: 192.0.2.1:51820" "persistent keepalive: every 25 seconds" \
	"peer: $B" "endpoint: [2001:db8::1]:12345"; do
	printf '%s\n' "$pretty" | grep -qxF -- "$line" || missing+="'$line' "
done
printf '%s\n' "$pretty" | grep -qF -e "$priv" -e "$psk" && missing+="(a secret is shown) "
result "pretty show: every field, secrets (hidden)" "$([ -z "$missing" ]; echo $?)" \
	"missing: $missing" "$pretty"

alldump=$(veil_ns "$NS" show all dump 2>&1)
check_eq "show all dump: every line prefixed with the interface name" \
	"veil0$T$priv$T$pub${T}51820${T}0x1234|3|veil1$T(none)$T(none)${T}0${T}off" \
	"$(printf '%s\n' "$alldump" | grep "^veil0$T" | head -n 1)|$(printf '%s\n' "$alldump" | grep -c "^veil0$T")|$(printf '%s\n' "$alldump" | grep "^veil1$T")"

# ---- showconf / setconf round trip -----------------------------------------
conf=$(tmpfile showconf.conf)
veil_ns "$NS" showconf veil0 >"$conf"
check_eq "showconf -> setconf on a fresh device -> same showconf and dump" \
	"$(veil_ns "$NS" showconf veil0; veil_ns "$NS" show veil0 dump | tail -n +2 | sort)" \
	"$(veil_ns "$NS" setconf veil1 "$conf" 2>&1 &&
	   veil_ns "$NS" showconf veil1; veil_ns "$NS" show veil1 dump | tail -n +2 | sort)"
check_eq "showconf -> setconf on the same device: unchanged" \
	"$(config_snapshot "$NS" veil0)" \
	"$(veil_ns "$NS" setconf veil0 "$conf" 2>&1; config_snapshot "$NS" veil0)"

# ---- unprivileged readers and writers --------------------------------------
if ! command -v setpriv >/dev/null 2>&1; then
	skip_n 3 "unprivileged access" "setpriv not installed"
elif ! out=$(nsexec "$NS" as_nobody "$VEIL" show interfaces 2>&1); then
	skip_n 3 "unprivileged access" "$VEIL cannot run as uid 65534: $out"
else
	check_eq "unprivileged dump: private key and psk (none), the rest shown" \
		"$(veil_ns "$NS" show veil0 dump | sed -e "s|$priv|(none)|" -e "s|$psk|(none)|")" \
		"$(nsexec "$NS" as_nobody "$VEIL" show veil0 dump 2>&1)"
	out=$(nsexec "$NS" as_nobody "$VEIL" showconf veil0 2>&1)
	result "unprivileged showconf: peers shown, no secret" \
		"$(printf '%s\n' "$out" | grep -q "$A" && ! printf '%s\n' "$out" | grep -qF -e "$priv" -e "$psk"; echo $?)" \
		"$out"
	expect_refused "unprivileged set refused, config intact" "$NS" veil0 \
		as_nobody "$VEIL" set veil0 listen-port 1234
fi

# Host names are resolved by the tool (getaddrinfo); the kernel gets an address.
veil_ns "$NS" set veil0 peer "$B" endpoint localhost:4242
check_match "endpoint given as a host name is resolved" '^(127\.0\.0\.1|\[::1\]):4242$' \
	"$(peer_field "$NS" veil0 "$B" 3 2>&1)"

# ---- set / setconf / addconf / syncconf semantics --------------------------
veil_ns "$NS" set veil0 peer "$A" remove
check_eq "set peer remove: only that peer goes" "$B" "$(peer_list "$NS" veil0 2>&1)"

cat >"$(tmpfile c.conf)" <<EOF
[Interface]
PrivateKey = $priv
ListenPort = 51820

[Peer]
PublicKey = $C
AllowedIPs = 10.3.0.0/16
EOF
veil_ns "$NS" setconf veil0 "$VEIL_TMP/c.conf"
check_eq "setconf replaces the peer list" "$C" "$(peer_list "$NS" veil0 2>&1)"
check_eq "setconf without FwMark clears it, keeps the given private key" \
	"off $priv" "$(veil_ns "$NS" show veil0 fwmark 2>&1) $(veil_ns "$NS" show veil0 private-key 2>&1)"

veil_ns "$NS" addconf veil0 "$(conf_file d.conf <<EOF
[Peer]
PublicKey = $D
AllowedIPs = 10.4.0.0/16
EOF
)"
check_eq "addconf appends a peer, leaves the others alone" \
	"$(expect_peers "$(pl "$C" "(none)" "(none)" 10.3.0.0/16 off)" \
			"$(pl "$D" "(none)" "(none)" 10.4.0.0/16 off)")" \
	"$(dump_peers "$NS" veil0 2>&1)"

veil_ns "$NS" addconf veil0 "$(conf_file d2.conf <<EOF
[Peer]
PublicKey = $D
AllowedIPs = 10.44.0.0/16
EOF
)"
check_eq "addconf gives a listed peer exactly the file's allowed IPs (as wg)" \
	"10.44.0.0/16" "$(peer_field "$NS" veil0 "$D" 4 2>&1)"

veil_ns "$NS" set veil0 peer "$C" endpoint 192.0.2.3:1000 persistent-keepalive 30 \
	preshared-key "$(keyfile "$psk")"
conf_file sync.conf >/dev/null <<EOF
[Interface]
PrivateKey = $priv
ListenPort = 51820

[Peer]
PublicKey = $C
AllowedIPs = 10.5.0.0/16

[Peer]
PublicKey = $E
AllowedIPs = 10.6.0.0/16
EOF
check "syncconf" veil_ns "$NS" syncconf veil0 "$VEIL_TMP/sync.conf"
# (Whether syncconf also resets the psk and keepalive the file leaves out
# differs between wg versions: not checked.)
check_eq "syncconf: peer not in the file removed, new one added, kept peer keeps its endpoint (not recreated), allowed IPs as in the file" \
	"$(expect_peers "$(pl "$C" "(none)" 192.0.2.3:1000 10.5.0.0/16 off)" \
			"$(pl "$E" "(none)" "(none)" 10.6.0.0/16 off)" | cut -f 1,3,4)" \
	"$(dump_peers "$NS" veil0 2>&1 | cut -f 1,3,4)"
veil_ns "$NS" setconf veil0 "$VEIL_TMP/sync.conf"
check_eq "setconf of the same file recreates the peer: endpoint gone" "(none)" \
	"$(peer_field "$NS" veil0 "$C" 3 2>&1)"

veil_ns "$NS" set veil0 peer "$C" allowed-ips 10.7.0.0/16,fd00:7::/64
check_eq "set peer allowed-ips replaces the list" "10.7.0.0/16,fd00:7::/64" \
	"$(peer_field "$NS" veil0 "$C" 4 2>&1)"
veil_ns "$NS" set veil0 peer "$C" allowed-ips ""
check_eq "set peer allowed-ips '' empties it" "(none)" "$(peer_field "$NS" veil0 "$C" 4 2>&1)"

veil_ns "$NS" set veil0 peer "$C" allowed-ips 10.8.0.0/24,10.9.0.0/24,fd00:8::/64
veil_ns "$NS" set veil0 peer "$E" allowed-ips 10.8.0.0/24,fd00:8::/64
check_eq "a prefix given to another peer moves (v4 and v6)" \
	"C=10.9.0.0/24 E=10.8.0.0/24,fd00:8::/64" \
	"C=$(peer_field "$NS" veil0 "$C" 4 2>&1) E=$(peer_field "$NS" veil0 "$E" 4 2>&1)"
veil_ns "$NS" setconf veil0 "$(conf_file move.conf <<EOF
[Peer]
PublicKey = $F
AllowedIPs = 10.10.0.0/24, 10.11.0.0/24
[Peer]
PublicKey = $G
AllowedIPs = 10.10.0.0/24
EOF
)"
check_eq "a prefix listed for two peers in one file ends up with the last one" \
	"F=10.11.0.0/24 G=10.10.0.0/24" \
	"F=$(peer_field "$NS" veil0 "$F" 4 2>&1) G=$(peer_field "$NS" veil0 "$G" 4 2>&1)"

veil_ns "$NS" set veil0 peer "$F" allowed-ips 10.12.0.1/24,fd00:12::1/64,10.13.0.5,fd00:13::5
check_eq "host bits are cleared; no /cidr means /32 or /128" \
	"10.12.0.0/24,10.13.0.5/32,fd00:12::/64,fd00:13::5/128" \
	"$(peer_field "$NS" veil0 "$F" 4 2>&1)"

veil_ns "$NS" set veil0 fwmark 4096
a=$(veil_ns "$NS" show veil0 fwmark 2>&1)
veil_ns "$NS" set veil0 fwmark 0xffffffff
b=$(veil_ns "$NS" show veil0 fwmark 2>&1)
veil_ns "$NS" set veil0 fwmark 0
c=$(veil_ns "$NS" show veil0 fwmark 2>&1)
check_eq "fwmark decimal, maximum, 0 clears" "0x1000 0xffffffff off" "$a $b $c"

veil_ns "$NS" set veil0 peer "$F" persistent-keepalive 65535 endpoint 198.51.100.9:1 \
	preshared-key "$(keyfile "$psk")"
a=$(peer_field "$NS" veil0 "$F" 8 2>&1)$T$(peer_field "$NS" veil0 "$F" 3 2>&1)$T$(peer_field "$NS" veil0 "$F" 2 2>&1)
veil_ns "$NS" set veil0 peer "$F" persistent-keepalive off endpoint '[fd00::9]:65535' \
	preshared-key /dev/null
b=$(peer_field "$NS" veil0 "$F" 8 2>&1)$T$(peer_field "$NS" veil0 "$F" 3 2>&1)$T$(peer_field "$NS" veil0 "$F" 2 2>&1)
check_eq "peer updates: keepalive 65535 then off, endpoint replaced, psk /dev/null clears" \
	"65535${T}198.51.100.9:1$T$psk|off${T}[fd00::9]:65535$T(none)" "$a|$b"

veil_ns "$NS" set veil0 private-key /dev/null
check_eq "private-key /dev/null clears the key pair" "(none) (none)" \
	"$(veil_ns "$NS" show veil0 private-key 2>&1) $(veil_ns "$NS" show veil0 public-key 2>&1)"

conf_file empty.conf </dev/null >/dev/null
veil_ns "$NS" setconf veil0 "$VEIL_TMP/empty.conf"
check_eq "setconf of an empty file: no peers, no key, fwmark off" \
	"(none)${T}(none)${T}off|" \
	"$(veil_ns "$NS" show veil0 dump 2>&1 | head -n 1 | cut -f 1,2,4)|$(veil_ns "$NS" show veil0 peers 2>&1)"

# ---- large configurations ----------------------------------------------------
# gen_conf NPEERS NAIPS: a setconf file with NPEERS random peers of NAIPS
# allowed IPs each (half IPv4, half IPv6, canonical text), and, in
# <file>.expect, the sorted "pubkey<TAB>allowed-ip" lines it must dump as.
gen_conf()
{
	python3 - "$1" "$2" "$VEIL_TMP/big.conf" <<'EOF'
import base64, os, sys
npeers, naips, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
conf, expect = ["[Interface]", "ListenPort = 51999"], []
for i in range(npeers):
    key = base64.b64encode(os.urandom(32)).decode()
    aips = []
    for j in range(naips):
        if j % 2 == 0:
            n = i * naips + j
            aips.append("10.%d.%d.%d/32" % (n >> 16 & 255, n >> 8 & 255, n & 255))
        else:
            aips.append("fd00:%x:%x::/48" % (i, j))
    conf += ["", "[Peer]", "PublicKey = " + key,
             "Endpoint = 192.0.2.%d:%d" % (i % 250 + 1, 1000 + i)]
    conf += ["AllowedIPs = " + ", ".join(aips[k:k + 50]) for k in range(0, len(aips), 50)]
    expect += [key + "\t" + a for a in aips]
open(path, "w").write("\n".join(conf) + "\n")
open(path + ".expect", "w").write("\n".join(sorted(expect)) + "\n")
EOF
}

# big_roundtrip DESC NPEERS NAIPS MAXSECONDS
big_roundtrip()
{
	local desc=$1 start secs out actual
	gen_conf "$2" "$3" || { not_ok "$desc" "cannot generate the file"; return; }
	start=$(date +%s)
	out=$(veil_ns "$NS" setconf veil0 "$VEIL_TMP/big.conf" 2>&1)
	actual=$(veil_ns "$NS" show veil0 dump | awk -F'\t' 'NR > 1 {
		n = split($4, a, ",")
		for (i = 1; i <= n; i++) print $1 "\t" a[i]
	}' | LC_ALL=C sort)
	secs=$(($(date +%s) - start))
	if [ "$actual" != "$(cat "$VEIL_TMP/big.conf.expect")" ]; then
		not_ok "$desc" "setconf: $out" "differences (expected < > dumped), first lines:" \
			"$(printf '%s\n' "$actual" >"$VEIL_TMP/big.actual"
			   diff "$VEIL_TMP/big.conf.expect" "$VEIL_TMP/big.actual" | head -n 10)"
	elif [ "$secs" -gt "$4" ]; then
		not_ok "$desc" "took ${secs}s, more than $4s"
	else
		ok "$desc (${secs}s)"
	fi
}
big_roundtrip "setconf 1000 peers x 10 allowed IPs, dumped back intact" 1000 10 120
check_eq "... endpoints intact too" 1000 \
	"$(veil_ns "$NS" show veil0 endpoints | grep -cE "$T"'192\.0\.2\.[0-9]+:[0-9]+$')"
big_roundtrip "one peer with 4096 allowed IPs, dumped back intact" 1 4096 60

kernel_log_clean "no kernel warnings"

tap_done
