/*-------------------------------------------------------------------------
 *
 * calendar.c
 *	  Working-day arithmetic on holiday calendars.
 *
 * Three layers, in this order in the file:
 *
 * 1. Pure arithmetic on a ChurnwarnCalendar (a time zone, a weekend set and
 *	  a sorted array of special days).  It knows nothing of SPI or tables.
 * 2. The calendar cache and its loader: each calendar is read once per
 *	  backend with kept SPI plans into a hash table in a named memory context
 *	  under CacheMemoryContext.  The statement trigger calendar_changed sends
 *	  a relcache invalidation for the changed table; our relcache callback
 *	  then drops the whole cache.  Invalidation is thus transactional and
 *	  reaches every backend (at commit; the changing backend at once).
 * 3. The SQL-callable functions, the C API of calendar.h, load_calendar and
 *	  the two trigger functions.
 *
 * Dates beyond the data.  A calendar covers the range [covers_from,
 * covers_to] of its row, widened to whole years by the days users loaded
 * (see calendar_effective_coverage).  For dates outside that range only the
 * weekend rule applies, and the first such use in a backend raises, once per
 * calendar, a WARNING (SQLSTATE 01000) whose detail gives the covered range
 * and whose hint says how to load more data.  A deadline in January should
 * not fail because the State Council's notice has not been loaded yet.  A
 * calendar with no special days and no explicit coverage is a pure weekend
 * calendar and never warns.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/calendar.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "churnwarn.h"
#include "calendar.h"

/*
 * One calendar, as the arithmetic sees it.  Lives in the cache context; the
 * name is the hash key and must stay the first field.
 */
typedef struct ChurnwarnCalendar
{
	char		name[NAMEDATALEN];	/* calendar name (hash key) */
	pg_tz	   *tz;				/* its time zone; owned by pg_tzset's cache */
	int			weekend;		/* bit (1 << isodow) set for each weekend day */
	DateADT		covers_from;	/* first covered date, DATEVAL_NOBEGIN if open */
	DateADT		covers_to;		/* last covered date, DATEVAL_NOEND if open */
	int			nspecial;		/* number of special days */
	DateADT    *special_day;	/* special days, ascending, no duplicates */
	bool	   *special_working;	/* per special day: a make-up working day? */
} ChurnwarnCalendar;

/* The two day kinds of the holiday-calendar data package. */
#define KIND_HOLIDAY	"public_holiday"
#define KIND_WORKDAY	"transfer_workday"

/* First date past the range a timestamptz can end on (exclusive). */
#define CAL_DATE_END	(TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE - 1)
#define CAL_DATE_MIN	(DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE)

/* ----------------------------------------------------------------------
 * Layer 1: pure arithmetic
 * ----------------------------------------------------------------------
 */

/*
 * format_date
 *		ISO text of a date (independent of DateStyle), palloc'd.
 */
static char *
format_date(DateADT d)
{
	int			y,
				m,
				dd;

	if (d == DATEVAL_NOBEGIN)
		return pstrdup("-infinity");
	if (d == DATEVAL_NOEND)
		return pstrdup("infinity");
	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
	if (y <= 0)
		return psprintf("%04d-%02d-%02d BC", 1 - y, m, dd);
	return psprintf("%04d-%02d-%02d", y, m, dd);
}

/*
 * cal_isodow
 *		ISO weekday of a date: 1 = Monday ... 7 = Sunday.
 */
static inline int
cal_isodow(DateADT d)
{
	int			dow = j2day(d + POSTGRES_EPOCH_JDATE);	/* 0 = Sunday */

	return dow == 0 ? 7 : dow;
}

/*
 * cal_is_weekend
 *		Is d in the calendar's weekend set (ignoring special days)?
 */
static inline bool
cal_is_weekend(const ChurnwarnCalendar *cal, DateADT d)
{
	return (cal->weekend & (1 << cal_isodow(d))) != 0;
}

/*
 * cal_lower_bound
 *		Index of the first special day >= d (nspecial if none).
 */
static int
cal_lower_bound(const ChurnwarnCalendar *cal, DateADT d)
{
	int			lo = 0,
				hi = cal->nspecial;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (cal->special_day[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * cal_covers
 *		Does the calendar's holiday data cover d?
 */
static inline bool
cal_covers(const ChurnwarnCalendar *cal, DateADT d)
{
	return d >= cal->covers_from && d <= cal->covers_to;
}

/*
 * cal_day_is_working
 *		A special day decides; otherwise a day is working unless it is a
 *		weekend day.
 */
static bool
cal_day_is_working(const ChurnwarnCalendar *cal, DateADT d)
{
	int			i = cal_lower_bound(cal, d);

	if (i < cal->nspecial && cal->special_day[i] == d)
		return cal->special_working[i];
	return !cal_is_weekend(cal, d);
}

/*
 * cal_local_date
 *		t's local date in the calendar's zone.  Infinite timestamps have no
 *		date and are refused.
 */
static DateADT
cal_local_date(const ChurnwarnCalendar *cal, TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			tz;

	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("cannot count working days from an infinite timestamp")));
	if (timestamp2tm(t, &tz, &tm, &fsec, NULL, cal->tz) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE;
}

/*
 * cal_end_of_day
 *		24:00 local time of d, i.e. 00:00 of the next local day, in the
 *		calendar's zone.  Across a DST change the offset of that midnight is
 *		used; a midnight that does not exist (a zone that springs forward at
 *		00:00) is resolved as PostgreSQL resolves such input times.
 */
static TimestampTz
cal_end_of_day(const ChurnwarnCalendar *cal, DateADT d)
{
	struct pg_tm tm;
	DateADT		next = d + 1;
	int			tz;
	TimestampTz result;

	if (next < CAL_DATE_MIN || next >= CAL_DATE_END)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	memset(&tm, 0, sizeof(tm));
	j2date(next + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tz = DetermineTimeZoneOffset(&tm, cal->tz);
	result = (TimestampTz) next * USECS_PER_DAY + (TimestampTz) tz * USECS_PER_SEC;
	if (!IS_VALID_TIMESTAMP(result))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return result;
}

/*
 * cal_no_working_day
 *		Report a calendar whose scan found no working day in
 *		CHURNWARN_CALENDAR_MAX_GAP consecutive days (between from and to).
 */
static void
cal_no_working_day(const ChurnwarnCalendar *cal, DateADT from, DateADT to)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("calendar \"%s\" has no working day between %s and %s",
					cal->name, format_date(Min(from, to)), format_date(Max(from, to))),
			 errdetail("A calendar must have a working day in every %d consecutive days.",
					   CHURNWARN_CALENDAR_MAX_GAP),
			 errhint("Check the weekend set of the calendar and its public holidays.")));
}

/*
 * cal_nth_working_day
 *		The n-th working day strictly after start (n > 0), strictly before
 *		it (n < 0), or the first working day on or after start (n = 0).
 *		Sets *beyond to a scanned date outside the data coverage, if any
 *		(left untouched otherwise).  Errors out instead of looping when the
 *		calendar has no working day in CHURNWARN_CALENDAR_MAX_GAP days or the
 *		scan leaves the timestamp range.
 */
static DateADT
cal_nth_working_day(const ChurnwarnCalendar *cal, DateADT start, int n,
					DateADT *beyond)
{
	int64		todo = n > 0 ? (int64) n : -(int64) n;
	int			step = n >= 0 ? 1 : -1;
	DateADT		d = start;
	DateADT		last_working = start;	/* for the error message */
	int			gap = 0;

	if (n == 0)
	{
		/* the first working day on or after start: start counts */
		todo = 1;
		d = start - 1;
	}
	else if (todo > (step > 0 ? (int64) CAL_DATE_END - 1 - start
					 : (int64) start - CAL_DATE_MIN))
	{
		/*
		 * Every working day takes at least one calendar day, so more working
		 * days than there are days left in the timestamp range cannot be
		 * found: fail at once rather than scan 10^8 days (n = INT_MAX took
		 * seconds of CPU before the scan reached the end of the range).
		 */
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	}
	while (todo > 0)
	{
		CHECK_FOR_INTERRUPTS();
		d += step;
		if (d < CAL_DATE_MIN || d >= CAL_DATE_END)
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("timestamp out of range")));
		if (!cal_covers(cal, d) && *beyond == DATEVAL_NOEND)
			*beyond = d;
		if (cal_day_is_working(cal, d))
		{
			todo--;
			gap = 0;
			last_working = d;
		}
		else if (++gap >= CHURNWARN_CALENDAR_MAX_GAP)
			cal_no_working_day(cal, last_working, d);
	}
	return d;
}

/*
 * cal_count_working
 *		Number of working days d with lo < d <= hi (lo <= hi), computed from
 *		whole weeks and the special days in the range, so even a span of
 *		centuries costs no more than the special days it contains.  Sets
 *		*beyond as cal_nth_working_day does.
 */
static int64
cal_count_working(const ChurnwarnCalendar *cal, DateADT lo, DateADT hi,
				  DateADT *beyond)
{
	int64		ndays = (int64) hi - lo;
	int64		count;
	int			nweekend = 0;
	int			i;

	if (ndays <= 0)
		return 0;
	if (*beyond == DATEVAL_NOEND)
	{
		if (!cal_covers(cal, lo + 1))
			*beyond = lo + 1;
		else if (!cal_covers(cal, hi))
			*beyond = hi;
	}

	/* whole weeks hold every weekday once */
	for (i = 1; i <= 7; i++)
		if (cal->weekend & (1 << i))
			nweekend++;
	count = (ndays / 7) * (7 - nweekend);
	/* the remaining days, taken at the start of the range */
	for (i = 1; i <= ndays % 7; i++)
		if (!cal_is_weekend(cal, lo + i))
			count++;
	/* special days change the weekend rule's answer */
	for (i = cal_lower_bound(cal, lo + 1);
		 i < cal->nspecial && cal->special_day[i] <= hi; i++)
	{
		bool		base = !cal_is_weekend(cal, cal->special_day[i]);

		if (cal->special_working[i] && !base)
			count++;
		else if (!cal->special_working[i] && base)
			count--;
	}
	return count;
}

/* ----------------------------------------------------------------------
 * Layer 2: the per-backend calendar cache and its loader
 * ----------------------------------------------------------------------
 */

/*
 * The cache.  cal_context is reset on invalidation; a child of
 * CacheMemoryContext, because it lives as long as the backend like the
 * relcache it follows.  cal_inval_count is bumped by the relcache callback;
 * the cache contents belong to cal_cache_count, and a difference means they
 * are stale.  Comparing counters, rather than resetting inside the callback,
 * means an invalidation that arrives while an entry is being built (SPI
 * takes locks, which processes invalidations) is never lost, and the
 * callback never frees memory that a caller is still using.
 */
static MemoryContext cal_context = NULL;	/* holds cal_hash and entries */
static HTAB *cal_hash = NULL;	/* calendar name -> ChurnwarnCalendar */
static uint64 cal_inval_count = 0;	/* bumped by cal_relcache_callback */
static uint64 cal_cache_count = 0;	/* cal_inval_count the cache is from */
static bool cal_default_valid = false;	/* cal_default_name is current */
static char cal_default_name[NAMEDATALEN];	/* name of the default calendar */
static Oid	cal_relid = InvalidOid; /* churnwarn.calendar, once looked up */
static Oid	cal_day_relid = InvalidOid; /* churnwarn.calendar_day */
static Oid	cal_owner = InvalidOid; /* owner of churnwarn.calendar */
static bool cal_callback_registered = false;

/*
 * Calendars already warned about (dates beyond their data), in their own
 * context so that a cache invalidation does not repeat the warning.
 */
static HTAB *cal_warned = NULL;

/* Kept plans, prepared on first use (fixed SQL text, values as $n). */
static SPIPlanPtr plan_calendar = NULL;
static SPIPlanPtr plan_days = NULL;
static SPIPlanPtr plan_default = NULL;
static SPIPlanPtr plan_upsert_calendar = NULL;
static SPIPlanPtr plan_upsert_days = NULL;

/*
 * cal_relcache_callback
 *		Relcache invalidation: mark the cache stale if it concerns one of the
 *		calendar tables (or all relations).  Must not access catalogs.
 */
static void
cal_relcache_callback(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == cal_relid || relid == cal_day_relid)
		cal_inval_count++;
}

/*
 * cal_prepare_cache
 *		Drop the cache if it is stale, create it if needed, and learn the
 *		relids of the calendar tables (for the callback) and their owner
 *		(whose rights the loader reads with).
 */
static void
cal_prepare_cache(void)
{
	HASHCTL		ctl;

	if (!cal_callback_registered)
	{
		CacheRegisterRelcacheCallback(cal_relcache_callback, (Datum) 0);
		cal_callback_registered = true;
	}
	if (cal_hash != NULL && cal_cache_count == cal_inval_count)
		return;

	if (cal_context == NULL)
		cal_context = AllocSetContextCreate(CacheMemoryContext,
											"churnwarn calendar cache",
											ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(cal_context);
	cal_hash = NULL;
	cal_default_valid = false;
	cal_cache_count = cal_inval_count;

	/* the extension may have been dropped and created again */
	{
		Oid			nsp = get_namespace_oid("churnwarn", false);
		HeapTuple	tup;

		cal_relid = get_relname_relid("calendar", nsp);
		cal_day_relid = get_relname_relid("calendar_day", nsp);
		if (!OidIsValid(cal_relid) || !OidIsValid(cal_day_relid))
			elog(ERROR, "churnwarn calendar tables are missing");
		tup = SearchSysCache1(RELOID, ObjectIdGetDatum(cal_relid));
		if (!HeapTupleIsValid(tup))
			elog(ERROR, "cache lookup failed for relation %u", cal_relid);
		cal_owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
		ReleaseSysCache(tup);
	}

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = sizeof(ChurnwarnCalendar);
	ctl.hcxt = cal_context;
	cal_hash = hash_create("churnwarn calendars", 8, &ctl,
						   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
}

/*
 * cal_keep_plan
 *		Prepare a query once and keep its plan for the backend's life; plan
 *		invalidation (for example after the extension is recreated) is the
 *		plan cache's business, as it re-analyzes the query text.
 */
static SPIPlanPtr
cal_keep_plan(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plan;
}

/*
 * cal_read_plans
 *		The three lookups.  A user row of calendar_day (shipped = false)
 *		wins over a shipped row of the same day.
 */
static void
cal_read_plans(void)
{
	Oid			argtypes[1] = {TEXTOID};

	if (plan_calendar == NULL)
		plan_calendar = cal_keep_plan(
									  "SELECT c.time_zone, c.weekend, c.covers_from, c.covers_to "
									  "FROM churnwarn.calendar c "
									  "WHERE c.calendar OPERATOR(pg_catalog.=) $1",
									  1, argtypes);
	if (plan_days == NULL)
		plan_days = cal_keep_plan(
								  "SELECT DISTINCT ON (d.day) d.day, "
								  "d.kind OPERATOR(pg_catalog.=) 'transfer_workday', d.shipped "
								  "FROM churnwarn.calendar_day d "
								  "WHERE d.calendar OPERATOR(pg_catalog.=) $1 "
								  "ORDER BY d.day, d.shipped",
								  1, argtypes);
	if (plan_default == NULL)
		plan_default = cal_keep_plan(
									 "SELECT c.calendar FROM churnwarn.calendar c "
									 "WHERE c.is_default ORDER BY c.shipped LIMIT 1",
									 0, NULL);
}

/*
 * cal_select
 *		Run a kept read-only plan with the latest snapshot.  The cache
 *		outlives the transaction, so it must not be filled from an old
 *		(REPEATABLE READ) snapshot after an invalidation was processed: the
 *		latest snapshot sees every change whose invalidation we have seen.
 */
static void
cal_select(SPIPlanPtr plan, Datum *values)
{
	int			rc = SPI_execute_snapshot(plan, values, NULL,
										  GetLatestSnapshot(), InvalidSnapshot,
										  true, false, 0);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_snapshot failed: %s", SPI_result_code_string(rc));
}

/*
 * cal_begin_read
 *		Connect to SPI as the owner of the calendar tables, as the RI
 *		triggers do: any role that may call the functions may read the
 *		calendars, without privileges on churnwarn's schema and tables.
 *		SECURITY_LOCAL_USERID_CHANGE forbids SET ROLE meanwhile; an error
 *		restores the user through transaction abort.
 */
static void
cal_begin_read(Oid *save_userid, int *save_sec)
{
	int			rc;

	GetUserIdAndSecContext(save_userid, save_sec);
	SetUserIdAndSecContext(cal_owner, *save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	cal_read_plans();
}

/*
 * cal_end_read
 *		Disconnect from SPI and become the calling user again.
 */
static void
cal_end_read(Oid save_userid, int save_sec)
{
	int			rc;

	if ((rc = SPI_finish()) != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed: %s", SPI_result_code_string(rc));
	SetUserIdAndSecContext(save_userid, save_sec);
}

/*
 * cal_default
 *		Name of the default calendar: the user row marked is_default, else
 *		the shipped one (CN).
 */
static const char *
cal_default(void)
{
	Oid			save_userid;
	int			save_sec;
	bool		found;

	if (cal_default_valid)
		return cal_default_name;

	cal_begin_read(&save_userid, &save_sec);
	cal_select(plan_default, NULL);
	found = SPI_processed > 0;
	if (found)
	{
		bool		isnull;
		Datum		v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
									  1, &isnull);

		strlcpy(cal_default_name, TextDatumGetCString(v), NAMEDATALEN);
	}
	cal_end_read(save_userid, save_sec);

	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("no default calendar is set"),
				 errhint("Set is_default on a row of churnwarn.calendar.")));
	cal_default_valid = true;
	return cal_default_name;
}

/*
 * cal_unknown
 *		Report a calendar that does not exist.
 */
static void
cal_unknown(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("calendar \"%s\" does not exist", name),
			 errhint("Create it with churnwarn.load_calendar().")));
}

/*
 * cal_load
 *		Read one calendar into the cache and return its entry.
 *
 * Effective coverage: covers_from/covers_to of the row, widened to whole
 * years by the user-loaded (non-shipped) days: a year's data loaded by
 * load_calendar covers that year.  A NULL end stays open unless user days
 * close it; both open and no special days at all means a weekend-only
 * calendar, which never warns.
 */
static ChurnwarnCalendar *
cal_load(const char *name)
{
	Oid			save_userid;
	int			save_sec;
	Datum		arg[1];
	bool		isnull;
	char	   *tzname;
	pg_tz	   *tz;
	int			weekend = 0;
	DateADT		covers_from = DATEVAL_NOBEGIN;
	DateADT		covers_to = DATEVAL_NOEND;
	DateADT		user_first = DATEVAL_NOEND;
	DateADT		user_last = DATEVAL_NOBEGIN;
	int			n;
	int			i;
	DateADT    *days = NULL;
	bool	   *working = NULL;
	ChurnwarnCalendar *cal;
	HeapTuple	tup;
	TupleDesc	desc;

	cal_begin_read(&save_userid, &save_sec);
	arg[0] = CStringGetTextDatum(name);

	/* the calendar row */
	cal_select(plan_calendar, arg);
	if (SPI_processed == 0)
	{
		cal_end_read(save_userid, save_sec);
		cal_unknown(name);
	}
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	tzname = TextDatumGetCString(SPI_getbinval(tup, desc, 1, &isnull));
	tz = pg_tzset(tzname);
	if (tz == NULL || !pg_tz_acceptable(tz))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" not recognized", tzname),
				 errdetail("Calendar \"%s\" has this time zone.", name),
				 errhint("Set a time zone of the tz database, such as Asia/Shanghai, with churnwarn.load_calendar().")));
	{
		ArrayType  *arr = DatumGetArrayTypeP(SPI_getbinval(tup, desc, 2, &isnull));
		Datum	   *elems;
		bool	   *nulls;
		int			nelems;

		deconstruct_array(arr, INT4OID, sizeof(int32), true, TYPALIGN_INT,
						  &elems, &nulls, &nelems);
		for (i = 0; i < nelems; i++)
		{
			int32		wd = nulls[i] ? 0 : DatumGetInt32(elems[i]);

			if (wd >= 1 && wd <= 7)
				weekend |= 1 << wd;
		}
	}
	{
		Datum		v = SPI_getbinval(tup, desc, 3, &isnull);

		if (!isnull)
			covers_from = DatumGetDateADT(v);
		v = SPI_getbinval(tup, desc, 4, &isnull);
		if (!isnull)
			covers_to = DatumGetDateADT(v);
	}

	/* its special days, copied into the cache context */
	cal_select(plan_days, arg);
	n = (int) SPI_processed;
	if (n > 0)
	{
		days = MemoryContextAlloc(cal_context, n * sizeof(DateADT));
		working = MemoryContextAlloc(cal_context, n * sizeof(bool));
	}
	desc = SPI_tuptable->tupdesc;
	for (i = 0; i < n; i++)
	{
		tup = SPI_tuptable->vals[i];
		days[i] = DatumGetDateADT(SPI_getbinval(tup, desc, 1, &isnull));
		working[i] = DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull));
		if (!DatumGetBool(SPI_getbinval(tup, desc, 3, &isnull)))
		{
			user_first = Min(user_first, days[i]);
			user_last = Max(user_last, days[i]);
		}
	}
	cal_end_read(save_userid, save_sec);

	/* widen the coverage to the whole years of the user-loaded days */
	if (user_first != DATEVAL_NOEND)
	{
		int			y,
					m,
					d;
		DateADT		jan1,
					dec31;

		j2date(user_first + POSTGRES_EPOCH_JDATE, &y, &m, &d);
		jan1 = date2j(y, 1, 1) - POSTGRES_EPOCH_JDATE;
		j2date(user_last + POSTGRES_EPOCH_JDATE, &y, &m, &d);
		dec31 = date2j(y, 12, 31) - POSTGRES_EPOCH_JDATE;
		covers_from = covers_from == DATEVAL_NOBEGIN ? jan1 : Min(covers_from, jan1);
		covers_to = covers_to == DATEVAL_NOEND ? dec31 : Max(covers_to, dec31);
	}

	cal = hash_search(cal_hash, name, HASH_ENTER, NULL);
	cal->tz = tz;
	cal->weekend = weekend;
	cal->covers_from = covers_from;
	cal->covers_to = covers_to;
	cal->nspecial = n;
	cal->special_day = days;
	cal->special_working = working;
	return cal;
}

/*
 * cal_get
 *		The cached calendar of that name (NULL: the default calendar),
 *		loaded on first use.  The entry stays valid until the next call of a
 *		function of this file.
 */
static ChurnwarnCalendar *
cal_get(const char *name)
{
	ChurnwarnCalendar *cal;

	cal_prepare_cache();
	if (name == NULL)
		name = cal_default();
	if (strlen(name) >= NAMEDATALEN)
		cal_unknown(name);		/* longer than any calendar name can be */
	cal = hash_search(cal_hash, name, HASH_FIND, NULL);
	if (cal == NULL)
		cal = cal_load(name);
	return cal;
}

/*
 * cal_warn_beyond
 *		If a computation used date d outside the calendar's holiday data,
 *		warn, once per backend and calendar.
 */
static void
cal_warn_beyond(const ChurnwarnCalendar *cal, DateADT d)
{
	bool		found;

	if (d == DATEVAL_NOEND)
		return;
	if (cal_warned == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = NAMEDATALEN;
		ctl.entrysize = NAMEDATALEN;
		ctl.hcxt = AllocSetContextCreate(CacheMemoryContext,
										 "churnwarn calendar warnings",
										 ALLOCSET_SMALL_SIZES);
		cal_warned = hash_create("churnwarn calendar warnings", 8, &ctl,
								 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	(void) hash_search(cal_warned, cal->name, HASH_FIND, &found);
	if (found || !churnwarn_calendar_coverage_warning)
		return;
	ereport(WARNING,
			(errcode(ERRCODE_WARNING),
			 errmsg("date %s is beyond the holiday data of calendar \"%s\"",
					format_date(d), cal->name),
			 errdetail("The data covers %s to %s; outside that range only the weekend rule applies. This warning is shown once per session.",
					   format_date(cal->covers_from), format_date(cal->covers_to)),
			 errhint("Load the holidays with churnwarn.load_calendar(); for calendar CN, tools/gen-cn-calendar regenerates the shipped data.")));
	(void) hash_search(cal_warned, cal->name, HASH_ENTER, NULL);
}

/* ----------------------------------------------------------------------
 * Layer 3: the C API and the SQL-callable functions
 * ----------------------------------------------------------------------
 */

/*
 * churnwarn_is_working_day_date
 *		See calendar.h.
 */
bool
churnwarn_is_working_day_date(DateADT d, const char *calendar)
{
	ChurnwarnCalendar *cal = cal_get(calendar);

	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("cannot decide whether an infinite date is a working day")));
	if (!cal_covers(cal, d))
		cal_warn_beyond(cal, d);
	return cal_day_is_working(cal, d);
}

/*
 * churnwarn_add_working_days_tz
 *		See calendar.h.
 */
TimestampTz
churnwarn_add_working_days_tz(TimestampTz t, int n, const char *calendar)
{
	ChurnwarnCalendar *cal = cal_get(calendar);
	DateADT		beyond = DATEVAL_NOEND;
	DateADT		d;

	d = cal_nth_working_day(cal, cal_local_date(cal, t), n, &beyond);
	cal_warn_beyond(cal, beyond);
	return cal_end_of_day(cal, d);
}

/*
 * churnwarn_working_days_between_tz
 *		See calendar.h.
 */
int
churnwarn_working_days_between_tz(TimestampTz a, TimestampTz b,
								  const char *calendar)
{
	ChurnwarnCalendar *cal = cal_get(calendar);
	DateADT		da = cal_local_date(cal, a);
	DateADT		db = cal_local_date(cal, b);
	DateADT		beyond = DATEVAL_NOEND;
	int64		count;

	if (da <= db)
		count = cal_count_working(cal, da, db, &beyond);
	else
		count = -cal_count_working(cal, db, da, &beyond);
	cal_warn_beyond(cal, beyond);
	/* timestamps span fewer than 2^31 days, so this cannot overflow */
	return (int) count;
}

/*
 * churnwarn_calendar_local_date
 *		See calendar.h.
 */
DateADT
churnwarn_calendar_local_date(TimestampTz t, const char *calendar)
{
	return cal_local_date(cal_get(calendar), t);
}

/*
 * arg_calendar
 *		The calendar argument of a SQL function: NULL means the default.
 */
static char *
arg_calendar(FunctionCallInfo fcinfo, int argno)
{
	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/*
 * churnwarn.is_working_day(d date, calendar text DEFAULT NULL) -> boolean
 */
PG_FUNCTION_INFO_V1(churnwarn_is_working_day);
Datum
churnwarn_is_working_day(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_BOOL(churnwarn_is_working_day_date(PG_GETARG_DATEADT(0),
												 arg_calendar(fcinfo, 1)));
}

/*
 * churnwarn.add_working_days(t timestamptz, n int, calendar text DEFAULT
 * NULL) -> timestamptz
 */
PG_FUNCTION_INFO_V1(churnwarn_add_working_days);
Datum
churnwarn_add_working_days(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(churnwarn_add_working_days_tz(PG_GETARG_TIMESTAMPTZ(0),
														PG_GETARG_INT32(1),
														arg_calendar(fcinfo, 2)));
}

/*
 * churnwarn.working_days_between(a timestamptz, b timestamptz, calendar text
 * DEFAULT NULL) -> int
 */
PG_FUNCTION_INFO_V1(churnwarn_working_days_between);
Datum
churnwarn_working_days_between(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	PG_RETURN_INT32(churnwarn_working_days_between_tz(PG_GETARG_TIMESTAMPTZ(0),
													  PG_GETARG_TIMESTAMPTZ(1),
													  arg_calendar(fcinfo, 2)));
}

/* One day of load_calendar's input. */
typedef struct CalendarInputDay
{
	DateADT		day;			/* the date */
	bool		working;		/* transfer_workday (else public_holiday) */
	char	   *name;			/* "name" of the entry, or NULL */
	int			index;			/* position in the input array (from 0) */
} CalendarInputDay;

/*
 * input_day_cmp
 *		qsort comparator: by date, then by input position.
 */
static int
input_day_cmp(const void *a, const void *b)
{
	const CalendarInputDay *x = a;
	const CalendarInputDay *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->index - y->index;
}

/*
 * json_string_key
 *		The string value of key in a JSON object, or NULL if the key is
 *		missing; a non-string value is an error when required.
 */
static char *
json_string_key(JsonbContainer *obj, const char *key, int index, bool required)
{
	JsonbValue	vbuf;
	JsonbValue *v = getKeyJsonValueFromContainer(obj, key, strlen(key), &vbuf);

	if (v == NULL || v->type == jbvNull)
	{
		if (required)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("calendar data element %d has no \"%s\"", index, key),
					 errdetail("Each element must be an object such as {\"date\": \"2026-01-01\", \"type\": \"public_holiday\"}.")));
		return NULL;
	}
	if (v->type != jbvString)
	{
		if (!required)
			return NULL;		/* optional keys of other types are ignored */
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" of calendar data element %d is not a string", key, index)));
	}
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/*
 * parse_iso_date
 *		A date written exactly as YYYY-MM-DD, as the holiday-calendar data
 *		has them (no other DateStyle, no 'today' or 'infinity').
 */
static DateADT
parse_iso_date(const char *s, int index)
{
	int			y,
				m,
				d;
	int			i;

	for (i = 0; i < 10; i++)
		if (s[i] == '\0' || (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char) s[i])))
			break;
	if (i < 10 || s[10] != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_DATETIME_FORMAT),
				 errmsg("invalid date \"%s\" in calendar data", s),
				 errdetail("Element %d must have a \"date\" of the form YYYY-MM-DD.", index)));
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1 || m < 1 || m > MONTHS_PER_YEAR || d < 1 ||
		d > day_tab[isleap(y)][m - 1])
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
				 errmsg("date/time field value out of range: \"%s\"", s),
				 errdetail("Element %d of the calendar data has a date that does not exist.", index)));
	return date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
}

/*
 * parse_calendar_days
 *		Check and read the whole "dates" array before anything is written,
 *		sort it by date and fold repeated dates (the same kind: the last
 *		entry's name wins; different kinds: an error).  Returns the number of
 *		distinct days, the array in *out.
 */
static int
parse_calendar_days(Jsonb *jb, CalendarInputDay **out)
{
	int			n;
	int			i;
	int			ndistinct = 0;
	CalendarInputDay *days;

	if (JB_ROOT_IS_SCALAR(jb) || !JB_ROOT_IS_ARRAY(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("calendar data must be a JSON array"),
				 errdetail("Pass the \"dates\" array of a holiday-calendar data file, such as [{\"date\": \"2026-01-01\", \"type\": \"public_holiday\"}].")));
	n = JB_ROOT_COUNT(jb);
	days = palloc0(Max(n, 1) * sizeof(CalendarInputDay));
	for (i = 0; i < n; i++)
	{
		JsonbValue *elem = getIthJsonbValueFromContainer(&jb->root, i);
		JsonbContainer *obj;
		char	   *date;
		char	   *type;

		if (elem == NULL || elem->type != jbvBinary ||
			!JsonContainerIsObject(elem->val.binary.data))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("calendar data element %d is not a JSON object", i),
					 errdetail("Each element must be an object such as {\"date\": \"2026-01-01\", \"type\": \"public_holiday\"}.")));
		obj = elem->val.binary.data;
		date = json_string_key(obj, "date", i, true);
		type = json_string_key(obj, "type", i, true);
		days[i].day = parse_iso_date(date, i);
		if (strcmp(type, KIND_HOLIDAY) == 0)
			days[i].working = false;
		else if (strcmp(type, KIND_WORKDAY) == 0)
			days[i].working = true;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized calendar day type \"%s\"", type),
					 errdetail("Element %d of the calendar data has this type.", i),
					 errhint("The day types are public_holiday and transfer_workday.")));
		days[i].name = json_string_key(obj, "name", i, false);
		days[i].index = i;
	}

	if (n > 1)
		qsort(days, n, sizeof(CalendarInputDay), input_day_cmp);
	for (i = 0; i < n; i++)
	{
		if (ndistinct > 0 && days[ndistinct - 1].day == days[i].day)
		{
			if (days[ndistinct - 1].working != days[i].working)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("conflicting entries for date %s in calendar data",
								format_date(days[i].day)),
						 errdetail("Elements %d and %d give the date different types.",
								   days[ndistinct - 1].index, days[i].index)));
			days[ndistinct - 1] = days[i];
			continue;
		}
		days[ndistinct++] = days[i];
	}
	*out = days;
	return ndistinct;
}

/*
 * churnwarn.load_calendar(calendar text, days jsonb, time_zone text DEFAULT
 * NULL) -> int
 *
 * Creates the calendar (zone: time_zone, else UTC) or adds to it (a non-NULL
 * time_zone replaces its zone), then inserts or replaces one user row per
 * distinct day of the input.  Everything is checked before anything is
 * written.  Returns the number of distinct days loaded.
 */
PG_FUNCTION_INFO_V1(churnwarn_load_calendar);
Datum
churnwarn_load_calendar(PG_FUNCTION_ARGS)
{
	char	   *name;
	char	   *tzname = NULL;
	CalendarInputDay *days;
	int			n;
	int			i;
	int			rc;
	Datum		values[4];
	char		nulls[4];

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("calendar name must not be null")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("calendar data must not be null")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (name[0] == '\0' || strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid calendar name \"%s\"", name),
				 errdetail("A calendar name must be 1 to %d bytes long.", NAMEDATALEN - 1)));
	if (!PG_ARGISNULL(2))
	{
		char	   *given = text_to_cstring(PG_GETARG_TEXT_PP(2));
		pg_tz	   *tz = pg_tzset(given);

		if (tz == NULL || !pg_tz_acceptable(tz))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("time zone \"%s\" not recognized", given),
					 errhint("Use a time zone of the tz database, such as Asia/Shanghai.")));
		tzname = pstrdup(pg_get_timezone_name(tz));
	}
	n = parse_calendar_days(PG_GETARG_JSONB_P(1), &days);

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	if (plan_upsert_calendar == NULL)
	{
		Oid			argtypes[2] = {TEXTOID, TEXTOID};

		plan_upsert_calendar = cal_keep_plan(
											 "INSERT INTO churnwarn.calendar AS c (calendar, time_zone) "
											 "VALUES ($1, COALESCE($2, 'UTC')) "
											 "ON CONFLICT (calendar) DO UPDATE SET time_zone = excluded.time_zone "
											 "WHERE $2 IS NOT NULL "
											 "AND c.time_zone OPERATOR(pg_catalog.<>) excluded.time_zone",
											 2, argtypes);
	}
	if (plan_upsert_days == NULL)
	{
		Oid			argtypes[4] = {TEXTOID, DATEARRAYOID, BOOLARRAYOID, TEXTARRAYOID};

		plan_upsert_days = cal_keep_plan(
										 "INSERT INTO churnwarn.calendar_day AS d (calendar, day, kind, name) "
										 "SELECT $1, u.day, "
										 "CASE WHEN u.working THEN 'transfer_workday' ELSE 'public_holiday' END, "
										 "u.name "
										 "FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), "
										 "pg_catalog.unnest($4)) AS u(day, working, name) "
										 "ON CONFLICT (calendar, day, shipped) "
										 "DO UPDATE SET kind = excluded.kind, name = excluded.name",
										 4, argtypes);
	}

	values[0] = CStringGetTextDatum(name);
	nulls[0] = ' ';
	values[1] = tzname ? CStringGetTextDatum(tzname) : (Datum) 0;
	nulls[1] = tzname ? ' ' : 'n';
	rc = SPI_execute_plan(plan_upsert_calendar, values, nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));

	if (n > 0)
	{
		Datum	   *d_day = palloc(n * sizeof(Datum));
		Datum	   *d_working = palloc(n * sizeof(Datum));
		Datum	   *d_name = palloc(n * sizeof(Datum));
		bool	   *name_null = palloc(n * sizeof(bool));
		int			dims[1] = {n};
		int			lbs[1] = {1};

		for (i = 0; i < n; i++)
		{
			d_day[i] = DateADTGetDatum(days[i].day);
			d_working[i] = BoolGetDatum(days[i].working);
			name_null[i] = days[i].name == NULL;
			d_name[i] = name_null[i] ? (Datum) 0 : CStringGetTextDatum(days[i].name);
		}
		values[1] = PointerGetDatum(construct_array(d_day, n, DATEOID, sizeof(DateADT),
													true, TYPALIGN_INT));
		values[2] = PointerGetDatum(construct_array(d_working, n, BOOLOID, sizeof(bool),
													true, TYPALIGN_CHAR));
		values[3] = PointerGetDatum(construct_md_array(d_name, name_null, 1, dims, lbs,
													   TEXTOID, -1, false, TYPALIGN_INT));
		nulls[1] = nulls[2] = nulls[3] = ' ';
		rc = SPI_execute_plan(plan_upsert_days, values, nulls, false, 0);
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	}

	if ((rc = SPI_finish()) != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed: %s", SPI_result_code_string(rc));

	/*
	 * The trigger's invalidation reaches this backend at the end of the
	 * command; a later call in the same command must not use the old data.
	 */
	cal_inval_count++;
	PG_RETURN_INT32(n);
}

/*
 * churnwarn.calendar_protect() trigger
 *
 * BEFORE ROW INSERT/UPDATE/DELETE and BEFORE STATEMENT TRUNCATE on
 * churnwarn.calendar and churnwarn.calendar_day.  Outside the extension's
 * own scripts, rows with shipped = true cannot be inserted, changed or
 * deleted, and the tables cannot be truncated: pg_dump does not dump shipped
 * rows (the scripts restore them), so such a change would be lost by a dump
 * and restore, or make the restore fail.  On churnwarn.calendar it also
 * checks the time zone, so a broken calendar is refused when written rather
 * than when used.
 */
PG_FUNCTION_INFO_V1(churnwarn_calendar_protect);
Datum
churnwarn_calendar_protect(PG_FUNCTION_ARGS)
{
	const char *funcname = "churnwarn_calendar_protect";
	TriggerData *trigdata;
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	newtup = NULL;
	HeapTuple	oldtup = NULL;
	int			shipped_att;
	bool		isnull;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", funcname)));
	trigdata = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired BEFORE", funcname)));
	rel = trigdata->tg_relation;

	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
	{
		if (!creating_extension)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot truncate table \"%s\"", RelationGetRelationName(rel)),
					 errdetail("The table holds rows that ship with the extension."),
					 errhint("Delete the rows you loaded with DELETE ... WHERE NOT shipped.")));
		return PointerGetDatum(NULL);
	}
	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for row", funcname)));

	desc = RelationGetDescr(rel);
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		newtup = trigdata->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		oldtup = trigdata->tg_trigtuple;
		newtup = trigdata->tg_newtuple;
	}
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		oldtup = trigdata->tg_trigtuple;
	else
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for INSERT, UPDATE, DELETE or TRUNCATE",
						funcname)));

	shipped_att = SPI_fnumber(desc, "shipped");
	if (shipped_att <= 0)
		elog(ERROR, "table \"%s\" has no column \"shipped\"", RelationGetRelationName(rel));

	if (!creating_extension)
	{
		bool		is_calendar = strcmp(RelationGetRelationName(rel), "calendar") == 0;
		const char *hint = is_calendar
		? "Override its days with churnwarn.load_calendar(), or make a calendar of your own the default by setting its is_default."
		: "Load a day of your own for the same date with churnwarn.load_calendar(); it overrides the shipped one.";

		if (oldtup != NULL &&
			DatumGetBool(heap_getattr(oldtup, shipped_att, desc, &isnull)))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot change a shipped row of table \"%s\"",
							RelationGetRelationName(rel)),
					 errdetail("Shipped rows are restored by the extension's scripts, not by pg_dump, so changes to them would be lost."),
					 errhint("%s", hint)));
		if (newtup != NULL &&
			DatumGetBool(heap_getattr(newtup, shipped_att, desc, &isnull)))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot insert a shipped row into table \"%s\"",
							RelationGetRelationName(rel)),
					 errdetail("Only the extension's scripts write shipped rows; pg_dump does not dump them."),
					 errhint("Leave shipped false.")));
	}

	/* a calendar's time zone must be one the arithmetic can use */
	if (newtup != NULL && strcmp(RelationGetRelationName(rel), "calendar") == 0)
	{
		int			tz_att = SPI_fnumber(desc, "time_zone");
		Datum		v;

		if (tz_att <= 0)
			elog(ERROR, "table \"%s\" has no column \"time_zone\"", RelationGetRelationName(rel));
		v = heap_getattr(newtup, tz_att, desc, &isnull);
		if (!isnull)
		{
			char	   *tzname = TextDatumGetCString(v);
			pg_tz	   *tz = pg_tzset(tzname);

			if (tz == NULL || !pg_tz_acceptable(tz))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("time zone \"%s\" not recognized", tzname),
						 errhint("Use a time zone of the tz database, such as Asia/Shanghai.")));
		}
	}

	return PointerGetDatum(newtup != NULL ? newtup : oldtup);
}

/*
 * churnwarn.calendar_changed() trigger
 *
 * AFTER STATEMENT INSERT/UPDATE/DELETE/TRUNCATE on the calendar tables:
 * queue a relcache invalidation of the table.  It is sent to every backend
 * when the transaction commits (and processed by this backend at the end of
 * the command, or discarded with a rollback), and cal_relcache_callback then
 * drops the cached calendars.
 */
PG_FUNCTION_INFO_V1(churnwarn_calendar_changed);
Datum
churnwarn_calendar_changed(PG_FUNCTION_ARGS)
{
	const char *funcname = "churnwarn_calendar_changed";
	TriggerData *trigdata;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", funcname)));
	trigdata = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER STATEMENT", funcname)));

	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	return PointerGetDatum(NULL);
}
