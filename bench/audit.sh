#!/bin/bash
# bench/audit.sh - what the audit trigger costs on single-row writes.
#
# Builds churnwarn into a private PostgreSQL 15, starts a throwaway cluster
# and runs pgbench (-M prepared, 2 clients) on single-row inserts into a
# plain table and into the same table with churnwarn's audit trigger
# (spread over 1,000 customers, so chain locks rarely collide), then a bulk
# INSERT ... SELECT of 50,000 rows into each.  Prints transactions per
# second and the ratios.  BENCH_SECONDS (default 10) sets each run's length.
source "$(dirname "$0")/../tools/lib.sh"

cw_ensure_packages
WORK=$(mktemp -d /tmp/churnwarn-bench.XXXXXX)
chmod 755 "$WORK"
trap 'cw_stop_cluster; rm -rf "$WORK"' EXIT
PGC=$(cw_private_pg "$WORK/pg")
cw_build "$PGC"
cw_start_cluster "$PGC" "$WORK/cluster" "$(cw_free_port 56432)"
BIN=$($PGC --bindir)
SECS=${BENCH_SECONDS:-10}

"$BIN/psql" -qX -d postgres -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION churnwarn;
CREATE TABLE plain (id bigserial PRIMARY KEY, customer_id text, v int, note text);
CREATE TABLE audited (LIKE plain INCLUDING ALL);
SELECT churnwarn.audit_table('audited');
SQL

run() {
	local tbl=$1
	printf '\\set c random(1, 1000)\nINSERT INTO %s (customer_id, v, note) VALUES (:c, :c, '"'"'some note'"'"');\n' "$tbl" >"$WORK/$tbl.sql"
	"$BIN/pgbench" -n -M prepared -c 2 -j 2 -T "$SECS" -f "$WORK/$tbl.sql" postgres 2>/dev/null |
		sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}
bulk() {
	local tbl=$1
	"$BIN/psql" -qtAX -d postgres -c '\timing on' \
		-c "INSERT INTO $tbl (customer_id, v, note) SELECT g % 1000, g, 'bulk' FROM generate_series(1, 50000) g" |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}

plain=$(run plain)
audited=$(run audited)
bplain=$(bulk plain)
baudited=$(bulk audited)
echo "single-row insert, tps: plain $plain, audited $audited, ratio $(echo "scale=2; $audited / $plain" | bc)"
echo "bulk 50,000 rows, ms: plain $bplain, audited $baudited, ratio $(echo "scale=2; $bplain / $baudited" | bc)"
"$BIN/psql" -qtAX -d postgres -c "SELECT 'verify_audit: ' || ok || ', ' || checked || ' rows' FROM churnwarn.verify_audit()"
