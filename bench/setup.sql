-- bench/setup.sql - data and helpers for bench/run (never part of the tests).
--
-- psql variables: w1_customers, bulk_signals, bulk_customers, bulk_file.
-- Creates schema "bench": a signal-type mix, the W1 customers and their
-- seed history, the same-shaped trigger-less tables the baselines write,
-- the bulk source rows (also written to :bulk_file for COPY) and the reset
-- functions that put the database back into the same state before every
-- timed run.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;

-- Realistic mix of signal types, in per mille (sums to 1000): mostly mild
-- communication and payment signals, rare severe ones (order cuts above
-- 50 %, competitor deals and termination notices force a level on their own).
CREATE TABLE bench.type_mix (idx int PRIMARY KEY, code text NOT NULL, permille numeric NOT NULL);
INSERT INTO bench.type_mix VALUES
	(1, 'late_payment', 140), (2, 'complaint', 120), (3, 'cold_response', 120),
	(4, 'interaction_drop', 120), (5, 'event_declined', 80), (6, 'demand_unanswered', 60),
	(7, 'dissatisfaction', 60), (8, 'contact_change', 50), (9, 'expansion_refused', 40),
	(10, 'complaint_unresolved', 40), (11, 'competitor_contact', 40), (12, 'business_change', 30),
	(13, 'project_paused', 30), (14, 'order_cut', 30), (15, 'negative_review', 20),
	(16, 'renewal_refused', 15), (17, 'competitor_deal', 8), (18, 'termination_notice', 2);
-- cumulative upper bound per type, for picking one from a number in 1..1000
CREATE VIEW bench.type_pick AS
	SELECT idx, code, sum(permille) OVER (ORDER BY idx) AS hi FROM bench.type_mix;
CREATE FUNCTION bench.pick_type(r float8) RETURNS text LANGUAGE sql STABLE
	RETURN (SELECT code FROM bench.type_pick WHERE hi >= r * 1000 ORDER BY idx LIMIT 1);

-- Customers: W1's 10,000 ("w1-N") and the bulk workload's ("b-N");
-- 80 % ordinary, 15 % important, 5 % core.
INSERT INTO churnwarn.customer (customer_id, name, tier, annual_value, department, owner)
SELECT 'w1-' || i, 'Customer ' || i,
	CASE WHEN i % 20 = 0 THEN 'core' WHEN i % 20 < 4 THEN 'important' ELSE 'ordinary' END,
	(i % 997) * 1000, 'sales-' || (i % 7), 'owner-' || (i % 50)
FROM generate_series(1, :w1_customers) i;
INSERT INTO churnwarn.customer (customer_id, name, tier, annual_value, department, owner)
SELECT 'b-' || i, 'Bulk customer ' || i,
	CASE WHEN i % 20 = 0 THEN 'core' WHEN i % 20 < 4 THEN 'important' ELSE 'ordinary' END,
	(i % 997) * 1000, 'sales-' || (i % 7), 'owner-' || (i % 50)
FROM generate_series(1, :bulk_customers) i;

-- The W1 baseline: a table of the same shape as churnwarn.signal (columns,
-- defaults, checks, indexes, the same two foreign keys) with no trigger.
CREATE TABLE bench.signal_plain (LIKE churnwarn.signal INCLUDING ALL);
ALTER TABLE bench.signal_plain
	ADD FOREIGN KEY (customer_id) REFERENCES churnwarn.customer ON UPDATE CASCADE,
	ADD FOREIGN KEY (signal_type) REFERENCES churnwarn.signal_type ON UPDATE CASCADE;
-- The W4 twin: the same again; bench/plpgsql_twin.sql adds its trigger.
CREATE TABLE bench.signal_twin (LIKE churnwarn.signal INCLUDING ALL);
ALTER TABLE bench.signal_twin
	ADD FOREIGN KEY (customer_id) REFERENCES churnwarn.customer ON UPDATE CASCADE,
	ADD FOREIGN KEY (signal_type) REFERENCES churnwarn.signal_type ON UPDATE CASCADE;

-- W1 seed history: three signals per customer over the last 180 days (40 %
-- already resolved), graded through the real trigger, so a W1 signal lands
-- on customers that already have a level and only some escalate.
SELECT setseed(0.42) \g /dev/null
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at, reported_at, source, detail, amount, status)
SELECT 'w1-' || c, t, o, o + interval '1 hour', 'manual', '{"seed": true}',
	CASE WHEN t = 'order_cut' THEN 10 + floor(random() * 70) END,
	CASE WHEN random() < 0.4 THEN 'resolved' ELSE 'open' END
FROM (SELECT c, bench.pick_type(random()) AS t,
			 now() - random() * interval '180 days' AS o
	  FROM generate_series(1, :w1_customers) c, generate_series(1, 3) k) s;
INSERT INTO bench.signal_plain SELECT * FROM churnwarn.signal;

CREATE TABLE bench.seed_signal AS SELECT * FROM churnwarn.signal;
CREATE TABLE bench.seed_grade AS SELECT * FROM churnwarn.customer_grade;
CREATE TABLE bench.seed_warning AS SELECT * FROM churnwarn.warning;
CREATE TABLE bench.seed_event AS SELECT * FROM churnwarn.warning_event;
CREATE TABLE bench.seed_history AS SELECT * FROM churnwarn.grade_history;

-- Bulk source: :bulk_signals signals for :bulk_customers customers in random
-- order, observed over five years; old ones mostly resolved, a few withdrawn.
CREATE TABLE bench.bulk_src AS
SELECT 'b-' || (1 + floor(random() * :bulk_customers)::int) AS customer_id,
	t AS signal_type, o AS observed_at, o + random() * interval '2 days' AS reported_at,
	'loader' AS reported_by, 'manual' AS source, '{"source": "import"}'::jsonb AS detail,
	CASE WHEN t = 'order_cut' THEN 10 + floor(random() * 70) END::numeric AS amount,
	CASE WHEN o > now() - interval '90 days'
		THEN CASE WHEN random() < 0.85 THEN 'open' ELSE 'resolved' END
		ELSE CASE WHEN random() < 0.75 THEN 'resolved' WHEN random() < 0.8 THEN 'open' ELSE 'withdrawn' END
	END AS status
FROM (SELECT bench.pick_type(random()) AS t,
			 now() - interval '3 days' - random() * interval '5 years' AS o
	  FROM generate_series(1, :bulk_signals)) s;
COPY bench.bulk_src TO :'bulk_file';

/*
 * reset_seed: churnwarn's data tables back to the W1 seed state (and the
 * baseline table to the same rows), without firing any trigger.
 */
CREATE PROCEDURE bench.reset_seed() LANGUAGE plpgsql AS $$
BEGIN
	-- replica role first: churnwarn's audited tables refuse TRUNCATE through
	-- an ordinary trigger; CASCADE takes the workflow records with them
	SET LOCAL session_replication_role = replica;
	TRUNCATE churnwarn.signal, churnwarn.warning_event, churnwarn.warning,
		churnwarn.grade_history, churnwarn.customer_grade, bench.signal_plain,
		bench.signal_twin, churnwarn.audit_log, churnwarn.audit_chain CASCADE;
	INSERT INTO churnwarn.signal SELECT * FROM bench.seed_signal;
	INSERT INTO bench.signal_plain SELECT * FROM bench.seed_signal;
	INSERT INTO churnwarn.customer_grade SELECT * FROM bench.seed_grade;
	INSERT INTO churnwarn.warning SELECT * FROM bench.seed_warning;
	INSERT INTO churnwarn.warning_event SELECT * FROM bench.seed_event;
	INSERT INTO churnwarn.grade_history SELECT * FROM bench.seed_history;
END $$;

/* reset_empty: no signals, every customer graded 0 (the bulk loads' start). */
CREATE PROCEDURE bench.reset_empty() LANGUAGE plpgsql AS $$
BEGIN
	-- replica role first: churnwarn's audited tables refuse TRUNCATE through
	-- an ordinary trigger; CASCADE takes the workflow records with them
	SET LOCAL session_replication_role = replica;
	TRUNCATE churnwarn.signal, churnwarn.warning_event, churnwarn.warning,
		churnwarn.grade_history, churnwarn.customer_grade, bench.signal_plain,
		bench.signal_twin, churnwarn.audit_log, churnwarn.audit_chain CASCADE;
	INSERT INTO churnwarn.customer_grade (customer_id, graded_at)
		SELECT customer_id, now() FROM churnwarn.customer;
	-- TRUNCATE records "0 rows" for the emptied tables, which a freshly
	-- created table does not: with it every plan cached during the load
	-- (churnwarn's and the foreign keys' alike) would scan the very tables
	-- the load fills, and the load would turn quadratic.  Put them back
	-- into the state of a fresh install ("never analyzed").
	UPDATE pg_catalog.pg_class SET reltuples = -1
	WHERE oid = ANY ('{churnwarn.signal, churnwarn.warning, churnwarn.warning_event,
		churnwarn.grade_history, churnwarn.audit_log, churnwarn.audit_chain,
		bench.signal_plain, bench.signal_twin}'::regclass[]);
END $$;

/*
 * explain_ms: median over n calls of planning + execution time (EXPLAIN
 * ANALYZE) of a query with one text parameter, taken from the rows of
 * params_sql in turn.
 */
CREATE FUNCTION bench.explain_ms(query text, params_sql text, n int) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
	p text;
	j json;
	t float8[] := '{}';
BEGIN
	FOR p IN EXECUTE params_sql || ' LIMIT ' || n LOOP
		EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) ' || replace(query, '$1', quote_literal(p)) INTO j;
		t := t || ((j->0->>'Planning Time')::float8 + (j->0->>'Execution Time')::float8);
	END LOOP;
	RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(t) x);
END $$;

/*
 * W6: customers "t6-1" .. "t6-<total>" (existing ones kept), the first
 * <active> of them with two open signals observed in the 120 days before
 * <at>; every customer's grade at 0, no warnings, no other signals.  Loaded
 * with churnwarn's triggers off (replica role): the tick that follows does
 * the grading.
 */
CREATE PROCEDURE bench.w6_load(total int, active int, at timestamptz) LANGUAGE plpgsql AS $$
BEGIN
	SET LOCAL session_replication_role = replica;
	TRUNCATE churnwarn.signal, churnwarn.warning_event, churnwarn.warning,
		churnwarn.grade_history, churnwarn.customer_grade, bench.signal_plain,
		bench.signal_twin, churnwarn.audit_log, churnwarn.audit_chain CASCADE;
	INSERT INTO churnwarn.customer (customer_id, name, tier, annual_value, department, owner)
	SELECT 't6-' || i, 'Tick customer ' || i,
		CASE WHEN i % 20 = 0 THEN 'core' WHEN i % 20 < 4 THEN 'important' ELSE 'ordinary' END,
		(i % 997) * 1000, 'sales-' || (i % 7), 'owner-' || (i % 50)
	FROM generate_series(1, total) i
	ON CONFLICT (customer_id) DO NOTHING;
	INSERT INTO churnwarn.customer_grade (customer_id, graded_at)
		SELECT customer_id, at FROM churnwarn.customer;
	PERFORM setseed(0.6);
	INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at, reported_at, source, detail, amount, status)
	SELECT 't6-' || c, t, o, o + interval '1 hour', 'manual', '{"w6": true}',
		CASE WHEN t = 'order_cut' THEN 10 + floor(random() * 70) END, 'open'
	FROM (SELECT c, bench.pick_type(random()) AS t, at - random() * interval '120 days' AS o
		  FROM generate_series(1, active) c, generate_series(1, 2) k) s;
	-- as in reset_empty: the emptied tables as on a fresh install
	UPDATE pg_catalog.pg_class SET reltuples = -1
	WHERE oid = ANY ('{churnwarn.warning, churnwarn.warning_event,
		churnwarn.grade_history, churnwarn.audit_log, churnwarn.audit_chain}'::regclass[]);
END $$;
