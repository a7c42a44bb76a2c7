-- privileges_tap: the privilege matrix of churnwarn's roles, in pgTAP:
-- each role x each table, view and sequence x each action, and each role x
-- each function, against the policy written out below (not read back from
-- setup_roles).  Each test lists the objects that break the policy.
\set QUIET on
\pset format unaligned
\pset tuples_only on
\set ON_ERROR_ROLLBACK 1
\set ON_ERROR_STOP true
BEGIN;
CREATE EXTENSION pgtap;
SELECT churnwarn.setup_roles() IS NOT NULL;
SELECT plan(30);

-- the objects, classified
CREATE TEMP TABLE obj AS
SELECT c.oid::regclass AS rel, c.relname::text AS name, c.relkind,
	EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'customer_id'
		AND NOT a.attisdropped) AS keyed
FROM pg_class c WHERE c.relnamespace = 'churnwarn'::regnamespace AND c.relkind IN ('r', 'v');
-- logs and access control: nobody edits them through privileges
CREATE TEMP TABLE protected (name text);
INSERT INTO protected VALUES ('audit_log'), ('audit_chain'), ('access_register'), ('mask_key');
-- written once by triggers and workflow steps, never updated by staff
CREATE TEMP TABLE append_only (name text);
INSERT INTO append_only VALUES ('warning_event'), ('grade_history'), ('warning_assessment'),
	('warning_approval'), ('warning_progress'), ('warning_communication'), ('warning_evaluation'),
	('warning_postmortem');
CREATE TEMP TABLE bi_views (name text);
INSERT INTO bi_views VALUES ('customer_risk'), ('period_review'), ('assessment'), ('incentive_stats'),
	('period_corrections'), ('tracking_ledger');

-- the policy: may role r do action a on object o?
CREATE FUNCTION pg_temp.allowed(r text, o obj, a text) RETURNS boolean LANGUAGE sql AS $$
	SELECT CASE r
	WHEN 'churnwarn_admin' THEN
		CASE WHEN o.name = 'mask_key' THEN false
			WHEN a = 'SELECT' THEN true
			ELSE o.relkind = 'r' AND o.name NOT IN (SELECT name FROM protected) END
	WHEN 'churnwarn_staff' THEN
		CASE WHEN o.name IN (SELECT name FROM protected) THEN false
			WHEN a = 'SELECT' THEN true
			WHEN o.relkind <> 'r' OR NOT o.keyed OR o.name = 'partner_assignment' THEN false
			WHEN a = 'INSERT' THEN true
			WHEN a = 'UPDATE' THEN o.name NOT IN (SELECT name FROM append_only)
			ELSE false END
	WHEN 'churnwarn_auditor' THEN a = 'SELECT' AND o.name <> 'mask_key'
	WHEN 'churnwarn_partner' THEN a = 'SELECT' AND o.name IN ('customer_risk', 'partner_assignment')
	WHEN 'churnwarn_bi' THEN a = 'SELECT' AND (o.name IN (SELECT name FROM bi_views) OR o.name = 'calendar')
	END
$$;

SELECT is_empty(format($q$
	SELECT o.name FROM obj o
	WHERE has_table_privilege(%L, o.rel, %L) IS DISTINCT FROM pg_temp.allowed(%L, o, %L)
	ORDER BY 1 $q$, r, a, r, a),
	format('%s: %s exactly where the policy allows it', r, a))
FROM unnest(ARRAY['churnwarn_admin', 'churnwarn_staff', 'churnwarn_auditor', 'churnwarn_partner',
	'churnwarn_bi']) AS r,
	unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS a;

-- partners read the customer-keyed data tables, but never a personal column
SELECT is_empty($q$
	SELECT o.name FROM obj o
	WHERE o.relkind = 'r' AND o.keyed AND o.name NOT IN (SELECT name FROM protected)
		AND NOT has_any_column_privilege('churnwarn_partner', o.rel, 'SELECT') ORDER BY 1 $q$,
	'churnwarn_partner: reads every customer-keyed data table (its rows, by row-level security)');
SELECT is_empty($q$
	SELECT p.table_name || '.' || p.column_name FROM churnwarn.personal_column p
	WHERE has_column_privilege('churnwarn_partner', ('churnwarn.' || p.table_name)::regclass, p.column_name, 'SELECT')
	ORDER BY 1 $q$,
	'churnwarn_partner: no personal column is readable');

-- functions
CREATE TEMP TABLE fn AS
SELECT p.oid::regprocedure AS f, p.proname::text AS name, p.provolatile,
	p.prorettype = 'trigger'::regtype AS is_trigger
FROM pg_proc p WHERE p.pronamespace = 'churnwarn'::regnamespace;
CREATE FUNCTION pg_temp.may_execute(r text, f fn) RETURNS boolean LANGUAGE sql AS $$
	SELECT CASE
	WHEN f.is_trigger OR f.name IN ('setup_roles', 'apply_row_security', 'audit_erase', 'audit_table',
		'unaudit_table', 'pseudonymize', 'erase_value', 'mask_row', 'personal_columns') THEN false
	-- called inside views and policies, and the read-only working-day
	-- arithmetic every role (PUBLIC) may run
	WHEN f.name IN ('mask_personal', 'is_masked', 'is_restricted', 'personal', 'assigned_customers',
		'is_working_day', 'add_working_days', 'working_days_between') THEN true
	WHEN r = 'churnwarn_admin' THEN true
	WHEN r = 'churnwarn_staff' THEN f.name NOT IN ('use_scheme', 'load_calendar', 'close_period', 'forget',
		'purge_expired', 'verify_audit', 'watch', 'unwatch', 'add_rule', 'check_older_than', 'tick')
	WHEN r = 'churnwarn_auditor' THEN f.provolatile <> 'v' OR f.name = 'dossier'
	WHEN r = 'churnwarn_partner' THEN f.name = 'dossier'
	WHEN r = 'churnwarn_bi' THEN f.name IN ('now', 'periods_of', 'period_bounds')
	END
$$;
SELECT is_empty(format($q$
	SELECT x.f::text FROM fn x
	WHERE has_function_privilege(%L, x.f, 'EXECUTE') IS DISTINCT FROM pg_temp.may_execute(%L, x)
	ORDER BY 1 $q$, r, r),
	format('%s: EXECUTE exactly where the policy allows it', r))
FROM unnest(ARRAY['churnwarn_admin', 'churnwarn_staff', 'churnwarn_auditor', 'churnwarn_partner',
	'churnwarn_bi']) AS r;

-- the writing functions reach nobody outside churnwarn's roles
SELECT is_empty($q$
	SELECT f.f::text FROM fn f
	WHERE f.provolatile = 'v' AND has_function_privilege('public', f.f, 'EXECUTE') ORDER BY 1 $q$,
	'PUBLIC executes no writing function');
-- the auditor writes nothing: no sequence usage either
SELECT is_empty($q$
	SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'churnwarn'::regnamespace AND c.relkind = 'S'
		AND CASE WHEN c.relkind = 'S' THEN has_sequence_privilege('churnwarn_auditor', c.oid, 'USAGE') END ORDER BY 1 $q$,
	'churnwarn_auditor: uses no sequence');
-- setup_roles is idempotent: a second run changes no privilege
CREATE TEMP TABLE acl_before AS SELECT oid, relacl::text FROM pg_class WHERE relnamespace = 'churnwarn'::regnamespace;
SELECT churnwarn.setup_roles() IS NOT NULL;
SELECT is_empty($q$
	SELECT c.relname FROM pg_class c JOIN acl_before b ON b.oid = c.oid
	WHERE c.relacl::text IS DISTINCT FROM b.relacl ORDER BY 1 $q$,
	'setup_roles run twice grants the same privileges');

SELECT * FROM finish();
ROLLBACK;
