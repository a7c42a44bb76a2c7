-- lint: catalog rules every churnwarn object must follow, checked on the
-- installed extension's members (pg_depend deptype 'e'), so functions,
-- tables and views added later are checked without editing this file.
-- Each row is one rule: the number of offenders and their list, which must
-- be 0 and empty.  To exempt an object, add it to the allow-list of the
-- rule with a comment saying why.
\pset null '(null)'
CREATE TEMP VIEW cw_member AS
SELECT d.classid, d.objid
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
	AND e.extname = 'churnwarn';
CREATE TEMP VIEW cw_proc AS
SELECT p.*, p.oid::regprocedure::text AS sig
FROM pg_proc p JOIN cw_member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid;
CREATE TEMP VIEW cw_class AS
SELECT c.*, c.oid::regclass::text AS qname
FROM pg_class c JOIN cw_member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid;

-- The read-only calendar arithmetic may be executed by anyone.
CREATE TEMP TABLE public_ok (sig text PRIMARY KEY);
INSERT INTO public_ok VALUES
	('churnwarn.is_working_day(date,text)'),
	('churnwarn.add_working_days(timestamp with time zone,integer,text)'),
	('churnwarn.working_days_between(timestamp with time zone,timestamp with time zone,text)'),
	-- called by the row-level security policies as whoever reads a table
	('churnwarn.is_restricted(name)'), ('churnwarn.is_masked(name)'),
	('churnwarn.assigned_customers()');
-- Configuration tables: no customer_id column (reference tables on Citus).
CREATE TEMP TABLE config_tables (qname text PRIMARY KEY);
INSERT INTO config_tables VALUES
	('churnwarn.severity'), ('churnwarn.scheme'), ('churnwarn.scheme_level'),
	('churnwarn.tier'), ('churnwarn.signal_type'), ('churnwarn.settings'),
	('churnwarn.calendar'), ('churnwarn.calendar_day'),
	('churnwarn.department'), ('churnwarn.churn_target'), ('churnwarn.incentive_rule'),
	('churnwarn.level_workflow'), ('churnwarn.level_approver'), ('churnwarn.cause'),
	('churnwarn.watched_table'), ('churnwarn.watched_attribute'), ('churnwarn.watch_rule'),
	-- signed period reports: per department and person, not per customer
	('churnwarn.period_close'), ('churnwarn.period_review_snapshot'),
	('churnwarn.assessment_snapshot'), ('churnwarn.incentive_stats_snapshot'),
	-- the period calendar of the reviews
	('churnwarn.period'),
	-- the pseudonym secret and the registry of personal columns
	('churnwarn.mask_key'), ('churnwarn.personal_column');
-- Views that deliberately run with their owner's rights: the BI views mask
-- personal columns themselves, and customer_risk (behind a security
-- barrier) also applies the partner restriction itself, so roles without
-- table privileges (BI, partners) can read them (see 90_security.sql).
CREATE TEMP TABLE definer_views (qname text PRIMARY KEY);
INSERT INTO definer_views
SELECT 'churnwarn.' || v FROM unnest(ARRAY['customer_risk', 'period_review', 'period_review_live',
	'assessment', 'assessment_live', 'incentive_stats', 'incentive_stats_live', 'incentive_items',
	'period_corrections', 'warning_facts', 'review_items', 'customer_loss', 'period_customer_base',
	'tracking_ledger']) AS v;
-- Tables that hold no user data and need not be dumped (none yet).
CREATE TEMP TABLE undumped_tables (qname text PRIMARY KEY);

-- the members found, so an empty extension cannot pass vacuously
SELECT (SELECT count(*) FROM cw_proc) > 10 AS has_functions,
	(SELECT count(*) FROM cw_class WHERE relkind = 'r') > 5 AS has_tables;

WITH
acl AS (
	SELECT p.sig, a.grantee, a.privilege_type
	FROM cw_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
),
rule(n, rule, offender) AS (
	SELECT 1, 'SECURITY DEFINER function without a pinned search_path', sig
	FROM cw_proc WHERE prosecdef
		AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (proconfig), false)
	UNION ALL
	SELECT 2, 'function executable by PUBLIC (not an allow-listed read-only one)', sig
	FROM acl WHERE grantee = 0 AND privilege_type = 'EXECUTE'
		AND sig NOT IN (SELECT sig FROM public_ok)
	UNION ALL
	SELECT 3, 'PL/pgSQL function without SET search_path = pg_catalog, pg_temp', sig
	FROM cw_proc p JOIN pg_language l ON l.oid = p.prolang
	WHERE l.lanname = 'plpgsql'
		AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (proconfig), false)
	UNION ALL
	SELECT 4, 'SQL function with a string body (use BEGIN ATOMIC) and no pinned search_path', sig
	FROM cw_proc p JOIN pg_language l ON l.oid = p.prolang
	WHERE l.lanname = 'sql' AND p.prosqlbody IS NULL
		AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (proconfig), false)
	UNION ALL
	-- the text of bodies that are not parsed at creation (PL/pgSQL, SQL
	-- strings, EXECUTE format strings) must call churnwarn's functions
	-- schema-qualified: a pinned search_path does not include churnwarn
	SELECT 5, 'unqualified call of a churnwarn function in a function body', p.sig || ' calls ' || f.proname
	FROM cw_proc p JOIN pg_language l ON l.oid = p.prolang,
		(SELECT DISTINCT proname FROM cw_proc) f
	WHERE l.lanname IN ('plpgsql', 'sql')
		AND p.prosrc ~ ('(?<![.\w"])' || f.proname || '\s*\(')
	UNION ALL
	SELECT 6, 'trusted extension version', name || ' ' || version
	FROM pg_available_extension_versions WHERE name = 'churnwarn' AND trusted
	UNION ALL
	SELECT 7, 'table not registered with pg_extension_config_dump', c.qname
	FROM cw_class c WHERE c.relkind IN ('r', 'p')
		AND c.oid <> ALL (coalesce((SELECT extconfig FROM pg_extension WHERE extname = 'churnwarn'), '{}'))
		AND c.qname NOT IN (SELECT qname FROM undumped_tables)
	UNION ALL
	SELECT 8, 'sequence not registered with pg_extension_config_dump', c.qname
	FROM cw_class c WHERE c.relkind = 'S'
		AND c.oid <> ALL (coalesce((SELECT extconfig FROM pg_extension WHERE extname = 'churnwarn'), '{}'))
	UNION ALL
	SELECT 9, 'view not security_invoker', c.qname
	FROM cw_class c WHERE c.relkind = 'v'
		AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)
		AND c.qname NOT IN (SELECT qname FROM definer_views)
	UNION ALL
	SELECT 10, 'table without customer_id that is not a listed configuration table', c.qname
	FROM cw_class c WHERE c.relkind IN ('r', 'p')
		AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid
			AND a.attname = 'customer_id' AND NOT a.attisdropped)
		AND c.qname NOT IN (SELECT qname FROM config_tables)
	UNION ALL
	SELECT 11, 'table, view or sequence with privileges for PUBLIC', c.qname || ' ' || a.privilege_type
	FROM cw_class c, aclexplode(c.relacl) a
	WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND a.grantee = 0
	UNION ALL
	SELECT 12, 'PUBLIC may create in or is not denied on schema churnwarn', n.nspname || ' ' || a.privilege_type
	FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
	WHERE n.nspname = 'churnwarn' AND a.grantee = 0
	UNION ALL
	SELECT 13, 'schema churnwarn not owned by a superuser', n.nspname
	FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner
	WHERE n.nspname = 'churnwarn' AND NOT r.rolsuper
	UNION ALL
	SELECT 14, 'function, table or view without a COMMENT', x.name
	FROM (SELECT sig AS name, oid, 'pg_proc'::regclass AS cls FROM cw_proc
		  UNION ALL
		  SELECT qname, oid, 'pg_class'::regclass FROM cw_class WHERE relkind IN ('r', 'p', 'v', 'm')) x
	WHERE obj_description(x.oid, x.cls::text) IS NULL
	UNION ALL
	SELECT 15, 'C function not bound to churnwarn_<name> in the churnwarn module', sig
	FROM cw_proc p JOIN pg_language l ON l.oid = p.prolang
	WHERE l.lanname = 'c' AND (p.prosrc <> 'churnwarn_' || p.proname
		OR p.probin <> '$libdir/churnwarn')
	UNION ALL
	SELECT 16, 'churnwarn object outside schema churnwarn', sig
	FROM cw_proc WHERE pronamespace <> 'churnwarn'::regnamespace
	UNION ALL
	SELECT 16, 'churnwarn object outside schema churnwarn', qname
	FROM cw_class WHERE relnamespace <> 'churnwarn'::regnamespace
),
rules(n, rule) AS (
	VALUES (1, 'SECURITY DEFINER function without a pinned search_path'),
		(2, 'function executable by PUBLIC (not an allow-listed read-only one)'),
		(3, 'PL/pgSQL function without SET search_path = pg_catalog, pg_temp'),
		(4, 'SQL function with a string body (use BEGIN ATOMIC) and no pinned search_path'),
		(5, 'unqualified call of a churnwarn function in a function body'),
		(6, 'trusted extension version'),
		(7, 'table not registered with pg_extension_config_dump'),
		(8, 'sequence not registered with pg_extension_config_dump'),
		(9, 'view not security_invoker'),
		(10, 'table without customer_id that is not a listed configuration table'),
		(11, 'table, view or sequence with privileges for PUBLIC'),
		(12, 'PUBLIC may create in or is not denied on schema churnwarn'),
		(13, 'schema churnwarn not owned by a superuser'),
		(14, 'function, table or view without a COMMENT'),
		(15, 'C function not bound to churnwarn_<name> in the churnwarn module'),
		(16, 'churnwarn object outside schema churnwarn')
)
SELECT rules.n, rules.rule, count(rule.offender) AS failures,
	coalesce(array_agg(rule.offender ORDER BY rule.offender) FILTER (WHERE rule.offender IS NOT NULL), '{}') AS offenders
FROM rules LEFT JOIN rule ON rule.n = rules.n
GROUP BY rules.n, rules.rule ORDER BY rules.n;

-- The install and upgrade scripts (the files, as shipped): no @extschema@
-- inside a quoted literal or dollar-quoted body, where a crafted schema
-- name could break out of the quotes; and no CREATE OR REPLACE or IF NOT
-- EXISTS, which would adopt an object an attacker created first.  psql
-- runs in the source directory (pg_regress is started there).
\set script_lint `perl test/lint_scripts.pl sql/churnwarn--*.sql`
SELECT :'script_lint' AS install_and_upgrade_scripts;

DROP VIEW cw_class, cw_proc, cw_member;
DROP TABLE public_ok, config_tables, definer_views, undumped_tables;
