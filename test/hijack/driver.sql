-- test/hijack/driver.sql: cw_test.exercise(path), which exercises every
-- churnwarn function and trigger with search_path = path and returns one
-- row per step with its outcome, for comparison with a clean run.
--
-- The driver itself runs with a pinned search_path and switches to the
-- given path only around the fully qualified statement of each step, so
-- what the canary catches is churnwarn's code, not the driver's.  It is
-- data-driven: every function of the extension (from pg_depend) is called
-- with arguments chosen by name and type; every table gets an UPDATE, a
-- DELETE, an INSERT and a TRUNCATE (rolled back) so every trigger fires;
-- then a digest of every table's contents and the per-function call
-- counts (track_functions = all) are part of the result.
-- Included with ECHO none; run the caller inside a transaction that is
-- rolled back (the sequences are reset by the driver), with churnwarn.clock
-- set (a superuser-only setting, so the caller sets it before SET ROLE).
CREATE SCHEMA cw_test;
CREATE TABLE public.hj_orders (customer_ref text PRIMARY KEY, name text, tier text, amount numeric, updated_at timestamptz);
INSERT INTO public.hj_orders VALUES ('hj1', 'Hijack One', 'ordinary', 100, '2026-01-01');

CREATE FUNCTION cw_test.arg_value(argname text, argtype regtype, fn name)
RETURNS text LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v text;
	qt text := (SELECT format('%I.%I', n.nspname, t.typname)
				FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = argtype);
BEGIN
	v := CASE
		WHEN argname = 'customer_id' THEN 'hj1'
		WHEN argname = 'signal_type' THEN 'complaint'
		WHEN argname = 'signal_id' THEN
			(SELECT min(id)::text FROM churnwarn.signal WHERE customer_id = 'hj1' AND status = 'open')
		WHEN argname = 'warning_id' THEN
			(SELECT min(id)::text FROM churnwarn.warning WHERE customer_id IN ('hj1', 'hj2')
			 AND status NOT IN ('closed', 'dismissed'))
		WHEN argname = 'scheme' THEN 'four_level'
		WHEN argname = 'calendar' THEN 'CN'
		WHEN argname IN ('days', 'dates') THEN '[{"date": "2026-03-05", "type": "public_holiday", "name": "hj"}]'
		WHEN argname = 'time_zone' THEN NULL
		WHEN argname = 'plan' THEN '{"goal": "keep", "measures": ["call"], "people": ["a"], "milestones": [], "resources": "none"}'
		WHEN argname = 'role' THEN 'cs_head'
		WHEN argname = 'outcome' THEN 'success'
		WHEN argname = 'channel' THEN 'phone'
		WHEN argname = 'period' THEN '2026-Q1'
		WHEN argname IN ('key_column', 'column_name') THEN 'customer_ref'
		WHEN argname = 'condition' THEN 'changed'
		WHEN argname = 'threshold' THEN NULL
		WHEN argname = 'level' THEN '1'
		WHEN argname = 'amount' THEN '60'
		WHEN argname = 'b' THEN '2026-03-20 10:00:00+00'
		WHEN argtype = 'text'::regtype THEN 'x'
		WHEN argtype IN ('integer'::regtype, 'smallint'::regtype) THEN '3'
		WHEN argtype IN ('bigint'::regtype, 'numeric'::regtype, 'double precision'::regtype) THEN '1'
		WHEN argtype = 'boolean'::regtype THEN 'true'
		WHEN argtype = 'date'::regtype THEN '2026-03-06'
		WHEN argtype IN ('timestamptz'::regtype, 'timestamp'::regtype) THEN '2026-03-02 08:00:00+00'
		WHEN argtype = 'interval'::regtype THEN '1 day'
		WHEN argtype IN ('jsonb'::regtype, 'json'::regtype) THEN '{}'
		WHEN argtype = 'text[]'::regtype THEN '{a,b}'
		WHEN argtype = 'name'::regtype THEN 'customer_ref'
		WHEN argtype = 'regclass'::regtype THEN 'public.hj_orders'
		ELSE NULL END;
	RETURN format('%L::%s', v, qt);
END
$$;

CREATE FUNCTION cw_test.exercise(path text)
RETURNS TABLE (ord int, step text, outcome text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r record;
	stmt text;
	res text;
	cnt bigint;
	n int := 0;
	op text;
	calls_before jsonb;
	scenario text[] := ARRAY[
		$q$INSERT INTO churnwarn.customer (customer_id, name, tier, created_at) VALUES
			('hj1', 'Hijack One', 'ordinary', '2026-01-01'), ('hj2', 'Hijack Two', 'core', '2026-01-01')$q$,
		$q$UPDATE churnwarn.customer SET tier = 'important' WHERE customer_id OPERATOR(pg_catalog.=) 'hj2'$q$,
		-- "lateness" sorts before "late_payment" under a collation that
		-- ignores punctuation: regression test for the configuration query
		-- that sorted signal types with an unqualified COLLATE "C", so a
		-- planted public."C" broke the binary search (XX000)
		$q$INSERT INTO churnwarn.signal_type (code, category, label_en, label_zh, weight, half_life)
			VALUES ('lateness', 'cooperation', 'chronic lateness', '长期拖延', 2, '30 days')$q$,
		$q$UPDATE churnwarn.signal_type SET weight = 3 WHERE code OPERATOR(pg_catalog.=) 'cold_response'$q$,
		$q$INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at, reported_at, detail, amount) VALUES
			('hj1', 'late_payment', '2026-03-01 09:00+00', '2026-03-01 10:00+00', '{}', 20),
			('hj1', 'lateness', '2026-03-01 09:00+00', '2026-03-01 10:00+00', '{}', NULL),
			('hj2', 'order_cut', '2026-03-01 09:00+00', '2026-03-01 10:00+00', '{"pct": 60}', 60)$q$,
		$q$SELECT churnwarn.report_signal('hj1'::pg_catalog.text, 'dissatisfaction'::pg_catalog.text,
			'2026-03-02 09:00+00'::pg_catalog.timestamptz)::pg_catalog.text$q$,
		$q$SELECT churnwarn.report_signal('hj1'::pg_catalog.text, 'renewal_refused'::pg_catalog.text,
			'2026-03-02 09:00+00'::pg_catalog.timestamptz)::pg_catalog.text$q$,
		$q$UPDATE churnwarn.signal SET status = 'resolved', closed_at = '2026-03-02 09:30+00'
			WHERE customer_id OPERATOR(pg_catalog.=) 'hj2'$q$,
		$q$UPDATE churnwarn.customer SET status = 'terminated', terminated_at = '2026-03-02 09:00+00'
			WHERE customer_id OPERATOR(pg_catalog.=) 'hj2'$q$,
		$q$INSERT INTO churnwarn.calendar_day (calendar, day, kind) VALUES ('CN', '2026-03-04', 'public_holiday')$q$,
		$q$SELECT churnwarn.grade(c)::pg_catalog.text FROM pg_catalog.unnest('{hj1,hj2}'::pg_catalog.text[]) c$q$
	];
BEGIN
	-- function calls counted so far (pending statistics are not
	-- transactional, so only the difference is the run's own)
	calls_before := (SELECT jsonb_object_agg(funcid::text, calls) FROM pg_stat_xact_user_functions);

	-- the same ids in every run
	FOR r IN SELECT c.oid::regclass AS seq
			 FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
			 JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
			 WHERE d.deptype = 'e' AND e.extname = 'churnwarn' AND c.relkind = 'S'
	LOOP
		PERFORM setval(r.seq, 1000000, false);
	END LOOP;

	-- the hand-written scenario: the trigger-firing writes users make
	FOREACH stmt IN ARRAY scenario LOOP
		n := n + 1;
		BEGIN
			IF stmt ~* '^\s*select' THEN
				PERFORM set_config('search_path', path, true);
				EXECUTE stmt INTO res;
			ELSE
				PERFORM set_config('search_path', path, true);
				EXECUTE stmt;
				GET DIAGNOSTICS cnt = ROW_COUNT;
				res := cnt || ' rows';
			END IF;
			PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
			ord := n; step := 'scenario ' || n; outcome := 'ok ' || coalesce(res, '');
		EXCEPTION WHEN OTHERS THEN
			ord := n; step := 'scenario ' || n; outcome := SQLSTATE || ' ' || SQLERRM;
		END;
		RETURN NEXT;
	END LOOP;

	-- every function of the extension except trigger functions
	FOR r IN SELECT p.oid, p.oid::regprocedure::text AS sig,
				format('%I.%I', n2.nspname, p.proname) AS qname,
				(SELECT string_agg(cw_test.arg_value(coalesce(p.proargnames[i], ''), p.proargtypes[i - 1]::regtype, p.proname),
								   ', ' ORDER BY i)
				 FROM generate_series(1, p.pronargs) i) AS args
			 FROM pg_proc p JOIN pg_namespace n2 ON n2.oid = p.pronamespace
			 JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
			 JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
			 WHERE e.extname = 'churnwarn' AND p.prorettype <> 'trigger'::regtype AND p.prokind = 'f'
			 ORDER BY p.oid
	LOOP
		n := n + 1;
		stmt := format('SELECT pg_catalog.string_agg(r::pg_catalog.text, E''\n'') FROM %s(%s) r',
					   r.qname, coalesce(r.args, ''));
		BEGIN
			PERFORM set_config('search_path', path, true);
			EXECUTE stmt INTO res;
			PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
			ord := n; step := r.sig; outcome := 'ok ' || coalesce(res, '(null)');
		EXCEPTION WHEN OTHERS THEN
			ord := n; step := r.sig; outcome := SQLSTATE || ' ' || SQLERRM;
		END;
		RETURN NEXT;
	END LOOP;

	-- every table: each kind of write, rolled back, so every trigger fires
	FOR r IN SELECT c.oid::regclass AS tbl,
				(SELECT quote_ident(a.attname) FROM pg_attribute a WHERE a.attrelid = c.oid
				 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum LIMIT 1) AS col
			 FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
			 JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
			 WHERE d.deptype = 'e' AND e.extname = 'churnwarn' AND c.relkind = 'r'
			 ORDER BY c.relname
	LOOP
		FOREACH op IN ARRAY ARRAY['update', 'delete', 'insert', 'truncate'] LOOP
			n := n + 1;
			stmt := CASE op
				WHEN 'update' THEN format('UPDATE %s t SET %s = t.%s WHERE t.ctid OPERATOR(pg_catalog.=) '
					'(SELECT x.ctid FROM %s x ORDER BY x::pg_catalog.text COLLATE pg_catalog."C" DESC LIMIT 1)',
					r.tbl, r.col, r.col, r.tbl)
				WHEN 'delete' THEN format('DELETE FROM %s t WHERE t.ctid OPERATOR(pg_catalog.=) '
					'(SELECT x.ctid FROM %s x ORDER BY x::pg_catalog.text COLLATE pg_catalog."C" DESC LIMIT 1)',
					r.tbl, r.tbl)
				WHEN 'insert' THEN format('INSERT INTO %s SELECT x.* FROM %s x '
					'ORDER BY x::pg_catalog.text COLLATE pg_catalog."C" DESC LIMIT 1', r.tbl, r.tbl)
				ELSE format('TRUNCATE %s CASCADE', r.tbl) END;
			BEGIN
				PERFORM set_config('search_path', path, true);
				EXECUTE stmt;
				PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
				RAISE SQLSTATE 'CW000';
			EXCEPTION
				WHEN SQLSTATE 'CW000' THEN
					ord := n; step := op || ' ' || r.tbl; outcome := 'ok (rolled back)';
				WHEN OTHERS THEN
					ord := n; step := op || ' ' || r.tbl; outcome := SQLSTATE || ' ' || SQLERRM;
			END;
			RETURN NEXT;
		END LOOP;
	END LOOP;

	-- what the run left in every table (the transaction time normalized)
	FOR r IN SELECT c.oid::regclass AS tbl
			 FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
			 JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
			 WHERE d.deptype = 'e' AND e.extname = 'churnwarn' AND c.relkind = 'r'
			 ORDER BY c.relname
	LOOP
		n := n + 1;
		-- the audit tables hold random salts and the hashes over them: compare
		-- what was logged, not the hashes (nor the order of the rows one UPDATE
		-- wrote, which follows the heap)
		-- (erasure tokens are random per forget() call: normalized too)
		EXECUTE format('SELECT count(*) || '' rows, md5 '' || md5(coalesce(string_agg(regexp_replace(replace(x::text, now()::text, ''NOW''), ''(erased|anon)-[0-9a-f]+'', ''\1-X'', ''g''), E''\n'' '
					   'ORDER BY regexp_replace(replace(x::text, now()::text, ''NOW''), ''(erased|anon)-[0-9a-f]+'', ''\1-X'', ''g'') COLLATE "C"), '''')) FROM %s x',
					   CASE r.tbl::text
					   WHEN 'churnwarn.audit_log' THEN '(SELECT actor, table_name, operation, row_key, customer_id, old_row IS NULL AS no_old, new_row IS NULL AS no_new FROM churnwarn.audit_log)'
					   WHEN 'churnwarn.audit_chain' THEN '(SELECT customer_id, n_rows FROM churnwarn.audit_chain)'
					   WHEN 'churnwarn.mask_key' THEN '(SELECT count(*) FROM churnwarn.mask_key)'
					   ELSE r.tbl::text END) INTO res;
		ord := n; step := 'contents of ' || r.tbl; outcome := res;
		RETURN NEXT;
	END LOOP;

	-- how often each function ran (needs track_functions = all)
	FOR r IN SELECT p.oid::regprocedure::text AS sig,
				coalesce(s.calls, 0) - coalesce((calls_before ->> p.oid::text)::bigint, 0) AS calls
			 FROM pg_proc p
			 JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
			 JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
			 LEFT JOIN pg_stat_xact_user_functions s ON s.funcid = p.oid
			 WHERE e.extname = 'churnwarn'
			 ORDER BY 1
	LOOP
		n := n + 1;
		ord := n; step := 'calls of ' || r.sig; outcome := r.calls::text;
		RETURN NEXT;
	END LOOP;
END
$$;
GRANT USAGE ON SCHEMA cw_test TO PUBLIC;
