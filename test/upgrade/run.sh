#!/bin/bash
# test/upgrade/run.sh - the upgrade path, against the running test cluster
# (PGHOST/PGPORT/PGUSER set by tools/test.sh; the build installed).
#
# For the oldest released version (a frozen sql/churnwarn--X.sql, or the
# default version if none is frozen yet) that has a chain of
# sql/churnwarn--A--B.sql scripts to default_version: install it, load
# data, check that the new library still works with the old SQL
# definitions (packages replace the .so before ALTER EXTENSION UPDATE),
# update one version at a time, and compare pg_dump --schema-only and the
# catalog footprint (test/upgrade/catalog.sql) with a fresh install.  With
# no upgrade scripts yet, the fresh-install side still runs.
# Prints one summary line; exit status 0 on success.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
OUT=$(mktemp -d /tmp/churnwarn-upgrade.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
ext=churnwarn
target=$(sed -n "s/^default_version = '\(.*\)'/\1/p" $ext.control)
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
fail() { echo "upgrade path: FAILED ($*)"; exit 1; }

for db in cw_upgrade_fresh cw_upgrade_path; do
	psql_q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1 || fail "cannot create $db"
done

# the fresh install
psql_q -d cw_upgrade_fresh -c "CREATE EXTENSION $ext" >/dev/null || fail "fresh CREATE EXTENSION"
psql_q -d cw_upgrade_fresh -f test/upgrade/catalog.sql >"$OUT/fresh.catalog" || fail "catalog query"
pg_dump --schema-only -d cw_upgrade_fresh >"$OUT/fresh.dump" || fail "pg_dump"
nfresh=$(wc -l <"$OUT/fresh.catalog")

# the chain of upgrade scripts from the oldest frozen version
mapfile -t upgrades < <(ls sql/$ext--*--*.sql 2>/dev/null | sort -V)
if [ ${#upgrades[@]} -eq 0 ]; then
	psql_q -d postgres -c "DROP DATABASE cw_upgrade_fresh" -c "DROP DATABASE cw_upgrade_path" >/dev/null
	echo "upgrade path: PASSED (no upgrade scripts yet; fresh install of $target checked, $nfresh catalog rows)"
	exit 0
fi
oldest=$(ls sql/$ext--*.sql | grep -v -- '--.*--' | sed "s/.*$ext--\(.*\)\.sql/\1/" | sort -V | head -1)
chain=("$oldest")
v=$oldest
while [ "$v" != "$target" ]; do
	next=$(ls sql/$ext--"$v"--*.sql 2>/dev/null | sed "s/.*$ext--$v--\(.*\)\.sql/\1/" | sort -V | tail -1)
	[ -n "$next" ] || fail "no upgrade script from $v towards $target"
	chain+=("$next")
	v=$next
done

psql_q -d cw_upgrade_path >/dev/null <<SQL || fail "install $oldest and load data"
CREATE EXTENSION $ext VERSION '$oldest';
INSERT INTO churnwarn.customer (customer_id, name, tier) SELECT 'u' || i, 'Upgrade ' || i,
	(ARRAY['ordinary', 'important', 'core'])[1 + i % 3] FROM generate_series(1, 50) i;
SELECT churnwarn.report_signal('u' || i, (ARRAY['complaint', 'late_payment', 'order_cut', 'termination_notice'])[1 + i % 4],
	now() - interval '1 day', '{}', 'upgrade-test', 60) FROM generate_series(1, 50) i;
SQL
counts="SELECT (SELECT count(*) FROM churnwarn.customer) || '/' || (SELECT count(*) FROM churnwarn.signal) || '/' || (SELECT count(*) FROM churnwarn.warning) || '/' || (SELECT count(*) FROM churnwarn.grade_history)"
before=$(psql -X -Atc "$counts" -d cw_upgrade_path)
# the new library with the old SQL definitions
psql_q -d cw_upgrade_path -c "SELECT churnwarn.report_signal('u1', 'complaint')" >/dev/null ||
	fail "the new library does not work with the SQL of $oldest"
for ((i = 1; i < ${#chain[@]}; i++)); do
	psql_q -d cw_upgrade_path -c "ALTER EXTENSION $ext UPDATE TO '${chain[$i]}'" >/dev/null ||
		fail "ALTER EXTENSION UPDATE TO ${chain[$i]}"
	psql_q -d cw_upgrade_path -c "SELECT churnwarn.grade('u1')" >/dev/null || fail "grade() after update to ${chain[$i]}"
done
after=$(psql -X -Atc "$counts" -d cw_upgrade_path)
# one signal and its regrade were added by the library check
psql_q -d cw_upgrade_path -f test/upgrade/catalog.sql >"$OUT/path.catalog" || fail "catalog query"
pg_dump --schema-only -d cw_upgrade_path >"$OUT/path.dump" || fail "pg_dump"
status=0
if ! diff -u "$OUT/fresh.catalog" "$OUT/path.catalog" >"$OUT/catalog.diff"; then
	cat "$OUT/catalog.diff"
	status=1
fi
if ! diff -u <(grep -Ev '^(--|\\(un)?restrict )' "$OUT/fresh.dump") <(grep -Ev '^(--|\\(un)?restrict )' "$OUT/path.dump") >"$OUT/dump.diff"; then
	cat "$OUT/dump.diff"
	status=1
fi
b_cust=${before%%/*}
a_cust=${after%%/*}
[ "$b_cust" = "$a_cust" ] || { echo "customers before/after: $before $after"; status=1; }
psql_q -d postgres -c "DROP DATABASE cw_upgrade_fresh" -c "DROP DATABASE cw_upgrade_path" >/dev/null
if [ $status -eq 0 ]; then
	echo "upgrade path: PASSED (${chain[*]}: $((${#chain[@]} - 1)) updates, catalog ($nfresh rows) and pg_dump --schema-only equal to a fresh install, data kept: $after)"
else
	echo "upgrade path: FAILED (${chain[*]}: catalog or schema dump differs from a fresh install)"
fi
exit $status
