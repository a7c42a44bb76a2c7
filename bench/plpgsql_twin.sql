-- bench/plpgsql_twin.sql - the PL/pgSQL twin of churnwarn's signal trigger.
--
-- The reference a user would otherwise write: the same regrade as
-- src/regrade.c and src/grade.c, statement for statement, on the twin table
-- bench.signal_twin.  It writes the same rows into churnwarn's own ledger
-- tables (customer_grade, warning, warning_event, grade_history) and sends
-- the same NOTIFY, so C and twin do the same work; bench/run checks that
-- both give every customer the same level.  Benchmark only: not installed
-- by the extension.
--
--   points(s)   = weight * status_factor * 0.5 ^ (age / half_life)
--   difficulty  = 1 + breadth_step * (open categories - 1)
--   score       = severity * difficulty * tier factor
--   score level = highest level reached, held while score >= (1 - hysteresis)
--                 * min_score of a level reached before
--   level       = max(score level, floors of open signals) + tier raise,
--                 capped at the top; 0 out of scope.
\set ON_ERROR_STOP on

CREATE FUNCTION bench.twin_now() RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN coalesce(nullif(current_setting('churnwarn.clock', true), '')::timestamptz, now());

CREATE FUNCTION bench.twin_regrade(p_customer text, p_signal_id bigint, p_now timestamptz)
RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_prev int;
	c record;			-- settings joined with the active scheme
	v_tier text; v_status text; v_term timestamptz;
	v_tier_factor float8 := 1; v_level_raise int := 0; v_tier_known boolean;
	v_levels int[]; v_ranks int[]; v_mins float8[]; v_labels text[]; v_top int;
	sg record;			-- one signal of the customer
	v_age float8; v_decay float8; v_points float8; v_sig_floor int;
	v_severity float8 := 0; v_cats text[] := '{}'; v_ncats int;
	v_floor int := 0; v_floor_signal bigint;
	v_difficulty float8; v_score float8;
	v_raw int := 0; v_score_level int; v_held boolean := false; v_h int;
	v_level int; v_tier_raise int := 0; v_in_scope boolean := true;
	v_signals jsonb; v_thresholds jsonb := '[]';
	v_earliest timestamptz;
	w record; v_have_warning boolean; v_warning_id bigint; v_event text;
	v_detail jsonb; v_expl jsonb; i int;
	v_zh boolean := current_setting('churnwarn.language', true) = 'zh';
BEGIN
	-- the grade row lock serializes regrades of one customer
	SELECT level INTO v_prev FROM churnwarn.customer_grade
		WHERE customer_id = p_customer FOR UPDATE;
	IF NOT FOUND THEN
		INSERT INTO churnwarn.customer_grade (customer_id)
			SELECT customer_id FROM churnwarn.customer WHERE customer_id = p_customer
			ON CONFLICT DO NOTHING;
		SELECT level INTO v_prev FROM churnwarn.customer_grade
			WHERE customer_id = p_customer FOR UPDATE;
		IF NOT FOUND THEN
			RETURN 0;
		END IF;
	END IF;

	SELECT s.scheme, s.config_version, sc.hysteresis::float8 AS hysteresis,
		   sc.resolved_factor::float8 AS resolved_factor,
		   sc.breadth_step::float8 AS breadth_step,
		   s.scope_after_termination, s.report_within
	  INTO c
	  FROM churnwarn.settings s JOIN churnwarn.scheme sc ON sc.scheme = s.scheme;
	SELECT array_agg(l.level ORDER BY l.level), array_agg(v.rank ORDER BY l.level),
		   array_agg(l.min_score::float8 ORDER BY l.level),
		   array_agg(CASE WHEN v_zh THEN l.label_zh ELSE l.label_en END ORDER BY l.level)
	  INTO v_levels, v_ranks, v_mins, v_labels
	  FROM churnwarn.scheme_level l JOIN churnwarn.severity v ON v.severity = l.severity
	 WHERE l.scheme = c.scheme;
	v_top := coalesce(array_length(v_levels, 1), 0);

	SELECT cu.tier, cu.status, cu.terminated_at, t.score_factor::float8, t.level_raise,
		   t.tier IS NOT NULL
	  INTO v_tier, v_status, v_term, v_tier_factor, v_level_raise, v_tier_known
	  FROM churnwarn.customer cu LEFT JOIN churnwarn.tier t ON t.tier = cu.tier
	 WHERE cu.customer_id = p_customer;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'customer "%" does not exist', p_customer
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF NOT v_tier_known THEN
		v_tier_factor := 1;
		v_level_raise := 0;
	END IF;
	IF v_status = 'terminated' AND v_term IS NOT NULL
	   AND v_term + c.scope_after_termination < p_now THEN
		v_in_scope := false;
	END IF;

	FOR sg IN
		SELECT g.id, g.signal_type, t.category, t.weight::float8 AS weight,
			   extract(epoch FROM t.half_life)::float8 AS half_life,
			   v.rank AS floor_rank, t.floor_min_amount::float8 AS floor_min,
			   g.observed_at, g.status, g.amount::float8 AS amount
		  FROM bench.signal_twin g
		  JOIN churnwarn.signal_type t ON t.code = g.signal_type
		  LEFT JOIN churnwarn.severity v ON v.severity = t.floor_severity
		 WHERE g.customer_id = p_customer AND g.status <> 'withdrawn'
		 ORDER BY g.id
	LOOP
		v_age := greatest(extract(epoch FROM p_now - sg.observed_at)::float8, 0);
		v_decay := CASE WHEN sg.half_life > 0 THEN power(0.5::float8, v_age / sg.half_life) ELSE 1 END;
		v_points := sg.weight * CASE WHEN sg.status = 'resolved' THEN c.resolved_factor ELSE 1 END * v_decay;
		v_severity := v_severity + v_points;
		v_sig_floor := 0;
		IF sg.status <> 'resolved' THEN
			IF NOT sg.category = ANY (v_cats) THEN
				v_cats := v_cats || sg.category;
			END IF;
			IF coalesce(sg.floor_rank, 0) > 0 AND
			   (sg.floor_min IS NULL OR (sg.amount IS NOT NULL AND sg.amount > sg.floor_min)) THEN
				v_sig_floor := v_top;	-- the top level if no level is that severe
				FOR i IN 1 .. v_top LOOP
					IF v_ranks[i] >= sg.floor_rank THEN
						v_sig_floor := v_levels[i];
						EXIT;
					END IF;
				END LOOP;
				IF v_sig_floor > v_floor THEN
					v_floor := v_sig_floor;
					v_floor_signal := sg.id;
				END IF;
			END IF;
			IF v_earliest IS NULL OR sg.observed_at < v_earliest THEN
				v_earliest := sg.observed_at;
			END IF;
		END IF;
	END LOOP;

	v_ncats := coalesce(array_length(v_cats, 1), 0);
	v_difficulty := 1 + c.breadth_step * greatest(v_ncats - 1, 0);
	v_score := v_severity * v_difficulty * v_tier_factor;

	FOR i IN 1 .. v_top LOOP
		IF v_score >= v_mins[i] THEN
			v_raw := v_levels[i];
		END IF;
	END LOOP;
	v_score_level := v_raw;
	IF v_prev > v_raw THEN
		v_h := 0;
		FOR i IN 1 .. v_top LOOP
			IF v_score >= v_mins[i] * (1 - c.hysteresis) THEN
				v_h := v_levels[i];
			END IF;
		END LOOP;
		v_h := least(v_h, v_prev);
		IF v_h > v_score_level THEN
			v_score_level := v_h;
			v_held := true;
		END IF;
	END IF;
	v_level := greatest(v_score_level, v_floor);
	IF v_level > 0 THEN
		v_tier_raise := least(v_level + v_level_raise, v_top) - v_level;
		v_level := v_level + v_tier_raise;
	END IF;
	IF NOT v_in_scope THEN
		v_level := 0;
	END IF;

	IF v_level = v_prev THEN
		RETURN v_prev;			-- nothing changed: no write
	END IF;

	UPDATE churnwarn.customer_grade
	   SET level = v_level, score = v_score, config_version = c.config_version, graded_at = p_now
	 WHERE customer_id = p_customer;

	SELECT id, status, proposed_level, coalesce(level, 0) AS level INTO w
	  FROM churnwarn.warning
	 WHERE customer_id = p_customer AND status <> ALL ('{closed,dismissed}');
	v_have_warning := FOUND;
	IF NOT v_have_warning AND v_level > 0 THEN
		INSERT INTO churnwarn.warning (customer_id, scheme, proposed_level, first_signal_id,
				opened_at, observed_at, report_due, updated_at)
		VALUES (p_customer, c.scheme, v_level, nullif(p_signal_id, 0), p_now, v_earliest,
				v_earliest + c.report_within, p_now)
		RETURNING id INTO v_warning_id;
		v_event := 'opened';
	ELSIF v_have_warning THEN
		v_warning_id := w.id;
		IF v_level = 0 AND w.status = 'open' THEN
			v_event := 'dismissed';
		ELSIF v_level > w.proposed_level THEN
			v_event := 'escalated';
		ELSE
			v_event := 'deescalated';
		END IF;
		UPDATE churnwarn.warning
		   SET proposed_level = v_level, updated_at = p_now,
			   status = CASE WHEN v_event = 'dismissed' THEN 'dismissed' ELSE status END,
			   closed_at = CASE WHEN v_event = 'dismissed' THEN p_now ELSE closed_at END
		 WHERE id = w.id;
	END IF;

	-- the explanation's signals, built (like the C) only when the level changed
	SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
			'id', x.id, 'type', x.signal_type, 'category', x.category,
			'status', CASE WHEN x.status = 'resolved' THEN 'resolved' ELSE 'open' END,
			'observed_at', x.observed_at, 'amount', x.amount, 'weight', x.weight,
			'status_factor', x.sf, 'decay', x.decay, 'points', x.weight * x.sf * x.decay,
			'forces_level', nullif(x.forces, 0)))
			|| jsonb_build_object('half_life_days', x.half_life / 86400) ORDER BY x.id), '[]')
	  INTO v_signals
	  FROM (SELECT g.id, g.signal_type, t.category, t.weight::float8 AS weight, g.status,
				   g.observed_at, g.amount::float8 AS amount,
				   extract(epoch FROM t.half_life)::float8 AS half_life,
				   CASE WHEN g.status = 'resolved' THEN c.resolved_factor ELSE 1 END AS sf,
				   CASE WHEN t.half_life IS NULL THEN 1
						ELSE power(0.5::float8, greatest(extract(epoch FROM p_now - g.observed_at)::float8, 0)
								   / extract(epoch FROM t.half_life)::float8) END AS decay,
				   CASE WHEN g.status <> 'resolved' AND v.rank IS NOT NULL
						 AND (t.floor_min_amount IS NULL OR g.amount > t.floor_min_amount)
						THEN coalesce((SELECT min(l) FROM unnest(v_levels, v_ranks) AS u(l, r)
									   WHERE r >= v.rank), v_top) END AS forces
			  FROM bench.signal_twin g
			  JOIN churnwarn.signal_type t ON t.code = g.signal_type
			  LEFT JOIN churnwarn.severity v ON v.severity = t.floor_severity
			 WHERE g.customer_id = p_customer AND g.status <> 'withdrawn') x;

	FOR i IN 1 .. v_top LOOP
		v_thresholds := v_thresholds || jsonb_build_array(jsonb_build_object(
			'level', v_levels[i], 'label', v_labels[i], 'min_score', v_mins[i]));
	END LOOP;
	v_expl := jsonb_build_object('customer_id', p_customer, 'scheme', c.scheme,
		'config_version', c.config_version, 'at', p_now, 'in_scope', v_in_scope,
		'signals', v_signals, 'severity', v_severity, 'open_categories', v_ncats,
		'breadth_step', c.breadth_step, 'difficulty_factor', v_difficulty,
		'tier', CASE WHEN v_tier_known THEN v_tier END, 'tier_factor', v_tier_factor,
		'score', v_score, 'thresholds', v_thresholds, 'score_level', v_raw,
		'hysteresis', jsonb_build_object('previous_level', v_prev, 'margin', c.hysteresis,
			'held', v_held, 'level', v_score_level),
		'floor_level', v_floor, 'floor_signal', v_floor_signal, 'tier_raise', v_tier_raise,
		'top_level', v_top, 'level', v_level);

	IF v_event IS NOT NULL THEN
		v_detail := jsonb_build_object('score', v_score);
		IF p_signal_id <> 0 THEN
			v_detail := v_detail || jsonb_build_object('signal_id', p_signal_id);
		END IF;
		IF v_have_warning AND w.level > 0 THEN
			v_detail := v_detail || jsonb_build_object('confirmed_level', w.level);
		END IF;
		INSERT INTO churnwarn.warning_event (warning_id, customer_id, at, event, actor,
				from_level, to_level, detail)
		VALUES (v_warning_id, p_customer, p_now, v_event,
				coalesce(nullif(current_setting('churnwarn.actor', true), ''), session_user),
				CASE WHEN v_have_warning THEN w.proposed_level ELSE v_prev END, v_level, v_detail);
	END IF;
	INSERT INTO churnwarn.grade_history (customer_id, at, from_level, to_level, score,
			config_version, warning_id, signal_id, explanation)
	VALUES (p_customer, p_now, v_prev, v_level, v_score, c.config_version, v_warning_id,
			nullif(p_signal_id, 0), v_expl);
	PERFORM pg_notify('churnwarn', json_build_object('customer_id', p_customer,
		'event', coalesce(v_event, CASE WHEN v_level > v_prev THEN 'escalated' ELSE 'deescalated' END),
		'from_level', v_prev, 'to_level', v_level, 'score', v_score,
		'warning_id', v_warning_id)::text);
	RETURN v_level;
END $$;

CREATE FUNCTION bench.twin_signal_trigger() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_now timestamptz := bench.twin_now();
BEGIN
	PERFORM bench.twin_regrade(NEW.customer_id, NEW.id, v_now);
	IF TG_OP = 'UPDATE' AND OLD.customer_id <> NEW.customer_id THEN
		PERFORM bench.twin_regrade(OLD.customer_id, 0, v_now);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER signal_grade_twin AFTER INSERT OR UPDATE ON bench.signal_twin
	FOR EACH ROW EXECUTE FUNCTION bench.twin_signal_trigger();

/*
 * The twin's signal rows are audited like churnwarn.signal's (the same C
 * audit trigger), so that W4 compares the grading, not the audit.
 */
SELECT churnwarn.audit_table('bench.signal_twin');
