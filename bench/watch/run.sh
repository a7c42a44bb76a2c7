#!/bin/bash
# bench/watch/run.sh - cost of the no-rule-fires path of a watched table.
#
# UPDATE of a column no rule looks at (and no mapped customer field), on a
# watched customer master with three rules, against the same UPDATE on an
# identical unwatched table.  pgbench -M prepared, 2 clients, interleaved
# A/B runs (the order alternates within each pair), PAIRS pairs of SECS
# seconds; prints every run and the median of the per-pair ratios
# watched/plain, plus a control: the same C function as an AFTER row
# trigger on a table churnwarn does not watch (the trigger mechanism alone).  Builds churnwarn into a private PostgreSQL copy and uses a
# throwaway cluster (tools/lib.sh), like tools/test.sh.
source "$(dirname "$0")/../../tools/lib.sh"
PAIRS=${PAIRS:-7}
SECS=${SECS:-8}
CLIENTS=${CLIENTS:-2}
HERE=$(cd "$(dirname "$0")" && pwd)

cw_ensure_packages
WORK=$(mktemp -d /tmp/churnwarn-bench.XXXXXX)
chmod 755 "$WORK"
trap 'cw_stop_cluster; rm -rf "$WORK"' EXIT
PGC=$(cw_private_pg "$WORK/pg")
cw_build "$PGC"
cw_start_cluster "$PGC" "$WORK/cluster" "$(cw_free_port 56432)"
BIN=$($PGC --bindir)
"$BIN/psql" -q -X -v ON_ERROR_STOP=1 -d postgres -f "$HERE/setup.sql" >/dev/null

tps() {
	"$BIN/pgbench" -n -M prepared -c "$CLIENTS" -j "$CLIENTS" -T "$SECS" -f "$HERE/$1" postgres 2>/dev/null |
		sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}
# warm-up
for f in update_watched.sql update_plain.sql update_noop.sql; do tps $f >/dev/null; done
ratios=()
noops=()
for i in $(seq 1 "$PAIRS"); do
	# rotate the order of the three variants from pair to pair
	case $((i % 3)) in
	1) w=$(tps update_watched.sql); p=$(tps update_plain.sql); n=$(tps update_noop.sql) ;;
	2) p=$(tps update_plain.sql); n=$(tps update_noop.sql); w=$(tps update_watched.sql) ;;
	0) n=$(tps update_noop.sql); w=$(tps update_watched.sql); p=$(tps update_plain.sql) ;;
	esac
	r=$(awk -v a="$w" -v b="$p" 'BEGIN { printf "%.4f", a / b }')
	q=$(awk -v a="$n" -v b="$p" 'BEGIN { printf "%.4f", a / b }')
	ratios+=("$r")
	noops+=("$q")
	echo "pair $i: watched $w tps, plain $p tps, no-op AFTER trigger $n tps; watched/plain $r, no-op/plain $q"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "median watched/plain over $PAIRS pairs: $(median "${ratios[@]}")"
echo "median no-op AFTER trigger/plain over $PAIRS pairs: $(median "${noops[@]}")"
"$BIN/psql" -q -X -d postgres -c "SELECT count(*) AS signals_raised_during_bench FROM churnwarn.signal"
