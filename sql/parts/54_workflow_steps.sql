/*
 * sql/parts/54_workflow_steps.sql
 *	  The warning workflow (design.md "The warning workflow"; Art. 12-15):
 *
 *	  open --assess--> (approve ...) --> confirmed --issue--> issued
 *	    --submit_plan (approve_plan)--> recovering --evaluate--> closed
 *	  and open --level 0--> dismissed (by the grader).
 *	  An escalation above the assessed level sends an open, confirmed,
 *	  issued or recovering warning back to open (src/regrade.c).
 *
 * Every step: refuses NULL arguments (22004) before touching anything;
 * takes the customer's grade row lock (the lock every regrade of the
 * customer takes) and then the warning row (FOR UPDATE), always in that
 * order, so steps on one warning and the grading of its customer serialize
 * without deadlocks; checks the state (55000), the arguments against the
 * configuration (22023), the approver's role (42501) and duplicates
 * (23505); writes its rows and one or more warning_event rows stamped with
 * churnwarn.now() and the actor.  A refused step raises an error, so the
 * transaction (or savepoint) is rolled back and nothing changes.
 *
 * SQLSTATEs: 22004 a required argument is NULL; P0002 no such warning;
 * 22023 an invalid argument (level outside the scheme, unrecognized cause,
 * role, outcome or channel, incomplete plan, empty text); 55000 the
 * warning is not in the state the step needs; 42501 the role may not
 * approve this level; 23505 approving (a level or a plan) twice, a second
 * post-mortem; 42P17 the scheme lacks workflow configuration.
 *
 * The functions run with the caller's rights (churnwarn.setup_roles grants
 * them), none is executable by PUBLIC.
 */

CREATE FUNCTION churnwarn.current_actor()
RETURNS text
LANGUAGE c STABLE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'churnwarn_current_actor';
COMMENT ON FUNCTION churnwarn.current_actor() IS
	'The actor recorded for changes: the churnwarn.actor setting if set, else the session user.';

CREATE FUNCTION churnwarn.regrade(customer_id text, at timestamptz DEFAULT churnwarn.now())
RETURNS int
LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_regrade';
COMMENT ON FUNCTION churnwarn.regrade(text, timestamptz) IS
	'Regrade one customer as of a time (decay computed for it) with all consequences on its warning, under the customer''s grade row lock; returns the new level. tick uses it for decay.';

/* Internal helpers (not part of the contract). */

CREATE FUNCTION churnwarn.deadline_for(customer_id text, t timestamptz, working_days int)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL RESTRICTED
BEGIN ATOMIC
	SELECT churnwarn.add_working_days(t, working_days,
		(SELECT c.calendar FROM churnwarn.customer c
		 WHERE c.customer_id OPERATOR(pg_catalog.=) deadline_for.customer_id));
END;
COMMENT ON FUNCTION churnwarn.deadline_for(text, timestamptz, int) IS
	'Internal: the deadline "within working_days working days after t" in the customer''s calendar (the default calendar if it has none).';

CREATE FUNCTION churnwarn.utc_text(t timestamptz)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT pg_catalog.to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
END;
COMMENT ON FUNCTION churnwarn.utc_text(timestamptz) IS
	'Internal: a timestamp as ISO 8601 UTC text, independent of the session''s TimeZone (keys of overdue events).';

CREATE FUNCTION churnwarn.hold_customer(customer_id text, skip_locked boolean DEFAULT false)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF hold_customer.customer_id IS NULL THEN
		RAISE EXCEPTION 'customer_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- the lock order of every writer of a customer's ledger: the customer row
	-- (as the ledger's foreign keys check it), the head of its audit chain
	-- (as its audit rows), its grade row (as grading)
	IF NOT COALESCE(hold_customer.skip_locked, false) THEN
		PERFORM FROM churnwarn.customer c
		WHERE c.customer_id OPERATOR(pg_catalog.=) hold_customer.customer_id FOR KEY SHARE;
		PERFORM churnwarn.hold_chain(hold_customer.customer_id);
		PERFORM FROM churnwarn.customer_grade g
		WHERE g.customer_id OPERATOR(pg_catalog.=) hold_customer.customer_id FOR UPDATE;
		RETURN true;
	END IF;
	PERFORM FROM churnwarn.customer c
	WHERE c.customer_id OPERATOR(pg_catalog.=) hold_customer.customer_id FOR KEY SHARE SKIP LOCKED;
	IF NOT FOUND AND EXISTS (SELECT FROM churnwarn.customer c
			WHERE c.customer_id OPERATOR(pg_catalog.=) hold_customer.customer_id) THEN
		RETURN false;
	END IF;
	IF NOT churnwarn.hold_chain(hold_customer.customer_id, true) THEN
		RETURN false;
	END IF;
	PERFORM FROM churnwarn.customer_grade g
	WHERE g.customer_id OPERATOR(pg_catalog.=) hold_customer.customer_id FOR UPDATE SKIP LOCKED;
	RETURN FOUND OR NOT EXISTS (SELECT FROM churnwarn.customer_grade g
		WHERE g.customer_id OPERATOR(pg_catalog.=) hold_customer.customer_id);
END
$$;
COMMENT ON FUNCTION churnwarn.hold_customer(text, boolean) IS
	'Internal: lock what every writer of a customer''s ledger locks, in the one order they all use: the customer row FOR KEY SHARE, the head of its audit chain, its grade row FOR UPDATE.  With skip_locked nothing waits: false if one of them is busy (tick skips the customer).';

CREATE FUNCTION churnwarn.step_warning(warning_id bigint, customer_update boolean DEFAULT false)
RETURNS churnwarn.warning
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_customer text;
	w churnwarn.warning;
BEGIN
	IF step_warning.warning_id IS NULL THEN
		RAISE EXCEPTION 'warning_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT x.customer_id INTO v_customer FROM churnwarn.warning x
	WHERE x.id OPERATOR(pg_catalog.=) step_warning.warning_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'warning % does not exist', step_warning.warning_id
			USING ERRCODE = 'no_data_found';
	END IF;
	-- lock order: the customer row (FOR NO KEY UPDATE for a step that will
	-- change it), the head of its audit chain, its grade row (as a signal and
	-- every regrade take them), then the warning.  In READ COMMITTED the
	-- step's later UPDATE sees the customer as it is then, so the row is
	-- locked whatever its status now; under a snapshot a customer already
	-- terminated is not changed again, and locking its row would only fail
	-- on a concurrent update of it
	IF step_warning.customer_update THEN
		IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.=) 'read committed' THEN
			PERFORM FROM churnwarn.customer c
			WHERE c.customer_id OPERATOR(pg_catalog.=) v_customer FOR NO KEY UPDATE;
		ELSE
			PERFORM FROM churnwarn.customer c
			WHERE c.customer_id OPERATOR(pg_catalog.=) v_customer
				AND c.status OPERATOR(pg_catalog.<>) 'terminated'
			FOR NO KEY UPDATE;
		END IF;
	END IF;
	PERFORM churnwarn.hold_customer(v_customer);
	SELECT x.* INTO w FROM churnwarn.warning x
	WHERE x.id OPERATOR(pg_catalog.=) step_warning.warning_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'warning % does not exist', step_warning.warning_id
			USING ERRCODE = 'no_data_found',
				DETAIL = 'It was removed concurrently.';
	END IF;
	IF w.customer_id OPERATOR(pg_catalog.<>) v_customer THEN
		RAISE EXCEPTION 'could not lock warning %', step_warning.warning_id
			USING ERRCODE = 'serialization_failure',
				DETAIL = 'Its customer key was changed concurrently.',
				HINT = 'Retry the transaction.';
	END IF;
	RETURN w;
END
$$;
COMMENT ON FUNCTION churnwarn.step_warning(bigint, boolean) IS
	'Internal: lock the customer (hold_customer(); its row FOR NO KEY UPDATE first when the step will change it), then the warning row, and return the warning; P0002 if it does not exist.';

CREATE FUNCTION churnwarn.step_workflow(w churnwarn.warning, level int)
RETURNS churnwarn.level_workflow
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lw churnwarn.level_workflow;
BEGIN
	SELECT x.* INTO lw FROM churnwarn.level_workflow x
	WHERE x.scheme OPERATOR(pg_catalog.=) w.scheme AND x.level OPERATOR(pg_catalog.=) step_workflow.level;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'scheme "%" has no workflow configuration for level %', w.scheme, step_workflow.level
			USING ERRCODE = 'invalid_object_definition',
				HINT = 'Add the row to table churnwarn.level_workflow.';
	END IF;
	RETURN lw;
END
$$;
COMMENT ON FUNCTION churnwarn.step_workflow(churnwarn.warning, int) IS
	'Internal: the level_workflow row of the warning''s scheme for a level; 42P17 if it is missing.';

CREATE FUNCTION churnwarn.step_event(w churnwarn.warning, event text, actor text,
	detail jsonb, from_level int, to_level int)
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	INSERT INTO churnwarn.warning_event (warning_id, customer_id, at, event, actor,
		from_level, to_level, detail)
	VALUES (w.id, w.customer_id, churnwarn.now(), event,
		COALESCE(actor, churnwarn.current_actor()), from_level, to_level,
		COALESCE(detail, '{}'::jsonb));
END;
COMMENT ON FUNCTION churnwarn.step_event(churnwarn.warning, text, text, jsonb, int, int) IS
	'Internal: append a workflow step to churnwarn.warning_event at churnwarn.now().';

CREATE FUNCTION churnwarn.require_text(value text, name text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF value IS NULL THEN
		RAISE EXCEPTION '% must not be null', name USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF pg_catalog.btrim(value) OPERATOR(pg_catalog.=) '' THEN
		RAISE EXCEPTION '% must not be empty', name USING ERRCODE = 'invalid_parameter_value';
	END IF;
END
$$;
COMMENT ON FUNCTION churnwarn.require_text(text, text) IS
	'Internal: refuse a NULL (22004) or blank (22023) text argument.';

CREATE FUNCTION churnwarn.next_progress_due(w churnwarn.warning, t timestamptz)
RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lw churnwarn.level_workflow := churnwarn.step_workflow(w, w.level);
BEGIN
	IF lw.progress_working_days IS NOT NULL THEN
		RETURN churnwarn.deadline_for(w.customer_id, t, lw.progress_working_days);
	END IF;
	RETURN t OPERATOR(pg_catalog.+) lw.progress_interval;
END
$$;
COMMENT ON FUNCTION churnwarn.next_progress_due(churnwarn.warning, timestamptz) IS
	'Internal: the next progress deadline after t by the level''s cadence (working days of the customer''s calendar, or a short interval for real-time tracking).';

CREATE FUNCTION churnwarn.required_approvers(scheme text, level int)
RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT COALESCE(pg_catalog.array_agg(a.role ORDER BY a.role), '{}')
	FROM churnwarn.level_approver a
	WHERE a.scheme OPERATOR(pg_catalog.=) required_approvers.scheme
		AND a.level OPERATOR(pg_catalog.=) required_approvers.level AND a.required;
END;
COMMENT ON FUNCTION churnwarn.required_approvers(text, int) IS
	'The roles that must approve an assessed level of a scheme (churnwarn.level_approver).';

/* Confirm the current assessment: all approvals are in. */
CREATE FUNCTION churnwarn.confirm_warning(w churnwarn.warning, actor text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_now timestamptz := churnwarn.now();
	lw churnwarn.level_workflow := churnwarn.step_workflow(w, w.assessed_level);
	v_due timestamptz := churnwarn.deadline_for(w.customer_id, v_now, lw.notify_days);
BEGIN
	UPDATE churnwarn.warning x SET status = 'confirmed', level = w.assessed_level,
		confirmed_at = v_now, notify_due = v_due, updated_at = v_now
	WHERE x.id OPERATOR(pg_catalog.=) w.id;
	PERFORM churnwarn.step_event(w, 'confirmed', actor,
		pg_catalog.jsonb_build_object('level', w.assessed_level, 'notify_due', v_due,
			'assess_met', v_now OPERATOR(pg_catalog.<=) w.assess_due),
		w.level, w.assessed_level);
END
$$;
COMMENT ON FUNCTION churnwarn.confirm_warning(churnwarn.warning, text) IS
	'Internal: confirm the warning''s current assessment and set its notice deadline.';

/*
 * assess: record the assessors' level (and cause); the level's approvers
 * must then approve, or it is confirmed at once if it needs none.  Assessing
 * again before confirmation supersedes the pending assessment and its
 * approvals.
 */
CREATE FUNCTION churnwarn.assess(warning_id bigint, level int, assessor text, note text, cause text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w churnwarn.warning;
	v_top int;
	v_roles text[];
	v_id bigint;
	v_now timestamptz := churnwarn.now();
BEGIN
	IF assess.warning_id IS NULL THEN
		RAISE EXCEPTION 'warning_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF assess.level IS NULL THEN
		RAISE EXCEPTION 'level must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM churnwarn.require_text(assess.assessor, 'assessor');
	w := churnwarn.step_warning(assess.warning_id);
	IF w.status OPERATOR(pg_catalog.<>) 'open' THEN
		RAISE EXCEPTION 'cannot assess warning %', w.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = pg_catalog.format('The warning is %s; only an open warning is assessed.', w.status),
				HINT = 'An escalation by new signals sends a warning in progress back for re-assessment.';
	END IF;
	SELECT pg_catalog.max(l.level) INTO v_top FROM churnwarn.scheme_level l
	WHERE l.scheme OPERATOR(pg_catalog.=) w.scheme;
	IF assess.level OPERATOR(pg_catalog.<) 1 OR assess.level OPERATOR(pg_catalog.>) v_top THEN
		RAISE EXCEPTION 'level % is outside scheme "%"', assess.level, w.scheme
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = pg_catalog.format('The levels of scheme "%s" are 1 to %s.', w.scheme, v_top);
	END IF;
	IF assess.cause IS NOT NULL AND NOT EXISTS (SELECT FROM churnwarn.cause c
			WHERE c.cause OPERATOR(pg_catalog.=) assess.cause) THEN
		RAISE EXCEPTION 'unrecognized cause "%"', assess.cause
			USING ERRCODE = 'invalid_parameter_value',
				HINT = 'The causes are the codes in table churnwarn.cause.';
	END IF;
	PERFORM churnwarn.step_workflow(w, assess.level);

	INSERT INTO churnwarn.warning_assessment (warning_id, customer_id, at, level, cause, assessor, note)
	VALUES (w.id, w.customer_id, v_now, assess.level, assess.cause, assess.assessor, assess.note)
	RETURNING id INTO v_id;
	UPDATE churnwarn.warning x SET assessed_level = assess.level, assessment_id = v_id,
		assessed_at = v_now, cause = COALESCE(assess.cause, x.cause), updated_at = v_now
	WHERE x.id OPERATOR(pg_catalog.=) w.id
	RETURNING x.* INTO w;
	v_roles := churnwarn.required_approvers(w.scheme, assess.level);
	PERFORM churnwarn.step_event(w, 'assessed', assess.assessor,
		pg_catalog.jsonb_build_object('assessment_id', v_id, 'level', assess.level,
			'cause', w.cause, 'note', assess.note, 'approvals_needed', v_roles),
		w.proposed_level, assess.level);
	IF pg_catalog.cardinality(v_roles) OPERATOR(pg_catalog.=) 0 THEN
		PERFORM churnwarn.confirm_warning(w, assess.assessor);
	END IF;
END
$$;
COMMENT ON FUNCTION churnwarn.assess(bigint, int, text, text, text) IS
	'Assess an open warning: the level (within its scheme), the assessor, a note and the cause (churnwarn.cause, or NULL); the level''s approvers must then approve.';

CREATE FUNCTION churnwarn.assess(warning_id bigint, level int, assessor text, note text DEFAULT NULL)
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
	SELECT churnwarn.assess(warning_id, level, assessor, note, NULL::text);
END;
COMMENT ON FUNCTION churnwarn.assess(bigint, int, text, text) IS
	'Assess an open warning without recording a cause (see the five-argument form).';

/*
 * approve: one required role of the assessed level approves; the last one
 * confirms the level.
 */
CREATE FUNCTION churnwarn.approve(warning_id bigint, approver text, role text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w churnwarn.warning;
	v_roles text[];
	v_prev churnwarn.warning_approval;
	v_now timestamptz := churnwarn.now();
BEGIN
	IF approve.warning_id IS NULL THEN
		RAISE EXCEPTION 'warning_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM churnwarn.require_text(approve.approver, 'approver');
	PERFORM churnwarn.require_text(approve.role, 'role');
	w := churnwarn.step_warning(approve.warning_id);
	IF w.status OPERATOR(pg_catalog.<>) 'open' OR w.assessment_id IS NULL THEN
		RAISE EXCEPTION 'warning % has no assessment awaiting approval', w.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = CASE WHEN w.status OPERATOR(pg_catalog.=) 'open'
					THEN 'The warning has not been assessed yet.'
					ELSE pg_catalog.format('The warning is %s.', w.status) END;
	END IF;
	IF NOT EXISTS (SELECT FROM churnwarn.level_approver a WHERE a.role OPERATOR(pg_catalog.=) approve.role) THEN
		RAISE EXCEPTION 'unrecognized approver role "%"', approve.role
			USING ERRCODE = 'invalid_parameter_value',
				HINT = 'The roles are those of table churnwarn.level_approver, such as cs_head, deputy_leader, group_leader and general_manager.';
	END IF;
	v_roles := churnwarn.required_approvers(w.scheme, w.assessed_level);
	IF NOT approve.role OPERATOR(pg_catalog.=) ANY (v_roles) THEN
		RAISE EXCEPTION 'role "%" may not approve a level % warning', approve.role, w.assessed_level
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = pg_catalog.format('Level %s of scheme "%s" is approved by %s.', w.assessed_level,
					w.scheme, pg_catalog.array_to_string(v_roles, ' and '));
	END IF;
	SELECT a.* INTO v_prev FROM churnwarn.warning_approval a
	WHERE a.assessment_id OPERATOR(pg_catalog.=) w.assessment_id
		AND (a.role OPERATOR(pg_catalog.=) approve.role OR a.approver OPERATOR(pg_catalog.=) approve.approver)
	ORDER BY a.role OPERATOR(pg_catalog.=) approve.role DESC LIMIT 1;
	IF FOUND AND v_prev.role OPERATOR(pg_catalog.=) approve.role THEN
		RAISE EXCEPTION 'warning % has already been approved by role "%"', w.id, approve.role
			USING ERRCODE = 'unique_violation',
				DETAIL = pg_catalog.format('%s approved it at %s.', v_prev.approver, v_prev.at);
	ELSIF FOUND THEN
		RAISE EXCEPTION 'approver "%" has already approved warning % as "%"', approve.approver, w.id, v_prev.role
			USING ERRCODE = 'unique_violation',
				DETAIL = 'Each required role must be approved by a different person.';
	END IF;

	INSERT INTO churnwarn.warning_approval (warning_id, customer_id, assessment_id, at, role, approver)
	VALUES (w.id, w.customer_id, w.assessment_id, v_now, approve.role, approve.approver);
	PERFORM churnwarn.step_event(w, 'approved', approve.approver,
		pg_catalog.jsonb_build_object('role', approve.role, 'level', w.assessed_level,
			'assessment_id', w.assessment_id),
		w.level, w.assessed_level);
	IF NOT EXISTS (SELECT FROM pg_catalog.unnest(v_roles) r(role)
			WHERE NOT EXISTS (SELECT FROM churnwarn.warning_approval a
				WHERE a.assessment_id OPERATOR(pg_catalog.=) w.assessment_id
					AND a.role OPERATOR(pg_catalog.=) r.role)) THEN
		PERFORM churnwarn.confirm_warning(w, approve.approver);
	END IF;
END
$$;
COMMENT ON FUNCTION churnwarn.approve(bigint, text, text) IS
	'Approve the assessed level of a warning in a role the level requires (churnwarn.level_approver); the last required approval confirms it.';

/*
 * issue: the warning notice (预警通知) of a confirmed warning.
 */
CREATE FUNCTION churnwarn.issue(warning_id bigint, department text, owner text)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w churnwarn.warning;
	lw churnwarn.level_workflow;
	c churnwarn.cause;
	v_now timestamptz := churnwarn.now();
	v_zh boolean := pg_catalog.current_setting('churnwarn.language', true) OPERATOR(pg_catalog.=) 'zh';
	v_plan_due timestamptz;
	v_notice jsonb;
BEGIN
	IF issue.warning_id IS NULL THEN
		RAISE EXCEPTION 'warning_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM churnwarn.require_text(issue.department, 'department');
	PERFORM churnwarn.require_text(issue.owner, 'owner');
	w := churnwarn.step_warning(issue.warning_id);
	IF w.status OPERATOR(pg_catalog.=) 'open' THEN
		RAISE EXCEPTION 'cannot issue warning %', w.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = 'The warning is open; only a confirmed warning is issued.',
				HINT = 'Assess the warning and have its level approved first.';
	ELSIF w.status OPERATOR(pg_catalog.<>) 'confirmed' THEN
		RAISE EXCEPTION 'cannot issue warning %', w.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = pg_catalog.format('The warning is %s; only a confirmed warning is issued.', w.status);
	END IF;
	lw := churnwarn.step_workflow(w, w.level);
	SELECT x.* INTO c FROM churnwarn.cause x WHERE x.cause OPERATOR(pg_catalog.=) w.cause;
	v_plan_due := churnwarn.deadline_for(w.customer_id, v_now, lw.plan_days);

	SELECT pg_catalog.jsonb_build_object(
		'warning_id', w.id,
		'issued_at', v_now,
		'customer', pg_catalog.jsonb_build_object('customer_id', cu.customer_id, 'name', cu.name,
			'tier', cu.tier, 'department', cu.department, 'account_owner', cu.owner),
		'scheme', w.scheme,
		'level', w.level,
		'level_label', CASE WHEN v_zh THEN l.label_zh ELSE l.label_en END,
		'reason', pg_catalog.jsonb_build_object(
			'cause', w.cause,
			'cause_label', CASE WHEN v_zh THEN c.label_zh ELSE c.label_en END,
			'signals', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
					'signal_id', s.sig OPERATOR(pg_catalog.->) 'id',
					'type', s.sig OPERATOR(pg_catalog.->) 'type',
					'category', s.sig OPERATOR(pg_catalog.->) 'category',
					'status', s.sig OPERATOR(pg_catalog.->) 'status',
					'observed_at', s.sig OPERATOR(pg_catalog.->) 'observed_at',
					'points', s.sig OPERATOR(pg_catalog.->) 'points') ORDER BY s.pts DESC), '[]')
				FROM (SELECT e.sig, (e.sig OPERATOR(pg_catalog.->>) 'points')::pg_catalog.float8 AS pts
					FROM pg_catalog.jsonb_array_elements(
						churnwarn.explain(w.customer_id) OPERATOR(pg_catalog.->) 'signals') AS e(sig)
					ORDER BY 2 DESC LIMIT 3) s)),
		'responsible_department', issue.department,
		'owner', issue.owner,
		'lead_department', COALESCE(c.lead_department, lw.lead_department),
		'measures', COALESCE(c.measures, '[]'::jsonb),
		'deadlines', pg_catalog.jsonb_build_object(
			'plan_due', v_plan_due,
			'plan_needs_approval', lw.plan_needs_approval,
			'progress', CASE WHEN lw.progress_working_days IS NOT NULL
				THEN pg_catalog.format('every %s working day(s)', lw.progress_working_days)
				ELSE pg_catalog.format('every %s (real time)', lw.progress_interval) END),
		'notify_due', w.notify_due,
		'notify_met', v_now OPERATOR(pg_catalog.<=) w.notify_due)
	INTO v_notice
	FROM churnwarn.customer cu
	LEFT JOIN churnwarn.scheme_level l ON l.scheme OPERATOR(pg_catalog.=) w.scheme
		AND l.level OPERATOR(pg_catalog.=) w.level
	WHERE cu.customer_id OPERATOR(pg_catalog.=) w.customer_id;

	UPDATE churnwarn.warning x SET status = 'issued', department = issue.department,
		owner = issue.owner, issued_at = v_now, plan_due = v_plan_due, updated_at = v_now
	WHERE x.id OPERATOR(pg_catalog.=) w.id;
	PERFORM churnwarn.step_event(w, 'issued', NULL, v_notice, w.level, w.level);
	RETURN v_notice;
END
$$;
COMMENT ON FUNCTION churnwarn.issue(bigint, text, text) IS
	'Issue the warning notice of a confirmed warning: names the responsible department and person, sets the plan deadline, and returns the notice (customer, level, reason with the top signals, lead department, measures, deadlines).';

/*
 * submit_plan: a new version of the recovery plan.  The first plan that
 * counts (at once, or once management approved it where the level needs
 * that) starts the recovery.
 */
CREATE FUNCTION churnwarn.submit_plan(warning_id bigint, plan jsonb)
RETURNS int
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w churnwarn.warning;
	lw churnwarn.level_workflow;
	v_missing text[];
	v_version int;
	v_now timestamptz := churnwarn.now();
	v_starts boolean;
BEGIN
	IF submit_plan.warning_id IS NULL THEN
		RAISE EXCEPTION 'warning_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF submit_plan.plan IS NULL THEN
		RAISE EXCEPTION 'plan must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF pg_catalog.jsonb_typeof(submit_plan.plan) OPERATOR(pg_catalog.<>) 'object' THEN
		RAISE EXCEPTION 'recovery plan must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT pg_catalog.array_agg(k ORDER BY o) INTO v_missing
	FROM pg_catalog.unnest('{goal,measures,people,milestones,resources}'::text[]) WITH ORDINALITY AS u(k, o)
	WHERE COALESCE(submit_plan.plan OPERATOR(pg_catalog.->) k, 'null'::jsonb)
		OPERATOR(pg_catalog.=) ANY (ARRAY['null', '""', '[]', '{}']::jsonb[])
		OR pg_catalog.btrim(submit_plan.plan OPERATOR(pg_catalog.->>) k) OPERATOR(pg_catalog.=) '';
	IF v_missing IS NOT NULL THEN
		RAISE EXCEPTION 'recovery plan lacks %', pg_catalog.array_to_string(v_missing, ', ')
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'A plan names its goal, measures, people, milestones and resources (Art. 13), none of them empty.';
	END IF;
	w := churnwarn.step_warning(submit_plan.warning_id);
	IF w.status OPERATOR(pg_catalog.<>) ALL ('{issued,recovering}'::text[]) THEN
		RAISE EXCEPTION 'cannot submit a recovery plan for warning %', w.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = pg_catalog.format('The warning is %s; a plan follows the warning notice.', w.status);
	END IF;
	lw := churnwarn.step_workflow(w, w.level);
	SELECT COALESCE(pg_catalog.max(p.version), 0) OPERATOR(pg_catalog.+) 1 INTO v_version
	FROM churnwarn.warning_plan p WHERE p.warning_id OPERATOR(pg_catalog.=) w.id;
	INSERT INTO churnwarn.warning_plan (warning_id, customer_id, version, plan, level,
		submitted_by, submitted_at, needs_approval, effective_at)
	VALUES (w.id, w.customer_id, v_version, submit_plan.plan, w.level, churnwarn.current_actor(),
		v_now, lw.plan_needs_approval, CASE WHEN NOT lw.plan_needs_approval THEN v_now END);
	v_starts := NOT lw.plan_needs_approval AND w.status OPERATOR(pg_catalog.=) 'issued';
	UPDATE churnwarn.warning x SET plan_submitted_at = COALESCE(x.plan_submitted_at, v_now),
		status = CASE WHEN v_starts THEN 'recovering' ELSE x.status END,
		next_progress_due = CASE WHEN v_starts THEN churnwarn.next_progress_due(w, v_now)
			ELSE x.next_progress_due END,
		updated_at = v_now
	WHERE x.id OPERATOR(pg_catalog.=) w.id;
	PERFORM churnwarn.step_event(w, 'plan_submitted', NULL,
		pg_catalog.jsonb_build_object('version', v_version, 'needs_approval', lw.plan_needs_approval,
			'plan_due', w.plan_due, 'plan_met', v_now OPERATOR(pg_catalog.<=) w.plan_due),
		w.level, w.level);
	RETURN v_version;
END
$$;
COMMENT ON FUNCTION churnwarn.submit_plan(bigint, jsonb) IS
	'Submit a recovery plan (goal, measures, people, milestones, resources) for an issued or recovering warning; returns its version. Where the level needs management approval it counts once churnwarn.approve_plan approved it.';

CREATE FUNCTION churnwarn.approve_plan(warning_id bigint, approver text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w churnwarn.warning;
	p churnwarn.warning_plan;
	v_now timestamptz := churnwarn.now();
	v_starts boolean;
BEGIN
	IF approve_plan.warning_id IS NULL THEN
		RAISE EXCEPTION 'warning_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM churnwarn.require_text(approve_plan.approver, 'approver');
	w := churnwarn.step_warning(approve_plan.warning_id);
	SELECT x.* INTO p FROM churnwarn.warning_plan x WHERE x.warning_id OPERATOR(pg_catalog.=) w.id
	ORDER BY x.version DESC LIMIT 1;
	IF NOT FOUND OR w.status OPERATOR(pg_catalog.<>) ALL ('{issued,recovering}'::text[]) THEN
		RAISE EXCEPTION 'warning % has no recovery plan awaiting approval', w.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = pg_catalog.format('The warning is %s.', w.status);
	END IF;
	IF NOT p.needs_approval THEN
		RAISE EXCEPTION 'recovery plan version % of warning % needs no approval', p.version, w.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = pg_catalog.format('Level %s plans of scheme "%s" count when they are submitted.', p.level, w.scheme);
	END IF;
	IF p.approved_at IS NOT NULL THEN
		RAISE EXCEPTION 'recovery plan version % of warning % is already approved', p.version, w.id
			USING ERRCODE = 'unique_violation',
				DETAIL = pg_catalog.format('%s approved it at %s.', p.approved_by, p.approved_at);
	END IF;
	UPDATE churnwarn.warning_plan x SET approved_by = approve_plan.approver, approved_at = v_now,
		effective_at = v_now
	WHERE x.id OPERATOR(pg_catalog.=) p.id;
	v_starts := w.status OPERATOR(pg_catalog.=) 'issued';
	UPDATE churnwarn.warning x SET status = 'recovering',
		next_progress_due = CASE WHEN v_starts THEN churnwarn.next_progress_due(w, v_now)
			ELSE x.next_progress_due END,
		updated_at = v_now
	WHERE x.id OPERATOR(pg_catalog.=) w.id;
	PERFORM churnwarn.step_event(w, 'plan_approved', approve_plan.approver,
		pg_catalog.jsonb_build_object('version', p.version), w.level, w.level);
END
$$;
COMMENT ON FUNCTION churnwarn.approve_plan(bigint, text) IS
	'Management approves the latest recovery plan of a warning whose level needs that (level_workflow.plan_needs_approval); the plan then counts.';

CREATE FUNCTION churnwarn.record_progress(warning_id bigint, note text, actor text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w churnwarn.warning;
	v_now timestamptz := churnwarn.now();
	v_next timestamptz;
	v_on_time boolean;
BEGIN
	IF record_progress.warning_id IS NULL THEN
		RAISE EXCEPTION 'warning_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM churnwarn.require_text(record_progress.note, 'note');
	PERFORM churnwarn.require_text(record_progress.actor, 'actor');
	w := churnwarn.step_warning(record_progress.warning_id);
	IF w.status OPERATOR(pg_catalog.<>) 'recovering' THEN
		RAISE EXCEPTION 'cannot record progress on warning %', w.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = pg_catalog.format('The warning is %s; progress is recorded while a recovery plan is carried out.', w.status);
	END IF;
	v_next := churnwarn.next_progress_due(w, v_now);
	v_on_time := v_now OPERATOR(pg_catalog.<=) w.next_progress_due;
	INSERT INTO churnwarn.warning_progress (warning_id, customer_id, at, actor, note, due, on_time)
	VALUES (w.id, w.customer_id, v_now, record_progress.actor, record_progress.note,
		w.next_progress_due, v_on_time);
	UPDATE churnwarn.warning x SET next_progress_due = v_next, updated_at = v_now
	WHERE x.id OPERATOR(pg_catalog.=) w.id;
	PERFORM churnwarn.step_event(w, 'progress', record_progress.actor,
		pg_catalog.jsonb_build_object('due', w.next_progress_due, 'on_time', v_on_time,
			'next_progress_due', v_next),
		w.level, w.level);
END
$$;
COMMENT ON FUNCTION churnwarn.record_progress(bigint, text, text) IS
	'Record progress of a recovering warning; the next progress deadline follows the level''s cadence from now.';

CREATE FUNCTION churnwarn.record_communication(warning_id bigint, channel text,
	participants text[], summary text, actor text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w churnwarn.warning;
	v_now timestamptz := churnwarn.now();
BEGIN
	IF record_communication.warning_id IS NULL THEN
		RAISE EXCEPTION 'warning_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM churnwarn.require_text(record_communication.channel, 'channel');
	IF record_communication.participants IS NULL THEN
		RAISE EXCEPTION 'participants must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM churnwarn.require_text(record_communication.summary, 'summary');
	PERFORM churnwarn.require_text(record_communication.actor, 'actor');
	IF record_communication.channel OPERATOR(pg_catalog.<>) ALL
			('{meeting,visit,phone,video,email,message,letter,other}'::text[]) THEN
		RAISE EXCEPTION 'unrecognized communication channel "%"', record_communication.channel
			USING ERRCODE = 'invalid_parameter_value',
				HINT = 'The channels are meeting, visit, phone, video, email, message, letter and other.';
	END IF;
	IF pg_catalog.cardinality(record_communication.participants) OPERATOR(pg_catalog.=) 0
		OR EXISTS (SELECT FROM pg_catalog.unnest(record_communication.participants) p
			WHERE p IS NULL OR pg_catalog.btrim(p) OPERATOR(pg_catalog.=) '') THEN
		RAISE EXCEPTION 'participants must name at least one person and no empty ones'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	w := churnwarn.step_warning(record_communication.warning_id);
	IF w.status OPERATOR(pg_catalog.=) 'dismissed' THEN
		RAISE EXCEPTION 'cannot record a communication on warning %', w.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = 'The warning was dismissed.';
	END IF;
	INSERT INTO churnwarn.warning_communication (warning_id, customer_id, at, channel,
		participants, summary, actor)
	VALUES (w.id, w.customer_id, v_now, record_communication.channel,
		record_communication.participants, record_communication.summary, record_communication.actor);
	PERFORM churnwarn.step_event(w, 'communication', record_communication.actor,
		pg_catalog.jsonb_build_object('channel', record_communication.channel,
			'participants', pg_catalog.cardinality(record_communication.participants)),
		w.level, w.level);
END
$$;
COMMENT ON FUNCTION churnwarn.record_communication(bigint, text, text[], text, text) IS
	'Record a recovery conversation (Art. 15) on a warning in any state but dismissed, including the exit conversation after a failure.';

/*
 * evaluate: success closes the warning and schedules the revisits; partial
 * keeps it recovering and asks for a revised plan (plan_due); failure
 * closes it, marks the customer terminated (lost) and asks for a
 * post-mortem (postmortem_due).
 */
CREATE FUNCTION churnwarn.evaluate(warning_id bigint, outcome text, actor text, note text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w churnwarn.warning;
	lw churnwarn.level_workflow;
	p churnwarn.warning_plan;
	v_now timestamptz := churnwarn.now();
	v_due timestamptz;
	v_detail jsonb;
BEGIN
	IF evaluate.warning_id IS NULL THEN
		RAISE EXCEPTION 'warning_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM churnwarn.require_text(evaluate.outcome, 'outcome');
	PERFORM churnwarn.require_text(evaluate.actor, 'actor');
	IF evaluate.outcome OPERATOR(pg_catalog.<>) ALL ('{success,partial,failure}'::text[]) THEN
		RAISE EXCEPTION 'unrecognized outcome "%"', evaluate.outcome
			USING ERRCODE = 'invalid_parameter_value',
				HINT = 'The outcomes are success, partial and failure.';
	END IF;
	-- a failure terminates the customer: its row is locked for that first
	w := churnwarn.step_warning(evaluate.warning_id,
		evaluate.outcome OPERATOR(pg_catalog.=) 'failure');
	IF w.status OPERATOR(pg_catalog.<>) 'recovering' THEN
		RAISE EXCEPTION 'warning % has no recovery plan in force', w.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = pg_catalog.format('The warning is %s; a recovery is evaluated once its plan has been carried out.', w.status);
	END IF;
	SELECT x.* INTO p FROM churnwarn.warning_plan x WHERE x.warning_id OPERATOR(pg_catalog.=) w.id
	ORDER BY x.version DESC LIMIT 1;
	IF w.plan_submitted_at IS NULL THEN
		RAISE EXCEPTION 'warning % needs a revised recovery plan before it is evaluated again', w.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = 'The last evaluation was a partial success.';
	END IF;
	IF p.effective_at IS NULL THEN
		RAISE EXCEPTION 'recovery plan version % of warning % awaits approval', p.version, w.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				HINT = 'Management approves it with churnwarn.approve_plan().';
	END IF;
	lw := churnwarn.step_workflow(w, w.level);
	INSERT INTO churnwarn.warning_evaluation (warning_id, customer_id, at, outcome, plan_version, actor, note)
	VALUES (w.id, w.customer_id, v_now, evaluate.outcome, p.version, evaluate.actor, evaluate.note);
	v_detail := pg_catalog.jsonb_build_object('outcome', evaluate.outcome, 'plan_version', p.version,
		'note', evaluate.note);

	IF evaluate.outcome OPERATOR(pg_catalog.=) 'partial' THEN
		v_due := churnwarn.deadline_for(w.customer_id, v_now, lw.plan_days);
		UPDATE churnwarn.warning x SET outcome = 'partial', plan_submitted_at = NULL,
			plan_due = v_due, updated_at = v_now
		WHERE x.id OPERATOR(pg_catalog.=) w.id;
		PERFORM churnwarn.step_event(w, 'evaluated', evaluate.actor,
			v_detail OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('revised_plan_due', v_due),
			w.level, w.level);
		RETURN;
	END IF;

	UPDATE churnwarn.warning x SET status = 'closed', outcome = evaluate.outcome, closed_at = v_now,
		next_progress_due = NULL,
		postmortem_due = CASE WHEN evaluate.outcome OPERATOR(pg_catalog.=) 'failure'
			THEN churnwarn.deadline_for(w.customer_id, v_now, lw.postmortem_days) END,
		updated_at = v_now
	WHERE x.id OPERATOR(pg_catalog.=) w.id
	RETURNING x.postmortem_due INTO v_due;
	PERFORM churnwarn.step_event(w, 'evaluated', evaluate.actor, v_detail, w.level, w.level);

	IF evaluate.outcome OPERATOR(pg_catalog.=) 'success' THEN
		INSERT INTO churnwarn.warning_revisit (warning_id, customer_id, seq, due_at)
		SELECT w.id, w.customer_id, u.seq, v_now OPERATOR(pg_catalog.+) u.after
		FROM pg_catalog.unnest(lw.revisit_after) WITH ORDINALITY AS u(after, seq);
		PERFORM churnwarn.step_event(w, 'closed', evaluate.actor,
			pg_catalog.jsonb_build_object('outcome', 'success', 'revisits',
				(SELECT COALESCE(pg_catalog.jsonb_agg(r.due_at ORDER BY r.seq), '[]')
				 FROM churnwarn.warning_revisit r WHERE r.warning_id OPERATOR(pg_catalog.=) w.id)),
			w.level, w.level);
	ELSE
		PERFORM churnwarn.step_event(w, 'closed', evaluate.actor,
			pg_catalog.jsonb_build_object('outcome', 'failure', 'postmortem_due', v_due),
			w.level, w.level);
		-- the customer is lost, terminated at once (it stays in the warning
		-- scope for settings.scope_after_termination, Art. 2)
		UPDATE churnwarn.customer cu SET status = 'terminated',
			terminated_at = COALESCE(cu.terminated_at, v_now)
		WHERE cu.customer_id OPERATOR(pg_catalog.=) w.customer_id
			AND cu.status OPERATOR(pg_catalog.<>) 'terminated';
		PERFORM churnwarn.step_event(w, 'customer_lost', evaluate.actor,
			pg_catalog.jsonb_build_object('terminated_at',
				(SELECT cu.terminated_at FROM churnwarn.customer cu
				 WHERE cu.customer_id OPERATOR(pg_catalog.=) w.customer_id)),
			w.level, w.level);
	END IF;
END
$$;
COMMENT ON FUNCTION churnwarn.evaluate(bigint, text, text, text) IS
	'Evaluate a recovery with a plan in force: success closes it and schedules revisits; partial keeps it recovering and sets a revised-plan deadline; failure closes it, marks the customer terminated (lost) and sets a post-mortem deadline.';

CREATE FUNCTION churnwarn.record_postmortem(warning_id bigint, root_cause text, lessons text, actions text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w churnwarn.warning;
	v_now timestamptz := churnwarn.now();
BEGIN
	IF record_postmortem.warning_id IS NULL THEN
		RAISE EXCEPTION 'warning_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM churnwarn.require_text(record_postmortem.root_cause, 'root_cause');
	PERFORM churnwarn.require_text(record_postmortem.lessons, 'lessons');
	PERFORM churnwarn.require_text(record_postmortem.actions, 'actions');
	w := churnwarn.step_warning(record_postmortem.warning_id);
	IF w.outcome IS DISTINCT FROM 'failure' OR w.status OPERATOR(pg_catalog.<>) 'closed' THEN
		RAISE EXCEPTION 'a post-mortem is only written for a failed recovery'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = pg_catalog.format('Warning %s is %s with outcome %s.', w.id, w.status,
					COALESCE(w.outcome, 'none'));
	END IF;
	IF EXISTS (SELECT FROM churnwarn.warning_postmortem x WHERE x.warning_id OPERATOR(pg_catalog.=) w.id) THEN
		RAISE EXCEPTION 'warning % already has a post-mortem', w.id USING ERRCODE = 'unique_violation';
	END IF;
	INSERT INTO churnwarn.warning_postmortem (warning_id, customer_id, at, actor, root_cause, lessons, actions)
	VALUES (w.id, w.customer_id, v_now, churnwarn.current_actor(), record_postmortem.root_cause,
		record_postmortem.lessons, record_postmortem.actions);
	PERFORM churnwarn.step_event(w, 'postmortem', NULL,
		pg_catalog.jsonb_build_object('postmortem_due', w.postmortem_due,
			'postmortem_met', v_now OPERATOR(pg_catalog.<=) w.postmortem_due),
		w.level, w.level);
END
$$;
COMMENT ON FUNCTION churnwarn.record_postmortem(bigint, text, text, text) IS
	'Record the post-mortem (客户流失复盘报告) of a failed recovery: root cause, lessons, actions; once per warning.';

CREATE FUNCTION churnwarn.record_revisit(warning_id bigint, note text, actor text)
RETURNS int
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w churnwarn.warning;
	r churnwarn.warning_revisit;
	v_now timestamptz := churnwarn.now();
BEGIN
	IF record_revisit.warning_id IS NULL THEN
		RAISE EXCEPTION 'warning_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM churnwarn.require_text(record_revisit.note, 'note');
	PERFORM churnwarn.require_text(record_revisit.actor, 'actor');
	w := churnwarn.step_warning(record_revisit.warning_id);
	SELECT x.* INTO r FROM churnwarn.warning_revisit x
	WHERE x.warning_id OPERATOR(pg_catalog.=) w.id AND x.done_at IS NULL ORDER BY x.seq LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'warning % has no revisit pending', w.id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = 'Revisits are scheduled when a recovery is evaluated as a success.';
	END IF;
	UPDATE churnwarn.warning_revisit x SET done_at = v_now, done_by = record_revisit.actor,
		note = record_revisit.note
	WHERE x.id OPERATOR(pg_catalog.=) r.id;
	PERFORM churnwarn.step_event(w, 'revisit', record_revisit.actor,
		pg_catalog.jsonb_build_object('seq', r.seq, 'due_at', r.due_at),
		w.level, w.level);
	RETURN r.seq;
END
$$;
COMMENT ON FUNCTION churnwarn.record_revisit(bigint, text, text) IS
	'Record the next pending follow-up visit of a successfully recovered warning as done; returns its number in the schedule.';

REVOKE EXECUTE ON FUNCTION churnwarn.now() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.current_actor() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.regrade(text, timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.deadline_for(text, timestamptz, int) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.utc_text(timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.step_warning(bigint, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.hold_customer(text, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.step_workflow(churnwarn.warning, int) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.step_event(churnwarn.warning, text, text, jsonb, int, int) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.require_text(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.next_progress_due(churnwarn.warning, timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.required_approvers(text, int) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.confirm_warning(churnwarn.warning, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.assess(bigint, int, text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.assess(bigint, int, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.approve(bigint, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.issue(bigint, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.submit_plan(bigint, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.approve_plan(bigint, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.record_progress(bigint, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.record_communication(bigint, text, text[], text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.evaluate(bigint, text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.record_postmortem(bigint, text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.record_revisit(bigint, text, text) FROM PUBLIC;
