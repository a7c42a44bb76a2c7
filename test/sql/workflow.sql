-- workflow: the warning workflow of Art. 12-15 end to end, with deadlines in
-- working days of the CN calendar across the 2025 Spring Festival (holiday
-- 1-28..2-4, make-up Sun 1-26 and Sat 2-8) and National Day (10-1..10-8,
-- make-up Sun 9-28 and Sat 10-11).  Time is churnwarn.clock and tick's
-- "at", never the wall clock.  Times are shown in Beijing time: a deadline
-- "within n working days" ends at 24:00, shown as 00:00 of the next day.
\pset null '(null)'
\set SHOW_CONTEXT never
SET timezone = 'Asia/Shanghai';
SET datestyle = ISO, YMD;
-- ids independent of the tests before
SELECT setval('churnwarn.warning_id_seq', 1000, false) AS warning_ids_reset,
	setval('churnwarn.signal_id_seq', 1000, false) AS signal_ids_reset;

-- the configuration: per-level workflow rows, approvers and causes
SELECT scheme, level, assess_days, notify_days, plan_days, progress_working_days,
	progress_interval, lead_department, plan_needs_approval, revisit_after
FROM churnwarn.level_workflow ORDER BY scheme DESC, level;
SELECT scheme, level, churnwarn.required_approvers(scheme, level) AS approvers
FROM churnwarn.scheme_level ORDER BY scheme DESC, level;
SELECT cause, lead_department, jsonb_array_length(measures) AS measures FROM churnwarn.cause ORDER BY cause;
SELECT c::regclass AS config_table, cond AS dumped_rows
FROM pg_catalog.pg_extension, unnest(extconfig, extcondition) AS u(c, cond)
WHERE extname = 'churnwarn' AND (c::regclass::text LIKE 'churnwarn.level%'
	OR c::regclass::text LIKE 'churnwarn.cause' OR c::regclass::text LIKE 'churnwarn.warning_%')
ORDER BY 1::text;

-- an edit of a shipped row clears its flag, so pg_dump keeps it
UPDATE churnwarn.level_workflow SET assess_days = 2 WHERE scheme = 'three_level' AND level = 1;
SELECT assess_days, shipped FROM churnwarn.level_workflow WHERE scheme = 'three_level' AND level = 1;
-- on restore the dumped row replaces the pristine one: exactly one row
INSERT INTO churnwarn.level_workflow (scheme, level, assess_days, notify_days, plan_days,
	progress_working_days, lead_department, revisit_after)
VALUES ('three_level', 2, 2, 1, 3, 3, 'sales', '{14 days,30 days,90 days}');
SELECT count(*), bool_or(shipped) AS shipped FROM churnwarn.level_workflow
WHERE scheme = 'three_level' AND level = 2;
UPDATE churnwarn.level_workflow SET assess_days = 1 WHERE scheme = 'three_level' AND level = 1;

-- churnwarn.now() is the clock the steps use
SET churnwarn.clock = '2025-01-24 10:00+08';
SELECT churnwarn.now();
INSERT INTO churnwarn.customer (customer_id, name, tier, department, owner) VALUES
	('t1', 'Tianjin Motion', 'ordinary', 'sales', 'li.lei'),
	('t2', 'Taicang Welding', 'important', 'sales', 'han.mei'),
	('t3', 'Tongxiang Textiles', 'core', 'sales', 'wei.hua');

--
-- Level 1 (three_level): Spring Festival.  Observed Fri 1-24 09:00, so
-- the assessment is due within 1 working day: Sun 1-26, a make-up day.
--
SELECT churnwarn.report_signal('t1', 'complaint', '2025-01-24 09:00+08') > 0 AS reported;
SELECT id AS w1 FROM churnwarn.warning WHERE customer_id = 't1' \gset
SELECT status, proposed_level, report_due, assess_due FROM churnwarn.warning WHERE id = :w1;
SET churnwarn.clock = '2025-01-26 11:00+08';
SELECT churnwarn.assess(:w1, 1, 'zhang.cs', 'one complaint, handled', 'service');
SELECT status, assessed_level, level FROM churnwarn.warning WHERE id = :w1;
SELECT churnwarn.approve(:w1, 'chen.head', 'cs_head');
SELECT status, level, confirmed_at, notify_due FROM churnwarn.warning WHERE id = :w1;
SET churnwarn.clock = '2025-01-27 09:30+08';
SELECT n - 'issued_at' - 'customer' AS notice, n->'customer'->>'name' AS customer
FROM churnwarn.issue(:w1, 'customer_success', 'li.lei') AS n;
-- the plan is due 1 working day after Mon 1-27: the holiday runs to 2-4
SELECT status, plan_due FROM churnwarn.warning WHERE id = :w1;
SET churnwarn.clock = '2025-02-05 16:00+08';
SELECT churnwarn.submit_plan(:w1, '{"goal": "keep the service contract",
	"measures": ["apology visit", "named service contact"], "people": ["li.lei", "zhang.cs"],
	"milestones": [{"at": "2025-02-07", "what": "visit done"}], "resources": "none extra"}') AS version;
SELECT status, plan_submitted_at, next_progress_due FROM churnwarn.warning WHERE id = :w1;
-- daily progress: Fri 2-7's update is next due on Sat 2-8, a make-up day
SET churnwarn.clock = '2025-02-06 17:00+08';
SELECT churnwarn.record_progress(:w1, 'apology visit agreed for Friday', 'li.lei');
SET churnwarn.clock = '2025-02-07 18:00+08';
SELECT churnwarn.record_progress(:w1, 'visit done, customer satisfied', 'li.lei');
SELECT churnwarn.record_communication(:w1, 'visit', '{li.lei, "Mr Sun (customer)"}',
	'apologised, agreed a named contact', 'li.lei');
SELECT next_progress_due FROM churnwarn.warning WHERE id = :w1;
SET churnwarn.clock = '2025-02-10 10:00+08';
SELECT churnwarn.evaluate(:w1, 'success', 'zhang.cs', 'customer renewed');
SELECT status, outcome, closed_at, next_progress_due FROM churnwarn.warning WHERE id = :w1;
SELECT seq, due_at FROM churnwarn.warning_revisit WHERE warning_id = :w1 ORDER BY seq;
SELECT event, actor, at, from_level, to_level FROM churnwarn.warning_event WHERE warning_id = :w1 ORDER BY id;

--
-- Level 2 (three_level): National Day.  An order cut above 50 % observed
-- Fri 9-26 18:00: assessment within 2 working days (Sun 9-28 make-up day,
-- Mon 9-29), plan within 3 working days of the notice (10-9, 10-10 and the
-- make-up Sat 10-11).
--
SET churnwarn.clock = '2025-09-26 19:00+08';
SELECT churnwarn.report_signal('t2', 'order_cut', '2025-09-26 18:00+08', '{}', 'han.mei', 60) > 0 AS reported;
SELECT id AS w2 FROM churnwarn.warning WHERE customer_id = 't2' \gset
SELECT proposed_level, report_due, assess_due FROM churnwarn.warning WHERE id = :w2;
SET churnwarn.clock = '2025-09-29 10:00+08';
SELECT churnwarn.assess(:w2, 2, 'zhang.cs', 'CS, sales and tech assessed', 'contract_terms');
SELECT churnwarn.approve(:w2, 'zhou.deputy', 'deputy_leader');
SELECT status, level, notify_due FROM churnwarn.warning WHERE id = :w2;
SET churnwarn.clock = '2025-09-30 15:00+08';
SELECT n->'lead_department' AS lead, n->'deadlines' AS deadlines, n->'reason'->'signals'->0->>'type' AS top_signal
FROM churnwarn.issue(:w2, 'sales', 'han.mei') AS n;
SET churnwarn.clock = '2025-10-11 11:00+08';
SELECT churnwarn.submit_plan(:w2, '{"goal": "restore the order volume", "measures": ["renegotiate terms"],
	"people": ["han.mei"], "milestones": ["2025-10-20 new terms"], "resources": ["pricing authority"]}') AS version;
-- progress every 3 working days: Sat 10-11 -> Mon 10-13, Tue 10-14, Wed 10-15
SELECT status, plan_due, plan_submitted_at, next_progress_due FROM churnwarn.warning WHERE id = :w2;
SET churnwarn.clock = '2025-10-15 09:00+08';
SELECT churnwarn.record_progress(:w2, 'new price list sent', 'han.mei');
SELECT churnwarn.evaluate(:w2, 'partial', 'zhang.cs', 'volume back to 70 %');
SELECT status, outcome, plan_due, plan_submitted_at FROM churnwarn.warning WHERE id = :w2;
SET churnwarn.clock = '2025-10-17 09:00+08';
SELECT churnwarn.submit_plan(:w2, '{"goal": "full volume", "measures": ["volume rebate"],
	"people": ["han.mei"], "milestones": ["2025-11-01"], "resources": ["rebate budget"]}') AS version;
SELECT churnwarn.evaluate(:w2, 'success', 'zhang.cs');
SELECT outcome, plan_version, actor FROM churnwarn.warning_evaluation WHERE warning_id = :w2 ORDER BY id;

--
-- Level 3 (three_level): a termination notice Mon 2025-01-27.  Assessment
-- within 3 working days (after the holiday: 2-5, 2-6, 2-7); group leader
-- and general manager confirm; the plan (5 working days, with the make-up
-- Sat 2-8) needs management approval before it counts; progress in real
-- time (4 hours); the recovery fails: the customer is lost.
--
SET churnwarn.clock = '2025-01-27 10:00+08';
SELECT churnwarn.report_signal('t3', 'termination_notice', '2025-01-27 09:00+08') > 0 AS reported;
SELECT id AS w3 FROM churnwarn.warning WHERE customer_id = 't3' \gset
SELECT proposed_level, assess_due FROM churnwarn.warning WHERE id = :w3;
SET churnwarn.clock = '2025-02-05 10:00+08';
SELECT churnwarn.assess(:w3, 3, 'working.group', 'termination letter received', 'product_quality');
SELECT churnwarn.approve(:w3, 'sun.leader', 'group_leader');
SELECT status, assessed_level, level FROM churnwarn.warning WHERE id = :w3;
SET churnwarn.clock = '2025-02-06 10:00+08';
SELECT churnwarn.approve(:w3, 'qian.gm', 'general_manager');
SELECT status, level, notify_due FROM churnwarn.warning WHERE id = :w3;
SET churnwarn.clock = '2025-02-07 10:00+08';
SELECT n->'lead_department' AS lead, n->'measures'->0 AS first_measure, n->'deadlines' AS deadlines
FROM churnwarn.issue(:w3, 'working_group', 'wei.hua') AS n;
SET churnwarn.clock = '2025-02-13 10:00+08';
SELECT churnwarn.submit_plan(:w3, '{"goal": "withdraw the termination", "measures": ["senior management visit",
	"free replacement of faulty axes", "compensation", "long-term guarantee"], "people": ["sun.leader", "wei.hua"],
	"milestones": ["2025-02-20 visit"], "resources": {"budget": 200000}}') AS version;
-- not in force until management approves: the warning stays issued
SELECT status, plan_submitted_at, next_progress_due FROM churnwarn.warning WHERE id = :w3;
SET churnwarn.clock = '2025-02-14 10:00+08';
SELECT churnwarn.approve_plan(:w3, 'qian.gm');
SELECT status, next_progress_due FROM churnwarn.warning WHERE id = :w3;
SELECT version, needs_approval, approved_by, effective_at FROM churnwarn.warning_plan WHERE warning_id = :w3;
SET churnwarn.clock = '2025-02-14 13:00+08';
SELECT churnwarn.record_progress(:w3, 'GM called the customer''s CEO', 'wei.hua');
SELECT churnwarn.record_communication(:w3, 'meeting', '{qian.gm, sun.leader, "CEO Liu (customer)"}',
	'senior management meeting; customer keeps the termination', 'wei.hua');
SELECT next_progress_due FROM churnwarn.warning WHERE id = :w3;
SET churnwarn.clock = '2025-02-20 10:00+08';
SELECT churnwarn.evaluate(:w3, 'failure', 'working.group', 'customer moved to a competitor');
SELECT status, outcome, closed_at, postmortem_due FROM churnwarn.warning WHERE id = :w3;
SELECT status, terminated_at FROM churnwarn.customer WHERE customer_id = 't3';
SELECT churnwarn.record_communication(:w3, 'phone', '{wei.hua}', 'exit conversation, door left open', 'wei.hua');
SET churnwarn.clock = '2025-02-25 10:00+08';
SELECT churnwarn.record_postmortem(:w3, 'repeated axis failures not escalated',
	'quality issues of core customers go to the working group at once', 'weekly QA review of core accounts');
SELECT actor, root_cause FROM churnwarn.warning_postmortem WHERE warning_id = :w3;

-- the tracking ledger of the three
SELECT warning_id, customer_id, status, level, cause, outcome, report_met, assess_met, notify_met,
	plan_met, plan_version, progress_updates, progress_late, communications, postmortem_met,
	revisits_pending, overdue_now
FROM churnwarn.tracking_ledger WHERE warning_id IN (:w1, :w2, :w3) ORDER BY warning_id;

--
-- Escalation of a warning in progress sends it back for re-assessment at
-- the new level; the confirmed level stays in force until re-confirmed.
--
INSERT INTO churnwarn.customer (customer_id, name) VALUES ('t4', 'Tangshan Castings');
SET churnwarn.clock = '2025-03-03 09:00+08';
SELECT churnwarn.report_signal('t4', 'complaint', '2025-03-03 08:00+08') > 0 AS reported;
SELECT id AS w4 FROM churnwarn.warning WHERE customer_id = 't4' \gset
SELECT churnwarn.assess(:w4, 1, 'zhang.cs');
SELECT churnwarn.approve(:w4, 'chen.head', 'cs_head');
SELECT churnwarn.issue(:w4, 'customer_success', 'li.lei') IS NOT NULL AS issued;
SET churnwarn.clock = '2025-03-04 10:00+08';
SELECT churnwarn.report_signal('t4', 'competitor_deal', '2025-03-04 09:00+08') > 0 AS reported;
SELECT status, proposed_level, level, assessed_level, reassessments, assessed_at, issued_at, assess_due
FROM churnwarn.warning WHERE id = :w4;
SELECT event, from_level, to_level, detail - 'score' AS detail
FROM churnwarn.warning_event WHERE warning_id = :w4 AND at = '2025-03-04 10:00+08' ORDER BY id;
-- re-assessed at level 2: the deputy leader confirms, a new notice follows
SELECT churnwarn.assess(:w4, 2, 'zhang.cs', 'now talking to a competitor', 'competitor');
SELECT churnwarn.approve(:w4, 'zhou.deputy', 'deputy_leader');
SELECT churnwarn.issue(:w4, 'sales', 'han.mei')->'deadlines'->>'plan_due' AS plan_due;
SELECT status, level, department, reassessments FROM churnwarn.warning WHERE id = :w4;
-- a rise that stays at or below the assessed level does not
SELECT churnwarn.report_signal('t4', 'cold_response', '2025-03-04 09:30+08') > 0 AS reported;
SELECT status, reassessments FROM churnwarn.warning WHERE id = :w4;

--
-- tick: t1's first revisit fell due 30 days after its success (3-12), and
-- t4's new plan is late (due 3 working days after its notice of 3-04);
-- each is recorded once, however often tick runs
--
SELECT t - 'at' - 'skipped_customers' AS tick FROM churnwarn.tick('2025-03-13 00:00+08') t;
SELECT t - 'at' - 'skipped_customers' AS tick FROM churnwarn.tick('2025-03-13 00:00+08') t;
SELECT warning_id, event, at, detail FROM churnwarn.warning_event
WHERE event IN ('revisit_due', 'overdue') ORDER BY id;
SELECT warning_id, overdue_now, overdue_events FROM churnwarn.tracking_ledger WHERE warning_id = :w4;
SET churnwarn.clock = '2025-03-14 10:00+08';
SELECT churnwarn.record_revisit(:w1, 'customer happy with the named contact', 'li.lei') AS visit;
SELECT seq, reminded_at, done_at, done_by FROM churnwarn.warning_revisit WHERE warning_id = :w1 ORDER BY seq;

--
-- tick: missed deadlines are recorded once each, whatever the repetitions
--
INSERT INTO churnwarn.customer (customer_id, name) VALUES ('t5', 'Taiyuan Tools');
SET churnwarn.clock = '2025-09-29 10:00+08';
SELECT churnwarn.report_signal('t5', 'complaint', '2025-09-26 08:00+08') > 0 AS reported;
SELECT id AS w5 FROM churnwarn.warning WHERE customer_id = 't5' \gset
-- reported late (observed 3 days earlier), assessment due Tue 9-30
SELECT report_due, assess_due FROM churnwarn.warning WHERE id = :w5;
SELECT t - 'at' - 'skipped_customers' AS tick FROM churnwarn.tick('2025-09-30 12:00+08') t;
SELECT t - 'at' - 'skipped_customers' AS tick FROM churnwarn.tick('2025-10-09 12:00+08') t;
SELECT t - 'at' - 'skipped_customers' AS tick FROM churnwarn.tick('2025-10-09 12:00+08') t;
SELECT t - 'at' - 'skipped_customers' AS tick FROM churnwarn.tick('2025-10-10 12:00+08') t;
SELECT e.warning_id, e.at, e.detail->>'deadline' AS deadline, e.detail->>'due' AS due_utc
FROM churnwarn.warning_event e WHERE e.event = 'overdue' AND e.at >= '2025-09-30' ORDER BY e.id;
SET churnwarn.clock = '2025-10-09 12:00+08';
SELECT warning_id, assess_met, overdue_now, overdue_events FROM churnwarn.tracking_ledger
WHERE warning_id = :w5;
-- a late assessment: the ledger says so, and nothing more becomes overdue
SET churnwarn.clock = '2025-10-10 13:00+08';
SELECT churnwarn.assess(:w5, 1, 'zhang.cs');
SELECT churnwarn.approve(:w5, 'chen.head', 'cs_head');
SELECT assess_met, overdue_now FROM churnwarn.tracking_ledger WHERE warning_id = :w5;
SELECT t->'overdue' AS overdue FROM churnwarn.tick('2025-10-10 14:00+08') t;
-- the notice is missed, then progress twice at different due times
SELECT t->'overdue' AS overdue FROM churnwarn.tick('2025-10-14 09:00+08') t;
SELECT churnwarn.issue(:w5, 'customer_success', 'li.lei') IS NOT NULL AS issued;
SET churnwarn.clock = '2025-10-14 10:00+08';
SELECT churnwarn.submit_plan(:w5, '{"goal": "g", "measures": ["m"], "people": ["p"],
	"milestones": ["s"], "resources": "r"}') AS version;
SELECT t->'overdue' AS overdue FROM churnwarn.tick('2025-10-16 09:00+08') t;
SET churnwarn.clock = '2025-10-16 10:00+08';
SELECT churnwarn.record_progress(:w5, 'late update', 'li.lei');
SELECT t->'overdue' AS overdue FROM churnwarn.tick('2025-10-18 09:00+08') t;
SELECT t->'overdue' AS overdue FROM churnwarn.tick('2025-10-18 09:05+08') t;
SELECT e.detail->>'deadline' AS deadline, e.detail->>'due' AS due_utc, e.detail->>'status' AS status
FROM churnwarn.warning_event e WHERE e.event = 'overdue' AND e.warning_id = :w5 ORDER BY e.id;
SELECT due, on_time FROM churnwarn.warning_progress WHERE warning_id = :w5;
-- the same instant under another TimeZone is still the same deadline
SET timezone = 'America/New_York';
SELECT t->'overdue' AS overdue FROM churnwarn.tick('2025-10-18 09:05+08') t;
SET timezone = 'Asia/Shanghai';
-- decay: tick regrades customers whose points have decayed; t5's
-- complaint half a year later no longer makes a warning level
SELECT level FROM churnwarn.customer_grade WHERE customer_id = 't5';
SELECT t->'regraded' AS regraded, t->'level_changes' AS changes FROM churnwarn.tick('2026-04-01 00:00+08') t;
SELECT level FROM churnwarn.customer_grade WHERE customer_id = 't5';
SELECT event, from_level, to_level FROM churnwarn.warning_event
WHERE warning_id = :w5 AND at = '2026-04-01 00:00+08' AND event <> 'overdue';
SELECT t->'regraded' AS regraded, t->'level_changes' AS changes FROM churnwarn.tick('2026-04-01 00:00+08') t;

--
-- The four-level scheme: a full lifecycle at each level, driven by a
-- helper that performs every step on the day it is due.
--
SELECT churnwarn.use_scheme('four_level');
CREATE FUNCTION pg_temp.lifecycle(cust text, lvl int, start timestamptz)
RETURNS TABLE (step text, at timestamptz, due timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
	wid bigint;
	r text;
	w churnwarn.warning;
BEGIN
	PERFORM set_config('churnwarn.clock', start::text, true);
	INSERT INTO churnwarn.customer (customer_id, name) VALUES (cust, 'customer ' || cust);
	PERFORM churnwarn.report_signal(cust, CASE WHEN lvl = 4 THEN 'termination_notice' ELSE 'complaint' END, start);
	SELECT id INTO wid FROM churnwarn.warning x WHERE x.customer_id = cust;
	SELECT * INTO w FROM churnwarn.warning x WHERE x.id = wid;
	step := 'opened'; at := w.opened_at; due := w.assess_due; RETURN NEXT;
	PERFORM set_config('churnwarn.clock', (w.assess_due - interval '1 hour')::text, true);
	PERFORM churnwarn.assess(wid, lvl, 'assessor', NULL, 'competitor');
	FOREACH r IN ARRAY churnwarn.required_approvers('four_level', lvl) LOOP
		PERFORM churnwarn.approve(wid, 'person.' || r, r);
	END LOOP;
	SELECT * INTO w FROM churnwarn.warning x WHERE x.id = wid;
	step := 'confirmed by ' || array_to_string(churnwarn.required_approvers('four_level', lvl), '+');
	at := w.confirmed_at; due := w.notify_due; RETURN NEXT;
	PERFORM set_config('churnwarn.clock', (w.notify_due - interval '1 hour')::text, true);
	PERFORM churnwarn.issue(wid, 'sales', 'owner');
	SELECT * INTO w FROM churnwarn.warning x WHERE x.id = wid;
	step := 'issued'; at := w.issued_at; due := w.plan_due; RETURN NEXT;
	PERFORM set_config('churnwarn.clock', (w.plan_due - interval '1 hour')::text, true);
	PERFORM churnwarn.submit_plan(wid, '{"goal": "g", "measures": ["m"], "people": ["p"], "milestones": ["s"], "resources": "r"}');
	SELECT * INTO w FROM churnwarn.warning x WHERE x.id = wid;
	IF w.status = 'issued' THEN
		step := 'plan submitted, awaiting approval'; at := w.plan_submitted_at; due := NULL; RETURN NEXT;
		PERFORM churnwarn.approve_plan(wid, 'management');
		SELECT * INTO w FROM churnwarn.warning x WHERE x.id = wid;
	END IF;
	step := 'plan in force'; at := churnwarn.now(); due := w.next_progress_due; RETURN NEXT;
	PERFORM set_config('churnwarn.clock', (w.next_progress_due - interval '1 minute')::text, true);
	PERFORM churnwarn.record_progress(wid, 'progress', 'owner');
	SELECT * INTO w FROM churnwarn.warning x WHERE x.id = wid;
	step := 'progress'; at := churnwarn.now(); due := w.next_progress_due; RETURN NEXT;
	PERFORM churnwarn.evaluate(wid, 'success', 'assessor');
	SELECT * INTO w FROM churnwarn.warning x WHERE x.id = wid;
	step := w.status || ' ' || w.outcome; at := w.closed_at;
	due := (SELECT max(v.due_at) FROM churnwarn.warning_revisit v WHERE v.warning_id = wid); RETURN NEXT;
END
$$;
SELECT * FROM pg_temp.lifecycle('f1', 1, '2025-01-23 15:00+08');
SELECT * FROM pg_temp.lifecycle('f2', 2, '2025-01-24 15:00+08');
SELECT * FROM pg_temp.lifecycle('f3', 3, '2025-09-25 15:00+08');
SELECT * FROM pg_temp.lifecycle('f4', 4, '2025-09-26 15:00+08');
SELECT customer_id, level, level_label, report_met, assess_met, notify_met, plan_met, progress_late, overdue_now
FROM churnwarn.tracking_ledger WHERE customer_id LIKE 'f_' ORDER BY customer_id;
-- a level outside the scheme is refused for four levels too
SELECT churnwarn.report_signal('f1', 'termination_notice', '2025-09-26 15:00+08') > 0 AS reported;
SELECT churnwarn.assess((SELECT id FROM churnwarn.warning WHERE customer_id = 'f1' AND status = 'open'), 5, 'a');
\echo :SQLSTATE
SELECT churnwarn.use_scheme('three_level');
RESET churnwarn.clock;

-- tick() reads only the customers with a level or open signals, through
-- the partial indexes customer_grade_level_idx and signal_open_idx: among
-- 5,000 more customers at level 0 with resolved signals it reads no row of
-- customer_grade or signal by a sequential scan (this transaction's
-- counters, before and after).
BEGIN;
SET LOCAL churnwarn.clock = '2025-11-20 12:00+08';
INSERT INTO churnwarn.customer (customer_id) SELECT 'idle-' || i FROM generate_series(1, 5000) i;
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at, status, closed_at)
SELECT 'idle-' || i, 'cold_response', '2024-01-01 00:00+08', 'resolved', '2024-02-01 00:00+08'
  FROM generate_series(1, 5000) i;
ANALYZE churnwarn.customer_grade, churnwarn.signal;
CREATE TEMP TABLE scans AS
SELECT relname, seq_tup_read FROM pg_stat_xact_user_tables
 WHERE relid IN ('churnwarn.customer_grade'::regclass, 'churnwarn.signal'::regclass);
SELECT (t->>'regraded')::int >= 0 AS ticked FROM churnwarn.tick('2025-11-20 12:00+08') t;
SELECT s.relname, x.seq_tup_read - s.seq_tup_read AS rows_read_by_seq_scan
  FROM scans s JOIN pg_stat_xact_user_tables x USING (relname)
 WHERE x.schemaname = 'churnwarn' ORDER BY 1;
ROLLBACK;
