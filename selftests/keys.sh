#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# veil genkey / genpsk / pubkey: known vectors, key format and clamping,
# randomness, agreement with wg(8), the world-readable file warning.
# Needs no module and no root.

. "$(dirname "$0")/lib.sh"

require_cli
require_cmd python3 od base64

tap_plan 14

# Known answers: protocol.md 13.3 and RFC 7748 section 6.1.
pubkey_vector()
{
	local desc=$1 priv=$2 want=$3 got
	got=$(pubkey_of "$priv" 2>&1)
	check_eq "pubkey: $desc" "$want" "$got"
}
pubkey_vector "0x22 x32 (protocol.md 13.3 Spriv_r)" \
	IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI= \
	D6poTtKIZ7l/Smot7l34zpdOdrcBjj8iocTPJnhXDyA=
pubkey_vector "0x11 x32 (protocol.md 13.3 Spriv_i)" \
	ERERERERERERERERERERERERERERERERERERERERERE= \
	e06Qm75//kTEZaIgA31gjuNYl9Me+XLwf3SJLLD3PxM=
pubkey_vector "RFC 7748 Alice" \
	dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo= \
	hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=
pubkey_vector "RFC 7748 Bob" \
	XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os= \
	3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=

got=$(printf '%s' IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI= | "$VEIL" pubkey 2>&1)
check_eq "pubkey: input without a trailing newline" \
	D6poTtKIZ7l/Smot7l34zpdOdrcBjj8iocTPJnhXDyA= "$got"

# genkey / genpsk: format, clamping, a new value every time.
# key_format_checks VERB MODE: 5 outputs well formed (bad_keys MODE), nothing
# on stderr, all different.
key_format_checks()
{
	local verb=$1 mode=$2 out="$VEIL_TMP/$1.out" err="$VEIL_TMP/$1.err" bad
	(umask 077 && : >"$out" &&
	 for _ in 1 2 3 4 5; do "$VEIL" "$verb" >>"$out" 2>>"$err"; done)
	bad=$(bad_keys "$mode" "$out")
	result "$verb: 44-char base64 of 32 bytes ($mode), nothing on stderr" \
		"$([ -z "$bad" ] && [ ! -s "$err" ] && [ "$(grep -c . "$out")" -eq 5 ]; echo $?)" \
		"bad keys: $bad" "stderr: $(cat "$err")" "output:" "$(cat "$out")"
	check_eq "$verb: 5 runs give 5 different keys" 5 "$(sort -u "$out" | grep -c .)"
}
key_format_checks genkey clamped
key_format_checks genpsk any

# Agreement with wg on random (unclamped) keys: 50, or 10 on a debug kernel
# (userspace only, where every process start is slow).
NKEYS=50
if kernel_is_debug; then NKEYS=10; fi
if command -v wg >/dev/null 2>&1; then
	random_keys "$NKEYS" >"$VEIL_TMP/keys"
	: >"$VEIL_TMP/veil.pub"
	: >"$VEIL_TMP/wg.pub"
	while read -r k; do
		"$VEIL" pubkey <<<"$k" >>"$VEIL_TMP/veil.pub" 2>&1
		wg pubkey <<<"$k" >>"$VEIL_TMP/wg.pub" 2>&1
	done <"$VEIL_TMP/keys"
	result "pubkey agrees with wg pubkey on $NKEYS random keys" \
		"$([ "$(grep -c . "$VEIL_TMP/keys")" -eq "$NKEYS" ] &&
		   cmp -s "$VEIL_TMP/veil.pub" "$VEIL_TMP/wg.pub"; echo $?)" \
		"$(paste "$VEIL_TMP/keys" "$VEIL_TMP/veil.pub" "$VEIL_TMP/wg.pub" | awk '$2 != $3' | head -n 5)"
else
	skip "pubkey agrees with wg pubkey on $NKEYS random keys" "wg not installed"
fi

# genkey/genpsk writing to a world-readable regular file warn on stderr;
# with umask 077 they do not.
# genfile_checks VERB
genfile_checks()
{
	local verb=$1 f err
	f="$VEIL_TMP/$verb.world"
	err=$(umask 022 && "$VEIL" "$verb" 2>&1 >"$f")
	if [ -n "$err" ] && key_is_32_bytes "$(cat "$f")"; then
		ok "$verb > world-readable file: warning on stderr, key written"
	else
		not_ok "$verb > world-readable file: warning on stderr, key written" \
			"stderr: '$err'" "file: '$(cat "$f")'"
	fi
	f="$VEIL_TMP/$verb.private"
	err=$(umask 077 && "$VEIL" "$verb" 2>&1 >"$f")
	if [ -z "$err" ] && key_is_32_bytes "$(cat "$f")"; then
		ok "$verb > private file (umask 077): no warning, key written"
	else
		not_ok "$verb > private file (umask 077): no warning, key written" \
			"stderr: '$err'" "file: '$(cat "$f")'"
	fi
}
genfile_checks genkey
genfile_checks genpsk

tap_done
