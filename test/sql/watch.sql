-- watch: tables of the company's own CRM bound with churnwarn's trigger.
-- Every write path (INSERT, UPDATE, DELETE, COPY, ON CONFLICT, MERGE,
-- partitions with cross-partition UPDATE, TRUNCATE), every key and value
-- type, the customer master, renames and drops, and the older_than pass.
\pset null '(null)'
\set SHOW_CONTEXT never
SET client_min_messages = notice;
CREATE SCHEMA wt;

-- signals raised since the last call, in order
CREATE TEMP TABLE seen (id bigint PRIMARY KEY);
INSERT INTO seen SELECT id FROM churnwarn.signal;
CREATE FUNCTION pg_temp.new_signals()
RETURNS TABLE (customer_id text, signal_type text, source text, amount numeric,
	tbl text, col text, op text, old text, new text)
LANGUAGE sql AS $$
	WITH n AS (SELECT * FROM churnwarn.signal s
		WHERE NOT EXISTS (SELECT FROM seen WHERE seen.id = s.id)),
	ins AS (INSERT INTO seen SELECT id FROM n)
	SELECT customer_id, signal_type, source, round(amount, 1), detail->>'table',
		detail->>'column', detail->>'operation', detail->>'old', detail->>'new'
	FROM n ORDER BY n.id
$$;

------------------------------------------------------------------------
-- The customer master: existing rows are copied, then kept in step
------------------------------------------------------------------------
CREATE TABLE wt.crm (
	cust_no text PRIMARY KEY,
	company text,
	land text,
	segment text,
	revenue integer,
	account_manager text,
	state text,
	ended date,
	hold boolean,
	notes text
);
INSERT INTO wt.crm VALUES
	('C-1', 'Alpha Ltd', 'DE', 'core', 50000, 'ann', 'active', NULL, false, 'x'),
	('C-2', 'Beta plc', 'UK', NULL, 1200, 'bob', NULL, NULL, NULL, 'y');
SELECT churnwarn.watch('wt.crm', 'cust_no', '{"name": "company", "country": "land",
	"tier": "segment", "annual_value": "revenue", "owner": "account_manager",
	"status": "state", "terminated_at": "ended", "legal_hold": "hold"}');
SELECT tbl, key_column, is_master FROM churnwarn.watched_table;
SELECT field, column_name FROM churnwarn.watched_attribute ORDER BY field;
CREATE VIEW wt.customers AS
	SELECT customer_id, name, country, tier, annual_value, owner, status,
		terminated_at, legal_hold
	FROM churnwarn.customer WHERE customer_id LIKE 'C-%' ORDER BY customer_id;
SELECT * FROM wt.customers;
-- INSERT, UPDATE of a mapped column, of the key, and status changes
INSERT INTO wt.crm VALUES ('C-3', 'Gamma AG', 'CH', 'important', 9000, 'cy', 'active', NULL, true, NULL);
UPDATE wt.crm SET company = 'Alpha Group', segment = 'important' WHERE cust_no = 'C-1';
SELECT * FROM wt.customers;
-- an UPDATE of an unmapped column writes nothing to churnwarn.customer
SELECT xmin AS before_xmin FROM churnwarn.customer WHERE customer_id = 'C-1' \gset
UPDATE wt.crm SET notes = 'called them' WHERE cust_no = 'C-1';
SELECT xmin = :'before_xmin' AS customer_untouched FROM churnwarn.customer WHERE customer_id = 'C-1';
-- a new key renames the customer; its signals follow
SELECT churnwarn.report_signal('C-2', 'complaint') > 0 AS reported;
UPDATE wt.crm SET cust_no = 'C-2b' WHERE cust_no = 'C-2';
SELECT customer_id, signal_type FROM churnwarn.signal WHERE customer_id LIKE 'C-2%';
-- status from the master, with and without a termination date
UPDATE wt.crm SET state = 'terminated', ended = '2026-03-01' WHERE cust_no = 'C-3';
SELECT customer_id, status, terminated_at FROM churnwarn.customer WHERE customer_id = 'C-3';
-- DELETE keeps the customer's file and marks it terminated
DELETE FROM wt.crm WHERE cust_no = 'C-2b';
SELECT customer_id, status, terminated_at IS NOT NULL AS has_end FROM churnwarn.customer
WHERE customer_id = 'C-2b';
-- a NULL customer key is not a customer
ALTER TABLE wt.crm DROP CONSTRAINT crm_pkey, ALTER COLUMN cust_no DROP NOT NULL;
INSERT INTO wt.crm (cust_no, company) VALUES (NULL, 'Nobody');
SELECT count(*) AS customers_without_key FROM churnwarn.customer WHERE name = 'Nobody';
DELETE FROM wt.crm WHERE cust_no IS NULL;
ALTER TABLE wt.crm ADD PRIMARY KEY (cust_no);
-- a master row that violates churnwarn's constraints is refused with it
INSERT INTO wt.crm (cust_no, company, segment) VALUES ('C-9', 'Bad Tier', 'platinum');
\echo :SQLSTATE

------------------------------------------------------------------------
-- Rules on an ordinary table: each condition
------------------------------------------------------------------------
CREATE TABLE wt.orders (
	order_id serial PRIMARY KEY,
	customer bigint,
	amount numeric,
	qty integer,
	state text,
	priority smallint,
	due date
);
SELECT churnwarn.watch('wt.orders', 'customer');
SELECT churnwarn.add_rule('wt.orders', 'amount', 'drop_pct', '50', 'order_cut') AS drop_rule,
	churnwarn.add_rule('wt.orders', 'state', 'equals', 'paused', 'project_paused') AS paused_rule,
	churnwarn.add_rule('wt.orders', 'qty', 'below', '5', 'interaction_drop') AS below_rule,
	churnwarn.add_rule('wt.orders', 'priority', 'above', '3', 'complaint') AS above_rule,
	churnwarn.add_rule('wt.orders', 'state', 'changed', NULL, 'business_change') AS changed_rule;
SELECT column_name, condition, threshold, signal_type FROM churnwarn.watch_rule
WHERE tbl = 'wt.orders'::regclass ORDER BY id;
-- INSERT: conditions on the new row alone; unknown customers get a stub row
INSERT INTO wt.orders (customer, amount, qty, state, priority)
VALUES (101, 1000, 10, 'open', 1), (102, 500, 2, NULL, 5);
SELECT * FROM pg_temp.new_signals();
SELECT customer_id, status FROM churnwarn.customer WHERE customer_id IN ('101', '102') ORDER BY 1;
-- UPDATE: drop of 60 % (amount = the drop), equals, below crossing
UPDATE wt.orders SET amount = 400 WHERE customer = 101;
UPDATE wt.orders SET state = 'paused', qty = 4 WHERE customer = 101;
SELECT * FROM pg_temp.new_signals();
-- staying below, staying paused, a 40 % drop, an unrelated column: nothing
UPDATE wt.orders SET qty = 3 WHERE customer = 101;
UPDATE wt.orders SET amount = 240 WHERE customer = 101;
UPDATE wt.orders SET due = '2026-01-01';
SELECT count(*) AS nothing_raised FROM pg_temp.new_signals();
-- NULL transitions: changed fires both ways, equals does not fire on NULL,
-- drop_pct needs both values
UPDATE wt.orders SET state = NULL, amount = NULL WHERE customer = 101;
UPDATE wt.orders SET state = 'paused', amount = 10 WHERE customer = 101;
SELECT * FROM pg_temp.new_signals();
-- a row without a customer raises nothing
INSERT INTO wt.orders (customer, state) VALUES (NULL, 'paused');
SELECT count(*) AS nothing_raised FROM pg_temp.new_signals();
-- DELETE raises nothing
DELETE FROM wt.orders WHERE customer IS NULL;
SELECT count(*) AS nothing_raised FROM pg_temp.new_signals();
-- a rolled-back change leaves no signal; a rolled-back savepoint neither
BEGIN;
UPDATE wt.orders SET state = 'open' WHERE customer = 102;
SAVEPOINT s;
UPDATE wt.orders SET state = 'paused' WHERE customer = 102;
ROLLBACK TO s;
COMMIT;
SELECT * FROM pg_temp.new_signals();
-- the signals grade the customer through the usual triggers
SELECT churnwarn.grade('101') > 0 AS graded;

------------------------------------------------------------------------
-- Write paths: COPY, INSERT ... ON CONFLICT, MERGE, multi-row statements
------------------------------------------------------------------------
COPY wt.orders (customer, amount, qty, state, priority) FROM stdin;
201	100	10	open	9
202	100	1	paused	1
\.
SELECT * FROM pg_temp.new_signals();
INSERT INTO wt.orders (order_id, customer, amount, state)
SELECT order_id, customer, 10, 'paused' FROM wt.orders WHERE customer = 201
ON CONFLICT (order_id) DO UPDATE SET amount = excluded.amount, state = excluded.state;
SELECT * FROM pg_temp.new_signals();
INSERT INTO wt.orders (order_id, customer, amount, qty) VALUES (1000, 203, 50, 1)
ON CONFLICT (order_id) DO NOTHING;
SELECT * FROM pg_temp.new_signals();
CREATE TEMP TABLE changes (customer bigint, amount numeric);
INSERT INTO changes VALUES (202, 20), (204, 70), (203, NULL);
MERGE INTO wt.orders o USING changes c ON o.customer = c.customer
WHEN MATCHED AND c.amount IS NULL THEN DELETE
WHEN MATCHED THEN UPDATE SET amount = c.amount
WHEN NOT MATCHED THEN INSERT (customer, amount, qty) VALUES (c.customer, c.amount, 0);
SELECT * FROM pg_temp.new_signals();
SELECT count(*) AS orders_of_203 FROM wt.orders WHERE customer = 203;

------------------------------------------------------------------------
-- Key and value types: int, bigint, numeric, text, uuid, date, timestamptz
------------------------------------------------------------------------
CREATE TABLE wt.k_int (k integer, v integer);
CREATE TABLE wt.k_bigint (k bigint, v bigint);
CREATE TABLE wt.k_numeric (k numeric, v numeric);
CREATE TABLE wt.k_text (k text, v text);
CREATE TABLE wt.k_uuid (k uuid, v uuid);
CREATE TABLE wt.k_date (k date, v date);
CREATE TABLE wt.k_timestamptz (k timestamptz, v timestamptz);
SELECT churnwarn.watch(t, 'k') FROM unnest('{wt.k_int,wt.k_bigint,wt.k_numeric,wt.k_text,wt.k_uuid,wt.k_date,wt.k_timestamptz}'::regclass[]) t;
SELECT churnwarn.add_rule('wt.k_int', 'v', 'above', '10', 'complaint') > 0,
	churnwarn.add_rule('wt.k_bigint', 'v', 'drop_pct', '25', 'order_cut') > 0,
	churnwarn.add_rule('wt.k_numeric', 'v', 'below', '0.5', 'interaction_drop') > 0,
	churnwarn.add_rule('wt.k_text', 'v', 'equals', 'lost', 'competitor_deal') > 0,
	churnwarn.add_rule('wt.k_uuid', 'v', 'changed', NULL, 'contact_change') > 0,
	churnwarn.add_rule('wt.k_uuid', 'v', 'equals', '00000000-0000-0000-0000-000000000000', 'demand_unanswered') > 0,
	churnwarn.add_rule('wt.k_date', 'v', 'above', '2026-06-30', 'renewal_refused') > 0,
	churnwarn.add_rule('wt.k_timestamptz', 'v', 'below', '2020-01-01 00:00+00', 'cold_response') > 0;
INSERT INTO wt.k_int VALUES (7, 5), (NULL, 50);
UPDATE wt.k_int SET v = 11;
INSERT INTO wt.k_bigint VALUES (9000000000, 1000);
UPDATE wt.k_bigint SET v = 750;
INSERT INTO wt.k_numeric VALUES (12.50, 1), (13, NULL);
UPDATE wt.k_numeric SET v = 0.25;
INSERT INTO wt.k_text VALUES ('t-1', 'won');
UPDATE wt.k_text SET v = 'lost';
INSERT INTO wt.k_uuid VALUES ('6ba7b810-9dad-11d1-80b4-00c04fd430c8', NULL);
UPDATE wt.k_uuid SET v = '00000000-0000-0000-0000-000000000000';
INSERT INTO wt.k_date VALUES ('2026-02-03', '2026-01-01');
UPDATE wt.k_date SET v = '2026-07-01';
INSERT INTO wt.k_timestamptz VALUES ('2026-02-03 04:05:06+00', '2021-01-01 00:00+00');
UPDATE wt.k_timestamptz SET v = '2019-12-31 23:00+00';
UPDATE wt.k_timestamptz SET v = NULL;
SELECT customer_id, signal_type, amount, tbl, old, new FROM pg_temp.new_signals();

------------------------------------------------------------------------
-- Partitioned tables: the trigger sits on the parent, partitions inherit
-- it (also those created later); a cross-partition UPDATE is seen as one
-- UPDATE
------------------------------------------------------------------------
CREATE TABLE wt.payments (customer text, region text, overdue numeric, paid_on date)
	PARTITION BY LIST (region);
CREATE TABLE wt.payments_eu PARTITION OF wt.payments FOR VALUES IN ('EU');
-- a partition with another column order (other attribute numbers)
CREATE TABLE wt.payments_us (paid_on date, overdue numeric, region text, customer text);
ALTER TABLE wt.payments ATTACH PARTITION wt.payments_us FOR VALUES IN ('US');
SELECT churnwarn.watch('wt.payments', 'customer');
SELECT churnwarn.add_rule('wt.payments', 'overdue', 'above', '1000', 'late_payment') > 0 AS added;
CREATE TABLE wt.payments_apac PARTITION OF wt.payments FOR VALUES IN ('APAC');
SELECT c.relname, t.tgname, t.tgparentid <> 0 AS cloned
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relname LIKE 'payments%' AND t.tgname LIKE 'churnwarn%' ORDER BY 1, 2;
INSERT INTO wt.payments VALUES ('P-1', 'EU', 10, NULL), ('P-2', 'US', 2000, NULL), ('P-3', 'APAC', 0, NULL);
-- move without a change of the rule column: nothing
UPDATE wt.payments SET region = 'US' WHERE customer = 'P-1';
-- move that crosses the threshold: raised once, as an UPDATE
UPDATE wt.payments SET region = 'APAC', overdue = 5000 WHERE customer = 'P-1';
-- move of a row already above: nothing
UPDATE wt.payments SET region = 'EU' WHERE customer = 'P-2';
UPDATE wt.payments SET overdue = 1500 WHERE customer = 'P-3';
SELECT customer_id, signal_type, tbl, op, old, new FROM pg_temp.new_signals();
SELECT tableoid::regclass, * FROM wt.payments ORDER BY customer;
-- a partitioned customer master: moving a customer between partitions does
-- not terminate it
CREATE TABLE wt.accounts (id integer, region text, name text) PARTITION BY LIST (region);
CREATE TABLE wt.accounts_a PARTITION OF wt.accounts FOR VALUES IN ('a');
CREATE TABLE wt.accounts_b PARTITION OF wt.accounts FOR VALUES IN ('b');
SELECT churnwarn.watch('wt.accounts', 'id', '{"name": "name", "region": "region"}');
INSERT INTO wt.accounts VALUES (501, 'a', 'Moving Co');
UPDATE wt.accounts SET region = 'b' WHERE id = 501;
SELECT customer_id, name, region, status FROM churnwarn.customer WHERE customer_id = '501';
UPDATE wt.accounts SET region = 'a', id = 502 WHERE id = 501;
SELECT customer_id, name, region, status FROM churnwarn.customer WHERE customer_id IN ('501', '502');
DELETE FROM wt.accounts;
SELECT customer_id, status FROM churnwarn.customer WHERE customer_id IN ('501', '502');
-- watching a partition of a watched table is refused, and so is watching
-- the partitioned table of a partition watched on its own
SELECT churnwarn.watch('wt.payments_eu', 'customer');
\echo :SQLSTATE
CREATE TABLE wt.visits (customer text, channel text) PARTITION BY LIST (channel);
CREATE TABLE wt.visits_web PARTITION OF wt.visits FOR VALUES IN ('web');
SELECT churnwarn.watch('wt.visits_web', 'customer');
SELECT churnwarn.watch('wt.visits', 'customer');
\echo :SQLSTATE
SELECT churnwarn.unwatch('wt.visits_web');
DROP TABLE wt.visits;

------------------------------------------------------------------------
-- TRUNCATE is refused on a watched table and on its partitions
------------------------------------------------------------------------
TRUNCATE wt.orders;
\echo :SQLSTATE
TRUNCATE wt.payments;
\echo :SQLSTATE
TRUNCATE wt.payments_apac;
\echo :SQLSTATE
SELECT count(*) AS still_there FROM wt.payments;

------------------------------------------------------------------------
-- Schema changes: renames are followed, dropped columns drop their rules
------------------------------------------------------------------------
ALTER TABLE wt.orders RENAME COLUMN amount TO order_value;
ALTER TABLE wt.orders RENAME COLUMN customer TO client;
ALTER TABLE wt.orders RENAME TO purchase_orders;
SELECT tbl, key_column FROM churnwarn.watched_table WHERE tbl = 'wt.purchase_orders'::regclass;
SELECT column_name, condition FROM churnwarn.watch_rule
WHERE tbl = 'wt.purchase_orders'::regclass ORDER BY id;
UPDATE wt.purchase_orders SET order_value = 1 WHERE client = 204;
SELECT customer_id, signal_type, tbl, col, old, new FROM pg_temp.new_signals();
-- a column added between statements: the cached metadata is rebuilt
ALTER TABLE wt.purchase_orders ADD COLUMN channel text;
SELECT churnwarn.add_rule('wt.purchase_orders', 'channel', 'equals', 'none', 'cold_response') > 0 AS added;
UPDATE wt.purchase_orders SET channel = 'none' WHERE client = 201;
SELECT customer_id, signal_type, col FROM pg_temp.new_signals();
-- renamed master columns keep feeding the customer
ALTER TABLE wt.crm RENAME COLUMN company TO legal_name;
UPDATE wt.crm SET legal_name = 'Alpha Holding' WHERE cust_no = 'C-1';
SELECT customer_id, name FROM churnwarn.customer WHERE customer_id = 'C-1';
-- dropping a rule column removes its rules with a NOTICE
ALTER TABLE wt.purchase_orders DROP COLUMN priority;
SELECT column_name, condition FROM churnwarn.watch_rule
WHERE tbl = 'wt.purchase_orders'::regclass ORDER BY id;
UPDATE wt.purchase_orders SET qty = 0;
SELECT customer_id, signal_type, col FROM pg_temp.new_signals();
-- dropping a mapped master column stops feeding that field, with a NOTICE
ALTER TABLE wt.crm DROP COLUMN land;
SELECT field FROM churnwarn.watched_attribute WHERE tbl = 'wt.crm'::regclass ORDER BY field;
UPDATE wt.crm SET legal_name = 'Alpha' WHERE cust_no = 'C-1';
SELECT customer_id, name, country FROM churnwarn.customer WHERE customer_id = 'C-1';
-- dropping the customer key column is refused
ALTER TABLE wt.purchase_orders DROP COLUMN client;
\echo :SQLSTATE
-- dropping the table drops its rules
SELECT count(*) AS rules_before FROM churnwarn.watch_rule WHERE tbl = 'wt.k_int'::regclass;
DROP TABLE wt.k_int;
SELECT count(*) AS k_int_watched FROM churnwarn.watched_table WHERE tbl::text LIKE '%k_int%';
SELECT count(*) AS dangling_rules FROM churnwarn.watch_rule r
WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = r.tbl);

------------------------------------------------------------------------
-- The watch trigger lists its columns (UPDATE OF): an UPDATE that names
-- none of the key, mapped fields and rule columns does not reach it; a
-- BEFORE UPDATE row trigger, which may change any column, makes it fire on
-- every UPDATE; configuration and DDL keep the list right
------------------------------------------------------------------------
CREATE FUNCTION pg_temp.watch_trigger_def(t regclass) RETURNS text
LANGUAGE sql AS $$
	SELECT pg_catalog.regexp_replace(pg_get_triggerdef(oid), ' FOR EACH.*', '')
	FROM pg_trigger WHERE tgrelid = t AND tgname = 'churnwarn_watch'
$$;
-- renamed columns are named by their new names, dropped ones are gone
SELECT pg_temp.watch_trigger_def('wt.purchase_orders');
SELECT pg_temp.watch_trigger_def('wt.crm');
-- a partitioned table: the clones list the same columns
SELECT c.relname, pg_temp.watch_trigger_def(c.oid) FROM pg_class c
WHERE c.relname LIKE 'payments%' AND c.relnamespace = 'wt'::regnamespace ORDER BY 1;
-- the columns need no dependency: the type of a rule column still changes
ALTER TABLE wt.purchase_orders ALTER COLUMN qty TYPE bigint;
-- calls of the trigger function, counted in this transaction
SET track_functions = 'all';
BEGIN;
UPDATE wt.purchase_orders SET due = '2026-02-01';
SELECT coalesce(pg_stat_get_xact_function_calls('churnwarn.watch_trigger'::regproc), 0) AS calls_unlisted_column;
UPDATE wt.purchase_orders SET qty = qty WHERE client = 201;
SELECT pg_stat_get_xact_function_calls('churnwarn.watch_trigger'::regproc) AS calls_after_rule_column;
COMMIT;
-- a BEFORE UPDATE trigger that pauses an order due in the past: the
-- watch trigger fires on every UPDATE, and the pause raises its signal
CREATE FUNCTION wt.pause_overdue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.due < '2026-01-01' THEN
		NEW.state := 'paused';
	END IF;
	RETURN NEW;
END
$$;
UPDATE wt.purchase_orders SET state = 'open' WHERE client = 201;
SELECT count(*) AS reset FROM pg_temp.new_signals();
CREATE TRIGGER pause_overdue BEFORE UPDATE ON wt.purchase_orders
	FOR EACH ROW EXECUTE FUNCTION wt.pause_overdue();
SELECT pg_temp.watch_trigger_def('wt.purchase_orders');
UPDATE wt.purchase_orders SET due = '2025-12-01' WHERE client = 201;
SELECT customer_id, signal_type, col, op, old, new FROM pg_temp.new_signals();
-- dropped again: the list is back
DROP TRIGGER pause_overdue ON wt.purchase_orders;
SELECT pg_temp.watch_trigger_def('wt.purchase_orders');
-- on one partition only: that partition's clone fires on every UPDATE
-- (row triggers fire on the partition holding the row, with its own
-- triggers); the others keep the list
CREATE TRIGGER pause_overdue BEFORE UPDATE ON wt.payments_us
	FOR EACH ROW EXECUTE FUNCTION wt.pause_overdue();
SELECT c.relname, pg_temp.watch_trigger_def(c.oid) FROM pg_class c
WHERE c.relname LIKE 'payments%' AND c.relnamespace = 'wt'::regnamespace ORDER BY 1;
DROP TRIGGER pause_overdue ON wt.payments_us;
SELECT pg_temp.watch_trigger_def('wt.payments');
-- a rule stored directly in churnwarn.watch_rule (a restore, a DBA's
-- script) puts its column in the list, and fires
INSERT INTO churnwarn.watch_rule (tbl, column_name, condition, threshold, signal_type)
VALUES ('wt.purchase_orders', 'due', 'changed', NULL, 'contact_change');
SELECT pg_temp.watch_trigger_def('wt.purchase_orders');
UPDATE wt.purchase_orders SET due = '2026-03-01' WHERE client = 202;
SELECT customer_id, signal_type, col FROM pg_temp.new_signals();
DELETE FROM churnwarn.watch_rule WHERE tbl = 'wt.purchase_orders'::regclass AND column_name = 'due';
SELECT pg_temp.watch_trigger_def('wt.purchase_orders');
-- a rule on a stored generated column fires when its inputs change
CREATE TABLE wt.usage (customer text PRIMARY KEY, seats integer, used integer,
	ratio numeric GENERATED ALWAYS AS (used::numeric / NULLIF(seats, 0)) STORED);
INSERT INTO wt.usage VALUES ('U-1', 10, 9);
SELECT churnwarn.watch('wt.usage', 'customer');
SELECT churnwarn.add_rule('wt.usage', 'ratio', 'below', '0.5', 'interaction_drop') > 0 AS added;
SELECT pg_temp.watch_trigger_def('wt.usage');
UPDATE wt.usage SET used = 2;
SELECT customer_id, signal_type, col FROM pg_temp.new_signals();
-- a trigger the DBA disabled (or set to ENABLE ALWAYS for a subscriber)
-- keeps its state and its OID and still gets the list, so nothing is
-- missed once it fires again; a column dropped meanwhile leaves the list
SELECT oid AS watch_trigger_oid FROM pg_trigger
WHERE tgrelid = 'wt.purchase_orders'::regclass AND tgname = 'churnwarn_watch' \gset
ALTER TABLE wt.purchase_orders DISABLE TRIGGER churnwarn_watch;
SELECT churnwarn.add_rule('wt.purchase_orders', 'due', 'changed', NULL, 'contact_change') > 0 AS added;
ALTER TABLE wt.purchase_orders DROP COLUMN channel;
SELECT pg_temp.watch_trigger_def('wt.purchase_orders'), tgenabled, oid = :watch_trigger_oid AS same_trigger
FROM pg_trigger WHERE tgrelid = 'wt.purchase_orders'::regclass AND tgname = 'churnwarn_watch';
ALTER TABLE wt.purchase_orders ENABLE ALWAYS TRIGGER churnwarn_watch;
UPDATE wt.purchase_orders SET due = '2026-04-01' WHERE client = 202;
SELECT customer_id, signal_type, col FROM pg_temp.new_signals();
ALTER TABLE wt.purchase_orders ENABLE TRIGGER churnwarn_watch;
-- a partition attached or created later gets the list through PostgreSQL's
-- clone, whose column dependencies are removed too: the type of a rule
-- column still changes, on the parent and the new partitions
CREATE TABLE wt.payments_latam (overdue numeric, paid_on date, customer text, region text);
ALTER TABLE wt.payments ATTACH PARTITION wt.payments_latam FOR VALUES IN ('LATAM');
CREATE TABLE wt.payments_mea PARTITION OF wt.payments FOR VALUES IN ('MEA');
SELECT count(*) AS column_dependencies FROM pg_depend d JOIN pg_trigger t ON t.oid = d.objid
WHERE d.classid = 'pg_trigger'::regclass AND d.refobjsubid > 0 AND t.tgname = 'churnwarn_watch';
ALTER TABLE wt.payments ALTER COLUMN overdue TYPE numeric(14,2);
SELECT c.relname, pg_temp.watch_trigger_def(c.oid) FROM pg_class c
WHERE c.relname IN ('payments_latam', 'payments_mea') AND c.relnamespace = 'wt'::regnamespace ORDER BY 1;
-- a rule on one table locks that table only, and in the mode CREATE
-- TRIGGER takes (readers are not blocked)
BEGIN;
SELECT churnwarn.add_rule('wt.usage', 'seats', 'below', '5', 'order_cut') > 0 AS added;
SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
WHERE l.pid = pg_backend_pid() AND c.relnamespace = 'wt'::regnamespace ORDER BY 1, 2;
ROLLBACK;
-- a table inheriting (not a partition of) a watched table is watched on
-- its own, with its own rules: the parent's list is not written onto it
CREATE TABLE wt.accounts_base (id text, tier text, score integer);
CREATE TABLE wt.accounts_vip (perk text) INHERITS (wt.accounts_base);
INSERT INTO wt.accounts_vip VALUES ('V-1', 'gold', 50, 'lounge');
SELECT churnwarn.watch('wt.accounts_vip', 'id');
SELECT churnwarn.add_rule('wt.accounts_vip', 'perk', 'changed', NULL, 'business_change') > 0 AS added;
SELECT churnwarn.watch('wt.accounts_base', 'id');
SELECT churnwarn.add_rule('wt.accounts_base', 'score', 'below', '10', 'interaction_drop') > 0 AS added;
SELECT pg_temp.watch_trigger_def('wt.accounts_base'), pg_temp.watch_trigger_def('wt.accounts_vip');
UPDATE wt.accounts_vip SET perk = 'none';
SELECT customer_id, signal_type, col FROM pg_temp.new_signals();
-- a partition created with its BEFORE UPDATE trigger inside CREATE SCHEMA
CREATE SCHEMA wt_more
	CREATE TABLE payments_sa PARTITION OF wt.payments FOR VALUES IN ('SA')
	CREATE TRIGGER pause_overdue BEFORE UPDATE ON payments_sa
		FOR EACH ROW EXECUTE FUNCTION wt.pause_overdue();
SELECT pg_temp.watch_trigger_def('wt_more.payments_sa'),
	(SELECT count(*) FROM pg_trigger WHERE tgrelid = 'wt_more.payments_sa'::regclass
		AND tgname = 'churnwarn_watch_truncate') AS truncate_guard;
-- dropping the BEFORE trigger gives the list back
DROP TRIGGER pause_overdue ON wt_more.payments_sa;
SELECT pg_temp.watch_trigger_def('wt_more.payments_sa');
DROP SCHEMA wt_more CASCADE;
-- a foreign-table partition cannot carry the TRUNCATE guard: it is left
-- without one, and the partitions created after it still get theirs
CREATE FOREIGN DATA WRAPPER wt_fdw;
CREATE SERVER wt_server FOREIGN DATA WRAPPER wt_fdw;
CREATE FOREIGN TABLE wt.payments_remote PARTITION OF wt.payments FOR VALUES IN ('REMOTE') SERVER wt_server;
CREATE TABLE wt.payments_af PARTITION OF wt.payments FOR VALUES IN ('AF');
SELECT c.relname, count(t.oid) AS truncate_guards FROM pg_class c
LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgname = 'churnwarn_watch_truncate'
WHERE c.relname IN ('payments_remote', 'payments_af') GROUP BY 1 ORDER BY 1;
DROP TABLE wt.payments_af;
DROP FOREIGN TABLE wt.payments_remote;
DROP SERVER wt_server;
DROP FOREIGN DATA WRAPPER wt_fdw;
-- the watch trigger itself goes only with unwatch()
DROP TRIGGER churnwarn_watch ON wt.usage;
\echo :SQLSTATE
-- a temporary table cannot be watched: it goes with its session, and
-- nothing would remove its configuration
CREATE TEMP TABLE call_log (customer text, outcome text);
SELECT churnwarn.watch('pg_temp.call_log', 'customer');
\echo :SQLSTATE
DROP TABLE pg_temp.call_log;
-- a rule column dropped with its domain (DROP DOMAIN ... CASCADE) removes
-- the rule and leaves the list, so pg_dump does not print a dropped column
CREATE DOMAIN wt.amount AS numeric;
CREATE TABLE wt.quotes (customer text, total wt.amount, note text);
SELECT churnwarn.watch('wt.quotes', 'customer');
SELECT churnwarn.add_rule('wt.quotes', 'total', 'above', '10', 'order_cut') > 0 AS added;
SELECT pg_temp.watch_trigger_def('wt.quotes');
DROP DOMAIN wt.amount CASCADE;
SELECT pg_temp.watch_trigger_def('wt.quotes');
-- unwatch() and watch() again inside one DDL command (as an extension's
-- update script would): the dropped and re-created trigger is not refused
CREATE TEMP TABLE rewatched AS
SELECT churnwarn.unwatch('wt.quotes')::text AS unwatched,
	churnwarn.watch('wt.quotes', 'customer')::text AS watched;
SELECT pg_temp.watch_trigger_def('wt.quotes');
-- a table owner who is not a superuser adds partitions to a watched table:
-- PostgreSQL checks EXECUTE on the watch trigger's function for the clone,
-- which no role holds by default (doc/watch.md, Privileges)
CREATE ROLE regress_part_owner;
CREATE TABLE wt.tickets (customer text, queue text, severity integer) PARTITION BY LIST (queue);
ALTER TABLE wt.tickets OWNER TO regress_part_owner;
GRANT USAGE, CREATE ON SCHEMA wt TO regress_part_owner;
SELECT churnwarn.watch('wt.tickets', 'customer');
SELECT churnwarn.add_rule('wt.tickets', 'severity', 'above', '3', 'complaint') > 0 AS added;
SET ROLE regress_part_owner;
CREATE TABLE wt.tickets_web PARTITION OF wt.tickets FOR VALUES IN ('web');
\echo :SQLSTATE
RESET ROLE;
GRANT USAGE ON SCHEMA churnwarn TO regress_part_owner;
GRANT EXECUTE ON FUNCTION churnwarn.watch_trigger() TO regress_part_owner;
SET ROLE regress_part_owner;
CREATE TABLE wt.tickets_web PARTITION OF wt.tickets FOR VALUES IN ('web');
CREATE TABLE wt.tickets_phone (customer text, queue text, severity integer);
ALTER TABLE wt.tickets ATTACH PARTITION wt.tickets_phone FOR VALUES IN ('phone');
RESET ROLE;
SELECT c.relname, pg_temp.watch_trigger_def(c.oid),
	(SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'churnwarn_watch_truncate') AS truncate_guard
FROM pg_class c WHERE c.relname LIKE 'tickets%' AND c.relnamespace = 'wt'::regnamespace ORDER BY 1;
SELECT churnwarn.unwatch('wt.tickets');
DROP TABLE wt.tickets;
REVOKE ALL ON SCHEMA wt, churnwarn FROM regress_part_owner;
REVOKE EXECUTE ON FUNCTION churnwarn.watch_trigger() FROM regress_part_owner;
DROP ROLE regress_part_owner;
-- the watch trigger dropped where no event trigger refuses it (replica
-- mode): the table's changes raise nothing until watch_guard_partitions()
-- (which setup_roles() runs for every watched table) creates it again,
-- with its column list; on a table that is not watched it creates nothing
BEGIN;
CREATE TABLE wt.offers (customer text, total numeric, note text);
SELECT churnwarn.watch('wt.offers', 'customer');
SELECT churnwarn.add_rule('wt.offers', 'total', 'above', '10', 'order_cut') > 0 AS added;
SET session_replication_role = replica;
DROP TRIGGER churnwarn_watch ON wt.offers;
RESET session_replication_role;
INSERT INTO churnwarn.customer (customer_id, tier) VALUES ('q-1', 'ordinary');
INSERT INTO wt.offers VALUES ('q-1', 50, 'lost');
SELECT count(*) AS raised_without_trigger FROM churnwarn.signal WHERE customer_id = 'q-1';
-- a caller who may not create it gets a warning, not an error
CREATE ROLE regress_guard_caller;
GRANT USAGE ON SCHEMA churnwarn, wt TO regress_guard_caller;
GRANT SELECT ON churnwarn.watched_table TO regress_guard_caller;
GRANT EXECUTE ON FUNCTION churnwarn.watch_guard_partitions(regclass) TO regress_guard_caller;
SET ROLE regress_guard_caller;
SELECT churnwarn.watch_guard_partitions('wt.offers');
RESET ROLE;
SELECT churnwarn.watch_guard_partitions('wt.offers');
SELECT pg_temp.watch_trigger_def('wt.offers');
INSERT INTO wt.offers VALUES ('q-1', 60, 'again');
SELECT signal_type, source FROM churnwarn.signal WHERE customer_id = 'q-1';
CREATE TABLE wt.never_watched (customer text);
SELECT churnwarn.watch_guard_partitions('wt.never_watched');
SELECT count(*) AS triggers_on_unwatched FROM pg_trigger WHERE tgrelid = 'wt.never_watched'::regclass;
-- a partition added in replica mode has no TRUNCATE guard; the call for the
-- partition guards the watched table above it
CREATE TABLE wt.bills (customer text, amount numeric, kind text) PARTITION BY LIST (kind);
SELECT churnwarn.watch('wt.bills', 'customer');
SET session_replication_role = replica;
CREATE TABLE wt.bills_web PARTITION OF wt.bills FOR VALUES IN ('web');
RESET session_replication_role;
SELECT count(*) AS guard_before FROM pg_trigger
 WHERE tgrelid = 'wt.bills_web'::regclass AND tgname = 'churnwarn_watch_truncate';
SELECT churnwarn.watch_guard_partitions('wt.bills_web');
SELECT count(*) AS guard_after FROM pg_trigger
 WHERE tgrelid = 'wt.bills_web'::regclass AND tgname = 'churnwarn_watch_truncate';
ROLLBACK;
-- DDL elsewhere (a trigger on another table, dropped again, a temporary
-- table) takes no lock on the watched tables; a renamed signal type code,
-- cascading into the rules, reshapes nothing
BEGIN;
CREATE TABLE wt.unrelated (x integer);
CREATE TRIGGER pause_overdue BEFORE UPDATE ON wt.unrelated
	FOR EACH ROW EXECUTE FUNCTION wt.pause_overdue();
DROP TRIGGER pause_overdue ON wt.unrelated;
CREATE TEMP TABLE scratch (x integer);
UPDATE churnwarn.signal_type SET code = 'late_payment_renamed' WHERE code = 'late_payment';
SELECT DISTINCT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
WHERE l.pid = pg_backend_pid() AND c.relnamespace = 'wt'::regnamespace AND c.relname <> 'unrelated'
ORDER BY 1;
ROLLBACK;
-- a watched table attached as a partition of a table with a BEFORE UPDATE
-- trigger gets that trigger's clone, and so fires on every UPDATE
CREATE TABLE wt.ledger (id integer, customer text, due date, state text);
INSERT INTO wt.ledger VALUES (1, 'L-1', '2026-06-01', 'open');
SELECT churnwarn.watch('wt.ledger', 'customer');
SELECT churnwarn.add_rule('wt.ledger', 'state', 'equals', 'paused', 'project_paused') > 0 AS added;
CREATE TABLE wt.ledgers (LIKE wt.ledger) PARTITION BY RANGE (id);
CREATE TRIGGER pause_overdue BEFORE UPDATE ON wt.ledgers
	FOR EACH ROW EXECUTE FUNCTION wt.pause_overdue();
ALTER TABLE wt.ledgers ATTACH PARTITION wt.ledger FOR VALUES FROM (0) TO (100);
SELECT pg_temp.watch_trigger_def('wt.ledger');
UPDATE wt.ledger SET due = '2025-06-01';
SELECT customer_id, signal_type, col FROM pg_temp.new_signals();
-- a partition with a BEFORE UPDATE trigger attached to a watched table:
-- the list is emptied, and the clone's column dependencies go too
CREATE TABLE wt.payments_oc (customer text, region text, overdue numeric(14,2), paid_on date);
CREATE TRIGGER pause_overdue BEFORE UPDATE ON wt.payments_oc
	FOR EACH ROW EXECUTE FUNCTION wt.pause_overdue();
ALTER TABLE wt.payments ATTACH PARTITION wt.payments_oc FOR VALUES IN ('OC');
SELECT pg_temp.watch_trigger_def('wt.payments_oc');
SELECT count(*) AS column_dependencies FROM pg_depend d JOIN pg_trigger t ON t.oid = d.objid
WHERE d.classid = 'pg_trigger'::regclass AND d.refobjsubid > 0 AND t.tgname = 'churnwarn_watch';
ALTER TABLE wt.payments ALTER COLUMN overdue TYPE numeric(16,2);
ALTER TABLE wt.payments DETACH PARTITION wt.payments_oc;
DROP TABLE wt.payments_oc;
SELECT pg_temp.watch_trigger_def('wt.payments');
-- the table's owner, a non-superuser with the rights churnwarn_admin gets
-- (no EXECUTE on trigger functions), adds a rule to the table a superuser
-- watched
CREATE ROLE regress_watch_owner;
GRANT USAGE ON SCHEMA wt, churnwarn TO regress_watch_owner;
GRANT EXECUTE ON FUNCTION churnwarn.add_rule(regclass, name, text, text, text) TO regress_watch_owner;
GRANT SELECT ON ALL TABLES IN SCHEMA churnwarn TO regress_watch_owner;
GRANT SELECT, INSERT ON churnwarn.watch_rule TO regress_watch_owner;
GRANT USAGE ON SEQUENCE churnwarn.watch_rule_id_seq TO regress_watch_owner;
ALTER TABLE wt.usage OWNER TO regress_watch_owner;
SET ROLE regress_watch_owner;
SELECT churnwarn.add_rule('wt.usage', 'seats', 'below', '5', 'order_cut') > 0 AS added;
RESET ROLE;
SELECT pg_temp.watch_trigger_def('wt.usage');
ALTER TABLE wt.usage OWNER TO CURRENT_USER;
DROP OWNED BY regress_watch_owner;
DROP ROLE regress_watch_owner;

------------------------------------------------------------------------
-- older_than: checked by the periodic pass, once per open signal
------------------------------------------------------------------------
CREATE TABLE wt.contacts (id serial PRIMARY KEY, customer text, last_contact timestamptz, renewal date);
CREATE INDEX ON wt.contacts (last_contact);
INSERT INTO wt.contacts (customer, last_contact, renewal) VALUES
	('K-1', '2026-01-01 10:00+00', '2026-01-15'),
	('K-2', '2026-03-01 10:00+00', '2026-06-01'),
	('K-3', NULL, NULL),
	(NULL, '2025-01-01 00:00+00', '2025-01-01');
SELECT churnwarn.watch('wt.contacts', 'customer');
SELECT churnwarn.add_rule('wt.contacts', 'last_contact', 'older_than', '30 days', 'cold_response') > 0 AS indexed_rule,
	churnwarn.add_rule('wt.contacts', 'renewal', 'older_than', '1 day', 'renewal_refused') > 0 AS unindexed_rule;
-- the row trigger does not evaluate older_than
SELECT count(*) AS raised_by_trigger FROM pg_temp.new_signals();
SELECT churnwarn.check_older_than('2026-03-15 00:00+00');
SELECT customer_id, signal_type, source FROM pg_temp.new_signals();
-- idempotent while the signal is open
SELECT churnwarn.check_older_than('2026-03-15 00:00+00');
SELECT churnwarn.check_older_than('2026-03-20 00:00+00');
-- later, more rows are old
SELECT churnwarn.check_older_than('2026-07-01 00:00+00');
SELECT customer_id, signal_type, source FROM pg_temp.new_signals();
SELECT detail->>'row' AS row, detail->>'value' AS value FROM churnwarn.signal
WHERE customer_id = 'K-2' AND signal_type = 'renewal_refused';
-- once resolved, a row that is still too old is raised again
SELECT churnwarn.resolve_signal(id, 'called') FROM churnwarn.signal
WHERE customer_id = 'K-1' AND signal_type = 'cold_response';
SELECT churnwarn.check_older_than('2026-07-01 00:00+00');
SELECT customer_id, signal_type, source FROM pg_temp.new_signals();
-- older_than on a partitioned table
SELECT churnwarn.add_rule('wt.payments', 'paid_on', 'older_than', '90 days', 'late_payment') > 0 AS added;
UPDATE wt.payments SET paid_on = '2026-01-01' WHERE customer = 'P-2';
SELECT churnwarn.check_older_than('2026-07-01 00:00+00');
SELECT customer_id, signal_type, source FROM pg_temp.new_signals();

------------------------------------------------------------------------
-- Refusals: clear errors, nothing changed
------------------------------------------------------------------------
CREATE TEMP TABLE counts AS
SELECT (SELECT count(*) FROM churnwarn.watched_table) AS tables,
	(SELECT count(*) FROM churnwarn.watch_rule) AS rules,
	(SELECT count(*) FROM churnwarn.watched_attribute) AS attributes,
	(SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'churnwarn_watch%') AS triggers;
CREATE VIEW wt.order_view AS SELECT * FROM wt.purchase_orders;
CREATE TABLE wt.plain (id integer, u uuid, t text, n numeric, d date);
-- system catalogs, churnwarn's own tables, views
SELECT churnwarn.watch('pg_catalog.pg_class', 'relname');
\echo :SQLSTATE
SELECT churnwarn.watch('churnwarn.customer', 'customer_id');
\echo :SQLSTATE
SELECT churnwarn.watch('wt.order_view', 'client');
\echo :SQLSTATE
-- a column that does not exist, a table watched twice, NULLs
SELECT churnwarn.watch('wt.plain', 'no_such_column');
\echo :SQLSTATE
SELECT churnwarn.watch('wt.contacts', 'customer');
\echo :SQLSTATE
SELECT churnwarn.watch(NULL, 'id');
\echo :SQLSTATE
SELECT churnwarn.watch('wt.plain', NULL);
\echo :SQLSTATE
SELECT churnwarn.watch('wt.plain', 'id', NULL);
\echo :SQLSTATE
-- attributes: not an object, an unrecognized field, a missing column, a
-- column of the wrong type, a value that is not a column name
SELECT churnwarn.watch('wt.plain', 'id', '["name"]');
\echo :SQLSTATE
SELECT churnwarn.watch('wt.plain', 'id', '{"nickname": "t"}');
\echo :SQLSTATE
SELECT churnwarn.watch('wt.plain', 'id', '{"name": "no_such_column"}');
\echo :SQLSTATE
SELECT churnwarn.watch('wt.plain', 'id', '{"annual_value": "t"}');
\echo :SQLSTATE
SELECT churnwarn.watch('wt.plain', 'id', '{"name": 1}');
\echo :SQLSTATE
-- add_rule: a table that is not watched, a missing column, unsupported
-- conditions for the type, an unrecognized condition or signal type,
-- thresholds that do not fit, NULLs
SELECT churnwarn.add_rule('wt.plain', 'n', 'above', '1', 'complaint');
\echo :SQLSTATE
SELECT churnwarn.watch('wt.plain', 'id');
SELECT churnwarn.add_rule('wt.plain', 'nope', 'above', '1', 'complaint');
\echo :SQLSTATE
SELECT churnwarn.add_rule('wt.plain', 'u', 'above', '00000000-0000-0000-0000-000000000000', 'complaint');
\echo :SQLSTATE
SELECT churnwarn.add_rule('wt.plain', 't', 'older_than', '1 day', 'complaint');
\echo :SQLSTATE
SELECT churnwarn.add_rule('wt.plain', 'd', 'drop_pct', '10', 'complaint');
\echo :SQLSTATE
SELECT churnwarn.add_rule('wt.plain', 'n', 'rises', '1', 'complaint');
\echo :SQLSTATE
SELECT churnwarn.add_rule('wt.plain', 'n', 'above', '1', 'no_such_signal');
\echo :SQLSTATE
SELECT churnwarn.add_rule('wt.plain', 'n', 'above', 'lots', 'complaint');
\echo :SQLSTATE
SELECT churnwarn.add_rule('wt.plain', 'n', 'drop_pct', '150', 'order_cut');
\echo :SQLSTATE
SELECT churnwarn.add_rule('wt.plain', 'd', 'older_than', '-3 days', 'complaint');
\echo :SQLSTATE
SELECT churnwarn.add_rule('wt.plain', 'n', 'changed', '1', 'complaint');
\echo :SQLSTATE
SELECT churnwarn.add_rule('wt.plain', 'n', 'above', NULL, 'complaint');
\echo :SQLSTATE
SELECT churnwarn.add_rule('wt.plain', NULL, 'above', '1', 'complaint');
\echo :SQLSTATE
SELECT churnwarn.add_rule('wt.plain', 'n', NULL, '1', 'complaint');
\echo :SQLSTATE
SELECT churnwarn.add_rule('wt.plain', 'n', 'above', '1', NULL);
\echo :SQLSTATE
SELECT churnwarn.unwatch('wt.plain');
-- unwatch: a table that is not watched, NULL
SELECT churnwarn.unwatch('wt.plain');
\echo :SQLSTATE
SELECT churnwarn.unwatch(NULL);
\echo :SQLSTATE
SELECT churnwarn.check_older_than(NULL);
\echo :SQLSTATE
SELECT (SELECT count(*) FROM churnwarn.watched_table) AS tables,
	(SELECT count(*) FROM churnwarn.watch_rule) AS rules,
	(SELECT count(*) FROM churnwarn.watched_attribute) AS attributes,
	(SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'churnwarn_watch%') AS triggers
EXCEPT SELECT * FROM counts;

------------------------------------------------------------------------
-- unwatch: triggers and rules go, signals stay, TRUNCATE works again
------------------------------------------------------------------------
SELECT churnwarn.unwatch('wt.payments');
SELECT count(*) AS payment_triggers FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relname LIKE 'payments%' AND t.tgname LIKE 'churnwarn%';
SELECT count(*) AS payment_rules FROM churnwarn.watch_rule WHERE tbl = 'wt.payments'::regclass;
UPDATE wt.payments SET overdue = 99999;
SELECT count(*) AS raised FROM pg_temp.new_signals();
TRUNCATE wt.payments;
SELECT count(*) AS signals_kept FROM churnwarn.signal WHERE customer_id LIKE 'P-%';
