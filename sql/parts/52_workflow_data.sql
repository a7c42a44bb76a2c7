/*
 * sql/parts/52_workflow_data.sql
 *	  The records of the warning workflow: assessments, approvals, plans
 *	  (versioned), progress, communications, evaluations, revisits and
 *	  post-mortems, plus the workflow columns of churnwarn.warning.
 *
 * Every table carries customer_id (distribution by customer) and is
 * registered with pg_extension_config_dump.  The rows are written only by
 * the step functions of 54_workflow_steps.sql, which lock the customer's
 * grade row and then the warning row first, so that steps on one warning,
 * and the grading triggers of its customer, are serialized.
 */

ALTER TABLE churnwarn.warning
	ADD COLUMN cause text REFERENCES churnwarn.cause ON UPDATE CASCADE,
	ADD COLUMN assessed_level int CONSTRAINT warning_assessed_level_valid CHECK (assessed_level >= 1),
	ADD COLUMN assessment_id bigint,
	ADD COLUMN postmortem_due timestamptz,
	ADD COLUMN reassessments int NOT NULL DEFAULT 0;
COMMENT ON COLUMN churnwarn.warning.cause IS 'Cause recorded by the assessment (churnwarn.cause); proposes the lead department and the plan template.';
COMMENT ON COLUMN churnwarn.warning.assessed_level IS 'Level of the current assessment (awaiting approval, or confirmed); NULL before the assessment and after an escalation sent the warning back for re-assessment.';
COMMENT ON COLUMN churnwarn.warning.assessment_id IS 'Current assessment (churnwarn.warning_assessment) whose approvals count.';
COMMENT ON COLUMN churnwarn.warning.postmortem_due IS 'Post-mortem deadline after a failed recovery (working days after the evaluation).';
COMMENT ON COLUMN churnwarn.warning.reassessments IS 'How often an escalation sent the warning back for re-assessment.';
COMMENT ON COLUMN churnwarn.warning.level IS 'Level confirmed by the assessors (stays in force during a re-assessment until the new level is confirmed).';
COMMENT ON COLUMN churnwarn.warning.assessed_at IS 'When the current assessment cycle was assessed (cleared by a re-assessment; warning_event keeps every step).';
COMMENT ON COLUMN churnwarn.warning.confirmed_at IS 'When the level of the current cycle was confirmed (all approvals given).';
COMMENT ON COLUMN churnwarn.warning.issued_at IS 'When the warning notice of the current cycle was issued.';
COMMENT ON COLUMN churnwarn.warning.plan_submitted_at IS 'When the plan awaited by plan_due was submitted (the first plan of the cycle, or the revised plan after a partial success).';
COMMENT ON COLUMN churnwarn.warning.plan_due IS 'Recovery plan deadline (working days after the notice, or after a partial success for the revised plan).';
COMMENT ON COLUMN churnwarn.warning.next_progress_due IS 'Next progress update deadline (by the level''s cadence, advanced by every progress record).';

/*
 * One overdue event per deadline and due time, whoever runs tick and
 * however often: the "due" of the detail is UTC text, so the session's
 * TimeZone does not matter.
 */
CREATE UNIQUE INDEX warning_event_overdue_once ON churnwarn.warning_event
	(warning_id, (detail OPERATOR(pg_catalog.->>) 'deadline'), (detail OPERATOR(pg_catalog.->>) 'due'))
	WHERE event OPERATOR(pg_catalog.=) 'overdue';
COMMENT ON INDEX churnwarn.warning_event_overdue_once IS
	'Each missed deadline (deadline name and due time) is recorded as overdue exactly once';

CREATE SEQUENCE churnwarn.warning_assessment_id_seq;
CREATE TABLE churnwarn.warning_assessment (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('churnwarn.warning_assessment_id_seq'),
	warning_id	bigint NOT NULL REFERENCES churnwarn.warning,
	customer_id	text NOT NULL REFERENCES churnwarn.customer ON UPDATE CASCADE,
	at			timestamptz NOT NULL,
	level		int NOT NULL CHECK (level >= 1),
	cause		text REFERENCES churnwarn.cause ON UPDATE CASCADE,
	assessor	text NOT NULL,
	note		text
);
ALTER SEQUENCE churnwarn.warning_assessment_id_seq OWNED BY churnwarn.warning_assessment.id;
CREATE INDEX warning_assessment_warning_idx ON churnwarn.warning_assessment (warning_id, id);
CREATE INDEX warning_assessment_customer_idx ON churnwarn.warning_assessment (customer_id);
COMMENT ON TABLE churnwarn.warning_assessment IS 'Risk assessments (客户流失风险评估): every assessment of a warning, including superseded ones.';
COMMENT ON COLUMN churnwarn.warning_assessment.id IS 'Assessment id.';
COMMENT ON COLUMN churnwarn.warning_assessment.warning_id IS 'Warning assessed.';
COMMENT ON COLUMN churnwarn.warning_assessment.customer_id IS 'Customer of the warning.';
COMMENT ON COLUMN churnwarn.warning_assessment.at IS 'When it was assessed (churnwarn.now()).';
COMMENT ON COLUMN churnwarn.warning_assessment.level IS 'Level the assessors graded.';
COMMENT ON COLUMN churnwarn.warning_assessment.cause IS 'Cause they recorded, if any.';
COMMENT ON COLUMN churnwarn.warning_assessment.assessor IS 'Who assessed (personal data).';
COMMENT ON COLUMN churnwarn.warning_assessment.note IS 'Assessment note.';

CREATE SEQUENCE churnwarn.warning_approval_id_seq;
CREATE TABLE churnwarn.warning_approval (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('churnwarn.warning_approval_id_seq'),
	warning_id	bigint NOT NULL REFERENCES churnwarn.warning,
	customer_id	text NOT NULL REFERENCES churnwarn.customer ON UPDATE CASCADE,
	assessment_id bigint NOT NULL REFERENCES churnwarn.warning_assessment,
	at			timestamptz NOT NULL,
	role		text NOT NULL,
	approver	text NOT NULL,
	CONSTRAINT warning_approval_once_per_role UNIQUE (assessment_id, role),
	CONSTRAINT warning_approval_once_per_person UNIQUE (assessment_id, approver)
);
ALTER SEQUENCE churnwarn.warning_approval_id_seq OWNED BY churnwarn.warning_approval.id;
CREATE INDEX warning_approval_warning_idx ON churnwarn.warning_approval (warning_id, id);
CREATE INDEX warning_approval_customer_idx ON churnwarn.warning_approval (customer_id);
COMMENT ON TABLE churnwarn.warning_approval IS 'Approvals of assessed levels by role (Art. 12); one per role and one per person for each assessment.';
COMMENT ON COLUMN churnwarn.warning_approval.id IS 'Approval id.';
COMMENT ON COLUMN churnwarn.warning_approval.warning_id IS 'Warning approved.';
COMMENT ON COLUMN churnwarn.warning_approval.customer_id IS 'Customer of the warning.';
COMMENT ON COLUMN churnwarn.warning_approval.assessment_id IS 'Assessment approved.';
COMMENT ON COLUMN churnwarn.warning_approval.at IS 'When it was approved (churnwarn.now()).';
COMMENT ON COLUMN churnwarn.warning_approval.role IS 'Role the approver acted in (churnwarn.level_approver).';
COMMENT ON COLUMN churnwarn.warning_approval.approver IS 'Who approved (personal data).';

CREATE SEQUENCE churnwarn.warning_plan_id_seq;
CREATE TABLE churnwarn.warning_plan (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('churnwarn.warning_plan_id_seq'),
	warning_id	bigint NOT NULL REFERENCES churnwarn.warning,
	customer_id	text NOT NULL REFERENCES churnwarn.customer ON UPDATE CASCADE,
	version		int NOT NULL CHECK (version >= 1),
	plan		jsonb NOT NULL CHECK (pg_catalog.jsonb_typeof(plan) OPERATOR(pg_catalog.=) 'object'),
	level		int NOT NULL,
	submitted_by text NOT NULL,
	submitted_at timestamptz NOT NULL,
	needs_approval boolean NOT NULL,
	approved_by	text,
	approved_at	timestamptz,
	effective_at timestamptz,
	CONSTRAINT warning_plan_version_unique UNIQUE (warning_id, version),
	CONSTRAINT warning_plan_effective
		CHECK (effective_at IS NOT NULL OR needs_approval AND approved_at IS NULL)
);
ALTER SEQUENCE churnwarn.warning_plan_id_seq OWNED BY churnwarn.warning_plan.id;
CREATE INDEX warning_plan_customer_idx ON churnwarn.warning_plan (customer_id);
COMMENT ON TABLE churnwarn.warning_plan IS 'Recovery plans (客户流失挽回方案), versioned per warning: goal, measures, people, milestones, resources.';
COMMENT ON COLUMN churnwarn.warning_plan.id IS 'Plan row id.';
COMMENT ON COLUMN churnwarn.warning_plan.warning_id IS 'Warning the plan recovers.';
COMMENT ON COLUMN churnwarn.warning_plan.customer_id IS 'Customer of the warning.';
COMMENT ON COLUMN churnwarn.warning_plan.version IS 'Version, 1 for the first plan of the warning, rising with each revision.';
COMMENT ON COLUMN churnwarn.warning_plan.plan IS 'The plan: a JSON object with goal, measures, people, milestones and resources (and anything else).';
COMMENT ON COLUMN churnwarn.warning_plan.level IS 'Confirmed level of the warning when the plan was submitted.';
COMMENT ON COLUMN churnwarn.warning_plan.submitted_by IS 'Who submitted it (churnwarn.actor, else the session user; personal data).';
COMMENT ON COLUMN churnwarn.warning_plan.submitted_at IS 'When it was submitted (churnwarn.now()).';
COMMENT ON COLUMN churnwarn.warning_plan.needs_approval IS 'Whether management must approve it before it counts (level_workflow.plan_needs_approval).';
COMMENT ON COLUMN churnwarn.warning_plan.approved_by IS 'Manager who approved it (personal data).';
COMMENT ON COLUMN churnwarn.warning_plan.approved_at IS 'When it was approved.';
COMMENT ON COLUMN churnwarn.warning_plan.effective_at IS 'When it came into force: at submission, or at approval when it needs one; NULL while it awaits approval.';

CREATE SEQUENCE churnwarn.warning_progress_id_seq;
CREATE TABLE churnwarn.warning_progress (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('churnwarn.warning_progress_id_seq'),
	warning_id	bigint NOT NULL REFERENCES churnwarn.warning,
	customer_id	text NOT NULL REFERENCES churnwarn.customer ON UPDATE CASCADE,
	at			timestamptz NOT NULL,
	actor		text NOT NULL,
	note		text NOT NULL,
	due			timestamptz,
	on_time		boolean
);
ALTER SEQUENCE churnwarn.warning_progress_id_seq OWNED BY churnwarn.warning_progress.id;
CREATE INDEX warning_progress_warning_idx ON churnwarn.warning_progress (warning_id, id);
CREATE INDEX warning_progress_customer_idx ON churnwarn.warning_progress (customer_id);
COMMENT ON TABLE churnwarn.warning_progress IS 'Progress of the recovery (挽回措施落实记录), at the level''s cadence.';
COMMENT ON COLUMN churnwarn.warning_progress.id IS 'Progress record id.';
COMMENT ON COLUMN churnwarn.warning_progress.warning_id IS 'Warning.';
COMMENT ON COLUMN churnwarn.warning_progress.customer_id IS 'Customer of the warning.';
COMMENT ON COLUMN churnwarn.warning_progress.at IS 'When it was recorded (churnwarn.now()).';
COMMENT ON COLUMN churnwarn.warning_progress.actor IS 'Who recorded it (personal data).';
COMMENT ON COLUMN churnwarn.warning_progress.note IS 'What was done and where the recovery stands.';
COMMENT ON COLUMN churnwarn.warning_progress.due IS 'The progress deadline this update answered.';
COMMENT ON COLUMN churnwarn.warning_progress.on_time IS 'Whether it came by that deadline.';

CREATE SEQUENCE churnwarn.warning_communication_id_seq;
CREATE TABLE churnwarn.warning_communication (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('churnwarn.warning_communication_id_seq'),
	warning_id	bigint NOT NULL REFERENCES churnwarn.warning,
	customer_id	text NOT NULL REFERENCES churnwarn.customer ON UPDATE CASCADE,
	at			timestamptz NOT NULL,
	channel		text NOT NULL
		CONSTRAINT warning_communication_channel_valid
		CHECK (channel IN ('meeting', 'visit', 'phone', 'video', 'email', 'message', 'letter', 'other')),
	participants text[] NOT NULL CHECK (pg_catalog.cardinality(participants) >= 1),
	summary		text NOT NULL,
	actor		text NOT NULL
);
ALTER SEQUENCE churnwarn.warning_communication_id_seq OWNED BY churnwarn.warning_communication.id;
CREATE INDEX warning_communication_warning_idx ON churnwarn.warning_communication (warning_id, id);
CREATE INDEX warning_communication_customer_idx ON churnwarn.warning_communication (customer_id);
COMMENT ON TABLE churnwarn.warning_communication IS 'Recovery conversations (客户挽回沟通记录表, Art. 15), shared with the departments involved.';
COMMENT ON COLUMN churnwarn.warning_communication.id IS 'Communication id.';
COMMENT ON COLUMN churnwarn.warning_communication.warning_id IS 'Warning.';
COMMENT ON COLUMN churnwarn.warning_communication.customer_id IS 'Customer of the warning.';
COMMENT ON COLUMN churnwarn.warning_communication.at IS 'When it was recorded (churnwarn.now()).';
COMMENT ON COLUMN churnwarn.warning_communication.channel IS 'meeting, visit, phone, video, email, message, letter or other.';
COMMENT ON COLUMN churnwarn.warning_communication.participants IS 'Who took part, on both sides (personal data).';
COMMENT ON COLUMN churnwarn.warning_communication.summary IS 'What was said and agreed.';
COMMENT ON COLUMN churnwarn.warning_communication.actor IS 'Who recorded it (personal data).';

CREATE SEQUENCE churnwarn.warning_evaluation_id_seq;
CREATE TABLE churnwarn.warning_evaluation (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('churnwarn.warning_evaluation_id_seq'),
	warning_id	bigint NOT NULL REFERENCES churnwarn.warning,
	customer_id	text NOT NULL REFERENCES churnwarn.customer ON UPDATE CASCADE,
	at			timestamptz NOT NULL,
	outcome		text NOT NULL CHECK (outcome IN ('success', 'partial', 'failure')),
	plan_version int NOT NULL,
	actor		text NOT NULL,
	note		text
);
ALTER SEQUENCE churnwarn.warning_evaluation_id_seq OWNED BY churnwarn.warning_evaluation.id;
CREATE INDEX warning_evaluation_warning_idx ON churnwarn.warning_evaluation (warning_id, id);
CREATE INDEX warning_evaluation_customer_idx ON churnwarn.warning_evaluation (customer_id);
COMMENT ON TABLE churnwarn.warning_evaluation IS 'Evaluations of the recovery (客户挽回效果评估): success, partial or failure.';
COMMENT ON COLUMN churnwarn.warning_evaluation.id IS 'Evaluation id.';
COMMENT ON COLUMN churnwarn.warning_evaluation.warning_id IS 'Warning.';
COMMENT ON COLUMN churnwarn.warning_evaluation.customer_id IS 'Customer of the warning.';
COMMENT ON COLUMN churnwarn.warning_evaluation.at IS 'When it was evaluated (churnwarn.now()).';
COMMENT ON COLUMN churnwarn.warning_evaluation.outcome IS 'success, partial or failure.';
COMMENT ON COLUMN churnwarn.warning_evaluation.plan_version IS 'Version of the plan in force that was evaluated.';
COMMENT ON COLUMN churnwarn.warning_evaluation.actor IS 'Who evaluated (personal data).';
COMMENT ON COLUMN churnwarn.warning_evaluation.note IS 'Evaluation note.';

CREATE SEQUENCE churnwarn.warning_revisit_id_seq;
CREATE TABLE churnwarn.warning_revisit (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('churnwarn.warning_revisit_id_seq'),
	warning_id	bigint NOT NULL REFERENCES churnwarn.warning,
	customer_id	text NOT NULL REFERENCES churnwarn.customer ON UPDATE CASCADE,
	seq			int NOT NULL CHECK (seq >= 1),
	due_at		timestamptz NOT NULL,
	reminded_at	timestamptz,
	done_at		timestamptz,
	done_by		text,
	note		text,
	CONSTRAINT warning_revisit_seq_unique UNIQUE (warning_id, seq)
);
ALTER SEQUENCE churnwarn.warning_revisit_id_seq OWNED BY churnwarn.warning_revisit.id;
CREATE INDEX warning_revisit_pending_idx ON churnwarn.warning_revisit (due_at) WHERE done_at IS NULL;
CREATE INDEX warning_revisit_customer_idx ON churnwarn.warning_revisit (customer_id);
COMMENT ON TABLE churnwarn.warning_revisit IS 'Follow-up visits (回访) scheduled by a successful recovery (level_workflow.revisit_after); tick records each as due once.';
COMMENT ON COLUMN churnwarn.warning_revisit.id IS 'Revisit id.';
COMMENT ON COLUMN churnwarn.warning_revisit.warning_id IS 'Warning whose success scheduled it.';
COMMENT ON COLUMN churnwarn.warning_revisit.customer_id IS 'Customer to visit.';
COMMENT ON COLUMN churnwarn.warning_revisit.seq IS 'Number of the visit in the schedule, from 1.';
COMMENT ON COLUMN churnwarn.warning_revisit.due_at IS 'When the visit is due.';
COMMENT ON COLUMN churnwarn.warning_revisit.reminded_at IS 'When tick recorded it as due (a revisit_due event), once.';
COMMENT ON COLUMN churnwarn.warning_revisit.done_at IS 'When the visit was recorded as done (churnwarn.record_revisit).';
COMMENT ON COLUMN churnwarn.warning_revisit.done_by IS 'Who made the visit (personal data).';
COMMENT ON COLUMN churnwarn.warning_revisit.note IS 'What the visit found.';

CREATE SEQUENCE churnwarn.warning_postmortem_id_seq;
CREATE TABLE churnwarn.warning_postmortem (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('churnwarn.warning_postmortem_id_seq'),
	warning_id	bigint NOT NULL UNIQUE REFERENCES churnwarn.warning,
	customer_id	text NOT NULL REFERENCES churnwarn.customer ON UPDATE CASCADE,
	at			timestamptz NOT NULL,
	actor		text NOT NULL,
	root_cause	text NOT NULL,
	lessons		text NOT NULL,
	actions		text NOT NULL
);
ALTER SEQUENCE churnwarn.warning_postmortem_id_seq OWNED BY churnwarn.warning_postmortem.id;
CREATE INDEX warning_postmortem_customer_idx ON churnwarn.warning_postmortem (customer_id);
COMMENT ON TABLE churnwarn.warning_postmortem IS 'Post-mortems of lost customers (客户流失复盘报告), one per failed recovery.';
COMMENT ON COLUMN churnwarn.warning_postmortem.id IS 'Post-mortem id.';
COMMENT ON COLUMN churnwarn.warning_postmortem.warning_id IS 'Warning whose recovery failed.';
COMMENT ON COLUMN churnwarn.warning_postmortem.customer_id IS 'Customer lost.';
COMMENT ON COLUMN churnwarn.warning_postmortem.at IS 'When it was recorded (churnwarn.now()).';
COMMENT ON COLUMN churnwarn.warning_postmortem.actor IS 'Who wrote it (churnwarn.actor, else the session user; personal data).';
COMMENT ON COLUMN churnwarn.warning_postmortem.root_cause IS 'Why the customer was lost.';
COMMENT ON COLUMN churnwarn.warning_postmortem.lessons IS 'Lessons learned.';
COMMENT ON COLUMN churnwarn.warning_postmortem.actions IS 'Improvement actions decided.';

SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_assessment', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_assessment_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_approval', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_approval_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_plan', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_plan_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_progress', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_progress_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_communication', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_communication_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_evaluation', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_evaluation_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_revisit', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_revisit_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_postmortem', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_postmortem_id_seq', '');

REVOKE ALL ON churnwarn.warning_assessment, churnwarn.warning_approval, churnwarn.warning_plan,
	churnwarn.warning_progress, churnwarn.warning_communication, churnwarn.warning_evaluation,
	churnwarn.warning_revisit, churnwarn.warning_postmortem FROM PUBLIC;
REVOKE ALL ON SEQUENCE churnwarn.warning_assessment_id_seq, churnwarn.warning_approval_id_seq,
	churnwarn.warning_plan_id_seq, churnwarn.warning_progress_id_seq,
	churnwarn.warning_communication_id_seq, churnwarn.warning_evaluation_id_seq,
	churnwarn.warning_revisit_id_seq, churnwarn.warning_postmortem_id_seq FROM PUBLIC;
