-- reinstall: DROP EXTENSION and CREATE EXTENSION three times in a row next
-- to a table of the user's own that holds customer data.  Each cycle uses
-- churnwarn (customers, signals, warnings; and, where the installed
-- version has them, watch() on the user's table, audit_table(),
-- setup_roles()) and then drops it with a plain DROP EXTENSION (no
-- CASCADE: whatever churnwarn attached to the user's objects must go with
-- it).  After each drop nothing churnwarn-owned may be left: no schema, no
-- function, type or operator, no trigger or policy on user tables, no
-- event trigger, no privileges or default privileges of churnwarn's roles
-- on dropped objects; and the user's table is byte-for-byte unchanged.
SET client_min_messages = warning;
DROP EXTENSION churnwarn;
CREATE TABLE public.my_customers (id bigint PRIMARY KEY, name text NOT NULL, tier text, revenue numeric);
INSERT INTO public.my_customers VALUES (1, 'Acme', 'core', 120000), (2, 'Globex', 'ordinary', 800), (3, 'Initech', 'important', 15000);
CREATE TEMP TABLE before AS
SELECT md5(string_agg(t::text, ',' ORDER BY id)) AS data,
	(SELECT relrowsecurity FROM pg_class WHERE oid = 'public.my_customers'::regclass) AS rls
FROM public.my_customers t;

CREATE FUNCTION pg_temp.cycle(n int) RETURNS TABLE (cycle int, check_name text, offenders text[])
LANGUAGE plpgsql AS $$
BEGIN
	CREATE EXTENSION churnwarn;
	INSERT INTO churnwarn.customer (customer_id, name) VALUES ('r1', 'Reinstall One');
	PERFORM churnwarn.report_signal('r1', 'termination_notice');
	-- the optional parts, where this version has them
	IF to_regprocedure('churnwarn.setup_roles()') IS NOT NULL THEN
		PERFORM churnwarn.setup_roles();
	END IF;
	IF to_regprocedure('churnwarn.watch(regclass,name,jsonb)') IS NOT NULL THEN
		PERFORM churnwarn.watch('public.my_customers', 'id', '{"name": "name", "tier": "tier"}');
		UPDATE public.my_customers SET tier = tier;
	END IF;
	IF to_regprocedure('churnwarn.audit_table(regclass)') IS NOT NULL THEN
		PERFORM churnwarn.audit_table('public.my_customers');
	END IF;
	DROP EXTENSION churnwarn;

	cycle := n;
	check_name := 'schema churnwarn';
	offenders := array(SELECT nspname::text FROM pg_namespace WHERE nspname = 'churnwarn');
	RETURN NEXT;
	check_name := 'functions, types, operators named churnwarn or bound to its module';
	offenders := array(
		SELECT p.oid::regprocedure::text FROM pg_proc p
		WHERE p.probin LIKE '%churnwarn%' OR p.prosrc LIKE 'churnwarn_%' OR p.proname LIKE 'churnwarn%'
		UNION ALL SELECT t.oid::regtype::text FROM pg_type t WHERE t.typname LIKE '%churnwarn%'
		UNION ALL SELECT o.oid::regoperator::text FROM pg_operator o WHERE o.oprname LIKE '%churnwarn%');
	RETURN NEXT;
	check_name := 'triggers on user tables';
	offenders := array(SELECT tgrelid::regclass || ' ' || tgname FROM pg_trigger
		WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace));
	RETURN NEXT;
	check_name := 'policies on user tables';
	offenders := array(SELECT polrelid::regclass || ' ' || polname FROM pg_policy);
	RETURN NEXT;
	check_name := 'event triggers';
	offenders := array(SELECT evtname::text FROM pg_event_trigger);
	RETURN NEXT;
	check_name := 'privileges and default privileges of churnwarn roles left in this database';
	offenders := array(
		SELECT r.rolname || ' on ' || pg_describe_object(s.classid, s.objid, s.objsubid)
		FROM pg_shdepend s JOIN pg_roles r ON r.oid = s.refobjid
		WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND r.rolname LIKE 'churnwarn%'
		UNION ALL
		SELECT r.rolname || ' default privileges' FROM pg_default_acl d JOIN pg_roles r ON r.oid = d.defaclrole
		WHERE r.rolname LIKE 'churnwarn%');
	RETURN NEXT;
	check_name := 'pg_depend rows pointing at a dropped extension';
	offenders := array(SELECT pg_describe_object(classid, objid, objsubid) FROM pg_depend
		WHERE refclassid = 'pg_extension'::regclass AND refobjid NOT IN (SELECT oid FROM pg_extension));
	RETURN NEXT;
	check_name := 'user table changed (rows or row-level security)';
	offenders := array(SELECT 'public.my_customers' FROM before b
		WHERE b.data IS DISTINCT FROM (SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM public.my_customers t)
			OR b.rls IS DISTINCT FROM (SELECT relrowsecurity FROM pg_class WHERE oid = 'public.my_customers'::regclass));
	RETURN NEXT;
END
$$;

SELECT * FROM pg_temp.cycle(1);
SELECT * FROM pg_temp.cycle(2);
SELECT * FROM pg_temp.cycle(3);

-- the roles setup_roles() may have created outlive the extension (roles are
-- cluster-wide); they hold nothing in this database, so they can be dropped
DO $$
DECLARE r text;
BEGIN
	FOR r IN SELECT rolname FROM pg_roles WHERE rolname LIKE 'churnwarn%' LOOP
		EXECUTE format('DROP ROLE %I', r);
	END LOOP;
END
$$;
DROP TABLE public.my_customers;
-- installed again for the tests that follow
CREATE EXTENSION churnwarn;
SELECT count(*) AS customers FROM churnwarn.customer;
