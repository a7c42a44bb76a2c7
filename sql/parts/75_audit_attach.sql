/*
 * Every churnwarn table holding data or configuration is audited: one
 * audit_log row per row change, chained per customer (configuration rows
 * on their own chain).  The exception is customer_grade, the current level
 * per customer: it is derived state that every change of level records in
 * grade_history (itself audited), and its row is only a lock target.
 * Attached after the shipped rows are inserted, so installing writes no
 * audit rows.
 */
SELECT churnwarn.audit_table('churnwarn.customer');
SELECT churnwarn.audit_table('churnwarn.signal');
/*
 * Signals arrive in bulk (COPY, INSERT ... SELECT): their inserts are
 * audited once per statement from its transition table (shared with
 * signal_grade's), still one audit row per inserted row in the order the
 * rows were inserted, written with one set-up of the audit log for the
 * whole statement instead of an AFTER ROW event per row.  Statement
 * triggers fire in name order, so churnwarn_audit_insert writes the
 * signals' audit rows before signal_grade regrades their customers: on
 * each customer's chain the signals come before the grade changes they
 * caused, as with a row trigger.  Updates and deletes stay row by row.
 */
DROP TRIGGER churnwarn_audit ON churnwarn.signal;
CREATE TRIGGER churnwarn_audit AFTER UPDATE OR DELETE ON churnwarn.signal
	FOR EACH ROW EXECUTE FUNCTION churnwarn.audit_trigger();
CREATE TRIGGER churnwarn_audit_insert AFTER INSERT ON churnwarn.signal
	REFERENCING NEW TABLE AS churnwarn_audit_new
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.audit_trigger();
ALTER TRIGGER churnwarn_audit ON churnwarn.signal DEPENDS ON EXTENSION churnwarn;
ALTER TRIGGER churnwarn_audit_insert ON churnwarn.signal DEPENDS ON EXTENSION churnwarn;
SELECT churnwarn.audit_table('churnwarn.warning');
SELECT churnwarn.audit_table('churnwarn.warning_event');
SELECT churnwarn.audit_table('churnwarn.grade_history');
SELECT churnwarn.audit_table('churnwarn.suggestion');
SELECT churnwarn.audit_table('churnwarn.period_close');
SELECT churnwarn.audit_table('churnwarn.period_review_snapshot');
SELECT churnwarn.audit_table('churnwarn.assessment_snapshot');
SELECT churnwarn.audit_table('churnwarn.incentive_stats_snapshot');
SELECT churnwarn.audit_table('churnwarn.settings');
SELECT churnwarn.audit_table('churnwarn.severity');
SELECT churnwarn.audit_table('churnwarn.scheme');
SELECT churnwarn.audit_table('churnwarn.scheme_level');
SELECT churnwarn.audit_table('churnwarn.tier');
SELECT churnwarn.audit_table('churnwarn.signal_type');
SELECT churnwarn.audit_table('churnwarn.calendar');
SELECT churnwarn.audit_table('churnwarn.calendar_day');
SELECT churnwarn.audit_table('churnwarn.department');
SELECT churnwarn.audit_table('churnwarn.churn_target');
SELECT churnwarn.audit_table('churnwarn.incentive_rule');
SELECT churnwarn.audit_table('churnwarn.watched_table');
SELECT churnwarn.audit_table('churnwarn.watched_attribute');
SELECT churnwarn.audit_table('churnwarn.watch_rule');
SELECT churnwarn.audit_table('churnwarn.level_workflow');
SELECT churnwarn.audit_table('churnwarn.level_approver');
SELECT churnwarn.audit_table('churnwarn.cause');
SELECT churnwarn.audit_table('churnwarn.warning_assessment');
SELECT churnwarn.audit_table('churnwarn.warning_approval');
SELECT churnwarn.audit_table('churnwarn.warning_plan');
SELECT churnwarn.audit_table('churnwarn.warning_progress');
SELECT churnwarn.audit_table('churnwarn.warning_communication');
SELECT churnwarn.audit_table('churnwarn.warning_evaluation');
SELECT churnwarn.audit_table('churnwarn.warning_revisit');
SELECT churnwarn.audit_table('churnwarn.warning_postmortem');
