-- fuzz_args: the bad-input catalogue, generated from pg_proc.  Every
-- churnwarn function except trigger functions is called with, in each
-- argument position in turn, NULL and the edge values of that position's
-- type (the other arguments valid, chosen as in test/hijack/driver.sql):
-- numeric edges (0, -1, INT_MIN/MAX, NaN, +-Infinity), empty and 10 MB text,
-- unrecognized codes, +-infinity and far-past dates and times, the DST gap
-- and overlap instants of America/New_York, JSON of the wrong shape.
-- Each call runs in its own subtransaction; the whole catalogue in one
-- transaction that is rolled back.  Pass: no SQLSTATE of class XX
-- (internal error) or 58 (system error), no crash, every call under one
-- second (a hang detector, not a benchmark), and the row counts of every
-- churnwarn table unchanged by every call that failed.  Only failures are
-- printed; the whole catalogue (function, position, value, SQLSTATE) goes
-- to results/fuzz_args.catalogue and the slowest call to
-- results/fuzz_args.slowest (tools/test.sh prints it).
\set ECHO none
\set QUIET on
SET client_min_messages = warning;
\i test/hijack/driver.sql
SET churnwarn.clock = '2026-03-02 10:00:00+00';

-- edge values by type: (type, label, SQL expression)
CREATE TABLE cw_test.edge (t regtype, label text, expr text);
INSERT INTO cw_test.edge
SELECT t::regtype, l, e FROM (VALUES
	('text', 'empty', $$''$$),
	('text', '10 MB', $$pg_catalog.repeat('x', 10485760)$$),
	('text', 'unrecognized code', $$'no_such_code_zz'$$),
	('text', 'quote and semicolon', $$'x''); DROP TABLE churnwarn.signal; --'$$),
	('text', 'control and astral characters', $$E'\u0001\t\U0001F600'$$),
	('text', 'surrounding blanks', $$' complaint '$$),
	('name', 'empty', $$''$$),
	('name', 'unrecognized', $$'no_such_column'$$),
	('integer', '0', '0'), ('integer', '-1', '-1'),
	('integer', 'INT_MIN', '-2147483648'), ('integer', 'INT_MAX', '2147483647'),
	('smallint', '-32768', '-32768'), ('smallint', '32767', '32767'),
	('bigint', '0', '0'), ('bigint', '-1', '-1'),
	('bigint', 'INT_MIN', '-2147483648'), ('bigint', 'INT_MAX', '2147483647'),
	('bigint', 'INT64_MIN', '-9223372036854775808'), ('bigint', 'INT64_MAX', '9223372036854775807'),
	('numeric', '0', '0'), ('numeric', '-1', '-1'), ('numeric', 'NaN', $$'NaN'$$),
	('numeric', 'Infinity', $$'Infinity'$$), ('numeric', '-Infinity', $$'-Infinity'$$),
	('numeric', 'INT_MIN', '-2147483648'), ('numeric', 'INT_MAX', '2147483647'),
	('numeric', '1e1000', '1e1000'), ('numeric', '1e-1000', '1e-1000'),
	('double precision', 'NaN', $$'NaN'$$), ('double precision', 'Infinity', $$'Infinity'$$),
	('double precision', '-Infinity', $$'-Infinity'$$), ('double precision', '-1', '-1'),
	('date', 'infinity', $$'infinity'$$), ('date', '-infinity', $$'-infinity'$$),
	('date', 'far past', $$'4713-01-01 BC'$$), ('date', 'far future', $$'5874897-12-31'$$),
	('date', '1900-01-01', $$'1900-01-01'$$),
	('timestamp with time zone', 'infinity', $$'infinity'$$),
	('timestamp with time zone', '-infinity', $$'-infinity'$$),
	('timestamp with time zone', 'far past', $$'4713-01-01 00:00:00+00 BC'$$),
	('timestamp with time zone', 'far future', $$'294276-12-31 23:59:59+00'$$),
	('timestamp with time zone', '1900-01-01', $$'1900-01-01 00:00:00+00'$$),
	('timestamp with time zone', 'DST gap New York', $$'2025-03-09 02:30 America/New_York'$$),
	('timestamp with time zone', 'DST overlap New York', $$'2025-11-02 01:30 America/New_York'$$),
	('interval', 'negative', $$'-1 day'$$), ('interval', 'huge', $$'178000000 years'$$),
	('interval', 'zero', $$'0'$$),
	('jsonb', 'null', $$'null'$$), ('jsonb', 'string', $$'"s"'$$), ('jsonb', 'number', '1'),
	('jsonb', 'empty array', $$'[]'$$), ('jsonb', 'empty object', $$'{}'$$),
	('jsonb', 'array of scalars', $$'[1, "a", null, true]'$$),
	('jsonb', 'object with dates key', $$'{"dates": [{"date": "2026-01-01", "type": "public_holiday"}]}'$$),
	('jsonb', 'bad date', $$'[{"date": "2026-13-45", "type": "public_holiday"}]'$$),
	('jsonb', 'infinite date', $$'[{"date": "infinity", "type": "public_holiday"}]'$$),
	('jsonb', 'missing keys', $$'[{"name": "x"}]'$$),
	('jsonb', 'null members', $$'[{"date": null, "type": null}]'$$),
	('jsonb', 'unrecognized type', $$'[{"date": "2026-01-01", "type": "festival"}]'$$),
	('jsonb', 'numbers as values', $$'[{"date": 20260101, "type": 1}]'$$),
	('jsonb', 'deep nesting', $$pg_catalog.repeat('[', 5000)::pg_catalog.text OPERATOR(pg_catalog.||) pg_catalog.repeat(']', 5000)$$),
	('jsonb', '10000 elements', $$(SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('date', '2026-01-01', 'type', 'public_holiday')) FROM pg_catalog.generate_series(1, 10000))$$),
	('text[]', 'empty', $$'{}'$$), ('text[]', 'null element', $$'{NULL}'$$),
	('text[]', '10000 elements', $$(SELECT pg_catalog.array_agg('x'::pg_catalog.text) FROM pg_catalog.generate_series(1, 10000))$$),
	('regclass', 'catalog table', $$'pg_catalog.pg_class'$$),
	('regclass', 'churnwarn table', $$'churnwarn.signal'$$),
	('regclass', 'invalid oid', $$'0'$$),
	('regclass', 'a view', $$'pg_catalog.pg_tables'$$),
	('boolean', 'false', 'false')
) v(t, l, e);

CREATE FUNCTION cw_test.table_counts() RETURNS jsonb LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r record;
	n bigint;
	j jsonb := '{}';
BEGIN
	FOR r IN SELECT c.oid::regclass AS tbl
			 FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
			 JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
			 WHERE d.deptype = 'e' AND e.extname = 'churnwarn' AND c.relkind = 'r'
	LOOP
		EXECUTE format('SELECT count(*) FROM %s', r.tbl) INTO n;
		j := j || jsonb_build_object(r.tbl::text, n);
	END LOOP;
	RETURN j;
END
$$;

CREATE FUNCTION cw_test.fuzz()
RETURNS TABLE (sig text, pos int, label text, state text, message text, ms numeric, counts_changed boolean)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	f record;
	v record;
	args text[];
	i int;
	stmt text;
	t0 timestamptz;
	before jsonb;
BEGIN
	-- a customer with a signal and an open warning, for the valid arguments
	INSERT INTO churnwarn.customer (customer_id, name, created_at) VALUES ('hj1', 'Fuzz One', '2026-01-01');
	PERFORM churnwarn.report_signal('hj1', 'competitor_deal', '2026-03-01 09:00+00');
	FOR f IN SELECT p.oid, p.oid::regprocedure::text AS s, p.pronargs,
				format('%I.%I', n.nspname, p.proname) AS qname,
				array(SELECT cw_test.arg_value(coalesce(p.proargnames[k], ''), p.proargtypes[k - 1]::regtype, p.proname)
					  FROM generate_series(1, p.pronargs) k ORDER BY k) AS valid,
				array(SELECT p.proargtypes[k - 1]::regtype FROM generate_series(1, p.pronargs) k ORDER BY k) AS types
			 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
			 JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
			 JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
			 WHERE e.extname = 'churnwarn' AND p.prorettype <> 'trigger'::regtype AND p.prokind = 'f'
			 ORDER BY p.oid
	LOOP
		FOR i IN 1 .. f.pronargs LOOP
			FOR v IN SELECT 'NULL' AS label, 'NULL' AS expr
					 UNION ALL
					 SELECT e.label, e.expr FROM cw_test.edge e WHERE e.t = f.types[i]
			LOOP
				args := f.valid;
				args[i] := format('(%s)::%s', v.expr, (SELECT format('%I.%I', tn.nspname, t.typname)
					FROM pg_type t JOIN pg_namespace tn ON tn.oid = t.typnamespace WHERE t.oid = f.types[i]));
				stmt := format('SELECT %s(%s)', f.qname, array_to_string(args, ', '));
				sig := f.s; pos := i; label := v.label;
				before := cw_test.table_counts();
				t0 := clock_timestamp();
				-- every call is rolled back, so one call's data (a 10 MB note
				-- accepted by a step function) never burdens the next
				BEGIN
					EXECUTE stmt;
					state := '00000'; message := NULL;
					RAISE EXCEPTION 'roll back' USING ERRCODE = 'CW001';
				EXCEPTION WHEN SQLSTATE 'CW001' THEN
					NULL;
				WHEN OTHERS THEN
					state := SQLSTATE; message := SQLERRM;
				END;
				ms := round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 1);
				counts_changed := state <> '00000' AND cw_test.table_counts() <> before;
				RETURN NEXT;
			END LOOP;
		END LOOP;
	END LOOP;
END
$$;

BEGIN;
SET LOCAL statement_timeout = '5min';
-- the calendar functions warn once per session about dates beyond the
-- holiday data; which call warns first depends on earlier tests
SET LOCAL client_min_messages = error;
CREATE TEMP TABLE catalogue ON COMMIT DROP AS SELECT * FROM cw_test.fuzz();
\set ECHO all
-- failures: internal or system errors, calls of a second or more, failed
-- calls that changed a row count (must be none)
SELECT sig, pos, label, state, left(message, 120) AS message, ms >= 1000 AS slow, counts_changed
FROM catalogue
WHERE state ~ '^(XX|58)' OR ms >= 1000 OR counts_changed
ORDER BY sig, pos, label;
SELECT count(*) > 100 AS many_calls,
	count(*) FILTER (WHERE state ~ '^(XX|58)') AS internal_errors,
	count(*) FILTER (WHERE ms >= 1000) AS calls_over_one_second,
	count(*) FILTER (WHERE counts_changed) AS failed_calls_that_changed_rows,
	count(DISTINCT sig) = (SELECT count(*) FROM pg_proc p
		JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
		JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'churnwarn'
		WHERE p.prorettype <> 'trigger'::regtype AND p.prokind = 'f' AND p.pronargs > 0) AS every_function_covered
FROM catalogue;
\set ECHO none
\pset tuples_only on
\pset format unaligned
\o results/fuzz_args.slowest
SELECT format('fuzz_args: %s calls, slowest %s ms: %s argument %s = %s (%s)', (SELECT count(*) FROM catalogue),
	ms, sig, pos, label, state)
FROM catalogue ORDER BY ms DESC LIMIT 1;
\o results/fuzz_args.catalogue
SELECT sig, pos, label, state, ms, left(message, 200) AS message FROM catalogue ORDER BY sig, pos, label;
\o
ROLLBACK;
DROP SCHEMA cw_test CASCADE;
DROP TABLE public.hj_orders;
