-- one pgbench transaction: a signal for a random customer and, in the same
-- transaction, a marker row naming it; a committed transaction has both
\set c random(1, 300)
\set t random(1, 5)
BEGIN;
SELECT churnwarn.report_signal('c' || :c, (ARRAY['complaint', 'late_payment', 'cold_response', 'order_cut', 'competitor_contact'])[:t], '2026-03-01 09:00+00', '{}', 'pgbench', 10) AS sid \gset
INSERT INTO crash_marker (signal_id, customer_id) VALUES (:sid, 'c' || :c);
COMMIT;
