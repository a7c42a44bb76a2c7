
/*
 * 70_audit.sql - the audit log and its per-customer SHA-256 hash chains.
 *
 * Every insert, update and delete on a table passed to
 * churnwarn.audit_table() writes one row to churnwarn.audit_log, in the
 * transaction of the change (src/audit.c).  Rows are chained per customer
 * (customer_id NULL: the configuration chain); churnwarn.audit_chain holds
 * the head of each chain so that verify_audit() also notices a removed
 * last row.  The row images are committed to the chain through salted
 * digests, so that churnwarn.audit_erase() can later remove them (GDPR,
 * CCPA, PIPL erasure) while the chain still verifies.
 */

CREATE TABLE churnwarn.audit_log (
	id			bigint NOT NULL,
	at			timestamptz NOT NULL,
	actor		text NOT NULL,
	table_name	text NOT NULL,
	operation	text NOT NULL,
	row_key		text,
	customer_id text,
	old_row		jsonb,
	new_row		jsonb,
	image_salt	bytea,
	old_digest	bytea,
	new_digest	bytea,
	seq			bigint NOT NULL,
	prev_hash	bytea,
	hash		bytea NOT NULL,
	CONSTRAINT audit_log_pkey PRIMARY KEY (id)
);
/*
 * A customer's rows (erasure, an auditor's WHERE customer_id = ...), by a
 * btree on the key alone: the entries of one customer share one key, which
 * btree deduplication stores once with a list of row pointers (built on a
 * log of 1,000,000 rows for 100,000 customers: 9.7 MB, against 42 MB for
 * (customer_id, id)), and a COPY of 1,000,000 signals, whose audit rows
 * arrive in random customer order, ran 3.5 % faster with it.  Nothing needs
 * a chain's rows in id order from the index: a transaction keeps its
 * heads' positions in memory, across savepoints too (src/audit.c), and
 * verify_audit() sorts.  A hash index is as fast, but walks a bucket's
 * whole overflow chain on every insert for a customer with many rows, and
 * indexes no NULL (the configuration chain).
 */
CREATE INDEX audit_log_chain_idx ON churnwarn.audit_log (customer_id);
/*
 * Row images carry whole rows, a grade_history row's explanation included:
 * lz4, several times cheaper to compress than the default pglz, on a server
 * built with it (see grade_history.explanation).
 */
DO $$
BEGIN
	ALTER TABLE churnwarn.audit_log ALTER COLUMN old_row SET COMPRESSION lz4,
		ALTER COLUMN new_row SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
	NULL;
END
$$;
SELECT pg_catalog.pg_extension_config_dump('churnwarn.audit_log', '');

COMMENT ON TABLE churnwarn.audit_log IS
	'Append-only audit trail: one row per insert, update or delete on an audited churnwarn table, written in the transaction of the change and chained by SHA-256 per customer.';
COMMENT ON COLUMN churnwarn.audit_log.id IS
	'Row identifier from churnwarn.audit_log_id_seq; increases along each chain.';
COMMENT ON COLUMN churnwarn.audit_log.at IS
	'Start time of the transaction that made the change.';
COMMENT ON COLUMN churnwarn.audit_log.actor IS
	'The churnwarn.actor setting at the time of the change, else the session user.';
COMMENT ON COLUMN churnwarn.audit_log.table_name IS
	'Schema-qualified name of the changed table.';
COMMENT ON COLUMN churnwarn.audit_log.operation IS
	'INSERT, UPDATE or DELETE; ERASE for a row written by churnwarn.audit_erase().  Not a CHECK constraint: only the C writer inserts here, and a CHECK is re-planned by every insert through SPI (about 9 % of the trigger).';
COMMENT ON COLUMN churnwarn.audit_log.row_key IS
	'Primary key of the changed row as text (a composite key as a row literal), else its customer key.';
COMMENT ON COLUMN churnwarn.audit_log.customer_id IS
	'Customer whose chain holds the row; NULL for the configuration chain.';
COMMENT ON COLUMN churnwarn.audit_log.old_row IS
	'The row before the change (UPDATE, DELETE); NULL once erased.';
COMMENT ON COLUMN churnwarn.audit_log.new_row IS
	'The row after the change (INSERT, UPDATE); NULL once erased.';
COMMENT ON COLUMN churnwarn.audit_log.image_salt IS
	'Random 16-byte salt of the row image digests; NULL once erased, which makes the remaining digests impossible to test against guessed data.';
COMMENT ON COLUMN churnwarn.audit_log.old_digest IS
	'SHA-256 of the salt and old_row''s canonical encoding (format churnwarn.audit.v1); kept after erasure.';
COMMENT ON COLUMN churnwarn.audit_log.new_digest IS
	'SHA-256 of the salt and new_row''s canonical encoding (format churnwarn.audit.v1); kept after erasure.';
COMMENT ON COLUMN churnwarn.audit_log.seq IS
	'Position of the row in its chain, from 1.';
COMMENT ON COLUMN churnwarn.audit_log.prev_hash IS
	'hash of the previous row of the same chain; NULL for the first row.';
COMMENT ON COLUMN churnwarn.audit_log.hash IS
	'SHA-256 over the row''s fields, its image digests and prev_hash (format churnwarn.audit.v1, see README).';

CREATE SEQUENCE churnwarn.audit_log_id_seq AS bigint OWNED BY churnwarn.audit_log.id;
SELECT pg_catalog.pg_extension_config_dump('churnwarn.audit_log_id_seq', '');
COMMENT ON SEQUENCE churnwarn.audit_log_id_seq IS
	'Identifiers of churnwarn.audit_log rows (drawn by the audit trigger, under the chain lock).';

CREATE TABLE churnwarn.audit_chain (
	customer_id text,
	n_rows		bigint NOT NULL,
	last_id		bigint NOT NULL,
	last_hash	bytea NOT NULL,
	CONSTRAINT audit_chain_customer_id_key UNIQUE NULLS NOT DISTINCT (customer_id)
) WITH (fillfactor = 50);	/* room on each page for the next version of its heads (HOT) */
SELECT pg_catalog.pg_extension_config_dump('churnwarn.audit_chain', '');

COMMENT ON TABLE churnwarn.audit_chain IS
	'Head of each audit chain: its row lock serializes the writers of the chain, and each transaction that appended to it moves it once, just before commit; lets verify_audit() notice a removed last row.';
COMMENT ON COLUMN churnwarn.audit_chain.customer_id IS
	'Customer of the chain; NULL for the configuration chain.';
COMMENT ON COLUMN churnwarn.audit_chain.n_rows IS
	'Number of rows in the chain (the seq of its last row); a chain starts with an empty head (0), moved once, at commit, by the transaction that wrote its first rows.';
COMMENT ON COLUMN churnwarn.audit_chain.last_id IS
	'id of the chain''s last audit_log row.';
COMMENT ON COLUMN churnwarn.audit_chain.last_hash IS
	'hash of the chain''s last audit_log row.';

REVOKE ALL ON churnwarn.audit_log, churnwarn.audit_chain, churnwarn.audit_log_id_seq FROM PUBLIC;

/* The trigger written by audit_table(); also refuses TRUNCATE of the table. */
CREATE FUNCTION churnwarn.audit_trigger()
RETURNS trigger
LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_audit_trigger';
REVOKE EXECUTE ON FUNCTION churnwarn.audit_trigger() FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.audit_trigger() IS
	'Trigger: writes one churnwarn.audit_log row per row change (AFTER ROW, or AFTER INSERT FOR EACH STATEMENT from the transition table: one row per inserted row, in insertion order) and refuses TRUNCATE (BEFORE STATEMENT); attached by churnwarn.audit_table().';

/* Keeps the log append-only; the only exception is audit_erase(). */
CREATE FUNCTION churnwarn.audit_log_guard()
RETURNS trigger
LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_audit_log_guard';
REVOKE EXECUTE ON FUNCTION churnwarn.audit_log_guard() FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.audit_log_guard() IS
	'Trigger on churnwarn.audit_log: refuses UPDATE, DELETE and TRUNCATE for every role, except the removal of row images by churnwarn.audit_erase().';

CREATE TRIGGER audit_log_append_only
	BEFORE UPDATE OR DELETE ON churnwarn.audit_log
	FOR EACH ROW EXECUTE FUNCTION churnwarn.audit_log_guard();
COMMENT ON TRIGGER audit_log_append_only ON churnwarn.audit_log IS
	'Refuses UPDATE and DELETE of audit rows, the owner and superusers included.';
CREATE TRIGGER audit_log_no_truncate
	BEFORE TRUNCATE ON churnwarn.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.audit_log_guard();
COMMENT ON TRIGGER audit_log_no_truncate ON churnwarn.audit_log IS
	'Refuses TRUNCATE of the audit log, the owner and superusers included.';

CREATE FUNCTION churnwarn.verify_audit()
RETURNS TABLE (ok boolean, checked bigint, first_bad bigint)
LANGUAGE c STABLE STRICT PARALLEL RESTRICTED
ROWS 1
AS 'MODULE_PATHNAME', 'churnwarn_verify_audit';
REVOKE EXECUTE ON FUNCTION churnwarn.verify_audit() FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.verify_audit() IS
	'Recomputes every audit chain from its rows and checks it against churnwarn.audit_chain: ok, the number of rows checked, and the id of the first bad row (for a removed row the one after the gap, for a removed last row the id the chain head names).';

CREATE FUNCTION churnwarn.audit_erase(customer_id text, reason text)
RETURNS bigint
LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_audit_erase';
REVOKE EXECUTE ON FUNCTION churnwarn.audit_erase(text, text) FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.audit_erase(text, text) IS
	'Internal, for churnwarn.forget(): removes the row images (and their salts) of one customer''s audit rows, keeps their digests so that the chain still verifies, and appends an ERASE row with the reason; returns the number of rows erased.';

CREATE FUNCTION churnwarn.hold_chain(customer_id text, skip_locked boolean DEFAULT false)
RETURNS boolean
LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_hold_chain';
REVOKE EXECUTE ON FUNCTION churnwarn.hold_chain(text, boolean) FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.hold_chain(text, boolean) IS
	'Internal: lock the head of the customer''s audit chain for the transaction, between its customer row and its grade row, the order in which a signal takes them (see hold_customer(), which workflow steps and tick use); false only with skip_locked when another transaction holds it.';

CREATE FUNCTION churnwarn.audit_table(tbl regclass)
RETURNS boolean
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF tbl OPERATOR(pg_catalog.=) ANY (ARRAY['churnwarn.audit_log'::regclass,
											  'churnwarn.audit_chain'::regclass]) THEN
		RAISE EXCEPTION 'cannot audit table "%"', tbl
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = 'The audit tables protect themselves.';
	END IF;
	IF EXISTS (SELECT FROM pg_catalog.pg_trigger t
			   WHERE t.tgrelid OPERATOR(pg_catalog.=) tbl
				 AND t.tgname OPERATOR(pg_catalog.=) 'churnwarn_audit') THEN
		RETURN false;
	END IF;
	EXECUTE pg_catalog.format(
		'CREATE TRIGGER churnwarn_audit AFTER INSERT OR UPDATE OR DELETE ON %s '
		'FOR EACH ROW EXECUTE FUNCTION churnwarn.audit_trigger()', tbl);
	EXECUTE pg_catalog.format(
		'CREATE TRIGGER churnwarn_audit_truncate BEFORE TRUNCATE ON %s '
		'FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.audit_trigger()', tbl);
	-- DROP EXTENSION takes the triggers with it, on any table
	EXECUTE pg_catalog.format('ALTER TRIGGER churnwarn_audit ON %s DEPENDS ON EXTENSION churnwarn', tbl);
	EXECUTE pg_catalog.format('ALTER TRIGGER churnwarn_audit_truncate ON %s DEPENDS ON EXTENSION churnwarn', tbl);
	RETURN true;
END
$$;
REVOKE EXECUTE ON FUNCTION churnwarn.audit_table(regclass) FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.audit_table(regclass) IS
	'Internal: attaches the audit triggers (churnwarn_audit, churnwarn_audit_truncate) to a table; returns false if it was audited already.';

CREATE FUNCTION churnwarn.unaudit_table(tbl regclass)
RETURNS boolean
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	trg name;
	found_one boolean := false;
BEGIN
	FOR trg IN SELECT t.tgname FROM pg_catalog.pg_trigger t
			   WHERE t.tgrelid OPERATOR(pg_catalog.=) tbl
				 AND t.tgname OPERATOR(pg_catalog.=) ANY (ARRAY['churnwarn_audit',
														  'churnwarn_audit_insert', 'churnwarn_audit_truncate']::name[])
	LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', trg, tbl);
		found_one := true;
	END LOOP;
	RETURN found_one;
END
$$;
REVOKE EXECUTE ON FUNCTION churnwarn.unaudit_table(regclass) FROM PUBLIC;
COMMENT ON FUNCTION churnwarn.unaudit_table(regclass) IS
	'Internal: removes the audit triggers from a table; returns false if it was not audited.';
