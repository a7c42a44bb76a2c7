-- test/crash/verify.sql: the invariants after the crashes.  psql variable
-- acked = transactions pgbench saw committed, inflight = the most that can
-- have committed without pgbench seeing it (one per client per crash).
-- Prints one line per check: name | offenders (must be 0).
\pset format unaligned
\pset tuples_only on
SELECT 'acknowledged commits missing', greatest(0, :acked - count(*)) FROM crash_marker;
SELECT 'more commits than acknowledged plus in flight', greatest(0, count(*) - :acked - :inflight) FROM crash_marker;
SELECT 'marker without its signal', count(*) FROM crash_marker m
	LEFT JOIN churnwarn.signal s ON s.id = m.signal_id AND s.customer_id = m.customer_id WHERE s.id IS NULL;
SELECT 'signal without its marker (partial transaction)', count(*) FROM churnwarn.signal s
	WHERE s.reported_by = 'pgbench' AND NOT EXISTS (SELECT FROM crash_marker m WHERE m.signal_id = s.id);
SELECT 'uncommitted signal of the killed session present', count(*) FROM churnwarn.signal WHERE customer_id = 'kill_mid';
SELECT 'uncommitted customer of the killed session present', count(*) FROM churnwarn.customer WHERE customer_id = 'kill_mid';
SELECT 'signal committed before kill -9 missing', 1 - count(*) FROM churnwarn.signal WHERE customer_id = 'kill_after';
SELECT 'warning committed before kill -9 missing', 1 - count(*) FROM churnwarn.warning WHERE customer_id = 'kill_after'
	AND status NOT IN ('closed', 'dismissed');
SELECT 'customers with more than one open warning', count(*) FROM (SELECT customer_id FROM churnwarn.warning
	WHERE status NOT IN ('closed', 'dismissed') GROUP BY customer_id HAVING count(*) > 1) x;
SELECT 'graded customers without their open warning', count(*) FROM churnwarn.customer_grade g
	WHERE g.level >= 1 AND NOT EXISTS (SELECT FROM churnwarn.warning w WHERE w.customer_id = g.customer_id
		AND w.status NOT IN ('closed', 'dismissed') AND w.proposed_level = g.level);
SELECT 'stored grade differs from grade() recomputed', count(*) FROM churnwarn.customer_grade g
	WHERE g.level <> churnwarn.grade(g.customer_id);
SELECT 'stored grade differs from the last grade_history row', count(*) FROM churnwarn.customer_grade g
	WHERE g.level > 0 AND g.level IS DISTINCT FROM (SELECT h.to_level FROM churnwarn.grade_history h
		WHERE h.customer_id = g.customer_id ORDER BY h.id DESC LIMIT 1);
SELECT 'customers without a grade row', count(*) FROM churnwarn.customer c
	WHERE NOT EXISTS (SELECT FROM churnwarn.customer_grade g WHERE g.customer_id = c.customer_id);
-- bt_index_check raises an error on a corrupt index, failing the script
SELECT 'corrupt churnwarn index (amcheck)', count(*) FILTER (WHERE x.ok IS NULL) FROM (
	SELECT bt_index_check(i.indexrelid, true)::text AS ok FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' AND c.relnamespace = 'churnwarn'::regnamespace) x;
SELECT to_regprocedure('churnwarn.verify_audit()') IS NOT NULL AS has_audit \gset
\if :has_audit
SELECT 'verify_audit() failed', count(*) FROM churnwarn.verify_audit() v WHERE NOT v.ok;
\else
SELECT 'verify_audit() failed (not in this version)', 0;
\endif
