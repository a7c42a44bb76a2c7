#!/bin/bash
# tools/test.sh - the whole test suite, from a fresh Debian 12 machine.
#
# Installs what is missing, builds with warnings as errors into a private
# copy of PostgreSQL 15 (the system's extension directory is not touched),
# starts a throwaway cluster as the postgres OS user and runs pg_regress
# (including the pgTAP files) and the isolation specs, then the upgrade
# path (test/upgrade/run.sh), crash safety (test/crash/run.sh) and sqlsmith
# (test/sqlsmith/run.sh), the pg_cron
# recipe (test/cron/run.sh; CW_CRON=0 skips it) and the dump and restore
# round trip (test/dump/run.sh; CW_DUMP=no skips it).  Prints every summary and, on failure,
# regression.diffs.  Exit status 0 only if all pass.
#   CW_TESTS="install hijack uninstall"  a subset of the regress tests
#   CW_SPECS=""                          no isolation specs
#   CW_EXTRA="crash"                     which extra scripts (all by default,
#                                        none when CW_TESTS is set)
#   CW_SQLSMITH=0                        skip sqlsmith
#   CW_CRASH_CYCLES, CW_SQLSMITH_QUERIES, CW_SQLSMITH_SECONDS: sizes
source "$(dirname "$0")/lib.sh"

cw_ensure_packages
WORK=$(mktemp -d /tmp/churnwarn-test.XXXXXX)
chmod 755 "$WORK"
trap 'cw_stop_cluster; rm -rf "$WORK"' EXIT
PGC=$(cw_private_pg "$WORK/pg")
cw_build "$PGC"
# Tests grade at the current date, and deadlines will run past the last
# year of the shipped holiday data; the warning that says so is tested in
# calendar.sql and would otherwise appear wherever a deadline is computed.
cw_start_cluster "$PGC" "$WORK/cluster" "$(cw_free_port 55432)" \
	"churnwarn.calendar_coverage_warning = off"

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
# the README's pg_cron recipe in a second cluster that preloads pg_cron
# (about a minute: pg_cron 1.4 schedules by the minute); CW_CRON=0 skips it
if [ "${CW_CRON:-1}" != 0 ]; then
	cw_log "pg_cron recipe (test/cron/run.sh)"
	"$CW_ROOT/test/cron/run.sh" "$PGC" || status=$?
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
[ -s results/fuzz_args.slowest ] && cat results/fuzz_args.slowest

# The scripts beyond pg_regress and isolation (issue 8), each printing one
# summary line: the upgrade path against this cluster, crash safety and
# sqlsmith in throwaway clusters of their own.  All run by default; with
# CW_TESTS set (a subset of the regress tests) only those named in
# CW_EXTRA do.  CW_SQLSMITH=0 skips sqlsmith.
if [ -n "${CW_TESTS:-}" ]; then
	extra=${CW_EXTRA:-}
else
	extra=${CW_EXTRA-upgrade crash sqlsmith}
fi
[ "${CW_SQLSMITH:-1}" = 0 ] && extra=${extra//sqlsmith/}
for x in $extra; do
	cw_log "$x"
	case $x in
	upgrade) test/upgrade/run.sh || status=1 ;;
	crash) test/crash/run.sh "$PGC" || status=1 ;;
	sqlsmith) test/sqlsmith/run.sh "$PGC" || status=1 ;;
	*) echo "unknown CW_EXTRA entry $x" && status=1 ;;
	esac
done
if [ $status -eq 0 ]; then
	echo "churnwarn test suite: ALL PASSED"
else
	echo "churnwarn test suite: FAILED"
	tail -n 30 "$WORK/cluster/server.log" || true
fi
exit $status
