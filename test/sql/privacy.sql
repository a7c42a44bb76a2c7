-- privacy: the dossier and its access register, the roles of setup_roles()
-- with row-level security and masking, erasure (forget) and retention
-- (purge_expired).  Pseudonyms depend on the installation's random key, so
-- they are compared, never printed.
\pset null '(null)'
\set SHOW_CONTEXT never
SET timezone = 'UTC';
-- a fresh extension: earlier tests leave rows behind
DROP EXTENSION churnwarn;
CREATE EXTENSION churnwarn;
SET churnwarn.actor = 'app';

SELECT churnwarn.setup_roles();
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'churnwarn\_%' ORDER BY 1;
CREATE ROLE regress_admin LOGIN IN ROLE churnwarn_admin;
CREATE ROLE regress_staff LOGIN IN ROLE churnwarn_staff;
CREATE ROLE regress_auditor LOGIN IN ROLE churnwarn_auditor;
CREATE ROLE regress_partner_a LOGIN IN ROLE churnwarn_partner;
CREATE ROLE regress_partner_b LOGIN IN ROLE churnwarn_partner;
CREATE ROLE regress_bi LOGIN IN ROLE churnwarn_bi;

-- Row-level security on every table keyed by customer, forced.
SELECT c.relname, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
	(SELECT string_agg(p.polname || CASE WHEN p.polpermissive THEN '' ELSE ' (restrictive)' END, ', ' ORDER BY p.polname)
	 FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
FROM pg_class c
WHERE c.relnamespace = 'churnwarn'::regnamespace AND c.relkind = 'r'
	AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'customer_id')
ORDER BY 1;
-- Views: which run as the invoker, which with their owner's rights
SELECT c.relname, COALESCE(c.reloptions, '{}') AS options
FROM pg_class c WHERE c.relnamespace = 'churnwarn'::regnamespace AND c.relkind = 'v' ORDER BY 1;

-- The privilege matrix on the main objects.
SELECT r.rolname AS role, o.obj,
	CASE WHEN o.kind = 'f' THEN CASE WHEN has_function_privilege(r.rolname, o.obj, 'EXECUTE') THEN 'X' ELSE '-' END
	ELSE concat_ws('', CASE WHEN has_table_privilege(r.rolname, o.obj, 'SELECT') THEN 'r'
			WHEN has_any_column_privilege(r.rolname, o.obj, 'SELECT') THEN 'c' ELSE '-' END,
		CASE WHEN has_table_privilege(r.rolname, o.obj, 'INSERT') THEN 'a' ELSE '-' END,
		CASE WHEN has_table_privilege(r.rolname, o.obj, 'UPDATE') THEN 'w' ELSE '-' END,
		CASE WHEN has_table_privilege(r.rolname, o.obj, 'DELETE') THEN 'd' ELSE '-' END) END AS privs
FROM (VALUES ('churnwarn_admin'), ('churnwarn_staff'), ('churnwarn_auditor'), ('churnwarn_partner'), ('churnwarn_bi')) r(rolname)
CROSS JOIN (VALUES
	(1, 't', 'churnwarn.customer'), (2, 't', 'churnwarn.signal'), (3, 't', 'churnwarn.warning'),
	(4, 't', 'churnwarn.warning_event'), (5, 't', 'churnwarn.grade_history'), (6, 't', 'churnwarn.signal_type'),
	(7, 't', 'churnwarn.partner_assignment'), (8, 't', 'churnwarn.access_register'),
	(9, 't', 'churnwarn.audit_log'), (10, 't', 'churnwarn.mask_key'), (11, 't', 'churnwarn.personal_column'),
	(12, 't', 'churnwarn.customer_risk'), (13, 't', 'churnwarn.period_review'), (14, 't', 'churnwarn.assessment'),
	(15, 't', 'churnwarn.warning_facts'),
	(20, 'f', 'churnwarn.report_signal(text,text,timestamptz,jsonb,text,numeric)'),
	(21, 'f', 'churnwarn.grade(text)'), (22, 'f', 'churnwarn.use_scheme(text)'),
	(23, 'f', 'churnwarn.close_period(text,text)'), (24, 'f', 'churnwarn.dossier(text,text)'),
	(25, 'f', 'churnwarn.verify_audit()'), (26, 'f', 'churnwarn.forget(text,text)'),
	(27, 'f', 'churnwarn.purge_expired(date)'), (28, 'f', 'churnwarn.setup_roles()'),
	(29, 'f', 'churnwarn.audit_erase(text,text)'), (30, 'f', 'churnwarn.mask_personal(text)')
) o(n, kind, obj)
ORDER BY o.n, r.rolname \crosstabview obj role privs

-- setup_roles() twice gives the same result.
CREATE TEMP VIEW privilege_state AS
SELECT md5(string_agg(x, E'\n' ORDER BY x)) AS state FROM (
	SELECT c.oid::regclass::text || ' ' || COALESCE(c.relacl::text, '') || ' ' || c.relrowsecurity || c.relforcerowsecurity AS x
	FROM pg_class c WHERE c.relnamespace = 'churnwarn'::regnamespace
	UNION ALL
	SELECT a.attrelid::regclass::text || '.' || a.attname || ' ' || a.attacl::text
	FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	WHERE c.relnamespace = 'churnwarn'::regnamespace AND a.attacl IS NOT NULL
	UNION ALL
	SELECT p.oid::regprocedure::text || ' ' || COALESCE(p.proacl::text, '')
	FROM pg_proc p WHERE p.pronamespace = 'churnwarn'::regnamespace
	UNION ALL
	SELECT p.polrelid::regclass::text || ' ' || p.polname || ' ' || p.polpermissive || ' ' || p.polroles::text
		|| ' ' || COALESCE(pg_get_expr(p.polqual, p.polrelid), '')
	FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace = 'churnwarn'::regnamespace
	UNION ALL
	SELECT r.rolname || ' ' || r.rolcanlogin FROM pg_roles r WHERE r.rolname LIKE 'churnwarn\_%'
) s;
CREATE TEMP TABLE state_before AS SELECT * FROM privilege_state;
SELECT churnwarn.setup_roles();
SELECT (SELECT state FROM state_before) = (SELECT state FROM privilege_state) AS same_after_second_run;

--
-- Data: three customers of 2026, partner A serves p1, partner B serves p2.
--
SET churnwarn.clock = '2026-03-02 10:00+00';
INSERT INTO churnwarn.department VALUES ('sales', 'Sales', '销售部', 'head.sales');
INSERT INTO churnwarn.customer (customer_id, name, contact, owner, tier, department, created_at) VALUES
	('p1', 'Zhang Wei Trading', 'li.na@example.com', 'wang.fang', 'ordinary', 'sales', '2025-01-01'),
	('p2', 'Second Co', 'bob@example.com', 'chen.jie', 'important', 'sales', '2025-01-01'),
	('p3', 'Third Co', 'carol@example.com', 'chen.jie', 'ordinary', 'sales', '2025-01-01');
SELECT churnwarn.report_signal('p1', 'complaint', '2026-03-01 10:00+00',
	'{"note": "called li.na@example.com about the invoice"}', 'zhao.lei') AS s1;
SELECT churnwarn.report_signal('p1', 'competitor_contact', '2026-03-02 09:00+00', '{}', 'zhao.lei') AS s2;
SELECT churnwarn.report_signal('p2', 'termination_notice', '2026-03-02 09:00+00', '{}', 'chen.jie') AS s3;
SELECT churnwarn.report_signal('p3', 'late_payment', '2026-03-02 09:00+00', '{}', 'chen.jie') AS s4;
SELECT churnwarn.resolve_signal(1, 'Li Na (li.na@example.com) says it is settled');
UPDATE churnwarn.warning SET owner = 'wang.fang', department = 'sales' WHERE customer_id = 'p1';
INSERT INTO churnwarn.suggestion (customer_id, department, person, title, submitted_at, adopted_at)
VALUES ('p1', 'sales', 'zhao.lei', 'call Zhang Wei Trading monthly', '2026-03-02', '2026-03-02');
INSERT INTO churnwarn.partner_assignment (partner, customer_id) VALUES ('regress_partner_a', 'p1'), ('regress_partner_b', 'p2');
UPDATE churnwarn.customer SET legal_hold = true WHERE customer_id = 'p2';
-- statistics, as autovacuum would gather them (else the planner guesses
-- high costs for the review views and turns JIT compilation on)
ANALYZE churnwarn.customer, churnwarn.warning, churnwarn.warning_event, churnwarn.signal,
	churnwarn.grade_history, churnwarn.suggestion, churnwarn.partner_assignment;
-- an assignment must name a role
INSERT INTO churnwarn.partner_assignment (partner, customer_id) VALUES ('regress_nobody', 'p3');
\echo :SQLSTATE

--
-- The dossier and its access register.
--
SET churnwarn.actor = 'auditor.ma';
SELECT d->>'customer_id' AS customer, d->'masked' AS masked, d->'customer'->>'name' AS name,
	d->'customer'->>'contact' AS contact, jsonb_array_length(d->'signals') AS signals,
	d->'signals'->0->>'reported_by' AS reporter, d->'signals'->0->'detail' AS detail,
	jsonb_array_length(d->'warnings') AS warnings, jsonb_array_length(d->'warnings'->0->'events') AS events,
	d->'warnings'->0->>'owner' AS warning_owner, jsonb_array_length(d->'grade_history') AS grades,
	jsonb_array_length(d->'suggestion') AS suggestions, d->'grade'->'level' AS level,
	jsonb_array_length(d->'access_register') AS accesses
FROM churnwarn.dossier('p1', 'annual review') d;
SELECT string_agg(k, ', ' ORDER BY k) AS dossier_keys FROM jsonb_object_keys(churnwarn.dossier('p1')) k;
SELECT churnwarn.dossier('nobody');
\echo :SQLSTATE
SELECT churnwarn.dossier(NULL);
\echo :SQLSTATE
RESET churnwarn.actor;
SELECT id, customer_id, who, reader, action, purpose, masked FROM churnwarn.access_register ORDER BY id;
-- the register is append-only and audited
UPDATE churnwarn.access_register SET purpose = 'other' WHERE id = 1;
\echo :SQLSTATE
DELETE FROM churnwarn.access_register WHERE id = 1;
\echo :SQLSTATE
TRUNCATE churnwarn.access_register;
\echo :SQLSTATE
SELECT operation, row_key, new_row->>'purpose' AS purpose FROM churnwarn.audit_log
WHERE table_name = 'churnwarn.access_register' ORDER BY id;

--
-- Each role's allowed and refused actions.
--
SET ROLE regress_staff;
SELECT churnwarn.report_signal('p3', 'cold_response', '2026-03-02 09:30+00', '{}', 'chen.jie') AS staff_reports;
SELECT churnwarn.withdraw_signal(5, 'reported twice');
SELECT churnwarn.grade('p1') AS staff_grades, churnwarn.explain('p1')->'level' AS staff_explains;
SELECT count(*) AS staff_reads_risk FROM churnwarn.customer_risk;
SELECT d->'masked' AS staff_dossier_masked FROM churnwarn.dossier('p3', 'call preparation') d;
SELECT churnwarn.use_scheme('four_level');
\echo :SQLSTATE
SELECT churnwarn.forget('p3', 'staff may not');
\echo :SQLSTATE
SELECT count(*) FROM churnwarn.audit_log;
\echo :SQLSTATE
SELECT * FROM churnwarn.verify_audit();
\echo :SQLSTATE
UPDATE churnwarn.grade_history SET score = 0;
\echo :SQLSTATE
UPDATE churnwarn.signal_type SET weight = 0 WHERE code = 'complaint';
\echo :SQLSTATE
RESET ROLE;

SET ROLE regress_auditor;
SELECT count(*) > 0 AS auditor_reads_log FROM churnwarn.audit_log;
SELECT ok AS auditor_verifies FROM churnwarn.verify_audit();
SELECT d->'masked' AS auditor_dossier_masked FROM churnwarn.dossier('p2', 'audit 2026') d;
SELECT count(*) AS auditor_reads_review FROM churnwarn.period_review;
SELECT churnwarn.report_signal('p3', 'complaint');
\echo :SQLSTATE
INSERT INTO churnwarn.customer (customer_id) VALUES ('x');
\echo :SQLSTATE
UPDATE churnwarn.customer SET tier = 'core' WHERE customer_id = 'p3';
\echo :SQLSTATE
SELECT churnwarn.forget('p3', 'auditor may not');
\echo :SQLSTATE
SELECT * FROM churnwarn.mask_key;
\echo :SQLSTATE
RESET ROLE;

SET ROLE regress_admin;
UPDATE churnwarn.signal_type SET weight = 4.5 WHERE code = 'complaint';
SELECT count(*) AS admin_reads_log FROM churnwarn.audit_log WHERE customer_id IS NULL;
SELECT churnwarn.setup_roles();
\echo :SQLSTATE
SELECT churnwarn.audit_erase('p3', 'around forget');
\echo :SQLSTATE
DELETE FROM churnwarn.audit_log;
\echo :SQLSTATE
RESET ROLE;

--
-- Partners see only their customers, through every table and every view
-- they can read; personal columns are withheld or masked.
--
CREATE FUNCTION pg_temp.visible_customers()
RETURNS TABLE (relation text, kind "char", customers text)
LANGUAGE plpgsql AS $$
DECLARE
	rel record;
BEGIN
	FOR rel IN
		SELECT c.relname, c.relkind FROM pg_class c
		WHERE c.relnamespace = 'churnwarn'::regnamespace AND c.relkind IN ('r', 'v')
			AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'customer_id')
		ORDER BY c.relkind, c.relname
	LOOP
		relation := rel.relname;
		kind := rel.relkind;
		BEGIN
			EXECUTE format('SELECT COALESCE(string_agg(DISTINCT customer_id, '','' ORDER BY customer_id), ''(none)'') FROM churnwarn.%I', rel.relname)
				INTO customers;
		EXCEPTION WHEN insufficient_privilege THEN
			customers := 'denied';
		END;
		RETURN NEXT;
	END LOOP;
END
$$;
SET ROLE regress_partner_a;
SELECT * FROM pg_temp.visible_customers();
-- views without a customer column
SELECT count(*) FROM churnwarn.period_review;
\echo :SQLSTATE
SELECT count(*) FROM churnwarn.assessment;
\echo :SQLSTATE
SELECT count(*) FROM churnwarn.incentive_stats;
\echo :SQLSTATE
SELECT count(*) FROM churnwarn.period_corrections;
\echo :SQLSTATE
SELECT name FROM churnwarn.customer;
\echo :SQLSTATE
SELECT reported_by FROM churnwarn.signal;
\echo :SQLSTATE
SELECT customer_id, signal_type, status FROM churnwarn.signal ORDER BY id;
SELECT customer_id, name LIKE 'anon-%' AS name_masked, owner LIKE 'anon-%' AS owner_masked, proposed_level
FROM churnwarn.customer_risk;
SELECT d->'masked' AS masked, d->'customer'->>'name' LIKE 'anon-%' AS name_masked,
	d->'customer'->>'contact' LIKE 'anon-%' AS contact_masked,
	d->'signals'->0->>'reported_by' LIKE 'anon-%' AS reporter_masked, d->'signals'->0->'detail' AS detail,
	d->'signals'->0->'closed_note' AS note, d->'warnings'->0->>'owner' LIKE 'anon-%' AS owner_masked,
	d ? 'access_register' AS sees_register, d->'customer'->>'tier' AS tier
FROM churnwarn.dossier('p1', 'recovery call') d;
SELECT churnwarn.dossier('p2');
\echo :SQLSTATE
SELECT churnwarn.report_signal('p1', 'complaint');
\echo :SQLSTATE
INSERT INTO churnwarn.signal (customer_id, signal_type) VALUES ('p1', 'complaint');
\echo :SQLSTATE
SELECT partner, customer_id FROM churnwarn.partner_assignment;
RESET ROLE;
SET ROLE regress_partner_b;
SELECT * FROM pg_temp.visible_customers() WHERE kind = 'r' AND customers <> 'denied';
SELECT customer_id FROM churnwarn.customer_risk;
RESET ROLE;
-- the pseudonyms a partner saw are the masked values, stable across views
SET ROLE regress_partner_a;
CREATE TEMP TABLE seen_by_partner AS SELECT name, owner FROM churnwarn.customer_risk;
RESET ROLE;
SELECT name = churnwarn.mask_personal('Zhang Wei Trading') AS name_is_pseudonym,
	owner = churnwarn.mask_personal('wang.fang') AS owner_is_pseudonym
FROM seen_by_partner;

-- BI: the review views only, masked.
SET ROLE regress_bi;
SELECT * FROM pg_temp.visible_customers();
CREATE TEMP TABLE seen_by_bi AS
SELECT customer_id, name, owner FROM churnwarn.customer_risk;
SELECT count(*) AS review_rows FROM churnwarn.period_review WHERE period = '2026-Q1';
CREATE TEMP TABLE bi_persons AS
SELECT DISTINCT person FROM churnwarn.assessment WHERE person IS NOT NULL;
SELECT count(*) FROM churnwarn.incentive_stats;
SELECT churnwarn.dossier('p1');
\echo :SQLSTATE
SELECT * FROM churnwarn.customer;
\echo :SQLSTATE
RESET ROLE;
SELECT customer_id, b.name = churnwarn.mask_personal(c.name) AS name_masked,
	b.owner = churnwarn.mask_personal(c.owner) AS owner_masked
FROM seen_by_bi b JOIN churnwarn.customer c USING (customer_id) ORDER BY 1;
SELECT p.person AS real_person, b.person IS NOT NULL AS bi_sees_its_pseudonym
FROM (SELECT DISTINCT person FROM churnwarn.assessment WHERE person IS NOT NULL) p
LEFT JOIN bi_persons b ON b.person = churnwarn.mask_personal(p.person) ORDER BY 1;
SELECT count(*) AS unmasked_persons_seen_by_bi FROM bi_persons WHERE person NOT LIKE 'anon-%';

--
-- forget(): refused under legal hold and for bad input; afterwards no
-- personal value of p1 anywhere, the chain verifies, statistics unchanged.
--
SELECT churnwarn.forget('p2', 'GDPR request 2026-002');
\echo :SQLSTATE
SELECT churnwarn.forget('nobody', 'GDPR request 2026-003');
\echo :SQLSTATE
SELECT churnwarn.forget(NULL, 'x');
\echo :SQLSTATE
SELECT churnwarn.forget('p1', NULL);
\echo :SQLSTATE
SELECT churnwarn.forget('p1', ' ');
\echo :SQLSTATE

CREATE FUNCTION pg_temp.find_personal(patterns text[])
RETURNS TABLE (place text, hits bigint)
LANGUAGE plpgsql AS $$
DECLARE
	col record;
BEGIN
	FOR col IN
		SELECT c.relname, a.attname FROM pg_class c
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		WHERE c.relnamespace = 'churnwarn'::regnamespace AND c.relkind = 'r'
			AND a.atttypid IN ('text'::regtype, 'jsonb'::regtype, 'text[]'::regtype, 'name'::regtype,
				'json'::regtype, 'varchar'::regtype)
		ORDER BY 1, 2
	LOOP
		place := col.relname || '.' || col.attname;
		EXECUTE format('SELECT count(*) FROM churnwarn.%I WHERE %I::text ILIKE ANY ($1)', col.relname, col.attname)
			INTO hits USING patterns;
		IF hits > 0 THEN
			RETURN NEXT;
		END IF;
	END LOOP;
END
$$;
\set personal '{%Zhang Wei%,%li.na%,%Li Na%,%wang.fang%,%zhao.lei%}'
SELECT * FROM pg_temp.find_personal(:'personal');

CREATE TEMP TABLE review_before AS SELECT * FROM churnwarn.period_review;
CREATE TEMP TABLE assessment_before AS
SELECT period, department, person IS NULL AS total, sum(signals_reported) AS signals,
	sum(warnings_evaluated) AS evaluated, sum(customers_lost) AS lost
FROM churnwarn.assessment GROUP BY 1, 2, 3;
CREATE FUNCTION pg_temp.count_rows(rel name) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM churnwarn.%I', rel) INTO n;
	RETURN n;
END
$$;
CREATE TEMP TABLE counts_before AS
SELECT c.relname, pg_temp.count_rows(c.relname) AS n
FROM pg_class c WHERE c.relnamespace = 'churnwarn'::regnamespace AND c.relkind = 'r'
	AND c.relname NOT IN ('audit_log', 'audit_chain', 'access_register');

SET churnwarn.actor = 'dpo.liu';
SELECT churnwarn.forget('p1', 'GDPR request 2026-001') ? 'audit_rows_erased' AS forgotten;
RESET churnwarn.actor;
SELECT * FROM pg_temp.find_personal(:'personal');
SELECT * FROM churnwarn.verify_audit();
SELECT count(*) AS review_changes FROM (
	(SELECT * FROM review_before EXCEPT ALL SELECT * FROM churnwarn.period_review)
	UNION ALL
	(SELECT * FROM churnwarn.period_review EXCEPT ALL SELECT * FROM review_before)) x;
SELECT count(*) AS assessment_changes FROM (
	(SELECT * FROM assessment_before EXCEPT ALL
	 SELECT period, department, person IS NULL, sum(signals_reported), sum(warnings_evaluated), sum(customers_lost)
	 FROM churnwarn.assessment GROUP BY 1, 2, 3)) x;
SELECT b.relname, b.n AS before, pg_temp.count_rows(b.relname) AS after
FROM counts_before b WHERE b.n > 0 ORDER BY 1;
SELECT customer_id, name LIKE 'erased-%' AS name_erased, contact LIKE 'erased-%' AS contact_erased,
	owner LIKE 'erased-%' AS owner_erased, tier, legal_hold FROM churnwarn.customer ORDER BY 1;
SELECT id, customer_id, reported_by LIKE 'erased-%' AS reporter_erased, detail, closed_note
FROM churnwarn.signal ORDER BY id;
-- one pseudonym per person within the erasure: the owner of the warning and of the customer agree
SELECT (SELECT owner FROM churnwarn.warning WHERE customer_id = 'p1')
	= (SELECT owner FROM churnwarn.customer WHERE customer_id = 'p1') AS same_pseudonym;
SELECT operation, new_row->>'reason' AS reason, new_row->'erased_rows' AS erased
FROM churnwarn.audit_log WHERE customer_id = 'p1' AND operation = 'ERASE';
SELECT count(*) AS p1_images_left FROM churnwarn.audit_log
WHERE customer_id = 'p1' AND (old_row IS NOT NULL OR new_row IS NOT NULL) AND operation <> 'ERASE';
SELECT id, who, reader, action, purpose FROM churnwarn.access_register WHERE customer_id = 'p1' ORDER BY id;
-- p2 is untouched
SELECT name, contact FROM churnwarn.customer WHERE customer_id = 'p2';
-- forgetting twice changes nothing more (the register's erasure row has no purpose to redact)
SELECT churnwarn.forget('p1', 'GDPR request 2026-001, repeated')->'rows_pseudonymized' AS changed_again;
SELECT ok FROM churnwarn.verify_audit();

--
-- purge_expired(): five years after closure; core customers, legal holds
-- and major churn cases are kept.
--
SET churnwarn.clock = '2019-03-01 10:00+00';
INSERT INTO churnwarn.customer (customer_id, name, tier, created_at) VALUES
	('r1', 'Old Ordinary Co', 'ordinary', '2018-01-01'),
	('r2', 'Old Core Co', 'core', '2018-01-01'),
	('r3', 'Old Held Co', 'ordinary', '2018-01-01'),
	('r4', 'Old Major Loss Co', 'ordinary', '2018-01-01'),
	('r5', 'Later Co', 'ordinary', '2018-01-01');
SELECT count(churnwarn.report_signal(c, 'complaint', '2019-03-01 09:00+00', '{"by": "old.reporter"}', 'old.reporter'))
FROM unnest('{r1,r2,r3,r4,r5}'::text[]) c;
UPDATE churnwarn.warning SET status = 'closed', outcome = 'success', level = 1, closed_at = '2019-06-30 10:00+00'
WHERE customer_id IN ('r1', 'r2', 'r3', 'r5');
UPDATE churnwarn.warning SET status = 'closed', outcome = 'failure', level = 2, closed_at = '2019-06-30 10:00+00'
WHERE customer_id = 'r4';
UPDATE churnwarn.customer SET status = 'terminated', terminated_at = '2019-06-30 10:00+00'
WHERE customer_id IN ('r1', 'r2', 'r3', 'r4');
UPDATE churnwarn.customer SET status = 'terminated', terminated_at = '2022-06-30 10:00+00' WHERE customer_id = 'r5';
UPDATE churnwarn.customer SET legal_hold = true WHERE customer_id = 'r3';
RESET churnwarn.clock;
SELECT churnwarn.dossier('r1', 'before the purge') ? 'customer' AS read;
SELECT retention FROM churnwarn.settings;
UPDATE churnwarn.settings SET retention = '4 years';
\echo :SQLSTATE
SELECT churnwarn.purge_expired('2024-06-29') AS purged_before_five_years;
SELECT churnwarn.purge_expired('2024-07-01') AS purged_after_five_years;
SELECT customer_id FROM churnwarn.customer WHERE customer_id LIKE 'r%' ORDER BY 1;
SELECT count(*) AS r1_rows_left FROM churnwarn.signal WHERE customer_id = 'r1';
SELECT operation, count(*) FROM churnwarn.audit_log WHERE customer_id = 'r1' GROUP BY 1 ORDER BY 1;
SELECT count(*) AS r1_images_left FROM churnwarn.audit_log
WHERE customer_id = 'r1' AND (old_row IS NOT NULL OR new_row IS NOT NULL) AND operation <> 'ERASE';
SELECT new_row->>'reason' AS reason FROM churnwarn.audit_log WHERE customer_id = 'r1' AND operation = 'ERASE';
SELECT customer_id, purpose FROM churnwarn.access_register WHERE customer_id = 'r1';
SELECT * FROM churnwarn.verify_audit();
SELECT churnwarn.purge_expired('2030-01-01') AS purged_later;
SELECT customer_id FROM churnwarn.customer WHERE customer_id LIKE 'r%' ORDER BY 1;
SELECT churnwarn.purge_expired('2030-01-01') AS purged_again;
SELECT churnwarn.purge_expired(NULL);
\echo :SQLSTATE
SELECT ok FROM churnwarn.verify_audit();
SET ROLE regress_staff;
SELECT churnwarn.purge_expired('2030-01-01');
\echo :SQLSTATE
RESET ROLE;

-- reader classes for a role that does not exist
SELECT churnwarn.is_masked('regress_nobody');
\echo :SQLSTATE

-- Clean up the roles (the extension stays for the tests that follow).
DROP OWNED BY regress_admin, regress_staff, regress_auditor, regress_partner_a, regress_partner_b, regress_bi;
DROP ROLE regress_admin, regress_staff, regress_auditor, regress_partner_a, regress_partner_b, regress_bi;
DELETE FROM churnwarn.partner_assignment;
DROP OWNED BY churnwarn_admin, churnwarn_staff, churnwarn_auditor, churnwarn_partner, churnwarn_bi;
DROP ROLE churnwarn_admin, churnwarn_staff, churnwarn_auditor, churnwarn_partner, churnwarn_bi;
