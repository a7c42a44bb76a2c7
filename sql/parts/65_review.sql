/*
 * Supervision, assessment, rewards and penalties (Art. 16-19): the views BI
 * tools read, the rows they are configured by, and the period snapshots
 * managers sign.
 *
 * Periods are calendar quarters ('2026-Q3'), half-years ('2026-H2') and
 * years ('2026') in the time zone of the default working-day calendar.  A
 * warning belongs to the period it was opened in (its deadlines, escalations
 * and outcome are counted there); a loss belongs to the period the customer
 * was lost in.
 */

CREATE TABLE churnwarn.department (
	department	text PRIMARY KEY,
	name_en		text,
	name_zh		text,
	head		text
);
COMMENT ON TABLE churnwarn.department IS 'Departments and their heads (Art. 19 penalties name the department head).';
COMMENT ON COLUMN churnwarn.department.department IS 'Department code as used in customer.department and warning.department.';
COMMENT ON COLUMN churnwarn.department.name_en IS 'English name.';
COMMENT ON COLUMN churnwarn.department.name_zh IS 'Chinese name.';
COMMENT ON COLUMN churnwarn.department.head IS 'Head of the department (personal data).';

CREATE TABLE churnwarn.churn_target (
	department	text NOT NULL,
	year		int NOT NULL CHECK (year BETWEEN 2000 AND 2999),
	target_rate	numeric NOT NULL CHECK (target_rate >= 0 AND target_rate <= 1),
	PRIMARY KEY (department, year)
);
COMMENT ON TABLE churnwarn.churn_target IS 'Annual churn-rate target per department (Art. 17); department ''*'' is the default for departments without a row.';
COMMENT ON COLUMN churnwarn.churn_target.department IS 'Department, or * for every department without its own row.';
COMMENT ON COLUMN churnwarn.churn_target.year IS 'Calendar year.';
COMMENT ON COLUMN churnwarn.churn_target.target_rate IS 'Highest acceptable share of customers lost in the year (0.05 = 5 %).';

CREATE TABLE churnwarn.incentive_rule (
	code		text PRIMARY KEY,
	kind		text NOT NULL CHECK (kind IN ('reward', 'penalty')),
	article		text NOT NULL,
	label_en	text NOT NULL,
	label_zh	text NOT NULL,
	amount_min	numeric CHECK (amount_min >= 0),
	amount_max	numeric CHECK (amount_max >= amount_min),
	pct_min		numeric CHECK (pct_min >= 0 AND pct_min <= 100),
	pct_max		numeric CHECK (pct_max >= pct_min AND pct_max <= 100),
	points_min	numeric CHECK (points_min >= 0),
	points_max	numeric CHECK (points_max >= points_min),
	shipped		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE churnwarn.incentive_rule IS 'Rewards and penalties of Art. 18-19 with their ranges: money (amount), a share of the customer''s annual contract value (pct) or performance points.';
COMMENT ON COLUMN churnwarn.incentive_rule.code IS 'Rule code; incentive_stats knows how to justify each shipped code from the records.';
COMMENT ON COLUMN churnwarn.incentive_rule.kind IS 'reward or penalty.';
COMMENT ON COLUMN churnwarn.incentive_rule.article IS 'Article of the policy.';
COMMENT ON COLUMN churnwarn.incentive_rule.label_en IS 'English description.';
COMMENT ON COLUMN churnwarn.incentive_rule.label_zh IS 'Chinese description.';
COMMENT ON COLUMN churnwarn.incentive_rule.amount_min IS 'Lowest money amount.';
COMMENT ON COLUMN churnwarn.incentive_rule.amount_max IS 'Highest money amount.';
COMMENT ON COLUMN churnwarn.incentive_rule.pct_min IS 'Lowest share of the annual contract value, in percent.';
COMMENT ON COLUMN churnwarn.incentive_rule.pct_max IS 'Highest share of the annual contract value, in percent.';
COMMENT ON COLUMN churnwarn.incentive_rule.points_min IS 'Fewest performance points.';
COMMENT ON COLUMN churnwarn.incentive_rule.points_max IS 'Most performance points.';
COMMENT ON COLUMN churnwarn.incentive_rule.shipped IS 'True while the row is exactly as churnwarn shipped it; pg_dump keeps only rows that are not.';
INSERT INTO churnwarn.incentive_rule
	(code, kind, article, label_en, label_zh, amount_min, amount_max, pct_min, pct_max, points_min, points_max, shipped) VALUES
	('early_detection', 'reward', '18(1)', 'spotted a major risk in time and kept a core customer', '及时发现重大风险并成功保住核心客户', 500, 2000, NULL, NULL, NULL, NULL, true),
	('recovery', 'reward', '18(2)', 'recovered a customer at level 2 or above (shared by the recovery team)', '成功挽回二级及以上预警客户（挽回团队分享）', NULL, NULL, 1, 3, NULL, NULL, true),
	('department_target', 'reward', '18(3)', 'department kept churn within its annual target', '部门客户流失率控制在目标内', 2000, 5000, NULL, NULL, NULL, NULL, true),
	('suggestion', 'reward', '18(4)', 'improvement suggestion adopted', '改进建议被采纳', 500, 1000, NULL, NULL, NULL, NULL, true),
	('late_signal', 'penalty', '19(1)', 'signal reported late (over 24 h) before the customer was lost', '风险信号迟报后客户流失', 200, 500, NULL, NULL, NULL, NULL, true),
	('late_signal_serious', 'penalty', '19(1)', 'signal reported late before a core customer was lost (serious case)', '风险信号迟报导致核心客户流失（情节严重）', NULL, NULL, NULL, NULL, 5, 10, true),
	('failed_recovery', 'penalty', '19(2)', 'plan or progress deadline missed on a recovery that failed', '挽回失败且方案或进度逾期', 500, 1000, NULL, NULL, 10, 20, true);

CREATE SEQUENCE churnwarn.suggestion_id_seq;
CREATE TABLE churnwarn.suggestion (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('churnwarn.suggestion_id_seq'),
	customer_id	text REFERENCES churnwarn.customer ON UPDATE CASCADE,
	department	text,
	person		text NOT NULL,
	title		text NOT NULL,
	submitted_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	adopted_at	timestamptz,
	CHECK (adopted_at IS NULL OR adopted_at >= submitted_at)
);
ALTER SEQUENCE churnwarn.suggestion_id_seq OWNED BY churnwarn.suggestion.id;
COMMENT ON TABLE churnwarn.suggestion IS 'Improvement suggestions (Art. 18): an adopted one earns its author a reward.';
COMMENT ON COLUMN churnwarn.suggestion.id IS 'Suggestion id.';
COMMENT ON COLUMN churnwarn.suggestion.customer_id IS 'Customer the suggestion arose from, if any.';
COMMENT ON COLUMN churnwarn.suggestion.department IS 'Department of the author.';
COMMENT ON COLUMN churnwarn.suggestion.person IS 'Author (personal data).';
COMMENT ON COLUMN churnwarn.suggestion.title IS 'What was suggested.';
COMMENT ON COLUMN churnwarn.suggestion.submitted_at IS 'When it was submitted.';
COMMENT ON COLUMN churnwarn.suggestion.adopted_at IS 'When it was adopted; NULL while not adopted.';

SELECT pg_catalog.pg_extension_config_dump('churnwarn.department', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.churn_target', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.incentive_rule', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.suggestion', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.suggestion_id_seq', '');

/*
 * periods_of(t): the quarter, half-year and year t falls in, in the default
 * calendar's time zone.
 */
CREATE FUNCTION churnwarn.periods_of(t timestamptz)
RETURNS TABLE (period_kind text, period text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT k.kind, CASE k.kind
		WHEN 'quarter' THEN pg_catalog.to_char(l.lt, 'YYYY') OPERATOR(pg_catalog.||) '-Q' OPERATOR(pg_catalog.||) pg_catalog.to_char(l.lt, 'Q')
		WHEN 'half' THEN pg_catalog.to_char(l.lt, 'YYYY') OPERATOR(pg_catalog.||) '-H'
			OPERATOR(pg_catalog.||) CASE WHEN pg_catalog.date_part('month', l.lt) OPERATOR(pg_catalog.<=) 6 THEN '1' ELSE '2' END
		ELSE pg_catalog.to_char(l.lt, 'YYYY') END
	FROM (SELECT pg_catalog.timezone(COALESCE(
			(SELECT c.time_zone FROM churnwarn.calendar c WHERE c.is_default ORDER BY c.shipped LIMIT 1), 'UTC'), t) AS lt) l,
		(VALUES ('quarter'), ('half'), ('year')) AS k(kind)
	WHERE t IS NOT NULL;
END;
COMMENT ON FUNCTION churnwarn.periods_of(timestamptz) IS
	'The quarter (2026-Q3), half-year (2026-H2) and year (2026) a time falls in, in the default calendar''s time zone.';

/*
 * period_bounds(period): the start and end of '2026-Q3', '2026-H2' or
 * '2026' as timestamps in the default calendar's time zone; NULL if the
 * text is not a period.
 */
CREATE FUNCTION churnwarn.period_bounds(period text, OUT period_kind text,
	OUT starts_at timestamptz, OUT ends_at timestamptz)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	y int;
	first_month int;
	months int;
	tz text;
BEGIN
	IF period ~ '^[0-9]{4}-Q[1-4]$' THEN
		period_kind := 'quarter';
		first_month := 3 * (substr(period, 7, 1)::int - 1) + 1;
		months := 3;
	ELSIF period ~ '^[0-9]{4}-H[12]$' THEN
		period_kind := 'half';
		first_month := 6 * (substr(period, 7, 1)::int - 1) + 1;
		months := 6;
	ELSIF period ~ '^[0-9]{4}$' THEN
		period_kind := 'year';
		first_month := 1;
		months := 12;
	ELSE
		RETURN;
	END IF;
	y := substr(period, 1, 4)::int;
	SELECT c.time_zone INTO tz FROM churnwarn.calendar c WHERE c.is_default ORDER BY c.shipped LIMIT 1;
	tz := coalesce(tz, 'UTC');
	starts_at := make_timestamptz(y, first_month, 1, 0, 0, 0, tz);
	ends_at := (make_timestamp(y, first_month, 1, 0, 0, 0) + make_interval(months => months)) AT TIME ZONE tz;
END
$$;
COMMENT ON FUNCTION churnwarn.period_bounds(text) IS
	'Start (inclusive) and end (exclusive) of a period written 2026-Q3, 2026-H2 or 2026; NULLs if the text is not a period.';

/*
 * warning_facts: one row per warning with everything the reviews count.
 * Internal building block of the views below.
 */
CREATE VIEW churnwarn.warning_facts WITH (security_invoker = true) AS
SELECT w.id AS warning_id,
	w.customer_id,
	COALESCE(w.department, c.department, '(none)') AS department,
	COALESCE(w.owner, c.owner) AS owner,
	c.tier,
	c.annual_value,
	w.status,
	w.outcome,
	w.opened_at,
	w.closed_at,
	COALESCE(w.level, e.peak_level, w.proposed_level) AS level,
	e.peak_level,
	w.level AS confirmed_level,
	COALESCE(e.escalations, 0) AS escalations,
	COALESCE(e.deescalations, 0) AS deescalations,
	COALESCE(e.overdue_events, 0) AS overdue_events,
	w.report_due, s.first_reported_at,
	w.assess_due, w.assessed_at,
	w.notify_due, w.issued_at,
	w.plan_due, w.plan_submitted_at,
	CASE WHEN w.report_due IS NULL THEN NULL ELSE s.first_reported_at OPERATOR(pg_catalog.<=) w.report_due END AS report_met,
	CASE WHEN w.assess_due IS NULL THEN NULL
		WHEN w.assessed_at IS NOT NULL THEN w.assessed_at OPERATOR(pg_catalog.<=) w.assess_due
		WHEN w.assess_due OPERATOR(pg_catalog.<) churnwarn.now() THEN false END AS assess_met,
	CASE WHEN w.notify_due IS NULL THEN NULL
		WHEN w.issued_at IS NOT NULL THEN w.issued_at OPERATOR(pg_catalog.<=) w.notify_due
		WHEN w.notify_due OPERATOR(pg_catalog.<) churnwarn.now() THEN false END AS notify_met,
	CASE WHEN w.plan_due IS NULL THEN NULL
		WHEN w.plan_submitted_at IS NOT NULL THEN w.plan_submitted_at OPERATOR(pg_catalog.<=) w.plan_due
		WHEN w.plan_due OPERATOR(pg_catalog.<) churnwarn.now() THEN false END AS plan_met,
	sv.major_level
FROM churnwarn.warning w
JOIN churnwarn.customer c ON c.customer_id OPERATOR(pg_catalog.=) w.customer_id
LEFT JOIN LATERAL (
	SELECT pg_catalog.max(ev.to_level) AS peak_level,
		pg_catalog.count(*) FILTER (WHERE ev.event OPERATOR(pg_catalog.=) 'escalated') AS escalations,
		pg_catalog.count(*) FILTER (WHERE ev.event OPERATOR(pg_catalog.=) 'deescalated') AS deescalations,
		pg_catalog.count(*) FILTER (WHERE ev.event OPERATOR(pg_catalog.=) 'overdue') AS overdue_events
	FROM churnwarn.warning_event ev WHERE ev.warning_id OPERATOR(pg_catalog.=) w.id) e ON true
LEFT JOIN LATERAL (
	SELECT pg_catalog.min(sg.reported_at) AS first_reported_at
	FROM churnwarn.signal sg WHERE sg.id OPERATOR(pg_catalog.=) w.first_signal_id) s ON true
LEFT JOIN LATERAL (
	SELECT pg_catalog.min(l.level) AS major_level
	FROM churnwarn.scheme_level l JOIN churnwarn.severity v ON v.severity OPERATOR(pg_catalog.=) l.severity
	WHERE l.scheme OPERATOR(pg_catalog.=) w.scheme AND v.rank OPERATOR(pg_catalog.>=) 3) sv ON true;
COMMENT ON VIEW churnwarn.warning_facts IS 'One row per warning with the facts the reviews count (internal building block of period_review, assessment and incentive_stats).';
COMMENT ON COLUMN churnwarn.warning_facts.warning_id IS 'Warning.';
COMMENT ON COLUMN churnwarn.warning_facts.customer_id IS 'Customer.';
COMMENT ON COLUMN churnwarn.warning_facts.department IS 'Responsible department (the customer''s until the notice names one).';
COMMENT ON COLUMN churnwarn.warning_facts.owner IS 'Responsible person (the account owner until the notice names one).';
COMMENT ON COLUMN churnwarn.warning_facts.tier IS 'Customer value tier.';
COMMENT ON COLUMN churnwarn.warning_facts.annual_value IS 'Customer annual contract value.';
COMMENT ON COLUMN churnwarn.warning_facts.status IS 'Workflow status.';
COMMENT ON COLUMN churnwarn.warning_facts.outcome IS 'success, partial, failure or NULL.';
COMMENT ON COLUMN churnwarn.warning_facts.opened_at IS 'When it was opened (decides its period).';
COMMENT ON COLUMN churnwarn.warning_facts.closed_at IS 'When it was closed or dismissed.';
COMMENT ON COLUMN churnwarn.warning_facts.level IS 'Confirmed level, else the highest proposed level.';
COMMENT ON COLUMN churnwarn.warning_facts.peak_level IS 'Highest level the rules proposed during its life.';
COMMENT ON COLUMN churnwarn.warning_facts.confirmed_level IS 'Level the assessors confirmed.';
COMMENT ON COLUMN churnwarn.warning_facts.escalations IS 'Number of escalations.';
COMMENT ON COLUMN churnwarn.warning_facts.deescalations IS 'Number of de-escalations.';
COMMENT ON COLUMN churnwarn.warning_facts.overdue_events IS 'Number of deadlines recorded overdue.';
COMMENT ON COLUMN churnwarn.warning_facts.report_due IS 'Report deadline.';
COMMENT ON COLUMN churnwarn.warning_facts.first_reported_at IS 'When the signal that opened it was reported.';
COMMENT ON COLUMN churnwarn.warning_facts.assess_due IS 'Assessment deadline.';
COMMENT ON COLUMN churnwarn.warning_facts.assessed_at IS 'When it was assessed.';
COMMENT ON COLUMN churnwarn.warning_facts.notify_due IS 'Notice deadline.';
COMMENT ON COLUMN churnwarn.warning_facts.issued_at IS 'When the notice was issued.';
COMMENT ON COLUMN churnwarn.warning_facts.plan_due IS 'Plan deadline.';
COMMENT ON COLUMN churnwarn.warning_facts.plan_submitted_at IS 'When the plan was submitted.';
COMMENT ON COLUMN churnwarn.warning_facts.report_met IS 'Signal reported within 24 hours of observation.';
COMMENT ON COLUMN churnwarn.warning_facts.assess_met IS 'Assessed by its deadline (false once overdue, NULL while pending or without a deadline).';
COMMENT ON COLUMN churnwarn.warning_facts.notify_met IS 'Notice issued by its deadline.';
COMMENT ON COLUMN churnwarn.warning_facts.plan_met IS 'Plan submitted by its deadline.';
COMMENT ON COLUMN churnwarn.warning_facts.major_level IS 'Lowest level of the warning''s scheme of at least major severity.';

/* Customers lost: terminated customers, in the period they were lost in. */
CREATE VIEW churnwarn.customer_loss WITH (security_invoker = true) AS
SELECT c.customer_id, COALESCE(c.department, '(none)') AS department, c.owner, c.tier,
	c.annual_value, c.terminated_at AS lost_at,
	(SELECT pg_catalog.max(COALESCE(w.level, w.proposed_level)) FROM churnwarn.warning w
	 WHERE w.customer_id OPERATOR(pg_catalog.=) c.customer_id
		AND w.opened_at OPERATOR(pg_catalog.<=) c.terminated_at) AS level
FROM churnwarn.customer c
WHERE c.status OPERATOR(pg_catalog.=) 'terminated' AND c.terminated_at IS NOT NULL;
COMMENT ON VIEW churnwarn.customer_loss IS 'Customers lost (terminated), with the highest level of the warnings before the loss (0 or NULL: lost without a warning).';
COMMENT ON COLUMN churnwarn.customer_loss.customer_id IS 'Customer.';
COMMENT ON COLUMN churnwarn.customer_loss.department IS 'Owning department.';
COMMENT ON COLUMN churnwarn.customer_loss.owner IS 'Account owner.';
COMMENT ON COLUMN churnwarn.customer_loss.tier IS 'Value tier.';
COMMENT ON COLUMN churnwarn.customer_loss.annual_value IS 'Annual contract value lost.';
COMMENT ON COLUMN churnwarn.customer_loss.lost_at IS 'When cooperation ended.';
COMMENT ON COLUMN churnwarn.customer_loss.level IS 'Highest level of a warning opened before the loss.';

/*
 * customer_base: customers a department had at the start of each period
 * (created before the period and not lost before it) - the denominator of
 * the churn rate.
 */
CREATE VIEW churnwarn.period_customer_base WITH (security_invoker = true) AS
SELECT p.period_kind, p.period, COALESCE(c.department, '(none)') AS department,
	pg_catalog.count(*) AS customers
FROM (SELECT DISTINCT x.period_kind, x.period
	FROM churnwarn.warning w, churnwarn.periods_of(w.opened_at) x) p
CROSS JOIN LATERAL churnwarn.period_bounds(p.period) b
JOIN churnwarn.customer c ON c.created_at OPERATOR(pg_catalog.<) b.ends_at
	AND (c.terminated_at IS NULL OR c.terminated_at OPERATOR(pg_catalog.>=) b.starts_at)
GROUP BY 1, 2, 3;
COMMENT ON VIEW churnwarn.period_customer_base IS 'Customers of each department in each period (existing before its end, not lost before its start): the denominator of churn rates.';
COMMENT ON COLUMN churnwarn.period_customer_base.period_kind IS 'quarter, half or year.';
COMMENT ON COLUMN churnwarn.period_customer_base.period IS 'The period.';
COMMENT ON COLUMN churnwarn.period_customer_base.department IS 'Department.';
COMMENT ON COLUMN churnwarn.period_customer_base.customers IS 'Customers in the department during the period.';

/*
 * review_items: every countable event with the period it happened in.
 * Each event is counted in the period it happened: a warning opened in Q2
 * and closed in Q3 counts as opened in Q2 and closed in Q3; a deadline
 * counts in the period it fell due.
 */
CREATE VIEW churnwarn.review_items WITH (security_invoker = true) AS
SELECT f.department, f.level, f.owner, x.what, x.at, x.met
FROM churnwarn.warning_facts f
CROSS JOIN LATERAL (VALUES
	('opened', f.opened_at, NULL::boolean),
	(CASE WHEN f.status OPERATOR(pg_catalog.=) 'dismissed' THEN 'dismissed'
		WHEN f.outcome IS NOT NULL AND f.status OPERATOR(pg_catalog.=) 'closed' THEN 'closed_' OPERATOR(pg_catalog.||) f.outcome END,
	 f.closed_at, NULL),
	('report', f.report_due, f.report_met),
	('assess', f.assess_due, f.assess_met),
	('notify', f.notify_due, f.notify_met),
	('plan', f.plan_due, f.plan_met)
) AS x(what, at, met)
WHERE x.what IS NOT NULL AND x.at IS NOT NULL
	AND (x.what OPERATOR(pg_catalog.!~) '^(report|assess|notify|plan)$' OR x.met IS NOT NULL)
UNION ALL
SELECT f.department, f.level, f.owner,
	CASE WHEN ev.event OPERATOR(pg_catalog.=) 'evaluated' THEN 'evaluated_partial' ELSE ev.event END,
	ev.at, NULL
FROM churnwarn.warning_facts f
JOIN churnwarn.warning_event ev ON ev.warning_id OPERATOR(pg_catalog.=) f.warning_id
WHERE ev.event OPERATOR(pg_catalog.=) ANY ('{escalated,deescalated}'::pg_catalog.text[])
	OR (ev.event OPERATOR(pg_catalog.=) 'evaluated'
		AND ev.detail OPERATOR(pg_catalog.->>) 'outcome' OPERATOR(pg_catalog.=) 'partial')
UNION ALL
SELECT l.department, COALESCE(l.level, 0), l.owner, 'lost', l.lost_at, NULL
FROM churnwarn.customer_loss l;
COMMENT ON VIEW churnwarn.review_items IS 'Every event period_review counts, with the time that decides its period (internal building block).';
COMMENT ON COLUMN churnwarn.review_items.department IS 'Department.';
COMMENT ON COLUMN churnwarn.review_items.level IS 'Level of the warning (confirmed, else the highest proposed; 0 for a loss without warning).';
COMMENT ON COLUMN churnwarn.review_items.owner IS 'Responsible person.';
COMMENT ON COLUMN churnwarn.review_items.what IS 'opened, escalated, deescalated, dismissed, closed_success, closed_failure, evaluated_partial, report, assess, notify, plan (deadlines) or lost.';
COMMENT ON COLUMN churnwarn.review_items.at IS 'When it happened or fell due.';
COMMENT ON COLUMN churnwarn.review_items.met IS 'For deadlines: whether it was met.';

/*
 * The live computations.  Each view below has a public twin without
 * "_live" that shows closed periods from their signed snapshot.
 */
/*
 * Every period from 2000 to 2099 with its bounds, in the default calendar's
 * time zone at installation.  period_review_live works one period at a
 * time over these rows, so a filter on the period reaches this table and
 * each kind of event is read through an index on its own time column:
 * one quarter costs what happened in that quarter, not the whole history.
 */
CREATE TABLE churnwarn.period (
	period		text PRIMARY KEY,
	period_kind	text NOT NULL CHECK (period_kind IN ('quarter', 'half', 'year')),
	starts_at	timestamptz NOT NULL,
	ends_at		timestamptz NOT NULL CHECK (ends_at > starts_at)
);
COMMENT ON TABLE churnwarn.period IS 'Quarters, half-years and years 2000-2099 with their bounds (default calendar''s time zone at installation); derived data, re-created by CREATE EXTENSION.';
COMMENT ON COLUMN churnwarn.period.period IS 'The period: 2026-Q3, 2026-H2 or 2026.';
COMMENT ON COLUMN churnwarn.period.period_kind IS 'quarter, half or year.';
COMMENT ON COLUMN churnwarn.period.starts_at IS 'First instant of the period.';
COMMENT ON COLUMN churnwarn.period.ends_at IS 'First instant after the period.';
INSERT INTO churnwarn.period
SELECT x.p, b.period_kind, b.starts_at, b.ends_at
FROM pg_catalog.generate_series(2000, 2099) AS y(y),
	LATERAL (VALUES (y.y::text), (y.y || '-H1'), (y.y || '-H2'), (y.y || '-Q1'), (y.y || '-Q2'),
		(y.y || '-Q3'), (y.y || '-Q4')) AS x(p),
	LATERAL churnwarn.period_bounds(x.p) AS b;
-- registered so every churnwarn table is known to pg_dump; no row is dumped
-- (CREATE EXTENSION re-creates them all)
SELECT pg_catalog.pg_extension_config_dump('churnwarn.period', 'WHERE false');

/* each countable event found through the index on its own time column */
CREATE INDEX warning_opened_at_idx ON churnwarn.warning (opened_at);
CREATE INDEX warning_closed_at_idx ON churnwarn.warning (closed_at);
CREATE INDEX warning_report_due_idx ON churnwarn.warning (report_due);
CREATE INDEX warning_assess_due_idx ON churnwarn.warning (assess_due);
CREATE INDEX warning_notify_due_idx ON churnwarn.warning (notify_due);
CREATE INDEX warning_plan_due_idx ON churnwarn.warning (plan_due);
CREATE INDEX warning_event_at_idx ON churnwarn.warning_event (at);
CREATE INDEX customer_terminated_at_idx ON churnwarn.customer (terminated_at)
	WHERE terminated_at IS NOT NULL;

/*
 * The live computation.  Per period (a LATERAL subquery, so a filter on
 * the period is applied first): the events of review_items that fall in
 * it, counted per department and level and per department, and the
 * customer base of its departments.
 */
CREATE VIEW churnwarn.period_review_live WITH (security_invoker = true) AS
SELECT p.period_kind, p.period, a.department, a.level,
	CASE WHEN a.level IS NULL THEN NULL
		WHEN pg_catalog.current_setting('churnwarn.language', true) OPERATOR(pg_catalog.=) 'zh' THEN l.label_zh
		ELSE l.label_en END AS level_label,
	a.warnings_opened, a.escalations, a.deescalations, a.dismissed,
	a.closed_success, a.evaluated_partial, a.closed_failure,
	a.deadlines_met, a.deadlines_missed,
	a.report_met, a.report_missed, a.assess_met, a.assess_missed,
	a.notify_met, a.notify_missed, a.plan_met, a.plan_missed,
	a.customers_lost, COALESCE((base.per_department OPERATOR(pg_catalog.->>) a.department)::bigint, 0) AS customers,
	CASE WHEN (base.per_department OPERATOR(pg_catalog.->>) a.department)::bigint OPERATOR(pg_catalog.>) 0
		THEN pg_catalog.round(a.customers_lost::numeric OPERATOR(pg_catalog./)
			(base.per_department OPERATOR(pg_catalog.->>) a.department)::bigint, 4) END AS churn_rate,
	CASE WHEN (a.closed_success OPERATOR(pg_catalog.+) a.closed_failure) OPERATOR(pg_catalog.>) 0
		THEN pg_catalog.round(a.closed_success::numeric OPERATOR(pg_catalog./)
			(a.closed_success OPERATOR(pg_catalog.+) a.closed_failure), 4) END AS recovery_success_rate
FROM churnwarn.period p
CROSS JOIN LATERAL (
	-- the customer base of every department, counted once per period
	SELECT pg_catalog.jsonb_object_agg(d.department, d.n) AS per_department
	FROM (SELECT COALESCE(c.department, '(none)') AS department, pg_catalog.count(*) AS n
		FROM churnwarn.customer c
		WHERE c.created_at OPERATOR(pg_catalog.<) p.ends_at
			AND (c.terminated_at IS NULL OR c.terminated_at OPERATOR(pg_catalog.>=) p.starts_at)
		GROUP BY 1) d
) base
CROSS JOIN LATERAL (
	SELECT i.department, i.level,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'opened') AS warnings_opened,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'escalated') AS escalations,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'deescalated') AS deescalations,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'dismissed') AS dismissed,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'closed_success') AS closed_success,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'evaluated_partial') AS evaluated_partial,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'closed_failure') AS closed_failure,
		pg_catalog.count(*) FILTER (WHERE i.met) AS deadlines_met,
		pg_catalog.count(*) FILTER (WHERE NOT i.met) AS deadlines_missed,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'report' AND i.met) AS report_met,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'report' AND NOT i.met) AS report_missed,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'assess' AND i.met) AS assess_met,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'assess' AND NOT i.met) AS assess_missed,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'notify' AND i.met) AS notify_met,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'notify' AND NOT i.met) AS notify_missed,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'plan' AND i.met) AS plan_met,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'plan' AND NOT i.met) AS plan_missed,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'lost') AS customers_lost
	FROM (
		WITH e AS (
			SELECT w.id, 'opened'::text AS kind FROM churnwarn.warning w
			WHERE w.opened_at OPERATOR(pg_catalog.>=) p.starts_at AND w.opened_at OPERATOR(pg_catalog.<) p.ends_at
			UNION ALL
			SELECT w.id, 'closed' FROM churnwarn.warning w
			WHERE w.closed_at OPERATOR(pg_catalog.>=) p.starts_at AND w.closed_at OPERATOR(pg_catalog.<) p.ends_at
			UNION ALL
			SELECT w.id, 'report' FROM churnwarn.warning w
			WHERE w.report_due OPERATOR(pg_catalog.>=) p.starts_at AND w.report_due OPERATOR(pg_catalog.<) p.ends_at
			UNION ALL
			SELECT w.id, 'assess' FROM churnwarn.warning w
			WHERE w.assess_due OPERATOR(pg_catalog.>=) p.starts_at AND w.assess_due OPERATOR(pg_catalog.<) p.ends_at
			UNION ALL
			SELECT w.id, 'notify' FROM churnwarn.warning w
			WHERE w.notify_due OPERATOR(pg_catalog.>=) p.starts_at AND w.notify_due OPERATOR(pg_catalog.<) p.ends_at
			UNION ALL
			SELECT w.id, 'plan' FROM churnwarn.warning w
			WHERE w.plan_due OPERATOR(pg_catalog.>=) p.starts_at AND w.plan_due OPERATOR(pg_catalog.<) p.ends_at
			UNION ALL
			SELECT ev.warning_id,
				CASE WHEN ev.event OPERATOR(pg_catalog.=) 'evaluated' THEN 'evaluated_partial' ELSE ev.event END
			FROM churnwarn.warning_event ev
			WHERE ev.at OPERATOR(pg_catalog.>=) p.starts_at AND ev.at OPERATOR(pg_catalog.<) p.ends_at
				AND (ev.event OPERATOR(pg_catalog.=) ANY ('{escalated,deescalated}'::pg_catalog.text[])
					OR (ev.event OPERATOR(pg_catalog.=) 'evaluated'
						AND ev.detail OPERATOR(pg_catalog.->>) 'outcome' OPERATOR(pg_catalog.=) 'partial'))
		), f AS MATERIALIZED (
			-- the facts of each warning once, however many of its events fall in the period
			SELECT * FROM churnwarn.warning_facts wf
			WHERE wf.warning_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT DISTINCT e.id FROM e))
		)
		SELECT f.department, f.level, x.what, x.met
		FROM e
		JOIN f ON f.warning_id OPERATOR(pg_catalog.=) e.id
		CROSS JOIN LATERAL (SELECT
			CASE e.kind
				WHEN 'closed' THEN CASE WHEN f.status OPERATOR(pg_catalog.=) 'dismissed' THEN 'dismissed'
					WHEN f.outcome IS NOT NULL AND f.status OPERATOR(pg_catalog.=) 'closed'
						THEN 'closed_' OPERATOR(pg_catalog.||) f.outcome END
				ELSE e.kind END AS what,
			CASE e.kind WHEN 'report' THEN f.report_met WHEN 'assess' THEN f.assess_met
				WHEN 'notify' THEN f.notify_met WHEN 'plan' THEN f.plan_met END AS met) x
		WHERE x.what IS NOT NULL
			AND (x.what OPERATOR(pg_catalog.<>) ALL ('{report,assess,notify,plan}'::pg_catalog.text[])
				OR x.met IS NOT NULL)
		UNION ALL
		SELECT COALESCE(c.department, '(none)'),
			COALESCE((SELECT pg_catalog.max(COALESCE(w.level, w.proposed_level)) FROM churnwarn.warning w
				WHERE w.customer_id OPERATOR(pg_catalog.=) c.customer_id
					AND w.opened_at OPERATOR(pg_catalog.<=) c.terminated_at), 0),
			'lost', NULL
		FROM churnwarn.customer c
		WHERE c.status OPERATOR(pg_catalog.=) 'terminated'
			AND c.terminated_at OPERATOR(pg_catalog.>=) p.starts_at AND c.terminated_at OPERATOR(pg_catalog.<) p.ends_at
	) i
	GROUP BY GROUPING SETS ((i.department, i.level), (i.department))
) a
LEFT JOIN churnwarn.settings st ON true
LEFT JOIN churnwarn.scheme_level l ON l.scheme OPERATOR(pg_catalog.=) st.scheme
	AND l.level OPERATOR(pg_catalog.=) a.level
-- only the periods the records reach (each bound an index lookup), so an
-- unfiltered read does not visit a century of empty quarters
WHERE p.ends_at OPERATOR(pg_catalog.>) LEAST(
		(SELECT pg_catalog.min(w.opened_at) FROM churnwarn.warning w),
		(SELECT pg_catalog.min(c.terminated_at) FROM churnwarn.customer c WHERE c.terminated_at IS NOT NULL))
	AND p.starts_at OPERATOR(pg_catalog.<=) GREATEST(
		(SELECT pg_catalog.max(w.opened_at) FROM churnwarn.warning w),
		(SELECT pg_catalog.max(w.closed_at) FROM churnwarn.warning w),
		(SELECT pg_catalog.max(w.report_due) FROM churnwarn.warning w),
		(SELECT pg_catalog.max(w.assess_due) FROM churnwarn.warning w),
		(SELECT pg_catalog.max(w.notify_due) FROM churnwarn.warning w),
		(SELECT pg_catalog.max(w.plan_due) FROM churnwarn.warning w),
		(SELECT pg_catalog.max(ev.at) FROM churnwarn.warning_event ev),
		(SELECT pg_catalog.max(c.terminated_at) FROM churnwarn.customer c WHERE c.terminated_at IS NOT NULL));
COMMENT ON VIEW churnwarn.period_review_live IS 'period_review as the records say now, for every period, closed or not (period_review shows closed periods from their snapshot).';

/*
 * assessment_live: the KPIs of Art. 17 per period, department and person
 * (person NULL: the department as a whole).
 */
CREATE VIEW churnwarn.assessment_live WITH (security_invoker = true) AS
WITH zone AS (
	SELECT COALESCE((SELECT c.time_zone FROM churnwarn.calendar c WHERE c.is_default
		ORDER BY c.shipped LIMIT 1), 'UTC') AS name
), sig AS (
	-- signals counted per department, person and local day first: a period
	-- is a run of whole days, so the day decides it, and a million signals
	-- become a few thousand rows before each is spread over its periods
	SELECT d.department, d.person,
		pg_catalog.timezone(z.name, d.day::timestamp) AS at,
		d.n, d.n_on_time
	FROM (
		SELECT COALESCE(s.department, c.department, '(none)') AS department, s.reported_by AS person,
			pg_catalog.timezone(z.name, s.reported_at)::date AS day,
			pg_catalog.count(*) AS n,
			pg_catalog.count(*) FILTER (WHERE (s.reported_at OPERATOR(pg_catalog.-) s.observed_at)
				OPERATOR(pg_catalog.<=) st.report_within) AS n_on_time
		FROM churnwarn.signal s
		JOIN churnwarn.customer c ON c.customer_id OPERATOR(pg_catalog.=) s.customer_id
		CROSS JOIN churnwarn.settings st
		CROSS JOIN zone z
		WHERE s.status OPERATOR(pg_catalog.<>) 'withdrawn'
		GROUP BY 1, 2, 3
	) d
	CROSS JOIN zone z
), ev AS (
	SELECT f.department, f.owner AS person, f.closed_at AS at, f.outcome,
		CASE WHEN f.confirmed_level IS NULL THEN NULL
			WHEN f.outcome OPERATOR(pg_catalog.=) 'failure' THEN f.confirmed_level OPERATOR(pg_catalog.>=) f.major_level
			ELSE f.confirmed_level OPERATOR(pg_catalog.<=) f.peak_level END AS accurate,
		f.plan_submitted_at IS NOT NULL AS had_plan
	FROM churnwarn.warning_facts f
	WHERE f.status OPERATOR(pg_catalog.=) 'closed' AND f.outcome IS NOT NULL
	UNION ALL
	-- partial successes: the warning stays in recovery with a revised plan
	SELECT f.department, f.owner, ev.at, 'partial', NULL, true
	FROM churnwarn.warning_facts f
	JOIN churnwarn.warning_event ev ON ev.warning_id OPERATOR(pg_catalog.=) f.warning_id
	WHERE ev.event OPERATOR(pg_catalog.=) 'evaluated'
		AND ev.detail OPERATOR(pg_catalog.->>) 'outcome' OPERATOR(pg_catalog.=) 'partial'
), plan AS (
	SELECT f.department, f.owner AS person, f.plan_due AS at, f.plan_met AS met
	FROM churnwarn.warning_facts f WHERE f.plan_met IS NOT NULL
), lost AS (
	SELECT l.department, l.owner AS person, l.lost_at AS at FROM churnwarn.customer_loss l
), items AS (
	-- n signals reported, n_on_time of them on time; every other item is one
	SELECT department, person, at, 'signal' AS what, NULL::boolean AS flag, NULL::text AS outcome,
		n, n_on_time FROM sig
	UNION ALL SELECT department, person, at, 'evaluation', accurate, outcome, 1, 0 FROM ev
	UNION ALL SELECT department, person, at, 'plan', met, NULL, 1, 0 FROM plan
	UNION ALL SELECT department, person, at, 'lost', NULL, NULL, 1, 0 FROM lost
), agg AS (
	SELECT p.period_kind, p.period, i.department, i.person,
		COALESCE(pg_catalog.sum(i.n) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'signal'), 0)::bigint AS signals_reported,
		COALESCE(pg_catalog.sum(i.n_on_time) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'signal'), 0)::bigint AS signals_on_time,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'evaluation') AS warnings_evaluated,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'evaluation' AND i.flag IS NOT NULL) AS grades_judged,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'evaluation' AND i.flag) AS grades_accurate,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'plan') AS plans_due,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'plan' AND i.flag) AS plans_on_time,
		pg_catalog.count(*) FILTER (WHERE i.outcome OPERATOR(pg_catalog.=) 'success') AS recovered,
		pg_catalog.count(*) FILTER (WHERE i.outcome OPERATOR(pg_catalog.=) 'partial') AS partly_recovered,
		pg_catalog.count(*) FILTER (WHERE i.outcome OPERATOR(pg_catalog.=) 'failure') AS not_recovered,
		pg_catalog.count(*) FILTER (WHERE i.what OPERATOR(pg_catalog.=) 'lost') AS customers_lost
	FROM items i CROSS JOIN LATERAL churnwarn.periods_of(i.at) p
	GROUP BY GROUPING SETS ((p.period_kind, p.period, i.department, i.person),
		(p.period_kind, p.period, i.department))
)
SELECT a.period_kind, a.period, a.department, a.person,
	a.signals_reported, a.signals_on_time,
	CASE WHEN a.signals_reported OPERATOR(pg_catalog.>) 0 THEN pg_catalog.round(a.signals_on_time::numeric OPERATOR(pg_catalog./) a.signals_reported, 4) END AS signal_timeliness,
	a.warnings_evaluated, a.grades_judged, a.grades_accurate,
	CASE WHEN a.grades_judged OPERATOR(pg_catalog.>) 0 THEN pg_catalog.round(a.grades_accurate::numeric OPERATOR(pg_catalog./) a.grades_judged, 4) END AS grading_accuracy,
	a.plans_due, a.plans_on_time,
	CASE WHEN a.plans_due OPERATOR(pg_catalog.>) 0 THEN pg_catalog.round(a.plans_on_time::numeric OPERATOR(pg_catalog./) a.plans_due, 4) END AS plan_timeliness,
	CASE WHEN a.warnings_evaluated OPERATOR(pg_catalog.>) 0 THEN pg_catalog.round((a.recovered OPERATOR(pg_catalog.+) a.partly_recovered)::numeric OPERATOR(pg_catalog./) a.warnings_evaluated, 4) END AS plan_effectiveness,
	a.recovered, a.partly_recovered, a.not_recovered,
	CASE WHEN (a.recovered OPERATOR(pg_catalog.+) a.not_recovered) OPERATOR(pg_catalog.>) 0 THEN pg_catalog.round(a.recovered::numeric OPERATOR(pg_catalog./) (a.recovered OPERATOR(pg_catalog.+) a.not_recovered), 4) END AS recovery_success_rate,
	a.customers_lost,
	b.customers,
	CASE WHEN a.person IS NULL AND b.customers OPERATOR(pg_catalog.>) 0 THEN pg_catalog.round(a.customers_lost::numeric OPERATOR(pg_catalog./) b.customers, 4) END AS churn_rate,
	t.target_rate AS churn_target,
	CASE WHEN a.person IS NULL AND b.customers OPERATOR(pg_catalog.>) 0 AND t.target_rate IS NOT NULL
		THEN (a.customers_lost::numeric OPERATOR(pg_catalog./) b.customers) OPERATOR(pg_catalog.<=) t.target_rate END AS churn_within_target
FROM agg a
LEFT JOIN churnwarn.period_customer_base b ON b.period_kind OPERATOR(pg_catalog.=) a.period_kind
	AND b.period OPERATOR(pg_catalog.=) a.period AND b.department OPERATOR(pg_catalog.=) a.department
LEFT JOIN LATERAL (
	SELECT ct.target_rate FROM churnwarn.churn_target ct
	WHERE ct.year OPERATOR(pg_catalog.=) pg_catalog.left(a.period, 4)::int
		AND ct.department OPERATOR(pg_catalog.=) ANY (ARRAY[a.department, '*'])
	ORDER BY ct.department OPERATOR(pg_catalog.=) '*' LIMIT 1) t ON true;
COMMENT ON VIEW churnwarn.assessment_live IS 'assessment as the records say now, for every period.';

/*
 * incentive_items: each reward or penalty the records justify (Art. 18-19),
 * one row per beneficiary or person answerable and occurrence.
 */
CREATE VIEW churnwarn.incentive_items WITH (security_invoker = true) AS
-- 18(1): a major risk spotted in time (opening signal reported within 24 h)
-- at a core customer who was kept
SELECT 'early_detection'::text AS rule, f.department, COALESCE(s.reported_by, f.owner) AS person,
	f.closed_at AS at, f.warning_id, f.customer_id, 1::numeric AS share, NULL::numeric AS base_value
FROM churnwarn.warning_facts f
JOIN churnwarn.warning w ON w.id OPERATOR(pg_catalog.=) f.warning_id
LEFT JOIN churnwarn.signal s ON s.id OPERATOR(pg_catalog.=) w.first_signal_id
WHERE f.outcome OPERATOR(pg_catalog.=) 'success' AND f.status OPERATOR(pg_catalog.=) 'closed'
	AND f.tier OPERATOR(pg_catalog.=) 'core' AND f.level OPERATOR(pg_catalog.>=) f.major_level
	AND f.report_met
UNION ALL
-- 18(2): a level-2-or-higher customer recovered: 1-3 % of its annual value,
-- shared by the recovery team (the responsible person)
SELECT 'recovery', f.department, f.owner, f.closed_at, f.warning_id, f.customer_id, 1, f.annual_value
FROM churnwarn.warning_facts f
WHERE f.outcome OPERATOR(pg_catalog.=) 'success' AND f.status OPERATOR(pg_catalog.=) 'closed'
	AND f.level OPERATOR(pg_catalog.>=) 2
UNION ALL
-- 18(4): adopted improvement suggestions
SELECT 'suggestion', COALESCE(g.department, '(none)'), g.person, g.adopted_at, NULL, g.customer_id, 1, NULL
FROM churnwarn.suggestion g WHERE g.adopted_at IS NOT NULL
UNION ALL
-- 19(1): a signal reported more than 24 h after it was observed, in the 90
-- days before the customer was lost; serious when the customer was core
SELECT CASE WHEN l.tier OPERATOR(pg_catalog.=) 'core' THEN 'late_signal_serious' ELSE 'late_signal' END,
	l.department, s.reported_by, l.lost_at, NULL, l.customer_id, 1, NULL
FROM churnwarn.customer_loss l
JOIN churnwarn.signal s ON s.customer_id OPERATOR(pg_catalog.=) l.customer_id
CROSS JOIN churnwarn.settings st
WHERE s.status OPERATOR(pg_catalog.<>) 'withdrawn'
	AND s.observed_at OPERATOR(pg_catalog.>=) (l.lost_at OPERATOR(pg_catalog.-) interval '90 days')
	AND s.observed_at OPERATOR(pg_catalog.<=) l.lost_at
	AND (s.reported_at OPERATOR(pg_catalog.-) s.observed_at) OPERATOR(pg_catalog.>) st.report_within
UNION ALL
-- 19(2): a recovery that failed after its plan or a progress update was
-- late: the person responsible and the department head
SELECT 'failed_recovery', f.department, x.person, f.closed_at, f.warning_id, f.customer_id, 1, NULL
FROM churnwarn.warning_facts f
LEFT JOIN churnwarn.department d ON d.department OPERATOR(pg_catalog.=) f.department
CROSS JOIN LATERAL (SELECT DISTINCT p FROM pg_catalog.unnest(ARRAY[f.owner, d.head]) AS u(p) WHERE p IS NOT NULL) AS x(person)
WHERE f.outcome OPERATOR(pg_catalog.=) 'failure' AND f.status OPERATOR(pg_catalog.=) 'closed'
	AND (f.plan_met IS FALSE OR f.overdue_events OPERATOR(pg_catalog.>) 0);
COMMENT ON VIEW churnwarn.incentive_items IS 'Each reward or penalty of Art. 18-19 the records justify, per person and occurrence (internal building block of incentive_stats; department rewards are added there).';
COMMENT ON COLUMN churnwarn.incentive_items.rule IS 'Rule code (churnwarn.incentive_rule).';
COMMENT ON COLUMN churnwarn.incentive_items.department IS 'Department.';
COMMENT ON COLUMN churnwarn.incentive_items.person IS 'Person rewarded or answerable.';
COMMENT ON COLUMN churnwarn.incentive_items.at IS 'When it was earned (decides the period).';
COMMENT ON COLUMN churnwarn.incentive_items.warning_id IS 'Warning behind it, if any.';
COMMENT ON COLUMN churnwarn.incentive_items.customer_id IS 'Customer behind it, if any.';
COMMENT ON COLUMN churnwarn.incentive_items.share IS 'Share of the reward due to this person (1 = all).';
COMMENT ON COLUMN churnwarn.incentive_items.base_value IS 'Annual contract value the percentage applies to, for percentage rewards.';

CREATE VIEW churnwarn.incentive_stats_live WITH (security_invoker = true) AS
WITH per_person AS (
	SELECT p.period_kind, p.period, i.department, i.person, i.rule,
		pg_catalog.count(*) AS occurrences,
		pg_catalog.sum(i.share) AS shares,
		pg_catalog.sum(i.base_value OPERATOR(pg_catalog.*) i.share) AS base_value,
		pg_catalog.array_agg(DISTINCT i.customer_id) FILTER (WHERE i.customer_id IS NOT NULL) AS customers
	FROM churnwarn.incentive_items i CROSS JOIN LATERAL churnwarn.periods_of(i.at) p
	GROUP BY 1, 2, 3, 4, 5
	UNION ALL
	-- 18(3): a department whose churn for the year stayed within its target
	SELECT a.period_kind, a.period, a.department, NULL, 'department_target', 1, 1, NULL, NULL
	FROM churnwarn.assessment_live a
	WHERE a.period_kind OPERATOR(pg_catalog.=) 'year' AND a.person IS NULL AND a.churn_within_target
)
SELECT x.period_kind, x.period, x.department, x.person, x.rule, r.kind,
	CASE WHEN pg_catalog.current_setting('churnwarn.language', true) OPERATOR(pg_catalog.=) 'zh' THEN r.label_zh ELSE r.label_en END AS label,
	r.article, x.occurrences,
	COALESCE(r.amount_min OPERATOR(pg_catalog.*) x.shares, pg_catalog.round(r.pct_min OPERATOR(pg_catalog.*) x.base_value OPERATOR(pg_catalog./) 100, 2)) AS amount_min,
	COALESCE(r.amount_max OPERATOR(pg_catalog.*) x.shares, pg_catalog.round(r.pct_max OPERATOR(pg_catalog.*) x.base_value OPERATOR(pg_catalog./) 100, 2)) AS amount_max,
	r.points_min OPERATOR(pg_catalog.*) x.shares AS points_min,
	r.points_max OPERATOR(pg_catalog.*) x.shares AS points_max,
	x.customers
FROM per_person x
JOIN churnwarn.incentive_rule r ON r.code OPERATOR(pg_catalog.=) x.rule;
COMMENT ON VIEW churnwarn.incentive_stats_live IS 'incentive_stats as the records say now, for every period.';

/*
 * Period snapshots.  close_period() copies a period's rows of the three
 * views into these tables; the public views read closed periods from here.
 */
CREATE TABLE churnwarn.period_close (
	period		text PRIMARY KEY,
	period_kind	text NOT NULL CHECK (period_kind IN ('quarter', 'half', 'year')),
	signed_by	text NOT NULL,
	closed_at	timestamptz NOT NULL,
	config_version bigint NOT NULL
);
COMMENT ON TABLE churnwarn.period_close IS 'Closed (signed) periods: their review, assessment and incentives are frozen in the snapshot tables.';
COMMENT ON COLUMN churnwarn.period_close.period IS 'The period: 2026-Q3, 2026-H2 or 2026.';
COMMENT ON COLUMN churnwarn.period_close.period_kind IS 'quarter, half or year.';
COMMENT ON COLUMN churnwarn.period_close.signed_by IS 'Who signed the period off.';
COMMENT ON COLUMN churnwarn.period_close.closed_at IS 'When it was closed.';
COMMENT ON COLUMN churnwarn.period_close.config_version IS 'Configuration version when it was closed.';

CREATE TABLE churnwarn.period_review_snapshot AS
	SELECT * FROM churnwarn.period_review_live WITH NO DATA;
CREATE TABLE churnwarn.assessment_snapshot AS
	SELECT * FROM churnwarn.assessment_live WITH NO DATA;
CREATE TABLE churnwarn.incentive_stats_snapshot AS
	SELECT * FROM churnwarn.incentive_stats_live WITH NO DATA;
ALTER TABLE churnwarn.period_review_snapshot DROP COLUMN level_label,
	ADD FOREIGN KEY (period) REFERENCES churnwarn.period_close;
ALTER TABLE churnwarn.assessment_snapshot ADD FOREIGN KEY (period) REFERENCES churnwarn.period_close;
ALTER TABLE churnwarn.incentive_stats_snapshot DROP COLUMN label,
	ADD FOREIGN KEY (period) REFERENCES churnwarn.period_close;
COMMENT ON TABLE churnwarn.period_review_snapshot IS 'period_review rows of closed periods, as signed.';
COMMENT ON TABLE churnwarn.assessment_snapshot IS 'assessment rows of closed periods, as signed.';
COMMENT ON TABLE churnwarn.incentive_stats_snapshot IS 'incentive_stats rows of closed periods, as signed.';
SELECT pg_catalog.pg_extension_config_dump('churnwarn.period_close', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.period_review_snapshot', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.assessment_snapshot', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.incentive_stats_snapshot', '');

CREATE VIEW churnwarn.period_review WITH (security_invoker = true) AS
SELECT v.*, false AS frozen, NULL::text AS signed_by, NULL::timestamptz AS frozen_at
FROM churnwarn.period_review_live v
WHERE NOT EXISTS (SELECT 1 FROM churnwarn.period_close c WHERE c.period OPERATOR(pg_catalog.=) v.period)
UNION ALL
SELECT s.period_kind, s.period, s.department, s.level,
	CASE WHEN s.level IS NULL THEN NULL
		WHEN pg_catalog.current_setting('churnwarn.language', true) OPERATOR(pg_catalog.=) 'zh' THEN l.label_zh
		ELSE l.label_en END,
	s.warnings_opened, s.escalations, s.deescalations, s.dismissed,
	s.closed_success, s.evaluated_partial, s.closed_failure, s.deadlines_met, s.deadlines_missed,
	s.report_met, s.report_missed, s.assess_met, s.assess_missed, s.notify_met, s.notify_missed,
	s.plan_met, s.plan_missed, s.customers_lost, s.customers, s.churn_rate, s.recovery_success_rate,
	true, c.signed_by, c.closed_at
FROM churnwarn.period_review_snapshot s
JOIN churnwarn.period_close c ON c.period OPERATOR(pg_catalog.=) s.period
LEFT JOIN churnwarn.settings st ON true
LEFT JOIN churnwarn.scheme_level l ON l.scheme OPERATOR(pg_catalog.=) st.scheme AND l.level OPERATOR(pg_catalog.=) s.level;
COMMENT ON VIEW churnwarn.period_review IS 'Supervision review (Art. 16) per quarter, half-year and year, per department and level (level NULL: all levels): warnings opened, escalations, de-escalations, dismissals, outcomes, deadlines met and missed, customers lost, churn and recovery rates. Each event counts in the period it happened in. Closed periods come from their signed snapshot.';
COMMENT ON COLUMN churnwarn.period_review.period_kind IS 'quarter, half or year.';
COMMENT ON COLUMN churnwarn.period_review.period IS 'The period: 2026-Q3, 2026-H2 or 2026 (default calendar''s time zone).';
COMMENT ON COLUMN churnwarn.period_review.department IS 'Responsible department (the customer''s department until a notice names one).';
COMMENT ON COLUMN churnwarn.period_review.level IS 'Warning level (confirmed, else the highest proposed); NULL on the department''s total row; 0 for customers lost without a warning.';
COMMENT ON COLUMN churnwarn.period_review.level_label IS 'Name of the level in churnwarn.language.';
COMMENT ON COLUMN churnwarn.period_review.warnings_opened IS 'Warnings opened in the period.';
COMMENT ON COLUMN churnwarn.period_review.escalations IS 'Escalations (a warning''s proposed level rising) in the period.';
COMMENT ON COLUMN churnwarn.period_review.deescalations IS 'De-escalations in the period.';
COMMENT ON COLUMN churnwarn.period_review.dismissed IS 'Unconfirmed warnings dismissed in the period (signals gone).';
COMMENT ON COLUMN churnwarn.period_review.closed_success IS 'Warnings closed in the period with a successful recovery.';
COMMENT ON COLUMN churnwarn.period_review.evaluated_partial IS 'Evaluations of partial success in the period (recovery continues).';
COMMENT ON COLUMN churnwarn.period_review.closed_failure IS 'Warnings closed in the period with a failed recovery.';
COMMENT ON COLUMN churnwarn.period_review.deadlines_met IS 'Deadlines (report, assessment, notice, plan) falling due in the period that were met.';
COMMENT ON COLUMN churnwarn.period_review.deadlines_missed IS 'Deadlines falling due in the period that were missed (done late, or still not done).';
COMMENT ON COLUMN churnwarn.period_review.report_met IS 'Signals reported within 24 hours of observation (Art. 12).';
COMMENT ON COLUMN churnwarn.period_review.report_missed IS 'Signals reported later than 24 hours after observation.';
COMMENT ON COLUMN churnwarn.period_review.assess_met IS 'Assessments done by their deadline.';
COMMENT ON COLUMN churnwarn.period_review.assess_missed IS 'Assessments late or overdue.';
COMMENT ON COLUMN churnwarn.period_review.notify_met IS 'Warning notices issued by their deadline.';
COMMENT ON COLUMN churnwarn.period_review.notify_missed IS 'Warning notices late or overdue.';
COMMENT ON COLUMN churnwarn.period_review.plan_met IS 'Recovery plans submitted by their deadline.';
COMMENT ON COLUMN churnwarn.period_review.plan_missed IS 'Recovery plans late or overdue.';
COMMENT ON COLUMN churnwarn.period_review.customers_lost IS 'Customers whose cooperation ended in the period.';
COMMENT ON COLUMN churnwarn.period_review.customers IS 'Customers of the department during the period (existing before its end, not lost before its start).';
COMMENT ON COLUMN churnwarn.period_review.churn_rate IS 'customers_lost / customers.';
COMMENT ON COLUMN churnwarn.period_review.recovery_success_rate IS 'closed_success / (closed_success + closed_failure).';
COMMENT ON COLUMN churnwarn.period_review.frozen IS 'True if the period is closed and these figures come from its signed snapshot.';
COMMENT ON COLUMN churnwarn.period_review.signed_by IS 'Who closed the period.';
COMMENT ON COLUMN churnwarn.period_review.frozen_at IS 'When the period was closed.';

/* BI view: runs with its owner's rights and masks person (see 90_security.sql). */
CREATE VIEW churnwarn.assessment WITH (security_invoker = true) AS
SELECT
	v.period_kind, v.period, v.department, churnwarn.personal(v.person) AS person,
	v.signals_reported, v.signals_on_time, v.signal_timeliness, v.warnings_evaluated,
	v.grades_judged, v.grades_accurate, v.grading_accuracy, v.plans_due, v.plans_on_time,
	v.plan_timeliness, v.plan_effectiveness, v.recovered, v.partly_recovered, v.not_recovered,
	v.recovery_success_rate, v.customers_lost, v.customers, v.churn_rate, v.churn_target,
	v.churn_within_target, false AS frozen
FROM churnwarn.assessment_live v
WHERE NOT EXISTS (SELECT 1 FROM churnwarn.period_close c WHERE c.period OPERATOR(pg_catalog.=) v.period)
UNION ALL
SELECT
	s.period_kind, s.period, s.department, churnwarn.personal(s.person) AS person,
	s.signals_reported, s.signals_on_time, s.signal_timeliness, s.warnings_evaluated,
	s.grades_judged, s.grades_accurate, s.grading_accuracy, s.plans_due, s.plans_on_time,
	s.plan_timeliness, s.plan_effectiveness, s.recovered, s.partly_recovered, s.not_recovered,
	s.recovery_success_rate, s.customers_lost, s.customers, s.churn_rate, s.churn_target,
	s.churn_within_target, true
FROM churnwarn.assessment_snapshot s;
COMMENT ON VIEW churnwarn.assessment IS 'KPI assessment (Art. 17) per period, department and person (person NULL: the department; a pseudonym for partners and BI). Closed periods come from their signed snapshot.';
COMMENT ON COLUMN churnwarn.assessment.period_kind IS 'quarter, half or year.';
COMMENT ON COLUMN churnwarn.assessment.period IS 'The period.';
COMMENT ON COLUMN churnwarn.assessment.department IS 'Department.';
COMMENT ON COLUMN churnwarn.assessment.person IS 'Person assessed (reporter of signals; responsible person of warnings); NULL for the department total.';
COMMENT ON COLUMN churnwarn.assessment.signals_reported IS 'Signals reported in the period (withdrawn ones excluded).';
COMMENT ON COLUMN churnwarn.assessment.signals_on_time IS 'Of those, reported within 24 hours of observation.';
COMMENT ON COLUMN churnwarn.assessment.signal_timeliness IS 'Signal timeliness = signals_on_time / signals_reported.';
COMMENT ON COLUMN churnwarn.assessment.warnings_evaluated IS 'Evaluations in the period: warnings closed with success or failure, and partial successes (the warning stays in recovery).';
COMMENT ON COLUMN churnwarn.assessment.grades_judged IS 'Evaluated warnings that had a confirmed level.';
COMMENT ON COLUMN churnwarn.assessment.grades_accurate IS 'Of those, graded accurately (see grading_accuracy).';
COMMENT ON COLUMN churnwarn.assessment.grading_accuracy IS 'Grading accuracy = grades_accurate / grades_judged. A confirmed level is accurate when the outcome bears it out: a customer that was lost had been confirmed at least at the scheme''s major level (under-grading a loss is the costly error: the response was too slow), and a customer that was kept had not been confirmed above the highest level the rules proposed (over-grading wastes management attention).';
COMMENT ON COLUMN churnwarn.assessment.plans_due IS 'Recovery-plan deadlines falling in the period (met, late or overdue).';
COMMENT ON COLUMN churnwarn.assessment.plans_on_time IS 'Of those, plans submitted by the deadline.';
COMMENT ON COLUMN churnwarn.assessment.plan_timeliness IS 'Plan timeliness = plans_on_time / plans_due.';
COMMENT ON COLUMN churnwarn.assessment.plan_effectiveness IS 'Plan effectiveness = (recovered + partly_recovered) / warnings_evaluated.';
COMMENT ON COLUMN churnwarn.assessment.recovered IS 'Warnings closed with success.';
COMMENT ON COLUMN churnwarn.assessment.partly_recovered IS 'Evaluations of partial success.';
COMMENT ON COLUMN churnwarn.assessment.not_recovered IS 'Warnings closed with failure.';
COMMENT ON COLUMN churnwarn.assessment.recovery_success_rate IS 'Recovery success rate = recovered / (recovered + not_recovered).';
COMMENT ON COLUMN churnwarn.assessment.customers_lost IS 'Customers lost in the period (owned by the person, or of the department).';
COMMENT ON COLUMN churnwarn.assessment.customers IS 'Customers of the department during the period.';
COMMENT ON COLUMN churnwarn.assessment.churn_rate IS 'Churn rate = customers_lost / customers (department rows).';
COMMENT ON COLUMN churnwarn.assessment.churn_target IS 'Target churn rate for the department and year (churnwarn.churn_target).';
COMMENT ON COLUMN churnwarn.assessment.churn_within_target IS 'churn_rate <= churn_target (department rows with a target).';
COMMENT ON COLUMN churnwarn.assessment.frozen IS 'True if the period is closed and these figures come from its signed snapshot.';

/* BI view: runs with its owner's rights and masks person (see 90_security.sql). */
CREATE VIEW churnwarn.incentive_stats WITH (security_invoker = true) AS
SELECT v.period_kind, v.period, v.department, churnwarn.personal(v.person) AS person, v.rule, v.kind,
	v.label, v.article, v.occurrences, v.amount_min, v.amount_max, v.points_min, v.points_max,
	v.customers, false AS frozen
FROM churnwarn.incentive_stats_live v
WHERE NOT EXISTS (SELECT 1 FROM churnwarn.period_close c WHERE c.period OPERATOR(pg_catalog.=) v.period)
UNION ALL
SELECT s.period_kind, s.period, s.department, churnwarn.personal(s.person), s.rule, s.kind,
	CASE WHEN pg_catalog.current_setting('churnwarn.language', true) OPERATOR(pg_catalog.=) 'zh' THEN r.label_zh ELSE r.label_en END,
	s.article, s.occurrences, s.amount_min, s.amount_max, s.points_min, s.points_max, s.customers, true
FROM churnwarn.incentive_stats_snapshot s
LEFT JOIN churnwarn.incentive_rule r ON r.code OPERATOR(pg_catalog.=) s.rule;
COMMENT ON VIEW churnwarn.incentive_stats IS 'Rewards and penalties of Art. 18-19 the records justify, per period, department and person, with the ranges of churnwarn.incentive_rule (the amounts are totals over the occurrences; person is a pseudonym for partners and BI). Closed periods come from their signed snapshot.';
COMMENT ON COLUMN churnwarn.incentive_stats.period_kind IS 'quarter, half or year.';
COMMENT ON COLUMN churnwarn.incentive_stats.period IS 'The period.';
COMMENT ON COLUMN churnwarn.incentive_stats.department IS 'Department.';
COMMENT ON COLUMN churnwarn.incentive_stats.person IS 'Person rewarded or answerable; NULL for a department reward.';
COMMENT ON COLUMN churnwarn.incentive_stats.rule IS 'Rule code (churnwarn.incentive_rule).';
COMMENT ON COLUMN churnwarn.incentive_stats.kind IS 'reward or penalty.';
COMMENT ON COLUMN churnwarn.incentive_stats.label IS 'What the rule rewards or penalizes, in churnwarn.language.';
COMMENT ON COLUMN churnwarn.incentive_stats.article IS 'Article of the policy.';
COMMENT ON COLUMN churnwarn.incentive_stats.occurrences IS 'How many times the records justify it in the period.';
COMMENT ON COLUMN churnwarn.incentive_stats.amount_min IS 'Lowest total money amount (percentage rules: pct_min of the annual contract values).';
COMMENT ON COLUMN churnwarn.incentive_stats.amount_max IS 'Highest total money amount.';
COMMENT ON COLUMN churnwarn.incentive_stats.points_min IS 'Fewest total performance points.';
COMMENT ON COLUMN churnwarn.incentive_stats.points_max IS 'Most total performance points.';
COMMENT ON COLUMN churnwarn.incentive_stats.customers IS 'Customers behind it.';
COMMENT ON COLUMN churnwarn.incentive_stats.frozen IS 'True if the period is closed and these figures come from its signed snapshot.';

/* Corrections made after a period was closed: snapshot against live. */
CREATE VIEW churnwarn.period_corrections WITH (security_invoker = true) AS
SELECT c.period, COALESCE(s.department, v.department) AS department, COALESCE(s.level, v.level) AS level,
	k.measure, k.frozen_value, k.live_value
FROM churnwarn.period_close c
JOIN churnwarn.period_review_snapshot s ON s.period OPERATOR(pg_catalog.=) c.period
FULL JOIN (SELECT * FROM churnwarn.period_review_live
	WHERE period OPERATOR(pg_catalog.=) ANY (SELECT period FROM churnwarn.period_close)) v
	ON v.period OPERATOR(pg_catalog.=) s.period AND v.department OPERATOR(pg_catalog.=) s.department
	AND v.level IS NOT DISTINCT FROM s.level
CROSS JOIN LATERAL (VALUES
	('warnings_opened', s.warnings_opened, v.warnings_opened),
	('escalations', s.escalations, v.escalations),
	('deescalations', s.deescalations, v.deescalations),
	('dismissed', s.dismissed, v.dismissed),
	('closed_success', s.closed_success, v.closed_success),
	('evaluated_partial', s.evaluated_partial, v.evaluated_partial),
	('closed_failure', s.closed_failure, v.closed_failure),
	('deadlines_met', s.deadlines_met, v.deadlines_met),
	('deadlines_missed', s.deadlines_missed, v.deadlines_missed),
	('customers_lost', s.customers_lost, v.customers_lost),
	('customers', s.customers, v.customers)
) AS k(measure, frozen_value, live_value)
WHERE k.frozen_value IS DISTINCT FROM k.live_value;
COMMENT ON VIEW churnwarn.period_corrections IS 'Differences between a closed period''s signed review and what the records say now: corrections after closing show here, never silently in period_review.';
COMMENT ON COLUMN churnwarn.period_corrections.period IS 'Closed period.';
COMMENT ON COLUMN churnwarn.period_corrections.department IS 'Department.';
COMMENT ON COLUMN churnwarn.period_corrections.level IS 'Level (NULL: the department total).';
COMMENT ON COLUMN churnwarn.period_corrections.measure IS 'Which figure changed.';
COMMENT ON COLUMN churnwarn.period_corrections.frozen_value IS 'The figure as signed.';
COMMENT ON COLUMN churnwarn.period_corrections.live_value IS 'The figure the records give now.';

/* The live views and snapshots carry the public views' column comments. */
DO $$
DECLARE
	pair text[];
	r record;
BEGIN
	FOREACH pair SLICE 1 IN ARRAY ARRAY[
		['period_review', 'period_review_live'], ['period_review', 'period_review_snapshot'],
		['assessment', 'assessment_live'], ['assessment', 'assessment_snapshot'],
		['incentive_stats', 'incentive_stats_live'], ['incentive_stats', 'incentive_stats_snapshot']]
	LOOP
		FOR r IN
			SELECT a.attname, pg_catalog.col_description(a.attrelid, a.attnum) AS d
			FROM pg_catalog.pg_attribute a
			WHERE a.attrelid = pg_catalog.format('churnwarn.%I', pair[1])::pg_catalog.regclass
				AND a.attnum > 0 AND NOT a.attisdropped
		LOOP
			IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute b
				WHERE b.attrelid = pg_catalog.format('churnwarn.%I', pair[2])::pg_catalog.regclass
					AND b.attname = r.attname AND NOT b.attisdropped) THEN
				EXECUTE pg_catalog.format('COMMENT ON COLUMN churnwarn.%I.%I IS %L', pair[2], r.attname, r.d);
			END IF;
		END LOOP;
	END LOOP;
END
$$;

/*
 * close_period(period, signed_by): freeze a quarter, half-year or year once
 * it has ended.
 */
CREATE FUNCTION churnwarn.close_period(period text, signed_by text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	b record;
	n_review bigint;
	n_assessment bigint;
	n_incentive bigint;
	now_ts timestamptz := churnwarn.now();
BEGIN
	IF period IS NULL OR signed_by IS NULL THEN
		RAISE EXCEPTION 'period and signed_by must not be null' USING ERRCODE = '22004';
	END IF;
	IF btrim(signed_by) = '' THEN
		RAISE EXCEPTION 'signed_by must name the person signing the period off' USING ERRCODE = '22023';
	END IF;
	SELECT * INTO b FROM churnwarn.period_bounds(period);
	IF b.period_kind IS NULL THEN
		RAISE EXCEPTION 'invalid period "%"', period USING ERRCODE = '22023',
			HINT = 'Write a quarter as 2026-Q3, a half-year as 2026-H2 and a year as 2026.';
	END IF;
	IF b.ends_at > now_ts THEN
		RAISE EXCEPTION 'cannot close period "%" before it has ended', period USING ERRCODE = '55000',
			DETAIL = format('The period ends at %s.', b.ends_at);
	END IF;
	-- one closer at a time; a second close of the same period is refused
	PERFORM pg_advisory_xact_lock(hashtext('churnwarn.close_period'));
	IF EXISTS (SELECT 1 FROM churnwarn.period_close c WHERE c.period = close_period.period) THEN
		RAISE EXCEPTION 'period "%" is already closed', period USING ERRCODE = '55000',
			HINT = 'Corrections made after closing show in churnwarn.period_corrections.';
	END IF;
	INSERT INTO churnwarn.period_close (period, period_kind, signed_by, closed_at, config_version)
	SELECT close_period.period, b.period_kind, close_period.signed_by, now_ts, s.config_version
	FROM churnwarn.settings s;
	INSERT INTO churnwarn.period_review_snapshot
	SELECT v.period_kind, v.period, v.department, v.level, v.warnings_opened, v.escalations,
		v.deescalations, v.dismissed, v.closed_success, v.evaluated_partial, v.closed_failure,
		v.deadlines_met, v.deadlines_missed, v.report_met, v.report_missed, v.assess_met,
		v.assess_missed, v.notify_met, v.notify_missed, v.plan_met, v.plan_missed,
		v.customers_lost, v.customers, v.churn_rate, v.recovery_success_rate
	FROM churnwarn.period_review_live v WHERE v.period = close_period.period;
	GET DIAGNOSTICS n_review = ROW_COUNT;
	INSERT INTO churnwarn.assessment_snapshot
	SELECT v.* FROM churnwarn.assessment_live v WHERE v.period = close_period.period;
	GET DIAGNOSTICS n_assessment = ROW_COUNT;
	INSERT INTO churnwarn.incentive_stats_snapshot
	SELECT v.period_kind, v.period, v.department, v.person, v.rule, v.kind, v.article,
		v.occurrences, v.amount_min, v.amount_max, v.points_min, v.points_max, v.customers
	FROM churnwarn.incentive_stats_live v WHERE v.period = close_period.period;
	GET DIAGNOSTICS n_incentive = ROW_COUNT;
	RETURN jsonb_build_object('period', period, 'period_kind', b.period_kind,
		'signed_by', signed_by, 'closed_at', now_ts, 'review_rows', n_review,
		'assessment_rows', n_assessment, 'incentive_rows', n_incentive);
END
$$;
COMMENT ON FUNCTION churnwarn.close_period(text, text) IS
	'Sign off a quarter (2026-Q3), half-year (2026-H2) or year (2026) once it has ended: its review, assessment and incentives are frozen; later corrections show in period_corrections.';
REVOKE EXECUTE ON FUNCTION churnwarn.close_period(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.periods_of(timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.period_bounds(text) FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA churnwarn FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA churnwarn FROM PUBLIC;

/* Snapshots are written by close_period only: no edits, no deletes. */
CREATE FUNCTION churnwarn.snapshot_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'signed period snapshots cannot be changed'
		USING ERRCODE = '55000',
		HINT = 'Correct the records instead; differences show in churnwarn.period_corrections.';
END
$$;
COMMENT ON FUNCTION churnwarn.snapshot_guard() IS 'Trigger: refuse changes to signed period snapshots.';
REVOKE EXECUTE ON FUNCTION churnwarn.snapshot_guard() FROM PUBLIC;
CREATE TRIGGER snapshot_guard BEFORE UPDATE OR DELETE ON churnwarn.period_close
	FOR EACH ROW EXECUTE FUNCTION churnwarn.snapshot_guard();
CREATE TRIGGER snapshot_guard BEFORE UPDATE OR DELETE ON churnwarn.period_review_snapshot
	FOR EACH ROW EXECUTE FUNCTION churnwarn.snapshot_guard();
CREATE TRIGGER snapshot_guard BEFORE UPDATE OR DELETE ON churnwarn.assessment_snapshot
	FOR EACH ROW EXECUTE FUNCTION churnwarn.snapshot_guard();
CREATE TRIGGER snapshot_guard BEFORE UPDATE OR DELETE ON churnwarn.incentive_stats_snapshot
	FOR EACH ROW EXECUTE FUNCTION churnwarn.snapshot_guard();
