#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/bench.sh (make bench): benchmark of veil's data path against the
# stock wireguard module and a bare veth pair, side by side in one VM boot.
# Installs what is missing (scripts/deps.sh bench), builds the module and the
# tool, boots the VM once (scripts/vm-run --cpu qemu64 --smp 2) running
# scripts/lib/bench-guest, then post-processes the raw results on the host
# (scripts/lib/bench-report) and draws the chart (gnuplot). See docs/bench.md.
#
# Environment:
#   BENCH_ROUNDS   interleaved rounds (default 5; at least 5 for real numbers)
#   BENCH_TIME     seconds per test (default 5)
#   BENCH_UDP_LEN  payload of the "UDP big" test (default 1392: the largest
#                  that fits a 1420-byte tunnel MTU without IP fragmentation)
#   BENCH_UDP_BUF  socket buffer in bytes for both ends of the UDP tests, on
#                  every link (iperf3 -w; default: the system's, 208 KiB)
#   BENCH_TESTS    subset of "tcp1 tcp4 udp udp64 ping" (default: all)
#   BENCH_PROFILE  0: skip the perf runs (default 1)
#   BENCH_PROFILE_ROUNDS  profiled runs per link, veil and wg taking turns
#                  (default 3; the cipher's share is their median)
#   BENCH_PROFILE_TEST  the test the perf runs profile (default tcp1)
#   BENCH_PROFILE_CALLERS  1: record call graphs, and report who takes the
#                  contended spinlocks (vm/raw/perf-<link>-1.callers.txt)
#   BENCH_PROFILE_SYMBOLS  with BENCH_PROFILE_CALLERS=1, the symbols whose
#                  callers are reported, comma-separated (default
#                  native_queued_spin_lock_slowpath)
#   BENCH_DIR      output directory (default <repo>/build/bench)
#   BENCH_CPU, BENCH_SMP   QEMU CPU model and vCPUs (default qemu64, 2)
#   BENCH_TIMEOUT  VM wall-clock bound in seconds (default: computed)
#   BENCH_VEIL_PARAMS  veil module parameters for the run (e.g. parallel=0)
# Outputs (in BENCH_DIR): results.csv, results.json, profile.txt, bench.png,
# bench.dat, summary.txt (the table), vm/raw/ (what the guest wrote), vm/
# (the VM's console log, kernel log and status).
# Exit status: 0 when the bench ran (missed targets and single failed samples
# do not fail it); 1 when the build, the VM (timeout, crash, kernel warning)
# or the post-processing failed; a partial report is printed if possible.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
die() { echo "bench: $*" >&2; exit 1; }

ROUNDS=${BENCH_ROUNDS:-5}
TIME=${BENCH_TIME:-5}
UDP_LEN=${BENCH_UDP_LEN:-1392}
UDP_BUF=${BENCH_UDP_BUF:-}
TESTS=${BENCH_TESTS:-tcp1 tcp4 udp udp64 ping}
PROFILE=${BENCH_PROFILE:-1}
PROFILE_ROUNDS=${BENCH_PROFILE_ROUNDS:-3}
DIR=${BENCH_DIR:-$REPO/build/bench}
CPU=${BENCH_CPU:-qemu64}
SMP=${BENCH_SMP:-2}
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer, not '$ROUNDS'"
[[ $TIME =~ ^[1-9][0-9]*$ ]] || die "BENCH_TIME must be a positive integer, not '$TIME'"
[[ $PROFILE_ROUNDS =~ ^[1-9][0-9]*$ ]] ||
	die "BENCH_PROFILE_ROUNDS must be a positive integer, not '$PROFILE_ROUNDS'"
[[ $UDP_LEN =~ ^[1-9][0-9]*$ ]] || die "BENCH_UDP_LEN must be a positive integer, not '$UDP_LEN'"
[[ -z $UDP_BUF || $UDP_BUF =~ ^[1-9][0-9]*$ ]] ||
	die "BENCH_UDP_BUF must be a positive integer (bytes), not '$UDP_BUF'"
case ${BENCH_PROFILE_TEST:-tcp1} in tcp1|tcp4|udp|udp64) ;;
*) die "BENCH_PROFILE_TEST: one of tcp1 tcp4 udp udp64, not '$BENCH_PROFILE_TEST'" ;; esac
for t in $TESTS; do
	case $t in tcp1|tcp4|udp|udp64|ping) ;; *) die "BENCH_TESTS: unknown test '$t'" ;; esac
done
ntests=$(wc -w <<<"$TESTS")
# Per sample: the test itself plus iperf3/netns start-up under emulation
# (about 10 s); per profiled run: the run, perf start-up (minutes when the
# host is loaded) and perf report; boot and set-up.
TIMEOUT=${BENCH_TIMEOUT:-$((240 + ROUNDS * ntests * 3 * (TIME + 15) + PROFILE * PROFILE_ROUNDS * 2 * (TIME * 2 + 450)))}
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "BENCH_TIMEOUT must be a positive integer"

scripts/deps.sh bench
make --no-print-directory module userspace

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
raw=$DIR/vm/raw
rm -rf "$raw"
rm -f "$DIR"/{results.csv,results.json,profile.txt,bench.png,bench.dat,summary.txt}
mkdir -p "$raw"

echo "bench: $ROUNDS rounds x $TIME s, tests: $TESTS; VM timeout ${TIMEOUT}s; output in $DIR" >&2
set +e
nice scripts/vm-run --cpu "$CPU" --smp "$SMP" --timeout "$TIMEOUT" --out "$DIR/vm" \
	--env "BENCH_ROUNDS=$ROUNDS" --env "BENCH_TIME=$TIME" --env "BENCH_UDP_LEN=$UDP_LEN" \
	--env "BENCH_UDP_BUF=$UDP_BUF" \
	--env "BENCH_TESTS=$TESTS" --env "BENCH_PROFILE=$PROFILE" \
	--env "BENCH_PROFILE_ROUNDS=$PROFILE_ROUNDS" \
	--env "BENCH_PROFILE_TEST=${BENCH_PROFILE_TEST:-tcp1}" \
	--env "BENCH_PROFILE_CALLERS=${BENCH_PROFILE_CALLERS:-0}" \
	--env "BENCH_PROFILE_SYMBOLS=${BENCH_PROFILE_SYMBOLS:-native_queued_spin_lock_slowpath}" \
	--env "BENCH_VEIL_PARAMS=${BENCH_VEIL_PARAMS:-}" \
	"scripts/lib/bench-guest $(printf '%q' "$raw")" 2>&1 | tee "$DIR/vm/run.log"
vmrc=${PIPESTATUS[0]}
set -e
if [ "$vmrc" -ne 0 ]; then
	echo "bench: the VM run ended with status $vmrc (124: timeout, 97: kernel problem," \
		"98: no exit status); last lines of $DIR/vm/run.log:" >&2
	tail -n 25 "$DIR/vm/run.log" | sed 's/^/bench:   /' >&2
fi
[ -s "$raw/samples.tsv" ] || die "no samples from the guest (see $DIR/vm/run.log)"

python3 scripts/lib/bench-report "$raw" "$DIR" | tee "$DIR/summary.txt"

# ---- the chart ----------------------------------------------------------------
if command -v gnuplot >/dev/null; then
	gnuplot <<EOF || echo "bench: gnuplot failed; no chart" >&2
set terminal pngcairo size 1100,600 font "sans,11"
set output "$DIR/bench.png"
set title "veil data path vs stock wireguard vs bare veth ($ROUNDS rounds x ${TIME}s, qemu $CPU x$SMP)\n\
median, bars: min-max over rounds; relative to the wireguard median (log scale)\n\
higher is better, except * (lower is better)"
set style data histograms
set style histogram errorbars gap 1.5 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set logscale y 10
set format y "%g"
set mytics 10
set ylabel "relative to wireguard = 1"
set grid ytics
set key top right
set yrange [*:*]
set xrange [-0.6:5.6]
set xtics nomirror
plot "$DIR/bench.dat" using 2:3:4:xtic(1) title "veth" lc rgb "#999999", \
     "" using 5:6:7 title "wireguard" lc rgb "#3366cc", \
     "" using 8:9:10 title "veil" lc rgb "#dd5500", \
     1 notitle lc rgb "black" dt 2
EOF
else
	echo "bench: gnuplot not found; no chart (scripts/deps.sh bench installs gnuplot-nox)" >&2
fi

echo
echo "bench: files in $DIR:"
for f in summary.txt results.csv results.json profile.txt bench.png vm/raw vm/console.log; do
	[ -e "$DIR/$f" ] && echo "  $DIR/$f"
done
if [ "$vmrc" -ne 0 ]; then
	echo "bench: the VM run failed (status $vmrc): the results above are partial" >&2
	exit 1
fi
exit 0
