-- uninstall: DROP EXTENSION leaves nothing of churnwarn behind
DROP EXTENSION churnwarn;
SELECT count(*) AS schemas FROM pg_namespace WHERE nspname = 'churnwarn';
SELECT count(*) AS functions FROM pg_proc WHERE prosrc LIKE 'churnwarn%';
SELECT count(*) AS triggers FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.prosrc LIKE 'churnwarn%';
-- and it installs again in the same session (cached plans and configuration reset)
CREATE EXTENSION churnwarn;
INSERT INTO churnwarn.customer (customer_id) VALUES ('again');
SELECT churnwarn.report_signal('again', 'termination_notice') > 0 AS reported;
SELECT churnwarn.grade('again');
DROP EXTENSION churnwarn;
