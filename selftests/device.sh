#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The veil net device: module self-tests, generic netlink family, L3 device
# properties (link/none, mtu 1420, POINTOPOINT+NOARP, noqueue), addresses
# and routes, several devices and namespaces, deletion.

. "$(dirname "$0")/lib.sh"

require_module
require_cli

tap_plan 21

# The generic netlink family.
if command -v genl >/dev/null 2>&1; then
	out=$(genl ctrl get name "$VEIL_GENL" 2>&1)
	check_match "genl family '$VEIL_GENL' registered, version 1" \
		"Name: $VEIL_GENL([[:space:]]|\$).*Version: 0x1([[:space:]]|\$)" \
		"$(printf '%s' "$out" | tr '\n' ' ')"
else
	skip "genl family '$VEIL_GENL' registered, version 1" "genl (iproute2) not installed"
fi

# Built-in self-tests (module parameter selftest=1): the load that
# require_module or the harness did. When the log does not show it (module
# loaded without selftest=1, or log rotated), reload the module with it.
selftest_line="veil: self-tests passed"
if [ "$VEIL_MODULE" != veil ]; then
	skip "module self-tests passed" "not the veil module"
elif dmesg 2>/dev/null | grep -qF "$selftest_line"; then
	ok "module self-tests passed (kernel log: $selftest_line)"
else
	mark=$(kmsg_mark)
	out=$( { rmmod veil && load_module selftest=1; } 2>&1)
	if kernel_log_since "$mark" | grep -qF "$selftest_line"; then
		ok "module self-tests passed (reloaded with selftest=1)"
	else
		not_ok "module self-tests passed" "no '$selftest_line' in the kernel log" \
			"reload: $out" "$(kernel_log_since "$mark" | tail -n 20)"
	fi
	module_loaded || bail_out "module not loaded any more"
fi

ns_new NS
check "ip link add veil0 type $VEIL_LINK_TYPE (in a new netns)" link_add "$NS" veil0 ||
	bail_out "cannot create a device"

link=$(ipn "$NS" -o link show dev veil0)
check_match "link/none (no link-layer address)" 'link/none' "$link"
check_match "mtu 1420" ' mtu 1420 ' "$link"
flags=$(printf '%s' "$link" | sed -n 's/^[0-9]*: [^ ]* <\([^>]*\)>.*/,\1,/p')
result "flags POINTOPOINT and NOARP, not BROADCAST" \
	"$([[ $flags == *,POINTOPOINT,* && $flags == *,NOARP,* && $flags != *,BROADCAST,* ]]; echo $?)" \
	"flags: $flags" "$link"
check_match "ip -d shows link kind $VEIL_LINK_TYPE" "[[:space:]]$VEIL_LINK_TYPE([[:space:]]|\$)" \
	"$(ipn "$NS" -d -o link show dev veil0)"

ipn "$NS" link set veil0 up
link=$(ipn "$NS" -o link show dev veil0)
check_match "set up: UP and LOWER_UP (carrier)" '<([^>]*,)?UP,LOWER_UP(,[^>]*)?>' "$link"
check_match "no queueing discipline (noqueue)" ' qdisc noqueue ' "$link"

check "IPv4 address assignable" ipn "$NS" addr add 10.200.0.1/24 dev veil0
check "IPv6 address assignable" ipn "$NS" addr add fd00:200::1/64 dev veil0 nodad
# Both addresses are there, and the connected routes point at the device.
check_match "IPv4 address and route on the device" \
	'10\.200\.0\.1/24.*\|10\.200\.0\.7 dev veil0' \
	"$(ipn "$NS" -4 -o addr show dev veil0 | tr '\n' ' ')|$(ipn "$NS" route get 10.200.0.7 2>&1)"
check_match "IPv6 address and route on the device" \
	'fd00:200::1/64.*\|fd00:200::7 .*dev veil0' \
	"$(ipn "$NS" -6 -o addr show dev veil0 | tr '\n' ' ')|$(ipn "$NS" -6 route get fd00:200::7 2>&1)"

# A packet for which there is no peer is dropped and accounted for.
stats()
{
	ipn "$NS" -s -s link show dev veil0 | awk '
		/TX:/ { getline; tx = $3 + $4 } END { print tx + 0 }'
}
before=$(stats)
nsexec "$NS" bash -c 'echo probe >/dev/udp/10.200.0.7/9' >/dev/null 2>&1
after=$(stats)
result "packet without a peer: dropped and counted in TX errors/dropped" \
	"$([ "$after" -gt "$before" ]; echo $?)" "TX errors+dropped before $before after $after" \
	"$(ipn "$NS" -s link show dev veil0)"

# More devices: a second one here, the same name in another namespace.
ns_new NS2
check "second device in the same netns, same name in another netns" \
	eval "link_add '$NS' veil1 && link_add '$NS2' veil0"
check_eq "veil show interfaces lists exactly this netns' devices" \
	"$(printf 'veil0\nveil1')" "$(veil_ns "$NS" show interfaces 2>&1 | tr ' ' '\n' | grep . | sort)"
check_eq "a fresh device dumps (none) (none) 0 off" \
	"$(printf '(none)\t(none)\t0\toff')" "$(veil_ns "$NS" show veil1 dump 2>&1)"

check "ip link del veil0" ipn "$NS" link del veil0
expect_fail "veil show on the deleted device fails" nsexec "$NS" "$VEIL" show veil0
check_eq "only veil1 is left in the netns" veil1 "$(veil_links "$NS")"

kernel_log_clean "no kernel warnings"

tap_done
