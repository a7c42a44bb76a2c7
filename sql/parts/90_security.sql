/*
 * 90_security.sql - the customer's file, its access register, roles,
 * row-level security, erasure and retention.
 *
 * Runs after every other part, so that the generic mechanisms below see
 * every churnwarn table: anything keyed by customer_id is covered by the
 * dossier, the partner policies, the grants of setup_roles(), forget() and
 * purge_expired() without being named here.  What is personal data is
 * declared as rows of churnwarn.personal_column.
 *
 * Privilege model (details in README, "Security model"):
 *	- admin, staff and auditor read the tables; every table with a
 *	  customer_id has row-level security (apply_row_security: one
 *	  permissive policy for everyone, one restrictive policy that binds
 *	  readers with the privileges of churnwarn_partner).
 *	- partners read the customer tables without their personal columns
 *	  (column privileges), under the restrictive policy, plus customer_risk
 *	  and the dossier, both masked and restricted to their customers.
 *	- BI reads the review views only.  Those views (and their building
 *	  blocks) run with their owner's rights, since a view that runs as the
 *	  invoker needs the invoker to read the raw personal columns; they mask
 *	  personal columns for masked readers themselves, and none of them is
 *	  granted to partners except customer_risk, which applies the partner
 *	  restriction itself.
 *	- The grading triggers write warning, warning_event, grade_history and
 *	  customer_grade as the invoking user, so staff hold INSERT (and UPDATE
 *	  where the workflow updates) on them.  The trigger functions are not
 *	  SECURITY DEFINER: fmgr's definer wrapper with its SET search_path
 *	  costs a GUC save and restore on every row (performance.md), and the
 *	  audit writer already switches to the log's owner in C.
 */

/* Retention (Art. 21: at least five years after closure). */
ALTER TABLE churnwarn.settings
	ADD COLUMN retention interval NOT NULL DEFAULT '5 years'
		CONSTRAINT settings_retention_min CHECK (retention OPERATOR(pg_catalog.>=) interval '5 years');
COMMENT ON COLUMN churnwarn.settings.retention IS
	'How long a customer''s file is kept after closure (termination, every warning closed) before churnwarn.purge_expired() may remove it; at least 5 years (Art. 21).';

/*
 * The registry of personal data: what forget() pseudonymizes and what the
 * dossier masks for partners; setup_roles() withholds these columns from
 * partners.  Shipped rows describe churnwarn's own tables; a row of your
 * own (shipped = false) for the same column wins and is kept by pg_dump.
 */
CREATE TABLE churnwarn.personal_column (
	table_name	name NOT NULL,
	column_name	name NOT NULL,
	how			text NOT NULL
		CONSTRAINT personal_column_how_valid CHECK (how IN ('pseudonym', 'redact', 'null')),
	description	text,
	shipped		boolean NOT NULL DEFAULT false,
	CONSTRAINT personal_column_pkey PRIMARY KEY (table_name, column_name, shipped)
);
COMMENT ON TABLE churnwarn.personal_column IS
	'Registry of personal data in churnwarn tables (table in schema churnwarn, column): forget() erases them, the dossier masks them for partners, setup_roles() withholds them from partners. Add a row for every personal column of a new table.';
COMMENT ON COLUMN churnwarn.personal_column.table_name IS 'Table in schema churnwarn.';
COMMENT ON COLUMN churnwarn.personal_column.column_name IS 'Column holding personal data (text, text[] or jsonb).';
COMMENT ON COLUMN churnwarn.personal_column.how IS
	'What forget() writes: pseudonym (erased- and 10 hex digits, the same for equal values within one erasure, so counts per person still add up), redact ([erased]; a JSON object becomes {"erased": true}) or null.';
COMMENT ON COLUMN churnwarn.personal_column.description IS 'What the column holds.';
COMMENT ON COLUMN churnwarn.personal_column.shipped IS
	'True for rows installed by churnwarn (read-only, not dumped); a row of your own for the same column wins.';
INSERT INTO churnwarn.personal_column (table_name, column_name, how, description, shipped) VALUES
	('customer', 'name', 'pseudonym', 'customer name (a person, for individual customers)', true),
	('customer', 'contact', 'pseudonym', 'contact person at the customer', true),
	('customer', 'owner', 'pseudonym', 'account owner on our side', true),
	('signal', 'reported_by', 'pseudonym', 'who reported the signal', true),
	('signal', 'detail', 'redact', 'free detail of the signal', true),
	('signal', 'closed_note', 'redact', 'note given when resolved or withdrawn', true),
	('warning', 'owner', 'pseudonym', 'responsible person', true),
	('warning_event', 'actor', 'pseudonym', 'who took the step', true),
	('warning_event', 'detail', 'redact', 'details of the step', true),
	('suggestion', 'person', 'pseudonym', 'author of the suggestion', true),
	('suggestion', 'title', 'redact', 'what was suggested (free text)', true),
	('access_register', 'purpose', 'redact', 'purpose given for reading the file (free text)', true),
	('warning_assessment', 'assessor', 'pseudonym', 'who assessed the warning', true),
	('warning_assessment', 'note', 'redact', 'assessment note (free text)', true),
	('warning_approval', 'approver', 'pseudonym', 'who approved the level', true),
	('warning_plan', 'plan', 'redact', 'the recovery plan: goal, measures, responsible people, milestones', true),
	('warning_plan', 'submitted_by', 'pseudonym', 'who submitted the plan', true),
	('warning_plan', 'approved_by', 'pseudonym', 'who approved the plan', true),
	('warning_progress', 'actor', 'pseudonym', 'who reported progress', true),
	('warning_progress', 'note', 'redact', 'progress note (free text)', true),
	('warning_communication', 'participants', 'pseudonym', 'people in the conversation', true),
	('warning_communication', 'summary', 'redact', 'what was said (free text)', true),
	('warning_communication', 'actor', 'pseudonym', 'who recorded the conversation', true),
	('warning_evaluation', 'actor', 'pseudonym', 'who evaluated the recovery', true),
	('warning_evaluation', 'note', 'redact', 'evaluation note (free text)', true),
	('warning_revisit', 'done_by', 'pseudonym', 'who made the follow-up visit', true),
	('warning_revisit', 'note', 'redact', 'note of the follow-up visit (free text)', true),
	('warning_postmortem', 'actor', 'pseudonym', 'who wrote the post-mortem', true),
	('warning_postmortem', 'root_cause', 'redact', 'root cause (free text)', true),
	('warning_postmortem', 'lessons', 'redact', 'lessons learned (free text)', true),
	('warning_postmortem', 'actions', 'redact', 'actions decided (free text)', true);
SELECT pg_catalog.pg_extension_config_dump('churnwarn.personal_column', 'WHERE NOT shipped');

CREATE FUNCTION churnwarn.personal_column_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF OLD.shipped THEN
		RAISE EXCEPTION 'cannot change a shipped row of churnwarn.personal_column'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Shipped rows are not dumped, so an edit would be lost by a dump and restore.',
				  HINT = 'Insert a row of your own (shipped = false) for the same column; it wins.';
	END IF;
	RETURN CASE WHEN TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN OLD ELSE NEW END;
END
$$;
REVOKE EXECUTE ON FUNCTION churnwarn.personal_column_guard() FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.personal_column_guard() IS
	'Trigger: shipped rows of churnwarn.personal_column are read-only.';
CREATE TRIGGER personal_column_guard BEFORE UPDATE OR DELETE ON churnwarn.personal_column
	FOR EACH ROW EXECUTE FUNCTION churnwarn.personal_column_guard();
COMMENT ON TRIGGER personal_column_guard ON churnwarn.personal_column IS
	'Refuses changes to shipped rows.';

CREATE FUNCTION churnwarn.personal_columns()
RETURNS TABLE (table_name name, column_name name, how text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT DISTINCT ON (p.table_name, p.column_name) p.table_name, p.column_name, p.how
	FROM churnwarn.personal_column p
	JOIN pg_catalog.pg_class c ON c.relname OPERATOR(pg_catalog.=) p.table_name
	JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
		AND n.nspname OPERATOR(pg_catalog.=) 'churnwarn'
	JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid
		AND a.attname OPERATOR(pg_catalog.=) p.column_name AND NOT a.attisdropped
	ORDER BY p.table_name, p.column_name, p.shipped;
END;
REVOKE EXECUTE ON FUNCTION churnwarn.personal_columns() FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.personal_columns() IS
	'Internal: the registry as it applies (your rows over shipped ones), limited to columns that exist.';

/*
 * The access register (Art. 22): every reading of a customer's file.
 * Append-only; the only change allowed is forget() redacting the purpose.
 * No foreign key: the register outlives a purged customer.
 */
CREATE SEQUENCE churnwarn.access_register_id_seq AS bigint;
CREATE TABLE churnwarn.access_register (
	id			bigint NOT NULL DEFAULT pg_catalog.nextval('churnwarn.access_register_id_seq'),
	at			timestamptz NOT NULL,
	customer_id	text NOT NULL,
	who			text NOT NULL,
	reader		name NOT NULL,
	action		text NOT NULL DEFAULT 'read'
		CONSTRAINT access_register_action_valid CHECK (action IN ('read', 'erasure')),
	purpose		text,
	masked		boolean NOT NULL,
	CONSTRAINT access_register_pkey PRIMARY KEY (id)
);
ALTER SEQUENCE churnwarn.access_register_id_seq OWNED BY churnwarn.access_register.id;
CREATE INDEX access_register_customer_idx ON churnwarn.access_register (customer_id, id);
SELECT pg_catalog.pg_extension_config_dump('churnwarn.access_register', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.access_register_id_seq', '');
COMMENT ON TABLE churnwarn.access_register IS
	'Access register of the customer files (一户一档, Art. 22): one row per call of churnwarn.dossier() and per erasure; append-only and audited.';
COMMENT ON COLUMN churnwarn.access_register.id IS 'Row id.';
COMMENT ON COLUMN churnwarn.access_register.at IS 'When the file was read (churnwarn.now()).';
COMMENT ON COLUMN churnwarn.access_register.customer_id IS 'Customer whose file was read.';
COMMENT ON COLUMN churnwarn.access_register.who IS 'The churnwarn.actor setting, else the session user.';
COMMENT ON COLUMN churnwarn.access_register.reader IS 'Role the file was read as (SET ROLE, else the session user): decides masking and restriction.';
COMMENT ON COLUMN churnwarn.access_register.action IS 'read (churnwarn.dossier) or erasure (churnwarn.forget; the reason is in the audit log''s ERASE row).';
COMMENT ON COLUMN churnwarn.access_register.purpose IS 'Purpose given by the reader; [erased] after churnwarn.forget().';
COMMENT ON COLUMN churnwarn.access_register.masked IS 'Whether personal data were masked in the copy handed out.';
COMMENT ON SEQUENCE churnwarn.access_register_id_seq IS 'Identifiers of churnwarn.access_register rows.';
REVOKE ALL ON churnwarn.access_register, churnwarn.access_register_id_seq FROM PUBLIC;

/* forget()'s replacement for a personal value; values already erased stay. */
CREATE FUNCTION churnwarn.erase_value(value text, how text, salt bytea)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE
		WHEN value IS NULL OR how OPERATOR(pg_catalog.=) 'null' THEN NULL
		WHEN value OPERATOR(pg_catalog.~) '^erased-[0-9a-f]{10}$' OR value OPERATOR(pg_catalog.=) '[erased]' THEN value
		WHEN how OPERATOR(pg_catalog.=) 'pseudonym' THEN 'erased-' OPERATOR(pg_catalog.||)
			pg_catalog.left(pg_catalog.encode(pg_catalog.sha256(salt OPERATOR(pg_catalog.||)
				pg_catalog.convert_to(value, 'UTF8')), 'hex'), 10)
		ELSE '[erased]' END;
END;
REVOKE EXECUTE ON FUNCTION churnwarn.erase_value(text, text, bytea) FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.erase_value(text, text, bytea) IS
	'Internal, for forget(): the erased form of a text value (see personal_column.how); the salt is random per erasure and discarded, so the pseudonyms cannot be reversed.';

CREATE FUNCTION churnwarn.erase_value(value jsonb, how text, salt bytea)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE
		WHEN value IS NULL OR how OPERATOR(pg_catalog.=) 'null' THEN NULL
		WHEN value OPERATOR(pg_catalog.=) '{"erased": true}'::jsonb
			OR value OPERATOR(pg_catalog.=) '"[erased]"'::jsonb THEN value
		WHEN pg_catalog.jsonb_typeof(value) OPERATOR(pg_catalog.=) 'object' THEN '{"erased": true}'::jsonb
		ELSE '"[erased]"'::jsonb END;
END;
REVOKE EXECUTE ON FUNCTION churnwarn.erase_value(jsonb, text, bytea) FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.erase_value(jsonb, text, bytea) IS
	'Internal, for forget(): the erased form of a JSON value (an object becomes {"erased": true}, anything else "[erased]").';

CREATE FUNCTION churnwarn.erase_value(value text[], how text, salt bytea)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE
		WHEN value IS NULL OR how OPERATOR(pg_catalog.=) 'null' THEN NULL
		ELSE ARRAY(SELECT churnwarn.erase_value(u.e, how, salt)
				   FROM pg_catalog.unnest(value) WITH ORDINALITY AS u(e, i) ORDER BY u.i) END;
END;
REVOKE EXECUTE ON FUNCTION churnwarn.erase_value(text[], text, bytea) FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.erase_value(text[], text, bytea) IS
	'Internal, for forget(): the erased form of a text array (each element erased).';

CREATE FUNCTION churnwarn.access_register_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE'
		AND NEW.purpose IS NOT DISTINCT FROM churnwarn.erase_value(OLD.purpose, 'redact', NULL)
		AND (NEW.id, NEW.at, NEW.customer_id, NEW.who, NEW.reader, NEW.action, NEW.masked)
			IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.customer_id, OLD.who, OLD.reader, OLD.action, OLD.masked) THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'the access register is append-only'
		USING ERRCODE = 'object_not_in_prerequisite_state',
			  DETAIL = 'Table "churnwarn.access_register" takes new rows only; the one change allowed is the erasure of a purpose.';
END
$$;
REVOKE EXECUTE ON FUNCTION churnwarn.access_register_guard() FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.access_register_guard() IS
	'Trigger: the access register is append-only; an UPDATE may only redact the purpose (churnwarn.forget()).';
CREATE TRIGGER access_register_append_only BEFORE UPDATE OR DELETE ON churnwarn.access_register
	FOR EACH ROW EXECUTE FUNCTION churnwarn.access_register_guard();
COMMENT ON TRIGGER access_register_append_only ON churnwarn.access_register IS
	'Refuses UPDATE (except the redaction of a purpose) and DELETE.';
CREATE TRIGGER access_register_no_truncate BEFORE TRUNCATE ON churnwarn.access_register
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.access_register_guard();
COMMENT ON TRIGGER access_register_no_truncate ON churnwarn.access_register IS
	'Refuses TRUNCATE.';

/* A row image with its registered personal columns masked. */
CREATE FUNCTION churnwarn.mask_row(table_name name, r jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	col record;
	v jsonb;
BEGIN
	FOR col IN SELECT p.column_name, p.how FROM churnwarn.personal_columns() p
			   WHERE p.table_name OPERATOR(pg_catalog.=) mask_row.table_name
	LOOP
		v := r OPERATOR(pg_catalog.->) col.column_name::text;
		CONTINUE WHEN v IS NULL OR jsonb_typeof(v) OPERATOR(pg_catalog.=) 'null';
		r := jsonb_set(r, ARRAY[col.column_name::text], CASE
			WHEN col.how OPERATOR(pg_catalog.<>) 'pseudonym' THEN '"[masked]"'::jsonb
			ELSE CASE jsonb_typeof(v)
			WHEN 'string' THEN to_jsonb(churnwarn.mask_personal(v OPERATOR(pg_catalog.#>>) '{}'))
			WHEN 'array' THEN (SELECT jsonb_agg(CASE WHEN jsonb_typeof(e.x) OPERATOR(pg_catalog.=) 'string'
					THEN to_jsonb(churnwarn.mask_personal(e.x OPERATOR(pg_catalog.#>>) '{}'))
					ELSE '"[masked]"'::jsonb END ORDER BY e.i)
				FROM jsonb_array_elements(v) WITH ORDINALITY AS e(x, i))
			ELSE '"[masked]"'::jsonb END END);
	END LOOP;
	RETURN r;
END
$$;
REVOKE EXECUTE ON FUNCTION churnwarn.mask_row(name, jsonb) FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.mask_row(name, jsonb) IS
	'Internal, for dossier(): a row image (to_jsonb of a row of the table) with its personal columns masked: pseudonym columns by churnwarn.mask_personal (each string, or each string of an array), the others by "[masked]".';

/*
 * dossier: the whole file of one customer, and its register row.
 *
 * SECURITY DEFINER because readers who may not read the raw personal
 * columns (partners) get a masked copy, and because the register takes no
 * writes from its readers.  The reader that decides masking and restriction
 * is the session's role (SET ROLE, else the session user): inside a
 * SECURITY DEFINER function current_user is the owner.
 */
CREATE FUNCTION churnwarn.dossier(customer_id text, purpose text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	cid text := dossier.customer_id;
	reader name := COALESCE(NULLIF(current_setting('role'), 'none'), session_user)::name;
	masked boolean;
	doc jsonb;
	part jsonb;
	t record;
BEGIN
	IF cid IS NULL THEN
		RAISE EXCEPTION 'customer key must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	masked := churnwarn.is_masked(reader);
	-- A partner cannot tell a customer not assigned to it from one that does not exist.
	IF NOT EXISTS (SELECT FROM churnwarn.customer c WHERE c.customer_id OPERATOR(pg_catalog.=) cid)
		OR (churnwarn.is_restricted(reader) AND NOT EXISTS (
			SELECT FROM churnwarn.partner_assignment a
			JOIN pg_catalog.pg_roles r ON r.rolname OPERATOR(pg_catalog.=) a.partner
			WHERE a.customer_id OPERATOR(pg_catalog.=) cid
				AND pg_catalog.pg_has_role(reader, r.oid, 'USAGE'))) THEN
		RAISE EXCEPTION 'customer "%" does not exist', cid USING ERRCODE = 'no_data_found';
	END IF;

	INSERT INTO churnwarn.access_register (at, customer_id, who, reader, purpose, masked)
	VALUES (churnwarn.now(), cid,
		COALESCE(NULLIF(current_setting('churnwarn.actor', true), ''), session_user),
		reader, dossier.purpose, masked);

	SELECT to_jsonb(c) INTO part FROM churnwarn.customer c WHERE c.customer_id OPERATOR(pg_catalog.=) cid;
	doc := jsonb_build_object('customer_id', cid, 'generated_at', churnwarn.now(), 'masked', masked,
		'customer', CASE WHEN masked THEN churnwarn.mask_row('customer', part) ELSE part END,
		'grade', (SELECT to_jsonb(g) OPERATOR(pg_catalog.-) 'customer_id' FROM churnwarn.customer_grade g
				  WHERE g.customer_id OPERATOR(pg_catalog.=) cid));
	doc := doc OPERATOR(pg_catalog.||) jsonb_build_object(
		'signals', (SELECT COALESCE(jsonb_agg(CASE WHEN masked THEN churnwarn.mask_row('signal', to_jsonb(s))
				ELSE to_jsonb(s) END ORDER BY s.id), '[]')
			FROM churnwarn.signal s WHERE s.customer_id OPERATOR(pg_catalog.=) cid),
		'warnings', (SELECT COALESCE(jsonb_agg((CASE WHEN masked THEN churnwarn.mask_row('warning', to_jsonb(w))
				ELSE to_jsonb(w) END) OPERATOR(pg_catalog.||) jsonb_build_object('events',
					(SELECT COALESCE(jsonb_agg(CASE WHEN masked THEN churnwarn.mask_row('warning_event', to_jsonb(e))
						ELSE to_jsonb(e) END ORDER BY e.id), '[]')
					 FROM churnwarn.warning_event e WHERE e.warning_id OPERATOR(pg_catalog.=) w.id))
				ORDER BY w.id), '[]')
			FROM churnwarn.warning w WHERE w.customer_id OPERATOR(pg_catalog.=) cid),
		'grade_history', (SELECT COALESCE(jsonb_agg(CASE WHEN masked THEN churnwarn.mask_row('grade_history', to_jsonb(h))
				ELSE to_jsonb(h) END ORDER BY h.id), '[]')
			FROM churnwarn.grade_history h WHERE h.customer_id OPERATOR(pg_catalog.=) cid));

	-- Every other table keyed by customer, by name, each in primary key order.
	FOR t IN
		SELECT c.relname,
			(SELECT string_agg(format('x.%I', a.attname), ', ' ORDER BY k.ord)
			 FROM pg_catalog.pg_index i
			 CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
			 JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid
				AND a.attnum OPERATOR(pg_catalog.=) k.attnum
			 WHERE i.indrelid OPERATOR(pg_catalog.=) c.oid AND i.indisprimary) AS pk
		FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
		WHERE n.nspname OPERATOR(pg_catalog.=) 'churnwarn' AND c.relkind IN ('r', 'p')
			AND EXISTS (SELECT FROM pg_catalog.pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid
				AND a.attname OPERATOR(pg_catalog.=) 'customer_id' AND NOT a.attisdropped)
			AND c.relname OPERATOR(pg_catalog.<>) ALL (ARRAY['customer', 'customer_grade', 'signal',
				'warning', 'warning_event', 'grade_history', 'audit_log', 'audit_chain',
				'access_register', 'partner_assignment']::name[])
		ORDER BY c.relname
	LOOP
		EXECUTE format('SELECT COALESCE(pg_catalog.jsonb_agg(CASE WHEN $2 THEN churnwarn.mask_row(%L, pg_catalog.to_jsonb(x))'
			' ELSE pg_catalog.to_jsonb(x) END ORDER BY %s), ''[]'') FROM churnwarn.%I x'
			' WHERE x.customer_id OPERATOR(pg_catalog.=) $1',
			t.relname, COALESCE(t.pk, 'pg_catalog.to_jsonb(x)::text'), t.relname)
			INTO part USING cid, masked;
		doc := doc OPERATOR(pg_catalog.||) jsonb_build_object(t.relname, part);
	END LOOP;

	-- Who else read the file: for unmasked readers only.
	IF NOT masked THEN
		doc := doc OPERATOR(pg_catalog.||) jsonb_build_object('access_register',
			(SELECT jsonb_agg(to_jsonb(ar) OPERATOR(pg_catalog.-) 'customer_id' ORDER BY ar.id)
			 FROM churnwarn.access_register ar WHERE ar.customer_id OPERATOR(pg_catalog.=) cid));
	END IF;
	RETURN doc;
END
$$;
REVOKE EXECUTE ON FUNCTION churnwarn.dossier(text, text) FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.dossier(text, text) IS
	'The customer''s whole file (一户一档) as JSON: the customer, its grade, signals, warnings with their events, grade history, every other table keyed by customer, and (unmasked readers) the access register. Every call is recorded in churnwarn.access_register with the purpose. Partners get their assigned customers only, with personal data masked.';

/*
 * pseudonymize(customer_id): replace every registered personal value of
 * one customer, in every table keyed by customer, by its erased form.
 */
CREATE FUNCTION churnwarn.pseudonymize(customer_id text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	salt bytea := sha256(convert_to(gen_random_uuid()::text OPERATOR(pg_catalog.||) gen_random_uuid()::text, 'UTF8'));
	t record;
	sets text;
	conds text;
	n bigint;
	total bigint := 0;
BEGIN
	FOR t IN
		SELECT p.table_name, array_agg(p.column_name ORDER BY p.column_name) AS cols,
			array_agg(p.how ORDER BY p.column_name) AS hows
		FROM churnwarn.personal_columns() p
		WHERE EXISTS (SELECT FROM pg_catalog.pg_attribute a
			WHERE a.attrelid OPERATOR(pg_catalog.=) format('churnwarn.%I', p.table_name)::regclass
				AND a.attname OPERATOR(pg_catalog.=) 'customer_id' AND NOT a.attisdropped)
		GROUP BY p.table_name
		ORDER BY p.table_name
	LOOP
		SELECT string_agg(format('%I = churnwarn.erase_value(%I, %L, $2)', u.c, u.c, u.h), ', '),
			string_agg(format('%I IS DISTINCT FROM churnwarn.erase_value(%I, %L, $2)', u.c, u.c, u.h), ' OR ')
		INTO sets, conds
		FROM unnest(t.cols, t.hows) AS u(c, h);
		EXECUTE format('UPDATE churnwarn.%I SET %s WHERE customer_id OPERATOR(pg_catalog.=) $1 AND (%s)',
			t.table_name, sets, conds) USING pseudonymize.customer_id, salt;
		GET DIAGNOSTICS n = ROW_COUNT;
		total := total OPERATOR(pg_catalog.+) n;
	END LOOP;
	RETURN total;
END
$$;
REVOKE EXECUTE ON FUNCTION churnwarn.pseudonymize(text) FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.pseudonymize(text) IS
	'Internal, for forget() and purge_expired(): replaces the customer''s registered personal values (churnwarn.personal_column) in every table keyed by customer with their erased forms; returns the number of rows changed.';

/*
 * forget(customer_id, reason): erasure under GDPR, CCPA and PIPL.
 *
 * The rows stay (the statistics keep their counts), their personal values
 * are replaced; the customer key stays as the pseudonymous identifier it is
 * (the audit chain hashes it).  Then the audit images of the customer's
 * chain, which still hold the old values, are removed by audit_erase(),
 * which appends the ERASE row with the reason.
 */
CREATE FUNCTION churnwarn.forget(customer_id text, reason text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	cid text := forget.customer_id;
	hold boolean;
	changed bigint;
	erased bigint;
BEGIN
	IF cid IS NULL THEN
		RAISE EXCEPTION 'customer key must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF reason IS NULL THEN
		RAISE EXCEPTION 'reason for the erasure must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF btrim(reason) OPERATOR(pg_catalog.=) '' THEN
		RAISE EXCEPTION 'reason for the erasure must not be empty' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Give the request''s reference, for example "GDPR art. 17 request 2026-014".';
	END IF;
	SELECT c.legal_hold INTO hold FROM churnwarn.customer c
	WHERE c.customer_id OPERATOR(pg_catalog.=) cid FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'customer "%" does not exist', cid USING ERRCODE = 'no_data_found';
	END IF;
	IF hold THEN
		RAISE EXCEPTION 'cannot erase customer "%" under legal hold', cid
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'A file under legal hold must be kept unchanged; nothing was erased.',
				  HINT = 'Clear churnwarn.customer.legal_hold once the hold is lifted, then erase.';
	END IF;

	changed := churnwarn.pseudonymize(cid);
	INSERT INTO churnwarn.access_register (at, customer_id, who, reader, action, masked)
	VALUES (churnwarn.now(), cid,
		COALESCE(NULLIF(current_setting('churnwarn.actor', true), ''), session_user),
		COALESCE(NULLIF(current_setting('role'), 'none'), session_user)::name,
		'erasure', false);
	-- Last: it also removes the images of the changes made just above.
	erased := churnwarn.audit_erase(cid, reason);
	RETURN jsonb_build_object('customer_id', cid, 'rows_pseudonymized', changed,
		'audit_rows_erased', erased);
END
$$;
REVOKE EXECUTE ON FUNCTION churnwarn.forget(text, text) FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.forget(text, text) IS
	'Erasure (GDPR art. 17, CCPA, PIPL art. 47): replaces every registered personal value of the customer in every churnwarn table by a pseudonym or [erased], removes the row images of its audit chain (the chain still verifies) and records the erasure in the audit log and the access register. Rows and the customer key stay, so statistics keep their counts. Refused for a customer under legal hold.';

/*
 * purge_expired(as_of): retention.  A customer's file may go once the
 * customer was terminated and every warning closed more than
 * settings.retention (at least 5 years) before as_of, unless the customer
 * is core, under legal hold, or a major churn case (a failed recovery at a
 * level of at least major severity): those are kept indefinitely.
 *
 * The business rows are deleted (DELETE, so every deletion leaves its audit
 * row); the audit rows stay, since removing them would break the chain,
 * and lose their row images (audit_erase, with the reason); the access
 * register stays with its purposes redacted.
 */
CREATE FUNCTION churnwarn.purge_expired(as_of date DEFAULT CURRENT_DATE)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	cutoff timestamptz;
	ids text[];
	tabs name[];
	t name;
	cid text;
BEGIN
	IF as_of IS NULL THEN
		RAISE EXCEPTION 'as_of must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT (as_of OPERATOR(pg_catalog.-) s.retention)::timestamptz INTO cutoff FROM churnwarn.settings s;

	SELECT array_agg(x.customer_id ORDER BY x.customer_id) INTO ids
	FROM (SELECT c.customer_id
		  FROM churnwarn.customer c
		  JOIN churnwarn.tier tr ON tr.tier OPERATOR(pg_catalog.=) c.tier
		  WHERE c.status OPERATOR(pg_catalog.=) 'terminated'
			AND c.terminated_at OPERATOR(pg_catalog.<=) cutoff
			AND NOT c.legal_hold
			AND tr.rank OPERATOR(pg_catalog.<) (SELECT k.rank FROM churnwarn.tier k WHERE k.tier OPERATOR(pg_catalog.=) 'core')
			AND NOT EXISTS (SELECT FROM churnwarn.warning w
				WHERE w.customer_id OPERATOR(pg_catalog.=) c.customer_id
					AND (w.status OPERATOR(pg_catalog.<>) ALL ('{closed,dismissed}'::text[])
						OR w.closed_at IS NULL OR w.closed_at OPERATOR(pg_catalog.>) cutoff
						OR (w.outcome OPERATOR(pg_catalog.=) 'failure'
							AND COALESCE(w.level, w.proposed_level) OPERATOR(pg_catalog.>=) (
								SELECT min(l.level) FROM churnwarn.scheme_level l
								JOIN churnwarn.severity v ON v.severity OPERATOR(pg_catalog.=) l.severity
								WHERE l.scheme OPERATOR(pg_catalog.=) w.scheme
									AND v.rank OPERATOR(pg_catalog.>=) (SELECT m.rank FROM churnwarn.severity m
										WHERE m.severity OPERATOR(pg_catalog.=) 'major')))))
		  FOR UPDATE OF c) x;
	IF ids IS NULL THEN
		RETURN 0;
	END IF;

	-- Every table keyed by customer but the logs, referencing tables first.
	tabs := ARRAY(
		SELECT c.relname FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
		WHERE n.nspname OPERATOR(pg_catalog.=) 'churnwarn' AND c.relkind IN ('r', 'p')
			AND EXISTS (SELECT FROM pg_catalog.pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid
				AND a.attname OPERATOR(pg_catalog.=) 'customer_id' AND NOT a.attisdropped)
			AND c.relname OPERATOR(pg_catalog.<>) ALL ('{audit_log,audit_chain,access_register}'::name[]));
	WHILE cardinality(tabs) OPERATOR(pg_catalog.>) 0 LOOP
		t := NULL;
		SELECT u.x INTO t FROM unnest(tabs) AS u(x)
		WHERE NOT EXISTS (
			SELECT FROM pg_catalog.pg_constraint k
			JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) k.conrelid
			WHERE k.contype OPERATOR(pg_catalog.=) 'f'
				AND k.confrelid OPERATOR(pg_catalog.=) format('churnwarn.%I', u.x)::regclass
				AND k.conrelid OPERATOR(pg_catalog.<>) k.confrelid
				AND r.relnamespace OPERATOR(pg_catalog.=) 'churnwarn'::regnamespace
				AND r.relname OPERATOR(pg_catalog.=) ANY (tabs))
		ORDER BY u.x LIMIT 1;
		IF t IS NULL THEN
			RAISE EXCEPTION 'could not order the deletions: foreign keys of tables % form a cycle', tabs
				USING ERRCODE = 'object_not_in_prerequisite_state';
		END IF;
		EXECUTE format('DELETE FROM churnwarn.%I WHERE customer_id OPERATOR(pg_catalog.=) ANY ($1)', t) USING ids;
		tabs := array_remove(tabs, t);
	END LOOP;

	FOREACH cid IN ARRAY ids LOOP
		PERFORM churnwarn.pseudonymize(cid);
		PERFORM churnwarn.audit_erase(cid, format('retention expired (churnwarn.purge_expired as of %s)', to_char(as_of, 'YYYY-MM-DD')));
	END LOOP;
	RETURN cardinality(ids);
END
$$;
REVOKE EXECUTE ON FUNCTION churnwarn.purge_expired(date) FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.purge_expired(date) IS
	'Retention (Art. 21): deletes the files of customers terminated, with every warning closed, more than settings.retention (at least 5 years) before as_of, except core customers, customers under legal hold and major churn cases (a failed recovery at major level or above), which are kept indefinitely. Every deletion is audited; the audit rows stay with their images erased, so verify_audit() still passes. Returns the number of customers purged.';

/*
 * apply_row_security(): row-level security on every table keyed by
 * customer.  One permissive policy lets every role through (the privileges
 * decide what it may do); a restrictive one limits readers with the
 * privileges of churnwarn_partner (churnwarn.is_restricted) to their
 * assigned customers.  Both apply TO PUBLIC and test the role at run time,
 * so they exist from CREATE EXTENSION on, need no role to exist, and come
 * back with the CREATE EXTENSION of a restore (pg_dump does not dump the
 * policies of an extension's tables).  FORCE, so that a table owner that
 * is not a superuser is bound too.  Creates what is missing: run at install
 * and by setup_roles(), and by upgrade scripts that add tables.
 */
CREATE FUNCTION churnwarn.apply_row_security()
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	rel record;
	created integer := 0;
BEGIN
	FOR rel IN
		SELECT c.oid::regclass AS tbl, c.relname
		FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
		WHERE n.nspname OPERATOR(pg_catalog.=) 'churnwarn' AND c.relkind IN ('r', 'p')
			AND EXISTS (SELECT FROM pg_catalog.pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid
				AND a.attname OPERATOR(pg_catalog.=) 'customer_id' AND NOT a.attisdropped)
		ORDER BY c.relname
	LOOP
		EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', rel.tbl);
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_policy p WHERE p.polrelid OPERATOR(pg_catalog.=) rel.tbl
					   AND p.polname OPERATOR(pg_catalog.=) 'churnwarn_rows') THEN
			EXECUTE format('CREATE POLICY churnwarn_rows ON %s AS PERMISSIVE FOR ALL TO PUBLIC'
				' USING (true) WITH CHECK (true)', rel.tbl);
			EXECUTE format('COMMENT ON POLICY churnwarn_rows ON %s IS %L', rel.tbl,
				'Every role passes; its privileges decide what it may do (churnwarn.setup_roles).');
			created := created OPERATOR(pg_catalog.+) 1;
		END IF;
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_policy p WHERE p.polrelid OPERATOR(pg_catalog.=) rel.tbl
					   AND p.polname OPERATOR(pg_catalog.=) 'churnwarn_partner_rows') THEN
			IF rel.relname OPERATOR(pg_catalog.=) 'partner_assignment' THEN
				EXECUTE format('CREATE POLICY churnwarn_partner_rows ON %s AS RESTRICTIVE FOR ALL'
					' TO PUBLIC USING (NOT churnwarn.is_restricted() OR EXISTS (SELECT FROM pg_catalog.pg_roles r'
					' WHERE r.rolname OPERATOR(pg_catalog.=) partner'
					' AND pg_catalog.pg_has_role(r.oid, ''USAGE'')))', rel.tbl);
				EXECUTE format('COMMENT ON POLICY churnwarn_partner_rows ON %s IS %L', rel.tbl,
					'A partner (churnwarn.is_restricted) sees its own assignments only.');
			ELSE
				EXECUTE format('CREATE POLICY churnwarn_partner_rows ON %s AS RESTRICTIVE FOR ALL'
					' TO PUBLIC USING (NOT churnwarn.is_restricted() OR customer_id OPERATOR(pg_catalog.=) ANY'
					' (ARRAY(SELECT churnwarn.assigned_customers())))', rel.tbl);
				EXECUTE format('COMMENT ON POLICY churnwarn_partner_rows ON %s IS %L', rel.tbl,
					'A partner (churnwarn.is_restricted) sees the customers assigned to it only (churnwarn.partner_assignment).');
			END IF;
			created := created OPERATOR(pg_catalog.+) 1;
		END IF;
	END LOOP;
	RETURN created;
END
$$;
REVOKE EXECUTE ON FUNCTION churnwarn.apply_row_security() FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.apply_row_security() IS
	'Internal, run at install and by setup_roles(): enables and forces row-level security on every churnwarn table with a customer_id and creates its policies (churnwarn_rows, churnwarn_partner_rows) if missing; returns the number of policies created.';

/*
 * setup_roles(): churnwarn's five roles and their privileges.  Generic over
 * the catalog, so that run again after an upgrade it covers new tables and
 * functions; idempotent.  Not SECURITY DEFINER: creating roles and granting
 * on churnwarn's objects takes a superuser (or the extension's owner with
 * CREATEROLE).
 */
CREATE FUNCTION churnwarn.setup_roles()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	roles CONSTANT name[] := '{churnwarn_admin,churnwarn_staff,churnwarn_auditor,churnwarn_partner,churnwarn_bi}';
	-- Functions staff may not run: configuration, closing periods, erasure, retention, audit checks.
	admin_only CONSTANT name[] := '{use_scheme,load_calendar,close_period,forget,purge_expired,verify_audit,watch,unwatch,add_rule,check_older_than,tick}';
	-- Functions nobody is granted: internals run by the owner or by SECURITY DEFINER functions.
	owner_only CONSTANT name[] := '{setup_roles,apply_row_security,audit_erase,audit_table,unaudit_table,pseudonymize,erase_value,mask_row,personal_columns}';
	-- Called inside views and policies: every role reading them needs them.
	shared CONSTANT name[] := '{mask_personal,is_masked,is_restricted,personal,assigned_customers}';
	-- What BI reads, and the functions those views call as the invoker.
	bi_views CONSTANT name[] := '{customer_risk,period_review,assessment,incentive_stats,period_corrections,tracking_ledger}';
	bi_functions CONSTANT name[] := '{now,periods_of,period_bounds}';
	-- Tables keyed by customer that are logs or access control, not the customer's data.
	not_data CONSTANT name[] := '{audit_log,audit_chain,access_register,partner_assignment}';
	-- Written once by the triggers and the workflow, never updated.
	append_only CONSTANT name[] := '{warning_event,grade_history,warning_assessment,warning_approval,warning_progress,warning_communication,warning_evaluation,warning_postmortem}';
	r name;
	rel record;
	fn record;
	cols text;
	created integer := 0;
	policies integer;
BEGIN
	FOREACH r IN ARRAY roles LOOP
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles x WHERE x.rolname OPERATOR(pg_catalog.=) r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r);
			created := created OPERATOR(pg_catalog.+) 1;
		END IF;
		EXECUTE format('GRANT USAGE ON SCHEMA churnwarn TO %I', r);
	END LOOP;

	FOR rel IN
		SELECT c.oid::regclass AS tbl, c.relname, c.relkind,
			EXISTS (SELECT FROM pg_catalog.pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid
				AND a.attname OPERATOR(pg_catalog.=) 'customer_id' AND NOT a.attisdropped) AS keyed
		FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
		WHERE n.nspname OPERATOR(pg_catalog.=) 'churnwarn' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
		ORDER BY c.relname
	LOOP
		IF rel.relkind OPERATOR(pg_catalog.=) 'S' THEN
			EXECUTE format('GRANT SELECT ON SEQUENCE %s TO churnwarn_auditor', rel.tbl);
			IF rel.relname OPERATOR(pg_catalog.<>) ALL ('{audit_log_id_seq,access_register_id_seq}'::name[]) THEN
				EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO churnwarn_admin, churnwarn_staff', rel.tbl);
			END IF;
			CONTINUE;
		END IF;
		IF rel.relkind IN ('v', 'm') THEN
			EXECUTE format('GRANT SELECT ON %s TO churnwarn_admin, churnwarn_staff, churnwarn_auditor', rel.tbl);
			IF rel.relname OPERATOR(pg_catalog.=) ANY (bi_views) THEN
				EXECUTE format('GRANT SELECT ON %s TO churnwarn_bi', rel.tbl);
			END IF;
			IF rel.relname OPERATOR(pg_catalog.=) 'customer_risk' THEN
				EXECUTE format('GRANT SELECT ON %s TO churnwarn_partner', rel.tbl);
			END IF;
			CONTINUE;
		END IF;
		CONTINUE WHEN rel.relname OPERATOR(pg_catalog.=) 'mask_key';
		EXECUTE format('GRANT SELECT ON %s TO churnwarn_auditor', rel.tbl);
		IF rel.relname OPERATOR(pg_catalog.=) ANY ('{audit_log,audit_chain,access_register}'::name[]) THEN
			EXECUTE format('GRANT SELECT ON %s TO churnwarn_admin', rel.tbl);
			CONTINUE;
		END IF;
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO churnwarn_admin', rel.tbl);
		EXECUTE format('GRANT SELECT ON %s TO churnwarn_staff', rel.tbl);
		IF rel.relname OPERATOR(pg_catalog.=) 'partner_assignment' THEN
			EXECUTE format('GRANT SELECT ON %s TO churnwarn_partner', rel.tbl);
		ELSIF rel.relname OPERATOR(pg_catalog.=) 'calendar' THEN
			EXECUTE format('GRANT SELECT ON %s TO churnwarn_bi', rel.tbl);
		ELSIF rel.keyed AND rel.relname OPERATOR(pg_catalog.<>) ALL (not_data) THEN
			EXECUTE format('GRANT INSERT ON %s TO churnwarn_staff', rel.tbl);
			IF rel.relname OPERATOR(pg_catalog.<>) ALL (append_only) THEN
				EXECUTE format('GRANT UPDATE ON %s TO churnwarn_staff', rel.tbl);
			END IF;
			-- Partners: every column but the registered personal ones.
			SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
			FROM pg_catalog.pg_attribute a
			WHERE a.attrelid OPERATOR(pg_catalog.=) rel.tbl AND a.attnum OPERATOR(pg_catalog.>) 0
				AND NOT a.attisdropped
				AND a.attname OPERATOR(pg_catalog.<>) ALL (ARRAY(SELECT p.column_name
					FROM churnwarn.personal_columns() p WHERE p.table_name OPERATOR(pg_catalog.=) rel.relname));
			EXECUTE format('GRANT SELECT (%s) ON %s TO churnwarn_partner', cols, rel.tbl);
			SELECT string_agg(quote_ident(p.column_name), ', ' ORDER BY p.column_name) INTO cols
			FROM churnwarn.personal_columns() p WHERE p.table_name OPERATOR(pg_catalog.=) rel.relname;
			IF cols IS NOT NULL THEN
				EXECUTE format('REVOKE SELECT (%s) ON %s FROM churnwarn_partner', cols, rel.tbl);
			END IF;
		END IF;
	END LOOP;

	FOR fn IN
		SELECT p.oid::regprocedure AS f, p.proname, p.provolatile,
			p.prorettype OPERATOR(pg_catalog.=) 'pg_catalog.trigger'::regtype AS is_trigger
		FROM pg_catalog.pg_proc p
		JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
		WHERE n.nspname OPERATOR(pg_catalog.=) 'churnwarn'
		ORDER BY 1
	LOOP
		CONTINUE WHEN fn.is_trigger OR fn.proname OPERATOR(pg_catalog.=) ANY (owner_only);
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO churnwarn_admin', fn.f);
		IF fn.proname OPERATOR(pg_catalog.=) ANY (shared) THEN
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO churnwarn_staff, churnwarn_auditor,'
				' churnwarn_partner, churnwarn_bi', fn.f);
			CONTINUE;
		END IF;
		IF fn.proname OPERATOR(pg_catalog.<>) ALL (admin_only) THEN
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO churnwarn_staff', fn.f);
		END IF;
		IF fn.provolatile OPERATOR(pg_catalog.<>) 'v' OR fn.proname OPERATOR(pg_catalog.=) 'dossier' THEN
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO churnwarn_auditor', fn.f);
		END IF;
		IF fn.proname OPERATOR(pg_catalog.=) 'dossier' THEN
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO churnwarn_partner', fn.f);
		END IF;
		IF fn.proname OPERATOR(pg_catalog.=) ANY (bi_functions) THEN
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO churnwarn_bi', fn.f);
		END IF;
	END LOOP;

	-- after a restore with session_replication_role = replica, where no
	-- event trigger ran: churnwarn's triggers on watched tables are tied to
	-- the extension again and the watch triggers get their column lists
	PERFORM churnwarn.watch_guard_partitions(w.tbl) FROM churnwarn.watched_table w;

	policies := churnwarn.apply_row_security();
	RETURN jsonb_build_object('roles_created', created, 'policies_created', policies);
END
$$;
REVOKE EXECUTE ON FUNCTION churnwarn.setup_roles() FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.setup_roles() IS
	'Creates (if missing, NOLOGIN) and grants churnwarn_admin, churnwarn_staff, churnwarn_auditor, churnwarn_partner and churnwarn_bi, and turns on row-level security with its policies on every table keyed by customer. Idempotent; run it again after upgrades and restores. Returns the number of roles and policies created.';

/*
 * The review views and their building blocks run with their owner's
 * rights: BI reads them without any privilege on the tables (a view that
 * runs as the invoker, or one nested inside it, needs the invoker to read
 * the raw personal columns).  They mask personal columns for masked
 * readers (churnwarn.personal) and are granted to admin, staff, auditor
 * and BI, never to partners: their figures cover every customer.
 * customer_risk (60_) applies the partner restriction itself.
 */
ALTER VIEW churnwarn.warning_facts SET (security_invoker = false);
ALTER VIEW churnwarn.customer_loss SET (security_invoker = false);
ALTER VIEW churnwarn.period_customer_base SET (security_invoker = false);
ALTER VIEW churnwarn.review_items SET (security_invoker = false);
ALTER VIEW churnwarn.period_review_live SET (security_invoker = false);
ALTER VIEW churnwarn.assessment_live SET (security_invoker = false);
ALTER VIEW churnwarn.incentive_items SET (security_invoker = false);
ALTER VIEW churnwarn.incentive_stats_live SET (security_invoker = false);
ALTER VIEW churnwarn.period_review SET (security_invoker = false);
ALTER VIEW churnwarn.assessment SET (security_invoker = false);
ALTER VIEW churnwarn.incentive_stats SET (security_invoker = false);
ALTER VIEW churnwarn.period_corrections SET (security_invoker = false);

/*
 * Restores run with session_replication_role = replica, so that no audit,
 * grading or guard trigger fires on restored rows (README, "Dump and
 * restore").  The guard that lets an edited shipped configuration row
 * replace the pristine one the restore's CREATE EXTENSION installed must
 * fire all the same.
 */
ALTER TABLE churnwarn.settings ENABLE ALWAYS TRIGGER config_row_guard;
ALTER TABLE churnwarn.scheme ENABLE ALWAYS TRIGGER config_row_guard;
ALTER TABLE churnwarn.scheme_level ENABLE ALWAYS TRIGGER config_row_guard;
ALTER TABLE churnwarn.severity ENABLE ALWAYS TRIGGER config_row_guard;
ALTER TABLE churnwarn.signal_type ENABLE ALWAYS TRIGGER config_row_guard;
ALTER TABLE churnwarn.tier ENABLE ALWAYS TRIGGER config_row_guard;

/* Row-level security on every table keyed by customer, as installed. */
SELECT churnwarn.apply_row_security();

SELECT churnwarn.audit_table('churnwarn.partner_assignment');
SELECT churnwarn.audit_table('churnwarn.access_register');
SELECT churnwarn.audit_table('churnwarn.personal_column');
