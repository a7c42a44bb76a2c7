#!/bin/bash
# demo/show.sh DB: print what churnwarn shows a manager for one company:
# the customers at risk, the last full quarter's review, the KPI
# assessment and the rewards and penalties the records justify.
set -euo pipefail
db=$1
PSQL="psql -X -q -v ON_ERROR_STOP=1 -d $db"
echo
echo "################ $db ################"
$PSQL <<'SQL'
\pset footer off
SELECT format('%s customers, %s signals, %s warnings (%s in progress), %s customers lost; scheme %s',
	(SELECT count(*) FROM churnwarn.customer), (SELECT count(*) FROM churnwarn.signal),
	(SELECT count(*) FROM churnwarn.warning),
	(SELECT count(*) FROM churnwarn.warning WHERE status NOT IN ('closed', 'dismissed')),
	(SELECT count(*) FROM churnwarn.customer WHERE status = 'terminated'),
	(SELECT scheme FROM churnwarn.settings)) AS "summary";

\echo 'Customers at risk now, by proposed level (churnwarn.customer_risk):'
SELECT proposed_level AS level, proposed_label AS label, count(*) AS customers,
	count(*) FILTER (WHERE tier = 'core') AS core, count(warning_id) AS with_warning
FROM churnwarn.customer_risk GROUP BY 1, 2 ORDER BY 1;

\echo 'The five active customers most at risk:'
SELECT customer_id, left(name, 30) AS name, tier, proposed_level AS lvl, round(score::numeric, 1) AS score,
	warning_status AS warning,
	(SELECT string_agg(r->>'type', ', ') FROM jsonb_array_elements(top_reasons) r) AS top_reasons
FROM churnwarn.customer_risk WHERE customer_status <> 'terminated'
ORDER BY proposed_level DESC, score DESC NULLS LAST, customer_id LIMIT 5;

SELECT p.period AS quarter FROM churnwarn.periods_of(churnwarn.now() - interval '3 months') p
WHERE p.period_kind = 'quarter' \gset
\echo
\echo 'Quarterly review of' :quarter '(churnwarn.period_review, all departments, by level):'
SELECT level, level_label AS label, sum(warnings_opened) AS opened, sum(escalations) AS escalated,
	sum(deescalations) AS deescalated, sum(dismissed) AS dismissed, sum(closed_success) AS recovered,
	sum(evaluated_partial) AS partial, sum(closed_failure) AS failed,
	sum(deadlines_met) AS deadlines_met, sum(deadlines_missed) AS missed, sum(customers_lost) AS lost
FROM churnwarn.period_review
WHERE period = :'quarter' AND level IS NOT NULL
GROUP BY 1, 2 ORDER BY 1;
\echo 'By department:'
SELECT department, warnings_opened AS opened, closed_success AS recovered, closed_failure AS failed,
	deadlines_met AS met, deadlines_missed AS missed, customers_lost AS lost, customers,
	churn_rate, recovery_success_rate AS recovery_rate
FROM churnwarn.period_review
WHERE period = :'quarter' AND level IS NULL ORDER BY department;

\echo
\echo 'KPI assessment for' :quarter '(churnwarn.assessment, departments):'
SELECT department, signals_reported AS signals, signal_timeliness AS timely, grading_accuracy AS accuracy,
	plan_timeliness AS plans_on_time, plan_effectiveness AS effective, recovery_success_rate AS recovery,
	churn_rate, churn_target AS target, churn_within_target AS within
FROM churnwarn.assessment WHERE period = :'quarter' AND person IS NULL ORDER BY department;

\echo
\echo 'Rewards and penalties the records justify in' :quarter '(churnwarn.incentive_stats):'
SELECT kind, rule, count(DISTINCT person) AS people, sum(occurrences) AS times,
	sum(amount_min) AS amount_min, sum(amount_max) AS amount_max,
	sum(points_min) AS points_min, sum(points_max) AS points_max
FROM churnwarn.incentive_stats WHERE period = :'quarter'
GROUP BY 1, 2 ORDER BY 1 DESC, 2;
SQL
