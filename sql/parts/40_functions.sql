/*
 * Grading functions and the triggers that grade on every row change.
 * None is SECURITY DEFINER: callers need the privileges on the tables
 * (churnwarn.setup_roles() grants them to churnwarn's roles) for the rows
 * they change, and row security applies to those.  What a regrade does in
 * consequence is the extension's own work, done without SQL (src/scan.c,
 * src/write.c): it reads every signal of the customer whatever the
 * caller's row security, returns nothing of it to the caller, and writes
 * the grade row, warning, warning_event and grade_history rows with their
 * defaults, constraints, foreign keys and audit rows but without checking
 * the caller's privileges on those tables.  The STABLE functions (grade,
 * explain) read through SQL, under the caller's privileges and row
 * security.
 */

CREATE FUNCTION churnwarn.report_signal(customer_id text, signal_type text,
	observed_at timestamptz DEFAULT pg_catalog.now(), detail jsonb DEFAULT '{}',
	reported_by text DEFAULT NULL, amount numeric DEFAULT NULL)
RETURNS bigint
LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_report_signal';
COMMENT ON FUNCTION churnwarn.report_signal(text, text, timestamptz, jsonb, text, numeric) IS
	'Record a risk signal for a customer and regrade it in this transaction; returns the signal id.';

CREATE FUNCTION churnwarn.resolve_signal(signal_id bigint, note text DEFAULT NULL)
RETURNS void
LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_resolve_signal';
COMMENT ON FUNCTION churnwarn.resolve_signal(bigint, text) IS
	'Mark an open signal resolved (it still counts, less) and regrade its customer.';

CREATE FUNCTION churnwarn.withdraw_signal(signal_id bigint, note text)
RETURNS void
LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_withdraw_signal';
COMMENT ON FUNCTION churnwarn.withdraw_signal(bigint, text) IS
	'Withdraw a signal reported in error (it stops counting), with a note saying why, and regrade its customer.';

CREATE FUNCTION churnwarn.grade(customer_id text)
RETURNS int
LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'churnwarn_grade';
COMMENT ON FUNCTION churnwarn.grade(text) IS
	'The warning level the rules propose for the customer now (0 = no warning).';

CREATE FUNCTION churnwarn.explain(customer_id text)
RETURNS jsonb
LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'churnwarn_explain';
COMMENT ON FUNCTION churnwarn.explain(text) IS
	'Every contribution to the customer''s grade: each signal''s points and decay, difficulty and tier factors, thresholds, hysteresis, floors and the result.';

CREATE FUNCTION churnwarn.use_scheme(scheme text)
RETURNS void
LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_use_scheme';
COMMENT ON FUNCTION churnwarn.use_scheme(text) IS
	'Make a level scheme (three_level or four_level, or one of your own) active and regrade every customer under it.';

CREATE FUNCTION churnwarn.now()
RETURNS timestamptz
LANGUAGE c STABLE STRICT PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'churnwarn_now';
COMMENT ON FUNCTION churnwarn.now() IS
	'The time churnwarn works at: churnwarn.clock if set, else the transaction start time.';

CREATE FUNCTION churnwarn.signal_trigger() RETURNS trigger
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_signal_trigger';
COMMENT ON FUNCTION churnwarn.signal_trigger() IS
	'Trigger (per statement, with transition tables): regrade once each customer whose signals the statement inserted or updated.';

CREATE FUNCTION churnwarn.customer_trigger() RETURNS trigger
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_customer_trigger';
COMMENT ON FUNCTION churnwarn.customer_trigger() IS
	'Trigger: give a new customer its grade row; regrade a customer whose tier, status or termination changed.';

CREATE FUNCTION churnwarn.config_trigger() RETURNS trigger
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_config_trigger';
COMMENT ON FUNCTION churnwarn.config_trigger() IS
	'Trigger: raise the configuration version and invalidate cached configuration in every session.';

/*
 * Shipped configuration rows: an edit clears "shipped" so pg_dump keeps the
 * row; on restore, the edited row replaces the pristine one the install
 * script re-created, so nothing is duplicated and no edit is lost.
 */
CREATE FUNCTION churnwarn.config_row_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
		IF OLD.shipped AND NEW.shipped AND NEW IS DISTINCT FROM OLD THEN
			NEW.shipped := false;
		END IF;
		RETURN NEW;
	END IF;
	IF NOT NEW.shipped THEN
		CASE TG_TABLE_NAME
		WHEN 'severity' THEN
			DELETE FROM churnwarn.severity WHERE severity OPERATOR(pg_catalog.=) NEW.severity AND shipped;
		WHEN 'scheme' THEN
			DELETE FROM churnwarn.scheme WHERE scheme OPERATOR(pg_catalog.=) NEW.scheme AND shipped;
		WHEN 'scheme_level' THEN
			DELETE FROM churnwarn.scheme_level WHERE scheme OPERATOR(pg_catalog.=) NEW.scheme
				AND level OPERATOR(pg_catalog.=) NEW.level AND shipped;
		WHEN 'tier' THEN
			DELETE FROM churnwarn.tier WHERE tier OPERATOR(pg_catalog.=) NEW.tier AND shipped;
		WHEN 'signal_type' THEN
			DELETE FROM churnwarn.signal_type WHERE code OPERATOR(pg_catalog.=) NEW.code AND shipped;
		WHEN 'settings' THEN
			DELETE FROM churnwarn.settings WHERE id OPERATOR(pg_catalog.=) NEW.id AND shipped;
		-- the workflow configuration (50_workflow_config.sql)
		WHEN 'level_workflow' THEN
			DELETE FROM churnwarn.level_workflow t WHERE t.scheme OPERATOR(pg_catalog.=) NEW.scheme
				AND t.level OPERATOR(pg_catalog.=) NEW.level AND t.shipped;
		WHEN 'level_approver' THEN
			DELETE FROM churnwarn.level_approver t WHERE t.scheme OPERATOR(pg_catalog.=) NEW.scheme
				AND t.level OPERATOR(pg_catalog.=) NEW.level
				AND t.role OPERATOR(pg_catalog.=) NEW.role AND t.shipped;
		WHEN 'cause' THEN
			DELETE FROM churnwarn.cause t WHERE t.cause OPERATOR(pg_catalog.=) NEW.cause AND t.shipped;
		END CASE;
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION churnwarn.config_row_guard() IS
	'Trigger: track edits of shipped configuration rows so dump and restore keep them exactly once.';

-- once per statement, each touched customer once (see trigger.c)
CREATE TRIGGER signal_grade AFTER INSERT ON churnwarn.signal
	REFERENCING NEW TABLE AS new_signals
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.signal_trigger();
CREATE TRIGGER signal_regrade AFTER UPDATE ON churnwarn.signal
	REFERENCING OLD TABLE AS old_signals NEW TABLE AS new_signals
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.signal_trigger();
CREATE TRIGGER customer_grade AFTER INSERT OR UPDATE ON churnwarn.customer
	FOR EACH ROW EXECUTE FUNCTION churnwarn.customer_trigger();

CREATE TRIGGER config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON churnwarn.settings
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.config_trigger();
CREATE TRIGGER config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON churnwarn.scheme
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.config_trigger();
CREATE TRIGGER config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON churnwarn.scheme_level
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.config_trigger();
CREATE TRIGGER config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON churnwarn.severity
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.config_trigger();
CREATE TRIGGER config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON churnwarn.signal_type
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.config_trigger();
CREATE TRIGGER config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON churnwarn.tier
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.config_trigger();

CREATE TRIGGER config_row_guard BEFORE INSERT OR UPDATE ON churnwarn.settings
	FOR EACH ROW EXECUTE FUNCTION churnwarn.config_row_guard();
CREATE TRIGGER config_row_guard BEFORE INSERT OR UPDATE ON churnwarn.scheme
	FOR EACH ROW EXECUTE FUNCTION churnwarn.config_row_guard();
CREATE TRIGGER config_row_guard BEFORE INSERT OR UPDATE ON churnwarn.scheme_level
	FOR EACH ROW EXECUTE FUNCTION churnwarn.config_row_guard();
CREATE TRIGGER config_row_guard BEFORE INSERT OR UPDATE ON churnwarn.severity
	FOR EACH ROW EXECUTE FUNCTION churnwarn.config_row_guard();
CREATE TRIGGER config_row_guard BEFORE INSERT OR UPDATE ON churnwarn.signal_type
	FOR EACH ROW EXECUTE FUNCTION churnwarn.config_row_guard();
CREATE TRIGGER config_row_guard BEFORE INSERT OR UPDATE ON churnwarn.tier
	FOR EACH ROW EXECUTE FUNCTION churnwarn.config_row_guard();

REVOKE ALL ON ALL TABLES IN SCHEMA churnwarn FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA churnwarn FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.report_signal(text, text, timestamptz, jsonb, text, numeric) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.resolve_signal(bigint, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.withdraw_signal(bigint, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.use_scheme(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.grade(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.explain(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.now() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.signal_trigger() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.customer_trigger() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.config_trigger() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.config_row_guard() FROM PUBLIC;
