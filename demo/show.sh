#!/bin/bash
# demo/show.sh DB: print what churnwarn shows a manager for one company.
set -euo pipefail
db=$1
PSQL="psql -X -q -v ON_ERROR_STOP=1 -d $db"
echo
echo "################ $db ################"
$PSQL <<'SQL'
\pset footer off
SELECT format('%s customers, %s signals, %s warnings (%s open), scheme %s',
	(SELECT count(*) FROM churnwarn.customer), (SELECT count(*) FROM churnwarn.signal),
	(SELECT count(*) FROM churnwarn.warning),
	(SELECT count(*) FROM churnwarn.warning WHERE status NOT IN ('closed', 'dismissed')),
	(SELECT scheme FROM churnwarn.settings)) AS "summary";
\echo 'Customers at risk by proposed level (customer_risk):'
SELECT proposed_level AS level, proposed_label AS label, count(*) AS customers,
	count(*) FILTER (WHERE tier = 'core') AS core
FROM churnwarn.customer_risk GROUP BY 1, 2 ORDER BY 1;
\echo 'The ten customers most at risk now:'
SELECT customer_id, left(name, 34) AS name, tier, proposed_level AS lvl, round(score::numeric, 1) AS score,
	warning_status AS warning, owner,
	(SELECT string_agg(r->>'type', ', ') FROM jsonb_array_elements(top_reasons) r) AS top_reasons
FROM churnwarn.customer_risk
ORDER BY proposed_level DESC, score DESC NULLS LAST, customer_id LIMIT 10;
\echo 'Why is the first of them graded so? (explain, abridged):'
SELECT jsonb_pretty(e - 'signals' - 'thresholds') AS explain
FROM (SELECT churnwarn.explain(customer_id) AS e FROM churnwarn.customer_risk
	ORDER BY proposed_level DESC, score DESC NULLS LAST, customer_id LIMIT 1) x;
SQL
