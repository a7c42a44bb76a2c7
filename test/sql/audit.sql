--
-- audit.sql: the hash-chained audit log (src/audit.c, sql/parts/70_audit.sql)
--
-- Start from a fresh extension so the log is empty.
DROP EXTENSION churnwarn;
CREATE EXTENSION churnwarn;

-- Test tables: a data table (customer_id column: one chain per customer), a
-- configuration table (no customer_id: the configuration chain), and tables
-- without a primary key and with a composite one.
CREATE SCHEMA churnwarn_test;
CREATE TABLE churnwarn_test.thing (id int PRIMARY KEY, customer_id text, v int);
CREATE TABLE churnwarn_test.setting (name text PRIMARY KEY, value text);
CREATE TABLE churnwarn_test.nokey (customer_id text, note text);
CREATE TABLE churnwarn_test.pair (a int, b text, customer_id text, PRIMARY KEY (a, b));
SELECT churnwarn.audit_table('churnwarn_test.thing');
SELECT churnwarn.audit_table('churnwarn_test.thing');	-- already audited
SELECT churnwarn.audit_table('churnwarn_test.setting');
SELECT churnwarn.audit_table('churnwarn_test.nokey');
SELECT churnwarn.audit_table('churnwarn_test.pair');
SELECT churnwarn.audit_table('churnwarn.audit_log');	-- refused
SELECT tgrelid::regclass, tgname FROM pg_trigger
 WHERE tgrelid = 'churnwarn_test.thing'::regclass ORDER BY tgname;

-- Bookkeeping views for the output: hashes are salted, so only their shape
-- and their links are shown.
CREATE TEMP VIEW log AS
SELECT id, actor, table_name, operation, row_key, customer_id AS cust, seq,
	   old_row, new_row,
	   prev_hash IS NOT DISTINCT FROM lag(hash) OVER w AS linked,
	   length(hash) AS hlen
  FROM churnwarn.audit_log
WINDOW w AS (PARTITION BY customer_id ORDER BY id)
 ORDER BY id;

-- One row per change: an insert and three updates of one row in one
-- transaction are four rows, with the actor from churnwarn.actor.
BEGIN;
SET LOCAL churnwarn.actor = 'alice';
INSERT INTO churnwarn_test.thing VALUES (1, 'C1', 0);
UPDATE churnwarn_test.thing SET v = 1 WHERE id = 1;
UPDATE churnwarn_test.thing SET v = 2 WHERE id = 1;
UPDATE churnwarn_test.thing SET v = 3 WHERE id = 1;
COMMIT;
SELECT * FROM log;

-- A rolled-back change leaves no row.
BEGIN;
INSERT INTO churnwarn_test.thing VALUES (2, 'C1', 0);
ROLLBACK;
SELECT count(*) FROM churnwarn.audit_log;

-- A rolled-back subtransaction leaves no row either, and the chain goes on
-- from what was kept (no fork, no gap).
BEGIN;
SET LOCAL churnwarn.actor = 'bob';
INSERT INTO churnwarn_test.thing VALUES (2, 'C2', 0);
SAVEPOINT s1;
UPDATE churnwarn_test.thing SET v = 9 WHERE id = 2;
INSERT INTO churnwarn_test.thing VALUES (3, 'C1', 0);
ROLLBACK TO SAVEPOINT s1;
SAVEPOINT s2;
INSERT INTO churnwarn_test.thing VALUES (4, 'C3', 0);
RELEASE SAVEPOINT s2;
UPDATE churnwarn_test.thing SET v = 5 WHERE id = 2;
COMMIT;
SELECT * FROM log WHERE id > 4;

-- Without churnwarn.actor the session user is recorded; a statement that
-- changes several rows writes one row each; DELETE files the old row; the
-- configuration chain; row keys without and with a composite primary key.
INSERT INTO churnwarn_test.thing VALUES (5, 'C1', 10), (6, 'C2', 20);
UPDATE churnwarn_test.thing SET v = v + 1 WHERE id IN (5, 6);
DELETE FROM churnwarn_test.thing WHERE id = 6;
INSERT INTO churnwarn_test.setting VALUES ('threshold', '3');
UPDATE churnwarn_test.setting SET value = '4';
INSERT INTO churnwarn_test.nokey VALUES ('C3', 'no primary key');
INSERT INTO churnwarn_test.pair VALUES (1, 'x,"y"', 'C3');
SELECT id, actor = session_user AS session_actor, table_name, operation,
	   row_key, cust, seq, linked, hlen
  FROM log WHERE id > 7;

-- Chain heads, and the log verifies.
SELECT customer_id, n_rows, last_id, length(last_hash) AS hlen
  FROM churnwarn.audit_chain ORDER BY customer_id NULLS FIRST;
SELECT * FROM churnwarn.verify_audit();

-- The hash of every row is SHA-256 over the encoding documented in
-- src/audit.c (format churnwarn.audit.v1), recomputed here with core's
-- sha256() alone, as an auditor without churnwarn would: each field a
-- 4-byte length (-1 for NULL) and its bytes, integers 8 bytes big-endian,
-- "at" in microseconds since 2000-01-01 UTC.
CREATE FUNCTION pg_temp.fld(b bytea) RETURNS bytea LANGUAGE sql IMMUTABLE
	AS $$ SELECT CASE WHEN b IS NULL THEN int4send(-1) ELSE int4send(length(b)) || b END $$;
CREATE FUNCTION pg_temp.txt(t text) RETURNS bytea LANGUAGE sql STABLE
	AS $$ SELECT pg_temp.fld(convert_to(t, current_setting('server_encoding'))) $$;
CREATE FUNCTION pg_temp.rehash(OUT rows_hashed bigint, OUT rows_matching bigint)
LANGUAGE sql STABLE AS $$
SELECT count(*) AS rows_hashed,
	   count(*) FILTER (WHERE hash = sha256(
			pg_temp.txt('churnwarn.audit.v1') || pg_temp.txt(customer_id) ||
			pg_temp.fld(int8send(seq)) || pg_temp.fld(int8send(id)) ||
			pg_temp.fld(int8send((extract(epoch FROM at - '2000-01-01 00:00+00') * 1000000)::bigint)) ||
			pg_temp.txt(actor) || pg_temp.txt(table_name) || pg_temp.txt(operation) ||
			pg_temp.txt(row_key) || pg_temp.fld(old_digest) || pg_temp.fld(new_digest) ||
			pg_temp.fld(prev_hash))) AS rows_matching
  FROM churnwarn.audit_log $$;
SELECT * FROM pg_temp.rehash();

-- Cached relation facts follow ALTER TABLE: a renamed table is recorded
-- under its new name, an added column appears in the images, and a table
-- that loses its customer_id column moves to the configuration chain.
ALTER TABLE churnwarn_test.thing RENAME TO thing2;
ALTER TABLE churnwarn_test.thing2 ADD COLUMN w text DEFAULT 'w';
UPDATE churnwarn_test.thing2 SET v = 7 WHERE id = 5;
ALTER TABLE churnwarn_test.thing2 RENAME TO thing;
ALTER TABLE churnwarn_test.nokey DROP COLUMN customer_id;
INSERT INTO churnwarn_test.nokey VALUES ('no customer now');
SELECT id, table_name, operation, row_key, cust, seq, new_row, linked
  FROM log WHERE id > 17;
SELECT * FROM churnwarn.verify_audit();

-- TRUNCATE of an audited table is refused: it would delete unaudited.
TRUNCATE churnwarn_test.thing;

-- Roles that change data need no privilege on the log, and cannot touch it.
CREATE ROLE churnwarn_test_staff;
GRANT USAGE ON SCHEMA churnwarn_test TO churnwarn_test_staff;
GRANT SELECT, INSERT, UPDATE, DELETE ON churnwarn_test.thing TO churnwarn_test_staff;
GRANT USAGE ON SCHEMA churnwarn TO churnwarn_test_staff;
SET ROLE churnwarn_test_staff;
INSERT INTO churnwarn_test.thing VALUES (7, 'C4', 0);
SELECT count(*) FROM churnwarn.audit_log;
INSERT INTO churnwarn.audit_log (id, at, actor, table_name, operation, seq, hash)
VALUES (1000, now(), 'mallory', 'x', 'INSERT', 1, '\x00');
SELECT churnwarn.verify_audit();
SELECT churnwarn.audit_erase('C4', 'no privilege');
RESET ROLE;
REVOKE USAGE ON SCHEMA churnwarn FROM churnwarn_test_staff;
SELECT id, table_name, operation, row_key, cust, seq, linked FROM log WHERE id > 20;

-- Append-only for everyone: a superuser ...
UPDATE churnwarn.audit_log SET actor = 'mallory' WHERE id = 1;
DELETE FROM churnwarn.audit_log WHERE id = 1;
TRUNCATE churnwarn.audit_log;
-- ... and the table's owner.
CREATE ROLE churnwarn_test_owner;
GRANT USAGE ON SCHEMA churnwarn TO churnwarn_test_owner;
ALTER TABLE churnwarn.audit_log OWNER TO churnwarn_test_owner;
SET ROLE churnwarn_test_owner;
UPDATE churnwarn.audit_log SET actor = 'mallory' WHERE id = 1;
DELETE FROM churnwarn.audit_log WHERE id = 1;
TRUNCATE churnwarn.audit_log;
RESET ROLE;
ALTER TABLE churnwarn.audit_log OWNER TO CURRENT_USER;
REVOKE USAGE ON SCHEMA churnwarn FROM churnwarn_test_owner;
-- The erasure door is closed outside churnwarn.audit_erase().
UPDATE churnwarn.audit_log SET old_row = NULL, new_row = NULL, image_salt = NULL
 WHERE customer_id = 'C2';

--
-- Tampering by a superuser who switched the triggers off.  Each case is
-- applied to the pristine log, checked, and undone.
--
CREATE TEMP TABLE pristine_log AS SELECT * FROM churnwarn.audit_log;
CREATE TEMP TABLE pristine_chain AS SELECT * FROM churnwarn.audit_chain;
CREATE FUNCTION pg_temp.restore() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('session_replication_role', 'replica', true);
	DELETE FROM churnwarn.audit_log;
	INSERT INTO churnwarn.audit_log SELECT * FROM pristine_log;
	DELETE FROM churnwarn.audit_chain;
	INSERT INTO churnwarn.audit_chain SELECT * FROM pristine_chain;
	RETURN 'restored';
END
$$;
SELECT customer_id, array_agg(id ORDER BY id) AS ids
  FROM churnwarn.audit_log GROUP BY customer_id ORDER BY customer_id NULLS FIRST;

-- 1. Edit a field of a middle row (ALTER TABLE ... DISABLE TRIGGER ALL).
ALTER TABLE churnwarn.audit_log DISABLE TRIGGER ALL;
UPDATE churnwarn.audit_log SET actor = 'mallory' WHERE id = 3;
ALTER TABLE churnwarn.audit_log ENABLE TRIGGER ALL;
SELECT ok, checked, first_bad, first_bad = 3 AS right_row FROM churnwarn.verify_audit();
SELECT pg_temp.restore();
SELECT * FROM churnwarn.verify_audit();

-- 2. Edit a row image (the digest no longer matches).
SET session_replication_role = replica;
UPDATE churnwarn.audit_log SET new_row = jsonb_set(new_row, '{v}', '99') WHERE id = 2;
RESET session_replication_role;
SELECT ok, first_bad, first_bad = 2 AS right_row FROM churnwarn.verify_audit();
SELECT pg_temp.restore();

-- 3. Edit a row and recompute nothing else but its own stored hash.
SET session_replication_role = replica;
UPDATE churnwarn.audit_log SET hash = sha256('forged'::bytea) WHERE id = 4;
RESET session_replication_role;
SELECT ok, first_bad, first_bad = 4 AS right_row FROM churnwarn.verify_audit();
SELECT pg_temp.restore();

-- 4. Delete a middle row: the row after the gap is reported.
SET session_replication_role = replica;
DELETE FROM churnwarn.audit_log WHERE id = 2;
RESET session_replication_role;
SELECT ok, first_bad, first_bad = 3 AS right_row FROM churnwarn.verify_audit();
SELECT pg_temp.restore();

-- 5. Delete the last row of a chain: the id its head still names.
SELECT last_id AS c1_last FROM churnwarn.audit_chain WHERE customer_id = 'C1' \gset
SET session_replication_role = replica;
DELETE FROM churnwarn.audit_log WHERE id = :c1_last;
RESET session_replication_role;
SELECT ok, first_bad, first_bad = :c1_last AS right_row FROM churnwarn.verify_audit();
SELECT pg_temp.restore();

-- 6. Delete every row of a chain: its head still names its last row.
SET session_replication_role = replica;
DELETE FROM churnwarn.audit_log WHERE customer_id = 'C3';
RESET session_replication_role;
SELECT ok, first_bad, first_bad = (SELECT last_id FROM churnwarn.audit_chain WHERE customer_id = 'C3') AS right_row
  FROM churnwarn.verify_audit();
SELECT pg_temp.restore();

-- 6b. The same inside a transaction that has just started a new chain (its
-- head row stays empty, n_rows 0, until commit): still found.  (The ids it
-- draws are given back, so the ids printed below stay as they are.)
SELECT last_value AS ids_before FROM churnwarn.audit_log_id_seq \gset
BEGIN;
INSERT INTO churnwarn_test.thing VALUES (77, 'C77', 0);
SELECT n_rows AS c77_head_inside FROM churnwarn.audit_chain WHERE customer_id = 'C77';
SET LOCAL session_replication_role = replica;
DELETE FROM churnwarn.audit_log WHERE customer_id = 'C3';
SET LOCAL session_replication_role = origin;
SELECT ok, first_bad = (SELECT last_id FROM churnwarn.audit_chain WHERE customer_id = 'C3') AS right_row
  FROM churnwarn.verify_audit();
ROLLBACK;
SELECT setval('churnwarn.audit_log_id_seq', :ids_before) = :ids_before AS ids_given_back;
-- 6c. A head emptied (n_rows 0) while its chain has rows: the chain's last
-- row is reported; an empty head naming a row that is not there, too.
SET session_replication_role = replica;
UPDATE churnwarn.audit_chain SET n_rows = 0 WHERE customer_id = 'C3';
RESET session_replication_role;
SELECT ok, first_bad = (SELECT max(id) FROM churnwarn.audit_log WHERE customer_id = 'C3') AS right_row
  FROM churnwarn.verify_audit();
SELECT pg_temp.restore();
SET session_replication_role = replica;
INSERT INTO churnwarn.audit_chain VALUES ('E0', 0, 7, '\x'::bytea || sha256(''::bytea));
RESET session_replication_role;
SELECT ok, first_bad FROM churnwarn.verify_audit();
SELECT pg_temp.restore();

-- 7. Delete a chain head (the rows stay): the chain's last row is reported.
SET session_replication_role = replica;
DELETE FROM churnwarn.audit_chain WHERE customer_id = 'C2';
RESET session_replication_role;
SELECT ok, first_bad, first_bad = (SELECT max(id) FROM churnwarn.audit_log WHERE customer_id = 'C2') AS right_row
  FROM churnwarn.verify_audit();
SELECT pg_temp.restore();

-- 8. Insert a forged row at the end of a chain, well linked.
SET session_replication_role = replica;
INSERT INTO churnwarn.audit_log (id, at, actor, table_name, operation, row_key,
	customer_id, new_row, seq, prev_hash, hash)
SELECT nextval('churnwarn.audit_log_id_seq'), now(), 'mallory', 'churnwarn_test.thing',
	   'INSERT', '99', 'C1', '{"id": 99}', n_rows + 1, last_hash, sha256('forged'::bytea)
  FROM churnwarn.audit_chain WHERE customer_id = 'C1'
RETURNING id AS forged \gset
RESET session_replication_role;
SELECT ok, first_bad, first_bad = :forged AS right_row FROM churnwarn.verify_audit();
SELECT pg_temp.restore();

-- 9. Insert a copy of a row in the middle of a chain, under an id that a
--    rolled-back transaction left unused.
SELECT min(g) AS gap FROM generate_series(5, (SELECT max(id) FROM churnwarn.audit_log)) g
 WHERE g NOT IN (SELECT id FROM churnwarn.audit_log)
   AND g < (SELECT max(id) FROM churnwarn.audit_log WHERE customer_id = 'C1') \gset
SET session_replication_role = replica;
INSERT INTO churnwarn.audit_log (id, at, actor, table_name, operation, row_key,
	customer_id, new_row, image_salt, new_digest, seq, prev_hash, hash)
SELECT :gap, at, actor, table_name, operation, row_key, customer_id, new_row,
	   image_salt, new_digest, seq, prev_hash, hash
  FROM churnwarn.audit_log WHERE id = 3;
RESET session_replication_role;
SELECT ok, first_bad, first_bad = :gap AS right_row FROM churnwarn.verify_audit();
SELECT pg_temp.restore();

-- 10. Swap the contents of two rows of a chain (reordering).
SET session_replication_role = replica;
UPDATE churnwarn.audit_log a
   SET (at, actor, table_name, operation, row_key, customer_id, old_row, new_row,
		image_salt, old_digest, new_digest, seq, prev_hash, hash) =
	   (b.at, b.actor, b.table_name, b.operation, b.row_key, b.customer_id,
		b.old_row, b.new_row, b.image_salt, b.old_digest, b.new_digest, b.seq,
		b.prev_hash, b.hash)
  FROM pristine_log b
 WHERE (a.id, b.id) IN ((2, 3), (3, 2));
RESET session_replication_role;
SELECT id, seq FROM churnwarn.audit_log WHERE id IN (2, 3) ORDER BY id;
SELECT ok, first_bad, first_bad = 2 AS right_row FROM churnwarn.verify_audit();
SELECT pg_temp.restore();

-- 11. Move a row to another customer's chain: both chains break; the
--     smaller id is reported.
SET session_replication_role = replica;
UPDATE churnwarn.audit_log SET customer_id = 'C2' WHERE id = 4;
RESET session_replication_role;
SELECT ok, first_bad, first_bad = 4 AS right_row FROM churnwarn.verify_audit();
SELECT pg_temp.restore();

-- 12. Remove row images without an ERASE row (a fake erasure).
SET session_replication_role = replica;
UPDATE churnwarn.audit_log SET old_row = NULL, new_row = NULL, image_salt = NULL
 WHERE customer_id = 'C1' AND id >= 3;
RESET session_replication_role;
SELECT ok, first_bad, first_bad = 3 AS right_row FROM churnwarn.verify_audit();
SELECT pg_temp.restore();
SELECT * FROM churnwarn.verify_audit();

--
-- The erasure door: audit_erase() removes one customer's row images and
-- salts, keeps the digests, appends an ERASE row, and the log verifies.
--
SELECT churnwarn.audit_erase('C2', 'erasure request 2026-001');
SELECT id, operation, row_key, old_row, new_row, image_salt IS NULL AS no_salt,
	   length(old_digest) AS old_dlen, length(new_digest) AS new_dlen, seq
  FROM churnwarn.audit_log WHERE customer_id = 'C2' ORDER BY id;
SELECT * FROM churnwarn.verify_audit();
SELECT count(*) AS c2_text_left FROM churnwarn.audit_log
 WHERE customer_id = 'C2' AND (old_row::text LIKE '%C2%' OR new_row::text LIKE '%"v"%');
SELECT churnwarn.audit_erase(NULL, 'x');
SELECT churnwarn.audit_erase('C2', NULL);
-- The door stays shut for other statements after an erasure.
UPDATE churnwarn.audit_log SET new_row = NULL, image_salt = NULL WHERE customer_id = 'C1';

SELECT churnwarn.unaudit_table('churnwarn_test.thing');
SELECT churnwarn.unaudit_table('churnwarn_test.thing');
DROP VIEW log;
DROP SCHEMA churnwarn_test CASCADE;

-- The same backend after DROP and CREATE EXTENSION: cached OIDs and kept
-- plans are refreshed.  Heads moved in the transaction that drops the
-- extension go with it (and are not written into the new audit_chain).
BEGIN;
INSERT INTO churnwarn.customer (customer_id, name, tier) VALUES ('C9', 'Nine', 'ordinary');
UPDATE churnwarn.customer SET name = 'Nine Ltd' WHERE customer_id = 'C9';
DROP EXTENSION churnwarn;
CREATE EXTENSION churnwarn;
COMMIT;
SELECT count(*) AS heads_after_reinstall FROM churnwarn.audit_chain;
CREATE SCHEMA churnwarn_test;
CREATE TABLE churnwarn_test.thing (id int PRIMARY KEY, customer_id text, v int);
SELECT churnwarn.audit_table('churnwarn_test.thing');
INSERT INTO churnwarn_test.thing VALUES (1, 'C1', 0), (2, 'C1', 0);
SELECT id, table_name, operation, customer_id, seq, prev_hash IS NULL AS first
  FROM churnwarn.audit_log ORDER BY id;
SELECT * FROM churnwarn.verify_audit();

-- A transaction moves each head it appends to once, at commit: inside it
-- the head row of a chain it started is still empty (0 rows), while verify_audit()
-- checks the chain against the position to be committed; a PL/pgSQL
-- exception block that rolls back its own appends, and PREPARE
-- TRANSACTION, keep the chain and its head in step.
BEGIN;
INSERT INTO churnwarn_test.thing VALUES (5, 'C4', 0);
UPDATE churnwarn_test.thing SET v = v + 1 WHERE id = 5;
UPDATE churnwarn_test.thing SET v = v + 1 WHERE id = 5;
SELECT n_rows AS c4_head_inside FROM churnwarn.audit_chain WHERE customer_id = 'C4';
SELECT ok, first_bad FROM churnwarn.verify_audit();
DO $$
BEGIN
	UPDATE churnwarn_test.thing SET v = 100 WHERE id = 5;
	RAISE EXCEPTION 'undo';
EXCEPTION WHEN raise_exception THEN
	NULL;
END
$$;
UPDATE churnwarn_test.thing SET v = v + 1 WHERE id = 5;
SELECT ok, first_bad FROM churnwarn.verify_audit();
COMMIT;
SELECT h.n_rows AS c4_head, h.n_rows = count(l.*) AS head_counts_rows,
	   h.last_id = max(l.id) AS head_names_last
  FROM churnwarn.audit_chain h JOIN churnwarn.audit_log l USING (customer_id)
 WHERE customer_id = 'C4' GROUP BY h.n_rows, h.last_id;
-- Appends in a released savepoint belong to the transaction; those of a
-- savepoint rolled back after it are gone, and the chain goes on from the
-- last row kept.
BEGIN;
SAVEPOINT a;
UPDATE churnwarn_test.thing SET v = 10 WHERE id = 5;
RELEASE SAVEPOINT a;
SAVEPOINT b;
UPDATE churnwarn_test.thing SET v = 11 WHERE id = 5;
UPDATE churnwarn_test.thing SET v = 12 WHERE id = 5;
ROLLBACK TO SAVEPOINT b;
UPDATE churnwarn_test.thing SET v = 13 WHERE id = 5;
COMMIT;
SELECT seq, new_row->>'v' AS v FROM churnwarn.audit_log
 WHERE customer_id = 'C4' ORDER BY seq DESC LIMIT 2;
SELECT n_rows AS c4_head_after_savepoints FROM churnwarn.audit_chain WHERE customer_id = 'C4';
-- Nested: a rolled-back savepoint takes back its own appends and those of
-- the savepoints released inside it, and nothing before it; a later
-- sibling's rollback leaves a released one's appends (the head goes back
-- in memory, without reading the log).
BEGIN;
UPDATE churnwarn_test.thing SET v = 20 WHERE id = 5;
SAVEPOINT p;
UPDATE churnwarn_test.thing SET v = 21 WHERE id = 5;
SAVEPOINT c;
UPDATE churnwarn_test.thing SET v = 22 WHERE id = 5;
RELEASE SAVEPOINT c;
SAVEPOINT d;
UPDATE churnwarn_test.thing SET v = 23 WHERE id = 5;
ROLLBACK TO SAVEPOINT d;
SELECT string_agg(new_row->>'v', ',' ORDER BY seq) AS kept_in_p
  FROM churnwarn.audit_log WHERE customer_id = 'C4' AND (new_row->>'v')::int >= 20;
ROLLBACK TO SAVEPOINT p;
UPDATE churnwarn_test.thing SET v = 24 WHERE id = 5;
COMMIT;
SELECT string_agg(new_row->>'v', ',' ORDER BY seq) AS kept
  FROM churnwarn.audit_log WHERE customer_id = 'C4' AND (new_row->>'v')::int >= 20;
SELECT h.n_rows = count(l.*) AS head_counts_rows, h.last_id = max(l.id) AS head_names_last,
	   max(l.seq) = count(l.*) AS gapless
  FROM churnwarn.audit_chain h JOIN churnwarn.audit_log l USING (customer_id)
 WHERE customer_id = 'C4' GROUP BY h.n_rows, h.last_id;
SELECT ok, first_bad FROM churnwarn.verify_audit();
-- What a savepoint saves of a head lasts only while it is open, and a
-- head dropped by a rollback is reused without leaving its key behind:
-- per exception block the transaction's memory in use grows by the few
-- bytes PostgreSQL's own bookkeeping takes (14 here for a committed block:
-- its transaction id), not by a saved position (about 150 bytes each,
-- before) or a key.
INSERT INTO churnwarn_test.thing VALUES (-1, 'a customer key of some length', 0);
CREATE FUNCTION pg_temp.top_bytes() RETURNS bigint LANGUAGE sql AS $$
SELECT sum(used_bytes) FROM pg_backend_memory_contexts WHERE name = 'TopTransactionContext' $$;
CREATE TEMP TABLE saved_growth (committed numeric, aborted numeric, dropped numeric);
DO $$
DECLARE
	a bigint;
	b bigint;
	c bigint;
BEGIN
	UPDATE churnwarn_test.thing SET v = v + 1 WHERE id = 5;
	a := pg_temp.top_bytes();
	FOR i IN 1..2000 LOOP
		BEGIN
			UPDATE churnwarn_test.thing SET v = v + 1 WHERE id = 5;
		EXCEPTION WHEN others THEN
			NULL;
		END;
	END LOOP;
	b := pg_temp.top_bytes();
	FOR i IN 1..2000 LOOP
		BEGIN
			UPDATE churnwarn_test.thing SET v = v + 1 WHERE id = 5;
			RAISE EXCEPTION 'undo';
		EXCEPTION WHEN raise_exception THEN
			NULL;
		END;
	END LOOP;
	c := pg_temp.top_bytes();
	FOR i IN 1..2000 LOOP
		BEGIN
			PERFORM churnwarn.hold_chain('a customer key of some length', false);
			RAISE EXCEPTION 'undo';
		EXCEPTION WHEN raise_exception THEN
			NULL;
		END;
	END LOOP;
	INSERT INTO saved_growth VALUES ((b - a) / 2000.0, (c - b) / 2000.0,
		(pg_temp.top_bytes() - c) / 2000.0);
END
$$;
SELECT committed < 64 AS committed_blocks_bounded, aborted < 64 AS aborted_blocks_bounded,
	   dropped < 16 AS dropped_heads_bounded
  FROM saved_growth;
SELECT h.n_rows = count(l.*) AS head_counts_rows, max(l.seq) = count(l.*) AS gapless
  FROM churnwarn.audit_chain h JOIN churnwarn.audit_log l USING (customer_id)
 WHERE customer_id = 'C4' GROUP BY h.n_rows;
BEGIN;
UPDATE churnwarn_test.thing SET v = 7 WHERE id = 5;
PREPARE TRANSACTION 'churnwarn_audit_test';
COMMIT PREPARED 'churnwarn_audit_test';
SELECT n_rows AS c4_head_prepared FROM churnwarn.audit_chain WHERE customer_id = 'C4';
SELECT ok, first_bad FROM churnwarn.verify_audit();

-- One statement starts and writes the chains of 20,000 customers: chains
-- are locked through their head rows, not through one lock table entry
-- each (the shared lock table holds about 7,000 here), and the same
-- statement can move each head again.
INSERT INTO churnwarn_test.thing SELECT i, 'bulk-' || (i % 20000), 0
  FROM generate_series(10, 40009) i;
UPDATE churnwarn_test.thing SET v = 1 WHERE customer_id LIKE 'bulk-%';
SELECT count(*) AS bulk_rows, count(DISTINCT customer_id) AS bulk_chains,
       max(seq) AS longest
  FROM churnwarn.audit_log WHERE customer_id LIKE 'bulk-%';
SELECT count(*) AS bulk_heads FROM churnwarn.audit_chain WHERE customer_id LIKE 'bulk-%';
SELECT * FROM churnwarn.verify_audit();

-- An audit table of another shape is refused, not written into blindly;
-- the cached column map follows the ALTER and its rollback.
\set VERBOSITY sqlstate
BEGIN;
ALTER TABLE churnwarn.audit_log RENAME COLUMN actor TO who;
INSERT INTO churnwarn_test.thing VALUES (6, 'C4', 0);
ROLLBACK;
\set VERBOSITY default
BEGIN;
ALTER TABLE churnwarn.audit_log RENAME COLUMN actor TO who;
INSERT INTO churnwarn_test.thing VALUES (6, 'C4', 0);
ROLLBACK;
INSERT INTO churnwarn_test.thing VALUES (6, 'C4', 0);
SELECT ok, first_bad FROM churnwarn.verify_audit();

-- Row images are exactly to_jsonb(row), as text (jsonb equality would let
-- 1.50 equal 1.5), for every kind of column: the per-relation conversions
-- (text, integers, numbers with NaN and infinities, booleans, dates and
-- times with infinities, jsonb objects and scalars) and the types converted
-- by to_jsonb itself (json, arrays, composites, enums, domains, money...).
-- Also after a column is added and one dropped (the cached conversions
-- follow).
CREATE TYPE churnwarn_test.mood AS ENUM ('calm', 'angry');
CREATE TYPE churnwarn_test.pt AS (x int, y text);
CREATE DOMAIN churnwarn_test.code AS text CHECK (VALUE <> '');
CREATE DOMAIN churnwarn_test.qty AS int;
CREATE TABLE churnwarn_test.kinds (
	id int PRIMARY KEY, customer_id text, t text, vc varchar(10), bp char(4),
	nm name, i2 smallint, i8 bigint, num numeric, f4 real, f8 double precision,
	b boolean, d date, ts timestamp, tstz timestamptz, iv interval, tm time,
	u uuid, ba bytea, ip inet, o oid, rc regclass, j json, jb jsonb,
	ta text[], ia int[], p churnwarn_test.pt, m churnwarn_test.mood,
	c churnwarn_test.code, q churnwarn_test.qty, mo money);
SELECT churnwarn.audit_table('churnwarn_test.kinds');
INSERT INTO churnwarn_test.kinds VALUES
 (1, 'K1', 'plain "quoted" \ tab	end', 'vc', 'ab', 'nm', -32768, 9223372036854775807,
  1.50, 1.5, 0.1, true, '2026-11-29', '2026-11-29 10:00:00.123456',
  '2026-11-29 10:00:00+08', '1 day 02:00', '23:59:59', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '\x00ff', '10.0.0.1/8', 42, 'churnwarn.signal', '{"b": [1, 2], "a": null}',
  '{"z": 1.50, "a": {"k": [true, null, "s"]}}', '{a,"b c",NULL}', '{1,2,3}', '(1,"x y")',
  'angry', '代码', 7, 12.34),
 (2, 'K1', '', NULL, NULL, NULL, 0, -1, 'NaN', 'Infinity', '-Infinity', false,
  'infinity', '-infinity', 'infinity', '-1 mon', NULL, NULL, '\x', '::1', 0, NULL,
  '"scalar"', '"just a string"', '{}', '{}', NULL, 'calm', 'c', NULL, 0),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1e20, 1e-7, 1e300, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'null', '12.5000', NULL, NULL,
  NULL, NULL, NULL, NULL, NULL);
UPDATE churnwarn_test.kinds SET num = num * 2, jb = jb || '{"n": 1}' WHERE id = 1;
CREATE TEMP VIEW kinds_images AS
SELECT k.id,
       (SELECT a.new_row::text FROM churnwarn.audit_log a
         WHERE a.table_name = 'churnwarn_test.kinds' AND a.row_key = k.id::text
         ORDER BY a.id DESC LIMIT 1) = to_jsonb(k)::text AS image_is_to_jsonb
  FROM churnwarn_test.kinds k ORDER BY k.id;
SELECT * FROM kinds_images;
ALTER TABLE churnwarn_test.kinds ADD COLUMN extra numeric DEFAULT 3.000, DROP COLUMN vc;
UPDATE churnwarn_test.kinds SET i8 = 5 WHERE id = 2;
UPDATE churnwarn_test.kinds SET i2 = 1 WHERE id <> 2;
SELECT * FROM kinds_images;
SELECT new_row ? 'extra' AS has_added, new_row ? 'vc' AS has_dropped
  FROM churnwarn.audit_log WHERE table_name = 'churnwarn_test.kinds'
 ORDER BY id DESC LIMIT 1;
-- The same for churnwarn's own tables, written by the grading pipeline.
INSERT INTO churnwarn.customer (customer_id, tier) VALUES ('K9', 'core');
SELECT churnwarn.report_signal('K9', 'competitor_deal', now() - interval '1 hour',
                               '{"channel": "email"}', 'am', 12.5) > 0 AS reported;
SELECT churnwarn.report_signal('K9', 'order_cut', now() - interval '2 hours',
                               '{}', NULL, 40) > 0 AS reported;
WITH latest AS (
  SELECT DISTINCT ON (table_name, row_key) table_name, row_key, new_row
    FROM churnwarn.audit_log
   WHERE customer_id = 'K9' AND new_row IS NOT NULL
   ORDER BY table_name, row_key, id DESC),
current AS (
  SELECT 'churnwarn.signal' AS table_name, id::text AS row_key, to_jsonb(x) AS img FROM churnwarn.signal x
  UNION ALL SELECT 'churnwarn.customer', customer_id, to_jsonb(x) FROM churnwarn.customer x
  UNION ALL SELECT 'churnwarn.warning', id::text, to_jsonb(x) FROM churnwarn.warning x
  UNION ALL SELECT 'churnwarn.warning_event', id::text, to_jsonb(x) FROM churnwarn.warning_event x
  UNION ALL SELECT 'churnwarn.grade_history', id::text, to_jsonb(x) FROM churnwarn.grade_history x)
SELECT l.table_name, count(*) AS images,
       count(*) FILTER (WHERE l.new_row::text IS DISTINCT FROM c.img::text) AS differing
  FROM latest l LEFT JOIN current c USING (table_name, row_key)
 GROUP BY 1 ORDER BY 1;
SELECT ok, first_bad FROM churnwarn.verify_audit();

-- churnwarn.signal's inserts are audited once per statement, from the
-- transition table: still one audit row per signal, in the order the rows
-- were inserted, and written before signal_grade regrades their customers
-- (statement triggers fire in name order), so on each chain the signals
-- come before the grade changes they caused.  A multi-row INSERT, a
-- savepoint rolled back, a COPY; updates stay row by row; the log verifies.
SELECT tgname, tgtype FROM pg_trigger
 WHERE tgrelid = 'churnwarn.signal'::regclass AND tgname LIKE 'churnwarn_audit%' ORDER BY 1;
BEGIN;
INSERT INTO churnwarn.customer (customer_id, tier) VALUES ('SB1', 'core'), ('SB2', 'ordinary');
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at)
VALUES ('SB1', 'complaint', now() - interval '2 hours'),
       ('SB2', 'late_payment', now() - interval '1 hour'),
       ('SB1', 'termination_notice', now() - interval '1 hour');
SAVEPOINT s;
INSERT INTO churnwarn.signal (customer_id, signal_type) VALUES ('SB2', 'competitor_deal');
ROLLBACK TO SAVEPOINT s;
COPY churnwarn.signal (customer_id, signal_type, detail) FROM STDIN;
SB2	cold_response	{"via": "copy"}
SB2	complaint	{"via": "copy"}
\.
UPDATE churnwarn.signal SET status = 'resolved', closed_at = now()
 WHERE customer_id = 'SB2' AND signal_type = 'late_payment';
COMMIT;
SELECT customer_id AS cust, seq, table_name, operation,
       coalesce(new_row->>'signal_type', new_row->>'event',
                'level ' || (new_row->>'proposed_level'), 'to ' || (new_row->>'to_level')) AS what
  FROM churnwarn.audit_log WHERE customer_id IN ('SB1', 'SB2') ORDER BY customer_id, seq;
-- every signal has exactly its INSERT row, and ids follow the insertion order
SELECT count(*) AS signals,
       count(*) FILTER (WHERE (SELECT count(*) FROM churnwarn.audit_log a
                                WHERE a.table_name = 'churnwarn.signal' AND a.operation = 'INSERT'
                                  AND a.row_key = s.id::text) = 1) AS audited_once
  FROM churnwarn.signal s WHERE customer_id IN ('SB1', 'SB2');
SELECT array_agg(row_key ORDER BY id) = array_agg(row_key ORDER BY row_key::bigint) AS in_insert_order
  FROM churnwarn.audit_log
 WHERE table_name = 'churnwarn.signal' AND operation = 'INSERT' AND customer_id IN ('SB1', 'SB2');
SELECT ok, first_bad FROM churnwarn.verify_audit();
-- A statement's rows are appended under the heads its pre-pass took,
-- found again per row from work_mem's worth of hints (four bytes a row:
-- 16,384 rows at 64kB); the rows beyond look their heads up.  Both kinds,
-- customers interleaved, one chain already held before the statement:
-- every chain gapless, ids rising along it, the log verifies.
BEGIN;
SET LOCAL work_mem = '64kB';
INSERT INTO churnwarn.customer (customer_id, tier)
SELECT 'HINT' || i, 'ordinary' FROM generate_series(1, 40) i;
INSERT INTO churnwarn.signal (customer_id, signal_type) VALUES ('HINT7', 'complaint');
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at)
SELECT 'HINT' || (i * 7 % 40 + 1), 'cold_response', now() - interval '3 years'
  FROM generate_series(1, 17000) i;
SELECT count(*) FILTER (WHERE table_name = 'churnwarn.signal') AS signal_rows,
       count(DISTINCT customer_id) AS chains,
       bool_and(seq = by_seq) AS gapless, bool_and(by_seq = by_id) AS ids_rise
  FROM (SELECT customer_id, table_name, seq,
               row_number() OVER (PARTITION BY customer_id ORDER BY seq) AS by_seq,
               row_number() OVER (PARTITION BY customer_id ORDER BY id) AS by_id
          FROM churnwarn.audit_log WHERE customer_id LIKE 'HINT%') s;
SELECT ok, first_bad FROM churnwarn.verify_audit();
ROLLBACK;
-- an INSERT of no rows writes nothing; an append nested in the
-- statement's (an owner's trigger on the log writing to an audited table)
-- makes its own write instead of sharing the statement's
INSERT INTO churnwarn.signal (customer_id, signal_type) SELECT 'SB1', 'complaint' WHERE false;
CREATE FUNCTION churnwarn_test.echo() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.table_name = 'churnwarn.signal' THEN
		INSERT INTO churnwarn_test.thing VALUES (900000 + NEW.seq::int, 'SB-echo', 0);
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER echo BEFORE INSERT ON churnwarn.audit_log
	FOR EACH ROW EXECUTE FUNCTION churnwarn_test.echo();
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at)
VALUES ('SB1', 'event_declined', now()), ('SB2', 'event_declined', now());
DROP TRIGGER echo ON churnwarn.audit_log;
-- ... but a BEFORE trigger on the log that writes to the same customer's
-- chain while that chain's row is being inserted would take the row's
-- position and fork the chain: refused (55006), nothing written
CREATE FUNCTION churnwarn_test.same_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.table_name = 'churnwarn.signal' THEN
		INSERT INTO churnwarn_test.thing VALUES (700000 + NEW.seq::int, NEW.customer_id, 0);
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER same_chain BEFORE INSERT ON churnwarn.audit_log
	FOR EACH ROW EXECUTE FUNCTION churnwarn_test.same_chain();
SELECT count(*) AS sb1_rows_before FROM churnwarn.audit_log WHERE customer_id = 'SB1' \gset
\set VERBOSITY terse
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at) VALUES ('SB1', 'complaint', now());
\echo :SQLSTATE
\set VERBOSITY default
SELECT count(*) = :sb1_rows_before AS nothing_written FROM churnwarn.audit_log WHERE customer_id = 'SB1';
-- a trigger that catches the refusal goes on, and the chain stays whole
CREATE OR REPLACE FUNCTION churnwarn_test.same_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.table_name = 'churnwarn.signal' THEN
		BEGIN
			INSERT INTO churnwarn_test.thing VALUES (700000 + NEW.seq::int, NEW.customer_id, 0);
		EXCEPTION WHEN object_in_use THEN
			NULL;
		END;
	END IF;
	RETURN NEW;
END $$;
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at) VALUES ('SB1', 'complaint', now());
DROP TRIGGER same_chain ON churnwarn.audit_log;
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at) VALUES ('SB1', 'complaint', now());
SELECT count(*) - :sb1_rows_before AS sb1_rows_added FROM churnwarn.audit_log WHERE customer_id = 'SB1';
SELECT ok, first_bad FROM churnwarn.verify_audit();
-- the same through a trigger on the chain heads: an append nested in the
-- creation of a chain's head is refused as well
CREATE FUNCTION churnwarn_test.head_echo() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('churnwarn_test.echo', true) = 'on' THEN
		PERFORM set_config('churnwarn_test.echo', 'off', true);
		INSERT INTO churnwarn_test.thing VALUES (690000, NEW.customer_id, 0);
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER head_echo BEFORE INSERT ON churnwarn.audit_chain
	FOR EACH ROW EXECUTE FUNCTION churnwarn_test.head_echo();
BEGIN;
SET LOCAL churnwarn_test.echo = 'on';
\set VERBOSITY terse
INSERT INTO churnwarn_test.thing VALUES (690001, 'RE1', 1);
\echo :SQLSTATE
\set VERBOSITY default
ROLLBACK;
DROP TRIGGER head_echo ON churnwarn.audit_chain;
SELECT count(*) AS re1_rows FROM churnwarn.audit_log WHERE customer_id = 'RE1';
SELECT ok, first_bad FROM churnwarn.verify_audit();
SELECT customer_id AS cust, table_name, count(*) AS rows FROM churnwarn.audit_log
 WHERE (customer_id IN ('SB1', 'SB2') AND new_row->>'signal_type' = 'event_declined')
    OR customer_id = 'SB-echo'
 GROUP BY 1, 2 ORDER BY 1, 2;
SELECT ok, first_bad FROM churnwarn.verify_audit();
-- a statement's audit rows (written with the log's page kept pinned) still
-- pass the log's CHECK constraints and reach its AFTER ROW triggers, one
-- call per row, as a DBA shipping the log elsewhere would need
CREATE TABLE churnwarn_test.shipped (audit_id bigint PRIMARY KEY);
CREATE FUNCTION churnwarn_test.ship() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO churnwarn_test.shipped VALUES (NEW.id);
	RETURN NULL;
END $$;
CREATE TRIGGER ship AFTER INSERT ON churnwarn.audit_log
	FOR EACH ROW EXECUTE FUNCTION churnwarn_test.ship();
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at)
SELECT 'SB' || (1 + i % 2), 'cold_response', now() - i * interval '1 hour'
  FROM generate_series(1, 6) i;
DROP TRIGGER ship ON churnwarn.audit_log;
SELECT count(*) AS shipped,
       count(*) FILTER (WHERE a.new_row->>'signal_type' = 'cold_response') AS of_the_signals
  FROM churnwarn_test.shipped s JOIN churnwarn.audit_log a ON a.id = s.audit_id
 WHERE a.table_name = 'churnwarn.signal';
ALTER TABLE churnwarn.audit_log ADD CONSTRAINT test_no_robots CHECK (actor <> 'robot') NOT VALID;
BEGIN;
SET LOCAL churnwarn.actor = 'robot';
\set VERBOSITY terse
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at)
VALUES ('SB1', 'complaint', now()), ('SB2', 'complaint', now());
\echo :SQLSTATE
\set VERBOSITY default
ROLLBACK;
ALTER TABLE churnwarn.audit_log DROP CONSTRAINT test_no_robots;
-- a row refused after the batch has pinned a page of the log, caught in a
-- subtransaction; the transaction goes on with another batch
ALTER TABLE churnwarn.audit_log ADD CONSTRAINT test_not_sb2 CHECK (customer_id <> 'SB2') NOT VALID;
BEGIN;
DO $$
BEGIN
	INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at)
	VALUES ('SB1', 'late_payment', now()), ('SB1', 'late_payment', now()), ('SB2', 'late_payment', now());
EXCEPTION WHEN check_violation THEN
	RAISE NOTICE 'refused: %', SQLERRM;
END $$;
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at)
VALUES ('SB1', 'contact_change', now()), ('SB1', 'contact_change', now());
COMMIT;
ALTER TABLE churnwarn.audit_log DROP CONSTRAINT test_not_sb2;
SELECT count(*) FILTER (WHERE new_row->>'signal_type' = 'late_payment') AS refused_kept,
       count(*) FILTER (WHERE new_row->>'signal_type' = 'contact_change') AS after
  FROM churnwarn.audit_log WHERE customer_id = 'SB1' AND table_name = 'churnwarn.signal';
-- an append nested in a subtransaction while a batch builds an image (a
-- cast to json, called for a column of the signal table, that writes to an
-- audited table and catches errors) makes its own write: the batch's page
-- pin is not the subtransaction's to take or release
CREATE TYPE churnwarn_test.feeling AS ENUM ('calm', 'upset');
CREATE FUNCTION churnwarn_test.feeling_json(m churnwarn_test.feeling) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
	BEGIN
		INSERT INTO churnwarn_test.thing VALUES (800000 + (SELECT count(*) FROM churnwarn_test.thing)::int, 'SB-feeling', 0);
	EXCEPTION WHEN unique_violation THEN
		NULL;
	END;
	RETURN to_json(m::text);
END $$;
CREATE CAST (churnwarn_test.feeling AS json) WITH FUNCTION churnwarn_test.feeling_json(churnwarn_test.feeling);
ALTER TABLE churnwarn.signal ADD COLUMN test_feeling churnwarn_test.feeling;
INSERT INTO churnwarn.signal (customer_id, signal_type, observed_at, test_feeling)
SELECT 'SB' || (1 + i % 2), 'dissatisfaction', now(), 'upset' FROM generate_series(1, 4) i;
ALTER TABLE churnwarn.signal DROP COLUMN test_feeling;
SELECT customer_id AS cust, count(*) AS rows,
       count(*) FILTER (WHERE new_row->>'test_feeling' = 'upset') AS with_mood
  FROM churnwarn.audit_log
 WHERE (customer_id IN ('SB1', 'SB2') AND new_row->>'signal_type' = 'dissatisfaction')
    OR customer_id = 'SB-feeling'
 GROUP BY 1 ORDER BY 1;
SELECT ok, first_bad FROM churnwarn.verify_audit();
-- the statement form is for INSERT with a transition table only
CREATE TABLE churnwarn_test.stmt (id int PRIMARY KEY, customer_id text);
CREATE TRIGGER misuse AFTER UPDATE ON churnwarn_test.stmt
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.audit_trigger();
INSERT INTO churnwarn_test.stmt VALUES (1, 'x');
UPDATE churnwarn_test.stmt SET customer_id = 'y';
\echo :SQLSTATE
CREATE TRIGGER misuse2 AFTER INSERT ON churnwarn_test.stmt
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.audit_trigger();
INSERT INTO churnwarn_test.stmt VALUES (2, 'x');
\echo :SQLSTATE

-- The heads are written at commit, where no statement's snapshot is
-- active: an owner's PL/pgSQL trigger on churnwarn.audit_chain still runs
-- (it failed the commit with "cannot execute SQL without an outer
-- snapshot or portal").
CREATE TABLE churnwarn_test.head_writes (customer_id text, rows_seen bigint);
CREATE FUNCTION churnwarn_test.head_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO churnwarn_test.head_writes
	SELECT NEW.customer_id, count(*) FROM churnwarn.audit_log WHERE customer_id = NEW.customer_id;
	RETURN NEW;
END $$;
CREATE TRIGGER head_seen BEFORE UPDATE ON churnwarn.audit_chain
	FOR EACH ROW EXECUTE FUNCTION churnwarn_test.head_seen();
INSERT INTO churnwarn.customer (customer_id, tier) VALUES ('SNAP1', 'core');
INSERT INTO churnwarn.signal (customer_id, signal_type) VALUES ('SNAP1', 'complaint');
DROP TRIGGER head_seen ON churnwarn.audit_chain;
SELECT count(*) > 0 AS trigger_ran, bool_and(rows_seen > 0) AS saw_the_log,
       (SELECT count(*) FROM churnwarn.signal WHERE customer_id = 'SNAP1') AS signals
  FROM churnwarn_test.head_writes WHERE customer_id = 'SNAP1';

-- Every row hash again, over the whole log: rows written by statement
-- batches, erased images and the configuration chain included.
SELECT rows_hashed > 100 AS many, rows_hashed = rows_matching AS all_match FROM pg_temp.rehash();

-- Clean up.
DROP SCHEMA churnwarn_test CASCADE;
DROP ROLE churnwarn_test_staff;
DROP ROLE churnwarn_test_owner;
