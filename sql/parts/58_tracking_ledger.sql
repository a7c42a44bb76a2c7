/*
 * sql/parts/58_tracking_ledger.sql
 *	  tracking_ledger: the 预警跟踪台账, one row per warning with each
 *	  deadline, whether it was met, and what is overdue now.
 *
 * "met": true when the step happened by its due time, false when it
 * happened late or has not happened and the due time has passed, NULL when
 * it is still to come (or the deadline does not apply).  "Now" is
 * churnwarn.now().  Runs with its owner's rights and masks personal columns (see below);
 * underlying tables applies to whoever reads it.
 */
-- Runs with its owner's rights, like the other BI views, and masks the
-- personal columns itself (churnwarn.personal), so a BI role without table
-- privileges can read it; partners are not granted it (90_security.sql).
CREATE VIEW churnwarn.tracking_ledger AS
SELECT w.id AS warning_id,
	w.customer_id,
	churnwarn.personal(c.name) AS customer_name,
	c.tier,
	w.scheme,
	w.status,
	w.proposed_level,
	w.level,
	CASE WHEN pg_catalog.current_setting('churnwarn.language', true) OPERATOR(pg_catalog.=) 'zh'
		THEN l.label_zh ELSE l.label_en END AS level_label,
	w.cause,
	w.department,
	churnwarn.personal(w.owner) AS owner,
	w.outcome,
	w.reassessments,
	w.observed_at,
	w.opened_at,
	w.report_due,
	w.opened_at OPERATOR(pg_catalog.<=) w.report_due AS report_met,
	w.assessed_at,
	w.confirmed_at,
	w.assess_due,
	CASE WHEN w.assess_due IS NULL THEN NULL
		WHEN w.confirmed_at IS NOT NULL THEN w.confirmed_at OPERATOR(pg_catalog.<=) w.assess_due
		WHEN w.status OPERATOR(pg_catalog.=) 'open' AND n.now OPERATOR(pg_catalog.>) w.assess_due THEN false
		END AS assess_met,
	w.issued_at,
	w.notify_due,
	CASE WHEN w.notify_due IS NULL THEN NULL
		WHEN w.issued_at IS NOT NULL THEN w.issued_at OPERATOR(pg_catalog.<=) w.notify_due
		WHEN w.status OPERATOR(pg_catalog.=) 'confirmed' AND n.now OPERATOR(pg_catalog.>) w.notify_due THEN false
		END AS notify_met,
	w.plan_submitted_at,
	w.plan_due,
	CASE WHEN w.plan_due IS NULL THEN NULL
		WHEN w.plan_submitted_at IS NOT NULL THEN w.plan_submitted_at OPERATOR(pg_catalog.<=) w.plan_due
		WHEN w.status OPERATOR(pg_catalog.=) ANY ('{issued,recovering}'::text[])
			AND n.now OPERATOR(pg_catalog.>) w.plan_due THEN false
		END AS plan_met,
	pl.version AS plan_version,
	pl.effective_at AS plan_effective_at,
	w.next_progress_due,
	pr.updates AS progress_updates,
	pr.late AS progress_late,
	pr.last_at AS last_progress_at,
	co.n AS communications,
	w.closed_at,
	w.postmortem_due,
	pm.at AS postmortem_at,
	CASE WHEN w.postmortem_due IS NULL THEN NULL
		WHEN pm.at IS NOT NULL THEN pm.at OPERATOR(pg_catalog.<=) w.postmortem_due
		WHEN n.now OPERATOR(pg_catalog.>) w.postmortem_due THEN false
		END AS postmortem_met,
	rv.pending AS revisits_pending,
	rv.next_due AS next_revisit_due,
	od.deadlines AS overdue_now,
	ev.n AS overdue_events
FROM churnwarn.warning w
CROSS JOIN LATERAL (SELECT churnwarn.now() AS now) n
LEFT JOIN churnwarn.customer c ON c.customer_id OPERATOR(pg_catalog.=) w.customer_id
LEFT JOIN churnwarn.scheme_level l ON l.scheme OPERATOR(pg_catalog.=) w.scheme
	AND l.level OPERATOR(pg_catalog.=) w.level
LEFT JOIN LATERAL (
	SELECT p.version, p.effective_at FROM churnwarn.warning_plan p
	WHERE p.warning_id OPERATOR(pg_catalog.=) w.id ORDER BY p.version DESC LIMIT 1
) pl ON true
LEFT JOIN LATERAL (
	SELECT pg_catalog.count(*) AS updates,
		pg_catalog.count(*) FILTER (WHERE NOT p.on_time) AS late,
		pg_catalog.max(p.at) AS last_at
	FROM churnwarn.warning_progress p WHERE p.warning_id OPERATOR(pg_catalog.=) w.id
) pr ON true
LEFT JOIN LATERAL (
	SELECT pg_catalog.count(*) AS n FROM churnwarn.warning_communication m
	WHERE m.warning_id OPERATOR(pg_catalog.=) w.id
) co ON true
LEFT JOIN LATERAL (
	SELECT p.at FROM churnwarn.warning_postmortem p WHERE p.warning_id OPERATOR(pg_catalog.=) w.id
) pm ON true
LEFT JOIN LATERAL (
	SELECT pg_catalog.count(*) FILTER (WHERE r.done_at IS NULL) AS pending,
		pg_catalog.min(r.due_at) FILTER (WHERE r.done_at IS NULL) AS next_due
	FROM churnwarn.warning_revisit r WHERE r.warning_id OPERATOR(pg_catalog.=) w.id
) rv ON true
LEFT JOIN LATERAL (
	SELECT COALESCE(pg_catalog.array_agg(o.deadline), '{}') AS deadlines
	FROM churnwarn.overdue_deadlines(w, n.now) o
	WHERE o.deadline OPERATOR(pg_catalog.<>) 'report'
) od ON true
LEFT JOIN LATERAL (
	SELECT pg_catalog.count(*) AS n FROM churnwarn.warning_event e
	WHERE e.warning_id OPERATOR(pg_catalog.=) w.id AND e.event OPERATOR(pg_catalog.=) 'overdue'
) ev ON true;

COMMENT ON VIEW churnwarn.tracking_ledger IS 'The warning tracking ledger (预警跟踪台账): one row per warning with each deadline, whether it was met (true: on time; false: late or missed; NULL: still to come or not applicable) and what is overdue now (as of churnwarn.now()).';
COMMENT ON COLUMN churnwarn.tracking_ledger.warning_id IS 'Warning.';
COMMENT ON COLUMN churnwarn.tracking_ledger.customer_id IS 'Customer.';
COMMENT ON COLUMN churnwarn.tracking_ledger.customer_name IS 'Customer name.';
COMMENT ON COLUMN churnwarn.tracking_ledger.tier IS 'Customer value tier.';
COMMENT ON COLUMN churnwarn.tracking_ledger.scheme IS 'Scheme the warning runs under.';
COMMENT ON COLUMN churnwarn.tracking_ledger.status IS 'open, confirmed, issued, recovering, closed or dismissed.';
COMMENT ON COLUMN churnwarn.tracking_ledger.proposed_level IS 'Level the rules propose now.';
COMMENT ON COLUMN churnwarn.tracking_ledger.level IS 'Confirmed level.';
COMMENT ON COLUMN churnwarn.tracking_ledger.level_label IS 'Name of the confirmed level in churnwarn.language.';
COMMENT ON COLUMN churnwarn.tracking_ledger.cause IS 'Cause recorded by the assessment.';
COMMENT ON COLUMN churnwarn.tracking_ledger.department IS 'Responsible department named by the notice.';
COMMENT ON COLUMN churnwarn.tracking_ledger.owner IS 'Responsible person named by the notice.';
COMMENT ON COLUMN churnwarn.tracking_ledger.outcome IS 'Evaluation: success, partial or failure.';
COMMENT ON COLUMN churnwarn.tracking_ledger.reassessments IS 'How often an escalation sent the warning back for re-assessment.';
COMMENT ON COLUMN churnwarn.tracking_ledger.observed_at IS 'Earliest observation among the signals that opened it.';
COMMENT ON COLUMN churnwarn.tracking_ledger.opened_at IS 'When it was opened (the first report).';
COMMENT ON COLUMN churnwarn.tracking_ledger.report_due IS 'Report deadline (observation plus 24 hours).';
COMMENT ON COLUMN churnwarn.tracking_ledger.report_met IS 'Whether the report came by report_due.';
COMMENT ON COLUMN churnwarn.tracking_ledger.assessed_at IS 'When the current cycle was assessed.';
COMMENT ON COLUMN churnwarn.tracking_ledger.confirmed_at IS 'When the level of the current cycle was confirmed.';
COMMENT ON COLUMN churnwarn.tracking_ledger.assess_due IS 'Assessment and confirmation deadline.';
COMMENT ON COLUMN churnwarn.tracking_ledger.assess_met IS 'Whether the level was confirmed by assess_due.';
COMMENT ON COLUMN churnwarn.tracking_ledger.issued_at IS 'When the warning notice was issued.';
COMMENT ON COLUMN churnwarn.tracking_ledger.notify_due IS 'Notice deadline.';
COMMENT ON COLUMN churnwarn.tracking_ledger.notify_met IS 'Whether the notice was issued by notify_due.';
COMMENT ON COLUMN churnwarn.tracking_ledger.plan_submitted_at IS 'When the awaited recovery plan was submitted.';
COMMENT ON COLUMN churnwarn.tracking_ledger.plan_due IS 'Recovery plan deadline (or revised plan deadline after a partial success).';
COMMENT ON COLUMN churnwarn.tracking_ledger.plan_met IS 'Whether the plan was submitted by plan_due.';
COMMENT ON COLUMN churnwarn.tracking_ledger.plan_version IS 'Latest plan version.';
COMMENT ON COLUMN churnwarn.tracking_ledger.plan_effective_at IS 'When the latest plan came into force (NULL while it awaits approval).';
COMMENT ON COLUMN churnwarn.tracking_ledger.next_progress_due IS 'Next progress update deadline.';
COMMENT ON COLUMN churnwarn.tracking_ledger.progress_updates IS 'Number of progress records.';
COMMENT ON COLUMN churnwarn.tracking_ledger.progress_late IS 'Number of progress records that came after their deadline.';
COMMENT ON COLUMN churnwarn.tracking_ledger.last_progress_at IS 'Time of the last progress record.';
COMMENT ON COLUMN churnwarn.tracking_ledger.communications IS 'Number of recorded recovery conversations.';
COMMENT ON COLUMN churnwarn.tracking_ledger.closed_at IS 'When it was closed or dismissed.';
COMMENT ON COLUMN churnwarn.tracking_ledger.postmortem_due IS 'Post-mortem deadline after a failure.';
COMMENT ON COLUMN churnwarn.tracking_ledger.postmortem_at IS 'When the post-mortem was recorded.';
COMMENT ON COLUMN churnwarn.tracking_ledger.postmortem_met IS 'Whether the post-mortem came by postmortem_due.';
COMMENT ON COLUMN churnwarn.tracking_ledger.revisits_pending IS 'Follow-up visits scheduled and not yet done.';
COMMENT ON COLUMN churnwarn.tracking_ledger.next_revisit_due IS 'When the next pending follow-up visit is due.';
COMMENT ON COLUMN churnwarn.tracking_ledger.overdue_now IS 'Deadlines overdue now (assess, notify, plan, progress, postmortem), as of churnwarn.now().';
COMMENT ON COLUMN churnwarn.tracking_ledger.overdue_events IS 'Number of overdue events tick has recorded for the warning.';
REVOKE ALL ON churnwarn.tracking_ledger FROM PUBLIC;
