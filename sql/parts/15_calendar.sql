/*
 * sql/parts/15_calendar.sql
 *	  Holiday calendars and working-day arithmetic (src/calendar.c).
 *
 * A calendar is a time zone, a weekend rule and a list of special days:
 * public holidays (no work, even on a weekday) and make-up working days
 * (调休: work, even on a weekend day).  Every other day is a working day
 * unless its ISO weekday is in the weekend set.
 *
 * Shipped rows (shipped = true, the CN calendar of 16_calendar_cn.sql) belong
 * to the extension: its install and upgrade scripts write them and pg_dump
 * does not dump them, so an edit in place would be lost silently by a dump
 * and restore (and turning such a row into a user row would make the restore
 * fail on a duplicate key).  The trigger churnwarn.calendar_protect therefore
 * refuses to insert, change or delete shipped rows outside extension scripts.
 * Users override a shipped day with a row of their own for the same day
 * (shipped = false, which wins, and is dumped), normally through
 * churnwarn.load_calendar, and choose another default calendar by setting
 * is_default on a calendar of their own, which wins over the shipped default.
 *
 * The C code keeps each calendar in a per-backend cache; the statement
 * trigger churnwarn.calendar_changed sends a relcache invalidation for the
 * table, which drops every backend's cache when the change commits (and the
 * changing backend's at once).
 */

CREATE TABLE churnwarn.calendar (
	calendar text PRIMARY KEY
		CHECK (pg_catalog.octet_length(calendar) BETWEEN 1 AND 63),
	time_zone text NOT NULL,
	weekend integer[] NOT NULL DEFAULT '{6,7}'
		CHECK (weekend OPERATOR(pg_catalog.<@) '{1,2,3,4,5,6,7}'::integer[]
			   AND pg_catalog.array_position(weekend, NULL) IS NULL),
	is_default boolean NOT NULL DEFAULT false,
	description text,
	covers_from date,
	covers_to date,
	shipped boolean NOT NULL DEFAULT false,
	CHECK (covers_from OPERATOR(pg_catalog.<=) covers_to)
);
SELECT pg_catalog.pg_extension_config_dump('churnwarn.calendar', 'WHERE NOT shipped');
COMMENT ON TABLE churnwarn.calendar IS
	'Holiday calendars: time zone, weekend rule and data coverage; the days are in churnwarn.calendar_day';
COMMENT ON COLUMN churnwarn.calendar.calendar IS 'Calendar name, e.g. CN (1 to 63 bytes)';
COMMENT ON COLUMN churnwarn.calendar.time_zone IS
	'Time zone (tz database name) whose local dates the calendar''s days are; checked when written';
COMMENT ON COLUMN churnwarn.calendar.weekend IS
	'ISO weekday numbers (1 = Monday ... 7 = Sunday) that are days off unless a transfer_workday says otherwise';
COMMENT ON COLUMN churnwarn.calendar.is_default IS
	'The calendar used when none is named; a user calendar marked default wins over the shipped default (CN)';
COMMENT ON COLUMN churnwarn.calendar.description IS 'Free text: source of the data, scope';
COMMENT ON COLUMN churnwarn.calendar.covers_from IS
	'First date the holiday data covers; NULL, or a later date than the user-loaded days imply, is widened to 1 January of the year of the earliest user-loaded day';
COMMENT ON COLUMN churnwarn.calendar.covers_to IS
	'Last date the holiday data covers; widened to 31 December of the year of the latest user-loaded day. Outside the coverage only the weekend rule applies and a WARNING is raised once per session';
COMMENT ON COLUMN churnwarn.calendar.shipped IS
	'True for rows installed by the extension: read-only, not dumped by pg_dump';

/* At most one shipped and one user default; the user's wins. */
CREATE UNIQUE INDEX calendar_one_default ON churnwarn.calendar (shipped) WHERE is_default;
COMMENT ON INDEX churnwarn.calendar_one_default IS
	'At most one default calendar among shipped rows and one among user rows (the user''s wins)';

CREATE TABLE churnwarn.calendar_day (
	calendar text NOT NULL
		REFERENCES churnwarn.calendar ON UPDATE CASCADE ON DELETE CASCADE,
	day date NOT NULL CHECK (pg_catalog.isfinite(day)),
	kind text NOT NULL CHECK (kind IN ('public_holiday', 'transfer_workday')),
	name text,
	shipped boolean NOT NULL DEFAULT false,
	PRIMARY KEY (calendar, day, shipped)
);
SELECT pg_catalog.pg_extension_config_dump('churnwarn.calendar_day', 'WHERE NOT shipped');
COMMENT ON TABLE churnwarn.calendar_day IS
	'Special days of a calendar: public holidays and make-up working days (调休); a user row overrides a shipped row of the same day';
COMMENT ON COLUMN churnwarn.calendar_day.calendar IS 'The calendar (churnwarn.calendar)';
COMMENT ON COLUMN churnwarn.calendar_day.day IS 'Local date in the calendar''s time zone';
COMMENT ON COLUMN churnwarn.calendar_day.kind IS
	'public_holiday: a day off even on a weekday; transfer_workday: a working day even on a weekend day';
COMMENT ON COLUMN churnwarn.calendar_day.name IS 'Name of the holiday, as loaded (e.g. 春节)';
COMMENT ON COLUMN churnwarn.calendar_day.shipped IS
	'True for rows installed by the extension: read-only, not dumped by pg_dump; a row with false for the same day wins';

/* Trigger functions: C, no PUBLIC execute (so nobody else attaches them). */
CREATE FUNCTION churnwarn.calendar_protect()
RETURNS trigger
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_calendar_protect';
COMMENT ON FUNCTION churnwarn.calendar_protect() IS
	'Trigger: refuses changes to shipped calendar rows outside extension scripts, and checks calendar time zones';
REVOKE ALL ON FUNCTION churnwarn.calendar_protect() FROM PUBLIC;

CREATE FUNCTION churnwarn.calendar_changed()
RETURNS trigger
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_calendar_changed';
COMMENT ON FUNCTION churnwarn.calendar_changed() IS
	'Trigger: invalidates every backend''s cached calendars when calendar data changes (transactional)';
REVOKE ALL ON FUNCTION churnwarn.calendar_changed() FROM PUBLIC;

CREATE TRIGGER calendar_protect
	BEFORE INSERT OR UPDATE OR DELETE ON churnwarn.calendar
	FOR EACH ROW EXECUTE FUNCTION churnwarn.calendar_protect();
COMMENT ON TRIGGER calendar_protect ON churnwarn.calendar IS
	'Shipped rows are read-only; time zones must be valid';
CREATE TRIGGER calendar_protect_truncate
	BEFORE TRUNCATE ON churnwarn.calendar
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.calendar_protect();
COMMENT ON TRIGGER calendar_protect_truncate ON churnwarn.calendar IS
	'TRUNCATE would remove shipped rows, so it is refused';
CREATE TRIGGER calendar_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON churnwarn.calendar
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.calendar_changed();
COMMENT ON TRIGGER calendar_changed ON churnwarn.calendar IS
	'Invalidates the cached calendars';

CREATE TRIGGER calendar_protect
	BEFORE INSERT OR UPDATE OR DELETE ON churnwarn.calendar_day
	FOR EACH ROW EXECUTE FUNCTION churnwarn.calendar_protect();
COMMENT ON TRIGGER calendar_protect ON churnwarn.calendar_day IS
	'Shipped rows are read-only';
CREATE TRIGGER calendar_protect_truncate
	BEFORE TRUNCATE ON churnwarn.calendar_day
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.calendar_protect();
COMMENT ON TRIGGER calendar_protect_truncate ON churnwarn.calendar_day IS
	'TRUNCATE would remove shipped rows, so it is refused';
CREATE TRIGGER calendar_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON churnwarn.calendar_day
	FOR EACH STATEMENT EXECUTE FUNCTION churnwarn.calendar_changed();
COMMENT ON TRIGGER calendar_changed ON churnwarn.calendar_day IS
	'Invalidates the cached calendars';

/*
 * The arithmetic.  STABLE: the results depend on table contents.  Not
 * STRICT, because a NULL calendar means the default one (a NULL date or
 * timestamp still gives NULL).  PARALLEL RESTRICTED: they keep a per-backend
 * cache, warn once per backend, and read the calendar tables with the latest
 * snapshot, none of which a parallel worker may do.  They read the tables
 * with the rights of the tables' owner, so they work for any role that may
 * execute them.
 */
CREATE FUNCTION churnwarn.is_working_day(d date, calendar text DEFAULT NULL)
RETURNS boolean
LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'churnwarn_is_working_day';
COMMENT ON FUNCTION churnwarn.is_working_day(date, text) IS
	'Whether d is a working day of the calendar (NULL: the default calendar): a transfer_workday, or neither a public holiday nor a weekend day';

CREATE FUNCTION churnwarn.add_working_days(t timestamptz, n integer, calendar text DEFAULT NULL)
RETURNS timestamptz
LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'churnwarn_add_working_days';
COMMENT ON FUNCTION churnwarn.add_working_days(timestamptz, integer, text) IS
	'Deadline "within n working days after t": 24:00 local time (in the calendar''s zone) of the n-th working day strictly after t''s local date; n = 0: the end of t''s local date if it is a working day, else of the next working day; n < 0: the end of the |n|-th working day strictly before t''s local date';

CREATE FUNCTION churnwarn.working_days_between(a timestamptz, b timestamptz, calendar text DEFAULT NULL)
RETURNS integer
LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'churnwarn_working_days_between';
COMMENT ON FUNCTION churnwarn.working_days_between(timestamptz, timestamptz, text) IS
	'Number of working days d with local date(a) < d <= local date(b), in the calendar''s zone; negative when b is before a';

/*
 * The writer: creates or extends a calendar.  Runs with the caller's rights
 * (it needs INSERT and UPDATE on the tables) and is not executable by PUBLIC.
 */
CREATE FUNCTION churnwarn.load_calendar(calendar text, days jsonb, time_zone text DEFAULT NULL)
RETURNS integer
LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'churnwarn_load_calendar';
COMMENT ON FUNCTION churnwarn.load_calendar(text, jsonb, text) IS
	'Creates or adds to a calendar from the "dates" array of the holiday-calendar data package; a day loaded again is replaced; returns the number of distinct days loaded. NULL time_zone keeps the calendar''s zone (UTC for a new calendar)';
REVOKE ALL ON FUNCTION churnwarn.load_calendar(text, jsonb, text) FROM PUBLIC;
