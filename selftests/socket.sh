#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The device's UDP sockets: an IPv4 and an IPv6 socket on the listen port,
# only while the device is up; random port for 0; rebinding while up; a port
# in use is refused and changes nothing; the sockets stay in the device's
# birth namespace when it moves; deleting the birth namespace deletes the
# device, deleting the namespace it lives in releases the sockets.

. "$(dirname "$0")/lib.sh"

require_module
require_cli
require_cmd ss python3

tap_plan 22

both() { echo "v4=1 v6=1"; }
none() { echo "v4=0 v6=0"; }

ns_new A
link_add "$A" veil0 || bail_out "cannot create a device"
veil_ns "$A" set veil0 listen-port 51820

check_eq "listen-port set while down is reported" 51820 \
	"$(veil_ns "$A" show veil0 listen-port 2>&1)"
check_eq "down: no socket on the port" "$(none)" "$(udp_ports_summary "$A" 51820)"
ipn "$A" link set veil0 up
check_eq "up: one IPv4 and one IPv6 socket on the port" "$(both)" \
	"$(udp_ports_summary "$A" 51820)"
ipn "$A" link set veil0 down
check_eq "down again: sockets released" "$(none)" "$(udp_ports_summary "$A" 51820)"

ipn "$A" link set veil0 up
veil_ns "$A" set veil0 listen-port 51821
check_eq "listen-port changed while up: rebound to the new port, old one free" \
	"port=51821 new: $(both) old: $(none)" \
	"port=$(veil_ns "$A" show veil0 listen-port 2>&1) new: $(udp_ports_summary "$A" 51821) old: $(udp_ports_summary "$A" 51820)"

veil_ns "$A" set veil0 listen-port 0
port=$(veil_ns "$A" show veil0 listen-port 2>&1)
if [[ $port =~ ^[0-9]+$ ]] && [ "$port" -gt 0 ] && [ "$port" -ne 51821 ]; then
	check_eq "listen-port 0: random port $port reported, both sockets on it, old one free" \
		"new: $(both) old: $(none)" \
		"new: $(udp_ports_summary "$A" "$port") old: $(udp_ports_summary "$A" 51821)"
else
	not_ok "listen-port 0: random port reported, both sockets on it" \
		"show listen-port: '$port'" "$(nsexec "$A" ss -uanH)"
	port=51821
fi

# A port taken by another IPv4 socket: refused, nothing changes.
udp_listen "$A" 4 51900 || bail_out "cannot bind a UDP socket (python3)"
expect_refused "listen-port in use (IPv4) while up: refused, config intact" \
	"$A" veil0 "$VEIL" set veil0 listen-port 51900
check_eq "... and the sockets stay on the old port" "$(both)" \
	"$(udp_ports_summary "$A" "$port")"
# Taken for IPv6 only: the IPv4 socket bound first must not be left behind.
udp_listen "$A" 6 51901 || bail_out "cannot bind a UDP socket (python3)"
expect_refused "listen-port in use (IPv6 only) while up: refused, config intact" \
	"$A" veil0 "$VEIL" set veil0 listen-port 51901
check_eq "... no stray IPv4 socket on that port, old ones kept" \
	"stray v4=0 old: $(both)" \
	"stray v4=$(udp_count "$A" 4 51901) old: $(udp_ports_summary "$A" "$port")"

# While down, the port is only recorded; bringing the device up then fails.
ipn "$A" link set veil0 down
check "listen-port in use accepted while down (no socket yet)" \
	veil_ns "$A" set veil0 listen-port 51900
out=$(ipn "$A" link set veil0 up 2>&1)
rc=$?
link=$(ipn "$A" -o link show dev veil0)
result "... then ip link set up fails and the device stays down" \
	"$([ "$rc" -ne 0 ] && ! [[ $link =~ [\<,]UP[,\>] ]]; echo $?)" \
	"ip link set up: rc=$rc $out" "$link"
veil_ns "$A" set veil0 listen-port 51902
ipn "$A" link set veil0 up
check_eq "... with a free port it comes up with both sockets" "$(both)" \
	"$(udp_ports_summary "$A" 51902)"

# Moving the device: its sockets stay in the birth namespace.
ns_new B
ns_new C
link_add "$B" veil1 || bail_out "cannot create a device"
veil_ns "$B" set veil1 listen-port 52000
ipn "$B" link set veil1 netns "$C"
result "device moved from its birth netns to another one" \
	"$(link_exists "$C" veil1 && ! link_exists "$B" veil1; echo $?)"
ipn "$C" link set veil1 up
check_eq "up in the new netns: sockets in the birth netns, none in the new one" \
	"birth: $(both) new: $(none)" \
	"birth: $(udp_ports_summary "$B" 52000) new: $(udp_ports_summary "$C" 52000)"
priv=$(genkey)
veil_ns "$C" set veil1 listen-port 52001 private-key "$(keyfile "$priv")"
check_eq "configurable from its new netns" \
	"$(pubkey_of "$priv") 52001" \
	"$(veil_ns "$C" show veil1 public-key 2>&1) $(veil_ns "$C" show veil1 listen-port 2>&1)"
check_eq "... and the sockets are rebound in the birth netns" \
	"new port: $(both) old port: $(none) other netns: $(none)" \
	"new port: $(udp_ports_summary "$B" 52001) old port: $(udp_ports_summary "$B" 52000) other netns: $(udp_ports_summary "$C" 52001)"
expect_fail "the birth netns does not see the device any more" \
	nsexec "$B" "$VEIL" show veil1

ns_del "$B"
veil1_gone() { ! link_exists "$C" veil1; }
result "deleting the birth netns deletes the device where it lives" \
	"$(wait_for 30 veil1_gone; echo $?)" "$(ipn "$C" link show)"

# Deleting the namespace the device lives in releases the sockets in its
# birth namespace.
ns_new D
ns_new E
link_add "$D" veil2 || bail_out "cannot create a device"
veil_ns "$D" set veil2 listen-port 53000
ipn "$D" link set veil2 netns "$E"
ipn "$E" link set veil2 up
check_eq "device born in D, up in E: sockets in D" "$(both)" \
	"$(udp_ports_summary "$D" 53000)"
ns_del "$E"
veil2_gone()
{
	[ "$(udp_ports_summary "$D" 53000)" = "$(none)" ] &&
		! link_exists "$D" veil2 && ! ip link show dev veil2 >/dev/null 2>&1
}
result "deleting the netns it lives in deletes it and frees its sockets in D" \
	"$(wait_for 30 veil2_gone; echo $?)" \
	"$(udp_ports_summary "$D" 53000)" "$(ipn "$D" link show)"

kernel_log_clean "no kernel warnings"

tap_done
