#!/bin/bash
# test/cron/run.sh [PG_CONFIG] - the README's pg_cron recipe, proven.
#
# Installs Debian's postgresql-15-cron if it is missing, copies pg_cron into
# the private PostgreSQL copy that PG_CONFIG belongs to (tools/lib.sh's
# cw_private_pg copies /usr/lib/postgresql/15 and /usr/share/postgresql/15,
# perhaps before pg_cron was installed), starts a second throwaway cluster
# with shared_preload_libraries = 'pg_cron', schedules churnwarn.tick()
# every minute exactly as the README says, and waits (up to 90 s: the
# package's pg_cron 1.4 schedules by the minute) until
# cron.job_run_details shows a successful run that recorded the overdue
# deadline prepared for it.  Called by tools/test.sh (CW_CRON=0 skips it);
# churnwarn must already be built and installed into PG_CONFIG's copy.
source "$(dirname "$0")/../../tools/lib.sh"

PGC=${1:-$(command -v pg_config)}
cw_ensure_packages postgresql-15-cron
# pg_cron's files, into the private copy (a no-op for the system's own)
pkglibdir=$($PGC --pkglibdir)
extdir=$($PGC --sharedir)/extension
if [ "$pkglibdir" != /usr/lib/postgresql/15/lib ]; then
	dpkg -L postgresql-15-cron | while read -r f; do
		case "$f" in
		/usr/lib/postgresql/15/lib/*.so) cp -a "$f" "$pkglibdir/" ;;
		/usr/share/postgresql/15/extension/pg_cron*) cp -a "$f" "$extdir/" ;;
		esac
	done
fi

CRONWORK=$(mktemp -d /tmp/churnwarn-cron.XXXXXX)
chmod 755 "$CRONWORK"
trap 'cw_stop_cluster; rm -rf "$CRONWORK"' EXIT
cw_start_cluster "$PGC" "$CRONWORK/cluster" "$(cw_free_port 56432)" \
	"shared_preload_libraries = 'pg_cron'" \
	"cron.database_name = 'postgres'" \
	"cron.use_background_workers = on" \
	"max_worker_processes = 16"
PSQL="psql -X -q -v ON_ERROR_STOP=1"

cw_log "pg_cron: scheduling churnwarn.tick() every minute"
$PSQL -d postgres -c "CREATE DATABASE crm"
$PSQL -d crm <<'SQL'
CREATE EXTENSION churnwarn;
-- a warning whose assessment deadline has passed, for tick to find
INSERT INTO churnwarn.customer (customer_id, name) VALUES ('cron1', 'Cron Customer');
SELECT churnwarn.report_signal('cron1', 'complaint') > 0 AS reported;
UPDATE churnwarn.warning SET assess_due = now() - interval '1 hour' WHERE customer_id = 'cron1';
SQL
# The recipe (README "Scheduling tick with pg_cron"), verbatim:
$PSQL -d postgres <<'SQL'
CREATE EXTENSION pg_cron;
SELECT cron.schedule_in_database('churnwarn-tick', '* * * * *',
	'SELECT churnwarn.tick()', 'crm');
SQL

status=1
for _ in $(seq 1 90); do
	ran=$($PSQL -At -d postgres -c "SELECT count(*) FROM cron.job_run_details d
		JOIN cron.job j USING (jobid) WHERE j.jobname = 'churnwarn-tick' AND d.status = 'succeeded'")
	if [ "$ran" -gt 0 ]; then
		status=0
		break
	fi
	sleep 1
done
$PSQL -d postgres -c "SELECT j.jobname, d.status, d.return_message, d.end_time IS NOT NULL AS finished
	FROM cron.job_run_details d JOIN cron.job j USING (jobid) ORDER BY d.runid LIMIT 3"
if [ $status -eq 0 ]; then
	overdue=$($PSQL -At -d crm -c "SELECT count(*) FROM churnwarn.warning_event
		WHERE event = 'overdue' AND detail->>'deadline' = 'assess'")
	if [ "$overdue" != 1 ]; then
		echo "pg_cron ran tick, but it recorded $overdue overdue assessment events instead of 1" >&2
		status=1
	fi
fi
if [ $status -eq 0 ]; then
	echo "pg_cron recipe: tick ran from pg_cron and recorded the missed deadline: ok"
else
	echo "pg_cron recipe: FAILED" >&2
	tail -n 30 "$CRONWORK/cluster/server.log" >&2 || true
fi
exit $status
