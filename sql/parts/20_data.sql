/*
 * Customer data: customers, signals, their grades and the warning ledger.
 * Every data table carries customer_id so the data can be distributed by
 * customer; ids come from sequences registered for pg_dump.
 */

CREATE TABLE churnwarn.customer (
	customer_id	text PRIMARY KEY
		CONSTRAINT customer_id_length CHECK (pg_catalog.length(customer_id) BETWEEN 1 AND 200),
	name		text,
	country		text,
	region		text,
	tier		text NOT NULL DEFAULT 'ordinary' REFERENCES churnwarn.tier ON UPDATE CASCADE,
	annual_value numeric NOT NULL DEFAULT 0
		CONSTRAINT customer_annual_value_valid CHECK (annual_value >= 0 AND annual_value < 'Infinity'),
	department	text,
	owner		text,
	contact		text,
	status		text NOT NULL DEFAULT 'active'
		CONSTRAINT customer_status_valid CHECK (status IN ('prospect', 'active', 'terminated')),
	calendar	text REFERENCES churnwarn.calendar ON UPDATE CASCADE,
	terminated_at timestamptz
		CONSTRAINT customer_terminated_at_finite CHECK (pg_catalog.isfinite(terminated_at)),
	legal_hold	boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT customer_terminated_at_required
		CHECK (status <> 'terminated' OR terminated_at IS NOT NULL)
);
COMMENT ON TABLE churnwarn.customer IS 'One row per customer (Art. 2); applications may write it directly and every change regrades the customer.';
COMMENT ON COLUMN churnwarn.customer.customer_id IS 'Customer key as text (fits bigint, uuid and text keys), 1 to 200 characters.';
COMMENT ON COLUMN churnwarn.customer.name IS 'Customer name (personal data for individuals).';
COMMENT ON COLUMN churnwarn.customer.country IS 'Country of the customer.';
COMMENT ON COLUMN churnwarn.customer.region IS 'Region of the customer.';
COMMENT ON COLUMN churnwarn.customer.tier IS 'Value tier: ordinary, important or core (see churnwarn.tier).';
COMMENT ON COLUMN churnwarn.customer.annual_value IS 'Annual contract value (not negative).';
COMMENT ON COLUMN churnwarn.customer.department IS 'Owning department.';
COMMENT ON COLUMN churnwarn.customer.owner IS 'Account owner (对接人) on our side.';
COMMENT ON COLUMN churnwarn.customer.contact IS 'Contact person at the customer (personal data).';
COMMENT ON COLUMN churnwarn.customer.status IS 'prospect, active or terminated.';
COMMENT ON COLUMN churnwarn.customer.calendar IS 'Working-day calendar for this customer''s deadlines; NULL means the default calendar.';
COMMENT ON COLUMN churnwarn.customer.terminated_at IS 'When cooperation ended; more than a year ago puts the customer out of the warning scope.';
COMMENT ON COLUMN churnwarn.customer.legal_hold IS 'Under legal hold: never purged or erased.';
COMMENT ON COLUMN churnwarn.customer.created_at IS 'When the row was created.';

/* The current grade of each customer: one row, locked by every regrade. */
CREATE TABLE churnwarn.customer_grade (
	customer_id	text PRIMARY KEY REFERENCES churnwarn.customer ON UPDATE CASCADE ON DELETE CASCADE,
	level		int NOT NULL DEFAULT 0,
	score		double precision NOT NULL DEFAULT 0,
	config_version bigint NOT NULL DEFAULT 0,
	graded_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
/* tick() finds the customers at a level without reading the others */
CREATE INDEX customer_grade_level_idx ON churnwarn.customer_grade (customer_id) WHERE level > 0;
COMMENT ON TABLE churnwarn.customer_grade IS 'Current proposed level of each customer; maintained by churnwarn''s triggers, and the row every regrade of the customer locks, so regrades of one customer are serialized.';
COMMENT ON COLUMN churnwarn.customer_grade.customer_id IS 'Customer.';
COMMENT ON COLUMN churnwarn.customer_grade.level IS 'Level the rules propose (0 = no warning).';
COMMENT ON COLUMN churnwarn.customer_grade.score IS 'Score behind the level at the last change.';
COMMENT ON COLUMN churnwarn.customer_grade.config_version IS 'Configuration version of the last change.';
COMMENT ON COLUMN churnwarn.customer_grade.graded_at IS 'When the level last changed.';

CREATE SEQUENCE churnwarn.signal_id_seq;
CREATE TABLE churnwarn.signal (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('churnwarn.signal_id_seq'),
	customer_id	text NOT NULL REFERENCES churnwarn.customer ON UPDATE CASCADE,
	signal_type	text NOT NULL REFERENCES churnwarn.signal_type ON UPDATE CASCADE,
	observed_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	reported_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	reported_by	text,
	department	text,
	source		text NOT NULL DEFAULT 'manual'
		CONSTRAINT signal_source_valid CHECK (source IN ('manual', 'rule', 'tick')),
	detail		jsonb NOT NULL DEFAULT '{}'
		CONSTRAINT signal_detail_object CHECK (pg_catalog.jsonb_typeof(detail) = 'object'),
	amount		numeric
		CONSTRAINT signal_amount_valid CHECK (amount >= 0 AND amount < 1e15),
	status		text NOT NULL DEFAULT 'open'
		CONSTRAINT signal_status_valid CHECK (status IN ('open', 'resolved', 'withdrawn')),
	closed_at	timestamptz,
	closed_note	text,
	CONSTRAINT signal_observed_at_valid
		CHECK (pg_catalog.isfinite(observed_at) AND observed_at <= reported_at + interval '5 minutes'),
	CONSTRAINT signal_reported_at_finite CHECK (pg_catalog.isfinite(reported_at))
);
ALTER SEQUENCE churnwarn.signal_id_seq OWNED BY churnwarn.signal.id;
CREATE INDEX signal_customer_idx ON churnwarn.signal (customer_id, id) WHERE status <> 'withdrawn';
CREATE INDEX signal_observed_idx ON churnwarn.signal (observed_at);
/* tick() finds the customers with open signals without reading the others */
CREATE INDEX signal_open_idx ON churnwarn.signal (customer_id) WHERE status = 'open';
COMMENT ON TABLE churnwarn.signal IS 'Risk signal records (客户流失风险信号记录表); every insert or update regrades the customer in the same transaction.';
COMMENT ON COLUMN churnwarn.signal.id IS 'Signal id.';
COMMENT ON COLUMN churnwarn.signal.customer_id IS 'Customer the signal is about.';
COMMENT ON COLUMN churnwarn.signal.signal_type IS 'Signal type code (churnwarn.signal_type).';
COMMENT ON COLUMN churnwarn.signal.observed_at IS 'When the signal was observed; cannot be after it was reported.';
COMMENT ON COLUMN churnwarn.signal.reported_at IS 'When the signal was reported to churnwarn.';
COMMENT ON COLUMN churnwarn.signal.reported_by IS 'Who reported it (personal data).';
COMMENT ON COLUMN churnwarn.signal.department IS 'Department that reported it.';
COMMENT ON COLUMN churnwarn.signal.source IS 'manual (reported by a person), rule (a watched-table rule) or tick (the periodic pass).';
COMMENT ON COLUMN churnwarn.signal.detail IS 'Free detail as a JSON object.';
COMMENT ON COLUMN churnwarn.signal.amount IS 'Optional amount: overdue sum, order cut in percent.';
COMMENT ON COLUMN churnwarn.signal.status IS 'open, resolved (still counts, less) or withdrawn (does not count).';
COMMENT ON COLUMN churnwarn.signal.closed_at IS 'When the signal was resolved or withdrawn.';
COMMENT ON COLUMN churnwarn.signal.closed_note IS 'Note given when it was resolved or withdrawn.';

CREATE SEQUENCE churnwarn.warning_id_seq;
CREATE TABLE churnwarn.warning (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('churnwarn.warning_id_seq'),
	customer_id	text NOT NULL REFERENCES churnwarn.customer ON UPDATE CASCADE,
	scheme		text NOT NULL REFERENCES churnwarn.scheme ON UPDATE CASCADE,
	status		text NOT NULL DEFAULT 'open'
		CONSTRAINT warning_status_valid
		CHECK (status IN ('open', 'confirmed', 'issued', 'recovering', 'closed', 'dismissed')),
	proposed_level int NOT NULL CHECK (proposed_level >= 0),
	level		int CHECK (level >= 1),
	department	text,
	owner		text,
	outcome		text CONSTRAINT warning_outcome_valid CHECK (outcome IN ('success', 'partial', 'failure')),
	first_signal_id bigint,
	opened_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	observed_at	timestamptz,
	assessed_at	timestamptz,
	confirmed_at timestamptz,
	issued_at	timestamptz,
	plan_submitted_at timestamptz,
	closed_at	timestamptz,
	report_due	timestamptz,
	assess_due	timestamptz,
	notify_due	timestamptz,
	plan_due	timestamptz,
	next_progress_due timestamptz,
	updated_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER SEQUENCE churnwarn.warning_id_seq OWNED BY churnwarn.warning.id;
/* The backstop of "at most one open warning per customer". */
CREATE UNIQUE INDEX warning_one_open_idx ON churnwarn.warning (customer_id)
	WHERE status NOT IN ('closed', 'dismissed');
CREATE INDEX warning_customer_idx ON churnwarn.warning (customer_id, id);
COMMENT ON TABLE churnwarn.warning IS 'The warning tracking ledger (预警跟踪台账): one row per warning; at most one open (not closed or dismissed) warning per customer.';
COMMENT ON COLUMN churnwarn.warning.id IS 'Warning id.';
COMMENT ON COLUMN churnwarn.warning.customer_id IS 'Customer.';
COMMENT ON COLUMN churnwarn.warning.scheme IS 'Scheme the warning was opened under.';
COMMENT ON COLUMN churnwarn.warning.status IS 'open -> confirmed -> issued -> recovering -> closed, or dismissed.';
COMMENT ON COLUMN churnwarn.warning.proposed_level IS 'Level the rules propose now (0 once the signals are gone).';
COMMENT ON COLUMN churnwarn.warning.level IS 'Level confirmed by the assessors.';
COMMENT ON COLUMN churnwarn.warning.department IS 'Responsible department.';
COMMENT ON COLUMN churnwarn.warning.owner IS 'Responsible person (personal data).';
COMMENT ON COLUMN churnwarn.warning.outcome IS 'Evaluation of the recovery: success, partial or failure.';
COMMENT ON COLUMN churnwarn.warning.first_signal_id IS 'Signal whose change opened the warning.';
COMMENT ON COLUMN churnwarn.warning.opened_at IS 'When the warning was opened.';
COMMENT ON COLUMN churnwarn.warning.observed_at IS 'Earliest observation among the signals that opened it.';
COMMENT ON COLUMN churnwarn.warning.assessed_at IS 'When it was assessed.';
COMMENT ON COLUMN churnwarn.warning.confirmed_at IS 'When its level was confirmed (all approvals given).';
COMMENT ON COLUMN churnwarn.warning.issued_at IS 'When the warning notice was issued.';
COMMENT ON COLUMN churnwarn.warning.plan_submitted_at IS 'When the first recovery plan was submitted.';
COMMENT ON COLUMN churnwarn.warning.closed_at IS 'When it was closed or dismissed.';
COMMENT ON COLUMN churnwarn.warning.report_due IS 'Report deadline: observation plus 24 hours.';
COMMENT ON COLUMN churnwarn.warning.assess_due IS 'Assessment deadline (working days after the report).';
COMMENT ON COLUMN churnwarn.warning.notify_due IS 'Notice deadline (working days after confirmation).';
COMMENT ON COLUMN churnwarn.warning.plan_due IS 'Recovery plan deadline (working days after the notice).';
COMMENT ON COLUMN churnwarn.warning.next_progress_due IS 'Next progress update deadline.';
COMMENT ON COLUMN churnwarn.warning.updated_at IS 'When the row last changed.';

CREATE SEQUENCE churnwarn.warning_event_id_seq;
CREATE TABLE churnwarn.warning_event (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('churnwarn.warning_event_id_seq'),
	warning_id	bigint NOT NULL REFERENCES churnwarn.warning,
	customer_id	text NOT NULL REFERENCES churnwarn.customer ON UPDATE CASCADE,
	at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	event		text NOT NULL,
	actor		text,
	from_level	int,
	to_level	int,
	detail		jsonb NOT NULL DEFAULT '{}'
);
ALTER SEQUENCE churnwarn.warning_event_id_seq OWNED BY churnwarn.warning_event.id;
CREATE INDEX warning_event_warning_idx ON churnwarn.warning_event (warning_id, id);
CREATE INDEX warning_event_customer_idx ON churnwarn.warning_event (customer_id, id);
COMMENT ON TABLE churnwarn.warning_event IS 'Every step and change of every warning, append-only.';
COMMENT ON COLUMN churnwarn.warning_event.id IS 'Event id.';
COMMENT ON COLUMN churnwarn.warning_event.warning_id IS 'Warning.';
COMMENT ON COLUMN churnwarn.warning_event.customer_id IS 'Customer of the warning.';
COMMENT ON COLUMN churnwarn.warning_event.at IS 'When it happened.';
COMMENT ON COLUMN churnwarn.warning_event.event IS 'opened, escalated, deescalated, dismissed, and the workflow steps.';
COMMENT ON COLUMN churnwarn.warning_event.actor IS 'Who did it (churnwarn.actor, else the session user).';
COMMENT ON COLUMN churnwarn.warning_event.from_level IS 'Proposed level before the change.';
COMMENT ON COLUMN churnwarn.warning_event.to_level IS 'Proposed level after the change.';
COMMENT ON COLUMN churnwarn.warning_event.detail IS 'Details of the step.';

CREATE SEQUENCE churnwarn.grade_history_id_seq;
CREATE TABLE churnwarn.grade_history (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('churnwarn.grade_history_id_seq'),
	customer_id	text NOT NULL REFERENCES churnwarn.customer ON UPDATE CASCADE,
	at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	from_level	int NOT NULL,
	to_level	int NOT NULL,
	score		double precision NOT NULL,
	config_version bigint NOT NULL,
	warning_id	bigint,
	signal_id	bigint,
	explanation	jsonb NOT NULL
);
ALTER SEQUENCE churnwarn.grade_history_id_seq OWNED BY churnwarn.grade_history.id;
CREATE INDEX grade_history_customer_idx ON churnwarn.grade_history (customer_id, at);
/*
 * The explanation of a grade change is 1-3 kB of jsonb, past the 2 kB at
 * which a row is compressed: with the default pglz that compression was
 * about a tenth of a report_signal's instructions (bench/callgrind).  lz4
 * compresses it several times faster; a server built without lz4 keeps
 * pglz.
 */
DO $$
BEGIN
	ALTER TABLE churnwarn.grade_history ALTER COLUMN explanation SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
	NULL;
END
$$;
COMMENT ON TABLE churnwarn.grade_history IS 'Every change of a customer''s proposed level with its explanation and configuration version ("why did this customer turn red last Tuesday?").';
COMMENT ON COLUMN churnwarn.grade_history.id IS 'Row id.';
COMMENT ON COLUMN churnwarn.grade_history.customer_id IS 'Customer.';
COMMENT ON COLUMN churnwarn.grade_history.at IS 'When the level changed (transaction time, or the tick time).';
COMMENT ON COLUMN churnwarn.grade_history.from_level IS 'Level before.';
COMMENT ON COLUMN churnwarn.grade_history.to_level IS 'Level after.';
COMMENT ON COLUMN churnwarn.grade_history.score IS 'Score after.';
COMMENT ON COLUMN churnwarn.grade_history.config_version IS 'Configuration version the grade was computed under.';
COMMENT ON COLUMN churnwarn.grade_history.warning_id IS 'Warning opened or changed by this grade.';
COMMENT ON COLUMN churnwarn.grade_history.signal_id IS 'Signal whose change caused the regrade, if any.';
COMMENT ON COLUMN churnwarn.grade_history.explanation IS 'The explain() document at the time.';

SELECT pg_catalog.pg_extension_config_dump('churnwarn.customer', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.customer_grade', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.signal', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.signal_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_event', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.warning_event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.grade_history', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.grade_history_id_seq', '');
