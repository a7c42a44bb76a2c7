-- workflow_trigger: what the grading triggers do to warnings, events and
-- the grade history, in the transaction of the change
\pset null '(null)'
INSERT INTO churnwarn.customer (customer_id, name, tier, department, owner)
VALUES ('w1', 'Wuxi Robotics', 'important', 'sales', 'li.lei');

-- a grade of 0 opens nothing and writes no history
SELECT churnwarn.report_signal('w1', 'event_declined', now(), '{"event": "open day"}') AS s1 \gset
SELECT count(*) AS warnings FROM churnwarn.warning WHERE customer_id = 'w1';
SELECT count(*) AS history FROM churnwarn.grade_history WHERE customer_id = 'w1';

-- level 1 opens a warning with its report deadline (observation + 24 h)
SELECT churnwarn.report_signal('w1', 'complaint', '2026-11-20 09:00+00') AS s2 \gset
SELECT status, proposed_level, level, first_signal_id = :s2 AS by_s2,
	observed_at, report_due
FROM churnwarn.warning WHERE customer_id = 'w1';

-- escalation on the same warning, then de-escalation
SELECT churnwarn.report_signal('w1', 'competitor_deal') AS s3 \gset
SELECT churnwarn.withdraw_signal(:s3, 'reported for the wrong customer');
SELECT count(*) AS warnings, max(proposed_level) AS proposed FROM churnwarn.warning WHERE customer_id = 'w1';

-- level 0 dismisses the unconfirmed warning
SELECT churnwarn.withdraw_signal(:s2, 'duplicate of an older complaint');
SELECT status, proposed_level, closed_at IS NOT NULL AS closed FROM churnwarn.warning WHERE customer_id = 'w1';
SELECT event, from_level, to_level, actor,
	CASE (detail->>'signal_id')::bigint WHEN :s2 THEN 's2' WHEN :s3 THEN 's3' END AS by_signal,
	detail - 'score' - 'signal_id' AS detail
FROM churnwarn.warning_event WHERE customer_id = 'w1' ORDER BY id;
SELECT from_level, to_level, signal_id IS NOT NULL AS by_signal,
	explanation->>'level' AS explained_level, config_version
FROM churnwarn.grade_history WHERE customer_id = 'w1' ORDER BY id;

-- a new signal after a dismissal opens a new warning; the actor GUC is recorded
SET churnwarn.actor = 'zhang.san';
SELECT churnwarn.report_signal('w1', 'termination_notice') AS s4 \gset
SELECT status, proposed_level FROM churnwarn.warning WHERE customer_id = 'w1' ORDER BY id;
SELECT event, actor FROM churnwarn.warning_event WHERE customer_id = 'w1' ORDER BY id DESC LIMIT 1;
SELECT reported_by FROM churnwarn.signal WHERE id = :s4;
RESET churnwarn.actor;

-- a confirmed warning is not dismissed when the level falls to 0
UPDATE churnwarn.warning SET status = 'confirmed', level = 3 WHERE customer_id = 'w1' AND status = 'open';
SELECT churnwarn.withdraw_signal(:s4, 'customer retracted the letter');
SELECT status, proposed_level, level FROM churnwarn.warning WHERE customer_id = 'w1' ORDER BY id;
UPDATE churnwarn.warning SET status = 'closed', closed_at = now() WHERE customer_id = 'w1' AND status = 'confirmed';

-- a rolled-back signal leaves nothing behind, nor does a rolled-back savepoint
BEGIN;
SELECT churnwarn.report_signal('w1', 'termination_notice') > 0 AS reported;
SELECT count(*) AS open_warnings FROM churnwarn.warning WHERE customer_id = 'w1' AND status = 'open';
ROLLBACK;
BEGIN;
SAVEPOINT sp;
SELECT churnwarn.report_signal('w1', 'termination_notice') > 0 AS reported;
ROLLBACK TO SAVEPOINT sp;
SELECT churnwarn.report_signal('w1', 'cold_response') > 0 AS reported;
COMMIT;
SELECT count(*) FILTER (WHERE signal_type = 'termination_notice' AND status = 'open') AS open_terminations,
	count(*) FILTER (WHERE signal_type = 'cold_response') AS cold
FROM churnwarn.signal WHERE customer_id = 'w1';
SELECT status, proposed_level FROM churnwarn.warning WHERE customer_id = 'w1' ORDER BY id;
SELECT level FROM churnwarn.customer_grade WHERE customer_id = 'w1';

-- signals written straight into the table grade the same way
INSERT INTO churnwarn.customer (customer_id) VALUES ('w2');
INSERT INTO churnwarn.signal (customer_id, signal_type, amount) VALUES ('w2', 'order_cut', 75);
SELECT proposed_level FROM churnwarn.warning WHERE customer_id = 'w2';
UPDATE churnwarn.signal SET status = 'resolved' WHERE customer_id = 'w2';
SELECT proposed_level FROM churnwarn.warning WHERE customer_id = 'w2';
-- moving a signal to another customer regrades both
INSERT INTO churnwarn.customer (customer_id) VALUES ('w3');
UPDATE churnwarn.signal SET customer_id = 'w3', status = 'open' WHERE customer_id = 'w2';
SELECT customer_id, level FROM churnwarn.customer_grade WHERE customer_id IN ('w2', 'w3') ORDER BY 1;

-- one statement writing many signals regrades each customer once, after
-- its last signal of the statement
INSERT INTO churnwarn.customer (customer_id) VALUES ('m1'), ('m2');
INSERT INTO churnwarn.signal (customer_id, signal_type)
SELECT c, t FROM unnest(ARRAY['m2', 'm1', 'm2', 'm1', 'm2']) WITH ORDINALITY AS x(c, o),
	unnest(ARRAY['complaint']) AS t ORDER BY o;
SELECT customer_id, from_level, to_level, signal_id = (SELECT max(id) FROM churnwarn.signal s
	WHERE s.customer_id = h.customer_id) AS by_last_signal
FROM churnwarn.grade_history h WHERE customer_id IN ('m1', 'm2') ORDER BY customer_id;
UPDATE churnwarn.signal SET status = 'withdrawn' WHERE customer_id IN ('m1', 'm2');
SELECT customer_id, status, proposed_level FROM churnwarn.warning WHERE customer_id IN ('m1', 'm2') ORDER BY 1;

-- configuration changes: the version rises and the next grade uses it
SELECT config_version AS v0 FROM churnwarn.settings \gset
UPDATE churnwarn.signal_type SET weight = 30 WHERE code = 'cold_response';
SELECT config_version - :v0 AS version_increase FROM churnwarn.settings;
SELECT churnwarn.grade('w1') AS w1_with_heavier_cold_response;
UPDATE churnwarn.signal_type SET weight = 2 WHERE code = 'cold_response';
SELECT shipped FROM churnwarn.signal_type WHERE code = 'cold_response';

-- switching schemes regrades everyone under the new levels
SELECT customer_id, level FROM churnwarn.customer_grade WHERE level > 0 ORDER BY 1;
SELECT churnwarn.use_scheme('four_level');
SELECT customer_id, level FROM churnwarn.customer_grade WHERE level > 0 ORDER BY 1;
SELECT scheme, config_version > :v0 AS newer FROM churnwarn.settings;
-- a warning confirmed at level 4 blocks the way back to three levels
UPDATE churnwarn.warning SET status = 'confirmed', level = 4 WHERE customer_id = 'w3' AND status = 'open';
SELECT churnwarn.use_scheme('three_level');
UPDATE churnwarn.warning SET status = 'closed', closed_at = now() WHERE customer_id = 'w3' AND status = 'confirmed';
SELECT churnwarn.use_scheme('three_level');
SELECT customer_id, level FROM churnwarn.customer_grade WHERE level > 0 ORDER BY 1;

-- the customer key may change; its grade and signals follow
UPDATE churnwarn.customer SET customer_id = 'w3-renamed' WHERE customer_id = 'w3';
SELECT customer_id, level FROM churnwarn.customer_grade WHERE customer_id LIKE 'w3%';

DELETE FROM churnwarn.warning_event;
DELETE FROM churnwarn.grade_history;
DELETE FROM churnwarn.warning;
DELETE FROM churnwarn.signal;
DELETE FROM churnwarn.customer;
