-- schema_tap: pgTAP checks of the schema shape, privileges and dump registration
\set QUIET on
\pset format unaligned
\pset tuples_only on
\set ON_ERROR_ROLLBACK 1
\set ON_ERROR_STOP true
BEGIN;
CREATE EXTENSION pgtap;
SELECT plan(76);

SELECT has_schema('churnwarn');
SELECT has_table('churnwarn', t, 'table churnwarn.' || t || ' exists') FROM unnest(ARRAY['calendar', 'calendar_day',
	'severity', 'scheme', 'scheme_level', 'tier', 'signal_type', 'settings', 'customer', 'customer_grade',
	'signal', 'warning', 'warning_event', 'grade_history', 'audit_log', 'watched_table',
	'watched_attribute', 'watch_rule', 'level_workflow', 'level_approver', 'cause',
	'warning_assessment', 'warning_approval', 'warning_plan', 'warning_progress',
	'warning_communication', 'warning_evaluation', 'warning_revisit', 'warning_postmortem']) AS t;
SELECT has_view('churnwarn', v, 'view churnwarn.' || v || ' exists') FROM unnest(ARRAY['customer_risk',
	'period_review', 'assessment', 'incentive_stats', 'tracking_ledger']) AS v;
SELECT has_function('churnwarn', 'report_signal',
	ARRAY['text', 'text', 'timestamp with time zone', 'jsonb', 'text', 'numeric']);
SELECT has_function('churnwarn', 'resolve_signal', ARRAY['bigint', 'text']);
SELECT has_function('churnwarn', 'withdraw_signal', ARRAY['bigint', 'text']);
SELECT has_function('churnwarn', 'grade', ARRAY['text']);
SELECT has_function('churnwarn', 'explain', ARRAY['text']);
SELECT has_function('churnwarn', 'use_scheme', ARRAY['text']);
SELECT function_returns('churnwarn', 'report_signal',
	ARRAY['text', 'text', 'timestamp with time zone', 'jsonb', 'text', 'numeric'], 'bigint');
SELECT volatility_is('churnwarn', 'grade', ARRAY['text'], 'stable');
SELECT volatility_is('churnwarn', 'explain', ARRAY['text'], 'stable');
SELECT volatility_is('churnwarn', 'report_signal',
	ARRAY['text', 'text', 'timestamp with time zone', 'jsonb', 'text', 'numeric'], 'volatile');
SELECT col_is_pk('churnwarn', 'customer', 'customer_id', 'customer_id is the primary key of customer');
SELECT col_type_is('churnwarn', 'customer', 'customer_id', 'text', 'customer keys are text');
SELECT col_type_is('churnwarn', 'signal', 'detail', 'jsonb', 'signal detail is jsonb');
SELECT has_index('churnwarn', 'warning', 'warning_one_open_idx', 'customer_id', 'one open warning per customer is indexed');
SELECT index_is_unique('churnwarn', 'warning', 'warning_one_open_idx');
SELECT has_index('churnwarn', 'audit_log', 'audit_log_chain_idx', 'customer_id',
	'a customer''s audit rows are indexed');
SELECT index_is_type('churnwarn', 'audit_log', 'audit_log_chain_idx', 'btree',
	'by a btree on the key alone (deduplicated; NULL, the configuration chain, included)');

SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'churnwarn'), false,
	'the extension is not relocatable');
SELECT is((SELECT trusted FROM pg_available_extension_versions
	WHERE name = 'churnwarn' AND version = '0.1.0'), false, 'the extension is not trusted');
SELECT is_empty($$
	SELECT p.proname FROM pg_proc p
	WHERE p.pronamespace = 'churnwarn'::regnamespace AND p.prosecdef
		AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')
$$, 'every SECURITY DEFINER function pins its search_path');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'churnwarn'::regnamespace
		AND has_function_privilege('public', p.oid, 'EXECUTE')
		AND p.proname NOT IN ('is_working_day', 'add_working_days', 'working_days_between',
			'is_restricted', 'is_masked', 'assigned_customers')
$$, 'PUBLIC may execute no churnwarn function but the read-only calendar arithmetic and the reader tests of the row-level security policies');
SELECT is_empty($$
	SELECT c.relname FROM pg_class c
	WHERE c.relnamespace = 'churnwarn'::regnamespace AND c.relkind IN ('r', 'v', 'S')
		AND (has_table_privilege('public', c.oid, 'SELECT')
			OR has_table_privilege('public', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE'))
$$, 'PUBLIC has no privilege on any churnwarn table, view or sequence');
SELECT is_empty($$
	SELECT c.relname FROM pg_class c
	WHERE c.relnamespace = 'churnwarn'::regnamespace AND c.relkind IN ('r', 'S')
		AND c.oid <> ALL ((SELECT extconfig FROM pg_extension WHERE extname = 'churnwarn')::oid[])
$$, 'every table and sequence of churnwarn is dumped by pg_dump');
SELECT is_empty($$
	SELECT c.relname || '.' || a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
	WHERE c.relnamespace = 'churnwarn'::regnamespace AND c.relkind IN ('r', 'v')
		AND a.attnum > 0 AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NULL
$$, 'every column of every table and view has a comment');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'churnwarn'::regnamespace
		AND obj_description(p.oid, 'pg_proc') IS NULL
$$, 'every function has a comment');
SELECT ok((SELECT 'security_barrier=true' = ANY (reloptions)
		AND NOT COALESCE('security_invoker=true' = ANY (reloptions), false) FROM pg_class
	WHERE oid = 'churnwarn.customer_risk'::regclass),
	'customer_risk runs with its owner''s rights behind a security barrier (it restricts and masks itself)');
-- the workflow contract
SELECT has_function('churnwarn', 'assess', ARRAY['bigint', 'integer', 'text', 'text']);
SELECT has_function('churnwarn', 'assess', ARRAY['bigint', 'integer', 'text', 'text', 'text']);
SELECT has_function('churnwarn', 'approve', ARRAY['bigint', 'text', 'text']);
SELECT function_returns('churnwarn', 'issue', ARRAY['bigint', 'text', 'text'], 'jsonb');
SELECT function_returns('churnwarn', 'submit_plan', ARRAY['bigint', 'jsonb'], 'integer');
SELECT has_function('churnwarn', 'approve_plan', ARRAY['bigint', 'text']);
SELECT has_function('churnwarn', 'record_progress', ARRAY['bigint', 'text', 'text']);
SELECT has_function('churnwarn', 'record_communication', ARRAY['bigint', 'text', 'text[]', 'text', 'text']);
SELECT has_function('churnwarn', 'evaluate', ARRAY['bigint', 'text', 'text', 'text']);
SELECT has_function('churnwarn', 'record_postmortem', ARRAY['bigint', 'text', 'text', 'text']);
SELECT function_returns('churnwarn', 'tick', ARRAY['timestamp with time zone'], 'jsonb');
SELECT volatility_is('churnwarn', 'now', ARRAY[]::text[], 'stable');
SELECT has_function('churnwarn', 'regrade', ARRAY['text', 'timestamp with time zone']);
SELECT ok((SELECT NOT COALESCE('security_invoker=true' = ANY (reloptions), false) FROM pg_class
	WHERE oid = 'churnwarn.tracking_ledger'::regclass), 'tracking_ledger runs with its owner''s rights (it masks itself) for BI');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'churnwarn'::regnamespace AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
		AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c = 'search_path=pg_catalog, pg_temp')
$$, 'every PL/pgSQL function pins search_path = pg_catalog, pg_temp');

SELECT * FROM finish();
ROLLBACK;
