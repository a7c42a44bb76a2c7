-- hijack: search_path attacks on churnwarn.  A role with CREATE on schema
-- public plants shadows of the built-ins (functions, operators, aggregates,
-- collations, a type with implicit casts; test/hijack/plant_public.sql),
-- and the session plants pg_temp objects (test/hijack/plant_temp.sql);
-- each writes to the canary table public.cw_canary.  Then the superuser
-- and a victim role exercise every churnwarn function and trigger
-- (test/hijack/driver.sql, driven by the catalog) with search_path =
-- 'public, pg_catalog' and 'pg_temp, public'.  Pass: no canary rows, and
-- every step's outcome, the contents of every table and the call counts of
-- every function equal those of a clean run.  The same again with the
-- objects planted BEFORE CREATE EXTENSION, in a fresh database.
-- Every run is one transaction that is rolled back.
\set ECHO none
\set QUIET on
\set regress_db :DBNAME
SET client_min_messages = warning;
CREATE ROLE regress_cw_attacker;
CREATE ROLE regress_cw_victim;
GRANT CREATE ON SCHEMA public TO regress_cw_attacker;
CREATE DATABASE cw_hijack_pre;
CREATE DATABASE cw_hijack_clean;

-- the privileges a victim with full use of churnwarn has (data-driven)
\set grant_victim 'GRANT USAGE ON SCHEMA churnwarn TO regress_cw_victim; GRANT ALL ON ALL TABLES IN SCHEMA churnwarn TO regress_cw_victim; GRANT ALL ON ALL SEQUENCES IN SCHEMA churnwarn TO regress_cw_victim; GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA churnwarn TO regress_cw_victim; GRANT ALL ON public.hj_orders TO regress_cw_victim'
-- a run: outcome lines of one exercise, in psql variable <name>_detail
-- (pseudonyms depend on each database's random mask key: normalized)
\set run 'SELECT pg_catalog.string_agg(pg_catalog.regexp_replace(step OPERATOR(pg_catalog.||) '' => '' OPERATOR(pg_catalog.||) outcome, ''anon-[0-9a-f]+'', ''anon-X'', ''g''), E''\\n'' ORDER BY ord) AS detail FROM cw_test.exercise'
-- the verdict of a hostile run against the clean one in psql variable clean
\set verdict '(SELECT pg_catalog.count(*) FROM public.cw_canary) AS canary_hits, (SELECT pg_catalog.array_agg(DISTINCT what ORDER BY what) FROM (SELECT what FROM public.cw_canary LIMIT 20) c) AS canary, (SELECT pg_catalog.count(*) FROM ((SELECT pg_catalog.unnest(pg_catalog.string_to_array(:''detail'', E''\\n'')) EXCEPT ALL SELECT pg_catalog.unnest(pg_catalog.string_to_array(:''clean'', E''\\n''))) UNION ALL (SELECT pg_catalog.unnest(pg_catalog.string_to_array(:''clean'', E''\\n'')) EXCEPT ALL SELECT pg_catalog.unnest(pg_catalog.string_to_array(:''detail'', E''\\n'')))) d) AS differences, (SELECT pg_catalog.array_agg(l) FROM (SELECT l FROM (SELECT pg_catalog.unnest(pg_catalog.string_to_array(:''detail'', E''\\n'')) l EXCEPT SELECT pg_catalog.unnest(pg_catalog.string_to_array(:''clean'', E''\\n''))) x ORDER BY 1 LIMIT 5) y) AS first_differing_steps'

--------------------------------------------------------------------------
-- 1. at run time: the extension installed, then the objects planted
--------------------------------------------------------------------------
\i test/hijack/driver.sql
:grant_victim;
SET search_path = pg_catalog, pg_temp;
SET track_functions = 'all';
SET churnwarn.clock = '2026-03-02 10:00:00+00';
SET churnwarn.actor = 'hijack-test';
SELECT pg_catalog.string_agg(c.relname::text, ',') AS cw_relnames
FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
WHERE d.deptype = 'e' AND e.extname = 'churnwarn' \gset

-- clean runs, superuser and victim
BEGIN;
:run('public, pg_catalog') \gset clean_su_
ROLLBACK;
BEGIN;
SET LOCAL ROLE regress_cw_victim;
:run('public, pg_catalog') \gset clean_victim_
ROLLBACK;
-- the clean runs: how many steps, and that none failed with an internal error
SELECT pg_catalog.array_length(pg_catalog.string_to_array(:'clean_su_detail', E'\n'), 1) > 50 AS many_steps,
	:'clean_su_detail' !~ '=> (XX|58)' AS su_no_internal_error,
	:'clean_victim_detail' !~ '=> (XX|58)' AS victim_no_internal_error;
\set ECHO none

SET ROLE regress_cw_attacker;
SET search_path = "$user", public;
\i test/hijack/plant_public.sql
RESET ROLE;
SET search_path = pg_catalog, pg_temp;
-- hostile runs
\set ECHO none
\set clean :clean_su_detail
BEGIN;
:run('public, pg_catalog') \gset
SELECT 'superuser, public first' AS run, :verdict;
ROLLBACK;
BEGIN;
\i test/hijack/plant_temp.sql
:run('pg_temp, public') \gset
SELECT 'superuser, pg_temp first' AS run, :verdict;
ROLLBACK;
\set clean :clean_victim_detail
BEGIN;
SET LOCAL ROLE regress_cw_victim;
:run('public, pg_catalog') \gset
SELECT 'victim, public first' AS run, :verdict;
ROLLBACK;
BEGIN;
SET LOCAL ROLE regress_cw_victim;
\i test/hijack/plant_temp.sql
:run('pg_temp, public') \gset
SELECT 'victim, pg_temp first' AS run, :verdict;
ROLLBACK;

--------------------------------------------------------------------------
-- 2. before CREATE EXTENSION: a clean fresh database for reference, then
-- a fresh database where the attacker plants first and the superuser
-- installs with search_path = 'public, pg_catalog' and temporary objects
-- of its own
--------------------------------------------------------------------------
\c cw_hijack_clean
SET client_min_messages = warning;
CREATE EXTENSION churnwarn;
\i test/hijack/driver.sql
:grant_victim;
SET search_path = pg_catalog, pg_temp;
SET track_functions = 'all';
SET churnwarn.clock = '2026-03-02 10:00:00+00';
SET churnwarn.actor = 'hijack-test';
BEGIN;
:run('public, pg_catalog') \gset clean_fresh_su_
ROLLBACK;
BEGIN;
SET LOCAL ROLE regress_cw_victim;
:run('public, pg_catalog') \gset clean_fresh_victim_
ROLLBACK;

\c cw_hijack_pre
SET client_min_messages = warning;
GRANT CREATE ON SCHEMA public TO regress_cw_attacker;
SET ROLE regress_cw_attacker;
\i test/hijack/plant_public.sql
RESET ROLE;
\i test/hijack/plant_temp.sql
SET search_path = public, pg_catalog;
CREATE EXTENSION churnwarn;
SET search_path = pg_catalog, pg_temp;
-- CREATE EXTENSION ran none of the planted objects
SELECT pg_catalog.count(*) AS canary_hits_during_install FROM public.cw_canary;
\set ECHO none
DISCARD TEMP;
\i test/hijack/driver.sql
:grant_victim;
SET search_path = pg_catalog, pg_temp;
SET track_functions = 'all';
SET churnwarn.clock = '2026-03-02 10:00:00+00';
SET churnwarn.actor = 'hijack-test';
\set clean :clean_fresh_su_detail
BEGIN;
:run('public, pg_catalog') \gset
SELECT 'installed after planting: superuser, public first' AS run, :verdict;
ROLLBACK;
BEGIN;
\i test/hijack/plant_temp.sql
:run('pg_temp, public') \gset
SELECT 'installed after planting: superuser, pg_temp first' AS run, :verdict;
ROLLBACK;
\set clean :clean_fresh_victim_detail
BEGIN;
SET LOCAL ROLE regress_cw_victim;
:run('public, pg_catalog') \gset
SELECT 'installed after planting: victim, public first' AS run, :verdict;
ROLLBACK;

-- clean up
\c :regress_db
SET client_min_messages = warning;
DROP DATABASE cw_hijack_pre;
DROP DATABASE cw_hijack_clean;
DROP TYPE public.cw_evil CASCADE;
DROP OWNED BY regress_cw_attacker, regress_cw_victim;
DROP SCHEMA cw_test CASCADE;
DROP TABLE public.hj_orders;
DROP ROLE regress_cw_attacker;
DROP ROLE regress_cw_victim;
SELECT pg_catalog.count(*) AS leftover_public_functions FROM pg_proc WHERE pronamespace = 'public'::regnamespace;
