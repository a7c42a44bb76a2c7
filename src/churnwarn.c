/*-------------------------------------------------------------------------
 *
 * churnwarn.c
 *	  Module entry point and configuration parameters (GUCs).
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/churnwarn.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "churnwarn.h"
#include "storage.h"

PG_MODULE_MAGIC;

/* GUC variables, named after their GUCs */
int			churnwarn_language = CHURNWARN_LANG_EN;
char	   *churnwarn_actor = NULL;
char	   *churnwarn_clock = NULL;
bool		churnwarn_calendar_coverage_warning = true;

/* churnwarn.clock parsed by its check hook; 0 when the GUC is empty */
static TimestampTz clock_value = 0;
static bool clock_set = false;

static bool check_clock(char **newval, void **extra, GucSource source);
static void assign_clock(const char *newval, void *extra);

static const struct config_enum_entry language_options[] = {
	{"en", CHURNWARN_LANG_EN, false},
	{"zh", CHURNWARN_LANG_ZH, false},
	{NULL, 0, false}
};

/*
 * check_clock
 *		Validate churnwarn.clock: empty, or a finite timestamp with time zone.
 *		Parsed without throwing, as a check hook must.
 */
static bool
check_clock(char **newval, void **extra, GucSource source)
{
	char		workbuf[MAXDATELEN + MAXDATEFIELDS];
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	int			nf;
	int			dtype;
	int			tz;
	fsec_t		fsec;
	struct pg_tm tt;
	TimestampTz result;
	TimestampTz *myextra;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if (ParseDateTime(*newval, workbuf, sizeof(workbuf), field, ftype,
					  MAXDATEFIELDS, &nf) != 0 ||
		DecodeDateTime(field, ftype, nf, &dtype, &tt, &fsec, &tz) != 0 ||
		dtype != DTK_DATE ||
		tm2timestamp(&tt, fsec, &tz, &result) != 0 ||
		!IS_VALID_TIMESTAMP(result))
	{
		GUC_check_errdetail("The value must be empty or a finite timestamp with time zone.");
		return false;
	}
	/* GUC "extra" data must come from malloc: guc.c releases it with free() */
	myextra = (TimestampTz *) malloc(sizeof(TimestampTz));
	if (myextra == NULL)
		return false;
	*myextra = result;
	*extra = myextra;
	return true;
}

/* Install the value check_clock parsed. */
static void
assign_clock(const char *newval, void *extra)
{
	clock_set = (extra != NULL);
	clock_value = clock_set ? *(TimestampTz *) extra : 0;
}

/*
 * _PG_init
 *		Define churnwarn's GUCs.  Nothing here needs shared memory, so the
 *		module does not have to be preloaded.
 */
void
_PG_init(void)
{
	DefineCustomEnumVariable("churnwarn.language",
							 "Language of the labels shown in churnwarn's views and notices.",
							 "Either en (English) or zh (Chinese).",
							 &churnwarn_language,
							 CHURNWARN_LANG_EN,
							 language_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("churnwarn.actor",
							   "Name recorded as the actor of churnwarn changes.",
							   "Applications that connect through a shared role set this to the person "
							   "acting; when it is empty the session user is recorded.",
							   &churnwarn_actor,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("churnwarn.clock",
							   "Time churnwarn treats as now, for replaying history.",
							   "Empty (the default) means the transaction's start time.  Set it to "
							   "replay last year's signals at the times they happened, or in tests; "
							   "only superusers may set it, since it changes deadlines and grades.",
							   &churnwarn_clock,
							   "",
							   PGC_SUSET,
							   0,
							   check_clock, assign_clock, NULL);

	DefineCustomBoolVariable("churnwarn.calendar_coverage_warning",
							 "Warns when a deadline falls beyond a calendar's holiday data.",
							 "Outside the years a calendar's holidays were loaded for only the "
							 "weekend rule applies; the warning (once per session and calendar) says "
							 "so.  Turn it off where that is known and accepted, for example in test "
							 "suites that grade at the current date.",
							 &churnwarn_calendar_coverage_warning,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	MarkGUCPrefixReserved("churnwarn");

	churnwarn_write_install_hook();
}

/*
 * churnwarn_actor_name
 *		The person to record for a change: churnwarn.actor if set, else the
 *		session user.  The result is palloc'd in the current context or
 *		points at GUC storage; callers copy it before changing contexts.
 */
const char *
churnwarn_actor_name(void)
{
	if (churnwarn_actor != NULL && churnwarn_actor[0] != '\0')
		return churnwarn_actor;
	return GetUserNameFromId(GetSessionUserId(), false);
}

/*
 * churnwarn_clock_now
 *		The time churnwarn works at: churnwarn.clock if set, else the start
 *		time of the transaction (like now()).
 */
TimestampTz
churnwarn_clock_now(void)
{
	if (clock_set)
		return clock_value;
	return GetCurrentTransactionStartTimestamp();
}

PG_FUNCTION_INFO_V1(churnwarn_now);

/*
 * churnwarn_now
 *		churnwarn.now() -> timestamptz: the time churnwarn works at, for SQL
 *		code that must follow churnwarn.clock like the C code does.
 */
Datum
churnwarn_now(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(churnwarn_clock_now());
}
