#!/bin/bash
# test/crash/run.sh PG_CONFIG - crash safety in a throwaway cluster of its
# own (synchronous_commit on, the churnwarn build installed in PG_CONFIG's
# installation).
#
#  1. kill -9 a backend in the middle of a transaction (after
#     report_signal, before COMMIT): nothing of it may survive;
#  2. kill -9 a backend right after its COMMIT returned: all of it must;
#  3. CW_CRASH_CYCLES (20) immediate shutdowns (pg_ctl -m immediate) under
#     pgbench load (4 clients calling report_signal for 300 customers, each
#     transaction also inserting a marker row), restarting each time.
# Then test/crash/verify.sql: every transaction pgbench saw committed is
# there, nothing partial is, one open warning per customer, stored grades
# equal grade() recomputed (churnwarn.clock is fixed, so no decay), indexes
# pass amcheck, and verify_audit() passes where it exists.
# Prints one summary line; exit status 0 on success.
set -uo pipefail
source "$(dirname "$0")/../../tools/lib.sh"
set +e
PGC=${1:?usage: test/crash/run.sh PG_CONFIG}
CYCLES=${CW_CRASH_CYCLES:-20}
CLIENTS=4
DIR=$(mktemp -d /tmp/churnwarn-crash.XXXXXX)
chmod 755 "$DIR"
trap 'cw_stop_cluster; rm -rf "$DIR"' EXIT
cw_start_cluster "$PGC" "$DIR/cluster" "$(cw_free_port 56432)" \
	"synchronous_commit = on" "restart_after_crash = on" "log_min_messages = warning" >/dev/null 2>&1 ||
	{ echo "crash safety: FAILED (cluster did not start)"; exit 1; }
export PGDATABASE=crash
PSQL="$CW_BINDIR/psql -X -q -v ON_ERROR_STOP=1"
fail() {
	echo "crash safety: FAILED ($*)"
	tail -n 20 "$DIR/cluster/server.log" >&2
	exit 1
}
pgctl() { su postgres -s /bin/sh -c "'$CW_BINDIR/pg_ctl' -D '$DIR/cluster/data' -l '$DIR/cluster/server.log' $*" >/dev/null 2>&1; }
wait_ready() {
	local i
	for i in $(seq 1 100); do
		$PSQL -c 'SELECT 1' >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

$PSQL -d postgres -c 'CREATE DATABASE crash' || fail "create database"
$PSQL <<'SQL' || fail "setup"
CREATE EXTENSION churnwarn;
CREATE EXTENSION amcheck;
ALTER DATABASE crash SET churnwarn.clock = '2026-03-02 10:00:00+00';
CREATE TABLE crash_marker (signal_id bigint PRIMARY KEY, customer_id text NOT NULL);
INSERT INTO churnwarn.customer (customer_id, name, tier, created_at)
SELECT 'c' || i, 'Crash ' || i, (ARRAY['ordinary', 'important', 'core'])[1 + i % 3], '2026-01-01'
FROM generate_series(1, 300) i;
SQL

# 1. kill -9 in the middle of a transaction
$CW_BINDIR/psql -X -q -c "BEGIN; INSERT INTO churnwarn.customer (customer_id) VALUES ('kill_mid');
	SELECT churnwarn.report_signal('kill_mid', 'termination_notice', '2026-03-01 09:00+00'); SELECT pg_sleep(60); COMMIT;" \
	>/dev/null 2>&1 &
mid_client=$!
pid=""
for i in $(seq 1 100); do
	pid=$($CW_BINDIR/psql -X -Atc "SELECT pid FROM pg_stat_activity WHERE query LIKE '%kill_mid%pg_sleep%' AND pid <> pg_backend_pid() AND wait_event = 'PgSleep'" 2>/dev/null)
	[ -n "$pid" ] && break
	sleep 0.1
done
[ -n "$pid" ] || fail "mid-transaction session did not reach its sleep"
kill -9 "$pid"
wait $mid_client
wait_ready || fail "no recovery after kill -9 (mid-transaction)"

# 2. kill -9 right after COMMIT returned
$PSQL >/dev/null 2>&1 <<'SQL'
INSERT INTO churnwarn.customer (customer_id) VALUES ('kill_after');
BEGIN;
SELECT churnwarn.report_signal('kill_after', 'termination_notice', '2026-03-01 09:00+00');
COMMIT;
SELECT pg_backend_pid() AS pid \gset
\setenv CW_KILL_PID :pid
\! kill -9 $CW_KILL_PID
SELECT 1;
SQL
wait_ready || fail "no recovery after kill -9 (after commit)"

# 3. immediate shutdowns under pgbench load
acked=0
for cycle in $(seq 1 "$CYCLES"); do
	$CW_BINDIR/pgbench -n -c $CLIENTS -j 2 -T 30 -f "$(dirname "$0")/pgbench.sql" crash >"$DIR/pgbench.$cycle.log" 2>&1 &
	bench=$!
	sleep "$(awk -v s="$cycle" 'BEGIN { srand(s); printf "%.2f", 0.6 + rand() * 0.8 }')"
	pgctl -m immediate stop || fail "immediate stop $cycle"
	wait $bench
	n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$DIR/pgbench.$cycle.log")
	[ -n "$n" ] || fail "no pgbench result in cycle $cycle: $(tail -n 3 "$DIR/pgbench.$cycle.log")"
	acked=$((acked + n))
	pgctl -w start || fail "restart $cycle"
	wait_ready || fail "not ready after restart $cycle"
done

out=$($PSQL -v acked="$acked" -v inflight=$((CLIENTS * CYCLES)) -f "$(dirname "$0")/verify.sql" 2>&1) ||
	fail "verification query: $out"
bad=$(echo "$out" | awk -F'|' '$2 != 0')
crashes=$(grep -c "terminated by signal 9" "$DIR/cluster/server.log")
[ "$crashes" -ge 2 ] || fail "the server log shows $crashes backends killed, expected 2"
if [ -n "$bad" ] || [ "$acked" -lt 100 ]; then
	echo "$out"
	fail "$(echo "$bad" | tr '\n' ';') acked=$acked"
fi
committed=$($CW_BINDIR/psql -X -Atc "SELECT count(*) FROM crash_marker")
echo "crash safety: PASSED (2 kill -9, $CYCLES immediate restarts under load, $acked acknowledged / $committed committed transactions verified)"
