#!/bin/bash
# test/sqlsmith/run.sh PG_CONFIG - random queries from sqlsmith (Debian
# package) as an unprivileged role against a throwaway cluster with
# churnwarn and a small demo data set (demo/generate.sql).
#
# Bounded by CW_SQLSMITH_QUERIES (2000) queries and CW_SQLSMITH_SECONDS
# (60) seconds.  The role may read every churnwarn table and view, insert
# and update its data tables and execute its functions, so sqlsmith reaches
# the grading triggers too.  Pass: no backend terminated by a signal, no
# internal error (XX000) raised from churnwarn's C code (the server log's
# LOCATION names one of src/*.c), and one open warning per customer still.
# Prints one summary line; exit status 0 on success.  The queries that hit
# an XX000 are left in the log excerpt printed on failure; each one found
# becomes a regression test.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/tools/lib.sh"
set +e
PGC=${1:?usage: test/sqlsmith/run.sh PG_CONFIG}
QUERIES=${CW_SQLSMITH_QUERIES:-2000}
SECONDS_MAX=${CW_SQLSMITH_SECONDS:-60}
SEED=${CW_SQLSMITH_SEED:-8}
command -v sqlsmith >/dev/null || cw_ensure_packages sqlsmith
DIR=$(mktemp -d /tmp/churnwarn-sqlsmith.XXXXXX)
chmod 755 "$DIR"
trap 'cw_stop_cluster; rm -rf "$DIR"' EXIT
cw_start_cluster "$PGC" "$DIR/cluster" "$(cw_free_port 57432)" \
	"log_line_prefix = '%m [%p] %e '" "log_error_verbosity = verbose" \
	"statement_timeout = '2s'" "restart_after_crash = on" >/dev/null 2>&1 ||
	{ echo "sqlsmith: FAILED (cluster did not start)"; exit 1; }
PSQL="$CW_BINDIR/psql -X -q -v ON_ERROR_STOP=1 -d smith"
fail() { echo "sqlsmith: FAILED ($*)"; exit 1; }

$CW_BINDIR/psql -X -q -d postgres -c 'CREATE DATABASE smith' || fail "create database"
$PSQL -c 'CREATE EXTENSION churnwarn' || fail "create extension"
# the demo replays a year in one statement: no statement_timeout for it
(cd "$ROOT" && PGOPTIONS="-c statement_timeout=0" $CW_BINDIR/psql -X -q -d smith -v company=robotics -v customers=${CW_SQLSMITH_CUSTOMERS:-40} \
	-f demo/generate.sql >"$DIR/demo.log" 2>&1) || fail "demo data: $(tail -n 3 "$DIR/demo.log")"
$PSQL <<'SQL' || fail "role setup"
CREATE ROLE cw_smith LOGIN;
GRANT USAGE ON SCHEMA churnwarn TO cw_smith;
GRANT SELECT ON ALL TABLES IN SCHEMA churnwarn TO cw_smith;
GRANT INSERT, UPDATE ON churnwarn.customer, churnwarn.signal TO cw_smith;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA churnwarn TO cw_smith;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA churnwarn TO cw_smith;
SQL
invariant="SELECT count(*) FROM (SELECT customer_id FROM churnwarn.warning WHERE status NOT IN ('closed', 'dismissed') GROUP BY customer_id HAVING count(*) > 1) x"
customers=$($CW_BINDIR/psql -X -Atc "SELECT count(*) FROM churnwarn.customer" -d smith)

timeout --signal=INT "$SECONDS_MAX" sqlsmith --target="host=$PGHOST port=$PGPORT dbname=smith user=cw_smith" \
	--max-queries="$QUERIES" --seed="$SEED" --exclude-catalog --verbose >"$DIR/sqlsmith.out" 2>&1
rc=$?
sleep 1
$CW_BINDIR/psql -X -Atc 'SELECT 1' -d smith >/dev/null 2>&1 || sleep 3
queries=$(grep -o 'queries: [0-9]*' "$DIR/sqlsmith.out" | tail -1 | grep -o '[0-9]*')
[ -n "$queries" ] || queries=$(grep -c . "$DIR/sqlsmith.out")
crashes=$(grep -c 'terminated by signal' "$DIR/cluster/server.log")
# internal errors whose LOCATION is in churnwarn's C code
srcs=$(cd "$ROOT/src" && ls *.c | paste -sd'|')
internal=$(grep -A3 ' XX000 ERROR' "$DIR/cluster/server.log" | grep -E "LOCATION: .*($srcs):" | wc -l)
dup=$($CW_BINDIR/psql -X -Atc "$invariant" -d smith)
status=0
if [ "$crashes" -ne 0 ] || [ "$internal" -ne 0 ] || [ "$dup" != 0 ]; then
	status=1
	grep -B2 -A8 -E 'terminated by signal| XX000 ERROR' "$DIR/cluster/server.log" | head -n 80
	tail -n 20 "$DIR/sqlsmith.out"
fi
[ -n "${CW_SQLSMITH_VERBOSE:-}" ] && tail -n 30 "$DIR/sqlsmith.out" && grep -c "churnwarn" "$DIR/cluster/server.log"
word=PASSED
[ $status -eq 0 ] || word=FAILED
echo "sqlsmith: $word (seed $SEED, ${queries:-?} queries in at most ${SECONDS_MAX}s against $customers demo customers: $crashes crashes, $internal internal errors from churnwarn code, $dup customers with two open warnings)"
exit $status
