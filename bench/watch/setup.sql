-- bench/watch/setup.sql: two identical customer-like tables, one watched
-- (a customer master with mapped fields and rules), one not.
CREATE EXTENSION IF NOT EXISTS churnwarn;
SET client_min_messages = warning;
DROP TABLE IF EXISTS acct_watched, acct_plain;
CREATE TABLE acct_watched (
	id bigint PRIMARY KEY,
	name text NOT NULL,
	region text NOT NULL,
	balance numeric NOT NULL,
	status text NOT NULL,
	last_contact timestamptz NOT NULL
);
CREATE TABLE acct_plain (LIKE acct_watched INCLUDING ALL);
INSERT INTO acct_watched
SELECT i, 'customer ' || i, (ARRAY['EU','US','APAC'])[1 + i % 3], 1000, 'active', now()
FROM generate_series(1, 10000) i;
INSERT INTO acct_plain SELECT * FROM acct_watched;
SET client_min_messages = warning;
SELECT churnwarn.watch('acct_watched', 'id', '{"name": "name", "region": "region"}');
SELECT churnwarn.add_rule('acct_watched', 'status', 'equals', 'lost', 'competitor_deal');
SELECT churnwarn.add_rule('acct_watched', 'status', 'changed', NULL, 'business_change');
SELECT churnwarn.add_rule('acct_watched', 'last_contact', 'older_than', '90 days', 'cold_response');
VACUUM ANALYZE acct_watched, acct_plain;
-- control: the same trigger function on a table churnwarn does not watch
-- returns after the cache lookup: the price of an AFTER row trigger itself
DROP TABLE IF EXISTS acct_noop;
CREATE TABLE acct_noop (LIKE acct_plain INCLUDING ALL);
INSERT INTO acct_noop SELECT * FROM acct_plain;
CREATE TRIGGER noop AFTER INSERT OR UPDATE OR DELETE ON acct_noop
	FOR EACH ROW EXECUTE FUNCTION churnwarn.watch_trigger();
VACUUM ANALYZE acct_noop;
