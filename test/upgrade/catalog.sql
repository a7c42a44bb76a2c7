-- test/upgrade/catalog.sql: churnwarn's catalog footprint, in a form that
-- is equal for equal definitions whatever the OIDs: every member object,
-- functions with their properties, configuration and privileges, tables
-- and views with their options and privileges, columns, constraints,
-- indexes, triggers, policies, and the dump registrations
-- (pg_extension.extconfig / extcondition).
\pset format unaligned
\pset tuples_only on
SET search_path = pg_catalog;
SELECT 'extension', extname, extversion, extrelocatable, extnamespace::regnamespace
FROM pg_extension WHERE extname = 'churnwarn';
WITH m AS (
	SELECT d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
	WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = 'churnwarn')
SELECT 'member', pg_describe_object(classid, objid, 0) FROM m ORDER BY 2;
SELECT 'function', p.oid::regprocedure, p.prorettype::regtype, p.proretset, l.lanname, p.provolatile,
	p.proisstrict, p.proparallel, p.prosecdef, p.proleakproof, p.procost, p.prorows,
	p.proconfig, p.proacl, p.proargnames, pg_get_expr(p.proargdefaults, 0),
	CASE WHEN l.lanname = 'c' THEN p.prosrc || ' ' || p.probin ELSE md5(coalesce(p.prosrc, '') || coalesce(pg_get_functiondef(p.oid), '')) END,
	obj_description(p.oid, 'pg_proc')
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'churnwarn'::regnamespace ORDER BY 2::text;
SELECT 'relation', c.oid::regclass, c.relkind, c.relacl, c.reloptions, c.relrowsecurity, c.relforcerowsecurity,
	c.relpersistence, obj_description(c.oid, 'pg_class'),
	CASE WHEN c.relkind = 'v' THEN md5(pg_get_viewdef(c.oid)) END
FROM pg_class c WHERE c.relnamespace = 'churnwarn'::regnamespace ORDER BY 2::text;
SELECT 'column', a.attrelid::regclass, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
	pg_get_expr(ad.adbin, ad.adrelid), a.attacl, col_description(a.attrelid, a.attnum)
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE c.relnamespace = 'churnwarn'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 2::text, a.attname;
SELECT 'constraint', conrelid::regclass, conname, pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = 'churnwarn'::regnamespace ORDER BY 2::text, 3;
SELECT 'index', indexrelid::regclass, pg_get_indexdef(indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE c.relnamespace = 'churnwarn'::regnamespace ORDER BY 2::text;
SELECT 'trigger', tgrelid::regclass, tgname, pg_get_triggerdef(t.oid), tgenabled,
	obj_description(t.oid, 'pg_trigger')
FROM pg_trigger t WHERE NOT tgisinternal AND tgfoid IN (SELECT oid FROM pg_proc WHERE pronamespace = 'churnwarn'::regnamespace)
ORDER BY 2::text, 3;
SELECT 'policy', polrelid::regclass, polname, polcmd, polroles::regrole[], pg_get_expr(polqual, polrelid),
	pg_get_expr(polwithcheck, polrelid)
FROM pg_policy WHERE polrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'churnwarn'::regnamespace)
ORDER BY 2::text, 3;
SELECT 'config_dump', c.cfg::regclass, e.extcondition[c.i]
FROM pg_extension e, unnest(e.extconfig) WITH ORDINALITY c(cfg, i)
WHERE e.extname = 'churnwarn' ORDER BY 2::text;
SELECT 'schema', nspname, nspowner::regrole, nspacl FROM pg_namespace WHERE nspname = 'churnwarn';
SELECT 'type', t.oid::regtype, t.typtype FROM pg_type t
WHERE t.typnamespace = 'churnwarn'::regnamespace AND t.typrelid = 0 ORDER BY 2::text;
SELECT 'event_trigger', evtname, evtevent, evtfoid::regproc, evttags FROM pg_event_trigger ORDER BY 2;
