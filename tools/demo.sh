#!/bin/bash
# tools/demo.sh - the churnwarn demo, from a fresh Debian 12 machine.
#
# Installs what is missing, builds and installs churnwarn into the system's
# PostgreSQL 15, starts a throwaway cluster as the postgres OS user, loads a
# year of realistic data for both seed companies (robotics: three levels;
# agency: four levels) and prints what churnwarn shows a manager.
# DEMO_CUSTOMERS sets the number of customers per company (default 2000).
source "$(dirname "$0")/lib.sh"

cw_ensure_packages
cw_build "$(command -v pg_config)"
WORK=$(mktemp -d /tmp/churnwarn-demo.XXXXXX)
chmod 755 "$WORK"
trap 'cw_stop_cluster; rm -rf "$WORK"' EXIT
cw_start_cluster "$(command -v pg_config)" "$WORK/cluster" "$(cw_free_port 55433)"
N=${DEMO_CUSTOMERS:-2000}
PSQL="psql -X -q -v ON_ERROR_STOP=1"

# the two companies load side by side (one core each)
pids=""
for company in robotics agency; do
	cw_log "replaying a year for $company ($N customers)"
	(
		$PSQL -d postgres -c "CREATE DATABASE $company"
		$PSQL -d "$company" -c "CREATE EXTENSION churnwarn"
		$PSQL -d "$company" -v company="$company" -v customers="$N" -f "$CW_ROOT/demo/generate.sql"
		$PSQL -d "$company" -c "ANALYZE"
	) &
	pids="$pids $!"
done
for pid in $pids; do
	wait "$pid"
done

for company in robotics agency; do
	"$CW_ROOT/demo/show.sh" "$company"
done
