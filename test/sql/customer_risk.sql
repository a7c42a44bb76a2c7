-- customer_risk: the view the demo prints, in English and Chinese
\pset null '(null)'
BEGIN;
INSERT INTO churnwarn.customer (customer_id, name, tier, department, owner) VALUES
	('r1', 'Suzhou Auto Parts', 'core', 'sales-east', 'wang.fang'),
	('r2', 'Ningbo Packaging', 'ordinary', 'sales-east', 'li.lei'),
	('r3', 'Hefei Batteries', 'important', 'sales-central', 'zhao.min');
SELECT churnwarn.report_signal('r1', 'complaint_unresolved') > 0,
	churnwarn.report_signal('r1', 'competitor_contact') > 0,
	churnwarn.report_signal('r2', 'late_payment', now(), '{"reason": "bank holiday"}', 'li.lei', 12000) > 0;
SELECT customer_id, name, tier, proposed_level, proposed_label, round(score::numeric, 2) AS score,
	warning_status, jsonb_path_query_array(top_reasons, '$[*].type') AS reasons
FROM churnwarn.customer_risk ORDER BY proposed_level DESC, customer_id;
SET churnwarn.language = 'zh';
SELECT customer_id, proposed_level, proposed_label FROM churnwarn.customer_risk ORDER BY customer_id;
RESET churnwarn.language;
SET churnwarn.language = 'fr';
ROLLBACK;
-- every column is documented
SELECT count(*) AS undocumented_columns
FROM pg_attribute a
WHERE a.attrelid = 'churnwarn.customer_risk'::regclass AND a.attnum > 0
	AND col_description(a.attrelid, a.attnum) IS NULL;
