-- review: period_review, assessment, incentive_stats, close_period and
-- corrections, on a small history placed in 2025 with churnwarn.clock.
-- The workflow steps are written straight into the warning ledger here;
-- the workflow functions have their own tests.
\pset null '(null)'
SET timezone = 'Asia/Shanghai';
INSERT INTO churnwarn.department VALUES
	('sales-east', 'East sales', '华东销售部', 'head.east'),
	('sales-north', 'North sales', '华北销售部', 'head.north');
INSERT INTO churnwarn.churn_target VALUES ('*', 2025, 0.05), ('sales-north', 2025, 0.60);
INSERT INTO churnwarn.customer (customer_id, name, tier, annual_value, department, owner, created_at) VALUES
	('v1', 'Core Co', 'core', 2000000, 'sales-east', 'wang', '2024-01-01'),
	('v2', 'Lost Co', 'ordinary', 80000, 'sales-east', 'wang', '2024-01-01'),
	('v3', 'Kept Co', 'important', 300000, 'sales-north', 'zhao', '2024-01-01'),
	('v4', 'Quiet Co', 'ordinary', 50000, 'sales-north', 'zhao', '2024-01-01');

-- Q2: a complaint at v1 (reported on time), a late report at v2
SET churnwarn.clock = '2025-05-06 10:00+08';
SELECT churnwarn.report_signal('v1', 'complaint', '2025-05-06 09:00+08', '{}', 'li') > 0 AS ok;
SET churnwarn.clock = '2025-06-10 10:00+08';
SELECT churnwarn.report_signal('v2', 'renewal_refused', '2025-06-05 09:00+08', '{}', 'li') > 0 AS ok;
-- Q3: v1 escalates to a competitor deal, v3 is dissatisfied and leaves one
-- order, v4 declines an event (no warning)
SET churnwarn.clock = '2025-07-15 10:00+08';
SELECT churnwarn.report_signal('v1', 'competitor_deal', '2025-07-15 08:00+08', '{}', 'li') > 0 AS ok;
SELECT churnwarn.report_signal('v3', 'dissatisfaction', '2025-07-15 08:00+08', '{}', 'zhao') > 0 AS ok,
	churnwarn.report_signal('v3', 'order_cut', '2025-07-15 08:00+08', '{}', 'zhao', 70) > 0 AS ok2,
	churnwarn.report_signal('v4', 'event_declined', '2025-07-15 08:00+08', '{}', 'zhao') > 0 AS ok3;
RESET churnwarn.clock;

-- the workflow, written into the ledger: v1 recovered, v2 lost after a late
-- plan, v3 recovered on time
UPDATE churnwarn.warning SET status = 'closed', level = 2, outcome = 'success',
	assess_due = '2025-05-09 00:00+08', assessed_at = '2025-05-07 10:00+08',
	notify_due = '2025-05-10 00:00+08', issued_at = '2025-05-08 10:00+08',
	plan_due = '2025-05-14 00:00+08', plan_submitted_at = '2025-05-12 10:00+08',
	closed_at = '2025-09-20 10:00+08', department = 'sales-east', owner = 'wang'
WHERE customer_id = 'v1';
UPDATE churnwarn.warning SET status = 'closed', level = 1, outcome = 'failure',
	assess_due = '2025-06-13 00:00+08', assessed_at = '2025-06-11 10:00+08',
	plan_due = '2025-07-02 00:00+08', plan_submitted_at = '2025-07-08 10:00+08',
	closed_at = '2025-08-30 10:00+08'
WHERE customer_id = 'v2';
UPDATE churnwarn.customer SET status = 'terminated', terminated_at = '2025-08-30 10:00+08' WHERE customer_id = 'v2';
UPDATE churnwarn.warning SET status = 'closed', level = 2, outcome = 'success',
	plan_due = '2025-07-25 00:00+08', plan_submitted_at = '2025-07-20 10:00+08',
	closed_at = '2025-09-25 10:00+08'
WHERE customer_id = 'v3';

-- statistics, as autovacuum would gather them (unanalyzed tables make the
-- planner guess high costs and switch JIT compilation on)
ANALYZE churnwarn.customer, churnwarn.warning, churnwarn.warning_event, churnwarn.signal;
SELECT period_kind, period, department, level, level_label, warnings_opened AS opened, escalations AS esc,
	closed_success AS ok, closed_failure AS failed, deadlines_met AS met, deadlines_missed AS missed,
	customers_lost AS lost, customers, churn_rate, recovery_success_rate AS recovery, frozen
FROM churnwarn.period_review
WHERE period IN ('2025-Q2', '2025-Q3', '2025-H2', '2025') AND department IN ('sales-east', 'sales-north')
ORDER BY period_kind, period, department, level NULLS LAST;

SELECT period, department, person, signals_reported AS sig, signal_timeliness AS timely,
	grades_judged AS judged, grading_accuracy AS accuracy, plan_timeliness AS plans,
	plan_effectiveness AS effective, recovery_success_rate AS recovery, customers_lost AS lost,
	churn_rate, churn_target, churn_within_target AS within
FROM churnwarn.assessment WHERE period IN ('2025-Q3', '2025') AND department IN ('sales-east', 'sales-north')
ORDER BY period, department, person NULLS LAST;

SELECT period, department, person, rule, kind, occurrences AS n, amount_min, amount_max,
	points_min, points_max, customers
FROM churnwarn.incentive_stats WHERE period IN ('2025-Q3', '2025') AND department IN ('sales-east', 'sales-north')
ORDER BY period, rule, department, person;
SET churnwarn.language = 'zh';
SELECT DISTINCT rule, label FROM churnwarn.incentive_stats WHERE period = '2025' AND department IN ('sales-east', 'sales-north') ORDER BY rule;
SELECT DISTINCT level, level_label FROM churnwarn.period_review WHERE period = '2025' AND level > 0 AND department IN ('sales-east', 'sales-north') ORDER BY level;
RESET churnwarn.language;

-- an adopted suggestion earns its author a reward in the period of adoption
INSERT INTO churnwarn.suggestion (department, person, title, submitted_at, adopted_at)
VALUES ('sales-north', 'zhao', 'monthly health call with important customers', '2025-08-01', '2025-08-20 12:00+08');
SELECT period, person, rule, amount_min, amount_max FROM churnwarn.incentive_stats
WHERE rule = 'suggestion' AND period_kind = 'quarter' AND department = 'sales-north';

-- closing periods
-- (the row counts depend on what earlier tests left in 2025-Q3: not shown)
SELECT churnwarn.close_period('2025-Q3', 'director.li') - ARRAY['closed_at', 'review_rows',
	'assessment_rows', 'incentive_rows'] AS closed;
SELECT churnwarn.close_period('2025-Q3', 'director.li');
\echo :SQLSTATE
SELECT churnwarn.close_period('2999-Q1', 'director.li');
\echo :SQLSTATE
SELECT churnwarn.close_period('2025-Q5', 'director.li');
\echo :SQLSTATE
SELECT churnwarn.close_period(NULL, 'director.li');
\echo :SQLSTATE
SELECT churnwarn.close_period('2025-Q4', ' ');
\echo :SQLSTATE
SELECT period, signed_by FROM churnwarn.period_close;

-- a correction after closing: the frozen review does not move, the
-- difference shows in period_corrections, the open year moves
UPDATE churnwarn.warning SET outcome = 'failure' WHERE customer_id = 'v3';
SELECT period, department, level, closed_success, closed_failure, frozen, signed_by
FROM churnwarn.period_review WHERE period IN ('2025-Q3', '2025') AND department = 'sales-north' AND level IS NULL
ORDER BY period;
SELECT period, department, level, measure, frozen_value, live_value
FROM churnwarn.period_corrections WHERE department IN ('sales-east', 'sales-north') ORDER BY department, level NULLS LAST, measure;
SELECT count(*) AS frozen_assessment_rows FROM churnwarn.assessment WHERE period = '2025-Q3' AND frozen
	AND department IN ('sales-east', 'sales-north');

-- snapshots cannot be edited
UPDATE churnwarn.period_review_snapshot SET closed_success = 99;
\echo :SQLSTATE
DELETE FROM churnwarn.period_close;
\echo :SQLSTATE

-- every column of the BI views is documented
SELECT c.relname, count(*) FILTER (WHERE col_description(c.oid, a.attnum) IS NULL) AS undocumented
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
WHERE c.relnamespace = 'churnwarn'::regnamespace
	AND c.relname IN ('period_review', 'assessment', 'incentive_stats', 'period_corrections')
GROUP BY 1 ORDER BY 1;

-- edges: a signal reported exactly 24 hours after it was observed is on
-- time, one reported a second later is not; a department without customers
-- has no rows (no division by zero); a one-person recovery team gets the
-- whole 1-3 % (wang above)
INSERT INTO churnwarn.department VALUES ('sales-edge', 'Edge sales', '边缘销售部', 'head.edge'),
	('sales-empty', 'Empty sales', '空销售部', 'head.empty');
INSERT INTO churnwarn.churn_target VALUES ('sales-empty', 2025, 0.01);
INSERT INTO churnwarn.customer (customer_id, name, tier, department, owner, created_at) VALUES
	('e1', 'Edge Co', 'ordinary', 'sales-edge', 'qian', '2024-01-01');
SET churnwarn.clock = '2025-06-11 09:00+08';
SELECT churnwarn.report_signal('e1', 'cold_response', '2025-06-10 09:00+08', '{}', 'qian') > 0 AS exactly_24h;
SET churnwarn.clock = '2025-06-11 09:00:01+08';
SELECT churnwarn.report_signal('e1', 'event_declined', '2025-06-10 09:00+08', '{}', 'qian') > 0 AS one_second_late;
RESET churnwarn.clock;
SELECT period, department, person, signals_reported, signals_on_time, signal_timeliness
FROM churnwarn.assessment WHERE period = '2025-Q2' AND department = 'sales-edge' ORDER BY person NULLS LAST;
SELECT count(*) AS rows_for_empty_department
FROM (SELECT department FROM churnwarn.period_review WHERE department = 'sales-empty'
	UNION ALL SELECT department FROM churnwarn.assessment WHERE department = 'sales-empty'
	UNION ALL SELECT department FROM churnwarn.incentive_stats WHERE department = 'sales-empty') x;
