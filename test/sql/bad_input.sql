-- bad_input: every bad input gets a clear error with its SQLSTATE (shown
-- after each error) and changes nothing
\pset null '(null)'
\set SHOW_CONTEXT never
INSERT INTO churnwarn.customer (customer_id, name, created_at) VALUES ('ok1', 'Good Customer', '2026-01-01');
CREATE TEMP TABLE counts AS
SELECT (SELECT count(*) FROM churnwarn.signal) AS signals,
	(SELECT count(*) FROM churnwarn.warning) AS warnings,
	(SELECT count(*) FROM churnwarn.customer) AS customers,
	(SELECT count(*) FROM churnwarn.grade_history) AS history;

-- report_signal: unknown customer and signal type
SELECT churnwarn.report_signal('no-such-customer', 'complaint');
\echo :SQLSTATE
SELECT churnwarn.report_signal('ok1', 'no_such_type');
\echo :SQLSTATE
-- NULL in each required position
SELECT churnwarn.report_signal(NULL, 'complaint');
\echo :SQLSTATE
SELECT churnwarn.report_signal('ok1', NULL);
\echo :SQLSTATE
SELECT churnwarn.report_signal('ok1', 'complaint', NULL);
\echo :SQLSTATE
SELECT churnwarn.report_signal('ok1', 'complaint', now(), NULL);
\echo :SQLSTATE
-- empty and overlong customer keys
SELECT churnwarn.report_signal('', 'complaint');
\echo :SQLSTATE
SELECT churnwarn.report_signal(repeat('x', 201), 'complaint');
\echo :SQLSTATE
-- amounts: negative, NaN, infinite, too large
SELECT churnwarn.report_signal('ok1', 'late_payment', now(), '{}', NULL, -1);
\echo :SQLSTATE
SELECT churnwarn.report_signal('ok1', 'late_payment', now(), '{}', NULL, 'NaN');
\echo :SQLSTATE
SELECT churnwarn.report_signal('ok1', 'late_payment', now(), '{}', NULL, 'Infinity');
\echo :SQLSTATE
SELECT churnwarn.report_signal('ok1', 'late_payment', now(), '{}', NULL, '-Infinity');
\echo :SQLSTATE
SELECT churnwarn.report_signal('ok1', 'late_payment', now(), '{}', NULL, 1e20);
\echo :SQLSTATE
-- observation times: future, infinite
SELECT churnwarn.report_signal('ok1', 'complaint', '2999-01-01 00:00+00');
\echo :SQLSTATE
SELECT churnwarn.report_signal('ok1', 'complaint', 'infinity');
\echo :SQLSTATE
SELECT churnwarn.report_signal('ok1', 'complaint', '-infinity');
\echo :SQLSTATE
-- detail that is not a JSON object
SELECT churnwarn.report_signal('ok1', 'complaint', now(), '[1, 2]');
\echo :SQLSTATE
SELECT churnwarn.report_signal('ok1', 'complaint', now(), '"text"');
\echo :SQLSTATE
SELECT churnwarn.report_signal('ok1', 'complaint', now(), 'null');
\echo :SQLSTATE

-- resolve and withdraw
SELECT churnwarn.resolve_signal(NULL);
\echo :SQLSTATE
SELECT churnwarn.resolve_signal(999999);
\echo :SQLSTATE
SELECT churnwarn.withdraw_signal(999999, 'why');
\echo :SQLSTATE
SELECT churnwarn.withdraw_signal(1, NULL);
\echo :SQLSTATE
SELECT churnwarn.withdraw_signal(1, '');
\echo :SQLSTATE

-- grade and explain
SELECT churnwarn.grade(NULL);
\echo :SQLSTATE
SELECT churnwarn.grade('no-such-customer');
\echo :SQLSTATE
SELECT churnwarn.explain('no-such-customer');
\echo :SQLSTATE

-- schemes
SELECT churnwarn.use_scheme('five_level');
\echo :SQLSTATE
SELECT churnwarn.use_scheme(NULL);
\echo :SQLSTATE
SELECT scheme FROM churnwarn.settings;

-- rows written straight into the tables
INSERT INTO churnwarn.customer (customer_id, tier, created_at) VALUES ('bad1', 'platinum', '2026-01-01');
\echo :SQLSTATE
INSERT INTO churnwarn.customer (customer_id, annual_value, created_at) VALUES ('bad2', -100, '2026-01-01');
\echo :SQLSTATE
INSERT INTO churnwarn.customer (customer_id, annual_value, created_at) VALUES ('bad3', 'NaN', '2026-01-01');
\echo :SQLSTATE
INSERT INTO churnwarn.customer (customer_id, status, created_at) VALUES ('bad4', 'lost', '2026-01-01');
\echo :SQLSTATE
INSERT INTO churnwarn.customer (customer_id, status, created_at) VALUES ('bad5', 'terminated', '2026-01-01');
\echo :SQLSTATE
INSERT INTO churnwarn.customer (customer_id, created_at) VALUES ('', '2026-01-01');
\echo :SQLSTATE
UPDATE churnwarn.customer SET annual_value = -1 WHERE customer_id = 'ok1';
\echo :SQLSTATE
INSERT INTO churnwarn.signal (id, customer_id, signal_type, observed_at, reported_at, detail)
	VALUES (-1, 'ok1', 'complaint', '2026-01-02', '2026-01-02', '[]');
\echo :SQLSTATE
INSERT INTO churnwarn.signal (id, customer_id, signal_type, observed_at, reported_at, amount)
	VALUES (-2, 'ok1', 'order_cut', '2026-01-02', '2026-01-02', -5);
\echo :SQLSTATE
INSERT INTO churnwarn.signal (id, customer_id, signal_type, observed_at, reported_at)
	VALUES (-3, 'ok1', 'complaint', '2026-01-02 12:00', '2026-01-02 11:00');
\echo :SQLSTATE
INSERT INTO churnwarn.signal (id, customer_id, signal_type, observed_at, reported_at, status)
	VALUES (-4, 'ok1', 'complaint', '2026-01-02', '2026-01-02', 'maybe');
\echo :SQLSTATE
INSERT INTO churnwarn.signal (customer_id, signal_type) VALUES ('nobody', 'complaint');
\echo :SQLSTATE

-- configuration that cannot grade is refused when it is written
UPDATE churnwarn.scheme_level SET min_score = 1 WHERE scheme = 'three_level' AND level = 2;
\echo :SQLSTATE
DELETE FROM churnwarn.scheme_level WHERE scheme = 'three_level' AND level = 1;
\echo :SQLSTATE
UPDATE churnwarn.signal_type SET weight = -1 WHERE code = 'complaint';
\echo :SQLSTATE
UPDATE churnwarn.tier SET score_factor = 0.5 WHERE tier = 'core';
\echo :SQLSTATE

-- trigger functions refuse to be misused
SELECT churnwarn.signal_trigger();
\echo :SQLSTATE
CREATE TABLE public.not_a_signal (customer_id text);
CREATE TRIGGER misuse BEFORE INSERT ON public.not_a_signal
	FOR EACH ROW EXECUTE FUNCTION churnwarn.signal_trigger();
INSERT INTO public.not_a_signal VALUES ('ok1');
\echo :SQLSTATE
DROP TABLE public.not_a_signal;
CREATE TABLE public.not_a_config (tbl text);
CREATE TRIGGER misuse AFTER INSERT ON public.not_a_config
	FOR EACH ROW EXECUTE FUNCTION churnwarn.watch_config_shape();
INSERT INTO public.not_a_config VALUES ('pg_class');
\echo :SQLSTATE
DROP TABLE public.not_a_config;

-- the lock-order helpers refuse a NULL customer (no configuration chain)
SELECT churnwarn.hold_chain(NULL);
\echo :SQLSTATE
SELECT churnwarn.hold_customer(NULL, true);
\echo :SQLSTATE

-- nothing changed
SELECT (SELECT count(*) FROM churnwarn.signal) = signals AS signals_unchanged,
	(SELECT count(*) FROM churnwarn.warning) = warnings AS warnings_unchanged,
	(SELECT count(*) FROM churnwarn.customer) = customers AS customers_unchanged,
	(SELECT count(*) FROM churnwarn.grade_history) = history AS history_unchanged
FROM counts;
SELECT annual_value FROM churnwarn.customer WHERE customer_id = 'ok1';
SELECT min_score FROM churnwarn.scheme_level WHERE scheme = 'three_level' ORDER BY level;
DELETE FROM churnwarn.customer;
