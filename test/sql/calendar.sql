--
-- calendar: working-day arithmetic, calendars, load_calendar, the shipped
-- CN calendar, invalidation of the per-backend cache.  Every error shows
-- its SQLSTATE (psql's LAST_ERROR_SQLSTATE) and keeps DETAIL and HINT.
--
SET datestyle = ISO, YMD;
SET timezone = 'UTC';
SET client_min_messages = warning;
-- the test cluster turns the beyond-the-data warning off; this test is about it
SET churnwarn.calendar_coverage_warning = on;

-- the shipped default calendar and how it is dumped
SELECT calendar, time_zone, weekend, is_default, covers_from, covers_to, shipped
FROM churnwarn.calendar ORDER BY calendar;
SELECT count(*), min(day), max(day),
       count(*) FILTER (WHERE kind = 'transfer_workday') AS makeup_days
FROM churnwarn.calendar_day WHERE calendar = 'CN';
SELECT c::regclass AS config_table, cond AS dumped_rows
FROM pg_catalog.pg_extension, unnest(extconfig, extcondition) AS u(c, cond)
WHERE extname = 'churnwarn' AND c::regclass::text LIKE 'churnwarn.calendar%' ORDER BY 1;

--
-- is_working_day: 2025 Spring Festival (1-28..2-4, make-up Sun 1-26 and
-- Sat 2-8) and National Day (10-1..10-8, make-up Sun 9-28 and Sat 10-11)
--
SELECT d::date AS day, to_char(d, 'Dy') AS dow, churnwarn.is_working_day(d::date) AS cn,
       churnwarn.is_working_day(d::date, 'CN') AS cn_named
FROM generate_series('2025-01-24'::date, '2025-02-10'::date, '1 day') AS d;
SELECT d::date AS day, to_char(d, 'Dy') AS dow, churnwarn.is_working_day(d::date) AS cn
FROM generate_series('2025-09-26'::date, '2025-10-13'::date, '1 day') AS d;
SELECT churnwarn.is_working_day(NULL) AS null_date;

--
-- add_working_days: the end (24:00 Beijing time) of the n-th working day
-- strictly after t's local date; n = 0 is the end of t's day if it is a
-- working day, else of the next one; n < 0 counts back from t's day.
--
SELECT n, churnwarn.add_working_days('2025-01-24 10:00+08', n) AS deadline_utc,
       churnwarn.add_working_days('2025-01-24 10:00+08', n) AT TIME ZONE 'Asia/Shanghai' AS deadline_beijing
FROM generate_series(-3, 6) AS n;
SELECT n, churnwarn.add_working_days('2025-09-26 18:00+08', n, 'CN') AT TIME ZONE 'Asia/Shanghai' AS deadline_beijing
FROM generate_series(-2, 8) AS n;
-- n = 0 on a holiday and on a make-up Saturday
SELECT churnwarn.add_working_days('2025-10-03 09:00+08', 0) AT TIME ZONE 'Asia/Shanghai' AS holiday_n0,
       churnwarn.add_working_days('2025-10-11 09:00+08', 0) AT TIME ZONE 'Asia/Shanghai' AS makeup_n0,
       churnwarn.add_working_days('2025-10-11 09:00+08', -1) AT TIME ZONE 'Asia/Shanghai' AS makeup_back1;
SELECT churnwarn.add_working_days(NULL, 1) AS null_t, churnwarn.add_working_days(now(), NULL) AS null_n;

-- near local midnight: Beijing is UTC+8, so 16:00 UTC is already tomorrow
CREATE TEMP TABLE moment (t timestamptz);
INSERT INTO moment VALUES ('2025-01-26 15:59:59.999999+00'), ('2025-01-26 16:00:00+00'),
       ('2025-09-30 15:30+00'), ('2025-09-30 16:30+00');
SELECT load_calendar AS loaded FROM churnwarn.load_calendar('UTCW', '[]');
SELECT t, t AT TIME ZONE 'Asia/Shanghai' AS beijing,
       churnwarn.add_working_days(t, 1, 'CN') AS cn_plus_1,
       churnwarn.add_working_days(t, 1, 'UTCW') AS utc_plus_1
FROM moment ORDER BY t;

--
-- working_days_between: working days d with date(a) < d <= date(b)
--
SELECT churnwarn.working_days_between('2025-01-24 10:00+08', '2025-02-10 10:00+08') AS spring,
       churnwarn.working_days_between('2025-02-10 10:00+08', '2025-01-24 10:00+08') AS spring_back,
       churnwarn.working_days_between('2025-09-26 10:00+08', '2025-10-13 10:00+08', 'CN') AS national,
       churnwarn.working_days_between('2025-09-30 15:30+00', '2025-09-30 16:30+00', 'CN') AS over_midnight,
       churnwarn.working_days_between('2025-09-30 15:30+00', '2025-09-30 16:30+00', 'UTCW') AS same_utc_day,
       churnwarn.working_days_between('2025-01-26 15:59:59+00', '2025-01-26 16:00:00+00', 'CN') AS one_second,
       churnwarn.working_days_between(NULL, now()) AS null_a;
-- the week arithmetic agrees with counting day by day, both directions
SELECT bool_and(churnwarn.working_days_between(a::timestamp AT TIME ZONE 'Asia/Shanghai',
                                               b::timestamp AT TIME ZONE 'Asia/Shanghai')
                = CASE WHEN a <= b
                       THEN (SELECT count(*) FROM generate_series(1, b - a) k
                             WHERE churnwarn.is_working_day(a + k))
                       ELSE -(SELECT count(*) FROM generate_series(1, a - b) k
                              WHERE churnwarn.is_working_day(b + k)) END) AS agrees,
       count(*) AS pairs
FROM (SELECT '2024-12-20'::date + 3 * i AS a FROM generate_series(0, 21) i) x,
     (SELECT '2024-12-25'::date + 11 * j AS b FROM generate_series(0, 27) j) y;
-- a deadline minus one microsecond is n working days after t
SELECT bool_and(churnwarn.working_days_between(t, churnwarn.add_working_days(t, n) - interval '1 microsecond') = n) AS inverse
FROM generate_series('2025-01-20 08:00+08'::timestamptz, '2025-02-15', '13 hours') t,
     generate_series(1, 12) n;

--
-- DST: a calendar in America/New_York (zone names are canonicalized)
--
SELECT churnwarn.load_calendar('US', '[{"date": "2025-11-27", "type": "public_holiday", "name": "Thanksgiving"},
                                       {"date": "2025-11-28", "type": "public_holiday", "name": "Day after Thanksgiving"}]',
                               'america/new_york') AS loaded;
SELECT calendar, time_zone, weekend FROM churnwarn.calendar WHERE calendar = 'US';
-- a Friday before and after the switch to EST (2025-11-02): 24:00 is 04:00 or 05:00 UTC
SELECT t, churnwarn.add_working_days(t, 1, 'US') AS next_working_day_end,
       churnwarn.add_working_days(t, 1, 'US') AT TIME ZONE 'America/New_York' AS local
FROM unnest(ARRAY['2025-10-24 12:00-04', '2025-10-31 12:00-04', '2025-10-31 23:30-04',
                  '2025-03-07 12:00-05', '2025-11-26 08:00-05']::timestamptz[]) t;
SELECT churnwarn.working_days_between('2025-10-31 23:30-04', '2025-11-03 00:30-05', 'US') AS across_dst,
       churnwarn.working_days_between('2025-11-26 12:00-05', '2025-12-01 12:00-05', 'US') AS thanksgiving;
-- a zone whose midnight does not exist on the day DST starts (Chile: Sunday
-- 2025-09-07 begins at 01:00), so the end of a working Saturday is resolved
-- as PostgreSQL resolves that local time
SELECT churnwarn.load_calendar('CL', '[{"date": "2025-09-06", "type": "transfer_workday"}]',
                               'America/Santiago') AS loaded;
SELECT churnwarn.add_working_days('2025-09-05 12:00-04', 1, 'CL')
       = ('2025-09-07 00:00'::timestamp AT TIME ZONE 'America/Santiago') AS same_as_core,
       churnwarn.add_working_days('2025-09-05 12:00-04', 1, 'CL') AS deadline;

--
-- load_calendar: create, add, replace (idempotent), time zones
--
SELECT churnwarn.load_calendar('ACME', '[{"date": "2025-05-02", "type": "public_holiday", "name": "Company day"},
                                         {"date": "2025-05-10", "type": "transfer_workday"}]') AS loaded;
SELECT calendar, time_zone, weekend, is_default, covers_from, covers_to, shipped
FROM churnwarn.calendar WHERE calendar = 'ACME';
SELECT churnwarn.is_working_day('2025-05-02', 'ACME') AS fri_off, churnwarn.is_working_day('2025-05-10', 'ACME') AS sat_on;
-- loading the same days again changes nothing
SELECT churnwarn.load_calendar('ACME', '[{"date": "2025-05-02", "type": "public_holiday", "name": "Company day"},
                                         {"date": "2025-05-10", "type": "transfer_workday"}]') AS loaded_again;
SELECT day, kind, name, shipped FROM churnwarn.calendar_day WHERE calendar = 'ACME' ORDER BY day;
-- a day loaded again with another type replaces it; repeated entries count once
SELECT churnwarn.load_calendar('ACME', '[{"date": "2025-05-02", "type": "transfer_workday", "name": "Cancelled"},
                                         {"date": "2025-05-02", "type": "transfer_workday", "name": "Cancelled, really"},
                                         {"date": "2025-05-12", "type": "public_holiday", "extra": [1, 2]}]',
                               'Europe/Berlin') AS loaded;
SELECT day, kind, name FROM churnwarn.calendar_day WHERE calendar = 'ACME' ORDER BY day;
SELECT churnwarn.is_working_day('2025-05-02', 'ACME') AS fri_on, churnwarn.is_working_day('2025-05-12', 'ACME') AS mon_off;
-- a NULL time zone keeps the calendar's
SELECT churnwarn.load_calendar('ACME', '[]') AS loaded;
SELECT time_zone FROM churnwarn.calendar WHERE calendar = 'ACME';

--
-- the cache follows changes: override a shipped CN day in this session
--
SELECT churnwarn.is_working_day('2025-10-08') AS before_override,
       churnwarn.add_working_days('2025-10-07 12:00+08', 1) AT TIME ZONE 'Asia/Shanghai' AS deadline_before;
SELECT churnwarn.load_calendar('CN', '[{"date": "2025-10-08", "type": "transfer_workday", "name": "local override"}]') AS loaded;
SELECT churnwarn.is_working_day('2025-10-08') AS after_override,
       churnwarn.add_working_days('2025-10-07 12:00+08', 1) AT TIME ZONE 'Asia/Shanghai' AS deadline_after;
SELECT day, kind, name, shipped FROM churnwarn.calendar_day WHERE calendar = 'CN' AND day = '2025-10-08' ORDER BY shipped;
DELETE FROM churnwarn.calendar_day WHERE calendar = 'CN' AND NOT shipped;
SELECT churnwarn.is_working_day('2025-10-08') AS override_deleted;
-- a rolled-back change leaves the cache as it was
BEGIN;
SELECT churnwarn.load_calendar('CN', '[{"date": "2025-10-08", "type": "transfer_workday"}]') AS loaded;
SELECT churnwarn.is_working_day('2025-10-08') AS in_transaction;
ROLLBACK;
SELECT churnwarn.is_working_day('2025-10-08') AS after_rollback;
-- a user calendar marked default wins over the shipped default
UPDATE churnwarn.calendar SET is_default = true WHERE calendar = 'UTCW';
SELECT churnwarn.is_working_day('2025-10-08') AS utcw_default;
UPDATE churnwarn.calendar SET is_default = false WHERE calendar = 'UTCW';
SELECT churnwarn.is_working_day('2025-10-08') AS cn_default_again;

--
-- shipped rows are read-only (pg_dump would not carry the change)
--
UPDATE churnwarn.calendar SET time_zone = 'UTC' WHERE calendar = 'CN';
\echo :LAST_ERROR_SQLSTATE
UPDATE churnwarn.calendar SET is_default = false WHERE calendar = 'CN';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM churnwarn.calendar_day WHERE calendar = 'CN' AND day = '2025-10-01';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO churnwarn.calendar_day (calendar, day, kind, shipped) VALUES ('ACME', '2025-06-02', 'public_holiday', true);
\echo :LAST_ERROR_SQLSTATE
TRUNCATE churnwarn.calendar_day;
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar('CN', '[]', 'UTC');
\echo :LAST_ERROR_SQLSTATE
-- same zone: nothing to change, allowed
SELECT churnwarn.load_calendar('CN', '[]', 'Asia/Shanghai') AS loaded;
INSERT INTO churnwarn.calendar (calendar, time_zone) VALUES ('MARS', 'Mars/Olympus_Mons');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO churnwarn.calendar (calendar, time_zone, weekend) VALUES ('EIGHT', 'UTC', '{8}');
\echo :LAST_ERROR_SQLSTATE

--
-- bad input: clear errors, proper SQLSTATEs, nothing changed
--
SELECT churnwarn.is_working_day('2025-01-01', 'Narnia');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.add_working_days('2025-01-01', 1, 'Narnia');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.working_days_between('2025-01-01', '2025-02-01', 'Narnia');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.is_working_day('2025-01-01', repeat('x', 100));
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.add_working_days('infinity', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.working_days_between('-infinity', now());
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.is_working_day('infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.add_working_days('294276-12-30 00:00+00', 5, 'UTCW');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.add_working_days('2025-01-01', 2000000000, 'UTCW');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar('BAD', '[{"date": "2025-01-01", "type": "public_holiday"}, {"date": "01/02/2025", "type": "public_holiday"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar('BAD', '[{"date": "2025-02-30", "type": "public_holiday"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar('BAD', '[{"date": "2025-01-01", "type": "half_day"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar('BAD', '[]', 'Mars/Olympus_Mons');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar('BAD', '{"dates": []}');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar('BAD', '"2025-01-01"');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar('BAD', '["2025-01-01"]');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar('BAD', '[{"type": "public_holiday"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar('BAD', '[{"date": 20250101, "type": "public_holiday"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar('BAD', '[{"date": "2025-01-01", "type": "public_holiday"}, {"date": "2025-01-01", "type": "transfer_workday"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar(NULL, '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar('BAD', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar('', '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS bad_calendars FROM churnwarn.calendar WHERE calendar = 'BAD';

--
-- calendars without working days must not loop forever
--
SELECT churnwarn.load_calendar('NOWORK', '[]') AS loaded;
UPDATE churnwarn.calendar SET weekend = '{1,2,3,4,5,6,7}' WHERE calendar = 'NOWORK';
SELECT churnwarn.is_working_day('2025-01-01', 'NOWORK') AS working,
       churnwarn.working_days_between('2025-01-01', '2030-01-01', 'NOWORK') AS between;
SELECT churnwarn.add_working_days('2025-01-01', 1, 'NOWORK');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.add_working_days('2025-01-01', 0, 'NOWORK');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.add_working_days('2025-01-01', -1, 'NOWORK');
\echo :LAST_ERROR_SQLSTATE
-- eleven years of holidays, then one make-up Saturday
SELECT churnwarn.load_calendar('HOLIDAYS',
         (SELECT jsonb_agg(jsonb_build_object('date', to_char(d, 'YYYY-MM-DD'), 'type', 'public_holiday'))
          FROM generate_series('2030-01-01'::date, '2040-12-31', '1 day') d)
         || '[{"date": "2041-01-05", "type": "transfer_workday"}]') AS loaded;
SELECT churnwarn.add_working_days('2029-12-31 12:00+00', 1, 'HOLIDAYS');
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.add_working_days('2033-01-01 12:00+00', 1, 'HOLIDAYS') AS gap_under_limit;

--
-- beyond the data: weekends only, with one WARNING per session and calendar
--
SELECT churnwarn.is_working_day('2027-03-01') AS mon_2027, churnwarn.is_working_day('2027-03-06') AS sat_2027;
SELECT churnwarn.add_working_days('2026-12-30 12:00+08', 3) AT TIME ZONE 'Asia/Shanghai' AS into_2027;
SELECT churnwarn.working_days_between('1999-06-01', '2000-06-01', 'CN') AS from_1999;
-- ACME's days are all in 2025, so 2025 is covered and 2026 is not
SELECT churnwarn.is_working_day('2025-12-31', 'ACME') AS covered;
SELECT churnwarn.is_working_day('2026-01-01', 'ACME') AS beyond;
SELECT churnwarn.is_working_day('2026-01-02', 'ACME') AS beyond_again;
-- a calendar without holiday data is a weekend-only calendar and never warns
SELECT churnwarn.is_working_day('1900-01-01', 'UTCW') AS weekend_only;
-- loading next year's data extends the coverage of the shipped calendar
SELECT churnwarn.load_calendar('CN', '[{"date": "2027-01-01", "type": "public_holiday", "name": "元旦"}]') AS loaded;
SELECT churnwarn.is_working_day('2027-01-01') AS new_year_2027;

--
-- privileges: the readers need no rights on the tables; load_calendar does
--
CREATE ROLE regress_cw_reader;
GRANT USAGE ON SCHEMA churnwarn TO regress_cw_reader;
SET ROLE regress_cw_reader;
SELECT churnwarn.is_working_day('2025-01-26') AS reader_sees_cn,
       churnwarn.working_days_between('2025-01-24', '2025-02-10', 'ACME') AS reader_acme;
SELECT count(*) FROM churnwarn.calendar;
\echo :LAST_ERROR_SQLSTATE
SELECT churnwarn.load_calendar('READER', '[]');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT p.proname, p.provolatile, p.proisstrict, p.proparallel,
       pg_catalog.has_function_privilege('regress_cw_reader', p.oid, 'EXECUTE') AS reader_may_execute
FROM pg_catalog.pg_proc p
WHERE p.pronamespace = 'churnwarn'::regnamespace
  AND p.proname IN ('is_working_day', 'add_working_days', 'working_days_between',
                    'load_calendar', 'calendar_protect', 'calendar_changed')
ORDER BY p.proname;
REVOKE USAGE ON SCHEMA churnwarn FROM regress_cw_reader;
DROP ROLE regress_cw_reader;
