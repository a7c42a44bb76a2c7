/*
 * 30_masking.sql - reader classes, pseudonyms and partner assignments.
 *
 * Defined before the views (60_, 65_) because they use them.  Which reader
 * is restricted to its assigned customers and which sees personal data
 * masked is decided in C (src/privacy.c); the roles themselves, the grants
 * and the row-level security policies come from churnwarn.setup_roles()
 * (90_security.sql).
 */

/*
 * The secret behind the pseudonyms.  Generated at install from the strong
 * random source behind gen_random_uuid(); pg_dump keeps it (pseudonyms stay
 * the same after a restore: the restored, older row wins over the one the
 * restore's CREATE EXTENSION generates).  Nobody but the owner reads it.
 */
CREATE TABLE churnwarn.mask_key (
	key			bytea NOT NULL
		CONSTRAINT mask_key_length CHECK (pg_catalog.octet_length(key) OPERATOR(pg_catalog.>=) 32),
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
INSERT INTO churnwarn.mask_key (key)
	VALUES (pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.gen_random_uuid()::text
		OPERATOR(pg_catalog.||) pg_catalog.gen_random_uuid()::text, 'UTF8')));
SELECT pg_catalog.pg_extension_config_dump('churnwarn.mask_key', '');
REVOKE ALL ON churnwarn.mask_key FROM PUBLIC;

/*
 * The oldest key wins: a restore inserts the dumped key after its CREATE
 * EXTENSION generated a new one, and must end with the dumped key alone.
 * ENABLE ALWAYS: restores run with session_replication_role = replica.
 */
CREATE FUNCTION churnwarn.mask_key_keep_oldest()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF EXISTS (SELECT FROM churnwarn.mask_key k WHERE k.created_at OPERATOR(pg_catalog.<=) NEW.created_at) THEN
		RETURN NULL;
	END IF;
	DELETE FROM churnwarn.mask_key k WHERE k.created_at OPERATOR(pg_catalog.>) NEW.created_at;
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION churnwarn.mask_key_keep_oldest() FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.mask_key_keep_oldest() IS
	'Trigger: churnwarn.mask_key keeps one key, the oldest; a restored key replaces the one the restore''s CREATE EXTENSION generated.';
CREATE TRIGGER mask_key_keep_oldest BEFORE INSERT ON churnwarn.mask_key
	FOR EACH ROW EXECUTE FUNCTION churnwarn.mask_key_keep_oldest();
ALTER TABLE churnwarn.mask_key ENABLE ALWAYS TRIGGER mask_key_keep_oldest;
COMMENT ON TRIGGER mask_key_keep_oldest ON churnwarn.mask_key IS
	'Keeps the oldest key only (fires during restores too).';
COMMENT ON TABLE churnwarn.mask_key IS
	'Secret key of churnwarn.mask_personal(); the oldest row is used. Readable by the owner only; kept by pg_dump so that pseudonyms survive a restore.';
COMMENT ON COLUMN churnwarn.mask_key.key IS 'At least 32 random bytes.';
COMMENT ON COLUMN churnwarn.mask_key.created_at IS 'When the key was generated; the oldest key is the one in use.';

CREATE FUNCTION churnwarn.mask_personal(value text)
RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT 'anon-' OPERATOR(pg_catalog.||) pg_catalog.left(pg_catalog.encode(pg_catalog.sha256(
		k.key OPERATOR(pg_catalog.||) pg_catalog.convert_to(value, 'UTF8')), 'hex'), 12)
	FROM churnwarn.mask_key k
	ORDER BY k.created_at, k.key
	LIMIT 1;
END;
REVOKE EXECUTE ON FUNCTION churnwarn.mask_personal(text) FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.mask_personal(text) IS
	'Pseudonym of a personal value: anon- and 12 hex digits of SHA-256 over the secret churnwarn.mask_key and the value. The same value always gives the same pseudonym (counts per person still add up); without the key it cannot be reversed or tested against guesses. SECURITY DEFINER to read the key.';

CREATE FUNCTION churnwarn.is_restricted(reader name DEFAULT CURRENT_USER)
RETURNS boolean
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'churnwarn_is_restricted';
/* Executable by everyone: the row-level security policies call it. */
COMMENT ON FUNCTION churnwarn.is_restricted(name) IS
	'Whether the reader (default: the current user) sees only the customers assigned to it: it has the privileges of churnwarn_partner and is neither superuser nor BYPASSRLS.';

CREATE FUNCTION churnwarn.is_masked(reader name DEFAULT CURRENT_USER)
RETURNS boolean
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'churnwarn_is_masked';
/* Executable by everyone, like is_restricted: it tells only who is masked. */
COMMENT ON FUNCTION churnwarn.is_masked(name) IS
	'Whether the reader (default: the current user) sees personal data masked: it has the privileges of churnwarn_partner or churnwarn_bi and of none of churnwarn_admin, churnwarn_staff and churnwarn_auditor (superusers never).';

/* Inlined into the views: one cheap C test per row, the digest only when masked. */
CREATE FUNCTION churnwarn.personal(value text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE WHEN churnwarn.is_masked() THEN churnwarn.mask_personal(value) ELSE value END;
END;
REVOKE EXECUTE ON FUNCTION churnwarn.personal(text) FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.personal(text) IS
	'A personal value as the current reader may see it: itself, or its pseudonym (churnwarn.mask_personal) for masked readers (churnwarn.is_masked).';

/*
 * Which partner may see which customer.  partner is a role name: the
 * partner's login role or a group role its logins belong to.
 */
CREATE TABLE churnwarn.partner_assignment (
	partner		name NOT NULL,
	customer_id	text NOT NULL REFERENCES churnwarn.customer ON UPDATE CASCADE,
	assigned_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	note		text,
	CONSTRAINT partner_assignment_pkey PRIMARY KEY (partner, customer_id)
);
CREATE INDEX partner_assignment_customer_idx ON churnwarn.partner_assignment (customer_id);
SELECT pg_catalog.pg_extension_config_dump('churnwarn.partner_assignment', '');
REVOKE ALL ON churnwarn.partner_assignment FROM PUBLIC;
COMMENT ON TABLE churnwarn.partner_assignment IS
	'Customers assigned to third-party partners (PIPL/GDPR processors): a reader with the privileges of churnwarn_partner sees only the customers assigned to a role it has the privileges of.';
COMMENT ON COLUMN churnwarn.partner_assignment.partner IS 'Role of the partner (its login role, or a group role of its logins); must exist when assigned.';
COMMENT ON COLUMN churnwarn.partner_assignment.customer_id IS 'Customer assigned.';
COMMENT ON COLUMN churnwarn.partner_assignment.assigned_at IS 'When the assignment was made.';
COMMENT ON COLUMN churnwarn.partner_assignment.note IS 'Contract or purpose of the assignment.';

CREATE FUNCTION churnwarn.partner_assignment_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) NEW.partner) THEN
		RAISE EXCEPTION 'role "%" does not exist', NEW.partner
			USING ERRCODE = 'undefined_object',
				  HINT = 'Create the partner''s role first and make it a member of churnwarn_partner.';
	END IF;
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION churnwarn.partner_assignment_check() FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.partner_assignment_check() IS
	'Trigger: a partner assignment must name an existing role.';
CREATE TRIGGER partner_assignment_check BEFORE INSERT OR UPDATE ON churnwarn.partner_assignment
	FOR EACH ROW EXECUTE FUNCTION churnwarn.partner_assignment_check();
COMMENT ON TRIGGER partner_assignment_check ON churnwarn.partner_assignment IS
	'Refuses assignments to roles that do not exist.';

/*
 * The current reader's customers.  Runs as the invoker and tests the
 * membership itself, so it gives the same answer inside views that run with
 * their owner's rights (where row-level security is not applied for the
 * reader) and under the partner's own policies.
 */
CREATE FUNCTION churnwarn.assigned_customers()
RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT a.customer_id
	FROM churnwarn.partner_assignment a
	JOIN pg_catalog.pg_roles r ON r.rolname OPERATOR(pg_catalog.=) a.partner
	WHERE pg_catalog.pg_has_role(r.oid, 'USAGE');
END;
/* Executable by everyone: the policies call it (and it reads as the invoker). */
COMMENT ON FUNCTION churnwarn.assigned_customers() IS
	'Customers assigned to a role whose privileges the current user has (used by the partner policies and views).';

