#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The transmit fast path (docs/design.md, "Data path"), checked on the data
# and on veil's counters so that a silent fallback fails:
#  - every packet size that matters arrives intact: ICMP echoes of sizes
#    around the 16-byte padding multiple, the MTU and beyond (inner
#    fragments), IPv4 and IPv6, and UDP datagrams of 0, 1, ... 8000 bytes
#    built with MSG_MORE from many small pieces (paged skbs);
#  - paged data that belongs to someone else is never encrypted in place:
#    a file sent with sendfile() (page-cache pages in the skbs) and a TCP
#    stream with losses (retransmissions reuse the sent pages) arrive with
#    the right checksum, and the file on the sending side is unchanged;
#  - each mechanism is used: TCP's GSO packets segmented by the crypto jobs,
#    UDP GSO batches of more than one message on average, out-of-place
#    encryption into recycled pages and the trailer paths, padata jobs, and never skb_cow_data()
#    on these paths; an inner MTU small enough for GSO packets of more
#    segments than a job takes (segmented before staging) works as well;
#  - the GSO batches are split correctly by software segmentation (the
#    outer veth's tx-udp-segmentation off) and when the outer MTU is too
#    small for a whole message (batches taken apart, IPv6 outer);
#  - a stock wireguard peer decrypts the batches (interop);
#  - sparse small packets (pings) are sent inline, a flood of small
#    datagrams leaves in GSO batches (few staged packets wait for the
#    peer's job in flight), in order;
#  - with the module parameter parallel=0 every job runs inline.

. "$(dirname "$0")/lib.sh"

require_module
require_cli
require_cmd tcpdump ping python3 ethtool tc nstat iperf3 ss sha256sum

tap_plan 37

if [ "$VEIL_MODULE" != veil ]; then
	skip_all "veil's counters are needed (module $VEIL_MODULE)"
fi
WG=0
wg_available && WG=1

PORT=5310
MIB=1048576
# Transfer sizes in MiB: a quarter on a debug kernel (KASAN and lockdep
# make it several times slower); every check stays.
BIG=8 SMALL=4
if kernel_is_debug; then BIG=2 SMALL=1; fi

new_topo()
{
	topo_new "$@" || bail_out "topology: $T_ERR"
	tping A 4 || bail_out "no ping over the new tunnel ($(topo_desc)): $T_PING"
}

# snap SIDE: SIDE's counters at the start of a step; take SIDE: at its end.
# delta reads the two snapshots, so a step costs two ethtool runs however
# many counters it checks (each run is a second on a debug kernel).
declare -A SNAP NOW
snap()
{
	SNAP[$1]=$(veil_stats "$(tv NS "$1")" "$(tv DEV "$1")")
	NOW[$1]=
}

take()
{
	NOW[$1]=$(veil_stats "$(tv NS "$1")" "$(tv DEV "$1")")
}

# delta SIDE NAME: growth of a counter from snap SIDE to take SIDE; "?" (which
# fails any comparison) when a snapshot or the counter is missing.
delta()
{
	local a b

	a=$(stat_of "${SNAP[$1]}" "$2") b=$(stat_of "${NOW[$1]}" "$2")
	if [ -z "$a" ] || [ -z "$b" ]; then
		echo "delta $1 $2: no such counter, or no snap/take around the step" >&2
		echo "?"
		return 1
	fi
	echo $((b - a))
}

# ---- data integrity helpers -------------------------------------------------

# The receiving end: accepts one connection, prints "<bytes> <sha256>".
# shellcheck disable=SC2016 # python
RECV='
import hashlib, socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
s.settimeout(300)
c, _ = s.accept()
c.settimeout(300)
h, n = hashlib.sha256(), 0
while True:
    d = c.recv(262144)
    if not d:
        break
    h.update(d)
    n += len(d)
print(n, h.hexdigest())
'
# The sending end: the file with sendfile() ("sendfile") or write().
# shellcheck disable=SC2016 # python
SEND='
import socket, sys
addr, port, path, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.create_connection((addr, port), timeout=300)
with open(path, "rb") as f:
    if mode == "sendfile":
        s.sendfile(f)
    else:
        while True:
            d = f.read(65536)
            if not d:
                break
            s.sendall(d)
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
'

# xfer_check DESC FAMILY MODE MIB: MIB MiB of random data from A to B over
# the inner FAMILY with MODE (sendfile or write). OK when B received every
# byte with the right SHA-256 and A's file still has its checksum.
xfer_check()
{
	local desc=$1 fam=$2 mode=$3 size=$4 file want got after pid rc out i
	file=$VEIL_TMP/xfer.$mode
	head -c $((size * MIB)) /dev/urandom >"$file"
	want="$((size * MIB)) $(sha256sum "$file" | cut -d' ' -f1)"
	nsexec "$T_NS_B" timeout 400 python3 -c "$RECV" "$(inner_of B "$fam")" "$PORT" \
		>"$VEIL_TMP/recv.out" 2>&1 </dev/null &
	pid=$!
	at_exit kill "$pid"
	for ((i = 0; i < 50; i++)); do
		[ -n "$(ssn "$T_NS_B" -ltnH "sport = :$PORT")" ] && break
		sleep 0.1
	done
	out=$(nsexec "$T_NS_A" timeout 400 python3 -c "$SEND" "$(inner_of B "$fam")" "$PORT" \
		"$file" "$mode" 2>&1)
	rc=$?
	wait "$pid"
	got=$(cat "$VEIL_TMP/recv.out")
	# The page cache holds what sendfile() handed down: it must be intact.
	after="$((size * MIB)) $(sha256sum "$file" | cut -d' ' -f1)"
	[ "$rc" -eq 0 ] && [ "$got" = "$want" ] && [ "$after" = "$want" ]
	result "$desc" $? "sender exit $rc: $out" "sent:     $want" "received: $got" \
		"file after sending: $after"
}

# loss SIDE PERCENT: random loss on SIDE's outer interface (0: none).
loss()
{
	local ns veth
	ns=$(tv NS "$1") veth=$(tv VETH "$1")
	if [ "$2" = 0 ]; then
		ip -n "$ns" link set "$veth" txqueuelen 1000 2>/dev/null
		tc -n "$ns" qdisc del dev "$veth" root 2>/dev/null
	else
		tc -n "$ns" qdisc replace dev "$veth" root netem loss "$2%"
	fi
}

retrans()
{
	nsexec "$T_NS_A" nstat -az TcpRetransSegs | awk '$1 == "TcpRetransSegs" { print $2 }'
}

# ---- sizes ------------------------------------------------------------------

# ping_sweep FAMILY SIZES...: one echo of each payload size A->B; true when
# all came back with their data intact (output: what went wrong).
ping_sweep()
{
	local fam=$1 rc
	shift
	tping_sweep A "$fam" 1 "$@"
	rc=$?
	printf '%s' "$T_SWEEP"
	return $rc
}

# Around the padding multiple, a page, the MTU (1420: 1392 for IPv4 ICMP,
# 1372 for IPv6) and beyond it (inner fragments).
SIZES4="0 1 2 7 8 9 15 16 17 23 24 25 31 32 33 63 64 65 100 1000 1363 1364 1365 1376 1377 1378 1379 1380 1381 1389 1390 1391 1392 1393 1394 1408 1420 2000 2900 4000 4068 4069 4096 8000"
SIZES6="0 1 2 8 15 16 17 32 33 64 1000 1343 1344 1345 1356 1357 1358 1368 1369 1370 1371 1372 1373 1400 2900 4000 8000"

# UDP datagrams built from many sendmsg(MSG_MORE) pieces: on a device with
# scatter-gather they end up in page fragments. B echoes each one.
# shellcheck disable=SC2016 # python
UDP_ECHO='
import select, socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
end = time.time() + float(sys.argv[2])
while time.time() < end:
    if select.select([s], [], [], 0.2)[0]:
        d, a = s.recvfrom(65535)
        s.sendto(d, a)
'
# shellcheck disable=SC2016 # python
UDP_PIECES='
import os, socket, sys
addr, port = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect((addr, port))
bad = []
for size in [int(x) for x in sys.argv[3].split()]:
    for piece in (1, 7, 100, 1000):
        data = os.urandom(size)
        cuts = list(range(0, size, piece)) or [0]
        for off in cuts[:-1]:
            s.send(data[off:off + piece], socket.MSG_MORE)
        s.send(data[cuts[-1]:])
        try:
            back = s.recv(65535)
        except socket.timeout:
            bad.append("%d bytes in pieces of %d: no answer" % (size, piece))
            continue
        if back != data:
            bad.append("%d bytes in pieces of %d: %d bytes, different" % (size, piece, len(back)))
print("\n".join(bad) if bad else "all echoed")
sys.exit(1 if bad else 0)
'
UDP_SIZES="0 1 2 15 16 17 100 1000 1363 1364 1365 1391 1392 1393 2000 4000 8000"

udp_pieces_check()
{
	local desc=$1 fam=$2 pid out rc
	nsexec "$T_NS_B" python3 -c "$UDP_ECHO" $((PORT + 1)) 60 >/dev/null 2>&1 </dev/null &
	pid=$!
	at_exit kill "$pid"
	# shellcheck disable=SC2016 # expanded by eval
	wait_for 5 eval '[ -n "$(ssn "$T_NS_B" -ulnH "sport = :$((PORT + 1))")" ]'
	out=$(nsexec "$T_NS_A" python3 -c "$UDP_PIECES" "$(inner_of B "$fam")" $((PORT + 1)) \
		"$UDP_SIZES" 2>&1)
	rc=$?
	kill "$pid" 2>/dev/null
	result "$desc" "$rc" "$out"
}

# ---- veil<->veil, outer IPv4 ------------------------------------------------

new_topo veil veil outer=4
d="veil<->veil, outer IPv4"

snap A
# shellcheck disable=SC2086 # a list
out=$(ping_sweep 4 $SIZES4)
result "$d: ICMP echoes of $(wc -w <<<"$SIZES4") sizes (0..8000 bytes) intact, inner IPv4" $? "$out"
# shellcheck disable=SC2086 # a list
out=$(ping_sweep 6 $SIZES6)
result "$d: ICMP echoes of $(wc -w <<<"$SIZES6") sizes intact, inner IPv6" $? "$out"
udp_pieces_check "$d: UDP datagrams of 0..8000 bytes sent in MSG_MORE pieces come back intact" 4
take A
n=$(delta A tx_out_of_place) c=$(delta A tx_cow) t=$(delta A tx_tail_inplace)
[ "$n" -gt 0 ] && [ "$t" -gt 0 ] && [ "$c" -eq 0 ]
result "$d: small and paged packets: trailer in place and out-of-place sealing used, no skb_cow_data" $? \
	"tx_out_of_place +$n, tx_tail_inplace +$t, tx_tail_frag +$(delta A tx_tail_frag), tx_cow +$c"
diag "sizes: tx_out_of_place +$n, tx_tail_inplace +$t, tx_tail_frag +$(delta A tx_tail_frag), tx_cow +$c"

# TCP from write() and from sendfile(), clean and with losses.
snap A
xfer_check "$d: $BIG MiB over TCP with write(), inner IPv4, intact" 4 write $BIG
xfer_check "$d: $BIG MiB over TCP with sendfile() (page-cache pages), inner IPv4, intact and the file unchanged" 4 sendfile $BIG
# The inner TCP checksums, computed as the cipher passes over the payload:
# a veil receiver trusts the AEAD and never checks them, tcpdump on B does.
# GRO off on B's veil0, or the capture would see merged segments (whose
# checksum fields are the first segment's).
nsexec "$T_NS_B" ethtool -K veil0 gro off
nsexec "$T_NS_B" timeout 120 tcpdump -l -n -vv -c 400 -i veil0 "tcp and greater 1000" \
	>"$VEIL_TMP/csum.txt" 2>"$VEIL_TMP/csum.err" &
cpid=$!
at_exit kill "$cpid"
for ((i = 0; i < 100; i++)); do
	grep -q listening "$VEIL_TMP/csum.err" && break
	sleep 0.2
done
xfer_check "$d: $SMALL MiB over TCP with write(), inner IPv4, captured on B, intact" 4 write $SMALL
wait "$cpid" 2>/dev/null
nsexec "$T_NS_B" ethtool -K veil0 gro on
good=$(grep -c 'cksum 0x[0-9a-f]* (correct)' "$VEIL_TMP/csum.txt")
bad=$(grep -c 'incorrect' "$VEIL_TMP/csum.txt")
[ "$good" -ge 100 ] && [ "$bad" -eq 0 ]
result "$d: the inner TCP checksums are right (tcpdump -vv on B: $good correct, $bad incorrect)" $? \
	"$(grep -m 3 incorrect "$VEIL_TMP/csum.txt")" "$(tail -n 3 "$VEIL_TMP/csum.err")"
loss A 3
r0=$(retrans)
xfer_check "$d: $SMALL MiB over TCP with write(), 3% loss (retransmissions), intact" 4 write $SMALL
xfer_check "$d: $SMALL MiB with sendfile(), 3% loss, inner IPv6, intact and the file unchanged" 6 sendfile $SMALL
r1=$(retrans)
loss A 0
[ "$((r1 - r0))" -gt 0 ]
result "$d: the lossy transfers did retransmit (so retransmitted pages were checked)" $? \
	"TcpRetransSegs +$((r1 - r0))"

take A
gb=$(delta A tx_gso_batches) gs=$(delta A tx_gso_segments) go=$(delta A tx_out_of_place)
gc=$(delta A tx_cow) gp=$(delta A tx_jobs_parallel) gx=$(delta A tx_gso_split)
[ "$gx" -gt 0 ]
result "$d: TCP's GSO packets were segmented by the crypto jobs (tx_gso_split +$gx)" $? \
	"tx_gso_split +$gx, tx_gso_segments +$gs"
[ "$gb" -gt 0 ] && [ "$gs" -gt "$gb" ]
result "$d: TCP left in UDP GSO batches of more than one message (on average $gs/$gb)" $? \
	"tx_gso_batches +$gb, tx_gso_segments +$gs, tx_single +$(delta A tx_single)"
[ "$go" -gt 0 ] && [ "$gc" -eq 0 ]
result "$d: TCP payload sealed out of place, never with skb_cow_data" $? \
	"tx_out_of_place +$go, tx_cow +$gc"
# The pages sealed data went to come back once B has read it (module-wide
# counts: one page serves many messages).
pr=$(delta A tx_pages_recycled) pf=$(delta A tx_pages_fresh)
[ "$pr" -gt 0 ]
result "$d: pages of sealed data were carved again once free (tx_pages_recycled +$pr)" $? \
	"tx_pages_recycled +$pr, tx_pages_fresh +$pf"
diag "TCP: tx_pages_recycled +$pr, tx_pages_fresh +$pf"
[ "$gp" -gt 0 ]
result "$d: encryption ran as padata jobs" $? "tx_jobs_parallel +$gp, tx_jobs_inline +$(delta A tx_jobs_inline)"
diag "TCP: tx_gso_batches +$gb, tx_gso_segments +$gs, tx_single +$(delta A tx_single)," \
	"tx_out_of_place +$go, tx_tail_inplace +$(delta A tx_tail_inplace), tx_cow +$gc," \
	"tx_jobs_parallel +$gp, tx_jobs_inline +$(delta A tx_jobs_inline)"

# iperf3 -Z: sendfile() of its own buffer, both families.
snap A
tun_iperf A 4 -t 3 -Z
sum=$(iperf_summary "$T_IPERF_JSON")
[ "$(kv error "$sum")" = none ] && [ "$(kv received "$sum")" -gt 0 ]
result "$d: iperf3 -Z (sendfile), inner IPv4" $? "$sum"
take A
[ "$(delta A tx_cow)" -eq 0 ] && [ "$(delta A tx_gso_batches)" -gt 0 ]
result "$d: iperf3 -Z: GSO batches and no skb_cow_data" $? \
	"tx_gso_batches +$(delta A tx_gso_batches), tx_cow +$(delta A tx_cow)"
# padata has one work item per CPU for all its users; without one it runs
# a job's crypto in the submitter, for veil_xmit() often under the TCP
# socket's lock. Seen that happen, the transmit path must have handed the
# submitting to the peer's worker instead.
ts=$(delta A tx_jobs_sync) td=$(delta A tx_deferred)
if [ "$ts" -gt 0 ]; then
	[ "$td" -gt 0 ]
	result "$d: iperf3 -Z: padata ran out of work items ($ts jobs sealed by their submitter), so sending left the submitting to the peer's worker (tx_deferred +$td)" $? \
		"tx_jobs_sync +$ts, tx_deferred +$td, tx_jobs_parallel +$(delta A tx_jobs_parallel)"
else
	skip_n 1 "$d: iperf3 -Z: submitting left to the peer's worker when padata runs out of work items" \
		"padata never ran out of work items (tx_jobs_sync +0)"
fi
tun_counters_check "$d: nothing dropped on either side" 'A:rx_drop_*==0' 'B:rx_drop_*==0' \
	'A:tx_drop_other==0' 'B:tx_drop_other==0'

# Small packets: sparse ones are sent inline, a stream of them is batched.
# Pings 0.3 s apart: each finds the transmit queue idle and its jiffy
# unused, and is encrypted and sent in the pinging context.
snap A
nsexec "$T_NS_A" ping -n -q -c 5 -i 0.3 -W 2 "$(inner_of B 4)" >"$VEIL_TMP/sparse.txt" 2>&1
pr=$?
take A
pi=$(delta A tx_jobs_inline) pp=$(delta A tx_jobs_parallel)
[ "$pr" -eq 0 ] && [ "$pi" -ge 5 ]
result "$d: 5 sparse pings were each sent inline (tx_jobs_inline +$pi)" $? \
	"tx_jobs_parallel +$pp; $(tail -n 2 "$VEIL_TMP/sparse.txt")"
# A flood of 64-byte datagrams: at most one job a jiffy inline, and behind a
# job of the peer in flight, the rest waits and leaves in UDP GSO batches, in
# order. The inline budget is one job a jiffy (this peer's sends
# are serialized by its tx lock), so the jobs run inline are at most the
# jiffies the run took, whatever the speed of the kernel: on a slow one (the
# debug kernel) the "flood" may be near one packet a jiffy, and most packets
# then rightly go inline.
snap A
j0=$(jiffies_now)
tun_iperf A 4 -u -b 0 -l 64 -t 2
ur=$?
j1=$(jiffies_now)
take A
ub=$(delta A tx_gso_batches) us=$(delta A tx_gso_segments)
ui=$(delta A tx_jobs_inline) up=$(delta A tx_jobs_parallel)
ug=$(delta A tx_gathered)
ooo=$(jq '[.end.streams[].udp.out_of_order // 0] | add' <<<"$T_IPERF_JSON" 2>/dev/null)
pk=$(jq '.end.sum.packets // 0' <<<"$T_IPERF_JSON" 2>/dev/null)
if [ -n "$j0" ] && [ -n "$j1" ]; then
	jb=$((j1 - j0 + 2)) jdesc="at most one job a jiffy inline ($ui <= $((j1 - j0)) jiffies + 2)"
else
	# No jiffies in /proc/timer_list: a flood must at least mostly go to padata.
	jb=$((up - 1)) jdesc="more jobs in padata than inline ($up > $ui)"
fi
fd="iperf3 rc $ur, packets ${pk:-?}, out of order ${ooo:-?}; tx_gso_batches +$ub,
tx_gso_segments +$us, tx_single +$(delta A tx_single), tx_jobs_parallel +$up,
tx_jobs_inline +$ui, tx_gathered +$ug"
[ "$ur" -eq 0 ] && [ "$up" -gt 0 ] && [ "$ui" -le "$jb" ] && [ "${pk:-0}" -gt 0 ] &&
	[ "${ooo:-1}" -eq 0 ]
result "$d: a flood of 64-byte datagrams arrived in order, some jobs in padata, $jdesc" $? "$fd"
# Batches form as the datagrams sent while a job is in flight wait for it
# (tx_gathered counts the sends that left them). The debug kernel's "flood"
# can be as slow as one datagram a jiffy, each then sent inline, and no job
# waits for another: batching is only asked of it when some happened.
if [ "$ub" -eq 0 ] && kernel_is_debug; then
	skip "$d: the flood of 64-byte datagrams left in UDP GSO batches" \
		"a debug kernel's flood too slow to batch: ${pk:-?} datagrams, $ui sent inline, $up jobs in padata"
else
	[ "$ub" -gt 0 ] && [ "$us" -ge $((2 * ub)) ] && [ "$ug" -gt 0 ]
	result "$d: the flood of 64-byte datagrams left in UDP GSO batches (on average $us/$ub), gathered behind jobs in flight (tx_gathered +$ug)" $? "$fd"
fi

# ---- software segmentation, outer IPv6 ---------------------------------------

new_topo veil veil outer=6
d="veil<->veil, outer IPv6"
out=$(nsexec "$T_NS_A" ethtool -K "$T_VETH_A" tx-udp-segmentation off 2>&1)
result "$d: tx-udp-segmentation off on A's veth" $? "$out"
snap A
xfer_check "$d, batches segmented in software: $BIG MiB with sendfile(), intact" 4 sendfile $BIG
xfer_check "$d, batches segmented in software: $SMALL MiB with write(), inner IPv6, intact" 6 write $SMALL
take A
[ "$(delta A tx_gso_batches)" -gt 0 ]
result "$d: batches were formed" $? "tx_gso_batches +$(delta A tx_gso_batches)"

# An outer MTU below the message size: batches are taken apart, messages
# fragmented one by one.
for s in A B; do ip -n "$(tv NS "$s")" link set "$(tv VETH "$s")" mtu 1300; done
nsexec "$T_NS_A" ip -6 route flush cache 2>/dev/null
xfer_check "$d, outer MTU 1300 (messages fragmented): $SMALL MiB with sendfile(), intact" 4 sendfile $SMALL
out=$(ping_sweep 4 1 1392 4000)
result "$d, outer MTU 1300: ICMP echoes intact" $? "$out"
for s in A B; do ip -n "$(tv NS "$s")" link set "$(tv VETH "$s")" mtu 1500; done

# An inner MTU of 576: a 64 KB GSO packet of TCP is then up to 124 segments,
# more than a job takes, and is segmented before it is staged; smaller ones
# still go to the jobs whole. Either way every message gets its own nonce.
# (Below 1280 the inner IPv6 addresses go: this topology ends here.)
mtu0=$(ip -n "$T_NS_A" -o link show dev "$T_DEV_A" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
for s in A B; do ip -n "$(tv NS "$s")" link set "$(tv DEV "$s")" mtu 576; done
snap A
xfer_check "$d, inner MTU 576: $SMALL MiB with write(), intact" 4 write $SMALL
take A
[ "$(delta A tx_drop_other)" -eq 0 ] && [ "$(delta A tx_gso_batches)" -gt 0 ]
result "$d, inner MTU 576: nothing dropped, sent in GSO batches" $? \
	"tx_drop_other +$(delta A tx_drop_other), tx_gso_split +$(delta A tx_gso_split), tx_gso_batches +$(delta A tx_gso_batches)"
diag "inner MTU 576: tx_gso_split +$(delta A tx_gso_split) (GSO packets of up to 64 segments)," \
	"tx_gso_segments +$(delta A tx_gso_segments), tx_gso_batches +$(delta A tx_gso_batches)"
for s in A B; do ip -n "$(tv NS "$s")" link set "$(tv DEV "$s")" mtu "${mtu0:-1420}"; done

# ---- a stock wireguard peer decrypts the batches ------------------------------

if [ "$WG" = 1 ]; then
	for outer in 4 6; do
		new_topo veil wg outer=$outer
		d="veil->wg, outer IPv$outer"
		snap A
		xfer_check "$d: $BIG MiB with sendfile(), intact at the stock module" 4 sendfile $BIG
		take A
		[ "$(delta A tx_gso_batches)" -gt 0 ] && [ "$(delta A tx_cow)" -eq 0 ]
		result "$d: sent in GSO batches, no skb_cow_data" $? \
			"tx_gso_batches +$(delta A tx_gso_batches), tx_cow +$(delta A tx_cow)"
	done
else
	skip_n 4 "veil->wg" "stock wireguard not available"
fi

# ---- parallel=0 ----------------------------------------------------------------

PARAM=/sys/module/veil/parameters/parallel
if [ -w "$PARAM" ]; then
	new_topo veil veil outer=4
	d="veil<->veil, parallel=0"
	old=$(cat "$PARAM")
	echo 0 >"$PARAM"
	at_exit sh -c "echo $old >$PARAM"
	snap A
	xfer_check "$d: $SMALL MiB with sendfile(), intact" 4 sendfile $SMALL
	echo "$old" >"$PARAM"
	take A
	[ "$(delta A tx_jobs_parallel)" -eq 0 ] && [ "$(delta A tx_jobs_inline)" -gt 0 ]
	result "$d: every job ran inline" $? \
		"tx_jobs_parallel +$(delta A tx_jobs_parallel), tx_jobs_inline +$(delta A tx_jobs_inline)"
else
	skip_n 2 "parallel=0" "$PARAM not writable"
fi

topo_del
tap_done
