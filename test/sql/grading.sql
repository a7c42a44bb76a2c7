-- grading: the Art. 11 examples in both schemes, decay, resolved signals,
-- tiers, floors, hysteresis, scope, monotonicity and explain()'s accounting.
-- Each scenario runs in one transaction so now() - observed_at is exact.
\pset null '(null)'

-- helper: a customer with the given signals (type:amount:status), graded
CREATE FUNCTION pg_temp.scenario(id text, tier text, sigs text[])
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
	s text; parts text[]; sid bigint;
BEGIN
	INSERT INTO churnwarn.customer (customer_id, name, tier) VALUES (id, 'Customer ' || id, tier);
	FOREACH s IN ARRAY sigs LOOP
		parts := string_to_array(s, ':');
		sid := churnwarn.report_signal(id, parts[1], now(), '{}',
			'tester', NULLIF(parts[2], '')::numeric);
		IF parts[3] = 'resolved' THEN
			PERFORM churnwarn.resolve_signal(sid, 'fixed');
		END IF;
	END LOOP;
	RETURN churnwarn.grade(id);
END $$;

BEGIN;
-- three_level (the default), ordinary customers
SELECT 'resolved complaint' AS example, pg_temp.scenario('a1', 'ordinary', '{complaint::resolved}') AS level
UNION ALL SELECT 'small late payment with a reason', pg_temp.scenario('a2', 'ordinary', '{late_payment:800:}')
UNION ALL SELECT 'order cut 40 %', pg_temp.scenario('a3', 'ordinary', '{order_cut:40:}')
UNION ALL SELECT 'order cut 50 %', pg_temp.scenario('a3b', 'ordinary', '{order_cut:50:}')
UNION ALL SELECT 'order cut 60 %', pg_temp.scenario('a4', 'ordinary', '{order_cut:60:}')
UNION ALL SELECT 'dissatisfied, refuses renewal', pg_temp.scenario('a5', 'ordinary', '{dissatisfaction::,renewal_refused::}')
UNION ALL SELECT 'unresolved complaints + competitor', pg_temp.scenario('a6', 'ordinary', '{complaint_unresolved::,complaint_unresolved::,competitor_contact::}')
UNION ALL SELECT 'termination notice', pg_temp.scenario('a7', 'ordinary', '{termination_notice::}')
UNION ALL SELECT 'core: quality failure, competitor deal', pg_temp.scenario('a8', 'core', '{complaint_unresolved::,dissatisfaction::,competitor_deal::}')
UNION ALL SELECT 'one event declined', pg_temp.scenario('a9', 'ordinary', '{event_declined::}');
-- the warnings they opened, one per graded customer
SELECT customer_id, status, proposed_level FROM churnwarn.warning ORDER BY customer_id;
ROLLBACK;

BEGIN;
SELECT churnwarn.use_scheme('four_level');
SELECT 'resolved complaint' AS example, pg_temp.scenario('b1', 'ordinary', '{complaint::resolved}') AS level
UNION ALL SELECT 'small late payment with a reason', pg_temp.scenario('b2', 'ordinary', '{late_payment:800:}')
UNION ALL SELECT 'cold response + interaction drop', pg_temp.scenario('b2b', 'ordinary', '{cold_response::,interaction_drop::,event_declined::}')
UNION ALL SELECT 'order cut 60 %', pg_temp.scenario('b4', 'ordinary', '{order_cut:60:}')
UNION ALL SELECT 'dissatisfied, refuses renewal', pg_temp.scenario('b5', 'ordinary', '{dissatisfaction::,renewal_refused::}')
UNION ALL SELECT 'unresolved complaints + competitor', pg_temp.scenario('b6', 'ordinary', '{complaint_unresolved::,complaint_unresolved::,competitor_contact::}')
UNION ALL SELECT 'termination notice', pg_temp.scenario('b7', 'ordinary', '{termination_notice::}');
ROLLBACK;

-- decay: a complaint's 4 points halve every 60 days; resolved counts half
BEGIN;
INSERT INTO churnwarn.customer (customer_id, tier) VALUES ('d1', 'ordinary'), ('d2', 'ordinary'), ('d3', 'ordinary');
SELECT churnwarn.report_signal('d1', 'complaint', now() - interval '60 days') > 0 AS reported;
SELECT churnwarn.report_signal('d2', 'complaint', now() - interval '120 days') > 0 AS reported;
SELECT churnwarn.report_signal('d3', 'termination_notice', now() - interval '3 years') > 0 AS reported;
SELECT customer_id, churnwarn.grade(customer_id) AS level,
	(churnwarn.explain(customer_id) #>> '{signals,0,decay}')::float8 AS decay,
	(churnwarn.explain(customer_id) #>> '{signals,0,points}')::float8 AS points
FROM churnwarn.customer WHERE customer_id IN ('d1', 'd2', 'd3') ORDER BY 1;
ROLLBACK;

-- tiers: the same 7 points are level 1 for ordinary, level 2 for core
BEGIN;
SELECT tier, pg_temp.scenario('t_' || tier, tier, '{project_paused::,cold_response::}') AS level
FROM churnwarn.tier ORDER BY rank;
SELECT customer_id, explain->'tier_factor' AS tier_factor, explain->'score' AS score
FROM (SELECT customer_id, churnwarn.explain(customer_id) AS explain
	FROM churnwarn.customer WHERE customer_id LIKE 't\_%') e ORDER BY 1;
-- a tier's level_raise lifts any non-zero level, capped at the top
UPDATE churnwarn.tier SET level_raise = 1 WHERE tier = 'core';
UPDATE churnwarn.customer SET name = 'renamed' WHERE customer_id = 't_core';
SELECT churnwarn.grade('t_core') AS core_level, churnwarn.grade('t_ordinary') AS ordinary_level;
-- changing the customer's tier regrades it in the trigger
UPDATE churnwarn.customer SET tier = 'core' WHERE customer_id = 't_ordinary';
SELECT level FROM churnwarn.customer_grade WHERE customer_id = 't_ordinary';
ROLLBACK;

-- hysteresis: level 2 is reached at 10 points and kept down to 9
BEGIN;
SELECT pg_temp.scenario('h1', 'ordinary', '{complaint_unresolved::,complaint::,event_declined::}') AS level_at_10;
SELECT churnwarn.resolve_signal(id) FROM churnwarn.signal
	WHERE customer_id = 'h1' AND signal_type = 'event_declined';
SELECT churnwarn.grade('h1') AS level_at_9_5,
	churnwarn.explain('h1') -> 'hysteresis' AS hysteresis,
	churnwarn.explain('h1') -> 'score' AS score;
-- a customer arriving at 9.5 from below stays at level 1
SELECT pg_temp.scenario('h2', 'ordinary', '{event_declined::resolved,complaint_unresolved::,complaint::}') AS level_from_below;
SELECT churnwarn.resolve_signal(id) FROM churnwarn.signal
	WHERE customer_id = 'h1' AND signal_type = 'complaint';
SELECT churnwarn.grade('h1') AS level_at_7_5;
SELECT from_level, to_level, round(score::numeric, 2) AS score FROM churnwarn.grade_history
	WHERE customer_id = 'h1' ORDER BY id;
ROLLBACK;

-- scope (Art. 2): terminated more than a year ago opens no warning
BEGIN;
INSERT INTO churnwarn.customer (customer_id, status, terminated_at) VALUES
	('s_old', 'terminated', now() - interval '13 months'),
	('s_recent', 'terminated', now() - interval '6 months');
SELECT churnwarn.report_signal('s_old', 'termination_notice') > 0 AS kept,
	churnwarn.report_signal('s_recent', 'termination_notice') > 0 AS kept;
SELECT customer_id, churnwarn.grade(customer_id) AS level,
	churnwarn.explain(customer_id) -> 'in_scope' AS in_scope,
	(SELECT count(*) FROM churnwarn.signal s WHERE s.customer_id = c.customer_id) AS signals,
	(SELECT count(*) FROM churnwarn.warning w WHERE w.customer_id = c.customer_id) AS warnings
FROM churnwarn.customer c WHERE customer_id LIKE 's\_%' ORDER BY 1;
-- reactivating the old customer brings it back into scope
UPDATE churnwarn.customer SET status = 'active', terminated_at = NULL WHERE customer_id = 's_old';
SELECT status, proposed_level FROM churnwarn.warning WHERE customer_id = 's_old';
ROLLBACK;

-- explain() accounts for every point: points sum to the severity, and
-- severity x difficulty x tier factor is the score
BEGIN;
SELECT pg_temp.scenario('x1', 'important', '{complaint::resolved,late_payment:100:,competitor_contact::,contact_change::,negative_review::}') AS level;
WITH e AS (SELECT churnwarn.explain('x1') AS j)
SELECT jsonb_array_length(j->'signals') AS signals,
	abs((SELECT sum((s->>'points')::float8) FROM jsonb_array_elements(j->'signals') s)
		- (j->>'severity')::float8) < 0.001 AS points_add_up,
	abs((j->>'severity')::float8 * (j->>'difficulty_factor')::float8 * (j->>'tier_factor')::float8
		- (j->>'score')::float8) < 0.001 AS score_adds_up,
	j->'open_categories' AS categories, j->'difficulty_factor' AS difficulty,
	j->'score' AS score, j->'level' AS level
FROM e;
ROLLBACK;

-- monotonicity: 300 random customers; adding a signal never lowers the
-- level, and the same signals on a higher tier are never graded lower
BEGIN;
SELECT setseed(0.42);
CREATE TEMP TABLE mono (id text, tier text, step int, level int);
DO $$
DECLARE
	types text[] := ARRAY(SELECT code FROM churnwarn.signal_type ORDER BY code);
	i int; k int; t text; tiers text[] := '{ordinary,important,core}';
	sig text; amt numeric;
BEGIN
	FOR i IN 1..100 LOOP
		FOREACH t IN ARRAY tiers LOOP
			INSERT INTO churnwarn.customer (customer_id, tier) VALUES ('m' || i || t, t);
		END LOOP;
		FOR k IN 1..6 LOOP
			sig := types[1 + floor(random() * array_length(types, 1))::int];
			amt := round((random() * 100)::numeric, 1);
			FOREACH t IN ARRAY tiers LOOP
				PERFORM churnwarn.report_signal('m' || i || t, sig, now(), '{}', NULL, amt);
				INSERT INTO mono VALUES ('m' || i, t, k, churnwarn.grade('m' || i || t));
			END LOOP;
		END LOOP;
	END LOOP;
END $$;
SELECT count(*) AS grades,
	count(*) FILTER (WHERE level < prev) AS lowered_by_a_signal
FROM (SELECT level, lag(level) OVER (PARTITION BY id, tier ORDER BY step) AS prev FROM mono) x
WHERE prev IS NOT NULL;
SELECT count(*) FILTER (WHERE o.level > i.level OR i.level > c.level) AS lowered_by_a_tier
FROM mono o JOIN mono i ON i.id = o.id AND i.step = o.step AND i.tier = 'important'
JOIN mono c ON c.id = o.id AND c.step = o.step AND c.tier = 'core'
WHERE o.tier = 'ordinary';
SELECT step, count(*) FILTER (WHERE level = 0) AS l0, count(*) FILTER (WHERE level = 1) AS l1,
	count(*) FILTER (WHERE level = 2) AS l2, count(*) FILTER (WHERE level = 3) AS l3
FROM mono GROUP BY step ORDER BY step;
ROLLBACK;

-- The pipeline's ledger rows are written without SQL, with the tables'
-- defaults and CHECK constraints planned once per backend: a constraint or
-- a default added later (here, in the same session) is honoured at once,
-- and dropping it again is followed too.
BEGIN;
INSERT INTO churnwarn.customer (customer_id, tier) VALUES ('ck1', 'core');
ALTER TABLE churnwarn.grade_history ADD CONSTRAINT test_small_score CHECK (score < 1);
\set VERBOSITY sqlstate
SAVEPOINT s;
SELECT churnwarn.report_signal('ck1', 'termination_notice', now(), '{}') > 0;
ROLLBACK TO SAVEPOINT s;
\set VERBOSITY default
ALTER TABLE churnwarn.grade_history DROP CONSTRAINT test_small_score;
ALTER TABLE churnwarn.warning_event ALTER COLUMN actor SET DEFAULT 'never used';
ALTER TABLE churnwarn.warning ALTER COLUMN department SET DEFAULT 'customer success';
SELECT churnwarn.report_signal('ck1', 'termination_notice', now(), '{}') > 0 AS reported;
SELECT w.department, e.event, e.actor IS NOT NULL AND e.actor <> 'never used' AS actor_recorded,
       h.to_level, h.explanation->>'level' AS explained_level
  FROM churnwarn.warning w
  JOIN churnwarn.warning_event e ON e.warning_id = w.id
  JOIN churnwarn.grade_history h ON h.warning_id = w.id
 WHERE w.customer_id = 'ck1';
SELECT count(*) AS audit_rows FROM churnwarn.audit_log
 WHERE customer_id = 'ck1' AND table_name IN ('churnwarn.warning', 'churnwarn.warning_event', 'churnwarn.grade_history');
ROLLBACK;

-- A statement touching many customers (64 or more) locks their grade rows
-- in key order and then reads all their signals in one pass, in the order
-- they lie in the table, instead of one index scan per customer: the same
-- signals written one statement per customer grade the same, for inserts
-- and for an update that withdraws some of them; and a signal written by a
-- trigger while those regrades run is seen by the regrade that follows.
-- Both read-ahead checks use two sides of 100 customers each and compare
-- them customer by customer.
CREATE FUNCTION pg_temp.pf_customers(a text, b text) RETURNS bigint LANGUAGE sql AS $$
WITH added AS (
	INSERT INTO churnwarn.customer (customer_id, tier)
	SELECT side || i, (ARRAY['ordinary', 'important', 'core'])[1 + i % 3]
	  FROM generate_series(1, 100) i, unnest(ARRAY[a, b]) side
	RETURNING 1)
SELECT count(*) FROM added $$;
CREATE FUNCTION pg_temp.pf_cmp(a text, b text, OUT customers bigint, OUT same_level bigint,
	OUT same_score bigint, OUT graded bigint) LANGUAGE sql AS $$
SELECT count(*),
       count(*) FILTER (WHERE ga.level = gb.level),
       count(*) FILTER (WHERE round(ga.score::numeric, 9) = round(gb.score::numeric, 9)),
       count(*) FILTER (WHERE ga.level > 0)
  FROM churnwarn.customer_grade ga
  JOIN churnwarn.customer_grade gb ON gb.customer_id = b || substr(ga.customer_id, length(a) + 1)
 WHERE ga.customer_id LIKE a || '%' $$;
BEGIN;
SELECT pg_temp.pf_customers('pfa-', 'pfb-') AS customers_added;
CREATE TEMP TABLE pf_src AS
SELECT c, k, (ARRAY['complaint', 'late_payment', 'order_cut', 'competitor_contact',
                    'cold_response', 'renewal_refused'])[1 + (c * 3 + k) % 6] AS t,
       now() - ((c + k * 37) % 200 || ' days')::interval AS obs,
       CASE WHEN (c + k) % 3 = 0 THEN 'resolved' ELSE 'open' END AS st
  FROM generate_series(1, 100) c, generate_series(1, 5) k;
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at, status, amount)
SELECT 'pfa-' || c, t, obs, st, CASE WHEN t = 'order_cut' THEN 60 END
  FROM pf_src ORDER BY (c * 7919 + k * 104729) % 1009;
-- each customer regraded once, for the last of its signals in the statement
-- (the rows come interleaved: a customer's first row is not its last)
SELECT count(*) AS changed,
       count(*) FILTER (WHERE h.signal_id = s.last_id) AS for_last_signal,
       count(*) FILTER (WHERE h.n = 1) AS once
  FROM (SELECT customer_id, max(id) AS last_id FROM churnwarn.signal
         WHERE customer_id LIKE 'pfa-%' GROUP BY customer_id) s
  JOIN LATERAL (SELECT max(signal_id) AS signal_id, count(*) AS n
                  FROM churnwarn.grade_history
                 WHERE customer_id = s.customer_id) h ON h.n > 0;
DO $$
DECLARE
	i int;
BEGIN
	FOR i IN 1..100 LOOP
		INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at, status, amount)
		SELECT 'pfb-' || c, t, obs, st, CASE WHEN t = 'order_cut' THEN 60 END
		  FROM pf_src WHERE c = i ORDER BY k;
	END LOOP;
END
$$;
SELECT * FROM pg_temp.pf_cmp('pfa-', 'pfb-');
UPDATE churnwarn.signal SET status = 'withdrawn', closed_at = now()
 WHERE customer_id LIKE 'pfa-%' AND signal_type = 'competitor_contact';
DO $$
DECLARE
	i int;
BEGIN
	FOR i IN 1..100 LOOP
		UPDATE churnwarn.signal SET status = 'withdrawn', closed_at = now()
		 WHERE customer_id = 'pfb-' || i AND signal_type = 'competitor_contact';
	END LOOP;
END
$$;
SELECT * FROM pg_temp.pf_cmp('pfa-', 'pfb-');
CREATE FUNCTION pg_temp.pf_echo() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.customer_id = 'pfa-1' THEN
		PERFORM churnwarn.report_signal('pfa-99', 'termination_notice', now(), '{}');
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER pf_echo AFTER INSERT ON churnwarn.grade_history
	FOR EACH ROW EXECUTE FUNCTION pg_temp.pf_echo();
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at)
SELECT 'pfa-' || i, 'termination_notice', now() FROM generate_series(1, 100) i;
SELECT (SELECT count(*) FROM churnwarn.signal WHERE customer_id = 'pfa-99'
          AND signal_type = 'termination_notice') AS pfa99_notices,
       g.level = churnwarn.grade('pfa-99') AS level_current,
       jsonb_array_length(jsonb_path_query_array(h.explanation,
           '$.signals[*] ? (@.type == "termination_notice")')) AS notices_explained
  FROM churnwarn.customer_grade g
  JOIN LATERAL (SELECT explanation FROM churnwarn.grade_history
                 WHERE customer_id = 'pfa-99' ORDER BY id DESC LIMIT 1) h ON true
 WHERE g.customer_id = 'pfa-99';
ROLLBACK;

-- The read-ahead holds no more signals at a time than fit in work_mem
-- (customers with long histories are read in several passes, a customer's
-- signals never split): with work_mem at its 64 kB minimum, 100 customers
-- with 40 signals each are read in passes whose memory, sampled at every
-- level change, stays within about twice work_mem (72-136 kB here, in
-- memory blocks that double; one pass over all 4,000 signals takes 512 kB),
-- and they grade as one statement per customer does.
BEGIN;
SELECT pg_temp.pf_customers('pfc-', 'pfd-') AS customers_added;
CREATE TEMP TABLE pf_long AS
SELECT c, k, (ARRAY['complaint', 'late_payment', 'cold_response', 'interaction_drop',
                    'dissatisfaction', 'event_declined'])[1 + (c * 5 + k) % 6] AS t,
       now() - ((c * 13 + k * 29) % 700 || ' days')::interval AS obs,
       CASE WHEN (c + k) % 4 = 0 THEN 'resolved' ELSE 'open' END AS st
  FROM generate_series(1, 100) c, generate_series(1, 40) k;
CREATE TEMP TABLE pf_mem (bytes bigint);
CREATE FUNCTION pg_temp.pf_mem() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO pf_mem
	SELECT coalesce(sum(total_bytes), 0) FROM pg_backend_memory_contexts
	 WHERE name = 'churnwarn prefetched signals';
	RETURN NULL;
END
$$;
CREATE TRIGGER pf_mem AFTER INSERT ON churnwarn.grade_history
	FOR EACH ROW EXECUTE FUNCTION pg_temp.pf_mem();
SET LOCAL work_mem = '64kB';
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at, status)
SELECT 'pfc-' || c, t, obs, st FROM pf_long ORDER BY (c * 7919 + k * 104729) % 4001;
RESET work_mem;
SELECT count(*) > 50 AS sampled, max(bytes) > 0 AS read_ahead,
       max(bytes) <= 384 * 1024 AS bounded
  FROM pf_mem;
DROP TRIGGER pf_mem ON churnwarn.grade_history;
DO $$
DECLARE
	i int;
BEGIN
	FOR i IN 1..100 LOOP
		INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at, status)
		SELECT 'pfd-' || c, t, obs, st FROM pf_long WHERE c = i ORDER BY k;
	END LOOP;
END
$$;
SELECT * FROM pg_temp.pf_cmp('pfc-', 'pfd-');
ROLLBACK;

-- A role that may read churnwarn's tables and report signals, used below.
CREATE ROLE regress_reporter;
GRANT USAGE ON SCHEMA churnwarn TO regress_reporter;
GRANT SELECT ON ALL TABLES IN SCHEMA churnwarn TO regress_reporter;
GRANT INSERT ON churnwarn.signal TO regress_reporter;
GRANT USAGE ON SEQUENCE churnwarn.signal_id_seq TO regress_reporter;
GRANT EXECUTE ON FUNCTION churnwarn.report_signal(text, text, timestamptz, jsonb, text, numeric) TO regress_reporter;

-- report_signal's own INSERT (through SPI, with the caller's privileges and
-- row security) is handed churnwarn.signal's CHECK plans kept per backend
-- instead of planning them again: a constraint added later in the session
-- is enforced at once and reported under its own name, NOT VALID ones
-- included, and a dropped one no longer is.
BEGIN;
INSERT INTO churnwarn.customer (customer_id) VALUES ('ck2');
SELECT churnwarn.report_signal('ck2', 'complaint', now(), '{}') > 0 AS reported;
\set VERBOSITY terse
ALTER TABLE churnwarn.signal ADD CONSTRAINT a_test_no_secret
	CHECK (NOT detail ? 'secret') NOT VALID;
SAVEPOINT s;
SELECT churnwarn.report_signal('ck2', 'complaint', now(), '{"secret": 1}');
ROLLBACK TO SAVEPOINT s;
ALTER TABLE churnwarn.signal ADD CONSTRAINT z_test_small CHECK (amount < 50);
SAVEPOINT s;
SELECT churnwarn.report_signal('ck2', 'order_cut', now(), '{}', NULL, 60);
ROLLBACK TO SAVEPOINT s;
SELECT churnwarn.report_signal('ck2', 'order_cut', now(), '{}', NULL, 40) > 0 AS within_check;
ALTER TABLE churnwarn.signal DROP CONSTRAINT a_test_no_secret;
SELECT churnwarn.report_signal('ck2', 'complaint', now(), '{"secret": 1}') > 0 AS check_dropped;
SAVEPOINT s;
SELECT churnwarn.report_signal('ck2', 'order_cut', now(), '{}', NULL, 60);
ROLLBACK TO SAVEPOINT s;
-- the same name with another expression
ALTER TABLE churnwarn.signal DROP CONSTRAINT z_test_small,
	ADD CONSTRAINT z_test_small CHECK (amount < 30) NOT VALID;
SAVEPOINT s;
SELECT churnwarn.report_signal('ck2', 'order_cut', now(), '{}', NULL, 40);
ROLLBACK TO SAVEPOINT s;
-- a change rolled back after the plans were made for it
SAVEPOINT s;
ALTER TABLE churnwarn.signal DROP CONSTRAINT z_test_small,
	ADD CONSTRAINT z_test_small CHECK (amount < 1000);
SELECT churnwarn.report_signal('ck2', 'order_cut', now(), '{}', NULL, 40) > 0 AS loosened;
ROLLBACK TO SAVEPOINT s;
SAVEPOINT s;
SELECT churnwarn.report_signal('ck2', 'order_cut', now(), '{}', NULL, 40);
ROLLBACK TO SAVEPOINT s;
-- a SQL function the plans inlined, replaced
ALTER TABLE churnwarn.signal DROP CONSTRAINT z_test_small;
CREATE FUNCTION public.cw_test_limit() RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT 50::numeric';
ALTER TABLE churnwarn.signal ADD CONSTRAINT z_test_limit CHECK (amount < public.cw_test_limit());
SELECT churnwarn.report_signal('ck2', 'order_cut', now(), '{}', NULL, 40) > 0 AS under_50;
CREATE OR REPLACE FUNCTION public.cw_test_limit() RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT 30::numeric';
SAVEPOINT s;
SELECT churnwarn.report_signal('ck2', 'order_cut', now(), '{}', NULL, 40);
ROLLBACK TO SAVEPOINT s;
-- plans made by one user are not used for another: the planner inlines a
-- SQL function only for a user who may execute it, so a role without that
-- right gets the error a plain INSERT would give it
REVOKE EXECUTE ON FUNCTION public.cw_test_limit() FROM PUBLIC;
SELECT churnwarn.report_signal('ck2', 'order_cut', now(), '{}', NULL, 20) > 0 AS as_owner;
SET ROLE regress_reporter;
SAVEPOINT s;
INSERT INTO churnwarn.signal (customer_id, signal_type, amount) VALUES ('ck2', 'order_cut', 20);
ROLLBACK TO SAVEPOINT s;
SAVEPOINT s;
SELECT churnwarn.report_signal('ck2', 'order_cut', now(), '{}', NULL, 20);
ROLLBACK TO SAVEPOINT s;
RESET ROLE;
\set VERBOSITY default
SELECT count(*) AS signals FROM churnwarn.signal WHERE customer_id = 'ck2';
ROLLBACK;

-- What a regrade writes in consequence of a signal is churnwarn's own
-- work: a role that may read churnwarn's tables and report signals, but not
-- write warnings itself, still gets the warning its signal opens.
BEGIN;
INSERT INTO churnwarn.customer (customer_id, tier) VALUES ('rp1', 'core');
SET ROLE regress_reporter;
SAVEPOINT s;
INSERT INTO churnwarn.warning (customer_id, scheme, proposed_level) VALUES ('rp1', 'three_level', 1);
ROLLBACK TO SAVEPOINT s;
SELECT churnwarn.report_signal('rp1', 'termination_notice', now(), '{}') > 0 AS reported;
SELECT w.status, w.proposed_level, g.level,
       (SELECT count(*) FROM churnwarn.grade_history h WHERE h.customer_id = 'rp1') AS history_rows,
       (SELECT count(*) FROM churnwarn.warning_event e WHERE e.customer_id = 'rp1') AS events
  FROM churnwarn.warning w JOIN churnwarn.customer_grade g USING (customer_id)
 WHERE w.customer_id = 'rp1';
RESET ROLE;
ROLLBACK;
DROP OWNED BY regress_reporter;
DROP ROLE regress_reporter;

-- A ledger or grade table altered into a shape the C code does not write or
-- read gets a clear error (55000), not a wrong value or a crash; a table or
-- index it needs that is gone gets 42P01.
BEGIN;
INSERT INTO churnwarn.customer (customer_id, tier) VALUES ('sh1', 'core');
\set VERBOSITY sqlstate
SAVEPOINT s;
ALTER TABLE churnwarn.grade_history ALTER COLUMN score TYPE numeric;
SELECT churnwarn.report_signal('sh1', 'termination_notice', now(), '{}') > 0;
ROLLBACK TO SAVEPOINT s;
ALTER TABLE churnwarn.signal ALTER COLUMN amount TYPE float8;
SELECT churnwarn.report_signal('sh1', 'termination_notice', now(), '{}') > 0;
ROLLBACK TO SAVEPOINT s;
DROP INDEX churnwarn.signal_customer_idx;
CREATE INDEX signal_customer_idx ON churnwarn.signal (id, customer_id);
SELECT churnwarn.report_signal('sh1', 'termination_notice', now(), '{}') > 0;
ROLLBACK TO SAVEPOINT s;
ALTER INDEX churnwarn.signal_customer_idx RENAME TO signal_customer_idx_old;
SELECT churnwarn.report_signal('sh1', 'termination_notice', now(), '{}') > 0;
ROLLBACK TO SAVEPOINT s;
ALTER TABLE churnwarn.grade_history RENAME TO grade_history_old;
SELECT churnwarn.report_signal('sh1', 'termination_notice', now(), '{}') > 0;
ROLLBACK TO SAVEPOINT s;
\set VERBOSITY default
ALTER TABLE churnwarn.grade_history ALTER COLUMN score TYPE numeric;
SELECT churnwarn.report_signal('sh1', 'termination_notice', now(), '{}') > 0;
ROLLBACK;
