/*
 * customer_risk: every customer's proposed and confirmed level, its open
 * warning and the top reasons.  Runs with its owner's rights (partners and
 * BI read it without privileges on the tables' personal columns), so it
 * applies the partner restriction itself (the same test as the policies of
 * setup_roles) and masks personal data for masked readers; a security
 * barrier keeps a reader's own functions from seeing rows first.
 */
CREATE VIEW churnwarn.customer_risk WITH (security_barrier = true) AS
SELECT c.customer_id,
	churnwarn.personal(c.name) AS name,
	c.tier,
	c.department,
	churnwarn.personal(c.owner) AS owner,
	c.status AS customer_status,
	COALESCE(g.level, 0) AS proposed_level,
	CASE WHEN pg_catalog.current_setting('churnwarn.language', true) OPERATOR(pg_catalog.=) 'zh'
		THEN l.label_zh ELSE l.label_en END AS proposed_label,
	g.score,
	w.level AS confirmed_level,
	w.id AS warning_id,
	w.status AS warning_status,
	w.opened_at AS warning_opened_at,
	g.graded_at,
	r.reasons AS top_reasons
FROM churnwarn.customer c
LEFT JOIN churnwarn.customer_grade g ON g.customer_id OPERATOR(pg_catalog.=) c.customer_id
LEFT JOIN churnwarn.settings s ON true
LEFT JOIN churnwarn.scheme_level l ON l.scheme OPERATOR(pg_catalog.=) s.scheme
	AND l.level OPERATOR(pg_catalog.=) g.level
LEFT JOIN churnwarn.warning w ON w.customer_id OPERATOR(pg_catalog.=) c.customer_id
	AND w.status OPERATOR(pg_catalog.<>) ALL ('{closed,dismissed}'::pg_catalog.text[])
LEFT JOIN LATERAL (
	SELECT pg_catalog.jsonb_agg(x.sig ORDER BY (x.sig OPERATOR(pg_catalog.->>) 'points')::pg_catalog.float8 DESC) AS reasons
	FROM (
		SELECT e.sig
		FROM churnwarn.grade_history h,
			pg_catalog.jsonb_array_elements(h.explanation OPERATOR(pg_catalog.->) 'signals') AS e(sig)
		WHERE h.customer_id OPERATOR(pg_catalog.=) c.customer_id
			AND h.id OPERATOR(pg_catalog.=) (
				SELECT h2.id FROM churnwarn.grade_history h2
				WHERE h2.customer_id OPERATOR(pg_catalog.=) c.customer_id
				ORDER BY h2.at DESC, h2.id DESC LIMIT 1)
		ORDER BY (e.sig OPERATOR(pg_catalog.->>) 'points')::pg_catalog.float8 DESC
		LIMIT 3
	) x
) r ON COALESCE(g.level, 0) OPERATOR(pg_catalog.>) 0
WHERE NOT churnwarn.is_restricted()
	OR c.customer_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT churnwarn.assigned_customers()));

COMMENT ON VIEW churnwarn.customer_risk IS 'Every customer''s current proposed level, confirmed level, open warning and the top reasons (the three signals that contributed most when the level last changed).';
COMMENT ON COLUMN churnwarn.customer_risk.customer_id IS 'Customer.';
COMMENT ON COLUMN churnwarn.customer_risk.name IS 'Customer name (a pseudonym for masked readers).';
COMMENT ON COLUMN churnwarn.customer_risk.tier IS 'Value tier.';
COMMENT ON COLUMN churnwarn.customer_risk.department IS 'Owning department.';
COMMENT ON COLUMN churnwarn.customer_risk.owner IS 'Account owner (a pseudonym for masked readers).';
COMMENT ON COLUMN churnwarn.customer_risk.customer_status IS 'prospect, active or terminated.';
COMMENT ON COLUMN churnwarn.customer_risk.proposed_level IS 'Level the rules propose now (0 = no warning).';
COMMENT ON COLUMN churnwarn.customer_risk.proposed_label IS 'Name of the proposed level in churnwarn.language.';
COMMENT ON COLUMN churnwarn.customer_risk.score IS 'Score at the last level change.';
COMMENT ON COLUMN churnwarn.customer_risk.confirmed_level IS 'Level confirmed by assessors on the open warning.';
COMMENT ON COLUMN churnwarn.customer_risk.warning_id IS 'Open warning, if any.';
COMMENT ON COLUMN churnwarn.customer_risk.warning_status IS 'Workflow status of the open warning.';
COMMENT ON COLUMN churnwarn.customer_risk.warning_opened_at IS 'When the open warning was opened.';
COMMENT ON COLUMN churnwarn.customer_risk.graded_at IS 'When the proposed level last changed.';
COMMENT ON COLUMN churnwarn.customer_risk.top_reasons IS 'Up to three signal contributions (type, points, decay, status) from the explanation of the last level change, largest first.';
REVOKE ALL ON churnwarn.customer_risk FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.explain(text) IS 'drift';
