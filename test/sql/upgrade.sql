-- upgrade: in the style of pg_stat_statements' oldextversions.  Install
-- the oldest version, then update one version at a time; after each step
-- the version, and checks that stay true in every version (so this file's
-- output does not grow with the number of functions): every member
-- function and relation exists in schema churnwarn, no function that is
-- not allow-listed is executable by PUBLIC, SECURITY DEFINER functions pin
-- search_path, every dump registration names an existing table, and the
-- data loaded at the start is still there.  When an upgrade script is
-- added, add its ALTER EXTENSION ... UPDATE TO step below.
-- test/upgrade/run.sh compares the result with a fresh install.
SET client_min_messages = warning;
DROP EXTENSION churnwarn;
CREATE EXTENSION churnwarn VERSION '0.1.0';
INSERT INTO churnwarn.customer (customer_id, name) VALUES ('up1', 'Upgrade One');
SELECT churnwarn.report_signal('up1', 'termination_notice') > 0 AS reported;
CREATE FUNCTION pg_temp.state() RETURNS TABLE (version text, members_outside_schema bigint,
	public_executable bigint, definer_without_search_path bigint, dump_registrations_missing bigint,
	level_of_up1 int)
LANGUAGE sql AS $$
	WITH m AS (SELECT d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
		WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = 'churnwarn'),
	f AS (SELECT p.* FROM pg_proc p JOIN m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid)
	SELECT (SELECT extversion FROM pg_extension WHERE extname = 'churnwarn'),
		(SELECT count(*) FROM f WHERE pronamespace <> 'churnwarn'::regnamespace)
		+ (SELECT count(*) FROM pg_class c JOIN m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
		   WHERE c.relnamespace <> 'churnwarn'::regnamespace),
		(SELECT count(*) FROM f, aclexplode(coalesce(f.proacl, acldefault('f', f.proowner))) a
		 WHERE a.grantee = 0 AND f.proname NOT IN ('is_working_day', 'add_working_days', 'working_days_between',
			'is_restricted', 'is_masked', 'assigned_customers')),
		(SELECT count(*) FROM f WHERE prosecdef AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (proconfig), false)),
		(SELECT count(*) FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'churnwarn'
		 AND NOT EXISTS (SELECT FROM pg_class WHERE oid = c)),
		churnwarn.grade('up1')
$$;
SELECT * FROM pg_temp.state();
-- the update paths the installed scripts offer from the oldest version
SELECT target, path FROM pg_extension_update_paths('churnwarn')
WHERE source = '0.1.0' AND path IS NOT NULL ORDER BY target;
-- later versions: ALTER EXTENSION churnwarn UPDATE TO '<next>';
-- SELECT * FROM pg_temp.state();
ALTER EXTENSION churnwarn UPDATE;
SELECT * FROM pg_temp.state();
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'churnwarn') AS at_default_version
FROM pg_extension WHERE extname = 'churnwarn';
DROP EXTENSION churnwarn;
CREATE EXTENSION churnwarn;
