/*
 * sql/parts/50_workflow_config.sql
 *	  Workflow configuration by level (Art. 12-15): deadlines in working
 *	  days, progress cadence, lead department, plan approval, revisits, the
 *	  approvers of each level, and the causes of Art. 14 with their lead
 *	  department and plan template.
 *
 * All of it is rows the DBA edits, in the "shipped" pattern of
 * 10_config.sql: the install script writes the shipped rows and marks them
 * shipped; an edit clears the flag (churnwarn.config_row_guard),
 * pg_dump keeps only rows that are not shipped, and on restore an edited row
 * replaces the pristine one the install script re-created.  A shipped row
 * that is deleted comes back on restore, so retire a shipped approver by
 * setting required = false rather than deleting it.
 */

CREATE TABLE churnwarn.level_workflow (
	scheme		text NOT NULL,
	level		int NOT NULL,
	assess_days	int NOT NULL CHECK (assess_days BETWEEN 0 AND 60),
	notify_days	int NOT NULL CHECK (notify_days BETWEEN 0 AND 60),
	plan_days	int NOT NULL CHECK (plan_days BETWEEN 0 AND 60),
	progress_working_days int CHECK (progress_working_days BETWEEN 1 AND 60),
	progress_interval interval
		CHECK (progress_interval > interval '0' AND progress_interval <= interval '30 days'),
	lead_department text NOT NULL CHECK (pg_catalog.length(lead_department) BETWEEN 1 AND 100),
	plan_needs_approval boolean NOT NULL DEFAULT false,
	revisit_after interval[] NOT NULL DEFAULT '{}'
		CHECK (pg_catalog.array_position(revisit_after, NULL) IS NULL
			AND interval '0' < ALL (revisit_after)),
	postmortem_days int NOT NULL DEFAULT 5 CHECK (postmortem_days BETWEEN 0 AND 60),
	shipped		boolean NOT NULL DEFAULT false,
	PRIMARY KEY (scheme, level),
	FOREIGN KEY (scheme, level) REFERENCES churnwarn.scheme_level ON UPDATE CASCADE,
	CONSTRAINT level_workflow_one_cadence
		CHECK ((progress_working_days IS NULL) <> (progress_interval IS NULL))
);
COMMENT ON TABLE churnwarn.level_workflow IS 'Workflow deadlines and duties per scheme level (Art. 12-13): assessment, notice and plan deadlines in working days of the customer''s calendar, progress cadence, lead department, plan approval, revisits after a success, post-mortem deadline after a failure.';
COMMENT ON COLUMN churnwarn.level_workflow.scheme IS 'Scheme of the level.';
COMMENT ON COLUMN churnwarn.level_workflow.level IS 'Level (churnwarn.scheme_level).';
COMMENT ON COLUMN churnwarn.level_workflow.assess_days IS 'Assessment and confirmation within this many working days after the report (Art. 12: 1 to 3).';
COMMENT ON COLUMN churnwarn.level_workflow.notify_days IS 'Warning notice within this many working days after confirmation (Art. 12: 1).';
COMMENT ON COLUMN churnwarn.level_workflow.plan_days IS 'Recovery plan within this many working days after the notice (Art. 13: 1, 3 or 5); also the deadline of a revised plan after a partial success.';
COMMENT ON COLUMN churnwarn.level_workflow.progress_working_days IS 'Progress update due within this many working days of the last one (1 = daily, 3 = every 3 working days); NULL when progress_interval is used.';
COMMENT ON COLUMN churnwarn.level_workflow.progress_interval IS 'Progress update due within this interval of the last one, for "real time" tracking (Art. 13, level 3); NULL when progress_working_days is used.';
COMMENT ON COLUMN churnwarn.level_workflow.lead_department IS 'Who leads the recovery plan when the cause names no lead (account_owner, sales, working_group, ...).';
COMMENT ON COLUMN churnwarn.level_workflow.plan_needs_approval IS 'A plan counts only once management approved it (churnwarn.approve_plan).';
COMMENT ON COLUMN churnwarn.level_workflow.revisit_after IS 'Follow-up visits (回访) scheduled after a successful recovery, as intervals after the evaluation.';
COMMENT ON COLUMN churnwarn.level_workflow.postmortem_days IS 'Post-mortem report (流失复盘报告) within this many working days after a failed recovery.';
COMMENT ON COLUMN churnwarn.level_workflow.shipped IS 'True while the row is exactly as churnwarn shipped it; pg_dump keeps only rows that are not (edited or added rows).';

INSERT INTO churnwarn.level_workflow (scheme, level, assess_days, notify_days, plan_days,
	progress_working_days, progress_interval, lead_department, plan_needs_approval,
	revisit_after, postmortem_days) VALUES
	('three_level', 1, 1, 1, 1, 1, NULL, 'account_owner', false, '{30 days,90 days}', 5),
	('three_level', 2, 2, 1, 3, 3, NULL, 'sales', false, '{14 days,30 days,90 days}', 5),
	('three_level', 3, 3, 1, 5, NULL, '4 hours', 'working_group', true, '{7 days,30 days,90 days,180 days}', 5),
	('four_level', 1, 1, 1, 1, 1, NULL, 'account_owner', false, '{30 days,90 days}', 5),
	('four_level', 2, 2, 1, 3, 3, NULL, 'sales', false, '{14 days,30 days,90 days}', 5),
	('four_level', 3, 3, 1, 5, 1, NULL, 'working_group', false, '{7 days,30 days,90 days,180 days}', 5),
	('four_level', 4, 3, 1, 5, NULL, '4 hours', 'working_group', true, '{7 days,30 days,90 days,180 days}', 5);

CREATE TABLE churnwarn.level_approver (
	scheme		text NOT NULL,
	level		int NOT NULL,
	role		text NOT NULL CHECK (role ~ '^[a-z][a-z0-9_]*$'),
	required	boolean NOT NULL DEFAULT true,
	shipped		boolean NOT NULL DEFAULT false,
	PRIMARY KEY (scheme, level, role),
	FOREIGN KEY (scheme, level) REFERENCES churnwarn.scheme_level ON UPDATE CASCADE
);
COMMENT ON TABLE churnwarn.level_approver IS 'Who confirms an assessed level (Art. 12): every required role of the level must approve, each by a different person; a level without required roles is confirmed by the assessment itself.';
COMMENT ON COLUMN churnwarn.level_approver.scheme IS 'Scheme of the level.';
COMMENT ON COLUMN churnwarn.level_approver.level IS 'Level (churnwarn.scheme_level).';
COMMENT ON COLUMN churnwarn.level_approver.role IS 'Approver role code: cs_head, deputy_leader, group_leader, general_manager, or one of your own.';
COMMENT ON COLUMN churnwarn.level_approver.required IS 'Whether the role must approve; set false to retire a shipped row (a deleted shipped row comes back on restore).';
COMMENT ON COLUMN churnwarn.level_approver.shipped IS 'True while the row is exactly as churnwarn shipped it; pg_dump keeps only rows that are not (edited or added rows).';

-- Seed 002: L1 the CS head; L2 the working group's deputy leader; L3 the
-- group leader and the general manager.  Four levels: L1 and L2 as seed
-- 002's first two, L3 (major) the group leader, L4 (especially major) both.
INSERT INTO churnwarn.level_approver (scheme, level, role) VALUES
	('three_level', 1, 'cs_head'),
	('three_level', 2, 'deputy_leader'),
	('three_level', 3, 'group_leader'),
	('three_level', 3, 'general_manager'),
	('four_level', 1, 'cs_head'),
	('four_level', 2, 'deputy_leader'),
	('four_level', 3, 'group_leader'),
	('four_level', 4, 'group_leader'),
	('four_level', 4, 'general_manager');

CREATE TABLE churnwarn.cause (
	cause		text PRIMARY KEY CHECK (cause ~ '^[a-z][a-z0-9_]*$'),
	label_en	text NOT NULL,
	label_zh	text NOT NULL,
	lead_department text NOT NULL CHECK (pg_catalog.length(lead_department) BETWEEN 1 AND 100),
	measures	jsonb NOT NULL DEFAULT '[]'
		CHECK (pg_catalog.jsonb_typeof(measures) OPERATOR(pg_catalog.=) 'array'),
	shipped		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE churnwarn.cause IS 'Causes of churn risk an assessment records (Art. 14), each with the department that leads the recovery and the template of measures a plan starts from.';
COMMENT ON COLUMN churnwarn.cause.cause IS 'Code of the cause.';
COMMENT ON COLUMN churnwarn.cause.label_en IS 'English label.';
COMMENT ON COLUMN churnwarn.cause.label_zh IS 'Chinese label.';
COMMENT ON COLUMN churnwarn.cause.lead_department IS 'Department that leads the recovery for this cause.';
COMMENT ON COLUMN churnwarn.cause.measures IS 'Plan template: the measures of Art. 14, as a JSON array of strings.';
COMMENT ON COLUMN churnwarn.cause.shipped IS 'True while the row is exactly as churnwarn shipped it; pg_dump keeps only rows that are not (edited or added rows).';

INSERT INTO churnwarn.cause (cause, label_en, label_zh, lead_department, measures) VALUES
	('product_quality', 'product quality', '产品质量问题', 'tech',
	 '["rectification or upgrade plan led by tech", "quality control verifies the rectification", "rectification deadline and quality guarantees stated to the customer", "free maintenance or parts replacement where needed"]'),
	('service', 'service efficiency or attitude', '服务效率或态度问题', 'customer_success',
	 '["service process improved and those responsible held to account", "sincere apology to the customer", "a named contact for the follow-up service", "faster response times"]'),
	('contract_terms', 'contract terms or fees', '合作条款或费用争议', 'sales',
	 '["cooperation terms reviewed", "a reasonable adjustment within company policy", "frank negotiation balancing both sides'' interests"]'),
	('business_change', 'customer''s own business change', '客户自身经营变化', 'sales',
	 '["learn the customer''s new situation and needs", "flexible payment cycle", "simpler cooperation process", "smaller customised offer"]'),
	('competitor', 'competitor pull', '竞品吸引', 'sales',
	 '["show our core strengths: expertise, after-sales support, references", "differentiated value-added services: free training, solution consulting", "better terms within reasonable limits"]'),
	('other', 'other', '其他', 'customer_success',
	 '["analyse the cause with the departments involved", "agree the measures with the customer"]');

UPDATE churnwarn.level_workflow SET shipped = true;
UPDATE churnwarn.level_approver SET shipped = true;
UPDATE churnwarn.cause SET shipped = true;

SELECT pg_catalog.pg_extension_config_dump('churnwarn.level_workflow', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.level_approver', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.cause', 'WHERE NOT shipped');

/* The shipped-row guard and version bump shared with the other configuration tables. */
CREATE TRIGGER config_row_guard BEFORE INSERT OR UPDATE ON churnwarn.level_workflow
	FOR EACH ROW EXECUTE FUNCTION churnwarn.config_row_guard();
CREATE TRIGGER config_row_guard BEFORE INSERT OR UPDATE ON churnwarn.level_approver
	FOR EACH ROW EXECUTE FUNCTION churnwarn.config_row_guard();
CREATE TRIGGER config_row_guard BEFORE INSERT OR UPDATE ON churnwarn.cause
	FOR EACH ROW EXECUTE FUNCTION churnwarn.config_row_guard();
CREATE TRIGGER config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON churnwarn.level_workflow
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.config_trigger();
CREATE TRIGGER config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON churnwarn.level_approver
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.config_trigger();
CREATE TRIGGER config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON churnwarn.cause
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.config_trigger();

REVOKE ALL ON churnwarn.level_workflow, churnwarn.level_approver, churnwarn.cause FROM PUBLIC;
