/*
 * sql/parts/56_tick.sql
 *	  The deadlines a warning can miss, and tick, the periodic pass.
 */

/*
 * The rule of "overdue", in one place for tick and tracking_ledger.  A
 * deadline is missed when its step has not happened by the due time:
 *	report		the warning was opened (the first report) after report_due;
 *	assess		still open and unconfirmed after assess_due;
 *	notify		confirmed but not issued after notify_due;
 *	plan		issued or recovering, the awaited plan (first, or revised
 *				after a partial success) not submitted by plan_due;
 *	progress	recovering without a progress record by next_progress_due;
 *	postmortem	failed, no post-mortem by postmortem_due.
 */
CREATE FUNCTION churnwarn.overdue_deadlines(w churnwarn.warning, at timestamptz)
RETURNS TABLE (deadline text, due timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT d.deadline, d.due
	FROM (VALUES
		(1, 'report', w.report_due, w.opened_at OPERATOR(pg_catalog.>) w.report_due),
		(2, 'assess', w.assess_due, w.status OPERATOR(pg_catalog.=) 'open'
			AND w.confirmed_at IS NULL AND w.assess_due OPERATOR(pg_catalog.<) $2),
		(3, 'notify', w.notify_due, w.status OPERATOR(pg_catalog.=) 'confirmed'
			AND w.notify_due OPERATOR(pg_catalog.<) $2),
		(4, 'plan', w.plan_due, w.status OPERATOR(pg_catalog.=) ANY ('{issued,recovering}'::text[])
			AND w.plan_submitted_at IS NULL AND w.plan_due OPERATOR(pg_catalog.<) $2),
		(5, 'progress', w.next_progress_due, w.status OPERATOR(pg_catalog.=) 'recovering'
			AND w.next_progress_due OPERATOR(pg_catalog.<) $2),
		(6, 'postmortem', w.postmortem_due, w.status OPERATOR(pg_catalog.=) 'closed'
			AND w.outcome OPERATOR(pg_catalog.=) 'failure'
			AND w.postmortem_due OPERATOR(pg_catalog.<) $2
			AND NOT EXISTS (SELECT FROM churnwarn.warning_postmortem p
				WHERE p.warning_id OPERATOR(pg_catalog.=) w.id))
	) AS d(ord, deadline, due, missed)
	WHERE d.missed
	ORDER BY d.ord;
END;
COMMENT ON FUNCTION churnwarn.overdue_deadlines(churnwarn.warning, timestamptz) IS
	'The deadlines of a warning missed as of a time (report, assess, notify, plan, progress, postmortem) with their due times.';

/*
 * tick: the periodic pass.  Locking: each customer is handled under its
 * grade row lock, the lock every regrade and every workflow step of that
 * customer takes first, taken with SKIP LOCKED, so tick never waits for
 * (nor deadlocks with) normal traffic: a customer busy in another
 * transaction is skipped, reported, and handled by the next tick.  Run it
 * in READ COMMITTED (pg_cron does).  Idempotent: an overdue deadline is
 * recorded once per due time (unique index warning_event_overdue_once), a
 * revisit once (reminded_at), and a regrade that changes nothing writes
 * nothing.
 */
CREATE FUNCTION churnwarn.tick(at timestamptz DEFAULT churnwarn.now())
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	v_at timestamptz := $1;
	v_older jsonb;
	v_customer text;
	v_before int;
	v_checked int := 0;
	v_changed int := 0;
	v_overdue int := 0;
	v_revisits int := 0;
	v_skipped text[] := '{}';
	v_id bigint;
	w churnwarn.warning;
	d record;
	r churnwarn.warning_revisit;
BEGIN
	IF v_at IS NULL THEN
		RAISE EXCEPTION 'at must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT pg_catalog.isfinite(v_at) THEN
		RAISE EXCEPTION 'tick time must be finite' USING ERRCODE = 'datetime_field_overflow';
	END IF;

	-- 1. older_than rules of watched tables, when that part is installed
	IF pg_catalog.to_regprocedure('churnwarn.check_older_than(timestamptz)') IS NOT NULL THEN
		EXECUTE 'SELECT pg_catalog.to_jsonb(r) FROM churnwarn.check_older_than($1) AS r'
			INTO v_older USING v_at;
	END IF;

	-- 2. decay: regrade customers with a level or open signals
	FOR v_customer IN
		SELECT g.customer_id FROM churnwarn.customer_grade g WHERE g.level OPERATOR(pg_catalog.>) 0
		UNION
		SELECT s.customer_id FROM churnwarn.signal s WHERE s.status OPERATOR(pg_catalog.=) 'open'
		ORDER BY 1
	LOOP
		-- customer row, audit chain head, grade row: the order every writer
		-- takes them in, skipping a customer if one is busy
		IF NOT churnwarn.hold_customer(v_customer, true) THEN
			v_skipped := v_skipped OPERATOR(pg_catalog.||) v_customer;
			CONTINUE;
		END IF;
		SELECT g.level INTO v_before FROM churnwarn.customer_grade g
		WHERE g.customer_id OPERATOR(pg_catalog.=) v_customer;
		IF NOT FOUND THEN
			v_skipped := v_skipped OPERATOR(pg_catalog.||) v_customer;
			CONTINUE;
		END IF;
		v_checked := v_checked OPERATOR(pg_catalog.+) 1;
		IF churnwarn.regrade(v_customer, v_at) OPERATOR(pg_catalog.<>) v_before THEN
			v_changed := v_changed OPERATOR(pg_catalog.+) 1;
		END IF;
	END LOOP;

	-- 3. missed deadlines, each recorded once
	FOR v_id, v_customer IN
		SELECT x.id, x.customer_id FROM churnwarn.warning x
		WHERE (x.status OPERATOR(pg_catalog.<>) ALL ('{closed,dismissed}'::text[])
				OR x.postmortem_due IS NOT NULL)
			AND EXISTS (SELECT FROM churnwarn.overdue_deadlines(x, v_at))
		ORDER BY x.id
	LOOP
		IF NOT churnwarn.hold_customer(v_customer, true) THEN
			v_skipped := v_skipped OPERATOR(pg_catalog.||) v_customer;
			CONTINUE;
		END IF;
		-- read it again under the lock: a step may have just met the deadline
		SELECT x.* INTO w FROM churnwarn.warning x WHERE x.id OPERATOR(pg_catalog.=) v_id;
		FOR d IN SELECT * FROM churnwarn.overdue_deadlines(w, v_at) LOOP
			INSERT INTO churnwarn.warning_event (warning_id, customer_id, at, event, actor,
				from_level, to_level, detail)
			VALUES (w.id, w.customer_id, v_at, 'overdue', churnwarn.current_actor(),
				w.level, w.level,
				pg_catalog.jsonb_build_object('deadline', d.deadline, 'due', churnwarn.utc_text(d.due),
					'status', w.status))
			ON CONFLICT (warning_id, (detail OPERATOR(pg_catalog.->>) 'deadline'),
				(detail OPERATOR(pg_catalog.->>) 'due'))
				WHERE event OPERATOR(pg_catalog.=) 'overdue'
			DO NOTHING;
			IF FOUND THEN
				v_overdue := v_overdue OPERATOR(pg_catalog.+) 1;
			END IF;
		END LOOP;
	END LOOP;

	-- 4. revisits that fell due, each recorded once
	FOR r IN
		SELECT x.* FROM churnwarn.warning_revisit x
		WHERE x.done_at IS NULL AND x.reminded_at IS NULL AND x.due_at OPERATOR(pg_catalog.<=) v_at
		ORDER BY x.id
	LOOP
		IF NOT churnwarn.hold_customer(r.customer_id, true) THEN
			v_skipped := v_skipped OPERATOR(pg_catalog.||) r.customer_id;
			CONTINUE;
		END IF;
		UPDATE churnwarn.warning_revisit x SET reminded_at = v_at
		WHERE x.id OPERATOR(pg_catalog.=) r.id AND x.reminded_at IS NULL AND x.done_at IS NULL;
		IF FOUND THEN
			SELECT x.* INTO w FROM churnwarn.warning x WHERE x.id OPERATOR(pg_catalog.=) r.warning_id;
			INSERT INTO churnwarn.warning_event (warning_id, customer_id, at, event, actor,
				from_level, to_level, detail)
			VALUES (w.id, w.customer_id, v_at, 'revisit_due', churnwarn.current_actor(),
				w.level, w.level,
				pg_catalog.jsonb_build_object('seq', r.seq, 'due_at', r.due_at));
			v_revisits := v_revisits OPERATOR(pg_catalog.+) 1;
		END IF;
	END LOOP;

	RETURN pg_catalog.jsonb_build_object(
		'at', v_at,
		'older_than', v_older,
		'regraded', v_checked,
		'level_changes', v_changed,
		'overdue', v_overdue,
		'revisits_due', v_revisits,
		'skipped', (SELECT pg_catalog.count(DISTINCT s) FROM pg_catalog.unnest(v_skipped) s),
		'skipped_customers', (SELECT COALESCE(pg_catalog.jsonb_agg(s ORDER BY s), '[]')
			FROM (SELECT DISTINCT s FROM pg_catalog.unnest(v_skipped) s LIMIT 100) x));
END
$$;
COMMENT ON FUNCTION churnwarn.tick(timestamptz) IS
	'The periodic pass (run it every few minutes, e.g. from pg_cron): older_than rules, decay regrades of customers with a level or open signals, missed deadlines recorded once each as overdue events, revisits due; customers locked by other transactions are skipped and reported. Returns the counts as jsonb.';

REVOKE EXECUTE ON FUNCTION churnwarn.overdue_deadlines(churnwarn.warning, timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.tick(timestamptz) FROM PUBLIC;
