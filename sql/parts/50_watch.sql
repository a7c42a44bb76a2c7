/*
 * Watched tables: the company's own CRM tables (customer master, orders,
 * payments, complaints, contact logs) bound with a C trigger, so ordinary
 * writes by existing applications raise signals and keep churnwarn.customer
 * in step.  See doc/watch.md.
 *
 * Tables and columns are stored as regclass and name, never as OIDs or
 * attribute numbers, so pg_dump and restore keep them; the C trigger
 * resolves the names against the catalog once per relcache invalidation.
 * Renames are followed by the event trigger churnwarn_watch_ddl, dropped
 * columns and tables by churnwarn_watch_drop.
 */

CREATE TABLE churnwarn.watched_table (
	tbl			regclass PRIMARY KEY,
	key_column	name NOT NULL,
	is_master	boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
SELECT pg_catalog.pg_extension_config_dump('churnwarn.watched_table', '');
COMMENT ON TABLE churnwarn.watched_table IS 'Tables bound by churnwarn.watch(): each carries the churnwarn_watch trigger; edit through watch() and unwatch().';
COMMENT ON COLUMN churnwarn.watched_table.tbl IS 'The watched table (a partitioned table covers its partitions).';
COMMENT ON COLUMN churnwarn.watched_table.key_column IS 'Column holding the customer key (its text form is churnwarn.customer.customer_id); follows renames.';
COMMENT ON COLUMN churnwarn.watched_table.is_master IS 'True for a customer master table: its rows are kept in step in churnwarn.customer.';
COMMENT ON COLUMN churnwarn.watched_table.created_at IS 'When the table was first watched.';

CREATE TABLE churnwarn.watched_attribute (
	tbl			regclass NOT NULL REFERENCES churnwarn.watched_table ON DELETE CASCADE,
	field		text NOT NULL
		CONSTRAINT watched_attribute_field_valid CHECK (field IN ('name', 'country',
			'region', 'tier', 'annual_value', 'department', 'owner', 'contact',
			'status', 'calendar', 'terminated_at', 'legal_hold')),
	column_name	name NOT NULL,
	PRIMARY KEY (tbl, field)
);
SELECT pg_catalog.pg_extension_config_dump('churnwarn.watched_attribute', '');
COMMENT ON TABLE churnwarn.watched_attribute IS 'For a customer master table: which of its columns feeds each churnwarn.customer field (the attributes argument of watch()).';
COMMENT ON COLUMN churnwarn.watched_attribute.tbl IS 'The customer master table.';
COMMENT ON COLUMN churnwarn.watched_attribute.field IS 'Field of churnwarn.customer.';
COMMENT ON COLUMN churnwarn.watched_attribute.column_name IS 'Column of the master table that feeds it; follows renames, removed with a NOTICE when the column is dropped.';

CREATE SEQUENCE churnwarn.watch_rule_id_seq;
CREATE TABLE churnwarn.watch_rule (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('churnwarn.watch_rule_id_seq'),
	tbl			regclass NOT NULL REFERENCES churnwarn.watched_table ON DELETE CASCADE,
	column_name	name NOT NULL,
	condition	text NOT NULL
		CONSTRAINT watch_rule_condition_valid CHECK (condition IN ('changed', 'equals',
			'above', 'below', 'drop_pct', 'older_than')),
	threshold	text,
	signal_type	text NOT NULL REFERENCES churnwarn.signal_type ON UPDATE CASCADE,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER SEQUENCE churnwarn.watch_rule_id_seq OWNED BY churnwarn.watch_rule.id;
CREATE INDEX watch_rule_tbl_idx ON churnwarn.watch_rule (tbl);
SELECT pg_catalog.pg_extension_config_dump('churnwarn.watch_rule', '');
SELECT pg_catalog.pg_extension_config_dump('churnwarn.watch_rule_id_seq', '');
COMMENT ON TABLE churnwarn.watch_rule IS 'Rules on watched tables (add_rule()): a row change that meets the condition raises the signal.';
COMMENT ON COLUMN churnwarn.watch_rule.id IS 'Rule id (named in the detail of the signals it raises).';
COMMENT ON COLUMN churnwarn.watch_rule.tbl IS 'The watched table.';
COMMENT ON COLUMN churnwarn.watch_rule.column_name IS 'Column the rule looks at; follows renames, and the rule is removed with a NOTICE when the column is dropped.';
COMMENT ON COLUMN churnwarn.watch_rule.condition IS 'changed, equals, above, below, drop_pct (fell by at least threshold percent) or older_than (checked by the periodic pass).';
COMMENT ON COLUMN churnwarn.watch_rule.threshold IS 'Threshold in the text form of the column''s type; a percentage for drop_pct, an interval for older_than, NULL for changed.';
COMMENT ON COLUMN churnwarn.watch_rule.signal_type IS 'Signal type raised (churnwarn.signal_type).';
COMMENT ON COLUMN churnwarn.watch_rule.created_at IS 'When the rule was added.';

CREATE FUNCTION churnwarn.watch(tbl regclass, key_column name, attributes jsonb DEFAULT '{}')
RETURNS void
LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_watch';
COMMENT ON FUNCTION churnwarn.watch(regclass, name, jsonb) IS
	'Bind an existing table with churnwarn''s trigger: key_column holds the customer key; a non-empty attributes object ({"name": "company_name", ...}) makes it the customer master kept in step in churnwarn.customer.';

CREATE FUNCTION churnwarn.add_rule(tbl regclass, column_name name, condition text,
	threshold text, signal_type text)
RETURNS bigint
LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_add_rule';
COMMENT ON FUNCTION churnwarn.add_rule(regclass, name, text, text, text) IS
	'Add a rule to a watched table: a row change whose column meets the condition (changed, equals, above, below, drop_pct, older_than) raises the signal type; returns the rule id.';

CREATE FUNCTION churnwarn.unwatch(tbl regclass)
RETURNS void
LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_unwatch';
COMMENT ON FUNCTION churnwarn.unwatch(regclass) IS
	'Remove churnwarn''s triggers, attributes and rules from a watched table; the signals already raised stay.';

CREATE FUNCTION churnwarn.check_older_than(at timestamptz DEFAULT pg_catalog.now())
RETURNS int
LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_check_older_than';
COMMENT ON FUNCTION churnwarn.check_older_than(timestamptz) IS
	'The older_than pass of tick(): raise each older_than rule''s signal for every row whose column is older than the threshold at the given time, unless that rule''s signal for that row is still open; returns the number of signals raised.';

CREATE FUNCTION churnwarn.watch_trigger() RETURNS trigger
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_watch_trigger';
COMMENT ON FUNCTION churnwarn.watch_trigger() IS
	'Trigger on watched tables: evaluate the rules on the old and new row and keep churnwarn.customer in step with a customer master table.';

CREATE FUNCTION churnwarn.watch_truncate_trigger() RETURNS trigger
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_watch_truncate_trigger';
COMMENT ON FUNCTION churnwarn.watch_truncate_trigger() IS
	'Trigger: refuse TRUNCATE of a watched table (its rows would leave churnwarn without a trace).';

CREATE FUNCTION churnwarn.watch_config_trigger() RETURNS trigger
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_watch_config_trigger';
COMMENT ON FUNCTION churnwarn.watch_config_trigger() IS
	'Trigger: drop the cached watched-table metadata in every session when the watch configuration changes.';

CREATE FUNCTION churnwarn.watch_config_shape() RETURNS trigger
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_watch_config_shape';
COMMENT ON FUNCTION churnwarn.watch_config_shape() IS
	'Trigger: give the watch trigger of the table a configuration row belongs to the UPDATE OF column list the configuration asks for.';

CREATE FUNCTION churnwarn.watch_guard_ddl(reported oid[]) RETURNS void
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_watch_guard_ddl';
COMMENT ON FUNCTION churnwarn.watch_guard_ddl(oid[]) IS
	'Internal: run watch_guard_partitions() on every watched table related to the relations a DDL command reported or dropped triggers of (itself, its partitions, the tables it is a partition of); called by the event triggers churnwarn_watch_ddl and churnwarn_watch_drop.';

CREATE FUNCTION churnwarn.watch_guard_partitions(tbl regclass) RETURNS void
LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_watch_guard_partitions';
COMMENT ON FUNCTION churnwarn.watch_guard_partitions(regclass) IS
	'Internal: give every partition of a watched table the TRUNCATE guard, create its watch trigger again if it is gone (dropped with session_replication_role = replica, where no event trigger refuses it), give the trigger the column list its rules and fields need (every UPDATE when it has a BEFORE UPDATE row trigger) and tie churnwarn''s triggers to the extension (run by setup_roles() for every watched table).';

CREATE TRIGGER watch_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON churnwarn.watched_table
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.watch_config_trigger();
CREATE TRIGGER watch_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON churnwarn.watched_attribute
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.watch_config_trigger();
CREATE TRIGGER watch_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON churnwarn.watch_rule
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.watch_config_trigger();
/*
 * The watch trigger lists the columns an UPDATE must name to reach it
 * (key, mapped fields, rule columns); every change of a table's
 * configuration that can change that list reshapes it, whoever makes it
 * (not, say, a signal type's renamed code cascading into its rules).
 * ENABLE ALWAYS: on a logical-replication subscriber that receives these
 * tables, the apply worker's changes reshape the list too; a restore with
 * session_replication_role = replica loads them before the watch
 * triggers exist, so there is nothing to reshape then.
 */
CREATE TRIGGER watch_config_shape AFTER INSERT OR DELETE OR UPDATE OF tbl, key_column, is_master
	ON churnwarn.watched_table
	FOR EACH ROW EXECUTE FUNCTION churnwarn.watch_config_shape();
CREATE TRIGGER watch_config_shape AFTER INSERT OR DELETE OR UPDATE OF tbl, column_name
	ON churnwarn.watched_attribute
	FOR EACH ROW EXECUTE FUNCTION churnwarn.watch_config_shape();
CREATE TRIGGER watch_config_shape AFTER INSERT OR DELETE OR UPDATE OF tbl, column_name, condition
	ON churnwarn.watch_rule
	FOR EACH ROW EXECUTE FUNCTION churnwarn.watch_config_shape();
ALTER TABLE churnwarn.watched_table ENABLE ALWAYS TRIGGER watch_config_shape;
ALTER TABLE churnwarn.watched_attribute ENABLE ALWAYS TRIGGER watch_config_shape;
ALTER TABLE churnwarn.watch_rule ENABLE ALWAYS TRIGGER watch_config_shape;

/*
 * The event triggers run for every user's DDL, so they are SECURITY DEFINER
 * (ordinary users have no rights on the configuration tables); they only
 * touch the rows of the tables the DDL itself changed.
 *
 * Follow DDL on watched tables.  A RENAME COLUMN reports the renamed
 * column's number: every stored name of that table that no longer exists
 * must be the old name of that column (one RENAME renames one column).
 * CREATE TABLE ... PARTITION OF and ATTACH PARTITION give the new partitions
 * the TRUNCATE guard; a restored CREATE TRIGGER is tied to the extension.
 */
CREATE FUNCTION churnwarn.watch_ddl() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c record;
	newname name;
	reported pg_catalog.oid[];
BEGIN
	SELECT pg_catalog.array_agg(objid) INTO reported FROM pg_catalog.pg_event_trigger_ddl_commands()
		WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass;
	FOR c IN SELECT objid, objsubid FROM pg_catalog.pg_event_trigger_ddl_commands()
		WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
			AND objsubid OPERATOR(pg_catalog.>) 0
	LOOP
		SELECT attname INTO newname FROM pg_catalog.pg_attribute
			WHERE attrelid OPERATOR(pg_catalog.=) c.objid AND attnum OPERATOR(pg_catalog.=) c.objsubid
				AND NOT attisdropped;
		IF newname IS NULL THEN
			CONTINUE;
		END IF;
		UPDATE churnwarn.watched_table w SET key_column = newname
			WHERE w.tbl::pg_catalog.oid OPERATOR(pg_catalog.=) c.objid
				AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
					WHERE a.attrelid OPERATOR(pg_catalog.=) c.objid
						AND a.attname OPERATOR(pg_catalog.=) w.key_column AND NOT a.attisdropped);
		UPDATE churnwarn.watched_attribute w SET column_name = newname
			WHERE w.tbl::pg_catalog.oid OPERATOR(pg_catalog.=) c.objid
				AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
					WHERE a.attrelid OPERATOR(pg_catalog.=) c.objid
						AND a.attname OPERATOR(pg_catalog.=) w.column_name AND NOT a.attisdropped);
		UPDATE churnwarn.watch_rule w SET column_name = newname
			WHERE w.tbl::pg_catalog.oid OPERATOR(pg_catalog.=) c.objid
				AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
					WHERE a.attrelid OPERATOR(pg_catalog.=) c.objid
						AND a.attname OPERATOR(pg_catalog.=) w.column_name AND NOT a.attisdropped);
	END LOOP;
	-- the watched tables related to what the command changed (the table
	-- itself, a partition created or attached under it, a table it was
	-- attached to, the table of a trigger created): new partitions get the
	-- TRUNCATE guard, the watch triggers their column lists (a BEFORE
	-- UPDATE trigger, its clone on an attached table, empties them),
	-- restored triggers are tied to the extension (dropped triggers are
	-- followed by churnwarn.watch_drop)
	reported := pg_catalog.array_cat(reported, ARRAY(SELECT t.tgrelid
		FROM pg_catalog.pg_event_trigger_ddl_commands() d
		JOIN pg_catalog.pg_trigger t ON t.oid OPERATOR(pg_catalog.=) d.objid
		WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass));
	PERFORM churnwarn.watch_guard_ddl(reported);
END
$$;
COMMENT ON FUNCTION churnwarn.watch_ddl() IS
	'Event trigger: follow renamed columns of watched tables, guard new partitions against TRUNCATE, shape the watch triggers after trigger changes, tie churnwarn''s triggers to the extension.';

/*
 * Follow drops.  A dropped watched table takes its attributes and rules
 * with it; a dropped rule or attribute column removes that rule or mapping
 * with a NOTICE; dropping a watched table's customer key column is refused.
 */
CREATE FUNCTION churnwarn.watch_drop() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d record;
	r record;
	dropped pg_catalog.oid[];
BEGIN
	IF pg_catalog.to_regclass('churnwarn.watched_table') IS NULL THEN
		RETURN;		-- DROP EXTENSION churnwarn itself
	END IF;
	FOR d IN SELECT objid, object_type, address_names FROM pg_catalog.pg_event_trigger_dropped_objects()
		WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
			AND object_type OPERATOR(pg_catalog.=) ANY ('{table,table column}'::pg_catalog.text[])
	LOOP
		IF d.object_type OPERATOR(pg_catalog.=) 'table' THEN
			DELETE FROM churnwarn.watched_table WHERE tbl::pg_catalog.oid OPERATOR(pg_catalog.=) d.objid;
			CONTINUE;
		END IF;
		IF EXISTS (SELECT FROM churnwarn.watched_table
			WHERE tbl::pg_catalog.oid OPERATOR(pg_catalog.=) d.objid
				AND key_column OPERATOR(pg_catalog.=) d.address_names[3]) THEN
			RAISE EXCEPTION 'cannot drop column "%" of table "%"', d.address_names[3], d.address_names[2]
				USING ERRCODE = 'dependent_objects_still_exist',
					DETAIL = 'The column holds the customer key of a table watched by churnwarn.',
					HINT = 'Call churnwarn.unwatch() on the table first.';
		END IF;
		FOR r IN DELETE FROM churnwarn.watch_rule
			WHERE tbl::pg_catalog.oid OPERATOR(pg_catalog.=) d.objid
				AND column_name OPERATOR(pg_catalog.=) d.address_names[3]
			RETURNING id, condition, signal_type
		LOOP
			RAISE NOTICE 'removed churnwarn rule % (% on column "%" of table "%")',
				r.id, r.condition, d.address_names[3], d.address_names[2];
		END LOOP;
		FOR r IN DELETE FROM churnwarn.watched_attribute
			WHERE tbl::pg_catalog.oid OPERATOR(pg_catalog.=) d.objid
				AND column_name OPERATOR(pg_catalog.=) d.address_names[3]
			RETURNING field
		LOOP
			RAISE NOTICE 'customer field "%" is no longer fed from table "%"', r.field, d.address_names[2]
				USING DETAIL = pg_catalog.format('Its column "%s" was dropped.', d.address_names[3]);
		END LOOP;
	END LOOP;
	-- dropped triggers, on tables that still exist (pg_temp names this
	-- session's temporary schema): the watch trigger of a watched table
	-- goes only with churnwarn.unwatch(); a dropped BEFORE UPDATE trigger
	-- had emptied a list, so the watched tables it was on, or above or
	-- below them, get their lists back
	FOR r IN SELECT t.tbl, o.address_names[3] AS name
		FROM pg_catalog.pg_event_trigger_dropped_objects() o,
			LATERAL (SELECT pg_catalog.to_regclass(pg_catalog.quote_ident(o.address_names[1])
				OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||)
				pg_catalog.quote_ident(o.address_names[2]))::pg_catalog.oid AS tbl) t
		WHERE o.object_type OPERATOR(pg_catalog.=) 'trigger' AND t.tbl IS NOT NULL
	LOOP
		IF r.name OPERATOR(pg_catalog.=) 'churnwarn_watch' AND EXISTS (SELECT FROM churnwarn.watched_table w
				WHERE w.tbl::pg_catalog.oid OPERATOR(pg_catalog.=) r.tbl)
			AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
				WHERE t.tgrelid OPERATOR(pg_catalog.=) r.tbl AND t.tgname OPERATOR(pg_catalog.=) 'churnwarn_watch') THEN
			RAISE EXCEPTION 'cannot drop trigger "%" of table %', r.name, r.tbl::pg_catalog.regclass
				USING ERRCODE = 'dependent_objects_still_exist',
					DETAIL = 'Without it churnwarn would no longer see the changes of a table it watches.',
					HINT = 'Call churnwarn.unwatch() on the table instead (after a restore, run churnwarn.setup_roles() first: a restored trigger may depend on the columns it lists).';
		END IF;
		dropped := pg_catalog.array_append(dropped, r.tbl);
	END LOOP;
	PERFORM churnwarn.watch_guard_ddl(dropped);
END
$$;
COMMENT ON FUNCTION churnwarn.watch_drop() IS
	'Event trigger: forget dropped watched tables, remove rules and mappings of dropped columns with a NOTICE, refuse to drop a watched customer key column or a watched table''s churnwarn_watch trigger, give the watch triggers their column lists back after a dropped trigger.';

CREATE EVENT TRIGGER churnwarn_watch_ddl ON ddl_command_end
	WHEN TAG IN ('ALTER TABLE', 'CREATE TABLE', 'CREATE TRIGGER', 'CREATE SCHEMA')
	EXECUTE FUNCTION churnwarn.watch_ddl();
COMMENT ON EVENT TRIGGER churnwarn_watch_ddl IS 'Follows renames, new partitions and the triggers of tables watched by churnwarn.';
-- every command that drops something: a column also goes with DROP DOMAIN,
-- DROP TYPE or DROP COLLATION ... CASCADE, a trigger with DROP FUNCTION
CREATE EVENT TRIGGER churnwarn_watch_drop ON sql_drop
	EXECUTE FUNCTION churnwarn.watch_drop();
COMMENT ON EVENT TRIGGER churnwarn_watch_drop IS 'Follows dropped tables, columns and triggers of tables watched by churnwarn.';

REVOKE ALL ON churnwarn.watched_table, churnwarn.watched_attribute, churnwarn.watch_rule FROM PUBLIC;
REVOKE ALL ON SEQUENCE churnwarn.watch_rule_id_seq FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.watch(regclass, name, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.add_rule(regclass, name, text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.unwatch(regclass) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.check_older_than(timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.watch_trigger() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.watch_truncate_trigger() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.watch_config_trigger() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.watch_config_shape() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.watch_guard_partitions(regclass) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.watch_guard_ddl(oid[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.watch_ddl() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION churnwarn.watch_drop() FROM PUBLIC;
