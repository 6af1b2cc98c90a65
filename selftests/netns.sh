#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lifetimes across namespaces: module unload with devices spread over
# several namespaces (some moved, some up); namespace deletion deleting the
# devices born there and releasing sockets; many create/delete cycles
# leaving nothing behind. The module is loaded again at the end.

. "$(dirname "$0")/lib.sh"

require_module
require_cli
require_cmd ss

tap_plan 16

LOOPS=${VEIL_NETNS_LOOPS:-10}

# Whatever happens, leave the module loaded for the tests that follow.
reload_if_missing()
{
	# shellcheck disable=SC2086 # parameters are words
	module_loaded || load_module $VEIL_LOAD_ARGS
}
at_exit reload_if_missing

# In the init namespace only names starting with "veilt" are ours.
# links_named PREFIX [IP-ARGS...]: names of the links starting with PREFIX
# (kernels differ in the other devices a namespace starts with, e.g. sit0).
links_named() { local p=$1; shift; ip "$@" -o link show | awk -F': ' -v p="^$p" '{ sub(/@.*/, "", $2) } $2 ~ p { print $2 }'; }
init_links() { links_named veilt; }
[ -z "$VEIL_NS_INSIDE" ] || bail_out "netns.sh must run in the init namespace"
for d in $(init_links); do ip link del "$d"; done
at_exit eval 'for d in $(init_links); do ip link del "$d"; done'

# mkdev NS NAME PORT [TO_NS]: a device born in NS ("" = init) with a key, a
# peer and PORT, optionally moved to TO_NS, then brought up where it lives.
mkdev()
{
	local ns=$1 name=$2 port=$3 to=${4-$1} where
	if [ -n "$ns" ]; then where=(nsexec "$ns"); else where=(); fi
	"${where[@]}" ip link add "$name" type "$VEIL_LINK_TYPE" || return 1
	"${where[@]}" "$VEIL" set "$name" listen-port "$port" private-key "$KEYFILE" \
		peer "$PEER" allowed-ips 10.0.0.0/8,fd00::/8 endpoint 192.0.2.1:1 || return 1
	if [ "$to" != "$ns" ]; then
		"${where[@]}" ip link set "$name" netns "${to:-1}" || return 1
	fi
	if [ -n "$to" ]; then where=(nsexec "$to"); else where=(); fi
	"${where[@]}" ip link set "$name" up
}

# sockets SPEC...: for each "NS:PORT" ("" NS = init), "NS:PORT=v4=N v6=M".
sockets()
{
	local s
	for s in "$@"; do
		printf '%s=%s\n' "$s" "$(udp_ports_summary "${s%%:*}" "${s##*:}")"
	done
}
# expect_sockets STATE SPEC...: the sockets() line each SPEC should give.
expect_sockets()
{
	local state=$1 s
	shift
	for s in "$@"; do printf '%s=%s\n' "$s" "$state"; done
}

KEYFILE=$(keyfile "$(genkey)")
PEER=$(pubkey_of "$(genkey)")

# ---- rmmod with devices everywhere -------------------------------------------
ns_new N1
ns_new N2
ns_new N3
ok=0
mkdev "" veilt0 40001 || ok=1			# init, up
mkdev "" veilt1 40002 "$N2" || ok=1		# init -> N2
mkdev "$N1" veil0 40003 || ok=1			# N1, up
{ ipn "$N1" link add veil1 type "$VEIL_LINK_TYPE" &&
  veil_ns "$N1" set veil1 listen-port 40004; } || ok=1	# N1, down
mkdev "$N2" veil2 40005 "$N3" || ok=1		# N2 -> N3
mkdev "$N3" veil3 40006 "$N1" || ok=1		# N3 -> N1
mkdev "$N3" veilt4 40007 "" || ok=1		# N3 -> init
result "devices in init + 3 netns, some moved, some up" "$ok"
specs=(":40001" ":40002" "$N1:40003" "$N2:40005" "$N3:40006" "$N3:40007")
check_eq "their sockets are in their birth namespaces" \
	"$(expect_sockets "v4=1 v6=1" "${specs[@]}"; expect_sockets "v4=0 v6=0" "$N1:40004" "$N2:40002" "$N3:40005" "$N1:40006" ":40007")" \
	"$(sockets "${specs[@]}" "$N1:40004" "$N2:40002" "$N3:40005" "$N1:40006" ":40007")"

mark=$(kmsg_mark)
check "rmmod $VEIL_MODULE with all these devices" rmmod "$VEIL_MODULE"
left=$(init_links; for n in "$N1" "$N2" "$N3"; do links_named veil -n "$n"; done)
check_eq "no device left in any namespace" "" "$left"
check_eq "no socket left" "$(expect_sockets "v4=0 v6=0" "${specs[@]}")" "$(sockets "${specs[@]}")"
kernel_log_clean "kernel log clean after rmmod" "$mark"
# shellcheck disable=SC2086 # parameters are words
check "module loads again ($VEIL_LOAD_ARGS)" load_module $VEIL_LOAD_ARGS
check "and devices can be created again" link_add "$N1" veil0
ns_del "$N1"; ns_del "$N2"; ns_del "$N3"

# ---- namespace deletion ----------------------------------------------------
ns_new N4
ns_new N5
mkdev "$N4" veil0 40010 &&
	mkdev "$N4" veil1 40011 "$N5" &&
	mkdev "" veilt5 40012 "$N5" ||
	bail_out "cannot set up the namespace deletion test"
ns_del "$N4"
n4_gone() { ! link_exists "$N5" veil1; }
result "deleting the birth netns deletes the device that moved away" \
	"$(wait_for 30 n4_gone; echo $?)" "$(ipn "$N5" -o link show)"
ns_del "$N5"
n5_gone() { [ -z "$(init_links)" ] && [ "$(udp_ports_summary "" 40012)" = "v4=0 v6=0" ]; }
result "deleting the netns a device lives in deletes it, frees its sockets in init" \
	"$(wait_for 30 n5_gone; echo $?)" "$(init_links)" "$(udp_ports_summary "" 40012)"

# ---- many cycles -----------------------------------------------------------
# LOOPS namespaces, each with one device born in init and moved in and one
# born there and moved to init, all up (sockets in their birth namespaces),
# then all the namespaces deleted. Configured from init, link operations
# batched: every process costs in the emulated VM.
refcnt() { cat "/sys/module/$VEIL_MODULE/refcnt" 2>/dev/null; }
udp_total() { ss -uanH | grep -c .; }
ref0=$(refcnt)
udp0=$(udp_total)
start=$(date +%s)
group=()
for ((i = 0; i < LOOPS; i++)); do
	ns_new L
	group+=("$L")
done
# veil_set_each PREFIX PORTBASE: configure PREFIX-0 .. PREFIX-<LOOPS-1> in init.
veil_set_each()
{
	local i
	for ((i = 0; i < LOOPS; i++)); do
		"$VEIL" set "$1-$i" listen-port $(($2 + i)) private-key "$KEYFILE" \
			peer "$PEER" allowed-ips 10.0.0.0/8 || return 1
	done
}
# batch_each LINE: one "ip -batch" of LINE for i in 0..LOOPS-1, with @I@
# replaced by i and @NS@ by the i-th namespace.
batch_each()
{
	local i line
	for ((i = 0; i < LOOPS; i++)); do
		line=${1//@I@/$i}
		printf '%s\n' "${line//@NS@/${group[$i]}}"
	done | ip -batch -
}
# ("link add" is not batched: iproute2 6.1 fails the second one in a batch.)
ok=0
for ((i = 0; i < LOOPS; i++)); do
	ip link add "veilt6-$i" type "$VEIL_LINK_TYPE" || ok=1
done
{ veil_set_each veilt6 42000 &&
  batch_each "link set veilt6-@I@ netns @NS@"; } || { ok=1; diag "devices born in init failed"; }
for ((i = 0; i < LOOPS; i++)); do
	{ ip -n "${group[$i]}" link add "veilt7-$i" type "$VEIL_LINK_TYPE" &&
	  printf '%s\n' "link set veilt6-$i up" "link set veilt7-$i netns 1" |
		ip -n "${group[$i]}" -batch -; } || { ok=1; diag "namespace $i failed"; }
done
{ veil_set_each veilt7 43000 && batch_each "link set veilt7-@I@ up"; } ||
	{ ok=1; diag "devices moved to init failed"; }
[ "$(udp_total)" -eq $((udp0 + 2 * LOOPS)) ] ||
	{ ok=1; diag "UDP sockets in init: $udp0 before, $(udp_total) now, expected $((udp0 + 2 * LOOPS))"; }
[ "$(init_links | grep -c .)" -eq "$LOOPS" ] ||
	{ ok=1; diag "devices in init: $(init_links | tr '\n' ' ')"; }
for L in "${group[@]}"; do ns_del "$L"; done
result "$LOOPS namespaces with 2 devices each crossing namespaces, up, deleted" "$ok"
cycles_clean() { [ -z "$(init_links)" ] && [ "$(udp_total)" -eq "$udp0" ]; }
result "... no device and no socket left behind" "$(wait_for 30 cycles_clean; echo $?)" \
	"devices: $(init_links | tr '\n' ' ')" "UDP sockets before: $udp0 now: $(udp_total)" \
	"$(ss -uanH)"
diag "namespace cycles took $(($(date +%s) - start))s"

ok=0
for ((i = 0; i < LOOPS; i++)); do
	{ ip link add veilt8 type "$VEIL_LINK_TYPE" &&
	  "$VEIL" set veilt8 listen-port 44000 private-key "$KEYFILE" \
		peer "$PEER" allowed-ips 10.0.0.0/8 &&
	  printf '%s\n' "link set veilt8 up" "link del veilt8" | ip -batch -; } || ok=1
done
result "$LOOPS cycles: create, configure, up, delete" "$ok"
check_eq "... no device and no socket left behind" "devices: sockets: v4=0 v6=0" \
	"devices:$(init_links | tr '\n' ' ') sockets: $(udp_ports_summary "" 44000)"
check_eq "module reference count back where it was" "$ref0" "$(refcnt)"

kernel_log_clean "no kernel warnings"

tap_done
