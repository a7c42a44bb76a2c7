#!/bin/bash
# tools/test.sh - the whole test suite, from a fresh Debian 12 machine.
#
# Installs what is missing, builds with warnings as errors into a private
# copy of PostgreSQL 15 (the system's extension directory is not touched),
# starts a throwaway cluster as the postgres OS user and runs pg_regress
# (including the pgTAP files), the isolation specs and the dump and restore
# round trip (test/dump/run.sh).  Prints every
# summary and, on failure, regression.diffs.  Exit status 0 only if all pass.
source "$(dirname "$0")/lib.sh"

cw_ensure_packages
WORK=$(mktemp -d /tmp/churnwarn-test.XXXXXX)
chmod 755 "$WORK"
trap 'cw_stop_cluster; rm -rf "$WORK"' EXIT
PGC=$(cw_private_pg "$WORK/pg")
cw_build "$PGC"
cw_start_cluster "$PGC" "$WORK/cluster" "$(cw_free_port 55432)"

status=0
cd "$CW_ROOT"
rm -rf results output_iso regression.diffs regression.out
cw_log "pg_regress and isolation tests"
# regress and isolation run separately so that a failure in one still
# reports the other
make -s PG_CONFIG="$PGC" installcheck ISOLATION= ${CW_TESTS:+REGRESS="$CW_TESTS"} || status=$?
if [ "${CW_SPECS-unset}" != "" ]; then
	make -s PG_CONFIG="$PGC" installcheck REGRESS= ${CW_SPECS:+ISOLATION="$CW_SPECS"} || status=$?
fi
# dump and restore round trip (CW_DUMP=no skips it)
if [ "${CW_DUMP-yes}" != no ]; then
	cw_log "dump and restore"
	"$CW_ROOT/test/dump/run.sh" "$CW_BINDIR" || status=$?
fi
for f in regression.diffs output_iso/regression.diffs; do
	if [ -s "$f" ]; then
		cw_log "$f"
		cat "$f"
	fi
done
if [ $status -eq 0 ]; then
	echo "churnwarn test suite: ALL PASSED"
else
	echo "churnwarn test suite: FAILED"
	tail -n 30 "$WORK/cluster/server.log" || true
fi
exit $status
