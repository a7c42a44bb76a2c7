-- workflow_refusals: every illegal workflow step is refused with a clear
-- message and its own SQLSTATE (shown after each error), and changes
-- nothing.  SQLSTATEs: 22004 NULL argument, P0002 no such warning, 22023
-- invalid argument, 55000 wrong state, 42501 role may not approve, 23505
-- approving twice / second post-mortem.
\pset null '(null)'
\set SHOW_CONTEXT never
SET timezone = 'Asia/Shanghai';
SET datestyle = ISO, YMD;
SET churnwarn.clock = '2025-04-01 10:00+08';
-- ids independent of the tests before
SELECT setval('churnwarn.warning_id_seq', 2000, false) AS warning_ids_from,
	setval('churnwarn.signal_id_seq', 2000, false) AS signal_ids_from;
INSERT INTO churnwarn.customer (customer_id, name) VALUES ('r1', 'Rizhao Robotics'), ('r3', 'Ruian Lines');
SELECT churnwarn.report_signal('r1', 'complaint', '2025-04-01 09:00+08') > 0 AS reported;
SELECT churnwarn.report_signal('r3', 'termination_notice', '2025-04-01 09:00+08') > 0 AS reported;
SELECT id AS w1 FROM churnwarn.warning WHERE customer_id = 'r1' \gset
SELECT id AS w3 FROM churnwarn.warning WHERE customer_id = 'r3' \gset

-- the state of every workflow table, to compare after each group of refusals
CREATE TEMP VIEW fingerprint AS
SELECT md5(string_agg(t, '|' ORDER BY t)) AS state FROM (
	SELECT w::text AS t FROM churnwarn.warning w
	UNION ALL SELECT e::text FROM churnwarn.warning_event e
	UNION ALL SELECT a::text FROM churnwarn.warning_assessment a
	UNION ALL SELECT a::text FROM churnwarn.warning_approval a
	UNION ALL SELECT p::text FROM churnwarn.warning_plan p
	UNION ALL SELECT p::text FROM churnwarn.warning_progress p
	UNION ALL SELECT c::text FROM churnwarn.warning_communication c
	UNION ALL SELECT v::text FROM churnwarn.warning_evaluation v
	UNION ALL SELECT r::text FROM churnwarn.warning_revisit r
	UNION ALL SELECT m::text FROM churnwarn.warning_postmortem m
	UNION ALL SELECT c::text FROM churnwarn.customer c) x;
SELECT state AS before FROM fingerprint \gset

-- NULLs (22004)
SELECT churnwarn.assess(NULL, 1, 'a');
\echo :SQLSTATE
SELECT churnwarn.assess(:w1, NULL, 'a');
\echo :SQLSTATE
SELECT churnwarn.assess(:w1, 1, NULL);
\echo :SQLSTATE
SELECT churnwarn.approve(:w1, NULL, 'cs_head');
\echo :SQLSTATE
SELECT churnwarn.issue(:w1, NULL, 'o');
\echo :SQLSTATE
SELECT churnwarn.submit_plan(:w1, NULL);
\echo :SQLSTATE
SELECT churnwarn.record_communication(:w1, 'phone', NULL, 's', 'a');
\echo :SQLSTATE
SELECT churnwarn.evaluate(:w1, NULL, 'a');
\echo :SQLSTATE
SELECT churnwarn.record_postmortem(:w1, 'r', NULL, 'a');
\echo :SQLSTATE
SELECT churnwarn.tick(NULL);
\echo :SQLSTATE
SELECT churnwarn.regrade(NULL);
\echo :SQLSTATE
-- unknown warning (P0002), unknown customer (23503)
SELECT churnwarn.assess(999999, 1, 'a');
\echo :SQLSTATE
SELECT churnwarn.approve(999999, 'a', 'cs_head');
\echo :SQLSTATE
SELECT churnwarn.evaluate(999999, 'success', 'a');
\echo :SQLSTATE
SELECT churnwarn.regrade('no-such-customer');
\echo :SQLSTATE
-- invalid arguments (22023): blank text, a level outside the scheme, an
-- unrecognized cause, role, channel or outcome, an incomplete plan
SELECT churnwarn.assess(:w1, 1, '  ');
\echo :SQLSTATE
SELECT churnwarn.assess(:w1, 4, 'a');
\echo :SQLSTATE
SELECT churnwarn.assess(:w1, 0, 'a');
\echo :SQLSTATE
SELECT churnwarn.assess(:w1, 1, 'a', NULL, 'bad_weather');
\echo :SQLSTATE
SELECT churnwarn.tick('infinity');
\echo :SQLSTATE
-- wrong state (55000): approve before assessment, issue, plan, progress,
-- evaluation and post-mortem of an open warning
SELECT churnwarn.approve(:w1, 'chen.head', 'cs_head');
\echo :SQLSTATE
SELECT churnwarn.issue(:w1, 'customer_success', 'li.lei');
\echo :SQLSTATE
SELECT churnwarn.submit_plan(:w1, '{"goal": "g", "measures": ["m"], "people": ["p"], "milestones": ["s"], "resources": "r"}');
\echo :SQLSTATE
SELECT churnwarn.approve_plan(:w1, 'gm');
\echo :SQLSTATE
SELECT churnwarn.record_progress(:w1, 'n', 'a');
\echo :SQLSTATE
SELECT churnwarn.evaluate(:w1, 'success', 'a');
\echo :SQLSTATE
SELECT churnwarn.record_postmortem(:w1, 'r', 'l', 'a');
\echo :SQLSTATE
SELECT churnwarn.record_revisit(:w1, 'n', 'a');
\echo :SQLSTATE
SELECT state = :'before' AS nothing_changed FROM fingerprint;

-- approvals: a role the level does not name (42501), an unrecognized role
-- (22023), the same role twice and the same person in two roles (23505)
SELECT churnwarn.assess(:w3, 3, 'working.group', NULL, 'competitor');
SELECT churnwarn.assess(:w1, 1, 'zhang.cs');
SELECT state AS before FROM fingerprint \gset
SELECT churnwarn.approve(:w3, 'chen.head', 'cs_head');
\echo :SQLSTATE
SELECT churnwarn.approve(:w1, 'zhou.deputy', 'deputy_leader');
\echo :SQLSTATE
SELECT churnwarn.approve(:w1, 'x', 'chairman');
\echo :SQLSTATE
SELECT state = :'before' AS nothing_changed FROM fingerprint;
SELECT churnwarn.approve(:w3, 'sun.leader', 'group_leader');
SELECT state AS before FROM fingerprint \gset
SELECT churnwarn.approve(:w3, 'other.leader', 'group_leader');
\echo :SQLSTATE
SELECT churnwarn.approve(:w3, 'sun.leader', 'general_manager');
\echo :SQLSTATE
-- still awaiting the general manager: not issuable
SELECT churnwarn.issue(:w3, 'working_group', 'x');
\echo :SQLSTATE
SELECT state = :'before' AS nothing_changed FROM fingerprint;
SELECT churnwarn.approve(:w3, 'qian.gm', 'general_manager');
SELECT churnwarn.approve(:w1, 'chen.head', 'cs_head');
SELECT state AS before FROM fingerprint \gset
-- confirmed: approving or assessing again is refused
SELECT churnwarn.approve(:w1, 'chen.head', 'cs_head');
\echo :SQLSTATE
SELECT churnwarn.assess(:w1, 2, 'zhang.cs');
\echo :SQLSTATE
SELECT state = :'before' AS nothing_changed FROM fingerprint;

-- plans
SELECT churnwarn.issue(:w1, 'customer_success', 'li.lei') IS NOT NULL AS issued;
SELECT churnwarn.issue(:w3, 'working_group', 'wei.hua') IS NOT NULL AS issued;
SELECT state AS before FROM fingerprint \gset
SELECT churnwarn.issue(:w1, 'customer_success', 'li.lei');
\echo :SQLSTATE
SELECT churnwarn.submit_plan(:w1, '[1]');
\echo :SQLSTATE
SELECT churnwarn.submit_plan(:w1, '{"goal": "g", "measures": [], "people": ["p"], "resources": " "}');
\echo :SQLSTATE
SELECT churnwarn.evaluate(:w1, 'success', 'a');
\echo :SQLSTATE
SELECT churnwarn.record_progress(:w1, 'n', 'a');
\echo :SQLSTATE
SELECT churnwarn.approve_plan(:w3, 'gm');
\echo :SQLSTATE
SELECT state = :'before' AS nothing_changed FROM fingerprint;
SELECT churnwarn.submit_plan(:w1, '{"goal": "g", "measures": ["m"], "people": ["p"], "milestones": ["s"], "resources": "r"}');
SELECT churnwarn.submit_plan(:w3, '{"goal": "g", "measures": ["m"], "people": ["p"], "milestones": ["s"], "resources": "r"}');
SELECT state AS before FROM fingerprint \gset
-- a level-1 plan needs no approval; a level-3 plan does, before evaluation
SELECT churnwarn.approve_plan(:w1, 'gm');
\echo :SQLSTATE
SELECT churnwarn.evaluate(:w3, 'success', 'a');
\echo :SQLSTATE
SELECT churnwarn.record_progress(:w3, 'n', 'a');
\echo :SQLSTATE
SELECT state = :'before' AS nothing_changed FROM fingerprint;
SELECT churnwarn.approve_plan(:w3, 'qian.gm');
SELECT state AS before FROM fingerprint \gset
SELECT churnwarn.approve_plan(:w3, 'qian.gm');
\echo :SQLSTATE
-- communications: unrecognized channel, no participants
SELECT churnwarn.record_communication(:w1, 'carrier pigeon', '{a}', 's', 'a');
\echo :SQLSTATE
SELECT churnwarn.record_communication(:w1, 'phone', '{}', 's', 'a');
\echo :SQLSTATE
SELECT churnwarn.record_communication(:w1, 'phone', '{a, NULL}', 's', 'a');
\echo :SQLSTATE
-- evaluation: an unrecognized outcome
SELECT churnwarn.evaluate(:w1, 'great', 'a');
\echo :SQLSTATE
SELECT state = :'before' AS nothing_changed FROM fingerprint;

-- partial needs a revised plan before the next evaluation
SELECT churnwarn.evaluate(:w1, 'partial', 'zhang.cs');
SELECT state AS before FROM fingerprint \gset
SELECT churnwarn.evaluate(:w1, 'success', 'zhang.cs');
\echo :SQLSTATE
SELECT state = :'before' AS nothing_changed FROM fingerprint;
SELECT churnwarn.submit_plan(:w1, '{"goal": "g2", "measures": ["m"], "people": ["p"], "milestones": ["s"], "resources": "r"}');
SELECT churnwarn.evaluate(:w1, 'success', 'zhang.cs');
SELECT churnwarn.evaluate(:w3, 'failure', 'working.group');
SELECT state AS before FROM fingerprint \gset
-- closed: no more evaluation, progress or plans; a post-mortem only after
-- a failure, and only once
SELECT churnwarn.evaluate(:w1, 'success', 'zhang.cs');
\echo :SQLSTATE
SELECT churnwarn.submit_plan(:w1, '{"goal": "g", "measures": ["m"], "people": ["p"], "milestones": ["s"], "resources": "r"}');
\echo :SQLSTATE
SELECT churnwarn.record_postmortem(:w1, 'r', 'l', 'a');
\echo :SQLSTATE
SELECT state = :'before' AS nothing_changed FROM fingerprint;
SELECT churnwarn.record_postmortem(:w3, 'lost to a competitor', 'react faster', 'weekly review');
SELECT state AS before FROM fingerprint \gset
SELECT churnwarn.record_postmortem(:w3, 'again', 'l', 'a');
\echo :SQLSTATE
SELECT state = :'before' AS nothing_changed FROM fingerprint;

-- a refused step inside a transaction leaves the earlier steps to the
-- caller: rolled back together, nothing remains
BEGIN;
SELECT churnwarn.report_signal('r1', 'competitor_deal', '2025-04-01 09:30+08') > 0 AS reported;
SELECT churnwarn.assess((SELECT id FROM churnwarn.warning WHERE customer_id = 'r1' AND status = 'open'), 9, 'a');
ROLLBACK;
SELECT count(*) AS open_warnings FROM churnwarn.warning WHERE customer_id = 'r1' AND status = 'open';

SELECT event, count(*) FROM churnwarn.warning_event WHERE customer_id IN ('r1', 'r3')
GROUP BY event ORDER BY event;
RESET churnwarn.clock;
