-- watch_drop_extension: DROP EXTENSION churnwarn (without CASCADE) removes
-- every trigger it put on user tables, including the clones on partitions,
-- and leaves the tables themselves alone
SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgname LIKE 'churnwarn_watch%' ORDER BY 1, 2;
DROP VIEW wt.customers;
DROP EXTENSION churnwarn;
SELECT count(*) AS watch_triggers FROM pg_trigger WHERE tgname LIKE 'churnwarn_watch%';
SELECT count(*) AS event_triggers FROM pg_event_trigger WHERE evtname LIKE 'churnwarn%';
-- the tables are still there and writable, TRUNCATE is allowed again
UPDATE wt.purchase_orders SET qty = qty + 1;
TRUNCATE wt.crm, wt.accounts;
ALTER TABLE wt.contacts RENAME COLUMN renewal TO renewal_date;
SET client_min_messages = warning;
DROP SCHEMA wt CASCADE;
RESET client_min_messages;
-- and the extension installs again in the same session
CREATE EXTENSION churnwarn;
SELECT count(*) AS watched FROM churnwarn.watched_table;
