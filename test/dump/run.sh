#!/bin/bash
# test/dump/run.sh BINDIR - dump and restore round trip of a database using
# churnwarn, in pg_dump's custom and plain formats.
#
# Runs against the cluster named by PGHOST, PGPORT and PGUSER (a superuser),
# with the client programs of BINDIR.  Builds a source database (signals,
# warnings, edited shipped configuration rows, a user calendar day, a
# registry row of our own, partner assignments, dossier reads, an erasure,
# the audit rows of all that), dumps it in both formats, restores each into
# a fresh database the way README ("Dump and restore") says, and checks:
# every churnwarn table holds the same rows (so nothing shipped is
# duplicated, no edit is lost and no trigger fired during the restore: no
# extra audit, grade_history or warning rows), verify_audit() passes on the
# copy, the sequences continue, and the privileges and policies of
# setup_roles() are back.  Prints one summary line; exit status 0 only if
# both formats pass.
set -euo pipefail

BIN=${1:?usage: test/dump/run.sh BINDIR}
WORK=$(mktemp -d /tmp/churnwarn-dump.XXXXXX)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
SRC=cw_dump_src
PSQL=("$BIN/psql" -X -q -v ON_ERROR_STOP=1 --no-psqlrc)
failures=()

fail() {
	failures+=("$1")
	echo "dump/restore: $1" >&2
}

for db in $SRC cw_dump_custom cw_dump_plain; do
	"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
done
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $SRC" >/dev/null

# The source database.
"${PSQL[@]}" -d $SRC >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION churnwarn;
SELECT churnwarn.setup_roles();
DO $$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_dump_partner') THEN
		CREATE ROLE regress_dump_partner NOLOGIN IN ROLE churnwarn_partner;
	END IF;
END $$;
SET churnwarn.actor = 'dump.test';
-- edited shipped configuration rows
UPDATE churnwarn.signal_type SET weight = 7 WHERE code = 'complaint';
SELECT churnwarn.use_scheme('four_level');
-- a user calendar day and a calendar of our own
SELECT churnwarn.load_calendar('CN', '[{"date": "2026-12-31", "type": "public_holiday", "name": "dump test"}]');
SELECT churnwarn.load_calendar('XX', '[{"date": "2026-05-01", "type": "public_holiday"}]', 'UTC');
-- a registry row of our own
INSERT INTO churnwarn.personal_column (table_name, column_name, how) VALUES ('customer', 'region', 'redact');
INSERT INTO churnwarn.department VALUES ('sales', 'Sales', '销售部', 'head.sales');
INSERT INTO churnwarn.customer (customer_id, name, contact, owner, tier, department) VALUES
	('d1', 'Dump One', 'one@example.com', 'owner.one', 'ordinary', 'sales'),
	('d2', 'Dump Two', 'two@example.com', 'owner.two', 'core', 'sales'),
	('d3', 'Dump Three', 'three@example.com', 'owner.one', 'important', 'sales');
SELECT churnwarn.report_signal('d1', 'complaint', now(), '{"note": "x"}', 'rep.one');
SELECT churnwarn.report_signal('d1', 'competitor_deal', now(), '{}', 'rep.one');
SELECT churnwarn.report_signal('d2', 'termination_notice', now(), '{}', 'rep.two');
SELECT churnwarn.report_signal('d3', 'late_payment', now(), '{}', 'rep.two');
SELECT churnwarn.resolve_signal(4, 'paid');
INSERT INTO churnwarn.partner_assignment (partner, customer_id) VALUES ('regress_dump_partner', 'd1');
SELECT churnwarn.dossier('d1', 'dump test') IS NOT NULL;
SELECT churnwarn.forget('d3', 'dump test erasure');
-- watched tables: a customer master with rules, a partitioned table; their
-- watch triggers list columns (UPDATE OF), which a restore must keep
-- without the column dependencies PostgreSQL records for a restored list
CREATE TABLE public.dump_crm (id text PRIMARY KEY, company text, state text, revenue integer, notes text);
INSERT INTO public.dump_crm VALUES ('d1', 'Dump One', 'active', 100, 'n');
SELECT churnwarn.watch('public.dump_crm', 'id', '{"name": "company"}');
SELECT churnwarn.add_rule('public.dump_crm', 'state', 'equals', 'lost', 'competitor_deal');
SELECT churnwarn.add_rule('public.dump_crm', 'revenue', 'drop_pct', '50', 'order_cut');
CREATE TABLE public.dump_pay (customer text, region text, overdue numeric) PARTITION BY LIST (region);
CREATE TABLE public.dump_pay_eu PARTITION OF public.dump_pay FOR VALUES IN ('EU');
SELECT churnwarn.watch('public.dump_pay', 'customer');
SELECT churnwarn.add_rule('public.dump_pay', 'overdue', 'above', '1000', 'late_payment');
-- the registry changed: setup_roles() again withholds the new column from partners
SELECT churnwarn.setup_roles();
SQL

# What must survive: every churnwarn table's row count and content digest,
# the sequences, the privileges and policies, the configuration edits.
state() {
	"${PSQL[@]}" -d "$1" -At <<'SQL'
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.table_state(rel regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
	digest text;
BEGIN
	EXECUTE format('SELECT count(*), md5(COALESCE(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %s t', rel)
		INTO n, digest;
	RETURN n || ' ' || digest;
END
$$;
SELECT 'table ' || c.relname || ' ' || pg_temp.table_state(c.oid)
FROM pg_class c WHERE c.relnamespace = 'churnwarn'::regnamespace AND c.relkind = 'r'
	AND c.relname <> 'mask_key'
ORDER BY c.relname;
SELECT 'mask_key rows ' || count(*) FROM churnwarn.mask_key;
SELECT 'sequence ' || sequencename || ' ' || COALESCE(last_value, 0)
FROM pg_sequences WHERE schemaname = 'churnwarn' ORDER BY 1;
SELECT 'acl ' || c.relname || ' ' || COALESCE(c.relacl::text, '') || ' rls ' || c.relrowsecurity || ' ' || c.relforcerowsecurity
FROM pg_class c WHERE c.relnamespace = 'churnwarn'::regnamespace ORDER BY c.relname;
SELECT 'column acl ' || a.attrelid::regclass || '.' || a.attname || ' ' || a.attacl::text
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = 'churnwarn'::regnamespace AND a.attacl IS NOT NULL ORDER BY 1;
SELECT 'function acl ' || p.oid::regprocedure || ' ' || COALESCE(p.proacl::text, '')
FROM pg_proc p WHERE p.pronamespace = 'churnwarn'::regnamespace ORDER BY 1;
SELECT 'policy ' || p.polrelid::regclass || ' ' || p.polname || ' ' || p.polpermissive || ' '
	|| p.polroles::regrole[]::text || ' ' || COALESCE(pg_get_expr(p.polqual, p.polrelid), '')
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
WHERE c.relnamespace = 'churnwarn'::regnamespace ORDER BY 1;
SELECT 'shipped duplicates ' || count(*) FROM (
	SELECT code FROM churnwarn.signal_type GROUP BY code HAVING count(*) > 1
	UNION ALL SELECT scheme FROM churnwarn.scheme GROUP BY scheme HAVING count(*) > 1
	UNION ALL SELECT id::text FROM churnwarn.settings GROUP BY id HAVING count(*) > 1) x;
SELECT 'edit complaint ' || weight || ' ' || shipped FROM churnwarn.signal_type WHERE code = 'complaint';
SELECT 'settings scheme ' || scheme FROM churnwarn.settings;
SELECT 'calendar day ' || calendar || ' ' || day || ' ' || kind || ' ' || shipped
FROM churnwarn.calendar_day WHERE NOT shipped ORDER BY 1;
SELECT 'verify_audit ' || ok || ' ' || checked FROM churnwarn.verify_audit();
SELECT 'trigger ' || c.relname || ' ' || pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgname LIKE 'churnwarn_watch%' ORDER BY 1;
SELECT 'watch triggers tied to the extension ' || count(*)
FROM pg_depend d JOIN pg_trigger t ON t.oid = d.objid
WHERE d.classid = 'pg_trigger'::regclass AND d.refclassid = 'pg_extension'::regclass
	AND t.tgname LIKE 'churnwarn_watch%';
SELECT 'watch trigger column dependencies ' || count(*)
FROM pg_depend d JOIN pg_trigger t ON t.oid = d.objid
WHERE d.classid = 'pg_trigger'::regclass AND d.refobjsubid > 0 AND t.tgname = 'churnwarn_watch';
SQL
}

state $SRC >"$WORK/src.state"
grep -q '^verify_audit true' "$WORK/src.state" || fail "verify_audit() fails on the source"

"$BIN/pg_dump" -Fc -f "$WORK/src.dump" $SRC
"$BIN/pg_dump" -Fp -f "$WORK/src.sql" $SRC

# The documented restore: into a new database, as a superuser, with
# session_replication_role = replica so that churnwarn's triggers do not
# fire on restored rows; then setup_roles() again.
restore() {
	local format=$1 db=cw_dump_$1
	"${PSQL[@]}" -d postgres -c "CREATE DATABASE $db" >/dev/null
	if [ "$format" = custom ]; then
		PGOPTIONS='-c session_replication_role=replica' \
			"$BIN/pg_restore" --exit-on-error -d $db "$WORK/src.dump" >"$WORK/$format.log" 2>&1 ||
			{ cat "$WORK/$format.log" >&2; return 1; }
	else
		PGOPTIONS='-c session_replication_role=replica' \
			"${PSQL[@]}" -d $db -f "$WORK/src.sql" >"$WORK/$format.log" 2>&1 ||
			{ cat "$WORK/$format.log" >&2; return 1; }
	fi
	"${PSQL[@]}" -d $db -c "SELECT churnwarn.setup_roles()" >/dev/null
}

for format in custom plain; do
	db=cw_dump_$format
	if ! restore $format; then
		fail "$format: restore failed"
		continue
	fi
	state $db >"$WORK/$format.state"
	if ! diff -u "$WORK/src.state" "$WORK/$format.state" >"$WORK/$format.diff"; then
		fail "$format: the copy differs from the source"
		cat "$WORK/$format.diff" >&2
	fi
	grep -q '^shipped duplicates 0$' "$WORK/$format.state" || fail "$format: shipped rows duplicated"
	grep -q '^edit complaint 7 false$' "$WORK/$format.state" || fail "$format: configuration edit lost"
	grep -q '^mask_key rows 1$' "$WORK/$format.state" || fail "$format: mask key not restored alone"
	grep -q '^verify_audit true' "$WORK/$format.state" || fail "$format: verify_audit() fails on the copy"
	# sequences continue: a new signal gets a higher id, and the chain
	# still verifies after new audit rows
	next=$("${PSQL[@]}" -d $db -At -c "SELECT churnwarn.report_signal('d1', 'cold_response')" | tail -n 1)
	max=$("${PSQL[@]}" -d $SRC -At -c "SELECT max(id) FROM churnwarn.signal")
	[ "$next" -gt "$max" ] || fail "$format: new signal id $next is not above $max"
	"${PSQL[@]}" -d $db -At -c "SELECT ok FROM churnwarn.verify_audit()" | grep -qx t ||
		fail "$format: verify_audit() fails after a new change"
	grep -q '^trigger dump_crm CREATE TRIGGER churnwarn_watch AFTER INSERT OR DELETE OR UPDATE OF id, company, state, revenue ' \
		"$WORK/$format.state" || fail "$format: the watch trigger's column list was not restored"
	grep -q '^watch trigger column dependencies 0$' "$WORK/$format.state" ||
		fail "$format: the restored watch triggers depend on their columns"
	# the restored watch trigger fires on its rule column, and a rule
	# column's type and existence may still change
	raised=$("${PSQL[@]}" -d $db -At <<'SQL' 2>&1 | tail -n 1
SET client_min_messages = warning;
UPDATE public.dump_crm SET state = 'lost' WHERE id = 'd1';
ALTER TABLE public.dump_crm ALTER COLUMN state TYPE varchar(40);
ALTER TABLE public.dump_crm DROP COLUMN revenue;
SELECT count(*) FROM churnwarn.signal WHERE customer_id = 'd1' AND signal_type = 'competitor_deal'
	AND source = 'rule';
SQL
	)
	[ "$raised" = 1 ] || fail "$format: the restored watch trigger: $raised"
done

for db in $SRC cw_dump_custom cw_dump_plain; do
	"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
done
"${PSQL[@]}" -d postgres -c "DROP ROLE IF EXISTS regress_dump_partner" >/dev/null

if [ ${#failures[@]} -eq 0 ]; then
	echo "dump/restore: PASSED (custom, plain)"
else
	echo "dump/restore: FAILED (${#failures[@]} problems)"
	exit 1
fi
