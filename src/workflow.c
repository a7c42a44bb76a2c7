/*-------------------------------------------------------------------------
 *
 * workflow.c
 *	  The C side of the warning workflow: the clock and the grading pipeline
 *	  as SQL functions (for the PL/pgSQL steps and tick), and the deadlines
 *	  the grading pipeline stamps on a warning it opens or sends back for
 *	  re-assessment.
 *
 * The workflow steps themselves (assess, approve, issue, ...) are PL/pgSQL
 * in sql/parts/5x_*.sql: they run a handful of statements once per human
 * action, where SQL is the clearest language.  What runs inside the grading
 * triggers stays in C.
 *
 * Copyright (c) 2026, churnwarn authors
 *
 * src/workflow.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "calendar.h"
#include "churnwarn.h"
#include "storage.h"

/*
 * churnwarn_assess_due
 *		The assessment deadline of a warning of the given scheme and level
 *		reported at "from": the scheme's assess_days for the level
 *		(churnwarn.level_workflow) in working days of the customer's
 *		calendar (NULL: the default calendar).  DT_NOBEGIN (stored as NULL)
 *		when the scheme has no workflow row for the level.  SPI connected.
 */
TimestampTz
churnwarn_assess_due(const char *customer_id, const char *scheme, int level,
					 TimestampTz from)
{
	char	   *calendar;
	int			days;

	if (!churnwarn_read_level_workflow(customer_id, scheme, level,
									   &calendar, &days))
		return DT_NOBEGIN;
	return churnwarn_add_working_days_tz(from, days, calendar);
}

PG_FUNCTION_INFO_V1(churnwarn_current_actor);

/*
 * churnwarn_current_actor
 *		churnwarn.current_actor() -> text: churnwarn.actor if set, else the
 *		session user, as recorded by the C triggers.
 */
Datum
churnwarn_current_actor(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(churnwarn_actor_name()));
}

PG_FUNCTION_INFO_V1(churnwarn_regrade);

/*
 * churnwarn_regrade
 *		churnwarn.regrade(customer_id, at) -> int: run the grading pipeline
 *		for one customer as of "at" (decay is computed for that time, and
 *		the events and history rows carry it) and return the new level.
 *		Takes the customer row, the head of its audit chain and its grade
 *		row in that order (churnwarn_lock_grade), like a signal's statement.
 *		Used by tick for decay.
 */
Datum
churnwarn_regrade(PG_FUNCTION_ARGS)
{
	char	   *customer_id;
	TimestampTz at;
	Datum		v[1];
	int			level;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("customer_id must not be null")));
	customer_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	at = PG_ARGISNULL(1) ? churnwarn_clock_now() : PG_GETARG_TIMESTAMPTZ(1);
	if (TIMESTAMP_NOT_FINITE(at))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("regrade time must be finite")));

	churnwarn_spi_connect();
	v[0] = CStringGetTextDatum(customer_id);
	churnwarn_exec(CW_Q_CUSTOMER_EXISTS, v, NULL, false, SPI_OK_SELECT);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("customer \"%s\" does not exist", customer_id)));
	level = churnwarn_regrade_customer(customer_id, 0, at);
	churnwarn_spi_finish();
	PG_RETURN_INT32(level);
}
